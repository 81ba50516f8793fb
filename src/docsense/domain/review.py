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
from typing import Any

import attrs

from docsense.domain.aggregate import Aggregate
from docsense.domain.documents import VersionNumber
from docsense.domain.events import CommandContext, DomainEvent, domain_event
from docsense.domain.findings import DEFAULT_MIN_CONFIDENCE, Finding, check_min_confidence
from docsense.errors import InvalidTransition, InvariantViolation

__all__ = [
    "FindingsRecorded",
    "FindingsSuppressed",
    "NotAssessed",
    "NotAssessedReason",
    "PackRef",
    "PolicyOutcome",
    "PolicyStatus",
    "Review",
    "ReviewCompleted",
    "ReviewFailed",
    "ReviewStarted",
    "ReviewState",
    "ReviewStatus",
    "Suppression",
    "Usage",
    "score_text",
]


# --- value objects ---------------------------------------------------------------------------


def score_text(score: float | None, *, none: str = "none") -> str:
    """Return a review score the one way docsense shows it everywhere: out of 100.

    >>> score_text(0.591), score_text(1.0), score_text(None)
    ('59.1 / 100', '100.0 / 100', 'none')
    """
    return none if score is None else f"{score * 100:.1f} / 100"


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


def _cost(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise InvariantViolation(
            f"{attribute.name} must be None (unknown) or a finite number >= 0, got {value!r}"
        )


@attrs.frozen
class Usage:
    """What a review consumed: tokens, model calls, refusals and estimated cost in US dollars.

    Token counts follow the provider's bill:

    - ``tokens_in`` counts every input token, including ``tokens_cached`` (read from the
      provider's prompt cache) and ``tokens_cache_write`` (written to it);
    - ``tokens_out`` counts every output token billed, including ``tokens_thinking`` (the
      model's internal reasoning, billed as output by every provider);
    - ``refusals`` counts calls the model refused or the provider blocked.

    ``cost_estimate`` is None when the cost is unknown (a model with no price in the model
    registry); a sum with an unknown cost is unknown. Usages add up, so per-call usage can be
    summed: ``sum(calls, Usage())``.
    """

    tokens_in: int = attrs.field(default=0, validator=_non_negative_int)
    tokens_out: int = attrs.field(default=0, validator=_non_negative_int)
    tokens_cached: int = attrs.field(default=0, validator=_non_negative_int)
    calls: int = attrs.field(default=0, validator=_non_negative_int)
    cost_estimate: float | None = attrs.field(default=0.0, validator=_cost)  # None: unknown
    tokens_cache_write: int = attrs.field(default=0, validator=_non_negative_int)
    tokens_thinking: int = attrs.field(default=0, validator=_non_negative_int)
    refusals: int = attrs.field(default=0, validator=_non_negative_int)

    @property
    def cost_known(self) -> bool:
        """True when :attr:`cost_estimate` is a number (every call's model had a price)."""
        return self.cost_estimate is not None

    def __add__(self, other: Usage) -> Usage:
        cost = (
            None
            if self.cost_estimate is None or other.cost_estimate is None
            else self.cost_estimate + other.cost_estimate
        )
        return Usage(
            tokens_in=self.tokens_in + other.tokens_in,
            tokens_out=self.tokens_out + other.tokens_out,
            tokens_cached=self.tokens_cached + other.tokens_cached,
            calls=self.calls + other.calls,
            cost_estimate=cost,
            tokens_cache_write=self.tokens_cache_write + other.tokens_cache_write,
            tokens_thinking=self.tokens_thinking + other.tokens_thinking,
            refusals=self.refusals + other.refusals,
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


class NotAssessedReason(StrEnum):
    """Why a policy was not assessed."""

    REFUSED = "refused"
    """The model declined to answer (Anthropic ``stop_reason: refusal``, OpenAI
    ``message.refusal``)."""
    BLOCKED = "blocked"
    """The provider's safety system withheld the answer (OpenAI ``content_filter``, Gemini
    ``blockReason`` / ``finishReason: SAFETY``)."""
    FAILED = "failed"
    """The answer was unusable twice (invalid output, cut off at the token limit)."""
    PROVIDER_ERROR = "provider_error"
    """The provider could not be reached or kept failing (the review fell back)."""
    NOT_REVIEWED = "not_reviewed"
    """No reviewer of the review evaluates this policy (e.g. a rules reviewer with no check
    for it)."""


@attrs.frozen
class NotAssessed:
    """Why a reviewer could not assess a policy: a :class:`NotAssessedReason` and detail."""

    reason: NotAssessedReason
    detail: str = ""


@attrs.frozen
class PolicyOutcome:
    """The status of one policy at the end of a review.

    A policy that is ``not_assessed`` carries a ``reason`` (:class:`NotAssessedReason`) and,
    where the provider gave one, a ``detail`` (its refusal text or block reason).
    """

    policy_id: str
    status: PolicyStatus
    reason: NotAssessedReason | None = None
    detail: str = ""


@attrs.frozen
class Suppression:
    """A finding of this review that stays rejected, as an earlier one with its fingerprint was.

    That earlier finding was rejected, with ``reason``, by ``rejected_by`` in the feedback of
    review ``rejected_in``.

    Suppressed findings are reported as such (JSON ``suppressed``, SARIF ``suppressions``), not
    as new work, and their feedback item starts rejected for the same reason.
    """

    finding_id: str
    fingerprint: str
    reason: str
    rejected_by: str
    rejected_in: str

    def __attrs_post_init__(self) -> None:
        if not self.reason.strip():
            raise InvariantViolation(f"the suppression of {self.finding_id!r} needs a reason")


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
    suppressed: tuple[Suppression, ...] = ()

    def suppression(self, finding_id: str) -> Suppression | None:
        """Return the suppression of ``finding_id`` (None if it is open work)."""
        return next((s for s in self.suppressed if s.finding_id == finding_id), None)

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


@domain_event("FindingsSuppressed", version=1)
@attrs.frozen(kw_only=True)
class FindingsSuppressed(DomainEvent):
    """Findings of this review carry over an earlier rejection (same fingerprint).

    Each suppression says who rejected it, in which review's feedback, and why. Recorded
    before ``ReviewCompleted``.
    """

    suppressions: tuple[Suppression, ...]


@domain_event("ReviewCompleted", version=3)
@attrs.frozen(kw_only=True)
class ReviewCompleted(DomainEvent):
    """The review finished with a score in [0, 1] and per-policy outcomes.

    ``score`` is None when no policy could be assessed (every part refused, blocked or
    failed): such a review has no score, never a clean one.

    v2: ``below_threshold``, how many findings were below the review's confidence threshold
    (and so left out of the score, the statuses and the default reports).
    v3: ``score`` may be None; each outcome says why a policy was not assessed (``reason``,
    ``detail``); ``usage`` counts cache writes, thinking tokens and refusals.
    """

    score: float | None
    policy_statuses: tuple[PolicyOutcome, ...]
    usage: Usage
    duration_ms: int
    warnings: tuple[str, ...] = ()
    below_threshold: int = 0


@domain_event("ReviewFailed", version=2)
@attrs.frozen(kw_only=True)
class ReviewFailed(DomainEvent):
    """The review could not finish; ``retryable`` says whether a new attempt may succeed.

    v2: ``usage`` counts cache writes, thinking tokens and refusals.
    """

    reason: str
    retryable: bool
    usage: Usage = attrs.field(factory=Usage)


def _outcome(policy_id: str, status: PolicyStatus | PolicyOutcome | str) -> PolicyOutcome:
    if isinstance(status, PolicyOutcome):
        if status.policy_id != policy_id:
            raise ValueError(f"outcome of {status.policy_id!r} given for {policy_id!r}")
        return status
    return PolicyOutcome(policy_id, PolicyStatus(status))


# --- aggregate ---------------------------------------------------------------------------------


class Review(Aggregate[ReviewState]):
    """One review run. Create one with :meth:`start`."""

    kind = "review"
    state_type = ReviewState
    state_version = 3  # 2: findings are groups; all_findings and min_confidence; 3: suppressed

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

        ``reviewer`` is a spec such as ``"rules"`` or ``"anthropic:claude-sonnet-5-5"``.
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

    def suppress(
        self, ctx: CommandContext, suppressions: Iterable[Suppression]
    ) -> FindingsSuppressed | None:
        """Record that findings carry over earlier rejections (None when there are none).

        Each suppression names a recorded finding by id and its fingerprint, which must
        match; a finding is suppressed at most once.
        """
        state = self._require_started("suppress findings of")
        batch = tuple(suppressions)
        if not batch:
            return None
        done = {s.finding_id for s in state.suppressed}
        for item in batch:
            finding = state.finding(item.finding_id)
            if finding is None:
                raise InvariantViolation(f"no finding {item.finding_id!r} to suppress")
            if finding.fingerprint != item.fingerprint:
                raise InvariantViolation(
                    f"finding {item.finding_id!r} has fingerprint {finding.fingerprint}, "
                    f"not {item.fingerprint}"
                )
            if item.finding_id in done:
                raise InvariantViolation(f"finding {item.finding_id!r} is already suppressed")
            done.add(item.finding_id)
        return self._record(ctx, FindingsSuppressed, suppressions=batch)

    def complete(
        self,
        ctx: CommandContext,
        *,
        score: float | None,
        policy_statuses: Mapping[str, PolicyStatus | PolicyOutcome],
        usage: Usage | None = None,
        duration_ms: int,
        warnings: Iterable[str] = (),
    ) -> ReviewCompleted:
        """Finish the review with a score in [0, 1] and the outcome of each policy.

        The score and statuses are those of the findings at or above the threshold; the
        number below it is recorded with them. ``score`` is None exactly when no policy was
        assessed (a review that assessed nothing has no score). ``policy_statuses`` maps each
        policy id to its status, or to a :class:`PolicyOutcome` that also says why it was
        not assessed.
        """
        state = self._require_started("complete")
        if score is not None and not (math.isfinite(score) and 0.0 <= score <= 1.0):
            raise InvariantViolation(f"a review score is in [0, 1], got {score!r}")
        if duration_ms < 0:
            raise InvariantViolation(f"duration cannot be negative, got {duration_ms}")
        try:
            outcomes = tuple(
                _outcome(pid, status) for pid, status in sorted(policy_statuses.items())
            )
        except ValueError as exc:
            choices = ", ".join(s.value for s in PolicyStatus)
            raise InvariantViolation(f"{exc}; a policy status is one of {choices}") from None
        assessed = any(o.status is not PolicyStatus.NOT_ASSESSED for o in outcomes)
        if score is None and assessed:
            raise InvariantViolation("a review that assessed a policy has a score")
        if score is not None and outcomes and not assessed:
            raise InvariantViolation(
                "a review that assessed no policy has no score (pass score=None)"
            )
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
        if isinstance(event, FindingsSuppressed):
            return attrs.evolve(state, suppressed=(*state.suppressed, *event.suppressions))
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
