"""Governance and risk disclosure: what a method that takes decisions or risks must also say.

- ``governance_missing``: the method relies on models, algorithms, consultation or discretion,
  and the document has no governance content (no section or sentence about approval,
  oversight, a committee, validation, exceptions or change control). One finding per
  reliance, quoting it.
- ``risk_disclosure_missing``: the method uses leverage, derivatives, short selling,
  concentrated positions, crypto-assets or return targets, and the document has no risk
  section or disclosure. One finding per risk-bearing feature, quoting it. A disclaimer of
  every investment ("Past performance is not a guide to future returns", "Returns are not
  guaranteed"), alone or as all a "Disclosures" part holds, answers for ordinary holdings but
  not for leverage, derivatives (forwards too) or short selling; it is then quoted as well.
- ``unbalanced_claims``: statements that the method carries no risk ("no directional risk",
  "cannot lose"), that returns are assured ("guarantees a positive return") or that it
  has always performed ("positive returns in every crisis"). Marketing rules forbid them
  unless fair and balanced (FINRA Rule 2210(d)(1), SEC Rule 206(4)-1(a)). One finding per
  document, every claim a place.
- ``performance_unlabelled``: performance figures (return since inception, annualised
  return or volatility, Sharpe ratio, drawdown) stated as numbers, in a document that never
  says whether they are actual, simulated or back-tested, nor that past performance is no
  guide. One finding per document, every such place an occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit, clause_start, has_quantity
from docsense.review.checks.calendar import ALWAYS_OPEN, trades_around_the_clock

__all__ = [
    "decision_owner_missing",
    "governance_missing",
    "methodology_changes_ungoverned",
    "performance_unlabelled",
    "risk_disclosure_missing",
    "unbalanced_claims",
]

_GOVERNANCE_HEADING = re.compile(
    r"governance|oversight|committee|approv|administration|change\s+(?:control|management)|"
    r"model\s+(?:risk|validation)|controls?\b|exceptions?|methodology\s+(?:changes|review)|"
    r"audit|compliance",
    re.IGNORECASE,
)
_GOVERNANCE_TEXT = re.compile(
    r"\b(?:committee|approv\w+|oversight|overseen|governance|sign-?off|escalat\w+|audit\w*|"
    r"independent(?:ly)?\s+(?:review|validat)\w*|validated\s+by|model\s+validation|"
    r"change\s+control)\b",
    re.IGNORECASE,
)
_RELIANCE = re.compile(
    r"\b(?:quantitative|proprietary|statistical|scoring|machine[- ]learning)\s+"
    r"models?\b"
    r"|\bmodel\s+(?:scores?|outputs?|signals?)\b"
    r"|\b(?:using|uses|via|through)\s+algorithms?\b"
    r"|\bconsult(?:s|ed|ing)?\b(?:\s+[\w-]+){1,3}"
    r"|\b(?:discretion(?:ary)?|judge?ment(?:al)?|override[sn]?|manual\s+intervention)\b",
    re.IGNORECASE,
)

# "Security Considerations" is where improvement proposals (EIPs, UMIPs) discuss what can go
# wrong.
# A disclaimer is where papers and project pages state what they do not promise.
_RISK_HEADING = re.compile(
    r"\brisks?\b|disclos|disclaimers?\b|warning|limitations|security\s+considerations",
    re.IGNORECASE,
)
# A heading of the method's own risk controls ("Execution and Risk Controls", "Risk
# Management", "Risk and Oversight"): it says how risk is limited, not what an investor may
# lose, unless it also names a disclosure ("Risk Management and Disclosures").
_RISK_CONTROL_HEADING = re.compile(
    r"\brisk\s+(?:and\s+)?(?:controls?|limits?|management|monitoring|oversight|"
    r"budget(?:ing)?|overlay|parameters)\b",
    re.IGNORECASE,
)
_DISCLOSING_HEADING = re.compile(
    r"disclos|disclaimers?\b|warning|limitations|\brisks\b|\brisk\s+factors?\b", re.IGNORECASE
)


def _discloses(heading: str) -> bool:
    """Return True for the heading of a part that discloses risks ("Risks and Limitations")."""
    return _RISK_HEADING.search(heading) is not None and (
        _RISK_CONTROL_HEADING.search(heading) is None
        or _DISCLOSING_HEADING.search(heading) is not None
    )


_EXCLUDED = re.compile(
    r"\b(?:exclu(?:de[sd]?|ding|sions?)|other\s+than|except|prohibited|ineligible|not\s+eligible)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:no|not|never|without|nor|none)\b(?:\s+[\w-]+){0,3}\s*$", re.I)
_RISK_TEXT = re.compile(
    r"\brisk[_-](?:management|disclosures?|warnings?)\b|\brisk\s+(?:disclosures?|warnings?)\b"
    r"|\b(?:risks?\s+(?:disclosure|factors?|of\s+loss)|(?:may|can|could|might)\s+lose|"
    r"loss\s+of\s+(?:capital|principal))\b"
    # A warning in other words: "Trading with leverage is very risky", "never risk more than
    # what you can afford to lose", "no responsibility for eventual losses".
    r"|\b(?:is|are)\s+(?:very\s+|extremely\s+|highly\s+)?(?:risky|high[- ]risk)\b"
    r"|\bafford\s+to\s+lose\b|\bresponsibility\s+for\s+(?:any\s+|eventual\s+)?losses\b"
    # A link to the project's disclaimer: "[Disclaimer](DISCLAIMER.md)".
    r"|\[[^\]\n]{0,20}\bdisclaimer\b[^\]\n]{0,20}\]\(",
    re.IGNORECASE,
)
# A disclaimer of every investment ("Past performance is not a guide to future returns",
# "Returns are not guaranteed"): it answers for an index of ordinary holdings, not for
# leverage, derivatives or short selling, whose own risks it does not name.
_GENERIC_DISCLAIMER = re.compile(
    r"\b(?:no\s+guarantee|not\s+guaranteed|past\s+performance)\b", re.IGNORECASE
)
_AMPLIFYING = frozenset({"leverage", "derivatives", "short selling"})


def _disclosing_part(ctx: CheckContext) -> bool:
    """Return True if a part headed as a disclosure says more than a generic disclaimer.

    "## 4. Disclosures" holding only "Past performance is not a guide to future returns"
    names no risk of the method.
    """
    return any(
        section.start < u.start < section.end and not _GENERIC_DISCLAIMER.search(u.text)
        for section in ctx.sections
        if section is not ctx.title_section and _discloses(section.heading)
        for u in ctx.units
    )


# Risks of the method discussed by name: "higher divergence risks", "impermanent loss"
# ("market risk" is what a hedge is said to remove, not a disclosure).
_NAMED_RISK = re.compile(
    r"\b(?:divergence|liquidation|counterparty|liquidity|smart[- ]contract|oracle|basis|"
    r"tail|credit|default|slippage|depeg(?:ging)?)\s+risks?\b|\bimpermanent\s+loss\b",
    re.IGNORECASE,
)
# A risk the text says the design removes: "it can additionally address counterparty risk".
_RISK_SOLVED = re.compile(
    r"\b(?:address\w*|eliminat\w*|remov\w*|avoid\w*|solv\w*|mitigat\w*|reduc\w*|without|"
    r"no|free\s+(?:of|from))\s+(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE,
)


def _risks_discussed(ctx: CheckContext) -> bool:
    """Return True if the text names a risk of its own method (not one it removes)."""
    body = ctx.body_text()
    return any(
        not _RISK_SOLVED.search(body[max(0, m.start() - 50) : m.start()])
        for m in ctx.finditer_body(_NAMED_RISK)
    )
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s)\]]+", re.IGNORECASE)
# Leverage as a measure of the constituents: "financial leverage", "companies with lower
# leverage", "leverage ratio".
_LEVERAGE_METRIC = re.compile(
    r"\b(?:financial|operating|corporate|balance[- ]sheet|lower|higher)\s+leverage\b"
    r"|\bleverage\s+ratios?\b",
    re.IGNORECASE,
)
# "Leverage" as a verb of using: in the passive, for a purpose or by someone ("to be leveraged
# for volume", "is leveraged by integrators"), or after a modal with its object ("a new contract
# that will leverage shared token accounts"); not borrowing ("may leverage up to 2x").
_LEVERAGE_AS_USE = re.compile(
    r"\b(?:be|been|being|is|are|was|were|gets?)\s+leveraged\s+(?:for|by|to|in|as)\b"
    r"|\b(?:will|would|can|could|might|should)\s+leverage\s+(?!up\b)[a-z]{3,}",
    re.IGNORECASE,
)
# The money at stake that exposure is a multiple of: "the Strategy's capital", "NAV".
_STAKE = (
    r"(?:the\s+)?(?:\w+'s\s+)?(?:strategy\s+|fund\s+|portfolio\s+)?"
    r"(?:capital|NAV|net\s+asset\s+value)\b"
)
_RISKY = re.compile(
    # "leverages", "leverage the features of ..." and "leveraging six years of experience"
    # as verbs mean "uses": no borrowing.
    r"\b(?:leverag(?:e|ed|ing)(?!\s+(?:the|its|our|their|a|an|this|these|existing|on-chain|"
    r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|several|many|years?)\b)|"
    r"margin\s+borrowing|borrowed\s+funds)\b"
    # Forward contracts: "a one-month EUR/USD forward is sold", "currency forwards" (not
    # "forward rates" or "forward returns", which are prices and measures).
    r"|\bforward\s+contracts?\b|\b(?:currency|fx|foreign[- ]exchange|[A-Z]{3}/[A-Z]{3}|"
    r"[\w-]+[- ]month)\s+forwards?\b(?!\s+(?:rates?|points?|prices?|returns?|curves?|"
    r"premiums?|looking|starting))"
    # Swaps that are contracts ("interest rate swaps"), not token swaps on an exchange.
    r"|\b(?:derivatives?|futures|(?:interest[- ]rate|total[- ]return|credit[- ]default|equity|"
    r"variance|volatility|(?:cross[- ])?currency|commodity|inflation)\s+swaps?|swaps?\s+"
    r"(?:contracts?|agreements?|counterpart(?:y|ies))|(?:call|put)\s+options?|options?\s+"
    r"(?:contracts?|positions?|strategies|writing|premiums?)|(?:buy|sell|write|writing|"
    r"selling|buying)\s+(?:\w+\s+)?options)\b"
    r"|\b(?:sold|sell|selling|sells)\s+short\b|\bshort\s+(?:selling|positions?|sales?)\b"
    # Holdings concentrated ("concentrated positions", "concentrated in a few names"), not
    # "concentrated liquidity" or payments concentrated in a season.
    r"|\bconcentrated\s+(?:portfolios?|positions?|holdings?|exposures?|bets?|baskets?)\b"
    r"|\bconcentrated\s+(?:in|on|into)\s+(?:a\s+(?:few|small|single|handful|limited)|one|two|"
    r"three|few|\d+)\b(?:\s+[\w-]+){0,2}"
    r"|\b(?:crypto-?currenc(?:y|ies)|crypto-?assets?|digital\s+assets?|tokens)\b"
    # "a target return of 8%", not "when the price target returns to 1 USD".
    r"|\btarget(?:ed)?\s+(?:annual\s+)?returns?\b(?!\s+to\b)(?:\s+of\s+[\d.%\s-]+)?"
    r"|\b(?:aims?|seeks?|intends?)\s+to\s+outperform\b"
    # Leverage as a multiple of the money at stake: "gross exposure may reach 3x strategy
    # capital", "notional of up to 3 times the Strategy's capital", "150% of NAV".
    rf"|\b(?:[2-9]|[1-9]\.\d+|1\d)\s*(?:x|times)\s+{_STAKE}"
    rf"|\b(?:10[1-9]|1[1-9]\d|[2-9]\d\d)\s*%\s+of\s+{_STAKE}",
    re.IGNORECASE,
)


_RISK_KINDS = (
    ("leverage", ("leverag", "margin", "borrow", "capital", "nav", "net asset value")),
    ("derivatives", ("derivative", "option", "future", "swap", "forward")),
    ("short selling", ("short", "sell")),
    ("concentration", ("concentrat",)),
    ("crypto-assets", ("crypto", "digital", "token")),
    ("return targets", ("target", "outperform")),
)
# Whom a product can be said to suit or serve.
_PERSONS = (r"(?:investors?|clients?|customers?|users?|holders?|traders?|participants|"
            r"savers|beginners|newcomers|individuals|people|retail|everyone|anyone|you)\b")
# A sentence that addresses investors or promises them something: where a disclosure is owed.
_INVESTOR_CLAIM = re.compile(
    r"\b(?:investors?|holders?|participants|users|buyers)\b[^.]{0,80}?\b(?:exposure|gain|"
    r"suitable|benefit|protect\w*|safe\w*|hedg\w*|diversif\w*|returns?|upside|access)\b"
    # Said of whom it suits, or of what it gives them: "suitable for retail investors",
    # "designed to provide investors with exposure" ("suitable for data collection" and
    # "designed to provide cryptoasset markets with benchmarks" promise no one anything).
    r"|\b(?:suitable|designed|intended)\s+for\s+(?:[\w-]+\s+){0,5}?" + _PERSONS
    + r"|\b(?:designed|intended)\s+to\s+(?:provide|give|offer)\s+(?:[\w-]+\s+){0,2}?(?:"
    + _PERSONS + r"|exposure|access|returns?|income|yield|protection)\b"
    # Offered to clients: "offered to professional clients through managed accounts".
    r"|\b(?:offered|marketed|sold|distributed|available)\s+to\s+(?:[\w-]+\s+){0,2}"
    r"(?:clients|investors|customers)\b",
    re.IGNORECASE,
)


# "Explicit `SP=` values override the default": one setting taking precedence over another
# (configuration), not a person overriding the method.
_SETTING_OVERRIDE = re.compile(
    r"\b(?:values?|settings?|parameters?|arguments?|options?|flags?|configurations?|"
    r"variables?)[`*_]*\s+(?:will\s+|can\s+|may\s+|always\s+)?overrides?\s*$"
    r"|^\s*overrides?\s+(?:the\s+|any\s+|its\s+)?defaults?\b",
    re.IGNORECASE,
)


# Judgement the method does without: "without the need for direct human judgment", "no
# discretion", "free of manual intervention".
_DISCLAIMED = re.compile(
    r"\b(?:without|no|not|never|free\s+(?:of|from)|eliminat\w*|remov\w*)\s+"
    r"(?:[\w-]+\s+){0,5}$",
    re.IGNORECASE,
)


def _setting_override(text: str, m: re.Match[str]) -> bool:
    return bool(
        _SETTING_OVERRIDE.search(text, max(0, m.start() - 40), m.end())
        or _SETTING_OVERRIDE.match(text[m.start() : m.end() + 20])
    )


def governance_missing(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report reliance on models, algorithms or judgement with no governance content."""
    if ctx.has_heading(_GOVERNANCE_HEADING) or ctx.search_body(_GOVERNANCE_TEXT):
        return
    for unit in ctx.rule_units:
        for m in _RELIANCE.finditer(unit.text):
            if _setting_override(unit.text, m):
                continue
            if _DISCLAIMED.search(unit.text, max(0, m.start() - 60), m.start()):
                continue  # "operates as an algorithm, without the need for direct human
                # judgment": the judgement is what the method does without
            rel = clause_start(unit.text, m.start(), max_words=8)
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title="No governance for a model or judgement the method relies on",
                description=f"'{m.group(0).strip()}' drives decisions, but the document says "
                "nothing about who approves, validates or overrides it, or how exceptions "
                "and changes are handled.",
                suggested_fix="Add a governance section: decision owner, approval of changes, "
                "model validation and review frequency, exception handling and record "
                "keeping.",
                category=Category.MISSING_GOVERNANCE,
                confidence=0.7,
                subject="governance",
            )


