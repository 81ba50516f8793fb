"""One PostgreSQL database (or schema): its connection pool, its schema, its errors.

This is the base of the PostgreSQL adapter: the job queue (:mod:`.postgres_jobs`), leader
election (:mod:`.postgres_leader`), the projection store (:mod:`.postgres_projections`) and
the event store (:mod:`.postgres`) are built on it, and it imports none of them. Every query
borrows a pooled connection through :meth:`PostgresDatabase.connection`, which turns driver
errors into :mod:`docsense.errors` ones; sessions that must outlive one query (``LISTEN``,
advisory locks held for a leader) come from :meth:`PostgresDatabase.connect_session`.

Errors keep their cause (:func:`translate_error`): a server shutting down, restarting or
not yet accepting connections (SQLSTATE class ``08``, ``57P01``-``57P05``, too many
connections) and a connection lost or left broken by one of those are
:class:`~docsense.errors.StoreUnavailable`; a full disk on the server (``53100``) is
:class:`~docsense.errors.StorageFull`; anything else the server refuses is
:class:`~docsense.errors.StorageError` with its SQLSTATE.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from docsense.adapters.storage.migrations import Migration, pending
from docsense.errors import (
    DocSenseError,
    InvalidArgument,
    MissingDependency,
    StorageError,
    StorageFull,
    StoreUnavailable,
)

if TYPE_CHECKING:
    import asyncpg

__all__ = ["PostgresDatabase", "driver_errors", "import_asyncpg", "translate_error"]

_LOCK_KEY = 0x646F6373656E7365 & 0x7FFFFFFFFFFFFFFF  # "docsense": serialises migrations


def import_asyncpg() -> Any:
    """Return the ``asyncpg`` module, or raise MissingDependency naming the extra."""
    try:
        import asyncpg
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingDependency("the PostgreSQL store", "postgres", "asyncpg") from exc
    return asyncpg


def driver_errors() -> tuple[type[BaseException], ...]:
    """Return the exception types asyncpg raises when a query or a connection fails."""
    asyncpg = import_asyncpg()
    return (
        OSError,
        TimeoutError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        asyncpg.InternalClientError,
    )


# SQLSTATEs that mean "the server cannot serve this session now", beyond class 08.
_UNAVAILABLE = {
    "57P01": "the server is shutting down or the session was terminated (admin shutdown)",
    "57P02": "the server crashed and is restarting (crash shutdown)",
    "57P03": "the server is starting up or shutting down and accepts no connections yet",
    "57P04": "the database was dropped",
    "57P05": "the session was idle for too long and was closed",
    "53300": "the server has no connection slots left",
    "25006": "the server accepts only reads (a standby, or read-only mode)",
}


def translate_error(exc: BaseException) -> DocSenseError | None:
    """Return the docsense error for an asyncpg (or socket) error, or None for other errors."""
    asyncpg = import_asyncpg()
    # asyncpg reports a session the server ended with a FATAL error as "connection closed
    # in the middle of operation" (08003), caused by that error: the cause names the state.
    cause = exc.__cause__
    while cause is not None and isinstance(exc, asyncpg.PostgresError):
        if isinstance(cause, asyncpg.PostgresError) and getattr(cause, "sqlstate", "") in (
            *_UNAVAILABLE,
            "53100",
        ):
            exc = cause
            break
        cause = cause.__cause__
    if isinstance(exc, asyncpg.PostgresError):
        sqlstate = str(getattr(exc, "sqlstate", "") or "")
        if sqlstate == "53100":
            return StorageFull(
                f"PostgreSQL's disk is full ({exc}); nothing of this write was kept: free "
                "space on the server, then retry"
            )
        if sqlstate in _UNAVAILABLE:
            return StoreUnavailable(
                f"PostgreSQL is unavailable: {_UNAVAILABLE[sqlstate]} ({sqlstate}: {exc}); "
                "retry once it is back"
            )
        if sqlstate.startswith("08"):
            return StoreUnavailable(f"PostgreSQL connection failed ({sqlstate}): {exc}")
        return StorageError(f"PostgreSQL error {sqlstate}: {exc}")
    if isinstance(exc, asyncpg.DataError):  # a value the driver cannot send: not the server
        return StorageError(f"PostgreSQL driver refused a value: {exc}")
    if isinstance(exc, asyncpg.InterfaceError | asyncpg.InternalClientError):
        # asyncpg's word for a connection that broke under it (closed mid-query, or left in
        # the middle of an error by a server that terminated the session).
        return StoreUnavailable(f"the PostgreSQL connection broke: {exc}")
    if isinstance(exc, TimeoutError | OSError):
        return StoreUnavailable(f"PostgreSQL is unreachable: {exc}")
    return None


def _split_url(url: str) -> tuple[str, str | None]:
    """Remove docsense's own ``schema`` query parameter from a connection URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), None)
    rest = [(k, v) for k, v in query if k != "schema"]
    if schema is not None and not schema.replace("_", "").isalnum():
        raise InvalidArgument(f"schema name {schema!r} must be letters, digits and underscores")
    return urlunsplit(parts._replace(query=urlencode(rest))), schema


