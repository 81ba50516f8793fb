"""Ambiguous methodology: discretion, unnamed methods and unnamed benchmarks.

- ``discretionary_language``: rules that leave the decision to someone ("in its sole
  discretion", "as it deems fit": one finding per document) or to a condition nobody defines
  ("where appropriate", "if necessary": one finding per wording). "As applicable" is not
  discretion: it points at whichever of the stated cases applies.
- ``unspecified_method``: a method named by a vague label instead of being specified
  ("standard methodology", "using quantitative models", "based on macro signals", "are
  considered", "with adjustments for", "tilt ... toward", "are handled appropriately").
- ``unnamed_benchmark``: "the benchmark" / "the parent index" when the document never names
  an index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.policies import Check
from docsense.review.checks.base import (
    ADVICE,
    AGENDA,
    SET_OUT_HERE,
    CheckContext,
    CheckHit,
    TextUnit,
    clause_start,
    has_quantity,
    mentions,
    share_a_word,
)

__all__ = [
    "discretionary_language",
    "undefined_trigger",
    "unnamed_benchmark",
    "unspecified_method",
]

# Someone decides: "in its sole discretion", "at the discretion of", "as it deems fit".
# Who may decide: a person, a team or a body of the index's or strategy's own.
_DECIDING_BODY = (
    r"(?:desk|manager|trader|team|committee|sponsor|administrator|analyst|adviser|advisor|"
    r"operator|agent|provider|board)"
)
_DISCRETION = re.compile(
    # ("at the manager's discretion": whose discretion, in the possessive)
    r"\b(?:at|in|within|under)\s+(?:the|its|their|our|his|her|his\s+or\s+her|"
    r"(?:the\s+)?[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?(?:'s|\u2019s|s'))\s+"
    r"(?:(?:sole|absolute|own|full|complete|reasonable|sole\s+and\s+absolute|absolute\s+and\s+sole)"
    r"\s+)?(?:discretion|judge?ment)\b"
    r"|\bdiscretionary\s+(?:basis|decisions?|adjustments?|overrides?|changes?)\b"
    r"|\bas\s+(?:it|they|we|he|she)\s+(?:sees?|deems?|considers?|determines?|thinks?)\s+"
    r"(?:fit|appropriate|necessary|suitable|desirable)\b"
    r"|\b(?:deemed|considered|judged)\s+(?:appropriate|necessary|suitable|desirable)\s+by\b"
    r"|\bon\s+a\s+case[- ]by[- ]case\s+basis\b"
    r"|\b(?:handled|decided|determined|treated|assessed|dealt\s+with)\s+case[- ]by[- ]case\b"
    r"|\bsubjective\s+(?:judge?ment|assessment|view|decision)\b"
    # "the Administrator may use its judgement to order them", "may exercise its discretion"
    r"|\b(?:may|will|shall|can|to)\s+(?:use|exercise|apply)\s+(?:its|their|his|her|his\s+or\s+her|"
    r"(?:the\s+)?[A-Z][\w-]*(?:'s|\u2019s))\s+(?:own\s+|expert\s+)?(?:judge?ment|discretion)\b"
    # Discretion granted in words: "reserves the right to exclude ...", "voters are free to
    # come to an alternative consensus", "the sponsor may elect to remove ...".
    # ("the price is free to float", "feeds are free to query": no one decides)
    r"|\breserves?\s+the\s+right\s+to\b|\bmay\s+elect\s+to\b|\b(?:is|are)\s+free\s+to\s+"
    r"(?:come|choose|decide|determine|select|adopt|deviate|depart|amend|change|modify|adjust|"
    r"exclude|include|override|interpret|agree)\b"
    # A choice or a test left to a person: "the most liquid contract, as chosen by the
    # execution desk", "if the Committee considers them representative of the market".
    rf"|\bas\s+(?:chosen|selected|picked)\s+by\s+(?:the\s+|its\s+)?(?:[\w-]+\s+){{0,2}}?"
    rf"{_DECIDING_BODY}\b"
    rf"|\b(?:if|where|when|unless)\s+(?:the\s+|its\s+)?(?:[\w-]+\s+){{0,2}}?{_DECIDING_BODY}\s+"
    # (the test, too: what the body must consider the thing to be)
    r"(?:considers?|deems?|judges?|believes?|thinks?|finds?)\b[^.;:,()\n]{0,60}",
    re.IGNORECASE,
)
# A sentence giving the reason for a rule or a view about it, not the rule.
_RATIONALE = re.compile(
    r"\bhelps?\b|\b(?:objective|goal|aim|purpose)s?\s+(?:of|is|was)\b|\bbelieves?\b"
    r"|\bis\s+of\s+the\s+view\b",
    re.IGNORECASE,
)
# The same, after the condition: "keeping them in the parent index where appropriate, helps
# the Index Committee meet the objective of ...".
_RATIONALE_AFTER = re.compile(r"\bhelps\b|\bobjective\s+of\b", re.IGNORECASE)
# Whoever the grant is for when it is an option of the public, not discretion over the
# method: "anyone is free to construct their own", "holders may elect to redeem".
_OPTION_OF_ANYONE = re.compile(
    r"\b(?:anyone|anybody|everyone|everybody|others|you|users?|holders?|investors?|traders?|"
    r"clients?|customers?|participants?|stakers?|depositors?|LPs?)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
# A negation right before the discretion: "No discretionary adjustments", "without any
# discretion".
_DENIED = re.compile(r"\b(?:no|not|never|without|nor)\s+(?:any\s+|\w+ly\s+)?$",
                     re.IGNORECASE)
# Discretion that something else overrides: "Regulatory requirements supersede discretionary
# decisions" limits discretion; it grants none.
_OVERRIDDEN = re.compile(
    r"\b(?:supersedes?|overrides?|prevails?\s+over|takes?\s+precedence\s+over|outranks?)\s+"
    r"(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
# Discretion as the manner of an act ("may override any signal at their discretion"): the
# act is discretionary, whatever it overrides.
_ADVERBIAL = re.compile(r"(?:at|in|within|under)\b", re.IGNORECASE)
_BOUNDED = re.compile(
    r"\b(?:acting\s+)?(?:in\s+good\s+faith|(?:in\s+a\s+)?commercially\s+reasonable)\b",
    re.IGNORECASE,
)
# A condition nobody defines: "where appropriate", "if necessary", "as needed". ("As
# applicable" and "if applicable" only point at whichever case applies: not discretion.)
_OPEN_CONDITION = re.compile(
    r"\b(?:where|when|whenever|if|as)\s+(?:(?:it\s+is|is|deemed|considered|reasonably)\s+)?"
    r"(?P<word>appropriate|necessary|needed|required|relevant|suitable|desirable|warranted|"
    r"advisable|possible|practicable)\b",
    re.IGNORECASE,
)
# "as soon as practicable", "as closely as possible", "as much of the old network as
# possible": manner or an aim, not a condition.
_AS_ADVERB_AS = re.compile(
    r"\bas\s+(?:(?:\w+\s+){1,2}|(?:much|many|few|little|far|close|long|near)\s+(?:\w+\s+){1,5}"
    # "as transparent and frictionless of an API-smart contract interface as possible": an aim
    r"|[a-z]+(?:ly|ent|ant|ive|ous|ful|less|ble|ple|ear|ast|ick|ow|ure|ate|ient)\s+"
    r"(?:[\w\u2013-]+\s+){1,10})$",
    re.IGNORECASE,
)
# "as required by law", "where necessary to comply with regulation": the law decides.
_LEGAL_TAIL = re.compile(
    r"^\s*(?:by|under|pursuant|in\s+accordance|to\s+comply|for\s+(?:legal|regulatory)|"
    r"(?:\w+\s+){0,3}(?:law|laws|regulations?|regulatory|legal|statute))",
    re.IGNORECASE,
)
# A regulator or the law just before "as required": they do the requiring.
_REGULATOR_BEFORE = re.compile(
    r"\b(?:regulators?|regulatory|governing\s+bod(?:y|ies)|authorit(?:y|ies)|supervisors?|"
    r"laws?|legal|statutory)\b[^.;\n]{0,40}$",
    re.IGNORECASE,
)
_ACTOR = re.compile(
    r"\b(?:the\s+)?(?P<actor>(?:[A-Z][\w&-]*\s+){0,3}(?:Sponsor|Agent|Committee|Administrator|"
    r"Calculator|Provider|Manager|Methodologist|Board|Owner|Publisher|Adviser|Advisor|Trustee|"
    r"Issuer|Operator|Team|Council|DAO))\b"
)

_METHOD = re.compile(
    r"\b(?:using|uses|use|via|with|by|per|following)\s+(?:an?\s+|the\s+)?(?:standard|usual|"
    r"conventional|customary|industry[- ]standard|common|typical|market[- ]standard)\s+"
    r"(?:methodology|methods?|approach|practice|conventions?|techniques?|models?|formulae?)\b"
    r"|\b(?:using|uses|via|through|by)\s+(?:an?\s+|the\s+)?(?:quantitative|proprietary|"
    r"internal|statistical|sophisticated|advanced|various|multiple|certain|machine[- ]learning)"
    r"\s+(?:[\w-]+\s+)?(?:models?|algorithms?|methods?|techniques?|tools?|analytics)\b"
    r"|\b(?:using|uses|via|through)\s+algorithms\b"
    # ("based on the latest prices", "the latest available data": a rule, take the last value)
    r"|\b(?:based\s+on|derived\s+from|driven\s+by|according\s+to)\s+(?:the\s+)?(?:latest"
    r"(?!\s+(?:available\s+)?(?:prices?|data|values?|quotes?|figures?|closing|trades?|"
    r"observations?|price\s+\w+)\b)|"
    r"available|relevant|various|multiple|several|other|certain|macro(?:economic)?|economic|"
    r"qualitative|subjective|market\s+conditions|signal|signals|technical|fundamental|"
    r"sentiment)"
    r"(?:\s+[\w-]+){0,3}"
    r"|\b(?:are|is)\s+(?:considered|taken\s+into\s+account|factored\s+in|accounted\s+for)\b"
    # ("uncle block rewards are considered and added to the supply": counted, then added)
    r"(?!\s+(?:as|to\s+be|if|when|eligible|ineligible|rather|and\s+\w+ed)\b)"
    # ("the fee is accounted for by multiplying the previous divisor ...": the how follows)
    r"(?!\s+(?:by\s+[a-z]+ing|using|via|through)\b)"
    r"|\bwith\s+(?:some\s+|certain\s+|appropriate\s+|further\s+)?adjustments?\s+for\b"
    r"(?:\s+[\w-]+){0,2}"
    r"|\b(?:tilts?|tilted|tilting|overweights?|underweights?)\b(?:\s+[\w-]+){0,4}?\s+"
    r"towards?\s+[\w-]+(?:\s+[\w-]+){0,2}"
    # Hedged rules: "chosen primarily based on", "weighted mainly by" (what else counts?).
    r"|\b(?:chosen|selected|weighted|ranked|determined|allocated|included)\s+(?:primarily|"
    r"mainly|largely|partly|generally|broadly|predominantly)\s+(?:based\s+on|by|on|using|"
    r"according\s+to)\b(?:\s+[\w-]+){0,4}"
    # An unnamed algorithm or process decides: "determined by an offchain algorithm".
    r"|\b(?:determined|decided|calculated|computed|set|chosen|selected)\s+by\s+(?:an?\s+|the\s+)?"
    r"(?:off-?chain|on-?chain|proprietary|internal|external|separate|automated|bespoke)\s+"
    r"(?:algorithms?|models?|process(?:es)?|scripts?|tools?|systems?|logic)\b"
    # A case whose treatment is only a manner: "Companies without articles are handled
    # appropriately", "missing prices are treated sensibly". How is the rule to give.
    r"|(?P<treated>\b(?:is|are|will\s+be|shall\s+be)\s+(?:handled|treated|dealt\s+with|"
    r"adjusted|processed|managed|addressed)\s+(?:appropriately|suitably|sensibly|reasonably|"
    r"properly|as\s+appropriate|in\s+an\s+appropriate\s+(?:way|manner))\b"
    r"(?!\s*(?:[:,]|(?:by|using|through|via|under|per|as\s+(?:follows|set|described|defined)|"
    r"in\s+(?:accordance|line)\s+with)\b)))",
    re.IGNORECASE,
)
# A scope the sentence states by its quantifier: "Only spot markets", "all trades", "no
# derivatives".
_SCOPE = re.compile(r"(?:^|\b(?:then|otherwise)\s+)(?:only|all|no|every|none\s+of)\b",
                    re.IGNORECASE)
# What follows "is considered" when it classifies ("events are considered significant
# changes", "is considered a breach") rather than names an unspecified weighing: a word that
# is neither a preposition or conjunction (considered in, when ...) nor an adverb (-ly);
# "considered for inclusion" is evaluated for it, and "is considered NULL" (or "is considered
# \u201cpremature\u201d") classifies.
_CLASSIFIED_AS = re.compile(
    r"\s+[\"\u201c\u2018']?(?!(?:in|into|during|by|alongside|together|with|at|on|upon|before|after|while|"
    # ("is considered under-collateralized": a hyphenated word, not the preposition)
    r"and|or|but|where|through|across|per|from|within|over|under|using|via|against)\b(?!-))"
    r"[A-Za-z]+\b(?<!ly)"
    # "share classes are considered separately": how items are grouped, not a weighing
    r"|\s+(?:separately|individually|independently|jointly|collectively)\b"
)
# A trigger nobody defines: "during Black Swan events", "in extreme market conditions".
_VAGUE_TRIGGER = re.compile(
    r"\b(?:during|in|under|upon|on)\s+(?:the\s+)?(?:occurrence\s+of\s+)?(?:a\s+|an\s+)?"
    r"(?:black\s+swan|extreme|exceptional|abnormal|stressed|severe|adverse|unusual|"
    r"unexpected|emergency|volatile|turbulent|crisis)\s+(?:market\s+)?(?:events?|conditions?|"
    r"circumstances|situations?|scenarios?|periods?|moves?)\b"
    # "Spreads are widened in volatile markets": the markets themselves the condition
    r"|\b(?:during|in|under)\s+(?:extreme|exceptional|abnormal|stressed|severe|adverse|"
    r"unusual|volatile|turbulent)\s+markets\b"
    # "Full exposure is restored when market conditions normalise": a change of the market's
    # state nobody measures
    r"|\b(?:when|once|if|as|until|unless)\s+(?:the\s+)?market(?:s|\s+conditions?)\s+"
    r"(?:normali[sz]e|warrants?|permits?|allows?|requires?|improves?|deteriorates?|evolves?|"
    r"stabili[sz]e|recovers?)\b",
    re.IGNORECASE,
)

_BENCHMARK = re.compile(
    # ("the front-month contract is often seen as the benchmark", "it is a benchmark, not a
    # test oracle": a role, not an index)
    r"(?<!\bas\s)(?<!\bis\s)(?<!\bare\s)(?<!\bbe\s)\b(?:the|a|its|their)\s+(?:parent\s+index|"
    # ("sets a benchmark value for the monthly trading volume": a target figure, not an index)
    r"benchmark(?:\s+index)?(?!\s+(?:values?|figures?|levels?|numbers?|thresholds?|amounts?|"
    r"volumes?|rates?|prices?)\b)|"
    r"reference\s+index|"
    r"underlying\s+index|index\s+universe)\b|\brelative\s+to\s+benchmarks\b",
    re.IGNORECASE,
)
# The benchmark named in brackets just after: "a benchmark return series $r_b$ (SPY
# buy-and-hold over the same window)".
_NAMED_IN_BRACKETS = re.compile(r"[^.;()\n]{0,40}\(\s*(?:[A-Z][a-z][\w&.-]*|[A-Z]{2,})\b")
_NAMED_INDEX = re.compile(
    r"\b(?:[A-Z][\w&.'-]*|\d+)\s+(?:[A-Z][\w&.'-]*\s+)*(?:Index|Indices|Composite|Average)\b"
)

# Literal prefilters (see base.mentions): every match of the pattern contains one of these.
_DISCRETION_WORDS = (
    "discretion", "fit", "appropriate", "necessary", "suitable", "desirable", "case",
    "subjective", "right", "free", "elect", "judg", "chosen", "picked", "consider", "deem",
    "believe", "think", "find",
)
_OPEN_CONDITION_WORDS = (
    "appropriate", "necessary", "needed", "required", "relevant", "suitable", "desirable",
    "warranted", "advisable", "possible", "practicable",
)
_TRIGGER_WORDS = (
    "swan", "extreme", "exceptional", "abnormal", "stressed", "severe", "adverse", "unusual",
    "unexpected", "emergency", "volatile", "turbulent", "crisis", "market",
)
# _METHOD, branch by branch: the qualifier of a standard method, the opaque qualifier of a
# model, "algorithm", the words of "based on" and its kin, of "is considered" and its kin,
# "toward", the hedging adverbs, the qualifier of an unnamed process, the manner of a
# treatment ("handled appropriately"); and "with ...
# adjustment" (see _may_name_method).
_METHOD_WORDS = (
    "standard", "usual", "conventional", "customary", "common", "typical",
    "quantitative", "proprietary", "internal", "statistical", "sophisticated", "advanced",
    "various", "multiple", "certain", "machine",
    "algorithm",
    "based", "derived", "driven", "according",
    "considered", "taken", "factored", "accounted",
    "toward",
    "primarily", "mainly", "largely", "partly", "generally", "broadly", "predominantly",
    "appropriate", "suitably", "sensibly", "reasonably", "properly",
    "chain", "external", "separate", "automated", "bespoke",
)


_SENTENCE_BREAK = re.compile(r"[.!?;]\s+(?=[A-Z])")  # not "U.S. dollars"
# What makes an action necessary, stated in its sentence: the requirement it serves or the
# cases listed after it.
_NEED_STATED = re.compile(
    r"\b(?:to\s+ensure|in\s+order\s+to|so\s+that|so\s+as\s+to)\b"
    # "cancel orders as necessary to maintain the newly updated bands": the state to keep
    # says when it is necessary
    r"|\b(?:necessary|needed|required)\s+to\s+(?:maintain|keep|restore|bring|meet|satisfy|"
    r"comply|match|achieve|preserve|reach|stay)\b"
    r"|\b(?:based\s+on|according\s+to|in\s+accordance\s+with)\s+the\s+following\b"
    r"|\bas\s+follows\b|\b(?:table|scenarios?|steps?|cases?)\s+(?:below|as\s+follows)\b",
    re.IGNORECASE,
)
# Notice to users: what "whenever possible" qualifies in "clients will receive notice,
# whenever possible".
_NOTICE = re.compile(r"\b(?:notice|announc\w*|notif\w*|informed)\b", re.IGNORECASE)
# The document's own upkeep: "This document will be updated as necessary".
_UPKEEP = re.compile(
    r"\b(?:this|the)\s+(?:document|methodology|policy|guide|rulebook)\s+(?:will|may|shall|is|"
    r"are)\s+(?:be\s+)?(?:updated|amended|revised|reviewed|changed)\b",
    re.IGNORECASE,
)
# Operations whose need the data decide: a conversion (when a price is quoted in another
# currency), a rule applied again (while its condition holds).
_MECHANICAL = re.compile(
    r"\b(?:convert\w*|recursive(?:ly)?|iterativ\w*|repeated(?:ly)?|rounded)\b", re.IGNORECASE
)


def _next_sentence_quantified(
    ctx: CheckContext,
    units: tuple[TextUnit, ...],
    index: int,
    text: str,
    end: re.Match[str] | None,
) -> bool:
    """Return True if the sentence after the one ending at ``end`` quantifies the same thing.

    The next sentence is the rest of ``text`` (unit ``index``) after the break ``end``, or,
    when the unit ends there, the next unit of the same paragraph. It must have a number and
    share a word with this sentence ("weight caps, if necessary. The largest five are each
    capped at 7%"): a number about something else ("Margin calls are met as needed. Gross
    exposure never exceeds 200%") says nothing of when the need arises.
    """
    this = text[: end.start()] if end is not None else text
    if end is not None:
        after = _SENTENCE_BREAK.search(text, end.end())
        following = text[end.end() : after.start() if after else len(text)]
    elif index + 1 < len(units) and ctx.same_paragraph(units[index], units[index + 1]):
        following = units[index + 1].text
    else:
        return False
    return has_quantity(following) and share_a_word(this, following)


def _may_name_method(low: str) -> bool:
    """Return False when ``low`` (folded text) cannot contain a match of _METHOD."""
    return mentions(low, _METHOD_WORDS) or ("adjustment" in low and "with" in low)


# A clause opening with a participle, in lower case (mid-sentence), that is not the subject
# of a verb ("rebalancing is done as needed" is a rule).
_PARTICIPLE_CLAUSE = re.compile(
    r"\s*(?:and\s+|by\s+|while\s+|for\s+)?[a-z]+ing\b(?!\s+(?:is|are|will|shall|must|may)\b)"
)
# What something can be made to do: "which can be minted and burnt as required", "vaults
# can also be shut down manually if needed".
_CAPABILITY = re.compile(
    r"\b(?:can|could)\s+(?:also\s+|still\s+|then\s+)?be\s+(?:\w+ly\s+)?\w+(?:ed|en|wn|t)\b",
    re.IGNORECASE,
)


def discretionary_language(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report rules left to someone's discretion, and conditions nobody defines.

    Discretion ("the Index Sponsor may, in its sole discretion, amend ...") is one finding per
    document, every place an occurrence. An open condition ("where appropriate", "if
    necessary") is one finding per wording. Informative parts (disclaimers, risk factors) and
    conditions the law settles ("as required by law") are not rules and are skipped.
    """
    units = ctx.rule_units
    for index, (unit, low) in enumerate(zip(units, ctx.rule_folded, strict=True)):
        text = unit.text
        discretion = mentions(low, _DISCRETION_WORDS)  # else _DISCRETION cannot match
        for m in _DISCRETION.finditer(text) if discretion else ():
            if _DENIED.search(text, max(0, m.start() - 30), m.start()):
                continue  # "No discretionary adjustments ... are permitted": discretion ruled out
            if not _ADVERBIAL.match(m.group(0)) and _OVERRIDDEN.search(
                text, max(0, m.start() - 60), m.start()
            ):
                continue  # "Regulatory requirements supersede discretionary decisions"
            if _OPTION_OF_ANYONE.search(text, max(0, m.start() - 40), m.start()):
                continue  # "others are free to make that call": anyone's option, no discretion
            if _BOUNDED.search(text[max(0, m.start() - 160) : m.end() + 120]):
                continue  # "in its discretion, acting in good faith and in a commercially
                # reasonable manner" (before or after): bounded by the standard duty of care
            rel = clause_start(text, m.start(), max_words=10)
            actor = _actor_before(text, m.start())
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title="Decisions left to discretion",
                description=f"{actor or 'Someone'} decides here without an objective criterion, "
                "so two implementers (or two dates) can get different results.",
                suggested_fix="State the objective criteria, or bound the discretion: who "
                "decides, within which limits, how the decision is recorded and published.",
                replacement=f"{text[rel : m.end()]} ([[specify: criteria or limits of the "
                "decision, and how it is recorded]])",
                category=Category.AMBIGUOUS_METHODOLOGY,
                confidence=0.7,
                subject="discretion",
            )
        if not mentions(low, _OPEN_CONDITION_WORDS):
            continue  # _OPEN_CONDITION cannot match
        for m in _OPEN_CONDITION.finditer(text):
            if _AS_ADVERB_AS.search(text[max(0, m.start() - 100) : m.start()]):
                continue
            if _LEGAL_TAIL.match(text[m.end() : m.end() + 60]):
                continue
            if m.group(0).lower().endswith("required") and _REGULATOR_BEFORE.search(
                text, max(0, m.start() - 60), m.start()
            ):
                continue  # "Respond to any regulatory or governing body as required": as
                # the regulator requires
            rel = clause_start(text, m.start(), max_words=10)
            sentence = max((b.end() for b in _SENTENCE_BREAK.finditer(text, 0, m.start())),
                           default=0)
            ends_at = _SENTENCE_BREAK.search(text, m.end())
            sentence_end = ends_at.start() if ends_at else len(text)
            if AGENDA.search(text, sentence, m.start()):
                continue  # "meets monthly to review ..., revise index policies as required"
            if _RATIONALE.search(text, sentence, m.start()) or _RATIONALE_AFTER.search(
                text, m.end(), sentence_end
            ):
                continue  # "keeping them ... where appropriate helps the Committee meet the
                # objective of minimizing turnover when possible", "the provider believes
                # turnover should be avoided when possible": why, or a view; not a rule
            if _MECHANICAL.search(text, sentence, m.start()):
                continue  # "converted to U.S. dollars if necessary", "applied recursively if
                # necessary": the data say when; no one decides
            whole = text[sentence:sentence_end]
            if (m.group("word").lower() in ("possible", "practicable") and _NOTICE.search(whole)
                    and not has_quantity(whole)):
                continue  # "clients will receive sufficient notice, whenever possible": the
                # notice without a period is one finding (vague_qualifiers), not two
            if m.group("word").lower() in ("necessary", "needed", "required") and (
                has_quantity(whole) or _next_sentence_quantified(ctx, units, index, text, ends_at)
            ):
                continue  # "Rebalancing announcements, if needed, are made two days prior",
                # "subject to weight caps, if necessary. The largest five are each capped at
                # 7%": the quantified rule says when it is needed
            if ADVICE.search(text, sentence, m.start()):
                continue  # "Integrators should be aware of this possibility and account for it
                # when necessary": advice to the reader, not a condition of the method
            if _UPKEEP.search(text, sentence, m.start()):
                continue  # "This document will be updated as necessary and reviewed on an
                # annual basis": the document's upkeep, which the governance checks judge
            if _PARTICIPLE_CLAUSE.match(text, rel, m.start()):
                continue  # "..., leveraging BSC as an intermediary hop when necessary",
                # "managing the data and structuring them as needed": a participle clause
                # saying how something is done, not a rule whose condition is left open
            if _CAPABILITY.search(text, sentence, sentence_end):
                continue  # "a trove can be topped up with more collateral as needed", "any of
                # the elements can be edited in isolation if required", "If needed, a more
                # granular system can be implemented on top": what the design lets someone
                # do, an option, not a condition the method leaves open
            if _NEED_STATED.search(whole):
                continue  # "If necessary, the reweighting may take place more than once ...
                # to ensure the indices conform to all diversification requirements",
                # "Capping is performed, as necessary, based on the following scenarios":
                # the sentence says what makes it necessary
            phrase = " ".join(m.group(0).split())
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title=f"Condition not defined: '{phrase}'",
                description=f"'{phrase}' leaves it open when this applies, so the outcome "
                "depends on who runs the method.",
                suggested_fix="State the objective condition under which this applies, or "
                "who decides and how the decision is recorded.",
                replacement=f"{text[rel : m.end()]} ([[specify: objective condition]])",
                category=Category.AMBIGUOUS_METHODOLOGY,
                confidence=0.8,
                subject=phrase.lower(),
            )


