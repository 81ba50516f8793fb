"""Stored V1 events load as the current version; every schema bump ships its upcaster.

The fixtures in ``tests/data/events/v1/`` are events as a V1 store holds them. They stay in the
suite for ever: a change to an event class that breaks one of them needs an upcaster (and a
schema version bump), never an edit of the fixture.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

import docsense.domain  # noqa: F401  - registers every event type and upcaster
from docsense.domain import codec
from docsense.domain.documents import (
    DocumentConverted,
    DocumentUploaded,
    VersionNumber,
    title_from_filename,
)
from docsense.domain.events import ENVELOPE_FIELDS, EVENT_TYPES, DomainEvent, EventRegistry
from docsense.domain.review import PackRef, ReviewStarted
from docsense.domain.upcasting import UPCASTERS, UpcasterRegistry
from docsense.errors import MissingUpcaster

FIXTURES = Path(__file__).parents[2] / "data" / "events" / "v1"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))
UNCHANGED_SINCE_V1 = [
    p for p in FIXTURE_FILES if (cls := EVENT_TYPES.get(p.stem)) and cls.schema_version == 1
]


def load_current(path: Path) -> DomainEvent:
    """Decode a stored event the way the event mapper does: upcast, then structure."""
    stored = json.loads(path.read_text(encoding="utf-8"))
    cls = EVENT_TYPES.get(stored["event_type"])
    assert cls is not None, f"no event class registered for {stored['event_type']}"
    payload = UPCASTERS.upcast(
        stored["event_type"],
        stored["schema_version"],
        stored["payload"],
        to_version=cls.schema_version,
    )
    envelope = {k: stored[k] for k in ENVELOPE_FIELDS}
    event = codec.structure({**payload, **envelope}, cls)
    assert isinstance(event, cls)
    return event


def payload_of(event: DomainEvent) -> dict[str, Any]:
    data = codec.unstructure(event)
    assert isinstance(data, dict)
    return {k: v for k, v in data.items() if k not in ENVELOPE_FIELDS}


def test_every_registered_event_type_has_no_missing_upcaster() -> None:
    current = [(cls.event_type, cls.schema_version) for cls in EVENT_TYPES]
    assert UPCASTERS.missing(current) == []


def test_importing_the_domain_registers_all_twenty_event_types() -> None:
    assert len(EVENT_TYPES) >= 20
    assert {"DocumentUploaded", "PolicyAdded", "ReviewStarted", "FeedbackApplied"} <= {
        cls.event_type for cls in EVENT_TYPES
    }


def test_at_least_two_event_types_are_past_version_one() -> None:
    assert DocumentUploaded.schema_version == 2
    assert ReviewStarted.schema_version == 2


def test_a_new_event_version_without_upcaster_is_reported_missing() -> None:
    registry = EventRegistry()
    upcasters = UpcasterRegistry()

    @attrs.frozen(kw_only=True)
    class Renamed(DomainEvent):
        name: str

    Renamed.event_type, Renamed.schema_version = "Renamed", 3
    registry.register(Renamed)
    upcasters.register("Renamed", from_version=1)(lambda p: p)
    assert upcasters.missing((c.event_type, c.schema_version) for c in registry) == [("Renamed", 2)]
    with pytest.raises(MissingUpcaster):
        upcasters.upcast("Renamed", 1, {"name": "x"}, to_version=3)


def test_every_registered_event_type_has_a_v1_fixture() -> None:
    assert {p.stem for p in FIXTURE_FILES} >= {cls.event_type for cls in EVENT_TYPES}


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_v1_fixture_loads_as_the_current_version(path: Path) -> None:
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["schema_version"] == 1
    event = load_current(path)
    assert event.event_id == stored["event_id"]
    assert event.stream_version == stored["stream_version"]
    # The decoded event round-trips through the codec at its current version.
    assert codec.structure(codec.unstructure(event), type(event)) == event


@pytest.mark.parametrize("path", UNCHANGED_SINCE_V1, ids=lambda p: p.stem)
def test_v1_fixture_of_an_unchanged_type_keeps_every_stored_field(path: Path) -> None:
    stored = json.loads(path.read_text(encoding="utf-8"))["payload"]
    decoded = payload_of(load_current(path))
    assert {k: decoded.get(k) for k in stored} == stored


def test_document_uploaded_v1_gets_major_minor_and_a_title_from_the_file_name() -> None:
    event = load_current(FIXTURES / "DocumentUploaded.json")
    assert isinstance(event, DocumentUploaded)
    assert event.version == VersionNumber(1, 0)
    assert event.title == "index-rules"
    assert event.filename == "index-rules.pdf"
    assert event.size == 48213


def test_review_started_v1_single_pack_becomes_a_packs_tuple() -> None:
    event = load_current(FIXTURES / "ReviewStarted.json")
    assert isinstance(event, ReviewStarted)
    assert event.packs == (PackRef("policypack-00000000-0000-0000-0000-000000000004", "2026.1"),)
    assert event.reviewer == "anthropic:claude-sonnet-4-5"


def test_document_converted_v1_has_no_anchors_and_keeps_the_rest() -> None:
    stored = json.loads((FIXTURES / "DocumentConverted.json").read_text(encoding="utf-8"))
    event = load_current(FIXTURES / "DocumentConverted.json")
    assert isinstance(event, DocumentConverted)
    assert event.anchors == ()
    assert event.markdown == stored["payload"]["markdown"]
    assert event.page_count == stored["payload"].get("page_count")


def test_upcasters_do_not_mutate_the_stored_payload() -> None:
    stored = json.loads((FIXTURES / "ReviewStarted.json").read_text(encoding="utf-8"))
    before = json.dumps(stored["payload"], sort_keys=True)
    UPCASTERS.upcast("ReviewStarted", 1, stored["payload"], to_version=2)
    assert json.dumps(stored["payload"], sort_keys=True) == before


@pytest.mark.parametrize(
    ("filename", "title"),
    [("a/b/fund.v2.pdf", "fund.v2"), ("C:\\x\\rules.docx", "rules"), ("README", "README")],
)
def test_document_uploaded_upcaster_title_matches_the_upload_default(
    filename: str, title: str
) -> None:
    payload = {"filename": filename, "media_type": "text/plain", "size": 1, "sha256": "0" * 64}
    upcast = UPCASTERS.upcast("DocumentUploaded", 1, {**payload, "version": "1.0"}, to_version=2)
    assert upcast["title"] == title == title_from_filename(filename)
