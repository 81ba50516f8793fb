"""The resilience layer on its own: waits, Retry-After, breaker states."""

from __future__ import annotations

import asyncio

import pytest

from docsense.adapters.ai.resilience import (
    BreakerState,
    CircuitBreaker,
    Resilience,
    RetryPolicy,
    parse_retry_after,
    status_error,
)
from docsense.errors import CircuitOpen, ProviderError


def _state(breaker: CircuitBreaker) -> BreakerState:
    return breaker.state  # a call, so mypy does not narrow the property between asserts


def test_retry_after_headers_are_parsed() -> None:
    assert parse_retry_after({"Retry-After": "7"}) == 7.0
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    when = "Wed, 21 Oct 2015 07:28:10 GMT"
    assert parse_retry_after({"retry-after": when}, now=1445412480.0) == 10.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after(None) is None


def test_status_errors_classify_retryable() -> None:
    assert status_error("p", 429, "slow down", {"retry-after": "3"}).retry_after == 3.0
    assert status_error("p", 503, "down").retryable
    assert not status_error("p", 400, "bad").retryable
    assert "check the API key" in str(status_error("p", 401, "no"))


def test_waits_grow_with_jitter_and_honour_retry_after() -> None:
    policy = RetryPolicy(initial_wait=1.0, max_wait=10.0)
    for attempt in range(1, 6):
        wait = policy.wait_for(attempt, None)
        assert 1.0 <= wait <= min(10.0, 1.0 + 2 ** (attempt - 1))
    assert policy.wait_for(1, 8.0) == 8.0
    assert policy.wait_for(1, 100.0) == 10.0


def test_breaker_opens_at_threshold_and_half_opens_after_reset() -> None:
    now = [0.0]
    breaker = CircuitBreaker("p", failure_threshold=2, reset_after=5.0, clock=lambda: now[0])
    breaker.record_failure()
    assert _state(breaker) is BreakerState.CLOSED
    breaker.record_failure()
    assert _state(breaker) is BreakerState.OPEN
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    now[0] = 5.0
    breaker.before_call()  # the one probe
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # a second caller waits for the probe's verdict
    breaker.record_success()
    assert _state(breaker) is BreakerState.CLOSED


async def test_concurrency_is_limited_per_layer() -> None:
    layer = Resilience("p", max_concurrency=2)
    running = peak = 0

    async def call() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1

    await asyncio.gather(*(layer.call(call) for _ in range(8)))
    assert peak == 2


async def test_non_retryable_errors_are_not_retried() -> None:
    sleeps: list[float] = []

    async def sleep(s: float) -> None:
        sleeps.append(s)

    layer = Resilience("p", sleep=sleep)

    async def bad() -> None:
        raise ProviderError("p", "HTTP 400", status=400)

    with pytest.raises(ProviderError):
        await layer.call(bad)
    assert layer.attempts == 1
    assert sleeps == []
