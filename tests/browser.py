"""Debian's Chromium for the browser tests: where it is, and the flags it runs with."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

#: Headless flags for this machine's closed network (no background fetches, no sandbox as root).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_executable() -> str:
    """Return Debian's chromium, or skip (fail under ``CI``) when it or playwright is missing."""
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    problem = None
    if found is None:
        problem = "Debian's chromium is not installed (apt-get install chromium; .ci/run does)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (pip install -e '.[test]')"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {problem}")
        pytest.skip(problem)
    assert found is not None
    return found
