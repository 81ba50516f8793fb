"""LLM prompt plan vs the naive plan: input tokens per seed document (no model is called).

    python benchmarks/llm_plan.py [--corpus ../shared/corpus] [--pack self-containment]

For each seed PDF (``seed-pdfs/*.pdf``) and DOCX (``seed-docs/*.docx``): convert, extract the
IR, plan the LLM review with :func:`docsense.adapters.ai.prompts.plan_review` and compare its
estimated input tokens with the naive plan (the whole document once per policy, as the
reference app's design would). Tokens are estimated as ``ceil(characters / 4)``
(:func:`docsense.adapters.ai.prompts.estimate_tokens`), for both plans alike; provider
prompt caching would cut our plan further and is not counted.

Goal (issue 5): our plan's input tokens <= 25% of the naive plan on ABGSD012.pdf.

``--context-window N`` (issue 14) also plans each document for a local model with an
N-token context window (Ollama's default is 4096) and prints its calls, input tokens and
the largest call's need (input + 15% + output budget), which must not exceed N.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docsense.adapters.ai.prompts import (
    PlanLimits,
    naive_plan_tokens,
    needed_tokens,
    plan_review,
)
from docsense.adapters.convert import convert_document
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.ports import ReviewRequest

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GOAL_DOCUMENT = "ABGSD012.pdf"
GOAL_RATIO = 0.25


def _request(path: Path, pack: str) -> ReviewRequest:
    converted = convert_document(path.read_bytes(), path.name)
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    return ReviewRequest(
        document_id=path.stem,
        markdown=converted.markdown,
        sections=converted.sections,
        ir=ir,
        policies=load_pack(pack).policies,
        title=converted.title,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pack", default="self-containment")
    parser.add_argument("--context-window", type=int, default=None)
    args = parser.parse_args()
    paths = sorted((args.corpus / "seed-pdfs").glob("*.pdf")) + sorted(
        (args.corpus / "seed-docs").glob("*.docx")
    )
    if not paths:
        print(f"no seed documents under {args.corpus}", file=sys.stderr)
        return 2
    limits = PlanLimits()
    print(
        f"pack {args.pack}; limits: part {limits.part_tokens} tokens, group "
        f"{limits.group_tokens} tokens / {limits.group_max_policies} policies, outline "
        f"{limits.outline_tokens}; tokens = ceil(chars / 4)"
    )
    header = f"{'document':<34} {'chars':>8} {'parts':>5} {'calls':>5} {'plan in':>9} "
    header += f"{'naive in':>10} {'naive calls':>11} {'plan/naive':>10}"
    window = args.context_window
    if window:
        header += f" | {window}-token window: {'calls':>5} {'plan in':>9} {'largest':>7}"
    print(header)
    misfits = 0
    total_plan = total_naive = 0
    goal: float | None = None
    for path in paths:
        request = _request(path, args.pack)
        plan = plan_review(request, limits=limits)
        naive = naive_plan_tokens(request)
        ratio = plan.input_tokens / naive
        total_plan += plan.input_tokens
        total_naive += naive
        if path.name == GOAL_DOCUMENT:
            goal = ratio
        line = (
            f"{path.name:<34} {len(request.markdown):>8} {plan.parts:>5} {len(plan.calls):>5} "
            f"{plan.input_tokens:>9} {naive:>10} {len(request.policies):>11} {ratio:>10.1%}"
        )
        if window:
            local = plan_review(request, limits=limits, context_window=window)
            largest = max(needed_tokens(c) for c in local.calls)
            misfits += largest > window
            line += f" | {'':>{len(str(window)) + 15}} {len(local.calls):>5} "
            line += f"{local.input_tokens:>9} {largest:>7}"
        print(line)
    print(
        f"{'total':<34} {'':>8} {'':>5} {'':>5} {total_plan:>9} {total_naive:>10} "
        f"{'':>11} {total_plan / total_naive:>10.1%}"
    )
    if goal is None:
        print(f"goal: {GOAL_DOCUMENT} not found")
        return 1
    verdict = "PASS" if goal <= GOAL_RATIO else "MISS"
    print(f"goal: {GOAL_DOCUMENT} plan/naive {goal:.1%} <= {GOAL_RATIO:.0%}: {verdict}")
    if window:
        fits = "PASS" if misfits == 0 else f"MISS ({misfits} documents)"
        print(f"every call fits the {window}-token window: {fits}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
