"""The Reviewer contract: the offline rules reviewer and every LLM adapter pass these tests.

Subclass :class:`ReviewerContract` and provide the ``reviewer`` fixture; set ``llm = True``
for a reviewer that calls a model (it must then report usage). LLM adapters are tested
against a fake provider server (:mod:`docsense.testing.fake_llm`) whose default responder
reports one grounded and one ungrounded finding per call::

    import pytest
    from docsense.testing import ReviewerContract
    from docsense.testing.fake_llm import FakeLLMServer

    class TestMyProvider(ReviewerContract):
        llm = True

        @pytest.fixture
        def reviewer(self):
            with FakeLLMServer("openai") as server:
                yield my_adapter(base_url=server.base_url, api_key="test")

Requires ``pytest`` and ``pytest-asyncio`` (``pip install 'docsense[testing]'``).
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from docsense.adapters.convert import convert_document
from docsense.domain.findings import Category, Severity
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.ports import Reviewer, ReviewerResult, ReviewRequest
from docsense.review import ReviewDocument, run_review

__all__ = ["CONTRACT_DOCUMENT", "ReviewerContract", "contract_document"]

#: A small methodology with defects every reviewer can find (vague parameters, no calendar).
CONTRACT_DOCUMENT = """\
# Example Momentum Index Methodology

## 1. Overview
The index tracks the top constituents of the universe by momentum. Positions are capped at
the threshold and the index is rebalanced periodically.

## 2. Selection
Momentum is measured over the look-back window of 20 days. Prices come from the pricing
vendor. Securities with sufficient liquidity are eligible.

## 3. Weighting
Weights are proportional to the momentum score, adjusted at our discretion.
"""


def contract_document() -> ReviewDocument:
    """Return :data:`CONTRACT_DOCUMENT` converted and with its IR, ready for a review."""
    converted = convert_document(CONTRACT_DOCUMENT.encode(), "contract.md")
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    return ReviewDocument.from_converted(converted, ir, document_id="document-contract")


def _request(document: ReviewDocument) -> ReviewRequest:
    return ReviewRequest(
        document_id=document.id,
        markdown=document.markdown,
        sections=document.sections,
        ir=document.ir,
        policies=load_pack("self-containment").policies,
        title=document.title,
    )


class ReviewerContract:
    """Tests every :class:`~docsense.ports.Reviewer` must pass."""

    llm: ClassVar[bool] = False

    @pytest.fixture
    def reviewer(self) -> Reviewer:
        """Return the reviewer under test (override in the subclass)."""
        raise NotImplementedError("provide a `reviewer` fixture")

    async def _review(self, reviewer: Reviewer) -> tuple[ReviewRequest, ReviewerResult]:
        request = _request(contract_document())
        return request, await reviewer.review(request)

    def test_reviewer_implements_the_port_with_a_spec(self, reviewer: Reviewer) -> None:
        assert isinstance(reviewer, Reviewer)
        assert isinstance(reviewer.spec, str)
        assert reviewer.spec.strip()
        assert "\n" not in reviewer.spec

    async def test_result_names_only_requested_policies(self, reviewer: Reviewer) -> None:
        request, result = await self._review(reviewer)
        asked = {p.id for p in request.policies}
        assert isinstance(result, ReviewerResult)
        assert {f.policy_id for f in result.findings} <= asked
        assert result.assessed <= asked
        assert result.assessed, "a reviewer that completes assesses at least one policy"

    async def test_raw_findings_use_the_vocabulary(self, reviewer: Reviewer) -> None:
        _, result = await self._review(reviewer)
        severities = {s.value for s in Severity}
        categories = {c.value for c in Category}
        for f in result.findings:
            assert f.title.strip()
            assert f.severity is None or f.severity in severities
            assert f.category is None or f.category in categories
            assert f.confidence is None or 0.0 <= f.confidence <= 1.0

    async def test_source_is_rules_or_llm_model(self, reviewer: Reviewer) -> None:
        _, result = await self._review(reviewer)
        if self.llm:
            assert result.source.startswith("llm:")
            assert len(result.source) > 4
        else:
            assert result.source == "rules"

    async def test_findings_are_grounded_in_the_document(self, reviewer: Reviewer) -> None:
        document = contract_document()
        outcome = await run_review(document, [load_pack("self-containment")], reviewer)
        assert outcome.findings, "the contract document has defects every reviewer can find"
        for f in outcome.findings:
            if f.quote:
                assert f.location is not None
                assert document.markdown[f.location.start : f.location.end] == f.quote
        if self.llm:  # the fake model also reports a quote that is not in the document
            assert outcome.stats.dropped_ungrounded >= 1

    async def test_usage_is_reported(self, reviewer: Reviewer) -> None:
        _, result = await self._review(reviewer)
        usage = result.usage
        if self.llm:
            assert usage.calls >= 1
            assert usage.tokens_in > 0
            assert usage.tokens_out > 0
            assert usage.tokens_cached + usage.tokens_cache_write <= usage.tokens_in
            assert usage.tokens_thinking <= usage.tokens_out
            assert usage.cost_estimate is None or usage.cost_estimate >= 0.0
        else:
            assert usage.calls == 0
            assert usage.tokens_in == 0
            assert usage.cost_estimate == 0.0
