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
- ``ReviewStarted`` v2 -> v3: ``min_confidence`` (the review's confidence threshold) is 0.0:
  reviews recorded before thresholds existed showed every finding.
- ``FindingsRecorded`` v1 -> v2: a finding became a group of places; an old finding is a
  group of its one place (``occurrences`` = its quote, location and replacement; none if it
  had no quote or location), ``subject`` its title, ``check`` unknown (None).
- ``ReviewCompleted`` v1 -> v2: ``below_threshold`` is 0 (nothing was hidden).
- ``FeedbackSessionOpened`` v1 -> v2: each item carries its places; an old item has one, its
  quote and span (without section or page, which v1 items did not keep).
- ``ReviewCompleted`` v2 -> v3 and ``ReviewFailed`` v1 -> v2: ``usage`` gained
  ``tokens_cache_write``, ``tokens_thinking`` and ``refusals`` (0 before, when they were not
  counted); a completed review's policy outcomes gained ``reason`` and ``detail`` (null and
  "": earlier reviews did not say why a policy was not assessed). From v3 ``score`` may be
  null (nothing assessed); before, it was always a number.
- ``ReviewCompleted`` v3 -> v4: ``check_errors`` is empty (before, a check that raised failed
  the whole review, so a completed review had none).
"""

from __future__ import annotations

from typing import Any

from docsense.domain.upcasting import UPCASTERS

__all__ = [
    "document_converted_v1_to_v2",
    "document_uploaded_v1_to_v2",
    "feedback_session_opened_v1_to_v2",
    "findings_recorded_v1_to_v2",
    "review_completed_v1_to_v2",
    "review_completed_v2_to_v3",
    "review_completed_v3_to_v4",
    "review_failed_v1_to_v2",
    "review_started_v1_to_v2",
    "review_started_v2_to_v3",
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


@UPCASTERS.register("ReviewStarted", from_version=2)
def review_started_v2_to_v3(payload: dict[str, Any]) -> dict[str, Any]:
    """Add ``min_confidence`` 0.0: the review showed every finding."""
    return {**payload, "min_confidence": 0.0}


def _finding_v1_to_v2(finding: dict[str, Any]) -> dict[str, Any]:
    quote = finding.get("quote") or ""
    location = finding.get("location")
    places = []
    if quote and location is not None:
        places = [{"quote": quote, "location": location, "replacement": finding.get("replacement")}]
    return {**finding, "check": None, "subject": finding["title"], "occurrences": places}


@UPCASTERS.register("FindingsRecorded", from_version=1)
def findings_recorded_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Make each finding a group of its one place, about its title, from an unknown check."""
    return {**payload, "findings": [_finding_v1_to_v2(f) for f in payload["findings"]]}


@UPCASTERS.register("ReviewCompleted", from_version=1)
def review_completed_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Add ``below_threshold`` 0: nothing was hidden."""
    return {**payload, "below_threshold": 0}


def _item_v1_to_v2(item: dict[str, Any]) -> dict[str, Any]:
    location = {"start": item["start"], "end": item["end"], "section_id": None, "path": [],
                "page": None}
    place = {"quote": item["quote"], "location": location, "replacement": item.get("replacement")}
    return {**item, "occurrences": [place]}


@UPCASTERS.register("FeedbackSessionOpened", from_version=1)
def feedback_session_opened_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Give each item its one place."""
    return {**payload, "items": [_item_v1_to_v2(i) for i in payload["items"]]}


def _usage_v1_to_v2(usage: dict[str, Any]) -> dict[str, Any]:
    return {"tokens_cache_write": 0, "tokens_thinking": 0, "refusals": 0, **usage}


@UPCASTERS.register("ReviewCompleted", from_version=2)
def review_completed_v2_to_v3(payload: dict[str, Any]) -> dict[str, Any]:
    """Add the usage counters and the outcomes' ``reason`` / ``detail`` that v2 lacked."""
    outcomes = [
        {"reason": None, "detail": "", **outcome} for outcome in payload.get("policy_statuses", [])
    ]
    return {
        **payload,
        "usage": _usage_v1_to_v2(dict(payload.get("usage", {}))),
        "policy_statuses": outcomes,
    }


@UPCASTERS.register("ReviewCompleted", from_version=3)
def review_completed_v3_to_v4(payload: dict[str, Any]) -> dict[str, Any]:
    """Add the empty ``check_errors``: a check that raised used to fail the review."""
    return {**payload, "check_errors": []}


@UPCASTERS.register("ReviewFailed", from_version=1)
def review_failed_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Add the usage counters v1 lacked."""
    return {**payload, "usage": _usage_v1_to_v2(dict(payload.get("usage", {})))}
