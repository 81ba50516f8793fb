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
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from docsense.adapters.storage._chain import GENESIS, canonical_json, event_digest, link
from docsense.adapters.storage._common import check_append, dumps, loads, sha256_hex
from docsense.adapters.storage.migrations import SQLITE_MIGRATIONS, Migration
from docsense.adapters.storage.sqlite_appends import AppendCommitter
from docsense.adapters.storage.sqlite_database import (
    SQLiteDatabase,
    translate_error,
    write_transaction,
)
from docsense.adapters.storage.sqlite_projections import SQLiteProjectionStore
from docsense.errors import (
    BlobNotFound,
    ConcurrencyConflict,
    InvalidArgument,
    NotSupportedByStore,
)
from docsense.ports import ChainedEvent, NewEvent, RecordedEvent, Snapshot, StoreSize

__all__ = ["INLINE_ROWS", "SQLiteStorage"]

#: Events of a stream read on the event loop's thread in "auto" mode; the rest of a longer
#: stream is read on the reader thread.
INLINE_ROWS = 64

_Row = TypeVar("_Row")
_EVENT_COLUMNS = (
    "position, event_id, event_type, schema_version, stream_id, stream_version, "
    "occurred_at, payload, metadata"
)
_STREAM = (
    f"SELECT {_EVENT_COLUMNS}, hash FROM docsense_events WHERE stream_id = ? "
    "AND stream_version > ? ORDER BY stream_version"
)
#: Streams whose last hash an append remembers (so the next append need not read it).
_HEADS_KEPT = 10_000


