"""Model prices and the cost estimate of a call.

Prices are US dollars per million tokens, dated (``as_of``): providers change them, so the
table is a default, not a truth. Override it per reviewer (``prices=``) with
:meth:`PriceTable.with_overrides` or a JSON file (:func:`load_price_table`)::

    {"as_of": "2026-01-15",
     "models": {"claude-sonnet-4-5": {"input": 3.0, "output": 15.0,
                                      "cached_input": 0.3, "cache_write": 3.75}}}

A model is matched exactly, then by the longest table key it starts with (so
``claude-sonnet-4-5-20250929`` uses ``claude-sonnet-4-5``; ``claude-opus-4`` comes after
``claude-opus-4-5`` in length, so the longest key wins). A model with no price costs 0
and the reviewer adds a warning saying so.

>>> table = PriceTable.default()
>>> round(table.cost("claude-sonnet-4-6", tokens_in=1_000_000, tokens_out=0), 2)
3.0
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import attrs

from docsense.errors import ConfigurationError

__all__ = ["DEFAULT_PRICES_AS_OF", "ModelPrice", "PriceTable", "load_price_table"]

#: When the default prices were last checked against the providers' pricing pages.
DEFAULT_PRICES_AS_OF = "2026-03-21"


@attrs.frozen(kw_only=True)
class ModelPrice:
    """Dollars per million tokens: input, output, cache reads and cache writes.

    ``cached_input`` and ``cache_write`` default to the input price when None.
    """

    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None


_DEFAULTS: dict[str, ModelPrice] = {
    # Anthropic: cache reads 0.1x input, 5-minute cache writes 1.25x input.
    "claude-opus-4-6": ModelPrice(input=5.0, output=25.0, cached_input=0.5, cache_write=6.25),
    "claude-opus-4-5": ModelPrice(input=5.0, output=25.0, cached_input=0.5, cache_write=6.25),
    "claude-opus-4-1": ModelPrice(input=15.0, output=75.0, cached_input=1.5, cache_write=18.75),
    "claude-opus-4": ModelPrice(input=15.0, output=75.0, cached_input=1.5, cache_write=18.75),
    "claude-sonnet-4-6": ModelPrice(input=3.0, output=15.0, cached_input=0.3, cache_write=3.75),
    "claude-sonnet-4-5": ModelPrice(input=3.0, output=15.0, cached_input=0.3, cache_write=3.75),
    "claude-sonnet-4": ModelPrice(input=3.0, output=15.0, cached_input=0.3, cache_write=3.75),
    "claude-haiku-4-5": ModelPrice(input=1.0, output=5.0, cached_input=0.1, cache_write=1.25),
    # OpenAI: automatic prompt caching, no write fee.
    "gpt-5": ModelPrice(input=1.25, output=10.0, cached_input=0.125),
    "gpt-5-mini": ModelPrice(input=0.25, output=2.0, cached_input=0.025),
    "gpt-5-nano": ModelPrice(input=0.05, output=0.4, cached_input=0.005),
    "gpt-4.1": ModelPrice(input=2.0, output=8.0, cached_input=0.5),
    "gpt-4.1-mini": ModelPrice(input=0.4, output=1.6, cached_input=0.1),
    "gpt-4o": ModelPrice(input=2.5, output=10.0, cached_input=1.25),
    "gpt-4o-mini": ModelPrice(input=0.15, output=0.6, cached_input=0.075),
    # Google Gemini API (prompts up to 200k tokens).
    "gemini-2.5-pro": ModelPrice(input=1.25, output=10.0, cached_input=0.125),
    "gemini-2.5-flash": ModelPrice(input=0.3, output=2.5, cached_input=0.03),
    "gemini-2.5-flash-lite": ModelPrice(input=0.1, output=0.4, cached_input=0.01),
}


@attrs.frozen
class PriceTable:
    """Prices by model name, with the date they were checked."""

    prices: Mapping[str, ModelPrice]
    as_of: str = DEFAULT_PRICES_AS_OF

    @classmethod
    def default(cls) -> PriceTable:
        """Return the built-in table (see :data:`DEFAULT_PRICES_AS_OF`)."""
        return cls(dict(_DEFAULTS), DEFAULT_PRICES_AS_OF)

    def with_overrides(
        self, prices: Mapping[str, ModelPrice], *, as_of: str | None = None
    ) -> PriceTable:
        """Return a table where ``prices`` replace or add entries."""
        return PriceTable({**self.prices, **prices}, as_of or self.as_of)

    def price(self, model: str) -> ModelPrice | None:
        """Return the price of ``model`` (exact, else longest matching prefix), or None."""
        if model in self.prices:
            return self.prices[model]
        best = max((k for k in self.prices if model.startswith(k)), key=len, default=None)
        return self.prices[best] if best else None

    def cost(
        self,
        model: str,
        *,
        tokens_in: int,
        tokens_out: int,
        tokens_cached: int = 0,
        tokens_cache_write: int = 0,
    ) -> float:
        """Estimated dollars for one call; ``tokens_in`` includes cached and written tokens."""
        price = self.price(model)
        if price is None:
            return 0.0
        read = price.input if price.cached_input is None else price.cached_input
        write = price.input if price.cache_write is None else price.cache_write
        plain = max(0, tokens_in - tokens_cached - tokens_cache_write)
        dollars = (
            plain * price.input
            + tokens_cached * read
            + tokens_cache_write * write
            + tokens_out * price.output
        )
        return dollars / 1_000_000


def load_price_table(path: str | Path, *, base: PriceTable | None = None) -> PriceTable:
    """Read a JSON price file (format in the module doc) over ``base`` (default table)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        models = {
            name: ModelPrice(
                input=float(p["input"]),
                output=float(p["output"]),
                cached_input=None if p.get("cached_input") is None else float(p["cached_input"]),
                cache_write=None if p.get("cache_write") is None else float(p["cache_write"]),
            )
            for name, p in data["models"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigurationError(
            f"price file {str(path)!r} is not valid: {exc}; expected "
            '{"as_of": "YYYY-MM-DD", "models": {"MODEL": {"input": 3.0, "output": 15.0}}}'
        ) from exc
    return (base or PriceTable.default()).with_overrides(models, as_of=data.get("as_of"))
