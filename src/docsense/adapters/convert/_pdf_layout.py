"""Layout heuristics for PDF text lines: page furniture, headings, lists and maths.

PDFs carry no headings, only text in fonts at positions. On real methodology documents the
heading font is the body font in bold (research/conversion.md: size alone finds almost
nothing), so a line is a heading when it is bold from its first to its last character (or
up to a ``label:``) and either

* carries a section number (``2.``, ``3.1``, ``II.2``, ``A.``) followed by a capitalised
  title; the nesting level comes from the order in which numbering styles appear (arabic,
  roman, letters; deeper dotted forms nest further), so ``I.`` inside ``3.`` nests below it;
* or is written in capitals (up to three wrapped lines, at most 16 words, no closing
  punctuation): a chapter heading, level 1.

Body text in bold capitals (disclaimers) fails the length and punctuation tests.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import attrs

__all__ = [
    "Line",
    "NumberingLevels",
    "astral_count",
    "caps_candidate",
    "is_math_line",
    "is_toc_line",
    "linearise_math",
    "numbering_key",
    "page_furniture",
]

NUMBERED = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,4}\.?|[IVXLC]{1,6}\.(?:\d{1,2}\.?){0,3}"
    r"|[A-Z]\.(?:\d{1,2}\.?){0,3})\s+(?P<title>[A-Z(\u201c\"'].*)$"
)
_PAGE_NUMBER = re.compile(
    r"^[\s\-\u2013\u2014]*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[\s\-\u2013\u2014]*$",
    re.IGNORECASE,
)
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}|\u2026")
_ROMAN = re.compile(r"^[IVXLC]+$")


@attrs.define
class Line:
    """One text line of a page with the font facts the heuristics need."""

    text: str
    page: int
    char_index: int
    end_index: int = 0
    top: float = 0.0
    bottom: float = 0.0
    left: float = 0.0
    bold: bool = False
    bold_end: bool = False


def numbering_key(number: str) -> tuple[str, int]:
    """Return (style, depth) of a section number: ``3.1`` -> (arabic, 2), ``II.`` -> (roman, 1)."""
    parts = [p for p in number.split(".") if p]
    head = parts[0] if parts else number
    if head.isdigit():
        style = "arabic"
    elif _ROMAN.match(head):
        style = "roman"
    else:
        style = "alpha"
    return style, len(parts)


class NumberingLevels:
    """Assign nesting levels to numbered headings from the order numbering styles appear."""

    def __init__(self) -> None:
        self._stack: list[tuple[str, int]] = []

    def level(self, number: str) -> int:
        """Return the 1-based nesting level of a heading numbered ``number``."""
        key = numbering_key(number)
        if key in self._stack:
            del self._stack[self._stack.index(key) + 1 :]
        else:
            style, depth = key
            # A shallower form of a style already open closes what is nested below it.
            same = [i for i, (s, d) in enumerate(self._stack) if s == style and d > depth]
            if same:
                del self._stack[same[0] :]
            self._stack.append(key)
        return len(self._stack)

    def reset(self) -> None:
        """Forget the open numbering styles (a new chapter starts)."""
        self._stack.clear()


def page_furniture(pages: Sequence[Sequence[Line]]) -> set[tuple[int, int]]:
    """Return (page index, line index) of running headers, footers and page numbers.

    A first or last line (two at each end) is furniture when it is a bare page number or
    when, digits ignored, it repeats at the same end of at least half the pages (min. 3).
    """
    ends: Counter[tuple[str, str]] = Counter()
    keyed: list[list[tuple[int, tuple[str, str]]]] = []
    for lines in pages:
        entries: list[tuple[int, tuple[str, str]]] = []
        n = len(lines)
        for i in {0, 1, n - 2, n - 1}:
            if 0 <= i < n:
                where = "top" if i < 2 else "bottom"
                key = (where, re.sub(r"\d+", "#", lines[i].text.strip().lower()))
                entries.append((i, key))
        for key in {k for _, k in entries}:
            ends[key] += 1
        keyed.append(entries)
    threshold = max(3, len(pages) // 2)
    furniture: set[tuple[int, int]] = set()
    for page_index, entries in enumerate(keyed):
        lines = pages[page_index]
        for i, key in entries:
            text = lines[i].text.strip()
            if (i in (0, len(lines) - 1) and _PAGE_NUMBER.match(text)) or (
                key[1] and ends[key] >= threshold
            ):
                furniture.add((page_index, i))
    return furniture


def is_toc_line(text: str) -> bool:
    """Return True for a table-of-contents entry (dot leaders before a page number)."""
    return bool(_DOT_LEADER.search(text))


_ASCII_LETTERS_3 = re.compile(r"(?:[^A-Za-z]*[A-Za-z]){3}")
_MATH_CHAR = re.compile("[\U0001d400-\U0001d7ff\u210e\u2211\u220f\u221a\u2212\u2264\u2265]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


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


def linearise_math(text: str) -> str:
    """Map maths-alphanumeric letters (U+1D400 block) to plain letters; keep all else."""
    if _ASTRAL.search(text) is None and "\u210e" not in text:
        return text
    return "".join(
        unicodedata.normalize("NFKC", c) if 0x1D400 <= ord(c) <= 0x1D7FF or c == "\u210e" else c
        for c in text
    )
