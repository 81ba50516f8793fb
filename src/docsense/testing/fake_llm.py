"""Fake LLM provider servers on 127.0.0.1 that behave like the real APIs, for offline tests.

:class:`FakeLLMServer` is a real HTTP server. The official SDKs talk to it unmodified (only
their base URL changes), and it **rejects what the real API rejects**, answering in the
provider's own error format, so a request that would fail in production fails in the
tests too. One *dialect* per API:

- ``"anthropic"`` -- the Messages API (``POST /v1/messages``) and Message Batches;
- ``"openai"`` -- Chat Completions (``POST /v1/chat/completions``), Files and Batch;
- ``"google"`` -- the Gemini API (``POST /v1beta/models/<model>:generateContent``, also
  under ``/v1``) and batch mode;
- ``"ollama"`` -- Ollama's OpenAI-compatible endpoint (``/v1/chat/completions``): no key,
  ``max_tokens`` honoured and ``max_completion_tokens`` ignored, a context window that
  silently drops the start of a prompt that does not fit, and (``json_schema=False``) the
  older versions that ignore ``response_format`` JSON schemas.

Each dialect's rules (paths, auth and version headers, structured-output schema rules,
error bodies, rate-limit shapes, refusal and safety shapes, token usage fields) are in its
module, :mod:`docsense.testing.fake_anthropic`, :mod:`~docsense.testing.fake_openai` and
:mod:`~docsense.testing.fake_gemini`, each citing the SDK source or provider document the
rule comes from. Every request is recorded (:attr:`FakeLLMServer.requests`), with the rule
it broke if it was rejected (:attr:`FakeLLMServer.rejections`).

Answers come from a queue of scripted :class:`Reply` objects (rate limits, spent quotas,
outages, refusals, safety blocks, delays, malformed or truncated output), then from a
*responder*: a function from the :class:`FakeCall` (the prompt the SDK sent) to the model's
output text. :func:`quoting_responder` reports a grounded finding and an ungrounded one per
call; :func:`silent_responder` reports nothing.

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
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs, urlsplit

import attrs

__all__ = [
    "Dialect",
    "FakeCall",
    "FakeLLMServer",
    "RecordedRequest",
    "Rejected",
    "Reply",
    "Responder",
    "Response",
    "quoting_responder",
    "silent_responder",
]

Dialect = Literal["anthropic", "openai", "google", "ollama"]

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
    """A scripted answer to the next generation request (batch polls take none).

    - ``status`` other than 200: an error in the provider's format. 429 is a rate limit
      (``retry_after`` seconds, sent the way the provider sends it: ``retry-after`` for
      Anthropic, ``retry-after-ms`` for OpenAI, ``RetryInfo.retryDelay`` in the body for
      Gemini); with ``quota=True`` it is a spent quota instead (OpenAI
      ``insufficient_quota``, a Gemini per-day quota, Anthropic's low credit balance).
    - ``refusal``: the model declines (Anthropic ``stop_reason: refusal``, OpenAI
      ``message.refusal``, Gemini ``promptFeedback.blockReason``), with that text or reason.
    - ``blocked``: the provider's safety filter withholds the answer (OpenAI ``finish_reason:
      content_filter``, Gemini ``finishReason: SAFETY``; Anthropic's classifiers also end in
      ``stop_reason: refusal``).
    - ``text`` replaces the responder's output; ``truncated`` ends it at the token limit;
      ``raw`` replaces the whole body; ``delay`` adds latency (seconds);
      ``thinking_tokens`` reports that much reasoning in the usage.
    """

    status: int = 200
    text: str | None = None
    raw: bytes | None = None
    headers: dict[str, str] = attrs.field(factory=dict)
    delay: float = 0.0
    truncated: bool = False
    retry_after: float | None = None
    quota: bool = False
    refusal: str | None = None
    blocked: str | None = None
    thinking_tokens: int | None = None


@attrs.define
class RecordedRequest:
    """One request as the server received it, with when it started and finished.

    ``finished`` is when its reply was ready to go out (after any latency), so a request the
    client sends on receiving that reply always starts later.

    ``status`` is what the server answered; ``rejected`` names the real-API rule the request
    broke (None when it was accepted or failed only by a scripted :class:`Reply`).
    """

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    call: FakeCall
    started: float
    finished: float | None = None
    status: int = 0
    rejected: str | None = None
    notes: list[str] = attrs.field(factory=list)


class Rejected(Exception):
    """A request broke a rule of the real API: answered with ``status`` and ``body``."""

    def __init__(self, status: int, rule: str, body: dict[str, Any]) -> None:
        super().__init__(rule)
        self.status = status
        self.rule = rule
        self.body = body


@attrs.frozen
class Response:
    """What a dialect answers: status, headers, JSON (or raw) body."""

    status: int
    body: Any
    headers: dict[str, str] = attrs.field(factory=dict)
    content_type: str = "application/json"
    delay: float = 0.0
    after: Callable[[], None] | None = attrs.field(default=None, eq=False)
    """Run once the answer has been sent (a cache entry becomes readable then)."""

    def payload(self) -> bytes:
        """Return the body as bytes."""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


class DialectRules(Protocol):
    """One provider API: how it routes, checks and answers requests (see the dialects)."""

    def route(self, server: FakeLLMServer, request: IncomingRequest) -> Response:
        """Answer ``request`` (raise :class:`Rejected` for a request the API rejects)."""
        ...

    def parse_call(self, body: dict[str, Any]) -> FakeCall:
        """Return the prompt carried by a generation request body."""
        ...

    def error(self, status: int, message: str, reply: Reply | None = None) -> Response:
        """Return an error answer in the provider's format (rate limits and quotas included)."""
        ...


