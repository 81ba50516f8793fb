"""Review quality on the labelled seed corpus: recall, precision and F1, per issue.

    python benchmarks/review_quality.py [--reviewer rules] [--pack self-containment]
                                        [--corpus ../shared/corpus/seed-docs]
                                        [--min-confidence 0.5] [--verbose]

Each seed DOCX is converted, its IR extracted, and reviewed; the findings are matched to the
labels of the document's JSON file. A finding is a group: one point about one subject, with
every place it occurs; the benchmark counts groups, and a group matches a label when any of
its places does:

- a label with ``original_text`` is found when a place's quote and that text overlap: one
  contains the other (case and punctuation ignored), or they share at least half of the
  shorter one's content words. Label texts that are not document text are read as follows:
  quoted fragments (``"Section 1: '10 years' vs Section 2: '5 consecutive years'"``) stand for
  themselves when they are in the document; otherwise the label counts as a label without
  text;
- a label without text is found when a finding of the same category has a place in the
  labelled section ("Section 2 - ..." -> the heading numbered 2), or anywhere in the document
  when the label says "Throughout" or names no section of the document;
- a finding (group) is a true positive when it matches any label.

The rule above accepts a place that overlaps a label's text whatever the finding's category
(the seed labels' categories were written for a different taxonomy's boundaries). The
benchmark also prints the scores with **the category required to agree** as well, as the
real-document benchmark (``benchmarks/real_docs.py``) always does; quote both.

Recall = labels found / labels; precision = true-positive findings / findings; per category,
recall is over the labels of that category and precision over the findings of that category.
"Clean documents" are those whose JSON says ``"clean": true``, and in the seed corpus
doc_01_clean and doc_11_perfect_compliance. ``--corpus`` scores any folder of ``doc_*.docx``
files with JSON labels in the seed format (e.g. ``tests/data/synthetic/heldout``).

Scores are for the findings at or above ``--min-confidence`` (the default threshold, what
users see). The reliability tables use every finding, below the threshold too: per check and
per confidence band, how many findings there are, their mean confidence and how many are
true positives (a calibrated check is right about as often as its confidence says).
``--verbose`` lists the labels missed (``MISS``), the false groups (``FP``) and the groups
right by the quote but not by the category (``CAT``, with the label's category).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from docsense.adapters.convert import convert_document
from docsense.config import Settings
from docsense.domain.findings import DEFAULT_MIN_CONFIDENCE, Finding
from docsense.errors import DocSenseError
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.ports import Reviewer
from docsense.review.engine import ReviewDocument, run_review
from docsense.review.reviewers import close_reviewers, provider_options, resolve_reviewer

if __package__ in (None, ""):  # run by path (python benchmarks/review_quality.py): the
    # repository root makes the shared scoring module importable as under pytest and -m
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.scoring import norm, prf, text_overlaps

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed-docs"
CLEAN_DOCS = ("doc_01_clean", "doc_11_perfect_compliance")
@dataclass
class Label:
    category: str
    location: str
    texts: list[str]
    sections: set[int]
    anywhere: bool
    title: str
    found: bool = False

    def unfound(self) -> Label:
        """A copy of this label, not yet found."""
        return replace(self, found=False)


@dataclass
class DocResult:
    name: str
    labels: list[Label]
    findings: list[Finding]
    tp: list[bool] = field(default_factory=list)
    seconds: float = 0.0
    end_to_end: float = 0.0
    clean: bool = False


def _section_numbers(path: tuple[str, ...]) -> set[int]:
    out = set()
    for heading in path:
        m = re.match(r"\s*(?:section\s+)?(\d+)[.):\s]", heading + " ", re.IGNORECASE)
        if m:
            out.add(int(m.group(1)))
    return out


def _labels(meta: dict[str, object], markdown: str, doc_sections: set[int]) -> list[Label]:
    out = []
    norm_doc = norm(markdown)
    issues = meta.get("issues", [])
    assert isinstance(issues, list)
    for issue in issues:
        location = str(issue.get("location") or "")
        text = str(issue.get("original_text") or "")
        texts: list[str] = []
        if text and norm(text) and norm(text) in norm_doc:
            texts = [text]
        elif text:
            texts = [f for f in re.findall(r"'([^']+)'", text) if norm(f) in norm_doc]
        numbers = {int(n) for n in re.findall(r"\bsections?\s+(\d+)", location, re.IGNORECASE)}
        numbers |= {int(n) for n in re.findall(r"\band\s+(\d+)\b", location)}
        anywhere = "throughout" in location.lower() or not (numbers & doc_sections)
        out.append(
            Label(str(issue["category"]), location, texts, numbers, anywhere, str(issue["title"]))
        )
    return out


def label_matches(f: Finding, label: Label, *, category_agrees: bool = False) -> bool:
    """True if any place of the group ``f`` matches ``label`` (see the module docstring).

    ``category_agrees`` also requires the finding's category to be the label's where the
    label has text (labels without text are matched by category anyway).
    """
    if label.texts:
        if category_agrees and f.category.value != label.category:
            return False
        return any(text_overlaps(o.quote, t) for o in f.occurrences for t in label.texts)
    if f.category.value != label.category:
        return False
    if label.anywhere:
        return True
    return any(bool(_section_numbers(o.location.path) & label.sections) for o in f.occurrences)


def _short(name: str) -> str:
    """A document's name up to its number: "doc_101" of "doc_101_options_delta_hedging"."""
    head, _, rest = name.partition("_")
    number = rest.split("_", 1)[0]
    return f"{head}_{number}" if number.isdigit() else name[:6]


