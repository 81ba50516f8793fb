"""How mathematical writing introduces its symbols (2026-12-05, fourth session).

A derivation names symbols in passing: several equations in one line of maths ("Let $a=...,
b=...$"), a constant after a comma ("..., $k$ is a constant"), two symbols for one quantity
("as $x_{0}=x_{start}$"), a substitution ("use $f(t)$ instead of ..."), letters side by side
for a product ("ab"), and Euler's number raised. Each test pairs that wording with a symbol
the text really leaves undefined (sentences written for these tests).
"""

# ruff: noqa: RUF001  (the multiplication and minus signs are part of the fixture formulas)
from __future__ import annotations

from docsense.adapters.convert import convert_document
from docsense.extraction import extract_ir

from .conftest import undefined_variables

_LEAD = (
    "# Pool maths\n\n## Definition\n\nLet $x$ and $y$ be the reserves of the pool's two "
    "tokens, and let $N$ be the number of blocks.\n\n"
)


_undefined = undefined_variables


def test_equations_in_a_row_each_define_their_left_side() -> None:
    row = _LEAD + "Let $a=\\sqrt{x}, b=\\dfrac{x}{y}$, then\n\n$$p=\\dfrac{a}{b N}$$\n"
    one = _LEAD + "Let $a=\\sqrt{x}$, then\n\n$$p=\\dfrac{a}{b N}$$\n"
    assert _undefined(row) == []
    assert _undefined(one) == ["b"]


def test_a_symbol_said_after_a_comma_to_be_a_constant_is_defined() -> None:
    said = _LEAD + "Let $x y=k$, $k$ is a constant.\n\n$$p=\\dfrac{k}{x^{2}}$$\n"
    unsaid = _LEAD + "Let $x y=k$ hold.\n\n$$p=\\dfrac{k}{x^{2}} + c$$\n"
    assert _undefined(said) == []
    assert _undefined(unsaid) == ["k", "k, c"]


def test_two_symbols_equated_in_a_sentence_name_one_quantity() -> None:
    prose = (_LEAD + "We note the initial reserve as $x_{0}=x_{start}$.\n\n"
             "$$x_{out}=x_{start}+N-x_{end}$$\n\nwhere $x_{end}$ is the final reserve.\n")
    display = (_LEAD + "$$x_{0}=x_{start}$$\n\n$$x_{out}=x_{start}+N-x_{end}$$\n\n"
               "where $x_{end}$ is the final reserve.\n")
    assert _undefined(prose) == []
    assert _undefined(display) == ["x_start", "x_start"]


def test_symbols_used_instead_of_an_expression_are_defined() -> None:
    used = (_LEAD + "If we use $f(t)$ and $g(t)$ instead of $\\dfrac{x}{N}$ and "
            "$\\dfrac{y}{N}$, the selling rates are functions of time.\n\n"
            "$$h(t)=\\dfrac{f(t)}{g(t)}$$\n")
    named = _LEAD + "The selling rates are functions of time.\n\n$$h(t)=\\dfrac{f(t)}{g(t)}$$\n"
    assert _undefined(used) == []
    assert _undefined(named) == ["f, g"]


def test_letters_side_by_side_are_a_product_of_defined_symbols() -> None:
    product = _LEAD + "$$p=\\dfrac{xy}{N}$$\n"
    unknown = _LEAD + "$$p=\\dfrac{xq}{N}$$\n"
    assert _undefined(product) == []
    assert _undefined(unknown) == ["xq"]


def test_euler_number_raised_is_the_exponential() -> None:
    exponential = _LEAD + "$$p=x\\cdot e^{2\\sqrt{y}}$$\n"
    unknown = _LEAD + "$$p=x\\cdot g^{2\\sqrt{y}}$$\n"
    assert _undefined(exponential) == []
    assert _undefined(unknown) == ["g"]


