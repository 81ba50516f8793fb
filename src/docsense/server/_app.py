"""The ASGI application: routes, middleware, error handling, lifespan."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope as AsgiScope

from docsense._client import AsyncDocSense
from docsense._version import __version__
from docsense.config import Settings
from docsense.domain.tokens import Scope
from docsense.errors import DocSenseError
from docsense.server._api import API, api_routes
from docsense.server._core import ServerState, guarded, state_of
from docsense.server._security import (
    BodyLimitMiddleware,
    Principal,
    RateLimited,
    RateLimiter,
    SecureHeadersMiddleware,
    problem_body,
    status_of,
)
from docsense.server._settings import ServerSettings
from docsense.server._ui import render_error, ui_routes

__all__ = ["create_app", "openapi_schema"]

logger = logging.getLogger("docsense.server")

_HERE = Path(__file__).parent
_UPLOAD_PATHS = {f"{API}/documents", "/ui/documents"}
_MULTIPART_OVERHEAD = 64 * 1024


def _problem(request: Request, status: int, title: str, detail: str) -> Response:
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="docsense"'
    return Response(
        problem_body(status, title, detail, request.url.path),
        status_code=status,
        media_type="application/problem+json",
        headers=headers,
    )


def _wants_html(request: Request) -> bool:
    return request.url.path == "/" or request.url.path.startswith("/ui/")


async def _docsense_error(request: Request, exc: Exception) -> Response:
    status, title = status_of(exc)
    if status >= 500:
        logger.error("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
        detail = "the server could not complete the request; it has been logged"
        if status == 503:
            detail = "the store is not available right now; retry later"
    else:
        detail = str(exc)
    if _wants_html(request):
        return render_error(request, status, title, detail)
    return _problem(request, status, title, detail)


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    if _wants_html(request):
        response = render_error(request, 429, "too many requests", str(exc))
    else:
        response = _problem(request, 429, "too many requests", str(exc))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    title = {404: "not found", 405: "method not allowed"}.get(exc.status_code, "error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    if _wants_html(request):
        return render_error(request, exc.status_code, title, detail)
    return _problem(request, exc.status_code, title, detail)


async def _internal_error(request: Request, exc: Exception) -> Response:
    logger.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    detail = "the server could not complete the request; it has been logged"
    if _wants_html(request):
        return render_error(request, 500, "internal error", detail)
    return _problem(request, 500, "internal error", detail)


async def health(request: Request) -> Response:
    """Liveness: the process answers. No authentication."""
    return JSONResponse({"status": "ok", "version": __version__})


async def ready(request: Request) -> Response:
    """Readiness: the store answers. No authentication, and no detail about the store."""
    try:
        await state_of(request).ds.service.storage.head()
    except (DocSenseError, OSError, RuntimeError) as exc:
        logger.warning("not ready: %s", exc)
        return _problem(request, 503, "not ready", "the store is not available")
    return JSONResponse({"status": "ready"})


_PARAM = re.compile(r"{(\w+)}")

_JSON_BODIES: dict[str, dict[str, Any]] = {
    "create_review": {
        "type": "object",
        "properties": {
            "packs": {"type": "array", "items": {"type": "string"}},
            "reviewer": {"type": "string"},
            "version": {"type": "string"},
            "min_confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "additionalProperties": False,
    },
    "post_decision": {
        "type": "object",
        "required": ["decision"],
        "properties": {
            "decision": {"enum": ["accept", "reject", "modify"]},
            "reason": {"type": "string", "description": "required to reject"},
            "text": {"type": "string", "description": "required to modify"},
        },
    },
    "create_token": {
        "type": "object",
        "required": ["name", "scopes"],
        "properties": {
            "name": {"type": "string"},
            "scopes": {"type": "array",
                       "items": {"enum": ["read", "review", "decide", "admin"]}},
            "actor": {"type": "string"},
        },
    },
}
_UPLOAD_BODY = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "title": {"type": "string"},
                "document_id": {"type": "string",
                                "description": "upload a new version of this document"},
            },
        }
    }
}


def openapi_schema(routes: list[BaseRoute]) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the API routes (scopes as ``x-required-scope``)."""
    paths: dict[str, dict[str, Any]] = {}
    problem = {"$ref": "#/components/schemas/Problem"}
    for route in routes:
        if not isinstance(route, Route) or not route.path.startswith(API):
            continue
        scope: Scope | None = getattr(route.endpoint, "scope", None)
        doc = (route.endpoint.__doc__ or "").strip()
        for method in sorted((route.methods or set()) - {"HEAD"}):
            responses: dict[str, Any] = {
                "200": {"description": "success"},
                "401": {"description": "no valid token",
                        "content": {"application/problem+json": {"schema": problem}}},
                "403": {"description": "the token lacks the scope",
                        "content": {"application/problem+json": {"schema": problem}}},
                "429": {"description": "rate limited (see Retry-After)",
                        "content": {"application/problem+json": {"schema": problem}}},
                "4XX": {"description": "bad request",
                        "content": {"application/problem+json": {"schema": problem}}},
            }
            operation: dict[str, Any] = {
                "operationId": f"{method.lower()}_{route.endpoint.__name__}",
                "summary": doc.split("\n")[0],
                "description": " ".join(doc.split()),
                "security": [{"bearer": []}],
                "x-required-scope": scope.value if scope else "read",
                "parameters": [
                    {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                    for name in _PARAM.findall(route.path)
                ],
                "responses": responses,
            }
            name = route.endpoint.__name__
            if name in _JSON_BODIES:
                operation["requestBody"] = {
                    "required": name != "create_review",
                    "content": {"application/json": {"schema": _JSON_BODIES[name]}},
                }
            elif name == "create_document":
                operation["requestBody"] = {"required": True, "content": _UPLOAD_BODY}
            if method in ("POST", "DELETE"):
                operation["parameters"].append(
                    {"name": "Idempotency-Key", "in": "header", "required": False,
                     "schema": {"type": "string"}}
                )
            paths.setdefault(route.path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "docsense", "version": __version__},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "instance": {"type": "string"},
                    },
                }
            },
        },
    }


