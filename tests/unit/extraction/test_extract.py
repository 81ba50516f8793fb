"""Extractors on hand-written fixtures (general drafting patterns, not corpus sentences)."""

# ruff: noqa: RUF001  (the multiplication sign is part of the fixture formulas)
from __future__ import annotations

from docsense.adapters.convert import convert_document
from docsense.domain.codec import structure, unstructure
from docsense.domain.ir import IssueKind, ReferenceKind, SemanticIR, SourceAnchor, TermSource
from docsense.extraction import extract_ir

DOC = """# Alpha Carry Index

## 1. Introduction

The Alpha Carry Index (the "Index") tracks a basket of currency forwards (each, a
"Constituent", and together the "Constituents"). The Index Level is published daily.

"Business Day" means a day on which banks are open in London.

Carry Signal is defined as the annualised forward premium of a Constituent.

## 2. Parameters

- Volatility Target: 8%
- **Rebalance Threshold** = 2.5 per cent
- Lookback: 60 Business Days

Each Constituent must have an average daily turnover greater than $50 million.
Weights are capped at 20% and use a 30-day moving average of prices.
The Index was launched on 3 January 2022 as described in Section 3.

## 3. Calculation

The weight of Constituent i is:

W_i = Signal_i / Sum(Signal) × Scale

where Signal_i is the Carry Signal of Constituent i, and Scale denotes the leverage factor.

The level is:

$$
L_t = L_{t-1} \\times (1 + \\sum_i w_i r_{i,t})
$$

Costs of $5 and $10 are not formulas. Base Level = 1000 (set at launch).

Where:
- r_i = the daily return of Constituent i
- L: the Index Level

Table 1: Example weights

| Constituent | Weight |
|---|---|
| EURUSD | 20% |
| USDJPY | 15% |

See Table 1, Section 2, Section 9, Appendix A, Appendix B and the
[rulebook](https://example.com/rules.pdf). Data are as set out in the Global FX Benchmark
Methodology.

## Appendix A: Constituent List

Listed in Table 1.
"""


def ir() -> SemanticIR:
    return extract_ir(DOC)


def terms() -> dict[str, tuple[TermSource, tuple[str, ...]]]:
    return {t.term: (t.source, t.aliases) for t in ir().terms}


def test_quoted_parenthetical_definitions_with_aliases() -> None:
    found = terms()
    assert found["Index"] == (TermSource.QUOTED, ("Alpha Carry Index",))
    assert found["Constituent"] == (TermSource.QUOTED, ("Constituents",))


def test_means_and_defined_as_definitions() -> None:
    found = {t.term: t for t in ir().terms}
    assert found["Business Day"].definition == "a day on which banks are open in London"
    assert found["Business Day"].source is TermSource.QUOTED
    assert found["Carry Signal"].source is TermSource.MEANS
    assert found["Carry Signal"].definition.startswith("the annualised forward premium")


def test_where_clauses_define_formula_variables() -> None:
    found = terms()
    for name in ("Signal_i", "Scale", "r_i", "L"):
        assert found[name][0] is TermSource.WHERE


def test_parameters_from_labels_comparisons_and_measures() -> None:
    params = {(p.name, p.value, p.unit, p.numeric) for p in ir().parameters}
    assert ("Volatility Target", "8%", "%", 8.0) in params
    assert ("Rebalance Threshold", "2.5 per cent", "per cent", 2.5) in params
    assert ("Lookback", "60 Business Days", "Business Days", 60.0) in params
    assert ("average daily turnover", "$50 million", "million", 50.0) in params
    assert ("Weights", "20%", "%", 20.0) in params
    assert ("moving average", "30 days", "days", 30.0) in params
    names = {p.name for p in ir().parameters}
    assert not any("launched" in n or "Section" in n for n in names)


def test_plain_and_latex_formulas_with_variables() -> None:
    formulas = {f.text: f for f in ir().formulas}
    plain = formulas["W_i = Signal_i / Sum(Signal) × Scale"]
    assert plain.notation == "plain"
    assert plain.name == "W_i"
    assert [v.name for v in plain.variables] == ["W_i", "Signal_i", "Signal", "Scale"]
    assert plain.undefined_variables == ()
    latex = formulas[r"L_t = L_{t-1} \times (1 + \sum_i w_i r_{i,t})"]
    assert latex.notation == "latex"
    assert "w_i" in latex.undefined_variables
    assert "r_i" not in latex.undefined_variables
    assert not any("$5" in text or "1000" in text for text in formulas)


def test_variable_definitions_point_at_their_source() -> None:
    formula = next(f for f in ir().formulas if f.name == "W_i")
    scale = next(v for v in formula.variables if v.name == "Scale")
    assert scale.defined_by == "where"
    assert scale.defined_at is not None
    assert DOC[scale.defined_at.start : scale.defined_at.end] == "Scale"


def test_tables_with_caption_header_and_rows() -> None:
    (table,) = ir().tables
    assert table.id == "table-1"
    assert table.caption == "Table 1: Example weights"
    assert table.header == ("Constituent", "Weight")
    assert table.rows == (("EURUSD", "20%"), ("USDJPY", "15%"))
    assert table.location.section_id == "3-calculation"


def test_references_resolve_to_sections_tables_and_appendices() -> None:
    refs = {(r.text, r.kind): (r.resolved, r.resolved_to) for r in ir().references}
    assert refs[("Section 3", ReferenceKind.SECTION)] == (True, "3-calculation")
    assert refs[("Section 9", ReferenceKind.SECTION)] == (False, None)
    assert refs[("Table 1", ReferenceKind.TABLE)] == (True, "table-1")
    assert refs[("Appendix A", ReferenceKind.APPENDIX)] == (True, "appendix-a-constituent-list")
    assert refs[("Appendix B", ReferenceKind.APPENDIX)] == (False, None)
    externals = {r.target for r in ir().references if r.kind is ReferenceKind.EXTERNAL}
    assert "https://example.com/rules.pdf" in externals
    assert "Global FX Benchmark Methodology" in externals


def test_issues_report_unresolved_references_undefined_variables_and_early_use() -> None:
    issues = {(i.kind, i.subject) for i in ir().issues}
    assert (IssueKind.UNRESOLVED_REFERENCE, "Section 9") in issues
    assert (IssueKind.UNRESOLVED_REFERENCE, "Appendix B") in issues
    assert (IssueKind.UNDEFINED_VARIABLE, "w_i") in issues
    assert (IssueKind.UNRESOLVED_REFERENCE, "Section 3") not in issues
    # "Index" appears in the title heading only before its definition: headings don't count.
    assert (IssueKind.TERM_USED_BEFORE_DEFINITION, "Index") not in issues


def test_term_used_before_definition_outside_a_glossary() -> None:
    text = (
        '# Rules\n\nEach Valuation Day the level is fixed.\n\n"Valuation Day" means each weekday.\n'
    )
    issues = extract_ir(text).issues
    assert [(i.kind, i.subject) for i in issues] == [
        (IssueKind.TERM_USED_BEFORE_DEFINITION, "Valuation Day")
    ]
    assert text[issues[0].location.start :].startswith("Valuation Day the level")


def test_glossary_sections_define_terms_without_early_use_issues() -> None:
    text = (
        "# Rules\n\nThe Fixing Time is 4pm.\n\n## Definitions\n\n"
        "- Fixing Time: the time at which prices are taken\n- Venue - the main exchange\n"
    )
    ir = extract_ir(text)
    assert {(t.term, t.source) for t in ir.terms} == {
        ("Fixing Time", TermSource.GLOSSARY),
        ("Venue", TermSource.GLOSSARY),
    }
    assert not [i for i in ir.issues if i.kind is IssueKind.TERM_USED_BEFORE_DEFINITION]


def test_duplicate_definitions_with_different_wording() -> None:
    text = '"Cap" means 10%.\n\nLater text.\n\n"Cap" means 20%.\n'
    kinds = [i.kind for i in extract_ir(text).issues]
    assert IssueKind.DUPLICATE_DEFINITION in kinds


def test_locations_carry_section_and_source_provenance() -> None:
    anchors = (SourceAnchor(0, page=1), SourceAnchor(DOC.index("## 3."), page=2))
    result = extract_ir(DOC, anchors=anchors)
    formula = next(f for f in result.formulas if f.name == "W_i")
    assert formula.location.section_id == "3-calculation"
    assert formula.location.page == 2
    term = next(t for t in result.terms if t.term == "Index")
    assert (term.location.section_id, term.location.page) == ("1-introduction", 1)
    assert DOC[term.location.start : term.location.end] == "Index"