def test_a_name_of_words_with_scripts_is_what_its_formula_defines() -> None:
    named = (_LEAD + "$$Average\\ Price\\ P^{x}_{y}=\\dfrac{x}{y}$$\n\n"
             "$$Q=Average\\ Price\\ P^{x}_{y}\\cdot N$$\n")
    unknown = _LEAD + "$$Q=Average\\ Price\\ P^{x}_{y}\\cdot N$$\n"
    assert _undefined(named) == []
    assert _undefined(unknown) == ["Average Price P"]


def test_a_hyphenated_name_in_maths_type_is_no_subtraction() -> None:
    name = _LEAD + "Tokens flow from the $X-Pool$ and the $Y-Pool$ to the pool.\n"
    difference = _LEAD + "The gap $x-q$ closes over time.\n"
    assert _undefined(name) == []
    assert _undefined(difference) == ["q"]


def _formula_names(markdown: str) -> list[str | None]:
    doc = convert_document(markdown.encode(), "doc.md")
    return [f.name for f in extract_ir(doc.markdown, doc.sections).formulas]


def test_a_second_formula_after_a_semicolon_on_the_same_line_is_read() -> None:
    two = "# Curve\n\n## Bounds\n\nm = (CMT_z − CMT_1) / (t_z − t_1) ; b = CMT_1 − m × t_1\n"
    one = "# Curve\n\n## Bounds\n\nm = (CMT_z − CMT_1) / (t_z − t_1)\n"
    assert _formula_names(two) == ["m", "b"]
    assert _formula_names(one) == ["m"]


def test_symbols_defined_respectively_each_get_their_meaning() -> None:
    both = (_LEAD + "```\nr_avg = sum(r_i * d_i) / sum(d_i)\n```\n\nwhere `r_i` and `d_i` are "
            "the interest rate and current debt of the i-th loan, respectively.\n")
    last = (_LEAD + "```\nr_avg = sum(r_i * d_i) / sum(d_i)\n```\n\nwhere `d_i` is the "
            "current debt of the i-th loan.\n")
    assert _undefined(both) == []
    assert _undefined(last) == ["r_i"]


def test_dollars_in_two_code_spans_are_no_maths() -> None:
    code = _LEAD + "Arbitrageurs redeem `$x` worth of tokens for `>$x` worth of collateral.\n"
    maths = _LEAD + "Arbitrageurs redeem $x + q$ worth of tokens.\n"
    assert _undefined(code) == []
    assert _undefined(maths) == ["q"]


def test_a_total_of_a_defined_quantity_is_defined() -> None:
    formula = "`amount_i = amount * outside_debt_i / {name}`\n\nwhere `outside_debt_i` is the "
    legend = "debt of branch i outside its pool and `amount` is the amount redeemed.\n"
    total = _LEAD + formula.format(name="total_outside_debt") + legend
    other = _LEAD + formula.format(name="spare_outside_debt") + legend
    assert _undefined(total) == []
    assert _undefined(other) == ["spare_outside_debt"]


def test_html_scripts_in_a_formula_are_scripts_not_comparisons() -> None:
    doc = ("# Margin\n\n## Account\n\n<pre>\n  Total Account Value = Q + \u03a3 (S<sub>i</sub> "
           "&times; P<sub>i</sub>)\n</pre>\n\nWhere:\n\n- `Q` is the account's balance\n"
           "- `S` is the size of the position\n- `P` is the oracle price\n\n"
           "<pre>\n  Free collateral = Total Account Value - {other}\n</pre>\n")
    assert _formula_names(doc.format(other="Q")) == ["Total Account Value", "Free collateral"]
    assert _undefined(doc.format(other="Reserve")) == ["Reserve"]


def test_a_where_lead_in_sentence_opens_a_legend() -> None:
    formula = "```\nPremium = (Impact Bid Price - Impact Ask Price) / N\n```\n\n"
    items = ("- `Impact Bid Price` = the average price of a market sell\n"
             "- `Impact Ask Price` = the average price of a market buy\n")
    lead = _LEAD + formula + "Where the impact bid and impact ask prices are defined as:\n" + items
    plain = _LEAD + formula + "The impact prices are these:\n\n" + items
    assert _undefined(lead) == []
    assert _undefined(plain) == ["Impact Bid Price, Impact Ask Price"]


