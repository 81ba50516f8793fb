"""docs/concepts/rules-reviewer.md shows the shipped calibration, not an older one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docsense.review.checks.calibration import check_table, describe_checks

PAGE = Path(__file__).resolve().parents[2] / "docs" / "concepts" / "rules-reviewer.md"


def test_the_page_carries_the_current_check_table() -> None:
    assert check_table() in PAGE.read_text(encoding="utf-8"), (
        "regenerate the table: python -m benchmarks.calibrate --markdown"
    )


def test_every_built_in_check_says_what_it_looks_for() -> None:
    assert all(summary.looks_for for summary in describe_checks())


def test_the_page_carries_the_current_audit_table() -> None:
    root = PAGE.parents[2]
    table = subprocess.run(
        [sys.executable, "-m", "benchmarks.audit_summary", "--markdown"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert table.startswith("| check | audited groups |")
    assert table in PAGE.read_text(encoding="utf-8"), (
        "regenerate the table: python -m benchmarks.audit_summary --markdown"
    )
