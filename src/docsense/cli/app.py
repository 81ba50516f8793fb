"""The typer application: global options, command registration, and :func:`main`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

import typer
from typer._completion_classes import completion_init  # (not in typer.completion.__all__)
from typer.core import TyperGroup

from docsense._version import __version__
from docsense.cli._help import tidy_help
from docsense.cli._runtime import (
    CliState,
    ExitCode,
    Failure,
    configure_logging,
    exit_code_for,
    report_error,
)
from docsense.cli.compare import diff_command
from docsense.cli.completion import completion_command
from docsense.cli.feedback import feedback_app
from docsense.cli.health import health_command
from docsense.cli.ops import projections_app, worker_command
from docsense.cli.packs import packs_app
from docsense.cli.records import (
    documents_command,
    export_command,
    history_command,
    reviews_command,
)
from docsense.cli.review import ingest_command, report_command, review_command
from docsense.cli.serve import serve_command, tokens_app
from docsense.cli.store_ops import (
    archive_command,
    backup_command,
    dump_command,
    restore_archive_command,
    restore_command,
    verify_command,
)
from docsense.logs import correlation_scope

__all__ = ["app", "build_command", "main"]

_EPILOG = (
    "Exit codes: 0 clean; 1 findings at or above --fail-on, or a broken hash chain (verify); "
    "2 bad usage or input (usage error, unreadable or rejected file, unknown id); 3 store or "
    "configuration unavailable "
    "(store unreachable or unwritable, invalid settings, missing extra or API key); 4 "
    "provider failure (an LLM provider failed, or a review assessed no policy); 70 internal "
    "error (rerun with --debug; also review --strict when a check raised); 130 interrupted."
)


class LogFormat(StrEnum):
    """How the CLI writes log records to stderr."""

    TEXT = "text"
    JSON = "json"


app = typer.Typer(
    name="docsense",
    help="Review trading-algorithm and index-methodology documents against compliance "
    "policies, with an audit trail of every step.",
    epilog=_EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Markdown joins the lines of a docstring paragraph, so help text rewraps to the terminal.
    rich_markup_mode="markdown",
    # `docsense completion SHELL` prints the script for a named shell (no shell detection).
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"docsense {__version__}\n")
        raise typer.Exit()


@app.callback()
def _global_options(
    ctx: typer.Context,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            metavar="URL",
            help="Store URL: memory://, sqlite:///path.db or postgresql://user@host/db. "
            "Default: DOCSENSE_STORE_URL, else a SQLite file in the user data directory.",
            show_default=False,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Who the recorded events are attributed to "
                     "(default: DOCSENSE_ACTOR, else the login name).", show_default=False),
    ] = None,
    log_format: Annotated[
        LogFormat | None,
        typer.Option(help="Log records on stderr as text or JSON lines (default: "
                     "DOCSENSE_LOG_FORMAT, else text).", show_default=False),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Debug logging, and tracebacks with errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Set the global options for the command that follows."""
    state = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
    ctx.obj = state
    state.store = store
    state.actor = actor
    state.debug = debug
    state.log_format = log_format.value if log_format is not None else None
    # Settings load lazily (so --help works with broken settings); log until then as asked.
    configure_logging(state.log_format or "text", debug=debug)


app.command("review", epilog=_EPILOG)(review_command)
app.command("report")(report_command)
app.command("ingest")(ingest_command)
app.command("documents")(documents_command)
app.command("reviews")(reviews_command)
app.command("history")(history_command)
app.command("diff")(diff_command)
app.command("export")(export_command)
app.add_typer(feedback_app)
app.add_typer(packs_app)
app.add_typer(projections_app)
app.command("worker")(worker_command)
app.command("serve")(serve_command)
app.add_typer(tokens_app)
app.command("verify")(verify_command)
app.command("dump")(dump_command)
app.command("restore")(restore_command)
app.command("backup")(backup_command)
app.command("archive")(archive_command)
app.command("restore-archive")(restore_archive_command)
app.command("health")(health_command)
app.command("completion")(completion_command)


def build_command() -> TyperGroup:
    """Return the click command tree of :data:`app`, with readable help (see ``_help``)."""
    completion_init()  # so `_DOCSENSE_COMPLETE=complete_bash docsense` answers (see completion)
    command = typer.main.get_command(app)
    assert isinstance(command, TyperGroup)
    tidy_help(command)
    return command


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    Usage errors are shown by typer (exit 2). docsense errors and unreadable files become one
    ``error: ...`` line on stderr, with the traceback first under ``--debug``; see
    :class:`~docsense.cli.ExitCode` for every exit code. The whole command runs under one
    correlation id: every log record and every event it stores carries it.
    """
    state = CliState()
    args = list(sys.argv[1:] if argv is None else argv)
    command = build_command()
    with correlation_scope():
        try:
            # Standalone mode: typer prints usage errors and turns typer.Exit into SystemExit;
            # every other exception comes out here.
            command.main(args, prog_name="docsense", standalone_mode=True, obj=state)
        except SystemExit as exc:
            return _exit_code(exc.code)
        except Failure as exc:
            if exc.total > 1:
                sys.stderr.write(f"error: {exc}\n")
            return exc.code
        except Exception as exc:
            report_error(exc, debug=state.debug)
            return exit_code_for(exc)
    return ExitCode.OK


def _exit_code(code: object) -> int:
    if code is None:
        return ExitCode.OK
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return ExitCode.ERROR
