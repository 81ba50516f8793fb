"""Batch review throughput: 100 seed documents through a fake provider with 2 s per call.

    python benchmarks/batch.py [--documents 100] [--latency 2.0] [--concurrency 16]
                               [--provider anthropic] [--corpus ../shared/corpus/seed-docs]

The seed DOCX files are converted once (not timed) and cycled to make ``--documents``
reviews. All reviews start at once against a :class:`docsense.testing.fake_llm.FakeLLMServer`
on 127.0.0.1 that answers every call after ``--latency`` seconds, through the provider's
official SDK; the reviewers share one resilience layer whose concurrency limit is
``--concurrency`` (the per-provider limit in production). Wall time is compared with the
ideal: ``ceil(calls / concurrency) * latency``, i.e. the limit kept full all the time.

Goal (issue 5): wall time <= 1.3 x ideal.
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
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.review import ReviewDocument, run_review
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


async def _run(args: argparse.Namespace, documents: list[ReviewDocument]) -> int:
    packs = [load_pack("self-containment")]
    with FakeLLMServer(args.provider, latency=args.latency) as server:
        layer = Resilience(args.provider, timeout=60.0, max_concurrency=args.concurrency)
        reviewer = MODULES[args.provider].create_reviewer(
            api_key="benchmark", base_url=server.base_url, resilience=layer
        )
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(run_review(d, packs, reviewer) for d in documents))
        wall = time.perf_counter() - started
    calls = sum(o.usage.calls for o in outcomes)
    ideal = math.ceil(calls / args.concurrency) * args.latency
    findings = sum(len(o.findings) for o in outcomes)
    tokens_in = sum(o.usage.tokens_in for o in outcomes)
    cost = sum(o.usage.cost_estimate or 0.0 for o in outcomes)
    print(
        f"{len(documents)} reviews via {args.provider} ({reviewer.spec}) on a fake server, "
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
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--provider", choices=sorted(MODULES), default="anthropic")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    documents = _documents(args.corpus, args.documents)
    if not documents:
        print(f"no seed documents under {args.corpus}", file=sys.stderr)
        return 2
    return asyncio.run(_run(args, documents))


if __name__ == "__main__":
    raise SystemExit(main())
