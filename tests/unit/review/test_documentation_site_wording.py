"""Checks on wording read in protocol documentation and index methodologies (2026-12-05, third
session).

Documentation sites explain a rule and then list what it does ("So:"), and warn integrators
about what will change. Each test pairs the benign wording with the wording a careful
reviewer still raises (sentences written for these tests).
"""

from __future__ import annotations

from docsense.domain.policies import Check, CheckKind
from docsense.review.checks.registry import default_registry

from .conftest import check_quotes, context

_quotes = check_quotes


def test_a_subject_word_after_a_modal_is_a_verb_not_a_decision() -> None:
    verb = ("# Integration notes\n\n## Contracts\n\n- If using the Router, note that its "
            "address will change as new logic is added.\n")
    noun = ("# Integration notes\n\n## Contracts\n\n- Any changes to the Router are added "
            "as new logic is written.\n")
    assert _quotes("decision_owner_missing", verb) == []
    assert _quotes("decision_owner_missing", noun) == [
        "Any changes to the Router are added as new logic is written."
    ]


def test_items_under_a_consequence_lead_in_restate_the_rule_above() -> None:
    rule = ("# Pool\n\n## Rebalancing\n\nA rebalance moves the pool to the edge of the allowed "
            "band, not to the middle. So:\n\n- The rebalance size is limited: the pool does not "
            "jump from very imbalanced to perfectly balanced in one step.\n")
    bare = ("# Pool\n\n## Rebalancing\n\nA rebalance moves the pool. Also:\n\n- The "
            "rebalance size is limited.\n")
    assert _quotes("vague_thresholds", rule) == []
    assert _quotes("vague_thresholds", bare) == ["The rebalance size is limited"]
    # an aim lead-in can list requirements: their limits are still judged
    required = ("# Charter\n\n## Oversight\n\nThe Committee ensures that constituents:\n\n"
                "- Remain listed on the exchange\n- Meet minimum liquidity standards\n")
    assert _quotes("vague_thresholds", required) == ["Meet minimum liquidity standards"]


def test_a_judgement_in_what_can_happen_is_a_description_not_a_rule() -> None:
    risk = ("# Liquidations\n\n## Design\n\nLiquidating at an extreme temporary price can "
            "create bad debt for the protocol.\n")
    rule = ("# Liquidations\n\n## Design\n\nPositions are liquidated at an extreme temporary "
            "price.\n")
    assert _quotes("vague_qualifiers", risk) == []
    assert _quotes("vague_qualifiers", rule) != []


def test_discretion_that_something_overrides_is_not_granted() -> None:
    limited = ("# Charter\n\n## Authority\n\nRegulatory requirements supersede discretionary "
               "decisions. Regulatory directives take precedence over Committee discretion.\n")
    granted = ("# Charter\n\n## Authority\n\nThe Committee may make discretionary decisions "
               "on constituents.\n")
    assert _quotes("discretionary_language", limited) == []
    assert _quotes("discretionary_language", granted) != []


def test_a_judgement_glossed_with_its_value_in_brackets_is_quantified() -> None:
    glossed = ("# Policy\n\n## Restatement\n\nErrors that do not have a significant impact on "
               "the stated index (i.e., do not impact the level by more than 0.5%) will not be "
               "restated.\n")
    bare = ("# Policy\n\n## Restatement\n\nErrors that do not have a significant impact on "
            "the stated index will not be restated.\n")
    assert _quotes("vague_qualifiers", glossed) == []
    assert _quotes("vague_qualifiers", bare) == ["Errors that do not have a significant impact"]


