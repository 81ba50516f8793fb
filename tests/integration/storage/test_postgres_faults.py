"""PostgreSQL faults surface as typed errors that keep their cause; nothing leaks or is lost.

Sessions are ended for real with ``pg_terminate_backend`` (what a server shutdown does to
each session: SQLSTATE 57P01). States a shared test server cannot be put in (starting up,
crashed, out of connection slots) come from a local server that speaks the PostgreSQL wire
protocol only far enough to refuse the connection as the real one does, so the real asyncpg
raises the real exception.
"""

from __future__ import annotations

import asyncio
import gc
import struct
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from docsense.adapters.storage.postgres import PostgresStorage
from docsense.adapters.storage.postgres_database import PostgresDatabase, translate_error
from docsense.errors import DocSenseError, StorageError, StorageFull, StoreUnavailable
from docsense.testing import new_event

_OURS = "datname = current_database() AND application_name = 'docsense' AND pid <> pg_backend_pid()"


@pytest_asyncio.fixture
async def admin(postgres_url: str) -> AsyncIterator[Any]:
    conn = await asyncpg.connect(postgres_url)
    yield conn
    await conn.close()


@pytest_asyncio.fixture
async def store(postgres_schema_url: str) -> AsyncIterator[PostgresStorage]:
    opened = await PostgresStorage.open(postgres_schema_url, pool_size=4)
    yield opened
    await opened.close()


def _causes(error: BaseException) -> list[BaseException]:
    chain = []
    cause = error.__cause__
    while cause is not None:
        chain.append(cause)
        cause = cause.__cause__
    return chain


def _schema(url: str) -> str:
    return url.partition("?schema=")[2]


@pytest.mark.postgres
async def test_a_session_terminated_mid_append_raises_store_unavailable(
    store: PostgresStorage, admin: Any, postgres_url: str, postgres_schema_url: str
) -> None:
    await store.append("thing-1", [new_event(0)], 0)
    schema = _schema(postgres_schema_url)
    # Hold the stream's row so the next append waits inside ds_append, then end its session.
    lock = await asyncpg.connect(postgres_url)
    try:
        await lock.execute("BEGIN")
        await lock.execute(
            f'SELECT 1 FROM "{schema}".ds_streams WHERE stream_id = $1 FOR UPDATE', "thing-1"
        )
        events = [new_event(1)]
        append = asyncio.create_task(store.append("thing-1", events, 1))
        for _ in range(200):
            pids = await admin.fetch(
                f"SELECT pid FROM pg_stat_activity WHERE {_OURS} AND wait_event_type = 'Lock'"
            )
            if pids:
                break
            await asyncio.sleep(0.02)
        assert pids, "the append never waited on the lock"
        await admin.execute("SELECT pg_terminate_backend($1)", pids[0]["pid"])
        with pytest.raises(StoreUnavailable, match="57P01") as info:
            await append
        assert any(isinstance(e, asyncpg.AdminShutdownError) for e in _causes(info.value))
    finally:
        await lock.execute("ROLLBACK")
        await lock.close()
    # The pool replaces the session; the append the caller retries goes through, once.
    assert await store.append("thing-1", events, 1) == await store.append("thing-1", events, 1)
    assert await store.stream_version("thing-1") == 2


@pytest.mark.postgres
async def test_sessions_ended_under_writers_leak_no_driver_error_and_lose_nothing(
    store: PostgresStorage, admin: Any
) -> None:
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: unhandled.append(context))
    acknowledged: dict[str, list[str]] = {}
    failures: list[BaseException] = []

    async def writer(w: int) -> None:
        stream, version = f"writer-{w}", 0
        acknowledged[stream] = []
        for i in range(150):
            event = new_event(i)
            try:
                await store.append(stream, [event], version)
            except Exception as exc:
                failures.append(exc)
                # The append may have committed before its session ended: a retry says so.
                try:
                    await store.append(stream, [event], version)
                except Exception as again:
                    failures.append(again)
                    version = await _version(store, stream)
                    continue
            acknowledged[stream].append(event.event_id)
            version += 1

    async def listener() -> None:
        for _ in range(60):
            await store.wait_for_events(0.02)

    async def terminator() -> None:
        for _ in range(10):
            await asyncio.sleep(0.05)
            await admin.execute(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {_OURS}"
            )

    try:
        await asyncio.gather(*(writer(w) for w in range(4)), listener(), terminator())
        await asyncio.sleep(0.05)  # let the last notification task finish
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert unhandled == [], [c.get("message") for c in unhandled]
    assert [f for f in failures if not isinstance(f, DocSenseError)] == []
    assert {type(f) for f in failures} <= {StoreUnavailable}
    for stream, ids in acknowledged.items():
        stored = [r.event_id for r in await store.read_stream(stream)]
        assert set(ids) <= set(stored), f"{stream}: an acknowledged append is missing"


