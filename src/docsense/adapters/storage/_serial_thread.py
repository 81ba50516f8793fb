"""One worker thread that runs blocking calls in order for coroutines on any event loop.

The SQLite adapter gives each connection such a thread (sqlite3 objects are not thread-safe).
It replaces a one-thread ``ThreadPoolExecutor`` behind ``loop.run_in_executor``: the same
hop costs about half as much (no ``concurrent.futures.Future``, no chaining of two futures,
no thread-pool bookkeeping per call), which on a small machine is a sizeable part of an
append; ``benchmarks/sqlite_append_breakdown.py`` measures it.

Semantics are those of ``run_in_executor`` on a single-thread pool:

- calls run one at a time, in the order they were submitted;
- the call's return value or exception is handed to the awaiting coroutine, on its loop;
- a call whose awaiting coroutine was cancelled before the thread reached it is skipped; one
  already running finishes, and its result is dropped;
- the thread starts with the first call, and ends after :meth:`SerialThread.shutdown` or once
  the :class:`SerialThread` is garbage-collected (it holds no reference to it).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["SerialThread", "SerialThreadShutDown"]

T = TypeVar("T")

_Call = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


def _resolve(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    # Runs on the future's loop. The caller may have been cancelled meanwhile.
    if future.done():
        return
    if isinstance(error, StopIteration):
        # A future refuses StopIteration (it would end the awaiting coroutine silently).
        replaced = RuntimeError(f"call raised StopIteration: {error}")
        replaced.__cause__ = error
        future.set_exception(replaced)
    elif error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class SerialThreadShutDown(RuntimeError):
    """A call was submitted after :meth:`SerialThread.shutdown`."""


class SerialThread:
    """A daemon thread that runs submitted calls one at a time (see the module doc)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._shut = False
        # Orders submissions against shutdown, so no call is queued behind the end marker.
        self._lock = threading.Lock()
        weakref.finalize(self, self._calls.put, None)

    async def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the thread and return its result (or raise its exception).

        Raises :class:`SerialThreadShutDown` after :meth:`shutdown`.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._shut:
                raise SerialThreadShutDown(f"thread {self._name} is shut down")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=_work, args=(self._calls,), name=self._name, daemon=True
                )
                self._thread.start()
            self._calls.put((loop, future, fn))
        return await future

    def shutdown(self) -> None:
        """Let the thread end once the calls already submitted have run. Idempotent."""
        with self._lock:
            if not self._shut:
                self._shut = True
                self._calls.put(None)


def _work(calls: queue.SimpleQueue[_Call | None]) -> None:
    while (call := calls.get()) is not None:
        loop, future, fn = call
        if future.cancelled():  # reading a flag: safe from this thread
            continue
        result: Any = None
        error: BaseException | None = None
        try:
            result = fn()
        except BaseException as exc:  # handed to the caller, who decides
            error = exc
        # A closed loop has nobody left waiting for the answer.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_resolve, future, result, error)
        del call, future, fn, result, error