def test_limits_the_user_sets_by_named_settings_are_not_left_unvalued() -> None:
    md = ("# Keeper\n\n## Bands\n\nOrders stay within the set band(s) (i.e. between the "
          "`<minMargin,maxMargin>` range from the price). Orders that leave the band fall "
          "outside all bands. Orders stay open while their amount is within the "
          "`<minAmount,maxAmount>` range. If it is above the maximum, orders are cancelled. "
          "Gas usage can be limited by setting the ranges wide. The gas per transaction is "
          "limited by `--gas-maximum`.\n")
    unset = ("# Keeper\n\n## Bands\n\nOrders stay open while their amount is within the "
             "range. If it is above the maximum, orders are cancelled. The gas per "
             "transaction is limited.\n")
    assert _quotes("vague_thresholds", md) == []
    assert _quotes("vague_thresholds", unset) == ["If it is above the maximum",
                                                  "The gas per transaction is limited"]


def test_a_need_stated_by_the_state_to_keep_is_no_open_condition() -> None:
    kept = ("# Keeper\n\n## Reloading\n\nOn a change it reloads the file and cancels orders "
            "as necessary to maintain the updated bands.\n")
    open_ = ("# Keeper\n\n## Reloading\n\nOn a change it reloads the file and cancels orders "
             "as necessary.\n")
    assert _quotes("discretionary_language", kept) == []
    assert _quotes("discretionary_language", open_) != []


def test_a_numbered_part_of_another_named_document_is_that_documents_dependency() -> None:
    md = ("# Volatility Index\n\n## Supporting Documents\n\nThis Methodology should be read "
          "with the following document:\n\n#### Index Mathematics Methodology\n\n"
          "## Calculation\n\nSelect the terms by the rules found in section 1(a) Bracket "
          "Method of the Index Mathematics Methodology. A summary is in section 4(b) Index "
          "Cannot be Calculated of the Index Mathematics Methodology. Rates follow section "
          "2(a) of the Index Mathematics Methodology.\n")
    assert _quotes("unresolved_references", md) == []
    ctx = context(md, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "external_documents"}))
    assert {h.subject for h in hits} == {"index mathematics methodology"}
    assert len(hits) == 3
    internal = "# Volatility Index\n\n## Calculation\n\nSelect the terms as in section 1(a).\n"
    assert _quotes("unresolved_references", internal) == ["section 1(a)"]


def test_a_legend_line_whose_separator_a_pdf_lost_defines_its_symbol() -> None:
    sigma, times = "\u03c3", "\u00d7"
    formulas = (f"# Volatility Index\n\n## Calculation\n\nT = M_{{Time to Expiry}} / 525600\n\n"
                f"VIX = {sigma} {times} 100\n\n")
    legend = ("where:\n\nM_{Time to Expiry} Number of minutes from the time of calculation "
              f"until expiration\n{sigma} Volatility of the near-term options\n")
    assert _quotes("formula_undefined_variables", formulas + legend) == []
    # a symbol the legend leaves out is still undefined
    partial = "where:\n\nM_{Time to Expiry} Number of minutes until expiration\n"
    assert _quotes("formula_undefined_variables", formulas + partial) == [
        f"VIX = {sigma} {times} 100"
    ]


def test_observed_quotes_compared_with_each_other_are_no_unvalued_limit() -> None:
    quotes = ("# Volatility Index\n\n## Option selection\n\nAn option is excluded when "
              "its bid price is higher than the ask price.\n")
    limit = ("# Volatility Index\n\n## Option selection\n\nAn option is excluded when "
             "its bid price is higher than the reference price.\n")
    assert _quotes("vague_thresholds", quotes) == []
    assert _quotes("vague_thresholds", limit) == [
        "its bid price is higher than the reference price"
    ]


def test_an_order_compared_with_the_current_price_compares_with_an_observed_price() -> None:
    def doc(compared: str) -> str:
        return ("# Grid strategy\n\n## Orders\n\nAn order is excluded when its price is "
                f"lower than the {compared}.\n")

    assert _quotes("vague_thresholds", doc("current price")) == []
    assert _quotes("vague_thresholds", doc("latest price")) == []
    assert _quotes("vague_thresholds", doc("reference price")) == [
        "its price is lower than the reference price"
    ]


