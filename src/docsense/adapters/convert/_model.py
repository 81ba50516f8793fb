"""Value objects shared by every converter: limits, media types, the converted document.

These are adapter-level types: the domain sees only :class:`~docsense.domain.ir.Section`,
:class:`~docsense.domain.ir.SourceAnchor` and the Markdown string.
"""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Protocol, runtime_checkable

import attrs

from docsense.domain.ir import Section, SourceAnchor
from docsense.errors import IngestTimeout

__all__ = [
    "ConvertedDocument",
    "Converter",
    "Deadline",
    "IngestLimits",
    "MediaType",
]

_MB = 1024 * 1024


class MediaType(StrEnum):
    """The document formats docsense converts, by their IANA media type."""

    PDF = "application/pdf"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    MARKDOWN = "text/markdown"
    RST = "text/x-rst"
    TEXT = "text/plain"
    HTML = "text/html"


@attrs.frozen
class IngestLimits:
    """Resource limits applied before and during conversion.

    ``max_bytes`` caps the upload, ``max_pages`` a PDF's page count, the three ``zip`` limits
    a DOCX container (checked from the zip's central directory, before anything is inflated),
    ``max_chars`` the produced Markdown, and ``time_budget_s`` the wall-clock time of one
    conversion (checked between pages and paragraphs).
    """

    max_bytes: int = 50 * _MB
    max_pages: int = 500
    max_zip_entries: int = 2_000
    max_uncompressed_bytes: int = 200 * _MB
    max_compression_ratio: float = 200.0
    max_chars: int = 20_000_000
    time_budget_s: float = 60.0


@attrs.frozen
class ConvertedDocument:
    """A document converted to structured Markdown.

    ``sections`` are the headings found, with character spans into ``markdown`` and page
    (PDF) or paragraph (DOCX) provenance; ``anchors`` map Markdown offsets back to source
    pages or paragraphs for everything else. ``warnings`` say what the conversion could not
    represent faithfully (never an empty promise: each names the construct and the place).
    """

    filename: str
    media_type: MediaType
    markdown: str
    sections: tuple[Section, ...] = ()
    anchors: tuple[SourceAnchor, ...] = ()
    title: str | None = None
    author: str | None = None
    pages: int | None = None
    words: int = 0
    warnings: tuple[str, ...] = ()


class Deadline:
    """A per-document time budget that converters check between units of work.

    Conversion code calls :meth:`check` between pages, paragraphs or blocks. A single call
    into native code (one PDF page) cannot be interrupted; run ingestion in a worker process
    when a hard wall-clock kill is needed.
    """

    __slots__ = ("_budget", "_end", "_filename")

    def __init__(self, filename: str, budget_s: float) -> None:
        self._filename = filename
        self._budget = budget_s
        self._end = time.monotonic() + budget_s

    def check(self) -> None:
        """Raise :class:`~docsense.errors.IngestTimeout` once the budget is spent."""
        if time.monotonic() > self._end:
            raise IngestTimeout(
                self._filename,
                f"conversion exceeded the time budget of {self._budget:g} s "
                "(IngestLimits.time_budget_s); split the document or raise the limit",
            )


@runtime_checkable
class Converter(Protocol):
    """Turns the bytes of one media type into a :class:`ConvertedDocument`.

    ``data`` has already been sniffed and size-checked by
    :func:`docsense.adapters.convert.convert_document`; a converter still enforces the limits
    only it can see (pages, zip contents) and checks ``deadline`` between units of work.
    """

    media_types: tuple[MediaType, ...]

    def convert(
        self, data: bytes, filename: str, limits: IngestLimits, deadline: Deadline
    ) -> ConvertedDocument:
        """Convert ``data`` (named ``filename``) to Markdown, sections and metadata."""
        ...
