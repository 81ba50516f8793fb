"""Retrying commands whose effects commute when their optimistic append meets a conflict.

Two requests that change one stream at once (two decisions on different findings of one
review, an export beside a re-upload) both read version *n*; the store accepts the first
append and refuses the second with :class:`~docsense.errors.ConcurrencyConflict`. When the
two changes commute, the second request only has to read the stream again and redo its
command on the new state. :func:`retry_on_conflict` does that: it runs an *attempt*
(load, check, command, save) again after each stale-version conflict, up to
``RetryPolicy.attempts`` times, waiting a random ("full jitter") delay that doubles up to a
cap, so that rivals spread out instead of colliding again.

An attempt that finds, on re-reading, that the rival's change really contradicts its own
(the same finding decided differently) raises a ``ConcurrencyConflict`` with
``retryable=False`` naming what conflicted; that one is never retried.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs

from docsense.errors import ConcurrencyConflict, InvalidArgument

__all__ = ["DEFAULT_RETRY", "RetryPolicy", "Sleep", "retry_on_conflict"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@attrs.frozen
class RetryPolicy:
    """How often and how patiently a commuting command is retried after a conflict.

    Attempt *n* (counting from 1 for the first retry) waits a uniformly random delay in
    ``[0, min(cap, base * 2**n)]`` seconds.
    """

    attempts: int = 25
    base: float = 0.002
    cap: float = 0.1

    def __attrs_post_init__(self) -> None:
        if self.attempts < 1 or self.base < 0 or self.cap < 0:
            raise InvalidArgument("a retry policy needs attempts >= 1 and delays >= 0")

    def delay(self, retry: int, rng: random.Random | None = None) -> float:
        """Return the wait before retry number ``retry`` (1, 2, ...)."""
        ceiling = min(self.cap, self.base * 2**retry)
        return (rng or random).uniform(0.0, ceiling)


DEFAULT_RETRY = RetryPolicy()
"""25 attempts, waits up to 2 ms doubling to 100 ms: ample for tens of concurrent requests."""


async def retry_on_conflict(
    attempt: Callable[[], Awaitable[T]],
    *,
    what: str,
    policy: RetryPolicy = DEFAULT_RETRY,
    sleep: Sleep = asyncio.sleep,
) -> T:
    """Run ``attempt`` until it returns, retrying after stale-version conflicts.

    ``what`` names the command for the final error. A conflict with ``retryable`` False,
    and every other exception, is raised at once.
    """
    last: ConcurrencyConflict | None = None
    for retry in range(policy.attempts):
        if retry:
            await sleep(policy.delay(retry))
        try:
            return await attempt()
        except ConcurrencyConflict as exc:
            if not exc.retryable:
                raise
            last = exc
            logger.debug("%s: %s; reading it again (retry %d)", what, exc, retry + 1)
    assert last is not None
    raise ConcurrencyConflict(
        last.stream_id,
        last.expected_version,
        last.actual_version,
        detail=(
            f"{what}: {last.stream_id} kept changing through {policy.attempts} attempts; "
            "try again later"
        ),
    ) from last
