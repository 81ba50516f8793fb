"""The web UI in real Chromium: `docsense serve` and `docsense worker` on PostgreSQL.

A person signs in with a token, uploads a seed document, waits for the review (run by the
worker process), rejects one finding, accepts one replacement, applies the decisions,
reviews the new version and sees its review. Debian's chromium, driven by Playwright
(never a downloaded browser); without it the test skips, or fails when ``CI`` is set.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.browser import CHROMIUM_ARGS, chromium_executable

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "../shared/corpus/seed-docs/doc_03_undefined_parameters.docx"
BUNDLED_SEED = REPO / "tests/data/review/doc_03_undefined_parameters.docx"


# The flags tests/e2e/test_html_report_browser.py launches Debian's chromium with.
REVIEW_PAGE = re.compile(r".*/ui/reviews/review-[0-9a-f-]+$")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _docsense(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "docsense.cli", *args],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not become ready")


class Running:
    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token


@pytest.fixture
def running(postgres_url: str, tmp_path: Path) -> Iterator[Running]:
    import asyncio
    import uuid

    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in postgres_url else "?"
    store = f"{postgres_url}{sep}schema={schema}"
    port = _free_port()
    env = {
        **os.environ,
        "DOCSENSE_STORE_URL": store,
        "DOCSENSE_ACTOR": "worker",
        "DOCSENSE_SERVER_SECURE_COOKIES": "false",  # plain http on the loopback
        "DOCSENSE_SERVER_HSTS": "false",
        "DOCSENSE_SERVER_SSE_POLL_SECONDS": "0.2",
    }
    created = _docsense("tokens", "create", "e2e reviewer", "--scope", "review", "--scope",
                        "decide", "--actor", "alice", "--json", env=env)
    token = json.loads(created.stdout)["token"]
    logs = tmp_path / "logs"
    logs.mkdir()
    with (logs / "server.log").open("wb") as server_log, \
            (logs / "worker.log").open("wb") as worker_log:
        server = subprocess.Popen(
            [sys.executable, "-m", "docsense.cli", "serve", "--port", str(port)],
            env=env, stdout=server_log, stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "docsense.cli", "worker", "--poll-interval", "0.2"],
            env=env, stdout=worker_log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, server)
            yield Running(url, token)
        finally:
            for proc in (server, worker):
                proc.terminate()
            for proc in (server, worker):
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()

    async def drop() -> None:
        conn = await asyncpg.connect(postgres_url)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()

    asyncio.run(drop())


def test_upload_review_decide_apply_and_review_the_new_version(
    running: Running, tmp_path: Path
) -> None:
    executable = chromium_executable()
    from playwright.sync_api import expect, sync_playwright

    seed = SEED if SEED.is_file() else BUNDLED_SEED
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        # Sign in with the keyboard: the label names the field.
        page.goto(f"{running.url}/ui/documents")
        expect(page).to_have_url(f"{running.url}/ui/login")
        page.keyboard.press("Tab")  # the first stop skips to the content
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        page.get_by_label("API token").focus()
        page.keyboard.type(running.token)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Documents", exact=True)).to_be_visible()

        # Upload the seed document.
        page.get_by_label("File", exact=False).set_input_files(str(seed))
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_role("heading", name="Versions")).to_be_visible()
        document_url = page.url

        # Start the review; the worker runs it; the progress page moves on by itself.
        page.get_by_role("button", name="Start review").click()
        expect(page).to_have_url(REVIEW_PAGE)
        findings = page.locator("article.finding")
        expect(findings.first).to_be_visible()
        assert findings.count() >= 2
        assert page.locator("article.finding mark").count() >= 1
        first_review = page.url

        # Reject one finding (with a reason), accept one replacement.
        rejectable = page.locator("article.finding:not(:has(button.accept))").first
        if rejectable.count() == 0:
            rejectable = findings.last
        rejected_id = rejectable.get_attribute("data-finding-id")
        rejectable.get_by_label("Reason for rejecting").fill("covered by the appendix")
        rejectable.get_by_role("button", name="Reject").click()
        expect(page.locator(f'article[data-finding-id="{rejected_id}"]')).to_have_attribute(
            "data-decision", "rejected"
        )
        acceptable = page.locator(
            'article.finding[data-decision="pending"]:has(button.accept)'
        ).first
        accepted_id = acceptable.get_attribute("data-finding-id")
        acceptable.get_by_role("button", name="Accept replacement").click()
        expect(page.locator(f'article[data-finding-id="{accepted_id}"]')).to_have_attribute(
            "data-decision", "accepted"
        )

        # Apply: a new version appears on the document page.
        page.get_by_role("button", name="Apply to make a new version").click()
        expect(page).to_have_url(document_url)
        expect(page.locator('tr.version[data-version="1.1"]')).to_be_visible()

        # Review the new version (the form offers the latest version first).
        assert page.get_by_label("Version", exact=True).input_value() == "1.1"
        page.get_by_role("button", name="Start review").click()
        expect(page).to_have_url(REVIEW_PAGE)
        assert page.url != first_review
        expect(page.locator(".reviewed-version")).to_have_text("1.1")
        expect(page.get_by_text("Apply to make a new version")).to_be_visible()

        # Compare the two versions: the accepted replacement is an added line.
        page.goto(document_url)
        page.get_by_role("button", name="Compare").click()
        expect(page.locator("strong.from")).to_have_text("1.0")
        expect(page.locator("strong.to")).to_have_text("1.1")
        assert page.locator("pre.diff ins").count() >= 1
        assert page.locator("pre.diff del").count() >= 1
        # ... and their reviews: the accepted finding is resolved, the rejected one stays
        # rejected (suppressed), not new work.
        expect(page.locator("table.comparison")).to_be_visible()
        assert int(page.locator("strong.resolved").inner_text()) >= 1
        assert int(page.locator("strong.suppressed").inner_text()) >= 1
        expect(page.locator('tr.compared[data-status="suppressed"]').first).to_contain_text(
            "covered by the appendix"
        )

        # The old review says where its feedback went; the history names the actor.
        page.goto(first_review)
        expect(page.get_by_text("Feedback applied as version")).to_be_visible()
        page.goto(f"{document_url}/history")
        timeline = page.locator("ol.timeline").inner_text()
        assert "FeedbackApplied" in timeline
        assert "alice" in timeline
        assert errors == []
        context.close()
        browser.close()
