"""The FeedbackSession aggregate: a user's decisions on the suggestions of one review.

There is one session per review, and its stream id is derived from the review's
(:meth:`FeedbackSession.id_for`), so a second session for the same review is a concurrency
conflict in the store rather than a duplicate. Each finding with a quote and a location becomes
an item, identified by the finding id, and carries every place of that finding.

State machine::

    open -> OPEN --accept / reject / modify (any item, any number of times)--> OPEN
            OPEN --begin_apply (needs >= 1 accepted or modified item)--> APPLYING
            APPLYING --apply--> APPLIED (terminal)
            APPLYING --abandon_apply--> OPEN   (the document changed before the revision)

Applying feedback changes two streams: the document gets a new version and the session is
closed. ``begin_apply`` freezes the decisions first (a decision racing the apply then either
lands before it, and is applied, or is refused after it); the application then writes the
revision and ``apply`` closes the session, both with ids derived from the
``FeedbackApplyStarted`` event, so whoever finds a session ``APPLYING`` (a retry, the next
start, a worker) can finish the apply idempotently. ``apply`` straight from ``OPEN`` is
still accepted (streams written before the two steps existed).

A decision can be changed until the session is applied: the latest decision counts, and every
decision stays in the history. Repeating the current decision unchanged records nothing.

A decision applies to the whole finding, that is to every place of it:

- **accept** puts each place's own replacement in place of its quote; places without a
  replacement are left as they are. Accepting needs at least one place with a replacement;
  for advice-only findings, modify (write the text yourself) or reject.
- **reject** rejects the finding at all its places.
- **modify** puts the user's text in place of the *first* place only (one text rarely fits
  every place); the other places stay as they are and the next review reports them again.

Two items whose edits overlap cannot both be accepted or modified, whichever of their places
overlap, so the accepted edits always apply cleanly (:func:`apply_edits`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from enum import StrEnum

import attrs

from docsense.domain.aggregate import Aggregate
from docsense.domain.documents import VersionNumber
from docsense.domain.events import CommandContext, DomainEvent, domain_event
from docsense.domain.findings import Finding, FindingLocation, Occurrence
from docsense.errors import FindingNotFound, InvalidTransition, InvariantViolation

__all__ = [
    "Decision",
    "FeedbackApplied",
    "FeedbackApplyAbandoned",
    "FeedbackApplyStarted",
    "FeedbackItem",
    "FeedbackItemState",
    "FeedbackSession",
    "FeedbackSessionOpened",
    "FeedbackSessionState",
    "FeedbackStatus",
    "SuggestionAccepted",
    "SuggestionModified",
    "SuggestionRejected",
    "TextEdit",
    "apply_edits",
]


# --- value objects ---------------------------------------------------------------------------


def _first_place(item: FeedbackItem) -> tuple[Occurrence, ...]:
    # The default for items built the one-place way (quote + span): that one place.
    if not item.quote or not 0 <= item.start <= item.end:
        return ()  # __attrs_post_init__ says what is wrong
    location = FindingLocation(start=item.start, end=item.end)
    return (Occurrence(item.quote, location, item.replacement),)


@attrs.frozen(kw_only=True)
class FeedbackItem:
    """A suggestion the user decides on: every place of one finding and what could replace it.

    ``quote``, ``start``, ``end`` and ``replacement`` are those of the first place
    (``occurrences[0]``); ``occurrences`` lists all of them in document order.
    """

    finding_id: str
    quote: str
    start: int
    end: int
    replacement: str | None = None
    suggested_fix: str = ""
    occurrences: tuple[Occurrence, ...] = attrs.field(
        default=attrs.Factory(_first_place, takes_self=True)
    )

    def __attrs_post_init__(self) -> None:
        if not self.finding_id:
            raise InvariantViolation("a feedback item needs its finding id")
        if not self.quote:
            raise InvariantViolation(f"item {self.finding_id!r} needs the quoted text")
        if not 0 <= self.start <= self.end:
            raise InvariantViolation(
                f"item {self.finding_id!r}: need 0 <= start <= end, got {self.start}..{self.end}"
            )
        if not self.occurrences:
            raise InvariantViolation(f"item {self.finding_id!r} needs at least one place")
        first = self.occurrences[0]
        if (first.quote, first.location.start, first.location.end, first.replacement) != (
            self.quote,
            self.start,
            self.end,
            self.replacement,
        ):
            raise InvariantViolation(
                f"item {self.finding_id!r}: quote, span and replacement must be those of its "
                "first place"
            )
        for before, after in itertools.pairwise(self.occurrences):
            if after.location.start < before.location.end:
                raise InvariantViolation(
                    f"item {self.finding_id!r}: places must be in document order without "
                    "overlapping"
                )

    @property
    def can_accept(self) -> bool:
        """True if at least one place has replacement text (only such items can be accepted)."""
        return any(o.replacement is not None for o in self.occurrences)

    @classmethod
    def from_finding(cls, finding: Finding) -> FeedbackItem:
        """Build the item for an actionable finding (one with a quote and a location)."""
        if finding.location is None or not finding.quote:
            raise InvariantViolation(f"finding {finding.id!r} has no quote and location")
        return cls(
            finding_id=finding.id,
            quote=finding.quote,
            start=finding.location.start,
            end=finding.location.end,
            replacement=finding.replacement,
            suggested_fix=finding.suggested_fix,
            occurrences=finding.occurrences,
        )


class Decision(StrEnum):
    """The user's current decision on an item."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MODIFIED = "modified"


