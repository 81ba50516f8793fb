"""``app()`` for uvicorn's multi-process mode: settings come from the environment."""

from __future__ import annotations

from starlette.applications import Starlette

from docsense.server._app import create_app

__all__ = ["app"]


def app() -> Starlette:
    """Build the app from ``DOCSENSE_*`` and ``DOCSENSE_SERVER_*`` variables."""
    return create_app()
