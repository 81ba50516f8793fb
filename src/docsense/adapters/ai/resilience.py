"""One resilience layer for every LLM provider: timeout, retries, circuit breaker, concurrency.

Each provider call goes through :meth:`Resilience.call`:

1. the **circuit breaker** fails fast with :class:`~docsense.errors.CircuitOpen` while the
   provider is cooling down after ``failure_threshold`` consecutive failed attempts; after
   ``reset_after`` seconds one probe call is let through (half-open): success closes the
   breaker, failure opens it again;
2. a **concurrency limit** (a semaphore per provider and event loop) bounds calls in flight;
3. each attempt runs under a **per-call timeout** (:class:`~docsense.errors.ProviderTimeout`);
4. a retryable :class:`~docsense.errors.ProviderError` (429, 5xx, connection error, timeout)
   is **retried** by tenacity with jittered exponential backoff; a ``Retry-After`` the
   provider sent is honoured (the wait is at least that, capped by ``max_wait``).

Adapters translate their SDK's exceptions into ``ProviderError`` before they reach this
layer, and turn the SDK's own retries off so that only this policy applies.

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
import tenacity

from docsense.errors import CircuitOpen, ProviderError, ProviderTimeout

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

    ``attempts`` counts the first call. The n-th retry waits a random time in
    ``[0, min(max_wait, initial_wait * 2**n)]`` plus ``initial_wait`` (full jitter), or the
    provider's ``Retry-After`` if that is longer (capped by ``max_wait``).
    """

    attempts: int = 4
    initial_wait: float = 1.0
    max_wait: float = 60.0

    def wait_for(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        backoff = min(self.max_wait, self.initial_wait * 2 ** (attempt - 1))
        jittered = self.initial_wait + random.uniform(0, backoff)  # noqa: S311 (not crypto)
        if retry_after is not None and retry_after > 0:
            return min(self.max_wait, max(retry_after, jittered))
        return min(self.max_wait, jittered)


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
            if exc.retryable:
                self.breaker.record_failure()
            else:  # the provider answered (e.g. 400): it is up
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

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            after = exc.retry_after if isinstance(exc, ProviderError) else None
            return policy.wait_for(state.attempt_number, after)

        retrying = tenacity.AsyncRetrying(
            sleep=self._sleep,
            stop=tenacity.stop_after_attempt(policy.attempts),
            wait=wait,
            retry=tenacity.retry_if_exception(
                lambda e: (
                    isinstance(e, ProviderError) and e.retryable and not isinstance(e, CircuitOpen)
                )
            ),
            reraise=True,
        )
        return await retrying(self._attempt, fn)


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


_RETRYABLE_STATUS = frozenset({408, 409, 425, 429})


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
    provider: str, status: int, message: str, headers: Mapping[str, str] | None = None
) -> ProviderError:
    """Translate an HTTP error answer into a ProviderError (429, 408 and 5xx are retryable)."""
    retryable = status in _RETRYABLE_STATUS or status >= 500
    hint = {
        401: "check the API key",
        403: "check the API key's permissions",
        404: "check the model name and the base URL",
        429: "rate limited",
    }.get(status, "")
    return ProviderError(
        provider,
        f"HTTP {status}: {message}" + (f" ({hint})" if hint else ""),
        status=status,
        retryable=retryable,
        retry_after=parse_retry_after(headers) if retryable else None,
    )