@attrs.frozen
class IncomingRequest:
    """A request as the dialect sees it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes

    def json(self) -> dict[str, Any]:
        """Return the body as a JSON object ({} when empty)."""
        data = json.loads(self.raw or b"{}")
        return data if isinstance(data, dict) else {"_": data}


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [value["text"]] if isinstance(value.get("text"), str) else _texts(value.get("parts"))
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def tokens(text: str) -> int:
    """Count tokens like docsense's own estimate: ceil(characters / 4)."""
    return (len(text) + 3) // 4


class FakeLLMServer:
    """A threaded HTTP server on 127.0.0.1 speaking one provider's API.

    ``api_key`` (when set) is the only key accepted; ``thinking_tokens`` is reasoning to
    report in every answer's usage; ``models`` restricts the model names the server knows
    (unknown ones get the provider's 404). For the ``ollama`` dialect, ``context_length``
    is the server's context window (Ollama's default is 4096 tokens on small GPUs),
    ``json_schema=False`` imitates versions that ignore JSON-schema response formats and
    ``refuses_json_schema=True`` a server that refuses them (llama-cpp-python's, HTTP 500).
    ``port`` is the loopback port to listen on (0, the default: any free one).
    """

    def __init__(
        self,
        dialect: Dialect,
        responder: Responder = quoting_responder,
        *,
        latency: float = 0.0,
        api_key: str | None = None,
        thinking_tokens: int = 0,
        models: set[str] | None = None,
        context_length: int = 4096,
        json_schema: bool = True,
        refuses_json_schema: bool = False,
        batch_polls_before_done: int = 1,
        port: int = 0,
    ) -> None:
        self.dialect: Dialect = dialect
        self.responder = responder
        self.latency = latency
        self.api_key = api_key
        self.thinking_tokens = thinking_tokens
        self.models = models
        self.context_length = context_length
        self.json_schema = json_schema
        self.refuses_json_schema = refuses_json_schema
        self.batch_polls_before_done = batch_polls_before_done
        self.requests: list[RecordedRequest] = []
        self.lock = threading.Lock()
        self._script: deque[Reply] = deque()
        self._scripts_for: list[tuple[str, deque[Reply]]] = []
        self._rules = _rules_for(dialect)
        self.state: dict[str, Any] = {}  # a dialect's own state (cache, batches, files)
        self._local = threading.local()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """The URL to give the SDK (``.../v1`` for OpenAI and Ollama, the root otherwise)."""
        return f"{self.root_url}/v1" if self.dialect in ("openai", "ollama") else self.root_url

    @property
    def rejections(self) -> list[RecordedRequest]:
        """The requests the server rejected because they broke a rule of the real API."""
        return [r for r in self.requests if r.rejected is not None]

    @property
    def generations(self) -> list[RecordedRequest]:
        """The requests that asked the model for an answer (not batch or file calls)."""
        return [r for r in self.requests if r.call.user or r.call.system]

    def script(self, *replies: Reply) -> None:
        """Queue replies; each generation request takes the next one before the responder."""
        with self.lock:
            self._script.extend(replies)

    def script_for(self, marker: str, *replies: Reply) -> None:
        """Queue replies for the requests whose prompt contains ``marker`` only.

        They are taken before the general queue of :meth:`script`, so one server can play
        a different scenario for each document of a multi-document run.
        """
        with self.lock:
            self._scripts_for.append((marker, deque(replies)))

    def next_reply(self) -> Reply:
        """Take the next scripted reply for the current request.

        A default :class:`Reply` (the responder answers) when none is queued.
        """
        record: RecordedRequest | None = getattr(self._local, "record", None)
        text = record.call.text if record is not None else ""
        with self.lock:
            for marker, queue in self._scripts_for:
                if queue and marker in text:
                    return queue.popleft()
            return self._script.popleft() if self._script else Reply()

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

    def check_key(self, presented: str | None) -> bool:
        """Return True when ``presented`` is acceptable (any key unless ``api_key`` is set)."""
        if not presented:
            return False
        return self.api_key is None or presented == self.api_key

    def answer_text(self, call: FakeCall, reply: Reply) -> str:
        """Return the model's output for ``call``: the reply's text, else the responder's."""
        return reply.text if reply.text is not None else self.responder(call)

    def current(self) -> RecordedRequest:
        """Return the request being answered on this thread (a dialect adds notes to it)."""
        record: RecordedRequest = self._local.record
        return record

    def poll_batch(self, store: str, batch_id: str) -> tuple[dict[str, Any] | None, bool]:
        """Count one poll of batch ``batch_id`` (kept in ``state[store]``).

        Return the batch (None if unknown) and whether it ends now: on the poll after
        ``batch_polls_before_done`` polls.
        """
        batch: dict[str, Any] | None = self.state.get(store, {}).get(batch_id)
        if batch is None:
            return None, False
        batch["polls"] += 1
        return batch, batch["polls"] > self.batch_polls_before_done

    def thinking(self, reply: Reply) -> int:
        """Reasoning tokens to report for ``reply``."""
        return self.thinking_tokens if reply.thinking_tokens is None else reply.thinking_tokens

    # --- serving --------------------------------------------------------------------------

    def _serve(self, request: IncomingRequest) -> tuple[Response, float, RecordedRequest]:
        try:
            body = request.json()
        except ValueError:
            body = {}
        try:
            call = self._rules.parse_call(body)
        except Exception:
            call = FakeCall("", ())
        record = RecordedRequest(
            request.method, request.path, request.headers, body, call, time.monotonic()
        )
        with self.lock:
            self.requests.append(record)
        self._local.record = record
        delay = self.latency
        try:
            response = self._rules.route(self, request)
            delay += response.delay
        except Rejected as exc:
            record.rejected = exc.rule
            response = Response(exc.status, exc.body)
        except _Scripted as exc:
            response, delay = exc.response, delay + exc.delay
        record.status = response.status
        return response, delay, record

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                incoming = IncomingRequest(method, url.path, parse_qs(url.query), headers, raw)
                response, delay, record = server._serve(incoming)
                if delay:
                    time.sleep(delay)
                payload = response.payload()
                # Finished before the reply goes out: a client that sends its next request
                # on receiving this reply must see it start after this one finished (set
                # after the write, the next request's handler thread could record its
                # start first on a busy machine).
                record.finished = time.monotonic()
                try:
                    self.send_response(response.status)
                    self.send_header("content-type", response.content_type)
                    self.send_header("content-length", str(len(payload)))
                    for key, value in response.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                    self.wfile.flush()
                except OSError:  # the client gave up (timeout test)
                    self.close_connection = True
                if response.after is not None:
                    response.after()

            def do_POST(self) -> None:
                self._handle("POST")

            def do_GET(self) -> None:
                self._handle("GET")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


