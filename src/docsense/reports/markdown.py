"""The Markdown report: summary, usage, policy table, findings grouped by severity and policy.

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
    findings_by_severity_and_policy,
    format_score,
    format_usage,
    line_col,
    not_assessed_heading,
    not_assessed_lines,
    policy_catalog,
    quote_context,
    severity_counts,
)
from docsense.review.report import FindingModel, ReviewReport

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
    lines = [
        f"- **Document:** {_inline(document_label(report))}",
        f"- **Document id:** {_inline(d.id or '-')}; **version:** {_inline(d.version or '-')}; "
        f"**source:** {_inline(d.source or '-')}",
        f"- **Policy packs:** {_inline(packs or '-')}",
        f"- **Reviewer:** {_inline(report.reviewer)}",
        f"- **Score:** {_inline(format_score(report))}",
        f"- **Findings:** {len(report.findings)}" + (f" ({by_severity})" if by_severity else ""),
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


def _where(f: FindingModel, markdown: str | None) -> str:
    if f.location is None:
        return "absent from the document"
    loc = f.location
    parts = []
    if loc.path:
        parts.append(" > ".join(loc.path))
    if markdown is not None and markdown[loc.start : loc.end] == f.quote:
        line, _ = line_col(markdown, loc.start)
        parts.append(f"line {line}")
    if loc.page is not None:
        parts.append(f"page {loc.page}")
    parts.append(f"characters {loc.start}-{loc.end}")
    return _inline(", ".join(parts))


def _finding(f: FindingModel, markdown: str | None) -> list[str]:
    lines = [
        f"#### {_inline(f.title)}",
        "",
        f"- **Finding:** {_inline(f.id)}; **category:** {_inline(f.category.value)}; "
        f"**confidence:** {f.confidence:.2f}; **source:** {_inline(f.source)}",
        f"- **Where:** {_where(f, markdown)}",
        "",
    ]
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
    per_policy: dict[str, int] = {}
    for f in report.findings:
        per_policy[f.policy_id] = per_policy.get(f.policy_id, 0) + 1
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
                lines.extend(_finding(f, markdown))
    if report.warnings:
        lines.extend(["## Warnings", ""])
        lines.extend(f"- {_inline(w)}" for w in report.warnings)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
