"""Built-in read models, fed by real aggregates through the repository, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from docsense.application.projections import ProjectionRunner
from docsense.application.read_models import (
    audit_log,
    builtin_projections,
    find_findings,
    list_documents,
    list_reviews,
)
from docsense.application.repository import Repository
from docsense.domain.documents import Document, VersionNumber
from docsense.domain.events import CommandContext, EventMetadata
from docsense.domain.feedback import FeedbackSession
from docsense.domain.findings import Category, Finding, FindingLocation, Severity
from docsense.domain.ir import SemanticIR
from docsense.domain.review import PackRef, PolicyStatus, Review, Usage
from docsense.ports import Storage
from docsense.testing.strategies import deterministic_context

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MARKDOWN = "# Rules\n\nThe cap is set by the committee.\n\nRebalance on business days.\n"


def _as(ctx: CommandContext, actor: str) -> CommandContext:
    return CommandContext(ctx.now, ctx.new_id, EventMetadata(actor=actor, correlation_id="op-1"))


def _finding(n: int, category: Category, severity: Severity, quote: str) -> Finding:
    start = MARKDOWN.index(quote)
    return Finding(
        id=f"f-{n}",
        policy_id=f"SC-00{n}",
        category=category,
        severity=severity,
        title=f"finding {n}",
        description="d",
        quote=quote,
        location=FindingLocation(start=start, end=start + len(quote)),
        suggested_fix="fix it",
        replacement=quote.replace("the committee", "[[specify: cap, with unit]]"),
        confidence=0.9,
        source="rules",
    )


async def _history(storage: Storage) -> dict[str, str]:
    repo = Repository(storage, storage)
    ctx = deterministic_context(start=T0, tick=timedelta(minutes=1))
    alice, bob = _as(ctx, "alice"), _as(ctx, "bob")

    doc = Document.upload(
        alice,
        filename="rules.md",
        media_type="text/markdown",
        size=len(MARKDOWN),
        sha256="b" * 64,
        title="Rules",
    )
    doc.convert(alice, markdown=MARKDOWN, sections=(), ir=SemanticIR(), converter="markdown")
    other = Document.upload(
        bob,
        filename="other.md",
        media_type="text/markdown",
        size=5,
        sha256="c" * 64,
        title="Other",
    )
    await repo.save(doc)
    await repo.save(other)

    review = Review.start(
        alice,
        document_id=doc.id,
        document_version=VersionNumber(1, 0),
        packs=[PackRef("policypack-sc", "1")],
        reviewer="rules",
    )
    findings = [
        _finding(
            1, Category.UNDEFINED_PARAMETER, Severity.HIGH, "The cap is set by the committee."
        ),
        _finding(2, Category.MARKET_CALENDAR, Severity.MEDIUM, "Rebalance on business days."),
    ]
    review.record_findings(alice, findings)
    review.complete(
        alice,
        score=0.5,
        policy_statuses={"SC-001": PolicyStatus.VIOLATED, "SC-002": PolicyStatus.VIOLATED},
        usage=Usage(),
        duration_ms=12,
    )
    await repo.save(review)
    doc.record_review(alice, review_id=review.id, score=0.5)
    await repo.save(doc)

    session = FeedbackSession.open(
        bob,
        review_id=review.id,
        document_id=doc.id,
        document_version=VersionNumber(1, 0),
        findings=findings,
    )
    session.accept(bob, "f-1")
    session.reject(bob, "f-2", reason="we use the exchange calendar, named elsewhere")
    await repo.save(session)
    return {"doc": doc.id, "other": other.id, "review": review.id, "session": session.id}


async def test_read_models_answer_the_facade_queries(storage: Storage) -> None:
    ids = await _history(storage)
    runner = ProjectionRunner(storage, storage.projections, builtin_projections(), batch_size=4)
    await runner.catch_up()
    projections = storage.projections

    docs = await list_documents(projections)
    assert [d["id"] for d in docs] == [ids["doc"], ids["other"]]  # most recently updated first
    rules = docs[0]
    assert (rules["status"], rules["last_score"], rules["last_review_id"]) == (
        "reviewed",
        0.5,
        ids["review"],
    )
    assert rules["latest_version"] == "1.0"
    assert [d["id"] for d in await list_documents(projections, status="uploaded")] == [ids["other"]]

    [review] = await list_reviews(projections, document_id=ids["doc"])
    assert (review["status"], review["score"], review["findings"]) == ("completed", 0.5, 2)

    found = await find_findings(projections, document_id=ids["doc"])
    assert [f["id"] for f in found] == ["f-1", "f-2"]  # most severe first
    assert {f["id"]: f["decision"] for f in found} == {"f-1": "accepted", "f-2": "rejected"}
    assert [f["id"] for f in await find_findings(projections, category="market_calendar")] == [
        "f-2"
    ]
    assert [f["id"] for f in await find_findings(projections, severity="high")] == ["f-1"]
    assert [f["id"] for f in await find_findings(projections, policy="SC-002")] == ["f-2"]
    assert len(await find_findings(projections, pack="policypack-sc")) == 2
    assert await find_findings(projections, pack="policypack-other") == []
    assert [f["id"] for f in await find_findings(projections, min_severity_rank=3)] == ["f-1"]
    assert len(await find_findings(projections, limit=1, offset=1)) == 1

    trail = await audit_log(projections, document_id=ids["doc"])
    assert [line["event_type"] for line in trail] == [
        "DocumentUploaded",
        "DocumentConverted",
        "ReviewStarted",
        "FindingsRecorded",
        "ReviewCompleted",
        "DocumentReviewed",
        "FeedbackSessionOpened",
        "SuggestionAccepted",
        "SuggestionRejected",
    ]
    assert {line["actor"] for line in trail} == {"alice", "bob"}
    assert "rejected suggestion f-2: we use the exchange calendar" in trail[-1]["summary"]
    by_bob = await audit_log(projections, actor="bob")
    assert [line["event_type"] for line in by_bob][:2] == [
        "DocumentUploaded",
        "FeedbackSessionOpened",
    ]
    window = await audit_log(
        projections, since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4)
    )
    assert all(
        T0 + timedelta(minutes=2)
        <= datetime.fromisoformat(line["occurred_at"])
        < T0 + timedelta(minutes=4)
        for line in window
    )
    assert len(window) == 2

    for status in await runner.status():
        assert (status.lag, status.dead_letters) == (0, 0)
