"""OpenTelemetry traces and metrics, when the optional ``opentelemetry-api`` is installed.

``pip install 'docsense[otel]'`` installs the API; docsense then reports through whatever
tracer and meter providers the application configured (an OpenTelemetry SDK with an OTLP
exporter, for instance: see ``docs/how-to/telemetry.md``). Without the API, or without a
configured SDK, every call here is a no-op costing a function call: docsense never requires
OpenTelemetry and never configures it for you.

Spans (each carries ``docsense.correlation_id``, the id in the operation's events and logs):

=================================  =========================================================
span                               when
=================================  =========================================================
``docsense.ingest``                a file is ingested (``docsense.filename``, outcome)
``docsense.convert``               its conversion to Markdown (``docsense.media_type``)
``docsense.extract_ir``            the semantic IR extraction
``docsense.review``                a review (document, version, reviewer, packs, score)
``docsense.check``                 one deterministic check of one policy (the rules reviewer)
``chat {model}``                   one LLM call, GenAI semantic conventions (below)
``docsense.store.append``          an append to the event store (stream, events, version)
``docsense.projection.batch``      one projection batch (projection, events, positions)
``docsense.job``                   a queued job run by a worker (job id, kind, attempt)
=================================  =========================================================

LLM call spans are ``CLIENT`` spans named ``{gen_ai.operation.name} {gen_ai.request.model}``
with ``gen_ai.operation.name`` (``chat``), ``gen_ai.system`` and ``gen_ai.provider.name``
(``anthropic``, ``openai``, ``gcp.gemini``...), ``gen_ai.request.model``,
``gen_ai.request.max_tokens``, ``gen_ai.usage.input_tokens``, ``gen_ai.usage.output_tokens``,
``gen_ai.response.finish_reasons`` and, on failure, ``error.type``.

Metrics (meter ``docsense``):

=======================================  =========  ===========  ==========================
instrument                               kind       unit         attributes
=======================================  =========  ===========  ==========================
``docsense.documents.ingested``          counter    {document}   ``docsense.ingest.outcome``
``docsense.review.duration``             histogram  s            ``docsense.reviewer``,
                                                                 ``docsense.review.outcome``
``docsense.ai.tokens``                   counter    {token}      ``gen_ai.system``,
                                                                 ``gen_ai.request.model``,
                                                                 ``gen_ai.token.type``
``docsense.ai.cost``                     counter    {USD}        ``gen_ai.system``,
                                                                 ``gen_ai.request.model``
``docsense.ai.errors``                   counter    {error}      ``gen_ai.system``,
                                                                 ``gen_ai.request.model``,
                                                                 ``error.type``
``gen_ai.client.token.usage``            histogram  {token}      GenAI conventions
``gen_ai.client.operation.duration``     histogram  s            GenAI conventions
``docsense.projection.dead_lettered``    counter    {event}      ``docsense.projection``
``docsense.projection.lag``              gauge      s            ``docsense.store``,
                                                                 ``docsense.projection``
``docsense.projection.lag.events``       gauge      {event}      (same)
``docsense.projection.dead_letters``     gauge      {event}      (same)
``docsense.store.events``                gauge      {event}      ``docsense.store``
``docsense.store.size``                  gauge      By           ``docsense.store``
=======================================  =========  ===========  ==========================

Answers of a provider batch (batch mode) count their tokens and cost, at batch prices, when
the worker collects them; they have no ``chat`` span, as no call was made one by one.
Token types are ``input`` and ``output`` (every token billed, as in the semantic
conventions) and their parts ``cache_read``, ``cache_write`` and ``thinking``. The gauges
(observable) report the last :meth:`~docsense.AsyncDocSense.health` of each store: ``docsense
worker`` takes one every 15 seconds when OpenTelemetry is
installed; a store's gauges are dropped when its client closes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

from docsense._version import __version__
from docsense.logs import current_correlation_id

__all__ = [
    "INSTRUMENTATION_NAME",
    "LlmCall",
    "SpanLike",
    "available",
    "configure",
    "count_ingest",
    "error_type",
    "forget_store",
    "llm_call",
    "record_dead_lettered",
    "record_llm_usage",
    "record_review_duration",
    "record_store_gauges",
    "review_span",
    "span",
]

INSTRUMENTATION_NAME = "docsense"
"""The instrumentation scope of docsense's tracer and meter."""

