"""Schema migrations of the SQL storage adapters, applied forward on open.

Each :class:`Migration` is a numbered list of statements run in one transaction together with
the row that records it in ``docsense_schema``. Migrations only ever add: a database written by
an older docsense opens with every event intact; one written by a newer docsense is refused
with :class:`~docsense.errors.MigrationError` rather than misread.

History: version 1 created the event log and snapshots; version 2 added content-addressed
storage of original file bytes (``blobs``) and an index for reading events by type; version 3
added projection checkpoints, read models and dead letters; version 4 (PostgreSQL only)
added the review job queue; version 5 (PostgreSQL) makes ``ds_append`` take a shared advisory
lock that lets ``read_all`` ignore transactions that are not appending events; version 6
(PostgreSQL) adds ``ds_commit_projection``, a projection batch's commit in one round trip.
SQLite's version 4 commits a projection batch in one statement (a view with a trigger), and
its version 5 puts the ``docsense_`` prefix on every table (the event log copied, byte for
byte, into a leaner table).

SQLite's version 6 and PostgreSQL's version 7 add tamper evidence: a ``hash`` column chaining
every event to the previous one of its stream (see :mod:`._chain`), computed for the events
already stored by the migration's :attr:`Migration.backfill` (which reads them and never
changes their bytes); PostgreSQL's ``ds_append`` then takes each event's digest and links it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from docsense.adapters.storage._chain import GENESIS, link, recorded_digest
from docsense.adapters.storage._common import loads
from docsense.errors import MigrationError

__all__ = ["POSTGRES_MIGRATIONS", "SQLITE_MIGRATIONS", "Migration", "pending"]


@attrs.frozen
class Migration:
    """One forward step of the schema.

    ``backfill``, if set, runs after the statements in the same transaction, with the
    connection: a ``sqlite3.Connection`` (called) or an ``asyncpg`` connection (awaited).
    """

    version: int
    description: str
    statements: tuple[str, ...]
    backfill: Callable[[Any], Any] | None = None


def pending(migrations: Sequence[Migration], current: int, database: str) -> list[Migration]:
    """Return the migrations a database at version ``current`` still needs, in order.

    A database newer than every known migration raises :class:`MigrationError` (``database``
    names it in the message) rather than being misread.
    """
    latest = max((m.version for m in migrations), default=0)
    if current > latest:
        raise MigrationError(
            f"{database} has docsense schema version {current}, newer than this docsense "
            f"knows ({latest}): upgrade docsense to open it"
        )
    return [m for m in migrations if m.version > current]


def _sqlite_projection_commit(name: str, *, prefix: str) -> tuple[str, str]:
    """Return the view ``name`` and its trigger: one row inserted commits a projection batch.

    The trigger checks and moves the checkpoint, upserts and deletes the documents (JSON
    arrays of [collection, key, doc] and [collection, key]) in the tables named with
    ``prefix``. One statement is atomic on its own, and runs with the interpreter lock
    released from start to end.
    """
    checkpoints, read_models = f"{prefix}projection_checkpoints", f"{prefix}read_models"
    view = f"""
            CREATE VIEW {name} (
                projection, generation, expected_position, new_position, upserts, deletes
            ) AS SELECT NULL, NULL, NULL, NULL, NULL, NULL WHERE 0
            """
    trigger = f"""
            CREATE TRIGGER {name} INSTEAD OF INSERT ON {name}
            BEGIN
                SELECT RAISE(ABORT, 'docsense: projection checkpoint moved')
                WHERE NOT EXISTS (
                    SELECT 1 FROM {checkpoints}
                    WHERE projection = NEW.projection AND generation = NEW.generation
                      AND position = NEW.expected_position
                );
                UPDATE {checkpoints} SET position = NEW.new_position
                WHERE projection = NEW.projection AND generation = NEW.generation;
                INSERT INTO {read_models}
                SELECT NEW.projection, NEW.generation, json_extract(value, '$[0]'),
                       json_extract(value, '$[1]'), json_extract(value, '$[2]')
                FROM json_each(NEW.upserts) WHERE true
                ON CONFLICT (projection, generation, collection, key)
                DO UPDATE SET doc = excluded.doc;
                DELETE FROM {read_models}
                WHERE projection = NEW.projection AND generation = NEW.generation
                  AND (collection, key) IN (
                      SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')
                      FROM json_each(NEW.deletes)
                  );
            END
            """
    return view, trigger


_BACKFILL_PAGE = 2000


def _chain_rows(
    rows: Sequence[Sequence[Any]], stream: str | None, previous: str
) -> tuple[list[tuple[str, Any]], str | None, str]:
    """Return ``(hash, key)`` for rows ordered by stream and version, and the chain's state.

    Rows are ``key, stream_id, stream_version, event_type, schema_version, event_id,
    payload text, metadata text``; ``stream`` and ``previous`` carry the chain over pages.
    """
    updates: list[tuple[str, Any]] = []
    for key, stream_id, version, event_type, schema, event_id, payload, metadata in rows:
        if stream_id != stream:
            stream, previous = stream_id, GENESIS
        digest = recorded_digest(
            stream_id, int(version), event_type, int(schema), event_id,
            loads(payload), loads(metadata),
        )
        previous = link(previous, digest)
        updates.append((previous, key))
    return updates, stream, previous


def _sqlite_chain_backfill(conn: Any) -> None:
    """Compute the hash chain of every event stored before version 6 (page by page)."""
    stream: str | None = None
    previous, after = GENESIS, ("", 0)
    while True:
        rows = conn.execute(
            "SELECT position, stream_id, stream_version, event_type, schema_version, "
            "event_id, payload, metadata FROM docsense_events "
            "WHERE (stream_id, stream_version) > (?, ?) "
            "ORDER BY stream_id, stream_version LIMIT ?",
            (*after, _BACKFILL_PAGE),
        ).fetchall()
        if not rows:
            return
        updates, stream, previous = _chain_rows(rows, stream, previous)
        conn.executemany("UPDATE docsense_events SET hash = ? WHERE position = ?", updates)
        after = (rows[-1][1], rows[-1][2])


async def _postgres_chain_backfill(conn: Any) -> None:
    """Compute the hash chain of every event stored before version 7 (page by page)."""
    stream: str | None = None
    previous, after = GENESIS, ("", 0)
    while True:
        rows = await conn.fetch(
            "SELECT seq, stream_id, stream_version, event_type, schema_version, event_id, "
            "payload::text, metadata::text FROM ds_events "
            "WHERE (stream_id, stream_version) > ($1, $2) "
            "ORDER BY stream_id, stream_version LIMIT $3",
            *after,
            _BACKFILL_PAGE,
        )
        if not rows:
            return
        updates, stream, previous = _chain_rows(rows, stream, previous)
        await conn.execute(
            "UPDATE ds_events e SET hash = u.h FROM unnest($1::text[], $2::bigint[]) "
            "AS u(h, s) WHERE e.seq = u.s",
            [u[0] for u in updates],
            [u[1] for u in updates],
        )
        after = (rows[-1][1], rows[-1][2])


SQLITE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "event log and snapshots",
        (
            """
            CREATE TABLE events (
                position INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL UNIQUE,
                event_type TEXT NOT NULL,
                schema_version INTEGER NOT NULL,
                stream_id TEXT NOT NULL,
                stream_version INTEGER NOT NULL,
                occurred_at TEXT NOT NULL,
                payload TEXT NOT NULL,
                metadata TEXT NOT NULL,
                UNIQUE (stream_id, stream_version)
            )
            """,
            """
            CREATE TABLE snapshots (
                stream_id TEXT PRIMARY KEY,
                version INTEGER NOT NULL,
                schema_version INTEGER NOT NULL,
                state TEXT NOT NULL
            )
            """,
        ),
    ),
    Migration(
        2,
        "original file bytes by sha256; events by type",
        (
            """
            CREATE TABLE blobs (
                sha256 TEXT PRIMARY KEY,
                size INTEGER NOT NULL,
                data BLOB NOT NULL
            )
            """,
            "CREATE INDEX events_by_type ON events (event_type, position)",
        ),
    ),
    Migration(
        3,
        "projection checkpoints, read models and dead letters",
        (
            """
            CREATE TABLE projection_checkpoints (
                projection TEXT NOT NULL,
                generation INTEGER NOT NULL,
                position INTEGER NOT NULL,
                active INTEGER NOT NULL,
                PRIMARY KEY (projection, generation)
            )
            """,
            """
            CREATE TABLE read_models (
                projection TEXT NOT NULL,
                generation INTEGER NOT NULL,
                collection TEXT NOT NULL,
                key TEXT NOT NULL,
                doc TEXT NOT NULL,
                PRIMARY KEY (projection, generation, collection, key)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE dead_letters (
                projection TEXT NOT NULL,
                generation INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                position INTEGER NOT NULL,
                event_type TEXT NOT NULL,
                stream_id TEXT NOT NULL,
                error TEXT NOT NULL,
                traceback TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                parked_at TEXT NOT NULL,
                PRIMARY KEY (projection, generation, event_id)
            )
            """,
        ),
    ),
    Migration(
        4,
        "read-model batch commit in one statement",
        (*_sqlite_projection_commit("ds_projection_commit", prefix=""),),
    ),
    Migration(
        5,
        "docsense_ prefix on every table; events keyed by position alone",
        (
            # Another application's tables in the same file must not clash with ours (the
            # open refuses such files now, but files from older versions may hold both).
            # The event log is copied, byte for byte, into a table without AUTOINCREMENT and
            # without the unused index by type: each append then writes two b-tree pages
            # fewer. Positions are kept, so projection checkpoints stay valid; events are
            # never deleted, so "largest rowid + 1" never reuses a position.
            """
            CREATE TABLE docsense_events (
                position INTEGER PRIMARY KEY,
                event_id TEXT NOT NULL UNIQUE,
                event_type TEXT NOT NULL,
                schema_version INTEGER NOT NULL,
                stream_id TEXT NOT NULL,
                stream_version INTEGER NOT NULL,
                occurred_at TEXT NOT NULL,
                payload TEXT NOT NULL,
                metadata TEXT NOT NULL,
                UNIQUE (stream_id, stream_version)
            )
            """,
            "INSERT INTO docsense_events SELECT position, event_id, event_type, schema_version, "
            "stream_id, stream_version, occurred_at, payload, metadata FROM events "
            "ORDER BY position",
            "DROP TABLE events",
            "ALTER TABLE snapshots RENAME TO docsense_snapshots",
            "ALTER TABLE blobs RENAME TO docsense_blobs",
            "DROP TRIGGER ds_projection_commit",
            "DROP VIEW ds_projection_commit",
            "ALTER TABLE projection_checkpoints RENAME TO docsense_projection_checkpoints",
            "ALTER TABLE read_models RENAME TO docsense_read_models",
            "ALTER TABLE dead_letters RENAME TO docsense_dead_letters",
            *_sqlite_projection_commit("docsense_projection_commit", prefix="docsense_"),
        ),
    ),
    Migration(
        6,
        "tamper evidence: every event hash-chained to the previous one of its stream",
        ("ALTER TABLE docsense_events ADD COLUMN hash TEXT NOT NULL DEFAULT ''",),
        backfill=_sqlite_chain_backfill,
    ),
)

_PG_APPEND_FUNCTION = """
CREATE OR REPLACE FUNCTION ds_append(
    p_stream text, p_expected bigint, p_ids text[], p_types text[], p_schema integer[],
    p_occurred timestamptz[], p_payloads jsonb[], p_metadata jsonb[]
) RETURNS TABLE (r_tx text, r_seq bigint) LANGUAGE plpgsql AS $fn$
DECLARE
    n integer := cardinality(p_ids);
    current_version bigint;
BEGIN
    IF p_expected = 0 THEN
        INSERT INTO ds_streams (stream_id, version) VALUES (p_stream, n)
        ON CONFLICT (stream_id) DO NOTHING;
    ELSE
        UPDATE ds_streams SET version = p_expected + n
        WHERE stream_id = p_stream AND version = p_expected;
    END IF;
    IF NOT FOUND THEN
        -- A retry of a batch that is already stored exactly as asked is not a conflict.
        IF (SELECT count(*) FROM ds_events e
            WHERE e.stream_id = p_stream
              AND e.stream_version > p_expected AND e.stream_version <= p_expected + n
              AND e.event_id = p_ids[(e.stream_version - p_expected)::integer]) = n THEN
            RETURN QUERY SELECT e.tx_id::text, e.seq FROM ds_events e
                WHERE e.stream_id = p_stream
                  AND e.stream_version > p_expected AND e.stream_version <= p_expected + n
                ORDER BY e.stream_version;
            RETURN;
        END IF;
        SELECT s.version INTO current_version FROM ds_streams s WHERE s.stream_id = p_stream;
        RAISE EXCEPTION USING ERRCODE = 'DS409', MESSAGE = 'docsense concurrency conflict',
            DETAIL = coalesce(current_version, 0)::text;
    END IF;
    RETURN QUERY
        INSERT INTO ds_events (event_id, event_type, schema_version, stream_id, stream_version,
                               occurred_at, payload, metadata)
        SELECT u.id, u.typ, u.sv, p_stream, p_expected + u.ord, u.occ, u.pl, u.md
        FROM unnest(p_ids, p_types, p_schema, p_occurred, p_payloads, p_metadata)
             WITH ORDINALITY AS u(id, typ, sv, occ, pl, md, ord)
        RETURNING ds_events.tx_id::text, ds_events.seq;
END
$fn$
"""

_PG_APPEND_FUNCTION_V5 = """
CREATE OR REPLACE FUNCTION ds_append(
    p_stream text, p_expected bigint, p_ids text[], p_types text[], p_schema integer[],
    p_occurred timestamptz[], p_payloads jsonb[], p_metadata jsonb[]
) RETURNS TABLE (r_tx text, r_seq bigint) LANGUAGE plpgsql AS $fn$
DECLARE
    n integer := cardinality(p_ids);
    current_version bigint;
BEGIN
    -- Announce "this transaction appends" before it takes a transaction id (the first write
    -- below assigns one): readers fence read_all only on such transactions. Shared mode, so
    -- appenders never wait for each other. Key: (DS_APPEND_LOCK_CLASS, hash of the schema).
    PERFORM pg_advisory_xact_lock_shared(
        1685284145, hashtext('docsense-append:' || current_schema())
    );
    IF p_expected = 0 THEN
        INSERT INTO ds_streams (stream_id, version) VALUES (p_stream, n)
        ON CONFLICT (stream_id) DO NOTHING;
    ELSE
        UPDATE ds_streams SET version = p_expected + n
        WHERE stream_id = p_stream AND version = p_expected;
    END IF;
    IF NOT FOUND THEN
        -- A retry of a batch that is already stored exactly as asked is not a conflict.
        IF (SELECT count(*) FROM ds_events e
            WHERE e.stream_id = p_stream
              AND e.stream_version > p_expected AND e.stream_version <= p_expected + n
              AND e.event_id = p_ids[(e.stream_version - p_expected)::integer]) = n THEN
            RETURN QUERY SELECT e.tx_id::text, e.seq FROM ds_events e
                WHERE e.stream_id = p_stream
                  AND e.stream_version > p_expected AND e.stream_version <= p_expected + n
                ORDER BY e.stream_version;
            RETURN;
        END IF;
        SELECT s.version INTO current_version FROM ds_streams s WHERE s.stream_id = p_stream;
        RAISE EXCEPTION USING ERRCODE = 'DS409', MESSAGE = 'docsense concurrency conflict',
            DETAIL = coalesce(current_version, 0)::text;
    END IF;
    RETURN QUERY
        INSERT INTO ds_events (event_id, event_type, schema_version, stream_id, stream_version,
                               occurred_at, payload, metadata)
        SELECT u.id, u.typ, u.sv, p_stream, p_expected + u.ord, u.occ, u.pl, u.md
        FROM unnest(p_ids, p_types, p_schema, p_occurred, p_payloads, p_metadata)
             WITH ORDINALITY AS u(id, typ, sv, occ, pl, md, ord)
        RETURNING ds_events.tx_id::text, ds_events.seq;
END
$fn$
"""


_PG_APPEND_FUNCTION_V7 = """
CREATE FUNCTION ds_append(
    p_stream text, p_expected bigint, p_ids text[], p_types text[], p_schema integer[],
    p_occurred timestamptz[], p_payloads jsonb[], p_metadata jsonb[], p_digests text[]
) RETURNS TABLE (r_tx text, r_seq bigint) LANGUAGE plpgsql AS $fn$
DECLARE
    n integer := cardinality(p_ids);
    current_version bigint;
    previous text := repeat('0', 64);
    hashes text[] := '{}';
BEGIN
    -- Announce "this transaction appends" before it takes a transaction id (the first write
    -- below assigns one): readers fence read_all only on such transactions. Shared mode, so
    -- appenders never wait for each other. Key: (DS_APPEND_LOCK_CLASS, hash of the schema).
    PERFORM pg_advisory_xact_lock_shared(
        1685284145, hashtext('docsense-append:' || current_schema())
    );
    IF p_expected = 0 THEN
        INSERT INTO ds_streams (stream_id, version) VALUES (p_stream, n)
        ON CONFLICT (stream_id) DO NOTHING;
    ELSE
        UPDATE ds_streams SET version = p_expected + n
        WHERE stream_id = p_stream AND version = p_expected;
    END IF;
    IF NOT FOUND THEN
        -- A retry of a batch that is already stored exactly as asked is not a conflict.
        IF (SELECT count(*) FROM ds_events e
            WHERE e.stream_id = p_stream
              AND e.stream_version > p_expected AND e.stream_version <= p_expected + n
              AND e.event_id = p_ids[(e.stream_version - p_expected)::integer]) = n THEN
            RETURN QUERY SELECT e.tx_id::text, e.seq FROM ds_events e
                WHERE e.stream_id = p_stream
                  AND e.stream_version > p_expected AND e.stream_version <= p_expected + n
                ORDER BY e.stream_version;
            RETURN;
        END IF;
        SELECT s.version INTO current_version FROM ds_streams s WHERE s.stream_id = p_stream;
        RAISE EXCEPTION USING ERRCODE = 'DS409', MESSAGE = 'docsense concurrency conflict',
            DETAIL = coalesce(current_version, 0)::text;
    END IF;
    -- The stream's row is locked: its last event is the one the batch chains to.
    IF p_expected > 0 THEN
        SELECT e.hash INTO previous FROM ds_events e
        WHERE e.stream_id = p_stream AND e.stream_version = p_expected;
    END IF;
    FOR i IN 1 .. n LOOP
        previous := encode(sha256(convert_to(previous || p_digests[i], 'UTF8')), 'hex');
        hashes[i] := previous;
    END LOOP;
    RETURN QUERY
        INSERT INTO ds_events (event_id, event_type, schema_version, stream_id, stream_version,
                               occurred_at, payload, metadata, hash)
        SELECT u.id, u.typ, u.sv, p_stream, p_expected + u.ord, u.occ, u.pl, u.md, u.h
        FROM unnest(p_ids, p_types, p_schema, p_occurred, p_payloads, p_metadata, hashes)
             WITH ORDINALITY AS u(id, typ, sv, occ, pl, md, h, ord)
        RETURNING ds_events.tx_id::text, ds_events.seq;
END
$fn$
"""


# PostgreSQL: see postgres.py for why events are ordered by (tx_id, seq) and how ds_append
# decides conflicts.
POSTGRES_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "event log, streams and snapshots",
        (
            """
            CREATE TABLE ds_streams (
                stream_id text PRIMARY KEY,
                version bigint NOT NULL
            )
            """,
            """
            CREATE TABLE ds_events (
                seq bigint GENERATED ALWAYS AS IDENTITY,
                tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
                event_id text NOT NULL UNIQUE,
                event_type text NOT NULL,
                schema_version integer NOT NULL,
                stream_id text NOT NULL,
                stream_version bigint NOT NULL,
                occurred_at timestamptz NOT NULL,
                payload jsonb NOT NULL,
                metadata jsonb NOT NULL,
                PRIMARY KEY (stream_id, stream_version)
            )
            """,
            "CREATE UNIQUE INDEX ds_events_global_order ON ds_events (tx_id, seq)",
            """
            CREATE TABLE ds_snapshots (
                stream_id text PRIMARY KEY,
                version bigint NOT NULL,
                schema_version integer NOT NULL,
                state jsonb NOT NULL
            )
            """,
            _PG_APPEND_FUNCTION,
        ),
    ),
    Migration(
        2,
        "original file bytes by sha256; events by type",
        (
            """
            CREATE TABLE ds_blobs (
                sha256 text PRIMARY KEY,
                size bigint NOT NULL,
                data bytea NOT NULL
            )
            """,
            "CREATE INDEX ds_events_by_type ON ds_events (event_type)",
        ),
    ),
    Migration(
        3,
        "projection checkpoints, read models and dead letters",
        (
            """
            CREATE TABLE ds_projection_checkpoints (
                projection text NOT NULL,
                generation integer NOT NULL,
                position numeric(40, 0) NOT NULL,
                active boolean NOT NULL,
                PRIMARY KEY (projection, generation)
            )
            """,
            """
            CREATE TABLE ds_read_models (
                projection text NOT NULL,
                generation integer NOT NULL,
                collection text NOT NULL,
                key text NOT NULL,
                doc jsonb NOT NULL,
                PRIMARY KEY (projection, generation, collection, key)
            )
            """,
            """
            CREATE TABLE ds_dead_letters (
                projection text NOT NULL,
                generation integer NOT NULL,
                event_id text NOT NULL,
                position numeric(40, 0) NOT NULL,
                event_type text NOT NULL,
                stream_id text NOT NULL,
                error text NOT NULL,
                traceback text NOT NULL,
                attempts integer NOT NULL,
                parked_at timestamptz NOT NULL,
                PRIMARY KEY (projection, generation, event_id)
            )
            """,
        ),
    ),
    Migration(
        4,
        "review job queue",
        (
            """
            CREATE TABLE ds_jobs (
                id text PRIMARY KEY,
                batch_id text,
                kind text NOT NULL,
                payload jsonb NOT NULL,
                status text NOT NULL DEFAULT 'queued',
                attempts integer NOT NULL DEFAULT 0,
                max_attempts integer NOT NULL,
                lease_owner text,
                lease_until timestamptz,
                available_at timestamptz NOT NULL DEFAULT now(),
                result jsonb,
                error text,
                created_at timestamptz NOT NULL DEFAULT now(),
                seq bigint GENERATED ALWAYS AS IDENTITY
            )
            """,
            "CREATE INDEX ds_jobs_claimable ON ds_jobs (status, available_at, seq)",
            "CREATE INDEX ds_jobs_batch ON ds_jobs (batch_id, status)",
        ),
    ),
    Migration(
        5,
        "ds_append announces appending transactions (read_all fences only on them)",
        (_PG_APPEND_FUNCTION_V5,),
    ),
    Migration(
        6,
        "ds_commit_projection: a projection batch's commit in one round trip",
        (
            """
CREATE OR REPLACE FUNCTION ds_commit_projection(
    p text, g integer, expected numeric, new_position numeric,
    up_c text[], up_k text[], up_d jsonb[], del_c text[], del_k text[]
) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    -- Read models are rebuilt from the events, so their commits need not wait for the WAL
    -- flush: a crash may undo the last few (checkpoint and rows together).
    PERFORM set_config('synchronous_commit', 'off', true);
    UPDATE ds_projection_checkpoints SET position = new_position
     WHERE projection = p AND generation = g AND position = expected;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF cardinality(up_c) > 0 THEN
        INSERT INTO ds_read_models (projection, generation, collection, key, doc)
        SELECT p, g, u.c, u.k, u.d FROM unnest(up_c, up_k, up_d) AS u(c, k, d)
        ON CONFLICT (projection, generation, collection, key) DO UPDATE SET doc = excluded.doc;
    END IF;
    IF cardinality(del_c) > 0 THEN
        DELETE FROM ds_read_models r USING unnest(del_c, del_k) AS u(c, k)
         WHERE r.projection = p AND r.generation = g AND r.collection = u.c AND r.key = u.k;
    END IF;
    RETURN true;
END
$$
""",
        ),
    ),
    Migration(
        7,
        "tamper evidence: every event hash-chained to the previous one of its stream",
        (
            "ALTER TABLE ds_events ADD COLUMN hash text NOT NULL DEFAULT ''",
            "DROP FUNCTION ds_append(text, bigint, text[], text[], integer[], timestamptz[], "
            "jsonb[], jsonb[])",
            _PG_APPEND_FUNCTION_V7,
        ),
        backfill=_postgres_chain_backfill,
    ),
)
