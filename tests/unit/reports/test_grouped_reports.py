"""Every report format shows finding groups (count and first places) and the threshold."""

from __future__ import annotations

import asyncio
import json
import re

import jsonschema
import pytest

from docsense.adapters.convert import convert_document
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.ports import RawFinding
from docsense.reports import FINGERPRINT_KEY, to_html, to_json, to_markdown, to_sarif
from docsense.review.engine import ReviewDocument, ReviewOutcome, run_review
from docsense.review.report import ReviewReport, build_report, shipped_json_schema

from .conftest import ScriptedReviewer
from .test_sarif_report import validate_sarif

PHRASE = "as applicable"
CLAUSES = [
    "Fees are charged", "The sponsor rebalances", "Weights are capped", "Prices are adjusted",
    "Dividends are reinvested", "Taxes are withheld", "Costs are deducted",
]
MARKDOWN = "# Fee Index\n\n" + "".join(
    f"## {n}. Part {n}\n\n{clause} {PHRASE}.\n\n" for n, clause in enumerate(CLAUSES, 1)
) + "## 8. Data\n\nPrices come from a vendor.\n"


def _raw(nth: int, **kw: object) -> RawFinding:
    at = -1
    for _ in range(nth + 1):
        at = MARKDOWN.index(PHRASE, at + 1)
    fields: dict[str, object] = {
        "policy_id": "SC-007", "title": "Discretionary wording 'as applicable'", "quote": PHRASE,
        "hint": at, "category": "ambiguous_methodology", "severity": "medium",
        "confidence": 0.8, "check": "discretionary_language", "subject": PHRASE,
        "suggested_fix": "Say when it applies.",
        "replacement": f"under rule [[specify: rule {nth}]]" if nth % 2 == 0 else None,
        **kw,
    }
    return RawFinding(**fields)  # type: ignore[arg-type]


class _RulesLike(ScriptedReviewer):
    async def review(self, request):  # type: ignore[no-untyped-def]
        result = await super().review(request)
        return type(result)(findings=result.findings, assessed=result.assessed, source="rules",
                            usage=result.usage)


@pytest.fixture(scope="module")
def outcome() -> ReviewOutcome:
    raws = [_raw(n) for n in range(len(CLAUSES))]
    raws.append(RawFinding(policy_id="SC-004", title="Vendor not named",
                           quote="Prices come from a vendor", confidence=0.3,
                           check="unnamed_data_sources", subject="vendor", severity="high"))
    converted = convert_document(MARKDOWN.encode(), "fees.md")
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    doc = ReviewDocument.from_converted(converted, ir, document_id="doc-g", version="1.0")
    reviewer = _RulesLike(raws)
    pack = load_pack("self-containment")
    return asyncio.run(run_review(doc, [pack], reviewer, min_confidence=0.5))


def _group(report: ReviewReport):  # type: ignore[no-untyped-def]
    [group] = [f for f in report.findings if f.subject == PHRASE]
    return group


def test_the_json_report_lists_every_place_and_validates(outcome: ReviewOutcome) -> None:
    report = build_report(outcome)
    data = json.loads(to_json(report))
    errors = list(jsonschema.Draft202012Validator(shipped_json_schema()).iter_errors(data))
    assert not errors, [e.message for e in errors]
    [group] = [f for f in data["findings"] if f["subject"] == PHRASE]
    assert len(group["occurrences"]) == len(CLAUSES)
    first = group["occurrences"][0]
    assert (group["quote"], group["location"], group["replacement"]) == (
        first["quote"], first["location"], first["replacement"]
    )
    assert group["check"] == "discretionary_language"
    starts = [o["location"]["start"] for o in group["occurrences"]]
    assert starts == sorted(starts)
    assert all(MARKDOWN[o["location"]["start"]:o["location"]["end"]] == PHRASE
               for o in group["occurrences"])
    assert ReviewReport.model_validate(data) == report


def test_a_version_1_report_still_validates_and_loads_as_one_place_findings(
    outcome: ReviewOutcome,
) -> None:
    data = json.loads(to_json(build_report(outcome)))
    data["schema"] = "docsense.review/1"
    del data["threshold"], data["suppressed"]
    for f in data["findings"]:
        for key in ("check", "subject", "occurrences", "below_threshold", "fingerprint"):
            del f[key]
    for p in data["policies"]:  # the reasons of policies not assessed came with version 2
        del p["reason"], p["detail"]
    for key in ("tokens_cache_write", "tokens_thinking", "refusals"):
        del data["usage"][key]
    errors = list(jsonschema.Draft202012Validator(shipped_json_schema(1)).iter_errors(data))
    assert not errors, [e.message for e in errors]
    old = ReviewReport.model_validate(data)
    assert old.schema_ == "docsense.review/2"
    for f in old.findings:
        assert f.subject == f.title
        assert [o.quote for o in f.occurrences] == ([f.quote] if f.quote else [])