Attributes = Mapping[str, str | bool | int | float | tuple[str, ...]]

# gen_ai.provider.name values of the semantic conventions, by docsense provider prefix.
_GENAI_PROVIDER = {"google": "gcp.gemini", "openai-compatible": "openai"}


class SpanLike(Protocol):
    """What instrumented code may do with a span (a real one, or the no-op)."""

    def set_attribute(self, key: str, value: Any) -> None:
        """Set one attribute."""
        ...


class _NoSpan:
    """The span used when OpenTelemetry is not installed: drops everything."""

    __slots__ = ()

    def set_attribute(self, key: str, value: Any) -> None:
        """Drop the attribute."""


_NO_SPAN = _NoSpan()


class _State:
    """Lazily imported API modules, providers chosen by :func:`configure`, instruments."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loaded: bool | None = None
        self.trace: Any = None
        self.metrics: Any = None
        self.tracer_provider: Any = None
        self.meter_provider: Any = None
        self.tracer: Any = None
        self.instruments: dict[str, Any] | None = None
        # Last values of the observable gauges: instrument -> attributes -> value.
        self.gauges: dict[str, dict[tuple[tuple[str, Any], ...], float]] = {}


_STATE = _State()


def _load() -> bool:
    """Import the OpenTelemetry API once; return False if it is not installed."""
    if _STATE.loaded is None:
        try:
            from opentelemetry import metrics, trace
        except ImportError:
            _STATE.loaded = False
        else:
            _STATE.trace, _STATE.metrics = trace, metrics
            _STATE.loaded = True
    return bool(_STATE.loaded)


def available() -> bool:
    """Return True if the OpenTelemetry API is installed (spans and metrics are emitted)."""
    return _load()


def configure(*, tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Report to these providers instead of the global ones (None: the global ones again).

    Applications normally set the global providers (``opentelemetry.trace.
    set_tracer_provider``, or ``opentelemetry-instrument``) and never call this; it serves
    tests and applications that keep docsense's telemetry apart.
    """
    with _STATE.lock:
        _STATE.tracer_provider = tracer_provider
        _STATE.meter_provider = meter_provider
        _STATE.tracer = None
        _STATE.instruments = None
        _STATE.gauges = {}


def _tracer() -> Any:
    tracer = _STATE.tracer
    if tracer is None:
        trace = _STATE.trace
        provider = _STATE.tracer_provider
        if provider is not None:
            tracer = provider.get_tracer(INSTRUMENTATION_NAME, __version__)
        else:
            tracer = trace.get_tracer(INSTRUMENTATION_NAME, __version__)
        _STATE.tracer = tracer
    return tracer


def _tracing() -> bool:
    """Return True unless spans would go nowhere (no provider configured anywhere yet).

    Until an application sets a tracer provider the API's proxy drops every span; skipping
    them then keeps an uninstrumented program's overhead to this check.
    """
    if _STATE.tracer_provider is not None:
        return True
    trace = _STATE.trace
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def error_type(exc: BaseException) -> str:
    """Return the ``error.type`` of an exception: its class name (``RateLimited``...)."""
    name = getattr(exc, "name", None) if type(exc).__name__ == "_CutOff" else None
    return name or type(exc).__name__


