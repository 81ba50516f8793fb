"""Checks on the drafting habits of real methodologies (sentences written for these tests).

Real index rulebooks carry disclaimers, risk factors and conflict notices beside their rules,
bundle several parts that refer to each other by name, and use conditional cross-references
("as applicable") that are not discretion. These tests pin what a careful reviewer would and
would not raise.
"""

from __future__ import annotations

from docsense.domain.policies import Check, CheckKind
from docsense.extraction import extract_ir
from docsense.review.checks.registry import default_registry

from .conftest import RunCheck, context


def _hits(name: str, markdown: str):  # type: ignore[no-untyped-def]
    ctx = context(markdown, with_ir=True)
    return ctx, default_registry().run(ctx, Check(CheckKind.IR, {"check": name}))


def test_as_applicable_points_at_a_stated_case_and_is_not_discretion(run_check: RunCheck) -> None:
    md = ("The level is adjusted in accordance with paragraph (i) or (ii) below (as applicable).\n"
          "Fees, if applicable, are deducted daily.\n")
    assert run_check("discretionary_language", md) == []


def test_operative_discretion_is_one_group_with_every_place() -> None:
    md = ("# Index\n\n## 1. Changes\n\n"
          "The Index Sponsor may, in its sole discretion, amend the list of components.\n\n"
          "The Calculation Agent may in its discretion postpone the rebalancing.\n")
    _, hits = _hits("discretionary_language", md)
    assert {h.subject for h in hits} == {"discretion"}
    assert len(hits) == 2
    assert "Index Sponsor" in hits[0].description


def test_open_conditions_group_by_wording_but_not_manner_or_law(run_check: RunCheck) -> None:
    md = ("Positions are hedged where appropriate.\n"
          "Weights are published as soon as practicable.\n"
          "Trades are reported as required by applicable law.\n")
    assert run_check("discretionary_language", md) == ["Positions are hedged where appropriate"]


def test_disclaimers_and_risk_factors_are_not_checked_as_rules(run_check: RunCheck) -> None:
    md = ("# Index\n\n## 1. Rules\n\nThe index is rebalanced periodically.\n\n"
          "## 2. Risk Factors\n\nThe sponsor may change the index from time to time in its "
          "sole discretion, and liquidity may fall below sufficient levels.\n\n"
          "## 3. Disclaimer\n\nTHE SPONSOR MAKES ALL DETERMINATIONS IN ITS SOLE DISCRETION AND "
          "SHALL HAVE NO LIABILITY FOR ANY LOSS WHATSOEVER ARISING FROM THE INDEX.\n")
    assert run_check("discretionary_language", md, with_ir=True) == []
    assert run_check("vague_qualifiers", md, with_ir=True) == []
    assert run_check("vague_frequency", md, with_ir=True) == [
        "The index is rebalanced periodically"
    ]


def test_usage_interpretation_and_conclusion_sections_are_not_rules(run_check: RunCheck) -> None:
    md = ("# Index\n\n## 1. Weights\n\nMarkets are weighted based on multiple factors.\n\n"
          "## 2. Interpretation Guide\n\n- **105+**: Strong bullish sentiment\n\n"
          "## 3. Usage Applications\n\n### 3.1 Trading\n\n- Entry and exit timing based on "
          "sentiment\n\n## Conclusion\n\nThe index offers a comprehensive view based on "
          "several factors.\n")
    assert run_check("unspecified_method", md, with_ir=True) == [
        "Markets are weighted based on multiple factors"
    ]
    assert run_check("vague_qualifiers", md, with_ir=True) == []


def test_a_judgement_word_the_document_quantifies_is_not_vague(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Outliers\n\n- **Extreme values**: probabilities above 95% or below "
          "5%\n- Low-volume markets with extreme probabilities are reviewed.\n"
          "- Markets with significant volume are kept.\n")
    assert run_check("vague_qualifiers", md, with_ir=True) == ["Markets with significant volume"]
    plain = md.replace("**Extreme values**", "Extreme values")
    assert run_check("vague_qualifiers", plain, with_ir=True) == ["Markets with significant volume"]


