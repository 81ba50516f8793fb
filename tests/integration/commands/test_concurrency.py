"""Issue 15 acceptance: many requests at once through ``docsense.aopen()``, SQLite and PostgreSQL.

Where a race must be the worst case every time (every request reads before any writes), a
:class:`~tests.integration.commands.faults.Gate` in the storage holds the appends until all
have arrived and then lets them through one by one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

import pytest
import pytest_asyncio

import docsense
from docsense import AsyncDocSense
from docsense.application.service import DocSenseService
from docsense.config import Settings
from docsense.domain.feedback import FeedbackStatus
from docsense.errors import (
    ConcurrencyConflict,
    FeedbackAlreadyApplied,
    IdempotencyKeyReused,
    InvalidTransition,
)
from docsense.ports import Storage
from docsense.views import FeedbackItemView

from .conftest import seed_markdown
from .faults import FaultyStorage, Gate

T = TypeVar("T")


async def within(awaitable: Awaitable[T], seconds: float = 60) -> T:
    return await asyncio.wait_for(awaitable, seconds)


@pytest_asyncio.fixture
async def faulty(storage: Storage) -> AsyncIterator[tuple[AsyncDocSense, FaultyStorage]]:
    wrapper = FaultyStorage(storage)
    settings = Settings.load(store_url=storage.url)
    yield AsyncDocSense(DocSenseService(wrapper), settings), wrapper


async def reviewed(ds: AsyncDocSense) -> tuple[str, str, list[FeedbackItemView]]:
    doc = await ds.ingest(seed_markdown(), filename="rules.md")
    review = await ds.review(doc.id)
    items = [i for i in await ds.feedback(review.id).items() if i.replacement]
    assert len(items) >= 10, "the seed document should give 10 replaceable suggestions"
    return doc.id, review.id, items


# --- reviews -------------------------------------------------------------------------------


async def test_twenty_concurrent_reviews_of_one_document_all_succeed_and_are_all_listed(
    store_url: str,
) -> None:
    async with docsense.aopen(store_url) as ds:
        doc = await ds.ingest(seed_markdown(), filename="rules.md")
        reviews = await within(asyncio.gather(*(ds.review(doc.id) for _ in range(20))))
        assert len({r.id for r in reviews}) == 20
        assert {r.status for r in reviews} == {"completed"}
        listed = await ds.reviews(doc.id, limit=100)
        assert {r.id for r in listed} == {r.id for r in reviews}  # linked: all, and only these
        assert {r.status for r in listed} == {"completed"}  # no orphan left running
        assert {r.document_version for r in listed} == {"1.0"}
        assert (await ds.documents())[0].last_score is not None


async def test_a_review_with_an_idempotency_key_is_made_once_however_often_it_is_asked(
    store_url: str,
) -> None:
    async with docsense.aopen(store_url) as ds:
        doc = await ds.ingest(seed_markdown(), filename="rules.md")
        first, *others = await within(
            asyncio.gather(*(ds.review(doc.id, idempotency_key="req-1") for _ in range(5)))
        )
        again = await ds.review(doc.id, idempotency_key="req-1")
        assert {r.id for r in others} | {again.id} == {first.id}
        assert [r.id for r in await ds.reviews(doc.id)] == [first.id]
        other = await ds.ingest(b"# Other\n\nRebalance periodically.\n", filename="o.md")
        with pytest.raises(IdempotencyKeyReused):
            await ds.review(other.id, idempotency_key="req-1")


# --- decisions -----------------------------------------------------------------------------


async def test_ten_concurrent_accepts_on_different_findings_of_one_review_all_succeed(
    faulty: tuple[AsyncDocSense, FaultyStorage],
) -> None:
    ds, store = faulty
    _, review_id, items = await reviewed(ds)
    store.gate = Gate("feedback-", 10)  # all ten read the session before any writes
    handle = ds.feedback(review_id)
    await within(asyncio.gather(*(handle.accept(i.finding_id) for i in items[:10])))
    decided = {i.finding_id: i.decision for i in await handle.items()}
    assert all(decided[i.finding_id] == "accepted" for i in items[:10])
    assert len(store.appends) > 10  # the nine that lost the race retried


async def test_two_different_decisions_on_one_finding_give_one_success_and_one_conflict(
    faulty: tuple[AsyncDocSense, FaultyStorage],
) -> None:
    ds, store = faulty
    _, review_id, items = await reviewed(ds)
    target = items[0].finding_id
    store.gate = Gate("feedback-", 2)
    handle = ds.feedback(review_id)
    outcomes = await within(
        asyncio.gather(
            handle.accept(target),
            handle.reject(target, reason="not needed"),
            return_exceptions=True,
        )
    )
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1, outcomes
    [error] = errors
    assert isinstance(error, ConcurrencyConflict)
    assert not error.retryable
    assert target in str(error)
    winner = "accepted" if outcomes[0] is None else "rejected"
    [item] = [i for i in await handle.items() if i.finding_id == target]
    assert item.decision == winner


async def test_the_same_decision_made_twice_at_once_is_one_decision(
    faulty: tuple[AsyncDocSense, FaultyStorage],
) -> None:
    ds, store = faulty
    _, review_id, items = await reviewed(ds)
    store.gate = Gate("feedback-", 2)
    handle = ds.feedback(review_id)
    target = items[0].finding_id
    await within(asyncio.gather(handle.accept(target), handle.accept(target)))
    history = await ds.service.storage.read_stream(f"feedback-{review_id.removeprefix('review-')}")
    assert [e.event_type for e in history].count("SuggestionAccepted") == 1


# --- apply ---------------------------------------------------------------------------------


@pytest.mark.parametrize("decision_first", [True, False], ids=["decision-first", "apply-first"])
async def test_apply_racing_a_decision_applies_with_it_or_refuses_it(
    faulty: tuple[AsyncDocSense, FaultyStorage], decision_first: bool
) -> None:
    ds, store = faulty
    doc_id, review_id, items = await reviewed(ds)
    handle = ds.feedback(review_id)
    await handle.accept(items[0].finding_id)
    late = items[1]
    # Both read the session before either writes; the gate decides whose write lands first.
    first = "SuggestionAccepted" if decision_first else "FeedbackApplyStarted"
    store.gate = Gate("feedback-", 2, first=first)
    applied, decided = await within(
        asyncio.gather(
            ds.apply_feedback(review_id), handle.accept(late.finding_id), return_exceptions=True
        )
    )
    assert not isinstance(applied, BaseException), applied
    assert applied.version == "1.1"
    assert late.replacement is not None
    if decided is None:  # the decision got in first, so the apply includes it
        assert decision_first
        assert late.replacement in applied.markdown
    else:  # the apply got in first: the decision is refused, and is not in 1.1
        assert not decision_first
        assert isinstance(decided, InvalidTransition), decided
        assert "already applied" in str(decided)
        assert late.replacement not in applied.markdown
    session = await ds.service.feedback(review_id)
    assert session.state.status is FeedbackStatus.APPLIED
    assert (await ds.document(doc_id)).versions == ("1.0", "1.1")


async def test_two_applies_at_once_make_one_version_and_the_other_is_told_it_happened(
    faulty: tuple[AsyncDocSense, FaultyStorage],
) -> None:
    ds, store = faulty
    doc_id, review_id, items = await reviewed(ds)
    await ds.feedback(review_id).accept(items[0].finding_id)
    store.gate = Gate("feedback-", 2)
    outcomes = await within(
        asyncio.gather(
            ds.apply_feedback(review_id), ds.apply_feedback(review_id), return_exceptions=True
        )
    )
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], FeedbackAlreadyApplied)
    assert isinstance(errors[0], ConcurrencyConflict)
    assert "1.1" in str(errors[0])
    assert (await ds.document(doc_id)).versions == ("1.0", "1.1")


async def test_apply_again_says_it_already_happened_or_returns_it_with_the_same_key(
    store_url: str,
) -> None:
    async with docsense.aopen(store_url) as ds:
        doc_id, review_id, items = await reviewed(ds)
        await ds.feedback(review_id).accept(items[0].finding_id)
        first = await ds.apply_feedback(review_id, idempotency_key="apply-1")
        again = await ds.apply_feedback(review_id, idempotency_key="apply-1")
        assert (again.id, again.version, again.markdown) == (first.id, "1.1", first.markdown)
        with pytest.raises(FeedbackAlreadyApplied, match=r"version 1\.1"):
            await ds.apply_feedback(review_id)
        assert (await ds.document(doc_id)).versions == ("1.0", "1.1")


async def test_a_decision_with_an_idempotency_key_is_not_redone_on_retry(store_url: str) -> None:
    async with docsense.aopen(store_url) as ds:
        _, review_id, items = await reviewed(ds)
        handle = ds.feedback(review_id)
        target = items[0].finding_id
        await handle.accept(target, idempotency_key="d-1")
        await handle.reject(target, reason="changed my mind")
        await handle.accept(target, idempotency_key="d-1")  # a retry of the first request
        [item] = [i for i in await handle.items() if i.finding_id == target]
        assert item.decision == "rejected"  # the retry did not undo the later decision
        with pytest.raises(IdempotencyKeyReused):
            await handle.accept(items[1].finding_id, idempotency_key="d-1")


# --- ingest --------------------------------------------------------------------------------


async def test_ingesting_the_same_file_again_returns_the_same_document(store_url: str) -> None:
    async with docsense.aopen(store_url) as ds:
        data = seed_markdown()
        first = await ds.ingest(data, filename="rules.md")
        again = await ds.ingest(data, filename="copy-of-rules.md")
        together = await within(
            asyncio.gather(*(ds.ingest(data, filename="r.md") for _ in range(5)))
        )
        assert {first.id, again.id} | {d.id for d in together} == {first.id}
        forced = await ds.ingest(data, filename="rules.md", force_new=True)
        assert forced.id != first.id
        assert len(await ds.documents()) == 2


async def test_concurrent_first_uploads_of_one_new_file_make_one_document(
    store_url: str,
) -> None:
    async with docsense.aopen(store_url) as ds:
        data = b"# Fresh\n\nThe cap is set daily by the committee.\n"
        docs = await within(asyncio.gather(*(ds.ingest(data, filename="f.md") for _ in range(8))))
        assert len({d.id for d in docs}) == 1
        assert len(await ds.documents()) == 1


async def test_a_file_stored_as_a_later_version_is_found_too(store_url: str) -> None:
    async with docsense.aopen(store_url) as ds:
        doc = await ds.ingest(b"# One\n\nFirst text.\n", filename="a.md")
        second = b"# Two\n\nSecond text.\n"
        await ds.ingest(second, filename="a.md", document_id=doc.id)
        again = await ds.ingest(second, filename="b.md")
        assert again.id == doc.id
        same = await ds.ingest(second, filename="a.md", document_id=doc.id)  # current bytes
        assert same.versions == ("1.0", "2.0")


async def test_ingest_with_an_idempotency_key_returns_the_first_result(store_url: str) -> None:
    async with docsense.aopen(store_url) as ds:
        first = await ds.ingest(b"# K\n\nKeyed.\n", filename="k.md", idempotency_key="up-1")
        again = await ds.ingest(b"# K\n\nKeyed.\n", filename="k.md", idempotency_key="up-1")
        assert again.id == first.id
        with pytest.raises(IdempotencyKeyReused):
            await ds.ingest(b"# Other\n\nBytes.\n", filename="k.md", idempotency_key="up-1")
        v2 = await ds.ingest(
            b"# K\n\nVersion two.\n", filename="k.md", document_id=first.id, idempotency_key="up-2"
        )
        retried = await ds.ingest(
            b"# K\n\nVersion two.\n", filename="k.md", document_id=first.id, idempotency_key="up-2"
        )
        assert (v2.versions, retried.versions) == (("1.0", "2.0"), ("1.0", "2.0"))
