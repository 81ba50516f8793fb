"""OpenTelemetry: spans and metrics of real reviews, read back with the SDK's in-memory readers."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import docsense
from docsense import telemetry
from docsense.adapters.ai import anthropic, google, openai
from docsense.adapters.ai.resilience import Resilience, RetryPolicy
from docsense.application.projections import Backoff, ProjectionRunner
from docsense.policies import load_pack
from docsense.review import run_review
from docsense.testing.fake_llm import FakeLLMServer, Reply
from docsense.testing.reviewers import CONTRACT_DOCUMENT, contract_document

from ..projections.conftest import counted
from ..projections.counting import CountingProjection, counting_mapper

MODULES: dict[str, Any] = {"anthropic": anthropic, "openai": openai, "google": google}


@attrs.define
class Otel:
    spans: InMemorySpanExporter
    reader: InMemoryMetricReader

    def finished(self, name: str | None = None) -> list[ReadableSpan]:
        return [s for s in self.spans.get_finished_spans() if name is None or s.name == name]

    def metric(self, name: str) -> Any:
        data = self.reader.get_metrics_data()
        assert data is not None
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        return metric
        raise AssertionError(f"no metric {name!r}")

    def points(self, name: str, *, missing_ok: bool = False) -> list[tuple[dict[str, Any], Any]]:
        """(attributes, point) of every data point of ``name``."""
        try:
            metric = self.metric(name)
        except AssertionError:
            if missing_ok:
                return []
            raise
        return [(dict(p.attributes or {}), p) for p in metric.data.data_points]


@pytest.fixture
def otel() -> Iterator[Otel]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    telemetry.configure(tracer_provider=tracer_provider, meter_provider=meter_provider)
    try:
        yield Otel(spans, reader)
    finally:
        telemetry.configure()
        tracer_provider.shutdown()
        meter_provider.shutdown()


def attrs_of(span: ReadableSpan) -> dict[str, Any]:
    found: dict[str, Any] = dict(span.attributes or {})
    return found


def _descends_from(span: ReadableSpan, ancestor: ReadableSpan, every: list[ReadableSpan]) -> bool:
    by_id = {s.context.span_id: s for s in every}
    parent = span.parent
    while parent is not None:
        if parent.span_id == ancestor.context.span_id:
            return True
        above = by_id.get(parent.span_id)
        parent = above.parent if above is not None else None
    return False


async def test_an_offline_review_traces_ingest_conversion_review_checks_and_appends(
    otel: Otel, tmp_path: Path
) -> None:
    async with docsense.aopen(f"sqlite:///{tmp_path / 'store.db'}", reviewer="rules") as ds:
        doc = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
        review = await ds.review(doc.id, packs=["self-containment"])
        events = await ds.service.storage.read_stream(review.id)
    every = otel.finished()
    [ingest] = otel.finished("docsense.ingest")
    [convert] = otel.finished("docsense.convert")
    [extract] = otel.finished("docsense.extract_ir")
    assert ingest.attributes is not None
    assert ingest.attributes["docsense.ingest.outcome"] == "new_document"
    assert ingest.attributes["docsense.document.id"] == doc.id
    assert convert.attributes is not None
    assert convert.attributes["docsense.media_type"]
    assert convert.parent is not None
    assert convert.parent.span_id == ingest.context.span_id
    assert extract.parent is not None
    assert extract.parent.span_id == ingest.context.span_id

    [traced] = otel.finished("docsense.review")
    attributes = attrs_of(traced)
    assert attributes["docsense.document.id"] == doc.id
    assert attributes["docsense.review.id"] == review.id
    assert attributes["docsense.reviewer"] == "rules"
    # joined to the correlation id stored in the review's events
    correlation = {e.metadata["correlation_id"] for e in events}
    assert correlation == {attributes["docsense.correlation_id"]}
    checks = otel.finished("docsense.check")
    policies = {p.id for p in load_pack("self-containment").policies if p.checks}
    assert {c.attributes["docsense.policy.id"] for c in checks if c.attributes} == policies
    assert all(_descends_from(c, traced, every) for c in checks)
    assert sum(int(attrs_of(c)["docsense.check.hits"]) for c in checks) >= 1
    appends = [s for s in otel.finished("docsense.store.append")
               if attrs_of(s).get("docsense.stream.id") == review.id]
    assert len(appends) == 1
    assert _descends_from(appends[0], traced, every)
    assert (appends[0].attributes or {})["docsense.events"] == len(events)

    [(labels, ingested)] = otel.points("docsense.documents.ingested")
    assert otel.metric("docsense.documents.ingested").unit == "{document}"
    assert (labels, ingested.value) == ({"docsense.ingest.outcome": "new_document"}, 1)
    duration = otel.metric("docsense.review.duration")
    assert duration.unit == "s"
    [(labels, point)] = otel.points("docsense.review.duration")
    assert labels == {"docsense.reviewer": "rules", "docsense.review.outcome": "completed"}
    assert point.count == 1
    assert 0 < point.sum < 60


async def test_ingests_are_counted_by_outcome(otel: Otel) -> None:
    async with docsense.aopen("memory://") as ds:
        doc = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
        await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="again.md")  # the same bytes
        changed = CONTRACT_DOCUMENT + "\nThe committee meets monthly.\n"
        await ds.ingest(changed.encode(), filename="contract.md", document_id=doc.id)
    counts = {labels["docsense.ingest.outcome"]: p.value
              for labels, p in otel.points("docsense.documents.ingested")}
    assert counts == {"new_document": 1, "already_stored": 1, "new_version": 1}
    outcomes = sorted(attrs_of(s)["docsense.ingest.outcome"]
                      for s in otel.finished("docsense.ingest"))
    assert outcomes == ["already_stored", "new_document", "new_version"]
    assert len(otel.finished("docsense.convert")) == 2  # stored bytes are not converted again


async def test_a_failed_review_is_an_error_span_and_a_failed_duration(otel: Otel) -> None:
    async with docsense.aopen("memory://", reviewer="rules") as ds:
        doc = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
        with pytest.raises(docsense.DocSenseError):
            await ds.review(doc.id, packs=["no-such-pack"])
    [traced] = otel.finished("docsense.review")
    assert traced.status.status_code is StatusCode.ERROR
    assert attrs_of(traced)["error.type"] == "PolicyPackError"
    [(labels, point)] = otel.points("docsense.review.duration")
    assert labels["docsense.review.outcome"] == "failed"
    assert point.count == 1


@pytest.mark.parametrize("dialect", ["anthropic", "openai", "google"])
async def test_llm_calls_follow_the_genai_conventions(otel: Otel, dialect: str) -> None:
    with FakeLLMServer(dialect) as server:  # type: ignore[arg-type]
        reviewer = MODULES[dialect].create_reviewer(
            api_key="test-key", base_url=server.base_url, resilience=Resilience(dialect)
        )
        try:
            outcome = await run_review(
                contract_document(), [load_pack("self-containment")], reviewer
            )
        finally:
            await reviewer.aclose()
    model = reviewer.client.model
    calls = otel.finished(f"chat {model}")
    assert len(calls) == outcome.usage.calls >= 1
    for call in calls:
        assert call.kind is SpanKind.CLIENT
        a = attrs_of(call)
        assert a["gen_ai.operation.name"] == "chat"
        assert a["gen_ai.system"] == dialect
        assert a["gen_ai.provider.name"] == {"google": "gcp.gemini"}.get(dialect, dialect)
        assert a["gen_ai.request.model"] == model
        assert a["gen_ai.usage.input_tokens"] > 0
        assert a["gen_ai.usage.output_tokens"] > 0
        assert a["gen_ai.response.finish_reasons"] == ("done",)
        assert "error.type" not in a
    assert sum(int(attrs_of(c)["gen_ai.usage.input_tokens"]) for c in calls) == (
        outcome.usage.tokens_in
    )
    tokens = otel.metric("docsense.ai.tokens")
    assert tokens.unit == "{token}"
    by_kind = {
        labels["gen_ai.token.type"]: p.value for labels, p in otel.points("docsense.ai.tokens")
    }
    assert by_kind["input"] == outcome.usage.tokens_in
    assert by_kind["output"] == outcome.usage.tokens_out
    for labels, _ in otel.points("docsense.ai.tokens"):
        assert (labels["gen_ai.system"], labels["gen_ai.request.model"]) == (dialect, model)
    [(labels, cost)] = otel.points("docsense.ai.cost")
    assert otel.metric("docsense.ai.cost").unit == "{USD}"
    assert cost.value == pytest.approx(outcome.usage.cost_estimate)
    usage = {labels["gen_ai.token.type"]: p.sum
             for labels, p in otel.points("gen_ai.client.token.usage")}
    assert otel.metric("gen_ai.client.token.usage").unit == "{token}"
    assert usage == {"input": outcome.usage.tokens_in, "output": outcome.usage.tokens_out}
    assert otel.metric("gen_ai.client.operation.duration").unit == "s"


@pytest.mark.parametrize("dialect", ["anthropic", "openai", "google"])
async def test_llm_errors_are_counted_by_kind_and_marked_on_their_span(
    otel: Otel, dialect: str
) -> None:
    async def no_wait(seconds: float) -> None:
        return None

    with FakeLLMServer(dialect) as server:  # type: ignore[arg-type]
        server.script(Reply(status=429, retry_after=1), Reply(status=500))
        reviewer = MODULES[dialect].create_reviewer(
            api_key="test-key", base_url=server.base_url,
            resilience=Resilience(dialect, retry=RetryPolicy(attempts=4, initial_wait=0.01),
                                  sleep=no_wait),
        )
        try:
            doc = contract_document()
            await run_review(doc, [load_pack("self-containment")], reviewer)
        finally:
            await reviewer.aclose()
    model = reviewer.client.model
    failed = [s for s in otel.finished(f"chat {model}") if "error.type" in attrs_of(s)]
    kinds = sorted(str(attrs_of(s)["error.type"]) for s in failed)
    assert kinds == ["ProviderError", "RateLimited"]
    assert all(s.status.status_code is StatusCode.ERROR for s in failed)
    errors = {labels["error.type"]: p.value for labels, p in otel.points("docsense.ai.errors")}
    assert errors == {"ProviderError": 1, "RateLimited": 1}
    assert otel.metric("docsense.ai.errors").unit == "{error}"


async def test_provider_batch_answers_count_their_tokens_and_cost(otel: Otel) -> None:
    from docsense.application.jobs import ReviewJobWorker, job_queue

    with FakeLLMServer("anthropic") as server:
        settings = {"anthropic_api_key": "sk-test", "anthropic_base_url": server.base_url}
        async with docsense.aopen("memory://", settings=settings) as ds:
            doc = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
            batch_id = await ds.submit_batch([doc.id], reviewer="anthropic", batch=True,
                                             poll_interval=0.0)
            worker = ReviewJobWorker(ds.service, job_queue(ds.service.storage),
                                     worker_id="w1", retry_after=0.0)
            for _ in range(10):
                if (await ds.batch_status(batch_id)).finished:
                    break
                await worker.run_once()
            [summary] = await ds.reviews()
            review = await ds.get_review(summary.id)
    usage = review.usage
    assert usage.calls >= 1
    assert otel.finished("chat " + anthropic.DEFAULT_MODEL) == []  # no call made one by one
    by_kind = {labels["gen_ai.token.type"]: p.value
               for labels, p in otel.points("docsense.ai.tokens")}
    assert by_kind["input"] == usage.tokens_in
    assert by_kind["output"] == usage.tokens_out
    [(_, cost)] = otel.points("docsense.ai.cost")
    assert cost.value == pytest.approx(usage.cost_estimate)  # at batch prices


async def test_a_call_cut_off_by_the_timeout_counts_as_a_provider_timeout(otel: Otel) -> None:
    async def no_wait(seconds: float) -> None:
        return None

    with FakeLLMServer("openai") as server:
        server.script(Reply(delay=1.5))
        reviewer = openai.create_reviewer(
            api_key="test-key", base_url=server.base_url,
            resilience=Resilience("openai", timeout=0.5, sleep=no_wait,
                                  retry=RetryPolicy(attempts=2, initial_wait=0.01)),
        )
        try:
            await run_review(contract_document(), [load_pack("self-containment")], reviewer)
        finally:
            await reviewer.aclose()
    failed = [s for s in otel.finished(f"chat {reviewer.client.model}")
              if "error.type" in attrs_of(s)]
    assert [attrs_of(s)["error.type"] for s in failed] == ["ProviderTimeout"]
    assert failed[0].status.status_code is StatusCode.ERROR
    errors = {labels["error.type"]: p.value for labels, p in otel.points("docsense.ai.errors")}
    assert errors == {"ProviderTimeout": 1}


async def test_projection_batches_are_traced_and_dead_letters_counted(otel: Otel) -> None:
    from docsense.adapters.storage.memory import MemoryStorage

    storage = MemoryStorage()
    await storage.append("c-a", [counted(1), counted(2)], 0)
    await storage.append("c-b", [counted(9, poison=True)], 0)

    async def no_wait(seconds: float) -> None:
        return None

    runner = ProjectionRunner(
        storage, storage.projections, [CountingProjection()], mapper=counting_mapper(),
        max_attempts=2, backoff=Backoff(0.01, 0.01), sleep=no_wait,
    )
    await runner.catch_up()
    batches = otel.finished("docsense.projection.batch")
    assert batches
    assert all(
        attrs_of(b)["docsense.projection"] == "counting" for b in batches
    )
    assert sum(int(attrs_of(b)["docsense.events"]) for b in batches) == 3
    [(labels, parked)] = otel.points("docsense.projection.dead_lettered")
    assert (labels, parked.value) == ({"docsense.projection": "counting"}, 1)
    assert otel.metric("docsense.projection.dead_lettered").unit == "{event}"


async def test_worker_jobs_are_traced_around_their_review(otel: Otel) -> None:
    from docsense.application.jobs import ReviewJobWorker, job_queue

    async with docsense.aopen("memory://", reviewer="rules") as ds:
        doc = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
        job_id = await ds.submit_review(doc.id)
        worker = ReviewJobWorker(ds.service, job_queue(ds.service.storage), worker_id="w-1")
        assert await worker.run_once()
    [job] = otel.finished("docsense.job")
    assert attrs_of(job) == {
        "docsense.job.id": job_id, "docsense.job.kind": "review", "docsense.job.attempt": 1,
        "docsense.worker": "w-1", "docsense.job.outcome": "done",
    }
    [review] = otel.finished("docsense.review")
    assert review.parent is not None
    assert review.parent.span_id == job.context.span_id


async def test_health_sets_the_store_and_projection_gauges(otel: Otel, tmp_path: Path) -> None:
    async with docsense.aopen(f"sqlite:///{tmp_path / 'store.db'}") as ds:
        await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
        report = await ds.health()
        url = ds.store_url
        gauges = {name: otel.points(name) for name in (
            "docsense.store.events", "docsense.store.size", "docsense.projection.lag.events",
            "docsense.projection.dead_letters",
        )}
        units = {name: otel.metric(name).unit for name in (
            "docsense.store.size", "docsense.projection.lag", "docsense.projection.lag.events",
        )}
    assert not any(  # a closed store's gauges are no longer reported
        labels.get("docsense.store") == url
        for labels, _ in otel.points("docsense.store.events", missing_ok=True)
    )
    assert report.events is not None
    assert report.events >= 2
    [(labels, events)] = gauges["docsense.store.events"]
    assert (labels, events.value) == ({"docsense.store": url}, report.events)
    [(_, size)] = gauges["docsense.store.size"]
    assert units["docsense.store.size"] == "By"
    assert report.size_bytes is not None
    assert size.value == report.size_bytes > 0
    lag = {labels["docsense.projection"]: p.value
           for labels, p in gauges["docsense.projection.lag.events"]}
    assert lag == {p.name: p.lag_events for p in report.projections}
    assert max(lag.values()) > 0  # nothing read the models yet
    assert units["docsense.projection.lag"] == "s"
    assert units["docsense.projection.lag.events"] == "{event}"
    parked = {labels["docsense.projection"]: p.value
              for labels, p in gauges["docsense.projection.dead_letters"]}
    assert parked == dict.fromkeys(lag, 0)


async def test_the_worker_refreshes_the_gauges(otel: Otel, tmp_path: Path) -> None:
    from docsense.cli.ops import WorkerOptions, worker_loops

    loops = dict(worker_loops(WorkerOptions(1.0, telemetry_interval=0.05)))
    async with docsense.aopen(f"sqlite:///{tmp_path / 'store.db'}") as ds:
        await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
        stop = asyncio.Event()
        task = asyncio.create_task(loops["telemetry"](ds, stop))
        await asyncio.sleep(0.3)
        stop.set()
        await asyncio.wait_for(task, 5)
        [(labels, events)] = otel.points("docsense.store.events")
    assert labels == {"docsense.store": ds.store_url}
    assert events.value == 2


def test_without_opentelemetry_everything_runs_and_nothing_is_emitted(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import json, sys
        sys.modules["opentelemetry"] = None  # as if it were not installed: import fails
        import docsense
        from docsense import telemetry
        from docsense.cli.ops import WorkerOptions, worker_loops
        from docsense.testing.reviewers import CONTRACT_DOCUMENT

        with docsense.open(sys.argv[1], reviewer="rules") as ds:
            doc = ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
            review = ds.review(doc.id)
            health = ds.health()
        with telemetry.span("x") as span:
            span.set_attribute("k", 1)
        print(json.dumps({
            "available": telemetry.available(),
            "findings": len(review.findings),
            "status": health.status.value,
            "loops": [name for name, _ in worker_loops(WorkerOptions(1.0))],
            "otel_loaded": any(m.startswith("opentelemetry.") for m in sys.modules),
        }))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, f"sqlite:///{tmp_path / 'store.db'}"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["available"] is False
    assert result["findings"] >= 1
    assert result["status"] in ("ok", "degraded")
    assert "telemetry" not in result["loops"]
    assert result["otel_loaded"] is False


def test_global_providers_set_after_import_receive_the_telemetry(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import json, sys
        import docsense
        from opentelemetry import metrics, trace
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
            InMemorySpanExporter,
        )
        from docsense.testing.reviewers import CONTRACT_DOCUMENT

        with docsense.open("memory://", reviewer="rules") as ds:
            before = ds.ingest(CONTRACT_DOCUMENT.encode(), filename="before.md")
            exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
            provider = TracerProvider()
            provider.add_span_processor(SimpleSpanProcessor(exporter))
            trace.set_tracer_provider(provider)
            metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
            ds.review(before.id)
        names = sorted({s.name for s in exporter.get_finished_spans()})
        data = reader.get_metrics_data()
        metric_names = sorted(
            m.name for r in data.resource_metrics for s in r.scope_metrics for m in s.metrics
        )
        print(json.dumps({"spans": names, "metrics": metric_names}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"docsense.review", "docsense.check", "docsense.store.append"} <= set(result["spans"])
    assert "docsense.ingest" not in result["spans"]  # before the providers were set
    assert "docsense.review.duration" in result["metrics"]
