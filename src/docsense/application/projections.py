"""Projections: read models derived from the event log with exactly-once effect.

A :class:`Projection` turns events into read-model documents through a
:class:`ReadModelTransaction`. The :class:`ProjectionRunner` feeds it ``read_all`` from the
projection's checkpoint in batches; each batch's writes are staged in memory and committed by
the :class:`~docsense.ports.ProjectionStore` *together with* the new checkpoint, guarded by a
compare-and-set on the old one. So:

- a crash before the commit leaves the old checkpoint and the old model: the batch is redone;
- a crash after it leaves both moved: nothing is redone;
- two runners of one projection can never both commit the same batch (the loser gets
  :class:`~docsense.errors.ProjectionConflict`, reloads, and carries on).

Failures: an event whose handler raises is retried alone with exponential backoff (the
events before it in the batch are committed first). After ``max_attempts`` it is parked as a
:class:`~docsense.ports.DeadLetter` with its error and traceback, in the same commit that
moves the checkpoint past it, and the projection continues; a projection with
``halt_on_error = True`` stops instead and reports the error in :meth:`ProjectionRunner.status`.
Parked events can be retried (after a fix) or discarded.

Rebuilds replay from position 0 into a new generation of the read model while readers keep
seeing the current one; the new generation is swapped in, in one transaction, once it has
caught up, so nobody ever reads a half-built model.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import traceback
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import attrs

from docsense import telemetry
from docsense.application.mapping import EventMapper
from docsense.application.waiting import wait_or_stop
from docsense.domain.events import DomainEvent
from docsense.errors import DocSenseError, InvalidArgument, ProjectionConflict
from docsense.ports import (
    Checkpoint,
    DeadLetter,
    EventStore,
    JSONObject,
    ProjectionCommit,
    ProjectionStore,
    ReadModelChange,
    RecordedEvent,
)

__all__ = [
    "ProjectedEvent",
    "Projection",
    "ProjectionError",
    "ProjectionHalted",
    "ProjectionRunner",
    "ProjectionStatus",
    "ReadModelTransaction",
]

logger = logging.getLogger(__name__)

_Key = tuple[str, str]
_DELETED: Any = object()


class ProjectionError(DocSenseError):
    """A projection could not apply an event (retry of a dead letter, for instance)."""


class ProjectionHalted(ProjectionError):
    """A projection with ``halt_on_error`` stopped at an event it could not apply."""


class ReadModelTransaction:
    """The read-model writes of one batch, staged until the runner commits them.

    Reads see the batch's own writes first, then the committed model. Every write of one
    event sits in a layer that is dropped if that event's handler raises.
    """

    def __init__(
        self,
        store: ProjectionStore,
        projection: str,
        generation: int,
        known: Mapping[_Key, JSONObject | None] | None = None,
    ) -> None:
        self._store = store
        self._projection = projection
        self._generation = generation
        self._staged: dict[_Key, Any] = {}
        self._layer: dict[_Key, Any] = {}
        # Documents known to be committed as they are here (None: absent), so reading them
        # costs no round trip: what the runner's previous commit of this generation wrote.
        self._read_cache: dict[_Key, JSONObject | None] = dict(known) if known else {}

    async def get(self, collection: str, key: str) -> dict[str, Any] | None:
        """Return a document as this batch sees it (a copy you may change), or None."""
        k = (collection, key)
        for layer in (self._layer, self._staged):
            if k in layer:
                doc = layer[k]
                return None if doc is _DELETED else dict(doc)
        if k not in self._read_cache:
            self._read_cache[k] = await self._store.get_doc(
                self._projection, self._generation, collection, key
            )
        cached = self._read_cache[k]
        return None if cached is None else dict(cached)

    def put(self, collection: str, key: str, doc: Mapping[str, Any]) -> None:
        """Stage ``doc`` as the document ``key`` of ``collection``."""
        self._layer[(collection, key)] = dict(doc)

    def delete(self, collection: str, key: str) -> None:
        """Stage the removal of a document."""
        self._layer[(collection, key)] = _DELETED

    def _keep_event(self) -> None:
        self._staged.update(self._layer)
        self._layer = {}

    def _drop_event(self) -> None:
        self._layer = {}

    def _written(self) -> dict[_Key, JSONObject | None]:
        """Return the batch's writes as documents (None: deleted)."""
        return {k: None if doc is _DELETED else doc for k, doc in self._staged.items()}

    def _changes(self) -> tuple[ReadModelChange, ...]:
        return tuple(ReadModelChange(c, k, doc) for (c, k), doc in self._written().items())