@attrs.frozen
class FeedbackItemState:
    """An item with its current decision (``reason`` for rejections, ``text`` for modified).

    ``decided_by`` is the actor of the decision (None while pending).
    """

    item: FeedbackItem
    decision: Decision = Decision.PENDING
    reason: str | None = None
    text: str | None = None
    decided_by: str | None = None

    @property
    def edits(self) -> tuple[TextEdit, ...]:
        """The edits this item makes when applied, in document order (none unless decided so).

        Accepted: each place with a replacement gets it. Modified: the user's text replaces
        the first place only.
        """
        if self.decision is Decision.ACCEPTED:
            return tuple(
                TextEdit(o.location.start, o.location.end, o.replacement)
                for o in self.item.occurrences
                if o.replacement is not None
            )
        if self.decision is Decision.MODIFIED and self.text is not None:
            return (TextEdit(self.item.start, self.item.end, self.text),)
        return ()

    @property
    def new_text(self) -> str | None:
        """The text of the item's first edit, or None if the item is not applied."""
        edits = self.edits
        return edits[0].text if edits else None


@attrs.frozen
class TextEdit:
    """Replace ``markdown[start:end]`` with ``text``."""

    start: int
    end: int
    text: str


class FeedbackStatus(StrEnum):
    """Whether decisions can still change."""

    OPEN = "open"
    APPLYING = "applying"
    APPLIED = "applied"


@attrs.frozen
class FeedbackSessionState:
    """Everything the FeedbackSession aggregate knows; ``items`` in document order."""

    review_id: str
    document_id: str
    document_version: VersionNumber
    status: FeedbackStatus
    items: tuple[FeedbackItemState, ...] = ()
    resulting_version: VersionNumber | None = None
    applied_finding_ids: tuple[str, ...] = ()
    apply_started_by: str | None = None
    """The id of the ``FeedbackApplyStarted`` event of the apply under way (``APPLYING``)."""

    def item(self, finding_id: str) -> FeedbackItemState | None:
        """Return the item for ``finding_id``, or None."""
        return next((i for i in self.items if i.item.finding_id == finding_id), None)

    def edits(self) -> tuple[TextEdit, ...]:
        """Return the edits of the accepted and modified items (every place), in document order."""
        return tuple(
            sorted((e for i in self.items for e in i.edits), key=lambda e: (e.start, e.end))
        )

    @property
    def pending(self) -> tuple[str, ...]:
        """Ids of the items not decided yet."""
        return tuple(i.item.finding_id for i in self.items if i.decision is Decision.PENDING)


