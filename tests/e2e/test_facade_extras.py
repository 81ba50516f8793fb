"""Facade extras: findings search, reports from views, projections, correlation ids, secrets."""

from __future__ import annotations

import json
import logging

import pytest

import docsense
from docsense.errors import InvalidArgument
from docsense.logs import CorrelationIdFilter, JsonFormatter

TEXT = (
    b"# Method\n\n## Selection\n\nStocks qualify when volatility is below the threshold.\n\n"
    b"## Rebalancing\n\nThe index rebalances on the last business day of each quarter.\n"
)


def test_findings_search_filters_and_paginates_across_documents() -> None:
    with docsense.open("memory://") as ds:
        first = ds.ingest(TEXT, filename="a.md")
        second = ds.ingest(TEXT.replace(b"Stocks", b"Bonds"), filename="b.md")
        for doc in (first, second):
            ds.review(doc.id)
        everything = ds.findings(limit=1000)
        assert {f.document_id for f in everything} == {first.id, second.id}
        mine = ds.findings(document_id=first.id, limit=1000)
        assert mine
        assert all(f.document_id == first.id for f in mine)
        category = mine[0].category
        assert all(f.category == category for f in ds.findings(category=category, limit=1000))
        page_one = ds.findings(limit=1)
        page_two = ds.findings(limit=1, offset=1)
        assert page_one != page_two
        assert len(page_one) == len(page_two) == 1
        # A filter never silently matches nothing: unknown values are errors listing the
        # valid ones; packs go by id, key or name and severities by any case.
        with pytest.raises(InvalidArgument, match="self-containment"):
            ds.findings(pack="no-such-pack")
        with pytest.raises(InvalidArgument, match="critical, high, medium, low, info"):
            ds.findings(severity="urgent")
        by_key = ds.findings(pack="self-containment", limit=1000)
        assert by_key
        assert {f.pack for f in by_key} == {everything[0].pack}
        assert ds.findings(pack=str(everything[0].pack), limit=1000) == by_key
        assert ds.findings(pack="Self-Containment", limit=1000) == by_key
        high = ds.findings(severity="High", limit=1000)
        assert high
        assert all(f.severity == "high" for f in high)


def test_review_view_renders_every_report_format() -> None:
    with docsense.open("memory://") as ds:
        review = ds.review(ds.ingest(TEXT, filename="a.md").id)
        assert review.findings
        assert review.findings[0].title in review.to_markdown()
        html = review.to_html()
        assert html.lstrip().lower().startswith("<!doctype html")
        assert json.loads(review.to_json())["score"] == pytest.approx(review.score)
        sarif = json.loads(review.to_sarif())
        assert sarif["version"] == "2.1.0"
        assert len(sarif["runs"][0]["results"]) == len(review.findings)
        stored = ds.get_review(review.id)
        assert json.loads(stored.to_json())["findings"] == json.loads(review.to_json())["findings"]
        assert "<table>" in review._repr_html_()


def test_projection_operations_through_the_facade() -> None:
    with docsense.open("memory://") as ds:
        ds.ingest(TEXT, filename="a.md")
        ds.documents()  # catches the read models up
        statuses = {s.name: s for s in ds.projections_status()}
        assert set(statuses) == {"documents", "reviews", "findings", "audit"}
        assert all(s.lag == 0 for s in statuses.values())
        rebuilt = ds.rebuild_projection("audit")
        assert (rebuilt.generation, rebuilt.lag) == (2, 0)
        assert ds.dead_letters() == []


def test_log_records_and_events_of_one_operation_share_a_correlation_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler_filter = CorrelationIdFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="docsense"), docsense.open("memory://") as ds:
            doc = ds.ingest(TEXT, filename="a.md")
            [uploaded, converted] = ds.history(doc.id)[:2]
    finally:
        caplog.handler.removeFilter(handler_filter)
    ingest_records = [r for r in caplog.records if "ingested" in r.getMessage()]
    assert ingest_records
    cid = getattr(ingest_records[0], "correlation_id", None)
    assert cid is not None
    assert uploaded.correlation_id == converted.correlation_id == cid
    line = json.loads(JsonFormatter().format(ingest_records[0]))
    assert line["correlation_id"] == cid


def test_api_keys_never_show_in_settings_reprs_or_errors() -> None:
    with docsense.open("memory://", settings={"anthropic_api_key": "sk-ant-SECRET"}) as ds:
        assert "SECRET" not in repr(ds.settings)
        assert "SECRET" not in str(ds.settings.model_dump())
        assert ds.settings.anthropic_api_key is not None
        assert ds.settings.anthropic_api_key.get_secret_value() == "sk-ant-SECRET"


def test_llm_settings_reach_the_provider_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key and base URL given only in settings are what the SDK sends (fake server)."""
    pytest.importorskip("anthropic")
    from docsense.testing.fake_llm import FakeLLMServer

    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    with FakeLLMServer("anthropic") as server:
        settings = {
            "anthropic_api_key": "sk-ant-from-settings",
            "anthropic_base_url": server.base_url,
            "llm_timeout_s": 5,
        }
        with docsense.open("memory://", settings=settings) as ds:
            doc = ds.ingest(TEXT, filename="a.md")
            review = ds.review(doc.id, reviewer="anthropic:claude-test")
    assert review.reviewer.startswith("anthropic:claude-test")
    assert server.requests, "no request reached the fake provider"
    for request in server.requests:  # the SDK sends the key as x-api-key or a bearer token
        sent = {request.headers.get("x-api-key"), request.headers.get("authorization")}
        assert sent & {"sk-ant-from-settings", "Bearer sk-ant-from-settings"}
