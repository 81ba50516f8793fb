"""Load and save aggregates: latest snapshot plus the tail of its stream, optimistic saves.

:class:`Repository` loads an aggregate from its latest snapshot (when it has one that decodes
at the aggregate's current ``state_version``) plus the events after it, and saves the
aggregate's pending events with the version it was loaded at as the expected version, so a
concurrent change raises :class:`~docsense.errors.ConcurrencyConflict` instead of being lost.
After a save that crosses a multiple of ``snapshot_every`` events it stores a new snapshot.

A snapshot that cannot be used (written for another state version, or whose payload does not
decode) is ignored with a logged warning, and the aggregate is rebuilt by full replay: a
snapshot is a cache, never the source of truth.

:class:`UnitOfWork` groups the aggregates one operation touches and saves them on
``commit()``; leaving the block without committing discards their pending events.

With ``cache_size`` > 0 the repository also keeps the states of the aggregates it last
loaded or saved (least recently used first out): a load then reads only the events after
the kept version, usually none, instead of the whole stream. States are immutable and
always as stored, so the cache changes no result, only how much is read and decoded.

Decoding and encoding events is CPU work: for a heavy stream (a long document's text and
IR, a review with many findings; over ``OFFLOAD_WEIGHT`` characters of text, roughly) it
runs in a worker thread, so an async caller's event loop keeps running meanwhile; light
ones, the usual case, stay on the caller's thread, which is faster for them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import attrs

from docsense import telemetry
from docsense.application.mapping import EventMapper
from docsense.domain import codec
from docsense.domain.aggregate import Aggregate
from docsense.errors import (
    AggregateNotFound,
    DocumentNotFound,
    DomainError,
    InvalidArgument,
    ReviewNotFound,
)
from docsense.ports import EventStore, Snapshot, SnapshotStore

__all__ = ["OFFLOAD_WEIGHT", "Repository", "UnitOfWork"]

logger = logging.getLogger(__name__)

A = TypeVar("A", bound=Aggregate[Any])

OFFLOAD_WEIGHT = 50_000
"""Text (characters, plus 200 per list item) above which events are coded in a thread."""

_NOT_FOUND: dict[str, type[AggregateNotFound]] = {
    "document": DocumentNotFound,
    "review": ReviewNotFound,
}


class Repository:
    """Loads and saves aggregates of any kind through the storage ports.

    ``snapshot_every`` = 0 turns snapshots off; ``cache_size`` is how many aggregate states
    to keep in memory (0: none).
    """

    def __init__(
        self,
        events: EventStore,
        snapshots: SnapshotStore | None = None,
        *,
        mapper: EventMapper | None = None,
        snapshot_every: int = 100,
        cache_size: int = 0,
    ) -> None:
        if snapshot_every < 0 or cache_size < 0:
            raise InvalidArgument(
                f"snapshot_every and cache_size must be >= 0, got {snapshot_every}, {cache_size}"
            )
        self._events = events
        self._snapshots = snapshots
        self._mapper = mapper or EventMapper()
        self._snapshot_every = snapshot_every
        self._cache_size = cache_size
        self._cache: OrderedDict[str, tuple[type[Aggregate[Any]], Any, int]] = OrderedDict()

    def _remember(self, aggregate: Aggregate[Any]) -> None:
        if self._cache_size and aggregate.exists and not aggregate.pending_events:
            self._cache[aggregate.id] = (type(aggregate), aggregate.state, aggregate.version)
            self._cache.move_to_end(aggregate.id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def forget(self, aggregate_ids: Iterable[str]) -> None:
        """Drop the cached states of ``aggregate_ids`` (their streams were removed)."""
        for aggregate_id in aggregate_ids:
            self._cache.pop(aggregate_id, None)

    def _cached(self, cls: type[A], aggregate_id: str) -> A | None:
        kept = self._cache.get(aggregate_id)
        if kept is None or kept[0] is not cls:
            return None
        self._cache.move_to_end(aggregate_id)
        return cls(aggregate_id, kept[1], kept[2])

    async def load(self, cls: type[A], aggregate_id: str, *, use_snapshot: bool = True) -> A:
        """Return the aggregate ``aggregate_id``; raise AggregateNotFound if it has no events.

        The error is the kind's own subclass where there is one (DocumentNotFound,
        ReviewNotFound): a :class:`LookupError` that says how to list the ids.
        """
        aggregate = (self._cached(cls, aggregate_id) if use_snapshot else None) or cls(aggregate_id)
        if use_snapshot and self._snapshots is not None and not aggregate.exists:
            snapshot = await self._snapshots.load_snapshot(aggregate_id)
            if snapshot is not None:
                restored = self._restore(cls, snapshot)
                if restored is not None:
                    aggregate = restored
        records = await self._events.read_stream(aggregate_id, from_version=aggregate.version)
        events = (self._mapper.to_domain(r) for r in records)
        if _weight(r.payload for r in records) > OFFLOAD_WEIGHT:
            await asyncio.to_thread(aggregate.replay, events)
        else:
            aggregate.replay(events)
        if not aggregate.exists:
            raise _NOT_FOUND.get(cls.kind, AggregateNotFound)(aggregate_id)
        self._remember(aggregate)
        return aggregate

    def _restore(self, cls: type[A], snapshot: Snapshot) -> A | None:
        if snapshot.schema_version != cls.state_version:
            logger.warning(
                "ignoring snapshot of %s at version %d: state version %d, expected %d; "
                "replaying its events instead",
                snapshot.stream_id,
                snapshot.version,
                snapshot.schema_version,
                cls.state_version,
            )
            return None
        try:
            state = codec.structure(dict(snapshot.state), cls.state_type)
        except (TypeError, ValueError, KeyError, DomainError) as exc:
            logger.warning(
                "ignoring undecodable snapshot of %s at version %d (%s); "
                "replaying its events instead",
                snapshot.stream_id,
                snapshot.version,
                exc,
            )
            return None
        return cls(snapshot.stream_id, state, snapshot.version)

    async def save(self, aggregate: Aggregate[Any], *, remember: bool = True) -> list[int]:
        """Append the aggregate's pending events; return their global positions.

        ``remember=False`` keeps the saved state out of the cache: for events whose ids may
        be stored already (an idempotent re-append), whose stored copy, the one every later
        load sees, may differ from these in time and metadata.
        """
        pending = aggregate.pending_events
        if not pending:
            return []
        expected = aggregate.saved_version

        def encode() -> list[Any]:
            return [self._mapper.to_new_event(e) for e in pending]

        heavy = _weight(attrs.asdict(e, recurse=False) for e in pending) > OFFLOAD_WEIGHT
        new_events = await asyncio.to_thread(encode) if heavy else encode()
        try:
            with telemetry.span("docsense.store.append", {
                "docsense.stream.id": aggregate.id, "docsense.events": len(new_events),
                "docsense.stream.expected_version": expected,
            }):
                positions = await self._events.append(aggregate.id, new_events, expected)
        except BaseException:
            self._cache.pop(aggregate.id, None)  # it changed under us: read it afresh
            raise
        aggregate.mark_saved()
        if remember:
            self._remember(aggregate)
        else:
            self._cache.pop(aggregate.id, None)
        every = self._snapshot_every
        crossed_interval = every and expected // every != aggregate.version // every
        if self._snapshots is not None and crossed_interval:
            await self.snapshot(aggregate)
        return positions

    async def snapshot(self, aggregate: Aggregate[Any]) -> None:
        """Store a snapshot of the aggregate's saved state now."""
        if self._snapshots is None or aggregate.pending_events or not aggregate.exists:
            return
        await self._snapshots.save_snapshot(
            Snapshot(
                stream_id=aggregate.id,
                version=aggregate.version,
                schema_version=aggregate.state_version,
                state=codec.unstructure(aggregate.state),
            )
        )


