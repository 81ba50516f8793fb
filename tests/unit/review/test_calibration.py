"""Calibrated confidence: measured precision per check family, shrunk towards the prior."""

from __future__ import annotations

import asyncio

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
    table = Calibration({("vague_frequency", "Frequency not specified"): Measured(10, 2)})
    got = table.confidence("vague_frequency", "Frequency not specified: 'periodically'", 0.85)
    assert got == round((2 + SHRINKAGE * 0.85) / (10 + SHRINKAGE), 3)
    assert got < 0.85
    # A family never measured keeps its prior.
    assert table.confidence("vague_frequency", "Schedule has no date rule", 0.7) == 0.7


def test_the_shipped_table_records_its_material_and_command() -> None:
    shipped = load_calibration()
    assert shipped.source["command"] == "python benchmarks/calibrate.py"
    assert shipped.for_check("vague_thresholds") is not None


def test_the_rules_reviewer_reports_calibrated_confidence() -> None:
    pack = load_pack("self-containment")
    request = ReviewRequest(document_id="d", markdown="Rebalance periodically.\n", sections=(),
                            ir=SemanticIR(), policies=pack.policies)
    never_right = Calibration({("vague_frequency", "Frequency not specified"): Measured(50, 0)})
    result = asyncio.run(RulesReviewer(calibration=never_right).review(request))
    (finding,) = [f for f in result.findings if f.title.startswith("Frequency")]
    assert finding.confidence is not None
    assert finding.confidence < 0.1
