"""``openai-compatible:<model>`` against a fake that behaves like Ollama's endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from docsense.adapters.ai import openai_compatible
from docsense.adapters.ai.llm import LlmReviewer
from docsense.adapters.ai.resilience import Resilience
from docsense.adapters.convert import convert_document
from docsense.domain.review import NotAssessedReason
from docsense.errors import ConfigurationError, MissingApiKey, ReviewerError
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.ports import ReviewRequest
from docsense.review import ReviewDocument, run_review
from docsense.review.reviewers import resolve_reviewer
from docsense.testing.fake_llm import FakeLLMServer
from docsense.testing.reviewers import contract_document

CORPUS = Path(__file__).resolve().parents[4] / "shared/corpus"


def _local(server: FakeLLMServer, **kw: object) -> LlmReviewer:
    return openai_compatible.create_reviewer(
        "llama3.2", base_url=server.base_url, resilience=Resilience("local"), **kw  # type: ignore[arg-type]
    )


def _long_document() -> ReviewDocument:
    # A real methodology and every seed Markdown document in one file: ~5,500 tokens.
    names = [
        "real/indexcoop_dseth_guidelines.md",
        *sorted(f"seed-markdown/{p.name}" for p in (CORPUS / "seed-markdown").glob("*.md")),
    ]
    text = "\n\n".join((CORPUS / n).read_text(encoding="utf-8") for n in names)
    converted = convert_document(text.encode(), "long.md")
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    return ReviewDocument.from_converted(converted, ir, document_id="document-local")


async def test_a_loopback_server_needs_no_key_and_gets_max_tokens() -> None:
    with FakeLLMServer("ollama") as server:
        async with _local(server) as reviewer:
            outcome = await run_review(
                contract_document(), [load_pack("self-containment")], reviewer
            )
    assert outcome.findings
    assert reviewer.spec == "openai-compatible:llama3.2#review-v3"
    for request in server.requests:
        assert "authorization" not in request.headers
        assert "max_tokens" in request.body
        assert "max_completion_tokens" not in request.body
        assert "prompt_cache_key" not in request.body
        assert request.body["response_format"]["type"] == "json_schema"
    assert outcome.usage.cost_estimate == 0.0  # a local model is free, not "unknown"
    assert not any("model registry" in w for w in outcome.warnings)


async def test_parts_are_planned_to_fit_the_servers_context_window() -> None:
    document = _long_document()
    assert len(document.markdown) / 4 > 4096  # the document alone overflows the window
    with FakeLLMServer("ollama", context_length=4096) as server:
        async with _local(server, context_window=4096) as reviewer:
            outcome = await run_review(document, [load_pack("self-containment")], reviewer)
    assert outcome.score is not None
    assert server.requests
    assert [r.notes for r in server.requests if r.notes] == []  # nothing silently cut


async def test_a_window_set_larger_than_the_servers_is_silently_truncated() -> None:
    # What happens without the setting: the server drops the start of the prompt.
    document = _long_document()
    with FakeLLMServer("ollama", context_length=4096) as server:
        async with _local(server, context_window=128_000) as reviewer:
            await run_review(document, [load_pack("self-containment")], reviewer)
    assert any("truncated prompt" in r.notes for r in server.requests)


def test_a_window_too_small_for_the_prompt_is_a_clear_error() -> None:
    with FakeLLMServer("ollama") as server:
        reviewer = _local(server, context_window=600)
        request = _request()
        with pytest.raises(ConfigurationError, match="context window"):
            reviewer.plan(request)


def _request() -> ReviewRequest:
    doc = contract_document()
    return ReviewRequest(document_id=doc.id, markdown=doc.markdown, sections=doc.sections,
                         ir=doc.ir, policies=load_pack("self-containment").policies)


async def test_json_mode_for_servers_that_ignore_json_schemas() -> None:
    with FakeLLMServer("ollama", json_schema=False) as server:
        async with _local(server, response_format="json_object") as reviewer:
            outcome = await run_review(
                contract_document(), [load_pack("self-containment")], reviewer
            )
    assert outcome.findings
    assert all(r.body["response_format"] == {"type": "json_object"} for r in server.requests)
    assert all("response schema (JSON Schema)" in r.call.text for r in server.requests)


async def test_a_server_ignoring_the_schema_gives_failed_parts_not_inventions() -> None:
    with FakeLLMServer("ollama", json_schema=False) as server:
        async with _local(server) as reviewer:
            outcome = await run_review(
                contract_document(), [load_pack("self-containment")], reviewer
            )
    assert outcome.findings == ()
    assert {o.reason for o in outcome.not_assessed} == {NotAssessedReason.FAILED}
    assert outcome.score is None


async def test_a_server_refusing_json_schemas_is_asked_in_json_mode_from_then_on() -> None:
    # llama-cpp-python's server answers a json_schema request with HTTP 500
    with FakeLLMServer("ollama", refuses_json_schema=True) as server:
        async with _local(server) as reviewer:
            first = await run_review(
                contract_document(), [load_pack("self-containment")], reviewer
            )
            refused, sent = len(server.rejections), len(server.requests)
            again = await run_review(
                contract_document(), [load_pack("self-containment")], reviewer
            )
    assert first.findings
    assert first.score is not None
    assert first.not_assessed == ()
    calls = sent - refused  # each planned call answered once
    assert 1 <= refused <= calls  # the calls in flight at the switch were refused, once each
    assert len(server.requests) - sent == calls  # the second review asks in JSON mode only
    assert len(server.rejections) == refused
    assert again.findings == first.findings
    for outcome in (first, again):
        (note,) = [w for w in outcome.warnings if "refused JSON-schema output" in w]
        assert "HTTP 500" in note
        assert "DOCSENSE_OPENAI_COMPATIBLE_RESPONSE_FORMAT=json_object" in note
    answered = [r for r in server.requests if r.rejected is None]
    assert answered
    assert all(r.body["response_format"] == {"type": "json_object"} for r in answered)


def test_a_remote_server_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in openai_compatible.API_KEY_ENV:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(MissingApiKey, match="DOCSENSE_OPENAI_COMPATIBLE_API_KEY"):
        openai_compatible.create_reviewer("m", base_url="https://llm.example.com/v1")


def test_the_spec_names_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ReviewerError, match="openai-compatible:<model>"):
        resolve_reviewer("openai-compatible")
    monkeypatch.setenv(openai_compatible.BASE_URL_ENV, "http://127.0.0.1:9/v1")
    reviewer = resolve_reviewer("openai-compatible:qwen3")
    assert reviewer.spec == "openai-compatible:qwen3#review-v3"
