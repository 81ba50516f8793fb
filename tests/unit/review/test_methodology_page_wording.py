"""Checks on wording read in methodology pages and rulebooks in the session of 2026-12-05.

Back-testing tools document their methodology as Markdown pages: a data part that names its
suppliers in list labels, settings that override defaults, formulas over named series. Index
rulebooks describe sectors whose businesses carry data words ("social media platforms").
Each test pairs the benign wording with the wording a careful reviewer still raises
(sentences written for these tests).
"""

from __future__ import annotations

from docsense.domain.policies import Check, CheckKind
from docsense.review.checks.registry import default_registry

from .conftest import check_quotes, context, undefined_variables

_quotes = check_quotes


def test_a_judgement_on_a_source_its_list_label_names_is_not_an_unnamed_source() -> None:
    named = ("# Backtester\n\n## Data\n\n"
             "- **Polygon.io**: High-quality historical price data including delisted tickers.\n"
             "- **CoinGecko**: reliable price data for tokens.\n")
    unnamed = "# Backtester\n\n## Data\n\n- **Primary**: High-quality price data.\n"
    assert _quotes("vague_qualifiers", named) == []
    assert _quotes("vague_qualifiers", unnamed) == ["High-quality price data"]


def test_a_generic_supplier_points_back_at_the_suppliers_a_data_part_names() -> None:
    body = ("## Data Layer\n\n-   **Splicing**: Splices simulation data with live ticker data "
            "(via provider chain) into one series.\n")
    named = ("# Backtester\n\n## Data Source\n\n- Primary: testfol.io for long histories.\n"
             "- Fallback: yfinance.\n\n" + body)
    unnamed = "# Backtester\n\n## Data Source\n\nPrices are daily closes.\n\n" + body
    assert _quotes("unnamed_data_sources", named) == []
    assert _quotes("unnamed_data_sources", unnamed) == [
        "via provider"
    ]


def test_a_data_word_naming_a_line_of_business_is_not_a_data_source() -> None:
    md = ("# Index\n\n## Sectors\n\nThe Interactive Media Sub-Industry includes search engines, "
          "social media and networking platforms, and online review companies.\n\n"
          "## Ranking\n\nThe model uses social media to rank the tokens.\n")
    assert _quotes("unnamed_data_sources", md) == ["The model uses social media"]


def test_a_setting_that_overrides_a_default_is_no_judgement_to_govern() -> None:
    md = ("# Backtester\n\n## Financing\n\nThe default spread applies to every ticker. "
          "Explicit `SP=` values override the default. The manager may override the signal.\n")
    assert _quotes("governance_missing", md) == ["The manager may override"]


def test_a_tool_named_backtester_is_checked_but_back_tested_performance_is_not() -> None:
    rule = "The manager may override the signal.\n"
    assert _quotes("governance_missing", "# Backtester\n\n## Signals\n\n" + rule) == [
        "The manager may override"
    ]
    assert _quotes("governance_missing", "# Tool\n\n## Back-tested Performance\n\n" + rule) == []


_undefined = undefined_variables


def test_equations_set_side_by_side_each_define_their_left_side() -> None:
    md = ("# Signals\n\n## Momentum\n\n$$\nz^{(k)}_{i,t} = \\frac{r_{i,\\,t-1,\\,k}}{\\sigma_{i,t}"
          "\\,\\sqrt{k}}, \\qquad\n\\text{tsmom}_{i,t} = \\frac{1}{3} \\sum_{k} z^{(k)}_{i,t} "
          "+ q,\n"
          "$$\n\nwhere $r_{i,t-1,k}$ is the trailing $k$-day return and $\\sigma_{i,t}$ is the "
          "volatility.\n\n$$\n\\text{CCR}_i \\equiv \\text{RC}_i = w_i \\cdot \\text{MCR}_i, "
          "\\qquad \\text{MCR}_i = \\frac{(\\Sigma w)_i}{\\sigma(w)}\n$$\n\nwhere $w_i$ is the "
          "weight of asset $i$ and $\\Sigma$ is the covariance matrix.\n")
    # Only q is left undefined: z and tsmom are left sides, r_{i,\,t-1,\,k} is r_{i,t-1,k},
    # and CCR_i and RC_i are two names of one left side.
    assert _undefined(md) == ["q"]


