"""Event-store benchmark: docsense's storage adapters against ``eventsourcing`` 9.5.

Run (needs PostgreSQL 15 at 127.0.0.1:5432, trust auth, database ``test`` or the one named by
``DOCSENSE_BENCH_POSTGRES_DB``)::

    .venv/bin/python benchmarks/event_store.py            # full run, about 2-3 minutes
    .venv/bin/python benchmarks/event_store.py --quick    # smoke run, about 30 seconds

What is compared, and why this is like for like
------------------------------------------------
docsense's ``EventStore`` port takes events whose payload is a JSON-ready ``dict`` and returns
them decoded; it does not know the domain classes (``Repository`` + ``EventMapper`` do that).
The matching layer of ``eventsourcing`` is its *recorder* (``SQLiteApplicationRecorder`` /
``PostgresApplicationRecorder``, built on ``SQLiteDatastore`` / ``PostgresDatastore``), which
stores ``StoredEvent(originator_id, originator_version, topic, state: bytes)`` and keeps the
global "notification" order. So the append, concurrency, raw-read and ``read_all`` rows use
the recorders, and the eventsourcing side pays for the same JSON work docsense does inside
its adapter: ``json.dumps(payload).encode()`` per event on append, ``json.loads(state)`` per
event on read. Every event carries the same ~300-byte JSON payload on both sides.

The aggregate rows ("Repository.load ...") compare each library's full load path, because
that is where snapshots live in eventsourcing (``Application`` with
``IS_SNAPSHOTTING_ENABLED``, ``take_snapshot``, ``repository.get``): docsense's
``Repository.load(Document)`` (upload + convert + N exports) against
``Application.repository.get`` of a ``Ledger`` aggregate of the same shape (created + N
exports, each export appended to a list in the state, as ``Document.state.exports`` is).
The domain classes differ, so read these rows as "the whole stack", not byte-for-byte.

Durability and ordering are the same on both sides: SQLite files live in one temporary
directory on the same disk, both in WAL mode with ``synchronous=FULL`` (docsense sets it;
it is also SQLite's default, which eventsourcing keeps); PostgreSQL is the same server with
``synchronous_commit=on``. Both keep a gap-free global order: eventsourcing by
``LOCK TABLE ... IN EXCLUSIVE MODE`` on every append, docsense by ordering on
``(tx_id, seq)`` below the snapshot's xmin (no table lock; see ``postgres.py``).

Writers: "1 ev/txn" appends to streams of 10 events (one stream creation per 10 appends);
"10 ev/txn" creates a new 10-event stream per append. Stream ids are random on both sides
(eventsourcing's originator UUIDs; docsense's ``bench-<uuid>``, as docsense names
aggregates), and so are docsense's event ids unless ``--ids uuid7``. With 8 PostgreSQL
writers, docsense runs 8 asyncio tasks sharing **one** ``PostgresStorage`` whose asyncpg pool has 8
connections (how an application would use it); eventsourcing runs 8 threads, each with its
own ``PostgresDatastore`` (pool of one connection) and recorder, as it is synchronous.

Every throughput figure is the median of many short timed repetitions (20 x 0.25 s in a full
run); every latency figure is the median of many single loads. Repetitions and samples
alternate across the five columns, in an order shuffled every round (a fixed order would
always start one column while the previous one's disk work, such as PostgreSQL's flushes,
is still running), so background load on a shared machine (a disk whose fsyncs go from 0.1
to 5 ms within seconds when other work runs) hits both libraries alike; the 1-minute load
average is printed at start and end.

SQLite with 8 writers: 8 asyncio tasks on one docsense store (their appends share commits:
group commit). Its goal compares it with eventsourcing's *single* writer, the rate an
application gets from eventsourcing on one file.
"speedup" = docsense / eventsourcing for events/s and eventsourcing / docsense for ms, so
above 1 always means docsense is faster.

PostgreSQL isolation: docsense writes to schema ``bench_ds_<pid>`` (``?schema=``) and
eventsourcing to schema ``bench_es_<pid>`` (``POSTGRES_SCHEMA``); both are dropped at the
end, also after an error. The SQLite files are deleted with their temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from docsense.adapters.storage import open_storage
from docsense.application.ids import new_id
from docsense.application.repository import Repository
from docsense.domain.documents import Document
from docsense.domain.events import CommandContext, EventMetadata
from docsense.domain.ir import Section, SemanticIR
from docsense.ports import NewEvent, Storage

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
PG_DB = os.environ.get("DOCSENSE_BENCH_POSTGRES_DB", "test")
PG_DSN = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}"

TOPIC = "benchmarks.event_store:Recorded"
EVENT_TYPE = "BenchRecorded"
WARMUP = -10  # op index of the untimed warm-up call: stream "-1", version 0

COLUMNS = ("ds_mem", "ds_sqlite", "es_sqlite", "ds_pg", "es_pg")
HEADERS = {
    "ds_mem": "docsense memory",
    "ds_sqlite": "docsense sqlite",
    "es_sqlite": "eventsourcing sqlite",
    "ds_pg": "docsense postgres",
    "es_pg": "eventsourcing postgres",
}


# --- workload ----------------------------------------------------------------------------


def make_payload(size: int = 300) -> dict[str, Any]:
    """A realistic-looking JSON object whose compact encoding is exactly ``size`` bytes."""
    payload: dict[str, Any] = {
        "filename": "policies/index-methodology-2026.pdf",
        "media_type": "application/pdf",
        "size": 482113,
        "sha256": "9f2c" * 16,
        "version": {"major": 1, "minor": 3},
        "note": "",
    }
    payload["note"] = "x" * (size - len(_dumps(payload)))
    assert len(_dumps(payload)) == size
    return payload


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


PAYLOAD = make_payload()


@dataclass(frozen=True)
class Config:
    quick: bool
    seconds: float  # length of one timed throughput repetition
    repeats: int  # timed repetitions per throughput cell
    samples_small: int  # single loads of a 10-event aggregate
    samples_big: int  # single loads of a 2,000-event aggregate
    big: int  # events in the "big" aggregate
    read_all_events: int  # events added before the read_all measure
    read_all_passes: int
    writers: int


SQLITE_MODES = {"auto": "", "thread": "?inline=0", "inline": "?inline=1"}
SQLITE_QUERY = ""  # the URL query of --sqlite-mode

FULL = Config(False, 0.25, 20, 60, 15, 2000, 20_000, 5, 8)
QUICK = Config(True, 0.1, 4, 10, 3, 2000, 5_000, 2, 8)


def ctx() -> CommandContext:
    return CommandContext(
        now=lambda: datetime.now(UTC),
        new_id=lambda: str(uuid.uuid4()),
        metadata=EventMetadata(actor="bench", correlation_id="bench"),
    )


# --- eventsourcing application (aggregate-level rows) -------------------------------------


class Ledger(Aggregate):
    """The eventsourcing counterpart of a Document: created, then exported N times."""

    @event("Created")
    def __init__(self, title: str) -> None:
        self.title = title
        self.exports: list[dict[str, Any]] = []

    @event("Exported")
    def export(self, format: str, version: dict[str, int], at: str) -> None:
        self.exports.append({"format": format, "version": version, "exported_at": at})


class LedgerApp(Application[uuid.UUID]):
    pass


def es_app_env(kind: str, *, snapshots: bool, sqlite_path: str, es_schema: str) -> dict[str, str]:
    env = {"IS_SNAPSHOTTING_ENABLED": "y" if snapshots else "n"}
    if kind == "sqlite":
        env |= {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": sqlite_path}
    else:
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": PG_DB,
            "POSTGRES_HOST": PG_HOST,
            "POSTGRES_PORT": str(PG_PORT),
            "POSTGRES_USER": PG_USER,
            "POSTGRES_PASSWORD": "",
            "POSTGRES_SCHEMA": es_schema,
        }
    return env


# --- timing helpers -------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


async def rate_async(op: Callable[[int], Awaitable[int]], seconds: float) -> float:
    """Run ``op(i)`` (returns events written) until ``seconds`` pass; return events/s."""
    await op(WARMUP)  # untimed, its own stream
    events = 0
    i = 0
    start = time.perf_counter()
    while True:
        events += await op(i)
        i += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and i >= 10:
            return events / elapsed


def rate_sync(op: Callable[[int], int], seconds: float) -> float:
    op(WARMUP)
    events = 0
    i = 0
    start = time.perf_counter()
    while True:
        events += op(i)
        i += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and i >= 10:
            return events / elapsed


async def elapsed_ms(op: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await op()
    return (time.perf_counter() - start) * 1000


# --- docsense operations --------------------------------------------------------------------


def uuid4_id() -> str:
    """A random id (what docsense gave events and aggregates before time-ordered ids)."""
    return str(uuid.uuid4())


def uuid7_id() -> str:
    """A time-ordered id (UUID version 7): what docsense's application gives them now."""
    return new_id()


