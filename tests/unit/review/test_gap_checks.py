"""Checks for what reviewers of real methodologies raise (sentences written for these tests)."""

# ruff: noqa: RUF001  (the multiplication and minus signs are part of the fixture formulas)
from __future__ import annotations

import pytest

from docsense.domain.findings import Category, Severity
from docsense.domain.policies import Check, CheckKind
from docsense.review.checks.base import CheckHit
from docsense.review.checks.registry import default_registry

from .conftest import RunCheck, context, undefined_variables


def _hits(name: str, markdown: str) -> list[CheckHit]:
    ctx = context(markdown, with_ir=True)
    return default_registry().run(ctx, Check(CheckKind.IR, {"check": name}))


def test_deferred_content_takes_the_category_of_what_is_deferred() -> None:
    md = ("# P\n\n## 1. Terms\n\nThe streaming fee and split will be agreed before launch.\n\n"
          "The weight calculation is to be finalised with the data team.\n\n"
          "Further details will be agreed with the partner.\n")
    categories = [h.category for h in _hits("deferred_content", md)]
    assert categories == [Category.UNDEFINED_PARAMETER, Category.INCOMPLETE_FORMULA,
                          Category.MISSING_GOVERNANCE]


def test_a_deferred_table_cell_is_named_by_its_row() -> None:
    md = ("# I\n\n| Feature | Other index | This index |\n|---|---|---|\n"
          "| Rebalancing | Quarterly | TBD |\n")
    assert [h.title for h in _hits("deferred_content", md)] == [
        "Left to be decided later: Rebalancing"
    ]


def test_an_authors_marker_for_unfinished_work_is_deferred_content() -> None:
    md = ("# I\n\n## Eligibility\n\n- [Liquidity] No restriction at this time. [WIP]\n"
          "- [Market cap] No restriction at this time. [WIP]\n\n## Methodology\n\n"
          "**TODO**\n\n## Oracles\n\nTODO: Decide how this is done and communicated.\n\n"
          "## Notes\n\nThe index is a work in progress.\n")
    ctx = context(md, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "deferred_content"}))
    assert [(h.subject, ctx.markdown[h.start : h.end]) for h in hits] == [
        ("eligibility", "[WIP]"), ("eligibility", "[WIP]"), ("methodology", "TODO"),
        ("oracles", "TODO"), ("the index", "The index is a work in progress"),
    ]
    # "todo" and "wip" in lower case are words, not markers
    assert _hits("deferred_content", "# I\n\nThe todo list of the wip team is long.\n") == []


def test_rules_that_settle_a_value_are_not_deferred(run_check: RunCheck) -> None:
    md = ("# P\n\nThe weights are determined in accordance with Section 2.\n\n"
          "If the closing price is not available, the last available price is used.\n")
    assert run_check("deferred_content", md, with_ir=True) == []


def test_caps_without_a_redistribution_rule() -> None:
    md = "# I\n\nEach constituent's weight is capped at 20% at each rebalance.\n"
    assert [h.subject for h in _hits("excess_weight_unspecified", md)] == ["excess weight"]
    redistributed = md + "\nExcess weight is redistributed pro rata to uncapped constituents.\n"
    assert _hits("excess_weight_unspecified", redistributed) == []


def test_a_market_method_with_no_disruption_rule_is_one_finding(run_check: RunCheck) -> None:
    md = ("# I\n\nThe index is rebalanced monthly using closing prices.\n\n"
          "Orders are executed on the exchange.\n")
    assert len(run_check("disruption_unspecified", md, with_ir=True)) == 1
    provided = md + "\nIf a market disruption occurs, the rebalance is postponed by one day.\n"
    assert run_check("disruption_unspecified", provided, with_ir=True) == []


def test_unowned_decisions_in_a_document_that_names_no_decision_maker() -> None:
    md = ("# I\n\nNew assets can be considered for inclusion after launch.\n\n"
          "The tokens being added are determined during the last week of the month.\n")
    hits = _hits("decision_owner_missing", md)
    assert len(hits) == 2
    assert {h.subject for h in hits} == {"decision owner"}
    owned = md + "\nAll changes are approved by the Index Committee.\n"
    assert _hits("decision_owner_missing", owned) == []
    scheduled = "# I\n\nOver the last hour the weights are changed every minute.\n"
    assert _hits("decision_owner_missing", scheduled) == []
    reviewed = "# I\n\nThe weights are reviewed every day.\n"
    assert len(_hits("decision_owner_missing", reviewed)) == 1


def test_a_changeable_methodology_needs_a_change_process(run_check: RunCheck) -> None:
    md = "# I\n\nMore categories may be added to the criteria in the future.\n"
    assert run_check("methodology_changes_ungoverned", md, with_ir=True) == [
        "More categories may be added to the criteria in the future."
    ]
    governed = "# I\n\n## Changes to the methodology\n\nChanges are put to a vote.\n\n" + md[4:]
    assert run_check("methodology_changes_ungoverned", governed, with_ir=True) == []
    # A governance part that only says the rules may change at any time gives no process.
    at_will = ("# I\n\n## 5. Governance\n\n"
               "The sponsor may amend this methodology at any time.\n")
    assert run_check("methodology_changes_ungoverned", at_will, with_ir=True) == [
        "The sponsor may amend this methodology at any time."
    ]


def test_market_data_rules_with_no_named_source() -> None:
    md = ("# I\n\nComponents must have a market capitalisation above $100m.\n\n"
          "Prices are taken from CoinGecko at 00:00 UTC.\n")
    hits = _hits("market_data_unsourced", md)
    assert [h.subject for h in hits] == ["market data sources"]
    ctx = context(md, with_ir=True)
    assert ctx.markdown[hits[0].start : hits[0].end].startswith("Components must have")


def test_a_method_defined_in_a_paper_or_by_its_code(run_check: RunCheck) -> None:
    md = ("# S\n\nThe quoting follows the model described in the classic paper by Avellaneda.\n\n"
          "The description below is a general approximation of this strategy.\n")
    assert len(run_check("unidentified_dependencies", md, with_ir=True)) == 2


def test_oracles_without_failure_handling(run_check: RunCheck) -> None:
    md = "# S\n\nCollateral is valued with Chainlink price oracles.\n"
    assert run_check("unidentified_dependencies", md, with_ir=True) == [
        "Collateral is valued with Chainlink price oracles."
    ]
    safe = md + "\nA feed older than one hour is stale and the rebalance is skipped.\n"
    assert run_check("unidentified_dependencies", safe, with_ir=True) == []


def test_a_listing_on_exchanges_is_not_a_trading_venue(run_check: RunCheck) -> None:
    md = ("# Grants\n\n- Getting DPI listed on exchanges\n\n"
          "The rebalance trades on exchanges using algorithms.\n")
    assert run_check("unidentified_dependencies", md, with_ir=True) == [
        "The rebalance trades on exchanges"
    ]


def test_oracles_as_a_kind_of_token_are_not_a_dependency(run_check: RunCheck) -> None:
    md = ("# I\n\nTop 25 infrastructure tokens including oracles, storage and compute.\n\n"
          "| Index | Sectors |\n|---|---|\n| DATA | Oracles, Storage, Indexing |\n\n"
          "Both lending markets use Chainlink oracles.\n")
    assert run_check("unidentified_dependencies", md, with_ir=True) == [
        "Both lending markets use Chainlink oracles."
    ]


def test_undefined_triggers_but_not_defined_events(run_check: RunCheck) -> None:
    md = "# S\n\nThe manager deleverages during Black Swan events.\n"
    assert run_check("undefined_trigger", md, with_ir=True) == [
        "The manager deleverages during Black Swan events."
    ]
    defined = "# S\n\nThe rebalance is postponed on a Market Disruption Event.\n"
    assert run_check("undefined_trigger", defined, with_ir=True) == []


def test_hedged_and_algorithm_decided_methods(run_check: RunCheck) -> None:
    md = ("Assets are chosen primarily based on their price to sales ratio.\n"
          "Routing is determined by an offchain algorithm.\n")
    assert len(run_check("unspecified_method", md)) == 2


def test_subjective_screens_are_ambiguous_and_measurable_ones_undefined() -> None:
    md = ("# I\n\nThe protocol must be recognised as having a high-quality product and team.\n\n"
          "The token must have sufficient liquidity for inclusion.\n")
    hits = _hits("vague_qualifiers", md)
    assert [h.category for h in hits] == [Category.AMBIGUOUS_METHODOLOGY,
                                         Category.UNDEFINED_PARAMETER]


def test_always_open_markets_need_no_exchange_calendar_for_day_counts(
    run_check: RunCheck,
) -> None:
    md = ("# Token index\n\nTokens on the Ethereum blockchain are eligible after 90 days of "
          "on-chain trading. Weights are announced on the first business day of the month.\n")
    assert run_check("calendar_unspecified", md, with_ir=True) == [
        "first business day of the month"
    ]


def test_vague_schedules_and_unzoned_times(run_check: RunCheck) -> None:
    md = ("Rebalancing is done on a weekly schedule. The index is rebalanced after the close "
          "of trading.\n")
    assert run_check("calendar_unspecified", md) == ["on a weekly schedule",
                                                     "after the close of trading"]


def test_blanks_left_in_a_draft_are_one_finding_with_every_place() -> None:
    md = ("# Index\n\n## 1. Fees\n\nThe index fee is [●] per annum, capped at XX% of the "
          "level.\n\nThe Start Date is [insert the Start Date].\n\n"
          "The minimum size is $X million.\n")
    hits = _hits("unfilled_placeholders", md)
    assert [md[h.start : h.end] for h in hits] == [
        "[●]", "XX%", "[insert the Start Date]", "$X million"
    ]
    assert {h.subject for h in hits} == {"blanks left to fill in"}
    assert hits[0].title == "Blank left to fill in: '[●]' (4 places)"
    assert {h.category for h in hits} == {Category.UNDEFINED_PARAMETER}


def test_variables_and_task_boxes_are_not_blanks(run_check: RunCheck) -> None:
    md = ("# Index\n\nThe cap is X% of the level, where X is set out in Table 1.\n\n"
          "- [X] Constituents reviewed\n- [ ] Weights published\n\n"
          "Part XX of the rules applies.\n")
    assert run_check("unfilled_placeholders", md, with_ir=True) == []


