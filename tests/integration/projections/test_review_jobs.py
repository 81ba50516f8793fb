"""Queued reviews run by worker processes: exactly once, even when a worker is killed mid-job."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from docsense.adapters.storage import open_storage
from docsense.adapters.storage.memory import MemoryStorage
from docsense.application.jobs import (
    ReviewJobWorker,
    enqueue_reviews,
    job_queue,
    review_id_for,
)
from docsense.application.service import DocSenseService
from docsense.errors import InvalidArgument
from docsense.ports import BatchStatus, Job

PLUGIN = r"""
import asyncio, os
from docsense.adapters.ai.rules import RulesReviewer
from docsense.review.reviewers import register_reviewer

DELAY = float(os.environ["SLOW_REVIEW_SECONDS"])


class SlowReviewer:
    spec = "slow"

    async def review(self, request):
        print("reviewing", request.document_id, flush=True)
        await asyncio.sleep(DELAY)
        return await RulesReviewer().review(request)


register_reviewer("slow", lambda spec: SlowReviewer())
"""

TEXT = b"# Rules\n\n## Selection\n\nStocks qualify when volatility is below the threshold.\n"


async def _setup(url: str, n_docs: int, n_jobs: int) -> list[str]:
    store = await open_storage(url)
    try:
        service = DocSenseService(store)
        docs = [
            (await service.ingest(TEXT + f"\nDoc {i}.\n".encode(), f"d{i}.md")).id
            for i in range(n_docs)
        ]
        requests = [{"document_id": docs[i % n_docs]} for i in range(n_jobs)]
        return await enqueue_reviews(job_queue(store), requests, batch_id="b-1")
    finally:
        await store.close()


async def _outcome(
    url: str, job_ids: list[str]
) -> tuple[BatchStatus, Counter[str], list[Job | None]]:
    store = await open_storage(url)
    try:
        status = await job_queue(store).batch_status("b-1")
        completions: Counter[str] = Counter()
        after = 0
        while page := await store.read_all(after, limit=1000):
            after = page[-1].position
            completions.update(r.stream_id for r in page if r.event_type == "ReviewCompleted")
        jobs = [await job_queue(store).get_job(j) for j in job_ids]
        return status, completions, jobs
    finally:
        await store.close()


def _start(url: str, delay: float, plugin_dir: Path) -> subprocess.Popen[str]:
    """Start a real ``docsense worker`` process whose reviewer takes ``delay`` s per review."""
    env = {
        **os.environ,
        "PYTHONPATH": f"{plugin_dir}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "SLOW_REVIEW_SECONDS": str(delay),
        "DOCSENSE_REVIEWER": "slow",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "docsense.cli",
            "--store",
            url,
            "worker",
            "--import",
            "slow_reviewer_plugin",
            "--lease",
            "1.5",
            "--poll-interval",
            "0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    return proc


@pytest.mark.slow
@pytest.mark.postgres
def test_three_workers_complete_200_reviews_exactly_once_despite_a_killed_worker(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    url = postgres_schema_url
    (tmp_path / "slow_reviewer_plugin.py").write_text(PLUGIN)
    job_ids = asyncio.run(_setup(url, n_docs=10, n_jobs=200))
    victim = _start(url, delay=30.0, plugin_dir=tmp_path)  # its reviews hang: killed mid-job
    workers = [victim]
    try:
        assert victim.stdout is not None
        for line in victim.stdout:  # "leading <projection>" lines come first
            if line.startswith("reviewing"):
                break
        else:
            pytest.fail(victim.stderr.read() if victim.stderr else "the worker exited")
        workers += [_start(url, 0.01, tmp_path), _start(url, 0.01, tmp_path)]
        time.sleep(0.5)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status, _, _ = asyncio.run(_outcome(url, job_ids))
            if status.finished:
                break
            time.sleep(0.5)
        status, completions, jobs = asyncio.run(_outcome(url, job_ids))
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)
    assert (status.done, status.failed, status.total) == (200, 0, 200)
    expected = {review_id_for(j) for j in job_ids}
    assert set(completions) == expected, "a job's review is missing or an extra one exists"
    assert set(completions.values()) == {1}, "a review completed twice"
    taken_over = [j for j in jobs if j is not None and j.attempts > 1]
    assert taken_over, "the killed worker's job was not re-claimed"


async def test_a_job_whose_worker_vanished_is_completed_by_another_after_the_lease() -> None:
    store = MemoryStorage()
    clock = [0.0]
    store._jobs._clock = lambda: clock[0]
    service = DocSenseService(store)
    doc = await service.ingest(TEXT, "d.md")
    [job_id] = await enqueue_reviews(store.jobs, [{"document_id": doc.id}])
    claimed = await store.jobs.claim("ghost", lease_seconds=10)  # claims, then "dies"
    assert claimed is not None
    other = ReviewJobWorker(service, store.jobs, worker_id="w2", lease_seconds=10)
    assert not await other.run_once()  # leased to the ghost: nothing to do yet
    clock[0] = 11.0
    assert await other.run_once()
    job = await store.jobs.get_job(job_id)
    assert job is not None
    assert (job.status, job.attempts, job.lease_owner) == ("done", 2, "w2")
    assert job.result is not None
    assert job.result["review_id"] == review_id_for(job_id)
    assert 0.0 <= job.result["score"] <= 1.0
    assert not await store.jobs.complete(job_id, "ghost", {})  # the ghost cannot overwrite


async def test_rerunning_a_completed_jobs_review_creates_no_second_review() -> None:
    store = MemoryStorage()
    service = DocSenseService(store)
    doc = await service.ingest(TEXT, "d.md")
    first = await service.review(doc.id, review_id="review-fixed-1")
    again = await service.review(doc.id, review_id="review-fixed-1")
    assert again.review.id == first.review.id
    events = await store.read_all(0, limit=10_000)
    assert sum(e.event_type == "ReviewStarted" for e in events) == 1
    assert sum(e.event_type == "ReviewCompleted" for e in events) == 1
    # Reviews do not write to the document, and a session is stored with its first decision.
    assert sum(e.stream_id == doc.id for e in events) == 2
    assert sum(e.event_type == "FeedbackSessionOpened" for e in events) == 0


async def test_review_jobs_need_a_document_id() -> None:
    with pytest.raises(InvalidArgument, match="document id"):
        await enqueue_reviews(MemoryStorage().jobs, [{"document": "x"}])


async def test_a_review_job_carries_its_confidence_threshold() -> None:
    store = MemoryStorage()
    service = DocSenseService(store)
    doc = await service.ingest(TEXT, "d.md")
    [job_id] = await enqueue_reviews(store.jobs, [{"document_id": doc.id, "min_confidence": 0.95}])
    assert await ReviewJobWorker(service, store.jobs, worker_id="w1").run_once()
    loaded = await service.load_review(review_id_for(job_id))
    assert loaded.review.state.min_confidence == 0.95
    assert loaded.review.state.findings == ()
    assert loaded.review.state.all_findings  # kept, below the threshold
    with pytest.raises(InvalidArgument, match="min_confidence"):
        await enqueue_reviews(store.jobs, [{"document_id": doc.id, "min_confidence": 3}])
