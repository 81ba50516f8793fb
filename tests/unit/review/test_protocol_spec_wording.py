"""Checks on wording read in protocol specifications and oracle methodologies (2026-12-06).

Specifications compute a quantity by a formula and then use it by name as a limit ("a minimum
price of the upper cushion price"). Each test pairs that wording with the wording a careful
reviewer still raises (sentences written for these tests).
"""

from __future__ import annotations

from docsense.domain.policies import Check, CheckKind
from docsense.review.checks.registry import default_registry

from .conftest import check_quotes, context

_quotes = check_quotes


def test_a_limit_set_to_a_quantity_a_formula_computes_has_its_value() -> None:
    doc = ("# Range\n\nThe cushion price is calculated as:\n\n"
           "    Upper Cushion = MA * (1 + Cushion Spread)\n\n"
           "The bond market should have a minimum price of the {limit}.\n")
    assert _quotes("vague_thresholds", doc.format(limit="upper cushion price")) == []
    assert _quotes("vague_thresholds", doc.format(limit="market's choosing")) == [
        "The bond market should have a minimum price of"
    ]


def test_a_sentence_naming_who_controls_the_parameters_has_an_owner() -> None:
    doc = ("# Emissions\n\n## Parameters\n\nAll core parameters are configurable {by} and can "
           "be adjusted.\n")
    assert _quotes("decision_owner_missing", doc.format(by="by OCG")) == []
    assert _quotes("decision_owner_missing", doc.format(by="on chain")) == [
        "All core parameters are configurable on chain and can be adjusted."
    ]


def test_a_sentence_bounding_what_the_oracle_reports_is_its_safeguard() -> None:
    doc = ("# Proposal\n\n## Specification\n\n- Configure {how} the risk parameter update from "
           "the Risk Oracle.\n")
    assert _quotes("unidentified_dependencies", doc.format(how="ranges to strictly bound")) == []
    assert _quotes("unidentified_dependencies", doc.format(how="the module to apply")) == [
        "Configure the module to apply the risk parameter update from the Risk Oracle."
    ]


def test_a_trigger_the_user_chooses_is_an_input_not_a_missing_value() -> None:
    doc = "# Orders\n\n- Stop Market: a market order activated when the price reaches {limit}.\n"
    assert _quotes("vague_thresholds", doc.format(limit="the selected trigger price")) == []
    assert _quotes("vague_thresholds", doc.format(limit="the trigger price set")) == []
    assert _quotes("vague_thresholds", doc.format(limit="your price tolerance limit")) == []
    assert _quotes("vague_thresholds", doc.format(limit="the trigger price")) == [
        "the price reaches the trigger"
    ]


def test_intervals_that_follow_from_the_user_inputs_have_a_period() -> None:
    doc = ("# Orders\n\n- TWAP: a large order divided into suborders executed at regular "
           "intervals{how}.\n")
    assert _quotes("vague_frequency", doc.format(how=", based on order size and running time "
                                                     "inputs")) == []
    assert _quotes("vague_frequency", doc.format(how=", based on market conditions")) == [
        "a large order divided into suborders executed at regular intervals"
    ]


def test_tokens_added_on_a_computed_condition_are_arithmetic_not_a_decision() -> None:
    doc = "# Supply\n\n## Rebase\n\n{cond}new tokens are added to existing holders.\n"
    assert _quotes("decision_owner_missing", doc.format(cond="If supplyDelta is positive, ")) == []
    assert _quotes("decision_owner_missing", doc.format(cond="Each quarter, ")) == [
        "Each quarter, new tokens are added to existing holders."
    ]


def test_how_someone_typically_behaves_is_no_schedule() -> None:
    doc = "# Supply\n\n## Holders\n\nA slow actor {how} holds and only occasionally sells.\n"
    assert _quotes("vague_frequency", doc.format(how="who typically")) == []
    assert _quotes("vague_frequency", doc.format(how="who")) == [
        "A slow actor who holds and only occasionally"
    ]


def test_the_quantity_calculated_is_the_subject_of_its_own_clause() -> None:
    doc = ("# Oracle\n\n## Price\n\nAt launch, the oracle will\nhave a trusted whitelist of "
           "sources and the price is calculated based on the reports of the sources.\n")
    ctx = context(doc, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "calculation_in_words"}))
    assert [h.title for h in hits] == ["Calculation given only in words: the price"]


