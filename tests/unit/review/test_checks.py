"""The deterministic check families, on sentences written for these tests (not the corpus)."""

from __future__ import annotations

from docsense.domain.ir import SemanticIR
from docsense.domain.policies import Check, CheckKind
from docsense.review.checks.base import CheckContext, clause_start
from docsense.review.checks.registry import default_registry

from .conftest import RunCheck


def test_comparison_with_an_unvalued_limit_is_flagged(run_check: RunCheck) -> None:
    md = "Hedges are added once net delta rises above the permitted band.\n"
    assert run_check("vague_thresholds", md) == ["net delta rises above the permitted band"]


def test_limit_with_a_value_is_not_flagged(run_check: RunCheck) -> None:
    md = "Hedges are added once net delta rises above the band of 5% of NAV.\n"
    assert run_check("vague_thresholds", md) == []


def test_cap_stated_without_value_is_flagged_with_a_placeholder_replacement() -> None:
    ctx = CheckContext("Single-issuer exposure is capped.\n", (), SemanticIR())
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": "vague_thresholds"}))
    assert len(hits) == 1
    expected = "Single-issuer exposure is capped at [[specify: value, with unit]]"
    assert hits[0].replacement == expected


def test_legal_idiom_is_not_a_limit(run_check: RunCheck) -> None:
    md = "Inputs include, but are not limited to, quotes and trades.\n"
    assert run_check("vague_thresholds", md) == []


def test_there_is_limited_describes_an_amount_not_a_limit(run_check: RunCheck) -> None:
    md = "Since the trade settles atomically, there is limited risk to this strategy.\n"
    assert run_check("vague_thresholds", md) == []
    assert run_check("vague_thresholds", "Exposure to this strategy is limited.\n") != []


def test_a_comparison_that_describes_a_risk_is_not_a_rule(run_check: RunCheck) -> None:
    md = ("There is a risk that the gas fees are greater than the return.\n\n"
          "The only risk is that the reward is less than the total gas cost.\n")
    assert run_check("vague_thresholds", md) == []
    assert run_check("vague_thresholds", "Orders are sent when fees are greater than the "
                     "return.\n") != []


def test_a_change_in_a_window_is_an_effect_not_a_window(run_check: RunCheck) -> None:
    md = ("The new flow has the effect of decreasing the time between rebalances.\n\n"
          "The shorter the lookback window, the faster fees decay.\n\n"
          "`feeRounds` is the length of the lookback window.\n")
    assert run_check("vague_thresholds", md) == []
    assert run_check("vague_thresholds", "Trades wait for the time between rebalances.\n") != []


def test_judgement_words_are_flagged_but_not_in_risk_statements(run_check: RunCheck) -> None:
    assert run_check("vague_qualifiers", "Only bonds with adequate free float qualify.\n") == [
        "Only bonds with adequate free float qualify"
    ]
    assert run_check("vague_qualifiers", "The fund may suffer substantial losses.\n") == []
    assert run_check("vague_qualifiers", "The executor tracks orders, ensuring recovery from "
                     "unexpected market moves.\n") == []


def test_judgement_words_in_the_narrative_need_a_quantity_or_a_selection(
    run_check: RunCheck,
) -> None:
    # Opinions about the design or the world are not numbers left out...
    narrative = ("Developers spend significant effort writing infrastructure. A good example "
                 "is the pool. We see strong integrations ahead.\n")
    assert run_check("vague_qualifiers", narrative) == []
    # ...a judgement on a quantity, or on what the method holds, is.
    assert run_check("vague_qualifiers", "Pools hold reasonable liquidity across a range.\n") != []
    assert run_check("vague_qualifiers", "The strategy trades major cryptocurrencies.\n") != []
    assert run_check("vague_qualifiers", "Companies in controversial activities go.\n") != []
    # In a criterion, any judgement counts; a source named by a judgement stays a source.
    assert run_check("vague_qualifiers", "Issuers must show good governance.\n") != []
    assert run_check("vague_qualifiers", "Prices come from major quote vendors.\n") != []


