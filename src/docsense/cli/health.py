"""``docsense health``: the store's health as text or JSON, with probe-friendly exit codes.

Exit codes (its own, for container liveness and readiness probes): 0 ok, 1 degraded (the store
answers but needs attention: lagging projections, dead letters, an expired worker lease, a job
backlog, a slow round trip), 3 failing (the store or its configuration is unavailable: a
server not running, a SQLite file that does not exist, invalid settings). A readiness probe
would use ``docsense health`` (0 only), a liveness probe ``docsense health || [ $? -eq 1 ]``.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer
from rich.table import Table

from docsense.application.health import HealthReport, HealthThresholds, probe, unreachable
from docsense.cli._runtime import out, print_json, state_of
from docsense.errors import DocSenseError

__all__ = ["health_command"]


def _settings_url(ctx: typer.Context) -> tuple[str | None, HealthReport | None]:
    """Return the store URL from the settings, or a failing report if they are invalid."""
    state = state_of(ctx)
    try:
        return state.settings().resolved_store_url(), None
    except DocSenseError as exc:
        return None, unreachable(state.store or "(settings)", f"invalid settings: {exc}")


def _print_text(report: HealthReport) -> None:
    out.print(f"{report.status.value}: {report.store}")
    if report.reachable:
        facts = [f"latency {report.latency_ms:.1f} ms"]
        if report.schema_version is not None:
            facts.append(f"schema version {report.schema_version}")
        if report.events is not None:
            facts.append(f"{report.events} events")
        if report.size_bytes is not None:
            facts.append(f"{report.size_bytes / 1e6:.1f} MB")
        out.print("  " + ", ".join(facts))
        leaders = any(p.leader is not None for p in report.projections)
        table = Table()
        columns = ["projection", "position", "lag (events)", "lag (s)", "dead letters"]
        for column in [*columns, "leader"] if leaders else columns:
            table.add_column(column, justify="left" if column == "projection" else "right")
        for p in report.projections:
            lag = f"{p.lag_events}+" if p.lag_events >= 10_000 else str(p.lag_events)
            row = [p.name, str(p.position), lag, f"{p.lag_s:.0f}", str(p.dead_letters)]
            table.add_row(*row, *(["yes" if p.leader else "no"] if leaders else []))
        out.print(table)
        jobs = report.jobs
        if jobs is None:
            out.print("  jobs: this store has no job queue")
        else:
            out.print(
                f"  jobs: {jobs.queued} due (oldest waiting {jobs.oldest_wait_s:.0f} s), "
                f"{jobs.scheduled} scheduled, {jobs.running} running, {jobs.expired} with an "
                f"expired lease, {jobs.failed} failed; workers holding leases: "
                f"{', '.join(jobs.lease_owners) or 'none'}"
            )
    for problem in report.problems:
        out.print(f"  - {problem}")


def health_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    max_lag: Annotated[
        float, typer.Option(min=0, help="Seconds a projection may lag before 'degraded'.")
    ] = 60.0,
    max_lag_events: Annotated[
        int, typer.Option(min=0, help="Events a projection may lag before 'degraded'.")
    ] = 1000,
    max_latency: Annotated[
        float, typer.Option(min=0, help="Seconds a store round trip may take.")
    ] = 1.0,
    max_job_wait: Annotated[
        float, typer.Option(min=0, help="Seconds a due job may wait for a worker.")
    ] = 300.0,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for the store before 'failing'.")
    ] = 10.0,
) -> None:
    """Check the store: reachability, latency, schema, projection lag, dead letters, jobs.

    Exit code 0 ok, 1 degraded, 3 failing (store or configuration unavailable), for
    container probes. Nothing is caught up, claimed or changed (opening a store migrates
    its schema, as every command does), and a SQLite file that does not exist is not
    created.
    """
    url, report = _settings_url(ctx)
    if url is not None:
        thresholds = HealthThresholds(
            max_lag_s=max_lag, max_lag_events=max_lag_events,
            max_latency_s=max_latency, max_job_wait_s=max_job_wait,
        )
        report = asyncio.run(probe(url, thresholds, timeout_s=timeout))
    assert report is not None
    if as_json:
        print_json(report)
    else:
        _print_text(report)
    sys.stdout.flush()
    raise typer.Exit(report.exit_code)
