"""PostgreSQL storage (``postgresql://user@host:port/db``) on asyncpg, for teams and scale-out.

Appends
-------
One round trip per append: the ``ds_append`` function (created by the migrations) bumps the
stream's row in ``ds_streams`` from ``expected_version`` (``UPDATE ... WHERE version =
expected``, or ``INSERT ... ON CONFLICT DO NOTHING`` for a new stream) and inserts the batch.
Two writers racing on one stream serialise on that row: the loser's ``UPDATE`` re-reads the
row after the winner commits, matches nothing, and the function raises SQLSTATE ``DS409``,
which becomes :class:`~docsense.errors.ConcurrencyConflict`. Writers to different streams
never wait for each other: there is no table lock.

Global order without skipped events
-----------------------------------
Every event row records ``tx_id = pg_current_xact_id()`` (the writing transaction's 64-bit
id) and ``seq`` (an identity column). ``read_all`` orders by ``(tx_id, seq)`` and returns only
rows with ``tx_id`` below a *fence* computed from the query's own snapshot. The plain fence is
``pg_snapshot_xmin(pg_current_snapshot())``, the oldest transaction still running:

1. Every transaction with a lower id has finished, so its rows are either all visible to the
   reader's query (committed; ``pg_current_snapshot()`` is the snapshot of that very query)
   or will never exist (aborted). The set of rows below a fence never changes afterwards.
2. A transaction that commits later is either running now (its id is ``>= xmin``) or has not
   started (it will take an id above every id assigned so far). Its events therefore sort
   after everything a reader has already been given.
3. Hence positions returned to a reader strictly increase and no event that commits later
   can appear below a position already returned: tailing ``read_all`` never skips an event.

Ordering by ``seq`` alone under the same fence would not be enough: a transaction can take a
lower transaction id but a higher sequence value than another and commit first.

The plain fence waits for *every* transaction in the cluster, so one long transaction of an
unrelated application would stall ``read_all`` (and projections) for as long as it runs. So
``ds_append`` first takes a shared, transaction-scoped advisory lock that announces "this
transaction appends events here" (before its first write, hence before it has an id), and the
fence is the lowest id in the snapshot's in-progress list (``pg_snapshot_xip``) that is not
provably a non-appender: an id is skipped only if that transaction is *still running* (it
holds its ``transactionid`` lock in ``pg_locks``) and its backend does *not* hold the append
lock, both judged from *one* read of ``pg_locks`` (a materialised CTE: two separate reads
could see an appender's id lock before it committed and miss its append lock after). An
appender running at the snapshot already held the append lock then (it takes it before its
id) and keeps it until after its id lock is released (PostgreSQL releases regular locks
before advisory ones at commit), so no single read shows its id lock without its append
lock; one that ended between the snapshot and that read has no id lock left and so stays in
the fence. The
argument above therefore holds with this fence too, and unrelated transactions no longer
delay readers. (Call ``ds_append`` in a transaction of its own, as this adapter does: a
transaction that already had an id before it appended is not announced.)

The pair is exposed as one int, ``position = tx_id * 2**64 + seq``, so it orders the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from docsense.adapters.storage._chain import canonical_json, event_digest
from docsense.adapters.storage._common import check_append, dumps, sha256_hex
from docsense.adapters.storage.migrations import POSTGRES_MIGRATIONS, Migration
from docsense.adapters.storage.postgres_database import (
    PostgresDatabase,
    driver_errors,
    import_asyncpg,
)
from docsense.adapters.storage.postgres_jobs import PostgresJobQueue
from docsense.adapters.storage.postgres_leader import PostgresLeaderElector, current_leaders
from docsense.adapters.storage.postgres_projections import PostgresProjectionStore
from docsense.errors import (
    BlobNotFound,
    ConcurrencyConflict,
    DuplicateEventId,
)
from docsense.ports import ChainedEvent, NewEvent, RecordedEvent, Snapshot, StoreSize

if TYPE_CHECKING:
    import asyncpg

__all__ = ["PostgresStorage", "decode_position", "encode_position"]

logger = logging.getLogger(__name__)

_SEQ_BITS = 64
_SEQ_MASK = (1 << _SEQ_BITS) - 1

# The text form of tx_id gets an alias of its own: an ORDER BY naming "tx_id" would otherwise
# sort by that text output column (lexicographically: "1000" < "999") instead of the xid8.
# The read fence (see the module docstring); one evaluation per statement (an InitPlan).
_FENCE = """(WITH locks AS MATERIALIZED (
        SELECT locktype, transactionid, pid, mode, granted, classid, objid, objsubid
        FROM pg_locks WHERE locktype IN ('transactionid', 'advisory'))
    SELECT coalesce(
        (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
         WHERE NOT EXISTS (
            SELECT 1 FROM locks t
            WHERE t.locktype = 'transactionid' AND t.transactionid = xid(x)
              AND t.mode = 'ExclusiveLock' AND t.granted
              AND NOT EXISTS (
                  SELECT 1 FROM locks a
                  WHERE a.locktype = 'advisory' AND a.pid = t.pid
                    AND a.classid = 1685284145 AND a.objsubid = 2
                    AND a.objid = hashtext('docsense-append:' || current_schema())::oid))),
        pg_snapshot_xmax(pg_current_snapshot())))"""

_EVENT_COLUMNS = (
    "e.tx_id::text AS tx_text, e.seq, e.event_id, e.event_type, e.schema_version, e.stream_id, "
    "e.stream_version, e.occurred_at, e.payload::text, e.metadata::text"
)

def encode_position(tx_id: int, seq: int) -> int:
    """Combine a transaction id and sequence value into one ordered int."""
    return (tx_id << _SEQ_BITS) | seq


def decode_position(position: int) -> tuple[int, int]:
    """Split a position back into ``(tx_id, seq)``."""
    return position >> _SEQ_BITS, position & _SEQ_MASK


class PostgresStorage:
    """Event, snapshot and blob store on PostgreSQL. Open it with :meth:`open`.

    ``?schema=name`` in the URL keeps docsense's tables in their own schema (created if
    needed); otherwise they go in the connection's default ``search_path``.
    """

    def __init__(self, db: PostgresDatabase, *, notify: bool = True) -> None:
        self._db = db
        self._notify = notify
        self._notify_task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None
        self._woken = asyncio.Event()
        self._projections = PostgresProjectionStore(db)

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        pool_size: int = 10,
        connect_timeout: float = 10.0,
        command_timeout: float = 60.0,
        notify: bool = True,
        migrations: Sequence[Migration] = POSTGRES_MIGRATIONS,
    ) -> PostgresStorage:
        """Connect, create or migrate the schema, and return the store.

        With ``notify`` (the default) every append is followed by a coalesced
        ``NOTIFY`` that wakes projection runners waiting in :meth:`wait_for_events`.
        """
        db = await PostgresDatabase.open(
            url,
            pool_size=pool_size,
            connect_timeout=connect_timeout,
            command_timeout=command_timeout,
            migrations=migrations,
        )
        return cls(db, notify=notify)

    @property
    def url(self) -> str:
        """The URL the store was opened with, password removed."""
        return self._db.url

    @property
    def channel(self) -> str:
        """The ``NOTIFY`` channel appends to this schema are announced on."""
        return self._db.channel

    @property
    def jobs(self) -> PostgresJobQueue:
        """The review job queue (claims with FOR UPDATE SKIP LOCKED under a lease)."""
        return PostgresJobQueue(self._db)

    def leader_elector(self) -> PostgresLeaderElector:
        """Return a new leader elector (its own session) for projections run by many processes."""
        return PostgresLeaderElector(self._db)

    async def projection_leaders(self, projections: Sequence[str]) -> dict[str, bool]:
        """Return, per projection, whether a worker (of any process) leads it now."""
        return await current_leaders(self._db, projections)

    @property
    def projections(self) -> PostgresProjectionStore:
        """The projection store (read models, checkpoints, dead letters) in the same database."""
        return self._projections

    async def schema_version(self) -> int:
        """Return the database's docsense schema version."""
        return await self._db.schema_version()

    # --- event store --------------------------------------------------------------------

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> list[int]:
        """Append ``events`` atomically if the stream is at ``expected_version``."""
        check_append(stream_id, events, expected_version)
        if not events:
            current = await self.stream_version(stream_id)
            if current != expected_version:
                raise ConcurrencyConflict(stream_id, expected_version, current)
            return []
        asyncpg = import_asyncpg()
        # The canonical texts are sent as the jsonb values and hashed: ds_append links the
        # digests into the stream's chain under the stream's row lock.
        payloads = [canonical_json(e.payload) for e in events]
        metadata = [canonical_json(e.metadata) for e in events]
        digests = [
            event_digest(
                stream_id, expected_version + i, e.event_type, e.schema_version, e.event_id,
                payloads[i - 1], metadata[i - 1],
            )
            for i, e in enumerate(events, start=1)
        ]
        async with self._db.connection() as conn:
            try:
                rows = await conn.fetch(
                    "SELECT r_tx, r_seq FROM ds_append($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    stream_id,
                    expected_version,
                    [e.event_id for e in events],
                    [e.event_type for e in events],
                    [e.schema_version for e in events],
                    [e.occurred_at for e in events],
                    payloads,
                    metadata,
                    digests,
                )
            except asyncpg.UniqueViolationError as exc:
                raise DuplicateEventId(events[0].event_id, stream_id) from exc
            except asyncpg.PostgresError as exc:
                if getattr(exc, "sqlstate", None) == "DS409":
                    detail = getattr(exc, "detail", None)
                    actual = int(detail) if detail and detail.isdigit() else None
                    raise ConcurrencyConflict(stream_id, expected_version, actual) from exc
                raise
        if self._notify:
            self._schedule_notify()
        return [encode_position(int(r[0]), int(r[1])) for r in rows]

    # --- wake-ups -----------------------------------------------------------------------
    #
    # NOTIFY inside the append transaction would make every committing writer queue on
    # PostgreSQL's notification lock until its WAL flush, serialising all writers. So the
    # hint is sent after the commit, at most one in flight per store, in a transaction of
    # its own that does not wait for the disk. Readers poll as well, so a lost hint only
    # costs latency.

    def _schedule_notify(self) -> None:
        if self._notify_task is None or self._notify_task.done():
            self._notify_task = asyncio.get_running_loop().create_task(self._send_notify())

    async def _send_notify(self) -> None:
        await asyncio.sleep(0.002)  # coalesce the appends of the next few milliseconds
        try:
            async with self._db.connection() as conn, conn.transaction():
                await conn.execute("SET LOCAL synchronous_commit = off")
                await conn.execute("SELECT pg_notify($1, '')", self.channel)
        except Exception as exc:  # a hint only: polling covers a lost one; never leak it
            logger.debug("could not send the append notification: %s", exc)

    async def wait_for_events(self, max_wait: float) -> None:
        """Return when another append is announced (LISTEN/NOTIFY) or after ``max_wait`` s."""
        if self._listener is None or self._listener.is_closed():
            try:
                self._listener = await self._db.connect_session()
                await self._listener.add_listener(self.channel, self._on_notify)
            except driver_errors() as exc:
                logger.warning("LISTEN unavailable (%s); polling only", exc)
                await self._drop_listener()
                await asyncio.sleep(max_wait)
                return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), max_wait)
        self._woken.clear()

    def _on_notify(self, *_: Any) -> None:
        self._woken.set()

    async def _drop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            listener.terminate()

    async def read_stream(self, stream_id: str, from_version: int = 0) -> list[RecordedEvent]:
        """Return the stream's events after ``from_version``."""
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                f"SELECT {_EVENT_COLUMNS} FROM ds_events e "
                "WHERE e.stream_id = $1 AND e.stream_version > $2 ORDER BY e.stream_version",
                stream_id,
                from_version,
            )
        return [_recorded(r) for r in rows]

    async def stream_version(self, stream_id: str) -> int:
        """Return the number of events in ``stream_id``."""
        async with self._db.connection() as conn:
            version = await conn.fetchval(
                "SELECT version FROM ds_streams WHERE stream_id = $1", stream_id
            )
        return int(version or 0)

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Return up to ``limit`` events after ``after`` in ``(tx_id, seq)`` order.

        Only events below the fence of the query's snapshot are returned: see the module
        docstring for why that never skips an event.
        """
        rows = await self._read_all_rows(after, limit, _EVENT_COLUMNS)
        return [_recorded(r) for r in rows]

    async def _read_all_rows(self, after: int, limit: int, columns: str) -> list[Any]:
        tx_id, seq = decode_position(max(after, 0))
        async with self._db.connection() as conn:
            rows: list[Any] = await conn.fetch(
                f"SELECT {columns} FROM ds_events e "
                "WHERE (e.tx_id, e.seq) > ($1::text::xid8, $2) "
                f"AND e.tx_id < {_FENCE} "
                "ORDER BY e.tx_id, e.seq LIMIT $3",
                str(tx_id),
                seq,
                limit,
            )
        return rows

    async def head(self) -> int:
        """Return the position of the last event ``read_all`` can return now."""
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                "SELECT e.tx_id::text AS tx_text, e.seq FROM ds_events e "
                f"WHERE e.tx_id < {_FENCE} "
                "ORDER BY e.tx_id DESC, e.seq DESC LIMIT 1"
            )
        return 0 if row is None else encode_position(int(row[0]), int(row[1]))

    # --- tamper evidence, dump and restore, archival ----------------------------------

    async def read_all_chained(self, after: int = 0, limit: int = 1000) -> list[ChainedEvent]:
        """Return ``read_all(after, limit)`` with each event's stored chain hash."""
        rows = await self._read_all_rows(after, limit, f"{_EVENT_COLUMNS}, e.hash")
        return [ChainedEvent(_recorded(r), r[10]) for r in rows]

    async def read_stream_chained(self, stream_id: str) -> list[ChainedEvent]:
        """Return every event of ``stream_id`` with its stored hash, in version order."""
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                f"SELECT {_EVENT_COLUMNS}, e.hash FROM ds_events e "
                "WHERE e.stream_id = $1 ORDER BY e.stream_version",
                stream_id,
            )
        return [ChainedEvent(_recorded(r), r[10]) for r in rows]

    async def import_events(self, events: Sequence[ChainedEvent]) -> int:
        """Store ``events`` in order, in one transaction, with their hashes as given.

        The transaction announces itself as an appender (the advisory lock ``ds_append``
        takes), so ``read_all`` fences on it like on any append. Positions are new ones;
        the order is kept. An event whose stream already holds its version fails the
        batch (StorageError).
        """
        if not events:
            return 0
        columns: list[list[Any]] = [[] for _ in range(9)]
        for c in events:
            e = c.event
            values = (
                e.event_id, e.event_type, e.schema_version, e.stream_id, e.stream_version,
                e.occurred_at, canonical_json(e.payload), canonical_json(e.metadata), c.hash,
            )
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        async with self._db.connection() as conn, conn.transaction():
            await conn.execute(
                "SELECT pg_advisory_xact_lock_shared(1685284145, "
                "hashtext('docsense-append:' || current_schema()))"
            )
            await conn.execute(
                "INSERT INTO ds_events (event_id, event_type, schema_version, stream_id, "
                "stream_version, occurred_at, payload, metadata, hash) "
                "SELECT u.i, u.t, u.s, u.st, u.v, u.o, u.p, u.m, u.h FROM unnest("
                "$1::text[], $2::text[], $3::integer[], $4::text[], $5::bigint[], "
                "$6::timestamptz[], $7::jsonb[], $8::jsonb[], $9::text[]) WITH ORDINALITY "
                "AS u(i, t, s, st, v, o, p, m, h, ord) ORDER BY u.ord",
                *columns,
            )
            await conn.execute(
                "INSERT INTO ds_streams (stream_id, version) "
                "SELECT u.st, max(u.v) FROM unnest($1::text[], $2::bigint[]) AS u(st, v) "
                "GROUP BY u.st ON CONFLICT (stream_id) DO UPDATE SET version = "
                "greatest(ds_streams.version, excluded.version)",
                columns[3],
                columns[4],
            )
        if self._notify:
            self._schedule_notify()
        return len(events)

    async def remove_streams(self, stream_ids: Sequence[str]) -> int:
        """Delete every event, snapshot and stream row of ``stream_ids``; return the events.

        Positions are never reused here (they come from transaction ids and a sequence).
        """
        ids = list(dict.fromkeys(stream_ids))
        async with self._db.connection() as conn, conn.transaction():
            status = await conn.execute(
                "DELETE FROM ds_events WHERE stream_id = ANY($1::text[])", ids
            )
            await conn.execute("DELETE FROM ds_streams WHERE stream_id = ANY($1::text[])", ids)
            await conn.execute(
                "DELETE FROM ds_snapshots WHERE stream_id = ANY($1::text[])", ids
            )
        return int(status.split()[-1])

    async def event_count(self) -> int:
        """Return the number of events stored."""
        async with self._db.connection() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM ds_events"))

    async def list_blobs(self, after: str = "", limit: int = 100) -> list[str]:
        """Return up to ``limit`` stored blob digests greater than ``after``, sorted."""
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                "SELECT sha256 FROM ds_blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT $2",
                after,
                limit,
            )
        return [str(r[0]) for r in rows]

    # --- snapshots and blobs ------------------------------------------------------------

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        """Store ``snapshot`` unless a newer snapshot of the stream is stored."""
        async with self._db.connection() as conn:
            await conn.execute(
                "INSERT INTO ds_snapshots (stream_id, version, schema_version, state) "
                "VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (stream_id) DO UPDATE SET "
                "version = excluded.version, schema_version = excluded.schema_version, "
                "state = excluded.state WHERE excluded.version >= ds_snapshots.version",
                snapshot.stream_id,
                snapshot.version,
                snapshot.schema_version,
                dumps(snapshot.state),
            )

    async def load_snapshot(self, stream_id: str) -> Snapshot | None:
        """Return the latest snapshot of ``stream_id``, or None."""
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                "SELECT version, schema_version, state::text FROM ds_snapshots "
                "WHERE stream_id = $1",
                stream_id,
            )
        if row is None:
            return None
        return Snapshot(stream_id, int(row[0]), int(row[1]), json.loads(row[2]))

    async def put_blob(self, data: bytes) -> str:
        """Store ``data`` once under its SHA-256 and return the digest."""
        digest = sha256_hex(data)
        async with self._db.connection() as conn:
            await conn.execute(
                "INSERT INTO ds_blobs (sha256, size, data) VALUES ($1, $2, $3) "
                "ON CONFLICT (sha256) DO NOTHING",
                digest,
                len(data),
                bytes(data),
            )
        return digest

    async def get_blob(self, sha256: str) -> bytes:
        """Return the bytes stored under ``sha256``."""
        async with self._db.connection() as conn:
            data = await conn.fetchval("SELECT data FROM ds_blobs WHERE sha256 = $1", sha256)
        if data is None:
            raise BlobNotFound(sha256)
        return bytes(data)

    async def has_blob(self, sha256: str) -> bool:
        """Return True if bytes are stored under ``sha256``."""
        async with self._db.connection() as conn:
            found = await conn.fetchval("SELECT 1 FROM ds_blobs WHERE sha256 = $1", sha256)
        return found is not None

    async def store_size(self) -> StoreSize:
        """Return the number of events and the size of docsense's tables (with indexes)."""
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM ds_events), "
                "(SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname = current_schema() "
                "AND (c.relname LIKE 'ds\\_%' OR c.relname = 'docsense_schema'))::bigint"
            )
        return StoreSize(int(row[0]), int(row[1]))

    async def close(self) -> None:
        """Close the pool. Idempotent."""
        if self._db.closed:
            return
        if self._notify_task is not None and not self._notify_task.done():
            await asyncio.wait([self._notify_task], timeout=5)
        if self._listener is not None and not self._listener.is_closed():
            try:
                await self._listener.close(timeout=5)
            except driver_errors():  # a broken session: nothing left to say goodbye to
                self._listener.terminate()
        await self._db.close()


def _recorded(row: Any) -> RecordedEvent:
    return RecordedEvent(
        position=encode_position(int(row[0]), int(row[1])),
        event_id=row[2],
        event_type=row[3],
        schema_version=int(row[4]),
        stream_id=row[5],
        stream_version=int(row[6]),
        occurred_at=row[7],
        payload=json.loads(row[8]),
        metadata=json.loads(row[9]),
    )
