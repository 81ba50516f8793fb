"""Accepted rules suggestions leave [[specify: ...]] placeholders: open questions, not findings."""

from __future__ import annotations

import asyncio

from docsense.adapters.ai.rules import RulesReviewer
from docsense.domain.documents import open_questions
from docsense.domain.ir import SemanticIR
from docsense.policies import load_pack
from docsense.ports import ReviewRequest


def _quotes(markdown: str) -> list[tuple[str, str]]:
    pack = load_pack("self-containment")
    request = ReviewRequest(
        document_id="d", markdown=markdown, sections=(), ir=SemanticIR(), policies=pack.policies
    )
    result = asyncio.run(RulesReviewer().review(request))
    return [(f.title, f.quote) for f in result.findings]


def test_vague_threshold_is_reported_with_a_placeholder_replacement() -> None:
    quotes = _quotes("Buy when volatility is below the threshold.")
    assert "volatility is below the threshold" in [q for _, q in quotes]


def test_after_acceptance_neither_the_wording_nor_the_placeholder_is_a_finding() -> None:
    text = "Buy when volatility is below the threshold [[specify: threshold, with unit]]."
    assert _quotes(text) == []
    [question] = open_questions(text)
    assert question.question == "threshold, with unit"
    assert text[question.start : question.end] == "[[specify: threshold, with unit]]"


def test_a_placeholder_never_hides_other_findings_in_its_paragraph() -> None:
    other = "Prices come from a data vendor."
    alone = _quotes(other)
    assert alone
    text = ("Buy when volatility is below the threshold [[specify: threshold, with unit]]. "
            + other)
    assert _quotes(text) == alone


def test_a_filled_in_value_clears_the_finding() -> None:
    assert _quotes("Buy when annualised volatility is below 15%.") == []
