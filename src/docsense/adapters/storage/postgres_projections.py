"""PostgreSQL projection store: read models, checkpoints and dead letters beside the events.

A batch commits in one transaction: the checkpoint's compare-and-set (``UPDATE ... WHERE
position = expected``) first, so a second runner of the same projection blocks on the row and
then finds it moved (:class:`~docsense.errors.ProjectionConflict`); then the read-model
upserts and deletes, each as one ``unnest`` statement. All of that is the server function
``ds_commit_projection`` (migration 6), so a batch without dead-letter changes commits in one
round trip, as one implicit transaction; a batch that parks or unparks events wraps the call
and the dead-letter statements in an explicit transaction. Positions
are stored as ``numeric(40, 0)`` because PostgreSQL positions are ``tx_id * 2**64 + seq``.

Filters compare JSON numbers as numbers and strings by code point (``COLLATE "C"``), the same
order the memory and SQLite stores use.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from docsense.adapters.storage._common import (
    check_filters,
    check_name,
    dumps,
    dumps_documents,
    loads,
)
from docsense.errors import InvalidArgument, ProjectionConflict
from docsense.ports import Checkpoint, DeadLetter, Filter, JSONObject, ProjectionCommit

if TYPE_CHECKING:
    import asyncpg

    from docsense.adapters.storage.postgres import PostgresStorage

__all__ = ["PostgresProjectionStore"]

_ACTIVE = (
    "r.generation = (SELECT c.generation FROM ds_projection_checkpoints c "
    "WHERE c.projection = r.projection AND c.active)"
)


class PostgresProjectionStore:
    """The :class:`~docsense.ports.ProjectionStore` of a :class:`PostgresStorage`."""

    #: The server does a commit's work, on another core: runners project on meanwhile.
    overlaps_commits = True

    def __init__(self, storage: PostgresStorage) -> None:
        self._storage = storage

    async def checkpoints(self, projection: str) -> list[Checkpoint]:
        """Return the projection's generations, oldest first."""
        async with self._storage._connection() as conn:
            rows = await conn.fetch(
                "SELECT generation, position, active FROM ds_projection_checkpoints "
                "WHERE projection = $1 ORDER BY generation",
                projection,
            )
        return [Checkpoint(projection, int(r[0]), int(r[1]), bool(r[2])) for r in rows]

    async def start_generation(self, projection: str) -> Checkpoint:
        """Create the next generation at position 0 (active if it is the first)."""
        check_name("projection", projection)
        async with self._storage._connection() as conn, conn.transaction():
            # Serialise generation numbering per projection.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", projection)
            row = await conn.fetchrow(
                "SELECT COALESCE(MAX(generation), 0), COUNT(*) FROM ds_projection_checkpoints "
                "WHERE projection = $1",
                projection,
            )
            generation, existing = int(row[0]) + 1, int(row[1])
            await conn.execute(
                "DELETE FROM ds_read_models WHERE projection = $1 AND generation = $2",
                projection,
                generation,
            )
            await conn.execute(
                "INSERT INTO ds_projection_checkpoints VALUES ($1, $2, 0, $3)",
                projection,
                generation,
                existing == 0,
            )
        return Checkpoint(projection, generation, 0, active=existing == 0)

    async def activate_generation(self, projection: str, generation: int) -> None:
        """Swap ``generation`` in and drop the others, in one transaction."""
        async with self._storage._connection() as conn, conn.transaction():
            found = await conn.fetchval(
                "SELECT 1 FROM ds_projection_checkpoints WHERE projection = $1 "
                "AND generation = $2 FOR UPDATE",
                projection,
                generation,
            )
            if found is None:
                raise InvalidArgument(f"projection {projection!r} has no generation {generation}")
            for table in ("ds_read_models", "ds_dead_letters", "ds_projection_checkpoints"):
                await conn.execute(
                    f"DELETE FROM {table} WHERE projection = $1 AND generation != $2",
                    projection,
                    generation,
                )
            await conn.execute(
                "UPDATE ds_projection_checkpoints SET active = true "
                "WHERE projection = $1 AND generation = $2",
                projection,
                generation,
            )

    async def commit(self, batch: ProjectionCommit) -> None:
        """Apply the batch atomically if the checkpoint is still at its expected position."""
        upserts = [c for c in batch.changes if c.doc is not None]
        deletes = [c for c in batch.changes if c.doc is None]
        p, g = batch.projection, batch.generation
        args = (
            p,
            g,
            Decimal(batch.expected_position),
            Decimal(batch.new_position),
            [c.collection for c in upserts],
            [c.key for c in upserts],
            [dumps_documents(batch, c.doc) for c in upserts],
            [c.collection for c in deletes],
            [c.key for c in deletes],
        )
        dead_letters = bool(batch.parked or batch.unparked)
        async with self._storage._connection() as conn:
            # Alone, the call is its own transaction; dead-letter changes must join it.
            scope: AbstractAsyncContextManager[Any] = (
                conn.transaction() if dead_letters else contextlib.nullcontext()
            )
            async with scope:
                if not await conn.fetchval(
                    "SELECT ds_commit_projection($1, $2, $3, $4, $5, $6, $7, $8, $9)", *args
                ):
                    raise ProjectionConflict(p, g, batch.expected_position)
                if dead_letters:
                    await self._commit_dead_letters(conn, batch)

    @staticmethod
    async def _commit_dead_letters(conn: asyncpg.Connection, batch: ProjectionCommit) -> None:
        p, g = batch.projection, batch.generation
        if batch.unparked:
            await conn.execute(
                "DELETE FROM ds_dead_letters WHERE projection = $1 AND generation = $2 "
                "AND event_id = ANY($3::text[])",
                p,
                g,
                list(batch.unparked),
            )
        for d in batch.parked:
            await conn.execute(
                "INSERT INTO ds_dead_letters VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                "ON CONFLICT (projection, generation, event_id) DO UPDATE SET "
                "error = excluded.error, traceback = excluded.traceback, "
                "attempts = excluded.attempts, parked_at = excluded.parked_at",
                d.projection,
                d.generation,
                d.event_id,
                Decimal(d.position),
                d.event_type,
                d.stream_id,
                d.error,
                d.traceback,
                d.attempts,
                d.parked_at,
            )

    async def get_doc(
        self, projection: str, generation: int, collection: str, key: str
    ) -> JSONObject | None:
        """Return one committed document."""
        async with self._storage._connection() as conn:
            text = await conn.fetchval(
                "SELECT doc::text FROM ds_read_models WHERE projection = $1 AND generation = $2 "
                "AND collection = $3 AND key = $4",
                projection,
                generation,
                collection,
                key,
            )
        return None if text is None else dict(loads(text))

    @staticmethod
    def _where(
        projection: str, collection: str, filters: Sequence[Filter]
    ) -> tuple[str, list[Any]]:
        clauses = ["r.projection = $1", "r.collection = $2", _ACTIVE]
        params: list[Any] = [projection, collection]

        def param(value: Any) -> str:
            params.append(value)
            return f"${len(params)}"

        for f in filters:
            field = f"r.doc -> '{f.field}'"
            text = f"(r.doc ->> '{f.field}')"
            if f.op == "in":
                values = [dumps(_scalar(v)) for v in f.value]
                clauses.append(f"{field} = ANY({param(values)}::jsonb[])")
            elif f.value is None:
                clauses.append("false")
            elif isinstance(f.value, bool):
                if f.op not in ("=", "!="):
                    raise InvalidArgument(f"booleans support only = and != (field {f.field!r})")
                clauses.append(f"{field} {f.op} {param(dumps(f.value))}::jsonb")
            elif isinstance(f.value, int | float):
                number = f"(CASE WHEN jsonb_typeof({field}) = 'number' THEN {text}::numeric END)"
                clauses.append(f"{number} {f.op} {param(Decimal(str(f.value)))}::numeric")
            elif isinstance(f.value, str):
                clauses.append(
                    f"(CASE WHEN jsonb_typeof({field}) = 'string' THEN {text} END) "
                    f'COLLATE "C" {f.op} {param(f.value)}::text'
                )
            else:
                raise InvalidArgument(
                    f"filter values must be JSON scalars, got {type(f.value).__name__}"
                )
        return " AND ".join(clauses), params

    async def query(
        self,
        projection: str,
        collection: str,
        *,
        filters: Sequence[Filter] = (),
        order_by: str | None = None,
        descending: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> list[JSONObject]:
        """Return matching documents of the active generation, ordered and paginated."""
        check_filters(filters, order_by)
        where, params = self._where(projection, collection, filters)
        order = "r.key"
        if order_by is not None:
            field, text = f"r.doc -> '{order_by}'", f"(r.doc ->> '{order_by}')"
            direction = "DESC" if descending else "ASC"
            order = (
                f"({text} IS NULL), "
                f"(CASE WHEN jsonb_typeof({field}) = 'number' THEN {text}::numeric END) "
                f"{direction}, {text} COLLATE \"C\" {direction}, r.key"
            )
        n = len(params)
        sql = (
            f"SELECT r.doc::text FROM ds_read_models r WHERE {where} "
            f"ORDER BY {order} LIMIT ${n + 1} OFFSET ${n + 2}"
        )
        async with self._storage._connection() as conn:
            rows = await conn.fetch(sql, *params, max(limit, 0), max(offset, 0))
        return [dict(loads(r[0])) for r in rows]

    async def count(
        self, projection: str, collection: str, *, filters: Sequence[Filter] = ()
    ) -> int:
        """Return how many active documents match."""
        check_filters(filters)
        where, params = self._where(projection, collection, filters)
        async with self._storage._connection() as conn:
            return int(
                await conn.fetchval(f"SELECT COUNT(*) FROM ds_read_models r WHERE {where}", *params)
            )

    async def dead_letters(self, projection: str | None = None) -> list[DeadLetter]:
        """Return parked events of active generations, in event order."""
        async with self._storage._connection() as conn:
            rows = await conn.fetch(
                "SELECT d.projection, d.generation, d.event_id, d.position, d.event_type, "
                "d.stream_id, d.error, d.traceback, d.attempts, d.parked_at "
                "FROM ds_dead_letters d JOIN ds_projection_checkpoints c "
                "ON c.projection = d.projection AND c.generation = d.generation AND c.active "
                "WHERE ($1::text IS NULL OR d.projection = $1) "
                "ORDER BY d.projection, d.position",
                projection,
            )
        return [
            DeadLetter(
                projection=r[0],
                generation=int(r[1]),
                event_id=r[2],
                position=int(r[3]),
                event_type=r[4],
                stream_id=r[5],
                error=r[6],
                traceback=r[7],
                attempts=int(r[8]),
                parked_at=r[9],
            )
            for r in rows
        ]


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise InvalidArgument(f"filter values must be JSON scalars, got {type(value).__name__}")
