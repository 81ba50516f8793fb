"""DOCX conversion: body order, headings, lists, tables, equations, notes, tracked changes."""

# ruff: noqa: RUF001  (Greek sigma in equations on purpose)
from __future__ import annotations

from typing import Any

import pytest

from docsense.adapters.convert import MediaType, convert_document
from docsense.extraction import extract_ir

from .conftest import docx_bytes, png_bytes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
NS = f'xmlns:w="{W}" xmlns:m="{M}"'


def _xml(fragment: str) -> Any:
    from docx.oxml import parse_xml

    return parse_xml(fragment)


def _mr(text: str) -> str:
    return f"<m:r><m:t>{text}</m:t></m:r>"


# w_i = sigma_target / sigma_i  (a fraction without m:fPr, which markitdown drops)
EQUATION = (
    f"<m:oMathPara {NS}><m:oMath>"
    f"<m:sSub><m:e>{_mr('w')}</m:e><m:sub>{_mr('i')}</m:sub></m:sSub>{_mr('=')}"
    f"<m:f><m:num><m:sSub><m:e>{_mr('σ')}</m:e><m:sub>{_mr('target')}</m:sub></m:sSub></m:num>"
    f"<m:den><m:sSub><m:e>{_mr('σ')}</m:e><m:sub>{_mr('i')}</m:sub></m:sSub></m:den></m:f>"
    "</m:oMath></m:oMathPara>"
)


def test_table_between_two_paragraphs_stays_between_them() -> None:
    def build(document: Any) -> None:
        document.add_paragraph("Before the table.")
        table = document.add_table(rows=3, cols=2)
        for r, row in enumerate([("Tenor", "Weight"), ("6M", "50%"), ("12M", "50%")]):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        document.add_paragraph("After the table.")

    md = convert_document(docx_bytes(build), "t.docx").markdown
    before, table, after = md.index("Before the table."), md.index("| Tenor |"), md.index("After")
    assert before < table < after
    assert "| Tenor | Weight |\n|---|---|\n| 6M | 50% |\n| 12M | 50% |" in md


def test_merged_cells_keep_columns_aligned() -> None:
    def build(document: Any) -> None:
        table = document.add_table(rows=2, cols=3)
        table.cell(0, 0).merge(table.cell(0, 1)).text = "Wide"
        table.cell(0, 2).text = "C"
        for c, value in enumerate(["a", "b", "c"]):
            table.cell(1, c).text = value

    md = convert_document(docx_bytes(build), "m.docx").markdown
    assert "| Wide |  | C |" in md
    assert "| a | b | c |" in md


def test_omml_equation_becomes_latex_in_markdown_and_ir() -> None:
    def build(document: Any) -> None:
        document.add_heading("Weights", level=1)
        document.add_paragraph("The weight of asset i is:")
        document.add_paragraph()._p.append(_xml(EQUATION))
        document.add_paragraph("where σ_target is the target volatility of 10%.")

    doc = convert_document(docx_bytes(build), "eq.docx")
    latex = r"{w}_{i}=\frac{{\sigma}_{target}}{{\sigma}_{i}}"
    assert f"$$\n{latex}\n$$" in doc.markdown
    ir = extract_ir(doc.markdown, doc.sections, doc.anchors)
    formulas = [f for f in ir.formulas if f.notation == "latex"]
    assert [f.text for f in formulas] == [latex]
    assert formulas[0].location.section_id == "weights"
    assert formulas[0].location.paragraph == 2


def test_a_name_whose_script_word_attached_to_its_last_letter_stays_one_name() -> None:
    # Word kept "LUSD" as a run "LUS" and a subscript whose base is only "D", and "SP" as
    # "S" and a subscript on "P"; "a" and "b_c" (two lower-case letters) may be a product.
    def scripted(head: str, base: str, sub: str) -> str:
        return f"{_mr(head)}<m:sSub><m:e>{_mr(base)}</m:e><m:sub>{_mr(sub)}</m:sub></m:sSub>"

    equation = (f"<m:oMathPara {NS}><m:oMath>{scripted('S', 'P', 'share')}{_mr('=')}"
                f"<m:f><m:num>{scripted('LUS', 'D', 'Pool')}</m:num>"
                f"<m:den>{scripted('a', 'b', 'c')}</m:den></m:f></m:oMath></m:oMathPara>")

    def build(document: Any) -> None:
        document.add_paragraph()._p.append(_xml(equation))

    md = convert_document(docx_bytes(build), "eq.docx").markdown
    assert r"{SP}_{share}=\frac{{LUSD}_{Pool}}{a{b}_{c}}" in md


def test_inline_equation_with_nary_radical_and_delimiters() -> None:
    nary = (
        f"<m:oMath {NS}><m:nary><m:naryPr><m:chr m:val='∑'/></m:naryPr>"
        f"<m:sub>{_mr('i=1')}</m:sub><m:sup>{_mr('N')}</m:sup>"
        f"<m:e><m:rad><m:radPr><m:degHide m:val='1'/></m:radPr><m:deg/>"
        f"<m:e><m:d><m:e>{_mr('x')}</m:e></m:d></m:e></m:rad></m:e></m:nary></m:oMath>"
    )

    def build(document: Any) -> None:
        paragraph = document.add_paragraph("Total: ")
        paragraph._p.append(_xml(nary))
        paragraph.add_run(" over assets.")

    md = convert_document(docx_bytes(build), "n.docx").markdown
    assert r"Total: $\sum_{i=1}^{N}{\sqrt{\left(x\right)}}$ over assets." in md


