"""The finding pipeline every reviewer shares: ground, locate, de-duplicate, score.

1. **Ground** each raw finding's quote in the Markdown (:mod:`docsense.review.grounding`); a
   finding whose quote cannot be found is dropped and counted (``dropped_ungrounded``). A
   finding with an empty quote reports something absent and has no location.
2. **Locate**: the span found, its innermost section, the heading path down to it and the
   page (from the converter's anchors) make the :class:`~docsense.domain.findings.
   FindingLocation`. Nothing the reviewer says about location is used.
3. **De-duplicate**: two findings of the same category (or the same policy) whose spans
   overlap by at least half of the shorter one, or two absent findings of the same policy,
   are one finding; the more severe (then more confident, then longer) one is kept.
4. **Score** (documented in :func:`score_review`) and give each policy a status: *violated*
   if it has a finding more severe than ``info``, *satisfied* if a reviewer assessed it and
   found nothing, *not assessed* otherwise.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence

import attrs

from docsense.domain.findings import Category, Finding, FindingLocation, Severity
from docsense.domain.ir import Section, SourceAnchor
from docsense.domain.policies import Policy, RequirementLevel
from docsense.domain.review import PolicyStatus
from docsense.ports import RawFinding
from docsense.review.grounding import ground_quote

__all__ = [
    "LEVEL_WEIGHTS",
    "SEVERITY_IMPACT",
    "GroundingStats",
    "deduplicate",
    "ground_findings",
    "policy_statuses",
    "score_review",
]

#: How much a policy counts in the score, by requirement level.
LEVEL_WEIGHTS: Mapping[RequirementLevel, float] = {
    RequirementLevel.MUST: 3.0,
    RequirementLevel.SHOULD: 2.0,
    RequirementLevel.MAY: 1.0,
}
#: How much one fully confident finding of each severity takes off its policy's score.
SEVERITY_IMPACT: Mapping[Severity, float] = {
    Severity.CRITICAL: 0.6,
    Severity.HIGH: 0.45,
    Severity.MEDIUM: 0.3,
    Severity.LOW: 0.15,
    Severity.INFO: 0.0,
}
_DEFAULT_LLM_CONFIDENCE = 0.6


@attrs.frozen
class GroundingStats:
    """Counts from grounding: kept, dropped for an ungroundable quote, dropped as unknown."""

    grounded: int = 0
    dropped_ungrounded: int = 0
    dropped_unknown_policy: int = 0


def ground_findings(
    markdown: str,
    raw: Iterable[RawFinding],
    policies: Mapping[str, Policy],
    *,
    source: str,
    sections: Sequence[Section] = (),
    anchors: Sequence[SourceAnchor] = (),
) -> tuple[list[Finding], GroundingStats]:
    """Turn raw findings into grounded :class:`Finding`s; drop and count the rest."""
    out: list[Finding] = []
    dropped = unknown = 0
    ids: set[str] = set()
    for item in raw:
        policy = policies.get(item.policy_id)
        if policy is None:
            unknown += 1
            continue
        location: FindingLocation | None = None
        quote = ""
        if item.quote.strip():
            found = ground_quote(markdown, item.quote, hint=item.hint)
            if found is None:
                dropped += 1
                continue
            quote = found.text
            location = _locate(found.start, found.end, sections, anchors)
        origin = item.source or source  # a combined reviewer keeps each member's source
        finding_id = _finding_id(origin, item, location, ids)
        ids.add(finding_id)
        out.append(
            Finding(
                id=finding_id,
                policy_id=policy.id,
                category=_category(item.category, policy),
                severity=_severity(item.severity, policy),
                title=item.title.strip() or policy.title,
                description=item.description,
                quote=quote,
                location=location,
                suggested_fix=item.suggested_fix,
                replacement=item.replacement if quote and item.replacement else None,
                confidence=_confidence(item.confidence, origin),
                source=origin,
            )
        )
    return out, GroundingStats(len(out), dropped, unknown)


def _category(value: str | None, policy: Policy) -> Category:
    try:
        return Category((value or "").strip().lower()) if value else policy.category
    except ValueError:
        return policy.category


def _severity(value: str | None, policy: Policy) -> Severity:
    try:
        return Severity((value or "").strip().lower()) if value else policy.severity
    except ValueError:
        return policy.severity


def _confidence(value: float | None, source: str) -> float:
    if value is None or not math.isfinite(value):
        return 1.0 if source == "rules" else _DEFAULT_LLM_CONFIDENCE
    return min(1.0, max(0.0, float(value)))


def _finding_id(
    source: str, item: RawFinding, location: FindingLocation | None, taken: set[str]
) -> str:
    where = f"{location.start}-{location.end}" if location else "absent"
    digest = hashlib.sha256(f"{source}|{item.policy_id}|{where}|{item.title}".encode()).hexdigest()
    base = f"{item.policy_id}-{digest[:10]}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _locate(
    start: int, end: int, sections: Sequence[Section], anchors: Sequence[SourceAnchor]
) -> FindingLocation:
    containing = [s for s in sections if s.start <= start < s.end]
    containing.sort(key=lambda s: (s.level, s.start))
    innermost = containing[-1] if containing else None
    page = None
    for anchor in anchors:
        if anchor.start > start:
            break
        page = anchor.page if anchor.page is not None else page
    return FindingLocation(
        start=start,
        end=end,
        section_id=innermost.id if innermost else None,
        path=tuple(s.heading for s in containing),
        page=page,
    )


def _rank(f: Finding) -> tuple[int, float, int]:
    span = (f.location.end - f.location.start) if f.location else 0
    return (f.severity.rank, f.confidence, span)


def _duplicates(a: Finding, b: Finding) -> bool:
    if a.category != b.category and a.policy_id != b.policy_id:
        return False
    if a.location is None or b.location is None:
        return a.location is None and b.location is None and a.policy_id == b.policy_id
    overlap = min(a.location.end, b.location.end) - max(a.location.start, b.location.start)
    shorter = min(a.location.end - a.location.start, b.location.end - b.location.start)
    return overlap > 0 and overlap * 2 >= shorter


def deduplicate(findings: Iterable[Finding]) -> tuple[list[Finding], int]:
    """Merge overlapping findings about the same thing; return the kept ones and the count.

    Order is by position in the document (absent findings last), then policy id.
    """
    kept: list[Finding] = []
    merged = 0
    for f in sorted(findings, key=_rank, reverse=True):
        if any(_duplicates(f, k) for k in kept):
            merged += 1
            continue
        kept.append(f)
    kept.sort(key=lambda f: (f.location is None, f.location.start if f.location else 0,
                             f.policy_id, f.id))
    return kept, merged


def policy_statuses(
    policies: Iterable[Policy], findings: Iterable[Finding], assessed: Iterable[str]
) -> dict[str, PolicyStatus]:
    """Return each policy's status: violated, satisfied (assessed, clean) or not assessed."""
    violated = {f.policy_id for f in findings if f.severity > Severity.INFO}
    seen = set(assessed)
    out: dict[str, PolicyStatus] = {}
    for p in policies:
        if p.id in violated:
            out[p.id] = PolicyStatus.VIOLATED
        elif p.id in seen:
            out[p.id] = PolicyStatus.SATISFIED
        else:
            out[p.id] = PolicyStatus.NOT_ASSESSED
    return out


