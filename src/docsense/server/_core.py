"""What the API and the web UI share: the open client, authentication, JSON shapes."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from docsense._client import AsyncDocSense
from docsense.application.tokens import authenticate
from docsense.config import Settings
from docsense.domain.findings import Finding
from docsense.domain.tokens import Scope
from docsense.errors import AuthenticationFailed, InvalidArgument, PermissionDenied
from docsense.server._security import Principal, RateLimiter, audit
from docsense.server._settings import ServerSettings
from docsense.views import DocumentView, ReviewView

__all__ = [
    "COOKIE",
    "CSRF_COOKIE",
    "ServerState",
    "audit_refusal",
    "authorize",
    "client_of",
    "document_json",
    "finding_json",
    "jsonable",
    "review_json",
    "state_of",
]

logger = logging.getLogger("docsense.server")

COOKIE = "docsense_token"
CSRF_COOKIE = "docsense_csrf"


@attrs.define
class ServerState:
    """The service's shared state: settings, the open client, the rate limiters."""

    settings: ServerSettings
    library: Settings
    limiter: RateLimiter
    failures: RateLimiter
    client: AsyncDocSense | None = None

    @property
    def ds(self) -> AsyncDocSense:
        """The open client (opened at startup)."""
        if self.client is None:
            raise RuntimeError("the docsense client is not open (the app has not started)")
        return self.client

    @property
    def max_upload_bytes(self) -> int:
        """The largest file an upload may carry."""
        return self.settings.max_upload_bytes or self.library.max_upload_bytes

    @property
    def reviewers(self) -> list[str]:
        """The reviewer specs a request may ask for."""
        return self.settings.reviewers or [self.library.reviewer]


def state_of(request: Request) -> ServerState:
    """Return the service's state from a request."""
    state: ServerState = request.app.state.docsense
    return state


def client_of(request: Request) -> str:
    """Return the client's address as the connection shows it.

    Forwarded headers are not trusted here; behind a proxy run ``docsense serve
    --proxy-headers`` so uvicorn applies them from the trusted proxy only.
    """
    return request.client.host if request.client else "unknown"


def _presented(request: Request) -> tuple[str | None, bool]:
    header = request.headers.get("authorization")
    if header is not None:
        kind, _, value = header.partition(" ")
        return (value.strip() if kind.lower() == "bearer" else ""), False
    cookie = request.cookies.get(COOKIE)
    return (cookie, True) if cookie else (None, False)


def audit_refusal(request: Request, reason: str, token: str | None = None) -> None:
    """Log a refused authentication on the audit logger and count it against the client."""
    state = state_of(request)
    audit.warning(
        "failed authentication from %s: %s %s: %s",
        client_of(request), request.method, request.url.path, reason,
        extra={"client": client_of(request), "path": request.url.path, "token_id": token},
    )
    state.failures.hit(f"client:{client_of(request)}")  # raises RateLimited when exhausted


async def authorize(request: Request, scope: Scope) -> Principal:
    """Authenticate the request's token and check ``scope``; rate-limit by token.

    Raises AuthenticationFailed (401), PermissionDenied (403) or RateLimited (429). Failed
    attempts are logged on ``docsense.server.audit`` (never the secret).
    """
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        principal = cached
    else:
        presented, from_cookie = _presented(request)
        if not presented:
            audit_refusal(request, "no API token")
            raise AuthenticationFailed("send an API token: Authorization: Bearer <token>")
        state = state_of(request)
        try:
            token_id, token = await authenticate(state.ds.service, presented)
        except AuthenticationFailed as exc:
            audit_refusal(request, str(exc))
            raise AuthenticationFailed("the API token is invalid or revoked") from None
        if from_cookie and request.method not in ("GET", "HEAD", "OPTIONS"):
            await _check_csrf(request)
        state.limiter.hit(token_id)
        principal = Principal(token_id, token.actor, tuple(s.value for s in token.scopes))
        request.state.principal = principal
    if not _allows(principal, scope):
        audit.warning(
            "forbidden: %s (%s) lacks scope %s for %s %s",
            principal.token_id, principal.actor, scope.value, request.method, request.url.path,
        )
        raise PermissionDenied(scope.value, principal.scopes)
    return principal


def _allows(principal: Principal, scope: Scope) -> bool:
    return scope is Scope.READ or "admin" in principal.scopes or scope.value in principal.scopes


