"""Hypothesis strategies for the domain: value objects, and aggregates built by valid commands.

Each aggregate strategy (:func:`documents`, :func:`policy_packs`, :func:`reviews`,
:func:`feedback_sessions`, or :func:`aggregates` for any of them) starts from the creating
command and then draws a random sequence of commands that are valid in the state reached so
far. The aggregate comes back with every event still in ``pending_events``, so a test can
replay, store, snapshot or serialise them::

    from hypothesis import given
    from docsense.testing.strategies import documents

    @given(documents())
    def test_replay(doc):
        fresh = Document(doc.id)
        fresh.replay(doc.pending_events)
        assert fresh.state == doc.state

Text avoids control characters (and so NUL, which PostgreSQL JSONB refuses) but is otherwise
Unicode. Needs ``hypothesis`` (``pip install 'docsense[testing]'``).
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from docsense.domain.aggregate import Aggregate
from docsense.domain.documents import Document, VersionNumber
from docsense.domain.events import CommandContext, EventMetadata
from docsense.domain.feedback import Decision, FeedbackSession
from docsense.domain.findings import Category, Finding, FindingLocation, Severity
from docsense.domain.ir import Section, SemanticIR, SourceAnchor
from docsense.domain.policies import Check, CheckKind, Policy, PolicyPack, RequirementLevel
from docsense.domain.review import (
    NotAssessedReason,
    PackRef,
    PolicyOutcome,
    PolicyStatus,
    Review,
    Usage,
)

__all__ = [
    "aggregates",
    "checks",
    "deterministic_context",
    "documents",
    "feedback_sessions",
    "finding_locations",
    "findings",
    "policies",
    "policy_packs",
    "reviews",
    "section_lists",
    "semantic_irs",
    "usages",
    "version_numbers",
]

FIXED_TIME = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def deterministic_context(
    *,
    start: datetime = FIXED_TIME,
    tick: timedelta = timedelta(0),
    actor: str = "tester",
    id_prefix: int = 0,
) -> CommandContext:
    """Return a CommandContext with a fake clock and counter-based UUID ids.

    The clock returns ``start``, then ``start + tick``, ``start + 2 * tick``...; ids are
    ``00000000-0000-0000-0000-000000000001`` and so on (``id_prefix`` sets the high bits so
    several contexts never share ids).
    """
    counter = itertools.count(1)
    ticks = itertools.count(0)
    return CommandContext(
        now=lambda: start + tick * next(ticks),
        new_id=lambda: str(uuid.UUID(int=(id_prefix << 64) + next(counter))),
        metadata=EventMetadata(actor=actor, correlation_id="corr-1"),
    )


_TEXT_CHARS = st.characters(exclude_categories=("Cs", "Cc"))
_words = st.text(_TEXT_CHARS, min_size=1, max_size=16).filter(lambda s: bool(s.strip()))
_texts = st.text(_TEXT_CHARS, max_size=40)
_markdown = st.text(st.one_of(_TEXT_CHARS, st.just("\n")), min_size=1, max_size=120).filter(
    lambda s: bool(s.strip())
)
_ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10)
_sha256s = st.text("0123456789abcdef", min_size=64, max_size=64)
_filenames = st.sampled_from(["fund.pdf", "index methodology.docx", "rules.md", "a/b/c.rst", "x"])
_media_types = st.sampled_from(["application/pdf", "text/markdown", "text/plain"])
_unit_floats = st.floats(0.0, 1.0, allow_nan=False)


def version_numbers() -> st.SearchStrategy[VersionNumber]:
    """Draw valid document versions."""
    return st.builds(VersionNumber, st.integers(1, 50), st.integers(0, 50))


def section_lists(max_size: int = 3) -> st.SearchStrategy[tuple[Section, ...]]:
    """Draw tuples of sections (the IR engineer owns their meaning; these are just shapes)."""
    section = st.builds(
        Section,
        id=_ids,
        heading=_words,
        level=st.integers(1, 6),
        start=st.integers(0, 500),
        end=st.integers(0, 500),
        parent_id=st.none() | _ids,
        page=st.none() | st.integers(1, 99),
    )
    return st.lists(section, max_size=max_size).map(tuple)


def semantic_irs() -> st.SearchStrategy[SemanticIR]:
    """Draw small semantic IRs (sections only)."""
    return st.builds(SemanticIR, sections=section_lists(2))


def finding_locations() -> st.SearchStrategy[FindingLocation]:
    """Draw valid finding locations."""
    return st.builds(
        lambda start, length, section_id, path, page: FindingLocation(
            start=start, end=start + length, section_id=section_id, path=path, page=page
        ),
        st.integers(0, 10_000),
        st.integers(0, 200),
        st.none() | _ids,
        st.lists(_words, max_size=3).map(tuple),
        st.none() | st.integers(1, 500),
    )


@st.composite
def findings(
    draw: st.DrawFn,
    *,
    finding_id: str | None = None,
    location: FindingLocation | None = None,
    absent: bool = False,
) -> Finding:
    """Draw a valid finding; pass ``finding_id`` / ``location`` to fix them.

    With ``location`` the finding has a quote; with ``absent=True`` it has neither.
    """
    if absent:
        quote = ""
    elif location is None:
        quote = draw(_texts)
    else:
        quote = draw(_words)
    if location is None and quote:
        location = draw(st.none() | finding_locations())
    return Finding(
        id=finding_id or draw(_ids),
        policy_id=draw(_ids),
        category=draw(st.sampled_from(Category)),
        severity=draw(st.sampled_from(Severity)),
        title=draw(_words),
        description=draw(_texts),
        quote=quote,
        location=location,
        suggested_fix=draw(_texts),
        replacement=draw(st.none() | _texts) if quote else None,
        confidence=draw(_unit_floats),
        source=draw(st.just("rules") | _ids.map(lambda m: f"llm:{m}")),
    )


def checks() -> st.SearchStrategy[Check]:
    """Draw valid deterministic checks."""
    pattern = st.sampled_from(["cap", r"\bMUST\b", "rebalanc(e|ing)", "[0-9]+%"])
    return st.one_of(
        st.builds(lambda h: Check(CheckKind.SECTION_REQUIRED, {"heading": h}), pattern),
        st.builds(lambda p: Check(CheckKind.PATTERN_REQUIRED, {"pattern": p}), pattern),
        st.builds(
            lambda p, f: Check(CheckKind.PATTERN_FORBIDDEN, {"pattern": p, "flags": f}),
            pattern,
            st.sampled_from(["i", "m"]),
        ),
        st.builds(
            lambda c: Check(CheckKind.IR, {"check": c}),
            st.sampled_from(["undefined_variables", "unresolved_references"]),
        ),
    )


def policies(policy_id: str | None = None) -> st.SearchStrategy[Policy]:
    """Draw valid policies (with at least one check, so no LLM instruction is needed)."""
    return st.builds(
        Policy,
        id=st.just(policy_id) if policy_id else _ids,
        title=_words,
        level=st.sampled_from(RequirementLevel),
        category=st.sampled_from(Category),
        description=_texts,
        checks=st.lists(checks(), min_size=1, max_size=3).map(tuple),
        llm_instruction=_texts,
        severity=st.sampled_from(Severity),
    )


def usages() -> st.SearchStrategy[Usage]:
    """Draw valid usage records."""
    counts = st.integers(0, 10**7)
    return st.builds(
        Usage,
        tokens_in=counts,
        tokens_out=counts,
        tokens_cached=counts,
        calls=st.integers(0, 100),
        cost_estimate=st.none() | st.floats(0.0, 1000.0, allow_nan=False),
        tokens_cache_write=counts,
        tokens_thinking=counts,
        refusals=st.integers(0, 100),
    )


# --- aggregates built from valid command sequences ----------------------------------------------


@st.composite
def documents(draw: st.DrawFn, max_steps: int = 8) -> Document:
    """Draw a Document after upload and up to ``max_steps`` valid commands."""
    ctx = deterministic_context(tick=timedelta(seconds=1), id_prefix=1)
    doc = Document.upload(
        ctx,
        filename=draw(_filenames),
        media_type=draw(_media_types),
        size=draw(st.integers(1, 10**9)),
        sha256=draw(_sha256s),
        title=draw(st.none() | _words),
    )
    reviews = itertools.count(1)
    for _ in range(draw(st.integers(0, max_steps))):
        current = doc.state.current
        options = ["reupload", "convert"] if not current.converted else ["reupload"]
        if current.converted:
            options += ["review", "revise", "export"]
        op = draw(st.sampled_from(options))
        if op == "convert":
            markdown = draw(_markdown)
            starts = sorted(draw(st.lists(st.integers(0, len(markdown)), max_size=4)))
            doc.convert(
                ctx,
                markdown=markdown,
                sections=draw(section_lists()),
                ir=draw(semantic_irs()),
                converter=draw(st.sampled_from(["pdf", "docx", "markdown"])),
                warnings=draw(st.lists(_words, max_size=2)),
                page_count=draw(st.none() | st.integers(1, 300)),
                anchors=[SourceAnchor(start, page=i + 1) for i, start in enumerate(starts)],
            )
        elif op == "reupload":
            doc.reupload(
                ctx,
                filename=draw(_filenames),
                media_type=draw(_media_types),
                size=draw(st.integers(1, 10**9)),
                sha256=draw(_sha256s),
            )
        elif op == "review":
            converted = [v.number for v in doc.state.versions if v.converted]
            doc.record_review(
                ctx,
                review_id=f"review-{next(reviews)}",
                score=draw(_unit_floats),
                version=draw(st.sampled_from(converted)),
            )
        elif op == "revise":
            base = current.markdown or ""
            markdown = draw(_markdown)
            known = [link.review_id for link in doc.state.reviews]
            doc.revise(
                ctx,
                markdown=markdown if markdown != base else markdown + "!",
                sections=draw(section_lists()),
                ir=draw(semantic_irs()),
                review_id=draw(st.none() | st.sampled_from(known)) if known else None,
                # A feedback session is applied once: never reuse one already applied.
                feedback_session_id=draw(
                    st.none()
                    | _ids.map(lambda i: f"feedback-{i}").filter(
                        lambda sid: doc.state.revision_from(sid) is None
                    )
                ),
                applied_finding_ids=draw(st.lists(_ids, max_size=3, unique=True)),
            )
        else:
            doc.export(ctx, format=draw(st.sampled_from(["md", "docx", "html"])))
    return doc


@st.composite
def policy_packs(draw: st.DrawFn, max_steps: int = 8) -> PolicyPack:
    """Draw a PolicyPack after creation and up to ``max_steps`` valid commands."""
    ctx = deterministic_context(tick=timedelta(seconds=1), id_prefix=2)
    pack = PolicyPack.create(
        ctx,
        pack_key=draw(st.sampled_from(["self-containment", "governance", "iosco-2013"])),
        name=draw(_words),
        version="1",
        description=draw(_texts),
        jurisdiction=draw(st.sampled_from(["", "EU", "UK", "US"])),
    )
    serial = itertools.count(1)
    labels = itertools.count(2)
    for _ in range(draw(st.integers(0, max_steps))):
        state = pack.state
        options = ["add"]
        if state.policies:
            options += ["update", "retire", "publish"]
        op = draw(st.sampled_from(options))
        if op == "add":
            pack.add_policy(ctx, draw(policies(f"P-{next(serial)}")))
        elif op == "update":
            target = draw(st.sampled_from(state.policies))
            updated = draw(policies(target.id))
            if updated != target:
                pack.update_policy(ctx, updated)
        elif op == "retire":
            target = draw(st.sampled_from(state.policies))
            pack.retire_policy(ctx, target.id, reason=draw(_words))
        else:
            label = None if state.published_version(state.version) is None else f"{next(labels)}"
            pack.publish(ctx, version=label, notes=draw(_texts))
    return pack


def _policy_outcomes(policy_id: str) -> st.SearchStrategy[PolicyOutcome]:
    assessed = st.sampled_from([PolicyStatus.SATISFIED, PolicyStatus.VIOLATED]).map(
        lambda status: PolicyOutcome(policy_id, status)
    )
    not_assessed = st.builds(
        PolicyOutcome,
        st.just(policy_id),
        st.just(PolicyStatus.NOT_ASSESSED),
        st.none() | st.sampled_from(NotAssessedReason),
        _texts,
    )
    return assessed | not_assessed


@st.composite
def reviews(draw: st.DrawFn, max_batches: int = 3) -> Review:
    """Draw a Review: started, some batches of findings, then maybe completed or failed."""
    ctx = deterministic_context(tick=timedelta(seconds=1), id_prefix=3)
    pack_count = draw(st.integers(1, 3))
    review = Review.start(
        ctx,
        document_id="document-1",
        document_version=draw(version_numbers()),
        packs=[PackRef(f"policypack-{n}", draw(_ids)) for n in range(pack_count)],
        reviewer=draw(st.sampled_from(["rules", "anthropic:claude-sonnet-4-5", "fake"])),
    )
    serial = itertools.count(1)
    for _ in range(draw(st.integers(0, max_batches))):
        batch = [
            draw(findings(finding_id=f"f-{next(serial)}")) for _ in range(draw(st.integers(0, 3)))
        ]
        review.record_findings(
            ctx, batch, part=draw(_texts), ungrounded_dropped=draw(st.integers(0, 5))
        )
    ending = draw(st.sampled_from(["open", "complete", "fail"]))
    if ending == "complete":
        policy_ids = {f.policy_id for f in review.state.findings} | {"P-1"}
        outcomes = {pid: draw(_policy_outcomes(pid)) for pid in policy_ids}
        nothing = all(o.status is PolicyStatus.NOT_ASSESSED for o in outcomes.values())
        review.complete(
            ctx,
            score=None if nothing else draw(_unit_floats),
            policy_statuses=outcomes,
            usage=draw(usages()),
            duration_ms=draw(st.integers(0, 10**7)),
            warnings=draw(st.lists(_words, max_size=2)),
        )
    elif ending == "fail":
        review.fail(ctx, reason=draw(_words), retryable=draw(st.booleans()), usage=draw(usages()))
    return review


@st.composite
def feedback_sessions(draw: st.DrawFn, max_steps: int = 8) -> FeedbackSession:
    """Draw a FeedbackSession: opened on random findings, decided on, then maybe applied.

    Quotes sit at consecutive, non-overlapping spans, so every decision sequence is valid.
    """
    ctx = deterministic_context(tick=timedelta(seconds=1), id_prefix=4)
    found: list[Finding] = []
    cursor = 0
    for n in range(draw(st.integers(0, 5))):
        if draw(st.booleans()):
            length = draw(st.integers(1, 30))
            location = FindingLocation(start=cursor, end=cursor + length)
            cursor += length + draw(st.integers(0, 10))
            found.append(draw(findings(finding_id=f"f-{n}", location=location)))
        else:
            found.append(draw(findings(finding_id=f"f-{n}", absent=True)))
    version = draw(version_numbers())
    session = FeedbackSession.open(
        ctx,
        review_id="review-1",
        document_id="document-1",
        document_version=version,
        findings=found,
    )
    items = session.state.items
    if items:
        for _ in range(draw(st.integers(0, max_steps))):
            current = draw(st.sampled_from(session.state.items))
            finding_id = current.item.finding_id
            choices = [Decision.REJECTED, Decision.MODIFIED]
            if current.item.replacement is not None:
                choices.append(Decision.ACCEPTED)
            decision = draw(st.sampled_from(choices))
            if decision is Decision.ACCEPTED:
                session.accept(ctx, finding_id)
            elif decision is Decision.REJECTED:
                session.reject(ctx, finding_id, reason=draw(_words))
            else:
                text = draw(_texts)
                session.modify(
                    ctx, finding_id, text=text + "!" if text == current.item.quote else text
                )
    should_apply = draw(st.booleans())
    if should_apply and session.state.edits():
        session.apply(ctx, document_version=version.next_minor())
    return session


def aggregates() -> st.SearchStrategy[Aggregate[Any]]:
    """Draw any of the four aggregates, built from valid command sequences."""
    return st.one_of(documents(), policy_packs(), reviews(), feedback_sessions())
