"""Grouped findings: one finding per (policy, check, subject) with every place, and thresholds."""

from __future__ import annotations

import attrs
import pytest

from docsense.domain.findings import Category, Finding, FindingLocation, Severity
from docsense.domain.ir import SemanticIR
from docsense.domain.review import PolicyStatus, Usage
from docsense.errors import InvalidArgument
from docsense.policies import load_pack
from docsense.ports import RawFinding, ReviewerResult, ReviewRequest
from docsense.review.engine import ReviewDocument, run_review
from docsense.review.pipeline import group_findings, score_review

MARKDOWN = (
    "# Fee Index\n\n## 1. Fees\n\n"
    "Fees are charged as applicable. The sponsor may, IN ITS\nSOLE DISCRETION, waive them.\n\n"
    "## 2. Rebalancing\n\n"
    "The index rebalances as\napplicable and weights are capped As Applicable.\n"
    "The sponsor may act in its sole discretion. Prices are taken if applicable.\n"
)


def _doc(markdown: str = MARKDOWN) -> ReviewDocument:
    return ReviewDocument(markdown=markdown, sections=(), ir=SemanticIR(), id="d")


@attrs.frozen
class Scripted:
    """A reviewer returning fixed raw findings under a given source."""

    findings: tuple[RawFinding, ...]
    source: str = "rules"
    spec: str = "scripted"
    assessed: frozenset[str] = frozenset({"SC-001", "SC-002", "SC-007"})

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        return ReviewerResult(findings=self.findings, assessed=self.assessed, source=self.source,
                              usage=Usage())


def _hit(quote: str, hint: int, subject: str | None, **kw: object) -> RawFinding:
    fields: dict[str, object] = {
        "policy_id": "SC-007",
        "title": f"Discretionary rule: '{subject or quote}'",
        "quote": quote,
        "hint": hint,
        "category": "ambiguous_methodology",
        "severity": "medium",
        "confidence": 0.8,
        "check": "discretionary_language",
        "subject": subject,
        **kw,
    }
    return RawFinding(**fields)  # type: ignore[arg-type]


def _at(quote: str, nth: int = 0) -> int:
    at = -1
    for _ in range(nth + 1):
        at = MARKDOWN.index(quote, at + 1)
    return at


PACK = load_pack("self-containment")


async def test_one_subject_at_several_places_is_one_finding_with_every_place() -> None:
    rules = Scripted((
        _hit("as applicable", _at("as applicable"), "as applicable",
             replacement="as set out in [[specify: fee table]]"),
        _hit("as\napplicable", _at("as\napplicable"), "as\napplicable"),
        _hit("As Applicable", _at("As Applicable"), "'As Applicable'"),
    ))
    outcome = await run_review(_doc(), [PACK], rules)
    assert len(outcome.findings) == 1
    group = outcome.findings[0]
    assert [o.quote for o in group.occurrences] == ["as applicable", "as\napplicable",
                                                   "As Applicable"]
    starts = [o.location.start for o in group.occurrences]
    assert starts == sorted(starts)
    assert (group.quote, group.location, group.replacement) == (
        "as applicable", group.occurrences[0].location, "as set out in [[specify: fee table]]"
    )
    assert group.check == "discretionary_language"
    assert group.subject == "as applicable"
    assert group.occurrences[1].replacement is None


async def test_case_and_line_break_variants_of_a_phrase_are_one_group() -> None:
    rules = Scripted((
        _hit("IN ITS\nSOLE DISCRETION", _at("IN ITS"), "IN ITS\nSOLE DISCRETION"),
        _hit("in its sole discretion", _at("in its sole discretion"), "in its sole discretion"),
    ))
    outcome = await run_review(_doc(), [PACK], rules)
    assert [len(f.occurrences) for f in outcome.findings] == [2]


async def test_different_subjects_or_checks_are_separate_findings() -> None:
    rules = Scripted((
        _hit("as applicable", _at("as applicable"), "as applicable"),
        _hit("if applicable", _at("if applicable"), "if applicable"),
        _hit("in its sole discretion", _at("in its sole discretion"), "as applicable",
             check="other_check"),
    ))
    outcome = await run_review(_doc(), [PACK], rules)
    assert sorted((f.check, f.subject) for f in outcome.findings) == [
        ("discretionary_language", "as applicable"),
        ("discretionary_language", "if applicable"),
        ("other_check", "as applicable"),
    ]


async def test_without_a_subject_hits_group_by_their_title() -> None:
    rules = Scripted((
        _hit("as applicable", _at("as applicable"), None, title="Vague"),
        _hit("if applicable", _at("if applicable"), None, title="vague "),
        _hit("in its sole discretion", _at("in its sole discretion"), None, title="Other"),
    ))
    outcome = await run_review(_doc(), [PACK], rules)
    assert sorted((f.subject, len(f.occurrences)) for f in outcome.findings) == [
        ("Other", 1), ("Vague", 2)
    ]


