"""DOCX input via python-docx, body order preserved, to Markdown.

* Paragraphs and tables are written in the order they appear in the body (content controls
  and tracked insertions included, deletions skipped).
* Headings come from the paragraph style (``Heading N``, ``Title``) or an outline level
  set on the paragraph or its style chain, unless the paragraph is body text (more than
  20 words); without a heading style, a short all-bold paragraph that is larger than the
  body or carries a section number or part label is a heading (:mod:`._docx_headings`).
* The title is the core-properties title when it is a real one (not ``Word Document``,
  not a file name), else the ``Title`` paragraph, else the largest prominent paragraph
  near the top, else the first top-level heading.
* Numbered and bulleted paragraphs (``w:numPr`` on the paragraph or its style, or a ``List
  Bullet``/``List Number`` style) become Markdown list items, nested by ``w:ilvl``.
* Tables become pipe tables in place (merged cells padded so columns line up).
* Office Math becomes LaTeX (:mod:`.omml`): inline ``$...$``, display ``$$...$$``.
* Subscript and superscript runs (``w:vertAlign``) become ``_{...}`` and ``^{...}``, the
  notation the PDF converter uses, so ``Index Level`` with a subscript ``ITD`` reads
  ``Index Level_{ITD}`` whatever the format.
* Footnotes and endnotes become ``[^n]`` references with their text at the end.
* Text boxes are kept as paragraphs after the paragraph that anchors them.

Provenance: every body element (paragraph or table) gets a 0-based ``paragraph`` index.
"""

from __future__ import annotations

import io
import re
from typing import Any

from docsense.adapters.convert._builder import (
    MarkdownBuilder,
    count_words,
    image_markdown,
    table_markdown,
)
from docsense.adapters.convert._docx_headings import (
    DocxHeadings,
    body_font_size,
    paragraph_format,
    too_long_for_heading,
)
from docsense.adapters.convert._docx_styles import W_NS, Numbering, Styles
from docsense.adapters.convert._model import ConvertedDocument, Deadline, IngestLimits, MediaType
from docsense.adapters.convert._titles import real_title, strip_leading_marks, title_candidate
from docsense.adapters.convert.archive import check_zip
from docsense.adapters.convert.omml import M_NS, omml_to_latex
from docsense.errors import CorruptDocument, EmptyDocument

__all__ = ["DocxConverter"]

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "{" + W_NS + "}"
_M = "{" + M_NS + "}"
_R = "{" + R_NS + "}"
# A picture in a run: DrawingML's frame properties (name, alternative text) and the blip
# whose relationship names the image part; VML's image data in a legacy w:pict.
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_V = "{urn:schemas-microsoft-com:vml}"
_O = "{urn:schemas-microsoft-com:office:office}"
_HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_LINE_NEEDS_ESCAPE = re.compile(r"^(\s*)(#|>|=+\s*$)")
_TITLE_PARAGRAPHS = 8  # a title without the Title style is among the first paragraphs
_TITLE_SCALE, _TITLE_SCALE_REGULAR = 1.15, 1.3  # of the body size: bold / regular titles
_ADJACENT_SCRIPTS = re.compile(r"([_^])\{([^{}]*)\}\1\{")
_SKIP_RUN_CHILDREN = frozenset(
    {_W + "rPr", _W + "delText", _W + "instrText", _W + "fldChar", _W + "lastRenderedPageBreak"}
)


