"""Specification of the FeedbackSession aggregate: decisions on suggestions, then apply."""

from __future__ import annotations

from typing import Any

import pytest

from docsense.domain.documents import VersionNumber
from docsense.domain.events import CommandContext
from docsense.domain.feedback import (
    Decision,
    FeedbackApplied,
    FeedbackItem,
    FeedbackSession,
    FeedbackStatus,
    SuggestionAccepted,
    SuggestionModified,
    SuggestionRejected,
    TextEdit,
    apply_edits,
)
from docsense.domain.findings import Category, Finding, FindingLocation, Occurrence, Severity
from docsense.errors import FindingNotFound, InvalidTransition, InvariantViolation

TEXT = "The index is capped at X. Rebalancing happens regularly."
V1 = VersionNumber(1, 0)


def finding(finding_id: str, quote: str, replacement: str | None = None, **kw: Any) -> Finding:
    start = TEXT.index(quote) if quote else 0
    location = FindingLocation(start=start, end=start + len(quote)) if quote else None
    return Finding(
        id=finding_id,
        policy_id="SC-001",
        category=Category.UNDEFINED_PARAMETER,
        severity=Severity.HIGH,
        title=f"Finding {finding_id}",
        quote=quote,
        location=location,
        replacement=replacement,
        suggested_fix="Say what it is.",
        **kw,
    )


FINDINGS = [
    finding("cap", "capped at X", "capped at [[specify: cap]]"),
    finding("rebal", "regularly"),  # advice only, no replacement
    finding("gov", ""),  # absent: no quote, so no item
]


@pytest.fixture
def session(ctx: CommandContext) -> FeedbackSession:
    return FeedbackSession.open(
        ctx,
        review_id="review-42",
        document_id="document-7",
        document_version=V1,
        findings=FINDINGS,
    )


# --- open --------------------------------------------------------------------------------------


def test_open_makes_one_item_per_finding_with_a_quote(session: FeedbackSession) -> None:
    state = session.state
    assert state.status is FeedbackStatus.OPEN
    assert [i.item.finding_id for i in state.items] == ["cap", "rebal"]
    assert all(i.decision is Decision.PENDING for i in state.items)
    assert state.pending == ("cap", "rebal")
    cap = state.item("cap")
    assert cap is not None
    assert TEXT[cap.item.start : cap.item.end] == "capped at X"


def test_the_session_id_is_derived_from_the_review_id(session: FeedbackSession) -> None:
    assert session.id == "feedback-42" == FeedbackSession.id_for("review-42")


def test_items_are_in_document_order(ctx: CommandContext) -> None:
    session = FeedbackSession.open(
        ctx,
        review_id="review-1",
        document_id="document-1",
        document_version=V1,
        findings=list(reversed(FINDINGS)),
    )
    assert [i.item.finding_id for i in session.state.items] == ["cap", "rebal"]


def test_open_with_a_non_review_id_raises_invariant_violation(ctx: CommandContext) -> None:
    with pytest.raises(InvariantViolation):
        FeedbackSession.open(
            ctx, review_id="42", document_id="document-1", document_version=V1, findings=[]
        )


def test_open_with_duplicate_finding_ids_raises_invariant_violation(ctx: CommandContext) -> None:
    with pytest.raises(InvariantViolation):
        FeedbackSession.open(
            ctx,
            review_id="review-1",
            document_id="document-1",
            document_version=V1,
            findings=[finding("a", "capped"), finding("a", "regularly")],
        )


def test_feedback_item_needs_a_quote_and_a_valid_span() -> None:
    with pytest.raises(InvariantViolation):
        FeedbackItem(finding_id="a", quote="", start=0, end=0)
    with pytest.raises(InvariantViolation):
        FeedbackItem(finding_id="a", quote="x", start=3, end=2)


# --- accept ------------------------------------------------------------------------------------


def test_accept_marks_the_item_accepted(ctx: CommandContext, session: FeedbackSession) -> None:
    event = session.accept(ctx, "cap")
    assert isinstance(event, SuggestionAccepted)
    item = session.state.item("cap")
    assert item is not None
    assert item.decision is Decision.ACCEPTED
    assert item.new_text == "capped at [[specify: cap]]"


