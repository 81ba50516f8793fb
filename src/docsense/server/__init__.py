"""The reference HTTP service and web review UI (``pip install 'docsense[server]'``).

:func:`create_app` returns an ASGI application (Starlette) on the library's store: upload,
documents and versions, reviews started as jobs for ``docsense worker`` processes (polled or
followed as server-sent events), findings, decisions with idempotency keys, apply, history,
reports, packs, API tokens; ``/healthz`` and ``/readyz`` for probes; the OpenAPI schema at
``/api/v1/openapi.json``; server-rendered pages under ``/ui``. ``docsense serve`` runs it
with uvicorn. See ``docs/how-to/deploy-server.md``.

Secure by default: every endpoint but the probes needs an API token (``docsense tokens
create``) with the right scope; browsers may call the API only from the origins listed in
``DOCSENSE_SERVER_CORS_ORIGINS``; requests are rate-limited per token and size-limited;
errors are RFC 9457 problem details without tracebacks or paths.
"""

from __future__ import annotations

try:
    import jinja2  # noqa: F401
    import python_multipart  # noqa: F401
    import starlette  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    from docsense.errors import MissingDependency

    raise MissingDependency("the HTTP service", "server", exc.name or "starlette") from exc

from docsense.server._app import create_app, openapi_schema
from docsense.server._security import Principal, RateLimiter
from docsense.server._settings import ServerSettings

__all__ = ["Principal", "RateLimiter", "ServerSettings", "create_app", "openapi_schema"]
