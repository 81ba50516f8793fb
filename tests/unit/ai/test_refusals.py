"""Refusals and safety blocks are their own outcome: no repair call, a reason, no clean score."""

from __future__ import annotations

from docsense.adapters.ai.rules import RulesReviewer
from docsense.domain.review import NotAssessedReason, PolicyStatus
from docsense.policies import load_pack
from docsense.review import run_review
from docsense.review.reviewers import FallbackReviewer
from docsense.testing.fake_llm import Reply
from docsense.testing.reviewers import contract_document

from .conftest import Harness, one_call_request

# Gemini has no "refusal": a refused prompt comes back as promptFeedback.blockReason.
REFUSED = {"anthropic": NotAssessedReason.REFUSED, "openai": NotAssessedReason.REFUSED,
           "google": NotAssessedReason.BLOCKED}


async def test_a_refusal_is_recorded_with_its_reason_and_never_repaired(harness: Harness) -> None:
    harness.server.script(Reply(refusal="I can't help with that document."))
    request = one_call_request()
    result = await harness.reviewer().review(request)
    assert len(harness.server.requests) == 1  # no paid repair call
    assert result.findings == ()
    assert result.assessed == frozenset()
    assert set(result.not_assessed) == {p.id for p in request.policies}
    why = next(iter(result.not_assessed.values()))
    assert why.reason is REFUSED[harness.dialect]
    assert "I can't help with that document." in why.detail
    assert result.usage.refusals == 1
    assert result.usage.calls == 1
    text = " ".join(result.warnings)
    assert "Invalid JSON" not in text
    assert "JSON" not in text
    assert "not assessed" in text


async def test_a_content_filter_block_is_recorded_as_blocked(harness: Harness) -> None:
    harness.server.script(Reply(blocked="dangerous content"))
    result = await harness.reviewer().review(one_call_request())
    assert len(harness.server.requests) == 1
    why = next(iter(result.not_assessed.values()))
    expected = NotAssessedReason.REFUSED if harness.dialect == "anthropic" else \
        NotAssessedReason.BLOCKED  # Anthropic's classifiers also end in stop_reason refusal
    assert why.reason is expected
    assert why.detail
    assert result.usage.refusals == 1


async def test_a_review_whose_every_part_is_refused_has_no_score(harness: Harness) -> None:
    harness.server.script(*(Reply(refusal="no") for _ in range(10)))
    outcome = await run_review(
        contract_document(), [load_pack("self-containment")], harness.reviewer()
    )
    assert outcome.score is None
    assert outcome.assessed_nothing
    assert outcome.findings == ()
    assert {o.status for o in outcome.policy_statuses} == {PolicyStatus.NOT_ASSESSED}
    assert {o.reason for o in outcome.policy_statuses} == {REFUSED[harness.dialect]}
    calls = {r.call.text for r in harness.server.requests}
    assert len(harness.server.requests) == len(calls)  # one request per part, none repeated


async def test_in_a_chain_the_next_reviewer_takes_the_refused_part(harness: Harness) -> None:
    harness.server.script(*(Reply(refusal="no") for _ in range(10)))
    chain = FallbackReviewer([harness.reviewer(), RulesReviewer()])
    outcome = await run_review(contract_document(), [load_pack("self-containment")], chain)
    assert outcome.score is not None
    assert outcome.findings
    assert {f.source for f in outcome.findings} == {"rules"}
    assert any("handed to 'rules'" in w for w in outcome.warnings)
    rules_alone = await run_review(
        contract_document(), [load_pack("self-containment")], RulesReviewer()
    )
    assert [o.status for o in outcome.policy_statuses] == [
        o.status for o in rules_alone.policy_statuses
    ]


async def test_a_part_refused_among_answered_parts_leaves_a_partial_score(
    harness: Harness,
) -> None:
    harness.server.script(Reply(refusal="no"))  # the first call only
    outcome = await run_review(
        contract_document(), [load_pack("self-containment")], harness.reviewer()
    )
    assert outcome.score is not None
    assert outcome.not_assessed
    assert not outcome.assessed_nothing


async def test_refusal_text_in_content_is_not_mistaken_for_json() -> None:
    # A model that writes its refusal as plain content (no refusal field) is invalid output:
    # asked again once, then a failed part, never a refusal invented by docsense.
    from docsense.adapters.ai import openai as adapter
    from docsense.adapters.ai.resilience import Resilience
    from docsense.testing.fake_llm import FakeLLMServer

    with FakeLLMServer("openai") as server:
        server.script(Reply(text="I'm sorry, I can't."), Reply(text="I'm sorry, I can't."))
        async with adapter.create_reviewer(
            api_key="k", base_url=server.base_url, resilience=Resilience("openai")
        ) as reviewer:
            result = await reviewer.review(one_call_request())
    why = next(iter(result.not_assessed.values()))
    assert why.reason is NotAssessedReason.FAILED
    assert len(server.requests) == 2
