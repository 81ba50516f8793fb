"""Dump, restore and online backup on real stores (SQLite files, PostgreSQL schemas).

- SQLite -> dump -> PostgreSQL -> dump gives the same event content in the same order;
- a dump taken while writers append restores to a consistent store;
- a SQLite backup taken while a writer thread appends is a consistent, verified store;
- bad dumps and wrong targets fail with typed errors.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from docsense.adapters.storage import open_storage
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.application.store_ops import backup, dump, restore, verify
from docsense.errors import InvalidArgument, InvalidDump, NotSupportedByStore, StoreNotEmpty
from docsense.ports import NewEvent, Storage

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _event(n: int, stream: int) -> NewEvent:
    return NewEvent(
        event_id=f"00000000-0000-7000-8000-{n:012d}",
        event_type=("DocumentUploaded", "ReviewStarted", "FindingsRecorded")[n % 3],
        schema_version=1 + n % 2,
        occurred_at=T0 + timedelta(seconds=n, microseconds=n * 7),
        payload={
            "n": n,
            "text": f"section {n}: the index rebalances quarterly \u2013 Zürich, 東京",
            "scores": [0.1 * n, 1e-9, 3.5e17, -0.0, 12],
            "nested": {"z": {"deep": [None, True, False]}, "a": "x" * (n % 7)},
            "empty": {},
        },
        metadata={"actor": f"user-{stream}", "correlation_id": f"c-{n // 3}"},
    )


async def _fill(store: Storage, events: int = 300, streams: int = 17) -> None:
    """Interleave appends to many streams (batches of one to three events)."""
    versions = [0] * streams
    n = 0
    while n < events:
        stream = (n * 7) % streams
        size = 1 + n % 3
        batch = [_event(n + i, stream) for i in range(size)]
        await store.append(f"stream-{stream}", batch, versions[stream])
        versions[stream] += size
        n += size
    await store.put_blob(b"%PDF-1.7 original bytes \x00\xff")
    await store.put_blob(b"PK\x03\x04 a docx")


def _lines(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _content(path: Path) -> list[dict[str, Any]]:
    """The dump's records without the header, trailer and (store-specific) positions."""
    records = _lines(path)[1:-1]
    return [{k: v for k, v in r.items() if k != "position"} for r in records]


@pytest.mark.postgres
async def test_sqlite_to_postgres_and_back_keeps_every_event_and_its_order(
    tmp_path: Path, postgres_schema_url: str
) -> None:
    sqlite = await open_storage(f"sqlite:///{tmp_path / 'source.db'}")
    await _fill(sqlite)
    first = await dump(sqlite, tmp_path / "1.jsonl.gz")
    await sqlite.close()

    postgres = await open_storage(postgres_schema_url)
    restored = await restore(postgres, tmp_path / "1.jsonl.gz")
    assert (restored.events, restored.blobs, restored.streams) == (300, 2, 17)
    assert (await verify(postgres)).ok
    second = await dump(postgres, tmp_path / "2.jsonl.gz")
    await postgres.close()

    back = await open_storage(f"sqlite:///{tmp_path / 'back.db'}")
    await restore(back, tmp_path / "2.jsonl.gz")
    third = await dump(back, tmp_path / "3.jsonl.gz")
    await back.close()

    assert first.events == second.events == third.events == 300
    one, two, three = (_content(tmp_path / f"{i}.jsonl.gz") for i in (1, 2, 3))
    assert one == two == three  # payloads, metadata, hashes, types, versions, times, order
    assert [r["event_id"] for r in one if "event_id" in r] == [
        _event(n, 0).event_id for n in range(300)
    ]
    # The SQLite -> SQLite round trip keeps even the positions.
    assert _lines(tmp_path / "1.jsonl.gz")[1:-1] == _lines(tmp_path / "3.jsonl.gz")[1:-1]


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'live.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


def _writer_thread(url: str, stop: threading.Event, counts: list[int]) -> threading.Thread:
    """Append to twelve streams from another thread (its own loop and store) until stopped."""

    async def write() -> None:
        store = await open_storage(url)
        versions = [0] * 12
        n = 100_000
        try:
            while not stop.is_set():
                stream = n % 12
                batch = [_event(n + i, stream) for i in range(1 + n % 2)]
                await store.append(f"live-{stream}", batch, versions[stream])
                versions[stream] += len(batch)
                n += len(batch)
                counts[0] += len(batch)
        finally:
            await store.close()

    thread = threading.Thread(target=asyncio.run, args=(write(),), daemon=True)
    thread.start()
    return thread


