"""PDF tables rebuilt from text positions: regions, columns, rows and cells.

A PDF table is text objects at positions (ruling lines, when drawn, are separate paths
that are not read). Each cell is usually its own text object, so a table row is a line
whose text objects leave gaps wider than 0.8 ems (:func:`cells`). A **region** of such
lines becomes a table when its columns line up across rows:

* it starts after a caption line (``Table 1: ...``, ``Table - Weights``) or at a line with
  three or more cells, moved up over the wrapped lines of its header row; the caption's
  wrapped second line stays with the caption;
* it runs over lines with two or more cells and over short single-cell lines that sit
  inside a column (a wrapped cell), and stops at a caption, a numbered heading, a
  single-cell line across two columns or nearly as wide as the page's text, a formula
  below the rows (maths set beside a cell's text is a cell), or a vertical gap of more
  than three lines;
* columns are the bands where cells overlap horizontally (a wide lone cell joins the
  nearest column instead of bridging two); rows are lines closer than 1.35 ems to the
  row above (wrapped lines of one cell; table rows are padded further apart), so a header
  whose cells wrap onto several lines, or a three-line cell beside one-line cells, is one
  row;
* a region with a caption needs two rows of two filled cells; without a caption it needs
  three rows and three columns (two columns of ``label: value`` lines stay text).

:func:`build_table` returns the rows; the converter writes them as a Markdown pipe table
right below the caption paragraph, where :mod:`docsense.extraction.tables` finds both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import attrs

from docsense.adapters.convert._pdf_layout import NUMBERED, PART, Line

__all__ = ["CAPTION", "TableRegion", "build_table", "cells", "find_table_regions"]

CAPTION = re.compile(
    r"^(?:Table|Figure|Exhibit|Chart|Diagram)\b\s*(?:[A-Z]?\d+(?:\.\d+)*[A-Za-z]?|[A-Z])?"
    r"\s*(?:[:.\-\u2013\u2014(]|$)",
    re.IGNORECASE,
)
_NAMED_TABLE = re.compile(r"^[A-Z][\w\s,&()/-]{0,80}\b[Tt]able$")
_CELL_GAP = 0.8  # ems: a wider gap between text objects separates cells
_ROW_REACH, _ROW_DEPTH = 1.0, 0.35  # ems above / below a baseline that a row covers
_HEADER_LINES = 12  # at most this many wrapped header lines above a table's first row
_ROW_LOOKAHEAD = 8  # lines to look ahead for the rest of a row opened by one cell
_MAX_GAP = 3.2  # line heights: a wider vertical gap ends a table
_SPANNING = 0.4  # of the table's width: a lone cell this wide may span columns
_WIDE = 0.8  # of the page's text width: a single-cell line this wide is a paragraph

CellText = Callable[[Line, Sequence[tuple[float, float]]], list[str]]


@attrs.frozen
class TableRegion:
    """Lines ``start`` to ``end`` (exclusive) of a page form a table; ``caption`` is a line."""

    start: int
    end: int
    caption: int | None
    rows: tuple[tuple[str, ...], ...] = ()


def cells(line: Line) -> list[tuple[float, float]]:
    """Horizontal extents of a line's cells: its text objects joined across narrow gaps."""
    if not line.segments:
        return [(line.left, line.right)]
    gap = _CELL_GAP * max(line.size, 1.0)
    out: list[list[float]] = []
    for x0, x1 in sorted(line.segments):
        if out and x0 - out[-1][1] < gap:
            out[-1][1] = max(out[-1][1], x1)
        else:
            out.append([x0, x1])
    return [(a, b) for a, b in out]


def is_caption(line: Line) -> bool:
    """Whether ``line`` reads like a table or figure caption.

    ``Table 1: Weights``, ``Table - Components``, ``Figure 2``, or a short title that ends
    with the word *Table* (``Weight Mapping Table``).
    """
    if line.table or line.words > 30:
        return False
    return CAPTION.match(line.text) is not None or _NAMED_TABLE.match(line.text) is not None


