"""Operations: ``docsense projections ...`` and ``docsense worker``.

``projections`` has ``status``, ``rebuild``, ``dead-letters``, ``retry`` and ``discard``.

The worker runs a set of long-lived loops side by side until SIGINT or SIGTERM (see
:func:`worker_loops`, the place to add more): projections, queued reviews and recovery of
work an interrupted process left half done.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from rich.table import Table

from docsense import AsyncDocSense, telemetry
from docsense.application.jobs import ReviewJobWorker, job_queue
from docsense.application.projections import ProjectionRunner, ProjectionStatus
from docsense.application.recovery import recover
from docsense.application.waiting import wait_or_stop
from docsense.application.worker import LeaderElector, ProjectionWorker, SoleLeader
from docsense.cli._runtime import err, fmt_time, out, print_json, short, state_of
from docsense.errors import InvalidArgument, StoreUnavailable
from docsense.ports import DeadLetter

__all__ = ["WorkerLoop", "WorkerOptions", "projections_app", "worker_command", "worker_loops"]

projections_app = typer.Typer(
    name="projections",
    help="Read models built from the event log: status, rebuilds, parked (dead-letter) events.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Name = Annotated[
    str, typer.Argument(help="The projection's name.", metavar="NAME", show_default=False)
]
EventId = Annotated[
    str, typer.Argument(help="The parked event's id.", metavar="EVENT_ID", show_default=False)
]


def _status_table(rows: list[ProjectionStatus]) -> Table:
    table = Table()
    for column in ("projection", "generation", "position", "head", "lag", "dead letters", "state"):
        table.add_column(column, justify="left" if column in {"projection", "state"} else "right")
    for s in rows:
        state = "ok"
        if s.halted:
            state = f"halted: {short(s.halted, 60)}"
        elif s.rebuilding_generation is not None:
            state = f"rebuilding into generation {s.rebuilding_generation}"
        lag = f"{s.lag}+" if s.lag >= 10_000 else str(s.lag)
        table.add_row(
            s.name, str(s.generation), str(s.position), str(s.head), lag, str(s.dead_letters), state
        )
    return table


@projections_app.command("status")
def status_command(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Show where each projection stands: checkpoint, lag behind the log, dead letters."""

    async def work(ds: AsyncDocSense) -> list[ProjectionStatus]:
        return await ds.service.projections.status()

    rows = state_of(ctx).run(work)
    if as_json:
        print_json(rows)
    else:
        out.print(_status_table(rows))


