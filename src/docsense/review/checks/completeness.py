"""Content the document leaves for later, and situations it never provides for.

- ``deferred_content``: parts of the method explicitly left open: "to be agreed",
  "will be finalised", "TBD", "details will follow", "this version is preliminary", an
  author's marker for unfinished work ("[WIP]", "TODO: decide ...", "is a work in
  progress"; a marker standing alone is named by its section), and the questions the
  document asks itself and leaves unanswered (the items of an "Open Questions" part, a
  question in an unchecked task box "- [ ] ...?"). One finding per thing deferred; its
  category follows what is deferred (a fee or threshold is an undefined parameter, a
  calculation an incomplete formula, a decision or process a governance gap).
- ``unfilled_placeholders``: blanks of a template or draft left in the text: ``[●]``,
  ``[•]``, ``[___]``, ``[X]``, ``XX%``, ``$X million``, ``[insert the date]``. One finding
  per document, each blank a place: a value the reader is meant to see is missing.
- ``excess_weight_unspecified``: weights are capped, but nothing says where the excess goes
  (redistributed pro rata, iteratively, to cash...), so capped weights do not sum to 100%.
- ``disruption_unspecified``: the method trades or computes a level from market data, but
  never says what happens when a market is closed, disrupted or a value is not published.
- ``changes_without_criteria``: constituents "may be added or removed" (replaced,
  switched) with no condition in the sentence: what makes a component go in or out is left
  open. One finding per document.
- ``table_row_incomplete``: a row of a table leaves empty a column that the other rows
  fill ("| REP | 0x2216... | Sell 1 |" in a table whose other rows all name the exchange,
  the maximum trade size and the cool-off period): the value the table exists to give is
  missing for that row. One finding per row.
- ``rebalancing_unscheduled``: the document weights constituents but never says how often
  or on which dates the weights are reset (no frequency, date or trigger next to any
  mention of rebalancing), so nobody can say when the index changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.ir import Table
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit, clause_start, folded, mentions

__all__ = [
    "changes_without_criteria",
    "deferred_content",
    "disruption_unspecified",
    "excess_weight_unspecified",
    "rebalancing_unscheduled",
    "table_row_incomplete",
    "unfilled_placeholders",
]

_DEFERRED = re.compile(
    r"\b(?:is|are|will|shall|would|must|remains?|still)?\s*(?:to\s+be|be|being)\s+"
    r"(?:agreed|finali[sz]ed|confirmed|decided|determined\s+(?:later|at\s+a\s+later)|"
    r"defined\s+(?:later|at\s+a\s+later)|worked\s+out|discussed|clarified|settled)\b"
    r"(?!\s+(?:in\s+accordance|pursuant|as\s+(?:set|described|specified)|under|by\s+reference))"
    r"|\b(?:TBD|TBC|TBA)\b"
    # an author's marker for unfinished work: "[WIP]", "TODO: decide how ...", "[TODO!]"
    r"|(?-i:\bTODO\b|\bWIP\b)|\b(?:(?:is|are)\s+(?:still\s+)?(?:a\s+)?)?work\s+in\s+progress\b"
    r"|(?<!deemed\s)\bto\s+be\s+(?:determined|defined|announced|confirmed)\b"
    r"(?!\s+(?:in|by|under|according|as|pursuant|from|on|using|with|for|at)\b)"
    r"|\bat\s+a\s+later\s+(?:date|stage|time)\b|\bin\s+due\s+course\b"
    r"|\b(?:is|are)\s+(?:not\s+yet\s+(?:ready|final(?:i[sz]ed)?|available|decided|defined|"
    r"known)|not\s+(?:ready|final(?:i[sz]ed)?|decided)|preliminary|provisional|a\s+draft)\b"
    r"|\b(?:details|specifics|parameters|terms)\b[^.\n]{0,40}?\bwill\s+be\s+(?:provided|"
    r"published|shared|set\s+out|given|added)\b",
    re.IGNORECASE,
)
# Words one of which every match of _DEFERRED contains (in lower case), branch by branch:
# the participles that follow "to be" ("determined" and "defined" only with "later" or after
# "be"), "tb" (TBD), "later" and "due" (in due course), the words after "is" or "are" ("yet",
# "ready", "preliminary"...), and "will" with one of the nouns (details will be provided).
_DEFERRED_WORDS = (
    "agreed", "final", "confirmed", "decided", "worked", "discussed", "clarified", "settled",
    "announced", "tb", "later", "due", "yet", "ready", "preliminary", "provisional", "draft",
    "todo", "wip", "progress",
)
_DEFERRED_NOUNS = ("details", "specifics", "parameters", "terms")


def _may_defer(low: str) -> bool:
    """Return False when ``low`` (folded text) cannot contain a match of _DEFERRED."""
    return (
        mentions(low, _DEFERRED_WORDS)
        or ("be" in low and ("determined" in low or "defined" in low))
        or ("will" in low and mentions(low, _DEFERRED_NOUNS))
    )
# "The added constituent must be decided within 24 hours of the proposal": an obligation
# with a deadline is a rule for every such decision, not content the document leaves open.
_DECISION_DEADLINE = re.compile(r"\s*(?:must|shall)\s", re.IGNORECASE)
_DEADLINE = re.compile(r"\s+(?:within|no\s+later\s+than|not\s+later\s+than)\b", re.IGNORECASE)
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
    # ("increase the weights in proportion of their original weights in order to make up for
    # the reduced weight": the excess spread pro rata; "weighted in proportion to its score"
    # says how weights are set, not where a cap's excess goes)
    r"\b(?:redistribut\w*|re-?allocat\w*|excess|pro[- ]?rata|proportional(?:ly)?|iterat\w*|"
    r"(?:increas|rais|scal)\w*\s+(?:up\s+)?(?:the\s+)?(?:other\s+|remaining\s+|uncapped\s+)?"
    r"weights?\s+in\s+proportion|make\s+up\s+for\s+the\s+(?:reduced|excess|removed|capped)|"
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
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if not _may_defer(low):
            continue  # no match possible
        for m in _DEFERRED.finditer(unit.text):
            if _DECISION_DEADLINE.match(m.group(0)) and _DEADLINE.match(unit.text, m.end()):
                continue  # "must be decided within 24 hours": a rule for each decision
            rel = clause_start(unit.text, m.start(), max_words=14, asides=True)
            subject = unit.text[rel : m.start()].strip(" ,;:-") or unit.text[: m.start()].strip()
            if unit.kind == "row":  # "| Rebalancing | Quarterly | TBD |": what the row is about
                subject = _row_header(unit.text) or subject
            if not subject or not re.search(r"[A-Za-z]", subject):
                section = ctx.section_at(unit.start)  # "[TODO!]" alone: its section is open
                subject = section.heading if section is not None and section.heading else (
                    unit.text[m.start() : m.end()])
            shown = " ".join(subject.split())[:60]
            closing = re.match(r"!?\]", unit.text[m.end() :])  # "[WIP]", "[TODO!]" whole
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end() + (closing.end() if closing else 0),
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
    yield from _open_questions(ctx)


# A part that lists the questions still open: "Open Questions", "Unresolved questions",
# "Outstanding issues".
_OPEN_QUESTIONS_HEADING = re.compile(
    r"\b(?:open|unresolved|outstanding|pending|remaining)\s+(?:questions?|issues?|points?)\b",
    re.IGNORECASE,
)
# An unchecked task box: "- [ ] What admin functions are there ...?".
_UNCHECKED = re.compile(r"\s*(?:[-*+]\s+|\d{1,3}[.)]\s+)?\[ \]\s*")
# What stands in for an answer not yet given: "*Answer*", "TBD", "-".
_ANSWER_PLACEHOLDER = re.compile(r"\W*(?:answers?|tbd|tbc|todo|n/?a)?\W*", re.IGNORECASE)


def _open_questions(ctx: CheckContext) -> Iterator[CheckHit]:
    """Yield the questions a document leaves open.

    The unanswered items of an "Open Questions" part, and questions in unchecked task boxes
    ("- [ ] What admin functions ...?").
    """
    units = ctx.rule_units
    for i, unit in enumerate(units):
        question = unit.text.strip()
        if not question.endswith("?"):
            continue
        line_start = ctx.markdown.rfind("\n", 0, unit.start) + 1
        unchecked = _UNCHECKED.match(ctx.markdown, line_start) is not None
        listed = unit.kind == "item" and any(
            s.start <= unit.start < s.end and _OPEN_QUESTIONS_HEADING.search(s.heading)
            for s in ctx.sections
        )
        if not (unchecked or listed):
            continue
        after = units[i + 1] if i + 1 < len(units) else None
        if (
            after is not None
            and after.kind == "item"
            and ctx.line_indent(after.start) > ctx.line_indent(unit.start)
            and not _ANSWER_PLACEHOLDER.fullmatch(after.text)
        ):
            continue  # answered in the item beneath it
        question = question.removeprefix("[ ]").strip()
        yield CheckHit(
            start=unit.start,
            end=unit.end,
            title=f"Question left open: {' '.join(question.split())[:60]}",
            description="The document asks this question itself and does not answer it, so "
            "whatever depends on the answer is not settled.",
            suggested_fix="Answer the question in the document, or say who answers it, by "
            "when, and how the answer is published.",
            category=_deferred_category(question),
            confidence=0.55,
            subject=" ".join(question.lower().split())[:80],
        )


def _row_header(row: str) -> str:
    """Return a table row's first non-empty cell (what the row is about)."""
    for cell in row.strip().strip("|").split("|"):
        if cell.strip():
            return cell.strip()
    return ""