def test_a_link_with_no_target_is_an_unresolved_reference() -> None:
    md = ("# Spec\n\n## Documentation\n\n[Link to Documentation on feature]()\n\n"
          "See [the audit](#) and [the code](https://example.com/code).\n\n"
          "![diagram]()\n")
    hits = _hits("unresolved_references", md)
    assert [h.title for h in hits] == [
        "Referenced but not included: [the audit](#)",
        "Link with no target: 'Link to Documentation on feature'",
    ]
    assert {h.category for h in hits} == {Category.MISSING_REFERENCE}


def test_an_operand_described_in_words_needs_no_definition(run_check: RunCheck) -> None:
    md = ("# I\n\nWhere:\n- Divisor = the divisor set at the base date\n\n"
          "New Divisor = Old Divisor * (Sum of prices after split) / (Sum of prices before "
          "split)\n\nLevel = Divisor * Scale Factor\n")
    assert run_check("formula_undefined_variables", md, with_ir=True) == [
        "Level = Divisor * Scale Factor"
    ]


def test_a_configuration_table_defines_its_settings(run_check: RunCheck) -> None:
    md = ("# Hedge\n\n| Parameter | Type | Default | Prompt |\n|---|---|---|---|\n"
          "| `hedge_ratio` | decimal | 1 | Enter ratio of asset to hedge |\n"
          "| `min_trade_size` | decimal | 0 | Enter the minimum trade size |\n"
          "| `slippage` | decimal | 0.02 | Enter max slippage |\n\n"
          "amount_to_hedge = asset_amount * hedge_ratio\n\n"
          "The amount to hedge must be greater than the minimum trade size to be traded.\n")
    [hit] = _hits("formula_undefined_variables", md)
    assert hit.title == "Formula uses undefined variables: asset_amount"  # hedge_ratio is listed
    assert run_check("vague_thresholds", md, with_ir=True) == []


def test_a_calculation_in_words_is_one_finding_per_quantity() -> None:
    md = ("# Fund\n\n## 2. Valuation\n\nThe net asset value will be calculated based on the "
          "holdings and the prices at the last rebalance.\n\n"
          "The engine computes the hedge ratio from the recent fills and the book depth.\n\n"
          "The formulas used to calculate the hedge ratio are slightly different on weekends.\n")
    hits = _hits("calculation_in_words", md)
    assert [h.title for h in hits] == [
        "Calculation given only in words: The net asset value",
        "Calculation given only in words: the hedge ratio",
        "Calculation given only in words: the hedge ratio",
    ]
    assert {h.subject for h in hits} == {"net asset value", "hedge ratio"}
    assert all(h.category is Category.INCOMPLETE_FORMULA for h in hits)


def test_a_calculation_with_its_formula_or_its_operations_is_not_reported(
    run_check: RunCheck,
) -> None:
    spelt_out = ("# Fund\n\n## 2. Weights\n\nThe weight of each asset is calculated by dividing "
                 "its market value by the total market value.\n\n"
                 "The fee is calculated as two basis points of the notional.\n\n"
                 "The spread is calculated as described in Section 4.\n\n"
                 "The level is calculated as follows:\n")
    assert run_check("calculation_in_words", spelt_out, with_ir=True) == []
    with_formula = ("# Fund\n\n## 2. Level\n\nThe index level is calculated based on the "
                    "component prices.\n\nLevel_t = Level_{t-1} * (1 + R_t)\n\n"
                    "where R_t is the return of the basket on day t.\n")
    assert run_check("calculation_in_words", with_formula, with_ir=True) == []


def test_a_document_written_in_formulas_has_its_summaries_left_alone(
    run_check: RunCheck,
) -> None:
    formulas = "".join(f"\n\nX{i} = A{i} + B{i}\n\nwhere A{i} and B{i} are inputs."
                       for i in range(3))
    md = ("# Index\n\n## 1. Summary\n\nThe realized volatility is calculated based on the "
          f"recent prices.\n\n## 9. Formulas{formulas}\n")
    assert run_check("calculation_in_words", md, with_ir=True) == []
    assert run_check("calculation_in_words", md.split("## 9.")[0], with_ir=True) != []


def test_the_platform_named_earlier_in_the_sentence_is_identified(run_check: RunCheck) -> None:
    md = ("# P\n\n## Spec\n\nAn interface into Futureswap lets the fund earn fees on the "
          "platform.\n\nThe fund earns fees on the platform.\n\n"
          "The Index Sponsor earns fees on the platform.\n")
    assert run_check("unidentified_dependencies", md, with_ir=True) == [
        "The fund earns fees on the platform", "The Index Sponsor earns fees on the platform"
    ]


def test_nouns_that_only_qualify_another_are_not_dependencies_or_sources(
    run_check: RunCheck,
) -> None:
    md = ("# P\n\n## Spec\n\nThe setter can only be called by the system owner.\n\n"
          "There is a minimum of 1 liquidity token required per provider.\n\n"
          "This function needs to be restricted to the `owner`.\n")
    assert run_check("unidentified_dependencies", md, with_ir=True) == []
    assert run_check("unnamed_data_sources", md, with_ir=True) == []
    assert run_check("vague_thresholds", md, with_ir=True) == []
    assert run_check("unnamed_data_sources", "Prices come per the pricing provider.\n") != []


def test_the_products_own_revenue_is_not_market_data(run_check: RunCheck) -> None:
    md = ("# P\n\n## Fees\n\nRevenue from the annual streaming fee will be split with 60% to "
          "the methodologist.\n\nThe methodologist will select a revenue split of the menu.\n")
    assert run_check("market_data_unsourced", md, with_ir=True) == []
    screen = md + "\nTokens must have annual revenue above $10m.\n"
    assert run_check("market_data_unsourced", screen, with_ir=True) != []


def test_a_setting_in_one_clause_and_an_adjustment_in_the_next_are_no_decision() -> None:
    md = ("# S\n\n## Method\n\nIf users choose to set the `eta` parameter, order sizes will be "
          "adjusted to the inventory.\n")
    assert _hits("decision_owner_missing", md) == []
    unowned = md + "\nNew assets will be selected before each rebalance.\n"
    assert len(_hits("decision_owner_missing", unowned)) == 1


def test_what_a_model_solves_for_or_a_criterion_fixes_is_no_unowned_decision() -> None:
    md = ("# A\n\nLet p ∈ R_{>0}^{n} be the vector of all token prices to be determined.\n\n"
          "The token prices are chosen such that they match the traded amounts.\n\n"
          "Limits for tokens could be determined on the basis of the orders' limit prices.\n")
    assert _hits("decision_owner_missing", md) == []
    unowned = md + "\nNew tokens will be chosen before each auction.\n"
    assert len(_hits("decision_owner_missing", unowned)) == 1


def test_a_table_row_missing_values_the_other_rows_give() -> None:
    md = ("# P\n\n| Token | Exchange | Max trade | Cool-off |\n|---|---|---|---|\n"
          "| AAA | Uniswap | 1,000 AAA | 600 |\n| BBB | Sushi | 50 BBB | 900 |\n"
          "| CCC | Balancer | 80 CCC | 600 |\n| DDD | 0x12ab |\n")
    hits = _hits("table_row_incomplete", md)
    assert [h.title for h in hits] == ["Table row has no value: DDD (Max trade, Cool-off)"]
    assert hits[0].category is Category.UNDEFINED_PARAMETER
    assert md[hits[0].start : hits[0].end] == "| DDD | 0x12ab |"


def test_group_labels_totals_notes_descriptions_and_sparse_columns_are_not_gaps(
    run_check: RunCheck,
) -> None:
    md = ("# P\n\n| Setting | Type | Default | Notes |\n|---|---|---|---|\n"
          "| **Orders** | | | |\n| size | decimal | | see text |\n"
          "| spread | decimal | 1 | |\n| levels | int | | |\n| depth | | 2 | |\n"
          "| Total | | | |\n")  # "Type" holds descriptions (decimal, int), not values
    assert run_check("table_row_incomplete", md, with_ir=True) == []


def test_exchanges_the_document_lists_are_identified(run_check: RunCheck) -> None:
    rule = "A constituent is deleted within 24 hours after it is removed from the exchanges.\n"
    assert len(run_check("unidentified_dependencies", "# I\n\n" + rule, with_ir=True)) == 1
    table = ("# I\n\nThe recognized exchanges are as follows:\n\n| Exchange | URL |\n|---|---|\n"
             "| Binance | https://www.binance.com |\n| Kraken | https://www.kraken.com |\n\n")
    listed = ("# I\n\nThe recognized exchanges are as follows:\n\n- Binance\n- Kraken\n"
              "- Coinbase\n\n")
    assert run_check("unidentified_dependencies", table + rule, with_ir=True) == []
    assert run_check("unidentified_dependencies", listed + rule, with_ir=True) == []


def test_what_counts_as_what_is_no_unspecified_method(run_check: RunCheck) -> None:
    md = ("# I\n\nThe following events are considered significant changes in circumstance.\n\n"
          "A delay of one day is considered a breach.\n")
    assert run_check("unspecified_method", md, with_ir=True) == []
    vague = "# I\n\nLiquidity and volume are considered in the ranking.\n"
    assert len(run_check("unspecified_method", vague, with_ir=True)) == 1


def test_an_obligation_with_a_deadline_is_not_deferred(run_check: RunCheck) -> None:
    md = "# I\n\nThe added constituent must be decided within 24 hours of the proposal.\n"
    assert run_check("deferred_content", md, with_ir=True) == []
    later = "# I\n\nThe added constituent will be decided within the next month.\n"
    assert len(run_check("deferred_content", later, with_ir=True)) == 1


def test_a_limit_valued_elsewhere_under_its_noun_is_not_vague(run_check: RunCheck) -> None:
    rules = ("A token is removed once it reaches the minimum weight.\n\n"
             "A weight changes when more than the minimum delay period has passed.\n")
    assert len(run_check("vague_thresholds", "# P\n\n" + rules, with_ir=True)) == 2
    valued = ("# P\n\nEach pool has a minimum update delay, which by default is 30 minutes.\n\n"
              "The minimum balance and minimum weight (1/100) price new tokens.\n\n")
    assert run_check("vague_thresholds", valued + rules, with_ir=True) == []


