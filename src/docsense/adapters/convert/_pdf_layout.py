"""Layout facts of PDF text lines: the line model, page furniture, paragraphs, maths, letters.

PDFs carry no structure, only text in fonts at positions. This module holds the pure
heuristics that need no PDF engine (so they are tested on hand-made lines):

* :class:`Line` - one visual line with the font facts the other heuristics read;
* :func:`page_furniture` - running headers, footers and page numbers to drop;
* :func:`paragraph_breaks` - lines that start a paragraph (a taller gap above);
* :func:`body_size` - the document's body font size (most common size by characters);
* :func:`is_math_line` and :func:`plain_letters` - maths set in Unicode maths letters
  (Word equations exported to PDF) and the mapping of those letters to plain ones.

Headings are in :mod:`._pdf_headings`, tables in :mod:`._pdf_tables`.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Sequence

import attrs

__all__ = [
    "BULLETS",
    "NUMBERED",
    "PART",
    "Line",
    "astral_count",
    "body_size",
    "caps_candidate",
    "is_math_line",
    "is_metadata_line",
    "is_page_number",
    "is_toc_line",
    "page_furniture",
    "paragraph_breaks",
    "plain_letters",
]

#: The glyphs word processors print as list bullets (a list item, or a list-styled heading).
BULLETS = "\u2022\u25cf\u25e6\u25aa\u25a0\u2023\u2043\uf0b7\uf0a7\u00b7"
NUMBERED = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,4}\.?|[IVXLC]{1,6}\.(?:\d{1,2}\.?){0,3}"
    r"|[A-Z]\.(?:\d{1,2}\.?){0,3})\s+(?P<title>[A-Z(\u201c\"'].*)$"
)
PART = re.compile(
    r"^(?P<kw>(?i:part|chapter|section|article|annex|appendix|schedule|exhibit|attachment|book))"
    r"\s+(?P<label>[A-Z]{1,2}|[IVXLC]{1,6}|\d{1,3}(?:\.\d{1,3})*)(?=$|[\s:.\-\u2013\u2014])"
    r"\s*(?:[:.\-\u2013\u2014]\s*)?(?P<title>[A-Z0-9\u201c\"'].*)?$"
)
_PAGE_NUMBER = re.compile(
    r"^[\s\-\u2013\u2014]*(?:page\s+)?(?:\d{1,4}|(?-i:[ivxlc]{1,6}))"
    r"(?:\s*(?:of|/)\s*\d{1,4})?[\s\-\u2013\u2014]*$",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_METADATA = re.compile(
    rf"^(?:(?:dated?|effective(?:\s+date)?|as\s+of|version|v\d|rev(?:ision)?\.?"
    rf"|last\s+(?:updated|revised|amended)|issued|published)\b.*"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\b.*|{_MONTH}\s+\d.*"
    r"|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4})$",
    re.IGNORECASE,
)
_LONE_DASH = re.compile(r"^[\s\-\u2013\u2014]+$")
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}|\u2026")
_PARAGRAPH_GAP = 1.45


@attrs.define
class Line:
    """One visual text line of a page with the font facts the heuristics need.

    ``char_index`` / ``end_index`` are PDFium character indices of its first and last
    character; ``top`` / ``bottom`` / ``left`` its loose box and ``baseline`` where it
    stands. ``rows`` holds the index ranges of each printed row: usually one row of one
    range; several ranges when extraction split one visual row (a stacked superscript) and
    the pieces were merged back; several rows when PDFium joined a word hyphenated across
    rows (then ``end_baseline`` is the last row's). ``ink_bottom`` / ``ink_top`` bound the
    last row's glyphs tightly. ``size`` is the effective font size of the first character
    in points; ``segments`` are the horizontal extents of the line's text objects (table
    cells are separate objects). ``scripts`` says its glyphs must be read (sub- or
    superscripts), ``math`` that it is set in maths letters (judged on ``raw``, the text as
    extracted, before maths letters are mapped). A line with ``table`` rows
    stands for a whole table rebuilt from the lines it replaced (:mod:`._pdf_tables`).
    """

    text: str
    page: int
    char_index: int
    end_index: int = 0
    top: float = 0.0
    bottom: float = 0.0
    left: float = 0.0
    right: float = 0.0
    size: float = 0.0
    bold: bool = False
    bold_end: bool = False
    italic: bool = False  # read only for numbered lines (a journal's italic subheadings)
    baseline: float | None = None
    end_baseline: float | None = None
    ink_bottom: float = 0.0
    ink_top: float = 0.0
    rows: list[list[tuple[int, int]]] = attrs.Factory(list)
    segments: list[tuple[float, float]] = attrs.Factory(list)
    scripts: bool = False
    merged: bool = False
    math: bool = False
    raw: str = ""
    table: tuple[tuple[str, ...], ...] = ()

    @property
    def words(self) -> int:
        """Number of whitespace-separated words."""
        return len(self.text.split())

    @property
    def first_baseline(self) -> float:
        """Baseline of the first printed row (the loose bottom when unknown)."""
        return self.bottom if self.baseline is None else self.baseline

    @property
    def last_baseline(self) -> float:
        """Baseline of the last printed row (differs for a word joined across rows)."""
        return self.first_baseline if self.end_baseline is None else self.end_baseline


def is_page_number(text: str) -> bool:
    """Return True for a bare page number: ``12``, ``- 3 -``, ``Page 2 of 9``, ``iv``."""
    return _PAGE_NUMBER.match(text.strip()) is not None


def page_furniture(
    pages: Sequence[Sequence[Line]], heights: Sequence[float] | None = None
) -> set[tuple[int, int]]:
    """Return (page index, line index) of running headers, footers and page numbers.

    The first and last two lines of a page are furniture when they are a bare page number
    (a lone dash next to one is its broken-off part), or when, digits ignored, the same
    text stands at the same height at the same end of at least three pages (headers that
    change with the chapter repeat over the chapter's pages), or of half the pages.
    """
    keys: list[list[tuple[int, tuple[str, str, int]]]] = []
    counts: Counter[tuple[str, str, int]] = Counter()
    loose: Counter[tuple[str, str]] = Counter()
    for lines in pages:
        entries: list[tuple[int, tuple[str, str, int]]] = []
        n = len(lines)
        for i in sorted({0, 1, n - 2, n - 1}):
            if 0 <= i < n:
                where = "top" if i < 2 else "bottom"
                text = re.sub(r"\d+", "#", lines[i].text.strip().lower())
                entries.append((i, (where, text, round(lines[i].bottom / 3))))
        for key in {k for _, k in entries}:
            counts[key] += 1
        for where, text in {(k[0], k[1]) for _, k in entries}:
            loose[(where, text)] += 1
        keys.append(entries)
    half = max(3, len(pages) // 2)
    furniture: set[tuple[int, int]] = set()
    for page_index, entries in enumerate(keys):
        lines = pages[page_index]
        numbers = set()
        for i, key in entries:
            text = lines[i].text.strip()
            if is_page_number(text) and _at_page_edge(lines, i):
                numbers.add(i)
                furniture.add((page_index, i))
            elif key[1] and (counts[key] >= 3 or loose[(key[0], key[1])] >= half):
                furniture.add((page_index, i))
        for i, _ in entries:
            if _LONE_DASH.match(lines[i].text) and (i - 1 in numbers or i + 1 in numbers):
                furniture.add((page_index, i))
    return furniture


def _at_page_edge(lines: Sequence[Line], i: int) -> bool:
    """Tell whether line ``i`` sits at the page's top or bottom edge (or by a lone dash)."""
    if i in (0, len(lines) - 1):
        return True
    ys = [ln.bottom for ln in lines]
    return lines[i].bottom in (max(ys), min(ys)) or any(
        _LONE_DASH.match(lines[j].text) for j in (i - 1, i + 1) if 0 <= j < len(lines)
    )


def typical_pitch(lines: Sequence[Line]) -> float:
    """Return the page's usual distance between baselines (0.0 for a page without lines)."""
    pitches = [
        prev.last_baseline - cur.first_baseline
        for prev, cur in itertools.pairwise(lines)
        if prev.last_baseline - cur.first_baseline > 0
    ]
    if not pitches:
        return 0.0
    if len(pitches) >= 5:
        return float(statistics.median(pitches))
    # too few lines to learn the leading: assume 1.25 x the line height
    return 1.25 * statistics.median(max(ln.top - ln.bottom, 0.1) for ln in lines)


def paragraph_breaks(lines: Sequence[Line], typical: float | None = None) -> set[int]:
    """Return indices of lines that start a new paragraph (a taller gap than usual above).

    ``typical`` is the page's :func:`typical_pitch`, when the caller has it already.
    """
    if typical is None:
        typical = typical_pitch(lines)
    if typical == 0.0:
        return set()
    return {
        k
        for k in range(1, len(lines))
        if (pitch := lines[k - 1].last_baseline - lines[k].first_baseline)
        > typical * _PARAGRAPH_GAP
        or pitch < -typical
    }


def body_size(pages: Sequence[Sequence[Line]]) -> float:
    """Return the body font size: the most common line size, counted by characters."""
    weights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            if line.size > 0:
                weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def is_metadata_line(text: str) -> bool:
    """Return True for a date or a version stamp: ``Dated: 9 May 2020``, ``Version 1.2``."""
    return _METADATA.match(text.strip()) is not None


def is_toc_line(text: str) -> bool:
    """Return True for a table-of-contents entry (dot leaders before a page number)."""
    return bool(_DOT_LEADER.search(text))


_ASCII_LETTERS_3 = re.compile(r"(?:[^A-Za-z]*[A-Za-z]){3}")
_MATH_CHAR = re.compile("[\U0001d400-\U0001d7ff\u210e\u2211\u220f\u221a\u2212\u2264\u2265]")
_MATH_LETTER = re.compile("[\U0001d400-\U0001d7ff\u210e]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_WORD_DASH = re.compile(r"(?<=[^\W\d_])[\u2212\u2010\u2011](?=[^\W\d_])")


def caps_candidate(text: str) -> bool:
    """Return True if ``text`` is written in capitals with some Latin letters."""
    return text == text.upper() and _ASCII_LETTERS_3.match(text) is not None


def astral_count(text: str) -> int:
    """Count characters outside the BMP (they take two UTF-16 units in PDFium's arrays)."""
    return len(_ASTRAL.findall(text))


def is_math_line(text: str) -> bool:
    """Return True for a line set in maths fonts (Word equations exported to PDF)."""
    if _MATH_CHAR.search(text) is None:
        return False
    math = len(_MATH_CHAR.findall(text))
    visible = len(text) - text.count(" ")
    return math >= 2 and math * 3 >= visible


def plain_letters(text: str) -> str:
    """Map maths letters to plain ones; a minus or hyphen sign inside a word becomes ``-``.

    Maths italic and bold letters (the U+1D400 block, and U+210E for the italic h) become
    their plain letters, so a maths italic ``Q`` with subscript ``i,ITD`` reads ``Qi,ITD``;
    a U+2212 minus (or U+2010/U+2011 hyphen) between two letters, as in ``Short-Term``,
    becomes an ASCII hyphen, while a minus between a letter and a digit (``ITD-1`` set
    with U+2212) stays a minus.
    """
    if _MATH_LETTER.search(text) is not None:
        text = _MATH_LETTER.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return _WORD_DASH.sub("-", text)
