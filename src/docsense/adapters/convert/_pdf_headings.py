"""PDF headings: which lines are headings, and how they nest.

A line is a heading when it looks like one *relative to the document's body text* (its
most common font size, :func:`._pdf_layout.body_size`):

* **numbered** - a section number (``2.``, ``3.1``, ``II.2``, ``A.``) and a capitalised title,
  set in bold (or larger) from its first to its last character (or up to ``label:``);
* **lettered part** - ``Section C: ...``, ``Part II``, ``Annex 2``, ``Appendix A``,
  ``Schedule 1``, ``Article 4``, ``Chapter 3``, bold or larger, short;
* **capitals** - bold or larger capitals, up to three wrapped lines and 16 words, no closing
  punctuation (a chapter title);
* **larger** - set at least 12% larger than the body, short, no closing punctuation;
* **bold** - a short bold line standing alone as a paragraph (gap above and below), in
  title form, not a caption, a date or a version stamp;
* **bulleted** - a word processor's list-styled heading, printed as a whole-bold bulleted
  line (``● Known Limitations of the strategy:``) that starts a paragraph, of at most 12
  words, not followed by another whole-bold line (a list of bold labels) and not in
  display type (the title's decoration). The bullet's own font does not decide the weight.

Body text is never a heading: more than 20 words, or a closing full stop, comma or
semicolon, rules a line out (numbered headings may be longer: they carry a number). Nor is
the bold text of a flowchart, chart or formula legend (:func:`_diagram_label`).

Levels (:class:`HeadingLevels`) come from a stack of open headings ordered by strength:
a larger font is stronger; at the body size, capitals > part/annex > chapter > section >
article > numbered > bold. Numbering styles nest in the order they appear (``I.`` inside
``3.`` nests below it; a shallower number closes deeper ones), and restart inside each
part, so a lettered ``Section C:`` sits above the numbered headings inside it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from enum import IntEnum

import attrs

from docsense.adapters.convert._pdf_layout import (
    BULLETS,
    NUMBERED,
    PART,
    Line,
    caps_candidate,
    is_metadata_line,
    is_toc_line,
    typical_pitch,
)
from docsense.adapters.convert._pdf_tables import CAPTION

__all__ = [
    "NUMBERED",
    "PART",
    "Heading",
    "HeadingKind",
    "HeadingLevels",
    "find_headings",
    "heading_candidate",
    "numbering_key",
    "out_of_sequence",
]

_ROMAN = re.compile(r"^[IVXLC]+$")
_CLOSING = (".", ",", ";")
_LARGER = 1.12
_NUMBERED_AT_BODY = (0.0, 15, 0, 0)
_MAX_WORDS = 20
# Space around a heading at the body's weight, in the page's usual baseline distances.
_APART_ABOVE = 1.2
_APART_BELOW = 1.1
_WIDE = 1.5  # space enough above that a heading may be followed at the usual pitch
# The widest pitch of a wrapped heading, in font sizes; display type (twice the body or
# more) is often set with looser leading: "Tokenizing Total Cryptocurrency Market /
# Capitalization For Real-Time Trade" at 24 pt, 42 pt apart.
_REACH = 1.5
_DISPLAY = 2.0
_DISPLAY_REACH = 1.9

_PART_RANK = {
    "part": 11, "book": 11, "annex": 11, "appendix": 11, "schedule": 11, "exhibit": 11,
    "attachment": 11, "chapter": 12, "section": 13, "article": 14,
}  # fmt: skip


class HeadingKind(IntEnum):
    """What made a line a heading (also its rank at the body size: lower is outer)."""

    CAPS = 10
    PART = 11
    NUMBERED = 15
    BOLD = 30


@attrs.frozen
class Heading:
    """A heading found on a page: text, kind, lines used, number and relative size."""

    text: str
    kind: HeadingKind
    lines: int = 1
    number: str | None = None
    keyword: str | None = None
    scale: float = 1.0


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


def needs_weight(line: Line) -> bool:
    """Whether the heading rules may ask if ``line`` is bold (so its weight is read)."""
    return line.words <= _MAX_WORDS + 10 and not is_toc_line(line.text)


def _prominent(line: Line, body: float) -> bool:
    return body > 0 and line.size >= _LARGER * body


def _whole_bold(line: Line) -> bool:
    return line.bold and line.bold_end


def heading_candidate(
    lines: Sequence[Line], i: int, breaks: set[int], body: float, pitch: float = 0.0
) -> Heading | None:
    """Return the heading starting at ``lines[i]``, or None. Bold must already be marked.

    ``pitch`` is the page's usual baseline distance (:func:`._pdf_layout.typical_pitch`):
    a numbered line at the body's weight is a heading only when it stands apart by more.

    Capitals are tested before parts: ``ANNEX A: CONTRACTS`` in capitals is a chapter
    like the document's other capital headings, ``Annex A: Contracts`` is a part.
    """
    line = lines[i]
    text = line.text
    if line.table or len(text) > 200 or line.math or is_toc_line(text) or is_metadata_line(text):
        return None
    if _ASSIGNMENT.search(text):
        return None  # "AFFS_{i} = Adjusted free float supply": a symbol explained, in maths type
    if _diagram_label(lines, i):
        return None
    scale = line.size / body if body > 0 else 1.0
    strong = line.bold or _prominent(line, body)
    if not strong:
        return _numbered_plain(lines, i, breaks, pitch, scale)
    numbered = NUMBERED.match(text)
    if numbered and _contents_entry(lines, i):
        return None
    if numbered:
        return _numbered(lines, i, breaks, numbered.group("num"), scale)
    if _column_gap(line) and not PART.match(text):
        return None  # "Flag    Source    Threshold": a table's header row, cells far apart
    if _IDENTIFIER.search(text) or (
        i > 0 and i not in breaks and _IDENTIFIER.search(lines[i - 1].text)
    ):
        return None  # "SOURCE_EXPECTED", "Check total_observations": code in a table's cell,
        # and "STER", the rest of "RUNPOD_CLU STER" wrapped in its cell
    if caps_candidate(text):
        return _capitals(lines, i, breaks, body, scale)
    part = PART.match(text)
    if part and (_whole_bold(line) or _prominent(line, body)) and _short(text):
        keyword = part.group("kw").lower()
        return Heading(text, HeadingKind.PART, 1, part.group("label"), keyword, scale)
    bulleted = _bulleted_heading(lines, i, breaks, body)
    if bulleted is not None:
        return Heading(bulleted, HeadingKind.BOLD, 1, scale=scale)
    if CAPTION.match(text) or not text[:1].isupper():
        return None
    if _prominent(line, body) and _short(text):
        reach = _DISPLAY_REACH if scale >= _DISPLAY else _REACH
        joined, used = _wrapped(
            lines, i, breaks, lambda nxt: abs(nxt.size - line.size) < 0.5, reach
        )
        if _short(joined):
            return Heading(joined, HeadingKind.BOLD, used, scale=scale)
    if (
        _whole_bold(line)
        and line.words <= 12
        and (i == 0 or i in breaks)
        and (i + 1 >= len(lines) or i + 1 in breaks)
        and not text.endswith(":")
        and _short(text)
    ):
        return Heading(text, HeadingKind.BOLD, 1, scale=scale)
    return None


# A name in snake case: a setting or a field of code, which no unnumbered title holds.
_IDENTIFIER = re.compile(r"[A-Za-z0-9]_[A-Za-z0-9]")
_DANGLING_DASH = ("\u2013", "\u2014", " -")
_SCRIPT = re.compile(r"[_^]\{[^{}]*\}")
_BARE_NUMBER = re.compile(r"\d{1,3}")
_WORD = re.compile(r"[^\W\d_]{2}")


def _diagram_label(lines: Sequence[Line], i: int) -> bool:
    """Return True for bold text of a flowchart, chart or legend, which is no heading.

    A label run into the next box ("YES \u2013"), one word repeated across a chart's columns
    ("Scoring Scoring Scoring"), a step label whose number is set on the next line
    ("STEP" then "1"), maths set in bold, with no word of two letters outside its scripts
    ("M_{Current day}", "F T", "K T ^{i}"), and a legend's own lead-in ("Where").
    """
    text = lines[i].text.strip()
    words = text.lower().split()
    if text.endswith(_DANGLING_DASH) or (len(words) > 1 and len(set(words)) == 1):
        return True
    if not _WORD.search(_SCRIPT.sub("", text)) or text.rstrip(":,").lower() == "where":
        return True
    nxt = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
    return _BARE_NUMBER.fullmatch(nxt) is not None


_PAGE_NUMBER_END = re.compile(r"\S\s+\d{1,4}$")


def _contents_entry(lines: Sequence[Line], i: int) -> bool:
    """Return True for a numbered line that ends in a page number among contents entries.

    LaTeX sets a contents list's chapter entries in bold with no dot leaders ("1
    Introduction 3"), between the dotted entries of their sections.
    """
    if not _PAGE_NUMBER_END.search(lines[i].text):
        return False
    near = range(max(0, i - 3), min(len(lines), i + 4))
    if any(j != i and is_toc_line(lines[j].text) for j in near):
        return True
    # "1 Introduction 3" then "2 Description 3": entries of a list with no leaders at all.
    return any(
        0 <= j < len(lines)
        and NUMBERED.match(lines[j].text) is not None
        and _PAGE_NUMBER_END.search(lines[j].text) is not None
        for j in (i - 1, i + 1)
    )


_ASSIGNMENT = re.compile(r"\s=\s|=\s*$")
_BULLET_LEAD = re.compile(f"^[{BULLETS}]\\s+")
# Type this much larger than the body is display type (a title), not a heading in a list.
_DISPLAY = 1.5


def _bulleted_heading(
    lines: Sequence[Line], i: int, breaks: set[int], body: float
) -> str | None:
    """Return the text of a heading a word processor set as a list item, or None.

    "● Known Limitations of the strategy:": a whole-bold bulleted line that starts a
    paragraph, of at most 12 words, whose next line is not wholly bold too (a list of bold
    labels is a list). Word keeps such a paragraph's heading style; the PDF shows only the
    bullet. A bulleted line in display type (1.5 times the body or more) decorates the title.
    """
    line = lines[i]
    lead = _BULLET_LEAD.match(line.text)
    if lead is None or not _whole_bold(line) or (body > 0 and line.size >= _DISPLAY * body):
        return None
    rest = line.text[lead.end() :].strip()
    if not rest[:1].isupper() or len(rest.split()) > 12 or CAPTION.match(rest):
        return None
    if not (i == 0 or i in breaks) or (i + 1 < len(lines) and _whole_bold(lines[i + 1])):
        return None
    return rest


#: Text objects of one line further apart than this many times the font size are cells of
#: a table row; a heading's words are set together (a number's tab stop is allowed for).
_CELL_GAP = 4.0


def _column_gap(line: Line) -> bool:
    """Return True if ``line`` is printed in pieces as far apart as a table's columns."""
    spans = sorted(line.segments)
    return any(
        nxt[0] - cur[1] >= _CELL_GAP * max(line.size, 1.0)
        for cur, nxt in itertools.pairwise(spans)
    )


