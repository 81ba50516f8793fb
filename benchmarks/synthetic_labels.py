"""Check a folder of synthetic documents and their label files against the writers' brief.

``tests/data/synthetic/BRIEF.md`` tells a writer what to produce: four DOCX documents, each
with a JSON label file in the seed corpus's format. This script checks a folder mechanically
against those rules, so that a set is not copied into ``tests/data/synthetic`` with a quote
that is not in its document, a category the scorer does not know, or a "clean" document that
is not clean. It reads the documents with python-docx only (no docsense code), so a writer
can run it without running the review::

    python benchmarks/synthetic_labels.py tests/data/synthetic/development3

It prints one line per problem and exits 1 when there are any, 0 when there are none.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx

CATEGORIES = frozenset(
    {
        "undefined_parameter",
        "ambiguous_methodology",
        "incomplete_formula",
        "market_calendar",
        "data_source_unspecified",
        "external_dependency",
        "missing_reference",
        "missing_governance",
        "inconsistent_content",
        "compliance_gap",
    }
)
SEVERITIES = frozenset({"critical", "high", "medium", "low"})
COMPLEXITIES = frozenset({"low", "medium", "high"})
REQUIRED = ("severity", "category", "title", "description", "location", "original_text")
_STEM = re.compile(r"^doc_\d{2,3}_[a-z0-9_]+$")
# A contradiction quotes both sides: "Section 1: '<verbatim>' vs Section 3: '<verbatim>'".
_SIDE = re.compile(r"'(.+?)'(?=\s+vs\b|\s*$)")
_CLEAN_WORDS = (200, 500)
_FLAWED_WORDS = (50, 250)
_FLAWED_CATEGORIES = 7


def _paragraphs(path: Path) -> list[str]:
    """Every paragraph of the document, body and table cells, in order."""
    document = docx.Document(str(path))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


def _quotes(original_text: str) -> list[str]:
    """The verbatim quotes of a label: both sides of a contradiction, else the whole text."""
    if " vs " in original_text and "'" in original_text:
        sides = _SIDE.findall(original_text)
        if len(sides) >= 2:
            return sides
    return [original_text]


def _load(json_path: Path) -> dict[str, Any] | json.JSONDecodeError:
    """The label file's content, or the error that kept it from being read as JSON."""
    try:
        label: dict[str, Any] = json.loads(json_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        return error
    return label


def _check_document(
    json_path: Path, label: dict[str, Any] | json.JSONDecodeError
) -> Iterator[str]:
    """Problems of one label file (``label``, as :func:`_load` read it) and its document."""
    stem = json_path.stem
    where = json_path.name
    if not _STEM.match(stem):
        yield f"{where}: name is not doc_<helper><k>_<slug> (two or three digits)"
    docx_path = json_path.with_suffix(".docx")
    if not docx_path.exists():
        yield f"{where}: no {docx_path.name} beside it"
        return
    if isinstance(label, json.JSONDecodeError):
        yield f"{where}: not JSON ({label})"
        return
    paragraphs = _paragraphs(docx_path)
    if label.get("document_id") != stem:
        yield f"{where}: document_id {label.get('document_id')!r} is not {stem!r}"
    if not paragraphs or label.get("title") != paragraphs[0]:
        yield f"{where}: title is not the document's first paragraph"
    if label.get("complexity") not in COMPLEXITIES:
        yield f"{where}: complexity {label.get('complexity')!r} not one of {sorted(COMPLEXITIES)}"
    issues = label.get("issues")
    if not isinstance(issues, list):
        yield f"{where}: issues is not a list"
        return
    if label.get("issue_count") != len(issues):
        yield f"{where}: issue_count {label.get('issue_count')} but {len(issues)} issues"
    clean = label.get("clean")
    if not isinstance(clean, bool):
        yield f"{where}: clean must be true or false"
    words = len(" ".join(paragraphs[1:]).split())
    low, high = _CLEAN_WORDS if clean else _FLAWED_WORDS
    if not low <= words <= high:
        yield f"{where}: {words} words, the brief asks {low}-{high}"
    if clean and (len(issues) > 2 or any(i.get("severity") != "low" for i in issues)):
        yield f"{where}: a clean document has at most two low-severity issues"
    for number, issue in enumerate(issues, 1):
        yield from (f"{where} issue {number}: {p}" for p in _check_issue(issue, paragraphs))


def _check_issue(issue: dict[str, Any], paragraphs: list[str]) -> Iterator[str]:
    """Problems of one label: fields, vocabulary, and each quote verbatim in one paragraph."""
    for field in REQUIRED:
        if field not in issue:
            yield f"missing {field}"
    if issue.get("category") not in CATEGORIES:
        yield f"category {issue.get('category')!r} is not one of the ten"
    if issue.get("severity") not in SEVERITIES:
        yield f"severity {issue.get('severity')!r} is not one of {sorted(SEVERITIES)}"
    confidence = issue.get("confidence", 0.5)
    if not isinstance(confidence, int | float) or not 0.5 <= confidence <= 1.0:
        yield f"confidence {confidence!r} is not between 0.5 and 1.0"
    text = issue.get("original_text", "")
    if not isinstance(text, str):
        yield "original_text is not a string"
        return
    if not text:
        if issue.get("location") != "Throughout":
            yield 'an empty original_text needs "location": "Throughout"'
        return
    for quote in _quotes(text):
        if not any(quote in paragraph for paragraph in paragraphs):
            yield f"not verbatim in one paragraph: {quote!r}"
        elif not 2 <= len(quote.split()) <= 25:
            yield f"quote of {len(quote.split())} words, the brief asks 2-25: {quote!r}"


def check_folder(folder: Path) -> list[str]:
    """Every problem of the folder's label files, documents and category coverage."""
    labels = sorted(folder.glob("*.json"))
    loaded = [(json_path, _load(json_path)) for json_path in labels]
    problems = [p for json_path, label in loaded for p in _check_document(json_path, label)]
    flawed_categories: set[str] = set()
    for _, label in loaded:
        if isinstance(label, json.JSONDecodeError):
            continue
        if label.get("clean") is False:
            flawed_categories.update(i.get("category") for i in label.get("issues", []))
    if labels and len(flawed_categories & CATEGORIES) < _FLAWED_CATEGORIES:
        problems.append(
            f"{folder}: the flawed documents cover {len(flawed_categories & CATEGORIES)} "
            f"categories, the brief asks at least {_FLAWED_CATEGORIES}"
        )
    if not labels:
        problems.append(f"{folder}: no label files")
    return problems


def main(argv: list[str]) -> int:
    """Check each folder given; print the problems; 1 when there are any."""
    if not argv:
        print(__doc__)
        return 2
    problems = [p for folder in argv for p in check_folder(Path(folder))]
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
