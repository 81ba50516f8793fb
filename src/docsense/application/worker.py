"""Workers: run projections continuously, one leader per projection across processes.

``docsense worker`` runs a :class:`ProjectionWorker`. With PostgreSQL, any number of worker
processes may run: each projection is advanced only by its current leader (an advisory lock,
see :mod:`docsense.adapters.storage.postgres_leader`); the others wait and take over when the
leader dies. The checkpoint compare-and-set in every commit is a second line of defence: even
two processes that both believed they were leader could never both apply an event.
With memory or SQLite there is one worker process, which leads every projection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from docsense.application.projections import ProjectionHalted, ProjectionRunner
from docsense.application.waiting import wait_or_stop
from docsense.errors import StoreUnavailable

__all__ = ["LeaderElector", "ProjectionWorker", "SoleLeader"]

logger = logging.getLogger(__name__)


class LeaderElector(Protocol):
    """Decides whether this process may advance a projection."""

    async def try_lead(self, projection: str) -> bool:
        """Return True if this process leads ``projection`` now."""
        ...

    async def close(self) -> None:
        """Give up all leadership."""
        ...


class SoleLeader:
    """The elector for single-process stores: this process leads everything."""

    async def try_lead(self, projection: str) -> bool:
        """Return True: a single-process store has no rival."""
        return True

    async def close(self) -> None:
        """Nothing to give up."""


class ProjectionWorker:
    """Keeps projections caught up until stopped."""

    def __init__(
        self,
        runner: ProjectionRunner,
        elector: LeaderElector,
        *,
        poll_interval: float = 1.0,
        wakeup: Callable[[float], Awaitable[None]] | None = None,
        on_lead: Callable[[str], None] | None = None,
    ) -> None:
        self._runner = runner
        self._elector = elector
        self._poll_interval = poll_interval
        self._wakeup = wakeup
        self._on_lead = on_lead
        self._leading: set[str] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Lead what can be led, catch up, wait for events; repeat until ``stop`` is set.

        A store that becomes unreachable (a database restart) is waited out: the error is
        logged and the loop tries again after ``poll_interval``.
        """
        try:
            while not stop.is_set():
                try:
                    await self._round(stop)
                    waiting = (
                        self._wakeup(self._poll_interval)
                        if self._wakeup is not None
                        else asyncio.sleep(self._poll_interval)
                    )
                    await wait_or_stop(stop, waiting)
                except StoreUnavailable as exc:
                    logger.warning("projections: %s; trying again", exc)
                    self._leading.clear()
                    await wait_or_stop(stop, asyncio.sleep(self._poll_interval))
        finally:
            await self._elector.close()

    async def _round(self, stop: asyncio.Event) -> None:
        for name in self._runner.names:
            if stop.is_set():
                return
            if not await self._elector.try_lead(name):
                self._leading.discard(name)
                continue
            if name not in self._leading:
                self._leading.add(name)
                if self._on_lead:
                    self._on_lead(name)
            try:
                await self._runner.catch_up(name)
            except ProjectionHalted as exc:
                logger.error("%s", exc)
