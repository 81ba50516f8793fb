"""Ingest benchmark: docsense conversion + IR against markitdown, pypdf and pypdfium2.

Run::

    .venv/bin/python benchmarks/ingest.py             # 5 timed runs per tool (~4 minutes)
    .venv/bin/python benchmarks/ingest.py --runs 2    # quicker

Inputs: ``../shared/corpus/seed-pdfs/*.pdf`` (193 pages) and ``../shared/corpus/seed-docs/*.docx``
(20 files), resolved relative to the repository root.

Method: every tool runs in its own fresh subprocess (so its peak RSS is its own), imports its
library, converts every input once untimed (warm-up), then ``--runs`` timed passes over all
inputs; the table shows the median pass, in wall-clock seconds and in the process's CPU
seconds (the CPU figure moves much less when other work shares the cores). Peak RSS is
``VmHWM`` from ``/proc/self/status`` (``ru_maxrss`` survives ``exec`` on Linux and would
report the parent's peak), falling back to ``ru_maxrss`` elsewhere. Rows:

* ``docsense ingest`` - ``convert_document`` + ``extract_ir`` (full ingest: sniffing, limits,
  Markdown, sections, IR);
* ``docsense convert`` - ``convert_document`` only;
* ``markitdown`` - ``MarkItDown().convert(path)`` (0.1.9; PDFs via pdfminer, DOCX via mammoth);
* ``pypdf`` - ``PdfReader`` + ``page.extract_text()`` for every page (plain text only);
* ``pypdfium2`` - ``get_textpage().get_text_range()`` for every page (plain text only, the
  engine docsense uses: the floor for any structure recovery on top of it).

The ABGSD012.pdf RSS and pages/s goals are measured by a separate docsense process that
converts only that file. After its timed runs, each of docsense and markitdown converts each
PDF once more for the structure table: Markdown headings, pipe-table rows, ``_{}``/``^{}``
sub- and superscripts, and the title docsense reads. The hostile-input rows time the
rejection of a 1 GiB zip bomb DOCX and of a 5,000-page PDF against the default 500-page
limit, each in a fresh process.

IR recall compares ``extract_ir`` on the 20 seed DOCX files with the ``expected_semantic_ir``
labels in their JSON files. The labels are imperfect (see the printed notes): a definition
label counts as found when an extracted defined term (or alias) names the same thing, and
in the looser column also when a formula or parameter is named by it; a formula label counts
as found when an extracted formula's text appears in the labelled expression (or the other
way round); a cross-reference label when a reference to the same target was extracted.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
PDFS = sorted((CORPUS / "seed-pdfs").glob("*.pdf"))
DOCXS = sorted((CORPUS / "seed-docs").glob("*.docx"))
TOOLS = ("docsense", "docsense-convert", "markitdown", "pypdf", "pypdfium2")
GOAL_PAGES_PER_S = 100.0
GOAL_VS_MARKITDOWN = 5.0
GOAL_RSS_MB = 200.0


def peak_rss_mb() -> float:
    """Peak resident set size of this process image, in MiB."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- workers (one per subprocess) -------------------------------------------------------------


def _converter(tool: str) -> Callable[[Path], int]:
    """Return a function converting one file and returning the characters produced."""
    if tool in ("docsense", "docsense-convert"):
        from docsense.adapters.convert import convert_document
        from docsense.extraction import extract_ir

        full = tool == "docsense"

        def run_docsense(path: Path) -> int:
            doc = convert_document(path.read_bytes(), path.name)
            if full:
                extract_ir(doc.markdown, doc.sections, doc.anchors)
            return len(doc.markdown)

        return run_docsense
    if tool == "markitdown":
        from markitdown import MarkItDown

        converter = MarkItDown()

        def run_markitdown(path: Path) -> int:
            return len(converter.convert(str(path)).text_content)

        return run_markitdown
    if tool == "pypdf":
        from pypdf import PdfReader

        def run_pypdf(path: Path) -> int:
            reader = PdfReader(io.BytesIO(path.read_bytes()))
            return sum(len(page.extract_text()) for page in reader.pages)

        return run_pypdf
    if tool == "pypdfium2":
        import pypdfium2 as pdfium

        def run_pdfium(path: Path) -> int:
            pdf = pdfium.PdfDocument(path.read_bytes())
            total = 0
            for index in range(len(pdf)):
                page = pdf[index]
                textpage = page.get_textpage()
                total += len(textpage.get_text_range())
                textpage.close()
                page.close()
            pdf.close()
            return total

        return run_pdfium
    raise SystemExit(f"unknown tool {tool}")


