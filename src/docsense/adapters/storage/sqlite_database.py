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

Before it changes anything in a file (the switch to WAL mode, the first table), :meth:`open`
checks that the file is empty or already a docsense store, through a read-only connection:
another application's database is refused with
:class:`~docsense.errors.StoreUnavailable` and left exactly as it was. The switch to WAL
mode is retried while another connection holds the file (SQLite does not wait on it).

Errors keep their cause: a full disk or a file that reached the process's file-size limit is
:class:`~docsense.errors.StorageFull`; a lock held by another writer for longer than
``busy_timeout`` is :class:`~docsense.errors.StoreUnavailable`; anything else is
:class:`~docsense.errors.StorageError` with the SQLite message. A failed write transaction
is rolled back only if SQLite has not already rolled it back itself (it does so after a full
disk or an I/O error), so the error raised is always the one that happened.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from typing import Literal, TypeVar

from docsense.adapters.storage._serial_thread import SerialThread, SerialThreadShutDown
from docsense.adapters.storage.migrations import Migration, pending
from docsense.errors import DocSenseError, StorageError, StorageFull, StoreUnavailable

__all__ = [
    "Mode",
    "SQLiteDatabase",
    "is_busy",
    "rollback",
    "translate_error",
    "write_transaction",
]

T = TypeVar("T")

logger = logging.getLogger(__name__)

