"""Checks on the drafting habits of index providers' rulebooks (sentences written for these tests).

Equity, commodity and crypto index providers write their methodologies in a house style:
legends with Pandoc or HTML subscripts, tables of contents whose anchors number repeated
headings, change records in appendices, sample notifications, and governance sentences
whose conditions, degrees and periods are stated in the same sentence or the next one. Each
test pairs the benign wording with the wording a careful reviewer still raises, so that a
rule which went too wide fails here.
"""

from __future__ import annotations

from docsense.domain.ir import ReferenceKind
from docsense.domain.policies import Check, CheckKind
from docsense.extraction import extract_ir
from docsense.review.checks.registry import default_registry

from .conftest import RunCheck, context


def _hits(name: str, markdown: str):  # type: ignore[no-untyped-def]
    ctx = context(markdown, with_ir=True)
    return default_registry().run(ctx, Check(CheckKind.IR, {"check": name}))


def test_legend_subscripts_in_pandoc_or_html_markup_define_the_formula_symbols(
    run_check: RunCheck,
) -> None:
    md = ("# Index\n\n## Calculation\n\n$$\nIndex_{t} = \\frac{\\sum_{i=1}^{N} P_{i,t} \\times "
          "S_{i}}{Divisor}\n$$\nwhere,\n- **P~i,t~** is the price of constituent i at time t,\n"
          "- **S~i~** is the circulating supply of constituent i,\n"
          "- **Divisor** is the Index Divisor.\n\n"
          "$$\nRate_{i,t} = \\frac{\\sum TradeVolume_{i,t} \\times Q_{i}}{N}\n$$\n\nWhere:\n\n"
          "-   _`TradeVolume`<sub>i,t</sub>_ = Volume of each trade of asset i\n"
          "-   `N` = number of trades\n")
    assert run_check("formula_undefined_variables", md, with_ir=True) == [
        "Rate_{i,t} = \\frac{\\sum TradeVolume_{i,t} \\times Q_{i}}{N}"
    ]
    names = {t.term for t in extract_ir(md).terms}
    assert {"P_i,t", "S_i", "TradeVolume_i,t"} <= names


def test_one_symbol_left_undefined_under_two_running_indices_is_one_group() -> None:
    md = ("# Bins\n\n## Median\n\n1. For each trade k:\n    \\[ C_k = \\sum_{j=1}^{k} V_j \\]\n"
          "2. Total:\n    \\[ T = \\sum_{k=1}^{N} V_k \\]\n\nwhere C is the cumulative volume, "
          "T is the total volume and N is the number of trades.\n")
    hits = _hits("formula_undefined_variables", md)
    assert len(hits) == 2
    assert {h.subject for h in hits} == {"v"}


def test_a_contents_link_numbering_a_repeated_heading_resolves_to_the_heading() -> None:
    md = ("# Index\n\n- [Reconstitution](#reconstitution-1)\n- [Missing](#missing-part-1)\n\n"
          "## Index Reconstitution\n\nQuarterly.\n\n## Reconstitution\n\nBacktest.\n")
    refs = {r.target: r.resolved for r in extract_ir(md).references
            if r.kind is ReferenceKind.SECTION}
    assert refs == {"reconstitution": True, "missing-part-1": False}


def test_a_line_ending_in_a_lower_case_schedule_is_not_a_reference_to_schedule_a() -> None:
    md = ("# Index\n\nSpecial rebalance schedule\nA Special Rebalance may be triggered.\n\n"
          "The fees are listed in schedule\nB of the agreement.\n")
    targets = [r.target for r in extract_ir(md).references]
    assert targets == ["Schedule B"]


def test_a_limit_confined_to_named_cases_has_its_value(run_check: RunCheck) -> None:
    md = ("Generally, these situations would be limited to borderline cases.\n\n"
          "Each position is limited to a maximum.\n")
    assert run_check("vague_thresholds", md) == ["Each position is limited to a maximum"]


def test_a_minimum_defined_as_a_breakpoint_in_the_same_sentence_has_its_value(
    run_check: RunCheck,
) -> None:
    md = ("A new share class is eligible if it meets minimum size requirement (above the minimum "
          "market capitalization breakpoint defined\nas the smallest member of the index).\n\n"
          "A company is added if its weight is above the minimum.\n")
    assert run_check("vague_thresholds", md) == ["its weight is above the minimum"]