class _Scripted(Exception):
    """A scripted fault reply (not a rule violation): answered as is."""

    def __init__(self, response: Response, delay: float) -> None:
        super().__init__(response.status)
        self.response = response
        self.delay = delay


def scripted_fault(rules: DialectRules, reply: Reply) -> None:
    """Raise the fault ``reply`` asks for (a non-200 status or a raw body), if any."""
    if reply.raw is not None:
        raise _Scripted(Response(reply.status, reply.raw, dict(reply.headers)), reply.delay)
    if reply.status != 200:
        error = rules.error(reply.status, f"scripted error {reply.status}", reply)
        headers = {**error.headers, **reply.headers}
        raise _Scripted(Response(error.status, error.body, headers), reply.delay)


def iter_objects(schema: Any, path: str = "schema") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every sub-schema of a JSON Schema with its path, depth first (for schema rules)."""
    if isinstance(schema, dict):
        yield path, schema
        for key in ("properties", "$defs", "definitions"):
            for name, sub in (schema.get(key) or {}).items():
                yield from iter_objects(sub, f"{path}.{key}.{name}")
        for key in ("items", "additionalProperties", "not"):
            if isinstance(schema.get(key), dict):
                yield from iter_objects(schema[key], f"{path}.{key}")
        for key in ("anyOf", "allOf", "oneOf", "prefixItems"):
            for n, sub in enumerate(schema.get(key) or []):
                yield from iter_objects(sub, f"{path}.{key}[{n}]")


def texts_of(value: Any) -> list[str]:
    """Every text in a message content value (string, blocks or Gemini parts)."""
    return _texts(value)


def _rules_for(dialect: Dialect) -> DialectRules:
    if dialect == "anthropic":
        from docsense.testing.fake_anthropic import AnthropicRules

        return AnthropicRules()
    if dialect in ("openai", "ollama"):
        from docsense.testing.fake_openai import OllamaRules, OpenAIRules

        return OllamaRules() if dialect == "ollama" else OpenAIRules()
    if dialect == "google":
        from docsense.testing.fake_gemini import GeminiRules

        return GeminiRules()
    raise ValueError(f"unknown dialect {dialect!r}: use anthropic, openai, google or ollama")
