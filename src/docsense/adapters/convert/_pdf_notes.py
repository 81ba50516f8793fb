"""PDF footnotes: moved out of the body into Markdown footnote definitions.

A footnote is small text at the bottom of a page that starts with its marker: a raised
number (``^{1}`` once scripts are rendered), or a number, asterisk or dagger followed by
the text. The run of lines set smaller than the body (at most 88% of the body size) that
ends a page, lies below every body line and starts with a marker is that page's footnote
area; each marker line opens a note and the lines after it continue it.

The notes leave the page flow; in the body, the raised marker after a word (``rate^{1}``)
becomes ``[^1]``, and the notes are written as ``[^1]: text`` definitions at the end of
the document, the form the DOCX converter uses. Numbering often restarts on every page, so
a label already used on an earlier page gets the page number appended (``[^1-p7]``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from docsense.adapters.convert._pdf_layout import Line

__all__ = ["Footnote", "FootnoteLabels", "mark_references", "split_footnotes"]

_MARKER = re.compile(
    r"^(?:\^\{(?P<raised>\d{1,3}|[*\u2020\u2021\u00a7]{1,3})\}\s*"
    r"|(?P<plain>\d{1,3}|[*\u2020\u2021\u00a7]{1,3})[.)]?\s+)(?P<text>\S.*)$"
)
_SMALL = 0.88


@attrs.frozen
class Footnote:
    """A footnote of a page: its printed label and its text."""

    label: str
    text: str
    page: int


def split_footnotes(lines: Sequence[Line], body: float) -> tuple[list[Line], list[Footnote]]:
    """Return the page's lines without its footnote area, and the footnotes it held."""
    if not lines or body <= 0:
        return list(lines), []
    start = len(lines)
    while start > 0 and _small(lines[start - 1], body):
        start -= 1
    zone, rest = lines[start:], lines[:start]
    if not zone or not rest:
        return list(lines), []
    # A page whose text above the small print is all table measures from the table.
    above = [line for line in rest if not line.table] or list(rest)
    lowest = min(line.last_baseline for line in above)
    if any(line.first_baseline >= lowest for line in zone):
        return list(lines), []
    notes: list[tuple[str, list[str]]] = []
    for line in zone:
        match = _MARKER.match(line.text)
        if match:
            notes.append((match.group("raised") or match.group("plain"), [match.group("text")]))
        elif notes:
            notes[-1][1].append(line.text)
        else:
            return list(lines), []
    page = zone[0].page
    return list(rest), [Footnote(label, " ".join(parts), page) for label, parts in notes]


def _small(line: Line, body: float) -> bool:
    return not line.table and 0 < line.size <= _SMALL * body


class FootnoteLabels:
    """Unique Markdown labels for footnotes whose printed numbers restart on each page."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def label(self, note: Footnote) -> str:
        """Return the label to write for ``note`` (its printed label when still free)."""
        label = note.label if note.label.isdigit() else f"n{len(self._used) + 1}"
        if label in self._used:
            label = f"{label}-p{note.page}"
        self._used.add(label)
        return label


def mark_references(text: str, printed: str, label: str) -> str:
    """Replace the raised marker ``^{printed}`` after a word or punctuation by ``[^label]``."""
    pattern = re.compile(r"(?<=[\w.,;:)\]\"'\u201d\u2019%])\^\{" + re.escape(printed) + r"\}")
    return pattern.sub(f"[^{label}]", text)
