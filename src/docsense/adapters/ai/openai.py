"""The OpenAI reviewer (``openai:<model>``), on the official ``openai`` SDK (3.x).

Install with ``pip install 'docsense[openai]'``. It uses Chat Completions with strict
``json_schema`` structured output. The system message and the document block come first
and are identical for every call on the same part, so OpenAI's prompt caching applies
(``prompt_cache_key`` is the part's hash); the policies of the call come last.

How answers map to outcomes: ``message.refusal`` is a refusal (its text is the recorded
reason; no repair call); ``finish_reason: "content_filter"`` is a block; ``length`` a
truncation. Usage counts cached and cache-written prompt tokens and the reasoning tokens
inside ``completion_tokens``. A 429 rate limit is waited out (``retry-after-ms``); a 429
``insufficient_quota`` fails at once, saying so.

:class:`OpenAIClient` also serves OpenAI-compatible servers
(:mod:`docsense.adapters.ai.openai_compatible`): no key on loopback, ``max_tokens``
instead of ``max_completion_tokens``, and JSON mode where JSON schemas are not supported.

Batch mode (``docsense review --batch``): the Batch API over a JSONL file uploaded with the
Files API, at half price; see :mod:`docsense.adapters.ai.batch`.

Knobs (arguments of :func:`create_reviewer`):

=============== ===================== ==========================================
argument        default               also read from
=============== ===================== ==========================================
model           ``gpt-6.1-terra``     the spec (``openai:gpt-6-luna``)
api_key         --                    ``OPENAI_API_KEY``
base_url        SDK default           ``OPENAI_BASE_URL`` (gateways, proxies)
timeout         120 s per call
max_concurrency 8 calls in flight     (shared by every reviewer of the endpoint)
models          built-in registry     :mod:`docsense.adapters.ai.models`
=============== ===================== ==========================================

The default model is OpenAI's recommended replacement for ``gpt-5-mini`` (retiring
2026-12-11), as of the registry's check date.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any, Literal

from docsense.adapters.ai.llm import (
    ApiKey,
    Completion,
    LlmReviewer,
    StopKind,
    assemble_reviewer,
    parse_llm_spec,
)
from docsense.adapters.ai.models import ModelRegistry
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
    "ResponseMode",
    "create_reviewer",
    "reviewer_from_spec",
]

PROVIDER = "openai"
DEFAULT_MODEL = "gpt-6.1-terra"
API_KEY_ENV = ("OPENAI_API_KEY",)
BASE_URL_ENV = "OPENAI_BASE_URL"

ResponseMode = Literal["json_schema", "json_object"]

logger = logging.getLogger(__name__)


class OpenAIClient:
    """Sends planned calls through ``openai.AsyncOpenAI`` (SDK retries off).

    ``provider`` names the spec prefix; ``token_param`` is the output-limit field the
    server reads; ``response_mode`` chooses strict JSON-schema output or JSON mode (then
    the schema is written into the task and the answer validated as usual);
    ``cache_key`` sends ``prompt_cache_key``; an empty ``api_key`` sends no
    ``Authorization`` header (a local server); ``mode_hint`` is the setting that asks for
    JSON mode from the start, named when the server refuses JSON schemas.
    """

    warm_up_cache = False

    def __init__(
        self,
        model: str,
        api_key: ApiKey,
        *,
        base_url: str | None,
        timeout: float,
        provider: str = PROVIDER,
        token_param: str = "max_completion_tokens",  # noqa: S107 (a field name)
        response_mode: ResponseMode = "json_schema",
        cache_key: bool = True,
        url_hint: str = BASE_URL_ENV,
        mode_hint: str = "",
    ) -> None:
        try:
            import openai
        except ImportError as exc:
            raise MissingDependency(f"the {provider} reviewer", "openai", "openai") from exc
        self._sdk = openai
        self._key = api_key
        self._model = model
        self._provider = provider
        self._token_param = token_param
        self._mode = response_mode
        self._cache_key = cache_key
        self._url_hint = url_hint
        self._mode_hint = mode_hint
        self._notes: tuple[str, ...] = ()
        # Without a key (a local server) no Authorization header is sent at all: the SDK
        # needs a placeholder key, and each request omits the header explicitly.
        self._extra_headers: dict[str, Any] | None = (
            None if api_key else {"Authorization": openai.omit}
        )
        self._client = openai.AsyncOpenAI(
            api_key=api_key.reveal() or "unused",
            base_url=base_url,
            timeout=timeout + 1.0,
            max_retries=0,
        )

    @property
    def provider(self) -> str:
        """The spec prefix (``"openai"``, ``"openai-compatible"``)."""
        return self._provider

    @property
    def model(self) -> str:
        """The model name."""
        return self._model

    @property
    def response_mode(self) -> ResponseMode:
        """``json_schema`` (strict structured output) or ``json_object`` (JSON mode).

        ``json_schema`` becomes ``json_object`` for the rest of the client's life once the
        server refuses JSON-schema output (see :meth:`complete`).
        """
        return self._mode

    @property
    def notes(self) -> tuple[str, ...]:
        """Said in every review's warnings: the switch to JSON mode, once it happened."""
        return self._notes

    def __repr__(self) -> str:
        return f"OpenAIClient(provider={self._provider!r}, model={self._model!r})"

    async def aclose(self) -> None:
        """Close the SDK client's connection pool."""
        await self._client.close()

    def request_body(self, call: PlannedCall, task: str) -> dict[str, Any]:
        """Return the Chat Completions arguments for ``call`` (stable prefix first)."""
        if self._mode == "json_schema":
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {
                    "name": OUTPUT_SCHEMA_NAME,
                    "schema": OUTPUT_SCHEMA,
                    "strict": True,
                },
            }
        else:
            response_format = {"type": "json_object"}
            task = (
                f"{task}\n\nThe response schema (JSON Schema) your JSON object must match:\n"
                + json.dumps(OUTPUT_SCHEMA, separators=(",", ":"))
            )
        body: dict[str, Any] = {
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
            "response_format": response_format,
            self._token_param: call.max_output_tokens,
        }
        if self._cache_key:
            body["prompt_cache_key"] = (
                "docsense-" + hashlib.sha256(call.document.encode()).hexdigest()[:24]
            )
        return body

    async def complete(self, call: PlannedCall, task: str) -> Completion:
        """Send one call; translate SDK errors into ProviderError.

        A server whose error names ``json_schema`` as not supported, or ``json_object`` as
        what it takes (llama-cpp-python's server: "Input should be 'text' or 'json_object'",
        as an HTTP 500; a model or proxy without structured outputs) is asked again at once
        in JSON mode, and so is every later call of this client: the answer is validated
        against the schema either way. The switch is logged and said in the warnings of
        every review this client serves (:attr:`notes`).
        """
        try:
            try:
                response = await self._create(call, task)
            except self._sdk.APIStatusError as exc:
                if not self._refuses_json_schema(exc):
                    raise
                self._use_json_mode(exc)
                response = await self._create(call, task)
        except self._sdk.OpenAIError as exc:
            raise self.translate(exc) from None
        return self.completion_of(response)

    async def _create(self, call: PlannedCall, task: str) -> Any:
        return await self._client.chat.completions.create(
            **self.request_body(call, task), extra_headers=self._extra_headers
        )

    def _refuses_json_schema(self, exc: Any) -> bool:
        """Tell whether ``exc`` is the server saying it does not take ``json_schema`` output."""
        if self._mode != "json_schema" or exc.status_code not in (400, 422, 500):
            return False
        message = str(exc.message).casefold()
        return "json_schema" in message and any(
            word in message for word in ("json_object", "not supported", "unsupported")
        )

    def _use_json_mode(self, exc: Any) -> None:
        if self._mode == "json_object":  # a concurrent call switched already
            return
        self._mode = "json_object"
        said = " ".join(self._key.scrub(str(exc.message)).split())
        said = said if len(said) <= 200 else said[:199] + "\u2026"
        self._notes = (
            f"the server refused JSON-schema output (HTTP {exc.status_code}: {said}); "
            "answers were asked for in JSON mode and checked against the schema"
            + (f" ({self._mode_hint} asks that way from the start)" if self._mode_hint else ""),
        )
        logger.warning("%s:%s: %s", self._provider, self._model, self._notes[0])

    async def submit_batch(self, items: Sequence[tuple[str, PlannedCall]]) -> str:
        """Upload the calls as a JSONL file and start a Batch on it; return the batch id."""
        lines = "".join(
            json.dumps({"custom_id": cid, "method": "POST", "url": "/v1/chat/completions",
                        "body": self.request_body(call, call.task)}) + "\n"
            for cid, call in items
        )
        try:
            upload = await self._client.files.create(
                file=("docsense-batch.jsonl", lines.encode()), purpose="batch",
                extra_headers=self._extra_headers,
            )
            batch = await self._client.batches.create(
                input_file_id=upload.id, endpoint="/v1/chat/completions",
                completion_window="24h", extra_headers=self._extra_headers,
            )
        except self._sdk.OpenAIError as exc:
            raise self.translate(exc) from None
        return str(batch.id)

    async def batch_results(self, batch_id: str) -> dict[str, Completion | ProviderError] | None:
        """Return the batch's answers by custom id once it has completed (None before)."""
        try:
            batch = await self._client.batches.retrieve(batch_id, extra_headers=self._extra_headers)
            if batch.status in ("validating", "in_progress", "finalizing", "cancelling"):
                return None
            if batch.status != "completed" or not batch.output_file_id:
                raise ProviderError(self._provider, f"batch {batch_id} ended {batch.status}")
            content = await self._client.files.content(
                batch.output_file_id, extra_headers=self._extra_headers
            )
            text = content.text
        except self._sdk.OpenAIError as exc:
            raise self.translate(exc) from None
        out: dict[str, Completion | ProviderError] = {}
        for line in text.splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            response = item.get("response") or {}
            if response.get("status_code") == 200:
                out[item["custom_id"]] = self.completion_of(response["body"])
            else:
                error = (response.get("body") or {}).get("error") or item.get("error") or {}
                out[item["custom_id"]] = ProviderError(
                    self._provider,
                    f"batch request failed: {self._key.scrub(str(error.get('message', error)))}",
                )
        return out

    def translate(self, exc: Exception) -> ProviderError:
        """Turn an SDK exception into the ProviderError the resilience layer acts on."""
        sdk = self._sdk
        if isinstance(exc, sdk.APIStatusError):
            code = getattr(exc, "code", None)
            kind = getattr(exc, "type", None)
            quota = "insufficient_quota" if "insufficient_quota" in (code, kind) else None
            return status_error(
                self._provider,
                exc.status_code,
                self._key.scrub(exc.message),
                exc.response.headers,
                quota=quota,
            )
        if isinstance(exc, sdk.APITimeoutError):
            return ProviderTimeout(self._provider, "the request timed out", retryable=True)
        if isinstance(exc, sdk.APIConnectionError):
            return ProviderError(
                self._provider,
                f"cannot connect ({self._key.scrub(str(exc.__cause__ or exc))}); check the "
                f"network or {self._url_hint}",
                retryable=True,
            )
        return ProviderError(self._provider, self._key.scrub(str(exc)))

    def completion_of(self, response: Any) -> Completion:
        """Read a ChatCompletion (an SDK object or its JSON) into a :class:`Completion`."""
        if isinstance(response, dict):
            response = self._sdk.types.chat.ChatCompletion.model_validate(response)
        if not response.choices:
            raise ProviderError(self._provider, "the answer has no choices", retryable=True)
        choice = response.choices[0]
        usage = response.usage
        cached = written = reasoning = 0
        if usage is not None and usage.prompt_tokens_details is not None:
            cached = usage.prompt_tokens_details.cached_tokens or 0
            written = getattr(usage.prompt_tokens_details, "cache_write_tokens", 0) or 0
        if usage is not None and usage.completion_tokens_details is not None:
            reasoning = usage.completion_tokens_details.reasoning_tokens or 0
        refusal = getattr(choice.message, "refusal", None)
        stop, detail = StopKind.DONE, ""
        if refusal:
            stop, detail = StopKind.REFUSED, str(refusal)
        elif choice.finish_reason == "content_filter":
            stop, detail = StopKind.BLOCKED, "content_filter: the provider's filter withheld it"
        elif choice.finish_reason == "length":
            stop = StopKind.TRUNCATED
        return Completion(
            text=choice.message.content or "",
            stop=stop,
            stop_detail=detail,
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
            tokens_cached=cached,
            tokens_cache_write=written,
            tokens_thinking=reasoning,
        )


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
        models=models,
        limits=limits,
        prompt_version=prompt_version,
        resilience=resilience,
    )


def reviewer_from_spec(spec: str) -> LlmReviewer:
    """Build the reviewer of ``openai[:<model>][#<prompt version>]`` (spec factory)."""
    model, version = parse_llm_spec(spec, PROVIDER, DEFAULT_MODEL)
    return create_reviewer(model, prompt_version=version)
