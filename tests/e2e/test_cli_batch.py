"""``docsense review --batch``: files in, one provider batch out, a worker completes the reviews.

Against the Anthropic fake (Message Batches) and the PostgreSQL job queue; the worker runs
in this process (the same one ``docsense worker`` runs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import docsense
from docsense.application.jobs import ReviewJobWorker, job_queue
from docsense.testing.fake_llm import FakeLLMServer
from docsense.testing.reviewers import CONTRACT_DOCUMENT


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "docsense.cli", *args], cwd=cwd, env=env, text=True,
        capture_output=True, timeout=300, check=False,
    )


async def test_review_batch_submits_one_provider_batch_that_a_worker_completes(
    tmp_path: Path, postgres_schema_url: str
) -> None:
    files = []
    for n, window in enumerate(("20 days", "40 days")):
        path = tmp_path / f"method-{n}.md"
        path.write_text(CONTRACT_DOCUMENT.replace("20 days", window), encoding="utf-8")
        files.append(str(path))
    with FakeLLMServer("anthropic") as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSENSE_")}
        env.update(ANTHROPIC_API_KEY="sk-test", DOCSENSE_ANTHROPIC_BASE_URL=server.base_url,
                   DOCSENSE_STORE_URL=postgres_schema_url)
        args = ["review", *files, "--reviewer", "anthropic", "--batch", "--batch-poll", "0"]
        done = _cli(args, env, tmp_path)
        assert done.returncode == 0, done.stderr
        batch_id = done.stdout.strip()
        assert batch_id.startswith("batch-")
        assert "one provider batch" in done.stderr
        assert [r.path for r in server.requests] == ["/v1/messages/batches"]

        settings = {"anthropic_api_key": "sk-test", "anthropic_base_url": server.base_url}
        async with docsense.aopen(postgres_schema_url, settings=settings) as ds:
            worker = ReviewJobWorker(ds.service, job_queue(ds.service.storage),
                                     worker_id="w1", retry_after=0.0)
            status = await ds.batch_status(batch_id)
            assert (status.total, status.queued) == (1, 1)
            assert await worker.run_once()  # the batch is still running: back in the queue
            assert not (await ds.batch_status(batch_id)).finished
            for _ in range(10):
                if (await ds.batch_status(batch_id)).finished:
                    break
                await worker.run_once()
            status = await ds.batch_status(batch_id)
            assert (status.done, status.failed) == (1, 0)
            reviews = await ds.reviews()
    assert len(reviews) == 2
    assert all(r.score is not None for r in reviews)
    assert not [r for r in server.requests if r.path == "/v1/messages"]  # no direct call