def test_calculations_pointed_to_in_code_or_in_a_relative_clause_are_not_in_words(
    run_check: RunCheck,
) -> None:
    md = ("# P\n\n[Here](https://example.org/feed.js) is a reference implementation of a feed "
          "that calculates the TWAP of a token from pool prices.\n\n"
          "To move the price that collateralization is calculated with, an attacker must "
          "trade for hours.\n")
    assert run_check("calculation_in_words", md, with_ir=True) == []
    words = "# P\n\nThe TWAP of a token is calculated from pool prices.\n"
    assert len(run_check("calculation_in_words", words, with_ir=True)) == 1



def test_a_method_named_nothing_derived_and_table_residue_are_not_calculations_in_words(
    run_check: RunCheck,
) -> None:
    md = ("# Rates\n\n## 1. Calculation\n\nThe reference rates are calculated using a robust "
          "and resilient methodology that limits manipulation.\n\n"
          "The administrator derives no revenue from any venue it monitors.\n\n"
          "USD AR* .RATE is calculated from the closing prices of the components.\n\n"
          "Inputs are monitored to ensure levels are calculated as designed. Errors are "
          "corrected.\n")
    assert run_check("calculation_in_words", md, with_ir=True) == []
    words = "# Rates\n\n## 1. Calculation\n\nThe rate is calculated using the closing prices.\n"
    assert len(run_check("calculation_in_words", words, with_ir=True)) == 1


def test_security_considerations_discuss_risk(run_check: RunCheck) -> None:
    md = "# P\n\nThe token is leveraged and settles against crypto-asset prices.\n"
    assert run_check("risk_disclosure_missing", md, with_ir=True) != []
    considered = md + "\n## Security Considerations\n\nAn attacker could move the price.\n"
    assert run_check("risk_disclosure_missing", considered, with_ir=True) == []


def test_a_generic_disclaimer_does_not_disclose_the_risks_of_derivatives(
    run_check: RunCheck,
) -> None:
    hedged = ("# Hedged Index\n\n## 1. Hedge\n\nOn each Hedge Date a one-month EUR/USD forward "
              "is sold for the value of the Underlying.\n\n## 4. Disclosures\n\n"
              "Past performance is not a guide to future returns.\n")
    hits = _hits("risk_disclosure_missing", hedged)
    assert hits
    assert all(h.title == "No risk disclosure (derivatives)" for h in hits)
    quotes = run_check("risk_disclosure_missing", hedged, with_ir=True)
    assert "Past performance is not a guide to future returns." in quotes  # all that is said
    assert any("EUR/USD forward" in q for q in quotes)
    disclosed = hedged.replace(
        "Past performance", "The forward may lose value if rates move. Past performance"
    )
    assert run_check("risk_disclosure_missing", disclosed, with_ir=True) == []
    # Forward rates are a price, not a contract held; and an index of ordinary holdings
    # answers with the disclaimer alone.
    rates = ("# Index\n\nThe Index holds equities and tokens. Forward rates are observed "
             "daily.\n\n## 4. Disclosures\n\nPast performance is not a guide to future "
             "returns.\n")
    assert run_check("risk_disclosure_missing", rates, with_ir=True) == []


def test_the_required_minimum_points_at_the_minimum_the_document_sets(
    run_check: RunCheck,
) -> None:
    rule = "Trading resumes once the portfolio value rises above the required minimum.\n"
    assert len(run_check("vague_thresholds", "# M\n\n" + rule, with_ir=True)) == 1
    heading = "# M\n\n## Minimum funds\n\nThe minimum funds are twice the order amount.\n\n"
    assert run_check("vague_thresholds", heading + rule, with_ir=True) == []


def test_a_judgement_the_document_defines_by_a_list_is_not_vague(run_check: RunCheck) -> None:
    rule = "When a significant change occurs, the committee meets and decides.\n"
    assert len(run_check("vague_qualifiers", "# I\n\n" + rule, with_ir=True)) == 1
    listed = ("# I\n\nThe following events are considered significant changes in "
              "circumstance:\n\n- a price move above 50% in a day\n- a delisting\n\n")
    assert run_check("vague_qualifiers", listed + rule, with_ir=True) == []


def test_an_oracle_the_method_does_not_use_is_no_dependency(run_check: RunCheck) -> None:
    md = "# M\n\nThe module does not adjust rates using a DAI price oracle.\n"
    assert run_check("unidentified_dependencies", md, with_ir=True) == []
    used = "# M\n\nThe module adjusts rates using a DAI price oracle.\n"
    assert len(run_check("unidentified_dependencies", used, with_ir=True)) == 1


def test_an_initialism_whose_words_the_text_spells_out_is_defined() -> None:
    md = ("# R\n\nKeep a moving average price of the token.\n\n"
          "Lower Wall = MA * (1 - Spread)\n\nThe spread is 20%.\n")
    assert _hits("formula_undefined_variables", md) == []
    unexplained = md.replace("moving average price", "price")
    assert [h.subject for h in _hits("formula_undefined_variables", unexplained)] == ["ma"]


def test_a_limit_valued_in_the_next_sentence_or_named_just_before_is_stated(
    run_check: RunCheck,
) -> None:
    md = ("# I\n\nAssets are required to meet a minimum price requirement. An asset's median "
          "price over 30 days must exceed 0.0001 BTC.\n\n"
          "Surplus Buffer: interest to keep in the system. Any interest above this threshold "
          "is auctioned.\n")
    assert run_check("vague_thresholds", md, with_ir=True) == []
    alone = "# I\n\nAssets are required to meet a minimum price requirement.\n"
    assert len(run_check("vague_thresholds", alone, with_ir=True)) == 1


def test_a_formula_the_pdf_reordered_is_reported_as_an_unclear_parse() -> None:
    md = "# I\n\nIndex_{a,n} = Index 1 )_{a,(n-1)} * ( + r * t\n"
    titles = [h.title for h in _hits("formula_undefined_variables", md)]
    assert titles == ["Formula may use undefined variables (unclear parse): r, t"]
    stacked = "# I\n\nvolETH = 100 * s T_{1}\\sigma_{1}^{2}  T^{2} - T^{14}\n"
    titles = [h.title for h in _hits("formula_undefined_variables", stacked)]
    assert all(t.startswith("Formula may use undefined variables (unclear") for t in titles)
    assert titles


def test_pointers_verbs_and_plural_names_are_read_as_meant(run_check: RunCheck) -> None:
    pointer = ("# I\n\nFor information on the treatment of unexpected exchange closures, see "
               "the policy.\n\nFor more details on material changes, see the annex.\n\n"
               "Unexpected Exchange Closures For information on Unexpected Exchange Closures, "
               "please refer to the policies.\n")
    assert run_check("vague_qualifiers", pointer, with_ir=True) == []
    uses = "# I\n\nThe index leverages on-chain data to weight its constituents.\n"
    assert _hits("risk_disclosure_missing", uses) == []
    borrows = "# I\n\nThe index uses leverage of 2x to weight its constituents.\n"
    assert _hits("risk_disclosure_missing", borrows) != []
    policies = ("# I\n\nA fork is legitimate as defined in the CMBI Fork Legitimacy Policy.\n\n"
                "Exceptions are as set out in the CMBI Fork Legitimacy Policies.\n")
    subjects = {h.subject for h in _hits("external_documents", policies)}
    assert subjects == {"cmbi fork legitimacy policy"}


def test_parameters_left_to_configuration_without_a_value(run_check: RunCheck) -> None:
    md = ("# R\n\nKeep a moving average price over a configurable duration.\n\n"
          "The wall capacity is the reserves multiplied by a configured bid factor.\n\n"
          "Pre-built, automatically configured indexes are available.\n")
    hits = _hits("vague_thresholds", md)
    assert [h.title for h in hits] == [
        "Configurable value not given: 'configurable duration'",
        "Configurable value not given: 'configured bid factor'",
    ]
    assert {h.subject for h in hits} == {"configurable values"}
    valued = md + "\nThe bid factor is 10% and the duration is 30 days.\n"
    assert run_check("vague_thresholds", valued, with_ir=True) == []


def test_settings_named_in_code_without_a_value(run_check: RunCheck) -> None:
    md = ("# Batches\n\nThe size of each batch is configured by using the `UnitBatchSize` "
          "governance parameter.\n\nThe pools are initialised by the parameter `BasePool`.\n\n"
          "Each price is within the `MaxPriceAge` window.\n\n"
          "During every `SlashWindow`, validators must vote.\n\n"
          "Prices come from the market named by the `LiquidationMarketID` parameter.\n\n"
          "The minimum spread is given by the `minimum_spread` parameter.\n\n"
          "You can set the `QuoteRefreshTime` parameter.\n\n"
          "Orders are matched by `MatchOrders`.\n")
    hits = _hits("vague_thresholds", md)
    assert [h.title for h in hits] == [
        "Configurable value not given: `UnitBatchSize`",
        "Configurable value not given: `BasePool`",
        "Configurable value not given: `MaxPriceAge`",
        "Configurable value not given: `SlashWindow`",
    ]
    assert {h.subject for h in hits} == {"configurable values"}
    assert all(h.category is Category.UNDEFINED_PARAMETER for h in hits)
    valued = md + ("\n| Parameter | Value |\n|---|---|\n| UnitBatchSize | 1 block |\n\n"
                   "`BasePool` (250,000 SDR) and `MaxPriceAge` = 30s; `SlashWindow` is 432,000 "
                   "blocks.\n")
    assert run_check("vague_thresholds", valued, with_ir=True) == []


def test_a_setting_valued_in_the_next_sentence_owes_no_value() -> None:
    md = ("# TWAP\n\nRecords older than a configurable parameter `RecordHistoryKeepPeriod` "
          "are pruned. Currently, this parameter is set to 48 hours.\n")
    assert _hits("vague_thresholds", md) == []
    unvalued = md.replace("Currently, this parameter is set to 48 hours.", "It is tuned.")
    assert [h.title for h in _hits("vague_thresholds", unvalued)] == [
        "Configurable value not given: `RecordHistoryKeepPeriod`"
    ]


def test_an_argument_a_caller_passes_is_not_a_setting_owing_a_value() -> None:
    md = ("# Oracles\n\nEach `IPriceOracle` accepts an `inAmount` parameter. Some adapters "
          "adjust the quote depending on the `inAmount` parameter.\n\nThe factory takes a "
          "`desiredImplementation` parameter.\n\nThe size of each batch is configured by the "
          "`UnitBatchSize` parameter.\n")
    titles = [h.title for h in _hits("vague_thresholds", md)]
    assert titles == ["Configurable value not given: `UnitBatchSize`"]


