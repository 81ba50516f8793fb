"""One PostgreSQL database (or schema): its connection pool, its schema, its errors.

This is the base of the PostgreSQL adapter: the job queue (:mod:`.postgres_jobs`), leader
election (:mod:`.postgres_leader`), the projection store (:mod:`.postgres_projections`) and
the event store (:mod:`.postgres`) are built on it, and it imports none of them. Every query
borrows a pooled connection through :meth:`PostgresDatabase.connection`, which turns driver
errors into :mod:`docsense.errors` ones; sessions that must outlive one query (``LISTEN``,
advisory locks held for a leader) come from :meth:`PostgresDatabase.connect_session`.
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
    StoreUnavailable,
)

if TYPE_CHECKING:
    import asyncpg

__all__ = ["PostgresDatabase", "import_asyncpg"]

_LOCK_KEY = 0x646F6373656E7365 & 0x7FFFFFFFFFFFFFFF  # "docsense": serialises migrations


def import_asyncpg() -> Any:
    """Return the ``asyncpg`` module, or raise MissingDependency naming the extra."""
    try:
        import asyncpg
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingDependency("the PostgreSQL store", "postgres", "asyncpg") from exc
    return asyncpg


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
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
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
        asyncpg = import_asyncpg()
        try:
            async with self._pool.acquire() as conn:
                yield conn
        except DocSenseError:
            raise
        except asyncpg.PostgresError as exc:
            sqlstate = getattr(exc, "sqlstate", "")
            if sqlstate and sqlstate.startswith("08"):
                raise StoreUnavailable(f"PostgreSQL connection failed: {exc}") from exc
            raise StorageError(f"PostgreSQL error {sqlstate}: {exc}") from exc
        except (TimeoutError, OSError, asyncpg.InterfaceError) as exc:
            raise StoreUnavailable(f"PostgreSQL is unreachable: {exc}") from exc

    async def connect_session(self) -> asyncpg.Connection:
        """Open a dedicated connection (not pooled) with this database's ``search_path``.

        The caller owns it and closes it. Driver errors are raised as they are.
        """
        driver = import_asyncpg()
        settings = {"search_path": self.schema} if self.schema else {}
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
