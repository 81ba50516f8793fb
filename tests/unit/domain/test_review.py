"""Specification of the Review aggregate: started -> completed | failed."""

from __future__ import annotations

from typing import Any

import pytest

from docsense.domain.documents import VersionNumber
from docsense.domain.events import CommandContext
from docsense.domain.findings import DEFAULT_MIN_CONFIDENCE, Category, Finding, Severity
from docsense.domain.review import (
    FindingsRecorded,
    PackRef,
    PolicyStatus,
    Review,
    ReviewCompleted,
    ReviewFailed,
    ReviewStarted,
    ReviewStatus,
    Usage,
)
from docsense.errors import InvalidTransition, InvariantViolation

PACK = PackRef("policypack-1", "2026.1")


def finding(finding_id: str, policy_id: str = "SC-001") -> Finding:
    return Finding(
        id=finding_id,
        policy_id=policy_id,
        category=Category.COMPLIANCE_GAP,
        severity=Severity.MEDIUM,
        title=f"Finding {finding_id}",
    )


def start(ctx: CommandContext, **overrides: Any) -> Review:
    args: dict[str, Any] = {
        "document_id": "document-1",
        "document_version": VersionNumber(1, 0),
        "packs": [PACK],
        "reviewer": "rules",
        **overrides,
    }
    return Review.start(ctx, **args)


@pytest.fixture
def review(ctx: CommandContext) -> Review:
    return start(ctx)


def complete(review: Review, ctx: CommandContext) -> ReviewCompleted:
    return review.complete(
        ctx, score=0.8, policy_statuses={"SC-001": PolicyStatus.SATISFIED}, duration_ms=120
    )


# --- value objects -----------------------------------------------------------------------------


def test_usage_adds_up_per_call_usage() -> None:
    calls = [Usage(10, 5, 2, 1, 0.01), Usage(20, 5, 0, 1, 0.02)]
    total = sum(calls, Usage())
    assert (total.tokens_in, total.tokens_out, total.tokens_cached, total.calls) == (30, 10, 2, 2)
    assert total.cost_estimate == pytest.approx(0.03)
    assert sum(calls) == total


@pytest.mark.parametrize(
    "kwargs",
    [{"tokens_in": -1}, {"calls": -1}, {"cost_estimate": -0.5}, {"cost_estimate": float("inf")}],
)
def test_usage_with_negative_or_infinite_numbers_raises_invariant_violation(
    kwargs: dict[str, Any],
) -> None:
    with pytest.raises(InvariantViolation):
        Usage(**kwargs)


@pytest.mark.parametrize(("pack_id", "version"), [("pack-1", "1"), ("policypack-1", "")])
def test_pack_ref_needs_a_pack_stream_id_and_version(pack_id: str, version: str) -> None:
    with pytest.raises(InvariantViolation):
        PackRef(pack_id, version)


# --- start -------------------------------------------------------------------------------------


def test_start_records_document_version_packs_and_reviewer(review: Review) -> None:
    state = review.state
    assert review.id.startswith("review-")
    assert state.status is ReviewStatus.STARTED
    assert state.document_version == VersionNumber(1, 0)
    assert state.packs == (PACK,)
    assert state.reviewer == "rules"
    assert state.findings == ()
    assert state.score is None


def test_start_with_several_packs(ctx: CommandContext) -> None:
    packs = [PACK, PackRef("policypack-2", "1")]
    assert start(ctx, packs=packs).state.packs == tuple(packs)


@pytest.mark.parametrize(
    "overrides",
    [
        {"packs": []},
        {"packs": [PACK, PackRef("policypack-1", "2")]},
        {"reviewer": " "},
        {"document_id": "doc-1"},
    ],
)
def test_start_with_bad_arguments_raises_invariant_violation(
    ctx: CommandContext, overrides: dict[str, Any]
) -> None:
    with pytest.raises(InvariantViolation):
        start(ctx, **overrides)


# --- findings ----------------------------------------------------------------------------------


def test_record_findings_can_happen_several_times(ctx: CommandContext, review: Review) -> None:
    first = review.record_findings(ctx, [finding("f-1")], part="rules")
    review.record_findings(ctx, [finding("f-2"), finding("f-3")], part="llm", ungrounded_dropped=2)
    assert isinstance(first, FindingsRecorded)
    assert [f.id for f in review.state.findings] == ["f-1", "f-2", "f-3"]
    assert review.state.ungrounded_dropped == 2
    assert review.state.finding("f-2") == finding("f-2")


