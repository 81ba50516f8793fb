"""Batch review throughput: 100 seed documents through a fake provider with 2 s per call.

    python benchmarks/batch.py [--documents 100] [--latency 2.0] [--concurrency 16]
                               [--provider anthropic] [--corpus ../shared/corpus/seed-docs]
                               [--compare]

The seed DOCX files are converted once (not timed) and cycled to make ``--documents``
reviews. All reviews start at once against a :class:`docsense.testing.fake_llm.FakeLLMServer`
on 127.0.0.1 that answers every call after ``--latency`` seconds, through the provider's
official SDK; the reviewers share one resilience layer whose concurrency limit is
``--concurrency`` (the per-provider limit in production). Wall time is compared with the
ideal: ``ceil(calls / concurrency) * latency``, i.e. the limit kept full all the time.

Goal (issue 5): wall time <= 1.3 x ideal.

``--compare`` (issue 14) also runs, in the same process and against the same fake, the
reviews without Anthropic's cache warm-up (every call at once, so concurrent calls on a
part each pay a cache write) and the same reviews as one provider batch (submitted, polled
until the fake ends it, collected), and prints cache writes, cost and wall time of each.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from pathlib import Path

from docsense.adapters.ai import anthropic, google, openai
from docsense.adapters.ai.resilience import Resilience
from docsense.adapters.convert import convert_document
from docsense.domain.review import Usage
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.review import ReviewDocument, ReviewOutcome, run_review
from docsense.review.engine import review_request
from docsense.testing.fake_llm import FakeLLMServer

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed-docs"
GOAL = 1.3
MODULES = {"anthropic": anthropic, "openai": openai, "google": google}


def _documents(corpus: Path, count: int) -> list[ReviewDocument]:
    seeds = []
    for path in sorted(corpus.glob("doc_*.docx")):
        converted = convert_document(path.read_bytes(), path.name)
        ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
        seeds.append(ReviewDocument.from_converted(converted, ir, document_id=path.stem))
    return [seeds[i % len(seeds)] for i in range(count)] if seeds else []


async def _direct(
    args: argparse.Namespace, documents: list[ReviewDocument], *, warm_up: bool = True
) -> tuple[float, list[ReviewOutcome], str]:
    packs = [load_pack(p) for p in args.packs]
    with FakeLLMServer(args.provider, latency=args.latency) as server:
        layer = Resilience(args.provider, timeout=60.0, max_concurrency=args.concurrency)
        reviewer = MODULES[args.provider].create_reviewer(
            api_key="benchmark", base_url=server.base_url, resilience=layer
        )
        if not warm_up:
            reviewer.client.warm_up_cache = False
        async with reviewer:
            started = time.perf_counter()
            outcomes = await asyncio.gather(*(run_review(d, packs, reviewer) for d in documents))
            wall = time.perf_counter() - started
    return wall, list(outcomes), reviewer.spec


async def _provider_batch(
    args: argparse.Namespace, documents: list[ReviewDocument]
) -> tuple[float, Usage, int]:
    packs = [load_pack(p) for p in args.packs]
    requests = [review_request(d, packs) for d in documents]
    with FakeLLMServer(args.provider, latency=args.latency) as server:
        reviewer = MODULES[args.provider].create_reviewer(
            api_key="benchmark", base_url=server.base_url,
            resilience=Resilience(args.provider, timeout=60.0),
        )
        async with reviewer:
            started = time.perf_counter()
            ticket = await reviewer.submit_batch(requests)
            results = None
            while results is None:
                results = await reviewer.collect_batch(ticket, requests)
            wall = time.perf_counter() - started
        sent = len(server.requests)
    return wall, sum((r.usage for r in results), Usage()), sent


def _cost(outcomes: list[ReviewOutcome]) -> tuple[float, int, int]:
    usage = sum((o.usage for o in outcomes), Usage())
    return usage.cost_estimate or 0.0, usage.tokens_cache_write, usage.tokens_cached


async def _compare(args: argparse.Namespace, documents: list[ReviewDocument]) -> None:
    rows = []
    for label, warm in (("direct, warm-up", True), ("direct, no warm-up", False)):
        wall, outcomes, _ = await _direct(args, documents, warm_up=warm)
        cost, writes, reads = _cost(outcomes)
        calls = sum(o.usage.calls for o in outcomes)
        rows.append((label, wall, calls, writes, reads, cost))
    wall, usage, sent = await _provider_batch(args, documents)
    rows.append((f"provider batch ({sent} HTTP requests)", wall, usage.calls,
                 usage.tokens_cache_write, usage.tokens_cached, usage.cost_estimate or 0.0))
    print(f"{'mode':<36} {'wall s':>7} {'calls':>6} {'cache writes':>13} {'cache reads':>12} "
          f"{'cost $':>9}")
    for label, wall, calls, writes, reads, cost in rows:
        print(f"{label:<36} {wall:>7.2f} {calls:>6} {writes:>13,} {reads:>12,} {cost:>9.4f}")


async def _run(args: argparse.Namespace, documents: list[ReviewDocument]) -> int:
    wall, outcomes, spec = await _direct(args, documents)
    calls = sum(o.usage.calls for o in outcomes)
    ideal = math.ceil(calls / args.concurrency) * args.latency
    findings = sum(len(o.findings) for o in outcomes)
    tokens_in = sum(o.usage.tokens_in for o in outcomes)
    cost = sum(o.usage.cost_estimate or 0.0 for o in outcomes)
    print(
        f"{len(documents)} reviews via {args.provider} ({spec}) on a fake server, "
        f"{args.latency:g} s per call, concurrency {args.concurrency}"
    )
    print(
        f"calls {calls} ({calls / len(documents):.1f} per review), findings {findings}, "
        f"input tokens {tokens_in}, estimated cost ${cost:.4f}"
    )
    print(
        f"wall {wall:.2f} s; ideal ceil({calls}/{args.concurrency}) x {args.latency:g} s = "
        f"{ideal:.2f} s; ratio {wall / ideal:.3f}"
    )
    verdict = "PASS" if wall <= GOAL * ideal else "MISS"
    print(f"goal: wall <= {GOAL} x ideal: {verdict}")
    if args.compare:
        await _compare(args, documents)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--provider", choices=sorted(MODULES), default="anthropic")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--packs", nargs="+", default=["self-containment"])
    parser.add_argument("--compare", action="store_true",
                        help="also without warm-up and as one provider batch")
    args = parser.parse_args()
    documents = _documents(args.corpus, args.documents)
    if not documents:
        print(f"no seed documents under {args.corpus}", file=sys.stderr)
        return 2
    return asyncio.run(_run(args, documents))


if __name__ == "__main__":
    raise SystemExit(main())