def test_code_block_formulas_are_found_but_not_terms() -> None:
    text = "# Calc\n\n```\nNAV = Assets - Liabilities\n```\n\n```\nX means nothing here\n```\n"
    result = extract_ir(text)
    assert [f.text for f in result.formulas] == ["NAV = Assets - Liabilities"]
    assert result.terms == ()


def test_ir_round_trips_through_the_event_codec() -> None:
    result = ir()
    assert structure(unstructure(result), SemanticIR) == result


def test_symbol_glossaries_define_scripted_symbols_and_their_indices() -> None:
    md = (
        "# Index\n\n## 1. Defined Terms\n\n"
        "Q_{i,ITD} means the Quantity for Index Component_{(i)} for Index Trading Day\n"
        "Index Level_{t} means the Index Level for Index Business Day_{(t)}\n"
        "Subscript_{(ITD)} means Index Trading Day\n\n"
        "## 2. Calculation\n\n"
        "Gross Level_{t} = Index Level_{ITD−1} + ∑ Q_{i,ITD−1} × A_{i,t}\n"
    )
    ir = extract_ir(md)
    assert {"Q_{i,ITD}", "Index Level_{t}", "ITD"} <= {t.term for t in ir.terms}
    (formula,) = ir.formulas
    # Q and Index Level are defined with other subscripts; only A is not defined anywhere.
    assert formula.undefined_variables == ("A_{i,t}",)


def test_mathematical_letters_and_glued_index_suffixes_bind() -> None:
    md = (
        "# M\n\n"
        '"Rtnic(t)" means the Daily Return of Immediate Component ic on day t;\n\n'
        "𝐵𝑎𝑠𝑒𝑉𝑜𝑙 means the base volatility\n\n"
        "Signal_{ic}(o) = Rtn_{ic}(o) / BaseVol\n"
    )
    (formula,) = extract_ir(md).formulas
    assert formula.undefined_variables == ()


def test_a_lone_x_between_operands_multiplies() -> None:
    md = (
        "# M\n\n'OIR' means the overnight rate and 'DCF' means the day count fraction.\n\n"
        'where "S" is the level.\n\n'
        "S_{t} = S_{t−1} x (1 + OIR_{t} x DCF_{t})\n"
    )
    variables = [v.name for v in extract_ir(md).formulas[0].variables]
    assert "OIR_{t}" in variables
    assert "DCF_{t}" in variables
    assert not any(" x " in v for v in variables)


def test_quoted_single_letters_and_definitions_on_the_next_line() -> None:
    md = '# M\n\n"α" means the smoothing factor.\n\n"Multiplier" means:\n\n(i) one; or (ii) two.\n'
    terms = {t.term for t in extract_ir(md).terms}
    assert {"α", "Multiplier"} <= terms


def test_names_the_text_gives_with_referred_to_as() -> None:
    md = ('# M\n\nThe rest of this page refers to the oldest time in the window as the '
          '"cutoff time".\n\nThe weight above the cap is referred to as the "excess".\n')
    terms = {t.term: t.definition for t in extract_ir(md).terms}
    assert terms == {"cutoff time": "the oldest time in the window",
                     "excess": "The weight above the cap"}


def test_summation_bounds_are_not_formulas() -> None:
    md = "# M\n\nDC_{t} = Index Level_{ITD−1} × ∑ Rate\ns=ITD−1\n"
    assert [f.name for f in extract_ir(md).formulas] == ["DC_{t}"]


def test_program_code_is_not_read_for_formulas() -> None:
    md = ("# Spec\n\n```solidity\nuint256 amount = balance * ratio / PRECISION;\n```\n\n"
          "```\nScore = Alpha * Carry\n```\n")
    assert [f.name for f in extract_ir(md).formulas] == ["Score"]


def test_a_flattened_fraction_of_one_symbol_is_that_symbol() -> None:
    md = ("# M\n\nA_{i,t} means the level of component i on day t\n\n"
          "R_{i,t} = ln(AA_{i,t−3}^{i,t})\n")
    (formula,) = [f for f in extract_ir(md).formulas if f.name == "R_{i,t}"]
    assert formula.undefined_variables == ()


def test_captions_without_a_number_or_ending_in_table() -> None:
    md = ("# M\n\nTable – Immediate Components\n\n| Component | Weight |\n|---|---|\n| A | 1 |\n\n"
          "Weight Mapping Table\n\n| Signal | Weight |\n|---|---|\n| 1 | 0.5 |\n")
    assert [t.caption for t in extract_ir(md).tables] == [
        "Table – Immediate Components", "Weight Mapping Table"
    ]


def test_a_legend_in_a_code_block_defines_the_formula_symbols() -> None:
    md = ("# Split\n\n```\nTs/Tu = (Pua * Psb) / (Psa * Pub)\n\nTs  = Sushiswap trade size\n"
          "Tu  = Uniswap trade size\nPua = Uniswap liquidity for pool A\n"
          "Pub = Uniswap liquidity for pool B\nPsa = Sushiswap liquidity for pool A\n"
          "Psb = Sushiswap liquidity for pool B\n```\n")
    ir = extract_ir(md)
    (formula,) = [f for f in ir.formulas if f.name == "Ts/Tu"] or ir.formulas[:1]
    assert formula.undefined_variables == ()


def test_latex_names_of_several_words_and_upright_names_are_one_operand() -> None:
    from docsense.extraction.formulas import latex_variables

    assert latex_variables(r"{Index Level}=\frac{{Index Value}}{{Divisor}}") == (
        "Index Level", "Index Value", "Divisor",
    )
    assert latex_variables(r"\text {CV}_{i}={P_{i} * Q_{i}}") == ("CV_i", "P_i", "Q_i")
    assert latex_variables(r"{Index Level}{ }_{t1}=x") == ("Index Level_t1", "x")
    assert latex_variables(r"{{Divisor}}_{after}=y") == ("Divisor_after", "y")
    assert latex_variables(r"a \text{ if } b") == ("a", "b")  # \text prose is not a name


def test_emphasised_where_symbols_and_state_scripts_define_formula_variables() -> None:
    md = (
        "# Index\n\n## Level\n\n$$\n{Index Value}={\\sum_{i} P_{i} * Q_{i}}\n$$\n\n"
        "Where _Pi_ is the price of a constituent, _Qi_ is its circulating supply.\n\n"
        "$$\n{Divisor}_{t1} = {Divisor}_{t0} * \\frac{{Index Value}_{after}}"
        "{{Index Value}_{before}}\n$$\n"
    )
    ir = extract_ir(md)
    assert [f.undefined_variables for f in ir.formulas] == [(), ()]


def test_a_formula_variable_nobody_defines_is_still_undefined() -> None:
    ir = extract_ir("# Index\n\n$$\n{Index Level}=\\frac{{Index Value}}{{Scale Factor}}\n$$\n")
    assert ir.formulas[0].undefined_variables == ("Index Value", "Scale Factor")


def test_inline_maths_naming_a_symbol_is_not_a_formula_and_defines_in_where_clauses() -> None:
    md = (
        "# Index\n\n## Weights\n\nEach weight is a share of the total.\n\n"
        "$$\nw_i = \\frac{MC_i}{\\sum_{j=1}^{N} MC_j}\n$$\n\n"
        "where $MC_i$ is the market capitalization of security $i$, and $N$ is the number of "
        "constituents.\n"
    )
    ir = extract_ir(md)
    assert [f.text for f in ir.formulas] == ["w_i = \\frac{MC_i}{\\sum_{j=1}^{N} MC_j}"]
    assert ir.formulas[0].undefined_variables == ()


def test_acronyms_headings_and_ticker_qualified_names_define_formula_variables() -> None:
    md = (
        "# dsETH\n\n## Reference Price Guidelines\n\nPrices are read from the token contracts."
        "\n\n## Target Units\n\nSum the values. This gives the net asset value (NAV) of the "
        "index.\n\n    Target Unit(t) = [dsETH NAV] * [Weight(t)] / Reference Price(t)\n"
    )
    ir = extract_ir(md)
    assert [(t.term, t.definition) for t in ir.terms if t.source is TermSource.ACRONYM] == [
        ("NAV", "net asset value")
    ]
    assert ir.formulas[0].undefined_variables == ("Weight",)


