"""Opening a store that cannot be opened gives a typed, actionable error."""

from __future__ import annotations

from pathlib import Path

import pytest

from docsense.adapters.storage import open_storage
from docsense.errors import StoreUnavailable, UnsupportedStoreURL


@pytest.mark.parametrize("url", ["mysql://x@y/z", "not a url", "sqlite://", "s3://bucket"])
async def test_unknown_or_malformed_store_url_raises_unsupported_store_url(url: str) -> None:
    with pytest.raises(UnsupportedStoreURL, match="memory://"):
        await open_storage(url)


async def test_sqlite_in_a_missing_folder_raises_store_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="does not exist"):
        await open_storage(f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}")


async def test_postgres_that_refuses_connections_raises_store_unavailable() -> None:
    with pytest.raises(StoreUnavailable, match="cannot connect"):
        await open_storage("postgresql://nobody:secret@127.0.0.1:1/none", connect_timeout=2)


async def test_postgres_password_never_appears_in_the_error() -> None:
    with pytest.raises(StoreUnavailable) as info:
        await open_storage("postgresql://nobody:hunter2@127.0.0.1:1/none", connect_timeout=2)
    assert "hunter2" not in str(info.value)


async def test_a_closed_sqlite_store_raises_store_unavailable(tmp_path: Path) -> None:
    store = await open_storage(f"sqlite:///{tmp_path / 'x.db'}")
    await store.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        await store.head()


async def test_unknown_sqlite_url_option_is_rejected(tmp_path: Path) -> None:
    from docsense.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match=r"inline=1 \(on the event loop\), inline=0"):
        await open_storage(f"sqlite:///{tmp_path / 'x.db'}?fast=yes")


@pytest.mark.parametrize(
    ("query", "kept"),
    [("?inline=1", "?inline=1"), ("?inline=0", "?inline=0"), ("?inline=auto", ""), ("", "")],
)
async def test_sqlite_inline_option_is_kept_in_the_url(
    tmp_path: Path, query: str, kept: str
) -> None:
    store = await open_storage(f"sqlite:///{tmp_path / 'x.db'}{query}")
    try:
        assert store.url.endswith(f"x.db{kept}")
    finally:
        await store.close()