def test_index_methodology_wording_that_sets_no_missing_value(run_check: RunCheck) -> None:
    md = (
        "# Index\n\nBelow are the requirements for inclusion in the index.\n\n"
        "Companies that produce UBTI are restricted from ownership.\n\n"
        "Each index is capped market capitalization weighted.\n\n"
        "A company is added if it is above the minimum market capitalization breakpoint "
        "defined in Section 6.\n\nThere are reasons why this maximum is enforced.\n"
    )
    assert run_check("vague_thresholds", md, with_ir=True) == []
    assert len(run_check("vague_thresholds", "# I\n\nEach index is capped.\n",
                         with_ir=True)) == 1


def test_judgement_words_in_list_lead_ins_verbs_and_abbreviations(run_check: RunCheck) -> None:
    md = (
        "# Index\n\nAcceptable forms of restructure are as follows:\n"
        "1\\. A shell entity.\n\n"
        "Rankings use breaks established during reconstitution.\n\n"
        "S&P Dow Jones Indices has established an Index Committee.\n"
    )
    assert run_check("vague_qualifiers", md, with_ir=True) == []
    us = "# Index\n\nA company that does not trade on a major U.S. exchange is not eligible.\n"
    titles = [h.title for h in _hits("vague_qualifiers", us)]
    assert titles == ["Data source named only by a judgement: 'major U.S.'"]


def test_a_short_us_time_zone_after_a_time_names_the_zone(run_check: RunCheck) -> None:
    md = "# VIX\n\nThe index is calculated from 8:30 a.m. to 3:15 p.m. CT.\n\nIt fixes at 3:00.\n"
    assert run_check("calendar_unspecified", md, with_ir=True) == []
    unzoned = "# VIX\n\nIt fixes at 3:00 p.m.\n"
    assert run_check("calendar_unspecified", unzoned, with_ir=True) != []


def test_one_dependency_whatever_the_preposition_before_it() -> None:
    md = ("# Monitoring\n\nWe rely on the risk model for bounds.\n\n"
          "Prices are projected by the risk model over the horizon.\n")
    subjects = {h.subject for h in _hits("unidentified_dependencies", md)}
    assert subjects == {"risk model"}


def test_operands_in_words_and_formulas_a_pdf_laid_out_in_pieces() -> None:
    words = ("# VIX\n\nT = M / Minutes in a year\n\nwhere M is the number of minutes left in "
             "the day.\n")
    assert _hits("formula_undefined_variables", words) == []
    pieces = "# VIX\n\nIndexER = IndexER  +_{-}_{1} 1\n"
    titles = [h.title for h in _hits("formula_undefined_variables", pieces)]
    assert all("unclear parse" in t for t in titles)


def test_a_lead_in_colon_before_a_numbered_line_ends_the_sentence() -> None:
    # PDFs print "... as follows:" and "1\. ..." in one paragraph.
    md = "# I\n\nAcceptable forms of\nrestructure are as follows:\n1\\. A shell entity.\n"
    texts = [u.text for u in context(md).body_units]
    assert texts == ["Acceptable forms of\nrestructure are as follows:", "1\\. A shell entity."]


def test_a_comparison_with_the_orders_own_target_price_is_set(run_check: RunCheck) -> None:
    md = "# Algo\n\nWhen the ask price is lower than the target price, issue an order.\n"
    assert run_check("vague_thresholds", md, with_ir=True) == []
    vague = "# Algo\n\nWhen the ask price is lower than the prevailing price, issue an order.\n"
    assert len(run_check("vague_thresholds", vague, with_ir=True)) == 1


def test_citations_verbs_conventions_and_aims_in_a_benchmark_methodology(
    run_check: RunCheck,
) -> None:
    md = (
        "# Index\n\nContributors follow the code referred to in Article 15 of the BMR.\n\n"
        "Breaches of the code referred to in Article 15 are reported.\n\n"
        "The administrator established a permanent oversight function.\n\n"
        "All prices are computed using USD as quote currency.\n\n"
        "The weights retain as much of the old network as possible.\n"
    )
    for check in ("unresolved_references", "vague_qualifiers", "calculation_in_words",
                  "discretionary_language"):
        assert run_check(check, md, with_ir=True) == [], check


def test_a_band_the_document_defines_and_a_cap_its_formula_gives_have_values(
    run_check: RunCheck,
) -> None:
    rules = ("Trading can take place only within the allowed trading band.\n\n"
             "The raw excess is capped before use.\n")
    assert len(run_check("vague_thresholds", "# P\n\n" + rules, with_ir=True)) == 2
    defined = ("# P\n\n## Allowed Trading Band\n\n$$UpperBand = Mark + 2 * Dev$$\n\n"
               "where Mark is the mark price and Dev is the standard deviation.\n\n")
    given = rules.replace("use.", "use:\n\n`excess = min(raw, room)`")
    assert run_check("vague_thresholds", defined + given, with_ir=True) == []
    named = ("# P\n\nThe rate is bounded between (Vmin, Vmax). No trade may happen outside "
             "this band.\n")
    assert run_check("vague_thresholds", named, with_ir=True) == []
    assert run_check("vague_thresholds", "# P\n\nThe rate is bounded.\n", with_ir=True) != []


def test_computed_as_a_role_is_no_calculation_but_as_an_operation_is(run_check: RunCheck) -> None:
    role = ("# Index\n\n## 2. Scope\n\nUS-only observations are computed as a supplementary "
            "breakdown and reported in the monthly review.\n")
    assert run_check("calculation_in_words", role, with_ir=True) == []
    operation = role.replace("a supplementary breakdown", "the average of the regional prices")
    assert len(run_check("calculation_in_words", operation, with_ir=True)) == 1


def test_a_change_log_and_an_adrs_context_state_no_rules(run_check: RunCheck) -> None:
    rule = "Large orders are sliced to limit significant market impact.\n"
    for heading in ("Change Log", "Revision history", "Context", "Rationale"):
        md = f"# ADR-7: Slicer\n\n## {heading}\n\n{rule}"
        assert run_check("vague_qualifiers", md, with_ir=True) == [], heading
    assert run_check("vague_qualifiers", f"# ADR-7: Slicer\n\n## Decision\n\n{rule}", with_ir=True)


def test_quoted_words_examples_and_assumptions_are_not_the_documents_criteria(
    run_check: RunCheck,
) -> None:
    md = ("# Bot\n\n## 1. Leverage\n\n"
          'If leverage is too low, the bot will hit "insufficient margin" errors.\n\n'
          "A value above 1.0 allows some overflow (e.g., during extreme volatility) before "
          "positions are reduced.\n\n"
          "Let's further assume that the order book does not have sufficient depth to fill "
          "the order.\n")
    assert run_check("vague_qualifiers", md, with_ir=True) == []
    rule = "# Bot\n\n## 1. Leverage\n\nThe account must hold sufficient margin for each order.\n"
    assert run_check("vague_qualifiers", rule, with_ir=True) != []


def test_a_judgement_phrase_a_section_is_headed_by_is_a_defined_class(run_check: RunCheck) -> None:
    md = ("# Change Policy\n\n## 2.3 Major Changes\n\nMajor changes alter the index level of "
          "any published index by more than one basis point.\n\n## 3. Notice\n\nAll major "
          "changes are announced.\n")
    assert run_check("vague_qualifiers", md, with_ir=True) == []
    unheaded = md.replace("## 2.3 Major Changes", "## 2.3 Classes")
    assert run_check("vague_qualifiers", unheaded, with_ir=True) != []


def test_a_digest_and_enough_for_a_payment_are_no_gaps(run_check: RunCheck) -> None:
    digest = ("# Audit\n\n## 3. Snapshots\n\nSHA-256 snapshot hashes are computed from the raw "
              "API response for each collection run.\n")
    assert run_check("calculation_in_words", digest, with_ir=True) == []
    rate = ("# Mining\n\n## 4. Hash rate\n\nThe implied hash rate is derived from the time "
            "taken for miners to produce blocks.\n")
    assert len(run_check("calculation_in_words", rate, with_ir=True)) == 1
    payment = ("# Closing\n\n## 2. Shorts\n\nA user closing shorts must have sufficient sUSD in "
               "their wallet to buy back the options.\n")
    assert run_check("vague_qualifiers", payment, with_ir=True) == []
    vague = payment.replace("in their wallet to buy back the options", "in their wallet")
    assert run_check("vague_qualifiers", vague, with_ir=True) != []


def test_a_frequency_given_as_a_period_contradicts_a_stated_frequency(
    run_check: RunCheck,
) -> None:
    md = ("# I\n\n## 1. Summary\n\nThe basket is rebalanced quarterly.\n\n"
          "## 4. Rebalancing\n\nThe basket is rebalanced at the close on the last trading day "
          "of each month.\n")
    assert run_check("contradictory_schedules", md) == [
        "The basket is rebalanced at the close on the last trading day of each month."
    ]
    agreeing = md.replace("quarterly", "monthly")
    assert run_check("contradictory_schedules", agreeing) == []
    twice = md.replace("of each month", "twice a year").replace("quarterly", "semi-annually")
    assert run_check("contradictory_schedules", twice) == []


def test_two_caps_on_the_same_weights_contradict(run_check: RunCheck) -> None:
    md = ("# I\n\nSingle stock weights are capped at 15% at each rebalance.\n\n"
          "At each rebalance, single stock weights are limited to 20%.\n")
    assert run_check("contradictory_values", md) == [
        "At each rebalance, single stock weights are limited to 20%."
    ]


def test_an_outside_party_known_only_by_its_trade_is_an_unidentified_dependency() -> None:
    md = ("# I\n\nThe ESG exclusion list is compiled by an external screening partner.\n\n"
          "Index prices come from an external data provider.\n")
    hits = _hits("unidentified_dependencies", md)
    # The data provider is a data source (unnamed_data_sources), not a second dependency.
    assert [h.subject for h in hits] == ["external screening partner"]
    named = md.replace("an external screening partner", "an external partner, Acme ESG Ltd")
    assert _hits("unidentified_dependencies", named) == []