def test_parenthesised_capitals_that_are_not_initials_define_nothing() -> None:
    ir = extract_ir("# Index\n\nThe index tracks large companies (USA) and funds (ETF).\n")
    assert [t.term for t in ir.terms if t.source is TermSource.ACRONYM] == []


def test_a_lead_in_before_a_plain_formula_is_not_its_name() -> None:
    ir = extract_ir("# Fund\n\nSimply explained, Units = Score x Value / Price\n")
    assert [f.name for f in ir.formulas] == ["Units"]


def test_a_labelled_step_and_inline_code_hold_formulas_that_define_their_names() -> None:
    md = ("# Index\n\n1. Calculate weights: `Weight = Cap / Total Cap`\n"
          "2. Scale them: Weight ok\n\n```\nAt inception:\n"
          "  2. Using $1M notional: Shares = (Notional × Weight) / Price\n"
          "Index Value = Sum(Shares × Price) / Divisor\n```\n")
    ir = extract_ir(md)
    assert [f.name for f in ir.formulas] == ["Weight", "Shares", "Index Value"]
    assert ir.formulas[0].text == "Weight = Cap / Total Cap"
    index_value = {v.name: v.defined_by for v in ir.formulas[2].variables}
    assert index_value["Shares"] == "formula"


def test_a_formula_continued_on_the_next_lines_is_read_whole_and_values_are_not_formulas(
) -> None:
    md = ("# Index\n\n```\nMarket Weight = (Volume Weight × 0.7) +\n"
          "                (Impact Weight × 0.3)\n```\n\nWhere:\n"
          "- **100** = the balance point (50/50 bullish/bearish)\n")
    ir = extract_ir(md)
    assert [f.text for f in ir.formulas] == [
        "Market Weight = (Volume Weight × 0.7) + (Impact Weight × 0.3)"
    ]
    assert [v.name for v in ir.formulas[0].variables] == [
        "Market Weight", "Volume Weight", "Impact Weight"
    ]


def test_old_and_new_states_of_a_defined_quantity_and_class_tickers_are_defined() -> None:
    md = ("# Index\n\n## Prices\n\n- AAPL: $150.00\n- BRK.B: $225.00\n\n"
          "Where:\n- Divisor = Initial divisor adjusted for corporate actions\n"
          "- Sum = P_AAPL + P_BRK.B\n\n"
          "New Divisor = Old Divisor * (New Sum) / (Old Sum)\n")
    ir = extract_ir(md)
    last = ir.formulas[-1]
    assert [v.name for v in last.variables] == ["New Divisor", "Old Divisor", "New Sum", "Old Sum"]
    assert all(v.defined_by for v in last.variables[1:])
    total = next(f for f in ir.formulas if f.name == "Sum")
    assert [(v.name, v.defined_by) for v in total.variables] == [
        ("P_AAPL", "term"), ("P_BRK.B", "term")
    ]


def test_a_formula_typed_in_a_rich_text_editor_binds_its_defined_names() -> None:
    md = ("# FLI\n\n## Definitions\n\n"
          "- Borrow Rate — the cost to borrow the asset over the most recent epoch.\n"
          "- Current Leverage Ratio (CLR) — assets divided by debt.\n"
          "- Maximum Leverage Ratio (MAXLR) — the highest leverage ratio after a rebalance.\n\n"
          "Index Price:\n\n"
          "FLIt = FLIt-1 _ (1 + ((Pricet/Pricet-1–1) _ CLRt-1 — (BorrowRatet \\* "
          "(CLRt-1 -1)/CLRt-1)))\n\n"
          "CLRt+1 = min(MAXLR, CLRt)\n")
    ir = extract_ir(md)
    assert "MAXLR" in {t.term for t in ir.terms}  # "Max" + "L" + "R"
    price, ratio = ir.formulas
    assert [v.name for v in price.variables] == [
        "FLIt", "FLIt-1", "Pricet", "Pricet-1", "CLRt-1", "BorrowRatet"
    ]
    undefined = [v.name for f in ir.formulas for v in f.variables if v.defined_by is None]
    assert undefined == ["Pricet", "Pricet-1"]  # the price of what is not defined
    assert all(v.defined_by for v in ratio.variables)


def test_amounts_of_money_are_not_inline_maths() -> None:
    md = ("# DPI\n\nDPI holds YFI (#14, $1.5m), AAVE (#16, $1.9m) and UNI ($2.5m), and "
          "can vote.\n\nThe weight is $w_i = 1/N$.\n")
    assert [f.text for f in extract_ir(md).formulas] == ["w_i = 1/N"]


def test_where_lists_with_units_and_maths_symbols_define_the_variables() -> None:
    md = ("# AS\n\n$$\nr(s,q,t,\\sigma)=s-q\\gamma\\sigma^{2}(T-t)\n$$\n\n"
          "$$\n\\delta^{a}+\\delta^{b}=\\gamma\\sigma^{2}(T-t)+\\frac{2}{\\gamma}ln(1+"
          "\\frac{\\gamma}{\\kappa})\n$$\n\nWhere:\n\n"
          "- s [quote asset] = current mid price\n"
          "- q [no unit] = quantity of stocks in inventory (positive/negative for long/short)\n"
          "- $\\gamma$ [1/quote asset] = inventory risk aversion parameter\n"
          "- $\\sigma$ [quote asset] = volatility\n"
          "- T [no unit] = closing time\n"
          "- t [no unit] = current time\n"
          "- $\\delta^{a}, \\delta^{b}$ [quote asset] = bid and ask spreads\n"
          "- $\\kappa$ [1/quote asset] = order book liquidity parameter\n")
    ir = extract_ir(md)
    assert len(ir.formulas) == 2  # the "q [no unit] = ..." line explains a symbol
    assert [f.undefined_variables for f in ir.formulas] == [(), ()]  # "ln(" is a function


def test_latex_layout_prose_and_escaped_spaces_are_not_variables() -> None:
    from docsense.extraction.formulas import latex_variables

    assert latex_variables(r"IRA \to 0 \newline\\[0.1in] If\ \gamma \to 0") == ("IRA", "γ")
    assert latex_variables(r"2q\gamma \le Max\ Spread - Min\ Spread") == (
        "q", "γ", "Max Spread", "Min Spread"
    )


def test_an_acronym_spells_out_a_setting_in_code() -> None:
    md = "# S\n\nSetting `inventory_risk_aversion` (IRA) between 0 and 1 scales the spread.\n"
    assert "IRA" in {t.term for t in extract_ir(md).terms}


def test_maths_symbols_defined_in_passing_and_gitbook_inline_maths() -> None:
    # GitBook writes inline maths as $$...$$ too; a symbol named in a sentence is no formula.
    md = (
        "# Pool\n\nThe weight of token $$t$$ in an index with $$l$$ tokens, where "
        "$$m(T_{n})$$ is the market cap of the $$n^{th}$$ token, is:\n\n"
        "$$\nw(t) = \\frac{m(t)}{\\sum_{n=0}^{n < l} m(T_{n})}\n$$\n\n"
        "A *desired weight* ($$D_t$$) is the target weight. If $$D_t > W_t$$ the weight "
        "rises.\n"
    )
    got = extract_ir(md)
    found = {t.term: t for t in got.terms}
    assert found["l"].definition == "the number of tokens"
    assert found["D_t"].definition == "desired weight"
    assert found["m"].aliases == ("T_n",)  # "m(T_{n})": the function and its argument
    assert [f.text for f in got.formulas] == [
        "w(t) = \\frac{m(t)}{\\sum_{n=0}^{n < l} m(T_{n})}", "D_t > W_t"
    ]
    undefined = {i.subject for i in got.issues if i.kind is IssueKind.UNDEFINED_VARIABLE}
    assert undefined == {"W_t"}


def test_latex_environments_prose_words_units_and_symbol_lines() -> None:
    md = (
        "# Check\n\n"
        "$$ s_{18} = \\sum_{k=0}^{17} \\begin{cases} |v_{i - k}| &, if\\ v_{i - k} < 0 \\\\ "
        "0 &, otherwise \\end{cases} $$\n\n"
        "$$ p_{18} = 0.101 ETH * n_i $$\n\n"
        "- $v_i$ — the balance change on the i-th report day.\n"
        "- $n_i$ — the number of validators on the i-th report day.\n"
    )
    got = extract_ir(md)
    # No "cases" (an environment), no "if v" (a prose word), no "ETH" (the unit of 0.101).
    assert {v.name for f in got.formulas for v in f.variables} == {
        "s_18", "k", "v_i-k", "p_18", "n_i"
    }
    assert not _undefined_in(got)


