"""The review on real documents: finding groups, places, counts per check, time; and, where
labels exist, precision / recall / F1 with the strict rule (quote and category agree).

    python -m benchmarks.real_docs [--reviewer rules] [--pack self-containment]
                                  [--min-confidence 0.5] [--verbose]
                                  [--set development|second|heldout] [--estimate] [PATH ...]

With no PATH it reviews the development set: ``../shared/corpus/seed-pdfs/*.pdf``,
``../shared/corpus/real/*`` and the labelled documents in ``tests/data/labelled/docs``
(labels in ``tests/data/labelled/labels``, one JSON per document: ``issues`` with
``category`` and verbatim ``quote``; ``non_issues`` with quotes a reviewer would not raise).
``--set second`` scores ``tests/data/labelled2`` instead: fourteen real documents from
repositories no earlier set had read, labelled by independent reviewers; development
material, but not calibration material (``tests/data/labelled2/README.md`` says why).
``--set heldout`` (or ``--heldout``) scores ``tests/data/heldout``: labelled by another
independent reviewer and kept out of development (only its totals are looked at).
A group counts as a true positive when any of its places matches a label
(:mod:`benchmarks.scoring`); precision and recall are over groups and labels.

``--reviewer`` takes any reviewer spec, so the LLM reviewers are measured the same way, on the
same labels: ``--reviewer anthropic`` (or ``openai``, ``google``, ``openai-compatible:<model>``
for a local model, ``rules+anthropic``...), configured as ``docsense.open`` configures it (the
``DOCSENSE_*`` settings, else the SDKs' own variables such as ``ANTHROPIC_API_KEY``). The
reviewer is built once, reused for every document and closed at the end; the run prints what
the model calls came to (calls, tokens, estimated cost) and every policy a document left
unassessed (refused, blocked, failed), since a policy the model never assessed finds nothing
and would otherwise read as low recall. ``--estimate`` plans the model calls of the run and
prints their estimated tokens and cost without calling the model (the reviewer is still
built, so its key must be set; nothing is sent).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from benchmarks.review_quality import configured_reviewer
from benchmarks.scoring import Label, Scored, Tally, match, reliability, text_overlaps

from docsense.adapters.ai.llm import LlmReviewer
from docsense.adapters.convert import convert_document
from docsense.domain.findings import Finding
from docsense.domain.review import PolicyOutcome, Usage
from docsense.errors import DocSenseError
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.ports import Reviewer
from docsense.review.engine import ReviewDocument, review_request, run_review
from docsense.review.reviewers import close_reviewers

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
LABELLED = ROOT / "tests" / "data" / "labelled"
#: A second labelled development set, not used for calibration.
SECOND = ROOT / "tests" / "data" / "labelled2"
#: A labelled set kept out of development: score it, do not tune on it.
HELDOUT = ROOT / "tests" / "data" / "heldout"


@dataclass
class Group:
    """One finding group as the benchmark reads it: what a reader sees as one line."""

    policy: str
    check: str
    title: str
    category: str
    confidence: float
    severity: str
    places: list[str] = field(default_factory=list)
    first_path: str = ""


def default_documents() -> list[Path]:
    """The development set, in a stable order."""
    paths = sorted((SHARED / "seed-pdfs").glob("*.pdf"))
    paths += sorted(
        p for p in (SHARED / "real").glob("*")
        if p.suffix in (".md", ".docx", ".pdf") and p.name != "README.md"
    )
    paths += sorted((LABELLED / "docs").glob("*"))
    return paths


def groups_of(findings: list[Finding]) -> list[Group]:
    """Each grouped finding as a Group with the quotes of all its places."""
    out = []
    for f in findings:
        quotes = [o.quote for o in f.occurrences] or ([f.quote] if f.quote else [])
        path = " / ".join(f.location.path[-2:]) if f.location else "-"
        out.append(Group(f.policy_id, f.check or f.source, f.title, f.category.value,
                         f.confidence, f.severity.value, quotes, path))
    return out


def _labels(path: Path) -> tuple[list[Label], list[str]] | None:
    file = path.parent.parent / "labels" / f"{path.stem}.json"
    if not file.exists():
        return None
    data = json.loads(file.read_text(encoding="utf-8"))
    labels = [Label(i["category"], i["quote"], i.get("title", "")) for i in data["issues"]]
    return labels, [n["quote"] for n in data.get("non_issues", [])]


@dataclass
class Reviewed:
    """One document's review as the benchmark reads it."""

    groups: list[Group]
    convert_seconds: float
    review_seconds: float
    pages: int
    usage: Usage = field(default_factory=Usage)
    not_assessed: tuple[PolicyOutcome, ...] = ()


async def review_file(path: Path, reviewer: Reviewer, pack: str) -> Reviewed:
    """Convert, extract and review ``path`` with ``reviewer`` (the caller closes it)."""
    data = await asyncio.to_thread(path.read_bytes)
    t0 = time.perf_counter()
    doc, pages = _document(path.name, data)
    t1 = time.perf_counter()
    outcome = await run_review(doc, [load_pack(pack)], reviewer, min_confidence=0.0)
    t2 = time.perf_counter()
    return Reviewed(groups_of(list(outcome.all_findings)), t1 - t0, t2 - t1, pages,
                    outcome.usage, outcome.not_assessed)


