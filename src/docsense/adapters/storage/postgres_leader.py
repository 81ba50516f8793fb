"""Leader election per projection with PostgreSQL advisory locks.

Each elector holds one dedicated connection. ``pg_try_advisory_lock`` on a key derived from
the schema and projection name makes this session the projection's leader; the lock lives as
long as the session, so when a leader process dies (even by SIGKILL) PostgreSQL ends its
session, frees the lock, and the next follower to ask becomes leader. Leadership is
re-checked on every call: a broken connection means leadership is lost, never assumed.
Advisory locks need a direct connection (or PgBouncer in session mode).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from docsense.adapters.storage.postgres_database import PostgresDatabase, driver_errors
from docsense.errors import StoreUnavailable

__all__ = ["PostgresLeaderElector", "current_leaders"]

logger = logging.getLogger(__name__)


def _lock_key(db: PostgresDatabase, projection: str) -> str:
    return f"docsense-projection:{db.channel}:{projection}"


async def current_leaders(db: PostgresDatabase, projections: Sequence[str]) -> dict[str, bool]:
    """Return, per projection, whether some session holds its leader lock now (pg_locks).

    A bigint advisory lock shows in ``pg_locks`` as its high 32 bits (``classid``) and low
    32 bits (``objid``) with ``objsubid = 1``.
    """
    keys = [_lock_key(db, p) for p in projections]
    async with db.connection() as conn:
        rows = await conn.fetch(
            """
            SELECT k FROM unnest($1::text[]) AS k WHERE EXISTS (
                SELECT 1 FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                  AND l.database = (SELECT oid FROM pg_database
                                    WHERE datname = current_database())
                  AND l.classid::bigint = ((hashtext(k)::bigint >> 32) & 4294967295)
                  AND l.objid::bigint = (hashtext(k)::bigint & 4294967295)
            )
            """,
            keys,
        )
    held = {r[0] for r in rows}
    return {p: _lock_key(db, p) in held for p in projections}


class PostgresLeaderElector:
    """Decides which process runs each projection (one leader per projection)."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db
        self._conn: Any = None
        self._held: set[str] = set()

    async def _connection(self) -> Any:
        if self._conn is None or self._conn.is_closed():
            if self._held:
                logger.warning("lost the leader session; leadership of %s dropped", self._held)
            self._held.clear()
            try:
                self._conn = await self._db.connect_session()
            except driver_errors() as exc:
                raise StoreUnavailable(f"cannot open the leader-election session: {exc}") from exc
        return self._conn

    async def try_lead(self, projection: str) -> bool:
        """Return True if this process is (now) the leader of ``projection``."""
        try:
            conn = await self._connection()
            if projection in self._held:
                await conn.fetchval("SELECT 1")  # the session, and so the lock, is alive
                return True
            key = _lock_key(self._db, projection)
            got = bool(await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key))
        except driver_errors() as exc:
            logger.warning("leader election failed (%s); following for now", exc)
            self._held.clear()
            if self._conn is not None:
                self._conn.terminate()
                self._conn = None
            return False
        if got:
            self._held.add(projection)
            logger.info("leading projection %s", projection)
        return got

    @property
    def leading(self) -> frozenset[str]:
        """The projections this process currently leads."""
        return frozenset(self._held)

    async def close(self) -> None:
        """Give up every leadership (by ending the session)."""
        self._held.clear()
        if self._conn is not None and not self._conn.is_closed():
            try:
                await self._conn.close(timeout=5)
            except driver_errors():  # a broken session: its locks are gone with it
                self._conn.terminate()
        self._conn = None
