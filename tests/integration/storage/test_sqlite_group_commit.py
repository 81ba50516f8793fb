"""SQLite appends: groups share one commit, answer only after it, and fail one by one.

Also where calls run: ``?inline=0`` never on the event loop's thread; ``auto`` (the default)
runs short reads and lone appends there while commits are fast, never waits for a lock
there, and checkpoints on the writer thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from docsense.adapters.storage import sqlite_appends
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.errors import ConcurrencyConflict, DuplicateEventId, StorageFull, StoreUnavailable
from docsense.testing import new_event


class Statements:
    """The statements a connection runs, with the thread each ran on."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []

    def __call__(self, sql: str) -> None:
        self.seen.append((" ".join(sql.split())[:200], threading.get_ident()))

    def count(self, prefix: str) -> int:
        return sum(1 for sql, _ in self.seen if sql.startswith(prefix))

    def threads(self) -> set[int]:
        return {thread for _, thread in self.seen}


@pytest_asyncio.fixture
async def thread_store(tmp_path: Path) -> AsyncIterator[SQLiteStorage]:
    store = await SQLiteStorage.open(tmp_path / "thread.db", inline=False)
    yield store
    await store.close()


@pytest_asyncio.fixture
async def auto_store(tmp_path: Path) -> AsyncIterator[SQLiteStorage]:
    store = await SQLiteStorage.open(tmp_path / "auto.db")
    yield store
    await store.close()


async def _trace_writer(store: SQLiteStorage) -> Statements:
    statements = Statements()
    await store._db.run_write(lambda: store._db.writer().set_trace_callback(statements))
    return statements


async def test_concurrent_appends_share_one_commit(thread_store: SQLiteStorage) -> None:
    statements = await _trace_writer(thread_store)
    positions = await asyncio.gather(
        *(thread_store.append(f"thing-{i}", [new_event(i), new_event(i)], 0) for i in range(8))
    )
    # One statement, its own transaction: one commit, one fsync, for the eight appends.
    assert statements.count("INSERT INTO docsense_events") == 1
    assert statements.count("BEGIN") == 0
    flat = sorted(p for ps in positions for p in ps)
    assert flat == list(range(flat[0], flat[0] + 16))
    for i in range(8):
        stored = await thread_store.read_stream(f"thing-{i}")
        assert [r.position for r in stored] == positions[i]


async def test_appends_made_while_a_group_commits_form_the_next_group(
    thread_store: SQLiteStorage,
) -> None:
    statements = await _trace_writer(thread_store)

    async def writer(n: int) -> None:
        for version in range(20):
            await thread_store.append(f"writer-{n}", [new_event(version)], version)

    await asyncio.gather(*(writer(n) for n in range(8)))
    # 160 appends in 20 rounds of 8: one transaction each would be 160.
    assert statements.count("BEGIN IMMEDIATE") <= 40, "appends were not grouped"
    for n in range(8):
        assert await thread_store.stream_version(f"writer-{n}") == 20


async def test_in_a_group_a_stale_append_fails_alone(thread_store: SQLiteStorage) -> None:
    first, stale, other = await asyncio.gather(
        thread_store.append("thing-1", [new_event(1)], 0),
        thread_store.append("thing-1", [new_event(2)], 0),
        thread_store.append("thing-2", [new_event(3)], 0),
        return_exceptions=True,
    )
    assert isinstance(first, list)
    assert isinstance(other, list)
    assert isinstance(stale, ConcurrencyConflict)
    assert stale.actual_version == 1
    assert [r.payload["n"] for r in await thread_store.read_stream("thing-1")] == [1]


async def test_in_a_group_a_duplicate_event_id_fails_alone(thread_store: SQLiteStorage) -> None:
    shared = new_event(1)
    first, duplicate, other = await asyncio.gather(
        thread_store.append("thing-1", [shared], 0),
        thread_store.append("thing-2", [new_event(2), shared], 0),
        thread_store.append("thing-3", [new_event(3)], 0),
        return_exceptions=True,
    )
    assert isinstance(first, list)
    assert isinstance(other, list)
    assert isinstance(duplicate, DuplicateEventId)
    assert duplicate.event_id == shared.event_id
    assert await thread_store.stream_version("thing-2") == 0


async def test_in_a_group_a_retry_gets_the_stored_positions(thread_store: SQLiteStorage) -> None:
    events = [new_event(1), new_event(2)]
    stored = await thread_store.append("thing-1", events, 0)
    again, other = await asyncio.gather(
        thread_store.append("thing-1", events, 0), thread_store.append("thing-2", events[:0], 0)
    )
    assert again == stored
    assert other == []