def test_a_threshold_the_rules_compute_is_not_left_without_a_value(run_check: RunCheck) -> None:
    md = ("- A dynamic threshold is determined as the maximum cumulative weight of the "
          "constituents outside the top 50%.\n"
          "- Companies at or below the dynamic threshold are considered for inclusion.\n"
          "- Companies above the liquidity threshold are kept.\n")
    assert run_check("vague_thresholds", md) == ["Companies above the liquidity threshold"]


def test_a_record_of_past_changes_and_a_sample_notice_are_informative(
    run_check: RunCheck,
) -> None:
    md = ("# Policy\n\n## Exchanges\n\nExchanges need sufficient liquidity.\n\n"
          "## Appendix 2: Methodology Changes\n\n| Date | Change |\n|---|---|\n"
          "| 11/1/2024 | Removed due to lack of sufficient USD liquidity |\n\n"
          "## Appendix C: Sample Client Notification\n\nStatus: estimated where appropriate.\n")
    assert run_check("vague_qualifiers", md, with_ir=True) == [
        "Exchanges need sufficient liquidity"
    ]
    assert run_check("discretionary_language", md, with_ir=True) == []


def test_a_vague_period_made_definite_in_the_same_paragraph_is_not_reported(
    run_check: RunCheck,
) -> None:
    md = ("# Governance\n\nThe Advisory Council is consulted on a periodic basis.\n"
          "Its meetings are held on an annual basis.\n\n"
          "The Index Committee meets on a periodic basis.\n\n"
          "The index rolls into the new weights during the regularly scheduled monthly roll "
          "period.\n\nCompanies may grow over time, or periodically undergo changes in style.\n")
    assert run_check("vague_frequency", md) == [
        "The Index Committee meets on a periodic basis"
    ]


def test_a_degree_stated_by_its_consequence_or_a_publishing_venue_is_no_judgement(
    run_check: RunCheck,
) -> None:
    md = ("A company is deleted if it undergoes a significant restructuring such that it no "
          "longer meets the eligibility criteria.\n\n"
          "Index levels are available through the website, major quote vendors and the press.\n\n"
          "Prices are taken from major exchanges.\n")
    assert run_check("vague_qualifiers", md) == ["Prices are taken from major exchanges"]


def test_a_necessity_whose_purpose_or_cases_the_sentence_states_is_defined(
    run_check: RunCheck,
) -> None:
    md = ("If necessary, the reweighting may take place more than once to ensure the indices "
          "conform to all diversification requirements.\n\n"
          "Capping is performed, as necessary, based on the following scenarios.\n\n"
          "Weights are adjusted if necessary.\n")
    assert run_check("discretionary_language", md) == ["Weights are adjusted if necessary"]


def test_discretion_ruled_out_is_not_discretion(run_check: RunCheck) -> None:
    md = ("No discretionary adjustments to formula components are permitted.\n\n"
          "The Sponsor may make discretionary adjustments to the weights.\n")
    assert run_check("discretionary_language", md) == [
        "The Sponsor may make discretionary adjustments"
    ]


def test_a_symbol_in_brackets_with_a_digit_is_defined_by_the_words_before() -> None:
    md = ("Returns are derived by dividing the ending period index value (IV1) by the beginning "
          "period (IV0) index value (Return = [(IV1 / IV0) - 1] * 100).\n")
    ir = extract_ir(md)
    assert {"IV1", "IV0"} <= {t.term for t in ir.terms}
    assert all(not f.undefined_variables for f in ir.formulas)


def test_calculated_as_of_a_date_is_timing_and_which_names_the_noun_before(
    run_check: RunCheck,
) -> None:
    md = ("The weights within this group are calculated as of the reference date.\n\n"
          "The quarterly process uses company-level weights, which are derived using the price "
          "and the shares outstanding of each security.\n")
    hits = _hits("calculation_in_words", md)
    assert [h.title for h in hits] == ["Calculation given only in words: company-level weights"]


def test_share_classes_considered_separately_is_a_rule_not_a_weighing(
    run_check: RunCheck,
) -> None:
    md = ("For any company with more than one share class, the securities are considered "
          "separately.\n\nLiquidity is considered in the selection.\n")
    assert run_check("unspecified_method", md) == ["Liquidity is considered"]


def test_a_formula_whose_operators_a_pdf_scattered_is_reported_as_an_unclear_parse() -> None:
    md = ("# Index\n\n## Return\n\n( * * )_{t Long Long Short Short}ExcessReturn = W ExcessReturn"
          " - W ExcessReturn (8)\n")
    hits = _hits("formula_undefined_variables", md)
    assert hits
    assert all(h.confidence < 0.85 for h in hits)
    assert all("unclear parse" in h.title for h in hits)


