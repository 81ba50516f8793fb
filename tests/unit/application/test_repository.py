"""Repository: snapshot + tail equals full replay; bad snapshots fall back; saves are optimistic."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docsense.adapters.storage.memory import MemoryStorage
from docsense.application.mapping import EventMapper
from docsense.application.repository import Repository, UnitOfWork
from docsense.domain.aggregate import Aggregate
from docsense.domain.documents import Document
from docsense.domain.ir import SemanticIR
from docsense.errors import AggregateNotFound, ConcurrencyConflict, InvalidArgument
from docsense.ports import Snapshot
from docsense.testing.strategies import aggregates, deterministic_context


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aggregate=aggregates(), data=st.data())
def test_state_from_snapshot_plus_tail_equals_state_from_full_replay(
    aggregate: Aggregate[Any], data: st.DataObject
) -> None:
    events = aggregate.pending_events
    cut = data.draw(st.integers(1, len(events)), label="events stored before the snapshot")

    async def scenario() -> None:
        store = MemoryStorage()
        repo = Repository(store, store, snapshot_every=0)
        mapper = EventMapper()
        await store.append(aggregate.id, [mapper.to_new_event(e) for e in events[:cut]], 0)
        await repo.snapshot(await repo.load(type(aggregate), aggregate.id))
        await store.append(aggregate.id, [mapper.to_new_event(e) for e in events[cut:]], cut)

        snapshot = await store.load_snapshot(aggregate.id)
        assert snapshot is not None
        assert snapshot.version == cut
        from_snapshot = await repo.load(type(aggregate), aggregate.id)
        replayed = await repo.load(type(aggregate), aggregate.id, use_snapshot=False)
        assert from_snapshot.version == replayed.version == len(events)
        assert from_snapshot.state == replayed.state == aggregate.state

    asyncio.run(scenario())


async def test_saving_takes_a_snapshot_each_time_the_interval_is_crossed() -> None:
    store = MemoryStorage()
    repo = Repository(store, store, snapshot_every=3)
    ctx = deterministic_context(id_prefix=1)
    doc = await _saved_document(repo)
    doc.convert(ctx, markdown="# M\n", sections=(), ir=SemanticIR(), converter="markdown")
    await repo.save(doc)
    assert await store.load_snapshot(doc.id) is None  # 2 events: below the interval
    for _ in range(5):
        doc.export(ctx, format="md")
        await repo.save(doc)
    snapshot = await store.load_snapshot(doc.id)
    assert snapshot is not None
    assert snapshot.version == 6  # crossed at 3 and at 6; 7 is past the last crossing
    doc.export(ctx, format="md")
    doc.export(ctx, format="md")
    await repo.save(doc)  # 7 -> 9 crosses 9 inside one save
    snapshot = await store.load_snapshot(doc.id)
    assert snapshot is not None
    assert snapshot.version == 9
    assert (await repo.load(Document, doc.id)).state == doc.state


async def _saved_document(repo: Repository) -> Document:
    ctx = deterministic_context()
    doc = Document.upload(
        ctx, filename="m.md", media_type="text/markdown", size=3, sha256="a" * 64, title="M"
    )
    await repo.save(doc)
    return doc


async def test_snapshot_of_another_state_version_is_ignored_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = MemoryStorage()
    repo = Repository(store, store)
    doc = await _saved_document(repo)
    await store.save_snapshot(Snapshot(doc.id, 1, Document.state_version + 1, {"x": 1}))
    with caplog.at_level(logging.WARNING, logger="docsense.application.repository"):
        loaded = await repo.load(Document, doc.id)
    assert loaded.state == doc.state
    assert "replaying its events instead" in caplog.text


async def test_undecodable_snapshot_falls_back_to_replay_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = MemoryStorage()
    repo = Repository(store, store)
    doc = await _saved_document(repo)
    await store.save_snapshot(Snapshot(doc.id, 1, Document.state_version, {"garbage": [1]}))
    with caplog.at_level(logging.WARNING, logger="docsense.application.repository"):
        loaded = await repo.load(Document, doc.id)
    assert loaded.state == doc.state
    assert "undecodable snapshot" in caplog.text


async def test_loading_a_missing_aggregate_raises_aggregate_not_found() -> None:
    store = MemoryStorage()
    with pytest.raises(AggregateNotFound, match="document-nope"):
        await Repository(store, store).load(Document, "document-nope")


async def test_two_loaded_copies_cannot_both_save() -> None:
    store = MemoryStorage()
    repo = Repository(store, store)
    doc = await _saved_document(repo)
    ctx = deterministic_context(id_prefix=7)
    one = await repo.load(Document, doc.id)
    two = await repo.load(Document, doc.id)
    for copy in (one, two):
        copy.convert(ctx, markdown="# M\n", sections=(), ir=SemanticIR(), converter="markdown")
    await repo.save(one)
    with pytest.raises(ConcurrencyConflict):
        await repo.save(two)
    assert (await repo.load(Document, doc.id)).version == 2


async def test_unit_of_work_discards_pending_events_unless_committed() -> None:
    store = MemoryStorage()
    repo = Repository(store, store)
    ctx = deterministic_context()
    async with UnitOfWork(repo) as uow:
        doc = Document.upload(
            ctx, filename="m.md", media_type="text/markdown", size=3, sha256="a" * 64, title="M"
        )
        uow.add(doc)
    assert await store.stream_version(doc.id) == 0
    async with UnitOfWork(repo) as uow:
        uow.add(doc)
        await uow.commit()
    assert await store.stream_version(doc.id) == 1


def test_negative_snapshot_interval_is_rejected() -> None:
    with pytest.raises(InvalidArgument):
        Repository(MemoryStorage(), snapshot_every=-1)


class CountingStore(MemoryStorage):
    """Counts the events each stream read returns."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[int] = []

    async def read_stream(self, stream_id: str, from_version: int = 0) -> Any:
        records = await super().read_stream(stream_id, from_version)
        self.read.append(len(records))
        return records