# A judgement about what the method contains, stated without who makes it.
_UNOWNED_DECISION = re.compile(
    r"\b(?:assets?|components?|constituents?|tokens?|securities|members?|parameters?|criteria|"
    r"weights?|changes?|additions?|deletions?|inclusions?|exclusions?|methodology|rules?|"
    r"underlyings?|markets?|exchanges?|venues?)\b[^.;,]{0,60}?\b(?:are|is|will\s+be|shall\s+be|"
    r"may\s+be|can\s+be|to\s+be|being|be)\s+(?:determined|decided|selected|chosen|approved|"
    r"agreed|considered|added|removed|deleted|replaced|changed|amended|modified|adjusted|"
    r"reviewed)\b(?!\s+(?:by|according\s+to|in\s+accordance|as\s+(?:follows|set\s+out|"
    r"described)|using|based\s+on|on\s+the\s+basis\s+of|such\s+that|so\s+that|from|via|"
    r"with\s+reference"
    # "the weights are determined proportionally": a rule of arithmetic, no one decides
    r"|proportionally|pro[- ]rata|equally|linearly|automatically|mechanically|"
    r"algorithmically))",
    re.IGNORECASE,
)
# A subject word that a modal makes a verb: "their addresses will change as new logic is
# added" says what happens to addresses, not that changes are added by someone.
_MODAL_BEFORE = re.compile(
    r"\b(?:will|would|may|might|can|could|shall|should|must|to|not|do|does|did)\s+$",
    re.IGNORECASE,
)
_MECHANICAL_CHANGE = re.compile(r"\b(?:changed|adjusted|modified)$", re.IGNORECASE)
_SELECTED = re.compile(r"\b(?:selected|chosen|considered|included|added|removed|deleted)$",
                       re.IGNORECASE)
