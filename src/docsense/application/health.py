"""Health checks: store reachability, read models and job queue keeping up.

:func:`check_health` looks at an open store; :func:`probe` opens one first (and reports a
store it cannot open as failing instead of raising), which is what ``docsense health`` runs
as a container probe. A report's status is:

- ``failing``: the store cannot be reached (not running, a wrong URL or credentials, a
  SQLite file that does not exist or cannot be opened) or stopped answering;
- ``degraded``: it answers, but something needs an operator: a projection behind the log by
  more than ``max_lag_s`` seconds or ``max_lag_events`` events, parked (dead-letter)
  events, a halted projection, a job whose worker's lease ran out, a job waiting longer
  than ``max_job_wait_s``, or a round trip slower than ``max_latency_s``;
- ``ok`` otherwise.

Each problem is named in :attr:`HealthReport.problems`. Checking only reads: nothing is
caught up, claimed or written (opening a SQLite or PostgreSQL store migrates its schema
forward, as any open does). Every check also updates docsense's OpenTelemetry gauges
(:mod:`docsense.telemetry`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import attrs

from docsense import telemetry
from docsense.application.projections import ProjectionRunner
from docsense.errors import DocSenseError, InvalidArgument
from docsense.ports import QueueStats, Storage, StoreSize

__all__ = [
    "HealthReport",
    "HealthStatus",
    "HealthThresholds",
    "ProjectionHealth",
    "check_health",
    "probe",
    "redact",
    "unreachable",
]


class HealthStatus(StrEnum):
    """The overall verdict of a health check."""

    OK = "ok"
    DEGRADED = "degraded"
    FAILING = "failing"

    @property
    def exit_code(self) -> int:
        """The ``docsense health`` exit code: 0 ok, 1 degraded, 3 failing."""
        return {"ok": 0, "degraded": 1, "failing": 3}[self.value]


@attrs.frozen
class HealthThresholds:
    """When a store that answers is reported as degraded (see the module docstring)."""

    max_lag_s: float = 60.0
    """Seconds the oldest event a projection has not applied may wait."""
    max_lag_events: int = 1000
    """Events a projection may be behind the log."""
    max_latency_s: float = 1.0
    """Seconds a round trip to the store may take."""
    max_job_wait_s: float = 300.0
    """Seconds a due job may wait for a worker."""

    def __attrs_post_init__(self) -> None:
        for name in ("max_lag_s", "max_lag_events", "max_latency_s", "max_job_wait_s"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise InvalidArgument(f"{name} must be a number >= 0, got {value!r}")


@attrs.frozen
class ProjectionHealth:
    """Where one read model stands."""

    name: str
    position: int
    lag_events: int
    """Events not applied yet (counted up to 10,000; more reads as 10,000)."""
    lag_s: float
    """How long the oldest event not applied yet has waited (0 when caught up)."""
    dead_letters: int
    halted: str | None = None
    leader: bool | None = None
    """Whether a worker leads the projection now (None: the store elects no leaders).

    On PostgreSQL a ``docsense worker`` process holds a projection's leader lock while it
    keeps the projection caught up; False means no worker is running it.
    """


@attrs.frozen
class HealthReport:
    """What :meth:`docsense.AsyncDocSense.health` and ``docsense health`` report."""

    status: HealthStatus
    store: str
    """The store's URL (password removed)."""
    checked_at: datetime
    reachable: bool
    latency_ms: float | None = None
    """One round trip to the store (reading the head of the log), in milliseconds."""
    schema_version: int | None = None
    """The store's schema version (None: the adapter has none, e.g. memory)."""
    events: int | None = None
    size_bytes: int | None = None
    """The store database's size (None: unknown for this adapter)."""
    head: int | None = None
    """The global position of the last event."""
    projections: tuple[ProjectionHealth, ...] = ()
    dead_letters: int = 0
    """Parked events, all projections together."""
    jobs: QueueStats | None = None
    """The job queue and worker leases (None: this store has no job queue, e.g. SQLite)."""
    problems: tuple[str, ...] = ()
    """Why the status is not ok, one line each."""

    @property
    def exit_code(self) -> int:
        """0 ok, 1 degraded, 3 failing: usable as a container probe's exit code."""
        return self.status.exit_code


def unreachable(store: str, error: BaseException | str) -> HealthReport:
    """Return the failing report of a store that could not be reached."""
    message = error if isinstance(error, str) else (
        " ".join(str(error).split()) or type(error).__name__
    )
    return HealthReport(
        status=HealthStatus.FAILING,
        store=store,
        checked_at=datetime.now(UTC),
        reachable=False,
        problems=(f"store unreachable: {message}",),
    )


