"""The OpenAI and Ollama dialects of :class:`~docsense.testing.fake_llm.FakeLLMServer`.

OpenAI rules, and where each comes from:

- Paths (under the SDK's base URL ``.../v1``): ``POST /v1/chat/completions``, ``POST
  /v1/files``, ``GET /v1/files/{id}/content``, ``POST /v1/batches``, ``GET /v1/batches/{id}``
  (openai SDK ``resources/chat/completions``, ``resources/files.py``,
  ``resources/batches.py``); anything else is a 404.
- Auth: ``Authorization: Bearer <key>`` (SDK ``lib/_client_auth.py``
  ``_set_request_api_key``); none or a wrong one is a 401 ``invalid_request_error`` /
  ``invalid_api_key``.
- Strict structured output (``response_format`` ``json_schema`` with ``strict: true``;
  Structured Outputs guide, also restated by openrouter.ai/docs/structured-outputs): the
  schema ``name`` matches ``^[a-zA-Z0-9_-]{1,64}$``, the root is an object, every object
  sets ``additionalProperties: false`` and lists **every** property in ``required``.
  Violations are a 400 ``invalid_request_error`` with ``param`` pointing at the schema.
- Reasoning models (gpt-5 and later, o-series) reject ``max_tokens`` ("Use
  'max_completion_tokens' instead", code ``unsupported_parameter``) and a non-default
  ``temperature`` (code ``unsupported_value``).
- Errors: ``{"error": {"message", "type", "param", "code"}}``. 429 rate limits carry
  ``retry-after-ms`` (the SDK reads it first, ``_base_client.py``
  ``_parse_retry_after_header``) and ``x-ratelimit-*`` headers, code
  ``rate_limit_exceeded``; a spent quota is a 429 with type and code
  ``insufficient_quota``, which waiting does not clear.
- Refusals: ``message.refusal`` holds the model's refusal with ``content`` null; the safety
  filter ends with ``finish_reason: "content_filter"`` (SDK ``types/chat/chat_completion.py``
  and ``chat_completion_message.py``).
- Usage (SDK ``types/completion_usage.py``): ``prompt_tokens`` includes
  ``prompt_tokens_details.cached_tokens`` (reads) and ``cache_write_tokens`` (writes);
  ``completion_tokens`` includes ``completion_tokens_details.reasoning_tokens``.

Ollama (``dialect="ollama"``) serves the same path but, as its OpenAI-compatibility layer
does (ollama ``openai/openai.go`` ``FromChatRequest``; docs.ollama.com
api/openai-compatibility):

- it needs no key (the SDK requires one value; Ollama ignores it);
- it maps ``max_tokens`` to ``num_predict`` and ignores ``max_completion_tokens`` (not a
  supported field);
- ``response_format`` ``json_schema`` becomes the constrained ``format`` (older versions,
  ``json_schema=False``, ignore it and answer in free text) and ``json_object`` becomes
  JSON mode; ``refuses_json_schema=True`` plays llama-cpp-python's ``llama_cpp.server``
  instead, whose request model takes ``text`` and ``json_object`` only and which answers
  a ``json_schema`` request with HTTP 500 and the validation error (seen with
  llama-cpp-python 0.3.36);
- each text part of a message becomes its own message, and a prompt longer than the
  context window (``num_ctx``: 4096 tokens by default below 24 GiB of VRAM, docs
  context-length; not settable through this endpoint) is **silently truncated**: the
  oldest messages are dropped and the model answers what is left (the request is
  recorded with a ``truncated prompt`` note);
- usage has ``prompt_tokens``, ``completion_tokens`` and ``total_tokens`` only; an unknown
  model is a 404 ``model "x" not found, try pulling it first``.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import time
import uuid
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

__all__ = ["OllamaRules", "OpenAIRules"]

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_REASONING = re.compile(r"^(gpt-[5-9]|gpt-\d\d|o\d)")
_BATCH = re.compile(r"^/v1/batches/([A-Za-z0-9_]+)$")
_FILE = re.compile(r"^/v1/files/([A-Za-z0-9_-]+)/content$")


def _error(message: str, kind: str = "invalid_request_error", *, param: str | None = None,
           code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _reject(status: int, message: str, *, param: str | None = None,
            code: str | None = None) -> Rejected:
    return Rejected(status, message, _error(message, param=param, code=code))


class OpenAIRules:
    """Chat Completions, Files and Batch, as the real API checks and answers them."""

    keyless = False

    def parse_call(self, body: dict[str, Any]) -> FakeCall:
        """System text and user texts of a Chat Completions request."""
        msgs = body.get("messages", [])
        system = "\n".join(
            t for m in msgs if m.get("role") in ("system", "developer")
            for t in texts_of(m.get("content"))
        )
        user = [
            t for m in msgs if m.get("role") not in ("system", "developer")
            for t in texts_of(m.get("content"))
        ]
        return FakeCall(system, tuple(user))

    def error(self, status: int, message: str, reply: Reply | None = None) -> Response:
        """Return an OpenAI error answer (429 rate limit with ``retry-after-ms``, spent quota)."""
        if status == 429 and reply is not None and reply.quota:
            return Response(429, _error(
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota", code="insufficient_quota",
            ))
        if status == 429:
            after = 0.01 if reply is None or reply.retry_after is None else reply.retry_after
            headers = {
                "retry-after-ms": f"{after * 1000:g}",
                "x-ratelimit-limit-requests": "500",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": f"{after:g}s",
            }
            return Response(429, _error(
                f"Rate limit reached for requests. Please try again in {after * 1000:g}ms.",
                "requests", code="rate_limit_exceeded",
            ), headers)
        kind = "server_error" if status >= 500 else "invalid_request_error"
        return Response(status, _error(message, kind))

    def route(self, server: FakeLLMServer, request: IncomingRequest) -> Response:
        """Check the key and route to chat completions, files or batches."""
        if not self.keyless:
            auth = request.headers.get("authorization", "")
            if not auth.startswith("Bearer ") or not auth[7:].strip():
                raise Rejected(401, "missing API key", _error(
                    "You didn't provide an API key. You need to provide your API key in an "
                    "Authorization header using Bearer auth."))
            if not server.check_key(auth[7:].strip()):
                raise Rejected(401, "wrong API key", _error(
                    "Incorrect API key provided.", code="invalid_api_key"))
        if request.method == "POST" and request.path == "/v1/chat/completions":
            return self._chat(server, request.json())
        if request.method == "GET" and request.path == "/v1/models":
            names = sorted(server.models or {"llama3.2" if self.keyless else "gpt-6.1-terra"})
            return Response(200, {"object": "list", "data": [
                {"id": n, "object": "model", "created": 0, "owned_by": "library"}
                for n in names
            ]})
        if not self.keyless:
            if request.method == "POST" and request.path == "/v1/files":
                return self._upload(server, request)
            if request.method == "POST" and request.path == "/v1/batches":
                return self._create_batch(server, request.json())
            if request.method == "GET" and (m := _BATCH.match(request.path)):
                return self._batch(server, m.group(1))
            if request.method == "GET" and (m := _FILE.match(request.path)):
                return self._file(server, m.group(1))
        raise _reject(404, f"Invalid URL ({request.method} {request.path})")

    # --- chat completions ---------------------------------------------------------------------

    def check(self, server: FakeLLMServer, body: dict[str, Any]) -> None:
        """Raise :class:`Rejected` for a Chat Completions body the API would refuse."""
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise _reject(400, "you must provide a model parameter", param="model")
        if server.models is not None and model not in server.models:
            raise _reject(404, f"The model `{model}` does not exist or you do not have access "
                               "to it.", code="model_not_found")
        if not body.get("messages"):
            raise _reject(400, "messages: at least one message is required", param="messages")
        if _REASONING.match(model):
            if "max_tokens" in body:
                raise _reject(400, "Unsupported parameter: 'max_tokens' is not supported with "
                                   "this model. Use 'max_completion_tokens' instead.",
                              param="max_tokens", code="unsupported_parameter")
            if body.get("temperature", 1) != 1:
                raise _reject(400, "Unsupported value: 'temperature' does not support "
                                   f"{body['temperature']} with this model. Only the default "
                                   "(1) value is supported.",
                              param="temperature", code="unsupported_value")
        self._check_format(body.get("response_format"))

    @staticmethod
    def _check_format(fmt: Any) -> None:
        if fmt is None or fmt.get("type") != "json_schema":
            return
        spec = fmt.get("json_schema") or {}
        if not isinstance(spec.get("name"), str) or not _NAME.match(spec["name"]):
            raise _reject(400, "Invalid 'response_format.json_schema.name': must match "
                               "^[a-zA-Z0-9_-]{1,64}$", param="response_format.json_schema.name")
        schema = spec.get("schema")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise _reject(400, "Invalid schema for response_format: the root must be an object",
                          param="response_format")
        if not spec.get("strict"):
            return
        name = spec["name"]
        for path, sub in iter_objects(schema, "(root)"):
            if sub.get("type") != "object":
                continue
            if sub.get("additionalProperties") is not False:
                raise _reject(400, f"Invalid schema for response_format '{name}': In context="
                                   f"{path}, 'additionalProperties' is required to be supplied "
                                   "and to be false.", param="response_format")
            props = list((sub.get("properties") or {}).keys())
            missing = [p for p in props if p not in (sub.get("required") or [])]
            if missing:
                raise _reject(400, f"Invalid schema for response_format '{name}': In context="
                                   f"{path}, 'required' is required to be supplied and to be an "
                                   f"array including every key in properties. Missing "
                                   f"'{missing[0]}'.", param="response_format")

    def _chat(self, server: FakeLLMServer, body: dict[str, Any]) -> Response:
        self.check(server, body)
        reply = server.next_reply()
        scripted_fault(self, reply)
        return Response(200, self.completion(server, body, reply), dict(reply.headers),
                        delay=reply.delay)

    def completion(
        self, server: FakeLLMServer, body: dict[str, Any], reply: Reply
    ) -> dict[str, Any]:
        """Return the ChatCompletion answering ``body``: refusal, content filter, usage."""
        call = self.parse_call(body)
        thinking = server.thinking(reply)
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        finish = "stop"
        visible = 0
        if reply.refusal is not None:
            message["refusal"] = reply.refusal
            visible = tokens(reply.refusal)
        elif reply.blocked is not None:
            finish = "content_filter"
        else:
            text = server.answer_text(call, reply)
            message["content"] = text
            finish = "length" if reply.truncated else "stop"
            visible = tokens(text)
        prompt = tokens(call.text)
        cached = _cache(server, body, prompt)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "logprobs": None, "finish_reason": finish,
                         "message": message}],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": visible + thinking,
                "total_tokens": prompt + visible + thinking,
                "prompt_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": thinking},
            },
        }

    # --- files and batches --------------------------------------------------------------------

    def _upload(self, server: FakeLLMServer, request: IncomingRequest) -> Response:
        kind = request.headers.get("content-type", "")
        if not kind.startswith("multipart/form-data"):
            raise _reject(400, "files must be uploaded as multipart/form-data")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {kind}\r\n\r\n".encode() + request.raw
        )
        fields: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            fields[str(name)] = payload if isinstance(payload, bytes) else b""
        if fields.get("purpose", b"").decode() != "batch" or "file" not in fields:
            raise _reject(400, "purpose must be 'batch' and a file is required", param="purpose")
        lines = [ln for ln in fields["file"].decode().splitlines() if ln.strip()]
        ids: set[str] = set()
        for n, line in enumerate(lines, 1):
            item = json.loads(line)
            if item.get("method") != "POST" or item.get("url") != "/v1/chat/completions":
                raise _reject(400, f"line {n}: method must be POST and url /v1/chat/completions")
            if item.get("custom_id") in ids or not item.get("custom_id"):
                raise _reject(400, f"line {n}: custom_id must be unique and non-empty")
            ids.add(item["custom_id"])
            self.check(server, item.get("body") or {})
        file_id = f"file-{uuid.uuid4().hex[:24]}"
        server.state.setdefault("openai_files", {})[file_id] = fields["file"]
        return Response(200, {"id": file_id, "object": "file", "bytes": len(fields["file"]),
                              "created_at": int(time.time()), "filename": "batch.jsonl",
                              "purpose": "batch", "status": "processed"})

    def _create_batch(self, server: FakeLLMServer, body: dict[str, Any]) -> Response:
        files = server.state.get("openai_files", {})
        if body.get("input_file_id") not in files:
            raise _reject(400, "input_file_id: no such file", param="input_file_id")
        if body.get("endpoint") != "/v1/chat/completions":
            raise _reject(400, "endpoint must be /v1/chat/completions here", param="endpoint")
        if body.get("completion_window") != "24h":
            raise _reject(400, "completion_window must be '24h'", param="completion_window")
        batch_id = f"batch_{uuid.uuid4().hex[:24]}"
        server.state.setdefault("openai_batches", {})[batch_id] = {
            "input": body["input_file_id"], "polls": 0, "output": None,
        }
        return Response(200, self._batch_object(server, batch_id))

    def _batch_object(self, server: FakeLLMServer, batch_id: str) -> dict[str, Any]:
        batch = server.state["openai_batches"][batch_id]
        lines = server.state["openai_files"][batch["input"]].decode().splitlines()
        total = len([ln for ln in lines if ln.strip()])
        done = batch["output"] is not None
        return {
            "id": batch_id, "object": "batch", "endpoint": "/v1/chat/completions",
            "completion_window": "24h", "created_at": int(time.time()),
            "input_file_id": batch["input"],
            "status": "completed" if done else "in_progress",
            "output_file_id": batch["output"], "error_file_id": None,
            "request_counts": {"total": total, "completed": total if done else 0, "failed": 0},
        }

    def _batch(self, server: FakeLLMServer, batch_id: str) -> Response:
        batch, ends = server.poll_batch("openai_batches", batch_id)
        if batch is None:
            raise _reject(404, f"No batch found with id '{batch_id}'.")
        if batch["output"] is None and ends:
            out = []
            for line in server.state["openai_files"][batch["input"]].decode().splitlines():
                if not line.strip():
                    continue
                item = json.loads(line)
                reply = server.next_reply()
                if reply.status != 200:
                    error = self.error(reply.status, f"scripted error {reply.status}", reply)
                    response = {"status_code": reply.status, "request_id": "req_fake",
                                "body": error.body}
                else:
                    response = {"status_code": 200, "request_id": "req_fake",
                                "body": self.completion(server, item["body"], reply)}
                out.append(json.dumps({"id": f"batch_req_{uuid.uuid4().hex[:12]}",
                                       "custom_id": item["custom_id"], "response": response,
                                       "error": None}))
            file_id = f"file-{uuid.uuid4().hex[:24]}"
            server.state["openai_files"][file_id] = ("\n".join(out) + "\n").encode()
            batch["output"] = file_id
        return Response(200, self._batch_object(server, batch_id))

    def _file(self, server: FakeLLMServer, file_id: str) -> Response:
        files = server.state.get("openai_files", {})
        if file_id not in files:
            raise _reject(404, f"No such File object: {file_id}")
        return Response(200, files[file_id], content_type="application/octet-stream")


def _cache(server: FakeLLMServer, body: dict[str, Any], prompt: int) -> int:
    # Automatic prompt caching on exact prefixes of 1024 tokens or more (prompt-caching guide):
    # the system message and the first user part repeat across a review's calls.
    msgs = body.get("messages", [])
    prefix = "\n".join(t for m in msgs[:2] for t in texts_of(m.get("content"))[:1])
    if tokens(prefix) < 1024:
        return 0
    with server.lock:
        seen = server.state.setdefault("openai_cache", set())
        hit = prefix in seen
        seen.add(prefix)
    return min(prompt, tokens(prefix)) if hit else 0


class OllamaRules(OpenAIRules):
    """Ollama's OpenAI-compatible ``/v1/chat/completions`` (see the module doc)."""

    keyless = True

    def check(self, server: FakeLLMServer, body: dict[str, Any]) -> None:
        """Ollama checks little: a model it has pulled and some messages."""
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise _reject(400, "model is required")
        if server.models is not None and model not in server.models:
            raise Rejected(404, f"unknown model {model}", {"error": {
                "message": f'model "{model}" not found, try pulling it first',
                "type": "api_error", "param": None, "code": None}})
        if not body.get("messages"):
            raise _reject(400, "messages is required")
        fmt = body.get("response_format") or {}
        if server.refuses_json_schema and fmt.get("type") == "json_schema":
            # llama-cpp-python's server: its request model allows 'text' and 'json_object'
            # only, and its error handler answers the validation error as a 500
            raise Rejected(500, "response_format type json_schema", {"error": {
                "message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
                           "'response_format', 'type'), 'msg': \"Input should be 'text' or "
                           "'json_object'\", 'input': 'json_schema'}",
                "type": "internal_server_error", "param": None, "code": None}})

    def completion(
        self, server: FakeLLMServer, body: dict[str, Any], reply: Reply
    ) -> dict[str, Any]:
        """Answer like Ollama: truncate what does not fit, honour only ``max_tokens``."""
        messages: list[tuple[str, str]] = []
        for m in body.get("messages", []):
            messages.extend((m.get("role", "user"), t) for t in texts_of(m.get("content")))
        window = server.context_length
        kept = list(messages)
        while len(kept) > 1 and sum(tokens(t) for _, t in kept) > window:
            index = 1 if kept[0][0] == "system" and len(kept) > 2 else 0
            kept.pop(index)  # Ollama drops the oldest messages, keeping the system prompt
        if len(kept) < len(messages):
            server.current().notes.append("truncated prompt")
        call = FakeCall(
            "\n".join(t for r, t in kept if r == "system"),
            tuple(t for r, t in kept if r != "system"),
        )
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema" and not server.json_schema:
            text = "Here is my review: " + server.answer_text(call, reply)  # format ignored
        else:
            text = server.answer_text(call, reply)
        limit = body.get("max_tokens")  # max_completion_tokens is not read
        finish = "stop"
        if reply.truncated or (isinstance(limit, int) and tokens(text) > limit):
            text = text[: max(0, (limit or 0) * 4)] if isinstance(limit, int) else text
            finish = "length"
        prompt = sum(tokens(t) for _, t in kept)
        out = tokens(text)
        return {
            "id": f"chatcmpl-{uuid.uuid4().int % 1000}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "system_fingerprint": "fp_ollama",
            "choices": [{"index": 0, "finish_reason": finish,
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": out,
                      "total_tokens": prompt + out},
        }