def test_what_a_rule_avoids_is_its_aim_not_a_criterion(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Weights\n\n- Larger tokens receive higher weight\n"
          "- Avoids excessive bias toward small-cap tokens\n\n"
          "Weights are capped to avoid excessive concentration.\n\n"
          "Tokens with significant volume are kept.\n")
    assert run_check("vague_qualifiers", md, with_ir=True) == [
        "Tokens with significant volume"
    ]


def test_capitals_banner_outside_a_disclaimer_heading_is_boilerplate(run_check: RunCheck) -> None:
    md = ("THE STRATEGY SPONSOR WILL MAKE ALL DETERMINATIONS AND TAKE ALL ACTIONS IN RELATION "
          "TO THE STRATEGY IN ITS SOLE DISCRETION AND OWES NO FIDUCIARY DUTY TO ANY PERSON.\n")
    assert run_check("discretionary_language", md) == []


def test_a_power_granted_from_time_to_time_is_not_a_missing_frequency(
    run_check: RunCheck,
) -> None:
    md = ("The Index Committee may make changes to the methodology from time to time.\n"
          "Component weights are reviewed from time to time.\n")
    assert run_check("vague_frequency", md) == ["Component weights are reviewed from time to time"]


def test_lettered_parts_resolve_from_caption_lines_the_converter_did_not_mark() -> None:
    md = ("# Methodology\n\nThe weights follow the steps described in Section C: Preliminary "
          "Weight Determination Process.\n\n"
          "Section C: Preliminary Weight Determination Process\n\n"
          "On each Rebalancing Date the sponsor applies each step of this Section C.\n\n"
          "The caps of Table 1 apply.\n"
          "Table 1: Caps by asset class\n\nEquity 40%\n")
    ir = extract_ir(md)
    internal = [r for r in ir.references if r.kind.value in ("section", "table")]
    assert internal
    assert all(r.resolved for r in internal)


def test_a_missing_lettered_part_is_still_reported(run_check: RunCheck) -> None:
    md = ("# Methodology\n\nThe caps are set out in Section F: Caps, which is published "
          "separately.\n")
    assert run_check("unresolved_references", md, with_ir=True) == ["Section F"]


def test_statute_sections_are_citations_not_missing_parts(run_check: RunCheck) -> None:
    md = ("# Index\n\nDividend equivalents under Section 871(m) of the Internal Revenue Code are "
          "withheld.\n")
    assert run_check("unresolved_references", md, with_ir=True) == []
    assert run_check("external_documents", md, with_ir=True) == []


def test_documents_the_file_declares_itself_to_be_are_not_external(run_check: RunCheck) -> None:
    md = ("# Base Description\n\n## 1. Introduction\n\nThis Specifications Annex, as amended, "
          "constitutes the Relevant General Strategy Description for the purposes of the "
          "Base Description.\n\n## 2. Levels\n\nThe level is calculated as described in the "
          "Relevant General Strategy Description.\n\n"
          "These Provisions, read with the Base Description, constitute the \"Index Rules\".\n\n"
          "Terms are used as defined in the Index Rules.\n")
    assert run_check("external_documents", md, with_ir=True) == []


def test_a_third_party_methodology_is_one_external_dependency(run_check: RunCheck) -> None:
    md = ("# Roll Strategy\n\n## 1. Terms\n\nTerms have the meanings given to such terms in the "
          "S&P GSCI Index Methodology dated February 2018.\n\n## 2. Roll\n\nThe roll follows the "
          "schedule set out in the S&P GSCI Index Methodology.\n")
    ctx, hits = _hits("external_documents", md)
    assert [ctx.markdown[h.start : h.end] for h in hits] == ["S&P GSCI Index Methodology"] * 2
    assert len({h.title for h in hits}) == 1