def test_a_typed_times_sign_makes_a_formula_and_a_linked_caption_does_not() -> None:
    md = (
        "# Size\n\nAllowed risk per trade: 1%.\n\n"
        "Capital at risk = (Available capital) X (Allowed risk per trade)\n\n"
        "GREEN = Total risk BLUE = Deviation ![chart|679x500](https://example.org/c.png)\n"
    )
    assert [f.name for f in extract_ir(md).formulas] == ["Capital at risk"]


def test_section_numbers_printed_only_in_the_contents_resolve() -> None:
    md = (
        "# Paper\n\n## Contents\n\n1\\. Introduction\n2\\. Monetary Policy Mechanisms\n"
        "2.1. Feedback Mechanism\n\n## Introduction\n\nSee Section 2.1 and Section 3.\n\n"
        "## Monetary Policy Mechanisms\n\nText.\n\n### Feedback Mechanism\n\nText.\n"
    )
    refs = {r.target: r.resolved for r in extract_ir(md).references}
    assert refs == {"Section 2.1": True, "Section 3": False}


def test_an_unbulleted_where_list_defines_its_symbols() -> None:
    md = (
        "# Index\n\nIndexLevel_{t} = P_{i,t} * AFFS_{i} / Divisor\n\nWhere,\n\n"
        "P_{i,t} = CM Price for index constituent i on day t\n"
        "AFFS_{i} = Adjusted free float supply of index constituent i\n\n"
        "Divisor = Index divisor set at launch\n"
    )
    got = extract_ir(md)
    assert {t.term for t in got.terms if t.source is TermSource.WHERE} >= {
        "P_{i,t}", "AFFS_{i}", "Divisor"
    }
    assert not _undefined_in(got)


def test_one_letter_scripts_without_braces_are_indices_and_legend_items_end_in_semicolons(
) -> None:
    # "Price_a,t" and "Σ_c": a and c are what the scripts range over, as the braced "_{i,t}"
    # are; a where list may end its items in semicolons and give a symbol its arguments.
    md = (
        "# Index\n\n## 4. Calculation\n\n"
        "Level(d) = Level(d\u22121) \u00d7 [\u03a3_c w_c(d\u22121) \u00d7 P_c(d)] / "
        "[\u03a3_c w_c(d\u22121) \u00d7 P_c(d\u22121)]\n\n"
        "Index_t = Index_R \u00d7 \u03a3_a [ W_a \u00d7 Price_a,t / Price_a,R ]\n\n"
        "where:\n"
        "Level(d) = index level on index business day d;\n"
        "w_c(d\u22121) = weight of contract c at the close of d\u22121 (Section 3);\n"
        "P_c(d) = settlement price of contract c on day d;\n"
        "Index_R = level at the last rebalance R;\n"
        "W_a = weight of asset a;\n"
        "Price_a,t = price of asset a at fixing t.\n"
    )
    got = extract_ir(md)
    where = {t.term for t in got.terms if t.source is TermSource.WHERE}
    assert {"Level", "w_c", "P_c", "Price_a,t"} <= where
    # the legend line of w_c explains a symbol: it is not a formula using "Section 3"
    assert [f.name for f in got.formulas] == ["Level(d)", "Index_t"]
    assert not _undefined_in(got)


def test_a_legend_separated_by_a_spaced_dash_defines_its_symbols() -> None:
    # "H \u2013 Current High": an en or em dash between spaces reads as "="; a hyphen in the
    # formula stays a minus sign.
    md = (
        "# Strategy\n\n## Signal\n\nThe signal is S = (C - L) / (H - L) where: "
        "H \u2013 Current High, L \u2014 Current Low, C \u2013 Current Close.\n"
    )
    got = extract_ir(md)
    assert {t.term: t.definition for t in got.terms if t.source is TermSource.WHERE} == {
        "H": "Current High", "L": "Current Low", "C": "Current Close",
    }
    assert not _undefined_in(got)
    # The same legend on lines of its own after the formula, as a PDF prints it.
    md = (
        "# Sizing\n\nTrue Range = Maximum(H-L,H - PDC,PDC - L)\n\nwhere:\n"
        "H \u2013 Current High\nL \u2013 Current Low\nPDC \u2013 Previous Day\u2019s Close\n"
    )
    got = extract_ir(md)
    assert {t.term for t in got.terms if t.source is TermSource.WHERE} >= {"H", "L", "PDC"}
    assert not _undefined_in(got)


def test_alternative_names_cases_and_a_multi_word_name_with_a_glued_subscript_define() -> None:
    # As a PDF rulebook prints them: two quoted names for one thing, a definition by cases
    # after "means,", and a quoted definition whose subscript ran into the name
    # ("Weight Inputic(d)") beside the formula that keeps it apart (Weight Input_{ic}(d)).
    md = (
        "# Weights\n\nWeight Output_{ic}(d) = Weight Input_{ic}(d) \u00d7 BVT / SCWM_{t-1}(c)\n\n"
        "Where:\n\n"
        '"BVT" or "Basket Volatility Target" means the number specified as such;\n\n'
        '"SCWMt-1(c)" means, (i) if a multiplier is specified, that multiplier; or (ii) 1;\n\n'
        '"Weight Inputic(d)" means the Weight Input in respect of Immediate Component ic.\n'
    )
    got = extract_ir(md)
    bvt = next(t for t in got.terms if t.term == "BVT")
    assert bvt.aliases == ("Basket Volatility Target",)
    assert "SCWMt-1(c)" in {t.term for t in got.terms}
    assert not _undefined_in(got)


def test_appositive_symbols_euler_exponentials_and_prose_around_values() -> None:
    md = (
        "# Rates\n\nThe supply rate includes a spread, S (such as 0.10), and the utilization "
        "ratio U for each market.\n\n"
        "Supply Rate = Borrow Rate * U * (1 - S)\n\n"
        "F = K + e^{RT} * (C - P)\n\n"
        "(b) Since K = 1360 we see that C = 95.485.\n"
    )
    got = extract_ir(md)
    found = {t.term: t.definition for t in got.terms if t.source is TermSource.WHERE}
    assert found["S"] == "spread"
    assert found["U"] == "utilization ratio"
    assert [f.name for f in got.formulas] == ["Supply Rate", "F"]
    assert [v.name for v in got.formulas[1].variables] == ["F", "K", "C", "P"]


def test_anchor_links_resolve_as_github_does_whatever_their_case() -> None:
    md = "# Strategies\n\n- [DEMA](#DEMA)\n- [Other](#Other)\n\n### DEMA\n\nText.\n"
    refs = {r.text: r.resolved for r in extract_ir(md).references}
    assert refs == {"[DEMA](#DEMA)": True, "[Other](#Other)": False}


def test_anchor_links_resolve_to_anchors_set_in_html() -> None:
    md = ("# Algo Orders\n\n## TOC\n\n- [Accumulate/Distribute](#ad)\n- [TWAP](#twap)\n"
          "- [Missing](#missing)\n\n## Accumulate/Distribute\n\n<a id=\"ad\" />\n"
          "Orders are split into chunks.\n\n## Time-weighted orders\n\n<a name='twap'></a>\n"
          "Slices are sent at fixed intervals.\n")
    got = extract_ir(md)
    refs = {r.text: (r.resolved, r.resolved_to) for r in got.references}
    ids = {s.heading: s.id for s in got.sections}
    assert refs["[Accumulate/Distribute](#ad)"][0] is True
    assert refs["[TWAP](#twap)"][0] is True
    assert refs["[Missing](#missing)"] == (False, None)
    assert refs["[TWAP](#twap)"][1] == ids["Time-weighted orders"]  # where the anchor is


def test_lettered_and_point_zero_headings_and_numbered_paragraphs_resolve() -> None:
    md = (
        "# Methodology\n\n## C. Definition of the risk factors\n\nText.\n\n"
        "### C.1 Risk factors\n\n1\\. Sensitivities are inputs.\n\n"
        "2\\. See Section C.1, Section C, paragraph 1, Section 6 and paragraph 7.\n\n"
        "## 6.0 Defining Membership by Size\n\nText.\n"
    )
    refs = {r.target: r.resolved for r in extract_ir(md).references}
    assert refs == {
        "Section C.1": True, "Section C": True, "Paragraph 1": True, "Section 6": True,
        "Paragraph 7": False,
    }


