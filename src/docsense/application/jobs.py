"""Queued reviews: ``submit_review`` / ``submit_batch`` and the workers that run them.

A job's review has a stream id derived from the job id (:func:`review_id_for`), and
:meth:`~docsense.application.service.DocSenseService.review` stores a review in one append
when it has finished. So a job run again after its worker died (its lease expired and
another worker claimed it) reviews again into the same id, and a run that finds the review
already stored returns it: every queued review is stored exactly once. While a worker runs
a job it renews the lease every third of its length; a renewal the store refuses is logged
and tried again.

**Provider batches** (:func:`submit_provider_batch`, ``submit_batch(..., batch=True)``,
``docsense review --batch``): every call of many reviews goes to the provider as one batch
(half price, answered within 24 hours), and one ``provider_batch`` job tracks it. A worker
that claims the job polls the provider; while the batch runs the job is put back in the
queue for ``poll_interval`` seconds (each poll counts as one of the job's many attempts);
once the batch has ended the worker completes every review of it through the service,
with review ids derived from the job, so a re-run completes the same reviews.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from docsense import telemetry
from docsense.application.service import DocSenseService
from docsense.application.waiting import wait_or_stop
from docsense.errors import (
    ConfigurationError,
    DocSenseError,
    InvalidArgument,
    ReviewerError,
    StorageError,
)
from docsense.policies import LoadedPack, load_pack
from docsense.ports import (
    BatchReviewer,
    Job,
    JobQueue,
    ReviewerResult,
    ReviewRequest,
)
from docsense.review.engine import min_confidence_argument, review_request

__all__ = [
    "PROVIDER_BATCH_JOB",
    "REVIEW_JOB",
    "ReviewJobWorker",
    "enqueue_reviews",
    "job_queue",
    "review_id_for",
    "submit_provider_batch",
]

logger = logging.getLogger(__name__)

REVIEW_JOB = "review"
PROVIDER_BATCH_JOB = "provider_batch"
#: Provider batches answer within 24 hours: enough polls for that at the slowest interval.
_BATCH_POLLS = 10_000
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

    Each request has ``document_id`` and optional ``packs``, ``reviewer``, ``version``,
    ``min_confidence`` (the review's confidence threshold; default: the worker's setting)
    and ``actor`` (who the review's events are recorded as; default: the worker's actor).
    """
    payloads = []
    for request in requests:
        document_id = request.get("document_id")
        if not isinstance(document_id, str) or not document_id.startswith("document-"):
            raise InvalidArgument(f"a review job needs a document id, got {document_id!r}")
        unknown = set(request) - {
            "document_id", "packs", "reviewer", "version", "min_confidence", "actor"
        }
        if unknown:
            raise InvalidArgument(f"unknown review job fields: {', '.join(sorted(unknown))}")
        if request.get("min_confidence") is not None:
            min_confidence_argument(request["min_confidence"])
        payloads.append(dict(request))
    return await queue.enqueue(
        REVIEW_JOB, payloads, batch_id=batch_id, max_attempts=max_attempts
    )


async def _batch_requests(
    service: DocSenseService, reviews: Sequence[Mapping[str, Any]]
) -> list[tuple[ReviewRequest, tuple[LoadedPack, ...]]]:
    out = []
    for item in reviews:
        doc = await service.document(str(item["document_id"]))
        target = service.version_of(doc, item.get("version"))
        if not target.converted:
            raise InvalidArgument(f"{doc.id} {target.label} has not been converted")
        packs = tuple(load_pack(p) for p in (item.get("packs") or service.default_packs))
        out.append((review_request(service.review_document(doc, target), packs), packs))
    return out


async def submit_provider_batch(
    service: DocSenseService,
    queue: JobQueue,
    document_ids: Sequence[str],
    *,
    reviewer: str | None = None,
    packs: Sequence[str] | None = None,
    poll_interval: float = 60.0,
) -> str:
    """Send every call of the reviews of ``document_ids`` as one provider batch.

    The reviewer spec must name an LLM provider with a batch mode (anthropic, openai,
    google). Returns the job batch id; ``batch_status`` / ``job`` follow it, and a worker
    (``docsense worker``) completes the reviews once the provider batch has ended.
    """
    if not document_ids:
        raise InvalidArgument("give at least one document id")
    spec = reviewer or service.default_reviewer
    chosen = service.reviewer_for(spec)
    if not isinstance(chosen, BatchReviewer):
        raise ReviewerError(
            f"reviewer {spec!r} has no batch mode: use one LLM provider, e.g. 'anthropic', "
            "'openai' or 'google' (not a combination or a fallback chain)"
        )
    reviews = []
    for document_id in document_ids:
        doc = await service.document(document_id)
        target = service.version_of(doc, None)
        reviews.append({
            "document_id": doc.id,
            "version": target.label,
            "packs": list(packs) if packs is not None else list(service.default_packs),
        })
    built = await _batch_requests(service, reviews)
    ticket = await chosen.submit_batch([request for request, _ in built])
    batch_id = f"batch-{uuid.uuid4()}"
    await queue.enqueue(
        PROVIDER_BATCH_JOB,
        [{"reviewer": chosen.spec, "ticket": ticket, "reviews": reviews,
          "poll_interval": poll_interval}],
        batch_id=batch_id,
        max_attempts=_BATCH_POLLS,
    )
    logger.info("submitted provider batch %s (%s calls) as %s", ticket.get("batch_id"),
                ticket.get("calls"), batch_id)
    return batch_id


