"""review-v4: each call's findings are checked by the model in a second call on the same block."""

from __future__ import annotations

import json
import re
from typing import Any

from docsense.adapters.ai.prompts import PromptTemplate
from docsense.adapters.ai.verify import kept
from docsense.ports import RawFinding
from docsense.testing.fake_llm import FakeCall

from .conftest import Harness, one_call_request

INVENTED = "a sentence the first reading never raised 4471"


def _finding(policy: str, quote: str, section: str, confidence: float) -> dict[str, Any]:
    return {"policy_id": policy, "section_id": section, "quote": quote, "title": "Vague step",
            "description": "d", "category": "ambiguous_methodology", "severity": "high",
            "suggested_fix": "f", "replacement": "", "confidence": confidence,
            "subject": quote[:20]}


def _candidates(call: FakeCall) -> list[dict[str, Any]] | None:
    m = re.search(r"<candidates>\n(.*)\n</candidates>", call.text, re.DOTALL)
    return json.loads(m.group(1)) if m else None


def _model(call: FakeCall) -> str:
    """First reading: two findings. Check: keep the first (more sure), drop the second, and
    try to slip in one that was never a candidate."""
    ids = call.policy_ids
    candidates = _candidates(call)
    if candidates is not None:
        keep = {**candidates[0], "confidence": 0.95}
        extra = _finding(ids[0], INVENTED, candidates[0]["section_id"], 0.9)
        return json.dumps({"findings": [keep, extra], "assessed_policy_ids": ids})
    sid, sentences = next(
        (sid, found) for sid, text in call.sections
        if len(found := [s.strip() for s in re.split(r"(?<=[.;:])\s", text)
                         if len(s.strip()) > 10 and not s.startswith("#")]) >= 2
    )
    findings = [_finding(ids[0], q[:100], sid, 0.6) for q in sentences[:2]]
    return json.dumps({"findings": findings, "assessed_policy_ids": ids})


async def test_the_check_keeps_drops_and_rescores_but_never_adds(harness: Harness) -> None:
    harness.server.responder = _model
    reviewer = harness.reviewer(prompt_version="review-v4")
    result = await reviewer.review(one_call_request())
    calls = harness.server.generations
    assert len(calls) == 2  # the reading, then its check
    check = calls[1].call
    assert "<candidates>" in check.text
    assert check.system == calls[0].call.system  # the same cached system and document
    assert check.user[0] == calls[0].call.user[0]
    first = _candidates(check)
    assert first is not None
    assert len(first) == 2
    assert [(f.quote, f.confidence) for f in result.findings] == [(first[0]["quote"], 0.95)]
    assert result.usage.calls == 2
    assert reviewer.spec.endswith("#review-v4")


async def test_a_failed_check_keeps_the_findings_with_a_warning(harness: Harness) -> None:
    def model(call: FakeCall) -> str:
        return "not json" if _candidates(call) is not None else _model(call)

    harness.server.responder = model
    reviewer = harness.reviewer(prompt_version="review-v4")
    result = await reviewer.review(one_call_request())
    assert len(result.findings) == 2  # unchecked, as the first reading raised them
    assert result.assessed  # the policies were assessed by the first call
    assert any("kept unchecked" in w for w in result.warnings)


async def test_a_template_without_a_check_makes_one_call(harness: Harness) -> None:
    harness.server.responder = _model
    result = await harness.reviewer(prompt_version="review-v3").review(one_call_request())
    assert len(harness.server.generations) == 1
    assert len(result.findings) == 2
    assert not PromptTemplate.load("review-v3").verifies
    assert PromptTemplate.load("review-v4").verifies


def test_kept_holds_the_check_to_the_candidates() -> None:
    a = RawFinding(policy_id="SC-1", title="A", quote="the fee is  reasonable", confidence=0.6)
    b = RawFinding(policy_id="SC-1", title="B", quote="weights are set", confidence=0.6)
    checked = [
        RawFinding(policy_id="SC-1", title="B'", quote="weights are set", confidence=0.3),
        RawFinding(policy_id="SC-1", title="A'", quote="the fee is reasonable", confidence=0.9),
        # the same quote under another policy
        RawFinding(policy_id="SC-2", title="A''", quote="the fee is reasonable", confidence=0.9),
        RawFinding(policy_id="SC-1", title="C", quote="never a candidate", confidence=0.9),
    ]
    assert [(f.title, f.confidence) for f in kept([a, b], checked)] == [("A", 0.9), ("B", 0.3)]
    assert kept([a, b], []) == ()