def test_an_operand_described_by_a_relative_clause_is_defined() -> None:
    formula = "```\nPremium = x - y\nFunding Rate = Premium / 8 + Interest Rate Component\n```\n\n"
    described = (_LEAD + "The premium is the gap between the two prices. Each market also has a "
                 "fixed interest rate component that aims to account for the difference in "
                 "interest rates.\n\n" + formula)
    mentioned = (_LEAD + "The premium is the gap between the two prices. Each market also has "
                 "an interest rate component.\n\n" + formula)
    assert _undefined(described) == []
    assert _undefined(mentioned) == ["Interest Rate Component"]


def test_a_plus_minus_sign_is_an_operator() -> None:
    doc = ("# Leverage\n\n## Understand liquidation_buffer\n\nA ratio giving a safety net."
           "\n\n`safe_level = liquidation_price \u00b1 (open_rate * "
           "liquidation_buffer)`\n\nwhere `open_rate` is the entry rate and {legend}.\n")
    assert _undefined(doc.format(legend="the liquidation price is the exchange's")) == []
    assert _undefined(doc.format(legend="nothing else")) == ["liquidation_price"]


def test_an_identifier_in_a_heading_is_what_its_section_defines() -> None:
    doc = ("# Leverage\n\n## {heading}\n\nA ratio giving a safety net.\n\n"
           "`safe_price = 0.5 * liquidation_buffer`\n")
    assert _undefined(doc.format(heading="Understand liquidation_buffer")) == []
    assert _undefined(doc.format(heading="Understand the buffer")) == ["liquidation_buffer"]


def test_a_bold_label_with_its_colon_inside_defines_the_term() -> None:
    doc = ("# Liquidation\n\nThe liquidator is paid a premium.\n\n$$\nAccountLoss = TotalValue "
           "\\times (LiquidationPremium + LiquidationFee)\n$$\n\n"
           "* **Liquidation Premium:** Paid to the liquidator.\n"
           "* **{label}** Paid to the protocol.\n")
    assert _undefined(doc.format(label="Liquidation Fee:")) == ["TotalValue"]
    assert _undefined(doc.format(label="Liquidation Fee")) == ["TotalValue, LiquidationFee"]


def test_operands_in_words_that_the_lead_in_describes_are_defined() -> None:
    doc = ("# Walls\n\nCapacity of the wall should be the amount of reserves in the treasury "
           "multiplied by a {factor} (percent of reserves to use).\n\n"
           "    Bid Capacity = Bid Factor * Reserves\n")
    assert _undefined(doc.format(factor="configured bid factor")) == []
    assert _undefined(doc.format(factor="configured ratio")) == ["Bid Factor"]
    restated = ("# Factor\n\nIt is calculated by dividing momentum by volatility:\n\n"
                "    Score = Momentum / Volatility\n")
    assert _undefined(restated) == ["Momentum, Volatility"]


def test_a_quantity_in_words_of_a_named_thing_is_a_description() -> None:
    doc = ("# Index\n\nThe index is the sum of the floor price of each collection.\n\n"
           "`Index = ({a} / 10) + ({b})`\n")
    assert _undefined(doc.format(a="BAYC floor price", b="Pudgy Penguins floor price")) == []
    assert _undefined(doc.format(a="BAYC_floor", b="Pudgy Penguins floor price")) == [
        "BAYC_floor"
    ]


def test_an_attribute_in_quotes_is_no_formula() -> None:
    doc = "# Streams\n\n<ClickToZoom\n  src={value}\n/>\n"
    assert _undefined(doc.format(value='"/images/data-streams/diagram.png"')) == []
    assert _undefined(doc.format(value="images / diagram_scale")) == ["images, diagram_scale"]


def test_a_word_subscript_naming_a_bold_defined_feed_is_defined() -> None:
    doc = ("# Oracles\n\nThe **Main Feed** serves as the source for liquidations.\n\n"
           "The **{name} Feed** acts as a sanity check for withdrawals.\n\n"
           "$$\nP_{{Safe}} = \\min(P_{{Main}}, P_{{Reserve}})\n$$\n")
    assert _undefined(doc.format(name="Reserve")) == []
    assert _undefined(doc.format(name="Backup")) == ["P_Reserve"]


