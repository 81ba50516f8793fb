"""A test event type and a counting projection, shared by the projection tests (and the
crash-test subprocess, which imports this file by path)."""

from __future__ import annotations

import time
from typing import ClassVar

import attrs

from docsense.application.mapping import EventMapper
from docsense.application.projections import ProjectedEvent, Projection, ReadModelTransaction
from docsense.domain.events import DomainEvent, EventRegistry, domain_event
from docsense.domain.upcasting import UpcasterRegistry

TEST_EVENTS = EventRegistry()


@domain_event("Counted", registry=TEST_EVENTS)
@attrs.frozen(kw_only=True)
class Counted(DomainEvent):
    n: int
    poison: bool = False


def counting_mapper() -> EventMapper:
    return EventMapper(registry=TEST_EVENTS, upcasters=UpcasterRegistry())


class CountingProjection(Projection):
    """Sums ``n`` per stream and counts how often each event was applied."""

    name = "counting"
    fail_on_poison: ClassVar[bool] = True
    delay: ClassVar[float] = 0.0

    def __init__(self, *, fail_on_poison: bool = True, delay: float = 0.0) -> None:
        self.fail_on_poison_ = fail_on_poison
        self.delay_ = delay
        self.calls = 0

    async def apply(self, projected: ProjectedEvent, tx: ReadModelTransaction) -> None:
        event = projected.domain
        assert isinstance(event, Counted)
        self.calls += 1
        if self.delay_:
            time.sleep(self.delay_)  # noqa: ASYNC251 - a slow handler, so a kill lands mid-batch
        if event.poison and self.fail_on_poison_:
            raise ValueError(f"cannot count poison event {event.event_id}")
        total = await tx.get("totals", event.stream_id) or {"stream": event.stream_id, "sum": 0}
        total["sum"] += event.n
        tx.put("totals", event.stream_id, total)
        seen = await tx.get("applied", event.event_id) or {"event_id": event.event_id, "times": 0}
        seen["times"] += 1
        tx.put("applied", event.event_id, seen)
