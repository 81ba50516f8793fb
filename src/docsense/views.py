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
from docsense.domain.findings import Finding, Occurrence
from docsense.domain.ir import Section, SemanticIR
from docsense.domain.review import CheckError, PolicyOutcome, PolicyStatus, Usage

if TYPE_CHECKING:
    from docsense.application.service import ReviewResult
    from docsense.policies import LoadedPack
    from docsense.review.engine import ReviewOutcome
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
    """A review: score, findings, per-policy outcomes, usage; renders to every report format.

    ``findings`` are the finding groups at or above the review's confidence threshold
    (``min_confidence``), most severe first; ``all_findings`` every group recorded, including
    the ``below_threshold`` ones. Each finding lists its places in ``occurrences``.
    ``check_errors`` are the checks and reviewers that raised (the others still ran).
    """

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
    min_confidence: float = 0.0
    all_findings: tuple[Finding, ...] = attrs.field(
        default=attrs.Factory(lambda self: self.findings, takes_self=True)
    )
    outcome: ReviewOutcome | None = attrs.field(default=None, repr=False, eq=False)
    check_errors: tuple[CheckError, ...] = ()

    @property
    def below_threshold(self) -> int:
        """How many findings are below the confidence threshold (in ``all_findings`` only)."""
        return len(self.all_findings) - len(self.findings)

    @property
    def places(self) -> int:
        """How many places the findings (at or above the threshold) have in all."""
        return sum(len(f.occurrences) for f in self.findings)

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
            all_findings=state.all_findings,
            min_confidence=state.min_confidence,
            policies=state.policy_statuses,
            usage=state.usage,
            duration_ms=state.duration_ms,
            warnings=state.warnings,
            report=build_report(outcome) if outcome is not None else None,
            markdown=outcome.document.markdown if outcome is not None else "",
            packs=result.packs,
            outcome=outcome,
            check_errors=state.check_errors,
        )

    @property
    def not_assessed(self) -> tuple[PolicyOutcome, ...]:
        """The policies that were not assessed, each with its reason (refused, blocked...)."""
        return tuple(p for p in self.policies if p.status is PolicyStatus.NOT_ASSESSED)

    @property
    def assessed_nothing(self) -> bool:
        """True when the review assessed no policy (it then has no score)."""
        return bool(self.policies) and len(self.not_assessed) == len(self.policies)

    def report_for(
        self, *, include_all: bool = False, min_confidence: float | None = None
    ) -> ReviewReport:
        """Return the report of the review, with every finding or at another threshold.

        ``include_all=True`` lists the findings below the threshold too (marked);
        ``min_confidence`` reports at another threshold (findings, statuses and score
        computed again). Raises ReviewError if the review has not completed.
        """
        from docsense.errors import ReviewError
        from docsense.review.report import build_report

        if self.report is None or self.outcome is None:
            raise ReviewError(f"review {self.id} has not completed ({self.status}); no report")
        if not include_all and min_confidence is None:
            return self.report
        return build_report(self.outcome, include_all=include_all, min_confidence=min_confidence)

    def render(
        self, fmt: str, *, include_all: bool = False, min_confidence: float | None = None
    ) -> str:
        """Render the review as ``md``, ``html``, ``json`` or ``sarif``.

        By default the report shows the findings at or above the review's confidence
        threshold and says how many are below it; ``include_all=True`` shows those too and
        ``min_confidence`` reports at another threshold.
        """
        from docsense.reports import render

        report = self.report_for(include_all=include_all, min_confidence=min_confidence)
        rendered: str = render(report, fmt, markdown=self.markdown, packs=self.packs)
        return rendered

    def to_markdown(self, *, include_all: bool = False, min_confidence: float | None = None) -> str:
        """Return the Markdown report (options as for :meth:`render`)."""
        return self.render("md", include_all=include_all, min_confidence=min_confidence)

    def to_html(self, *, include_all: bool = False, min_confidence: float | None = None) -> str:
        """Return the self-contained HTML report (options as for :meth:`render`)."""
        return self.render("html", include_all=include_all, min_confidence=min_confidence)

    def to_json(self, *, include_all: bool = False, min_confidence: float | None = None) -> str:
        """Return the ``docsense.review/2`` JSON report (options as for :meth:`render`)."""
        return self.render("json", include_all=include_all, min_confidence=min_confidence)

    def to_sarif(self, *, include_all: bool = False, min_confidence: float | None = None) -> str:
        """Return the SARIF 2.1.0 log (options as for :meth:`render`)."""
        return self.render("sarif", include_all=include_all, min_confidence=min_confidence)

    def _repr_html_(self) -> str:
        rows = [
            (f.severity, f.category, f.title, len(f.occurrences),
             f.quote if len(f.quote) <= 80 else f.quote[:80] + "…")
            for f in self.findings
        ]
        score = "n/a" if self.score is None else f"{self.score:.2f}"
        hidden = (
            f" ({self.below_threshold} below the confidence threshold "
            f"{self.min_confidence:.2f} not shown)"
            if self.below_threshold
            else ""
        )
        return (
            f"<div><b>Review</b> <code>{html.escape(self.id)}</code> &middot; score "
            f"{score} &middot; {len(self.findings)} findings at {self.places} places{hidden}"
            f" &middot; {html.escape(self.reviewer)}"
            f"{_table(rows, ['severity', 'category', 'title', 'places', 'first quote'])}</div>"
        )


@attrs.frozen
class FeedbackItemView:
    """A suggestion and the decision taken on it.

    ``quote`` and ``replacement`` are those of the finding's first place; ``occurrences``
    lists every place (a decision applies to all of them, see :mod:`docsense.domain.feedback`).
    """

    finding_id: str
    quote: str
    replacement: str | None
    suggested_fix: str
    decision: str
    reason: str | None
    text: str | None
    occurrences: tuple[Occurrence, ...] = ()

    @property
    def places(self) -> int:
        """How many places the suggestion covers."""
        return max(1, len(self.occurrences))

    @property
    def can_accept(self) -> bool:
        """Only a suggestion with a replacement (at some place) can be accepted."""
        return self.replacement is not None or any(
            o.replacement is not None for o in self.occurrences
        )

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
                occurrences=i.item.occurrences,
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
    """A row of the reviews list.

    ``findings`` counts the finding groups at or above the review's confidence threshold,
    ``places`` their places and ``below_threshold`` the groups below it.
    """

    id: str
    document_id: str
    document_version: str
    reviewer: str
    status: str
    score: float | None
    findings: int
    places: int = 0
    below_threshold: int = 0

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
            places=int(row.get("places", row.get("findings", 0))),
            below_threshold=int(row.get("below_threshold", 0)),
        )


@attrs.frozen
class FindingSummary:
    """A finding from the cross-document findings read model, with its feedback decision.

    ``quote`` is its first place's; ``places`` counts them. ``below_threshold`` says the
    finding is below its review's confidence threshold (recorded, not shown by default).
    """

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
    places: int = 1
    below_threshold: bool = False

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
            places=int(row.get("places", 1)),
            below_threshold=bool(row.get("below_threshold", False)),
        )
