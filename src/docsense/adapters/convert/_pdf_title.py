"""The title of a PDF: real metadata, else the most prominent text near the top of page one.

PDF metadata titles are often junk (``Microsoft Word - rules_v3.docx``, a file name, an
empty string), and the first line of a document is often a banner (``DISCLAIMER``,
``CONFIDENTIAL``). The title is therefore:

1. the metadata ``Title`` when it is a real title (:func:`._titles.real_title`);
2. else, on the first pages in turn, the largest text set above the body size (its wrapped
   lines joined), or failing that the topmost short bold or capital line set apart from
   its neighbours by a gap or a change of style; banners, dates, version stamps, numbered
   headings and page numbers are skipped. A page that is all banner and boilerplate gives
   no title, and the next page is tried (a disclaimer page before the cover).
"""

from __future__ import annotations

from collections.abc import Sequence

from docsense.adapters.convert._pdf_layout import (
    Line,
    caps_candidate,
    is_page_number,
    paragraph_breaks,
)
from docsense.adapters.convert._titles import strip_leading_marks, title_candidate

__all__ = ["title_from_pages"]

_MAX_WORDS = 16
_LARGER = 1.12
_PAGES = 3
_TOP_LINES = 6  # a title without a larger font stands among the first lines


def _candidate(line: Line) -> bool:
    return title_candidate(line.text)


def title_from_pages(pages: Sequence[Sequence[Line]], body: float) -> str | None:
    """Return the most prominent title-like text of the first pages, or None."""
    for lines in pages[:_PAGES]:
        lines = [ln for ln in lines if not ln.table and not is_page_number(ln.text)]
        if not lines:
            continue
        breaks = paragraph_breaks(lines)
        title = _largest(lines, breaks, body) or _standalone(lines, breaks)
        if title:
            return strip_leading_marks(title)
    return None


def _largest(lines: Sequence[Line], breaks: set[int], body: float) -> str | None:
    sizes = [ln.size for ln in lines if _candidate(ln)]
    if not sizes or body <= 0 or max(sizes) < _LARGER * body:
        return None
    top = max(sizes)
    start = min(
        (i for i, ln in enumerate(lines) if _candidate(ln) and ln.size >= top - 0.5),
        key=lambda i: -lines[i].top,
    )
    parts = [lines[start].text]
    j = start + 1
    while (
        j < len(lines)
        and len(parts) < 3
        and j not in breaks
        and abs(lines[j].size - top) < 0.5
        and _candidate(lines[j])
    ):
        parts.append(lines[j].text)
        j += 1
    return " ".join(parts)


def _standalone(lines: Sequence[Line], breaks: set[int]) -> str | None:
    for i, line in enumerate(lines[:_TOP_LINES]):
        emphatic = (line.bold and line.bold_end) or caps_candidate(line.text)
        if emphatic and _candidate(line) and _stands_out(lines, i, breaks):
            return line.text
    return None


def _style(line: Line) -> tuple[bool, bool, int]:
    return (line.bold, caps_candidate(line.text), round(line.size))


def _stands_out(lines: Sequence[Line], i: int, breaks: set[int]) -> bool:
    """Tell whether a gap or a change of style sets the line apart from its neighbours."""
    style = _style(lines[i])
    before = i == 0 or i in breaks or _style(lines[i - 1]) != style
    after = i + 1 >= len(lines) or i + 1 in breaks or _style(lines[i + 1]) != style
    return before and after
