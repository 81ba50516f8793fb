"""Queued reviews: ``submit_review`` / ``submit_batch`` and the workers that run them.

A job's review has a stream id derived from the job id (:func:`review_id_for`), and
:meth:`~docsense.application.service.DocSenseService.review` is resumable for such ids. So a
job run again after its worker died (its lease expired and another worker claimed it)
completes the same review instead of starting a second one: every queued review completes
exactly once. While a worker runs a job it renews the lease every third of its length.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from docsense.application.service import DocSenseService
from docsense.errors import ConfigurationError, DocSenseError, InvalidArgument
from docsense.ports import JobQueue
from docsense.review.engine import min_confidence_argument

__all__ = ["REVIEW_JOB", "ReviewJobWorker", "enqueue_reviews", "job_queue", "review_id_for"]

logger = logging.getLogger(__name__)

REVIEW_JOB = "review"
_NAMESPACE = uuid.UUID("2d0e6b0c-8f0b-4d7e-a9a1-6b3f3c9e5a27")


def job_queue(storage: object) -> JobQueue:
    """Return the job queue of a store; raise ConfigurationError if it has none."""
    queue = getattr(storage, "jobs", None)
    if not isinstance(queue, JobQueue):
        url = getattr(storage, "url", type(storage).__name__)
        raise ConfigurationError(
            "queued reviews need a PostgreSQL store (or memory:// within one process); "
            f"{url} has no job queue"
        )
    return queue


def review_id_for(job_id: str) -> str:
    """Return the review stream id a job's review always uses."""
    return f"review-{uuid.uuid5(_NAMESPACE, job_id)}"


async def enqueue_reviews(
    queue: JobQueue,
    requests: Sequence[Mapping[str, Any]],
    *,
    batch_id: str | None = None,
    max_attempts: int = 3,
) -> list[str]:
    """Queue review jobs and return their ids.

    Each request has ``document_id`` and optional ``packs``, ``reviewer``, ``version`` and
    ``min_confidence`` (the review's confidence threshold; default: the worker's setting).
    """
    payloads = []
    for request in requests:
        document_id = request.get("document_id")
        if not isinstance(document_id, str) or not document_id.startswith("document-"):
            raise InvalidArgument(f"a review job needs a document id, got {document_id!r}")
        unknown = set(request) - {"document_id", "packs", "reviewer", "version", "min_confidence"}
        if unknown:
            raise InvalidArgument(f"unknown review job fields: {', '.join(sorted(unknown))}")
        if request.get("min_confidence") is not None:
            min_confidence_argument(request["min_confidence"])
        payloads.append(dict(request))
    return await queue.enqueue(
        REVIEW_JOB, payloads, batch_id=batch_id, max_attempts=max_attempts
    )


class ReviewJobWorker:
    """Claims review jobs and runs them through the service until stopped."""

    def __init__(
        self,
        service: DocSenseService,
        queue: JobQueue,
        *,
        worker_id: str | None = None,
        lease_seconds: float = 60.0,
        retry_after: float = 5.0,
        poll_interval: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if lease_seconds <= 0:
            raise InvalidArgument("lease_seconds must be > 0")
        self._service = service
        self._queue = queue
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._lease = lease_seconds
        self._retry_after = retry_after
        self._poll = poll_interval
        self._sleep = sleep

    async def run_once(self) -> bool:
        """Claim and run one job; return False if none was waiting."""
        job = await self._queue.claim(self.worker_id, lease_seconds=self._lease)
        if job is None:
            return False
        if job.kind != REVIEW_JOB:
            await self._queue.fail(job.id, self.worker_id, f"unknown job kind {job.kind!r}",
                                   retry_after=self._retry_after)
            return True
        keeper = asyncio.create_task(self._keep_lease(job.id))
        try:
            payload = job.payload
            result = await self._service.review(
                str(payload["document_id"]),
                packs=payload.get("packs"),
                reviewer=payload.get("reviewer"),
                version=payload.get("version"),
                min_confidence=payload.get("min_confidence"),
                review_id=review_id_for(job.id),
                fail_on_error=job.attempts >= job.max_attempts,
            )
        except (DocSenseError, KeyError, TypeError) as exc:
            logger.warning("job %s attempt %d failed: %s", job.id, job.attempts, exc)
            await self._queue.fail(job.id, self.worker_id, str(exc), retry_after=self._retry_after)
        else:
            state = result.review.state
            done = await self._queue.complete(
                job.id, self.worker_id, {"review_id": result.review.id, "score": state.score}
            )
            if not done:
                logger.warning("job %s was taken over before it completed here", job.id)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        return True

    async def _keep_lease(self, job_id: str) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            if not await self._queue.extend(job_id, self.worker_id, lease_seconds=self._lease):
                return

    async def run(self, stop: asyncio.Event) -> None:
        """Run jobs until ``stop`` is set, polling when the queue is empty."""
        while not stop.is_set():
            if not await self.run_once():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._poll)
