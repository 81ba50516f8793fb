"""LLM findings carry a subject, so one problem at several places is one grouped finding."""

from __future__ import annotations

import attrs

from docsense.adapters.ai.llm import LlmReviewer
from docsense.adapters.ai.prompts import OUTPUT_SCHEMA, PromptTemplate
from docsense.adapters.ai.prompts.plan import PlannedCall
from docsense.adapters.ai.prompts.schema import ReviewOutput
from docsense.domain.ir import SemanticIR
from docsense.policies import load_pack
from docsense.ports import RawFinding, ReviewerResult, ReviewRequest
from docsense.review.engine import ReviewDocument, run_review

TEXT = ("# Fund\n\n## 1. Rules\n\nFutures are rolled when the desk sees fit.\n\n"
        "Options are rolled when the desk sees fit.\n")


def _answer(*quotes: str, subject: str) -> ReviewOutput:
    return ReviewOutput.model_validate({
        "assessed_policy_ids": ["SC-002"],
        "findings": [
            {"policy_id": "SC-002", "section_id": "", "quote": q,
             "title": f"Roll timing left open ({q.split()[0]})",
             "description": "", "category": "ambiguous_methodology", "severity": "high",
             "suggested_fix": "", "replacement": "", "confidence": 0.8, "subject": subject}
            for q in quotes
        ],
    })


def test_the_schema_asks_every_finding_for_a_subject_and_v2_explains_it() -> None:
    item = OUTPUT_SCHEMA["properties"]["findings"]["items"]
    assert "subject" in item["required"]
    assert item["additionalProperties"] is False
    assert "subject" in PromptTemplate.load("review-v2").sections["system"]
    # An answer to the older prompt, without subjects, still validates.
    assert ReviewOutput.model_validate({"findings": [], "assessed_policy_ids": []})


def test_the_default_prompt_states_what_not_to_report_and_what_confidence_means() -> None:
    # review-v3: on the labelled development set a stand-in model raised half the findings
    # with it, and its confidence tracked its precision (benchmarks/RESULTS.md).
    default = PromptTemplate.load()
    system = default.render("system", boundary="b")
    assert default.version == "review-v3"
    assert "subject" in system  # everything v2 asked for is still asked
    assert "What to report:" in system
    assert "not a missing" in system
    assert "probability that a careful compliance reviewer" in system
    older = PromptTemplate.load("review-v2").render("system", boundary="b")
    assert system.startswith(older.split("How to answer:")[0])  # v2's opening, unchanged


def test_raw_findings_keep_the_model_subject() -> None:
    call = PlannedCall(key="k", kind="part", part="1", policy_ids=("SC-002",), system="",
                       document="", task="", max_output_tokens=100)
    raw = LlmReviewer._raw(call, _answer("Futures are rolled", subject="Roll timing"))
    assert [r.subject for r in raw] == ["Roll timing"]


@attrs.frozen
class _Answering:
    findings: tuple[RawFinding, ...]
    spec: str = "fake:model"

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        return ReviewerResult(findings=self.findings, assessed=frozenset({"SC-002"}),
                              source="llm:model")


async def test_one_subject_at_two_places_is_one_llm_finding() -> None:
    call = PlannedCall(key="k", kind="part", part="1", policy_ids=("SC-002",), system="",
                       document="", task="", max_output_tokens=100)
    raw = LlmReviewer._raw(call, _answer("Futures are rolled when the desk sees fit",
                                         "Options are rolled when the desk sees fit",
                                         subject="roll timing"))
    doc = ReviewDocument(markdown=TEXT, sections=(), ir=SemanticIR(), id="d")
    outcome = await run_review(doc, [load_pack("self-containment")], _Answering(raw),
                               min_confidence=0.0)
    [finding] = [f for f in outcome.findings if f.source == "llm:model"]
    assert len(finding.occurrences) == 2
    assert finding.subject == "roll timing"
