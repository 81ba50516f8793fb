"""Word styles and numbering, resolved through ``basedOn`` chains, and run formatting.

A paragraph's look comes from its runs (``w:rPr``), its paragraph style and the styles
that style is based on, and the document defaults. :class:`Styles` resolves the facts the
DOCX converter reads: style name, outline level, list numbering, and the bold weight and
font size a style gives; :func:`run_format` combines them with a run's own properties.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["W_NS", "Numbering", "Styles", "run_format"]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + W_NS + "}"
_ORDERED_FORMATS = frozenset(
    {"decimal", "decimalZero", "upperRoman", "lowerRoman", "upperLetter", "lowerLetter",
     "ordinal", "cardinalText", "ordinalText", "decimalEnclosedCircle"}
)  # fmt: skip
_OFF = frozenset({"0", "false", "off", "none"})


def _toggle(rpr: Any, tag: str) -> bool | None:
    """Read a boolean run property: True, False, or None when not set here."""
    if rpr is None:
        return None
    element = rpr.find(_W + tag)
    if element is None:
        return None
    return (element.get(_W + "val") or "true").lower() not in _OFF


def _half_points(rpr: Any) -> float | None:
    """Read a font size in points from ``w:sz`` (half-points); None when not set here."""
    if rpr is None:
        return None
    element = rpr.find(_W + "sz")
    value = element.get(_W + "val") if element is not None else None
    return int(value) / 2 if value and value.isdigit() else None


class Styles:
    """Style id -> (name, outline level, list kind) with basedOn inheritance resolved."""

    def __init__(self, styles_element: Any) -> None:
        self._raw: dict[str, tuple[str, int | None, bool, str | None]] = {}
        self._run: dict[str, tuple[bool | None, float | None]] = {}
        defaults = styles_element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        self.default_size = _half_points(defaults) or 10.0
        for style in styles_element.iterchildren(_W + "style"):
            style_id = style.get(_W + "styleId")
            if not style_id:
                continue
            name_el = style.find(_W + "name")
            name = name_el.get(_W + "val", "") if name_el is not None else style_id
            ppr = style.find(_W + "pPr")
            outline = None
            numbered = False
            if ppr is not None:
                lvl = ppr.find(_W + "outlineLvl")
                if lvl is not None and (lvl.get(_W + "val") or "").isdigit():
                    outline = int(lvl.get(_W + "val"))
                numbered = ppr.find(_W + "numPr") is not None
            based = style.find(_W + "basedOn")
            parent = based.get(_W + "val") if based is not None else None
            self._raw[style_id] = (name, outline, numbered, parent)
            rpr = style.find(_W + "rPr")
            self._run[style_id] = (_toggle(rpr, "b"), _half_points(rpr))

    def run_properties(self, style_id: str | None) -> tuple[bool | None, float | None]:
        """Return bold and size (points) a style chain sets for its runs (None: not set)."""
        bold: bool | None = None
        size: float | None = None
        for sid in self._chain(style_id):
            style_bold, style_size = self._run.get(sid, (None, None))
            bold = style_bold if bold is None else bold
            size = style_size if size is None else size
        return bold, size

    def name(self, style_id: str | None) -> str:
        """Return the style's name (``Heading 1``), or the id when the style is unknown."""
        if style_id is None:
            return "Normal"
        entry = self._raw.get(style_id)
        return entry[0] if entry else style_id

    def _chain(self, style_id: str | None) -> Iterator[str]:
        """Yield the style and the styles it is based on, nearest first (cycles cut)."""
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self._raw:
            seen.add(style_id)
            yield style_id
            style_id = self._raw[style_id][3]

    def outline_level(self, style_id: str | None) -> int | None:
        """Return the outline level (0-based) the style or a style it is based on sets."""
        return next(
            (level for sid in self._chain(style_id) if (level := self._raw[sid][1]) is not None),
            None,
        )

    def numbered(self, style_id: str | None) -> bool:
        """Whether the style (chain) attaches list numbering."""
        return any(self._raw[sid][2] for sid in self._chain(style_id))


class Numbering:
    """numId/ilvl -> whether the list level is ordered (numbers) or bullets."""

    def __init__(self, numbering_element: Any | None) -> None:
        self._formats: dict[tuple[str, int], str] = {}
        if numbering_element is None:
            return
        abstract: dict[str, dict[int, str]] = {}
        for an in numbering_element.iterchildren(_W + "abstractNum"):
            levels: dict[int, str] = {}
            for lvl in an.iterchildren(_W + "lvl"):
                fmt = lvl.find(_W + "numFmt")
                ilvl = lvl.get(_W + "ilvl", "0")
                if ilvl.isdigit():
                    levels[int(ilvl)] = fmt.get(_W + "val", "decimal") if fmt is not None else ""
            abstract[an.get(_W + "abstractNumId", "")] = levels
        for num in numbering_element.iterchildren(_W + "num"):
            ref = num.find(_W + "abstractNumId")
            if ref is None:
                continue
            for ilvl, fmt in abstract.get(ref.get(_W + "val", ""), {}).items():
                self._formats[(num.get(_W + "numId", ""), ilvl)] = fmt

    def ordered(self, num_id: str, ilvl: int) -> bool:
        """Whether the list level numbers its items (rather than bullets them)."""
        return self._formats.get((num_id, ilvl), "bullet") in _ORDERED_FORMATS


def run_format(run: Any, styles: Styles, paragraph_style: str | None) -> tuple[bool, float]:
    """Return a run's bold weight and size (points).

    The run's own properties win, then its character style, then the paragraph style
    chain, then the document defaults.
    """
    rpr = run.find(_W + "rPr")
    bold = _toggle(rpr, "b")
    size = _half_points(rpr)
    character = rpr.find(_W + "rStyle") if rpr is not None else None
    chain = [character.get(_W + "val")] if character is not None else []
    for style_id in [*chain, paragraph_style]:
        if bold is not None and size is not None:
            break
        style_bold, style_size = styles.run_properties(style_id)
        bold = style_bold if bold is None else bold
        size = style_size if size is None else size
    return bool(bold), size if size is not None else styles.default_size
