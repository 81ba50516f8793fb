"""Subscripts and superscripts of a PDF text line, rebuilt from glyph boxes.

A PDF has no notion of a subscript: ``Index Level`` followed by a smaller ``ITD`` set a little
lower is just glyphs at positions, and text extraction glues them into ``Index LevelITD``.
:func:`render_glyphs` takes the glyphs of one visual line (character, loose box) and writes
each run that is set smaller than the line's base text and shifted down or up as ``_{...}``
or ``^{...}`` attached to the text before it: ``Index Level_{ITD}``, ``Q_{i,ITD-1}``,
``w_{i,ITD}^{Lookthrough}``.

The base size is the largest font size of a letter or digit on the line (operators such as
``∑`` and brackets are often set larger and are ignored) and the base line is where those
letters stand; a glyph is a script when its font is less than 85% of the base size and its
own baseline sits more than a tenth of the base size below or above. Font sizes and
baselines are used rather than glyph boxes because maths fonts (Cambria Math) report boxes
several times taller than the text. Generated spaces (PDFium inserts them at gaps) take the
class of their neighbours; combining marks (``t̃``) stay with the letter before them.
"""

from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

import attrs

__all__ = ["Glyph", "render_glyphs"]

_BASE, _SUB, _SUP = 0, 1, 2
_SCRIPT_SIZE = 0.85
_SCRIPT_SHIFT = 0.1
_TOUCHING = 0.12  # of the size: glyphs closer than this have no space between them
_STACK_TOLERANCE = 1.5  # points: a subscript and a superscript starting this close are stacked
# Big operators whose limits are set under and over them: sum, product, integral, unions.
_OPERATORS = frozenset("\u2211\u220f\u2210\u222b\u222c\u222e\u22c3\u22c2\u22c1\u22c0")


class Glyph(NamedTuple):
    """One character: horizontal extent, baseline and font size (PDF points).

    ``size`` is 0 for the spaces PDFium generates at gaps. A named tuple: pages make
    thousands of them.
    """

    char: str
    left: float
    right: float
    baseline: float
    size: float


@attrs.define
class _Run:
    kind: int
    glyphs: list[Glyph]

    @property
    def left(self) -> float:
        return min((g.left for g in self.glyphs if g.size > 0), default=self.glyphs[0].left)

    @property
    def right(self) -> float:
        return max((g.right for g in self.glyphs if g.size > 0), default=self.glyphs[-1].right)

    @property
    def size(self) -> float:
        return max((g.size for g in self.glyphs), default=0.0)

    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)


def _classes(glyphs: Sequence[Glyph]) -> list[int | None]:
    letters = [g for g in glyphs if g.size > 0 and g.char.isalnum()]
    if not letters:
        return [_BASE] * len(glyphs)
    base = max(g.size for g in letters)
    baseline = statistics.median(g.baseline for g in letters if g.size >= 0.9 * base)
    shift = _SCRIPT_SHIFT * base
    kinds: list[int | None] = []
    for glyph in glyphs:
        small = glyph.size < _SCRIPT_SIZE * base
        if glyph.size <= 0 or glyph.char.isspace():
            kinds.append(None)
        elif unicodedata.combining(glyph.char) and kinds:
            kinds.append(kinds[-1])
        elif small and glyph.baseline <= baseline - shift:
            kinds.append(_SUB)
        elif small and glyph.baseline >= baseline + shift:
            kinds.append(_SUP)
        else:
            kinds.append(_BASE)
    # Spaces join a script only when the script continues on both sides of them.
    for i, kind in enumerate(kinds):
        if kind is None:
            before = next((k for k in reversed(kinds[:i]) if k is not None), _BASE)
            after = next((k for k in kinds[i + 1 :] if k is not None), _BASE)
            kinds[i] = before if before == after else _BASE
    return kinds


def _runs(glyphs: Sequence[Glyph], kinds: Sequence[int | None]) -> list[_Run]:
    runs: list[_Run] = []
    for glyph, kind in zip(glyphs, kinds, strict=True):
        k = _BASE if kind is None else kind
        if runs and runs[-1].kind == k:
            runs[-1].glyphs.append(glyph)
        else:
            runs.append(_Run(k, [glyph]))
    return runs