def test_frequency_words_and_undated_schedules(run_check: RunCheck) -> None:
    assert run_check("vague_frequency", "Weights are reset from time to time.\n") == [
        "Weights are reset from time to time"
    ]
    assert run_check("vague_frequency", "The basket is reviewed monthly.\n") == [
        "The basket is reviewed monthly"
    ]
    dated = "The basket is reviewed monthly on the second Tuesday of the month.\n"
    assert run_check("vague_frequency", dated) == []
    # The clause states its period after the timing word.
    stated = "Rewards are routinely harvested with any pending fees {when}.\n"
    assert run_check("vague_frequency", stated.format(when="every day")) == []
    assert run_check("vague_frequency", stated.format(when="by the keeper")) == [
        "Rewards are routinely"
    ]


def test_discretion_and_vague_methods(run_check: RunCheck) -> None:
    assert run_check("discretionary_language", "Spreads are widened when necessary.\n") == [
        "Spreads are widened when necessary"
    ]
    assert run_check("unspecified_method", "Duration is estimated using industry-standard "
                     "methods.\n") == ["Duration is estimated using industry-standard methods"]


def test_discretion_in_whose_hands_and_case_by_case(run_check: RunCheck) -> None:
    # Discretion is the manner of the act, whatever the act overrides; whose discretion may
    # be said in the possessive; "handled case by case" leaves the rule to each case.
    md = ("# S\n\n## 3. Controls\n\nThe desk head may override any order at their discretion."
          "\n\nA missed fill is retried at the trader's discretion.\n\n"
          "Tender offers are handled case by case.\n")
    assert run_check("discretionary_language", md) == [
        "The desk head may override any order at their discretion",
        "A missed fill is retried at the trader's discretion",
        "Tender offers are handled case by case",
    ]
    limited = "# S\n\nRegulatory limits override discretionary decisions.\n"
    assert run_check("discretionary_language", limited) == []


def test_a_supplier_described_but_not_named_is_unnamed(run_check: RunCheck) -> None:
    md = "# S\n\nClosing prices are sourced from a reputable market data vendor.\n"
    assert run_check("unnamed_data_sources", md) == [
        "Closing prices are sourced from a reputable market data vendor"
    ]
    named = "# S\n\nClosing prices are sourced from a reputable vendor, Refinitiv.\n"
    assert run_check("unnamed_data_sources", named) == []


def test_unnamed_benchmark_only_when_no_index_is_named(run_check: RunCheck) -> None:
    md = "# Fund\n\n## 1. Aim\n\nThe fund seeks to beat the benchmark.\n"
    assert run_check("unnamed_benchmark", md) == ["The fund seeks to beat the benchmark"]
    named = md + "\nThe benchmark is the FTSE All-Share Index.\n"
    assert run_check("unnamed_benchmark", named) == []


def test_calendar_language_without_named_calendar(run_check: RunCheck) -> None:
    md = "Signals use the trailing 20 days of closes and trades settle two business days later.\n"
    assert run_check("calendar_unspecified", md) == ["trailing 20 days of closes",
                                                     "business days"]


def test_named_exchange_calendar_and_time_zone_silence_the_check(run_check: RunCheck) -> None:
    md = ("Signals use the trailing 20 days of closes on the Tokyo Stock Exchange, "
          "computed at market close (15:00 JST).\n")
    assert run_check("calendar_unspecified", md) == []


def test_market_hours_need_the_exchange_whose_hours_they_are(run_check: RunCheck) -> None:
    md = "The slicer respects market hours (no child orders after 3:55 PM ET).\n"
    assert run_check("calendar_unspecified", md) == ["market hours"]
    named = "The slicer respects NYSE market hours (no child orders after 3:55 PM ET).\n"
    assert run_check("calendar_unspecified", named) == []


def test_time_of_day_without_time_zone(run_check: RunCheck) -> None:
    md = "Orders are sent to the exchange at market open.\n"
    assert run_check("calendar_unspecified", md) == ["at market open"]
    # The open of a named exchange is on that exchange's clock, like its market hours above;
    # a clock time still needs its zone.
    named = "Orders are sent on the Deutsche Boerse Xetra at market open.\n"
    assert run_check("calendar_unspecified", named) == []
    clock = "Orders are sent on the Deutsche Boerse Xetra at 9:05.\n"
    assert run_check("calendar_unspecified", clock) == ["9:05"]


