"""SQLite projection store: read models, checkpoints and dead letters in the event file.

A projection batch is committed by one call on the store's writer thread: one statement,
an insert into the view ``docsense_projection_commit`` whose trigger (migrations 4, 5) does the
checkpoint's compare-and-set (it raises unless the position is the expected one), moves it
and upserts and deletes the documents, atomically as every SQLite statement is; a batch
that also parks or unparks events wraps that statement and the dead-letter changes in
``BEGIN IMMEDIATE``. Checkpoint, read model and dead letters commit together or not at
all. A process killed mid-batch therefore leaves the previous checkpoint and the
previous read model, and the batch is applied exactly once when it restarts. These commits
run on a connection of their own with ``synchronous=NORMAL`` (appends keep ``FULL``): a
power cut can undo the last few, atomically, and they are redone from the events.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from docsense.adapters.storage._common import (
    check_filters,
    check_name,
    dumps_documents,
    loads,
)
from docsense.adapters.storage.sqlite_database import SQLiteDatabase, write_transaction
from docsense.errors import InvalidArgument, ProjectionConflict
from docsense.ports import Checkpoint, DeadLetter, Filter, JSONObject, ProjectionCommit

__all__ = ["SQLiteProjectionStore"]

# The message of the RAISE in migration 4's trigger when the checkpoint has moved on.
_CHECKPOINT_MOVED = "docsense: projection checkpoint moved"
_SQL_OPS = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

#: Rows of a retired generation deleted per transaction after a swap (see
#: :meth:`SQLiteProjectionStore.activate_generation`).
DROP_CHUNK = 5_000


class SQLiteProjectionStore:
    """The :class:`~docsense.ports.ProjectionStore` of one SQLite file."""

    #: A commit runs on the writer thread as two statements that hold no interpreter lock
    #: while SQLite works (see :meth:`commit`), so runners project on meanwhile.
    overlaps_commits = True

    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def checkpoints(self, projection: str) -> list[Checkpoint]:
        """Return the projection's generations, oldest first."""

        def read() -> list[Checkpoint]:
            rows = self._db.reader().execute(
                "SELECT generation, position, active FROM docsense_projection_checkpoints "
                "WHERE projection = ? ORDER BY generation",
                (projection,),
            )
            return [Checkpoint(projection, int(g), int(p), bool(a)) for g, p, a in rows]

        return await self._db.run_read(read)

    async def start_generation(self, projection: str) -> Checkpoint:
        """Create the next generation at position 0 (active if it is the first)."""
        check_name("projection", projection)

        def write() -> Checkpoint:
            with write_transaction(self._db.writer()) as conn:
                row = conn.execute(
                    "SELECT COALESCE(MAX(generation), 0), COUNT(*) "
                    "FROM docsense_projection_checkpoints WHERE projection = ?",
                    (projection,),
                ).fetchone()
                generation, existing = int(row[0]) + 1, int(row[1])
                conn.execute(
                    "DELETE FROM docsense_read_models WHERE projection = ? AND generation = ?",
                    (projection, generation),
                )
                conn.execute(
                    "INSERT INTO docsense_projection_checkpoints VALUES (?, ?, 0, ?)",
                    (projection, generation, int(existing == 0)),
                )
            return Checkpoint(projection, generation, 0, active=existing == 0)

        return await self._db.run_write(write)

    async def activate_generation(self, projection: str, generation: int) -> None:
        """Swap ``generation`` in and drop the others.

        The swap (checkpoints, dead letters, the active flag) is one short transaction. The
        documents of the generations it retires are deleted after it, at most
        :data:`DROP_CHUNK` rows per transaction: the file has one write lock, which every
        append needs too, and deleting a large read model in one transaction would hold it
        for seconds. Readers see only the active generation, so retired rows are invisible
        from the swap on; rows left behind by a process that stopped before deleting them
        all are deleted by the next activation.
        """

        def swap() -> None:
            with write_transaction(self._db.writer()) as conn:
                found = conn.execute(
                    "SELECT 1 FROM docsense_projection_checkpoints "
                    "WHERE projection = ? AND generation = ?",
                    (projection, generation),
                ).fetchone()
                if found is None:
                    raise InvalidArgument(
                        f"projection {projection!r} has no generation {generation}"
                    )
                for table in ("docsense_dead_letters", "docsense_projection_checkpoints"):
                    conn.execute(
                        f"DELETE FROM {table} WHERE projection = ? AND generation != ?",
                        (projection, generation),
                    )
                conn.execute(
                    "UPDATE docsense_projection_checkpoints SET active = 1 "
                    "WHERE projection = ? AND generation = ?",
                    (projection, generation),
                )

        await self._db.run_write(swap)
        await self._drop_retired(projection)

    async def _drop_retired(self, projection: str) -> None:
        """Delete the documents of every generation of ``projection`` without a checkpoint.

        One generation at a time, :data:`DROP_CHUNK` rows per statement (each its own
        transaction, so appends queued meanwhile run between them). A generation that gets
        a checkpoint again meanwhile (``start_generation`` reusing the number of a retired
        one clears its rows itself) is left alone: every statement checks.
        """

        def next_generation(after: int) -> int | None:
            row = (
                self._db.projection_writer()
                .execute(
                    "SELECT MIN(generation) FROM docsense_read_models WHERE projection = ? "
                    "AND generation > ?",
                    (projection, after),
                )
                .fetchone()
            )
            return None if row[0] is None else int(row[0])

        def drop_chunk(retired: int) -> int:
            # The first DROP_CHUNK keys of the generation, deleted as one key range.
            conn = self._db.projection_writer()
            last = conn.execute(
                "SELECT collection, key FROM docsense_read_models WHERE projection = ? "
                "AND generation = ? ORDER BY collection, key LIMIT 1 OFFSET ?",
                (projection, retired, DROP_CHUNK - 1),
            ).fetchone()
            bound = "" if last is None else "AND (collection, key) <= (?3, ?4) "
            deleted = conn.execute(
                "DELETE FROM docsense_read_models WHERE projection = ?1 AND generation = ?2 "
                + bound
                + "AND NOT EXISTS (SELECT 1 FROM docsense_projection_checkpoints "
                "WHERE projection = ?1 AND generation = ?2)",
                (projection, retired, *(last or ())),
            ).rowcount
            # Fewer than a chunk: the generation is empty now, or has a checkpoint again.
            return 0 if last is None else int(deleted)

        live = {c.generation for c in await self.checkpoints(projection)}
        after = -1
        while True:
            found = await self._db.run_write(partial(next_generation, after))
            if found is None:
                return
            after = found
            if found in live:
                continue
            while await self._db.run_write(partial(drop_chunk, found)) == DROP_CHUNK:
                pass

    async def commit(self, batch: ProjectionCommit) -> None:
        """Apply the batch atomically if the checkpoint is still at its expected position."""
        # Each change list goes in as ONE JSON text that SQLite unpacks itself (json_each):
        # binding is then one call instead of one per row, and the statement runs with the
        # interpreter lock released, so a runner can keep projecting meanwhile. Documents are
        # encoded once, nested; json_extract hands each back as its (minified) JSON text.
        # NULL (nothing to upsert or delete) makes json_each yield no rows.
        upserted = [(c.collection, c.key, c.doc) for c in batch.changes if c.doc is not None]
        deleted = [(c.collection, c.key) for c in batch.changes if c.doc is None]
        upserts = dumps_documents(batch, upserted) if upserted else None
        deletes = dumps_documents(batch, deleted) if deleted else None
        parked = [
            (
                d.projection,
                d.generation,
                d.event_id,
                d.position,
                d.event_type,
                d.stream_id,
                d.error,
                d.traceback,
                d.attempts,
                d.parked_at.isoformat(),
            )
            for d in batch.parked
        ]

        def commit_documents(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    "INSERT INTO docsense_projection_commit VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        batch.projection,
                        batch.generation,
                        batch.expected_position,
                        batch.new_position,
                        upserts,
                        deletes,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                if _CHECKPOINT_MOVED not in str(exc):
                    raise
                raise ProjectionConflict(
                    batch.projection, batch.generation, batch.expected_position
                ) from None

        def write() -> None:
            conn = self._db.projection_writer()
            if not (parked or batch.unparked):
                # The usual batch: one statement (see migration 4), atomic by itself, that
                # holds no interpreter lock from start to end, so the runner's handlers are
                # not made to hand it back several times per commit.
                commit_documents(conn)
                return
            with write_transaction(conn):
                commit_documents(conn)
                conn.executemany(
                    "DELETE FROM docsense_dead_letters WHERE projection = ? AND generation = ? "
                    "AND event_id = ?",
                    [(batch.projection, batch.generation, e) for e in batch.unparked],
                )
                conn.executemany(
                    "INSERT OR REPLACE INTO docsense_dead_letters "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    parked,
                )

        await self._db.run_write(write)

    async def get_doc(
        self, projection: str, generation: int, collection: str, key: str
    ) -> JSONObject | None:
        """Return one committed document."""

        def read() -> JSONObject | None:
            row = (
                self._db.reader()
                .execute(
                    "SELECT doc FROM docsense_read_models WHERE projection = ? AND generation = ? "
                    "AND collection = ? AND key = ?",
                    (projection, generation, collection, key),
                )
                .fetchone()
            )
            return None if row is None else dict(loads(row[0]))

        return await self._db.run_read(read)

    @staticmethod
    def _where(
        projection: str, collection: str, filters: Sequence[Filter]
    ) -> tuple[str, list[Any]]:
        clauses = [
            "r.projection = ?",
            "r.collection = ?",
            "r.generation = (SELECT generation FROM docsense_projection_checkpoints c "
            "WHERE c.projection = r.projection AND c.active = 1)",
        ]
        params: list[Any] = [projection, collection]
        for f in filters:
            path = f"json_extract(r.doc, '$.{f.field}')"
            if f.op == "in":
                values = list(f.value)
                if not values:
                    clauses.append("0")
                    continue
                clauses.append(f"{path} IN ({', '.join('?' * len(values))})")
                params.extend(_param(v) for v in values)
            else:
                clauses.append(f"{path} {_SQL_OPS[f.op]} ?")
                params.append(_param(f.value))
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
            path = f"json_extract(r.doc, '$.{order_by}')"
            direction = "DESC" if descending else "ASC"
            order = f"({path} IS NULL), {path} {direction}, r.key"
        sql = (
            f"SELECT r.doc FROM docsense_read_models r WHERE {where} "
            f"ORDER BY {order} LIMIT ? OFFSET ?"
        )

        def read() -> list[JSONObject]:
            rows = self._db.reader().execute(sql, (*params, max(limit, 0), max(offset, 0)))
            return [dict(loads(row[0])) for row in rows]

        return await self._db.run_read(read)

    async def count(
        self, projection: str, collection: str, *, filters: Sequence[Filter] = ()
    ) -> int:
        """Return how many active documents match."""
        check_filters(filters)
        where, params = self._where(projection, collection, filters)

        def read() -> int:
            row = (
                self._db.reader()
                .execute(f"SELECT COUNT(*) FROM docsense_read_models r WHERE {where}", params)
                .fetchone()
            )
            return int(row[0])

        return await self._db.run_read(read)

    async def dead_letters(self, projection: str | None = None) -> list[DeadLetter]:
        """Return parked events of active generations, in event order."""

        def read() -> list[DeadLetter]:
            rows = self._db.reader().execute(
                "SELECT d.projection, d.generation, d.event_id, d.position, d.event_type, "
                "d.stream_id, d.error, d.traceback, d.attempts, d.parked_at "
                "FROM docsense_dead_letters d JOIN docsense_projection_checkpoints c "
                "ON c.projection = d.projection AND c.generation = d.generation AND c.active = 1 "
                "WHERE (? IS NULL OR d.projection = ?) ORDER BY d.projection, d.position",
                (projection, projection),
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
                    parked_at=datetime.fromisoformat(r[9]),
                )
                for r in rows
            ]

        return await self._db.run_read(read)


def _param(value: Any) -> Any:
    """SQLite compares json_extract results natively; booleans come back as 0/1."""
    if isinstance(value, bool):
        return int(value)
    if value is None or isinstance(value, str | int | float):
        return value
    raise InvalidArgument(f"filter values must be JSON scalars, got {type(value).__name__}")