def test_accept_without_replacement_raises_invalid_transition(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    with pytest.raises(InvalidTransition, match="modify it with your own text, or reject it"):
        session.accept(ctx, "rebal")


def test_accept_twice_records_nothing_the_second_time(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    session.accept(ctx, "cap")
    assert session.accept(ctx, "cap") is None
    assert len(session.pending_events) == 2


def test_accept_unknown_item_raises_finding_not_found_a_lookup_error(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    with pytest.raises(FindingNotFound, match="no suggestion") as info:
        session.accept(ctx, "gov")
    assert isinstance(info.value, LookupError)
    assert "items()" in str(info.value)


# --- reject ------------------------------------------------------------------------------------


def test_reject_records_the_reason(ctx: CommandContext, session: FeedbackSession) -> None:
    event = session.reject(ctx, "rebal", reason="defined in the appendix")
    assert isinstance(event, SuggestionRejected)
    item = session.state.item("rebal")
    assert item is not None
    assert item.decision is Decision.REJECTED
    assert item.reason == "defined in the appendix"
    assert item.new_text is None


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_reason_raises_invariant_violation(
    ctx: CommandContext, session: FeedbackSession, reason: str
) -> None:
    with pytest.raises(InvariantViolation, match="why"):
        session.reject(ctx, "rebal", reason=reason)


def test_reject_again_with_a_new_reason_records_it(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    session.reject(ctx, "rebal", reason="a")
    assert session.reject(ctx, "rebal", reason="a") is None
    assert session.reject(ctx, "rebal", reason="b") is not None
    item = session.state.item("rebal")
    assert item is not None
    assert item.reason == "b"


# --- modify ------------------------------------------------------------------------------------


def test_modify_replaces_the_quote_with_the_users_text(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    event = session.modify(ctx, "rebal", text="on the first business day of each quarter")
    assert isinstance(event, SuggestionModified)
    item = session.state.item("rebal")
    assert item is not None
    assert item.decision is Decision.MODIFIED
    assert item.new_text == "on the first business day of each quarter"


def test_modify_to_empty_text_deletes_the_quote(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    session.modify(ctx, "rebal", text="")
    assert session.state.edits() == (TextEdit(TEXT.index("regularly"), len(TEXT) - 1, ""),)


def test_modify_to_the_quoted_text_raises_invariant_violation(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    with pytest.raises(InvariantViolation, match="reject"):
        session.modify(ctx, "rebal", text="regularly")


def test_decisions_can_change_until_applied(ctx: CommandContext, session: FeedbackSession) -> None:
    session.accept(ctx, "cap")
    session.reject(ctx, "cap", reason="changed my mind")
    session.modify(ctx, "cap", text="capped at 10%")
    item = session.state.item("cap")
    assert item is not None
    assert (item.decision, item.reason, item.text) == (Decision.MODIFIED, None, "capped at 10%")
    assert len(session.pending_events) == 4


# --- overlapping suggestions ---------------------------------------------------------------------


def test_accept_overlapping_an_accepted_item_raises_invalid_transition(
    ctx: CommandContext,
) -> None:
    session = FeedbackSession.open(
        ctx,
        review_id="review-1",
        document_id="document-1",
        document_version=V1,
        findings=[finding("a", "capped at X", "capped at 5%"), finding("b", "at X", "at 5%")],
    )
    session.accept(ctx, "a")
    with pytest.raises(InvalidTransition, match="overlaps suggestion 'a'"):
        session.accept(ctx, "b")
    with pytest.raises(InvalidTransition):
        session.modify(ctx, "b", text="at 6%")
    session.reject(ctx, "a", reason="prefer b")
    session.accept(ctx, "b")


# --- apply -------------------------------------------------------------------------------------


def test_apply_edits_replaces_spans_of_the_original_text() -> None:
    edits = [TextEdit(0, 3, "A"), TextEdit(TEXT.index("X"), TEXT.index("X") + 1, "10%")]
    assert apply_edits(TEXT, edits) == "A index is capped at 10%. Rebalancing happens regularly."


def test_apply_edits_with_overlapping_spans_raises_invariant_violation() -> None:
    with pytest.raises(InvariantViolation, match="overlap"):
        apply_edits(TEXT, [TextEdit(0, 5, "a"), TextEdit(4, 6, "b")])


def test_apply_edits_outside_the_text_raises_invariant_violation() -> None:
    with pytest.raises(InvariantViolation, match="outside"):
        apply_edits("short", [TextEdit(3, 9, "x")])


def test_session_edits_produce_the_revised_markdown(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    session.accept(ctx, "cap")
    session.modify(ctx, "rebal", text="quarterly")
    assert apply_edits(TEXT, session.state.edits()) == (
        "The index is capped at [[specify: cap]]. Rebalancing happens quarterly."
    )


def test_apply_records_the_resulting_version_and_applied_items(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    session.accept(ctx, "cap")
    session.reject(ctx, "rebal", reason="fine as is")
    event = session.apply(ctx, document_version=VersionNumber(1, 1))
    assert isinstance(event, FeedbackApplied)
    state = session.state
    assert state.status is FeedbackStatus.APPLIED
    assert state.resulting_version == VersionNumber(1, 1)
    assert state.applied_finding_ids == ("cap",)


def test_apply_leaves_pending_items_out(ctx: CommandContext, session: FeedbackSession) -> None:
    session.modify(ctx, "rebal", text="monthly")
    assert session.apply(ctx, document_version=VersionNumber(1, 1)).applied_finding_ids == (
        "rebal",
    )


def test_apply_with_nothing_accepted_raises_invalid_transition(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    session.reject(ctx, "cap", reason="no")
    with pytest.raises(InvalidTransition, match="nothing to apply"):
        session.apply(ctx, document_version=VersionNumber(1, 1))


def test_apply_to_a_version_not_newer_raises_invariant_violation(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    session.accept(ctx, "cap")
    with pytest.raises(InvariantViolation, match="newer"):
        session.apply(ctx, document_version=V1)


def test_no_decisions_after_apply(ctx: CommandContext, session: FeedbackSession) -> None:
    session.accept(ctx, "cap")
    session.apply(ctx, document_version=VersionNumber(1, 1))
    with pytest.raises(InvalidTransition, match="already applied"):
        session.reject(ctx, "cap", reason="too late")
    with pytest.raises(InvalidTransition):
        session.modify(ctx, "rebal", text="monthly")
    with pytest.raises(InvalidTransition):
        session.accept(ctx, "cap")
    with pytest.raises(InvalidTransition):
        session.apply(ctx, document_version=VersionNumber(1, 2))


# --- applying in two steps ---------------------------------------------------------------------


def test_begin_apply_freezes_the_decisions(ctx: CommandContext, session: FeedbackSession) -> None:
    session.accept(ctx, "cap")
    started = session.begin_apply(ctx)
    assert started.base_version == V1
    assert started.applied_finding_ids == ("cap",)
    assert session.state.status is FeedbackStatus.APPLYING
    assert session.state.apply_started_by == started.event_id
    with pytest.raises(InvalidTransition, match="being applied"):
        session.modify(ctx, "rebal", text="monthly")
    with pytest.raises(InvalidTransition, match="being applied"):
        session.begin_apply(ctx)


def test_apply_after_begin_closes_the_session(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    session.accept(ctx, "cap")
    session.begin_apply(ctx)
    event = session.apply(ctx, document_version=VersionNumber(1, 1))
    assert event.applied_finding_ids == ("cap",)
    assert session.state.status is FeedbackStatus.APPLIED
    assert session.state.apply_started_by is None


def test_abandon_apply_reopens_the_decisions(ctx: CommandContext, session: FeedbackSession) -> None:
    session.accept(ctx, "cap")
    session.begin_apply(ctx)
    session.abandon_apply(ctx, reason="the document was re-uploaded")
    assert session.state.status is FeedbackStatus.OPEN
    session.reject(ctx, "cap", reason="changed my mind")
    assert session.state.item("cap") is not None


def test_abandon_apply_of_an_open_session_raises_invalid_transition(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    with pytest.raises(InvalidTransition):
        session.abandon_apply(ctx, reason="no apply under way")


def test_begin_apply_with_nothing_accepted_raises_invalid_transition(
    ctx: CommandContext, session: FeedbackSession
) -> None:
    with pytest.raises(InvalidTransition, match="nothing to apply"):
        session.begin_apply(ctx)


# --- groups: a decision applies to every place --------------------------------------------------

GROUP_TEXT = (
    "Fees apply as applicable. The sponsor rebalances as applicable. "
    "Weights are capped as applicable."
)


def _place(quote: str, nth: int, replacement: str | None) -> Occurrence:
    start = -1
    for _ in range(nth + 1):
        start = GROUP_TEXT.index(quote, start + 1)
    return Occurrence(quote, FindingLocation(start=start, end=start + len(quote)), replacement)


def group(finding_id: str, places: tuple[Occurrence, ...]) -> Finding:
    first = places[0]
    return Finding(
        id=finding_id,
        policy_id="SC-007",
        category=Category.AMBIGUOUS_METHODOLOGY,
        severity=Severity.MEDIUM,
        title="Discretionary wording 'as applicable'",
        quote=first.quote,
        location=first.location,
        replacement=first.replacement,
        occurrences=places,
        check="discretionary_language",
        subject="as applicable",
        suggested_fix="Say when it applies.",
    )


AS_APPLICABLE = group(
    "as-app",
    (
        _place("as applicable", 0, "as set out in [[specify: fee schedule]]"),
        _place("as applicable", 1, None),
        _place("as applicable", 2, "[[specify: cap rule]]"),
    ),
)


def _rebalance() -> Finding:
    """A finding whose span overlaps the second place of AS_APPLICABLE."""
    start = GROUP_TEXT.index("rebalances as applicable")
    return Finding(
        id="rebal", policy_id="SC-003", category=Category.MARKET_CALENDAR,
        severity=Severity.HIGH, title="Rebalancing schedule not specified",
        quote="rebalances as applicable",
        location=FindingLocation(start=start, end=start + len("rebalances as applicable")),
        replacement="rebalances on [[specify: dates]]",
    )


def _open(ctx: CommandContext, findings: list[Finding]) -> FeedbackSession:
    return FeedbackSession.open(
        ctx, review_id="review-9", document_id="document-9", document_version=V1,
        findings=findings,
    )


def test_an_item_carries_every_place_of_its_finding(ctx: CommandContext) -> None:
    item = _open(ctx, [AS_APPLICABLE]).state.items[0].item
    assert item.occurrences == AS_APPLICABLE.occurrences
    assert (item.quote, item.start, item.replacement) == (
        "as applicable", AS_APPLICABLE.occurrences[0].location.start,
        "as set out in [[specify: fee schedule]]",
    )


def test_accept_applies_each_places_own_replacement_and_leaves_the_others(
    ctx: CommandContext,
) -> None:
    session = _open(ctx, [AS_APPLICABLE])
    session.accept(ctx, "as-app")
    assert apply_edits(GROUP_TEXT, session.state.edits()) == (
        "Fees apply as set out in [[specify: fee schedule]]. The sponsor rebalances as "
        "applicable. Weights are capped [[specify: cap rule]]."
    )
    assert session.apply(ctx, document_version=VersionNumber(1, 1)).applied_finding_ids == (
        "as-app",
    )


def test_accept_works_when_only_a_later_place_has_a_replacement(ctx: CommandContext) -> None:
    later_only = group(
        "later", (_place("as applicable", 0, None), _place("as applicable", 1, "quarterly"))
    )
    session = _open(ctx, [later_only])
    assert session.state.items[0].item.can_accept
    session.accept(ctx, "later")
    assert session.state.items[0].new_text == "quarterly"
    assert apply_edits(GROUP_TEXT, session.state.edits()) == (
        "Fees apply as applicable. The sponsor rebalances quarterly. "
        "Weights are capped as applicable."
    )
    assert session.apply(ctx, document_version=VersionNumber(1, 1)).applied_finding_ids == (
        "later",
    )


def test_accept_needs_a_place_with_a_replacement(ctx: CommandContext) -> None:
    advice = group("advice", (_place("as applicable", 0, None), _place("as applicable", 1, None)))
    session = _open(ctx, [advice])
    with pytest.raises(InvalidTransition, match="no replacement"):
        session.accept(ctx, "advice")


def test_modify_replaces_the_first_place_only(ctx: CommandContext) -> None:
    session = _open(ctx, [AS_APPLICABLE])
    session.modify(ctx, "as-app", text="under the fee schedule")
    assert apply_edits(GROUP_TEXT, session.state.edits()) == (
        "Fees apply under the fee schedule. The sponsor rebalances as applicable. "
        "Weights are capped as applicable."
    )


def test_reject_rejects_the_whole_group(ctx: CommandContext) -> None:
    session = _open(ctx, [AS_APPLICABLE])
    session.reject(ctx, "as-app", reason="standard wording")
    assert session.state.items[0].decision is Decision.REJECTED
    assert session.state.edits() == ()


def test_accepting_a_group_whose_later_place_overlaps_an_accepted_item_is_refused(
    ctx: CommandContext,
) -> None:
    rebalance = _rebalance()
    both_replaceable = group(
        "as-app",
        (_place("as applicable", 0, "as agreed"), _place("as applicable", 1, "as agreed")),
    )
    session = _open(ctx, [both_replaceable, rebalance])
    session.accept(ctx, "rebal")
    with pytest.raises(InvalidTransition, match="overlaps suggestion 'rebal'"):
        session.accept(ctx, "as-app")
    # Modifying touches the first place only, which overlaps nothing.
    session.modify(ctx, "as-app", text="as agreed")
    session.reject(ctx, "rebal", reason="prefer the group")
    session.accept(ctx, "as-app")


def test_a_place_without_replacement_does_not_block_an_overlapping_edit(
    ctx: CommandContext,
) -> None:
    rebalance = _rebalance()
    session = _open(ctx, [AS_APPLICABLE, rebalance])  # its second place has no replacement
    session.accept(ctx, "as-app")
    session.accept(ctx, "rebal")
    assert apply_edits(GROUP_TEXT, session.state.edits()).count("[[specify:") == 3


def test_an_item_whose_places_overlap_raises_invariant_violation() -> None:
    first = _place("as applicable", 0, None)
    overlapping = Occurrence("applicable", FindingLocation(start=first.location.start + 3,
                                                           end=first.location.end))
    with pytest.raises(InvariantViolation, match="document order"):
        FeedbackItem(finding_id="x", quote=first.quote, start=first.location.start,
                     end=first.location.end, occurrences=(first, overlapping))