class ProjectedEvent:
    """An event as a projection sees it: envelope, upcast payload, typed event on demand.

    The payload is upcast to the current schema version but left as plain data (cheap).

    Built-in read models use :attr:`payload`; :attr:`domain` decodes (once) into the event
    class for handlers that want typed access.
    """

    __slots__ = ("_domain", "_mapper", "_time", "payload", "record")

    def __init__(self, record: RecordedEvent, payload: dict[str, Any], mapper: EventMapper):
        self.record = record
        self.payload = payload
        self._mapper = mapper
        self._domain: DomainEvent | None = None
        self._time: str | None = None

    @property
    def domain(self) -> DomainEvent:
        """The typed domain event (decoded on first use)."""
        if self._domain is None:
            self._domain = self._mapper.to_domain(self.record, self.payload)
        return self._domain

    @property
    def event_type(self) -> str:
        """The event's type name."""
        return self.record.event_type

    @property
    def event_id(self) -> str:
        """The event's id."""
        return self.record.event_id

    @property
    def stream_id(self) -> str:
        """The stream (aggregate id) the event belongs to."""
        return self.record.stream_id

    @property
    def stream_version(self) -> int:
        """The event's version within its stream."""
        return self.record.stream_version

    @property
    def position(self) -> int:
        """The event's global position."""
        return self.record.position

    @property
    def occurred_at(self) -> datetime:
        """When the event happened."""
        return self.record.occurred_at

    @property
    def occurred_at_iso(self) -> str:
        """When the event happened, as an ISO 8601 string in UTC (computed once)."""
        if self._time is None:
            self._time = self.record.occurred_at.astimezone(UTC).isoformat()
        return self._time

    @property
    def actor(self) -> str:
        """Who caused the event."""
        return str(self.record.metadata.get("actor") or "system")

    @property
    def correlation_id(self) -> str | None:
        """The id shared by the events of one operation."""
        value = self.record.metadata.get("correlation_id")
        return None if value is None else str(value)


class Projection(abc.ABC):
    """A named read model. Subclasses set ``name`` and implement :meth:`apply`.

    ``event_types`` limits the events the projection is given (None: all of them); events of
    other types only move its checkpoint. Handlers must be deterministic and write only
    through the transaction, because a batch may be redone after a crash or a conflict.
    """

    name: ClassVar[str]
    event_types: ClassVar[frozenset[str] | None] = None
    halt_on_error: ClassVar[bool] = False

    def handles(self, event_type: str) -> bool:
        """Return True if the projection wants events of ``event_type``."""
        return self.event_types is None or event_type in self.event_types

    @abc.abstractmethod
    async def apply(self, event: ProjectedEvent, tx: ReadModelTransaction) -> None:
        """Update the read model for one event."""


@attrs.frozen
class ProjectionStatus:
    """Where one projection stands."""

    name: str
    generation: int
    position: int
    head: int
    lag: int
    """Events after the checkpoint (counted up to 10,000; more reads as 10,000)."""
    dead_letters: int
    halted: str | None = None
    """The error that halted the projection, if it did."""
    rebuilding_generation: int | None = None


