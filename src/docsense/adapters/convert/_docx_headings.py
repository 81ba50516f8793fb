"""DOCX headings: styles first, then the habits of documents written without them.

A paragraph styled ``Heading N`` or ``Title`` (or with an outline level) is a heading
unless its text is body text: more than 20 words (30 for a numbered heading), or a
sentence of more than 12 words ending with a full stop, is a paragraph that was given a
heading style, not a heading.

A paragraph with no heading style is a heading when it reads like one the way Word users
make them by hand: short (at most 15 words, 20 with a section number), starting with a
capital, no closing full stop, comma or semicolon, not a caption, date or version stamp,
not a list item, and **all bold** and either set larger than the body (1.15x the document's
most common run size), or carrying a section number (``2.1``) or a part label
(``Section 2:``, ``Annex A``). Its level follows the styled headings (one below the last
one) or, in a document with no heading styles at all, the nesting rules of the PDF
converter (:class:`._pdf_headings.HeadingLevels`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from docsense.adapters.convert._docx_styles import W_NS, Styles, run_format
from docsense.adapters.convert._pdf_headings import Heading, HeadingKind, HeadingLevels
from docsense.adapters.convert._pdf_layout import NUMBERED, PART, is_metadata_line
from docsense.adapters.convert._pdf_tables import CAPTION

__all__ = ["DocxHeadings", "body_font_size", "paragraph_format", "too_long_for_heading"]

_W = "{" + W_NS + "}"
_LARGER = 1.15
_MAX_STYLED_WORDS, _MAX_NUMBERED_WORDS = 20, 30
_MAX_WORDS, _MAX_LABELLED_WORDS = 15, 20
_SENTENCE_WORDS = 12


def _runs(paragraph: Any) -> list[tuple[Any, str]]:
    out = []
    for run in paragraph.iter(_W + "r"):
        text = "".join(t.text or "" for t in run.iterchildren(_W + "t"))
        if text.strip():
            out.append((run, text))
    return out


def paragraph_format(paragraph: Any, styles: Styles, style_id: str | None) -> tuple[bool, float]:
    """Return whether every printed run of the paragraph is bold, and its largest size."""
    runs = _runs(paragraph)
    if not runs:
        return False, 0.0
    facts = [run_format(run, styles, style_id) for run, _ in runs]
    return all(bold for bold, _ in facts), max(size for _, size in facts)


def body_font_size(body: Any, styles: Styles) -> float:
    """Return the body size: the most common run size in the document, by characters."""
    sizes: Counter[float] = Counter()
    for paragraph in body.iter(_W + "p"):
        ppr = paragraph.find(_W + "pPr")
        pstyle = ppr.find(_W + "pStyle") if ppr is not None else None
        style_id = pstyle.get(_W + "val") if pstyle is not None else None
        for run, text in _runs(paragraph):
            sizes[run_format(run, styles, style_id)[1]] += len(text)
    return sizes.most_common(1)[0][0] if sizes else styles.default_size


def too_long_for_heading(text: str) -> bool:
    """Whether a paragraph styled as a heading holds body text instead.

    More than 20 words (30 after a section number), or a sentence of more than 12 words
    ending with a full stop, is a paragraph of text that was given a heading style.
    """
    words = len(text.split())
    limit = _MAX_NUMBERED_WORDS if NUMBERED.match(text) else _MAX_STYLED_WORDS
    return words > limit or (text.endswith(".") and words > _SENTENCE_WORDS)


class DocxHeadings:
    """Levels for the headings of one document, styled or made by hand."""

    def __init__(self, styles: Styles, body_size: float, *, styled: bool) -> None:
        self.styles = styles
        self.body_size = body_size
        self.styled = styled
        self._last_styled = 0
        self._levels = HeadingLevels()

    def styled_level(self, level: int) -> int:
        """Record a styled heading at ``level`` and return it."""
        self._last_styled = level
        return level

    def manual_level(self, paragraph: Any, style_id: str | None, text: str) -> int | None:
        """Return the level of an unstyled paragraph that reads as a heading, or None."""
        heading = self._manual(paragraph, style_id, text)
        if heading is None:
            return None
        if self.styled:
            return min(self._last_styled + 1, 6)
        return self._levels.level(heading)

    def _manual(self, paragraph: Any, style_id: str | None, text: str) -> Heading | None:
        numbered = NUMBERED.match(text)
        part = PART.match(text)
        limit = _MAX_LABELLED_WORDS if numbered or part else _MAX_WORDS
        if (
            not text
            or len(text.split()) > limit
            or not (text[0].isupper() or text[0].isdigit() or text[0] in "\"'\u201c(")
            or text.endswith((".", ",", ";"))
            or CAPTION.match(text)
            or is_metadata_line(text)
        ):
            return None
        bold, size = paragraph_format(paragraph, self.styles, style_id)
        if not bold:
            return None
        scale = size / self.body_size if self.body_size > 0 else 1.0
        if numbered:
            return Heading(text, HeadingKind.NUMBERED, 1, numbered.group("num"), scale=scale)
        if part:
            keyword = part.group("kw").lower()
            return Heading(text, HeadingKind.PART, 1, part.group("label"), keyword, scale)
        if scale >= _LARGER and not text.endswith(":"):
            return Heading(text, HeadingKind.BOLD, 1, scale=scale)
        return None
