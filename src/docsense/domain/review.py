"""The Review aggregate: one run of a reviewer over one document version against policy packs.

State machine::

    start -> STARTED --record_findings (any number of times)--> STARTED
             STARTED --complete--> COMPLETED      (terminal)
             STARTED --fail------> FAILED         (terminal; retry = start a new Review)

Findings can be recorded in several parts (e.g. once by the rules reviewer, once per LLM
batch); finding ids are unique across the review.

A review has a confidence threshold (``min_confidence``, recorded when it starts). It keeps
every finding it recorded (``all_findings``, for the audit), but its ``findings`` are those at
or above the threshold: they are what the score, the policy statuses, the reports and the
feedback session use. ``ReviewCompleted`` records how many findings were below it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum

import attrs

from docsense.domain.aggregate import Aggregate
from docsense.domain.documents import VersionNumber
from docsense.domain.events import CommandContext, DomainEvent, domain_event
from docsense.domain.findings import DEFAULT_MIN_CONFIDENCE, Finding, check_min_confidence
from docsense.errors import InvalidTransition, InvariantViolation

__all__ = [
    "FindingsRecorded",
    "PackRef",
    "PolicyOutcome",
    "PolicyStatus",
    "Review",
    "ReviewCompleted",
    "ReviewFailed",
    "ReviewStarted",
    "ReviewState",
    "ReviewStatus",
    "Usage",
]


# --- value objects ---------------------------------------------------------------------------


@attrs.frozen
class PackRef:
    """A policy pack (stream id) at a published version label."""

    pack_id: str
    version: str

    def __attrs_post_init__(self) -> None:
        if not self.pack_id.startswith("policypack-"):
            raise InvariantViolation(f"pack ids start with 'policypack-', got {self.pack_id!r}")
        if not self.version:
            raise InvariantViolation(f"name the version of {self.pack_id}")


def _non_negative_int(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise InvariantViolation(f"{attribute.name} cannot be negative, got {value}")


def _finite_non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise InvariantViolation(f"{attribute.name} must be a finite number >= 0, got {value!r}")


@attrs.frozen
class Usage:
    """What a review consumed: tokens, model calls and estimated cost in US dollars.

    Usages add up, so per-call usage can be summed: ``sum(calls, Usage())``.
    """

    tokens_in: int = attrs.field(default=0, validator=_non_negative_int)
    tokens_out: int = attrs.field(default=0, validator=_non_negative_int)
    tokens_cached: int = attrs.field(default=0, validator=_non_negative_int)
    calls: int = attrs.field(default=0, validator=_non_negative_int)
    cost_estimate: float = attrs.field(default=0.0, validator=_finite_non_negative)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            tokens_in=self.tokens_in + other.tokens_in,
            tokens_out=self.tokens_out + other.tokens_out,
            tokens_cached=self.tokens_cached + other.tokens_cached,
            calls=self.calls + other.calls,
            cost_estimate=self.cost_estimate + other.cost_estimate,
        )

    def __radd__(self, other: int) -> Usage:
        # Lets sum() start from 0.
        if other != 0:
            return NotImplemented
        return self


class PolicyStatus(StrEnum):
    """How a document version fares against one policy."""

    SATISFIED = "satisfied"
    VIOLATED = "violated"
    NOT_ASSESSED = "not_assessed"


@attrs.frozen
class PolicyOutcome:
    """The status of one policy at the end of a review."""

    policy_id: str
    status: PolicyStatus


class ReviewStatus(StrEnum):
    """Where a review is in its life."""

    STARTED = "started"
    COMPLETED = "completed"
    FAILED = "failed"


@attrs.frozen
class ReviewState:
    """Everything the Review aggregate knows.

    ``all_findings`` holds every finding recorded; :attr:`findings` only those at or above
    ``min_confidence``.
    """

    document_id: str
    document_version: VersionNumber
    packs: tuple[PackRef, ...]
    reviewer: str
    status: ReviewStatus
    started_at: datetime
    min_confidence: float = 0.0
    all_findings: tuple[Finding, ...] = ()
    ungrounded_dropped: int = 0
    finished_at: datetime | None = None
    score: float | None = None
    policy_statuses: tuple[PolicyOutcome, ...] = ()
    usage: Usage = attrs.field(factory=Usage)
    duration_ms: int | None = None
    warnings: tuple[str, ...] = ()
    failure_reason: str | None = None
    retryable: bool = False

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings at or above the review's confidence threshold."""
        return tuple(f for f in self.all_findings if f.confidence >= self.min_confidence)

    @property
    def below_threshold(self) -> int:
        """How many recorded findings are below the confidence threshold (not shown)."""
        return sum(1 for f in self.all_findings if f.confidence < self.min_confidence)

    def finding(self, finding_id: str) -> Finding | None:
        """Return the finding with ``finding_id`` (at any confidence), or None."""
        return next((f for f in self.all_findings if f.id == finding_id), None)

    def status_of(self, policy_id: str) -> PolicyStatus | None:
        """Return the outcome recorded for ``policy_id`` at completion, or None."""
        return next((o.status for o in self.policy_statuses if o.policy_id == policy_id), None)