def test_an_appendix_set_as_a_letter_and_a_title_after_numbered_chapters_resolves() -> None:
    md = (
        "# Paper\n\n## 1 Introduction\n\nSee Appendix A for a proof, and Appendix B.\n\n"
        "## 2 Conclusion\n\nText.\n\n### A Correctness of the Algorithm\n\nProof.\n"
    )
    refs = {r.target: r.resolved for r in extract_ir(md).references}
    assert refs == {"Appendix A": True, "Appendix B": False}
    # Before any numbered chapter, "A Note on Fees" is a title, not Appendix A.
    early = "# Paper\n\n## A Note on Fees\n\nSee Appendix A.\n\n## 1 Method\n\nText.\n"
    assert [r.resolved for r in extract_ir(early).references] == [False]


def test_a_caption_a_pdf_ran_into_the_sentence_before_it_is_a_table() -> None:
    md = ("# Paper\n\nThe results are displayed in table 1 and table 2.\n\n"
          "The agent updates its quotes.Table 1. 1000 simulations with a small risk.\n\n"
          "As shown in Table 2. The rest follows.\n")
    refs = {r.target: r.resolved for r in extract_ir(md).references}
    # "quotes.Table 1. 1000 ..." is a caption; "in Table 2. The rest" is a reference.
    assert refs == {"Table 1": True, "Table 2": False}


def test_pdf_formula_lines_prose_after_them_and_their_legends() -> None:
    md = (
        "# VIX\n\nT = M_{Current day} / Minutes in a year\n\n"
        "ΔK = (1350 – 1275)/2. At the upper and lower edges the interval is simply used.\n\n"
        "$$\nP_{v_l} = \\frac{r_f b}{p_a}\n$$\n\n"
        "Where:\n\n"
        "CRWi,t = Contract Roll Weight of the i^{th} VIX Futures Contract on date t\n"
        "DCRPi,t = Daily Contract Reference Price of the i^{th} VIX Futures Contract on date t\n"
    )
    got = extract_ir(md)
    # "ΔK = (1350 - 1275)/2." is arithmetic on numbers; the prose after it is not its operand.
    assert [f.name for f in got.formulas] == ["T", "P_v_l"]
    assert [v.name for v in got.formulas[1].variables] == ["P_v_l", "r_f", "b", "p_a"]
    assert {"CRWi,t", "DCRPi,t"} <= {t.term for t in got.terms}


def test_a_legend_a_pdf_printed_in_two_columns_defines_its_symbols() -> None:
    # The descriptions come back first, then each symbol alone on its line.
    md = (
        "# VIX\n\nT = M_{Current day} + M_{Other days}\n\n"
        "Where\nminutes remaining until midnight of the current day\n"
        "total minutes in the days between current day and expiration day\n\n"
        "M_{Current day}\n\nM_{Other days}\n\nStep 1: Select the options.\n\nK\n"
    )
    got = extract_ir(md)
    legend = {t.term: t.definition for t in got.terms if t.term.startswith("M_")}
    assert set(legend) == {"M_{Current day}", "M_{Other days}"}
    assert legend["M_{Other days}"].startswith("minutes remaining until midnight")
    assert "K" not in {t.term for t in got.terms}  # past the legend: a stray letter
    assert not _undefined_in(got)


def test_references_in_a_table_of_contents_are_entries_not_references() -> None:
    md = ("# Methodology\n\n## Table of Contents\n\nIndex Policy 28\nHoliday Schedule 28\n\n"
          "## Index Policy\n\nSee Schedule 4.\n")
    assert [r.target for r in extract_ir(md).references] == ["Schedule 4"]


def test_a_contents_list_with_no_heading_of_its_own_holds_no_references() -> None:
    md = ("# Methodology\n\n7 Index Policy 13\n7.1 Announcements 13\n7.2 Holiday Schedule 13\n"
          "7.3 Restatement Policy 14\n\n## 7 Index Policy\n\nSee Schedule 4.\n")
    assert [r.target for r in extract_ir(md).references] == ["Schedule 4"]


def test_a_legend_whose_subscripts_a_pdf_flattened_and_a_linked_sources_table() -> None:
    md = (
        "# GSCI\n\nIndex TR_{d} = Index TR_{d-1} * (1 + SOFR_{d-1} * DAYS / 360)\n\nwhere:\n\n"
        "Index TR d = S&P GSCI (SOFR) TR\n\nSOFR d-1 = Secured Overnight Financing Rate\n\n"
        "DAYS = Number of calendar days\n\n"
        "| Copper | USGS | http://minerals.usgs.gov/copper/ (Table 22: Copper production) |\n"
    )
    got = extract_ir(md)
    assert not _undefined_in(got)
    tables = [(r.target, r.kind) for r in got.references if r.target.startswith("Table")]
    assert tables == [("Table 22", ReferenceKind.CITATION)]  # a table of the linked source


def test_headings_left_as_numbered_lines_and_provisions_cited_elsewhere_resolve() -> None:
    md = (
        "# Guideline\n\nSee Section 3.8 and Section 7.2.\n\n3.8. Corporate actions\n\n"
        "Text of the rule.\n\nThe code referred to in Article 15 of the BMR applies; Article "
        "15 is reviewed yearly.\n"
    )
    refs = {r.target: (r.kind, r.resolved) for r in extract_ir(md).references}
    assert refs["Section 3.8"] == (ReferenceKind.SECTION, True)
    assert refs["Section 7.2"] == (ReferenceKind.SECTION, False)
    assert {k for k, _ in refs.values()} - {ReferenceKind.SECTION} == {ReferenceKind.CITATION}


def _undefined_in(ir: SemanticIR) -> set[str]:
    """The formula variables ``ir`` reports undefined."""
    return {i.subject or "" for i in ir.issues if i.kind is IssueKind.UNDEFINED_VARIABLE}


def _undefined(md: str) -> set[str]:
    return _undefined_in(extract_ir(md))


def test_legend_lines_with_units_and_notes_define_their_symbols() -> None:
    md = (
        "# Attack\n\ny = (s*b*t) + ((1-s)*c*b*t) + (d)\n\nQ = (d*f-d)/(b*s-c)\n\nWhere:\n\n"
        "b = Average validator rewards (ETH/yr)\nc = Minipool commission\nd = Operator deposit "
        "(ETH)\n\nf = Fraction returned (f = 1-p; where p is the % penalty)\n"
        "s = Operator share of the pool (s = d / 32)\nt = Time validating in years\n\n"
        "Assuming:\n\nRewards b = 0.72 ETH/year.\n"
    )
    got = extract_ir(md)
    # "b = 0.72 ETH/year" is a value; "f-d" is f minus d; the legend lines are no formulas.
    assert [f.name for f in got.formulas] == ["y", "Q"]
    assert [v.name for v in got.formulas[1].variables] == ["Q", "d", "f", "b", "s", "c"]
    assert _undefined(md) == set()


def test_words_before_a_symbol_logic_and_code_are_not_read_as_formula_names() -> None:
    md = (
        "# Pool\n\nA = c/λ − s/λ\n\nWe have c = cos(−ϕ) and s = sin(−ϕ), where ϕ is the angle.\n\n"
        "For i ≠ j ∈ S, denote the price as p. In reality, there are many prices.\n\n"
        "{z = 1} ⇔ C^{1} and {z = 0} ⇔ C^{0}.\n\n(1) P_{x} = α ≥ p_{x} / 2 holds.\n\n"
        "debt = variable debt + stable debt, total liq = debt + avail\n\n"
        "queryData = abi.encode(\"Index\", abi.encode(x))\n\nr = At · Ax + q · (At · Ax)\n"
    )
    got = extract_ir(md)
    assert [f.name for f in got.formulas] == ["A", "c", "debt", "r"]
    assert [v.name for v in got.formulas[2].variables] == ["debt", "variable debt", "stable debt"]
    assert [v.name for v in got.formulas[3].variables] == ["r", "At", "Ax", "q"]
    assert "c" not in _undefined(md)  # defined by "We have c = ..."


def test_symbols_a_mathematical_text_declares_in_passing() -> None:
    md = (
        "# Auction\n\nFor every order ω = (j, k, x, y, π) ∈ O, a new variable v ∈ R is "
        "introduced, defined as v := x · p_{j} with prices p_{k} ∈ R.\n\n"
        "The uniform price requires x · p_{j} = "
        "y · p_{k}.\n\nThe surplus u_{A} := (x · π − y) · p_{k}, the amount w of tokens.\n\n"
        "Then u = w − v.\n"
    )
    assert _undefined(md) == set()
    # Without the declarations, nothing in the constraint is defined.
    assert _undefined("# A\n\nThe price requires x · p_{j} = y · p_{k}.\n") == {
        "x", "p_{j}", "y", "p_{k}"
    }


