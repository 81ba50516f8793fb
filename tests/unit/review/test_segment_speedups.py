"""The faster text-cutting helpers give what their straightforward versions gave."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from docsense.review.checks import base
from docsense.review.checks.base import TextUnit


def _shouting_reference(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 60:
        return False
    return sum(1 for c in letters if c.isupper()) >= 0.85 * len(letters)


def _sentences_reference(markdown: str, start: int, end: int, kind: str) -> Iterator[TextUnit]:
    text = markdown[start:end]
    cut = 0
    for m in base._SENTENCE_END.finditer(text):
        word = re.search(r"([\w.]+)[.!?]['\")\]]?$", text[cut : m.start() + 1])
        if word:
            token = word.group(1).lower().rstrip(".")
            if token in base._ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        yield from base._unit(markdown, start + cut, start + m.start() + 1, kind)
        cut = m.end()
    yield from base._unit(markdown, start + cut, end, kind)


SHOUT = st.text(alphabet="ABCDEFGHXYZ abcxyz.,19\u00c9\u00e9\u2167\u24b6\u0130\u00df", max_size=200)
PROSE = st.lists(
    st.sampled_from(["The", "cap", "is", "10%.", "e.g.", "U.S.", "Inc.", "A.", "x_1.", "(B).",
                     "Mr.", "etc.", "\u00c9t\u00e9.", "5.", "ok!", "why?", '"Q."', "[1].", "_a."]),
    max_size=40,
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(text=SHOUT)
def test_shouting_counts_as_before(text: str) -> None:
    assert base._shouting(text) == _shouting_reference(text)
    assert base._shouting(text * 4) == _shouting_reference(text * 4)


@settings(max_examples=500, deadline=None)
@given(text=PROSE)
def test_sentences_cut_as_before(text: str) -> None:
    got = list(base._sentences(text, 0, len(text), "sentence"))
    assert got == list(_sentences_reference(text, 0, len(text), "sentence"))
