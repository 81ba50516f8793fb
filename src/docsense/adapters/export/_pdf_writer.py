"""A minimal PDF writer: standard fonts, positioned text, rules, compressed page streams.

No dependency: the six fonts are PDF standard fonts every reader has (Helvetica in four
styles, Courier, Symbol), so nothing is embedded. Text in the Latin fonts is WinAnsi
(cp1252); Greek letters and maths operators (``∑``, ``≤``, ``λ``) are set in Symbol; any
other character is written as ``?`` and counted in :attr:`PdfCanvas.substituted`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from enum import Enum

import attrs

from docsense.adapters.export._pdf_fonts import COURIER_WIDTH, HELVETICA, HELVETICA_BOLD, SYMBOL

__all__ = ["Font", "PdfCanvas", "pieces", "text_width", "unsupported"]


class Font(Enum):
    """The fonts the writer uses, with their PDF resource names."""

    REGULAR = ("F1", "Helvetica")
    BOLD = ("F2", "Helvetica-Bold")
    ITALIC = ("F3", "Helvetica-Oblique")
    BOLD_ITALIC = ("F4", "Helvetica-BoldOblique")
    MONO = ("F5", "Courier")
    SYMBOL = ("F6", "Symbol")

    @property
    def resource(self) -> str:
        """The name the page content uses (``F1``)."""
        return self.value[0]

    @property
    def base_font(self) -> str:
        """The standard font's name."""
        return self.value[1]


def _latin_width(font: Font, code: int) -> int:
    if font is Font.MONO:
        return COURIER_WIDTH
    table = HELVETICA_BOLD if font in (Font.BOLD, Font.BOLD_ITALIC) else HELVETICA
    return table[code - 32] if 32 <= code <= 255 else 500


def pieces(text: str, font: Font) -> Iterator[tuple[Font, bytes, int]]:
    """Split ``text`` into (font, encoded bytes, width in 1/1000 em) by the font it needs."""
    current: Font | None = None
    data = bytearray()
    width = 0
    for char in text:
        try:
            code = char.encode("cp1252")[0]
            use = font
            w = _latin_width(font, code)
        except UnicodeEncodeError:
            if char in SYMBOL:
                code, w = SYMBOL[char]
                use = Font.SYMBOL
            else:
                code, use, w = ord("?"), font, _latin_width(font, ord("?"))
        if current is not None and use is not current:
            yield current, bytes(data), width
            data, width = bytearray(), 0
        current = use
        data.append(code)
        width += w
    if current is not None and data:
        yield current, bytes(data), width


def unsupported(text: str) -> int:
    """Count the characters of ``text`` that no standard font can set (written as ``?``)."""
    count = 0
    for char in text:
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            count += char not in SYMBOL
    return count


def text_width(text: str, font: Font, size: float) -> float:
    """Width of ``text`` set in ``font`` at ``size`` points."""
    return sum(w for _, _, w in pieces(text, font)) * size / 1000


def _literal(data: bytes) -> bytes:
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


@attrs.define
class _Page:
    ops: list[bytes] = attrs.Factory(list)


class PdfCanvas:
    """Pages of positioned text and rules, serialised to PDF bytes."""

    width = 612.0
    height = 792.0

    def __init__(self) -> None:
        self._pages: list[_Page] = []
        self.substituted = 0

    @property
    def page_count(self) -> int:
        """Number of pages started so far."""
        return len(self._pages)

    def new_page(self) -> None:
        """Start a new page; later drawing goes to it."""
        self._pages.append(_Page())

    def text(
        self, x: float, y: float, text: str, font: Font, size: float, *, page: int = -1
    ) -> float:
        """Draw ``text`` with its baseline at ``y`` (on ``page``); return its width.

        Each run of one font is its own text object, as word processors write them.
        """
        ops = self._pages[page].ops
        advance = 0.0
        self.substituted += unsupported(text)
        for use, data, width in pieces(text, font):
            ops.append(
                b"BT /%s %.2f Tf 1 0 0 1 %.2f %.2f Tm (%s) Tj ET"
                % (use.resource.encode(), size, x + advance, y, _literal(data))
            )
            advance += width * size / 1000
        return advance

    def rule(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.5) -> None:
        """Draw a straight line."""
        self._pages[-1].ops.append(b"%.2f w %.2f %.2f m %.2f %.2f l S" % (width, x0, y0, x1, y1))

    def to_bytes(self, title: str | None = None) -> bytes:
        """Serialise every page to a PDF file."""
        fonts = list(Font)
        objects: list[bytes] = [b"", b""]  # catalog and page tree, filled in below
        font_ids = {}
        for font in fonts:
            encoding = b"" if font is Font.SYMBOL else b" /Encoding /WinAnsiEncoding"
            objects.append(
                b"<< /Type /Font /Subtype /Type1 /BaseFont /%s%s >>"
                % (font.base_font.encode(), encoding)
            )
            font_ids[font] = len(objects)
        resources = b"<< /Font << %s >> >>" % b" ".join(
            b"/%s %d 0 R" % (f.resource.encode(), font_ids[f]) for f in fonts
        )
        page_ids = []
        for page in self._pages:
            stream = zlib.compress(b"\n".join(page.ops))
            objects.append(
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
                % (len(stream), stream)
            )
            content = len(objects)
            objects.append(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                b"/Resources %s >>" % (int(self.width), int(self.height), content, resources)
            )
            page_ids.append(len(objects))
        objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
        objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            b" ".join(b"%d 0 R" % i for i in page_ids),
            len(page_ids),
        )
        info = b"<< /Producer (docsense)"
        if title:
            info += b" /Title <FEFF%s>" % title.encode("utf-16-be").hex().upper().encode()
        objects.append(info + b" >>")
        info_id = len(objects)
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            info_id,
            xref,
        )
        return bytes(out)