async def test_a_dump_under_concurrent_writes_restores_to_a_consistent_store(
    store_url: str, tmp_path: Path
) -> None:
    live = await open_storage(store_url)
    await _fill(live, events=120)
    stop, written = threading.Event(), [0]
    thread = _writer_thread(store_url, stop, written)
    try:
        while written[0] < 50:  # noqa: ASYNC110 - the count is kept by the writer thread
            await asyncio.sleep(0.01)
        report = await dump(live, tmp_path / "live.jsonl.gz")
        await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 30)
    total = await live.event_count()  # type: ignore[attr-defined]
    await live.close()
    assert 120 + 50 <= report.events < total  # some appends landed after the dump began

    target = await open_storage(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        restored = await restore(target, tmp_path / "live.jsonl.gz")
        assert restored.events == report.events
        checked = await verify(target)
        assert checked.ok, checked.first_break
        # Every stream in the dump is whole up to its last version: no gap, no stray event.
        for stream in range(12):
            events = await target.read_stream(f"live-{stream}")
            assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
    finally:
        await target.close()


async def test_a_sqlite_backup_taken_while_a_writer_runs_is_consistent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    live = await open_storage(url)
    await _fill(live, events=150)
    stop, written = threading.Event(), [0]
    thread = _writer_thread(url, stop, written)
    try:
        while written[0] < 30:  # noqa: ASYNC110 - the count is kept by the writer thread
            await asyncio.sleep(0.01)
        report = await backup(live, tmp_path / "copy.db")
        during = written[0]
        await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 30)
    final = await live.event_count()  # type: ignore[attr-defined]
    await live.close()
    assert report.verified
    assert 150 + 30 <= report.events < final
    assert written[0] > during or final > report.events

    copy = await SQLiteStorage.open(tmp_path / "copy.db")
    try:
        assert (await verify(copy)).events == report.events
        blob = b"%PDF-1.7 original bytes \x00\xff"
        assert await copy.get_blob(hashlib.sha256(blob).hexdigest()) == blob
        await copy.append("stream-0", [_event(999_999, 0)], await copy.stream_version("stream-0"))
        assert (await verify(copy)).ok
    finally:
        await copy.close()


async def test_restore_into_the_memory_store(tmp_path: Path) -> None:
    source = await open_storage(f"sqlite:///{tmp_path / 's.db'}")
    await _fill(source, events=40)
    await dump(source, tmp_path / "d.jsonl.gz")
    expected = (await verify(source, digest=True)).digest
    await source.close()
    memory = await open_storage("memory://")
    await restore(memory, tmp_path / "d.jsonl.gz")
    assert (await verify(memory, digest=True)).digest == expected
    await memory.append("stream-0", [_event(5000, 0)], await memory.stream_version("stream-0"))
    assert (await verify(memory)).ok


# --- typed errors ---------------------------------------------------------------------


@pytest.fixture
async def dumped(tmp_path: Path) -> Path:
    source = await open_storage(f"sqlite:///{tmp_path / 's.db'}")
    await _fill(source, events=30)
    await dump(source, tmp_path / "d.jsonl.gz")
    await source.close()
    return tmp_path / "d.jsonl.gz"


def _rewrite(path: Path, edit: Any) -> Path:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    lines = edit(lines)
    out = path.with_name("edited.jsonl.gz")
    with gzip.open(out, "wt", encoding="utf-8") as f:
        f.write("".join(f"{line}\n" for line in lines))
    return out


async def _restore_into_new(tmp_path: Path, path: Path) -> None:
    target = await open_storage(f"sqlite:///{tmp_path / 'target.db'}")
    try:
        await restore(target, path)
    finally:
        await target.close()


