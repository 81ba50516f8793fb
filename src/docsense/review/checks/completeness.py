"""Content the document leaves for later, and situations it never provides for.

- ``deferred_content``: parts of the method explicitly left open: "to be agreed",
  "will be finalised", "TBD", "details will follow", "this version is preliminary". One
  finding per thing deferred; its category follows what is deferred (a fee or threshold is
  an undefined parameter, a calculation an incomplete formula, a decision or process a
  governance gap).
- ``excess_weight_unspecified``: weights are capped, but nothing says where the excess goes
  (redistributed pro rata, iteratively, to cash...), so capped weights do not sum to 100%.
- ``disruption_unspecified``: the method trades or computes a level from market data, but
  never says what happens when a market is closed, disrupted or a value is not published.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit, clause_start

__all__ = ["deferred_content", "disruption_unspecified", "excess_weight_unspecified"]

_DEFERRED = re.compile(
    r"\b(?:is|are|will|shall|would|must|remains?|still)?\s*(?:to\s+be|be|being)\s+"
    r"(?:agreed|finali[sz]ed|confirmed|decided|determined\s+(?:later|at\s+a\s+later)|"
    r"defined\s+(?:later|at\s+a\s+later)|worked\s+out|discussed|clarified|settled)\b"
    r"(?!\s+(?:in\s+accordance|pursuant|as\s+(?:set|described|specified)|under|by\s+reference))"
    r"|\b(?:TBD|TBC|TBA)\b"
    r"|(?<!deemed\s)\bto\s+be\s+(?:determined|defined|announced|confirmed)\b"
    r"(?!\s+(?:in|by|under|according|as|pursuant|from|on|using|with|for|at)\b)"
    r"|\bat\s+a\s+later\s+(?:date|stage|time)\b|\bin\s+due\s+course\b"
    r"|\b(?:is|are)\s+(?:not\s+yet\s+(?:ready|final(?:i[sz]ed)?|available|decided|defined|"
    r"known)|not\s+(?:ready|final(?:i[sz]ed)?|decided)|preliminary|provisional|a\s+draft)\b"
    r"|\b(?:details|specifics|parameters|terms)\b[^.\n]{0,40}?\bwill\s+be\s+(?:provided|"
    r"published|shared|set\s+out|given|added)\b",
    re.IGNORECASE,
)
_PARAMETER_NOUN = re.compile(
    r"\b(?:fees?|rates?|splits?|amounts?|sizes?|thresholds?|limits?|caps?|weights?|"
    r"parameters?|levels?|dates?|periods?|windows?|values?|prices?|percentages?|ratios?|"
    r"multipliers?|spreads?|durations?|commitments?)\b",
    re.IGNORECASE,
)
_FORMULA_NOUN = re.compile(
    r"\b(?:calculations?|computations?|formulae?|formulas|equations?|methods?|methodology|"
    r"weighting|allocation)\b",
    re.IGNORECASE,
)
_GOVERNANCE_NOUN = re.compile(
    r"\b(?:details|process(?:es)?|decisions?|terms|arrangements?|responsibilit\w+|roles?|"
    r"governance|approvals?|agreements?)\b",
    re.IGNORECASE,
)

_CAP = re.compile(
    r"\b(?:capped|cap(?:ping)?\s+(?:of|at)|weight\s+caps?|maximum\s+(?:weight|allocation|"
    r"exposure)|max(?:imum)?\s+\d+(?:\.\d+)?\s*%\s+(?:weight|allocation))\b",
    re.IGNORECASE,
)
_WEIGHT_CONTEXT = re.compile(r"\b(?:weights?|allocations?|constituents?|components?)\b", re.I)
_REDISTRIBUTION = re.compile(
    r"\b(?:redistribut\w*|re-?allocat\w*|excess|pro[- ]?rata|proportional(?:ly)?|iterat\w*|"
    r"spread\s+(?:across|among|over)|remaining\s+(?:weight|constituents|components))\b",
    re.IGNORECASE,
)

_MARKET_PROCESS = re.compile(
    r"\b(?:rebalanc\w*|reconstitut\w*|index\s+(?:level|value)|net\s+asset\s+value|NAV|"
    r"closing\s+prices?|trad(?:e|es|ed|ing)\s+(?:on|at|via)|execut\w+\s+(?:on|at|via)|"
    r"auctions?|orders?)\b",
    re.IGNORECASE,
)
_DISRUPTION_WORDS = re.compile(
    r"\bdisrupt\w*|\boutages?\b|\bhalt\w*|\bsuspen\w*|\bunavailab\w*|\bnot\s+(?:be\s+)?"
    r"(?:published|available)|\bclosures?\b|\bextraordinary\b|\bforce\s+majeure\b|\bfail(?:s|ed|"
    r"ure)?\b|\bemergenc\w*|\bfallback\b|\bcontingenc\w*|\bnon-?(?:trading|business)\s+days?\b",
    re.IGNORECASE,
)


def _deferred_category(subject: str) -> Category:
    if _FORMULA_NOUN.search(subject):
        return Category.INCOMPLETE_FORMULA
    if _PARAMETER_NOUN.search(subject):
        return Category.UNDEFINED_PARAMETER
    if _GOVERNANCE_NOUN.search(subject):
        return Category.MISSING_GOVERNANCE
    return Category.AMBIGUOUS_METHODOLOGY


def deferred_content(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report parts of the method the document explicitly leaves for later."""
    for unit in ctx.rule_units:
        for m in _DEFERRED.finditer(unit.text):
            rel = clause_start(unit.text, m.start(), max_words=14)
            subject = unit.text[rel : m.start()].strip(" ,;:-") or unit.text[: m.start()].strip()
            if not subject or not re.search(r"[A-Za-z]", subject):
                subject = unit.text[m.start() : m.end()]
            shown = " ".join(subject.split())[:60]
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title=f"Left to be decided later: {shown}",
                description="The document says this is not settled yet, so the method cannot "
                "be implemented or reviewed as written.",
                suggested_fix="Settle it in the document (the value, calculation or process), "
                "or say who decides it, by when, and how the decision is published.",
                replacement=f"{unit.text[rel : m.end()]} ([[specify: the settled content]])",
                category=_deferred_category(subject),
                confidence=0.55,
                subject=" ".join(subject.lower().split())[:80],
            )
            break  # one deferral per sentence