def test_a_where_semicolon_legend_of_is_lines_defines_its_symbols() -> None:
    doc = ("# ESG\n\nESG Z Score = [x \u2013 \u03bc]/ \u03c3\n{lead}\nx is the ESG score for the "
           "company\n\u03bc is the mean of the ESG scores\n\u03c3 is the deviation of the "
           "scores\n")
    assert _undefined(doc.format(lead="Where;")) == []
    # without the lead-in the lines still say what each symbol is, in sentences
    assert _undefined(doc.format(lead="")) == []
    bare = ("# ESG\n\nESG Z Score = [x \u2013 \u03bc]/ \u03c3\n\n"
            "\u03bc is the mean of the ESG scores\n")
    assert _undefined(bare) == ["x, \u03c3"]


def test_a_capital_x_before_a_number_is_a_times_sign() -> None:
    doc = ("# Returns\n\nEquity Returns are the index returns.\n\n"
           "Returns = (Equity Returns X 65%) + ({other} X 35%)\n")
    assert _undefined(doc.format(other="Equity Returns")) == []
    assert _undefined(doc.format(other="Cash")) == ["Cash"]


def test_a_z_score_of_a_named_ratio_is_a_description() -> None:
    doc = ("# Value\n\nValue Z score = 0.3 * (-Z score of P/E) + 0.2 * (-Z Score of ROCE) "
           "+ 0.5 * {last}\n")
    assert _undefined(doc.format(last="Z score of E/P")) == []
    assert _undefined(doc.format(last="Zq")) == ["Zq"]


def test_a_symbol_in_brackets_after_its_name_in_a_list_item_is_defined() -> None:
    doc = ("# Momentum\n\nMomentum Ratio = Price Return / \u03c3p\n\n- **Price Return**: the "
           "12-month return\n- {item} : Annualised standard deviation of daily returns\n")
    assert _undefined(doc.format(item="Std.Deviation (\u03c3p )")) == []
    assert _undefined(doc.format(item="Std.Deviation")) == ["\u03c3p"]


def test_a_parameter_table_and_a_setting_column_define_their_names() -> None:
    doc = ("# Funding\n\n$$\n\\text{{Raw Rate}} = \\text{{Funding Multiplier}} \\times "
           "\\text{{Clamp Rate}} \\times \\text{{notional\\_multiplier}}\n$$\n\n"
           "| {first} | Default | Purpose |\n|---|---|---|\n"
           "| Funding Multiplier | 1 | Per-market scalar. |\n"
           "| Clamp Rate (Pull) | 0.05% | Maximum pull. |\n\n"
           "| Venue | `notional_multiplier` |\n|---|---|\n| Paradex | 1 |\n| Binance | 4 |\n")
    assert _undefined(doc.format(first="Parameter")) == []
    assert _undefined(doc.format(first="Venue")) == ["Funding Multiplier, Clamp Rate"]


def test_a_name_in_code_opening_the_sentence_that_says_what_it_is_is_defined() -> None:
    doc = ("# Premium\n\n$$\n\\text{{premium}} = \\text{{impact}} - \\text{{spot\\_price}}\n$$\n\n"
           "`impact` is the impact price. {sentence}\n")
    assert _undefined(doc.format(sentence="`spot_price` is the index price.")) == []
    assert _undefined(doc.format(sentence="The index price is published.")) == ["spot_price"]


def test_a_long_text_name_in_latex_is_one_operand() -> None:
    doc = ("# Premium\n\n$$\n\\text{{impact\\_bid}}_V = \\text{{{name}}}_V\n$$\n\n"
           "`impact_bid` is the bid side's impact price.\n")
    assert _undefined(doc.format(name="VWAP of selling Impact Notional")) == []
    assert _undefined(doc.format(name="Selling Notional")) == ["Selling Notional_V"]


