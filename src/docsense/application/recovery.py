"""Finishing what an interrupted process left behind, at start-up and in ``docsense worker``.

Two things can be left half done when a process dies:

- **An apply under way.** Applying feedback writes the session's ``FeedbackApplyStarted``,
  then the document's revision, then the session's ``FeedbackApplied``
  (:mod:`~docsense.application.feedback`). Any later look at the session finishes it; this
  also finishes the ones nobody looks at, found through the ``reviews`` read model
  (``feedback == "applying"``).
- **A review left running.** This docsense stores a review when it has finished, so no
  review it starts is ever left ``started``; one written by an older docsense that died
  mid-review is. A queued job's review is resumed when its lease expires and a worker runs
  the job again; any other review still ``started`` after ``stale_after`` (default 15 min)
  is recorded as failed (retryable), so no review stays ``running`` for ever.

:func:`recover` does both, after bringing the ``reviews`` read model up to date.
``docsense.open()`` runs it once (a failure is logged, never raised: a read-only store still
opens) and ``docsense worker`` runs it every minute.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import attrs

from docsense.application.read_models import list_reviews
from docsense.application.service import DocSenseService
from docsense.errors import DocSenseError

__all__ = ["Recovered", "recover"]

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)


@attrs.frozen
class Recovered:
    """What one :func:`recover` pass finished, by review id."""

    applies_finished: tuple[str, ...] = ()
    reviews_failed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.applies_finished or self.reviews_failed)


async def recover(
    service: DocSenseService,
    *,
    catch_up: bool = True,
    stale_after: timedelta = STALE_AFTER,
    limit: int = 100,
) -> Recovered:
    """Finish applies left under way and fail reviews left running; return what was done.

    ``catch_up`` brings the ``reviews`` read model up to date first. At most ``limit`` of
    each kind are handled per call. Errors on one item are logged and the pass goes on.
    """
    store = service.storage.projections
    if catch_up:
        await service.projections.catch_up("reviews")
    finished: list[str] = []
    for row in await list_reviews(store, feedback="applying", limit=limit):
        review_id = str(row["id"])
        try:
            session = await service.feedback(review_id)
        except DocSenseError as exc:
            logger.warning("could not finish the apply of %s: %s", review_id, exc)
            continue
        finished.append(review_id)
        logger.info("finished the interrupted apply of %s (%s)", review_id, session.state.status)
    failed: list[str] = []
    cutoff = service.clock() - stale_after
    for row in await list_reviews(store, status="running", started_before=cutoff, limit=limit):
        review_id = str(row["id"])
        try:
            done = await service.fail_interrupted_review(
                review_id,
                reason=(
                    f"interrupted: still running {stale_after} after it started (the process "
                    "running it stopped); review the document again"
                ),
            )
        except DocSenseError as exc:
            logger.warning("could not mark the interrupted review %s failed: %s", review_id, exc)
            continue
        if done:
            failed.append(review_id)
            logger.warning("review %s was left running; recorded it as failed", review_id)
    return Recovered(tuple(finished), tuple(failed))
