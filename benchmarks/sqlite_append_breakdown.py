"""Where a SQLite append's time goes: the store in each mode, and bare commits.

    python benchmarks/sqlite_append_breakdown.py [--appends 2000] [--runs 3]

Prints median microseconds per single-event append for: the store as an async caller
gets it by default (``auto``: a lone append commits on the event loop's thread while
commits are fast), the same store with ``?inline=0`` (every commit on the writer thread:
the hop there and back), with ``?inline=1`` (everything on the loop thread), and bare
``BEGIN IMMEDIATE; INSERT; COMMIT`` loops on the same connection settings
(``synchronous=FULL``, WAL) into three tables: a minimal one (the floor any adapter pays on
this disk), the table ``eventsourcing`` 9.5's SQLite application recorder creates (rowid plus
one unique index on stream and version), and docsense's own events table as its migrations
create it (rowid, a unique event id, a unique stream and version: idempotent re-appends
need the event id). The last two are the floors of the two libraries' appends. The runs
of each row alternate with the other rows', so that a busy disk slows them alike.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from docsense.adapters.storage import open_storage
from docsense.adapters.storage.migrations import SQLITE_MIGRATIONS
from docsense.testing import new_event

_PAYLOAD = "x" * 300


@dataclass(frozen=True)
class _Table:
    """A table for the bare-commit loop: how to create it, its INSERT, and a fresh row."""

    schema: tuple[str, ...]
    insert: str
    row: Callable[[], tuple[object, ...]]


_TABLES = {
    "bare commit": _Table(
        ("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)",),
        "INSERT INTO t VALUES (?, ?)",
        lambda: (str(uuid.uuid4()), _PAYLOAD),
    ),
    "bare, es table": _Table(
        (
            "CREATE TABLE stored_events (notification_id INTEGER PRIMARY KEY, "
            "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB)",
            "CREATE UNIQUE INDEX stored_events_idx "
            "ON stored_events (originator_id, originator_version)",
        ),
        "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
        "VALUES (?, ?, ?, ?)",
        lambda: (uuid.uuid4().hex, 1, "docsense.bench:Event", _PAYLOAD),
    ),
    "bare, docsense": _Table(
        tuple(s for m in SQLITE_MIGRATIONS for s in m.statements),
        "INSERT INTO docsense_events (event_id, event_type, schema_version, stream_id, "
        "stream_version, occurred_at, payload, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        lambda: (
            str(uuid.uuid4()), "BenchEvent", 1, f"s-{uuid.uuid4()}", 1,
            "2026-11-26T10:00:00+00:00", _PAYLOAD, "{}",
        ),
    ),
}


async def store_append(url: str, n: int) -> float:
    store = await open_storage(url)
    try:
        events = [new_event(i) for i in range(n)]
        start = time.perf_counter()
        for event in events:
            await store.append(f"s-{uuid.uuid4()}", [event], 0)
        return (time.perf_counter() - start) / n * 1e6
    finally:
        await store.close()


def bare_commit(path: str, n: int, table: _Table) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for statement in table.schema:
        conn.execute(statement)
    rows = [table.row() for _ in range(n)]
    start = time.perf_counter()
    for row in rows:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(table.insert, row)
        conn.execute("COMMIT")
    conn.close()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    stores = {"auto store": "", "thread store": "?inline=0", "inline store": "?inline=1"}
    rows: dict[str, list[float]] = {name: [] for name in [*stores, *_TABLES]}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            for i, (name, query) in enumerate(stores.items()):
                url = f"sqlite:///{tmp}/store{i}-{run}.db{query}"
                rows[name].append(asyncio.run(store_append(url, args.appends)))
            for i, (name, table) in enumerate(_TABLES.items()):
                rows[name].append(bare_commit(f"{tmp}/bare{i}-{run}.db", args.appends, table))
    for name, values in rows.items():
        print(f"{name:15} {statistics.median(values):8.0f} µs/append (median of {args.runs})")


if __name__ == "__main__":
    main()