# --- events ----------------------------------------------------------------------------------


@domain_event("ReviewStarted", version=3)
@attrs.frozen(kw_only=True)
class ReviewStarted(DomainEvent):
    """A reviewer started on a document version against one or more packs.

    v2: ``packs`` (a tuple of pack references) replaced v1's single ``pack_id`` and
    ``pack_version``. v3: ``min_confidence``, the review's confidence threshold (0.0 for
    reviews recorded before thresholds existed: they showed everything).
    """

    document_id: str
    document_version: VersionNumber
    packs: tuple[PackRef, ...]
    reviewer: str
    min_confidence: float = 0.0


@domain_event("FindingsRecorded", version=2)
@attrs.frozen(kw_only=True)
class FindingsRecorded(DomainEvent):
    """One part of the reviewer reported findings (possibly none).

    ``ungrounded_dropped`` counts LLM findings dropped because their quote was not in the
    document. v2: each finding is a group with ``check``, ``subject`` and ``occurrences``
    (a v1 finding becomes a group of its one place).
    """

    findings: tuple[Finding, ...]
    part: str = ""
    ungrounded_dropped: int = 0


@domain_event("ReviewCompleted", version=2)
@attrs.frozen(kw_only=True)
class ReviewCompleted(DomainEvent):
    """The review finished with a score in [0, 1] and per-policy outcomes.

    v2: ``below_threshold``, how many findings were below the review's confidence threshold
    (and so left out of the score, the statuses and the default reports).
    """

    score: float
    policy_statuses: tuple[PolicyOutcome, ...]
    usage: Usage
    duration_ms: int
    warnings: tuple[str, ...] = ()
    below_threshold: int = 0


@domain_event("ReviewFailed", version=1)
@attrs.frozen(kw_only=True)
class ReviewFailed(DomainEvent):
    """The review could not finish; ``retryable`` says whether a new attempt may succeed."""

    reason: str
    retryable: bool
    usage: Usage = attrs.field(factory=Usage)


# --- aggregate ---------------------------------------------------------------------------------


