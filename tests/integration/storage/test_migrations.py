"""Both SQL adapters migrate an older database forward without losing data."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import asyncpg
import pytest

import docsense
from docsense.adapters.storage.migrations import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS
from docsense.adapters.storage.postgres import PostgresStorage
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.errors import MigrationError, ProjectionConflict
from docsense.ports import NewEvent, ProjectionCommit, ReadModelChange
from docsense.testing import new_event

FIXTURE = Path(__file__).parent / "data" / "store-schema4.db"
"""A store written by docsense at schema version 4 (before the ``docsense_`` prefix): one
document ingested, reviewed, two decisions, feedback applied (version 1.1), projections
caught up. Never regenerate it: it stands for the files users already have."""

_RAW_EVENTS = (
    "SELECT position, event_id, event_type, schema_version, stream_id, stream_version, "
    "occurred_at, CAST(payload AS BLOB), CAST(metadata AS BLOB) FROM {} ORDER BY position"
)


def _old_database(path: Path, version: int) -> sqlite3.Connection:
    """Create a database as docsense left it at schema ``version``; return a connection."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(
        "CREATE TABLE docsense_schema (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
        "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    for migration in SQLITE_MIGRATIONS[:version]:
        for statement in migration.statements:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO docsense_schema (version, description) VALUES (?, ?)",
            (migration.version, migration.description),
        )
    return conn


async def test_a_store_written_before_the_prefix_keeps_every_event_byte_for_byte(
    tmp_path: Path,
) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, db)
    with sqlite3.connect(db) as conn:
        before = conn.execute(_RAW_EVENTS.format("events")).fetchall()
        checkpoints = conn.execute("SELECT * FROM projection_checkpoints").fetchall()
        documents = conn.execute("SELECT COUNT(*) FROM read_models").fetchone()[0]
    assert len(before) == 23

    store = await SQLiteStorage.open(db)
    try:
        assert await store.schema_version() == SQLITE_MIGRATIONS[-1].version
        assert await store.head() == before[-1][0]
        stream = before[0][4]
        assert [r.event_id for r in await store.read_stream(stream)] == [
            row[1] for row in before if row[4] == stream
        ]
        position = await store.append(
            stream, [new_event(1)], max(r[5] for r in before if r[4] == stream)
        )
        assert position == [before[-1][0] + 1]
    finally:
        await store.close()

    with sqlite3.connect(db) as conn:
        after = conn.execute(_RAW_EVENTS.format("docsense_events")).fetchall()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert conn.execute("SELECT * FROM docsense_projection_checkpoints").fetchall() == (
            checkpoints
        )
        assert conn.execute("SELECT COUNT(*) FROM docsense_read_models").fetchone()[0] == (
            documents
        )
    assert after[: len(before)] == before
    assert tables - {"sqlite_sequence"} == {
        "docsense_schema",
        "docsense_events",
        "docsense_snapshots",
        "docsense_blobs",
        "docsense_projection_checkpoints",
        "docsense_read_models",
        "docsense_dead_letters",
    }


async def test_a_store_written_before_the_prefix_opens_in_docsense(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, db)
    async with await docsense.aopen(f"sqlite:///{db}") as ds:
        [document] = await ds.documents()
        assert document.title == "Momentum Rebalancing Strategy: Methodology"
        revised = await ds.document(document.id)
        assert revised.version == "1.1"


async def test_sqlite_v1_database_is_migrated_forward_with_its_events(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = _old_database(db, 1)
    events = [new_event(i) for i in range(5)]
    conn.executemany(
        "INSERT INTO events (event_id, event_type, schema_version, stream_id, stream_version, "
        "occurred_at, payload, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.event_id,
                e.event_type,
                e.schema_version,
                "thing-1",
                n,
                e.occurred_at.isoformat(),
                json.dumps(e.payload),
                json.dumps(e.metadata),
            )
            for n, e in enumerate(events, start=1)
        ],
    )
    conn.close()

    current = await SQLiteStorage.open(db)
    try:
        assert await current.schema_version() == SQLITE_MIGRATIONS[-1].version
        stored = await current.read_stream("thing-1")
        assert [r.event_id for r in stored] == [e.event_id for e in events]
        assert [r.payload for r in stored] == [e.payload for e in events]
        digest = await current.put_blob(b"original bytes")
        assert await current.get_blob(digest) == b"original bytes"
        await current.append("thing-1", [new_event(6)], 5)
    finally:
        await current.close()


