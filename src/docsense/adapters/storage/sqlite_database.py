"""One SQLite file: its connections, the threads they run on, its schema, its errors.

This is the base of the SQLite adapter: :mod:`.sqlite_projections` and :mod:`.sqlite` are
built on it, and it imports neither. Every SQLite call of the adapter goes through
:meth:`SQLiteDatabase.run_write` or :meth:`SQLiteDatabase.run_read`, which run it on the
connection's own thread (sqlite3 objects are not thread-safe; see ``_serial_thread.py``), or
directly on the caller's thread with ``inline=True``, and turn every ``sqlite3`` error into
a :mod:`docsense.errors` one.

Connections:

- the *writer* (event appends, snapshots, blobs; ``synchronous=FULL``: a commit returns
  only after the write-ahead log is on disk);
- the *projection writer* (read-model commits, ``synchronous=NORMAL``, opened lazily), on the
  writer's thread;
- the *reader*, on a thread of its own, so reads proceed while a write waits on the disk.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from typing import TypeVar

from docsense.adapters.storage._serial_thread import SerialThread, SerialThreadShutDown
from docsense.adapters.storage.migrations import Migration, pending
from docsense.errors import StorageError, StoreUnavailable

__all__ = ["SQLiteDatabase"]

T = TypeVar("T")


class SQLiteDatabase:
    """The connections to one SQLite file and the threads that use them.

    Open it with :meth:`open`; close it with :meth:`close`.
    """

    def __init__(self, path: str, *, busy_timeout: float = 30.0, inline: bool = False) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self.inline = inline
        self.in_memory = path == ":memory:"
        self._writer_thread = SerialThread("docsense-sqlite-write")
        self._reader_thread = (
            self._writer_thread if self.in_memory else SerialThread("docsense-sqlite-read")
        )
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._projection_writer: sqlite3.Connection | None = None
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: str,
        *,
        busy_timeout: float = 30.0,
        inline: bool = False,
        migrations: Sequence[Migration],
    ) -> SQLiteDatabase:
        """Open (creating if needed) and migrate the database at ``path``."""
        db = cls(path, busy_timeout=busy_timeout, inline=inline)
        try:
            await db.run_write(lambda: db._connect_and_migrate(migrations))
            if not db.in_memory:
                await db.run_read(db._connect_reader)
        except BaseException:
            await db.close()
            raise
        return db

    # --- connections --------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if not self.in_memory:
            parent = os.path.dirname(os.path.abspath(self.path))
            if not os.path.isdir(parent):
                raise StoreUnavailable(
                    f"cannot open SQLite store {self.path!r}: folder {parent} does not exist"
                )
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open SQLite store {self.path!r}: {exc}") from exc
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    def _connect_and_migrate(self, migrations: Sequence[Migration]) -> None:
        conn = self._connect()
        self._writer = conn
        if not self.in_memory:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreUnavailable(f"{self.path!r}: SQLite refused WAL mode ({mode})")
        self._migrate(conn, migrations)
        if self.in_memory:
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
            for migration in pending(migrations, int(row[0]), repr(self.path)):
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

    def writer(self) -> sqlite3.Connection:
        """Return the connection event appends, snapshots and blobs use (writer thread)."""
        if self._writer is None:
            raise StoreUnavailable(f"SQLite store {self.path!r} is not open")
        return self._writer

    def projection_writer(self) -> sqlite3.Connection:
        """Return the connection read-model commits use, on the writer thread (opened lazily).

        A read model can be rebuilt from the events, so its commits run with
        ``synchronous=NORMAL`` on a connection of their own: event appends on the main writer
        connection keep ``FULL`` without switching the setting back and forth.
        """
        writer = self.writer()
        if self.in_memory:
            return writer
        if self._projection_writer is None:
            conn = self._connect()
            conn.execute("PRAGMA synchronous = NORMAL")
            self._projection_writer = conn
        return self._projection_writer

    def reader(self) -> sqlite3.Connection:
        """Return the read-only connection (used on the reader thread)."""
        if self._reader is None:
            raise StoreUnavailable(f"SQLite store {self.path!r} is not open")
        return self._reader

    # --- running calls ------------------------------------------------------------------

    async def run_write(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (which uses a writer connection) on the writer thread."""
        return await self._run(self._writer_thread, fn)

    async def run_read(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (which uses the reader connection) on the reader thread."""
        return await self._run(self._reader_thread, fn)

    async def _run(self, thread: SerialThread, fn: Callable[[], T]) -> T:
        if self._closed:
            raise StoreUnavailable(f"SQLite store {self.path!r} is closed")
        try:
            if self.inline:
                return fn()
            return await thread.run(fn)
        except SerialThreadShutDown:
            raise StoreUnavailable(f"SQLite store {self.path!r} is closed") from None
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreUnavailable(
                    f"{self.path!r} stayed locked by another writer for more than "
                    f"{self.busy_timeout:g} s: {exc}"
                ) from exc
            raise StorageError(f"SQLite error on {self.path!r}: {exc}") from exc
        except sqlite3.Error as exc:
            raise StorageError(f"SQLite error on {self.path!r}: {exc}") from exc

    async def close(self) -> None:
        """Close every connection and end the threads. Idempotent."""
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
                if conn_attr == "_reader" and self.in_memory:
                    continue
                if self.inline:
                    conn.close()
                else:
                    await thread.run(conn.close)
        self._closed = True
        self._writer_thread.shutdown()
        self._reader_thread.shutdown()
