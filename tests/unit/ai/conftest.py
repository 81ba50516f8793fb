"""Helpers for the LLM adapter tests: reviewers wired to fake servers with an injected sleep."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import ModuleType

import attrs
import pytest

from docsense.adapters.ai import anthropic, google, openai
from docsense.adapters.ai.llm import LlmReviewer
from docsense.adapters.ai.prompts import is_document_scoped
from docsense.adapters.ai.resilience import CircuitBreaker, Resilience, RetryPolicy
from docsense.policies import load_pack
from docsense.ports import ReviewRequest
from docsense.testing.fake_llm import Dialect, FakeLLMServer
from docsense.testing.reviewers import contract_document

DIALECTS: tuple[Dialect, ...] = ("anthropic", "openai", "google")
MODULES: dict[str, ModuleType] = {"anthropic": anthropic, "openai": openai, "google": google}


@attrs.define
class FakeClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@attrs.define
class Harness:
    dialect: Dialect
    server: FakeLLMServer
    sleeps: list[float]
    clock: FakeClock

    def layer(self, *, attempts: int = 4, timeout: float = 5.0, threshold: int = 5) -> Resilience:
        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            self.clock.now += seconds  # time passes for the deadline and the breaker

        return Resilience(
            self.dialect,
            timeout=timeout,
            retry=RetryPolicy(attempts=attempts, initial_wait=0.5, max_wait=60.0),
            breaker=CircuitBreaker(
                self.dialect, failure_threshold=threshold, reset_after=30.0, clock=self.clock
            ),
            sleep=sleep,
            clock=self.clock,
        )

    def reviewer(
        self, layer: Resilience | None = None, *, base_url: str | None = None, **kw: object
    ) -> LlmReviewer:
        module = MODULES[self.dialect]
        reviewer: LlmReviewer = module.create_reviewer(
            api_key="test-key",
            base_url=base_url or self.server.base_url,
            resilience=layer or self.layer(),
            **kw,
        )
        OPEN_REVIEWERS.append(reviewer)
        return reviewer


#: Reviewers built by a test; closed when it ends (on its own event loop).
OPEN_REVIEWERS: list[LlmReviewer] = []


@pytest.fixture(autouse=True)
async def _close_reviewers() -> AsyncIterator[None]:
    yield
    while OPEN_REVIEWERS:
        await OPEN_REVIEWERS.pop().aclose()


@pytest.fixture(params=DIALECTS)
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    with FakeLLMServer(request.param) as server:
        yield Harness(request.param, server, [], FakeClock())


def one_call_request() -> ReviewRequest:
    """The contract document against the text policies only: exactly one model call."""
    doc = contract_document()
    policies = tuple(p for p in load_pack("self-containment").policies if not is_document_scoped(p))
    return ReviewRequest(
        document_id=doc.id,
        markdown=doc.markdown,
        sections=doc.sections,
        ir=doc.ir,
        policies=policies,
        title=doc.title,
    )


def far_apart_statements() -> str:
    """A long methodology (one part by default, several at 3,000 tokens) whose section 1
    says "rebalanced monthly" and whose section 40 says, over a wrapped line, "rebalanced
    quarterly": a contradiction no single part of a split shows."""
    body = ["# Methodology", "", "## 1. Rebalancing", "",
            "The index is rebalanced monthly on the first Business Day.",
            "The Committee reviews the rules.", ""]
    for n in range(2, 40):
        body += [f"## {n}. Step {n}", "",
                 "This step applies the general provisions of the methodology. " * 12, ""]
    body += ["## 40. Schedule", "",
             "The weights are reset when the index\nis rebalanced quarterly, in March.", ""]
    return "\n".join(body)
