"""Anthropic requests: cached document prefix before the per-call policy text."""

from __future__ import annotations

from docsense.adapters.ai import anthropic
from docsense.adapters.ai.prompts import PlanLimits
from docsense.adapters.ai.resilience import Resilience
from docsense.policies import load_pack
from docsense.review import run_review
from docsense.testing.fake_llm import FakeLLMServer
from docsense.testing.reviewers import contract_document


async def test_document_prefix_is_cached_and_byte_identical_across_calls() -> None:
    with FakeLLMServer("anthropic") as server:
        reviewer = anthropic.create_reviewer(
            api_key="test-key",
            base_url=server.base_url,
            resilience=Resilience("anthropic"),
            limits=PlanLimits(group_max_policies=3),  # several policy groups per part
        )
        outcome = await run_review(contract_document(), [load_pack("self-containment")], reviewer)
    bodies = [r.body for r in server.requests]
    part_bodies = [b for b in bodies if 'kind="sections"' in b["messages"][0]["content"][0]["text"]]
    assert len(part_bodies) >= 3
    for body in bodies:
        (message,) = body["messages"]
        prefix, task = message["content"]
        assert prefix["cache_control"] == {"type": "ephemeral"}
        assert "cache_control" not in task
        assert prefix["text"].startswith("<document-DATA-")
        assert "policy ids only" in task["text"]
        assert "policy ids only" not in prefix["text"]
        assert body["output_config"]["format"]["type"] == "json_schema"
    assert len({b["messages"][0]["content"][0]["text"] for b in part_bodies}) == 1
    assert len({b["messages"][0]["content"][1]["text"] for b in part_bodies}) == len(part_bodies)
    assert len({repr(b["system"]) for b in bodies}) == 1  # the system prompt never varies
    # the fake server serves later calls from its cache, and usage shows it
    assert outcome.usage.tokens_cached > 0
    assert outcome.usage.calls == len(bodies)
