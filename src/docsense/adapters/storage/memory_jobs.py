"""In-memory job queue with the same lease semantics as the PostgreSQL one (one process)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence

import attrs

from docsense.errors import InvalidArgument
from docsense.ports import BatchStatus, Job, JSONObject, QueueStats

__all__ = ["MemoryJobQueue"]


@attrs.define
class _Entry:
    job: Job
    lease_until: float = 0.0
    available_at: float = 0.0


class MemoryJobQueue:
    """Jobs in a dict, leased by monotonic time (injectable for tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, _Entry] = {}
        self._clock = clock

    async def enqueue(
        self,
        kind: str,
        payloads: Sequence[JSONObject],
        *,
        batch_id: str | None = None,
        max_attempts: int = 3,
    ) -> list[str]:
        """Queue one job per payload."""
        if max_attempts < 1:
            raise InvalidArgument("max_attempts must be >= 1")
        ids = []
        with self._lock:
            for payload in payloads:
                job_id = f"job-{uuid.uuid4()}"
                self._jobs[job_id] = _Entry(
                    Job(job_id, batch_id, kind, dict(payload), "queued", 0, max_attempts),
                    available_at=self._clock(),
                )
                ids.append(job_id)
        return ids

    async def claim(self, worker: str, *, lease_seconds: float) -> Job | None:
        """Lease the oldest claimable job."""
        now = self._clock()
        with self._lock:
            for entry in self._jobs.values():
                job = entry.job
                due = job.status == "queued" and entry.available_at <= now
                expired = job.status == "running" and entry.lease_until < now
                if due or expired:
                    entry.job = attrs.evolve(
                        job, status="running", lease_owner=worker, attempts=job.attempts + 1
                    )
                    entry.lease_until = now + lease_seconds
                    return entry.job
        return None

    def _held(self, job_id: str, worker: str) -> _Entry | None:
        entry = self._jobs.get(job_id)
        if entry is None or entry.job.status != "running" or entry.job.lease_owner != worker:
            return None
        return entry

    async def extend(self, job_id: str, worker: str, *, lease_seconds: float) -> bool:
        """Renew the lease while held."""
        with self._lock:
            entry = self._held(job_id, worker)
            if entry is not None:
                entry.lease_until = self._clock() + lease_seconds
            return entry is not None

    async def complete(self, job_id: str, worker: str, result: JSONObject) -> bool:
        """Mark done while held."""
        with self._lock:
            entry = self._held(job_id, worker)
            if entry is not None:
                entry.job = attrs.evolve(entry.job, status="done", result=dict(result))
            return entry is not None

    async def fail(self, job_id: str, worker: str, error: str, *, retry_after: float) -> bool:
        """Requeue later, or fail for good when attempts are used up."""
        with self._lock:
            entry = self._held(job_id, worker)
            if entry is not None:
                final = entry.job.attempts >= entry.job.max_attempts
                entry.job = attrs.evolve(
                    entry.job, status="failed" if final else "queued", error=error
                )
                entry.available_at = self._clock() + retry_after
            return entry is not None

    async def get_job(self, job_id: str) -> Job | None:
        """Return a job by id."""
        with self._lock:
            entry = self._jobs.get(job_id)
            return None if entry is None else entry.job

    async def batch_status(self, batch_id: str) -> BatchStatus:
        """Count a batch's jobs by status."""
        with self._lock:
            statuses = [e.job.status for e in self._jobs.values() if e.job.batch_id == batch_id]
        return BatchStatus(
            batch_id=batch_id,
            total=len(statuses),
            queued=statuses.count("queued"),
            running=statuses.count("running"),
            done=statuses.count("done"),
            failed=statuses.count("failed"),
        )

    async def stats(self) -> QueueStats:
        """Count the jobs by state; how long the oldest due one has waited."""
        now = self._clock()
        with self._lock:
            entries = list(self._jobs.values())
        waiting = [e for e in entries if e.job.status == "queued"]
        due = [e for e in waiting if e.available_at <= now]
        running = [e for e in entries if e.job.status == "running"]
        live = [e for e in running if e.lease_until >= now]
        return QueueStats(
            queued=len(due),
            scheduled=len(waiting) - len(due),
            running=len(live),
            expired=len(running) - len(live),
            failed=sum(e.job.status == "failed" for e in entries),
            done=sum(e.job.status == "done" for e in entries),
            oldest_wait_s=max((now - e.available_at for e in due), default=0.0),
            lease_owners=tuple(sorted({e.job.lease_owner for e in live if e.job.lease_owner})),
        )
