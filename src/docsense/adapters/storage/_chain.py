r"""The hash chain of a stream: the canonical encoding of an event and its link hash.

Every stored event carries ``hash``, chaining it to the previous event of its stream::

    digest = sha256(header + "\n" + canonical(payload) + "\n" + canonical(metadata))
    hash   = sha256(previous_hash + digest)          (both lower-case hex, as ASCII)

``header`` is the canonical JSON array ``[stream_id, stream_version, event_type,
schema_version, event_id]``; the first event of a stream chains to :data:`GENESIS` (64
zeros). ``canonical`` is compact JSON with sorted keys and UTF-8 kept as is: the same bytes
whichever adapter stored the event (PostgreSQL's ``jsonb`` reorders keys and reformats
numbers, so the chain cannot be taken over the bytes a store happens to keep). Floats of
magnitude 1e16 or more (the only ones Python writes with an exponent, ``1e+16``) are
encoded as the exact integer they stand for, and ``-0.0`` as ``0.0``, as ``jsonb`` gives
them back.

The encoding is computed once per event on append: the SQLite adapter stores the canonical
payload text it hashed, PostgreSQL receives it as the ``jsonb`` parameter, and PostgreSQL's
``ds_append`` links the digests into the chain inside the append's transaction. Upcasting
happens when events are read and never touches the stored bytes or the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

# The C accelerator's encoder factory (None on an interpreter without it).
_make_c_encoder: Any = getattr(json.encoder, "c_make_encoder", None)

__all__ = ["GENESIS", "canonical_json", "event_digest", "link", "link_all", "recorded_digest"]

GENESIS = "0" * 64
"""The "previous hash" of the first event of every stream."""

_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, sort_keys=True, check_circular=False
)
_sha256 = hashlib.sha256


def _build_canonical() -> Callable[[Any], str]:
    """Return the canonical encoder: the C one called directly when there is one.

    ``JSONEncoder.encode`` builds a new C encoder on every call; one built once and kept
    gives the same text (same options) in about two thirds of the time.
    """
    if _make_c_encoder is None:  # pragma: no cover
        return _ENCODER.encode
    encoder = _make_c_encoder(
        None, _ENCODER.default, encode_basestring, None, ":", ",", True, False, True
    )
    join = "".join

    def encode(value: Any) -> str:
        text: str = join(encoder(value, 0))
        return text

    return encode


_CANONICAL = _build_canonical()


def canonical_json(value: Any) -> str:
    """Return the canonical JSON text of ``value`` (sorted keys, compact, UTF-8 as is)."""
    text = _CANONICAL(value)
    # Rare: a float >= 1e16 or a negative zero (or a string that happens to hold either).
    if "e+" in text or "-0.0" in text:
        text = _CANONICAL(_exact(value))
    return text


def _exact(value: Any) -> Any:
    """Replace floats as ``jsonb`` gives them back: 1e+16 as an exact integer, -0.0 as 0.0."""
    if isinstance(value, float):
        if value == 0.0:
            return 0.0
        text = repr(value)
        return int(Decimal(text)) if "e+" in text else value
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_exact(v) for v in value]
    return value


def event_digest(
    stream_id: str,
    stream_version: int,
    event_type: str,
    schema_version: int,
    event_id: str,
    payload_json: str,
    metadata_json: str,
) -> str:
    """Return the hex digest of one event's canonical encoding.

    ``payload_json`` and ``metadata_json`` must be :func:`canonical_json` texts.
    """
    if type(stream_version) is int and type(schema_version) is int:
        # The canonical array spelled out: the same text as encoding the list, faster.
        header = (
            f"[{encode_basestring(stream_id)},{stream_version},{encode_basestring(event_type)},"
            f"{schema_version},{encode_basestring(event_id)}]"
        )
    else:
        header = _CANONICAL([stream_id, stream_version, event_type, schema_version, event_id])
    data = f"{header}\n{payload_json}\n{metadata_json}".encode()
    return _sha256(data).hexdigest()


def link(previous: str, digest: str) -> str:
    """Return the chain hash of an event with ``digest`` following ``previous``."""
    return _sha256((previous + digest).encode("ascii")).hexdigest()


def link_all(previous: str, digests: list[str]) -> list[str]:
    """Return the chain hashes of consecutive events with ``digests`` after ``previous``."""
    hashes = []
    for digest in digests:
        previous = _sha256((previous + digest).encode("ascii")).hexdigest()
        hashes.append(previous)
    return hashes


def recorded_digest(
    stream_id: str,
    stream_version: int,
    event_type: str,
    schema_version: int,
    event_id: str,
    payload: Any,
    metadata: Any,
) -> str:
    """Return :func:`event_digest` of a decoded event (what ``verify`` recomputes)."""
    return event_digest(
        stream_id,
        stream_version,
        event_type,
        schema_version,
        event_id,
        canonical_json(payload),
        canonical_json(metadata or {}),
    )