def test_a_symbol_denoted_in_passing_and_gitbook_inline_maths_define() -> None:
    doc = ("# PMM\n\nWe substitute base tokens with quote tokens {denoted}.\n\n"
           "$$P = i(\\frac{{Q_0}}{{Q}})^2k$$\n\n"
           "$$i$$ is the market price from an oracle, and $$k$$ is a parameter in [0, 1].\n")
    assert _undefined(doc.format(denoted="(denoted by Q)")) == []
    assert _undefined(doc.format(denoted="in the pool")) == ["Q_0, Q"]


def test_latex_layout_operators_prose_and_range_bounds_are_no_variables() -> None:
    doc = ("# Signals\n\nHere $P$ is the price, $H$ is the threshold and $\\tau$ is a stopping "
           "time.\n\n$$s = \\left\\{{\\begin{{array}}{{l}} +1,\\ if\\ \\tau > 0\\ and\\ P > H"
           "\\\\ 0,\\ otherwise \\end{{array}}\\right.$$\n\n"
           "$$\\tau = inf\\{{u : |P(u)| = H\\}}$$\n\n$$\\{{\\tau_n, n = 0, 1, ..., {last}\\}}$$\n")
    assert _undefined(doc.format(last="M")) == []
    assert _undefined(doc.format(last="M + K")) == ["K"]


def test_gitbook_let_sentences_and_a_parameter_list_of_symbols_define() -> None:
    doc = ("# Pools\n\nLet $$TSS^t$$ be the total holdings and $$\\eta$$ be the reserve "
           "fraction ($$RSS^t=\\eta TSS^t \\delta$$).\n\n## Model parameters\n\n{line}\n")
    assert _undefined(doc.format(line="$$\\delta$$: Fraction of interests retained.")) == []
    assert _undefined(doc.format(line="The fee is retained.")) == ["\u03b4"]


def test_a_starred_symbol_named_in_prose_is_no_formula_and_called_defines() -> None:
    doc = ("# Bootstrap\n\nThe target price is set to capture some of the ETH sold to the pool "
           "(called $P^*$ in the figure below).\n\n$$Q = 2 \\times {operand}$$\n")
    assert _undefined(doc.format(operand="P^*")) == []
    assert _undefined(doc.format(operand="P^* \\times x")) == ["x"]


def test_a_currency_after_a_number_is_its_unit() -> None:
    doc = ("# Margin\n\n- **CP**: the call price\n- **SQPP**: the squeeze price\n\n"
           "- Call price: `CP = SQPP = 300 * 1.1 = 330 {unit}`\n")
    assert _undefined(doc.format(unit="BTS/USD")) == []
    assert _undefined(doc.format(unit="* Fx")) == ["Fx"]


def test_legend_lines_right_after_a_formula_define_without_a_where() -> None:
    doc = ("# Alpha\n\nCalculation of Alpha: \u03b1s = rs \u2013 [rf + \u03b2s ( rm - rf )]\n"
           "\u03b1s: Alpha of the stock\n{line}\n"
           "rf : Average of daily 3 Month MIBOR rate during previous 12 months\n"
           "rm : Average of daily return of the index\n"
           "\u03b2s : Beta of the security calculated based on previous 12 month period.\n")
    assert _undefined(doc.format(line="rs: Average daily return in the last 12 months")) == []
    assert _undefined(doc.format(line="The return is daily.")) == ["rs"]


def test_a_code_block_legend_of_named_quantities_and_a_chained_value_define() -> None:
    doc = ("# Mark price\n\n```\nWeight (CEX_i) = Volume (CEX_i) / Total Volume (CEXes)\nwhere:\n"
           "    Volume (CEX_i) refers to the 4-hour trading volume of the CEX i\n"
           "    Total Volume (CEXes) refers to the sum of the volumes\n"
           "P1 = Index Price * (1 + Rate * Time until next Funding / dt)\n"
           "Index Price is the index\nRate is the last funding rate\n{line}\n```\n")
    assert _undefined(doc.format(line="dt = Funding Period = 8 hours")) == []
    assert _undefined(doc.format(line="")) == ["dt"]


