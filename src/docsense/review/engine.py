"""The review engine: run policy packs over a converted document with one or more reviewers.

Reviewers run concurrently; each result goes through the shared finding pipeline
(grounding with that reviewer's ``source``), then all findings are grouped and de-duplicated
together (one finding per policy, check and subject, with every place). Findings below the
review's confidence threshold (``min_confidence``) are kept in ``all_findings`` but left out
of ``findings``, the policy statuses and the score. A policy no reviewer assessed is *not
assessed* with the reason a reviewer gave (refused, blocked, failed...) or ``not_reviewed``;
a review that assessed nothing has no score (None).

>>> import asyncio
>>> from docsense.domain.ir import SemanticIR
>>> from docsense.policies import load_pack
>>> from docsense.review.reviewers import resolve_reviewer
>>> doc = ReviewDocument(markdown="Rebalance periodically.", sections=(), ir=SemanticIR())
>>> outcome = asyncio.run(run_review(doc, [load_pack("self-containment")],
...                                  resolve_reviewer("rules")))
>>> [f.quote for f in outcome.findings], outcome.score < 1, outcome.below_threshold
(['Rebalance periodically'], True, 0)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Protocol

import attrs

from docsense.domain.findings import DEFAULT_MIN_CONFIDENCE, Finding, check_min_confidence
from docsense.domain.ir import Section, SemanticIR, SourceAnchor
from docsense.domain.policies import Policy
from docsense.domain.review import (
    NotAssessed,
    NotAssessedReason,
    PolicyOutcome,
    PolicyStatus,
    Suppression,
    Usage,
)
from docsense.errors import (
    DocSenseError,
    InvalidArgument,
    InvariantViolation,
    ReviewerError,
    ReviewError,
)
from docsense.policies import LoadedPack
from docsense.ports import Reviewer, ReviewerResult, ReviewRequest
from docsense.review.pipeline import ground_findings, group_findings, policy_statuses, score_review

__all__ = [
    "ConvertedLike",
    "ReviewDocument",
    "ReviewOutcome",
    "ReviewStats",
    "min_confidence_argument",
    "review_request",
    "run_review",
]


class ConvertedLike(Protocol):
    """What :meth:`ReviewDocument.from_converted` reads from a converter's output."""

    @property
    def markdown(self) -> str:
        """The document as Markdown."""
        ...

    @property
    def sections(self) -> tuple[Section, ...]:
        """Its sections."""
        ...

    @property
    def anchors(self) -> tuple[SourceAnchor, ...]:
        """Offset-to-page/paragraph anchors."""
        ...

    @property
    def title(self) -> str | None:
        """Its title, if known."""
        ...

    @property
    def filename(self) -> str:
        """The file it came from."""
        ...


@attrs.frozen(kw_only=True)
class ReviewDocument:
    """The document under review: Markdown, sections, IR, and what identifies it."""

    markdown: str
    sections: tuple[Section, ...]
    ir: SemanticIR
    id: str = ""
    title: str | None = None
    version: str | None = None
    source: str | None = None
    anchors: tuple[SourceAnchor, ...] = ()

    @classmethod
    def from_converted(
        cls,
        converted: ConvertedLike,
        ir: SemanticIR,
        *,
        document_id: str = "",
        version: str | None = None,
    ) -> ReviewDocument:
        """Build from a converter's ``ConvertedDocument`` and the IR extracted from it."""
        return cls(
            markdown=converted.markdown,
            sections=tuple(converted.sections),
            ir=ir,
            id=document_id,
            title=converted.title,
            version=version,
            source=converted.filename,
            anchors=tuple(converted.anchors),
        )


@attrs.frozen
class ReviewStats:
    """Pipeline counts: quotes kept after grounding, dropped, and places merged as duplicates."""

    grounded: int = 0
    dropped_ungrounded: int = 0
    dropped_unknown_policy: int = 0
    deduplicated: int = 0


