"""One resilience layer for every LLM provider: timeout, retries, circuit breaker, concurrency.

Each provider call goes through :meth:`Resilience.call`:

1. the **circuit breaker** fails fast with :class:`~docsense.errors.CircuitOpen` while the
   provider is cooling down after ``failure_threshold`` consecutive failed attempts; after
   ``reset_after`` seconds one probe call is let through (half-open): success closes the
   breaker, failure opens it again;
2. a **concurrency limit** (a semaphore per provider and event loop) bounds calls in flight;
3. each attempt runs under a **per-call timeout** (:class:`~docsense.errors.ProviderTimeout`);
4. an **outage** (5xx, timeout, connection error) is retried up to ``attempts`` times with
   jittered exponential backoff and counts as a breaker failure;
5. a **rate limit** (429, :class:`~docsense.errors.RateLimited`) is *not* an outage: it is
   waited out for as long as the provider asks (``Retry-After``, ``retry-after-ms`` or
   Gemini's ``RetryInfo.retryDelay``, read by the adapter), with backoff when it does not
   say, within a total ``rate_limit_deadline``; it never counts toward the breaker. A wait
   the provider asks for that would end past the deadline fails at once;
6. a **spent quota** (:class:`~docsense.errors.QuotaExhausted`: a per-day quota, OpenAI
   ``insufficient_quota``) is not retried at all.

Adapters translate their SDK's exceptions into these errors (:func:`status_error`) before
they reach this layer, and turn the SDK's own retries off: one policy, which tells rate
limits from outages, decides every retry, and every request it makes is one the provider
(or a test's fake server) sees.

The clock and the sleep function are injectable, so tests never wait for real:

>>> import asyncio
>>> waits: list[float] = []
>>> async def fake_sleep(seconds: float) -> None:
...     waits.append(seconds)
>>> layer = Resilience("demo", sleep=fake_sleep)
>>> asyncio.run(layer.call(lambda: asyncio.sleep(0, result="ok")))
'ok'
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import TypeVar

import attrs

from docsense.errors import (
    CircuitOpen,
    ProviderError,
    ProviderTimeout,
    QuotaExhausted,
    RateLimited,
)

__all__ = [
    "BreakerState",
    "CircuitBreaker",
    "Resilience",
    "RetryPolicy",
    "parse_retry_after",
    "provider_resilience",
    "reset_provider_resilience",
    "status_error",
]

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how long to retry a transient provider failure.

    Outages: ``attempts`` counts the first call. The n-th retry waits a random time in
    ``[0, min(max_wait, initial_wait * 2**n)]`` plus ``initial_wait`` (full jitter), or the
    provider's ``Retry-After`` if that is longer (capped by ``max_wait``).

    Rate limits: retried while the total time since the first attempt stays within
    ``rate_limit_deadline`` seconds (and at most ``rate_limit_retries`` times); each wait is
    exactly what the provider asked for, else the same jittered backoff.
    """

    attempts: int = 4
    initial_wait: float = 1.0
    max_wait: float = 60.0
    rate_limit_deadline: float = 300.0
    rate_limit_retries: int = 30

    def backoff(self, attempt: int) -> float:
        """Return a jittered exponential wait before retry number ``attempt`` (1-based)."""
        ceiling = min(self.max_wait, self.initial_wait * 2 ** (attempt - 1))
        return min(self.max_wait, self.initial_wait + random.uniform(0, ceiling))  # noqa: S311

    def wait_for(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before outage retry number ``attempt`` (1-based)."""
        jittered = self.backoff(attempt)
        if retry_after is not None and retry_after > 0:
            return min(self.max_wait, max(retry_after, jittered))
        return jittered

    def rate_limit_wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before rate-limit retry ``attempt``: as asked, else backoff."""
        if retry_after is not None and retry_after >= 0:
            return retry_after
        return self.backoff(attempt)


class BreakerState(StrEnum):
    """Where a circuit breaker is."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Counts consecutive failed attempts; opens after ``failure_threshold`` of them.

    Thread-safe (a breaker is shared by every reviewer of a provider).
    """

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        reset_after: float = 30.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        """The current state (OPEN turns HALF_OPEN once ``reset_after`` has passed)."""
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.reset_after:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def before_call(self) -> None:
        """Raise :class:`CircuitOpen` unless a call may go through now."""
        with self._lock:
            state = self._state()
            if state is BreakerState.CLOSED:
                return
            if state is BreakerState.HALF_OPEN and not self._probing:
                self._probing = True  # one probe at a time
                return
            assert self._opened_at is not None
            remaining = max(0.0, self.reset_after - (self._clock() - self._opened_at))
        raise CircuitOpen(
            self.name,
            f"circuit open after {self.failure_threshold} consecutive failures; calls are "
            f"suspended for {remaining:.0f} s more (the provider is failing: check its status, "
            "or use a fallback chain such as 'anthropic:MODEL|rules')",
            retryable=True,
            retry_after=remaining,
        )

    def record_success(self) -> None:
        """Close the breaker."""
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._probing = False

    def release_probe(self) -> None:
        """Let another probe through after one ended without a verdict (e.g. cancelled)."""
        with self._lock:
            self._probing = False

    def record_failure(self) -> None:
        """Count a failed attempt; open (or re-open after a failed probe) at the threshold."""
        with self._lock:
            self._failures += 1
            if self._probing or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()
            self._probing = False


class Resilience:
    """Timeout, retries, breaker and concurrency limit for one provider (see module doc)."""

    def __init__(
        self,
        name: str,
        *,
        timeout: float = 120.0,
        max_concurrency: int = 8,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        if timeout <= 0 or max_concurrency < 1:
            raise ValueError("timeout must be > 0 and max_concurrency >= 1")
        self.name = name
        self.timeout = timeout
        self.max_concurrency = max_concurrency
        self.retry = retry or RetryPolicy()
        self.breaker = breaker or CircuitBreaker(name, clock=clock)
        self._sleep = sleep
        self._clock = clock
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()
        self.attempts = 0  # every attempt made, for tests and metrics

    def _semaphore(self) -> asyncio.Semaphore:
        # A semaphore belongs to one event loop; the sync facade may run several loops.
        loop = asyncio.get_running_loop()
        sem = self._semaphores.get(loop)
        if sem is None:
            sem = self._semaphores[loop] = asyncio.Semaphore(self.max_concurrency)
        return sem

    async def _attempt(self, fn: Callable[[], Awaitable[T]]) -> T:
        self.breaker.before_call()
        self.attempts += 1
        try:
            async with self._semaphore():
                try:
                    async with asyncio.timeout(self.timeout):
                        result = await fn()
                except TimeoutError:
                    raise ProviderTimeout(
                        self.name,
                        f"no answer within {self.timeout:g} s (raise the timeout for long "
                        "documents, or check the base URL)",
                        retryable=True,
                    ) from None
        except ProviderError as exc:
            if exc.retryable and not isinstance(exc, RateLimited | CircuitOpen):
                self.breaker.record_failure()
            else:  # the provider answered (a 400, a rate limit, a spent quota): it is up
                self.breaker.record_success()
            raise
        except BaseException:
            self.breaker.release_probe()
            raise
        self.breaker.record_success()
        return result

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run ``fn`` (one provider request) under the breaker, limit, timeout and retries."""
        policy = self.retry
        started = self._clock()
        failures = limited = 0
        while True:
            try:
                return await self._attempt(fn)
            except QuotaExhausted:
                raise
            except RateLimited as exc:
                limited += 1
                wait = policy.rate_limit_wait(limited, exc.retry_after)
                spent = self._clock() - started
                if limited > policy.rate_limit_retries or spent + wait > policy.rate_limit_deadline:
                    raise self._still_limited(exc, limited, spent, wait) from None
            except CircuitOpen:
                raise
            except ProviderError as exc:
                if not exc.retryable:
                    raise
                failures += 1
                if failures >= policy.attempts:
                    raise
                wait = policy.wait_for(failures, exc.retry_after)
            await self._sleep(wait)

    def _still_limited(
        self, exc: RateLimited, tries: int, spent: float, wait: float
    ) -> RateLimited:
        deadline = self.retry.rate_limit_deadline
        if spent + wait > deadline and exc.retry_after is not None:
            why = (
                f"the provider asks to wait {wait:g} s more, past the {deadline:g} s deadline "
                f"({spent:g} s already spent)"
            )
        else:
            why = f"still rate limited after {tries} tries over {spent:g} s"
        return RateLimited(
            self.name,
            f"{why}; lower DOCSENSE_LLM_MAX_CONCURRENCY, raise the deadline, or ask the "
            f"provider for a higher rate limit (last answer: {_detail(exc)})",
            status=exc.status,
            retryable=True,
            retry_after=exc.retry_after,
        )


def _detail(exc: ProviderError) -> str:
    text = str(exc)
    prefix = f"{exc.provider}: "
    return text[len(prefix):] if text.startswith(prefix) else text


_REGISTRY: dict[tuple[str, str], Resilience] = {}
_REGISTRY_LOCK = threading.Lock()


def provider_resilience(
    provider: str, base_url: str | None, *, timeout: float, max_concurrency: int
) -> Resilience:
    """Return the process-wide layer of ``provider`` at ``base_url`` (created on first use).

    Every reviewer of the same provider and endpoint shares its breaker and concurrency
    limit, so a batch of reviews cannot overrun the provider's rate limits. The first
    caller's ``timeout`` and ``max_concurrency`` win.
    """
    key = (provider, base_url or "")
    with _REGISTRY_LOCK:
        layer = _REGISTRY.get(key)
        if layer is None:
            layer = _REGISTRY[key] = Resilience(
                provider, timeout=timeout, max_concurrency=max_concurrency
            )
        return layer


def reset_provider_resilience() -> None:
    """Forget every shared layer (closes all breakers); for tests and long-lived workers."""
    with _REGISTRY_LOCK:
        _REGISTRY.clear()


_RETRYABLE_STATUS = frozenset({408, 409, 425})


def parse_retry_after(
    headers: Mapping[str, str] | None, *, now: float | None = None
) -> float | None:
    """Return the seconds a response asks the client to wait, or None.

    Reads ``retry-after-ms``, then ``retry-after`` (seconds or an HTTP date).
    """
    if not headers:
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        if "retry-after-ms" in lower:
            return max(0.0, float(lower["retry-after-ms"]) / 1000)
        value = lower.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value).timestamp()
            return max(0.0, when - (time.time() if now is None else now))
    except (ValueError, TypeError, OverflowError):
        return None


def status_error(
    provider: str,
    status: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    *,
    retry_after: float | None = None,
    quota: str | None = None,
) -> ProviderError:
    """Translate an HTTP error answer into the error the resilience layer acts on.

    - ``quota`` (the quota the provider said is spent: OpenAI ``insufficient_quota``, a
      Gemini per-day quota id, Anthropic ``billing_error``) gives
      :class:`~docsense.errors.QuotaExhausted`, never retried;
    - 429 gives :class:`~docsense.errors.RateLimited`, waited out for ``retry_after`` (read
      by the adapter from the body, e.g. Gemini ``RetryInfo``) or the ``retry-after-ms`` /
      ``Retry-After`` headers;
    - 408, 409, 425 and 5xx are retryable outages; any other status is final.

    The message is one line.
    """
    flat = " ".join(message.split())
    if quota is not None:
        return QuotaExhausted(
            provider,
            f"HTTP {status}: quota exhausted ({quota}); retrying will not help: add credit or "
            f"raise the quota, then review again ({flat})",
            status=status,
        )
    after = retry_after if retry_after is not None else parse_retry_after(headers)
    if status == 429:
        return RateLimited(
            provider, f"HTTP 429: {flat} (rate limited)", status=429, retryable=True,
            retry_after=after,
        )
    retryable = status in _RETRYABLE_STATUS or status >= 500
    hint = {
        401: "check the API key",
        403: "check the API key's permissions",
        404: "check the model name and the base URL",
    }.get(status, "")
    return ProviderError(
        provider,
        f"HTTP {status}: {flat}" + (f" ({hint})" if hint else ""),
        status=status,
        retryable=retryable,
        retry_after=after if retryable else None,
    )
