"""A full disk surfaces as StorageFull with SQLite's own error as its cause; nothing is lost.

Two ways to fill the disk without filling the machine's: ``PRAGMA max_page_count`` on the
store's writer connection (SQLite answers SQLITE_FULL, as for ENOSPC), and a process-wide
file-size limit (``RLIMIT_FSIZE``) in a subprocess (the kernel answers EFBIG, which SQLite
reports only as a disk I/O error).
"""

from __future__ import annotations

import errno
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from docsense.adapters.storage import sqlite_appends
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.errors import StorageError, StorageFull
from docsense.ports import ProjectionCommit, ReadModelChange
from docsense.testing import new_event

BIG = "x" * 20_000  # one event needs several pages


async def _limit_pages(store: SQLiteStorage, extra: int) -> None:
    """Let the store's write connections grow the file by at most ``extra`` pages."""

    def limit(conn: sqlite3.Connection) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + extra}")

    await store._db.run_write(lambda: limit(store._db.writer()))
    await store._db.run_write(lambda: limit(store._db.projection_writer()))
    if store._db.mode == "auto":
        limit(store._db.loop_writer())  # lone appends may commit on this thread


@pytest.mark.parametrize("inline", [False, "auto", True])
async def test_an_append_on_a_full_disk_raises_storage_full_and_stores_nothing(
    tmp_path: Path, inline: bool | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_appends, "INLINE_BUDGET", 60.0)  # "auto" commits on the loop
    store = await SQLiteStorage.open(tmp_path / "full.db", inline=inline)  # type: ignore[arg-type]
    try:
        await store.append("thing-1", [new_event(0)], 0)
        await _limit_pages(store, 2)
        with pytest.raises(StorageFull) as info:
            await store.append("thing-1", [new_event(1, pad=BIG), new_event(2, pad=BIG)], 1)
        error = info.value
        assert isinstance(error, OSError)
        assert isinstance(error, StorageError)
        assert error.errno == errno.ENOSPC
        assert "cannot rollback" not in str(error)
        assert isinstance(error.__cause__, sqlite3.OperationalError)
        assert "full" in str(error.__cause__)
        # Reads still work, and the failed batch left nothing behind.
        assert await store.stream_version("thing-1") == 1
        assert [r.payload["n"] for r in await store.read_stream("thing-1")] == [0]
        # Once there is room again, the same append goes through.
        await _limit_pages(store, 10_000)
        await store.append("thing-1", [new_event(1, pad=BIG), new_event(2, pad=BIG)], 1)
        assert await store.stream_version("thing-1") == 3
    finally:
        await store.close()


async def test_a_read_model_commit_on_a_full_disk_raises_storage_full(tmp_path: Path) -> None:
    store = await SQLiteStorage.open(tmp_path / "full.db")
    try:
        projections = store.projections
        checkpoint = await projections.start_generation("p")
        await _limit_pages(store, 1)
        changes = tuple(ReadModelChange("docs", f"k{i}", {"pad": BIG}) for i in range(5))
        with pytest.raises(StorageFull):
            await projections.commit(ProjectionCommit("p", checkpoint.generation, 0, 9, changes))
        assert [c.position for c in await projections.checkpoints("p")] == [0]
        assert await projections.get_doc("p", checkpoint.generation, "docs", "k0") is None
    finally:
        await store.close()


async def test_snapshots_and_blobs_on_a_full_disk_raise_storage_full(tmp_path: Path) -> None:
    store = await SQLiteStorage.open(tmp_path / "full.db")
    try:
        await _limit_pages(store, 1)
        with pytest.raises(StorageFull):
            await store.put_blob(BIG.encode() * 5)
    finally:
        await store.close()


WRITER = r"""
import asyncio, json, os, resource, sys
from docsense.adapters.storage import sqlite_appends
from docsense.adapters.storage.sqlite import SQLiteStorage
from docsense.testing import new_event

async def main(path):
    store = await SQLiteStorage.open(path)
    size = sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 300_000, resource.RLIM_INFINITY))
    done = 0
    try:
        while True:
            await store.append(f"thing-{done}", [new_event(done, pad="x" * 3000)], 0)
            print(json.dumps({"acknowledged": f"thing-{done}"}), flush=True)
            done += 1
    except Exception as exc:
        cause = exc.__cause__
        print(json.dumps({
            "error": type(exc).__name__, "message": str(exc),
            "errno": getattr(exc, "errno", None), "oserror": isinstance(exc, OSError),
            "cause": f"{type(cause).__name__}: {cause}",
        }), flush=True)
        # Reads work on a full disk.
        print(json.dumps({"read": await store.stream_version("thing-0")}), flush=True)
    finally:
        await store.close()

asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_file_size_limit_raises_storage_full_and_keeps_every_acknowledged_append(
    tmp_path: Path,
) -> None:
    path = tmp_path / "limited.db"
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    acknowledged = [line["acknowledged"] for line in lines if "acknowledged" in line]
    [error] = [line for line in lines if "error" in line]
    assert error["error"] == "StorageFull", (error, done.stderr[-2000:])
    assert error["oserror"]
    assert error["errno"] == errno.ENOSPC
    assert "cannot rollback" not in error["message"]
    assert error["cause"].startswith("OperationalError")
    assert {"read": 1} in lines
    assert "Task exception was never retrieved" not in done.stderr
    assert len(acknowledged) > 10
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r[0] for r in conn.execute("SELECT stream_id FROM docsense_events")}
    conn.close()
    assert set(acknowledged) <= stored
