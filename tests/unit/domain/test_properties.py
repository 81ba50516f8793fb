"""Properties of every aggregate, over random valid command sequences.

- Replaying an aggregate's events on a fresh instance rebuilds an equal state.
- Every event and every state survives ``unstructure -> JSON -> structure`` unchanged.
- Stream versions count 1, 2, 3... and every event belongs to the aggregate's stream.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from docsense.domain import codec
from docsense.domain.aggregate import Aggregate
from docsense.domain.documents import Document
from docsense.domain.feedback import FeedbackSession, apply_edits
from docsense.domain.findings import Finding
from docsense.domain.review import Review
from docsense.testing.strategies import (
    aggregates,
    documents,
    feedback_sessions,
    findings,
    policy_packs,
    reviews,
)

settings.register_profile("domain", max_examples=100, deadline=None)


def json_round_trip(value: Any) -> Any:
    data = json.loads(json.dumps(codec.unstructure(value)))
    return codec.structure(data, type(value))


def assert_replay_rebuilds_state(aggregate: Aggregate[Any]) -> None:
    fresh = type(aggregate)(aggregate.id)
    fresh.replay(aggregate.pending_events)
    assert fresh.state == aggregate.state
    assert fresh.version == aggregate.version == len(aggregate.pending_events)


def assert_events_and_state_round_trip(aggregate: Aggregate[Any]) -> None:
    for event in aggregate.pending_events:
        assert codec.structure(codec.unstructure(event), type(event)) == event
        assert json_round_trip(event) == event
    state = aggregate.state
    assert isinstance(state, aggregate.state_type)
    assert codec.structure(codec.unstructure(state), aggregate.state_type) == state
    assert json_round_trip(state) == state


@settings(settings.get_profile("domain"))
@given(documents())
def test_document_replay_rebuilds_an_equal_state(doc: Document) -> None:
    assert_replay_rebuilds_state(doc)


@settings(settings.get_profile("domain"))
@given(reviews())
def test_review_replay_rebuilds_an_equal_state(review: Review) -> None:
    assert_replay_rebuilds_state(review)


@settings(settings.get_profile("domain"))
@given(feedback_sessions())
def test_feedback_session_replay_rebuilds_an_equal_state(session: FeedbackSession) -> None:
    assert_replay_rebuilds_state(session)


@settings(settings.get_profile("domain"))
@given(policy_packs())
def test_policy_pack_replay_rebuilds_an_equal_state(pack: Any) -> None:
    assert_replay_rebuilds_state(pack)


@settings(settings.get_profile("domain"))
@given(aggregates())
def test_every_event_and_state_round_trips_through_the_codec(aggregate: Aggregate[Any]) -> None:
    assert_events_and_state_round_trip(aggregate)


@settings(settings.get_profile("domain"))
@given(aggregates())
def test_stream_versions_count_from_one_within_the_aggregates_stream(
    aggregate: Aggregate[Any],
) -> None:
    events = aggregate.pending_events
    assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
    assert {e.stream_id for e in events} == {aggregate.id}
    assert len({e.event_id for e in events}) == len(events)


@settings(settings.get_profile("domain"))
@given(aggregates(), st.integers(0, 20))
def test_replay_from_any_prefix_state_plus_tail_equals_full_replay(
    aggregate: Aggregate[Any], cut: int
) -> None:
    events = aggregate.pending_events
    cut = min(cut, len(events))
    head = type(aggregate)(aggregate.id)
    head.replay(events[:cut])
    # A snapshot is just the state value: decode it as the storage layer would.
    snapshot = json_round_trip(head.state_or_none) if head.exists else None
    resumed = type(aggregate)(aggregate.id, snapshot, cut)
    resumed.replay(events[cut:])
    assert resumed.state == aggregate.state


@settings(settings.get_profile("domain"))
@given(findings())
def test_findings_round_trip_through_json(finding: Finding) -> None:
    assert json_round_trip(finding) == finding


@settings(settings.get_profile("domain"))
@given(documents())
def test_document_versions_strictly_increase_and_revisions_change_text(doc: Document) -> None:
    numbers = [v.number for v in doc.state.versions]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == len(numbers)
    for version in doc.state.versions:
        if version.revision is not None:
            base = doc.state.find_version(version.revision.base_version)
            assert base is not None
            assert base.markdown != version.markdown


@settings(settings.get_profile("domain"))
@given(feedback_sessions())
def test_accepted_and_modified_edits_always_apply_cleanly(session: FeedbackSession) -> None:
    length = max((i.item.end for i in session.state.items), default=0)
    edits = session.state.edits()
    revised = apply_edits("x" * length, edits)
    growth = sum(len(e.text) - (e.end - e.start) for e in edits)
    assert len(revised) == length + growth
