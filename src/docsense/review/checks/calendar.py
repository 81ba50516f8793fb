"""Market calendar: day counting, date rules and cut-off times without a calendar or time zone.

``calendar_unspecified`` reports, when the document names no market calendar:

- day counts that do not say trading, business or calendar days ("over the previous 60 days");
- look-back windows in weeks or months ("3-month return", "past 6 months");
- date rules that depend on a calendar ("last day of each month", "next available day",
  "non-trading day", "business day", "third Friday of", "holidays", "market hours");
- whatever the calendar, dates given only roughly ("shortly before expiry", "a few days
  before the rebalance", "around month-end");

and, when the document names no time zone, times of day ("at market close", "market open",
"end of day", "cut-off", "16:00"). A calendar counts as named when the document names an
exchange or a calendar ("NYSE", "London Stock Exchange", "TARGET2 calendar"); then "after the
close" is that exchange's close, and only clock times ("16:00") still need a zone. "An end of
day basis" says how often, not when; "0:070; 0:01" are decimals a PDF wrote with colons.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import islice

import attrs

from docsense.domain.findings import Category, Severity
from docsense.domain.policies import Check
from docsense.review.checks.base import (
    CheckContext,
    CheckHit,
    TextUnit,
    mentions,
    singular_phrase,
)

__all__ = [
    "ALWAYS_OPEN",
    "calendar_unspecified",
    "names_calendar",
    "names_time_zone",
    "trades_around_the_clock",
]

_EXCHANGES = (
    r"NYSE|NASDAQ|Nasdaq|AMEX|CBOE|Cboe|CME|ICE|LSE|TSE|JPX|HKEX|SEHK|ASX|SGX|NSE|BSE|TSX|"
    r"Euronext|Xetra|SIX|KRX|TWSE|JSE|B3|SIFMA|TARGET2?|Eurex|LME|NYMEX|COMEX"
)
# Financial centres, whose banks' days and clocks a calendar or a time is given by.
_CENTRES = (
    r"New\s+York|London|Tokyo|Frankfurt|Hong\s+Kong|Sydney|Singapore|Paris|Zurich|Chicago|"
    r"Toronto|Amsterdam|Brussels|Stockholm|Oslo|Copenhagen|Madrid|Milan|Dublin|Luxembourg|"
    r"Wellington|Johannesburg|Dubai|Mumbai|Shanghai|Seoul|Taipei|Sao\s+Paulo|Mexico\s+City"
)
_NAMED_CALENDAR = re.compile(
    rf"\b(?:{_EXCHANGES})\b"
    # "a day on which banks are open for business in London and New York": the centres'
    # bank holidays are the calendar
    rf"|\b(?:banks?|markets?|exchanges?)\s+(?:are\s+)?open\s+(?:for\s+(?:general\s+)?"
    rf"business\s+)?in\s+(?:both\s+)?(?:{_CENTRES})\b"
    r"|\b[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*\s+(?:Stock\s+)?Exchange\b"
    r"|\b[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*\s+(?:(?:holiday|trading|business|settlement)\s+)?"
    r"calendar\b"
    # "the first CBOT business day", "a T2 business day": the day of the market or system named
    r"|\b[A-Z][A-Z0-9]{1,6}\s+(?:business|trading|settlement|banking|clearing)\s+days?\b"
)
_TIME_ZONE = re.compile(
    r"\b(?:UTC|GMT|BST|CET|CEST|EET|E[SD]?T|C[SD]T|P[SD]T|JST|HKT|SGT|AEST|AEDT|IST|KST)\b"
    r"|\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)"
    r"/[A-Z][A-Za-z_]+\b"  # IANA zone names by their areas, not any "Word/Word"
    r"|\b(?:Eastern|Central|Pacific|Mountain|Greenwich|Coordinated\s+Universal)\s+"
    r"(?:Standard\s+|Daylight\s+)?Time\b"
    rf"|\b(?:{_CENTRES})\s+(?:local\s+)?time\b"
    # "8:15 a.m CT", "3 p.m. PT", "2:00 PM MT": the short US zones, after a time only (CT is
    # also a state).
    r"|\d\s*(?:[AaPp]\.?\s?[Mm]\.?)?\s*(?:C|P|M)T\b"
    # "Time comparisons are performed in the exchange time zone carried by the candles": the
    # clock of the venue the data come from
    r"|\b(?:in|on|using)\s+the\s+(?:exchange|market|venue|instrument)(?:'s|s'|\u2019s)?\s+"
    r"(?:own\s+|local\s+)?time\s*zone\b"
)

_QUALIFIED = r"(?:trading|business|calendar|working|settlement|banking|exchange|market|weekdays?)"
# A technical indicator's look-back ("20-day EMA", "14-day RSI") counts bars of the price
# series, trading days by convention: no calendar question.
_INDICATOR = (
    r"(?:EMA|SMA|WMA|moving\s+averages?|RSI|MACD|ATR|Bollinger|stochastic|exponential|simple|"
    r"relative\s+strength)"
)
_DAY_COUNT = re.compile(
    rf"\b(?:(?:previous|past|last|prior|trailing|rolling|next|first|following|over|within)\s+)?"
    # ("rolled five days before expiry": the count in words)
    rf"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty)"
    rf"(?:\s*-\s*|\s+)(?!{_QUALIFIED}\b)(?:days?)\b(?!\s+{_INDICATOR}\b)"
    rf"(?:\s+of\s+(?:daily\s+)?[a-z]+)?",
    re.IGNORECASE,
)
_WINDOW = re.compile(
    r"\b(?:(?:previous|past|last|prior|trailing|rolling|over\s+the\s+(?:past|previous|last))\s+"
    r"\d+\s*-?\s*(?:weeks?|months?)\b"
    r"|\b\d+\s*-\s*(?:week|month)\s+(?:returns?|momentum|volatility|average|lookback|window|"
    r"period|performance|change|high|low|moving\s+average))",
    re.IGNORECASE,
)
_DATE_RULE = re.compile(
    r"\b(?:last|first|final)\s+(?:(?:business|trading|calendar|working)\s+)?day\s+of\s+"
    r"(?:the\s+|each\s+|every\s+)?(?:month|quarter|year|week)\b"
    r"|\b(?:month|quarter|year)[- ]end\b"
    r"|\bend\s+of\s+(?:each|the|every)\s+(?:month|quarter|trading\s+day|business\s+day)\b"
    r"|\bnext\s+(?:available|business|trading|working|valid)\s+day\b"
    r"|\bnon-?(?:trading|business|working)\s+days?\b"
    r"|\b(?:common|each|every|any)\s+(?:trading|business)\s+days?\b"
    r"|\b(?:last|first|second|third|fourth)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday)"
    r"\s+of\s+(?:each|the|every)\s+(?:month|quarter)\b"
    r"|\b(?:business|trading)\s+days?\b"
    r"|\b(?:market\s+)?holidays?\b"
    r"|\b(?:market|trading|exchange)\s+hours\b"  # whose hours, with which holidays?
    r"|\b(?:first|second|third|fourth|last|final)\s+week\s+of\s+(?:the|each|every)\s+"
    r"(?:month|quarter)\b"
    r"|\b(?:on\s+)?an?\s+(?:weekly|monthly|quarterly)\s+(?:schedule|basis|cycle)\b",
    re.IGNORECASE,
)
_BUSINESS_DAY = re.compile(
    r"\b(?:(?:first|last|next|each|every|any|common)\s+)?(?:business|working|banking)\s+days?\b"
    r"(?:\s+of\s+(?:the|each|every)\s+(?:month|quarter|week|year))?"
    r"|\b(?:market\s+|public\s+)?holidays?\b"
    r"|\b(?:first|second|third|fourth|last|final)\s+week\s+of\s+(?:the|each|every)\s+"
    r"(?:month|quarter)\b"
    r"|\b(?:on\s+)?an?\s+(?:weekly|monthly|quarterly)\s+(?:schedule|basis|cycle)\b",
    re.IGNORECASE,
)
_TIME_OF_DAY = re.compile(
    r"\b(?:at|on|before|after|by)\s+(?:the\s+)?(?:market|exchange)\s+(?:close|open)\b"
    r"|\bmarket\s+(?:close|open)\s+(?:the\s+)?(?:next|following)\s+day\b"
    # ("calculated on an end of day basis", "end of day prices": how often, not a clock time)
    r"|\b(?:end|close|start)\s+of\s+(?:each\s+|the\s+)?(?:business|trading)?\s*day\b"
    r"(?!\s+(?:basis|data|prices?|values?|quotes?|levels?|snapshots?|files?|calculations?|"
    r"dissemination|index|indices)\b)"
    r"|\bcut-?off\s+(?:time|point)\b"
    # "received after the daily cut-off": a cut-off of the day, its time not given
    r"|\b(?:the|a|each)\s+daily\s+cut-?off\b"
    # "at the 4pm fixing", "by 5 p.m.": an hour of the clock
    r"|(?<![\d.:,])\b(?:[1-9]|1[0-2])\s?(?:[ap]\.m\.|[ap]m\b)"
    r"|(?<![T\d:])\b(?:[01]?\d|2[0-3]):[0-5]\d\b(?!:\d\d(?:\.\d+)?(?:Z|[+-]\d\d))"
    r"|\b(?:at|after|before|by|following)\s+the\s+close(?:\s+of\s+(?:trading|business|the\s+"
    r"market|the\s+trading\s+(?:day|session)))?\b"
    r"|\bclose\s+of\s+(?:trading|business)\b"
    r"|\blocal\s+time\b",
    re.IGNORECASE,
)


def names_calendar(ctx: CheckContext) -> bool:
    """Return True if the document names an exchange or a market calendar."""
    return bool(ctx.search_body(_NAMED_CALENDAR))


def names_time_zone(ctx: CheckContext) -> bool:
    """Return True if the document names a time zone.

    An abbreviation alone in a table cell is a ticker ("| STEPN | GMT |"), not a zone.
    """
    return any(not _alone_in_cell(m) for m in ctx.finditer_body(_TIME_ZONE))


def _alone_in_cell(m: re.Match[str]) -> bool:
    text = m.string
    left = text.rfind("|", text.rfind("\n", 0, m.start()) + 1, m.start())
    right = text.find("|", m.end(), (text.find("\n", m.end()) + 1 or len(text) + 1) - 1)
    return (left >= 0 and right >= 0 and not text[left + 1 : m.start()].strip()
            and not text[m.end() : right].strip())


# Markets that never close (crypto-assets on-chain): a day is a calendar day and there are no
# exchange holidays, so day counts and date rules need no exchange calendar there (times of
# day still need a time zone).
ALWAYS_OPEN = re.compile(
    r"\b(?:crypto\w*|blockchains?|on-?chain|tokens?|defi|decentrali[sz]ed\s+finance|24/7|"
    r"stablecoins?|ethereum|bitcoin|smart\s+contracts?|ERC-?20)\b"
    r"|\b(?-i:ETH|BTC)\b",  # the tickers, in capitals
    re.IGNORECASE,
)
# In every match of ALWAYS_OPEN, folded: one of these words, or "defi" ending a word (as
# "define" does not).
_ALWAYS_OPEN_WORDS = (
    "crypto", "chain", "token", "decentrali", "24/7", "stablecoin", "ethereum", "bitcoin",
    "contract", "erc", "eth", "btc",
)
_DEFI = re.compile(r"defi\b")


def trades_around_the_clock(ctx: CheckContext) -> bool:
    """Return True for a document about markets that never close (crypto-assets on-chain)."""
    low = ctx.body_folded
    if not (mentions(low, _ALWAYS_OPEN_WORDS) or _DEFI.search(low)):
        return False  # no match at all
    return sum(1 for _ in islice(ctx.finditer_body(ALWAYS_OPEN), 3)) >= 3


# Securities listed on exchanges: "listed in the United States", "primarily listed on", "a
# constituent's exchange".
_LISTED = re.compile(
    r"\b(?:listed|listings?)\s+(?:in|on)\b|\bprimary\s+(?:listings?|exchanges?|markets?)\b"
    r"|\b(?:its|their|each\s+\w+(?:'s|\u2019s)|[a-z]+(?:'s|\u2019s))\s+(?:home\s+|local\s+)?"
    r"(?:exchanges?|stock\s+exchanges?|markets?)\s+(?:is|are)\s+closed\b",
    re.IGNORECASE,
)


def _listed(ctx: CheckContext) -> bool:
    """Return True if the document is about securities listed on exchanges."""
    return ctx.search_body(_LISTED) is not None


_WEEKLY = re.compile(r"\bweekly\b", re.IGNORECASE)
# A weekly schedule's day and time: "On Friday 8 am UTC", "every Friday at 08:00 UTC".
_WEEKDAY_AT = re.compile(
    r"\b(?:on|every|each)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b"
    r"[^.\n]{0,20}?\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?\s*(?:UTC|GMT)\b",
    re.IGNORECASE,
)


def _weekday_given(ctx: CheckContext) -> bool:
    """Return True if the document gives a weekly schedule's day, time and zone."""
    return ctx.search_body(_WEEKDAY_AT) is not None


