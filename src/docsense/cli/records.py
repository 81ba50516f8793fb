"""Reading the store: ``docsense documents``, ``reviews``, ``history`` and ``export``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from docsense import AsyncDocSense, DocumentSummary, HistoryEntry, ReviewSummary
from docsense.cli._runtime import (
    err,
    fmt_score,
    fmt_time,
    out,
    print_json,
    short_id,
    state_of,
)

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

#: Below this terminal width, list tables show short ids and print the full ones below them.
FULL_IDS_WIDTH = 140


def _narrow() -> bool:
    return out.width < FULL_IDS_WIDTH


def _id(value: str, narrow: bool) -> str:
    return short_id(value) if narrow else value


def _table(narrow: bool) -> Table:
    # Without vertical rules, edges and left padding, a narrow table keeps its width for cells.
    if narrow:
        return Table(
            box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0), caption_justify="left"
        )
    return Table(caption_justify="left")


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
    narrow = _narrow()
    table = _table(narrow)
    table.add_column("document", no_wrap=True)
    table.add_column("title", overflow="fold", min_width=10)
    table.add_column("latest", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("last score /100" if narrow else "last score", justify="right")
    table.add_column("updated", overflow="fold")
    for r in rows:
        table.add_row(
            _id(r.id, narrow), r.title, r.latest_version, r.status,
            fmt_score(r.last_score, scale=not narrow), fmt_time(r.updated_at),
        )
    if narrow and rows:  # the ids commands take, in full, in the order of the rows
        table.caption = "\n".join(r.id for r in rows)
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
    narrow = _narrow()
    table = _table(narrow)
    table.add_column("review", no_wrap=True)
    if not narrow:  # a narrow table names the document below, with the full review id
        table.add_column("document", no_wrap=True)
    table.add_column("version", no_wrap=True)
    table.add_column("reviewer", overflow="fold", min_width=8)
    table.add_column("status", no_wrap=True)
    table.add_column("score /100" if narrow else "score", justify="right")
    table.add_column("findings", overflow="fold", min_width=10)
    table.add_column("places", justify="right", no_wrap=True)
    for r in rows:
        below = ""
        if r.below_threshold:
            below = f" (+{r.below_threshold} below{'' if narrow else ' threshold'})"
        cells = [_id(r.id, narrow), r.document_id, r.document_version, r.reviewer, r.status,
                 fmt_score(r.score, scale=not narrow), f"{r.findings}{below}", str(r.places)]
        if narrow:
            del cells[1]
        table.add_row(*cells)
    if narrow and rows:  # the ids commands take, in full, in the order of the rows
        table.caption = "\n".join(f"{r.id}\n  of {r.document_id}" for r in rows)
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