def test_an_in_house_model_the_document_never_describes() -> None:
    md = ("# Orbis Quality Leaders Index\n\n## 2. Selection\n\nStocks are ranked using the "
          "Orbis Quality Score Model and the top 50 are selected.\n")
    hits = _hits("unidentified_dependencies", md)
    assert [h.title for h in hits] == [
        "Relies on an undescribed in-house model: Orbis Quality Score Model"
    ]
    assert hits[0].category is Category.EXTERNAL_DEPENDENCY
    described = md + ("\n## 3. The Orbis Quality Score Model\n\nIt averages the z-scores of "
                      "return on equity and leverage.\n")
    assert _hits("unidentified_dependencies", described) == []
    # A public model named after others is not the document's own.
    public = md.replace("Orbis Quality Score Model", "Fama French Model")
    assert _hits("unidentified_dependencies", public) == []


def test_a_vague_review_cadence_of_the_method_is_governance() -> None:
    md = ("# I\n\n## 5. Governance\n\nThe methodology is reviewed periodically.\n\n"
          "## 3. Data\n\nPrices are checked periodically.\n")
    categories = [h.category for h in _hits("vague_frequency", md)]
    assert categories == [Category.MISSING_GOVERNANCE, None]


def test_claims_of_no_risk_or_assured_returns(run_check: RunCheck) -> None:
    md = ("# F\n\n## 1. Aim\n\nThe fund is delta-hedged and bears no market risk.\n\n"
          "The overlay guarantees a stable income every year.\n\n"
          "## 2. Rules\n\nThe strategy does not guarantee a positive return.\n\n"
          "If the vault has no losses, fees are paid in full.\n\n"
          "The risk-free rate is the 3-month T-bill yield.\n")
    assert run_check("unbalanced_claims", md) == [
        "The fund is delta-hedged and bears no market risk.",
        "The overlay guarantees a stable income every year.",
    ]


def test_a_hurdle_with_no_value_is_a_threshold_without_its_value(run_check: RunCheck) -> None:
    md = "# S\n\nA trade is entered only if the expected carry exceeds the hurdle rate.\n"
    assert run_check("vague_thresholds", md) == ["the expected carry exceeds the hurdle rate"]
    valued = md.replace("the hurdle rate", "the hurdle rate of 4% a year")
    assert run_check("vague_thresholds", valued) == []


def test_a_number_in_the_next_sentence_about_something_else_sets_no_condition(
    run_check: RunCheck,
) -> None:
    unrelated = ("# S\n\nCollateral is topped up from the reserve as needed. Leverage never "
                 "exceeds 3 times equity.\n")
    assert run_check("discretionary_language", unrelated) == [
        "Collateral is topped up from the reserve as needed"
    ]
    related = ("# S\n\nWeights are subject to a cap, if necessary. The largest five are each "
               "capped at 7%.\n")
    assert run_check("discretionary_language", related) == []


def test_a_date_given_only_roughly(run_check: RunCheck) -> None:
    md = ("# S\n\nThe index follows NYSE trading days.\n\nPositions roll shortly before "
          "expiry, and weights are fixed a few days before the rebalance.\n")
    assert run_check("calendar_unspecified", md) == ["shortly before expiry",
                                                      "a few days before"]
    exact = md.replace("shortly before expiry", "five NYSE trading days before expiry")
    assert run_check("calendar_unspecified", exact) == ["a few days before"]


def test_the_condition_of_eligibility_is_a_criterion() -> None:
    md = ("# I\n\nA future is eligible if its three nearest contracts each have sufficient "
          "open interest.\n")
    hits = _hits("vague_qualifiers", md)
    assert [h.title for h in hits] == ["'sufficient open' is not quantified"]
    # A number after the judgement still gives its measure.
    measured = md.replace("open interest", "open interest in 2 of the last 3 months")
    assert _hits("vague_qualifiers", measured) == []
    # Outside a criterion, a number in the clause still counts: "rebuilt in 2021 with a few
    # significant changes" is a description.
    described = "# I\n\nThe protocol was rebuilt in 2021 with a few significant changes.\n"
    assert _hits("vague_qualifiers", described) == []


def test_a_condition_that_turns_on_a_judged_degree() -> None:
    md = ("# S\n\nWeights are reset quarterly. An extra rebalance is run if weights drift "
          "materially. Exposure is halved when realised volatility is too high.\n")
    hits = _hits("vague_qualifiers", md)
    assert [(h.title, h.category) for h in hits] == [
        ("Condition turns on a judgement: 'drift materially'", Category.AMBIGUOUS_METHODOLOGY),
        ("Condition turns on a judgement: 'is too high'", Category.UNDEFINED_PARAMETER),
    ]
    # A value for the degree, in the clause or a gloss, answers it.
    valued = md.replace("drift materially", "drift materially (by more than 2 points)").replace(
        "is too high", "is too high, that is above 25% a year")
    assert _hits("vague_qualifiers", valued) == []
    # A risk described, not a rule: what may happen if markets move sharply.
    risk = "# S\n\nIf markets move sharply, the strategy may lose money.\n"
    assert _hits("vague_qualifiers", risk) == []
    # A level reached by a movement and judged ("drops too low") is a level without its
    # value, as "is too high" is.
    fallen = ("# C\n\nThe collateral ratio of each position is monitored. When it drops too "
              "low the collateral is seized.\n")
    assert [(h.title, h.category) for h in _hits("vague_qualifiers", fallen)] == [
        ("Condition turns on a judgement: 'drops too low'", Category.UNDEFINED_PARAMETER),
    ]
    assert _hits("vague_qualifiers", fallen.replace("too low", "below 150%")) == []


def test_a_judged_condition_in_a_description_is_no_rule() -> None:
    described = ("# F\n\n## 1. Funding\n\nWhen the price is too high, longs pay shorts, "
                 "pushing the price down. A curve is applied, allowing faster convergence when "
                 "prices deviate significantly.\n")
    assert _hits("vague_qualifiers", described) == []
    ruled = "# F\n\n## 1. Funding\n\nIf the price deviates significantly, trading is halted.\n"
    assert [h.subject for h in _hits("vague_qualifiers", ruled)] == ["deviates significantly"]


def test_a_clock_time_followed_by_its_centre_has_its_zone(run_check: RunCheck) -> None:
    md = ("# I\n\nFX rates are WM/Reuters 16:00 London rates; prices are taken at the 4:00 p.m. "
          "New York close. Levels are published by 18:30.\n")
    # The centre qualifies its own time only: 18:30 still has no zone.
    assert run_check("calendar_unspecified", md) == ["18:30"]


def test_the_close_of_listed_securities_is_their_own_markets(run_check: RunCheck) -> None:
    listed = ("# I\n\nThe index holds REITs listed in the United States and Japan. Changes "
              "take effect after the close on the third Friday of March.\n")
    assert run_check("calendar_unspecified", listed) == []
    # Crypto-assets never close: "the close" is a moment the document must set.
    crypto = ("# I\n\nThe index holds crypto tokens listed on Coinbase: bitcoin, ethereum and "
              "other blockchain tokens. Changes take effect after the close on the third Friday "
              "of March.\n")
    assert "after the close" in run_check("calendar_unspecified", crypto)


def test_business_days_of_named_financial_centres_are_a_calendar(run_check: RunCheck) -> None:
    md = ("# I\n\nIndex Business Day: a day on which banks are open in both London and New York."
          " The roll is on the last Index Business Day of each month.\n")
    assert run_check("calendar_unspecified", md) == []
    unnamed = md.replace("banks are open in both London and New York", "banks are open")
    assert run_check("calendar_unspecified", unnamed) != []


def test_excess_weight_redistributed_without_saying_how(run_check: RunCheck) -> None:
    md = ("# I\n\nWeights are capped at 10%. Excess weight is redistributed to the remaining "
          "constituents.\n")
    assert run_check("excess_weight_unspecified", md) == [
        "Excess weight is redistributed to the remaining constituents"
    ]
    shared = md.replace("constituents.", "constituents in proportion to their weights.")
    assert run_check("excess_weight_unspecified", shared) == []


def test_long_and_listed_legend_lines_define_their_symbols() -> None:
    md = ("# I\n\n## 4. Calculation\n\nR_t = [w1 × P1_t + w2 × P2_t] / [w1 × P1_s + w2 × P2_s] "
          "− 1 + V_i,t\n\nwhere:\n"
          "w1, w2 = the weights of the two contracts set on the last roll date\n"
          "P1_t, P2_t = prices on day t of the contracts designated C1 and C2 on day t−1\n"
          "P1_s, P2_s = prices of the same contracts on the previous index business day\n"
          "V_i,t = forward rate on day t for the value date of the forward entered on the roll"
          " date, interpolated linearly in calendar days between the spot rate and the "
          "one-month outright rate observed on day t\n")
    assert undefined_variables(md) == []
    unlisted = md.replace("w1, w2 = the weights of the two contracts set on the last roll "
                          "date\n", "")
    assert undefined_variables(unlisted) == ["w1, w2"]


def test_a_words_label_after_a_scripts_comma_is_part_of_the_symbol() -> None:
    md = ("# I\n\nTC = 0.0002 × Σ_i (|w_i,old| + |w_i,new|)\n\nwhere w_i is the weight of "
          "currency i.\n")
    assert undefined_variables(md) == []


def test_hours_cut_offs_and_counts_in_words(run_check: RunCheck) -> None:
    md = ("# I\n\nRates are observed at the 4pm fixing. Deposits received after the daily "
          "cut-off are invested the next morning. Futures are rolled five days before expiry.\n")
    assert run_check("calendar_unspecified", md) == ["4pm", "the daily cut-off", "five days"]
    zoned = md.replace("4pm fixing.", "4pm fixing (all times CET).")
    assert run_check("calendar_unspecified", zoned) == ["five days"]


def test_the_usual_sources_and_someones_judgement() -> None:
    md = ("# I\n\nDividend data are taken from the usual market sources. Stale fixings may be "
          "replaced at the calculation agent's judgement. The hedge is adjusted if drift "
          "becomes significant.\n")
    titles = {h.title for name in ("unnamed_data_sources", "discretionary_language",
                                   "vague_qualifiers") for h in _hits(name, md)}
    assert titles >= {"Data source not identified", "Decisions left to discretion",
                      "Condition turns on a judgement: 'becomes significant'"}


def test_reports_statements_and_protocols_relied_on_are_external_documents() -> None:
    md = ("# I\n\nWeights are taken from the Annual Trade Weights Report. Exposure is reviewed "
          "against the firm's Risk Appetite Statement. Disruptions follow the Metals Disruption "
          "Protocol.\n")
    assert [h.title for h in _hits("external_documents", md)] == [
        "Depends on an external document: Annual Trade Weights Report",
        "Depends on an external document: Risk Appetite Statement",
        "Depends on an external document: Metals Disruption Protocol",
    ]