async def _keep_session(conn: Any) -> None:
    """Skip asyncpg's per-release session reset (one extra round trip per query).

    asyncpg still rolls back an open transaction before calling this. Pooled connections
    never LISTEN, take session advisory locks or SET session settings (only ``SET LOCAL``):
    LISTEN and leader locks use dedicated connections.
    """


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class PostgresDatabase:
    """A pool of connections to one database (and schema). Open it with :meth:`open`.

    ``?schema=name`` in the URL keeps docsense's tables in their own schema (created if
    needed); otherwise they go in the connection's default ``search_path``.
    """

    def __init__(self, url: str, pool: asyncpg.Pool, schema: str | None, dsn: str) -> None:
        self.url = url
        self.schema = schema
        self.dsn = dsn
        #: The NOTIFY channel of this schema's appends; also names its advisory-lock keys.
        self.channel = f"docsense_events_{schema or 'default'}"[:63]
        self._pool = pool
        self._closed = False

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        pool_size: int = 10,
        connect_timeout: float = 10.0,
        command_timeout: float = 60.0,
        migrations: Sequence[Migration],
    ) -> PostgresDatabase:
        """Connect, create or migrate the schema, and return the database."""
        asyncpg = import_asyncpg()
        if pool_size < 1:
            raise InvalidArgument(f"pool_size must be >= 1, got {pool_size}")
        dsn, schema = _split_url(url)
        settings = {
            "application_name": "docsense",
            "idle_in_transaction_session_timeout": "60000",
        }
        if schema:
            settings["search_path"] = schema
        try:
            if schema:
                conn = await asyncpg.connect(dsn, timeout=connect_timeout)
                try:
                    async with conn.transaction():  # concurrent openers take turns
                        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
                        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                finally:
                    await conn.close()
            pool = await asyncpg.create_pool(
                dsn,
                min_size=1,
                max_size=pool_size,
                reset=_keep_session,
                timeout=connect_timeout,
                command_timeout=command_timeout,
                server_settings=settings,
            )
        except DocSenseError:
            raise
        except driver_errors() as exc:
            raise StoreUnavailable(
                f"cannot connect to PostgreSQL at {_redact(url)}: {exc}"
            ) from exc
        db = cls(_redact(url), pool, schema, dsn)
        try:
            await db._migrate(migrations)
        except BaseException:
            await db.close()
            raise
        return db

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """Lend a pooled connection, turning every driver error into a docsense error."""
        if self._closed:
            raise StoreUnavailable("the PostgreSQL store is closed")
        try:
            async with self._pool.acquire() as conn:
                yield conn
        except DocSenseError:
            raise
        except Exception as exc:
            translated = translate_error(exc)
            if translated is None:
                raise
            raise translated from exc

    async def connect_session(self) -> asyncpg.Connection:
        """Open a dedicated connection (not pooled) with this database's ``search_path``.

        The caller owns it and closes it. Driver errors are raised as they are.
        """
        driver = import_asyncpg()
        settings = {"application_name": "docsense"}
        if self.schema:
            settings["search_path"] = self.schema
        conn: asyncpg.Connection = await driver.connect(self.dsn, server_settings=settings)
        return conn

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        async with self.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS docsense_schema ("
                "version integer PRIMARY KEY, description text NOT NULL, "
                "applied_at timestamptz NOT NULL DEFAULT now())"
            )
            current = await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM docsense_schema")
            for migration in pending(migrations, int(current), "the database"):
                for statement in migration.statements:
                    await conn.execute(statement)
                if migration.backfill is not None:
                    await migration.backfill(conn)
                await conn.execute(
                    "INSERT INTO docsense_schema (version, description) VALUES ($1, $2)",
                    migration.version,
                    migration.description,
                )

    async def schema_version(self) -> int:
        """Return the database's docsense schema version."""
        async with self.connection() as conn:
            return int(await conn.fetchval("SELECT MAX(version) FROM docsense_schema"))

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        return self._closed

    async def close(self) -> None:
        """Close the pool. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.wait_for(self._pool.close(), timeout=10)
        except (TimeoutError, OSError):
            self._pool.terminate()
