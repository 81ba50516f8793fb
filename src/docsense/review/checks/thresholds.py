"""Vague or undefined parameters: thresholds, limits, qualifiers and frequencies with no value.

These checks read the language, not a list of known sentences:

- ``vague_thresholds``: a comparison or limit whose value is never given ("exceeds the
  tolerance threshold", "is capped", "with minimum credit rating", "greater than inflation
  rate") in a clause that states no number, unless the IR defines a parameter by that name.
- ``vague_qualifiers``: judgement words standing in for a number ("sufficient liquidity",
  "significant exposure", "reasonable tracking error").
- ``vague_frequency``: timing with no period ("periodically", "at regular intervals").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.policies import Check
from docsense.review.checks.base import (
    ADVICE,
    AGENDA,
    CheckContext,
    CheckHit,
    TextUnit,
    clause_start,
    finditer_chunked,
    has_quantity,
    mentions,
    noun_goes_on,
    share_a_word,
)
from docsense.review.checks.sources import suppliers_named

__all__ = ["vague_frequency", "vague_qualifiers", "vague_thresholds"]

_LIMIT_NOUN = (
    r"(?:thresholds?|limits?|caps?|cut-?offs?|maximum|minimum|requirements?|levels?|bands?|"
    r"tolerances?|trigger(?:\s+levels?)?|barriers?|bounds?|floors?|ceilings?|buffers?|"
    r"hurdles?(?:\s+rates?)?)"
)
# The limits that are reached or crossed ("requirements are met" are conditions, and "the
# calculated level is crossed" a level the method computes).
_PASSIVE_LIMIT_NOUN = (
    r"(?:thresholds?|limits?|caps?|ceilings?|floors?|barriers?|hurdles?|trigger\s+levels?)"
)
_COMPARATOR = (
    r"(?:below|above|under|exceeds?|exceeding|exceeded|less\s+than|more\s+than|greater\s+than|"
    r"lower\s+than|higher\s+than|fewer\s+than|smaller\s+than|larger\s+than|bigger\s+than|"
    r"at\s+least|at\s+most|no\s+more\s+than|"
    r"no\s+less\s+than|not\s+exceed|within|beyond|outside|reach(?:es|ed)?|"
    r"(?:capped|set|fixed|limited|held)\s+(?:at|to)|drops?\s+below|falls?\s+below|"
    r"rises?\s+above)"
)
# The words before a limit that say which: "the", "a certain", "a pre-defined", "the upper".
_LIMIT_DETERMINER = (
    r"the|a|an|its|their|some|certain|any|pre-?defined|specified|set|given|applicable|relevant|"
    r"upper|lower"
)
# A comparison with a limit noun: "below the threshold", "exceeds upper threshold".
_COMPARE_LIMIT = re.compile(
    rf"\b{_COMPARATOR}\s+(?:(?:our|this|that|{_LIMIT_DETERMINER})\s+)*"
    rf"(?:[\w-]+\s+){{0,2}}?{_LIMIT_NOUN}\b(?:\s+{_LIMIT_NOUN}\b)?"
    rf"(?:\s+(?:allowed|permitted|required|set))?"
    # The comparison in the passive: "once a certain threshold is reached", "after a set
    # limit of losses has been hit". The match is the limit; the verb follows it.
    rf"|\b(?:once|when|whenever|after|until|if|before|as\s+soon\s+as)\s+"
    rf"(?:(?:{_LIMIT_DETERMINER})\s+)*(?:[\w-]+\s+){{0,2}}?{_PASSIVE_LIMIT_NOUN}\b"
    rf"(?=(?:\s+of\s+(?:[\w-]+\s+){{1,3}}?|\s+)(?:is|are|has\s+been|have\s+been|gets?)\s+"
    rf"(?:reached|exceeded|breached|crossed|hit|surpassed)\b)",
    re.IGNORECASE,
)
# A comparison against some other quantity named but not valued: "greater than inflation rate".
_COMPARE_OTHER = re.compile(
    r"\b(?:greater|less|more|fewer|lower|higher)\s+than\s+(?:the\s+|a\s+|an\s+)?"
    r"(?:[a-z][\w-]*\s+){0,3}?(?:rates?|prices?|averages?|values?|costs?|returns?|yields?|"
    r"levels?|spreads?|volumes?|benchmarks?|medians?|means?)\b"
    r"|\b(?:above|below|exceeds?|exceeding)\s+(?:the\s+)?(?:current|prevailing|market|"
    r"historical|expected|average|typical)\s+(?:[a-z][\w-]*\s+){0,2}?(?:rates?|prices?|"
    r"averages?|values?|costs?|returns?|yields?|levels?|spreads?)\b"
    r"|\b(?:benefits?|gains?|returns?)\s+exceeds?\s+the\s+costs?\b",
    re.IGNORECASE,
)
# A limit stated as a fact without a value: "is capped", "minimum size is enforced".
_LIMIT_STATED = re.compile(
    # ("there is limited risk": an amount described, not a limit left without its value)
    r"(?<!\bthere\s)\b(?:is|are|be|been|was|were)\s+(?:capped|floored|limited|restricted|"
    r"bounded)\b"
    # "is bounded between (Vmin, Vmax)": the interval is given, in symbols.
    r"(?!\s+(?:between|within|in)\s+[(\[$])"
    # "are floored rather than raised", "rounded or floored to the nearest unit": rounding.
    r"(?!\s+(?:rather\s+than|down\b|to\s+(?:the\s+)?nearest|to\s+an?\s+integer))"
    # "Each index is capped market capitalization weighted": "capped" qualifies a scheme.
    r"(?!\s+(?:market|cap|capitali[sz]ation|equal|float|modified|weight)\w*\b)"
    r"(?!\s+(?:to|by|in|at)\s+(?:the\s+)?[a-z]+\s+(?:of|and)\b)"
    # "the fee will be limited to the balance", "limited to borderline cases": capped at a
    # quantity, or confined to cases, that the text names
    r"(?!\s+to\s+(?:(?:the|its|their)\s+)?(?!(?:maximum|minimum|limit|cap|threshold|level|"
    r"amount|value|extent|an?|some|certain|specific)s?\b)[a-z]+(?:\s+[a-z]+)?\s*(?:[.;,]|$))"
    # "limited to approving changes", "restricted by means of", "restricted to the `owner`":
    # a power, a manner or an entity, not a quantity with its value missing.
    r"(?!\s+(?:to\s+[a-z]+ing|to\s+(?:the\s+)?`|by\s+(?:means|law|regulation|contract)|"
    r"from\b|"  # "restricted from ownership", "from trading": a prohibition
    r"in\s+(?:scope|number|risk|terms|their|its|what|how|use|practice|time|size)|in\s+[a-z]+ing)\b)"
    # ("a capped, fully-invested, long-only frontier": an adjective among others, before
    # the noun it describes)
    r"|(?<!not\s)(?<!very\s)(?<!only\s)(?<!\ba\s)(?<!\ban\s)(?<!\bthe\s)\b(?:capped|floored)\b"
    r"(?=\s*(?:[.;,]|$|to\s+(?:prevent|avoid|limit|reduce|ensure)|in\s+order))"
    r"|\b(?:minimum|maximum|min|max)\b(?:\s+[\w-]+){0,4}?\s+(?:is|are)\s+(?:enforced|applied|"
    r"imposed|set|required|maintained|used|observed)\b"
    r"|\b(?:with|has|have|meets?|meeting|above|below|of)\s+(?:a\s+|the\s+)?(?:minimum|maximum)"
    # ("the sum of the minimum between the bid and the ask score": the function min)
    r"\s+(?!of\b|number\b|between\b|among\b)[a-z][\w-]*"
    # ("the minimum thresholds defined below": the participle points to where they are set)
    r"(?:\s+(?!(?:defined|specified|described|set|stated|given|listed|shown)\b)[a-z][\w-]*)?",
    re.IGNORECASE,
)
# Statements about what may happen (risk factors, disclaimers) are not rules to implement.
_HYPOTHETICAL = re.compile(
    r"\b(?:may|might|could|would|possible|possibly|potential(?:ly)?|risks?|no\s+assurance)\b"
    # "liquidating at extreme temporary price can create bad debt": what can happen, no rule
    r"|\bcan\s+(?:\w+\s+)?(?:lead|result|cause|create|trigger|wipe|harm|hurt|damage|"
    r"destabili[sz]e)\b"
    r"|\b(?:let(?:'|\u2019)?s\s+(?:further\s+|now\s+)?(?:assume|say|suppose)|suppose\s+that|"
    r"assume\s+that)\b",
    re.IGNORECASE,
)
# Enough of something for a payment the sentence names: the payment sets the amount.
_AMOUNT_FOR_A_PAYMENT = re.compile(
    r"(?:sufficient|enough)\s+(?:[\w-]+\s+){1,6}?to\s+(?:cover|pay|buy|repay|settle|fund|"
    r"close|fill)\b"
    # "a sufficient balance of `srcToken` for each chunk": as much as each fill takes
    r"|(?:sufficient|enough)\s+(?:balance|funds|allowance|collateral|gas)\b[^.;]{0,40}?\s+for\s+"
    r"(?:each|every|the|a|an)\s+(?:chunk|order|trade|swap|fill|transfer|payment|transaction)s?\b",
    re.IGNORECASE,
)
# A judgement word capitalised inside a sentence, with the noun after it: a term of art
# ("Major version", "Material Change") that the document or its policies define.
_TERM_OF_ART = re.compile(r"[A-Z][a-z]+(?:\s+[A-Za-z][\w-]*)")
# What follows a phrase whose members the sentence lists in code or quotes.
_VALUES_LISTED = re.compile(
    r"[^.;:]{0,40}?\b(?:are|is|include|includes)\s*:?\s*[`\"\u201c]", re.IGNORECASE
)
# What follows a phrase whose degree the sentence states by its consequence: "a significant
# restructuring such that it no longer meets the eligibility criteria".
_DEGREE_GIVEN = re.compile(r"[^.;:]{0,70}?\bsuch\s+that\b", re.IGNORECASE)
# Venues and vendors named for publishing the index or listing a company, not as a source of
# the data the method uses.
_NOT_DATA_USE = re.compile(
    r"\b(?:(?:available|published|disseminated|distributed|broadcast)\s+(?:\w+\s+){0,2}?"
    r"(?:through|via|on|by|to)|(?:de)?listing\s+(?:from|on)|(?:de)?listed\s+(?:from|on))\b",
    re.IGNORECASE,
)
# A list item whose label is the name of a product or vendor ("- **Polygon.io**: High-quality
# price data", "- FRED: reliable rates"): the judgement describes a source the label names.
# A name has a shape a common word has not: a domain, an inner capital or an acronym.
_NAMED_LABEL = re.compile(
    r"^[\s*+-]*[*_`\[]*(?=[^:\n]{0,40}?(?:\b[A-Za-z][\w-]*\.[a-z]{2,}\b|\b[a-z]*[A-Z][a-z]+"
    r"[A-Z]\w*|\b[A-Z]{2,}\b))[^:\n]{1,40}?[*_`\]]*(?:\([^)\n]*\))?[*_`]*\s*:"
)
# Judgements of an amount, not of a source's quality: "sufficient data", "enough data".
_AMOUNT_WORDS = frozenset({"sufficient", "adequate", "enough", "ample", "insufficient"})
# What follows a phrase the sentence goes on to define.
_BEING_DEFINED = re.compile(
    r"[^.;:,]{0,60}?\b(?:(?:is|are)\s+(?:hereby\s+)?defined\s+as|means|refers?\s+to)\b",
    re.IGNORECASE,
)
# A judgement word and the noun after it both capitalised: a label ("Material Methodology
# Change", "Significant Event"), wherever it stands.
_TITLE_CASE = re.compile(r"[A-Z][a-z]+\s+[A-Z][a-z]")
# What may stand before a word capitalised only because it opens the sentence or an item.
_SENTENCE_OPENING = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|[(\[\"\u201c]\s*)$")
# An account's money tested against an operation, outside a requirement: "the trader has
# insufficient collateral", "if the general account doesn't have sufficient balance" (less
# than the margin or fee the operation takes). "Must hold sufficient margin" still asks how
# much.
_ACCOUNT_SHORT = re.compile(r"(?:in)?sufficient\s+(?:balances?|collateral|margin|funds)\b",
                            re.IGNORECASE)
# A judgement inside a quotation ('the bot will hit "insufficient margin" errors') or an
# example ("(e.g., during extreme volatility)") is not the document's criterion.
_QUOTED = re.compile(r'"[^"\n]{1,80}"|\u201c[^\u201d\n]{1,80}\u201d')
_EXAMPLE_BEFORE = re.compile(r"\((?:e\.g\.|for\s+example|for\s+instance)[^()]*$", re.IGNORECASE)
# A lead-in to the list that spells the judgement out: "Acceptable forms ... are as follows:".
_LIST_LEAD = re.compile(r"\b(?:as\s+follows|the\s+following|includes?|are)\s*:\s*$",
                        re.IGNORECASE)
_ED_WORD = re.compile(r"[A-Za-z]+ed\b")
_AUXILIARY_BEFORE = re.compile(r"\b(?:has|have|had|was|were|been|being)\s+$", re.IGNORECASE)
# A participle, not a judgement: "established during", "accepted by".
_PARTICIPLE = re.compile(  # (or a verb with its object: "established a permanent ...")
    r"[A-Za-z]+ed\s+(?:during|by|in|on|at|for|under|through|with|from|when|upon|a|an|the)\b",
    re.IGNORECASE,
)
# A sentence that only points elsewhere: "For information on the treatment of ..., see".
_POINTER = re.compile(  # (after a run-in heading: "Unexpected Exchange Closures For ...")
    r"^\W*(?:[A-Z][\w'-]*\s+){0,5}?for\s+(?:more\s+|further\s+|additional\s+)?"
    r"(?:information|details)\s+"
    r"(?:on|about|regarding|concerning)\b",
    re.IGNORECASE,
)
# Legal idioms built from judgement words; they set no parameter.
_IDIOM = re.compile(
    r"commercially\s+reasonable|reasonable\s+(?:efforts?|care|control|terms|doubt|judge?ment)|"
    r"material\s+(?:adverse|respects?|non-?public)|(?:but\s+)?not\s+limited\s+to|"
    r"(?:manifest|proven|obvious)\s+errors?|"
    # "The adapter does more than return a price": it does other things too, no comparison
    r"\b(?:do|does|did)\s+(?:much\s+|far\s+)?(?:more|less)\s+than\b",
    re.IGNORECASE,
)
# A definite reference to a window nobody sized: "the lookback period".
_UNSIZED_WINDOW = re.compile(
    r"\bthe\s+(?:lookback|look-back|observation|measurement|estimation|averaging|holding|"
    r"calculation|rolling|cool-?(?:off|down)|waiting|rebalanc\w*|review)\s+(?:period|window|"
    r"horizon|interval)\b"
    r"|\bthe\s+(?:time|interval|period|duration)\s+between\s+(?:two\s+)?(?:consecutive\s+)?"
    r"(?:rebalanc\w*|trades|observations|reviews|updates|auctions)\b",
    re.IGNORECASE,
)

_QUALIFIER = re.compile(
    r"\b(?:sufficient|significant|reasonable|adequate|substantial|strong|major|material|"
    r"excessive|meaningful|considerable|acceptable|unexpected|unusual|abnormal|elevated|"
    r"extreme|controversial|insufficient|high[- ]quality|heavy|good|reputable|well[- ]known|"
    r"well[- ]established|established|credible|proven)"
    r"(?:\s+(?!(?:and|or|to|of|in|for|from|the|with|by|at|on|as|based|is|are|that|which)\b)"
    r"(?:(?-i:[A-Z]\.){2,}|[a-z][\w-]*(?<!ly)\b)){1,3}",  # "a major U.S. exchange"
    re.IGNORECASE,
)
# Words that are also legal standards ("material change", "reasonable efforts"): in the
# drafting of rulebooks they are often deliberate, so they count as a defect only in a
# sentence that sets a criterion.
_LEGAL_STANDARD = frozenset({"material", "reasonable", "major", "established"})
# Qualities nobody can measure without a rubric: a subjective screen, not a missing number.
_SUBJECTIVE_NOUN = re.compile(
    r"\b(?:quality|product|team|usage|use|reputation|project|community|governance|"
    r"practices?|track\s+record|brand|management|fundamentals|adoption|credibility)\b",
    re.IGNORECASE,
)
# The qualified noun is where data comes from: "well-established data aggregators", "major
# exchanges", "reputable price providers". The source is then named only by a judgement.
_SOURCE_NOUN = re.compile(
    r"\b(?:data|sources?|vendors?|providers?|aggregators?|exchanges?|venues?|feeds?|"
    r"oracles?|price\s+services?|pricing\s+services?)\b",
    re.IGNORECASE,
)
# A statement of aim: what the rule is for, not the rule ("to ensure meaningful ...").
_PURPOSE = re.compile(
    r"\b(?:to|which|that|and)\s+(?:mitigate|mitigates|minimi[sz]e|minimi[sz]es|"
    r"ensure|ensures|maintain|maintains|promote|promotes|"
    r"provide|provides|achieve|achieves|reflect|reflects|encourage|encourages|avoid|avoids|"
    r"prevent|prevents|capitali[sz]e|capture|exploit|benefit|profit)\b"
    # "a mechanism to capitalize on significant upward price movements", "allows capturing
    # gains during strong moves": what the method is for, not a criterion it applies
    r"|\b(?:capitali[sz]ing|capturing|exploiting|benefiting|profiting)\b"
    r"|\b(?:allows?|allowing|enables?|enabling|lets?)\s+(?:\w+\s+)?(?:to\s+)?(?:capture|"
    r"capturing|profit|profiting|benefit|benefiting|exploit|exploiting)\b"
    r"|\b(?:in\s+order|so\s+as|designed|intended|aims?|aimed|aiming|seeks?|seeking)\s+to\b"
    r"|\bso\s+that\b"
    # "The `BCR` buffer ensures that a significant price drop ...": what a part achieves
    r"|\b(?:ensures|guarantees)\b"
    r"|\bhelps?\s+(?:to\s+)?[a-z]+\b"  # "helps preserve the strong governance voice"
    r"|\b(?:ensuring|avoiding|preventing|promoting)\b"  # ", ensuring robust handling of"
    r"|^\W*(?:avoids?|prevents?)\b",  # "- Avoids excessive bias toward small caps"
    re.IGNORECASE,
)
# Notice given "in advance" with no period: "changes to the methodology are announced well
# ahead of time", "clients are notified with reasonable notice". The communication comes
# first, so "orders placed in advance" is no notice.
_NOTICE = re.compile(
    r"\b(?:announc|notif|publish|communicat|inform|disclos|circulat|post(?:ed|s)\b|giv|provid)"
    r"[^.;:\n]{0,60}?\b(?P<notice>(?:(?:well|sufficiently|reasonably|duly)\s+)?(?:in\s+advance"
    r"|ahead\s+of\s+time|beforehand))\b"
    # ("without adequate notice": the noun is the notice, whatever verb comes before)
    r"|\b(?P<noun>(?:reasonable|sufficient|adequate|appropriate|advance|prior)\s+notice"
    r"|(?:notice|notification)\s+period)\b",  # "Notification period before major changes"
    re.IGNORECASE,
)
_NO_NOTICE = re.compile(r"\b(?:without|no|what|which|how\s+much)\s+$", re.IGNORECASE)
_NOTICE_WORDS = ("advance", "ahead of time", "beforehand", "notice", "notification")


def _notice_hits(unit: TextUnit, low: str) -> Iterator[CheckHit]:
    """Yield the notice in ``unit`` given "in advance" without saying how long before."""
    if not mentions(low, _NOTICE_WORDS):
        return
    for m in _NOTICE.finditer(unit.text):
        clause_begin = clause_start(unit.text, m.start(), max_words=25)
        if has_quantity(unit.text[clause_begin : m.end() + 25]):
            continue  # "announced at least five business days in advance"
        withheld = _NO_NOTICE.search(unit.text, 0, m.start())
        if m.group("noun") and withheld and not (
            withheld.group(0).lower().startswith("without")
            and re.search(r"\b(?:not|never|no)\b", unit.text[clause_begin : withheld.start()])
        ):
            continue  # "corrected without advance notice", "what advance notice is given":
            # no notice, or the question the policy goes on to answer ("will not be altered
            # without adequate notice" still requires notice)
        phrase = " ".join((m.group("notice") or m.group("noun")).split())
        # "announced well ahead of time" from its verb; "... without adequate notice" from
        # the clause's words before the noun
        begin = m.start() if m.group("notice") else clause_start(unit.text, m.start(),
                                                                  max_words=6)
        yield CheckHit(
            start=unit.start + begin,
            end=unit.start + m.end(),
            title=f"Notice period not specified: '{phrase}'",
            description=f"'{phrase}' says notice is given, not how long before the change "
            "or event: users cannot tell when they will know.",
            suggested_fix="State the minimum notice period (e.g. five business days before "
            "the effective date), where notices are published and what happens when the "
            "period cannot be met.",
            replacement=f"{unit.text[begin : m.end()]} ([[specify: notice period]])",
            category=Category.UNDEFINED_PARAMETER,
            confidence=0.75,
            subject="notice period",
        )
        return  # one per unit


# How things usually are, said of the world rather than required of the method.
_HABITUAL = re.compile(
    r"\b(?:typically|usually|generally|commonly|historically|tends?\s+to|have\s+experienced|"
    r"has\s+experienced)\b",
    re.IGNORECASE,
)
_OBLIGATION = re.compile(r"\b(?:must|shall|should|required?|only|eligible)\b", re.IGNORECASE)
# A lead-in whose list items are the events or conditions that trigger a rule: "The indices
# are rebalanced under the circumstances:", "The following events are considered ...:".
# Each item is a criterion; its "may" describes the event, not a risk.
_TRIGGER_LEAD = re.compile(
    r"\b(?:under\s+the\s+(?:following\s+)?circumstances|(?:in|under)\s+(?:any\s+of\s+)?the\s+"
    r"following\s+(?:cases|circumstances|events|conditions|situations)|the\s+following\s+"
    r"(?:events|circumstances|conditions|situations)\s+(?:are|is|will\s+be)\s+(?:considered|"
    r"deemed|treated)|if\s+(?:any|one)\s+of\s+the\s+following|when(?:ever)?\s+(?:any|one)\s+of\s+"
    r"the\s+following)\b[^:\n]{0,120}:\s*$",
    re.IGNORECASE,
)
# What a number could stand for (a quantity of the market, the portfolio or time) and what
# the method selects. Outside a criterion, a judgement word on anything else ("a good
# example", "significant effort", "strong integrations") is an opinion in the narrative,
# not a number left out.
_MEASURABLE = re.compile(
    r"\b(?:liquidity|volumes?|depth|prices?|pricing|movements?|moves?|deviations?|changes?|"
    r"amounts?|sizes?|times?|periods?|durations?|delays?|windows?|numbers?|counts?|balances?|"
    r"capitali[sz]ations?|caps?|supply|values?|valuations?|returns?|loss(?:es)?|gains?|"
    r"drawdowns?|risks?|exposures?|slippage|spreads?|fees?|costs?|levels?|volatility|"
    r"leverage|collateral|weights?|shares?|portions?|proportions?|percentages?|fractions?|"
    r"margins?|buffers?|reserves?|history|activity|demand|flows?|rates?|TVL|capacity|"
    r"distances?|differences?|gaps?|thresholds?|notice|advance|holdings?|positions?|"
    r"concentration|turnover|impact|decline|drop|increase|rise|fall|growth|interest|"
    r"participation|coverage|diversification|correlation|dispersion|outflows?|inflows?|"
    r"redemptions?|deposits?|withdrawals?|debt|borrowing|funding|yield|rewards?|penalt\w+|"
    r"errors?|amendments?|modifications?|revisions?|"
    # What the method selects: a judgement on it is a criterion ("major cryptocurrencies").
    r"assets?|cryptocurrenc\w+|tokens?|coins?|securities|stocks?|equities|bonds?|companies|"
    r"issuers?|constituents?|components?|pairs?|markets?|instruments?|currencies|protocols?)\b",
    re.IGNORECASE,
)
_CRITERION = re.compile(
    r"\b(?:must|should|shall|recommend(?:s|ed)?\s+that|only|eligible|eligibility|qualif\w+|"
    r"require[sd]?|minimum|at\s+least|"
    r"select\w*|screen\w*|filter\w*|criteri\w+)\b",
    re.IGNORECASE,
)
# A condition whose clause is the criterion: "is eligible if", "are selected only when".
_CRITERION_CONDITION = re.compile(
    r"\b(?:eligible|eligibility|qualif(?:y|ies)|selected|included|admitted|excluded|removed)\s+"
    r"(?:only\s+)?(?:if|when|where|provided\s+that)\s+$",
    re.IGNORECASE,
)
# A sentence that gives an order: "Buy tokens showing strong upward movement", "Maintain
# reasonable tracking error". A description ("This induces a significant overhead") is no rule.
_IMPERATIVE = re.compile(
    r"\W*(?:buy|sell|trade|hold|have|keep|maintain|exclude|include|select|avoid|use|apply|"
    r"set|ensure|require|reject|remove|add|rebalance|allocate|invest|close|open|enter|exit)\b",
    re.IGNORECASE,
)
# What links a judgement to a step of the method, right before it: the condition that
# triggers the step ("when signals reach significant levels", "triggered by significant
# changes", "in the event of extreme volatility", "positions showing unexpected losses",
# "before implementing any material change") or the bound it keeps ("capped at a reasonable
# level", "while maintaining reasonable tracking error"). "When there is significant demand"
# describes a market; the link must govern the judged phrase itself.
_CONDITION_LINK = re.compile(
    r"\b(?:(?:when|whenever|if|once|upon|unless)(?:\s+\w+){0,3}\s+(?:reach(?:es|ed)?|"
    r"exceeds?|exceeded|shows?|hits?)|in\s+(?:the\s+)?(?:event|case)\s+of|"
    r"triggered\s+by|showing|exhibiting|demonstrat(?:e|es|ing)(?:\s+\w+ly)?|capped\s+at|"
    r"limited\s+to|maintain(?:s|ing)?|"
    r"before\s+(?:implementing|making|applying|adopting)(?:\s+any)?)"
    r"\s+(?:an?\s+|the\s+|any\s+)?$",
    re.IGNORECASE,
)
# The judged thing is what a step of the method acts on, in the same clause: "Material
# errors in published levels are corrected and republished". Being reported on is no step:
# "significant market events are summarised in a report", "significant changes are posted".
_ACTED_ON = re.compile(
    r"[^.;:,\n]{0,60}?\b(?:is|are|will\s+be|shall\s+be|must\s+be)\s+(?:\w+ly\s+)?"
    r"(?!(?:based|used|expected|considered|known|called|summari[sz]ed|described|discussed|"
    r"reported|published|released|communicated|disclosed|posted|listed|announced|covered|"
    r"explained|outlined|noted|highlighted|mentioned|documented|shown|seen)\b)"
    r"[a-z]+(?:ed|en)\b",
    re.IGNORECASE,
)
_NOT_A_JUDGEMENT = re.compile(
    r"significant\s+(?:figures?|digits?|decimal)|good\s+faith",
    re.IGNORECASE,
)

_FREQUENCY = re.compile(
    # ("regularly scheduled": by the schedule, which the document gives or names)
    r"\b(?:(?:periodically|regularly(?![\s-]+scheduled)|frequently|occasionally|routinely)"
    # ("It is regularly featured in the Wall Street Journal", "frequently cited as a
    # benchmark": how others treat the index, not a schedule of the method)
    r"(?!\s+(?:featured|cited|quoted|mentioned|referenced|reported\s+(?:in|by|on)|"
    r"discussed|covered|used\s+(?:as|by)|followed|watched)\b)|"
    r"from\s+time\s+to\s+time|"
    r"(?:at|on)\s+(?:a\s+)?regular\s+(?:intervals?(?!\s+[a-z])|basis)|(?:at|on)\s+(?:an?\s+)?"
    r"(?:periodic|ad[- ]hoc)\s+(?:intervals?|basis)|in\s+a\s+timely\s+manner)\b",
    re.IGNORECASE,
)

_BECAUSE = re.compile(r"\bbecause\b", re.IGNORECASE)
# "a slow actor who typically holds for long periods and only occasionally buys": how
# someone usually behaves, a description, not the method's schedule.
_HABIT = re.compile(r"\b(?:typically|usually|normally|generally|tends?\s+to)\b", re.IGNORECASE)
# "as amended from time to time": the document's versioning idiom, not a schedule.
_VERSIONING = re.compile(
    r"\b(?:amended|updated|modified|supplemented|revised|replaced|restated|published|"
    r"created|adjusted\s+and\s+supplemented)\s*$",
    re.IGNORECASE,
)
_METHOD_ACTION = re.compile(
    r"\b(?:rebalanc|reset|review|reweight|recalculat|re-?comput|rotat|hedg|roll|reconstitut|"
    r"recalibrat|re-?estimat|refresh)\w*",
    re.IGNORECASE,
)
# A review of the method itself: how often it happens is governance ("The Program is reviewed
# periodically", "the Committee reviews the methodology from time to time").
_METHOD_REVIEW = re.compile(
    r"\b(?:methodology|methodologies|program(?:me)?|strategy|index|indices|rules|rulebook|"
    r"framework|model|policy|document)\s+(?:is|are|will\s+be|shall\s+be|gets?)\s+"
    r"(?:reviewed|re-?evaluated|re-?assessed|assessed|audited|validated)\s*$"
    r"|\b(?:reviews?|re-?evaluates?|re-?assesses?|audits?|validates?)\s+(?:the|this|its|their)\s+"
    r"(?:\w+\s+)?(?:methodology|program(?:me)?|strategy|rules|rulebook|framework|model)\s*$",
    re.IGNORECASE,
)
_PERMISSION = re.compile(
    r"\b(?:may|might|can|could|is\s+entitled\s+to|reserves?\s+the\s+right)\b", re.IGNORECASE
)

_PERIODIC_EVENT = re.compile(
    r"\b(?:(?:rebalanc|reconstitut|review|reweight|reset)\w*\s+(?:is\s+|are\s+)?"
    r"(?:weekly|monthly|quarterly|semi-?annually|annually|yearly)"
    r"|(?:weekly|monthly|quarterly|semi-?annual|annual|yearly)\s+"
    r"(?:rebalanc|reconstitut|review|reweight|reset)\w*)\b",
    re.IGNORECASE,
)
# A schedule tied to a date the document defines: "on each Decision Date", "each Rebalance Day".
_DEFINED_DATE = re.compile(
    r"\b(?:on\s+)?(?:each|every|the)\s+(?:[A-Z][\w-]*\s+){1,3}(?:Date|Day)s?\b"
)
_DATE_RULE = re.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b"
    r"|\b(?:on|in|at|by|from|after|before|as\s+of)\s+(?:the\s+)?(?:last|first|second|third|fourth|"
    r"final|\d+\w*|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|each|every)\b|\b(?:january|february|march|april|june|july|august|"
    r"september|october|november|december)\b",
    re.IGNORECASE,
)

_SPECIFY_LIMIT = "[[specify: value, with unit]]"

# Each pattern of vague_thresholds, its kind, and groups of words: every match contains a
# word of each group (in lower case), so a unit that lacks a group cannot match and is not
# scanned.
_THRESHOLD_PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[tuple[str, ...], ...]], ...] = (
    (_COMPARE_LIMIT, "limit", (
        (  # _LIMIT_NOUN
            "threshold", "limit", "cap", "cutoff", "cut-off", "maximum", "minimum",
            "requirement", "level", "band", "tolerance", "trigger", "barrier", "bound", "floor",
            "ceiling", "buffer", "hurdle",
        ),
        (  # _COMPARATOR
            "below", "above", "under", "exceed", "than", "least", "most", "within", "beyond",
            "outside", "reach", "capped", "set", "fixed", "limited", "held",
            "breached", "crossed", "hit", "surpassed",
        ),
    )),
    (_UNSIZED_WINDOW, "window", (("period", "window", "horizon", "interval", "between"),)),
    # Also any "min" or "max" that ends a word (see _MIN_MAX).
    (_LIMIT_STATED, "stated", (("capped", "floored", "limited", "restricted", "bounded"),)),
    (_COMPARE_OTHER, "other", (("than", "above", "below", "exceed"),)),
)
# In folded text: where _LIMIT_STATED matches without one of its words above, it has
# "minimum", "maximum", "min" or "max" as a whole word.
_MIN_MAX = re.compile(r"m(?:in|ax)(?:imum)?\b")
# Words one of which every match of _QUALIFIER, _FREQUENCY or _PERIODIC_EVENT contains.
_QUALIFIER_WORDS = (
    "sufficient", "significant", "reasonable", "adequate", "substantial", "strong", "major",
    "material", "excessive", "meaningful", "considerable", "acceptable", "unexpected",
    "unusual", "abnormal", "elevated", "extreme", "controversial", "high", "heavy", "good",
    "reputable", "well", "established", "credible", "proven",
)
# A condition that turns on a change or a level judged by a degree word, not a number: "if
# weights drift materially", "when sector risk is too high", "should spreads widen sharply",
# "where the price is materially different from the close". The condition is the rule's
# trigger, so two implementers would fire it at different points.
_JUDGED_DEGREE = (
    r"(?:materially|significantly|substantially|considerably|meaningfully|sharply|markedly|"
    r"excessively|notably|appreciably|dramatically|unusually|abnormally|too\s+(?:much|far))"
)
_VAGUE_TRIGGER = re.compile(
    r"\b(?:if|when|whenever|where|once|unless|should|in\s+case|as\s+soon\s+as)\s+"
    r"(?P<subject>[^.;:,()\n]{0,80}?)\b(?P<phrase>(?P<movement>"
    r"(?:drift|deviat|move|moving|moved|change|changing|rise|rising|rose|fall|falling|fell|"
    r"drop|declin|increas|decreas|deteriorat|diverg|widen|narrow|spike|spiking|jump|"
    r"fluctuat|vary|varies|varied|differ|weaken|worsen|tighten|loosen|shift)[a-z]*\s+"
    rf"{_JUDGED_DEGREE})"
    # "when this drops too low", "if the buffer falls too far": a level judged, reached
    # by a movement
    r"|(?:drop|fall|fell|sink|sank|rise|rising|rose|climb|grow|grew)[a-z]*\s+too\s+"
    r"(?:low|high|little|small|large|thin)"
    rf"|(?:is|are|be|becomes?|became|gets?|got|remains?|seems?|appears?)\s+{_JUDGED_DEGREE}\s+"
    r"(?:different|higher|lower|larger|smaller|above|below|worse|better|out\s+of\s+line)"
    # "if drift becomes significant", "when losses are material"
    r"|(?:is|are|be|becomes?|became|gets?|got|remains?|seems?|appears?)\s+(?:significant|"
    r"material|substantial|excessive|considerable|meaningful|extreme|abnormal|unusual)\b"
    r"|(?:is|are|be|becomes?|became|gets?|got|remains?|seems?|appears?)\s+(?:too|unusually|"
    r"excessively|abnormally|extremely)\s+(?:high|low|large|small|wide|narrow|volatile|"
    r"illiquid|concentrated|expensive|cheap|big|far|close|long|short|risky|thin|stale|"
    r"crowded|correlated|levered|leveraged))\b",
    re.IGNORECASE,
)
# What such a condition leads to when it is a risk or a failure described, not a rule: "if
# markets move sharply, the strategy may lose money"; "if leverage is too low, the bot will
# hit errors".
_RISK_CONSEQUENCE = re.compile(
    r"\b(?:may|might|could|can|would)\s+(?:\w+\s+)?(?:lose|suffer|incur|decline|fall|"
    r"underperform|be\s+(?:adversely|negatively|materially|significantly)\s+affected)\b"
    r"|\b(?:errors?|fail(?:s|ures?)?)\b",
    re.IGNORECASE,
)
# What a rule does when its condition holds: a step in the passive or after a modal ("an
# extra rebalance is run", "exposure will be halved", "the manager may override"), or an
# order ("Reduce exposure"). "Longs pay shorts", "they present opportunities" describe.
_OPERATIVE = re.compile(
    r"\b(?:is|are|be|gets?|get)\s+(?:\w+ly\s+)?(?:[a-z]+(?:ed|en|wn)|cut|set|put|run|"
    r"shut|held|kept|made|paid|sold|bought|left)\b"
    r"|\b(?:must|shall|will|may|should)\s+(?!be\b|not\s+be\b)[a-z]+"
    r"|^\W*(?:reduce|increase|cut|halve|sell|buy|close|exit|rebalance|remove|exclude|replace|"
    r"suspend|stop|halt|review|adjust|scale|move|roll|notify|escalate)\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.!?](?:\s|$)")
# Words one of which every match of _VAGUE_TRIGGER contains.
_TRIGGER_WORDS = (
    "material", "significant", "substantial", "considerabl", "meaningful", "sharply",
    "marked", "excessive", "notabl", "appreciabl", "dramatic", "unusual", "abnormal", "too",
    "extreme",
)
_FREQUENCY_WORDS = (
    "period", "regular", "frequently", "occasionally", "routinely", "time", "hoc",
)
_EVENT_WORDS = ("rebalanc", "reconstitut", "review", "reweight", "reset")


def _parameter_names(ctx: CheckContext) -> list[set[str]]:
    return [set(_words(p.name)) for p in ctx.ir.parameters if p.value.strip()]


def _words(text: str) -> list[str]:
    return [w.rstrip("s") for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2]


def _defined_elsewhere(phrase: str, names: list[set[str]]) -> bool:
    words = set(_words(phrase)) - {"the", "maximum", "minimum", "threshold", "limit", "level"}
    return bool(words) and any(len(words & n) >= min(2, len(words)) for n in names)


def _clause_hit(
    unit: TextUnit, m: re.Match[str], *, max_words: int = 12
) -> tuple[int, int, str, str]:
    """Return the span and text of the clause ending at the match, and the match text."""
    rel = clause_start(unit.text, m.start(), max_words=max_words)
    start = unit.start + rel
    end = unit.start + m.end()
    return start, end, unit.text[rel : m.end()], m.group(0)


_LIMIT_WORDS = frozenset(
    {"minimum", "maximum", "threshold", "cap", "floor", "limit", "band", "bound", "ceiling"}
)
_LIMIT_ABBREVIATIONS = {"min": "minimum", "max": "maximum"}
_COMPARING_WORDS = frozenset({
    "below", "above", "the", "than", "les", "greater", "exceed", "exceeding", "fall", "falling",
    "under", "over", "meet", "beyond", "within", "its", "their", "this", "rise", "drop",
    "reach", "reache", "back",
    # The rest of the comparators' words: "outside bounds" names the bounds, not an outside.
    "outside", "more", "fewer", "smaller", "larger", "bigger", "least", "most", "not",
    "exceeded", "reached", "capped", "fixed", "limited", "held",
    # "above the required minimum": words that point back at a limit the document sets.
    "required", "specified", "configured", "prescribed", "applicable", "stated", "set",
})


#: The most words a setting's gloss may have to name the limit it is ("Price range bounds").
_SHORT_GLOSS = 6


def _defined_limit_words(ctx: CheckContext) -> frozenset[str]:
    r"""Return the words of limits the document defines by a heading, formula or term.

    "Minimum Weight Threshold Rule" as a heading, ``w_{\min} = 1/N`` as a formula: a later
    "below the minimum" or "the minimum threshold" refers to them.
    """
    words: set[str] = set()
    for sec in ctx.sections:
        found = set(_words(sec.heading))
        if found & _LIMIT_WORDS:
            words |= found
    for formula in ctx.ir.formulas:
        words |= _name_words(formula.name or "") & _LIMIT_WORDS
    for term in ctx.ir.terms:
        # A setting "min_trade_size", or a term with a value ("Minimum size: 100 units"):
        # "greater than the minimum" refers to it.
        if "_" in term.term or has_quantity(term.definition):
            found = _name_words(term.term)
            if found & _LIMIT_WORDS:
                words |= found
            elif "_" in term.term and len(_words(term.definition)) <= _SHORT_GLOSS:
                # "`lower_price` / `upper_price`: Price range bounds": settings that are
                # the limit a later "price outside bounds" names.
                glossed = set(_words(term.definition))
                if glossed & _LIMIT_WORDS:
                    words |= glossed
    return frozenset(words)


# A limit named with its noun, then a value in the same sentence: "a minimum balance which is
# roughly equal to 1% of the total pool value", "a minimum update delay, which by default is
# 30 minutes", "the minimum weight (1/100)".
# (A look-ahead, so that "the minimum balance and minimum weight (1/100)" yields both.)
_VALUED_LIMIT = re.compile(
    r"\b(?=(?P<limit>minimum|maximum|min|max)\s+(?P<nouns>(?:[a-z][a-z-]*\s+){0,2}"
    r"[a-z][a-z-]*)(?P<rest>[^.;\n]{0,80}))",
    re.IGNORECASE,
)
# A value the user or the order supplies: "the target price", "the limit price".
_INPUT_VALUE = re.compile(
    r"\bthe\s+(?:target|limit|strike|specified|user[- ](?:specified|defined)|chosen|desired|"
    r"entry|trigger|stop)\s+[a-z]+$",
    re.IGNORECASE,
)
# An order's own price, whatever the limit word after it: "reaches the stop price level".
_ORDER_PRICE = re.compile(
    r"\bthe\s+(?:target|limit|strike|entry|trigger|stop)\s+price(?:\s+[a-z]+)?$", re.IGNORECASE
)
# An observed quote or print compared with another: "the bid price is higher than the ask
# price" (a crossed quote), "lower than the closing price". Both sides are market data, each
# with its value, not a limit left without one.
_OBSERVED_PRICE = re.compile(
    # ("places a stop above the current market price": the market's price, observed; so is
    # "buy orders are placed below the current price", the price when the order is placed.
    # "The prevailing price" is not: which of the observed prices prevails is left open.)
    r"\b(?:bid|ask|offer|mid(?:-point)?|last|closing|opening|open|close|high|low|settlement|"
    r"traded|quoted|market|spot|mark|oracle|current|latest)\s+prices?$",
    re.IGNORECASE,
)
_PLACE_ADVERB = re.compile(r"(?:below|above)\s+(?:are|is|we|you)\b", re.IGNORECASE)
_POINTS_TO_DEFINITION = re.compile(
    r"[^.;:\n]{0,80}?\b(?:defined|specified|described|set\s+out|stated|determined|provided|"
    r"given|detailed|listed|shown|set\s+forth|tabulated)\s+(?:in|under|by|at|below|above|as|on)\b"
    # "capped as per the details provided under 'Index characteristics'"
    r"|\s+(?:as\s+per|in\s+accordance\s+with|according\s+to)\s+the\s+(?:details|rules?|"
    r"limits?|table|schedule|parameters?)\b",
    re.IGNORECASE,
)
# "set to the maximum total supplied stake over the previous `time_window`": the largest value
# observed over a window, a statistic, not a limit whose value is missing.
_STATISTIC_OVER = re.compile(
    r"\s+(?:[a-z][\w-]*\s+){0,4}?(?:over|across|during|observed|recorded|measured)\b",
)
# The limit compared at once with a named quantity: "until it reaches a level greater than
# or equal to the `target stake`": the level is that quantity.
_COMPARED_WITH = re.compile(
    r"\s*(?:(?:greater|more|less|lower|higher)\s+than(?:\s+or\s+equal\s+to)?|equal\s+to)\s+"
    r"(?:the\s+|its\s+|their\s+)?[`$A-Z]",  # a setting, a symbol or a Named Quantity
)
_ANAPHORIC_LIMIT = re.compile(
    r"\b(?:this|that|these|those|such|the\s+same)\s+(?:[a-z-]+\s+)?(?:thresholds?|limits?|caps?|floors?|"
    r"minimum|maximum|levels?|bounds?|bands?|ceilings?)\b",
    re.IGNORECASE,
)
_DEMONSTRATIVE_BEFORE = re.compile(r"\b(?:this|that|these|those|such)\s+$", re.IGNORECASE)
_NOUN_AFTER_LIMIT = re.compile(r"\s+(?P<noun>[a-z][a-z-]*)")


def _valued_limits(ctx: CheckContext) -> frozenset[tuple[str, str]]:
    """Return (limit, noun) pairs the document gives a value: ("minimum", "balance")."""
    pairs: set[tuple[str, str]] = set()
    for m in ctx.finditer_body(_VALUED_LIMIT):
        if not has_quantity(m.group("rest")):
            continue
        limit = _LIMIT_ABBREVIATIONS.get(m.group("limit").lower(), m.group("limit").lower())
        pairs.update((limit, w.rstrip("s")) for w in m.group("nouns").lower().split())
    return frozenset(pairs)


# A limit the document computes rather than fixes: "A dynamic threshold is determined as the
# maximum cumulative weight of ...".
# So is a step that computes it: "Establish the active market cutoff by multiplying the mean
# trade interval by 100".
_DETERMINED_LIMIT = re.compile(
    rf"\b(?:an?|the)\s+(?P<name>[a-z][\w-]*\s+{_LIMIT_NOUN})\s+(?:is|are|will\s+be|"
    r"shall\s+be)\s+(?:determined|defined|calculated|computed|derived|set)\s+(?:as|by|to|at|"
    r"using|from)\b"
    r"|\b(?:establish|calculate|compute|determine|derive|set)\s+the\s+(?:[a-z][\w-]*\s+)?"
    rf"(?P<step>[a-z][\w-]*\s+{_LIMIT_NOUN})\s+(?:by|as|from|using)\s+(?:\w+ing\b|the\b)",
    re.IGNORECASE,
)


def _determined_limits(ctx: CheckContext) -> frozenset[str]:
    """Return the names of limits the document says how to compute ("dynamic threshold")."""
    return frozenset(
        " ".join((m.group("name") or m.group("step")).lower().split())
        for m in ctx.finditer_body(_DETERMINED_LIMIT)
    )


def _stated_next(phrase: str, tail: str, sentence: str) -> bool:
    """Return True if ``sentence`` states a quantity for what ``phrase`` limits.

    What is limited is named by the phrase's words and the two after it ("a minimum price
    requirement"), less the words of limits and comparisons.
    """
    if not has_quantity(sentence):
        return False
    named = set(_words(phrase + " " + " ".join(tail.split()[:2])))
    named -= _LIMIT_WORDS | _COMPARING_WORDS | {"requirement", "level", "amount", "value"}
    return bool(named & set(_words(sentence)))


# "the cap", "the per-asset threshold", "the observation window", "all bands": a limit or a
# window the reader is expected to know already.
_DEFINITE_LIMIT = re.compile(
    rf"\b(?:the|all|any|each|every)\s+(?:[\w-]+\s+)?"
    rf"(?P<noun>{_LIMIT_NOUN}|windows?|periods?|horizons?|intervals?)$",
    re.IGNORECASE,
)
_CODE_SPAN = re.compile(r"`[^`\n]{1,60}`")
# The short forms settings use for a limit's noun: `maxAmount` for "the maximum".
_SHORT_FORM = {"maximum": "max", "minimum": "min"}


def _valued_earlier(ctx: CheckContext, index: int, m: re.Match[str]) -> bool:
    """Return True if the definite limit ``m`` is valued or set earlier in its paragraph.

    "That optimizer carries a per-asset weight cap (`position_cap`, 0.25) ... confirming
    the solution sits within the cap": the same noun with a number beside it, in the
    sentence before the match or one of the three sentences before it. "Within the set
    band(s) (i.e. between the `<minMargin,maxMargin>` range) ... fall outside all bands",
    "within the `<minAmount,maxAmount>` ranges ... If it is above the maximum": the noun
    with a setting's code span just after it, or a code span naming the limit's short form,
    is a limit the user sets; so is a setting earlier in the same part whose name holds the
    limit's word (:func:`_setting_earlier_in_part`).
    """
    limit = _DEFINITE_LIMIT.search(m.group(0))
    if limit is None:
        return False
    stem = limit.group("noun").lower().rstrip("s")
    noun = re.compile(rf"\b{re.escape(stem)}s?\b", re.I)
    short = _SHORT_FORM.get(stem)
    units = ctx.rule_units
    texts = [units[index].text[: m.start()]]
    j = index
    while j > 0 and len(texts) < 4 and ctx.same_paragraph(units[j - 1], units[j]):
        j -= 1
        texts.append(units[j].text)
    return any(
        has_quantity(text[n.end() : n.end() + 40])
        or has_quantity(text[max(0, n.start() - 25) : n.start()])
        or _CODE_SPAN.search(text, n.end(), n.end() + 80) is not None
        for text in texts
        for n in noun.finditer(text)
    ) or (short is not None and any(
        re.search(rf"(?i:{short})(?![a-z])", span.group(0)) is not None  # maxAmount, MAX_
        for text in texts
        for span in _CODE_SPAN.finditer(text)
    )) or _setting_earlier_in_part(ctx, units[index].start + m.start(), stem)


def _setting_earlier_in_part(ctx: CheckContext, offset: int, stem: str) -> bool:
    """Return True when a setting named for the limit comes earlier in the same part.

    "> Accepts parameter: `--maximumquantity-size <DECIMAL>` (required)" and then "Ensures
    orders' quantities are always less than the maximum": the maximum is that setting,
    whose value the user gives. The setting's name holds the limit's word whole.
    """
    section = ctx.section_at(offset)
    if section is None or len(stem) < 5:
        return False  # ("cap", "band": too short to tell a name that holds them)
    return any(
        stem in span.group(0).lower()
        for span in _CODE_SPAN.finditer(ctx.markdown, section.start, offset)
    )


_COMPARISON_HEAD = re.compile(
    r"^(?P<cmp>.+?)\s+(?:the|a|an|its|their|our|this|that|some|certain|any)\s", re.IGNORECASE
)


def _compared_before(ctx: CheckContext, unit: TextUnit, m: re.Match[str]) -> bool:
    """Return True if the same comparison was made with a value shortly before.

    "Put-call parity, restricted to strikes with both sides quoted above `1e-9` USD" and
    then "If no strike has both sides quoted above the threshold": the word before the
    comparison and the comparison repeat, and the first time a number follows.
    """
    head = _COMPARISON_HEAD.match(m.group(0))
    before = unit.text[: m.start()].split()
    if head is None or not before or not before[-1].isalpha():
        return False
    phrase = rf"\b{re.escape(before[-1])}\s+{re.escape(head.group('cmp'))}\s+"
    window = ctx.markdown[max(0, unit.start - 2000) : unit.start]
    return any(
        has_quantity(window[p.end() : p.end() + 30])
        for p in re.finditer(phrase, window, re.IGNORECASE)
    )


def _limit_of_a_valued_noun(
    phrase: str, tail: str, valued: frozenset[tuple[str, str]]
) -> bool:
    """Return True if ``phrase`` ends in a limit whose noun, next in ``tail``, has a value.

    "more than the minimum" + " delay period since ..." after "a minimum update delay,
    which by default is 30 minutes": the limit is stated, under a slightly different name;
    and so is "the floor" after "a minimum floor of 10 bps".
    """
    words = phrase.lower().split()
    if words and any(noun == words[-1].rstrip("s") for _, noun in valued):
        return True  # "at least the floor" after "a minimum floor of 10 bps"
    noun = _NOUN_AFTER_LIMIT.match(tail)
    if not words or noun is None:
        return False
    limit = _LIMIT_ABBREVIATIONS.get(words[-1], words[-1])
    return (limit, noun.group("noun").rstrip("s")) in valued


# A limit each user chooses: "the selected trigger price", "your stop level", "the
# user-defined threshold"; or "the trigger price set" / "... chosen by the trader".
_USER_CHOICE = re.compile(
    r"\b(?:selected|chosen|your|user[- ](?:defined|specified|selected|chosen|set))\s+"
    r"(?:[\w-]+\s+){0,2}\w+$",
    re.IGNORECASE,
)
_CHOSEN_AFTER = re.compile(
    r"\s*(?:price\s+|level\s+|value\s+)?(?:set|chosen|selected|entered)\s*(?:$|[.;\n]|"
    r"by\s+(?:the\s+)?(?:user|trader|customer|client)s?\b)",
    re.IGNORECASE,
)


# What a limit is set to, named after it: "a minimum price of the upper cushion price".
_SET_TO = re.compile(
    # (the limit's match may already end in "of": "a minimum price of" + " the upper ...")
    r"\s+(?:(?P<prep>of|at|equal\s+to)\s+(?:the\s+)?|the\s+)"
    r"(?P<quantity>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,4})"
)


def _computed_names(ctx: CheckContext) -> frozenset[str]:
    """Return the names of the quantities the document's formulas compute, as lower-case words."""
    return frozenset(
        " ".join(_CAMEL_BREAK.sub(" ", f.name).replace("_", " ").lower().split())
        for f in ctx.ir.formulas
        if f.name
    )