def test_a_display_whose_quad_separates_a_condition_stays_one_formula() -> None:
    md = ("# Blend\n\n## Estimator\n\n$$\n\\hat{\\Sigma} = \\delta F + (1 - \\delta) S, \\qquad "
          "\\delta \\in [0, 1].\n$$\n\nwhere $F$ is the target and $S$ is the sample covariance.\n")
    assert _undefined(md) == ["δ"]


def test_one_price_series_left_undefined_in_two_formulas_is_one_group() -> None:
    md = ("# Returns\n\n## Rule\n\n$$\nr_t = P_t / P_{t-1} - 1\n$$\n\n$$\nR = P_n / P_1 - 1\n"
          "$$\n\nwhere $n$ is the number of days.\n")
    ctx = context(md, with_ir=True)
    hits = default_registry().run(
        ctx, Check(CheckKind.IR, {"check": "formula_undefined_variables"})
    )
    assert len(hits) == 2
    assert {h.subject for h in hits} == {"p"}


def test_a_maths_symbol_after_the_words_it_stands_for_is_defined() -> None:
    md = ("# Attribution\n\n## Beta\n\nAgainst a benchmark return series $r_b$ (SPY), measured "
          "on the overlapping dates:\n\n$$\n\\beta = \\frac{\\mathrm{Cov}(r, r_b)}{\\mathrm{Var}"
          "(r_b)} + u\n$$\n\nwhere $r$ is the book's return. Scaling every weight by $c > 0$ "
          "scales the volatility by exactly $c$, i.e. $\\sigma(cw) = c\\,\\sigma(w)$.\n")
    # r_b is the series the sentence names; c is introduced with its bound ("by $c > 0$"),
    # not by "the volatility by exactly $c$".
    assert _undefined(md) == ["u"]


def test_a_limit_valued_earlier_in_its_paragraph_is_not_left_without_a_value() -> None:
    def doc(value: str) -> str:
        return ("# Optimiser\n\n## Ordering\n\nThat optimizer carries a per-asset weight cap"
                f"{value}, so it returns the capped portfolio. The test only holds when the cap "
                "is not binding, which is checked by confirming the solution sits within the "
                "cap.\n")

    assert _quotes("vague_thresholds", doc(" (`position_cap`, 0.25)")) == []
    assert _quotes("vague_thresholds", doc("")) == [
        "which is checked by confirming the solution sits within the cap"
    ]


def test_an_attained_level_a_capped_frontier_and_a_named_setting_are_no_open_limits() -> None:
    md = ("# Frontier\n\n## Shortfall\n\nA capped, fully-invested frontier cannot reach the "
          "risk level a leveraged book attains. Every backtest is floored at a date the venue "
          "can support\n(`min_start`). Each weight is capped.\n")
    assert _quotes("vague_thresholds", md) == ["Each weight is capped"]


def test_a_benchmark_as_a_role_or_named_in_brackets_is_not_unnamed() -> None:
    md = ("# Tests\n\n## Validation\n\nThe library estimator has another target, so it is a "
          "benchmark, not a test oracle. Against a benchmark return series (SPY buy-and-hold) "
          "beta is measured. Returns are compared with the benchmark.\n")
    assert _quotes("unnamed_benchmark", md) == ["Returns are compared with the benchmark"]


def test_a_value_assumed_in_a_lead_in_names_the_quantity() -> None:
    md = ("# Sizing\n\n## Steps\n\nwhere P is the close price.\n\n"
          "1. Using $1M notional: Shares = Notional / P\n2. Then: Lots = Shares / Size\n")
    assert _undefined(md) == ["Size"]


def test_how_others_treat_the_index_is_no_vague_frequency() -> None:
    md = ("# Index\n\n## Overview\n\nThe index is regularly featured in the Wall Street Journal "
          "and frequently cited as a benchmark. The committee meets regularly.\n")
    assert _quotes("vague_frequency", md) == ["The committee meets regularly"]


def test_a_law_cited_by_its_number_is_not_an_external_document() -> None:
    md = ("# Index\n\n## Definitions\n\n\"Benchmark Administrator\" has the meaning given in "
          "the Benchmarks Regulation (EU) 2016/1011. Terms are as defined in Directive "
          "2014/65/EU. Weights are as described in the Index Guide.\n")
    assert _quotes("external_documents", md) == ["Index Guide"]


