"""Where a SQLite append's time goes: store call (thread hop), inline, bare commit.

    python benchmarks/sqlite_append_breakdown.py [--appends 400] [--runs 3]

Prints median microseconds per single-event append for: the default store (a worker
thread), the same store with ``?inline=1`` (event loop thread), and a bare
``BEGIN IMMEDIATE; INSERT; COMMIT`` on the same connection settings (``synchronous=FULL``,
WAL): the floor any adapter pays on this disk.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
import uuid

from docsense.adapters.storage import open_storage
from docsense.testing import new_event


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


def bare_commit(path: str, n: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)")
    start = time.perf_counter()
    for _ in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?, ?)", (str(uuid.uuid4()), "x" * 300))
        conn.execute("COMMIT")
    conn.close()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appends", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows: dict[str, list[float]] = {"threaded store": [], "inline store": [], "bare commit": []}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            rows["threaded store"].append(
                asyncio.run(store_append(f"sqlite:///{tmp}/a{run}.db", args.appends))
            )
            rows["inline store"].append(
                asyncio.run(store_append(f"sqlite:///{tmp}/b{run}.db?inline=1", args.appends))
            )
            rows["bare commit"].append(bare_commit(f"{tmp}/c{run}.db", args.appends))
    for name, values in rows.items():
        print(f"{name:15} {statistics.median(values):8.0f} µs/append (median of {args.runs})")


if __name__ == "__main__":
    main()