def test_judgement_the_method_does_without_needs_no_governance() -> None:
    doc = "# Policy\n\n## Supply\n\nIt operates as an algorithm, {how} direct human judgment.\n"
    assert _quotes("governance_missing", doc.format(how="without the need for")) == []
    assert _quotes("governance_missing", doc.format(how="relying on")) == [
        "relying on direct human judgment"
    ]


def test_a_limit_explained_by_its_cause_describes_a_state() -> None:
    doc = "# Stablecoins\n\n## Others\n\nThe other coin's supply is restricted{why}.\n"
    assert _quotes("vague_thresholds", doc.format(why=" because few lock collateral")) == []
    assert _quotes("vague_thresholds", doc.format(why="")) == [
        "The other coin's supply is restricted"
    ]


def test_the_risks_of_using_the_system_are_no_dependency() -> None:
    doc = "# Assets\n\n## Operation\n\nIt is important to explore {what} using the system.\n"
    assert _quotes("unidentified_dependencies", doc.format(what="the risks of")) == []
    assert _quotes("unidentified_dependencies", doc.format(what="prices")) == [
        "It is important to explore prices using the system"
    ]


def test_risks_and_mitigations_and_best_practices_are_advice_not_rules() -> None:
    rule = "- Define fallback behaviour if the stream jumps beyond acceptable thresholds.\n"
    for heading in ("Risks and mitigation", "Best practices", "Scenario A - Stop Loss Buy Order"):
        assert _quotes("vague_qualifiers", f"# Streams\n\n## {heading}\n\n{rule}") == [], heading
    assert _quotes("vague_qualifiers", f"# Streams\n\n## Protocol design\n\n{rule}") != []


def test_times_of_day_without_a_zone_are_one_question() -> None:
    doc = ("# Index\n\n## Data\n\nPrices are taken at end of day. Corporate actions apply "
           "after the close. The price is discovered at 09:45.\n")
    ctx = context(doc, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "calendar_unspecified"}))
    zones = [h for h in hits if h.title == "Time of day has no time zone"]
    assert len(zones) == 3
    assert {h.subject for h in zones} == {"time zone"}


def test_leverage_as_a_measure_of_the_companies_screened_is_no_risk_feature() -> None:
    doc = ("# Quality 30\n\n## Selection\n\nThe index is suitable for investors. Companies with "
           "higher profitability and {what} are selected.\n")
    assert _quotes("risk_disclosure_missing", doc.format(what="lower leverage")) == []
    assert _quotes("risk_disclosure_missing", doc.format(what="2x leverage")) != []


def test_how_often_the_text_mentions_a_concept_or_a_process_switches_is_no_schedule() -> None:
    doc = "# Pool\n\n## Terms\n\n{sentence}\n"
    for sentence in ("Base and quote are two concepts that will be mentioned frequently.",
                     "It is a process that regularly switches between two regimes."):
        assert _quotes("vague_frequency", doc.format(sentence=sentence)) == [], sentence
    assert _quotes("vague_frequency", doc.format(sentence="Prices are sampled regularly.")) != []


def test_a_clause_of_a_chapter_of_a_regulators_circular_is_another_text() -> None:
    doc = ("# Index\n\n## Eligibility\n\nStocks must be available for trading in the F&O "
           "segment as specified in Clause 1.1.2{of}.\n")
    assert _quotes("unresolved_references", doc.format(of=" of Chapter 5 of SEBI Master "
                                                          "Circular")) == []
    assert _quotes("unresolved_references", doc.format(of="")) == ["Clause 1.1.2"]


def test_a_cap_given_as_per_the_details_elsewhere_points_to_its_value() -> None:
    doc = "# Index\n\n## Sectoral indices\n\nAll sectoral indices are capped{where}.\n"
    assert _quotes("vague_thresholds", doc.format(
        where=" as per the details provided under 'Index characteristics'")) == []
    assert _quotes("vague_thresholds", doc.format(where="")) == ["All sectoral indices are capped"]


def test_a_balance_sufficient_for_each_fill_is_as_much_as_the_fill_takes() -> None:
    doc = "# TWAP\n\n## Maker\n\nThe maker must have a sufficient balance of `srcToken`{for}.\n"
    assert _quotes("vague_qualifiers", doc.replace("{for}", " for each chunk")) == []
    assert _quotes("vague_qualifiers", doc.replace("{for}", "")) != []