# Weight said to be redistributed, and what the sentence says about it.
_REDISTRIBUTED = re.compile(
    r"\b(?:excess|surplus|remaining|capped|residual)\s+(?:weight|allocation)s?\b[^.;\n]{0,60}?"
    r"\b(?:is|are|will\s+be|gets?)\s+(?:re-?distributed|re-?allocated|spread|shared)\b"
    r"[^.;\n]*",
    re.IGNORECASE,
)
# How redistributed weight is shared out: in proportion, equally, by a named rule, or in
# rounds until no weight breaches the cap.
_SHARE_RULE = re.compile(
    r"\b(?:pro[- ]?rata|proportion\w*|equal(?:ly)?|evenly|iterat\w*|repeat\w*|until|"
    r"according\s+to|in\s+line\s+with|based\s+on|by\s+(?:their|its)\s+\w+|relative\s+to|"
    r"as\s+(?:set\s+out|described|defined)|in\s+accordance|per\s+)",
    re.IGNORECASE,
)


def excess_weight_unspecified(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report weight caps with no rule for where the capped excess goes (once per document).

    Weight said to be "redistributed to the remaining constituents" with no rule for how
    it is shared (pro rata, equally, in rounds until no weight breaches the cap) is
    reported at that sentence, unless the document states such a rule anywhere.
    """
    if ctx.search_body(_REDISTRIBUTION):
        yield from _unshared_redistribution(ctx)
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


def _unshared_redistribution(ctx: CheckContext) -> Iterator[CheckHit]:
    """Yield the first statement that weight is redistributed, if no rule says how."""
    if ctx.search_body(_SHARE_RULE):
        return  # the document says how somewhere (perhaps a section away)
    for unit in ctx.rule_units:
        m = _REDISTRIBUTED.search(unit.text)
        if m is None:
            continue
        yield CheckHit(
            start=unit.start + m.start(),
            end=unit.start + m.end(),
            title="Excess weight is redistributed, but not how",
            description="The document says the weight above a cap (or left over) is "
            "redistributed, but not in what shares: pro rata to the remaining weights, "
            "equally, or in rounds until no weight breaches the cap give different weights.",
            suggested_fix="State how the excess is shared (for example pro rata to the "
            "uncapped weights), and that the step repeats until no weight exceeds the cap.",
            category=Category.AMBIGUOUS_METHODOLOGY,
            confidence=0.5,
            subject="excess weight",
        )
        return


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


# A rule that gives constituents weights: the document is an index or portfolio methodology.
_HOLDINGS = r"(?:constituents?|components?|assets?|securities|tokens?|stocks?|holdings?)"
_WEIGHTING = re.compile(
    rf"\b{_HOLDINGS}\b[^.\n]{{0,60}}\bweight(?:s|ed|ing)?\b(?!\s+average)"
    rf"|\bweight(?:s|ed|ing)?\b(?!\s+average)[^.\n]{{0,60}}\b{_HOLDINGS}\b",
    re.IGNORECASE,
)
_RESET_EVENT = re.compile(
    r"\b(?:rebalanc\w*|reconstitut\w*|re-?weight\w*|reviews?\s+of\s+(?:the\s+)?"
    r"(?:constituents|components|weights|index)|(?:index|periodic|annual|quarterly|semi-annual)"
    r"\s+reviews?)\b",
    re.IGNORECASE,
)
_RESET_WORDS = ("rebalanc", "reconstitut", "weight", "review")  # in every _RESET_EVENT
# When: a frequency, a date, a named date term, or a trigger ("when ... deviates by 5%").
_SCHEDULE = re.compile(
    r"\b(?i:daily|weekly|fortnightly|monthly|quarterly|semi-?annual(?:ly)?|annual(?:ly)?|"
    r"yearly|bi-?(?:weekly|monthly|annual(?:ly)?)|every\s+(?:\d+|two|three|four|six|twelve)\s+"
    r"(?:days?|weeks?|months?|years?)|each\s+(?:day|week|month|quarter|year)|once\s+(?:a|per|"
    r"every)\s+\w+|when(?:ever)?|if|upon|triggered|deviat\w+|drifts?|thresholds?|bands?)\b"
    r"|\b(?:(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday)|[A-Z][a-z]+\s+(?:Date|Day)s?)"
    r"\b",
)


def rebalancing_unscheduled(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report a weighted index that never says when its weights are reset (once).

    A method that weights constituents must say when the weights are set again: a frequency
    and date, or a trigger. When no sentence that mentions rebalancing (or reconstitution, or
    a review of the constituents) gives one, and none exists in the document at all, the
    finding quotes the first such sentence (or, when rebalancing is never mentioned, the
    first sentence that weights constituents).
    """
    rules = [
        u
        for u, low in zip(ctx.rule_units, ctx.rule_folded, strict=True)
        if "weight" in low and _WEIGHTING.search(u.text)
    ]
    if not rules:
        return  # no rule weights constituents: not an index or portfolio methodology
    weighting = next((u for u in rules if re.search(r"\bweighted\b", u.text, re.I)), rules[0])
    resets = [
        u
        for u, low in zip(ctx.rule_units, ctx.rule_folded, strict=True)
        if mentions(low, _RESET_WORDS) and _RESET_EVENT.search(u.text)
    ]
    if any(_SCHEDULE.search(u.text) for u in resets) or ctx.has_heading(_RESET_EVENT):
        return
    unit = resets[0] if resets else weighting
    yield CheckHit(
        start=unit.start,
        end=unit.end,
        title="No rebalancing schedule",
        description="The method weights its constituents, but the document never says when "
        "the weights or the constituents are reset: no frequency, dates or trigger for "
        "rebalancing, so the index's changes cannot be anticipated or reproduced.",
        suggested_fix="State the rebalancing and reconstitution schedule (frequency, the date "
        "rule and calendar, the data cut-off before it) or the trigger (e.g. a weight drifting "
        "more than a stated band), and who may rebalance outside it.",
        replacement=f"{ctx.markdown[unit.start:unit.end]} ([[specify: rebalancing frequency, "
        "dates or trigger]])",
        category=Category.UNDEFINED_PARAMETER,
        confidence=0.6,
        subject="rebalancing schedule",
    )


# Constituents change: "components may be added or removed", "tokens being added and deleted".
_MEMBERSHIP_CHANGE = re.compile(
    rf"\b{_HOLDINGS}\b[^.;:\n]{{0,40}}?\b(?:may|can|could|will|would|might|shall)\s+be\s+"
    r"(?:added|removed|deleted|replaced|dropped|excluded|swapped|substituted)"
    r"(?:\s+(?:or|and|and/or)\s+(?:added|removed|deleted|replaced|dropped))?\b"
    r"(?!\s+from\s+(?!the\s+index))"  # "removed from the exchanges": not the index
    # "Long and short tokens of a market can be swapped for each other": a trade
    r"(?!(?<=swapped)\s+(?:for|into)\b)",
    re.IGNORECASE,
)
_CHANGE_WORDS = (  # in every match of _MEMBERSHIP_CHANGE
    "added", "removed", "deleted", "replaced", "dropped", "excluded", "swapped", "substituted",
)
# "`_newComponents`: Addresses of new components to be added.": a parameter's description.
_FIELD_DESCRIPTION = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?`[^`]+`\s*[:\u2013-]")
# A condition or a rule in the same sentence: the change is governed there.
_CHANGE_CONDITION = re.compile(
    r"\b(?:if|when|whenever|where|whose|unless|upon|once|following|after|based\s+on|according"
    r"\s+to|in\s+accordance|criteria|criterion|eligib\w+|requirements?|thresholds?|rank\w*|"
    r"fails?|falls?|drops?|below|above|exceeds?|no\s+longer|cease\w*|minimum|maximum|"
    r"as\s+a\s+result\s+of|resulting\s+from|due\s+to|"
    r"as\s+(?:set\s+out|"
    r"described|defined)|per\s+(?:section|rule))\b",
    re.IGNORECASE,
)


def changes_without_criteria(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report constituents added or removed with no stated condition (once per document).

    "Components may be added or removed as part of the rebalancing" leaves open what makes a
    component go in or out. A sentence that gives the condition ("removed when it falls
    below ...", "added according to the inclusion criteria") is a rule and is not reported.
    """
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if not mentions(low, _CHANGE_WORDS):
            continue  # _MEMBERSHIP_CHANGE cannot match
        m = _MEMBERSHIP_CHANGE.search(unit.text)
        if m is None or _CHANGE_CONDITION.search(unit.text):
            continue
        if _FIELD_DESCRIPTION.match(unit.text):
            continue
        if re.search(r"\b(?:no|not|never|cannot)\b", m.group(0), re.IGNORECASE):
            continue  # "no token may be added": a prohibition
        yield CheckHit(
            start=unit.start,
            end=unit.end,
            title="Constituents change with no stated criteria",
            description="The document says constituents are added or removed here, but not "
            "on what condition, so which changes happen (and when) is left to whoever runs "
            "the index.",
            suggested_fix="State the inclusion and exclusion criteria that trigger an addition "
            "or removal (measure, threshold, observation date), the replacement rule, and who "
            "confirms the change.",
            category=Category.AMBIGUOUS_METHODOLOGY,
            confidence=0.6,
            subject="membership changes",
        )


# Drafting blanks: a bracketed bullet, underscores or X ("[●]", "[___]", "[X]"); an amount or
# percentage written with X ("XX%", "$X million", "USD X.XX"; not "X%", often a variable);
# a bracketed instruction to the drafter ("[insert the Start Date]", "<enter value>").
_BLANK = re.compile(
    r"\[\s*(?:[\u25cf\u2022\u25cb\u25aa]+|_{2,}|X{1,3})\s*\]"
    r"|(?<![\w.])(?:X{2,3}(?:[.,]X{1,3})*|X[.,]X{1,3})\s?%"
    r"|(?<![\w])(?:\$|USD\s|EUR\s|GBP\s)\s?(?:X{2,3}(?:[.,]X{1,3})*|X[.,]X{1,3}|"
    r"X\s+(?i:million|billion|thousand|bn|mn|m|k))\b"
    r"|[\[<]\s*(?i:insert|enter|to\s+be\s+(?:inserted|completed|confirmed))\b[^\]>\n]{0,80}[\]>]"
    r"|\b(?i:lorem\s+ipsum)\b"
)
# "- [X] done": a Markdown task list's checked box, not a blank.
_TASK_BOX = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+$")


def unfilled_placeholders(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report blanks a template or draft left in the text ("[●]", "XX%", "[insert ...]")."""
    blanks = []
    for m in ctx.finditer_body(_BLANK):
        line_start = ctx.markdown.rfind("\n", 0, m.start()) + 1
        if _TASK_BOX.match(ctx.markdown[line_start : m.start()]):
            continue
        blanks.append(m)
    if not blanks:
        return
    first = " ".join(blanks[0].group(0).split())
    for m in blanks:
        yield CheckHit(
            start=m.start(),
            end=m.end(),
            title=f"Blank left to fill in: '{first}'"
            + (f" ({len(blanks)} places)" if len(blanks) > 1 else ""),
            description="The text still holds a placeholder where a value, date or name "
            "belongs, so the rule it is part of cannot be applied as written.",
            suggested_fix="Fill in every blank, or say where the value is published and "
            "who sets it.",
            replacement="[[specify: the value]]",
            category=Category.UNDEFINED_PARAMETER,
            confidence=0.8,
            subject="blanks left to fill in",
        )


#: The share of the other rows that must fill a column for a row's empty cell there to be a
#: gap, and the least number of such rows.
_FILLED_SHARE = 0.8
_FILLED_MIN = 2
# Rows that summarise or annotate the table ("Total", "Note") leave columns empty by design;
# so do columns of commentary ("Notes", "Comments").
_SUMMARY_ROW = re.compile(r"^\W*(?:total|sub-?total|sum|average|mean|notes?|source)\b", re.I)
_COMMENTARY_COLUMN = re.compile(
    r"^\W*(?:notes?|comments?|remarks?|descriptions?|explanations?|examples?|details)\W*$",
    re.IGNORECASE,
)
_EMPTY_CELL = frozenset({"", "**", "__"})
_DIGIT = re.compile(r"\d")


def _holds_values(cells: list[str]) -> bool:
    """Return True if most ``cells`` are values: a number, or a short name ("Uniswap").

    A column of types ("decimal"), prompts or prose describes its rows; a row without such
    a description still has everything the rule needs.
    """
    values = sum(
        1 for c in cells
        if _DIGIT.search(c) or (len(c.split()) <= 3 and c.strip("*_`[ ")[:1].isupper())
    )
    return values * 2 > len(cells)


