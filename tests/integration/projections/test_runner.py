"""The projection runner on every backend: batches, dead letters, retry, rebuild, conflicts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docsense.adapters.storage.memory import MemoryStorage
from docsense.application.projections import (
    Backoff,
    ProjectionError,
    ProjectionHalted,
    ProjectionRunner,
)
from docsense.errors import InvalidArgument, StoreUnavailable
from docsense.ports import Storage

from .conftest import counted
from .counting import CountingProjection, counting_mapper


class _Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)  # injected: no test sleeps for real


def _runner(storage: Storage, projection: CountingProjection, **kwargs: Any) -> ProjectionRunner:
    kwargs.setdefault("sleep", _Sleeps())
    return ProjectionRunner(
        storage, storage.projections, [projection], mapper=counting_mapper(), **kwargs
    )


class SecondCounting(CountingProjection):
    """The same counting under another name: a second projection of the same events."""

    name = "counting-2"


async def _model(storage: Storage, name: str = "counting") -> dict[str, Any]:
    projections = storage.projections
    totals = await projections.query(name, "totals", limit=10_000)
    applied = await projections.query(name, "applied", limit=10_000)
    return {
        "totals": {t["stream"]: t["sum"] for t in totals},
        "applied": {a["event_id"]: a["times"] for a in applied},
    }


async def _append_history(storage: Storage, streams: dict[str, list[int]]) -> list[str]:
    ids: list[str] = []
    for stream, values in streams.items():
        events = [counted(v) for v in values]
        await storage.append(stream, events, 0)
        ids.extend(e.event_id for e in events)
    return ids


async def test_catch_up_applies_every_event_once_in_small_batches(storage: Storage) -> None:
    ids = await _append_history(storage, {"c-a": [1, 2, 3], "c-b": [10] * 7})
    runner = _runner(storage, CountingProjection(), batch_size=3)
    assert await runner.catch_up() == 10
    assert await runner.catch_up() == 0
    model = await _model(storage)
    assert model["totals"] == {"c-a": 6, "c-b": 70}
    assert model["applied"] == dict.fromkeys(ids, 1)
    [status] = await runner.status()
    assert (status.lag, status.dead_letters, status.position) == (0, 0, await storage.head())


async def test_poison_event_is_parked_after_retries_and_later_events_still_project(
    storage: Storage,
) -> None:
    await storage.append("c-a", [counted(1), counted(2)], 0)
    poison = counted(100, poison=True)
    await storage.append("c-b", [poison], 0)
    await storage.append("c-a", [counted(3), counted(4)], 2)
    sleeps = _Sleeps()
    runner = _runner(
        storage, CountingProjection(), max_attempts=4, backoff=Backoff(0.5, 3.0), sleep=sleeps
    )
    await runner.catch_up()

    assert sleeps.delays == [0.5, 1.0, 2.0]  # three retries with exponential backoff
    [letter] = await runner.dead_letters("counting")
    assert letter.event_id == poison.event_id
    assert letter.attempts == 4
    assert "cannot count poison event" in letter.error
    assert "ValueError" in letter.traceback
    assert (await _model(storage))["totals"] == {"c-a": 10}
    assert (await runner.status_of("counting")).dead_letters == 1

    fixed = _runner(storage, CountingProjection(fail_on_poison=False))
    await fixed.retry_dead_letter("counting", poison.event_id)
    assert await fixed.dead_letters() == []
    incremental = await _model(storage)
    await fixed.rebuild("counting")
    assert await _model(storage) == incremental
    assert incremental["totals"] == {"c-a": 10, "c-b": 100}


async def test_retrying_a_still_failing_dead_letter_keeps_it_parked(storage: Storage) -> None:
    poison = counted(1, poison=True)
    await storage.append("c-a", [poison], 0)
    runner = _runner(storage, CountingProjection(), max_attempts=1)
    await runner.catch_up()
    with pytest.raises(ProjectionError, match="still fails"):
        await runner.retry_dead_letter("counting", poison.event_id)
    assert [d.event_id for d in await runner.dead_letters()] == [poison.event_id]
    await runner.discard_dead_letter("counting", poison.event_id)
    assert await runner.dead_letters() == []
    with pytest.raises(InvalidArgument, match="no dead letter"):
        await runner.discard_dead_letter("counting", poison.event_id)


async def test_halting_projection_stops_at_the_failing_event(storage: Storage) -> None:
    class Halting(CountingProjection):
        halt_on_error = True

    await storage.append("c-a", [counted(1), counted(2, poison=True), counted(3)], 0)
    runner = _runner(storage, Halting(), max_attempts=2, sleep=_Sleeps())
    with pytest.raises(ProjectionHalted, match="halted at event"):
        await runner.catch_up()
    status = await runner.status_of("counting")
    assert status.halted is not None
    assert status.lag == 2
    assert (await _model(storage))["totals"] == {"c-a": 1}
    assert await runner.catch_up() == 0  # stays halted until resumed


async def test_rebuild_swaps_in_a_complete_model_and_readers_never_see_a_partial_one(
    storage: Storage,
) -> None:
    await _append_history(storage, {f"c-{i}": [i] * 5 for i in range(8)})
    runner = _runner(storage, CountingProjection(), batch_size=7)
    await runner.catch_up()
    before = await _model(storage)

    seen_during: list[dict[str, Any]] = []
    projection = CountingProjection()
    original = projection.apply

    async def observing_apply(*args: Any) -> None:
        seen_during.append(await _model(storage))  # what a reader sees mid-rebuild
        await original(*args)

    projection.apply = observing_apply  # type: ignore[method-assign,assignment]
    rebuilder = _runner(storage, projection, batch_size=7)
    status = await rebuilder.rebuild("counting")
    assert status.generation == 2
    assert all(model == before for model in seen_during)
    assert await _model(storage) == before


async def test_two_runners_of_one_projection_never_apply_an_event_twice(
    storage: Storage, storage_url: str
) -> None:
    from docsense.adapters.storage import open_storage

    ids = await _append_history(storage, {f"c-{i}": list(range(30)) for i in range(10)})
    other = storage if storage_url == "memory://" else await open_storage(storage_url)
    try:
        first = _runner(storage, CountingProjection(), batch_size=13)
        second = _runner(other, CountingProjection(), batch_size=13)
        await asyncio.gather(first.catch_up(), second.catch_up())
        model = await _model(storage)
    finally:
        if other is not storage:
            await other.close()
    assert model["applied"] == dict.fromkeys(ids, 1)
    assert sum(model["totals"].values()) == 10 * sum(range(30))


async def test_two_runners_of_two_projections_with_commits_in_flight_apply_each_event_once(
    storage: Storage, storage_url: str
) -> None:
    # catch_up commits one projection's batch while the next projection's handlers run: two
    # runners racing that way must still apply every event exactly once per projection.
    from docsense.adapters.storage import open_storage

    ids = await _append_history(storage, {f"c-{i}": list(range(25)) for i in range(8)})
    other = storage if storage_url == "memory://" else await open_storage(storage_url)
    try:
        runners = [
            ProjectionRunner(
                s, s.projections, [CountingProjection(), SecondCounting()],
                mapper=counting_mapper(), batch_size=7, overlap_commits=True,
            )
            for s in (storage, other)
        ]
        totals = await asyncio.gather(*(r.catch_up() for r in runners))
        models = [await _model(storage, name) for name in ("counting", "counting-2")]
    finally:
        if other is not storage:
            await other.close()
    assert sum(totals) >= 2 * len(ids)  # both projections covered every event between them
    for model in models:
        assert model["applied"] == dict.fromkeys(ids, 1)
        assert sum(model["totals"].values()) == 8 * sum(range(25))


async def test_one_runner_shared_by_concurrent_catch_ups_leaves_no_commit_unawaited(
    storage: Storage,
) -> None:
    # A worker's projection loop, read-your-writes catch-ups and recovery share one runner.
    # Two steps of one projection at once started two commits from one checkpoint; the second
    # replaced the first in flight, whose conflict nobody awaited ("Task exception was never
    # retrieved"). Steps of a projection now take turns.
    import gc

    ids = await _append_history(storage, {f"c-{i}": list(range(20)) for i in range(6)})
    runner = ProjectionRunner(
        storage, storage.projections, [CountingProjection(), SecondCounting()],
        mapper=counting_mapper(), batch_size=5, overlap_commits=True,
    )
    unhandled: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    try:
        await asyncio.gather(*(runner.catch_up() for _ in range(4)))
        await asyncio.sleep(0)
        gc.collect()  # a dropped task reports its exception when it is collected
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    assert unhandled == []
    for name in ("counting", "counting-2"):
        model = await _model(storage, name)
        assert model["applied"] == dict.fromkeys(ids, 1)


async def test_a_runner_whose_checkpoint_moved_elsewhere_reloads_instead_of_reapplying(
    storage: Storage, storage_url: str
) -> None:
    # A runner starts its next batch where its own last commit left the checkpoint. Another
    # runner moving it meanwhile (or rebuilding into a new generation) must make that commit
    # conflict and the runner reload, never apply events twice or into a dropped generation.
    from docsense.adapters.storage import open_storage

    ids = await _append_history(storage, {"c-a": list(range(10))})
    other = storage if storage_url == "memory://" else await open_storage(storage_url)
    try:
        first = _runner(storage, CountingProjection(), batch_size=4)
        second = _runner(other, CountingProjection(), batch_size=4)
        await first.catch_up()
        more = [counted(v) for v in range(10, 16)]
        await storage.append("c-a", more, 10)
        await second.catch_up()  # moves the checkpoint past first's last commit
        await first.catch_up()
        await second.rebuild("counting")  # a new generation is swapped in
        latest = [counted(v) for v in range(16, 20)]
        await storage.append("c-a", latest, 16)
        await first.catch_up()
        model = await _model(storage)
    finally:
        if other is not storage:
            await other.close()
    every = ids + [e.event_id for e in more + latest]
    assert model["applied"] == dict.fromkeys(every, 1)
    assert model["totals"] == {"c-a": sum(range(20))}


class _CommitFailsOnce:
    """The storage's projection store, except that its ``fail_at``-th commit raises."""

    def __init__(self, inner: Any, fail_at: int) -> None:
        self._inner, self._fail_at, self.commits = inner, fail_at, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def commit(self, batch: Any) -> None:
        self.commits += 1
        if self.commits == self._fail_at:
            raise StoreUnavailable("the store went away during a commit")
        await self._inner.commit(batch)


