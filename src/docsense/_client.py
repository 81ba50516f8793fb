"""The facade: :func:`open` / :func:`aopen` and the twins :class:`DocSense`, :class:`AsyncDocSense`.

Both classes have the same method names; the async one is the implementation and the sync
one runs it on a private event loop in a background thread, so it works the same from plain
scripts, from other threads, and inside a running event loop (Jupyter).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import attrs

from docsense import telemetry
from docsense.adapters.convert import IngestLimits
from docsense.adapters.storage import open_storage
from docsense.application import store_ops
from docsense.application.health import HealthReport, HealthThresholds, check_health
from docsense.application.jobs import enqueue_reviews, job_queue, submit_provider_batch
from docsense.application.projections import ProjectionStatus
from docsense.application.recovery import recover
from docsense.application.service import DocSenseService, ReviewResult, pack_stream_id
from docsense.config import Settings
from docsense.domain.findings import Category, Severity
from docsense.errors import ConfigurationError, DocSenseError, InvalidArgument
from docsense.policies import LoadedPack, available_packs, load_pack
from docsense.ports import BatchStatus, DeadLetter, Job, JobQueue, Reviewer, Storage
from docsense.review.reviewers import (
    ProviderOptions,
    ReviewerCache,
    close_reviewers,
    provider_options,
    resolve_reviewer,
)
from docsense.views import (
    ComparisonView,
    DocumentSummary,
    DocumentView,
    FeedbackItemView,
    FindingSummary,
    HistoryEntry,
    RecordList,
    ReviewSummary,
    ReviewView,
)

__all__ = ["AsyncDocSense", "AsyncFeedback", "DocSense", "Feedback", "aopen", "open"]

T = TypeVar("T")
PackArg = Sequence[str | LoadedPack] | str | None
Source = str | Path | bytes
ReviewRef = str | ReviewView

logger = logging.getLogger(__name__)


def _settings(
    store_url: str | None, reviewer: str | None, settings: Settings | dict[str, Any] | None
) -> Settings:
    if isinstance(settings, Settings):
        base = settings.model_dump(exclude_unset=True)
    elif settings is None:
        base = {}
    elif isinstance(settings, dict):
        base = dict(settings)
    else:
        raise ConfigurationError(f"settings must be a Settings or a dict, not {type(settings)}")
    Settings.check_names(base)
    if store_url is not None:
        base["store_url"] = store_url
    if reviewer is not None:
        base["reviewer"] = reviewer
    return Settings.load(**base)


def _check_reviewer_and_packs(settings: Settings, options: ProviderOptions) -> Reviewer:
    """Load the default packs and build the default reviewer once: fail now, not later.

    Returns the reviewer built for the check; the caller closes it (an LLM reviewer owns an
    SDK client, a plugin reviewer may own a model process or a connection pool).
    """
    for pack in settings.packs:
        try:
            load_pack(pack)
        except DocSenseError as exc:
            raise ConfigurationError(f"invalid docsense settings: packs: {exc}") from exc
    try:
        return resolve_reviewer(settings.reviewer, provider_options=options)
    except ConfigurationError:
        raise
    except DocSenseError as exc:
        raise ConfigurationError(f"invalid docsense settings: reviewer: {exc}") from exc


def _pack_names(packs: Sequence[str] | str | None) -> list[str] | None:
    """Return ``packs`` as a list (a single string is one pack), or None."""
    if packs is None:
        return None
    return [packs] if isinstance(packs, str) else list(packs)


_DECISION_VALUES = ["pending", "accepted", "rejected", "modified", "applied", "suppressed"]


def _choice(name: str, value: str | None, valid: Sequence[str]) -> str | None:
    """Return ``value`` as the valid choice it names (any case); raise listing the valid ones."""
    if value is None:
        return None
    wanted = str(value).strip().casefold()
    for choice in valid:
        if choice.casefold() == wanted:
            return choice
    raise InvalidArgument(f"unknown {name} {value!r}: use one of {', '.join(valid)}")


def _pack_filter(value: str | None) -> str | None:
    """Return the stored id of the pack ``value`` names (its id, key or name, any case)."""
    if value is None:
        return None
    if value.startswith("policypack-"):
        return value
    wanted = value.strip().casefold()
    names = sorted(available_packs())
    for key in names:
        try:
            pack = load_pack(key)
        except DocSenseError:
            continue
        if wanted in (pack.key.casefold(), pack.name.casefold()):
            return pack_stream_id(pack)
    raise InvalidArgument(
        f"unknown pack {value!r}: use a pack id (policypack-...) or one of {', '.join(names)}"
    )


class AsyncFeedback:
    """The decisions on one review's suggestions (async)."""

    def __init__(self, client: AsyncDocSense, review_id: str) -> None:
        self._client = client
        self.review_id = review_id

    async def items(self) -> tuple[FeedbackItemView, ...]:
        """Return the suggestions, in document order, with their current decisions."""
        session = await self._client._service.feedback(self.review_id)
        return FeedbackItemView.items_of(session)

    async def accept(self, finding_id: str, *, idempotency_key: str | None = None) -> None:
        """Accept a suggestion: its ``replacement`` will stand in place of the quote.

        Only suggestions with a replacement can be accepted; the error says to modify or
        reject the others. Decisions on different suggestions never conflict; another
        request deciding this one differently at the same time raises
        ``ConcurrencyConflict``.
        """
        await self._client._service.decide(
            self.review_id, finding_id, "accept", idempotency_key=idempotency_key
        )

    async def reject(
        self, finding_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> None:
        """Reject a suggestion; ``reason`` is required and recorded."""
        await self._client._service.decide(
            self.review_id, finding_id, "reject", reason=reason, idempotency_key=idempotency_key
        )

    async def modify(
        self, finding_id: str, *, text: str, idempotency_key: str | None = None
    ) -> None:
        """Put ``text`` in place of the quote instead of the suggested replacement."""
        await self._client._service.decide(
            self.review_id, finding_id, "modify", text=text, idempotency_key=idempotency_key
        )

    async def apply(self, *, idempotency_key: str | None = None) -> DocumentView:
        """Apply the decisions as a new document version (same as ``apply_feedback``)."""
        return await self._client.apply_feedback(self.review_id, idempotency_key=idempotency_key)


class AsyncDocSense:
    """docsense on one store, async. Use ``async with docsense.aopen(...) as ds``."""

    def __init__(
        self,
        service: DocSenseService,
        settings: Settings,
        reviewers: ReviewerCache | None = None,
    ) -> None:
        self._service = service
        self.settings = settings
        self._reviewers = reviewers

    @classmethod
    async def open(
        cls,
        store_url: str | None = None,
        *,
        reviewer: str | None = None,
        settings: Settings | dict[str, Any] | None = None,
        private_loop: bool = False,
        storage: Storage | None = None,
    ) -> AsyncDocSense:
        """Validate settings, open the store, and return a ready client.

        ``storage`` is a store instance to use instead of opening ``store_url`` (give one or
        the other): a built-in one from :mod:`docsense.stores` or your own
        :class:`~docsense.stores.Storage`. The client owns it from then on and closes it when
        it closes.

        Everything is checked before the store is opened (nothing is created for a bad
        setting): the settings themselves, the default reviewer spec (built once, so a
        missing API key or extra shows now) and the default policy packs; a problem raises
        :class:`~docsense.errors.ConfigurationError` naming the valid choices. Once open,
        work an interrupted process left half done is finished (see
        :mod:`docsense.application.recovery`).

        ``private_loop`` says the caller's event loop serves only this client (the sync
        facade's background thread): SQLite then runs on it directly, which halves the
        cost of a write, instead of hopping to a worker thread.
        """
        _check_storage_argument(store_url, storage)
        resolved = _settings(store_url, reviewer, settings)
        reviewer_options = provider_options(resolved)
        checked = await asyncio.to_thread(_check_reviewer_and_packs, resolved, reviewer_options)
        await close_reviewers([checked])
        if storage is None:
            options: dict[str, Any] = {}
            url = resolved.resolved_store_url()
            if url.startswith(("postgresql://", "postgres://")):
                options["pool_size"] = resolved.pool_size
            elif url.startswith("sqlite://") and private_loop:
                options["inline"] = True
            storage = await open_storage(url, **options)
        reviewers = ReviewerCache(
            lambda spec: resolve_reviewer(spec, provider_options=reviewer_options)
        )
        service = DocSenseService(
            storage,
            actor=resolved.actor,
            reviewer=resolved.reviewer,
            packs=resolved.packs,
            snapshot_every=resolved.snapshot_every,
            limits=IngestLimits(
                max_bytes=resolved.max_upload_bytes,
                max_pages=resolved.max_pages,
                time_budget_s=resolved.ingest_time_budget_s,
            ),
            reviewer_factory=reviewers,
            min_confidence=resolved.min_confidence,
        )
        try:
            await recover(service)
        except DocSenseError as exc:  # a read-only or busy store still opens
            logger.warning("could not look for interrupted work on %s: %s", storage.url, exc)
        return cls(service, resolved, reviewers)

    async def __aenter__(self) -> AsyncDocSense:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def store_url(self) -> str:
        """The store in use (password removed)."""
        return self._service.storage.url

    @property
    def service(self) -> DocSenseService:
        """The application service underneath (for embedding applications)."""
        return self._service

    async def ingest(
        self,
        source: Source,
        *,
        filename: str | None = None,
        title: str | None = None,
        document_id: str | None = None,
        idempotency_key: str | None = None,
        force_new: bool = False,
    ) -> DocumentView:
        """Ingest a file (path or bytes): a new document, or a new major version of one.

        A file whose bytes are already stored returns the document that has them (at its
        latest version); ``force_new=True`` makes a new document anyway. A retry with the
        same ``idempotency_key`` returns what the first request stored. A missing path
        raises :class:`~docsense.errors.InputFileNotFound` (a ``FileNotFoundError``).
        """
        options: dict[str, Any] = {
            "title": title,
            "document_id": document_id,
            "idempotency_key": idempotency_key,
            "force_new": force_new,
        }
        if isinstance(source, bytes):
            if not filename:
                raise InvalidArgument("give filename= when ingesting bytes")
            doc = await self._service.ingest(source, filename, **options)
        else:
            doc = await self._service.ingest_path(source, **options)
        return DocumentView.of(doc)

    async def review(
        self,
        document_id: str,
        *,
        packs: PackArg = None,
        reviewer: str | Reviewer | None = None,
        version: str | None = None,
        min_confidence: float | None = None,
        idempotency_key: str | None = None,
        strict: bool = False,
    ) -> ReviewView:
        """Review a document version against policy packs (defaults from the settings).

        ``packs`` is a list of pack names, paths or loaded packs (a single string is one
        pack). ``min_confidence`` (default: ``settings.min_confidence``, 0.5) is the
        review's confidence threshold: findings below it are kept in ``all_findings`` but
        not in ``findings``, the score or the feedback. Concurrent reviews of one document
        never conflict. A retry with the same ``idempotency_key`` returns the first
        request's review instead of reviewing again.

        A check or reviewer that raises does not stop the others: the review completes
        with the error in ``check_errors`` (and in every report). ``strict=True`` fails the
        review instead with :class:`~docsense.errors.CheckFailed`.
        """
        result = await self._service.review(
            document_id,
            packs=packs,
            reviewer=reviewer,
            version=version,
            min_confidence=min_confidence,
            idempotency_key=idempotency_key,
            strict=strict,
        )
        return await self._view_of(result)

    async def _view_of(self, result: ReviewResult) -> ReviewView:
        view = ReviewView.of(result)
        if view.status != "completed":
            return view
        session = await self._service.feedback(view.id)
        return attrs.evolve(view, decisions=FeedbackItemView.items_of(session))

    async def get_review(self, review_id: str) -> ReviewView:
        """Fetch a stored review (with its report, suppressions and feedback decisions)."""
        return await self._view_of(await self._service.load_review(review_id))

    async def compare(self, review_a: ReviewRef, review_b: ReviewRef) -> ComparisonView:
        """Compare two reviews (ids or views): findings resolved, persisting, new, suppressed.

        Findings are matched by fingerprint; ``review_a`` is the earlier one. A finding of
        ``review_b`` that carries over a rejection is ``suppressed``, not new.
        """
        a = review_a if isinstance(review_a, ReviewView) else await self.get_review(review_a)
        b = review_b if isinstance(review_b, ReviewView) else await self.get_review(review_b)
        return ComparisonView.between(a, b)

    def feedback(self, review_id: str) -> AsyncFeedback:
        """Return the feedback handle of a review: accept, reject, modify, items, apply."""
        return AsyncFeedback(self, review_id)

    async def apply_feedback(
        self, review_id: str, *, idempotency_key: str | None = None
    ) -> DocumentView:
        """Apply a review's accepted and modified suggestions as a new minor version.

        Applying feedback that was already applied raises
        :class:`~docsense.errors.FeedbackAlreadyApplied` naming the version it made; a retry
        with the first apply's ``idempotency_key`` returns that version instead.
        """
        doc = await self._service.apply_feedback(review_id, idempotency_key=idempotency_key)
        return DocumentView.of(doc)

    async def document(self, document_id: str, version: str | None = None) -> DocumentView:
        """Fetch a document at ``version`` (default: the latest)."""
        doc = await self._service.document(document_id)
        return DocumentView.of(doc, self._service.version_of(doc, version))

    async def documents(self, *, limit: int = 50, offset: int = 0) -> RecordList[DocumentSummary]:
        """List documents, most recently updated first."""
        rows = await self._service.documents(limit=limit, offset=offset)
        return RecordList((DocumentSummary.of(r) for r in rows), title="Documents")

    async def reviews(
        self, document_id: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> RecordList[ReviewSummary]:
        """List the reviews of a document (or all), newest first."""
        rows = await self._service.reviews(document_id, limit=limit, offset=offset)
        return RecordList((ReviewSummary.of(r) for r in rows), title="Reviews")

    async def findings(
        self,
        *,
        pack: str | None = None,
        policy: str | None = None,
        category: str | None = None,
        severity: str | None = None,
        document_id: str | None = None,
        decision: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> RecordList[FindingSummary]:
        """Search findings across documents, most severe first, with pagination.

        ``pack`` is a pack's stored id (``policypack-...``), key or name; ``severity``,
        ``category`` and ``decision`` are matched case-insensitively. An unknown value
        raises :class:`~docsense.errors.InvalidArgument` listing the valid ones (a filter
        never silently matches nothing because of a typo).
        """
        rows = await self._service.findings(
            pack=_pack_filter(pack),
            policy=policy,
            category=_choice("category", category, [c.value for c in Category]),
            severity=_choice("severity", severity, [s.value for s in Severity]),
            document_id=document_id,
            decision=_choice("decision", decision, _DECISION_VALUES),
            limit=limit,
            offset=offset,
        )
        return RecordList((FindingSummary.of(r) for r in rows), title="Findings")

    async def projections_status(self) -> list[ProjectionStatus]:
        """Return where each read model stands (position, head, lag, dead letters)."""
        return await self._service.projections.status()

    async def rebuild_projection(self, name: str) -> ProjectionStatus:
        """Rebuild a read model from the events; readers see the old one until it is done."""
        return await self._service.projections.rebuild(name)

    async def health(
        self,
        *,
        max_lag_s: float = 60.0,
        max_lag_events: int = 1000,
        max_latency_s: float = 1.0,
        max_job_wait_s: float = 300.0,
        timeout_s: float = 10.0,
    ) -> HealthReport:
        """Check the store and return its health: ok, degraded or failing.

        The report has reachability and latency, schema version, size, projection lag and
        dead letters, worker leases and job backlog. Never raises for a store that is down:
        the report is ``failing``. The thresholds say when a store that answers is
        ``degraded`` (see :mod:`docsense.application.health`).
        """
        thresholds = HealthThresholds(
            max_lag_s=max_lag_s, max_lag_events=max_lag_events,
            max_latency_s=max_latency_s, max_job_wait_s=max_job_wait_s,
        )
        service = self._service
        return await check_health(
            service.storage, service.projections, thresholds, timeout_s=timeout_s
        )

    async def dead_letters(self, projection: str | None = None) -> list[DeadLetter]:
        """Return the events a read model could not apply."""
        return await self._service.projections.dead_letters(projection)

    async def retry_dead_letter(self, projection: str, event_id: str) -> None:
        """Apply a parked event again (after a fix)."""
        await self._service.projections.retry_dead_letter(projection, event_id)

    async def discard_dead_letter(self, projection: str, event_id: str) -> None:
        """Forget a parked event without applying it."""
        await self._service.projections.discard_dead_letter(projection, event_id)

    async def history(self, document_id: str) -> RecordList[HistoryEntry]:
        """Every event about a document, in order: actor, time, type and summary."""
        rows = await self._service.history(document_id)
        return RecordList((HistoryEntry.of(r) for r in rows), title=f"History of {document_id}")

    async def export(
        self,
        document_id: str,
        format: str = "md",
        version: str | None = None,
        *,
        path: str | Path | None = None,
    ) -> bytes:
        """Return a version as ``md`` or ``docx`` bytes (also written to ``path`` if given)."""
        data = await self._service.export(document_id, format, version=version)
        if path is not None:
            await asyncio.to_thread(Path(path).write_bytes, data)
        return data

    def _jobs(self) -> JobQueue:
        return job_queue(self._service.storage)

    async def submit_review(
        self,
        document_id: str,
        *,
        packs: Sequence[str] | str | None = None,
        reviewer: str | None = None,
        version: str | None = None,
        batch_id: str | None = None,
        min_confidence: float | None = None,
    ) -> str:
        """Queue a review for ``docsense worker`` processes; return the job id.

        ``min_confidence`` is the review's confidence threshold (default: the worker's
        ``DOCSENSE_MIN_CONFIDENCE`` setting).
        """
        request: dict[str, Any] = {"document_id": document_id}
        for key, value in (("packs", _pack_names(packs)), ("reviewer", reviewer),
                           ("version", version)):
            if value is not None:
                request[key] = value
        if min_confidence is not None:
            request["min_confidence"] = min_confidence
        [job_id] = await enqueue_reviews(self._jobs(), [request], batch_id=batch_id)
        return job_id

    async def submit_batch(
        self,
        document_ids: Sequence[str],
        *,
        packs: Sequence[str] | str | None = None,
        reviewer: str | None = None,
        batch: bool = False,
        poll_interval: float = 60.0,
    ) -> str:
        """Queue one review per document as a batch; return the batch id.

        With ``batch=True`` every call of every review is sent now as **one provider
        batch** (Anthropic Message Batches, OpenAI Batch, Gemini batch mode: half price,
        answered within 24 hours); one job tracks it and a worker completes the reviews
        once the provider has answered, polling every ``poll_interval`` seconds. The
        reviewer must be one LLM provider.
        """
        if batch:
            return await submit_provider_batch(
                self._service, self._jobs(), document_ids, reviewer=reviewer,
                packs=packs, poll_interval=poll_interval,
            )
        batch_id = f"batch-{uuid.uuid4()}"
        extra: dict[str, Any] = {}
        if packs is not None:
            extra["packs"] = _pack_names(packs)
        if reviewer is not None:
            extra["reviewer"] = reviewer
        requests = [{"document_id": d, **extra} for d in document_ids]
        await enqueue_reviews(self._jobs(), requests, batch_id=batch_id)
        return batch_id

    async def batch_status(self, batch_id: str) -> BatchStatus:
        """Return how many of a batch's reviews are queued, running, done and failed."""
        return await self._jobs().batch_status(batch_id)

    async def job(self, job_id: str) -> Job | None:
        """Return a queued review job (its status, attempts, result or error)."""
        return await self._jobs().get_job(job_id)

    # --- store operations (see docsense.application.store_ops) --------------------------

    async def verify(self, *, digest: bool = False) -> store_ops.VerifyReport:
        """Recompute every stream's hash chain; report the first broken link, if any.

        ``digest`` adds a SHA-256 of every stream's head, to record elsewhere.
        """
        return await store_ops.verify(self._service.storage, digest=digest)

    async def dump(self, path: str | Path, *, blobs: bool = True) -> store_ops.DumpReport:
        """Write every event (and stored file) to a new gzip JSON Lines file at ``path``."""
        return await store_ops.dump(self._service.storage, path, blobs=blobs)

    async def restore(self, path: str | Path) -> store_ops.RestoreReport:
        """Load a dump into this store, which must hold no event; every hash is checked."""
        return await store_ops.restore(self._service.storage, path)

    async def backup(self, path: str | Path, *, check: bool = True) -> store_ops.BackupReport:
        """Copy a SQLite store online (writers may run) to ``path``, then verify the copy."""
        return await store_ops.backup(self._service.storage, path, check=check)

    async def archive(
        self, document_ids: Sequence[str], path: str | Path, *, remove: bool = False
    ) -> store_ops.ArchiveReport:
        """Archive documents' streams to ``path``; with ``remove``, take them out of the store.

        The archival is recorded (``StreamsArchived``, by this client's actor) first.
        """
        return await store_ops.archive(self._service, document_ids, path, remove=remove)

    async def restore_archive(self, path: str | Path) -> store_ops.RestoreReport:
        """Put an archive's streams back in the store, every hash verified."""
        return await store_ops.restore_archive(self._service, path)

    async def inactive_documents(self, before: datetime) -> list[str]:
        """Return the ids of documents with no activity since ``before`` (timezone-aware)."""
        return await store_ops.inactive_documents(self._service, before)

    async def close(self) -> None:
        """Close the reviewers' SDK clients and the store. Idempotent."""
        try:
            if self._reviewers is not None:
                await self._reviewers.aclose()
        finally:
            telemetry.forget_store(self._service.storage.url)
            await self._service.storage.close()


class _LoopThread:
    """A private event loop running in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="docsense-loop", daemon=True
        )
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError("a DocSense call cannot be made from inside its own loop")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def stop(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
        if not self.loop.is_running():
            self.loop.close()


class Feedback:
    """The decisions on one review's suggestions (sync twin of :class:`AsyncFeedback`)."""

    def __init__(self, client: DocSense, review_id: str) -> None:
        self._client = client
        self._async = client._async.feedback(review_id)
        self.review_id = review_id

    def items(self) -> tuple[FeedbackItemView, ...]:
        """Return the suggestions, in document order, with their current decisions."""
        return self._client._run(self._async.items())

    def accept(self, finding_id: str, *, idempotency_key: str | None = None) -> None:
        """Accept a suggestion (only those with a replacement; modify or reject others)."""
        self._client._run(self._async.accept(finding_id, idempotency_key=idempotency_key))

    def reject(self, finding_id: str, *, reason: str, idempotency_key: str | None = None) -> None:
        """Reject a suggestion; ``reason`` is required and recorded."""
        self._client._run(
            self._async.reject(finding_id, reason=reason, idempotency_key=idempotency_key)
        )

    def modify(self, finding_id: str, *, text: str, idempotency_key: str | None = None) -> None:
        """Put ``text`` in place of the quote instead of the suggested replacement."""
        self._client._run(
            self._async.modify(finding_id, text=text, idempotency_key=idempotency_key)
        )

    def apply(self, *, idempotency_key: str | None = None) -> DocumentView:
        """Apply the decisions as a new document version."""
        return self._client._run(self._async.apply(idempotency_key=idempotency_key))


class DocSense:
    """docsense on one store, synchronous. Same methods as :class:`AsyncDocSense`."""

    def __init__(self, loop: _LoopThread, client: AsyncDocSense) -> None:
        self._loop = loop
        self._async = client
        self._closed = False

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._closed:
            coro.close()
            raise InvalidArgument("this DocSense is closed; open a new one")
        return self._loop.run(coro)

    def __enter__(self) -> DocSense:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def settings(self) -> Settings:
        """The validated settings in use."""
        return self._async.settings

    @property
    def store_url(self) -> str:
        """The store in use (password removed)."""
        return self._async.store_url

    def ingest(
        self,
        source: Source,
        *,
        filename: str | None = None,
        title: str | None = None,
        document_id: str | None = None,
        idempotency_key: str | None = None,
        force_new: bool = False,
    ) -> DocumentView:
        """Ingest a file (path or bytes): a new document, or a new major version of one.

        Bytes already stored return the document that has them unless ``force_new``; see
        :meth:`AsyncDocSense.ingest`.
        """
        return self._run(
            self._async.ingest(
                source,
                filename=filename,
                title=title,
                document_id=document_id,
                idempotency_key=idempotency_key,
                force_new=force_new,
            )
        )

    def review(
        self,
        document_id: str,
        *,
        packs: PackArg = None,
        reviewer: str | Reviewer | None = None,
        version: str | None = None,
        min_confidence: float | None = None,
        idempotency_key: str | None = None,
        strict: bool = False,
    ) -> ReviewView:
        """Review a document version against policy packs (defaults from the settings).

        ``min_confidence`` (default: ``settings.min_confidence``, 0.5) is the review's
        confidence threshold: findings below it are kept in ``all_findings`` but not in
        ``findings``, the score or the feedback. A check or reviewer that raises is recorded
        in ``check_errors`` while the others run; ``strict=True`` raises
        :class:`~docsense.errors.CheckFailed` instead.
        """
        return self._run(
            self._async.review(
                document_id,
                packs=packs,
                reviewer=reviewer,
                version=version,
                min_confidence=min_confidence,
                idempotency_key=idempotency_key,
                strict=strict,
            )
        )

    def get_review(self, review_id: str) -> ReviewView:
        """Fetch a stored review (with its report, suppressions and feedback decisions)."""
        return self._run(self._async.get_review(review_id))

    def compare(self, review_a: ReviewRef, review_b: ReviewRef) -> ComparisonView:
        """Compare two reviews (ids or views): findings resolved, persisting, new, suppressed.

        See :meth:`AsyncDocSense.compare`.
        """
        return self._run(self._async.compare(review_a, review_b))

    def feedback(self, review_id: str) -> Feedback:
        """Return the feedback handle of a review: accept, reject, modify, items, apply."""
        return Feedback(self, review_id)

    def apply_feedback(self, review_id: str, *, idempotency_key: str | None = None) -> DocumentView:
        """Apply a review's accepted and modified suggestions as a new minor version."""
        return self._run(self._async.apply_feedback(review_id, idempotency_key=idempotency_key))

    def document(self, document_id: str, version: str | None = None) -> DocumentView:
        """Fetch a document at ``version`` (default: the latest)."""
        return self._run(self._async.document(document_id, version))

    def documents(self, *, limit: int = 50, offset: int = 0) -> RecordList[DocumentSummary]:
        """List documents, most recently updated first."""
        return self._run(self._async.documents(limit=limit, offset=offset))

    def reviews(
        self, document_id: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> RecordList[ReviewSummary]:
        """List the reviews of a document (or all), newest first."""
        return self._run(self._async.reviews(document_id, limit=limit, offset=offset))

    def findings(
        self,
        *,
        pack: str | None = None,
        policy: str | None = None,
        category: str | None = None,
        severity: str | None = None,
        document_id: str | None = None,
        decision: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> RecordList[FindingSummary]:
        """Search findings across documents, most severe first (filters as the async twin's)."""
        return self._run(
            self._async.findings(
                pack=pack,
                policy=policy,
                category=category,
                severity=severity,
                document_id=document_id,
                decision=decision,
                limit=limit,
                offset=offset,
            )
        )

    def projections_status(self) -> list[ProjectionStatus]:
        """Return where each read model stands (position, head, lag, dead letters)."""
        return self._run(self._async.projections_status())

    def rebuild_projection(self, name: str) -> ProjectionStatus:
        """Rebuild a read model from the events; readers see the old one until it is done."""
        return self._run(self._async.rebuild_projection(name))

    def health(
        self,
        *,
        max_lag_s: float = 60.0,
        max_lag_events: int = 1000,
        max_latency_s: float = 1.0,
        max_job_wait_s: float = 300.0,
        timeout_s: float = 10.0,
    ) -> HealthReport:
        """Check the store and return a :class:`~docsense.application.health.HealthReport`.

        Status ok, degraded or failing; see :meth:`AsyncDocSense.health`.
        """
        return self._run(
            self._async.health(
                max_lag_s=max_lag_s, max_lag_events=max_lag_events,
                max_latency_s=max_latency_s, max_job_wait_s=max_job_wait_s, timeout_s=timeout_s,
            )
        )

    def dead_letters(self, projection: str | None = None) -> list[DeadLetter]:
        """Return the events a read model could not apply."""
        return self._run(self._async.dead_letters(projection))

    def retry_dead_letter(self, projection: str, event_id: str) -> None:
        """Apply a parked event again (after a fix)."""
        self._run(self._async.retry_dead_letter(projection, event_id))

    def discard_dead_letter(self, projection: str, event_id: str) -> None:
        """Forget a parked event without applying it."""
        self._run(self._async.discard_dead_letter(projection, event_id))

    def history(self, document_id: str) -> RecordList[HistoryEntry]:
        """Every event about a document, in order: actor, time, type and summary."""
        return self._run(self._async.history(document_id))

    def export(
        self,
        document_id: str,
        format: str = "md",
        version: str | None = None,
        *,
        path: str | Path | None = None,
    ) -> bytes:
        """Return a version as ``md`` or ``docx`` bytes (also written to ``path`` if given)."""
        return self._run(self._async.export(document_id, format, version, path=path))

    def submit_review(
        self,
        document_id: str,
        *,
        packs: Sequence[str] | str | None = None,
        reviewer: str | None = None,
        version: str | None = None,
        min_confidence: float | None = None,
    ) -> str:
        """Queue a review for ``docsense worker`` processes; return the job id.

        ``min_confidence`` is the review's confidence threshold (default: the worker's
        ``DOCSENSE_MIN_CONFIDENCE`` setting).
        """
        return self._run(
            self._async.submit_review(
                document_id, packs=packs, reviewer=reviewer, version=version,
                min_confidence=min_confidence,
            )
        )

    def submit_batch(
        self,
        document_ids: Sequence[str],
        *,
        packs: Sequence[str] | str | None = None,
        reviewer: str | None = None,
        batch: bool = False,
        poll_interval: float = 60.0,
    ) -> str:
        """Queue one review per document as a batch; return the batch id.

        ``batch=True`` sends every call as one provider batch (see the async twin).
        """
        return self._run(
            self._async.submit_batch(
                document_ids, packs=packs, reviewer=reviewer, batch=batch,
                poll_interval=poll_interval,
            )
        )

    def batch_status(self, batch_id: str) -> BatchStatus:
        """Return how many of a batch's reviews are queued, running, done and failed."""
        return self._run(self._async.batch_status(batch_id))

    def job(self, job_id: str) -> Job | None:
        """Return a queued review job (its status, attempts, result or error)."""
        return self._run(self._async.job(job_id))

    def verify(self, *, digest: bool = False) -> store_ops.VerifyReport:
        """Recompute every stream's hash chain; report the first broken link, if any.

        ``digest`` adds a SHA-256 of every stream's head, to record elsewhere.
        """
        return self._run(self._async.verify(digest=digest))

    def dump(self, path: str | Path, *, blobs: bool = True) -> store_ops.DumpReport:
        """Write every event (and stored file) to a new gzip JSON Lines file at ``path``."""
        return self._run(self._async.dump(path, blobs=blobs))

    def restore(self, path: str | Path) -> store_ops.RestoreReport:
        """Load a dump into this store, which must hold no event; every hash is checked."""
        return self._run(self._async.restore(path))

    def backup(self, path: str | Path, *, check: bool = True) -> store_ops.BackupReport:
        """Copy a SQLite store online (writers may run) to ``path``, then verify the copy."""
        return self._run(self._async.backup(path, check=check))

    def archive(
        self, document_ids: Sequence[str], path: str | Path, *, remove: bool = False
    ) -> store_ops.ArchiveReport:
        """Archive documents' streams to ``path``; with ``remove``, take them out of the store.

        The archival is recorded (``StreamsArchived``, by this client's actor) first.
        """
        return self._run(self._async.archive(document_ids, path, remove=remove))

    def restore_archive(self, path: str | Path) -> store_ops.RestoreReport:
        """Put an archive's streams back in the store, every hash verified."""
        return self._run(self._async.restore_archive(path))

    def inactive_documents(self, before: datetime) -> list[str]:
        """Return the ids of documents with no activity since ``before`` (timezone-aware)."""
        return self._run(self._async.inactive_documents(before))

    def close(self) -> None:
        """Close the store and stop the background loop. Idempotent."""
        if self._closed:
            return
        try:
            self._loop.run(self._async.close())
        finally:
            self._closed = True
            self._loop.stop()


def open(
    store_url: str | None = None,
    *,
    reviewer: str | None = None,
    settings: Settings | dict[str, Any] | None = None,
    storage: Storage | None = None,
) -> DocSense:
    r"""Open docsense on a store; defaults come from ``DOCSENSE_*`` settings.

    ``storage`` is a store instance to use instead of a URL (see :mod:`docsense.stores`);
    the client closes it when it closes. It must not be bound to another event loop: the
    sync client runs its own (for a store opened on your loop, use :func:`aopen`).

    >>> import docsense
    >>> with docsense.open("memory://") as ds:
    ...     doc = ds.ingest(b"# Rules\\n\\nThe cap is set daily.\\n", filename="rules.md")
    ...     doc.version
    '1.0'
    """
    loop = _LoopThread()
    try:
        client = loop.run(
            AsyncDocSense.open(store_url, reviewer=reviewer, settings=settings,
                               private_loop=True, storage=storage)
        )
    except BaseException:
        loop.stop()
        raise
    return DocSense(loop, client)


def aopen(
    store_url: str | None = None,
    *,
    reviewer: str | None = None,
    settings: Settings | dict[str, Any] | None = None,
    storage: Storage | None = None,
) -> _AsyncOpener:
    """Open docsense for async code: ``async with docsense.aopen(...) as ds``.

    ``storage`` is a store instance to use instead of a URL (see :mod:`docsense.stores`),
    e.g. one opened on the running loop; the client closes it when it closes.
    """
    return _AsyncOpener(store_url, reviewer, settings, storage)


def _check_storage_argument(store_url: str | None, storage: object) -> None:
    if storage is None:
        return
    if store_url is not None:
        raise InvalidArgument("give store_url or storage, not both")
    if not isinstance(storage, Storage):
        raise InvalidArgument(
            f"storage must be a docsense.stores.Storage (a store instance), got "
            f"{type(storage).__name__}; pass a URL as store_url"
        )


class _AsyncOpener:
    """Awaitable and async context manager returned by :func:`aopen`."""

    def __init__(
        self,
        store_url: str | None,
        reviewer: str | None,
        settings: Settings | dict[str, Any] | None,
        storage: Storage | None = None,
    ) -> None:
        self._args = (store_url, reviewer, settings)
        self._storage = storage
        self._client: AsyncDocSense | None = None

    def __await__(self) -> Any:
        store_url, reviewer, settings = self._args
        return AsyncDocSense.open(
            store_url, reviewer=reviewer, settings=settings, storage=self._storage
        ).__await__()

    async def __aenter__(self) -> AsyncDocSense:
        store_url, reviewer, settings = self._args
        self._client = await AsyncDocSense.open(
            store_url, reviewer=reviewer, settings=settings, storage=self._storage
        )
        return self._client

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.close()
