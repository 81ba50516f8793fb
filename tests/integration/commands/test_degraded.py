"""Issue 15, faults: reads while writes fail; work left half done finished by the worker and open.

On SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

import docsense
from docsense import AsyncDocSense
from docsense.adapters.storage import open_storage
from docsense.application.recovery import recover
from docsense.application.service import DocSenseService
from docsense.cli.ops import WorkerOptions, worker_loops
from docsense.config import Settings
from docsense.domain.documents import VersionNumber
from docsense.domain.events import CommandContext, EventMetadata
from docsense.domain.review import PackRef, Review
from docsense.errors import InvalidTransition, StorageError
from docsense.ports import (
    Checkpoint,
    DeadLetter,
    Filter,
    JSONObject,
    NewEvent,
    ProjectionCommit,
    ProjectionStore,
    Storage,
)

from .conftest import seed_markdown
from .faults import FaultyStorage, SimulatedCrash


class ReadOnlyProjections:
    """A projection store whose writes fail like a full disk; reads pass through."""

    def __init__(self, inner: ProjectionStore) -> None:
        self.inner = inner
        self.refused = 0

    @property
    def overlaps_commits(self) -> bool:
        return self.inner.overlaps_commits

    async def checkpoints(self, projection: str) -> list[Checkpoint]:
        return await self.inner.checkpoints(projection)

    async def start_generation(self, projection: str) -> Checkpoint:
        self.refused += 1
        raise StorageError("database or disk is full (injected)")

    async def activate_generation(self, projection: str, generation: int) -> None:
        self.refused += 1
        raise StorageError("database or disk is full (injected)")

    async def commit(self, batch: ProjectionCommit) -> None:
        self.refused += 1
        raise StorageError("database or disk is full (injected)")

    async def get_doc(
        self, projection: str, generation: int, collection: str, key: str
    ) -> JSONObject | None:
        return await self.inner.get_doc(projection, generation, collection, key)

    async def query(
        self,
        projection: str,
        collection: str,
        *,
        filters: Sequence[Filter] = (),
        order_by: str | None = None,
        descending: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> list[JSONObject]:
        return await self.inner.query(
            projection,
            collection,
            filters=filters,
            order_by=order_by,
            descending=descending,
            limit=limit,
            offset=offset,
        )

    async def count(
        self, projection: str, collection: str, *, filters: Sequence[Filter] = ()
    ) -> int:
        return await self.inner.count(projection, collection, filters=filters)

    async def dead_letters(self, projection: str | None = None) -> list[DeadLetter]:
        return await self.inner.dead_letters(projection)


class NoWrites(FaultyStorage):
    """A store that can still be read but refuses every write (appends and read models)."""

    def __init__(self, inner: Storage) -> None:
        super().__init__(inner)
        self.read_only = ReadOnlyProjections(inner.projections)

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> list[int]:
        raise StorageError("database or disk is full (injected)")

    async def put_blob(self, data: bytes) -> str:
        raise StorageError("database or disk is full (injected)")

    @property
    def projections(self) -> ProjectionStore:
        return self.read_only


async def test_lists_answer_from_lagging_read_models_when_the_store_takes_no_writes(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    writer = DocSenseService(storage)
    first = await writer.ingest(seed_markdown(), "rules.md")
    await writer.documents()  # read models up to date with the first document
    second = await writer.ingest(b"# Two\n\nRebalance periodically.\n", "two.md")

    full = NoWrites(storage)
    reader = DocSenseService(full)
    with caplog.at_level(logging.WARNING, logger="docsense"):
        listed = await reader.documents()
        history = await reader.history(first.id)
    assert [d["id"] for d in listed] == [first.id]  # behind by one document, but answering
    assert history[0]["event_type"] == "DocumentUploaded"
    assert full.read_only.refused > 0
    assert "may lag" in caplog.text
    assert (await reader.document(second.id)).id == second.id  # streams read as ever
    with pytest.raises(StorageError, match="disk is full"):
        await reader.ingest(b"# Three\n\nMore.\n", "three.md")


async def cut_off_apply(storage: Storage, *, at: int) -> tuple[str, str]:
    """Accept a suggestion and apply it, the process dying before append ``at`` of the apply.

    Returns the document and review ids.
    """
    wrapper = FaultyStorage(storage)
    svc = DocSenseService(wrapper)
    doc = await svc.ingest(seed_markdown(), "rules.md")
    review = (await svc.review(doc.id)).review
    finding = next(f.id for f in review.state.findings if f.replacement)
    await svc.decide(review.id, finding, "accept")
    wrapper.arm(at, "before")
    with pytest.raises(SimulatedCrash):
        await svc.apply_feedback(review.id)
    return doc.id, review.id


async def test_an_apply_cut_off_mid_way_is_finished_by_the_worker_recovery_loop(
    storage: Storage,
) -> None:
    doc_id, review_id = await cut_off_apply(storage, at=2)  # before the revision

    # What the worker runs, on a client that was not opened by open() (which recovers too).
    ds = AsyncDocSense(DocSenseService(storage), Settings.load(store_url=storage.url))
    [recovery] = [loop for name, loop in worker_loops(WorkerOptions(1.0)) if name == "recovery"]
    stop = asyncio.Event()
    stop.set()  # one pass
    await recovery(ds, stop)
    events = await storage.read_stream(f"feedback-{review_id.removeprefix('review-')}")
    assert events[-1].event_type == "FeedbackApplied"  # finished by the loop, not a reader
    assert (await ds.document(doc_id)).versions == ("1.0", "1.1")
    [row] = await ds.service.reviews(doc_id)
    assert row["feedback"] == "applied"


async def test_recover_finishes_applies_nobody_looks_at(storage: Storage) -> None:
    _, review_id = await cut_off_apply(storage, at=3)  # revision written, session "applying"
    events = await storage.read_stream(f"feedback-{review_id.removeprefix('review-')}")
    assert events[-1].event_type == "FeedbackApplyStarted"

    found = await recover(DocSenseService(storage))
    assert found.applies_finished == (review_id,)
    events = await storage.read_stream(events[-1].stream_id)
    assert events[-1].event_type == "FeedbackApplied"
    assert not await recover(DocSenseService(storage))  # nothing left the second time


async def test_a_review_an_older_docsense_left_running_is_failed_at_open(
    store_url: str,
) -> None:
    store = await open_storage(store_url)
    try:
        svc = DocSenseService(store)
        doc = await svc.ingest(seed_markdown(), "rules.md")
        [pack] = await svc.load_packs(None)
        long_ago = datetime.now(UTC) - timedelta(hours=2)
        recently = datetime.now(UTC) - timedelta(minutes=1)
        ids = []
        for when in (long_ago, recently):
            ctx = CommandContext(
                now=functools.partial(lambda at: at, when),
                new_id=lambda: str(uuid.uuid4()),
                metadata=EventMetadata(actor="old-docsense"),
            )
            # What an older docsense stored first, before it died mid-review.
            started = Review.start(
                ctx,
                document_id=doc.id,
                document_version=VersionNumber(1, 0),
                packs=[PackRef("policypack-x", pack.version)],
                reviewer="rules",
            )
            await svc.repository.save(started)
            ids.append(started.id)
    finally:
        await store.close()

    async with docsense.aopen(store_url) as ds:
        rows = {r.id: r for r in await ds.reviews(doc.id)}
    assert rows[ids[0]].status == "failed"  # interrupted long ago: failed, retryable
    assert rows[ids[1]].status == "running"  # may still be running in an older process
    async with docsense.aopen(store_url) as ds:
        [failed] = [r for r in await ds.service.reviews(doc.id) if r["id"] == ids[0]]
        assert "interrupted" in str(failed["failure"])
        assert failed["retryable"] is True


async def test_a_decision_that_finishes_an_apply_is_refused_and_lends_it_no_key(
    storage: Storage,
) -> None:
    doc_id, review_id = await cut_off_apply(storage, at=2)
    svc = DocSenseService(storage)
    review = (await svc.load_review(review_id)).review  # (reading the session would finish it)
    finding = next(f.id for f in review.state.findings if f.replacement)
    with pytest.raises(InvalidTransition, match="already applied"):
        await svc.decide(review_id, finding, "reject", reason="late", idempotency_key="d-1")
    revised = (await storage.read_stream(doc_id))[-1]
    assert revised.event_type == "DocumentRevised"
    assert revised.metadata["idempotency_key"] is None
    with pytest.raises(InvalidTransition, match="already applied"):  # its retry: the same
        await svc.decide(review_id, finding, "reject", reason="late", idempotency_key="d-1")
