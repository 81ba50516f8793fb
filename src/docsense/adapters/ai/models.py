"""The model registry: what docsense knows about each provider model, dated and sourced.

Per model: context window, maximum output, whether it supports strict structured output,
prices (input, output, cache read, cache write; thinking is billed as output) that may
change on announced dates, and the retirement date where the provider announced one.

Lookup is **exact**, after stripping a date or snapshot suffix (``claude-haiku-4-5-20251001``
is ``claude-haiku-4-5``, ``gpt-4.1-2025-04-14`` is ``gpt-4.1``, ``gemini-2.0-flash-001`` is
``gemini-2.0-flash``). A model that is not in the registry is never priced like another
whose name it starts with: its cost is *unknown* (``Usage.cost_estimate`` None) and the
review carries one warning saying so. Add models in settings (``DOCSENSE_LLM_MODELS``, a
JSON object) or a JSON file (:func:`load_model_registry`)::

    {"as_of": "2026-12-02",
     "models": {"my-finetune": {"provider": "openai", "context_window": 128000,
                                "max_output": 16384, "input": 3.0, "output": 12.0,
                                "cache_read": 0.3}}}

The built-in entries were checked on :data:`REGISTRY_CHECKED` against the providers'
model and pricing pages as stored for this project (``source`` on each entry names the
page). Where those pages did not give a number, the entry says how it was derived (a
provider's documented multiplier) or leaves it out (``context_window`` None); the how-to
``docs/how-to/llm-providers.md`` lists what could not be checked.

>>> registry = ModelRegistry.default()
>>> registry.lookup("claude-haiku-4-5-20251001").name
'claude-haiku-4-5'
>>> registry.lookup("claude-sonnet-4-6-experimental") is None
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from docsense.adapters.ai.pricing import DatedPrice, ModelPrice
from docsense.errors import ConfigurationError

__all__ = [
    "REGISTRY_CHECKED",
    "ModelInfo",
    "ModelRegistry",
    "canonical_model_name",
    "load_model_registry",
]

#: When the built-in entries were last checked against the providers' pages.
REGISTRY_CHECKED = date(2026, 12, 2)

#: How soon before a model's announced retirement a review starts warning about it.
RETIREMENT_NOTICE_DAYS = 60

_SUFFIXES = (
    re.compile(r"-\d{4}-\d{2}-\d{2}$"),  # OpenAI snapshots: gpt-4.1-2025-04-14
    re.compile(r"-\d{8}$"),  # Anthropic snapshots: claude-haiku-4-5-20251001
    re.compile(r"@\d{8}$"),  # Vertex AI: claude-opus-4-1@20250805
    re.compile(r"-\d{3}$"),  # Gemini versions: gemini-2.0-flash-001
)


def canonical_model_name(model: str) -> str:
    """Return ``model`` without a date or snapshot suffix (and without ``models/``).

    >>> canonical_model_name("gpt-4.1-mini-2025-04-14")
    'gpt-4.1-mini'
    >>> canonical_model_name("models/gemini-3.8-flash")
    'gemini-3.8-flash'
    """
    name = model.strip().removeprefix("models/")
    for pattern in _SUFFIXES:
        stripped = pattern.sub("", name)
        if stripped != name:
            return stripped
    return name


@attrs.frozen(kw_only=True)
class ModelInfo:
    """One model: limits, structured-output support, dated prices, lifecycle, source.

    ``context_window`` and ``max_output`` are tokens (``context_window`` None when the
    provider's page did not state it). ``prices`` are in date order; :meth:`price_on` picks
    the one in force on a day. ``retires`` is the announced shutdown date (requests fail
    from that day), ``replacement`` the model the provider recommends instead.
    """

    name: str
    provider: str
    context_window: int | None
    max_output: int
    structured_output: bool = True
    prices: tuple[DatedPrice, ...] = ()
    retires: date | None = None
    replacement: str | None = None
    source: str = ""
    checked: date = REGISTRY_CHECKED
    note: str = ""

    def price_on(self, day: date) -> ModelPrice | None:
        """Return the price in force on ``day`` (None when the model has no price)."""
        current: ModelPrice | None = None
        for dated in self.prices:
            if dated.since is None or dated.since <= day:
                current = dated.price
        return current

    def lifecycle_warning(self, day: date) -> str | None:
        """Return a warning if the model is retired, or retires within 60 days of ``day``."""
        if self.retires is None:
            return None
        instead = f"; use {self.replacement}" if self.replacement else ""
        if day >= self.retires:
            return (
                f"model {self.name!r} was retired by {self.provider} on "
                f"{self.retires.isoformat()}: requests to it fail{instead}"
            )
        if (self.retires - day).days <= RETIREMENT_NOTICE_DAYS:
            return (
                f"model {self.name!r} retires on {self.retires.isoformat()} "
                f"({(self.retires - day).days} days){instead}"
            )
        return None


def _price(
    input: float,
    output: float,
    cache_read: float | None = None,
    cache_write: float | None = None,
    *,
    above: int | None = None,
    long: ModelPrice | None = None,
) -> ModelPrice:
    return ModelPrice(
        input=input,
        output=output,
        cache_read=cache_read,
        cache_write=cache_write,
        long_context_above=above,
        long_context=long,
    )


def _model(
    name: str,
    provider: str,
    context_window: int | None,
    max_output: int,
    price: ModelPrice | None,
    *,
    source: str,
    later: Iterable[tuple[date, ModelPrice]] = (),
    **extra: Any,
) -> ModelInfo:
    prices = (() if price is None else (DatedPrice(price),)) + tuple(
        DatedPrice(p, since) for since, p in later
    )
    return ModelInfo(
        name=name,
        provider=provider,
        context_window=context_window,
        max_output=max_output,
        prices=prices,
        source=source,
        **extra,
    )


_CLAUDE = "https://platform.claude.com/docs/en/models/{}/overview"
_OPENAI = "https://developers.openai.com/api/docs/models/{}"
_OPENAI_RETIRE = "https://developers.openai.com/api/docs/deprecations"
_GEMINI = "https://ai.google.dev/gemini-api/docs/pricing"
_ANTHROPIC_CACHE = (
    "cache prices derived from Anthropic's documented multipliers (5-minute write 1.25x, "
    "read 0.1x input): the model page did not list them"
)

_BUILTIN: tuple[ModelInfo, ...] = (
    # --- Anthropic (cache write = 5-minute TTL, the one docsense uses) -----------------------
    _model("claude-sonnet-5-5", "anthropic", 1_000_000, 128_000,
           _price(2.0, 10.0, 0.20, 2.50), source=_CLAUDE.format("sonnet-5-5")),
    _model("claude-opus-5-5", "anthropic", 1_000_000, 128_000,
           _price(4.0, 20.0, 0.20, 5.00), source=_CLAUDE.format("opus-5-5")),
    _model("claude-haiku-5-5", "anthropic", 1_000_000, 128_000,
           _price(0.10, 0.50, 0.01, 0.125, above=100_000,
                  long=_price(0.50, 2.50, 0.05, 0.625)),
           source=_CLAUDE.format("haiku-5-5"),
           note="cache read derived from the documented 0.1x multiplier"),
    _model("claude-fable-5-1", "anthropic", 1_000_000, 128_000,
           _price(10.0, 50.0, 1.0, 12.50), source=_CLAUDE.format("fable-5-1"),
           note=_ANTHROPIC_CACHE),
    _model("claude-sonnet-5", "anthropic", 1_000_000, 128_000,
           _price(2.0, 10.0, 0.20, 2.50), source=_CLAUDE.format("sonnet-5")),
    _model("claude-sonnet-4-6", "anthropic", 200_000, 64_000,
           _price(3.0, 15.0, 0.30, 3.75), source=_CLAUDE.format("sonnet-4-6")),
    _model("claude-haiku-4-5", "anthropic", 200_000, 64_000,
           _price(1.0, 5.0, 0.10, 1.25), source=_CLAUDE.format("haiku-4-5")),
    _model("claude-opus-4-5", "anthropic", 200_000, 64_000,
           _price(5.0, 25.0, 0.50, 6.25), source=_CLAUDE.format("opus-4-5"),
           retires=date(2027, 1, 22), replacement="claude-opus-5-5"),
    _model("claude-sonnet-4-5", "anthropic", 200_000, 64_000,
           _price(3.0, 15.0, 0.30, 3.75), source=_CLAUDE.format("sonnet-4-5"),
           retires=date(2026, 11, 30), replacement="claude-sonnet-5-5"),
    # --- OpenAI (cached input = cache read; GPT-6 bills cache writes, 30-minute retention) ----
    _model("gpt-6.1-terra", "openai", 1_050_000, 128_000,
           _price(1.0, 5.0, 0.05, 1.25, above=272_000, long=_price(2.0, 7.5, 0.10, 2.50)),
           source=_OPENAI.format("gpt-6.1-terra"),
           note="context window 1,050,000 of which at most 922,000 input tokens"),
    _model("gpt-6-luna", "openai", 1_000_000, 128_000,
           _price(0.10, 0.50, 0.01, 0.125), source=_OPENAI.format("gpt-6-luna")),
    _model("gpt-5-mini", "openai", 400_000, 128_000, _price(0.25, 2.0, 0.025),
           source=_OPENAI_RETIRE, retires=date(2026, 12, 11), replacement="gpt-6.1-terra"),
    _model("gpt-5", "openai", 400_000, 128_000, _price(1.25, 10.0, 0.125),
           source=_OPENAI_RETIRE, retires=date(2026, 12, 11), replacement="gpt-6.1-sol"),
    _model("gpt-5-nano", "openai", 400_000, 128_000, _price(0.05, 0.40, 0.005),
           source=_OPENAI_RETIRE, retires=date(2026, 12, 11), replacement="gpt-6-luna"),
    _model("gpt-4.1", "openai", 1_047_576, 32_768, _price(2.0, 8.0, 0.50),
           source=_OPENAI_RETIRE, retires=date(2027, 1, 14), replacement="gpt-6-luna"),
    _model("gpt-4.1-mini", "openai", 1_047_576, 32_768, _price(0.40, 1.60, 0.10),
           source=_OPENAI_RETIRE, retires=date(2027, 1, 14), replacement="gpt-6-luna"),
    _model("gpt-4o", "openai", 128_000, 16_384, _price(2.50, 10.0, 1.25),
           source=_OPENAI_RETIRE, retires=date(2027, 1, 14), replacement="gpt-6-luna"),
    _model("gpt-4o-mini", "openai", 128_000, 16_384, _price(0.15, 0.60, 0.075),
           source=_OPENAI_RETIRE, retires=date(2027, 1, 14), replacement="gpt-6-luna"),
    # --- Google Gemini API (thinking billed as output) -----------------------------------------
    _model("gemini-3.8-flash", "google", 1_048_576, 65_536, _price(0.75, 3.75, 0.075),
           source=_GEMINI,
           later=[(date(2027, 1, 1), _price(1.50, 7.50, 0.15))],
           note="introductory price through 2026-12-31; the 2027 cache-read price is derived "
           "(0.1x input, as before): the page gave input and output only"),
    _model("gemini-2.5-pro", "google", 1_048_576, 65_536,
           _price(1.25, 10.0, 0.125, above=200_000, long=_price(2.50, 15.0, 0.25)),
           source="https://ai.google.dev/gemini-api/docs/deprecations",
           retires=date(2026, 6, 17), replacement="gemini-3.8-flash"),
    _model("gemini-2.5-flash", "google", 1_048_576, 65_536, _price(0.30, 2.50, 0.03),
           source="https://ai.google.dev/gemini-api/docs/deprecations",
           retires=date(2026, 11, 12), replacement="gemini-3.8-flash"),
)


@attrs.frozen
class ModelRegistry:
    """Models by canonical name (see :func:`canonical_model_name`), with the check date."""

    models: Mapping[str, ModelInfo]
    as_of: date = REGISTRY_CHECKED

    @classmethod
    def default(cls) -> ModelRegistry:
        """Return the built-in registry (checked on :data:`REGISTRY_CHECKED`)."""
        return cls({m.name: m for m in _BUILTIN}, REGISTRY_CHECKED)

    def lookup(self, model: str) -> ModelInfo | None:
        """Return ``model``'s entry: exact name, else exact after stripping a snapshot suffix."""
        found = self.models.get(model.strip())
        return found if found is not None else self.models.get(canonical_model_name(model))

    def with_models(
        self, models: Iterable[ModelInfo], *, as_of: date | None = None
    ) -> ModelRegistry:
        """Return a registry where ``models`` replace or add entries."""
        return ModelRegistry({**self.models, **{m.name: m for m in models}}, as_of or self.as_of)

    def with_entries(
        self, entries: Mapping[str, Mapping[str, Any]], *, as_of: date | None = None
    ) -> ModelRegistry:
        """Return a registry with models given as plain data (the settings / file format).

        Each entry has ``provider``, ``context_window``, ``max_output``, ``input`` and
        ``output``, and optionally ``cache_read``, ``cache_write``, ``structured_output``,
        ``retires`` (ISO date) and ``replacement``. An entry for a built-in model may give
        only the fields it changes.
        """
        return self.with_models(
            (_entry(name, data, self.models.get(name)) for name, data in entries.items()),
            as_of=as_of,
        )


def _entry(name: str, data: Mapping[str, Any], base: ModelInfo | None) -> ModelInfo:
    known = {
        "provider", "context_window", "max_output", "input", "output", "cache_read",
        "cache_write", "structured_output", "retires", "replacement", "source", "note",
    }
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    old = base.price_on(date.max) if base is not None else None
    price: ModelPrice | None = old
    if "input" in data or "output" in data or old is None:
        if "input" not in data or "output" not in data:
            raise ValueError("give both 'input' and 'output' prices (US dollars per 1M tokens)")
        price = ModelPrice(
            input=float(data["input"]),
            output=float(data["output"]),
            cache_read=None if data.get("cache_read") is None else float(data["cache_read"]),
            cache_write=None if data.get("cache_write") is None else float(data["cache_write"]),
        )
    if base is None and "max_output" not in data:
        raise ValueError("give 'max_output' (tokens)")
    retires = data.get("retires", base.retires if base else None)
    return ModelInfo(
        name=name,
        provider=str(data.get("provider", base.provider if base else "")),
        context_window=(
            int(data["context_window"])
            if data.get("context_window") is not None
            else (base.context_window if base else None)
        ),
        max_output=int(data.get("max_output", base.max_output if base else 0)),
        structured_output=bool(
            data.get("structured_output", base.structured_output if base else True)
        ),
        prices=(DatedPrice(price),) if price is not None else (),
        retires=date.fromisoformat(retires) if isinstance(retires, str) else retires,
        replacement=data.get("replacement", base.replacement if base else None),
        source=str(data.get("source", "settings")),
        note=str(data.get("note", "")),
    )


def load_model_registry(
    path: str | Path | None = None,
    *,
    entries: Mapping[str, Mapping[str, Any]] | None = None,
    base: ModelRegistry | None = None,
) -> ModelRegistry:
    """Return ``base`` (the built-in registry) with models from a JSON file and/or ``entries``.

    The file holds ``{"as_of": "YYYY-MM-DD", "models": {NAME: ENTRY}}`` (entry fields in
    :meth:`ModelRegistry.with_entries`). Raise :class:`~docsense.errors.ConfigurationError`
    naming the file (or ``llm_models``) and the problem.
    """
    registry = base or ModelRegistry.default()
    if path is not None:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            as_of = date.fromisoformat(data["as_of"]) if data.get("as_of") else None
            registry = registry.with_entries(data["models"], as_of=as_of)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigurationError(
                f"model file {str(path)!r} is not valid: {exc}; expected "
                '{"as_of": "YYYY-MM-DD", "models": {"MODEL": {"provider": "openai", '
                '"context_window": 128000, "max_output": 16384, "input": 3.0, "output": 12.0}}}'
            ) from exc
    if entries:
        try:
            registry = registry.with_entries(entries)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigurationError(f"llm_models setting is not valid: {exc}") from exc
    return registry