_SCHEDULE = re.compile(
    r"\s+(?:(?:every|each)\s+(?:\d+\s+)?(?:second|minute|hour|day|block)s?\b|automatically"
    r"|hourly|daily)",
    re.IGNORECASE,
)
# Maths in the sentence: what "is determined" there is computed by the model it states.
_MATHS_NOTATION = re.compile("[\u2208\u2211]|[_^]\\{")
_DECIDER = re.compile(
    r"\b(?:committee|board|sponsor|administrator|methodologist|council|vote[sd]?|voting|"
    r"governance|owner|calculation\s+agent|index\s+provider|DAO|steward)\b",
    re.IGNORECASE,
)
# What a decider does: a sentence naming a committee (or vote, ...) with one of these gives
# it decisions to make; a passing mention ("in the role of a methodologist") does not.
_DECIDES = re.compile(
    r"\b(?:decid\w*|decisions?|determin\w*|approv\w*|select\w*|review\w*|oversee\w*|"
    r"oversight|responsib\w*|amend\w*|maintain\w*|discretion|propos\w*|appoint\w*|"
    r"chang\w*|modif\w*|add\w*|remov\w*|rebalanc\w*|administ\w*|manag\w*|resolv\w*)\b",
    re.IGNORECASE,
)
# A condition on a computed value: "If supplyDelta is positive", "when the ratio exceeds".
_COMPUTED_CONDITION = re.compile(
    r"\b(?:if|when|whenever)\s+[^,.;:]{0,40}?\b(?:(?:is|are|becomes?)\s+(?:positive|negative|"
    r"zero|non-?zero|greater|less|above|below|higher|lower)\b|exceeds?\b|falls?\s+below\b|"
    r"rises?\s+above\b)",
    re.IGNORECASE,
)
# The sentence names who holds the decision: "configurable by OCG", "set by the Risk
# Council" (a name or an initialism after the verb of control; "by market capitalisation" in
# lower case is a rule, not a decider).
_AGENT_NAMED = re.compile(
    r"\b(?:configurable|configured|set|controlled|managed|governed|owned|adjustable|"
    r"changeable|decided|chosen|approved|selected|appointed)\s+by\s+(?:the\s+)?"
    r"(?:[A-Z]{2,}s?\b|[A-Z][a-z]+\s+(?:[A-Z][a-z]+\s+)?(?:Council|Committee|Board|Team|"
    r"Multisig|Foundation|Labs|DAO)\b)"
)
# A collective with no accountable body deciding: "the community will agree on the addresses".
_COLLECTIVE_DECISION = re.compile(
    r"\b(?:the\s+)?(?:community|team|working\s+group|stakeholders|participants)\s+(?:will|shall|"
    r"may|can|would|must)\s+(?:agree|decide|determine|select|choose|approve)\b",
    re.IGNORECASE,
)
# The methodology itself may change.
_CHANGEABLE = re.compile(
    r"\b(?:may|can|could|will|reserves?\s+the\s+right\s+to)\s+(?:be\s+)?(?:change[ds]?|amend(?:ed)?|"
    r"modif(?:y|ied)|update[sd]?|revis(?:e|ed)|add(?:ed)?)\b[^.]{0,60}?\b(?:methodology|"
    r"rules?|criteria|parameters|categories)\b"
    r"|\b(?:methodology|rules?|criteria|parameters|categories)\b[^.]{0,40}?\b(?:may|can|could|"
    r"will)\s+be\s+(?:changed|amended|modified|updated|revised|added)\b"
    # Someone may set the method's parameters as they see fit: "the portfolio manager may
    # adjust any parameter", "may change the threshold, risk budget and stop distance".
    r"|\b(?:may|can|could)\s+(?:change|adjust|alter|modify|update|amend|revise)\s+(?:the|any|"
    r"its|all|these)\s+(?:[\w-]+\s+){0,2}?(?:parameters?|thresholds?|settings?)\b",
    re.IGNORECASE,
)
_CHANGE_PROCESS = re.compile(
    r"\b(?:notice|announc\w+|consult\w*|vote[sd]?|voting|approv\w+|committee|publish\w*|"
    r"proposal|governance)\b",
    re.IGNORECASE,
)
_CHANGE_HEADING = re.compile(
    r"chang|amend|governance|committee|methodology\s+review|oversight", re.IGNORECASE
)


