"""Quote grounding: exact, normalised, bounded fuzzy; never a quote that is not there."""

from __future__ import annotations

from docsense.review.grounding import GroundingMethod, ground_quote

PDF_TEXT = (
    "## 3. Calculation\n\n"
    "The target weight of each constituent is calcu-\n"
    "lated on the rebalancing date as the inverse of its\n"
    "trailing volatility, divided by the sum over all constituents.\n"
)


def test_exact_quote_is_located_where_it_is() -> None:
    g = ground_quote(PDF_TEXT, "trailing volatility")
    assert g is not None
    assert g.method is GroundingMethod.EXACT
    assert PDF_TEXT[g.start : g.end] == "trailing volatility"


def test_quote_split_across_a_pdf_line_break_is_grounded() -> None:
    quote = "calculated on the rebalancing date as the inverse of its trailing volatility"
    g = ground_quote(PDF_TEXT, quote)
    assert g is not None
    assert g.method is GroundingMethod.NORMALISED
    assert g.text == PDF_TEXT[g.start : g.end]
    assert g.text.startswith("calcu-\nlated")
    assert g.text.endswith("trailing volatility")


def test_punctuation_case_and_markup_are_ignored() -> None:
    md = "Weights are **capped** at 10% — see “Rule 4”."
    g = ground_quote(md, 'weights are capped at 10% - see "rule 4"')
    assert g is not None
    assert g.method is GroundingMethod.NORMALISED
    assert g.text == "Weights are **capped** at 10% — see “Rule 4"


def test_fuzzy_match_tolerates_one_wrong_word_in_a_long_quote() -> None:
    quote = "the target weight of every constituent is calculated on the rebalancing date"
    g = ground_quote(PDF_TEXT, quote)
    assert g is not None
    assert g.method is GroundingMethod.FUZZY
    assert g.text.startswith("The target weight of each constituent")


def test_invented_quote_is_not_grounded() -> None:
    assert ground_quote(PDF_TEXT, "the index is rebalanced on the third Friday of March") is None
    assert ground_quote(PDF_TEXT, "") is None


def test_short_quotes_must_match_exactly() -> None:
    assert ground_quote("Rate: 5 bp", "5bp") is None
    assert ground_quote("Rate: 5 bp", "5 bp") is not None


def test_hint_chooses_between_occurrences_but_location_comes_from_the_text() -> None:
    md = "cap applies. Later: cap applies."
    first = ground_quote(md, "cap applies")
    second = ground_quote(md, "cap applies", hint=25)
    assert first is not None
    assert second is not None
    assert (first.start, second.start) == (0, 20)
