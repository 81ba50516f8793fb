"""Specification of findings, their severities and categories."""

from __future__ import annotations

from typing import Any

import pytest

from docsense.domain.findings import Category, Finding, FindingLocation, Severity
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