def test_a_source_named_only_by_a_judgement_is_a_data_source_finding() -> None:
    md = ("# Index\n\n## Data\n\nPrices are provided by well-established data aggregators.\n\n"
          "Constituents must have sufficient liquidity.\n")
    _, hits = _hits("vague_qualifiers", md)
    by_category = {h.category.value: h.title for h in hits}
    assert by_category == {
        "data_source_unspecified": "Data source named only by a judgement: "
                                   "'well-established data'",
        "undefined_parameter": "'sufficient liquidity' is not quantified",
    }


def test_a_schedule_with_no_date_rule_is_a_calendar_finding() -> None:
    _, hits = _hits("vague_frequency", "# Index\n\n## Rebalancing\n\n"
                                       "The index has a monthly rebalancing.\n")
    assert [(h.title, h.category.value) for h in hits] == [
        ("Schedule has no date rule", "market_calendar")
    ]


def test_a_daily_value_in_a_market_that_never_closes_needs_a_cut_off_time(
    run_check: RunCheck,
) -> None:
    md = ("# Token Index\n\n## Calculation\n\nThe index tracks crypto tokens on 24/7 "
          "exchanges. The index level is calculated daily from the daily closing prices of "
          "its tokens.\n")
    assert run_check("calendar_unspecified", md) == ["calculated daily", "daily closing prices"]
    with_zone = md + "\nAll times are UTC.\n"
    assert run_check("calendar_unspecified", with_zone) == []


def test_tickers_and_slashed_words_are_not_time_zones(run_check: RunCheck) -> None:
    md = ("# Token Index\n\n## Constituents\n\nThe index holds crypto tokens on 24/7 "
          "exchanges, valued from their daily closing prices.\n\n"
          "| Project/Company | Token |\n|---|---|\n| STEPN | GMT |\n")
    assert run_check("calendar_unspecified", md) == ["daily closing prices"]


def test_performance_figures_must_say_whether_they_are_actual_or_simulated(
    run_check: RunCheck,
) -> None:
    md = ("# Index\n\n## Performance\n\nReturn Since Inception (%): 632.2\n\n"
          "Annualised Volatility: 41%\n\nThe Sharpe ratio is attractive.\n"
          "Positions are cut when annualised volatility is above 15%.\n")
    assert run_check("performance_unlabelled", md) == [
        "Return Since Inception (%): 632.2", "Annualised Volatility: 41%",
    ]
    labelled = md + "\nFigures before launch are simulated. Past performance is no guide.\n"
    assert run_check("performance_unlabelled", labelled) == []
    under_heading = md.replace("## Performance", "## Back-tested performance")
    assert run_check("performance_unlabelled", under_heading) == []


def test_a_limit_the_document_defines_by_heading_or_formula_is_not_valueless(
    run_check: RunCheck,
) -> None:
    md = ("# Index\n\n## Minimum Weight Threshold Rule\n\n$w_{\\min} = \\frac{1}{N}$\n\n"
          "Securities falling below the minimum are removed.\n\n## Liquidity\n\n"
          "Tokens below the liquidity threshold are removed.\n")
    assert run_check("vague_thresholds", md, with_ir=True) == [
        "Tokens below the liquidity threshold"
    ]


def test_a_limit_named_after_a_part_that_states_values_is_not_valueless(
    run_check: RunCheck,
) -> None:
    sizing = ("# Method\n\n## Position Sizing by Conviction\n\n| Conviction | Size |\n|---|---|\n"
              "| High | 13% |\n| Low | 5% |\n\n## Constraints\n\n"
              "Never size positions above conviction limits.\n")
    assert run_check("vague_thresholds", sizing, with_ir=True) == []
    # A part that states no value, or a heading that lists topics, names no limit's values.
    unvalued = sizing.replace("| High | 13% |\n| Low | 5% |", "| High | large |\n| Low | small |")
    assert run_check("vague_thresholds", unvalued, with_ir=True) == [
        "Never size positions above conviction limits"
    ]
    topics = ("# Method\n\n## Trading and Data\n\nOrders are sent at 16:00.\n\n## Exposure\n\n"
              "Changes smaller than the trading threshold are not traded.\n")
    assert run_check("vague_thresholds", topics, with_ir=True) == [
        "Changes smaller than the trading threshold"
    ]