def worker(tool: str, files: list[Path], runs: int) -> dict[str, Any]:
    """Time ``tool`` over ``files``: one warm-up pass, then ``runs`` timed passes."""
    started = time.perf_counter()
    convert = _converter(tool)
    import_s = time.perf_counter() - started
    per_file: dict[str, list[float]] = {f.name: [] for f in files}
    totals: list[float] = []
    cpu_totals: list[float] = []
    errors: dict[str, str] = {}
    for attempt in range(runs + 1):
        pass_total = 0.0
        cpu_start = time.process_time()
        for path in files:
            t0 = time.perf_counter()
            try:
                convert(path)
            except Exception as exc:  # a tool failing on an input is a result, not a crash
                errors[path.name] = f"{type(exc).__name__}: {exc}"[:200]
            elapsed = time.perf_counter() - t0
            pass_total += elapsed
            if attempt:
                per_file[path.name].append(elapsed)
        if attempt:
            totals.append(pass_total)
            cpu_totals.append(time.process_time() - cpu_start)
    return {
        "tool": tool,
        "import_s": import_s,
        "median_s": statistics.median(totals),
        "median_cpu_s": statistics.median(cpu_totals),
        "per_file_s": {name: statistics.median(ts) for name, ts in per_file.items()},
        "peak_rss_mb": peak_rss_mb(),
        "errors": errors,
        "structure": {path.name: structure(tool, path) for path in files if path.suffix == ".pdf"}
        if tool in ("docsense", "markitdown")
        else {},
    }


def structure(tool: str, path: Path) -> dict[str, Any]:
    """What a tool's Markdown says about a PDF's structure (counted after the timed runs)."""
    title: str | None = None
    if tool == "markitdown":
        from markitdown import MarkItDown

        markdown = MarkItDown().convert(str(path)).text_content
    else:
        from docsense.adapters.convert import convert_document

        doc = convert_document(path.read_bytes(), path.name)
        markdown, title = doc.markdown, doc.title
    lines = markdown.splitlines()
    return {
        "headings": sum(1 for line in lines if re.match(r"#{1,6} ", line)),
        "table_rows": sum(1 for line in lines if line.startswith("|") and "---" not in line),
        "scripts": len(re.findall(r"[_^]\{", markdown)),
        "title": title,
    }


def hostile_worker(kind: str, path: Path) -> dict[str, Any]:
    """Time the rejection of one hostile input in a fresh process."""
    from docsense.adapters.convert import convert_document
    from docsense.errors import IngestError

    data = path.read_bytes()
    t0 = time.perf_counter()
    try:
        convert_document(data, path.name)
        outcome = "accepted (!)"
    except IngestError as exc:
        outcome = type(exc).__name__
    return {
        "kind": kind,
        "seconds": time.perf_counter() - t0,
        "outcome": outcome,
        "peak_rss_mb": peak_rss_mb(),
    }


# --- orchestration -------------------------------------------------------------------------------