async def test_in_a_group_of_one_statement_each_append_is_checked_on_its_own(
    thread_store: SQLiteStorage,
) -> None:
    stored = [new_event(0), new_event(1)]
    positions = await thread_store.append("thing-1", stored, 0)
    statements = await _trace_writer(thread_store)
    fresh_group = await asyncio.gather(
        thread_store.append("thing-1", [new_event(6)], 2),
        thread_store.append("thing-5", [new_event(7), new_event(8)], 0),
        thread_store.append("thing-6", [new_event(9)], 0),
    )
    assert statements.count("INSERT INTO docsense_events") == 1  # appends that all fit
    assert [len(p) for p in fresh_group] == [1, 2, 1]
    # A stale append or a retry refuses the group's statement: its appends are then
    # applied one by one, each answered on its own, and the fresh ones stored.
    stale, retry, fresh, fresh_too = await asyncio.gather(
        thread_store.append("thing-2", [new_event(2)], 3),  # the stream is not there yet
        thread_store.append("thing-1", stored, 0),  # a retry of what is stored
        thread_store.append("thing-3", [new_event(3), new_event(4)], 0),
        thread_store.append("thing-4", [new_event(5)], 0),
        return_exceptions=True,
    )
    assert isinstance(stale, ConcurrencyConflict)
    assert retry == positions
    assert isinstance(fresh, list)
    assert len(fresh) == 2
    assert isinstance(fresh_too, list)
    assert await thread_store.stream_version("thing-2") == 0
    assert await thread_store.stream_version("thing-3") == 2


async def test_a_batch_larger_than_one_statement_is_still_atomic(
    thread_store: SQLiteStorage,
) -> None:
    taken = new_event(0)
    await thread_store.append("thing-0", [taken], 0)
    events = [new_event(i) for i in range(250)]
    with pytest.raises(DuplicateEventId):
        await thread_store.append("thing-1", [*events, taken], 0)
    assert await thread_store.stream_version("thing-1") == 0
    positions = await thread_store.append("thing-1", events, 0)
    assert len(positions) == 250
    assert positions == list(range(positions[0], positions[0] + 250))
    assert await thread_store.append("thing-1", events, 0) == positions
    with pytest.raises(ConcurrencyConflict):
        await thread_store.append("thing-1", [new_event(i) for i in range(150)], 0)


async def test_when_the_shared_commit_fails_every_append_of_the_group_fails(
    thread_store: SQLiteStorage,
) -> None:
    def limit() -> None:
        conn = thread_store._db.writer()
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 8}")

    await thread_store._db.run_write(limit)
    big = "x" * 20_000  # about five pages each: one fits, three do not
    results = await asyncio.gather(
        *(thread_store.append(f"thing-{i}", [new_event(i, pad=big)], 0) for i in range(3)),
        return_exceptions=True,
    )
    assert all(isinstance(r, StorageFull) for r in results), results
    assert len({id(r) for r in results}) == 3  # one error per caller, not one shared object
    for i in range(3):
        assert await thread_store.stream_version(f"thing-{i}") == 0


