"""Issue 15: ``open()`` / ``aopen()`` check every setting before any work, and say what is valid.

"Before any work" is checked on a SQLite URL in a fresh folder: after a refused open, the
file does not exist.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import docsense
from docsense.config import Settings
from docsense.errors import ConfigurationError

PROVIDER_KEYS = ("ANTHROPIC_API_KEY", "DOCSENSE_ANTHROPIC_API_KEY", "anthropic_api_key")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ds.db"


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("unknown store scheme", {"store_url": "mysql://x@y/z"}, "sqlite:///"),
    ("SQLite URL without a file", {"store_url": "sqlite://"}, "names a file"),
    ("SQLite file in a missing folder", {"store_url": "sqlite:////no/such/dir/x.db"}, "folder"),
    ("unknown SQLite option", {"store_url": "sqlite:///x.db?fast=1"}, "inline=1"),
    ("PostgreSQL port out of range", {"store_url": "postgresql://u@h:99999/db"}, "Port"),
    ("PostgreSQL schema name", {"store_url": "postgresql://u@h/db?schema=a-b"}, "schema"),
    ("unknown reviewer", {"reviewer": "nonsense:model"}, "anthropic"),
    ("malformed reviewer chain", {"reviewer": "rules||rules"}, "empty member"),
    ("reviewer without its API key", {"reviewer": "anthropic:claude-sonnet-4-5"}, "API_KEY"),
    ("unknown pack", {"packs": ["no-such-pack"]}, "self-containment"),
    ("unknown pack given as a string", {"packs": "nope"}, "'nope'"),
    ("missing pack file", {"packs": ["missing.yaml"]}, "no such pack file"),
    ("negative snapshot interval", {"snapshot_every": -1}, "snapshot_every"),
    ("zero pool size", {"pool_size": 0}, "pool_size"),
    ("unknown log format", {"log_format": "xml"}, "'text' or 'json'"),
    ("non-number page limit", {"max_pages": "many"}, "max_pages"),
    ("zero LLM concurrency", {"llm_max_concurrency": 0}, "llm_max_concurrency"),
    ("misspelt setting name", {"snapshot_evry": 5}, "did you mean 'snapshot_every'"),
]


@pytest.mark.parametrize(("bad", "expected"), [(b, e) for _, b, e in BAD], ids=[n for n, *_ in BAD])
def test_open_with_a_bad_setting_raises_configuration_error_before_any_work(
    db: Path, monkeypatch: pytest.MonkeyPatch, bad: dict[str, Any], expected: str
) -> None:
    for name in PROVIDER_KEYS:
        monkeypatch.delenv(name, raising=False)
    settings = {"store_url": f"sqlite:///{db}", **bad}
    with pytest.raises(ConfigurationError, match=expected):
        docsense.open(settings=settings)
    assert not db.exists()

    async def async_open() -> None:
        async with docsense.aopen(settings=settings):
            pass

    with pytest.raises(ConfigurationError, match=expected):
        asyncio.run(async_open())
    assert not db.exists()


def test_packs_from_the_environment_are_comma_separated(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCSENSE_PACKS", "self-containment, sec-index-publishing")
    with docsense.open(f"sqlite:///{db}") as ds:
        assert ds.settings.packs == ["self-containment", "sec-index-publishing"]
    monkeypatch.setenv("DOCSENSE_PACKS", '["self-containment"]')  # JSON still works
    assert Settings.load().packs == ["self-containment"]
    monkeypatch.setenv("DOCSENSE_PACKS", "self-containment,no-such-pack")
    with pytest.raises(ConfigurationError, match="no-such-pack"):
        docsense.open(f"sqlite:///{db}")


def test_a_single_string_where_a_list_is_expected_is_one_item(db: Path) -> None:
    with docsense.open(f"sqlite:///{db}", settings={"packs": "self-containment"}) as ds:
        assert ds.settings.packs == ["self-containment"]
        doc = ds.ingest(b"# R\n\nRebalance periodically.\n", filename="r.md")
        review = ds.review(doc.id, packs="self-containment")  # a string: one pack
        assert [p.key for p in review.packs] == ["self-containment"]


def test_a_settings_object_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="Settings or a dict"):
        docsense.open("memory://", settings=["store_url"])  # type: ignore[arg-type]


def test_every_bad_setting_is_named_in_one_error(db: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        docsense.open(
            f"sqlite:///{db}", settings={"pool_size": 0, "max_pages": 0, "log_format": "xml"}
        )
    for field in ("pool_size", "max_pages", "log_format"):
        assert field in str(info.value)
    assert not db.exists()