def test_a_lettered_sub_part_of_an_appendix_is_there_when_its_appendix_is() -> None:
    doc = ("# Oracle\n\n## 1 Introduction\n\nThe types are discussed in Appendix A.3.\n\n"
           "## 2 Feeds\n\nText.\n\n# Appendices\n\n## {appendix}\n\n{line}\n\n"
           "The credential holds a proof.\n")
    for appendix, line in (("A Cryptographic sortition", "The types."),
                           ("Notes", "A.3 The Credential Type")):
        assert _quotes("unresolved_references", doc.format(appendix=appendix, line=line)) == []
    assert _quotes("unresolved_references", doc.format(appendix="Notes", line="The types.")) == [
        "Appendix A.3"
    ]


def _qualifier_titles(markdown: str) -> list[str]:
    ctx = context(markdown, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "vague_qualifiers"}))
    return [h.title for h in hits]


def test_judgement_words_in_a_description_are_their_own_family() -> None:
    doc = "# Oracle\n\n## Design\n\n{sentence}\n"
    for sentence in ("This induces a significant gas price overhead.",
                     "Scaling solutions deliver the service at a reasonable cost."):
        titles = _qualifier_titles(doc.format(sentence=sentence))
        assert len(titles) == 1, sentence
        assert titles[0].startswith("Judgement in a description:"), sentence
    for rule in ("Providers must have a significant gas budget.",
                 "- Have significant fossil fuel exposure",
                 "Buy tokens showing strong upward movement."):
        titles = _qualifier_titles(doc.format(sentence=rule))
        assert titles, rule
        assert not titles[0].startswith("Judgement in a description"), rule


def test_a_judgement_that_triggers_or_bounds_a_step_is_a_rule_not_a_description() -> None:
    doc = "# Index\n\n## Rules\n\n{sentence}\n"
    # The judgement is the condition of a step, its bound, or what a step acts on.
    for rule in ("Weight changes when signals reach significant levels.",
                 "Category weight shifts are triggered by significant changes in the market.",
                 "In the event of extreme market volatility, the interval changes.",
                 "The committee consults users before implementing any material change.",
                 "Maximum position size capped at a reasonable level.",
                 "Material errors in published levels are corrected and republished.",
                 "We recommend that markets have a sufficient amount of providers.",
                 "Stake withdrawals will have an adequate lead-time."):
        titles = _qualifier_titles(doc.format(sentence=rule))
        assert titles, rule
        assert not titles[0].startswith("Judgement in a description"), rule
    # A condition of the market, not of a step: still a description.
    for sentence in ("When there is significant demand, short sellers offer interest.",
                     "The price rose after a significant upside movement.",
                     "The protocol has a significant cost advantage over rivals."):
        titles = _qualifier_titles(doc.format(sentence=sentence))
        assert titles, sentence
        assert titles[0].startswith("Judgement in a description"), sentence


def test_data_providers_that_are_the_protocols_participants_are_no_unnamed_source() -> None:
    doc = ("# FTSO\n\n## Feeds\n\nPrices are collected from data providers every epoch. {role}\n")
    assert _quotes("unnamed_data_sources", doc.format(
        role="Data providers are rewarded when their prices fall within the band.")) == []
    assert _quotes("unnamed_data_sources", doc.format(role="The feed is published.")) != []


def test_as_adjective_as_possible_is_an_aim_not_a_condition() -> None:
    doc = "# API\n\n## Design\n\nThe interface should be {phrase}.\n"
    aim = "as transparent and frictionless of an interface for smart contracts as possible"
    assert _quotes("discretionary_language", doc.format(phrase=aim)) == []
    assert _quotes("discretionary_language", doc.format(phrase="updated where possible")) != []


def test_leverage_as_a_verb_is_no_borrowing() -> None:
    doc = "# Oracle\n\n## About\n\nThe protocol is designed for investors. It {what}.\n"
    for verb in ("leverages the features of concentrated liquidity",
                 "is built leveraging six years of experience"):
        assert _quotes("risk_disclosure_missing", doc.format(what=verb)) == [], verb
    assert _quotes("risk_disclosure_missing", doc.format(what="uses leverage of 3x")) != []