def test_an_outside_party_in_the_possessive_is_still_unidentified() -> None:
    md = ("# I\n\nA company is eligible if its revenue share, as assessed by the Sponsor's "
          "external infrastructure consultant, is above 50%.\n")
    assert [h.title for h in _hits("unidentified_dependencies", md)] == [
        "External dependency not identified"
    ]
    named = md.replace("external infrastructure consultant", "external consultant Arup")
    assert _hits("unidentified_dependencies", named) == []


def test_a_count_that_does_not_match_its_list(run_check: RunCheck) -> None:
    md = ("# I\n\nThe index measures the dollar against a basket of eight currencies: EUR, JPY, "
          "GBP, CAD, CNY, MXN and KRW.\n")
    assert run_check("miscounted_lists", md) == [
        "eight currencies: EUR, JPY, GBP, CAD, CNY, MXN and KRW"
    ]
    assert run_check("miscounted_lists", md.replace("eight", "seven")) == []
    # Examples and what follows the list are not its items.
    other = ("# I\n\nIt holds two metals: gold and silver, plus cash. It uses three sources: "
             "exchanges such as CME, Eurex and ICE, and brokers.\n")
    assert run_check("miscounted_lists", other) == []
    # A comma inside a bracket separates no items: five pairs, not ten numbers.
    pairs = ("# I\n\nA sweep ran across five EMA pair configurations: (10,30), (15,45), "
             "(20,50), (25,55), and (30,70).\n")
    assert run_check("miscounted_lists", pairs) == []
    assert run_check("miscounted_lists", pairs.replace("five", "four")) != []


def test_a_currency_pair_and_its_quote_unit_in_a_legend() -> None:
    md = ("# I\n\nH_t = HR × (F_h / S_t - 1)\n\nwhere:\nHR = hedge ratio of the index\n"
          "F_h = the forward rate at the last hedge date\n"
          "S_t = EUR/USD spot rate (USD per EUR) on day t\n")
    assert undefined_variables(md) == []


def test_a_markets_own_fields_and_standard_indicators_need_no_definition() -> None:
    md = ("# S\n\n## Signals\n\n%K = (Close - Low14) / (High14 - Low14)\n\n"
          "Z = (Price - Rolling Mean) / Rolling Std Dev\n\n"
          "TR = Maximum(H - L, H - PDC)\n\nStop = Entry - 2 * ATR_14\n")
    # Only what is not a bar's field, a statistic by name or an indicator with its window.
    assert undefined_variables(md) == ["PDC", "Entry"]
    # A level of the order book is not the bid: which book, which depth, is open.
    assert undefined_variables("# S\n\nSpread = (Ask0 - Bid0) / Mid\n") == ["Ask0, Bid0"]
    # A letter alone is a field only beside another of the bar's initials.
    assert undefined_variables("# S\n\nValue = C * Haircut\n") == ["C, Haircut"]


def test_symbols_tabulated_in_maths_and_displays_in_escaped_brackets() -> None:
    # A symbol table whose cells are inline maths ("\\(W\\)", as Markdown escapes "\(W\)")
    # defines each symbol; a display in escaped brackets is maths, and a spaced control
    # space between single letters ("i_t \ p_t") is a product, not a name "t p".
    md = ("# Perps\n\n## Symbols\n\n| Symbol | Description |\n| --- | --- |\n"
          "| \\\\(W\\\\) | Proportional skew |\n| \\\\(i\\\\) | Funding rate |\n"
          "| \\\\(p\\\\) | Spot price |\n| \\\\(t\\\\) | Time of an update |\n\n"
          "## Funding\n\n"
          "\\\\[F(t_{k+1}) - F(t_k) \\ = \\ i_{t_k} \\ p_{t_k} \\ W\\\\]\n")
    assert undefined_variables(md) == []
    untabled = md.replace("| \\\\(p\\\\) | Spot price |\n", "")
    assert undefined_variables(untabled) == ["p_t_k"]


def test_a_symbol_we_define_and_a_sentence_that_goes_on_after_a_formula() -> None:
    md = ("# Bands\n\nWe define A (the concentration of liquidity) so that:\n\n"
          "$$ p_{d} = \\frac{A - 1}{A} p_{u} $$\n\nwhere p_{d} and p_{u} are the band's lower "
          "and upper prices.\n")
    assert undefined_variables(md) == []
    assert undefined_variables(md.replace("We define A (the concentration of liquidity) "
                                          "so that", "It holds that")) == ["A"]
    # The formula ends where the sentence goes on in words.
    prose = ("# Peg\n\nIn the limit, p = q / s, and all the pair<>token swaps happen at that "
             "price, where q is the oracle price and s the peg.\n")
    assert undefined_variables(prose) == []


def test_a_value_conflicts_with_the_clause_about_the_same_quantity() -> None:
    md = ("# I\n\nSingle issuer weights are capped at 10%, and the country weights are capped at "
          "40%."
          "\n\nCountry weights are limited to 35% in stressed markets.\n")
    [hit] = _hits("contradictory_values", md)
    # Paired with the country cap of its clause, not the issuer cap earlier in the sentence.
    assert "'capped at 40%'" in hit.description


def test_a_summary_restating_a_sentence_is_not_a_contradiction(run_check: RunCheck) -> None:
    sentence = ("The transaction costs for each constituent range from 0.01% to 0.05%, and the "
                "servicing costs for each other constituent range from 0.1% to 0.8% per annum.")
    md = f"# I\n\n## 3. Costs\n\n{sentence}\n\n## Annex A: Summary\n\n{sentence}\n"
    assert run_check("contradictory_values", md) == []


def test_a_schedule_of_other_products_does_not_contradict_this_one(run_check: RunCheck) -> None:
    md = ("# I\n\nThe index is rebalanced quarterly.\n\n"
          "This is the process for other funds with monthly rebalancing schedules.\n")
    assert run_check("contradictory_schedules", md) == []


def test_a_linked_document_is_a_family_apart_from_a_named_one() -> None:
    md = ("# I\n\nThe weights are set as described in the [Weighting Guide]"
          "(https://example.org/guide.pdf).\n")
    assert [h.title for h in _hits("external_documents", md)] == [
        "Depends on a linked document: Weighting Guide"
    ]


def test_a_document_linked_or_listed_as_a_companion_weighs_less_than_one_only_named() -> None:
    named = ("# I\n\n## Corrections\n\nErrors are handled as described in the Correction "
             "Policy{link}.\n")
    [hit] = _hits("external_documents", named.format(link=""))
    assert hit.severity is None  # the policy's (high): known only by its name
    [hit] = _hits("external_documents",
                  named.format(link=" available at https://example.org/corrections.pdf"))
    assert hit.title == "Depends on an external document: Correction Policy"
    assert hit.severity is Severity.MEDIUM
    assert "linked" in hit.description
    listed = named.format(link="") + (
        "\n## Supporting Documents\n\nThis methodology is to be read with the Correction\n"
        "Policy.\n"
    )
    assert {h.severity for h in _hits("external_documents", listed)} == {Severity.MEDIUM}
    [linked] = _hits("external_documents", "# I\n\nThe weights are set as described in the "
                     "[Weighting Guide](https://example.org/guide.pdf).\n")
    assert linked.severity is Severity.MEDIUM


def test_exposure_above_the_capital_is_leverage_that_needs_a_disclosure() -> None:
    md = ("# S\n\n## 1. Overview\n\nThe strategy holds government bond positions. Gross "
          "exposure may reach 3x strategy capital.\n")
    [hit] = {h.title: h for h in _hits("risk_disclosure_missing", md)}.values()
    assert hit.title == "No risk disclosure (leverage)"
    for fully_invested in ("100% of NAV", "1x strategy capital"):
        md_ = md.replace("3x strategy capital", fully_invested)
        assert _hits("risk_disclosure_missing", md_) == []
    disclosed = md + "\n## 6. Risks\n\nLeverage amplifies losses.\n"
    assert _hits("risk_disclosure_missing", disclosed) == []


def test_a_strategy_offered_to_clients_owes_them_a_disclosure() -> None:
    md = ("# S\n\n## 1. Overview\n\nThe strategy trades Euro-Bund futures. It is offered to "
          "professional clients through managed accounts.\n")
    quotes = [md[h.start:h.end] for h in _hits("risk_disclosure_missing", md)]
    assert "It is offered to professional clients through managed accounts." in quotes


def test_a_manager_free_to_change_the_parameters_is_an_ungoverned_change() -> None:
    md = ("# S\n\n## 2. Signal\n\nThe strategy buys when the signal exceeds 2.\n\n"
          "## 5. Oversight\n\nThe portfolio manager may adjust any parameter when market "
          "conditions warrant.\n")
    assert [h.subject for h in _hits("methodology_changes_ungoverned", md)] == [
        "methodology changes"
    ]
    position = md.replace("may adjust any parameter", "may adjust its position")
    assert _hits("methodology_changes_ungoverned", position) == []
    approved = md.replace("warrant.", "warrant, with the approval of the risk committee.")
    assert _hits("methodology_changes_ungoverned", approved) == []


def test_a_market_code_before_business_day_names_the_calendar(run_check: RunCheck) -> None:
    md = ("# Grains\n\n## Rebalancing\n\nOn the first {market}business day of each month the "
          "crops are ranked and weighted.\n")
    assert run_check("calendar_unspecified", md.format(market="CBOT ")) == []
    assert run_check("calendar_unspecified", md.format(market="")) == [
        "first business day of each month"
    ]


def test_data_said_to_come_from_a_supplier_described_by_its_kind(run_check: RunCheck) -> None:
    md = ("# Loans\n\n## Pricing\n\nBid prices come from {source}. Weights are rebalanced "
          "monthly.\n")
    assert run_check("unnamed_data_sources", md.format(source="a loan pricing service")) == [
        "Bid prices come from a loan pricing service"
    ]
    named = md.format(source="the LSTA loan pricing service")
    assert run_check("unnamed_data_sources", named) == []
    assert run_check("unnamed_data_sources", md.format(source="the same service")) == []


