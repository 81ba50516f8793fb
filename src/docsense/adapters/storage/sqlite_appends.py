"""SQLite appends: one commit for many appends (group commit), single ones on the event loop.

Every append of a :class:`~docsense.adapters.storage.sqlite.SQLiteStorage` goes through an
:class:`AppendCommitter`. Appends made during one turn of the event loop are collected and
committed together, in one ``BEGIN IMMEDIATE`` ... ``COMMIT``, so concurrent writers in a
process share one fsync instead of queueing for one each:

- each append is one ``INSERT ... SELECT ... WHERE`` statement that inserts its events only
  if the stream is still at the expected version *inside that transaction* (so an earlier
  append of the same group counts), and a failing append (a stale version, an event id
  stored elsewhere) undoes only its own statement: the others of the group commit;
- each caller is answered only after the shared ``COMMIT`` has returned, that is after
  the write-ahead log is on disk (``synchronous=FULL``); if that commit fails, every append
  of the group fails with the error, and none of them was stored;
- while one group commits on the writer thread, the next one collects; it commits as soon
  as the first is done.

In ``"auto"`` mode (the default of an async store), an append that is alone in its group
commits directly on the event loop's thread when recent commits took less than
:data:`INLINE_BUDGET`: handing a commit to a thread and back costs as much as the commit on
a small machine. It runs on a connection that never waits for a lock (a file busy with
another writer sends the group to the writer thread, which waits) and never checkpoints the
log (checkpoints run on the writer thread every :data:`CHECKPOINT_EVERY` such commits), so
the loop waits for one fsync, never for a lock or a checkpoint. When commits get slow (a
busy disk), appends go to the thread until they are fast again. ``inline=False`` (URL
``?inline=0``) never commits on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from docsense.adapters.storage.sqlite_database import (
    SQLiteDatabase,
    is_busy,
    translate_error,
    write_transaction,
)
from docsense.errors import ConcurrencyConflict, DocSenseError, DuplicateEventId

__all__ = ["CHECKPOINT_EVERY", "INLINE_BUDGET", "AppendCommitter"]

logger = logging.getLogger(__name__)

#: Commit on the loop only while recent commits (an exponential average) took less than
#: this many seconds: that bounds how long an append can hold the event loop.
INLINE_BUDGET = 0.002
#: Commits on the loop's connection between two checkpoints run on the writer thread.
CHECKPOINT_EVERY = 200

_COLUMNS = 8  # parameters per event row (see SQLiteStorage.append)
_MAX_ROWS = 100  # rows per INSERT: 800 parameters, under the 999 of older SQLite builds
_AVERAGE_WEIGHT = 0.2  # of the newest commit time in the running average
_INSERT = (
    "INSERT INTO docsense_events (event_id, event_type, schema_version, stream_id, "
    "stream_version, occurred_at, payload, metadata) "
)

Result = list[int] | Exception


class _Append:
    """One caller's append: its parameters (``_COLUMNS`` per event) and its answer."""

    __slots__ = ("expected_version", "future", "params", "size", "stream_id")

    def __init__(
        self,
        stream_id: str,
        params: list[Any],
        expected_version: int,
        future: asyncio.Future[list[int]],
    ) -> None:
        self.stream_id = stream_id
        self.params = params
        self.size = len(params) // _COLUMNS
        self.expected_version = expected_version
        self.future = future


