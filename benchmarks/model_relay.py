"""Measure the LLM review with answers from anywhere: record a run's model calls, replay answers.

    python -m benchmarks.model_relay record DIR [--port 8301]
    python -m benchmarks.model_relay replay DIR [--port 8302]

A loopback server speaking Chat Completions as a local model server does (docsense's
:class:`~docsense.testing.fake_llm.FakeLLMServer`, ``ollama`` dialect), for the
``openai-compatible`` reviewer (``DOCSENSE_OPENAI_COMPATIBLE_BASE_URL=http://127.0.0.1:PORT/v1``),
whose model is recorded or written answers. It lets the review
pipeline (prompt plan, schema, grounding of quotes, groups, scores) be measured with a
capable model's answers where no provider key is at hand, and makes such a measurement
reproducible:

1. **record**: run the benchmark against the relay; every distinct request is written to
   ``DIR/requests/<key>.json`` (the request body: system prompt, document block, task,
   response schema) and answered with no findings, so the run goes on.
2. Answer each request, as a model would, in ``DIR/answers/<key>.json`` (one JSON object
   matching the request's schema): a person, a model in a chat window, another program.
3. **replay**: run the same benchmark against the relay; each request gets its answer.

``<key>`` is a hash of the request's messages, so an answer serves exactly the prompt it was
written for: a change to the prompt plan or template makes new requests (record again to
see which). An answer longer than the request's ``max_tokens`` (at four characters a token)
is cut as a real model's would be, keeping the most severe findings first, which is what
docsense's re-ask after a truncated answer obtains. A request with no answer gets no
findings and is counted, and is written to ``DIR/requests`` as in record mode: calls that
depend on earlier answers (a second call that holds the first call's findings, as the
check pass measured in ``benchmarks/RESULTS.md`` made) are answered in rounds, replaying the
answers so far and answering the requests the replay wrote. The relay prints what it served
when stopped.

Set ``DOCSENSE_OPENAI_COMPATIBLE_CONTEXT_WINDOW`` to the context of the model the answers
stand in for (200000 for a frontier model), so the plan is the one that model would get; the
relay's ``--context-length`` (default 200000) is the window it enforces, as the server would.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, Literal

from docsense.testing.fake_llm import FakeCall, FakeLLMServer

Mode = Literal["record", "replay"]

#: What is answered to a request while recording, and to one with no answer on replay.
NO_FINDINGS: dict[str, list[str]] = {"findings": [], "assessed_policy_ids": []}
#: Characters per output token when cutting an answer to ``max_tokens``.
CHARS_PER_TOKEN = 4
_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def request_key(body: dict[str, Any]) -> str:
    """The key of a request: a hash of its messages (what the model is asked)."""
    messages = json.dumps(body.get("messages"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(messages.encode("utf-8")).hexdigest()[:16]


def cut_to(answer: dict[str, Any], max_chars: int) -> dict[str, Any]:
    """Return ``answer`` with as many findings as fit ``max_chars``, most severe first."""
    findings = sorted(
        answer.get("findings", []),
        key=lambda f: (_SEVERITY_ORDER.get(f.get("severity"), 5), -float(f.get("confidence", 0))),
    )
    kept: list[dict[str, Any]] = []
    for finding in findings:
        trial = {**answer, "findings": [*kept, finding]}
        if len(json.dumps(trial, ensure_ascii=False)) > max_chars:
            break
        kept.append(finding)
    return {**answer, "findings": kept}


class ModelRelay:
    """The relay: ``with ModelRelay("replay", directory) as relay: relay.base_url``.

    A :class:`~docsense.testing.fake_llm.FakeLLMServer` speaking the ``ollama`` dialect of
    Chat Completions (what the ``openai-compatible`` reviewer talks to; it enforces the
    context window and ``max_tokens`` as such a server does), whose model is the recorded
    or written answers.
    """

    def __init__(
        self, mode: Mode, directory: Path, port: int = 0, context_length: int = 200_000
    ) -> None:
        self.mode: Mode = mode
        self.requests_dir = directory / "requests"
        self.answers_dir = directory / "answers"
        self.served: Counter[str] = Counter()  # recorded, answered, cut, unanswered
        self._lock = threading.Lock()
        self._server = FakeLLMServer(
            "ollama", self._respond, port=port, context_length=context_length
        )

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL to give the reviewer."""
        return self._server.base_url

    def __enter__(self) -> ModelRelay:
        self.requests_dir.mkdir(parents=True, exist_ok=True)
        self.answers_dir.mkdir(parents=True, exist_ok=True)
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    def _respond(self, call: FakeCall) -> str:
        # The responder of the server: the request's body gives its key and max_tokens.
        return self.answer(self._server.current().body)

    def _write_request(self, key: str, body: dict[str, Any]) -> bool:
        """Write ``body`` to ``requests/<key>.json`` unless it is there; True if written."""
        path = self.requests_dir / f"{key}.json"
        if path.exists():
            return False
        path.write_text(json.dumps(body, ensure_ascii=False, indent=1), "utf-8")
        return True

    def answer(self, body: dict[str, Any]) -> str:
        """Return the message content answering ``body`` (and record or count it)."""
        key = request_key(body)
        with self._lock:
            if self.mode == "record":
                if self._write_request(key, body):
                    self.served["recorded"] += 1
                return json.dumps(NO_FINDINGS)
            path = self.answers_dir / f"{key}.json"
            if not path.exists():
                self.served["unanswered"] += 1
                print(f"model_relay: no answer for request {key}", file=sys.stderr)
                self._write_request(key, body)  # to be answered in the next round
                return json.dumps(NO_FINDINGS)
            self.served["answered"] += 1
            text = path.read_text("utf-8")
            limit = CHARS_PER_TOKEN * int(body.get("max_tokens") or 8192)
            if len(text) <= limit:
                return text
            self.served["cut"] += 1
            return json.dumps(cut_to(json.loads(text), limit), ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted, then print what was served."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["record", "replay"])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--port", type=int, default=8301)
    parser.add_argument("--context-length", type=int, default=200_000,
                        help="the context window of the model the answers stand in for")
    args = parser.parse_args(argv)
    with ModelRelay(args.mode, args.directory, args.port, args.context_length) as relay:
        print(f"model_relay: {args.mode} on {relay.base_url}", file=sys.stderr)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    print(f"model_relay: {dict(relay.served)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