def test_a_quantity_in_words_described_by_a_sentence_and_a_horizon_family_are_defined() -> None:
    md = ("# Momentum\n\n## Score\n\n6-month Price Momentum = ((P1 / P7) - 1) - (Local "
          "Risk-free rate)\n\nWhere, P1 = price one month prior\nP7 = price seven months "
          "prior\n\nLocal risk-free rates are the short-term rates in local currency of the "
          "country.\n\n## Risk adjustment\n\nRisk-adjusted Momentum = Price Momentum / "
          "Volatility\n\nAdjusted Momentum = Risk-adjusted Momentum / Dispersion Level\n")
    # "Price Momentum" is the family the 6-month formula defines; the local risk-free rate
    # is described by the sentence that opens with its name; Volatility and Dispersion
    # Level are named nowhere.
    assert _undefined(md) == ["Volatility", "Dispersion Level"]


def test_a_comparison_repeated_after_its_value_has_a_value() -> None:
    md = ("# Volatility index\n\n## Forward price\n\nPut-call parity, restricted to strikes "
          "with both sides quoted above `1e-9` USD:\n\n```\nK* = argmin_K |C(K) - P(K)|\n```\n\n"
          "If no strike has both sides quoted above the threshold, the expiry is rejected. A "
          "venue is dropped when its volume falls below the threshold.\n")
    assert _quotes("vague_thresholds", md) == ["its volume falls below the threshold"]


def test_sibling_labels_a_power_glyph_and_a_code_setting_read_as_written() -> None:
    md = ("# Volatility index\n\n## Interpolation\n\nwhere Q(K) is the out-of-the-money price "
          "and K the strike.\n\n```\nV = 2 * sum Q(K) / K² dK\nT1 = N_T1 / 525600\n"
          "T2 = N_T2 / 525600\nw1 = (N_T2 - 43200) / (N_T2 - N_T1)\n"
          "c = min(live / min_strikes, 1)\n```\n\n- `min_strikes = 8`. This is the count for a "
          "defensible fit.\n")
    ctx = context(md, with_ir=True)
    hits = default_registry().run(
        ctx, Check(CheckKind.IR, {"check": "formula_undefined_variables"})
    )
    # K² dK is K squared times the differential of K; N_T1 and N_T2 are one family, left
    # undefined in three formulas; min_strikes is set in inline code; live is not.
    assert sorted({h.subject or "" for h in hits}) == ["live", "n_t"]


def test_a_clause_opening_with_a_maths_symbol_defines_it() -> None:
    md = ("# Rewards\n\n## Performance\n\n$$\n\\textrm{reward}_i = \\textrm{total} - "
          "\\textrm{reference}_i - \\textrm{missing}_i - \\textrm{penalty}_i\n$$\n\n"
          "Here $$\\textrm{total}$$ is the sum of the scores of all winning solutions and "
          "$$\\textrm{missing}_i$$ is the sum of the scores that reverted. Finally, "
          "$$\\textrm{reference}_i$$ is the score without solver $$i$$.\n")
    assert _undefined(md) == ["penalty_i"]


def test_a_display_legend_defines_its_symbols_and_is_no_formula() -> None:
    md = ("# Lending\n\n## Auctions\n\n$$\np = \\frac{1-\\overline{C_f}*\\overline{L_f}}{2}+1+q\n$$"
          "\n\n$$\n\\begin{align*} \\text{where}\\\\ &p=\\text{Estimated Liquidator Premium}\\\\ "
          "&\\overline{L_f}=\\text{Average liability factor}\\\\ &\\overline{C_f}=\\text{Average "
          "collateral factor}\\\\ \\end{align*}\n$$\n")
    assert _undefined(md) == ["q"]


