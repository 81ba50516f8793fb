"""Storage adapters, chosen by URL.

======================================  ==============================================
URL                                     adapter
======================================  ==============================================
``memory://``                           :class:`~.memory.MemoryStorage` (nothing kept)
``sqlite:///relative.db``               :class:`~.sqlite.SQLiteStorage`
``sqlite:////absolute/path.db``         (four slashes: an absolute path;
                                        ``?inline=1`` runs SQLite on the loop thread)
``postgresql://user@host:5432/db``      :class:`~.postgres.PostgresStorage`
                                        (``?schema=name`` for a schema of its own)
======================================  ==============================================

>>> import asyncio
>>> store = asyncio.run(open_storage("memory://"))
>>> store.url
'memory://'
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from docsense.errors import InvalidArgument, UnsupportedStoreURL
from docsense.ports import Storage

__all__ = ["open_storage"]


async def open_storage(url: str, **options: Any) -> Storage:
    """Open the storage adapter ``url`` names; ``options`` go to that adapter's ``open``.

    SQLite takes ``busy_timeout`` (seconds); PostgreSQL takes ``pool_size``,
    ``connect_timeout`` and ``command_timeout``.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise UnsupportedStoreURL(url)
    scheme = scheme.lower()
    if scheme == "memory":
        from docsense.adapters.storage.memory import MemoryStorage

        return MemoryStorage(url)
    if scheme == "sqlite":
        from docsense.adapters.storage.sqlite import SQLiteStorage

        path = rest[1:] if rest.startswith("/") else rest
        path, _, query = path.partition("?")
        if not path:
            raise UnsupportedStoreURL(url)
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key != "inline" or value.lower() not in ("1", "0", "true", "false", ""):
                raise InvalidArgument(
                    f"unknown SQLite URL option {key}={value!r}: the only option is inline=1"
                )
            options.setdefault("inline", value.lower() in ("1", "true", ""))
        return await SQLiteStorage.open(path, **options)
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        from docsense.adapters.storage.postgres import PostgresStorage

        return await PostgresStorage.open("postgresql://" + rest, **options)
    raise UnsupportedStoreURL(url)
