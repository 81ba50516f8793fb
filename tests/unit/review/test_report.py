"""The docsense.review/2 report: model, shipped JSON Schemas, round trip, old reports."""

from __future__ import annotations

import json

from docsense.adapters.ai.rules import RulesReviewer
from docsense.domain.ir import SemanticIR
from docsense.policies import load_pack
from docsense.review.engine import ReviewDocument, run_review
from docsense.review.report import (
    REPORT_SCHEMA,
    ReviewReport,
    build_report,
    shipped_json_schema,
    to_json_schema,
)


def test_shipped_schema_file_matches_the_model() -> None:
    assert shipped_json_schema() == to_json_schema(), (
        "regenerate with: python -m docsense.review.report > "
        "src/docsense/review/schema/docsense.review-2.schema.json"
    )


def test_schema_names_the_required_report_fields() -> None:
    schema = to_json_schema()
    assert set(schema["required"]) >= {
        "document", "packs", "reviewer", "score", "policies", "findings", "usage", "stats",
    }
    finding = schema["$defs"]["FindingModel"]["properties"]
    assert set(finding) == {
        "id", "policy_id", "category", "severity", "title", "description", "quote", "location",
        "suggested_fix", "replacement", "confidence", "source", "check", "subject",
        "occurrences", "below_threshold", "fingerprint",
    }
    assert set(schema["$defs"]["OccurrenceModel"]["properties"]) == {
        "quote", "location", "replacement",
    }
    assert set(schema["$defs"]["ThresholdModel"]["properties"]) == {
        "min_confidence", "below", "included",
    }
    location = schema["$defs"]["FindingLocationModel"]["properties"]
    assert set(location) == {"section", "path", "start", "end", "page"}


async def test_report_round_trips_through_json() -> None:
    doc = ReviewDocument(markdown="Positions are sized using proprietary models, rebalanced "
                         "periodically.", sections=(), ir=SemanticIR(), id="d1", title="T",
                         version="1.0", source="t.md")
    outcome = await run_review(doc, [load_pack("self-containment")], RulesReviewer())
    report = build_report(outcome)
    data = json.loads(report.to_json())
    assert data["schema"] == REPORT_SCHEMA
    assert data["document"] == {"id": "d1", "title": "T", "version": "1.0", "source": "t.md"}
    assert {p["status"] for p in data["policies"]} <= {"satisfied", "violated", "not_assessed"}
    assert data["findings"]
    assert all(f["quote"] in doc.markdown for f in data["findings"])
    assert ReviewReport.model_validate(data) == report