def test_reports_hide_findings_below_the_threshold_and_say_how_many(
    outcome: ReviewOutcome,
) -> None:
    report = build_report(outcome)
    assert report.threshold.min_confidence == 0.5
    assert report.threshold.below == 1
    assert not report.threshold.included
    assert all(f.confidence >= 0.5 for f in report.findings)
    assert "Vendor not named" not in to_markdown(report, MARKDOWN)
    note = "1 finding below the confidence threshold 0.50 not shown"
    assert note in to_markdown(report, MARKDOWN)
    assert note in to_html(report, MARKDOWN)
    sarif = to_sarif(report, markdown=MARKDOWN)
    assert sarif["runs"][0]["properties"]["docsense"]["threshold"]["below"] == 1


def test_include_all_lists_the_hidden_findings_marked(outcome: ReviewOutcome) -> None:
    report = build_report(outcome, include_all=True)
    assert report.threshold.included
    [hidden] = [f for f in report.findings if f.below_threshold]
    assert hidden.title == "Vendor not named"
    md = to_markdown(report, MARKDOWN)
    assert "Vendor not named" in md
    assert "Below the confidence threshold" in md
    assert "below threshold</span>" in to_html(report, MARKDOWN)
    results = to_sarif(report, markdown=MARKDOWN)["runs"][0]["results"]
    assert [r["properties"].get("belowThreshold", False) for r in results].count(True) == 1
    # The policy table counts what the policy's status counts: not the hidden finding.
    assert "| SC-004 | Data sources are named | MUST | self-containment | satisfied | 0 |" in md


def test_a_report_at_another_threshold_recomputes_findings_and_score(
    outcome: ReviewOutcome,
) -> None:
    loose = build_report(outcome, min_confidence=0.0)
    strict = build_report(outcome)
    assert loose.threshold.below == 0
    assert len(loose.findings) == len(strict.findings) + 1
    assert loose.score is not None
    assert strict.score is not None
    assert loose.score < strict.score
    assert {p.id: p.status for p in loose.policies}["SC-004"] == "violated"


def test_markdown_and_html_show_the_count_and_the_first_places(outcome: ReviewOutcome) -> None:
    report = build_report(outcome)
    md = to_markdown(report, MARKDOWN)
    page = to_html(report, MARKDOWN)
    heading = f"Discretionary wording 'as applicable' ({len(CLAUSES)} places)"
    assert f"#### Discretionary wording 'as applicable' ({len(CLAUSES)} places)" in md.replace(
        "\\'", "'"
    )
    assert heading.replace("'", "&#x27;") in page
    more = len(CLAUSES) - 5
    assert f"... and {more} more" in md
    assert f"and {more} more</p>" in page
    listed = re.search(r"Places \(7\):\n\n```text\n(.*?)\n```", md, re.DOTALL)
    assert listed is not None
    lines = listed.group(1).splitlines()
    assert lines[0].startswith("1. 'as applicable' (Fee Index > 1. Part 1")
    assert len(lines) == 6
    assert page.count("<li><q>as applicable</q>") == 5


def test_sarif_has_one_result_per_group_with_the_other_places_related(
    outcome: ReviewOutcome,
) -> None:
    report = build_report(outcome)
    log = to_sarif(report, markdown=MARKDOWN)
    validate_sarif(log)
    validate_sarif(to_sarif(build_report(outcome, include_all=True), markdown=MARKDOWN))
    results = log["runs"][0]["results"]
    assert len(results) == len(report.findings)
    [r] = [r for r in results if r["properties"]["subject"] == PHRASE]
    assert f"({len(CLAUSES)} places)" in r["message"]["text"]
    related = r["relatedLocations"]
    assert len(related) == len(CLAUSES) - 1
    assert [x["id"] for x in related] == list(range(1, len(CLAUSES)))
    group = _group(report)
    assert [x["physicalLocation"]["region"]["charOffset"] for x in related] == [
        o.location.start for o in group.occurrences[1:]
    ]
    (change,) = r["fixes"][0]["artifactChanges"]
    assert len(change["replacements"]) == sum(o.replacement is not None for o in group.occurrences)
    assert r["properties"]["places"] == len(CLAUSES)
    assert len({x["partialFingerprints"][FINGERPRINT_KEY] for x in results}) == len(results)


def test_findings_are_listed_most_severe_then_most_confident_first(
    outcome: ReviewOutcome,
) -> None:
    report = build_report(outcome, include_all=True)
    keys = [(-f.severity.rank, -f.confidence) for f in report.findings if f.location]
    assert keys == sorted(keys)
