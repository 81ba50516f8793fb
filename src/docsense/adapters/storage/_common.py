"""Argument checks and JSON encoding shared by the storage adapters."""

from __future__ import annotations

import hashlib
import json
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from docsense.errors import InvalidArgument
from docsense.ports import Filter, NewEvent, ProjectionCommit

__all__ = [
    "check_append",
    "check_filters",
    "check_name",
    "dumps",
    "dumps_documents",
    "loads",
    "matches",
    "sha256_hex",
]


def check_append(stream_id: str, events: Sequence[NewEvent], expected_version: int) -> None:
    """Reject malformed append arguments before touching storage (InvalidArgument)."""
    if not isinstance(stream_id, str) or not stream_id:
        raise InvalidArgument("stream_id must be a non-empty string")
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise InvalidArgument("expected_version must be an int")
    if expected_version < 0:
        raise InvalidArgument(f"expected_version must be >= 0, got {expected_version}")
    ids = [e.event_id for e in events]
    if len(set(ids)) != len(ids):
        raise InvalidArgument("an append batch holds the same event_id twice")
    for e in events:
        if not e.event_id or not e.event_type:
            raise InvalidArgument("every event needs a non-empty event_id and event_type")


# One encoder for every call: json.dumps with options builds a new encoder each time.
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def dumps(data: Any) -> str:
    """Encode JSON compactly (UTF-8 kept as is)."""
    return _ENCODE(data)


# Read-model documents: also refuses NaN and infinities (neither JSON nor jsonb holds them).
# Circular structures are not looked for up front (a tenth of the encoding time); encoding
# one fails all the same, with RecursionError, and is reported like any other bad document.
_ENCODE_DOCUMENTS = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, check_circular=False, allow_nan=False
).encode
_NOT_JSON = (TypeError, ValueError, RecursionError)


def dumps_documents(batch: ProjectionCommit, data: Any) -> str:
    """Encode ``data`` holding the documents of ``batch``, or raise InvalidArgument.

    The error names the first document of the batch that is not JSON (a value of another
    type, NaN or infinity, a structure that contains itself) and why.
    """
    try:
        return _ENCODE_DOCUMENTS(data)
    except _NOT_JSON as exc:
        for change in batch.changes:
            try:
                _ENCODE_DOCUMENTS(change.doc)
            except _NOT_JSON as bad:
                raise InvalidArgument(
                    f"projection {batch.projection!r} staged document {change.key!r} in "
                    f"{change.collection!r} that is not JSON: {type(bad).__name__}: {bad}"
                ) from None
        raise InvalidArgument(
            f"projection {batch.projection!r} staged a batch that is not JSON: {exc}"
        ) from None


def loads(text: str | bytes) -> Any:
    """Decode JSON."""
    return json.loads(text)


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FILTER_OPS = ("=", "!=", "<", "<=", ">", ">=", "in")
_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")


def check_name(kind: str, value: str) -> None:
    """Reject projection / collection names that are empty or contain odd characters."""
    if not isinstance(value, str) or not _NAME.match(value):
        raise InvalidArgument(
            f"{kind} {value!r} must be 1-200 letters, digits, '_', '.', ':' or '-'"
        )


def check_filters(filters: Sequence[Filter], order_by: str | None = None) -> None:
    """Reject filters with unknown operators or field names that are not identifiers."""
    for f in filters:
        if not _FIELD.match(f.field):
            raise InvalidArgument(f"filter field {f.field!r} must be an identifier")
        if f.op not in FILTER_OPS:
            raise InvalidArgument(f"filter operator {f.op!r} is not one of {FILTER_OPS}")
        if f.op == "in" and not isinstance(f.value, list | tuple):
            raise InvalidArgument(f"the 'in' filter on {f.field!r} needs a list of values")
    if order_by is not None and not _FIELD.match(order_by):
        raise InvalidArgument(f"order_by {order_by!r} must be an identifier")


def matches(doc: Mapping[str, Any], filters: Sequence[Filter]) -> bool:
    """Evaluate filters on a document as the SQL adapters do (a missing field never matches)."""
    for f in filters:
        value = doc.get(f.field)
        if value is None:
            return False
        try:
            if f.op == "in":
                if value not in f.value:
                    return False
            elif not _OPS[f.op](value, f.value):
                return False
        except TypeError:
            return False
    return True


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