def _short(text: str) -> bool:
    return len(text.split()) <= _MAX_WORDS and not text.endswith(_CLOSING)


def _numbered(
    lines: Sequence[Line], i: int, breaks: set[int], number: str, scale: float
) -> Heading | None:
    line = lines[i]
    text = line.text
    bold_enough = line.bold_end or ":" in text or scale >= _LARGER
    if not bold_enough or text.endswith((",", ";")) or len(text.split()) > 30:
        return None
    used = 1
    if line.bold_end and i + 1 < len(lines) and _close_below(line, lines[i + 1], breaks, i + 1):
        nxt = lines[i + 1]
        same_size = abs(nxt.size - line.size) < 0.5
        if (
            len(nxt.text.split()) <= 6
            and not NUMBERED.match(nxt.text)
            and _whole_bold(nxt)
            and same_size
        ):
            text = f"{text} {nxt.text}"
            used = 2
    return Heading(text, HeadingKind.NUMBERED, used, number, scale=scale)


def _numbered_plain(
    lines: Sequence[Line], i: int, breaks: set[int], pitch: float, scale: float
) -> Heading | None:
    """Return a numbered heading neither bold nor larger, set apart by space above it.

    Journal and conference templates (IEEE's among them) set section headings in small
    capitals and subsection headings in italics, at the body's size and weight: "II. TCAP
    PRICE METHODOLOGY", "*A. Total Market Capitalization Data*". The title is in capitals
    (up to three wrapped lines) or set wholly in italics; at most ten words, no closing
    punctuation, more space above than between lines (and below, unless the space above
    is wide), and not an item of a numbered list (no line numbered in the same style next
    to it).
    """
    line = lines[i]
    numbered = NUMBERED.match(line.text)
    if numbered is None or pitch <= 0 or line.text.endswith((*_CLOSING, ":")):
        return None
    if caps_candidate(numbered.group("title")):
        text, used = _wrapped(
            lines, i, breaks, lambda nxt: caps_candidate(nxt.text) and not NUMBERED.match(nxt.text)
        )
    elif line.italic:
        text, used = line.text, 1
    else:
        return None
    if len(text.split()) > 10 or used > 3:
        return None
    last, after = i + used - 1, i + used
    above = lines[i - 1].last_baseline - line.first_baseline if i > 0 else math.inf
    below = (
        lines[last].last_baseline - lines[after].first_baseline
        if after < len(lines)
        else math.inf
    )
    if above < _APART_ABOVE * pitch or (below < _APART_BELOW * pitch and above < _WIDE * pitch):
        return None
    style = numbering_key(numbered.group("num"))[0]
    for j in (i - 1, after):
        other = NUMBERED.match(lines[j].text) if 0 <= j < len(lines) else None
        if other is not None and numbering_key(other.group("num"))[0] == style:
            return None  # "1. BTC", "2. ETH": items of a numbered list, spaced out
    if _contents_entry(lines, i):
        return None
    return Heading(text, HeadingKind.NUMBERED, used, numbered.group("num"), scale=scale)


