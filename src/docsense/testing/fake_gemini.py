"""The Gemini API dialect (``google``) of :class:`~docsense.testing.fake_llm.FakeLLMServer`.

Rules it enforces, and where each comes from:

- Paths: ``POST /{v1,v1beta}/models/{model}:generateContent`` (google-genai SDK
  ``models.py``, path ``{model}:generateContent`` under the client's ``api_version``),
  ``POST .../models/{model}:batchGenerateContent`` and ``GET .../batches/{name}``
  (``batches.py``); anything else is a 404 ``NOT_FOUND``.
- Auth: the ``x-goog-api-key`` header (SDK ``_api_client.py`` sets it from ``api_key``) or
  a ``key`` query parameter; none is a 403 ``PERMISSION_DENIED``, a wrong one a 400
  ``INVALID_ARGUMENT`` "API key not valid".
- ``generationConfig.responseSchema`` is the OpenAPI-subset ``Schema`` proto of the Gemini
  API (fields: type, format, title, description, nullable, enum, items, minItems,
  maxItems, properties, required, minProperties, maxProperties, minLength, maxLength,
  pattern, example, anyOf, propertyOrdering, default, minimum, maximum; proto JSON accepts
  each in camelCase or snake_case). Anything else, ``additionalProperties`` above all (the
  SDK sends it as ``additional_properties`` for a pydantic model with ``extra="forbid"``),
  is a 400 ``INVALID_ARGUMENT`` ``Unknown name "additionalProperties" at
  'generation_config.response_schema...': Cannot find field.`` (reported verbatim in
  prism-php/prism#974).
  ``responseJsonSchema`` takes JSON Schema (``additionalProperties`` included; SDK
  ``types.py`` ``GenerateContentConfig.response_json_schema``); the two are mutually
  exclusive, and either needs ``responseMimeType: application/json``.
- ``temperature`` below 1.0 on a Gemini 3 model is accepted but Google advises against it
  ("may lead to unexpected behavior, looping, or degraded performance", Gemini 3
  prompting guide): the request is recorded with a note.
- Errors: ``{"error": {"code", "message", "status", "details"}}``. A rate limit is a 429
  ``RESOURCE_EXHAUSTED`` whose details carry ``google.rpc.QuotaFailure`` (the quota id) and
  ``google.rpc.RetryInfo`` (``retryDelay`` like ``"7s"``), with no ``Retry-After`` header; a
  per-day quota names ``GenerateRequestsPerDayPerProjectPerModel`` (bodies as quoted in
  google-gemini/gemini-cli#8437 and langgenius/dify#19838).
- Safety: a blocked prompt has ``promptFeedback.blockReason`` and no candidates; a blocked
  answer has ``finishReason: SAFETY`` and no content (SDK ``types.py`` ``BlockedReason``,
  ``FinishReason``).
- Usage (SDK ``types.py`` ``GenerateContentResponseUsageMetadata``): ``promptTokenCount``
  includes ``cachedContentTokenCount``; ``candidatesTokenCount`` excludes the
  ``thoughtsTokenCount`` that is billed as output.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from docsense.testing.fake_llm import (
    FakeCall,
    FakeLLMServer,
    IncomingRequest,
    Rejected,
    Reply,
    Response,
    scripted_fault,
    texts_of,
    tokens,
)

__all__ = ["GeminiRules"]

_GENERATE = re.compile(r"^/(v1|v1beta)/models/([^/:]+):(generateContent|batchGenerateContent)$")
_BATCH = re.compile(r"^/(v1|v1beta)/batches/([A-Za-z0-9_-]+)$")
_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
           429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


_SCHEMA_FIELDS = frozenset({
    "type", "format", "title", "description", "nullable", "enum", "items", "minItems",
    "maxItems", "properties", "required", "minProperties", "maxProperties", "minLength",
    "maxLength", "pattern", "example", "anyOf", "propertyOrdering", "default", "minimum",
    "maximum",
})


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _schema_nodes(schema: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    # Schema nodes of the proto: properties' values, items and anyOf members (either case).
    if not isinstance(schema, dict):
        return []
    out = [(path, schema)]
    for name, sub in (schema.get("properties") or {}).items():
        out.extend(_schema_nodes(sub, f"{path}.properties[{name}].value"))
    if isinstance(schema.get("items"), dict):
        out.extend(_schema_nodes(schema["items"], f"{path}.items"))
    for n, sub in enumerate(schema.get("anyOf") or schema.get("any_of") or []):
        out.extend(_schema_nodes(sub, f"{path}.any_of[{n}]"))
    return out


def _error_body(status: int, message: str, details: list[dict[str, Any]] | None = None
                ) -> dict[str, Any]:
    error: dict[str, Any] = {"code": status, "message": message,
                             "status": _STATUS.get(status, "UNKNOWN")}
    if details:
        error["details"] = details
    return {"error": error}


def _reject(status: int, message: str) -> Rejected:
    return Rejected(status, message, _error_body(status, message))


class GeminiRules:
    """generateContent and batch mode, as the Gemini API checks and answers them."""

    def parse_call(self, body: dict[str, Any]) -> FakeCall:
        """System instruction and user texts of a generateContent request."""
        system = "\n".join(texts_of(body.get("systemInstruction", body.get("system_instruction",
                                                                            {}))))
        user = [t for c in body.get("contents", []) for t in texts_of(c)]
        return FakeCall(system, tuple(user))

    def error(self, status: int, message: str, reply: Reply | None = None) -> Response:
        """Return a Gemini error (429 with QuotaFailure and RetryInfo; a per-day quota)."""
        if status == 429:
            after = 0.01 if reply is None or reply.retry_after is None else reply.retry_after
            quota = ("GenerateRequestsPerDayPerProjectPerModel" if reply is not None and reply.quota
                     else "GenerateRequestsPerMinutePerProjectPerModel")
            details: list[dict[str, Any]] = [{
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [{
                    "quotaMetric": "generativelanguage.googleapis.com/generate_requests_per_model"
                    + ("_per_day" if reply is not None and reply.quota else ""),
                    "quotaId": quota,
                    "quotaDimensions": {"location": "global", "model": "fake"},
                }],
            }]
            if not (reply is not None and reply.quota):
                details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                "retryDelay": f"{after:g}s"})
            return Response(429, _error_body(
                429, "You exceeded your current quota, please check your plan and billing "
                     "details. For more information on this error, head to: "
                     "https://ai.google.dev/gemini-api/docs/rate-limits.", details))
        return Response(status, _error_body(status, message))

    def route(self, server: FakeLLMServer, request: IncomingRequest) -> Response:
        """Check the key and route to generateContent or batches."""
        key = request.headers.get("x-goog-api-key") or (request.query.get("key") or [""])[0]
        if not key:
            raise _reject(403, "Method doesn't allow unregistered callers (callers without "
                               "established identity). Please use API Key or other form of "
                               "API consumer identity to call this API.")
        if not server.check_key(key):
            raise _reject(400, "API key not valid. Please pass a valid API key.")
        match = _GENERATE.match(request.path)
        if request.method == "POST" and match:
            model = match.group(2)
            if server.models is not None and model not in server.models:
                raise _reject(404, f"models/{model} is not found for API version "
                                   f"{match.group(1)}, or is not supported for generateContent.")
            if match.group(3) == "generateContent":
                return self._generate(server, model, request.json())
            return self._create_batch(server, model, request.json())
        match = _BATCH.match(request.path)
        if request.method == "GET" and match:
            return self._batch(server, match.group(2))
        raise _reject(404, f"Not found: {request.path}")

    # --- generateContent --------------------------------------------------------------------

    def check(self, server: FakeLLMServer, model: str, body: dict[str, Any]) -> None:
        """Raise :class:`Rejected` for a request body the API would refuse."""
        if not body.get("contents"):
            raise _reject(400, "* GenerateContentRequest.contents: contents is not specified")
        config = body.get("generationConfig") or {}
        schema = config.get("responseSchema")
        json_schema = config.get("responseJsonSchema")
        if schema is not None and json_schema is not None:
            raise _reject(400, "responseSchema and responseJsonSchema cannot both be set")
        if (schema is not None or json_schema is not None) and config.get(
            "responseMimeType"
        ) != "application/json":
            raise _reject(400, "a response schema needs responseMimeType 'application/json'")
        if schema is not None:
            for path, sub in _schema_nodes(schema, "generation_config.response_schema"):
                for key in sub:
                    if _camel(key) not in _SCHEMA_FIELDS:
                        raise _reject(400, f'Invalid JSON payload received. Unknown name "{key}" '
                                           f"at '{path}': Cannot find field.")
        temperature = config.get("temperature")
        if temperature is not None and temperature < 1.0 and model.startswith("gemini-3"):
            server.current().notes.append(
                f"temperature {temperature} on {model}: Google advises keeping 1.0"
            )

    def _generate(self, server: FakeLLMServer, model: str, body: dict[str, Any]) -> Response:
        self.check(server, model, body)
        reply = server.next_reply()
        scripted_fault(self, reply)
        return Response(200, self.answer(server, model, body, reply), dict(reply.headers),
                        delay=reply.delay)

    def answer(self, server: FakeLLMServer, model: str, body: dict[str, Any], reply: Reply
               ) -> dict[str, Any]:
        """Return the GenerateContentResponse for ``body``: blocks, safety, thoughts, usage."""
        call = self.parse_call(body)
        prompt = tokens(call.text)
        thinking = server.thinking(reply)
        out: dict[str, Any] = {"modelVersion": model, "responseId": uuid.uuid4().hex[:16]}
        if reply.refusal is not None:  # Gemini blocks the prompt itself
            out["promptFeedback"] = {"blockReason": "PROHIBITED_CONTENT",
                                     "blockReasonMessage": reply.refusal}
            out["usageMetadata"] = {"promptTokenCount": prompt, "totalTokenCount": prompt}
            return out
        if reply.blocked is not None:
            out["candidates"] = [{
                "finishReason": "SAFETY", "index": 0,
                "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                                   "probability": "HIGH", "blocked": True}],
                "finishMessage": reply.blocked,
            }]
            visible = 0
        else:
            text = server.answer_text(call, reply)
            visible = tokens(text)
            out["candidates"] = [{
                "content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": "MAX_TOKENS" if reply.truncated else "STOP",
                "index": 0,
            }]
        out["usageMetadata"] = {
            "promptTokenCount": prompt,
            "candidatesTokenCount": visible,
            "thoughtsTokenCount": thinking,
            "totalTokenCount": prompt + visible + thinking,
        }
        return out

    # --- batch mode -------------------------------------------------------------------------

    def _create_batch(self, server: FakeLLMServer, model: str, body: dict[str, Any]) -> Response:
        batch = body.get("batch") or {}
        requests = (((batch.get("inputConfig") or {}).get("requests") or {}).get("requests")
                    or [])
        if not requests:
            raise _reject(400, "batch.input_config.requests: at least one request is required")
        for item in requests:
            self.check(server, model, item.get("request") or {})
        name = f"batches/{uuid.uuid4().hex[:16]}"
        server.state.setdefault("gemini_batches", {})[name] = {
            "model": model, "requests": requests, "polls": 0, "responses": None,
            "display": batch.get("displayName", ""),
        }
        return Response(200, self._operation(server, name))

    def _operation(self, server: FakeLLMServer, name: str) -> dict[str, Any]:
        batch = server.state["gemini_batches"][name]
        done = batch["responses"] is not None
        metadata: dict[str, Any] = {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
            "name": name,
            "displayName": batch["display"],
            "model": f"models/{batch['model']}",
            "state": "BATCH_STATE_SUCCEEDED" if done else "BATCH_STATE_RUNNING",
            "createTime": "2026-12-01T00:00:00Z",
        }
        op: dict[str, Any] = {"name": name, "metadata": metadata, "done": done}
        if done:
            inlined = {"inlinedResponses": batch["responses"]}
            metadata["output"] = {"inlinedResponses": inlined}
            op["response"] = {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1main."
                "GenerateContentBatchOutput",
                "inlinedResponses": inlined,
            }
        return op

    def _batch(self, server: FakeLLMServer, batch_id: str) -> Response:
        name = f"batches/{batch_id}"
        batch, ends = server.poll_batch("gemini_batches", name)
        if batch is None:
            raise _reject(404, f"Batch {name} not found")
        if batch["responses"] is None and ends:
            responses = []
            for item in batch["requests"]:
                reply = server.next_reply()
                entry: dict[str, Any] = {"metadata": item.get("metadata") or {}}
                if reply.status != 200:
                    entry["error"] = self.error(reply.status, "scripted", reply).body["error"]
                else:
                    entry["response"] = self.answer(server, batch["model"],
                                                    item.get("request") or {}, reply)
                responses.append(entry)
            batch["responses"] = responses
        return Response(200, self._operation(server, name))
