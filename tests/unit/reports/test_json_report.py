"""The JSON report is the docsense.review/2 document and validates against the shipped schema."""

from __future__ import annotations

import json

import jsonschema

from docsense.reports import to_json
from docsense.review.report import ReviewReport, shipped_json_schema

from .conftest import Reviewed


def _validate(text: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(text)
    validator = jsonschema.Draft202012Validator(shipped_json_schema())
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, "\n".join(e.message for e in errors)
    return data


def test_json_report_validates_against_the_shipped_schema(
    seed: Reviewed, hostile: Reviewed, worst: Reviewed
) -> None:
    for reviewed in (seed, hostile, worst):
        data = _validate(to_json(reviewed.report))
        assert data["schema"] == "docsense.review/2"
        assert ReviewReport.model_validate(data) == reviewed.report


def test_json_report_keeps_document_text_verbatim(hostile: Reviewed) -> None:
    data = json.loads(to_json(hostile.report, indent=None))
    quotes = [f["quote"] for f in data["findings"]]
    assert any("<script>alert(1)</script>" in q for q in quotes)
    assert data["usage"]["cost_estimate"] == 0.0421


def test_json_report_ends_with_a_newline(seed: Reviewed) -> None:
    assert to_json(seed.report).endswith("}\n")
    assert to_json(seed.report, indent=None).count("\n") == 1
