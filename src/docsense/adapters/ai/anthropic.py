"""The Anthropic reviewer (``anthropic:<model>``), on the official ``anthropic`` SDK (2.x).

Install with ``pip install 'docsense[anthropic]'``. Structured output uses the Messages
API's JSON-schema output (``output_config.format``). Each request is::

    system:   [the review instructions]                      (same for every call)
    messages: [{"role": "user", "content": [
                 {"type": "text", "text": <document data block>,
                  "cache_control": {"type": "ephemeral"}},     <- cached prefix
                 {"type": "text", "text": <policies of this call>}]}]

so every call on the same part of a document reuses the cached system + document prefix
(cache reads cost a tenth of the input price). Prompts shorter than the model's minimum
cacheable length are simply not cached.

Knobs (constructor arguments of :func:`create_reviewer`, which a settings object wires):

============== ======================== =============================================
argument       default                  also read from
============== ======================== =============================================
model          ``claude-sonnet-4-6``    the spec (``anthropic:claude-haiku-4-5``)
api_key        --                       ``ANTHROPIC_API_KEY``
base_url       SDK default              ``ANTHROPIC_BASE_URL`` (gateways, proxies)
timeout        120 s per call
max_concurrency 8 calls in flight        (shared by every reviewer of the endpoint)
prices         built-in price table     :mod:`docsense.adapters.ai.pricing`
============== ======================== =============================================
"""

from __future__ import annotations

from typing import Any

from docsense.adapters.ai.llm import (
    ApiKey,
    Completion,
    LlmReviewer,
    assemble_reviewer,
    parse_llm_spec,
)
from docsense.adapters.ai.pricing import PriceTable
from docsense.adapters.ai.prompts import DEFAULT_PROMPT_VERSION, OUTPUT_SCHEMA, PlanLimits
from docsense.adapters.ai.prompts.plan import PlannedCall
from docsense.adapters.ai.resilience import (
    Resilience,
    status_error,
)
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
DEFAULT_MODEL = "claude-sonnet-4-6"
API_KEY_ENV = ("ANTHROPIC_API_KEY",)
BASE_URL_ENV = "ANTHROPIC_BASE_URL"
_TRUNCATED = frozenset({"max_tokens", "model_context_window_exceeded"})


class AnthropicClient:
    """Sends planned calls through ``anthropic.AsyncAnthropic`` (SDK retries off)."""

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
        sdk = self._sdk
        try:
            message = await self._client.messages.create(**self.request_body(call, task))
        except sdk.APIStatusError as exc:
            raise status_error(
                PROVIDER, exc.status_code, self._key.scrub(_message(exc)), exc.response.headers
            ) from None
        except sdk.APITimeoutError:
            raise ProviderTimeout(PROVIDER, "the request timed out", retryable=True) from None
        except sdk.APIConnectionError as exc:
            raise ProviderError(
                PROVIDER,
                f"cannot connect ({self._key.scrub(str(exc.__cause__ or exc))}); check the "
                f"network or {BASE_URL_ENV}",
                retryable=True,
            ) from None
        except sdk.AnthropicError as exc:
            raise ProviderError(PROVIDER, self._key.scrub(str(exc))) from None
        text = "".join(
            getattr(block, "text", "") for block in message.content if block.type == "text"
        )
        usage = message.usage
        read = usage.cache_read_input_tokens or 0
        write = usage.cache_creation_input_tokens or 0
        return Completion(
            text=text,
            truncated=message.stop_reason in _TRUNCATED,
            tokens_in=usage.input_tokens + read + write,
            tokens_out=usage.output_tokens,
            tokens_cached=read,
            tokens_cache_write=write,
        )


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
    return str(getattr(exc, "message", "") or type(exc).__name__)


def create_reviewer(
    model: str | None = None,
    *,
    api_key: Any = None,
    base_url: str | None = None,
    timeout: float = 120.0,
    max_concurrency: int = 8,
    prices: PriceTable | None = None,
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
        prices=prices,
        limits=limits,
        prompt_version=prompt_version,
        resilience=resilience,
    )


def reviewer_from_spec(spec: str) -> LlmReviewer:
    """Build the reviewer of ``anthropic[:<model>][#<prompt version>]`` (spec factory)."""
    model, version = parse_llm_spec(spec, PROVIDER, DEFAULT_MODEL)
    return create_reviewer(model, prompt_version=version)