def test_title_case_words_in_maths_are_one_name_and_spacing_is_no_variable() -> None:
    md = ("# Rates\n\n## Modifier\n\n$$\nUtil Rate Error = \\Delta seconds * (U_T - U)\n$$\n\n"
          "$$\nRate Modifier_t = Util Rate Error * Reactivity Constant + Rate Modifier_{t-1}\n$$"
          "\n\n$$\nLM(\\Delta b) = 1, \\hspace{2mm} BM(\\Delta b) = 2\n$$\n\nwhere $U$ is the "
          "utilization and $U_T$ the target. The bTokenRate is an internal value.\n\n$$\n"
          "bTokens = \\frac{x}{bTokenRate}\n$$\n")
    # Δseconds, Reactivity Constant and x are undefined; "mm" is a length, b a changed
    # quantity (Δb), and bTokenRate is described by the sentence that opens with it.
    assert _undefined(md) == ["Δseconds", "Reactivity Constant", "Δb", "Δb", "x"]


def test_a_judgement_among_parameters_someone_sets_is_a_setting() -> None:
    md = ("# Pools\n\n## Creation\n\nThe deployer sets parameters that govern the supported "
          "assets, acceptable loan-to-value ratios and the oracle. Assets need acceptable "
          "loan-to-value ratios.\n")
    assert _quotes("vague_qualifiers", md) == ["Assets need acceptable loan-to-value ratios"]


def test_appendix_n_resolves_to_the_numbered_section_titled_appendix() -> None:
    md = ("# Paper\n\n## 2 Overview\n\nFigures 3 and 4 in appendix 7 illustrate the flows; "
          "appendix 9 has the proofs.\n\n## 7 Appendix B: Examples\n\nFigure 3.\n")
    assert _quotes("unresolved_references", md) == ["appendix 9"]


def test_a_formula_with_a_tex_pdf_sum_sign_is_an_unclear_parse() -> None:
    md = ("# Paper\n\n## Fees\n\nwhere e is the exposure and s is the spread.\n\n"
          "b = e P_{k} r_{k} + s\n\nCost = e + q * s\n")
    ctx = context(md, with_ir=True)
    hits = default_registry().run(
        ctx, Check(CheckKind.IR, {"check": "formula_undefined_variables"})
    )
    assert [h.title.startswith("Formula may use") for h in hits] == [True, False]


def test_a_purpose_an_escaped_numbered_setting_and_a_trade_are_not_findings() -> None:
    md = ("# Index\n\n## Redeem\n\nThis action is meant to be the method of choice during "
          "black swan events. Emergency deleveraging is possible during black swan events.\n\n"
          "## Momentum\n\nThe momentum score is the return over the observation period. The "
          "score is smoothed during the lookback period.\n\n2\\. Observation Period: 14 days\n\n"
          "## Swaps\n\nLong and short tokens of a market can be swapped for each other.\n")
    assert _quotes("undefined_trigger", md) == [
        "Emergency deleveraging is possible during black swan events."
    ]
    assert _quotes("vague_thresholds", md) == ["The score is smoothed during the lookback period"]
    assert _quotes("changes_without_criteria", md) == []


def test_limits_named_by_a_setting_and_values_a_user_supplies_are_not_open() -> None:
    md = ("# Perps\n\n## Caps\n\nTrader PnL is capped above the MAX_PNL_FACTOR_FOR_TRADERS. "
          "Some markets are above their maximum pnlToPoolFactorForTraders. Orders execute when "
          "the price matches the acceptable price specified by the user. Keepers need an "
          "acceptable price.\n")
    assert _quotes("vague_thresholds", md) == []
    assert _quotes("vague_qualifiers", md) == ["Keepers need an acceptable price"]


def test_amounts_of_data_doing_more_than_and_aims_listed_under_serve_are_not_findings() -> None:
    md = ("# Pools\n\n## Oracles\n\nThe adapter does more than return a price. A quote must be "
          "more than the floor.\n\n## Caps\n\nWe will follow up with caps once we have "
          "sufficient data. Prices come from reputable data providers.\n\n## Fees\n\nStability "
          "fees serve different means:\n\n- Maintain the peg in extreme market conditions.\n- "
          "Build reserves.\n\n## Emergencies\n\nThe pool is paused in extreme market "
          "conditions.\n")
    assert _quotes("vague_thresholds", md) == ["A quote must be more than the floor"]
    assert _quotes("vague_qualifiers", md) == [
        "Prices come from reputable data providers",
        "The pool is paused in extreme market conditions",
    ]
    assert _quotes("undefined_trigger", md) == [
        "The pool is paused in extreme market conditions."
    ]


