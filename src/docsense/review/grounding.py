r"""Quote grounding: find where a reviewer's quote is in the document, or reject it.

A reviewer (an LLM in particular) returns a quote; the location of a finding is computed
here, from where the quote actually is, and never taken from the reviewer. Three stages, each
tried only when the previous one fails:

1. **exact**: the quote occurs verbatim;
2. **normalised**: letters and digits match case-insensitively once whitespace, punctuation
   and Markdown markup are ignored, so a quote split across a PDF line break
   (``"calcu-\nlation"``, ``"rebalanced\nmonthly"``), re-typed quotes and dashes, or
   ``**bold**`` still ground;
3. **fuzzy** (bounded): word-level edit distance of at most ``max(1, 15%)`` of the quote's
   words, for quotes of at least 4 words, searched only around rare words of the quote.

The grounded quote is the document's own text over the found span, so an accepted
suggestion replaces exactly what is there. When a quote occurs several times, the occurrence
nearest the reviewer's hint (an offset) is taken.

>>> g = ground_quote("The index is rebalanced\nquarterly.", "rebalanced quarterly")
>>> g.method.value, g.text
('normalised', 'rebalanced\nquarterly')
"""

from __future__ import annotations

import re
from enum import StrEnum

import attrs

__all__ = ["GroundedQuote", "GroundingMethod", "ground_quote"]

_MIN_NORMALISED = 6  # alphanumerics; shorter quotes must match exactly
_MIN_FUZZY_WORDS = 4
_MAX_FUZZY_WORDS = 120
# A word; a word hyphenated across a line break ("calcu-\nlated") counts as one.
_WORD = re.compile(r"[^\W_]+(?:-[ \t]*\r?\n\s*[^\W_]+)*", re.UNICODE)


def _token(word: str) -> str:
    return re.sub(r"-\s+", "", word).casefold()


class GroundingMethod(StrEnum):
    """How a quote was found."""

    EXACT = "exact"
    NORMALISED = "normalised"
    FUZZY = "fuzzy"


@attrs.frozen
class GroundedQuote:
    """A quote located in the document: ``text == markdown[start:end]``."""

    start: int
    end: int
    text: str
    method: GroundingMethod


def ground_quote(markdown: str, quote: str, *, hint: int | None = None) -> GroundedQuote | None:
    """Locate ``quote`` in ``markdown``; return None if it is not there.

    ``hint`` (an offset) only chooses between several occurrences.
    """
    q = quote.strip()
    if not q:
        return None
    exact = _nearest(_all_exact(markdown, q), hint)
    if exact is not None:
        return GroundedQuote(exact, exact + len(q), q, GroundingMethod.EXACT)
    index = _AlnumIndex(markdown)
    span = index.find(q, hint)
    if span is not None:
        return GroundedQuote(span[0], span[1], markdown[span[0] : span[1]],
                             GroundingMethod.NORMALISED)
    span = _fuzzy(markdown, q, hint)
    if span is not None:
        return GroundedQuote(span[0], span[1], markdown[span[0] : span[1]], GroundingMethod.FUZZY)
    return None


def _all_exact(text: str, quote: str) -> list[int]:
    out = []
    at = text.find(quote)
    while at >= 0:
        out.append(at)
        at = text.find(quote, at + 1)
    return out


def _nearest(starts: list[int], hint: int | None) -> int | None:
    if not starts:
        return None
    if hint is None:
        return starts[0]
    return min(starts, key=lambda s: abs(s - hint))


class _AlnumIndex:
    """The document's letters and digits, casefolded, with a map back to offsets."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        offsets: list[int] = []
        for i, ch in enumerate(text):
            if ch.isalnum():
                folded = ch.casefold()
                chars.append(folded)
                offsets.extend([i] * len(folded))
        self.text = "".join(chars)
        self.offsets = offsets

    def find(self, quote: str, hint: int | None) -> tuple[int, int] | None:
        needle = "".join(ch.casefold() for ch in quote if ch.isalnum())
        if len(needle) < _MIN_NORMALISED:
            return None
        starts = _all_exact(self.text, needle)
        if not starts:
            return None
        spans = [(self.offsets[s], self.offsets[s + len(needle) - 1] + 1) for s in starts]
        best = _nearest([a for a, _ in spans], hint)
        return next(span for span in spans if span[0] == best)


def _fuzzy(text: str, quote: str, hint: int | None) -> tuple[int, int] | None:
    q_words = [_token(w) for w in _WORD.findall(quote)]
    if not (_MIN_FUZZY_WORDS <= len(q_words) <= _MAX_FUZZY_WORDS):
        return None
    matches = list(_WORD.finditer(text))
    words = [_token(m.group(0)) for m in matches]
    budget = max(1, int(len(q_words) * 0.15))
    positions: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        positions.setdefault(w, []).append(i)
    # Anchor on the quote's rarest words: a true match must contain most of them.
    anchors = sorted({w for w in q_words if w in positions}, key=lambda w: len(positions[w]))
    candidates: set[int] = set()
    for w in anchors[:3]:
        for i in positions[w][:50]:
            offset = q_words.index(w)
            candidates.add(max(0, i - offset - budget))
    best: tuple[int, int, int] | None = None  # (distance, first word, last word)
    for lo in sorted(candidates):
        window = words[lo : lo + len(q_words) + 2 * budget]
        found = _best_substring(q_words, window, budget)
        if found is None:
            continue
        dist, a, b = found
        key = (dist, lo + a, lo + b)
        if best is None or key[0] < best[0] or (
            key[0] == best[0] and hint is not None
            and abs(matches[key[1]].start() - hint) < abs(matches[best[1]].start() - hint)
        ):
            best = key
    if best is None:
        return None
    return matches[best[1]].start(), matches[best[2]].end()


def _best_substring(q: list[str], t: list[str], budget: int) -> tuple[int, int, int] | None:
    """Smallest word edit distance of ``q`` to a substring of ``t``: (distance, first, last)."""
    if not t:
        return None
    m = len(q)
    prev = list(range(m + 1))  # column for empty text prefix: align q[:i] to nothing
    starts = [0] * (m + 1)
    best: tuple[int, int, int] | None = None
    for j in range(1, len(t) + 1):
        cur = [0] * (m + 1)
        cur_starts = [j] * (m + 1)
        for i in range(1, m + 1):
            sub = prev[i - 1] + (q[i - 1] != t[j - 1])
            dele = cur[i - 1] + 1
            ins = prev[i] + 1
            if sub <= dele and sub <= ins:
                cur[i], cur_starts[i] = sub, (starts[i - 1] if i > 1 else j - 1)
            elif dele <= ins:
                cur[i], cur_starts[i] = dele, cur_starts[i - 1]
            else:
                cur[i], cur_starts[i] = ins, starts[i]
        if cur[m] <= budget and (best is None or cur[m] < best[0]):
            best = (cur[m], cur_starts[m], j - 1)
        prev, starts = cur, cur_starts
    return best