def _capitals(
    lines: Sequence[Line], i: int, breaks: set[int], body: float, scale: float
) -> Heading | None:
    line = lines[i]

    def continues(nxt: Line) -> bool:
        return (
            caps_candidate(nxt.text)
            and not NUMBERED.match(nxt.text)
            and (_whole_bold(nxt) or _prominent(nxt, body))
        )

    if not (_whole_bold(line) or _prominent(line, body)):
        return None
    joined, used = _wrapped(lines, i, breaks, continues)
    if used <= 3 and len(joined.split()) <= 16 and not joined.endswith((*_CLOSING, ":")):
        return Heading(joined, HeadingKind.CAPS, used, scale=scale)
    return None


def _wrapped(
    lines: Sequence[Line],
    i: int,
    breaks: set[int],
    continues: Callable[[Line], bool],
    reach: float = _REACH,
) -> tuple[str, int]:
    """Join up to three lines of one heading wrapped without a gap.

    The gap is judged against the heading's own size: a heading set larger than the body
    has a larger line pitch, which the page's paragraph breaks (learnt on body text) would
    take for a paragraph gap. ``reach`` is the widest pitch, in font sizes, of a wrap:
    display type (a title twice the body's size or more) is often set with loose leading.
    """
    block = [lines[i]]
    j = i + 1
    while (
        j < len(lines)
        and len(block) < 4
        and not block[-1].text.endswith((*_CLOSING, ":"))
        and _close_below(block[-1], lines[j], breaks, j, reach)
        and continues(lines[j])
    ):
        block.append(lines[j])
        j += 1
    return " ".join(b.text for b in block), len(block)