def test_a_holiday_and_holidays_left_unnamed_are_one_group() -> None:
    md = ("# Pools\n\n## Hours\n\nPools are unavailable on weekends and certain holidays.\n\n"
          "## Closed\n\nSwaps revert on a holiday.\n")
    ctx = context(md, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "calendar_unspecified"}))
    assert len(hits) == 2
    assert {h.subject for h in hits} == {"business days and holidays"}


def test_a_symbol_introduced_with_a_bound_and_names_described_together_are_defined() -> None:
    md = ("# Portfolio\n\n## Scaling\n\nScaling every weight by $c > 0$ scales the volatility: "
          "$\\sigma(cw) = c\\,\\sigma(w) + u$.\n\n## Rates\n\n$$\nRate Modifier_t = Util Error "
          "* Reactivity Constant + Drift Term\n$$\n\nThe Util Error and Reactivity Constant "
          "are constant values provided on pool creation.\n")
    assert _undefined(md) == ["u", "Drift Term"]


def test_a_series_named_in_code_and_an_outcome_described_are_not_findings() -> None:
    md = ("# Margin\n\n## Variable rate\n\n- **Source**: FRED `FEDFUNDS` Effective Rate.\n\n"
          "$$\n\\text{Daily Rate}_t = \\text{FedFunds}_t + \\text{Spread}_t\n$$\n\n"
          "## Hedging\n\nHedging agents protect the protocol from incurring significant "
          "losses. Positions with significant losses are closed.\n")
    assert _undefined(md) == ["Spread_t"]
    assert _quotes("vague_qualifiers", md) == ["Positions with significant losses"]


def test_weights_raised_in_proportion_to_make_up_for_a_cap_say_where_the_excess_goes() -> None:
    capped = ("# Index\n\n## Liquidity screen\n\n1. For a component exceeding the threshold, a "
              "weight cap of 2.5 times its ADTV is applied.\n")
    spread = capped + ("2. Then, increase the other weights in proportion of their original "
                       "weights to make up for the reduced weight.\n")
    assert len(_quotes("excess_weight_unspecified", capped)) == 1
    assert _quotes("excess_weight_unspecified", spread) == []


def test_a_method_or_data_said_to_be_set_out_in_this_document_is_not_left_open() -> None:
    md = ("# Forks\n\n## Criteria\n\nFork legitimacy is considered in the broader context of "
          "both market data\nand network data metrics presented in this document. Assets are "
          "selected based on market conditions. Forks are ranked using market data.\n")
    assert _quotes("unspecified_method", md) == [
        "Assets are selected based on market conditions"
    ]
    assert _quotes("unnamed_data_sources", md) == ["Forks are ranked using market data"]


def test_as_required_after_a_regulator_is_the_regulator_requiring() -> None:
    md = ("# Charter\n\n## Responsibilities\n\n- Respond to any regulatory or governing body as "
          "required.\n- Rebalance the index as required.\n")
    assert _quotes("discretionary_language", md) == ["Rebalance the index as required"]


def test_a_window_sized_earlier_in_its_paragraph_has_a_length() -> None:
    md = ("# Staking\n\n## Rate\n\nThe rate is derived from rewards accrued over a rolling "
          "one-day observation window. On days where clocks change, the observation window may "
          "be shorter.\n\n## Fees\n\nFees are averaged over the lookback period.\n")
    assert _quotes("vague_thresholds", md) == ["Fees are averaged over the lookback period"]


def test_a_where_line_whose_pdf_lost_the_separator_defines_its_camel_case_symbol() -> None:
    md = ("# Staking\n\n## Rate\n\nStakingRate = IssContNtv - PenaltyNtv\n\nwhere:\n"
          "IssContNtv sum of native units issued on the Consensus Layer during hour i\n")
    assert _undefined(md) == ["PenaltyNtv"]


def test_weights_set_in_proportion_to_a_score_do_not_say_where_a_cap_excess_goes() -> None:
    md = ("# Strategy\n\n## Weighting\n\nEach selected stock is weighted in proportion to its "
          "score, with a maximum weight of 5% per stock.\n")
    assert len(_quotes("excess_weight_unspecified", md)) == 1


