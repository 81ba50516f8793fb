"""Model prices and the cost of one call, as the provider bills it.

Prices are US dollars per million tokens. A :class:`ModelPrice` has the four rates a bill
uses (input, output, cache read, cache write) and, for models billed at a higher rate when a
request is long, a *long-context tier*: when a request's input tokens exceed
``long_context_above``, the whole request is billed at ``long_context``'s rates (OpenAI
above 272K input tokens, Claude Haiku 5.5 above 100K, older Gemini Pro models above 200K).

Thinking (reasoning) tokens are billed as output by every provider: the adapters count them
in ``tokens_out``, so they are priced at the output rate here.

>>> price = ModelPrice(input=2.0, output=10.0, cache_read=0.2, cache_write=2.5)
>>> round(price.cost(tokens_in=1_000_000, tokens_out=100_000, tokens_cached=500_000), 4)
3.1
"""

from __future__ import annotations

from datetime import date

import attrs

__all__ = ["BATCH_DISCOUNT", "DatedPrice", "ModelPrice"]

#: What a provider batch costs relative to the standard rate: Anthropic Message Batches,
#: the OpenAI Batch API and Gemini batch mode all bill 50% (input, output and cache).
BATCH_DISCOUNT = 0.5


def _rate(_: object, attribute: attrs.Attribute[float], value: float | None) -> None:
    if value is not None and not value >= 0:
        raise ValueError(f"price {attribute.name} must be >= 0, got {value!r}")


@attrs.frozen(kw_only=True)
class ModelPrice:
    """Dollars per million tokens: input, output, cache reads and cache writes.

    ``cache_read`` and ``cache_write`` are None when the provider has no such charge (then
    those tokens cost the input rate: OpenAI's older models bill no cache writes, which
    they report as 0 anyway). ``long_context_above`` / ``long_context`` describe a higher
    tier applied to the whole request when its input tokens exceed the threshold.
    """

    input: float = attrs.field(validator=_rate)
    output: float = attrs.field(validator=_rate)
    cache_read: float | None = attrs.field(default=None, validator=_rate)
    cache_write: float | None = attrs.field(default=None, validator=_rate)
    long_context_above: int | None = None
    long_context: ModelPrice | None = None

    def tier(self, tokens_in: int) -> ModelPrice:
        """Return the rates that apply to a request with ``tokens_in`` input tokens."""
        if (
            self.long_context is not None
            and self.long_context_above is not None
            and tokens_in > self.long_context_above
        ):
            return self.long_context
        return self

    def cost(
        self,
        *,
        tokens_in: int,
        tokens_out: int,
        tokens_cached: int = 0,
        tokens_cache_write: int = 0,
    ) -> float:
        """Dollars for one call.

        ``tokens_in`` counts every input token, cache reads (``tokens_cached``) and writes
        (``tokens_cache_write``) included; ``tokens_out`` counts every output token,
        thinking included.
        """
        rates = self.tier(tokens_in)
        read = rates.input if rates.cache_read is None else rates.cache_read
        write = rates.input if rates.cache_write is None else rates.cache_write
        plain = max(0, tokens_in - tokens_cached - tokens_cache_write)
        dollars = (
            plain * rates.input
            + tokens_cached * read
            + tokens_cache_write * write
            + tokens_out * rates.output
        )
        return dollars / 1_000_000


@attrs.frozen
class DatedPrice:
    """A price that applies from ``since`` (None: since the model was released)."""

    price: ModelPrice
    since: date | None = None
