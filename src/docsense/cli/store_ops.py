"""Store operations: ``docsense verify``, ``dump``, ``restore``, ``backup``, ``archive``.

Thin commands over :mod:`docsense.application.store_ops`; each works on the store given by
``--store`` (or the settings). ``verify`` exits 1 when a hash chain is broken, so it can run
from cron or CI; every command exits 2 on a docsense error (a bad dump file, a non-empty
restore target, an operation the store does not support).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from docsense import AsyncDocSense
from docsense.application import store_ops
from docsense.cli._runtime import ExitCode, err, out, print_json, state_of

__all__ = [
    "archive_command",
    "backup_command",
    "dump_command",
    "restore_archive_command",
    "restore_command",
    "verify_command",
]

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
FilePath = Annotated[Path, typer.Argument(help="The file.", metavar="PATH", show_default=False)]


def _rate(events: int, seconds: float) -> str:
    return f"{events / seconds:,.0f} events/s" if seconds > 0 else "-"


def verify_command(
    ctx: typer.Context,
    digest: Annotated[
        bool,
        typer.Option(
            "--digest",
            help="Also print a SHA-256 of every stream's last event: record it elsewhere; "
            "a later digest that differs shows events removed from (or added to) the end of "
            "a stream.",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Recompute every event's hash chain; report the first broken link.

    Exit 0 if every chain holds, 1 if one is broken (an event changed, deleted or moved
    behind docsense's back), 2 on errors.
    """

    async def work(ds: AsyncDocSense) -> store_ops.VerifyReport:
        return await ds.verify(digest=digest)

    report = state_of(ctx).run(work)
    if as_json:
        print_json(report)
    else:
        if report.ok:
            out.print(f"ok: {report.events} events in {report.streams} streams, every chain holds")
        else:
            out.print(
                f"BROKEN after {report.events - 1} good events: {report.first_break}",
                markup=False,
            )
        if report.digest is not None:
            out.print(f"digest of stream heads: {report.digest}")
    if not report.ok:
        raise typer.Exit(ExitCode.FINDINGS)


def dump_command(
    ctx: typer.Context,
    path: FilePath,
    blobs: Annotated[
        bool,
        typer.Option("--blobs/--no-blobs", help="Include stored original files (default)."),
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Write every event (with its hash and global position) to PATH: gzip JSON Lines.

    Streams in constant memory; events appended meanwhile are left for the next dump. PATH
    must not exist (``.jsonl.gz`` is the usual suffix).
    """

    async def work(ds: AsyncDocSense) -> store_ops.DumpReport:
        return await ds.dump(path, blobs=blobs)

    report = state_of(ctx).run(work)
    if as_json:
        print_json(report)
    else:
        out.print(
            f"dumped {report.events} events and {report.blobs} files to {report.path} "
            f"({report.bytes:,} bytes, {report.seconds:.1f} s, "
            f"{_rate(report.events, report.seconds)})\nsha256 {report.sha256}",
            markup=False,
        )


def restore_command(ctx: typer.Context, path: FilePath, as_json: JsonFlag = False) -> None:
    """Load the dump PATH into the store, which must be empty; every hash is checked.

    Works across adapters (a SQLite dump into PostgreSQL and back). Read models are rebuilt
    from the restored events as projections catch up.
    """

    async def work(ds: AsyncDocSense) -> store_ops.RestoreReport:
        return await ds.restore(path)

    report = state_of(ctx).run(work)
    if as_json:
        print_json(report)
    else:
        out.print(
            f"restored {report.events} events in {report.streams} streams and "
            f"{report.blobs} files ({report.seconds:.1f} s, "
            f"{_rate(report.events, report.seconds)}); every hash verified",
            markup=False,
        )


def backup_command(
    ctx: typer.Context,
    path: FilePath,
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="Verify every chain in the copy.")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Copy a SQLite store to PATH with SQLite's online backup API (writers may run).

    The copy is one consistent moment of the file. PostgreSQL stores: use ``docsense dump``
    or ``pg_dump``.
    """

    async def work(ds: AsyncDocSense) -> store_ops.BackupReport:
        return await ds.backup(path, check=check)

    report = state_of(ctx).run(work)
    if as_json:
        print_json(report)
    else:
        checked = f", {report.events} events verified" if report.verified else ""
        out.print(
            f"backed up to {report.path} ({report.bytes:,} bytes{checked}, "
            f"{report.seconds:.1f} s)",
            markup=False,
        )


def archive_command(
    ctx: typer.Context,
    to: Annotated[
        Path,
        typer.Option(
            "--to", help="The archive file to write (must not exist).", show_default=False
        ),
    ],
    documents: Annotated[
        list[str] | None,
        typer.Argument(help="Documents to archive.", metavar="DOCUMENT_ID...", show_default=False),
    ] = None,
    remove: Annotated[
        bool,
        typer.Option(
            "--remove",
            help="Then remove the archived streams from the store (recorded in the "
            "operations-store stream, with --actor) and rebuild the read models.",
        ),
    ] = False,
    inactive_days: Annotated[
        float | None,
        typer.Option(
            "--inactive-days",
            help="Archive every document nothing happened to (no event on it, its reviews "
            "or their feedback) for this many days, instead of naming them.",
            min=0,
            show_default=False,
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Archive documents' streams (with their reviews and feedback) to a JSON Lines file.

    Name the documents, or choose them with ``--inactive-days``. Every event keeps its hash.
    Nothing leaves the store without ``--remove``; bring archived streams back with
    ``docsense restore-archive``.
    """
    if bool(documents) == (inactive_days is not None):
        raise typer.BadParameter(
            "name documents or give --inactive-days (not both)", param_hint="DOCUMENT_ID..."
        )

    async def work(ds: AsyncDocSense) -> store_ops.ArchiveReport | None:
        chosen = list(documents or ())
        if inactive_days is not None:
            before = datetime.now(UTC) - timedelta(days=inactive_days)
            chosen = await ds.inactive_documents(before)
            if not chosen:
                return None
        return await ds.archive(chosen, to, remove=remove)

    report = state_of(ctx).run(work)
    if report is None:
        err.print(f"no document has been inactive for {inactive_days:g} days: nothing archived")
        return
    if as_json:
        print_json(report)
    else:
        what = "archived and removed" if report.removed else "archived (still in the store)"
        out.print(
            f"{what}: {len(report.documents)} documents, {len(report.streams)} streams, "
            f"{report.events} events -> {report.path}\nsha256 {report.sha256}",
            markup=False,
        )
        if report.removed:
            err.print("read models rebuilt without the archived documents")


def restore_archive_command(ctx: typer.Context, path: FilePath, as_json: JsonFlag = False) -> None:
    """Put the streams of the archive PATH back in the store, every hash verified.

    Refused if any of its streams is in the store. Recorded in the operations-store stream.
    """

    async def work(ds: AsyncDocSense) -> store_ops.RestoreReport:
        return await ds.restore_archive(path)

    report = state_of(ctx).run(work)
    if as_json:
        print_json(report)
    else:
        out.print(
            f"restored {report.events} events in {report.streams} streams from {report.path}; "
            "every hash verified",
            markup=False,
        )