def _weight(payloads: Iterable[Mapping[str, Any]]) -> int:
    """Estimate the work of coding events: characters of top-level text, 200 per list item."""
    total = 0
    for payload in payloads:
        for value in payload.values():
            if isinstance(value, str):
                total += len(value)
            elif isinstance(value, list | tuple):
                total += 200 * len(value)
    return total


class UnitOfWork:
    """Tracks aggregates for one operation and saves them together on :meth:`commit`.

    >>> async def rename(repo, doc_id, ctx):            # doctest: +SKIP
    ...     async with UnitOfWork(repo) as uow:
    ...         doc = await uow.get(Document, doc_id)
    ...         doc.rename(ctx, "new")
    ...         await uow.commit()

    Saves happen stream by stream in the order the aggregates were first seen; each stream's
    append is atomic on its own.
    """

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self._seen: dict[str, Aggregate[Any]] = {}
        self.committed = False

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            self.rollback()

    async def get(self, cls: type[A], aggregate_id: str) -> A:
        """Load an aggregate (once per unit of work) and track it."""
        seen = self._seen.get(aggregate_id)
        if seen is not None:
            if not isinstance(seen, cls):
                raise InvalidArgument(f"{aggregate_id} is a {type(seen).__name__}")
            return seen
        aggregate = await self.repository.load(cls, aggregate_id)
        self._seen[aggregate_id] = aggregate
        return aggregate

    def add(self, aggregate: Aggregate[Any]) -> None:
        """Track a newly created aggregate."""
        self._seen[aggregate.id] = aggregate

    async def commit(self) -> list[int]:
        """Save every tracked aggregate's pending events; return all positions."""
        positions: list[int] = []
        for aggregate in self._seen.values():
            positions.extend(await self.repository.save(aggregate))
        self.committed = True
        return positions

    def rollback(self) -> None:
        """Forget the tracked aggregates and their unsaved events."""
        self._seen.clear()