def test_a_limit_a_setting_of_the_same_part_names_is_not_valueless(run_check: RunCheck) -> None:
    md = ("# Chain\n\n## Maximum quantity\n\n> Accepts parameter: `--maximumquantity-size "
          "<DECIMAL>` (required)\n\nEnsures orders' quantities are always less than the "
          "maximum.\n\n## Small orders\n\nEnsures orders' quantities are always greater "
          "than the minimum.\n")
    # The setting is in the first part only: the second part's minimum has no value.
    assert run_check("vague_thresholds", md, with_ir=True) == [
        "Ensures orders' quantities are always greater than the minimum"
    ]


def test_a_price_rounded_to_the_venues_increment_is_no_limit(run_check: RunCheck) -> None:
    md = ("# Bot\n\n## Stops\n\nRaise the offset by a clear margin: the limit is floored onto "
          "the symbol's tick grid before the band is judged.\n")
    assert run_check("vague_thresholds", md, with_ir=True) == []
    floor = md.replace("onto the symbol's tick grid", "for safety")
    assert run_check("vague_thresholds", floor, with_ir=True) == ["the limit is floored"]


def test_judgement_words_in_statements_of_aim_are_not_criteria(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Rules\n\nA minimum weight rule is applied to ensure meaningful "
          "representation.\n\nThis approach ensures that:\n\n"
          "1. Every security contributes a meaningful share.\n\n"
          "## Eligibility\n\nTokens must have sufficient liquidity.\n")
    assert run_check("vague_qualifiers", md, with_ir=True) == [
        "Tokens must have sufficient liquidity"
    ]


def test_excluded_instruments_are_not_risk_bearing_features(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Eligibility\n\nExclusions apply to preferred shares, funds and "
          "derivatives.\n\nThe index suits investors seeking diversified exposure.\n")
    assert run_check("risk_disclosure_missing", md) == []
    held = md.replace("Exclusions apply to preferred shares, funds and derivatives.",
                      "The index holds equity futures.")
    assert run_check("risk_disclosure_missing", held) == [
        "The index suits investors seeking diversified exposure.",
        "The index holds equity futures",
    ]


def test_a_weighted_index_must_say_when_it_rebalances(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Constituents\n\nThe index holds 20 constituents.\n\n"
          "## Weights\n\nConstituents are weighted by market capitalization.\n\n"
          "Each weight is capped at 10%.\n")
    assert run_check("rebalancing_unscheduled", md) == [
        "Constituents are weighted by market capitalization."
    ]
    for schedule in ("The index is rebalanced quarterly.",
                     "The index is rebalanced when a weight drifts 5% from its target.",
                     "The index is rebalanced on each Rebalancing Date."):
        assert run_check("rebalancing_unscheduled", md + schedule + "\n") == []


def test_constituents_that_may_change_need_criteria(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Rebalancing\n\nComponents may be added or removed as part of the "
          "rebalancing.\n\nA token will be removed when its market cap falls below $1bn.\n\n"
          "A constituent may be removed from the exchanges it trades on.\n\n"
          "- `_newComponents`: addresses of components to be added.\n")
    assert run_check("changes_without_criteria", md) == [
        "Components may be added or removed as part of the rebalancing."
    ]


def test_a_crypto_portfolio_pitched_as_suitable_needs_a_risk_disclosure(
    run_check: RunCheck,
) -> None:
    md = ("# BED Index\n\n## Methodology\n\nThe index holds BTC, ETH and DPI on-chain, "
          "rebalanced on the Ethereum blockchain.\n\nWe expect that this portfolio is suitable "
          "for the vast majority of crypto participants.\n")
    assert run_check("risk_disclosure_missing", md) == [
        "We expect that this portfolio is suitable for the vast majority of crypto "
        "participants.",
        "The index holds BTC, ETH and DPI on-chain, rebalanced on the Ethereum blockchain.",
    ]
    aware = md.replace("suitable", "suitable, at the risk of total loss,")
    assert run_check("risk_disclosure_missing", aware) == []


