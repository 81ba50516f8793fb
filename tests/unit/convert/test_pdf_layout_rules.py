"""The pure PDF layout rules on hand-made glyphs and lines: scripts, letters, furniture."""

# ruff: noqa: RUF001  (maths italic letters, as PDFs print them, are the point of some tests)

from __future__ import annotations

from docsense.adapters.convert._pdf_headings import (
    Heading,
    HeadingKind,
    HeadingLevels,
    find_headings,
    heading_candidate,
    out_of_sequence,
)
from docsense.adapters.convert._pdf_layout import (
    Line,
    body_size,
    is_metadata_line,
    is_page_number,
    page_furniture,
    paragraph_breaks,
    plain_letters,
)
from docsense.adapters.convert._pdf_notes import FootnoteLabels, split_footnotes
from docsense.adapters.convert._pdf_page import clean_text
from docsense.adapters.convert._pdf_scripts import Glyph, render_glyphs
from docsense.adapters.convert._titles import real_title


def glyphs(text: str, x: float, baseline: float, size: float) -> list[Glyph]:
    out = []
    for char in text:
        width = 0.5 * size
        out.append(Glyph(char, x, x + width, baseline, 0.0 if char == " " else size))
        x += width
    return out


def test_a_smaller_lowered_run_is_a_subscript_of_the_text_before_it() -> None:
    line = glyphs("Index Level", 72, 700, 10) + glyphs("ITD", 127, 697.5, 7)
    line += glyphs(" means", 137.5, 700, 10)
    assert render_glyphs(line) == "Index Level_{ITD} means"


def test_a_smaller_raised_run_is_a_superscript() -> None:
    line = glyphs("x", 72, 700, 10) + glyphs("2", 77, 704, 7) + glyphs(" + y", 80.5, 700, 10)
    assert render_glyphs(line) == "x^{2} + y"


def test_stacked_scripts_are_ordered_subscript_first_when_pieces_are_reordered() -> None:
    base = glyphs("w", 200, 700, 10) + glyphs("i", 205, 697.5, 7)
    raised = glyphs("L", 205.2, 704, 7)
    assert render_glyphs(base + raised, reorder=True) == "w_{i}^{L}"


def test_a_combining_mark_stays_with_its_letter_and_maths_fonts_do_not_matter() -> None:
    # Maths fonts report tall boxes: only sizes and baselines are compared.
    line = [
        *glyphs("OIR", 72, 380.2, 9),
        Glyph("t", 88, 91, 378.4, 6.5),
        Glyph("\u0303", 88.3, 91, 378.9, 6.5),
    ]
    assert render_glyphs(line) == "OIR_{t\u0303}"


def test_a_line_of_one_size_is_returned_unchanged() -> None:
    assert render_glyphs(glyphs("Plain text, no scripts.", 72, 700, 10)) == (
        "Plain text, no scripts."
    )


def test_maths_letters_become_plain_and_a_minus_inside_a_word_a_hyphen() -> None:
    assert plain_letters("\U0001d444\U0001d456,\U0001d43c\U0001d447\U0001d437") == "Qi,ITD"
    assert plain_letters("Short\u2212Term and Long\u2011Term") == "Short-Term and Long-Term"
    assert plain_letters("ITD\u22121 and x \u2212 y") == "ITD\u22121 and x \u2212 y"
    assert plain_letters("\u210e") == "h"


def line(text: str, bottom: float, size: float = 10.0, page: int = 1) -> Line:
    return Line(text, page, 0, top=bottom + size, bottom=bottom, size=size, baseline=bottom)


def test_page_numbers_in_every_form_are_recognised() -> None:
    for text in ("12", "- 3 -", "Page 2 of 9", "page 4", "iv", "3 / 10", "\u2013 7 \u2013"):
        assert is_page_number(text), text
    for text in ("1. Overview", "IV. Rules", "Weights", "I", "12 months"):
        assert not is_page_number(text), text


def test_a_page_number_broken_off_from_its_dash_is_removed_whole() -> None:
    pages = [
        [line("- 29", 780), line("-", 770), line("Body text of the page.", 700)],
        [line("Body text again.", 700), line("30", 40)],
    ]
    assert page_furniture(pages) == {(0, 0), (0, 1), (1, 1)}


def test_a_repeated_line_at_the_same_height_is_furniture_only_on_three_pages() -> None:
    chapter = [[line("Part A", 780), line(f"{word} text.", 700)] for word in ("One", "Two")]
    assert page_furniture(chapter) == set()
    chapter.append([line("Part A", 780), line("Three text.", 700)])
    assert page_furniture(chapter) == {(0, 0), (1, 0), (2, 0)}


def test_the_body_size_is_the_most_common_size_by_characters() -> None:
    lines = [line("A long line of body text at ten points", 700), line("TITLE", 760, 20)]
    assert body_size([lines]) == 10.0