def _close_below(
    above: Line, below: Line, breaks: set[int], j: int, reach: float = _REACH
) -> bool:
    pitch = above.last_baseline - below.first_baseline
    if 0 < pitch <= reach * max(above.size, below.size, 1.0):
        return True
    return j not in breaks and pitch > 0


def find_headings(
    lines: Sequence[Line], breaks: set[int], body: float, pitch: float | None = None
) -> dict[int, Heading]:
    """Return {first line index: heading} for one page's lines (bold already marked).

    ``pitch`` is the page's :func:`._pdf_layout.typical_pitch`, when the caller has it.
    """
    found: dict[int, Heading] = {}
    if pitch is None:
        pitch = typical_pitch(lines)
    i = 0
    while i < len(lines):
        heading = heading_candidate(lines, i, breaks, body, pitch)
        if heading is None:
            i += 1
            continue
        found[i] = heading
        i += heading.lines
    return found


def out_of_sequence(numbers: Sequence[str | None]) -> set[int]:
    """Return the positions of numbered headings that cannot stand where they are.

    ``numbers`` are the document's headings in order (``None`` for an unnumbered one). A
    heading whose chapter differs from that of the numbered headings on both sides, when
    those are subsections of one chapter ("2.5 Lambda Labs", "40 GB; ...", "2.6
    TensorDock"), is a line of text that starts with a number: a chapter cannot open
    inside another one's run of subsections.
    """
    numbered = [(k, [p for p in n.split(".") if p]) for k, n in enumerate(numbers) if n]
    found: set[int] = set()
    for (_, before), (k, parts), (_, after) in zip(
        numbered, numbered[1:], numbered[2:], strict=False
    ):
        if (
            len(before) >= 2
            and len(after) >= 2
            and before[0] == after[0]
            and parts[0] != before[0]
        ):
            found.add(k)
    return found


