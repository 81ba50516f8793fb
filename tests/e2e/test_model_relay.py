"""The model relay: record a benchmark run's model calls, answer them, replay the answers.

``benchmarks.model_relay`` is how the LLM review is measured with a capable model's answers
where no provider key exists. Run here as a user runs it: ``benchmarks.real_docs`` with the
``openai-compatible`` reviewer (the official SDK over HTTP) against the relay:

- recording writes each distinct request once and the run completes;
- a replayed answer is grounded, grouped and scored like any model's: a finding quoting a
  labelled issue with its category counts as a true group;
- an answer longer than the request's ``max_tokens`` is cut as a model's would be, the most
  severe findings kept; a request with no answer gets no findings and is counted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.model_relay import ModelRelay, cut_to, request_key

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "tests" / "data" / "labelled" / "docs" / "indexcoop-iip013-fli.md"
LABELS = json.loads((DOC.parents[1] / "labels" / f"{DOC.stem}.json").read_text("utf-8"))


def _measure(relay: ModelRelay) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSENSE_")}
    env |= {
        "DOCSENSE_OPENAI_COMPATIBLE_BASE_URL": relay.base_url,
        "DOCSENSE_OPENAI_COMPATIBLE_CONTEXT_WINDOW": "200000",
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.real_docs", "--reviewer",
         "openai-compatible:relay", str(DOC)],
        cwd=ROOT, env=env, text=True, capture_output=True, stdin=subprocess.DEVNULL,
        timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _finding(policy: str, quote: str, category: str, severity: str, **extra: Any) -> dict[str, Any]:
    return {
        "policy_id": policy, "section_id": "", "quote": quote, "title": "t",
        "description": extra.get("description", "d"), "category": category,
        "severity": severity, "suggested_fix": "f", "replacement": "", "confidence": 0.9,
        "subject": extra.get("subject", quote[:20]),
    }


def test_recorded_requests_answered_and_replayed_are_scored(tmp_path: Path) -> None:
    with ModelRelay("record", tmp_path) as relay:
        _measure(relay)
        again = _measure(relay)  # the same prompts: nothing new to record
    requests = sorted((tmp_path / "requests").glob("*.json"))
    assert len(requests) == relay.served["recorded"] >= 2
    assert "model calls: " in again

    label = next(i for i in LABELS["issues"] if i["quote"] in DOC.read_text("utf-8"))
    text_requests = [r for r in requests if "SC-001" in r.read_text("utf-8")]
    body = json.loads(text_requests[0].read_text("utf-8"))
    asked = re.search(r"policy ids only: ([^.\n]+)", body["messages"][-1]["content"][-1]["text"])
    assert asked is not None
    policies = [p.strip() for p in asked.group(1).split(",")]
    right = _finding(policies[0], label["quote"], label["category"], "critical")
    # Filler a model might add after it: low severity, long, so the answer outgrows max_tokens.
    filler = [
        _finding(policies[0], "", "other", "info", description="x" * 4000, subject=f"s{n}")
        for n in range(12)
    ]
    answer = {"findings": [*filler, right], "assessed_policy_ids": policies}
    assert len(json.dumps(answer)) > 4 * body["max_tokens"]
    (tmp_path / "answers" / text_requests[0].name).write_text(json.dumps(answer), "utf-8")

    with ModelRelay("replay", tmp_path) as relay:
        out = _measure(relay)
    assert relay.served["answered"] == 1
    assert relay.served["cut"] == 1
    assert relay.served["unanswered"] == len(requests) - 1
    shown = re.search(r"labelled documents, shown groups: .*\(true groups (\d+)/(\d+)", out)
    assert shown is not None, out
    assert int(shown.group(1)) == 1  # the labelled issue, grounded and matched


def test_an_answer_is_cut_most_severe_first() -> None:
    answer = {
        "findings": [
            _finding("SC-1", "a", "other", "low", description="x" * 300),
            _finding("SC-1", "b", "other", "critical"),
            _finding("SC-1", "c", "other", "high"),
        ],
        "assessed_policy_ids": ["SC-1"],
    }
    cut = cut_to(answer, len(json.dumps(answer)) - 10)
    assert [f["quote"] for f in cut["findings"]] == ["b", "c"]
    assert cut["assessed_policy_ids"] == ["SC-1"]
    whole = cut_to(answer, 10**6)["findings"]
    assert [f["quote"] for f in whole] == ["b", "c", "a"]


def test_a_replay_writes_down_what_it_could_not_answer(tmp_path: Path) -> None:
    # A call that depends on earlier answers is answered in rounds: the replay records it.
    body = {"messages": [{"role": "user", "content": "q"}], "max_tokens": 100}
    relay = ModelRelay("replay", tmp_path)
    relay.requests_dir.mkdir(parents=True)
    relay.answers_dir.mkdir(parents=True)
    assert json.loads(relay.answer(body)) == {"findings": [], "assessed_policy_ids": []}
    written = tmp_path / "requests" / f"{request_key(body)}.json"
    assert json.loads(written.read_text("utf-8")) == body
    assert relay.served["unanswered"] == 1