def test_concentrated_liquidity_is_no_concentrated_portfolio() -> None:
    doc = "# Pool\n\n## About\n\nThe pool is designed for investors: {what}.\n"
    assert _quotes("risk_disclosure_missing",
                   doc.format(what="most liquidity is concentrated near the mid price")) == []
    assert _quotes("risk_disclosure_missing",
                   doc.format(what="the fund holds concentrated positions in 5 names")) != []


def test_a_price_target_that_returns_is_no_return_target() -> None:
    doc = "# Supply\n\n## Policy\n\nHolders benefit when {what}.\n"
    assert _quotes("risk_disclosure_missing",
                   doc.format(what="the price target returns to 1 USD")) == []
    assert _quotes("risk_disclosure_missing",
                   doc.format(what="the strategy meets its target return of 8%")) != []


def test_token_swaps_are_no_swap_contracts() -> None:
    doc = "# Router\n\n## About\n\nThe router is designed to give users {what}.\n"
    assert _quotes("risk_disclosure_missing", doc.format(what="the best price across swaps")) == []
    assert _quotes("risk_disclosure_missing",
                   doc.format(what="exposure through total return swaps")) != []


def test_a_disclaimer_or_risks_discussed_by_name_are_a_disclosure() -> None:
    doc = "# Pairs\n\n## Strategy\n\nThe strategy is designed to give users {what}.\n\n{more}\n"
    for more in ("The legs are rebalanced.", "The design can address counterparty risk."):
        plain = doc.format(what="a short position in one leg", more=more)
        assert _quotes("risk_disclosure_missing", plain) != [], more
    for more in ("Pairs that stop converging carry higher divergence risks.",
                 "See the [Disclaimer](DISCLAIMER.md) before use.",
                 "## Disclaimer\n\nThis paper is circulated for discussion."):
        assert _quotes("risk_disclosure_missing",
                       doc.format(what="a short position in one leg", more=more)) == [], more


def test_timing_compared_or_advised_is_no_schedule() -> None:
    doc = "# Feeds\n\n## Updates\n\n{sentence}\n"
    for sentence in ("Price updates occur much more frequently in practice.",
                     "It is important to frequently check the status of cointegration."):
        assert _quotes("vague_frequency", doc.format(sentence=sentence)) == [], sentence
    assert _quotes("vague_frequency", doc.format(
        sentence="The operator checks the status of cointegration frequently.")) != []


def test_a_period_in_seconds_or_blocks_beside_the_timing_word_states_it() -> None:
    doc = "# Oracle\n\nProviders submit estimates periodically. {period}\n"
    assert _quotes("vague_frequency", doc.format(period="Anchor feeds update every 90 seconds.")
                   ) == []
    assert _quotes("vague_frequency", doc.format(period="Anchor feeds are robust.")) != []


def test_an_action_timed_elsewhere_in_the_document_has_its_period() -> None:
    doc = ("# Indices\n\n## Overview\n\nThe indices are periodically reviewed.\n\n"
           "## Nifty 50\n\nThe index is {when}.\n")
    vague = "The indices are periodically"
    assert vague not in _quotes("vague_frequency", doc.format(when="reviewed semi-annually"))
    assert vague in _quotes("vague_frequency", doc.format(when="rebalanced semi-annually"))


def test_the_above_bands_are_the_bands_just_described() -> None:
    doc = "# Rewards\n\n## Payment\n\n{sentence}\n"
    assert _quotes("vague_thresholds", doc.format(
        sentence="The above band-based rewards go to providers near the median.")) == []
    assert _quotes("vague_thresholds", doc.format(
        sentence="Providers whose submissions stay below the band are paid.")) != []


def test_a_limit_glossed_in_brackets_is_explained_there() -> None:
    doc = ("# Rewards\n\n## Bands\n\nProviders are rewarded when feeds remain within the primary "
           "reward band{gloss} of the anchor feed.\n")
    assert _quotes("vague_thresholds", doc.format(gloss=" (the interquartile range band)")) == []
    assert _quotes("vague_thresholds", doc.format(gloss="")) != []


