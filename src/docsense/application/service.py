"""The application service: every user operation, over the ports, as async methods.

The facade (:mod:`docsense._client`) wraps this with lifecycle, settings and views; tests and
embedding applications can use it directly. Each operation:

1. runs under a correlation id (shared with the log records it emits),
2. loads aggregates through the :class:`~docsense.application.repository.Repository`,
3. calls their commands with a :class:`~docsense.domain.events.CommandContext` carrying the
   clock, fresh ids, the actor and the correlation id,
4. saves them with optimistic concurrency; commands whose effects commute retry a conflict
   internally (:mod:`~docsense.application.retries`), and commands that change two streams
   are made safe to finish on retry (:mod:`~docsense.application.feedback`).

Every command writes one stream in one append, except applying feedback (see
:mod:`~docsense.application.feedback`) and recording a policy pack the first time it is
used (a shared catalogue entry, idempotent). A review's events are appended together when
it has finished, so a review that is interrupted leaves nothing behind. Ingesting a file
whose bytes are already stored returns the document that has them, and ``idempotency_key=``
makes a retried request return the first one's result
(:mod:`~docsense.application.idempotency`). ``docs/concepts/concurrency.md`` has the table
of what each command guarantees.

Reads for lists and history go to the read models, caught up first so a caller always sees
its own writes; if the store refuses that write (a full disk, a read-only file) the read
models answer as they stand rather than failing the read.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from docsense import telemetry
from docsense.adapters.convert import IngestLimits
from docsense.application.feedback import FeedbackCommands
from docsense.application.idempotency import (
    check_key,
    keyed_stream_id,
)
from docsense.application.ids import new_id
from docsense.application.ingest import IngestCommands, load_document
from docsense.application.projections import ProjectionRunner
from docsense.application.read_models import (
    audit_log,
    builtin_projections,
    find_findings,
    list_documents,
    list_reviews,
)
from docsense.application.repository import Repository
from docsense.application.retries import DEFAULT_RETRY, RetryPolicy, Sleep, retry_on_conflict
from docsense.domain.documents import Document, DocumentVersion, VersionNumber
from docsense.domain.events import CommandContext, EventMetadata
from docsense.domain.feedback import Decision, FeedbackSession
from docsense.domain.findings import DEFAULT_MIN_CONFIDENCE, Finding
from docsense.domain.policies import Policy, PolicyPack
from docsense.domain.review import PackRef, Review, ReviewStatus, Suppression, score_text
from docsense.errors import (
    AggregateNotFound,
    ConcurrencyConflict,
    DocSenseError,
    IdempotencyKeyReused,
    InputFileNotFound,
    InvalidArgument,
    InvalidTransition,
    ReviewError,
    ReviewNotFound,
    StorageError,
    VersionNotFound,
)
from docsense.extraction import extract_ir
from docsense.logs import correlation_scope
from docsense.policies import LoadedPack, load_pack
from docsense.ports import JSONObject, Reviewer, Storage
from docsense.review.engine import (
    ReviewDocument,
    ReviewOutcome,
    ReviewStats,
    min_confidence_argument,
    run_review,
)
from docsense.review.reviewers import resolve_reviewer

__all__ = ["DocSenseService", "ReviewResult", "pack_stream_id"]

logger = logging.getLogger(__name__)

_PACK_NAMESPACE = uuid.UUID("9f1c7c1e-5d3b-4b8e-9a52-2f6c1d0e7a11")


def pack_stream_id(pack: LoadedPack) -> str:
    """Return the id of the stream a pack is recorded in (``policypack-<uuid5 of its key>``)."""
    return f"policypack-{uuid.uuid5(_PACK_NAMESPACE, pack.key)}"


@attrs.frozen
class ReviewResult:
    """A finished (or failed) review: the aggregate's state and the full outcome if fresh."""

    review: Review
    outcome: ReviewOutcome | None
    packs: tuple[LoadedPack, ...]


