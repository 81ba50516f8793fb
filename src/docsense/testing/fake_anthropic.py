"""The Anthropic dialect of :class:`~docsense.testing.fake_llm.FakeLLMServer`.

Rules it enforces, and where each comes from:

- Paths: ``POST /v1/messages``, ``POST /v1/messages/batches``, ``GET
  /v1/messages/batches/{id}`` and the batch's ``results_url`` (anthropic SDK
  ``resources/messages/messages.py`` and ``resources/messages/batches.py``); anything else
  is a 404 ``not_found_error``.
- Version header: ``anthropic-version`` is required (the SDK always sends it,
  ``anthropic/_client.py`` ``default_headers``; the API answers 400 without it).
- Auth: ``x-api-key`` or ``Authorization: Bearer`` (``_client.py`` ``_validate_headers``
  accepts either); none is a 401 ``authentication_error``.
- Body: ``model``, ``max_tokens`` >= 1 and a non-empty ``messages`` list starting with a
  ``user`` turn are required (Messages API reference); at most 4 ``cache_control``
  breakpoints (prompt-caching guide: "up to 4 breakpoints").
- Structured output (``output_config.format``, type ``json_schema``; structured-outputs
  guide, platform.claude.com/docs/en/build-with-claude/structured-outputs): every object
  schema must set ``additionalProperties: false``; numeric and string-length constraints
  (``minimum``, ``maximum``, ``multipleOf``, ``minLength``, ``maxLength``), ``maxItems``,
  ``minItems`` above 1 and recursive ``$ref`` are not supported. Each is a 400
  ``invalid_request_error``.
- Sampling: Claude 5 models answer 400 to non-default ``temperature``, ``top_p`` or
  ``top_k`` (Claude Sonnet 5 model page: "setting sampling parameters ... to non-default
  values returns a 400 error").
- Errors: ``{"type": "error", "error": {"type", "message"}, "request_id"}``; 429
  ``rate_limit_error`` with a ``retry-after`` header (seconds) and
  ``anthropic-ratelimit-*`` headers; 529 ``overloaded_error``; a spent credit balance is a
  400 ``invalid_request_error`` "Your credit balance is too low...".
- Refusals: ``stop_reason: "refusal"`` with ``stop_details`` ``{type: "refusal",
  category, explanation}`` (SDK ``types/stop_reason.py``, ``types/refusal_stop_details.py``).
- Usage (SDK ``types/usage.py``): ``input_tokens`` excludes cache reads and writes,
  reported in ``cache_read_input_tokens`` and ``cache_creation_input_tokens``;
  ``output_tokens`` includes thinking, broken down in ``output_tokens_details.
  thinking_tokens``. A cache entry can be read only after the request that wrote it has
  finished: concurrent requests on the same prefix each pay a write.
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from docsense.testing.fake_llm import (
    FakeCall,
    FakeLLMServer,
    IncomingRequest,
    Rejected,
    Reply,
    Response,
    iter_objects,
    scripted_fault,
    texts_of,
    tokens,
)

__all__ = ["AnthropicRules"]

_UNSUPPORTED = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
                "minLength", "maxLength", "maxItems")
_BATCH = re.compile(r"^/v1/messages/batches/([A-Za-z0-9_]+)(/results)?$")
_CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                403: "permission_error", 404: "not_found_error", 413: "request_too_large",
                429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}


def _error_body(status: int, message: str, kind: str | None = None) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": kind or _ERROR_TYPES.get(status, "api_error"), "message": message},
        "request_id": f"req_{uuid.uuid4().hex[:24]}",
    }


def _reject(status: int, message: str) -> Rejected:
    return Rejected(status, message, _error_body(status, message))


class AnthropicRules:
    """The Messages API and Message Batches, as the real API checks and answers them."""

    def parse_call(self, body: dict[str, Any]) -> FakeCall:
        """System text and user texts of a Messages request."""
        system = "\n".join(texts_of(body.get("system", "")))
        user = [t for m in body.get("messages", []) for t in texts_of(m.get("content"))]
        return FakeCall(system, tuple(user))

    def error(self, status: int, message: str, reply: Reply | None = None) -> Response:
        """Return an Anthropic error answer (429 with ``retry-after``; a spent credit balance)."""
        if reply is not None and reply.quota:
            return Response(400, _error_body(
                400,
                "Your credit balance is too low to access the Anthropic API. Please go to "
                "Plans & Billing to upgrade or purchase credits.",
            ))
        headers: dict[str, str] = {}
        if status == 429:
            after = 0.01 if reply is None or reply.retry_after is None else reply.retry_after
            headers = {
                "retry-after": f"{after:g}",
                "anthropic-ratelimit-requests-limit": "50",
                "anthropic-ratelimit-requests-remaining": "0",
            }
            message = "This request would exceed the rate limit for your organization."
        elif status == 529:
            message = "Overloaded"
        return Response(status, _error_body(status, message), headers)

    # --- routing ----------------------------------------------------------------------------

    def route(self, server: FakeLLMServer, request: IncomingRequest) -> Response:
        """Check headers and route to messages or batches."""
        if "anthropic-version" not in request.headers:
            raise _reject(400, "anthropic-version: header is required")
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        key = request.headers.get("x-api-key") or bearer
        if not key:
            raise _reject(401, "x-api-key header is required")
        if not server.check_key(key):
            raise _reject(401, "invalid x-api-key")
        if request.method == "POST" and request.path == "/v1/messages":
            return self._messages(server, request.json())
        if request.method == "POST" and request.path == "/v1/messages/batches":
            return self._create_batch(server, request.json())
        match = _BATCH.match(request.path)
        if request.method == "GET" and match:
            return self._batch(server, match.group(1), bool(match.group(2)))
        raise _reject(404, f"Not found: {request.method} {request.path}")

    # --- messages ---------------------------------------------------------------------------

    def check(self, server: FakeLLMServer, body: dict[str, Any]) -> None:
        """Raise :class:`Rejected` for a Messages body the API would refuse."""
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise _reject(400, "model: Field required")
        if server.models is not None and model not in server.models:
            raise _reject(404, f"model: {model}")
        max_tokens = body.get("max_tokens")
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise _reject(400, "max_tokens: Field required (an integer >= 1)")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _reject(400, "messages: at least one message is required")
        if messages[0].get("role") != "user":
            raise _reject(400, "messages: first message must use the \"user\" role")
        breakpoints = json.dumps(body).count('"cache_control"')
        if breakpoints > 4:
            raise _reject(400, f"A maximum of 4 blocks with cache_control may be provided. "
                               f"Found {breakpoints}.")
        if re.match(r"claude-[a-z]+-5", model):
            for name, default in (("temperature", 1.0), ("top_p", None), ("top_k", None)):
                if name in body and body[name] != default:
                    raise _reject(400, f"{name}: setting a non-default value is not supported "
                                       f"on {model}")
        fmt = (body.get("output_config") or {}).get("format")
        if fmt is not None:
            if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
                raise _reject(400, "output_config.format: type must be 'json_schema' with a schema")
            self._check_schema(fmt["schema"])

    @staticmethod
    def _check_schema(schema: dict[str, Any]) -> None:
        for path, sub in iter_objects(schema):
            if sub.get("type") == "object" and sub.get("additionalProperties") is not False:
                raise _reject(400, f"output_config.format.schema: For '{path}', "
                                   "'additionalProperties' must be explicitly set to false")
            for keyword in _UNSUPPORTED:
                if keyword in sub:
                    raise _reject(400, f"output_config.format.schema: '{keyword}' at '{path}' "
                                       "is not supported")
            if isinstance(sub.get("minItems"), int) and sub["minItems"] > 1:
                raise _reject(400, f"output_config.format.schema: minItems above 1 at '{path}' "
                                   "is not supported")
            ref = sub.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#/"):
                raise _reject(400, f"output_config.format.schema: external $ref at '{path}'")

    def _messages(self, server: FakeLLMServer, body: dict[str, Any]) -> Response:
        self.check(server, body)
        reply = server.next_reply()
        scripted_fault(self, reply)
        message, written = self.message(server, body, reply)
        return Response(200, message, dict(reply.headers), delay=reply.delay, after=written)

    def message(
        self, server: FakeLLMServer, body: dict[str, Any], reply: Reply
    ) -> tuple[dict[str, Any], Callable[[], None] | None]:
        """Return the Message answering ``body`` (refusal, truncation, usage).

        With it comes, when it wrote a cache entry, the function that makes the entry
        readable (call it once the answer is sent).
        """
        call = self.parse_call(body)
        prefix = _cached_prefix(body)
        read = write = 0
        written: Callable[[], None] | None = None
        if prefix:
            with server.lock:
                ready = server.state.setdefault("anthropic_cache", {})
                if ready.get(prefix, math.inf) <= time.monotonic():
                    read = tokens(prefix)
                else:
                    write = tokens(prefix)
                    ready.setdefault(prefix, math.inf)  # pending until this answer is out

                    def written() -> None:
                        with server.lock:
                            ready[prefix] = min(ready[prefix], time.monotonic())
        thinking = server.thinking(reply)
        stop_details = None
        if reply.refusal is not None or reply.blocked is not None:
            content: list[dict[str, Any]] = []
            stop = "refusal"
            stop_details = {
                "type": "refusal",
                "category": "general_harms" if reply.blocked is not None else None,
                "explanation": reply.refusal if reply.refusal is not None else reply.blocked,
            }
            visible = 0
        else:
            text = server.answer_text(call, reply)
            content = [{"type": "text", "text": text}]
            stop = "max_tokens" if reply.truncated else "end_turn"
            visible = tokens(text)
        return {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "fake"),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "stop_details": stop_details,
            "usage": {
                "input_tokens": max(0, tokens(call.text) - read - write),
                "output_tokens": visible + thinking,
                "output_tokens_details": {"thinking_tokens": thinking},
                "cache_read_input_tokens": read,
                "cache_creation_input_tokens": write,
            },
        }, written

    # --- batches ----------------------------------------------------------------------------

    def _create_batch(self, server: FakeLLMServer, body: dict[str, Any]) -> Response:
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            raise _reject(400, "requests: at least one request is required")
        seen: set[str] = set()
        for n, item in enumerate(requests):
            custom_id = item.get("custom_id")
            if not isinstance(custom_id, str) or not _CUSTOM_ID.match(custom_id):
                raise _reject(400, f"requests.{n}.custom_id: String should match pattern "
                                   "'^[a-zA-Z0-9_-]{1,64}$'")
            if custom_id in seen:
                raise _reject(400, f"requests.{n}.custom_id: duplicate custom_id {custom_id!r}")
            seen.add(custom_id)
            params = item.get("params")
            if not isinstance(params, dict):
                raise _reject(400, f"requests.{n}.params: Field required")
            self.check(server, params)
        batch_id = f"msgbatch_{uuid.uuid4().hex[:24]}"
        batches = server.state.setdefault("anthropic_batches", {})
        batches[batch_id] = {"requests": requests, "polls": 0, "results": None}
        return Response(200, self._batch_object(server, batch_id))

    def _batch_object(self, server: FakeLLMServer, batch_id: str) -> dict[str, Any]:
        batch = server.state["anthropic_batches"][batch_id]
        ended = batch["results"] is not None
        counts = {"processing": 0 if ended else len(batch["requests"]), "succeeded": 0,
                  "errored": 0, "canceled": 0, "expired": 0}
        for line in batch["results"] or []:
            counts[{"succeeded": "succeeded", "errored": "errored"}[line["result"]["type"]]] += 1
        return {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts,
            "created_at": "2026-12-01T00:00:00Z",
            "expires_at": "2026-12-02T00:00:00Z",
            "ended_at": "2026-12-01T00:10:00Z" if ended else None,
            "results_url": f"{server.root_url}/v1/messages/batches/{batch_id}/results"
            if ended else None,
        }

    def _batch(self, server: FakeLLMServer, batch_id: str, results: bool) -> Response:
        batch = server.state.get("anthropic_batches", {}).get(batch_id)
        if batch is None:
            raise _reject(404, f"Batch {batch_id} not found")
        if not results:
            _, ends = server.poll_batch("anthropic_batches", batch_id)
            if batch["results"] is None and ends:
                batch["results"] = [self._run(server, item) for item in batch["requests"]]
            return Response(200, self._batch_object(server, batch_id))
        if batch["results"] is None:
            raise _reject(400, "the batch has not ended: results are not available yet")
        lines = "".join(json.dumps(line) + "\n" for line in batch["results"])
        return Response(200, lines, content_type="application/binary")

    def _run(self, server: FakeLLMServer, item: dict[str, Any]) -> dict[str, Any]:
        reply = server.next_reply()
        if reply.status != 200:
            error = self.error(reply.status, f"scripted error {reply.status}", reply)
            return {"custom_id": item["custom_id"], "result": {"type": "errored",
                                                               "error": error.body}}
        message, written = self.message(server, item["params"], reply)
        if written is not None:
            written()
        return {"custom_id": item["custom_id"], "result": {"type": "succeeded",
                                                           "message": message}}


def _cached_prefix(body: dict[str, Any]) -> str:
    # The cached prefix: system, then message blocks up to the last cache_control mark.
    parts = texts_of(body.get("system", ""))
    cached: list[str] = []
    system = body.get("system")
    if isinstance(system, list) and any(b.get("cache_control") for b in system):
        cached = list(parts)
    for message in body.get("messages", []):
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            parts.append(block.get("text", ""))
            if block.get("cache_control"):
                cached = list(parts)
    return "\n".join(cached)
