"""Reviewer specs (A+B, A|B, prompt versions), the model registry and call prices."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from docsense.adapters.ai import anthropic, google, openai
from docsense.adapters.ai.llm import LlmReviewer, parse_llm_spec
from docsense.adapters.ai.models import (
    REGISTRY_CHECKED,
    ModelRegistry,
    canonical_model_name,
    load_model_registry,
)
from docsense.adapters.ai.pricing import ModelPrice
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
    assert reviewer.spec == "anthropic:claude-sonnet-5-5#review-v3"
    assert resolve_reviewer("openai:gpt-6-luna").spec == "openai:gpt-6-luna#review-v3"
    assert resolve_reviewer("google:gemini-3.8-flash#review-v3").spec.startswith("google:gemini")
    assert parse_llm_spec("openai", "openai", "m") == ("m", "review-v3")


def test_combined_and_fallback_specs() -> None:
    combo = resolve_reviewer("rules+openai:gpt-6-luna")
    assert isinstance(combo, CombinedReviewer)
    assert [type(m).__name__ for m in combo.members] == ["RulesReviewer", "LlmReviewer"]
    chain = resolve_reviewer("rules+anthropic | rules")
    assert isinstance(chain, FallbackReviewer)
    assert isinstance(chain.members[0], CombinedReviewer)
    assert chain.spec == "rules+anthropic:claude-sonnet-5-5#review-v3|rules"


@pytest.mark.parametrize("spec", ["", "rules+", "|rules", "nope:x", "rules:model", "rules||rules"])
def test_malformed_specs_are_errors(spec: str) -> None:
    with pytest.raises(ReviewerError):
        resolve_reviewer(spec)


def test_unknown_prompt_version_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="review-v1"):
        resolve_reviewer("openai:gpt-6-luna#review-v99")


@pytest.mark.parametrize("module", [anthropic, openai, google])
def test_default_models_are_current_known_and_not_retiring(module: object) -> None:
    registry = ModelRegistry.default()
    info = registry.lookup(module.DEFAULT_MODEL)  # type: ignore[attr-defined]
    assert info is not None, "a default model must be in the registry"
    assert info.structured_output
    assert info.price_on(REGISTRY_CHECKED) is not None
    assert info.lifecycle_warning(REGISTRY_CHECKED) is None
    assert info.retires is None


def test_lookup_is_exact_after_stripping_snapshot_suffixes() -> None:
    registry = ModelRegistry.default()
    assert registry.lookup("claude-haiku-4-5-20251001").name == "claude-haiku-4-5"  # type: ignore[union-attr]
    assert registry.lookup("gpt-4.1-mini-2025-04-14").name == "gpt-4.1-mini"  # type: ignore[union-attr]
    assert registry.lookup("models/gemini-3.8-flash").name == "gemini-3.8-flash"  # type: ignore[union-attr]
    assert canonical_model_name("gemini-2.0-flash-001") == "gemini-2.0-flash"
    # never a borrowed price: a newer model that merely starts like a known one is unknown
    assert registry.lookup("claude-sonnet-5-5-turbo") is None
    assert registry.lookup("gpt-6.1-terra-mini") is None
    assert registry.lookup("gpt-4") is None


def test_prices_cover_cache_reads_writes_and_thinking_as_output() -> None:
    price = ModelRegistry.default().lookup("claude-sonnet-5-5").price_on(REGISTRY_CHECKED)  # type: ignore[union-attr]
    assert price == ModelPrice(input=2.0, output=10.0, cache_read=0.20, cache_write=2.50)
    cost = price.cost(tokens_in=3_000_000, tokens_out=1_000_000, tokens_cached=1_000_000,
                      tokens_cache_write=1_000_000)
    assert cost == pytest.approx(2.0 + 0.20 + 2.50 + 10.0)


def test_long_context_tier_prices_the_whole_request() -> None:
    price = ModelRegistry.default().lookup("gpt-6.1-terra").price_on(REGISTRY_CHECKED)  # type: ignore[union-attr]
    assert price is not None
    short = price.cost(tokens_in=272_000, tokens_out=0)
    long = price.cost(tokens_in=272_001, tokens_out=1_000_000)
    assert short == pytest.approx(0.272)
    assert long == pytest.approx(272_001 * 2.0 / 1e6 + 7.5)


def test_dated_price_changes_apply_from_their_day() -> None:
    info = ModelRegistry.default().lookup("gemini-3.8-flash")
    assert info is not None
    assert info.price_on(date(2026, 12, 31)).input == 0.75  # type: ignore[union-attr]
    assert info.price_on(date(2027, 1, 1)).input == 1.50  # type: ignore[union-attr]


def test_retired_and_retiring_models_warn() -> None:
    registry = ModelRegistry.default()
    mini = registry.lookup("gpt-5-mini")
    assert mini is not None
    assert "retires on 2026-12-11" in str(mini.lifecycle_warning(date(2026, 12, 2)))
    assert "gpt-6.1-terra" in str(mini.lifecycle_warning(date(2026, 12, 2)))
    assert "was retired" in str(mini.lifecycle_warning(date(2026, 12, 12)))
    assert mini.lifecycle_warning(date(2026, 6, 1)) is None


def test_users_add_models_from_a_file_or_settings(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps({
        "as_of": "2027-01-01",
        "models": {"my-model": {"provider": "openai", "context_window": 32000,
                                "max_output": 4096, "input": 1, "output": 2}},
    }))
    registry = load_model_registry(path, entries={"claude-sonnet-5-5": {"input": 9, "output": 9}})
    assert registry.as_of == date(2027, 1, 1)
    mine = registry.lookup("my-model")
    assert mine is not None
    assert mine.context_window == 32000
    assert mine.price_on(date.today()).cost(tokens_in=10**6, tokens_out=10**6) == 3.0  # type: ignore[union-attr]
    sonnet = registry.lookup("claude-sonnet-5-5")
    assert sonnet is not None
    assert sonnet.max_output == 128_000  # the rest is kept
    assert sonnet.price_on(date.today()).input == 9  # type: ignore[union-attr]
    path.write_text("{}")
    with pytest.raises(ConfigurationError, match="models"):
        load_model_registry(path)
    with pytest.raises(ConfigurationError, match="max_output"):
        load_model_registry(entries={"new": {"input": 1, "output": 1}})