def test_pictures_become_markdown_image_references_with_their_alternative_text() -> None:
    import io

    def build(d: Any) -> None:
        d.add_heading("Index Calculation", 1)
        d.add_paragraph("The index level is calculated as:")
        shape = d.add_picture(io.BytesIO(png_bytes()))
        shape._inline.docPr.set("descr", "index level formula")
        d.add_paragraph("A chart follows.")
        d.add_picture(io.BytesIO(png_bytes()))

    doc = convert_document(docx_bytes(build), "pictures.docx")
    images = [line for line in doc.markdown.splitlines() if line.startswith("![")]
    assert images[0].startswith("![index level formula](media/image")
    assert images[1].startswith("![](media/image")
    assert images[1].endswith(".png)")
    assert len(images) == 2


def test_heading_styles_and_outline_levels_make_the_section_tree() -> None:
    def build(document: Any) -> None:
        document.add_paragraph("Strategy Rules", style="Title")
        document.add_heading("1. Scope", level=1)
        document.add_paragraph("Body.")
        document.add_heading("1.1 Universe", level=2)
        outlined = document.add_paragraph("Annex by outline level")
        outlined._p.get_or_add_pPr().append(_xml(f'<w:outlineLvl {NS} w:val="0"/>'))
        document.add_paragraph("Annex body.")

    doc = convert_document(docx_bytes(build), "h.docx")
    tree = [(s.heading, s.level, s.parent_id, s.paragraph) for s in doc.sections]
    assert tree == [
        ("Strategy Rules", 1, None, 0),
        ("1. Scope", 1, None, 1),
        ("1.1 Universe", 2, "1-scope", 3),
        ("Annex by outline level", 1, None, 4),
    ]
    assert doc.title == "Strategy Rules"
    universe = doc.sections[2]
    assert doc.markdown[universe.start : universe.end].startswith("## 1.1 Universe")


def test_numbered_and_bulleted_lists() -> None:
    def build(document: Any) -> None:
        document.add_paragraph("Steps:")
        document.add_paragraph("Compute weights", style="List Number")
        document.add_paragraph("Apply caps", style="List Number")
        document.add_paragraph("Liquid", style="List Bullet")
        document.add_paragraph("Listed", style="List Bullet 2")

    md = convert_document(docx_bytes(build), "l.docx").markdown
    assert "1. Compute weights\n\n1. Apply caps" in md
    assert "- Liquid" in md
    assert "- Listed" in md


def test_tracked_deletions_are_dropped_and_insertions_kept() -> None:
    def build(document: Any) -> None:
        paragraph = document.add_paragraph("Cap is ")
        paragraph._p.append(
            _xml(f'<w:del {NS} w:id="1" w:author="a"><w:r><w:delText>5%</w:delText></w:r></w:del>')
        )
        paragraph._p.append(
            _xml(f'<w:ins {NS} w:id="2" w:author="a"><w:r><w:t>10%</w:t></w:r></w:ins>')
        )

    md = convert_document(docx_bytes(build), "c.docx").markdown
    assert "Cap is 10%" in md
    assert "5%" not in md


def test_content_controls_keep_body_order() -> None:
    def build(document: Any) -> None:
        document.add_paragraph("First.")
        sdt = _xml(
            f"<w:sdt {NS}><w:sdtContent><w:p><w:r><w:t>Inside control.</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        )
        document.element.body.insert(1, sdt)
        document.add_paragraph("Last.")

    md = convert_document(docx_bytes(build), "s.docx").markdown
    assert md.index("First.") < md.index("Inside control.") < md.index("Last.")


def test_footnotes_are_referenced_and_listed() -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    footnotes = (
        f'<w:footnotes {NS}><w:footnote w:id="1"><w:p><w:r><w:t>Source: Bloomberg.</w:t>'
        "</w:r></w:p></w:footnote></w:footnotes>"
    ).encode()

    def build(document: Any) -> None:
        content_type = (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
        )
        part = Part(PackURI("/word/footnotes.xml"), content_type, footnotes, document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)
        paragraph = document.add_paragraph("Prices are closing prices")
        paragraph._p.append(_xml(f'<w:r {NS}><w:footnoteReference w:id="1"/></w:r>'))
        paragraph.add_run(".")

    md = convert_document(docx_bytes(build), "f.docx").markdown
    assert "Prices are closing prices[^1]." in md
    assert md.rstrip().endswith("[^1]: Source: Bloomberg.")


def test_markdown_lookalike_text_is_escaped() -> None:
    def build(document: Any) -> None:
        document.add_paragraph("# not a heading")

    doc = convert_document(docx_bytes(build), "e.docx")
    assert doc.sections == ()
    assert "\\# not a heading" in doc.markdown


def test_metadata_and_words() -> None:
    def build(document: Any) -> None:
        document.core_properties.title = "Index Rules"
        document.core_properties.author = "Index Committee"
        document.add_paragraph("one two three")

    doc = convert_document(docx_bytes(build), "m.docx")
    assert (doc.title, doc.author, doc.words, doc.media_type) == (
        "Index Rules",
        "Index Committee",
        3,
        MediaType.DOCX,
    )
    assert doc.pages is None


def test_document_without_text_raises_empty_document() -> None:
    from docsense.errors import EmptyDocument

    with pytest.raises(EmptyDocument):
        convert_document(docx_bytes(lambda d: None), "blank.docx")