class SQLiteStorage:
    """Event, snapshot and blob store in one SQLite file. Open it with :meth:`open`."""

    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db
        self._appended = asyncio.Event()
        self._appends = AppendCommitter(db, self._appended.set)
        self._projections = SQLiteProjectionStore(db)
        # stream id -> (version, hash of the event at that version): rows never change, so
        # an entry is right for as long as it exists; it only saves reading the hash.
        self._heads: dict[str, tuple[int, str]] = {}

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
        # The hash of the stream's event at expected_version: none at 0, usually remembered.
        first: str | None = None
        if events and expected_version:
            first = self._remembered_hash(stream_id, expected_version)
            if first is None:  # not remembered: read it (a coroutine only when needed)
                first = await self._previous_hash(stream_id, expected_version)
        previous = first or GENESIS
        # The check of where the stream is (its version and the hash of its event there:
        # the insert refuses a stream not at that event, so the chain is always linked to
        # what is stored, whatever this process believed), then nine columns per event.
        params: list[Any] = [stream_id, expected_version, first]
        chars = 0  # payload and metadata characters: what the commit mostly writes
        # The events of one command usually share one timestamp: format it once.
        last_time, last_text = None, ""
        version = expected_version
        for e in events:
            if e.occurred_at is not last_time:
                last_time, last_text = e.occurred_at, e.occurred_at.isoformat()
            # The canonical text is both what is stored and what is hashed.
            payload = canonical_json(e.payload)
            metadata = canonical_json(e.metadata) if e.metadata else "{}"
            chars += len(payload) + len(metadata)
            version += 1
            previous = link(
                previous,
                event_digest(
                    stream_id, version, e.event_type, e.schema_version, e.event_id, payload,
                    metadata,
                ),
            )
            params += (
                e.event_id,
                e.event_type,
                e.schema_version,
                stream_id,
                version,
                last_text,
                payload,
                metadata,
                previous,
            )
        if not events:
            return await self._appends.append(params, chars)
        # Remembered before the commit, so that an append made meanwhile on top of this one
        # (same stream, next version) chains to it; forgotten if this one fails.
        new_head = (version, previous)
        self._remember(stream_id, *new_head)
        try:
            return await self._appends.append(params, chars)
        except BaseException:
            if self._heads.get(stream_id) == new_head:
                del self._heads[stream_id]
            raise

    def _remembered_hash(self, stream_id: str, version: int) -> str | None:
        """Return the remembered hash of the stream's event at ``version``, if it is its head."""
        head = self._heads.get(stream_id)
        return head[1] if head is not None and head[0] == version else None

    def _remember(self, stream_id: str, version: int, hash_: str) -> None:
        if len(self._heads) >= _HEADS_KEPT:
            self._heads.clear()
        self._heads[stream_id] = (version, hash_)

    async def _previous_hash(self, stream_id: str, expected_version: int) -> str | None:
        """Return the hash of the stream's event at ``expected_version`` (None at 0).

        Raises ConcurrencyConflict if the stream has no event at that version (it is
        shorter), unless an append of this store is committing it.
        """
        if expected_version == 0:
            return None
        remembered = self._remembered_hash(stream_id, expected_version)
        if remembered is not None:
            return remembered

        def read(conn: sqlite3.Connection) -> tuple[Any, ...] | None:
            row: tuple[Any, ...] | None = conn.execute(
                "SELECT hash FROM docsense_events WHERE stream_id = ? AND stream_version = ?",
                (stream_id, expected_version),
            ).fetchone()
            return row

        row = await self._db.read(read)
        if row is None:
            current = await self.stream_version(stream_id)
            if current < expected_version:
                raise ConcurrencyConflict(stream_id, expected_version, current)
            row = await self._db.read(read)  # appended meanwhile: it is there now
            if row is None:  # pragma: no cover - rows are never removed while appending
                raise ConcurrencyConflict(stream_id, expected_version, current)
        return str(row[0])

    async def wait_for_events(self, max_wait: float) -> None:
        """Return after an append through this store, or after ``max_wait`` seconds.

        Appends by other processes are not announced: runners poll for them.
        """
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._appended.wait(), max_wait)
        self._appended.clear()

    async def read_stream(self, stream_id: str, from_version: int = 0) -> list[RecordedEvent]:
        """Return the stream's events after ``from_version``."""
        last: list[tuple[int, str]] = []

        def first(conn: sqlite3.Connection) -> list[RecordedEvent]:
            cursor = conn.execute(f"{_STREAM} LIMIT ?", (stream_id, from_version, INLINE_ROWS))
            rows = cursor.fetchall()
            if rows:
                last.append((int(rows[-1][5]), rows[-1][9]))
            return [_recorded(row) for row in rows]

        events = await self._db.read(first)
        if len(events) < INLINE_ROWS:
            if last:
                self._remember(stream_id, *last[-1])
            return events

        # A long stream: the rest on the reader thread. Streams only grow, so reading on
        # from the last version returned is the same as having read everything at once,
        # a moment later.
        def rest() -> list[RecordedEvent]:
            cursor = self._db.reader().execute(_STREAM, (stream_id, events[-1].stream_version))
            rows = cursor.fetchall()
            if rows:
                last.append((int(rows[-1][5]), rows[-1][9]))
            return [_recorded(row) for row in rows]

        events += await self._db.run_read(rest)
        self._remember(stream_id, *last[-1])
        return events

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
        return await self._read_all_as(after, limit, _EVENT_COLUMNS, _recorded)

    async def _read_all_as(
        self, after: int, limit: int, columns: str, make: Callable[[Any], _Row]
    ) -> list[_Row]:
        """Read ``columns`` of the events after ``after``; ``make`` builds each result there."""

        def read() -> list[_Row]:
            cursor = self._db.reader().execute(
                f"SELECT {columns} FROM docsense_events WHERE position > ? "
                "ORDER BY position LIMIT ?",
                (after, limit),
            )
            return [make(row) for row in cursor]

        return await self._db.run_read(read)

    async def head(self) -> int:
        """Return the last committed position (0 when empty)."""

        def read(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT COALESCE(MAX(position), 0) FROM docsense_events")
            return int(row.fetchone()[0])

        return await self._db.read(read)

    # --- tamper evidence, dump and restore, archival ----------------------------------

    async def read_all_chained(self, after: int = 0, limit: int = 1000) -> list[ChainedEvent]:
        """Return ``read_all(after, limit)`` with each event's stored chain hash."""
        return await self._read_all_as(
            after, limit, f"{_EVENT_COLUMNS}, hash",
            lambda row: ChainedEvent(_recorded(row), row[9]),
        )

    async def read_stream_chained(self, stream_id: str) -> list[ChainedEvent]:
        """Return every event of ``stream_id`` with its stored hash, in version order."""

        def read() -> list[ChainedEvent]:
            cursor = self._db.reader().execute(_STREAM, (stream_id, 0))
            return [ChainedEvent(_recorded(row), row[9]) for row in cursor]

        return await self._db.run_read(read)

    async def import_events(self, events: Sequence[ChainedEvent]) -> int:
        """Store ``events`` in order, in one transaction, with their hashes as given.

        Positions are the file's next ones (the events keep their order). An event whose
        stream already holds its version fails the whole batch (StorageError).
        """
        rows = [
            (
                e.event.event_id,
                e.event.event_type,
                e.event.schema_version,
                e.event.stream_id,
                e.event.stream_version,
                e.event.occurred_at.isoformat(),
                canonical_json(e.event.payload),
                canonical_json(e.event.metadata) if e.event.metadata else "{}",
                e.hash,
            )
            for e in events
        ]

        def write() -> None:
            conn = self._db.writer()
            with write_transaction(conn):
                conn.executemany(
                    "INSERT INTO docsense_events (event_id, event_type, schema_version, "
                    "stream_id, stream_version, occurred_at, payload, metadata, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )

        if rows:
            await self._db.run_write(write)
            self._appended.set()
        return len(rows)

    async def remove_streams(self, stream_ids: Sequence[str]) -> int:
        """Delete every event and snapshot of ``stream_ids``; return the events deleted.

        Refused (InvalidArgument) if the file's last event is among them: SQLite would then
        give its position to the next event, and projections past it would skip that event.
        """
        ids = list(dict.fromkeys(stream_ids))

        def write() -> int:
            conn = self._db.writer()
            deleted = 0
            with write_transaction(conn):
                last = conn.execute(
                    "SELECT stream_id FROM docsense_events ORDER BY position DESC LIMIT 1"
                ).fetchone()
                if last is not None and last[0] in ids:
                    raise InvalidArgument(
                        f"the store's last event belongs to {last[0]!r}: append the audit "
                        "record of the removal first, so that no position is reused"
                    )
                for stream_id in ids:
                    deleted += conn.execute(
                        "DELETE FROM docsense_events WHERE stream_id = ?", (stream_id,)
                    ).rowcount
                    conn.execute("DELETE FROM docsense_snapshots WHERE stream_id = ?", (stream_id,))
            return deleted

        deleted = await self._db.run_write(write)
        for stream_id in ids:
            self._heads.pop(stream_id, None)
        return deleted

    async def event_count(self) -> int:
        """Return the number of events stored."""

        def read() -> int:
            row = self._db.reader().execute("SELECT COUNT(*) FROM docsense_events").fetchone()
            return int(row[0])

        return await self._db.run_read(read)

    async def list_blobs(self, after: str = "", limit: int = 100) -> list[str]:
        """Return up to ``limit`` stored blob digests greater than ``after``, sorted."""

        def read() -> list[str]:
            cursor = self._db.reader().execute(
                "SELECT sha256 FROM docsense_blobs WHERE sha256 > ? ORDER BY sha256 LIMIT ?",
                (after, limit),
            )
            return [str(r[0]) for r in cursor]

        return await self._db.run_read(read)

    async def backup(self, target: str | Path, *, pages: int = 1024) -> None:
        """Copy the whole file to ``target`` with SQLite's online backup API.

        Safe while writers (in this or other processes) run: the copy is a consistent
        snapshot of one moment. It runs on a connection of its own, ``pages`` pages per
        step; a step that sees the file changed by another connection restarts the copy, so
        under constant writes from other processes a larger ``pages`` finishes sooner.
        ``target`` must not exist yet.
        """
        if self._db.in_memory:
            raise NotSupportedByStore("backup", self.url, "an in-memory SQLite store has no file")
        destination = Path(target)

        def copy() -> None:
            if destination.exists():
                raise InvalidArgument(f"backup target {str(destination)!r} already exists")
            if not destination.parent.is_dir():
                raise InvalidArgument(
                    f"backup folder {str(destination.parent)!r} does not exist"
                )
            source = sqlite3.connect(self._db.path, isolation_level=None)
            try:
                source.execute(f"PRAGMA busy_timeout = {int(self._db.busy_timeout * 1000)}")
                out = sqlite3.connect(str(destination), isolation_level=None)
                try:
                    source.backup(out, pages=pages)
                    out.execute("PRAGMA journal_mode = WAL").fetchall()
                finally:
                    out.close()
            finally:
                source.close()

        try:
            await asyncio.to_thread(copy)
        except sqlite3.Error as exc:
            with contextlib.suppress(OSError):
                await asyncio.to_thread(destination.unlink)
            raise translate_error(exc, str(destination), self._db.busy_timeout) from exc

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
