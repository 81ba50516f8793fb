"""Fault injection per adapter: each SDK against its fake server, no real waits over 1 s."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from docsense.adapters.ai.resilience import BreakerState, CircuitBreaker
from docsense.adapters.ai.rules import RulesReviewer
from docsense.domain.review import NotAssessedReason
from docsense.errors import CircuitOpen, ProviderError, ProviderTimeout
from docsense.policies import load_pack
from docsense.review import run_review
from docsense.review.reviewers import FallbackReviewer
from docsense.testing.fake_llm import Reply
from docsense.testing.reviewers import contract_document

from .conftest import Harness, one_call_request


def _state(breaker: CircuitBreaker) -> BreakerState:
    return breaker.state  # a call, so mypy does not narrow the property between asserts


def _closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more: connection refused
    return f"http://127.0.0.1:{port}"


async def test_429_with_retry_after_waits_as_asked_then_succeeds(harness: Harness) -> None:
    harness.server.script(Reply(status=429, retry_after=7))  # in each provider's own shape
    result = await harness.reviewer().review(one_call_request())
    assert harness.sleeps == [7.0]
    assert len(harness.server.requests) == 2
    assert result.findings
    assert result.warnings == ()


async def test_500_three_times_then_success_completes(harness: Harness) -> None:
    harness.server.script(*(Reply(status=500) for _ in range(3)))
    result = await harness.reviewer().review(one_call_request())
    assert len(harness.server.requests) == 4
    assert len(harness.sleeps) == 3
    assert all(0.5 <= s <= 60 for s in harness.sleeps)
    assert result.usage.calls == 1
    assert result.findings


async def test_500_beyond_the_attempts_fails_with_a_retryable_provider_error(
    harness: Harness,
) -> None:
    harness.server.script(*(Reply(status=503) for _ in range(2)))
    with pytest.raises(ProviderError) as info:
        await harness.reviewer(harness.layer(attempts=2)).review(one_call_request())
    assert info.value.status == 503
    assert info.value.retryable


async def test_slow_answer_times_out_then_the_retry_succeeds(harness: Harness) -> None:
    harness.server.script(Reply(delay=0.6))
    layer = harness.layer(attempts=2, timeout=0.2)
    result = await harness.reviewer(layer).review(one_call_request())
    assert layer.attempts == 2
    assert result.findings


async def test_timeout_on_every_attempt_raises_provider_timeout(harness: Harness) -> None:
    harness.server.script(Reply(delay=0.5))
    with pytest.raises(ProviderTimeout, match="no answer within"):
        await harness.reviewer(harness.layer(attempts=1, timeout=0.2)).review(one_call_request())


async def test_connection_refused_is_retried_then_raised(harness: Harness) -> None:
    layer = harness.layer(attempts=3)
    reviewer = harness.reviewer(layer, base_url=_closed_port_url())
    with pytest.raises(ProviderError, match="cannot connect") as info:
        await reviewer.review(one_call_request())
    assert info.value.retryable
    assert layer.attempts == 3
    assert len(harness.sleeps) == 2


async def test_malformed_json_is_asked_again_with_the_error(harness: Harness) -> None:
    harness.server.script(Reply(text="Here are the findings: {not json"))
    result = await harness.reviewer().review(one_call_request())
    first, second = harness.server.requests
    assert "previous answer was rejected" not in first.call.text
    assert "previous answer was rejected" in second.call.text
    assert result.findings
    assert result.usage.calls == 2
    assert result.warnings == ()


async def test_schema_invalid_twice_is_a_failed_part_not_invented_findings(
    harness: Harness,
) -> None:
    bad = json.dumps({"findings": [{"policy_id": "SC-001", "quote": 3}]})
    harness.server.script(Reply(text=bad), Reply(text='{"assessed_policy_ids": []}'))
    request = one_call_request()
    result = await harness.reviewer().review(request)
    assert result.findings == ()
    assert result.assessed == frozenset()
    assert result.usage.calls == 2
    assert len(result.warnings) == 1
    assert "failed and was not assessed" in result.warnings[0]
    assert "findings.0" in harness.server.requests[1].call.text  # the validation error


async def test_output_stopped_at_max_tokens_is_retried_shorter(harness: Harness) -> None:
    harness.server.script(Reply(text='{"findings": [{"policy_id": "SC-0', truncated=True))
    result = await harness.reviewer().review(one_call_request())
    assert "cut off at the output token limit" in harness.server.requests[1].call.text
    assert result.findings
    assert result.warnings == ()


async def test_truncated_twice_completes_the_review_with_a_warning(harness: Harness) -> None:
    harness.server.script(*(Reply(text="{", truncated=True) for _ in range(4)))  # 2 calls x 2
    outcome = await run_review(
        contract_document(), [load_pack("self-containment")], harness.reviewer()
    )
    assert any("cut off" in w for w in outcome.warnings)


async def test_breaker_opens_fails_fast_then_recovers_half_open(harness: Harness) -> None:
    layer = harness.layer(attempts=1, threshold=2)
    reviewer = harness.reviewer(layer)
    harness.server.script(Reply(status=500), Reply(status=500))
    for _ in range(2):
        with pytest.raises(ProviderError):
            await reviewer.review(one_call_request())
    assert _state(layer.breaker) is BreakerState.OPEN
    sent = len(harness.server.requests)
    with pytest.raises(CircuitOpen):
        await reviewer.review(one_call_request())
    assert len(harness.server.requests) == sent  # failed fast: nothing sent
    harness.clock.now += 31  # the cool-down passes: one probe may go through
    assert _state(layer.breaker) is BreakerState.HALF_OPEN
    result = await reviewer.review(one_call_request())
    assert result.findings
    assert _state(layer.breaker) is BreakerState.CLOSED


async def test_failed_probe_opens_the_breaker_again(harness: Harness) -> None:
    layer = harness.layer(attempts=1, threshold=1)
    reviewer = harness.reviewer(layer)
    harness.server.script(Reply(status=500), Reply(status=502))
    with pytest.raises(ProviderError):
        await reviewer.review(one_call_request())
    harness.clock.now += 31
    with pytest.raises(ProviderError):
        await reviewer.review(one_call_request())  # the probe fails
    assert _state(layer.breaker) is BreakerState.OPEN


async def test_fallback_to_rules_produces_a_completed_review(harness: Harness) -> None:
    layer = harness.layer(attempts=2)
    llm = harness.reviewer(layer, base_url=_closed_port_url())
    chain = FallbackReviewer([llm, RulesReviewer()])
    outcome = await run_review(contract_document(), [load_pack("self-containment")], chain)
    assert outcome.findings
    assert {f.source for f in outcome.findings} == {"rules"}
    assert any("fell back" in w and llm.spec in w for w in outcome.warnings)
    assert outcome.reviewer == chain.spec


HOUSE_PACK = Path(__file__).resolve().parents[3] / "examples/custom_pack.yaml"


async def test_policies_left_by_a_failed_provider_say_so(harness: Harness) -> None:
    house = load_pack(HOUSE_PACK)  # its HR-004 is llm_only: the rules reviewer skips it
    llm = harness.reviewer(harness.layer(attempts=1), base_url=_closed_port_url())
    chain = FallbackReviewer([llm, RulesReviewer()])
    outcome = await run_review(contract_document(), [load_pack("self-containment"), house], chain)
    [llm_only] = [o for o in outcome.policy_statuses if o.policy_id == "HR-004"]
    assert llm_only.reason is NotAssessedReason.PROVIDER_ERROR  # not "not reviewed"
    assert "cannot connect" in llm_only.detail