async def check_health(
    storage: Storage,
    runner: ProjectionRunner,
    thresholds: HealthThresholds | None = None,
    *,
    timeout_s: float = 10.0,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> HealthReport:
    """Check an open store; a store that stops answering (or takes ``timeout_s``) is failing."""
    limits = thresholds or HealthThresholds()
    try:
        return await asyncio.wait_for(_check(storage, runner, limits, clock), timeout_s)
    except TimeoutError:
        return unreachable(storage.url, f"no answer within {timeout_s:g} s")
    except (DocSenseError, OSError) as exc:
        return unreachable(storage.url, exc)


async def _check(
    storage: Storage,
    runner: ProjectionRunner,
    limits: HealthThresholds,
    clock: Callable[[], datetime],
) -> HealthReport:
    started = time.perf_counter()
    head = await storage.head()
    latency = time.perf_counter() - started
    problems: list[str] = []
    if latency > limits.max_latency_s:
        problems.append(
            f"slow store: a round trip took {latency:.2f} s (limit {limits.max_latency_s:g} s)"
        )
    schema = await _optional(storage, "schema_version")
    size: StoreSize | None = await _optional(storage, "store_size")
    now = clock()
    leaders = await _leaders(storage, runner.names)
    projections = []
    for name in runner.names:
        status = await runner.status_of(name)
        lag_s = 0.0
        if status.lag:
            oldest = await storage.read_all(status.position, limit=1)
            if oldest:
                lag_s = max(0.0, (now - oldest[0].occurred_at).total_seconds())
        health = ProjectionHealth(
            name=name,
            position=status.position,
            lag_events=status.lag,
            lag_s=lag_s,
            dead_letters=status.dead_letters,
            halted=status.halted,
            leader=None if leaders is None else leaders.get(name, False),
        )
        projections.append(health)
        problems.extend(_projection_problems(health, limits))
    jobs = await _queue_stats(storage)
    if jobs is not None:
        if jobs.expired:
            problems.append(
                f"{jobs.expired} job(s) held by a worker whose lease ran out (a worker died "
                "or stalled; another worker will take them over)"
            )
        if jobs.queued and jobs.oldest_wait_s > limits.max_job_wait_s:
            problems.append(
                f"job backlog: {jobs.queued} due job(s), the oldest waiting "
                f"{jobs.oldest_wait_s:.0f} s (limit {limits.max_job_wait_s:g} s): are workers "
                "running?"
            )
    report = HealthReport(
        status=HealthStatus.DEGRADED if problems else HealthStatus.OK,
        store=storage.url,
        checked_at=now,
        reachable=True,
        latency_ms=round(latency * 1000, 3),
        schema_version=schema,
        events=size.events if size is not None else None,
        size_bytes=size.bytes if size is not None else None,
        head=head,
        projections=tuple(projections),
        dead_letters=sum(p.dead_letters for p in projections),
        jobs=jobs,
        problems=tuple(problems),
    )
    telemetry.record_store_gauges(
        storage.url,
        events=report.events,
        size_bytes=report.size_bytes,
        projections={p.name: (p.lag_s, p.lag_events, p.dead_letters) for p in projections},
    )
    return report


def _projection_problems(p: ProjectionHealth, limits: HealthThresholds) -> list[str]:
    out = []
    if p.halted:
        out.append(f"projection {p.name} halted: {p.halted}")
    if p.lag_events > limits.max_lag_events or (p.lag_events and p.lag_s > limits.max_lag_s):
        more = "+" if p.lag_events >= 10_000 else ""
        why = "is a worker running?"
        if p.leader is not None:
            why = "its worker is not keeping up" if p.leader else "no worker leads it"
        out.append(
            f"projection {p.name} is {p.lag_events}{more} event(s) and {p.lag_s:.0f} s behind "
            f"the log (limits {limits.max_lag_events} events, {limits.max_lag_s:g} s): {why}"
        )
    if p.dead_letters:
        out.append(
            f"projection {p.name} has {p.dead_letters} parked event(s): see `docsense "
            f"projections dead-letters {p.name}`"
        )
    return out


async def _optional(storage: object, method: str) -> Any:
    """Call an optional adapter method (None if the adapter has none)."""
    fn = getattr(storage, method, None)
    return await fn() if callable(fn) else None


async def _leaders(storage: object, names: list[str]) -> dict[str, bool] | None:
    fn = getattr(storage, "projection_leaders", None)
    if not callable(fn):
        return None
    found: dict[str, bool] = await fn(names)
    return found


async def _queue_stats(storage: object) -> QueueStats | None:
    queue = getattr(storage, "jobs", None)
    stats = getattr(queue, "stats", None)
    if not callable(stats):
        return None
    found: QueueStats = await stats()
    return found


def redact(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _missing_sqlite_file(url: str) -> str | None:
    """Return the path of a SQLite URL's file if it does not exist (opening would create it)."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() != "sqlite":
        return None
    path = (rest[1:] if rest.startswith("/") else rest).partition("?")[0]
    if not path or path == ":memory:" or Path(path).exists():
        return None
    return path


async def probe(
    url: str,
    thresholds: HealthThresholds | None = None,
    *,
    timeout_s: float = 10.0,
    options: dict[str, Any] | None = None,
) -> HealthReport:
    """Open the store at ``url``, check it and close it; never raises for a store that is down.

    A store that cannot be opened within ``timeout_s`` seconds (a server not running, a SQLite
    file that does not exist or cannot be opened, wrong credentials, a bad URL) gives a
    failing report. ``options`` go to the storage adapter's ``open``.
    """
    from docsense.adapters.storage import open_storage
    from docsense.application.read_models import builtin_projections

    shown = redact(url)
    missing = _missing_sqlite_file(url)
    if missing is not None:
        return unreachable(shown, f"no SQLite database at {missing}")
    opening = dict(options or {})
    if url.lower().startswith(("postgresql://", "postgres://", "postgresql+")):
        opening.setdefault("pool_size", 2)
        opening.setdefault("connect_timeout", timeout_s)
    try:
        storage = await asyncio.wait_for(open_storage(url, **opening), timeout_s)
    except TimeoutError:
        return unreachable(shown, f"could not open the store within {timeout_s:g} s")
    except (DocSenseError, OSError) as exc:
        return unreachable(shown, exc)
    try:
        runner = ProjectionRunner(storage, storage.projections, builtin_projections())
        return await check_health(storage, runner, thresholds, timeout_s=timeout_s)
    finally:
        with contextlib.suppress(DocSenseError, OSError):
            await storage.close()
