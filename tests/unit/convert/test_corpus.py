"""The seed corpus: DOCX section trees match their heading styles; PDF sections are found."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docsense.adapters.convert import convert_document
from docsense.domain.codec import structure, unstructure
from docsense.domain.ir import SemanticIR
from docsense.extraction import extract_ir

from .conftest import CORPUS

DOCX_FILES = sorted((CORPUS / "seed-docs").glob("*.docx")) if CORPUS.is_dir() else []
PDF_DIR = CORPUS / "seed-pdfs"


def expected_headings(path: Path) -> list[tuple[str, int]]:
    """Headings straight from python-docx's view of the paragraph styles."""
    import docx

    headings = []
    for paragraph in docx.Document(str(path)).paragraphs:
        name = paragraph.style.name if paragraph.style is not None else ""
        match = re.fullmatch(r"Heading (\d)", name)
        level = int(match.group(1)) if match else 1 if name == "Title" else None
        if level is not None and paragraph.text.strip():
            headings.append((" ".join(paragraph.text.split()), level))
    return headings


def test_corpus_has_twenty_docx_files(corpus: Path) -> None:
    assert len(DOCX_FILES) == 20


@pytest.mark.parametrize("path", DOCX_FILES, ids=lambda p: p.stem)
def test_docx_section_tree_matches_heading_styles(path: Path) -> None:
    doc = convert_document(path.read_bytes(), path.name)
    assert [(s.heading, s.level) for s in doc.sections] == expected_headings(path)
    for section in doc.sections:
        assert doc.markdown[section.start :].startswith("#" * section.level + " ")
        assert section.paragraph is not None


@pytest.mark.parametrize("path", DOCX_FILES, ids=lambda p: p.stem)
def test_docx_ir_round_trips_through_the_event_codec(path: Path) -> None:
    doc = convert_document(path.read_bytes(), path.name)
    ir = extract_ir(doc.markdown, doc.sections, doc.anchors)
    assert structure(unstructure(ir), SemanticIR) == ir


ABGSD012_NUMBERED = [
    ("1. Relevant documentation elements", 3),
    ("2. Objective", 4),
    (
        "3. The commodity risk premia methodology and calculation of the immediate component "
        "weights",
        4,
    ),
    ("4. Exposure of the GS Strategy to a terminal component", 5),
    ("6. Non-tradable events, market disruption events, adjustment events and consequences", 7),
    ("8. Overview of conflicts of interest", 8),
    ("3. Methodology Specifications", 10),
    ("III. Immediate Component Weight Determination Process", 11),
    ("1.1 Cross-sectional Weight Method", 28),
    ("1.1.1 Determination of the Signal Rank", 28),
    ("2.2 Determination of the Hypothetical Realised Volatility", 33),
    ("4. Definitions", 42),
    ("14. Risk Factors", 68),
    ("3. Termination", 138),
]  # fmt: skip
GSEMA8_NUMBERED = [
    ("1. The Index Components", 4),
    ("2. The Weights of the Index Components", 5),
    ("5. Selected Key Risks", 7),
    ("3. Index Restatement", 12),
    ("1. Defined Terms Used in the Methodology of the Index", 13),
    ("3.1. Calculation of the Rebalancing Cost", 16),
    ("7. Calculation of the Volatility Controlled Weight", 18),
    ("9.2. Calculation of the Raw Treasury Momentum Weights", 20),
    ("10.2. The Index Component Value of Total Return Index Component", 21),
    ("11. Market Disruption Events", 21),
    ("4. Disclaimers", 31),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ABGSD012.pdf", ABGSD012_NUMBERED), ("GSEMA8-methodology.pdf", GSEMA8_NUMBERED)],
)
def test_pdf_numbered_section_headings_are_found(
    corpus: Path, name: str, expected: list[tuple[str, int]]
) -> None:
    doc = convert_document((PDF_DIR / name).read_bytes(), name)
    found = {(s.heading, s.page) for s in doc.sections}
    missing = [h for h in expected if h not in found]
    assert not missing
    by_heading = {s.heading: s for s in doc.sections}
    for heading, _ in expected:
        number = heading.split()[0].rstrip(".")
        if "." in number:  # a dotted number nests under the heading it extends
            parent = by_heading[heading].parent_id
            assert parent is not None
            parent_heading = next(s.heading for s in doc.sections if s.id == parent)
            assert parent_heading.startswith(number.rsplit(".", 1)[0])


def test_pdf_conversion_has_page_provenance_and_metadata(corpus: Path) -> None:
    name = "GSEMA8-methodology.pdf"
    doc = convert_document((PDF_DIR / name).read_bytes(), name)
    assert doc.pages == 39
    assert doc.author
    assert doc.words > 15_000
    assert [a.page for a in doc.anchors] == list(range(1, 40))
    assert any("tables rebuilt from text positions" in w for w in doc.warnings)
    # Word equations come through as linear text in reading order, never dropped.
    assert "RawTsryMtum" in doc.markdown
    assert any("maths kept as linear text" in w for w in doc.warnings)


def test_pdf_running_page_numbers_are_removed(corpus: Path) -> None:
    name = "ABGSD012.pdf"
    doc = convert_document((PDF_DIR / name).read_bytes(), name)
    assert not re.search(r"^- \d+ -$", doc.markdown, re.MULTILINE)


def test_pdf_ir_round_trips_through_the_event_codec(corpus: Path) -> None:
    name = "GSEMA8-methodology.pdf"
    doc = convert_document((PDF_DIR / name).read_bytes(), name)
    ir = extract_ir(doc.markdown, doc.sections, doc.anchors)
    assert ir.terms
    assert ir.formulas
    assert ir.references
    assert all(t.location.page is not None for t in ir.terms)
    assert structure(unstructure(ir), SemanticIR) == ir
