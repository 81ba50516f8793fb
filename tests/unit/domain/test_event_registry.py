from __future__ import annotations

import attrs
import pytest

from docsense.domain.events import EVENT_TYPES, DomainEvent, EventRegistry, domain_event


def test_event_registered_in_a_private_registry_stays_out_of_the_global_one() -> None:
    private = EventRegistry()  # empty, hence falsy: must still be the one used

    @domain_event("PrivateThingHappened", registry=private)
    @attrs.frozen(kw_only=True)
    class PrivateThingHappened(DomainEvent):
        n: int

    assert private.get("PrivateThingHappened") is PrivateThingHappened
    assert "PrivateThingHappened" not in EVENT_TYPES


def test_two_classes_cannot_share_an_event_type() -> None:
    registry = EventRegistry()

    @domain_event("Twice", registry=registry)
    @attrs.frozen(kw_only=True)
    class First(DomainEvent):
        pass

    with pytest.raises(ValueError, match="already registered"):

        @domain_event("Twice", registry=registry)
        @attrs.frozen(kw_only=True)
        class Second(DomainEvent):
            pass
