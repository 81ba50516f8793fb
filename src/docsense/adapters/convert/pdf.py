"""PDF input via PDFium (pypdfium2): text in reading order with the document's structure.

Engine choice, measured (research/conversion.md and ``benchmarks/ingest.py``): PDFium
extracts text about 20x faster than pypdf at lower memory, under a permissive licence.
Conversion runs in two passes. The first reads each page once through PDFium
(:mod:`._pdf_page`): lines, their font size and text-object boxes, bold for the short lines
that might be headings, glyph boxes for the lines that carry sub- or superscripts, and
tables (:mod:`._pdf_tables`). The second pass is pure layout logic over those facts, once
the document's body font size is known:

* running headers, footers and page numbers removed (:func:`._pdf_layout.page_furniture`);
* the title from real metadata or the first pages' most prominent text (:mod:`._pdf_title`);
* headings - numbered, lettered (``Section C:``, ``Annex 2``), capitals, larger or bold
  standalone lines - nested consistently (:mod:`._pdf_headings`), with page provenance;
  a list of headings repeated later in the document (a contents list) stays body text;
* paragraphs split at vertical gaps; ``•``-style bullets as Markdown list items;
* subscripts and superscripts as ``_{...}`` / ``^{...}`` (:mod:`._pdf_scripts`), maths
  letters mapped to plain ones everywhere, maths lines in their own block (PDFs carry no
  equation markup, so there is no LaTeX and a warning says so);
* tables as pipe tables with their caption line right above, where columns line up;
* footnotes: markers as ``[^n]``, their text moved out of the body into ``[^n]: text``
  definitions (:mod:`._pdf_notes`).

Errors: a password-protected file raises :class:`~docsense.errors.EncryptedDocument`; a
file without its ``%%EOF`` trailer (truncated) or that PDFium cannot open raises
:class:`~docsense.errors.CorruptDocument`; more pages than the limit raises
:class:`~docsense.errors.TooManyPages` before any page is parsed; no text at all (a scan)
raises :class:`~docsense.errors.EmptyDocument`.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from docsense.adapters.convert._builder import (
    MarkdownBuilder,
    count_words,
    escape_line_start,
    table_markdown,
)
from docsense.adapters.convert._model import ConvertedDocument, Deadline, IngestLimits, MediaType
from docsense.adapters.convert._pdf_headings import (
    Heading,
    HeadingLevels,
    find_headings,
    needs_weight,
    out_of_sequence,
)
from docsense.adapters.convert._pdf_layout import (
    BULLETS,
    Line,
    body_size,
    page_furniture,
    paragraph_breaks,
    typical_pitch,
)
from docsense.adapters.convert._pdf_notes import FootnoteLabels, mark_references, split_footnotes
from docsense.adapters.convert._pdf_page import PdfPage
from docsense.adapters.convert._pdf_tables import find_table_regions, is_caption
from docsense.adapters.convert._pdf_title import title_from_pages
from docsense.adapters.convert._titles import real_title
from docsense.errors import CorruptDocument, EmptyDocument, EncryptedDocument, TooManyPages

__all__ = ["PdfConverter"]

# How far right of its bullet a list item's wrapped line must start to stay in the item (pt).
_ITEM_TOLERANCE = 1.0
# Word's second-level bullet is a letter o: a bullet only before a capital (o is also a
# variable: "Observation Date o shall be ...").
_BULLET = re.compile(rf"^(?:[{BULLETS}]\s+|o\s+(?=[A-Z]))")


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


@attrs.define
class _PageLayout:
    """One page after the first pass, then filled in by the second."""

    number: int
    lines: list[Line]
    breaks: set[int] = attrs.Factory(set)
    headings: dict[int, Heading] = attrs.Factory(dict)


def _read_pages(pdf: Any, deadline: Deadline) -> list[_PageLayout]:
    """First pass: every page's lines with the facts the layout rules need."""
    import pypdfium2.raw as pdfium_c

    layouts: list[_PageLayout] = []
    for index in range(len(pdf)):
        deadline.check()
        page = pdf[index]
        textpage = page.get_textpage()
        try:
            reader = PdfPage(pdfium_c, textpage, index + 1, float(page.get_height()))
            lines = _with_tables(reader.lines(), reader)
            for line in lines:
                if needs_weight(line):
                    reader.mark_bold(line)
        finally:
            textpage.close()
            page.close()
        layouts.append(_PageLayout(index + 1, lines))
    return layouts