@contextmanager
def span(
    name: str, attributes: Attributes | None = None, *, client: bool = False
) -> Iterator[SpanLike]:
    """Run a block in a span named ``name`` (a no-op without OpenTelemetry).

    The span gets ``docsense.correlation_id`` when the block runs in an operation; an
    exception leaving the block is recorded on it, with ``error.type`` and an error status.
    ``client`` makes it a ``CLIENT`` span (a call to a remote service).
    """
    if not _load() or not _tracing():
        yield _NO_SPAN
        return
    trace = _STATE.trace
    kind = trace.SpanKind.CLIENT if client else trace.SpanKind.INTERNAL
    with _tracer().start_as_current_span(
        name, kind=kind, attributes=attributes, record_exception=False,
        set_status_on_exception=False,
    ) as current:
        cid = current_correlation_id()
        if cid is not None:
            current.set_attribute("docsense.correlation_id", cid)
        try:
            yield current
        except BaseException as exc:
            if isinstance(exc, Exception):
                current.record_exception(exc)
                current.set_attribute("error.type", error_type(exc))
                current.set_status(trace.Status(trace.StatusCode.ERROR, str(exc)[:500]))
            raise


# --- metrics ----------------------------------------------------------------------------------


def _instruments() -> dict[str, Any] | None:
    """Return the instruments (created on first use), or None without OpenTelemetry."""
    if not _load():
        return None
    made = _STATE.instruments
    if made is not None:
        return made
    with _STATE.lock:
        if _STATE.instruments is None:
            provider = _STATE.meter_provider
            meter = (
                provider.get_meter(INSTRUMENTATION_NAME, __version__)
                if provider is not None
                else _STATE.metrics.get_meter(INSTRUMENTATION_NAME, __version__)
            )
            _STATE.instruments = _create(meter)
        return _STATE.instruments


def _create(meter: Any) -> dict[str, Any]:
    made: dict[str, Any] = {
        "ingested": meter.create_counter(
            "docsense.documents.ingested", unit="{document}",
            description="Files ingested, by outcome (new document, new version, already stored)",
        ),
        "review_duration": meter.create_histogram(
            "docsense.review.duration", unit="s",
            description="Wall-clock time of a review, from start to its stored outcome",
        ),
        "tokens": meter.create_counter(
            "docsense.ai.tokens", unit="{token}",
            description="Tokens billed by LLM providers, by provider, model and kind",
        ),
        "cost": meter.create_counter(
            "docsense.ai.cost", unit="{USD}",
            description="Estimated cost of LLM calls in US dollars (calls with a known price)",
        ),
        "errors": meter.create_counter(
            "docsense.ai.errors", unit="{error}",
            description="LLM calls that failed, by provider, model and error type",
        ),
        "token_usage": meter.create_histogram(
            "gen_ai.client.token.usage", unit="{token}",
            description="Measures number of input and output tokens used",
        ),
        "operation_duration": meter.create_histogram(
            "gen_ai.client.operation.duration", unit="s",
            description="GenAI operation duration",
        ),
        "dead_lettered": meter.create_counter(
            "docsense.projection.dead_lettered", unit="{event}",
            description="Events a projection could not apply and parked as dead letters",
        ),
    }
    gauges = {
        "docsense.projection.lag": ("s", "How long the oldest event a projection has not "
                                    "applied yet has waited"),
        "docsense.projection.lag.events": ("{event}", "Events a projection has not applied "
                                           "yet (counted up to 10,000)"),
        "docsense.projection.dead_letters": ("{event}", "Events parked by a projection"),
        "docsense.store.events": ("{event}", "Events in the event store"),
        "docsense.store.size": ("By", "Size of the store's database (events, read models, "
                                "blobs)"),
    }
    for name, (unit, description) in gauges.items():
        made[name] = meter.create_observable_gauge(
            name, callbacks=[_observer(name)], unit=unit, description=description
        )
    return made


def _observer(name: str) -> Callable[[Any], list[Any]]:
    def observe(options: Any) -> list[Any]:
        observation = _STATE.metrics.Observation
        with _STATE.lock:
            values = list(_STATE.gauges.get(name, {}).items())
        return [observation(value, dict(key)) for key, value in values]

    return observe


def count_ingest(outcome: str) -> None:
    """Count one ingested file: ``new_document``, ``new_version`` or ``already_stored``."""
    made = _instruments()
    if made is not None:
        made["ingested"].add(1, {"docsense.ingest.outcome": outcome})