# A lead-in whose list items say when a rule applies: "Divisors are adjusted to maintain
# index continuity when:", "The index is recalculated if:".
_CONDITION_LEAD = re.compile(
    r"\b(?:when|whenever|if|in\s+case|upon|in\s+the\s+event)\s*:\s*$", re.IGNORECASE
)


# A contract's event or a log line, documented by when it fires.
_EVENT_WHEN = re.compile(
    r"\b(?:emitted|logged|fired|raised|triggered)\s+(?:when|whenever|if|once|after|each\s+time)\b",
    re.IGNORECASE,
)


def decision_owner_missing(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report judgements about the index's contents that name nobody to make them.

    One finding per document (each such sentence is a place), when no sentence of the
    document gives a decision-maker (a committee, sponsor, administrator, vote or
    governance) decisions to make, and it has no governance section. A collective named as
    the decider ("the community will agree on ...") is no one in particular.
    """
    if ctx.has_heading(_GOVERNANCE_HEADING) or any(
        _DECIDER.search(u.text) and _DECIDES.search(_DECIDER.sub(" ", u.text))
        for u in ctx.body_units
    ):
        return
    conditions = False  # the items under a lead-in that lists when something happens
    for unit in ctx.rule_units:
        if unit.kind != "item":
            conditions = _CONDITION_LEAD.search(unit.text) is not None
        elif conditions:
            continue  # "Divisors are adjusted when:" then "- Constituents are added or
            # removed": the event that triggers the rule, not a decision to make
        m = next(
            (d for d in _UNOWNED_DECISION.finditer(unit.text)
             if not _MODAL_BEFORE.search(unit.text, 0, d.start())),
            None,
        ) or _COLLECTIVE_DECISION.search(unit.text)
        if m is None or _MATHS_NOTATION.search(unit.text):
            continue  # "p ∈ R^{n}, the token prices to be determined": solved for, not chosen
        if _MECHANICAL_CHANGE.search(m.group(0)) and _SCHEDULE.match(unit.text, m.end()):
            continue  # "these weights are changed every minute such that ...": the method
            # runs a schedule; a review or a selection on a schedule is still a decision
        if _EVENT_WHEN.search(unit.text, 0, m.start()):
            continue  # "`ModifyParameters` - emitted when a parameter is modified": what a
            # contract's event reports, not a decision the document leaves to nobody
        if _COMPUTED_CONDITION.search(unit.text, 0, m.start()):
            continue  # "If supplyDelta is positive, new tokens are added to existing
            # holders": arithmetic on a computed value, no one chooses
        if _AGENT_NAMED.search(unit.text):
            continue  # "All core parameters are configurable by OCG and can be adjusted as
            # needed": the sentence names who adjusts them
        if _SELECTED.search(m.group(0)) and has_quantity(unit.text[: m.end()]):
            continue  # "Only pairs with a percentage change between -10% and 50% are
            # considered": the numbers select; an approval or a review still needs someone
        yield CheckHit(
            start=unit.start,
            end=unit.end,
            title="Decisions with no one named to make them",
            description="The document says these choices are made, but not by whom: no "
            "committee, administrator, sponsor or vote is named, so nobody is accountable "
            "and the outcome cannot be audited.",
            suggested_fix="Name the decision-maker for each such choice, the criteria they "
            "apply, and how decisions are recorded and published.",
            category=Category.MISSING_GOVERNANCE,
            confidence=0.6,
            subject="decision owner",
        )


def _change_process_given(ctx: CheckContext) -> bool:
    """Return True if a governance or change part says how changes are made.

    How: notice, approval, a committee, a vote. A governance part that only says "The index
    manager may amend this methodology at any time" gives no process.
    """
    for sec in ctx.sections:
        if sec is ctx.title_section or not _CHANGE_HEADING.search(sec.heading):
            continue
        body_start = ctx.markdown.find("\n", sec.start, sec.end)
        if body_start >= 0 and _CHANGE_PROCESS.search(ctx.markdown, body_start, sec.end):
            return True
    return False


def methodology_changes_ungoverned(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report a methodology that may change with no change process (once per document)."""
    if _change_process_given(ctx):
        return
    for unit in ctx.rule_units:
        m = _CHANGEABLE.search(unit.text)
        if m is None or _CHANGE_PROCESS.search(unit.text):
            continue
        if re.search(r"\b(?:not|never|no)\b", m.group(0), re.IGNORECASE):
            continue  # "will not change": the opposite
        yield CheckHit(
            start=unit.start,
            end=unit.end,
            title="The methodology can change without a defined process",
            description="The document allows the rules to change but says nothing about who "
            "approves a change, how users are notified, with how much notice, or how "
            "often the methodology is reviewed.",
            suggested_fix="Add a change procedure: who proposes and approves changes, the "
            "notice period and channel, and the review cadence.",
            category=Category.MISSING_GOVERNANCE,
            confidence=0.6,
            subject="methodology changes",
        )


# A change to a setting: "increase the futures market `MaxMarketValueUSD` to sUSD 15 million",
# "lower the fee rounds to 3 from 10".
_PARAMETER_CHANGE = re.compile(
    r"\b(?:increas|decreas|lower|rais|reduc|chang|updat|adjust)\w*\s+(?:the\s+)?"
    r"(?:[\w`./-]+\s+){0,6}?(?:to|from)\s+(?:[A-Za-z$]+\s?)?\d",
    re.IGNORECASE,
)


# The improvement-proposal form (EIP and its kin): a motivation, and a specification or an
# abstract of the change.
_MOTIVATION_HEADING = re.compile(r"^\W*(?:motivation|rationale)\b", re.IGNORECASE)
_PROPOSAL_HEADING = re.compile(r"^\W*(?:(?:simple\s+)?summary|abstract|specification|"
                               r"technical\s+specification)\b", re.IGNORECASE)


def _is_proposal(ctx: CheckContext) -> bool:
    """Return True for a document in the form of an improvement proposal."""
    return ctx.has_heading(_MOTIVATION_HEADING) and ctx.has_heading(_PROPOSAL_HEADING)


def risk_disclosure_missing(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report, once per document, risk-bearing features with no risk section or disclosure.

    The places are where a disclosure is owed: sentences that address investors or make a
    claim to them ("suitable for", "gain exposure", "protects"), then the first mention of
    each kind of risk-bearing feature (leverage, derivatives, short selling, concentration,
    crypto-assets, return targets); and a generic disclaimer, when that is all the document
    says and the features amplify losses.
    """
    if _disclosing_part(ctx) or ctx.search_body(_RISK_TEXT) or _risks_discussed(ctx):
        return
    features: dict[str, tuple[int, int]] = {}
    claims: list[tuple[int, int]] = []
    for unit in ctx.rule_units:
        urls = [u.span() for u in _URL_IN_TEXT.finditer(unit.text)]
        for m in _RISKY.finditer(unit.text):
            if any(a <= m.start() < b for a, b in urls):
                continue  # ".../iip-13-flexible-leverage": an address, not a feature
            if _NEGATED.search(unit.text[max(0, m.start() - 40) : m.start()]):
                continue  # "no short selling", "does not use leverage"
            if _LEVERAGE_AS_USE.search(unit.text[max(0, m.start() - 12) : m.end() + 12]):
                continue  # "new DEXs need a fair chance to be leveraged for volume": used
            if _LEVERAGE_METRIC.search(unit.text, max(0, m.start() - 14), m.end() + 8):
                continue  # "low financial leverage", "debt-to-equity (leverage ratio)": a
                # measure of the companies screened, not leverage the method takes on
            if _EXCLUDED.search(unit.text[max(0, m.start() - 150) : m.start()]):
                continue  # "exclusions apply to ... funds, derivatives": not held
            kind = _risk_kind(m.group(0))
            if kind not in features:
                rel = clause_start(unit.text, m.start(), max_words=8)
                features[kind] = (unit.start + rel, unit.start + m.end())
        if (unit.kind != "row" and _INVESTOR_CLAIM.search(unit.text)
                and not re.search(r"\brisks?\b", unit.text, re.IGNORECASE)):
            claims.append((unit.start, unit.end))
    if "crypto-assets" not in features and trades_around_the_clock(ctx):
        # "BTC", "ETH", "on-chain", "crypto product": a document about crypto-assets that
        # never uses the words the pattern above knows.
        first = next((u for u in ctx.rule_units if ALWAYS_OPEN.search(u.text)), None)
        if first is not None:
            features["crypto-assets"] = (first.start, first.end)
    if not features:
        return
    disclaimer = ctx.search_body(_GENERIC_DISCLAIMER)
    if disclaimer is not None and not _AMPLIFYING & set(features):
        return  # ordinary holdings, and a disclaimer that returns are not promised
    if set(features) == {"crypto-assets"} and not claims:
        return  # tokens mentioned in an engineering or governance text promise no one anything
    if not claims and (_is_proposal(ctx) or ctx.search_body(_PARAMETER_CHANGE)):
        # A proposal for a product, or to change its settings, that promises investors
        # nothing: the product's own papers are where its risks are disclosed.
        return
    named = ", ".join(features)
    places = [*claims, *features.values()]
    if disclaimer is not None:  # "Past performance is not a guide ...": all that is said
        around = [(u.start, u.end) for u in ctx.units if u.start <= disclaimer.start() < u.end]
        places.insert(0, around[0] if around else disclaimer.span())
    for start, end in places:
        yield CheckHit(
            start=start,
            end=end,
            title=f"No risk disclosure ({named})",
            description=f"The method involves {named}, which expose investors to loss "
            "(amplified losses, concentration, counterparty, liquidity or volatility risk), "
            "but the document has no risk disclosure.",
            suggested_fix="Add a risk disclosure section covering each feature: what can go "
            "wrong, the limits that apply, and the potential for loss.",
            category=Category.COMPLIANCE_GAP,
            confidence=0.75,
            subject="risk disclosure",
        )


def _risk_kind(phrase: str) -> str:
    lowered = phrase.lower()
    for kind, words in _RISK_KINDS:
        if any(w in lowered for w in words):
            return kind
    return "risk-bearing features"


# A performance statistic: what marketing rules require to be labelled actual or simulated.
_PERFORMANCE = re.compile(
    r"\breturns?\s+since\s+inception\b|\bsince[- ]inception\s+returns?\b"
    r"|\bannuali[sz]ed\s+(?:total\s+)?(?:returns?|volatility|performance)\b"
    r"|\b(?:cumulative|average\s+annual|compound\s+annual)\s+(?:total\s+)?returns?\b|\bCAGR\b"
    r"|\b(?:sharpe|sortino|calmar|information)\s+ratios?\b"
    r"|\bmax(?:imum)?\.?\s+drawdowns?\b",
    re.IGNORECASE,
)
# Words that say what the figures are, or that they are no promise.
_PERFORMANCE_LABEL = re.compile(
    r"\b(?:hypothetical|simulated|simulation|back-?test(?:s|ed|ing)?|pro[- ]forma|"
    r"past\s+performance|historical\s+performance|(?:is|are)\s+not\s+(?:a\s+)?(?:guarantee|"
    r"indicative|an?\s+indication|a\s+reliable\s+indicator)|no\s+guarantee)\b",
    re.IGNORECASE,
)


# The figure itself: "Return Since Inception (%): 632.2", "a Sharpe ratio of 1.4", "was 12%".
_STATED_FIGURE = re.compile(
    r"\s*(?:\([^()]{1,12}\)\s*)?(?:[:=]|\bof\b|\b(?:is|was|were|has\s+been|stood\s+at|"
    r"reached)\b)\s*(?:approximately\s+|about\s+|around\s+)?[-+\u2212]?[$\u20ac\u00a3]?\d",
    re.IGNORECASE,
)
# A rule about the statistic, not a result: "a target annualised volatility of 10%".
_RULE_BEFORE = re.compile(
    r"\b(?:target(?:ed|s)?|cap(?:ped)?|limit|threshold|maximum|minimum|below|above|exceeds?|"
    r"when|if|unless)\b[^.]*$",
    re.IGNORECASE,
)


def performance_unlabelled(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report performance figures never labelled actual, simulated or back-tested (once).

    Marketing rules (SEC Rule 206(4)-1, ESMA's guidelines on marketing communications)
    require performance to say whether it is actual or hypothetical, over which period, and
    that past performance does not predict future returns. A document that states such
    figures and says none of this gets one finding; every figure is a place.
    """
    if ctx.search_body(_PERFORMANCE_LABEL) or any(
        _PERFORMANCE_LABEL.search(sec.heading) for sec in ctx.sections
    ):
        return
    for unit in ctx.body_units:
        if not any(_STATED_FIGURE.match(unit.text, m.end())
                   and not _RULE_BEFORE.search(unit.text[max(0, m.start() - 30) : m.start()])
                   for m in _PERFORMANCE.finditer(unit.text)):
            continue
        yield CheckHit(
            start=unit.start,
            end=unit.end,
            title="Performance figures not labelled actual or simulated",
            description="The document states performance figures without saying whether "
            "they are actual or simulated (back-tested), over which period, or that past "
            "performance is no guide to future returns.",
            suggested_fix="Label each figure actual or hypothetical, give its period and "
            "calculation basis (fees, data source), and add a past-performance statement.",
            category=Category.COMPLIANCE_GAP,
            confidence=0.7,
            subject="performance figures",
        )


# A claim that the method bears no risk, that its returns are assured, or that it has always
# done well: "carries no directional risk", "guarantees a positive return", "has delivered
# positive returns in every crisis", "never had a losing year".
_UNBALANCED_CLAIM = re.compile(
    r"\b(?:carr(?:y|ies)|bears?|has|have|involves?|entails?|poses?|with|there\s+is)\s+"
    r"(?:no|zero)\s+(?:[a-z-]+\s+){0,2}?(?:risks?|losses|downside)\b"
    r"|\b(?:without\s+(?:any\s+)?risk|cannot\s+lose|can(?:no|')t\s+lose\s+money)\b"
    r"|\b(?:guarantee[sd]?|assures?|ensures?)\s+(?:(?:an?|the|its|positive|stable|steady|"
    r"consistent|attractive|high|minimum)\s+){0,3}(?:returns?|profits?|gains?|income|yields?|"
    r"performance|outperformance)\b"
    # ("almost always outperform the weaker markets": how markets tend to behave)
    r"|(?<!almost\s)(?<!nearly\s)\b(?:always|consistently)\s+(?:outperform\w*|profit\w*|"
    r"(?:delivered|generated|produced|made)\s+(?:positive\s+)?(?:returns?|profits?|gains?))"
    r"|\b(?:delivered|generated|produced|achieved|made|posted)\s+(?:(?:positive|strong|"
    r"double-digit)\s+)?(?:returns?|profits?|gains?)\s+(?:in|during|through|across)\s+"
    r"(?:every|each|all)\b"
    r"|\bnever\s+(?:had\s+a\s+)?(?:losing|negative)\s+(?:year|quarter|month|period)\b",
    re.IGNORECASE,
)
# Wording that negates or qualifies the claim: "does not guarantee", "no guarantee that".
_CLAIM_NEGATED = re.compile(
    r"\b(?:not|no|never|cannot|can't|nor|neither|without)\s+(?:\w+\s+){0,2}$", re.IGNORECASE
)
# A claim reported as a question or a risk: "assuming there is no risk", "if the pool has no
# losses".
_CLAIM_SUPPOSED = re.compile(
    r"\b(?:if|assum\w+|suppos\w+|unless|whether|when|would|could)\b[^.;]*$", re.IGNORECASE
)


def unbalanced_claims(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report claims of no risk, assured returns or unfailing performance (once per document).

    Communications about an investment product must be fair and balanced: no promise of
    results, no statement that a risk does not exist (FINRA Rule 2210(d)(1)(B), SEC Rule
    206(4)-1(a)). A claim negated ("does not guarantee a return") or supposed ("if the pool
    has no losses") is not one.
    """
    for unit in ctx.rule_units:
        for m in _UNBALANCED_CLAIM.finditer(unit.text):
            before = unit.text[clause_start(unit.text, m.start(), max_words=12) : m.start()]
            if _CLAIM_NEGATED.search(before) or _CLAIM_SUPPOSED.search(before):
                continue
            yield CheckHit(
                start=unit.start,
                end=unit.end,
                title="Claim of no risk or assured performance",
                description=f"'{m.group(0).strip()}' tells the reader the method cannot lose "
                "or always does well; a claim like this must be removed, or qualified and "
                "supported (period, basis, the risks that remain).",
                suggested_fix="Remove the claim or restate it as a fact with its period and "
                "basis, and disclose the risks that remain (market, liquidity, counterparty, "
                "model, leverage).",
                category=Category.COMPLIANCE_GAP,
                confidence=0.7,
                subject="unbalanced claims",
            )
            break
