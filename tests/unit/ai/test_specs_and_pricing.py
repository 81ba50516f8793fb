"""Reviewer specs (A+B, A|B, prompt versions) and the price table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docsense.adapters.ai.llm import LlmReviewer, parse_llm_spec
from docsense.adapters.ai.pricing import ModelPrice, PriceTable, load_price_table
from docsense.adapters.ai.rules import RulesReviewer
from docsense.errors import ConfigurationError, ReviewerError
from docsense.review.reviewers import CombinedReviewer, FallbackReviewer, resolve_reviewer


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("GOOGLE_API_KEY", "test")


def test_single_specs_resolve_with_defaults_and_prompt_version() -> None:
    reviewer = resolve_reviewer("anthropic")
    assert isinstance(reviewer, LlmReviewer)
    assert reviewer.spec == "anthropic:claude-sonnet-4-6#review-v1"
    assert resolve_reviewer("openai:gpt-5").spec == "openai:gpt-5#review-v1"
    assert resolve_reviewer("google:gemini-2.5-pro#review-v1").spec.startswith("google:gemini")
    assert parse_llm_spec("openai", "openai", "m") == ("m", "review-v1")


def test_combined_and_fallback_specs() -> None:
    combo = resolve_reviewer("rules+openai:gpt-5-mini")
    assert isinstance(combo, CombinedReviewer)
    assert [type(m).__name__ for m in combo.members] == ["RulesReviewer", "LlmReviewer"]
    chain = resolve_reviewer("rules+anthropic | rules")
    assert isinstance(chain, FallbackReviewer)
    assert isinstance(chain.members[0], CombinedReviewer)
    assert isinstance(chain.members[1], RulesReviewer)
    assert chain.spec == "rules+anthropic:claude-sonnet-4-6#review-v1|rules"


@pytest.mark.parametrize("spec", ["", "rules+", "|rules", "nope:x", "rules:model", "rules||rules"])
def test_malformed_specs_are_errors(spec: str) -> None:
    with pytest.raises(ReviewerError):
        resolve_reviewer(spec)


def test_unknown_prompt_version_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="review-v1"):
        resolve_reviewer("openai:gpt-5#review-v99")


def test_price_table_costs_cache_reads_and_writes() -> None:
    table = PriceTable.default()
    full = table.cost("claude-sonnet-4-6", tokens_in=1_000_000, tokens_out=1_000_000)
    assert full == pytest.approx(18.0)
    cached = table.cost(
        "claude-sonnet-4-6-20260101", tokens_in=1_000_000, tokens_out=0, tokens_cached=1_000_000
    )
    assert cached == pytest.approx(0.3)
    assert table.cost("no-such-model", tokens_in=10, tokens_out=10) == 0.0
    assert table.price("claude-opus-4-5") == ModelPrice(
        input=5.0, output=25.0, cached_input=0.5, cache_write=6.25
    )


def test_price_table_is_overridable_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(
        json.dumps({"as_of": "2027-01-01", "models": {"my-model": {"input": 1, "output": 2}}})
    )
    table = load_price_table(path)
    assert table.as_of == "2027-01-01"
    assert table.cost("my-model", tokens_in=1_000_000, tokens_out=1_000_000) == 3.0
    assert table.price("claude-sonnet-4-6") is not None
    path.write_text("{}")
    with pytest.raises(ConfigurationError, match="models"):
        load_price_table(path)