def test_generic_supplier_and_unsourced_data_family(run_check: RunCheck) -> None:
    md = "- FX rates via the market data vendor\n- Analyst estimates drive the tilt\n"
    assert run_check("unnamed_data_sources", md) == [
        "FX rates via the market data vendor",
        "Analyst estimates",
    ]
    assert run_check("unnamed_data_sources", "- FX rates: WM/Reuters 4pm fix\n") == []


def test_a_source_named_before_its_data_is_named(run_check: RunCheck) -> None:
    md = ("The index is based on Polymarket prediction market data.\n\n"
          "The tilt uses market data.\n")
    assert run_check("unnamed_data_sources", md) == ["The tilt uses market data"]


def test_unidentified_dependency(run_check: RunCheck) -> None:
    md = "Hedge ratios come from the execution system; trades are approved by an adviser.\n"
    assert run_check("unidentified_dependencies", md) == [
        "Hedge ratios come from the execution system",
        "trades are approved by an adviser",
    ]


def test_contradictory_bounds_for_the_same_quantity(run_check: RunCheck) -> None:
    md = ("## 1. Screen\n\n- Free float of at least 25%\n\n## 2. Rules\n\n"
          "- Free float must be at least 15%\n- Turnover of at least 10%\n")
    assert run_check("contradictory_values", md) == ["Free float must be at least 15%"]


def test_labelled_values_are_different_quantities(run_check: RunCheck) -> None:
    md = "- Cut-off Date: at least 5 trading days before review\n" \
         "- Notice Date: at least 2 trading days before review\n"
    assert run_check("contradictory_values", md) == []


def test_contradictory_weighting_schemes(run_check: RunCheck) -> None:
    md = "Members are weighted by free float. Later, the index is equally weighted.\n"
    assert run_check("contradictory_values", md) == ["Later, the index is equally weighted."]


def test_models_without_governance_and_with_it(run_check: RunCheck) -> None:
    md = "# S\n\n## 1. Method\n\nPositions follow machine-learning model outputs.\n"
    assert run_check("governance_missing", md, with_ir=True) == [
        "Positions follow machine-learning model"
    ]
    governed = md + "\n## 2. Oversight\n\nThe model is validated yearly by an independent team.\n"
    assert run_check("governance_missing", governed, with_ir=True) == []


def test_leverage_without_risk_section_and_with_one(run_check: RunCheck) -> None:
    md = "# S\n\n## 1. Method\n\nThe book runs 3x leverage through total return swaps.\n"
    # One finding for the document: each kind of risk-bearing feature is a place of it.
    assert run_check("risk_disclosure_missing", md, with_ir=True) == [
        "The book runs 3x leverage", "The book runs 3x leverage through total return swaps"
    ]
    disclosed = md + "\n## 2. Risk Factors\n\nLeverage magnifies losses.\n"
    assert run_check("risk_disclosure_missing", disclosed, with_ir=True) == []
    # A part that sets the method's own risk controls discloses nothing to investors.
    controls = md + "\n## 2. Execution and Risk Controls\n\nGross exposure stays below 300%.\n"
    assert run_check("risk_disclosure_missing", controls, with_ir=True) != []
    both = md + "\n## 2. Risk Management and Disclosures\n\nLeverage magnifies losses.\n"
    assert run_check("risk_disclosure_missing", both, with_ir=True) == []


def test_a_proposal_to_change_a_setting_owes_no_risk_disclosure(run_check: RunCheck) -> None:
    md = ("# SCCP\n\n## Summary\n\nThis proposal increases the futures market "
          "`maxLeverage` to 25 from 10.\n")
    assert run_check("risk_disclosure_missing", md, with_ir=True) == []
    launch = md.replace("increases the futures market `maxLeverage` to 25 from 10",
                        "lists futures with up to 25x leverage")
    assert run_check("risk_disclosure_missing", launch, with_ir=True) != []