def _set_to_a_computed_quantity(computed: frozenset[str], phrase: str, tail: str) -> bool:
    """Return True if ``tail`` sets the limit to one of the ``computed`` quantities.

    "The bond market should have a minimum price of the upper cushion price", where
    "Upper Cushion = MA * (1 + Cushion Spread)": the limit's value is that quantity.
    """
    m = _SET_TO.match(tail)
    if m is None or (m.group("prep") is None and not re.search(r"\b(?:of|at|to)$", phrase)):
        return False
    quantity = " ".join(_CAMEL_BREAK.sub(" ", m.group("quantity")).lower().split()) + " "
    return any(len(name) > 3 and quantity.startswith(name + " ") for name in computed)


_CAMEL_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _name_words(name: str) -> set[str]:
    """Return the words of a formula's or a setting's name, "min" and "max" spelt out."""
    words = re.findall(r"[a-z]+", _CAMEL_BREAK.sub(" ", name).lower())  # "UpperBand"
    return {_LIMIT_ABBREVIATIONS.get(w, w) for w in words}


# Words that qualify a limit without naming what it limits: "a certain threshold".
_VAGUE_QUALIFIERS = frozenset({
    "certain", "acceptable", "reasonable", "appropriate", "predefined", "pre-defined", "some",
    "specific", "relevant", "given", "desired", "particular", "upper", "lower", "hard", "soft",
})
# A heading that lists topics ("Trading and Data", "Fees, Caps"): no one subject.
_TOPICS_HEADING = re.compile(r"\s(?:and|&)\s|,", re.IGNORECASE)


