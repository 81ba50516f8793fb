"""examples/notebook.ipynb runs in a real kernel (nbclient + ipykernel) in under 60 s, its
outputs say what the notebook promises, and docs/examples/notebook.md is its rendering."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "docsense_render_notebook", ROOT / "examples" / "render_notebook.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def executed() -> tuple[Any, float, ModuleType]:
    render = _renderer()
    started = time.monotonic()
    nb = render.execute(timeout=60)
    return nb, time.monotonic() - started, render


def _outputs(nb: Any, index: int) -> dict[str, str]:
    """The text of every output of code cell ``index`` (0-based among code cells), by type."""
    cell = [c for c in nb.cells if c.cell_type == "code"][index]
    found: dict[str, str] = {}
    for output in cell.outputs:
        assert output.output_type != "error", f"{output.ename}: {output.evalue}"
        if output.output_type == "stream":
            found["stream"] = found.get("stream", "") + output.text
        else:
            for kind, text in output.get("data", {}).items():
                found[kind] = text
    return found


def test_the_notebook_runs_in_a_kernel_in_under_a_minute(executed: Any) -> None:
    _, seconds, _ = executed
    assert seconds < 60


def test_the_notebook_outputs_show_the_loop_from_ingest_to_compare(executed: Any) -> None:
    nb, _, _ = executed
    doc = _outputs(nb, 0)
    assert doc["text/plain"].startswith("<DocumentView document-")
    assert "8 sections" in doc["text/plain"]
    assert "<details open><summary>8 sections</summary>" in doc["text/html"]
    review = _outputs(nb, 1)
    assert "\n" not in review["text/plain"]
    assert "score 63.2 / 100, 12 findings (2 critical, 5 high, 5 medium)" in review["text/plain"]
    for column in ("severity", "policy", "section", "quote"):
        assert f"<th>{column}</th>" in review["text/html"]
    table = _outputs(nb, 2)
    assert "<table" in table["text/html"]  # a pandas DataFrame
    assert table["text/plain"].split("\n")[1].split()[1] == "critical"
    # the data-source group has two places; accepting it leaves a question at each
    assert _outputs(nb, 3)["stream"] == (
        "1.1 ['vendor, dataset and field', 'vendor, dataset and field']\n"
    )
    comparison = _outputs(nb, 4)
    assert "1 resolved, 10 persisting, 0 new, 1 suppressed" in comparison["text/markdown"]
    assert "<details open><summary>suppressed (1)</summary>" in comparison["text/html"]
    assert "Appendix C ships as a separate file" in comparison["text/html"]
    statuses = _outputs(nb, 5)["text/plain"]
    assert statuses.count("persisting") == 10
    assert "suppressed" in statuses
    assert "resolved" in statuses
    history = _outputs(nb, 6)["text/plain"]
    assert "FindingsSuppressed" in history
    assert "analyst" in history


def test_the_docs_page_is_the_rendered_notebook(executed: Any) -> None:
    nb, _, render = executed
    page = ROOT / "docs" / "examples" / "notebook.md"
    assert page.read_text(encoding="utf-8") == render.render(nb), (
        "regenerate with: python examples/render_notebook.py"
    )
