"""SQLite appends: one commit for many appends (group commit), lone ones on the event loop.

Every append of a :class:`~docsense.adapters.storage.sqlite.SQLiteStorage` goes through an
:class:`AppendCommitter`. Appends made during one turn of the event loop are collected and
committed together, so concurrent writers in a process share one commit and one fsync
instead of queueing for one each:

- the first row of each append in the group's ``INSERT`` is checked: its event id is NULL
  (refused by the NOT NULL constraint) unless the stream's event at the append's expected
  version is the one the append is chained to, and the unique ``(stream_id,
  stream_version)`` index refuses a stream that has moved past that version; either
  refusal aborts the whole statement. Appends to different streams go in one statement,
  which is its own transaction (one release of the interpreter lock for the inserts, the
  commit and its fsync); two appends to one stream, or a group whose statement was
  refused (a stale append, an event id already taken), are applied one by one in one
  transaction, each statement undone alone if it fails;
- each caller is answered only after the group's commit has returned, that is after the
  write-ahead log is on disk (``synchronous=FULL``): a stale append gets
  :class:`~docsense.errors.ConcurrencyConflict`, a retry of a stored batch its positions,
  a reused event id :class:`~docsense.errors.DuplicateEventId`; if the commit itself fails,
  every append of the group fails with the error, and none was stored;
- while one group commits on the writer thread, the next one collects; it commits as soon
  as the first is done.

In ``"auto"`` mode (the default of an async store), a group that is one statement and
carries at most :data:`INLINE_CHARS` of payload commits on the event loop's thread while
most recent commits took less than :data:`INLINE_BUDGET`: handing a commit to a thread and
back costs as much as the commit itself on a small machine, and the group's callers are all
waiting for it anyway. Larger groups commit on the writer thread, which writes them with the
interpreter lock released. (When
nothing else is ready to run on the loop, nothing can join a group, and a lone append
commits without waiting for the next turn.) It uses a connection that never waits for a
lock (a file another writer holds sends the group to the writer thread, which waits) and
never checkpoints the log (checkpoints run on the writer thread after every
:data:`CHECKPOINT_PAGES` pages of log written there, while appends wait, so that each one ends
and the log starts over), so the loop waits for one commit, never for a lock or a
checkpoint; while the disk is slow, groups go to the thread.
``inline=False`` (URL ``?inline=0``) never commits on the loop; ``inline=True`` commits
everything there.

An append cancelled before its group is taken for commit is not stored; one cancelled
later may have been.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from docsense.adapters.storage.sqlite_database import (
    SQLiteDatabase,
    is_busy,
    translate_error,
    write_transaction,
)
from docsense.errors import (
    ConcurrencyConflict,
    DocSenseError,
    DuplicateEventId,
    StorageError,
    StoreUnavailable,
)

__all__ = ["CHECKPOINT_PAGES", "INLINE_BUDGET", "INLINE_CHARS", "AppendCommitter"]

logger = logging.getLogger(__name__)

#: Commit on the loop only while most recent commits took less than this many seconds:
#: that bounds how long a commit usually holds the event loop (well under the 20 ms of lag
#: the facade allows itself; see the module docstring for why it commits there at all).
INLINE_BUDGET = 0.010
#: Pages of log (estimated, see :func:`_log_pages`) written by the loop's connection between
#: two checkpoints (run on the writer thread): the 1,000 at which SQLite would checkpoint by
#: itself, as eventsourcing's connections do.
CHECKPOINT_PAGES = 1000
#: Groups whose payloads hold more characters than this commit on the writer thread: a
#: large row is written and fsynced with the interpreter lock released there, while on the
#: loop it would hold the loop for as long (a converted document can hold megabytes).
INLINE_CHARS = 64 * 1024

#: Parameters of an append: first the check of where its stream is (stream id, the version
#: the stream must be at, and the hash its event there must have: NULL for a new stream),
#: then nine per event, its columns.
_CHECK = 3
_COLUMNS = 9
#: Rows per INSERT: at most 3 + 9 parameters each (80 x 12 = 960), under the 999 of older
#: SQLite builds.
_MAX_ROWS = 80
_INSERT = (
    "INSERT INTO docsense_events (event_id, event_type, schema_version, stream_id, "
    "stream_version, occurred_at, payload, metadata, hash) VALUES "
)
_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
# An append's first row: its event id is NULL, so that the NOT NULL constraint aborts the
# whole statement, unless the stream's event at the expected version is the one the append
# is chained to (or, at version 0, there is none).
_CHECKED_ROW = (
    "(CASE WHEN (SELECT hash FROM docsense_events WHERE stream_id = ? AND stream_version = ?)"
    " IS ? THEN ? END, ?, ?, ?, ?, ?, ?, ?, ?)"
)

Result = list[int] | Exception


class _Append:
    """One caller's append: its parameters (``_COLUMNS`` per event) and its answer."""

    __slots__ = (
        "chars",
        "expected_version",
        "future",
        "owner",
        "params",
        "size",
        "stream_id",
        "taken",
    )

    def __init__(
        self,
        params: list[Any],
        chars: int,
        future: asyncio.Future[list[int]] | None,
    ) -> None:
        self.params = params
        self.stream_id: str = params[0]
        self.expected_version: int = params[1]
        self.size = (len(params) - _CHECK) // _COLUMNS
        self.chars = chars
        self.future = future
        # Only a caller that waits for a group can be cancelled while it waits.
        self.owner = None if future is None else asyncio.current_task()
        self.taken = False  # by the group that commits it

    @property
    def dropped(self) -> bool:
        """True if the caller gave up (cancelled) before the append was committed."""
        owner = self.owner
        done = self.future is None or self.future.done()
        return done or (owner is not None and owner.cancelling() > 0)


