"""Tamper evidence: ``verify`` finds every edit made to the database behind docsense's back.

Each test stores the same events in a real SQLite file or a real PostgreSQL schema, edits the
database directly (as someone with database access would), and checks that
:func:`docsense.application.store_ops.verify` reports the first broken link with its stream
and version, while an untouched store passes.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

import docsense
from docsense.adapters.storage import open_storage
from docsense.adapters.storage.migrations import POSTGRES_MIGRATIONS
from docsense.adapters.storage.postgres import PostgresStorage
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.application.store_ops import verify
from docsense.errors import ConcurrencyConflict
from docsense.ports import NewEvent, Storage

FIXTURE = Path(__file__).parent / "data" / "store-schema4.db"

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _event(stream: int, version: int) -> NewEvent:
    return NewEvent(
        event_id=f"00000000-0000-7000-8000-{stream:06d}{version:06d}",
        event_type="ThingHappened",
        schema_version=1,
        occurred_at=T0,
        payload={
            "text": f"hello world {stream}/{version}",
            "unicode": "Zürich \u2013 東京",
            "nested": {"b": [1, 2.5, None, True], "a": {"z": "y"}},
            "big": 1e20,
            "small": 1.25e-7,
        },
        metadata={"actor": "alice", "correlation_id": f"corr-{stream}-{version}"},
    )


async def _fill(store: Storage) -> None:
    for stream in range(3):
        for version in range(1, 6, 2):  # batches of two, then one
            size = 2 if version < 5 else 1
            events = [_event(stream, version + i) for i in range(size)]
            await store.append(f"thing-{stream}", events, version - 1)


@dataclass
class Database:
    """A store and a raw connection to the database under it."""

    kind: str
    store: Storage
    raw: Any

    async def execute(self, sqlite_sql: str, postgres_sql: str, *params: Any) -> None:
        if self.kind == "sqlite":
            self.raw.execute(sqlite_sql, params)
        else:
            await self.raw.execute(postgres_sql, *params)

    async def fetchval(self, sqlite_sql: str, postgres_sql: str, *params: Any) -> Any:
        if self.kind == "sqlite":
            return self.raw.execute(sqlite_sql, params).fetchone()[0]
        return await self.raw.fetchval(postgres_sql, *params)


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest_asyncio.fixture
async def database(store_url: str) -> AsyncIterator[Database]:
    store = await open_storage(store_url)
    raw: Any
    if store_url.startswith("sqlite"):
        raw = sqlite3.connect(store_url.removeprefix("sqlite:///"), isolation_level=None)
        kind = "sqlite"
    else:
        dsn, _, schema = store_url.partition("?schema=")
        raw = await asyncpg.connect(dsn, server_settings={"search_path": schema})
        kind = "postgres"
    try:
        await _fill(store)
        yield Database(kind, store, raw)
    finally:
        if kind == "sqlite":
            raw.close()
        else:
            await raw.close()
        await store.close()


async def _one_byte_changed(db: Database, column: str, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (same length but one byte) in thing-1 version 3's column."""
    assert len(old) == len(new)
    assert sum(a != b for a, b in zip(old, new, strict=True)) == 1
    text = await db.fetchval(
        f"SELECT {column} FROM docsense_events WHERE stream_id = ? AND stream_version = ?",
        f"SELECT {column}::text FROM ds_events WHERE stream_id = $1 AND stream_version = $2",
        "thing-1",
        3,
    )
    assert old in text
    changed = text.replace(old, new, 1)
    await db.execute(
        f"UPDATE docsense_events SET {column} = ? WHERE stream_id = ? AND stream_version = ?",
        f"UPDATE ds_events SET {column} = $1::jsonb WHERE stream_id = $2 AND stream_version = $3",
        changed,
        "thing-1",
        3,
    )


async def test_an_untouched_store_passes(database: Database) -> None:
    report = await verify(database.store, digest=True)
    assert report.ok, report.first_break
    assert (report.events, report.streams, report.first_break) == (15, 3, None)
    assert report.digest is not None
    assert len(report.digest) == 64


async def test_the_stream_heads_digest_is_the_same_on_every_adapter(database: Database) -> None:
    memory = await open_storage("memory://")
    await _fill(memory)
    assert (await verify(memory, digest=True)).digest == (
        await verify(database.store, digest=True)
    ).digest


