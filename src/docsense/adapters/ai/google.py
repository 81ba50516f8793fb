"""The Google Gemini reviewer (``google:<model>``), on the official ``google-genai`` SDK (3.x).

Install with ``pip install 'docsense[google]'`` (not the end-of-life
``google-generativeai``). Structured output uses ``response_json_schema`` (plain JSON
Schema) with ``response_mime_type="application/json"``: the older ``response_schema``
field is an OpenAPI-subset proto that rejects ``additionalProperties``, which a strict
schema needs. No ``temperature`` is sent: Google advises keeping Gemini 3 models at their
default (lower values "may lead to unexpected behavior, looping, or degraded
performance"). The system instruction and the document part come first and are
identical for every call on the same part (implicit caching); the policies of the call
are the last part.

How answers map to outcomes: ``promptFeedback.blockReason`` (the prompt was blocked) and a
candidate ``finishReason`` of ``SAFETY``, ``PROHIBITED_CONTENT``, ``BLOCKLIST``, ``SPII``
or ``IMAGE_SAFETY`` are blocks, recorded with the reason; ``MAX_TOKENS`` is a truncation.
Usage counts cached prompt tokens and the ``thoughts_token_count`` billed as output. A 429
is waited out for the ``RetryInfo.retryDelay`` in its body (Gemini sends no
``Retry-After`` header); a per-day quota fails at once.

Batch mode (``docsense review --batch``): a Gemini batch job with inline requests, at half
price; see :mod:`docsense.adapters.ai.batch`.

Knobs (arguments of :func:`create_reviewer`):

=============== ===================== =================================================
argument        default               also read from
=============== ===================== =================================================
model           ``gemini-3.8-flash``  the spec (``google:gemini-3.8-flash``)
api_key         --                    ``GOOGLE_API_KEY``, then ``GEMINI_API_KEY``
base_url        SDK default           ``GOOGLE_GEMINI_BASE_URL`` (the SDK's own variable)
timeout         120 s per call
max_concurrency 8 calls in flight     (shared by every reviewer of the endpoint)
models          built-in registry     :mod:`docsense.adapters.ai.models`
=============== ===================== =================================================

The default model is Google's named replacement for ``gemini-2.5-flash`` (withdrawn
2026-11-12), as of the registry's check date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs

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
    "GoogleClient",
    "create_reviewer",
    "reviewer_from_spec",
]

PROVIDER = "google"
DEFAULT_MODEL = "gemini-3.8-flash"
API_KEY_ENV = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
BASE_URL_ENV = "GOOGLE_GEMINI_BASE_URL"
_BLOCKED = frozenset({"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY"})
_DELAY = re.compile(r"^\s*([0-9.]+)s\s*$")


class GoogleClient:
    """Sends planned calls through ``google.genai.Client(...).aio`` (SDK retries off)."""

    warm_up_cache = False
    notes: tuple[str, ...] = ()

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
        self._closed = False

    @property
    def provider(self) -> str:
        """``"google"``."""
        return PROVIDER

    @property
    def model(self) -> str:
        """The model name."""
        return self._model

    @property
    def sdk(self) -> Any:
        """The ``google.genai`` client (batch mode uses it)."""
        return self._client

    def __repr__(self) -> str:
        return f"GoogleClient(model={self._model!r})"

    async def aclose(self) -> None:
        """Close the async and sync connection pools (the SDK keeps one of each)."""
        if self._closed:
            return
        self._closed = True
        await self._client.aio.aclose()
        self._client.close()

    def config(self, call: PlannedCall) -> Any:
        """Return the ``GenerateContentConfig`` of ``call`` (JSON Schema output, no temperature)."""
        return self._types.GenerateContentConfig(
            system_instruction=call.system,
            response_mime_type="application/json",
            response_json_schema=OUTPUT_SCHEMA,
            max_output_tokens=call.max_output_tokens,
        )

    def contents(self, call: PlannedCall, task: str) -> list[Any]:
        """Return the request contents: the cached document part, then the task."""
        types = self._types
        return [
            types.Content(
                role="user", parts=[types.Part(text=call.document), types.Part(text=task)]
            )
        ]

    def request_args(self, call: PlannedCall, task: str) -> dict[str, Any]:
        """Return the ``generate_content`` arguments for ``call``."""
        return {
            "model": self._model,
            "contents": self.contents(call, task),
            "config": self.config(call),
        }

    async def complete(self, call: PlannedCall, task: str) -> Completion:
        """Send one call; translate SDK errors into ProviderError."""
        try:
            response = await self._client.aio.models.generate_content(
                **self.request_args(call, task)
            )
        except Exception as exc:  # the SDK's APIError or an httpx2 transport error
            raise self.translate(exc) from None
        return completion_of(response)

    async def submit_batch(self, items: Sequence[tuple[str, PlannedCall]]) -> str:
        """Send the calls as one inline batch job; return the job's name."""
        types = self._types
        src = [
            types.InlinedRequest(
                contents=self.contents(call, call.task), config=self.config(call),
                metadata={"key": cid},
            )
            for cid, call in items
        ]
        try:
            job = await self._client.aio.batches.create(
                model=self._model, src=src,
                config=types.CreateBatchJobConfig(display_name="docsense review"),
            )
        except Exception as exc:  # the SDK's APIError or an httpx2 transport error
            raise self.translate(exc) from None
        return str(job.name)

    async def batch_results(self, batch_id: str) -> dict[str, Completion | ProviderError] | None:
        """Return the job's answers by custom id once it has succeeded (None before)."""
        try:
            job = await self._client.aio.batches.get(name=batch_id)
        except Exception as exc:
            raise self.translate(exc) from None
        state = _name(job.state)
        if state in ("JOB_STATE_QUEUED", "JOB_STATE_PENDING", "JOB_STATE_RUNNING",
                     "JOB_STATE_UPDATING", "JOB_STATE_PAUSED"):
            return None
        if state not in ("JOB_STATE_SUCCEEDED", "JOB_STATE_PARTIALLY_SUCCEEDED"):
            raise ProviderError(PROVIDER, f"batch {batch_id} ended {state}")
        out: dict[str, Completion | ProviderError] = {}
        responses = (job.dest.inlined_responses or []) if job.dest is not None else []
        for item in responses:
            key = (item.metadata or {}).get("key", "")
            if item.response is not None:
                out[key] = completion_of(item.response)
            else:
                message = getattr(item.error, "message", None) or "no response"
                out[key] = ProviderError(PROVIDER, f"batch request failed: {message}")
        return out

    def translate(self, exc: Exception) -> ProviderError:
        """Turn an SDK or transport exception into the ProviderError the layer acts on."""
        if isinstance(exc, self._errors.APIError):
            details = _details(getattr(exc, "details", None))
            return status_error(
                PROVIDER,
                int(exc.code or 0),
                self._key.scrub(str(exc.message or exc)),
                None,
                retry_after=_retry_delay(details),
                quota=_daily_quota(details),
            )
        if isinstance(exc, self._httpx.TimeoutException):
            return ProviderTimeout(PROVIDER, "the request timed out", retryable=True)
        if isinstance(exc, self._httpx.TransportError | OSError):
            return ProviderError(
                PROVIDER,
                f"cannot connect ({self._key.scrub(str(exc))}); check the network or "
                f"{BASE_URL_ENV}",
                retryable=True,
            )
        if isinstance(exc, ProviderError):
            return exc
        raise exc


