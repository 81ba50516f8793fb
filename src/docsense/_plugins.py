"""Loading what installed packages register under docsense's entry-point groups."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from docsense.errors import DocSenseError

__all__ = ["load_entry_point"]


def load_entry_point(
    group: str, name: str, error: type[DocSenseError], what: str
) -> Any | None:
    """Return the object the entry point ``name`` of ``group`` names, or None if none does.

    An entry point that cannot be imported raises ``error`` naming ``what`` (e.g. "storage
    adapter"), the entry point and the import's own error.
    """
    for ep in metadata.entry_points(group=group):
        if ep.name == name:
            try:
                return ep.load()
            except Exception as exc:
                raise error(
                    f"{what} {name!r} (entry point {ep.value}) cannot be imported: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
    return None
