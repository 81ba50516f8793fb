"""The built-in read models: documents, reviews, findings across documents, and the audit log.

Each is a :class:`~docsense.application.projections.Projection` writing JSON documents; the
query functions at the end read them through the :class:`~docsense.ports.ProjectionStore`
with filters and pagination. Timestamps are ISO 8601 strings in UTC, so they filter and sort
as times.

Collections:

- ``documents/documents`` keyed by document id: title, filename, latest version, status,
  last score and review, page and word counts, timestamps. Reviews do not write to the
  document's stream; the row takes its review fields from ``ReviewCompleted``.
- ``documents/files`` keyed by sha256: the first document (and version) uploaded from
  that file, so an upload of the same bytes finds it.
- ``reviews/reviews`` keyed by review id: document, packs, reviewer, status, score, counts
  (``findings`` at or above the review's confidence threshold, their ``places``, and how many
  findings are ``below_threshold``), and ``feedback`` (``open``, ``applying``, ``applied``)
  once its feedback has started.
- ``findings/findings`` keyed by ``<review id>:<finding id>``: the finding (a group: its first
  quote and its number of ``places``) with its document, review, packs, whether it is below
  the review's confidence threshold, and the feedback decision taken on it.
- ``audit/events`` keyed by event id: who did what, when, to which document, in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from docsense.application.projections import ProjectedEvent, Projection, ReadModelTransaction
from docsense.domain.findings import Severity, fingerprint
from docsense.domain.review import score_text
from docsense.ports import Filter, JSONObject, ProjectionStore

__all__ = [
    "AuditLogProjection",
    "DocumentsProjection",
    "FindingsProjection",
    "ReviewsProjection",
    "audit_log",
    "builtin_projections",
    "document_with_file",
    "find_findings",
    "list_documents",
    "list_reviews",
]

_CONTEXT = "_context"  # private collection: which document a review / feedback session is about


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _version(value: Mapping[str, Any]) -> str:
    return f"{value['major']}.{value['minor']}"


async def _remember(tx: ReadModelTransaction, stream_id: str, **context: Any) -> None:
    tx.put(_CONTEXT, stream_id, context)


async def _context(tx: ReadModelTransaction, stream_id: str) -> dict[str, Any]:
    return await tx.get(_CONTEXT, stream_id) or {}


# The read models read the (upcast) payload data rather than decoding typed events: the
# projections only need a few fields, and decoding is most of the cost of a catch-up.


class DocumentsProjection(Projection):
    """One row per document: its latest version, status and last review score."""

    name = "documents"
    event_types = frozenset(
        {
            "DocumentUploaded",
            "DocumentConverted",
            "DocumentReviewed",
            "DocumentRevised",
            "DocumentReuploaded",
            "DocumentExported",
            "ReviewStarted",
            "ReviewCompleted",
        }
    )

    async def apply(self, event: ProjectedEvent, tx: ReadModelTransaction) -> None:
        """Update the document's row."""
        p = event.payload
        if event.event_type == "ReviewStarted":
            await _remember(
                tx,
                event.stream_id,
                document_id=p["document_id"],
                version=_version(p["document_version"]),
            )
            return
        if event.event_type == "ReviewCompleted":
            context = await _context(tx, event.stream_id)
            if "document_id" in context:
                await self._reviewed(
                    tx, context["document_id"], context["version"], event.stream_id, p["score"]
                )
            return
        key = event.stream_id
        # A creating event starts the row: no lookup (a miss costs a round trip to the store).
        created = event.event_type == "DocumentUploaded"
        doc: dict[str, Any] = (
            {"id": key} if created else await tx.get("documents", key) or {"id": key}
        )
        doc["updated_at"] = event.occurred_at_iso
        doc["updated_by"] = event.actor
        match event.event_type:
            case "DocumentUploaded":
                doc.update(
                    title=p["title"],
                    filename=p["filename"],
                    media_type=p["media_type"],
                    size=p["size"],
                    latest_version=_version(p["version"]),
                    status="uploaded",
                    versions=1,
                    last_score=None,
                    last_review_id=None,
                    created_at=event.occurred_at_iso,
                    created_by=event.actor,
                )
                await _index_file(tx, p["sha256"], key, doc["latest_version"])
            case "DocumentConverted":
                doc.update(status="converted", pages=p["page_count"], words=p["word_count"])
            case "DocumentReviewed":  # written by docsense before reviews stopped linking
                doc.update(status="reviewed", last_score=p["score"], last_review_id=p["review_id"])
            case "DocumentRevised":
                doc.update(
                    status="revised",
                    latest_version=_version(p["version"]),
                    versions=int(doc.get("versions", 1)) + 1,
                )
            case "DocumentReuploaded":
                doc.update(
                    status="uploaded",
                    latest_version=_version(p["version"]),
                    filename=p["filename"],
                    media_type=p["media_type"],
                    size=p["size"],
                    versions=int(doc.get("versions", 1)) + 1,
                )
                await _index_file(tx, p["sha256"], key, doc["latest_version"])
            case "DocumentExported":
                doc["exports"] = int(doc.get("exports", 0)) + 1
        tx.put("documents", key, doc)

    @staticmethod
    async def _reviewed(
        tx: ReadModelTransaction, document_id: str, version: str, review_id: str, score: float
    ) -> None:
        doc = await tx.get("documents", document_id)
        if doc is None:
            return
        doc.update(last_score=score, last_review_id=review_id)
        if doc.get("latest_version") == version:
            doc["status"] = "reviewed"
        tx.put("documents", document_id, doc)