@projections_app.command("rebuild")
def rebuild_command(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Projections to rebuild (or --all).", metavar="NAME", show_default=False
        ),
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Rebuild every projection.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Replay the whole log into a fresh generation of a read model, then swap it in.

    Readers keep seeing the old generation until the new one has caught up.
    """
    if bool(names) == everything:
        raise typer.BadParameter("name projections or give --all (not both)", param_hint="NAMES")

    async def work(ds: AsyncDocSense) -> list[ProjectionStatus]:
        runner = ds.service.projections
        chosen = runner.names if everything else list(names or ())
        for name in chosen:
            runner.projection(name)  # an unknown name fails before any rebuild starts
        done = []
        for name in chosen:
            err.print(f"rebuilding {name} ...")
            done.append(await runner.rebuild(name))
        return done

    rows = state_of(ctx).run(work)
    if as_json:
        print_json(rows)
    else:
        out.print(_status_table(rows))


@projections_app.command("dead-letters")
def dead_letters_command(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(help="Only this projection's.", metavar="NAME", show_default=False),
    ] = None,
    tracebacks: Annotated[
        bool, typer.Option("--traceback", help="Also print each stored traceback.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """List events a projection could not apply (parked after its retries)."""

    async def work(ds: AsyncDocSense) -> list[DeadLetter]:
        return await ds.service.projections.dead_letters(name)

    letters = state_of(ctx).run(work)
    if as_json:
        print_json(letters)
        return
    if not letters:
        err.print("no dead letters")
        return
    table = Table()
    for column in ("projection", "event", "position", "type", "attempts", "parked", "error"):
        table.add_column(column, overflow="fold")
    for d in letters:
        table.add_row(
            d.projection,
            d.event_id,
            str(d.position),
            d.event_type,
            str(d.attempts),
            fmt_time(d.parked_at),
            short(d.error, 80),
        )
    out.print(table)
    if tracebacks:
        for d in letters:
            sys.stdout.write(f"\n--- {d.projection} {d.event_id}\n{d.traceback.rstrip()}\n")


@projections_app.command("retry")
def retry_command(ctx: typer.Context, name: Name, event_id: EventId) -> None:
    """Apply a parked event again (after a fix); it stays parked if it fails again."""

    async def work(ds: AsyncDocSense) -> None:
        await ds.service.projections.retry_dead_letter(name, event_id)

    state_of(ctx).run(work)
    out.print(f"retried {event_id} in {name}: applied")


@projections_app.command("discard")
def discard_command(ctx: typer.Context, name: Name, event_id: EventId) -> None:
    """Forget a parked event without applying it."""

    async def work(ds: AsyncDocSense) -> None:
        await ds.service.projections.discard_dead_letter(name, event_id)

    state_of(ctx).run(work)
    out.print(f"discarded {event_id} from {name}")


# --- worker ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerOptions:
    """What ``docsense worker`` was asked to do."""

    poll_interval: float
    jobs: bool = True
    lease_seconds: float = 60.0
    recovery_interval: float = 60.0
    telemetry_interval: float = 15.0


#: A long-lived loop of the worker: runs on the open client until ``stop`` is set.
WorkerLoop = Callable[[AsyncDocSense, asyncio.Event], Coroutine[Any, Any, None]]


def _elector_and_wakeup(
    ds: AsyncDocSense,
) -> tuple[LeaderElector, Callable[[float], Awaitable[None]] | None, str]:
    storage: Any = ds.service.storage
    make_elector = getattr(storage, "leader_elector", None)
    if callable(make_elector):
        # Many processes: advisory-lock leadership, and LISTEN/NOTIFY wakes us on appends.
        elector: LeaderElector = make_elector()
        return elector, storage.wait_for_events, "leader election, woken by new events"
    # One process owns a memory or SQLite store; other processes' appends are only seen by
    # polling.
    return SoleLeader(), None, "sole leader, polling"


def _projection_loop(options: WorkerOptions) -> WorkerLoop:
    async def run(ds: AsyncDocSense, stop: asyncio.Event) -> None:
        runner: ProjectionRunner = ds.service.projections
        elector, wakeup, mode = _elector_and_wakeup(ds)
        err.print(
            f"projections: {', '.join(runner.names)} ({mode}; poll every "
            f"{options.poll_interval:g}s)"
        )

        def on_lead(name: str) -> None:
            print(f"leading {name}", flush=True)

        worker = ProjectionWorker(
            runner, elector, poll_interval=options.poll_interval, wakeup=wakeup, on_lead=on_lead
        )
        await worker.run(stop)

    return run


def _review_job_loop(options: WorkerOptions) -> WorkerLoop:
    async def run(ds: AsyncDocSense, stop: asyncio.Event) -> None:
        storage: Any = ds.service.storage
        if getattr(storage, "jobs", None) is None:
            err.print("reviews: this store has no job queue (PostgreSQL has one); not running jobs")
            return
        worker = ReviewJobWorker(
            ds.service,
            job_queue(storage),
            lease_seconds=options.lease_seconds,
            poll_interval=options.poll_interval,
        )
        err.print(f"reviews: running queued reviews as {worker.worker_id}")
        await worker.run(stop)

    return run


def _recovery_loop(options: WorkerOptions) -> WorkerLoop:
    async def run(ds: AsyncDocSense, stop: asyncio.Event) -> None:
        while True:  # a first pass at start, even if asked to stop already
            try:
                found = await recover(ds.service)
            except StoreUnavailable as exc:
                err.print(f"recovery: {exc}; trying again")
            else:
                for review_id in found.applies_finished:
                    print(f"finished the interrupted apply of {review_id}", flush=True)
                for review_id in found.reviews_failed:
                    print(f"recorded the interrupted review {review_id} as failed", flush=True)
            if await wait_or_stop(stop, asyncio.sleep(options.recovery_interval)):
                return

    return run


def _telemetry_loop(options: WorkerOptions) -> WorkerLoop:
    async def run(ds: AsyncDocSense, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await ds.health()  # sets the OpenTelemetry gauges (lag, dead letters, size)
            if await wait_or_stop(stop, asyncio.sleep(options.telemetry_interval)):
                return

    return run


def worker_loops(options: WorkerOptions) -> list[tuple[str, WorkerLoop]]:
    """Return the loops ``docsense worker`` runs side by side, by name.

    ``projections`` keeps the read models caught up; ``reviews`` runs queued reviews (from
    ``submit_review`` / ``submit_batch``) when the store has a job queue; ``recovery``
    finishes feedback applies and fails reviews an interrupted process left half done
    (:mod:`docsense.application.recovery`), at start and every ``recovery_interval``
    seconds; ``telemetry`` (when OpenTelemetry is installed) takes a health check every
    ``telemetry_interval`` seconds for the gauges of :mod:`docsense.telemetry`. A loop that
    raises stops the others and the worker exits with its error.
    """
    loops = [("projections", _projection_loop(options)), ("recovery", _recovery_loop(options))]
    if options.jobs:
        loops.append(("reviews", _review_job_loop(options)))
    if telemetry.available():
        loops.append(("telemetry", _telemetry_loop(options)))
    return loops


def _install_stop_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: no loop signal handlers
            with contextlib.suppress(ValueError):
                signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))


async def _run_loops(ds: AsyncDocSense, loops: list[tuple[str, WorkerLoop]]) -> None:
    stop = asyncio.Event()
    _install_stop_signals(stop)
    err.print(f"worker on {ds.store_url}; stop with Ctrl-C or SIGTERM")
    try:
        async with asyncio.TaskGroup() as group:
            for name, loop in loops:
                group.create_task(loop(ds, stop), name=f"docsense-worker-{name}")
    except BaseExceptionGroup as exc:
        raise exc.exceptions[0] from None
    err.print("worker stopped")


def worker_command(
    ctx: typer.Context,
    poll_interval: Annotated[
        float,
        typer.Option(min=0.01, help="Seconds between looks at the log when nothing wakes us."),
    ] = 1.0,
    jobs: Annotated[
        bool, typer.Option("--jobs/--no-jobs", help="Also run queued reviews (PostgreSQL).")
    ] = True,
    lease: Annotated[
        float, typer.Option(min=1.0, help="Seconds a claimed review job is leased for.")
    ] = 60.0,
    imports: Annotated[
        list[str] | None,
        typer.Option(
            "--import",
            help="Import a module first (repeatable), e.g. one registering a custom reviewer.",
        ),
    ] = None,
) -> None:
    """Keep the read models caught up and run queued reviews until SIGINT or SIGTERM.

    On PostgreSQL any number of workers may run: each projection is advanced by one leader at
    a time and the others take over if it dies; each queued review is claimed by one worker
    under a lease, renewed while it runs and taken over by another worker if it dies. On
    SQLite or memory run one worker. Prints `leading <projection>` when it starts leading one.
    """
    for module in imports or []:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise InvalidArgument(f"--import {module}: {exc}") from exc
    loops = worker_loops(WorkerOptions(poll_interval=poll_interval, jobs=jobs, lease_seconds=lease))

    async def work(ds: AsyncDocSense) -> None:
        await _run_loops(ds, loops)

    state_of(ctx).run(work)
