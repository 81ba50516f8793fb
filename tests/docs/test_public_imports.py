"""Guides, docs pages and examples import only the public API (issue 17).

The public API is what the API reference documents: every module named by an
``automodule::`` (or owning an ``autoclass::``/``autofunction::``...) directive in
``docs/api*.md``. A code block of README.md or a docs page (``python`` and ``python-skip``
alike), an example script, a file of the example adapter package or a notebook cell that
imports any other docsense module (``docsense.application.*``, ``docsense.adapters.storage``,
``docsense.review.checks.base``...), a module with a leading underscore, or a name with a
leading underscore fails, naming the file, the line and the import.
"""

from __future__ import annotations

import ast
import json
import re

import pytest

from .test_docs_examples import ROOT, extract_blocks

API_PAGES = sorted((ROOT / "docs").glob("api*.md"))
_DIRECTIVE = re.compile(
    r"^\.\.\s+auto(?P<kind>module|class|function|data|exception|attribute)::\s+(?P<name>[\w.]+)",
    re.M,
)


def public_modules() -> frozenset[str]:
    """The modules the API reference documents."""
    found: set[str] = set()
    for page in API_PAGES:
        for m in _DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
            name = m.group("name")
            found.add(name if m.group("kind") == "module" else name.rpartition(".")[0])
    return frozenset(found)


PUBLIC = public_modules()


def private_imports(code: str, public: frozenset[str] = PUBLIC) -> list[tuple[int, str]]:
    """Return ``(line, why)`` for each import of a private docsense module or name in ``code``."""
    problems: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(code)):
        pairs: list[tuple[str, str | None]]
        if isinstance(node, ast.Import):
            pairs = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            pairs = [(node.module, alias.name) for alias in node.names]
        else:
            continue
        for module, name in pairs:
            if module != "docsense" and not module.startswith("docsense."):
                continue
            if any(part.startswith("_") for part in module.split(".")):
                problems.append((node.lineno, f"{module} is a private module"))
            elif module not in public and not (name and f"{module}.{name}" in public):
                problems.append((node.lineno, f"{module} is not in the API reference"))
            elif name and name.startswith("_"):
                problems.append((node.lineno, f"{module}.{name} is a private name"))
    return problems


def sources() -> list[tuple[str, str, int]]:
    """Every piece of user-facing code: ``(label, code, first line)``."""
    found: list[tuple[str, str, int]] = []
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for page in pages:
        if "_build" in page.parts:
            continue
        for block in extract_blocks(page):
            found.append((page.relative_to(ROOT).as_posix(), block.code, block.line + 1))
    for script in sorted((ROOT / "examples").rglob("*.py")):
        found.append((script.relative_to(ROOT).as_posix(), script.read_text("utf-8"), 1))
    for notebook in sorted((ROOT / "examples").rglob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for n, cell in enumerate(cells, 1):
            if cell["cell_type"] == "code":
                code = "".join(cell["source"])
                # IPython magics and shell escapes are not Python.
                code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                                 for line in code.splitlines())
                found.append((f"{notebook.relative_to(ROOT).as_posix()} cell {n}", code, 1))
    return found


def test_the_api_reference_documents_the_extension_modules() -> None:
    for module in ("docsense", "docsense.checks", "docsense.reviewers", "docsense.stores",
                   "docsense.testing", "docsense.errors", "docsense.logs", "docsense.cli"):
        assert module in PUBLIC, module


def test_user_facing_code_imports_only_public_names() -> None:
    problems = [
        f"{label}:{first + line - 1}: {why}"
        for label, code, first in sources()
        for line, why in private_imports(code)
    ]
    assert problems == []


def test_there_is_code_to_check() -> None:
    labels = {label for label, _, _ in sources()}
    assert "docs/how-to/custom-storage-adapter.md" in labels
    assert "examples/custom_adapter.py" in labels
    assert any(label.startswith("examples/adapter-package/") for label in labels)


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("from docsense.application.service import DocSenseService", "not in the API"),
        ("from docsense.adapters.storage.memory import MemoryStorage", "not in the API"),
        ("import docsense.review.checks.base", "not in the API"),
        ("from docsense._client import DocSense", "private module"),
        ("from docsense.checks import _private", "private name"),
        ("from docsense.cli.app import _EPILOG", "not in the API"),
    ],
)
def test_the_checker_catches_private_imports(code: str, why: str) -> None:
    [(line, message)] = private_imports(code)
    assert line == 1
    assert why in message


def test_the_checker_accepts_public_imports() -> None:
    code = (
        "import docsense\nfrom docsense.checks import CheckHit\n"
        "from docsense.stores import MemoryStorage\nfrom docsense.testing import StorageContract\n"
        "import json\nfrom pathlib import Path\n"
    )
    assert private_imports(code) == []
