"""The same content as Markdown, DOCX and PDF gives the same finding groups.

Every seed document is converted to Markdown, exported to DOCX and to PDF with docsense's
exporters, converted back, and reviewed in each form with the default pack and the rules
reviewer. The groups (policy, check, subject, fingerprint) and their number of places must
agree: the review depends on what a document says, not on the format it arrives in, and a
finding keeps its fingerprint across formats (issue 16). A real methodology, published by
its author both as a Word file and as a PDF, gives the same groups in both.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from docsense.adapters.convert import convert_document
from docsense.adapters.export import markdown_to_docx, markdown_to_pdf
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.review.engine import ReviewDocument, run_review
from docsense.review.reviewers import resolve_reviewer

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seed-docs"
DOCS = sorted(SEED.glob("doc_*.docx")) if SEED.is_dir() else []

Groups = list[tuple[str, str, str, str, int]]


def _groups(data: bytes, filename: str) -> Groups:
    converted = convert_document(data, filename)
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    document = ReviewDocument.from_converted(converted, ir, document_id="d")
    outcome = asyncio.run(
        run_review(document, [load_pack("self-containment")], resolve_reviewer("rules"),
                   min_confidence=0.0)
    )
    return sorted(
        (f.policy_id, f.check or "", f.subject, f.fingerprint, len(f.occurrences))
        for f in outcome.all_findings
    )


@pytest.mark.skipif(not DOCS, reason=f"seed corpus not found at {SEED}")
@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem[:6])
def test_markdown_docx_and_pdf_give_the_same_groups(path: Path) -> None:
    markdown = convert_document(path.read_bytes(), path.name).markdown
    as_markdown = _groups(markdown.encode(), "doc.md")
    assert _groups(markdown_to_docx(markdown), "doc.docx") == as_markdown
    assert _groups(markdown_to_pdf(markdown), "doc.pdf") == as_markdown


REAL_DOCX = SEED.parent / "real" / "ema_rsi_strategy_methodology.docx"
REAL_PDF = Path(__file__).resolve().parents[1] / "data" / "real" / (
    "ema_rsi_strategy_methodology.pdf"
)


@pytest.mark.skipif(not REAL_DOCX.is_file(), reason=f"shared real documents not at {REAL_DOCX}")
def test_a_real_word_document_and_its_pdf_give_the_same_groups() -> None:
    # The author's own export (Word 2016, then a PDF tool): list-styled headings print as
    # bold bulleted lines, and the places keep their own line breaks. Groups by policy, check
    # and subject must agree (a quote's line breaks differ, so places are not compared).
    def coarse(groups: Groups) -> list[tuple[str, str, str]]:
        return sorted({(policy, check, subject) for policy, check, subject, _, _ in groups})

    as_docx = _groups(REAL_DOCX.read_bytes(), REAL_DOCX.name)
    assert coarse(_groups(REAL_PDF.read_bytes(), REAL_PDF.name)) == coarse(as_docx)