@pytest.mark.parametrize(
    ("column", "old", "new"),
    [
        ("payload", "hello world", "hellp world"),
        ("payload", "Zürich", "Zürici"),
        ("metadata", "alice", "alicf"),
        ("metadata", "corr-1-3", "corr-1-4"),
    ],
)
async def test_a_one_byte_change_to_a_payload_or_metadata_is_found(
    database: Database, column: str, old: str, new: str
) -> None:
    await _one_byte_changed(database, column, old, new)
    report = await verify(database.store)
    assert not report.ok
    assert report.first_break is not None
    assert (report.first_break.stream_id, report.first_break.stream_version) == ("thing-1", 3)
    assert "does not match its content" in report.first_break.problem


async def test_a_changed_event_type_or_hash_is_found(database: Database) -> None:
    await database.execute(
        "UPDATE docsense_events SET event_type = 'ThingHappenes' WHERE stream_id = ? "
        "AND stream_version = ?",
        "UPDATE ds_events SET event_type = 'ThingHappenes' WHERE stream_id = $1 "
        "AND stream_version = $2",
        "thing-2",
        4,
    )
    report = await verify(database.store)
    assert report.first_break is not None
    assert (report.first_break.stream_id, report.first_break.stream_version) == ("thing-2", 4)


async def test_a_deleted_event_is_found(database: Database) -> None:
    await database.execute(
        "DELETE FROM docsense_events WHERE stream_id = ? AND stream_version = ?",
        "DELETE FROM ds_events WHERE stream_id = $1 AND stream_version = $2",
        "thing-0",
        2,
    )
    report = await verify(database.store)
    assert report.first_break is not None
    assert (report.first_break.stream_id, report.first_break.stream_version) == ("thing-0", 3)
    assert "version 2 missing" in report.first_break.problem


async def test_a_deleted_last_event_changes_the_heads_digest(database: Database) -> None:
    before = await verify(database.store, digest=True)
    await database.execute(
        "DELETE FROM docsense_events WHERE stream_id = ? AND stream_version = ?",
        "DELETE FROM ds_events WHERE stream_id = $1 AND stream_version = $2",
        "thing-0",
        5,
    )
    after = await verify(database.store, digest=True)
    assert after.ok  # a shorter chain is still a chain ...
    assert after.digest != before.digest  # ... but not the one recorded before


async def test_a_reordered_pair_is_found(database: Database) -> None:
    # The two events swap places in their stream: versions 3 and 4 of thing-1 exchanged.
    for params in ((-3, 3), (3, 4), (4, -3)):
        await database.execute(
            "UPDATE docsense_events SET stream_version = ? WHERE stream_id = 'thing-1' "
            "AND stream_version = ?",
            "UPDATE ds_events SET stream_version = $1 WHERE stream_id = 'thing-1' "
            "AND stream_version = $2",
            *params,
        )
    report = await verify(database.store)
    assert report.first_break is not None
    assert report.first_break.stream_id == "thing-1"
    assert report.first_break.stream_version in (3, 4)


async def test_a_pair_swapped_in_the_global_order_is_found(tmp_path: Path) -> None:
    # SQLite: exchange the positions (rowids) of versions 2 and 3 of one stream.
    path = tmp_path / "store.db"
    store = await SQLiteStorage.open(path)
    try:
        await _fill(store)
        with sqlite3.connect(path, isolation_level=None) as raw:
            a, b = (
                raw.execute(
                    "SELECT position FROM docsense_events WHERE stream_id = 'thing-2' "
                    "AND stream_version = ?",
                    (v,),
                ).fetchone()[0]
                for v in (2, 3)
            )
            raw.execute("UPDATE docsense_events SET position = -1 WHERE position = ?", (a,))
            raw.execute("UPDATE docsense_events SET position = ? WHERE position = ?", (a, b))
            raw.execute("UPDATE docsense_events SET position = ? WHERE position = -1", (b,))
        report = await verify(store)
    finally:
        await store.close()
    assert report.first_break is not None
    assert (report.first_break.stream_id, report.first_break.stream_version) == ("thing-2", 3)
    assert "missing before it" in report.first_break.problem


async def test_appends_after_a_restart_continue_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = await SQLiteStorage.open(path)
    await _fill(store)
    await store.close()
    store = await SQLiteStorage.open(path)  # no remembered stream heads
    try:
        await store.append("thing-0", [_event(0, 6)], 5)
        assert (await verify(store)).ok
    finally:
        await store.close()


# --- migration: chains computed for events stored before tamper evidence -----------------


