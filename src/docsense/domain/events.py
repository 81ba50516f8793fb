"""Domain events: the envelope every event shares, and the registry of event types.

An event is a frozen attrs class named in the past tense. Its envelope fields (id, stream,
version, time, metadata) come from :class:`DomainEvent`; its own fields are the payload. The
``event_type`` and ``schema_version`` of a class are set by the :func:`domain_event` decorator,
which also registers the class so stored events can be decoded by name::

    @domain_event("DocumentUploaded", version=1)
    @attrs.frozen(kw_only=True)
    class DocumentUploaded(DomainEvent):
        filename: str

The domain never reads a clock or draws random ids: both arrive through a
:class:`CommandContext` that the application layer builds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import attrs

__all__ = [
    "EVENT_TYPES",
    "CommandContext",
    "DomainEvent",
    "EventMetadata",
    "EventRegistry",
    "domain_event",
]

ENVELOPE_FIELDS = frozenset(
    {"event_id", "stream_id", "stream_version", "occurred_at", "metadata"}
)


@attrs.frozen
class EventMetadata:
    """Who caused an event and which operation it belongs to.

    ``correlation_id`` is shared by every event of one user operation; ``causation_id`` is the
    id of the event or command that directly caused this one. ``idempotency_key`` is the key
    the caller gave the operation (``idempotency_key=``), so a retry of it can find what the
    first attempt recorded.
    """

    actor: str = "system"
    correlation_id: str | None = None
    causation_id: str | None = None
    idempotency_key: str | None = None


@attrs.frozen(kw_only=True)
class DomainEvent:
    """Base class of every domain event: the envelope fields every event carries."""

    event_type: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1

    event_id: str
    stream_id: str
    stream_version: int
    occurred_at: datetime
    metadata: EventMetadata = attrs.field(factory=EventMetadata)


E = TypeVar("E", bound=type[DomainEvent])


class EventRegistry:
    """Maps event type names to their classes (the current schema version of each)."""

    def __init__(self) -> None:
        self._classes: dict[str, type[DomainEvent]] = {}

    def register(self, cls: type[DomainEvent]) -> None:
        """Register ``cls`` under its ``event_type``; a second class with that name is an error."""
        existing = self._classes.get(cls.event_type)
        if existing is not None and existing is not cls:
            raise ValueError(
                f"event type {cls.event_type!r} is already registered by "
                f"{existing.__module__}.{existing.__qualname__}"
            )
        self._classes[cls.event_type] = cls

    def get(self, event_type: str) -> type[DomainEvent] | None:
        """Return the class registered for ``event_type``, or None."""
        return self._classes.get(event_type)

    def __iter__(self) -> Any:
        return iter(sorted(self._classes.values(), key=lambda c: c.event_type))

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._classes

    def __len__(self) -> int:
        return len(self._classes)


EVENT_TYPES = EventRegistry()
"""The registry every built-in event class is registered in."""


def domain_event(
    event_type: str, *, version: int = 1, registry: EventRegistry | None = None
) -> Callable[[E], E]:
    """Class decorator: name an event type, give its schema version, and register it."""
    if version < 1:
        raise ValueError("schema versions start at 1")

    def decorate(cls: E) -> E:
        cls.event_type = event_type
        cls.schema_version = version
        (EVENT_TYPES if registry is None else registry).register(cls)
        return cls

    return decorate


@attrs.frozen
class CommandContext:
    """What a command needs from the outside world: time, fresh ids, and who is acting.

    >>> from datetime import datetime, timezone
    >>> import itertools
    >>> ids = (f"id-{n}" for n in itertools.count())
    >>> ctx = CommandContext(now=lambda: datetime(2026, 1, 1, tzinfo=timezone.utc),
    ...                      new_id=lambda: next(ids))
    >>> ctx.new_id()
    'id-0'
    """

    now: Callable[[], datetime]
    new_id: Callable[[], str]
    metadata: EventMetadata = attrs.field(factory=EventMetadata)
