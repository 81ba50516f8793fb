"""Frozen, typed views returned by the facade; each renders itself in Jupyter.

Views are snapshots: they never change and hold no connection. Fetch a fresh one from the
facade to see later changes.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from docsense.domain.documents import Document, DocumentVersion
from docsense.domain.feedback import FeedbackSession
from docsense.domain.findings import Finding
from docsense.domain.ir import Section, SemanticIR
from docsense.domain.review import PolicyOutcome, PolicyStatus, Usage

if TYPE_CHECKING:
    from docsense.application.service import ReviewResult
    from docsense.policies import LoadedPack
    from docsense.review.report import ReviewReport

__all__ = [
    "DocumentSummary",
    "DocumentView",
    "FeedbackItemView",
    "FindingSummary",
    "HistoryEntry",
    "ReviewSummary",
    "ReviewView",
]


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@attrs.frozen
class DocumentView:
    """One version of a document: its Markdown, sections, IR and where it came from."""

    id: str
    title: str
    version: str
    versions: tuple[str, ...]
    status: str
    filename: str | None
    media_type: str | None
    markdown: str
    sections: tuple[Section, ...]
    ir: SemanticIR | None
    warnings: tuple[str, ...]
    diff: str | None
    """The unified diff against the version this one was revised from (revisions only)."""
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, doc: Document, version: DocumentVersion | None = None) -> DocumentView:
        """Build the view of ``version`` (default: current) of a Document aggregate."""
        state = doc.state
        v = version or state.current
        return cls(
            id=doc.id,
            title=state.title,
            version=v.label,
            versions=tuple(x.label for x in state.versions),
            status=str(state.status),
            filename=v.source.filename if v.source else None,
            media_type=v.source.media_type if v.source else None,
            markdown=v.markdown or "",
            sections=tuple(v.sections),
            ir=v.ir,
            warnings=tuple(v.conversion_warnings),
            diff=v.diff or None,
            created_at=state.created_at,
            updated_at=state.updated_at,
        )

    def _repr_html_(self) -> str:
        rows = [(s.id, "  " * (s.level - 1) + s.heading, s.page) for s in self.sections[:50]]
        return (
            f"<div><b>{html.escape(self.title)}</b> &middot; version {html.escape(self.version)}"
            f" &middot; {html.escape(self.status)} &middot; <code>{html.escape(self.id)}</code>"
            f"{_table(rows, ['section', 'heading', 'page'])}</div>"
        )


@attrs.frozen
class ReviewView:
    """A review: score, findings, per-policy outcomes, usage; renders to every report format."""

    id: str
    document_id: str
    document_version: str
    reviewer: str
    status: str
    score: float | None
    findings: tuple[Finding, ...]
    policies: tuple[PolicyOutcome, ...]
    usage: Usage
    duration_ms: int | None
    warnings: tuple[str, ...]
    report: ReviewReport | None = attrs.field(repr=False, eq=False)
    markdown: str = attrs.field(default="", repr=False, eq=False)
    packs: tuple[LoadedPack, ...] = attrs.field(default=(), repr=False, eq=False)

    @classmethod
    def of(cls, result: ReviewResult) -> ReviewView:
        """Build the view of a review result."""
        from docsense.review.report import build_report

        state = result.review.state
        outcome = result.outcome
        return cls(
            id=result.review.id,
            document_id=state.document_id,
            document_version=str(state.document_version),
            reviewer=state.reviewer,
            status=str(state.status),
            score=state.score,
            findings=state.findings,
            policies=state.policy_statuses,
            usage=state.usage,
            duration_ms=state.duration_ms,
            warnings=state.warnings,
            report=build_report(outcome) if outcome is not None else None,
            markdown=outcome.document.markdown if outcome is not None else "",
            packs=result.packs,
        )

    @property
    def not_assessed(self) -> tuple[PolicyOutcome, ...]:
        """The policies that were not assessed, each with its reason (refused, blocked...)."""
        return tuple(p for p in self.policies if p.status is PolicyStatus.NOT_ASSESSED)

    @property
    def assessed_nothing(self) -> bool:
        """True when the review assessed no policy (it then has no score)."""
        return bool(self.policies) and len(self.not_assessed) == len(self.policies)

    def render(self, fmt: str) -> str:
        """Render the review as ``md``, ``html``, ``json`` or ``sarif``."""
        from docsense.errors import ReviewError
        from docsense.reports import render

        if self.report is None:
            raise ReviewError(f"review {self.id} has not completed ({self.status}); no report")
        rendered: str = render(self.report, fmt, markdown=self.markdown, packs=self.packs)
        return rendered

    def to_markdown(self) -> str:
        """Return the Markdown report."""
        return self.render("md")

    def to_html(self) -> str:
        """Return the self-contained HTML report."""
        return self.render("html")

    def to_json(self) -> str:
        """Return the ``docsense.review/1`` JSON report."""
        return self.render("json")

    def to_sarif(self) -> str:
        """Return the SARIF 2.1.0 log."""
        return self.render("sarif")

    def _repr_html_(self) -> str:
        rows = [
            (f.severity, f.category, f.title, f.quote if len(f.quote) <= 80 else f.quote[:80] + "…")
            for f in self.findings
        ]
        score = "n/a" if self.score is None else f"{self.score:.2f}"
        return (
            f"<div><b>Review</b> <code>{html.escape(self.id)}</code> &middot; score "
            f"{score} &middot; {len(self.findings)} findings &middot; "
            f"{html.escape(self.reviewer)}"
            f"{_table(rows, ['severity', 'category', 'title', 'quote'])}</div>"
        )


@attrs.frozen
class FeedbackItemView:
    """A suggestion and the decision taken on it."""

    finding_id: str
    quote: str
    replacement: str | None
    suggested_fix: str
    decision: str
    reason: str | None
    text: str | None

    @property
    def can_accept(self) -> bool:
        """Only a suggestion with a replacement can be accepted; others: modify or reject."""
        return self.replacement is not None

    @classmethod
    def items_of(cls, session: FeedbackSession) -> tuple[FeedbackItemView, ...]:
        """Return the views of a session's items, in document order."""
        return tuple(
            cls(
                finding_id=i.item.finding_id,
                quote=i.item.quote,
                replacement=i.item.replacement,
                suggested_fix=i.item.suggested_fix,
                decision=str(i.decision),
                reason=i.reason,
                text=i.text,
            )
            for i in session.state.items
        )


