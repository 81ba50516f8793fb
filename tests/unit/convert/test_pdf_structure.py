"""PDF structure on hand-built PDFs: headings by kind and size, titles, furniture, scripts.

Each PDF is written run by run (:func:`pdf_from_rows`): the converter sees what it sees in
real files, text objects at positions in standard fonts, and nothing else.
"""

from __future__ import annotations

from docsense.adapters.convert import convert_document
from docsense.extraction import extract_ir

from .conftest import PdfRow, PdfRun, pdf_from_rows


def body(text: str, size: float = 10.0) -> list[PdfRun]:
    return [(text, False, size, 0.0)]


def bold(text: str, size: float = 10.0) -> list[PdfRun]:
    return [(text, True, size, 0.0)]


def column(*lines: list[PdfRun], top: float = 720.0, pitch: float = 12.5, x: float = 72.0,
           gaps: dict[int, float] | None = None) -> list[PdfRow]:  # fmt: skip
    """Rows top-down at ``pitch``; ``gaps`` adds space above the given line indices."""
    rows: list[PdfRow] = []
    y = top
    for i, runs in enumerate(lines):
        y -= (gaps or {}).get(i, 0.0)
        rows.append((x, y, runs))
        y -= pitch
    return rows


def paragraphs(*blocks: list[list[PdfRun]], top: float = 720.0) -> list[PdfRow]:
    """Blocks of lines separated by a paragraph gap (lines 12.5 apart, blocks 22 apart)."""
    lines: list[list[PdfRun]] = []
    gaps: dict[int, float] = {}
    for block in blocks:
        if lines:
            gaps[len(lines)] = 10.0
        lines.extend(block)
    return column(*lines, top=top, gaps=gaps)


def headings(pdf: bytes) -> list[tuple[str, int]]:
    return [(s.heading, s.level) for s in convert_document(pdf, "doc.pdf").sections]


WORDS = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota"]
FILLER = "The rule applies on every business day of the calendar and is reviewed each year."


def test_a_lettered_part_sits_above_the_numbered_headings_inside_it() -> None:
    page = paragraphs(
        [bold("GENERAL BASKET STRATEGY DESCRIPTION")],
        [bold("Section A: General")],
        [bold("1. Introduction")],
        [body(FILLER)],
        [bold("2. Components")],
        [body(FILLER)],
        [bold("Section B: Calculation of the Level")],
        [bold("1. Introduction")],
        [body(FILLER)],
    )
    doc = convert_document(pdf_from_rows([page]), "parts.pdf")
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("GENERAL BASKET STRATEGY DESCRIPTION", 1),
        ("Section A: General", 2),
        ("1. Introduction", 3),
        ("2. Components", 3),
        ("Section B: Calculation of the Level", 2),
        ("1. Introduction", 3),
    ]
    ids = [s.id for s in doc.sections]
    assert len(set(ids)) == len(ids)
    parents = {s.heading: s.parent_id for s in doc.sections}
    assert parents["2. Components"] == "section-a-general"


def test_part_keywords_nest_by_structure_not_by_their_font_size() -> None:
    page = paragraphs(
        [bold("Section 1: Alpha Hypothesis", 12)],
        [body(FILLER)],
        [bold("Section 2: Parameter Choices", 14)],
        [body(FILLER)],
        [bold("Section 3: Robustness", 12)],
        [body(FILLER)],
    )
    levels = {heading: level for heading, level in headings(pdf_from_rows([page]))}
    assert levels["Section 1: Alpha Hypothesis"] == levels["Section 3: Robustness"]
    assert levels["Section 2: Parameter Choices"] == levels["Section 1: Alpha Hypothesis"]


def test_larger_type_and_standalone_bold_lines_are_headings_relative_to_the_body() -> None:
    page = paragraphs(
        [body("Introduction", 15)],
        [body(FILLER), body(FILLER), body(FILLER)],
        [bold("Scope of the rules")],
        [body(FILLER), body(FILLER), body(FILLER)],
        [body(FILLER), bold("Weights are reviewed"), body(FILLER)],
    )
    found = headings(pdf_from_rows([page]))
    assert found == [("Introduction", 1), ("Scope of the rules", 2)]


