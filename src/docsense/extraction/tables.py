"""Tables: Markdown pipe tables in place, with header, rows and caption.

The caption is the line just above the table (or just below it) when it reads like one:
``Table 2: Weights``, ``Exhibit A - Fees``, ``Table - Immediate Components``, ``Weight
Mapping Table``, or a bold line.
"""

from __future__ import annotations

import re

from docsense.domain.ir import Table
from docsense.extraction._text import BlockKind, Doc

__all__ = ["CAPTION", "extract_tables", "split_row"]

CAPTION = re.compile(
    r"^\s*(?:\*\*)?(?:Table|Exhibit|Schedule)(?:\s+[\w.-]{1,8}\b|\s*[:.\u2013\u2014-])[^\n]{0,160}$"
    r"|^\s*(?:\*\*)?(?:[A-Z][\w&-]*\s+){1,6}Table\s*(?:\*\*)?\s*$",
    re.IGNORECASE,
)
_BOLD_LINE = re.compile(r"^\s*\*\*[^*\n]{2,160}\*\*\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def split_row(line: str) -> tuple[str, ...]:
    """Split a pipe-table row into stripped cells (escaped pipes stay in the cell)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return tuple(cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(body))


def _caption(doc: Doc, index: int) -> str | None:
    for neighbour in (index - 1, index + 1):
        if 0 <= neighbour < len(doc.blocks):
            block = doc.blocks[neighbour]
            if block.kind is not BlockKind.PARAGRAPH:
                continue
            lines = block.text.strip().split("\n")
            line = lines[-1] if neighbour < index else lines[0]
            if CAPTION.match(line) or (neighbour < index and _BOLD_LINE.match(line)):
                return line.strip().strip("*").strip()
    return None


def extract_tables(doc: Doc) -> tuple[Table, ...]:
    """Return the pipe tables of ``doc`` in document order, ids ``table-1``, ``table-2``..."""
    tables: list[Table] = []
    for index, block in enumerate(doc.blocks):
        if block.kind is not BlockKind.TABLE:
            continue
        lines = block.text.split("\n")
        header = split_row(lines[0])
        rows = tuple(split_row(line) for line in lines[2:] if line.strip())
        tables.append(
            Table(
                id=f"table-{len(tables) + 1}",
                location=doc.location(block.start, block.end),
                header=header,
                rows=rows,
                caption=_caption(doc, index),
            )
        )
    return tuple(tables)
