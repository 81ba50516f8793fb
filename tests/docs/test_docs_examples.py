"""Every ```python block in README.md and docs/**/*.md runs, and so does the example notebook.

A file's blocks run in order in one fresh namespace (a later block may use names an earlier
one defined), with the working directory at a temporary directory holding a copy of
``examples/``, so a block can say ``ds.ingest("examples/strategy.md")`` exactly as a reader in
a checkout would. A failure names the file, the block number and its line.

Blocks that cannot run anywhere (an API key, a PostgreSQL server) are fenced as
```` ```python-skip ```` or preceded by a ``<!-- skip-test -->`` line; a skipped ``python``
block must still compile.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import traceback
from pathlib import Path
from typing import Any

import attrs
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SKIP_MARKER = "<!-- skip-test -->"
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")


@attrs.frozen
class Block:
    """One fenced code block: where it starts (1-based line of the fence) and its code."""

    path: Path
    number: int
    line: int
    info: str
    code: str
    skipped: bool


def extract_blocks(path: Path) -> list[Block]:
    """Return the fenced blocks of a Markdown file whose info string starts with python."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info, start = m.group("fence"), m.group("info").lower(), i
        body: list[str] = []
        i += 1
        while i < len(lines) and not (
            lines[i].strip().startswith(fence) and set(lines[i].strip()) <= set(fence[0])
        ):
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        if info not in ("python", "py", "python-skip"):
            continue
        previous = next((lines[j].strip() for j in range(start - 1, -1, -1)
                         if lines[j].strip()), "")
        blocks.append(
            Block(
                path=path,
                number=len(blocks) + 1,
                line=start + 1,
                info=info,
                code="\n".join(body) + "\n",
                skipped=info == "python-skip" or previous == SKIP_MARKER,
            )
        )
    return blocks


def doc_files() -> list[Path]:
    """README.md and every Markdown page of the Sphinx site with a python block."""
    pages = sorted(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)
    return [p for p in [ROOT / "README.md", *pages] if extract_blocks(p)]


def _label(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _close_clients(namespace: dict[str, Any]) -> None:
    """Close any sync client a page left open (its loop thread would outlive the test)."""
    import docsense

    for value in namespace.values():
        if isinstance(value, docsense.DocSense):
            value.close()


def run_blocks(blocks: list[Block], where: str) -> None:
    """Run ``blocks`` in order in one namespace; fail naming the block that raised."""
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    try:
        for block in blocks:
            label = f"{where}, block {block.number} (line {block.line})"
            try:
                code = compile(block.code, label, "exec")
            except SyntaxError as exc:
                pytest.fail(f"{label} does not compile: {exc}", pytrace=False)
            if block.skipped:
                continue
            try:
                exec(code, namespace)
            except Exception:
                pytest.fail(f"{label} raised:\n{traceback.format_exc()}", pytrace=False)
    finally:
        _close_clients(namespace)


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory with a copy of examples/ and no DOCSENSE_* settings."""
    shutil.copytree(EXAMPLES, tmp_path / "examples",
                    ignore=shutil.ignore_patterns("*.review.html", "__pycache__"))
    monkeypatch.chdir(tmp_path)
    for name in ("DOCSENSE_STORE_URL", "DOCSENSE_REVIEWER", "DOCSENSE_PACKS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.parametrize("path", doc_files(), ids=_label)
def test_python_blocks_run(path: Path, sandbox: Path) -> None:
    run_blocks(extract_blocks(path), _label(path))


def test_readme_tour_has_runnable_blocks() -> None:
    blocks = extract_blocks(ROOT / "README.md")
    assert sum(not b.skipped for b in blocks) >= 5


def test_every_docs_page_with_code_is_collected() -> None:
    labels = {_label(p) for p in doc_files()}
    assert {"README.md", "docs/quickstart.md", "docs/how-to/custom-pack.md"} <= labels


def test_extractor_honours_skip_markers(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```python\na = 1\n```\n\n<!-- skip-test -->\n\n```python\nb = 2\n```\n"
        "```python-skip\nc = 3\n```\n```bash\nls\n```\n````markdown\n```python\nx\n```\n````\n",
        encoding="utf-8",
    )
    blocks = extract_blocks(page)
    assert [(b.code, b.skipped, b.line) for b in blocks] == [
        ("a = 1\n", False, 1),
        ("b = 2\n", True, 7),
        ("c = 3\n", True, 10),
    ]


def test_a_failing_block_is_named(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nx = 1\n```\n\n```python\n1 / 0\n```\n", encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match=r"page\.md, block 2 \(line 5\)"):
        run_blocks(extract_blocks(page), "page.md")


# --- the notebook -----------------------------------------------------------------------------


def _notebook() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "notebook.ipynb").read_text(encoding="utf-8"))
    return data


def test_notebook_is_valid_nbformat_4() -> None:
    nb = _notebook()
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["language"] == "python"
    ids = [cell["id"] for cell in nb["cells"]]
    assert len(ids) == len(set(ids))
    for cell in nb["cells"]:
        assert cell["cell_type"] in ("markdown", "code")
        assert isinstance(cell["source"], list)
        if cell["cell_type"] == "code":
            assert cell["outputs"] == []  # shipped without outputs


def test_notebook_code_cells_run_inside_a_running_event_loop(
    sandbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Jupyter runs cells on a thread that has a running event loop, and a notebook's working
    # directory is its own folder.
    monkeypatch.chdir(sandbox / "examples")
    path = EXAMPLES / "notebook.ipynb"
    blocks = [
        Block(path=path, number=n, line=0, info="python", code="".join(cell["source"]) + "\n",
              skipped=False)
        for n, cell in enumerate(
            (c for c in _notebook()["cells"] if c["cell_type"] == "code"), start=1
        )
    ]

    async def in_a_loop() -> None:
        run_blocks(blocks, "examples/notebook.ipynb")

    asyncio.run(in_a_loop())


def test_readme_relative_links_point_at_files_that_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    missing = [t for t in targets if "://" not in t and not (ROOT / t).exists()]
    assert targets
    assert not missing