async def test_a_cached_aggregate_reads_only_what_others_appended_since() -> None:
    store = CountingStore()
    repo = Repository(store, store, snapshot_every=0, cache_size=4)
    other = Repository(store, store, snapshot_every=0)  # another process, in effect
    ctx = deterministic_context(id_prefix=1)
    doc = await _saved_document(repo)
    store.read.clear()
    assert (await repo.load(Document, doc.id)).state == doc.state
    assert store.read == [0]  # nothing new: nothing decoded
    theirs = await other.load(Document, doc.id)
    theirs.convert(ctx, markdown="# M\n", sections=(), ir=SemanticIR(), converter="markdown")
    await other.save(theirs)
    store.read.clear()
    mine = await repo.load(Document, doc.id)
    assert store.read == [1]  # only their event
    assert (mine.version, mine.state) == (theirs.version, theirs.state)


async def test_states_saved_with_remember_false_or_refused_are_not_kept() -> None:
    store = CountingStore()
    repo = Repository(store, store, snapshot_every=0, cache_size=4)
    ctx = deterministic_context(id_prefix=1)
    doc = Document.upload(
        ctx, filename="m.md", media_type="text/markdown", size=3, sha256="a" * 64, title="M"
    )
    await repo.save(doc, remember=False)
    store.read.clear()
    await repo.load(Document, doc.id)
    assert store.read == [1]  # read from the store, then kept
    rival = Document.upload(  # believes the stream is still empty
        ctx,
        filename="m.md",
        media_type="text/markdown",
        size=3,
        sha256="b" * 64,
        document_id=doc.id,
    )
    with pytest.raises(ConcurrencyConflict):
        await repo.save(rival)
    store.read.clear()
    await repo.load(Document, doc.id)
    assert store.read == [1]  # the refused save dropped the kept state


async def test_a_negative_cache_size_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="cache_size"):
        Repository(MemoryStorage(), cache_size=-1)
