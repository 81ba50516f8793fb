"""The Reviewer contract, run against the rules reviewer and each LLM adapter (fake servers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from docsense.adapters.ai import anthropic, google, openai
from docsense.adapters.ai.resilience import Resilience
from docsense.adapters.ai.rules import RulesReviewer
from docsense.ports import Reviewer
from docsense.testing import ReviewerContract
from docsense.testing.fake_llm import Dialect, FakeLLMServer


class TestRulesReviewer(ReviewerContract):
    @pytest.fixture
    def reviewer(self) -> Reviewer:
        return RulesReviewer()


def _llm(dialect: Dialect) -> Iterator[Reviewer]:
    factory = {"anthropic": anthropic, "openai": openai, "google": google}[dialect]
    with FakeLLMServer(dialect) as server:
        yield factory.create_reviewer(
            api_key="test-key",
            base_url=server.base_url,
            resilience=Resilience(dialect, timeout=10),
        )


class TestAnthropicReviewer(ReviewerContract):
    llm = True

    @pytest.fixture
    def reviewer(self) -> Iterator[Reviewer]:
        yield from _llm("anthropic")


class TestOpenAIReviewer(ReviewerContract):
    llm = True

    @pytest.fixture
    def reviewer(self) -> Iterator[Reviewer]:
        yield from _llm("openai")


class TestGoogleReviewer(ReviewerContract):
    llm = True

    @pytest.fixture
    def reviewer(self) -> Iterator[Reviewer]:
        yield from _llm("google")