def record_review_duration(seconds: float, *, reviewer: str, outcome: str) -> None:
    """Record a review's duration (``outcome``: ``completed`` or ``failed``)."""
    made = _instruments()
    if made is not None:
        made["review_duration"].record(
            seconds, {"docsense.reviewer": reviewer, "docsense.review.outcome": outcome}
        )


class _ReviewSpan:
    """The span of a review, remembering its reviewer for the duration metric."""

    __slots__ = ("_span", "reviewer")

    def __init__(self, current: SpanLike) -> None:
        self._span = current
        self.reviewer = ""

    def set_attribute(self, key: str, value: Any) -> None:
        """Set one attribute (``docsense.reviewer`` also labels the duration metric)."""
        if key == "docsense.reviewer":
            self.reviewer = str(value)
        self._span.set_attribute(key, value)


@contextmanager
def review_span(document_id: str) -> Iterator[SpanLike]:
    """Trace a review as ``docsense.review`` and record its duration (completed or failed)."""
    started = time.perf_counter()
    outcome = "failed"
    with span("docsense.review", {"docsense.document.id": document_id}) as current:
        traced = _ReviewSpan(current)
        try:
            yield traced
            outcome = "completed"
        finally:
            record_review_duration(
                time.perf_counter() - started, reviewer=traced.reviewer, outcome=outcome
            )


def record_dead_lettered(projection: str) -> None:
    """Count one event parked by ``projection``."""
    made = _instruments()
    if made is not None:
        made["dead_lettered"].add(1, {"docsense.projection": projection})


def record_store_gauges(
    store: str,
    *,
    events: int | None,
    size_bytes: int | None,
    projections: Mapping[str, tuple[float, int, int]],
) -> None:
    """Set the gauges of ``store``: its size and, per projection, (lag s, lag events, parked).

    Values unknown to the store (None) are not reported.
    """
    if not _load():
        return
    _instruments()
    with _STATE.lock:
        gauges = _STATE.gauges
        base = (("docsense.store", store),)
        if events is not None:
            gauges.setdefault("docsense.store.events", {})[base] = float(events)
        if size_bytes is not None:
            gauges.setdefault("docsense.store.size", {})[base] = float(size_bytes)
        for projection, (lag_s, lag_events, parked) in projections.items():
            key = (*base, ("docsense.projection", projection))
            gauges.setdefault("docsense.projection.lag", {})[key] = float(lag_s)
            gauges.setdefault("docsense.projection.lag.events", {})[key] = float(lag_events)
            gauges.setdefault("docsense.projection.dead_letters", {})[key] = float(parked)


def record_llm_usage(
    provider: str,
    model: str,
    *,
    tokens_in: int,
    tokens_out: int,
    tokens_cached: int = 0,
    tokens_cache_write: int = 0,
    tokens_thinking: int = 0,
    cost: float | None = None,
) -> None:
    """Record tokens and cost of an answer received without a call (a provider batch's)."""
    _record_usage(
        _genai_attributes(provider, model), tokens_in=tokens_in, tokens_out=tokens_out,
        tokens_cached=tokens_cached, tokens_cache_write=tokens_cache_write,
        tokens_thinking=tokens_thinking, cost=cost,
    )


def _record_usage(
    attributes: Mapping[str, Any],
    *,
    tokens_in: int,
    tokens_out: int,
    tokens_cached: int,
    tokens_cache_write: int,
    tokens_thinking: int,
    cost: float | None,
) -> None:
    made = _instruments()
    if made is None:
        return
    base = {k: attributes[k] for k in ("gen_ai.system", "gen_ai.request.model")}
    for kind, value in (
        ("input", tokens_in), ("output", tokens_out), ("cache_read", tokens_cached),
        ("cache_write", tokens_cache_write), ("thinking", tokens_thinking),
    ):
        if value or kind in ("input", "output"):
            made["tokens"].add(value, {**base, "gen_ai.token.type": kind})
    for kind, value in (("input", tokens_in), ("output", tokens_out)):
        made["token_usage"].record(value, {**attributes, "gen_ai.token.type": kind})
    if cost is not None:
        made["cost"].add(cost, base)


