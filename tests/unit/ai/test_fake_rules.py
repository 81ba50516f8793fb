"""The fake servers reject what the real APIs reject, and accept what docsense sends.

Requests here go through the official SDKs (only the base URL changes) or, for what the
SDKs never send (a missing version header), through plain HTTP.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import anthropic
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types
from pydantic import BaseModel, ConfigDict

from docsense.adapters.ai.prompts import OUTPUT_SCHEMA, ReviewOutput
from docsense.testing.fake_llm import FakeLLMServer

from .conftest import Harness, one_call_request


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json",
                                                     **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


async def test_what_docsense_sends_breaks_no_rule(harness: Harness) -> None:
    result = await harness.reviewer().review(one_call_request())
    assert result.findings
    assert harness.server.rejections == []
    assert harness.server.requests  # it really went through the server


def test_anthropic_needs_the_version_header_and_a_key() -> None:
    with FakeLLMServer("anthropic") as server:
        body = {"model": "claude-sonnet-5-5", "max_tokens": 10,
                "messages": [{"role": "user", "content": "hi"}]}
        status, answer = _post(f"{server.root_url}/v1/messages", body, {"x-api-key": "k"})
        assert status == 400
        assert answer["type"] == "error"
        assert "anthropic-version" in answer["error"]["message"]
        status, answer = _post(f"{server.root_url}/v1/messages", body,
                               {"anthropic-version": "2026-10-21"})
        assert (status, answer["error"]["type"]) == (401, "authentication_error")
        status, _ = _post(f"{server.root_url}/v1/messages", body,
                          {"anthropic-version": "2026-10-21", "x-api-key": "k"})
        assert status == 200


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda s: s.pop("additionalProperties"), "additionalProperties"),
        (lambda s: s["properties"]["findings"].update(maxItems=5), "maxItems"),
        (lambda s: s["properties"]["findings"]["items"]["properties"]["confidence"].update(
            minimum=0), "minimum"),
    ],
)
def test_anthropic_rejects_schemas_structured_outputs_cannot_take(change: Any, rule: str) -> None:
    schema = json.loads(json.dumps(OUTPUT_SCHEMA))
    change(schema)
    with FakeLLMServer("anthropic") as server:
        client = anthropic.Anthropic(api_key="k", base_url=server.base_url, max_retries=0)
        with pytest.raises(anthropic.BadRequestError, match=rule):
            client.messages.create(
                model="claude-sonnet-5-5", max_tokens=100,
                messages=[{"role": "user", "content": "hi"}],
                output_config={"format": {"type": "json_schema", "schema": schema}},
            )
        client.close()
        assert server.rejections


def test_claude_5_models_reject_a_non_default_temperature() -> None:
    with FakeLLMServer("anthropic") as server:
        client = anthropic.Anthropic(api_key="k", base_url=server.base_url, max_retries=0)
        # this SDK no longer has a temperature argument; older code sent it in the body
        with pytest.raises(anthropic.BadRequestError, match="temperature"):
            client.messages.create(model="claude-sonnet-5-5", max_tokens=10,
                                   extra_body={"temperature": 0.0},
                                   messages=[{"role": "user", "content": "hi"}])
        client.messages.create(model="claude-haiku-4-5", max_tokens=10,
                               extra_body={"temperature": 0.0},
                               messages=[{"role": "user", "content": "hi"}])
        client.close()


def test_openai_strict_schemas_need_every_property_required() -> None:
    schema = json.loads(json.dumps(OUTPUT_SCHEMA))
    schema["properties"]["findings"]["items"]["required"].remove("replacement")
    with FakeLLMServer("openai") as server:
        client = openai.OpenAI(api_key="k", base_url=server.base_url, max_retries=0)
        with pytest.raises(openai.BadRequestError, match="replacement"):
            client.chat.completions.create(
                model="gpt-6.1-terra",
                messages=[{"role": "user", "content": "hi"}],
                response_format={"type": "json_schema",
                                 "json_schema": {"name": "x", "schema": schema, "strict": True}},
            )
        client.close()


def test_openai_reasoning_models_reject_max_tokens_and_temperature() -> None:
    with FakeLLMServer("openai") as server:
        client = openai.OpenAI(api_key="k", base_url=server.base_url, max_retries=0)
        with pytest.raises(openai.BadRequestError, match="max_completion_tokens") as info:
            client.chat.completions.create(model="gpt-6.1-terra", max_tokens=10,
                                           messages=[{"role": "user", "content": "hi"}])
        assert info.value.code == "unsupported_parameter"
        with pytest.raises(openai.BadRequestError, match="temperature"):
            client.chat.completions.create(model="gpt-6.1-terra", temperature=0,
                                           messages=[{"role": "user", "content": "hi"}])
        client.close()


def test_openai_needs_a_bearer_key() -> None:
    with FakeLLMServer("openai", api_key="right") as server:
        client = openai.OpenAI(api_key="wrong", base_url=server.base_url, max_retries=0)
        with pytest.raises(openai.AuthenticationError) as info:
            client.chat.completions.create(model="gpt-6.1-terra",
                                           messages=[{"role": "user", "content": "hi"}])
        assert info.value.code == "invalid_api_key"
        client.close()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


def test_gemini_response_schema_rejects_additional_properties_json_schema_takes_it() -> None:
    # The bug this fake exists to catch: a pydantic model with extra="forbid" as
    # response_schema carries additionalProperties, which the Schema proto does not have.
    with FakeLLMServer("google") as server:
        client = genai.Client(api_key="k", http_options=genai_types.HttpOptions(
            base_url=server.base_url, retry_options=genai_types.HttpRetryOptions(attempts=1)))
        with pytest.raises(genai_errors.ClientError, match=r"(?i)additional_?properties") as info:
            client.models.generate_content(
                model="gemini-3.8-flash", contents="hi",
                config=genai_types.GenerateContentConfig(
                    response_mime_type="application/json", response_schema=ReviewOutput),
            )
        assert info.value.code == 400
        with pytest.raises(genai_errors.ClientError, match=r"(?i)additional_?properties"):
            client.models.generate_content(
                model="gemini-3.8-flash", contents="hi",
                config=genai_types.GenerateContentConfig(
                    response_mime_type="application/json", response_schema=_Strict),
            )
        answer = client.models.generate_content(
            model="gemini-3.8-flash", contents="hi",
            config=genai_types.GenerateContentConfig(
                response_mime_type="application/json", response_json_schema=OUTPUT_SCHEMA),
        )
        assert answer.text is not None
        client.close()


def test_gemini_needs_a_key_and_a_known_path() -> None:
    with FakeLLMServer("google") as server:
        status, answer = _post(f"{server.root_url}/v1beta/models/gemini-3.8-flash:generateContent",
                               {"contents": [{"parts": [{"text": "hi"}]}]}, {})
        assert (status, answer["error"]["status"]) == (403, "PERMISSION_DENIED")
        status, answer = _post(f"{server.root_url}/v2/models/gemini-3.8-flash:generateContent",
                               {"contents": [{"parts": [{"text": "hi"}]}]},
                               {"x-goog-api-key": "k"})
        assert (status, answer["error"]["status"]) == (404, "NOT_FOUND")


async def test_docsense_sends_gemini_no_temperature_and_a_json_schema() -> None:
    with FakeLLMServer("google") as server:
        from docsense.adapters.ai import google as google_adapter
        from docsense.adapters.ai.resilience import Resilience

        async with google_adapter.create_reviewer(
            api_key="k", base_url=server.base_url, resilience=Resilience("google")
        ) as reviewer:
            await reviewer.review(one_call_request())
    config = server.requests[0].body["generationConfig"]
    assert "temperature" not in config
    assert "responseSchema" not in config
    assert config["responseJsonSchema"]["additionalProperties"] is False
    assert server.requests[0].notes == []
