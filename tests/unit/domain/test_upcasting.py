"""Stored V1 events load as the current version; every schema bump ships its upcaster.

The fixtures in ``tests/data/events/v1/`` are events as a V1 store holds them, and
``tests/data/events/v<N>/`` hold every later shape that a newer version replaced. They stay in
the suite for ever: a change to an event class that breaks one of them needs an upcaster (and a
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
from docsense.domain.feedback import FeedbackSession, FeedbackSessionOpened
from docsense.domain.findings import FindingLocation, Occurrence
from docsense.domain.review import (
    FindingsRecorded,
    PackRef,
    Review,
    ReviewCompleted,
    ReviewStarted,
)
from docsense.domain.upcasting import UPCASTERS, UpcasterRegistry
from docsense.errors import MissingUpcaster

EVENTS = Path(__file__).parents[2] / "data" / "events"
FIXTURES = EVENTS / "v1"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))
LATER_FIXTURE_FILES = sorted(p for p in EVENTS.glob("v*/*.json") if p.parent != FIXTURES)
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
    assert ReviewStarted.schema_version == 3


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


def test_every_released_shape_of_every_event_type_keeps_a_fixture() -> None:
    # Each version an event type has moved past is a shape some store may hold.
    missing = [
        f"v{version}/{cls.event_type}.json"
        for cls in EVENT_TYPES
        for version in range(1, cls.schema_version)
        if not (EVENTS / f"v{version}" / f"{cls.event_type}.json").exists()
    ]
    assert missing == []


@pytest.mark.parametrize("path", LATER_FIXTURE_FILES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_later_fixture_loads_as_the_current_version(path: Path) -> None:
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert f"v{stored['schema_version']}" == path.parent.name
    event = load_current(path)
    assert event.event_id == stored["event_id"]
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


def test_review_started_v1_and_v2_get_a_threshold_of_zero() -> None:
    for path in (FIXTURES / "ReviewStarted.json", EVENTS / "v2" / "ReviewStarted.json"):
        event = load_current(path)
        assert isinstance(event, ReviewStarted)
        assert event.min_confidence == 0.0
    v2 = load_current(EVENTS / "v2" / "ReviewStarted.json")
    assert isinstance(v2, ReviewStarted)
    assert [p.version for p in v2.packs] == ["2026.1", "2026.2"]
    assert v2.reviewer == "rules+anthropic:claude-sonnet-4-5"


def test_findings_recorded_v1_findings_become_one_place_groups_about_their_title() -> None:
    stored = json.loads((FIXTURES / "FindingsRecorded.json").read_text(encoding="utf-8"))
    event = load_current(FIXTURES / "FindingsRecorded.json")
    assert isinstance(event, FindingsRecorded)
    for old, new in zip(stored["payload"]["findings"], event.findings, strict=True):
        assert new.check is None
        assert new.subject == old["title"]
        assert new.quote == old["quote"]
        assert new.occurrences == (
            Occurrence(
                old["quote"],
                FindingLocation(
                    start=old["location"]["start"],
                    end=old["location"]["end"],
                    section_id=old["location"]["section_id"],
                    path=tuple(old["location"]["path"]),
                    page=old["location"]["page"],
                ),
                old["replacement"],
            ),
        )


def test_findings_recorded_v1_absent_finding_has_no_places() -> None:
    payload = {
        "findings": [
            {"id": "f-9", "policy_id": "SC-002", "category": "missing_governance",
             "severity": "medium", "title": "No governance section", "description": "",
             "quote": "", "location": None, "suggested_fix": "", "replacement": None,
             "confidence": 0.8, "source": "rules"}
        ],
        "part": "",
        "ungrounded_dropped": 0,
    }
    upcast = UPCASTERS.upcast("FindingsRecorded", 1, payload, to_version=2)
    assert upcast["findings"][0]["occurrences"] == []
    assert upcast["findings"][0]["subject"] == "No governance section"


def test_review_completed_v1_hid_nothing() -> None:
    event = load_current(FIXTURES / "ReviewCompleted.json")
    assert isinstance(event, ReviewCompleted)
    assert event.below_threshold == 0
    assert event.score == 0.62


def test_a_v1_review_replays_with_every_finding_shown() -> None:
    events = [
        load_current(FIXTURES / f"{name}.json")
        for name in ("ReviewStarted", "FindingsRecorded", "ReviewCompleted")
    ]
    review = Review(events[0].stream_id)
    review.replay(events)
    assert review.state.min_confidence == 0.0
    assert review.state.findings == review.state.all_findings
    assert [f.id for f in review.state.findings] == ["f-1", "f-2"]
    assert review.state.below_threshold == 0


def test_feedback_session_opened_v1_items_become_one_place_items() -> None:
    event = load_current(FIXTURES / "FeedbackSessionOpened.json")
    assert isinstance(event, FeedbackSessionOpened)
    first = event.items[0]
    assert len(first.occurrences) == 1
    place = first.occurrences[0]
    assert (place.quote, place.location.start, place.location.end, place.replacement) == (
        first.quote, first.start, first.end, first.replacement
    )
    session = FeedbackSession(event.stream_id)
    session.replay([event])
    assert [i.item.finding_id for i in session.state.items] == ["f-1", "f-2"]
    assert session.state.items[0].item.can_accept
    assert not session.state.items[1].item.can_accept


def test_review_completed_v1_and_v2_read_with_zero_new_counters_and_no_reasons() -> None:
    from docsense.domain.review import ReviewCompleted

    for path in (FIXTURES / "ReviewCompleted.json", EVENTS / "v2" / "ReviewCompleted.json"):
        event = load_current(path)
        assert isinstance(event, ReviewCompleted)
        assert event.score is not None
        assert (event.usage.tokens_cache_write, event.usage.tokens_thinking,
                event.usage.refusals) == (0, 0, 0)
        assert all(o.reason is None and o.detail == "" for o in event.policy_statuses)
    v2 = load_current(EVENTS / "v2" / "ReviewCompleted.json")
    assert isinstance(v2, ReviewCompleted)
    assert v2.below_threshold == 2
    assert v2.usage.cost_estimate == 0.0412


def test_review_completed_v1_to_v3_read_with_no_check_errors() -> None:
    from docsense.domain.review import NotAssessedReason, ReviewCompleted

    paths = [FIXTURES / "ReviewCompleted.json"] + [
        EVENTS / f"v{n}" / "ReviewCompleted.json" for n in (2, 3)
    ]
    for path in paths:
        event = load_current(path)
        assert isinstance(event, ReviewCompleted)
        assert event.check_errors == ()
    v3 = load_current(EVENTS / "v3" / "ReviewCompleted.json")
    assert isinstance(v3, ReviewCompleted)
    assert v3.score is None
    assert v3.policy_statuses[0].reason is NotAssessedReason.REFUSED
    assert (v3.usage.tokens_cache_write, v3.usage.refusals) == (500, 1)
    assert v3.warnings == ("1 policy refused",)
