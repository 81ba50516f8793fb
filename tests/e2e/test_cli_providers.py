"""Issue 14 acceptance, through the CLI, per provider, on its default model, against fake
servers that enforce the real APIs' rules.

- a normal answer completes the review with the model's finding and billed usage;
- six 429s in a row, then success, completes the review in at most 12 requests;
- a refusal and a content-filter answer each end in a clear "refused" / "blocked" outcome,
  at most 2 requests per part, never "Invalid JSON", never a clean score (exit code 4);
- every run exits without an unclosed-resource warning or "Event loop is closed".

One CLI process per provider reviews four documents, one per scenario (the fake server
plays each document's scenario); the processes run concurrently; rate-limit waits are the
fakes' 10 ms.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from docsense.adapters.ai import anthropic, google, openai
from docsense.testing.fake_llm import FakeLLMServer, RecordedRequest, Reply

PROVIDERS = {"anthropic": anthropic, "openai": openai, "google": google}
ENV = {
    "anthropic": ("ANTHROPIC_API_KEY", "DOCSENSE_ANTHROPIC_BASE_URL"),
    "openai": ("OPENAI_API_KEY", "DOCSENSE_OPENAI_BASE_URL"),
    "google": ("GOOGLE_API_KEY", "DOCSENSE_GOOGLE_BASE_URL"),
}
SCENARIOS = {
    "answer": [],
    "rate_limited": [Reply(status=429, retry_after=0.01) for _ in range(6)],
    "refused": [Reply(refusal="I can't help with this request.") for _ in range(8)],
    "blocked": [Reply(blocked="the answer was withheld") for _ in range(8)],
}
DOCUMENT = """# Example Momentum Index Methodology

## 1. Overview
The index tracks the top constituents of the universe by momentum. Positions are capped at
the threshold and the index is rebalanced periodically.

## 2. Selection
Momentum is measured over the look-back window of 20 days. Securities with sufficient
liquidity are eligible.
"""
LEAKS = ("ResourceWarning", "unclosed", "Event loop is closed", "Traceback")


@attrs.define
class Run:
    """One provider's CLI run over the four scenario documents, and its fake server."""

    provider: str
    server: FakeLLMServer
    code: int
    stdout: str
    stderr: str

    def report(self, scenario: str) -> dict[str, Any]:
        reports: list[dict[str, Any]] = json.loads(self.stdout)
        [found] = [r for r in reports if r["document"]["source"] == f"{scenario}.md"]
        return found

    def requests(self, scenario: str) -> list[RecordedRequest]:
        return [r for r in self.server.requests if _marker(scenario) in r.call.text]


def _marker(scenario: str) -> str:
    # a heading: it is in the text of every part and in the outline of the whole document
    return f"Scenario {scenario} scope"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    workdir = tmp_path_factory.mktemp("providers")
    files = []
    for scenario in SCENARIOS:
        path = workdir / f"{scenario}.md"
        path.write_text(
            DOCUMENT + f"\n## {_marker(scenario)}\nThe index covers listed equities.\n",
            encoding="utf-8",
        )
        files.append(str(path))
    servers: dict[str, FakeLLMServer] = {}
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        for provider in PROVIDERS:
            server = servers[provider] = FakeLLMServer(provider).start()  # type: ignore[arg-type]
            for scenario, replies in SCENARIOS.items():
                server.script_for(_marker(scenario), *replies)
            key, url = ENV[provider]
            env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSENSE_")}
            env.update({key: "sk-test", url: server.base_url, "COLUMNS": "250",
                        "DOCSENSE_STORE_URL": f"sqlite:///{workdir / f'{provider}.db'}"})
            procs[provider] = subprocess.Popen(
                [sys.executable, "-W", "error::ResourceWarning", "-m", "docsense.cli",
                 "review", *files, "--reviewer", provider, "--format", "json"],
                cwd=workdir, env=env, text=True, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            )
        done = {}
        for provider, proc in procs.items():
            out, err = proc.communicate(timeout=300)
            done[provider] = Run(provider, servers[provider], proc.returncode, out, err)
        yield done
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
        for server in servers.values():
            server.stop()


def _check_clean(run: Run) -> None:
    for leak in LEAKS:
        assert leak not in run.stderr, run.stderr
    assert run.server.rejections == [], [r.rejected for r in run.server.rejections]


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_the_run_exits_4_naming_only_the_inputs_that_assessed_nothing(
    runs: dict[str, Run], provider: str
) -> None:
    run = runs[provider]
    assert run.code == 4, run.stderr
    _check_clean(run)
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert all("nothing was assessed" in line for line in errors)
    assert {e.split(":")[1].strip().rsplit("/", 1)[-1] for e in errors} == {
        "refused.md", "blocked.md"
    }


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_a_normal_answer_completes_with_the_models_finding_and_billed_usage(
    runs: dict[str, Run], provider: str
) -> None:
    report = runs[provider].report("answer")
    model = PROVIDERS[provider].DEFAULT_MODEL
    assert report["reviewer"] == f"{provider}:{model}#review-v3"
    findings = report["findings"]
    assert isinstance(findings, list)
    assert any(f["source"] == f"llm:{model}" for f in findings)
    usage = report["usage"]
    assert isinstance(usage, dict)
    assert usage["calls"] >= 2
    assert usage["tokens_in"] > 0
    assert usage["tokens_out"] > 0
    assert usage["cost_estimate"] is not None
    assert usage["cost_estimate"] > 0
    assert report["score"] is not None


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_six_429s_then_success_completes_in_at_most_12_requests(
    runs: dict[str, Run], provider: str
) -> None:
    run = runs[provider]
    report = run.report("rate_limited")
    assert report["score"] is not None
    assert report["findings"]
    requests = run.requests("rate_limited")
    assert len(requests) <= 12
    assert len(requests) == 6 + report["usage"]["calls"]
    assert sum(r.status == 429 for r in requests) == 6


@pytest.mark.parametrize("scenario", ["refused", "blocked"])
@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_refusals_and_blocks_end_clearly_without_a_clean_score(
    runs: dict[str, Run], provider: str, scenario: str
) -> None:
    run = runs[provider]
    assert "Invalid JSON" not in run.stdout + run.stderr
    report = run.report(scenario)
    assert report["score"] is None
    assert report["findings"] == []
    policies = report["policies"]
    assert isinstance(policies, list)
    reasons = {p["reason"] for p in policies}
    assert reasons <= {"refused", "blocked"}
    assert reasons  # says which
    expected = "blocked" if provider == "google" or (
        scenario == "blocked" and provider == "openai") else "refused"
    assert reasons == {expected}
    assert report["usage"]["refusals"] == report["usage"]["calls"]
    texts = [r.call.text for r in run.requests(scenario)]
    assert len(texts) == len(set(texts))  # one request per planned call: no repair call
    parts = {t.split('part="', 1)[1].split('"', 1)[0] for t in texts}
    assert len(texts) <= 2 * len(parts)
