"""The Markdown report: summary, usage, policies, findings by severity and policy, safe text."""

from __future__ import annotations

import re

from docsense.domain.findings import Severity
from docsense.reports import to_markdown
from docsense.review.report import FindingModel

from .conftest import HOSTILE_QUOTE, Reviewed


def _outside_fences(text: str) -> list[str]:
    """The lines of ``text`` that are not inside a fenced code block."""
    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        m = re.match(r"^(`{3,})", line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None:
            out.append(line)
    assert fence is None, "a fenced block is left open"
    return out


def _fenced_blocks(text: str) -> list[str]:
    blocks: list[str] = []
    fence: str | None = None
    body: list[str] = []
    for line in text.splitlines():
        m = re.match(r"^(`{3,})", line)
        if fence is None and m:
            fence, body = m.group(1), []
        elif fence is not None and line.strip() == fence:
            blocks.append("\n".join(body))
            fence = None
        elif fence is not None:
            body.append(line)
    return blocks


def test_markdown_report_summarises_the_review(seed: Reviewed) -> None:
    text = to_markdown(seed.report, seed.markdown)
    assert text.startswith("# Review report: Low Volatility Equity Portfolio Strategy\n")
    assert f"**Findings:** {len(seed.report.findings)}" in text
    assert seed.report.score is not None
    assert f"**Score:** {seed.report.score * 100:.1f} / 100" in text
    assert "## Usage and cost" in text
    assert "Estimated cost" in text
    for policy in seed.report.policies:
        status = policy.status.value.replace("_", " ")
        assert re.search(rf"^\| {re.escape(policy.id)} \| .+ \| {status}( \(.+\))? \|", text,
                         re.MULTILINE)


def test_markdown_report_shows_usage_and_cost(hostile: Reviewed) -> None:
    text = to_markdown(hostile.report, hostile.markdown)
    assert "| 2 | 12,345 | 1,000 | 2,000 | 678 | 300 | 1 | $0.0421 |" in text


def test_markdown_report_groups_findings_by_severity_then_policy(worst: Reviewed) -> None:
    text = to_markdown(worst.report, worst.markdown, packs=worst.packs)
    headings = re.findall(r"^### (\w+) \((\d+)\)$", text, re.MULTILINE)
    ranks = [Severity(h.lower()).rank for h, _ in headings]
    assert ranks == sorted(ranks, reverse=True)
    assert len(set(ranks)) == len(ranks)
    assert sum(int(n) for _, n in headings) == len(worst.report.findings)
    assert text.count("\n#### ") == len(worst.report.findings)


def test_markdown_report_shows_each_quote_in_its_context(seed: Reviewed) -> None:
    text = to_markdown(seed.report, seed.markdown)
    blocks = _fenced_blocks(text)
    for f in seed.report.findings:
        if f.quote:
            assert any(f"⟦{f.quote}⟧" in b for b in blocks), f.id


def test_markdown_report_without_the_document_shows_bare_quotes(seed: Reviewed) -> None:
    text = to_markdown(seed.report)
    blocks = _fenced_blocks(text)
    quoted = [f for f in seed.report.findings if f.quote]
    assert quoted
    assert all(f.quote in blocks for f in quoted)
    assert "⟦" not in text


def test_document_text_is_never_markup_in_the_markdown_report(hostile: Reviewed) -> None:
    text = to_markdown(hostile.report, hostile.markdown)
    prose = "\n".join(_outside_fences(text))
    assert re.search(r"(?<!\\)<", prose) is None, "unescaped '<' outside code blocks"
    assert "<script>" not in prose
    assert any(HOSTILE_QUOTE in b for b in _fenced_blocks(text))
    assert r'Undefined cap \<b\>bold\</b\> \& "quoted"' in prose


def test_quotes_with_backtick_fences_cannot_close_the_code_block(hostile: Reviewed) -> None:
    quote = "stays ``` text ```` here"
    report = hostile.report.model_copy(update={"findings": [_finding(quote)]})
    text = to_markdown(report)
    assert "`````text" in text  # a fence longer than any backtick run in the quote
    assert quote in _fenced_blocks(text)


def test_absent_findings_say_so(hostile: Reviewed) -> None:
    text = to_markdown(hostile.report, hostile.markdown)
    assert "#### No governance section" in text
    assert "absent from the document" in text


def test_unknown_policies_are_shown_by_id(hostile: Reviewed) -> None:
    report = hostile.report.model_copy(update={"findings": [_finding("x", policy_id="ZZ-9")]})
    text = to_markdown(report)
    assert "**Policy ZZ-9**" in text


def _finding(quote: str, policy_id: str = "SC-001") -> FindingModel:
    return FindingModel.model_validate(
        {
            "id": "f-1", "policy_id": policy_id, "category": "other", "severity": "medium",
            "title": "T", "quote": quote, "location": {"start": 0, "end": len(quote)},
            "confidence": 0.5, "source": "rules",
        }
    )
