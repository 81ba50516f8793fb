"""Whole-document searches in pieces give the one-call result (so the loop keeps its pace)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from docsense.adapters.convert import convert_document
from docsense.extraction import extract_ir
from docsense.review.checks.base import CheckContext, finditer_chunked

# Look-behinds, look-aheads, word boundaries, anchors, greedy runs and alternatives: the
# shapes the built-in patterns use, each spanning far less than half the test's reach.
PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bab+c?\b", r"(?<!x)ab(?!c)", r"a\s+b", r"\bcrypto\w*\b", r"[ab]{2,5}", r"^ab",
        r"b$", r"(?m)^ab", r"(?m)a$", r"\b(?:ab|ba)\s+(?:cx|xc)\b",
    )
]
TEXT = st.text(alphabet="ab cxyrpto\n", max_size=600)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, chunk=st.integers(1, 60), pattern=st.sampled_from(PATTERNS))
def test_chunked_matches_are_the_one_call_matches(
    text: str, chunk: int, pattern: re.Pattern[str]
) -> None:
    expected = [m.span() for m in pattern.finditer(text)]
    assert [m.span() for m in finditer_chunked(pattern, text, chunk=chunk, reach=40)] == expected


def test_an_empty_or_overlong_match_falls_back_to_one_call() -> None:
    text = "x" * 500 + "b" * 300 + "y" * 50
    for pattern in (re.compile(r"b*"), re.compile(r"b+")):  # empty matches; a 300-char match
        got = [m.span() for m in finditer_chunked(pattern, text, chunk=16, reach=40)]
        assert got == [m.span() for m in pattern.finditer(text)]


def test_context_searches_skip_the_title_like_body_text() -> None:
    markdown = "# NYSE Index\n\n" + "The index rebalances monthly. " * 2_000 + "Per NYSE rules."
    converted = convert_document(markdown.encode(), "index.md")
    ctx = CheckContext(converted.markdown, converted.sections, extract_ir(converted.markdown))
    markdown = converted.markdown
    named = re.compile(r"\bNYSE\b")
    first = ctx.search_body(named)
    assert first is not None
    assert first.start() == markdown.rindex("NYSE")  # the title's mention is blanked out
    assert [m.start() for m in ctx.finditer_body(named)] == [
        m.start() for m in named.finditer(ctx.body_text())
    ]
