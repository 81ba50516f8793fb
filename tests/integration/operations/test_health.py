"""Health: ok, degraded and failing stores on memory, SQLite and PostgreSQL, and the CLI's codes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import pytest_asyncio

import docsense
from docsense.adapters.storage import open_storage
from docsense.adapters.storage.memory import MemoryStorage
from docsense.application.health import (
    HealthStatus,
    HealthThresholds,
    check_health,
    probe,
    redact,
)
from docsense.application.projections import Backoff, ProjectionRunner
from docsense.cli import main
from docsense.errors import InvalidArgument
from docsense.ports import Storage
from docsense.testing.reviewers import CONTRACT_DOCUMENT

from ..projections.conftest import counted
from ..projections.counting import CountingProjection, counting_mapper


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()  # nothing listens there any more: connection refused
    return port


# --- a store that answers ---------------------------------------------------------------------


async def test_a_fresh_store_is_ok_and_a_lagging_projection_degrades_it(store_url: str) -> None:
    async with docsense.aopen(store_url, reviewer="rules") as ds:
        doc = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
        await ds.review(doc.id)
        report = await ds.health()
        assert report.status is HealthStatus.OK, report.problems
        assert report.exit_code == 0
        assert report.reachable
        assert report.latency_ms is not None
        assert 0 <= report.latency_ms < 1000
        assert report.head == await ds.service.storage.head()
        assert report.events is not None
        assert report.events >= 3
        if store_url == "memory://":
            assert (report.schema_version, report.size_bytes) == (None, None)
        else:
            assert report.schema_version is not None
            assert report.schema_version >= 1
            assert report.size_bytes is not None
            assert report.size_bytes > 0
        names = {p.name for p in report.projections}
        assert names == set(ds.service.projections.names)
        assert all(p.lag_events > 0 for p in report.projections)  # nothing read them yet

        lagging = await ds.health(max_lag_s=0.0)
        assert lagging.status is HealthStatus.DEGRADED
        assert lagging.exit_code == 1
        assert any("documents is" in p and "behind the log" in p for p in lagging.problems)
        many = await ds.health(max_lag_events=1)
        assert many.status is HealthStatus.DEGRADED

        await ds.documents()  # a read catches the read models up
        caught_up = await ds.health(max_lag_s=0.0, max_lag_events=0)
        assert caught_up.status is HealthStatus.OK, caught_up.problems
        assert all(p.lag_events == 0 for p in caught_up.projections)
        assert all(p.lag_s == 0 for p in caught_up.projections)


async def test_dead_letters_degrade_the_store(store_url: str) -> None:
    storage: Storage = (
        MemoryStorage() if store_url == "memory://" else await open_storage(store_url)
    )
    try:
        await storage.append("c-a", [counted(1), counted(9, poison=True), counted(2)], 0)

        async def no_wait(seconds: float) -> None:
            return None

        runner = ProjectionRunner(
            storage, storage.projections, [CountingProjection()], mapper=counting_mapper(),
            max_attempts=2, backoff=Backoff(0.01, 0.01), sleep=no_wait,
        )
        await runner.catch_up()
        report = await check_health(storage, runner)
    finally:
        await storage.close()
    assert report.status is HealthStatus.DEGRADED
    assert report.dead_letters == 1
    [projection] = report.projections
    assert (projection.name, projection.lag_events, projection.dead_letters) == ("counting", 0, 1)
    assert report.problems == (
        "projection counting has 1 parked event(s): see `docsense projections dead-letters "
        "counting`",
    )


@pytest.fixture(params=["memory", "postgres"])
def queue_url(request: pytest.FixtureRequest) -> str:
    """A store with a job queue."""
    if request.param == "memory":
        return "memory://"
    return str(request.getfixturevalue("postgres_schema_url"))


async def test_job_backlog_and_expired_worker_leases_degrade_the_store(queue_url: str) -> None:
    async with docsense.aopen(queue_url, reviewer="rules") as ds:
        doc = await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
        await ds.documents()
        await ds.submit_review(doc.id)
        await ds.submit_review(doc.id)
        report = await ds.health()
        assert report.status is HealthStatus.OK, report.problems
        assert report.jobs is not None
        assert (report.jobs.queued, report.jobs.running, report.jobs.expired) == (2, 0, 0)

        waiting = await ds.health(max_job_wait_s=0.0)
        assert waiting.status is HealthStatus.DEGRADED
        assert any(p.startswith("job backlog: 2 due job(s)") for p in waiting.problems)

        queue = ds._jobs()
        assert await queue.claim("worker-a", lease_seconds=600) is not None
        assert await queue.claim("worker-b", lease_seconds=0.05) is not None
        await asyncio.sleep(0.2)  # worker-b's lease runs out: as if it died
        stale = await ds.health()
    assert stale.jobs is not None
    assert (stale.jobs.queued, stale.jobs.running, stale.jobs.expired) == (0, 1, 1)
    assert stale.jobs.lease_owners == ("worker-a",)
    assert stale.status is HealthStatus.DEGRADED
    assert any("lease ran out" in p for p in stale.problems)


async def test_postgres_reports_which_projections_a_worker_leads(
    postgres_schema_url: str,
) -> None:
    async with docsense.aopen(postgres_schema_url) as ds:
        await ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
        before = await ds.health(max_lag_s=0)
        assert {p.leader for p in before.projections} == {False}
        assert any("no worker leads it" in p for p in before.problems)
        elector = ds.service.storage.leader_elector()  # type: ignore[attr-defined]
        try:
            assert await elector.try_lead("documents")
            leading = await ds.health(max_lag_s=0)
        finally:
            await elector.close()
        after = await ds.health()
    assert {p.name: p.leader for p in leading.projections}["documents"] is True
    assert sum(bool(p.leader) for p in leading.projections) == 1
    assert any("documents" in p and "not keeping up" in p for p in leading.problems)
    assert not any(p.leader for p in after.projections)


async def test_sqlite_has_no_job_queue_to_report(tmp_path: Path) -> None:
    async with docsense.aopen(f"sqlite:///{tmp_path / 'x.db'}") as ds:
        report = await ds.health()
    assert report.jobs is None
    assert {p.leader for p in report.projections} == {None}
    assert report.status is HealthStatus.OK


def test_thresholds_are_checked() -> None:
    with pytest.raises(InvalidArgument, match="max_lag_s"):
        HealthThresholds(max_lag_s=-1)


def test_passwords_never_show() -> None:
    assert redact("postgresql://u:secret@h:5/db") == "postgresql://u:***@h:5/db"
    assert redact("sqlite:////tmp/a.db") == "sqlite:////tmp/a.db"


# --- a store that does not answer -------------------------------------------------------------


async def test_sqlite_files_that_cannot_be_opened_are_failing(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    report = await probe(f"sqlite:///{missing}")
    assert report.status is HealthStatus.FAILING
    assert report.exit_code == 3
    assert not report.reachable
    assert report.problems == (f"store unreachable: no SQLite database at {missing}",)
    assert not missing.exists()  # a probe never creates a store
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database, just text " * 200)
    assert (await probe(f"sqlite:///{garbage}")).status is HealthStatus.FAILING
    assert (await probe(f"sqlite:///{tmp_path}")).status is HealthStatus.FAILING  # a directory


async def test_postgres_on_a_closed_port_is_failing(postgres_url: str) -> None:
    parts = urlsplit(postgres_url)
    url = urlunsplit(parts._replace(netloc=f"postgres:pw@127.0.0.1:{_closed_port()}"))
    report = await probe(url, timeout_s=5)
    assert report.status is HealthStatus.FAILING
    assert report.exit_code == 3
    assert "pw" not in report.store
    assert "pw@" not in " ".join(report.problems)


class _Proxy:
    """A TCP proxy to the PostgreSQL server that can be stopped: the server as seen "dying"."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._transports: list[asyncio.WriteTransport] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        self._transports += [writer.transport, up_writer.transport]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for transport in self._transports:
            transport.abort()
        await self._server.wait_closed()


