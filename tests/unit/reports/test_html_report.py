"""The HTML report: self-contained, everything escaped, findings grouped, quotes in context."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from docsense.domain.findings import Severity, ordering_key
from docsense.reports import CONTENT_SECURITY_POLICY, to_html

from .conftest import HOSTILE_QUOTE, Reviewed


class Page(HTMLParser):
    """The tags, attributes and visible text of an HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.marks: list[str] = []
        self._stack: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in {"meta", "br", "hr"}:
            self._stack.append(tag)
        if tag == "mark":
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        assert self._stack, f"</{tag}> closes nothing"
        assert self._stack[-1] == tag, f"mis-nested </{tag}> in {self._stack}"
        self._stack.pop()

    def handle_data(self, data: str) -> None:
        if "style" in self._stack or "title" in self._stack:
            return
        self.text.append(data)
        if "mark" in self._stack:
            self.marks[-1] += data

    @property
    def body_text(self) -> str:
        return "".join(self.text)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def test_html_report_is_self_contained(seed: Reviewed) -> None:
    page_html = to_html(seed.report, seed.markdown)
    page = Page(page_html)
    names = {t for t, _ in page.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "base", "form",
                        "video", "audio", "source"}
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in {"src", "href", "action", "srcset"}, (tag, name)
            assert "http" not in (value or "") or name == "content", (tag, name, value)
    css = page_html.split("<style>")[1].split("</style>")[0]
    assert not re.search(r"url\(|@import|https?:", css)
    csp = [a for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp
    assert csp[0]["content"] == CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY


def test_document_text_is_escaped_and_shown_as_text(hostile: Reviewed) -> None:
    page_html = to_html(hostile.report, hostile.markdown)
    page = Page(page_html)
    assert not [t for t, _ in page.tags if t in {"script", "img", "link", "b", "i", "owns"}]
    text = page.body_text
    for needle in (
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(2)>",
        '"quotes" & ampersands',
        'Undefined cap <b>bold</b> & "quoted"',
        "State the cap </article><script>alert(3)</script>.",
        "The cap is 5% <script>alert(4)</script>",
        "Nobody <owns> the methodology.",
        'Review report: Hostile <Strategy> & "Co"',
    ):
        assert needle in text, needle
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_html
    assert HOSTILE_QUOTE in page.marks


def test_each_quote_is_highlighted_in_its_surrounding_text(seed: Reviewed) -> None:
    page = Page(to_html(seed.report, seed.markdown))
    quoted = [f for f in seed.report.findings if f.quote]
    assert sorted(page.marks) == sorted(f.quote for f in quoted)
    text = page.body_text
    for f in quoted:
        assert f.location is not None
        before = seed.markdown[max(0, f.location.start - 20) : f.location.start]
        after = seed.markdown[f.location.end : f.location.end + 20]
        window = (before + f.quote + after).split("\n\n")
        assert max(window, key=len) in text, f.id


def test_context_windows_are_bounded(worst: Reviewed) -> None:
    page_html = to_html(worst.report, worst.markdown, packs=worst.packs)
    for block in re.findall(r'<div class="context"[^>]*>(.*?)</div>', page_html, re.DOTALL):
        visible = re.sub(r"<[^>]+>", "", block)
        mark = re.search(r"<mark>(.*?)</mark>", block, re.DOTALL)
        assert mark is not None
        assert len(visible) - len(mark.group(1)) <= 2 * 240 + 2 + 60  # html entities aside


def test_findings_are_grouped_by_severity_then_policy(worst: Reviewed) -> None:
    page_html = to_html(worst.report, worst.markdown, packs=worst.packs)
    severities = re.findall(r'<section class="severity" id="severity-(\w+)">', page_html)
    ranks = [Severity(s).rank for s in severities]
    assert ranks == sorted(ranks, reverse=True)
    assert len(set(ranks)) == len(ranks)
    assert page_html.count('<article class="finding') == len(worst.report.findings)
    ordered = sorted(
        worst.report.findings,
        key=lambda f: ordering_key(f.severity, f.confidence,
                                   f.location.start if f.location else None, f.policy_id, f.id),
    )
    for chunk, severity in zip(page_html.split('<section class="severity"')[1:], severities,
                               strict=True):
        policies = re.findall(r"<h4>Policy ([A-Z]+-\d+):", chunk)
        # A policy comes where its first finding does in the report order.
        expected = list(dict.fromkeys(f.policy_id for f in ordered if f.severity == severity))
        assert policies == expected
        assert len(set(policies)) == len(policies)
    page = Page(page_html)
    for f in worst.report.findings:
        assert f.title in page.body_text


def test_html_report_shows_summary_usage_and_policies(hostile: Reviewed) -> None:
    page = Page(to_html(hostile.report, hostile.markdown))
    text = page.body_text
    assert "12,345" in text
    assert "$0.0421" in text
    assert "Estimated cost" in text
    assert "rules+llm:scripted" in text
    for policy in hostile.report.policies:
        assert policy.id in text
    assert "Nothing to quote" in text  # the absent finding


def test_without_the_document_the_quote_is_shown_alone(seed: Reviewed) -> None:
    page = Page(to_html(seed.report))
    assert sorted(page.marks) == sorted(f.quote for f in seed.report.findings if f.quote)
    assert "line " not in page.body_text


def test_a_different_document_version_does_not_misplace_quotes(seed: Reviewed) -> None:
    shifted = "Preface paragraph.\n\n" + seed.markdown
    page = Page(to_html(seed.report, shifted))
    assert sorted(page.marks) == sorted(f.quote for f in seed.report.findings if f.quote)