def test_record_no_findings_is_allowed(ctx: CommandContext, review: Review) -> None:
    review.record_findings(ctx, [], part="llm", ungrounded_dropped=3)
    assert review.state.findings == ()
    assert review.state.ungrounded_dropped == 3


def test_record_a_finding_id_twice_raises_invariant_violation(
    ctx: CommandContext, review: Review
) -> None:
    review.record_findings(ctx, [finding("f-1")])
    with pytest.raises(InvariantViolation, match="already recorded"):
        review.record_findings(ctx, [finding("f-1")])


def test_record_duplicate_ids_in_one_batch_raises_invariant_violation(
    ctx: CommandContext, review: Review
) -> None:
    with pytest.raises(InvariantViolation):
        review.record_findings(ctx, [finding("f-1"), finding("f-1")])


def test_record_negative_ungrounded_count_raises_invariant_violation(
    ctx: CommandContext, review: Review
) -> None:
    with pytest.raises(InvariantViolation):
        review.record_findings(ctx, [], ungrounded_dropped=-1)


# --- complete ----------------------------------------------------------------------------------


def test_complete_records_score_statuses_usage_and_duration(
    ctx: CommandContext, review: Review
) -> None:
    usage = Usage(tokens_in=100, tokens_out=20, tokens_cached=50, calls=1, cost_estimate=0.002)
    review.complete(
        ctx,
        score=0.5,
        policy_statuses={"B": PolicyStatus.VIOLATED, "A": PolicyStatus.NOT_ASSESSED},
        usage=usage,
        duration_ms=1500,
        warnings=["section 4 truncated"],
    )
    state = review.state
    assert state.status is ReviewStatus.COMPLETED
    assert state.score == 0.5
    assert state.usage == usage
    assert state.duration_ms == 1500
    assert [o.policy_id for o in state.policy_statuses] == ["A", "B"]
    assert state.status_of("B") is PolicyStatus.VIOLATED
    assert state.status_of("C") is None
    assert state.warnings == ("section 4 truncated",)
    assert state.finished_at is not None


@pytest.mark.parametrize("score", [-0.01, 1.01, float("nan")])
def test_complete_with_score_outside_unit_interval_raises(
    ctx: CommandContext, review: Review, score: float
) -> None:
    with pytest.raises(InvariantViolation):
        review.complete(ctx, score=score, policy_statuses={}, duration_ms=1)


def test_complete_with_negative_duration_raises_invariant_violation(
    ctx: CommandContext, review: Review
) -> None:
    with pytest.raises(InvariantViolation):
        review.complete(ctx, score=1.0, policy_statuses={}, duration_ms=-1)


def test_complete_with_unknown_policy_status_raises_invariant_violation(
    ctx: CommandContext, review: Review
) -> None:
    with pytest.raises(InvariantViolation, match="passed"):
        review.complete(ctx, score=1.0, policy_statuses={"A": "passed"}, duration_ms=1)  # type: ignore[dict-item]


def test_nothing_happens_after_completion(ctx: CommandContext, review: Review) -> None:
    complete(review, ctx)
    with pytest.raises(InvalidTransition, match="completed"):
        review.record_findings(ctx, [finding("f-9")])
    with pytest.raises(InvalidTransition):
        complete(review, ctx)
    with pytest.raises(InvalidTransition):
        review.fail(ctx, reason="late", retryable=False)


# --- fail --------------------------------------------------------------------------------------


def test_fail_records_reason_and_retryability(ctx: CommandContext, review: Review) -> None:
    event = review.fail(ctx, reason="provider timeout", retryable=True, usage=Usage(calls=3))
    assert isinstance(event, ReviewFailed)
    state = review.state
    assert state.status is ReviewStatus.FAILED
    assert (state.failure_reason, state.retryable) == ("provider timeout", True)
    assert state.usage.calls == 3


def test_fail_without_reason_raises_invariant_violation(
    ctx: CommandContext, review: Review
) -> None:
    with pytest.raises(InvariantViolation):
        review.fail(ctx, reason="", retryable=False)


def test_nothing_happens_after_failure(ctx: CommandContext, review: Review) -> None:
    review.fail(ctx, reason="bad key", retryable=False)
    with pytest.raises(InvalidTransition, match="failed"):
        complete(review, ctx)
    with pytest.raises(InvalidTransition):
        review.record_findings(ctx, [])
    with pytest.raises(InvalidTransition):
        review.fail(ctx, reason="again", retryable=False)


def test_evolve_refuses_events_before_the_start(ctx: CommandContext, review: Review) -> None:
    complete(review, ctx)
    with pytest.raises(InvariantViolation):
        Review.evolve(None, review.pending_events[-1])


