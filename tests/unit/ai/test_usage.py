"""Usage that matches the bill: thinking billed as output, cache reads and writes, unknown costs."""

from __future__ import annotations

from datetime import date

import pytest

from docsense.adapters.ai import anthropic
from docsense.adapters.ai.llm import ApiKey, Completion, LlmReviewer
from docsense.adapters.ai.openai import OpenAIClient
from docsense.adapters.ai.prompts import PlanLimits
from docsense.adapters.ai.resilience import Resilience
from docsense.policies import load_pack
from docsense.review import run_review
from docsense.testing.fake_llm import FakeLLMServer, Reply
from docsense.testing.reviewers import contract_document

from .conftest import MODULES, Harness, one_call_request


async def test_thinking_tokens_are_counted_and_priced_as_output(harness: Harness) -> None:
    reviewer = harness.reviewer()
    harness.server.script(Reply(thinking_tokens=0))
    plain = await reviewer.review(one_call_request())
    harness.server.state.clear()  # a cold cache again: the two calls differ only in thinking
    harness.server.script(Reply(thinking_tokens=4000))
    thinking = await reviewer.review(one_call_request())
    assert plain.usage.tokens_thinking == 0
    assert thinking.usage.tokens_thinking == 4000
    assert thinking.usage.tokens_out == plain.usage.tokens_out + 4000
    assert thinking.usage.tokens_in == plain.usage.tokens_in
    price = reviewer.model_info.price_on(date.today())  # type: ignore[union-attr]
    assert price is not None
    extra = (thinking.usage.cost_estimate or 0) - (plain.usage.cost_estimate or 0)
    assert extra == pytest.approx(4000 * price.output / 1e6)


async def test_anthropic_cache_reads_and_writes_are_counted_and_priced() -> None:
    with FakeLLMServer("anthropic") as server:
        async with anthropic.create_reviewer(
            api_key="k", base_url=server.base_url, resilience=Resilience("anthropic"),
            limits=PlanLimits(group_max_policies=2),  # several calls share a part
        ) as reviewer:
            outcome = await run_review(
                contract_document(), [load_pack("self-containment")], reviewer
            )
    price = reviewer.model_info.price_on(date.today())  # type: ignore[union-attr]
    assert price is not None
    u = outcome.usage
    expected = (
        (u.tokens_in - u.tokens_cached - u.tokens_cache_write) * price.input
        + u.tokens_cached * (price.cache_read or 0)
        + u.tokens_cache_write * (price.cache_write or 0)
        + u.tokens_out * price.output
    ) / 1e6
    assert u.cost_estimate == pytest.approx(expected)
    assert outcome.usage.tokens_cache_write > 0
    assert outcome.usage.tokens_cached > 0
    assert outcome.usage.tokens_cached + outcome.usage.tokens_cache_write <= outcome.usage.tokens_in


def test_openai_usage_details_are_read() -> None:
    client = OpenAIClient("gpt-6.1-terra", ApiKey("k"), base_url="http://127.0.0.1:9/v1",
                          timeout=1)
    completion = client.completion_of({
        "id": "x", "object": "chat.completion", "created": 0, "model": "gpt-6.1-terra",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "{}", "refusal": None}}],
        "usage": {"prompt_tokens": 5000, "completion_tokens": 900, "total_tokens": 5900,
                  "prompt_tokens_details": {"cached_tokens": 3000, "cache_write_tokens": 1000},
                  "completion_tokens_details": {"reasoning_tokens": 700}},
    })
    assert completion == Completion(text="{}", tokens_in=5000, tokens_out=900,
                                    tokens_cached=3000, tokens_cache_write=1000,
                                    tokens_thinking=700)


async def test_an_unknown_model_has_an_unknown_cost_and_one_warning(harness: Harness) -> None:
    reviewer = harness.reviewer(model="brand-new-model-9")
    outcome = await run_review(contract_document(), [load_pack("self-containment")], reviewer)
    assert outcome.usage.calls >= 2
    assert outcome.usage.cost_estimate is None
    warnings = [w for w in outcome.warnings if "not in the model registry" in w]
    assert len(warnings) == 1
    assert "brand-new-model-9" in warnings[0]


async def test_a_known_model_has_a_cost_and_no_registry_warning(harness: Harness) -> None:
    outcome = await run_review(
        contract_document(), [load_pack("self-containment")], harness.reviewer()
    )
    assert outcome.usage.cost_estimate is not None
    assert outcome.usage.cost_estimate > 0
    assert not any("model registry" in w for w in outcome.warnings)


@pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")  # the SDK's
async def test_a_retiring_or_retired_model_warns_in_the_review(harness: Harness) -> None:
    retiring = {"anthropic": "claude-opus-4-5", "openai": "gpt-5-mini",
                "google": "gemini-2.5-flash"}[harness.dialect]
    built = MODULES[harness.dialect].create_reviewer(
        retiring, api_key="k", base_url=harness.server.base_url, resilience=harness.layer()
    )
    reviewer = LlmReviewer(built.client, resilience=harness.layer(),
                           today=lambda: date(2026, 12, 2))
    async with reviewer:
        result = await reviewer.review(one_call_request())
    [warning] = [w for w in result.warnings if retiring in w]
    assert "retire" in warning
    assert reviewer.model_info is not None
    assert reviewer.model_info.replacement in warning  # type: ignore[operator]


async def test_a_model_added_in_settings_is_priced() -> None:
    import docsense
    from docsense.errors import ConfigurationError

    models = {"house-model-1": {"provider": "openai", "context_window": 64000,
                                "max_output": 4096, "input": 1.0, "output": 2.0}}
    with FakeLLMServer("openai") as server:
        settings = {"openai_api_key": "k", "openai_base_url": server.base_url,
                    "llm_models": models}
        async with docsense.aopen("memory://", settings=settings) as ds:
            doc = await ds.ingest(contract_document().markdown.encode(), filename="m.md")
            review = await ds.review(doc.id, reviewer="openai:house-model-1")
    u = review.usage
    assert u.cost_estimate == pytest.approx((u.tokens_in * 1.0 + u.tokens_out * 2.0) / 1e6)
    assert not any("model registry" in w for w in review.warnings)
    with pytest.raises(ConfigurationError, match="llm_models"):
        await docsense.aopen("memory://", settings={"llm_models": {"x": {"input": 1}}})