def calendar_unspecified(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Calendar-dependent language in a document that names no calendar or time zone."""
    calendar = names_calendar(ctx)
    always_open = trades_around_the_clock(ctx)
    zone = names_time_zone(ctx)
    weekday: bool | None = None  # the weekly schedule's day is given (read when needed)
    listed: bool | None = None  # about securities listed on exchanges (read when needed)
    relative_cut_off: bool | None = None  # the cut-off is a point of a window (likewise)
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        taken: list[tuple[int, int]] = []
        if always_open and not calendar:
            # Every day is a trading day; only "business day" and holidays stay undefined,
            # and a weekly schedule whose day the document never gives.
            for hit in _hits(unit, low, _BUSINESS_DAY, _date_rule, taken):
                if _WEEKLY.search(ctx.markdown, hit.start, hit.end):
                    weekday = _weekday_given(ctx) if weekday is None else weekday
                    if weekday:
                        continue  # "on a weekly basis", and "On Friday 8 am UTC" elsewhere
                yield hit
        elif not calendar:
            # An indicator's look-back counts bars of its price series ("20-day Fast" in a
            # sentence about an EMA crossover): no calendar question for day counts there.
            counts = () if _NAMES_INDICATOR.search(unit.text) else ((_DAY_COUNT, _day_count),)
            for pattern, maker in (*counts, (_WINDOW, _window), (_DATE_RULE, _date_rule)):
                yield from _hits(unit, low, pattern, maker, taken)
        yield from _hits(unit, low, _VAGUE_DATE, _vague_date, taken)
        if not zone:
            for hit in _hits(unit, low, _TIME_OF_DAY, _time_of_day, taken):
                if _CENTRE_AFTER.match(ctx.markdown, hit.end):
                    continue  # "WM/Reuters 16:00 London rates", "the 4:00 p.m. New York
                    # close": the centre after the time is its clock (this time's only)
                if _CUT_OFF.fullmatch(ctx.markdown[hit.start : hit.end]):
                    if relative_cut_off is None:
                        relative_cut_off = _cut_off_defined_relative(ctx)
                    if relative_cut_off:
                        continue  # "refers to the oldest time in the time window as the
                        # "cutoff time"": a point of a window, not a time of day
                clockless = not _CLOCK.search(ctx.markdown, hit.start, hit.end)
                if clockless and not calendar and not always_open and listed is None:
                    listed = _listed(ctx)
                if clockless and (calendar or (not always_open and listed)):
                    continue  # "after the close" where the document names the exchange: that
                    # exchange's close, on its clock; of listed securities, each one's own
                    # market's close; "16:00" still needs its zone, and in markets that
                    # never close "the close" is a moment the document must set
                yield hit
            if always_open and mentions(low, _DAILY_VALUE_WORDS):
                yield from _daily_cut_off(unit, taken)


_CUT_OFF = re.compile(r"cut-?off\s+(?:time|point)", re.IGNORECASE)


# A point of a moving window or a series, which no clock places: "the oldest time in the
# time window", "the start of the current epoch".
_WINDOW_POINT = re.compile(r"\b(?:window|interval|series|bucket|epoch|block)s?\b", re.IGNORECASE)


def _cut_off_defined_relative(ctx: CheckContext) -> bool:
    """Return True if the document defines its cut-off time as a point of a window or series.

    "The remainder of this explanation refers to the oldest time in the time window as the
    "cutoff time"": a moment relative to a window, which no time zone places.
    """
    return any(
        _CUT_OFF.fullmatch(t.term.strip()) and _WINDOW_POINT.search(t.definition)
        and not _CLOCK.search(t.definition) and not _TIME_OF_DAY.search(t.definition)
        for t in ctx.ir.terms
    )


_NAMES_INDICATOR = re.compile(rf"\b{_INDICATOR}\b", re.IGNORECASE)
# A value taken once a day: in a market that never closes, the moment must be stated.
_DAILY_VALUE = re.compile(
    r"\b(?:calculated|computed|published|valued|priced|disseminated|fixed)\s+(?:on\s+a\s+)?"
    r"daily\b"
    r"|\bdaily\s+(?:(?:closing|settlement|reference)\s+)?(?:close|closing\s+prices?|values?|"
    r"levels?|prices?|fixings?|settlements?|NAVs?)\b"
    r"|\bend[- ]of[- ]day\s+(?:prices?|values?|levels?|data)\b"
    r"|\bclosing\s+prices?\b",
    re.IGNORECASE,
)


def _daily_cut_off(unit: TextUnit, taken: list[tuple[int, int]]) -> Iterator[CheckHit]:
    """Yield daily values in a market that never closes, with no time and zone (one group)."""
    for m in _DAILY_VALUE.finditer(unit.text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        taken.append((m.start(), m.end()))
        phrase = " ".join(m.group(0).split())
        yield attrs.evolve(
            _hit(
                unit.start + m.start(), unit.start + m.end(),
                "Daily value with no cut-off time",
                f"'{phrase}': the market trades around the clock, so a daily value depends "
                "on the moment it is taken, and the document gives no time or time zone.",
                "State the time and time zone of the daily value (e.g. 16:00 Europe/London) "
                "and how the price at that moment is computed.",
                f"{phrase} ([[specify: time and time zone of the daily value]])",
            ),
            subject="daily cut-off",
        )


# A date given only as roughly when: "rolled shortly before expiry", "a few days before the
# rebalance", "around month-end". Whatever the calendar, the day is not fixed.
_VAGUE_DATE = re.compile(
    r"\b(?:shortly|soon|just|some\s+time|sometime)\s+(?:before|after|prior\s+to|ahead\s+of)\s+"
    r"(?:the\s+|each\s+|its\s+)?(?:[\w-]+\s+){0,2}?(?:expiry|expiration|maturity|settlement|"
    r"roll|rebalanc\w*|reconstitution|review|close|open|auction|fixing|publication|delivery|"
    r"first\s+notice\s+day|last\s+trading\s+day|month[- ]end|quarter[- ]end|year[- ]end)\b"
    r"|\b(?:a\s+few|several|some)\s+(?:trading\s+|business\s+|calendar\s+)?days?\s+"
    r"(?:before|after|prior\s+to|ahead\s+of)\b"
    r"|\b(?:around|near|close\s+to)\s+(?:the\s+)?(?:expiry|expiration|maturity|month[- ]end|"
    r"quarter[- ]end|year[- ]end)\b",
    re.IGNORECASE,
)


def _vague_date(start: int, end: int, phrase: str) -> CheckHit:
    return _hit(
        start, end, "Date given only roughly",
        f"'{phrase}' does not fix the day: two people applying the rule could pick "
        "different dates.",
        "Give the date rule exactly (e.g. the fifth business day before expiry, on a named "
        "calendar).",
        f"{phrase} ([[specify: exact date rule and calendar]])",
    )


# Literal prefilters (see base.mentions): every match of the pattern contains one of these.
_WORDS: dict[re.Pattern[str], tuple[str, ...]] = {
    _DAY_COUNT: ("day",),
    _WINDOW: ("week", "month"),
    _DATE_RULE: ("day", "end", "week", "schedule", "basis", "cycle", "hours"),  # "holiday"
    _BUSINESS_DAY: ("day", "week", "schedule", "basis", "cycle"),
    _TIME_OF_DAY: ("close", "open", "day", "cut", ":", "local", "am", "pm", "m."),
    _VAGUE_DATE: ("before", "after", "prior", "ahead", "around", "near", "close"),
}
_DAILY_VALUE_WORDS = ("daily", "day", "closing")  # "end-of-day" has "day"


def _hits(
    unit: TextUnit,
    low: str,
    pattern: re.Pattern[str],
    maker: Callable[[int, int, str], CheckHit],
    taken: list[tuple[int, int]],
) -> Iterator[CheckHit]:
    if not mentions(low, _WORDS[pattern]):
        return  # no match possible
    for m in pattern.finditer(unit.text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        if pattern is _TIME_OF_DAY and _DECIMAL_COLON.search(
            unit.text, max(0, m.start() - 40), m.end() + 40
        ):
            continue  # "{0:070; 0:078; 0:01}": a PDF's decimal points read as colons
        taken.append((m.start(), m.end()))
        subject = singular_phrase(" ".join(m.group(0).lower().split()))
        if pattern is _TIME_OF_DAY:
            subject = "time zone"  # "9:45 AM", "end of day", "after the close": one
            # question, which market's clock; one line ("All times are IST") answers it
        elif _DAY_OFF.search(m.group(0)):
            subject = "business days and holidays"  # "last business day", "business days",
            # "holiday": one question, whose calendar
        yield attrs.evolve(
            maker(unit.start + m.start(), unit.start + m.end(), m.group(0)), subject=subject
        )


# A financial centre right after a clock time: " p.m. New York", " London".
_CENTRE_AFTER = re.compile(rf"\s*(?:[ap]\.?\s?m\.?)?\s+(?:{_CENTRES})\b", re.IGNORECASE)
# A colon no clock has: three digits after it, or minutes past 59 ("U_Liq0 = 0:75").
_DECIMAL_COLON = re.compile(r"(?<![\d:])\d:(?:\d{3,}|[6-9]\d)(?![\d:])")
_DAY_OFF = re.compile(r"\b(?:business|working|banking)\s+days?\b|\bholidays?\b", re.I)
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}|\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)


def _hit(start: int, end: int, title: str, description: str, fix: str, repl: str) -> CheckHit:
    return CheckHit(
        start=start,
        end=end,
        title=title,
        description=description,
        suggested_fix=fix,
        replacement=repl,
        category=Category.MARKET_CALENDAR,
        # An unnamed calendar or zone is worth fixing, rarely critical: the usual reading
        # is often clear from the market the document is about.
        severity=Severity.MEDIUM,
        confidence=0.8,
    )


def _day_count(start: int, end: int, phrase: str) -> CheckHit:
    repl = re.sub(r"(?i)\bdays?\b", lambda m: f"[[specify: trading or calendar]] {m.group(0)}",
                  phrase, count=1)
    return _hit(
        start, end, "Day count does not say trading or calendar days",
        f"'{phrase}' can be read as trading days or calendar days, and no calendar is named.",
        "Say whether these are trading, business or calendar days, and name the calendar.",
        f"{repl} ([[specify: calendar]])",
    )


def _window(start: int, end: int, phrase: str) -> CheckHit:
    return _hit(
        start, end, "Look-back window has no day-count convention",
        f"'{phrase}' does not say how the window is measured (calendar months or a number "
        "of trading days) or what happens when its end is not a trading day.",
        "Define the window in trading days of a named calendar, or give the date roll rule.",
        f"{phrase} ([[specify: window in trading days or date rule, and calendar]])",
    )


def _date_rule(start: int, end: int, phrase: str) -> CheckHit:
    return _hit(
        start, end, "Date rule depends on an unnamed calendar",
        f"'{phrase}' depends on which days are trading days, but no exchange or holiday "
        "calendar is named.",
        "Name the calendar (exchange or holiday calendar) and the roll rule for non-trading "
        "days.",
        f"{phrase} ([[specify: calendar and roll convention]])",
    )


def _time_of_day(start: int, end: int, phrase: str) -> CheckHit:
    return _hit(
        start, end, "Time of day has no time zone",
        f"'{phrase}' does not say which market's time or which time zone applies.",
        "Give the time with its time zone (e.g. an IANA zone name) and the market it refers "
        "to.",
        f"{phrase} ([[specify: time and time zone]])",
    )
