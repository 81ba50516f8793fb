"""Event-loop lag while ``docsense.aopen()`` ingests and reviews a large PDF.

    python benchmarks/event_loop_lag.py [--runs 3] [--store sqlite|memory|postgresql://...]
                                        [--pdf ../shared/corpus/seed-pdfs/ABGSD012.pdf]
                                        [--where]

A coroutine ticks every millisecond on the caller's event loop and records how late each
tick wakes up; the largest lateness while an operation runs is the longest time docsense
kept the loop from running anything else. Each run opens a fresh store, ingests the PDF,
reviews it with the ``rules`` reviewer against ``self-containment``, then lists documents
and findings (which bring the read models up to date). A first measurement with nothing
running but the ticker (1 s) shows what the machine alone costs (other processes on the
cores delay the ticker too). ``--where`` adds a watchdog thread
that prints the stack of the loop thread whenever a tick is more than 10 ms late, to find
what blocks.

Goal (issue 15): the median over runs of the largest lag during the review is <= 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import docsense

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DEFAULT_PDF = CORPUS / "seed-pdfs" / "ABGSD012.pdf"
GOAL_MS = 20.0
TICK = 0.001


class LagMeter:
    """Ticks on the running loop; remembers the largest lateness since the last reset."""

    def __init__(self, *, watch: bool) -> None:
        self.worst = 0.0
        self._stop = asyncio.Event()
        self._last_tick = time.perf_counter()
        self._loop_thread = threading.get_ident()
        self._watch = watch
        self._reported: set[str] = set()

    def reset(self) -> None:
        """Start a new measurement."""
        self.worst = 0.0

    async def run(self) -> None:
        """Tick until stopped."""
        watchdog = None
        if self._watch:
            watchdog = threading.Thread(target=self._watchdog, daemon=True)
            watchdog.start()
        while not self._stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            self._last_tick = now
            self.worst = max(self.worst, now - before - TICK)

    def stop(self) -> None:
        """Stop ticking."""
        self._stop.set()

    def _watchdog(self) -> None:
        while not self._stop.is_set():
            time.sleep(0.005)
            late = time.perf_counter() - self._last_tick
            if late > 0.010:
                frames = sys._current_frames()
                frame = frames.get(self._loop_thread)
                if frame is None:
                    continue
                stack = _where(frame)
                if stack.startswith(("selectors.py", "selector_events.py")):
                    # The loop is ready to run but another thread holds the interpreter.
                    busy = [
                        _where(f)
                        for ident, f in frames.items()
                        if ident not in (self._loop_thread, threading.get_ident())
                    ]
                    stack += " | other threads: " + " || ".join(b for b in busy if b)
                if stack not in self._reported:
                    self._reported.add(stack)
                    print(f"blocked {late * 1000:4.0f} ms: {stack}", flush=True)


def _where(frame: Any) -> str:
    """The innermost docsense frames of a stack, and its innermost frame, on one line."""
    frames = traceback.extract_stack(frame)
    inner = [f for f in frames if "docsense" in f.filename][-5:] + frames[-1:]
    return " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(inner))


async def _measured(meter: LagMeter, work: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """Return (largest lag in ms, wall time in s) while ``work`` runs."""
    await asyncio.sleep(0.01)
    meter.reset()
    started = time.perf_counter()
    await work()
    wall = time.perf_counter() - started
    await asyncio.sleep(0.005)
    return meter.worst * 1000, wall


async def _one_run(store: str, pdf: Path, meter: LagMeter) -> dict[str, tuple[float, float]]:
    data = await asyncio.to_thread(pdf.read_bytes)
    results: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = {"sqlite": f"sqlite:///{tmp}/lag.db", "memory": "memory://"}.get(store, store)
        async with docsense.aopen(url, settings={"packs": ["self-containment"]}) as ds:
            doc: Any = None

            async def ingest() -> None:
                nonlocal doc
                doc = await ds.ingest(data, filename=pdf.name, force_new=True)

            async def review() -> None:
                await ds.review(doc.id)

            async def lists() -> None:
                await ds.documents()
                await ds.findings(limit=100)

            # The machine's own contribution: the ticker alone, as long as a review takes.
            results["idle (baseline)"] = await _measured(meter, lambda: asyncio.sleep(1.0))
            results["ingest"] = await _measured(meter, ingest)
            results["review"] = await _measured(meter, review)
            results["read models"] = await _measured(meter, lists)
    return results


async def _main(args: argparse.Namespace) -> int:
    meter = LagMeter(watch=args.where)
    ticker = asyncio.create_task(meter.run())
    runs = []
    try:
        for _ in range(args.runs):
            runs.append(await _one_run(args.store, args.pdf, meter))
    finally:
        meter.stop()
        await ticker
    print(f"{args.pdf.name}, store {args.store}, {args.runs} runs (median; max lag in ms, wall s)")
    print(f"{'operation':14} {'max lag ms':>10} {'wall s':>8}   per run (ms)")
    for op in runs[0]:
        lags = [r[op][0] for r in runs]
        walls = [r[op][1] for r in runs]
        per_run = " ".join(f"{x:.1f}" for x in lags)
        lag, wall = statistics.median(lags), statistics.median(walls)
        print(f"{op:14} {lag:10.1f} {wall:8.3f}   {per_run}")
    review = statistics.median(r["review"][0] for r in runs)
    verdict = "PASS" if review <= GOAL_MS else "FAIL"
    print(f"goal: max lag while reviewing <= {GOAL_MS:.0f} ms: {verdict} ({review:.1f} ms)")
    return 0 if review <= GOAL_MS else 1


def main() -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", default="sqlite", help="sqlite, memory or a store URL")
    parser.add_argument("--pdf", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--where", action="store_true", help="print what blocks the loop")
    parser.add_argument(
        "--switch-interval", type=float, default=None, metavar="S",
        help="sys.setswitchinterval(S) first (the application's choice; CPython's default "
        "is 0.005): how long another thread may hold the interpreter lock before the loop's "
        "thread gets it",
    )
    args = parser.parse_args()
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    if not args.pdf.exists():
        parser.error(f"{args.pdf} not found")
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
