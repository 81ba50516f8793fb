"""SQLite storage (``sqlite:///path/to/file.db``): the embedded default.

Durability and concurrency:

- The database runs in WAL mode with ``synchronous=FULL``: a commit returns only after the
  write-ahead log is on disk, so a crash (even a SIGKILL or power loss) never loses a reported
  append nor leaves part of a batch.
- Every append takes SQLite's single write lock before its expected version is read (one
  ``INSERT`` takes it when the statement starts; several statements run in
  ``BEGIN IMMEDIATE``). Writers from any number of threads or processes on the same file
  are therefore serialised by SQLite itself, and waits are bounded by ``busy_timeout``.
  Appends made at once in one process share a commit (group commit, see
  :mod:`.sqlite_appends`); each is answered only once that commit is on disk.
- Because writers are serialised, the global position (the rowid, assigned inside the write
  lock as the largest one plus one; events are never deleted) is also commit order: a reader
  of ``read_all`` can never see position N+1 before N has committed. This is the gap-free
  argument for SQLite; PostgreSQL needs a different one (see ``postgres.py``).

The file's connections, the threads they run on, schema migration and error translation
live in :mod:`.sqlite_database`, the base this module, :mod:`.sqlite_appends` and
:mod:`.sqlite_projections` are built on. Where calls run (the ``inline`` option, URL
``?inline=``):

- ``"auto"`` (the default): on the connections' threads, except short reads (a stream's
  first :data:`INLINE_ROWS` events, a snapshot, a version) and an append alone in its group
  while commits are fast, which run on the event loop's thread: handing a call to a thread
  and back costs as much as the call itself on a small machine. Those calls never wait for
  a lock, so the loop waits at most for one fsync.
- ``False`` (``?inline=0``): always on the threads; the event loop never waits for SQLite.
- ``True`` (``?inline=1``): everything on the event loop's thread. The synchronous facade
  uses it, because its event loop is a private thread that nothing else shares.

The schema is created and migrated forward on open (``docsense_schema`` records each step).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from docsense.adapters.storage._common import check_append, dumps, loads, sha256_hex
from docsense.adapters.storage.migrations import SQLITE_MIGRATIONS, Migration
from docsense.adapters.storage.sqlite_appends import AppendCommitter
from docsense.adapters.storage.sqlite_database import SQLiteDatabase
from docsense.adapters.storage.sqlite_projections import SQLiteProjectionStore
from docsense.errors import BlobNotFound
from docsense.ports import NewEvent, RecordedEvent, Snapshot, StoreSize

__all__ = ["INLINE_ROWS", "SQLiteStorage"]

#: Events of a stream read on the event loop's thread in "auto" mode; the rest of a longer
#: stream is read on the reader thread.
INLINE_ROWS = 64

_EVENT_COLUMNS = (
    "position, event_id, event_type, schema_version, stream_id, stream_version, "
    "occurred_at, payload, metadata"
)
_STREAM = (
    f"SELECT {_EVENT_COLUMNS} FROM docsense_events WHERE stream_id = ? AND stream_version > ? "
    "ORDER BY stream_version"
)


class SQLiteStorage:
    """Event, snapshot and blob store in one SQLite file. Open it with :meth:`open`."""

    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db
        self._appended = asyncio.Event()
        self._appends = AppendCommitter(db, self._appended.set)
        self._projections = SQLiteProjectionStore(db)

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        busy_timeout: float = 30.0,
        inline: bool | Literal["auto"] = "auto",
        migrations: Sequence[Migration] = SQLITE_MIGRATIONS,
    ) -> SQLiteStorage:
        """Open (creating if needed) and migrate the database at ``path``.

        ``inline`` says where SQLite calls run (see the module docstring).
        """
        db = await SQLiteDatabase.open(
            str(path), busy_timeout=busy_timeout, inline=inline, migrations=migrations
        )
        return cls(db)

    @property
    def url(self) -> str:
        """The ``sqlite:///`` URL of the file."""
        option = {"auto": "", "inline": "?inline=1", "thread": "?inline=0"}[self._db.mode]
        if self._db.in_memory:
            option = "?inline=1" if self._db.mode == "inline" else ""
        return f"sqlite:///{self._db.path}{option}"

    @property
    def path(self) -> str:
        """The database file path."""
        return self._db.path

    @property
    def projections(self) -> SQLiteProjectionStore:
        """The projection store (read models, checkpoints, dead letters) in the same file."""
        return self._projections

    # --- event store --------------------------------------------------------------------

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> list[int]:
        """Append ``events`` atomically if the stream is at ``expected_version``."""
        check_append(stream_id, events, expected_version)
        # Nine parameters per event: its columns, then the version the stream must be at.
        params: list[Any] = []
        # The events of one command usually share one timestamp: format it once.
        last_time, last_text = None, ""
        for i, e in enumerate(events, start=1):
            if e.occurred_at is not last_time:
                last_time, last_text = e.occurred_at, e.occurred_at.isoformat()
            params += (
                e.event_id,
                e.event_type,
                e.schema_version,
                stream_id,
                expected_version + i,
                last_text,
                dumps(e.payload),
                dumps(e.metadata) if e.metadata else "{}",
                expected_version,
            )
        return await self._appends.append(stream_id, params, expected_version)

    async def wait_for_events(self, max_wait: float) -> None:
        """Return after an append through this store, or after ``max_wait`` seconds.

        Appends by other processes are not announced: runners poll for them.
        """
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._appended.wait(), max_wait)
        self._appended.clear()

    async def read_stream(self, stream_id: str, from_version: int = 0) -> list[RecordedEvent]:
        """Return the stream's events after ``from_version``."""

        def first(conn: sqlite3.Connection) -> list[RecordedEvent]:
            cursor = conn.execute(f"{_STREAM} LIMIT ?", (stream_id, from_version, INLINE_ROWS))
            return [_recorded(row) for row in cursor]

        events = await self._db.read(first)
        if len(events) < INLINE_ROWS:
            return events

        # A long stream: the rest on the reader thread. Streams only grow, so reading on
        # from the last version returned is the same as having read everything at once,
        # a moment later.
        def rest() -> list[RecordedEvent]:
            cursor = self._db.reader().execute(_STREAM, (stream_id, events[-1].stream_version))
            return [_recorded(row) for row in cursor]

        return events + await self._db.run_read(rest)

    async def stream_version(self, stream_id: str) -> int:
        """Return the number of events in ``stream_id``."""

        def read(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT COALESCE(MAX(stream_version), 0) FROM docsense_events "
                "WHERE stream_id = ?",
                (stream_id,),
            ).fetchone()
            return int(row[0])

        return await self._db.read(read)

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Return up to ``limit`` events after position ``after``, in global order."""

        def read() -> list[RecordedEvent]:
            cursor = self._db.reader().execute(
                f"SELECT {_EVENT_COLUMNS} FROM docsense_events WHERE position > ? "
                "ORDER BY position LIMIT ?",
                (after, limit),
            )
            return [_recorded(row) for row in cursor]

        return await self._db.run_read(read)

    async def head(self) -> int:
        """Return the last committed position (0 when empty)."""

        def read(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT COALESCE(MAX(position), 0) FROM docsense_events")
            return int(row.fetchone()[0])

        return await self._db.read(read)

    # --- snapshots and blobs ------------------------------------------------------------

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        """Store ``snapshot`` unless a newer snapshot of the stream is stored."""
        state = dumps(snapshot.state)

        def write() -> None:
            self._db.writer().execute(
                "INSERT INTO docsense_snapshots (stream_id, version, schema_version, state) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET "
                "version = excluded.version, schema_version = excluded.schema_version, "
                "state = excluded.state WHERE excluded.version >= docsense_snapshots.version",
                (snapshot.stream_id, snapshot.version, snapshot.schema_version, state),
            )

        await self._db.run_write(write)

    async def load_snapshot(self, stream_id: str) -> Snapshot | None:
        """Return the latest snapshot of ``stream_id``, or None."""

        def read(conn: sqlite3.Connection) -> tuple[Any, ...] | None:
            row: tuple[Any, ...] | None = conn.execute(
                "SELECT version, schema_version, state FROM docsense_snapshots "
                "WHERE stream_id = ?",
                (stream_id,),
            ).fetchone()
            return row

        row = await self._db.read(read)
        if row is None:
            return None
        try:
            state = loads(row[2])
        except ValueError:
            state = {"__undecodable__": str(row[2])[:200]}
        return Snapshot(stream_id, int(row[0]), int(row[1]), state)

    async def put_blob(self, data: bytes) -> str:
        """Store ``data`` once under its SHA-256 and return the digest."""
        digest = sha256_hex(data)

        def write() -> None:
            self._db.writer().execute(
                "INSERT INTO docsense_blobs (sha256, size, data) VALUES (?, ?, ?) "
                "ON CONFLICT (sha256) DO NOTHING",
                (digest, len(data), sqlite3.Binary(data)),
            )

        await self._db.run_write(write)
        return digest

    async def get_blob(self, sha256: str) -> bytes:
        """Return the bytes stored under ``sha256``."""

        def read() -> bytes | None:
            row = (
                self._db.reader()
                .execute("SELECT data FROM docsense_blobs WHERE sha256 = ?", (sha256,))
                .fetchone()
            )
            return None if row is None else bytes(row[0])

        data = await self._db.run_read(read)  # may be large: never on the loop thread
        if data is None:
            raise BlobNotFound(sha256)
        return data

    async def has_blob(self, sha256: str) -> bool:
        """Return True if bytes are stored under ``sha256``."""

        def read(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT 1 FROM docsense_blobs WHERE sha256 = ?", (sha256,))
            return row.fetchone() is not None

        return await self._db.read(read)

    async def schema_version(self) -> int:
        """Return the database's schema version (the last migration applied)."""

        def read() -> int:
            row = self._db.reader().execute("SELECT MAX(version) FROM docsense_schema").fetchone()
            return int(row[0])

        return await self._db.run_read(read)

    async def store_size(self) -> StoreSize:
        """Return the number of events and the database's size in bytes (WAL excluded)."""

        def read() -> StoreSize:
            conn = self._db.reader()
            events = conn.execute("SELECT count(*) FROM docsense_events").fetchone()[0]
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            return StoreSize(int(events), int(pages) * int(page_size))

        return await self._db.run_read(read)

    async def close(self) -> None:
        """Wait for appends being committed, then close the file's connections. Idempotent."""
        await self._appends.close()
        await self._db.close()


def _recorded(row: tuple[Any, ...]) -> RecordedEvent:
    return RecordedEvent(
        position=int(row[0]),
        event_id=row[1],
        event_type=row[2],
        schema_version=int(row[3]),
        stream_id=row[4],
        stream_version=int(row[5]),
        occurred_at=datetime.fromisoformat(row[6]),
        payload=loads(row[7]),
        metadata=loads(row[8]),
    )