def test_a_long_heading_resolves_the_whole_slug_github_gives_it() -> None:
    heading = ("11 - The manager can make loans liquidatable by changing the batch interest "
               "rate fast")
    slug = "11---the-manager-can-make-loans-liquidatable-by-changing-the-batch-interest-rate-fast"
    assert len(slug) > 80
    doc = (f"# Protocol\n\n## Contents\n\n- [{heading}](#{slug})\n- [Old part](#old-part)\n\n"
           f"## Known issues\n\n### {heading}\n\nText.\n")
    assert _quotes("unresolved_references", doc) == ["[Old part](#old-part)"]


def test_a_known_issues_section_is_analysis_not_rules() -> None:
    doc = ("# Protocol\n\n## {part}\n\nOur estimate of the average rate will be lower than the "
           "ideal average, and a significant portion of the debt stays unassigned.\n")
    assert _quotes("vague_thresholds", doc.format(part="Known issues and mitigations")) == []
    assert _quotes("vague_thresholds", doc.format(part="Interest")) == [
        "Our estimate of the average rate will be lower than the ideal average"
    ]


def test_what_may_happen_in_volatile_periods_is_no_trigger() -> None:
    outcome = ("# Protocol\n\n## Redemptions\n\nRedemptions may sometimes be unprofitable "
               "during volatile periods.\n")
    rule = ("# Protocol\n\n## Redemptions\n\nThe operator may pause redemptions during "
            "volatile periods.\n")
    assert _quotes("undefined_trigger", outcome) == []
    assert _quotes("undefined_trigger", rule) == [
        "The operator may pause redemptions during volatile periods."
    ]


def test_a_comparison_in_what_could_happen_is_no_rule() -> None:
    outcome = ("# Protocol\n\n## Redemptions\n\nThe amount redeemed may be less than asked, "
               "and redeemers could pay a higher than needed redemption rate.\n")
    rule = ("# Protocol\n\n## Redemptions\n\nRedeemers pay a higher than needed redemption "
            "rate.\n")
    assert _quotes("vague_thresholds", outcome) == []
    assert _quotes("vague_thresholds", rule) != []


def test_a_bound_named_by_a_quantity_is_given() -> None:
    named = ("# Protocol\n\n## Debt\n\nThe unredeemable debt of a branch is bounded by the "
             "total redistributed debt.\n")
    limit = ("# Protocol\n\n## Debt\n\nThe unredeemable debt of a branch is bounded by the "
             "maximum.\n")
    assert _quotes("vague_thresholds", named) == []
    assert _quotes("vague_thresholds", limit) != []


def test_is_considered_with_a_quoted_class_classifies() -> None:
    classified = ("# Protocol\n\n## Rates\n\nThe update is considered \u201cpremature\u201d if "
                  "the rate changed recently.\n")
    weighed = "# Protocol\n\n## Rates\n\nThe recent rate is considered.\n"
    assert _quotes("unspecified_method", classified) == []
    assert _quotes("unspecified_method", weighed) != []


def test_a_judgement_that_names_a_quantity_in_code_is_that_quantity() -> None:
    doc = ("# Protocol\n\n## Oracles\n\nIf the feed fails, the branch uses the last good price "
           "seen by the system.{code}\n")
    assert _quotes("vague_qualifiers", doc.format(code=" It is kept as `lastGoodPrice`.")) == []
    assert _quotes("vague_qualifiers", doc.format(code="")) != []


def test_an_event_documented_by_when_it_fires_is_no_decision() -> None:
    event = ("# Auction house\n\n## Events\n\n- `ModifyParameters` - emitted when a parameter "
             "is modified\n")
    decision = "# Auction house\n\n## Parameters\n\n- A parameter is modified each week.\n"
    assert _quotes("decision_owner_missing", event) == []
    assert _quotes("decision_owner_missing", decision) == ["A parameter is modified each week."]


