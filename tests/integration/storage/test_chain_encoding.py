"""The chain's canonical encoding survives PostgreSQL's jsonb: random payloads verify there.

jsonb reorders keys, drops insignificant formatting and keeps numbers as decimals, so a hash
over the bytes a store keeps would differ between adapters. These tests store generated
JSON payloads (unicode, control characters, floats of every magnitude, large integers, deep
nesting) in PostgreSQL, SQLite and memory, and check that every chain verifies and that the
three stores give the same digest of stream heads.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docsense.adapters.storage import open_storage
from docsense.adapters.storage._chain import canonical_json, event_digest
from docsense.application.store_ops import verify
from docsense.ports import NewEvent

_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))
_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
_SCALARS = st.none() | st.booleans() | st.integers(-(10**30), 10**30) | _FLOATS | _TEXT
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
_PAYLOADS = st.lists(st.dictionaries(_TEXT, _JSON, max_size=5), min_size=1, max_size=12)


def test_canonical_json_is_independent_of_key_order_and_float_spelling() -> None:
    assert canonical_json({"b": 1, "a": [2, {"d": 1, "c": 0}]}) == (
        canonical_json({"a": [2, {"c": 0, "d": 1}], "b": 1})
    )
    assert canonical_json({"x": 1e20}) == '{"x":100000000000000000000}'
    assert canonical_json({"x": 1.5e300}) == canonical_json({"x": int("15" + "0" * 299)})
    assert canonical_json({"x": -0.0, "y": 1e-7}) == '{"x":0.0,"y":1e-07}'
    assert canonical_json({"e+": "keeps e+ and -0.0 in text"}) == (
        '{"e+":"keeps e+ and -0.0 in text"}'
    )


_REFERENCE = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, sort_keys=True, check_circular=False
).encode


@given(
    strings=st.tuples(_TEXT, _TEXT, _TEXT),
    versions=st.tuples(st.integers(0, 10**20) | st.booleans(), st.integers(0, 99) | st.booleans()),
    value=_JSON,
)
def test_fast_encodings_match_the_json_encoder(
    strings: tuple[str, str, str], versions: tuple[int, int], value: Any
) -> None:
    # The digest spells the header out and canonical_json calls the C encoder directly:
    # both must give exactly the bytes of the definition (the stored hashes depend on it).
    stream_id, event_type, event_id = strings
    version, schema = versions
    header = _REFERENCE([stream_id, version, event_type, schema, event_id])
    expected = hashlib.sha256(f"{header}\n{{}}\n{{}}".encode()).hexdigest()
    assert event_digest(stream_id, version, event_type, schema, event_id, "{}", "{}") == expected
    if "e+" not in _REFERENCE(value) and "-0.0" not in _REFERENCE(value):
        assert canonical_json(value) == _REFERENCE(value)


@pytest.mark.postgres
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(payloads=_PAYLOADS)
async def test_generated_payloads_verify_on_every_adapter(
    payloads: list[dict[str, Any]], postgres_schema_url: str, tmp_path: Path
) -> None:
    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    urls = (
        "memory://",
        f"sqlite:///{tmp_path / f'{stamp}.db'}",
        postgres_schema_url,
    )
    digests = []
    for url in urls:
        store = await open_storage(url)
        try:
            stream = f"gen-{stamp}"
            events = [
                NewEvent(f"{stamp}-{i}", "Generated", 1, datetime(2026, 1, 1, tzinfo=UTC), p)
                for i, p in enumerate(payloads)
            ]
            await store.append(stream, events[:1], 0)
            await store.append(stream, events[1:], 1)
            report = await verify(store)
            assert report.ok, (url, report.first_break)
            chained = await store.read_stream_chained(stream)  # type: ignore[attr-defined]
            digests.append(chained[-1].hash)
        finally:
            await store.close()
    assert digests[0] == digests[1] == digests[2]  # the same chain on every adapter
