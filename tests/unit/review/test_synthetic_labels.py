"""The mechanical label check every synthetic set passes before it is copied into tests/data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from benchmarks.synthetic_labels import check_folder

SYNTHETIC = Path(__file__).parents[2] / "data" / "synthetic"
DEVELOPMENT_SETS = sorted(p for p in SYNTHETIC.glob("development*") if p.is_dir())


@pytest.mark.parametrize("folder", DEVELOPMENT_SETS, ids=lambda p: p.name)
def test_every_development_set_passes_the_check(folder: Path) -> None:
    assert check_folder(folder) == []


def _broken_copy(tmp_path: Path, change: dict[str, object], issue: int = 0) -> Path:
    """A copy of the first development set with one label of one document changed."""
    folder = tmp_path / "set"
    shutil.copytree(DEVELOPMENT_SETS[0], folder)
    label_path = next(p for p in sorted(folder.glob("*.json"))
                      if not json.loads(p.read_text())["clean"])
    label = json.loads(label_path.read_text())
    label["issues"][issue].update(change)
    label_path.write_text(json.dumps(label))
    return folder


def test_a_quote_that_is_not_in_the_document_is_reported(tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path, {"original_text": "words the writer never wrote here"})
    assert any("not verbatim" in p for p in check_folder(folder))


def test_an_unknown_category_and_severity_are_reported(tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path, {"category": "vague_wording", "severity": "severe"})
    problems = check_folder(folder)
    assert any("category 'vague_wording'" in p for p in problems)
    assert any("severity 'severe'" in p for p in problems)


def test_a_clean_document_with_a_serious_issue_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    shutil.copytree(DEVELOPMENT_SETS[0], folder)
    label_path = next(p for p in sorted(folder.glob("*.json"))
                      if json.loads(p.read_text())["clean"])
    label = json.loads(label_path.read_text())
    label["issues"] = [{"severity": "high", "category": "undefined_parameter", "title": "t",
                        "description": "d", "location": "Throughout", "original_text": ""}]
    label["issue_count"] = 1
    label_path.write_text(json.dumps(label))
    assert any("at most two low-severity" in p for p in check_folder(folder))