def test_double_hyphen_labels_and_a_where_line_in_code_define() -> None:
    doc = ("# Premium\n\n- **Impact Bid Price** -- the average fill price to sell.\n"
           "- **Impact Ask Price** -- the average fill price to buy.\n\n```\n"
           "Premium = [Max(0, Impact Bid Price - I) - Max(0, I - Impact Ask Price)] / I\n\n"
           "{where}\n```\n")
    assert _undefined(doc.format(where="where I = Index Price")) == []
    assert _undefined(doc.format(where="")) == ["I"]


def test_a_quantity_with_its_arguments_that_refers_to_something_is_defined_in_prose() -> None:
    doc = ("# Index\n\nWeight = Volume (CEX_i) / Total\n\n{sentence}\n\n"
           "Total refers to the sum of the volumes.\n")
    said = "Volume (CEX_i) refers to the 4-hour trading volume of the CEX i."
    assert _undefined(doc.format(sentence=said)) == []
    assert _undefined(doc.format(sentence="The volume is traded.")) == ["Volume"]


def test_two_symbols_sharing_one_meaning_after_where_are_both_defined() -> None:
    doc = ("# Aggregate\n\nThe aggregate is calculated as\n\neta_{{i}} = (lo_{{i}} + hi_{{i}})/2,\n"
           "where {symbols} are the lowest and the highest trade price within epoch i.\n")
    assert _undefined(doc.format(symbols="lo_{i} and hi_{i}")) == []
    assert _undefined(doc.format(symbols="the bounds")) == ["lo_{i}, hi_{i}"]


def test_a_scripted_symbol_after_the_words_it_stands_for_is_defined() -> None:
    doc = ("# Seeds\n\nIn each reward epoch, {intro} is the random value of the epoch.\n\n"
           "Blocks allow seeds\n\nseed_{{B}} = base_{{nE}} + 1\n")
    assert _undefined(doc.format(intro="the base seed base_{nE}")) == []
    # after a verb, the symbol is used, not introduced
    assert _undefined(doc.format(intro="using base_{nE}")) == ["base_{nE}"]


def test_a_currency_code_in_a_formula_is_a_unit() -> None:
    doc = ("# FX\n\nPrice JPY = Price * Rate ({pair})\n\nwhere Price is the closing price and "
           "Rate is the exchange rate.\n")
    assert _undefined(doc.format(pair="JPY/INR")) == []
    assert _undefined(doc.format(pair="XQ/ZQ")) == ["XQ, ZQ"]


def test_british_and_american_spellings_name_one_quantity() -> None:
    doc = ("# Index\n\nIndex Value = Index Market {spelling} / Base Value\n\nwhere Index Market "
           "Capitalization = Shares outstanding * Price, and Base Value is 1000.\n")
    assert _undefined(doc.format(spelling="Capitalisation")) == []
    assert _undefined(doc.format(spelling="Capitulation")) == ["Index Market Capitulation"]


def test_an_acronym_said_in_a_sentence_to_be_a_rate_is_defined() -> None:
    doc = "# Returns\n\n{sentence}\n\nRisk free return (t) = MIBOR (t-1) / 365\n"
    assert _undefined(doc.format(sentence="MIBOR is used as a reference rate.")) == []
    assert _undefined(doc.format(sentence="Returns accrue daily.")) == ["MIBOR"]


def test_steps_that_compute_in_words_or_from_a_table_define_their_quantities() -> None:
    doc = ("# Foreign limits\n\n{step1}\n\nStep 2: Calculate the FIF = interim IWF * Adjustment "
           "Factor\n\n{table}\n")
    assert _undefined(doc.format(
        step1="Step 1: Calculate the interim IWF = Lower of IWF and Foreign Ownership Limit",
        table="Adjustment Factor is determined as the table below.")) == []
    assert _undefined(doc.format(step1="Step 1: Read the limits.", table="See below.")) == [
        "interim IWF, Adjustment Factor"
    ]