def test_a_line_equating_two_symbols_defines_the_first() -> None:
    md = ("# Index\n\n## Return\n\nTR_{t} = ( CDR_{t} + RiskFreeRate_{t} ) * Delta\n\n"
          "where:\nDelta = number of non-business days\n\nRiskFreeRate_{t} = GBR_{t}\n\n"
          "where:\nGBR_{t} = the daily compounding German Bubill Rate\n")
    (formula,) = [f for f in extract_ir(md).formulas if "CDR" in f.text]
    assert formula.undefined_variables == ("CDR_{t}",)


def test_a_site_menu_link_and_a_generator_anchor_are_not_findings(run_check: RunCheck) -> None:
    md = ("# VWAP Index\n\n[Skip to main content](#__docusaurus_skipToContent_fallback)\n\n"
          "* [Market Data](/market-data/)\n\nThe index screens on market data.\n")
    assert [r.target for r in extract_ir(md).references if not r.resolved] == ["/market-data/"]
    assert run_check("unnamed_data_sources", md) == ["The index screens on market data"]


def test_a_sentence_announcing_the_part_after_it_is_not_an_unspecified_method(
    run_check: RunCheck,
) -> None:
    md = ("The following section provides general guidelines for the handling of errors based "
          "on certain scenarios.\n\nErrors are corrected based on certain scenarios.\n")
    assert run_check("unspecified_method", md) == [
        "Errors are corrected based on certain scenarios"
    ]


def test_the_documents_upkeep_is_not_an_open_condition_of_the_method(
    run_check: RunCheck,
) -> None:
    md = ("This document will be updated as necessary and reviewed on an annual basis.\n\n"
          "Prices are adjusted as necessary.\n")
    assert run_check("discretionary_language", md) == ["Prices are adjusted as necessary"]


def test_the_events_under_a_conditional_lead_in_are_not_decisions(run_check: RunCheck) -> None:
    md = ("# Index\n\n## Divisors\n\nDivisors are adjusted to maintain index continuity when:\n"
          "- Constituents are added or removed\n- Corporate actions affect market cap\n\n"
          "## Selection\n\nConstituents are added or removed at each review.\n")
    assert run_check("decision_owner_missing", md, with_ir=True) == [
        "Constituents are added or removed at each review."
    ]


def test_a_replacement_to_keep_a_minimum_count_states_its_criterion(run_check: RunCheck) -> None:
    md = ("Index securities deleted during the year may be replaced to ensure a minimum of nine "
          "securities.\n\nComponents may be added or removed as part of the rebalancing.\n")
    assert run_check("changes_without_criteria", md) == [
        "Components may be added or removed as part of the rebalancing."
    ]


def test_a_supposition_is_not_a_dependency_of_the_method(run_check: RunCheck) -> None:
    md = ("We can also imagine that an auction could end once a given number of orders have "
          "been placed through the platform.\n\nOrders are routed through the platform.\n")
    assert run_check("unidentified_dependencies", md) == [
        "Orders are routed through the platform"
    ]


def test_notice_given_whenever_possible_is_one_finding_not_two(run_check: RunCheck) -> None:
    md = ("In any scenario where the treatment differs from the general rules, clients will "
          "receive sufficient notice, whenever possible.\n\n"
          "Changes are announced five days in advance where possible.\n")
    assert run_check("discretionary_language", md) == [
        "Changes are announced five days in advance where possible"
    ]
    assert run_check("vague_qualifiers", md) == ["clients will receive sufficient notice"]


def test_a_weekly_on_chain_schedule_whose_day_and_time_are_given_is_not_a_calendar_gap(
    run_check: RunCheck,
) -> None:
    body = ("The vault writes ETH call options on a weekly basis. The options are ERC20 "
            "tokens minted on-chain by a smart contract.\n\n")
    given = body + "On Friday 8 am UTC, the vault closes the previous round.\n"
    assert run_check("calendar_unspecified", given, with_ir=True) == []
    assert run_check("calendar_unspecified", body, with_ir=True) == ["on a weekly basis"]


def test_a_contract_seen_as_the_benchmark_is_a_role_not_an_unnamed_index(
    run_check: RunCheck,
) -> None:
    md = ("The front-month contract is the most actively traded and often seen as the "
          "benchmark.\n\nReturns are measured against the benchmark.\n")
    assert run_check("unnamed_benchmark", md) == ["Returns are measured against the benchmark"]