@attrs.frozen(kw_only=True)
class ReviewOutcome:
    """The result of a review, ready for the Review aggregate and the report.

    ``findings`` are the groups at or above ``min_confidence`` (what the score and statuses
    count); ``all_findings`` every group, in the same order (defaults to ``findings``).
    """

    document: ReviewDocument
    packs: tuple[LoadedPack, ...]
    reviewer: str
    findings: tuple[Finding, ...]
    policy_statuses: tuple[PolicyOutcome, ...]
    score: float | None
    stats: ReviewStats
    usage: Usage
    duration_ms: int
    warnings: tuple[str, ...] = ()
    min_confidence: float = 0.0
    all_findings: tuple[Finding, ...] = attrs.field(
        default=attrs.Factory(lambda self: self.findings, takes_self=True)
    )
    suppressed: tuple[Suppression, ...] = ()
    """Findings that carry over an earlier rejection (reported as suppressed)."""

    @property
    def below_threshold(self) -> int:
        """How many findings are below the confidence threshold (kept, not shown)."""
        return len(self.all_findings) - len(self.findings)

    def status_of(self, policy_id: str) -> PolicyStatus | None:
        """Return the status of ``policy_id``, or None if no pack has it."""
        return next((o.status for o in self.policy_statuses if o.policy_id == policy_id), None)

    @property
    def not_assessed(self) -> tuple[PolicyOutcome, ...]:
        """The outcomes of the policies that were not assessed, with their reasons."""
        return tuple(o for o in self.policy_statuses if o.status is PolicyStatus.NOT_ASSESSED)

    @property
    def assessed_nothing(self) -> bool:
        """True when no policy was assessed (the review has no score)."""
        return all(o.status is PolicyStatus.NOT_ASSESSED for o in self.policy_statuses)

    def at_threshold(self, min_confidence: float) -> ReviewOutcome:
        """Return this outcome as it would be at another confidence threshold.

        The findings, policy statuses and score are computed again from ``all_findings``
        (a policy stays *not assessed* if it was); everything else is unchanged. Raises
        :class:`~docsense.errors.InvalidArgument` for a threshold outside [0, 1].
        """
        threshold = min_confidence_argument(min_confidence)
        policies = _policies(self.packs)
        shown = tuple(f for f in self.all_findings if f.confidence >= threshold)
        assessed = {o.policy_id for o in self.policy_statuses
                    if o.status is not PolicyStatus.NOT_ASSESSED}
        statuses = policy_statuses(policies, shown, assessed)
        reasons = {
            o.policy_id: NotAssessed(o.reason or NotAssessedReason.NOT_REVIEWED, o.detail)
            for o in self.not_assessed
        }
        return attrs.evolve(
            self,
            findings=shown,
            policy_statuses=tuple(_outcome(pid, st, reasons) for pid, st in statuses.items()),
            score=score_review(policies, shown, statuses),
            min_confidence=threshold,
        )


def min_confidence_argument(value: float) -> float:
    """Return ``value`` as a confidence threshold; raise InvalidArgument unless it is in [0, 1].

    >>> min_confidence_argument(0.25)
    0.25
    """
    try:
        return check_min_confidence(value)
    except InvariantViolation as exc:
        raise InvalidArgument(f"min_confidence: {exc}") from None


def _policies(packs: Sequence[LoadedPack]) -> tuple[Policy, ...]:
    seen: dict[str, str] = {}
    out: list[Policy] = []
    for pack in packs:
        for policy in pack.policies:
            if policy.id in seen:
                raise ReviewError(
                    f"policy id {policy.id!r} is in both pack {seen[policy.id]!r} and "
                    f"{pack.key!r}; policy ids must be unique across the packs of a review"
                )
            seen[policy.id] = pack.key
            out.append(policy)
    return tuple(out)


async def _run_one(reviewer: Reviewer, request: ReviewRequest) -> ReviewerResult:
    try:
        return await reviewer.review(request)
    except DocSenseError:
        raise
    except Exception as exc:  # a third-party reviewer must not leak its own exceptions
        raise ReviewerError(
            f"reviewer {reviewer.spec!r} failed: {type(exc).__name__}: {exc}"
        ) from exc


