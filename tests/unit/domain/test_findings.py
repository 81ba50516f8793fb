"""Specification of findings, their severities and categories."""

from __future__ import annotations

from typing import Any

import pytest

from docsense.domain.findings import (
    DEFAULT_MIN_CONFIDENCE,
    Category,
    Finding,
    FindingLocation,
    Occurrence,
    Severity,
    check_min_confidence,
    normalise_subject,
)
from docsense.errors import InvariantViolation


def make_finding(**overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "id": "f-1",
        "policy_id": "SC-001",
        "category": Category.UNDEFINED_PARAMETER,
        "severity": Severity.HIGH,
        "title": "Cap not defined",
        "quote": "capped at X",
        "location": FindingLocation(start=5, end=16, section_id="s1", path=("Rules",), page=2),
        "replacement": "capped at [[specify: cap]]",
        **overrides,
    }
    return Finding(**fields)


def test_severities_compare_by_seriousness() -> None:
    assert Severity.CRITICAL > Severity.HIGH > Severity.MEDIUM > Severity.LOW > Severity.INFO
    assert Severity.INFO < Severity.LOW <= Severity.LOW
    assert max([Severity.LOW, Severity.CRITICAL, Severity.INFO]) is Severity.CRITICAL


def test_severity_at_least_is_the_fail_on_threshold() -> None:
    assert Severity.HIGH.at_least(Severity.MEDIUM)
    assert Severity.MEDIUM.at_least(Severity.MEDIUM)
    assert not Severity.LOW.at_least(Severity.MEDIUM)


def test_severity_most_severe_first_lists_all_five() -> None:
    assert [s.value for s in Severity.most_severe_first()] == [
        "critical",
        "high",
        "medium",
        "low",
        "info",
    ]


def test_severity_compares_with_strings_naming_a_severity_by_rank() -> None:
    assert Severity.HIGH > "low"
    assert Severity.LOW < "high"  # alphabetically "low" > "high"
    assert Severity.MEDIUM >= "medium"


def test_severity_compared_with_an_unknown_string_raises_type_error() -> None:
    with pytest.raises(TypeError):
        _ = Severity.HIGH < "severe"


def test_category_has_the_seed_vocabulary() -> None:
    assert {c.value for c in Category} == {
        "undefined_parameter",
        "ambiguous_methodology",
        "market_calendar",
        "data_source_unspecified",
        "incomplete_formula",
        "compliance_gap",
        "missing_governance",
        "external_dependency",
        "inconsistent_content",
        "missing_reference",
        "assumption_required",
        "other",
    }


def test_finding_with_quote_and_location_is_actionable() -> None:
    finding = make_finding()
    assert finding.is_actionable
    assert not finding.is_absent


def test_absent_finding_has_no_quote_and_is_not_actionable() -> None:
    finding = make_finding(quote="", location=None, replacement=None)
    assert finding.is_absent
    assert not finding.is_actionable


def test_finding_with_replacement_but_no_quote_raises_invariant_violation() -> None:
    with pytest.raises(InvariantViolation, match="no quote"):
        make_finding(quote="", location=None)


@pytest.mark.parametrize("confidence", [-0.01, 1.01, float("nan"), float("inf")])
def test_finding_confidence_outside_unit_interval_raises(confidence: float) -> None:
    with pytest.raises(InvariantViolation):
        make_finding(confidence=confidence)


@pytest.mark.parametrize("source", ["rules", "llm:claude-sonnet-4-5", "llm:gpt-5"])
def test_finding_source_is_rules_or_llm_model(source: str) -> None:
    assert make_finding(source=source).source == source


@pytest.mark.parametrize("source", ["llm:", "llm", "gpt", ""])
def test_finding_with_unknown_source_raises_invariant_violation(source: str) -> None:
    with pytest.raises(InvariantViolation):
        make_finding(source=source)


@pytest.mark.parametrize(("field", "value"), [("id", ""), ("policy_id", ""), ("title", "  ")])
def test_finding_without_identity_or_title_raises_invariant_violation(
    field: str, value: str
) -> None:
    with pytest.raises(InvariantViolation):
        make_finding(**{field: value})


@pytest.mark.parametrize(("start", "end", "page"), [(-1, 3, None), (5, 4, None), (0, 1, 0)])
def test_location_with_bad_span_or_page_raises_invariant_violation(
    start: int, end: int, page: int | None
) -> None:
    with pytest.raises(InvariantViolation):
        FindingLocation(start=start, end=end, page=page)


