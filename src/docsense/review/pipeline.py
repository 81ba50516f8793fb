"""The finding pipeline every reviewer shares: ground, locate, group, de-duplicate, score.

1. **Ground** each raw finding's quote in the Markdown (:mod:`docsense.review.grounding`); a
   finding whose quote cannot be found is dropped and counted (``dropped_ungrounded``). A
   finding with an empty quote reports something absent and has no location.
2. **Locate**: the span found, its innermost section, the heading path down to it and the
   page (from the converter's anchors) make the :class:`~docsense.domain.findings.
   FindingLocation`. Nothing the reviewer says about location is used.
3. **Group** (:func:`group_findings`): the findings of one policy, one check (``"llm"`` for
   every LLM finding) and one subject (see :func:`~docsense.domain.findings.
   normalise_subject`; the title when the reviewer names no subject) become ONE finding that
   carries all their places, in document order. Its severity is the most severe of its hits
   and its confidence the highest. Absent findings group the same way and have no places.
4. **De-duplicate** places: overlapping places inside one group collapse into one. Rules
   groups are taken most severe first; a place that overlaps a place of an already kept
   group of the same policy or category by at least half of the shorter span, and is not
   more than three times shorter or longer than it, is dropped from the later group (a
   group left with no place goes): a sentence quoted by a document-level finding is context
   for a phrase in it, not the same place. An LLM finding whose quote overlaps a place of a
   kept group that way *joins* that group, its new spans becoming places, rather than
   standing as a second finding. Absent findings of one policy are one finding.
5. **Order**: most severe first, then most confident, then by first position; absent
   findings after located ones of the same severity (:func:`~docsense.domain.findings.
   ordering_key`).
6. **Score** (documented in :func:`score_review`) and give each policy a status: *violated*
   if it has a finding more severe than ``info``, *satisfied* if a reviewer assessed it and
   found nothing, *not assessed* otherwise. Both count findings (groups), not places, and
   only those at or above the review's confidence threshold (the engine filters them). A
   review that assessed no policy has no score (None), never a clean one.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence

import attrs

from docsense.domain.findings import (
    Category,
    Finding,
    FindingLocation,
    Occurrence,
    Severity,
    normalise_subject,
)
from docsense.domain.ir import Section, SourceAnchor
from docsense.domain.policies import Policy, RequirementLevel
from docsense.domain.review import PolicyStatus
from docsense.ports import RawFinding
from docsense.review.grounding import ground_quote

__all__ = [
    "LEVEL_WEIGHTS",
    "SEVERITY_IMPACT",
    "GroundingStats",
    "ground_findings",
    "group_findings",
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
    """Turn raw findings into grounded one-place :class:`Finding`s; drop and count the rest.

    Each keeps the raw finding's ``check`` and its ``subject`` (the title when it names none);
    :func:`group_findings` then makes groups of them.
    """
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
                check=item.check,
                subject=(item.subject or "").strip() or item.title.strip() or policy.title,
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
    return _unused(f"{item.policy_id}-{digest[:10]}", taken)


def _unused(base: str, taken: set[str]) -> str:
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


def _origin(f: Finding) -> str:
    return f.check or ("rules" if f.source == "rules" else "llm")


#: How much longer one span may be than another for the two to be one place.
_SAME_SPOT_RATIO = 3
_GroupKey = tuple[str, str, str, bool]  # policy, check (or rules / llm), subject, absent


def _key(f: Finding) -> _GroupKey:
    return (f.policy_id, _origin(f), normalise_subject(f.subject or f.title), f.is_absent)


def _overlap(a: FindingLocation, b: FindingLocation) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def _same_spot(a: FindingLocation, b: FindingLocation) -> bool:
    # Two places are one when they overlap by at least half of the shorter span, and neither
    # is much longer than the other: a whole sentence quoted by a document-level finding
    # ("no rule for market disruption") is context for a phrase inside it, not the same spot.
    shorter = min(a.end - a.start, b.end - b.start)
    longer = max(a.end - a.start, b.end - b.start)
    overlap = _overlap(a, b)
    return overlap > 0 and overlap * 2 >= shorter and longer <= _SAME_SPOT_RATIO * max(shorter, 1)


@attrs.define
class _Group:
    """A finding under construction: its hits, best-ranked first, and the places gathered."""

    lead: Finding
    places: list[Occurrence]
    severity: Severity
    confidence: float
    members: list[Finding] = attrs.field(factory=list)

    @classmethod
    def of(cls, f: Finding) -> _Group:
        return cls(f, list(f.occurrences), f.severity, f.confidence, [f])

    @property
    def is_llm(self) -> bool:
        return self.lead.source != "rules"

    def related(self, other: _Group) -> bool:
        lead, theirs = self.lead, other.lead
        return lead.policy_id == theirs.policy_id or lead.category == theirs.category

    def absorb(self, f: Finding | _Group) -> int:
        """Add ``f``'s places that are new spans; return how many collapsed into existing ones."""
        places = f.places if isinstance(f, _Group) else f.occurrences
        if isinstance(f, Finding):
            self.members.append(f)
        collapsed = 0
        for place in places:
            if any(_overlap(place.location, mine.location) > 0 for mine in self.places):
                collapsed += 1
            else:
                self.places.append(place)
        if f.severity > self.severity:
            self.severity = f.severity
        self.confidence = max(self.confidence, f.confidence)
        return collapsed

    def finding(self, finding_id: str) -> Finding:
        places = tuple(sorted(self.places, key=lambda o: (o.location.start, o.location.end)))
        first = places[0] if places else None
        # The wording (title, description, advice) is that of the hit at the first place, so
        # it describes the quote shown; a joined LLM finding never lends its wording.
        lead = next((m for m in self.members if first in m.occurrences), self.lead)
        return attrs.evolve(
            lead,
            id=finding_id,
            severity=self.severity,
            confidence=self.confidence,
            quote=first.quote if first else "",
            location=first.location if first else None,
            replacement=first.replacement if first else None,
            occurrences=places,
        )


