"""Reading the store: ``docsense documents``, ``reviews``, ``history`` and ``export``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from docsense import AsyncDocSense, DocumentSummary, HistoryEntry, ReviewSummary
from docsense.cli._runtime import err, fmt_score, fmt_time, out, print_json, state_of

__all__ = [
    "documents_command",
    "export_command",
    "history_command",
    "reviews_command",
]

DocId = Annotated[
    str, typer.Argument(help="The document's id.", metavar="DOC_ID", show_default=False)
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Limit = Annotated[int, typer.Option(min=1, max=10_000, help="At most this many rows.")]
Offset = Annotated[int, typer.Option(min=0, help="Skip this many rows first.")]


class ExportFormat(StrEnum):
    """The export formats of ``docsense export``."""

    MD = "md"
    DOCX = "docx"


def documents_command(
    ctx: typer.Context, limit: Limit = 50, offset: Offset = 0, as_json: JsonFlag = False
) -> None:
    """List stored documents, most recently updated first."""

    async def work(ds: AsyncDocSense) -> list[DocumentSummary]:
        return await ds.documents(limit=limit, offset=offset)

    rows = state_of(ctx).run(work)
    if as_json:
        print_json(rows)
        return
    table = Table()
    for name in ("document", "title", "latest", "status", "last score", "updated"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(
            r.id, r.title, r.latest_version, r.status, fmt_score(r.last_score),
            fmt_time(r.updated_at),
        )
    out.print(table)


def reviews_command(
    ctx: typer.Context,
    document_id: Annotated[
        str | None,
        typer.Argument(help="Only this document's reviews.", metavar="DOC_ID",
                       show_default=False),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    as_json: JsonFlag = False,
) -> None:
    """List reviews (of one document, or all), newest first."""

    async def work(ds: AsyncDocSense) -> list[ReviewSummary]:
        return await ds.reviews(document_id, limit=limit, offset=offset)

    rows = state_of(ctx).run(work)
    if as_json:
        print_json(rows)
        return
    table = Table()
    for name in ("review", "document", "version", "reviewer", "status", "score", "findings",
                 "places"):
        table.add_column(name, overflow="fold")
    for r in rows:
        hidden = f" (+{r.below_threshold} below threshold)" if r.below_threshold else ""
        table.add_row(
            r.id, r.document_id, r.document_version, r.reviewer, r.status, fmt_score(r.score),
            f"{r.findings}{hidden}", str(r.places),
        )
    out.print(table)


def history_command(
    ctx: typer.Context,
    document_id: DocId,
    as_json: JsonFlag = False,
) -> None:
    """Show a document's audit trail: every event in order, with time, actor and summary."""

    async def work(ds: AsyncDocSense) -> list[HistoryEntry]:
        return await ds.history(document_id)

    rows = state_of(ctx).run(work)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"history of {document_id}", title_justify="left")
    table.add_column("time", no_wrap=True)
    table.add_column("actor")
    table.add_column("event")
    table.add_column("summary", overflow="fold")
    for r in rows:
        table.add_row(fmt_time(r.occurred_at), r.actor, r.event_type, r.summary)
    out.print(table)


def export_command(
    ctx: typer.Context,
    document_id: DocId,
    version: Annotated[
        str | None,
        typer.Option("--version", "-v", help="Version label, e.g. 1.1 (default: the latest).",
                     show_default=False),
    ] = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="md or docx.")] = (
        ExportFormat.MD
    ),
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (default: stdout; docx needs -o or a "
                     "pipe).", show_default=False),
    ] = None,
) -> None:
    """Export a document version as Markdown or DOCX (recorded in the document's history)."""
    if output is None and fmt == ExportFormat.DOCX and sys.stdout.isatty():
        raise typer.BadParameter("DOCX is binary: give -o PATH", param_hint="'--output' / '-o'")

    async def work(ds: AsyncDocSense) -> bytes:
        return await ds.export(document_id, fmt.value, version, path=output)

    data = state_of(ctx).run(work)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        err.print(f"wrote {output} ({len(data)} bytes)")
