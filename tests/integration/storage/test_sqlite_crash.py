"""SQLite crash safety: SIGKILL a process mid-append loop, then check the file.

Every append the writer reported as committed must be present, no batch may be partially
present, and the database must pass ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from docsense.adapters.storage.sqlite import SQLiteStorage

WRITER = r"""
import asyncio, sys, uuid, datetime
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.ports import NewEvent

async def write(store, task):
    versions = {}
    n = 0
    while True:
        stream = f"thing-{task}-{n % 7}"
        batch = str(uuid.uuid4())
        events = [
            NewEvent(str(uuid.uuid4()), "ThingHappened", 1,
                     datetime.datetime.now(datetime.timezone.utc),
                     {"batch": batch, "i": i, "pad": "x" * 2000}, {})
            for i in range(3)
        ]
        await store.append(stream, events, versions.get(stream, 0))
        versions[stream] = versions.get(stream, 0) + 3
        print(batch, flush=True)
        n += 1

async def main(path, tasks):
    store = await SQLiteStorage.open(path)
    # Several tasks: their appends share commits (group commit); each is printed only
    # once the store has answered it.
    await asyncio.gather(*(write(store, t) for t in range(tasks)))

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


@pytest.mark.slow
@pytest.mark.parametrize("tasks", [1, 8])
def test_sigkill_mid_append_loses_no_reported_commit_and_no_batch_is_partial(
    tmp_path: Path, tasks: int
) -> None:
    db = tmp_path / "crash.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(tasks)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    reported: list[str] = []
    deadline = time.monotonic() + 30
    while len(reported) < 150 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        reported.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert len(reported) >= 150, proc.stderr.read() if proc.stderr else "writer died"

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT payload FROM docsense_events").fetchall()
    finally:
        conn.close()
    batches: dict[str, set[int]] = defaultdict(set)
    for (payload,) in rows:
        data = json.loads(payload)
        batches[data["batch"]].add(data["i"])
    missing = [b for b in reported if b not in batches]
    assert missing == [], f"{len(missing)} reported commits lost"
    partial = {b: sorted(i) for b, i in batches.items() if i != {0, 1, 2}}
    assert partial == {}, f"partially stored batches: {partial}"

    async def reopen_and_append() -> int:
        store = await SQLiteStorage.open(db)
        try:
            return len(await store.read_all(0, limit=100_000))
        finally:
            await store.close()

    assert asyncio.run(reopen_and_append()) == len(rows)