async def test_a_changed_payload_in_a_dump_is_refused(tmp_path: Path, dumped: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        lines[5] = lines[5].replace("rebalances", "rebalanced", 1)
        return lines

    with pytest.raises(InvalidDump, match="line 6: the hash chain breaks at stream-"):
        await _restore_into_new(tmp_path, _rewrite(dumped, edit))


async def test_a_dropped_event_in_a_dump_is_refused(tmp_path: Path, dumped: Path) -> None:
    with pytest.raises(InvalidDump, match="missing before it"):
        await _restore_into_new(tmp_path, _rewrite(dumped, lambda ls: ls[:2] + ls[3:]))


async def test_a_truncated_dump_is_refused(tmp_path: Path, dumped: Path) -> None:
    with pytest.raises(InvalidDump, match="truncated"):
        await _restore_into_new(tmp_path, _rewrite(dumped, lambda ls: ls[:-1]))
    cut = tmp_path / "cut.jsonl.gz"
    await asyncio.to_thread(lambda: cut.write_bytes(dumped.read_bytes()[:-40]))
    with pytest.raises(InvalidDump):
        await _restore_into_new(tmp_path, cut)


async def test_a_trailer_that_does_not_match_is_refused(tmp_path: Path, dumped: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        header = json.loads(lines[0])
        header["source"] = "sqlite:///elsewhere.db"
        return [json.dumps(header), *lines[1:]]

    with pytest.raises(InvalidDump, match="does not match the digest"):
        await _restore_into_new(tmp_path, _rewrite(dumped, edit))


async def test_a_file_that_is_not_a_dump_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.jsonl.gz"
    with gzip.open(plain, "wt") as f:
        f.write('{"hello": "world"}\n')
    with pytest.raises(InvalidDump, match="not a docsense dump"):
        await _restore_into_new(tmp_path, plain)
    text = tmp_path / "text.txt"
    text.write_text("not gzip at all\n")
    with pytest.raises(InvalidDump):
        await _restore_into_new(tmp_path, text)
    with pytest.raises(InvalidDump, match="does not exist"):
        await _restore_into_new(tmp_path, tmp_path / "missing.jsonl.gz")


async def test_a_store_that_holds_events_is_not_a_restore_target(
    tmp_path: Path, dumped: Path
) -> None:
    target = await open_storage(f"sqlite:///{tmp_path / 'busy.db'}")
    try:
        await target.append("other", [_event(1, 1)], 0)
        with pytest.raises(StoreNotEmpty, match="already holds 1 event"):
            await restore(target, dumped)
        assert await target.event_count() == 1  # type: ignore[attr-defined]
    finally:
        await target.close()


async def test_backup_of_a_store_without_a_file_is_not_supported(tmp_path: Path) -> None:
    memory = await open_storage("memory://")
    with pytest.raises(NotSupportedByStore, match="backup"):
        await backup(memory, tmp_path / "x.db")
    with pytest.raises(NotSupportedByStore, match="removing streams"):
        await memory.remove_streams(["x"])  # type: ignore[attr-defined]


@pytest.mark.postgres
async def test_backup_of_postgres_is_not_supported(
    tmp_path: Path, postgres_schema_url: str
) -> None:
    store = await open_storage(postgres_schema_url)
    try:
        with pytest.raises(NotSupportedByStore, match="dump other stores"):
            await backup(store, tmp_path / "x.db")
    finally:
        await store.close()


async def test_dump_refuses_an_existing_file(tmp_path: Path, dumped: Path) -> None:
    source = await open_storage(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with pytest.raises(InvalidArgument, match="already exists"):
            await dump(source, dumped)
    finally:
        await source.close()


async def test_a_restore_that_fails_part_way_says_the_store_holds_a_partial_restore(
    tmp_path: Path,
) -> None:
    source = await open_storage(f"sqlite:///{tmp_path / 's.db'}")
    await _fill(source, events=1500, streams=40)
    await dump(source, tmp_path / "big.jsonl.gz")
    await source.close()

    def edit(lines: list[str]) -> list[str]:  # an event of the second page of 1,000
        lines[1400] = lines[1400].replace("quarterly", "quarterlY", 1)
        return lines

    target = await open_storage(f"sqlite:///{tmp_path / 'partial.db'}")
    try:
        with pytest.raises(InvalidDump, match="1000 events were restored before it"):
            await restore(target, _rewrite(tmp_path / "big.jsonl.gz", edit))
        assert await target.event_count() == 1000  # type: ignore[attr-defined]
    finally:
        await target.close()