def score_review(
    policies: Iterable[Policy],
    findings: Iterable[Finding],
    statuses: Mapping[str, PolicyStatus],
) -> float:
    """Return the review score in [0, 1]: the weighted mean of assessed policies' scores.

    A policy's score starts at 1 and each of its findings multiplies it by
    ``1 - SEVERITY_IMPACT[severity] * confidence`` (so one confident critical finding leaves
    0.4, two leave 0.16). Policies weigh ``LEVEL_WEIGHTS`` (MUST 3, SHOULD 2, MAY 1); policies
    not assessed do not count. With nothing assessed the score is 1.0 (nothing was found
    wrong), and the per-policy statuses say that nothing was assessed.

    >>> score_review([], [], {})
    1.0
    """
    by_policy: dict[str, list[Finding]] = {}
    for f in findings:
        by_policy.setdefault(f.policy_id, []).append(f)
    total = weight_sum = 0.0
    for p in policies:
        if statuses.get(p.id, PolicyStatus.NOT_ASSESSED) is PolicyStatus.NOT_ASSESSED:
            continue
        value = 1.0
        for f in by_policy.get(p.id, []):
            value *= 1.0 - SEVERITY_IMPACT[f.severity] * f.confidence
        weight = LEVEL_WEIGHTS[p.level]
        total += weight * value
        weight_sum += weight
    if weight_sum == 0:
        return 1.0
    return round(min(1.0, max(0.0, total / weight_sum)), 6)