def _group_id(key: _GroupKey, taken: set[str]) -> str:
    # What the finding is about, never where: the id survives edits elsewhere in the text.
    policy_id, origin, subject, absent = key
    digest = hashlib.sha256(f"{policy_id}|{origin}|{subject}|{absent}".encode()).hexdigest()
    return _unused(f"{policy_id}-{digest[:10]}", taken)


def group_findings(findings: Iterable[Finding]) -> tuple[list[Finding], int]:
    """Group findings by (policy, check, subject), de-duplicate places, and order them.

    Returns the findings (one per group, most severe first, see the module docstring) and
    how many places or absent findings were merged into others as duplicates.
    """
    merged = 0
    groups: dict[_GroupKey, _Group] = {}
    for f in sorted(findings, key=_rank, reverse=True):
        key = _key(f)
        if key in groups:
            merged += groups[key].absorb(f)
        else:
            groups[key] = _Group.of(f)
    # Rules groups first (an LLM finding joins them, never the other way round), then by rank.
    ranked = sorted(
        groups.items(),
        key=lambda kv: (kv[1].is_llm, -kv[1].severity.rank, -kv[1].confidence, -len(kv[1].places)),
    )
    kept: list[tuple[_GroupKey, _Group]] = []
    for key, group in ranked:
        home, merged_here = _settle(group, [g for _, g in kept])
        merged += merged_here
        if home is None and (group.places or group.lead.is_absent):
            kept.append((key, group))
    ids: set[str] = set()
    out: list[Finding] = []
    for key, group in kept:
        finding_id = _group_id(key, ids)
        ids.add(finding_id)
        out.append(group.finding(finding_id))
    out.sort(key=lambda f: f.sort_key)
    return out, merged


def _settle(group: _Group, kept: list[_Group]) -> tuple[_Group | None, int]:
    """Merge ``group`` into a kept group it duplicates; return that group and places merged.

    When ``group`` stays on its own (home None), its places that duplicate other groups'
    places have been removed from it.
    """
    if group.lead.is_absent:
        twin = next(
            (g for g in kept if g.lead.is_absent and g.lead.policy_id == group.lead.policy_id),
            None,
        )
        if twin is None:
            return None, 0
        twin.absorb(group)
        return twin, 1
    related = [g for g in kept if g.related(group)]
    if group.is_llm:
        home = next(
            (
                g
                for g in related
                if _shares_a_spot(group.places, g.places) and _same_issue(group.lead, g.lead)
            ),
            None,
        )
        return (home, home.absorb(group)) if home is not None else (None, 0)
    fresh = [p for p in group.places if not any(_shares_a_spot([p], g.places) for g in related)]
    dropped = len(group.places) - len(fresh)
    group.places = fresh
    return None, dropped


_TITLE_NOISE = frozenset(
    {"the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "not", "no", "is", "are",
     "be", "by", "with", "without", "from", "at", "as", "this", "that", "it", "its"}
)


def _same_issue(llm: Finding, rules: Finding) -> bool:
    """Return True if an LLM finding repeats a rules finding rather than raising another issue.

    On the same words, for the same policy or category, either the rules finding's subject
    in the LLM finding's quote or title ("charged as applicable" / subject "as applicable"),
    or a shared content word in the titles ("Rebalancing frequency is vague" / "Frequency
    not specified"), make it a repeat. "Undefined cap" on a sentence a rules finding quotes
    for a missing disruption rule is not.
    """

    def words(title: str) -> set[str]:
        return {
            w.rstrip("s") for w in re.findall(r"[a-z]+", title.lower()) if w not in _TITLE_NOISE
        }

    subject = normalise_subject(rules.subject or "")
    said = normalise_subject(" ".join(o.quote for o in llm.occurrences) + " " + llm.title)
    return bool(subject and subject in said) or bool(words(llm.title) & words(rules.title))


def _shares_a_spot(mine: Sequence[Occurrence], theirs: Sequence[Occurrence]) -> bool:
    return any(_same_spot(p.location, q.location) for p in mine for q in theirs)


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
) -> float | None:
    """Return the review score in [0, 1]: the weighted mean of assessed policies' scores.

    A policy's score starts at 1 and each of its findings multiplies it by
    ``1 - SEVERITY_IMPACT[severity] * confidence`` (so one confident critical finding leaves
    0.4, two leave 0.16). A finding counts once however many places it has: forty-six
    places of one vague phrase weigh as one finding. Policies weigh ``LEVEL_WEIGHTS``
    (MUST 3, SHOULD 2, MAY 1); policies not assessed do not count. With nothing assessed
    there is no score: None (a review that looked at nothing must never read as a clean
    1.0).

    >>> score_review([], [], {}) is None
    True
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
        return None
    return round(min(1.0, max(0.0, total / weight_sum)), 6)
