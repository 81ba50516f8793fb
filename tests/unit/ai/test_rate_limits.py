"""Rate limits are not outages; a spent quota fails fast. Each SDK against its fake server.

Waits are recorded by an injected sleep that advances a fake clock: no test waits for real.
"""

from __future__ import annotations

import pytest

from docsense.adapters.ai.resilience import BreakerState, CircuitBreaker
from docsense.errors import QuotaExhausted, RateLimited
from docsense.policies import load_pack
from docsense.review import run_review
from docsense.testing.fake_llm import Reply
from docsense.testing.reviewers import contract_document

from .conftest import Harness, one_call_request


def _state(breaker: CircuitBreaker) -> BreakerState:
    return breaker.state


async def test_six_429s_then_success_completes_in_seven_requests(harness: Harness) -> None:
    layer = harness.layer(threshold=2)  # a breaker that 429s would open at once
    harness.server.script(*(Reply(status=429, retry_after=2.5) for _ in range(6)))
    result = await harness.reviewer(layer).review(one_call_request())
    assert len(harness.server.requests) == 7  # at most 12: the SDKs retry nothing themselves
    assert harness.sleeps == [2.5] * 6  # as the provider asked, in its own header or body
    assert result.findings
    assert result.not_assessed == {}
    assert _state(layer.breaker) is BreakerState.CLOSED


async def test_a_burst_of_429s_across_a_review_never_opens_the_breaker(harness: Harness) -> None:
    layer = harness.layer(threshold=2)
    harness.server.script(*(Reply(status=429, retry_after=1) for _ in range(10)))
    outcome = await run_review(
        contract_document(), [load_pack("self-containment")], harness.reviewer(layer)
    )
    assert outcome.score is not None
    assert not outcome.not_assessed
    assert _state(layer.breaker) is BreakerState.CLOSED


async def test_429_without_a_delay_backs_off_with_jitter(harness: Harness) -> None:
    # raw bodies without the provider's delay: backoff decides the wait
    harness.server.script(Reply(status=429, raw=b'{"error": {"message": "slow down"}}'))
    result = await harness.reviewer().review(one_call_request())
    assert result.findings
    assert len(harness.sleeps) == 1
    assert 0.5 <= harness.sleeps[0] <= 1.0  # initial_wait + jitter of the first retry


async def test_a_wait_past_the_deadline_fails_at_once(harness: Harness) -> None:
    harness.server.script(Reply(status=429, retry_after=3600))
    with pytest.raises(RateLimited, match="3600 s more, past the 300 s deadline"):
        await harness.reviewer().review(one_call_request())
    assert len(harness.server.requests) == 1
    assert harness.sleeps == []


async def test_rate_limits_stop_at_the_deadline(harness: Harness) -> None:
    harness.server.script(*(Reply(status=429, retry_after=60) for _ in range(10)))
    with pytest.raises(RateLimited, match="rate limit"):
        await harness.reviewer().review(one_call_request())
    assert sum(harness.sleeps) <= 300
    assert len(harness.server.requests) == 6  # 5 waits of 60 s fit in the 300 s deadline


async def test_a_spent_quota_fails_fast_with_one_line_saying_so(harness: Harness) -> None:
    layer = harness.layer(threshold=1)
    harness.server.script(Reply(status=429, quota=True), Reply(status=429, quota=True))
    with pytest.raises(QuotaExhausted) as info:
        await harness.reviewer(layer).review(one_call_request())
    message = str(info.value)
    assert "quota exhausted" in message
    assert "retrying will not help" in message
    assert "\n" not in message
    assert not info.value.retryable
    assert len(harness.server.requests) == 1
    assert harness.sleeps == []
    assert _state(layer.breaker) is BreakerState.CLOSED  # not an outage either


@pytest.mark.parametrize("status", [500, 503])
async def test_outages_still_open_the_breaker(harness: Harness, status: int) -> None:
    layer = harness.layer(attempts=2, threshold=2)
    harness.server.script(Reply(status=status), Reply(status=status))
    with pytest.raises(Exception, match=f"HTTP {status}"):
        await harness.reviewer(layer).review(one_call_request())
    assert _state(layer.breaker) is BreakerState.OPEN