def test_an_improvement_proposal_owes_a_risk_disclosure_only_with_claims(
    run_check: RunCheck,
) -> None:
    body = "The product keeps 2x leverage on ETH through a lending protocol.\n"
    proposal = f"# IIP\n\n## Motivation\n\nUsers asked for it.\n\n## Specification\n\n{body}"
    assert run_check("risk_disclosure_missing", proposal, with_ir=True) == []
    methodology = f"# Method\n\n## 1. Exposure\n\n{body}"
    assert run_check("risk_disclosure_missing", methodology, with_ir=True) != []
    claims = proposal + "\nIt lets investors gain exposure to ETH with less effort.\n"
    assert run_check("risk_disclosure_missing", claims, with_ir=True) != []


def test_a_risk_word_inside_a_link_address_is_not_a_feature(run_check: RunCheck) -> None:
    md = ("# S\n\nAs mentioned in [IIP-13](https://gov.example.org/t/iip-13-flexible-leverage)"
          ", the product launches on Compound.\n")
    assert run_check("risk_disclosure_missing", md, with_ir=True) == []


def test_formula_with_undefined_variables_keeps_formula_in_replacement() -> None:
    from .conftest import context

    ctx = context("# M\n\n## 1. Score\n\nScore = Alpha * Carry + Beta\n", with_ir=True)
    hits = default_registry().run(
        ctx, Check(CheckKind.IR, {"check": "formula_undefined_variables"})
    )
    assert len(hits) == 1
    assert ctx.markdown[hits[0].start : hits[0].end] == "Score = Alpha * Carry + Beta"
    assert hits[0].replacement is not None
    assert hits[0].replacement.startswith("Score = Alpha * Carry + Beta where ")
    assert "[[specify: definition of Alpha]]" in hits[0].replacement


def test_unresolved_appendix_reference(run_check: RunCheck) -> None:
    md = "# M\n\n## 1. Scope\n\nEligible venues are listed in Annex 3 and Appendix D.\n"
    assert "Appendix D" in run_check("unresolved_references", md, with_ir=True)


def test_section_and_pattern_checks() -> None:
    md = "# Doc\n\n## 1. Overview\n\nReturns are guaranteed.\n\n## 2. Draft notes\n\nTBD\n"
    from .conftest import context

    ctx = context(md, with_ir=True)
    reg = default_registry()
    missing = reg.run(ctx, Check(CheckKind.SECTION_REQUIRED, {"heading": "governance"}))
    assert len(missing) == 1
    assert missing[0].absent
    assert reg.run(ctx, Check(CheckKind.SECTION_REQUIRED, {"heading": "OVERVIEW"})) == []
    forbidden = reg.run(ctx, Check(CheckKind.IR, {"check": "section_forbidden",
                                                  "heading": "draft"}))
    assert [md[h.start : h.end] for h in forbidden] == ["2. Draft notes"]
    hype = reg.run(ctx, Check(CheckKind.PATTERN_FORBIDDEN, {"pattern": "guaranteed"}))
    assert [md[h.start : h.end] for h in hype] == ["guaranteed"]
    assert reg.run(ctx, Check(CheckKind.PATTERN_REQUIRED, {"pattern": "returns"})) == []


def test_a_long_clause_is_cut_at_a_word_start() -> None:
    text = "- Create a `setConfigurer` function that can only be called by the system owner."
    at = text.index("by the system")
    assert text[clause_start(text, at, max_words=8) : at] == (
        "a `setConfigurer` function that can only be called "
    )
    assert clause_start(text, at, max_words=0) == at


def test_punctuation_inside_inline_code_does_not_end_a_clause() -> None:
    text = "Replace calls to `Storage.onlyOwner()` where appropriate."
    at = text.index("where")
    assert text[clause_start(text, at) : at] == "Replace calls to `Storage.onlyOwner()` "


