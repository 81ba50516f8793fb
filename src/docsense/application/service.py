"""The application service: every user operation, over the ports, as async methods.

The facade (:mod:`docsense._client`) wraps this with lifecycle, settings and views; tests and
embedding applications can use it directly. Each operation:

1. runs under a correlation id (shared with the log records it emits),
2. loads aggregates through the :class:`~docsense.application.repository.Repository`,
3. calls their commands with a :class:`~docsense.domain.events.CommandContext` carrying the
   clock, fresh ids, the actor and the correlation id,
4. saves them with optimistic concurrency.

Reads for lists and history go to the read models, caught up first so a caller always sees
its own writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from docsense.adapters.convert import IngestLimits, convert_document
from docsense.application.projections import ProjectionRunner
from docsense.application.read_models import (
    audit_log,
    builtin_projections,
    find_findings,
    list_documents,
    list_reviews,
)
from docsense.application.repository import Repository
from docsense.domain.documents import Document, DocumentVersion, VersionNumber
from docsense.domain.events import CommandContext, EventMetadata
from docsense.domain.feedback import FeedbackSession, apply_edits
from docsense.domain.findings import DEFAULT_MIN_CONFIDENCE
from docsense.domain.policies import Policy, PolicyPack
from docsense.domain.review import PackRef, Review, ReviewStatus
from docsense.errors import (
    AggregateNotFound,
    ConcurrencyConflict,
    DocSenseError,
    InvalidArgument,
    InvalidTransition,
    ReviewError,
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

__all__ = ["DocSenseService", "ReviewResult"]

logger = logging.getLogger(__name__)

_PACK_NAMESPACE = uuid.UUID("9f1c7c1e-5d3b-4b8e-9a52-2f6c1d0e7a11")


@attrs.frozen
class ReviewResult:
    """A finished (or failed) review: the aggregate's state and the full outcome if fresh."""

    review: Review
    outcome: ReviewOutcome | None
    packs: tuple[LoadedPack, ...]