_HEADER = b"SQLite format 3\x00"
# Primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 13, 14, 26
# Below this much free space (or this close to the file-size limit) an I/O error on write
# is taken for a full disk: SQLite reports ENOSPC as SQLITE_FULL, but EFBIG (RLIMIT_FSIZE)
# and writes cut short by other filesystems only as SQLITE_IOERR_*.
_NEARLY_FULL = 1 << 20


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in ``BEGIN IMMEDIATE`` ... ``COMMIT``; roll back if anything fails."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already done so.

    SQLite rolls a transaction back by itself after some errors (a full disk, an I/O error);
    a ROLLBACK then would fail with "no transaction is active" and hide the real error. A
    ROLLBACK that fails is logged, never raised: the error being handled is what matters.
    """
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        logger.warning("SQLite ROLLBACK failed (the transaction is abandoned): %s", exc)


Mode = Literal["thread", "auto", "inline"]
"""Where SQLite calls run: see :class:`SQLiteDatabase`."""


class SQLiteDatabase:
    """The connections to one SQLite file and the threads that use them.

    Open it with :meth:`open`; close it with :meth:`close`. ``inline`` picks where calls run:

    - ``False`` (*thread*): always on the connections' own threads; the event loop never
      waits for SQLite.
    - ``"auto"`` (the default): as *thread*, except that the parts built on this class may
      run short calls on the event loop's thread through :meth:`read` and
      :meth:`loop_writer`, on connections of that thread that never wait for a lock
      (``busy_timeout`` 0: a busy file sends the call to the threads instead).
    - ``True`` (*inline*): every call on the caller's thread (the synchronous facade, whose
      event loop is a private thread).
    """

    def __init__(
        self, path: str, *, busy_timeout: float = 30.0, inline: bool | Literal["auto"] = "auto"
    ) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self.in_memory = path == ":memory:"
        self.mode: Mode = "auto" if inline == "auto" else "inline" if inline else "thread"
        if self.in_memory and self.mode == "auto":
            self.mode = "thread"  # one connection only: no second one for the loop thread
        self._writer_thread = SerialThread("docsense-sqlite-write")
        self._reader_thread = (
            self._writer_thread if self.in_memory else SerialThread("docsense-sqlite-read")
        )
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._projection_writer: sqlite3.Connection | None = None
        # "auto": connections used only on the thread that opened the database (its loop).
        self._owner = threading.get_ident()
        self._loop_writer: sqlite3.Connection | None = None
        self._loop_reader: sqlite3.Connection | None = None
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: str,
        *,
        busy_timeout: float = 30.0,
        inline: bool | Literal["auto"] = "auto",
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

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        return self._closed

    # --- connections --------------------------------------------------------------------

    def _connect(self, busy_timeout: float | None = None) -> sqlite3.Connection:
        if not self.in_memory:
            parent = os.path.dirname(os.path.abspath(self.path))
            if not os.path.isdir(parent):
                raise StoreUnavailable(
                    f"cannot open SQLite store {self.path!r}: folder {parent} does not exist"
                )
        timeout = self.busy_timeout if busy_timeout is None else busy_timeout
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open SQLite store {self.path!r}: {exc}") from exc
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        conn.execute("PRAGMA synchronous = FULL")
        # Statement journals (a multi-row insert inside a transaction) in memory, not files.
        conn.execute("PRAGMA temp_store = MEMORY")
        return conn

    def _connect_and_migrate(self, migrations: Sequence[Migration]) -> None:
        if not self.in_memory:
            self._refuse_foreign_file()
        conn = self._connect()
        self._writer = conn
        if not self.in_memory:
            self._switch_to_wal(conn)
        self._migrate(conn, migrations)
        if self.in_memory:
            self._reader = conn

    def _switch_to_wal(self, conn: sqlite3.Connection) -> None:
        """Put the file in WAL mode, waiting up to ``busy_timeout`` for other openers.

        Converting the journal needs the file to itself, and SQLite does not run the busy
        handler for ``PRAGMA journal_mode = WAL``: when several processes open a new store at
        once, all but one see "database is locked" (or get the old mode back) at once. WAL is
        a property of the file, so the mode is read first (a store already in WAL mode takes
        no lock), and the switch is retried, with backoff, until it succeeds, another process
        has made it, or ``busy_timeout`` has passed.
        """
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.005
        mode: object = None
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() == "wal":
                    return
            except sqlite3.OperationalError as exc:
                if not _locked(exc) or time.monotonic() >= deadline:
                    raise
            if time.monotonic() >= deadline:
                raise StoreUnavailable(
                    f"{self.path!r}: SQLite kept the {mode} journal for more than "
                    f"{self.busy_timeout:g} s (another process holds the file)"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def _refuse_foreign_file(self) -> None:
        foreign = _foreign_tables(self.path)
        if foreign is not None:
            shown = ", ".join(foreign[:8]) + (", ..." if len(foreign) > 8 else "")
            raise StoreUnavailable(
                f"{self.path!r} is another application's SQLite database (tables: {shown}), "
                "not a docsense store; it was left unchanged: give docsense a new file or an "
                "existing store"
            )

    def _connect_reader(self) -> None:
        self._reader = self._connect()
        self._reader.execute("PRAGMA query_only = ON")

    def _migrate(self, conn: sqlite3.Connection, migrations: Sequence[Migration]) -> None:
        with write_transaction(conn):
            names = [str(r[0]) for r in conn.execute(_TABLES)]
            if names and "docsense_schema" not in names:  # created since the check above
                raise StoreUnavailable(
                    f"{self.path!r} became another application's SQLite database while "
                    "docsense opened it; nothing was added to it"
                )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS docsense_schema ("
                "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
            row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM docsense_schema").fetchone()
            for migration in pending(migrations, int(row[0]), repr(self.path)):
                for statement in migration.statements:
                    conn.execute(statement)
                if migration.backfill is not None:
                    migration.backfill(conn)
                conn.execute(
                    "INSERT INTO docsense_schema (version, description) VALUES (?, ?)",
                    (migration.version, migration.description),
                )

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

    def on_loop_thread(self) -> bool:
        """Return True if "auto" mode may run a call here, the thread that opened the file."""
        return (
            self.mode == "auto" and not self._closed and threading.get_ident() == self._owner
        )

    def loop_writer(self) -> sqlite3.Connection:
        """Return the event loop thread's write connection (``"auto"`` mode; opened lazily).

        It never waits: ``busy_timeout`` is 0, so a file another writer holds raises
        SQLITE_BUSY at once (see :func:`is_busy`), and it never checkpoints the write-ahead
        log (``wal_autocheckpoint`` 0): :meth:`checkpoint` does that on the writer thread.
        """
        if self._loop_writer is None:
            conn = self._connect(busy_timeout=0)
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            self._loop_writer = conn
        return self._loop_writer

    def loop_reader(self) -> sqlite3.Connection:
        """Return the event loop thread's read-only connection (``"auto"``; opened lazily)."""
        if self._loop_reader is None:
            conn = self._connect(busy_timeout=0)
            conn.execute("PRAGMA query_only = ON")
            self._loop_reader = conn
        return self._loop_reader

    # --- running calls ------------------------------------------------------------------

    async def run_write(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (which uses a writer connection) on the writer thread."""
        return await self._run(self._writer_thread, fn)

    async def run_read(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (which uses the reader connection) on the reader thread."""
        return await self._run(self._reader_thread, fn)

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run the short read ``fn(connection)``: on the loop thread where "auto" allows it.

        On the loop thread it runs on a connection that never waits for a lock; if the
        file is busy (a rare moment of WAL recovery or reset) it runs on the reader thread
        instead. ``fn`` must be cheap: a few rows, no large values.
        """
        if self.on_loop_thread():
            try:
                return fn(self.loop_reader())
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise translate_error(exc, self.path, self.busy_timeout) from exc
            except sqlite3.Error as exc:
                raise translate_error(exc, self.path, self.busy_timeout) from exc
        return await self.run_read(lambda: fn(self.reader()))

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the file without waiting for readers (PASSIVE)."""
        # Read its row: a statement left in progress would refuse the writer's next SAVEPOINT.
        await self.run_write(
            lambda: self.writer().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        )

    async def _run(self, thread: SerialThread, fn: Callable[[], T]) -> T:
        if self._closed:
            raise StoreUnavailable(f"SQLite store {self.path!r} is closed")
        try:
            if self.mode == "inline":
                return fn()
            return await thread.run(fn)
        except SerialThreadShutDown:
            raise StoreUnavailable(f"SQLite store {self.path!r} is closed") from None
        except sqlite3.Error as exc:
            raise translate_error(exc, self.path, self.busy_timeout) from exc

    async def close(self) -> None:
        """Close every connection and end the threads. Idempotent."""
        if self._closed:
            return
        for conn_attr in ("_loop_reader", "_loop_writer"):
            conn = getattr(self, conn_attr)
            setattr(self, conn_attr, None)
            if conn is not None:
                conn.close()
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
                if self.mode == "inline":
                    conn.close()
                else:
                    await thread.run(conn.close)
        self._closed = True
        self._writer_thread.shutdown()
        self._reader_thread.shutdown()


def is_busy(exc: sqlite3.Error) -> bool:
    """Return True if ``exc`` says another connection holds the lock the call needed."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


def _locked(exc: sqlite3.Error) -> bool:
    """Return True for SQLITE_BUSY or SQLITE_LOCKED: another connection holds the file."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


def translate_error(exc: sqlite3.Error, path: str, busy_timeout: float) -> DocSenseError:
    """Return the docsense error for a ``sqlite3`` error on the file at ``path``."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code == _SQLITE_FULL or (code == _SQLITE_IOERR and _nearly_full(path)):
        return StorageFull(
            f"SQLite store {path!r} cannot grow: the disk is full or the file reached the "
            f"process's file-size limit ({exc}); nothing of this write was kept, and reads "
            "still work: free space (or raise the limit), then retry"
        )
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return StoreUnavailable(
            f"{path!r} stayed locked by another writer for more than {busy_timeout:g} s: {exc}"
        )
    if code in (_SQLITE_CANTOPEN, _SQLITE_NOTADB, _SQLITE_READONLY):
        return StoreUnavailable(f"cannot use SQLite store {path!r}: {exc}")
    return StorageError(f"SQLite error on {path!r}: {exc}")


def _nearly_full(path: str) -> bool:
    """Return True if the file system or the file-size limit leaves ``path`` almost no room."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        stat = os.statvfs(folder)
        if stat.f_bavail * stat.f_frsize < _NEARLY_FULL:
            return True
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        pass
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return False
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if limit == resource.RLIM_INFINITY:
        return False
    for suffix in ("", "-wal", "-journal"):
        with contextlib.suppress(OSError):
            if os.path.getsize(path + suffix) + _NEARLY_FULL > limit:
                return True
    return False


def _foreign_tables(path: str) -> list[str] | None:
    """Return the tables of a database that is not a docsense store, or None if it may be used.

    An absent or empty file, a SQLite database without tables and a docsense store may be
    used. Read through a read-only connection, which changes nothing in the file. Raises
    StoreUnavailable for a file that is not a SQLite database at all.
    """
    try:
        with open(path, "rb") as file:
            header = file.read(len(_HEADER))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreUnavailable(f"cannot open SQLite store {path!r}: {exc}") from exc
    if not header:
        return None
    if header != _HEADER:
        raise StoreUnavailable(
            f"{path!r} is not a SQLite database (nor empty), so it cannot be a docsense store: "
            "give docsense a new file or an existing store"
        )
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        try:
            names = [str(r[0]) for r in conn.execute(_TABLES)]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"cannot read SQLite store {path!r}: {exc}") from exc
    if not names or "docsense_schema" in names:
        return None
    return names


_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
