"""Markdown to DOCX with python-docx: headings, paragraphs, lists, tables, code and emphasis.

Blocks and inline runs come from :mod:`._markdown` (the same reader the PDF exporter
uses): ``**bold**``, ``*italic*`` and ``code`` become runs with that formatting,
``_{...}`` / ``^{...}`` become subscript / superscript runs, display maths and footnote
definitions stay as text paragraphs.
"""

from __future__ import annotations

import io

import docx
from docx.document import Document as DocxDocument
from docx.text.paragraph import Paragraph as DocxParagraph

from docsense.adapters.export._markdown import (
    Code,
    Formula,
    Heading,
    ListItem,
    Note,
    Paragraph,
    Table,
    read_blocks,
    read_runs,
)

__all__ = ["markdown_to_docx"]

_LIST_STYLES = {False: "List Bullet", True: "List Number"}


def markdown_to_docx(markdown: str, title: str | None = None) -> bytes:
    """Return a DOCX file (bytes) with the content of ``markdown``."""
    document = docx.Document()
    if title:
        document.core_properties.title = title
    for block in read_blocks(markdown):
        if isinstance(block, Heading):
            heading = document.add_heading(level=min(block.level, 6))
            _add_inline(heading, block.text)
        elif isinstance(block, Paragraph):
            _add_inline(document.add_paragraph(), block.text)
        elif isinstance(block, ListItem):
            style = _LIST_STYLES[block.ordered]
            if block.depth:
                style = f"{style} {min(block.depth + 1, 3)}"
            _add_inline(document.add_paragraph(style=style), block.text)
        elif isinstance(block, Table):
            _add_table(document, block.rows)
        elif isinstance(block, Code):
            document.add_paragraph().add_run(block.text).font.name = "Courier New"
        elif isinstance(block, Formula):
            document.add_paragraph().add_run(f"$${block.text}$$")
        elif isinstance(block, Note):
            _add_inline(document.add_paragraph(), f"[^{block.label}]: {block.text}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_table(document: DocxDocument, rows: tuple[tuple[str, ...], ...]) -> None:
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c in range(width):
            cell = table.cell(r, c)
            _add_inline(cell.paragraphs[0], row[c] if c < len(row) else "", bold=r == 0)


def _add_inline(paragraph: DocxParagraph, text: str, *, bold: bool = False) -> None:
    for run in read_runs(text):
        content = f"[^{run.note}]" if run.note is not None else run.text
        out = paragraph.add_run(content)
        if run.bold or bold:
            out.bold = True
        if run.italic:
            out.italic = True
        if run.code:
            out.font.name = "Courier New"
        if run.script == "sub":
            out.font.subscript = True
        elif run.script == "sup":
            out.font.superscript = True
