"""The built-in upcasters, registered into :data:`~docsense.domain.upcasting.UPCASTERS`.

Each function turns a stored payload of one schema version into the next. They are frozen
history: once released, an upcaster never changes (a later shape change adds a new step), and
they do not call domain helpers that might change with the code.

- ``DocumentUploaded`` v1 -> v2: ``version`` was the string ``"1.0"``; it becomes
  ``{"major": 1, "minor": 0}``. v1 had no ``title``: it becomes the file name without
  directories or its last extension.
- ``ReviewStarted`` v1 -> v2: one ``pack_id`` + ``pack_version`` became the ``packs`` list of
  ``{"pack_id", "version"}``.
- ``DocumentConverted`` v1 -> v2: ``anchors`` (offsets mapped to pages or paragraphs) were
  not kept; a v1 conversion has none.
- ``ReviewCompleted`` and ``ReviewFailed`` v1 -> v2: ``usage`` gained
  ``tokens_cache_write``, ``tokens_thinking`` and ``refusals`` (0 in v1, which did not count
  them); a completed review's policy outcomes gained ``reason`` and ``detail`` (v1 did not
  say why a policy was not assessed: null and ""). v2 ``score`` may be null (nothing
  assessed); v1 always had a number.
"""

from __future__ import annotations

from typing import Any

from docsense.domain.upcasting import UPCASTERS

__all__ = [
    "document_converted_v1_to_v2",
    "document_uploaded_v1_to_v2",
    "review_completed_v1_to_v2",
    "review_failed_v1_to_v2",
    "review_started_v1_to_v2",
]


@UPCASTERS.register("DocumentUploaded", from_version=1)
def document_uploaded_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Split the ``"major.minor"`` string and derive a title from the file name."""
    major, _, minor = str(payload.get("version", "1.0")).partition(".")
    filename = str(payload["filename"])
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, _ = base.rpartition(".")
    return {
        **payload,
        "version": {"major": int(major), "minor": int(minor or 0)},
        "title": stem if dot and stem else base,
    }


@UPCASTERS.register("ReviewStarted", from_version=1)
def review_started_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Turn the single pack reference into a one-element ``packs`` list."""
    upcast = {k: v for k, v in payload.items() if k not in ("pack_id", "pack_version")}
    upcast["packs"] = [{"pack_id": payload["pack_id"], "version": payload["pack_version"]}]
    return upcast


@UPCASTERS.register("DocumentConverted", from_version=1)
def document_converted_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Add the empty ``anchors`` list: version 1 did not keep them."""
    return {**payload, "anchors": []}


def _usage_v1_to_v2(usage: dict[str, Any]) -> dict[str, Any]:
    return {"tokens_cache_write": 0, "tokens_thinking": 0, "refusals": 0, **usage}


@UPCASTERS.register("ReviewCompleted", from_version=1)
def review_completed_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Add the usage counters and the outcomes' ``reason`` / ``detail`` that v1 lacked."""
    outcomes = [
        {"reason": None, "detail": "", **outcome} for outcome in payload.get("policy_statuses", [])
    ]
    return {
        **payload,
        "usage": _usage_v1_to_v2(dict(payload.get("usage", {}))),
        "policy_statuses": outcomes,
    }


@UPCASTERS.register("ReviewFailed", from_version=1)
def review_failed_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Add the usage counters v1 lacked."""
    return {**payload, "usage": _usage_v1_to_v2(dict(payload.get("usage", {})))}
