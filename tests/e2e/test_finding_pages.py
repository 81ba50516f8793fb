"""Findings of a stored PDF carry the page their quote is on, as the file shows it.

The oracle is independent of docsense's converter: pypdf's own text of each page. A quote
(of any place of a finding) whose text occurs on exactly one page must be reported on that
page, in the review as run and as loaded back from the store.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

import docsense
from docsense import Finding

PDF = Path(__file__).resolve().parents[2].parent / "shared/corpus/seed-pdfs/GSEMA8-methodology.pdf"

pytestmark = pytest.mark.skipif(not PDF.is_file(), reason=f"the seed corpus is not at {PDF}")


def _page(finding: Finding) -> int | None:
    return finding.location.page if finding.location else None


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_findings_of_a_stored_pdf_are_on_the_page_their_quote_is_on(tmp_path: Path) -> None:
    pages = [_squeezed(page.extract_text() or "") for page in PdfReader(PDF).pages]
    url = f"sqlite:///{tmp_path / 'pages.db'}"
    with docsense.open(url, reviewer="rules") as ds:
        doc = ds.ingest(PDF)
        review = ds.review(doc.id)
    with docsense.open(url) as ds:
        reloaded = ds.get_review(review.id)
    assert [_page(f) for f in reloaded.findings] == [_page(f) for f in review.findings]
    checked = 0
    for finding in review.all_findings:
        for place in finding.occurrences:
            assert place.location.page is not None, place.quote
            on = [i + 1 for i, text in enumerate(pages) if _squeezed(place.quote) in text]
            if len(on) == 1:
                assert place.location.page == on[0], place.quote
                checked += 1
    assert checked >= 10, f"only {checked} quotes could be placed on one page"
