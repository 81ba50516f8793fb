"""The ``acme-house`` policy pack, shipped as package data."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = ["house_pack"]


def house_pack() -> Traversable:
    """Return the pack file (the ``docsense.packs`` entry point's object)."""
    return files("acme_docsense") / "acme-house.yaml"