async def test_a_commit_failing_in_flight_is_raised_by_catch_up_and_loses_nothing(
    storage: Storage,
) -> None:
    ids = await _append_history(storage, {"c-a": list(range(20))})
    failing = _CommitFailsOnce(storage.projections, fail_at=3)
    runner = ProjectionRunner(
        storage, failing, [CountingProjection(), SecondCounting()],
        mapper=counting_mapper(), batch_size=5, overlap_commits=True,
    )
    with pytest.raises(StoreUnavailable, match="went away"):
        await runner.catch_up()
    # The failed batch moved nothing; the next catch-up redoes it and finishes the rest.
    await runner.catch_up()
    for name in ("counting", "counting-2"):
        model = await _model(storage, name)
        assert model["applied"] == dict.fromkeys(ids, 1)
        assert model["totals"] == {"c-a": sum(range(20))}


class _CountsReads:
    """The storage's projection store, counting the documents read back per collection."""

    def __init__(self, inner: Any) -> None:
        self._inner, self.reads = inner, {"totals": 0, "applied": 0}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def get_doc(self, projection: str, generation: int, collection: str, key: str) -> Any:
        self.reads[collection] += 1
        return await self._inner.get_doc(projection, generation, collection, key)


async def test_the_next_batch_reads_what_the_last_commit_wrote_without_the_store(
    storage: Storage,
) -> None:
    # One stream over three batches: its running total is read from the store once, by the
    # first batch, and after that comes from what the runner's own commits wrote.
    ids = await _append_history(storage, {"c-a": list(range(10))})
    reads = _CountsReads(storage.projections)
    runner = ProjectionRunner(
        storage, reads, [CountingProjection()], mapper=counting_mapper(), batch_size=4
    )
    assert await runner.catch_up() == 10
    assert reads.reads["totals"] == 1
    assert reads.reads["applied"] == 10  # new keys are still looked up: nobody wrote them
    model = await _model(storage)
    assert model["totals"] == {"c-a": sum(range(10))}
    assert model["applied"] == dict.fromkeys(ids, 1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    history=st.lists(
        st.tuples(st.integers(0, 4), st.integers(-50, 50), st.booleans()), max_size=40
    ),
    batch_size=st.integers(1, 9),
)
def test_rebuild_equals_incremental_projection(
    history: list[tuple[int, int, bool]], batch_size: int
) -> None:
    async def scenario() -> None:
        storage = MemoryStorage()
        versions: dict[str, int] = {}
        runner = _runner(storage, CountingProjection(fail_on_poison=False), batch_size=batch_size)
        for stream_no, n, catch_up_now in history:
            stream = f"c-{stream_no}"
            await storage.append(stream, [counted(n)], versions.get(stream, 0))
            versions[stream] = versions.get(stream, 0) + 1
            if catch_up_now:
                await runner.catch_up()
        await runner.catch_up()
        incremental = await _model(storage)
        await runner.rebuild("counting")
        assert await _model(storage) == incremental
        assert set(incremental["applied"].values()) <= {1}

    asyncio.run(scenario())


def test_runner_rejects_duplicate_projection_names() -> None:
    store = MemoryStorage()
    with pytest.raises(InvalidArgument, match="unique"):
        ProjectionRunner(store, store.projections, [CountingProjection(), CountingProjection()])
