"""Issue 15, faults: every command, interrupted between (or right after) any two of its appends.

For each command and each of its appends, a fresh store is set up, the command is run with
that append failing (the process "dies" before it is stored, or after it is stored but
before anyone heard; or the store refuses it with a StorageError), then the process
"restarts": a new service on the same store runs the recovery ``docsense worker`` and
``docsense.open()`` run. Then:

- nothing half done is visible: no review left running, no feedback left ``applying``, a
  document revision exists exactly when its feedback session says it was applied;
- the caller's retry succeeds, or says truthfully that the work already happened;
- with the request's idempotency key, the retry leaves exactly the state a run without a
  fault leaves.

A last test does the same for applying feedback with real SIGKILLs of a real process.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
import pytest_asyncio

import docsense
from docsense.adapters.storage import open_storage
from docsense.adapters.storage.memory import MemoryStorage
from docsense.application.recovery import recover
from docsense.application.retries import RetryPolicy
from docsense.application.service import DocSenseService
from docsense.domain.documents import Document
from docsense.domain.feedback import FeedbackStatus
from docsense.errors import FeedbackAlreadyApplied, StorageError
from docsense.ports import Storage

from .conftest import seed_markdown
from .faults import FaultyStorage, SimulatedCrash, When

NEW_TEXT = b"# Rules v2\n\nThe cap is 10% of the index weight, set by the committee.\n"
Context = dict[str, Any]


async def no_wait(_: float) -> None:
    await asyncio.sleep(0)


def service_on(store: Storage) -> DocSenseService:
    return DocSenseService(store, retry=RetryPolicy(attempts=10), sleep=no_wait)


async def ingested(svc: DocSenseService) -> Context:
    doc = await svc.ingest(seed_markdown(), "rules.md")
    return {"doc": doc.id}


async def reviewed(svc: DocSenseService) -> Context:
    ctx = await ingested(svc)
    result = await svc.review(ctx["doc"])
    items = [f.id for f in result.review.state.findings if f.replacement]
    return {**ctx, "review": result.review.id, "findings": items}


async def decided(svc: DocSenseService) -> Context:
    ctx = await reviewed(svc)
    await svc.decide(ctx["review"], ctx["findings"][0], "accept")
    return ctx


@attrs.frozen
class Command:
    """One user command: how to set the store up for it, and how to run it (with a key)."""

    name: str
    appends: int
    setup: Callable[[DocSenseService], Awaitable[Context]]
    run: Callable[[DocSenseService, Context, str | None], Awaitable[object]]


COMMANDS = [
    Command(
        "ingest a new document",
        1,
        lambda svc: asyncio.sleep(0, {}),
        lambda svc, c, key: svc.ingest(seed_markdown(), "rules.md", idempotency_key=key),
    ),
    Command(
        "ingest a new version",
        1,
        ingested,
        lambda svc, c, key: svc.ingest(
            NEW_TEXT, "rules.md", document_id=c["doc"], idempotency_key=key
        ),
    ),
    Command(
        "review (first use of its pack)",
        2,
        ingested,
        lambda svc, c, key: svc.review(c["doc"], idempotency_key=key),
    ),
    Command(
        "first decision (opens the feedback session)",
        1,
        reviewed,
        lambda svc, c, key: svc.decide(
            c["review"], c["findings"][0], "accept", idempotency_key=key
        ),
    ),
    Command(
        "later decision",
        1,
        decided,
        lambda svc, c, key: svc.decide(
            c["review"], c["findings"][1], "reject", reason="no", idempotency_key=key
        ),
    ),
    Command(
        "apply feedback (session, document, session)",
        3,
        decided,
        lambda svc, c, key: svc.apply_feedback(c["review"], idempotency_key=key),
    ),
    Command(
        "export",
        1,
        ingested,
        lambda svc, c, key: svc.export(c["doc"], "md"),
    ),
]


def storage_error() -> BaseException:
    return StorageError("disk I/O error (injected)")


FAULTS: list[tuple[When, Callable[[], BaseException]]] = [
    ("before", SimulatedCrash),
    ("after", SimulatedCrash),
    ("after", storage_error),
]
# Every case on memory and SQLite; on PostgreSQL, the crashes followed by a keyed retry.
CASES = [
    pytest.param(
        backend,
        command,
        at,
        when,
        fault,
        keyed,
        id=f"{backend}-{command.name}-append{at}-{when}-{fault.__name__}-"
        + ("keyed-retry" if keyed else "plain-retry"),
    )
    for backend in ("memory", "sqlite", "postgres")
    for command in COMMANDS
    for at in range(1, command.appends + 1)
    for when, fault in FAULTS
    for keyed in (True, False)
    if backend != "postgres" or (keyed and fault is SimulatedCrash)
]


@pytest.fixture
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    backend = request.node.callspec.params["backend"]
    if backend == "memory":
        return "memory://"
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'faults.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest_asyncio.fixture
async def store(backend_url: str) -> AsyncIterator[Storage]:
    opened = MemoryStorage() if backend_url == "memory://" else await open_storage(backend_url)
    yield opened
    await opened.close()


async def summary(svc: DocSenseService) -> dict[str, Any]:
    """What a user can see, reduced to what a fault must not change."""
    docs = []
    for row in await svc.documents(limit=100):
        doc = await svc.document(str(row["id"]))
        docs.append(tuple(v.label for v in doc.state.versions))
    reviews = await svc.reviews(limit=100)
    decisions = sorted(
        (str(f["id"]), str(f["decision"])) for f in await svc.findings(limit=1000)
    )
    return {
        "documents": sorted(docs),
        "reviews": sorted(str(r["status"]) for r in reviews),
        "decisions": decisions,
    }


async def check_nothing_half_done(svc: DocSenseService) -> None:
    reviews = await svc.reviews(limit=100)
    assert all(r["status"] in ("completed", "failed") for r in reviews), reviews
    for row in reviews:
        if row["status"] != "completed":
            continue
        session = await svc.feedback(str(row["id"]))  # (finishes an apply left under way)
        doc: Document = await svc.document(str(row["document_id"]))
        assert doc.state.find_version(str(row["document_version"])) is not None
        state = session.state
        assert state.status is not FeedbackStatus.APPLYING, row
        made = doc.state.revision_from(session.id)
        if state.status is FeedbackStatus.APPLIED:
            assert made is not None
            assert made.number == state.resulting_version
        else:
            assert made is None, f"{made} was applied from a session that is still open"
    assert all(r.get("feedback") != "applying" for r in await svc.reviews(limit=100))


def test_each_command_makes_the_appends_the_fault_cases_cover() -> None:
    async def count(command: Command) -> int:
        wrapper = FaultyStorage(MemoryStorage())
        svc = service_on(wrapper)
        context = await command.setup(svc)
        wrapper.appends.clear()
        await command.run(svc, context, None)
        return len(wrapper.appends)

    for command in COMMANDS:
        assert asyncio.run(count(command)) == command.appends, command.name


@pytest.mark.parametrize(("backend", "command", "at", "when", "fault", "keyed"), CASES)
async def test_a_command_interrupted_at_any_append_leaves_nothing_half_done(
    store: Storage,
    backend: str,
    command: Command,
    at: int,
    when: When,
    fault: Callable[[], BaseException],
    keyed: bool,
) -> None:
    key = "request-1" if keyed else None
    # What the command leaves when nothing goes wrong, on a store of its own.
    clean = service_on(MemoryStorage())
    await command.run(clean, await command.setup(clean), key)
    expected = await summary(clean)

    wrapper = FaultyStorage(store)
    context = await command.setup(service_on(wrapper))
    wrapper.arm(at, when, fault)
    with pytest.raises((SimulatedCrash, StorageError)):
        await command.run(service_on(wrapper), context, key)

    restarted = service_on(store)  # a new process on the same store
    await recover(restarted)
    await check_nothing_half_done(restarted)
    told: FeedbackAlreadyApplied | None = None
    try:
        await command.run(restarted, context, key)
    except FeedbackAlreadyApplied as exc:  # the truth: the first attempt did apply it
        told = exc
    assert told is None or (not keyed and "1.1" in str(told)), told
    await check_nothing_half_done(restarted)
    after = await summary(restarted)
    if keyed and command.name != "export":
        assert after == expected
    else:  # an unkeyed retry of a review that was stored makes a second review: a new request
        assert after["documents"] == expected["documents"]
        if "decision" in command.name or "apply" in command.name:
            assert after["decisions"] == expected["decisions"]


KILLED_APPLY = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from docsense.adapters.storage import open_storage
    from docsense.application.service import DocSenseService

    URL, REVIEW, AT, WHEN = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

    async def main():
        store = await open_storage(URL)
        append, seen = store.append, []

        async def dying_append(stream_id, events, expected):
            seen.append(stream_id)
            if len(seen) == AT and WHEN == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            positions = await append(stream_id, events, expected)
            if len(seen) == AT and WHEN == "after":
                os.kill(os.getpid(), signal.SIGKILL)
            return positions

        store.append = dying_append
        await DocSenseService(store).apply_feedback(REVIEW, idempotency_key="apply-1")
        print("not killed", flush=True)

    asyncio.run(main())
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("at", [1, 2, 3])
def test_apply_killed_by_sigkill_at_any_append_is_finished_by_the_next_open(
    tmp_path: Path, at: int, when: str
) -> None:
    url = f"sqlite:///{tmp_path / 'killed.db'}"

    async def setup() -> Context:
        store = await open_storage(url)
        try:
            return await decided(DocSenseService(store))
        finally:
            await store.close()

    context = asyncio.run(setup())
    script = tmp_path / "killed_apply.py"
    script.write_text(KILLED_APPLY)
    child = subprocess.run(
        [sys.executable, str(script), url, context["review"], str(at), when],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert child.returncode == -9, child.stderr  # SIGKILL, mid-command

    async def restart() -> tuple[list[str], str]:
        async with docsense.aopen(url) as ds:  # opening finishes what was left
            session = await ds.service.storage.read_stream(
                f"feedback-{context['review'].removeprefix('review-')}"
            )
            if at > 1 or when == "after":
                assert session[-1].event_type == "FeedbackApplied"
            await check_nothing_half_done(ds.service)
            doc = await ds.apply_feedback(context["review"], idempotency_key="apply-1")
            await check_nothing_half_done(ds.service)
            return list((await ds.document(context["doc"])).versions), doc.version

    versions, returned = asyncio.run(restart())
    assert versions == ["1.0", "1.1"]
    assert returned == "1.1"
