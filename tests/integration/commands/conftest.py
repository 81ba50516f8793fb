"""Stores for the command tests: SQLite and PostgreSQL (and memory where it is cheap)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path

import pytest
import pytest_asyncio

from docsense.adapters.convert import convert_document
from docsense.adapters.storage import open_storage
from docsense.ports import Storage

SEED = Path(__file__).resolve().parents[2] / "data" / "review" / "doc_03_undefined_parameters.docx"


@cache
def seed_markdown() -> bytes:
    """The seed document (11 findings with replacements, no two overlapping) as Markdown."""
    converted = convert_document(SEED.read_bytes(), SEED.name)
    return converted.markdown.encode("utf-8")


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ds.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest_asyncio.fixture
async def storage(store_url: str) -> AsyncIterator[Storage]:
    store = await open_storage(store_url)
    yield store
    await store.close()
