"""Inconsistent content: the same quantity or rule stated twice with different values.

``contradictory_values`` compares, across the document's sentences and list items:

- numeric constraints ("payout ratio below 70%" / "payout ratio must not exceed 60%"): same
  unit, overlapping subject words, different bounds; three or more values of one quantity
  are the cases of a rulebook, not a contradiction, and a floor with a cap above it
  ("at least 5%" / "must not exceed 20%") is a range. Amounts compare at their scale
  ("EUR 50,000" is under "EUR 2 million"; a currency is a sign or a code), and durations
  count in minutes and hours as well as days, weeks, months and years;
- the weighting scheme of the index itself ("weighted by dividend yield" / "equal weighting").

``contradictory_schedules`` compares the frequencies given to the same action ("rebalanced
monthly" / "rebalanced quarterly", or the months listed: "on the third Friday of March,
June, September and December" is quarterly), one finding per action; "constituent
changes" are the reconstitution in words.

``miscounted_lists`` compares a count with the list it announces ("a basket of eight
currencies: EUR, JPY, GBP, CAD, CNY, MXN and KRW" names seven).

A labelled line ("Reference Date: 5 days ...") is about its label only, and numbers that are
part of a name ("Russell 3000", "S&P 500") are not quantities.

``parameter_not_in_table`` compares a configuration document's parameter table with its
text: a setting the text names as a parameter (```minimum_spread`` parameter``) that no
table lists (the table has ``min_spread``) is one finding per name.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

import attrs

from docsense.domain.findings import Category
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit, TextUnit, mentions

__all__ = [
    "contradictory_schedules",
    "contradictory_values",
    "miscounted_lists",
    "parameter_not_in_table",
]

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_UNIT = (
    r"(?:%|percent|per\s+cent|years?|months?|days?|weeks?|hours?|minutes?|seconds?|bps|"
    r"basis\s+points|billion|million|thousand|x\b)"
)
# A currency as a sign or a code ("$2 million", "EUR 2 million").
_CURRENCY = r"(?:[$€£]|\b(?:USD|EUR|GBP|CHF|JPY)\s?)"
_CONSTRAINT = re.compile(
    rf"(?P<cmp>\bbetween|\bat\s+least|\bat\s+most|\bminimum(?:\s+of)?|\bmaximum(?:\s+of)?|"
    rf"\bmin\.?|\bmax\.?|\bno\s+more\s+than|\bno\s+less\s+than|\bnot\s+exceed|\bbelow|\babove|"
    rf"\bgreater\s+than|\bless\s+than|\bmore\s+than|\bexceeds?|\bup\s+to|"
    rf"\b(?:capped|limited|restricted)\s+(?:at|to)|\b(?:cap|limit|ceiling|floor)\s+of)?"
    # a unit after a space or a hyphen ("30 minutes", "the 30-minute window"); a range's second
    # value in the currency of its first ("between EUR 1 million and EUR 2 million")
    rf"\s*(?P<cur>{_CURRENCY})?(?P<a>{_NUMBER})(?:\s*|-)(?P<unit>{_UNIT})?"
    rf"(?:\s*(?:and|to|-|\u2013)\s*{_CURRENCY}?(?P<b>{_NUMBER})\s*(?P<unit2>{_UNIT})?)?",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")  # in every match of _CONSTRAINT
_STOP = frozenset(
    [
        "the", "a", "an", "of", "for", "and", "or", "to", "in", "on", "at", "by", "with", "from",
        "as", "is", "are", "be", "been", "must", "should", "shall", "will", "may", "have", "has",
        "had", "its", "their", "this", "that", "these", "those", "each", "every", "all", "any",
        "than", "least", "most", "more", "less", "between", "below", "above", "under", "over",
        "not", "no", "minimum", "maximum", "min", "max", "exceed", "exceeds", "up", "current",
        "usd", "eur", "gbp", "per", "which", "who", "whose", "it", "into", "within",
        "consecutive",
    ]
)
_FREQ = (
    r"(?:daily|weekly|fortnightly|monthly|quarterly|semi-?annually|semi-?annual|annually|annual|"
    r"yearly|bi-?annually|bi-?monthly)"
)
# The actions a schedule is given for: each stem and the noun a finding names it by.
_ACTION_NOUNS = {"rebalanc": "rebalancing", "reconstitut": "reconstitution",
                 "reweight": "reweighting",
                 # "Constituent changes are made once a year": the reconstitution, in words
                 "constituent change": "reconstitution"}
_ACTION_WORDS = tuple(_ACTION_NOUNS)  # literal prefilter: every schedule names one
_ACTIONS = f"(?:{'|'.join(_ACTION_WORDS)})"
# A period in words: "each month", "every three months", "once a year", "twice a year".
_PERIOD = (
    r"(?:(?:each|every|once\s+(?:a|an|per|each|every))\s+(?:calendar\s+)?"
    r"(?:day|week|month|quarter|year)"
    r"|every\s+(?:two|three|six|twelve|2|3|6|12)\s+(?:weeks|months)"
    r"|twice\s+(?:a|per|each|every)\s+(?:year|month))\b"
)
_MONTH = (  # capitalised, whatever the pattern's flags ("may" is no month)
    r"(?-i:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)"
)
_FREQ_STATEMENT = re.compile(
    rf"\b(?P<verb>{_ACTIONS})\w*\s+(?:is\s+|are\s+)?(?:done\s+|performed\s+)?(?P<freq>{_FREQ})\b"
    rf"|\b(?P<freq2>{_FREQ})\s+(?P<verb2>{_ACTIONS})\w*"
    # "rebalanced at the close on the first business day of each month": the period closes
    # the clause that names the action
    rf"|\b(?P<verb3>{_ACTIONS})\w*\b(?:[^.;:,()]{{0,80}}?\b(?P<period>{_PERIOD})"
    # "Rebalancing takes effect on the third Friday of March, June, September and December":
    # the months listed say how often (four: quarterly); tried only where no period is
    rf"|[^.;:,()]{{0,80}}?\b(?P<months>{_MONTH}(?:\s*,\s*{_MONTH})*,?\s+and\s+{_MONTH})\b)",
    re.IGNORECASE,
)
# Every word capitalised: a frequency that is part of a name ("Daily Rebalanced ER").
_NAME_WORDS = re.compile(r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*")
_MONTHS_FREQ = {12: "monthly", 6: "bimonthly", 4: "quarterly", 2: "semiannually"}
_PERIOD_FREQ = {
    "day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly",
    "year": "annually", "two weeks": "fortnightly", "2 weeks": "fortnightly",
    "two months": "bimonthly", "2 months": "bimonthly", "three months": "quarterly",
    "3 months": "quarterly", "six months": "semiannually", "6 months": "semiannually",
    "twelve months": "annually", "12 months": "annually",
}


def _frequency(m: re.Match[str]) -> str:
    """Return the frequency a _FREQ_STATEMENT match states, in one spelling ("monthly")."""
    months = m.group("months")
    if months:
        count = len(set(re.findall(_MONTH, months)))
        return _MONTHS_FREQ.get(count, f"{count} times a year")
    period = m.group("period")
    if period:
        words = " ".join(period.lower().split())
        if words.startswith("twice"):
            return "semiannually" if words.endswith("year") else "semimonthly"
        last = re.sub(r"^(?:each|every|once\s+\w+)\s+(?:calendar\s+)?", "", words)
        return _PERIOD_FREQ.get(last, last)
    freq = re.sub(r"[- ]", "", (m.group("freq") or m.group("freq2")).lower())
    return {"annual": "annually", "semiannual": "semiannually", "yearly": "annually"}.get(
        freq, freq
    )


_WEIGHTING = re.compile(
    r"\b(?P<equal>equal(?:ly)?[- ]weight(?:ed|ing|s)?|weighted\s+equally|equal\s+weights?)\b"
    r"|\b(?P<cap>(?:free[- ]float\s+)?(?:market[- ]cap(?:italization|italisation)?|cap|float)"
    r"[- ]weight(?:ed|ing)?|weighted\s+by\s+(?:free[- ]float\s+)?market\s+cap\w*)\b"
    r"|\bweighted\s+(?:by|based\s+on|according\s+to|in\s+proportion\s+to)\s+"
    r"(?:its\s+|their\s+|the\s+)?(?P<by>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)",
    re.IGNORECASE,
)
# A value inside a condition ("If ... exceeds 100%", "where X is below 5%") is a branch.
_CONDITION = re.compile(
    r"(?:^|[,;:(]\s*)(?:if|where|when|whenever|unless|in\s+case|provided\s+that|to\s+the\s+"
    r"extent)\b[^,;]*$",
    re.IGNORECASE,
)
_OTHER_PRODUCTS = re.compile(
    r"\bother\s+(?:funds|indices|indexes|products|strategies|portfolios|benchmarks)\b",
    re.IGNORECASE,
)
_OTHER_INDEX = re.compile(r"^\s*(?:indices|indexes|index|benchmarks?|peers?)\b", re.IGNORECASE)


@attrs.frozen
class _Constraint:
    unit: TextUnit
    subject: frozenset[str]
    kind: str
    low: float
    high: float
    phrase: str


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ments", "ment", "ings", "ing", "ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _subject(text: str) -> frozenset[str]:
    label, sep, _ = text.partition(":")
    if sep and 0 < len(label.split()) <= 5:
        text = label
    words = re.findall(r"[A-Za-z][A-Za-z-]+", text)
    return frozenset(_stem(w) for w in words if w.lower() not in _STOP and len(w) > 2)


def _unit_class(unit: str | None, currency: str | None) -> str:
    if currency:
        return "money"
    if not unit:
        return ""
    u = unit.lower().replace(" ", "")
    for key, cls in (("%", "%"), ("percent", "%"), ("year", "years"),
                     ("month", "months"), ("week", "weeks"), ("day", "days"), ("hour", "hours"),
                     ("minute", "minutes"), ("second", "seconds"), ("bps", "bps"),
                     ("basis", "bps"), ("billion", "money"), ("million", "money"),
                     ("thousand", "money"), ("x", "x")):
        if key in u:
            return cls
    return u


_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def _scale(unit: str | None) -> float:
    """Return what an amount in ``unit`` is multiplied by ("EUR 2 million" is 2,000,000)."""
    return _SCALE.get((unit or "").lower(), 1.0)


def _bounds(cmp: str, a: float, b: float | None) -> tuple[float, float]:
    c = " ".join(cmp.lower().split())
    if b is not None:
        return (min(a, b), max(a, b))
    if c.startswith(("at least", "minimum", "min", "no less", "above", "over", "greater",
                     "more than", "exceed", "floor")):
        return (a, math.inf)
    if c.startswith(("at most", "maximum", "max", "no more", "not exceed", "below", "under",
                     "less than", "up to", "capped", "limited", "restricted", "cap", "limit",
                     "ceiling")):
        return (-math.inf, a)
    return (a, a)


# Where one clause of a sentence ends and the next, about another quantity, begins: "the
# transaction costs ... range from 0.0025% to 0.06%, and the servicing costs ... from 0.015%
# to 0.8%".
_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|but|while|whereas)\s+(?=(?:the|its|their|each)\s)",
                           re.IGNORECASE)


def _clause(breaks: list[tuple[int, int]], length: int, start: int, end: int
            ) -> tuple[int, int]:
    """Return the span of the clause that holds ``[start, end)`` in a text of ``length``.

    ``breaks`` are the spans of the text's :data:`_CLAUSE_BREAK` matches, in order.
    """
    begin, finish = 0, length
    for break_start, break_end in breaks:
        if break_end <= start:
            begin = break_end
        elif break_start >= end:
            finish = break_start
            break
    return begin, finish


def _constraints(ctx: CheckContext) -> Iterator[_Constraint]:
    for unit in ctx.rule_units:
        if not _DIGIT.search(unit.text):
            continue  # every constraint has a number
        subjects: dict[tuple[int, int], frozenset[str]] = {}  # per clause, when first needed
        breaks: list[tuple[int, int]] | None = None  # the clause breaks, when first needed
        for m in _CONSTRAINT.finditer(unit.text):
            if _CONDITION.search(unit.text[: m.start()]):
                continue  # "If the sum is greater than 100%": a branch, not a requirement
            before = unit.text[: m.start("cur") if m.group("cur") else m.start("a")].rstrip()
            if re.search(r"[A-Z&][\w&]*$", before) and not m.group("cmp"):
                continue  # "Russell 3000", "S&P 500": part of a name
            unit_a = m.group("unit") or m.group("unit2")  # "5 and 10 million": a's unit too
            kind = _unit_class(unit_a, m.group("cur"))
            if not kind:
                continue
            a = float(m.group("a").replace(",", "")) * _scale(unit_a)
            b = (float(m.group("b").replace(",", "")) * _scale(m.group("unit2") or m.group("unit"))
                 if m.group("b") else None)
            if re.match(r"minimum|min\b", unit.text[: m.start()].strip()[-8:].lower() or "x"):
                cmp = "minimum"
            else:
                cmp = m.group("cmp") or ""
            if not cmp and b is None:
                continue  # a value, not a requirement ("has a weight of 1.333%")
            low, high = _bounds(cmp, a, b)
            if breaks is None:
                breaks = [b.span() for b in _CLAUSE_BREAK.finditer(unit.text)]
            clause = _clause(breaks, len(unit.text), m.start(), m.end())
            if clause not in subjects:
                subjects[clause] = _subject(_CONSTRAINT.sub(" ", unit.text[clause[0]:clause[1]]))
            yield _Constraint(unit, subjects[clause], kind, low, high, m.group(0).strip())


def _same_quantity(x: frozenset[str], y: frozenset[str]) -> bool:
    shared = x & y
    smaller = min(len(x), len(y))
    return bool(shared) and len(shared) * 2 >= smaller and (len(shared) >= 2 or smaller <= 2)


def _values_of(item: _Constraint, items: list[_Constraint]) -> set[tuple[float, float]]:
    """Return the distinct bounds ``items`` give the quantity ``item`` constrains."""
    return {(x.low, x.high) for x in items
            if x.kind == item.kind and _same_quantity(x.subject, item.subject)}


def _range_together(x: _Constraint, y: _Constraint) -> bool:
    """Return True when one of ``x``, ``y`` is a floor and the other a cap that it stays under."""
    floor, cap = (x, y) if x.high == math.inf else (y, x)
    return floor.high == math.inf and cap.low == -math.inf and floor.low <= cap.high


def contradictory_values(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report the same quantity or weighting stated with different values."""
    reported: set[int] = set()
    items = list(_constraints(ctx))
    stated: dict[int, set[tuple[str, float, float]]] = {}  # per unit: the values it states
    for item in items:
        stated.setdefault(item.unit.start, set()).add((item.kind, item.low, item.high))
    for i, later in enumerate(items):
        for earlier in items[:i]:
            if later.unit is earlier.unit or later.kind != earlier.kind:
                continue
            if (later.kind, later.low, later.high) in stated[earlier.unit.start]:
                continue  # the earlier sentence states this value too: a restatement (a
                # summary repeating the rules), its other values are other quantities
            if not _same_quantity(earlier.subject, later.subject):
                continue
            if _range_together(earlier, later):
                continue  # "at least 5%" and "must not exceed 20%": a floor and a cap that
                # both hold, a range, not two values of one requirement
            if later.unit.start in reported:
                break
            if len(_values_of(later, items)) > 2:
                break  # three or more values of one quantity: the cases of a rulebook
                # ("capped at 10%", "at 25%" and "at 33%" for three indices), not a
                # contradiction, which is one value against another
            reported.add(later.unit.start)
            yield _conflict(later.unit, earlier.unit, later.phrase, earlier.phrase)
            break
    yield from _weighting_conflicts(ctx, reported)