async def test_the_group_takes_the_most_severe_hit_and_the_highest_confidence() -> None:
    rules = Scripted((
        _hit("as applicable", _at("as applicable"), "as applicable", severity="low",
             confidence=0.95),
        _hit("as\napplicable", _at("as\napplicable"), "as applicable", severity="high",
             confidence=0.6),
    ))
    [group] = (await run_review(_doc(), [PACK], rules)).findings
    assert group.severity is Severity.HIGH
    assert group.confidence == 0.95


async def test_absent_findings_group_by_subject_and_have_no_places() -> None:
    rules = Scripted((
        RawFinding(policy_id="SC-002", title="No governance section", check="section_required",
                   subject="governance"),
        RawFinding(policy_id="SC-002", title="No governance section (again)",
                   check="section_required", subject="Governance"),
    ))
    outcome = await run_review(_doc(), [PACK], rules)
    assert len(outcome.findings) == 1
    absent = outcome.findings[0]
    assert absent.occurrences == ()
    assert absent.location is None


async def test_an_llm_finding_repeating_a_rules_place_joins_its_group() -> None:
    rules = Scripted((
        _hit("as applicable", _at("as applicable"), "as applicable"),
        _hit("as\napplicable", _at("as\napplicable"), "as applicable"),
    ))
    llm = Scripted(
        (
            RawFinding(policy_id="SC-007", title="Unclear when fees apply",
                       quote="charged as applicable", severity="high", confidence=0.7),
            RawFinding(policy_id="SC-007", title="Unclear when fees apply",
                       quote="capped As Applicable", confidence=0.7),
        ),
        source="llm:fake-model",
        spec="fake:model",
    )
    outcome = await run_review(_doc(), [PACK], [rules, llm])
    assert len(outcome.findings) == 1, [f.title for f in outcome.findings]
    group = outcome.findings[0]
    assert group.source == "rules"
    assert group.check == "discretionary_language"
    assert group.severity is Severity.HIGH  # the LLM's, more severe
    # The LLM's first quote is the rules place; its second is a new span, now a place.
    assert [o.quote for o in group.occurrences] == ["as applicable", "as\napplicable",
                                                   "capped As Applicable"]
    assert outcome.stats.deduplicated == 1


async def test_an_llm_finding_about_something_else_stays_a_finding_of_its_own() -> None:
    rules = Scripted((_hit("as applicable", _at("as applicable"), "as applicable"),))
    llm = Scripted(
        (RawFinding(policy_id="SC-001", title="Prices source unnamed",
                    quote="Prices are taken", category="data_source_unspecified"),),
        source="llm:fake-model",
        spec="fake:model",
    )
    outcome = await run_review(_doc(), [PACK], [rules, llm])
    assert sorted(f.source for f in outcome.findings) == ["llm:fake-model", "rules"]


def _finding(fid: str, severity: Severity, confidence: float, start: int | None,
             check: str = "c") -> Finding:
    loc = FindingLocation(start=start, end=start + 4) if start is not None else None
    return Finding(id=fid, policy_id="P", category=Category.OTHER, severity=severity,
                   title=fid, quote="xxxx" if loc else "", location=loc,
                   confidence=confidence, check=check)


def test_findings_are_ordered_by_severity_then_confidence_then_first_place() -> None:
    ordered, _ = group_findings([
        _finding("low", Severity.LOW, 0.99, 0),
        _finding("absent-high", Severity.HIGH, 0.99, None),
        _finding("high-late", Severity.HIGH, 0.7, 900),
        _finding("high-early", Severity.HIGH, 0.7, 100),
        _finding("high-sure", Severity.HIGH, 0.9, 500),
        _finding("critical", Severity.CRITICAL, 0.5, 700),
    ])
    assert [f.title for f in ordered] == [
        "critical", "high-sure", "high-early", "high-late", "absent-high", "low"
    ]


def test_overlapping_places_inside_one_group_collapse() -> None:
    a = _finding("a", Severity.LOW, 0.8, 10)
    b = attrs.evolve(_finding("b", Severity.LOW, 0.8, 12), title="a")  # same subject, overlaps
    c = attrs.evolve(_finding("c", Severity.LOW, 0.8, 40), title="a")
    [group], merged = group_findings([a, b, c])
    assert [o.location.start for o in group.occurrences] == [10, 40]
    assert merged == 1


async def test_group_ids_depend_on_the_subject_not_on_offsets() -> None:
    rules = Scripted((_hit("as applicable", _at("as applicable"), "as applicable"),))
    before = await run_review(_doc(), [PACK], rules)
    shifted_md = "Preface added later.\n\n" + MARKDOWN
    shifted = Scripted((_hit("as applicable", shifted_md.index("as applicable"),
                             "as applicable"),))
    after = await run_review(_doc(shifted_md), [PACK], shifted)
    assert [f.id for f in before.findings] == [f.id for f in after.findings]
    assert before.findings[0].location != after.findings[0].location


