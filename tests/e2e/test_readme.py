"""The README's two commands work for a new user: each runs in a fresh copy of the repository.

The commands are read from README.md (the first line starting with ``python`` after the
``<!-- review-command -->`` and ``<!-- test-command -->`` markers, exactly as ``.ci/run``
reads the test command), then run with ``bash -c`` in a subprocess, in a copy of the
working tree (tracked and untracked-but-not-ignored files: what ``git ls-files`` lists), so
each creates its own ``.venv`` and installs docsense from scratch; the developer's
``.venv`` is never reused.

- The review command must succeed offline (SQLite, the ``rules`` reviewer, no API key) and
  print the findings and the score of ``examples/strategy.md``.
- The test command is run as written, but with ``PYTEST_ADDOPTS`` narrowing pytest to a small
  subset (the domain unit tests, the docs examples and the example adapter's contract tests).
  Running the whole suite again from inside the suite would double CI time, and the whole
  command, unnarrowed, is exactly what ``.ci/run`` itself runs; this test proves that it
  installs the test extras into a fresh environment and that pytest starts and passes there.

Both need pip to reach the package index; each fresh install takes a minute or two.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
TIMEOUT_S = 900
PYTEST_SUBSET = (
    "-p no:cacheprovider -q tests/unit/domain tests/docs tests/contract/test_example_adapter.py"
)


def readme_command(marker: str) -> str:
    """Return the first line starting with ``python`` after ``<!-- marker -->``."""
    found = False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.strip() == f"<!-- {marker} -->":
            found = True
        elif found and line.startswith("python"):
            return line.strip()
    raise AssertionError(f"README.md has no command line after <!-- {marker} -->")


def _working_tree_files() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the working tree cannot be listed")
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout
    return [name for name in out.decode().split("\0") if name]


def fresh_checkout(dest: Path) -> Path:
    """Copy the working tree (as git sees it, without .venv or build output) to ``dest``."""
    for name in _working_tree_files():
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree but still in the index
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return dest


def _user_environment(**extra: str) -> dict[str, str]:
    """The caller's environment minus anything tying it to the current venv or settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTEST_ADDOPTS"}
        and not key.startswith(("DOCSENSE_STORE", "DOCSENSE_REVIEWER", "DOCSENSE_PACKS"))
    }
    venv_bin = str(Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin")
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin
    )
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def run_command(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["bash", "-c", command],  # the README command, as a user pastes it
        cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
    )
    assert result.returncode == 0, (
        f"`{command}` exited {result.returncode}\n--- stdout\n{result.stdout[-6000:]}"
        f"\n--- stderr\n{result.stderr[-6000:]}"
    )
    return result


def test_readme_commands_are_single_lines_that_set_up_their_own_venv() -> None:
    review, tests = readme_command("review-command"), readme_command("test-command")
    assert tests == (
        'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest'
    )
    assert review.startswith("python3 -m venv .venv && ")
    assert "examples/" in review


def test_review_command_reviews_the_shipped_example_offline(tmp_path: Path) -> None:
    checkout = fresh_checkout(tmp_path / "docsense")
    env = _user_environment(
        # No key reaches the review: it must not need one.
        ANTHROPIC_API_KEY="", OPENAI_API_KEY="", GOOGLE_API_KEY="", GEMINI_API_KEY="",
    )
    result = run_command(readme_command("review-command"), checkout, env)

    out = result.stdout
    assert "Momentum Rebalancing Strategy" in out
    assert "[CRITICAL] SC-00" in out  # findings are printed with severity and policy
    assert "Appendix C" in out
    assert re.search(r"\d+ findings at \d+ places, score", out), out[-2000:]
    report = checkout / "examples" / "strategy.review.html"
    assert report.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert (checkout / ".venv" / "bin" / "python").exists()  # its own venv, not ours


def test_test_command_installs_the_test_extras_and_runs_pytest(tmp_path: Path) -> None:
    checkout = fresh_checkout(tmp_path / "docsense")
    env = _user_environment(PYTEST_ADDOPTS=PYTEST_SUBSET)
    result = run_command(readme_command("test-command"), checkout, env)

    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary, result.stdout[-3000:]
    assert "failed" not in summary
    assert "error" not in summary
