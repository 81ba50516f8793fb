"""The engine and the shared pipeline: grounding, de-duplication, statuses and score."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from docsense.adapters.ai.rules import RulesReviewer
from docsense.adapters.convert import convert_document
from docsense.domain.findings import Category, Finding, FindingLocation, Severity
from docsense.domain.review import PolicyStatus, Usage
from docsense.errors import CheckFailed, ReviewerError, ReviewError
from docsense.extraction import extract_ir
from docsense.policies import load_pack, parse_pack
from docsense.ports import RawFinding, Reviewer, ReviewerResult, ReviewRequest
from docsense.review.engine import ReviewDocument, run_review
from docsense.review.pipeline import group_findings, score_review
from docsense.review.report import build_report
from docsense.review.reviewers import resolve_reviewer

DATA = Path(__file__).parents[2] / "data" / "review"

MARKDOWN = (
    "# Carry Index\n\n## 1. Selection\n\n"
    "Bonds are selected when the carry score exceeds the entry\n"
    "threshold set by the committee.\n\n"
    "## 2. Weights\n\nWeights follow the inverse of trailing volatility.\n"
)


def _document(markdown: str = MARKDOWN) -> ReviewDocument:
    converted = convert_document(markdown.encode(), "carry.md")
    return ReviewDocument.from_converted(
        converted, extract_ir(converted.markdown, converted.sections), document_id="doc-1"
    )


@attrs.frozen
class ScriptedReviewer:
    """A reviewer that returns fixed raw findings, as an LLM adapter would."""

    findings: tuple[RawFinding, ...]
    assessed: frozenset[str] = frozenset({"SC-001", "SC-002"})

    @property
    def spec(self) -> str:
        return "fake:model"

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        return ReviewerResult(
            findings=self.findings,
            assessed=self.assessed,
            source="llm:fake-model",
            usage=Usage(tokens_in=100, tokens_out=20, calls=1),
        )


async def test_invented_quotes_never_reach_the_report_and_are_counted() -> None:
    reviewer = ScriptedReviewer((
        RawFinding(policy_id="SC-001", title="Invented", quote="the cap is set at 99%"),
        RawFinding(policy_id="SC-002", title="Also invented",
                   quote="Weights are decided by the portfolio manager each quarter"),
        RawFinding(policy_id="SC-001", title="Real", quote="exceeds the entry threshold",
                   category="undefined_parameter", severity="high", confidence=0.9),
    ))
    assert isinstance(reviewer, Reviewer)
    outcome = await run_review(_document(), [load_pack("self-containment")], reviewer)
    report = build_report(outcome)
    quotes = [f.quote for f in report.findings]
    assert quotes == ["exceeds the entry\nthreshold"]
    assert all(q in MARKDOWN for q in quotes)
    assert report.stats.dropped_ungrounded == 2
    assert report.stats.grounded == 1
    assert report.usage.tokens_in == 100
    assert report.findings[0].source == "llm:fake-model"


async def test_location_is_computed_from_the_quote_not_the_reviewers_hint() -> None:
    reviewer = ScriptedReviewer((
        RawFinding(policy_id="SC-001", title="t", quote="inverse of trailing volatility",
                   hint=0),
    ))
    outcome = await run_review(_document(), [load_pack("self-containment")], reviewer)
    loc = outcome.findings[0].location
    assert loc is not None
    assert outcome.document.markdown[loc.start : loc.end] == "inverse of trailing volatility"
    assert loc.path == ("Carry Index", "2. Weights")
    assert loc.section_id == "2-weights"


async def test_statuses_distinguish_violated_satisfied_and_not_assessed() -> None:
    reviewer = ScriptedReviewer((
        RawFinding(policy_id="SC-001", title="t", quote="exceeds the entry threshold"),
    ))
    outcome = await run_review(_document(), [load_pack("self-containment")], reviewer)
    assert outcome.status_of("SC-001") is PolicyStatus.VIOLATED
    assert outcome.status_of("SC-002") is PolicyStatus.SATISFIED
    assert outcome.status_of("SC-003") is PolicyStatus.NOT_ASSESSED


async def test_rules_and_llm_findings_on_the_same_span_are_merged() -> None:
    llm = ScriptedReviewer((
        RawFinding(policy_id="SC-001", title="Threshold undefined",
                   quote="the carry score exceeds the entry threshold", severity="critical"),
    ))
    outcome = await run_review(_document(), [load_pack("self-containment")],
                               [RulesReviewer(), llm])
    about_threshold = [f for f in outcome.findings if "threshold" in f.quote]
    assert len(about_threshold) == 1
    assert about_threshold[0].severity is Severity.CRITICAL
    assert outcome.stats.deduplicated >= 1
    assert outcome.reviewer == "rules+fake:model"


async def test_llm_only_policies_are_not_assessed_by_the_rules_reviewer() -> None:
    outcome = await run_review(_document(), [load_pack("internal-algo-standard")],
                               resolve_reviewer("rules"))
    assert outcome.status_of("IAS-007") is PolicyStatus.NOT_ASSESSED
    assert outcome.status_of("IAS-001") is PolicyStatus.VIOLATED  # no overview section
    absent = [f for f in outcome.findings if f.policy_id == "IAS-001"]
    assert absent
    assert absent[0].quote == ""
    assert absent[0].location is None


async def test_policy_ids_must_be_unique_across_packs() -> None:
    pack = load_pack("self-containment")
    with pytest.raises(ReviewError, match="SC-001"):
        await run_review(_document(), [pack, attrs.evolve(pack, key="copy")], RulesReviewer())


def test_unknown_reviewer_spec_fails_clearly() -> None:
    with pytest.raises(ReviewerError, match=r"unknown reviewer spec 'gpt9'.*rules"):
        resolve_reviewer("gpt9")
    with pytest.raises(ReviewerError, match="takes no model"):
        resolve_reviewer("rules:big")


async def test_a_reviewer_leaking_its_own_exception_is_recorded_or_fails_when_strict() -> None:
    class Broken:
        spec = "broken:x"

        async def review(self, request: ReviewRequest) -> ReviewerResult:
            raise RuntimeError("socket closed")

    packs = [load_pack("self-containment")]
    outcome = await run_review(_document(), packs, [RulesReviewer(), Broken()])
    [error] = outcome.check_errors
    assert (error.check_id, error.message) == ("reviewer:broken:x", "RuntimeError: socket closed")
    assert outcome.findings  # the rules reviewer's findings stand
    assert outcome.score is not None
    with pytest.raises(CheckFailed, match=r"broken:x.*socket closed") as info:
        await run_review(_document(), packs, Broken(), strict=True)
    assert isinstance(info.value, ReviewerError)
    assert info.value.errors == (error,)


def _finding(fid: str, start: int, end: int, severity: Severity, policy: str = "P") -> Finding:
    return Finding(id=fid, policy_id=policy, category=Category.UNDEFINED_PARAMETER,
                   severity=severity, title=f"t {fid}", quote="x" * (end - start),
                   location=FindingLocation(start, end), check="c")


def test_dedup_keeps_the_most_severe_of_overlapping_findings() -> None:
    kept, merged = group_findings([
        _finding("a", 0, 10, Severity.LOW),
        _finding("b", 2, 10, Severity.HIGH),
        _finding("c", 20, 30, Severity.LOW),
    ])
    assert [(f.title, f.location.start if f.location else None) for f in kept] == [
        ("t b", 2), ("t c", 20)
    ]
    assert merged == 1


def test_score_falls_with_findings_and_weighs_must_over_may() -> None:
    pack = parse_pack(
        """
