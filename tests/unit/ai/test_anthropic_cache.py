"""Anthropic requests: a cached document prefix, written once per review part (warm-up)."""

from __future__ import annotations

from docsense.adapters.ai import anthropic
from docsense.adapters.ai.llm import LlmReviewer
from docsense.adapters.ai.prompts import PlanLimits
from docsense.adapters.ai.resilience import Resilience
from docsense.policies import load_pack
from docsense.review import ReviewOutcome, run_review
from docsense.testing.fake_llm import FakeLLMServer, RecordedRequest, tokens
from docsense.testing.reviewers import contract_document


def _prefix(request: RecordedRequest) -> str:
    return str(request.body["messages"][0]["content"][0]["text"])


# Several policy groups per part; with SPLIT, the document is cut into parts (each its own
# cached prefix, and the outline another).
ONE_PART = PlanLimits(group_max_policies=2)
SPLIT = PlanLimits(group_max_policies=2, part_tokens=60)


async def _review(
    server: FakeLLMServer, *, warm_up: bool, limits: PlanLimits = ONE_PART
) -> ReviewOutcome:
    built = anthropic.create_reviewer(
        api_key="test-key",
        base_url=server.base_url,
        resilience=Resilience("anthropic", max_concurrency=8),
        limits=limits,
    )
    if not warm_up:
        built.client.warm_up_cache = False  # type: ignore[misc]
    async with built as reviewer:
        assert isinstance(reviewer, LlmReviewer)
        return await run_review(contract_document(), [load_pack("self-containment")], reviewer)


async def test_document_prefix_is_cached_and_byte_identical_across_calls() -> None:
    with FakeLLMServer("anthropic") as server:
        outcome = await _review(server, warm_up=True)
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
    assert outcome.usage.tokens_cached > 0
    assert outcome.usage.calls == len(bodies)


async def test_the_first_call_on_each_prefix_goes_alone_so_each_prefix_is_written_once() -> None:
    with FakeLLMServer("anthropic", latency=0.05) as server:
        outcome = await _review(server, warm_up=True, limits=SPLIT)
    requests = sorted(server.requests, key=lambda r: r.started)
    first = requests[0]
    assert first.finished is not None
    assert all(first.finished <= r.started for r in requests[1:])  # the review's first, alone
    prefixes: dict[str, list[RecordedRequest]] = {}
    for r in requests:
        prefixes.setdefault(_prefix(r), []).append(r)
    assert len(prefixes) >= 3
    for group in prefixes.values():
        head = group[0]
        assert head.finished is not None
        assert all(head.finished <= r.started for r in group[1:])
    system = requests[0].body["system"][0]["text"]
    written = sum(tokens(f"{system}\n{p}") for p in prefixes)
    assert outcome.usage.tokens_cache_write == written  # one write per prefix, no more


async def test_without_warm_up_concurrent_calls_each_pay_a_write() -> None:
    # The contrast that makes the test above meaningful: concurrent misses all write.
    with FakeLLMServer("anthropic", latency=0.05) as server:
        outcome = await _review(server, warm_up=False, limits=SPLIT)
    system = server.requests[0].body["system"][0]["text"]
    once = sum(tokens(f"{system}\n{p}") for p in {_prefix(r) for r in server.requests})
    assert outcome.usage.tokens_cache_write > once