class _Scanner:
    """One page's lines with their cells and caption flags computed once."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = lines
        self._cells: list[list[tuple[float, float]] | None] = [None] * len(lines)
        self._captions: list[bool | None] = [None] * len(lines)
        self.text_width = max((ln.right for ln in lines), default=0.0) - min(
            (ln.left for ln in lines), default=0.0
        )

    def cells(self, i: int) -> list[tuple[float, float]]:
        found = self._cells[i]
        if found is None:
            found = self._cells[i] = cells(self.lines[i])
        return found

    def caption(self, i: int) -> bool:
        found = self._captions[i]
        if found is None:
            found = self._captions[i] = is_caption(self.lines[i])
        return found

    def wide(self, i: int) -> bool:
        line = self.lines[i]
        return len(self.cells(i)) == 1 and line.right - line.left >= _WIDE * self.text_width


def find_table_regions(lines: Sequence[Line], cell_text: CellText) -> list[TableRegion]:
    """Return the tables of one page's lines, in order, with their rows filled in."""
    scan = _Scanner(lines)
    regions: list[TableRegion] = []
    i = 0
    while i < len(lines):
        caption: int | None = None
        start = i
        if scan.caption(i):
            caption = i
            start = _after_caption(scan, i)
        elif lines[i].math or len(scan.cells(i)) < 3:
            i += 1
            continue
        end = _region_end(scan, start)
        if caption is None:
            floor = regions[-1].end if regions else 0
            start = _header_start(scan, start, floor)
        grid = _grid(lines[start:end])
        if grid is not None and grid.acceptable(captioned=caption is not None):
            rows = _fill(lines[start:end], grid, cell_text)
            regions.append(TableRegion(start, end, caption, rows))
            i = end
        else:
            i = start if caption is not None and start > i else i + 1
    return regions


def _after_caption(scan: _Scanner, i: int) -> int:
    """Skip a caption's wrapped lines: close below, aligned with it, one cell."""
    lines = scan.lines
    caption = lines[i]
    j = i + 1
    while j < len(lines):
        line = lines[j]
        close = lines[j - 1].last_baseline - line.first_baseline <= 1.5 * max(caption.size, 1)
        if close and abs(line.left - caption.left) < 3 and len(scan.cells(j)) == 1:
            j += 1
        else:
            break
    return j


def _header_start(scan: _Scanner, start: int, floor: int) -> int:
    """Move a region's start up over the lines of its header row.

    A header whose cells wrap is extracted as several short lines, often out of order;
    the lines just before the first full row that stack up from it, each within 1.35 ems
    of the next (and the lowest within three ems of the row), belong to the table.
    """
    lines = scan.lines
    first = lines[start]
    candidates: list[int] = []
    k = start - 1
    while k >= floor and len(candidates) < _HEADER_LINES:
        line = lines[k]
        if scan.wide(k) or scan.caption(k) or line.math or line.table:
            break
        candidates.append(k)
        k -= 1
    reach = first.first_baseline + 3 * max(first.size, 1.0)
    members: set[int] = set()
    for k in sorted(candidates, key=lambda m: lines[m].first_baseline):
        line = lines[k]
        if first.first_baseline < line.first_baseline <= reach:
            members.add(k)
            reach = max(reach, line.first_baseline + _ROW_REACH * 1.35 * max(line.size, 1.0))
    while start - 1 in members:
        start -= 1
    return start


def _region_end(scan: _Scanner, start: int) -> int:
    lines = scan.lines
    j = start
    previous: Line | None = None
    seen: list[list[tuple[float, float]]] = []
    bands: list[tuple[float, float]] = []
    rows_seen = 0  # multi-cell lines the bands were computed from
    while j < len(lines):
        line = lines[j]
        parts = scan.cells(j)
        if scan.caption(j) or (j > start and _heading_like(line, parts)):
            break
        if previous is not None:
            gap = min(
                abs(previous.last_baseline - line.first_baseline),
                abs(previous.first_baseline - line.first_baseline),
            )
            if gap > _MAX_GAP * max(line.size, 1.0) * 1.2:
                break
            if line.math and gap > 1.5 * max(line.size, 1.0):
                break  # a formula below the table, not a cell beside its neighbours
        elif line.math:
            break
        if j > start and len(parts) == 1:
            if scan.wide(j):
                break
            x0, x1 = parts[0]
            multi = sum(1 for spans in seen if len(spans) > 1)
            if multi != rows_seen:
                bands, rows_seen = _bands(seen), multi
            covered = [min(x1, b1) - max(x0, b0) >= 0.5 * (b1 - b0) for b0, b1 in bands]
            if sum(covered) >= 2:
                break  # a line across the columns: text after the table
            if rows_seen and previous is not None and not _continues(scan, j, previous):
                break  # a line after the rows that opens no new row: text after the table
        seen.append(parts)
        previous = line
        j += 1
    return j


def _continues(scan: _Scanner, j: int, previous: Line) -> bool:
    """Whether a one-cell line below a table's rows still belongs to the table.

    It does when it wraps the cell above (closer than 1.5 ems to the previous line), or
    when it opens a row whose other cells follow: a line with several cells comes within
    the next few lines, close below it.
    """
    lines = scan.lines
    line = lines[j]
    em = max(line.size, 1.0)
    if previous.last_baseline - line.first_baseline <= 1.5 * em:
        return True
    for k in range(j + 1, min(j + _ROW_LOOKAHEAD, len(lines))):
        if scan.caption(k) or lines[k].first_baseline < line.first_baseline - 4 * em:
            return False
        if len(scan.cells(k)) > 1:
            return True
    return False


