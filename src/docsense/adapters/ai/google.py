"""The Google Gemini reviewer (``google:<model>``), on the official ``google-genai`` SDK (3.x).

Install with ``pip install 'docsense[google]'`` (not the end-of-life
``google-generativeai``). Structured output uses ``response_schema`` with
``response_mime_type="application/json"``. The system instruction and the document part come
first and are identical for every call on the same part (implicit caching); the policies of
the call are the last part.

Knobs (arguments of :func:`create_reviewer`):

=============== ===================== =================================================
argument        default               also read from
=============== ===================== =================================================
model           ``gemini-2.5-flash``  the spec (``google:gemini-2.5-pro``)
api_key         --                    ``GOOGLE_API_KEY``, then ``GEMINI_API_KEY``
base_url        SDK default           ``GOOGLE_GEMINI_BASE_URL`` (the SDK's own variable)
timeout         120 s per call
max_concurrency 8 calls in flight     (shared by every reviewer of the endpoint)
prices          built-in price table  :mod:`docsense.adapters.ai.pricing`
=============== ===================== =================================================
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
from docsense.adapters.ai.prompts import DEFAULT_PROMPT_VERSION, PlanLimits, ReviewOutput
from docsense.adapters.ai.prompts.plan import PlannedCall
from docsense.adapters.ai.resilience import Resilience, status_error
from docsense.errors import MissingDependency, ProviderError, ProviderTimeout

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_MODEL",
    "GoogleClient",
    "create_reviewer",
    "reviewer_from_spec",
]

PROVIDER = "google"
DEFAULT_MODEL = "gemini-2.5-flash"
API_KEY_ENV = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
BASE_URL_ENV = "GOOGLE_GEMINI_BASE_URL"


class GoogleClient:
    """Sends planned calls through ``google.genai.Client(...).aio`` (SDK retries off)."""

    def __init__(
        self, model: str, api_key: ApiKey, *, base_url: str | None, timeout: float
    ) -> None:
        try:
            import httpx2
            from google import genai
            from google.genai import errors, types
        except ImportError as exc:
            raise MissingDependency("the google reviewer", "google", "google-genai") from exc
        self._genai, self._types, self._errors, self._httpx = genai, types, errors, httpx2
        self._key = api_key
        self._model = model
        self._client = genai.Client(
            api_key=api_key.reveal(),
            http_options=types.HttpOptions(
                base_url=base_url,
                timeout=int((timeout + 1.0) * 1000),  # milliseconds
                retry_options=types.HttpRetryOptions(attempts=1),  # docsense retries
            ),
        )

    @property
    def provider(self) -> str:
        """``"google"``."""
        return PROVIDER

    @property
    def model(self) -> str:
        """The model name."""
        return self._model

    def __repr__(self) -> str:
        return f"GoogleClient(model={self._model!r})"

    def request_args(self, call: PlannedCall, task: str) -> dict[str, Any]:
        """Return the ``generate_content`` arguments for ``call``."""
        types = self._types
        return {
            "model": self._model,
            "contents": [
                types.Content(
                    role="user",
                    parts=[types.Part(text=call.document), types.Part(text=task)],
                )
            ],
            "config": types.GenerateContentConfig(
                system_instruction=call.system,
                response_mime_type="application/json",
                response_schema=ReviewOutput,
                max_output_tokens=call.max_output_tokens,
                temperature=0.0,
            ),
        }

    async def complete(self, call: PlannedCall, task: str) -> Completion:
        """Send one call; translate SDK errors into ProviderError."""
        try:
            response = await self._client.aio.models.generate_content(
                **self.request_args(call, task)
            )
        except self._errors.APIError as exc:
            raw = getattr(exc, "response", None)
            headers = dict(raw.headers) if raw is not None and hasattr(raw, "headers") else None
            raise status_error(
                PROVIDER, int(exc.code or 0), self._key.scrub(str(exc.message or exc)), headers
            ) from None
        except self._httpx.TimeoutException:
            raise ProviderTimeout(PROVIDER, "the request timed out", retryable=True) from None
        except (self._httpx.TransportError, OSError) as exc:
            raise ProviderError(
                PROVIDER,
                f"cannot connect ({self._key.scrub(str(exc))}); check the network or "
                f"{BASE_URL_ENV}",
                retryable=True,
            ) from None
        candidates = response.candidates or []
        text = ""
        truncated = False
        if candidates:
            content = candidates[0].content
            text = "".join(p.text or "" for p in (content.parts or [])) if content else ""
            reason = candidates[0].finish_reason
            truncated = reason is not None and reason.value == "MAX_TOKENS"
        meta = response.usage_metadata
        return Completion(
            text=text,
            truncated=truncated,
            tokens_in=(meta.prompt_token_count or 0) if meta else 0,
            tokens_out=(meta.candidates_token_count or 0) if meta else 0,
            tokens_cached=(meta.cached_content_token_count or 0) if meta else 0,
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
    """Build a Gemini reviewer (arguments in the module doc).

    Without ``api_key``, ``GOOGLE_API_KEY`` then ``GEMINI_API_KEY`` are read; if neither is
    set, :class:`~docsense.errors.MissingApiKey` names both.
    """
    return assemble_reviewer(
        PROVIDER,
        GoogleClient,
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
    """Build the reviewer of ``google[:<model>][#<prompt version>]`` (spec factory)."""
    model, version = parse_llm_spec(spec, PROVIDER, DEFAULT_MODEL)
    return create_reviewer(model, prompt_version=version)