def _valued_sections(ctx: CheckContext) -> list[tuple[int, int, set[str]]]:
    """Return the span and the heading's words of each part whose text states a quantity.

    "3.3 Position Sizing by Conviction" over a table of 13%, 11% and 10%: a later "above
    conviction limits" names the limits that part sets. A heading that lists topics ("4.
    Trading and Data") has no one subject and is left out; so is a number in the heading
    itself ("2. Trading").
    """
    parts = []
    for sec in ctx.sections:
        body = ctx.markdown.find("\n", sec.start, sec.end)
        if (
            body >= 0
            and not _TOPICS_HEADING.search(sec.heading)
            and has_quantity(ctx.markdown[body : sec.end])
        ):
            parts.append((sec.start, sec.end, set(_words(sec.heading))))
    return parts


def _limit_of_a_titled_part(
    phrase: str, offset: int, titled: list[tuple[int, int, set[str]]]
) -> bool:
    """Return True when the limit ``phrase`` at ``offset`` is named after another part.

    "Size positions above conviction limits" where a part headed "Position Sizing by
    Conviction" states the sizes: what the limit qualifies ("conviction") is that part's
    subject, and its values are there. A vague qualifier ("a certain threshold") names no
    part, and the parts the phrase stands in do not count: "the liquidation threshold"
    under "Liquidations" is the limit that part owes a value.
    """
    named = _words_to_limit(phrase)
    qualifier = set(named[:-1]) - _COMPARING_WORDS - _LIMIT_WORDS - _VAGUE_QUALIFIERS
    return bool(qualifier) and any(
        qualifier <= heading and not start <= offset < end for start, end, heading in titled
    )