@attrs.frozen
class HistoryEntry:
    """One event in a document's audit trail."""

    event_id: str
    event_type: str
    actor: str
    occurred_at: datetime
    summary: str
    stream_id: str
    correlation_id: str | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> HistoryEntry:
        """Build from an audit read-model row."""
        return cls(
            event_id=row["event_id"],
            event_type=row["event_type"],
            actor=row["actor"],
            occurred_at=datetime.fromisoformat(row["occurred_at"]),
            summary=row["summary"],
            stream_id=row["stream_id"],
            correlation_id=row.get("correlation_id"),
        )


@attrs.frozen
class DocumentSummary:
    """A row of the documents list."""

    id: str
    title: str
    latest_version: str
    status: str
    last_score: float | None
    updated_at: datetime

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> DocumentSummary:
        """Build from a documents read-model row."""
        return cls(
            id=row["id"],
            title=row.get("title", ""),
            latest_version=row.get("latest_version", ""),
            status=row.get("status", ""),
            last_score=row.get("last_score"),
            updated_at=datetime.fromisoformat(row["updated_at"]),
        )


@attrs.frozen
class ReviewSummary:
    """A row of the reviews list."""

    id: str
    document_id: str
    document_version: str
    reviewer: str
    status: str
    score: float | None
    findings: int

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> ReviewSummary:
        """Build from a reviews read-model row."""
        return cls(
            id=row["id"],
            document_id=row.get("document_id", ""),
            document_version=row.get("document_version", ""),
            reviewer=row.get("reviewer", ""),
            status=row.get("status", ""),
            score=row.get("score"),
            findings=int(row.get("findings", 0)),
        )


@attrs.frozen
class FindingSummary:
    """A finding from the cross-document findings read model, with its feedback decision."""

    id: str
    review_id: str
    document_id: str | None
    policy_id: str
    category: str
    severity: str
    title: str
    quote: str
    decision: str
    pack: str | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> FindingSummary:
        """Build from a findings read-model row."""
        return cls(
            id=row["id"],
            review_id=row["review_id"],
            document_id=row.get("document_id"),
            policy_id=row["policy_id"],
            category=row["category"],
            severity=row["severity"],
            title=row["title"],
            quote=row.get("quote", ""),
            decision=row.get("decision", "pending"),
            pack=row.get("pack"),
        )