def test_body_text_in_bold_is_never_a_heading() -> None:
    long_bold = (
        "The Index Sponsor may amend the methodology at any time without notice to holders "
        "of products linked to the index or to anyone else"
    )
    page = paragraphs(
        [bold("IMPORTANT")],
        [bold(long_bold)],
        [bold("The index is rebalanced monthly.")],
        [bold("Version 2.1")],
        [bold("Dated: 9 September 2020")],
        [bold("Table 3: Weights")],
        [body(FILLER)],
    )
    assert headings(pdf_from_rows([page])) == [("IMPORTANT", 1)]


def test_title_skips_a_disclaimer_page_and_junk_metadata() -> None:
    disclaimer = paragraphs(
        [bold("DISCLAIMER")],
        [
            bold("THIS DOCUMENT IS MADE AVAILABLE FOR INFORMATION ONLY AND IS NOT AN OFFER"),
            bold("TO ENTER INTO ANY TRANSACTION LINKED TO THE STRATEGY DESCRIBED HEREIN"),
        ],
    )
    cover = paragraphs(
        [bold("ALPHA COMMODITY STRATEGY RULES")],
        [bold("Version 1.0")],
        [bold("Dated: 1 May 2024")],
        [bold("1. Overview")],
        [body(FILLER)],
    )
    pdf = pdf_from_rows([disclaimer, cover], title="Microsoft Word - alpha_rules_v3.docx")
    assert convert_document(pdf, "alpha.pdf").title == "ALPHA COMMODITY STRATEGY RULES"


def test_a_real_metadata_title_is_kept() -> None:
    pdf = pdf_from_rows([paragraphs([bold("DRAFT")], [body(FILLER)])], title="Alpha Rules")
    assert convert_document(pdf, "alpha.pdf").title == "Alpha Rules"


def test_the_largest_text_on_the_first_page_is_the_title() -> None:
    page = paragraphs(
        [body("Confidential", 8)],
        [body("Momentum Index", 20), body("Methodology", 20)],
        [body("September 2025", 12)],
        [body(FILLER)],
    )
    assert convert_document(pdf_from_rows([page]), "m.pdf").title == "Momentum Index Methodology"


def test_running_headers_that_change_by_chapter_and_page_x_of_y_are_removed() -> None:
    pages = []
    for n in range(1, 7):
        chapter = "Part A - Overview" if n <= 3 else "Part B - Calculation"
        rows: list[PdfRow] = [(72.0, 760.0, body(chapter, 8))]
        rows += paragraphs(
            [body(f"{word} text explains the rules in detail.") for word in WORDS[n:]][:3]
        )
        rows += [
            (72.0, 50.0, body("CONFIDENTIAL - FOR INTERNAL USE ONLY", 8)),
            (280.0, 36.0, body(f"Page {n} of 6", 8)),
        ]
        pages.append(rows)
    md = convert_document(pdf_from_rows(pages), "furniture.pdf").markdown
    assert "Part A - Overview" not in md
    assert "Part B - Calculation" not in md
    assert "CONFIDENTIAL" not in md
    assert "of 6" not in md
    assert md.count("text explains the rules") == 18


def test_subscripts_and_superscripts_are_written_apart_from_their_base() -> None:
    page = [
        (72.0, 700.0, [("Index Level", False, 10.0, 0.0), ("ITD", False, 7.0, -2.5),
                       (" means the level on day ", False, 10.0, 0.0), ("t", False, 7.0, -2.5)]),
        (72.0, 680.0, [("The variance is x", False, 10.0, 0.0), ("2", False, 7.0, 4.0),
                       (" per annum.", False, 10.0, 0.0)]),
    ]  # fmt: skip
    md = convert_document(pdf_from_rows([page]), "maths.pdf").markdown
    assert "Index Level_{ITD} means the level on day_{t}" in md
    assert "x^{2} per annum." in md
    assert "LevelITD" not in md


def test_a_superscript_stacked_over_a_subscript_joins_its_row() -> None:
    # The superscript is drawn back over the subscript's position: PDFium starts a new line.
    page = [
        (200.0, 700.0, [("w", False, 10.0, 0.0), ("i,ITD", False, 7.0, -2.5)]),
        (207.5, 700.0, [("Lookthrough", False, 7.0, 4.0), (" = VC", False, 10.0, 0.0)]),
    ]
    md = convert_document(pdf_from_rows([page]), "stack.pdf").markdown
    assert "w_{i,ITD}^{Lookthrough} = VC" in md


def cell_row(y: float, *cells: tuple[float, str], heading: bool = False) -> list[PdfRow]:
    return [(x, y, [(text, heading, 10.0, 0.0)]) for x, text in cells]