def _words_to_limit(phrase: str) -> list[str]:
    """Return the words of ``phrase`` up to its last limit word ("below the minimum"), or []."""
    words = _words(phrase)
    last = max((i for i, w in enumerate(words) if w in _LIMIT_WORDS), default=-1)
    return words[: last + 1]


def _names_a_defined_limit(phrase: str, defined: frozenset[str]) -> bool:
    """Return True when the limit ``phrase`` names ("below the minimum") is defined."""
    named = _words_to_limit(phrase)
    return bool(named) and set(named) - _COMPARING_WORDS <= defined


# A parameter the text leaves to configuration: "for a configurable duration", "a
# configured bid factor" ("configured parameters" alone does not say which).
_CONFIGURABLE = re.compile(
    r"\b(?:configurable|configured|adjustable|tunable)\s+(?!(?:with|by|to|in|for|on|at|as|"
    r"per|and|or|so|via|through|from)\b)(?P<noun>(?:[a-z][a-z-]*\s+){0,2}[a-z][a-z-]*)",
    re.IGNORECASE,
)
_CONFIGURABLE_WORDS = ("configur", "adjustable", "tunable")  # in every match of _CONFIGURABLE
# The header of a table of settings with their defaults: "| Name | Description | Default |".
_DEFAULTS_TABLE = re.compile(r"^\|(?:[^\n|]*\|)*\s*Defaults?(?:\s+values?)?\s*\|", re.MULTILINE)
_CONFIGURED_NOUNS = frozenset({
    "duration", "period", "window", "lookback", "interval", "frequency", "time", "delay",
    "spread", "factor", "amount", "percentage", "rate", "threshold", "limit", "size", "cap",
    "weight", "ratio", "multiplier", "buffer", "tolerance", "fee", "value", "parameter",
    "variable", "level", "band", "bound",
})


def _configurable_hits(ctx: CheckContext) -> Iterator[CheckHit]:
    """Report parameters said to be configurable whose value the document never gives.

    One finding per document, each such parameter a place.
    """
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if not mentions(low, _CONFIGURABLE_WORDS) or has_quantity(unit.text):
            continue  # no match possible, or "configurable per asset | +/- 5%": a value
        for m in _CONFIGURABLE.finditer(unit.text):
            head = m.group("noun").split()[-1].lower().rstrip("s")
            if head not in _CONFIGURED_NOUNS or (
                head in {"value", "parameter", "variable"} and " " not in m.group("noun")
            ):
                continue  # "configured indexes": not a parameter; "configured parameters": which?
            valued = re.compile(rf"\b{re.escape(head)}s?\b[^.\n]{{0,80}}\d", re.IGNORECASE)
            if ctx.search_body(valued) is not None:
                continue  # "the bid factor is 10%" elsewhere
            rel = clause_start(unit.text, m.start(), max_words=8)
            quote = unit.text[rel : m.end()]
            phrase = " ".join(m.group(0).split())
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title=f"Configurable value not given: '{phrase}'",
                description=f"'{phrase}' is left to configuration, but the document gives no "
                "value, default or range, so the method's behaviour cannot be reproduced.",
                suggested_fix="State the value (or default) and the range it may be set in, "
                "and who may change it.",
                replacement=f"{quote} ([[specify: value or default, and allowed range]])",
                category=Category.UNDEFINED_PARAMETER,
                confidence=0.7,
                subject="configurable values",
            )


# A setting the text names in code and calls a parameter, a window or a period: "the
# `UnitBatchSize` governance parameter", "initialised by the parameter `BasePool`", "within
# the `MaxPriceAge` window"; or a period named in code that a rule runs over ("During every
# `SlashWindow`"). The name has an inner capital or is in capitals with underscores, as a
# protocol's constants are; a name in lower case with underscores (`minimum_spread`) is a
# key of a program's configuration, which the user sets.
_NAMED_SETTING = re.compile(
    r"(?:(?P<called>\b(?:parameter|setting)[ \t]+)"
    r"|(?P<over>\b(?:during|every|each|within|over)[ \t]+(?:(?:the|every|each)[ \t]+)?))?"
    r"`(?P<name>[A-Z][A-Za-z0-9]*[a-z][A-Z][A-Za-z0-9]*|[a-z]+[A-Z][A-Za-z0-9]*"
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`"
    r"(?P<kind>[ \t]+(?:governance[ \t]+|module[ \t]+|chain[ \t]+)?(?:parameter|window|period|"
    r"interval|threshold|limit|duration|delay|buffer|tolerance)s?\b)?",
)
_PERIOD_NAME = re.compile(r"window|period|interval|epoch|duration|delay", re.IGNORECASE)
# An identifier picks something, it does not measure it: "the `LiquidationMarketID` parameter".
_IDENTIFIER_NAME = re.compile(r"(?:ID|Id|IDs|Ids|Address|Name|Denom|Key|Type)$")
# The sentence speaks to the reader ("you can set"), calls the setting optional, or denies
# it ("There is NO `stop_loss` parameter"): no value is owed.
_READER_OR_DENIED = re.compile(r"\b(?:you|your|optional|optionally|no|not|never)\b",
                               re.IGNORECASE)


# What a caller passes to a function: "accepts an `inAmount` parameter", "takes a
# `desiredImplementation` parameter"; a setting is "the `UnitBatchSize` parameter".
_ARGUMENT_BEFORE = re.compile(
    r"(?:\b(?:an?|accepts?|takes?|passes?|receives?|with)[ \t]+(?:an?[ \t]+)?)$", re.IGNORECASE
)


# The value of the setting just named, given next: "this parameter is set to 48 hours".
_VALUED_NEXT = re.compile(
    r"\b(?:this|the|its)\s+(?:parameter|setting|value|period|window|interval|duration)\s+"
    r"(?:is\s+|was\s+)?(?:currently\s+|initially\s+|by\s+default\s+)?(?:set\s+to|equal\s+to|"
    r"is|of)\s+(?:about\s+)?\$?\d",
    re.IGNORECASE,
)


def _is_argument(text: str, m: re.Match[str]) -> bool:
    """Return True when the :data:`_NAMED_SETTING` match ``m`` is called a function's argument.

    "`IPriceOracle` accepts an `inAmount` parameter": ``inAmount`` is what each caller
    passes, wherever else it is called a parameter ("depending on the `inAmount` parameter").
    """
    kind = (m.group("kind") or "").split()
    return (m.group("called") is None and kind[:1] == ["parameter"]
            and _ARGUMENT_BEFORE.search(text, max(0, m.start() - 30), m.start()) is not None)


def _valued_anywhere(ctx: CheckContext, name: str) -> bool:
    """Return True when the document gives the setting ``name`` a value somewhere.

    A number soon after the name on its line ("`MinValidPerWindow` (5%)", "UNIT = 10"), or a
    table row holding the name and a number.
    """
    escaped = re.escape(name)
    valued = re.compile(
        rf"(?<!\w){escaped}(?!\w)[^\n.]{{0,40}}?\d"
        rf"|^\|[^\n]*(?<!\w){escaped}(?!\w)[^\n]*\|[^\n]*\d",
        re.MULTILINE,
    )
    return next(finditer_chunked(valued, ctx.markdown), None) is not None


def _named_setting_hits(ctx: CheckContext) -> Iterator[CheckHit]:
    """Report settings the text names in code and never gives a value (one group per document).

    "The size of each batch is configured by using the `UnitBatchSize` governance parameter"
    with no value of `UnitBatchSize` anywhere: the batch length cannot be reproduced.
    """
    named = [
        (unit, m)
        for unit in ctx.rule_units
        if "`" in unit.text
        for m in _NAMED_SETTING.finditer(unit.text)
    ]
    # "`IPriceOracle` accepts an `inAmount` parameter": an argument the caller passes in
    # each call, not a setting of the method, wherever else it is called a parameter
    arguments = {m.group("name") for unit, m in named if _is_argument(unit.text, m)}
    for unit, m in named:
        name = m.group("name")
        if not (m.group("called") or m.group("kind") or (
            m.group("over") and _PERIOD_NAME.search(name)
        )):
            continue  # a name in code, not said to be a setting
        if _IDENTIFIER_NAME.search(name) or name in arguments:
            continue
        if _READER_OR_DENIED.search(unit.text) or _valued_anywhere(ctx, name):
            continue
        after = unit.start + m.end()
        if _VALUED_NEXT.search(ctx.markdown, after, after + 250):
            continue  # "... older than a configurable parameter `RecordHistoryKeepPeriod`.
            # Currently, this parameter is set to 48 hours."
        rel = clause_start(unit.text, m.start(), max_words=8)
        quote = unit.text[rel : m.end()]
        yield CheckHit(
            start=unit.start + rel,
            end=unit.start + m.end(),
            title=f"Configurable value not given: `{name}`",
            description=f"The method depends on the setting `{name}`, but the document "
            "gives no value, default or range for it, so its behaviour cannot be "
            "reproduced.",
            suggested_fix=f"State the value of `{name}` (or its default), its unit, the "
            "range it may be set in, and who may change it.",
            replacement=f"{quote} ([[specify: value or default of {name}, unit and "
            "allowed range]])",
            category=Category.UNDEFINED_PARAMETER,
            confidence=0.7,
            subject="configurable values",
        )