def test_dates_and_version_stamps_are_metadata() -> None:
    for text in ("Dated: 9 September 2020", "Version 1.2", "SEPTEMBER 29, 2025", "12/05/2024",
                 "Effective Date: 1 May 2020", "3rd March 2021"):  # fmt: skip
        assert is_metadata_line(text), text
    assert not is_metadata_line("Market Disruption Events")


def test_junk_metadata_titles_are_rejected() -> None:
    for junk in ("Microsoft Word - rules_v3.docx", "rules.pdf", "Word Document", "untitled",
                 "", "DISCLAIMER", "Document1"):  # fmt: skip
        assert real_title(junk) is None, junk
    assert real_title("  Alpha   Index Rules ") == "Alpha Index Rules"


def heading(text: str, kind: HeadingKind, number: str | None = None, keyword: str | None = None,
            scale: float = 1.0) -> Heading:  # fmt: skip
    return Heading(text, kind, 1, number, keyword, scale)


def test_heading_levels_follow_structure_and_restart_numbering_in_each_part() -> None:
    levels = HeadingLevels()
    sequence = [
        heading("RULES", HeadingKind.CAPS),
        heading("Part I", HeadingKind.PART, "I", "part"),
        heading("1. Scope", HeadingKind.NUMBERED, "1."),
        heading("1.1 Terms", HeadingKind.NUMBERED, "1.1"),
        heading("Notes", HeadingKind.BOLD),
        heading("2. Weights", HeadingKind.NUMBERED, "2."),
        heading("Part II", HeadingKind.PART, "II", "part"),
        heading("Chapter 1", HeadingKind.PART, "1", "chapter"),
        heading("1. Scope", HeadingKind.NUMBERED, "1."),
        heading("Annex A", HeadingKind.PART, "A", "annex"),
    ]
    assert [levels.level(h) for h in sequence] == [1, 2, 3, 4, 5, 3, 2, 3, 4, 2]


def test_a_larger_heading_is_outer_to_a_body_size_one() -> None:
    levels = HeadingLevels()
    big = heading("Introduction", HeadingKind.BOLD, scale=1.6)
    small = heading("Background", HeadingKind.BOLD, scale=1.0)
    assert [levels.level(big), levels.level(small), levels.level(big)] == [1, 2, 1]


def test_footnotes_are_the_small_lines_that_end_a_page_and_start_with_a_marker() -> None:
    page = [
        line("The rate^{1} is fixed by the committee.", 700),
        line("More body text.", 688),
        line("^{1} Set at 9:00 New York time by the", 90, 8),
        line("rates committee.", 80, 8),
        line("2 A second note.", 70, 8),
    ]
    rest, notes = split_footnotes(page, 10.0)
    assert [ln.text for ln in rest] == [page[0].text, page[1].text]
    assert [(n.label, n.text) for n in notes] == [
        ("1", "Set at 9:00 New York time by the rates committee."),
        ("2", "A second note."),
    ]


def test_small_text_that_is_not_at_the_page_bottom_or_has_no_marker_stays() -> None:
    caption_like = [line("Body.", 700), line("Source: Bloomberg", 90, 8)]
    assert split_footnotes(caption_like, 10.0) == (caption_like, [])
    above_body = [line("1 small note", 700, 8), line("Body text below it.", 600)]
    assert split_footnotes(above_body, 10.0)[1] == []


def test_footnote_labels_that_restart_on_a_later_page_stay_unique() -> None:
    labels = FootnoteLabels()
    first = split_footnotes([line("Body.", 700), line("1 Note.", 90, 8)], 10.0)[1][0]
    again = split_footnotes([line("Body.", 700), line("1 Other.", 90, 8, page=3)], 10.0)[1][0]
    assert labels.label(first) == "1"
    assert labels.label(again) == "1-p3"


def test_a_maths_symbol_split_by_kerning_is_joined_but_words_in_maths_type_are_not() -> None:
    assert clean_text("𝐴𝐹 𝐹 𝑆𝑖 = supply") == "AFFSi = supply"
    assert clean_text("𝐼𝑛𝑑𝑒𝑥 𝐿𝑒𝑣𝑒𝑙 and 𝐹𝑃 𝐶𝑢𝑡𝑜𝑓𝑓") == "Index Level and FP Cutoff"
    assert clean_text("(𝑆, 𝐶𝑆𝑆)") == "(S, CSS)"


def test_zero_width_spaces_a_word_processor_left_around_a_symbol_are_dropped() -> None:
    assert clean_text("a spread, \u200bS\u200b (such as 0.10)") == "a spread, S (such as 0.10)"


def test_a_page_of_table_then_small_notes_keeps_its_footnotes() -> None:
    # The Russell methodology has pages whose body is one table: no error, notes still read.
    table = line("| Region | Weight |", 700)
    table.table = (("Region", "Weight"),)
    page = [table, line("1 Weights as of June.", 90, 8)]
    rest, notes = split_footnotes(page, 10.0)
    assert rest == [table]
    assert [(n.label, n.text) for n in notes] == [("1", "Weights as of June.")]