def test_an_aside_closed_before_the_position_stays_in_the_clause() -> None:
    text = ("Details of the yield generation methods (Compound, AAVE) and destination of the "
            "yield will be agreed.")
    at = text.index("will be")
    assert text[clause_start(text, at, asides=True) : at].startswith("Details of the yield")
    assert text[clause_start(text, at) : at] == "and destination of the yield "
    # within an aside still open at the position, the aside's own punctuation breaks
    text = "The weight (as applicable, or zero) is capped."
    at = text.index("zero")
    assert text[clause_start(text, at, asides=True) : at] == ""


def test_a_method_the_list_after_it_gives_is_specified(run_check: RunCheck) -> None:
    md = ("For every order, the following pairs are considered:\n\n- sell token / base token\n"
          "- buy token / base token\n")
    assert run_check("unspecified_method", md) == []
    assert run_check("unspecified_method", "For every order, some pairs are considered.\n") != []


def test_a_limit_named_again_after_its_value(run_check: RunCheck) -> None:
    md = ("The DAO takes a cut with a minimum floor of 10 bps. The Folio inflates by at least "
          "the floor. Per-Folio floors cannot exceed the default floor.\n")
    assert run_check("vague_thresholds", md) == []
    assert run_check("vague_thresholds", "The Folio inflates by at least the floor.\n") != []


def test_an_orders_own_price_is_no_valueless_limit(run_check: RunCheck) -> None:
    md = "When the share price reaches the stop price level, the order executes.\n"
    assert run_check("vague_thresholds", md) == []
    assert run_check("vague_thresholds", "Orders execute when the price reaches the level.\n") != []


def test_operands_in_ordinary_words_need_no_definition(run_check: RunCheck) -> None:
    md = ("# Model\n\n## 1. Adverse selection\n\n"
          "b = Cov(Price change, Order flow) / Var(Order flow)\n")
    assert run_check("formula_undefined_variables", md, with_ir=True) == []
    named = md.replace("Price change", "Price Change")  # a Named Quantity, never defined
    assert "Price Change" in str(run_check("formula_undefined_variables", named, with_ir=True))


def test_a_conversion_or_repetition_if_necessary_is_no_open_condition(run_check: RunCheck) -> None:
    md = ("# Rates\n\n## 4. Calculation\n\nEach price is converted from the quote currency "
          "to U.S. dollars if necessary using the reference rates.\n\n2\\. Convert the trade "
          "price of all observable transactions over the trailing 60 minutes for each of the "
          "markets to U.S. dollars if necessary.\n\nThis contingency rule "
          "is applied recursively if necessary.\n")
    assert run_check("discretionary_language", md, with_ir=True) == []
    open_condition = md + "\nThe committee will, if necessary, change the methodology.\n"
    assert run_check("discretionary_language", open_condition, with_ir=True) != []


def test_the_unit_a_price_is_quoted_per_is_no_variable(run_check: RunCheck) -> None:
    md = ("# Index\n\n## 3. Level\n\nLevel = Sum(w_i * P_i)\n\nwhere:\n\n"
          "- w_i = weight of metal i\n- P_i = Spot price of metal i (USD/oz)\n")
    assert run_check("formula_undefined_variables", md, with_ir=True) == []
    divided = md.replace("(USD/oz)", "(USD/k)").replace("Sum(w_i * P_i)", "Sum(w_i * P_i) / oz")
    assert run_check("formula_undefined_variables", divided, with_ir=True) != []


def test_units_after_numbers_and_a_statistic_named_in_code_are_no_variables(
    run_check: RunCheck,
) -> None:
    md = ("# TWAP\n\n## 2. Arithmetic\n\nThe mean is:\n$$TWAP = \\frac{\\$1 * (4s - 0s) + "
          "\\$6 * (5s - 4s)}{5s - 0s}$$\n\n## 3. Geometric\n\n$$GeometricMean(P) = "
          "2^{ArithmeticMean(log_{2}{P})}$$\n\nwhere P is the spot price.\n")
    assert run_check("formula_undefined_variables", md, with_ir=True) == []
    once = md.replace("(4s - 0s) + \\$6 * (5s - 4s)}{5s - 0s}", "4 + \\$6 * s}{5}")
    assert run_check("formula_undefined_variables", once, with_ir=True) != []
    unknown = md.replace("ArithmeticMean", "Adjust")
    assert run_check("formula_undefined_variables", unknown, with_ir=True) != []


