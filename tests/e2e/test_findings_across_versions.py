"""Findings across versions (issue 16): compare, suppression, placeholders, tables, views.

Every scenario runs through the public facade on the in-memory store, a real SQLite file and
PostgreSQL; the seed-corpus checks run on the in-memory store and SQLite.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pytest
from typer.testing import CliRunner

import docsense
from docsense.cli.app import app
from docsense.domain.findings import Severity
from docsense.errors import InvalidArgument
from docsense.reports import FINGERPRINT_KEY
from docsense.views import ComparisonView, RecordList

SEED = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "seed-docs"

TEXT = (
    "# Method\n\n## Selection\n\nStocks qualify when volatility is below the threshold.\n\n"
    "Weights are adjusted as applicable.\n\n## Data\n\nPrices come from a data vendor.\n\n"
    "## Rebalancing\n\nThe index rebalances on the last business day of each quarter.\n"
)
ADDED = "\n## Costs\n\nFees are charged periodically.\n"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ds.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


def _one(findings: Any, word: str) -> Any:
    [found] = [f for f in findings if word in f.quote]
    return found


def test_compare_sorts_findings_into_resolved_persisting_new_and_suppressed(
    store_url: str,
) -> None:
    with docsense.open(store_url, settings={"actor": "alice"}) as ds:
        doc = ds.ingest(TEXT.encode(), filename="method.md")
        first = ds.review(doc.id)
        threshold = _one(first.findings, "threshold")
        vendor = _one(first.findings, "vendor")
        feedback = ds.feedback(first.id)
        feedback.accept(threshold.id)
        feedback.reject(vendor.id, reason="the vendor is named in the data appendix")
        feedback.apply()
        # A new major version with one more vague sentence, ingested as a new file.
        revised = ds.document(doc.id).markdown + ADDED
        ds.ingest(revised.encode(), filename="method-v2.md", document_id=doc.id)
        second = ds.review(doc.id)
        comparison = ds.compare(first.id, second)

    assert isinstance(comparison, ComparisonView)
    assert (comparison.base_version, comparison.version) == ("1.0", "2.0")
    resolved = {r.fingerprint for r in comparison.resolved}
    assert threshold.fingerprint in resolved  # the accepted replacement resolved it
    assert [r.fingerprint for r in comparison.suppressed] == [vendor.fingerprint]
    [held] = comparison.suppressed
    assert held.suppression is not None
    assert held.suppression.rejected_by == "alice"
    assert held.suppression.rejected_in == first.id
    assert [r.finding.quote for r in comparison.new] == ["Fees are charged periodically"] or any(
        "periodically" in r.finding.quote for r in comparison.new
    )
    persisting = {r.fingerprint for r in comparison.persisting}
    untouched = {f.fingerprint for f in first.findings} - {threshold.fingerprint,
                                                           vendor.fingerprint}
    assert untouched <= persisting | resolved
    # Persisting findings keep their id too: the id is made from what they are about.
    assert all(r.before is not None and r.after is not None and r.before.id == r.after.id
               for r in comparison.persisting)
    counts = comparison.counts()
    assert sum(counts.values()) == len(comparison.to_records())
    data = json.loads(json.dumps(comparison.to_dict(), default=str))
    assert data["counts"] == counts
    assert data["suppressed"][0]["suppression_reason"] == (
        "the vendor is named in the data appendix")
    frame = comparison.to_dataframe()
    assert isinstance(frame, pd.DataFrame)
    assert sorted(frame["status"].unique()) == sorted(s for s, n in counts.items() if n)
    md = comparison.to_markdown()
    assert comparison._repr_markdown_() == md
    assert "### Suppressed (1)" in md
    assert "### New (" in md
    page = comparison._repr_html_()
    assert "<details open><summary>suppressed (1)</summary>" in page
    assert "the vendor is named in the data appendix" in page
    assert "\n" not in repr(comparison)
    assert "1 suppressed" in repr(comparison)


def test_a_rejection_stays_on_later_versions_as_an_audited_suppression(store_url: str) -> None:
    with docsense.open(store_url, settings={"actor": "alice"}) as ds:
        doc = ds.ingest(TEXT.encode(), filename="method.md")
        first = ds.review(doc.id)
        vendor = _one(first.findings, "vendor")
        threshold = _one(first.findings, "threshold")
        ds.feedback(first.id).reject(vendor.id, reason="false positive: vendor in appendix")
        ds.feedback(first.id).accept(threshold.id)
        ds.apply_feedback(first.id)
        second = ds.review(doc.id)
        third = ds.review(doc.id)  # still suppressed two versions on
        items = {i.finding_id: i for i in ds.feedback(second.id).items()}
        history = ds.history(doc.id)
        rejected = ds.findings(document_id=doc.id, decision="Suppressed", limit=100)

    for review in (second, third):
        [s] = review.suppressed
        assert (s.fingerprint, s.reason, s.rejected_by, s.rejected_in) == (
            vendor.fingerprint, "false positive: vendor in appendix", "alice", first.id)
        assert vendor.fingerprint not in {f.fingerprint for f in review.open_findings}
    # The feedback of the later review starts with the finding rejected, for that reason.
    item = items[second.suppressed[0].finding_id]
    assert (item.decision, item.reason) == ("rejected", "false positive: vendor in appendix")
    assert [(d.finding_id, d.decision) for d in second.decisions if d.decision == "rejected"] == [
        (item.finding_id, "rejected")]
    # The audit trail says who suppressed what and why.
    lines = [h for h in history if h.event_type == "FindingsSuppressed"]
    assert len(lines) == 2
    assert "rejected by alice" in lines[0].summary
    assert "false positive: vendor in appendix" in lines[0].summary
    assert {f.review_id for f in rejected} == {second.id, third.id}
    assert {(f.fingerprint, f.reason) for f in rejected} == {
        (vendor.fingerprint, "false positive: vendor in appendix")}
    # Reports: JSON lists it under "suppressed", SARIF as an accepted external suppression.
    report = json.loads(second.to_json())
    assert [s["fingerprint"] for s in report["suppressed"]] == [vendor.fingerprint]
    assert {f["fingerprint"] for f in report["findings"]} >= {vendor.fingerprint}
    results = json.loads(second.to_sarif())["runs"][0]["results"]
    [sarif] = [r for r in results if r["partialFingerprints"][FINGERPRINT_KEY]
               == vendor.fingerprint]
    assert sarif["suppressions"] == [{
        "kind": "external", "status": "accepted",
        "justification": "false positive: vendor in appendix",
        "properties": {"rejectedBy": "alice", "rejectedIn": first.id},
    }]
    assert "Suppressed:" in second.to_markdown()
    assert "suppressed" in second.to_html()


def test_accepting_a_suggestion_ends_a_carried_rejection(store_url: str) -> None:
    with docsense.open(store_url) as ds:
        doc = ds.ingest(TEXT.encode(), filename="method.md")
        first = ds.review(doc.id)
        vendor = _one(first.findings, "vendor")
        threshold = _one(first.findings, "threshold")
        ds.feedback(first.id).reject(vendor.id, reason="not now")
        ds.feedback(first.id).accept(threshold.id)
        ds.apply_feedback(first.id)
        second = ds.review(doc.id)
        assert [s.fingerprint for s in second.suppressed] == [vendor.fingerprint]
        ds.feedback(second.id).accept(second.suppressed[0].finding_id)  # changed their mind
        ds.apply_feedback(second.id)
        third = ds.review(doc.id)
    assert third.suppressed == ()


def _seed_docs() -> list[Path]:
    docs = sorted(SEED.glob("doc_*.docx"))
    assert len(docs) == 20, f"the seed corpus is expected at {SEED}"
    return docs


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_accepting_one_replacement_on_each_seed_document_keeps_every_other_finding(
    store: str, tmp_path: Path
) -> None:
    url = "memory://" if store == "memory" else f"sqlite:///{tmp_path / 'seed.db'}"
    checked = 0
    with docsense.open(url) as ds:
        for path in _seed_docs():
            doc = ds.ingest(path)
            first = ds.review(doc.id)
            target = next((f for f in first.findings if f.replacement is not None), None)
            if target is None:
                continue
            ds.feedback(first.id).accept(target.id)
            revised = ds.apply_feedback(first.id)
            second = ds.review(doc.id)
            after = {f.fingerprint for f in second.all_findings}
            lost = [f.title for f in first.all_findings
                    if f.id != target.id and f.fingerprint not in after]
            assert not lost, f"{path.name}: accepting {target.title!r} lost {lost}"
            assert not any("Placeholder" in f.title for f in second.all_findings)
            assert len(revised.open_questions) == sum(
                o.replacement.count("[[specify:") for o in target.occurrences if o.replacement)
            checked += 1
    assert checked >= 15


def test_notebook_views_are_short_sorted_foldable_and_complete(tmp_path: Path) -> None:
    long_section = "## Part {n}\n\nThe sponsor may, in its sole discretion, act.\n\n"
    text = TEXT + "".join(long_section.format(n=n) for n in range(80))
    with docsense.open(f"sqlite:///{tmp_path / 'views.db'}") as ds:
        doc = ds.ingest(text.encode(), filename="big.md")
        review = ds.review(doc.id)
        documents = ds.documents()
        history = ds.history(doc.id)
        reviews = ds.reviews(doc.id)
        found = ds.findings(document_id=doc.id)
    for view in (doc, review):
        assert "\n" not in repr(view)
        assert len(repr(view)) < 400
    assert f"{len(doc.sections)} sections" in repr(doc)
    assert review.score_text in repr(review)
    assert re.search(r"score \d+\.\d / 100", repr(review))
    page = doc._repr_html_()
    assert len(doc.sections) > 80
    assert all(s.heading in page for s in doc.sections)  # every section reachable
    assert f"<details><summary>{len(doc.sections)} sections</summary>" in page
    table = review._repr_html_()
    for column in ("<th>severity</th>", "<th>policy</th>", "<th>section</th>", "<th>quote</th>"):
        assert column in table
    shown = re.findall(r"<tr><td>(critical|high|medium|low|info)", table)
    assert len(shown) == len(review.findings)
    ranks = [Severity(s).rank for s in shown]
    assert ranks == sorted(ranks, reverse=True)
    assert review.score_text in table
    for listing in (documents, history, reviews, found):
        assert isinstance(listing, RecordList)
        assert "<table>" in listing._repr_html_()
        frame = listing.to_dataframe()
        assert isinstance(frame, pd.DataFrame)
        assert len(frame) == len(listing)
    assert list(history.to_dataframe()["event_type"][:2]) == ["DocumentUploaded",
                                                             "DocumentConverted"]
    assert isinstance(history[:2], RecordList)
    records = review.to_records()
    assert len(records) == len(review.findings)
    assert {"severity", "policy_id", "section", "quote", "fingerprint"} <= set(records[0])
    assert len(review.to_records("occurrences")) == review.places
    assert review.to_records("decisions") == [
        {"review_id": review.id, "finding_id": d.finding_id, "decision": "pending",
         "reason": None, "text": None, "decided_by": None, "quote": d.quote,
         "replacement": d.replacement, "places": d.places}
        for d in review.decisions
    ]
    assert review.to_dataframe("occurrences").shape[0] == review.places
    with pytest.raises(InvalidArgument, match="findings, occurrences or decisions"):
        review.to_records("places")


def test_docsense_diff_prints_the_comparison(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with docsense.open(url) as ds:
        doc = ds.ingest(TEXT.encode(), filename="method.md")
        first = ds.review(doc.id)
        ds.feedback(first.id).accept(_one(first.findings, "threshold").id)
        ds.apply_feedback(first.id)
        second = ds.review(doc.id)
        expected = ds.compare(first.id, second.id)
    runner = CliRunner()
    result = runner.invoke(app, ["--store", url, "diff", first.id, second.id, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"] == expected.counts()
    result = runner.invoke(app, ["--store", url, "diff", first.id, second.id])
    assert result.exit_code == 0, result.output
    assert "1 resolved" in result.stdout
    assert "resolved" in result.stdout
    result = runner.invoke(app, ["--store", url, "diff", first.id, second.id, "--format", "md"])
    assert result.stdout == expected.to_markdown()