def excess_weight_unspecified(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report weight caps with no rule for where the capped excess goes (once per document)."""
    if ctx.search_body(_REDISTRIBUTION):
        return
    for unit in ctx.rule_units:
        m = _CAP.search(unit.text)
        if m is None or not _WEIGHT_CONTEXT.search(unit.text):
            continue
        yield CheckHit(
            start=unit.start,
            end=unit.end,
            title="Capped weights: where the excess goes is not specified",
            description="Weights are capped, but the document does not say how the weight "
            "above the cap is redistributed, so the capped weights need not sum to 100% and "
            "two implementers can allocate the excess differently.",
            suggested_fix="State the redistribution rule (pro rata to uncapped constituents, "
            "iteratively until no weight exceeds the cap, or to cash) and its order of steps.",
            category=Category.AMBIGUOUS_METHODOLOGY,
            confidence=0.5,
            subject="excess weight",
        )


def disruption_unspecified(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report a market-dependent method that never provides for disruption (once)."""
    if ctx.search_body(_DISRUPTION_WORDS):
        return
    for unit in ctx.rule_units:
        m = _MARKET_PROCESS.search(unit.text)
        if m is None:
            continue
        yield CheckHit(
            start=unit.start,
            end=unit.end,
            title="No rule for market disruption or missing data",
            description="The method depends on markets and market data, but the document "
            "never says what happens when a market is closed or disrupted, a trade cannot be "
            "executed, or a price is not published.",
            suggested_fix="Define disruption events (market closure, trading suspension, "
            "missing or stale data) and the consequence of each: postponement, fallback "
            "source or value, and who decides.",
            category=Category.AMBIGUOUS_METHODOLOGY,
            confidence=0.35,
            subject="market disruption",
        )
        return
