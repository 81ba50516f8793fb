r"""Frozen, typed views returned by the facade; each renders itself in Jupyter.

Views are snapshots: they never change and hold no connection. Fetch a fresh one from the
facade to see later changes.

In a notebook every view shows itself: ``repr()`` is one line (id, title, counts) and
``_repr_html_`` a table sorted by severity, with policy, section and quote columns; long
content folds into ``<details>``. Lists (``documents()``, ``history()``, ...) are
:class:`RecordList`\ s and tables come out as plain dicts (``to_records()``) or pandas
DataFrames (``to_dataframe()``, with the ``pandas`` extra).
"""

from __future__ import annotations

import enum
import html
import importlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, SupportsIndex, TypeVar, overload

import attrs

from docsense.domain.documents import Document, DocumentVersion, OpenQuestion
from docsense.domain.feedback import FeedbackSession
from docsense.domain.findings import Finding, Occurrence, Severity
from docsense.domain.ir import Section, SemanticIR
from docsense.domain.review import (
    CheckError,
    PolicyOutcome,
    PolicyStatus,
    Suppression,
    Usage,
    score_text,
)
from docsense.errors import InvalidArgument

if TYPE_CHECKING:
    from docsense.application.service import ReviewResult
    from docsense.policies import LoadedPack
    from docsense.review.engine import ReviewOutcome
    from docsense.review.report import ReviewReport

__all__ = [
    "ComparedFinding",
    "ComparisonView",
    "DocumentSummary",
    "DocumentView",
    "FeedbackItemView",
    "FindingSummary",
    "HistoryEntry",
    "RecordList",
    "ReviewSummary",
    "ReviewView",
    "finding_records",
    "findings_html",
]

T = TypeVar("T")

#: Quotes and texts longer than this fold into a ``<details>`` in HTML views.
_FOLD = 120


def _cell(value: object) -> str:
    """One HTML cell's content: escaped, long text folded into ``<details>``."""
    text = "" if value is None else str(value)
    if len(text) <= _FOLD:
        return html.escape(text)
    return (
        f"<details><summary>{html.escape(text[:_FOLD])}…</summary>"
        f"{html.escape(text)}</details>"
    )


def _html_table(rows: Iterable[Sequence[object]], header: Sequence[str]) -> str:
    """Return a table whose long cells fold (``<details>``); every row is kept."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fold(summary: str, content: str, *, open_: bool) -> str:
    return (
        f"<details{' open' if open_ else ''}><summary>{html.escape(summary)}</summary>"
        f"{content}</details>"
    )


def _plain(value: object) -> object:
    """Return a record's value as plain data (enums by value, tuples as lists)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _dataframe(records: Sequence[Mapping[str, Any]], columns: Sequence[str] = ()) -> Any:
    try:
        pd = importlib.import_module("pandas")
    except ImportError:  # pragma: no cover - the test extra installs pandas
        raise InvalidArgument(
            "to_dataframe() needs pandas: pip install 'docsense[pandas]' "
            "(to_records() gives the same rows as plain dicts)"
        ) from None
    return pd.DataFrame.from_records(list(records), columns=list(columns) or None)


class RecordList(list[T]):
    """A list of views that also renders as a table and exports its rows.

    ``to_records()`` returns plain dicts (one per item, the view's fields);
    ``to_dataframe()`` a pandas DataFrame of them (needs the ``pandas`` extra).
    """

    def __init__(self, items: Iterable[T] = (), *, title: str = "") -> None:
        super().__init__(items)
        self.title = title

    @overload
    def __getitem__(self, index: SupportsIndex) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> RecordList[T]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> T | RecordList[T]:
        """Return an item, or a slice as a RecordList."""
        if isinstance(index, slice):
            return RecordList(super().__getitem__(index), title=self.title)
        return super().__getitem__(index)

    def to_records(self) -> list[dict[str, Any]]:
        """Return one plain dict per item."""
        return [_record_of(item) for item in self]

    def to_dataframe(self) -> Any:
        """Return the records as a pandas DataFrame (``pip install 'docsense[pandas]'``)."""
        first: Any = type(self[0]) if self else None
        columns = [a.name for a in attrs.fields(first)] if attrs.has(first) else []
        return _dataframe(self.to_records(), columns)

    def _repr_html_(self) -> str:
        records = self.to_records()
        title = html.escape(self.title or "items")
        if not records:
            return f"<div><b>{title}</b>: none</div>"
        header = list(records[0])
        rows = [[r.get(h) for h in header] for r in records]
        return f"<div><b>{title}</b> ({len(records)}){_html_table(rows, header)}</div>"


