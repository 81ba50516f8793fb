"""Projection catch-up throughput versus raw ``read_all`` throughput, on SQLite and PostgreSQL.

Fills a fresh store with realistic histories built by the domain aggregates (per document:
upload, conversion, a review with findings, its completion, a feedback session with decisions),
then measures, on the same store:

- raw: paging ``read_all`` over every event (1,000 per page), the floor any projection pays;
- catch-up: the four built-in projections (documents, reviews, findings, audit) from zero
  to the head, batch size 1,000, commits included. Before each run (untimed) every
  projection is reset to an empty generation at position 0, and a new runner is made, as
  when a projection is first deployed on an existing log;
- rebuild (for information, not the goal): ``rebuild_many`` of the four, which also builds
  beside the live model, swaps the new generation in and deletes the old one;

and reports events/s for each and the ratios to raw (goal: catch-up >= 25% of raw). Medians of
``--runs`` runs.

    python benchmarks/projections.py [--events 100000] [--runs 3] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from docsense.adapters.storage import open_storage
from docsense.application.mapping import EventMapper
from docsense.application.projections import ProjectionRunner
from docsense.application.read_models import builtin_projections
from docsense.domain.aggregate import Aggregate
from docsense.domain.documents import Document, VersionNumber
from docsense.domain.feedback import FeedbackSession
from docsense.domain.findings import Category, Finding, FindingLocation, Severity
from docsense.domain.ir import Section, SemanticIR
from docsense.domain.review import PackRef, PolicyStatus, Review, Usage
from docsense.ports import Storage
from docsense.testing.strategies import deterministic_context

POSTGRES_URL = os.environ.get(
    "DOCSENSE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
EVENTS_PER_DOCUMENT = 11  # upload, convert, reviewed; review x4; feedback open + 3 decisions
MARKDOWN = "# Method\n\n" + "The index rebalances quarterly using the cap. " * 40 + "\n"


def _histories(n_docs: int) -> Iterator[list[Aggregate[Any]]]:
    ctx = deterministic_context(
        start=datetime(2026, 1, 1, tzinfo=UTC), tick=timedelta(seconds=1), id_prefix=7
    )
    sections = (Section(id="s1", heading="Method", level=1, start=0, end=len(MARKDOWN)),)
    for d in range(n_docs):
        doc = Document.upload(
            ctx, filename=f"m{d}.md", media_type="text/markdown", size=len(MARKDOWN),
            sha256=f"{d:064x}", title=f"Method {d}",
        )
        doc.convert(ctx, markdown=MARKDOWN, sections=sections, ir=SemanticIR(sections=sections),
                    converter="markdown")
        review = Review.start(
            ctx, document_id=doc.id, document_version=VersionNumber(1, 0),
            packs=[PackRef("policypack-sc", "1")], reviewer="rules",
        )
        findings = [
            Finding(
                id=f"f-{k}", policy_id=f"SC-{k:03}", category=Category.UNDEFINED_PARAMETER,
                severity=Severity.HIGH, title="Undefined cap", description="The cap is undefined",
                quote="the cap", location=FindingLocation(start=40 + 47 * k, end=47 + 47 * k),
                suggested_fix="Give the cap", replacement="the [[specify: cap]]",
                confidence=0.8, source="rules",
            )
            for k in range(4)
        ]
        for k in range(0, 4, 2):
            review.record_findings(ctx, findings[k : k + 2], part=f"part-{k}")
        review.complete(ctx, score=0.6, policy_statuses={"SC-000": PolicyStatus.VIOLATED},
                        usage=Usage(), duration_ms=5)
        doc.record_review(ctx, review_id=review.id, score=0.6)
        session = FeedbackSession.open(
            ctx, review_id=review.id, document_id=doc.id, document_version=VersionNumber(1, 0),
            findings=findings,
        )
        session.accept(ctx, "f-0")
        session.reject(ctx, "f-1", reason="defined in the glossary")
        session.modify(ctx, "f-2", text="the 5% cap")
        yield [doc, review, session]  # EVENTS_PER_DOCUMENT events in all


async def _fill(store: Storage, events: int) -> int:
    mapper = EventMapper()
    total = 0
    for aggregates in _histories(max(1, events // EVENTS_PER_DOCUMENT)):
        for aggregate in aggregates:
            pending = aggregate.pending_events
            await store.append(aggregate.id, [mapper.to_new_event(e) for e in pending], 0)
            total += len(pending)
    return total


async def _raw(store: Storage) -> float:
    start, after, n = time.perf_counter(), 0, 0
    while page := await store.read_all(after, limit=1000):
        after, n = page[-1].position, n + len(page)
    return n / (time.perf_counter() - start)


def _runner(store: Storage) -> ProjectionRunner:
    return ProjectionRunner(store, store.projections, builtin_projections(), batch_size=1000)


async def _check(runner: ProjectionRunner) -> None:
    for status in await runner.status():
        if status.lag or status.dead_letters:
            raise SystemExit(f"projection did not finish cleanly: {status}")


async def _catch_up(store: Storage, n: int) -> float:
    runner = _runner(store)
    for name in runner.names:  # untimed: an empty generation at position 0, swapped in
        await runner.active_checkpoint(name)
        empty = await store.projections.start_generation(name)
        await store.projections.activate_generation(name, empty.generation)
    start = time.perf_counter()
    await runner.catch_up()
    elapsed = time.perf_counter() - start
    await _check(runner)
    return n / elapsed


async def _rebuild(store: Storage, n: int) -> float:
    runner = _runner(store)
    start = time.perf_counter()
    await runner.rebuild_many()
    elapsed = time.perf_counter() - start
    await _check(runner)
    return n / elapsed


async def bench(url: str, events: int, runs: int) -> tuple[int, float, float, float]:
    """Return the event count and the median raw, catch-up and rebuild rates (ev/s)."""
    store = await open_storage(url)
    try:
        t0 = time.perf_counter()
        n = await _fill(store, events)
        print(f"  filled {n} events in {time.perf_counter() - t0:.1f} s", flush=True)
        raw, caught, rebuilt = [], [], []
        for _ in range(runs):  # interleaved, so drift in the machine's speed hits all three
            raw.append(await _raw(store))
            caught.append(await _catch_up(store, n))
            rebuilt.append(await _rebuild(store, n))
        return n, statistics.median(raw), statistics.median(caught), statistics.median(rebuilt)
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                url = f"sqlite:///{tmp}/projections.db"
            else:
                url = f"{POSTGRES_URL}?schema=bench_proj_{uuid.uuid4().hex[:8]}"
            print(f"{backend}:", flush=True)
            n, raw, caught, rebuilt = asyncio.run(bench(url, args.events, args.runs))
            rows.append((backend, n, raw, caught, rebuilt))
            if backend == "postgres":
                asyncio.run(_drop_schema(url))
    print()
    print(f"{'backend':10} {'events':>8} {'read_all ev/s':>14} {'catch-up ev/s':>14} "
          f"{'ratio':>7}  goal >= 25%  {'rebuild ev/s':>13} {'ratio':>7}")
    for backend, n, raw, caught, rebuilt in rows:
        ratio = caught / raw
        verdict = "PASS" if ratio >= 0.25 else "MISS"
        print(f"{backend:10} {n:>8} {raw:>14,.0f} {caught:>14,.0f} {ratio:>7.1%}  {verdict:11}  "
              f"{rebuilt:>13,.0f} {rebuilt / raw:>7.1%}")


async def _drop_schema(url: str) -> None:
    import asyncpg

    dsn, _, schema = url.partition("?schema=")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