def test_a_policies_and_practices_document_is_named_whole() -> None:
    md = ("# Index\n\n## Closures\n\nFor information on Unexpected Exchange Closures, please "
          "refer to S&P Dow Jones Indices\u2019 Equity Indices Policies & Practices document.\n\n"
          "For recalculations, refer to the FTSE Russell Recalculation Policy and Guidelines.\n")
    names = [r.target for r in extract_ir(md).references if r.kind is ReferenceKind.EXTERNAL]
    assert names == [
        "S&P Dow Jones Indices\u2019 Equity Indices Policies & Practices",
        "FTSE Russell Recalculation Policy and Guidelines",
    ]


def test_weights_determined_proportionally_are_arithmetic_not_a_decision(
    run_check: RunCheck,
) -> None:
    md = ("As the front month approaches expiry, the weights of the other contracts are "
          "determined proportionally.\n\nThe weights of the other contracts are determined "
          "at each review.\n")
    assert run_check("decision_owner_missing", md, with_ir=True) == [
        "The weights of the other contracts are determined at each review."
    ]


def test_a_necessity_attached_to_a_quantified_rule_is_that_rules_trigger(
    run_check: RunCheck,
) -> None:
    md = ("The index is weighted by market capitalization, subject to weight caps, if "
          "necessary. The largest five companies are each capped at 7%.\n\n"
          "Rebalancing announcements, if needed, are made two days prior to the rebalancing "
          "date.\n\nWeights are adjusted if necessary.\n")
    assert run_check("discretionary_language", md, with_ir=True) == [
        "Weights are adjusted if necessary"
    ]


def test_a_running_index_a_pdf_glued_to_a_defined_name_is_that_name() -> None:
    md = ("# Index\n\n## Momentum\n\nPrice Momentum = (P1 / P0) - 1\n\n"
          "Where, P1 = Security price one month prior\nP0 = Security price a year prior\n\n"
          "Risk-adjusted Momentumi = Price Momentumi / Volatilityi\n\n"
          "Where, Volatilityi = Annualized standard deviation of weekly returns\n")
    (adjusted,) = [f for f in extract_ir(md).formulas if "Risk-adjusted" in f.text]
    assert adjusted.undefined_variables == ()


def test_clamp_is_a_function_not_an_undefined_variable() -> None:
    md = ("# Confidence\n\n## Terms\n\nfresh_term = clamp(1 - age / 60, 0, 1)\n\n"
          "where age is the age of the oldest quote in seconds.\n")
    (formula,) = extract_ir(md).formulas
    assert formula.undefined_variables == ()


def test_members_added_as_a_result_of_an_event_have_their_condition(run_check: RunCheck) -> None:
    md = ("All securities created as a result of the spin-off of an existing constituent will "
          "be added to the Index.\n\nComponents may be added or removed as part of the "
          "rebalancing.\n")
    assert run_check("changes_without_criteria", md) == [
        "Components may be added or removed as part of the rebalancing."
    ]



def test_a_code_block_formula_drops_its_comment_and_its_case_and_sets_constants() -> None:
    md = ("# Index\n\n## Interpolation\n\n```\nN30  = 30 * 1440\nN365 = 365 * 1440\n"
          "T1   = M1 / N365            # time to near expiry, years\n"
          "Q(K) = P(K)                      for K < F\n```\n\n"
          "where M1 is the number of minutes to the near expiry, P(K) the put price at strike "
          "K and F the forward.\n")
    formulas = {f.name: f for f in extract_ir(md).formulas}
    assert formulas["T1"].undefined_variables == ()
    assert all("years" not in v for f in formulas.values() for v in f.undefined_variables)


def test_fields_listed_in_code_with_their_meaning_in_brackets_are_defined() -> None:
    md = ("# Engine\n\n## Inputs\n\nPer option, the engine consumes:\n\n"
          "- `bid_price`, `ask_price` (quoted in coin)\n- `underlying_price` (USD spot)\n\n"
          "## Conversion\n\n```\nprice_usd = bid_price \u00d7 underlying_price\n```\n")
    names = {t.term for t in extract_ir(md).terms}
    assert {"bid_price", "ask_price", "underlying_price"} <= names
    (formula,) = extract_ir(md).formulas
    assert formula.undefined_variables == ()


