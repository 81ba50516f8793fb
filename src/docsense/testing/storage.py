"""The storage contract: every adapter of the storage ports must pass these tests.

To prove your own adapter, subclass :class:`StorageContract` in a test module and provide the
``open_store`` fixture: an async factory that opens a *new connection* (a new adapter
instance) to one fresh, empty backend each time it is called, and closes them at teardown::

    import pytest_asyncio
    from docsense.testing import StorageContract

    class TestMyStore(StorageContract):
        @pytest_asyncio.fixture
        async def open_store(self, tmp_path):
            opened = []

            async def factory():
                store = await MyStore.open(tmp_path / "db")
                opened.append(store)
                return store

            yield factory
            for store in opened:
                await store.close()

Requires ``pytest`` and ``pytest-asyncio`` (``pip install 'docsense[testing]'``).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio

from docsense.errors import (
    BlobNotFound,
    ConcurrencyConflict,
    DuplicateEventId,
    InvalidArgument,
)
from docsense.ports import NewEvent, Snapshot, Storage

__all__ = ["StorageContract", "new_event"]

OpenStore = Callable[[], Awaitable[Storage]]

_T0 = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def new_event(n: int = 0, event_type: str = "ThingHappened", **payload: Any) -> NewEvent:
    """Return a fresh :class:`NewEvent` with a unique id (a helper for adapter tests)."""
    return NewEvent(
        event_id=str(uuid.uuid4()),
        event_type=event_type,
        schema_version=1,
        occurred_at=_T0 + timedelta(seconds=n),
        payload={"n": n, "text": "é ü ✓", "nested": {"list": [1, 2.5, None, True]}, **payload},
        metadata={"actor": "tester", "correlation_id": "c-1", "causation_id": None},
    )


def _stream() -> str:
    return f"thing-{uuid.uuid4()}"


class StorageContract:
    """Contract tests for :class:`~docsense.ports.Storage` (event, snapshot and blob store)."""

    concurrent_writers: int = 16
    """How many connections race in the concurrency tests."""

    # Subclasses define the fixture ``open_store``: an async factory (type OpenStore) that
    # opens a new connection to one fresh backend per call and closes them all at teardown.
    # It is not declared here so that subclasses can request whatever fixtures they need.

    @pytest_asyncio.fixture
    async def store(self, open_store: OpenStore) -> Storage:
        """One connection to the fresh backend."""
        return await open_store()

    # --- append and read ----------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_append_to_new_stream_then_read_it_back(self, store: Storage) -> None:
        stream = _stream()
        events = [new_event(i) for i in range(3)]
        positions = await store.append(stream, events, 0)
        assert len(positions) == 3
        assert positions == sorted(positions)
        assert len(set(positions)) == 3
        recorded = await store.read_stream(stream)
        assert [r.event_id for r in recorded] == [e.event_id for e in events]
        assert [r.stream_version for r in recorded] == [1, 2, 3]
        assert [r.position for r in recorded] == positions
        first = recorded[0]
        assert first.stream_id == stream
        assert first.event_type == "ThingHappened"
        assert first.schema_version == 1
        assert first.payload == events[0].payload
        assert first.metadata == events[0].metadata
        assert first.occurred_at == events[0].occurred_at
        assert await store.stream_version(stream) == 3

    @pytest.mark.asyncio
    async def test_read_stream_from_version_returns_only_the_tail(self, store: Storage) -> None:
        stream = _stream()
        await store.append(stream, [new_event(i) for i in range(5)], 0)
        tail = await store.read_stream(stream, from_version=3)
        assert [r.stream_version for r in tail] == [4, 5]
        assert await store.read_stream(stream, from_version=5) == []

    @pytest.mark.asyncio
    async def test_unknown_stream_is_empty_at_version_zero(self, store: Storage) -> None:
        assert await store.read_stream(_stream()) == []
        assert await store.stream_version(_stream()) == 0

    @pytest.mark.asyncio
    async def test_append_with_stale_version_raises_conflict(self, store: Storage) -> None:
        stream = _stream()
        await store.append(stream, [new_event(1), new_event(2)], 0)
        with pytest.raises(ConcurrencyConflict) as info:
            await store.append(stream, [new_event(3)], 1)
        assert info.value.stream_id == stream
        assert info.value.expected_version == 1
        assert await store.stream_version(stream) == 2

    @pytest.mark.asyncio
    async def test_append_with_version_ahead_of_stream_raises_conflict(
        self, store: Storage
    ) -> None:
        stream = _stream()
        await store.append(stream, [new_event(1)], 0)
        with pytest.raises(ConcurrencyConflict):
            await store.append(stream, [new_event(2)], 5)
        with pytest.raises(ConcurrencyConflict):
            await store.append(_stream(), [new_event(2)], 1)

    @pytest.mark.asyncio
    async def test_creating_an_existing_stream_raises_conflict(self, store: Storage) -> None:
        stream = _stream()
        await store.append(stream, [new_event(1)], 0)
        with pytest.raises(ConcurrencyConflict):
            await store.append(stream, [new_event(2)], 0)

    @pytest.mark.asyncio
    async def test_reappending_the_same_events_is_idempotent(self, store: Storage) -> None:
        stream = _stream()
        events = [new_event(1), new_event(2)]
        first = await store.append(stream, events, 0)
        again = await store.append(stream, events, 0)
        assert again == first
        assert len(await store.read_stream(stream)) == 2
        later = [new_event(3)]
        third = await store.append(stream, later, 2)
        assert await store.append(stream, later, 2) == third
        assert await store.stream_version(stream) == 3

    @pytest.mark.asyncio
    async def test_event_id_reused_in_another_stream_is_rejected(self, store: Storage) -> None:
        event = new_event(1)
        await store.append(_stream(), [event], 0)
        other = _stream()
        with pytest.raises(DuplicateEventId):
            await store.append(other, [event], 0)
        assert await store.stream_version(other) == 0

    @pytest.mark.asyncio
    async def test_a_failing_batch_stores_nothing(self, store: Storage) -> None:
        taken = new_event(0)
        await store.append(_stream(), [taken], 0)
        stream = _stream()
        with pytest.raises(DuplicateEventId):
            await store.append(stream, [new_event(1), new_event(2), taken], 0)
        assert await store.read_stream(stream) == []
        assert await store.stream_version(stream) == 0
        await store.append(stream, [new_event(3)], 0)
        assert await store.stream_version(stream) == 1

    @pytest.mark.asyncio
    async def test_empty_append_checks_the_version_and_stores_nothing(self, store: Storage) -> None:
        stream = _stream()
        assert await store.append(stream, [], 0) == []
        assert await store.stream_version(stream) == 0
        with pytest.raises(ConcurrencyConflict):
            await store.append(stream, [], 3)

    @pytest.mark.asyncio
    @pytest.mark.parametrize(("stream", "version"), [("", 0), ("thing-1", -1), ("thing-1", True)])
    async def test_malformed_append_arguments_raise_invalid_argument(
        self, store: Storage, stream: str, version: int
    ) -> None:
        with pytest.raises(InvalidArgument):
            await store.append(stream, [new_event(1)], version)

    @pytest.mark.asyncio
    async def test_the_same_id_twice_in_one_batch_is_invalid(self, store: Storage) -> None:
        event = new_event(1)
        with pytest.raises(InvalidArgument):
            await store.append(_stream(), [event, event], 0)

    # --- global order -------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_read_all_pages_through_every_event_in_commit_order(self, store: Storage) -> None:
        start = await store.head()
        streams = [_stream() for _ in range(4)]
        appended: list[str] = []
        for round_ in range(3):
            for stream in streams:
                events = [new_event(round_), new_event(round_)]
                await store.append(stream, events, round_ * 2)
                appended.extend(e.event_id for e in events)
        seen = []
        after = start
        while True:
            page = await store.read_all(after, limit=5)
            if not page:
                break
            assert len(page) <= 5
            seen.extend(page)
            after = page[-1].position
        assert [r.event_id for r in seen] == appended
        positions = [r.position for r in seen]
        assert all(a < b for a, b in itertools.pairwise(positions))
        assert await store.head() == positions[-1]

    @pytest.mark.asyncio
    async def test_head_of_an_empty_store_is_zero(self, store: Storage) -> None:
        assert await store.head() == 0
        assert await store.read_all(0) == []

    @pytest.mark.asyncio
    async def test_concurrent_appends_with_one_expected_version_let_one_win(
        self, open_store: OpenStore
    ) -> None:
        stores = [await open_store() for _ in range(self.concurrent_writers)]
        stream = _stream()
        await stores[0].append(stream, [new_event(0)], 0)
        results = await asyncio.gather(
            *(s.append(stream, [new_event(1)], 1) for s in stores), return_exceptions=True
        )
        self._assert_one_winner(results)
        assert await stores[0].stream_version(stream) == 2

    @pytest.mark.asyncio
    async def test_concurrent_creators_of_one_stream_let_one_win(
        self, open_store: OpenStore
    ) -> None:
        stores = [await open_store() for _ in range(self.concurrent_writers)]
        stream = _stream()
        results = await asyncio.gather(
            *(s.append(stream, [new_event(i), new_event(i)], 0) for i, s in enumerate(stores)),
            return_exceptions=True,
        )
        self._assert_one_winner(results)
        assert await stores[0].stream_version(stream) == 2

    @pytest.mark.asyncio
    async def test_concurrent_appends_through_one_connection_each_get_their_own_answer(
        self, store: Storage
    ) -> None:
        # Stores may commit appends made at once together (SQLite's group commit): each must
        # still be checked, answered and stored (or not) on its own.
        streams = [_stream() for _ in range(8)]
        for stream in streams[:5]:
            await store.append(stream, [new_event(0)], 0)
        taken = new_event(99)
        await store.append(_stream(), [taken], 0)

        async def burst(appends: list[tuple[str, list[NewEvent], int]]) -> list[Any]:
            results = await asyncio.gather(
                *(store.append(s, events, v) for s, events, v in appends),
                return_exceptions=True,
            )
            positions = [p for r in results if isinstance(r, list) for p in r]
            assert len(set(positions)) == len(positions)
            for (stream, events, _), result in zip(appends, results, strict=True):
                stored = {r.event_id: r.position for r in await store.read_stream(stream)}
                if isinstance(result, list):
                    assert [stored[e.event_id] for e in events] == result
                else:
                    assert not any(e.event_id in stored for e in events)
            return results

        # Every append to a stream of its own.
        first = await burst(
            [
                (streams[0], [new_event(1), new_event(2)], 1),
                (streams[1], [new_event(3), new_event(4), new_event(5)], 1),
                (streams[2], [new_event(6)], 1),
                (streams[3], [new_event(7)], 0),  # stale
                (streams[4], [new_event(8)], 5),  # ahead of the stream
                (streams[5], [new_event(9), new_event(10)], 0),  # new
                (streams[6], [new_event(11)], 0),  # new
            ]
        )
        conflict = ConcurrencyConflict
        assert [type(r) for r in first] == [list, list, list, conflict, conflict, list, list]
        # Every one current: all are stored, each at its own positions.
        everyone = await burst(
            [
                (streams[2], [new_event(20), new_event(21)], 2),
                (streams[3], [new_event(22)], 1),
                (streams[4], [new_event(23), new_event(24), new_event(25)], 1),
                (_stream(), [new_event(26)], 0),
            ]
        )
        assert [len(r) for r in everyone] == [2, 1, 3, 1]
        # Two appends to one new stream, an event id stored elsewhere, and a current one.
        second = await burst(
            [
                (streams[7], [new_event(12)], 0),
                (streams[7], [new_event(13)], 0),
                (_stream(), [new_event(14), taken], 0),
                (streams[0], [new_event(15)], 3),
            ]
        )
        assert {type(r) for r in second[:2]} == {list, ConcurrencyConflict}
        assert isinstance(second[2], DuplicateEventId)
        assert isinstance(second[3], list)
        assert await store.stream_version(streams[0]) == 4
        assert await store.stream_version(streams[1]) == 4

    def _assert_one_winner(self, results: list[Any]) -> None:
        wins = [r for r in results if isinstance(r, list)]
        conflicts = [r for r in results if isinstance(r, ConcurrencyConflict)]
        others = [r for r in results if not isinstance(r, list | ConcurrencyConflict)]
        assert others == [], f"unexpected outcomes: {others!r}"
        assert len(wins) == 1
        assert len(conflicts) == self.concurrent_writers - 1

    @pytest.mark.asyncio
    async def test_a_tailing_reader_sees_every_event_once_in_increasing_order(
        self, open_store: OpenStore
    ) -> None:
        writers, total = 8, 2000
        stores = [await open_store() for _ in range(writers)]
        reader = await open_store()
        start = await reader.head()
        done = asyncio.Event()

        async def write(store: Storage, seed: int) -> list[str]:
            rng = random.Random(seed)
            versions: dict[str, int] = {}
            streams = [_stream() for _ in range(10)]
            ids: list[str] = []
            remaining = total // writers
            while remaining:
                stream = rng.choice(streams)
                batch = [new_event(remaining - k) for k in range(min(rng.randint(1, 3), remaining))]
                await store.append(stream, batch, versions.get(stream, 0))
                versions[stream] = versions.get(stream, 0) + len(batch)
                ids.extend(e.event_id for e in batch)
                remaining -= len(batch)
            return ids

        async def tail() -> list[tuple[int, str]]:
            # Stores may make committed events visible to read_all a little later (the
            # PostgreSQL adapter waits for older transactions anywhere in the cluster to
            # end), so after the writers finish keep reading until every event arrived or
            # nothing new has come for `settle` seconds; then read once more for extras.
            seen: list[tuple[int, str]] = []
            after = start
            settle = 20.0
            idle_since: float | None = None
            loop = asyncio.get_running_loop()
            while True:
                page = await reader.read_all(after, limit=97)
                seen.extend((r.position, r.event_id) for r in page)
                pages.append((after, [r.position for r in page]))
                if page:
                    after = page[-1].position
                    idle_since = None
                    continue
                if done.is_set():
                    if len(seen) >= total:
                        return seen
                    idle_since = idle_since or loop.time()
                    if loop.time() - idle_since > settle:
                        return seen
                await asyncio.sleep(0.001)

        pages: list[tuple[int, list[int]]] = []  # (after, positions returned) for diagnosis
        tail_task = asyncio.create_task(tail())
        written = await asyncio.gather(*(write(s, n) for n, s in enumerate(stores)))
        done.set()
        seen = await tail_task
        expected = {event_id for ids in written for event_id in ids}
        seen_ids = [event_id for _, event_id in seen]
        if len(set(seen_ids)) != len(seen_ids):
            twice = next(e for e in seen_ids if seen_ids.count(e) > 1)
            where = [p for p, e in seen if e == twice]
            asked = [(a, ps) for a, ps in pages if any(p in ps for p in where)]
            pytest.fail(f"event {twice} delivered twice at positions {where}; pages: {asked}")
        assert len(seen_ids) == total, f"{total - len(seen_ids)} events never became visible"
        assert set(seen_ids) == expected, "an event was skipped"
        positions = [p for p, _ in seen]
        assert all(a < b for a, b in itertools.pairwise(positions))

    @pytest.mark.asyncio
    async def test_wait_for_events_wakes_up_on_an_append(self, store: Storage) -> None:
        await store.wait_for_events(0.01)  # arms a listener where the store has one
        waiter = asyncio.create_task(store.wait_for_events(60))
        await asyncio.sleep(0.2)
        await store.append(_stream(), [new_event(1)], 0)
        await asyncio.wait_for(waiter, timeout=15)  # well before the 60 s poll

    # --- snapshots ----------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_snapshot_round_trips_and_newer_replaces_older(self, store: Storage) -> None:
        stream = _stream()
        assert await store.load_snapshot(stream) is None
        await store.save_snapshot(Snapshot(stream, 5, 1, {"a": [1, 2], "b": None}))
        await store.save_snapshot(Snapshot(stream, 9, 2, {"a": [3]}))
        assert await store.load_snapshot(stream) == Snapshot(stream, 9, 2, {"a": [3]})

    @pytest.mark.asyncio
    async def test_an_older_snapshot_never_replaces_a_newer_one(self, store: Storage) -> None:
        stream = _stream()
        await store.save_snapshot(Snapshot(stream, 9, 1, {"v": 9}))
        await store.save_snapshot(Snapshot(stream, 4, 1, {"v": 4}))
        loaded = await store.load_snapshot(stream)
        assert loaded is not None
        assert loaded.version == 9

    # --- blobs --------------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_blobs_are_stored_once_by_sha256(self, store: Storage) -> None:
        data = bytes(range(256)) * 10
        digest = await store.put_blob(data)
        assert len(digest) == 64
        assert await store.put_blob(data) == digest
        assert await store.has_blob(digest)
        assert await store.get_blob(digest) == data
        assert await store.put_blob(b"") != digest

    @pytest.mark.asyncio
    async def test_a_missing_blob_raises_blob_not_found(self, store: Storage) -> None:
        assert not await store.has_blob("0" * 64)
        with pytest.raises(BlobNotFound):
            await store.get_blob("0" * 64)

    # --- lifecycle ----------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_close_is_idempotent(self, open_store: OpenStore) -> None:
        store = await open_store()
        await store.close()
        await store.close()
