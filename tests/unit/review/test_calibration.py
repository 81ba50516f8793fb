"""Calibrated confidence: measured precision per check family, shrunk towards the prior."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from docsense.adapters.ai.rules import RulesReviewer
from docsense.domain.ir import SemanticIR
from docsense.policies import load_pack
from docsense.ports import ReviewRequest
from docsense.review.checks.calibration import (
    SHRINKAGE,
    Calibration,
    Measured,
    family_of,
    load_calibration,
)


def test_family_drops_quoted_phrases_and_details() -> None:
    assert family_of("Condition not defined: 'where appropriate'") == "Condition not defined"
    assert family_of("'sufficient liquidity' is not quantified") == "'…' is not quantified"
    assert family_of("No risk disclosure (leverage)") == "No risk disclosure"


def test_confidence_is_measured_precision_shrunk_towards_the_prior() -> None:
    table = Calibration({("vague_frequency", "Frequency not specified", "brief"): Measured(10, 2)})
    got = table.confidence("vague_frequency", "Frequency not specified: 'periodically'", 0.85)
    assert got == round((2 + SHRINKAGE * 0.85) / (10 + SHRINKAGE), 3)
    assert got < 0.85
    # A family never measured borrows its check's measurement on that style...
    assert table.confidence("vague_frequency", "Schedule has no date rule", 0.7) < 0.7
    # ... and a check never measured keeps its prior.
    assert table.confidence("vague_qualifiers", "'strong' is not quantified", 0.7) == 0.7


def test_the_shipped_table_records_its_material_and_command() -> None:
    shipped = load_calibration()
    assert shipped.source["command"] == "python -m benchmarks.calibrate"
    assert shipped.for_check("vague_thresholds") is not None


def test_the_rules_reviewer_reports_calibrated_confidence() -> None:
    pack = load_pack("self-containment")
    request = ReviewRequest(document_id="d", markdown="Rebalance periodically.\n", sections=(),
                            ir=SemanticIR(), policies=pack.policies)
    never_right = Calibration(
        {("vague_frequency", "Frequency not specified", "brief"): Measured(50, 0)}
    )
    result = asyncio.run(RulesReviewer(calibration=never_right).review(request))
    (finding,) = [f for f in result.findings if f.title.startswith("Frequency")]
    assert finding.confidence is not None
    assert finding.confidence < 0.1


def test_rulebooks_are_calibrated_apart_and_fall_back_sensibly() -> None:
    table = Calibration({
        ("vague_thresholds", "Threshold or limit has no value", "brief"): Measured(20, 19),
        ("vague_thresholds", "Threshold or limit has no value", "rulebook"): Measured(10, 1),
        ("formula_undefined_variables", "Formula uses undefined variables", "brief"):
            Measured(10, 10),
    })
    title = "Threshold or limit has no value"
    assert table.confidence("vague_thresholds", title, 0.85, "rulebook") < 0.4
    assert table.confidence("vague_thresholds", title, 0.85, "brief") > 0.85
    # Never measured on rulebooks: the brief measurement stands in.
    formula = "Formula uses undefined variables: x"
    assert table.confidence("formula_undefined_variables", formula, 0.85, "rulebook") == (
        table.confidence("formula_undefined_variables", formula, 0.85, "brief")
    )


def test_a_document_that_defines_many_terms_is_a_rulebook() -> None:
    from docsense.extraction import extract_ir
    from docsense.review.checks.base import RULEBOOK_TERMS, CheckContext

    glossary = "".join(f'"Term {i}" means the thing number {i}.\n\n' for i in range(RULEBOOK_TERMS))
    rulebook = "# Rules\n\n## Definitions\n\n" + glossary
    brief = "# Note\n\nRebalance monthly.\n"
    assert CheckContext(rulebook, (), extract_ir(rulebook)).style == "rulebook"
    assert CheckContext(brief, (), extract_ir(brief)).style == "brief"
    labels = "# Note\n\n" + "".join(
        f"- **Label {i}**: value number {i}\n" for i in range(2 * RULEBOOK_TERMS)
    )
    assert len(extract_ir(labels).terms) >= RULEBOOK_TERMS  # list labels are glossary terms
    assert CheckContext(labels, (), extract_ir(labels)).style == "brief"  # not legal drafting


def test_an_audit_that_records_its_documents_style_needs_no_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import calibrate

    audit = {"findings": [{"document": "github:owner/repo@0123:missing.md",
                           "check": "vague_qualifiers", "title": "'sufficient x' is not quantified",
                           "verdict": "partly", "style": "rulebook"}]}
    (tmp_path / "a.json").write_text(json.dumps(audit), encoding="utf-8")
    monkeypatch.setattr(calibrate, "AUDITS", tmp_path)
    assert list(calibrate._audited(None, None)) == [
        ("vague_qualifiers", "'…' is not quantified", "rulebook", 0.5, 0.5)
    ]