# --- groups of places ------------------------------------------------------------------------


def _place(quote: str, start: int, replacement: str | None = None) -> Occurrence:
    return Occurrence(quote, FindingLocation(start=start, end=start + len(quote)), replacement)


def test_a_finding_built_from_one_quote_has_that_one_place() -> None:
    f = make_finding()
    assert f.occurrences == (Occurrence(f.quote, f.location, f.replacement),)  # type: ignore[arg-type]
    assert f.check is None
    assert f.subject == ""


def test_an_absent_finding_has_no_places() -> None:
    f = make_finding(quote="", location=None, replacement=None)
    assert f.occurrences == ()


def test_a_group_keeps_every_place_and_its_first_is_the_quote() -> None:
    places = (_place("as applicable", 3, "as set out in [[specify: rule]]"),
              _place("as applicable", 40), _place("As applicable", 90))
    f = make_finding(quote=places[0].quote, location=places[0].location,
                     replacement=places[0].replacement, occurrences=places,
                     check="discretionary_language", subject="as applicable")
    assert len(f.occurrences) == 3
    assert f.occurrences[0].location == f.location


def test_a_first_place_that_is_not_the_quote_raises_invariant_violation() -> None:
    places = (_place("as applicable", 3), _place("as applicable", 40))
    with pytest.raises(InvariantViolation, match="first place"):
        make_finding(quote="as applicable", location=places[1].location, replacement=None,
                     occurrences=places)


@pytest.mark.parametrize("starts", [(40, 3), (3, 10)])
def test_places_out_of_order_or_overlapping_raise_invariant_violation(
    starts: tuple[int, int],
) -> None:
    places = tuple(_place("as applicable", s) for s in starts)
    with pytest.raises(InvariantViolation, match="document order"):
        make_finding(quote="as applicable", location=places[0].location, replacement=None,
                     occurrences=places)


def test_a_located_finding_without_places_raises_invariant_violation() -> None:
    with pytest.raises(InvariantViolation, match="no places"):
        make_finding(occurrences=())


def test_a_place_needs_its_quote() -> None:
    with pytest.raises(InvariantViolation):
        Occurrence("", FindingLocation(start=0, end=0))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("as\napplicable", "as applicable"),
        ("IN ITS\nSOLE DISCRETION", "in its sole discretion"),
        ("'as applicable'", "As  Applicable."),
        ("“Relevant General Strategy Description”", "relevant general strategy description"),
        ("\uff46\uff55\uff4c\uff4c width", "full width"),  # full-width letters
    ],
)
def test_normalised_subjects_ignore_case_spacing_quotes_and_width(a: str, b: str) -> None:
    assert normalise_subject(a) == normalise_subject(b)


def test_normalised_subjects_keep_inner_punctuation_and_words_apart() -> None:
    assert normalise_subject("Section C: Weights") == "section c: weights"
    assert normalise_subject("as applicable") != normalise_subject("if applicable")


def test_findings_sort_by_severity_then_confidence_then_position_absent_last() -> None:
    def f(fid: str, severity: Severity, confidence: float, start: int | None) -> Finding:
        if start is None:
            return make_finding(id=fid, severity=severity, confidence=confidence, quote="",
                                location=None, replacement=None)
        return make_finding(id=fid, severity=severity, confidence=confidence,
                            location=FindingLocation(start=start, end=start + 11))

    findings = [
        f("low", Severity.LOW, 1.0, 0),
        f("high-absent", Severity.HIGH, 1.0, None),
        f("high-late", Severity.HIGH, 0.9, 500),
        f("high-early", Severity.HIGH, 0.9, 20),
        f("high-sure", Severity.HIGH, 0.95, 900),
        f("critical", Severity.CRITICAL, 0.5, 700),
    ]
    ordered = [x.id for x in sorted(findings, key=lambda x: x.sort_key)]
    assert ordered == ["critical", "high-sure", "high-early", "high-late", "high-absent", "low"]


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan"), float("inf"), "0.5", True, None])
def test_a_confidence_threshold_outside_zero_to_one_raises_invariant_violation(
    value: object,
) -> None:
    with pytest.raises(InvariantViolation, match=r"\[0, 1\]"):
        check_min_confidence(value)


def test_the_default_threshold_is_one_half() -> None:
    assert DEFAULT_MIN_CONFIDENCE == 0.5 == check_min_confidence(0.5)
