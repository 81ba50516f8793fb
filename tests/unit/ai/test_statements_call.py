"""A contradiction between two parts of a long document reaches the model and grounds.

Each provider's SDK talks to its fake server; the "model" answers the statements call (the
one call whose data holds every part's values) by quoting the later of two contradicting
statements, as the consistency policy asks. docsense must send that call, and ground the
quote in the document, in the section it comes from, although the statement was sent with
its wrapped line joined.
"""

from __future__ import annotations

import json

from docsense.adapters.ai.prompts import PlanLimits
from docsense.adapters.convert import convert_document
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.review.engine import ReviewDocument, run_review
from docsense.testing.fake_llm import FakeCall

from .conftest import Harness, far_apart_statements

LATER = "The weights are reset when the index is rebalanced quarterly, in March."


def _document() -> ReviewDocument:
    converted = convert_document(far_apart_statements().encode(), "long.md")
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    return ReviewDocument.from_converted(converted, ir, document_id="long")


def _contradiction_in_statements(call: FakeCall) -> str:
    ids = call.policy_ids
    findings = []
    if 'kind="statements"' in call.text and "rebalanced monthly" in call.text:
        [section] = [sid for sid, text in call.sections if "quarterly" in text]
        findings.append({
            "policy_id": ids[0], "section_id": section, "quote": LATER,
            "title": "Rebalancing frequency contradicts section 1",
            "description": "Section 1 says monthly.", "category": "inconsistent_content",
            "severity": "high", "suggested_fix": "State one frequency.", "replacement": "",
            "confidence": 0.9, "subject": "rebalancing frequency",
        })
    return json.dumps({"findings": findings, "assessed_policy_ids": ids})


async def test_a_contradiction_across_parts_is_found_and_grounded(harness: Harness) -> None:
    harness.server.responder = _contradiction_in_statements
    reviewer = harness.reviewer(limits=PlanLimits(part_tokens=3_000))
    document = _document()
    outcome = await run_review(document, [load_pack("self-containment")], reviewer,
                               min_confidence=0.0)
    statements = [r for r in harness.server.generations if 'kind="statements"' in r.call.text]
    assert len(statements) == 1
    parts = [r for r in harness.server.generations if 'kind="sections"' in r.call.text]
    assert not any("rebalanced monthly" in r.call.text and "quarterly" in r.call.text
                   for r in parts)  # no part could show both
    [finding] = [f for f in outcome.findings if f.category.value == "inconsistent_content"
                 and f.source.startswith("llm:")]
    assert finding.policy_id == "SC-008"
    where = document.markdown.index("The weights are reset")
    assert finding.location is not None
    assert finding.location.start == where
    assert finding.quote.replace("\n", " ").startswith(LATER.rstrip("."))
    assert finding.location.path[-1] == "40. Schedule"
