"""Fake LLM provider servers on 127.0.0.1 for offline tests of the LLM reviewers.

:class:`FakeLLMServer` speaks one provider's JSON wire format well enough for its official
SDK: ``anthropic`` (``POST /v1/messages``), ``openai`` (``POST /v1/chat/completions``) and
``google`` (``POST /v1beta/models/<model>:generateContent``). Point the SDK at
:attr:`FakeLLMServer.base_url`. Every request is recorded (:attr:`FakeLLMServer.requests`).

Answers come from a queue of scripted :class:`Reply` objects (faults: status codes with
``Retry-After``, delays, malformed or schema-invalid output, output stopped at the token
limit), then from a *responder*: a function from the :class:`FakeCall` (the prompt the SDK
sent) to the model's output text. :func:`quoting_responder` reports a grounded finding and
an ungrounded one per call; :func:`silent_responder` reports nothing.

>>> with FakeLLMServer("openai") as server:
...     server.base_url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import attrs

__all__ = [
    "Dialect",
    "FakeCall",
    "FakeLLMServer",
    "RecordedRequest",
    "Reply",
    "Responder",
    "quoting_responder",
    "silent_responder",
]

Dialect = Literal["anthropic", "openai", "google"]

_SECTION = re.compile(r'<section id="([^"]*)" heading="[^"]*">\n(.*?)\n</section>', re.DOTALL)
_POLICY_IDS = re.compile(r"policy ids only: ([^\n]+?)\.\s*$", re.MULTILINE)


@attrs.frozen
class FakeCall:
    """The prompt of one request: system text, user texts in order, the policy ids asked."""

    system: str
    user: tuple[str, ...]

    @property
    def text(self) -> str:
        """Every prompt text, joined."""
        return "\n".join((self.system, *self.user))

    @property
    def policy_ids(self) -> list[str]:
        """The policy ids the task asks about (parsed from docsense's task text)."""
        found = _POLICY_IDS.findall(self.text)
        return [p.strip() for p in found[-1].split(",")] if found else []

    @property
    def sections(self) -> list[tuple[str, str]]:
        """``(section id, text)`` of every ``<section>`` in the data block."""
        return _SECTION.findall(self.text)


Responder = Callable[[FakeCall], str]


def silent_responder(call: FakeCall) -> str:
    """Report no finding, and every asked policy as assessed."""
    return json.dumps({"findings": [], "assessed_policy_ids": call.policy_ids})


def quoting_responder(call: FakeCall) -> str:
    """Report two findings per call for the first policy asked.

    One quotes the first sentence of the first non-empty section (it grounds); the other's
    quote is not in the document (the pipeline drops it).
    """
    findings: list[dict[str, Any]] = []
    ids = call.policy_ids
    body = next(((sid, text) for sid, text in call.sections if text.strip()), None)
    if ids and body is not None:
        sid, text = body
        line = next(ln for ln in text.splitlines() if ln.strip()).strip()
        quote = re.split(r"(?<=[.;:])\s", line)[0][:120].strip()
        for q, s in ((quote, sid), ("this sentence is nowhere in the document 7319", sid)):
            findings.append(
                {
                    "policy_id": ids[0],
                    "section_id": s,
                    "quote": q,
                    "title": "Fake finding",
                    "description": "Reported by the fake model.",
                    "category": "undefined_parameter",
                    "severity": "medium",
                    "suggested_fix": "State the value.",
                    "replacement": "",
                    "confidence": 0.7,
                }
            )
    return json.dumps({"findings": findings, "assessed_policy_ids": ids})


@attrs.frozen(kw_only=True)
class Reply:
    """A scripted answer.

    ``text`` is the model output (200 only); ``raw`` replaces the whole body; ``truncated``
    reports the output token limit as the stop reason; ``delay`` is added latency (seconds).
    """

    status: int = 200
    text: str | None = None
    raw: bytes | None = None
    headers: dict[str, str] = attrs.field(factory=dict)
    delay: float = 0.0
    truncated: bool = False


@attrs.frozen
class RecordedRequest:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    call: FakeCall


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [value["text"]] if isinstance(value.get("text"), str) else _texts(value.get("parts"))
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def _parse_call(dialect: Dialect, body: dict[str, Any]) -> FakeCall:
    if dialect == "anthropic":
        system = "\n".join(_texts(body.get("system", "")))
        user = [t for m in body.get("messages", []) for t in _texts(m.get("content"))]
    elif dialect == "openai":
        msgs = body.get("messages", [])
        system = "\n".join(
            t for m in msgs if m.get("role") == "system" for t in _texts(m["content"])
        )
        user = [t for m in msgs if m.get("role") != "system" for t in _texts(m.get("content"))]
    else:
        system = "\n".join(_texts(body.get("systemInstruction", {})))
        user = [t for c in body.get("contents", []) for t in _texts(c)]
    return FakeCall(system, tuple(user))


def _tokens(text: str) -> int:
    return (len(text) + 3) // 4


class FakeLLMServer:
    """A threaded HTTP server on 127.0.0.1 (random port) speaking one provider's API."""

    def __init__(
        self,
        dialect: Dialect,
        responder: Responder = quoting_responder,
        *,
        latency: float = 0.0,
    ) -> None:
        self.dialect: Dialect = dialect
        self.responder = responder
        self.latency = latency
        self.requests: list[RecordedRequest] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._cached: set[str] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """The URL to give the SDK (``.../v1`` for OpenAI, the root for the others)."""
        host, port = self._server.server_address[:2]
        root = f"http://{host!s}:{port}"
        return f"{root}/v1" if self.dialect == "openai" else root

    def script(self, *replies: Reply) -> None:
        """Queue replies; each request takes the next one before falling back to the responder."""
        with self._lock:
            self._script.extend(replies)

    def start(self) -> FakeLLMServer:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- answering ------------------------------------------------------------------------

    def _answer(
        self, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], bytes, float]:
        body = json.loads(raw or b"{}")
        call = _parse_call(self.dialect, body)
        with self._lock:
            self.requests.append(RecordedRequest(path, headers, body, call))
            reply = self._script.popleft() if self._script else Reply()
        delay = self.latency + reply.delay
        if reply.raw is not None:
            return reply.status, reply.headers, reply.raw, delay
        if reply.status != 200:
            return reply.status, reply.headers, self._error(reply.status), delay
        text = reply.text if reply.text is not None else self.responder(call)
        out = self._success(body, call, text, reply.truncated)
        return 200, reply.headers, json.dumps(out).encode(), delay

    def _error(self, status: int) -> bytes:
        message = f"fake {self.dialect} error {status}"
        if self.dialect == "anthropic":
            kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")
            return json.dumps(
                {"type": "error", "error": {"type": kind, "message": message}}
            ).encode()
        if self.dialect == "openai":
            return json.dumps(
                {"error": {"message": message, "type": "server_error", "param": None, "code": None}}
            ).encode()
        state = {429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}.get(status, "INTERNAL")
        return json.dumps({"error": {"code": status, "message": message, "status": state}}).encode()

    def _success(
        self, body: dict[str, Any], call: FakeCall, text: str, truncated: bool
    ) -> dict[str, Any]:
        tokens_out = _tokens(text)
        if self.dialect == "anthropic":
            prefix = self._anthropic_prefix(body)
            read = write = 0
            if prefix:
                with self._lock:
                    hit = prefix in self._cached
                    self._cached.add(prefix)
                read, write = (_tokens(prefix), 0) if hit else (0, _tokens(prefix))
            return {
                "id": "msg_fake",
                "type": "message",
                "role": "assistant",
                "model": body.get("model", "fake"),
                "content": [{"type": "text", "text": text}],
                "stop_reason": "max_tokens" if truncated else "end_turn",
                "stop_sequence": None,
                "usage": {
                    "input_tokens": max(0, _tokens(call.text) - read - write),
                    "output_tokens": tokens_out,
                    "cache_read_input_tokens": read,
                    "cache_creation_input_tokens": write,
                },
            }
        if self.dialect == "openai":
            tokens_in = _tokens(call.text)
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "logprobs": None,
                        "finish_reason": "length" if truncated else "stop",
                        "message": {"role": "assistant", "content": text, "refusal": None},
                    }
                ],
                "usage": {
                    "prompt_tokens": tokens_in,
                    "completion_tokens": tokens_out,
                    "total_tokens": tokens_in + tokens_out,
                    "prompt_tokens_details": {"cached_tokens": 0},
                },
            }
        tokens_in = _tokens(call.text)
        return {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": text}]},
                    "finishReason": "MAX_TOKENS" if truncated else "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": tokens_in,
                "candidatesTokenCount": tokens_out,
                "totalTokenCount": tokens_in + tokens_out,
            },
            "modelVersion": "fake",
        }

    @staticmethod
    def _anthropic_prefix(body: dict[str, Any]) -> str:
        # The cached prefix: system, then message blocks up to the last cache_control mark.
        parts = _texts(body.get("system", ""))
        cached: list[str] = []
        for message in body.get("messages", []):
            content = message.get("content")
            for block in content if isinstance(content, list) else []:
                parts.append(block.get("text", ""))
                if block.get("cache_control"):
                    cached = list(parts)
        return "\n".join(cached)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, payload, delay = server._answer(self.path, headers, raw)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for key, value in extra.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout test)
                    self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