async def _index_file(
    tx: ReadModelTransaction, sha256: str, document_id: str, version: str
) -> None:
    """Remember the first document (and version) uploaded from the file ``sha256``."""
    if await tx.get("files", sha256) is None:
        tx.put("files", sha256, {"sha256": sha256, "document_id": document_id, "version": version})


_FEEDBACK_STATUS = {
    "FeedbackSessionOpened": "open",
    "FeedbackApplyStarted": "applying",
    "FeedbackApplyAbandoned": "open",
    "FeedbackApplied": "applied",
}


class ReviewsProjection(Projection):
    """One row per review: document, packs, reviewer, status, score and finding counts."""

    name = "reviews"
    event_types = frozenset(
        {"ReviewStarted", "FindingsRecorded", "ReviewCompleted", "ReviewFailed"}
        | set(_FEEDBACK_STATUS)
    )

    async def apply(self, event: ProjectedEvent, tx: ReadModelTransaction) -> None:
        """Update the review's row."""
        p = event.payload
        if event.event_type in _FEEDBACK_STATUS:
            # A session's stream id is its review's with another prefix.
            review_id = "review-" + event.stream_id.removeprefix("feedback-")
            review = await tx.get("reviews", review_id)
            if review is not None:
                review["feedback"] = _FEEDBACK_STATUS[event.event_type]
                tx.put("reviews", review_id, review)
            return
        key = event.stream_id
        created = event.event_type == "ReviewStarted"
        row: dict[str, Any] = (
            {"id": key} if created else await tx.get("reviews", key) or {"id": key}
        )
        match event.event_type:
            case "ReviewStarted":
                row.update(
                    document_id=p["document_id"],
                    document_version=_version(p["document_version"]),
                    packs=[pack["pack_id"] for pack in p["packs"]],
                    reviewer=p["reviewer"],
                    status="running",
                    findings=0,
                    places=0,
                    below_threshold=0,
                    min_confidence=p["min_confidence"],
                    dropped_ungrounded=0,
                    started_at=event.occurred_at_iso,
                    started_by=event.actor,
                )
            case "FindingsRecorded":
                threshold = float(row.get("min_confidence", 0.0))
                shown = [f for f in p["findings"] if f["confidence"] >= threshold]
                row["findings"] = int(row.get("findings", 0)) + len(shown)
                row["places"] = int(row.get("places", 0)) + sum(
                    len(f["occurrences"]) for f in shown
                )
                row["below_threshold"] = (
                    int(row.get("below_threshold", 0)) + len(p["findings"]) - len(shown)
                )
                row["dropped_ungrounded"] = (
                    int(row.get("dropped_ungrounded", 0)) + p["ungrounded_dropped"]
                )
            case "ReviewCompleted":
                usage = p["usage"]
                row.update(
                    status="completed",
                    score=p["score"],
                    duration_ms=p["duration_ms"],
                    tokens_in=usage["tokens_in"],
                    tokens_out=usage["tokens_out"],
                    cost_estimate=usage["cost_estimate"],
                    finished_at=event.occurred_at_iso,
                )
            case "ReviewFailed":
                row.update(
                    status="failed",
                    failure=p["reason"],
                    retryable=p["retryable"],
                    finished_at=event.occurred_at_iso,
                )
        tx.put("reviews", key, row)


