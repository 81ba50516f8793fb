"""PostgreSQL job queue: claims with ``FOR UPDATE SKIP LOCKED`` under a lease.

A claim takes the oldest job that is queued and due, or running with an expired lease (its
worker died or stalled), in one statement: concurrent workers skip rows another is claiming,
so each claim is exclusive without waiting. ``complete``, ``fail`` and ``extend`` only act
while the caller still holds the lease, so a worker that lost its job cannot overwrite the
outcome of the worker that took it over.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from docsense.adapters.storage._common import dumps
from docsense.adapters.storage.postgres_database import PostgresDatabase
from docsense.errors import InvalidArgument
from docsense.ports import BatchStatus, Job, JSONObject, QueueStats

__all__ = ["PostgresJobQueue"]

_COLUMNS = (
    "id, batch_id, kind, payload::text, status, attempts, max_attempts, lease_owner, "
    "result::text, error"
)


class PostgresJobQueue:
    """The :class:`~docsense.ports.JobQueue` in one PostgreSQL database (``ds_jobs``)."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def enqueue(
        self,
        kind: str,
        payloads: Sequence[JSONObject],
        *,
        batch_id: str | None = None,
        max_attempts: int = 3,
    ) -> list[str]:
        """Queue one job per payload; return their ids."""
        if max_attempts < 1:
            raise InvalidArgument("max_attempts must be >= 1")
        ids = [f"job-{uuid.uuid4()}" for _ in payloads]
        async with self._db.connection() as conn:
            await conn.execute(
                "INSERT INTO ds_jobs (id, batch_id, kind, payload, max_attempts) "
                "SELECT u.id, $2, $3, u.payload, $4 "
                "FROM unnest($1::text[], $5::jsonb[]) WITH ORDINALITY AS u(id, payload, n) "
                "ORDER BY u.n",
                ids,
                batch_id,
                kind,
                max_attempts,
                [dumps(p) for p in payloads],
            )
        return ids

    async def claim(self, worker: str, *, lease_seconds: float) -> Job | None:
        """Lease the oldest claimable job to ``worker``."""
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                f"""
                UPDATE ds_jobs SET status = 'running', lease_owner = $1,
                    lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
                WHERE id = (
                    SELECT id FROM ds_jobs
                    WHERE (status = 'queued' AND available_at <= now())
                       OR (status = 'running' AND lease_until < now())
                    ORDER BY seq
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED
                )
                RETURNING {_COLUMNS}
                """,
                worker,
                float(lease_seconds),
            )
        return None if row is None else _job(row)

    async def extend(self, job_id: str, worker: str, *, lease_seconds: float) -> bool:
        """Renew the lease while ``worker`` holds it."""
        async with self._db.connection() as conn:
            done = await conn.execute(
                "UPDATE ds_jobs SET lease_until = now() + make_interval(secs => $3) "
                "WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
                job_id,
                worker,
                float(lease_seconds),
            )
        return bool(done == "UPDATE 1")

    async def complete(self, job_id: str, worker: str, result: JSONObject) -> bool:
        """Mark done while ``worker`` holds the job."""
        async with self._db.connection() as conn:
            done = await conn.execute(
                "UPDATE ds_jobs SET status = 'done', result = $3::jsonb, lease_until = NULL "
                "WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
                job_id,
                worker,
                dumps(result),
            )
        return bool(done == "UPDATE 1")

    async def fail(self, job_id: str, worker: str, error: str, *, retry_after: float) -> bool:
        """Requeue after ``retry_after`` s, or fail for good when attempts are used up."""
        async with self._db.connection() as conn:
            done = await conn.execute(
                "UPDATE ds_jobs SET error = $3, lease_until = NULL, "
                "status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, "
                "available_at = now() + make_interval(secs => $4) "
                "WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
                job_id,
                worker,
                error[:4000],
                float(retry_after),
            )
        return bool(done == "UPDATE 1")

    async def get_job(self, job_id: str) -> Job | None:
        """Return a job by id."""
        async with self._db.connection() as conn:
            row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM ds_jobs WHERE id = $1", job_id)
        return None if row is None else _job(row)

    async def batch_status(self, batch_id: str) -> BatchStatus:
        """Count a batch's jobs by status."""
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                "SELECT status, count(*) FROM ds_jobs WHERE batch_id = $1 GROUP BY status",
                batch_id,
            )
        counts = {r[0]: int(r[1]) for r in rows}
        return BatchStatus(
            batch_id=batch_id,
            total=sum(counts.values()),
            queued=counts.get("queued", 0),
            running=counts.get("running", 0),
            done=counts.get("done", 0),
            failed=counts.get("failed", 0),
        )

    async def stats(self) -> QueueStats:
        """Count the jobs by state; how long the oldest due one has waited."""
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                """
                SELECT
                    count(*) FILTER (WHERE status = 'queued' AND available_at <= now()),
                    count(*) FILTER (WHERE status = 'queued' AND available_at > now()),
                    count(*) FILTER (WHERE status = 'running' AND lease_until >= now()),
                    count(*) FILTER (WHERE status = 'running' AND lease_until < now()),
                    count(*) FILTER (WHERE status = 'failed'),
                    count(*) FILTER (WHERE status = 'done'),
                    COALESCE(EXTRACT(EPOCH FROM now() - min(available_at)
                        FILTER (WHERE status = 'queued' AND available_at <= now())), 0)::float8,
                    COALESCE(array_agg(DISTINCT lease_owner)
                        FILTER (WHERE status = 'running' AND lease_until >= now()), '{}')
                FROM ds_jobs
                """
            )
        return QueueStats(
            queued=int(row[0]),
            scheduled=int(row[1]),
            running=int(row[2]),
            expired=int(row[3]),
            failed=int(row[4]),
            done=int(row[5]),
            oldest_wait_s=float(row[6]),
            lease_owners=tuple(sorted(o for o in row[7] if o)),
        )


def _job(row: Any) -> Job:
    return Job(
        id=row[0],
        batch_id=row[1],
        kind=row[2],
        payload=json.loads(row[3]),
        status=row[4],
        attempts=int(row[5]),
        max_attempts=int(row[6]),
        lease_owner=row[7],
        result=None if row[8] is None else json.loads(row[8]),
        error=row[9],
    )