def test_what_the_design_lets_someone_do_as_needed_is_no_open_condition(
    run_check: RunCheck,
) -> None:
    md = ("# Vaults\n\n## 2. Positions\n\nA position can be topped up with more collateral "
          "as needed.\n\nVaults can also be shut down manually if needed.\n\nThe data are "
          "read from the database, managing gaps and structuring them as needed.\n\n"
          "If needed, a more granular account system can be implemented on top.\n")
    assert run_check("discretionary_language", md, with_ir=True) == []
    # The same action as a rule of the method leaves its condition open.
    rule = md.replace("can be topped up", "is topped up")
    assert run_check("discretionary_language", rule, with_ir=True) == [
        "A position is topped up with more collateral as needed"
    ]


def test_a_sums_bound_variable_flattened_by_a_pdf_needs_no_definition(
    run_check: RunCheck,
) -> None:
    # A PDF prints the sum's limits "i=1" and "N" in the line: i ranges, it is not a quantity.
    md = ("# Index\n\n## 4. Calculation\n\nLevel = i=1 N (Weight * Price) / i\n\n"
          "where N is the number of assets, Weight is the asset weight, Price is the "
          "closing price.\n")
    assert run_check("formula_undefined_variables", md, with_ir=True) == []
    unbound = md.replace("i=1 N (Weight * Price) / i", "N * (Weight * Price) / k")
    assert run_check("formula_undefined_variables", unbound, with_ir=True) != []


def test_what_can_happen_in_extreme_circumstances_is_no_trigger(run_check: RunCheck) -> None:
    md = ("# Forks\n\n## 4. Governance\n\nIn extreme circumstances, forks can be hostile and "
          "result in market disruption.\n")
    assert run_check("undefined_trigger", md, with_ir=True) == []
    aim = ("# Funding\n\n## Cap\n\nThe cap aims to limit the costs incurred by traders, "
           "especially during volatile market conditions.\n")
    assert run_check("undefined_trigger", aim, with_ir=True) == []
    rule = ("# Forks\n\n## 4. Governance\n\nIn extreme circumstances, the committee "
            "suspends the index.\n")
    assert run_check("undefined_trigger", rule, with_ir=True) != []
    permitted = ("# Index\n\n## 7. Contingency\n\nUnder exceptional circumstances, an asset "
                 "can be removed from the index.\n")
    assert run_check("undefined_trigger", permitted, with_ir=True) != []


def test_an_operand_written_as_a_description_needs_no_definition(run_check: RunCheck) -> None:
    md = ("# Fair Price\n\n## Impact Price\n\n"
          "$$Impact\\ Bid\\ Price = Average\\ fill\\ price\\ to\\ execute\\ a\\ typical\\ "
          "short\\ trade$$\n")
    assert run_check("formula_undefined_variables", md, with_ir=True) == []


def test_how_often_a_market_event_happens_is_no_schedule(run_check: RunCheck) -> None:
    md = "# Patterns\n\n## 2. Setups\n\nAn Inside Day occurs frequently in range-bound markets.\n"
    assert run_check("vague_frequency", md, with_ir=True) == []
    schedule = "# Patterns\n\n## 2. Setups\n\nThe model is refitted frequently.\n"
    assert run_check("vague_frequency", schedule, with_ir=True) != []


def test_future_work_is_informative_and_tanh_is_a_function(run_check: RunCheck) -> None:
    md = ("# Regimes\n\n## 6. Future Directions\n\nThe approach requires significant "
          "computational resources.\n")
    assert run_check("vague_qualifiers", md, with_ir=True) == []
    formula = ("# Sizing\n\n## 2. Direction\n\nDirection = tanh(Signal * Gain)\n\nwhere "
               "Signal is the score, Gain is the slope.\n")
    assert run_check("formula_undefined_variables", formula, with_ir=True) == []


