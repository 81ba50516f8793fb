"""Upcasters: read old event shapes as the current version.

An upcaster is a pure function ``dict -> dict`` registered for ``(event_type, from_version)``;
it turns a payload stored at ``from_version`` into the shape of ``from_version + 1``. On read,
the registry chains them until the payload reaches the event class's current
``schema_version``. Stored payloads are never rewritten: the history stays as it was written.

>>> registry = UpcasterRegistry()
>>> @registry.register("Renamed", from_version=1)
... def _v1_to_v2(payload):
...     return {**payload, "reason": ""}
>>> registry.upcast("Renamed", 1, {"name": "x"}, to_version=2)
{'name': 'x', 'reason': ''}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from docsense.errors import MissingUpcaster

__all__ = ["UPCASTERS", "Upcaster", "UpcasterRegistry"]

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UpcasterRegistry:
    """A chain of payload transforms keyed by ``(event_type, from_version)``."""

    def __init__(self) -> None:
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_type: str, *, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Return a decorator registering the upcaster from ``from_version`` to the next."""

        def decorate(fn: Upcaster) -> Upcaster:
            key = (event_type, from_version)
            if key in self._upcasters:
                raise ValueError(f"an upcaster for {event_type!r} v{from_version} exists")
            self._upcasters[key] = fn
            return fn

        return decorate

    def upcast(
        self, event_type: str, version: int, payload: dict[str, Any], *, to_version: int
    ) -> dict[str, Any]:
        """Return ``payload`` (stored at ``version``) transformed to ``to_version``.

        Raises :class:`~docsense.errors.MissingUpcaster` when a step of the chain is missing,
        and when ``version`` is newer than ``to_version`` (a newer library wrote it).
        """
        if version > to_version:
            raise MissingUpcaster(event_type, version, to_version)
        while version < to_version:
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise MissingUpcaster(event_type, version, to_version)
            payload = step(dict(payload))
            version += 1
        return payload

    def missing(self, current_versions: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
        """List the ``(event_type, from_version)`` steps absent for the given current versions.

        Every event type at schema version N needs upcasters from 1 up to N - 1; the test
        suite asserts this list is empty for every registered event class.
        """
        return [
            (event_type, v)
            for event_type, current in current_versions
            for v in range(1, current)
            if (event_type, v) not in self._upcasters
        ]


UPCASTERS = UpcasterRegistry()
"""The registry the built-in upcasters are registered in."""