async def test_a_schema_4_sqlite_store_gets_chains_and_keeps_its_bytes(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, db)
    raw_sql = "SELECT event_id, CAST(payload AS BLOB), CAST(metadata AS BLOB) FROM {} ORDER BY 1"
    with sqlite3.connect(db) as conn:
        before = conn.execute(raw_sql.format("events")).fetchall()

    async with await docsense.aopen(f"sqlite:///{db}") as ds:
        [document] = await ds.documents()  # reads (and upcasts) old events
        await ds.history(document.id)
        report = await ds.verify()
        assert report.ok, report.first_break
        assert report.events == len(before) == 23

    with sqlite3.connect(db) as conn:
        assert conn.execute(raw_sql.format("docsense_events")).fetchall() == before
        hashes = [r[0] for r in conn.execute("SELECT hash FROM docsense_events")]
    assert all(len(h) == 64 for h in hashes)


@pytest.mark.postgres
async def test_a_postgres_schema_6_store_gets_chains(postgres_schema_url: str) -> None:
    old = await PostgresStorage.open(postgres_schema_url, migrations=POSTGRES_MIGRATIONS[:6])
    try:
        async with old._db.connection() as conn:
            for stream in range(2):
                events = [_event(stream, v) for v in range(1, 4)]
                await conn.fetch(
                    "SELECT * FROM ds_append($1, $2, $3, $4, $5, $6, $7, $8)",
                    f"thing-{stream}",
                    0,
                    [e.event_id for e in events],
                    [e.event_type for e in events],
                    [e.schema_version for e in events],
                    [e.occurred_at for e in events],
                    [docsense_json(e.payload) for e in events],
                    [docsense_json(e.metadata) for e in events],
                )
    finally:
        await old.close()

    current = await PostgresStorage.open(postgres_schema_url)
    try:
        assert await current.schema_version() == 7
        report = await verify(current)
        assert report.ok, report.first_break
        assert report.events == 6
        await current.append("thing-0", [_event(0, 4)], 3)
        assert (await verify(current)).ok
        memory = await open_storage("memory://")
        for stream in range(2):
            await memory.append(f"thing-{stream}", [_event(stream, v) for v in range(1, 4)], 0)
        await memory.append("thing-0", [_event(0, 4)], 3)
        assert (await verify(memory, digest=True)).digest == (
            await verify(current, digest=True)
        ).digest
    finally:
        await current.close()


def docsense_json(value: Any) -> str:
    import json

    return json.dumps(value)


# --- the chain under concurrency ------------------------------------------------------


async def test_appends_on_top_of_appends_not_yet_committed_chain_correctly(
    tmp_path: Path,
) -> None:
    store = await SQLiteStorage.open(tmp_path / "s.db", inline=False)
    try:
        results = await asyncio.gather(
            store.append("thing-0", [_event(0, 1), _event(0, 2)], 0),
            store.append("thing-0", [_event(0, 3)], 2),  # pipelined on the first
            store.append("thing-0", [_event(0, 4)], 3),
        )
        assert [len(r) for r in results] == [2, 1, 1]
        assert (await verify(store)).ok
    finally:
        await store.close()


async def test_an_append_is_stored_only_chained_to_the_event_actually_stored(
    tmp_path: Path,
) -> None:
    # Two stores (two processes' worth) on one file: the second believes a head that the
    # first replaced. Its append fails with a conflict instead of breaking the chain.
    path = tmp_path / "s.db"
    one, two = await SQLiteStorage.open(path), await SQLiteStorage.open(path)
    try:
        await one.append("thing-0", [_event(0, 1)], 0)
        await two.read_stream("thing-0")  # two remembers version 1's hash
        two._heads["thing-0"] = (1, "f" * 64)  # as if it had seen another version 1
        with pytest.raises(ConcurrencyConflict):
            await two.append("thing-0", [_event(0, 2)], 1)
        assert await two.stream_version("thing-0") == 1
        await two.append("thing-0", [_event(0, 2)], 1)  # the head was forgotten: re-read
        assert (await verify(one)).ok
    finally:
        await one.close()
        await two.close()


async def test_many_writers_on_one_stream_keep_one_valid_chain(store_url: str) -> None:
    writers = [await open_storage(store_url) for _ in range(4)]

    async def write(store: Storage, worker: int) -> None:
        for n in range(15):
            while True:
                version = await store.stream_version("contended")
                try:
                    await store.append("contended", [_event(worker, 100 + n)], version)
                    break
                except ConcurrencyConflict:
                    await asyncio.sleep(0)

    try:
        await asyncio.gather(*(write(s, i) for i, s in enumerate(writers)))
        report = await verify(writers[0])
        assert report.ok, report.first_break
        assert report.events == 60
    finally:
        for s in writers:
            await s.close()