class DocSenseService:
    """All docsense operations on one store, as coroutines."""

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
    ) -> None:
        self.storage = storage
        self.repository = Repository(storage, storage, snapshot_every=snapshot_every)
        self.projections = ProjectionRunner(storage, storage.projections, builtin_projections())
        self.actor = actor
        self.default_reviewer = reviewer
        self.default_packs = tuple(packs)
        self.limits = limits or IngestLimits()
        self._reviewer_factory = reviewer_factory
        self._clock = clock
        self.default_min_confidence = min_confidence_argument(min_confidence)

    def _context(self, correlation_id: str, actor: str | None) -> CommandContext:
        return CommandContext(
            now=self._clock,
            new_id=lambda: str(uuid.uuid4()),
            metadata=EventMetadata(actor=actor or self.actor, correlation_id=correlation_id),
        )

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
    ) -> Document:
        """Convert and store a file: a new document, or a new major version of ``document_id``."""
        with correlation_scope() as cid:
            ctx = self._context(cid, actor)
            converted = await asyncio.to_thread(
                convert_document, data, filename, declared_mime=declared_mime, limits=self.limits
            )
            ir = await asyncio.to_thread(
                extract_ir, converted.markdown, converted.sections, converted.anchors
            )
            sha256 = await self.storage.put_blob(data)
            media_type = converted.media_type.value
            if document_id is None:
                doc = Document.upload(
                    ctx,
                    filename=converted.filename,
                    media_type=media_type,
                    size=len(data),
                    sha256=sha256,
                    title=title or converted.title or None,
                )
            else:
                doc = await self.repository.load(Document, document_id)
                if doc.state.current.sha256 == sha256:
                    raise InvalidArgument(
                        f"{converted.filename}: the same bytes as version "
                        f"{doc.state.current.label} of {document_id}; nothing to upload"
                    )
                doc.reupload(
                    ctx,
                    filename=converted.filename,
                    media_type=media_type,
                    size=len(data),
                    sha256=sha256,
                )
            doc.convert(
                ctx,
                markdown=converted.markdown,
                sections=converted.sections,
                ir=ir,
                converter=f"docsense:{converted.media_type.name.lower()}",
                warnings=converted.warnings,
                page_count=converted.pages,
                word_count=converted.words,
                anchors=converted.anchors,
            )
            await self.repository.save(doc)
            logger.info(
                "ingested %s as %s version %s", converted.filename, doc.id, doc.state.current.label
            )
            return doc

    async def ingest_path(self, path: str | Path, **kwargs: Any) -> Document:
        """Read ``path`` and ingest it (see :meth:`ingest`)."""
        p = Path(path)
        try:
            data = await asyncio.to_thread(p.read_bytes)
        except OSError as exc:
            raise InvalidArgument(f"cannot read {p}: {exc.strerror or exc}") from exc
        return await self.ingest(data, p.name, **kwargs)

    # --- documents ----------------------------------------------------------------------

    async def document(self, document_id: str) -> Document:
        """Load a document aggregate (every version is in its state)."""
        if not document_id.startswith("document-"):
            raise InvalidArgument(f"{document_id!r} is not a document id (document-...)")
        return await self.repository.load(Document, document_id)

    @staticmethod
    def version_of(doc: Document, version: str | VersionNumber | None) -> DocumentVersion:
        """Return ``version`` of ``doc`` (default: current); raise InvalidArgument if absent."""
        if version is None:
            return doc.state.current
        found = doc.state.find_version(version)
        if found is None:
            known = ", ".join(v.label for v in doc.state.versions)
            raise InvalidArgument(f"{doc.id} has no version {version}; it has {known}")
        return found

    async def original_bytes(self, document_id: str, version: str | None = None) -> bytes:
        """Return the uploaded file of a version (revisions share their base's file)."""
        doc = await self.document(document_id)
        return await self.storage.get_blob(self.version_of(doc, version).sha256)

    # --- policy packs -------------------------------------------------------------------

    async def _pack_ref(self, pack: LoadedPack, ctx: CommandContext) -> PackRef:
        """Record ``pack`` at its version in the pack's stream; return the reference."""
        stream = f"policypack-{uuid.uuid5(_PACK_NAMESPACE, pack.key)}"
        for _ in range(3):
            try:
                aggregate = await self.repository.load(PolicyPack, stream)
            except AggregateNotFound:
                aggregate = pack.create_aggregate(ctx, pack_id=stream)  # created and published
            if aggregate.state.published_version(pack.version) is None:
                _sync_policies(aggregate, pack, ctx)
                aggregate.publish(ctx, version=pack.version)
            try:
                await self.repository.save(aggregate)
            except ConcurrencyConflict:
                continue  # another process recorded the pack meanwhile: look again
            return PackRef(pack_id=stream, version=pack.version)
        raise ReviewError(f"could not record pack {pack.key!r}: it kept changing")

    # --- review -------------------------------------------------------------------------

    async def review(
        self,
        document_id: str,
        *,
        packs: Sequence[str | LoadedPack] | None = None,
        reviewer: str | Reviewer | None = None,
        version: str | None = None,
        actor: str | None = None,
        review_id: str | None = None,
        fail_on_error: bool = True,
        min_confidence: float | None = None,
    ) -> ReviewResult:
        """Review a document version; record the review, link it and open its feedback.

        ``min_confidence`` (default: the service's) is the review's confidence threshold:
        findings below it are recorded but not shown, scored or offered for feedback.

        With ``review_id`` the call is resumable: if that review already exists (a queued
        job run again after its worker died) it is completed where it stopped and its
        side effects (document link, feedback session) are made once, never twice.
        ``fail_on_error=False`` leaves a review whose reviewer failed open for a retry
        instead of recording it as failed.
        """
        threshold = self.default_min_confidence
        if min_confidence is not None:
            threshold = min_confidence_argument(min_confidence)
        with correlation_scope() as cid:
            ctx = self._context(cid, actor)
            doc = await self.document(document_id)
            target = self.version_of(doc, version)
            if not target.converted:
                raise InvalidTransition(
                    document_id, "uploaded", "review", "the version has not been converted"
                )
            loaded = tuple(
                p if isinstance(p, LoadedPack) else load_pack(p)
                for p in (packs or self.default_packs)
            )
            spec = reviewer if reviewer is not None else self.default_reviewer
            chosen = self._reviewer_factory(spec) if isinstance(spec, str) else spec
            review = await self._started_review(
                ctx, doc, target, loaded, chosen, review_id, threshold
            )
            outcome: ReviewOutcome | None = None
            if review.state.status is ReviewStatus.STARTED:
                outcome = await self._run(ctx, review, doc, target, loaded, chosen, fail_on_error)
            if review.state.status is not ReviewStatus.COMPLETED:
                raise ReviewError(f"review {review.id} is {review.state.status}")
            await self._link_review(ctx, doc, review)
            await self._open_feedback(ctx, review)
            if outcome is None:
                return await self.load_review(review.id)
            logger.info(
                "reviewed %s %s: score %.2f, %d findings",
                doc.id,
                target.label,
                outcome.score,
                len(outcome.findings),
            )
            return ReviewResult(review, outcome, loaded)

    async def _started_review(
        self,
        ctx: CommandContext,
        doc: Document,
        target: DocumentVersion,
        loaded: tuple[LoadedPack, ...],
        chosen: Reviewer,
        review_id: str | None,
        min_confidence: float,
    ) -> Review:
        if review_id is not None:
            with contextlib.suppress(AggregateNotFound):
                return await self.repository.load(Review, review_id)
        refs = [await self._pack_ref(p, ctx) for p in loaded]
        review = Review.start(
            ctx,
            document_id=doc.id,
            document_version=target.number,
            packs=refs,
            reviewer=chosen.spec,
            review_id=review_id,
            min_confidence=min_confidence,
        )
        try:
            await self.repository.save(review)
        except ConcurrencyConflict:
            if review_id is None:
                raise
            return await self.repository.load(Review, review_id)  # started by a rival run
        return review

    async def _run(
        self,
        ctx: CommandContext,
        review: Review,
        doc: Document,
        target: DocumentVersion,
        loaded: tuple[LoadedPack, ...],
        chosen: Reviewer,
        fail_on_error: bool,
    ) -> ReviewOutcome:
        request = _review_document(doc, target)
        try:
            outcome = await run_review(
                request, loaded, chosen, min_confidence=review.state.min_confidence
            )
        except DocSenseError as exc:
            if fail_on_error:
                review.fail(ctx, reason=str(exc), retryable=True)
                await self.repository.save(review)
            raise
        known = {f.id for f in review.state.all_findings}  # recorded by an earlier, cut-off run
        new_findings = [f for f in outcome.all_findings if f.id not in known]
        if new_findings or not known:
            review.record_findings(
                ctx, new_findings, ungrounded_dropped=outcome.stats.dropped_ungrounded
            )
        review.complete(
            ctx,
            score=outcome.score,
            policy_statuses={o.policy_id: o.status for o in outcome.policy_statuses},
            usage=outcome.usage,
            duration_ms=outcome.duration_ms,
            warnings=outcome.warnings,
        )
        await self.repository.save(review)
        return outcome

    async def _link_review(self, ctx: CommandContext, doc: Document, review: Review) -> None:
        for _ in range(3):
            if any(link.review_id == review.id for link in doc.state.reviews):
                return
            state = review.state
            doc.record_review(
                ctx,
                review_id=review.id,
                score=state.score if state.score is not None else 0.0,
                version=state.document_version,
            )
            try:
                await self.repository.save(doc)
                return
            except ConcurrencyConflict:
                doc = await self.document(doc.id)  # changed meanwhile: look again
        raise ReviewError(f"could not link review {review.id} to {doc.id}: it kept changing")

    async def _open_feedback(self, ctx: CommandContext, review: Review) -> None:
        state = review.state
        actionable = [f for f in state.findings if f.quote and f.location is not None]
        session = FeedbackSession.open(
            ctx,
            review_id=review.id,
            document_id=state.document_id,
            document_version=state.document_version,
            findings=actionable,
        )
        with contextlib.suppress(ConcurrencyConflict):  # already opened by an earlier run
            await self.repository.save(session)

    async def load_review(self, review_id: str) -> ReviewResult:
        """Load a stored review; its outcome is rebuilt from the stored state."""
        if not review_id.startswith("review-"):
            raise InvalidArgument(f"{review_id!r} is not a review id (review-...)")
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
        if state.score is not None:
            outcome = ReviewOutcome(
                document=_review_document(doc, target),
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
            )
        return ReviewResult(review, outcome, tuple(packs))

    # --- feedback -----------------------------------------------------------------------

    async def feedback(self, review_id: str) -> FeedbackSession:
        """Load the feedback session of a review."""
        return await self.repository.load(FeedbackSession, FeedbackSession.id_for(review_id))

    async def decide(
        self,
        review_id: str,
        finding_id: str,
        decision: str,
        *,
        reason: str | None = None,
        text: str | None = None,
        actor: str | None = None,
    ) -> FeedbackSession:
        """Accept, reject (with ``reason``) or modify (with ``text``) one suggestion."""
        with correlation_scope() as cid:
            ctx = self._context(cid, actor)
            session = await self.feedback(review_id)
            if decision == "accept":
                session.accept(ctx, finding_id)
            elif decision == "reject":
                session.reject(ctx, finding_id, reason=reason or "")
            elif decision == "modify":
                session.modify(ctx, finding_id, text=text or "")
            else:
                raise InvalidArgument(f"decision {decision!r}: use accept, reject or modify")
            await self.repository.save(session)
            return session

    async def apply_feedback(self, review_id: str, *, actor: str | None = None) -> Document:
        """Apply the accepted and modified suggestions as a new minor version."""
        with correlation_scope() as cid:
            ctx = self._context(cid, actor)
            session = await self.feedback(review_id)
            state = session.state
            doc = await self.document(state.document_id)
            if doc.state.current.number != state.document_version:
                raise InvalidTransition(
                    session.id,
                    str(state.status),
                    "apply",
                    f"the review was of version {state.document_version} but the document is "
                    f"now at {doc.state.current.label}: review the current version again",
                )
            base = doc.state.current.markdown or ""
            edits = state.edits()
            if not edits:
                raise InvalidTransition(
                    session.id,
                    str(state.status),
                    "apply",
                    "accept or modify at least one suggestion first",
                )
            markdown = apply_edits(base, edits)
            ir = await asyncio.to_thread(extract_ir, markdown)
            applied = tuple(i.item.finding_id for i in state.items if i.new_text is not None)
            doc.revise(
                ctx,
                markdown=markdown,
                sections=ir.sections,
                ir=ir,
                review_id=review_id,
                feedback_session_id=session.id,
                applied_finding_ids=applied,
            )
            session.apply(ctx, document_version=doc.state.current.number)
            await self.repository.save(doc)
            await self.repository.save(session)
            logger.info(
                "applied %d suggestions: %s is now %s",
                len(applied),
                doc.id,
                doc.state.current.label,
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
            doc.export(ctx, format=fmt, version=target.number)
            await self.repository.save(doc)
            return data

    # --- read models --------------------------------------------------------------------

    async def catch_up(self) -> None:
        """Bring the read models up to date (read-your-writes for list queries)."""
        await self.projections.catch_up()

    async def documents(self, *, limit: int = 50, offset: int = 0) -> list[JSONObject]:
        """List documents, most recently updated first."""
        await self.catch_up()
        return await list_documents(self.storage.projections, limit=limit, offset=offset)

    async def reviews(
        self, document_id: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[JSONObject]:
        """List reviews (of one document), newest first."""
        await self.catch_up()
        return await list_reviews(
            self.storage.projections, document_id=document_id, limit=limit, offset=offset
        )

    async def findings(
        self, *, limit: int = 50, offset: int = 0, **filters: Any
    ) -> list[JSONObject]:
        """Search findings across documents (see ``read_models.find_findings`` for filters)."""
        await self.catch_up()
        return await find_findings(self.storage.projections, limit=limit, offset=offset, **filters)

    async def history(
        self, document_id: str, *, limit: int = 1000, offset: int = 0
    ) -> list[JSONObject]:
        """Every event about a document in order, with actor, time, type and summary."""
        await self.document(document_id)  # a typed error for unknown documents
        await self.catch_up()
        return await audit_log(
            self.storage.projections, document_id=document_id, limit=limit, offset=offset
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