_COUNT_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12,
}
# A count, its noun and the list it announces, in one sentence: "a basket of eight
# currencies: EUR, JPY, GBP, CAD, CNY, MXN and KRW", "the following three criteria: A, B
# and C".
_COUNTED_LIST = re.compile(
    rf"\b(?P<count>{'|'.join(_COUNT_WORDS)}|[2-9]|1[0-2])\s+"
    r"(?P<noun>(?:[\w-]+\s+){0,3}?[a-z]+s)\s*(?:\([^()\n]{1,40}\)\s*)?:\s*"
    r"(?P<items>[^.;:\n]{3,300}?)(?=\.(?:\s|$)|;|$)",
    re.IGNORECASE,
)
# What ends a list before the sentence does: "gold and silver, plus cash".
_LIST_END = re.compile(r",?\s+(?:plus|as\s+well\s+as|together\s+with|each|which|that)\b",
                       re.IGNORECASE)
_ITEM_SPLIT = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")


# What a bracket holds, one pair deep: "(10,30)", "[a, b]".
_BRACKETED = re.compile(r"\([^()\n]*\)|\[[^\[\]\n]*\]")


def _list_items(listed: str) -> list[str]:
    """Return the items of ``listed``, split at commas and "and"/"or" outside brackets.

    "(10,30), (15,45) and (20,50)" lists three pairs, not six numbers: the separators inside a
    bracket are blanked (spaces kept, so each item keeps its words) before splitting.
    """
    def blank(b: re.Match[str]) -> str:
        inside = re.sub(r"\S", "_", b.group(0)[1:-1])
        return b.group(0)[0] + inside + b.group(0)[-1]

    masked = _BRACKETED.sub(blank, listed)
    items, start = [], 0
    for sep in _ITEM_SPLIT.finditer(masked):
        items.append(listed[start : sep.start()])
        start = sep.end()
    items.append(listed[start:])
    return [i for i in items if i]