def test_a_quantity_the_document_gives_a_section_is_no_unspecified_quantity() -> None:
    doc = ("# Margin\n\n## How is the {name} calculated?\n\nIt is the collateral divided by the "
           "debt.\n\n## Calls\n\nA margin call occurs when the lowest ask is higher than the call "
           "price.\n")
    assert _quotes("vague_thresholds", doc.format(name="call price")) == []
    assert _quotes("vague_thresholds", doc.format(name="squeeze ratio")) != []


def test_a_candles_open_price_is_observed_market_data() -> None:
    doc = "# Patterns\n\n## Hammer\n\nThe close price is higher than the {what}.\n"
    assert _quotes("vague_thresholds", doc.format(what="open price")) == []
    assert _quotes("vague_thresholds", doc.format(what="fair price")) != []


def test_a_definite_limit_the_document_values_elsewhere_has_its_value() -> None:
    doc = ("# Contract\n\nThe contract settles to the index, with a {cap} max revenue cap.\n\n"
           "## Liquidation\n\nSince the payoff is capped, no forced liquidation may occur.\n\n"
           "## Bands\n\nA submission within both bands receives both rewards.\n")
    assert _quotes("vague_thresholds", doc.format(cap="125%")) == [
        "A submission within both bands"
    ]
    assert _quotes("vague_thresholds", doc.format(cap="generous")) == [
        "Since the payoff is capped", "A submission within both bands"
    ]
    valued_band = doc.format(cap="125%") + "\nThe secondary band receives 30% of rewards.\n"
    assert _quotes("vague_thresholds", valued_band) == []
    # "a certain threshold" and a bare "exceeds upper threshold" stay open, whatever else is
    # valued: which threshold is meant is the question.
    vague = ("# Signals\n\nThe entry threshold is 2.0 standard deviations.\n\nExit when the "
             "z-score exceeds upper threshold, or falls below a certain threshold.\n")
    assert len(_quotes("vague_thresholds", vague)) == 2


def test_a_limit_given_as_a_rate_in_words_has_its_value() -> None:
    doc = "# Pool\n\nWeights may be changed with a maximum frequency{rate}.\n"
    assert _quotes("vague_thresholds", doc.format(rate=" of twice a day")) == []
    assert _quotes("vague_thresholds", doc.format(rate="")) != []


def test_a_limit_reached_in_the_passive_is_a_comparison() -> None:
    # "once a certain threshold is reached" compares with a limit as "reaches a threshold" does
    doc = ("# CDP\n\n## Auctions\n\nDebt auctions are triggered after a certain threshold "
           "of global debt is reached. Surplus is sold once {limit} is exceeded.\n")
    assert _quotes("vague_thresholds", doc.format(limit="a set limit")) == [
        "Debt auctions are triggered after a certain threshold",
        "Surplus is sold once a set limit",
    ]
    # The value in the clause answers it; a limit merely named is not compared with.
    valued = doc.replace("global debt", "global debt (10 million USDX)").format(
        limit="the surplus limit of 5 million USDX")
    assert _quotes("vague_thresholds", valued) == []
    named = "# CDP\n\n## Auctions\n\nThe threshold is reached through governance votes.\n"
    assert _quotes("vague_thresholds", named) == []


def _zone_quotes(doc: str) -> list[str]:
    ctx = context(doc, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "calendar_unspecified"}))
    zone = "Time of day has no time zone"
    return [ctx.markdown[h.start : h.end] for h in hits if h.title == zone]


def test_an_end_of_day_basis_is_a_frequency_not_a_clock_time() -> None:
    doc = "# Index\n\n## Calculation\n\nThe index is calculated on an end of day {what}.\n"
    assert _zone_quotes(doc.format(what="basis")) == []
    assert _zone_quotes(doc.format(what="and published")) == ["end of day"]


def test_a_cutoff_time_defined_as_a_point_of_a_window_needs_no_time_zone() -> None:
    doc = ("# Averages\n\n## Window\n\nThis explanation refers to {what} as the \"cutoff "
           "time\".\n\nBuckets older than the cutoff time are dropped.\n")
    assert _zone_quotes(doc.format(what="the oldest time in the time window")) == []
    # (a deadline of the day, or a clock time: the cut-off is a time of day)
    assert _zone_quotes(doc.format(what="the daily order deadline")) == ["cutoff time"] * 2
    assert "4 pm" in _zone_quotes(doc.format(what="4 pm each day in the window"))


