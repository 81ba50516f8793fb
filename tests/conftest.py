"""Shared fixtures: the PostgreSQL test server and per-test schemas."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

POSTGRES_URL = os.environ.get(
    "DOCSENSE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("DOCSENSE_REQUIRE_POSTGRES") == "1"


def _postgres_answers() -> str | None:
    """Return None if the test server answers, else the reason it does not."""
    try:
        import asyncpg
    except ImportError:
        return "asyncpg is not installed (pip install -e '.[test]')"

    async def probe() -> None:
        conn = await asyncpg.connect(POSTGRES_URL, timeout=5)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        return f"no PostgreSQL at {POSTGRES_URL}: {exc}"
    return None


_POSTGRES_PROBLEM: str | bool | None = False


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test server's URL; skips (or fails when required) if it does not answer."""
    global _POSTGRES_PROBLEM
    if _POSTGRES_PROBLEM is False:
        _POSTGRES_PROBLEM = _postgres_answers()
    if isinstance(_POSTGRES_PROBLEM, str):
        if REQUIRE_POSTGRES:
            pytest.fail(f"DOCSENSE_REQUIRE_POSTGRES=1 but {_POSTGRES_PROBLEM}")
        pytest.skip(_POSTGRES_PROBLEM)
    return POSTGRES_URL


@pytest_asyncio.fixture
async def postgres_schema_url(postgres_url: str) -> AsyncIterator[str]:
    """A URL whose ``?schema=`` is a fresh schema, dropped after the test."""
    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in postgres_url else "?"
    yield f"{postgres_url}{sep}schema={schema}"
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


InstallDistribution = Callable[[str, dict[str, str], dict[str, dict[str, str]]], Path]


@pytest.fixture
def install_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> InstallDistribution:
    """Install a distribution the way pip leaves one, on a ``sys.path`` entry of this test.

    ``install(name, files, entry_points)`` writes ``files`` (relative path -> text) and a
    ``<name>-1.0.dist-info`` folder with ``METADATA`` and ``entry_points.txt`` (group ->
    name -> ``module:object``) into a fresh site folder, so ``importlib.metadata`` and the
    import system find them exactly as they would a real install. Returns the site folder.
    """

    def install(
        name: str, files: dict[str, str], entry_points: dict[str, dict[str, str]]
    ) -> Path:
        site = tmp_path / f"site-{name}"
        for relative, text in files.items():
            target = site / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        dist = site / f"{name.replace('-', '_')}-1.0.dist-info"
        dist.mkdir(parents=True)
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        (dist / "entry_points.txt").write_text(
            "".join(
                f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in names.items())
                for group, names in entry_points.items()
            )
        )
        monkeypatch.syspath_prepend(str(site))
        return site

    return install
