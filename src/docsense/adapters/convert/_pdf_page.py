"""One PDF page read through PDFium's C API: lines, font facts and glyphs, read lazily.

Cost model (``benchmarks/ingest.py``): PDFium's text extraction is the floor; every extra
fact is one C call. Per line we read the first character's loose box, its font size and
text matrix, and the boxes of the line's text objects (``FPDFText_CountRects``): a few calls
per line, not per character. Glyph boxes are read character by character only for the lines
that need them: a line whose text objects stick out above or below its first character
(a subscript, a superscript, a footnote marker, a big operator), a line rebuilt from several
extracted pieces, or a table row being split into cells. Bold is read for the short lines
the heading and title rules may ask about (:meth:`PdfPage.mark_bold`).
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from docsense.adapters.convert._pdf_layout import (
    BULLETS,
    NUMBERED,
    Line,
    astral_count,
    is_math_line,
    plain_letters,
)
from docsense.adapters.convert._pdf_scripts import Glyph, render_glyphs

__all__ = ["PdfPage", "clean_text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SOFT_HYPHEN = re.compile(r"(?<=[a-z])\ufffe(?=[a-z])")
_BULLETS = frozenset(BULLETS)
_HYPHEN_MARK = "\ufffe"  # PDFium's mark for a hyphen that ends a printed row
_BOLD_WEIGHT = 600
_MEDIUM_WEIGHT = 500  # from here up to bold, a weight is read with the font's name
_FORCE_BOLD_FLAG = 1 << 18
_ITALIC_FLAG = 1 << 6  # the font descriptor's Italic flag
_SHORT = 0.66  # of the font size: a text object shorter than this may be a script
_TINY = 0.3  # of the font size: shorter objects are punctuation
_SCRIPT_SHIFT = 0.1  # of the font size: how far off the baseline a script object sits


# Spaces PDFium put inside a maths symbol: TeX sets "AFFS" as four italic capitals whose
# kerning PDFium reads as word gaps ("AF F S" in maths italic). Only runs of capitals with a
# lone letter among them are joined: "Index Level" or "FP Cutoff" in maths type are words.
_MATH_CAPITALS = "".join(
    chr(c) for c in range(0x1D400, 0x1D6A4)
    if unicodedata.name(chr(c), "").startswith("MATHEMATICAL") and "CAPITAL" in
    unicodedata.name(chr(c), "")
)
_MATH_SMALLS = "".join(
    chr(c) for c in range(0x1D400, 0x1D6A4)
    if unicodedata.name(chr(c), "").startswith("MATHEMATICAL") and "SMALL" in
    unicodedata.name(chr(c), "")
)
# The run may end in one small letter (a glued subscript, "Si"), not in a word ("Cutoff").
_MATH_CAPITAL_RUN = re.compile(
    f"(?<![\\w{_MATH_CAPITALS}])[{_MATH_CAPITALS}]+(?: [{_MATH_CAPITALS}]+)+"
    f"(?![{_MATH_CAPITALS}])(?![{_MATH_SMALLS}]{{2}})"
)


# Display type set with wide tracking: capitals one by one ("D I S C L A I M E R").
_LETTER_SPACED = re.compile(r"^[A-Z](?: [A-Z&]){4,}$")
# A capital, a space, a letter: in TeX's maths italic ("CMMI10", "LMMathItalic10") the space
# may be one PDFium made of a capital's italic kerning: "V aultDebt" is $VaultDebt$.
_CAPITAL_GAP = re.compile(r"[A-Z] (?=[A-Za-z])")
_MATH_ITALIC_FONT = re.compile(r"cmmi\d|mathitalic", re.IGNORECASE)


def _join_split_symbol(m: re.Match[str]) -> str:
    parts = m.group(0).split(" ")
    return "".join(parts) if any(len(p) == 1 for p in parts) else m.group(0)


def clean_text(text: str) -> str:
    """Drop control characters and row-end hyphens inside words; map maths letters."""
    if _HYPHEN_MARK in text:
        text = _SOFT_HYPHEN.sub("", text).replace(_HYPHEN_MARK, "-")
    if not text.isprintable():
        text = _CONTROL.sub("", text.replace("\u00ad", ""))
        text = _ZERO_WIDTH.sub("", text)  # "a spread, \u200bS\u200b (such as 0.10)"
    if text.isascii():
        return text
    return plain_letters(_MATH_CAPITAL_RUN.sub(_join_split_symbol, text))


def _units(text: str) -> int:
    """Length of ``text`` in UTF-16 units (PDFium's character indices)."""
    return len(text) + astral_count(text) if not text.isascii() else len(text)


class PdfPage:
    """Text lines of one page, with lazy font and glyph queries."""

    def __init__(self, pdfium_c: Any, textpage: Any, number: int, height: float) -> None:
        self.c = pdfium_c
        self.textpage = textpage
        self.tp = getattr(textpage, "raw", textpage)  # the C handle: no wrapper conversion
        self.number = number
        self.height = height
        self._rect = pdfium_c.FS_RECTF()
        self._matrix = pdfium_c.FS_MATRIX()
        self._buf = ctypes.create_string_buffer(96)
        self._flags = ctypes.c_int()
        self._edges = [ctypes.c_double() for _ in range(4)]
        self._origin = (ctypes.c_double(), ctypes.c_double())
        # Pre-made references and bound functions: these calls run for every line.
        self._edge_refs = [ctypes.byref(edge) for edge in self._edges]
        self._origin_refs = [ctypes.byref(value) for value in self._origin]
        self._rect_ref = ctypes.byref(self._rect)
        self._matrix_ref = ctypes.byref(self._matrix)
        self._loose_box = pdfium_c.FPDFText_GetLooseCharBox
        self._get_rect = pdfium_c.FPDFText_GetRect
        self._count_rects = pdfium_c.FPDFText_CountRects
        self._char_origin = pdfium_c.FPDFText_GetCharOrigin
        self._get_font_size = pdfium_c.FPDFText_GetFontSize
        self._get_matrix = pdfium_c.FPDFText_GetMatrix
        self._glyphs: dict[tuple[tuple[tuple[int, int], ...], bool], list[Glyph]] = {}

    # --- lines ------------------------------------------------------------------------
    def lines(self) -> list[Line]:
        """Return the page's visual lines in extraction order, scripts rendered."""
        raw = self.textpage.get_text_range()
        out: list[Line] = []
        offset = 0  # index into PDFium's char array (UTF-16 units)
        for text in raw.split("\r\n"):
            width = _units(text)
            stripped = text.strip()
            if stripped:
                if _LETTER_SPACED.match(stripped):
                    stripped = self._join_letter_spaced(text, offset)
                elif _CAPITAL_GAP.search(stripped):
                    stripped = self._join_kerned_capitals(text, offset).strip()
                line = self._line(clean_text(stripped), _rows(text, offset))
                line.raw = stripped
                line.math = is_math_line(stripped)
                out.append(line)
            offset += width + 2
        out = _merge_visual_lines(out)
        for line in out:
            if line.scripts:
                rendered = "".join(
                    render_glyphs(self.glyphs(row), reorder=len(row) > 1) for row in line.rows
                )
                line.text = clean_text(" ".join(rendered.split()))
        return out

    def _line(self, text: str, rows: list[tuple[int, int]]) -> Line:
        tp, rect = self.tp, self._rect
        start, end = rows[0][0], rows[-1][1]
        line = Line(text, self.number, char_index=start, end_index=end)
        line.rows = [[row] for row in rows]
        line.size = self.font_size(start)
        if self._loose_box(tp, start, self._rect_ref):
            line.top, line.bottom, line.left, line.right = (
                rect.top,
                rect.bottom,
                rect.left,
                rect.right,
            )
        left, top, right, bottom = self._edges
        edges = self._edge_refs
        get_rect = self._get_rect
        bullet_first = text[:1] in _BULLETS
        segments = line.segments
        for number, (row_start, row_end) in enumerate(rows):
            baseline = self.baseline(row_start)
            if number == 0:
                line.baseline = baseline
            else:
                line.end_baseline = baseline
            size = line.size if number == 0 else self.font_size(row_start)
            ink_bottom, ink_top = math.inf, -math.inf
            for k in range(self._count_rects(tp, row_start, row_end - row_start + 1)):
                if not get_rect(tp, k, *edges):
                    continue
                x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
                segments.append((x0, x1))
                if x1 > line.right:
                    line.right = x1
                if x0 < line.left:
                    line.left = x0
                if y0 < ink_bottom:
                    ink_bottom = y0
                if y1 > ink_top:
                    ink_top = y1
                bullet = bullet_first and k == 0 and number == 0
                if not bullet and _looks_shifted(y0, y1, baseline, size):
                    line.scripts = True
            if ink_top > ink_bottom:
                line.ink_bottom, line.ink_top = ink_bottom, ink_top
        return line

    def _join_letter_spaced(self, text: str, offset: int) -> str:
        """Return a letter-spaced line as words: "C O N S T I T U E N T W E I G H T I N G".

        Display type set with wide tracking reads as one letter per word, PDFium generating
        the spaces between the letters. The letters' boxes tell the words apart: a gap
        clearly wider than the usual gap between letters is a word break ("CONSTITUENT
        WEIGHTING"). Spaces the PDF prints ("K N N U U Z", a row of month codes), or gaps
        wider than the letters (a table's columns), are left as they are.
        """
        lead = len(text) - len(text.lstrip())
        letters = text.strip().split(" ")
        boxes = []
        rect = self._rect
        for k in range(len(letters)):
            index = offset + lead + 2 * k
            if k and self.c.FPDFText_IsGenerated(self.tp, index - 1) != 1:
                return text.strip()  # "K N N U U Z": spaces the PDF prints (month codes)
            if not self._loose_box(self.tp, index, self._rect_ref):
                return text.strip()
            boxes.append((rect.left, rect.right))
        gaps = [b[0] - a[1] for a, b in itertools.pairwise(boxes)]
        usual = sorted(gaps)[len(gaps) // 2]
        widths = sorted(right - left for left, right in boxes)
        if usual > widths[len(widths) // 2]:
            return text.strip()  # letters standing in the columns of a table
        words = [letters[0]]
        for letter, gap in zip(letters[1:], gaps, strict=True):
            if gap > max(2 * usual, usual + 0.25 * (boxes[0][1] - boxes[0][0])):
                words.append(letter)
            else:
                words[-1] += letter
        return " ".join(words)

    def _join_kerned_capitals(self, text: str, offset: int) -> str:
        """Return ``text`` without the spaces PDFium made of maths-italic kerning.

        TeX sets a name in maths as italic letters, and the gap a capital's italic
        correction leaves reads as a word gap: "V aultDebt", "T CAPP rice". A space goes
        when PDFium generated it (it is not in the PDF) after a capital set in a maths
        italic font; a space the PDF prints, or one after a text-font capital ("I am"),
        stays.
        """
        kept: list[str] = []
        last = 0
        for m in _CAPITAL_GAP.finditer(text):
            capital = offset + _units(text[: m.start()])
            if self._kerning_space(capital + 1):
                kept.append(text[last : m.start() + 1])
                last = m.end()
        return "".join(kept) + text[last:]

    def _kerned_capital(self, glyphs: list[Glyph], index: int, end: int) -> bool:
        """Whether the generated space at ``index``, after ``glyphs``, is maths-italic kerning.

        It is when the glyph before it is a capital, a letter follows within the range
        (``end`` is its last index) and the capital is set in a maths italic font.
        """
        if not glyphs or not "A" <= glyphs[-1].char <= "Z" or index >= end:
            return False
        following = chr(self.c.FPDFText_GetUnicode(self.tp, index + 1))
        return following.isascii() and following.isalpha() and self._kerning_space(index)

    def _kerning_space(self, index: int) -> bool:
        """Whether the space at ``index`` is a generated gap inside a maths-italic name.

        The capital before it and the letter after it are both set in maths italic: "V
        aultDebt" is one symbol, while in "A represents the cost" (a symbol, then a word set
        in the text font) the space is a word gap.
        """
        if self.c.FPDFText_IsGenerated(self.tp, index) != 1:
            return False
        return all(
            _MATH_ITALIC_FONT.search(self._font_name(at)) is not None
            for at in (index - 1, index + 1)
        )

    def baseline(self, index: int) -> float:
        """Return the y of a character's origin: the baseline it stands on."""
        self._char_origin(self.tp, index, *self._origin_refs)
        return float(self._origin[1].value)

    def font_size(self, index: int) -> float:
        """Effective font size (points) of a character: size times the text matrix scale."""
        size = float(self._get_font_size(self.tp, index))
        m = self._matrix
        if self._get_matrix(self.tp, index, self._matrix_ref):
            scale = math.sqrt(abs(m.a * m.d - m.b * m.c))
            if scale > 0:
                size *= scale
        return size

    # --- glyphs -----------------------------------------------------------------------
    def glyphs(self, ranges: list[tuple[int, int]], *, metrics: bool = True) -> list[Glyph]:
        """Every character of the index ranges: extent, baseline, size (pairs joined).

        Without ``metrics`` only characters and extents are read (baseline 0, size 1 for
        printed characters): enough to split a row without scripts into cells. A generated
        space separates consecutive ranges (extraction pieces), so that the last character
        of one piece never glues to the first of the next.
        """
        key = (tuple(ranges), metrics)
        cached = self._glyphs.get(key)
        if cached is not None:
            return cached
        c, tp, rect = self.c, self.tp, self._rect
        out: list[Glyph] = []
        self._glyphs[key] = out
        for start, end in ranges:
            if out and out[-1].char != " ":
                out.append(Glyph(" ", out[-1].right, out[-1].right, out[-1].baseline, 0.0))
            i = start
            while i <= end:
                code = c.FPDFText_GetUnicode(tp, i)
                step = 1
                if 0xD800 <= code < 0xDC00 and i < end:
                    low = c.FPDFText_GetUnicode(tp, i + 1)
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    step = 2
                if code not in (13, 10):
                    c.FPDFText_GetLooseCharBox(tp, i, rect)
                    char = _HYPHEN_MARK if code in (2, 0xFFFE) else chr(code) if code else " "
                    generated = char == " " and c.FPDFText_IsGenerated(tp, i) == 1
                    if generated and self._kerned_capital(out, i, end):
                        i += step
                        continue  # "V aultDebt": maths-italic kerning, not a word gap
                    if generated:
                        size, baseline = 0.0, 0.0
                    elif metrics:
                        size, baseline = self.font_size(i), self.baseline(i)
                    else:
                        size, baseline = 1.0, 0.0
                    out.append(Glyph(char, rect.left, rect.right, baseline, size))
                i += step
        return out

    def cell_texts(self, line: Line, spans: Sequence[tuple[float, float]]) -> list[str]:
        """Return the text of each cell of a table row (``spans`` are the cells' extents).

        The row's glyphs are split at the cell extents, so that each cell keeps its
        ``_{...}`` and ``^{...}``; a row without scripts reads only characters and extents.
        """
        buckets: list[list[Glyph]] = [[] for _ in spans]
        current = 0
        for row in line.rows:
            for glyph in self.glyphs(row, metrics=line.scripts):
                if glyph.size > 0 and not glyph.char.isspace():
                    centre = (glyph.left + glyph.right) / 2
                    current = min(
                        range(len(spans)),
                        key=lambda i: (
                            0.0
                            if spans[i][0] - 1 <= centre <= spans[i][1] + 1
                            else min(abs(centre - spans[i][0]), abs(centre - spans[i][1]))
                        ),
                    )
                buckets[current].append(glyph)
        return [clean_text(" ".join(render_glyphs(bucket).split())) for bucket in buckets]

    # --- bold -------------------------------------------------------------------------
    def _font_name(self, index: int) -> str:
        """Return the name of the font of the character at ``index`` (its flags: ``_flags``)."""
        size = self.c.FPDFText_GetFontInfo(self.tp, index, self._buf, len(self._buf), self._flags)
        return self._buf.raw[: max(0, int(size) - 1)].decode("latin-1", "replace")

    def is_bold(self, index: int) -> bool:
        """Whether the character at ``index`` is set in a bold font."""
        weight = int(self.c.FPDFText_GetFontWeight(self.tp, index))
        if weight >= _BOLD_WEIGHT or 0 < weight < _MEDIUM_WEIGHT:
            return weight >= _BOLD_WEIGHT  # a clear weight settles it without the font name
        # Unknown, or in between: LaTeX's "LMSans10-Bold" reports 510. The name decides.
        name = self._font_name(index).lower()
        return "bold" in name or "black" in name or bool(self._flags.value & _FORCE_BOLD_FLAG)

    def is_italic(self, index: int) -> bool:
        """Whether the character at ``index`` is set in an italic (text) font.

        Maths italic ("CMMI10") is the type of symbols, not of a subheading.
        """
        name = self._font_name(index).lower()
        if _MATH_ITALIC_FONT.search(name):
            return False
        return "ital" in name or "oblique" in name or bool(self._flags.value & _ITALIC_FLAG)

    def mark_bold(self, line: Line) -> None:
        """Set ``line.bold`` (first character) and ``line.bold_end`` (last visible one).

        A list's bullet glyph ("●", set in a symbol font) is not the first character: the
        weight is read from the first character after it.
        """
        start, end = line.char_index, line.end_index
        while start < end:
            ch = self.c.FPDFText_GetUnicode(self.tp, start)
            if ch > 32 and chr(ch) not in _BULLETS:
                break
            start += 1
        line.bold = self.is_bold(start)
        if not line.bold and NUMBERED.match(line.text):
            line.italic = self.is_italic(start) and self.is_italic(end)
        while end > line.char_index:
            ch = self.c.FPDFText_GetUnicode(self.tp, end)
            if ch > 32 and ch not in (0xFFFE,):
                break
            end -= 1
        line.bold_end = line.bold and self.is_bold(end)


def _rows(text: str, offset: int) -> list[tuple[int, int]]:
    """Index ranges of the printed rows of one extracted line, without outer spaces.

    PDFium joins a word hyphenated across two rows into one line, marking the hyphen with
    U+FFFE; the rows are split after each such mark.
    """
    if _HYPHEN_MARK not in text:
        body = text.strip()
        start = offset + _units(text[: len(text) - len(text.lstrip())])
        return [(start, start + _units(body) - 1)]
    pieces = text.split(_HYPHEN_MARK)
    rows: list[tuple[int, int]] = []
    position = offset
    for n, piece in enumerate(pieces):
        chunk = piece + (_HYPHEN_MARK if n < len(pieces) - 1 else "")
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        if body:
            start = position + _units(chunk[:lead])
            rows.append((start, start + _units(body) - 1))
        position += _units(chunk)
    return rows


def _looks_shifted(bottom: float, top: float, baseline: float, size: float) -> bool:
    """Whether a text object is small and set off its row's baseline (a script, maybe).

    A subscript or superscript object is shorter than two thirds of the font size (a full
    row with ascenders or descenders is taller) and lowered or raised; a short object on
    the baseline (``on``, ``a``) is ordinary text, and punctuation alone (quotes, hyphens,
    commas: under a third of the size) is ignored. False alarms only cost a glyph read.
    """
    if size <= 0:
        return False
    short = _TINY * size <= top - bottom < _SHORT * size
    return short and abs(bottom - baseline) > _SCRIPT_SHIFT * size


def _merge_visual_lines(lines: list[Line]) -> list[Line]:
    """Merge extracted lines that are one visual row (scripts stacked or shifted).

    PDFium starts a new line when a superscript is stacked over a subscript or when the
    baseline shifts back after a subscript. Such a piece overlaps the previous line's ink
    vertically and continues it horizontally: it starts at most one and a half ems after
    the row's end, and either starts with a smaller (script) glyph stacked anywhere over
    the row or, at full size, no more than three ems back from the row's end.
    """
    out: list[Line] = []
    for line in lines:
        if out and len(line.rows) == 1 and _same_visual_row(out[-1], line):
            base = out[-1]
            base.rows[-1].extend(line.rows[0])
            base.segments.extend(line.segments)
            base.text = f"{base.text} {line.text}"
            base.end_index = line.end_index
            if line.size > base.size and len(base.rows) == 1:
                base.top, base.bottom, base.size = line.top, line.bottom, line.size
                base.baseline = line.baseline
            base.left, base.right = min(base.left, line.left), max(base.right, line.right)
            base.ink_bottom = min(base.ink_bottom, line.ink_bottom)
            base.ink_top = max(base.ink_top, line.ink_top)
            base.scripts = base.merged = True
            base.raw = f"{base.raw} {line.raw}"
            base.math = is_math_line(base.raw)
        else:
            out.append(line)
    return out


def _same_visual_row(a: Line, b: Line) -> bool:
    low, high = max(a.ink_bottom, b.ink_bottom), min(a.ink_top, b.ink_top)
    smaller = min(a.ink_top - a.ink_bottom, b.ink_top - b.ink_bottom)
    if smaller <= 0 or high - low < 0.4 * smaller:
        return False
    em = max(a.size, b.size, 1.0)
    if not a.left - 2 <= b.left <= a.right + 1.5 * em:
        return False
    # A piece starting with a script may stack over anything the row holds; a piece at
    # full size continues the row after its end (the baseline came back from a script).
    return b.size < 0.85 * a.size or b.left >= a.right - 3 * em