def test_symbols_counted_called_or_bounding_an_interval_are_declared() -> None:
    counted = ("# Pools\n\nAssume there are $$N_{{l}}$$ active loans {and_m} in pool l.\n\n"
               "$$M_{{l}}\\leq N_{{l}}$$\n")
    assert _undefined(counted.format(and_m="and $$M_{l}$$ deposits")) == []
    assert _undefined(counted.format(and_m="")) == ["M_l"]
    called = "# Liquidations\n\n{intro}\n\n$$C^{{j}} \\leq 1$$\n"
    assert _undefined(called.format(
        intro="Let's call $$C^{j}$$ the total amount of collateral in USD.")) == []
    assert _undefined(called.format(intro="Collateral is checked.")) == ["C"]
    interval = ("# H-construction\n\nThe price is observed on the time interval $[0, {end}]$. "
                "Distances count to the power $p$.\n\n$$H \\leq T^p$$\n\nwhere H is the "
                "threshold.\n")
    assert _undefined(interval.format(end="T")) == []
    assert _undefined(interval.format(end="1")) == ["T"]


def test_a_word_scripted_on_a_bracket_is_the_state_it_is_taken_in() -> None:
    doc = ("# Health\n\nLet $C$ be the collateral and $D$ be the debt.\n\n"
           "$$(C/D) ^{{before}}\\leq {bound}$$\n")
    assert _undefined(doc.format(bound="1")) == []
    assert _undefined(doc.format(bound="L")) == ["L"]


def test_a_product_equal_to_a_lone_symbol_defines_that_symbol() -> None:
    doc = "# Pool\n\nThe invariant:\n\nx \\* y = {rhs}\n\nwhere x and y are the two balances.\n"
    assert _undefined(doc.format(rhs="k")) == []
    # ("x * y = k" itself reads as the bounds of a sum, and is not a formula at all)
    converted = convert_document(doc.format(rhs="K").encode(), "pool.md")
    formulas = extract_ir(converted.markdown, converted.sections).formulas
    assert [(f.name, f.text) for f in formulas] == [("K", "K = x * y")]
    inline = "# Pool\n\nUniswap uses a constant {kind} formula \\(x {op} y = k\\).\n"
    assert _undefined(inline.format(kind="product", op="\\*")) == []
    # a sum may be solved for either side: nothing says it defines k
    assert _undefined(inline.format(kind="sum", op="+")) == ["k"]


def test_a_statistic_over_a_window_assigned_in_a_code_block_defines_its_name() -> None:
    doc = ("# Bands\n\n```\nMiddle Band = {definition}\n"
           "Upper Band = Middle Band + (2 x Standard Deviation)\n```\n\n"
           "Standard Deviation is the 20-day standard deviation of closing prices.\n")
    assert _undefined(doc.format(definition="20-day Simple Moving Average (SMA)")) == []
    assert _undefined(doc.format(definition="shown in the chart")) == ["Middle Band"]


def test_a_qualified_defined_term_or_an_amount_on_the_line_defines_an_operand() -> None:
    doc = ("# Index\n\n## Weights\n\n{formula}\n\n## Data\n\n"
           "- **Market Cap**: Circulating supply × price\n")
    assert _undefined(doc.format(formula="Weight = Token Market Cap / Total Market Cap")) == []
    assert _undefined(doc.format(formula="Weight = Token Supply / Total Supply")) == [
        "Token Supply, Total Supply"
    ]
    line = "2. Using {amount}notional: Shares = (Notional × Units) / Market Cap"
    assert _undefined(doc.format(formula=line.format(amount="$1M "))) == ["Units"]
    assert _undefined(doc.format(formula=line.format(amount=""))) == ["Notional, Units"]


def test_a_formula_drawn_as_a_node_of_a_tree_outline_is_not_a_method_formula() -> None:
    doc = ("# Strategy\n\n```\nPrimary: Bid-Ask Spread Capture\n{branch}Profit = Ask Price - "
           "Bid Price - Transaction Costs\n```\n")
    assert _undefined(doc.format(branch="\u2514\u2500\u2500 ")) == []
    assert _undefined(doc.format(branch="")) != []


