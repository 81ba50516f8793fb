"""Feedback commands: decisions on a review's suggestions, and applying them as a new version.

Guarantees under concurrency (see ``docs/concepts/concurrency.md``):

- **The session exists with the review.** A completed review's feedback session is built from
  the review when first needed and stored with the first decision, in the same append; so a
  review never leaves a session half-made, and concurrent first decisions simply retry.
- **Decisions on different findings commute.** A decision that meets a conflict reads the
  session again and is redone (:func:`~docsense.application.retries.retry_on_conflict`).
  Only another request's *different* decision on the *same* finding, between this request's
  first read and its write, is a real conflict: ``ConcurrencyConflict`` (not retryable)
  naming the finding. The same decision made twice is one decision.
- **Apply is linearizable with decisions.** Applying first records
  ``FeedbackApplyStarted`` on the session, which freezes the decisions: a decision that
  lands before it is applied; one that comes after is refused because the feedback is
  applied. The document's revision and the session's ``FeedbackApplied`` follow, with event
  ids derived from the ``FeedbackApplyStarted`` event, so finishing an apply is idempotent:
  whoever finds a session ``applying`` (a retry, a decision, ``docsense worker``, the next
  :func:`~docsense.open`) finishes it, and concurrent finishers write the same events once.
  If the document changed first (re-uploaded, or revised by another review's feedback) the
  apply is abandoned and the decisions reopen.
- **Applying twice is refused truthfully.** Applying a session that is already applied raises
  :class:`~docsense.errors.FeedbackAlreadyApplied` (a ``ConcurrencyConflict``) naming the
  version it made; with the same ``idempotency_key`` as the first apply, the retry returns
  that version instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import attrs

from docsense.application.idempotency import derived_id, find_keyed
from docsense.application.repository import Repository
from docsense.application.retries import DEFAULT_RETRY, RetryPolicy, Sleep, retry_on_conflict
from docsense.domain.documents import Document, DocumentVersion
from docsense.domain.events import CommandContext, DomainEvent
from docsense.domain.feedback import (
    FeedbackItemState,
    FeedbackSession,
    FeedbackStatus,
    apply_edits,
)
from docsense.domain.ir import SemanticIR
from docsense.domain.review import Review, ReviewStatus
from docsense.errors import (
    AggregateNotFound,
    ConcurrencyConflict,
    FeedbackAlreadyApplied,
    IdempotencyKeyReused,
    InvalidArgument,
    InvalidTransition,
    ReviewNotFound,
    StorageError,
)
from docsense.ports import EventStore

__all__ = ["DECISIONS", "FeedbackCommands", "session_id_of"]

logger = logging.getLogger(__name__)

DECISIONS = {"accept": "SuggestionAccepted", "reject": "SuggestionRejected",
             "modify": "SuggestionModified"}
"""Decision names and the event each one records."""

Extract = Callable[[str], SemanticIR]

_APPLY_EVENTS = frozenset({"FeedbackApplyStarted", "FeedbackApplyAbandoned", "FeedbackApplied"})


def session_id_of(review_id: str) -> str:
    """Return the feedback session stream id of ``review_id``; ReviewNotFound if malformed."""
    if not review_id.startswith("review-"):
        raise ReviewNotFound(review_id)
    return FeedbackSession.id_for(review_id)


@attrs.frozen
class _Revision:
    """The text an apply produces, computed before the apply starts."""

    markdown: str
    ir: SemanticIR


class FeedbackCommands:
    """Loads feedback sessions, records decisions and applies them, over a repository."""

    def __init__(
        self,
        repository: Repository,
        events: EventStore,
        extract: Extract,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._repository = repository
        self._events = events
        self._extract = extract
        self._retry = retry
        self._sleep = sleep

    # --- sessions -----------------------------------------------------------------------

    async def _load(self, review_id: str, ctx: CommandContext) -> FeedbackSession:
        """Return the stored session, or a new (unsaved) one for a completed review."""
        stream = session_id_of(review_id)
        try:
            return await self._repository.load(FeedbackSession, stream)
        except AggregateNotFound:
            pass
        review = await self._repository.load(Review, review_id)
        state = review.state
        if state.status is not ReviewStatus.COMPLETED:
            raise InvalidTransition(
                review_id,
                state.status.value,
                "give feedback on",
                "only a completed review has suggestions",
            )
        session = FeedbackSession.open(
            ctx,
            review_id=review_id,
            document_id=state.document_id,
            document_version=state.document_version,
            findings=state.findings,
        )
        # A finding that carries over an earlier rejection starts rejected, for that reason.
        for carried in state.suppressed:
            if session.state.item(carried.finding_id) is not None:
                session.reject(ctx, carried.finding_id, reason=carried.reason)
        return session

    async def session(self, review_id: str, ctx: CommandContext) -> FeedbackSession:
        """Return the review's session with any apply left under way finished first."""
        session = await self._load(review_id, ctx)
        if session.state.status is FeedbackStatus.APPLYING:
            try:
                await self.finish_apply(session, ctx)
            except InvalidTransition as exc:  # abandoned: the document changed first
                logger.info("%s", exc)
            session = await self._load(review_id, ctx)
        return session

    async def view(self, review_id: str, ctx: CommandContext) -> FeedbackSession:
        """Return the session for reading: an apply under way is finished if the store lets us."""
        try:
            return await self.session(review_id, ctx)
        except StorageError as exc:
            if isinstance(exc, AggregateNotFound):
                raise
            logger.warning(
                "could not finish the apply of %s (%s); showing it as is", review_id, exc
            )
            return await self._load(review_id, ctx)

    # --- decisions ----------------------------------------------------------------------

    async def decide(
        self,
        review_id: str,
        finding_id: str,
        decision: str,
        ctx: CommandContext,
        *,
        reason: str | None = None,
        text: str | None = None,
    ) -> FeedbackSession:
        """Accept, reject (with ``reason``) or modify (with ``text``) one suggestion."""
        if decision not in DECISIONS:
            raise InvalidArgument(f"decision {decision!r}: use accept, reject or modify")
        key = ctx.metadata.idempotency_key
        if key is not None:
            earlier = await find_keyed(self._events, session_id_of(review_id), key)
            others = [e for e in earlier if e.event_type != "FeedbackSessionOpened"]
            if any(
                e.event_type != DECISIONS[decision] or e.payload.get("finding_id") != finding_id
                for e in others
            ):
                raise IdempotencyKeyReused(key, f"for another request on {review_id}")
            if others:
                return await self.session(review_id, ctx)
        first_seen: list[FeedbackItemState | None] = []

        async def attempt() -> FeedbackSession:
            session = await self.session(review_id, ctx)
            seen = session.state.item(finding_id)
            if not first_seen:
                first_seen.append(seen)
            event = _record_decision(session, ctx, finding_id, decision, reason, text)
            if event is not None and seen is not None and seen != first_seen[0]:
                raise ConcurrencyConflict(
                    session.id,
                    None,
                    session.saved_version,
                    detail=(
                        f"cannot {decision} suggestion {finding_id!r} of {review_id}: another "
                        f"request made it {seen.decision.value} meanwhile; look at it again "
                        "and decide"
                    ),
                    retryable=False,
                )
            await self._repository.save(session)
            return session

        return await retry_on_conflict(
            attempt,
            what=f"{decision} suggestion {finding_id} of {review_id}",
            policy=self._retry,
            sleep=self._sleep,
        )

    # --- apply --------------------------------------------------------------------------

    async def apply(self, review_id: str, ctx: CommandContext) -> tuple[Document, DocumentVersion]:
        """Apply the accepted and modified suggestions; return the document and new version."""
        key = ctx.metadata.idempotency_key
        if key is not None:
            earlier = await find_keyed(self._events, session_id_of(review_id), key)
            if any(e.event_type not in _APPLY_EVENTS for e in earlier):
                raise IdempotencyKeyReused(key, f"for another request on {review_id}")
            if earlier:
                session = await self.session(review_id, ctx)
                made = session.state.resulting_version
                if made is not None:
                    doc = await self._repository.load(Document, session.state.document_id)
                    version = doc.state.find_version(made)
                    assert version is not None
                    return doc, version
        session = await self.session(review_id, ctx)
        if session.state.status is FeedbackStatus.APPLIED:
            raise _already_applied(session, meanwhile=False)
        prepared: dict[tuple[object, ...], _Revision] = {}

        async def attempt() -> tuple[FeedbackSession, _Revision]:
            current = await self.session(review_id, ctx)
            state = current.state
            if state.status is FeedbackStatus.APPLIED:
                raise _already_applied(current, meanwhile=True)
            doc = await self._repository.load(Document, state.document_id)
            if doc.state.current.number != state.document_version:
                raise InvalidTransition(
                    current.id,
                    state.status.value,
                    "apply",
                    f"the review was of version {state.document_version} but the document is "
                    f"now at {doc.state.current.label}: review the current version again",
                )
            edits = state.edits()
            if not edits:
                raise InvalidTransition(
                    current.id,
                    state.status.value,
                    "apply",
                    "accept or modify at least one suggestion first",
                )
            revision = prepared.get(edits)
            if revision is None:
                revision = await self._revision(doc.state.current, current)
                prepared[edits] = revision
            current.begin_apply(ctx)
            await self._repository.save(current)
            return current, revision

        started, revision = await retry_on_conflict(
            attempt, what=f"apply the feedback of {review_id}", policy=self._retry,
            sleep=self._sleep,
        )
        return await self.finish_apply(started, ctx, revision)

    async def _revision(self, base: DocumentVersion, session: FeedbackSession) -> _Revision:
        markdown = apply_edits(base.markdown or "", session.state.edits())
        ir = await asyncio.to_thread(self._extract, markdown)
        return _Revision(markdown, ir)

    async def finish_apply(
        self,
        session: FeedbackSession,
        ctx: CommandContext,
        prepared: _Revision | None = None,
    ) -> tuple[Document, DocumentVersion]:
        """Write the revision of an ``applying`` session (once), then close the session.

        Raises InvalidTransition, after reopening the decisions, if the document changed
        before the revision could be written.
        """
        state = session.state
        started = state.apply_started_by
        if state.status is not FeedbackStatus.APPLYING or started is None:
            raise InvalidTransition(session.id, state.status.value, "finish applying")
        # Whoever finishes the apply records it as part of the apply, not of their own
        # request: its idempotency key stays on FeedbackApplyStarted alone.
        plain = attrs.evolve(ctx.metadata, idempotency_key=None)

        def stamped(step: str) -> CommandContext:
            the_id = derived_id(started, step)
            return attrs.evolve(ctx, new_id=lambda: the_id, metadata=plain)

        async def write_revision() -> tuple[Document, DocumentVersion]:
            doc = await self._repository.load(Document, state.document_id)
            made = doc.state.revision_from(session.id)
            if made is not None:
                return doc, made
            base = doc.state.current
            if base.number != state.document_version:
                await self._abandon(
                    session.id,
                    stamped("abandoned"),
                    f"{doc.id} changed to version {base.label} before the revision was written",
                )
                raise InvalidTransition(
                    session.id,
                    "applying",
                    "apply",
                    f"the document changed to version {base.label} meanwhile: review the "
                    "current version again",
                )
            revision = prepared or await self._revision(base, session)
            doc.revise(
                stamped("revised"),
                markdown=revision.markdown,
                sections=revision.ir.sections,
                ir=revision.ir,
                review_id=state.review_id,
                feedback_session_id=session.id,
                applied_finding_ids=tuple(
                    i.item.finding_id for i in state.items if i.edits
                ),
            )
            await self._repository.save(doc, remember=False)  # (a rival may have written it)
            return doc, doc.state.current

        doc, made = await retry_on_conflict(
            write_revision, what=f"revise {state.document_id}", policy=self._retry,
            sleep=self._sleep,
        )

        async def close() -> None:
            current = await self._repository.load(FeedbackSession, session.id)
            if current.state.status is FeedbackStatus.APPLIED:
                return
            current.apply(stamped("applied"), document_version=made.number)
            await self._repository.save(current, remember=False)

        await retry_on_conflict(
            close, what=f"close {session.id}", policy=self._retry, sleep=self._sleep
        )
        logger.info("applied %s: %s is now %s", session.id, doc.id, made.label)
        return doc, made

    async def _abandon(self, session_id: str, ctx: CommandContext, reason: str) -> None:
        async def attempt() -> None:
            current = await self._repository.load(FeedbackSession, session_id)
            if current.state.status is FeedbackStatus.APPLYING:
                current.abandon_apply(ctx, reason=reason)
                await self._repository.save(current, remember=False)

        await retry_on_conflict(
            attempt, what=f"abandon the apply of {session_id}", policy=self._retry,
            sleep=self._sleep,
        )


def _already_applied(session: FeedbackSession, *, meanwhile: bool) -> FeedbackAlreadyApplied:
    state = session.state
    return FeedbackAlreadyApplied(
        state.review_id, state.document_id, str(state.resulting_version), meanwhile=meanwhile
    )


def _record_decision(
    session: FeedbackSession,
    ctx: CommandContext,
    finding_id: str,
    decision: str,
    reason: str | None,
    text: str | None,
) -> DomainEvent | None:
    """Run the decision command; return its event (None: that decision stands already)."""
    if decision == "accept":
        return session.accept(ctx, finding_id)
    if decision == "reject":
        return session.reject(ctx, finding_id, reason=reason or "")
    return session.modify(ctx, finding_id, text=text or "")