class _RecentCommits:
    """Whether most of the last few commits took longer than :data:`INLINE_BUDGET`.

    A majority, not an average: one slow fsync among fast ones does not send the next
    appends to the thread, and a disk that has become slow does within a few commits.
    """

    def __init__(self, size: int = 16) -> None:
        self._slow: deque[bool] = deque(maxlen=size)
        self._count = 0

    def add(self, seconds: float) -> None:
        if len(self._slow) == self._slow.maxlen:
            self._count -= self._slow[0]
        slow = seconds > INLINE_BUDGET
        self._slow.append(slow)
        self._count += slow

    @property
    def slow(self) -> bool:
        return 2 * self._count > len(self._slow)


class AppendCommitter:
    """Commits the appends of one store in groups (see the module docstring)."""

    def __init__(self, db: SQLiteDatabase, on_commit: Callable[[], None]) -> None:
        self._db = db
        self._on_commit = on_commit
        self._pending: list[_Append] = []
        self._in_flight = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.recent = _RecentCommits()
        self._loop_pages = 0  # of log written by the loop's connection since the last checkpoint

    async def append(self, params: list[Any], chars: int) -> list[int]:
        """Commit one append with the next group.

        ``params`` are the stream id, the version it must be at and the hash of its event
        there, then nine per event (its columns); ``chars`` is the length of the events'
        payload and metadata texts.
        """
        loop = asyncio.get_running_loop()
        idle = not (self._pending or self._in_flight)
        alone = [_Append(params, chars, None)]
        if idle and self._may_commit_on_loop(alone) and not _others_ready(loop):
            # Nothing else can run, so nothing can join a group: commit at once.
            results = self._run_on_loop(alone)
            if results is not None:
                [result] = results
                if isinstance(result, Exception):
                    raise result
                return result
        future: asyncio.Future[list[int]] = loop.create_future()
        a = _Append(params, chars, future)
        self._pending.append(a)
        if not self._in_flight:  # else the group in flight starts the next one when done
            try:
                await asyncio.sleep(0)  # appends made in this turn of the loop join the group
            except asyncio.CancelledError:
                future.cancel()  # drops out of its group
                raise
            if not a.taken:  # the first of the group to resume commits it
                self._commit_pending()
        return await future

    def _commit_pending(self) -> None:
        if self._in_flight:
            return
        group = [a for a in self._pending if not a.dropped]
        self._pending = []
        for a in group:
            a.taken = True
        if not group:
            return
        if _fits_one_statement(group) and self._may_commit_on_loop(group):
            results = self._run_on_loop(group)
            if results is not None:
                self._answer(group, results)
                return
        self._in_flight = True
        self._start(self._commit_on_thread(group))

    def _may_commit_on_loop(self, group: Sequence[_Append]) -> bool:
        if self._db.mode == "inline":
            return True
        chars = 0
        for a in group:
            chars += a.chars
        small = chars <= INLINE_CHARS
        return small and self._db.on_loop_thread() and not self.recent.slow

    def _run_on_loop(self, group: list[_Append]) -> list[Result] | None:
        """Commit ``group`` on this thread; None if the file is busy (nothing was done)."""
        auto = self._db.mode == "auto"
        try:
            conn = self._db.loop_writer() if auto else self._db.writer()
            results = self._timed_commit(conn, group)
        except sqlite3.OperationalError as exc:
            if auto and is_busy(exc):
                return None  # the writer thread waits for the lock instead
            results = self._failed(group, exc)
        except sqlite3.Error as exc:
            results = self._failed(group, exc)
        except DocSenseError as exc:  # the connection could not be opened
            results = _one_each(exc, len(group))
        if auto:
            self._loop_pages += _log_pages(group)
            if self._loop_pages >= CHECKPOINT_PAGES:
                self._loop_pages = 0
                # Appends wait meanwhile, as the group in flight's would: a checkpoint that
                # frames keep arriving behind never ends, and SQLite only starts the log
                # over from its beginning after one that ended. A log that only grows
                # costs every commit more (its fsync also writes the file's new size).
                self._in_flight = True
                self._start(self._checkpoint())
        if _stored_any(results):
            self._on_commit()
        return results

    async def _commit_on_thread(self, group: list[_Append]) -> None:
        try:
            results = await self._db.run_write(
                lambda: self._commit_or_fail(self._db.writer(), group)
            )
        except asyncio.CancelledError:
            for a in group:
                if a.future is not None:
                    a.future.cancel()
            raise
        except Exception as exc:  # the store closed under the group: nothing was attempted
            results = _one_each(exc, len(group))
        finally:
            self._in_flight = False
        if _stored_any(results):
            self._on_commit()
        self._answer(group, results)
        self._commit_pending()  # the appends made meanwhile

    def _commit_or_fail(self, conn: sqlite3.Connection, group: list[_Append]) -> list[Result]:
        try:
            return self._timed_commit(conn, group)
        except sqlite3.Error as exc:
            return self._failed(group, exc)

    def _timed_commit(self, conn: sqlite3.Connection, group: list[_Append]) -> list[Result]:
        start = time.perf_counter()
        results = commit_group(conn, group)
        # From either thread: the loop thread is waiting meanwhile, or not looking.
        self.recent.add(time.perf_counter() - start)
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
        for a, result in zip(group, results, strict=True):
            future = a.future
            if future is None or future.done():
                continue
            if isinstance(result, list):
                future.set_result(result)
            else:
                future.set_exception(result)

    async def _checkpoint(self) -> None:
        try:
            await self._db.checkpoint()
        except DocSenseError as exc:  # the next checkpoint, or the writer's own, catches up
            logger.debug("SQLite checkpoint of %s skipped: %s", self._db.path, exc)
        finally:
            self._in_flight = False
        self._commit_pending()  # the appends made meanwhile

    def _start(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Wait for the group in flight and for a running checkpoint."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))


def _stored_any(results: Sequence[Result]) -> bool:
    """Return True if an append of the group stored events (its answer: positions)."""
    return any(isinstance(r, list) and r for r in results)


def _log_pages(group: Sequence[_Append]) -> int:
    """Estimate the pages of log a group's commit writes.

    One leaf of the table and one of each of its two indexes, plus the pages its rows fill
    (payload and metadata texts and about 300 bytes of other columns and index entries per
    event, 4 KiB pages): 3 for one small event, 4 for ten. Counting events instead would
    checkpoint ten times as often as SQLite does when appends carry ten events.
    """
    chars = 0
    rows = 0
    for a in group:
        chars += a.chars
        rows += a.size
    return 3 + (chars + 300 * rows) // 4096


def _one_each(error: Exception, callers: int) -> list[Result]:
    """Return ``error`` for each caller: its own instance where that is possible.

    An exception object raised in several tasks would collect all their tracebacks.
    """
    if type(error) in (StoreUnavailable, StorageError):
        copies: list[Result] = []
        for _ in range(callers):
            copy = type(error)(str(error))
            copy.__cause__ = error.__cause__ or error
            copies.append(copy)
        return copies
    return [error] * callers


def _others_ready(loop: asyncio.AbstractEventLoop) -> bool:
    """Return False only if the loop has no other callback or task ready to run now.

    Read from CPython's event loop (its ready queue); any other loop is assumed busy, which
    only costs an append one turn of the loop before it commits.
    """
    ready = getattr(loop, "_ready", None)
    return ready is None or len(ready) > 0


def commit_group(conn: sqlite3.Connection, group: Sequence[_Append]) -> list[Result]:
    """Apply every append of ``group`` atomically; return each one's answer.

    Raises ``sqlite3.Error`` (nothing stored) if the group's commit fails. Appends to
    different streams that fit one statement are inserted by that one statement, which is
    its own transaction: the thread that runs it releases the interpreter lock once for
    the inserts, the commit and its fsync (see :func:`_apply_together`). Others (two appends
    to one stream, very large batches, a group refused because one of its appends is stale
    or reuses an event id) are applied one by one in one explicit transaction.
    """
    if _fits_one_statement(group):
        results = _apply_together(conn, group)
        if results is not None:
            return results
    with write_transaction(conn):
        return [_apply(conn, a) for a in group]


def _fits_one_statement(group: Sequence[_Append]) -> bool:
    if len(group) == 1:
        return 0 < group[0].size <= _MAX_ROWS
    if sum(a.size for a in group) > _MAX_ROWS or any(a.size == 0 for a in group):
        return False
    return len(group) == 1 or len({a.stream_id for a in group}) == len(group)


def _apply_together(conn: sqlite3.Connection, group: Sequence[_Append]) -> list[Result] | None:
    """Insert the appends of ``group`` (different streams) with one statement, committed.

    Each append's first row is checked (see :data:`_CHECKED_ROW`), and the unique
    ``(stream_id, stream_version)`` index refuses a version already taken: a stale append,
    like an event id already taken, aborts the whole statement, and nothing is stored. Rows
    are inserted in the order given, at consecutive positions that follow from the last one.
    Returns None, having stored nothing, if the statement was refused: the appends are then
    applied one by one, each getting its own answer.
    """
    if len(group) == 1:
        a = group[0]
        try:
            cursor = conn.execute(_statement((a.size,)), a.params)
        except sqlite3.IntegrityError:
            return None
        return [_positions(cursor, a.size)]
    params = [p for a in group for p in a.params]
    try:
        cursor = conn.execute(_statement(tuple(a.size for a in group)), params)
    except sqlite3.IntegrityError:
        return None
    first = int(cursor.lastrowid or 0) - sum(a.size for a in group) + 1
    results: list[Result] = []
    for a in group:
        results.append(list(range(first, first + a.size)))
        first += a.size
    return results


def _apply(conn: sqlite3.Connection, a: _Append) -> Result:
    if a.size == 0:
        current = _version(conn, a.stream_id)
        if current != a.expected_version:
            return ConcurrencyConflict(a.stream_id, a.expected_version, current)
        return []
    if a.size > _MAX_ROWS:
        return _apply_in_chunks(conn, a)
    try:
        cursor = conn.execute(_statement((a.size,)), a.params)
    except sqlite3.IntegrityError as exc:  # the statement alone is undone
        return _refused(conn, a, exc)
    return _positions(cursor, a.size)


def _apply_in_chunks(conn: sqlite3.Connection, a: _Append) -> Result:
    """Apply a batch too large for one statement; a savepoint makes its statements one."""
    conn.execute("SAVEPOINT docsense_append")
    try:
        end = _CHECK + _MAX_ROWS * _COLUMNS
        cursor = conn.execute(_statement((_MAX_ROWS,)), a.params[:end])
        chunk = _MAX_ROWS * _COLUMNS
        for start in range(end, len(a.params), chunk):
            rest = a.params[start : start + chunk]
            # The stream was checked by the first chunk, in this transaction.
            cursor = conn.execute(_unchecked(len(rest) // _COLUMNS), rest)
    except sqlite3.IntegrityError as exc:
        conn.execute("ROLLBACK TO docsense_append")
        conn.execute("RELEASE docsense_append")
        return _refused(conn, a, exc)
    conn.execute("RELEASE docsense_append")
    return _positions(cursor, a.size)


def _positions(cursor: sqlite3.Cursor, size: int) -> list[int]:
    # Appends hold the file's write lock, so one append's rowids are consecutive and end
    # at the last one inserted.
    last = int(cursor.lastrowid or 0)
    return list(range(last - size + 1, last + 1))


def _event_ids(a: _Append) -> list[Any]:
    return a.params[_CHECK::_COLUMNS]


def _refused(conn: sqlite3.Connection, a: _Append, exc: sqlite3.Error) -> Result:
    """Return the answer for an append whose insert was refused (nothing of it stored).

    A retry of a batch already stored exactly as asked is not a conflict: it gets the stored
    positions. Otherwise the stream is not where the append expected it (a conflict), or
    one of its event ids is taken (a duplicate). Looking only here keeps all of this off the
    path of every ordinary append.
    """
    ids = _event_ids(a)
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
    head = conn.execute(
        "SELECT hash FROM docsense_events WHERE stream_id = ? AND stream_version = ?",
        (a.stream_id, a.expected_version),
    ).fetchone()
    if (head and head[0]) != a.params[2]:
        # At the expected version, but its last event is not the one the append was chained
        # to: another writer replaced what this one took for the stream's head (rows never
        # change, so only a head that was not yet committed when the append was built can
        # differ).
        return ConcurrencyConflict(a.stream_id, a.expected_version, current)
    return _duplicate(conn, a, exc)


def _duplicate(conn: sqlite3.Connection, a: _Append, exc: sqlite3.Error | None) -> Result:
    """Return DuplicateEventId naming the first of the append's ids stored elsewhere."""
    ids = _event_ids(a)
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


@lru_cache(maxsize=512)
def _statement(sizes: tuple[int, ...]) -> str:
    """INSERT of appends of ``sizes`` events each, every append's first row checked.

    Parameters are each append's in turn (:data:`_CHECK` then :data:`_COLUMNS` per event).
    The check reads one row through the ``(stream_id, stream_version)`` index; the same
    index's uniqueness refuses an append to a stream that has moved past its expected
    version. Either refusal aborts the whole statement (nothing of it is stored).
    """
    rows: list[str] = []
    for size in sizes:
        rows.append(_CHECKED_ROW)
        rows += [_ROW] * (size - 1)
    return _INSERT + ", ".join(rows)


@lru_cache(maxsize=_MAX_ROWS)
def _unchecked(rows: int) -> str:
    """INSERT of ``rows`` events (:data:`_COLUMNS` parameters each), no check."""
    return _INSERT + ", ".join([_ROW] * rows)
