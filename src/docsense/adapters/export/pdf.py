"""Markdown to PDF with the standard PDF fonts: headings, paragraphs, lists, tables, maths.

:func:`markdown_to_pdf` lays out the blocks of :mod:`._markdown` on US-letter pages the
way word processors print them, so that the PDF converter meets what it meets in real
files: headings in bold and larger type, paragraphs wrapped and set apart by a gap, ``•``
bullets, pipe tables as ruled grids with one text object per cell line, subscripts and
superscripts (``Level_{ITD}``, ``$x^2$``) smaller and lowered or raised on real glyph
positions, footnotes in small type at the bottom of the page that refers to them, and
``Page n of N`` footers.

No dependency: only the standard fonts every PDF reader has (Helvetica, Courier, and
Symbol for Greek letters and maths operators) are used, nothing is embedded. A character
none of them can set is written as ``?`` and logged (:mod:`._pdf_writer`).
"""

from __future__ import annotations

import logging
import re

import attrs

from docsense.adapters.export._markdown import (
    Code,
    Formula,
    Heading,
    ListItem,
    Note,
    Paragraph,
    Run,
    Table,
    read_blocks,
    read_runs,
)
from docsense.adapters.export._pdf_writer import Font, PdfCanvas, text_width

__all__ = ["markdown_to_pdf"]

logger = logging.getLogger(__name__)

_BODY, _LEADING, _GAP = 10.0, 12.5, 8.0
_LEFT = 72.0
_TEXT_WIDTH = PdfCanvas.width - 2 * _LEFT
_TOP = PdfCanvas.height - 72.0
_BOTTOM = 72.0
_HEADING_SIZE = {1: 20.0, 2: 17.0, 3: 15.0, 4: 13.5, 5: 12.5, 6: 11.5}
_NOTE_SIZE, _NOTE_LEADING = 8.0, 10.0
_SCRIPT_SCALE, _SUB_SHIFT, _SUP_SHIFT = 0.7, -0.25, 0.38
_PAD = 4.0
_CODE_SIZE, _CODE_LEADING = 9.0, 11.0
_SPACE = re.compile(r"(\s+)")


@attrs.frozen
class _Word:
    """A piece of a line: text in one style, whether a space precedes it, notes it cites."""

    text: str
    font: Font
    size: float
    rise: float
    space: bool
    width: float
    notes: tuple[str, ...] = ()


def _font(run: Run, bold: bool) -> Font:
    if run.code:
        return Font.MONO
    heavy = bold or run.bold
    if run.italic:
        return Font.BOLD_ITALIC if heavy else Font.ITALIC
    return Font.BOLD if heavy else Font.REGULAR


def _words(text: str, size: float, *, bold: bool = False) -> list[_Word]:
    words: list[_Word] = []
    pending_space = False
    for run in read_runs(text):
        font = _font(run, bold)
        small = run.script is not None or run.note is not None
        run_size = size * _SCRIPT_SCALE if small else size
        rise = size * (_SUB_SHIFT if run.script == "sub" else _SUP_SHIFT) if small else 0.0
        content = run.note if run.note is not None else run.text
        notes = (run.note,) if run.note is not None else ()
        for token in _SPACE.split(content):
            if not token:
                continue
            if token.isspace():
                pending_space = True
                continue
            width = text_width(token, font, run_size)
            words.append(_Word(token, font, run_size, rise, pending_space, width, notes))
            pending_space = False
    return words


def _wrap(words: list[_Word], width: float) -> list[list[_Word]]:
    """Greedy line breaking; words glued without a space (scripts) never split."""
    lines: list[list[_Word]] = []
    line: list[_Word] = []
    used = 0.0
    for word in words:
        gap = text_width(" ", word.font, word.size) if word.space and line else 0.0
        if line and word.space and used + gap + word.width > width:
            lines.append(line)
            line, used, gap = [], 0.0, 0.0
        line.append(word)
        used += gap + word.width
    if line:
        lines.append(line)
    return lines