def test_a_table_is_rebuilt_under_its_caption_and_the_ir_resolves_it() -> None:
    page = paragraphs([body("Each signal uses the lookback window of Table 1 below.")])
    page += [(72.0, 660.0, body("Table 1: Lookback windows"))]
    page += cell_row(630.0, (72, "Signal"), (200, "Window"), (330, "Weight"), heading=True)
    page += cell_row(608.0, (72, "Short"), (200, "6 months"), (330, "50%"))
    page += cell_row(586.0, (72, "Long"), (200, "12 months,"), (330, "50%"))
    page += cell_row(574.0, (200, "rolled monthly"))
    page += paragraphs([body(FILLER)], top=540.0)
    doc = convert_document(pdf_from_rows([page]), "table.pdf")
    assert "Table 1: Lookback windows\n\n| Signal | Window | Weight |" in doc.markdown
    ir = extract_ir(doc.markdown, doc.sections, doc.anchors)
    (table,) = ir.tables
    assert table.caption == "Table 1: Lookback windows"
    assert table.header == ("Signal", "Window", "Weight")
    assert table.rows == (
        ("Short", "6 months", "50%"),
        ("Long", "12 months, rolled monthly", "50%"),
    )
    assert any("1 PDF tables rebuilt" in w for w in doc.warnings)


def test_a_caption_without_a_table_to_rebuild_stands_alone() -> None:
    page = paragraphs(
        [body("The weights are set out below.")],
        [body("Table 2: Weights")],
        [body("Equities receive sixty per cent and bonds the rest of the portfolio.")],
    )
    doc = convert_document(pdf_from_rows([page]), "caption.pdf")
    assert "\n\nTable 2: Weights\n\n" in doc.markdown
    assert any("could not be rebuilt" in w and "pages 1" in w for w in doc.warnings)


def test_two_columns_of_labels_and_values_stay_text() -> None:
    page = cell_row(700.0, (72, "Rebalancing Frequency:"), (300, "Monthly"))
    page += cell_row(687.5, (72, "Weight Cap:"), (300, "20 per cent"))
    page += cell_row(675.0, (72, "Calendar:"), (300, "NYSE"))
    doc = convert_document(pdf_from_rows([page]), "labels.pdf")
    assert "|" not in doc.markdown
    assert "Weight Cap: 20 per cent" in doc.markdown


def test_footnotes_leave_the_body_for_definitions() -> None:
    page = paragraphs(
        [[("The rate is fixed", False, 10.0, 0.0), ("1", False, 7.0, 4.0),
          (" every morning.", False, 10.0, 0.0)]],
        [body(FILLER)],
    )  # fmt: skip
    note = [("1", False, 5.6, 3.0), (" Set by the rates committee at 9:00", False, 8.0, 0.0)]
    page += [(72.0, 90.0, note), (72.0, 80.0, body("New York time.", 8))]
    md = convert_document(pdf_from_rows([page]), "notes.pdf").markdown
    assert "The rate is fixed[^1] every morning." in md
    assert md.rstrip().endswith("[^1]: Set by the rates committee at 9:00 New York time.")
    assert md.count("rates committee") == 1


def test_a_contents_list_without_dot_leaders_is_not_read_as_headings() -> None:
    titles = ["Section A: Determinations", "Section B: Changes", "Section C: Publication"]
    contents = paragraphs([body("The following sections comprise these provisions:")],
                          *[[bold(t)] for t in titles])  # fmt: skip
    chapters = paragraphs(*[block for t in titles for block in ([bold(t)], [body(FILLER)])])
    found = headings(pdf_from_rows([contents, chapters]))
    assert [h for h, _ in found] == titles
    doc = convert_document(pdf_from_rows([contents, chapters]), "toc.pdf")
    assert all(s.page == 2 for s in doc.sections)


def test_a_sentence_cut_by_a_page_break_or_a_gap_stays_one_paragraph() -> None:
    page1 = paragraphs(
        [body("The first paragraph ends here.")],
        [body("The sponsor makes all determinations in its discretion")],
    )
    page2 = paragraphs(
        [body("and acting in a commercially reasonable manner.")],
        [body("A new paragraph starts on the second page.")],
    )
    page3 = column(body("The rules apply to each index"), body("level published."),
                   gaps={1: 10.0})
    converted = convert_document(pdf_from_rows([page1, page2, page3]), "cut.pdf")
    md = converted.markdown
    assert ("The sponsor makes all determinations in its discretion\n"
            "and acting in a commercially reasonable manner.\n\n") in md
    assert "The first paragraph ends here.\n\nThe sponsor" in md
    assert "The rules apply to each index\nlevel published." in md
    second = md.index("A new paragraph starts")
    pages = [(a.start, a.page or 0) for a in converted.anchors]
    assert max(p for start, p in pages if start <= second) == 2
    assert max(p for start, p in pages if start <= md.index("The sponsor")) == 1
    assert max(p for start, p in pages if start <= md.index("and acting in")) == 2


