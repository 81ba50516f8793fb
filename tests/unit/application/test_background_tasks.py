"""Issue 15: background tasks never leak exceptions, and long-running loops ride out outages."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from docsense.adapters.storage.memory import MemoryStorage
from docsense.adapters.storage.memory_jobs import MemoryJobQueue
from docsense.application.jobs import ReviewJobWorker, enqueue_reviews
from docsense.application.projections import ProjectionRunner
from docsense.application.read_models import builtin_projections
from docsense.application.service import DocSenseService
from docsense.application.waiting import wait_or_stop
from docsense.application.worker import ProjectionWorker, SoleLeader
from docsense.errors import StorageError, StoreUnavailable


@pytest_asyncio.fixture
async def leaks() -> AsyncIterator[list[dict[str, Any]]]:
    loop = asyncio.get_running_loop()
    gc.collect()  # what earlier tests left is reported to the handler they had, not here
    reports: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reports.append(context))
    before = asyncio.all_tasks()
    yield reports
    gc.collect()  # "never retrieved" is reported when the task is collected
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before - {asyncio.current_task()} == set(), "tasks left"
    loop.set_exception_handler(previous)


async def test_wait_or_stop_raises_what_the_wait_raised_and_leaves_no_task(
    leaks: list[dict[str, Any]],
) -> None:
    async def failing() -> None:
        await asyncio.sleep(0)
        raise StoreUnavailable("connection lost")

    with pytest.raises(StoreUnavailable):
        await wait_or_stop(asyncio.Event(), failing())
    stop = asyncio.Event()
    stop.set()
    assert await wait_or_stop(stop, asyncio.sleep(30)) is True
    gc.collect()
    await asyncio.sleep(0)
    assert leaks == []


async def test_the_projection_worker_rides_out_an_unreachable_store(
    leaks: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    store = MemoryStorage()
    service = DocSenseService(store)
    await service.ingest(b"# R\n\nRebalance periodically.\n", "r.md")
    runner = ProjectionRunner(store, store.projections, builtin_projections())
    stop = asyncio.Event()
    calls = 0

    async def wakeup(_: float) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise StoreUnavailable("the server closed the connection (57P01)")
        stop.set()

    worker = ProjectionWorker(runner, SoleLeader(), poll_interval=0.001, wakeup=wakeup)
    await asyncio.wait_for(worker.run(stop), 10)
    assert calls == 2, "the worker carried on after the outage"
    assert "57P01" in caplog.text
    assert (await runner.status_of("documents")).lag == 0
    assert leaks == []


class FlakyLeases(MemoryJobQueue):
    """A job queue whose lease renewals fail, as when the database is briefly away."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    async def extend(self, job_id: str, worker: str, *, lease_seconds: float) -> bool:
        self.refused += 1
        raise StorageError("could not renew: connection lost")


async def test_a_job_whose_lease_renewals_fail_still_completes_and_leaks_nothing(
    leaks: list[dict[str, Any]],
) -> None:
    store = MemoryStorage()
    service = DocSenseService(store)
    doc = await service.ingest(b"# R\n\nRebalance periodically.\n", "r.md")
    queue = FlakyLeases()
    [job_id] = await enqueue_reviews(queue, [{"document_id": doc.id}])
    slow = service.review

    async def slow_review(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.05)  # several renewals fail meanwhile
        return await slow(*args, **kwargs)

    service.review = slow_review  # type: ignore[method-assign]
    worker = ReviewJobWorker(service, queue, lease_seconds=0.03)
    assert await worker.run_once()
    job = await queue.get_job(job_id)
    assert job is not None
    assert job.status == "done"
    assert queue.refused >= 1