class _Layout:
    """Place blocks top-down on pages; footnotes at the bottom of the page citing them."""

    def __init__(self, notes: dict[str, str]) -> None:
        self.canvas = PdfCanvas()
        self.notes = notes
        self.placed: set[str] = set()
        self.page_notes: list[tuple[str, list[list[_Word]]]] = []
        self.reserve = 0.0
        self.y = 0.0
        self._new_page()

    # --- pages --------------------------------------------------------------------------
    def _new_page(self) -> None:
        if self.canvas.page_count:
            self._finish_page()
        self.canvas.new_page()
        self.y = _TOP - _BODY
        self.reserve = 0.0
        self.page_notes = []

    def _finish_page(self) -> None:
        if not self.page_notes:
            return
        y = _BOTTOM + self.reserve - _NOTE_LEADING
        self.canvas.rule(_LEFT, y + _NOTE_LEADING, _LEFT + 144, y + _NOTE_LEADING)
        for _, lines in self.page_notes:
            for line in lines:
                self._draw(line, _LEFT, y)
                y -= _NOTE_LEADING

    def _room(self, height: float) -> None:
        if self.y - height < _BOTTOM + self.reserve:
            self._new_page()

    def at_top(self) -> bool:
        """Whether nothing has been placed on the current page yet."""
        return self.y >= _TOP - _BODY

    # --- text -------------------------------------------------------------------------
    def _draw(self, line: list[_Word], x: float, y: float) -> None:
        for k, word in enumerate(line):
            if word.space and k:
                x += text_width(" ", word.font, word.size)
            x += self.canvas.text(x, y + word.rise, word.text, word.font, word.size)

    def _note_lines(self, label: str) -> list[list[_Word]]:
        text = "^{" + label + "} " + self.notes.get(label, "")
        return _wrap(_words(text, _NOTE_SIZE), _TEXT_WIDTH)

    def lines(self, lines: list[list[_Word]], x: float, leading: float) -> None:
        """Place wrapped lines, reserving room for the footnotes they cite."""
        for line in lines:
            cited = [n for w in line for n in w.notes if n in self.notes and n not in self.placed]
            extra = [(label, self._note_lines(label)) for label in dict.fromkeys(cited)]
            height = sum(len(note) for _, note in extra) * _NOTE_LEADING
            self._room(leading + height + (_NOTE_LEADING if extra and not self.page_notes else 0))
            if extra:
                self.reserve += height + (0 if self.page_notes else _NOTE_LEADING)
                self.page_notes.extend(extra)
                self.placed.update(label for label, _ in extra)
            self._draw(line, x, self.y)
            self.y -= leading

    def gap(self, height: float) -> None:
        """Leave vertical space (dropped at the top of a page)."""
        if not self.at_top():
            self.y -= height

    # --- blocks -----------------------------------------------------------------------
    def heading(self, block: Heading) -> None:
        size = _HEADING_SIZE.get(block.level, _BODY)
        self.gap(size * 0.6)
        self._room(size + 3 * _LEADING)  # keep the heading with what follows
        self.lines(_wrap(_words(block.text, size, bold=True), _TEXT_WIDTH), _LEFT, size * 1.25)
        self.y -= _GAP * 0.5

    def paragraph(self, text: str, x: float = _LEFT, width: float = _TEXT_WIDTH) -> None:
        self.lines(_wrap(_words(text, _BODY), width), x, _LEADING)
        self.y -= _GAP

    def list_item(self, block: ListItem, number: int) -> None:
        indent = _LEFT + 18 * block.depth
        marker = f"{number}." if block.ordered else "\u2022"
        self.lines(_wrap(_words(f"{marker} {block.text}", _BODY), _TEXT_WIDTH - 18 * block.depth),
                   indent, _LEADING)  # fmt: skip
        self.y -= 3

    def code(self, block: Code) -> None:
        columns = int(_TEXT_WIDTH / (_CODE_SIZE * 0.6))
        for raw in block.text.split("\n") or [""]:
            for start in range(0, max(len(raw), 1), columns):
                self._room(_CODE_LEADING)
                self.canvas.text(_LEFT, self.y, raw[start : start + columns], Font.MONO, _CODE_SIZE)
                self.y -= _CODE_LEADING
        self.y -= _GAP

    def formula(self, block: Formula) -> None:
        self.paragraph(f"${block.text}$", _LEFT + 36, _TEXT_WIDTH - 36)

    def table(self, block: Table) -> None:
        columns = max(len(row) for row in block.rows)
        natural = [40.0] * columns
        for r, row in enumerate(block.rows):
            for c, text in enumerate(row):
                words = _words(text, _BODY, bold=r == 0)
                wide = sum(w.width for w in words) + 3 * len(words) + 2 * _PAD
                natural[c] = max(natural[c], min(wide, _TEXT_WIDTH))
        scale = min(1.0, _TEXT_WIDTH / sum(natural))
        widths = [w * scale for w in natural]
        for r, row in enumerate(block.rows):
            grid: list[list[list[_Word]]] = []
            for c in range(columns):
                words = _words(row[c] if c < len(row) else "", _BODY, bold=r == 0)
                grid.append(_wrap(words, widths[c] - 2 * _PAD))
            height = max(len(lines) for lines in grid) * _LEADING + 2 * _PAD
            self._room(height)
            top = self.y + _BODY
            x = _LEFT
            for c, lines in enumerate(grid):
                y = self.y - _PAD
                for line in lines:
                    self._draw(line, x + _PAD, y)
                    y -= _LEADING
                x += widths[c]
            bottom = top - height
            self.canvas.rule(_LEFT, top, _LEFT + sum(widths), top)
            self.canvas.rule(_LEFT, bottom, _LEFT + sum(widths), bottom)
            x = _LEFT
            for width in [0.0, *widths]:
                x += width
                self.canvas.rule(x, top, x, bottom)
            self.y -= height
        self.y -= _GAP

    def finish(self) -> None:
        """Place notes never cited, close the last page and number every page."""
        left = [label for label in self.notes if label not in self.placed]
        if left:
            extra = [(label, self._note_lines(label)) for label in left]
            height = sum(len(lines) for _, lines in extra) * _NOTE_LEADING + _NOTE_LEADING
            self._room(height)
            self.reserve += height if not self.page_notes else height - _NOTE_LEADING
            self.page_notes.extend(extra)
        self._finish_page()
        total = self.canvas.page_count
        for index in range(total):
            footer = f"Page {index + 1} of {total}"
            x = (PdfCanvas.width - text_width(footer, Font.REGULAR, 8)) / 2
            self.canvas.text(x, 40, footer, Font.REGULAR, 8, page=index)


def markdown_to_pdf(markdown: str, title: str | None = None) -> bytes:
    """Return a PDF file (bytes) with the content of ``markdown``; ``title`` goes to its info."""
    blocks = read_blocks(markdown)
    layout = _Layout({b.label: b.text for b in blocks if isinstance(b, Note)})
    number = 0
    previous: object = None
    for block in blocks:
        number = number + 1 if isinstance(block, ListItem) and block.ordered else 0
        if isinstance(previous, ListItem) and not isinstance(block, ListItem):
            layout.gap(_GAP)  # a list ends with a paragraph gap, as in word processors
        previous = block
        if isinstance(block, Heading):
            layout.heading(block)
        elif isinstance(block, Paragraph):
            layout.paragraph(block.text)
        elif isinstance(block, ListItem):
            layout.list_item(block, number)
        elif isinstance(block, Table):
            layout.table(block)
        elif isinstance(block, Code):
            layout.code(block)
        elif isinstance(block, Formula):
            layout.formula(block)
    layout.finish()
    if layout.canvas.substituted:
        logger.warning(
            "%d characters have no glyph in the standard PDF fonts and were written as '?'",
            layout.canvas.substituted,
        )
    return layout.canvas.to_bytes(title)