id: p
name: P
version: "1"
policies:
  - {id: M, title: m, level: MUST, category: other, checks: [{kind: pattern_forbidden, pattern: x}]}
  - {id: Y, title: y, level: MAY, category: other, checks: [{kind: pattern_forbidden, pattern: x}]}
""",
        source="p.yaml",
    )
    statuses = {"M": PolicyStatus.SATISFIED, "Y": PolicyStatus.SATISFIED}
    assert score_review(pack.policies, [], statuses) == 1.0
    on_must = score_review(pack.policies, [_finding("a", 0, 1, Severity.HIGH, "M")],
                           {**statuses, "M": PolicyStatus.VIOLATED})
    on_may = score_review(pack.policies, [_finding("a", 0, 1, Severity.HIGH, "Y")],
                          {**statuses, "Y": PolicyStatus.VIOLATED})
    assert on_must is not None
    assert on_may is not None
    assert 0.0 <= on_must < on_may < 1.0
    assert score_review(pack.policies, [], {}) is None  # nothing assessed: no score


@pytest.mark.parametrize("name", ["doc_01_clean", "doc_11_perfect_compliance"])
async def test_clean_seed_documents_get_at_most_one_finding(name: str) -> None:
    path = DATA / f"{name}.docx"
    converted = convert_document(path.read_bytes(), path.name)
    doc = ReviewDocument.from_converted(converted, extract_ir(converted.markdown,
                                                              converted.sections))
    outcome = await run_review(doc, [load_pack("self-containment")], RulesReviewer())
    assert len(outcome.findings) <= 1, [f.quote for f in outcome.findings]


async def test_seed_document_with_undefined_parameters_is_flagged_with_placeholders() -> None:
    path = DATA / "doc_03_undefined_parameters.docx"
    converted = convert_document(path.read_bytes(), path.name)
    doc = ReviewDocument.from_converted(converted, extract_ir(converted.markdown,
                                                              converted.sections))
    outcome = await run_review(doc, [load_pack("self-containment")], RulesReviewer())
    params = [f for f in outcome.findings if f.category is Category.UNDEFINED_PARAMETER]
    places = [o for f in params for o in f.occurrences]
    assert len(places) >= 6
    for place in places:
        assert place.replacement is not None
        assert "[[specify:" in place.replacement
        assert place.replacement.startswith(place.quote.split()[0])
        assert doc.markdown[place.location.start : place.location.end] == place.quote


async def test_each_action_given_two_schedules_is_a_finding_of_its_own() -> None:
    md = ("# Dividend Index\n\n## 1. Overview\n\nThe index is rebalanced monthly and "
          "reconstituted annually.\n\n## 4. Reconstitution\n\nThe index is reconstituted "
          "quarterly.\n\n## 5. Rebalancing\n\nRebalancing takes effect on the third Friday "
          "of March, June, September and December.\n")
    converted = convert_document(md.encode(), "d.md")
    doc = ReviewDocument.from_converted(converted, extract_ir(converted.markdown,
                                                              converted.sections))
    outcome = await run_review(doc, [load_pack("self-containment")], RulesReviewer(),
                               min_confidence=0.0)
    contradictions = sorted((f.title, len(f.occurrences)) for f in outcome.all_findings
                            if f.category is Category.INCONSISTENT_CONTENT)
    # One finding per action, each naming it, rather than one group holding both.
    assert contradictions == [
        ("Contradictory schedules: rebalancing frequency", 1),
        ("Contradictory schedules: reconstitution frequency", 1),
    ]
