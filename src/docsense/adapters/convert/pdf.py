"""PDF input via PDFium (pypdfium2): text in reading order, headings, lists, maths lines.

Engine choice, measured (research/conversion.md and ``benchmarks/ingest.py``): PDFium
extracts text about 20x faster than pypdf (~400 vs ~20 pages/s on the seed PDFs) at lower
memory, under a permissive licence. Per line, only the first character's box and, for
heading candidates, the font weight are read through the C API, so structure costs little
over plain extraction.

What comes out:

* headings from bold numbered lines and bold capital lines (see :mod:`._pdf_layout`),
  with page provenance;
* paragraphs split at vertical gaps; ``•``-style bullets as Markdown list items;
* running headers, footers and page numbers removed;
* maths (Word equations exported to PDF) kept in reading order as linear text, its
  maths-italic letters mapped to plain letters, in its own block; PDFs carry no equation
  markup, so there is no LaTeX for them and a warning says so;
* tables are **not** reconstructed (cells come out as text lines); a warning names the
  pages with table captions.

Errors: a password-protected file raises :class:`~docsense.errors.EncryptedDocument`; a
file without its ``%%EOF`` trailer (truncated) or that PDFium cannot open raises
:class:`~docsense.errors.CorruptDocument`; more pages than the limit raises
:class:`~docsense.errors.TooManyPages` before any page is parsed; no text at all (a scan)
raises :class:`~docsense.errors.EmptyDocument`.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import statistics
from typing import Any

import attrs

from docsense.adapters.convert._builder import MarkdownBuilder, count_words, escape_line_start
from docsense.adapters.convert._model import ConvertedDocument, Deadline, IngestLimits, MediaType
from docsense.adapters.convert._pdf_layout import (
    NUMBERED,
    Line,
    NumberingLevels,
    astral_count,
    caps_candidate,
    is_math_line,
    is_toc_line,
    linearise_math,
    page_furniture,
)
from docsense.errors import CorruptDocument, EmptyDocument, EncryptedDocument, TooManyPages

__all__ = ["PdfConverter"]

_BULLET = re.compile(r"^[\u2022\u25cf\u25e6\u25aa\u25a0\u2023\u2043\uf0b7\uf0a7\u00b7o]\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SOFT_HYPHEN = re.compile(r"(?<=[a-z])\ufffe(?=[a-z])")
_BOLD_WEIGHT = 600
_FORCE_BOLD_FLAG = 1 << 18
_PARAGRAPH_GAP = 1.45


def _clean(text: str) -> str:
    text = _SOFT_HYPHEN.sub("", text).replace("\ufffe", "-").replace("\u00ad", "")
    return _CONTROL.sub("", text)


class _Page:
    """Text lines of one page with lazy font queries."""

    def __init__(self, pdfium_c: Any, textpage: Any, number: int) -> None:
        self.c = pdfium_c
        self.tp = textpage
        self.number = number
        self.rect = pdfium_c.FS_RECTF()
        self.buf = ctypes.create_string_buffer(96)
        self.flags = ctypes.c_int()

    def lines(self) -> list[Line]:
        raw = self.tp.get_text_range()
        astral = astral_count(raw) > 0
        out: list[Line] = []
        offset = 0  # index into PDFium's char array (UTF-16 units)
        for text in raw.split("\r\n"):
            width = len(text) + (astral_count(text) if astral else 0)
            stripped = text.strip()
            if stripped:
                lead = len(text) - len(text.lstrip())
                index = offset + lead + (astral_count(text[:lead]) if astral else 0)
                end = offset + width - 1
                line = Line(_clean(stripped), self.number, char_index=index, end_index=end)
                if self.c.FPDFText_GetLooseCharBox(self.tp, index, self.rect):
                    line.top, line.bottom = self.rect.top, self.rect.bottom
                    line.left = self.rect.left
                out.append(line)
            offset += width + 2
        return out

    def is_bold(self, index: int) -> bool:
        weight = int(self.c.FPDFText_GetFontWeight(self.tp, index))
        if weight >= _BOLD_WEIGHT:
            return True
        size = self.c.FPDFText_GetFontInfo(self.tp, index, self.buf, len(self.buf), self.flags)
        name = self.buf.raw[: max(0, int(size) - 1)].decode("latin-1", "replace").lower()
        return "bold" in name or "black" in name or bool(self.flags.value & _FORCE_BOLD_FLAG)

    def mark_bold(self, line: Line) -> None:
        line.bold = self.is_bold(line.char_index)
        end = line.end_index
        while end > line.char_index:
            ch = self.c.FPDFText_GetUnicode(self.tp, end)
            if ch > 32 and ch not in (0xFFFE,):
                break
            end -= 1
        line.bold_end = line.bold and self.is_bold(end)


def _open(data: bytes, filename: str) -> Any:
    import pypdfium2 as pdfium

    if b"%%EOF" not in data[-2048:]:
        raise CorruptDocument(filename, "PDF is truncated: no %%EOF trailer at the end")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (4, 5):  # FPDF_ERR_PASSWORD, FPDF_ERR_SECURITY
            raise EncryptedDocument(
                filename, "PDF is password protected; remove the password and upload again"
            ) from exc
        raise CorruptDocument(filename, f"PDF cannot be read: {exc}") from exc


class _Renderer:
    """Turn classified lines into Markdown blocks."""

    def __init__(self) -> None:
        self.builder = MarkdownBuilder()
        self.levels = NumberingLevels()
        self.math_lines = 0
        self.first_heading: str | None = None

    def heading(self, text: str, level: int, page: int) -> None:
        self.builder.heading(text, level, page=page)
        if self.first_heading is None:
            self.first_heading = " ".join(text.split())


def _headings(
    page: _Page, lines: list[Line], breaks: set[int]
) -> dict[int, tuple[str, int | None, int]]:
    """Return {first line index: (heading text, number length or None, lines used)}.

    Wrapped heading lines are merged only when no paragraph gap separates them.
    """
    found: dict[int, tuple[str, int | None, int]] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text
        numbered = NUMBERED.match(text)
        if len(text) > 160 or is_toc_line(text) or not (numbered or caps_candidate(text)):
            i += 1
            continue
        page.mark_bold(line)
        if not line.bold:
            i += 1
            continue
        if numbered:
            ok = (line.bold_end or ":" in text) and not text.endswith((",", ";"))
            used = 1
            if (
                ok
                and line.bold_end
                and len(text) >= 60
                and i + 1 < len(lines)
                and i + 1 not in breaks
            ):
                nxt = lines[i + 1]
                if len(nxt.text.split()) <= 6 and not NUMBERED.match(nxt.text):
                    page.mark_bold(nxt)
                    if nxt.bold and nxt.bold_end:
                        text = f"{text} {nxt.text}"
                        used = 2
            if ok:
                found[i] = (text, len(numbered.group("num")), used)
            i += used
            continue
        # Capitals: merge up to three wrapped bold capital lines.
        block = [line]
        j = i + 1
        while (
            j < len(lines)
            and len(block) < 4
            and j not in breaks
            and not block[-1].text.endswith((".", ",", ";", ":"))
            and caps_candidate(lines[j].text)
            and not NUMBERED.match(lines[j].text)
        ):
            page.mark_bold(lines[j])
            if not lines[j].bold:
                break
            block.append(lines[j])
            j += 1
        joined = " ".join(b.text for b in block)
        if (
            len(block) <= 3
            and all(b.bold_end for b in block)
            and len(joined.split()) <= 16
            and not joined.endswith((".", ",", ";", ":"))
        ):
            found[i] = (joined, None, len(block))
        i += len(block)
    return found


def _paragraph_breaks(lines: list[Line]) -> set[int]:
    """Return indices of lines that start a new paragraph (a taller gap than usual above)."""
    pitches = [
        prev.bottom - cur.bottom
        for prev, cur in itertools.pairwise(lines)
        if prev.bottom - cur.bottom > 0
    ]
    if not pitches:
        return set()
    if len(pitches) >= 5:
        typical = statistics.median(pitches)
    else:  # too few lines to learn the leading: assume 1.25 x the line height
        typical = 1.25 * statistics.median(max(ln.top - ln.bottom, 0.1) for ln in lines)
    return {
        k
        for k in range(1, len(lines))
        if (pitch := lines[k - 1].bottom - lines[k].bottom) > typical * _PARAGRAPH_GAP
        or pitch < -typical
    }


@attrs.frozen
class _PageLayout:
    number: int
    lines: list[Line]
    breaks: set[int]
    headings: dict[int, tuple[str, int | None, int]]


class PdfConverter:
    """Converter for PDF via PDFium."""

    media_types: tuple[MediaType, ...] = (MediaType.PDF,)

    def convert(
        self, data: bytes, filename: str, limits: IngestLimits, deadline: Deadline
    ) -> ConvertedDocument:
        """Open, check limits, extract lines page by page, and write Markdown."""
        import pypdfium2.raw as pdfium_c

        pdf = _open(data, filename)
        try:
            count = len(pdf)
            if count > limits.max_pages:
                raise TooManyPages(
                    filename,
                    f"PDF has {count} pages, over the limit of {limits.max_pages} "
                    "(IngestLimits.max_pages); split it or raise the limit",
                )
            layouts: list[_PageLayout] = []
            for number in range(count):
                deadline.check()
                page = pdf[number]
                textpage = page.get_textpage()
                try:
                    wrapper = _Page(pdfium_c, textpage, number + 1)
                    lines = wrapper.lines()
                    breaks = _paragraph_breaks(lines)
                    headings = _headings(wrapper, lines, breaks)
                finally:
                    textpage.close()
                    page.close()
                layouts.append(_PageLayout(number + 1, lines, breaks, headings))
            metadata = pdf.get_metadata_dict(skip_empty=True)
        finally:
            pdf.close()
        furniture = page_furniture([layout.lines for layout in layouts])
        renderer = _Renderer()
        for page_index, layout in enumerate(layouts):
            skip = {k for p, k in furniture if p == page_index}
            _render_page(renderer, layout, skip)
        markdown, sections, anchors = renderer.builder.build()
        words = count_words(markdown)
        if words == 0:
            raise EmptyDocument(filename, "PDF has no text layer (a scan?); OCR is not supported")
        warnings = _warnings(layouts, renderer)
        return ConvertedDocument(
            filename=filename,
            media_type=MediaType.PDF,
            markdown=markdown,
            sections=sections,
            anchors=anchors,
            title=(metadata.get("Title") or "").strip() or renderer.first_heading,
            author=(metadata.get("Author") or "").strip() or None,
            pages=count,
            words=words,
            warnings=warnings,
        )


def _render_page(renderer: _Renderer, layout: _PageLayout, skip: set[int]) -> None:
    builder = renderer.builder
    builder.anchor(page=layout.number)
    lines, breaks, headings = layout.lines, layout.breaks, layout.headings
    number = layout.number
    block: list[str] = []
    math_block: list[str] = []

    def flush() -> None:
        if block:
            builder.block("\n".join(block))
            block.clear()
        if math_block:
            builder.block("\n".join(math_block))
            math_block.clear()

    k = 0
    while k < len(lines):
        if k in skip:
            k += 1
            continue
        if k in headings:
            flush()
            text, number_length, used = headings[k]
            if number_length is None:
                renderer.levels.reset()
                renderer.heading(text, 1, number)
            else:
                level = renderer.levels.level(text[:number_length])
                renderer.heading(text, level + 1, number)
            k += used
            continue
        text = lines[k].text
        if is_math_line(text):
            if block:
                builder.block("\n".join(block))
                block.clear()
            renderer.math_lines += 1
            math_block.append(linearise_math(text))
            k += 1
            continue
        if math_block:
            builder.block("\n".join(math_block))
            math_block.clear()
        bullet = _BULLET.match(text)
        if bullet or k in breaks:
            flush()
        block.append("- " + text[bullet.end() :] if bullet else escape_line_start(text))
        k += 1
    flush()


def _warnings(layouts: list[_PageLayout], renderer: _Renderer) -> tuple[str, ...]:
    warnings = []
    table_pages = sorted(
        {ln.page for layout in layouts for ln in layout.lines if ln.text.startswith("Table")}
    )
    if table_pages:
        shown = ", ".join(str(p) for p in table_pages[:20])
        more = " ..." if len(table_pages) > 20 else ""
        warnings.append(
            "PDF tables are not reconstructed: their cells appear as lines of text "
            f"(table captions on pages {shown}{more})"
        )
    else:
        warnings.append("PDF tables, if any, are not reconstructed: cells appear as text lines")
    if renderer.math_lines:
        warnings.append(
            f"{renderer.math_lines} lines of PDF maths kept as linear text in reading order "
            "(PDF has no equation markup, so no LaTeX); check fractions and sub/superscripts"
        )
    return tuple(warnings)