def test_items_after_an_example_label_are_the_example() -> None:
    doc = ("# Liquidations\n\n## Price\n\n1. **Formula:** the price is computed from the "
           "margin.\n2. **{label}:**\n\n- Suppose a trader deposits $1,000.\n- If the price "
           "rises to $3,174.60, the position will reach the liquidation threshold.\n")
    assert _quotes("vague_thresholds", doc.format(label="Example")) == []
    assert _quotes("vague_thresholds", doc.format(label="Rule")) == [
        "the position will reach the liquidation threshold"
    ]


def test_a_stop_placed_against_the_market_price_names_its_price() -> None:
    market = ("# Orders\n\n## Stops\n\nFor a long position, a trader places a stop above the "
              "current market price.\n")
    unnamed = ("# Orders\n\n## Stops\n\nFor a long position, a trader places a stop above the "
               "reference level.\n")
    assert _quotes("vague_thresholds", market) == []
    assert _quotes("vague_thresholds", unnamed) != []


def test_prices_sourced_by_name_elsewhere_are_not_unsourced() -> None:
    doc = ("# Oracle prices\n\nOracle prices are aggregated prices that provide up-to-date "
           "price data for each asset.\n\n## How they are set\n\n1. Each validator runs a "
           "sidecar that pulls prices from {source}.\n")
    named = doc.format(source="external exchanges, such as Binance, Bitstamp and Coinbase")
    unnamed = doc.format(source="external exchanges")
    assert _quotes("unnamed_data_sources", named) == []
    assert _quotes("unnamed_data_sources", unnamed) != []


def test_a_warning_in_plain_words_is_a_risk_disclosure() -> None:
    doc = ("# Trading with leverage\n\n!!! Danger \"{warning}\"\n    Check the stoploss of your "
           "strategy.\n\n## Modes\n\nThe bot trades futures with leverage.\n")
    assert _quotes("risk_disclosure_missing", doc.format(
        warning="Trading with leverage is very risky")) == []
    assert _quotes("risk_disclosure_missing", doc.format(warning="Read this first")) != []


def test_an_entry_of_a_table_of_contents_is_no_rule() -> None:
    doc = ("# Volatility Index Methodology\n\n- Contracts Used ............................ 4\n"
           "- {entry}\n\n## Contracts Used\n\nThe near and next terms are used.\n")
    assert _quotes("unnamed_data_sources", doc.format(
        entry="Market Data .................................................. 4")) == []
    assert _quotes("unnamed_data_sources", doc.format(entry="Market Data is used.")) != []


def test_data_in_a_described_consequence_is_not_data_used() -> None:
    doc = ("# Exchange prices\n\n## Filter\n\nA single low-volume trade can offset the price "
           "estimation, {rest} misaligned price data.\n")
    assert _quotes("unnamed_data_sources", doc.format(rest="leading to a chain reaction of")) == []
    assert _quotes("unnamed_data_sources", doc.format(rest="so the filter uses")) != []


def test_considered_and_added_counts_an_item_in() -> None:
    counted = ("# Supply\n\n## Ethereum\n\nEach block reward is 3.0 ETH. Additionally, uncle "
               "block rewards are considered and added to the circulating supply.\n")
    weighed = ("# Supply\n\n## Ethereum\n\nEach block reward is 3.0 ETH. Additionally, uncle "
               "block rewards are considered.\n")
    assert _quotes("unspecified_method", counted) == []
    assert _quotes("unspecified_method", weighed) != []


def test_a_question_the_document_leaves_open_is_deferred() -> None:
    doc = ("# Aave leverage module\n\n## Specification\n\nThe module rebalances each day.\n\n"
           "## {heading}\n\n- [ ] What admin functions can break our implementation?\n\n"
           "    - {answer}\n")
    open_ = doc.format(heading="Open Questions", answer="*Answer*")
    answered = doc.format(heading="Open Questions", answer="None: the pool has no admin keys.")
    assert _quotes("deferred_content", open_) == [
        "[ ] What admin functions can break our implementation?"
    ]
    assert _quotes("deferred_content", answered) == []
    faq = ("# Pool\n\n## FAQ\n\n- Can the admin pause the pool?\n\n    - Yes, for a day.\n")
    assert _quotes("deferred_content", faq) == []