def apply_edits(markdown: str, edits: Iterable[TextEdit]) -> str:
    """Return ``markdown`` with every edit applied; spans refer to the original text.

    >>> apply_edits("a cap of X.", [TextEdit(9, 10, "10%")])
    'a cap of 10%.'

    Raises InvariantViolation if a span lies outside the text or two spans overlap.
    """
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for edit in ordered:
        if not 0 <= edit.start <= edit.end <= len(markdown):
            raise InvariantViolation(
                f"edit {edit.start}..{edit.end} lies outside a text of {len(markdown)} characters"
            )
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise InvariantViolation(
                f"edits {before.start}..{before.end} and {after.start}..{after.end} overlap"
            )
    parts: list[str] = []
    cursor = 0
    for edit in ordered:
        parts.append(markdown[cursor : edit.start])
        parts.append(edit.text)
        cursor = edit.end
    parts.append(markdown[cursor:])
    return "".join(parts)


# --- events ----------------------------------------------------------------------------------


@domain_event("FeedbackSessionOpened", version=2)
@attrs.frozen(kw_only=True)
class FeedbackSessionOpened(DomainEvent):
    """A session opened on a review's actionable findings.

    v2: each item carries every place of its finding (``occurrences``); a v1 item becomes an
    item of its one place.
    """

    review_id: str
    document_id: str
    document_version: VersionNumber
    items: tuple[FeedbackItem, ...]


@domain_event("SuggestionAccepted", version=1)
@attrs.frozen(kw_only=True)
class SuggestionAccepted(DomainEvent):
    """The user accepted a finding's replacement texts as written, at every place that has one."""

    finding_id: str


@domain_event("SuggestionRejected", version=1)
@attrs.frozen(kw_only=True)
class SuggestionRejected(DomainEvent):
    """The user rejected a suggestion, saying why."""

    finding_id: str
    reason: str


@domain_event("SuggestionModified", version=1)
@attrs.frozen(kw_only=True)
class SuggestionModified(DomainEvent):
    """The user wrote their own text to replace the first place's quote ("" deletes it)."""

    finding_id: str
    text: str


@domain_event("FeedbackApplyStarted", version=1)
@attrs.frozen(kw_only=True)
class FeedbackApplyStarted(DomainEvent):
    """Applying began: the decisions are frozen and ``base_version`` is to be revised."""

    base_version: VersionNumber
    applied_finding_ids: tuple[str, ...]


@domain_event("FeedbackApplyAbandoned", version=1)
@attrs.frozen(kw_only=True)
class FeedbackApplyAbandoned(DomainEvent):
    """An apply could not write its revision (the document changed first); decisions reopen."""

    reason: str


@domain_event("FeedbackApplied", version=1)
@attrs.frozen(kw_only=True)
class FeedbackApplied(DomainEvent):
    """The accepted and modified items were applied, producing ``document_version``."""

    document_version: VersionNumber
    applied_finding_ids: tuple[str, ...]


# --- aggregate ---------------------------------------------------------------------------------