def miscounted_lists(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report lists whose items are fewer or more than the count that announces them.

    "A basket of eight currencies: EUR, JPY, GBP, CAD, CNY, MXN and KRW" names seven: the
    count or the list is wrong. Examples ("such as", "etc.") and sentences after the colon
    are not lists.
    """
    for unit in ctx.rule_units:
        if ":" not in unit.text:
            continue
        for m in _COUNTED_LIST.finditer(unit.text):
            count = m.group("count").lower()
            stated = _COUNT_WORDS.get(count) or int(count)
            listed = _LIST_END.split(m.group("items"), maxsplit=1)[0]
            items = _list_items(listed.strip())
            if len(items) < 2 or any(len(i.split()) > 4 for i in items):
                continue  # not a list of names: a sentence after the colon
            if "etc" in items[-1].lower() or re.search(r"\b(?:such\s+as|e\.g|including)\b",
                                                       m.group(0), re.IGNORECASE):
                continue  # examples, not the whole list
            if len(items) == stated:
                continue
            yield CheckHit(
                start=unit.start + m.start(),
                end=unit.start + m.end(),
                title="Stated count does not match the list",
                description=f"The text announces {m.group('count')} {m.group('noun')} but "
                f"lists {len(items)}: which is right?",
                suggested_fix="Correct the count or complete the list so that they agree.",
                replacement=f"{m.group(0)} [[specify: the complete list, or the right count]]",
                category=Category.INCONSISTENT_CONTENT,
                confidence=0.7,
                subject=f"count of {m.group('noun').lower()}",
            )


def _conflict(unit: TextUnit, other: TextUnit, phrase: str, other_phrase: str) -> CheckHit:
    """Return the contradiction of ``phrase`` in ``unit`` and ``other_phrase`` in ``other``.

    Without a subject, contradictory values (and weighting schemes) group as one finding per
    document, each pair a place: on real rulebooks nearly every pair is two cases, and the
    group is calibrated as one reading. ``contradictory_schedules`` gives each action its own
    title and subject.
    """
    return CheckHit(
        start=unit.start,
        end=unit.end,
        title="Contradictory values for the same requirement",
        description=f"'{phrase}' here contradicts '{other_phrase}' in \"{other.text.strip()}\".",
        suggested_fix="Keep one value and delete or correct the other; if both apply in "
        "different cases, say which case each covers.",
        replacement=f"{unit.text} [[specify: the one value that applies]]",
        category=Category.INCONSISTENT_CONTENT,
        # Two values that look like one quantity's are often two cases, a worked example
        # or a table of many (on 103 audited real documents, nearly every such pair shown
        # at a higher prior was of that kind): less sure than the short documents suggest.
        confidence=0.6,
    )


def contradictory_schedules(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report an action (rebalancing, reconstitution) given two different frequencies.

    "Rebalanced monthly" against "rebalancing takes effect on the third Friday of March,
    June, September and December" (quarterly) is one finding, named for the action; a
    document giving one action three frequencies, or two each in several places, describes
    several products or cases (a rulebook of many indices), and a frequency inside a name
    ("Daily Rebalanced ER") is no schedule.
    """
    reported: set[int] = set()
    statements: list[tuple[str, str, TextUnit, re.Match[str]]] = []  # action noun, frequency
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if not mentions(low, _ACTION_WORDS):
            continue  # every frequency statement names one of the actions
        if _OTHER_PRODUCTS.search(unit.text):
            continue  # "the current process for $DPI and other funds with monthly
            # rebalancing": a schedule of other products, not this one's
        for m in _FREQ_STATEMENT.finditer(unit.text):
            if _NAME_WORDS.fullmatch(m.group(0)) and m.start() > 0:
                continue  # "S&P GSCI Select Fixed Weight Daily Rebalanced ER": a name
            stem = (m.group("verb") or m.group("verb2") or m.group("verb3")).lower()
            statements.append((_ACTION_NOUNS[stem], _frequency(m), unit, m))
    stated: dict[str, Counter[str]] = {}  # per action: how often each frequency is stated
    for action, freq, _, _ in statements:
        stated.setdefault(action, Counter())[freq] += 1
    seen: dict[str, tuple[str, TextUnit]] = {}
    for action, freq, unit, m in statements:
        if len(stated[action]) > 2 or sum(n > 1 for n in stated[action].values()) > 1:
            continue  # three schedules for one action, or two each stated in several
            # places: the products or cases of a rulebook, not one schedule stated two ways
        if action not in seen:
            seen[action] = (freq, unit)
        elif seen[action][0] != freq and unit.start not in reported:
            reported.add(unit.start)
            # Two frequencies may belong to different products or cases: less sure than
            # two values for one named quantity.
            subject = f"{action} frequency"
            yield attrs.evolve(
                _conflict(unit, seen[action][1], m.group(0), seen[action][0]),
                title=f"Contradictory schedules: {subject}",
                suggested_fix="Keep one frequency and correct the other; if each applies to "
                "a different product or case, say which.",
                replacement=f"{unit.text} [[specify: the one frequency that applies]]",
                subject=subject,
                confidence=0.55,
            )


def _weighting_conflicts(ctx: CheckContext, reported: set[int]) -> Iterator[CheckHit]:
    first: tuple[str, str, TextUnit] | None = None
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if "weight" not in low:
            continue  # in every weighting statement
        for m in _WEIGHTING.finditer(unit.text):
            if _OTHER_INDEX.match(unit.text[m.end() :]):
                continue
            if m.group("equal"):
                scheme = "equal"
            elif m.group("cap") or (m.group("by") or "").lower().startswith("market cap"):
                scheme = "cap"
            else:
                scheme = "by " + _stem((m.group("by") or "").split()[0])
            if first is None:
                first = (scheme, m.group(0), unit)
            elif scheme != first[0] and unit.start not in reported and unit is not first[2]:
                reported.add(unit.start)
                # A weighting scheme is often named for comparison ("the equal weighted
                # basket the index is measured against"): as unsure as two frequencies.
                yield attrs.evolve(_conflict(unit, first[2], m.group(0), first[1]),
                                   confidence=0.55)
                return


# A configuration identifier: snake_case in code formatting ("`order_refresh_time`").
_SNAKE = r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+"
_IDENTIFIER = re.compile(rf"`({_SNAKE})`")
_DOCUMENTED = re.compile(
    rf"^[ \t]*(?:#{{1,6}}[ \t]+|[-*+][ \t]+|\d+[.)][ \t]+)?(?:\*\*)?`({_SNAKE})`", re.MULTILINE
)
# A table row that leads with a setting's name in code formatting ("| `exchange` | ...").
_SETTING_ROW = re.compile(r"\s*\|?\s*`[a-z][a-z0-9_]*`\s*\|")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_SETTING_WORD = re.compile(
    r"\b(?:parameters?|settings?|options?|fields?|flags?|config(?:uration)?|arguments?|"
    r"keys?|variables?)\b",
    re.IGNORECASE,
)


def parameter_not_in_table(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report settings the text names that the document's parameter table does not list.

    Applies when a table lists at least three settings in code formatting in its first
    column. Every identifier that appears anywhere in a table (a setting, or a value a
    prompt offers) counts as listed; an identifier no table has, which a sentence calls a
    parameter, setting or option (the word within a few words of it), gives one finding per
    identifier.
    """
    rows = [u for u in ctx.body_units if u.kind == "row"]
    if sum(1 for u in rows if _SETTING_ROW.match(u.text)) < 3:
        return
    listed = {m.group(1) for u in rows for m in _IDENTIFIER.finditer(u.text)}
    # Settings documented elsewhere: a heading or a list item that leads with the name
    # ("### `order_refresh_time`", "- `n_positions`: ..."), not only a table row.
    listed |= {m.group(1) for m in _DOCUMENTED.finditer(ctx.markdown)}
    for unit in ctx.rule_units:
        if unit.kind == "row" or not _SETTING_WORD.search(unit.text):
            continue
        for m in _IDENTIFIER.finditer(unit.text):
            name = m.group(1)
            if name in listed:
                continue
            after = _LINK_TARGET.sub("]", unit.text[m.end() : m.end() + 200])[:30]
            if not _SETTING_WORD.search(unit.text[max(0, m.start() - 30) : m.start()] + after):
                continue  # "setting `rate` high disables the `standard_queue`": the queue is
                # named, not called a setting ("[`x`](page.md) setting" still is)
            yield CheckHit(
                start=unit.start,
                end=unit.end,
                title=f"Setting not in the parameter table: `{name}`",
                description=f"The text names `{name}` as a setting, but the document's "
                "parameter table does not list it: either the table is incomplete or the "
                "text uses another name for a listed setting.",
                suggested_fix="Use the table's name for the setting in the text, or add the "
                "setting to the table with its type, default and meaning.",
                category=Category.INCONSISTENT_CONTENT,
                confidence=0.7,
                subject=name,
            )