@pytest_asyncio.fixture
async def proxied_url(postgres_schema_url: str) -> AsyncIterator[tuple[str, _Proxy]]:
    parts = urlsplit(postgres_schema_url)
    proxy = _Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    auth = parts.netloc.rpartition("@")[0]
    yield urlunsplit(parts._replace(netloc=f"{auth}@127.0.0.1:{proxy.port}")), proxy
    with contextlib.suppress(Exception):
        await proxy.stop()


async def test_a_postgres_server_that_stops_makes_an_open_client_failing(
    proxied_url: tuple[str, _Proxy],
) -> None:
    url, proxy = proxied_url
    async with docsense.aopen(url) as ds:
        assert (await ds.health()).status is HealthStatus.OK
        await proxy.stop()  # the server goes away under the open client
        report = await ds.health(timeout_s=5)
        assert report.status is HealthStatus.FAILING
        assert report.exit_code == 3
        assert not report.reachable
        assert report.problems[0].startswith("store unreachable:")
        stopped = await probe(url, timeout_s=5)  # and a new probe cannot open it
        assert stopped.status is HealthStatus.FAILING


# --- the command ------------------------------------------------------------------------------


def _health(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().out


def test_the_command_exit_codes_are_probe_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, postgres_url: str
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    code, text = _health(capsys, "--store", url, "health")
    assert code == 3
    assert text.startswith(f"failing: {url}")
    with docsense.open(url) as ds:
        ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
    code, text = _health(capsys, "--store", url, "health")
    assert code == 0, text
    assert text.startswith("ok: ")
    code, text = _health(capsys, "--store", url, "health", "--max-lag", "0", "--json")
    assert code == 1
    report = json.loads(text)
    assert report["status"] == "degraded"
    assert report["reachable"] is True
    assert {p["name"] for p in report["projections"]} >= {"documents", "reviews"}
    assert report["jobs"] is None
    assert report["problems"]

    closed = urlunsplit(urlsplit(postgres_url)._replace(netloc=f"u@127.0.0.1:{_closed_port()}"))
    code, text = _health(capsys, "--store", closed, "health", "--json", "--timeout", "5")
    assert code == 3
    assert json.loads(text)["status"] == "failing"
    code, text = _health(capsys, "--store", "nosuchscheme://x", "health")
    assert code == 3
    assert "failing" in text


def test_the_command_reports_postgres_jobs(
    capsys: pytest.CaptureFixture[str], postgres_schema_url: str
) -> None:
    with docsense.open(postgres_schema_url) as ds:
        doc = ds.ingest(CONTRACT_DOCUMENT.encode(), filename="contract.md")
        ds.documents()
        ds.submit_review(doc.id)
    code, text = _health(capsys, "--store", postgres_schema_url, "health", "--json")
    assert code == 0, text
    report = json.loads(text)
    assert report["jobs"]["queued"] == 1
    assert report["schema_version"] >= 1
    assert {p["leader"] for p in report["projections"]} == {False}
    code, text = _health(capsys, "--store", postgres_schema_url, "health")
    assert code == 0
    assert "leader" in text
    assert "1 due" in text
    code, text = _health(capsys, "--store", postgres_schema_url, "health", "--max-job-wait", "0")
    assert code == 1
    assert "job backlog: 1 due job(s)" in text
