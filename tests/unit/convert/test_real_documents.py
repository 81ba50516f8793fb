"""Real documents: the two seed methodologies (shared corpus) and the real PDFs in tests/data.

These are the structures the review relies on, checked on published documents rather than
on the generated fixtures: titles, lettered and numbered headings, sub/superscripts,
tables the IR resolves, and no running furniture left in the text.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from docsense.adapters.convert import ConvertedDocument, convert_document
from docsense.adapters.convert._pdf_layout import NUMBERED
from docsense.extraction import extract_ir

from .conftest import CORPUS

REAL = Path(__file__).resolve().parents[2] / "data" / "real"


def convert(path: Path) -> ConvertedDocument:
    if not path.is_file():
        pytest.skip(f"{path.name} not found at {path.parent}")
    return convert_document(path.read_bytes(), path.name)


@pytest.fixture(scope="module")
def abgsd012() -> ConvertedDocument:
    return convert(CORPUS / "seed-pdfs" / "ABGSD012.pdf")


@pytest.fixture(scope="module")
def gsema8() -> ConvertedDocument:
    return convert(CORPUS / "seed-pdfs" / "GSEMA8-methodology.pdf")


def assert_no_sentence_headings(doc: ConvertedDocument) -> None:
    for section in doc.sections:
        words = len(section.heading.split())
        limit = 30 if NUMBERED.match(section.heading) else 20
        assert words <= limit, section.heading
        assert not section.heading.endswith((".", ",", ";")), section.heading


def assert_no_running_lines(doc: ConvertedDocument) -> None:
    """No page numbers left: none in a ``- 3 -`` or ``Page 3 of 9`` form, no lone dash, and
    fewer bare numbers on a line of their own than pages (a formula's fragments are few)."""
    lines = [line.strip() for line in doc.markdown.splitlines() if line.strip()]
    assert not [ln for ln in lines if re.fullmatch(r"[-\u2013]\s*\d+\s*[-\u2013]?|[-\u2013]", ln)]
    assert not [ln for ln in lines if re.fullmatch(r"page \d+( of \d+)?", ln, re.IGNORECASE)]
    bare = [ln for ln in lines if ln.isdigit()]
    assert len(bare) < max(3, (doc.pages or 0) // 4), bare


def test_abgsd012_title_is_the_cover_title_not_the_disclaimer_banner(
    abgsd012: ConvertedDocument,
) -> None:
    assert abgsd012.title == "GOLDMAN SACHS COMMODITY TREND STRATEGY D012"


def test_abgsd012_lettered_sections_are_headings_above_their_numbered_paragraphs(
    abgsd012: ConvertedDocument,
) -> None:
    by_heading = {(s.heading, s.page): s for s in abgsd012.sections}
    section_c = by_heading[("Section C: Preliminary Weight Determination Process", 28)]
    section_d = by_heading[("Section D: Immediate Component Weight Determination Process", 32)]
    step = by_heading[("1. Weight Method Step", 28)]
    assert step.parent_id == section_c.id
    assert step.level == section_c.level + 1
    assert section_d.level == section_c.level
    for title in ("Section A: General", "Section B: Determination of the Signal",
                  "Section E: General Definitions"):  # fmt: skip
        assert any(s.heading == title for s in abgsd012.sections), title


def test_abgsd012_has_no_sentence_headings_and_no_page_numbers(
    abgsd012: ConvertedDocument,
) -> None:
    assert_no_sentence_headings(abgsd012)
    assert_no_running_lines(abgsd012)


def test_abgsd012_contents_list_stays_text_and_tables_are_rebuilt(
    abgsd012: ConvertedDocument,
) -> None:
    headings = Counter(s.heading for s in abgsd012.sections)
    assert headings["Section D: Disclaimers"] == 1  # listed on p.133, a heading on p.140
    ir = extract_ir(abgsd012.markdown, abgsd012.sections, abgsd012.anchors)
    headers = [t.header for t in ir.tables]
    assert ("Row", "Lower bound", "Upper Bound", "Weight Mapping Value") in headers


def test_gsema8_subscripts_are_kept_apart_from_the_words_they_follow(
    gsema8: ConvertedDocument,
) -> None:
    md = gsema8.markdown
    assert "Index LevelITD" not in md
    assert "Index Level_{ITD" in md
    assert "Q_{i,ITD}" in md
    assert "w_{i,ITD}^{Lookthrough} = w_{i,ITD}^{TargetLookthrough} \u00d7 WeightScalar_{ITD}" in md
    assert "\U0001d444" not in md  # maths italic letters are plain letters everywhere


def test_gsema8_table_1_is_a_captioned_table_in_section_9_2(gsema8: ConvertedDocument) -> None:
    ir = extract_ir(gsema8.markdown, gsema8.sections, gsema8.anchors)
    table = next(t for t in ir.tables if (t.caption or "").startswith("Table 1"))
    section = next(s for s in gsema8.sections if s.id == table.location.section_id)
    assert section.heading.startswith("9.2.")
    assert table.header[0] == "LB"
    assert ("6M", "6M Treasury Momentum", "6 months") in table.rows


def test_gsema8_has_no_sentence_headings_and_no_page_numbers(gsema8: ConvertedDocument) -> None:
    assert gsema8.title == "GOLDMAN SACHS ENHANCED MULTI-ASSET INDEX METHODOLOGY"
    assert_no_sentence_headings(gsema8)
    assert_no_running_lines(gsema8)
    assert not any(s.heading == "SEPTEMBER 29, 2025" for s in gsema8.sections)


def test_ema_rsi_methodology_pdf_title_sections_and_signal_table() -> None:
    doc = convert(REAL / "ema_rsi_strategy_methodology.pdf")
    assert doc.title == "Strategy Methodology Document"
    # The same sections as the Word original (its list-styled headings print as bold
    # bulleted lines: "● Known Limitations of the strategy:").
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("Section 1: Alpha Hypothesis", 1),
        ("Executive Summary of the analysis:-", 2),
        ("Combined Signal Logic", 2),
        ("Related Graph for the justification of the analysis:", 2),
        ("Section 2: Parameter Choices", 1),
        ("Section 3: Robustness Conclusion:", 1),
        ("Train / Test Split Results", 2),
        ("Known Limitations of the strategy:", 2),
    ]
    ir = extract_ir(doc.markdown, doc.sections, doc.anchors)
    (table,) = ir.tables
    assert table.header == ("Signal", "Condition", "Economic Interpretation")
    assert table.rows[0] == (
        "Buy (+1)",
        "EMA20 > EMA50 AND RSI < 70",
        "Uptrend confirmed, not yet overbought",
    )
    assert_no_sentence_headings(doc)
    assert_no_running_lines(doc)