class _Writer:
    """Render body elements into a MarkdownBuilder."""

    def __init__(self, document: Any, deadline: Deadline) -> None:
        self.builder = MarkdownBuilder()
        self.deadline = deadline
        self.styles = Styles(document.styles.element)
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            numbering = None
        self.numbering = Numbering(numbering)
        self.links: dict[str, str] = {
            rid: rel.target_ref for rid, rel in document.part.rels.items() if rel.is_external
        }
        self.parts: dict[str, str] = {  # the package's own parts, such as media/image1.png
            rid: rel.target_ref for rid, rel in document.part.rels.items() if not rel.is_external
        }
        self.notes_used: list[tuple[str, str]] = []
        self.pending: list[str] = []
        self.first_title: str | None = None
        self.title_style: str | None = None
        self.prominent: tuple[float, str] | None = None
        self.paragraphs_seen = 0
        self.formulas = 0
        body = document.element.body
        styled = any(self._styled_heading(p) for p in body.iter(_W + "p"))
        self.headings = DocxHeadings(self.styles, body_font_size(body, self.styles), styled=styled)

    def _styled_heading(self, p: Any) -> bool:
        ppr = p.find(_W + "pPr")
        if ppr is None:
            return False
        pstyle = ppr.find(_W + "pStyle")
        style_id = pstyle.get(_W + "val") if pstyle is not None else None
        outline = ppr.find(_W + "outlineLvl")
        level = outline.get(_W + "val") if outline is not None else None
        return (
            self._heading_level(
                self.styles.name(style_id),
                style_id,
                int(level) if level and level.isdigit() else None,
            )
            is not None
        )

    # --- inline content ---------------------------------------------------------------
    def inline(self, element: Any) -> str:
        parts: list[str] = []
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == _W + "r":
                parts.append(self.run(child))
            elif tag == _M + "oMath":
                self.formulas += 1
                parts.append(f"${omml_to_latex(child)}$")
            elif tag == _M + "oMathPara":
                self.formulas += 1
                parts.append(f"$${omml_to_latex(child)}$$")
            elif tag == _W + "hyperlink":
                text = self.inline(child)
                url = self.links.get(child.get(_R + "id") or "")
                parts.append(f"[{text}]({url})" if url and text.strip() else text)
            elif tag in (_W + "del", _W + "moveFrom", _W + "pPr", _W + "bookmarkStart"):
                continue
            elif tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    parts.append(self.inline(content))
            elif len(child):
                parts.append(self.inline(child))
        return _join_scripts("".join(parts))

    def run(self, run: Any) -> str:
        text = self._run_text(run)
        script = _vertical_align(run)
        if script and text.strip():
            return f"{script}{{{text}}}"
        return text

    def _run_text(self, run: Any) -> str:
        parts: list[str] = []
        for child in run:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _SKIP_RUN_CHILDREN:
                continue
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag == _W + "tab":
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "sym":
                code = child.get(_W + "char", "")
                try:
                    value = int(code, 16)
                    parts.append(chr(value - 0xF000 if value >= 0xF000 else value))
                except ValueError:
                    continue
            elif tag in (_W + "footnoteReference", _W + "endnoteReference"):
                kind = "footnote" if tag == _W + "footnoteReference" else "endnote"
                note_id = child.get(_W + "id", "")
                label = note_id if kind == "footnote" else f"e{note_id}"
                self.notes_used.append((kind, note_id))
                parts.append(f"[^{label}]")
            elif tag == _M + "oMath":
                self.formulas += 1
                parts.append(f"${omml_to_latex(child)}$")
            else:
                parts.extend(self._pictures(child))
                box = next(child.iter(_W + "txbxContent"), None)
                if box is not None:
                    for para in box.iter(_W + "p"):
                        text = self.inline(para).strip()
                        if text:
                            self.pending.append(text)
        return "".join(parts)

    def _pictures(self, element: Any) -> list[str]:
        """Return the pictures in a drawing or a VML shape as Markdown image references.

        Each keeps its alternative text (``descr``, else ``title``) and the image part's name
        (``media/image1.png``), or the frame's name where the part is not known, so a
        formula or chart pasted as a picture is still seen as one. A text box has no picture.
        """
        images: list[str] = []
        for frame in element.iter(_WP + "docPr"):
            alt = frame.get("descr") or frame.get("title") or ""
            blip = next(frame.getparent().iter(_A + "blip"), None)
            if blip is None:
                continue
            rid = blip.get(_R + "embed") or blip.get(_R + "link") or ""
            target = self.parts.get(rid) or self.links.get(rid) or frame.get("name") or ""
            images.append(image_markdown(alt, target))
        if images:
            return images  # a VML fallback beside DrawingML is the same picture again
        for data in element.iter(_V + "imagedata"):
            rid = data.get(_R + "id") or ""
            images.append(image_markdown(data.get(_O + "title") or "", self.parts.get(rid, "")))
        return images

    # --- blocks -------------------------------------------------------------------------
    def paragraph(self, p: Any, index: int) -> None:
        ppr = p.find(_W + "pPr")
        style_id = None
        num_id: str | None = None
        ilvl = 0
        outline: int | None = None
        if ppr is not None:
            pstyle = ppr.find(_W + "pStyle")
            style_id = pstyle.get(_W + "val") if pstyle is not None else None
            numpr = ppr.find(_W + "numPr")
            if numpr is not None:
                num_el, lvl_el = numpr.find(_W + "numId"), numpr.find(_W + "ilvl")
                num_id = num_el.get(_W + "val") if num_el is not None else None
                level_text = lvl_el.get(_W + "val", "0") if lvl_el is not None else "0"
                ilvl = int(level_text) if level_text.isdigit() else 0
            lvl = ppr.find(_W + "outlineLvl")
            if lvl is not None and (lvl.get(_W + "val") or "").isdigit():
                outline = int(lvl.get(_W + "val"))
        style_name = self.styles.name(style_id)
        text = self.inline(p)
        clean = " ".join(text.split())
        is_list = self._is_list(style_name, style_id, num_id)
        level = self._heading_level(style_name, style_id, outline)
        if level is not None and too_long_for_heading(clean):
            level = None  # a heading style on a paragraph of body text
        if level is not None:
            level = self.headings.styled_level(level)
        elif clean and not is_list:
            level = self.headings.manual_level(p, style_id, clean)
        if clean and self.paragraphs_seen < _TITLE_PARAGRAPHS:
            self._note_title(p, style_id, style_name, clean)
        if level is not None and clean:
            self.builder.heading(text, level, paragraph=index)
            if self.first_title is None and level == 1:
                self.first_title = clean
        elif clean:
            self.builder.block(self._body(text, style_name, style_id, num_id, ilvl, is_list))
        self._flush_pending()

    def _note_title(self, p: Any, style_id: str | None, style_name: str, text: str) -> None:
        """Remember a Title-styled paragraph, or the largest prominent one near the top."""
        self.paragraphs_seen += 1
        if style_name.strip().lower() == "title":
            self.title_style = self.title_style or text
            return
        candidate = strip_leading_marks(text)
        if not title_candidate(candidate):
            return
        bold, size = paragraph_format(p, self.styles, style_id)
        body = self.headings.body_size
        prominent = size >= _TITLE_SCALE * body and (bold or size >= _TITLE_SCALE_REGULAR * body)
        if prominent and (self.prominent is None or size > self.prominent[0]):
            self.prominent = (size, candidate)

    def _is_list(self, style_name: str, style_id: str | None, num_id: str | None) -> bool:
        lower = style_name.lower()
        if num_id not in (None, "0") or lower.startswith(("list bullet", "list number")):
            return True
        return num_id is None and self.styles.numbered(style_id)

    def _heading_level(self, name: str, style_id: str | None, outline: int | None) -> int | None:
        match = _HEADING_NAME.match(name.strip())
        if match:
            return int(match.group(1))
        if name.strip().lower() == "title":
            return 1
        if outline is None:
            outline = self.styles.outline_level(style_id)
        return outline + 1 if outline is not None and outline < 9 else None

    def _body(
        self,
        text: str,
        style_name: str,
        style_id: str | None,
        num_id: str | None,
        ilvl: int,
        is_list: bool,
    ) -> str:
        stripped = text.strip("\n")
        if stripped.startswith("$$") and stripped.endswith("$$") and stripped.count("$$") == 2:
            return "$$\n" + stripped[2:-2].strip() + "\n$$"
        lower = style_name.lower()
        lines = [_escape_line(line) for line in stripped.split("\n")]
        if not is_list:
            return "\n".join(lines)
        ordered = (
            self.numbering.ordered(num_id, ilvl)
            if num_id not in (None, "0")
            else lower.startswith("list number")
        )
        indent = "    " * min(ilvl, 8)
        marker = "1. " if ordered else "- "
        body = " ".join(line.strip() for line in lines if line.strip())
        return f"{indent}{marker}{body}"

    def table(self, tbl: Any, index: int) -> None:
        rows: list[list[str]] = []
        for tr in tbl.iterchildren(_W + "tr"):
            row: list[str] = []
            for tc in tr.iterchildren(_W + "tc"):
                tcpr = tc.find(_W + "tcPr")
                span = 1
                continued = False
                if tcpr is not None:
                    gs = tcpr.find(_W + "gridSpan")
                    if gs is not None and (gs.get(_W + "val") or "").isdigit():
                        span = max(1, min(int(gs.get(_W + "val")), 64))
                    vm = tcpr.find(_W + "vMerge")
                    continued = vm is not None and vm.get(_W + "val", "continue") == "continue"
                text = "" if continued else self._cell_text(tc)
                row.append(text)
                row.extend([""] * (span - 1))
            if row:
                rows.append(row)
        if rows:
            self.builder.block(table_markdown(rows))
        self._flush_pending()

    def _cell_text(self, tc: Any) -> str:
        parts = []
        for p in tc.iter(_W + "p"):
            text = " ".join(self.inline(p).split())
            if text:
                parts.append(text)
        return "\n".join(parts)

    def _flush_pending(self) -> None:
        for text in self.pending:
            self.builder.block("\n".join(_escape_line(line) for line in text.split("\n")))
        self.pending.clear()

    def body(self, body: Any) -> None:
        for index, element in enumerate(_body_elements(body)):
            if index % 64 == 0:
                self.deadline.check()
            self.builder.anchor(paragraph=index)
            if element.tag == _W + "p":
                self.paragraph(element, index)
            else:
                self.table(element, index)


