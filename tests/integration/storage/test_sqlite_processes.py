"""Several processes append to one SQLite file at once, each with concurrent tasks.

Every process uses the default (``auto``) store: groups commit on the event loop's thread
while commits are fast, and go to the writer thread, which waits for the lock, whenever
another process holds it. No append may fail for a lock, every acknowledged append must be
stored, and every stream must hold versions 1..n with no gap.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

WRITER = r"""
import asyncio, json, sys, time
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.errors import ConcurrencyConflict
from docsense.testing import new_event

async def task(store, name, deadline, acknowledged):
    n = 0
    while time.monotonic() < deadline:
        stream = f"shared-{n % 5}"  # every process and task writes to the same five streams
        while True:
            version = await store.stream_version(stream)
            event = new_event(n, writer=name)
            try:
                await store.append(stream, [event], version)
            except ConcurrencyConflict:
                continue
            acknowledged.append(event.event_id)
            break
        n += 1

async def main(path, name, seconds):
    store = await SQLiteStorage.open(path, busy_timeout=30)
    acknowledged = []
    deadline = time.monotonic() + seconds
    try:
        tasks = [task(store, f"{name}.{t}", deadline, acknowledged) for t in range(4)]
        await asyncio.gather(*tasks)
    finally:
        await store.close()
    print(json.dumps(acknowledged))

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
"""


@pytest.mark.slow
def test_processes_appending_to_one_file_lose_nothing_and_never_fail_for_a_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shared.db"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), f"p{i}", "3"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    acknowledged: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-3000:]
        assert "locked" not in err
        acknowledged.extend(json.loads(out.strip().splitlines()[-1]))
    assert len(acknowledged) > 20
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r[0] for r in conn.execute("SELECT event_id FROM docsense_events")}
        streams = conn.execute(
            "SELECT stream_id, COUNT(*), MAX(stream_version) FROM docsense_events "
            "GROUP BY stream_id"
        ).fetchall()
        positions = [r[0] for r in conn.execute("SELECT position FROM docsense_events ORDER BY 1")]
    conn.close()
    assert set(acknowledged) == stored
    assert all(count == last for _, count, last in streams), streams
    assert positions == list(range(1, len(positions) + 1))


async def test_opening_while_another_connection_writes_waits_for_the_wal_switch(
    tmp_path: Path,
) -> None:
    """SQLite does not wait for a lock on ``PRAGMA journal_mode = WAL``; the open must.

    Another process mid-write (a RESERVED lock) on a store that is not yet in WAL mode made
    the switch fail at once, reported as a lock held "for more than 30 s". The open now
    retries the switch until the writer is done (or ``busy_timeout`` passes).
    """
    import threading
    import time

    from docsense.adapters.storage.sqlite import SQLiteStorage
    from docsense.errors import StoreUnavailable

    path = tmp_path / "store.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute(  # a store another process created and is still writing its first rows to
        "CREATE TABLE docsense_schema (version INTEGER PRIMARY KEY, description TEXT NOT "
        "NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    writer.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, writer.rollback).start()
    started = time.monotonic()
    store = await SQLiteStorage.open(str(path))
    try:
        assert time.monotonic() - started >= 0.25  # it waited for the writer
        assert (await store.head()) == 0
    finally:
        await store.close()
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"

    # A writer that never finishes still gives the typed error, after busy_timeout.
    other = tmp_path / "held.db"
    holder = sqlite3.connect(other, isolation_level=None)
    holder.execute("CREATE TABLE docsense_schema (version INTEGER PRIMARY KEY)")
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="locked"):
        await SQLiteStorage.open(str(other), busy_timeout=0.5)
    assert time.monotonic() - started >= 0.45
    holder.rollback()