# A power to change or set aside the method: "may adjust any parameter", "may override
# positions", "Parameters may be updated".
_GRANTS_POWER = re.compile(
    r"\b(?:may|can)\s+(?:\w+\s+)?(?:change|adjust|alter|modify|update|amend|revise|override|"
    r"overrule|suspend)\b|\b(?:may|can)\s+be\s+(?:changed|adjusted|altered|modified|updated|"
    r"amended|revised|overridden|suspended)\b",
    re.IGNORECASE,
)
# A sentence about what can or tends to happen, not what the method does: "forks can be
# hostile", "liquidity is often sparse", "this could lead to uncertainty".
_DESCRIBES = re.compile(
    # ("can be removed", a passive action, is a rule that permits: not a description)
    # ("may sometimes be unprofitable during volatile periods": what may happen)
    r"\b(?:can|could|may|might)\s+(?!not\b)(?:\w+\s+)?(?:be(?!\s+(?:\w+ly\s+)?\w+(?:ed|en)\b)|lead|"
    r"result|cause|become|occur|happen|arise|create|trigger)\b|\b(?:often|tends?\s+to|historically|demonstrates?)\b"
    # "It aims to limit the costs ... during volatile market conditions": a purpose
    r"|\b(?:aims?|intended|designed|meant)\s+to\b"
    # "This approach is particularly effective in volatile markets": a judgement of how well
    # it works, no rule
    r"|\b(?:is|are)\s+(?:\w+\s+)?(?:effective|useful|suited|profitable|attractive|robust)\b",
    re.IGNORECASE,
)


