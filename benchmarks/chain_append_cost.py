"""CPU cost per event of appends (the part the hash chain adds to), without fsync.

Run::

    .venv/bin/python benchmarks/chain_append_cost.py [POSTGRES_URL]
    PYTHONPATH=/path/to/older/src .venv/bin/python benchmarks/chain_append_cost.py  # before

Appends 10 events of about 300 bytes, then 10 more to the same stream, 300 times, to the
memory store and to ``sqlite:///:memory:?inline=1`` (SQLite without a file: no fsync, so the
figure is the CPU of encoding, hashing and inserting), and 100 times to PostgreSQL if a URL
is given; prints the median of 5 runs of the per-event median, in microseconds.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime

import docsense
from docsense.adapters.storage import open_storage
from docsense.ports import NewEvent

PAYLOAD = {
    "title": "Index methodology",
    "n": 12,
    "items": [{"k": "a" * 20, "v": 1.5}] * 4,
    "text": "x" * 120,
}


def _batch(size: int, now: datetime) -> list[NewEvent]:
    return [
        NewEvent(str(uuid.uuid4()), "Thing", 1, now, PAYLOAD, {"actor": "me"})
        for _ in range(size)
    ]


async def run(url: str, rounds: int, batch: int = 10) -> float:
    store = await open_storage(url)
    now = datetime.now(UTC)
    times = []
    for _ in range(rounds):
        stream = f"bench-{uuid.uuid4()}"
        first, second = _batch(batch, now), _batch(batch, now)
        started = time.perf_counter()
        await store.append(stream, first, 0)
        await store.append(stream, second, batch)
        times.append((time.perf_counter() - started) / (2 * batch))
    await store.close()
    return statistics.median(times) * 1e6


async def main() -> None:
    print(f"docsense from {docsense.__file__}")
    targets = [("memory://", 300), ("sqlite:///:memory:?inline=1", 300)]
    if len(sys.argv) > 1:
        targets.append((sys.argv[1], 100))
    for url, rounds in targets:
        runs = [await run(url, rounds) for _ in range(5)]
        shown = ", ".join(f"{r:.2f}" for r in runs)
        print(f"{url.split('?')[0]:<40} {statistics.median(runs):7.2f} µs/event ({shown})")


if __name__ == "__main__":
    asyncio.run(main())