def test_a_case_treated_only_in_a_manner_is_a_method_not_specified(run_check: RunCheck) -> None:
    md = "# Scores\n\n## Missing data\n\nCompanies without articles are handled {how}.\n"
    assert run_check("unspecified_method", md.format(how="appropriately")) == [
        "Companies without articles are handled appropriately"
    ]
    assert run_check("unspecified_method", md.format(how="by giving them a score of zero")) == []
    assert run_check("unspecified_method", md.format(how="appropriately, as follows")) == []


def test_using_its_judgement_is_discretion(run_check: RunCheck) -> None:
    md = ("# Grains\n\n## Weighting\n\nWhen anomalies are close, the Administrator {verb} "
          "to order them.\n")
    assert run_check("discretionary_language", md.format(verb="may use its judgement")) == [
        "the Administrator may use its judgement"
    ]
    assert run_check("discretionary_language", md.format(verb="uses the lower VA_c")) == []


def test_a_number_in_the_rule_that_follows_a_limit_is_not_its_value(run_check: RunCheck) -> None:
    md = ("# Signal\n\n## Positions\n\nIf the signal is above the entry threshold{value} the "
          "strategy holds -1 unit.\n")
    assert run_check("vague_thresholds", md.format(value="")) == [
        "If the signal is above the entry threshold"
    ]
    assert run_check("vague_thresholds", md.format(value=" of 1.5")) == []


def test_a_limit_shown_in_a_table_points_to_its_value(run_check: RunCheck) -> None:
    md = "# Bonds\n\n## Weighting\n\nIssuer weights are capped{where}.\n"
    assert run_check("vague_thresholds", md.format(where=" as shown in Table 2")) == []
    assert run_check("vague_thresholds", md.format(where="")) != []


def test_months_listed_for_an_action_say_how_often_it_happens(run_check: RunCheck) -> None:
    md = ("# I\n\n## 1. Overview\n\nIt is a net total return index, rebalanced monthly.\n\n"
          "## 5. Rebalancing\n\nRebalancing takes effect after the close on the third Friday "
          "of March, June, September and December.\n")
    assert run_check("contradictory_schedules", md) == [
        "Rebalancing takes effect after the close on the third Friday of March, June, "
        "September and December."
    ]
    quarterly = md.replace("monthly", "quarterly")
    assert run_check("contradictory_schedules", quarterly) == []


def test_a_cap_of_a_value_bounds_the_quantity_it_caps(run_check: RunCheck) -> None:
    md = ("# I\n\nConstituent weights are capped at 10%.\n\n"
          "Each constituent weight has a cap of 15%.\n")
    assert run_check("contradictory_values", md) == ["Each constituent weight has a cap of 15%."]
    assert run_check("contradictory_values", md.replace("15%", "10%")) == []


def test_schedules_of_many_products_or_named_indices_do_not_contradict(
    run_check: RunCheck,
) -> None:
    one = ("# I\n\nThe index is rebalanced quarterly.\n\n"
           "Later, the index is rebalanced monthly.\n")
    assert run_check("contradictory_schedules", one) == ["Later, the index is rebalanced monthly."]
    # A rulebook of several indices gives each schedule in several places.
    many = ("# I\n\n## 1. Index A\n\nIndex A is rebalanced quarterly.\n\n"
            "## 2. Index B\n\nIndex B is rebalanced monthly.\n\n"
            "## 3. Index C\n\nIndex C is rebalanced quarterly.\n\n"
            "## 4. Index D\n\nIndex D is rebalanced monthly.\n")
    assert run_check("contradictory_schedules", many) == []
    three = one + "\nA third is rebalanced annually.\n"
    assert run_check("contradictory_schedules", three) == []
    # "Daily Rebalanced" in a name is no schedule of this index.
    named = ("# I\n\nThe index is rebalanced annually in January.\n\n"
             "It is compared with the S&P GSCI Select Fixed Weight Daily Rebalanced ER.\n")
    assert run_check("contradictory_schedules", named) == []


def test_three_values_of_one_quantity_are_the_cases_of_a_rulebook(run_check: RunCheck) -> None:
    two = ("# I\n\n## 1. Index A\n\nStock weights are capped at 10%.\n\n"
           "## 2. Index B\n\nStock weights are capped at 25%.\n")
    assert run_check("contradictory_values", two) == ["Stock weights are capped at 25%."]
    three = two + "\n## 3. Index C\n\nStock weights are capped at 33%.\n"
    assert run_check("contradictory_values", three) == []


def test_markets_in_a_state_nobody_measures_trigger_part_of_the_method() -> None:
    md = ("# S\n\n## 3. Quoting\n\nSpreads are widened in volatile markets.\n\n"
          "## 4. Overlay\n\nFull exposure is restored when market conditions normalise.\n\n"
          "## 5. Governance\n\nThe committee may override positions in unusual markets.\n")
    hits = _hits("undefined_trigger", md)
    assert [(h.title, h.category) for h in hits] == [
        ("Trigger not defined: 'in volatile markets'", Category.AMBIGUOUS_METHODOLOGY),
        ("Trigger not defined: 'when market conditions normalise'",
         Category.AMBIGUOUS_METHODOLOGY),
        # a trigger that frees someone to set the method aside: who oversees it is the gap
        ("Trigger not defined: 'in unusual markets'", Category.MISSING_GOVERNANCE),
    ]
    # How well it works in such markets is a judgement, not a rule.
    claim = "# S\n\nThis approach is particularly effective in volatile markets.\n"
    assert _hits("undefined_trigger", claim) == []


def test_a_choice_or_test_left_to_a_person_is_discretion(run_check: RunCheck) -> None:
    md = ("# S\n\n## 4. Contracts\n\nEach market trades its most liquid contract, as chosen by "
          "the execution desk.\n\n## 5. Pricing\n\nNew issues enter the Index if the Committee "
          "considers them representative of the market.\n")
    assert run_check("discretionary_language", md) == [
        "as chosen by the execution desk",
        "New issues enter the Index if the Committee considers them representative of the "
        "market",
    ]
    # chosen by a rule, or by anyone: no one's discretion
    rule = "# S\n\nThe contract is the one with the highest open interest, as chosen by rank.\n"
    assert run_check("discretionary_language", rule) == []


def test_a_statistic_estimated_over_no_window_is_an_incomplete_formula() -> None:
    md = ("# S\n\n## 2. Weights\n\nw_i = (1/σ_i) / Σ_j (1/σ_j)\n\n"
          "where σ_i is the realised volatility of commodity i.\n")
    hits = _hits("statistic_without_window", md)
    assert [(h.title, h.category) for h in hits] == [
        ("Estimate has no observation window: volatility", Category.INCOMPLETE_FORMULA)
    ]
    assert "σ_i is the realised volatility" in md[hits[0].start : hits[0].end]
    operands = "# S\n\n## 3. Signal\n\nSignal_t = (Spread_t − Mean) / StDev\n"
    assert [h.subject for h in _hits("statistic_without_window", operands)] == [
        "window of the mean and standard deviation"
    ]
    computed = "# S\n\nVolatility is computed from prices supplied by the index provider.\n"
    assert len(_hits("statistic_without_window", computed)) == 1


def test_a_statistic_with_its_window_stated_anywhere_is_complete(run_check: RunCheck) -> None:
    md = ("# S\n\n## 2. Weights\n\nw_i = (1/σ_i) / Σ_j (1/σ_j)\n\n"
          "where σ_i is the realised volatility of commodity i.\n\n"
          "## 3. Data\n\nVolatility is measured over the last 60 trading days.\n")
    assert run_check("statistic_without_window", md, with_ir=True) == []
    lookback = "# S\n\nwhere σ_i is the standard deviation of daily returns over the lookback.\n"
    assert run_check("statistic_without_window", lookback, with_ir=True) == []
    named = ("# S\n\nTR is the 10% annual volatility target.\n\n"
             "The mean interval is the arithmetic mean of these time differences.\n\n"
             "Rate = clamp(Average Premium + Spread)\n")
    assert run_check("statistic_without_window", named, with_ir=True) == []


def test_amounts_converted_at_rates_nobody_names() -> None:
    md = ("# I\n\n## 3. Weighting\n\nLocal prices are converted to EUR using closing exchange "
          "rates.\n\nRevenue is taken from FactSet; non-USD revenue is converted to USD.\n")
    hits = _hits("fx_rates_unsourced", md)
    assert [md[h.start : h.end] for h in hits] == ["converted to EUR", "converted to USD"]
    assert {(h.subject, h.category) for h in hits} == {
        ("exchange rate source", Category.DATA_SOURCE_UNSPECIFIED)
    }


def test_rates_named_anywhere_or_tokens_swapped_need_no_source(run_check: RunCheck) -> None:
    fixing = ("# I\n\nPrices are converted to EUR.\n\n"
              "Exchange rates are the WM/Reuters 16:00 London closing spot rates.\n")
    assert run_check("fx_rates_unsourced", fixing, with_ir=True) == []
    vendor = "# I\n\nPrices are converted to EUR.\n\nFX rates are sourced from Bloomberg.\n"
    assert run_check("fx_rates_unsourced", vendor, with_ir=True) == []
    defined = ("# I\n\nUSDC pairs are converted to USD using the applicable USDC/USD "
               "Reference Rate.\n")
    assert run_check("fx_rates_unsourced", defined, with_ir=True) == []
    tokens = ("# I\n\nUnused ETH may be converted into LSD tokens.\n\n"
              "The payout is converted to ETH.\n")
    assert run_check("fx_rates_unsourced", tokens, with_ir=True) == []


def test_smaller_or_larger_than_a_limit_with_no_value() -> None:
    md = "# S\n\n## 2. Trading\n\nTrades smaller than the trading threshold are not traded.\n"
    assert [h.title for h in _hits("vague_thresholds", md)] == ["Threshold or limit has no value"]
    valued = md + "\nThe trading threshold is 0.5% of NAV.\n"
    assert _hits("vague_thresholds", valued) == []


def test_constituent_changes_are_the_reconstitution_in_words() -> None:
    md = ("# I\n\n## 4. Reconstitution\n\nThe Index is reconstituted quarterly.\n\n"
          "## 5. Changes\n\nConstituent changes are made only once a year, in December.\n")
    assert [h.subject for h in _hits("contradictory_schedules", md)] == [
        "reconstitution frequency"
    ]
    agreeing = md.replace("only once a year, in December", "each quarter")
    assert _hits("contradictory_schedules", agreeing) == []