def _heading_like(line: Line, parts: Sequence[tuple[float, float]]) -> bool:
    """Tell whether a line is a numbered or lettered heading (number and title in one cell)."""
    if not (NUMBERED.match(line.text) or PART.match(line.text)):
        return False
    x0, x1 = parts[0]
    return x1 - x0 > 3 * max(line.size, 1.0)


def _bands(per_line: Sequence[Sequence[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Column bands of a table from the cells of its lines.

    Columns are where cells overlap; a wide lone cell (a wrapped cell's long line, a cell
    spanning columns) would bridge columns, so it is left out. A boundary between two bands
    must be seen in more lines (a cell ending left of it, another starting right of it)
    than there are lines with one cell across it; otherwise it is a wide word gap of
    justified text inside one column, and the two bands are one.
    """
    extents = [span for spans in per_line for span in spans]
    if not extents:
        return []
    width = max(x1 for _, x1 in extents) - min(x0 for x0, _ in extents)
    bands = _columns(
        [
            span
            for spans in per_line
            for span in spans
            if len(spans) > 1 or span[1] - span[0] < _SPANNING * width
        ]
    )
    merged = True
    while merged and len(bands) > 1:
        merged = False
        for k in range(len(bands) - 1):
            left, right = bands[k], bands[k + 1]
            witnesses = contradictions = 0
            for spans in per_line:
                if any(x0 < left[1] and x1 > right[0] for x0, x1 in spans):
                    contradictions += 1
                elif any(x1 <= left[1] + 0.5 and x1 > left[0] for _, x1 in spans) and any(
                    x0 >= right[0] - 0.5 and x0 < right[1] for x0, _ in spans
                ):
                    witnesses += 1
            if contradictions > witnesses:
                bands[k : k + 2] = [(left[0], max(left[1], right[1]))]
                merged = True
                break
    return bands


def _columns(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Merge overlapping cell extents into column bands."""
    bands: list[list[float]] = []
    for x0, x1 in sorted(spans):
        if bands and x0 < bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    return [(a, b) for a, b in bands]


@attrs.frozen
class _Grid:
    """Where a region's cells fall: column bands, and rows as groups of line indices."""

    bands: list[tuple[float, float]]
    rows: list[list[int]]
    spans: list[list[tuple[float, float]]]

    def filled(self) -> int:
        """Rows with two or more occupied columns."""
        count = 0
        for members in self.rows:
            columns = {_column_of(span, self.bands) for k in members for span in self.spans[k]}
            count += len(columns) >= 2
        return count

    def acceptable(self, *, captioned: bool) -> bool:
        """Whether the grid is a table: see the module docstring for the rules."""
        if captioned:
            return len(self.rows) >= 2 and self.filled() >= 2
        return len(self.rows) >= 3 and len(self.bands) >= 3 and self.filled() >= 3


def _grid(lines: Sequence[Line]) -> _Grid | None:
    if len(lines) < 2:
        return None
    per_line = [cells(line) for line in lines]
    bands = _bands(per_line)
    if len(bands) < 2:
        return None
    order = sorted(range(len(lines)), key=lambda k: -lines[k].first_baseline)
    rows: list[list[int]] = []
    low = 0.0
    for k in order:
        line = lines[k]
        size = max(line.size, 1.0)
        top = line.first_baseline + _ROW_REACH * size
        if rows and top >= low:
            rows[-1].append(k)
            low = min(low, line.last_baseline - _ROW_DEPTH * size)
        else:
            rows.append([k])
            low = line.last_baseline - _ROW_DEPTH * size
    return _Grid(bands, rows, per_line)


def build_table(lines: Sequence[Line], cell_text: CellText) -> tuple[tuple[str, ...], ...]:
    """Return the rows of the table the lines form (empty when they form none)."""
    grid = _grid(lines)
    return () if grid is None else _fill(lines, grid, cell_text)


def _fill(lines: Sequence[Line], grid: _Grid, cell_text: CellText) -> tuple[tuple[str, ...], ...]:
    table: list[tuple[str, ...]] = []
    for members in grid.rows:
        texts: list[list[str]] = [[] for _ in grid.bands]
        for k in sorted(members, key=lambda m: -lines[m].first_baseline):
            spans = grid.spans[k]
            for span, text in zip(spans, cell_text(lines[k], spans), strict=True):
                if text:
                    texts[_column_of(span, grid.bands)].append(text)
        table.append(tuple(" ".join(parts) for parts in texts))
    return tuple(table)


def _column_of(span: tuple[float, float], bands: Sequence[tuple[float, float]]) -> int:
    centre = (span[0] + span[1]) / 2
    for index, (x0, x1) in enumerate(bands):
        if x0 - 0.5 <= centre <= x1 + 0.5:
            return index
    return min(range(len(bands)), key=lambda i: abs((bands[i][0] + bands[i][1]) / 2 - centre))