def test_textrm_units_names_and_function_left_sides_are_read_as_written() -> None:
    md = ("# Rewards\n\n## Quotes\n\nThe reward is $$\\min\\{0.0007 ~\\textrm{ETH}, 6 "
          "~\\textrm{COW}\\}$$ per quote.\n\n## Shares\n\n$$\n\\textrm{orderShare}_i(o) = "
          "\\frac{\\textrm{surplus}_i(o)}{\\sum_{j} \\textrm{surplus}_j(o)}\n$$\n\n"
          "where $$\\textrm{surplus}_i(o)$$ is the surplus solver i proposed for order o.\n\n"
          "$$\n\\textrm{consistencyMetric}_i = \\sum_{o} \\textrm{orderShare}_i\n$$\n")
    formulas = extract_ir(md).formulas
    assert {f.name for f in formulas} >= {"orderShare_i", "consistencyMetric_i"}
    assert all(not f.undefined_variables for f in formulas)


def test_a_where_line_in_code_defines_its_name_and_an_example_aside_is_no_operand() -> None:
    md = ("# Auction\n\n## Price\n\n```\nAuction Price = start_price + (end_price - "
          "start_price) x progress\n\nwhere progress = min(1, elapsed / duration)\n```\n\n"
          "where start_price and end_price are the auction's bounds, elapsed the slots since it "
          "began and duration its length in slots.\n\n"
          "- Slot 0: auction price = `auctionStartPrice` (e.g., oracle + 0.10%), taker pays "
          "above oracle\n")
    undefined = {v for f in extract_ir(md).formulas for v in f.undefined_variables}
    assert "progress" not in undefined
    assert not {"e.g", "oracle"} & undefined


def test_number_sets_such_that_and_hbox_words_are_not_variables() -> None:
    md = ("# Orders\n\nLet $$k$$ be the number of tokens. A fee is a function $$f_S:S "
          "\\rightarrow \\mathbb R^k_+$$ with $$f_S(0)=0$$. With x the buy amount, y the sell "
          "amount, Y the order's size and $$\\pi$$ its limit price, a sell order has the form\n\n"
          "$$S=\\left\\{\\begin{bmatrix} x \\\\-y \\end{bmatrix}~~s.t. ~~\\frac{y}{\\pi}\\leq x "
          "\\hbox{ and } y\\in\\{0,Y\\} \\right\\},$$\n")
    undefined = {v for f in extract_ir(md).formulas for v in f.undefined_variables}
    assert not {"R", "s", "t", "and"} & undefined


def test_letters_that_denote_or_follow_their_words_in_emphasis_are_defined() -> None:
    md = ("The utility is\n\n$$U(x,-y)= x-y / \\pi$$,\n\ni.e., the extra amount received.\n\n"
          "### Buy Orders\n\nA _buy order_ is specified by a maximum buy amount _X_ > 0 and a "
          "limit price $$\\pi$$. With _x_ denoting the buy amount and _y_ denoting the sell "
          "amount of the order, the order has the form\n\n"
          "$$S = \\{ (x, -y) : y \\leq x \\cdot \\pi, x \\in [0, X] \\}$$\n\n"
          "where $$\\pi$$ is the limit price.\n")
    formulas = extract_ir(md).formulas
    assert formulas
    assert all(not f.undefined_variables for f in formulas)


def _titles(name: str, markdown: str) -> list[str]:
    return [h.title for h in _hits(name, markdown)]


def test_discretion_granted_in_words_is_discretion_unless_it_is_anyones_option() -> None:
    doc = "# Index\n\n## Maintenance\n\n{sentence}\n"
    for granted in (
        "The Index Committee reserves the right to relax the eligibility criteria.",
        "Voters are free to come to an alternative consensus if a flaw is identified.",
        "The sponsor may elect to remove the constituent from the index.",
    ):
        assert _titles("discretionary_language", doc.format(sentence=granted)) == [
            "Decisions left to discretion"
        ], granted
    for option in (
        "Anyone is free to construct their own visualisation of the index.",
        "Holders may elect to redeem their tokens at the end of each month.",
        "The price of the token is free to float against the dollar.",
    ):
        assert _titles("discretionary_language", doc.format(sentence=option)) == [], option


def test_a_condition_in_a_rationale_or_a_meeting_agenda_is_not_an_open_condition() -> None:
    doc = "# Index\n\n## Spin-offs\n\n{sentence}\n"
    reasons = (
        "Keeping them in the parent index where appropriate, helps the Index Committee meet "
        "the objective of minimizing turnover when possible.",
        "The provider believes turnover in index membership should be avoided when possible.",
        "The committee meets monthly to review market events, revise index policies as "
        "required and review consultation results.",
    )
    for sentence in reasons:
        assert _titles("discretionary_language", doc.format(sentence=sentence)) == [], sentence
    rule = "Spin-offs are kept in the parent index where appropriate."
    assert _titles("discretionary_language", doc.format(sentence=rule)) == [
        "Condition not defined: 'where appropriate'"
    ]