def undefined_trigger(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report actions triggered by conditions the document never defines.

    "Emergency deleveraging during Black Swan events", "in extreme market conditions the
    sponsor may ...": what counts as such an event, who declares it and what happens then
    are left open. One finding per wording; conditions the document defines as a term
    (capitalised, "Market Disruption Event") are not reported.
    """
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if not mentions(low, _TRIGGER_WORDS):
            continue  # _VAGUE_TRIGGER cannot match
        if _DESCRIBES.search(unit.text):
            continue  # "In extreme circumstances, forks can be hostile": what happens, no rule
        if unit.start in ctx.aim_items:
            continue  # "Stability fees serve different means:" then "- Maintain peg ... in
            # extreme market conditions": an aim, not a triggered rule
        power: bool | None = None  # the sentence grants a power (read at its first trigger)
        for m in _VAGUE_TRIGGER.finditer(unit.text):
            if m.group(0).split()[-1][:1].isupper():
                continue  # "an Extreme Market Event": a defined term
            if _LIST_FOLLOWS.match(unit.text, m.end()):
                continue  # "In extreme circumstances, including:" and the list names them
            phrase = " ".join(m.group(0).split())
            # "The committee may override positions in unusual markets": the trigger frees
            # someone to change the method, and who oversees that is the point
            if power is None:
                power = _GRANTS_POWER.search(unit.text) is not None
            yield CheckHit(
                start=unit.start,
                end=unit.end,
                title=f"Trigger not defined: '{phrase}'",
                description=f"'{phrase}' triggers part of the method, but the document never "
                "says what counts as such an event, who declares it, or what exactly happens.",
                suggested_fix="Define the trigger objectively (measure and threshold), who "
                "declares it, and the action taken"
                + ("; and who approves, records and reviews the change it allows." if power
                   else "."),
                category=Category.MISSING_GOVERNANCE if power else Category.AMBIGUOUS_METHODOLOGY,
                confidence=0.7,
                subject=phrase.lower(),
            )


def _actor_before(text: str, at: int) -> str | None:
    """Return the last named decision-maker before ``at`` in the sentence, if any."""
    found = list(_ACTOR.finditer(text, max(0, at - 160), at))
    return found[-1].group("actor") if found else None


# A lead-in whose list says what the condition covers: "In extreme circumstances, including:".
_LIST_FOLLOWS = re.compile(
    r"\s*,?\s*(?:including|such\s+as|namely|defined\s+as|as\s+follows)?\s*:\s*$", re.IGNORECASE
)


# A sentence that announces the part after it: "The following section provides ...".
_INTRODUCES_PART = re.compile(
    r"\s*(?:the|this)\s+(?:following\s+)?(?:section|sections|part|chapter|appendix|table)\s+"
    r"(?:below\s+)?(?:provides?|sets?\s+out|describes?|explains?|lists?|outlines?|details?|"
    r"contains?|summari[sz]es?)\b",
    re.IGNORECASE,
)


def unspecified_method(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report methods named by a vague label instead of being specified."""
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if not _may_name_method(low):
            continue  # _METHOD cannot match
        for m in _METHOD.finditer(unit.text):
            rel = clause_start(unit.text, m.start(), max_words=10)
            quote = unit.text[rel : m.end()]
            if has_quantity(unit.text[m.start() : m.end() + 25]):
                continue
            if re.search(r"\b(?:to|on|from|by)\s+(?:the\s+)?[A-Z]", m.group(0)):
                continue  # "according to the Signal": a Capitalised Term the document defines
            if m.group("treated") is None and re.search(
                r"\b(?:no|not|never|nor|without)\b", unit.text[rel : m.start()], re.IGNORECASE
            ):
                continue  # "no closing time is considered": says what is not done (but
                # "Companies without articles are handled appropriately": the case treated)
            if m.group(0).lower().endswith("considered") and (
                _CLASSIFIED_AS.match(unit.text, m.end())
                or has_quantity(quote)
                or _SCOPE.search(quote)
            ):
                continue  # "events are considered significant changes": what counts as what;
                # "pairs with a change between -10% and 50% are considered", "Only spot
                # markets are considered", "then all trades are considered": a filter
            if re.search(r"\bthe\s+following\b", quote, re.IGNORECASE) and unit.text[
                m.end() :
            ].lstrip().startswith(":"):
                continue  # "the following pairs are considered:" and the list gives them
            if _INTRODUCES_PART.match(unit.text):
                continue  # "The following section provides general guidelines for ... based
                # on certain scenarios": the part that follows gives them
            if SET_OUT_HERE.match(unit.text, m.end()):
                continue  # "is considered in the broader context of both market data and
                # network data metrics presented in this document": the method is here
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title="Method not specified",
                description=f"'{m.group(0).strip()}' names a method without defining it: "
                "inputs, calculation steps and parameters are left to the reader.",
                suggested_fix="Specify the method: inputs, formula or steps, parameters and "
                "their values.",
                replacement=f"{quote} ([[specify: method, inputs and parameters]])",
                category=Category.AMBIGUOUS_METHODOLOGY,
                confidence=0.7,
                subject=" ".join(m.group(0).lower().split()),
            )


def unnamed_benchmark(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report 'the benchmark' or 'the parent index' in a document that names no index."""
    if ctx.search_body(_NAMED_INDEX):
        return
    for unit in ctx.rule_units:
        for m in _BENCHMARK.finditer(unit.text):
            if _NAMED_IN_BRACKETS.match(unit.text, m.end()):
                continue
            rel = clause_start(unit.text, m.start(), max_words=8)
            quote = unit.text[rel : m.end()]
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title="Benchmark or parent index not named",
                description=f"'{m.group(0)}' is never identified, so results cannot be "
                "reproduced or compared.",
                suggested_fix="Name the index (full name, provider, and price or total "
                "return variant).",
                replacement=f"{quote} ([[specify: index name and provider]])",
                category=Category.AMBIGUOUS_METHODOLOGY,
                confidence=0.8,
                subject="benchmark",
            )