def test_the_venue_the_method_trades_on_is_a_named_source() -> None:
    doc = "# Bot\n\n## Fair value\n\nWe consume the market data {where} as a starting point.\n"
    assert _quotes("unnamed_data_sources", doc.format(
        where="from the exchange we are sending orders into")) == []
    assert _quotes("unnamed_data_sources", doc.format(where="from the best exchange")) != []


def test_a_general_definition_of_a_kind_names_no_source() -> None:
    general = ("# Oracles\n\n## Overview\n\nOracles are smart contract interfaces that bring "
               "data from an external source into a smart contract.\n")
    method = ("# Oracles\n\n## Overview\n\nOur oracle brings data from an external source "
              "into the contract.\n")
    assert _quotes("unnamed_data_sources", general) == []
    assert _quotes("unnamed_data_sources", method) != []


def test_future_enhancements_are_no_rules() -> None:
    doc = ("# Vault\n\n## {heading}\n\n- Implement automated rebalancing triggers based on "
           "market conditions\n")
    assert _quotes("unspecified_method", doc.format(heading="Future Enhancements")) == []
    assert _quotes("unspecified_method", doc.format(heading="Rebalancing")) != []


def test_a_frequency_in_an_explanation_is_no_schedule() -> None:
    doc = ("# Adapter\n\n## Snapshot\n\nA minimum delay is configured. {sentence}\n")
    assert _quotes("vague_frequency", doc.format(
        sentence="This is required because the ratio is periodically updated late.")) == []
    assert _quotes("vague_frequency", doc.format(
        sentence="The snapshot ratio is periodically updated by the manager.")) != []


def test_a_schedule_a_setting_holds_is_no_missing_frequency() -> None:
    doc = ("# Bot\n\n## Running\n\n{sentence}\n\n## Settings\n\n| Name | Description |\n"
           "|---|---|\n| `process_throttle_secs` | How often should Edge run, in seconds. |\n")
    assert _quotes("vague_frequency", doc.format(sentence="Edge will run periodically.")) == []
    assert _quotes("vague_frequency", doc.format(
        sentence="Validators periodically vote on rates, the protocol tallying the votes once "
        "per `VotePeriod`.")) == []
    # A setting that times something else leaves the schedule open.
    assert _quotes("vague_frequency", doc.format(
        sentence="The weights are rebalanced periodically.")) != []


def test_the_address_of_a_named_document_joins_its_finding() -> None:
    doc = ("# Strategy\n\n## Index\n\nThe index is calculated as set out in the S&P GSCI "
           "Index Methodology.\n\n## Weights\n\nEach commodity is weighted by its world production "
           "over the last five years, and the weights are reset each January on the fifth "
           "business day by the sponsor, who publishes them.\n\n## Sources\n\nThe full "
           "methodology can be found at "
           "http://example.com/documents/methodologies/{file}.pdf.\n")
    same = _quotes("external_documents", doc.format(file="methodology-sp-gsci"))
    other = _quotes("external_documents", doc.format(file="methodology-dj-commodity"))
    ctx = context(doc.format(file="methodology-sp-gsci"), with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "external_documents"}))
    assert len(same) == 2
    assert len({h.subject for h in hits}) == 1
    ctx = context(doc.format(file="methodology-dj-commodity"), with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "external_documents"}))
    assert len(other) == 2
    assert len({h.subject for h in hits}) == 2


def test_the_same_summary_notice_under_two_parts_is_one_finding() -> None:
    notice = ("This methodology summary should be read in conjunction with, and is qualified "
              "in its entirety by, the full rules, which are available on request.")
    doc = f"# Index\n\n## Part A\n\n{notice}\n\n## Part B\n\n{notice}\n"
    ctx = context(doc, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "summarised_elsewhere"}))
    assert len(hits) == 2
    assert len({h.subject for h in hits}) == 1
