"""The HTML report: one self-contained page that is safe to open whatever the document says.

- Self-contained: inline CSS, no scripts, no fonts, images or any other URL; a
  ``Content-Security-Policy`` meta tag (``default-src 'none'; style-src 'unsafe-inline'``)
  makes the browser refuse anything else, should some text ever slip through unescaped.
- Every piece of text (document quotes and context, titles, descriptions, ids) goes through
  :func:`html.escape`, so ``<script>`` in a document shows as text.
- Findings are grouped by severity (most serious first), then by policy; each quote is shown
  highlighted in its surrounding text when the document's Markdown is given. A finding found
  at several places is shown once, as "Title (46 places)", with its first few places listed
  (quote, section, page, line) and "and N more".
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from docsense.domain.findings import Severity
from docsense.policies import LoadedPack
from docsense.reports._shared import (
    PolicyInfo,
    document_label,
    finding_heading,
    findings_by_severity_and_policy,
    findings_per_policy,
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

__all__ = ["CONTENT_SECURITY_POLICY", "to_html"]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)

_CSS = """
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #d9dee8;
  --bg: #ffffff; --panel: #f6f8fb; --mark: #fff0a8;
  --critical: #8b0000; --high: #c0392b; --medium: #b9770e; --low: #2e6da4; --info: #5b6475; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line);
  padding-bottom: .25rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1rem 0 .5rem; color: var(--muted); }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
th { background: var(--panel); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem;
  margin: 0; }