# --- confidence threshold ------------------------------------------------------------------


def _confident(finding_id: str, confidence: float) -> Finding:
    return Finding(
        id=finding_id,
        policy_id="SC-001",
        category=Category.COMPLIANCE_GAP,
        severity=Severity.MEDIUM,
        title=f"Finding {finding_id}",
        confidence=confidence,
    )


def test_start_records_the_confidence_threshold(ctx: CommandContext) -> None:
    review = start(ctx, min_confidence=0.7)
    event = review.pending_events[0]
    assert isinstance(event, ReviewStarted)
    assert event.min_confidence == 0.7
    assert review.state.min_confidence == 0.7


def test_the_default_threshold_is_the_documented_default(review: Review) -> None:
    assert review.state.min_confidence == DEFAULT_MIN_CONFIDENCE == 0.5


@pytest.mark.parametrize("value", [-0.01, 1.01, float("nan")])
def test_start_with_a_threshold_outside_zero_to_one_raises_invariant_violation(
    ctx: CommandContext, value: float
) -> None:
    with pytest.raises(InvariantViolation, match="confidence threshold"):
        start(ctx, min_confidence=value)


def test_findings_below_the_threshold_are_kept_but_not_shown(ctx: CommandContext) -> None:
    review = start(ctx, min_confidence=0.6)
    review.record_findings(
        ctx, [_confident("sure", 0.9), _confident("edge", 0.6), _confident("doubt", 0.3)]
    )
    state = review.state
    assert [f.id for f in state.all_findings] == ["sure", "edge", "doubt"]
    assert [f.id for f in state.findings] == ["sure", "edge"]
    assert state.below_threshold == 1
    assert state.finding("doubt") is not None
    event = complete(review, ctx)
    assert event.below_threshold == 1


def test_a_hidden_finding_id_cannot_be_recorded_again(ctx: CommandContext) -> None:
    review = start(ctx, min_confidence=0.6)
    review.record_findings(ctx, [_confident("doubt", 0.3)])
    with pytest.raises(InvariantViolation, match="already recorded"):
        review.record_findings(ctx, [_confident("doubt", 0.3)])


# --- suppressions (issue 16) -------------------------------------------------------------------


def _suppression(f: Finding, **overrides: Any) -> Any:
    from docsense.domain.review import Suppression

    args: dict[str, Any] = {
        "finding_id": f.id, "fingerprint": f.fingerprint, "reason": "false positive",
        "rejected_by": "alice", "rejected_in": "review-0", **overrides,
    }
    return Suppression(**args)


def test_suppress_records_the_carried_rejections_before_completion(ctx: CommandContext) -> None:
    from docsense.domain.review import FindingsSuppressed

    review = start(ctx)
    a, b = finding("f-1"), finding("f-2", "SC-002")
    review.record_findings(ctx, [a, b])
    assert review.suppress(ctx, []) is None
    event = review.suppress(ctx, [_suppression(b)])
    assert isinstance(event, FindingsSuppressed)
    assert review.state.suppressed == (_suppression(b),)
    assert review.state.suppression("f-2") == _suppression(b)
    assert review.state.suppression("f-1") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"finding_id": "f-9"}, "no finding 'f-9'"),
        ({"fingerprint": "0" * 32}, "has fingerprint"),
    ],
)
def test_a_suppression_must_name_a_recorded_finding_and_its_fingerprint(
    ctx: CommandContext, change: dict[str, str], message: str
) -> None:
    review = start(ctx)
    a = finding("f-1")
    review.record_findings(ctx, [a])
    with pytest.raises(InvariantViolation, match=message):
        review.suppress(ctx, [_suppression(a, **change)])


def test_a_finding_is_suppressed_once_and_only_with_a_reason(ctx: CommandContext) -> None:
    review = start(ctx)
    a = finding("f-1")
    review.record_findings(ctx, [a])
    review.suppress(ctx, [_suppression(a)])
    with pytest.raises(InvariantViolation, match="already suppressed"):
        review.suppress(ctx, [_suppression(a)])
    with pytest.raises(InvariantViolation, match="needs a reason"):
        _suppression(a, reason="  ")


def test_a_finished_review_cannot_suppress(ctx: CommandContext) -> None:
    review = start(ctx)
    a = finding("f-1")
    review.record_findings(ctx, [a])
    review.complete(ctx, score=1.0, policy_statuses={}, duration_ms=1)
    with pytest.raises(InvalidTransition):
        review.suppress(ctx, [_suppression(a)])