async def _check_csrf(request: Request) -> None:
    """Cookie-authenticated form posts must carry the CSRF cookie's value (double submit)."""
    expected = request.cookies.get(CSRF_COOKIE, "")
    form = await request.form(max_files=1, max_fields=32)  # the endpoint reads it again
    given = form.get("csrf")
    if not expected or not isinstance(given, str) or not secrets.compare_digest(expected, given):
        audit_refusal(request, "missing or wrong CSRF token")
        raise AuthenticationFailed("the form is stale or came from another site; reload it")


Guarded = Callable[[Request, Principal], Awaitable[Response]]


def guarded(scope: Scope) -> Callable[[Guarded], Callable[[Request], Awaitable[Response]]]:
    """Wrap an endpoint taking ``(request, principal)`` so it first authorizes ``scope``."""

    def wrap(handler: Guarded) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            principal = await authorize(request, scope)
            return await handler(request, principal)

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        endpoint.scope = scope  # type: ignore[attr-defined]  # read by the OpenAPI builder
        return endpoint

    return wrap


def jsonable(value: Any) -> Any:
    """Turn attrs classes, enums, datetimes, tuples into JSON-ready data."""
    if attrs.has(type(value)):
        return {a.name: jsonable(getattr(value, a.name)) for a in attrs.fields(type(value))}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return a JSON response of ``data`` (made JSON-ready)."""
    return JSONResponse(jsonable(data), status_code=status, headers=headers)


def document_json(view: DocumentView, *, full: bool = False) -> dict[str, Any]:
    """Return the API shape of a document version (``full`` adds its Markdown and diff)."""
    data: dict[str, Any] = {
        "id": view.id,
        "title": view.title,
        "version": view.version,
        "versions": list(view.versions),
        "status": view.status,
        "filename": view.filename,
        "media_type": view.media_type,
        "warnings": list(view.warnings),
        "sections": [
            {"id": s.id, "heading": s.heading, "level": s.level, "page": s.page}
            for s in view.sections
        ],
        "created_at": view.created_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
    }
    if full:
        data["markdown"] = view.markdown
        data["diff"] = view.diff
    return data


def finding_json(finding: Finding, suppressed: str | None = None) -> dict[str, Any]:
    """Return the API shape of a finding (``suppressed``: the carried-over rejection's reason)."""
    location = finding.location
    return {
        "id": finding.id,
        "fingerprint": finding.fingerprint,
        "suppressed": suppressed,
        "policy_id": finding.policy_id,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "title": finding.title,
        "description": finding.description,
        "quote": finding.quote,
        "section_id": location.section_id if location else None,
        "section_path": list(location.path) if location else [],
        "start": location.start if location else None,
        "end": location.end if location else None,
        "suggested_fix": finding.suggested_fix,
        "replacement": finding.replacement,
        "confidence": finding.confidence,
        "source": finding.source,
        "places": len(finding.occurrences),
    }


def review_json(view: ReviewView, findings: list[Finding] | None = None) -> dict[str, Any]:
    """Return the API shape of a review, with its (filtered) findings."""
    held = {s.finding_id: s.reason for s in view.suppressed}
    return {
        "id": view.id,
        "document_id": view.document_id,
        "document_version": view.document_version,
        "reviewer": view.reviewer,
        "status": view.status,
        "score": view.score,
        "min_confidence": view.min_confidence,
        "below_threshold": view.below_threshold,
        "warnings": list(view.warnings),
        "policies": [
            {
                "policy_id": p.policy_id,
                "status": str(p.status),
                "reason": None if p.reason is None else str(p.reason),
            }
            for p in view.policies
        ],
        "suppressed": len(view.suppressed),
        "findings": [
            finding_json(f, held.get(f.id))
            for f in (view.findings if findings is None else findings)
        ],
    }


def filter_findings(view: ReviewView, query: dict[str, str]) -> list[Finding]:
    """Return the review's findings matching ``severity``, ``policy``, ``category``, ``section``."""
    known = {"severity", "policy", "category", "section"}
    unknown = set(query) - known
    if unknown:
        raise InvalidArgument(
            f"unknown filters {', '.join(sorted(unknown))}: use {', '.join(sorted(known))}"
        )
    out = []
    for f in view.findings:
        if "severity" in query and f.severity.value != query["severity"]:
            continue
        if "policy" in query and f.policy_id != query["policy"]:
            continue
        if "category" in query and f.category.value != query["category"]:
            continue
        section = f.location.section_id if f.location else None
        if "section" in query and section != query["section"]:
            continue
        out.append(f)
    return out


def int_param(request: Request, name: str, default: int, *, low: int, high: int) -> int:
    """Return an integer query parameter within ``[low, high]``; InvalidArgument otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidArgument(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise InvalidArgument(f"{name} must be between {low} and {high}, got {value}")
    return value