def forget_store(store: str) -> None:
    """Stop reporting the gauges of ``store`` (it was closed)."""
    with _STATE.lock:
        for values in _STATE.gauges.values():
            for key in [k for k in values if k[0] == ("docsense.store", store)]:
                del values[key]


def _genai_attributes(provider: str, model: str) -> dict[str, Any]:
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.system": provider,
        "gen_ai.provider.name": _GENAI_PROVIDER.get(provider, provider),
        "gen_ai.request.model": model,
    }


class LlmCall:
    """One LLM call being traced: set the answer's usage with :meth:`answered`."""

    __slots__ = ("_attributes", "_span", "_started")

    def __init__(self, current: SpanLike, attributes: dict[str, Any]) -> None:
        self._span = current
        self._attributes = attributes
        self._started = time.perf_counter()

    def answered(
        self,
        *,
        tokens_in: int,
        tokens_out: int,
        finish_reason: str,
        tokens_cached: int = 0,
        tokens_cache_write: int = 0,
        tokens_thinking: int = 0,
        cost: float | None = None,
    ) -> None:
        """Record what the provider billed for the answer (on the span and the metrics)."""
        current = self._span
        current.set_attribute("gen_ai.usage.input_tokens", tokens_in)
        current.set_attribute("gen_ai.usage.output_tokens", tokens_out)
        current.set_attribute("gen_ai.response.finish_reasons", (finish_reason,))
        if tokens_cached:
            current.set_attribute("gen_ai.usage.cache_read.input_tokens", tokens_cached)
        if tokens_cache_write:
            current.set_attribute("gen_ai.usage.cache_creation.input_tokens", tokens_cache_write)
        _record_usage(
            self._attributes, tokens_in=tokens_in, tokens_out=tokens_out,
            tokens_cached=tokens_cached, tokens_cache_write=tokens_cache_write,
            tokens_thinking=tokens_thinking, cost=cost,
        )

    def _finish(self, exc: BaseException | None) -> None:
        made = _instruments()
        if made is None:
            return
        attributes = dict(self._attributes)
        if exc is not None:
            attributes["error.type"] = error_type(exc)
            made["errors"].add(1, {
                k: attributes[k] for k in ("gen_ai.system", "gen_ai.request.model", "error.type")
            })
        made["operation_duration"].record(time.perf_counter() - self._started, attributes)


class _CutOff(Exception):
    """Stands for a call cancelled from outside: by the per-call timeout, or a shutdown."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@contextmanager
def llm_call(
    provider: str, model: str, *, max_tokens: int | None = None, timeout_s: float | None = None
) -> Iterator[LlmCall]:
    """Trace one LLM call as a GenAI ``chat`` client span, with its duration and errors.

    ``timeout_s`` is the per-call timeout the caller enforces by cancelling the call: a
    cancellation that comes when it has run out is recorded as ``ProviderTimeout`` (as the
    caller reports it), any other as ``CancelledError``.
    """
    attributes = _genai_attributes(provider, model)
    with span(f"chat {model}", {
        **attributes, **({"gen_ai.request.max_tokens": max_tokens} if max_tokens else {})
    }, client=True) as current:
        call = LlmCall(current, attributes)
        try:
            yield call
        except Exception as exc:
            call._finish(exc)
            raise
        except BaseException as exc:  # cancelled: the span ends without an exception
            elapsed = time.perf_counter() - call._started
            timed_out = timeout_s is not None and elapsed >= timeout_s * 0.99
            name = "ProviderTimeout" if timed_out else type(exc).__name__
            current.set_attribute("error.type", name)
            _error_status(current, name)
            call._finish(_CutOff(name))
            raise
        call._finish(None)


def _error_status(current: Any, description: str) -> None:
    setter = getattr(current, "set_status", None)
    if setter is not None and _STATE.trace is not None:
        setter(_STATE.trace.Status(_STATE.trace.StatusCode.ERROR, description))