def _body_elements(container: Any) -> list[Any]:
    """Paragraphs and tables in order, looking inside content controls and insertions."""
    out: list[Any] = []
    for child in container:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in (_W + "p", _W + "tbl"):
            out.append(child)
        elif tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                out.extend(_body_elements(content))
        elif tag in (_W + "ins", _W + "customXml", _W + "smartTag"):
            out.extend(_body_elements(child))
    return out


def _vertical_align(run: Any) -> str | None:
    """``_`` for a subscript run, ``^`` for a superscript run, else None."""
    rpr = run.find(_W + "rPr")
    align = rpr.find(_W + "vertAlign") if rpr is not None else None
    value = align.get(_W + "val") if align is not None else None
    return {"subscript": "_", "superscript": "^"}.get(value or "")


def _join_scripts(text: str) -> str:
    """Join adjacent script runs Word split: ``_{IT}_{D}`` -> ``_{ITD}``."""
    joined = _ADJACENT_SCRIPTS.sub(r"\1{\2", text)
    while joined != text:
        text, joined = joined, _ADJACENT_SCRIPTS.sub(r"\1{\2", joined)
    return joined


def _escape_line(line: str) -> str:
    return _LINE_NEEDS_ESCAPE.sub(lambda m: m.group(1) + "\\" + m.group(2), line, count=1)