_CONTENTS_HEADING = re.compile(r"(?i:(?:table\s+of\s+)?contents)")
_Key = tuple[float, int, int, int]
_Structure = tuple[object, ...] | None


class HeadingLevels:
    """Assign 1-based nesting levels to headings from a stack of open headings.

    A heading closes every open heading that is not stronger than it. Structure beats
    font size between headings of one kind: a ``Section 3:`` closes an open
    ``Section 2:`` even when the document set the two in different sizes, and so does a
    ``4.2`` an open ``4.1``.
    """

    def __init__(self) -> None:
        self._stack: list[tuple[_Key, _Structure]] = []
        self._styles: list[str] = []
        self._leaf = False
        self._last_letter = ""  # the head of the last lettered number ("B" of "B.")

    def _key(self, heading: Heading) -> tuple[_Key, _Structure]:
        size_class = -round(heading.scale, 1) if heading.scale >= _LARGER else 0.0
        if heading.kind is HeadingKind.NUMBERED and heading.number is not None:
            style, depth = numbering_key(heading.number)
            head = heading.number.split(".")[0]
            if (
                style == "roman"
                and len(head) == 1
                and self._last_letter
                and ord(head) == ord(self._last_letter) + 1
            ):
                style = "alpha"  # "C." after "B.", "I." after "H.": letters, not numerals
            if style == "alpha":
                self._last_letter = head
            if style not in self._styles:
                self._styles.append(style)
            key = (size_class, int(HeadingKind.NUMBERED), self._styles.index(style), depth)
            return key, ("number", style, depth)
        if heading.kind is HeadingKind.PART and heading.keyword is not None:
            rank = _PART_RANK.get(heading.keyword, 13)
            return (size_class, rank, 0, 0), ("part", rank)
        return (size_class, int(heading.kind), 0, 0), None

    def level(self, heading: Heading) -> int:
        """Return the level of ``heading`` and open it (closing what it ends).

        A contents list's heading ("Contents", "Table of Contents") holds no sections: the
        next heading closes it, whatever its rank.
        """
        if self._leaf:
            self._stack.pop()
        self._leaf = _CONTENTS_HEADING.fullmatch(heading.text.strip()) is not None
        key, structure = self._key(heading)
        sibling = next(
            (i for i, (_, s) in enumerate(self._stack) if structure and s == structure), None
        )
        if sibling is not None:
            del self._stack[sibling:]
        else:
            while self._stack and self._stack[-1][0] >= key:
                self._stack.pop()
        if heading.kind is not HeadingKind.NUMBERED and key < _NUMBERED_AT_BODY:
            # Numbering restarts inside a new part, chapter or larger heading.
            self._styles.clear()
            self._last_letter = ""
        self._stack.append((key, structure))
        return len(self._stack)