def test_the_close_of_a_named_exchange_is_on_its_clock() -> None:
    doc = ("# Index\n\n## Calculation\n\nPrices are taken after the close{venue}. Orders go "
           "at {t}.\n")
    assert _zone_quotes(doc.format(venue=" of the National Stock Exchange", t="noon")) == []
    assert _zone_quotes(doc.format(venue=" of the National Stock Exchange", t="9:45")) == [
        "9:45"
    ]
    assert _zone_quotes(doc.format(venue="", t="noon")) == ["after the close"]


def test_decimal_points_read_as_colons_are_no_times() -> None:
    doc = "# Pool\n\n## Calibration\n\nThe utilisation levels are {{{levels}}}.\n"
    assert _zone_quotes(doc.format(levels="0:070; 0:078; 0:01; 0:75")) == []
    assert _zone_quotes(doc.format(levels="0:01 and 0:05")) != []


def test_a_judgement_the_document_measures_by_a_score_has_its_measure() -> None:
    doc = ("# ESG Index\n\n## Highlights\n\n- Companies involved in any major ESG controversy "
           "shall not be selected.\n\n## Eligibility\n\n{rule}\n")
    assert _quotes("vague_qualifiers", doc.format(
        rule="Companies with controversy score less than 70 shall be excluded.")) == []
    assert _quotes("vague_qualifiers", doc.format(
        rule="Companies with free float less than 10% shall be excluded.")) != []


def test_a_class_the_document_lists_the_members_of_is_defined() -> None:
    doc = ("# ESG Index\n\n## Exclusions\n\nCompanies making controversial weapons shall be "
           "excluded. {members}\n")
    assert _quotes("vague_qualifiers", doc.format(
        members="Controversial weapons include chemical weapons, anti-personnel mines and "
        "cluster bombs.")) == []
    assert _quotes("vague_qualifiers", doc.format(members="The list is kept up to date.")) != []


def test_a_criterion_word_in_another_clause_does_not_make_a_judgement_a_criterion() -> None:
    doc = ("# Proposal\n\n## Design\n\nEach asset {rule} by the contract. The design works "
           "as long as there is significant liquidity in the pool.\n")

    def titles(rule: str) -> list[str]:
        hits = default_registry().run(context(doc.format(rule=rule).replace(". The", ", and the"),
                                              with_ir=True),
                                      Check(CheckKind.IR, {"check": "vague_qualifiers"}))
        return [h.title for h in hits]

    described = ["Judgement in a description: 'significant liquidity'"]
    assert titles("is held in custody") == described
    assert titles("must be held in custody") == described
    assert titles("must have significant liquidity and be held") != described


def test_a_price_calculated_as_the_median_of_named_sources_is_a_calculation() -> None:
    doc = "# Oracle\n\n## Price\n\nThe price is calculated as the {how} of the sources.\n"
    assert _quotes("calculation_in_words", doc.format(how="median")) == []
    # a sum of components with weights leaves the weighting open
    assert _quotes("calculation_in_words", doc.format(how="blend")) != []


def test_a_benchmark_value_is_a_target_figure_not_an_index() -> None:
    doc = "# Delisting\n\n## Volume\n\nThe exchange sets a benchmark {what} for monthly volume.\n"
    assert _quotes("unnamed_benchmark", doc.format(what="value")) == []
    assert _quotes("unnamed_benchmark", doc.format(what="index")) != []


def test_the_latest_prices_are_an_input_not_a_vague_method() -> None:
    doc = "# Index\n\n## Demergers\n\nThe index shall be computed based on the latest {what}.\n"
    for what in ("prices of all constituents", "available data"):
        assert _quotes("unspecified_method", doc.format(what=what)) == [], what
    assert _quotes("unspecified_method", doc.format(what="market conditions")) != []


def test_data_in_a_supposition_or_a_supplier_glossed_by_name_is_no_unnamed_source() -> None:
    doc = "# Funding\n\n## Premium\n\n{sentence}\n"
    for sentence in (
        "The premium is paid on one unit over the period assuming market data does not change.",
        "The ratio is maintained by the feed producers (i.e., the witnesses).",
    ):
        assert _quotes("unnamed_data_sources", doc.format(sentence=sentence)) == [], sentence
    for sentence in (
        "The premium is paid on one unit over the period using market data.",
        "The ratio is maintained by the feed producers.",
    ):
        assert _quotes("unnamed_data_sources", doc.format(sentence=sentence)) != [], sentence