_DECISIONS = {
    "SuggestionAccepted": "accepted",
    "SuggestionRejected": "rejected",
    "SuggestionModified": "modified",
}


class FindingsProjection(Projection):
    """Every finding of every review, with the feedback decision taken on it."""

    name = "findings"
    event_types = frozenset(
        {"ReviewStarted", "FindingsRecorded", "FindingsSuppressed", "FeedbackSessionOpened",
         "FeedbackApplied"}
        | set(_DECISIONS)
    )

    async def apply(self, event: ProjectedEvent, tx: ReadModelTransaction) -> None:
        """Add findings, or record the decision on one."""
        p = event.payload
        match event.event_type:
            case "ReviewStarted":
                await _remember(
                    tx,
                    event.stream_id,
                    document_id=p["document_id"],
                    document_version=_version(p["document_version"]),
                    packs=[pack["pack_id"] for pack in p["packs"]],
                    min_confidence=p["min_confidence"],
                )
            case "FindingsRecorded":
                context = await _context(tx, event.stream_id)
                packs = context.get("packs", [])
                threshold = float(context.get("min_confidence", 0.0))
                for f in p["findings"]:
                    location = f.get("location") or {}
                    severity = str(f["severity"])
                    tx.put(
                        "findings",
                        f"{event.stream_id}:{f['id']}",
                        {
                            "id": f["id"],
                            "review_id": event.stream_id,
                            "document_id": context.get("document_id"),
                            "document_version": context.get("document_version"),
                            "packs": packs,
                            "pack": packs[0] if len(packs) == 1 else None,
                            "policy_id": f["policy_id"],
                            "category": str(f["category"]),
                            "severity": severity,
                            "severity_rank": Severity(severity).rank,
                            "title": f["title"],
                            "quote": f["quote"],
                            "section_id": location.get("section_id"),
                            "start": location.get("start"),
                            "end": location.get("end"),
                            "confidence": f["confidence"],
                            "below_threshold": f["confidence"] < threshold,
                            "places": len(f["occurrences"]),
                            "check": f["check"],
                            "subject": f["subject"],
                            "source": f["source"],
                            "has_replacement": any(
                                o.get("replacement") is not None for o in f["occurrences"]
                            ) or f.get("replacement") is not None,
                            "decision": "pending",
                            "recorded_at": event.occurred_at_iso,
                            "fingerprint": fingerprint(
                                f["policy_id"], f["check"], f["source"],
                                f["subject"] or f["title"], absent=not f["quote"],
                            ),
                        },
                    )
            case "FindingsSuppressed":
                for s in p["suppressions"]:
                    key = f"{event.stream_id}:{s['finding_id']}"
                    row = await tx.get("findings", key)
                    if row is None:
                        continue
                    row.update(
                        decision="suppressed",
                        decided_by=s["rejected_by"],
                        decided_at=event.occurred_at_iso,
                        reason=s["reason"],
                        rejected_in=s["rejected_in"],
                    )
                    tx.put("findings", key, row)
            case "FeedbackSessionOpened":
                await _remember(tx, event.stream_id, review_id=p["review_id"])
            case "SuggestionAccepted" | "SuggestionRejected" | "SuggestionModified":
                review_id = (await _context(tx, event.stream_id)).get("review_id")
                key = f"{review_id}:{p['finding_id']}"
                row = await tx.get("findings", key)
                if row is None:
                    return
                row.update(
                    decision=_DECISIONS[event.event_type],
                    decided_by=event.actor,
                    decided_at=event.occurred_at_iso,
                    reason=p.get("reason"),
                )
                tx.put("findings", key, row)
            case "FeedbackApplied":
                review_id = (await _context(tx, event.stream_id)).get("review_id")
                for finding_id in p["applied_finding_ids"]:
                    key = f"{review_id}:{finding_id}"
                    row = await tx.get("findings", key)
                    if row is not None:
                        row["applied_in_version"] = _version(p["document_version"])
                        tx.put("findings", key, row)


