"""Literal prefilters never skip a text a pattern matches (so they change no result).

Every check and extractor that tests for words before running a pattern relies on one claim:
a text the pattern matches passes the test. It is checked here on the labelled documents,
on one example per branch of each pattern, on texts generated from each pattern, and on
texts built from the patterns' own words in mixed case (with the characters that
case-insensitive matching treats specially).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docsense._literals import folded, mentions
from docsense.extraction import parameters as xparameters
from docsense.extraction import references as xreferences
from docsense.extraction import terms as xterms
from docsense.review.checks import (
    base,
    calendar,
    completeness,
    consistency,
    formulas,
    methodology,
    references,
    sources,
    thresholds,
)

Test = Callable[[str], bool]


def _any(words: tuple[str, ...]) -> Test:
    return lambda text: mentions(folded(text), words)


def _threshold(kind: str) -> Test:
    groups = next(g for _, k, g in thresholds._THRESHOLD_PATTERNS if k == kind)
    if kind == "stated":
        return lambda text: mentions(folded(text), groups[0]) or bool(
            thresholds._MIN_MAX.search(folded(text))
        )
    return lambda text: all(mentions(folded(text), words) for words in groups)


# (pattern, the test run before it); a test on the raw text for case-sensitive patterns.
PREFILTERS: list[tuple[re.Pattern[str], Test]] = [
    (thresholds._COMPARE_LIMIT, _threshold("limit")),
    (thresholds._UNSIZED_WINDOW, _threshold("window")),
    (thresholds._LIMIT_STATED, _threshold("stated")),
    (thresholds._COMPARE_OTHER, _threshold("other")),
    (thresholds._QUALIFIER, _any(thresholds._QUALIFIER_WORDS)),
    (thresholds._VAGUE_TRIGGER, _any(thresholds._TRIGGER_WORDS)),
    (thresholds._CONFIGURABLE, _any(thresholds._CONFIGURABLE_WORDS)),
    (thresholds._FREQUENCY, _any(thresholds._FREQUENCY_WORDS)),
    (thresholds._PERIODIC_EVENT, _any(thresholds._EVENT_WORDS)),
    (base._PURPOSE_LEAD, lambda text: ":" in text),
    (consistency._CONSTRAINT, lambda text: bool(consistency._DIGIT.search(text))),
    (consistency._FREQ_STATEMENT, _any(consistency._ACTION_WORDS)),
    (consistency._WEIGHTING, _any(("weight",))),
    (completeness._DEFERRED, lambda text: completeness._may_defer(folded(text))),
    (completeness._WEIGHTING, _any(("weight",))),
    (completeness._RESET_EVENT, _any(completeness._RESET_WORDS)),
    (completeness._MEMBERSHIP_CHANGE, _any(completeness._CHANGE_WORDS)),
    (formulas._CALCULATED, _any(formulas._CALCULATED_WORDS)),
    (methodology._METHOD, lambda text: methodology._may_name_method(folded(text))),
    (methodology._DISCRETION, _any(methodology._DISCRETION_WORDS)),
    (methodology._OPEN_CONDITION, _any(methodology._OPEN_CONDITION_WORDS)),
    (methodology._VAGUE_TRIGGER, _any(methodology._TRIGGER_WORDS)),
    (sources._GENERIC_SUPPLIER, _any(sources._SUPPLIER_WORDS)),
    (sources._DATA_FAMILY, _any(sources._DATA_FAMILY_WORDS)),
    (sources._DEPENDENCY, _any(sources._DEPENDENCY_WORDS)),
    (sources._DEFINED_ELSEWHERE, _any(sources._ELSEWHERE_WORDS)),
    (sources._ORACLE_FEEDS, _any(("oracle",))),
    (references._SUMMARY_ONLY, _any(references._SUMMARY_WORDS)),
    (references._ON_REQUEST, _any(references._REQUEST_WORDS)),
    *((pattern, _any(words)) for pattern, words in calendar._WORDS.items()),
    (calendar._DAILY_VALUE, _any(calendar._DAILY_VALUE_WORDS)),
    (
        calendar.ALWAYS_OPEN,
        lambda text: mentions(folded(text), calendar._ALWAYS_OPEN_WORDS)
        or bool(calendar._DEFI.search(folded(text))),
    ),
    (xparameters._VALUE_RE, lambda text: bool(xparameters._DIGIT.search(text))),
    (xparameters._MEASURE, lambda text: bool(xparameters._DIGIT.search(text))),
    (
        xparameters._LABEL_LINE,
        lambda text: bool(xparameters._DIGIT.search(text)) and (":" in text or "=" in text),
    ),
    (xterms._MEANS, lambda text: mentions(text, xterms._VERB_WORDS)),
    (xterms._QUOTED_MEANS, lambda text: mentions(text, xterms._Q_OPEN)),
    (xterms._PAREN, lambda text: mentions(text, xterms._Q_OPEN)),
    (xterms._WHERE_INLINE, lambda text: "where" in folded(text)),
    (xterms._WHERE_HEAD, lambda text: "where" in folded(text)),
    (xreferences._INTERNAL, _any(xreferences._INTERNAL_WORDS)),
    (xreferences._EXTERNAL_DOC, lambda text: mentions(text, xreferences._DOC_NOUN_WORDS)),
    (xreferences._URL, lambda text: "://" in text),
    (xreferences._LINK, lambda text: "](" in text),
]

# At least one match per branch of the patterns with several kinds of prefilter word.
EXAMPLES = [
    "The weight falls below the minimum threshold allowed.",
    "Trading stops outside the tolerance band.",
    "Exposure is held at the cap level.",
    "The lookback period is used. The time between two consecutive rebalances.",
    "Positions are capped. Weights are floored. Leverage is capped to prevent losses.",
    "The minimum size is enforced. A token with a minimum market cap.",
    "Max exposure is applied. Assets with a MAXIMUM rating are kept.",
    "Returns greater than the inflation rate. Prices above the prevailing market rate.",
    "When benefits exceed the costs, it trades.",
    "If drift becomes significant. At the agent's judgement. In its sole judgment.",
    "Observed at the 4pm fixing, by 5 p.m. or 11 AM. After the daily cut-off. Five days before.",
    "Taken from the usual market sources. Taken from the Annual Weights Report.",
    "Reviewed against the firm's Risk Appetite Statement. Follows the LME Disruption Protocol.",
    "As assessed by the Sponsor's external infrastructure consultant.",
    "If weights drift materially. When spreads widen too far. Should prices move sharply.",
    "If the price is significantly different. When risk is too high. If it is unusually thin.",
    "Sufficient liquidity. High-quality assets. Well-known exchanges. Insufficient depth.",
    "A configurable duration, a configured bid factor, an adjustable cap, a tunable spread.",
    "Reviewed periodically, at regular intervals, on an ad-hoc basis, from time to time, "
    "in a timely manner, regularly and routinely.",
    "Quarterly rebalancing. Rebalancing is monthly. Reviews are annually.",
    "This approach ensures that:",
    "Weight between 5% and 10%. At least 3 years. No more than $5 million.",
    "It is rebalanced quarterly. Semi-annual reconstitution. Reweighting done weekly.",
    "Equal-weighted. Weighted equally. Market-cap weighted. Weighted by dividend yield.",
    "The fee is to be agreed. It will be finalised. Still being discussed. TBD. tbc.",
    "The rate is to be determined. To be announced. Defined at a later stage. "
    "In due course. The split is not yet final. The list is not yet known. "
    "It is preliminary. This is a draft. Details of the fee will be provided.",
    "Constituents are weighted by market cap. Components may be added or removed.",
    "Index review of the constituents. Quarterly reviews. Re-weighting happens.",
    "Using standard methodology. By proprietary statistical models. Via algorithms.",
    "Based on market conditions. Derived from several signals. Are considered. "
    "Is taken into account. With some adjustments for liquidity. Tilted towards value. "
    "Chosen primarily based on size. Determined by an off-chain algorithm.",
    "In its sole discretion. Discretionary overrides. As it deems fit. Deemed "
    "appropriate by the Sponsor. On a case-by-case basis. Subjective judgement.",
    "Where appropriate, if necessary, as needed, when practicable.",
    "During Black Swan events. In extreme market conditions. Under stressed scenarios.",
    "From third-party data providers. Via pricing services. Using rating agencies.",
    "Credit ratings, social media, macroeconomic data, news flow, analyst estimates, "
    "market data.",
    "Through an external risk model. With independent advisors. On exchanges.",
    "As described in the original paper. A rough approximation of this strategy.",
    "Prices come from Chainlink price oracles.",
    "This is only a summary of the rules, available upon request from the Sponsor.",
    "It is not a complete description; the proprietary methodology is not published.",
    "Over the previous 60 days. A 3-month return. Past 6 weeks.",
    "Last business day of each month. Month-end. End of each quarter. Next available day. "
    "Non-trading days. Each trading day. Third Friday of each month. Market holidays. "
    "First week of the month. On a weekly schedule.",
    "At market close. Market open the next day. End of the trading day. Cut-off time. "
    "16:00. After the close of trading. Close of business. Local time.",
    "Calculated daily. Daily closing prices. End-of-day values. Closing price.",
    "Positions roll shortly before expiry. Weights are fixed a few days before the roll. "
    "Trades happen around month-end.",
    "A trade is entered when the carry exceeds the hurdle rate.",
    "The list is supplied by an external research partner.",
    "Crypto tokens on-chain trade 24/7 in DeFi, decentralised finance, stablecoins, "
    "Ethereum and Bitcoin.",
    "- Rebalance Threshold: 5%\nA cap of 10% applies, and a 20-day moving average.",
    '"Business Day" means any day. The Cap means 10%. (the "Index")',
    "where X is the price and Y denotes the weight",
    "Where:",
    "See Section 3.2, Appendix B, \u00a7 4, Annex A, Schedule 1, Exhibit C, Table 2.",
    "As described in the Index Rulebook. See https://example.org and [the site](https://x.y).",
    "The \u0130NDEX is cal\u0131brated. The \u017fection 3 applies. Ca\u212aed.",
]


def _corpus() -> list[str]:
    root = Path(__file__).resolve().parents[2] / "data" / "labelled" / "docs"
    texts = list(EXAMPLES)
    for path in sorted(root.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        texts.extend(block for block in text.split("\n\n") if block.strip())
    return texts


CORPUS = _corpus()


@pytest.mark.parametrize(
    ("pattern", "test"), PREFILTERS, ids=lambda p: getattr(p, "pattern", "")[:30]
)
def test_a_text_the_pattern_matches_passes_its_prefilter(
    pattern: re.Pattern[str], test: Test
) -> None:
    matched = 0
    for text in CORPUS:
        for m in pattern.finditer(text):
            matched += 1
            assert test(text), (pattern.pattern[:60], text[:200])
            # The words are inside the match (or the character after it, for a boundary).
            assert test(text[m.start() : m.end() + 1]), (pattern.pattern[:60], m.group(0))
    assert matched, "no example matches the pattern"


def _words() -> list[str]:
    found: set[str] = set()
    for pattern, _ in PREFILTERS:
        found.update(re.findall(r"[A-Za-z]{2,}", pattern.pattern))
    return sorted(found)


WORDS = _words()
TOKEN = st.one_of(
    st.sampled_from(WORDS).flatmap(
        lambda w: st.sampled_from([w, w.lower(), w.upper(), w.title(),
                                   w.replace("i", "\u0131"), w.replace("s", "\u017f"),
                                   w.replace("I", "\u0130").replace("i", "\u0130")])
    ),
    st.sampled_from(["5", "10%", "$3", "16:00", "-", ":", "=", ",", ".", '"', "(", ")", "/"]),
)
TEXT = st.lists(TOKEN, min_size=1, max_size=12).flatmap(
    lambda tokens: st.lists(st.sampled_from([" ", " ", " ", "\n", "-", ""]),
                            min_size=len(tokens), max_size=len(tokens)).map(
        lambda seps: "".join(t + s for t, s in zip(tokens, seps, strict=True))
    )
)


@settings(max_examples=1500, deadline=None)
@given(text=TEXT)
def test_generated_texts_that_match_pass_every_prefilter(text: str) -> None:
    for pattern, test in PREFILTERS:
        if pattern.search(text):
            assert test(text), (pattern.pattern[:60], text)


@pytest.mark.parametrize(
    ("pattern", "test"), PREFILTERS, ids=lambda p: getattr(p, "pattern", "")[:30]
)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_texts_drawn_from_the_pattern_pass_its_prefilter(
    pattern: re.Pattern[str], test: Test, data: st.DataObject
) -> None:
    text = data.draw(st.from_regex(pattern))
    if pattern.search(text):
        assert test(text), (pattern.pattern[:60], text)


def test_folded_keeps_length_and_finds_every_case_insensitive_letter() -> None:
    for cp in range(sys.maxunicode + 1):
        char = chr(cp)
        variants = char.lower() + char.upper() + char.casefold()
        if char.isascii() or not any(c.isascii() and c.isalpha() for c in variants):
            continue
        low = folded(char)
        assert len(low) == 1
        for letter in "abcdefghijklmnopqrstuvwxyz":
            if re.fullmatch(letter, char, re.IGNORECASE):
                assert low == letter, (hex(cp), letter)
    assert folded("\u0130NDEX \u017fection ca\u0131\u212a") == "index section caik"
