"""Time-ordered ids: version 7, the RFC 9562 variant, sorted as made, unique."""

from __future__ import annotations

import uuid

from docsense.application.ids import new_id, uuid7


def test_ids_are_version_7_with_the_rfc_variant_and_their_time() -> None:
    made = uuid7(now_ms=1_764_633_600_000)
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert made.time_ms == 1_764_633_600_000


def test_ids_made_later_sort_later_and_never_repeat() -> None:
    earlier = [str(uuid7(now_ms=1000 + i)) for i in range(200)]
    assert earlier == sorted(earlier)
    assert len({new_id() for _ in range(10_000)}) == 10_000


def test_new_id_is_the_canonical_text_of_a_version_7_uuid() -> None:
    for _ in range(1_000):
        text = new_id()
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122
