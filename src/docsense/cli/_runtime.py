"""What every command shares: options state, consoles, logging, the client, errors, output.

Commands never open a store themselves: they call :meth:`CliState.run` with a coroutine
function taking an :class:`~docsense.AsyncDocSense`, so settings are validated once, the store
is always closed, and Ctrl-C cancels cleanly.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum, IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import typer
from rich.console import Console

import docsense
from docsense.config import Settings
from docsense.domain.review import score_text
from docsense.errors import DocSenseError
from docsense.logs import CorrelationIdFilter, JsonFormatter

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = [
    "CliState",
    "ExitCode",
    "Failure",
    "configure_logging",
    "err",
    "out",
    "print_json",
    "progress",
    "report_error",
    "report_error_line",
    "state_of",
    "to_jsonable",
]

T = TypeVar("T")

#: Rich output for humans: tables on stdout, status and summaries on stderr. Machine output
#: (reports, ``--json``) is written to ``sys.stdout`` directly so rich never wraps it.
#: Markup and emoji codes are off: cells hold document text, where "[...]" is not a style.
out = Console(highlight=False, markup=False, emoji=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)

_HANDLER_NAME = "docsense-cli"
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"


class ExitCode(IntEnum):
    """The process exit codes of ``docsense`` (documented in ``docsense --help``)."""

    OK = 0
    FINDINGS = 1
    """``--fail-on`` found findings at or above the threshold."""
    ERROR = 2
    """Usage error, unreadable or rejected input, invalid settings, any docsense error."""
    INTERNAL = 3
    """An unexpected exception: a bug (rerun with ``--debug`` and report the traceback)."""
    NOT_ASSESSED = 4
    """A review completed but assessed no policy (refused, blocked or failed parts)."""
    INTERRUPTED = 130
    """Ctrl-C."""


@dataclass
class CliState:
    """The global options, shared by every command through ``ctx.obj``."""

    store: str | None = None
    actor: str | None = None
    debug: bool = False
    log_format: str | None = None
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """Validate the settings once (environment, ``.env``, global options).

        Loaded lazily so that ``--help`` works even with broken settings.
        """
        if self._settings is None:
            overrides: dict[str, Any] = {}
            if self.store is not None:
                overrides["store_url"] = self.store
            if self.actor is not None:
                overrides["actor"] = self.actor
            if self.log_format is not None:
                overrides["log_format"] = self.log_format
            self._settings = Settings.load(**overrides)
            configure_logging(self._settings.log_format, debug=self.debug)
        return self._settings

    def run(
        self,
        work: Callable[[docsense.AsyncDocSense], Awaitable[T]],
        *,
        reviewer: str | None = None,
    ) -> T:
        """Open the store, run ``work`` on it, close the store; return what ``work`` returns."""
        settings = self.settings()

        async def session() -> T:
            async with docsense.aopen(settings=settings, reviewer=reviewer) as ds:
                return await work(ds)

        try:
            return asyncio.run(session())
        except KeyboardInterrupt:
            sys.stderr.write("\ninterrupted\n")
            raise typer.Exit(ExitCode.INTERRUPTED) from None


def state_of(ctx: typer.Context) -> CliState:
    """Return the :class:`CliState` of the running command (a fresh one outside ``main``)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def configure_logging(log_format: str, *, debug: bool) -> None:
    """Send the ``docsense`` logger to stderr as text or JSON lines (replacing our handler).

    Only the CLI does this: the library itself adds no handlers.
    """
    logger = logging.getLogger("docsense")
    for handler in list(logger.handlers):
        if handler.get_name() == _HANDLER_NAME:
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(CorrelationIdFilter())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(_TEXT_FORMAT)
    )
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)


def report_error(exc: BaseException, *, debug: bool, about: str = "") -> None:
    """Print ``error: <message>`` as one line on stderr; the traceback first with ``--debug``.

    ``about`` (an input's name) prefixes the message unless the message names it already.
    """
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    message = " ".join(str(exc).split()) or type(exc).__name__
    if about and Path(about).name not in message:
        message = f"{about}: {message}"
    if not isinstance(exc, DocSenseError | OSError):
        message = f"internal error ({type(exc).__name__}): {message}"
        if not debug:
            message += " (rerun with --debug for the traceback)"
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()


def report_error_line(message: str) -> None:
    """Print ``error: <message>`` (whitespace collapsed to one line) on stderr."""
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    sys.stderr.flush()


class Failure(Exception):
    """Several items of a batch failed; each was already reported. Exits with ERROR."""

    def __init__(self, failed: int, total: int) -> None:
        super().__init__(f"{failed} of {total} inputs failed")
        self.failed = failed
        self.total = total


def progress(total: int) -> Progress:
    """Return a stderr progress bar for multi-item work (silent when not a terminal)."""
    # Imported here: only multi-file commands draw one, and every command pays for imports.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=total < 2,
    )


def to_jsonable(value: Any) -> Any:
    """Turn views, attrs classes, enums, datetimes and paths into JSON-ready data."""
    if attrs.has(type(value)):
        return {a.name: to_jsonable(getattr(value, a.name)) for a in attrs.fields(type(value))}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    return value


def print_json(data: Any) -> None:
    """Write ``data`` as indented JSON on stdout (pure, for scripts and ``jq``)."""
    sys.stdout.write(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n")


def short(text: str | None, width: int = 70) -> str:
    """Collapse whitespace and cut ``text`` to ``width`` characters."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def fmt_score(score: float | None, *, none: str = "n/a") -> str:
    """Format a score out of 100 like the reports, or ``none`` (``n/a``) when there is none."""
    return score_text(score, none=none)


def fmt_time(value: datetime) -> str:
    """Format a timestamp to the second, in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def nonempty(values: Sequence[T] | None) -> list[T]:
    """Typer gives None for an unused repeatable option; make it a list."""
    return list(values or ())
