"""Storage adapters, chosen by URL.

======================================  ==============================================
URL                                     adapter
======================================  ==============================================
``memory://``                           :class:`~.memory.MemoryStorage` (nothing kept)
``sqlite:///relative.db``               :class:`~.sqlite.SQLiteStorage`
``sqlite:////absolute/path.db``         (four slashes: an absolute path;
                                        ``?inline=1`` runs SQLite on the loop thread,
                                        ``?inline=0`` never does)
``postgresql://user@host:5432/db``      :class:`~.postgres.PostgresStorage`
                                        (``?schema=name`` for a schema of its own)
======================================  ==============================================

Other schemes come from installed packages: an entry point in the ``docsense.storage`` group
whose name is the scheme (``mystore`` serves ``mystore://...`` and ``mystore+...://...``)
and whose object is an async callable taking the URL and returning a
:class:`~docsense.ports.Storage`. :func:`docsense.open`, the CLI and ``docsense worker`` then
open it like a built-in one.

>>> import asyncio
>>> store = asyncio.run(open_storage("memory://"))
>>> store.url
'memory://'
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import metadata
from typing import Any
from urllib.parse import parse_qsl

from docsense._plugins import load_entry_point
from docsense.errors import ConfigurationError, InvalidArgument, UnsupportedStoreURL
from docsense.ports import Storage

__all__ = [
    "STORAGE_ENTRY_POINT_GROUP",
    "installed_storage_schemes",
    "is_storage_url",
    "open_storage",
    "storage_schemes",
]

STORAGE_ENTRY_POINT_GROUP = "docsense.storage"
"""Entry-point group of third-party storage adapters: name = URL scheme, object = opener."""

_BUILTIN_SCHEMES = ("memory", "sqlite", "postgresql", "postgres")
_SQLITE_INLINE: dict[str, bool | str] = {
    "1": True,
    "true": True,
    "": True,
    "0": False,
    "false": False,
    "auto": "auto",
}


def installed_storage_schemes() -> list[str]:
    """Return the URL schemes installed packages add (``docsense.storage``), sorted."""
    names = {ep.name for ep in metadata.entry_points(group=STORAGE_ENTRY_POINT_GROUP)}
    return sorted(names - set(_BUILTIN_SCHEMES))


def storage_schemes() -> list[str]:
    """Return the URL schemes that can be opened: built-in ones, then installed ones."""
    return [*_BUILTIN_SCHEMES, *installed_storage_schemes()]


def is_storage_url(url: str) -> bool:
    """Return True if ``url``'s scheme is a built-in one or an installed adapter's.

    An installed adapter ``x`` serves ``x://`` and ``x+...://``. Only the scheme is looked
    at, and installed packages only when it is not built in.
    """
    scheme, sep, _ = url.partition("://")
    if not sep:
        return False
    scheme = scheme.lower()
    return scheme in _BUILTIN_SCHEMES or _adapter_name(scheme) in installed_storage_schemes()


def _adapter_name(scheme: str) -> str:
    """Return the adapter a lower-case URL scheme names (``x+y`` is served by ``x``)."""
    return scheme.split("+", 1)[0]


def _installed_opener(name: str) -> Callable[..., Awaitable[Any]] | None:
    opener = load_entry_point(
        STORAGE_ENTRY_POINT_GROUP, name, ConfigurationError, "storage adapter"
    )
    if opener is not None and not callable(opener):
        raise ConfigurationError(
            f"storage adapter {name!r} ({type(opener).__name__} from its entry point) is not "
            "callable: it must be an async function taking the URL and returning a Storage"
        )
    return opener


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
            choice = _SQLITE_INLINE.get(value.lower()) if key == "inline" else None
            if choice is None:
                raise InvalidArgument(
                    f"unknown SQLite URL option {key}={value!r}: the only option is inline, "
                    "with inline=1 (on the event loop), inline=0 (on threads) or inline=auto "
                    "(the default)"
                )
            options.setdefault("inline", choice)
        return await SQLiteStorage.open(path, **options)
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        from docsense.adapters.storage.postgres import PostgresStorage

        return await PostgresStorage.open("postgresql://" + rest, **options)
    name = _adapter_name(scheme)
    opener = _installed_opener(name)
    if opener is None:
        raise UnsupportedStoreURL(url, installed_storage_schemes())
    storage = await opener(url, **options)
    if not isinstance(storage, Storage):
        close = getattr(storage, "close", None)
        if callable(close):
            await close()
        raise ConfigurationError(
            f"storage adapter {name!r} returned a "
            f"{type(storage).__name__}, which is not a docsense.ports.Storage (it needs the "
            "event, snapshot and blob store methods, projections, url and close)"
        )
    return storage
