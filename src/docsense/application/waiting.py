"""Waiting in long-running loops without leaving tasks (or their exceptions) behind."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

__all__ = ["wait_or_stop"]


async def wait_or_stop(stop: asyncio.Event, wait: Awaitable[object]) -> bool:
    """Wait until ``wait`` finishes or ``stop`` is set; return whether ``stop`` is set.

    The one still pending is cancelled and awaited, so no task outlives the call; an
    exception ``wait`` raised is raised here, never left in a task nobody reads ("Task
    exception was never retrieved").
    """
    waiter = asyncio.ensure_future(wait)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (waiter, stopper):
            task.cancel()
        outcomes = await asyncio.gather(waiter, stopper, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise outcome
    return stop.is_set()