async def test_sqlite_v3_read_models_survive_and_commit_after_migration(tmp_path: Path) -> None:
    # Version 4 replaced the statements of a projection commit by one insert into a view
    # with a trigger, and version 5 renamed the tables: read models written before both
    # stay, and the next commit goes through.
    db = tmp_path / "v3.db"
    conn = _old_database(db, 3)
    conn.execute("INSERT INTO projection_checkpoints VALUES ('docs', 1, 7, 1)")
    conn.execute("INSERT INTO read_models VALUES ('docs', 1, 'd', 'a', '{\"n\":1}')")
    conn.close()

    current = await SQLiteStorage.open(db)
    try:
        projections = current.projections
        assert await projections.get_doc("docs", 1, "d", "a") == {"n": 1}
        await projections.commit(
            ProjectionCommit(
                "docs",
                1,
                7,
                9,
                (ReadModelChange("d", "a", None), ReadModelChange("d", "b", {"n": 2})),
            )
        )
        assert await projections.get_doc("docs", 1, "d", "a") is None
        assert await projections.get_doc("docs", 1, "d", "b") == {"n": 2}
        assert [c.position for c in await projections.checkpoints("docs")] == [9]
        with pytest.raises(ProjectionConflict):
            await projections.commit(ProjectionCommit("docs", 1, 7, 11))
    finally:
        await current.close()


async def test_sqlite_database_from_a_newer_docsense_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    store = await SQLiteStorage.open(db)
    await store.close()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO docsense_schema (version, description) VALUES (99, 'future')")
    conn.commit()
    conn.close()
    with pytest.raises(MigrationError, match="upgrade docsense"):
        await SQLiteStorage.open(db)


async def _old_postgres_append(
    store: PostgresStorage, stream_id: str, events: list[NewEvent], expected: int = 0
) -> None:
    """Append as docsense did before schema version 7 (ds_append without digests)."""
    async with store._db.connection() as conn:
        await conn.fetch(
            "SELECT * FROM ds_append($1, $2, $3, $4, $5, $6, $7, $8)",
            stream_id,
            expected,
            [e.event_id for e in events],
            [e.event_type for e in events],
            [e.schema_version for e in events],
            [e.occurred_at for e in events],
            [json.dumps(e.payload) for e in events],
            [json.dumps(e.metadata) for e in events],
        )


@pytest.mark.postgres
async def test_postgres_v1_schema_is_migrated_forward_with_its_events(
    postgres_schema_url: str,
) -> None:
    old = await PostgresStorage.open(postgres_schema_url, migrations=POSTGRES_MIGRATIONS[:1])
    events = [new_event(i) for i in range(5)]
    await _old_postgres_append(old, "thing-1", events)
    assert await old.schema_version() == 1
    await old.close()

    current = await PostgresStorage.open(postgres_schema_url)
    try:
        assert await current.schema_version() == POSTGRES_MIGRATIONS[-1].version
        stored = await current.read_stream("thing-1")
        assert [r.event_id for r in stored] == [e.event_id for e in events]
        digest = await current.put_blob(b"original bytes")
        assert await current.get_blob(digest) == b"original bytes"
        await current.append("thing-1", [new_event(6)], 5)
    finally:
        await current.close()


@pytest.mark.postgres
async def test_postgres_schema_from_a_newer_docsense_is_refused(postgres_schema_url: str) -> None:
    store = await PostgresStorage.open(postgres_schema_url)
    await store.close()
    dsn, _, schema = postgres_schema_url.partition("?schema=")
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    await conn.execute("INSERT INTO docsense_schema (version, description) VALUES (99, 'x')")
    await conn.close()
    with pytest.raises(MigrationError, match="upgrade docsense"):
        await PostgresStorage.open(postgres_schema_url)


@pytest.mark.postgres
async def test_concurrent_openers_migrate_once(postgres_schema_url: str) -> None:
    import asyncio

    stores = await asyncio.gather(*(PostgresStorage.open(postgres_schema_url) for _ in range(6)))
    try:
        assert {await s.schema_version() for s in stores} == {POSTGRES_MIGRATIONS[-1].version}
    finally:
        for s in stores:
            await s.close()
