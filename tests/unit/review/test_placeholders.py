"""Accepted rules suggestions leave [[specify: ...]] placeholders; re-reviews report those."""

from __future__ import annotations

import asyncio

from docsense.adapters.ai.rules import RulesReviewer
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


def test_after_acceptance_the_placeholder_is_reported_instead_of_the_wording() -> None:
    text = "Buy when volatility is below the threshold [[specify: threshold, with unit]]."
    quotes = _quotes(text)
    assert quotes == [("Placeholder awaiting a value", "[[specify: threshold, with unit]]")]


def test_a_filled_in_value_clears_the_finding() -> None:
    assert _quotes("Buy when annualised volatility is below 15%.") == []