def test_a_setting_the_text_names_must_be_in_the_parameter_table(run_check: RunCheck) -> None:
    md = ("# Strategy\n\n## Parameters\n\n| Parameter | Default | Prompt |\n|---|---|---|\n"
          "| `min_spread` | 0 | Enter the minimum spread |\n"
          "| `order_amount` | | Amount per order |\n"
          "| `execution_timeframe` | | `infinite` or `from_date_to_date` |\n\n"
          "## How it works\n\nThe `minimum_spread` parameter is optional.\n\n"
          "The `order_amount` setting sizes each order.\n\n"
          "Sessions run `from_date_to_date` when that option is chosen.\n\n"
          "Orders are sent by `place_order_loop` every second.\n")
    assert run_check("parameter_not_in_table", md) == [
        "The `minimum_spread` parameter is optional."
    ]
    no_table = md.split("## How it works")[1]
    assert run_check("parameter_not_in_table", "# S\n\n" + no_table) == []


def test_a_setting_documented_in_a_list_or_heading_is_listed(run_check: RunCheck) -> None:
    md = ("# Bot\n\n| Parameter | Default |\n|---|---|\n| `a_b` | 1 |\n| `c_d` | 2 |\n"
          "| `e_f` | 3 |\n\n### `grid_span`\n\nThe grid span.\n\n- `n_positions`: how many.\n\n"
          "The `grid_span` and `n_positions` settings work together.\n")
    assert run_check("parameter_not_in_table", md) == []


def test_a_summary_of_rules_available_only_on_request_is_an_external_dependency(
    run_check: RunCheck,
) -> None:
    md = ("# Index\n\n## Annex B: Summary of the Trend Strategy\n\nThis summary is necessarily "
          "incomplete and is qualified in its entirety by the detailed methodology documents, "
          "available upon request from your dealer.\n\n## Summary\n\nThe summary above is "
          "qualified in its entirety by the Methodology section below.\n")
    assert run_check("summarised_elsewhere", md) == [
        "This summary is necessarily incomplete and is qualified in its entirety by the "
        "detailed methodology documents, available upon request from your dealer."
    ]


def test_a_capitalised_term_after_a_judgement_word_is_not_a_vague_source(
    run_check: RunCheck,
) -> None:
    md = "# Index\n\n## Rules\n\nTrading stops if there is a material Exchange Disruption.\n"
    _, hits = _hits("vague_qualifiers", md)
    assert all(h.category.value != "data_source_unspecified" for h in hits)


def test_discretion_bounded_earlier_in_the_sentence_is_not_reported(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Determinations\n\nThe sponsor makes all determinations in its "
          "discretion and acting in a commercially reasonable manner, by reference to such "
          "factors as it deems appropriate.\n")
    assert run_check("discretionary_language", md) == []


def test_the_parameters_of_a_function_the_formula_defines_are_bound(
    run_check: RunCheck,
) -> None:
    md = ("# Perpetuals\n\n## Funding\n\nWe allow a clamp component, where "
          "$\\text{clamp}(a,b;x)=min(b,max(a, x))$ and $g = clamp(lo, hi; f) + k$.\n")
    hits = run_check("formula_undefined_variables", md, with_ir=True)
    assert hits == ["g = clamp(lo, hi; f) + k"]  # lo, hi, f and k are used, not declared


def test_rounding_down_and_a_level_compared_with_a_named_quantity_have_values(
    run_check: RunCheck,
) -> None:
    md = ("# Fees\n\n## Discounts\n\nThe rewards and discounts are floored rather than raised, "
          "so fees cannot be negative.\n\nAmounts are floored to the nearest integer.\n\n"
          "Stake is added until it reaches a level greater than or equal to the `target stake`."
          "\n\nThe target stake is set to the maximum total supplied stake over the previous "
          "`time_window`.\n\nThe fee is floored.\n\nTrading halts when it reaches a level.\n")
    assert run_check("vague_thresholds", md) == [
        "The fee is floored", "it reaches a level"
    ]