def test_the_score_counts_groups_not_places() -> None:
    policies = [p for p in PACK.policies if p.id == "SC-007"]
    statuses = {"SC-007": PolicyStatus.VIOLATED}
    one_place = _finding("g", Severity.MEDIUM, 0.8, 0)
    many = [_finding(f"h{i}", Severity.MEDIUM, 0.8, 10 * i) for i in range(46)]
    [group], _ = group_findings([attrs.evolve(f, title="g", policy_id="SC-007") for f in many])
    assert len(group.occurrences) == 46
    single = attrs.evolve(one_place, policy_id="SC-007")
    assert score_review(policies, [group], statuses) == score_review(policies, [single], statuses)


# --- the confidence threshold ----------------------------------------------------------------


def _mixed() -> Scripted:
    return Scripted((
        _hit("as applicable", _at("as applicable"), "as applicable", confidence=0.9),
        _hit("if applicable", _at("if applicable"), "if applicable", confidence=0.3),
        RawFinding(policy_id="SC-001", title="Vague price", quote="Prices are taken",
                   confidence=0.2, check="x"),
    ))


async def test_findings_below_the_threshold_are_kept_but_not_shown_or_scored() -> None:
    outcome = await run_review(_doc(), [PACK], _mixed(), min_confidence=0.5)
    assert [f.subject for f in outcome.findings] == ["as applicable"]
    assert len(outcome.all_findings) == 3
    assert outcome.below_threshold == 2
    assert outcome.min_confidence == 0.5
    assert outcome.status_of("SC-001") is PolicyStatus.SATISFIED  # its only finding is hidden
    assert outcome.status_of("SC-007") is PolicyStatus.VIOLATED
    everything = await run_review(_doc(), [PACK], _mixed(), min_confidence=0.0)
    assert everything.below_threshold == 0
    assert everything.status_of("SC-001") is PolicyStatus.VIOLATED
    assert everything.score is not None
    assert outcome.score is not None
    assert everything.score < outcome.score


async def test_the_default_threshold_is_one_half() -> None:
    outcome = await run_review(_doc(), [PACK], _mixed())
    assert outcome.min_confidence == 0.5
    assert outcome.below_threshold == 2


async def test_an_outcome_recomputed_at_another_threshold_matches_a_review_at_it() -> None:
    strict = await run_review(_doc(), [PACK], _mixed(), min_confidence=0.5)
    loose = await run_review(_doc(), [PACK], _mixed(), min_confidence=0.0)
    again = strict.at_threshold(0.0)
    assert again.findings == loose.findings
    assert again.score == loose.score
    assert again.policy_statuses == loose.policy_statuses
    assert loose.at_threshold(0.5).score == strict.score


@pytest.mark.parametrize("value", [-0.1, 1.1, float("nan")])
async def test_a_threshold_outside_zero_to_one_raises_invalid_argument(value: float) -> None:
    with pytest.raises(InvalidArgument, match="min_confidence"):
        await run_review(_doc(), [PACK], _mixed(), min_confidence=value)
    outcome = await run_review(_doc(), [PACK], _mixed())
    with pytest.raises(InvalidArgument, match="min_confidence"):
        outcome.at_threshold(value)


async def test_a_group_reads_as_the_hit_at_its_first_place() -> None:
    rules = Scripted((
        _hit("as\napplicable", _at("as\napplicable"), "as applicable",
             description="Rebalancing 'as applicable'.", severity="high"),
        _hit("as applicable", _at("as applicable"), "as applicable",
             description="Fees 'as applicable'."),
    ))
    [group] = (await run_review(_doc(), [PACK], rules)).findings
    assert group.quote == "as applicable"
    assert group.description == "Fees 'as applicable'."
    assert group.severity is Severity.HIGH


async def test_an_llm_finding_about_other_words_in_a_quoted_sentence_stays_its_own() -> None:
    # A rules finding quoting a whole sentence for what it lacks does not swallow an LLM
    # finding about different words in that sentence.
    sentence = "Fees are charged as applicable."
    rules = Scripted((
        _hit(sentence, _at(sentence), "market disruption",
             title="No rule for market disruption or missing data"),
    ))
    llm = Scripted(
        (RawFinding(policy_id="SC-007", title="Fee level undefined",
                    quote="Fees are charged as applicable", confidence=0.7),),
        source="llm:fake-model",
        spec="fake:model",
    )
    outcome = await run_review(_doc(), [PACK], [rules, llm])
    assert sorted(f.title for f in outcome.findings) == [
        "Fee level undefined", "No rule for market disruption or missing data"
    ]