class DocSenseService:
    """All docsense operations on one store, as coroutines.

    ``retry`` bounds the internal retries of commands that commute; ``sleep`` waits between
    them (tests pass one that does not wait). ``cache_size`` aggregates stay decoded in
    memory between commands (see :class:`~docsense.application.repository.Repository`).
    """

    def __init__(
        self,
        storage: Storage,
        *,
        actor: str = "docsense",
        reviewer: str = "rules",
        packs: Sequence[str] = ("self-containment",),
        snapshot_every: int = 100,
        limits: IngestLimits | None = None,
        reviewer_factory: Callable[[str], Reviewer] = resolve_reviewer,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
        cache_size: int = 32,
    ) -> None:
        self.storage = storage
        self.repository = Repository(
            storage, storage, snapshot_every=snapshot_every, cache_size=cache_size
        )
        self.projections = ProjectionRunner(storage, storage.projections, builtin_projections())
        self.actor = actor
        self.default_reviewer = reviewer
        self.default_packs = (packs,) if isinstance(packs, str) else tuple(packs)
        self.limits = limits or IngestLimits()
        self.default_min_confidence = min_confidence_argument(min_confidence)
        self.feedback_commands = FeedbackCommands(
            self.repository, storage, extract_ir, retry=retry, sleep=sleep
        )
        self.ingest_commands = IngestCommands(
            storage,
            self.repository,
            limits=self.limits,
            fresh=self._fresh_read_models,
            retry=retry,
            sleep=sleep,
        )
        self._reviewer_factory = reviewer_factory
        self.clock = clock
        self._retry = retry
        self._sleep = sleep

    def _context(
        self, correlation_id: str, actor: str | None, key: str | None = None
    ) -> CommandContext:
        return CommandContext(
            now=self.clock,
            new_id=new_id,
            metadata=EventMetadata(
                actor=actor or self.actor, correlation_id=correlation_id, idempotency_key=key
            ),
        )

    async def _retrying(self, attempt: Callable[[], Any], what: str) -> Any:
        return await retry_on_conflict(attempt, what=what, policy=self._retry, sleep=self._sleep)

    # --- ingest -------------------------------------------------------------------------

    async def ingest(
        self,
        data: bytes,
        filename: str,
        *,
        title: str | None = None,
        document_id: str | None = None,
        declared_mime: str | None = None,
        actor: str | None = None,
        idempotency_key: str | None = None,
        force_new: bool = False,
    ) -> Document:
        """Convert and store a file: a new document, or a new major version of ``document_id``.

        Bytes already stored return the document that has them (its current state) unless
        ``force_new``; re-uploading a document's current bytes returns it unchanged. With
        ``idempotency_key``, a retry of this request returns what the first one stored.
        """
        key = check_key(idempotency_key)
        with correlation_scope() as cid:
            return await self.ingest_commands.ingest(
                data,
                filename,
                self._context(cid, actor, key),
                title=title,
                document_id=document_id,
                declared_mime=declared_mime,
                force_new=force_new,
            )

    async def ingest_path(self, path: str | Path, **kwargs: Any) -> Document:
        """Read ``path`` and ingest it (see :meth:`ingest`).

        A missing file raises :class:`~docsense.errors.InputFileNotFound` (a
        ``FileNotFoundError``).
        """
        p = Path(path)
        try:
            data = await asyncio.to_thread(p.read_bytes)
        except FileNotFoundError:
            raise InputFileNotFound(str(p)) from None
        except OSError as exc:
            raise InvalidArgument(f"cannot read {p}: {exc.strerror or exc}") from exc
        return await self.ingest(data, p.name, **kwargs)

    # --- documents ----------------------------------------------------------------------

    async def document(self, document_id: str) -> Document:
        """Load a document aggregate (every version is in its state).

        An unknown id raises :class:`~docsense.errors.DocumentNotFound` (a LookupError).
        """
        return await load_document(self.repository, document_id)

    def reviewer_for(self, spec: str) -> Reviewer:
        """Return the reviewer of ``spec`` from this service's reviewer factory."""
        return self._reviewer_factory(spec)

    @staticmethod
    def review_document(doc: Document, target: DocumentVersion) -> ReviewDocument:
        """Return what a reviewer reads of ``target`` (a version of ``doc``)."""
        return _review_document(doc, target)

    @staticmethod
    def version_of(doc: Document, version: str | VersionNumber | None) -> DocumentVersion:
        """Return ``version`` of ``doc`` (default: current); raise VersionNotFound if absent."""
        if version is None:
            return doc.state.current
        try:
            found = doc.state.find_version(version)
        except DocSenseError:
            found = None
        if found is None:
            raise VersionNotFound(doc.id, str(version), [v.label for v in doc.state.versions])
        return found

    async def original_bytes(self, document_id: str, version: str | None = None) -> bytes:
        """Return the uploaded file of a version (revisions share their base's file)."""
        doc = await self.document(document_id)
        return await self.storage.get_blob(self.version_of(doc, version).sha256)

    # --- policy packs -------------------------------------------------------------------

    async def _pack_ref(self, pack: LoadedPack, ctx: CommandContext) -> PackRef:
        """Record ``pack`` at its version in the pack's stream; return the reference."""
        stream = pack_stream_id(pack)

        async def attempt() -> PackRef:
            try:
                aggregate = await self.repository.load(PolicyPack, stream)
            except AggregateNotFound:
                aggregate = pack.create_aggregate(ctx, pack_id=stream)  # created and published
            if aggregate.state.published_version(pack.version) is None:
                _sync_policies(aggregate, pack, ctx)
                aggregate.publish(ctx, version=pack.version)
            await self.repository.save(aggregate)
            return PackRef(pack_id=stream, version=pack.version)

        ref: PackRef = await self._retrying(attempt, f"record pack {pack.key!r}")
        return ref

    async def load_packs(self, packs: Sequence[str | LoadedPack] | str | None) -> tuple[
        LoadedPack, ...
    ]:
        """Load ``packs`` (default: the service's), off the event loop; a string is one pack."""
        chosen = packs if packs is not None else self.default_packs
        if isinstance(chosen, str | LoadedPack):
            chosen = (chosen,)
        if not chosen:
            raise InvalidArgument("name at least one policy pack")
        return await asyncio.to_thread(
            lambda: tuple(p if isinstance(p, LoadedPack) else load_pack(p) for p in chosen)
        )

    async def reviewer(self, reviewer: str | Reviewer | None = None) -> Reviewer:
        """Return the reviewer for a spec (default: the service's), built off the event loop."""
        spec = reviewer if reviewer is not None else self.default_reviewer
        if not isinstance(spec, str):
            return spec
        built: Reviewer = await asyncio.to_thread(self._reviewer_factory, spec)
        return built

    # --- review -------------------------------------------------------------------------

    async def review(
        self,
        document_id: str,
        *,
        packs: Sequence[str | LoadedPack] | str | None = None,
        reviewer: str | Reviewer | None = None,
        version: str | None = None,
        actor: str | None = None,
        review_id: str | None = None,
        fail_on_error: bool = True,
        min_confidence: float | None = None,
        idempotency_key: str | None = None,
    ) -> ReviewResult:
        """Review a document version and record the review, all its events in one append.

        Nothing is stored until the review has finished, so an interrupted review leaves
        nothing behind; the review names its document and version, and the ``reviews``
        read model lists it with the document's other reviews. ``min_confidence`` (default:
        the service's) is the review's confidence threshold: findings below it are recorded
        but not shown, scored or offered for feedback.

        With ``review_id`` (a queued job's) or ``idempotency_key`` the review's id is fixed:
        a call for a review that already finished returns it (a failed one raises its
        failure again), and of two concurrent runs one stores its result and both return
        it. ``fail_on_error=False`` records nothing when the reviewer fails (a job that will
        be retried).
        """
        key = check_key(idempotency_key)
        if key is not None:
            if review_id is not None:
                raise InvalidArgument("give review_id or idempotency_key, not both")
            review_id = keyed_stream_id("review", key)
        threshold = self.default_min_confidence
        if min_confidence is not None:
            threshold = min_confidence_argument(min_confidence)
        with correlation_scope() as cid, telemetry.review_span(document_id) as traced:
            ctx = self._context(cid, actor, key)
            doc = await self.document(document_id)
            target = self.version_of(doc, version)
            review = await self._existing_review(review_id, doc, target, key)
            if review is not None and review.state.status is not ReviewStatus.STARTED:
                return await self._finished(review)
            if not target.converted:
                raise InvalidTransition(
                    document_id, "uploaded", "review", "the version has not been converted"
                )
            loaded = await self.load_packs(packs)
            chosen = await self.reviewer(reviewer)
            traced.set_attribute("docsense.reviewer", chosen.spec)
            traced.set_attribute("docsense.document.version", target.label)
            if review is None:  # (a STARTED one was written by an older docsense: resume it)
                refs = [await self._pack_ref(p, ctx) for p in loaded]
                review = Review.start(
                    ctx,
                    document_id=doc.id,
                    document_version=target.number,
                    packs=refs,
                    reviewer=chosen.spec,
                    review_id=review_id,
                    min_confidence=threshold,
                )
            request = await asyncio.to_thread(_review_document, doc, target)
            try:
                outcome = await run_review(
                    request, loaded, chosen, min_confidence=review.state.min_confidence
                )
            except DocSenseError as exc:
                if fail_on_error:
                    review.fail(ctx, reason=str(exc), retryable=True)
                    await self._save_review(review, fixed_id=review_id is not None)
                raise
            carried = await self.carried_rejections(doc.id, review.id, outcome.all_findings)
            await asyncio.to_thread(_record_outcome, review, ctx, outcome, carried)
            outcome = attrs.evolve(outcome, suppressed=review.state.suppressed)
            stored = await self._save_review(review, fixed_id=review_id is not None)
            traced.set_attribute("docsense.review.id", review.id)
            traced.set_attribute("docsense.findings", len(outcome.findings))
            if stored is not review:
                return await self._finished(stored)  # a rival run of the same review won
            logger.info(
                "reviewed %s %s: score %s, %d findings",
                doc.id,
                target.label,
                score_text(outcome.score, none="none (nothing assessed)"),
                len(outcome.findings),
            )
            return ReviewResult(review, outcome, loaded)

    async def _existing_review(
        self,
        review_id: str | None,
        doc: Document,
        target: DocumentVersion,
        key: str | None,
    ) -> Review | None:
        if review_id is None:
            return None
        try:
            review: Review = await self.repository.load(Review, review_id)
        except ReviewNotFound:
            return None
        state = review.state
        if key is not None and (state.document_id, state.document_version) != (
            doc.id,
            target.number,
        ):
            raise IdempotencyKeyReused(
                key, f"to review {state.document_id} version {state.document_version}"
            )
        return review

    async def _finished(self, review: Review) -> ReviewResult:
        state = review.state
        if state.status is ReviewStatus.FAILED:
            raise ReviewError(f"review {review.id} failed: {state.failure_reason}")
        return await self.load_review(review.id)

    async def _save_review(self, review: Review, *, fixed_id: bool) -> Review:
        """Append the review's events; with a fixed id, a rival's stored review wins."""
        try:
            await self.repository.save(review)
        except ConcurrencyConflict:
            if not fixed_id:
                raise
            stored: Review = await self.repository.load(Review, review.id)
            return stored
        return review

    async def load_review(self, review_id: str) -> ReviewResult:
        """Load a stored review; its outcome is rebuilt from the stored state."""
        if not isinstance(review_id, str) or not review_id.startswith("review-"):
            raise ReviewNotFound(str(review_id))
        review = await self.repository.load(Review, review_id)
        state = review.state
        doc = await self.document(state.document_id)
        target = self.version_of(doc, state.document_version)
        packs = []
        for ref in state.packs:
            pack = await self.repository.load(PolicyPack, ref.pack_id)
            packs.append(
                LoadedPack(
                    key=pack.state.pack_key,
                    name=pack.state.name,
                    version=ref.version,
                    policies=_published_policies(pack, ref.version),
                    jurisdiction=pack.state.jurisdiction,
                    description=pack.state.description,
                    origin="store",
                )
            )
        outcome = None
        if state.status is ReviewStatus.COMPLETED:
            outcome = ReviewOutcome(
                document=await asyncio.to_thread(_review_document, doc, target),
                packs=tuple(packs),
                reviewer=state.reviewer,
                findings=state.findings,
                all_findings=state.all_findings,
                min_confidence=state.min_confidence,
                policy_statuses=state.policy_statuses,
                score=state.score,
                stats=ReviewStats(
                    grounded=sum(max(1, len(f.occurrences)) for f in state.all_findings),
                    dropped_ungrounded=state.ungrounded_dropped,
                ),
                usage=state.usage,
                duration_ms=state.duration_ms or 0,
                warnings=state.warnings,
                suppressed=state.suppressed,
            )
        return ReviewResult(review, outcome, tuple(packs))

    async def carried_rejections(
        self, document_id: str, review_id: str, findings: Sequence[Finding]
    ) -> tuple[Suppression, ...]:
        """Return the suppressions of ``findings`` (of review ``review_id``) that carry over.

        The earlier completed reviews of the document are read in order: a finding rejected
        with a reason in a review's feedback stays rejected while later reviews keep finding
        it (same fingerprint); a review that no longer finds it, or a later decision to
        accept or modify it, ends the suppression.
        """
        await self._fresh_read_models()
        rows = await list_reviews(
            self.storage.projections, document_id=document_id, status="completed", limit=10_000
        )
        earlier: list[Review] = []
        for row in rows:
            if row["id"] == review_id:
                continue
            try:
                earlier.append(await self.repository.load(Review, row["id"]))
            except AggregateNotFound:
                continue
        earlier.sort(key=lambda r: (r.state.finished_at or r.state.started_at, r.id))
        carried: dict[str, Suppression] = {}
        for r in earlier:
            present = {f.fingerprint for f in r.state.all_findings}
            carried = {fp: s for fp, s in carried.items() if fp in present}
            for s in r.state.suppressed:
                carried.setdefault(s.fingerprint, s)
            try:
                session = await self.repository.load(FeedbackSession, FeedbackSession.id_for(r.id))
            except AggregateNotFound:
                continue
            for item in session.state.items:
                found = r.state.finding(item.item.finding_id)
                if found is None:
                    continue
                print_ = found.fingerprint
                if item.decision is Decision.REJECTED and item.reason:
                    kept = carried.get(print_)
                    if kept is None or kept.reason != item.reason:
                        carried[print_] = Suppression(
                            finding_id=found.id,
                            fingerprint=print_,
                            reason=item.reason,
                            rejected_by=item.decided_by or "unknown",
                            rejected_in=r.id,
                        )
                elif item.decision in (Decision.ACCEPTED, Decision.MODIFIED):
                    carried.pop(print_, None)
        return tuple(
            attrs.evolve(carried[f.fingerprint], finding_id=f.id)
            for f in findings
            if f.fingerprint in carried
        )

    async def fail_interrupted_review(self, review_id: str, *, reason: str) -> bool:
        """Record a review that was started but never finished as failed (retryable).

        Only reviews written by an older docsense can be in that state (this one stores a
        review when it has finished). Returns False if the review is not ``started``.
        """
        with correlation_scope() as cid:
            ctx = self._context(cid, None)

            async def attempt() -> bool:
                review: Review = await self.repository.load(Review, review_id)
                if review.state.status is not ReviewStatus.STARTED:
                    return False
                review.fail(ctx, reason=reason, retryable=True)
                await self.repository.save(review)
                return True

            done: bool = await self._retrying(attempt, f"fail {review_id}")
            return done

    # --- feedback -----------------------------------------------------------------------

    async def feedback(self, review_id: str) -> FeedbackSession:
        """Return the feedback session of a completed review (an apply under way is finished)."""
        with correlation_scope() as cid:
            return await self.feedback_commands.view(review_id, self._context(cid, None))

    async def decide(
        self,
        review_id: str,
        finding_id: str,
        decision: str,
        *,
        reason: str | None = None,
        text: str | None = None,
        actor: str | None = None,
        idempotency_key: str | None = None,
    ) -> FeedbackSession:
        """Accept, reject (with ``reason``) or modify (with ``text``) one suggestion.

        Decisions on different findings never conflict (they retry internally); another
        request's different decision on the same finding at the same time raises
        ``ConcurrencyConflict``.
        """
        key = check_key(idempotency_key)
        with correlation_scope() as cid:
            return await self.feedback_commands.decide(
                review_id,
                finding_id,
                decision,
                self._context(cid, actor, key),
                reason=reason,
                text=text,
            )

    async def apply_feedback(
        self, review_id: str, *, actor: str | None = None, idempotency_key: str | None = None
    ) -> Document:
        """Apply the accepted and modified suggestions as a new minor version.

        Applying feedback that is already applied raises
        :class:`~docsense.errors.FeedbackAlreadyApplied` naming the version it made, unless
        ``idempotency_key`` is the first apply's key: then that document is returned.
        """
        key = check_key(idempotency_key)
        with correlation_scope() as cid:
            doc, _ = await self.feedback_commands.apply(
                review_id, self._context(cid, actor, key)
            )
            return doc

    # --- export -------------------------------------------------------------------------

    async def export(
        self,
        document_id: str,
        fmt: str = "md",
        *,
        version: str | None = None,
        actor: str | None = None,
    ) -> bytes:
        """Return a version as Markdown or DOCX bytes, and record the export."""
        from docsense.adapters.export import markdown_to_docx

        if fmt not in ("md", "docx"):
            raise InvalidArgument(f"export format {fmt!r}: use 'md' or 'docx'")
        with correlation_scope() as cid:
            ctx = self._context(cid, actor)
            doc = await self.document(document_id)
            target = self.version_of(doc, version)
            markdown = target.markdown or ""
            data = (
                markdown.encode("utf-8")
                if fmt == "md"
                else await asyncio.to_thread(markdown_to_docx, markdown, doc.state.title)
            )

            async def attempt() -> None:
                current = await self.document(document_id)
                current.export(ctx, format=fmt, version=target.number)
                await self.repository.save(current)

            await self._retrying(attempt, f"record the export of {document_id}")
            return data

    # --- read models --------------------------------------------------------------------

    async def catch_up(self) -> None:
        """Bring the read models up to date (read-your-writes for list queries)."""
        await self.projections.catch_up()

    async def _fresh_read_models(self, name: str | None = None) -> None:
        """Catch the read models up if the store allows it; else read them as they stand."""
        try:
            await self.projections.catch_up(name)
        except StorageError as exc:
            logger.warning("read models not brought up to date (%s); they may lag", exc)

    async def documents(self, *, limit: int = 50, offset: int = 0) -> list[JSONObject]:
        """List documents, most recently updated first."""
        await self._fresh_read_models()
        return await list_documents(self.storage.projections, limit=limit, offset=offset)

    async def reviews(
        self, document_id: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[JSONObject]:
        """List reviews (of one document), newest first."""
        await self._fresh_read_models()
        return await list_reviews(
            self.storage.projections, document_id=document_id, limit=limit, offset=offset
        )

    async def findings(
        self, *, limit: int = 50, offset: int = 0, **filters: Any
    ) -> list[JSONObject]:
        """Search findings across documents (see ``read_models.find_findings`` for filters)."""
        await self._fresh_read_models()
        return await find_findings(self.storage.projections, limit=limit, offset=offset, **filters)

    async def history(
        self, document_id: str, *, limit: int = 1000, offset: int = 0
    ) -> list[JSONObject]:
        """Every event about a document in order, with actor, time, type and summary."""
        await self.document(document_id)  # a typed error for unknown documents
        await self._fresh_read_models()
        return await audit_log(
            self.storage.projections, document_id=document_id, limit=limit, offset=offset
        )


def _record_outcome(
    review: Review,
    ctx: CommandContext,
    outcome: ReviewOutcome,
    carried: Sequence[Suppression] = (),
) -> None:
    known = {f.id for f in review.state.all_findings}  # an older docsense's cut-off run's
    new_findings = [f for f in outcome.all_findings if f.id not in known]
    if new_findings or not known:
        review.record_findings(
            ctx, new_findings, ungrounded_dropped=outcome.stats.dropped_ungrounded
        )
    already = {s.finding_id for s in review.state.suppressed}
    review.suppress(ctx, [s for s in carried if s.finding_id not in already])
    review.complete(
        ctx,
        score=outcome.score,
        policy_statuses={o.policy_id: o.status for o in outcome.policy_statuses},
        usage=outcome.usage,
        duration_ms=outcome.duration_ms,
        warnings=outcome.warnings,
    )


def _sync_policies(aggregate: PolicyPack, pack: LoadedPack, ctx: CommandContext) -> None:
    """Bring a pack's draft in line with ``pack`` (add, update, retire policies)."""
    state = aggregate.state
    wanted = {p.id: p for p in pack.policies}
    for policy in pack.policies:
        current = state.policy(policy.id)
        if current is None and not state.is_retired(policy.id):
            aggregate.add_policy(ctx, policy)
        elif current is not None and current != policy:
            aggregate.update_policy(ctx, policy)
    for policy in state.policies:
        if policy.id not in wanted:
            aggregate.retire_policy(ctx, policy.id, reason=f"not in version {pack.version}")


def _published_policies(pack: PolicyPack, version: str) -> tuple[Policy, ...]:
    published = pack.state.published_version(version)
    return published.policies if published is not None else pack.state.policies


def _review_document(doc: Document, target: DocumentVersion) -> ReviewDocument:
    """Return what a reviewer reads of one version (the IR is extracted if none was stored)."""
    return ReviewDocument(
        markdown=target.markdown or "",
        sections=tuple(target.sections),
        ir=target.ir or extract_ir(target.markdown or ""),
        id=doc.id,
        title=doc.state.title,
        version=target.label,
        source=target.source.filename if target.source else None,
        anchors=target.anchors,
    )
