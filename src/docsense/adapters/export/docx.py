"""Markdown to DOCX with python-docx: headings, paragraphs, lists, tables, code and emphasis.

The Markdown docsense produces is simple (ATX headings, paragraphs, ``-``/``1.`` lists, pipe
tables, fenced code, ``$...$`` maths kept as text), so a line-based reader is enough; inline
``**bold**``, ``*italic*`` and ``code`` become runs with that formatting.
"""

from __future__ import annotations

import io
import re

import docx
from docx.document import Document as DocxDocument
from docx.text.paragraph import Paragraph

__all__ = ["markdown_to_docx"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^(\s*)\d+[.)]\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_INLINE = re.compile(r"(\*\*[^*]+\*\*|__[^_]+__|\*[^*\s][^*]*\*|`[^`]+`)")


def markdown_to_docx(markdown: str, title: str | None = None) -> bytes:
    """Return a DOCX file (bytes) with the content of ``markdown``."""
    document = docx.Document()
    if title:
        document.core_properties.title = title
    lines = markdown.splitlines()
    i = 0
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            _add_inline(document.add_paragraph(), " ".join(s.strip() for s in paragraph))
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("```"):
            flush()
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            run = document.add_paragraph().add_run("\n".join(code))
            run.font.name = "Courier New"
        elif m := _HEADING.match(line):
            flush()
            document.add_heading(m.group(2), level=min(len(m.group(1)), 6))
        elif _starts_table(lines, i):
            flush()
            rows = [_cells(line)]
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            _add_table(document, rows)
            continue
        elif m := _BULLET.match(line):
            flush()
            _add_inline(document.add_paragraph(style="List Bullet"), m.group(2))
        elif m := _NUMBERED.match(line):
            flush()
            _add_inline(document.add_paragraph(style="List Number"), m.group(2))
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
        i += 1
    flush()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _starts_table(lines: list[str], i: int) -> bool:
    return (
        lines[i].strip().startswith("|")
        and i + 1 < len(lines)
        and _TABLE_RULE.match(lines[i + 1]) is not None
    )


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _add_table(document: DocxDocument, rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c in range(width):
            cell = table.cell(r, c)
            _add_inline(cell.paragraphs[0], row[c] if c < len(row) else "", bold=r == 0)


def _add_inline(paragraph: Paragraph, text: str, *, bold: bool = False) -> None:
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith(("**", "__")) and len(part) > 4:
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            paragraph.add_run(part[1:-1]).italic = True
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            paragraph.add_run(part[1:-1]).font.name = "Courier New"
        else:
            paragraph.add_run(part).bold = bold or None
