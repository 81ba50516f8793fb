"""Every report format says which policies were not assessed and why; none shows a clean score
for a review that assessed nothing."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from docsense.adapters.ai.rules import RulesReviewer
from docsense.domain.review import NotAssessed, NotAssessedReason, Usage
from docsense.policies import load_pack
from docsense.ports import ReviewerResult, ReviewRequest
from docsense.reports import render
from docsense.review import run_review
from docsense.review.report import ReviewReport, build_report
from docsense.review.reviewers import FallbackReviewer
from docsense.testing.reviewers import contract_document


class RefusingReviewer:
    """A model that refused every part it was sent (what an LLM reviewer reports then)."""

    spec = "llm:refusing"

    def __init__(self, only: set[str] | None = None) -> None:
        self.only = only

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        refused = {p.id for p in request.policies if self.only is None or p.id in self.only}
        return ReviewerResult(
            findings=(),
            assessed=frozenset(p.id for p in request.policies) - refused,
            source="llm:refusing",
            usage=Usage(calls=2, tokens_in=100, tokens_out=10, refusals=2, cost_estimate=None),
            not_assessed={
                pid: NotAssessed(NotAssessedReason.REFUSED, "cyber; cannot help") for pid in refused
            },
        )


def _report(reviewer: object) -> ReviewReport:
    outcome = asyncio.run(
        run_review(contract_document(), [load_pack("self-containment")], reviewer)  # type: ignore[arg-type]
    )
    return build_report(outcome)


@pytest.fixture(scope="module")
def nothing() -> ReviewReport:
    return _report(RefusingReviewer())


@pytest.fixture(scope="module")
def partial() -> ReviewReport:
    return _report(RefusingReviewer(only={"SC-001", "SC-002"}))


def test_nothing_assessed_has_no_score_in_json(nothing: ReviewReport) -> None:
    data = json.loads(render(nothing, "json"))
    assert data["score"] is None
    assert data["findings"] == []
    assert {p["status"] for p in data["policies"]} == {"not_assessed"}
    assert {p["reason"] for p in data["policies"]} == {"refused"}
    assert all(p["detail"] == "cyber; cannot help" for p in data["policies"])
    assert data["usage"]["refusals"] == 2
    assert data["usage"]["cost_estimate"] is None


def test_nothing_assessed_in_markdown_and_html(nothing: ReviewReport) -> None:
    md = render(nothing, "md")
    assert "**Score:** none: no policy was assessed" in md
    assert "## Nothing was assessed" in md
    assert "No findings, but nothing was assessed." in md
    assert re.search(r"^- SC-001: refused \(cyber; cannot help\)$", md, re.MULTILINE)
    assert "100.0 / 100" not in md
    assert re.search(r"\| Estimated cost \|\n\|.*\n\|.* \| unknown \|", md)
    html = render(nothing, "html")
    assert "No score" in html
    assert "Nothing was assessed" in html
    assert "SC-001: refused (cyber; cannot help)" in html
    assert "100.0</span>" not in html


def test_nothing_assessed_in_sarif_is_an_unsuccessful_run(nothing: ReviewReport) -> None:
    log = json.loads(render(nothing, "sarif"))
    run = log["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    refused = [n for n in notes if n["message"]["text"].startswith("policy not assessed")]
    assert len(refused) == len(nothing.policies)
    assert {n["level"] for n in refused} == {"error"}
    assert refused[0]["associatedRule"]["id"] in {p.id for p in nothing.policies}
    assert run["properties"]["docsense"]["score"] is None


def test_partial_review_says_which_policies_are_missing(partial: ReviewReport) -> None:
    assert partial.score is not None
    missing = {p.id for p in partial.not_assessed}
    assert missing >= {"SC-001", "SC-002"}
    md = render(partial, "md")
    assert "not assessed)" in md
    assert "## Not assessed (" in md
    assert "- SC-001: refused (cyber; cannot help)" in md
    html = render(partial, "html")
    assert "policies not assessed" in html
    log = json.loads(render(partial, "sarif"))
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    levels = {n["level"] for n in invocation["toolExecutionNotifications"]
              if n["message"]["text"].startswith("policy not assessed")}
    assert levels == {"warning"}


def test_a_chain_that_takes_over_the_refused_policies_assesses_them() -> None:
    report = _report(FallbackReviewer([RefusingReviewer(), RulesReviewer()]))
    assert report.score is not None
    rules = _report(RulesReviewer())
    assert [p.status for p in report.policies] == [p.status for p in rules.policies]
    assert any("handed to 'rules'" in w for w in report.warnings)