def test_legend_lines_after_an_inline_where_and_a_bracketed_symbol_define() -> None:
    md = (
        "# Momentum\n\n6-month Momentum = ((PT-1 / PT-7) - 1)\n\n"
        "Where, PT-1 = Security price one month prior to the rebalancing date\n"
        "PT-7 = Security price seven months prior to the rebalancing date\n\n"
        "The score is standardized into the momentum Z-score(Z).\n\nScore = 1 + Z\n"
    )
    assert _undefined(md) == set()


def test_snake_case_names_in_latex_and_words_as_operands() -> None:
    md = (
        "# Rewards\n\n$$\nnode\\_weight = 100 * staked\\_rpl\\_value\n$$\n\n"
        "- The value of each NFT = max(last price, floor price)\n"
    )
    got = extract_ir(md)
    assert [v.name for v in got.formulas[0].variables] == ["node_weight", "staked_rpl_value"]
    assert [v.name for v in got.formulas[1].variables] == [
        "value of each NFT", "last price", "floor price"
    ]


def test_symbols_named_in_inline_code_after_where_define_formula_variables() -> None:
    md = (
        "# Liquidations\n\n- `Q = V / TMMR` where `V` is the total account value, and "
        "`TMMR` is the total maintenance margin requirement\n- `F = Q * P` where `Q` is the "
        "quantity\n"
    )
    ir = extract_ir(md)
    assert [f.undefined_variables for f in ir.formulas] == [(), ("P",)]


def test_powers_differentials_operators_and_spaced_calls_need_only_their_symbols() -> None:
    md = (
        "# Model\n\n`dS_t = μ_t * dt + σ² * dW_t + dZ_t`\n\n"
        "where S_t is the price, σ is the volatility, W_t is a Brownian motion, μ_t is "
        "the drift.\n\n`H = 𝔼[x_T + κ³]`\n\nwhere x_T is the terminal cash.\n\n"
        "$$Band = max (Band1, Band2)$$\n\nwhere Band1 is the first band and Band2 is the "
        "second.\n"
    )
    ir = extract_ir(md)
    assert [f.undefined_variables for f in ir.formulas] == [("dZ_t",), ("κ³",), ()]


def test_a_quantity_linked_to_the_page_that_defines_it_is_not_undefined() -> None:
    md = (
        "# Bands\n\nThe band is set around the prevailing [Mark Price](../fair-price/#mark).\n\n"
        "$$Upper = Mark\\ Price + 2 * Spread$$\n\n![Chart](chart.png) and [Spread](#spread).\n"
    )
    ir = extract_ir(md)
    assert ir.formulas[0].undefined_variables == ("Spread",)  # an anchor on this page
    assert [v.defined_by for v in ir.formulas[0].variables] == ["formula", "link", None]


def test_where_the_value_of_a_symbol_is_given_defines_the_symbol() -> None:
    md = ("# Bands\n\n$$Upper = Mark + Mark * Range / 100$$\n\nwhere value of Range is provided "
          "as Price Band in the contract specification, and Mark is the mark price.\n")
    assert extract_ir(md).formulas[0].undefined_variables == ()


def test_escaped_paren_maths_and_typewriter_names_are_read_as_latex() -> None:
    md = (
        "# Fees\n\nTo each expiry there is a baseline volatility \\\\(\\texttt{BaseIV}\\\\) and "
        "a skew ratio \\\\(\\texttt{Skew}\\\\), i.e. \\\\(\\sigma =\\\\) "
        "\\\\(\\texttt{BaseIV} \\times \\texttt{Skew}\\\\). The cutoff is \\\\(\n"
        "\\texttt{Cutoff}=6\\\\) hours.\n\n"
        "\\texttt{Time_to_Expiry} = \\texttt{Cutoff} \\times \\texttt{Ratio}\n\n"
        "F_{var}=c_{0}\\times(v_{0}+v_{1}\\times\\text{Vega})\\times \\left|R_{fix}-R\\right|\n\n"
        "where \\\\(c_{0},v_{i},R_{fix}\\\\) are constants, \\\\(\\text{Vega}\\\\) is the vega "
        "and \\\\(R\\\\) is the skew.\n"
    )
    formulas = extract_ir(md).formulas
    assert [f.name for f in formulas] == [None, "Cutoff", "Time_to_Expiry", "F_var"]
    assert [f.undefined_variables for f in formulas] == [(), (), ("Ratio",), ()]


def test_a_phrase_applied_to_a_named_quantity_is_a_function_and_a_word_labels_a_symbol() -> None:
    from docsense.extraction.formulas import latex_variables

    # "Standard Deviation (Mark Price)" applies a function in words; "Index Level (t)" is
    # the quantity at an index.
    assert latex_variables(r"U = Mark\ Price + 2 * Standard\ Deviation (Mark\ Price)") == (
        "U", "Mark Price",
    )
    assert "Index Level" in latex_variables(r"X = Index\ Level (t) + 1")
    md = (
        "# Interest Rate Swaps\n\nThe band is a percentage of the maximum (Vmax) and the "
        "minimum (Vmin) values the rate may take.\n\n"
        "$$Upper = Vmax + Vmin * Range / 100$$\n\nwhere Range is the width of the band.\n\n"
        "A (Vega) exposure is also capped.\n\n$$Cap = Vega * 2$$\n"
    )
    assert _undefined(md) == {"Vega"}  # "(Vega)" after "A" names no word it abbreviates


def test_a_where_paragraph_of_its_own_and_legend_names_of_several_words_define() -> None:
    md = (
        "# Hash Rate\n\nThe index divisor is calculated as follows:\n\n"
        "Index Divisor_{0} = BTC Difficulty_{0} × BTC Blocks Produced_{0} / Base Level\n\n"
        "Where,\n\n"
        "BTC Difficulty_{0} = CM Network Data Bitcoin Difficulty on Base Date\n"
        "BTC Blocks Produced_{0} = Bitcoin blocks produced in the 48 hour period before it\n"
        "Base Level = One thousand index points at the start\n"
    )
    assert _undefined(md) == set()
    assert _undefined(md.replace("BTC Difficulty_{0} = CM", "Difficulty = CM")) == {
        "BTC Difficulty_{0}"
    }


def test_markdown_maths_habits_spacing_counts_entities_and_two_symbols_in_one_where() -> None:
    from docsense.extraction.formulas import latex_variables

    # "\  " (an escaped space and another) and " \ " still join the words of one name.
    assert latex_variables(r"Available\  Balance = Wallet \ Balance - Margin") == (
        "Available Balance", "Wallet Balance", "Margin",
    )
    # "\#Contracts" is a count of contracts.
    assert latex_variables(r"IM = \#Contracts * Multiplier") == ("IM", "Multiplier")
    md = (
        "# PnL\n\n$$PnL = n*m*(Exit - Entry)$$\n\n"
        "where Exit is the exit price, Entry is the entry price, $$m$$ is the multiplier "
        "and $$n$$ is the position size (i.e. contracts).\n\n"
        "Requirement = abs(Size &times; Price)\n\nwhere Size is the position size, Price is "
        "the oracle price.\n"
    )
    assert _undefined(md) == set()


def test_a_named_quantity_qualified_by_words_in_lower_case_is_that_quantity() -> None:
    md = (
        "# Calendar spreads\n\n## Fair Price\n\nThe Fair Price of a future is its mark.\n\n"
        "$$Mark\\ Price = Fair\\ Price\\ longer\\ dated\\ futures - Fair\\ Price\\ shorter\\ "
        "dated\\ futures$$\n"
    )
    assert _undefined(md) == set()
    assert _undefined(md.replace("## Fair Price", "## Prices")) == {
        "Fair Price longer dated futures", "Fair Price shorter dated futures",
    }


def test_a_legend_table_under_where_and_an_equation_number_in_a_name() -> None:
    md = (
        "# Momentum\n\nMomentum Score = (P_{T-1} / P_{T-(O+1)}) - 1\n\n"
        "| Where; |  |  |\n|---|---|---|\n"
        "| P T-1 | = | Reference rate one calendar day before the rebalancing date |\n"
        "| O | = | Observation period in days |\n"
        "| P T-(O+1) | = | Reference rate O+1 days before the rebalancing date |\n"
    )
    assert _undefined(md) == set()
    assert _undefined(md.replace("| Where; |", "| Example |")) == {"P_{T-1}", "P_{T-(O+1)}"}
    numbered = (
        "# Divisor\n\nIndexDivisor (4)_{t} = IndexDivisor_{t-1} * Level_{t} / Cap\n\n"
        "where Level is the index level and Cap is the total capitalisation.\n"
    )
    assert _undefined(numbered) == set()