def _record_of(item: object) -> dict[str, Any]:
    to_record = getattr(item, "to_record", None)
    if callable(to_record):
        record: dict[str, Any] = to_record()
        return record
    kind: Any = type(item)
    if attrs.has(kind):
        return {a.name: _plain(getattr(item, a.name)) for a in attrs.fields(kind)}
    if isinstance(item, Mapping):
        return dict(item)
    return {"value": item}


def _section(f: Finding) -> str:
    return " > ".join(f.location.path) if f.location is not None else "(absent)"


def finding_records(
    findings: Iterable[Finding], suppressed: Iterable[Suppression] = ()
) -> list[dict[str, Any]]:
    """Return one plain dict per finding: severity, policy, section, title, quote, ...

    ``status`` is ``suppressed`` for findings that carry over an earlier rejection (with
    its ``reason``), else ``open``.
    """
    by_id = {s.finding_id: s for s in suppressed}
    out = []
    for f in findings:
        s = by_id.get(f.id)
        out.append({
            "id": f.id,
            "fingerprint": f.fingerprint,
            "severity": f.severity.value,
            "policy_id": f.policy_id,
            "category": f.category.value,
            "title": f.title,
            "section": _section(f),
            "quote": f.quote,
            "places": len(f.occurrences),
            "confidence": f.confidence,
            "source": f.source,
            "check": f.check,
            "subject": f.subject,
            "replacement": f.replacement,
            "suggested_fix": f.suggested_fix,
            "status": "open" if s is None else "suppressed",
            "suppression_reason": None if s is None else s.reason,
        })
    return out


def findings_html(
    findings: Iterable[Finding], suppressed: Iterable[Suppression] = (), *, title: str = ""
) -> str:
    """Return an HTML table of findings, most severe first: severity, policy, section, quote, ...

    Long quotes and descriptions fold into ``<details>``; every finding is listed.
    """
    by_id = {s.finding_id for s in suppressed}
    ordered = sorted(findings, key=lambda f: f.sort_key)
    rows = [
        (
            f.severity.value + (" (suppressed)" if f.id in by_id else ""),
            f.policy_id,
            _section(f),
            f.title,
            len(f.occurrences),
            f.quote,
            f.description,
        )
        for f in ordered
    ]
    head = f"<b>{html.escape(title)}</b> ({len(rows)})" if title else ""
    table = _html_table(
        rows, ["severity", "policy", "section", "title", "places", "quote", "description"]
    )
    return f"<div>{head}{table}</div>"


