"""Data sources and external dependencies that are used but not identified.

- ``unnamed_data_sources``: data taken "from the pricing vendor", "from pricing service",
  "from the data provider" (a generic supplier, no name), and data families whose supplier
  varies ("credit ratings", "social media", "economic indicators", "sentiment measures")
  mentioned in a sentence that names no source.
- ``unidentified_dependencies``: systems, models and parties relied on but not named
  ("from the risk model", "the analytics platform", "consult external manager",
  "trade on exchanges").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit, TextUnit, clause_start

__all__ = ["unidentified_dependencies", "unnamed_data_sources"]

_GENERIC_SUPPLIER = re.compile(
    r"\b(?:from|by|via|through|using|per)\s+(?:(?:the|a|an|our|its|their|various|multiple|"
    r"external|third[- ]party|approved|designated|selected|preferred|primary|standard)\s+)*"
    r"(?:(?:pricing|price|data|market[- ]data|reference[- ]data|rating|ratings|index|"
    r"quote|quotes|news|information|benchmark)\s+)?"
    r"(?:vendors?|providers?|services?|sources?|feeds?|suppliers?|agenc(?:y|ies)|databases?|"
    r"terminals?)\b",
    re.IGNORECASE,
)
_DATA_FAMILY = re.compile(
    r"\b(?:credit\s+ratings?|social\s+media|economic\s+(?:indicators|data|releases)|"
    r"macro(?:economic)?\s+(?:indicators|data)|sentiment\s+(?:measures|data|indicators|scores)|"
    r"news\s+(?:feeds?|flow|data)|alternative\s+data|analyst\s+(?:estimates|forecasts)|"
    r"consensus\s+(?:estimates|forecasts)|market\s+data|pricing\s+data|price\s+data)\b",
    re.IGNORECASE,
)
_SOURCE_WORDS = re.compile(
    r"\b(?:source[sd]?|sourced|provided\s+by|supplied\s+by|published\s+by|obtained\s+from|"
    r"vendor|provider)\b",
    re.IGNORECASE,
)
_DEPENDENCY = re.compile(
    r"\b(?:from|by|via|through|using|with|consult|consults|consulting|on)\s+"
    r"(?:(?:the|an?|our|its|their|external|third[- ]party|outside|independent|internal)\s+)*"
    r"(?:(?:risk|pricing|analytics|execution|trading|portfolio|order|valuation|"
    r"investment)\s+)?"
    r"(?:models?|platforms?|systems?|engines?|managers?|advis[eo]rs?|brokers?|"
    r"counterpart(?:y|ies)|custodians?|exchanges)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b(?:[A-Z][a-zA-Z&]+|[A-Z]{2,})\b")


def _names_something(text: str, from_pos: int) -> bool:
    """Return True if ``text`` names something (capitalised word, acronym) from ``from_pos``."""
    return any(m.start() >= from_pos for m in _NAME.finditer(text))


def _first_word_is_name(unit: TextUnit) -> bool:
    # A list item such as "Price Data: NYSE TAQ" names its source after a label.
    _, sep, rest = unit.text.partition(":")
    return bool(sep) and bool(_NAME.search(rest))


def unnamed_data_sources(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report data whose supplier is generic or not given at all."""
    for unit in ctx.body_units:
        taken: list[tuple[int, int]] = []
        for m in _GENERIC_SUPPLIER.finditer(unit.text):
            if _names_something(unit.text[m.start() : m.end() + 40], 1):
                continue
            rel = clause_start(unit.text, m.start(), max_words=8)
            taken.append((m.start(), m.end()))
            yield _source_hit(unit, rel, m.end(), m.group(0).strip(), generic=True)
        if taken or _SOURCE_WORDS.search(unit.text) or _first_word_is_name(unit):
            continue
        for m in _DATA_FAMILY.finditer(unit.text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if _names_something(unit.text, m.end()):
                continue
            rel = clause_start(unit.text, m.start(), max_words=8)
            yield _source_hit(unit, rel, m.end(), m.group(0), generic=False)


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


def unidentified_dependencies(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report models, systems and parties the method relies on without naming them."""
    for unit in ctx.body_units:
        for m in _DEPENDENCY.finditer(unit.text):
            if _names_something(unit.text[m.start() : m.end() + 40], 1):
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
            )
