"""Translate between domain events and the storage ports' JSON-ready records.

Writing: a :class:`~docsense.domain.events.DomainEvent` becomes a
:class:`~docsense.ports.NewEvent` (payload = its own fields, envelope fields apart).
Reading: a :class:`~docsense.ports.RecordedEvent` is upcast from its stored schema version
to the class's current one through the :class:`~docsense.domain.upcasting.UpcasterRegistry`
and structured into the event class. Decoding failures raise
:class:`~docsense.errors.EventDecodingError` naming the event, never a bare ``TypeError``.
"""

from __future__ import annotations

from typing import Any

from docsense.domain import codec
from docsense.domain.events import (
    ENVELOPE_FIELDS,
    EVENT_TYPES,
    DomainEvent,
    EventMetadata,
    EventRegistry,
)
from docsense.domain.upcasting import UPCASTERS, UpcasterRegistry
from docsense.errors import DomainError, EventDecodingError, UnknownEventType
from docsense.ports import NewEvent, RecordedEvent

__all__ = ["EventMapper"]


class EventMapper:
    """Maps domain events to stored records and back, upcasting old versions on read."""

    def __init__(
        self,
        registry: EventRegistry = EVENT_TYPES,
        upcasters: UpcasterRegistry = UPCASTERS,
    ) -> None:
        self._registry = registry
        self._upcasters = upcasters

    def to_new_event(self, event: DomainEvent) -> NewEvent:
        """Return the record to append for ``event``."""
        data = codec.unstructure(event)
        payload = {k: v for k, v in data.items() if k not in ENVELOPE_FIELDS}
        return NewEvent(
            event_id=event.event_id,
            event_type=event.event_type,
            schema_version=event.schema_version,
            occurred_at=event.occurred_at,
            payload=payload,
            metadata=data["metadata"],
        )

    def upcast_payload(self, record: RecordedEvent) -> dict[str, Any]:
        """Return ``record``'s payload in the current schema version of its type (as data)."""
        cls = self._registry.get(record.event_type)
        if cls is None:
            raise UnknownEventType(record.event_type)
        if record.schema_version == cls.schema_version:
            return dict(record.payload)
        try:
            return self._upcasters.upcast(
                record.event_type,
                record.schema_version,
                dict(record.payload),
                to_version=cls.schema_version,
            )
        except EventDecodingError:
            raise
        except (TypeError, ValueError, KeyError) as exc:
            raise EventDecodingError(
                f"cannot upcast {record.event_type} v{record.schema_version} "
                f"({record.stream_id}@{record.stream_version}, id {record.event_id}): {exc}"
            ) from exc

    def to_domain(
        self, record: RecordedEvent, payload: dict[str, Any] | None = None
    ) -> DomainEvent:
        """Return the current-version domain event for a stored ``record``.

        ``payload`` may pass in the already upcast payload (from :meth:`upcast_payload`).
        """
        cls = self._registry.get(record.event_type)
        if cls is None:
            raise UnknownEventType(record.event_type)
        try:
            if payload is None:
                payload = self.upcast_payload(record)
            fields: dict[str, Any] = {
                **payload,
                "event_id": record.event_id,
                "stream_id": record.stream_id,
                "stream_version": record.stream_version,
                "occurred_at": record.occurred_at.isoformat(),
                "metadata": dict(record.metadata),
            }
            event = codec.structure(fields, cls)
        except EventDecodingError:
            raise
        except (TypeError, ValueError, KeyError, DomainError) as exc:
            raise EventDecodingError(
                f"cannot decode {record.event_type} v{record.schema_version} "
                f"({record.stream_id}@{record.stream_version}, id {record.event_id}): {exc}"
            ) from exc
        assert isinstance(event, DomainEvent)
        return event

    @staticmethod
    def metadata_of(record: RecordedEvent) -> EventMetadata:
        """Return a record's metadata as the domain value object."""
        decoded = codec.structure(dict(record.metadata), EventMetadata)
        assert isinstance(decoded, EventMetadata)
        return decoded
