"""``docsense feedback list|accept|reject|modify|apply``: decide on a review's suggestions."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from docsense import AsyncDocSense, DocumentView, FeedbackItemView
from docsense.cli._runtime import out, print_json, short, state_of

__all__ = ["feedback_app"]

feedback_app = typer.Typer(
    name="feedback",
    help="Decide on a review's suggestions, then apply them as a new document version.",
    no_args_is_help=True,
)

ReviewId = Annotated[
    str, typer.Argument(help="The review's id.", metavar="REVIEW_ID", show_default=False)
]


@feedback_app.command("list")
def list_command(
    ctx: typer.Context,
    review_id: ReviewId,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the suggestions in document order, with their decisions.

    "acceptable" says whether a suggestion can be accepted: only those with a replacement can;
    modify or reject the others. "places" counts where the finding occurs: accepting puts each
    place's replacement in, rejecting covers every place, modifying changes the first one.
    """

    async def work(ds: AsyncDocSense) -> tuple[FeedbackItemView, ...]:
        return await ds.feedback(review_id).items()

    items = state_of(ctx).run(work)
    if as_json:
        print_json([{**_dict(i), "can_accept": i.can_accept} for i in items])
        return
    table = Table(title=f"suggestions of review {review_id}", title_justify="left")
    table.add_column("finding", no_wrap=True)
    table.add_column("decision")
    table.add_column("acceptable")
    table.add_column("places", justify="right")
    table.add_column("quote (first place)", overflow="fold")
    table.add_column("replacement / fix", overflow="fold")
    for i in items:
        table.add_row(
            i.finding_id,
            i.decision,
            "yes" if i.can_accept else "no",
            str(i.places),
            short(i.quote, 60),
            short(i.replacement or i.suggested_fix, 60),
        )
    out.print(table)


def _dict(item: FeedbackItemView) -> dict[str, object]:
    return {
        "finding_id": item.finding_id,
        "decision": item.decision,
        "quote": item.quote,
        "replacement": item.replacement,
        "suggested_fix": item.suggested_fix,
        "reason": item.reason,
        "text": item.text,
        "places": item.places,
        "occurrences": [
            {
                "quote": o.quote,
                "start": o.location.start,
                "end": o.location.end,
                "replacement": o.replacement,
            }
            for o in item.occurrences
        ],
    }


@feedback_app.command("accept")
def accept_command(
    ctx: typer.Context,
    review_id: ReviewId,
    finding_ids: Annotated[
        list[str], typer.Argument(help="The suggestions to accept.", metavar="FINDING_ID",
                       show_default=False)
    ],
) -> None:
    """Accept suggestions: at each place, its replacement will stand in place of its quote."""

    async def work(ds: AsyncDocSense) -> None:
        handle = ds.feedback(review_id)
        for finding_id in finding_ids:
            await handle.accept(finding_id)
            out.print(f"accepted {finding_id}")

    state_of(ctx).run(work)


@feedback_app.command("reject")
def reject_command(
    ctx: typer.Context,
    review_id: ReviewId,
    finding_ids: Annotated[
        list[str], typer.Argument(help="The suggestions to reject.", metavar="FINDING_ID",
                       show_default=False)
    ],
    reason: Annotated[
        str, typer.Option("--reason", "-r", help="Why (required; recorded in the history).",
                          show_default=False)
    ],
) -> None:
    """Reject suggestions, with a reason."""

    async def work(ds: AsyncDocSense) -> None:
        handle = ds.feedback(review_id)
        for finding_id in finding_ids:
            await handle.reject(finding_id, reason=reason)
            out.print(f"rejected {finding_id}")

    state_of(ctx).run(work)


@feedback_app.command("modify")
def modify_command(
    ctx: typer.Context,
    review_id: ReviewId,
    finding_id: Annotated[
        str, typer.Argument(help="The suggestion.", metavar="FINDING_ID", show_default=False)
    ],
    text: Annotated[
        str,
        typer.Option("--text", "-t", help="The text to put in place of the quote ('-': read "
                     "stdin).", show_default=False),
    ],
) -> None:
    """Put your own text in place of a suggestion's quote (its first place only)."""
    replacement = sys.stdin.read() if text == "-" else text

    async def work(ds: AsyncDocSense) -> None:
        await ds.feedback(review_id).modify(finding_id, text=replacement)

    state_of(ctx).run(work)
    out.print(f"modified {finding_id}")


@feedback_app.command("apply")
def apply_command(
    ctx: typer.Context,
    review_id: ReviewId,
    diff: Annotated[bool, typer.Option("--diff", help="Also print the unified diff.")] = False,
) -> None:
    """Apply the accepted and modified suggestions as a new minor version; print it."""

    async def work(ds: AsyncDocSense) -> DocumentView:
        return await ds.apply_feedback(review_id)

    doc = state_of(ctx).run(work)
    out.print(f"{doc.id} version {doc.version}")
    if diff and doc.diff:
        sys.stdout.write(doc.diff if doc.diff.endswith("\n") else doc.diff + "\n")