def test_a_member_of_a_defined_structure_and_a_bracketed_index_are_defined() -> None:
    doc = ("# Auction\n\n## Core Components\n\n- **Weights**: tokens per basket unit, "
           "expressed with {members} ranges.\n- **Target**: the target basket.\n"
           "- **Error**: the price error.\n\n## Formulas\n\n"
           "- `buyUpTo = weight.low * 2`\n- `total = sum(target[i] * error[i])`\n")
    assert _undefined(doc.format(members="low/spot/high")) == []
    assert _undefined(doc.format(members="lower and upper")) == ["weight.low"]


def test_a_worded_gloss_with_hyphenated_words_is_a_description() -> None:
    doc = "# Fees\n\n- A fee on non-stablecoin* vaults\n\n**Stablecoin = {gloss}*\n"
    assert _undefined(doc.format(gloss="fiat-pegged tokens")) == []
    assert _undefined(doc.format(gloss="pegged tokens + other_tokens")) == ["other_tokens"]


def test_a_letter_said_to_be_something_and_a_named_arithmetic_function_are_defined() -> None:
    doc = ("# Sizing\n\n{sentence}\n\nTrue Range = Maximum(H - L, H - C)\n\nwhere:\n\n"
           "- H: the day's high\n- L: the day's low\n- C: the previous close\n\n"
           "Dollar Volatility = N x V\n\nwhere V is the dollar value of one point.\n")
    said = "N is simply the 20-day exponential moving average of the True Range."
    assert _undefined(doc.format(sentence=said)) == []
    assert _undefined(doc.format(sentence="The range is measured daily.")) == ["N"]


# Plain-text notation of rate and trading documents (2026-12-07, fourth session; sentences
# written for these tests).
_CASH = (
    "# Cash Index\n\n## Calculation\n\nL_t = L_(t-1) × (1 + r_(t-1) × d_(t-1) / 360)\n\n"
    "where:\n\nL_t = index level on day t;\n{rate}"
    "d_(t-1) = number of calendar days from t-1 to t.\n"
)


def test_a_subscript_in_brackets_is_a_subscript_and_a_rate_name_may_lead_a_legend() -> None:
    assert _undefined(_CASH.format(rate="r_(t-1) = €STR for reference day t-1;\n")) == []
    assert _undefined(_CASH.format(rate="")) == ["r_{t-1}"]


def test_sigma_of_a_named_quantity_is_its_standard_deviation() -> None:
    doc = ("# Signal\n\nFlow_t = exported barrels on day t\n\n"
           "Signal_t = (Flow_t − Mean(Flow)) / {scale}\n")
    assert _undefined(doc.format(scale="σ(Flow)")) == []
    assert _undefined(doc.format(scale="σ(t)")) == ["σ"]


def test_a_legend_line_opening_with_a_model_name_is_not_a_formula() -> None:
    doc = ("# Hedge\n\nNet = Σ_i (Q_i × D_i)\n\nwhere:\n\nQ_i = contracts held in series i;\n"
           "D_i = {meaning};\n")
    assert _undefined(doc.format(meaning="Black-76 delta of series i, between -1 and +1")) == []
    assert _undefined(doc.format(meaning="Black-76 delta of series i × Multiplier")) == [
        "Multiplier"
    ]


def test_a_letter_between_the_and_a_plural_noun_is_a_count() -> None:
    doc = ("# Weights\n\nWeight_i = S_i / Σ S_j, over the {count} selected companies j, where "
           "S_i is the score of company i.\n\nWeights are capped at C = max(5%, 1/N).\n")
    assert _undefined(doc.format(count="N")) == []
    assert _undefined(doc.format(count="")) == ["N"]


def test_an_acronym_qualified_by_one_word_is_the_acronym() -> None:
    doc = ("# Signal\n\nSurprise = Announced DFR − Consensus DFR, in basis points, where "
           "{meaning}.\n")
    assert _undefined(doc.format(meaning="DFR is the deposit facility rate")) == []
    assert _undefined(doc.format(meaning="both are in percent")) == [
        "Announced DFR, Consensus DFR"
    ]
