"""docsense refuses a file that is not a docsense store, and leaves it exactly as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from docsense.adapters.storage import open_storage
from docsense.errors import StoreUnavailable
from docsense.testing import new_event


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file of ``folder`` by name, with the SHA-256 of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _other_application(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT)")
        conn.execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)")
        conn.execute("INSERT INTO events (what) VALUES ('theirs')")
    conn.close()


async def test_another_applications_database_is_refused_and_left_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "app.db"
    _other_application(path)
    before = _fingerprint(tmp_path)
    with pytest.raises(StoreUnavailable, match=r"another application's SQLite database") as info:
        await open_storage(f"sqlite:///{path}")
    assert "blobs, events" in str(info.value)
    assert _fingerprint(tmp_path) == before  # no table added, no WAL switch, no -wal file
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT what FROM events").fetchall() == [("theirs",)]
    conn.close()


async def test_another_applications_wal_database_is_refused_with_its_bytes_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "app.db"
    _other_application(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreUnavailable, match="not a docsense store"):
        await open_storage(f"sqlite:///{path}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


async def test_a_file_that_is_not_a_database_is_refused_and_left_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.db"
    path.write_text("my notes, not a database\n")
    before = _fingerprint(tmp_path)
    with pytest.raises(StoreUnavailable, match="is not a SQLite database"):
        await open_storage(f"sqlite:///{path}")
    assert _fingerprint(tmp_path) == before


@pytest.mark.parametrize("kind", ["zero bytes", "database without tables"])
async def test_an_empty_file_becomes_a_store(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "new.db"
    if kind == "zero bytes":
        path.write_bytes(b"")
    else:
        sqlite3.connect(path).close()
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA user_version = 1")  # forces the header to be written
        conn.close()
    store = await open_storage(f"sqlite:///{path}")
    try:
        await store.append("thing-1", [new_event(1)], 0)
        assert await store.stream_version("thing-1") == 1
    finally:
        await store.close()


async def test_every_docsense_table_carries_the_prefix(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = await open_storage(f"sqlite:///{path}")
    await store.close()
    with sqlite3.connect(path) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') "
                "AND name NOT LIKE 'sqlite_%'"
            )
        ]
    conn.close()
    assert names
    assert [n for n in names if not n.startswith("docsense_")] == []


async def test_a_docsense_store_opens_again(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = await open_storage(f"sqlite:///{path}")
    await store.append("thing-1", [new_event(1)], 0)
    await store.close()
    again = await open_storage(f"sqlite:///{path}")
    try:
        assert await again.stream_version("thing-1") == 1
    finally:
        await again.close()