def test_a_model_or_file_of_a_desk_or_outside_party_is_a_dependency() -> None:
    sentences = [
        "The spans are taken from the Research Team's current parameter file.",
        "HedgeCost is supplied by the desk's basket pricing model.",
        "Sentiment scores come from a third-party language model.",
    ]
    for sentence in sentences:
        hits = _hits("unidentified_dependencies", f"# S\n\n## 2. Data\n\n{sentence}\n")
        assert [h.category for h in hits] == [Category.EXTERNAL_DEPENDENCY], sentence
    own = ("# S\n\n## 2. Allocation\n\nEquity allocation is determined by an asset allocation "
           "model which compares the current P/E with its 7-year average.\n")
    assert _hits("unidentified_dependencies", own) == []


def test_a_house_party_known_by_its_trade_that_sets_an_input_is_a_dependency() -> None:
    for sentence in ("Meeting dates are taken from the calendar maintained by the economics "
                     "team.", "Growing seasons are as set each year by the Index's agronomy "
                     "adviser."):
        hits = _hits("unidentified_dependencies", f"# S\n\n## 2. Data\n\n{sentence}\n")
        assert [h.category for h in hits] == [Category.EXTERNAL_DEPENDENCY], sentence
    chosen = "# S\n\n## 4. Contracts\n\nThe contract is as chosen by the execution desk.\n"
    assert _hits("unidentified_dependencies", chosen) == []


def test_a_floor_and_a_cap_on_one_quantity_are_a_range(run_check: RunCheck) -> None:
    floor = "# I\n\n## 1. Orders\n\nOrder size must be at least 5% of daily volume.\n\n"
    md = floor + "## 2. Limits\n\nOrder size must not exceed 20% of daily volume.\n"
    assert run_check("contradictory_values", md) == []
    # A floor above the cap cannot hold with it.
    assert run_check("contradictory_values", md.replace("at least 5%", "at least 25%")) == [
        "Order size must not exceed 20% of daily volume."
    ]


def test_amounts_in_a_currency_code_compare_at_their_scale(run_check: RunCheck) -> None:
    md = ("# E\n\n## 1. Size\n\nNet inventory per ETF must be at least EUR 50,000.\n\n"
          "## 2. Limits\n\nNet inventory per ETF may not exceed EUR 2 million.\n")
    assert run_check("contradictory_values", md) == []  # 50,000 is under 2,000,000
    two_caps = md.replace("must be at least EUR 50,000", "may not exceed EUR 3 million")
    assert run_check("contradictory_values", two_caps) == [
        "Net inventory per ETF may not exceed EUR 2 million."
    ]


def test_a_range_in_a_currency_code_reads_both_values(run_check: RunCheck) -> None:
    md = ("# E\n\n## 1. Size\n\nNet inventory per ETF must be between EUR 1 million and "
          "EUR 2 million.\n\n## 2. Limits\n\nNet inventory per ETF must be between EUR 1 million "
          "and EUR 3 million.\n")
    assert run_check("contradictory_values", md) == [
        "Net inventory per ETF must be between EUR 1 million and EUR 3 million."
    ]
    same = md.replace("EUR 3 million", "EUR 2 million")
    assert run_check("contradictory_values", same) == []


def test_windows_in_minutes_and_hours_are_quantities(run_check: RunCheck) -> None:
    md = ("# R\n\n## 1. Window\n\nThe calculation window is at most 20 minutes.\n\n"
          "## 2. Outliers\n\nThe calculation window is at most 30 minutes.\n")
    assert run_check("contradictory_values", md) == [
        "The calculation window is at most 30 minutes."
    ]
    hours = md.replace("20 minutes", "2 hours").replace("30 minutes", "3 hours")
    assert run_check("contradictory_values", hours) == [
        "The calculation window is at most 3 hours."
    ]


def test_the_minimum_between_two_quantities_is_the_function_min(run_check: RunCheck) -> None:
    md = ("# Score\n\nThe liquidity score is the sum of the minimum between the bid score and "
          "the ask score.\n")
    assert run_check("vague_thresholds", md) == []
    floor = md.replace("the sum of the minimum between the bid score and the ask score",
                       "accepted only with a minimum bid score")
    assert run_check("vague_thresholds", floor) != []


def test_a_worked_calculation_whose_result_is_wrong(run_check: RunCheck) -> None:
    md = ("# Breakpoints\n\nR1 = $1.2 billion and R2 = $1.8 billion. Market-adjusted breakpoint "
          "= $1.8B * 1.0205 = $1.804\n\nThe cap is `600% * (5% - 3%) = 12%`.\n")
    assert run_check("arithmetic_errors", md) == ["$1.8B * 1.0205 = $1.804"]
    assert run_check("arithmetic_errors", md.replace("$1.804", "$1.837")) == []


@pytest.mark.parametrize(
    "calculation",
    [
        "The debt falls to `10 - 2.5 = 7.5 USD`.",
        "Each share receives 700 / 1,000 = 0.7 coins.",
        "p' = (1000 + 9000) / (0.15 + 3) = 10000 / 3.15 \u2248 3174.60",
        "The other side: 10% - 11% = -1% is negative.",
        "Total: 50% \u00d7 3 = 150 and 2 x 3 = 6.",
        # Operands shown rounded: the result was worked from their unrounded values.
        "Then 0.018495 \u2013 0.00003203 = 0.01846292 is the variance.",
        "The increment is 1/2^13 \u2248 0.0122%.",
        "1\\. 89.99 \u2013 2.5 = 87.49 2\\. 89.99 + 2.5 = 92.49",
    ],
)
def test_calculations_that_compute_are_not_reported(run_check: RunCheck,
                                                    calculation: str) -> None:
    assert run_check("arithmetic_errors", f"# Example\n\n{calculation}\n") == []


@pytest.mark.parametrize(
    "text",
    [
        # A base date and value, not a division.
        "| Russell 2000 | 12/31/78 = 100.00 | 12/31/78 |",
        # Part of a longer calculation with a symbol in it: not all written out.
        "F = 1960 + e^{(0.000286 x 0.0882686)} x (27.30 - 24.90) = 1962.40006",
        "New Supply = 15m \u00d7 0.0002 \u00d7 (2 + 1) / (1 + 1) = 4,500 OHM",
        # A legend or a conversion, no operation: "0.9 = 95%" is not read.
        "Score: 1 = 25%, 2 = 50%.",
        # Ranges and comparisons.
        "Weights of 5-10 = typical; if 2 * 3 <= 7 then stop, and 2 * 3 == 7 is false.",
    ],
)
def test_what_is_not_a_calculation_written_in_numbers(run_check: RunCheck, text: str) -> None:
    assert run_check("arithmetic_errors", f"# Example\n\n{text}\n") == []


def test_a_wrong_result_is_reported_with_what_the_numbers_give() -> None:
    from docsense.review.checks.arithmetic import evaluate

    assert evaluate("600% * (5% - 3%)") == pytest.approx(0.12)
    assert evaluate("2 ^ 3 ^ 2") == 512
    assert evaluate("(1 + 2") is None
    assert evaluate("1 / (2 - 2)") is None
    md = "# Example\n\nThe fee is 2.5% \u00d7 4 = 12%.\n"
    ctx = context(md)
    hits = list(default_registry().run(ctx, Check(CheckKind.IR, {"check": "arithmetic_errors"})))
    assert [h.title for h in hits] == [
        "Calculation does not give its stated result: 2.5% \u00d7 4 = 12%"
    ]
    assert "gives 10%, not 12%" in hits[0].description


def test_the_arithmetic_module_examples_run() -> None:
    import doctest

    from docsense.review.checks import arithmetic

    assert doctest.testmod(arithmetic).failed == 0


def test_leveraged_in_the_passive_means_used() -> None:
    used = ("# Routing\n\nNew venues need a fair chance to be leveraged for volume, so the "
            "router splits each order.\n")
    assert _hits("risk_disclosure_missing", used) == []
    verb = "# Router\n\nA new contract will leverage shared intermediate accounts.\n"
    assert _hits("risk_disclosure_missing", verb) == []
    assert _hits("risk_disclosure_missing", "# Fund\n\nThe fund may leverage up to 2x.\n") != []
    borrowed = "# Fund\n\nThe portfolio is leveraged up to twice its capital.\n"
    assert _hits("risk_disclosure_missing", borrowed) != []


def test_a_setting_that_describes_the_limit_it_holds(run_check: RunCheck) -> None:
    md = ("# Parameters\n\n#### `max_slippage_pct`\n\n- **Description**: Maximum acceptable "
          "slippage percentage\n- **Range**: 0.0 - 1.0\n")
    assert run_check("vague_qualifiers", md, with_ir=True) == []
    prose = "# Execution\n\n## Orders\n\nOrders fill within the maximum acceptable slippage.\n"
    assert run_check("vague_qualifiers", prose, with_ir=True) != []


def test_a_limit_named_by_a_term_after_it_or_described_for_other_systems() -> None:
    named = (
        "# Loans\n\nOnce the collateral ratio of a loan reaches a certain threshold, the "
        "Liquidation Ratio, the system liquidates the loan.\n\nBorrowers can borrow more "
        "within the limits of the MCR whenever they wish.\n"
    )
    assert _hits("vague_thresholds", named) == []
    unnamed = named.replace(", the Liquidation Ratio,", "").replace(" of the MCR", "")
    assert len(_hits("vague_thresholds", unnamed)) == 2
    background = (
        "# Rates\n\nProtocols like AAVE take a different direction, offering a stable rate if "
        "the market conditions remain within a certain threshold.\n\nIn current lending pools, "
        "governance can set supply caps. In addition, by ensuring that the size of the market "
        "stays below a certain threshold, supply caps protect lenders.\n"
    )
    assert _hits("vague_thresholds", background) == []
    # The same sentences about this method are its rules.
    ours = background.replace("Protocols like AAVE take", "The protocol takes").replace(
        "In current lending pools, governance", "Governance"
    )
    assert len(_hits("vague_thresholds", ours)) == 2
    # "Some exchanges ..." without "in" is a rule about the method's own sources.
    sources = background.replace(
        "Protocols like AAVE take a different direction, offering",
        "Some exchanges are excluded, offering",
    )
    assert len(_hits("vague_thresholds", sources)) == 1
    # A sentence that sets the method against the others is about the method.
    contrast = background.replace("In addition, by", "We, however, limit loans by")
    assert len(_hits("vague_thresholds", contrast)) == 1
