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
from collections.abc import Awaitable, Callable, Iterable, Sequence
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
from docsense.errors import (
    CheckFailed,
    ConfigurationError,
    DocSenseError,
    EventDecodingError,
    InvalidModelOutput,
    MigrationError,
    MissingDependency,
    PolicyPackError,
    ProviderError,
    ReviewerError,
    StorageFull,
    StoreUnavailable,
)
from docsense.logs import CorrelationIdFilter, JsonFormatter

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = [
    "CliState",
    "ExitCode",
    "Failure",
    "configure_logging",
    "err",
    "exit_code_for",
    "out",
    "print_json",
    "progress",
    "report_error",
    "report_error_line",
    "state_of",
    "to_jsonable",
    "worst_exit_code",
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
    """The process exit codes of ``docsense`` (documented in ``docsense --help``).

    When a multi-file command meets several classes of failure, the exit code is the first of
    70, 3, 2, 4, 1 that applies.
    """

    OK = 0
    """Success: nothing at or above ``--fail-on`` was found."""
    FINDINGS = 1
    """``--fail-on`` found findings at or above the threshold."""
    ERROR = 2
    """Bad usage or bad input: a usage error, an unreadable or rejected file, an unknown id."""
    UNAVAILABLE = 3
    """The store or the configuration is unavailable: the store cannot be reached, opened or
    written, a setting is invalid, an optional extra or an API key is missing."""
    PROVIDER = 4
    """An LLM provider failed, or a review assessed no policy (every part refused, blocked or
    failed)."""
    INTERNAL = 70
    """An unexpected exception: a bug (rerun with ``--debug`` and report the traceback); also
    ``review --strict`` when a check or reviewer raised."""
    INTERRUPTED = 130
    """Ctrl-C."""

    NOT_ASSESSED = 4
    """Alias of :attr:`PROVIDER`: a review completed but assessed no policy."""


#: Which exit code outranks which when a batch meets several (70 first, then 3, 2, 4, 1).
_PRECEDENCE = (
    ExitCode.INTERNAL, ExitCode.UNAVAILABLE, ExitCode.ERROR, ExitCode.PROVIDER, ExitCode.FINDINGS
)


def exit_code_for(exc: BaseException) -> ExitCode:
    """Return the documented exit code for an error (see :class:`ExitCode`)."""
    if isinstance(exc, CheckFailed):
        return ExitCode.INTERNAL  # a check or reviewer has a bug (review --strict)
    if isinstance(exc, ConfigurationError | MissingDependency | StoreUnavailable | StorageFull
                  | MigrationError | EventDecodingError):
        return ExitCode.UNAVAILABLE
    if isinstance(exc, ProviderError | InvalidModelOutput):
        return ExitCode.PROVIDER
    if isinstance(exc, ReviewerError) and not isinstance(exc, PolicyPackError):
        return ExitCode.PROVIDER
    if isinstance(exc, DocSenseError | OSError):
        return ExitCode.ERROR
    return ExitCode.INTERNAL


def worst_exit_code(codes: Iterable[int]) -> ExitCode:
    """Return the code that outranks the others (70, then 3, 2, 4, 1); OK for none.

    >>> int(worst_exit_code([1, 4, 2])), int(worst_exit_code([]))
    (2, 0)
    """
    present = set(codes)
    for code in _PRECEDENCE:
        if code in present:
            return code
    return ExitCode.INTERNAL if present - {ExitCode.OK} else ExitCode.OK


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

    Levels: DEBUG with ``--debug``; else INFO for JSON lines and WARNING for text.

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
    # JSON lines are for log collectors: INFO (what was ingested and reviewed, under the
    # command's correlation id) without --debug. Text stays quiet (warnings) for humans.
    level = logging.INFO if log_format == "json" else logging.WARNING
    logger.setLevel(logging.DEBUG if debug else level)


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
    """Items of a batch failed; each was already reported. Exits with the worst of their codes."""

    def __init__(self, failed: int, total: int, codes: Iterable[int] = ()) -> None:
        super().__init__(f"{failed} of {total} inputs failed")
        self.failed = failed
        self.total = total
        seen = list(codes)
        self.code = worst_exit_code(seen) if seen else ExitCode.ERROR


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


def short_id(value: str) -> str:
    """Abbreviate an id for a table cell: its kind and last 8 characters (``review…1b2609b4``).

    Ids end in random bits (UUID version 7), so the tail tells rows apart; tables that show
    short ids print the full ones below them.
    """
    kind, sep, rest = value.partition("-")
    if not sep or len(rest) <= 12:
        return value
    return f"{kind}…{rest[-8:]}"


def fmt_score(score: float | None, *, none: str = "n/a", scale: bool = True) -> str:
    """Format a score out of 100 like the reports, or ``none`` (``n/a``) when there is none.

    ``scale=False`` leaves out the " / 100", for a table column whose header says "/100".
    """
    text = score_text(score, none=none)
    return text if scale else text.removesuffix(" / 100")


def fmt_time(value: datetime) -> str:
    """Format a timestamp to the second, in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def nonempty(values: Sequence[T] | None) -> list[T]:
    """Typer gives None for an unused repeatable option; make it a list."""
    return list(values or ())