def _with_tables(lines: list[Line], reader: PdfPage) -> list[Line]:
    """Replace the lines of each table found on the page by one line holding its rows."""
    regions = find_table_regions(lines, reader.cell_texts)
    if not regions:
        return lines
    out: list[Line] = []
    position = 0
    for region in regions:
        out.extend(lines[position : region.start])
        first = lines[region.start]
        table = attrs.evolve(first, text=" ".join(" ".join(row) for row in region.rows))
        table.table = region.rows
        out.append(table)
        position = region.end
    out.extend(lines[position:])
    return out


class PdfConverter:
    """Converter for PDF via PDFium."""

    media_types: tuple[MediaType, ...] = (MediaType.PDF,)

    def convert(
        self, data: bytes, filename: str, limits: IngestLimits, deadline: Deadline
    ) -> ConvertedDocument:
        """Open, check limits, read the pages, find the structure and write Markdown."""
        pdf = _open(data, filename)
        try:
            count = len(pdf)
            if count > limits.max_pages:
                raise TooManyPages(
                    filename,
                    f"PDF has {count} pages, over the limit of {limits.max_pages} "
                    "(IngestLimits.max_pages); split it or raise the limit",
                )
            layouts = _read_pages(pdf, deadline)
            metadata = pdf.get_metadata_dict(skip_empty=True)
        finally:
            pdf.close()
        body = body_size([layout.lines for layout in layouts])
        furniture = page_furniture([layout.lines for layout in layouts])
        notes: list[tuple[str, str]] = []
        labels = FootnoteLabels()
        for page_index, layout in enumerate(layouts):
            layout.lines = [
                line for k, line in enumerate(layout.lines) if (page_index, k) not in furniture
            ]
            layout.lines, page_notes = split_footnotes(layout.lines, body)
            for note in page_notes:
                label = labels.label(note)
                for line in layout.lines:
                    if not (line.math or line.table):
                        line.text = mark_references(line.text, note.label, label)
                notes.append((label, note.text))
            pitch = typical_pitch(layout.lines)
            layout.breaks = paragraph_breaks(layout.lines, pitch)
            layout.headings = find_headings(layout.lines, layout.breaks, body, pitch)
        _keep_contents_lists_as_text(layouts)
        _keep_misplaced_numbers_as_text(layouts)
        renderer = _Renderer()
        for layout in layouts:
            renderer.page(layout)
        if notes:
            renderer.builder.block("\n".join(f"[^{label}]: {text}" for label, text in notes))
        markdown, sections, anchors = renderer.builder.build()
        words = count_words(markdown)
        if words == 0:
            raise EmptyDocument(filename, "PDF has no text layer (a scan?); OCR is not supported")
        title = real_title(metadata.get("Title")) or title_from_pages(
            [layout.lines for layout in layouts], body
        )
        return ConvertedDocument(
            filename=filename,
            media_type=MediaType.PDF,
            markdown=markdown,
            sections=sections,
            anchors=anchors,
            title=title or renderer.first_heading,
            author=(metadata.get("Author") or "").strip() or None,
            pages=count,
            words=words,
            warnings=_warnings(layouts, renderer),
        )


def _keep_contents_lists_as_text(layouts: list[_PageLayout]) -> None:
    """Demote the headings of a contents list that has no dot leaders.

    Such a list (``The following sections comprise:`` and the section titles) is a run of
    headings with no text between them whose titles all come back later as the real
    headings. A run of three or more headings of which at least three, and at least half,
    recur later is taken for one; the recurring ones stay text there. A title, a part and
    its first subsection in a row are not a contents list: they do not recur.
    """
    items = [
        (layout, k, heading) for layout in layouts for k, heading in sorted(layout.headings.items())
    ]
    last_seen: dict[str, int] = {}
    for position, (_, _, heading) in enumerate(items):
        last_seen[_contents_key(heading.text)] = position
    runs: list[list[int]] = []
    for position, (layout, k, _) in enumerate(items):
        if runs and position > 0:
            prev_layout, prev_k, prev = items[position - 1]
            if prev_layout is layout and k == prev_k + prev.lines:
                runs[-1].append(position)
                continue
        runs.append([position])
    for run in runs:
        recurring = [p for p in run if last_seen[_contents_key(items[p][2].text)] > p]
        if len(run) >= 3 and len(recurring) >= 3 and 2 * len(recurring) >= len(run):
            for p in recurring:
                layout, k, _ = items[p]
                del layout.headings[k]


def _keep_misplaced_numbers_as_text(layouts: list[_PageLayout]) -> None:
    """Demote numbered headings out of the document's sequence (:func:`out_of_sequence`)."""
    items = [
        (layout, k, heading) for layout in layouts for k, heading in sorted(layout.headings.items())
    ]
    for position in out_of_sequence([heading.number for _, _, heading in items]):
        layout, k, _ = items[position]
        del layout.headings[k]


