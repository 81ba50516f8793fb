"""Both SQL adapters migrate an older database forward without losing data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from docsense.adapters.storage.migrations import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS
from docsense.adapters.storage.postgres import PostgresStorage
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.errors import MigrationError, ProjectionConflict
from docsense.ports import ProjectionCommit, ReadModelChange
from docsense.testing import new_event


async def test_sqlite_v1_database_is_migrated_forward_with_its_events(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    old = await SQLiteStorage.open(db, migrations=SQLITE_MIGRATIONS[:1])
    events = [new_event(i) for i in range(5)]
    await old.append("thing-1", events, 0)
    assert await old.schema_version() == 1
    await old.close()

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
    # with a trigger: read models written before it stay, and the next commit goes through.
    db = tmp_path / "v3.db"
    old = await SQLiteStorage.open(db, migrations=SQLITE_MIGRATIONS[:3])
    await old.close()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO projection_checkpoints VALUES ('docs', 1, 7, 1)")
    conn.execute("INSERT INTO read_models VALUES ('docs', 1, 'd', 'a', '{\"n\":1}')")
    conn.commit()
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


@pytest.mark.postgres
async def test_postgres_v1_schema_is_migrated_forward_with_its_events(
    postgres_schema_url: str,
) -> None:
    old = await PostgresStorage.open(postgres_schema_url, migrations=POSTGRES_MIGRATIONS[:1])
    events = [new_event(i) for i in range(5)]
    await old.append("thing-1", events, 0)
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