def _places(findings: list[Finding]) -> int:
    return sum(len(f.occurrences) for f in findings)


def configured_reviewer(spec: str, pack: str) -> Reviewer:
    """Check that ``pack`` loads, then build ``spec``'s reviewer as ``docsense.open`` would.

    The ``DOCSENSE_*`` settings configure the providers (keys, base URLs, timeouts). Raises
    the :class:`~docsense.errors.DocSenseError` that says what is wrong with either.
    """
    load_pack(pack)
    return resolve_reviewer(spec, provider_options=provider_options(Settings.load()))


async def _review_one(path: Path, reviewer: Reviewer, pack_name: str) -> DocResult:
    pack = load_pack(pack_name)
    data = await asyncio.to_thread(path.read_bytes)
    meta = json.loads(await asyncio.to_thread(path.with_suffix(".json").read_text, "utf-8"))
    t0 = time.perf_counter()
    converted = convert_document(data, path.name)
    ir = extract_ir(converted.markdown, converted.sections)
    doc = ReviewDocument.from_converted(converted, ir, document_id=path.stem)
    t1 = time.perf_counter()
    # Every finding, so that the reliability tables see those below the threshold too.
    outcome = await run_review(doc, [pack], reviewer, min_confidence=0.0)
    t2 = time.perf_counter()
    numbers = set()
    for sec in converted.sections:
        numbers |= _section_numbers((sec.heading,))
    labels = _labels(meta, converted.markdown, numbers)
    clean = meta.get("clean") is True or path.stem in CLEAN_DOCS
    return DocResult(path.stem, labels, list(outcome.findings), seconds=t2 - t1,
                     end_to_end=t2 - t0, clean=clean)


def _at_threshold(results: list[DocResult], threshold: float, *,
                  category_agrees: bool = False) -> list[DocResult]:
    """Each result scored on its findings at or above ``threshold``."""
    out = []
    for res in results:
        kept = [f for f in res.findings if f.confidence >= threshold]
        labels = [lab.unfound() for lab in res.labels]
        tp = []
        for f in kept:
            hits = [lab for lab in labels if label_matches(f, lab, category_agrees=category_agrees)]
            for lab in hits:
                lab.found = True
            tp.append(bool(hits))
        out.append(DocResult(res.name, labels, kept, tp, res.seconds, res.end_to_end,
                             res.clean))
    return out


_BANDS = ((0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))


