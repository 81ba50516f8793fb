"""The files in examples/ do what the README and the docs say they do."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

import docsense
from docsense.policies import load_pack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def test_custom_pack_loads_and_reviews_the_example_strategy() -> None:
    pack = load_pack(EXAMPLES / "custom_pack.yaml")
    assert pack.key == "house-rules"
    assert pack.llm_only_ids == {"HR-004"}
    with docsense.open("memory://") as ds:
        doc = ds.ingest(EXAMPLES / "strategy.md")
        review = ds.review(doc.id, packs=["self-containment", pack])
    statuses = {o.policy_id: str(o.status) for o in review.policies}
    assert statuses["HR-002"] == "violated"  # "at the discretion of the portfolio manager"
    assert statuses["HR-004"] == "not_assessed"  # llm_only, and the reviewer is rules
    found = {f.policy_id for f in review.findings}
    assert {"HR-001", "HR-002", "SC-003", "SC-004", "SC-005", "SC-006"} <= found


def test_example_strategy_has_the_issues_the_readme_promises() -> None:
    with docsense.open("memory://") as ds:
        review = ds.review(ds.ingest(EXAMPLES / "strategy.md").id)
    quotes = {f.policy_id: f.quote for f in reversed(review.findings)}
    assert "pricing vendor" in quotes["SC-004"]  # unnamed data source
    assert quotes["SC-003"]  # business / trading days without a calendar
    assert "λ" in quotes["SC-005"]  # formula with undefined variables
    assert quotes["SC-006"] == "Appendix C"  # missing appendix
    assert review.score is not None
    assert 0 < review.score < 1


def test_review_script_prints_findings_and_writes_the_html_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "strategy.md"
    shutil.copy(EXAMPLES / "strategy.md", source)
    spec = importlib.util.spec_from_file_location("docsense_example_review", EXAMPLES / "review.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert module.main([str(source)]) == 0

    out = capsys.readouterr().out
    assert "[CRITICAL] SC-" in out
    assert re.search(r"\d+ findings at \d+ places, score", out)
    assert "places)" in out  # a finding found at several places says how many
    assert (tmp_path / "strategy.review.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")


def _load_example(name: str) -> object:
    spec = importlib.util.spec_from_file_location(f"docsense_example_{name}", EXAMPLES / name)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_local_model_example_reviews_a_seed_document_with_an_ollama_like_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from docsense.testing.fake_llm import FakeLLMServer

    seed = ROOT / "tests/data/review/doc_03_undefined_parameters.docx"
    with FakeLLMServer("ollama", models={"llama3.2"}) as server:
        monkeypatch.setenv("DOCSENSE_OPENAI_COMPATIBLE_BASE_URL", server.base_url)
        example = _load_example("local_model.py")
        assert example.main([str(seed)]) == 0  # type: ignore[attr-defined]
    out = capsys.readouterr().out
    assert "reviewed by openai-compatible:llama3.2#review-v3" in out
    assert "Fake finding" in out  # the model's finding, grounded in the seed document
    assert "cost $0.0000 (a local model is free)" in out
    assert all("authorization" not in r.headers for r in server.requests)
    assert [r.notes for r in server.requests if r.notes] == []  # every part fitted


def test_local_model_example_skips_with_a_reason_when_no_server_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    monkeypatch.setenv("DOCSENSE_OPENAI_COMPATIBLE_BASE_URL", f"http://127.0.0.1:{port}/v1")
    example = _load_example("local_model.py")
    assert example.main([]) == 0  # type: ignore[attr-defined]
    assert capsys.readouterr().out.startswith("skipped: no OpenAI-compatible server answers")
