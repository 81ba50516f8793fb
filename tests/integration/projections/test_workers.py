"""Worker processes on PostgreSQL: one leader per projection, failover, NOTIFY wake-ups."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docsense.adapters.storage import open_storage
from docsense.adapters.storage.postgres import PostgresStorage
from docsense.application.projections import ProjectionRunner
from docsense.application.worker import ProjectionWorker

from .conftest import counted
from .counting import CountingProjection, counting_mapper

pytestmark = pytest.mark.postgres
HERE = Path(__file__).parent

WORKER = r"""
import asyncio, importlib.util, sys, time
spec = importlib.util.spec_from_file_location("counting", sys.argv[2])
counting = importlib.util.module_from_spec(spec); spec.loader.exec_module(counting)
from docsense.adapters.storage import open_storage
from docsense.application.projections import ProjectionRunner
from docsense.application.worker import ProjectionWorker

async def main(url):
    store = await open_storage(url)
    runner = ProjectionRunner(store, store.projections,
                              [counting.CountingProjection(delay=0.004)],
                              mapper=counting.counting_mapper(), batch_size=20)
    worker = ProjectionWorker(runner, store.leader_elector(), poll_interval=0.2,
                              wakeup=store.wait_for_events,
                              on_lead=lambda name: print("lead", name, time.time(), flush=True))
    print("ready", flush=True)
    await worker.run(asyncio.Event())

asyncio.run(main(sys.argv[1]))
"""


def _start(url: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, url, str(HERE / "counting.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


async def _state(url: str) -> tuple[int, int, dict[str, int]]:
    store = await open_storage(url)
    try:
        checkpoints = await store.projections.checkpoints("counting")
        position = next((c.position for c in checkpoints if c.active), 0)
        applied = await store.projections.query("counting", "applied", limit=100_000)
        return position, await store.head(), {a["event_id"]: a["times"] for a in applied}
    finally:
        await store.close()


async def _fill(url: str, n: int) -> list[str]:
    store = await open_storage(url)
    try:
        ids: list[str] = []
        for s in range(n // 50):
            events = [counted(i) for i in range(50)]
            await store.append(f"c-{s}", events, 0)
            ids.extend(e.event_id for e in events)
        return ids
    finally:
        await store.close()


def _wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_one_worker_leads_and_a_follower_takes_over_when_it_is_killed(
    postgres_schema_url: str,
) -> None:
    url = postgres_schema_url
    ids = asyncio.run(_fill(url, 1000))  # ~4 s of work for one worker
    first = _start(url)
    second: subprocess.Popen[str] | None = None
    try:
        assert first.stdout is not None
        lead_line = first.stdout.readline().split()
        assert lead_line[:2] == ["lead", "counting"]
        second = _start(url)
        assert second.stdout is not None
        assert _wait_for(lambda: asyncio.run(_state(url))[0] > 0, 20)
        time.sleep(0.5)
        os.kill(first.pid, signal.SIGKILL)
        killed_at = time.time()
        first.wait(timeout=10)
        position, head, applied = asyncio.run(_state(url))
        assert position < head, "the first worker finished before it could be killed"

        takeover = second.stdout.readline().split()
        assert takeover[:2] == ["lead", "counting"], second.stderr.read() if second.stderr else ""
        assert float(takeover[2]) >= killed_at - 0.05  # never led while the first was alive
        assert _wait_for(lambda: (lambda s: s[0] == s[1])(asyncio.run(_state(url))), 60)
        _, _, applied = asyncio.run(_state(url))
        assert applied == dict.fromkeys(ids, 1)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


async def test_listen_notify_wakes_a_worker_long_before_its_poll(postgres_schema_url: str) -> None:
    store = await open_storage(postgres_schema_url)
    assert isinstance(store, PostgresStorage)
    runner = ProjectionRunner(
        store, store.projections, [CountingProjection()], mapper=counting_mapper()
    )
    worker = ProjectionWorker(
        runner, store.leader_elector(), poll_interval=120, wakeup=store.wait_for_events
    )
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.sleep(1.0)  # the worker caught up (nothing) and now waits 120 s
        event = counted(7)
        await store.append("c-1", [event], 0)
        for _ in range(100):
            doc = await store.projections.get_doc("counting", 1, "applied", event.event_id)
            if doc is not None:
                break
            await asyncio.sleep(0.1)
        assert doc is not None, "the worker was not woken by NOTIFY"
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await store.close()