def test_a_worked_example_states_no_rule(run_check: RunCheck) -> None:
    md = ("# Target stake\n\n## Window\n\nExample 1:\nthe market opened at `t_0 = 1:55`.\n"
          "We have the open interest over time:\n\n```\n[3:51, 140]\n```\n\n"
          "and the current time is `4:53`, so the window starts at `3:53`.\n\n"
          "For example, the cut-off is 17:00.\n\nOrders are matched at 16:00.\n")
    assert run_check("calendar_unspecified", md) == ["16:00"]


def test_judgements_in_a_list_of_triggering_events_are_criteria(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Rebalancing\n\nThe indices are rebalanced under the circumstances:\n\n"
          "* The occurrence of significant events that may severely affect a constituent.\n"
          "* Addition or deletion of a constituent.\n\n## Aims\n\n"
          "The index may hold significant positions.\n")
    assert run_check("vague_qualifiers", md) == ["The occurrence of significant events"]


def test_notice_given_in_advance_without_a_period_is_reported_once(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Changes\n\nChanges to the methodology are announced well ahead of "
          "time.\n\nThe Administrator gives clients reasonable notice of any change.\n\n"
          "Changes are announced at least five business days in advance.\n\n"
          "Orders are placed in advance of the auction.\n")
    _, hits = _hits("vague_qualifiers", md)
    assert [(h.title, h.subject) for h in hits] == [
        ("Notice period not specified: 'well ahead of time'", "notice period"),
        ("Notice period not specified: 'reasonable notice'", "notice period"),
    ]


def test_an_account_short_of_what_an_operation_needs_is_no_judgement(
    run_check: RunCheck,
) -> None:
    md = ("# Margin\n\n## Closeout\n\nAny trader that has insufficient collateral is closed "
          "out.\n\nIf the general account does not have sufficient balance, the order is "
          "rejected.\n\nEligible issuers must have sufficient capital.\n")
    assert run_check("vague_qualifiers", md) == ["Eligible issuers must have sufficient capital"]


def test_a_function_heading_declares_the_parameters_its_formulas_use(
    run_check: RunCheck,
) -> None:
    md = ("# Perpetual\n\n## Buy(Trader, Rate, Amount)\n\n"
          "- Cost = Rate * Amount + Fee\n\n## Sell\n\n- Proceeds = Rate * Amount\n")
    _, hits = _hits("formula_undefined_variables", md)
    assert [h.subject for h in hits] == ["fee", "rate, amount"]


def test_formulas_of_a_worked_example_are_not_the_method(run_check: RunCheck) -> None:
    md = ("# Losses\n\n## A Basic Example\n\nLoss = -(CashBalance + PNL) = 1050\n\n"
          "## Rules\n\nSocialLoss = Loss / Size\n")
    assert run_check("formula_undefined_variables", md, with_ir=True) == [
        "SocialLoss = Loss / Size"
    ]


def test_the_items_of_a_list_of_examples_are_not_criteria(run_check: RunCheck) -> None:
    md = ("# Limits\n\n## Soft limits\n\n- Soft limit - discourage more stake. For example:\n"
          "  - Introduce a significant fee to mint rETH\n  - Decrease the budget\n"
          "- Hard limit - require a significant bond before minting\n")
    assert run_check("vague_qualifiers", md) == [
        "Hard limit - require a significant bond before minting"
    ]


def test_a_limit_set_to_a_named_quantity_has_its_value(run_check: RunCheck) -> None:
    md = ("# Fees\n\n## Closing\n\nWhen the balance is short, the fee will be limited to the "
          "balance.\n\nThe fee will be limited to the maximum.\n")
    assert run_check("vague_thresholds", md) == ["The fee will be limited to the maximum"]