def test_other_unnamed_sources_as_a_fallback_are_reported_even_beside_a_data_part() -> None:
    md = ("# Index\n\n## Appendix 2: Data Sources\n\nIf data are not available from the sources "
          "described in this appendix, other data sources may be used.\n\n- Prices are sourced "
          "from CCData.\n- If CCData fails, other sources such as Kaiko will be used.\n")
    assert _quotes("unnamed_data_sources", md) == ["other data sources"]


def test_data_a_sentence_says_is_not_submitted_is_no_unnamed_source() -> None:
    md = ("# Oracles\n\n## Separation\n\nGovernance signers do not directly submit oracle price "
          "data. Keepers submit price data every hour.\n")
    assert _quotes("unnamed_data_sources", md) == ["Keepers submit price data"]


def test_a_trigger_whose_lead_in_lists_the_cases_is_defined() -> None:
    md = ("# Oracles\n\n## Emergency\n\nIn extreme circumstances, including:\n\n- oracle "
          "failure\n- chain halt\n\n## Pauses\n\nThe index may be paused in extreme "
          "circumstances.\n")
    assert _quotes("undefined_trigger", md) == [
        "The index may be paused in extreme circumstances."
    ]


def test_each_line_of_an_alignment_is_an_equation_and_code_symbols_after_words_are_named() -> None:
    md = ("# Rates\n\nEach market defines:\n- A **minimum rate** `R_min`\n- An **optimal rate** "
          "`R_opt` at a target utilization `U*`\n\n## Formula\n\n$$\n\\begin{aligned}\n"
          "&\\Delta R = R_{\\max} - R_{\\rm opt},\\\\[0.5em]\n&R(U)=\\max\\{R_{\\min},\\,"
          "R_{\\rm raw}(U)\\},\\\\[0.5em]\n&R_{\\rm raw}(U)=\n\\begin{cases}\nR_{\\rm opt}\\,"
          "\\frac{U}{U^*}, &U\\le U^*,\\\\[1em]\nR_{\\rm opt} + \\Delta R, &U > U^*\n"
          "\\end{cases}\n\\end{aligned}\n$$\n\nwhere U is the utilization.\n")
    # R_max is the only symbol named nowhere; R_raw, R and ΔR are left sides of lines.
    assert _undefined(md) == ["R_max"]


def test_clock_times_without_a_zone_are_one_group() -> None:
    md = ("# Funding\n\n## Schedule\n\n| Frequency | End of hour (9:00 AM, 10:00 AM, ...) |\n"
          "|---|---|\n\n## Cut-off\n\nOrders are accepted until 4:30 pm.\n")
    ctx = context(md, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "calendar_unspecified"}))
    clock = [h for h in hits if h.title == "Time of day has no time zone"]
    assert len(clock) == 3
    assert {h.subject for h in clock} == {"time zone"}  # one question with any other time of day


def test_dotted_section_anchors_business_days_and_mitigating_aims_read_as_written() -> None:
    md = ("# Index\n\n- [1.2](#1.2-parent-index)\n- [9.9](#9.9-missing-part)\n\n"
          "## 1.2. Parent Index\n\nThe parent index. To mitigate excessive index turnover, a "
          "buffer applies. Assets need sufficient trading volume.\n\n## Maintenance\n\n"
          "Reconstitutions fall on the last business day of the month, two business days "
          "after the announcement, or the next day if it is a holiday.\n")
    assert _quotes("unresolved_references", md) == ["[9.9](#9.9-missing-part)"]
    assert _quotes("vague_qualifiers", md) == ["Assets need sufficient trading volume"]
    ctx = context(md, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "calendar_unspecified"}))
    assert {h.subject for h in hits} == {"business days and holidays"}


def test_a_short_name_of_an_external_document_joins_its_full_name() -> None:
    md = ("# Index\n\n## Rules\n\nEligibility is as described in the CoinDesk Indices Policy "
          "Methodology. Corporate events are treated as described in the Policy Methodology. "
          "Weights are as set out in the Weighting Methodology.\n")
    ctx = context(md, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "external_documents"}))
    assert sorted({h.subject or "" for h in hits}) == [
        "coindesk indices policy methodology", "weighting methodology"
    ]
    assert len(hits) == 3