def _document(name: str, data: bytes) -> tuple[ReviewDocument, int]:
    """Convert and extract one file as a review would; return it and its page count."""
    converted = convert_document(data, name)
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    return ReviewDocument.from_converted(converted, ir, document_id=Path(name).stem), (
        converted.pages or 0
    )


def _models_of(reviewer: object) -> list[LlmReviewer]:
    """The LLM reviewers in ``reviewer`` (itself, or members of a combination or chain)."""
    if isinstance(reviewer, LlmReviewer):
        return [reviewer]
    return [m for member in getattr(reviewer, "members", ()) for m in _models_of(member)]


def estimate(paths: list[Path], reviewer: Reviewer, pack: str) -> list[str]:
    """Plan every model call the run would make; return lines on its tokens and cost.

    Tokens are the plan's estimates (``ceil(characters / 4)``); the cost ranges from the
    input alone to every answer at its output limit, at the registry's price for today.
    """
    models = _models_of(reviewer)
    if not models:
        return [f"{reviewer.spec}: no model is called, nothing to estimate"]
    loaded = load_pack(pack)
    requests = [review_request(_document(p.name, p.read_bytes())[0], [loaded]) for p in paths]
    lines = []
    for model in models:
        calls = [c for request in requests for c in model.plan(request).calls]
        tokens_in = sum(c.input_tokens for c in calls)
        tokens_out = sum(c.max_output_tokens for c in calls)
        price = model.model_info.price_on(date.today()) if model.model_info else None
        if price is None:
            cost = "cost unknown (no price for the model in the registry)"
        else:
            low = sum(price.cost(tokens_in=c.input_tokens, tokens_out=0) for c in calls)
            high = sum(price.cost(tokens_in=c.input_tokens, tokens_out=c.max_output_tokens)
                       for c in calls)
            cost = f"estimated cost ${low:.2f} (input) to ${high:.2f} (every answer at its limit)"
        lines.append(f"{model.spec}: {len(paths)} documents, {len(calls)} calls, about "
                     f"{tokens_in} input tokens, at most {tokens_out} output tokens; {cost}")
    return lines


async def review_all(paths: list[Path], reviewer: Reviewer, pack: str) -> list[Reviewed]:
    """Review every path with ``reviewer``, then close it (its connections)."""
    try:
        return [await review_file(path, reviewer, pack) for path in paths]
    finally:
        await close_reviewers([reviewer])