class FeedbackSession(Aggregate[FeedbackSessionState]):
    """Decisions on one review's suggestions. Create one with :meth:`open`."""

    kind = "feedback"
    state_type = FeedbackSessionState
    state_version = 3  # 2: items carry every place of their finding; 3: decided_by

    @classmethod
    def id_for(cls, review_id: str) -> str:
        """Return the stream id of the session of ``review_id`` (one session per review)."""
        if not review_id.startswith("review-"):
            raise InvariantViolation(f"review ids start with 'review-', got {review_id!r}")
        return f"{cls.kind}-{review_id.removeprefix('review-')}"

    @classmethod
    def open(
        cls,
        ctx: CommandContext,
        *,
        review_id: str,
        document_id: str,
        document_version: VersionNumber,
        findings: Iterable[Finding],
    ) -> FeedbackSession:
        """Open the session of ``review_id``: one item per finding with a quote and location.

        Items are in document order of their first place.
        """
        items = tuple(
            sorted(
                (FeedbackItem.from_finding(f) for f in findings if f.is_actionable),
                key=lambda i: (i.start, i.end, i.finding_id),
            )
        )
        ids = [i.finding_id for i in items]
        if len(set(ids)) != len(ids):
            raise InvariantViolation("finding ids must be unique")
        if not document_id.startswith("document-"):
            raise InvariantViolation(f"document ids start with 'document-', got {document_id!r}")
        session = cls(cls.id_for(review_id))
        session._record(
            ctx,
            FeedbackSessionOpened,
            review_id=review_id,
            document_id=document_id,
            document_version=document_version,
            items=items,
        )
        return session

    def accept(self, ctx: CommandContext, finding_id: str) -> SuggestionAccepted | None:
        """Accept the finding's replacements (every place that has one); None if already so."""
        current = self._open_item(finding_id, "accept")
        if not current.item.can_accept:
            raise InvalidTransition(
                f"suggestion {finding_id!r} of {self.id}",
                current.decision.value,
                "accept",
                "it has advice but no replacement text: modify it with your own text, or reject it",
            )
        if current.decision is Decision.ACCEPTED:
            return None
        self._check_no_overlap(current, Decision.ACCEPTED, None, "accept")
        return self._record(ctx, SuggestionAccepted, finding_id=finding_id)

    def reject(
        self, ctx: CommandContext, finding_id: str, *, reason: str
    ) -> SuggestionRejected | None:
        """Reject the suggestion; ``reason`` is required. None if rejected for that reason."""
        current = self._open_item(finding_id, "reject")
        if not reason.strip():
            raise InvariantViolation("say why the suggestion is rejected")
        if current.decision is Decision.REJECTED and current.reason == reason:
            return None
        return self._record(ctx, SuggestionRejected, finding_id=finding_id, reason=reason)

    def modify(
        self, ctx: CommandContext, finding_id: str, *, text: str
    ) -> SuggestionModified | None:
        """Replace the first place's quote with ``text`` ("" deletes it); None if already so.

        The finding's other places are left as they are.
        """
        current = self._open_item(finding_id, "modify")
        if text == current.item.quote:
            raise InvariantViolation(
                "the text equals the quote, so nothing would change: reject the suggestion instead"
            )
        if current.decision is Decision.MODIFIED and current.text == text:
            return None
        self._check_no_overlap(current, Decision.MODIFIED, text, "modify")
        return self._record(ctx, SuggestionModified, finding_id=finding_id, text=text)

    def begin_apply(self, ctx: CommandContext) -> FeedbackApplyStarted:
        """Freeze the decisions to apply them; the document's revision comes next."""
        state = self._require_open("apply")
        return self._record(
            ctx,
            FeedbackApplyStarted,
            base_version=state.document_version,
            applied_finding_ids=self._to_apply(state),
        )

    def abandon_apply(self, ctx: CommandContext, *, reason: str) -> FeedbackApplyAbandoned:
        """Give up the apply under way (its revision could not be made); decisions reopen."""
        state = self.state
        if state.status is not FeedbackStatus.APPLYING:
            raise InvalidTransition(self.id, state.status.value, "abandon the apply of")
        if not reason.strip():
            raise InvariantViolation("say why the apply was abandoned")
        return self._record(ctx, FeedbackApplyAbandoned, reason=reason)

    def apply(self, ctx: CommandContext, *, document_version: VersionNumber) -> FeedbackApplied:
        """Record that the decisions produced ``document_version``; no decision changes after."""
        state = self.state
        if state.status is not FeedbackStatus.APPLYING:
            state = self._require_open("apply")
        applied = self._to_apply(state)
        if document_version <= state.document_version:
            raise InvariantViolation(
                f"the revised version {document_version} must be newer than the reviewed "
                f"version {state.document_version}"
            )
        return self._record(
            ctx, FeedbackApplied, document_version=document_version, applied_finding_ids=applied
        )

    def _to_apply(self, state: FeedbackSessionState) -> tuple[str, ...]:
        applied = tuple(i.item.finding_id for i in state.items if i.edits)
        if not applied:
            raise InvalidTransition(
                self.id,
                state.status.value,
                "apply",
                "nothing to apply: accept or modify at least one suggestion",
            )
        return applied

    def _require_open(self, command: str) -> FeedbackSessionState:
        state = self.state
        if state.status is FeedbackStatus.APPLYING:
            raise InvalidTransition(
                self.id, state.status.value, command, "the feedback is being applied"
            )
        if state.status is not FeedbackStatus.OPEN:
            raise InvalidTransition(
                self.id, state.status.value, command, "the feedback was already applied"
            )
        return state

    def _check_no_overlap(
        self, current: FeedbackItemState, decision: Decision, text: str | None, command: str
    ) -> None:
        # Two edits of overlapping spans cannot both be applied; refuse the second up front.
        # Every place the decision would edit is checked against every edit of the others.
        mine = FeedbackItemState(current.item, decision, None, text).edits
        for other in self.state.items:
            if other.item.finding_id == current.item.finding_id:
                continue
            for edit in mine:
                clash = next(
                    (e for e in other.edits if e.start < edit.end and edit.start < e.end), None
                )
                if clash is not None:
                    raise InvalidTransition(
                        f"suggestion {current.item.finding_id!r} of {self.id}",
                        current.decision.value,
                        command,
                        f"its text at {edit.start}..{edit.end} overlaps suggestion "
                        f"{other.item.finding_id!r} ({clash.start}..{clash.end}), which is "
                        f"{other.decision.value}: reject that one first",
                    )

    def _open_item(self, finding_id: str, command: str) -> FeedbackItemState:
        state = self._require_open(command)
        item = state.item(finding_id)
        if item is None:
            raise FindingNotFound(state.review_id, finding_id)
        return item

    # --- evolve --------------------------------------------------------------------------------

    @classmethod
    def evolve(cls, state: FeedbackSessionState | None, event: DomainEvent) -> FeedbackSessionState:
        """Return the state after ``event`` (pure)."""
        if isinstance(event, FeedbackSessionOpened):
            if state is not None:
                raise InvariantViolation(f"{event.stream_id} was already opened")
            return FeedbackSessionState(
                review_id=event.review_id,
                document_id=event.document_id,
                document_version=event.document_version,
                status=FeedbackStatus.OPEN,
                items=tuple(FeedbackItemState(item) for item in event.items),
            )
        if state is None:
            raise InvariantViolation(f"{event.event_type} before FeedbackSessionOpened")
        actor = event.metadata.actor
        if isinstance(event, SuggestionAccepted):
            return _decide(state, event.finding_id, Decision.ACCEPTED, None, None, actor)
        if isinstance(event, SuggestionRejected):
            return _decide(state, event.finding_id, Decision.REJECTED, event.reason, None, actor)
        if isinstance(event, SuggestionModified):
            return _decide(state, event.finding_id, Decision.MODIFIED, None, event.text, actor)
        if isinstance(event, FeedbackApplyStarted):
            return attrs.evolve(
                state, status=FeedbackStatus.APPLYING, apply_started_by=event.event_id
            )
        if isinstance(event, FeedbackApplyAbandoned):
            return attrs.evolve(state, status=FeedbackStatus.OPEN, apply_started_by=None)
        if isinstance(event, FeedbackApplied):
            return attrs.evolve(
                state,
                status=FeedbackStatus.APPLIED,
                resulting_version=event.document_version,
                applied_finding_ids=event.applied_finding_ids,
                apply_started_by=None,
            )
        raise InvariantViolation(f"a FeedbackSession cannot apply {event.event_type}")


def _decide(
    state: FeedbackSessionState,
    finding_id: str,
    decision: Decision,
    reason: str | None,
    text: str | None,
    actor: str | None = None,
) -> FeedbackSessionState:
    items = tuple(
        FeedbackItemState(i.item, decision, reason, text, actor)
        if i.item.finding_id == finding_id
        else i
        for i in state.items
    )
    return attrs.evolve(state, items=items)