def _score(score: float | None) -> str:
    # A review that assessed no policy has no score (see ReviewCompleted).
    return score_text(score, none="none (nothing assessed)")


_SUMMARIES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "DocumentUploaded": lambda p: (
        f"uploaded {p['filename']} ({p['media_type']}, {p['size']} bytes)"
    ),
    "DocumentConverted": lambda p: (
        f"converted version {_version(p['version'])} with {p['converter']}: "
        f"{len(p['sections'])} sections, {len(p['warnings'])} warnings"
    ),
    "DocumentReviewed": lambda p: (
        f"review {p['review_id']} scored version {_version(p['version'])} {_score(p['score'])}"
    ),
    "DocumentRevised": lambda p: (
        f"revised to version {_version(p['version'])} applying "
        f"{len(p['applied_finding_ids'])} suggestions"
    ),
    "DocumentReuploaded": lambda p: (
        f"re-uploaded as version {_version(p['version'])} ({p['filename']})"
    ),
    "DocumentExported": lambda p: f"exported version {_version(p['version'])} as {p['format']}",
    "ReviewStarted": lambda p: (
        f"review started on {_version(p['document_version'])} "
        f"({', '.join(pack['pack_id'] for pack in p['packs'])}; {p['reviewer']})"
    ),
    "FindingsRecorded": lambda p: (
        f"recorded {len(p['findings'])} findings at "
        f"{sum(len(f['occurrences']) for f in p['findings'])} places "
        f"({p['ungrounded_dropped']} ungrounded dropped)"
    ),
    "FindingsSuppressed": lambda p: "; ".join(
        f"suppressed finding {s['finding_id']} (rejected by {s['rejected_by']} in "
        f"{s['rejected_in']}: {s['reason']})"
        for s in p["suppressions"]
    ),
    "ReviewCompleted": lambda p: f"review completed: score {_score(p['score'])}",
    "ReviewFailed": lambda p: f"review failed: {p['reason']}",
    "FeedbackSessionOpened": lambda p: f"feedback opened on {len(p['items'])} suggestions",
    "SuggestionAccepted": lambda p: f"accepted suggestion {p['finding_id']}",
    "SuggestionRejected": lambda p: f"rejected suggestion {p['finding_id']}: {p['reason']}",
    "SuggestionModified": lambda p: f"modified suggestion {p['finding_id']}",
    "FeedbackApplyStarted": lambda p: (
        f"started applying {len(p['applied_finding_ids'])} suggestions to version "
        f"{_version(p['base_version'])}"
    ),
    "FeedbackApplyAbandoned": lambda p: f"apply abandoned: {p['reason']}",
    "FeedbackApplied": lambda p: (
        f"applied {len(p['applied_finding_ids'])} suggestions as version "
        f"{_version(p['document_version'])}"
    ),
    "PolicyPackCreated": lambda p: f"policy pack {p['pack_key']} {p['version']} created",
}