def test_a_bold_row_printed_in_cells_far_apart_is_a_table_header_not_a_heading() -> None:
    def bold(text: str, segments: list[tuple[float, float]]) -> Line:
        return Line(text, 1, 0, size=9.0, bold=True, bold_end=True, segments=segments)

    header = bold("Flag Source Threshold", [(69, 86), (137, 213), (243, 304)])
    heading = bold("Risk Factors", [(69, 86), (90, 130)])  # two text objects, one phrase
    assert heading_candidate([header], 0, {0}, 10.0) is None
    assert heading_candidate([heading], 0, {0}, 10.0) is not None


def test_a_number_that_opens_a_line_inside_a_chapters_subsections_is_no_heading() -> None:
    assert out_of_sequence(["2", "2.5", "40", "2.6", "3", "3.1"]) == {2}
    # A new chapter after its predecessor's subsections, and unnumbered headings between.
    assert out_of_sequence(["2.5", "3", "3.1", None, "4", "4.1", "A.1", "4.2"]) == {6}
    assert out_of_sequence(["1", "2", "3"]) == set()


def test_a_contents_heading_holds_none_of_the_sections_after_it() -> None:
    levels = HeadingLevels()
    title = heading("Reference Rates Methodology", HeadingKind.BOLD, scale=2.0)
    contents = heading("Table of Contents", HeadingKind.BOLD, scale=1.6)  # set larger
    first = heading("1 Introduction", HeadingKind.NUMBERED, "1", scale=1.4)
    sub = heading("1.1 Sources", HeadingKind.NUMBERED, "1.1")
    assert [levels.level(h) for h in (title, contents, first, sub)] == [1, 2, 2, 3]


def test_numbered_lines_ending_in_page_numbers_one_after_another_are_contents() -> None:
    def bold(text: str) -> Line:
        return Line(text, 2, 0, size=10.0, bold=True, bold_end=True, segments=[(135, 477)])

    entries = [bold("1 Introduction 3"), bold("2 Description 3"), bold("3 Coverage 4")]
    assert [heading_candidate(entries, i, {0, 1, 2}, 10.0) for i in range(3)] == [None] * 3
    assert heading_candidate([bold("1 Introduction")], 0, {0}, 10.0) is not None


def _page(rows: list[tuple[str, float]], italic: tuple[str, ...] = ()) -> list[Line]:
    """Lines at the given gaps (in points) below the previous one, body text 10 pt."""
    lines, y = [], 700.0
    for text, gap in rows:
        y -= gap
        lines.append(line(text, y))
        lines[-1].italic = text in italic
    return lines


_BODY = [("The index tracks the market value of the largest", 12.0)] * 6


def test_a_journals_numbered_headings_at_body_weight_are_headings_when_set_apart() -> None:
    # IEEE's template: sections in small capitals, subsections in italics, neither bold
    # nor larger; more space above them than between the lines of a paragraph.
    rows = [
        *_BODY,
        ("II. TCAP PRICE METHODOLOGY", 25.0),
        ("A. Total market capitalization data", 22.0),
        *_BODY,
        ("1. BTC", 25.0),  # a spaced-out numbered list in capitals: items, not headings
        ("2. ETH", 25.0),
        *_BODY,
        ("III. METHOD", 12.0),  # no space above: a line of text
        *_BODY,
        ("B. Odd number of observations", 25.0),  # not italic: a line of text
        *_BODY,
    ]
    lines = _page(rows, italic=("A. Total market capitalization data",))
    found = find_headings(lines, paragraph_breaks(lines), 10.0)
    assert [(h.text, h.number) for h in found.values()] == [
        ("II. TCAP PRICE METHODOLOGY", "II."),
        ("A. Total market capitalization data", "A."),
    ]


def test_c_after_b_is_a_letter_not_a_roman_hundred() -> None:
    levels = HeadingLevels()
    section = heading("II. METHODOLOGY", HeadingKind.NUMBERED, "II.")
    a, b, c = (heading(f"{x}. Part", HeadingKind.NUMBERED, f"{x}.") for x in "ABC")
    after = heading("III. GOVERNANCE", HeadingKind.NUMBERED, "III.")
    assert [levels.level(h) for h in (section, a, b, c, after)] == [1, 2, 2, 2, 1]


def test_a_code_name_in_bold_is_a_table_cell_not_a_heading() -> None:
    def bold(text: str) -> Line:
        return Line(text, 1, 0, size=10.0, bold=True, bold_end=True, segments=[(72, 180)])

    cells = [bold("SOURCE_EXPECTED"), bold("RUNPOD_CLU"), bold("STER")]  # "STER" wraps on
    assert [heading_candidate(cells, i, {0, 1}, 10.0) for i in range(3)] == [None] * 3
    assert heading_candidate([bold("SOURCE EXPECTED")], 0, {0}, 10.0) is not None
