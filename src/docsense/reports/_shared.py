"""What every report format needs: policy metadata, finding order, quote context, line numbers.

Reports are rendered from a :class:`~docsense.review.report.ReviewReport` (the
``docsense.review/2`` model), which names policies only by id. Titles, descriptions and default
severities come from the packs: the caller's :class:`~docsense.policies.LoadedPack` objects
when given, else the installed pack of the same name *and version* (so the metadata matches
the pack the review ran with), else what the findings themselves say.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

import attrs

from docsense.domain.findings import Severity, ordering_key
from docsense.domain.review import score_text
from docsense.errors import DocSenseError
from docsense.policies import LoadedPack, available_packs, load_pack
from docsense.review.report import (
    FindingLocationModel,
    FindingModel,
    OccurrenceModel,
    ReviewReport,
    UsageModel,
)

__all__ = [
    "PLACES_SHOWN",
    "LineIndex",
    "PolicyInfo",
    "QuoteContext",
    "Quoted",
    "document_label",
    "finding_heading",
    "findings_by_severity_and_policy",
    "findings_per_policy",
    "format_score",
    "format_usage",
    "line_col",
    "not_assessed_heading",
    "not_assessed_lines",
    "place_label",
    "places_to_show",
    "policy_catalog",
    "quote_context",
    "severity_counts",
    "threshold_note",
]

#: How many places of a finding the Markdown and HTML reports list before "and N more".
PLACES_SHOWN = 5


class Quoted(Protocol):
    """A quote and its location: a finding (its first place) or one of its places."""

    @property
    def quote(self) -> str:
        """The quoted document text ("" for absent content)."""
        ...

    @property
    def location(self) -> FindingLocationModel | None:
        """Where the quote is (None for absent content)."""
        ...


@attrs.frozen
class PolicyInfo:
    """What a report shows about a policy.

    ``known`` is False when no pack could be found for it; ``title`` is then the policy id and
    ``severity`` the worst severity among its findings (or None).
    """

    id: str
    title: str
    pack: str = ""
    description: str = ""
    level: str = ""
    category: str = ""
    severity: Severity | None = None
    status: str = ""
    known: bool = True
    reason: str = ""
    detail: str = ""

    @property
    def status_text(self) -> str:
        """The status for a reader: ``not assessed (refused)`` rather than ``not_assessed``."""
        text = (self.status or "-").replace("_", " ")
        return f"{text} ({self.reason.replace('_', ' ')})" if self.reason else text


def _installed_packs(report: ReviewReport) -> list[LoadedPack]:
    names = available_packs()
    found: list[LoadedPack] = []
    for info in report.packs:
        if info.id not in names:
            continue
        try:
            pack = load_pack(info.id)
        except DocSenseError:  # a broken third-party pack must not break a report
            continue
        if pack.version == info.version:
            found.append(pack)
    return found


def policy_catalog(
    report: ReviewReport, packs: Sequence[LoadedPack] | None = None
) -> dict[str, PolicyInfo]:
    """Return every policy of ``report`` (and any policy a finding names) by id, in report order.

    ``packs`` supplies titles and descriptions; when None, installed packs whose name and
    version match the report's are used.
    """
    loaded = list(packs) if packs is not None else _installed_packs(report)
    meta = {p.id: (pack.key, p) for pack in loaded for p in pack.policies}
    status = {p.id: (p.pack, p.status.value) for p in report.policies}
    why = {p.id: (p.reason.value if p.reason else "", p.detail) for p in report.policies}
    worst: dict[str, Severity] = {}
    for f in report.findings:
        if f.policy_id not in worst or f.severity > worst[f.policy_id]:
            worst[f.policy_id] = f.severity
    ids = list(status) + [f.policy_id for f in report.findings if f.policy_id not in status]
    out: dict[str, PolicyInfo] = {}
    for pid in dict.fromkeys(ids):
        pack_key, st = status.get(pid, ("", ""))
        if pid in meta:
            key, policy = meta[pid]
            out[pid] = PolicyInfo(
                id=pid,
                title=policy.title,
                pack=pack_key or key,
                description=policy.description,
                level=policy.level.value,
                category=policy.category.value,
                severity=policy.severity,
                status=st,
                reason=why.get(pid, ("", ""))[0],
                detail=why.get(pid, ("", ""))[1],
            )
        else:
            out[pid] = PolicyInfo(
                id=pid,
                title=pid,
                pack=pack_key,
                severity=worst.get(pid),
                status=st,
                known=False,
                reason=why.get(pid, ("", ""))[0],
                detail=why.get(pid, ("", ""))[1],
            )
    return out


def document_label(report: ReviewReport) -> str:
    """Return the title a report shows for its document: title, else source, else id."""
    d = report.document
    return d.title or d.source or d.id or "untitled document"


def _finding_order(f: FindingModel) -> tuple[int, bool, float, int, str, str]:
    start = f.location.start if f.location is not None else None
    return ordering_key(f.severity, f.confidence, start, f.policy_id, f.id)


def findings_by_severity_and_policy(
    findings: Iterable[FindingModel],
) -> list[tuple[Severity, list[tuple[str, list[FindingModel]]]]]:
    """Group findings by severity (most serious first), then by policy.

    Findings are in the report order (most confident first, then by first place, absent
    findings last; :func:`~docsense.domain.findings.ordering_key`); within a severity, a
    policy comes where its first finding does.
    """
    grouped: dict[Severity, dict[str, list[FindingModel]]] = {}
    for f in sorted(findings, key=_finding_order):
        grouped.setdefault(f.severity, {}).setdefault(f.policy_id, []).append(f)
    return [
        (sev, list(grouped[sev].items()))
        for sev in Severity.most_severe_first()
        if sev in grouped
    ]


def findings_per_policy(report: ReviewReport) -> dict[str, int]:
    """Return how many findings at or above the threshold each policy has (its status counts)."""
    counts: dict[str, int] = {}
    for f in report.findings:
        if not f.below_threshold:
            counts[f.policy_id] = counts.get(f.policy_id, 0) + 1
    return counts


def finding_heading(f: FindingModel) -> str:
    """Return the title a report shows for a finding: ``"Title (46 places)"`` for groups."""
    return f"{f.title} ({f.places} places)" if f.places > 1 else f.title


def places_to_show(
    f: FindingModel, limit: int = PLACES_SHOWN
) -> tuple[list[OccurrenceModel], int]:
    """Return the first ``limit`` places of ``f`` and how many more there are."""
    return list(f.occurrences[:limit]), max(0, f.places - limit)


def place_label(
    place: Quoted,
    markdown: str | None = None,
    *,
    line_at: int | None = None,
    offsets: bool = False,
) -> str:
    """Return where a place is, for people: heading path, line, page (and character offsets).

    The line is given when the Markdown is: at ``line_at`` (where the quote was found), else
    at the location if the quote is there. ``offsets`` adds the character span, which is
    also what is said when nothing else is known.
    """
    loc = place.location
    if loc is None:
        return "absent from the document"
    parts = []
    if loc.path:
        parts.append(" > ".join(loc.path))
    if markdown is not None:
        if line_at is None and markdown[loc.start : loc.end] == place.quote:
            line_at = loc.start
        if line_at is not None:
            parts.append(f"line {line_col(markdown, line_at)[0]}")
    if loc.page is not None:
        parts.append(f"page {loc.page}")
    if offsets or not parts:
        parts.append(f"characters {loc.start}-{loc.end}")
    return ", ".join(parts)


def threshold_note(report: ReviewReport, *, how: str = "include_all=True or --all") -> str:
    """Return what a report says about findings below its confidence threshold ("" if none)."""
    t = report.threshold
    if not t.below:
        return ""
    noun = "finding" if t.below == 1 else "findings"
    if t.included:
        return (
            f"{t.below} {noun} below the confidence threshold {t.min_confidence:.2f} "
            "included and marked"
        )
    return (
        f"{t.below} {noun} below the confidence threshold {t.min_confidence:.2f} not shown "
        f"({how} shows them)"
    )


def severity_counts(findings: Iterable[FindingModel]) -> dict[Severity, int]:
    """Return the number of findings per severity, every severity present, most serious first."""
    counts = dict.fromkeys(Severity.most_severe_first(), 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def format_usage(usage: UsageModel) -> list[tuple[str, str]]:
    """Return ``(label, value)`` rows for the review's usage and estimated cost.

    Token rows follow the provider's bill: cache reads and writes are part of the input,
    thinking is part of the output. An unknown cost (a model with no price) reads
    ``unknown``, never $0.
    """
    cost = "unknown" if usage.cost_estimate is None else f"${usage.cost_estimate:,.4f}"
    return [
        ("Model calls", f"{usage.calls:,}"),
        ("Tokens in", f"{usage.tokens_in:,}"),
        ("Cache reads", f"{usage.tokens_cached:,}"),
        ("Cache writes", f"{usage.tokens_cache_write:,}"),
        ("Tokens out", f"{usage.tokens_out:,}"),
        ("Thinking", f"{usage.tokens_thinking:,}"),
        ("Refused or blocked", f"{usage.refusals:,}"),
        ("Estimated cost", cost),
    ]


def format_score(report: ReviewReport) -> str:
    """Return the score for a reader, saying when policies were not assessed.

    ``"83.0 / 100"``, ``"83.0 / 100 (2 of 5 policies not assessed)"``, or ``"none: no
    policy was assessed"`` for a review that assessed nothing (it has no score).
    """
    missing = len(report.not_assessed)
    if report.score is None:
        return "none: no policy was assessed"
    text = score_text(report.score)
    if missing:
        text += f" ({missing} of {len(report.policies)} policies not assessed)"
    return text


def not_assessed_heading(report: ReviewReport) -> tuple[str, str]:
    """Return the heading and the sentence that introduce the policies not assessed."""
    if report.assessed_nothing:
        return (
            "Nothing was assessed",
            "No policy could be assessed, so this review has no score and its absence of "
            "findings means nothing. Why, per policy:",
        )
    return (
        f"Not assessed ({len(report.not_assessed)} of {len(report.policies)} policies)",
        "These policies were not assessed; findings and score cover the others only:",
    )


def not_assessed_lines(report: ReviewReport) -> list[str]:
    """One line per policy not assessed: ``"SC-001: refused (the model's reason)"``."""
    lines = []
    for p in report.not_assessed:
        reason = (p.reason.value if p.reason else "not_reviewed").replace("_", " ")
        lines.append(f"{p.id}: {reason}" + (f" ({p.detail})" if p.detail else ""))
    return lines


@attrs.frozen
class QuoteContext:
    """A quote with the document text around it.

    ``before`` + ``quote`` + ``after`` is a contiguous slice of the document;
    ``clipped_before`` / ``clipped_after`` say whether the window cuts a paragraph short.
    ``found`` is False when the quote could not be placed in the Markdown given (then
    ``before`` and ``after`` are empty).
    """

    before: str
    quote: str
    after: str
    clipped_before: bool = False
    clipped_after: bool = False
    found: bool = True
    start: int = 0
    end: int = 0


def _locate(markdown: str, f: Quoted) -> tuple[int, int] | None:
    if not f.quote:
        return None
    if f.location is not None and markdown[f.location.start : f.location.end] == f.quote:
        return f.location.start, f.location.end
    # The span does not match (another version of the document?): take the nearest exact copy.
    hint = f.location.start if f.location is not None else 0
    best: int | None = None
    at = markdown.find(f.quote)
    while at != -1:
        if best is None or abs(at - hint) < abs(best - hint):
            best = at
        at = markdown.find(f.quote, at + 1)
    return None if best is None else (best, best + len(f.quote))


def quote_context(markdown: str | None, f: Quoted, *, width: int = 240) -> QuoteContext:
    """Return ``f``'s quote (a finding's first place, or any place) with context either side.

    Up to ``width`` characters of text are taken either side.

    The window stops at a blank line (the paragraph's edge) and otherwise is widened to whole
    words, so the context reads naturally.
    """
    span = _locate(markdown, f) if markdown is not None else None
    if markdown is None or span is None:
        return QuoteContext("", f.quote, "", found=False)
    start, end = span
    lo = max(0, start - width)
    clipped_before = clipped_after = False
    para = markdown.rfind("\n\n", lo, start)
    if para != -1:
        lo = para + 2
    elif lo > 0:
        space = markdown.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
        clipped_before = True
    hi = min(len(markdown), end + width)
    para = markdown.find("\n\n", end, hi)
    if para != -1:
        hi = para
    elif hi < len(markdown):
        space = markdown.rfind(" ", end, hi)
        hi = space if space != -1 else hi
        clipped_after = True
    return QuoteContext(
        before=markdown[lo:start],
        quote=markdown[start:end],
        after=markdown[end:hi],
        clipped_before=clipped_before,
        clipped_after=clipped_after,
        start=start,
        end=end,
    )


class LineIndex:
    r"""1-based line and column numbers of character offsets in a text, by binary search.

    >>> LineIndex("ab\ncd").line_col(4)
    (2, 2)
    """

    def __init__(self, text: str) -> None:
        self._length = len(text)
        self._starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_col(self, offset: int) -> tuple[int, int]:
        """Return the line and column of ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, self._length))
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


@functools.lru_cache(maxsize=2)
def _line_index(text: str) -> LineIndex:
    return LineIndex(text)


def line_col(text: str, offset: int) -> tuple[int, int]:
    r"""Return the 1-based line and column of character ``offset`` in ``text``.

    The line index of the last texts seen is cached: a report asks for many offsets into
    one document.

    >>> line_col("ab\ncd", 3)
    (2, 1)
    """
    return _line_index(text).line_col(offset)