class AuditLogProjection(Projection):
    """Every event as one audit line: actor, time, type, document and a summary."""

    name = "audit"

    async def apply(self, event: ProjectedEvent, tx: ReadModelTransaction) -> None:
        """Add the event's audit line."""
        p = event.payload
        document_id: str | None
        if event.event_type in ("ReviewStarted", "FeedbackSessionOpened"):
            document_id = p["document_id"]
            await _remember(tx, event.stream_id, document_id=document_id)
        elif event.stream_id.startswith("document-"):
            document_id = event.stream_id
        else:
            document_id = (await _context(tx, event.stream_id)).get("document_id")
        summarise = _SUMMARIES.get(event.event_type)
        tx.put(
            "events",
            event.event_id,
            {
                "event_id": event.event_id,
                "event_type": event.event_type,
                "stream_id": event.stream_id,
                "stream_version": event.stream_version,
                "document_id": document_id,
                "actor": event.actor,
                "correlation_id": event.correlation_id,
                "occurred_at": event.occurred_at_iso,
                "position": event.position,
                "summary": summarise(p) if summarise else event.event_type,
            },
        )


def builtin_projections() -> list[Projection]:
    """Return fresh instances of every built-in projection."""
    return [DocumentsProjection(), ReviewsProjection(), FindingsProjection(), AuditLogProjection()]


# --- queries --------------------------------------------------------------------------------


async def list_documents(
    store: ProjectionStore, *, status: str | None = None, limit: int = 50, offset: int = 0
) -> list[JSONObject]:
    """Return documents, most recently updated first."""
    filters = [Filter("status", "=", status)] if status else []
    return await store.query(
        "documents",
        "documents",
        filters=filters,
        order_by="updated_at",
        descending=True,
        limit=limit,
        offset=offset,
    )


async def document_with_file(store: ProjectionStore, sha256: str) -> JSONObject | None:
    """Return ``{"document_id", "version", "sha256"}`` of the first upload of a file, or None."""
    rows = await store.query("documents", "files", filters=[Filter("sha256", "=", sha256)], limit=1)
    return rows[0] if rows else None


async def list_reviews(
    store: ProjectionStore,
    *,
    document_id: str | None = None,
    status: str | None = None,
    feedback: str | None = None,
    started_before: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[JSONObject]:
    """Return reviews (of one document, or all; by status or feedback status), newest first."""
    filters = [Filter("document_id", "=", document_id)] if document_id else []
    if status:
        filters.append(Filter("status", "=", status))
    if feedback:
        filters.append(Filter("feedback", "=", feedback))
    if started_before:
        filters.append(Filter("started_at", "<", _time(started_before)))
    return await store.query(
        "reviews",
        "reviews",
        filters=filters,
        order_by="started_at",
        descending=True,
        limit=limit,
        offset=offset,
    )


async def find_findings(
    store: ProjectionStore,
    *,
    pack: str | None = None,
    policy: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    min_severity_rank: int | None = None,
    document_id: str | None = None,
    review_id: str | None = None,
    decision: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[JSONObject]:
    """Return findings across documents, most severe first, filtered by any argument."""
    wanted: Sequence[tuple[str, Any]] = [
        ("pack", pack),
        ("policy_id", policy),
        ("category", category),
        ("severity", severity),
        ("document_id", document_id),
        ("review_id", review_id),
        ("decision", decision),
    ]
    filters = [Filter(field, "=", value) for field, value in wanted if value is not None]
    if min_severity_rank is not None:
        filters.append(Filter("severity_rank", ">=", min_severity_rank))
    return await store.query(
        "findings",
        "findings",
        filters=filters,
        order_by="severity_rank",
        descending=True,
        limit=limit,
        offset=offset,
    )


async def audit_log(
    store: ProjectionStore,
    *,
    document_id: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[JSONObject]:
    """Return audit lines in order, filtered by document, actor and time range."""
    filters = []
    if document_id:
        filters.append(Filter("document_id", "=", document_id))
    if actor:
        filters.append(Filter("actor", "=", actor))
    if since:
        filters.append(Filter("occurred_at", ">=", _time(since)))
    if until:
        filters.append(Filter("occurred_at", "<", _time(until)))
    return await store.query(
        "audit", "events", filters=filters, order_by="position", limit=limit, offset=offset
    )
