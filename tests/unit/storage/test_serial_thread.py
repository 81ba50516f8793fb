"""The worker thread behind each SQLite connection: order, errors, cancellation, shutdown."""

from __future__ import annotations

import asyncio
import functools
import gc
import threading
import weakref

import pytest

from docsense.adapters.storage._serial_thread import SerialThread, SerialThreadShutDown


def _thread_of(worker: SerialThread) -> threading.Thread | None:
    return worker._thread


async def test_calls_run_in_order_on_one_thread_that_is_not_the_loops() -> None:
    worker = SerialThread("test-serial")
    seen: list[tuple[int, int]] = []

    def call(i: int) -> int:
        seen.append((i, threading.get_ident()))
        return i * i

    results = await asyncio.gather(*(worker.run(functools.partial(call, i)) for i in range(50)))
    worker.shutdown()
    assert results == [i * i for i in range(50)]
    assert [i for i, _ in seen] == list(range(50))
    threads = {ident for _, ident in seen}
    assert len(threads) == 1
    assert threading.get_ident() not in threads


async def test_an_exception_reaches_the_caller_unchanged() -> None:
    worker = SerialThread("test-serial")

    def fail() -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        await worker.run(fail)
    assert await worker.run(lambda: "still running") == "still running"
    worker.shutdown()


async def test_a_call_cancelled_before_it_started_never_runs() -> None:
    worker = SerialThread("test-serial")
    release = threading.Event()
    ran: list[str] = []
    blocker = asyncio.ensure_future(worker.run(lambda: release.wait(10)))
    queued = asyncio.ensure_future(worker.run(lambda: ran.append("queued")))
    await asyncio.sleep(0.05)
    queued.cancel()
    await asyncio.sleep(0)
    release.set()
    assert await blocker is True
    assert await worker.run(lambda: "after") == "after"
    assert ran == []
    assert queued.cancelled()
    worker.shutdown()


async def test_a_call_cancelled_while_running_finishes_and_its_result_is_dropped() -> None:
    worker = SerialThread("test-serial")
    started, release = threading.Event(), threading.Event()
    finished: list[bool] = []

    def slow() -> str:
        started.set()
        release.wait(10)
        finished.append(True)
        return "dropped"

    task = asyncio.ensure_future(worker.run(slow))
    await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
    task.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await worker.run(lambda: "next") == "next"
    assert finished == [True]
    worker.shutdown()


def test_one_thread_serves_coroutines_of_successive_event_loops() -> None:
    worker = SerialThread("test-serial")
    assert asyncio.run(worker.run(lambda: 1)) == 1
    assert asyncio.run(worker.run(lambda: 2)) == 2
    worker.shutdown()


async def test_after_shutdown_calls_are_refused_and_the_thread_ends() -> None:
    worker = SerialThread("test-serial")
    assert await worker.run(threading.current_thread) is not threading.current_thread()
    thread = _thread_of(worker)
    assert thread is not None
    worker.shutdown()
    worker.shutdown()  # idempotent
    with pytest.raises(SerialThreadShutDown, match="test-serial"):
        await worker.run(lambda: None)
    thread.join(5)
    assert not thread.is_alive()


async def test_the_thread_starts_with_the_first_call_and_ends_when_the_worker_is_collected() -> (
    None
):
    worker = SerialThread("test-serial")
    assert _thread_of(worker) is None  # nothing started for a store that is never used
    await worker.run(lambda: None)
    thread = _thread_of(worker)
    assert thread is not None
    assert thread.is_alive()
    ref = weakref.ref(worker)
    del worker
    gc.collect()
    assert ref() is None
    thread.join(5)
    assert not thread.is_alive()


async def test_a_stop_iteration_reaches_the_caller_as_a_runtime_error() -> None:
    worker = SerialThread("test-serial")

    def exhausted() -> int:
        return next(iter([]))

    with pytest.raises(RuntimeError, match="StopIteration") as info:
        await asyncio.wait_for(worker.run(exhausted), timeout=10)
    assert isinstance(info.value.__cause__, StopIteration)
    worker.shutdown()