def _introduces_formula(ctx: CheckContext, unit: TextUnit) -> bool:
    """Return True if ``unit`` ends in a colon and a formula of the IR starts just after it."""
    if not unit.text.rstrip().endswith(":"):
        return False
    return any(unit.end <= f.location.start <= unit.end + 20 for f in ctx.ir.formulas)


def vague_thresholds(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report comparisons and limits whose value the document never states.

    And parameters said to be configurable ("a configurable duration") or named in code as a
    setting ("the `UnitBatchSize` governance parameter") with no value, unless the document
    tabulates its settings with their defaults ("| Property | Default | Description |"): it
    gives the values there, and a setting missing from that table is another check's
    finding (parameter_not_in_table).
    """
    if ctx.search_body(_DEFAULTS_TABLE) is None:
        yield from _configurable_hits(ctx)
        yield from _named_setting_hits(ctx)
    names = _parameter_names(ctx)
    defined_limits = _defined_limit_words(ctx)
    valued_limits: frozenset[tuple[str, str]] | None = None  # computed on the first match
    determined: frozenset[str] | None = None
    computed: frozenset[str] | None = None  # what the formulas compute, likewise
    valued_nouns: frozenset[str] | None = None
    titled: list[tuple[int, int, set[str]]] | None = None  # parts stating quantities, likewise
    units = ctx.rule_units
    for index, (unit, low) in enumerate(zip(units, ctx.rule_folded, strict=True)):
        claimed: list[tuple[int, int]] = []
        following = units[index + 1] if index + 1 < len(units) else None
        if following is not None and not ctx.same_paragraph(unit, following):
            following = None  # the next sentence starts another paragraph
        if _introduces_formula(ctx, unit):
            continue  # "the raw excess is capped before use:" and the formula that caps it
        if unit.start in ctx.consequence_items:
            continue  # "So:" then "- The rebalance size is limited: ...": what the rule
            # just stated does, not a new limit
        for pattern, kind, groups in _THRESHOLD_PATTERNS:
            if kind == "stated":
                possible = mentions(low, groups[0]) or _MIN_MAX.search(low) is not None
            else:
                possible = all(mentions(low, words) for words in groups)
            if not possible:
                continue  # no match possible
            for m in pattern.finditer(unit.text):
                if any(a < m.end() and m.start() < b for a, b in claimed):
                    continue
                if _IDIOM.search(unit.text[max(0, m.start() - 12) : m.end() + 8]):
                    continue
                start, end, quote, phrase = _clause_hit(unit, m)
                tail = unit.text[m.end() : m.end() + 40]
                if has_quantity(quote) or _valued_after(tail):
                    continue
                if _defined_elsewhere(quote, names) or _names_a_defined_term(m.group(0)):
                    continue
                if _names_a_defined_limit(m.group(0), defined_limits):
                    continue  # "below the minimum" of a "Minimum Weight Threshold Rule"
                if titled is None:
                    titled = _valued_sections(ctx)
                if _limit_of_a_titled_part(m.group(0), unit.start + m.start(), titled):
                    continue  # "above conviction limits" and a part "Sizing by Conviction"
                if (
                    _PLACE_ADVERB.match(unit.text, m.start())
                    or _POINTS_TO_DEFINITION.match(unit.text, m.end())
                    or _COMPARED_WITH.match(tail)
                    or (
                        re.search(r"(?:maximum|minimum)$", m.group(0), re.IGNORECASE) is not None
                        and _STATISTIC_OVER.match(tail) is not None
                    )
                ):
                    continue  # "Below are the requirements"; "the minimum ... breakpoint
                    # defined in Section 6", "a level greater than the `target stake`": where
                    # the value is, not a value left out; "the maximum stake over the window":
                    # a statistic
                if following is not None and _stated_next(m.group(0), tail, following.text):
                    continue  # "... meet a minimum price requirement. A median price ... must
                    # exceed 0.0000001 BTC": the next sentence gives the value
                if _ANAPHORIC_LIMIT.search(m.group(0)) or _DEMONSTRATIVE_BEFORE.search(
                    unit.text, 0, m.start()
                ):
                    continue  # "above this threshold": the limit named just before; its
                    # value is a question for where it is named
                if _valued_earlier(ctx, index, m) or _compared_before(ctx, unit, m):
                    continue  # "carries a weight cap (`position_cap`, 0.25) ... sits within
                    # the cap": the limit valued earlier in the paragraph
                if determined is None:
                    determined = _determined_limits(ctx)
                if any(name in " ".join(m.group(0).lower().split()) for name in determined):
                    continue  # "at or below the dynamic threshold", computed in the rule above
                if valued_limits is None:
                    valued_limits = _valued_limits(ctx)
                if _limit_of_a_valued_noun(m.group(0), tail, valued_limits):
                    continue  # "reaches the minimum balance", a minimum valued elsewhere
                if _USER_CHOICE.search(m.group(0)) or _CHOSEN_AFTER.match(tail):
                    continue  # "activated when the price reaches the selected trigger price",
                    # "... the trigger price set": a value each user gives with the order
                if computed is None:
                    computed = _computed_names(ctx)
                if _set_to_a_computed_quantity(computed, m.group(0), tail):
                    continue  # "have a minimum price of the upper cushion price", after
                    # "Upper Cushion = MA * (1 + Cushion Spread)": the value is that quantity
                if kind == "window" and _CHANGE_OF.search(unit.text, 0, m.start()):
                    continue  # "decreasing the time between rebalances": an effect, not a window
                if (
                    "`" in quote
                    or _SETTING_NAMED_AFTER.match(unit.text, m.end())
                    or _IDENTIFIER.search(m.group(0))
                    or _IDENTIFIER.search(tail.split(".")[0][:50])
                    or _SETTING_GIVEN.match(tail)
                ):
                    continue  # "`feeRounds` is the length of the look-back window", "floored
                    # at a date the venue can support (`min_start`)": a setting, named
                if _MEANS_AFTER.match(tail):
                    continue  # "Gas usage can be limited by setting the ranges wide": how
                    # to limit it, a means the user applies, not a limit left unvalued
                if _ROUNDED_AFTER.match(tail):
                    continue  # "the limit is floored onto the symbol's tick grid": rounded
                    # to the venue's increment, whose size the venue sets; no limit left open
                if kind == "stated" and _CAUSE_AFTER.match(tail):
                    continue  # "Dai supply is restricted because there is insufficient
                    # incentive": why a state holds, an explanation, not a limit the method sets
                if _RISK_THAT.search(unit.text, 0, m.start()):
                    continue  # "there is a risk that the fees are greater than ...": a risk
                if _POSSIBLE.search(
                    unit.text, clause_start(unit.text, m.start(), max_words=12), m.start()
                ):
                    continue  # "redeemers could pay a higher than needed rate": an outcome
                    # that may happen, not a rule comparing against a quantity
                if _BOUND_NAMED.match(tail):
                    continue  # "bounded by the total redistributed debt": the bound, named
                if _NO_NEED.search(unit.text[clause_start(unit.text, m.start(), max_words=12) :
                                             m.start()]):
                    continue  # "there is no need for the supplied liquidity to exceed a
                    # threshold": says there is no limit
                if _LIMIT_COMPARED.search(unit.text, 0, m.start()):
                    continue  # "IO thresholds are higher than execution thresholds": two
                    # limits compared, each valued where it is set
                if kind == "limit" and re.search(r"\blevels?$", m.group(0)) and re.match(
                    r"\s+of\s+(?:the\s+|a\s+|an\s+)?[a-z]", tail
                ):
                    continue  # "yet to reach the level of development", "the level of the
                    # previous close": the level of what is named, no limit left unvalued
                if _ATTAINED.match(tail):
                    continue  # "cannot reach the risk level a leveraged book attains": a
                    # level something reaches, measured, not a limit set by the rule
                if kind == "other" and re.match(r"\s+of\b", tail):
                    continue  # "greater than the value of the Signal": the quantity is named
                if kind == "other" and noun_goes_on(tail):
                    continue  # "less than the price impact": the quote would cut the noun
                if _ADJECTIVE_ABOVE.search(unit.text, 0, m.start()) and re.match(
                    r"(?:above|below)\b", m.group(0), re.IGNORECASE
                ):
                    continue  # "The above band-based rewards": the bands just described
                if _GLOSSED_AFTER.match(tail) or _TERM_AFTER.match(re.sub(r"\s+", " ", tail)):
                    continue  # "within the primary reward band (the interquartile range
                    # band)": what the limit is, said in the brackets
                if kind == "other" and _quantity_with_its_section(ctx, m.group(0)):
                    continue  # "higher than the call price" under "How is the call price
                    # calculated?": a quantity the document explains
                if valued_nouns is None:
                    valued_nouns = _valued_limit_nouns(ctx)
                if kind != "other" and _definite_valued_limit(m.group(0), kind, valued_nouns):
                    continue  # "Since the payoff is capped", "falls within both bands",
                    # where "a 125% max revenue cap" and "bands ... 30%" give the value
                compared = m.group(0)
                if _ORDER_PRICE.search(compared) or (kind == "other" and (
                    _INPUT_VALUE.search(compared) or _OBSERVED_PRICE.search(compared)
                )):
                    continue  # a value with its own source: "lower than the target price"
                    # (an order's parameter), "the bid price is higher than the ask price"
                    # (observed quotes compared)
                claimed.append((m.start(), m.end()))
                yield _threshold_hit(start, end, quote, phrase.strip(), kind)


# A value given with the limit: "the threshold of 5%", "the cap (10%)", "the limit, 2x",
# "the floor is 0.5", or within its next three words ("the cap for each stock 10%").
_VALUE_LEAD = re.compile(
    r"\s*(?:[,(:=\u2013\u2014-]|(?:of|at|is|are|equals?|equal\s+to|set\s+(?:at|to)|currently|"
    r"which\s+is|i\.\s?e\.|namely|being|per|for|over|covering|spanning)\b)",
    re.IGNORECASE,
)


def _valued_after(tail: str) -> bool:
    """Return True if the words after a limit give its value.

    Only a value joined to the limit counts: in "If the signal is above the entry threshold
    the strategy holds -1 unit" the number is what the rule does, not the threshold.
    """
    clause = tail.split(".")[0]
    if _RATE_IN_WORDS.match(clause):
        return True  # "a maximum frequency of once per hour"
    if _VALUE_LEAD.match(clause):
        return has_quantity(clause)
    return has_quantity(" ".join(clause.split()[:3]))


# A rate given in words: "once per hour", "twice a day", "once every week".
_RATE_IN_WORDS = re.compile(
    r"\s*(?:of\s+|is\s+|at\s+)?(?:once|twice|thrice)\s+(?:per|a|an|every|each)\s+"
    r"(?:second|minute|hour|day|week|month|quarter|year|block|epoch)\b",
    re.IGNORECASE,
)


# A setting's name as code writes it: "maxPnlFactorForDeposits", "MAX_PNL_FACTOR_FOR_TRADERS"
# ("their maximum pnlToPoolFactorForTraders", "capped above the MAX_PNL_FACTOR_FOR_TRADERS").
_IDENTIFIER = re.compile(r"\b(?:[a-z]+[A-Z][A-Za-z0-9]*|[A-Z][A-Z0-9]*_[A-Z0-9_]+)\b")
# The setting that holds the value, named in code in brackets later in the sentence.
# The means of limiting, after the verb: "can be limited by setting ...", "capped by
# reducing ...".
_MEANS_AFTER = re.compile(r"\s+by\s+(?:\w+ly\s+)?[a-z]+ing\b")
# Rounding to the venue's increment: "floored onto the symbol's tick grid", "capped to the
# lot size", "rounded down to the step size".
_ROUNDED_AFTER = re.compile(
    r"\s+(?:(?:down|up)\s+)?(?:onto|to)\s+(?:the\s+|a\s+|its\s+)?(?:[\w'\u2019-]+\s+){0,2}?"
    r"(?:tick|lot|step|price|quantity)[\s-]*(?:grid|sizes?|increments?|precision)\b",
    re.IGNORECASE,
)
# A limit set by a named setting: "is limited by `--gas-maximum`", "capped with `maxSize`".
_SETTING_GIVEN = re.compile(
    r"\s+(?:by|with|via|using|through|in)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?`[^`\n]{1,60}`"
)
_SETTING_NAMED_AFTER = re.compile(r"(?:[^.;\n]|\n(?!\n)){0,60}?\(\s*`[^`\n]{1,40}`\s*\)")
# A list of topics a document or a body covers, the judgement one of its items: "outline the
# administration, oversight, conflicts of interest, significant changes and ...".
_TOPIC_LIST = re.compile(
    r"\b(?:outlines?|outlining|describes?|describing|covers?|covering|address(?:es|ing)?|"
    r"include[sd]?|including|deals?\s+with|relating\s+to)\s+"
    r"(?:[^.;:,]{1,100},\s+){2,}(?:and\s+|or\s+)?(?:any\s+(?:uses\s+of\s+)?)?$",
    re.IGNORECASE,
)
# What a step or a section is about: "relates to how to select ...", "describes how to".
_ABOUT_HOW = re.compile(
    r"\b(?:relates?\s+to|describes?|explains?|covers?|sets?\s+out|outlines?|concerns?)\s+"
    r"how\s+(?:to|we|it|they)\b[^.;]*$",
    re.IGNORECASE,
)
# A governing body's agenda: "the Committee reviews any ", "the Board considers all ".
_BODY_REVIEWS = re.compile(
    r"\b(?:committee|board|council|panel)\s+(?:also\s+|regularly\s+)?(?:reviews?|"
    r"discuss(?:es)?|considers?|monitors?)\s+(?:any\s+|all\s+|the\s+)?$",
    re.IGNORECASE,
)
# A risk and the condition under which it arises: "are susceptible to liquidity issues if".
_RISK_CONDITION = re.compile(
    r"\b(?:susceptible|vulnerable|prone|exposed)\s+to\b[^.;]{0,120}?\b(?:if|when|where)\b",
    re.IGNORECASE,
)
# What happens to someone, described: "incurring significant losses", "suffer large drawdowns".
_OUTCOME_BEFORE = re.compile(
    r"\b(?:incur(?:s|red|ring)?|suffer(?:s|ed|ing)?|experienc(?:e|es|ed|ing)|fac(?:e|es|ed|ing))"
    r"\s+(?:a\s+|an\s+|the\s+|any\s+)?$",
    re.IGNORECASE,
)
# A gloss after a judgement, within a few words: "(i.e., more than 0.5%)", "(over 10%)",
# ", that is more than ..."; an example ("(e.g. 5%)") is not the value.
_GLOSS = re.compile(
    r"[^.;()]{0,40}?(?:\((?!\s*(?:e\.\s?g\.|for\s+example|such\s+as))(?P<paren>[^()]{1,120})\)"
    r"|,?\s*(?:i\.\s?e\.|that\s+is|namely),?(?P<clause>[^.;]{1,120}))",
    re.IGNORECASE,
)


def _glossed_value(text: str, end: int) -> bool:
    """Return True if a gloss right after ``end`` gives a value ("(i.e., more than 0.5%)")."""
    gloss = _GLOSS.match(text, end)
    return gloss is not None and has_quantity(gloss.group("paren") or gloss.group("clause"))


# A value someone supplies: "the acceptable price specified by the user".
# A limit named by the words before the judgement: "Maximum acceptable slippage".
_LIMIT_BEFORE = re.compile(r"\b(?:maximum|minimum|max|min)\s+$", re.IGNORECASE)
# A heading that is a setting's name in code: "#### `max_slippage_pct`", "### maxSlippage".
_CODE_HEADING = re.compile(r"^`?(?:[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[a-z]+[A-Z]\w*)`?$")


def _setting_heading(ctx: CheckContext, offset: int) -> bool:
    """Return True if the innermost section holding ``offset`` is headed by a setting's name."""
    section = ctx.section_at(offset)
    return section is not None and _CODE_HEADING.match(section.heading.strip()) is not None


_SUPPLIED_BY = re.compile(
    r"\W*[\w-]+(?:\s+[\w-]+){0,3}?\s+(?:specified|set|chosen|provided|entered|selected|"
    r"configured|submitted)\s+by\s+(?:the\s+|each\s+|a\s+)?[a-z]+",
    re.IGNORECASE,
)
# Someone sets the parameters the sentence goes on to list.
_SETS_PARAMETERS = re.compile(
    r"\b(?:sets?|configures?|chooses?|selects?|specif(?:y|ies)|defines?)\s+(?:the\s+)?"
    r"(?:parameters?|settings?)\b",
    re.IGNORECASE,
)
# A contact clause after the limit, saying whose level it is: "the risk level a leveraged
# long-short book attains", "the level the index reached".
_ATTAINED = re.compile(
    r"\s+(?:that\s+|which\s+)?(?:a|an|the|its|their|each|every)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:attains?|attained|reach(?:es|ed)|achieves?|achieved|hits?)\b",
    re.IGNORECASE,
)
# A window whose change is described, not its length: "has the effect of decreasing the ...".
# So is a comparison of sizes: "the shorter the lookback window, the less ...".
_CHANGE_OF = re.compile(
    r"\b(?:decreas|increas|reduc|shorten|lengthen|extend|minimi[sz]|maximi[sz])\w*\s+$"
    r"|\bthe\s+(?:shorter|longer|larger|smaller|higher|lower|wider|narrower|more|less)\s+$",
    re.IGNORECASE,
)
_NO_NEED = re.compile(
    r"\b(?:no\s+need|need\s+not|needn't|not\s+(?:need|needed|required|necessary))\b",
    re.IGNORECASE,
)
# A limit compared with another: the subject of the comparison is itself a limit ("market
# cap is above the cutoff" compares a quantity, not a limit).
_LIMIT_COMPARED = re.compile(
    r"\b(?:thresholds?|limits?|bounds?|bands?|ceilings?|floors?|cut-?offs?)\s+(?:are|is)\s+"
    r"(?:\w+\s+)?$",
    re.IGNORECASE,
)
# What could happen, said of a comparison: "redeemers could pay a higher than needed rate".
_POSSIBLE = re.compile(r"\b(?:could|might)\b(?!\s+not\b)", re.IGNORECASE)
# A limit set by a named quantity: "is bounded by the total redistributed debt" (not "by the
# maximum" or "by a threshold", limits of their own).
_BOUND_NAMED = re.compile(
    r"\s+by\s+(?:the|its|their)\s+(?!(?:[\w-]+\s+){0,2}?(?:maximum|minimum|limit|threshold|"
    r"cap|ceiling|floor|bound|max|min)s?\b)[a-z][\w-]*\s+[a-z][\w-]*",
    re.IGNORECASE,
)
# A cause given right after a limit: "is restricted because ...", "capped due to ...".
_CAUSE_AFTER = re.compile(r"\s+(?:because|due\s+to|since|as\s+a\s+result\s+of)\b",
                          re.IGNORECASE)
# A comparison that describes a risk, not a rule: "the risk is that the reward is less than".
_RISK_THAT = re.compile(r"\brisks?\s+(?:here\s+)?(?:(?:is|are|was)\s+)?(?:that|where)\b",
                        re.IGNORECASE)


# "the above bands", "the below table": "above" as an adjective, pointing back or ahead.
_ADJECTIVE_ABOVE = re.compile(r"\bthe\s+$", re.IGNORECASE)
# A gloss in brackets right after the limit: "(the interquartile range band)", "(i.e. the
# band set by governance)", "(see Annex A)".
_GLOSSED_AFTER = re.compile(
    r"\s*\((?:the|i\.\s?e\.,?|namely|see|as\s+defined|defined)\s"
    # "reaches a threshold (interval + TSP)": the limit as an expression of named settings
    r"|\s*\([^()\n]{1,40}\s[-+*/\u00d7]\s[^()\n]{1,40}\)",
    re.IGNORECASE,
)
# The limit named by a term after it: "reaches a certain threshold, the Liquidation Ratio,"
# (an appositive in capitals), "within the limits of the MCR": which limit it is, a term
# whose value is a question for where the term is defined.
_TERM_AFTER = re.compile(
    r",\s+(?:the\s+)?(?:[A-Z][\w-]*\s+){0,3}[A-Z][\w-]*(?:\s+\([A-Z]{2,6}\))?\s*[,;.:)]"
    r"|\s+of\s+the\s+(?:[A-Z]{2,6}|(?:[A-Z][a-z][\w-]*\s+){0,2}[A-Z][a-z][\w-]*)\b"
)
# The stems of the limit nouns, as a verb or a noun says them: "capped" is the "cap".
_LIMIT_STEMS = (
    ("cap", r"cap(?:s|ped)?"), ("floor", r"floor(?:s|ed)?"), ("band", r"bands?"),
    ("threshold", r"thresholds?"), ("limit", r"limit(?:s|ed)?"), ("bound", r"bound(?:s|ed)?"),
    ("ceiling", r"ceilings?"), ("buffer", r"buffers?"), ("tolerance", r"tolerances?"),
)
# A vagueness marker: "a certain threshold", "some limit", "set limits" say there is a value
# without saying which, even when the document values another limit of that name.
_INDEFINITE_LIMIT = re.compile(
    r"\b(?:a|an|some|certain|any|set|predefined|pre-defined|given|specified)\s+"
    r"(?:[\w-]+\s+)?[\w-]+$",
    re.IGNORECASE,
)


def _valued_limit_nouns(ctx: CheckContext) -> frozenset[str]:
    """Return the limit stems ("cap", "band") the document gives a quantity beside.

    "with a 125% max revenue cap", "The cap of 125%", "the secondary reward band will
    initially receive 30%": a number within a few words of the noun.
    """
    body = ctx.body_text()
    out: set[str] = set()
    for stem, form in _LIMIT_STEMS:
        for m in re.finditer(rf"\b{form}\b", body, re.IGNORECASE):
            before = body[max(0, m.start() - 30) : m.start()].split("\n\n")[-1]
            after = body[m.end() : m.end() + 40].split("\n\n")[0]
            if _LIMIT_VALUE.search(before) or _LIMIT_VALUE.search(after) or _SET_AT.match(after):
                out.add(stem)
                break
    return frozenset(out)


# A value a limit can have: "125%", "50 bps", "3x" ("Figure 1", "Section 2" are not).
_LIMIT_VALUE = re.compile(
    r"[-+\u00b1~]?\d+(?:[.,]\d+)?\s*(?:%|percent\b|bps\b|basis\s+points\b|x\b)", re.IGNORECASE
)
# "capped at 10", "limited to 21 million units", "of 0.5": a number the limit is set to.
_SET_AT = re.compile(
    r"\s+(?:of|at|to|is|=|equal\s+to)\s+[~$\u20ac\u00a3]?\d", re.IGNORECASE
)


# A limit referred to as one already known: "the primary band", "both bands".
_DEFINITE_NOUN = re.compile(
    r"\b(?:the|both|all|each|its|their)\s+(?:[\w-]+\s+){0,2}[\w-]+$", re.IGNORECASE
)


def _definite_valued_limit(phrase: str, kind: str, valued: frozenset[str]) -> bool:
    """Return True if ``phrase`` names, definitely, a limit the document values somewhere.

    "the payoff is capped", "within both bands": a limit the reader has been given. "a
    certain threshold" is not, whatever other thresholds the document values, and neither is
    a bare "exceeds upper threshold": which of the document's thresholds is left open.
    """
    if _INDEFINITE_LIMIT.search(phrase):
        return False
    if kind != "stated" and not _DEFINITE_NOUN.search(phrase):
        return False
    low = phrase.lower()
    return any(
        stem in valued and re.search(rf"\b{form}$", low) is not None
        for stem, form in _LIMIT_STEMS
    )


def _quantity_with_its_section(ctx: CheckContext, phrase: str) -> bool:
    """Return True if the quantity ``phrase`` compares against names a heading.

    "higher than the call price", with a section "How is the call price calculated?".
    """
    words = phrase.lower().split()[-2:]
    if len(words) < 2:
        return False
    name = re.compile(rf"\b{re.escape(words[0])}\s+{re.escape(words[1].rstrip('s'))}s?\b",
                      re.IGNORECASE)
    return ctx.has_heading(name)


def _names_a_defined_term(phrase: str) -> bool:
    """Return True when the limit or window is a Capitalised Term ("the FP Cutoff").

    Rulebooks capitalise the terms they define; whether such a term is defined is the
    glossary's question, not a missing value here.
    """
    words = phrase.split()
    return any(w[:1].isupper() for w in words[1:]) and not phrase.isupper()


def _threshold_hit(start: int, end: int, quote: str, phrase: str, kind: str) -> CheckHit:
    subject = " ".join(phrase.lower().split())
    if kind == "window":
        return CheckHit(
            start=start,
            end=end,
            title="Period length not specified",
            description=f"'{phrase}' is referred to but its length is never given.",
            suggested_fix="State the length of the period and whether it counts trading or "
            "calendar days.",
            replacement=f"{quote} ([[specify: length, trading or calendar days]])",
            confidence=0.8,
            subject=subject,
        )
    if kind == "other":
        return CheckHit(
            start=start,
            end=end,
            title="Comparison against an unspecified quantity",
            description=f"'{phrase}' compares against a quantity whose definition, value or "
            "source the document does not give.",
            suggested_fix="Define the quantity compared against: its value or formula, its "
            "source and when it is measured.",
            replacement=f"{quote} ([[specify: definition, source and measurement date]])",
            confidence=0.65,
            subject=subject,
        )
    return CheckHit(
        start=start,
        end=end,
        title="Threshold or limit has no value",
        description=f"'{phrase}' sets a limit but the document never states its value.",
        suggested_fix="State the value of the limit, with its unit and how it is measured.",
        replacement=f"{quote}{_joiner(quote, kind)}{_SPECIFY_LIMIT}",
        confidence=0.85,
        subject=subject,
    )


def _joiner(quote: str, kind: str) -> str:
    if kind == "limit":
        return " of "
    if re.search(r"(?:capped|floored|limited|restricted|bounded)$", quote, re.IGNORECASE):
        return " at "
    return " "


# A list item that labels a quantity: "- Extreme values: probabilities > 95% or < 5%".
_LABELLED_ITEM = re.compile(r"^\W*(?P<word>[A-Za-z][\w-]*)(?:\s+[\w-]+){0,3}\W*:\s+(?P<rest>.+)$")


# A judgement phrase the document defines by a list: "The following events are considered
# significant changes in circumstance:" then the events.
_ENUMERATED = re.compile(
    r"\bfollowing\b[^.:]{0,60}?\b(?:are|is)\s+(?:considered|deemed|classified\s+as|treated\s+as|"
    r"defined\s+as)\s+(?:an?\s+|the\s+)?(?P<phrase>[a-z][\w-]*\s+[a-z][\w-]*)"
    # "Controversial Weapons include chemical weapons, biological weapons, ... and cluster
    # bombs": the class, by its members
    r"|(?<![\w-])(?P<listed>[a-z][\w-]*\s+[a-z][\w-]*)\s+(?:include|comprise|consist\s+of|"
    r"are)\s*:?\s+[^.;:\n]{2,60}?,[^.;\n]{2,120}?\b(?:and|or)\b",
    re.IGNORECASE,
)


def _enumerated_phrases(ctx: CheckContext) -> frozenset[str]:
    """Return the two-word judgement phrases a list or a section defines ("significant change").

    A section headed by the phrase ("2.3 Major Changes") says what belongs to that class.
    """
    headed = (
        _singular(" ".join(m.group(0).split()[:2]))
        for s in ctx.sections
        if (m := _HEADED_PHRASE.fullmatch(_HEADING_NUMBER.sub("", s.heading).strip())) is not None
    )
    return frozenset(
        (*(_singular(m.group("phrase") or m.group("listed"))
           for m in ctx.finditer_body(_ENUMERATED)), *headed)
    )


# A heading that is a judgement phrase: "Major Changes", "Material Change Events".
_HEADED_PHRASE = re.compile(r"[A-Za-z]+\s+[A-Za-z]+(?:\s+[A-Za-z]+)?")
_HEADING_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-Z]\.|[IVX]+\.)\s+")


