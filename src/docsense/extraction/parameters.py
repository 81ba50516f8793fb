"""Parameters: named quantities with a value and, when written, a unit.

Three general patterns:

* **label lines** - ``Name: 10 per cent``, ``- Rebalance Threshold = 5%``, ``**Cap**: 16%``
  (a short label, then a number);
* **comparisons in prose** - ``market capitalisation greater than $5 billion``, ``a
  volatility target of 8%``, ``capped at 10%``, ``is set to 0.5``: the noun phrase before
  the comparison word is the name;
* **measure adjectives** - ``a 20-day moving average``, ``12-month lookback period``.

Numbers that are years, dates, section numbers or list counters are not parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.ir import Parameter
from docsense.extraction._text import Block, BlockKind, Doc

__all__ = ["UNIT_PATTERN", "extract_parameters", "parse_number"]

UNIT_PATTERN = (
    r"(?i:%|per\s?cent\b|percent\b|bps\b|bp\b|basis\s+points?\b|x\b|times\b"
    r"|(?:business|trading|calendar|exchange|index)\s+days?\b|days?\b|weeks?\b|months?\b"
    r"|years?\b|hours?\b|minutes?\b|seconds?\b|USD\b|EUR\b|GBP\b|JPY\b|CHF\b|CAD\b|AUD\b"
    r"|(?:million|billion|thousand|trillion|bn|mn|mm)\b(?:\s+(?:USD|EUR|GBP|JPY|CHF)\b)?"
    r"|shares?\b|contracts?\b|stocks?\b|constituents?\b|securities\b|assets?\b|holdings?\b)"
)
_NUMBER = (
    r"[-+\u2212]?[$\u20ac\u00a3]?\s?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|[-+\u2212]?[$\u20ac\u00a3]?\s?\d+(?:\.\d+)?"
)
_VALUE = rf"(?P<value>(?:{_NUMBER})(?:\s*[-\u2013]\s*(?:{_NUMBER}))?)\s*(?P<unit>{UNIT_PATTERN})?"
_LABEL_LINE = re.compile(
    # ("2\. Observation Period: 14 days": a converter escapes the dot of a number opening a
    # line that is not a list)
    r"^\s*(?:[-*+]\s+|\d{1,3}\\?[.)]\s+|#{1,6}\s+(?:[\dIVX]+(?:\.\d+)*\.?\s+)?)?(?:\*\*)?"
    r"(?P<name>[A-Za-z][\w /&'%,-]{1,60}?)(?:\*\*)?\s*[:=]\s*(?:\*\*)?" + _VALUE
    + r"(?P<tail>[^\n]{0,40})$",
    re.MULTILINE,
)  # fmt: skip
_COMPARISON = (
    r"(?:of|is|are|was|=|equals?|equal\s+to|set\s+(?:at|to)|fixed\s+at|capped\s+at|limited\s+to"
    r"|floored\s+at|above|below|over|under|greater\s+than|less\s+than|more\s+than|fewer\s+than"
    r"|higher\s+than|lower\s+than|exceeds?|exceeding|at\s+least|at\s+most|up\s+to|no\s+more\s+than"
    r"|not\s+(?:to\s+)?exceed(?:ing)?|minimum\s+of|maximum\s+of|between|within)"
)
# A value opens on its sign or digit, never on the space before it: "Risk Factor = 1%" keeps
# the space that ends "Risk Factor =" for the name before it.
_VALUE_RE = re.compile(r"(?<![\w.])(?!\s)" + _VALUE)
# Matched against the 80 characters before a value, so the cost follows numbers, not words.
_BEFORE_VALUE = re.compile(
    r"(?P<name>(?:[A-Za-z][\w'-]*\s+){0,3}[A-Za-z][\w'-]*)\s+" + _COMPARISON + r"\s+$"
)
_MEASURE = re.compile(
    r"\b(?P<value>\d+(?:\.\d+)?)[-\s](?P<unit>(?:business|trading|calendar)[-\s]day|day|week"
    r"|month|year|hour|minute)s?\s+(?P<name>(?:[a-z][\w-]*\s+){0,3}[a-z][\w-]*)"
)
_LEADING_NOISE = re.compile(
    r"^(?:(?:the|a|an|its|their|each|any|all|with|and|or|of|for|to|in|on|at|by|if|when|that"
    r"|which|is|are|be|been|has|have|than|then|this|these|such|per|no|not|only|also|must|shall"
    r"|should|will|may|can|from|as|into|over|under)\s+)+",
    re.IGNORECASE,
)
_NOISE_WORD = re.compile(
    r"^(?:the|a|an|its|their|each|any|all|with|and|or|of|for|to|in|on|at|by|if|when|that"
    r"|which|is|are|be|been|has|have|having|than|then|this|these|such|per|no|not|only|also"
    r"|must|shall|should|will|may|can|from|as|into|over|under|was|were|whose|where|while)$",
    re.IGNORECASE,
)
_DATE_AFTER = re.compile(
    r"^\s*(?:st|nd|rd|th)?\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|dated?\b|[/:]\d)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")  # in every match of _LABEL_LINE, _VALUE_RE and _MEASURE
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_MONTHS = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s*$",
    re.IGNORECASE,
)
_REFERENCE_WORD = re.compile(
    r"\b(?:section|clause|paragraph|appendix|annex|schedule|exhibit|table|figure|page|step|rule"
    r"|article|version|row|column|item|part|chapter|level)s?$",
    re.IGNORECASE,
)
_FORMULA_TAIL = re.compile(r"^\s*(?:[/\u00d7*+^\u00f7]|-\s|:\d)")
_NAME_STOP = frozenset(
    {"it", "this", "that", "there", "which", "they", "we", "value", "number", "amount", "total"}
)


def parse_number(value: str) -> float | None:
    """Parse the first number of ``value`` (``$5,000.50`` -> 5000.5, ``-7%`` -> -7.0)."""
    match = re.search(r"[-+\u2212]?\d[\d,]*(?:\.\d+)?", value)
    if match is None:
        return None
    text = match.group(0).replace(",", "").replace("\u2212", "-")
    try:
        return float(text)
    except ValueError:
        return None


def _name(raw: str, *, leading: bool = False) -> str | None:
    words = raw.replace("*", "").split()
    if leading:  # "30-day moving average of prices": the phrase ends at the first function word
        cut = next((i for i, w in enumerate(words) if _NOISE_WORD.match(w)), len(words))
        words = words[:cut]
    while words and _NOISE_WORD.match(words[-1]):
        words.pop()
    # Keep the noun phrase after the last function word: "constituent having a weight"
    # names "weight"; "Average daily trading volume" stays whole.
    for i in range(len(words) - 1, -1, -1):
        if _NOISE_WORD.match(words[i]):
            words = words[i + 1 :]
            break
    name = " ".join(words).strip(" ,.;:-")
    if not name or name.lower() in _NAME_STOP or not re.search(r"[A-Za-z]{2}", name):
        return None
    if _REFERENCE_WORD.search(name) or _MONTHS.search(name):
        return None
    return name


def _parameter(
    doc: Doc, block: Block, name: str, span: tuple[int, int], value: str, unit: str | None
) -> Parameter | None:
    value_start, value_end = span
    after = block.text[value_start + len(value) : value_start + len(value) + 12]
    if unit is None and (_DATE_AFTER.match(after) or _DATE_AFTER.match(name)):
        return None
    value = value.strip()
    if unit is None and _YEAR.match(value.lstrip("$")):
        return None
    start = block.start + value_start
    unit_text = " ".join(unit.split()) if unit else None
    written = f"{value} {unit_text}" if unit_text and unit_text != "%" else value + (unit or "")
    return Parameter(
        name=name,
        value=written.strip(),
        location=doc.location(start, block.start + value_end),
        unit=unit_text,
        numeric=parse_number(value),
    )


def _from_block(doc: Doc, block: Block) -> Iterator[Parameter]:
    text = block.text
    if not _DIGIT.search(text):
        return  # every pattern below needs a number
    for m in _LABEL_LINE.finditer(text) if ":" in text or "=" in text else ():
        if _FORMULA_TAIL.match(m.group("tail")):
            continue
        name = _name(m.group("name"))
        if name and len(name.split()) <= 8:
            span = (m.start("value"), m.end("unit") if m.group("unit") else m.end("value"))
            found = _parameter(doc, block, name, span, m.group("value"), m.group("unit"))
            if found:
                yield found
    flat = text.replace("\n", " ")
    for m in _VALUE_RE.finditer(flat):
        if not (m.group("unit") or "." in m.group("value")):
            continue
        window_start = max(0, m.start() - 80)
        before = _BEFORE_VALUE.search(flat, window_start, m.start())
        name = _name(before.group("name")) if before else None
        if name:
            span = (m.start("value"), m.end("unit") if m.group("unit") else m.end("value"))
            found = _parameter(doc, block, name, span, m.group("value"), m.group("unit"))
            if found:
                yield found
    for m in _MEASURE.finditer(flat):
        name = _name(m.group("name"), leading=True)
        if name:
            unit = m.group("unit").replace("-", " ") + "s"
            start = block.start + m.start("value")
            yield Parameter(
                name=name,
                value=f"{m.group('value')} {unit}",
                location=doc.location(start, block.start + m.end("unit")),
                unit=unit,
                numeric=parse_number(m.group("value")),
            )


def extract_parameters(doc: Doc) -> tuple[Parameter, ...]:
    """Return parameters in document order, one per value position."""
    found: dict[int, Parameter] = {}
    for block in doc.blocks:
        if block.kind in (BlockKind.PARAGRAPH, BlockKind.HEADING):
            for parameter in _from_block(doc, block):
                found.setdefault(parameter.location.start, parameter)
    return tuple(sorted(found.values(), key=lambda p: p.location.start))
