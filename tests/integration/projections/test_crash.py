"""Crash safety of projections: SIGKILL a runner mid-batch, restart, compare with a rebuild."""

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
from docsense.application.projections import ProjectionRunner

from .conftest import counted
from .counting import CountingProjection, counting_mapper

HERE = Path(__file__).parent

RUNNER = r"""
import asyncio, importlib.util, sys
spec = importlib.util.spec_from_file_location("counting", sys.argv[2])
counting = importlib.util.module_from_spec(spec); spec.loader.exec_module(counting)
from docsense.adapters.storage import open_storage
from docsense.application.projections import ProjectionRunner

async def main(url):
    store = await open_storage(url)
    runner = ProjectionRunner(store, store.projections,
                              [counting.CountingProjection(delay=0.002)],
                              mapper=counting.counting_mapper(), batch_size=50)
    print("started", flush=True)
    await runner.catch_up()
    print("finished", flush=True)

asyncio.run(main(sys.argv[1]))
"""


async def _rows(url: str) -> tuple[list[dict[str, object]], list[dict[str, object]], int]:
    store = await open_storage(url)
    try:
        projections = store.projections
        totals = await projections.query("counting", "totals", limit=100_000)
        applied = await projections.query("counting", "applied", limit=100_000)
        [checkpoint] = [c for c in await projections.checkpoints("counting") if c.active]
        return [dict(t) for t in totals], [dict(a) for a in applied], checkpoint.position
    finally:
        await store.close()


async def _fill(url: str, streams: int, per_stream: int) -> list[str]:
    store = await open_storage(url)
    try:
        ids: list[str] = []
        for s in range(streams):
            events = [counted(i) for i in range(per_stream)]
            await store.append(f"c-{s}", events, 0)
            ids.extend(e.event_id for e in events)
        return ids
    finally:
        await store.close()


async def _finish_and_rebuild(url: str) -> None:
    store = await open_storage(url)
    try:
        runner = ProjectionRunner(
            store, store.projections, [CountingProjection()], mapper=counting_mapper()
        )
        await runner.catch_up()
    finally:
        await store.close()


async def _rebuild(url: str) -> None:
    store = await open_storage(url)
    try:
        runner = ProjectionRunner(
            store, store.projections, [CountingProjection()], mapper=counting_mapper()
        )
        await runner.rebuild("counting")
    finally:
        await store.close()


def _kill_mid_batch(url: str) -> int:
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, url, str(HERE / "counting.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started", proc.stderr.read() if proc.stderr else ""
    deadline = time.monotonic() + 30
    position = 0
    while time.monotonic() < deadline and position == 0:  # wait until batches commit
        time.sleep(0.05)
        position = asyncio.run(_rows(url))[2] if proc.poll() is None else -1
    time.sleep(0.037)  # land inside a later batch
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    return position


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkilled_projection_restarts_to_exactly_the_rebuilt_model(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'events.db'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("postgres_schema_url"))
    )
    ids = asyncio.run(_fill(url, streams=20, per_stream=40))
    position_at_kill = _kill_mid_batch(url)
    assert position_at_kill > 0, "the runner committed nothing before the kill"
    _, applied_at_kill, _ = asyncio.run(_rows(url))
    assert 0 < len(applied_at_kill) < len(ids), "the kill did not land mid-run"
    assert all(a["times"] == 1 for a in applied_at_kill)

    asyncio.run(_finish_and_rebuild(url))
    totals, applied, _ = asyncio.run(_rows(url))
    assert {a["event_id"]: a["times"] for a in applied} == dict.fromkeys(ids, 1)

    asyncio.run(_rebuild(url))
    rebuilt_totals, rebuilt_applied, _ = asyncio.run(_rows(url))
    key = lambda row: str(row.get("stream") or row.get("event_id"))  # noqa: E731
    assert sorted(rebuilt_totals, key=key) == sorted(totals, key=key)
    assert sorted(rebuilt_applied, key=key) == sorted(applied, key=key)
