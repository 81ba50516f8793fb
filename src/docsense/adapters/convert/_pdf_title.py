"""The title of a PDF: real metadata, else the most prominent text near the top of page one.

PDF metadata titles are often junk (``Microsoft Word - rules_v3.docx``, a file name, an
empty string), and the first line of a document is often a banner (``DISCLAIMER``,
``CONFIDENTIAL``). The title is therefore:

1. the metadata ``Title`` when it is a real title (:func:`real_title`);
2. else, on the first pages in turn, the largest text set above the body size (its wrapped
   lines joined), or failing that the topmost short bold or capital line set apart from
   its neighbours by a gap or a change of style; banners, dates, version stamps, numbered
   headings and page numbers are skipped. A page that is all banner and boilerplate gives
   no title, and the next page is tried (a disclaimer page before the cover).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docsense.adapters.convert._pdf_layout import (
    NUMBERED,
    PART,
    Line,
    caps_candidate,
    is_metadata_line,
    is_page_number,
    is_toc_line,
    paragraph_breaks,
)
from docsense.adapters.convert._pdf_tables import CAPTION

__all__ = ["real_title", "title_from_pages"]

_JUNK = re.compile(
    r"^(?:microsoft\s+(?:word|powerpoint|excel)\b.*|untitled\b.*|word\s+document|document\s*\d*"
    r"|slide\s*\d+|title|no\s+title|pdf|unknown|none|null|\W*)$",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|pptx?|xlsx?|rtf|odt|tex|dvi|txt|md|html?|indd)\s*$", re.I)
_BANNERS = frozenset(
    {
        "disclaimer", "disclaimers", "important notice", "important information", "notice",
        "important", "confidential", "strictly confidential", "draft", "table of contents",
        "contents", "legal notice", "disclosure", "disclosures", "warning",
        "for internal use only", "internal use only", "privileged and confidential",
        "not for distribution",
    }
)  # fmt: skip
_LEADING_MARKS = re.compile(r"^[^\w\"'(\u201c\u2018]+")  # bullets and arrows before a title
_MAX_WORDS = 16
_LARGER = 1.12
_PAGES = 3
_TOP_LINES = 6  # a title without a larger font stands among the first lines


def real_title(title: str | None) -> str | None:
    """Return the metadata title when it is a real one, else None."""
    if not title:
        return None
    clean = " ".join(title.split())
    if _JUNK.match(clean) or _FILE_NAME.search(clean) or _is_banner(clean):
        return None
    if sum(ch.isalpha() for ch in clean) < 3:
        return None
    return clean


def _is_banner(text: str) -> bool:
    key = re.sub(r"[^a-z ]+", " ", text.lower())
    return " ".join(key.split()) in _BANNERS


def _candidate(line: Line) -> bool:
    text = line.text
    return (
        line.words <= _MAX_WORDS
        and sum(ch.isalpha() for ch in text) >= 3
        and not text.endswith((".", ",", ";", ":"))
        and not _is_banner(text)
        and not is_metadata_line(text)
        and not is_page_number(text)
        and not is_toc_line(text)
        and not CAPTION.match(text)
        and NUMBERED.match(text) is None
        and not (PART.match(text) and not caps_candidate(text))
    )


def title_from_pages(pages: Sequence[Sequence[Line]], body: float) -> str | None:
    """Return the most prominent title-like text of the first pages, or None."""
    for lines in pages[:_PAGES]:
        lines = [ln for ln in lines if not ln.table and not is_page_number(ln.text)]
        if not lines:
            continue
        breaks = paragraph_breaks(lines)
        title = _largest(lines, breaks, body) or _standalone(lines, breaks)
        if title:
            return _LEADING_MARKS.sub("", title)
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