# A quality measured by a score with a threshold: "controversy score less than 70", "ESG
# rating of at least BBB" (the stem of the quality is what a judgement about it refers to).
_SCORED = re.compile(
    r"\b(?P<quality>[A-Za-z]{4,})\w*\s+(?:scores?|ratings?|ratios?|levels?)\b[^.\n]{0,40}?"
    r"(?:less|more|greater|lower|higher|below|above|under|over|at\s+least|at\s+most|<|>|"
    r"\u2264|\u2265)[^.\n]{0,15}?\d",
    re.IGNORECASE,
)


def _scored_stems(ctx: CheckContext) -> frozenset[str]:
    """Return the stems (7 letters) of qualities the document measures with a threshold."""
    return frozenset(m.group("quality")[:7].lower() for m in ctx.finditer_body(_SCORED))


def _singular(phrase: str) -> str:
    return " ".join(w[:-1] if w.endswith("s") and len(w) > 3 else w
                    for w in phrase.lower().split())


def _quantified_words(ctx: CheckContext) -> frozenset[str]:
    """Judgement words the document quantifies as a term ("Extreme values: > 95% or < 5%")."""
    words = {
        t.term.split()[0].lower() for t in ctx.ir.terms
        if t.term.split() and has_quantity(t.definition)
    }
    for unit in ctx.body_units:
        m = _LABELLED_ITEM.match(unit.text) if unit.kind == "item" else None
        if m is not None and has_quantity(m.group("rest")):
            words.add(m.group("word").lower())
    return frozenset(words)


