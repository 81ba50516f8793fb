"""Data sources and external dependencies that are used but not identified.

- ``unnamed_data_sources``: data taken "from the pricing vendor", "from pricing service",
  "from the data provider" (a generic supplier, no name), and data families whose supplier
  varies ("credit ratings", "social media", "economic indicators", "sentiment measures")
  mentioned in a sentence that names no source, and data said to come from a supplier
  described only by its kind ("Bid prices come from a loan pricing service").
- ``unidentified_dependencies``: systems, models and parties relied on but not named
  ("from the risk model", "the analytics platform", "consult external manager",
  "trade on exchanges").
- ``fx_rates_unsourced``: amounts converted into another currency ("revenue converted to US
  dollars", "using closing exchange rates") where neither the sentence nor the document
  names the rates' publisher or source.
- ``analysis_undated``: an analysis the document reports ("the amount required to move the
  price 50 bps was sampled", "data used has been sourced from:", "we examine each
  constituent's native asset") with no date for its data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.policies import Check
from docsense.review.checks.base import (
    SET_OUT_HERE,
    CheckContext,
    CheckHit,
    TextUnit,
    clause_start,
    folded,
    is_informative_heading,
    mentions,
    noun_goes_on,
)

__all__ = [
    "analysis_undated",
    "fx_rates_unsourced",
    "market_data_unsourced",
    "unidentified_dependencies",
    "unnamed_data_sources",
]

_GENERIC_SUPPLIER = re.compile(
    r"\b(?:from|by|via|through|using|per)\s+(?:(?:the|a|an|our|its|their|various|multiple|"
    r"external|third[- ]party|approved|designated|selected|preferred|primary|standard)\s+)*"
    # one more word that says nothing of who it is: "from a leading market data vendor"
    r"(?:(?:leading|major|reputable|recognised|recognized|independent|established|"
    r"commercial|specialist|well[- ]known|usual|appropriate|suitable)\s+)?"
    r"(?:(?:pricing|price|data|market|market[- ]data|reference[- ]data|rating|ratings|index|"
    r"quote|quotes|news|information|benchmark)\s+)?"
    r"(?:vendors?|providers?|services?|sources?|feeds?|suppliers?|agenc(?:y|ies)|databases?|"
    r"terminals?)\b",
    re.IGNORECASE,
)
# Providers that are participants of the document's own protocol: "data providers are chosen
# based on their scores", "all data providers are entitled to a reward", "the vote power of
# data providers".
_PROVIDERS_AS_ROLE = re.compile(
    r"\b(?:data|price)\s+providers?\s+(?:are|is|must|will|can|may)\s+(?:\w+\s+)?(?:chosen|"
    r"selected|rewarded|elected|registered|whitelisted|staked|penali[sz]ed|slashed|entitled|"
    r"incentivi[sz]ed|ranked|scored|paid|delegated)\b"
    r"|\bvote\s+powers?\s+of\s+(?:all\s+|the\s+)?(?:data|price)\s+providers\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(?:not|never|no|nor|cannot)\b|n't\b", re.IGNORECASE)
# A fallback whose supplier is left open: "if data are not available ... other data sources
# may be used", "alternative price providers". Not the suppliers a data part names: others.
_OTHER_SUPPLIER = re.compile(
    r"\b(?:other|alternative|additional|backup|fallback|secondary)\s+(?:(?:data|price|pricing|"
    r"market[- ]data)\s+)?(?:sources?|providers?|vendors?|feeds?|suppliers?)\b"
    r"(?=\s+(?:may|might|can|could|will|shall|are|is|would)\b)",
    re.IGNORECASE,
)
_PLACE_NAMED = re.compile(
    r"\b(?:into|onto|on|with|via|through|from|to|at|in|using)\s+(?:the\s+)?"
    r"(?:[A-Z][a-z]+[A-Z]?[a-zA-Z&]*|[A-Z]{2,})\b"
)
# "per provider", "per source": distributive ("for each"), when no data word qualifies it.
_EACH = re.compile(r"per\s+(?:(?:the|a|an|each)\s+)?[a-z]+$", re.IGNORECASE)
_ANY_DATA = re.compile(
    r"\b(?:any|all|such)\s+(?:[\w-]+\s+){0,2}(?:data|information|prices?|values?|inputs?)\b",
    re.IGNORECASE,
)
_DATA_FAMILY = re.compile(
    r"\b(?:credit\s+ratings?|social\s+media|economic\s+(?:indicators|data|releases)|"
    r"macro(?:economic)?\s+(?:indicators|data)|sentiment\s+(?:measures|data|indicators|scores)|"
    r"news\s+(?:feeds?|flow|data)|alternative\s+data|analyst\s+(?:estimates|forecasts)|"
    r"consensus\s+(?:estimates|forecasts)|market\s+data|pricing\s+data|price\s+data)\b",
    re.IGNORECASE,
)
# The data word names a kind of business: "search engines, social media and networking
# platforms", "market data companies". A sector's description, not data the method uses.
_KIND_OF_BUSINESS = re.compile(
    r"\s+(?:(?:and|or|&)\s+[\w-]+\s+)?(?:platforms?|compan(?:y|ies)|firms?|businesses|sites?|"
    r"networks?|industr(?:y|ies)|sectors?|outlets?)\b",
    re.IGNORECASE,
)
_SOURCE_WORDS = re.compile(
    r"\b(?:source[sd]?|sourced|provided\s+by|supplied\s+by|published\s+by|obtained\s+from|"
    r"vendor|provider)\b"
    # "we consume the market data from the exchange we are sending orders into": the venue
    # the method trades on is the source
    r"|\bfrom\s+the\s+(?:exchange|venue|market)s?\s+(?:(?:that\s+|which\s+)?(?:we|it|they|the\s+"
    r"\w+)|(?:on|to|into)\s+which)\s+(?:are\s+|is\s+)?(?:send|sending|sends|trade|trades|"
    r"trading|quote|quotes|quoting|place|places|placing|route|routes|routing)\b",
    re.IGNORECASE,
)
_DEPENDENCY = re.compile(
    r"\b(?:from|by|via|through|using|with|consult|consults|consulting|on)\s+"
    r"(?:(?:the|an?|our|its|their|external|third[- ]party|outside|independent|internal)\s+)*"
    r"(?:(?:risk|pricing|analytics|execution|trading|portfolio|order|valuation|"
    r"investment)\s+)?"
    r"(?:models?|platforms?|systems?|engines?|managers?|advis[eo]rs?|brokers?|"
    r"counterpart(?:y|ies)|custodians?|exchanges)\b"
    # An outside party described by its trade and nothing else: "supplied by an external
    # research partner", "from a third-party due-diligence provider" (a data vendor is a
    # data source, which unnamed_data_sources reports)
    # ("by the Sponsor's external infrastructure consultant": whose party, in the possessive)
    r"|\b(?:from|by|via|through|using|with)\s+(?:an?|the|one|some|(?:the\s+)?[A-Z][\w-]*"
    r"(?:'s|\u2019s))\s+"
    r"(?:external|third[- ]party|outside|independent|unaffiliated)\s+"
    r"(?!(?:[\w-]+\s+)?(?:data|pricing|prices?|quotes?|ratings?|index|benchmark|news|"
    r"information)\b)(?:[a-z][\w-]*\s+){0,2}?"
    r"(?:partners?|providers?|firms?|consultants?|consultancy|agenc(?:y|ies)|contractors?|"
    r"specialists?|companies|company)\b"
    # A model or file of some desk or outside party, described by what it does: "supplied
    # by the desk's basket pricing model", "taken from the Research Team's current parameter
    # file", "from a third-party language model" ("by an asset allocation model which
    # compares ..." is the document's own, described where it is used)
    r"|\b(?:from|by|via|through|using|with|on)\s+(?:the|an?|our|its|their)\s+"
    r"(?:(?:[\w-]+\s+){0,2}?[\w-]+(?:'s|\u2019s)\s+|(?=(?:third[- ]party|external|outside|"
    r"vendor|proprietary)\s))"
    r"(?:(?!(?:of|and|or|the|a|an)\b)[a-z][\w-]*\s+){1,2}(?:models?|files?|"
    r"spreadsheets?)\b"
    # A party of the house known by its trade, setting an input: "the calendar maintained by
    # the economics team", "as set each year by the Index's agronomy adviser" (a choice
    # "as chosen by the execution desk" is discretion: discretionary_language)
    r"|\b(?:maintained|set|supplied|provided|kept|published)\s+"
    r"(?:each\s+\w+\s+)?by\s+the\s+(?:(?:[\w-]+\s+){0,2}?[\w-]+(?:'s|\u2019s)\s+)?"
    r"(?:(?!(?:of|and|or|the|a|an)\b)[a-z][\w-]*\s+){1,2}(?:teams?|desks?|advis[eo]rs?|"
    r"panels?)\b",
    re.IGNORECASE,
)
# The words before the thing relied on: "rely on the risk model" and "projected by the risk
# model" are one dependency, "risk model".
_DEPENDENCY_LEAD = re.compile(
    r"^(?:from|by|via|through|using|with|consult\w*|on)\s+(?:(?:the|an?|our|its|their)\s+)*"
)
# What using a thing entails, not reliance on it: "the risks of using the system".
_RISKS_OF = re.compile(
    r"\b(?:risks?|dangers?|costs?|benefits?|advantages?|disadvantages?|drawbacks?)\s+of\s*$",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b(?:[A-Z][a-zA-Z&]+|[A-Z]{2,})\b")
_LISTED = re.compile(r"\b(?:listed|listing|list)\s*$", re.IGNORECASE)
# Market data a rule computes with or screens on.
_MARKET_DATA = re.compile(
    r"\b(?:market\s+cap(?:itali[sz]ation)?s?|mcap|fully\s+diluted\s+(?:market\s+cap|value\w*)|"
    r"prices?|closing\s+(?:prices?|levels?)|trading\s+volumes?|volumes?|liquidity|revenues?|"
    r"valuations?|net\s+asset\s+values?|NAV|exchange\s+rates?|interest\s+rates?|yields?|"
    r"circulating\s+supply|supply|free[- ]float|dividends?|ratings?|spreads?)\b",
    re.IGNORECASE,
)
# The product's own takings, not market data: "a revenue split", "revenue from the fee".
_OWN_REVENUE = re.compile(
    r"revenues?\s+(?:split|share|sharing)\b|revenues?\s+from\s+(?:the\s+)?(?:[\w-]+\s+){0,3}"
    r"fees?\b",
    re.IGNORECASE,
)
# A source named in the sentence: "from Coingecko", "as published by Bloomberg", "(Chainlink)".
_NAMED_SOURCE = re.compile(
    r"\b(?:from|by|on|via|per|using|according\s+to|as\s+(?:published|reported|provided)\s+by|"
    r"sourced\s+from|obtained\s+from|provided\s+by)\s+(?:the\s+)?(?:[A-Z][\w.&'-]*|[A-Z]{2,})"
    r"|\b(?:Bloomberg|Reuters|Refinitiv|FactSet|Coingecko|CoinGecko|CoinMarketCap|Chainlink|"
    r"Kaiko|Messari|Dune|Uniswap|S&P|MSCI|FTSE|ICE|CME|Nasdaq|NYSE)\b"
)
_SOURCE_HEADING = re.compile(r"\bdata\b|\bsources?\b|\binputs?\b|\bprices?\b", re.IGNORECASE)
_SETS_A_RULE = re.compile(
    r"\b(?:must|shall|should|only|minimum|maximum|at\s+least|at\s+most|above|below|over|"
    r"under|exceed\w*|greater|less|calculated|computed|determined|measured|weighted|divided|"
    r"multipl\w+|sum\w*|ranked|rank\w*)\b|[$%<>=]",
    re.IGNORECASE,
)

# Literal prefilters (see base.mentions): every match of the pattern contains one of these.
_SUPPLIER_WORDS = (
    "vendor", "provider", "service", "source", "feed", "supplier", "agenc", "database",
    "terminal",
)
# The rest of a Markdown link's label, then its target: "...](/market-data/)".
_LINK_LABEL_END = re.compile(r"[^\[\]\n]{0,60}\]\(")
_DATA_FAMILY_WORDS = (
    "rating", "social", "economic", "macro", "sentiment", "news", "alternative", "analyst",
    "consensus", "data",
)
_OWNER = re.compile(r"\b(?:[A-Z][\w-]*\s+){0,3}[A-Z][\w-]*(?:'s|\u2019s)\s")  # "Research Team's"
_DEPENDENCY_WORDS = (
    "model", "platform", "system", "engine", "manager", "advis", "broker", "counterpart",
    "custodian", "exchanges", "partner", "provider", "firm", "consult", "agenc", "contractor",
    "specialist", "compan", "file", "spreadsheet", "team", "desk", "panel",
)


def _names_something(text: str, from_pos: int) -> bool:
    """Return True if ``text`` names something (capitalised word, acronym) from ``from_pos``."""
    return any(m.start() >= from_pos for m in _NAME.finditer(text))


def _named_earlier(text: str, end: int) -> bool:
    """Return True if a venue or system is named before ``end``: "an interface into Futureswap".

    "The" in "on the platform" then points back at that name. Only a name after a
    preposition of place or means counts ("into", "on", "via", ...): a capitalised term
    that acts ("the Index Sponsor relies on the platform") names no platform.
    """
    return _PLACE_NAMED.search(text, 0, end) is not None


_KIND_NOUN = re.compile(
    r"\b(exchange|venue|platform|broker|custodian|counterpart(?:y|ie)|model|system|engine|"
    r"manager|advis[eo]r)s?\b",
    re.IGNORECASE,
)
_LIST_ITEM_NAME = re.compile(r"^[*_\[`]*(?:[A-Z]|\d)")  # an item's text, after its bullet


def _kind_of(phrase: str) -> str | None:
    """Return the kind a phrase names ("the exchanges" -> "exchange"), folded, or None."""
    found = _KIND_NOUN.findall(phrase)
    return folded(found[-1]).replace("counterpartie", "counterparty") if found else None


def _kinds_listed(ctx: CheckContext) -> set[str]:
    """Return the kinds of party or system the document lists by name somewhere.

    A table column headed by the kind ("| Exchange | URL |") with a name in a row, or a
    sentence about the kind that ends in a colon followed by at least two list items that
    start with a name ("The recognized exchanges are as follows:" then "- Binance" ...):
    "the exchanges" elsewhere then points back at that list.
    """
    kinds: set[str] = set()
    for table in ctx.ir.tables:
        for col, head in enumerate(table.header):
            kind = _kind_of(head) if len(head.split()) <= 4 else None
            if kind and any(
                len(row) > col and row[col].strip("*_ [")[:1].isupper() for row in table.rows
            ):
                kinds.add(kind)
    units = ctx.body_units
    for i, unit in enumerate(units):
        if unit.kind == "row" or not unit.text.rstrip().endswith(":"):
            continue
        kind = _kind_of(unit.text)
        if kind is None:
            continue
        items = 0
        for nxt in units[i + 1 : i + 4]:
            if nxt.kind != "item" or not _LIST_ITEM_NAME.match(nxt.text):
                break
            items += 1
        if items >= 2:
            kinds.add(kind)
    return kinds


def _named_before(text: str, start: int) -> bool:
    """Return True if a name directly precedes ``start`` ("Polymarket prediction market data").

    Up to two words may stand between the name and the data; a capital that starts the
    sentence is not a name.
    """
    before = text[max(0, start - 60) : start].split()[-3:]
    # The first of these words starts the text when no other word precedes them.
    opens_text = len(before) == len(text[:start].split())
    for i, word in enumerate(before):
        if not (opens_text and i == 0) and _NAME.fullmatch(word.strip("'\u2019s(),")):
            return True
    return False


def _first_word_is_name(unit: TextUnit) -> bool:
    # A list item such as "Price Data: NYSE TAQ" names its source after a label.
    _, sep, rest = unit.text.partition(":")
    return bool(sep) and bool(_NAME.search(rest))


# A part about the data ("## Data Source", "### Market data providers") and a supplier's name
# in it: a domain or a name with an inner capital ("Polygon.io", "CoinGecko"), or one that
# _NAMED_SOURCE finds ("from FRED", "Bloomberg").
_DATA_PART_HEADING = re.compile(
    r"\b(?:data|price|pricing)\s+(?:sources?|providers?|vendors?|feeds?|suppliers?)\b"
    r"|\bsources?\s+of\s+(?:data|prices?)\b|\bmarket\s+data\b",
    re.IGNORECASE,
)
_SUPPLIER_NAME = re.compile(
    r"\b[A-Za-z][\w-]*\.(?:com|io|org|net|ai|co)\b|\b[A-Z][a-z]+[A-Z]\w*"
)
# Any other part about sources ("## Sources", "Exchange sources per trading pair"): it names
# its suppliers only by a domain or a name with an inner capital ("via RPC" is no supplier).
_SOURCES_HEADING = re.compile(r"\bsources?\b", re.IGNORECASE)


def suppliers_named(ctx: CheckContext) -> bool:
    """Return True if a part about the data names its suppliers.

    A generic "via provider chain", "from the data providers" or "from major exchanges"
    elsewhere then points back at the suppliers that part names.
    """
    for sec in ctx.sections:
        if sec is ctx.title_section:
            continue
        if _DATA_PART_HEADING.search(sec.heading):
            names: tuple[re.Pattern[str], ...] = (_SUPPLIER_NAME, _NAMED_SOURCE)
        elif _SOURCES_HEADING.search(sec.heading):
            names = (_SUPPLIER_NAME,)
        else:
            continue
        end = min(sec.end, sec.start + 3000)
        if any(p.search(ctx.markdown, sec.start, end) for p in names):
            return True
    return False


# A sentence that says what a kind of thing is, in general: "Oracles are Smart Contract
# interfaces that ...", "Price feeds are services which ...".
_KIND_DEFINED = re.compile(
    r"\s*(?:[A-Z][a-z]+\s+)?[A-Z]?[a-z]+s\s+are\s+(?:an?\s+)?(?:[\w-]+\s+){1,5}?(?:that|which)\b"
)
# What something leads to, just before the data: "leading to a chain reaction of misaligned".
_CONSEQUENCE_BEFORE = re.compile(
    r"\b(?:lead(?:s|ing)?\s+to|result(?:s|ing)?\s+in|caus(?:e|es|ing))\s+(?:[\w-]+\s+){0,5}$",
    re.IGNORECASE,
)
# A sentence saying where the prices come from, and naming them: "each validator runs a
# sidecar that pulls prices from oracle providers and external exchanges, such as Binance".
_PRICES_FROM = re.compile(
    r"\b(?:pull|fetch|source|obtain|take|read|quer|collect|aggregat|receiv|get)\w*\s+"
    r"(?:[\w-]+\s+){0,3}?(?:prices?|data|quotes|rates|feeds?)\s+(?:\w+\s+){0,2}?from\b",
    re.IGNORECASE,
)


def _prices_sourced(ctx: CheckContext) -> bool:
    """Return True if a rule of the document says where its prices come from, by name."""
    return any(
        (m := _PRICES_FROM.search(u.text)) is not None and _names_something(u.text, m.end())
        for u in ctx.rule_units
    )


def unnamed_data_sources(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report data whose supplier is generic or not given at all.

    Data named in passing ("Oracle prices are aggregated prices that provide up-to-date price
    data") is sourced when another sentence says where the prices come from by name ("pulls
    prices from oracle providers and external exchanges, such as Binance, Bitfinex ..."), or
    when a part about the data ("## Data Sources") names the suppliers.
    """
    named: bool | None = None  # whether a data part names the suppliers, once asked
    role: bool | None = None  # whether providers are the protocol's own participants
    sourced: bool | None = None  # whether a sentence names where the prices come from
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        taken: list[tuple[int, int]] = []
        supplier = mentions(low, _SUPPLIER_WORDS)  # else _GENERIC_SUPPLIER cannot match
        for m in _OTHER_SUPPLIER.finditer(unit.text) if supplier else ():
            if _names_something(unit.text[m.end() : m.end() + 40], 0):
                continue  # "other sources such as Kaiko": named
            rel = clause_start(unit.text, m.start(), max_words=8)
            taken.append((m.start(), m.end()))
            yield _source_hit(unit, rel, m.end(), m.group(0).strip(), generic=True)
        for m in _GENERIC_SUPPLIER.finditer(unit.text) if supplier else ():
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if _names_something(unit.text[m.start() : m.end() + 40], 1):
                continue
            if _GLOSSED_SOURCE.match(unit.text, m.end()):
                continue  # "maintained by the feed producers (i.e., the witnesses)": named
            if named is None:
                named = suppliers_named(ctx)
            if named:
                break  # the data part names the suppliers this phrase refers to
            if _EACH.match(m.group(0)):
                continue  # "one token required per provider": each provider, not a supplier
            if "provider" in m.group(0).lower():
                if role is None:
                    role = ctx.search_body(_PROVIDERS_AS_ROLE) is not None
                if role:
                    continue  # "from data providers" where "data providers are rewarded ...":
                    # the protocol's own participants, whose rules the document gives
            before = unit.text[clause_start(unit.text, m.start(), max_words=12) : m.start()]
            if _ANY_DATA.search(before):
                continue  # "any data obtained from a third party source": a legal generality
            kind = _KIND_DEFINED.match(unit.text)
            if kind is not None and kind.end() <= m.start():
                continue  # "Oracles are Smart Contract interfaces that bring data from an
                # external source": what such things are in general, not this method's data
            rel = clause_start(unit.text, m.start(), max_words=8)
            taken.append((m.start(), m.end()))
            yield _source_hit(unit, rel, m.end(), m.group(0).strip(), generic=True)
        for span, hit in _described_suppliers(unit, taken) if "from" in low else ():
            if named is None:
                named = suppliers_named(ctx)
            if named:
                break  # as above: the data part names the suppliers
            taken.append(span)
            yield hit
        if taken or not mentions(low, _DATA_FAMILY_WORDS):
            continue
        if _SOURCE_WORDS.search(unit.text) or _first_word_is_name(unit):
            continue
        for m in _DATA_FAMILY.finditer(unit.text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if _names_something(unit.text, m.end()) or _named_before(unit.text, m.start()):
                continue
            if _LINK_LABEL_END.match(unit.text, m.end()):
                continue  # "* [Market Data](/market-data/)": a link's label, a site's menu
            if _KIND_OF_BUSINESS.match(unit.text, m.end()):
                continue  # "social media and networking platforms": a line of business
            if SET_OUT_HERE.match(unit.text, m.end()):
                continue  # "market data and network data metrics presented in this
                # document": the sources are described here
            rel = clause_start(unit.text, m.start(), max_words=8)
            if _NEGATION.search(unit.text, rel, m.start()):
                continue  # "Governance signers do not directly submit oracle price data":
                # what is not done uses no data
            if _CONSEQUENCE_BEFORE.search(unit.text, max(0, m.start() - 60), m.start()):
                continue  # "a single trade can offset the price, leading to a chain reaction
                # of misaligned price data": an outcome described, not data the method uses
            if _SUPPOSED.search(unit.text, rel, m.start()):
                continue  # "over the 8h funding period assuming market data does not change":
                # a supposition for an example, not data the method takes from somewhere
            if _GLOSSED_SOURCE.match(unit.text, m.end()):
                continue  # "maintained by the feed producers (i.e., the witnesses)": named
            if sourced is None:
                sourced = _prices_sourced(ctx)
            if named is None:
                named = suppliers_named(ctx)
            if sourced or named:
                break  # another sentence, or the data part, names where the data comes from
            yield _source_hit(unit, rel, m.end(), m.group(0), generic=False)


# Data said to come from a supplier described only by its kind: "Bid prices come from a loan
# pricing service", "iNAV is taken from the issuer feed", "taken from vessel-tracking data",
# "Articles come from major news wires". At least one word must describe the supplier: "taken
# from the feed" points back at a feed named before.
_TAKEN_FROM = re.compile(
    r"\b(?:(?:is|are|was|were|be|been)\s+(?:[a-z]+ly\s+)?(?:taken|sourced|obtained|supplied|"
    r"drawn|retrieved|collected|received|downloaded)|comes?|coming)\s+from\s+"
    r"(?P<source>(?:(?:the|a|an|our|its|their)\s+)?(?!(?:the|a|an|our|its|their|same|above|"
    r"following|these|this|such|that|those|relevant|respective|applicable|said)\b)"
    r"[a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,3}\s+"
    r"(?:feeds?|services?|data|wires?|vendors?|providers?|sources?|databases?|terminals?|"
    r"screens?|systems?|platforms?|surveys?))\b"
)


def _described_suppliers(
    unit: TextUnit, taken: list[tuple[int, int]]
) -> Iterator[tuple[tuple[int, int], CheckHit]]:
    """Yield data said to come from a supplier the sentence describes but does not name.

    Each hit comes with the span of ``unit.text`` it takes; the caller records it in
    ``taken`` once it keeps the hit.
    """
    for m in _TAKEN_FROM.finditer(unit.text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        if _GENERIC_SUPPLIER.search(unit.text, m.start(), m.end()):
            continue  # "collected from data providers": the generic reading judged it
        if _names_something(unit.text[m.start("source") : m.end() + 40], 0):
            continue  # "taken from the pricing feed of Bloomberg": named
        rel = clause_start(unit.text, m.start(), max_words=8)
        if _NEGATION.search(unit.text, rel, m.start()):
            continue  # "prices are not taken from any external feed"
        phrase = " ".join(m.group("source").split())
        yield (m.start(), m.end()), _source_hit(unit, rel, m.end(), phrase, generic=True)


# Who supplies the data, glossed right after: "the feed producers (i.e., the witnesses)".
_GLOSSED_SOURCE = re.compile(
    r"[\w\s-]{0,30}?\((?:i\.\s?e\.,?|namely|that\s+is,?)\s+(?:the\s+)?[\w\s-]{2,40}\)", re.I
)


def _source_hit(unit: TextUnit, rel: int, rel_end: int, phrase: str, *, generic: bool) -> CheckHit:
    quote = unit.text[rel:rel_end]
    what = f"'{phrase}' is not a named source" if generic else (
        f"'{phrase}' is used but its source is not named"
    )
    return CheckHit(
        start=unit.start + rel,
        end=unit.start + rel_end,
        title="Data source not identified",
        description=f"{what}; the data cannot be obtained or reconciled without it.",
        suggested_fix="Name the vendor and dataset (field, frequency, timestamp) and what "
        "happens when it is unavailable.",
        replacement=f"{quote} ([[specify: vendor, dataset and field]])",
        category=Category.DATA_SOURCE_UNSPECIFIED,
        confidence=0.8 if generic else 0.65,
    )


# The method is really defined elsewhere: a paper, the code, an approximation of it.
_DEFINED_ELSEWHERE = re.compile(
    r"\b(?:described|outlined|defined|presented|proposed|introduced|specified|detailed|ideas)\s+"
    r"(?:in|by)\s+(?:the\s+)?(?:classic\s+|original\s+|following\s+|academic\s+|seminal\s+)?"
    r"(?:[A-Z][\w&'-]*(?:[- ][A-Z][\w&'-]*)*\s+)?(?:paper|article|white\s?paper|publication|"
    r"source\s+code|code(?:base)?|repository|implementation)\b"
    r"|\b(?:general|rough|simplified|high[- ]level)\s+(?:approximation|description|overview|"
    r"summary)\s+of\s+(?:this|the)\s+(?:strategy|algorithm|method\w*|model|index|logic)\b",
    re.IGNORECASE,
)
# Oracles that feed the method ("uses Chainlink oracles", "sourced from oracle price feeds"),
# not oracles as a kind of token ("oracles, storage and compute tokens"): without staleness
# or failure handling they are a blind spot.
_ORACLE_FEEDS = re.compile(
    r"\b(?:use[sd]?|using|rel(?:y|ies|ied|ying)\s+on|sourced\s+from|from|via|provided\s+by|"
    r"reported\s+by|read\w*|quer\w+|fetch\w*|pull\w*|consum\w+)\b[^.;:]{0,40}?\boracles?\b"
    r"|\b(?:price|rate|data)\s+oracles?\b|\boracles?[- ](?:price|feed|rate|report|value|data)\w*\b",
    re.IGNORECASE,
)
_ELSEWHERE_WORDS = (  # in every match of _DEFINED_ELSEWHERE
    "paper", "article", "publication", "code", "repository", "implementation",
    "approximation", "description", "overview", "summary",
)
_NOT_RELIED_ON = re.compile(
    r"\b(?:not|never|without|no\s+longer|instead\s+of|rather\s+than)\b", re.IGNORECASE
)
_SUPPLIES_ORACLES = re.compile(
    r"\b(?:serv\w*\s+as|source\s+for|feed\w*\s+(?:into|to)|provid\w*\s+(?:to|for))\b"
    r"[^.;:]{0,40}?\boracles?\b",
    re.IGNORECASE,
)
# A sentence that limits what the oracle may report: "strictly bound the update from the
# Risk Oracle", "values are validated against a range", "clamped to".
_BOUNDS_THE_ORACLE = re.compile(
    r"\b(?:bound(?:s|ed)?\s+(?:the|its|each|every|any)|constrained\s+ranges?|validat\w+|"
    r"clamp\w*|sanity\b)",
    re.IGNORECASE,
)
_ORACLE_SAFEGUARD = re.compile(
    r"\bstale\w*|\bfallback\b|\bfail\w*|\boutages?\b|\bunavailab\w*|\bdeviation\b|"
    r"\bcircuit\s+breaker\b|\bsanity\s+check\w*|\bheartbeat\b",
    re.IGNORECASE,
)


def market_data_unsourced(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report rules that compute with or screen on market data whose source is never named.

    One finding per document: the places are the rule sentences using market data (market
    capitalisation, prices, volumes, liquidity, revenue, rates) with no named source in the
    sentence. A document with a section on its data sources is left to the finer checks.
    """
    if ctx.has_heading(_SOURCE_HEADING):
        return
    kinds: list[str] = []
    places: list[tuple[int, int]] = []
    for unit in ctx.rule_units:
        if unit.kind == "row" or not _SETS_A_RULE.search(unit.text):
            continue
        found = [m.group(0).lower() for m in _MARKET_DATA.finditer(unit.text)
                 if not _OWN_REVENUE.match(unit.text, m.start())]
        if not found or _NAMED_SOURCE.search(unit.text):
            continue
        places.append((unit.start, unit.end))
        kinds.extend(k for k in found if k not in kinds)
    if not places:
        return
    named = ", ".join(kinds[:4]) + (", ..." if len(kinds) > 4 else "")
    for start, end in places:
        yield CheckHit(
            start=start,
            end=end,
            title=f"Data sources not named ({named})",
            description="These rules use market data, but the document never says where the "
            "values come from (vendor or venue, field, observation time) or what happens "
            "when a value is missing.",
            suggested_fix="Name the source of each input (vendor or venue, dataset and "
            "field, observation time) and the fallback when it is unavailable.",
            category=Category.DATA_SOURCE_UNSPECIFIED,
            confidence=0.3,
            subject="market data sources",
        )


# Amounts turned into another currency: "revenue converted to US dollars", "converted to EUR
# using closing exchange rates". Fiat currencies only: "converted into LSD tokens" or "to
# ETH" are swaps of tokens, with no exchange rate to source.
_FIAT = (
    r"(?:U\.?S\.?\s+dollars?|dollars?|euros?|pounds?(?:\s+sterling)?|yen|Swiss\s+francs?|"
    r"(?-i:USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|SEK|NOK|DKK|HKD|SGD|CNY|CNH|KRW|INR|BRL|MXN|ZAR|"
    r"TRY|PLN|TWD|THB|IDR|MYR|PHP|ILS|CZK|HUF|CLP|COP|SAR|AED))"
)
_CONVERSION = re.compile(
    r"\b(?:converted|translated)\s+(?:in)?to\s+(?:the\s+)?"
    rf"(?:{_FIAT}|(?:index|base|reporting|portfolio|fund)\s+currency)\b"
    r"|\busing\s+(?:the\s+)?(?:(?:closing|spot|prevailing|daily|current|latest|end-of-day|"
    r"applicable)\s+)?(?:foreign\s+)?(?:exchange|FX|currency)\s+rates?\b",
    re.IGNORECASE,
)
_CONVERSION_WORDS = ("convert", "translat", "rate")  # in every match of _CONVERSION
_FX_RATES = re.compile(
    r"\b(?:exchange|FX|currency|conversion)\s+rates?\b|\bFX\b|\bfixings?\b|\bspot\s+rates?\b",
    re.IGNORECASE,
)
# A rate given its own name, which the document defines: "the applicable USDC/USD Reference
# Rate", "the WM Closing Spot Rates".
_NAMED_RATE = re.compile(r"\b[A-Z][\w/.-]*\s+(?:[A-Z][\w/.-]*\s+){0,2}(?:Rates?|Fixings?)\b")
# The rate fixings and their publishers, named as such.
_FX_PUBLISHER = re.compile(
    r"\bWM\s*/\s*(?:Reuters|Refinitiv)|\bWMR\b|\bBFIX\b|\bECB\b|\bEuropean\s+Central\s+Bank|"
    r"\bFederal\s+Reserve|\bH\.10\b"
)


def _rates_sourced(ctx: CheckContext) -> bool:
    """Return True if the document names where its exchange rates come from."""
    if ctx.search_body(_FX_PUBLISHER):
        return True
    return any(_FX_RATES.search(u.text) and _NAMED_SOURCE.search(u.text) for u in ctx.body_units)


def fx_rates_unsourced(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report amounts converted into another currency at rates whose source is never named.

    Which fixing is used (WM/Reuters 4pm London, the ECB reference rate, a vendor's close)
    changes every converted value. One finding per document, each conversion a place; none
    where a conversion names its rate's source or the document names an exchange-rate
    publisher or says where its rates come from.
    """
    sourced: bool | None = None  # whether the document names its rates' source, once asked
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if not mentions(low, _CONVERSION_WORDS):
            continue  # no match possible
        for m in _CONVERSION.finditer(unit.text):
            if _NAMED_SOURCE.search(unit.text, m.start()) or _NAMED_RATE.search(
                unit.text, m.start()
            ):
                break  # "converted to USD using Bloomberg rates", "... using the applicable
                # USDC/USD Reference Rate": the rates are named
            if sourced is None:
                sourced = _rates_sourced(ctx)
            if sourced:
                return
            phrase = " ".join(m.group(0).split())
            yield CheckHit(
                start=unit.start + m.start(),
                end=unit.start + m.end(),
                title="Exchange rates have no named source",
                description=f"'{phrase}': values are converted between currencies, but the "
                "document never says which exchange rates are used (publisher, fixing time), "
                "and each choice gives different converted values.",
                suggested_fix="Name the rates: the publisher and fixing (e.g. WM/Reuters "
                "16:00 London closing spot rates), the time they are taken, and the fallback "
                "when a rate is missing.",
                replacement=f"{phrase} ([[specify: exchange-rate source and fixing time]])",
                category=Category.DATA_SOURCE_UNSPECIFIED,
                confidence=0.6,
                subject="exchange rate source",
            )
            break  # one place per sentence


# A sentence that supposes rather than states: "we can also imagine that ...", "suppose".
_SUPPOSED = re.compile(
    r"\b(?:imagine|suppose|supposing|assuming|hypothetical(?:ly)?|let(?:'|\u2019)?s\s+"
    r"(?:say|assume))\b",
    re.IGNORECASE,
)


# A model, score or engine of the document's own organisation that a rule uses by name:
# "eligible if ... as scored by the Meridian Thematic Relevance Model".
_HOUSE_MODEL = re.compile(
    r"\b(?:scored|rated|ranked|classified|estimated|forecast|predicted|computed|calculated|"
    r"determined|generated|produced|assessed|selected|identified|measured)\s+(?:by|using|with|"
    r"from|under|through)\s+(?:the|its|our|their)\s+"
    r"(?P<name>(?P<owner>[A-Z][\w&'-]+)(?:\s+[A-Z][\w&'-]+){0,5}\s+"
    r"(?:Model|Scoring\s+Model|Score|Scorecard|Engine|Algorithm|Classifier))\b"
)


def _house_models(ctx: CheckContext) -> Iterator[CheckHit]:
    """Report models of the document's own organisation that it uses but never describes.

    The model is the organisation's when its name starts with a name of the document's
    title ("Meridian ... Model" in the "Meridian Global ... Index"); it is described when a
    heading names it or a sentence other than the ones using it starts with its name.
    """
    if ctx.title_section is None:
        return
    title = ctx.title_section.heading
    for unit in ctx.rule_units:
        for m in _HOUSE_MODEL.finditer(unit.text):
            name = m.group("name")
            if not re.search(rf"\b{re.escape(m.group('owner'))}\b", title):
                continue
            if ctx.has_heading(re.compile(re.escape(name), re.IGNORECASE)):
                continue
            if any(u is not unit and re.match(rf"\s*(?:The\s+)?{re.escape(name)}\b", u.text)
                   for u in ctx.body_units):
                continue  # "The Meridian Relevance Model scores ...": described
            rel = clause_start(unit.text, m.start(), max_words=8)
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title=f"Relies on an undescribed in-house model: {name}",
                description=f"A rule depends on the output of the {name}, which the document "
                "names but does not describe: its inputs, method, version and who maintains "
                "it are not given, so the rule cannot be reproduced or audited.",
                suggested_fix="Describe the model (inputs, method, thresholds, version, owner "
                "and validation) or attach its documentation.",
                replacement=None,
                category=Category.EXTERNAL_DEPENDENCY,
                confidence=0.7,
                subject=name.lower(),
            )


def unidentified_dependencies(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report models, systems and parties the method relies on without naming them.

    A kind the document lists by name elsewhere (a table of exchanges, a list of brokers)
    is identified: "removed from the exchanges" points back at that list.
    """
    listed: set[str] | None = None  # computed on the first candidate
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        dependency = mentions(low, _DEPENDENCY_WORDS)  # else _DEPENDENCY cannot match
        for m in _DEPENDENCY.finditer(unit.text) if dependency else ():
            # (whose party it is, "the Sponsor's", names the owner, not the party)
            if _names_something(_OWNER.sub("", unit.text[m.start() : m.end() + 40]), 1):
                continue
            phrase = m.group(0)
            if not re.search(
                r"\b(?:the|an?|external|third|outside|independent|consult\w*|on\s+exchanges)\b",
                phrase,
                re.IGNORECASE,
            ):
                continue
            if re.fullmatch(r"(?i)(?:using|with|by|via|through)\s+(?:an?\s+|the\s+)?models?",
                            phrase.strip()):
                continue
            if _LISTED.search(unit.text, max(0, m.start() - 20), m.start()):
                continue  # "getting the token listed on exchanges": a listing, not a venue
            if _RISKS_OF.search(unit.text, max(0, m.start() - 30), m.start()):
                continue  # "explore the risks of using the system": what using it entails,
                # said of the system the document describes, not a party relied on
            if _SUPPOSED.search(unit.text, 0, m.start()):
                continue  # "we can also imagine that an auction could end once ... orders
                # have been placed via the platform": a supposition, not the method
            if noun_goes_on(unit.text[m.end() :]):
                continue  # "called by the system owner": the owner, not a system
            if re.search(r"\bthe\s", phrase, re.IGNORECASE) and _named_earlier(
                unit.text, m.start()
            ):
                continue  # "an interface into Futureswap ... fees on the platform": named
            if listed is None:
                listed = _kinds_listed(ctx)
            if _kind_of(phrase) in listed:
                continue  # "removed from the exchanges", after a table of the exchanges
            rel = clause_start(unit.text, m.start(), max_words=8)
            quote = unit.text[rel : m.end()]
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title="External dependency not identified",
                description=f"'{phrase.strip()}' is relied on but not identified, so the "
                "method cannot be run or audited without asking.",
                suggested_fix="Identify the system, model or party (name, version or "
                "contract) and what it provides.",
                replacement=f"{quote} ([[specify: name and what it provides]])",
                category=Category.EXTERNAL_DEPENDENCY,
                confidence=0.75,
                subject=_DEPENDENCY_LEAD.sub("", " ".join(phrase.lower().split())),
            )
        if not mentions(low, _ELSEWHERE_WORDS):
            continue  # _DEFINED_ELSEWHERE cannot match
        for m in _DEFINED_ELSEWHERE.finditer(unit.text):
            yield CheckHit(
                start=unit.start,
                end=unit.end,
                title="The method is defined outside the document",
                description=f"'{m.group(0).strip()}': part of the method lives in another "
                "work (a paper, the code, a fuller description), so this document cannot be "
                "implemented or audited on its own.",
                suggested_fix="State the rules, formulas and parameters here; cite the other "
                "work for background only.",
                category=Category.EXTERNAL_DEPENDENCY,
                confidence=0.7,
                subject="defined elsewhere",
            )
    yield from _house_models(ctx)
    if any("oracle" in low for low in ctx.rule_folded) and not ctx.search_body(_ORACLE_SAFEGUARD):
        # (Without "oracle" in a rule unit, _ORACLE_FEEDS matches none: no search needed.)
        for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
            feed = None if unit.kind == "row" or "oracle" not in low else (
                _ORACLE_FEEDS.search(unit.text))
            if feed is None or _NOT_RELIED_ON.search(
                unit.text, clause_start(unit.text, feed.start(), max_words=12), feed.start()
            ):
                continue  # "does not adjust rates using a DAI price oracle": no reliance
            if _BOUNDS_THE_ORACLE.search(unit.text):
                continue  # "Configure constrained ranges ... to strictly bound the risk param
                # update from the Chaos Risk Oracle": the sentence is the safeguard
            if _SUPPLIES_ORACLES.search(unit.text):
                continue  # "use cases include serving as a data source for on-chain price
                # oracles": the document's values feed oracles; it does not rely on one
            yield CheckHit(
                start=unit.start,
                end=unit.end,
                title="Relies on oracles with no failure handling",
                description="Values come from an oracle, but the document never says what "
                "happens when it is stale, deviates, or stops updating.",
                suggested_fix="Name the oracle feeds, the staleness and deviation limits, and "
                "the fallback when a feed fails.",
                category=Category.EXTERNAL_DEPENDENCY,
                confidence=0.65,
                subject="oracles",
            )


# An analysis the document reports: data said to have been gathered ("the amount ... was
# sampled", "data used has been sourced from"), or the authors' own study ("we examine",
# "we analysed"). Operating rules ("prices are sampled every minute") are in the present
# and passive, and are not matched.
_ANALYSIS = re.compile(
    r"\b(?:was|were|has\s+been|have\s+been|had\s+been)\s+(?:sampled|measured|collected|gathered|"
    r"sourced|scraped|analy[sz]ed|backtested|back-tested)\b"
    r"|\b(?:we|I)\s+(?:have\s+)?(?:examined?|analy[sz]ed?|sampled|measured|observed|studied|"
    r"investigated?|backtested|back-tested|looked\s+at)\b"
    r"|\b(?:according\s+to|based\s+on)\s+(?:our|the\s+above)\s+(?:analysis|research|data|"
    r"backtests?|simulations?)\b",
    re.IGNORECASE,
)
_ANALYSIS_WORDS = (
    "sampled", "measured", "collected", "gathered", "sourced", "scraped", "analy", "backtest",
    "back-test", "we ", "i ", "our ", "above", "examin", "observed", "studied", "investigat",
    "looked",
)
# A clause the analysis verb sits in that describes the method, not a study: "observations
# count regardless of which day within the window they were collected".
_SUBORDINATE = re.compile(
    r"\b(?:which|whichever|when|whenever|where|wherever|if|once|after|before|until|regardless|"
    r"whether)\b[^.;:]*$",
    re.IGNORECASE,
)
# A date the data can be placed at: a year, a month and day, an ISO date, "as of".
_DATED = re.compile(
    r"\b(?:19|20)\d{2}\b|\b\d{4}-\d{2}-\d{2}\b|\bas\s+(?:of|at)\b|\b(?:jan|feb|mar|apr|may|jun|"
    r"jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|"
    r"mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b",
    re.IGNORECASE,
)
# Parts written to argue for the method, where proposals put their analyses; disclaimers
# and risk factors, which describe back-tests in general, stay out.
_REASONING_HEADING = re.compile(
    r"\b(?:motivation|rationale|background|context|statistics|analysis|research|abstract|"
    r"summary|overview|justification)\b",
    re.IGNORECASE,
)


def analysis_undated(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report analyses the document reports without a date for their data.

    One finding per document, each analysis a place: figures sampled, measured or sourced,
    or studied by the authors, in a paragraph (with the list it leads into, and its
    section's heading) that gives no date. Without the date the reader cannot reproduce
    the analysis or tell whether it still holds.
    """
    rules = {u.start for u in ctx.rule_units}
    for unit in ctx.body_units:
        if unit.start not in rules and not _argues(ctx, unit.start):
            continue
        if not mentions(folded(unit.text), _ANALYSIS_WORDS):
            continue
        m = _ANALYSIS.search(unit.text)
        if m is None or _SUBORDINATE.search(unit.text, 0, m.start()):
            continue  # "regardless of which day they were collected": how the method works
        if _DATED.search(_paragraph(ctx, unit)):
            continue
        section = ctx.section_at(unit.start)
        if section is not None and _DATED.search(section.heading):
            continue
        rel = clause_start(unit.text, m.start(), max_words=14)
        yield CheckHit(
            start=unit.start + rel,
            end=unit.start + m.end(),
            title="Analysis data has no date",
            description="The document reports an analysis (data sampled, measured, sourced "
            "or studied) without saying when the data was taken, so the figures cannot be "
            "reproduced or checked for being out of date.",
            suggested_fix="Give the data's date or period (and its source), e.g. 'order-book "
            "depth sampled from Uniswap and Sushiswap on 1-7 March 2021'.",
            replacement=f"{unit.text[rel : m.end()]} ([[specify: date or period of the data, "
            "and its source]])",
            category=Category.DATA_SOURCE_UNSPECIFIED,
            confidence=0.6,
            subject="analysis data",
        )


def _argues(ctx: CheckContext, offset: int) -> bool:
    """Return True when ``offset`` lies in a part that argues for the method (motivation).

    Not in a disclaimer or risk factors, even under a heading such as "Summary and Overview".
    """
    path = [s.heading for s in ctx.sections if s.start <= offset < s.end]
    return any(_REASONING_HEADING.search(h) for h in path) and not any(
        is_informative_heading(h) and not _REASONING_HEADING.search(h) for h in path
    )


def _paragraph(ctx: CheckContext, unit: TextUnit) -> str:
    """Return the paragraph holding ``unit``, with the block after it when it ends in ':'."""
    text = ctx.markdown
    start = max(0, text.rfind("\n\n", 0, unit.start))
    end = text.find("\n\n", unit.end)
    end = len(text) if end < 0 else end
    if text[start:end].rstrip().endswith(":"):
        after = text.find("\n\n", end + 2)
        end = len(text) if after < 0 else after
    return text[start:end]
