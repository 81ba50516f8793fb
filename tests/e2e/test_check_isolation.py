"""Issue 17: a check that raises is recorded on the review; the other checks still run.

The failing check is a real IR check in a real pack, run by the real rules reviewer over a
real SQLite store; the CLI test installs it as a plugin (entry point) the way pip would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import docsense
from docsense.domain.review import CheckError, NotAssessedReason, PolicyStatus
from docsense.errors import CheckFailed, PolicyPackError, ReviewerError
from docsense.policies import load_pack
from docsense.review.checks.registry import default_registry

from ..conftest import InstallDistribution

TEXT = b"# Rules\n\nRebalance periodically. Stocks qualify below the threshold.\n"

PACK = """\
id: fragile
name: Fragile pack
version: "1.0"
policies:
  - id: FR-001
    title: A check that breaks
    level: MUST
    category: ambiguous_methodology
    severity: high
    checks: [{kind: ir, check: boom}]
  - id: FR-002
    title: Thresholds have values
    level: MUST
    category: undefined_parameter
    severity: high
    checks: [{kind: ir, check: vague_thresholds}]
"""


_CHECKS = """\
def boom(ctx, check):
    # Raises, as a buggy third-party check would.
    raise ZeroDivisionError("division by zero in boom")
"""


@pytest.fixture
def fragile(install_distribution: InstallDistribution) -> Iterator[Path]:
    """The check ``boom`` installed as a plugin; returns its site folder."""
    site = install_distribution(
        "fragile-checks",
        {"fragile_checks.py": _CHECKS},
        {"docsense.checks": {"boom": "fragile_checks:boom"}},
    )
    default_registry.cache_clear()  # a new process reads the entry points afresh
    yield site
    default_registry.cache_clear()


@pytest.fixture
def pack_file(tmp_path: Path) -> Path:
    path = tmp_path / "fragile.yaml"
    path.write_text(PACK, encoding="utf-8")
    return path


def test_a_raising_check_is_recorded_and_the_others_still_run(
    tmp_path: Path, fragile: Path, pack_file: Path
) -> None:
    store = f"sqlite:///{tmp_path / 'iso.db'}"
    with docsense.open(store) as ds:
        doc = ds.ingest(TEXT, filename="rules.md")
        review = ds.review(doc.id, packs=[str(pack_file)], reviewer="rules")
    assert review.status == "completed"
    [error] = review.check_errors
    assert error == CheckError(
        check_id="boom", policy_id="FR-001",
        message="ZeroDivisionError: division by zero in boom", source="rules",
    )
    # The other check ran: its finding is there and its policy is violated.
    assert any(f.policy_id == "FR-002" for f in review.findings)
    statuses = {p.policy_id: p for p in review.policies}
    assert statuses["FR-002"].status is PolicyStatus.VIOLATED
    assert statuses["FR-001"].status is PolicyStatus.NOT_ASSESSED
    assert statuses["FR-001"].reason is NotAssessedReason.FAILED
    assert "boom" in statuses["FR-001"].detail
    assert review.score is not None

    # Every report shows it.
    md = review.render("md")
    assert "## Check errors" in md
    assert "boom (FR-001): ZeroDivisionError: division by zero in boom" in md
    html = review.render("html")
    assert 'id="check-errors"' in html
    assert "division by zero in boom" in html
    report = json.loads(review.render("json"))
    assert report["check_errors"] == [{"check_id": "boom", "policy_id": "FR-001",
                                       "message": "ZeroDivisionError: division by zero in boom",
                                       "source": "rules"}]
    sarif = json.loads(review.render("sarif"))
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    [note] = [n for n in notes if n.get("descriptor", {}).get("id") == "boom"]
    assert note["level"] == "error"
    assert note["associatedRule"]["id"] == "FR-001"
    assert "division by zero in boom" in note["message"]["text"]

    # It is part of the stored review: read back from the events in a new session.
    with docsense.open(store) as ds:
        again = ds.get_review(review.id)
    assert again.check_errors == review.check_errors
    assert "## Check errors" in again.render("md")


def test_strict_fails_the_review_with_a_typed_error(fragile: Path, pack_file: Path) -> None:
    with docsense.open("memory://") as ds:
        doc = ds.ingest(TEXT, filename="rules.md")
        with pytest.raises(CheckFailed, match=r"boom \(policy FR-001\)") as info:
            ds.review(doc.id, packs=[str(pack_file)], strict=True)
        assert isinstance(info.value, ReviewerError)
        [error] = info.value.errors
        assert isinstance(error, CheckError)
        assert error.check_id == "boom"
        [summary] = ds.reviews(doc.id)
        assert summary.status == "failed"


def test_a_clean_review_has_no_check_errors() -> None:
    with docsense.open("memory://") as ds:
        doc = ds.ingest(TEXT, filename="rules.md")
        review = ds.review(doc.id, packs=["self-containment"])
    assert review.check_errors == ()
    assert "Check errors" not in review.render("md")
    assert json.loads(review.render("json"))["check_errors"] == []


def test_the_cli_records_by_default_and_fails_with_strict(
    tmp_path: Path, fragile: Path, pack_file: Path
) -> None:
    site = fragile
    doc = tmp_path / "rules.md"
    doc.write_bytes(TEXT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSENSE_")}
    env.update(PYTHONPATH=str(site), DOCSENSE_STORE_URL="memory://", COLUMNS="80")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "docsense.cli", "review", str(doc), "--pack", str(pack_file),
             "-f", "json", "-q", *args],
            env=env, cwd=tmp_path, text=True, capture_output=True, timeout=120,
        )

    lenient = cli()
    assert lenient.returncode == 0, lenient.stderr
    [error] = json.loads(lenient.stdout)["check_errors"]
    assert (error["check_id"], error["policy_id"]) == ("boom", "FR-001")
    assert "ZeroDivisionError" in error["message"]
    assert "warning: " in lenient.stderr
    assert "check error: boom" in lenient.stderr
    strict = cli("--strict")
    assert strict.returncode == 70, strict.stderr
    assert strict.stdout == ""
    assert "boom (policy FR-001): ZeroDivisionError" in strict.stderr


def test_without_the_plugin_the_pack_is_rejected_before_any_check_runs(
    pack_file: Path,
) -> None:
    # (guards the fixture: only the installed check makes the pack valid)
    default_registry.cache_clear()
    with pytest.raises(PolicyPackError, match="unknown IR check 'boom'"):
        load_pack(str(pack_file))