@attrs.frozen
class Backoff:
    """Exponential backoff between attempts: ``base * 2**(attempt - 1)``, capped at ``cap``."""

    base: float = 0.2
    cap: float = 10.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before ``attempt`` (2, 3, ...)."""
        return float(min(self.cap, self.base * 2 ** max(attempt - 2, 0)))


Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], datetime]

_LAG_CAP = 10_000


@attrs.frozen
class _LastCommit:
    """A checkpoint and the documents known to be committed there (see ``_committed``)."""

    checkpoint: Checkpoint
    documents: Mapping[_Key, JSONObject | None] = attrs.field(factory=dict)


class ProjectionRunner:
    """Runs projections over an event store, keeping their read models in a projection store.

    ``batch_size`` events are read per page and committed per batch; a failing event is
    tried ``max_attempts`` times (``backoff`` between tries, waited with ``sleep``) before it is
    parked. With ``overlap_commits`` (default: the store's
    :attr:`~docsense.ports.ProjectionStore.overlaps_commits`), :meth:`catch_up` and
    :meth:`rebuild_many` project one projection's next batch, and read the next page, while
    another projection's commit is in flight; a projection never moves on before its own
    previous commit has finished, so the exactly-once argument is unchanged.
    """

    def __init__(
        self,
        events: EventStore,
        store: ProjectionStore,
        projections: Sequence[Projection],
        *,
        mapper: EventMapper | None = None,
        batch_size: int = 500,
        max_attempts: int = 3,
        backoff: Backoff = Backoff(),
        sleep: Sleep = asyncio.sleep,
        clock: Clock = lambda: datetime.now(UTC),
        overlap_commits: bool | None = None,
    ) -> None:
        if batch_size < 1 or max_attempts < 1:
            raise InvalidArgument("batch_size and max_attempts must be >= 1")
        names = [p.name for p in projections]
        if len(set(names)) != len(names):
            raise InvalidArgument(f"projection names must be unique, got {names}")
        self._events = events
        self._store = store
        self._projections = {p.name: p for p in projections}
        self._mapper = mapper or EventMapper()
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self._halted: dict[str, str] = {}
        self._decoded: OrderedDict[str, ProjectedEvent] = OrderedDict()
        self._decoded_max = 4 * batch_size
        self._pages: OrderedDict[int, list[RecordedEvent]] = OrderedDict()
        # Commits started by catch_up / rebuild_many and not awaited yet, one per projection:
        # the store writes one projection's batch while the handlers of the next one run.
        self._inflight: dict[str, asyncio.Task[None]] = {}
        # One batch of a projection at a time in this runner: the worker's loop, read-your-
        # writes catch-ups and recovery share it, and two steps of one projection would start
        # two commits from one checkpoint (one conflicting, and left unawaited).
        self._stepping: dict[str, asyncio.Lock] = {}
        self._overlap = store.overlaps_commits if overlap_commits is None else overlap_commits
        # Where this runner's own last commit left each projection's checkpoint, and the
        # documents that commit wrote, so the next batch starts there without reading the
        # checkpoint back and reads those documents without a round trip (a history split
        # by a batch boundary continues in the next batch). Safe because every commit is a
        # compare-and-set: if anyone else moved the checkpoint meanwhile, the next commit
        # conflicts and the runner reloads both from the store.
        self._committed: dict[str, _LastCommit] = {}
        # The page after the last full one, being read while handlers run (same scope).
        self._prefetch: dict[int, asyncio.Task[list[RecordedEvent]]] = {}

    @property
    def names(self) -> list[str]:
        """The names of the projections this runner runs."""
        return list(self._projections)

    def projection(self, name: str) -> Projection:
        """Return the projection called ``name``."""
        try:
            return self._projections[name]
        except KeyError:
            raise InvalidArgument(
                f"no projection named {name!r}; known: {', '.join(self._projections)}"
            ) from None

    # --- running ------------------------------------------------------------------------

    async def active_checkpoint(self, name: str) -> Checkpoint:
        """Return the generation readers see, creating the first one if needed."""
        for checkpoint in await self._store.checkpoints(name):
            if checkpoint.active:
                return checkpoint
        return await self._store.start_generation(name)

    async def run_once(self, name: str) -> int:
        """Process one batch of ``name``; return how many events it covered (0: caught up)."""
        return await self._step(name, defer=False)

    async def _step(self, name: str, *, defer: bool) -> int:
        if name in self._halted:
            return 0
        projection = self.projection(name)
        async with self._stepping.setdefault(name, asyncio.Lock()):
            for _ in range(5):
                try:
                    await self._settle(name)
                    resume = await self._resume_point(name)
                    return await self._process_batch(projection, resume, defer=defer)
                except ProjectionConflict:
                    logger.info("projection %s: another runner moved on; reloading", name)
        return 0

    async def _in_lockstep(
        self, names: Sequence[str], step: Callable[[str], Awaitable[int]]
    ) -> int:
        """Step each of ``names`` in turn until none moves; return the events covered.

        Every commit has finished when this returns (or raises).
        """
        active, total = list(names), 0
        try:
            while active:
                moving = []
                for name in active:
                    done = await step(name)
                    total += done
                    if done:
                        moving.append(name)
                active = moving
            for name in names:
                try:
                    await self._settle(name)
                except ProjectionConflict:  # another runner committed first: it has moved on
                    logger.info("projection %s: another runner moved on; reloading", name)
        finally:
            await self._settle_all(names)
            await self._drop_prefetch()
        return total

    async def catch_up(self, name: str | None = None) -> int:
        """Process batches until every (or the named) projection has caught up.

        Projections advance one batch each in turn, so those at the same place share one
        read of the log and one decoding of each event. Where commits overlap (see the class),
        a projection's commit runs while the next projection's handlers do, and is awaited
        before that projection moves again. Every commit has finished when this returns.
        """
        return await self._in_lockstep(
            [name] if name else self.names, lambda n: self._step(n, defer=self._overlap)
        )

    async def _resume_point(self, name: str, generation: int | None = None) -> _LastCommit:
        """Return the checkpoint of ``generation`` (default: the active one).

        That is where this runner's own last commit left it, with the documents that commit
        wrote; else the checkpoint as stored, with no documents.
        """
        known = self._committed.pop(name, None)
        if known is not None and (
            known.checkpoint.generation == generation
            if generation is not None
            else known.checkpoint.active
        ):
            return known
        if generation is None:
            return _LastCommit(await self.active_checkpoint(name))
        stored = await self._store.checkpoints(name)
        return _LastCommit(next(c for c in stored if c.generation == generation))

    async def _drop_prefetch(self) -> None:
        """Let page reads started ahead finish; their pages (or errors) are not needed."""
        tasks, self._prefetch = list(self._prefetch.values()), {}
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _settle(self, name: str) -> None:
        """Wait for the commit ``name`` has in flight, if any (its error is raised here)."""
        task = self._inflight.pop(name, None)
        if task is not None:
            await task

    async def _settle_all(self, names: Sequence[str]) -> None:
        """Wait for the commits of ``names`` still in flight when a loop is left early.

        :meth:`_in_lockstep` settles every commit before it ends normally, so this only finds
        any while another error propagates: that error is the one raised, these are logged.
        """
        for name in names:
            try:
                await self._settle(name)
            except Exception as exc:  # cleanup: the error being raised matters more
                logger.warning("projection %s: a commit in flight failed too: %s", name, exc)

    async def run_forever(
        self,
        stop: asyncio.Event,
        *,
        poll_interval: float = 1.0,
        wakeup: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """Catch up, then wait for new events (``wakeup`` or polling) until ``stop`` is set."""
        while not stop.is_set():
            await self.catch_up()
            waiting = wakeup(poll_interval) if wakeup else self._sleep(poll_interval)
            await wait_or_stop(stop, waiting)

    async def _read_batch(self, after: int, *, read_ahead: bool = False) -> list[RecordedEvent]:
        # A full page can never change (no event commits below one already visible), so it
        # is shared by every projection that reads from the same position; a short page is
        # read again because events may have been added at its end. With ``read_ahead`` the
        # page after a full one is read while this one is being projected.
        page = self._pages.get(after)
        if page is None:
            ahead = self._prefetch.pop(after, None)
            if ahead is not None:
                page = await ahead
            else:
                page = await self._events.read_all(after, limit=self._batch_size)
            if len(page) == self._batch_size:
                self._pages[after] = page
                while len(self._pages) > 4:
                    self._pages.popitem(last=False)
        if read_ahead and len(page) == self._batch_size:
            following = page[-1].position
            if following not in self._pages and following not in self._prefetch:
                self._prefetch[following] = asyncio.ensure_future(
                    self._events.read_all(following, limit=self._batch_size)
                )
        return page

    async def _process_batch(
        self, projection: Projection, resume: _LastCommit, *, defer: bool = False
    ) -> int:
        with telemetry.span("docsense.projection.batch", {
            "docsense.projection": projection.name,
            "docsense.projection.generation": resume.checkpoint.generation,
            "docsense.projection.from_position": resume.checkpoint.position,
        }) as traced:
            done = await self._project_batch(projection, resume, defer=defer)
            traced.set_attribute("docsense.events", done)
            return done

    async def _project_batch(
        self, projection: Projection, resume: _LastCommit, *, defer: bool
    ) -> int:
        checkpoint = resume.checkpoint
        records = await self._read_batch(checkpoint.position, read_ahead=defer)
        if not records:
            return 0
        tx = ReadModelTransaction(
            self._store, projection.name, checkpoint.generation, resume.documents
        )
        done_upto = checkpoint.position
        for index, record in enumerate(records):
            if projection.handles(record.event_type):
                try:
                    await self._apply(projection, record, tx)
                except Exception as exc:  # a handler failure of any kind
                    tx._drop_event()
                    if done_upto != checkpoint.position:
                        await self._commit(tx, checkpoint, done_upto)
                        checkpoint = attrs.evolve(checkpoint, position=done_upto)
                    await self._retry_or_park(projection, checkpoint, record, exc)
                    return index + 1
                tx._keep_event()
            done_upto = record.position
        if defer:
            self._inflight[projection.name] = asyncio.ensure_future(
                self._commit_batch(tx, checkpoint, done_upto)
            )
        else:
            await self._commit_batch(tx, checkpoint, done_upto)
        return len(records)

    async def _commit_batch(
        self, tx: ReadModelTransaction, checkpoint: Checkpoint, new_position: int
    ) -> None:
        await self._commit(tx, checkpoint, new_position)
        self._committed[checkpoint.projection] = _LastCommit(
            attrs.evolve(checkpoint, position=new_position), tx._written()
        )

    async def _apply(
        self, projection: Projection, record: RecordedEvent, tx: ReadModelTransaction
    ) -> None:
        # Projections usually sit at the same place in the log, so one upcast (and, if asked
        # for, decoded) event serves them all; handlers must not change it.
        event = self._decoded.get(record.event_id)
        if event is None:
            event = ProjectedEvent(record, self._mapper.upcast_payload(record), self._mapper)
            self._decoded[record.event_id] = event
            if len(self._decoded) > self._decoded_max:
                self._decoded.popitem(last=False)
        await projection.apply(event, tx)

    async def _commit(
        self,
        tx: ReadModelTransaction,
        checkpoint: Checkpoint,
        new_position: int,
        *,
        parked: tuple[DeadLetter, ...] = (),
        unparked: tuple[str, ...] = (),
    ) -> None:
        await self._store.commit(
            ProjectionCommit(
                projection=checkpoint.projection,
                generation=checkpoint.generation,
                expected_position=checkpoint.position,
                new_position=new_position,
                changes=tx._changes(),
                parked=parked,
                unparked=unparked,
            )
        )

    async def _retry_or_park(
        self,
        projection: Projection,
        checkpoint: Checkpoint,
        record: RecordedEvent,
        first_error: BaseException,
    ) -> None:
        error = first_error
        for attempt in range(2, self._max_attempts + 1):
            delay = self._backoff.delay(attempt)
            logger.warning(
                "projection %s failed on %s at %s (%s); attempt %d in %.2f s",
                projection.name,
                record.event_type,
                record.event_id,
                error,
                attempt,
                delay,
            )
            await self._sleep(delay)
            tx = ReadModelTransaction(self._store, projection.name, checkpoint.generation)
            try:
                await self._apply(projection, record, tx)
            except Exception as exc:
                error = exc
                continue
            tx._keep_event()
            await self._commit(tx, checkpoint, record.position)
            return
        message = f"{type(error).__name__}: {error}"
        if projection.halt_on_error:
            self._halted[projection.name] = message
            logger.error(
                "projection %s halted at event %s: %s", projection.name, record.event_id, message
            )
            raise ProjectionHalted(
                f"projection {projection.name!r} halted at event {record.event_id} "
                f"({record.event_type}): {message}"
            ) from error
        letter = DeadLetter(
            projection=projection.name,
            generation=checkpoint.generation,
            event_id=record.event_id,
            position=record.position,
            event_type=record.event_type,
            stream_id=record.stream_id,
            error=message,
            traceback="".join(traceback.format_exception(error)),
            attempts=self._max_attempts,
            parked_at=self._clock(),
        )
        logger.error(
            "projection %s parked event %s after %d attempts: %s",
            projection.name,
            record.event_id,
            self._max_attempts,
            message,
        )
        empty = ReadModelTransaction(self._store, projection.name, checkpoint.generation)
        await self._commit(empty, checkpoint, record.position, parked=(letter,))
        telemetry.record_dead_lettered(projection.name)

    # --- dead letters -------------------------------------------------------------------

    async def dead_letters(self, name: str | None = None) -> list[DeadLetter]:
        """Return parked events (of one projection, or all)."""
        if name is not None:
            self.projection(name)
        return await self._store.dead_letters(name)

    async def _letter(self, name: str, event_id: str) -> DeadLetter:
        for letter in await self._store.dead_letters(name):
            if letter.event_id == event_id:
                return letter
        raise InvalidArgument(f"projection {name!r} has no dead letter for event {event_id!r}")

    async def retry_dead_letter(self, name: str, event_id: str) -> None:
        """Apply a parked event again (after a fix) and remove it from the dead letters.

        Raises :class:`ProjectionError` if it fails again; it then stays parked.
        """
        projection = self.projection(name)
        letter = await self._letter(name, event_id)
        [record] = await self._events.read_all(letter.position - 1, limit=1)
        if record.event_id != event_id:
            raise ProjectionError(f"event {event_id!r} is no longer at position {letter.position}")
        for _ in range(5):
            checkpoint = await self.active_checkpoint(name)
            tx = ReadModelTransaction(self._store, name, checkpoint.generation)
            try:
                await self._apply(projection, record, tx)
            except Exception as exc:
                raise ProjectionError(
                    f"event {event_id} still fails in {name!r}: {type(exc).__name__}: {exc}"
                ) from exc
            tx._keep_event()
            try:
                await self._commit(tx, checkpoint, checkpoint.position, unparked=(event_id,))
                return
            except ProjectionConflict:
                continue
        raise ProjectionError(f"could not retry {event_id} in {name!r}: the runner kept moving")

    async def discard_dead_letter(self, name: str, event_id: str) -> None:
        """Forget a parked event without applying it."""
        await self._letter(name, event_id)
        for _ in range(5):
            checkpoint = await self.active_checkpoint(name)
            empty = ReadModelTransaction(self._store, name, checkpoint.generation)
            try:
                await self._commit(empty, checkpoint, checkpoint.position, unparked=(event_id,))
                return
            except ProjectionConflict:
                continue
        raise ProjectionError(f"could not discard {event_id} in {name!r}: the runner kept moving")

    # --- operations ---------------------------------------------------------------------

    async def rebuild(self, name: str) -> ProjectionStatus:
        """Replay every event into a fresh generation, then swap it in when caught up."""
        [status] = await self.rebuild_many([name])
        return status

    async def rebuild_many(self, names: Sequence[str] | None = None) -> list[ProjectionStatus]:
        """Rebuild several projections (default: all) together.

        They advance through the log in lockstep, sharing each page read and each event's
        decoding; each generation is swapped in once every one of them has caught up.
        """
        chosen = list(names) if names is not None else self.names
        building: dict[str, int] = {}
        for name in chosen:
            self.projection(name)
            await self.active_checkpoint(name)  # make sure a current generation exists
            building[name] = (await self._store.start_generation(name)).generation
            logger.info("projection %s: rebuilding into generation %d", name, building[name])

        async def step(name: str) -> int:
            async with self._stepping.setdefault(name, asyncio.Lock()):
                await self._settle(name)
                resume = await self._resume_point(name, building[name])
                return await self._process_batch(
                    self.projection(name), resume, defer=self._overlap
                )

        await self._in_lockstep(chosen, step)
        for name in chosen:
            await self._store.activate_generation(name, building[name])
            self._halted.pop(name, None)
        return [await self.status_of(name) for name in chosen]

    def resume(self, name: str) -> None:
        """Let a halted projection run again (after fixing its handler)."""
        self.projection(name)
        self._halted.pop(name, None)

    async def status_of(self, name: str) -> ProjectionStatus:
        """Return the status of one projection."""
        self.projection(name)
        checkpoints = await self._store.checkpoints(name)
        active = next((c for c in checkpoints if c.active), None)
        building = max((c.generation for c in checkpoints if not c.active), default=None)
        position = active.position if active else 0
        lag = len(await self._events.read_all(position, limit=_LAG_CAP))
        return ProjectionStatus(
            name=name,
            generation=active.generation if active else 0,
            position=position,
            head=await self._events.head(),
            lag=lag,
            dead_letters=len(await self._store.dead_letters(name)),
            halted=self._halted.get(name),
            rebuilding_generation=building,
        )

    async def status(self) -> list[ProjectionStatus]:
        """Return the status of every projection."""
        return [await self.status_of(name) for name in self.names]