async def _version(store: PostgresStorage, stream: str) -> int:
    for _ in range(50):
        try:
            return await store.stream_version(stream)
        except StoreUnavailable:
            await asyncio.sleep(0.02)
    raise AssertionError("the store never came back")


@pytest.mark.postgres
async def test_a_terminated_listener_session_is_replaced_without_an_error(
    store: PostgresStorage, admin: Any
) -> None:
    await store.wait_for_events(0.01)  # opens the LISTEN session
    await admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {_OURS}")
    await asyncio.sleep(0.1)
    await store.wait_for_events(0.01)  # notices, and listens again on a new session
    waiter = asyncio.create_task(store.wait_for_events(30))
    await asyncio.sleep(0.2)
    await store.append("thing-1", [new_event(1)], 0)
    await asyncio.wait_for(waiter, timeout=10)


# --- states the shared server cannot be put in: a local server refuses like the real one -----


class RefusingServer:
    """Answers every connection attempt with one PostgreSQL ErrorResponse, then hangs up."""

    def __init__(self, sqlstate: str, message: str) -> None:
        self.sqlstate = sqlstate
        self.message = message
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RefusingServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/db"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            length, code = struct.unpack("!ii", await reader.readexactly(8))
            if code == 80877103:  # SSLRequest: "no", then the startup message follows
                writer.write(b"N")
                length, _ = struct.unpack("!ii", await reader.readexactly(8))
            await reader.readexactly(length - 8)
            fields = (
                b"".join(
                    key + value.encode() + b"\0"
                    for key, value in (
                        (b"S", "FATAL"),
                        (b"V", "FATAL"),
                        (b"C", self.sqlstate),
                        (b"M", self.message),
                    )
                )
                + b"\0"
            )
            writer.write(b"E" + struct.pack("!i", len(fields) + 4) + fields)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.mark.parametrize(
    ("sqlstate", "message", "exception"),
    [
        ("57P03", "the database system is starting up", asyncpg.CannotConnectNowError),
        ("57P02", "terminating connection because of crash", asyncpg.CrashShutdownError),
        (
            "57P01",
            "terminating connection due to administrator command",
            asyncpg.AdminShutdownError,
        ),
        ("53300", "sorry, too many clients already", asyncpg.TooManyConnectionsError),
    ],
)
async def test_a_server_that_cannot_take_sessions_raises_store_unavailable(
    sqlstate: str, message: str, exception: type[Exception]
) -> None:
    async with RefusingServer(sqlstate, message) as server:
        # A pool whose server went away and came back refusing: the state of an open store
        # whose next query needs a new session.
        pool = await asyncpg.create_pool(server.url, min_size=0, max_size=1)
        db = PostgresDatabase(server.url, pool, None, server.url)
        try:
            with pytest.raises(StoreUnavailable, match=sqlstate) as info:
                async with db.connection() as conn:
                    await conn.fetchval("SELECT 1")
            assert isinstance(info.value.__cause__, exception)
        finally:
            await db.close()
        with pytest.raises(StoreUnavailable, match="cannot connect"):
            await PostgresStorage.open(server.url, connect_timeout=5)


def test_a_full_disk_on_the_server_is_storage_full() -> None:
    error = translate_error(asyncpg.DiskFullError("could not extend file: No space left"))
    assert isinstance(error, StorageFull)
    assert isinstance(error, OSError)


def test_other_server_errors_are_storage_errors_with_their_sqlstate() -> None:
    error = translate_error(asyncpg.UndefinedTableError('relation "x" does not exist'))
    assert type(error) is StorageError
    assert "42P01" in str(error)
    assert translate_error(ValueError("not a driver error")) is None