def model_use(reviewed: list[Reviewed]) -> list[str]:
    """Lines on what the model calls came to and which policies went unassessed, if any."""
    usage = sum((r.usage for r in reviewed), Usage())
    lines = []
    if usage.calls:
        cost = "unknown" if usage.cost_estimate is None else f"${usage.cost_estimate:.4f}"
        lines.append(
            f"model calls: {usage.calls}, tokens in {usage.tokens_in} (cached "
            f"{usage.tokens_cached}), out {usage.tokens_out}, refusals {usage.refusals}, "
            f"estimated cost {cost}"
        )
    unassessed = Counter(
        (o.reason.value if o.reason else "not_reviewed") for r in reviewed for o in r.not_assessed
    )
    if unassessed:
        reasons = ", ".join(f"{reason} {n}" for reason, n in unassessed.most_common())
        lines.append(
            f"policies not assessed: {sum(unassessed.values())} ({reasons}): their findings "
            f"are missing from the scores above"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--reviewer", default="rules")
    parser.add_argument("--pack", default="self-containment")
    parser.add_argument("--min-confidence", type=float, default=0.5,
                        help="groups below this are hidden by default (as in reports)")
    parser.add_argument("--verbose", action="store_true", help="list groups, misses, non-issues")
    parser.add_argument("--set", dest="doc_set", default="development",
                        choices=("development", "second", "heldout"),
                        help="which documents to review when no PATH is given: the development "
                        "set, the second labelled set (tests/data/labelled2) or the held-out "
                        "set (tests/data/heldout)")
    parser.add_argument("--heldout", action="store_true", help="the same as --set heldout")
    parser.add_argument("--estimate", action="store_true",
                        help="print the model calls' estimated tokens and cost; call nothing")
    args = parser.parse_args(argv)
    folder = {"second": SECOND, "heldout": HELDOUT}.get(
        "heldout" if args.heldout else args.doc_set
    )
    paths = args.paths or (
        sorted((folder / "docs").glob("*")) if folder is not None else default_documents()
    )
    try:
        reviewer = configured_reviewer(args.reviewer, args.pack)
    except DocSenseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.estimate:
        try:
            for line in estimate(paths, reviewer, args.pack):
                print(line)
        finally:
            asyncio.run(close_reviewers([reviewer]))
        return 0
    reviewed = asyncio.run(review_all(paths, reviewer, args.pack))
    shown_tally, all_tally = Tally(), Tally()
    scored_shown: list[Scored] = []
    print(f"real documents: reviewer={args.reviewer} pack={args.pack} "
          f"min_confidence={args.min_confidence}")
    print(f"{'document':44s} {'groups':>6s} {'all':>4s} {'places':>6s} {'convert':>8s} "
          f"{'review':>7s} {'P':>5s} {'R':>5s} {'non-issues hit':>14s}")
    per_check: Counter[str] = Counter()
    times: list[float] = []
    for path, result in zip(paths, reviewed, strict=True):
        groups, pages = result.groups, result.pages
        t_convert, t_review = result.convert_seconds, result.review_seconds
        times.append(t_review)
        shown = [g for g in groups if g.confidence >= args.min_confidence]
        for g in shown:
            per_check[f"{g.policy} {g.check}"] += 1
        labelled = _labels(path)
        p_r = "    -     -"
        hits_non = "-"
        if labelled is not None:
            labels, non_issues = labelled
            for tally, chosen in ((all_tally, groups), (shown_tally, shown)):
                fresh = [Label(lab.category, lab.quote, lab.title) for lab in labels]
                scored = [Scored(g.category, g.places, f"{g.policy} {g.check}",
                                 g.confidence, g.title) for g in chosen]
                match(scored, fresh)
                tally.add(scored, fresh)
                if chosen is shown:
                    scored_shown.extend(scored)
                    doc_tally = Tally()
                    doc_tally.add(scored, fresh)
                    p, r, _ = doc_tally.prf()
                    p_r = f"{p:5.2f} {r:5.2f}"
                    hits_non = str(sum(
                        any(text_overlaps(q, n) for q in g.places) for g in chosen
                        for n in non_issues
                    ))
                    if args.verbose:
                        for s in scored:
                            verdict = "TP" if s.matched else "FP"
                            if s.misfiled_as:
                                verdict += f" (labelled {s.misfiled_as})"
                            print(f"    {verdict} [{s.category}] {s.title} "
                                  f"{s.quotes[0][:90]!r}" if s.quotes else f"    {s.title}")
                        for lab in fresh:
                            if not lab.found:
                                print(f"    MISS [{lab.category}] {lab.title}: {lab.quote[:90]!r}")
        elif args.verbose:
            for g in sorted(shown, key=lambda g: -g.confidence):
                print(f"    {g.confidence:.2f} x{len(g.places):<3} {g.title[:60]} "
                      f"{(g.places[0] if g.places else '')[:80]!r} @ {g.first_path[:50]}")
        size = f" ({pages} p.)" if pages else ""
        print(f"{(path.name + size)[:44]:44s} {len(shown):6d} {len(groups):4d} "
              f"{sum(len(g.places) for g in shown):6d} {t_convert:7.2f}s {t_review:6.2f}s "
              f"{p_r} {hits_non:>14s}")
    for name, tally in (("shown", shown_tally), ("all", all_tally)):
        if tally.labels:
            p, r, f1 = tally.prf()
            print(f"labelled documents, {name} groups: precision={p:.3f} recall={r:.3f} "
                  f"F1={f1:.3f} (true groups {tally.true_groups}/{tally.groups}, labels found "
                  f"{tally.found}/{tally.labels})")
            if name == "shown":
                p, r, f1 = tally.prf_places_only()
                print(f"labelled documents, shown groups, category ignored (an upper bound, not "
                      f"the scoring rule): precision={p:.3f} recall={r:.3f} F1={f1:.3f}")
    if shown_tally.by_check:
        print("\nper check on labelled documents (shown groups): groups, true, precision")
        for check, (n, tp) in sorted(shown_tally.by_check.items(), key=lambda kv: -kv[1][0]):
            print(f"  {check[:60]:60s} {n:4d} {tp:4d} {tp / n:6.2f}")
        print("\nrecall per label category (shown groups): labels, found, recall")
        for category, (n, found) in sorted(shown_tally.by_category.items(),
                                           key=lambda kv: -kv[1][0]):
            print(f"  {category:60s} {n:4d} {found:4d} {found / n:6.2f}")
        misfiled = shown_tally.misfiled
        print(f"\nfalse groups at a labelled place under another category: "
              f"{sum(misfiled.values())} of {shown_tally.groups - shown_tally.true_groups}")
        for (said, label), n in sorted(misfiled.items(), key=lambda kv: -kv[1]):
            print(f"  said {said:28s} label {label:28s} {n:4d}")
        print("\nreliability (shown groups): confidence, groups, observed precision")
        for band, n, prec in reliability(scored_shown):
            print(f"  {band}  {n:4d}  {prec:.2f}")
    print("\ngroups per check, all documents: " + ", ".join(
        f"{k}={v}" for k, v in per_check.most_common()))
    print(f"review time: median {statistics.median(times):.2f}s, max {max(times):.2f}s")
    for line in model_use(reviewed):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
