r"""Converters: PDF, DOCX, Markdown, reStructuredText, HTML and text to structured Markdown.

One entry point does everything in a safe order:

>>> from docsense.adapters.convert import convert_document
>>> doc = convert_document(b"# Rules\n\nThe cap is 10%.\n", "rules.md")
>>> doc.media_type.name, [s.heading for s in doc.sections]
('MARKDOWN', ['Rules'])

:func:`convert_document` sanitises the file name (:func:`sanitize_filename`), checks the size
limit, sniffs the type from the bytes (:func:`sniff`; extension and declared MIME type are
hints, a contradiction is :class:`~docsense.errors.FileTypeMismatch`), runs the converter
for that type under the time budget (:class:`IngestLimits`), and turns any parser exception
into :class:`~docsense.errors.CorruptDocument`: only
:class:`~docsense.errors.IngestError` subclasses leave this package, each naming the file
and the limit or defect.

Adapters (each a :class:`Converter`): :class:`PdfConverter` (PDFium),
:class:`DocxConverter` (python-docx + OMML to LaTeX), :class:`MarkdownConverter`,
:class:`RstConverter` (docutils), :class:`HtmlConverter` (stdlib parser),
:class:`TextConverter`.
"""

from __future__ import annotations

import attrs

from docsense.adapters.convert._model import (
    ConvertedDocument,
    Converter,
    Deadline,
    IngestLimits,
    MediaType,
)
from docsense.adapters.convert.docx import DocxConverter
from docsense.adapters.convert.filenames import sanitize_filename
from docsense.adapters.convert.html import HtmlConverter
from docsense.adapters.convert.markdown import MarkdownConverter
from docsense.adapters.convert.pdf import PdfConverter
from docsense.adapters.convert.rst import RstConverter
from docsense.adapters.convert.sniff import sniff, sniff_with_warnings
from docsense.adapters.convert.text import TextConverter
from docsense.errors import CorruptDocument, FileTooLarge, IngestError

__all__ = [
    "ConvertedDocument",
    "Converter",
    "Deadline",
    "DocxConverter",
    "HtmlConverter",
    "IngestLimits",
    "MarkdownConverter",
    "MediaType",
    "PdfConverter",
    "RstConverter",
    "TextConverter",
    "convert_document",
    "default_converters",
    "sanitize_filename",
    "sniff",
]


def default_converters() -> dict[MediaType, Converter]:
    """Return the built-in converter for each media type."""
    converters: list[Converter] = [
        PdfConverter(),
        DocxConverter(),
        MarkdownConverter(),
        RstConverter(),
        HtmlConverter(),
        TextConverter(),
    ]
    return {media: c for c in converters for media in c.media_types}


_CONVERTERS = default_converters()


def convert_document(
    data: bytes,
    filename: str,
    *,
    declared_mime: str | None = None,
    limits: IngestLimits | None = None,
    converters: dict[MediaType, Converter] | None = None,
) -> ConvertedDocument:
    """Convert an uploaded file to structured Markdown, safely.

    Raises only :class:`~docsense.errors.IngestError` subclasses: ``InvalidFilename``,
    ``FileTooLarge``, ``EmptyDocument``, ``UnsupportedFileType``, ``FileTypeMismatch``,
    ``ArchiveLimitExceeded``, ``TooManyPages``, ``EncryptedDocument``, ``CorruptDocument``
    and ``IngestTimeout``.
    """
    limits = limits or IngestLimits()
    name = sanitize_filename(filename)
    if len(data) > limits.max_bytes:
        raise FileTooLarge(
            name,
            f"file is {len(data)} bytes, over the limit of {limits.max_bytes} "
            "(IngestLimits.max_bytes)",
        )
    deadline = Deadline(name, limits.time_budget_s)
    try:
        media, sniff_warnings = sniff_with_warnings(data, name, declared_mime)
        converter = (converters or _CONVERTERS)[media]
        document = converter.convert(data, name, limits, deadline)
    except IngestError:
        raise
    except MemoryError as exc:
        raise FileTooLarge(name, "converting the file ran out of memory") from exc
    except Exception as exc:  # any parser failure is a defect of the file, typed for callers
        raise CorruptDocument(
            name, f"the parser failed: {type(exc).__name__}: {str(exc)[:200]}"
        ) from exc
    deadline.check()
    if len(document.markdown) > limits.max_chars:
        raise FileTooLarge(
            name,
            f"converted text has {len(document.markdown)} characters, over the limit of "
            f"{limits.max_chars} (IngestLimits.max_chars)",
        )
    if sniff_warnings:
        document = attrs.evolve(document, warnings=sniff_warnings + document.warnings)
    return document
