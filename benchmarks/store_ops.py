"""Dump / restore / verify benchmark: one million events through SQLite and PostgreSQL.

Run (needs PostgreSQL at 127.0.0.1:5432, trust auth; database ``test`` or the one named by
``DOCSENSE_BENCH_POSTGRES_DB``)::

    .venv/bin/python benchmarks/store_ops.py                 # 1,000,000 events
    .venv/bin/python benchmarks/store_ops.py --events 50000  # a quick run

Steps, each timed on its own:

1. write a dump file of N synthetic events (100,000 streams of 10 events for N = 1M, about
   300 bytes of JSON payload each, every hash computed) with the dump writer itself;
2. ``restore`` it into a new SQLite file, then ``dump`` that file;
3. ``restore`` the SQLite dump into a new PostgreSQL schema, then ``dump`` that schema;
4. ``verify`` both stores;
5. check that the two dumps hold the same events in the same order (positions aside).

Rates are events per second of wall time. The peak resident memory (``ru_maxrss``) is
printed after each step: a dump streams page by page, so it should not grow with N.
The SQLite file, the dumps and the PostgreSQL schema are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import platform
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from docsense.adapters.storage import open_storage
from docsense.adapters.storage._chain import GENESIS, link, recorded_digest
from docsense.application import store_ops
from docsense.application.store_ops import _event_line, _Writer
from docsense.ports import ChainedEvent, RecordedEvent

PAYLOAD_TEXT = "The index is rebalanced quarterly; constituents are weighted by free float. "


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, events: int, per_stream: int = 10) -> float:
    """Write a dump of ``events`` events (round-robin over streams, like a busy store)."""
    started = time.perf_counter()
    writer = _Writer(path)
    writer.write(
        [json.dumps({"docsense_dump": 1, "kind": "dump", "created_at": "now", "source": "gen"})]
    )
    streams = events // per_stream
    heads = [GENESIS] * streams
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    page: list[str] = []
    position = 0
    for version in range(1, per_stream + 1):
        for s in range(streams):
            position += 1
            stream_id = f"document-{uuid.UUID(int=s)}"
            payload = {
                "n": position,
                "title": f"Methodology {s}",
                "text": PAYLOAD_TEXT * 2,
                "weights": [0.25, 0.5, 0.125, 0.125],
                "version": {"major": 1, "minor": version},
            }
            metadata = {"actor": "bench", "correlation_id": f"c-{position}"}
            event = RecordedEvent(
                event_id=str(uuid.UUID(int=position)),
                event_type="DocumentExported",
                schema_version=1,
                stream_id=stream_id,
                stream_version=version,
                position=position,
                occurred_at=t0 + timedelta(milliseconds=position),
                payload=payload,
                metadata=metadata,
            )
            digest = recorded_digest(
                stream_id, version, event.event_type, 1, event.event_id, payload, metadata
            )
            heads[s] = link(heads[s], digest)
            page.append(_event_line(ChainedEvent(event, heads[s])))
            if len(page) == 1000:
                writer.write(page)
                page = []
    writer.write(page)
    writer.finish({"events": position, "blobs": 0, "sha256": writer.sha.hexdigest()})
    return time.perf_counter() - started


def _content(path: Path) -> str:
    """SHA-256 of the dump's event records without their positions, in file order."""
    h = hashlib.sha256()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if "event_id" in record:
                record.pop("position")
                h.update(json.dumps(record, sort_keys=True).encode() + b"\n")
    return h.hexdigest()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    db = os.environ.get("DOCSENSE_BENCH_POSTGRES_DB", "test")
    schema = f"bench_ops_{os.getpid()}"
    pg_url = f"postgresql://postgres@127.0.0.1:5432/{db}?schema={schema}"
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "generated.jsonl.gz"
        seconds = generate(source, args.events)
        print(f"generate {args.events:,} events: {seconds:.1f} s, "
              f"{source.stat().st_size / 1e6:.0f} MB gzip, rss {_rss_mb():.0f} MB", flush=True)

        rows: list[tuple[str, int, float]] = []

        async def step(name: str, work: object) -> object:
            started = time.perf_counter()
            result = await work  # type: ignore[misc]
            elapsed = time.perf_counter() - started
            events = getattr(result, "events", 0)
            rows.append((name, events, elapsed))
            print(f"{name:<28} {events:>10,} events {elapsed:8.1f} s "
                  f"{events / elapsed:>10,.0f} ev/s  rss {_rss_mb():.0f} MB "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
            return result

        sqlite = await open_storage(f"sqlite:///{folder / 'bench.db'}?inline=0")
        try:
            await step("restore -> SQLite", store_ops.restore(sqlite, source))
            await step("dump SQLite", store_ops.dump(sqlite, folder / "sqlite.jsonl.gz"))
            await step("verify SQLite", store_ops.verify(sqlite))
        finally:
            await sqlite.close()
        postgres = await open_storage(pg_url)
        try:
            dumped = folder / "sqlite.jsonl.gz"
            await step("restore -> PostgreSQL", store_ops.restore(postgres, dumped))
            await step("dump PostgreSQL", store_ops.dump(postgres, folder / "pg.jsonl.gz"))
            await step("verify PostgreSQL", store_ops.verify(postgres))
        finally:
            await postgres.close()
            import asyncpg

            conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{db}")
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            await conn.close()
        same = _content(folder / "sqlite.jsonl.gz") == _content(folder / "pg.jsonl.gz")
        print(f"SQLite and PostgreSQL dumps hold the same events in the same order: {same}")


if __name__ == "__main__":
    asyncio.run(main())
