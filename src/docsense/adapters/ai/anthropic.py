"""The Anthropic reviewer (``anthropic:<model>``), on the official ``anthropic`` SDK (2.x).

Install with ``pip install 'docsense[anthropic]'``. Structured output uses the Messages
API's JSON-schema output (``output_config.format``). Each request is::

    system:   [the review instructions]                      (same for every call)
    messages: [{"role": "user", "content": [
                 {"type": "text", "text": <document data block>,
                  "cache_control": {"type": "ephemeral"}},     <- cached prefix
                 {"type": "text", "text": <policies of this call>}]}]

so every call on the same part of a document reuses the cached system + document prefix
(cache reads cost a tenth of the input price, writes a quarter more). Because a write is
paid by every request that misses the cache, the first call on each prefix is sent alone
and the others follow once it has returned (``warm_up_cache``): one write per prefix.
Prompts shorter than the model's minimum cacheable length are simply not cached.

How answers map to outcomes: ``stop_reason: "refusal"`` is a refusal (its
``stop_details`` category and explanation are the recorded reason, and no repair call is
made); ``max_tokens`` and ``model_context_window_exceeded`` are truncations. Usage counts
cache writes and reads and the thinking tokens inside ``output_tokens``. A 429 is waited
out (``retry-after``); a spent credit balance fails at once.

Batch mode (``docsense review --batch``): Message Batches (``/v1/messages/batches``) at
half price; see :mod:`docsense.adapters.ai.batch`.

Knobs (constructor arguments of :func:`create_reviewer`, which a settings object wires):

=============== ======================== =============================================
argument        default                  also read from
=============== ======================== =============================================
model           ``claude-sonnet-5-5``    the spec (``anthropic:claude-haiku-5-5``)
api_key         --                       ``ANTHROPIC_API_KEY``
base_url        SDK default              ``ANTHROPIC_BASE_URL`` (gateways, proxies)
timeout         120 s per call
max_concurrency 8 calls in flight        (shared by every reviewer of the endpoint)
models          built-in model registry  :mod:`docsense.adapters.ai.models`
=============== ======================== =============================================

The default model is the current Sonnet as of the registry's check date
(:data:`~docsense.adapters.ai.models.REGISTRY_CHECKED`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docsense.adapters.ai.llm import (
    ApiKey,
    Completion,
    LlmReviewer,
    StopKind,
    assemble_reviewer,
    parse_llm_spec,
)
from docsense.adapters.ai.models import ModelRegistry
from docsense.adapters.ai.prompts import DEFAULT_PROMPT_VERSION, OUTPUT_SCHEMA, PlanLimits
from docsense.adapters.ai.prompts.plan import PlannedCall
from docsense.adapters.ai.resilience import Resilience, status_error
from docsense.errors import MissingDependency, ProviderError, ProviderTimeout

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_MODEL",
    "AnthropicClient",
    "create_reviewer",
    "reviewer_from_spec",
]

PROVIDER = "anthropic"
DEFAULT_MODEL = "claude-sonnet-5-5"
API_KEY_ENV = ("ANTHROPIC_API_KEY",)
BASE_URL_ENV = "ANTHROPIC_BASE_URL"
_TRUNCATED = frozenset({"max_tokens", "model_context_window_exceeded"})


class AnthropicClient:
    """Sends planned calls through ``anthropic.AsyncAnthropic`` (SDK retries off)."""

    warm_up_cache = True
    notes: tuple[str, ...] = ()

    def __init__(
        self, model: str, api_key: ApiKey, *, base_url: str | None, timeout: float
    ) -> None:
        try:
            import anthropic
        except ImportError as exc:
            raise MissingDependency("the anthropic reviewer", "anthropic", "anthropic") from exc
        self._sdk = anthropic
        self._key = api_key
        self._model = model
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key.reveal(),
            base_url=base_url,
            timeout=timeout + 1.0,  # the resilience layer's timeout fires first
            max_retries=0,  # one retry policy for every provider: docsense's
        )

    @property
    def provider(self) -> str:
        """``"anthropic"``."""
        return PROVIDER

    @property
    def model(self) -> str:
        """The model name."""
        return self._model

    def __repr__(self) -> str:
        return f"AnthropicClient(model={self._model!r})"

    async def aclose(self) -> None:
        """Close the SDK client's connection pool."""
        await self._client.close()

    def request_body(self, call: PlannedCall, task: str) -> dict[str, Any]:
        """Return the Messages API arguments for ``call`` (the document block is cached)."""
        return {
            "model": self._model,
            "max_tokens": call.max_output_tokens,
            "system": [{"type": "text", "text": call.system}],
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "text",
                            "text": call.document,
                            "cache_control": {"type": "ephemeral"},
                        },
                        {"type": "text", "text": task},
                    ],
                }
            ],
            "output_config": {"format": {"type": "json_schema", "schema": OUTPUT_SCHEMA}},
        }

    async def complete(self, call: PlannedCall, task: str) -> Completion:
        """Send one call; translate SDK errors into ProviderError."""
        try:
            message = await self._client.messages.create(**self.request_body(call, task))
        except self._sdk.AnthropicError as exc:
            raise self.translate(exc) from None
        return completion_of(message)

    async def submit_batch(self, items: Sequence[tuple[str, PlannedCall]]) -> str:
        """Send ``(custom id, call)`` items as one Message Batch; return its id."""
        requests = [
            {"custom_id": cid, "params": self.request_body(call, call.task)} for cid, call in items
        ]
        try:
            batch = await self._client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
        except self._sdk.AnthropicError as exc:
            raise self.translate(exc) from None
        return str(batch.id)

    async def batch_results(self, batch_id: str) -> dict[str, Completion | ProviderError] | None:
        """Return the batch's answers by custom id once it has ended (None before)."""
        try:
            batch = await self._client.messages.batches.retrieve(batch_id)
            if batch.processing_status != "ended":
                return None
            lines = await self._client.messages.batches.results(batch_id)
            out: dict[str, Completion | ProviderError] = {}
            async for line in lines:
                result = line.result
                if result.type == "succeeded":
                    out[line.custom_id] = completion_of(result.message)
                else:
                    detail = getattr(getattr(result, "error", None), "error", None)
                    message = getattr(detail, "message", "") or result.type
                    out[line.custom_id] = ProviderError(
                        PROVIDER, f"batch request {result.type}: {self._key.scrub(message)}"
                    )
            return out
        except self._sdk.AnthropicError as exc:
            raise self.translate(exc) from None

    def translate(self, exc: Exception) -> ProviderError:
        """Turn an SDK exception into the ProviderError the resilience layer acts on."""
        sdk = self._sdk
        if isinstance(exc, sdk.APIStatusError):
            kind, message = _error_of(exc)
            quota = None
            if kind == "billing_error" or "credit balance is too low" in message:
                quota = "credit balance"
            return status_error(
                PROVIDER, exc.status_code, self._key.scrub(message), exc.response.headers,
                quota=quota,
            )
        if isinstance(exc, sdk.APITimeoutError):
            return ProviderTimeout(PROVIDER, "the request timed out", retryable=True)
        if isinstance(exc, sdk.APIConnectionError):
            return ProviderError(
                PROVIDER,
                f"cannot connect ({self._key.scrub(str(exc.__cause__ or exc))}); check the "
                f"network or {BASE_URL_ENV}",
                retryable=True,
            )
        return ProviderError(PROVIDER, self._key.scrub(str(exc)))