def review_request(document: ReviewDocument, packs: Sequence[LoadedPack]) -> ReviewRequest:
    """Return what reviewers are asked: ``document`` against every policy of ``packs``.

    Raise :class:`~docsense.errors.ReviewError` for no packs or a policy id in two packs.
    """
    if not packs:
        raise ReviewError("a review needs at least one policy pack")
    return ReviewRequest(
        document_id=document.id,
        markdown=document.markdown,
        sections=document.sections,
        ir=document.ir,
        policies=_policies(packs),
        title=document.title,
    )


async def run_review(
    document: ReviewDocument,
    packs: Sequence[LoadedPack],
    reviewer: Reviewer | Sequence[Reviewer],
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> ReviewOutcome:
    """Review ``document`` against ``packs`` with ``reviewer`` (or several, concurrently).

    Findings below ``min_confidence`` (in [0, 1]) are kept in ``all_findings`` only; an
    out-of-range threshold raises :class:`~docsense.errors.InvalidArgument`.
    """
    threshold = min_confidence_argument(min_confidence)
    if not packs:
        raise ReviewError("a review needs at least one policy pack")
    reviewers = [reviewer] if isinstance(reviewer, Reviewer) else list(reviewer)
    if not reviewers:
        raise ReviewError("a review needs at least one reviewer")
    started = time.perf_counter()
    request = review_request(document, packs)
    policies = request.policies
    results = await asyncio.gather(*(_run_one(r, request) for r in reviewers))
    # Grounding and de-duplication are CPU work that grows with the document: a thread
    # keeps the event loop of an async caller free meanwhile.
    return await asyncio.to_thread(
        _assemble, document, packs, reviewers, policies, results, started, threshold
    )


def _assemble(
    document: ReviewDocument,
    packs: Sequence[LoadedPack],
    reviewers: Sequence[Reviewer],
    policies: tuple[Policy, ...],
    results: Sequence[ReviewerResult],
    started: float,
    threshold: float,
) -> ReviewOutcome:
    """Ground, de-duplicate, assess and score the reviewers' raw results."""
    by_id = {p.id: p for p in policies}
    findings: list[Finding] = []
    grounded = dropped = unknown = 0
    assessed: set[str] = set()
    reasons: dict[str, NotAssessed] = {}
    warnings: list[str] = []
    usage = Usage()
    for result in results:
        kept, stats = ground_findings(
            document.markdown,
            result.findings,
            by_id,
            source=result.source,
            sections=document.sections,
            anchors=document.anchors,
        )
        findings.extend(kept)
        grounded += stats.grounded
        dropped += stats.dropped_ungrounded
        unknown += stats.dropped_unknown_policy
        assessed.update(result.assessed)
        for pid, why in result.not_assessed.items():
            reasons.setdefault(pid, why)
        usage = usage + result.usage
        warnings.extend(result.warnings)
    if unknown:
        warnings.append(f"{unknown} finding(s) named a policy not in the packs and were dropped")
    groups, merged = group_findings(findings)
    shown = tuple(f for f in groups if f.confidence >= threshold)
    statuses = policy_statuses(policies, shown, assessed)
    score = score_review(policies, shown, statuses)
    return ReviewOutcome(
        document=document,
        packs=tuple(packs),
        reviewer="+".join(r.spec for r in reviewers),
        findings=shown,
        all_findings=tuple(groups),
        min_confidence=threshold,
        policy_statuses=tuple(_outcome(pid, st, reasons) for pid, st in statuses.items()),
        score=score,
        stats=ReviewStats(grounded, dropped, unknown, merged),
        usage=usage,
        duration_ms=int((time.perf_counter() - started) * 1000),
        warnings=tuple(warnings),
    )


def _outcome(
    policy_id: str, status: PolicyStatus, reasons: dict[str, NotAssessed]
) -> PolicyOutcome:
    if status is not PolicyStatus.NOT_ASSESSED:
        return PolicyOutcome(policy_id, status)
    why = reasons.get(policy_id, NotAssessed(NotAssessedReason.NOT_REVIEWED))
    return PolicyOutcome(policy_id, status, why.reason, why.detail)

