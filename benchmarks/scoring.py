"""Label matching shared by the quality benchmarks: text overlap, P/R/F1, reliability.

A finding (a group of places) and a label agree when their categories are equal and the
label's quote overlaps the quote of any place of the finding: one contains the other (case
and punctuation ignored), or they share at least half of the shorter one's content words.
This is the strict rule an independent scorer applies ("quote and category agree").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_STOP = frozenset(
    [
        "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or",
        "is", "are", "be", "been", "was", "were", "it", "its", "this", "that", "these", "those",
        "as", "not", "no", "but", "if", "then", "than", "which", "who", "whom", "whose", "what",
        "when", "where", "how", "all", "any", "each", "every", "some", "such",
    ]
)


def norm(text: str) -> str:
    """Lower-case words and digits only, single-spaced."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def content_words(text: str) -> set[str]:
    """The normalised words of ``text`` that are not stop words."""
    return {w for w in norm(text).split() if w not in _STOP}


def text_overlaps(quote: str, label_text: str) -> bool:
    """Containment either way, or >= 50% of the shorter text's content words shared."""
    q, t = norm(quote), norm(label_text)
    if not q or not t:
        return False
    if q in t or t in q:
        return True
    cq, ct = content_words(quote), content_words(label_text)
    shorter = min(len(cq), len(ct))
    return shorter > 0 and len(cq & ct) * 2 >= shorter


def prf(true_groups: int, groups: int, found: int, labels: int) -> tuple[float, float, float]:
    """Precision (true of all groups), recall (found of all labels) and their F1; 0 if empty."""
    p = true_groups / groups if groups else 0.0
    r = found / labels if labels else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Scored:
    """One finding group as scored: its places' quotes, category, check and confidence."""

    category: str
    quotes: list[str]
    check: str
    confidence: float
    title: str = ""
    matched: bool = False
    misfiled_as: str = ""  # unmatched, at a labelled place whose label has this category


@dataclass
class Label:
    """One labelled issue: category and verbatim quote."""

    category: str
    quote: str
    title: str = ""
    found: bool = False
    near: bool = False  # a group's quote overlaps it, whatever the group's category


@dataclass
class Tally:
    """Counts behind precision and recall."""

    groups: int = 0
    true_groups: int = 0
    labels: int = 0
    found: int = 0
    by_check: dict[str, list[int]] = field(default_factory=dict)
    by_category: dict[str, list[int]] = field(default_factory=dict)  # labels, found
    misfiled: dict[tuple[str, str], int] = field(default_factory=dict)  # (said, label): groups
    near_groups: int = 0  # groups at a labelled place, whatever their category
    near_labels: int = 0  # labels some group's quote overlaps, whatever its category

    def add(self, scored: Sequence[Scored], labels: Sequence[Label]) -> None:
        """Add one document's scored groups and labels."""
        self.groups += len(scored)
        self.true_groups += sum(s.matched for s in scored)
        self.labels += len(labels)
        self.found += sum(lab.found for lab in labels)
        self.near_labels += sum(lab.near for lab in labels)
        self.near_groups += sum(s.matched or bool(s.misfiled_as) for s in scored)
        for lab in labels:
            counts = self.by_category.setdefault(lab.category, [0, 0])
            counts[0] += 1
            counts[1] += lab.found
        for s in scored:
            row = self.by_check.setdefault(s.check, [0, 0])
            row[0] += 1
            row[1] += s.matched
            if s.misfiled_as:
                key = (s.category, s.misfiled_as)
                self.misfiled[key] = self.misfiled.get(key, 0) + 1

    def prf(self) -> tuple[float, float, float]:
        """Precision, recall, F1."""
        return prf(self.true_groups, self.groups, self.found, self.labels)

    def prf_places_only(self) -> tuple[float, float, float]:
        """Precision, recall, F1 with the category ignored (quotes only).

        An upper bound, not the scoring rule: a group at a labelled sentence may raise
        another problem about it. The gap to :meth:`prf` is what the categories cost.
        """
        return prf(self.near_groups, self.groups, self.near_labels, self.labels)


def match(scored: Iterable[Scored], labels: Iterable[Label]) -> None:
    """Mark groups and labels that agree (category equal, a quote overlapping).

    A group that agrees with no label but whose quote overlaps a label of another category
    is still false; ``misfiled_as`` names that label's category, so a benchmark can say how
    much of its precision is lost to the category rather than to the point.
    """
    labels = list(labels)
    for s in scored:
        other = ""
        for lab in labels:
            if not any(text_overlaps(q, lab.quote) for q in s.quotes):
                continue
            lab.near = True
            if s.category == lab.category:
                s.matched = True
                lab.found = True
            elif not other:
                other = lab.category
        s.misfiled_as = "" if s.matched else other


def reliability(scored: Iterable[Scored], bins: Sequence[float] = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)
                ) -> list[tuple[str, int, float]]:
    """Rows (confidence bin, groups, observed precision) for a reliability table."""
    rows = []
    items = list(scored)
    edges = [*bins, 1.01]
    for lo, hi in itertools.pairwise(edges):
        inside = [s for s in items if lo <= s.confidence < hi]
        if inside:
            rows.append((f"{lo:.1f}-{min(hi, 1.0):.1f}", len(inside),
                         sum(s.matched for s in inside) / len(inside)))
    return rows