def test_the_items_of_a_strengths_list_appraise_the_method() -> None:
    doc = "# Trailing stop\n\n{label}\n\n- Sells only during strong directional price movements\n"
    assert _quotes("vague_qualifiers", doc.format(label="**Strengths**")) == []
    assert _quotes("vague_qualifiers", doc.format(label="## Rules")) != []


def test_a_rationale_label_gives_the_reason_for_a_rule_not_a_rule() -> None:
    doc = (
        "# Weights\n\n- **Impact weight**: each event scores 0 to 1.\n"
        "- **{label}**: More significant events should have greater influence on the index\n"
    )
    assert _quotes("vague_qualifiers", doc.format(label="Rationale")) == []
    assert _quotes("vague_qualifiers", doc.format(label="Rule")) != []


def test_advice_on_a_setting_that_names_the_choice_is_no_judgement() -> None:
    doc = "# Pendulum\n\n## Settings\n\n{sentence}\n"
    assert _quotes("vague_qualifiers", doc.format(
        sentence="A good value for this is the current mid-price.")) == []
    assert _quotes("vague_qualifiers", doc.format(
        sentence="The seed price must be a good value.")) != []


def test_an_aim_and_a_source_named_after_its_judgement_are_no_gaps() -> None:
    doc = "# Index\n\n## Data\n\n{sentence}\n"
    for sentence in (
        "The strategy is aiming to build a significant position in BTC.",
        "Prices are provided by well-established data aggregators, including CoinGecko.",
    ):
        assert _quotes("vague_qualifiers", doc.format(sentence=sentence)) == [], sentence
    assert _quotes("vague_qualifiers", doc.format(
        sentence="Prices are provided by well-established data aggregators.")) != []


def test_what_the_method_is_meant_to_capture_is_its_purpose() -> None:
    doc = "# Grid\n\n## Sell logic\n\nThe strategy {how} significant upward price movements.\n"
    for how in ("introduces a mechanism to capitalize on", "allows capturing gains from"):
        assert _quotes("vague_qualifiers", doc.format(how=how)) == [], how
    assert _quotes("vague_qualifiers", doc.format(how="sells after")) != []


def test_advice_to_integrators_sets_no_condition_of_the_method() -> None:
    doc = "# Auctions\n\n## Reverts\n\n{who} account for it when necessary.\n"
    assert _quotes("discretionary_language", doc.format(
        who="Integrators should be aware of this possibility and")) == []
    assert _quotes("discretionary_language", doc.format(who="The keeper will")) != []


def test_a_threshold_given_as_an_expression_in_brackets_has_its_value() -> None:
    doc = ("# Trailing stop\n\n## Trigger\n\nThe stop is armed once the price reaches a "
           "threshold{gloss}.\n")
    assert _quotes("vague_thresholds", doc.format(gloss=" (interval + TSP)")) == []
    assert _quotes("vague_thresholds", doc.format(gloss="")) != []


def test_a_calculation_whose_name_is_its_operation_or_whose_formulas_are_linked_is_given() -> None:
    doc = "# Auction\n\n## Scoring\n\n{text}\n"
    for text in (
        "The score is computed from executed amounts of all trades. For concrete formulas see "
        "[the section on solving](solving.md).",
        "Markets are excluded when far from the median, where the median is calculated using "
        "the volume-weighted average prices of the candidate markets.",
        "The prices are calculated using robust and resilient methodologies.",
    ):
        assert _quotes("calculation_in_words", doc.format(text=text)) == [], text
    words = "The score is computed from executed amounts of all trades."
    assert _quotes("calculation_in_words", doc.format(text=words)) == [words]


def test_a_calculation_whose_next_sentence_spells_out_its_method_is_given() -> None:
    doc = ("# Rate\n\n## Calculation\n\nThe average of the 61 intervals is calculated using a "
           "custom weight function. {next}\n")
    spelt = ("The weight function assigns a weight of 0 percent to the first interval and 5 "
             "percent to the last two.")
    assert _quotes("calculation_in_words", doc.format(next=spelt)) == []
    vague = "The weight function favours recent intervals."
    assert len(_quotes("calculation_in_words", doc.format(next=vague))) == 1
