"""SQLite storage (``sqlite:///path/to/file.db``): the embedded default.

Durability and concurrency:

- The database runs in WAL mode with ``synchronous=FULL``: a commit returns only after the
  write-ahead log is on disk, so a crash (even a SIGKILL or power loss) never loses a reported
  append nor leaves part of a batch.
- Every append runs in ``BEGIN IMMEDIATE``, which takes SQLite's single write lock before the
  expected version is read. Writers from any number of threads or processes on the same file
  are therefore serialised by SQLite itself, and waits are bounded by ``busy_timeout``.
- Because writers are serialised, the global position (an ``AUTOINCREMENT`` rowid assigned
  inside the write lock) is also commit order: a reader of ``read_all`` can never see position
  N+1 before N has committed. This is the gap-free argument for SQLite; PostgreSQL needs a
  different one (see ``postgres.py``).

Each connection is used only by its own worker thread (sqlite3 objects are not thread-safe;
see ``_serial_thread.py``); reads use a second connection, so they proceed while a write
waits on the disk.
With ``inline=True`` (URL ``?inline=1``) every call runs directly on the event loop's thread
instead: the loop blocks for each commit's fsync, but an append costs about half as much
(the hop to a thread and back costs as much as the commit on a small machine). The
synchronous facade uses it, because its event loop is a private thread that nothing else
shares; async services should keep the default.
The schema is created and migrated forward on open (``docsense_schema`` records each step).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from docsense.adapters.storage._common import check_append, dumps, loads, sha256_hex
from docsense.adapters.storage._serial_thread import SerialThread, SerialThreadShutDown
from docsense.adapters.storage.migrations import SQLITE_MIGRATIONS, Migration, pending
from docsense.adapters.storage.sqlite_projections import SQLiteProjectionStore
from docsense.errors import (
    BlobNotFound,
    ConcurrencyConflict,
    DuplicateEventId,
    StorageError,
    StoreUnavailable,
)
from docsense.ports import NewEvent, RecordedEvent, Snapshot

__all__ = ["SQLiteStorage"]

T = TypeVar("T")

_EVENT_COLUMNS = (
    "position, event_id, event_type, schema_version, stream_id, stream_version, "
    "occurred_at, payload, metadata"
)


class SQLiteStorage:
    """Event, snapshot and blob store in one SQLite file. Open it with :meth:`open`."""

    def __init__(self, path: str, *, busy_timeout: float = 30.0, inline: bool = False) -> None:
        self._path = path
        self._busy_timeout = busy_timeout
        self._inline = inline
        self._in_memory = path == ":memory:"
        self._writer_thread = SerialThread("docsense-sqlite-write")
        self._reader_thread = (
            self._writer_thread if self._in_memory else SerialThread("docsense-sqlite-read")
        )
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        # Read-model commits: used on the writer thread like _writer, with synchronous=NORMAL.
        self._projection_writer: sqlite3.Connection | None = None
        self._closed = False
        self._projections: SQLiteProjectionStore | None = None
        self._appended = asyncio.Event()

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        busy_timeout: float = 30.0,
        inline: bool = False,
        migrations: Sequence[Migration] = SQLITE_MIGRATIONS,
    ) -> SQLiteStorage:
        """Open (creating if needed) and migrate the database at ``path``.

        ``inline`` runs SQLite calls on the event loop's thread (see the module docstring).
        """
        store = cls(str(path), busy_timeout=busy_timeout, inline=inline)
        try:
            await store._run_write(lambda: store._connect_and_migrate(migrations))
            if not store._in_memory:
                await store._run_read(store._connect_reader)
        except BaseException:
            await store.close()
            raise
        return store

    @property
    def url(self) -> str:
        """The ``sqlite:///`` URL of the file."""
        return f"sqlite:///{self._path}" + ("?inline=1" if self._inline else "")

    @property
    def path(self) -> str:
        """The database file path."""
        return self._path

    @property
    def projections(self) -> SQLiteProjectionStore:
        """The projection store (read models, checkpoints, dead letters) in the same file."""
        if self._projections is None:
            self._projections = SQLiteProjectionStore(self)
        return self._projections

    # --- connection plumbing ------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if not self._in_memory:
            parent = os.path.dirname(os.path.abspath(self._path))
            if not os.path.isdir(parent):
                raise StoreUnavailable(
                    f"cannot open SQLite store {self._path!r}: folder {parent} does not exist"
                )
        try:
            conn = sqlite3.connect(
                self._path,
                timeout=self._busy_timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open SQLite store {self._path!r}: {exc}") from exc
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    def _connect_and_migrate(self, migrations: Sequence[Migration]) -> None:
        conn = self._connect()
        self._writer = conn
        if not self._in_memory:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreUnavailable(f"{self._path!r}: SQLite refused WAL mode ({mode})")
        self._migrate(conn, migrations)
        if self._in_memory:
            self._reader = conn

    def _connect_reader(self) -> None:
        self._reader = self._connect()
        self._reader.execute("PRAGMA query_only = ON")

    def _migrate(self, conn: sqlite3.Connection, migrations: Sequence[Migration]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS docsense_schema ("
                "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
            row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM docsense_schema").fetchone()
            for migration in pending(migrations, int(row[0]), repr(self._path)):
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO docsense_schema (version, description) VALUES (?, ?)",
                    (migration.version, migration.description),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    async def _run_write(self, fn: Callable[[], T]) -> T:
        return await self._run(self._writer_thread, fn)

    async def _run_read(self, fn: Callable[[], T]) -> T:
        return await self._run(self._reader_thread, fn)

    async def _run(self, thread: SerialThread, fn: Callable[[], T]) -> T:
        if self._closed:
            raise StoreUnavailable(f"SQLite store {self._path!r} is closed")
        try:
            if self._inline:
                return fn()
            return await thread.run(fn)
        except SerialThreadShutDown:
            raise StoreUnavailable(f"SQLite store {self._path!r} is closed") from None
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreUnavailable(
                    f"{self._path!r} stayed locked by another writer for more than "
                    f"{self._busy_timeout:g} s: {exc}"
                ) from exc
            raise StorageError(f"SQLite error on {self._path!r}: {exc}") from exc
        except sqlite3.Error as exc:
            raise StorageError(f"SQLite error on {self._path!r}: {exc}") from exc

    def _w(self) -> sqlite3.Connection:
        if self._writer is None:
            raise StoreUnavailable(f"SQLite store {self._path!r} is not open")
        return self._writer

    def _projection_w(self) -> sqlite3.Connection:
        """Return the connection read-model commits use, on the writer thread (opened lazily).

        A read model can be rebuilt from the events, so its commits run with
        ``synchronous=NORMAL`` on a connection of their own: event appends on the main writer
        connection keep ``FULL`` without switching the setting back and forth.
        """
        writer = self._w()
        if self._in_memory:
            return writer
        if self._projection_writer is None:
            conn = self._connect()
            conn.execute("PRAGMA synchronous = NORMAL")
            self._projection_writer = conn
        return self._projection_writer

    def _r(self) -> sqlite3.Connection:
        if self._reader is None:
            raise StoreUnavailable(f"SQLite store {self._path!r} is not open")
        return self._reader

    # --- event store --------------------------------------------------------------------

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> list[int]:
        """Append ``events`` atomically if the stream is at ``expected_version``."""
        check_append(stream_id, events, expected_version)
        rows = [
            (
                e.event_id,
                e.event_type,
                e.schema_version,
                stream_id,
                expected_version + i,
                e.occurred_at.isoformat(),
                dumps(e.payload),
                dumps(e.metadata),
            )
            for i, e in enumerate(events, start=1)
        ]
        positions = await self._run_write(
            lambda: self._append_sync(stream_id, rows, expected_version)
        )
        if positions:
            self._appended.set()
        return positions

    async def wait_for_events(self, max_wait: float) -> None:
        """Return after an append through this store, or after ``max_wait`` seconds.

        Appends by other processes are not announced: runners poll for them.
        """
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._appended.wait(), max_wait)
        self._appended.clear()

    def _append_sync(
        self, stream_id: str, rows: list[tuple[Any, ...]], expected_version: int
    ) -> list[int]:
        conn = self._w()
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = self._version(conn, stream_id)
            if current != expected_version:
                # A retry of a batch already stored as asked is not a conflict; looking
                # for one only here keeps it off the path of every ordinary append.
                replay = self._stored_batch(conn, stream_id, rows, expected_version)
                if replay is not None:
                    conn.execute("ROLLBACK")
                    return replay
                raise ConcurrencyConflict(stream_id, expected_version, current)
            if not rows:
                conn.execute("ROLLBACK")
                return []
            conn.executemany(
                "INSERT INTO events (event_id, event_type, schema_version, stream_id, "
                "stream_version, occurred_at, payload, metadata) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            # Writers hold the write lock, so this batch's AUTOINCREMENT rowids are
            # consecutive and end at the last one inserted.
            last = int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])
            conn.execute("COMMIT")
            return list(range(last - len(rows) + 1, last + 1))
        except sqlite3.IntegrityError as exc:
            conn.execute("ROLLBACK")
            raise DuplicateEventId(str(rows[0][0]), stream_id) from exc
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _version(conn: sqlite3.Connection, stream_id: str) -> int:
        row = conn.execute(
            "SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = ?",
            (stream_id,),
        ).fetchone()
        return int(row[0])

    def _stored_batch(
        self,
        conn: sqlite3.Connection,
        stream_id: str,
        rows: list[tuple[Any, ...]],
        expected_version: int,
    ) -> list[int] | None:
        """Positions of a batch already stored exactly as asked (a retry), else None.

        Raises when the first id is stored somewhere else.
        """
        if not rows:
            return None
        first = conn.execute(
            "SELECT stream_id, stream_version FROM events WHERE event_id = ?", (rows[0][0],)
        ).fetchone()
        if first is None:
            return None
        stored = conn.execute(
            "SELECT position, event_id FROM events WHERE stream_id = ? "
            "AND stream_version > ? AND stream_version <= ? ORDER BY stream_version",
            (stream_id, expected_version, expected_version + len(rows)),
        ).fetchall()
        if [r[1] for r in stored] == [row[0] for row in rows]:
            return [int(r[0]) for r in stored]
        current = self._version(conn, stream_id)
        if current != expected_version:
            raise ConcurrencyConflict(stream_id, expected_version, current)
        raise DuplicateEventId(str(rows[0][0]), stream_id)

    async def read_stream(self, stream_id: str, from_version: int = 0) -> list[RecordedEvent]:
        """Return the stream's events after ``from_version``."""

        def read() -> list[RecordedEvent]:
            cursor = self._r().execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id = ? AND stream_version > ? "
                "ORDER BY stream_version",
                (stream_id, from_version),
            )
            return [_recorded(row) for row in cursor]

        return await self._run_read(read)

    async def stream_version(self, stream_id: str) -> int:
        """Return the number of events in ``stream_id``."""
        return await self._run_read(lambda: self._version(self._r(), stream_id))

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Return up to ``limit`` events after position ``after``, in global order."""

        def read() -> list[RecordedEvent]:
            cursor = self._r().execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
                (after, limit),
            )
            return [_recorded(row) for row in cursor]

        return await self._run_read(read)

    async def head(self) -> int:
        """Return the last committed position (0 when empty)."""

        def read() -> int:
            row = self._r().execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()
            return int(row[0])

        return await self._run_read(read)

    # --- snapshots and blobs ------------------------------------------------------------

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        """Store ``snapshot`` unless a newer snapshot of the stream is stored."""

        def write() -> None:
            self._w().execute(
                "INSERT INTO snapshots (stream_id, version, schema_version, state) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET "
                "version = excluded.version, schema_version = excluded.schema_version, "
                "state = excluded.state WHERE excluded.version >= snapshots.version",
                (
                    snapshot.stream_id,
                    snapshot.version,
                    snapshot.schema_version,
                    dumps(snapshot.state),
                ),
            )

        await self._run_write(write)

    async def load_snapshot(self, stream_id: str) -> Snapshot | None:
        """Return the latest snapshot of ``stream_id``, or None."""

        def read() -> Snapshot | None:
            row = self._r().execute(
                "SELECT version, schema_version, state FROM snapshots WHERE stream_id = ?",
                (stream_id,),
            ).fetchone()
            if row is None:
                return None
            try:
                state = loads(row[2])
            except ValueError:
                state = {"__undecodable__": str(row[2])[:200]}
            return Snapshot(stream_id, int(row[0]), int(row[1]), state)

        return await self._run_read(read)

    async def put_blob(self, data: bytes) -> str:
        """Store ``data`` once under its SHA-256 and return the digest."""
        digest = sha256_hex(data)

        def write() -> None:
            self._w().execute(
                "INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) "
                "ON CONFLICT (sha256) DO NOTHING",
                (digest, len(data), sqlite3.Binary(data)),
            )

        await self._run_write(write)
        return digest

    async def get_blob(self, sha256: str) -> bytes:
        """Return the bytes stored under ``sha256``."""

        def read() -> bytes | None:
            row = self._r().execute("SELECT data FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
            return None if row is None else bytes(row[0])

        data = await self._run_read(read)
        if data is None:
            raise BlobNotFound(sha256)
        return data

    async def has_blob(self, sha256: str) -> bool:
        """Return True if bytes are stored under ``sha256``."""

        def read() -> bool:
            row = self._r().execute("SELECT 1 FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
            return row is not None

        return await self._run_read(read)

    async def schema_version(self) -> int:
        """Return the database's schema version (the last migration applied)."""

        def read() -> int:
            row = self._r().execute("SELECT MAX(version) FROM docsense_schema").fetchone()
            return int(row[0])

        return await self._run_read(read)

    async def close(self) -> None:
        """Close both connections. Idempotent."""
        if self._closed:
            return
        for conn_attr, thread in (
            ("_reader", self._reader_thread),
            ("_projection_writer", self._writer_thread),
            ("_writer", self._writer_thread),
        ):
            conn = getattr(self, conn_attr)
            if conn is not None:
                setattr(self, conn_attr, None)
                if conn_attr == "_reader" and self._in_memory:
                    continue
                if self._inline:
                    conn.close()
                else:
                    await thread.run(conn.close)
        self._closed = True
        self._writer_thread.shutdown()
        self._reader_thread.shutdown()


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
