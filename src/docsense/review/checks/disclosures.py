"""Governance and risk disclosure: what a method that takes decisions or risks must also say.

- ``governance_missing``: the method relies on models, algorithms, consultation or discretion,
  and the document has no governance content (no section or sentence about approval,
  oversight, a committee, validation, exceptions or change control). One finding per
  reliance, quoting it.
- ``risk_disclosure_missing``: the method uses leverage, derivatives, short selling,
  concentrated positions, crypto-assets or return targets, and the document has no risk
  section or disclosure. One finding per risk-bearing feature, quoting it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit, clause_start

__all__ = ["governance_missing", "risk_disclosure_missing"]

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

_RISK_HEADING = re.compile(r"\brisks?\b|disclos|warning|limitations", re.IGNORECASE)
_RISK_TEXT = re.compile(
    r"\b(?:risks?\s+(?:disclosure|factors?|of\s+loss)|may\s+lose|loss\s+of\s+(?:capital|"
    r"principal)|no\s+guarantee|not\s+guaranteed|past\s+performance)\b",
    re.IGNORECASE,
)
_RISKY = re.compile(
    r"\b(?:leverage[ds]?|leveraging|margin\s+borrowing|borrowed\s+funds)\b"
    r"|\b(?:derivatives?|options|futures|swaps|call\s+options?|put\s+options?)\b"
    r"|\b(?:sold|sell|selling|sells)\s+short\b|\bshort\s+(?:selling|positions?|sales?)\b"
    r"|\bconcentrated\b(?:\s+[\w-]+){0,3}"
    r"|\b(?:crypto-?currenc(?:y|ies)|crypto-?assets?|digital\s+assets?|tokens)\b"
    r"|\btarget(?:ed)?\s+(?:annual\s+)?returns?\b(?:\s+of\s+[\d.%\s-]+)?"
    r"|\b(?:aims?|seeks?|intends?)\s+to\s+outperform\b",
    re.IGNORECASE,
)


def governance_missing(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report reliance on models, algorithms or judgement with no governance content."""
    if ctx.has_heading(_GOVERNANCE_HEADING) or _GOVERNANCE_TEXT.search(ctx.body_text()):
        return
    for unit in ctx.rule_units:
        for m in _RELIANCE.finditer(unit.text):
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
            )


def risk_disclosure_missing(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report risk-bearing features with no risk section or disclosure."""
    if ctx.has_heading(_RISK_HEADING) or _RISK_TEXT.search(ctx.body_text()):
        return
    for unit in ctx.rule_units:
        for m in list(_RISKY.finditer(unit.text))[:1]:
            rel = clause_start(unit.text, m.start(), max_words=8)
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title="Risk not disclosed",
                description=f"'{m.group(0).strip()}' exposes investors to risk (loss "
                "amplification, concentration, counterparty or volatility) that the document "
                "never discloses.",
                suggested_fix="Add a risk disclosure section covering this feature: what can "
                "go wrong, limits that apply, and the potential for loss.",
                category=Category.COMPLIANCE_GAP,
                confidence=0.75,
            )