def test_bounds_a_heading_or_its_settings_define_have_their_value(run_check: RunCheck) -> None:
    headed = ("# LP\n\n## Bounds Calculation\n\nlower = price * (1 - offset)\n\n## States\n\n"
              "Out of range: the price is outside bounds.\n")
    settings = ("# LP\n\n## Parameters\n\n- `lower_price` / `upper_price`: Price range bounds\n\n"
                "## States\n\nThe executor opens positions within price bounds.\n")
    assert run_check("vague_thresholds", headed, with_ir=True) == []
    assert run_check("vague_thresholds", settings, with_ir=True) == []
    assert run_check("vague_thresholds", "Out of range: the price is outside bounds.\n") != []
    assert run_check("vague_thresholds",
                     "The executor opens positions within price bounds.\n") != []


def test_data_the_data_part_names_the_suppliers_of_is_sourced(run_check: RunCheck) -> None:
    body = "## Method\n\nThe index uses public price data from the listed feeds.\n"
    sources = ("## Data Sources\n\n| Source | Contributes |\n|---|---|\n"
               "| OpenRouter | Model prices |\n| LiteLLM | Pricing JSON |\n")
    whole = f"# Index\n\n{body}\n{sources}"
    assert run_check("unnamed_data_sources", whole, with_ir=True) == []
    assert run_check("unnamed_data_sources", f"# Index\n\n{body}") != []


def test_a_timing_word_its_paragraph_or_the_next_schedule_quantifies(run_check: RunCheck) -> None:
    vague = "Providers periodically submit prices for the feeds."
    paragraph = (f"# Oracle\n\n{vague} Submissions close after the reveal. Anchor feeds update "
                 "every 90 seconds.\n")
    schedule = (f"# Oracle\n\n{vague}\n\n## Settlement schedule\n\n| Period | Times (UTC) |\n"
                "|---|---|\n| 8 hours | 00:00, 08:00, 16:00 |\n")
    elsewhere = (f"# Oracle\n\n{vague}\n\n## Fees\n\n| Period | Times (UTC) |\n"
                 "|---|---|\n| 8 hours | 00:00, 08:00, 16:00 |\n")
    assert run_check("vague_frequency", paragraph, with_ir=True) == []
    assert run_check("vague_frequency", schedule, with_ir=True) == []
    assert run_check("vague_frequency", elsewhere, with_ir=True) != []
    assert run_check("vague_frequency", f"# Oracle\n\n{vague}\n", with_ir=True) != []


def test_a_judged_source_a_sources_part_names_is_no_finding(run_check: RunCheck) -> None:
    body = "## Index price\n\nThe index price is calculated from multiple major exchanges.\n"
    named = "## Exchange sources per pair\n\n- BTC: Binance, OKX, KuCoin\n"
    kinds = "## Input sources\n\nProtocol data is read via RPC from the vault contracts.\n"
    assert run_check("vague_qualifiers", f"# Feeds\n\n{body}\n{named}", with_ir=True) == []
    assert run_check("vague_qualifiers", f"# Feeds\n\n{body}\n{kinds}", with_ir=True) != []
    assert run_check("vague_qualifiers", f"# Feeds\n\n{body}", with_ir=True) != []


def test_suitable_for_a_task_promises_no_investor_anything(run_check: RunCheck) -> None:
    index = ("# Crypto Index\n\n## Introduction\n\nThe index tracks the largest "
             "cryptocurrencies.\n\n## Exchanges\n\nEach exchange must offer an API {claim}.\n")
    task = index.format(claim="suitable for data collection")
    person = index.format(claim="and the index is suitable for most crypto participants")
    assert run_check("risk_disclosure_missing", task) == []
    assert run_check("risk_disclosure_missing", person) != []


def test_a_short_us_zone_after_an_upper_case_pm_is_a_time_zone(run_check: RunCheck) -> None:
    rule = "Entries are allowed from 7:30 AM to 2:00 PM {zone} only.\n"
    assert run_check("calendar_unspecified", rule.format(zone="MT")) == []
    assert run_check("calendar_unspecified", rule.format(zone="")) != []