def test_let_introduces_a_symbol_in_maths_code_or_plain() -> None:
    md = (
        "# SLA\n\nLet $t$ be `fraction_of_time_on_book`\n\n"
        "Let `s` denote the minimum time fraction.\n\nLet c be the competition factor.\n\n"
        "Let's assume q is small.\n\n"
        "$$p_i = (1 - \\frac{t - s}{1 - s}) \\cdot c \\cdot q$$\n"
    )
    got = extract_ir(md)
    found = {t.term: t.definition for t in got.terms}
    assert found["t"] == "`fraction_of_time_on_book`"
    assert found["s"] == "the minimum time fraction"
    assert found["c"] == "the competition factor"
    undefined = {i.subject for i in got.issues if i.kind is IssueKind.UNDEFINED_VARIABLE}
    assert undefined == {"q"}  # "Let's assume" declares nothing


def test_anchor_links_keep_a_hyphen_per_space_as_github_does() -> None:
    md = ("# Perpetual\n\n- [Buy / Sell](#buytrader-price-amount--selltrader-price-amount)\n"
          "- [Gone](#no--such-section)\n\n### Buy(Trader, Price, Amount) / Sell(Trader, Price, "
          "Amount)\n\nText.\n")
    doc = convert_document(md.encode(), "perpetual.md")  # the converter's section ids
    refs = {r.text: r.resolved for r in extract_ir(doc.markdown, doc.sections).references}
    assert refs == {
        "[Buy / Sell](#buytrader-price-amount--selltrader-price-amount)": True,
        "[Gone](#no--such-section)": False,
    }


def _link_labels_resolved(md: str) -> dict[str, bool]:
    """Each link's label in Markdown ``md``, converted as a file, and whether it resolves."""
    doc = convert_document(md.encode(), "doc.md")
    return {r.text.split("]")[0][1:]: r.resolved
            for r in extract_ir(doc.markdown, doc.sections).references}


def test_a_stale_anchor_of_a_hand_kept_contents_lands_on_the_renamed_heading() -> None:
    md = ("# Protocol\n\n- [Oracle risks](#9---lst-oracle-risks)\n"
          "- [Best practice](#urgent-redemption-best-practice)\n"
          "- [Evasion](#interest-rate-adjustments-redemption-evasion-mitigation)\n"
          "- [Gone](#liquidation-penalty-schedule)\n\n"
          "## 8 - LST oracle risks\n\nText.\n\n## Shutdown redemption best practice\n\nText.\n\n"
          "## Redemption evasion mitigation\n\nText.\n\n## Liquidation penalties\n\nText.\n")
    refs = _link_labels_resolved(md)
    assert refs == {"Oracle risks": True, "Best practice": True, "Evasion": True, "Gone": False}
    # Two headings that end alike leave a stale anchor unresolved: which one it meant is open.
    twice = md.replace("## Redemption evasion mitigation", "## Redemption evasion mitigation\n\n"
                       "Text.\n\n## Fee redemption evasion mitigation")
    refs = _link_labels_resolved(twice)
    assert refs["Evasion"] is False


def test_a_symbol_with_several_indices_is_defined_by_denotes() -> None:
    md = ("# Index\n\nQuantity q_{i,t} denotes the number of traded items of asset i at time "
          "t.\n\nc_{i,t} = p_{i,t} · q_{i,t}\n\nwhere p_{i,t} is the price.\n")
    formula = next(f for f in extract_ir(md).formulas if f.text.startswith("c_{i,t}"))
    assert formula.undefined_variables == ()


def test_a_stale_anchor_of_one_word_or_a_split_name_in_code_lands_on_its_heading() -> None:
    md = ("# Staking\n\n- [Overview](#overview)\n- [Proxy](#staking-proxy-contract)\n"
          "- [Vault](#zrx-vault)\n- [Gone](#fee-vault)\n\n## 1 Overview\n\nText.\n\n"
          "## Interfaces\n\n### `StakingProxy` Contract\n\nText.\n\n### `ZrxVault`\n\nText.\n")
    refs = _link_labels_resolved(md)
    assert refs == {"Overview": True, "Proxy": True, "Vault": True, "Gone": False}


def test_sections_numbered_only_by_their_position_resolve_a_reference_exactly() -> None:
    md = ("# Staking\n\n## Contents\n\n- Overview\n\n## Overview\n\nSee Section 2.2 and "
          "Section 3. Section 2.4 and Section 5 are not here.\n\n## Contracts\n\n### Proxy\n\n"
          "Text.\n\n### Vault\n\nText.\n\n## Rewards\n\nText.\n")
    resolved = {r.target: r.resolved for r in extract_ir(md).references}
    assert resolved == {"Section 2.2": True, "Section 3": True, "Section 2.4": False,
                        "Section 5": False}
    # Headings with numbers of their own keep them: no counting ("Section 3" is the
    # "3 Rewards" part, and "Section 4" is not the unnumbered part after it).
    numbered = md.replace("## Overview", "## 1 Overview").replace(
        "## Contracts", "## 2 Contracts").replace("## Rewards", "## 3 Rewards\n\nText.\n\n"
                                                  "## Glossary\n\nText.\n\n## Fees")
    numbered = numbered.replace("Section 5", "Section 4")
    resolved = {r.target: r.resolved for r in extract_ir(numbered).references}
    assert resolved["Section 3"] is True
    assert resolved["Section 4"] is False


def test_colon_equals_and_a_list_of_cases_define_named_quantities() -> None:
    md = (
        "# Perpetual\n\n## Liquidate\n\n- AvgEntryPrice:=\n  - Size > 0: EntryValue / Size\n"
        "- Fee:= Rate * Size\n"
        "- LiquidationPrice:\n  - If IsEmergency: GlobalSettlementPrice\n"
        "  - ELSE: MarkPrice\n\n"
        "Penalty = Rate * LiquidationPrice * AvgEntryPrice * Unknown\n"
    )
    got = extract_ir(md)
    found = {t.term: t.definition for t in got.terms}
    assert found["AvgEntryPrice"] == "defined by :="
    assert "Fee" in found
    assert found["LiquidationPrice"] == "If IsEmergency: GlobalSettlementPrice"
    penalty = next(f for f in got.formulas if f.name == "Penalty")
    assert "Unknown" in penalty.undefined_variables
    assert "LiquidationPrice" not in penalty.undefined_variables


def test_parts_titled_by_plain_lines_resolve_in_text_without_headings() -> None:
    md = (
        "Index Guideline\n\nThe committee is set out in Section 5. Parameters are listed in "
        "Table 3 and the rolling rules in Appendix 1 and Appendices 2. Prices follow "
        "Section 7 and Table 9.\n\n5 Miscellaneous\n\nThe committee meets.\n\n"
        "Table 3 (Calculation Parameters)\n\nValues.\n\nAppendix\n\nFor the purposes of this "
        "Appendix 1, futures roll monthly.\n\nAppendix 2 - Tables\n\nMore.\n\n"
        "Table 9 shows the weights, which the sponsor sets.\n"
    )
    refs = {r.target: r.resolved for r in extract_ir(md).references if r.kind.value != "external"}
    assert refs == {
        "Section 5": True, "Table 3": True, "Appendix 1": True, "Appendix 2": True,
        "Section 7": False, "Table 9": False,
    }


def test_let_names_first_and_several_symbols_and_tex_comments() -> None:
    md = (
        "# Index\n\n## Price\n\nLet the number of selected constituents at time $t$ be denoted "
        "as $k(t)$. Let $w_i(t)$ and $p_i(t)$ be the weight and price of asset $i$. The price "
        "is: $$% \\text{BLX}(t) =\n  \\frac{\\sum_{1}^{k(t)} w_i(t) p_{i}(t)}{D(t) \\cdot q}$$\n\n"
        "Let w_{j}(t) and p_{j}(t) be the weight and price in the PDF text.\n"
    )
    got = extract_ir(md)
    found = {t.term: t.definition for t in got.terms}
    assert found["k"] == "the number of selected constituents at time $t$"
    assert found["w_i"] == found["p_i"] == "the weight and price of asset $i$"
    assert "w_j" in found
    assert "p_j" in found
    formula = got.formulas[0]
    assert "BLX" not in {v.name for v in formula.variables}  # the commented-out left side
    undefined = {i.subject for i in got.issues if i.kind is IssueKind.UNDEFINED_VARIABLE}
    assert undefined == {"D", "q"}


