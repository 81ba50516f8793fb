"""What keeps the service safe: problem details, rate limits, size limits, secure headers.

Nothing here trusts the client: not its declared content type (uploads are sniffed by the
ingest safety), not a forwarded header, not the length it announces (bodies are counted as
they arrive).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable
from typing import Any

import attrs
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docsense.errors import (
    AggregateNotFound,
    AuthenticationFailed,
    ConcurrencyConflict,
    ConfigurationError,
    DocSenseError,
    FileTooLarge,
    IdempotencyKeyReused,
    IngestError,
    IngestTimeout,
    InvalidArgument,
    InvalidTransition,
    InvariantViolation,
    PermissionDenied,
    ReviewError,
    StorageError,
    StoreUnavailable,
    TooManyPages,
    UnsupportedFileType,
    VersionNotFound,
)

__all__ = [
    "BodyLimitMiddleware",
    "Principal",
    "RateLimited",
    "RateLimiter",
    "SecureHeadersMiddleware",
    "problem_body",
    "status_of",
]

audit = logging.getLogger("docsense.server.audit")

_PATHS = re.compile(r"(?<![\w.:/])(?:/[\w.@+-]+){2,}/?")


def scrub(text: str) -> str:
    """Remove file system paths from a message (they say nothing useful to a client)."""
    return _PATHS.sub("<path>", text)


@attrs.frozen
class Principal:
    """Who a request acts as: its token's id, actor and scopes."""

    token_id: str
    actor: str
    scopes: tuple[str, ...]


class RateLimited(Exception):
    """A token (or a client failing to authenticate) sent too many requests."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many requests; retry after {math.ceil(retry_after)} s")
        self.retry_after = max(1, math.ceil(retry_after))


class RateLimiter:
    """Token buckets by key: ``per_minute`` steady rate, ``burst`` at once. One process's."""

    def __init__(
        self, per_minute: int, burst: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def hit(self, key: str) -> None:
        """Take one request from ``key``'s bucket; raise RateLimited if it is empty."""
        now = self._clock()
        level, last = self._buckets.get(key, (self._burst, now))
        level = min(self._burst, level + (now - last) * self._rate)
        if level < 1.0:
            self._buckets[key] = (level, now)
            raise RateLimited((1.0 - level) / self._rate)
        self._buckets[key] = (level - 1.0, now)
        if len(self._buckets) > 100_000:  # forget the idlest keys, never grow without bound
            for stale in sorted(self._buckets, key=lambda k: self._buckets[k][1])[:50_000]:
                del self._buckets[stale]


_STATUS: list[tuple[type[BaseException], int, str]] = [
    (AuthenticationFailed, 401, "authentication required"),
    (PermissionDenied, 403, "insufficient scope"),
    (FileTooLarge, 413, "file too large"),
    (TooManyPages, 413, "too many pages"),
    (UnsupportedFileType, 415, "unsupported file type"),
    (IngestTimeout, 422, "file could not be converted in time"),
    (IngestError, 422, "file rejected"),
    (VersionNotFound, 404, "not found"),
    (AggregateNotFound, 404, "not found"),
    (IdempotencyKeyReused, 422, "idempotency key reused"),
    (InvalidArgument, 400, "invalid request"),
    (InvalidTransition, 409, "not allowed now"),
    (InvariantViolation, 400, "invalid request"),
    (ConcurrencyConflict, 409, "conflict"),
    (StoreUnavailable, 503, "store unavailable"),
    (StorageError, 503, "store error"),
    (ConfigurationError, 500, "server misconfigured"),
    (ReviewError, 422, "review failed"),
    (DocSenseError, 400, "request failed"),
]


def status_of(exc: BaseException) -> tuple[int, str]:
    """Return the HTTP status and problem title of a docsense error."""
    for cls, status, title in _STATUS:
        if isinstance(exc, cls):
            return status, title
    return 500, "internal error"


def problem_body(status: int, title: str, detail: str, instance: str) -> bytes:
    """Return an RFC 9457 problem details document (no traceback, no paths)."""
    return json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": scrub(detail),
            "instance": instance,
        }
    ).encode()


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413, by announced length or as they arrive."""

    def __init__(self, app: ASGIApp, *, limit: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    announced = -1
                if announced < 0 or announced > limit:
                    await self._refuse(scope, send, limit)
                    return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, limit: int) -> None:
        body = problem_body(
            413, "request too large", f"the request body is over {limit} bytes",
            str(scope.get("path", "")),
        )
        await send({
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        })
        await send({"type": "http.response.body", "body": body})


_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
]


class SecureHeadersMiddleware:
    """Add the secure headers to every response (and no-store to every API response)."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in _HEADERS:
                    if name not in present:
                        headers.append((name, value))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=63072000"))
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
