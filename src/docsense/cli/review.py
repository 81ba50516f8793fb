"""``docsense review``, ``report`` and ``ingest``: files in, reports and document ids out.

Output contract of ``review`` (so ``--format json|sarif`` on stdout is pure JSON):

- stdout carries only the report(s); the summary table, progress bar and ``--fail-on`` verdict
  go to stderr.
- one input, no ``-o``: its report on stdout. Several inputs, no ``-o``: ``md`` reports are
  concatenated, ``json`` becomes a JSON array of reports, ``sarif`` one SARIF log with one run
  per input; ``html`` needs ``-o``.
- ``-o PATH`` with one input writes PATH (or ``PATH/<name>.<ext>`` if PATH is a directory);
  with several inputs PATH is a directory (created) holding one ``<name>.<ext>`` per input.
- an input that fails (unreadable, rejected) is reported as one ``error:`` line and the others
  go on; the exit code is then that failure's (2 bad input, 3 store or configuration
  unavailable, 4 provider failure), which outranks 1 from ``--fail-on``.
- a review that assessed no policy (every part refused, blocked or failed) has no score: the
  summary says "not assessed" and why, an ``error:`` line names the input, and the exit code
  is 4 (outranked by 2, outranking 1). Policies not assessed in a review that assessed
  others are listed in the summary and every report format.

Reports show the findings at or above the review's confidence threshold (``--min-confidence``,
default ``DOCSENSE_MIN_CONFIDENCE`` = 0.5) and say how many are below it; ``--all`` shows those
too, marked. ``--fail-on`` counts the findings at or above the threshold. ``docsense report
REVIEW_ID`` renders a stored review again, at its threshold or another one.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from docsense import AsyncDocSense, DocumentView, ReviewView
from docsense.cli._runtime import (
    CliState,
    ExitCode,
    Failure,
    err,
    exit_code_for,
    fmt_score,
    nonempty,
    out,
    print_json,
    progress,
    report_error,
    report_error_line,
    short_id,
    state_of,
    worst_exit_code,
)
from docsense.domain.findings import Severity
from docsense.errors import DocSenseError
from docsense.reports import render

__all__ = ["ReportFormat", "ingest_command", "report_command", "review_command"]


class ReportFormat(StrEnum):
    """The report formats of ``docsense review``."""

    MD = "md"
    HTML = "html"
    JSON = "json"
    SARIF = "sarif"


_EXTENSIONS = {"md": ".md", "html": ".html", "json": ".json", "sarif": ".sarif"}


@dataclass(frozen=True)
class _Target:
    """One thing to review: a file to ingest first, or a stored document."""

    label: str
    path: Path | None = None
    document_id: str | None = None

    @property
    def stem(self) -> str:
        return self.path.stem if self.path is not None else str(self.document_id)


MinConfidence = Annotated[
    float | None,
    typer.Option(
        "--min-confidence",
        min=0.0,
        max=1.0,
        help="Confidence threshold (0 to 1): findings below it are kept but not shown or "
        "scored (default: DOCSENSE_MIN_CONFIDENCE, else 0.5).",
        show_default=False,
    ),
]
ShowAll = Annotated[
    bool,
    typer.Option("--all", help="Also show the findings below the confidence threshold, marked."),
]


@dataclass(frozen=True)
class _Reviewed:
    target: _Target
    document: DocumentView | None
    review: ReviewView
    report: str


def _render(
    review: ReviewView,
    fmt: str,
    target: _Target | None,
    *,
    include_all: bool = False,
    min_confidence: float | None = None,
) -> str:
    report = review.report_for(include_all=include_all, min_confidence=min_confidence)
    # SARIF results point at the input relative to the source root (the current directory:
    # a repository's checkout in CI), with uriBaseId %SRCROOT%; file:// URIs outside it.
    path = target.path if target is not None and fmt == "sarif" else None
    return render(report, fmt, markdown=review.markdown, packs=review.packs, artifact_path=path)


async def _review_all(
    ds: AsyncDocSense,
    state: CliState,
    targets: list[_Target],
    *,
    packs: list[str] | None,
    reviewer: str | None,
    fmt: str,
    min_confidence: float | None,
    include_all: bool,
    strict: bool = False,
) -> tuple[list[_Reviewed], list[int]]:
    done: list[_Reviewed] = []
    failed: list[int] = []
    with progress(len(targets)) as bar:
        task = bar.add_task("reviewing", total=len(targets))
        for target in targets:
            bar.update(task, description=f"reviewing {target.label}")
            try:
                doc: DocumentView | None = None
                version: str | None = None  # a stored document: its latest version
                if target.path is not None:
                    doc = await ds.ingest(target.path)
                    document_id, version = doc.id, doc.version
                else:
                    document_id = str(target.document_id)
                review = await ds.review(
                    document_id, packs=packs, reviewer=reviewer, version=version,
                    min_confidence=min_confidence, strict=strict,
                )
                text = _render(review, fmt, target, include_all=include_all)
                done.append(_Reviewed(target, doc, review, text))
            except (DocSenseError, OSError) as exc:
                failed.append(exit_code_for(exc))
                report_error(exc, debug=state.debug, about=target.label)
            bar.advance(task)
    return done, failed


def _combined(reports: list[str], fmt: str) -> str:
    if len(reports) == 1:
        return reports[0]
    if fmt == "json":
        return json.dumps([json.loads(r) for r in reports], indent=2, ensure_ascii=False)
    if fmt == "sarif":
        log = json.loads(reports[0])
        for other in reports[1:]:
            log["runs"].extend(json.loads(other)["runs"])
        return json.dumps(log, indent=2, ensure_ascii=False)
    return "\n\n".join(r.rstrip("\n") for r in reports)


def _write_reports(done: list[_Reviewed], fmt: str, output: Path | None, several: bool) -> None:
    if output is None:
        if done:
            text = _combined([d.report for d in done], fmt)
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    if several:
        output.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for item in done:
        if several or output.is_dir():
            name = item.target.stem
            n = 2
            while name in used:
                name, n = f"{item.target.stem}-{n}", n + 1
            used.add(name)
            path = output / (name + _EXTENSIONS[fmt])
        else:
            path = output
        path.write_text(item.report, encoding="utf-8")
        err.print(f"wrote {path}")


def _summary(done: list[_Reviewed]) -> Table:
    """Build the review summary: it fits 80 columns (short ids, wrapping within cells).

    The full review and document ids follow in the caption, one review per line.
    """
    table = Table(title="review summary", title_justify="left", caption_justify="left")
    table.add_column("input", overflow="fold", ratio=3)
    table.add_column("review", no_wrap=True)
    # Out of 100 like every report; the scale is in the header so a cell never wraps.
    table.add_column("score /100", justify="right", overflow="fold", ratio=1)
    table.add_column("findings", overflow="fold", ratio=2)
    table.add_column("places", justify="right")
    table.add_column("below", justify="right")
    table.add_column("not assessed", overflow="fold", ratio=2)
    ids: list[str] = []
    for item in done:
        review = item.review
        counts = Counter(Severity(f.severity) for f in review.findings)
        by_severity = ", ".join(
            f"{counts[s]} {s}" for s in Severity.most_severe_first() if counts[s]
        )
        table.add_row(
            item.target.path.name if item.target.path is not None else item.target.label,
            short_id(review.id),
            _score(review),
            by_severity or ("none (nothing assessed)" if review.assessed_nothing else "none"),
            str(review.places),
            str(review.below_threshold),
            _not_assessed(review),
        )
        ids.append(f"{review.id}\n  of {review.document_id} version {review.document_version}")
    table.caption = "\n".join(ids)
    return table


def _score(review: ReviewView) -> str:
    # A score over some policies only says so: never a bare "1.00" over what was not assessed.
    text = fmt_score(review.score, none="none", scale=False)
    return f"{text} (partial)" if review.score is not None and review.not_assessed else text


def _not_assessed(review: ReviewView) -> str:
    missing = review.not_assessed
    if not missing:
        return "-"
    reasons = Counter((p.reason or "not_reviewed").replace("_", " ") for p in missing)
    why = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())
    return f"{len(missing)} of {len(review.policies)} ({why})"


def _report_unassessed(done: list[_Reviewed]) -> int:
    empty = [d for d in done if d.review.assessed_nothing]
    for item in empty:
        details = "; ".join(
            f"{p.policy_id} {(p.reason or 'not_reviewed').replace('_', ' ')}"
            + (f" ({p.detail})" if p.detail else "")
            for p in item.review.not_assessed[:3]
        )
        more = len(item.review.not_assessed) - 3
        report_error_line(
            f"{item.target.label}: nothing was assessed, so there is no score: {details}"
            + (f" and {more} more" if more > 0 else "")
        )
    return len(empty)


def review_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files to ingest and review (PDF, DOCX, Markdown, text, reST).",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    document: Annotated[
        list[str] | None,
        typer.Option(
            "--document",
            "-d",
            metavar="DOC_ID",
            help="Review a stored document (its latest version) instead of a file; repeatable.",
            show_default=False,
        ),
    ] = None,
    pack: Annotated[
        list[str] | None,
        typer.Option(
            "--pack",
            "-p",
            metavar="PACK",
            help="Policy pack name or .yaml/.json path; repeatable (default: the settings').",
            show_default=False,
        ),
    ] = None,
    reviewer: Annotated[
        str | None,
        typer.Option(
            metavar="SPEC",
            help="Reviewer spec, e.g. rules (default: the settings').", show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.MD,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report here instead of stdout; a directory for several inputs.",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        Severity | None,
        typer.Option(
            "--fail-on",
            case_sensitive=False,
            help="Exit 1 if any finding is at or above this severity (for CI).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary table on stderr.")
    ] = False,
    min_confidence: MinConfidence = None,
    show_all: ShowAll = False,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch",
            help="Send every call of every input as one provider batch (half price, answered "
            "within 24 h); prints the batch id. `docsense worker` completes the reviews. "
            "Needs one LLM provider as reviewer and a store with a job queue (PostgreSQL).",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict/--no-strict",
            help="Fail the review (exit 70) if a check or reviewer raises; by default the "
            "error is recorded on the review and shown in its report, and the others run.",
        ),
    ] = False,
    batch_poll: Annotated[
        float,
        typer.Option(
            "--batch-poll", min=0.0, metavar="SECONDS",
            help="With --batch: how often a worker asks the provider whether it is done.",
        ),
    ] = 60.0,
) -> None:
    """Ingest FILEs (or take stored documents) and review them against policy packs.

    The report goes to stdout (or -o); the summary table, progress and errors go to stderr,
    so `--format json` and `--format sarif` on stdout are pure JSON. With several inputs and
    no -o, json is an array of reports and sarif one log with a run per input. Reports show
    the findings at or above the confidence threshold and say how many are below it; --all
    shows those too.
    """
    state = state_of(ctx)
    targets = [_Target(label=str(p), path=p) for p in nonempty(files)]
    targets += [_Target(label=d, document_id=d) for d in nonempty(document)]
    if not targets:
        raise typer.BadParameter("give at least one FILE or --document ID", param_hint="FILE...")
    several = len(targets) > 1
    if several and output is None and fmt == ReportFormat.HTML:
        raise typer.BadParameter(
            "several HTML reports need -o DIRECTORY", param_hint="'--output' / '-o'"
        )
    if several and output is not None and output.exists() and not output.is_dir():
        raise typer.BadParameter(
            f"{output} is a file; several inputs need a directory", param_hint="'--output' / '-o'"
        )
    packs = nonempty(pack) or None
    if batch:
        _submit_batch(state, targets, packs=packs, reviewer=reviewer, poll=batch_poll)
        return

    async def work(ds: AsyncDocSense) -> tuple[list[_Reviewed], list[int]]:
        return await _review_all(
            ds, state, targets, packs=packs, reviewer=reviewer, fmt=fmt.value,
            min_confidence=min_confidence, include_all=show_all, strict=strict,
        )

    done, failed = state.run(work, reviewer=reviewer)
    _write_reports(done, fmt.value, output, several)
    if done and not quiet:
        err.print(_summary(done))
    for item in done:
        for error in item.review.check_errors:
            err.print(f"warning: {item.target.label}: check error: {error}")
    codes = list(failed)
    if _report_unassessed(done):
        codes.append(ExitCode.PROVIDER)
    if fail_on is not None:
        threshold = Severity(fail_on)
        hits = sum(
            1 for d in done for f in d.review.findings if Severity(f.severity).at_least(threshold)
        )
        if hits:
            err.print(f"{hits} finding(s) at or above {threshold}: failing (--fail-on {threshold})")
            codes.append(ExitCode.FINDINGS)
    if failed:
        raise Failure(len(failed), len(targets), codes)
    if codes:
        raise typer.Exit(worst_exit_code(codes))


def _submit_batch(
    state: CliState,
    targets: list[_Target],
    *,
    packs: list[str] | None,
    reviewer: str | None,
    poll: float,
) -> None:
    async def work(ds: AsyncDocSense) -> tuple[str, list[str], list[int]]:
        ids: list[str] = []
        failed: list[int] = []
        for target in targets:
            try:
                if target.path is not None:
                    ids.append((await ds.ingest(target.path)).id)
                else:
                    ids.append((await ds.document(str(target.document_id))).id)
            except (DocSenseError, OSError) as exc:
                failed.append(exit_code_for(exc))
                report_error(exc, debug=state.debug, about=target.label)
        if not ids:
            return "", ids, failed
        batch_id = await ds.submit_batch(
            ids, packs=packs, reviewer=reviewer, batch=True, poll_interval=poll
        )
        return batch_id, ids, failed

    batch_id, ids, failed = state.run(work, reviewer=reviewer)
    if batch_id:
        sys.stdout.write(batch_id + "\n")
        err.print(
            f"submitted {len(ids)} review(s) as one provider batch: {batch_id}; "
            "`docsense worker` completes them when the provider has answered"
        )
    if failed:
        raise Failure(len(failed), len(targets), failed)


def report_command(
    ctx: typer.Context,
    review_id: Annotated[
        str, typer.Argument(help="The review's id.", metavar="REVIEW_ID", show_default=False)
    ],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.MD,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report here instead of stdout.",
                     show_default=False),
    ] = None,
    min_confidence: Annotated[
        float | None,
        typer.Option(
            "--min-confidence",
            min=0.0,
            max=1.0,
            help="Report at this confidence threshold instead of the review's (findings, "
            "statuses and score are computed again from every recorded finding).",
            show_default=False,
        ),
    ] = None,
    show_all: ShowAll = False,
) -> None:
    """Render a stored review's report again (md, html, json or sarif).

    By default at the review's own confidence threshold; --min-confidence reports at another
    one and --all also shows the findings below it.
    """
    state = state_of(ctx)

    async def work(ds: AsyncDocSense) -> str:
        review = await ds.get_review(review_id)
        return _render(review, fmt.value, None, include_all=show_all,
                       min_confidence=min_confidence)

    text = state.run(work)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")


def ingest_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(help="Files to ingest.", metavar="FILE", show_default=False),
    ],
    title: Annotated[
        str | None,
        typer.Option(help="Document title (one file only; default: from the file).",
                     show_default=False),
    ] = None,
    document_id: Annotated[
        str | None,
        typer.Option(
            "--document-id",
            help="Ingest as a new major version of this stored document (one file only).",
            show_default=False,
        ),
    ] = None,
    force_new: Annotated[
        bool,
        typer.Option(
            "--force-new",
            help="Make a new document even if the same file is stored already (default: "
            "print the stored document).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Ingest FILEs: print each one's document id and version.

    A file whose bytes are already stored is not ingested again: its stored document is
    printed (use --force-new for a new one).

    Exit codes: 0 all ingested, 2 a file could not be read or was rejected (the others are
    still ingested), 3 the store or configuration is unavailable.
    """
    state = state_of(ctx)
    if len(files) > 1 and (title is not None or document_id is not None):
        raise typer.BadParameter("--title and --document-id take one file", param_hint="FILE...")

    async def work(ds: AsyncDocSense) -> tuple[list[tuple[Path, DocumentView]], list[int]]:
        done: list[tuple[Path, DocumentView]] = []
        failed: list[int] = []
        with progress(len(files)) as bar:
            task = bar.add_task("ingesting", total=len(files))
            for path in files:
                bar.update(task, description=f"ingesting {path}")
                try:
                    doc = await ds.ingest(
                        path, title=title, document_id=document_id, force_new=force_new
                    )
                    done.append((path, doc))
                except (DocSenseError, OSError) as exc:
                    failed.append(exit_code_for(exc))
                    report_error(exc, debug=state.debug, about=str(path))
                bar.advance(task)
        return done, failed

    done, failed = state.run(work)
    if as_json:
        print_json(
            [
                {
                    "file": str(path),
                    "id": doc.id,
                    "version": doc.version,
                    "title": doc.title,
                    "status": doc.status,
                    "warnings": list(doc.warnings),
                }
                for path, doc in done
            ]
        )
    elif done:
        table = Table()
        for name in ("file", "document", "version", "title", "warnings"):
            table.add_column(name, overflow="fold")
        for path, doc in done:
            table.add_row(str(path), doc.id, doc.version, doc.title, str(len(doc.warnings)))
        out.print(table)
    if failed:
        raise Failure(len(failed), len(files), failed)
