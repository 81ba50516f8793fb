"""Format independence of the converters: Markdown -> DOCX / PDF -> Markdown keeps the content.

Every seed document is converted to Markdown, exported to DOCX and to PDF by docsense's own
exporters, and converted back. The title, the section tree (headings and levels) and the
text of every section (Markdown markup and whitespace normalised) must come back the same:
the structure the review relies on does not depend on the format the document came in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from docsense.adapters.convert import ConvertedDocument, convert_document
from docsense.adapters.export import markdown_to_docx, markdown_to_pdf
from docsense.adapters.export._pdf_writer import unsupported

from .conftest import CORPUS

SEED_DOCX = sorted((CORPUS / "seed-docs").glob("*.docx")) if CORPUS.is_dir() else []
SEED_MARKDOWN = sorted((CORPUS / "seed-markdown").glob("*.md")) if CORPUS.is_dir() else []
EXPORTERS: dict[str, Callable[[str, str | None], bytes]] = {
    "docx": markdown_to_docx,
    "pdf": markdown_to_pdf,
}
_LIST_MARKER = re.compile(r"^\s*(?:[-*+\u2022]|\d+\\?[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")


def normalised(markdown: str) -> str:
    """The words of a Markdown fragment: list markers, escapes, emphasis and pipes dropped."""
    lines = []
    for line in markdown.splitlines():
        if _TABLE_RULE.match(line):
            continue
        line = _LIST_MARKER.sub("", line)
        for mark in ("\\", "**", "__", "`"):
            line = line.replace(mark, "")
        lines.append(line.replace("|", " "))
    return " ".join(" ".join(lines).split())


def outline(doc: ConvertedDocument) -> list[tuple[str, int, str]]:
    """(heading, level, normalised text up to the next heading) for every section."""
    starts = [s.start for s in doc.sections] + [len(doc.markdown)]
    out = [("", 0, normalised(doc.markdown[: starts[0]]))]
    for k, section in enumerate(doc.sections):
        text = doc.markdown[section.start : starts[k + 1]].split("\n", 1)
        out.append((section.heading, section.level, normalised(text[1] if len(text) > 1 else "")))
    return out


def round_trip(path: Path, fmt: str) -> tuple[ConvertedDocument, ConvertedDocument]:
    original = convert_document(path.read_bytes(), path.name)
    exported = EXPORTERS[fmt](original.markdown, original.title)
    return original, convert_document(exported, f"{path.stem}.{fmt}")


def test_the_seed_corpus_is_there(corpus: Path) -> None:
    assert len(SEED_DOCX) == 20
    assert SEED_MARKDOWN


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
@pytest.mark.parametrize("path", SEED_DOCX, ids=lambda p: p.stem)
def test_a_seed_document_keeps_title_sections_and_text_through_docx_and_pdf(
    path: Path, fmt: str
) -> None:
    original, back = round_trip(path, fmt)
    assert back.title == original.title
    assert outline(back) == outline(original)


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
@pytest.mark.parametrize("path", SEED_MARKDOWN, ids=lambda p: p.stem)
def test_a_markdown_seed_keeps_its_sections_and_text(path: Path, fmt: str) -> None:
    original, back = round_trip(path, fmt)
    expected = outline(original)
    if fmt == "pdf":  # the standard PDF fonts have no glyph for a few symbols (such as a tick)
        expected = [
            (h, level, "".join("?" if unsupported(c) else c for c in text))
            for h, level, text in expected
        ]
    assert outline(back) == expected


def test_tables_formulas_scripts_and_footnotes_survive_the_pdf_round_trip() -> None:
    markdown = (
        "# Momentum Rules\n\n"
        "## 1. Weights\n\n"
        "The weight of asset i is w_{i} = x^{2} / \u2211 x_{j}^{2}, reviewed monthly[^1].\n\n"
        "Table 1: Caps\n\n"
        "| Asset | Cap | Floor |\n|---|---|---|\n| Equities | 60% | 20% |\n"
        "| Bonds | 50% | 10% |\n\n"
        "- first bullet\n- second bullet\n\n"
        "## 2. Risks\n\n"
        "Liquidity may fall\u2212sharply in a crisis.\n\n"
        "[^1]: On the last business day of the month.\n"
    )
    back = convert_document(markdown_to_pdf(markdown, "Momentum Rules"), "m.pdf")
    assert [s.heading for s in back.sections] == ["Momentum Rules", "1. Weights", "2. Risks"]
    assert "w_{i} = x^{2} / \u2211 x_{j}^{2}, reviewed monthly[^1]." in back.markdown
    assert "Table 1: Caps\n\n| Asset | Cap | Floor |" in back.markdown
    assert "| Bonds | 50% | 10% |" in back.markdown
    assert "- first bullet\n\n- second bullet" in back.markdown
    assert "fall-sharply" in back.markdown
    assert back.markdown.rstrip().endswith("[^1]: On the last business day of the month.")