# A name in code: camel case ("lastGoodPrice") or snake case ("last_good_price").
_CODE_NAME = re.compile(r"`([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)(?:\(\))?`")
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _code_phrases(markdown: str) -> frozenset[tuple[str, ...]]:
    """Return the names in code of ``markdown`` as words: `lastGoodPrice`, (last, good, price)."""
    phrases = set()
    for m in _CODE_NAME.finditer(markdown):
        words = tuple(_CAMEL_HUMP.sub(" ", m.group(1)).replace("_", " ").lower().split())
        if len(words) >= 2:
            phrases.add(words)
    return frozenset(phrases)


def _names_code(codes: frozenset[tuple[str, ...]], text: str, m: re.Match[str]) -> bool:
    """Return True when the judgement and the word before it name a quantity in ``codes``.

    "the last good price seen by the system" in a document that keeps `lastGoodPrice`.
    """
    before = re.search(r"([A-Za-z]+)\s+$", text[max(0, m.start() - 20) : m.start()])
    if before is None:
        return False
    words = tuple(f"{before.group(1)} {m.group(0)}".lower().split())  # "last good price seen"
    return any(words[: len(code)] == code for code in codes)


def vague_qualifiers(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report judgement words ("sufficient", "reasonable") standing in for a number.

    Notice given "in advance" or "with reasonable notice" and no period is one of them.

    A word the document quantifies as a defined term ("Extreme values: probabilities above
    95% or below 5%") is not a judgement where it is used again ("extreme probabilities").

    A judgement in a sentence that sets no rule ("This induces a significant gas price
    overhead") is its own family, "Judgement in a description", with a low prior. One that
    triggers, bounds or is acted on by a step of the method ("when signals reach significant
    levels", "capped at a reasonable level", "material errors ... are corrected") is a rule.
    """
    formal = ctx.style == "rulebook"
    quantified = _quantified_words(ctx)
    scored: frozenset[str] | None = None  # the measured qualities, read on the first match
    enumerated: frozenset[str] | None = None  # computed on the first judgement
    codes: frozenset[tuple[str, ...]] | None = None  # names in code as words, likewise
    named: bool | None = None  # whether a part about the sources names them, likewise
    triggers = False  # in a list whose lead-in says its items trigger a rule
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if unit.kind != "item":
            triggers = ":" in unit.text and _TRIGGER_LEAD.search(unit.text) is not None
        elif unit.start in ctx.aim_items:
            continue  # "This approach ensures that:" then "- ... a meaningful share": aims
        trigger = triggers and unit.kind == "item"
        notices = list(_notice_hits(unit, low))
        yield from notices
        if mentions(low, _TRIGGER_WORDS):
            yield from _vague_trigger_hits(unit)
        if not mentions(low, _QUALIFIER_WORDS):
            continue  # no judgement word
        if (_HYPOTHETICAL.search(unit.text) and not trigger) or _POINTER.match(unit.text):
            continue  # "For information on material changes, see ...": a pointer, no rule
        if _HABITUAL.search(unit.text) and not _OBLIGATION.search(unit.text):
            continue  # "validators typically enjoy substantial grant delegations": how
            # things tend to be, not a rule of the method
        if _LIST_LEAD.search(unit.text):
            continue  # "Acceptable forms of restructure are as follows:": the list says
        # "The indices are rebalanced under the circumstances:" then "- The occurrence of
        # significant events ...": each item is a condition the rule turns on.
        quoted = [q.span() for q in _QUOTED.finditer(unit.text)]
        for m in _QUALIFIER.finditer(unit.text):
            # A criterion word governs the judgement when it is in its clause: "must have
            # sufficient liquidity", "sufficient liquidity is required"; not "It will require
            # significant energy" of a description elsewhere in a long sentence.
            clause = clause_start(unit.text, m.start(), max_words=15)
            criterion = trigger or _CRITERION.search(unit.text, clause, m.end() + 40) is not None
            if not criterion and _CRITERION_CONDITION.search(unit.text, 0, clause):
                criterion = True  # "A stock is eligible if it has sufficient liquidity": the
                # condition of eligibility is the criterion
            if any(n.start <= unit.start + m.start() < n.end for n in notices):
                continue  # "reasonable notice": reported as a notice with no period
            if m.start() > 0 and unit.text[m.start() - 1] == "-":
                continue  # "State-heavy protocols": a compound, what kind, not how much
            if _VALUES_LISTED.match(unit.text, m.end()):
                continue  # "Acceptable values for this setting are `last`, `mark` and
                # `index`": the values are listed
            if _BEING_DEFINED.match(unit.text, m.end()) or _DEGREE_GIVEN.match(
                unit.text, m.start()
            ):
                continue  # "Unexpected market/exchange closures ... are defined as full or
                # partial restriction of trading": the phrase is being defined; "a
                # significant restructuring such that it no longer meets the criteria": the
                # consequence says how significant
            if _TERM_OF_ART.match(unit.text, m.start()) and (
                not _SENTENCE_OPENING.search(unit.text, 0, m.start())
                or _TITLE_CASE.match(unit.text, m.start())
            ):
                continue  # "lender consent for Major version changes", "Material Methodology
                # Change": a capitalised term (defined in a policy), not a judgement
            if any(a < m.start() < b for a, b in quoted) or _EXAMPLE_BEFORE.search(
                unit.text, max(0, m.start() - 60), m.start()
            ):
                continue  # quoted words or an example, not the document's own criterion
            if _PURPOSE.search(unit.text[clause_start(unit.text, m.start(), max_words=30) :
                                         m.start()]):
                continue  # "applied to ensure meaningful representation", "requirements to
                # ensure that a cryptoasset has liquidity ... with acceptable levels of market
                # impact": an aim, not a rule (the requirement itself is stated elsewhere)
            if _ABOUT_HOW.search(unit.text, max(0, m.start() - 200), m.start()):
                continue  # "The third step relates to how to select a unique set of
                # high-quality constituent markets": what a step is about; the step says how
            if AGENDA.search(unit.text, max(0, m.start() - 200), m.start()):
                continue  # "the committee meets monthly to review any significant market
                # events": an item of a meeting's agenda
            if _RISK_CONDITION.search(unit.text, max(0, m.start() - 200), m.start()):
                continue  # "assets with low prices are susceptible to liquidity issues if
                # the minimum price fluctuation represents a meaningful percentage of their
                # price": the risk a rule answers, not the rule
            if _OUTCOME_BEFORE.search(unit.text, max(0, m.start() - 30), m.start()):
                continue  # "protected from incurring significant losses": an outcome
                # described, not a criterion the method applies
            if _GOOD_VALUE.match(unit.text, clause_start(unit.text, m.start(), max_words=3)):
                continue  # "A good value for this is the current mid-price": advice on a
                # setting that names the choice
            if _LIMIT_BEFORE.search(unit.text, max(0, m.start() - 12), m.start()) and (
                _setting_heading(ctx, unit.start)
            ):
                continue  # "#### `max_slippage_pct`" then "Description: Maximum acceptable
                # slippage percentage": the setting describes the limit it holds
            if _SUPPLIED_BY.match(unit.text, m.start()):
                continue  # "the acceptable price specified by the user": the user's value
            if _SETS_PARAMETERS.search(unit.text, 0, m.start()):
                continue  # "The deployer sets parameters that govern ... acceptable
                # loan-to-value ratios": a setting its owner chooses, not a judgement
            if _IDIOM.search(unit.text[max(0, m.start() - 15) : m.end() + 12]):
                continue
            if _NOT_A_JUDGEMENT.match(unit.text, m.start()):
                continue
            if codes is None:
                codes = _code_phrases(ctx.markdown) if "`" in ctx.markdown else frozenset()
            if codes and _names_code(codes, unit.text, m):
                continue  # "the last good price seen by the system" of `lastGoodPrice`: a
                # quantity the code keeps, named in words
            if _AMOUNT_FOR_A_PAYMENT.match(unit.text, m.start()) or (
                not criterion and _ACCOUNT_SHORT.match(unit.text, m.start())
            ):
                continue  # "sufficient sUSD in their wallet to buy back the shorts": as much
                # as the payment takes, which the trade sets
            if _PARTICIPLE.match(unit.text, m.start()) or (
                _ED_WORD.match(unit.text, m.start())
                and _AUXILIARY_BEFORE.search(unit.text, 0, m.start())
            ):
                continue  # "breaks established during ...", "has established an Index
                # Committee": a verb, no judgement
            if re.search(r"\b(?:most|more|less|least)\s+$", unit.text[max(0, m.start() - 6) :
                                                                        m.start()]):
                continue  # "the most established": a ranking, not a threshold
            start, end, quote, phrase = _clause_hit(unit, m, max_words=8)
            overlapped = [n.end for n in notices if n.start <= start < n.end]
            if overlapped:  # "Notification period before major changes": the judgement's
                # quote starts after the notice's, so the two findings keep their own places
                gap = ctx.markdown[overlapped[0] : end]
                start = overlapped[0] + len(gap) - len(gap.lstrip())
                quote = ctx.markdown[start:end]
            # A number in the clause can give the judgement's measure ("5% is considered
            # significant"); in a criterion, before a judgement that qualifies a noun, it
            # counts something else ("eligible if its two nearest contracts have sufficient
            # open interest").
            measured_from = m.start() if criterion and len(phrase.split()) > 1 else (
                clause_start(unit.text, m.start()))
            if has_quantity(unit.text[measured_from : m.end() + 30]):
                continue
            if _glossed_value(unit.text, m.end()):
                continue  # "a significant impact on the stated index (i.e., do not impact
                # the level by more than 0.5%)": the gloss gives the value
            words = phrase.split()
            word = words[0].lower()
            if len(words) > 1 and re.fullmatch(r"[a-z]+ed", words[1]):
                continue  # "any material included": a noun and a participle, no judgement
            if word in quantified:
                continue
            if scored is None:
                scored = _scored_stems(ctx)
            if scored and any(
                w[:7].lower() in scored
                for w in re.findall(r"[A-Za-z]{4,}", " ".join(words) + " " + unit.text[
                    m.end() : m.end() + 60])[:7]
            ):
                continue  # "any major ESG controversy" where "Companies with controversy
                # score less than 70 shall be excluded": the judgement has its measure
            short = " ".join(words[:2])
            if enumerated is None:
                enumerated = _enumerated_phrases(ctx)
            if _singular(short) in enumerated:
                continue  # "When a significant change ... occurs", after the list of them
            # In a rulebook that defines its terms, an undefined "material" or "reasonable"
            # is a deliberate legal standard (decided by a named party), not an oversight.
            standard = word in _LEGAL_STANDARD and formal
            confidence = 0.4 if standard else (0.75 if criterion else 0.6)
            subjective = _SUBJECTIVE_NOUN.search(phrase) is not None
            source = _SOURCE_NOUN.search(" ".join(words[1:]))
            after = " ".join(words[1:])[source.end() :] if source else ""
            after = after or unit.text[m.end() :]
            if source is not None and noun_goes_on(after) and not _SOURCE_NOUN.match(
                after.strip()
            ):
                source = None  # "unexpected exchange closures": the noun qualifies the next
                # ("data aggregators" is still a source)
            if source is not None and _NOT_DATA_USE.search(
                unit.text, max(0, m.start() - 120), m.start()
            ):
                source = None  # "available through major quote vendors", "delisting from a
                # major exchange": where the index is published or a company listed
            if source is not None and word in _AMOUNT_WORDS:
                source = None  # "once we have sufficient data": how much data, not whose
            if source is not None and unit.kind == "item" and _NAMED_LABEL.match(
                unit.text[: m.start()]
            ):
                continue  # "- **Polygon.io**: High-quality historical price data": named
            if source is not None and _NAMED_AFTER.match(unit.text, m.end()):
                continue  # "provided by well-established data aggregators, including CoinGecko
                # and CoinMarketCap": the sources are named
            if source is not None and source.group(0)[:1].islower():  # not "Exchange Disruption"
                if named is None:
                    named = suppliers_named(ctx)
                if not named:  # else "from major exchanges", and a "Sources" part that
                    # names them: the judgement summarises the named list
                    yield _vague_source_hit(start, end, quote, short, confidence)
                continue
            # "controversial" is what is excluded: a screen, whatever the noun
            screen = criterion or word == "controversial"
            if not (screen or subjective or _MEASURABLE.search(" ".join(words[1:]))):
                continue  # "a good example", "significant effort": a view, not a missing number
            ruled = (
                screen
                or unit.kind == "item"  # "- Have significant fossil fuel exposure": a rule
                or _IMPERATIVE.match(unit.text) is not None  # "Buy tokens showing strong ..."
                # "Weight changes when signals reach significant levels", "capped at a
                # reasonable level": the judgement is the condition or the bound of a step
                or _CONDITION_LINK.search(unit.text, max(0, m.start() - 40), m.start())
                is not None
                # "Material errors in published levels are corrected": what the method acts on
                or _ACTED_ON.match(unit.text, m.end()) is not None
                # "Stake withdrawals will have an adequate lead-time", "companies are listed
                # on a major stock market": the judgement is in a clause that sets a rule
                or _OPERATIVE.search(
                    unit.text, clause_start(unit.text, m.start(), max_words=12), m.start()
                ) is not None
            )
            if not ruled and _BODY_REVIEWS.search(unit.text, max(0, m.start() - 60), m.start()):
                continue  # "the Committee reviews any significant market events": what a body
                # looks at, its agenda; not a criterion of the method
            if not ruled and _TOPIC_LIST.search(unit.text, max(0, m.start() - 250), m.start()):
                continue  # "policies which outline the administration, oversight, conflicts
                # of interest, significant changes and terminations, ...": a topic a
                # document covers, named in a list, not a criterion
            if not ruled:
                # "This induces a significant gas price overhead": a judgement in a sentence
                # that describes, sets no criterion. Its own family with a low prior, so
                # calibration measures it apart: the independent audit of 2026-12-06 found
                # such findings on real documents wrong far more often than right.
                title = f"Judgement in a description: '{short}'"
                confidence = 0.3
            elif subjective:
                title = f"Subjective criterion: '{short}'"
            elif standard:
                # Its own family, so calibration measures legal standards apart.
                title = f"'{short}' is a judgement standard, not a value"
            else:
                title = f"'{short}' is not quantified"
            yield CheckHit(
                start=start,
                end=end,
                title=title,
                description=f"'{word}' is a judgement, not a criterion: two implementers would "
                "draw the line in different places.",
                suggested_fix="Replace the judgement with a measurable criterion: metric, "
                "threshold and measurement window (or, for a qualitative screen, the rubric "
                "and who applies it).",
                replacement=f"{quote} ([[specify: measurable criterion and threshold]])",
                category=(Category.AMBIGUOUS_METHODOLOGY if subjective
                          else Category.UNDEFINED_PARAMETER),
                confidence=confidence,
                subject=short.lower(),
            )


def _ruled_clause(text: str, start: int, end: int) -> str:
    """Return the clause a condition at ``start:end`` governs.

    That is what follows its comma when the condition opens the sentence ("If weights drift
    materially, the index is rebalanced"), else the clause just before it ("Positions are
    reduced when ...").
    """
    opening = max((b.end() for b in _SENTENCE_BREAK.finditer(text, 0, start)), default=0)
    if not text[opening:start].strip():
        stop = _SENTENCE_BREAK.search(text, end)
        after = text[end : stop.start() if stop else len(text)]
        comma = after.find(",")
        return after[comma + 1 :] if comma >= 0 else after
    before = text[opening:start]
    cut = max(before.rfind(","), before.rfind(";"))
    return before[cut + 1 :] if cut >= 0 else before


def _vague_trigger_hits(unit: TextUnit) -> Iterator[CheckHit]:
    """Yield each condition in ``unit`` that turns on a judged degree, with no number.

    "An extra rebalance is run if weights drift materially": two implementers would run it at
    different points. A condition in a description ("When the price is too high, longs pay
    shorts") or of a risk ("if markets move sharply, the strategy may lose money") is none.
    """
    if _RISK_CONSEQUENCE.search(unit.text) or (
        _HABITUAL.search(unit.text) and not _OBLIGATION.search(unit.text)
    ):
        return  # "if markets move sharply, the strategy may lose money": a risk described
    text = unit.text
    for m in _VAGUE_TRIGGER.finditer(text):
        if has_quantity(text[m.start() : m.end() + 40]):
            continue  # "if the price moves significantly (more than 2%)": the value is given
        if not _OPERATIVE.search(_ruled_clause(text, m.start(), m.end())):
            continue  # "When the price is too high, longs pay shorts": how a market works,
            # described; "a range for capturing upside if price increases significantly"
        if _glossed_value(text, m.end()):
            continue
        phrase = " ".join(m.group("phrase").split())
        yield CheckHit(
            start=unit.start + m.start(),
            end=unit.start + m.end(),
            title=f"Condition turns on a judgement: '{phrase}'",
            description=f"The rule applies when something is judged '{phrase}', with no number "
            "for how much: two implementers would apply it at different points.",
            suggested_fix="State the measure and the threshold that triggers the rule (for "
            "example a deviation in percentage points from the target weight).",
            replacement=f"{m.group(0)} ([[specify: measure and threshold]])",
            # A judged movement ("drift materially") leaves the step's trigger vague; a
            # judged level ("is too high") leaves a threshold without its value.
            category=(Category.AMBIGUOUS_METHODOLOGY if m.group("movement")
                      else Category.UNDEFINED_PARAMETER),
            confidence=0.7,
            subject=phrase.lower(),
        )


# Names given right after a judged source: ", including CoinGecko", "such as Kaiko".
_NAMED_AFTER = re.compile(
    r"[^.;\n]{0,60}?\b(?:including|such\s+as|e\.\s?g\.,?|namely|like)\s+[A-Z][\w.-]+"
)
# Advice on a setting, with a concrete choice: "A good value for this is the current
# mid-price".
_GOOD_VALUE = re.compile(
    r"\W*(?:an?|the)?\s*(?:good|reasonable|sensible|suitable)\s+(?:starting\s+)?(?:value|"
    r"choice|default|setting)\s+(?:for\s+[^.;\n]{1,40}?\s+)?(?:is|would\s+be)\s+(?:the\s+)?\w",
    re.IGNORECASE,
)


def _vague_source_hit(
    start: int, end: int, quote: str, short: str, confidence: float
) -> CheckHit:
    """Return the hit for a source named only by a judgement ("well-established data")."""
    return CheckHit(
        start=start,
        end=end,
        title=f"Data source named only by a judgement: '{short}'",
        description=f"'{short}' says what kind of source is used, not which one: two "
        "implementers could take their data from different providers or venues.",
        suggested_fix="Name the vendors or venues (and the dataset or field), how they are "
        "chosen and combined, and the fallback when one is unavailable.",
        replacement=f"{quote} ([[specify: named sources, fields and fallback]])",
        category=Category.DATA_SOURCE_UNSPECIFIED,
        confidence=confidence,
        subject=short.lower(),
    )


def _dated_events(ctx: CheckContext) -> set[str]:
    """Return stems of periodic events ("rebala", "review") some sentence gives a date for."""
    out: set[str] = set()
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if mentions(low, _EVENT_WORDS) and _DATE_RULE.search(unit.text):
            for m in _PERIODIC_EVENT.finditer(unit.text):
                out.add(_event_stem(m.group(0)))
    return out


def _event_stem(phrase: str) -> str:
    word = next(w for w in phrase.lower().split() if w.startswith(_EVENTS))
    return word[:6]


_EVENTS = ("rebalanc", "reconstitut", "review", "reweight", "reset")


# How often something happens in the market, not when the method acts.
_HAPPENS_BEFORE = re.compile(
    r"\b(?:occurs?|occurring|happens?|appears?|arises?)\s+(?:\w+\s+)?$", re.IGNORECASE
)
# The document's own wording: "two concepts that will be mentioned frequently".
_ABOUT_THE_TEXT = re.compile(
    r"\b(?:mentioned|referred\s+to|discussed|cited|quoted|repeated|used\s+in\s+this\s+"
    r"(?:document|page|section))\s*$",
    re.IGNORECASE,
)
# "... or periodically undergo changes in their style": how often something happens to what
# the index holds, not a schedule of the method.
_HAPPENS_AFTER = re.compile(
    r"\s+(?:undergo(?:es)?|experiences?|suffers?|sees?|changes?|fluctuates?|moves?|switch(?:es)?|"
    r"alternates?|oscillates?|reverts?)\b",
    re.IGNORECASE,
)


# A definite period: "on an annual basis", "quarterly", "twice a year", "every 3 months",
# "every 90 seconds", "every block".
_STATED_PERIOD = re.compile(
    r"\b(?:hourly|daily|weekly|fortnightly|monthly|quarterly|semi-?annual(?:ly)?|annual(?:ly)?"
    r"|yearly|(?:once|twice)\s+(?:a|per|every)\s+(?:day|week|month|quarter|year)"
    r"|every\s+(?:\d+|two|three|four|five|six|eight|ten|twelve|fifteen|thirty)\s+(?:seconds?|"
    r"minutes?|hours?|days?|weeks?|months?|years?|blocks?|epochs?)"
    r"|every\s+(?:second|minute|hour|day|week|month|quarter|year|block|epoch))\b",
    re.IGNORECASE,
)
# What a timing word says is done: "the indices are periodically reviewed", "prices are
# updated frequently".
_TIMED_ACTION = re.compile(
    r"\b(?:rebalanc|reconstitut|review|reweight|reset|updat|publish|settl|recalculat|"
    r"recomput|rolle?d?\b|roll(?:s|ing)\b)\w*",
    re.IGNORECASE,
)
# "the more frequently", "less frequently than": a comparison, not a schedule.
_COMPARED_TIMING = re.compile(r"\b(?:more|less|most|least|as|too|so|how)\s+$", re.IGNORECASE)


def _action_stem(text: str) -> str:
    return text.lower()[:6]


def _periodic_actions(ctx: CheckContext) -> frozenset[str]:
    """Return the actions ("review", "rebala", "update") a sentence gives a period for."""
    return frozenset(
        _action_stem(m.group(0))
        for unit in ctx.rule_units
        if _STATED_PERIOD.search(unit.text)
        for m in _TIMED_ACTION.finditer(unit.text)
    )


def _action_timed_elsewhere(periodic: frozenset[str], clause: str) -> bool:
    """Return True if the action ``clause`` times is one the document gives a period for."""
    return any(_action_stem(m.group(0)) in periodic for m in _TIMED_ACTION.finditer(clause))


# A period a setting named in code holds: "once per `VotePeriod`", "every `interval`".
_PER_NAMED_PERIOD = re.compile(r"\b(?:once\s+per|every|each)\s+(?:the\s+)?`[^`\n]{1,60}`",
                               re.IGNORECASE)
# Timing words that say "on a schedule" (not how often something happens to occur).
_SCHEDULED = re.compile(r"periodically|regularly|(?:at|on)\s+(?:a\s+)?regular", re.IGNORECASE)
# A setting for a period: named in code as one ("`check_interval_sec`", "`VotePeriod`") or
# described by what it times ("How often should Edge run in seconds").
_INTERVAL_SETTING = re.compile(
    r"`[A-Za-z_]*(?:interval|Interval|period|Period|throttle|frequency|Frequency|cadence)"
    r"[A-Za-z_]*`|\bhow\s+often\b",
    re.IGNORECASE,
)


def _interval_settings(ctx: CheckContext) -> tuple[str, ...]:
    """Return the lines that name a setting for a period, with what it times."""
    text = ctx.markdown
    if "`" not in text and "often" not in text:
        return ()
    lines = []
    for m in finditer_chunked(_INTERVAL_SETTING, text):
        end = text.find("\n", m.end())
        lines.append(text[text.rfind("\n", 0, m.start()) + 1 : end if end >= 0 else len(text)])
    return tuple(lines)


# Timing that settings determine: ", based on order size and running time inputs",
# "determined by the `interval` parameter".
_FROM_INPUTS = re.compile(
    r"\s*,?\s*(?:based\s+on|determined\s+by|derived\s+from|computed\s+from|set\s+by)\s+"
    r"[^.;]{0,60}?(?:\binputs?\b|\bparameters?\b|\bsettings?\b|`)",
    re.IGNORECASE,
)


def _period_beside(ctx: CheckContext, units: tuple[TextUnit, ...], i: int) -> bool:
    """Return True if another sentence of unit ``i``'s paragraph states a period."""
    j = i
    while j > 0 and ctx.same_paragraph(units[j - 1], units[i]):
        j -= 1
    while j < len(units) and ctx.same_paragraph(units[j], units[i]):
        if j != i and _STATED_PERIOD.search(units[j].text) is not None:
            return True
        j += 1
    return False


# A part that sets out when things happen: "## Settlement schedule", "### Update frequency".
_SCHEDULE_HEADING = re.compile(r"\b(?:schedules?|frequency|frequencies|timing|intervals?)\b",
                               re.IGNORECASE)
_CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")


def _schedule_follows(ctx: CheckContext, unit: TextUnit) -> bool:
    """Return True if the text after ``unit``'s paragraph is in a schedule with its times.

    That is the part the next paragraph opens or goes on with. "Funding Fees are cash flows
    periodically exchanged ..." then "## Settlement schedule" with "every hour", "00:00,
    08:00, 16:00": the overview, then the schedule it summarises. A paragraph inside a
    schedule part, with more of it after, is read against that part's times the same way.
    """
    end = ctx.markdown.find("\n\n", unit.end)
    nxt = ctx.section_at(end + 2) if end >= 0 else None
    if nxt is None or nxt.start > end + 3 or not _SCHEDULE_HEADING.search(nxt.heading):
        return False
    body = ctx.markdown[nxt.start : min(nxt.end, nxt.start + 2000)]
    return _STATED_PERIOD.search(body) is not None or _CLOCK_TIME.search(body) is not None


def vague_frequency(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report timing words with no period ("periodically") and schedules with no date.

    "May ... from time to time" grants a power (to amend, to publish, to create); it says
    when someone is allowed to act, not how often the method runs, so it is not a missing
    frequency (the governance and discretion checks judge such powers).
    """
    dated = _dated_events(ctx)
    units = ctx.rule_units
    periodic: frozenset[str] | None = None
    settings: tuple[str, ...] | None = None  # read on the first scheduled timing word
    for i, (unit, low) in enumerate(zip(units, ctx.rule_folded, strict=True)):
        timing = mentions(low, _FREQUENCY_WORDS)  # else _FREQUENCY cannot match
        if timing and (_period_beside(ctx, units, i) or _schedule_follows(ctx, unit)):
            continue  # "... on a periodic basis. The meetings are held on an annual basis.";
            # or what follows is in the schedule ("## Settlement schedule")
        for m in _FREQUENCY.finditer(unit.text) if timing else ():
            before = unit.text[clause_start(unit.text, m.start(), max_words=25) : m.start()]
            if _PERMISSION.search(before) or _VERSIONING.search(before):
                continue
            if _COMPARED_TIMING.search(before) or ADVICE.search(before):
                continue  # "published more frequently", "it is important to frequently
                # check": a comparison, or advice to the reader
            if periodic is None:
                periodic = _periodic_actions(ctx)
            if _action_timed_elsewhere(periodic, before[-40:] + unit.text[m.end():m.end() + 30]):
                continue  # "The indices are periodically reviewed" in an overview, and "the
                # index is reviewed semi-annually" where the index is described
            if _BECAUSE.search(before) or _HABIT.search(before):
                continue  # "This is required because frequently, the update ... is late": an
                # explanation of why; "who typically holds ... and only occasionally buys":
                # a habit. Neither is a schedule of the method
            if _DATE_RULE.search(unit.text[m.end() :]) or _DEFINED_DATE.search(unit.text):
                continue  # "periodically on each Decision Date": the date rule follows
            if _STATED_PERIOD.search(re.split(r"[;:]", unit.text[m.end() : m.end() + 120])[0]):
                continue  # "routinely harvests all products with any rewards every day":
                # the clause states its period
            if m.group(0).lower().startswith("from") and not _METHOD_ACTION.search(before):
                continue  # "smaller from time to time": a description, not a schedule
            if _FROM_INPUTS.match(unit.text, m.end()):
                continue  # "executed at regular intervals, based on order size and running
                # time inputs": the period follows from settings the user gives
            if _ABOUT_THE_TEXT.search(before):
                continue  # "concepts that will be mentioned frequently": how the document
                # writes, not a schedule of the method
            if _HAPPENS_BEFORE.search(before) or _HAPPENS_AFTER.match(unit.text, m.end()):
                continue  # "Inside Day occurs frequently": how often an event happens
            if _PER_NAMED_PERIOD.search(unit.text):
                continue  # "validators periodically vote ..., the protocol tallying up the
                # results once per `VotePeriod`": a period the setting holds
            if _SCHEDULED.match(m.group(0)):
                if settings is None:
                    settings = _interval_settings(ctx)
                if any(share_a_word(unit.text, line) for line in settings):
                    continue  # "Edge will run periodically" and the settings table's
                    # "`process_throttle_secs` | How often should Edge run in seconds": the
                    # setting gives the period
            start, end, quote, phrase = _clause_hit(unit, m, max_words=8)
            yield CheckHit(
                start=start,
                end=end,
                title=f"Frequency not specified: '{' '.join(phrase.split())}'",
                description=f"'{phrase}' does not say how often or on which dates.",
                suggested_fix="Give the frequency and the date rule (e.g. which day of the "
                "period, on which calendar).",
                replacement=f"{quote} ([[specify: frequency and date rule]])",
                category=(Category.MISSING_GOVERNANCE if _METHOD_REVIEW.search(before)
                          else None),
                confidence=0.85,
                subject=" ".join(phrase.lower().split()),
            )
        if not mentions(low, _EVENT_WORDS):
            continue  # no periodic event
        for m in _PERIODIC_EVENT.finditer(unit.text):
            if _event_stem(m.group(0)) in dated or unit.text.rstrip().endswith(":"):
                continue
            if _DATE_RULE.search(unit.text) or _DEFINED_DATE.search(unit.text):
                continue
            start, end, quote, phrase = _clause_hit(unit, m, max_words=8)
            yield CheckHit(
                start=start,
                end=end,
                title="Schedule has no date rule",
                # A schedule without its day, time and calendar is a calendar question (the
                # pack's SC-003), wherever the check that finds it sits.
                category=Category.MARKET_CALENDAR,
                description=f"'{phrase}' gives a frequency but not the date: which day of the "
                "period, and what happens when it is not a trading day.",
                suggested_fix="State the date rule (e.g. which weekday of which month) and "
                "the roll rule for non-trading days.",
                replacement=f"{quote} [[specify: date rule and calendar]]",
                confidence=0.7,
                subject=_event_stem(m.group(0)),
            )