def completion_of(response: Any) -> Completion:
    """Read a GenerateContentResponse (an SDK object) into a :class:`Completion`."""
    meta = response.usage_metadata
    prompt: int = (meta.prompt_token_count or 0) if meta else 0
    visible: int = (meta.candidates_token_count or 0) if meta else 0
    thoughts: int = (getattr(meta, "thoughts_token_count", 0) or 0) if meta else 0
    cached: int = (meta.cached_content_token_count or 0) if meta else 0
    empty = Completion(
        text="",
        tokens_in=prompt,
        tokens_out=visible + thoughts,  # thinking is billed as output
        tokens_cached=cached,
        tokens_thinking=thoughts,
    )
    feedback = getattr(response, "prompt_feedback", None)
    block = getattr(feedback, "block_reason", None) if feedback is not None else None
    if block is not None:
        message = getattr(feedback, "block_reason_message", None)
        reason = f"prompt blocked: {_name(block)}" + (f" ({message})" if message else "")
        return attrs.evolve(empty, stop=StopKind.BLOCKED, stop_detail=reason)
    candidates = response.candidates or []
    if not candidates:
        return empty
    first = candidates[0]
    content = first.content
    text = "".join(p.text or "" for p in (content.parts or [])) if content else ""
    finish = _name(first.finish_reason) if first.finish_reason is not None else ""
    if finish in _BLOCKED:
        rated = [
            _name(r.category)
            for r in (getattr(first, "safety_ratings", None) or [])
            if getattr(r, "blocked", False)
        ]
        detail = f"answer blocked: finishReason {finish}" + (
            f" ({', '.join(rated)})" if rated else ""
        )
        return attrs.evolve(empty, stop=StopKind.BLOCKED, stop_detail=detail)
    stop = StopKind.TRUNCATED if finish == "MAX_TOKENS" else StopKind.DONE
    return attrs.evolve(empty, text=text, stop=stop)


def _name(value: Any) -> str:
    return str(getattr(value, "value", value))


def _details(body: Any) -> list[dict[str, Any]]:
    error = body.get("error", body) if isinstance(body, dict) else {}
    found = error.get("details") if isinstance(error, dict) else None
    return [d for d in found or [] if isinstance(d, dict)]


def _retry_delay(details: list[dict[str, Any]]) -> float | None:
    for item in details:
        if str(item.get("@type", "")).endswith("google.rpc.RetryInfo"):
            match = _DELAY.match(str(item.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def _daily_quota(details: list[dict[str, Any]]) -> str | None:
    # A per-day quota does not clear in seconds: name it and fail at once.
    for item in details:
        if str(item.get("@type", "")).endswith("google.rpc.QuotaFailure"):
            for violation in item.get("violations") or []:
                quota = str(violation.get("quotaId", ""))
                if "PerDay" in quota:
                    return quota
    return None


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
        models=models,
        limits=limits,
        prompt_version=prompt_version,
        resilience=resilience,
    )


def reviewer_from_spec(spec: str) -> LlmReviewer:
    """Build the reviewer of ``google[:<model>][#<prompt version>]`` (spec factory)."""
    model, version = parse_llm_spec(spec, PROVIDER, DEFAULT_MODEL)
    return create_reviewer(model, prompt_version=version)