def completion_of(message: Any) -> Completion:
    """Read a Message (an SDK object) into a :class:`Completion`."""
    text = "".join(
        getattr(block, "text", "") for block in message.content if block.type == "text"
    )
    usage = message.usage
    read = usage.cache_read_input_tokens or 0
    write = usage.cache_creation_input_tokens or 0
    details = getattr(usage, "output_tokens_details", None)
    thinking = (getattr(details, "thinking_tokens", 0) or 0) if details is not None else 0
    stop, detail = StopKind.DONE, ""
    if message.stop_reason == "refusal":
        stop = StopKind.REFUSED
        found = getattr(message, "stop_details", None)
        category = getattr(found, "category", None) if found is not None else None
        explanation = getattr(found, "explanation", None) if found is not None else None
        detail = "; ".join(str(x) for x in (category, explanation) if x) or "stop_reason refusal"
    elif message.stop_reason in _TRUNCATED:
        stop = StopKind.TRUNCATED
    return Completion(
        text=text,
        stop=stop,
        stop_detail=detail,
        tokens_in=usage.input_tokens + read + write,
        tokens_out=usage.output_tokens,
        tokens_cached=read,
        tokens_cache_write=write,
        tokens_thinking=thinking,
    )


def _error_of(exc: Any) -> tuple[str, str]:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error.get("type", "")), str(error["message"])
    return "", str(getattr(exc, "message", "") or type(exc).__name__)


def create_reviewer(
    model: str | None = None,
    *,
    api_key: Any = None,
    base_url: str | None = None,
    timeout: float = 120.0,
    max_concurrency: int = 8,
    models: ModelRegistry | None = None,
    limits: PlanLimits | None = None,
    prompt_version: str = DEFAULT_PROMPT_VERSION,
    resilience: Resilience | None = None,
) -> LlmReviewer:
    """Build an Anthropic reviewer (arguments in the module doc).

    ``api_key`` is a str or ``SecretStr``; without one, ``ANTHROPIC_API_KEY`` is read and
    its absence raises :class:`~docsense.errors.MissingApiKey`. ``resilience`` defaults to
    the layer shared by every reviewer of the same endpoint.
    """
    return assemble_reviewer(
        PROVIDER,
        AnthropicClient,
        model=model or DEFAULT_MODEL,
        api_key=api_key,
        key_env=API_KEY_ENV,
        base_url=base_url,
        url_env=BASE_URL_ENV,
        timeout=timeout,
        max_concurrency=max_concurrency,
        models=models,
        limits=limits,
        prompt_version=prompt_version,
        resilience=resilience,
    )


def reviewer_from_spec(spec: str) -> LlmReviewer:
    """Build the reviewer of ``anthropic[:<model>][#<prompt version>]`` (spec factory)."""
    model, version = parse_llm_spec(spec, PROVIDER, DEFAULT_MODEL)
    return create_reviewer(model, prompt_version=version)