def _notes(document: Any, writer: _Writer) -> list[str]:
    """Return ``[^n]: text`` lines for the footnotes and endnotes the body referenced."""
    if not writer.notes_used:
        return []
    from docx.oxml import parse_xml

    wanted = {(kind, note_id) for kind, note_id in writer.notes_used}
    lines: list[str] = []
    for rel in document.part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if kind not in ("footnotes", "endnotes") or rel.is_external:
            continue
        root = parse_xml(rel.target_part.blob)
        singular = kind[:-1]
        for note in root.iterchildren(_W + singular):
            note_id = note.get(_W + "id", "")
            if (singular, note_id) not in wanted:
                continue
            text = " ".join(" ".join(writer.inline(p).split()) for p in note.iter(_W + "p")).strip()
            label = note_id if singular == "footnote" else f"e{note_id}"
            lines.append(f"[^{label}]: {text}")
    return lines


class DocxConverter:
    """Converter for DOCX (Office Open XML word-processing documents)."""

    media_types: tuple[MediaType, ...] = (MediaType.DOCX,)

    def convert(
        self, data: bytes, filename: str, limits: IngestLimits, deadline: Deadline
    ) -> ConvertedDocument:
        """Check the zip container, parse with python-docx, write Markdown."""
        check_zip(data, filename, limits).close()
        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except (ValueError, KeyError) as exc:
            raise CorruptDocument(filename, f"not a readable Word document: {exc}") from exc
        deadline.check()
        writer = _Writer(document, deadline)
        writer.body(document.element.body)
        notes = _notes(document, writer)
        if notes:
            writer.builder.block("\n".join(notes))
        markdown, sections, anchors = writer.builder.build()
        if not markdown.strip():
            raise EmptyDocument(filename, "the document holds no text")
        props = document.core_properties
        title = (
            real_title(props.title)
            or writer.title_style
            or (writer.prominent[1] if writer.prominent else None)
            or writer.first_title
        )
        warnings: list[str] = []
        return ConvertedDocument(
            filename=filename,
            media_type=MediaType.DOCX,
            markdown=markdown,
            sections=sections,
            anchors=anchors,
            title=title,
            author=(props.author or "").strip() or None,
            words=count_words(markdown),
            warnings=tuple(warnings),
        )