def _contents_key(text: str) -> str:
    """Return a heading's text as a contents entry and the heading itself both read.

    An entry prints its page number after the title ("1 Introduction 3"); a label's own
    number ("Annex 2", one word before it) is kept.
    """
    folded = " ".join(text.lower().split())
    if len(folded.split()) >= 3:
        folded = re.sub(r"\s+\d{1,4}$", "", folded)
    return folded


class _Renderer:
    """Turn classified lines into Markdown blocks."""

    def __init__(self) -> None:
        self.builder = MarkdownBuilder()
        self.levels = HeadingLevels()
        self.math_lines = 0
        self.tables = 0
        self.captions: list[tuple[int, bool]] = []
        self.first_heading: str | None = None

    def heading(self, heading: Heading, page: int) -> None:
        self.builder.heading(heading.text, self.levels.level(heading), page=page)
        if self.first_heading is None:
            self.first_heading = " ".join(heading.text.split())

    def page(self, layout: _PageLayout) -> None:
        builder = self.builder
        lines, breaks, headings = layout.lines, layout.breaks, layout.headings
        block: list[str] = []
        math_block: list[str] = []
        # A sentence the page break cut: the last paragraph goes on with this page's first
        # line, and this page's anchor is where its text starts inside that paragraph.
        carried = builder.reopen_paragraph(unless=_ends_sentence) if (
            lines and _continues(lines[0].text) and 0 not in headings and not lines[0].table
            and not lines[0].math and not is_caption(lines[0])
        ) else None
        if carried is not None:
            block.extend(carried.split("\n"))
        else:
            builder.anchor(page=layout.number)

        def flush_text() -> None:
            nonlocal carried
            start = builder.length
            if block:
                builder.block("\n".join(block))
                block.clear()
            if carried is not None:
                # This page starts inside the paragraph, right after the carried text.
                builder.anchor(page=layout.number,
                               at=min(start + len(carried.strip("\n")) + 1, builder.length))
                carried = None

        def flush() -> None:
            flush_text()
            if math_block:
                builder.block("\n".join(math_block))
                math_block.clear()

        k = 0
        item_left: float | None = None  # x of the open list item's bullet
        while k < len(lines):
            if k in headings:
                flush()
                self.heading(headings[k], layout.number)
                k += headings[k].lines
                continue
            line = lines[k]
            text = line.text
            if line.table:
                flush()
                self.tables += 1
                builder.block(table_markdown(line.table))
                k += 1
                continue
            if is_caption(line):
                flush()
                block.append(escape_line_start(text))
                flush()
                self.captions.append(
                    (layout.number, k + 1 < len(lines) and bool(lines[k + 1].table))
                )
                k += 1
                continue
            if line.math:
                flush_text()
                self.math_lines += 1
                math_block.append(escape_line_start(text))
                k += 1
                continue
            if math_block:
                builder.block("\n".join(math_block))
                math_block.clear()
            bullet = _BULLET.match(text)
            # A line that starts where the open item's bullet does (not indented to its text)
            # ends the list item: it is the next paragraph.
            leaves_item = item_left is not None and line.left <= item_left + _ITEM_TOLERANCE
            if bullet or leaves_item or (k in breaks and not (
                block and _continues(text) and not _ends_sentence(block[-1])
            )):
                flush()
                item_left = line.left if bullet else None
            block.append("- " + text[bullet.end() :] if bullet else escape_line_start(text))
            k += 1
        flush()


def _continues(text: str) -> bool:
    """Return True for a line that continues a sentence: it starts in lower case."""
    first = text.lstrip()[:1]
    return first.isalpha() and first.islower()


def _ends_sentence(text: str) -> bool:
    """Return True when ``text`` ends a sentence or a clause a new paragraph may follow."""
    last = text.rstrip()[-1:]
    return not last or last in ".:;!?)"


def _warnings(layouts: list[_PageLayout], renderer: _Renderer) -> tuple[str, ...]:
    warnings = []
    bare = sorted({page for page, rebuilt in renderer.captions if not rebuilt})
    if renderer.tables:
        warnings.append(
            f"{renderer.tables} PDF tables rebuilt from text positions as pipe tables; "
            "check merged cells and cells that wrap across rows"
        )
    if bare:
        shown = ", ".join(str(p) for p in bare[:20])
        more = " ..." if len(bare) > 20 else ""
        warnings.append(
            "some PDF tables could not be rebuilt (their columns do not line up): their "
            f"cells appear as lines of text after the caption (pages {shown}{more})"
        )
    if renderer.math_lines:
        warnings.append(
            f"{renderer.math_lines} lines of PDF maths kept as linear text in reading order "
            "(PDF has no equation markup, so no LaTeX): sub- and superscripts are written "
            "_{...} and ^{...}; check fractions and sums"
        )
    return tuple(warnings)
