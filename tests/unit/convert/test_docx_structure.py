"""DOCX structure from real-world Word habits: titles, hand-made headings, scripts, captions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docx.shared import Pt

from docsense.adapters.convert import convert_document
from docsense.extraction import extract_ir

from .conftest import CORPUS, docx_bytes

BODY = "The index is rebalanced on the third Friday of each quarter at the closing price."


def bold_paragraph(document: Any, text: str, size: float | None = None) -> None:
    run = document.add_paragraph().add_run(text)
    run.bold = True
    if size is not None:
        run.font.size = Pt(size)


def test_a_junk_core_title_gives_way_to_the_title_paragraph() -> None:
    def build(document: Any) -> None:
        document.core_properties.title = "Word Document"
        document.add_paragraph("Alpha Index Rules", style="Title")
        document.add_paragraph(BODY)

    doc = convert_document(docx_bytes(build), "alpha.docx")
    assert doc.title == "Alpha Index Rules"


def test_without_a_title_style_the_largest_bold_paragraph_at_the_top_is_the_title() -> None:
    def build(document: Any) -> None:
        document.core_properties.title = "Microsoft Word - alpha.docx"
        bold_paragraph(document, "Quant Recruitment Analysis:", 18)
        bold_paragraph(document, "Strategy Methodology Document", 16)
        document.add_paragraph(BODY)

    doc = convert_document(docx_bytes(build), "strategy.docx")
    assert doc.title == "Strategy Methodology Document"


def test_a_real_core_title_is_kept() -> None:
    def build(document: Any) -> None:
        document.core_properties.title = "Beta Rules"
        document.add_paragraph("Something else", style="Title")

    assert convert_document(docx_bytes(build), "beta.docx").title == "Beta Rules"


def test_a_heading_style_on_body_text_does_not_make_a_heading() -> None:
    long_text = (
        "The Trend Engine: we hypothesise that medium-term institutional capital flows "
        "create sustained price trends that a dual moving average crossover captures well"
    )

    def build(document: Any) -> None:
        document.add_heading("Section 1: Alpha Hypothesis", level=1)
        document.add_heading(long_text, level=2)
        document.add_heading(
            "The core alpha hypothesis of this strategy relies on the momentum anomaly "
            "combined with governance.",
            level=2,
        )
        document.add_heading("Combined Signal Logic", level=2)

    doc = convert_document(docx_bytes(build), "styled.docx")
    assert [s.heading for s in doc.sections] == [
        "Section 1: Alpha Hypothesis",
        "Combined Signal Logic",
    ]
    assert long_text in doc.markdown


def test_headings_made_by_hand_in_a_document_without_heading_styles() -> None:
    def build(document: Any) -> None:
        bold_paragraph(document, "Momentum Strategy", 16)
        bold_paragraph(document, "Section 1: Universe")
        bold_paragraph(document, "1.1 Eligible Stocks")
        document.add_paragraph(BODY)
        bold_paragraph(document, "Important: this line is bold body text of the strategy.")
        document.add_paragraph(BODY)
        bold_paragraph(document, "Section 2: Weights")
        document.add_paragraph(BODY)

    doc = convert_document(docx_bytes(build), "manual.docx")
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("Momentum Strategy", 1),
        ("Section 1: Universe", 2),
        ("1.1 Eligible Stocks", 3),
        ("Section 2: Weights", 2),
    ]


def test_a_hand_made_heading_nests_below_the_last_styled_heading() -> None:
    def build(document: Any) -> None:
        document.add_heading("Risk Factors", level=1)
        bold_paragraph(document, "Liquidity Risk", 13)
        document.add_paragraph(BODY)

    doc = convert_document(docx_bytes(build), "mixed.docx")
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("Risk Factors", 1),
        ("Liquidity Risk", 2),
    ]


def test_subscript_and_superscript_runs_use_the_pdf_converters_notation() -> None:
    def build(document: Any) -> None:
        paragraph = document.add_paragraph("Index Level")
        paragraph.add_run("I").font.subscript = True
        paragraph.add_run("TD").font.subscript = True
        paragraph.add_run(" grows as x")
        paragraph.add_run("2").font.superscript = True
        paragraph.add_run(".")

    md = convert_document(docx_bytes(build), "scripts.docx").markdown
    assert "Index Level_{ITD} grows as x^{2}." in md


def table(document: Any, rows: list[list[str]]) -> None:
    grid = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            grid.cell(r, c).text = text


def test_table_captions_above_below_and_in_the_caption_style_are_read_by_the_ir() -> None:
    def build(document: Any) -> None:
        document.add_paragraph("Table 1: Lookback windows", style="Caption")
        table(document, [["Signal", "Window"], ["Short", "6 months"]])
        document.add_paragraph(BODY)
        table(document, [["Asset", "Cap"], ["Equities", "60%"]])
        document.add_paragraph("Table 2 - Caps", style="Caption")

    doc = convert_document(docx_bytes(build), "captions.docx")
    ir = extract_ir(doc.markdown, doc.sections, doc.anchors)
    assert [t.caption for t in ir.tables] == ["Table 1: Lookback windows", "Table 2 - Caps"]
    assert not doc.sections  # a caption is not a heading


def test_the_real_strategy_docx_has_its_title_and_no_sentence_headings() -> None:
    path = CORPUS / "real" / "ema_rsi_strategy_methodology.docx"
    if not path.is_file():
        pytest.skip("shared real documents not found")
    doc = convert_document(Path(path).read_bytes(), path.name)
    assert doc.title == "Strategy Methodology Document"
    assert all(len(s.heading.split()) <= 12 for s in doc.sections)
    top = [s.heading for s in doc.sections if s.level == 1]
    assert top == [
        "Section 1: Alpha Hypothesis",
        "Section 2: Parameter Choices",
        "Section 3: Robustness Conclusion:",
    ]