def create_app(
    settings: ServerSettings | None = None,
    *,
    library: Settings | None = None,
    client: AsyncDocSense | None = None,
) -> Starlette:
    """Return the docsense ASGI app.

    ``settings`` are the service's (default: ``DOCSENSE_SERVER_*``); ``library`` the
    library's (default: ``DOCSENSE_*``), whose store, reviewer and packs it uses. The store
    is opened when the app starts and closed when it stops; pass ``client`` to use an
    open one instead (it is then left open). Reviews run in ``docsense worker`` processes
    on the same store.
    """
    server = settings or ServerSettings.load()
    lib = library or (client.settings if client is not None else Settings.load())
    state = ServerState(
        settings=server,
        library=lib,
        limiter=RateLimiter(server.rate_limit_per_minute, server.rate_limit_burst),
        failures=RateLimiter(server.failed_auth_per_minute, server.failed_auth_per_minute),
        client=client,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = state.client is None
        if owned:
            state.client = await AsyncDocSense.open(settings=lib)
        if getattr(state.ds.service.storage, "jobs", None) is None:
            logger.warning(
                "the store %s has no job queue: reviews cannot be started through the "
                "service (use PostgreSQL)", state.ds.store_url,
            )
        try:
            yield
        finally:
            if owned and state.client is not None:
                await state.client.close()
                state.client = None

    async def root(request: Request) -> Response:
        return RedirectResponse("/ui/documents", status_code=303)

    @guarded(Scope.READ)
    async def openapi(request: Request, principal: Principal) -> Response:
        """Return the OpenAPI schema of this API."""
        return JSONResponse(openapi_schema(request.app.routes))

    routes: list[BaseRoute] = [
        Route("/healthz", health, methods=["GET"]),
        Route("/readyz", ready, methods=["GET"]),
        Route("/", root, methods=["GET"]),
        Route(f"{API}/openapi.json", openapi, methods=["GET"]),
        *api_routes(),
        *ui_routes(),
        Mount("/ui/static", StaticFiles(directory=_HERE / "static"), name="static"),
    ]

    def limit(scope: AsgiScope) -> int:
        if scope.get("method") == "POST" and scope.get("path") in _UPLOAD_PATHS:
            return state.max_upload_bytes + _MULTIPART_OVERHEAD
        return server.max_request_bytes

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=server.cors_origins,
                allow_methods=["GET", "POST", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
                expose_headers=["Location", "Retry-After"],
                max_age=600,
            ),
            Middleware(SecureHeadersMiddleware, hsts=server.hsts),
            Middleware(BodyLimitMiddleware, limit=limit),
        ],
        exception_handlers={
            DocSenseError: _docsense_error,
            RateLimited: _rate_limited,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
        lifespan=lifespan,
    )
    app.state.docsense = state
    return app