def test_bold_contents_entries_without_leaders_are_not_headings() -> None:
    # LaTeX's contents list: chapters in bold with their page number, sections dotted.
    contents = paragraphs(
        [bold("Contents", 14)],
        [bold("1 Introduction 3"), body("1.1 Description . . . . . . . . . . . . . . . 3"),
         body("1.2 Administration . . . . . . . . . . . . . . 4")],
        [bold("2 Calculation 5"), body("2.1 Index Level . . . . . . . . . . . . . . . 5")],
    )
    page = paragraphs([bold("1 Introduction")], [body(FILLER)], [bold("2 Calculation")],
                      [body(FILLER)])
    found = [h for h, _ in headings(pdf_from_rows([contents, page]))]
    assert found == ["Contents", "1 Introduction", "2 Calculation"]


def test_a_symbol_explained_in_larger_maths_type_is_not_a_heading() -> None:
    page = paragraphs(
        [body(FILLER)],
        [body("Where,")],
        [body("P = CM Price of constituent i on day t", 12)],
        [body("AFFS = Adjusted free float supply of constituent i", 12)],
        [body(FILLER)],
    )
    assert headings(pdf_from_rows([page])) == []


def test_a_font_named_bold_is_bold_though_its_weight_reads_medium() -> None:
    # LaTeX's Latin Modern "LMSans10-Bold" reports a weight of 510 to PDFium.
    widths = " ".join(["556"] * 95)
    medium_bold = (
        "<< /Type /Font /Subtype /Type1 /BaseFont /LMSans10-Bold /Encoding /WinAnsiEncoding "
        f"/FirstChar 32 /LastChar 126 /Widths [{widths}] /FontDescriptor << /Type "
        "/FontDescriptor /FontName /LMSans10-Bold /Flags 32 /FontWeight 510 /FontBBox "
        "[0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 "
        "/StemV 80 >> >>"
    ).encode()
    page = paragraphs([bold("4.4 Calculation Algorithm")], [body(FILLER)],
                      [bold("4.5 Index Divisor")], [body(FILLER)])
    found = headings(pdf_from_rows([page], bold_font=medium_bold))
    assert [h for h, _ in found] == ["4.4 Calculation Algorithm", "4.5 Index Divisor"]


def test_a_contents_list_without_leaders_is_text_though_its_entries_carry_page_numbers() -> None:
    # Entries "1 Introduction 3" come back later as the headings "1 Introduction".
    contents = paragraphs(
        [bold("Contents", 14)],
        [bold("1 Introduction 3")], [bold("2 Calculation 5")], [bold("3 Governance 7")],
    )
    page = paragraphs([bold("1 Introduction")], [body(FILLER)], [bold("2 Calculation")],
                      [body(FILLER)], [bold("3 Governance")], [body(FILLER)])
    found = [h for h, _ in headings(pdf_from_rows([contents, page]))]
    assert found == ["Contents", "1 Introduction", "2 Calculation", "3 Governance"]


def test_bold_text_of_a_flowchart_or_a_legend_is_not_a_heading() -> None:
    # A country-assignment flowchart: box labels run into the next box, step labels with
    # their number on the next line, one word across a chart's columns, a formula's legend.
    page = paragraphs(
        [bold("5.5 Country Assignment")], [body(FILLER)],
        [bold("YES \u2013")], [body("Classified in the unique country")],
        [bold("STEP")], [bold("1")], [body("Is the company incorporated in one country?")],
        [bold("Scoring Scoring Scoring")], [body(FILLER)],
        [bold("Where")], [bold("F T")], [body("the forward index level and time to expiry")],
        [bold("5.6 Trading Requirements")], [body(FILLER)],
    )
    found = [h for h, _ in headings(pdf_from_rows([page]))]
    assert found == ["5.5 Country Assignment", "5.6 Trading Requirements"]