class AppendCommitter:
    """Commits the appends of one store in groups (see the module docstring)."""

    def __init__(self, db: SQLiteDatabase, on_commit: Callable[[], None]) -> None:
        self._db = db
        self._on_commit = on_commit
        self._pending: list[_Append] = []
        self._flush_scheduled = False
        self._in_flight = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._commit_seconds = 0.0  # running average of recent commits, both paths
        self._loop_commits = 0  # on the loop's connection since the last checkpoint

    async def append(self, stream_id: str, params: list[Any], expected_version: int) -> list[int]:
        """Commit one append (``_COLUMNS`` parameters per event) with the next group."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[int]] = loop.create_future()
        self._pending.append(_Append(stream_id, params, expected_version, future))
        if not self._flush_scheduled and not self._in_flight:
            # After the tasks already scheduled in this turn, so that they can join.
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._in_flight:
            return  # the group in flight flushes these when it is done
        group = [a for a in self._pending if not a.future.done()]  # cancelled ones drop out
        self._pending = []
        if not group:
            return
        if len(group) == 1 and self._may_commit_on_loop() and self._commit_on_loop(group):
            return
        self._in_flight = True
        task = asyncio.get_running_loop().create_task(self._commit_on_thread(group))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _may_commit_on_loop(self) -> bool:
        return self._db.on_loop_thread() and self._commit_seconds < INLINE_BUDGET

    def _commit_on_loop(self, group: list[_Append]) -> bool:
        """Commit ``group`` on this thread; False if the file is busy (nothing was done)."""
        try:
            results = self._timed_commit(self._db.loop_writer(), group)
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                return False
            results = self._failed(group, exc)
        except sqlite3.Error as exc:
            results = self._failed(group, exc)
        except DocSenseError as exc:  # the connection could not be opened
            results = [exc] * len(group)
        self._answer(group, results)
        self._loop_commits += 1
        if self._loop_commits >= CHECKPOINT_EVERY:
            self._loop_commits = 0
            self._start(self._checkpoint())
        return True

    async def _commit_on_thread(self, group: list[_Append]) -> None:
        try:
            results = await self._db.run_write(
                lambda: self._commit_or_fail(self._db.writer(), group)
            )
        except asyncio.CancelledError:
            for a in group:
                a.future.cancel()
            raise
        except Exception as exc:  # the store closed under the group: nothing was attempted
            results = [exc] * len(group)
        finally:
            self._in_flight = False
            if self._pending and not self._flush_scheduled:
                self._flush_scheduled = True
                asyncio.get_running_loop().call_soon(self._flush)
        self._answer(group, results)

    def _commit_or_fail(self, conn: sqlite3.Connection, group: list[_Append]) -> list[Result]:
        try:
            return self._timed_commit(conn, group)
        except sqlite3.Error as exc:
            return self._failed(group, exc)

    def _timed_commit(self, conn: sqlite3.Connection, group: list[_Append]) -> list[Result]:
        start = time.perf_counter()
        results = commit_group(conn, group)
        elapsed = time.perf_counter() - start
        # A float store from either thread; a stale read only delays a switch by one append.
        self._commit_seconds += _AVERAGE_WEIGHT * (elapsed - self._commit_seconds)
        return results

    def _failed(self, group: list[_Append], exc: sqlite3.Error) -> list[Result]:
        """Return the group's answers when its transaction failed: one error per caller."""
        errors: list[Result] = []
        for _ in group:
            error = translate_error(exc, self._db.path, self._db.busy_timeout)
            error.__cause__ = exc
            errors.append(error)
        return errors

    def _answer(self, group: list[_Append], results: Sequence[Result]) -> None:
        stored = False
        for a, result in zip(group, results, strict=True):
            if isinstance(result, list):
                stored = stored or bool(result)
                if not a.future.done():
                    a.future.set_result(result)
            elif not a.future.done():
                a.future.set_exception(result)
        if stored:
            self._on_commit()

    async def _checkpoint(self) -> None:
        try:
            await self._db.checkpoint()
        except DocSenseError as exc:  # the next checkpoint, or the writer's own, catches up
            logger.debug("SQLite checkpoint of %s skipped: %s", self._db.path, exc)

    def _start(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Wait for the group in flight and for a running checkpoint."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))


def commit_group(conn: sqlite3.Connection, group: Sequence[_Append]) -> list[Result]:
    """Apply every append of ``group`` in one transaction; return each one's answer.

    Raises ``sqlite3.Error`` (nothing stored) if the transaction as a whole fails. An append
    alone in its group that fits one statement needs no BEGIN and COMMIT: that statement is
    its own transaction (it takes the write lock before it reads the version).
    """
    if len(group) == 1 and group[0].size <= _MAX_ROWS:
        return [_apply(conn, group[0])]
    with write_transaction(conn):
        return [_apply(conn, a) for a in group]


def _apply(conn: sqlite3.Connection, a: _Append) -> Result:
    if a.size == 0:
        current = _version(conn, a.stream_id)
        if current != a.expected_version:
            return ConcurrencyConflict(a.stream_id, a.expected_version, current)
        return []
    if a.size > _MAX_ROWS:
        return _apply_in_chunks(conn, a)
    try:
        cursor = conn.execute(_checked_insert(a.size), [*a.params, a.stream_id, a.expected_version])
    except sqlite3.IntegrityError as exc:  # the statement alone is undone
        return _duplicate(conn, a, exc)
    if cursor.rowcount != a.size:
        return _not_at_expected_version(conn, a)
    return _positions(cursor, a.size)


def _apply_in_chunks(conn: sqlite3.Connection, a: _Append) -> Result:
    """Apply a batch too large for one statement; a savepoint makes its statements one."""
    conn.execute("SAVEPOINT docsense_append")
    try:
        first = _MAX_ROWS * _COLUMNS
        cursor = conn.execute(
            _checked_insert(_MAX_ROWS), [*a.params[:first], a.stream_id, a.expected_version]
        )
        if cursor.rowcount != _MAX_ROWS:
            conn.execute("RELEASE docsense_append")
            return _not_at_expected_version(conn, a)
        for start in range(first, len(a.params), first):
            chunk = a.params[start : start + first]
            cursor = conn.execute(_plain_insert(len(chunk) // _COLUMNS), chunk)
    except sqlite3.IntegrityError as exc:
        conn.execute("ROLLBACK TO docsense_append")
        conn.execute("RELEASE docsense_append")
        return _duplicate(conn, a, exc)
    conn.execute("RELEASE docsense_append")
    return _positions(cursor, a.size)


def _positions(cursor: sqlite3.Cursor, size: int) -> list[int]:
    # Appends hold the file's write lock, so one append's rowids are consecutive and end
    # at the last one inserted.
    last = int(cursor.lastrowid or 0)
    return list(range(last - size + 1, last + 1))


def _not_at_expected_version(conn: sqlite3.Connection, a: _Append) -> Result:
    """Return the answer for an append whose stream is not at its expected version.

    A retry of a batch already stored exactly as asked is not a conflict: it gets the stored
    positions. Looking for one only here keeps it off the path of every ordinary append.
    """
    ids = a.params[0 :: _COLUMNS]
    stored = conn.execute(
        "SELECT position, event_id FROM docsense_events WHERE stream_id = ? "
        "AND stream_version > ? AND stream_version <= ? ORDER BY stream_version",
        (a.stream_id, a.expected_version, a.expected_version + a.size),
    ).fetchall()
    if [r[1] for r in stored] == ids:
        return [int(r[0]) for r in stored]
    current = _version(conn, a.stream_id)
    if current != a.expected_version:
        return ConcurrencyConflict(a.stream_id, a.expected_version, current)
    return _duplicate(conn, a, None)  # pragma: no cover - the version moved back: impossible


def _duplicate(conn: sqlite3.Connection, a: _Append, exc: sqlite3.Error | None) -> Result:
    """Return DuplicateEventId naming the first of the append's ids stored elsewhere."""
    ids = a.params[0 :: _COLUMNS]
    taken = None
    with contextlib.suppress(sqlite3.Error):
        for event_id in ids:
            if conn.execute(
                "SELECT 1 FROM docsense_events WHERE event_id = ?", (event_id,)
            ).fetchone():
                taken = event_id
                break
    error = DuplicateEventId(str(taken or ids[0]), a.stream_id)
    error.__cause__ = exc
    return error


def _version(conn: sqlite3.Connection, stream_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(MAX(stream_version), 0) FROM docsense_events WHERE stream_id = ?",
        (stream_id,),
    ).fetchone()
    return int(row[0])


@lru_cache(maxsize=_MAX_ROWS)
def _checked_insert(rows: int) -> str:
    """INSERT of ``rows`` events that inserts nothing unless the stream is at the version."""
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * rows)
    return (
        f"{_INSERT}SELECT * FROM (VALUES {values}) WHERE (SELECT COALESCE(MAX(stream_version), "
        "0) FROM docsense_events WHERE stream_id = ?) = ?"
    )


@lru_cache(maxsize=_MAX_ROWS)
def _plain_insert(rows: int) -> str:
    return _INSERT + "VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * rows)
