"""The aggregate base: state rebuilt from events, commands that record new events.

An aggregate's state is one frozen attrs value, replaced (never mutated) by each event through
the aggregate's pure ``evolve(state, event)`` function. That makes a snapshot just the state
value, and makes "state from snapshot + tail == state from full replay" a plain equality.

Commands are methods that check the rules against the current state and then call
:meth:`Aggregate._record`, which stamps the event with the next stream version, a fresh id and
the time from the :class:`~docsense.domain.events.CommandContext`, applies it, and queues it
for saving.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Generic, TypeVar

from docsense.domain.events import CommandContext, DomainEvent
from docsense.errors import InvariantViolation

__all__ = ["Aggregate"]

S = TypeVar("S")
Ev = TypeVar("Ev", bound=DomainEvent)


class Aggregate(Generic[S]):
    """Base class of Document, PolicyPack, Review and FeedbackSession.

    Subclasses set ``kind`` (the stream id prefix), ``state_type`` (the attrs state class),
    ``state_version`` (bumped when the state's shape changes, so old snapshots are ignored) and
    implement :meth:`evolve`.
    """

    kind: ClassVar[str] = ""
    state_type: ClassVar[type[Any]]
    state_version: ClassVar[int] = 1

    def __init__(self, aggregate_id: str, state: S | None = None, version: int = 0) -> None:
        if not aggregate_id.startswith(f"{self.kind}-"):
            raise InvariantViolation(
                f"{type(self).__name__} ids start with {self.kind + '-'!r}, got {aggregate_id!r}"
            )
        self._id = aggregate_id
        self._state = state
        self._version = version
        self._pending: list[DomainEvent] = []

    # --- identity and state -------------------------------------------------------------

    @property
    def id(self) -> str:
        """The stream id, ``"<kind>-<uuid>"``."""
        return self._id

    @property
    def version(self) -> int:
        """Number of events in the stream, including events not yet saved."""
        return self._version

    @property
    def saved_version(self) -> int:
        """Number of events already in the store (the expected version of the next append)."""
        return self._version - len(self._pending)

    @property
    def exists(self) -> bool:
        """True once the aggregate's first event has been applied."""
        return self._state is not None

    @property
    def state(self) -> S:
        """The current state; raises if the aggregate has no events yet."""
        if self._state is None:
            raise InvariantViolation(f"{self._id} has no events yet")
        return self._state

    @property
    def state_or_none(self) -> S | None:
        """The current state, or None before the first event."""
        return self._state

    @classmethod
    def new_id(cls, ctx: CommandContext) -> str:
        """Return a fresh stream id for this kind of aggregate."""
        return f"{cls.kind}-{ctx.new_id()}"

    # --- event application --------------------------------------------------------------

    @classmethod
    def evolve(cls, state: S | None, event: DomainEvent) -> S:
        """Return the state after ``event``. Pure; subclasses implement it."""
        raise NotImplementedError

    def replay(self, events: Iterable[DomainEvent]) -> None:
        """Apply already-stored events (from a load)."""
        for event in events:
            if event.stream_version != self._version + 1:
                raise InvariantViolation(
                    f"{self._id}: event {event.event_type} has stream version "
                    f"{event.stream_version}, expected {self._version + 1}"
                )
            self._state = self.evolve(self._state, event)
            self._version = event.stream_version

    def _record(self, ctx: CommandContext, event_cls: type[Ev], **payload: Any) -> Ev:
        """Create, apply and queue a new event of ``event_cls`` with ``payload``."""
        event = event_cls(
            event_id=ctx.new_id(),
            stream_id=self._id,
            stream_version=self._version + 1,
            occurred_at=ctx.now(),
            metadata=ctx.metadata,
            **payload,
        )
        self._state = self.evolve(self._state, event)
        self._version += 1
        self._pending.append(event)
        return event

    # --- unit of work support -----------------------------------------------------------

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        """Events recorded since the last save, oldest first."""
        return tuple(self._pending)

    def mark_saved(self) -> None:
        """Forget pending events after the store accepted them."""
        self._pending.clear()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._id} v{self._version}>"