def _row_gaps(table: Table) -> Iterator[tuple[tuple[str, ...], list[int]]]:
    """Yield each body row that stops short, with the missing columns the other rows fill.

    Only a row written with fewer cells than the header counts ("| REP | 0x2216... | Sell
    1 |" under six columns): a cell written empty is a choice (not applicable, a merged
    cell, a matrix's diagonal), and tables rebuilt from a PDF's layout always have every
    cell.
    """
    width = len(table.header)
    written = [len(row) for row in table.rows]
    rows = [tuple(c.strip() for c in row) + ("",) * (width - len(row)) for row in table.rows]
    if width < 3 or len(rows) < 3:
        return  # a two-column list of values, or too few rows to know what a row should hold
    filled = [sum(1 for r in rows if r[k] not in _EMPTY_CELL) for k in range(width)]
    valued = [_holds_values([r[k] for r in rows if r[k] not in _EMPTY_CELL]) for k in range(width)]
    for row, cells in zip(rows, written, strict=True):
        if cells >= width:
            continue  # every cell written: an empty one is the author's choice (n/a, merged)
        if not row[0] or _SUMMARY_ROW.match(row[0]):
            continue
        if all(cell in _EMPTY_CELL for cell in row[1:]):
            continue  # a group label spanning the table ("| **Fees** | | |")
        gaps = [
            k
            for k in range(cells, width)
            if row[k] in _EMPTY_CELL
            and valued[k]
            and not _COMMENTARY_COLUMN.match(table.header[k])
            and filled[k] >= max(_FILLED_MIN, _FILLED_SHARE * (len(rows) - 1))
        ]
        if gaps:
            yield row, gaps


def table_row_incomplete(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report table rows written short of columns the other rows fill (one per row)."""
    for table in ctx.ir.tables:
        start, end = table.location.start, table.location.end
        for row, gaps in _row_gaps(table):  # rare: the table's row units are looked up then
            name = " ".join(row[0].strip("*_` ").split())
            unit = next(
                (u for u in ctx.units
                 if u.kind == "row" and start <= u.start < end and _row_header(u.text) == row[0]),
                None,
            )
            columns = ", ".join(" ".join(table.header[k].strip("*_ ").split()) for k in gaps)
            yield CheckHit(
                start=unit.start if unit else start,
                end=unit.end if unit else end,
                title=f"Table row has no value: {name[:40]} ({columns})",
                description=f"The row '{name[:60]}' leaves {columns} empty, while the other "
                "rows of the table give a value there, so the rule the table sets cannot be "
                "applied to this row.",
                suggested_fix="Fill in the missing cells, or say in the cell why the row has "
                "no value (not applicable, set later by whom).",
                category=Category.UNDEFINED_PARAMETER,
                confidence=0.7,
                subject=f"{table.id}: {folded(name)[:60]}",
            )
