"""A storage wrapper that fails, or "kills the process", at a chosen append of a command.

``FaultyStorage(inner)`` passes everything through to ``inner`` and counts appends. Armed
with :meth:`FaultyStorage.arm`, the ``at``-th append from then on fails ``before`` it is
stored (the process died between two appends) or ``after`` (it is stored, but the process
died before anyone heard of it). The failure is :class:`SimulatedCrash` by default: a
``BaseException``, so no ``except Exception`` in docsense can swallow it, as nothing can
swallow a SIGKILL; pass ``fault`` to raise a StorageError instead, or to really kill the
process (``os.kill(os.getpid(), signal.SIGKILL)``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Literal

from docsense.ports import NewEvent, ProjectionStore, RecordedEvent, Snapshot, Storage


class SimulatedCrash(BaseException):
    """The process died here (raised instead of a SIGKILL)."""


When = Literal["before", "after"]


class Gate:
    """Holds the first ``count`` appends to streams starting with ``prefix`` until all of them
    have arrived, then lets them through one at a time: an append holding an event of type
    ``first`` before the others, else in arrival order.

    So ``count`` requests are sure to have read the stream before any of them writes: the
    worst case for optimistic concurrency, made deterministic.
    """

    def __init__(self, prefix: str, count: int, *, first: str | None = None) -> None:
        self.prefix = prefix
        self.count = count
        self.first = first
        self._turns: list[tuple[bool, asyncio.Event, asyncio.Event]] = []
        self.releaser: asyncio.Task[None] | None = None

    def holds(self, stream_id: str) -> bool:
        return stream_id.startswith(self.prefix) and len(self._turns) < self.count

    async def enter(self, events: Sequence[NewEvent]) -> asyncio.Event:
        """Wait for this append's turn; set the returned event when the append is over."""
        turn, done = asyncio.Event(), asyncio.Event()
        urgent = any(e.event_type == self.first for e in events)
        self._turns.append((urgent, turn, done))
        if len(self._turns) == self.count:
            self.releaser = asyncio.create_task(self._release())
        await turn.wait()
        return done

    async def _release(self) -> None:
        order = sorted(self._turns, key=lambda t: not t[0])  # stable: arrival order otherwise
        for _, turn, done in order:
            turn.set()
            await done.wait()


class FaultyStorage:
    """Everything ``inner`` does, with one append made to fail on demand."""

    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self.appends: list[str] = []
        self._at: int | None = None
        self._when: When = "before"
        self._fault: Callable[[], BaseException | None] = SimulatedCrash
        self.gate: Gate | None = None

    def arm(
        self,
        at: int,
        when: When = "before",
        fault: Callable[[], BaseException | None] = SimulatedCrash,
    ) -> None:
        """Make the ``at``-th append from now on fail (count from 1)."""
        self.appends.clear()
        self._at, self._when, self._fault = at, when, fault

    def disarm(self) -> None:
        """Let every append through again."""
        self._at = None

    def _strike(self, when: When) -> None:
        if self._at == len(self.appends) and self._when == when:
            self._at = None
            error = self._fault()
            if error is not None:
                raise error

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> list[int]:
        self.appends.append(stream_id)
        self._strike("before")
        gate = self.gate
        if gate is not None and gate.holds(stream_id):
            done = await gate.enter(events)
            try:
                positions = await self.inner.append(stream_id, events, expected_version)
            finally:
                done.set()
        else:
            positions = await self.inner.append(stream_id, events, expected_version)
        self._strike("after")
        return positions

    async def read_stream(self, stream_id: str, from_version: int = 0) -> list[RecordedEvent]:
        return await self.inner.read_stream(stream_id, from_version)

    async def stream_version(self, stream_id: str) -> int:
        return await self.inner.stream_version(stream_id)

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return await self.inner.read_all(after, limit)

    async def head(self) -> int:
        return await self.inner.head()

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        await self.inner.save_snapshot(snapshot)

    async def load_snapshot(self, stream_id: str) -> Snapshot | None:
        return await self.inner.load_snapshot(stream_id)

    async def put_blob(self, data: bytes) -> str:
        return await self.inner.put_blob(data)

    async def get_blob(self, sha256: str) -> bytes:
        return await self.inner.get_blob(sha256)

    async def has_blob(self, sha256: str) -> bool:
        return await self.inner.has_blob(sha256)

    async def wait_for_events(self, max_wait: float) -> None:
        await self.inner.wait_for_events(max_wait)

    @property
    def projections(self) -> ProjectionStore:
        return self.inner.projections

    @property
    def url(self) -> str:
        return self.inner.url

    async def close(self) -> None:
        await self.inner.close()