class Review(Aggregate[ReviewState]):
    """One review run. Create one with :meth:`start`."""

    kind = "review"
    state_type = ReviewState
    state_version = 2  # 2: findings are groups; all_findings and min_confidence

    @classmethod
    def start(
        cls,
        ctx: CommandContext,
        *,
        document_id: str,
        document_version: VersionNumber,
        packs: Iterable[PackRef],
        reviewer: str,
        review_id: str | None = None,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    ) -> Review:
        """Start reviewing ``document_version`` of ``document_id`` with ``reviewer``.

        ``reviewer`` is a spec such as ``"rules"`` or ``"anthropic:claude-sonnet-4-5"``.
        ``review_id`` chooses the stream id (a queued job's review has one derived from the
        job, so a re-run of the job finds it instead of starting a second review).
        ``min_confidence`` (in [0, 1]) is the threshold below which findings are kept but
        not shown, scored or offered for feedback.
        """
        pack_refs = tuple(packs)
        if not document_id.startswith("document-"):
            raise InvariantViolation(f"document ids start with 'document-', got {document_id!r}")
        if not pack_refs:
            raise InvariantViolation("a review needs at least one policy pack")
        if len({p.pack_id for p in pack_refs}) != len(pack_refs):
            raise InvariantViolation("each policy pack can be used once per review")
        if not reviewer.strip():
            raise InvariantViolation("a review needs a reviewer spec")
        threshold = check_min_confidence(min_confidence)
        review = cls(review_id or cls.new_id(ctx))
        review._record(
            ctx,
            ReviewStarted,
            document_id=document_id,
            document_version=document_version,
            packs=pack_refs,
            reviewer=reviewer,
            min_confidence=threshold,
        )
        return review

    def record_findings(
        self,
        ctx: CommandContext,
        findings: Iterable[Finding],
        *,
        part: str = "",
        ungrounded_dropped: int = 0,
    ) -> FindingsRecorded:
        """Add findings from one part of the reviewer; ids must be new to this review."""
        state = self._require_started("record findings for")
        batch = tuple(findings)
        ids = [f.id for f in batch]
        if len(set(ids)) != len(ids):
            raise InvariantViolation("finding ids must be unique within a batch")
        known = {f.id for f in state.all_findings}
        repeated = sorted(known.intersection(ids))
        if repeated:
            raise InvariantViolation(f"findings already recorded: {', '.join(repeated)}")
        if ungrounded_dropped < 0:
            raise InvariantViolation("ungrounded_dropped cannot be negative")
        return self._record(
            ctx,
            FindingsRecorded,
            findings=batch,
            part=part,
            ungrounded_dropped=ungrounded_dropped,
        )

    def complete(
        self,
        ctx: CommandContext,
        *,
        score: float,
        policy_statuses: Mapping[str, PolicyStatus],
        usage: Usage | None = None,
        duration_ms: int,
        warnings: Iterable[str] = (),
    ) -> ReviewCompleted:
        """Finish the review with a score in [0, 1] and the outcome of each policy.

        The score and statuses are those of the findings at or above the threshold; the
        number below it is recorded with them.
        """
        state = self._require_started("complete")
        if not (math.isfinite(score) and 0.0 <= score <= 1.0):
            raise InvariantViolation(f"a review score is in [0, 1], got {score!r}")
        if duration_ms < 0:
            raise InvariantViolation(f"duration cannot be negative, got {duration_ms}")
        try:
            outcomes = tuple(
                PolicyOutcome(pid, PolicyStatus(status))
                for pid, status in sorted(policy_statuses.items())
            )
        except ValueError as exc:
            choices = ", ".join(s.value for s in PolicyStatus)
            raise InvariantViolation(f"{exc}; a policy status is one of {choices}") from None
        return self._record(
            ctx,
            ReviewCompleted,
            score=score,
            policy_statuses=outcomes,
            usage=usage or Usage(),
            duration_ms=duration_ms,
            warnings=tuple(warnings),
            below_threshold=state.below_threshold,
        )

    def fail(
        self, ctx: CommandContext, *, reason: str, retryable: bool, usage: Usage | None = None
    ) -> ReviewFailed:
        """Stop the review with ``reason``; a retry is a new Review."""
        self._require_started("fail")
        if not reason.strip():
            raise InvariantViolation("say why the review failed")
        return self._record(
            ctx, ReviewFailed, reason=reason, retryable=retryable, usage=usage or Usage()
        )

    def _require_started(self, command: str) -> ReviewState:
        state = self.state
        if state.status is not ReviewStatus.STARTED:
            raise InvalidTransition(
                self.id, state.status.value, command, "a finished review cannot change"
            )
        return state

    # --- evolve --------------------------------------------------------------------------------

    @classmethod
    def evolve(cls, state: ReviewState | None, event: DomainEvent) -> ReviewState:
        """Return the state after ``event`` (pure)."""
        if isinstance(event, ReviewStarted):
            if state is not None:
                raise InvariantViolation(f"{event.stream_id} was already started")
            return ReviewState(
                document_id=event.document_id,
                document_version=event.document_version,
                packs=event.packs,
                reviewer=event.reviewer,
                status=ReviewStatus.STARTED,
                started_at=event.occurred_at,
                min_confidence=event.min_confidence,
            )
        if state is None:
            raise InvariantViolation(f"{event.event_type} before ReviewStarted")
        if isinstance(event, FindingsRecorded):
            return attrs.evolve(
                state,
                all_findings=(*state.all_findings, *event.findings),
                ungrounded_dropped=state.ungrounded_dropped + event.ungrounded_dropped,
            )
        if isinstance(event, ReviewCompleted):
            return attrs.evolve(
                state,
                status=ReviewStatus.COMPLETED,
                finished_at=event.occurred_at,
                score=event.score,
                policy_statuses=event.policy_statuses,
                usage=event.usage,
                duration_ms=event.duration_ms,
                warnings=event.warnings,
            )
        if isinstance(event, ReviewFailed):
            return attrs.evolve(
                state,
                status=ReviewStatus.FAILED,
                finished_at=event.occurred_at,
                failure_reason=event.reason,
                retryable=event.retryable,
                usage=event.usage,
            )
        raise InvariantViolation(f"a Review cannot apply {event.event_type}")
