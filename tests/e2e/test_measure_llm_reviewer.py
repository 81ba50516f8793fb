"""The review benchmark measures an LLM reviewer the way it measures the rules.

``python -m benchmarks.real_docs --reviewer <provider>`` is how the LLM reviewers get their
precision and recall on the labelled real documents. Run here through the official SDKs
over HTTP to fake servers that enforce each provider's rules, configured by the same
``DOCSENSE_*`` settings as ``docsense.open``:

- the run completes, scores the model's grounded findings against the labels and says what
  the calls came to; it builds one reviewer for the run and closes it (no unclosed
  connection, no "Event loop is closed" at exit);
- policies the model refused are reported as not assessed (else a refusing model would read
  as a model that finds little);
- ``--estimate`` prices the run's planned calls without making one;
- an unknown reviewer spec is a one-line error, exit code 2.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from docsense.testing.fake_llm import Dialect, FakeLLMServer, Reply

ROOT = Path(__file__).resolve().parents[2]
DOCS = [
    str(ROOT / "tests" / "data" / "labelled" / "docs" / name)
    for name in ("indexcoop-iip013-fli.md", "indexcoop-iip006-rebalance-params.md")
]
LABELS = sum(
    len(json.loads((Path(doc).parents[1] / "labels" / f"{Path(doc).stem}.json").read_text(
        encoding="utf-8"))["issues"])
    for doc in DOCS
)
ENV = {
    "anthropic": ("ANTHROPIC_API_KEY", "DOCSENSE_ANTHROPIC_BASE_URL"),
    "openai": ("OPENAI_API_KEY", "DOCSENSE_OPENAI_BASE_URL"),
    "google": ("GOOGLE_API_KEY", "DOCSENSE_GOOGLE_BASE_URL"),
}
LEAKS = ("ResourceWarning", "nclosed", "Event loop is closed", "Traceback")


def _measure(
    provider: str, server: FakeLLMServer | None, *options: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSENSE_")}
    if server is not None:
        key, url = ENV[server.dialect]
        env.update({key: "sk-test", url: server.base_url})
    return subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", "-m", "benchmarks.real_docs",
         "--reviewer", provider, *options, *DOCS],
        cwd=ROOT, env=env, text=True, capture_output=True, stdin=subprocess.DEVNULL,
        timeout=300, check=False,
    )


@pytest.mark.parametrize("provider", sorted(ENV))
def test_an_llm_reviewer_is_scored_and_closed(provider: Dialect) -> None:
    with FakeLLMServer(provider) as server:
        run = _measure(provider, server)
    assert run.returncode == 0, run.stderr
    for leak in LEAKS:
        assert leak not in run.stderr, run.stderr
    calls = len(server.generations)
    assert calls >= len(DOCS)
    assert not server.rejections
    assert f"model calls: {calls}, tokens in " in run.stdout
    # the fake model's grounded finding per call is a group of the model's check, scored
    per_check = re.search(r"^\s+SC-\d+ llm:\S+\s+(\d+)\s+\d+", run.stdout, re.MULTILINE)
    assert per_check is not None, run.stdout
    assert int(per_check.group(1)) >= 1, run.stdout
    assert "labelled documents, shown groups: precision=" in run.stdout
    assert "policies not assessed" not in run.stdout
    # recall per label category covers every label of the two documents
    table = run.stdout.split("recall per label category", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\s+([a-z_]+)\s+(\d+)\s+(\d+)\s+[\d.]+$", table, re.MULTILINE)
    assert sum(int(n) for _, n, _ in rows) == LABELS
    assert all(int(found) <= int(n) for _, n, found in rows)


def test_policies_a_model_refused_are_reported() -> None:
    with FakeLLMServer("anthropic") as server:
        server.script(*(Reply(refusal="I can't help with this request.") for _ in range(40)))
        run = _measure("anthropic", server)
    assert run.returncode == 0, run.stderr
    reported = re.search(r"^policies not assessed: (\d+) \(refused (\d+)\)", run.stdout,
                         re.MULTILINE)
    assert reported is not None, run.stdout
    assert int(reported.group(1)) == int(reported.group(2)) > 0
    assert re.search(r"model calls: \d+, .*refusals [1-9]", run.stdout)


def test_an_unknown_reviewer_is_a_one_line_error() -> None:
    run = _measure("no-such-reviewer", None)
    assert run.returncode == 2
    assert run.stderr.startswith("error: ")
    assert "Traceback" not in run.stderr
    assert "no-such-reviewer" in run.stderr


def test_an_estimate_plans_and_prices_the_calls_without_making_one() -> None:
    with FakeLLMServer("anthropic") as server:
        run = _measure("rules+anthropic", server, "--estimate")
    assert run.returncode == 0, run.stderr
    assert not server.requests  # nothing was sent
    line = re.search(r"^anthropic:\S+: 2 documents, (\d+) calls, about (\d+) input tokens, "
                     r"at most \d+ output tokens; estimated cost \$([\d.]+) \(input\) to "
                     r"\$([\d.]+)", run.stdout, re.MULTILINE)
    assert line is not None, run.stdout
    assert int(line.group(1)) >= len(DOCS)
    assert int(line.group(2)) > 0
    assert 0 < float(line.group(3)) <= float(line.group(4))
    assert "labelled documents" not in run.stdout  # no review was run