def test_only_an_identifier_called_a_setting_must_be_in_the_table(run_check: RunCheck) -> None:
    md = ("# Queue\n\n## Parameters\n\n| Name | Initial |\n|---|---|\n| `rate_a` | 1 |\n"
          "| `rate_b` | 2 |\n| `rate_c` | 3 |\n\n## Security\n\nSetting `rate_a` very high "
          "disables the deposit flow of the `standard_queue` for everyone.\n\n"
          "The `rate_d` parameter is optional.\n")
    assert run_check("parameter_not_in_table", md) == [
        "The `rate_d` parameter is optional."
    ]


def test_a_document_titled_example_is_still_reviewed(run_check: RunCheck) -> None:
    md = ("# Example Momentum Index Methodology\n\n## 1. Overview\n\nThe index is rebalanced "
          "periodically.\n\n## 2. A Basic Example\n\nFees are charged periodically.\n")
    assert run_check("vague_frequency", md, with_ir=True) == [
        "The index is rebalanced periodically"
    ]


def test_an_analysis_without_a_date_for_its_data_is_reported_once(run_check: RunCheck) -> None:
    md = ("# Proposal\n\n## Abstract\n\nTo choose the venue, the amount required to move the "
          "price 50 bps was sampled.\n\n## Statistics\n\nData used has been sourced from:\n\n"
          "- CoinGecko\n\n## Depth\n\nDepth was measured on 1 March 2021 on Uniswap.\n\n"
          "## Method\n\nPrices are sampled every minute.\n\n## Disclaimer\n\n"
          "Back-tested results were analysed by the sponsor.\n")
    _, hits = _hits("analysis_undated", md)
    assert [(h.subject, h.category.value if h.category else None) for h in hits] == [
        ("analysis data", "data_source_unspecified")
    ] * 2
    ctx, _ = _hits("analysis_undated", md)
    assert [ctx.markdown[h.start : h.end] for h in hits] == [
        "the amount required to move the price 50 bps was sampled",
        "Data used has been sourced",
    ]


def test_compounds_drawbacks_and_limits_compared_are_no_missing_values(
    run_check: RunCheck,
) -> None:
    md = ("# Fees\n\n## Limits\n\n| Tier | IO | Execution |\n|---|---|---|\n| 1 | 5 | 2 |\n\n"
          "IO thresholds are higher than execution thresholds because IO is expensive.\n\n"
          "State-heavy protocols pay the IO fee.\n\n## Risks and Drawbacks\n\n"
          "Scripts may fail if their values are below the new minimum.\n")
    assert run_check("vague_thresholds", md, with_ir=True) == []
    assert run_check("vague_qualifiers", md, with_ir=True) == []


def test_capitalised_judgement_words_are_terms_of_art(run_check: RunCheck) -> None:
    md = ("# Fallbacks\n\n## Consent\n\nLoans must require lender consent for Major version "
          "changes.\n\n- Material Methodology Change: CCIR announces the change.\n\n"
          "Eligible tokens must have significant liquidity.\n")
    assert run_check("vague_qualifiers", md) == [
        "Eligible tokens must have significant liquidity"
    ]


def test_notice_withheld_or_asked_about_is_no_missing_period(run_check: RunCheck) -> None:
    md = ("# Changes\n\n## Versions\n\nThis policy sets what advance notice is given.\n\n"
          "A typo is corrected without advance notice.\n\n"
          "The methodology will not be altered without adequate notice.\n\n"
          "Clients will receive sufficient notice.\n")
    assert run_check("vague_qualifiers", md) == [
        "methodology will not be altered without adequate notice",
        "Clients will receive sufficient notice",
    ]


def test_limits_pointed_to_and_levels_of_a_named_thing_have_values(
    run_check: RunCheck,
) -> None:
    md = ("# Policy\n\n## Coverage\n\nPublication stops where coverage falls below the minimum "
          "thresholds defined below. A hold keeps the last value.\n\n| Coverage | Minimum |\n"
          "|---|---|\n| sources | 3 |\n\nOther markets have yet to reach the level of "
          "development of equities.\n")
    assert run_check("vague_thresholds", md) == []


def test_a_method_clause_with_a_past_participle_is_no_analysis(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Rolling window\n\nAll observations in the window count equally, "
          "regardless of which day within the window they were collected.\n")
    assert run_check("analysis_undated", md, with_ir=True) == []


