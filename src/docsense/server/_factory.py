"""``app()`` for uvicorn's multi-process mode: settings come from the environment."""

from __future__ import annotations

from starlette.applications import Starlette

from docsense.config import Settings
from docsense.server._app import create_app

__all__ = ["app"]


def app() -> Starlette:
    """Build the app from ``DOCSENSE_*`` and ``DOCSENSE_SERVER_*`` variables.

    Each process started by ``docsense serve --workers N`` logs as the CLI does (warnings,
    the audit of failed authentications included, on stderr as text or JSON).
    """
    from docsense.cli._runtime import configure_logging

    library = Settings.load()
    configure_logging(library.log_format, debug=False)
    return create_app(library=library)
