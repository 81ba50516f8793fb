"""PDF conversion on generated PDFs: headings, nesting, lists, paragraphs, page furniture."""

from __future__ import annotations

from docsense.adapters.convert import convert_document

from .conftest import PdfLine, pdf_from_lines, pdf_from_streams


def page(number: int, *body: tuple[str, bool, float]) -> list[PdfLine]:
    """Body lines (text, bold, gap above) top-down, with a running footer and page number."""
    lines: list[PdfLine] = [("Index Rules - Confidential", False, 8.0, 72.0, 770.0)]
    y = 740.0
    for text, bold, gap in body:
        y -= gap
        lines.append((text, bold, 10.0, 72.0, y))
    lines.append((f"- {number} -", False, 8.0, 290.0, 40.0))
    return lines


PAGES = [
    page(
        1,
        ("INDEX METHODOLOGY", True, 0),
        ("1. Overview", True, 28),
        ("The index tracks liquid futures. It is rebalanced monthly.", False, 24),
        ("Its level is published daily.", False, 12),
        ("1.1 Objective", True, 28),
        ("The objective is diversified exposure.", False, 24),
    ),
    page(
        2,
        ("I. Selection", True, 0),
        ("Contracts are selected when:", False, 24),
        ("\u2022 they are listed on a regulated exchange; and", False, 24),
        ("\u2022 their volume exceeds 1,000 contracts.", False, 12),
        ("2. Weights: Applicable", True, 28),
        ("Weights are equal. THIS LINE IS NOT A HEADING.", False, 24),
    ),
    page(3, ("ANNEX A: CONTRACTS", True, 0), ("Table 1: Contracts", False, 24)),
]


def test_bold_numbered_and_capital_lines_become_nested_headings() -> None:
    doc = convert_document(pdf_from_lines(PAGES), "rules.pdf")
    tree = [(s.heading, s.level, s.page) for s in doc.sections]
    assert tree == [
        ("INDEX METHODOLOGY", 1, 1),
        ("1. Overview", 2, 1),
        ("1.1 Objective", 3, 1),
        ("I. Selection", 4, 2),
        ("2. Weights: Applicable", 2, 2),
        ("ANNEX A: CONTRACTS", 1, 3),
    ]
    by_heading = {s.heading: s for s in doc.sections}
    # A new numbering style nests under the innermost open heading.
    assert by_heading["I. Selection"].parent_id == by_heading["1.1 Objective"].id
    assert by_heading["2. Weights: Applicable"].parent_id == by_heading["INDEX METHODOLOGY"].id


def test_running_headers_footers_and_page_numbers_are_removed() -> None:
    md = convert_document(pdf_from_lines(PAGES), "rules.pdf").markdown
    assert "Confidential" not in md
    assert "- 2 -" not in md


def test_bullets_become_list_items_and_gaps_split_paragraphs() -> None:
    md = convert_document(pdf_from_lines(PAGES), "rules.pdf").markdown
    assert "- they are listed on a regulated exchange; and\n" in md
    assert "- their volume exceeds 1,000 contracts." in md
    assert (
        "The index tracks liquid futures. It is rebalanced monthly.\n\n"
        "Its level is published daily." not in md
    )
    assert "It is rebalanced monthly.\nIts level is published daily." in md


def test_pages_are_anchored_and_tables_reported() -> None:
    doc = convert_document(pdf_from_lines(PAGES), "rules.pdf")
    assert [a.page for a in doc.anchors] == [1, 2, 3]
    assert doc.pages == 3
    assert any("pages 3" in w for w in doc.warnings)
    assert doc.title == "INDEX METHODOLOGY"


def test_unbold_numbered_lines_are_not_headings() -> None:
    pages = [page(1, ("1. This numbered line is plain text.", False, 0), ("More.", False, 12))]
    assert convert_document(pdf_from_lines(pages), "plain.pdf").sections == ()


