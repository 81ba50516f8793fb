"""The OpenAI reviewer (``openai:<model>``), on the official ``openai`` SDK (3.x).

Install with ``pip install 'docsense[openai]'``. It uses Chat Completions with strict
``json_schema`` structured output (also served by most OpenAI-compatible gateways). The
system message and the document block come first and are identical for every call on the
same part, so OpenAI's automatic prompt caching applies (``prompt_cache_key`` is the part's
hash); the policies of the call come last.

Knobs (arguments of :func:`create_reviewer`):

=============== ===================== ==========================================
argument        default               also read from
=============== ===================== ==========================================
model           ``gpt-5-mini``      the spec (``openai:gpt-5-mini``)
api_key         --                    ``OPENAI_API_KEY``
base_url        SDK default           ``OPENAI_BASE_URL`` (gateways, proxies)
timeout         120 s per call
max_concurrency 8 calls in flight     (shared by every reviewer of the endpoint)
prices          built-in price table  :mod:`docsense.adapters.ai.pricing`
=============== ===================== ==========================================
"""

from __future__ import annotations

import hashlib
from typing import Any

from docsense.adapters.ai.llm import (
    ApiKey,
    Completion,
    LlmReviewer,
    assemble_reviewer,
    parse_llm_spec,
)
from docsense.adapters.ai.pricing import PriceTable
from docsense.adapters.ai.prompts import (
    DEFAULT_PROMPT_VERSION,
    OUTPUT_SCHEMA,
    OUTPUT_SCHEMA_NAME,
    PlanLimits,
)
from docsense.adapters.ai.prompts.plan import PlannedCall
from docsense.adapters.ai.resilience import Resilience, status_error
from docsense.errors import MissingDependency, ProviderError, ProviderTimeout

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_MODEL",
    "OpenAIClient",
    "create_reviewer",
    "reviewer_from_spec",
]

PROVIDER = "openai"
DEFAULT_MODEL = "gpt-5-mini"
API_KEY_ENV = ("OPENAI_API_KEY",)
BASE_URL_ENV = "OPENAI_BASE_URL"


class OpenAIClient:
    """Sends planned calls through ``openai.AsyncOpenAI`` (SDK retries off)."""

    def __init__(
        self, model: str, api_key: ApiKey, *, base_url: str | None, timeout: float
    ) -> None:
        try:
            import openai
        except ImportError as exc:
            raise MissingDependency("the openai reviewer", "openai", "openai") from exc
        self._sdk = openai
        self._key = api_key
        self._model = model
        self._client = openai.AsyncOpenAI(
            api_key=api_key.reveal(), base_url=base_url, timeout=timeout + 1.0, max_retries=0
        )

    @property
    def provider(self) -> str:
        """``"openai"``."""
        return PROVIDER

    @property
    def model(self) -> str:
        """The model name."""
        return self._model

    def __repr__(self) -> str:
        return f"OpenAIClient(model={self._model!r})"

    def request_body(self, call: PlannedCall, task: str) -> dict[str, Any]:
        """Return the Chat Completions arguments for ``call`` (stable prefix first)."""
        return {
            "model": self._model,
            "messages": [
                {"role": "system", "content": call.system},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": call.document},
                        {"type": "text", "text": task},
                    ],
                },
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": OUTPUT_SCHEMA_NAME,
                    "schema": OUTPUT_SCHEMA,
                    "strict": True,
                },
            },
            "max_completion_tokens": call.max_output_tokens,
            "prompt_cache_key": "docsense-"
            + hashlib.sha256(call.document.encode()).hexdigest()[:24],
        }

    async def complete(self, call: PlannedCall, task: str) -> Completion:
        """Send one call; translate SDK errors into ProviderError."""
        sdk = self._sdk
        try:
            response = await self._client.chat.completions.create(**self.request_body(call, task))
        except sdk.APIStatusError as exc:
            raise status_error(
                PROVIDER, exc.status_code, self._key.scrub(exc.message), exc.response.headers
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
        except sdk.OpenAIError as exc:
            raise ProviderError(PROVIDER, self._key.scrub(str(exc))) from None
        if not response.choices:
            raise ProviderError(PROVIDER, "the answer has no choices", retryable=True)
        choice = response.choices[0]
        usage = response.usage
        cached = 0
        if usage is not None and usage.prompt_tokens_details is not None:
            cached = usage.prompt_tokens_details.cached_tokens or 0
        return Completion(
            text=choice.message.content or "",
            truncated=choice.finish_reason == "length",
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
            tokens_cached=cached,
        )


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
    """Build an OpenAI reviewer (arguments in the module doc).

    Without ``api_key``, ``OPENAI_API_KEY`` is read; its absence raises
    :class:`~docsense.errors.MissingApiKey`.
    """
    return assemble_reviewer(
        PROVIDER,
        OpenAIClient,
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
    """Build the reviewer of ``openai[:<model>][#<prompt version>]`` (spec factory)."""
    model, version = parse_llm_spec(spec, PROVIDER, DEFAULT_MODEL)
    return create_reviewer(model, prompt_version=version)