def test_a_judgement_in_an_aim_a_risk_a_topic_an_agenda_or_a_step_summary_is_no_criterion() -> None:
    doc = "# Index\n\n## Eligibility\n\n{sentence}\n"
    benign = (
        "Assets are required to meet minimum liquidity requirements to ensure that a given "
        "asset has appropriate liquidity to facilitate trading and portfolio management with "
        "acceptable levels of market impact.",
        "- Assets with extremely low prices are susceptible to liquidity issues if the minimum "
        "price fluctuation of an asset represents a meaningful percentage of its price.",
        "The indexes are governed by policies which outline the administration, oversight, "
        "conflicts of interest, significant changes and terminations.",
        "The committee meets monthly to review any significant market events.",
        "The third step relates to how to select a unique set of high-quality constituent "
        "markets for each asset.",
    )
    for sentence in benign:
        assert _titles("vague_qualifiers", doc.format(sentence=sentence)) == [], sentence
    raised = "- Assets must have acceptable levels of market impact."
    assert _titles("vague_qualifiers", doc.format(sentence=raised)) == [
        "'acceptable levels' is not quantified"
    ]


def test_a_limit_a_step_computes_has_its_value() -> None:
    doc = ("# Rate\n\n## Active markets\n\n1. {step}\n2. Exclude any venue whose time since "
           "its last trade exceeds the active market cutoff.\n")
    computed = "Establish the active market cutoff by multiplying the mean trade interval by 100."
    assert _titles("vague_thresholds", doc.format(step=computed)) == []
    other = "Collect all trades of the constituent markets over the previous 60 minutes."
    assert _titles("vague_thresholds", doc.format(step=other)) == [
        "Threshold or limit has no value"
    ]


def test_a_part_named_by_its_title_resolves_against_the_headings() -> None:
    doc = ("# Index\n\n## 3 Removals\n\nConstituents are not removed between reviews except in "
           "scenarios as articulated in the {title} section.\n\n## {heading}\n\nText.\n")
    missing = "Referenced but not included: the Contingency Rules section"
    assert _titles("unresolved_references", doc.format(
        title="Contingency Rules", heading="7.9 Index Contingency")) == []
    assert _titles("unresolved_references", doc.format(
        title="Contingency Rules", heading="7.9 Index Calculation")) == [missing]
    # another text's section, and a position, are not parts of this document
    other = ("# Index\n\n## Rules\n\nSee the Overview section of the Index Methodology. Then "
             "read the Following section.\n")
    assert _titles("unresolved_references", other) == []


def test_the_exchange_time_zone_of_the_data_is_a_time_zone() -> None:
    doc = ("# Strategy\n\n## Trading hours\n\nTrading starts at 06:00 and ends at 18:00.{zone}\n")
    zone = (" Time comparisons are performed in the exchange time zone carried by the incoming "
            "candle messages.")
    assert _titles("calendar_unspecified", doc.format(zone=zone)) == []
    assert "Time of day has no time zone" in _titles("calendar_unspecified", doc.format(zone=""))


def test_a_table_of_settings_with_defaults_gives_the_configurable_values() -> None:
    doc = ("# Strategy\n\n## Entry\n\nEnter when the candle volume meets the configured "
           "threshold.\n\n## Parameters\n\n| Property | {column} | Description |\n|---|---|---|\n"
           "| `MinVolume` | 3000 | Minimum candle volume |\n")
    assert _titles("vague_thresholds", doc.format(column="Default")) == []
    assert _titles("vague_thresholds", doc.format(column="Type")) == [
        "Configurable value not given: 'configured threshold'"
    ]


def test_what_a_governing_body_reviews_is_its_agenda() -> None:
    doc = "# Index\n\n## Index Committee\n\n{sentence}\n"
    agenda = "Each quarter, the Committee reviews any significant market events."
    assert _titles("vague_qualifiers", doc.format(sentence=agenda)) == []
    described = "Each quarter, significant market events are summarised in a report."
    assert _titles("vague_qualifiers", doc.format(sentence=described)) == [
        "Judgement in a description: 'significant market'"
    ]
