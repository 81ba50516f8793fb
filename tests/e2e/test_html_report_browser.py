"""The HTML report in a real browser: headless Debian Chromium driven by Playwright.

The page must render every finding, make no network request and run no script, even for a
document whose text is ``<script>alert(1)</script>``. Chromium comes from Debian's
``chromium`` package (``.ci/run`` installs it); Playwright's own browser download is never
used. Without chromium the test skips, or fails when ``CI`` is set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.browser import CHROMIUM_ARGS, chromium_executable

from docsense.adapters.ai.rules import RulesReviewer
from docsense.adapters.convert import convert_document
from docsense.domain.review import Usage
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.ports import RawFinding, Reviewer, ReviewerResult, ReviewRequest
from docsense.reports import to_html
from docsense.review.engine import ReviewDocument, run_review
from docsense.review.report import ReviewReport, build_report

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "../shared/corpus/seed-docs/doc_20_worst_case.docx"
BUNDLED_SEED = REPO / "tests/data/review/doc_03_undefined_parameters.docx"

SCRIPT = "<script>alert(1)</script>"
HOSTILE_QUOTE = f'{SCRIPT} The cap is <img src=x onerror=alert(2)> per "quotes" & ampersands'
HOSTILE_MARKDOWN = f"""# Hostile <Strategy>

## 1. Rebalancing

Positions are rebalanced periodically. {HOSTILE_QUOTE} rule.

<img src="https://example.invalid/pixel.png"> <link rel="stylesheet" href="https://example.invalid/a.css">
<iframe src="https://example.invalid/"></iframe> <svg onload=alert(5)></svg>

## 2. Links

See [the index](https://example.invalid/index) and ![logo](https://example.invalid/logo.png).
"""


class _Scripted:
    """A reviewer that points one finding at the hostile text (as an LLM might)."""

    spec = "llm:scripted"

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        return ReviewerResult(
            findings=(
                RawFinding(
                    policy_id="SC-001",
                    title="Cap <b>never</b> stated",
                    quote=HOSTILE_QUOTE,
                    description='It says <img src=x onerror=alert(6)> & "no value".',
                    severity="critical",
                    replacement="The cap is 5% <script>alert(7)</script>",
                ),
            ),
            assessed=frozenset({"SC-001"}),
            source="llm:scripted",
            usage=Usage(tokens_in=1200, tokens_out=300, calls=1, cost_estimate=0.0123),
        )


def _review(data: bytes, filename: str, *, scripted: bool) -> tuple[ReviewReport, str]:
    converted = convert_document(data, filename)
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    document = ReviewDocument.from_converted(converted, ir, document_id="doc-1")
    reviewers: list[Reviewer] = [RulesReviewer(), _Scripted()] if scripted else [RulesReviewer()]
    review = run_review(document, [load_pack("self-containment")], reviewers)
    # Playwright's sync API keeps an event loop running in this thread; review in another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        outcome = pool.submit(asyncio.run, review).result()
    return build_report(outcome), converted.markdown


class Visit:
    """What the browser did while showing one page."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []
        self.text = ""
        self.finding_titles: list[str] = []
        self.marks: list[str] = []
        self.elements: dict[str, int] = {}


VisitFn = Callable[[Path], Visit]


@pytest.fixture(scope="module")
def browser_visit() -> Iterator[VisitFn]:
    """A function that opens an HTML file in headless Chromium and reports a :class:`Visit`."""
    executable = chromium_executable()
    from playwright.sync_api import Dialog, Request, Route, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)

        def visit(path: Path) -> Visit:
            seen = Visit()
            context = browser.new_context(java_script_enabled=True)

            def block_network(route: Route) -> None:
                # Recorded by the request listener; never let a request leave the machine.
                if route.request.url.startswith("file:"):
                    route.continue_()
                else:
                    route.abort()

            context.route("**/*", block_network)
            page = context.new_page()
            page.set_default_timeout(30_000)

            def on_dialog(dialog: Dialog) -> None:
                seen.dialogs.append(f"{dialog.type}: {dialog.message}")
                dialog.dismiss()

            def on_request(request: Request) -> None:
                seen.requests.append(request.url)

            page.on("dialog", on_dialog)
            page.on("request", on_request)
            page.on("pageerror", lambda exc: seen.page_errors.append(str(exc)))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(300)  # let any deferred handler (onerror, onload) fire
            seen.text = page.inner_text("body")
            seen.finding_titles = page.locator("article.finding h5").all_inner_texts()
            seen.marks = page.locator("mark").all_inner_texts()
            seen.elements = {
                tag: page.locator(tag).count()
                for tag in ("script", "img", "iframe", "link", "svg", "article.finding")
            }
            context.close()
            return seen

        yield visit
        browser.close()


def test_hostile_document_text_shows_as_text_and_runs_nothing(
    browser_visit: VisitFn, tmp_path: Path
) -> None:
    report, markdown = _review(HOSTILE_MARKDOWN.encode(), "hostile.md", scripted=True)
    page = tmp_path / "report.html"
    page.write_text(to_html(report, markdown), encoding="utf-8")

    seen: Visit = browser_visit(page)

    assert seen.dialogs == [], "a script ran"
    assert seen.page_errors == []
    assert seen.requests == [page.as_uri()], "the page made a request of its own"
    assert seen.elements["script"] == 0
    assert seen.elements["img"] == seen.elements["iframe"] == seen.elements["link"] == 0
    assert seen.elements["svg"] == 0
    assert SCRIPT in seen.text
    assert "<img src=x onerror=alert(2)>" in seen.text
    assert '"quotes" & ampersands' in seen.text
    assert "The cap is 5% <script>alert(7)</script>" in seen.text
    assert HOSTILE_QUOTE in seen.marks
    assert seen.elements["article.finding"] == len(report.findings)
    for f in report.findings:
        assert any(title.endswith(f.title) for title in seen.finding_titles), f.title
    assert "$0.0123" in seen.text


def test_seed_document_report_renders_every_finding(
    browser_visit: VisitFn, tmp_path: Path
) -> None:
    source = SEED if SEED.is_file() else BUNDLED_SEED
    report, markdown = _review(source.read_bytes(), source.name, scripted=False)
    assert report.findings, "the seed document should have findings"
    page = tmp_path / "seed.html"
    page.write_text(to_html(report, markdown), encoding="utf-8")

    seen: Visit = browser_visit(page)

    assert seen.requests == [page.as_uri()]
    assert seen.dialogs == []
    assert seen.elements["article.finding"] == len(report.findings)
    assert sorted(seen.marks) == sorted(f.quote for f in report.findings if f.quote)
    for f in report.findings:
        assert f.title in seen.text
    for policy in report.policies:
        assert policy.id in seen.text


def test_the_harness_notices_scripts_and_requests(browser_visit: VisitFn, tmp_path: Path) -> None:
    # A control: an unescaped page must trip both detectors, or the tests above prove nothing.
    page = tmp_path / "unsafe.html"
    page.write_text(
        "<!DOCTYPE html><html><body><script>alert(1)</script>"
        '<img src="https://example.invalid/x.png"></body></html>',
        encoding="utf-8",
    )

    seen = browser_visit(page)

    assert seen.dialogs == ["alert: 1"]
    assert "https://example.invalid/x.png" in seen.requests