def _order(runs: list[_Run]) -> list[_Run]:
    """Sort the pieces of a row left to right.

    A script follows the text it starts after; one centred under or over a big operator
    (the limit set under a ``∑``) follows that operator, which cuts the base run there. Base runs
    otherwise stay whole (the two parts of a fraction sit at different heights and must not
    interleave), and of a subscript and a superscript stacked at one position the
    subscript comes first.
    """
    bases = [run for run in runs if run.kind == _BASE]
    keyed: list[tuple[float, int, _Run]] = []
    cuts: dict[int, set[int]] = {}
    for run in runs:
        if run.kind == _BASE:
            continue
        centre = (run.left + run.right) / 2
        key = run.left
        for b, base in enumerate(bases):
            for g, glyph in enumerate(base.glyphs):
                if glyph.char in _OPERATORS and glyph.left < centre < glyph.right:
                    cuts.setdefault(b, set()).add(g)
                    key = glyph.right - 0.01
        keyed.append((key, 0 if run.kind == _SUB else 1, run))
    for b, base in enumerate(bases):
        start = 0
        for g in [*sorted(cuts.get(b, ())), len(base.glyphs) - 1]:
            piece = _Run(_BASE, base.glyphs[start : g + 1])
            if piece.glyphs:
                keyed.append((piece.left, -1, piece))
            start = g + 1
    keyed.sort(key=lambda item: (round(item[0] / _STACK_TOLERANCE), item[1]))
    ordered: list[_Run] = []
    for _, _, piece in keyed:
        if ordered and ordered[-1].kind == piece.kind == _BASE:
            ordered[-1].glyphs.extend(piece.glyphs)
        else:
            ordered.append(piece)
    return ordered


def _drop_false_spaces(
    glyphs: Sequence[Glyph], kinds: Sequence[int | None]
) -> tuple[list[Glyph], list[int | None]]:
    """Drop spaces PDFium generated at a change of size where the glyphs touch.

    PDFium inserts a space when the font size changes (``x`` then a superscript ``2``
    then a comma); a space is real only where the printed glyphs leave a gap.
    """
    out_glyphs: list[Glyph] = []
    out_kinds: list[int | None] = []
    for i, glyph in enumerate(glyphs):
        if glyph.size <= 0 and glyph.char == " ":
            before = next((g for g in reversed(glyphs[:i]) if g.size > 0), None)
            after = next((g for g in glyphs[i + 1 :] if g.size > 0), None)
            if (
                before is not None
                and after is not None
                and before.size != after.size
                and after.left - before.right < _TOUCHING * max(before.size, after.size)
            ):
                continue
        out_glyphs.append(glyph)
        out_kinds.append(kinds[i])
    return out_glyphs, out_kinds


def render_glyphs(glyphs: Sequence[Glyph], *, reorder: bool = False) -> str:
    """Return the text of one visual line with scripts written as ``_{...}`` / ``^{...}``.

    ``reorder`` sorts runs by their horizontal position: needed when the glyphs come from
    several extracted lines that belong to one visual line (a superscript stacked over a
    subscript makes PDFium start a new line).
    """
    if not glyphs:
        return ""
    sizes = {g.size for g in glyphs if g.size > 0}
    if len(sizes) <= 1:
        return "".join(g.char for g in glyphs)  # one size: no scripts
    kinds = _classes(glyphs)
    if all(k == _BASE for k in kinds):
        return "".join(g.char for g in glyphs)
    glyphs, kinds = _drop_false_spaces(glyphs, kinds)
    runs = _runs(glyphs, kinds)
    if reorder:
        runs = _order(runs)
    out = ""
    previous: _Run | None = None
    for run in runs:
        text = run.text()
        if run.kind == _BASE:
            if (
                previous is not None
                and out
                and not out.endswith(" ")
                and not text.startswith(" ")
                and run.left - previous.right > 0.2 * run.size
            ):
                out += " "
            out += text
        else:
            inner = " ".join(text.split())
            if not inner:
                continue
            close = previous is not None and run.left - previous.right < 0.3 * previous.size
            if close or (out and not out.endswith(" ")):
                out = out.rstrip()
            out += ("_{" if run.kind == _SUB else "^{") + inner + "}"
        previous = run
    return out