def _reliability(findings: list[tuple[Finding, bool]]) -> None:
    print("reliability per check (every finding, below the threshold too):")
    print(f"  {'check':30s} {'findings':>8s} {'tp':>4s} {'precision':>9s} {'mean conf':>9s}")
    by_check: dict[str, list[tuple[Finding, bool]]] = {}
    for f, tp in findings:
        by_check.setdefault(f.check or f.source, []).append((f, tp))
    for check, items in sorted(by_check.items()):
        n_tp = sum(tp for _, tp in items)
        mean = statistics.fmean(f.confidence for f, _ in items)
        print(f"  {check:30s} {len(items):8d} {n_tp:4d} {n_tp / len(items):9.3f} {mean:9.3f}")
    print("reliability per confidence band:")
    print(f"  {'band':12s} {'findings':>8s} {'tp':>4s} {'precision':>9s} {'mean conf':>9s}")
    for lo, hi in _BANDS:
        items = [(f, tp) for f, tp in findings if lo <= f.confidence < hi]
        if not items:
            continue
        n_tp = sum(tp for _, tp in items)
        mean = statistics.fmean(f.confidence for f, _ in items)
        band = f"[{lo:.1f}, {min(hi, 1.0):.1f}{']' if hi > 1 else ')'}"
        print(f"  {band:12s} {len(items):8d} {n_tp:4d} {n_tp / len(items):9.3f} {mean:9.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviewer", default="rules", help="reviewer spec (default: rules)")
    parser.add_argument("--pack", default="self-containment", help="pack name or file")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list misses and false alarms")
    parser.add_argument(
        "--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE,
        help=f"score the findings at or above this confidence (default {DEFAULT_MIN_CONFIDENCE})",
    )
    args = parser.parse_args(argv)
    if not 0.0 <= args.min_confidence <= 1.0:
        print("error: --min-confidence is a number in [0, 1]", file=sys.stderr)
        return 2
    paths = sorted(args.corpus.glob("doc_*.docx"))
    if not paths:
        print(f"error: no doc_*.docx in {args.corpus}", file=sys.stderr)
        return 2
    try:
        reviewer = configured_reviewer(args.reviewer, args.pack)
    except DocSenseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    async def run_all() -> list[DocResult]:
        try:  # one reviewer for every document, closed at the end (LLM connection pools)
            return [await _review_one(p, reviewer, args.pack) for p in paths]
        finally:
            await close_reviewers([reviewer])

    every = _at_threshold(asyncio.run(run_all()), 0.0)
    all_findings = [(f, tp) for r in every for f, tp in zip(r.findings, r.tp, strict=True)]
    results = _at_threshold(every, args.min_confidence)
    agreeing = _at_threshold(every, args.min_confidence, category_agrees=True)
    a_tp = sum(sum(r.tp) for r in agreeing)
    a_found = sum(lab.found for r in agreeing for lab in r.labels)
    labels = [lab for r in results for lab in r.labels]
    findings = [(f, tp) for r in results for f, tp in zip(r.findings, r.tp, strict=True)]
    n_tp = sum(tp for _, tp in findings)
    n_found = sum(lab.found for lab in labels)
    p, r, f1 = prf(n_tp, len(findings), n_found, len(labels))
    places = _places([f for f, _ in findings])
    print(f"review quality: reviewer={args.reviewer} pack={args.pack} "
          f"documents={len(results)} labels={len(labels)} min_confidence={args.min_confidence}")
    print(f"findings (groups)={len(findings)} at {places} places; below the threshold: "
          f"{len(all_findings) - len(findings)} groups")
    print(f"overall  precision={p:.3f}  recall={r:.3f}  F1={f1:.3f}  "
          f"(true-positive groups {n_tp}/{len(findings)}, labels found {n_found}/{len(labels)})")
    ap, ar, af1 = prf(a_tp, len(findings), a_found, len(labels))
    print(f"category must agree  precision={ap:.3f}  recall={ar:.3f}  F1={af1:.3f}  "
          f"(true-positive groups {a_tp}/{len(findings)}, labels found {a_found}/{len(labels)})")
    print()
    print(f"{'category':26s} {'labels':>6s} {'found':>5s} {'findings':>8s} {'places':>6s} "
          f"{'tp':>4s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    cats = sorted({lab.category for lab in labels} | {f.category.value for f, _ in findings})
    for cat in cats:
        cl = [lab for lab in labels if lab.category == cat]
        cf = [(f, tp) for f, tp in findings if f.category.value == cat]
        ctp = sum(tp for _, tp in cf)
        cfound = sum(lab.found for lab in cl)
        cp, cr, cf1 = prf(ctp, len(cf), cfound, len(cl))
        cplaces = _places([f for f, _ in cf])
        print(f"{cat:26s} {len(cl):6d} {cfound:5d} {len(cf):8d} {cplaces:6d} {ctp:4d} "
              f"{cp:6.3f} {cr:6.3f} {cf1:6.3f}")
    print()
    print("findings on clean documents:")
    for res in results:
        if res.clean:
            print(f"  {res.name}: {len(res.findings)}")
            for f, tp in zip(res.findings, res.tp, strict=True):
                print(f"    [{f.category.value}] {f.quote!r} x{len(f.occurrences)} "
                      f"({'matches a label' if tp else 'FP'})")
    print()
    per_doc = Counter({res.name: len(res.findings) for res in results})
    per_doc_places = {res.name: _places(res.findings) for res in results}
    print("findings (places) per document: " + ", ".join(
        f"{_short(k)}={v} ({per_doc_places[k]})" for k, v in sorted(per_doc.items())))
    times = [res.seconds for res in results]
    e2e = [res.end_to_end for res in results]
    print(f"review time per document: median {statistics.median(times) * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms (convert + extract + review: median "
          f"{statistics.median(e2e) * 1000:.1f} ms, max {max(e2e) * 1000:.1f} ms)")
    print()
    _reliability(all_findings)
    if args.verbose:
        print()
        for res in results:
            for lab in res.labels:
                if not lab.found:
                    print(f"MISS {res.name} [{lab.category}] {lab.location}: {lab.title} "
                          f"{lab.texts or ''}")
            for f, tp in zip(res.findings, res.tp, strict=True):
                where = "/".join(f.location.path[1:]) if f.location else "-"
                if not tp:
                    print(f"FP   {res.name} [{f.category.value}] {where}: {f.quote!r} "
                          f"x{len(f.occurrences)}")
                elif not any(label_matches(f, lab, category_agrees=True) for lab in res.labels):
                    # Right by the quote, wrong by the category: counted only by the own rule.
                    wanted = sorted({lab.category for lab in res.labels if label_matches(f, lab)})
                    print(f"CAT  {res.name} [{f.category.value}, labelled {', '.join(wanted)}] "
                          f"{where}: {f.quote!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