def test_a_judgement_phrase_the_sentence_defines_is_no_judgement(run_check: RunCheck) -> None:
    md = ("# Policy\n\n## Events\n\nUnexpected market/exchange closures can be more frequent "
          "and are defined as full or partial restriction of trading.\n\nEligible tokens must "
          "have significant liquidity, which means deep order books.\n")
    assert run_check("vague_qualifiers", md) == [
        "Eligible tokens must have significant liquidity"
    ]


def test_listed_values_and_numeric_filters_are_specified(run_check: RunCheck) -> None:
    md = ("# Pairs\n\n## Filter\n\nAcceptable values for this setting are `\"last\"`, `\"mark\"` "
          "and `\"index\"`.\n\n1. The top 15 pairs by percentage change are selected.\n"
          "2. Only pairs with a percentage change between -10% and 50% are considered.\n")
    assert run_check("vague_qualifiers", md) == []
    assert run_check("unspecified_method", md) == []
    assert run_check("decision_owner_missing", md) == []


def test_a_weighing_whose_how_follows_is_specified(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Divisor\n\nThe fee is accounted for by multiplying the previous day's "
          "divisor with a factor.\n\nTransaction costs are taken into account.\n")
    assert run_check("unspecified_method", md) == ["Transaction costs are taken into account"]


def test_words_only_the_left_side_uses_name_what_the_formula_defines(
    run_check: RunCheck,
) -> None:
    md = ("# Funding\n\n## Payment\n\nThe collateral paid/received = FundingRate * Size * q\n\n"
          "- FundingRate: the funding rate.\n- Size: the position size.\n")
    _, hits = _hits("formula_undefined_variables", md)
    assert [h.subject for h in hits] == ["q"]


def test_saying_no_limit_is_needed_is_no_valueless_limit(run_check: RunCheck) -> None:
    md = ("# A\n\n## Auction\n\nThe auction ends; there is no need for the supplied liquidity "
          "to exceed a threshold.\n\nOrders must not exceed the threshold.\n")
    assert run_check("vague_thresholds", md) == ["Orders must not exceed the threshold"]


def test_how_things_usually_are_and_what_helps_are_not_criteria(run_check: RunCheck) -> None:
    md = ("# Staking\n\n## Overview\n\nValidators typically enjoy substantial grant "
          "delegations.\n\nThe filter lets traders focus on assets that have experienced "
          "significant price movements.\n\nVote power scaling helps preserve the strong "
          "governance voice.\n\nThe buffer ensures that a significant price drop cannot "
          "make the batch undercollateralised.\n\nValidators must typically hold substantial "
          "stake.\n")
    assert run_check("vague_qualifiers", md) == [
        "Validators must typically hold substantial stake"
    ]


def test_a_notification_period_with_no_length_is_reported_beside_its_judgement(
    run_check: RunCheck,
) -> None:
    md = ("# Index\n\n## Changes\n\n- Changes documented and dated\n"
          "- Notification period before major changes\n"
          "- A notice period of 10 business days applies to minor changes.\n")
    assert run_check("vague_qualifiers", md) == ["Notification period", "before major changes"]


def test_scopes_oracle_supply_and_kinds_of_information_are_not_gaps(
    run_check: RunCheck,
) -> None:
    md = ("# Prices\n\n## Inputs\n\nOnly spot markets are considered.\n\nIf no trade qualifies, "
          "then all trades are considered.\n\nLiquidity is considered.\n\nUse cases include "
          "serving as a data source for on-chain price oracles.\n\nThe criteria use market "
          "activity that can be derived from exchange data.\n\nThe fee can be derived from the "
          "traded volume and the spread.\n")
    assert run_check("unspecified_method", md) == ["Liquidity is considered"]
    assert run_check("unidentified_dependencies", md) == []
    assert run_check("calculation_in_words", md, with_ir=True) == [
        "The fee can be derived from the traded volume and the spread."
    ]