class _Precomputed:
    """A reviewer that returns a result already computed (a provider batch's answer)."""

    def __init__(self, spec: str, result: ReviewerResult) -> None:
        self.spec = spec
        self._result = result

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        return self._result


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
        if job.kind not in (REVIEW_JOB, PROVIDER_BATCH_JOB):
            await self._queue.fail(job.id, self.worker_id, f"unknown job kind {job.kind!r}",
                                   retry_after=self._retry_after)
            return True
        with telemetry.span("docsense.job", {
            "docsense.job.id": job.id, "docsense.job.kind": job.kind,
            "docsense.job.attempt": job.attempts, "docsense.worker": self.worker_id,
        }) as traced:
            traced.set_attribute("docsense.job.outcome", await self._run_job(job))
        return True

    async def _run_job(self, job: Job) -> str:
        """Run a claimed job; return its outcome (``done``, ``failed``, ``lost``, ``batch``)."""
        keeper = asyncio.create_task(self._keep_lease(job.id))
        try:
            if job.kind == PROVIDER_BATCH_JOB:
                await self._provider_batch(job)
                return "batch"
            payload = job.payload
            result = await self._service.review(
                str(payload["document_id"]),
                packs=payload.get("packs"),
                reviewer=payload.get("reviewer"),
                version=payload.get("version"),
                min_confidence=payload.get("min_confidence"),
                actor=payload.get("actor"),
                review_id=review_id_for(job.id),
                fail_on_error=job.attempts >= job.max_attempts,
            )
        except (DocSenseError, KeyError, TypeError) as exc:
            logger.warning("job %s attempt %d failed: %s", job.id, job.attempts, exc)
            await self._queue.fail(job.id, self.worker_id, str(exc), retry_after=self._retry_after)
            return "failed"
        else:
            state = result.review.state
            done = await self._queue.complete(
                job.id, self.worker_id, {"review_id": result.review.id, "score": state.score}
            )
            if not done:
                logger.warning("job %s was taken over before it completed here", job.id)
            return "done" if done else "lost"
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)

    async def _provider_batch(self, job: Job) -> None:
        payload = job.payload
        try:
            reviewer = self._service.reviewer_for(str(payload["reviewer"]))
            if not isinstance(reviewer, BatchReviewer):
                raise ReviewerError(f"reviewer {payload['reviewer']!r} has no batch mode")
            built = await _batch_requests(self._service, payload["reviews"])
            results = await reviewer.collect_batch(payload["ticket"], [r for r, _ in built])
            if results is None:
                ticket = payload["ticket"]
                await self._queue.fail(
                    job.id, self.worker_id,
                    f"provider batch {ticket.get('batch_id')} is still running",
                    retry_after=float(payload.get("poll_interval", 60.0)),
                )
                return
            done = []
            for n, (item, (_, packs), result) in enumerate(
                zip(payload["reviews"], built, results, strict=True)
            ):
                review = await self._service.review(
                    str(item["document_id"]),
                    packs=packs,
                    reviewer=_Precomputed(reviewer.spec, result),
                    version=item.get("version"),
                    review_id=review_id_for(f"{job.id}#{n}"),
                )
                done.append({"document_id": item["document_id"], "review_id": review.review.id,
                             "score": review.review.state.score})
        except (DocSenseError, KeyError, TypeError) as exc:
            logger.warning("provider batch job %s failed: %s", job.id, exc)
            await self._queue.fail(job.id, self.worker_id, str(exc), retry_after=self._retry_after)
            return
        await self._queue.complete(
            job.id, self.worker_id,
            {"provider_batch": payload["ticket"].get("batch_id"), "reviews": done},
        )

    async def _keep_lease(self, job_id: str) -> None:
        """Renew the lease every third of its length until cancelled or it is lost.

        A renewal the store refuses is logged and tried again at the next turn; if the lease
        runs out meanwhile another worker may take the job over, and this worker's
        ``complete`` then reports that it no longer holds it.
        """
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                held = await self._queue.extend(job_id, self.worker_id, lease_seconds=self._lease)
            except StorageError as exc:
                logger.warning("could not renew the lease of job %s: %s", job_id, exc)
                continue
            if not held:
                return

    async def run(self, stop: asyncio.Event) -> None:
        """Run jobs until ``stop`` is set, polling when the queue is empty."""
        while not stop.is_set():
            if not await self.run_once():
                await wait_or_stop(stop, asyncio.sleep(self._poll))