NEW_ID: Callable[[], str] = uuid7_id  # --ids


def ds_events(n: int) -> list[NewEvent]:
    now = datetime.now(UTC)
    return [NewEvent(NEW_ID(), EVENT_TYPE, 1, now, PAYLOAD) for _ in range(n)]


def ds_append_op(store: Storage, batch: int) -> Callable[[int], Awaitable[int]]:
    """Append ``batch`` events per call; streams hold 10 events (10 // batch appends each).

    Streams are named as docsense names aggregates (kind, then an id), so their keys are
    as random as eventsourcing's originator ids in :func:`es_append_op`.
    """
    per_stream = max(1, 10 // batch)
    current = [f"bench-{NEW_ID()}"]

    async def op(i: int) -> int:
        k = i % per_stream
        if k == 0:
            current[0] = f"bench-{NEW_ID()}"
        await store.append(current[0], ds_events(batch), k * batch)
        return batch

    return op


async def ds_append_rate(store: Storage, batch: int, cfg: Config) -> float:
    return await rate_async(ds_append_op(store, batch), cfg.seconds)


async def ds_concurrent_rate(store: Storage, cfg: Config) -> float:
    """``cfg.writers`` asyncio tasks on one store (its pool has that many connections)."""

    async def once() -> float:
        ops = [ds_append_op(store, 1) for _ in range(cfg.writers)]
        for op in ops:
            await op(WARMUP)
        deadline = time.perf_counter() + cfg.seconds
        counts = [0] * cfg.writers

        async def writer(w: int) -> None:
            i = 0
            while time.perf_counter() < deadline:
                counts[w] += await ops[w](i)
                i += 1

        start = time.perf_counter()
        await asyncio.gather(*(writer(w) for w in range(cfg.writers)))
        return sum(counts) / (time.perf_counter() - start)

    return await once()


async def ds_fill(store: Storage, total: int, batch: int = 100) -> None:
    prefix = uuid.uuid4().hex[:12]
    for k in range(total // batch):
        await store.append(f"fill-{prefix}-{k}", ds_events(batch), 0)


async def ds_read_all_rate(store: Storage, cfg: Config) -> float:
    async def once() -> float:
        after, events = 0, 0
        start = time.perf_counter()
        while True:
            page = await store.read_all(after, 1000)
            events += len(page)
            if len(page) < 1000:
                break
            after = page[-1].position
        return events / (time.perf_counter() - start)

    return await once()


async def ds_build_document(store: Storage, n_events: int) -> str:
    """Save a Document of ``n_events`` events (upload, convert, exports); snapshot it."""
    repo = Repository(store, store, snapshot_every=0)
    c = ctx()
    doc = Document.upload(
        c,
        filename="policies/index.pdf",
        media_type="application/pdf",
        size=482113,
        sha256="9f2c" * 16,
    )
    markdown = "# Index rules\n\nThe index is capped at 10% per constituent.\n"
    sections = (Section(id="s1", heading="Index rules", level=1, start=0, end=len(markdown)),)
    doc.convert(
        c,
        markdown=markdown,
        sections=sections,
        ir=SemanticIR(sections=sections),
        converter="pdf",
        page_count=1,
    )
    await repo.save(doc)
    while doc.version < n_events:
        for _ in range(min(200, n_events - doc.version)):
            doc.export(c, format="md")
        await repo.save(doc)
    return doc.id


# --- eventsourcing operations --------------------------------------------------------------


def es_stored(oid: uuid.UUID, first_version: int, n: int) -> list[StoredEvent]:
    return [
        StoredEvent(
            originator_id=oid,
            originator_version=first_version + j,
            topic=TOPIC,
            state=_dumps(PAYLOAD).encode(),
        )
        for j in range(n)
    ]


def es_append_op(recorder: Any, batch: int) -> Callable[[int], int]:
    per_stream = max(1, 10 // batch)
    current: list[uuid.UUID] = [uuid.uuid4()]

    def op(i: int) -> int:
        k = i % per_stream
        if k == 0:
            current[0] = uuid.uuid4()
        recorder.insert_events(es_stored(current[0], k * batch + 1, batch))
        return batch

    return op


def es_append_rate(recorder: Any, batch: int, cfg: Config) -> float:
    return rate_sync(es_append_op(recorder, batch), cfg.seconds)


def es_concurrent_rate(recorders: list[Any], cfg: Config) -> float:
    """One thread per recorder; each recorder has its own one-connection datastore."""

    def once() -> float:
        ops = [es_append_op(r, 1) for r in recorders]
        counts = [0] * len(ops)
        barrier = threading.Barrier(len(ops) + 1)
        errors: list[BaseException] = []

        def writer(w: int) -> None:
            try:
                ops[w](WARMUP)
                barrier.wait()
                deadline = time.perf_counter() + cfg.seconds
                i = 0
                while time.perf_counter() < deadline:
                    counts[w] += ops[w](i)
                    i += 1
            except BaseException as exc:  # report, don't hang the barrier
                errors.append(exc)
                barrier.abort()

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(len(ops))]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return sum(counts) / (time.perf_counter() - start)

    return once()


def es_fill(recorder: Any, total: int, batch: int = 100) -> None:
    for _ in range(total // batch):
        recorder.insert_events(es_stored(uuid.uuid4(), 1, batch))


def es_read_all_rate(recorder: Any, cfg: Config) -> float:
    def once() -> float:
        after, events = 0, 0
        start = time.perf_counter()
        while True:
            page = recorder.select_notifications(after, 1000, inclusive_of_start=False)
            for n in page:
                json.loads(n.state)
            events += len(page)
            if len(page) < 1000:
                break
            after = page[-1].id
        return events / (time.perf_counter() - start)

    return once()


def es_read_stream(recorder: Any, oid: uuid.UUID) -> int:
    return len([json.loads(s.state) for s in recorder.select_events(oid)])


def es_build_ledger(app: Any, n_events: int) -> uuid.UUID:
    ledger = Ledger(title="index")
    app.save(ledger)
    while ledger.version < n_events:
        for _ in range(min(200, n_events - ledger.version)):
            ledger.export("md", {"major": 1, "minor": 0}, datetime.now(UTC).isoformat())
        app.save(ledger)
    oid: uuid.UUID = ledger.id
    return oid


# --- the table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    unit: str  # "ev/s" (higher is better) or "ms" (lower is better)


ROWS = (
    Row("append1", "append 1 ev/txn, 1 writer", "ev/s"),
    Row("append10", "append 10 ev/txn, 1 writer", "ev/s"),
    Row("append1_8w", "append 1 ev/txn, 8 writers", "ev/s"),
    Row("raw10", "read_stream, 10 events", "ms"),
    Row("agg10", "Repository.load, 10 events", "ms"),
    Row("raw2000", "read_stream, 2,000 events", "ms"),
    Row("agg2000", "Repository.load, 2,000 ev, no snapshot", "ms"),
    Row("agg2000s", "Repository.load, 2,000 ev, snapshot@2000", "ms"),
    Row("read_all", "read_all, pages of 1,000", "ev/s"),
)

Results = dict[tuple[str, str], float]


def speedup(results: Results, row: Row, ds: str, es: str) -> float | None:
    a, b = results.get((row.key, ds)), results.get((row.key, es))
    if a is None or b is None or a <= 0 or b <= 0:
        return None
    return a / b if row.unit == "ev/s" else b / a


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ev/s":
        return f"{value:,.0f}"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def print_table(results: Results) -> None:
    headers = [
        "measure",
        "unit",
        HEADERS["ds_mem"],
        HEADERS["ds_sqlite"],
        HEADERS["es_sqlite"],
        "sqlite speedup",
        HEADERS["ds_pg"],
        HEADERS["es_pg"],
        "postgres speedup",
    ]
    lines = []
    for row in ROWS:
        get = results.get
        lines.append(
            [
                row.label,
                row.unit,
                fmt(get((row.key, "ds_mem")), row.unit),
                fmt(get((row.key, "ds_sqlite")), row.unit),
                fmt(get((row.key, "es_sqlite")), row.unit),
                fmt(speedup(results, row, "ds_sqlite", "es_sqlite"), "x"),
                fmt(get((row.key, "ds_pg")), row.unit),
                fmt(get((row.key, "es_pg")), row.unit),
                fmt(speedup(results, row, "ds_pg", "es_pg"), "x"),
            ]
        )
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *lines, strict=True)]

    def render(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return " | ".join([first, *rest])

    print(render(headers))
    print("-+-".join("-" * w for w in widths))
    for line in lines:
        print(render(line))
    print(
        "speedup: docsense/eventsourcing for ev/s, "
        "eventsourcing/docsense for ms (>1 = docsense faster)"
    )


def print_goals(results: Results) -> bool:
    rows = {r.key: r for r in ROWS}
    es_single = results.get(("append1", "es_sqlite"))
    ds_eight = results.get(("append1_8w", "ds_sqlite"))
    def vs_es(row: str, ds: str, es: str) -> float | None:
        return speedup(results, rows[row], ds, es)

    # (name, measured value, target, True if the value must be at least the target)
    goals: list[tuple[str, float | None, float, bool]] = [
        ("SQLite append 1 ev/txn >= 1.0x eventsourcing",
         vs_es("append1", "ds_sqlite", "es_sqlite"), 1.0, True),
        ("SQLite append 10 ev/txn >= 1.0x eventsourcing",
         vs_es("append10", "ds_sqlite", "es_sqlite"), 1.0, True),
        ("SQLite Repository.load of 10 events >= 1.0x eventsourcing",
         vs_es("agg10", "ds_sqlite", "es_sqlite"), 1.0, True),
        ("SQLite 8 writers (group commit) >= 3x eventsourcing's single writer",
         ds_eight / es_single if ds_eight and es_single else None, 3.0, True),
        ("Postgres 1 writer >= 2x eventsourcing",
         vs_es("append1", "ds_pg", "es_pg"), 2.0, True),
        ("Postgres 8 writers >= 5x eventsourcing (8 writers)",
         vs_es("append1_8w", "ds_pg", "es_pg"), 5.0, True),
        ("2,000-event aggregate with snapshot <= 5 ms (sqlite)",
         results.get(("agg2000s", "ds_sqlite")), 5.0, False),
        ("2,000-event aggregate with snapshot <= 5 ms (postgres)",
         results.get(("agg2000s", "ds_pg")), 5.0, False),
    ]  # fmt: skip
    print("\nGoals:")
    all_pass = True
    for name, value, target, at_least in goals:
        if value is None:
            print(f"  SKIP  {name}: not measured")
            continue
        ok = value >= target if at_least else value <= target
        all_pass &= ok
        shown = f"{value:.2f}x" if at_least else f"{value:.2f} ms"
        print(f"  {'PASS' if ok else 'MISS'}  {name}: {shown}")
    return all_pass


# --- subjects: one per column, measured in interleaved rounds ------------------------------


class Subject:
    """One column of the table. Each call measures one repetition or one sample."""

    col = ""
    concurrent = False

    async def append(self, batch: int) -> float:
        raise NotImplementedError

    async def append_concurrent(self) -> float:
        raise NotImplementedError

    async def prepare_loads(self) -> None:
        raise NotImplementedError

    def loaders(self) -> dict[str, Callable[[], Awaitable[object]]]:
        raise NotImplementedError

    async def fill(self, events: int) -> None:
        raise NotImplementedError

    async def read_all(self) -> float:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class DocsenseSubject(Subject):
    def __init__(self, col: str, store: Storage, cfg: Config, *, concurrent: bool) -> None:
        self.col = col
        self.store = store
        self.cfg = cfg
        self.concurrent = concurrent
        self.repo = Repository(store, store, snapshot_every=cfg.big)
        self.small = self.big = ""

    async def append(self, batch: int) -> float:
        return await ds_append_rate(self.store, batch, self.cfg)

    async def append_concurrent(self) -> float:
        return await ds_concurrent_rate(self.store, self.cfg)

    async def prepare_loads(self) -> None:
        self.small = await ds_build_document(self.store, 10)
        self.big = await ds_build_document(self.store, self.cfg.big)
        await self.repo.snapshot(await self.repo.load(Document, self.big, use_snapshot=False))
        loaded = await self.repo.load(Document, self.big)
        assert loaded.version == self.cfg.big

    def loaders(self) -> dict[str, Callable[[], Awaitable[object]]]:
        store, repo, small, big = self.store, self.repo, self.small, self.big
        return {
            "raw10": lambda: store.read_stream(small),
            "agg10": lambda: repo.load(Document, small),
            "raw2000": lambda: store.read_stream(big),
            "agg2000": lambda: repo.load(Document, big, use_snapshot=False),
            "agg2000s": lambda: repo.load(Document, big),
        }

    async def fill(self, events: int) -> None:
        await ds_fill(self.store, events)

    async def read_all(self) -> float:
        return await ds_read_all_rate(self.store, self.cfg)

    async def close(self) -> None:
        await self.store.close()


def _async(fn: Callable[[], object]) -> Callable[[], Awaitable[object]]:
    async def call() -> object:
        return fn()

    return call


class EventsourcingSubject(Subject):
    """Synchronous eventsourcing calls, run inline (nothing else runs meanwhile)."""

    def __init__(
        self,
        col: str,
        recorder: Any,
        writers: list[Any],
        apps: tuple[Any, Any],
        cfg: Config,
        closers: list[Callable[[], object]],
    ) -> None:
        self.col = col
        self.recorder = recorder
        self.writers = writers
        self.concurrent = bool(writers)
        self.app_plain, self.app_snap = apps
        self.cfg = cfg
        self.closers = closers
        self.small_raw = self.big_raw = self.small = self.big = uuid.UUID(int=0)

    async def append(self, batch: int) -> float:
        return es_append_rate(self.recorder, batch, self.cfg)

    async def append_concurrent(self) -> float:
        return es_concurrent_rate(self.writers, self.cfg)

    async def prepare_loads(self) -> None:
        self.small_raw = uuid.uuid4()
        self.recorder.insert_events(es_stored(self.small_raw, 1, 10))
        self.big_raw = uuid.uuid4()
        for k in range(self.cfg.big // 100):
            self.recorder.insert_events(es_stored(self.big_raw, k * 100 + 1, 100))
        self.small = es_build_ledger(self.app_plain, 10)
        self.big = es_build_ledger(self.app_plain, self.cfg.big)
        self.app_snap.take_snapshot(self.big)
        loaded = self.app_snap.repository.get(self.big)
        assert loaded.version == self.cfg.big
        assert len(loaded.exports) == self.cfg.big - 1

    def loaders(self) -> dict[str, Callable[[], Awaitable[object]]]:
        rec, plain, snap = self.recorder, self.app_plain, self.app_snap
        small_raw, big_raw, small, big = self.small_raw, self.big_raw, self.small, self.big
        return {
            "raw10": _async(lambda: es_read_stream(rec, small_raw)),
            "agg10": _async(lambda: plain.repository.get(small)),
            "raw2000": _async(lambda: es_read_stream(rec, big_raw)),
            "agg2000": _async(lambda: plain.repository.get(big)),
            "agg2000s": _async(lambda: snap.repository.get(big)),
        }

    async def fill(self, events: int) -> None:
        es_fill(self.recorder, events)

    async def read_all(self) -> float:
        return es_read_all_rate(self.recorder, self.cfg)

    async def close(self) -> None:
        for close in self.closers:
            close()


def log(msg: str) -> None:
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  [{time.strftime('%H:%M:%S')} load {load}] {msg}", file=sys.stderr, flush=True)


async def measure(subjects: list[Subject], cfg: Config, results: Results) -> None:
    """Measure every row, alternating the columns within each repetition or sample.

    Interleaving means a burst of background load hits every column alike instead of one
    column's whole block, so the ratios stay meaningful on a shared machine.
    """

    order = random.Random(15)  # the same shuffles in every run

    def shuffled(who: list[Subject]) -> list[Subject]:
        # A fixed order would always put one column right after another's disk activity
        # (PostgreSQL's flushes and checkpoints outlive its slice): shuffle every round.
        return order.sample(who, len(who))

    async def rounds(key: str, who: list[Subject], n: int, fn: str, *args: int) -> None:
        samples: dict[str, list[float]] = {s.col: [] for s in who}
        for _ in range(n):
            for s in shuffled(who):
                samples[s.col].append(await getattr(s, fn)(*args))
        for col, values in samples.items():
            results[(key, col)] = median(values)

    log("append 1 ev/txn")
    await rounds("append1", subjects, cfg.repeats, "append", 1)
    log("append 10 ev/txn")
    await rounds("append10", subjects, cfg.repeats, "append", 10)
    concurrent = [s for s in subjects if s.concurrent]
    if concurrent:
        log(f"append 1 ev/txn, {cfg.writers} writers")
        await rounds("append1_8w", concurrent, cfg.repeats, "append_concurrent")
    log("building aggregates and snapshots")
    for s in subjects:
        await s.prepare_loads()
    loaders = {s.col: s.loaders() for s in subjects}
    for key in ("raw10", "agg10", "raw2000", "agg2000", "agg2000s"):
        log(f"loads: {key}")
        n = cfg.samples_big if key in ("raw2000", "agg2000") else cfg.samples_small
        times: dict[str, list[float]] = {s.col: [] for s in subjects}
        for s in subjects:  # warm-up
            await loaders[s.col][key]()
        for _ in range(n):
            for s in shuffled(subjects):
                times[s.col].append(await elapsed_ms(loaders[s.col][key]))
        for col, values in times.items():
            results[(key, col)] = median(values)
    log(f"read_all: adding {cfg.read_all_events:,} events per store")
    for s in subjects:
        await s.fill(cfg.read_all_events)
    await rounds("read_all", subjects, cfg.read_all_passes, "read_all")


async def pg_execute(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def es_pg_recorder(schema: str) -> tuple[Any, Any]:
    """A recorder with its own datastore holding one connection."""
    datastore = PostgresDatastore(
        PG_DB, PG_HOST, PG_PORT, PG_USER, "", schema=schema, pool_size=1, max_overflow=0
    )
    recorder = PostgresApplicationRecorder(datastore, events_table_name="bench_events")
    recorder.create_table()
    return datastore, recorder


async def open_subjects(
    cfg: Config, tmp: str, es_schema: str, ds_schema: str, postgres: bool, subjects: list[Subject]
) -> None:
    """Open every column's stores into ``subjects`` (appended as opened, for cleanup)."""
    subjects.append(
        DocsenseSubject("ds_mem", await open_storage("memory://"), cfg, concurrent=False)
    )
    subjects.append(
        DocsenseSubject(
            "ds_sqlite",
            await open_storage(f"sqlite:///{tmp}/docsense.db{SQLITE_QUERY}"),
            cfg,
            concurrent=True,
        )
    )
    lite = SQLiteDatastore(f"{tmp}/es_recorder.db")
    lite_rec = SQLiteApplicationRecorder(lite, events_table_name="bench_events")
    lite_rec.create_table()
    lite_apps = tuple(
        LedgerApp(
            env=es_app_env("sqlite", snapshots=snap, sqlite_path=f"{tmp}/es_app.db", es_schema="")
        )
        for snap in (False, True)
    )
    subjects.append(
        EventsourcingSubject(
            "es_sqlite",
            lite_rec,
            [],
            (lite_apps[0], lite_apps[1]),
            cfg,
            [lite.close, lite_apps[0].close, lite_apps[1].close],
        )
    )
    if not postgres:
        return
    pg = await open_storage(f"{PG_DSN}?schema={ds_schema}", pool_size=cfg.writers)
    subjects.append(DocsenseSubject("ds_pg", pg, cfg, concurrent=True))
    await pg_execute(f'CREATE SCHEMA "{es_schema}"')
    closers: list[Callable[[], object]] = []
    es_pg = EventsourcingSubject("es_pg", None, [], (None, None), cfg, closers)
    subjects.append(es_pg)
    datastore, es_pg.recorder = es_pg_recorder(es_schema)
    closers.append(datastore.close)
    for _ in range(cfg.writers):
        datastore, recorder = es_pg_recorder(es_schema)
        closers.append(datastore.close)
        es_pg.writers.append(recorder)
    es_pg.concurrent = True
    for snap in (False, True):
        app = LedgerApp(
            env=es_app_env("postgres", snapshots=snap, sqlite_path="", es_schema=es_schema)
        )
        closers.append(app.close)
        if snap:
            es_pg.app_snap = app
        else:
            es_pg.app_plain = app


async def run(cfg: Config, postgres: bool) -> Results:
    results: Results = {}
    pid = os.getpid()
    ds_schema, es_schema = f"bench_ds_{pid}", f"bench_es_{pid}"
    subjects: list[Subject] = []
    with tempfile.TemporaryDirectory(prefix="docsense-bench-") as tmp:
        log(f"SQLite files in {tmp}")
        try:
            await open_subjects(cfg, tmp, es_schema, ds_schema, postgres, subjects)
            await measure(subjects, cfg, results)
        finally:
            for s in reversed(subjects):
                await s.close()
            if postgres:
                for schema in (ds_schema, es_schema):
                    await pg_execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                log("dropped the PostgreSQL schemas")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short smoke run")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--sqlite-mode",
        choices=sorted(SQLITE_MODES),
        default="auto",
        help="where docsense's SQLite calls run: auto (the default of an async store), "
        "thread (?inline=0: never on the event loop) or inline (?inline=1: the sync facade)",
    )
    parser.add_argument(
        "--sqlite-inline", action="store_true", help="the same as --sqlite-mode inline"
    )
    parser.add_argument(
        "--ids",
        choices=("uuid4", "uuid7"),
        default="uuid7",
        help="docsense's event and stream ids: uuid7 (time-ordered, what docsense uses) or "
        "uuid4 (random, as before); eventsourcing's are uuid4 either way",
    )
    args = parser.parse_args(argv)
    global SQLITE_QUERY, NEW_ID
    NEW_ID = uuid7_id if args.ids == "uuid7" else uuid4_id
    mode = "inline" if args.sqlite_inline else args.sqlite_mode
    SQLITE_QUERY = SQLITE_MODES[mode]
    cfg = QUICK if args.quick else FULL
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    results = asyncio.run(run(cfg, not args.no_postgres))
    print(
        f"\ndocsense vs eventsourcing 9.5: {'quick' if cfg.quick else 'full'} run, "
        f"{cfg.repeats} x {cfg.seconds:g} s per throughput cell (columns interleaved), "
        f"payload {len(_dumps(PAYLOAD))} bytes JSON, {os.cpu_count()} CPUs, "
        f"docsense sqlite mode {mode}{' (default)' if mode == 'auto' else ''}, "
        f"docsense ids {args.ids}, "
        f"{time.perf_counter() - started:.0f} s, "
        f"1-min load average {load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end\n"
    )
    print_table(results)
    print_goals(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
