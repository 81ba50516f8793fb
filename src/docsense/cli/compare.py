"""``docsense diff``: what changed between two reviews (resolved, persisting, new, suppressed)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from docsense import AsyncDocSense
from docsense.cli._runtime import fmt_score, out, print_json, short, state_of
from docsense.views import ComparisonView

__all__ = ["DiffFormat", "diff_command"]


class DiffFormat(StrEnum):
    """The output formats of ``docsense diff``."""

    TABLE = "table"
    MD = "md"
    JSON = "json"


def diff_command(
    ctx: typer.Context,
    base: Annotated[
        str, typer.Argument(help="The earlier review's id.", metavar="BASE_REVIEW_ID",
                            show_default=False)
    ],
    review: Annotated[
        str, typer.Argument(help="The later review's id.", metavar="REVIEW_ID",
                            show_default=False)
    ],
    fmt: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="A table, Markdown or JSON.")
    ] = DiffFormat.TABLE,
) -> None:
    """Compare two reviews: findings resolved, persisting, new and suppressed.

    Findings are matched by fingerprint (what they are about), so edits elsewhere in the
    document do not make them look new; a finding rejected earlier stays suppressed.
    """

    async def work(ds: AsyncDocSense) -> ComparisonView:
        return await ds.compare(base, review)

    comparison = state_of(ctx).run(work)
    if fmt is DiffFormat.JSON:
        print_json(comparison.to_dict())
        return
    if fmt is DiffFormat.MD:
        sys.stdout.write(comparison.to_markdown())
        return
    c = comparison.counts()
    out.print(
        f"{comparison.base_review_id} ({comparison.base_version}, score "
        f"{fmt_score(comparison.base_score)}) -> {comparison.review_id} ({comparison.version}, "
        f"score {fmt_score(comparison.score)}): {c['resolved']} resolved, {c['persisting']} "
        f"persisting, {c['new']} new, {c['suppressed']} suppressed"
    )
    table = Table()
    for name in ("status", "severity", "policy", "section", "title", "quote"):
        table.add_column(name, overflow="fold")
    for row in comparison.rows:
        f = row.finding
        section = " > ".join(f.location.path) if f.location is not None else "(absent)"
        table.add_row(row.status, f.severity.value, f.policy_id, section, short(f.title, 50),
                      short(f.quote, 60))
    out.print(table)
