"""Issue 17: the example adapter package installs for real and passes the contract suites.

``examples/adapter-package`` (a check, a pack and a store, registered by entry points) is
built and installed by pip into a temporary folder, exactly as a user's ``pip install``
would (its metadata and entry points included), and its own test suite, which runs
docsense's shipped contract suites, runs in a subprocess that finds it only there. Also: the
``testing`` extra is exactly what ``docsense.testing`` needs.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "examples" / "adapter-package"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Copy the package (a clean tree), pip-install it into a site folder; return both."""
    work = tmp_path_factory.mktemp("adapter")
    source = work / "adapter-package"
    shutil.copytree(PACKAGE, source,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    site = work / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-input",
         "--disable-pip-version-check", "--target", str(site), str(source)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return source, site


def _env(site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSENSE_")}
    env["PYTHONPATH"] = str(site)
    return env


def test_pip_installed_the_package_with_its_entry_points(installed: tuple[Path, Path]) -> None:
    _, site = installed
    [dist] = site.glob("acme_docsense-1.0.0.dist-info")
    entry_points = (dist / "entry_points.txt").read_text(encoding="utf-8")
    for group in ("docsense.checks", "docsense.packs", "docsense.storage"):
        assert f"[{group}]" in entry_points
    assert (site / "acme_docsense" / "acme-house.yaml").is_file()  # package data


def test_its_tests_pass_with_the_entry_points_discovered(installed: tuple[Path, Path]) -> None:
    source, site = installed
    where = subprocess.run(
        [sys.executable, "-c", "import acme_docsense; print(acme_docsense.__file__)"],
        cwd=source / "tests", env=_env(site), capture_output=True, text=True, timeout=60,
        check=False,
    )
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout + where.stderr
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", "tests"],
        cwd=source, env=_env(site), capture_output=True, text=True, timeout=600, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    summary = output.strip().splitlines()[-1]
    passed = int(re.search(r"(\d+) passed", summary).group(1))  # type: ignore[union-attr]
    assert passed >= 50, summary  # the storage and projection contract suites ran
    assert "skipped" not in summary, summary
    assert "failed" not in summary, summary
    assert "TestAcmeStorage" not in output  # -q: no failure report names a contract test


def test_the_testing_extra_is_pytest_pytest_asyncio_and_hypothesis() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    testing = project["optional-dependencies"]["testing"]
    names = {re.split(r"[<>=\[ ]", req, maxsplit=1)[0] for req in testing}
    assert names == {"pytest", "pytest-asyncio", "hypothesis"}
    # Everything docsense.testing imports is the standard library, docsense's own
    # dependencies, or the testing extra.
    core = {re.split(r"[<>=\[ ]", req, maxsplit=1)[0].replace("-", "_").lower()
            for req in project["dependencies"]}
    allowed = core | {"pytest", "pytest_asyncio", "hypothesis", "docsense", "yaml"}
    imported: set[str] = set()
    for path in (ROOT / "src" / "docsense" / "testing").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names)
    assert third_party <= allowed, third_party - allowed
    assert {"pytest", "pytest_asyncio", "hypothesis"} <= third_party
