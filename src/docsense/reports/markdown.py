"""The Markdown report: summary, usage, policy table, findings grouped by severity and policy.

A finding found at several places is shown once, as "Title (46 places)": its first place in
context, then the first few places (quote, section, page, line) and "and N more".

Document text (quotes, their context, replacements) goes into fenced code blocks, so nothing a
document says is interpreted as Markdown or HTML by whatever renders the report; other text
(titles, descriptions, advice) is inline, with Markdown and HTML metacharacters
backslash-escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docsense.policies import LoadedPack
from docsense.reports._shared import (
    PolicyInfo,
    document_label,
    finding_heading,
    findings_by_severity_and_policy,
    findings_per_policy,
    format_score,
    format_usage,
    not_assessed_heading,
    not_assessed_lines,
    place_label,
    places_to_show,
    policy_catalog,
    quote_context,
    severity_counts,
    threshold_note,
)
from docsense.review.report import FindingModel, ReviewReport, SuppressionModel

__all__ = ["to_markdown"]

# Characters that start Markdown constructs or HTML inline; `(` `)` `{` `}` need no escape.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|&~])")


def _inline(text: str) -> str:
    """Escape ``text`` for use inside a Markdown paragraph, list item or table cell."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _fenced(text: str, info: str = "text") -> list[str]:
    """Return ``text`` as a fenced code block whose fence no run of backticks inside can close."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *text.splitlines(), fence]


def _summary(report: ReviewReport) -> list[str]:
    d = report.document
    packs = ", ".join(f"{p.name} ({p.id} {p.version})" for p in report.packs)
    counts = severity_counts(report.findings)
    by_severity = ", ".join(f"{n} {sev.value}" for sev, n in counts.items() if n)
    places = report.places
    found = f"{len(report.findings)}" + (f" ({by_severity})" if by_severity else "")
    if places != len(report.findings):
        found += f", at {places} places"
    note = threshold_note(report)
    lines = [
        f"- **Document:** {_inline(document_label(report))}",
        f"- **Document id:** {_inline(d.id or '-')}; **version:** {_inline(d.version or '-')}; "
        f"**source:** {_inline(d.source or '-')}",
        f"- **Policy packs:** {_inline(packs or '-')}",
        f"- **Reviewer:** {_inline(report.reviewer)}",
        f"- **Score:** {_inline(format_score(report))}",
        f"- **Findings:** {found}" + (f"; {_inline(note)}" if note else ""),
        f"- **Quotes grounded:** {report.stats.grounded}; **dropped (not in the document):** "
        f"{report.stats.dropped_ungrounded}; **merged duplicates:** {report.stats.deduplicated}",
    ]
    return lines


def _not_assessed(report: ReviewReport) -> list[str]:
    lines = not_assessed_lines(report)
    if not lines:
        return []
    heading, intro = not_assessed_heading(report)
    return [f"## {heading}", "", intro, "", *(f"- {_inline(line)}" for line in lines)]


def _usage(report: ReviewReport) -> list[str]:
    rows = format_usage(report.usage)
    return [
        "## Usage and cost",
        "",
        "| " + " | ".join(label for label, _ in rows) + " |",
        "|" + "---:|" * len(rows),
        "| " + " | ".join(value for _, value in rows) + " |",
    ]


def _policies(catalog: dict[str, PolicyInfo], counts: dict[str, int]) -> list[str]:
    lines = [
        "## Policies",
        "",
        "| Policy | Title | Level | Pack | Status | Findings |",
        "|---|---|---|---|---|---:|",
    ]
    for info in catalog.values():
        lines.append(
            f"| {_inline(info.id)} | {_inline(info.title)} | {_inline(info.level or '-')} | "
            f"{_inline(info.pack or '-')} | {_inline(info.status_text)} | "
            f"{counts.get(info.id, 0)} |"
        )
    return lines


def _places(f: FindingModel, markdown: str | None) -> list[str]:
    shown, more = places_to_show(f)
    text = [
        f"{n}. {' '.join(o.quote.split())!r} ({place_label(o, markdown)})"
        for n, o in enumerate(shown, 1)
    ]
    if more:
        text.append(f"... and {more} more")
    return [f"Places ({f.places}):", "", *_fenced("\n".join(text)), ""]


def _finding(
    f: FindingModel, markdown: str | None, suppressed: SuppressionModel | None = None
) -> list[str]:
    check = f"; **check:** {_inline(f.check)}" if f.check else ""
    lines = [
        f"#### {_inline(finding_heading(f))}",
        "",
        f"- **Finding:** {_inline(f.id)}; **category:** {_inline(f.category.value)}; "
        f"**confidence:** {f.confidence:.2f}; **source:** {_inline(f.source)}{check}",
        f"- **Where:** {_inline(place_label(f, markdown, offsets=True))}",
        f"- **Fingerprint:** `{f.fingerprint}`",
    ]
    if suppressed is not None:
        lines.append(
            f"- **Suppressed:** rejected by {_inline(suppressed.rejected_by)} in "
            f"{_inline(suppressed.rejected_in)}: {_inline(suppressed.reason)}"
        )
    if f.below_threshold:
        lines.append("- **Below the confidence threshold** (shown because all were asked for)")
    lines.append("")
    if f.quote:
        ctx = quote_context(markdown, f)
        if ctx.found and (ctx.before.strip() or ctx.after.strip()):
            lines.append("Quote in context (the quote is between `⟦` and `⟧`):")
            lines.append("")
            text = (
                ("…" if ctx.clipped_before else "")
                + f"{ctx.before}⟦{ctx.quote}⟧{ctx.after}"
                + ("…" if ctx.clipped_after else "")
            )
            lines.extend(_fenced(text))
        else:
            lines.append("Quote:")
            lines.append("")
            lines.extend(_fenced(f.quote))
        lines.append("")
    if f.places > 1:
        lines.extend(_places(f, markdown))
    if f.description:
        lines.extend([_inline(f.description), ""])
    if f.suggested_fix:
        lines.extend([f"**Suggested fix:** {_inline(f.suggested_fix)}", ""])
    if f.replacement is not None:
        lines.extend(["**Replacement text:**", "", *_fenced(f.replacement), ""])
    return lines


def to_markdown(
    report: ReviewReport,
    markdown: str | None = None,
    *,
    packs: Sequence[LoadedPack] | None = None,
) -> str:
    """Return ``report`` as a Markdown document.

    ``markdown`` is the reviewed document's Markdown: when given, each quote is shown in its
    surrounding text and with its line number. ``packs`` supplies policy titles (see
    :func:`~docsense.reports.policy_catalog`).

    >>> from docsense.review.report import ReviewReport
    >>> report = ReviewReport.model_validate({
    ...     "document": {"id": "d1", "title": "Strategy"}, "packs": [], "reviewer": "rules",
    ...     "score": 1.0, "policies": [], "findings": [], "usage": {},
    ...     "stats": {"grounded": 0, "dropped_ungrounded": 0}})
    >>> to_markdown(report).splitlines()[0]
    '# Review report: Strategy'
    """
    catalog = policy_catalog(report, packs)
    per_policy = findings_per_policy(report)
    lines = [f"# Review report: {_inline(document_label(report))}", "", *_summary(report), ""]
    missing = _not_assessed(report)
    if missing:
        lines.extend([*missing, ""])
    lines.extend([*_usage(report), ""])
    if catalog:
        lines.extend([*_policies(catalog, per_policy), ""])
    lines.extend(["## Findings", ""])
    if not report.findings:
        lines.extend(
            ["No findings, but nothing was assessed.", ""]
            if report.assessed_nothing
            else ["No findings.", ""]
        )
    for severity, groups in findings_by_severity_and_policy(report.findings):
        count = sum(len(fs) for _, fs in groups)
        lines.extend([f"### {severity.value.capitalize()} ({count})", ""])
        for policy_id, findings in groups:
            info = catalog.get(policy_id)
            title = info.title if info is not None and info.known else ""
            head = f"{policy_id}: {title}" if title else policy_id
            lines.extend([f"**Policy {_inline(head)}**", ""])
            for f in findings:
                lines.extend(_finding(f, markdown, report.suppression(f.id)))
    if report.warnings:
        lines.extend(["## Warnings", ""])
        lines.extend(f"- {_inline(w)}" for w in report.warnings)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