def run_subprocess(args: list[str]) -> dict[str, Any]:
    """Run this script with ``args`` in a fresh interpreter and return its JSON answer."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if result.returncode != 0:
        raise SystemExit(f"worker {args} failed:\n{result.stderr[-2000:]}")
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def zip_bomb(path: Path, entries: int = 1024, entry_size: int = 1 << 20) -> None:
    """Write a DOCX-looking zip whose entries inflate to ``entries`` MiB of zeros."""
    payload = b"\0" * entry_size
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(payload) + compressor.flush()
    crc = zlib.crc32(payload)
    names = ["[Content_Types].xml", "word/document.xml"] + [
        f"word/media/pad{i}.bin" for i in range(entries - 2)
    ]
    out, central = io.BytesIO(), io.BytesIO()
    for name in names:
        raw, offset = name.encode(), out.tell()
        local = (0x04034B50, 20, 0, 8, 0, 0, crc, len(data), entry_size, len(raw), 0)
        out.write(struct.pack("<IHHHHHIIIHH", *local) + raw + data)
        entry = (0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), entry_size, len(raw))
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", *entry, 0, 0, 0, 0, 0, offset) + raw)
    cd, cd_offset = central.getvalue(), out.tell()
    end = (0x06054B50, 0, 0, len(names), len(names), len(cd), cd_offset, 0)
    out.write(cd + struct.pack("<IHHHHIIH", *end))
    path.write_bytes(out.getvalue())


def many_pages(path: Path, pages: int = 5000) -> None:
    """Write a blank PDF of ``pages`` pages with pypdf."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    with path.open("wb") as handle:
        writer.write(handle)


def pdf_pages() -> dict[str, int]:
    """Page counts of the seed PDFs."""
    import pypdfium2 as pdfium

    counts = {}
    for path in PDFS:
        pdf = pdfium.PdfDocument(str(path))
        counts[path.name] = len(pdf)
        pdf.close()
    return counts


# --- IR recall ------------------------------------------------------------------------------------

_LEAD = re.compile(r"^(?:the|where|if|each|a|an)\s+", re.IGNORECASE)


def _norm(text: str) -> str:
    text = " ".join(text.replace("_", " ").split()).lower().strip(" .:;-")
    while True:
        stripped = _LEAD.sub("", text)
        if stripped == text:
            return text
        text = stripped