dl.summary dt { font-weight: 600; }
dl.summary dd { margin: 0; }
.score { font-size: 2rem; font-weight: 700; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .8rem;
  font-weight: 600; color: #fff; background: var(--info); vertical-align: middle; }
.sev-critical { background: var(--critical); } .sev-high { background: var(--high); }
.sev-medium { background: var(--medium); } .sev-low { background: var(--low); }
.sev-info { background: var(--info); }
.status-violated { color: var(--high); font-weight: 600; }
.status-satisfied { color: #1e7b34; }
.status-not_assessed { color: var(--muted); }
article.finding { border: 1px solid var(--line); border-left: 4px solid var(--info);
  border-radius: 4px; padding: .6rem .9rem; margin: .75rem 0; background: var(--bg); }
article.finding.critical { border-left-color: var(--critical); }
article.finding.high { border-left-color: var(--high); }
article.finding.medium { border-left-color: var(--medium); }
article.finding.low { border-left-color: var(--low); }
article.finding h5 { font-size: 1rem; margin: 0 0 .3rem; }
.meta { color: var(--muted); font-size: .85rem; margin: 0 0 .5rem; }
.context, .replacement { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--panel);
  border: 1px solid var(--line); border-radius: 4px; padding: .5rem .7rem; margin: .4rem 0;
  font: .88rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.context mark { background: var(--mark); color: inherit; outline: 1px solid #e0c200; }
.clip { color: var(--muted); }
.absent { color: var(--muted); font-style: italic; }
.below { background: var(--muted); }
ol.places { margin: .3rem 0 .5rem; padding-left: 1.6rem; font-size: .88rem; }
ol.places q { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.more { color: var(--muted); font-size: .88rem; margin: 0 0 .5rem; }
.label { font-weight: 600; }
ul.warnings li { color: var(--medium); }
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _badge(severity: Severity) -> str:
    return f'<span class="badge sev-{severity.value}">{_e(severity.value)}</span>'


def _summary(report: ReviewReport) -> list[str]:
    d = report.document
    counts = severity_counts(report.findings)
    count_text = ", ".join(f"{n} {sev.value}" for sev, n in counts.items() if n)
    packs = ", ".join(f"{p.name} ({p.id} {p.version})" for p in report.packs) or "-"
    rows = [
        ("Document id", d.id or "-"),
        ("Version", d.version or "-"),
        ("Source", d.source or "-"),
        ("Policy packs", packs),
        ("Reviewer", report.reviewer),
        ("Findings", _count_text(report, count_text)),
        (
            "Quotes",
            f"{report.stats.grounded} grounded, {report.stats.dropped_ungrounded} dropped "
            f"(not in the document), {report.stats.deduplicated} duplicates merged",
        ),
    ]
    out = [
        '<section id="summary">',
        "<h2>Summary</h2>",
        _score(report),
        '<dl class="summary">',
    ]
    out.extend(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    out.extend(["</dl>", "</section>"])
    return out


def _score(report: ReviewReport) -> str:
    if report.score is None:
        return '<p><span class="score not-assessed">No score</span>: no policy was assessed</p>'
    missing = len(report.not_assessed)
    note = (
        f" &middot; {missing} of {len(report.policies)} policies not assessed" if missing else ""
    )
    return f'<p><span class="score">{report.score * 100:.1f}</span> / 100 score{note}</p>'


def _not_assessed(report: ReviewReport) -> list[str]:
    lines = not_assessed_lines(report)
    if not lines:
        return []
    heading, intro = not_assessed_heading(report)
    return [
        '<section id="not-assessed">',
        f"<h2>{_e(heading)}</h2>",
        f"<p>{_e(intro)}</p>",
        '<ul class="warnings">',
        *(f"<li>{_e(line)}</li>" for line in lines),
        "</ul>",
        "</section>",
    ]


def _count_text(report: ReviewReport, by_severity: str) -> str:
    text = f"{len(report.findings)}" + (f" ({by_severity})" if by_severity else "")
    if report.places != len(report.findings):
        text += f", at {report.places} places"
    note = threshold_note(report)
    return f"{text}; {note}" if note else text


def _usage(report: ReviewReport) -> list[str]:
    rows = format_usage(report.usage)
    return [
        '<section id="usage">',
        "<h2>Usage and cost</h2>",
        "<table><thead><tr>",
        *(f"<th>{_e(label)}</th>" for label, _ in rows),
        "</tr></thead><tbody><tr>",
        *(f'<td class="num">{_e(value)}</td>' for _, value in rows),
        "</tr></tbody></table>",
        "</section>",
    ]


def _policies(catalog: dict[str, PolicyInfo], counts: dict[str, int]) -> list[str]:
    out = [
        '<section id="policies">',
        "<h2>Policies</h2>",
        "<table><thead><tr><th>Policy</th><th>Title</th><th>Level</th><th>Pack</th>"
        "<th>Status</th><th>Findings</th></tr></thead><tbody>",
    ]
    for info in catalog.values():
        status = info.status or "-"
        out.append(
            f"<tr><td>{_e(info.id)}</td><td>{_e(info.title)}</td><td>{_e(info.level or '-')}</td>"
            f"<td>{_e(info.pack or '-')}</td>"
            f'<td class="status-{_e(status)}">{_e(info.status_text)}</td>'
            f'<td class="num">{counts.get(info.id, 0)}</td></tr>'
        )
    out.extend(["</tbody></table>", "</section>"])
    return out


def _finding(
    f: FindingModel, markdown: str | None, suppressed: SuppressionModel | None = None
) -> list[str]:
    ctx = quote_context(markdown, f) if f.quote else None
    start = ctx.start if ctx is not None and ctx.found else None
    below = ' <span class="badge below">below threshold</span>' if f.below_threshold else ""
    if suppressed is not None:
        below += ' <span class="badge below">suppressed</span>'

    check = f" · {_e(f.check)}" if f.check else ""
    out = [
        f'<article class="finding {_e(f.severity.value)}" id="finding-{_e(f.id)}">',
        f"<h5>{_badge(f.severity)} {_e(finding_heading(f))}{below}</h5>",
        f'<p class="meta">{_e(f.id)} · {_e(f.category.value)} · confidence '
        f"{f.confidence:.2f} · {_e(f.source)}{check} · "
        f"{_e(place_label(f, markdown, line_at=start, offsets=True))} · fingerprint "
        f"<code>{_e(f.fingerprint)}</code></p>",
    ]
    if suppressed is not None:
        out.append(
            f'<p class="suppressed">Suppressed: rejected by {_e(suppressed.rejected_by)} in '
            f"{_e(suppressed.rejected_in)}: {_e(suppressed.reason)}</p>"
        )
    if ctx is None:
        out.append('<p class="absent">Nothing to quote: this is about content the document '
                   "lacks.</p>")
    elif ctx.found:
        out.append(
            '<div class="context" role="figure" aria-label="quote in its surrounding text">'
            + ('<span class="clip">…</span>' if ctx.clipped_before else "")
            + _e(ctx.before)
            + f"<mark>{_e(ctx.quote)}</mark>"
            + _e(ctx.after)
            + ('<span class="clip">…</span>' if ctx.clipped_after else "")
            + "</div>"
        )
    else:
        out.append(f'<div class="context"><mark>{_e(ctx.quote)}</mark></div>')
    if f.places > 1:
        shown, more = places_to_show(f)
        out.append(f'<p class="label">Places ({f.places}):</p><ol class="places">')
        out.extend(
            f"<li><q>{_e(' '.join(o.quote.split()))}</q> {_e(place_label(o, markdown))}</li>"
            for o in shown
        )
        out.append("</ol>")
        if more:
            out.append(f'<p class="more">and {more} more</p>')
    if f.description:
        out.append(f"<p>{_e(f.description)}</p>")
    if f.suggested_fix:
        out.append(f'<p><span class="label">Suggested fix:</span> {_e(f.suggested_fix)}</p>')
    if f.replacement is not None:
        out.append('<p class="label">Replacement text:</p>')
        out.append(f'<div class="replacement">{_e(f.replacement)}</div>')
    out.append("</article>")
    return out


def _findings(
    report: ReviewReport, catalog: dict[str, PolicyInfo], markdown: str | None
) -> list[str]:
    out = ['<section id="findings">', "<h2>Findings</h2>"]
    if not report.findings:
        out.append(
            "<p>No findings, but nothing was assessed.</p>"
            if report.assessed_nothing
            else "<p>No findings.</p>"
        )
    for severity, groups in findings_by_severity_and_policy(report.findings):
        count = sum(len(fs) for _, fs in groups)
        out.append(
            f'<section class="severity" id="severity-{_e(severity.value)}">'
            f"<h3>{_badge(severity)} {_e(severity.value.capitalize())} ({count})</h3>"
        )
        for policy_id, findings in groups:
            info = catalog.get(policy_id)
            title = f"{policy_id}: {info.title}" if info is not None and info.known else policy_id
            out.append(f'<section class="policy"><h4>Policy {_e(title)}</h4>')
            if info is not None and info.description:
                out.append(f'<p class="meta">{_e(info.description)}</p>')
            for f in findings:
                out.extend(_finding(f, markdown, report.suppression(f.id)))
            out.append("</section>")
        out.append("</section>")
    out.append("</section>")
    return out


def to_html(
    report: ReviewReport,
    markdown: str | None = None,
    *,
    packs: Sequence[LoadedPack] | None = None,
) -> str:
    """Return ``report`` as one self-contained HTML page (inline CSS, no script, no URL).

    ``markdown`` is the reviewed document's Markdown; with it each quote is shown highlighted
    in its surrounding text (a window around ``location.start``/``end``), without it only the
    quote is shown. ``packs`` supplies policy titles and descriptions.

    >>> from docsense.review.report import ReviewReport
    >>> report = ReviewReport.model_validate({
    ...     "document": {"id": "d1", "title": "<b>Strategy</b>"}, "packs": [],
    ...     "reviewer": "rules", "score": 1.0, "policies": [], "findings": [], "usage": {},
    ...     "stats": {"grounded": 0, "dropped_ungrounded": 0}})
    >>> page = to_html(report)
    >>> "&lt;b&gt;Strategy&lt;/b&gt;" in page, "<script" in page
    (True, False)
    """
    catalog = policy_catalog(report, packs)
    per_policy = findings_per_policy(report)
    label = document_label(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CONTENT_SECURITY_POLICY)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="docsense">',
        f"<title>Review report: {_e(label)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>Review report: {_e(label)}</h1>",
        f'<p class="subtitle">{_e(report.schema_)} · reviewed by {_e(report.reviewer)}</p>',
        "</header>",
        *_summary(report),
        *_not_assessed(report),
        *_usage(report),
    ]
    if catalog:
        parts.extend(_policies(catalog, per_policy))
    parts.extend(_findings(report, catalog, markdown))
    if report.warnings:
        parts.extend(['<section id="warnings">', "<h2>Warnings</h2>", '<ul class="warnings">'])
        parts.extend(f"<li>{_e(w)}</li>" for w in report.warnings)
        parts.extend(["</ul>", "</section>"])
    parts.extend(["<footer>Generated by docsense.</footer>", "</main>", "</body>", "</html>"])
    return "\n".join(parts) + "\n"