async def test_no_append_is_answered_before_the_shared_commit_returns(
    thread_store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gate = threading.Event()
    committed = threading.Event()
    original = sqlite_appends.commit_group

    def held(conn: sqlite3.Connection, group: Any) -> Any:
        results = original(conn, group)
        committed.set()
        gate.wait(10)  # the commit is done; no caller may be answered before we return
        return results

    monkeypatch.setattr(sqlite_appends, "commit_group", held)
    appends = [
        asyncio.ensure_future(thread_store.append(f"thing-{i}", [new_event(i)], 0))
        for i in range(3)
    ]
    assert await asyncio.to_thread(committed.wait, 10)
    await asyncio.sleep(0.2)
    assert not any(a.done() for a in appends)
    with sqlite3.connect(tmp_path / "thread.db") as other:  # durable and visible already
        assert other.execute("SELECT COUNT(*) FROM docsense_events").fetchone()[0] == 3
    other.close()
    gate.set()
    await asyncio.gather(*appends)


async def test_an_append_cancelled_before_its_group_commits_is_not_stored(
    thread_store: SQLiteStorage,
) -> None:
    kept = asyncio.ensure_future(thread_store.append("thing-1", [new_event(1)], 0))
    dropped = asyncio.ensure_future(thread_store.append("thing-2", [new_event(2)], 0))
    await asyncio.sleep(0)  # both are queued; the group is not flushed yet
    dropped.cancel()
    await kept
    with pytest.raises(asyncio.CancelledError):
        await dropped
    assert await thread_store.stream_version("thing-2") == 0


# --- where calls run ------------------------------------------------------------------------


async def _trace_everything(store: SQLiteStorage) -> Statements:
    statements = await _trace_writer(store)
    await store._db.run_read(lambda: store._db.reader().set_trace_callback(statements))
    if store._db.mode == "auto":
        store._db.loop_writer().set_trace_callback(statements)
        store._db.loop_reader().set_trace_callback(statements)
    return statements


async def _use(store: SQLiteStorage) -> None:
    await store.append("thing-1", [new_event(1)], 0)
    await store.read_stream("thing-1")
    await store.stream_version("thing-1")
    await store.load_snapshot("thing-1")
    await store.head()


async def test_with_inline_0_nothing_runs_on_the_event_loop_thread(
    thread_store: SQLiteStorage,
) -> None:
    statements = await _trace_everything(thread_store)
    await _use(thread_store)
    assert statements.seen
    assert threading.get_ident() not in statements.threads()


async def test_auto_runs_short_reads_and_a_lone_append_on_the_loop_thread(
    auto_store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_appends, "INLINE_BUDGET", 60.0)  # however slow the disk is
    statements = await _trace_everything(auto_store)
    await _use(auto_store)
    here = [sql for sql, thread in statements.seen if thread == threading.get_ident()]
    assert any(sql.startswith("INSERT INTO docsense_events") for sql in here)
    assert any("FROM docsense_events WHERE stream_id" in sql for sql in here)
    assert any("FROM docsense_snapshots" in sql for sql in here)


async def test_auto_commits_a_group_on_the_loop_thread_while_commits_are_fast(
    auto_store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_appends, "INLINE_BUDGET", 60.0)  # however slow the disk is
    statements = await _trace_everything(auto_store)
    await asyncio.gather(*(auto_store.append(f"thing-{i}", [new_event(i)], 0) for i in range(8)))
    inserts = [t for sql, t in statements.seen if sql.startswith("INSERT INTO docsense_events")]
    assert inserts == [threading.get_ident()]  # one statement, on this thread


async def test_auto_sends_appends_to_the_writer_thread_while_commits_are_slow(
    auto_store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_appends, "INLINE_BUDGET", 0.5)  # any real commit is fast
    statements = await _trace_everything(auto_store)
    for _ in range(16):
        auto_store._appends.recent.add(1.0)  # as after a burst of slow fsyncs
    where = []
    for version in range(12):
        await auto_store.append("thing-1", [new_event(version)], version)
        where.append(
            [t for sql, t in statements.seen if sql.startswith("INSERT INTO docsense_events")][-1]
        )
    here = threading.get_ident()
    # Eight fast commits on the thread leave no majority of slow ones: the loop again.
    assert here not in where[:8]
    assert set(where[8:]) == {here}


async def test_one_slow_commit_among_fast_ones_keeps_appends_on_the_loop(
    auto_store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_appends, "INLINE_BUDGET", 0.5)
    statements = await _trace_everything(auto_store)
    for _ in range(15):
        auto_store._appends.recent.add(0.001)
    auto_store._appends.recent.add(1.0)
    await auto_store.append("thing-1", [new_event(1)], 0)
    inserts = [t for sql, t in statements.seen if sql.startswith("INSERT INTO docsense_events")]
    assert inserts == [threading.get_ident()]


async def test_auto_never_waits_for_a_lock_on_the_loop_thread(
    auto_store: SQLiteStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_appends, "INLINE_BUDGET", 60.0)  # always try the loop first
    await auto_store.append("thing-0", [new_event(0)], 0)  # opens the loop's connections
    other = sqlite3.connect(tmp_path / "auto.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the file's write lock
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.ensure_future(ticker())
    try:
        append = asyncio.ensure_future(auto_store.append("thing-1", [new_event(1)], 0))
        await asyncio.sleep(0.5)
        assert not append.done()  # it waits, on the writer thread
        assert ticks >= 20  # and the loop kept running meanwhile
        other.execute("COMMIT")
        await asyncio.wait_for(append, 10)
    finally:
        ticking.cancel()
        other.close()
    assert await auto_store.stream_version("thing-1") == 1


async def test_auto_reads_on_the_reader_thread_when_the_loop_connection_is_busy(
    auto_store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    await auto_store.append("thing-1", [new_event(1)], 0)
    calls: list[int] = []

    def busy_here(conn: sqlite3.Connection) -> int:
        calls.append(threading.get_ident())
        if threading.get_ident() == threading.main_thread().ident and len(calls) == 1:
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorcode = 5  # SQLITE_BUSY
            raise error
        return 7

    assert await auto_store._db.read(busy_here) == 7
    assert len(calls) == 2
    assert calls[1] != calls[0]


async def test_auto_checkpoints_on_the_writer_thread(
    auto_store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_appends, "CHECKPOINT_PAGES", 30)  # every 10 appends
    monkeypatch.setattr(sqlite_appends, "INLINE_BUDGET", 60.0)  # however slow the disk is
    statements = await _trace_writer(auto_store)
    for i in range(35):
        await auto_store.append(f"thing-{i}", [new_event(i)], 0)
    await auto_store._appends.close()  # waits for checkpoints in progress
    checkpoints = [t for sql, t in statements.seen if "wal_checkpoint" in sql]
    assert len(checkpoints) == 3
    assert threading.get_ident() not in checkpoints
    autocheckpoint = auto_store._db.loop_writer().execute("PRAGMA wal_autocheckpoint")
    assert autocheckpoint.fetchone()[0] == 0


async def test_auto_checkpoints_by_pages_of_log_not_by_events(
    auto_store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_appends, "INLINE_BUDGET", 60.0)
    statements = await _trace_writer(auto_store)
    # 60 commits of ten small events write about 240 pages of log: no checkpoint yet
    # (SQLite's own threshold is 1,000 pages), though 600 events were appended.
    for i in range(60):
        await auto_store.append(f"thing-{i}", [new_event(10 * i + k) for k in range(10)], 0)
    await auto_store._appends.close()
    assert not [sql for sql, _ in statements.seen if "wal_checkpoint" in sql]


async def test_every_connection_that_appends_commits_with_synchronous_full(
    auto_store: SQLiteStorage,
) -> None:
    full = 2
    assert auto_store._db.loop_writer().execute("PRAGMA synchronous").fetchone()[0] == full
    writer = await auto_store._db.run_write(
        lambda: auto_store._db.writer().execute("PRAGMA synchronous").fetchone()[0]
    )
    assert writer == full


async def test_auto_keeps_the_write_ahead_log_from_growing(
    auto_store: SQLiteStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each checkpoint must end (appends wait for it) so that SQLite starts the log over:
    # a log that only grows makes every commit's fsync write the file's size too.
    monkeypatch.setattr(sqlite_appends, "CHECKPOINT_PAGES", 150)  # every 50 appends
    monkeypatch.setattr(sqlite_appends, "INLINE_BUDGET", 60.0)  # every commit on the loop
    for i in range(600):
        await auto_store.append(f"thing-{i}", [new_event(i)], 0)
    await auto_store._appends.close()
    # 600 appends write about 2,400 pages (10 MB) of log; starting over every 50 keeps it
    # near the 200 pages of one interval.
    assert (tmp_path / "auto.db-wal").stat().st_size < 3 * 1024 * 1024


@pytest.mark.parametrize("inline", [False, "auto"])
async def test_appends_to_a_closed_store_each_fail_with_store_unavailable(
    tmp_path: Path, inline: bool | str
) -> None:
    store = await SQLiteStorage.open(tmp_path / "closed.db", inline=inline)  # type: ignore[arg-type]
    await store.close()
    results = await asyncio.gather(
        *(store.append(f"thing-{i}", [new_event(i)], 0) for i in range(3)),
        return_exceptions=True,
    )
    assert all(isinstance(r, StoreUnavailable) for r in results), results
    assert len({id(r) for r in results}) == 3


async def test_auto_commits_a_large_append_on_the_writer_thread(
    auto_store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_appends, "INLINE_BUDGET", 60.0)  # however slow the disk is
    statements = await _trace_everything(auto_store)
    await auto_store.append("small", [new_event(0)], 0)
    await auto_store.append("large", [new_event(1, pad="x" * 100_000)], 0)
    inserts = [t for sql, t in statements.seen if sql.startswith("INSERT INTO docsense_events")]
    here = threading.get_ident()
    assert inserts[0] == here  # a small one on the loop
    assert inserts[1] != here  # the large one on the writer thread