def _same(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    return bool(a) and bool(b) and (a == b or a in b or b in a)


def ir_recall() -> dict[str, Any]:
    """Compare extract_ir on the seed DOCX files with their expected_semantic_ir labels."""
    from docsense.adapters.convert import convert_document
    from docsense.extraction import extract_ir

    counts = {
        k: 0
        for k in ("defs", "defs_strict", "defs_any", "formulas", "formulas_found", "refs",
                  "refs_found", "terms_out", "formulas_out", "refs_out", "params_out")
    }  # fmt: skip
    missed: list[str] = []
    for path in DOCXS:
        labels = json.loads(path.with_suffix(".json").read_text())["expected_semantic_ir"]
        doc = convert_document(path.read_bytes(), path.name)
        ir = extract_ir(doc.markdown, doc.sections, doc.anchors)
        names = [n for t in ir.terms for n in (t.term, *t.aliases)]
        other = [f.name or "" for f in ir.formulas] + [p.name for p in ir.parameters]
        counts["terms_out"] += len(ir.terms)
        counts["formulas_out"] += len(ir.formulas)
        counts["refs_out"] += len(ir.references)
        counts["params_out"] += len(ir.parameters)
        for label in labels.get("definitions", []):
            counts["defs"] += 1
            strict = any(_same(label["term"], n) for n in names)
            counts["defs_strict"] += strict
            counts["defs_any"] += strict or any(_same(label["term"], n) for n in other if n)
            if not strict:
                missed.append(
                    f"{path.stem}: definition {label['term']!r} is {label['definition']!r}"
                )
        for label in labels.get("formulae", []):
            counts["formulas"] += 1
            expression = " ".join(label["expression"].split())
            hit = any(
                " ".join(f.text.split()) in expression or expression in f.text for f in ir.formulas
            )
            counts["formulas_found"] += hit
            if not hit:
                missed.append(f"{path.stem}: formula {expression[:70]!r}")
        for label in labels.get("cross_references", []):
            counts["refs"] += 1
            target = re.sub(r"^see\s+", "", label["target"], flags=re.IGNORECASE)
            counts["refs_found"] += any(_same(target, r.target) for r in ir.references)
    counts["missed"] = missed  # type: ignore[assignment]
    return counts


# --- report ---------------------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    """Format a number for the table."""
    return f"{value:,.{digits}f}"


def main() -> None:
    """Run every worker and print the results table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--worker", choices=TOOLS)
    parser.add_argument("--hostile", choices=("zipbomb", "pages"))
    parser.add_argument("--files", nargs="*")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.worker:
        files = [Path(f) for f in args.files or []]
        print(json.dumps(worker(args.worker, files, args.runs)))
        return
    if args.hostile:
        print(json.dumps(hostile_worker(args.hostile, Path(args.files[0]))))
        return
    if not PDFS or not DOCXS:
        raise SystemExit(f"seed corpus not found under {CORPUS}")

    pages = pdf_pages()
    total_pages = sum(pages.values())
    pdf_args = [str(p) for p in PDFS]
    docx_args = [str(p) for p in DOCXS]
    load_start = os.getloadavg()[0]
    print(f"# docsense ingest benchmark ({time.strftime('%Y-%m-%d %H:%M')})\n")
    print(
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}; load average at start {load_start:.2f}; "
        f"{args.runs} timed runs per tool (median shown), each tool in its own process."
    )
    print(f"Inputs: {', '.join(f'{n} ({c} p.)' for n, c in pages.items())}; "
          f"{len(DOCXS)} DOCX files.\n")  # fmt: skip

    results: dict[str, dict[str, Any]] = {}
    for tool in TOOLS:
        results[f"{tool}/pdf"] = run_subprocess(
            ["--worker", tool, "--runs", str(args.runs), "--files", *pdf_args]
        )
        if tool not in ("pypdf", "pypdfium2"):
            results[f"{tool}/docx"] = run_subprocess(
                ["--worker", tool, "--runs", str(args.runs), "--files", *docx_args]
            )
    abgsd = next(p for p in PDFS if p.name == "ABGSD012.pdf")
    results["docsense/abgsd012"] = run_subprocess(
        ["--worker", "docsense", "--runs", str(args.runs), "--files", str(abgsd)]
    )

    print("## PDF (193 pages: ABGSD012 154 + GSEMA8 39)\n")
    print("| tool | median s | pages/s | CPU s | pages/CPU-s | ABGSD012 s | GSEMA8 s | "
          "peak RSS MB | import s | errors |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for tool in TOOLS:
        r = results[f"{tool}/pdf"]
        per = r["per_file_s"]
        print(
            f"| {tool} | {fmt(r['median_s'], 3)} | {fmt(total_pages / r['median_s'])} | "
            f"{fmt(r['median_cpu_s'], 3)} | {fmt(total_pages / r['median_cpu_s'])} | "
            f"{fmt(per.get('ABGSD012.pdf', 0), 3)} | {fmt(per.get('GSEMA8-methodology.pdf', 0), 3)}"
            f" | {fmt(r['peak_rss_mb'])} | {fmt(r['import_s'], 2)} | {len(r['errors'])} |"
        )
    print("\n## Structure found in the seed PDFs\n")
    print("| tool | PDF | headings | table rows | sub/superscripts | title |")
    print("|---|---|---|---|---|---|")
    for tool in ("docsense", "markitdown"):
        for name, facts in results[f"{tool}/pdf"].get("structure", {}).items():
            title = facts["title"] if facts["title"] is not None else "-"
            print(f"| {tool} | {name} | {facts['headings']} | {facts['table_rows']} | "
                  f"{facts['scripts']} | {title} |")  # fmt: skip
    print("\n## DOCX (20 seed files)\n")
    print("| tool | median s | docs/s | ms/doc | peak RSS MB | errors |")
    print("|---|---|---|---|---|---|")
    for tool in ("docsense", "docsense-convert", "markitdown"):
        r = results[f"{tool}/docx"]
        n = len(DOCXS)
        print(
            f"| {tool} | {fmt(r['median_s'], 3)} | {fmt(n / r['median_s'])} | "
            f"{fmt(1000 * r['median_s'] / n, 1)} | {fmt(r['peak_rss_mb'])} | {len(r['errors'])} |"
        )

    with tempfile.TemporaryDirectory() as tmp:
        bomb, big = Path(tmp) / "bomb.docx", Path(tmp) / "pages.pdf"
        zip_bomb(bomb)
        many_pages(big)
        hostile = [
            run_subprocess(["--hostile", "zipbomb", "--files", str(bomb)]),
            run_subprocess(["--hostile", "pages", "--files", str(big)]),
        ]
    print("\n## Hostile inputs (fresh process each)\n")
    print("| input | outcome | seconds | peak RSS MB |")
    print("|---|---|---|---|")
    labels = {"zipbomb": "1 GiB zip bomb DOCX (1,024 x 1 MiB entries, 1 MB file)",
              "pages": "5,000-page PDF, 500-page limit"}  # fmt: skip
    for h in hostile:
        print(f"| {labels[h['kind']]} | {h['outcome']} | {fmt(h['seconds'], 3)} | "
              f"{fmt(h['peak_rss_mb'])} |")  # fmt: skip

    recall = ir_recall()
    print("\n## IR recall on the seed DOCX labels (expected_semantic_ir)\n")
    print("| item | labels | found | recall | extracted by docsense |")
    print("|---|---|---|---|---|")

    def rec(found: int, total: int) -> str:
        return f"{found / total:.0%}" if total else "n/a"

    print(
        f"| definitions (defined terms only) | {recall['defs']} | {recall['defs_strict']} | "
        f"{rec(recall['defs_strict'], recall['defs'])} | {recall['terms_out']} terms |"
    )
    print(
        f"| definitions (terms, formula or parameter names) | {recall['defs']} | "
        f"{recall['defs_any']} | {rec(recall['defs_any'], recall['defs'])} | "
        f"{recall['params_out']} parameters |"
    )
    print(
        f"| formulae | {recall['formulas']} | {recall['formulas_found']} | "
        f"{rec(recall['formulas_found'], recall['formulas'])} | {recall['formulas_out']} |"
    )
    print(f"| cross-references | {recall['refs']} | {recall['refs_found']} | "
          f"{rec(recall['refs_found'], recall['refs'])} | {recall['refs_out']} |")  # fmt: skip
    print("\nLabels not matched:")
    for line in recall["missed"]:
        print(f"- {line}")

    ds = results["docsense/pdf"]
    md = results["markitdown/pdf"]
    pps = total_pages / ds["median_s"]
    ratio = md["median_s"] / ds["median_s"]
    rss = results["docsense/abgsd012"]["peak_rss_mb"]
    alone = results["docsense/abgsd012"]
    abgsd_pps = pages["ABGSD012.pdf"] / alone["median_s"]
    abgsd_cpu_pps = pages["ABGSD012.pdf"] / alone["median_cpu_s"]
    print("\n## Goals\n")
    for name, ok, value in [
        (f"full ingest of the seed PDFs >= {GOAL_PAGES_PER_S:.0f} pages/s",
         pps >= GOAL_PAGES_PER_S, f"{pps:.1f} pages/s"),
        (f"full ingest of ABGSD012.pdf alone >= {GOAL_PAGES_PER_S:.0f} pages/s",
         abgsd_pps >= GOAL_PAGES_PER_S,
         f"{abgsd_pps:.1f} pages/s ({abgsd_cpu_pps:.1f} per CPU second)"),
        (f">= {GOAL_VS_MARKITDOWN:.0f}x markitdown on the same PDFs",
         ratio >= GOAL_VS_MARKITDOWN, f"{ratio:.1f}x"),
        (f"peak RSS <= {GOAL_RSS_MB:.0f} MB for ABGSD012.pdf (docsense alone)",
         rss <= GOAL_RSS_MB, f"{rss:.1f} MB"),
    ]:  # fmt: skip
        print(f"- {'PASS' if ok else 'MISS'}: {name}: {value}")
    print(f"\nLoad average at end: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(
            json.dumps({"results": results, "hostile": hostile, "recall": recall}, indent=2)
        )


if __name__ == "__main__":
    main()