def _counts(findings: Sequence[Finding]) -> str:
    by = {sev: 0 for sev in Severity.most_severe_first()}
    for f in findings:
        by[f.severity] += 1
    parts = [f"{n} {sev.value}" for sev, n in by.items() if n]
    return f"{len(findings)} findings" + (f" ({', '.join(parts)})" if parts else "")


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
    open_questions: tuple[OpenQuestion, ...] = ()
    """The ``[[specify: ...]]`` placeholders accepted suggestions left: values still owed."""

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
            open_questions=v.open_questions,
        )

    def __repr__(self) -> str:
        return (
            f"<DocumentView {self.id} {self.title!r} version {self.version} ({self.status}): "
            f"{len(self.sections)} sections, {len(self.markdown)} characters, "
            f"{len(self.open_questions)} open questions>"
        )

    def to_record(self) -> dict[str, Any]:
        """Return the document as one plain dict (no Markdown or IR)."""
        return {
            "id": self.id, "title": self.title, "version": self.version,
            "versions": list(self.versions), "status": self.status,
            "filename": self.filename, "sections": len(self.sections),
            "characters": len(self.markdown), "open_questions": len(self.open_questions),
            "created_at": self.created_at, "updated_at": self.updated_at,
        }

    def _repr_html_(self) -> str:
        rows = [
            (s.id, "\u00a0\u00a0" * (s.level - 1) + s.heading, s.page) for s in self.sections
        ]
        sections = _fold(
            f"{len(rows)} sections", _html_table(rows, ["section", "heading", "page"]),
            open_=len(rows) <= 50,
        )
        questions = ""
        if self.open_questions:
            qrows = [(" > ".join(q.path), q.question) for q in self.open_questions]
            questions = _fold(
                f"{len(qrows)} open questions", _html_table(qrows, ["section", "question"]),
                open_=True,
            )
        return (
            f"<div><b>{html.escape(self.title)}</b> &middot; version {html.escape(self.version)}"
            f" of {', '.join(html.escape(v) for v in self.versions)}"
            f" &middot; {html.escape(self.status)} &middot; <code>{html.escape(self.id)}</code>"
            f"{sections}{questions}</div>"
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
    suppressed: tuple[Suppression, ...] = ()
    """Findings that carry over a rejection made in an earlier review (not new work)."""
    decisions: tuple[FeedbackItemView, ...] = ()
    """The feedback items with their decisions when the view was fetched."""
    check_errors: tuple[CheckError, ...] = ()
    """Checks and reviewers that raised during the review (the others still ran)."""

    @property
    def open_findings(self) -> tuple[Finding, ...]:
        """The findings (at or above the threshold) that are not suppressed."""
        done = {s.finding_id for s in self.suppressed}
        return tuple(f for f in self.findings if f.id not in done)

    @property
    def score_text(self) -> str:
        """The score as every report shows it (``"59.1 / 100"``, or ``"none"``)."""
        return score_text(self.score)

    def __repr__(self) -> str:
        return (
            f"<ReviewView {self.id} of {self.document_id} {self.document_version} "
            f"({self.status}): score {self.score_text}, {_counts(self.findings)}, "
            f"{len(self.suppressed)} suppressed, {self.below_threshold} below threshold>"
        )

    def to_records(self, kind: str = "findings") -> list[dict[str, Any]]:
        """Return the review as plain dicts, one per row.

        ``kind`` is ``findings`` (one row per finding at or above the threshold),
        ``occurrences`` (one per place of each finding) or ``decisions`` (one per feedback
        item, with its decision when the view was fetched).
        """
        if kind == "findings":
            rows = finding_records(self.findings, self.suppressed)
        elif kind == "occurrences":
            rows = [
                {
                    "finding_id": f.id, "fingerprint": f.fingerprint, "n": n,
                    "severity": f.severity.value, "policy_id": f.policy_id,
                    "section": " > ".join(o.location.path), "start": o.location.start,
                    "end": o.location.end, "page": o.location.page, "quote": o.quote,
                    "replacement": o.replacement,
                }
                for f in self.findings
                for n, o in enumerate(f.occurrences, 1)
            ]
        elif kind == "decisions":
            rows = [
                {
                    "finding_id": d.finding_id, "decision": d.decision, "reason": d.reason,
                    "text": d.text, "decided_by": d.decided_by, "quote": d.quote,
                    "replacement": d.replacement, "places": d.places,
                }
                for d in self.decisions
            ]
        else:
            raise InvalidArgument(
                f"unknown record kind {kind!r}: use findings, occurrences or decisions"
            )
        return [{"review_id": self.id, **r} for r in rows]

    def to_dataframe(self, kind: str = "findings") -> Any:
        """Return :meth:`to_records` as a pandas DataFrame (``pip install 'docsense[pandas]'``)."""
        return _dataframe(self.to_records(kind))

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
            suppressed=state.suppressed,
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
        hidden = (
            f" ({self.below_threshold} below the confidence threshold "
            f"{self.min_confidence:.2f} not shown)"
            if self.below_threshold
            else ""
        )
        policies = _html_table(
            [(p.policy_id, p.status.value, p.reason.value if p.reason else "", p.detail)
             for p in self.policies],
            ["policy", "status", "reason", "detail"],
        )
        return (
            f"<div><b>Review</b> <code>{html.escape(self.id)}</code> of "
            f"<code>{html.escape(self.document_id)}</code> {html.escape(self.document_version)}"
            f" &middot; score {html.escape(self.score_text)} &middot; "
            f"{html.escape(_counts(self.findings))} at {self.places} places{hidden}"
            f" &middot; {len(self.suppressed)} suppressed &middot; {html.escape(self.reviewer)}"
            f"{findings_html(self.findings, self.suppressed)}"
            f"{_fold(f'{len(self.policies)} policies', policies, open_=False)}</div>"
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
    decided_by: str | None = None
    """Who took the current decision (None while pending)."""

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
                decided_by=i.decided_by,
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
    fingerprint: str = ""
    """What the finding is about (see :attr:`docsense.domain.findings.Finding.fingerprint`)."""
    section_id: str | None = None
    reason: str | None = None
    """Why it was rejected or suppressed (None otherwise)."""

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
            fingerprint=row.get("fingerprint") or "",
            section_id=row.get("section_id"),
            reason=row.get("reason"),
        )


@attrs.frozen
class ComparedFinding:
    """One finding in a comparison of two reviews, matched by fingerprint.

    ``status`` is ``resolved`` (only in the earlier review), ``persisting`` (in both),
    ``new`` (only in the later one) or ``suppressed`` (in the later one, carrying over a
    rejection: not new work). ``before``/``after`` are the finding in each review.
    """

    fingerprint: str
    status: str
    before: Finding | None
    after: Finding | None
    suppression: Suppression | None = None

    @property
    def finding(self) -> Finding:
        """The finding as the later review has it (the earlier one's if resolved)."""
        found = self.after or self.before
        assert found is not None
        return found

    def to_record(self) -> dict[str, Any]:
        """Return the comparison row as a plain dict."""
        f = self.finding
        return {
            "status": self.status,
            "fingerprint": self.fingerprint,
            "severity": f.severity.value,
            "policy_id": f.policy_id,
            "title": f.title,
            "section": _section(f),
            "quote": f.quote,
            "places_before": len(self.before.occurrences) if self.before else 0,
            "places_after": len(self.after.occurrences) if self.after else 0,
            "id_before": self.before.id if self.before else None,
            "id_after": self.after.id if self.after else None,
            "suppression_reason": self.suppression.reason if self.suppression else None,
            "rejected_by": self.suppression.rejected_by if self.suppression else None,
        }


_STATUSES = ("new", "persisting", "suppressed", "resolved")


@attrs.frozen
class ComparisonView:
    """What changed between two reviews: findings resolved, persisting, new and suppressed.

    Findings are matched by fingerprint (what they are about), so edits elsewhere, places
    added or removed and a re-ingest do not make a finding look new. Built by
    ``ds.compare(earlier, later)``.
    """

    base_review_id: str
    review_id: str
    document_id: str
    base_version: str
    version: str
    base_score: float | None
    score: float | None
    resolved: tuple[ComparedFinding, ...]
    persisting: tuple[ComparedFinding, ...]
    new: tuple[ComparedFinding, ...]
    suppressed: tuple[ComparedFinding, ...]

    @classmethod
    def between(cls, before: ReviewView, after: ReviewView) -> ComparisonView:
        """Compare ``before`` with ``after`` (findings at or above each one's threshold)."""
        old = {f.fingerprint: f for f in before.findings}
        new = {f.fingerprint: f for f in after.findings}
        held = {s.finding_id: s for s in after.suppressed}

        def row(fp: str) -> ComparedFinding:
            b, a = old.get(fp), new.get(fp)
            s = held.get(a.id) if a is not None else None
            status = (
                "resolved" if a is None
                else "suppressed" if s is not None
                else "persisting" if b is not None
                else "new"
            )
            return ComparedFinding(fp, status, b, a, s)

        rows = [row(fp) for fp in [*new, *(fp for fp in old if fp not in new)]]
        rows.sort(key=lambda r: r.finding.sort_key)

        def pick(status: str) -> tuple[ComparedFinding, ...]:
            return tuple(r for r in rows if r.status == status)

        return cls(
            base_review_id=before.id,
            review_id=after.id,
            document_id=after.document_id,
            base_version=before.document_version,
            version=after.document_version,
            base_score=before.score,
            score=after.score,
            resolved=pick("resolved"),
            persisting=pick("persisting"),
            new=pick("new"),
            suppressed=pick("suppressed"),
        )

    @property
    def rows(self) -> tuple[ComparedFinding, ...]:
        """Every compared finding: new, persisting, suppressed, then resolved."""
        return (*self.new, *self.persisting, *self.suppressed, *self.resolved)

    def counts(self) -> dict[str, int]:
        """How many findings have each status."""
        return {s: len(getattr(self, s)) for s in _STATUSES}

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"<ComparisonView {self.base_review_id} ({self.base_version}) -> {self.review_id} "
            f"({self.version}): {c['resolved']} resolved, {c['persisting']} persisting, "
            f"{c['new']} new, {c['suppressed']} suppressed>"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one plain dict per compared finding (``status`` says which list)."""
        return [r.to_record() for r in self.rows]

    def to_dataframe(self) -> Any:
        """Return :meth:`to_records` as a pandas DataFrame (``pip install 'docsense[pandas]'``)."""
        return _dataframe(self.to_records())

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as JSON-ready data."""
        return {
            "base_review_id": self.base_review_id,
            "review_id": self.review_id,
            "document_id": self.document_id,
            "base_version": self.base_version,
            "version": self.version,
            "base_score": self.base_score,
            "score": self.score,
            "counts": self.counts(),
            **{s: [r.to_record() for r in getattr(self, s)] for s in _STATUSES},
        }

    def _heading(self) -> str:
        return (
            f"Comparison of review {self.base_review_id} (version {self.base_version}, score "
            f"{score_text(self.base_score)}) with {self.review_id} (version {self.version}, "
            f"score {score_text(self.score)})"
        )

    def to_markdown(self) -> str:
        """Return the comparison as Markdown: a summary line and one table per status."""
        c = self.counts()
        lines = [
            f"**{self._heading()}**",
            "",
            f"{c['resolved']} resolved, {c['persisting']} persisting, {c['new']} new, "
            f"{c['suppressed']} suppressed.",
        ]
        for status in _STATUSES:
            group = getattr(self, status)
            if not group:
                continue
            lines += ["", f"### {status.capitalize()} ({len(group)})", "",
                      "| severity | policy | section | title | quote |", "|---|---|---|---|---|"]
            for r in group:
                f = r.finding
                cells = [f.severity.value, f.policy_id, _section(f), f.title,
                         " ".join(f.quote.split())[:_FOLD]]
                lines.append("| " + " | ".join(_md_cell(x) for x in cells) + " |")
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        parts = [f"<div><b>{html.escape(self._heading())}</b>"]
        for status in _STATUSES:
            group = getattr(self, status)
            rows = [
                (r.finding.severity.value, r.finding.policy_id, _section(r.finding),
                 r.finding.title, r.finding.quote,
                 r.suppression.reason if r.suppression else "")
                for r in group
            ]
            table = _html_table(rows, ["severity", "policy", "section", "title", "quote", "why"])
            parts.append(_fold(f"{status} ({len(rows)})", table, open_=status != "resolved"))
        parts.append("</div>")
        return "".join(parts)


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