def test_a_point_of_an_article_of_another_text_is_a_citation() -> None:
    md = ("# Oversight\n\nThe function reports anomalous input data according to Article 5(3) "
          "point (i) of the BMR.\n")
    refs = [(r.kind.value, r.target) for r in extract_ir(md).references]
    assert refs == [("citation", "Article 5(3)")]


def test_gitbook_escaped_brackets_are_not_maths() -> None:
    md = ("# Scoring\n\nA legal structure \\(company/foundation\\) can be compelled to act. "
          "Uniswap uses a constant product formula \\(x \\* y = k\\). MathJax: "
          "\\\\(a/b\\\\).\n")
    assert [f.text for f in extract_ir(md).formulas] == ["x \\* y = k", "a/b"]


def test_an_index_shifted_by_a_count_is_that_index() -> None:
    md = ("# Index\n\n```\nRatio_t = Σ(w_i × P_i,t) / Σ(w_i × P_i,t-1)\n\nwhere:\n"
          "  w_i = constituent weight\n  P_i,t = constituent price at time t\n```\n")
    formula = extract_ir(md).formulas[0]
    assert [v.name for v in formula.variables] == ["Ratio_t", "w_i", "P_i", "t"]


def test_a_bold_name_with_an_escaped_script_defines_the_formula_symbol() -> None:
    md = (
        "# Value\n\n$$\nTWV = \\frac{Quota_i}{Price_{underlying}}\n$$\n\n"
        "* **Quota\\_i**: The portion of the debt limit allocated to token i.\n"
        "* **Price\\_{underlying}**: The oracle price of the underlying asset.\n"
    )
    ir = extract_ir(md)
    assert {t.term for t in ir.terms} >= {"Quota_i", "Price_{underlying}"}
    assert ir.formulas[0].undefined_variables == ()


def test_a_value_given_with_an_equals_sign_in_a_sentence_is_a_parameter() -> None:
    md = "# Sizing\n\n- **Original rule:** Risk Factor = 1% (0.01)\n\nNote: the Cap = 2.5 here.\n"
    assert {(p.name, p.value) for p in extract_ir(md).parameters} == {
        ("Risk Factor", "1%"), ("Cap", "2.5")
    }


def test_a_name_in_title_snake_case_is_defined_by_its_words_in_the_prose() -> None:
    md = (
        "# Stops\n\nPlace a stop-loss order at 2N from the entry price.\n\n"
        "`Stop = Entry_Price - (2 × N)`\n\n`Gap = Open_Price - Close_Price`\n"
    )
    ir = extract_ir(md)
    assert [f.undefined_variables for f in ir.formulas] == [
        ("N",), ("Open_Price", "Close_Price")
    ]


def test_a_symbol_a_sentence_names_in_words_is_not_undefined() -> None:
    md = (
        "# Oracle\n\nAn oracle can report honestly and gain v or misreport and gain x_{i} "
        "instead.\n\n`Payoff = x_{i} - v`\n\nPenalties are listed in Section C for each "
        "case.\n\n`Penalty = C × Payoff`\n\nThe limit is set so that q + 1 stays small in "
        "every case.\n\n`Cap = q × Payoff`\n\nThe desk sets it each month: k is chosen by "
        "the desk.\n\n`Floor = k × Payoff`\n"
    )
    ir = extract_ir(md)
    # "gain x_{i}": named in a sentence; "Section C" names a part; "q + 1" is arithmetic;
    # "k is chosen by the desk" says who sets k, not what it is
    assert [f.undefined_variables for f in ir.formulas] == [(), ("C",), ("q",), ("k",)]


def test_a_legend_in_unicode_subscripts_defines_the_scripted_symbols() -> None:
    md = (
        "# Level\n\nIndex Level = ∑ (P_{i} × W_{i,t}) / Divisor\n\nWhere:\n"
        "Pᵢ = last traded price of constituent i\n"
        "Wᵢ,ₜ = number of shares held of constituent i on day t\n"
        "Divisor = adjustment factor keeping the index continuous\n"
    )
    assert extract_ir(md).formulas[0].undefined_variables == ()


def test_a_column_of_values_headed_by_an_operand_defines_it() -> None:
    md = (
        "# Mark Price\n\nMark Price = Index Price * (1 + Factor * Spread)\n\n"
        "| Market | Factor | Note |\n|---|---|---|\n| BTC | 0.03 | majors |\n"
        "| ETH | 0.05 | majors |\n\n"
        "| Market | Spread |\n|---|---|\n| BTC | tight |\n| ETH | wide |\n"
    )
    # Factor has a value per market; the Spread column holds words, not values.
    assert extract_ir(md).formulas[0].undefined_variables == ("Index Price", "Spread")


def test_a_name_opening_with_a_function_word_is_a_name_unless_called() -> None:
    md = (
        "# F\n\nRate = clamp[F(Average Premium), Cap Funding, Floor Funding]\n\n"
        "Score = Average(Premium) + Floor(Funding)\n"
    )
    assert [[v.name for v in f.variables] for f in extract_ir(md).formulas] == [
        ["Rate", "F", "Average Premium", "Cap Funding", "Floor Funding"],
        ["Score", "Premium", "Funding"],
    ]


def test_settings_listed_together_share_their_gloss() -> None:
    md = ("# LP\n\n## Parameters\n\n- `lower_price` / `upper_price`: Price range bounds\n"
          "- `min_spread`, `max_spread`: Spread limits\n")
    terms = {t.term: t.definition for t in extract_ir(md).terms}
    assert terms["lower_price"] == terms["upper_price"] == "Price range bounds"
    assert terms["min_spread"] == terms["max_spread"] == "Spread limits"


def test_the_pronoun_i_after_paragraphs_is_not_a_part() -> None:
    def cited(md: str) -> list[str]:
        return [r.text for r in extract_ir(md).references]

    assert cited("# R\n\nIn the following paragraphs I provide the results.\n") == []
    assert cited("# R\n\nSee paragraphs I and II.\n") == ["paragraphs I"]
    assert cited("# R\n\nSection I describes the index.\n") == ["Section I"]


def test_prose_after_a_name_and_numbered_members_of_a_defined_family() -> None:
    from docsense.extraction.formulas import plain_variables

    # "at contract expiration" says when the name is read; "both be nonnegative" is prose.
    assert plain_variables("Value = MAX(MRI_28 at contract expiration, Cap) * 28") == (
        "Value", "MRI_28", "Cap",
    )
    assert plain_variables("dx = dc - Adr both be nonnegative") == ("dx", "dc", "Adr")
    # A clause of plain words after the formula names nothing.
    assert plain_variables("TC = 0.0002 * W, deducted at each roll") == ("TC", "W")
    # "Time until next Funding" is one name.
    assert "Time until next Funding" in plain_variables(
        "P1 = Index * (1 + Rate * Time until next Funding / dt)"
    )
    md = (
        "# Signatures\n\nS = s1 + s2 + ... + sn\n\n"
        "where si is the ith oracle's signature scalar.\n"
    )
    assert _undefined(md) == set()
    assert _undefined(md.replace("where si is", "where the")) == {"s1", "s2", "sn"}


def test_a_where_list_inside_a_code_block_and_a_flattened_notation_table_define_symbols() -> None:
    fenced = (
        "# Index\n\n```\nIndex_t = Index_{t-1} * sum(w_i * P_i,t) / sum(w_i * P_i,t-1)\n\n"
        "Where:\n- w_i = weight of card i (fixed during the month)\n"
        "- P_i,t = price of card i today\n```\n"
    )
    assert _undefined(fenced) == set()
    assert _undefined(fenced.replace("- w_i = weight", "- the weight")) == {"w_i"}
    notation = (
        "# Reserve\n\n## 1.2 Formal Definitions\n\nVariable Description\n\n"
        "T, current timestamp\nCurrent number of seconds.\n\n"
        "T_{l}, last updated\ntimestamp\nTimestamp of the last update.\n\n"
        "## 2. Interest\n\nDT = T - T_{l}\n"
    )
    assert _undefined(notation) == set()
    assert _undefined(notation.replace("## 1.2 Formal Definitions", "## 1.2 Notes")) == {
        "T", "T_{l}",
    }