def test_maths_italic_kerning_is_no_word_gap_but_a_text_font_gap_is() -> None:
    # TeX sets $VaultDebt$ in maths italic (CMMI10): a capital's italic correction leaves a
    # gap PDFium reads as a space. The same gap after a capital in a text font is a word gap.
    maths = b"<< /Type /Font /Subtype /Type1 /BaseFont /CMMI10 >>"
    text = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    stream = (
        b"BT 1 0 0 1 72 700 Tm /F1 11 Tf (The debt is ) Tj /F2 11 Tf [(V) -400 (aultDebt)] TJ"
        b" /F1 11 Tf ( and the fee ) Tj /F2 11 Tf [(T) -400 (CAP) -400 (F) -400 (ee)] TJ ET\n"
        b"BT 1 0 0 1 72 680 Tm /F1 11 Tf [(Then) -400 (I) -400 (paid)] TJ ET\n"
        b"BT 1 0 0 1 72 660 Tm /F1 11 Tf (Ratio = ) Tj /F2 11 Tf [(V) -400 (ault)] TJ"
        b" /F2 7 Tf -2 Ts (Debt) Tj /F1 11 Tf 0 Ts ( x 100) Tj ET\n"
        # "where $A$ and $B$ are ...": a maths capital, then a word in the text font
        b"BT 1 0 0 1 72 640 Tm /F1 11 Tf (where ) Tj /F2 11 Tf (A) Tj /F1 11 Tf [-400 (and)] TJ"
        b" /F2 11 Tf [-400 (B)] TJ /F1 11 Tf [-400 (are parameters.)] TJ ET"
    )
    markdown = convert_document(pdf_from_streams([stream], [text, maths]), "t.pdf").markdown
    assert "The debt is VaultDebt and the fee TCAPFee" in markdown
    assert "Then I paid" in markdown
    assert "where A and B are parameters." in markdown
    assert "Ratio = Vault_{Debt} x 100" in markdown  # a subscript: the line read glyph by glyph


def test_a_numbered_line_in_italics_set_apart_is_a_subheading() -> None:
    regular = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    italic = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Oblique /Encoding /WinAnsiEncoding >>"
    )
    body = "The index tracks the total market value of the listed assets every hour."
    rows, y = [], 700.0
    for text, gap, font in [
        *[(body, 12.0, "F1")] * 5,
        ("II. DATA", 25.0, "F1"),
        ("A. Sources of prices", 22.0, "F2"),
        *[(body, 12.0, "F1")] * 5,
        ("B. Sources of volumes", 25.0, "F1"),  # upright: a line of text
        *[(body, 12.0, "F1")] * 5,
    ]:
        y -= gap
        rows.append(f"BT 1 0 0 1 72 {y} Tm /{font} 10 Tf ({text}) Tj ET")
    stream = "\n".join(rows).encode()
    markdown = convert_document(pdf_from_streams([stream], [regular, italic]), "t.pdf").markdown
    headings = [ln for ln in markdown.splitlines() if ln.startswith("#")]
    assert headings == ["# II. DATA", "## A. Sources of prices"]


def _tracked(text: str, y: float) -> bytes:
    """A line of bold display type set letter by letter, a wider gap between words."""
    parts: list[str] = []
    for w, word in enumerate(text.split()):
        for i, ch in enumerate(word):
            gap = "" if not parts else ("-1600 " if i == 0 and w else "-500 ")
            parts.append(f"{gap}({ch})")
    return f"BT /F2 14 Tf 1 0 0 1 72 {y} Tm [{' '.join(parts)}] TJ ET".encode()


def test_letter_spaced_display_type_is_read_as_words_and_printed_letters_stay() -> None:
    regular = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    bold = (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold "
            b"/Encoding /WinAnsiEncoding >>")
    stream = b"\n".join([
        _tracked("INDEX CALENDAR", 720),
        b"BT /F1 10 Tf 1 0 0 1 72 690 Tm (The index is rebalanced each March.) Tj ET",
        b"BT /F1 10 Tf 1 0 0 1 72 670 Tm (K N N U U Z) Tj ET",  # month codes, printed spaces
        _tracked("DISCLAIMER", 640),
        b"BT /F1 10 Tf 1 0 0 1 72 610 Tm (The sponsor may change the index.) Tj ET",
    ])
    md = convert_document(pdf_from_streams([stream], [regular, bold]), "t.pdf").markdown
    assert "# INDEX CALENDAR\n" in md
    assert "# DISCLAIMER\n" in md
    assert "K N N U U Z" in md
