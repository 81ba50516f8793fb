"""Measure each check's precision on the labelled material and write the calibration table.

    python -m benchmarks.calibrate [--pack self-containment] [--dry-run]

Labelled material: the seed corpus (``../shared/corpus/seed-docs``, synthetic, labels in
``doc_NN_*.json``) and the real documents in ``tests/data/labelled`` (labels by an
independent reviewer). Every check of the pack runs on every document; its hits are grouped
as the review groups them (by subject), and a group is confirmed when a label agrees with it:
same category and a quote overlapping the label's text (:mod:`benchmarks.scoring`), or, for a
seed label that quotes nothing, the same category in the labelled section. The counts per
(check, family) go to ``src/docsense/review/checks/calibration.json``, which the rules
reviewer reads (:mod:`docsense.review.checks.calibration`).

Audited findings (``tests/data/audits/*.json``: findings on real documents an independent
reviewer judged valid, partly valid or invalid) count too, as 1, 0.5 and 0, in the style of
their document (``CheckContext.style``: ``brief`` or ``rulebook``; an audit of documents the
repository does not keep records it as ``style``), with the prior 0.5.

It also prints a reliability table: for confidence bands, how many groups and how many were
right, before (the checks' priors) and after calibration.

``--synthetic`` adds the synthetic development sets (``tests/data/synthetic/development*``,
the seed format; never the held-out set) to the material, and ``--leave-out development3``
leaves one of them out, so that the set can be scored as material the calibration never saw.
They are not in the shipped table: calibrated on them, each synthetic set scored better out
of sample, but the 103 audited real documents got 26 more finding groups, nearly all wrong
(short documents with planted contradictions make a contradiction look more certain than it
is in a long rulebook; ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import benchmarks.review_quality as seed
from benchmarks.scoring import text_overlaps

from docsense.adapters.convert import convert_document
from docsense.domain.policies import CheckKind
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.review.checks.base import CheckContext, CheckHit
from docsense.review.checks.calibration import Calibration, Measured, check_table, family_of
from docsense.review.checks.registry import default_registry

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "labelled"
TABLE = ROOT / "src" / "docsense" / "review" / "checks" / "calibration.json"

Matcher = Callable[[str, str, CheckContext, CheckHit], bool]


def _seed_format_documents(
    folder: Path, prefix: str = ""
) -> Iterator[tuple[str, bytes, Callable[[str], Matcher]]]:
    """The ``doc_*.docx`` files of ``folder`` with matchers for their seed-format labels."""
    for path in sorted(folder.glob("doc_*.docx")):
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))

        def matcher(markdown: str, meta: dict[str, object] = meta) -> Matcher:
            return _seed_matcher(markdown, meta)

        yield prefix + path.name, path.read_bytes(), matcher


def _seed_matcher(markdown: str, meta: dict[str, object]) -> Matcher:
    doc_sections: set[int] = set()
    from docsense.extraction._text import heading_sections

    for sec in heading_sections(markdown):
        doc_sections |= seed._section_numbers((sec.heading,))
    labels = seed._labels(meta, markdown, doc_sections)

    def matches(category: str, quote: str, ctx: CheckContext, hit: CheckHit) -> bool:
        for lab in labels:
            if lab.category != category:
                continue
            if lab.texts:
                if quote and any(text_overlaps(quote, t) for t in lab.texts):
                    return True
                continue
            if lab.anywhere:
                return True
            path = [s.heading for s in ctx.sections if s.start <= hit.start < s.end]
            if seed._section_numbers(tuple(path)) & lab.sections:
                return True
        return False

    return matches


SYNTHETIC = ROOT / "tests" / "data" / "synthetic"


def synthetic_sets() -> list[Path]:
    """The synthetic development sets, in name order (the held-out set is never material)."""
    return sorted(p for p in SYNTHETIC.glob("development*") if p.is_dir())


def _synthetic_documents(
    leave_out: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, bytes, Callable[[str], Matcher]]]:
    for folder in synthetic_sets():
        if folder.name not in leave_out:
            yield from _seed_format_documents(folder, f"{folder.name}/")


def _real_documents() -> Iterator[tuple[str, bytes, Callable[[str], Matcher]]]:
    for label_file in sorted((LABELLED / "labels").glob("*.json")):
        data = json.loads(label_file.read_text(encoding="utf-8"))
        path = LABELLED / data["document"]
        issues = [(i["category"], i["quote"]) for i in data["issues"]]

        def matcher(markdown: str, issues: list[tuple[str, str]] = issues) -> Matcher:
            def matches(category: str, quote: str, ctx: CheckContext, hit: CheckHit) -> bool:
                return bool(quote) and any(
                    c == category and text_overlaps(quote, q) for c, q in issues
                )

            return matches

        yield path.name, path.read_bytes(), matcher


# check, family, style, prior confidence, confirmed (1 right, 0.5 partly right, 0 wrong)
Record = tuple[str, str, str, float, float]
AUDITS = ROOT / "tests" / "data" / "audits"
CORPUS = ROOT.parent / "shared" / "corpus"
_VERDICT = {"valid": 1.0, "partly": 0.5, "invalid": 0.0}


def measure(pack_name: str, leave_out: frozenset[str] = frozenset()) -> list[Record]:
    """Run every check on every labelled document; one record per finding group.

    ``leave_out`` names synthetic development sets (folder names) not to use.
    """
    pack = load_pack(pack_name)
    registry = default_registry()
    records: list[Record] = []
    documents = [*_seed_format_documents(seed.DEFAULT_CORPUS),
                 *_synthetic_documents(leave_out), *_real_documents()]
    for name, data, make_matcher in documents:
        converted = convert_document(data, Path(name).name)
        ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
        ctx = CheckContext(converted.markdown, converted.sections, ir)
        matches = make_matcher(converted.markdown)
        for policy in pack.policies:
            for check in policy.checks:
                check_name = check.param("check") if check.kind is CheckKind.IR else (
                    check.kind.value
                )
                groups: dict[str, list[CheckHit]] = defaultdict(list)
                for hit in registry.run(ctx, check):
                    subject = hit.subject or hit.title
                    key = " ".join(unicodedata.normalize("NFKC", subject).casefold().split())
                    groups[key].append(hit)
                for hits in groups.values():
                    first = hits[0]
                    category = (first.category or policy.category).value
                    confirmed = any(
                        matches(category, ctx.markdown[h.start : h.end], ctx, h) for h in hits
                    )
                    prior = max(h.confidence for h in hits)
                    records.append(
                        (check_name, family_of(first.title), ctx.style, prior, float(confirmed))
                    )
    return records + list(_audited(registry, pack))


def _audited(registry: object, pack: object) -> Iterator[Record]:
    """Audited findings (tests/data/audits): each judged group is one record of its style."""
    styles: dict[str, str] = {}
    for file in sorted(AUDITS.glob("*.json")):
        for row in json.loads(file.read_text(encoding="utf-8"))["findings"]:
            doc = str(row["document"])
            if "style" in row:  # recorded with the audit: a document not kept in the repository
                styles.setdefault(doc, str(row["style"]))
            if doc not in styles:
                path = CORPUS / doc.removeprefix("corpus:") if doc.startswith("corpus:") else (
                    ROOT / doc
                )
                converted = convert_document(path.read_bytes(), path.name)
                ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
                styles[doc] = CheckContext(converted.markdown, converted.sections, ir).style
            yield (str(row["check"]), family_of(str(row["title"])), styles[doc], 0.5,
                   _VERDICT[str(row["verdict"])])


def _reliability(rows: list[tuple[float, float]], label: str) -> None:
    print(f"\nreliability, {label}: band, groups, right, observed precision")
    for lo, hi in ((0.0, 0.3), (0.3, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9),
                   (0.9, 1.01)):
        inside = [ok for c, ok in rows if lo <= c < hi]
        if inside:
            print(f"  {lo:.1f}-{min(hi, 1.0):.1f}  {len(inside):4d}  {sum(inside):6.1f}  "
                  f"{sum(inside) / len(inside):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pack", default="self-containment")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the table")
    parser.add_argument("--markdown", action="store_true",
                        help="print the check table of docs/concepts/rules-reviewer.md and stop")
    parser.add_argument("--synthetic", action="store_true",
                        help="calibrate on the synthetic development sets too (an experiment)")
    parser.add_argument("--leave-out", action="append", default=[], metavar="SET",
                        help="with --synthetic: a set not to calibrate on (repeatable)")
    args = parser.parse_args(argv)
    if args.markdown:
        print(check_table())
        return 0
    known = {p.name for p in synthetic_sets()}
    unknown = sorted(set(args.leave_out) - known)
    if unknown:
        parser.error(f"no synthetic development set {', '.join(unknown)} (known: "
                     f"{', '.join(sorted(known))})")
    if args.leave_out and not args.synthetic:
        parser.error("--leave-out needs --synthetic")
    leave_out = frozenset(args.leave_out if args.synthetic else known)
    records = measure(args.pack, leave_out)
    used = sorted(known - leave_out)
    counted = sum(len(list((SYNTHETIC / n).glob("doc_*.docx"))) for n in used)
    synthetic = (f"tests/data/synthetic/{{{','.join(used)}}} ({counted} synthetic DOCX, "
                 "labelled) + " if used else "")
    counts: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for check, family, style, _, confirmed in records:
        counts[(check, family, style)][0] += 1
        counts[(check, family, style)][1] += confirmed
    table = {
        "generated": datetime.now(UTC).date().isoformat(),
        "command": "python -m benchmarks.calibrate",
        "pack": args.pack,
        "material": "seed corpus (20 synthetic DOCX, labelled) + "
        f"{synthetic}tests/data/labelled (9 real documents, labelled by an independent reviewer) + "
        "tests/data/audits (rules-reviewer findings on real documents judged by an "
        "independent reviewer)",
        "checks": [
            {"check": c, "family": f, "style": st, "groups": int(n), "confirmed": tp}
            for (c, f, st), (n, tp) in sorted(counts.items())
        ],
    }
    print(f"{'check':30s} {'family':44s} {'style':8s} {'groups':>6s} {'right':>5s} {'P':>5s}")
    for (c, f, st), (n, tp) in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1][0])):
        print(f"{c[:30]:30s} {f[:44]:44s} {st:8s} {int(n):6d} {tp:5g} {tp / n:5.2f}")
    _reliability([(p, ok) for _, _, _, p, ok in records], "static priors")
    calibration = Calibration({k: Measured(int(n), tp) for k, (n, tp) in counts.items()})
    _reliability(
        [(calibration.confidence(c, f, p, st), ok) for c, f, st, p, ok in records],
        "calibrated (in-sample)",
    )
    if not args.dry_run:
        TABLE.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
