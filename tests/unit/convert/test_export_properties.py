"""Property: any document the exporters write converts back with its headings and words."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docsense.adapters.convert import convert_document
from docsense.adapters.export import markdown_to_docx, markdown_to_pdf

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)
TITLE_WORD = WORD.map(str.capitalize).filter(lambda w: len(w) >= 3)
SENTENCE = st.lists(WORD, min_size=3, max_size=40).map(lambda ws: " ".join(ws).capitalize() + ".")
CELL = st.lists(WORD, min_size=1, max_size=3).map(" ".join)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Markdown with numbered headings, paragraphs, bullets and a table; and its headings."""
    parts: list[str] = []
    headings: list[str] = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        heading = f"{number}. " + " ".join(draw(st.lists(TITLE_WORD, min_size=1, max_size=5)))
        headings.append(heading)
        parts.append(f"## {heading}")
        parts.extend(draw(st.lists(SENTENCE, min_size=1, max_size=3)))
        if draw(st.booleans()):
            parts.append(
                "\n".join(f"- {s}" for s in draw(st.lists(SENTENCE, min_size=1, max_size=3)))
            )
        if draw(st.booleans()):
            width = draw(st.integers(2, 4))
            rows = draw(
                st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=2, max_size=4)
            )
            table = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
            table += ["| " + " | ".join(row) + " |" for row in rows[1:]]
            parts.append(f"Table {number}: Values")
            parts.append("\n".join(table))
    return "\n\n".join(parts) + "\n", headings


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]{2,}", text.lower())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_exported_documents_convert_back_with_their_headings_and_words(
    document: tuple[str, list[str]],
) -> None:
    markdown, headings = document
    for name, data in (
        ("d.pdf", markdown_to_pdf(markdown)),
        ("d.docx", markdown_to_docx(markdown)),
    ):
        back = convert_document(data, name)
        assert [s.heading for s in back.sections] == headings, name
        assert words(back.markdown) == words(markdown), name
