"""Batch mode against the fakes: one provider batch for many reviews, tracked by one job,
completed by the worker, at half the price of direct calls."""

from __future__ import annotations

import pytest

import docsense
from docsense.application.jobs import PROVIDER_BATCH_JOB, ReviewJobWorker, job_queue
from docsense.errors import ReviewerError
from docsense.testing.fake_llm import Dialect, FakeLLMServer, RecordedRequest, Reply
from docsense.testing.reviewers import CONTRACT_DOCUMENT

from .conftest import DIALECTS

SECOND = CONTRACT_DOCUMENT.replace("20 days", "40 days").replace("Momentum", "Value")


def _settings(dialect: str, server: FakeLLMServer) -> dict[str, object]:
    return {f"{dialect}_api_key": "sk-test", f"{dialect}_base_url": server.base_url}


def _batch_calls(server: FakeLLMServer) -> list[RecordedRequest]:
    return [r for r in server.requests
            if r.method == "POST" and ("batch" in r.path.lower() or r.path.endswith("/files"))]


async def _run_worker_until_done(ds: docsense.AsyncDocSense, batch_id: str) -> None:
    worker = ReviewJobWorker(ds.service, job_queue(ds.service.storage), worker_id="w1",
                             retry_after=0.0)
    for _ in range(10):
        status = await ds.batch_status(batch_id)
        if status.finished:
            return
        await worker.run_once()
    raise AssertionError("the provider batch job did not finish")


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_many_reviews_go_as_one_provider_batch_at_half_price(dialect: Dialect) -> None:
    with FakeLLMServer(dialect) as server, FakeLLMServer(dialect) as direct_server:
        async with docsense.aopen("memory://", settings=_settings(dialect, server)) as ds:
            first = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="momentum.md")
            second = await ds.ingest(SECOND.encode(), filename="value.md")
            batch_id = await ds.submit_batch([first.id, second.id], reviewer=dialect,
                                             batch=True, poll_interval=0.0)
            generations_before = [r for r in server.requests if r not in _batch_calls(server)]
            assert generations_before == []  # nothing was sent one call at a time
            await _run_worker_until_done(ds, batch_id)
            status = await ds.batch_status(batch_id)
            assert (status.total, status.done, status.failed) == (1, 1, 0)
            reviews = await ds.reviews()
            assert len(reviews) == 2
            views = [await ds.get_review(r.id) for r in reviews]
        async with docsense.aopen("memory://", settings=_settings(dialect, direct_server)) as ds:
            doc = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="momentum.md")
            direct = await ds.review(doc.id, reviewer=dialect)
    creations = [r for r in _batch_calls(server) if r.method == "POST"]
    expected = 2 if dialect == "openai" else 1  # OpenAI uploads the file, then starts the batch
    assert len(creations) == expected
    assert server.rejections == []
    assert all(v.findings for v in views)
    assert all(v.score is not None for v in views)
    assert {v.reviewer for v in views} == {direct.reviewer}
    batch_view = next(v for v in views if v.document_id != second.id)
    assert batch_view.usage.calls == direct.usage.calls
    assert batch_view.usage.cost_estimate == pytest.approx(
        0.5 * (direct.usage.cost_estimate or 0)
    )
    assert any("provider batch" in w for w in batch_view.warnings)


async def test_a_batch_answer_that_needs_repair_is_asked_again_directly() -> None:
    with FakeLLMServer("anthropic") as server:
        server.script(Reply(text="not json at all"))  # the first batch request's answer
        async with docsense.aopen("memory://", settings=_settings("anthropic", server)) as ds:
            doc = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="momentum.md")
            batch_id = await ds.submit_batch([doc.id], reviewer="anthropic", batch=True,
                                             poll_interval=0.0)
            await _run_worker_until_done(ds, batch_id)
            [summary] = await ds.reviews()
            view = await ds.get_review(summary.id)
    direct = [r for r in server.requests if r.path == "/v1/messages"]
    assert len(direct) == 1  # the one repair, sent directly
    assert "previous answer was rejected" in direct[0].call.text
    assert view.not_assessed == ()


async def test_batch_mode_needs_a_single_provider() -> None:
    async with docsense.aopen("memory://") as ds:
        doc = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="momentum.md")
        with pytest.raises(ReviewerError, match="no batch mode"):
            await ds.submit_batch([doc.id], reviewer="rules", batch=True)
        queue = job_queue(ds.service.storage)
        assert await queue.claim("w", lease_seconds=1) is None
    assert PROVIDER_BATCH_JOB == "provider_batch"
