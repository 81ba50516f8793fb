"""Reports are tested on real reviews: seed documents and a hostile document, both reviewed by
the rules reviewer (plus a scripted reviewer that points a finding at the hostile text)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import attrs
import pytest

from docsense.adapters.ai.rules import RulesReviewer
from docsense.adapters.convert import convert_document
from docsense.domain.review import Usage
from docsense.extraction import extract_ir
from docsense.policies import LoadedPack, load_pack
from docsense.ports import RawFinding, Reviewer, ReviewerResult, ReviewRequest
from docsense.review.engine import ReviewDocument, run_review
from docsense.review.report import ReviewReport, build_report

REPO = Path(__file__).resolve().parents[3]
SEED_DOCS = REPO / "../shared/corpus/seed-docs"
BUNDLED_SEED = REPO / "tests/data/review/doc_03_undefined_parameters.docx"

HOSTILE_QUOTE = (
    '<script>alert(1)</script> The cap is <img src=x onerror=alert(2)> per "quotes" & '
    "ampersands"
)
HOSTILE_MARKDOWN = f"""# Hostile <Strategy> & "Co"

## 1. Rebalancing

Positions are rebalanced periodically. {HOSTILE_QUOTE} rule.

<img src="https://example.invalid/pixel.png"> <link rel="stylesheet" href="https://example.invalid/a.css">

## 2. Fences

A quote with ``` backticks ``` and a [link](https://example.invalid/) stays text.
"""


@attrs.frozen
class Reviewed:
    """A review's report with the Markdown and packs it was made from."""

    report: ReviewReport
    markdown: str
    packs: tuple[LoadedPack, ...]


class ScriptedReviewer:
    """An LLM-like reviewer that returns the findings it was given, with some usage."""

    def __init__(self, findings: Sequence[RawFinding], usage: Usage | None = None) -> None:
        self._findings = tuple(findings)
        self._usage = usage or Usage(
            tokens_in=12_345, tokens_out=678, tokens_cached=1_000, calls=2, cost_estimate=0.0421,
            tokens_cache_write=2_000, tokens_thinking=300, refusals=1,
        )

    @property
    def spec(self) -> str:
        return "llm:scripted"

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        return ReviewerResult(
            findings=self._findings,
            assessed=frozenset(f.policy_id for f in self._findings),
            source="llm:scripted",
            usage=self._usage,
        )


def review_bytes(
    data: bytes,
    filename: str,
    *,
    extra: Sequence[Reviewer] = (),
    packs: Sequence[str] = ("self-containment",),
) -> Reviewed:
    """Convert, extract and review a file the way the library does; return its report."""
    converted = convert_document(data, filename)
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    document = ReviewDocument.from_converted(converted, ir, document_id="doc-1", version="1.0")
    loaded = tuple(load_pack(p) for p in packs)
    outcome = asyncio.run(run_review(document, loaded, [RulesReviewer(), *extra]))
    return Reviewed(build_report(outcome), converted.markdown, loaded)


def review_hostile() -> Reviewed:
    """The hostile document, with a finding whose quote is the hostile text."""
    scripted = ScriptedReviewer(
        [
            RawFinding(
                policy_id="SC-002",
                title='Undefined cap <b>bold</b> & "quoted"',
                quote=HOSTILE_QUOTE,
                description="The cap is <i>never</i> given & cannot be reproduced.",
                severity="critical",
                suggested_fix="State the cap </article><script>alert(3)</script>.",
                replacement="The cap is 5% <script>alert(4)</script>",
                confidence=0.9,
            ),
            RawFinding(
                policy_id="SC-009",
                title="No governance section",
                description="Nobody <owns> the methodology.",
                severity="low",
            ),
        ]
    )
    return review_bytes(HOSTILE_MARKDOWN.encode(), "hostile <doc>.md", extra=[scripted])


def seed_path(name: str) -> Path:
    """A seed document from the shared corpus; skips if the corpus is not beside the repo."""
    path = SEED_DOCS / name
    if not path.is_file():
        pytest.skip(f"seed corpus not found at {SEED_DOCS.resolve()}")
    return path


@pytest.fixture(scope="session")
def hostile() -> Reviewed:
    return review_hostile()


@pytest.fixture(scope="session")
def seed() -> Reviewed:
    """doc_03 (undefined parameters): from the shared corpus, else the copy in tests/data."""
    path = SEED_DOCS / "doc_03_undefined_parameters.docx"
    if not path.is_file():
        path = BUNDLED_SEED
    return review_bytes(path.read_bytes(), path.name)


@pytest.fixture(scope="session")
def worst() -> Reviewed:
    """doc_20 (worst case) reviewed against every built-in pack."""
    path = seed_path("doc_20_worst_case.docx")
    return review_bytes(
        path.read_bytes(),
        path.name,
        packs=("self-containment", "internal-algo-standard", "sec-index-publishing"),
    )
