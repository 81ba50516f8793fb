"""Decide a file's type from its bytes; the name and the client's MIME type are only hints.

Policy (documented in the README's ingest section too):

* the **content** decides the format: ``%PDF-`` in the first KiB is a PDF; a zip whose
  central directory lists ``word/document.xml`` is a DOCX; decodable text without control
  bytes is text; anything else is :class:`~docsense.errors.UnsupportedFileType` (legacy
  ``.doc``, spreadsheets, images, executables, random bytes);
* an extension or declared MIME type that names a *different format family* (PDF, DOCX,
  text) than the content raises :class:`~docsense.errors.FileTypeMismatch`: a PDF renamed
  ``.docx`` is refused rather than guessed at, because disguised files are how hostile
  uploads get past naive filters. Unknown extensions and ``application/octet-stream`` are
  no hint at all;
* within the text family the hints choose the dialect (``.md`` -> Markdown, ``.rst`` ->
  reStructuredText, ``.html``), then the content (``<html``, ATX headings, RST directives);
* an OLE container holding an ``EncryptedPackage`` stream is a password-protected Office
  file: :class:`~docsense.errors.EncryptedDocument`.

>>> sniff(b"%PDF-1.7 ...", "report.pdf")
<MediaType.PDF: 'application/pdf'>
"""

from __future__ import annotations

import re

from docsense.adapters.convert._model import MediaType
from docsense.adapters.convert.archive import central_directory
from docsense.errors import (
    EmptyDocument,
    EncryptedDocument,
    FileTypeMismatch,
    UnsupportedFileType,
)

__all__ = ["decode_text", "sniff", "sniff_with_warnings"]

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"{\\rtf", "an RTF document (save it as .docx)"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

_EXTENSIONS: dict[str, MediaType] = {
    "pdf": MediaType.PDF,
    "docx": MediaType.DOCX,
    "md": MediaType.MARKDOWN,
    "markdown": MediaType.MARKDOWN,
    "mdown": MediaType.MARKDOWN,
    "mkd": MediaType.MARKDOWN,
    "rst": MediaType.RST,
    "rest": MediaType.RST,
    "txt": MediaType.TEXT,
    "text": MediaType.TEXT,
    "html": MediaType.HTML,
    "htm": MediaType.HTML,
    "xhtml": MediaType.HTML,
}
_MIMES: dict[str, MediaType] = {
    "application/pdf": MediaType.PDF,
    "application/x-pdf": MediaType.PDF,
    MediaType.DOCX.value: MediaType.DOCX,
    "text/markdown": MediaType.MARKDOWN,
    "text/x-markdown": MediaType.MARKDOWN,
    "text/x-rst": MediaType.RST,
    "text/prs.fallenstein.rst": MediaType.RST,
    "text/plain": MediaType.TEXT,
    "text/html": MediaType.HTML,
    "application/xhtml+xml": MediaType.HTML,
}
_TEXT_FAMILY = frozenset({MediaType.MARKDOWN, MediaType.RST, MediaType.TEXT, MediaType.HTML})

_HTML_START = re.compile(rb"^\s*(?:<!doctype\s+html|<html[\s>])", re.IGNORECASE)
_MD_HINT = re.compile(r"^(?:#{1,6}[ \t]+\S|```|\|.*\|[ \t]*$)", re.MULTILINE)
_RST_HINT = re.compile(r"^(?:\.\. [\w|-]+::|[=\-~^\"'`#*+]{3,}[ \t]*$)", re.MULTILINE)
# C0 controls other than tab, newline, vertical tab, form feed, carriage return and escape.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def _family(media: MediaType) -> str:
    return "text" if media in _TEXT_FAMILY else media.value


def _hint_from_name(filename: str) -> MediaType | None:
    _, dot, ext = filename.rpartition(".")
    return _EXTENSIONS.get(ext.lower()) if dot else None


def _hint_from_mime(declared_mime: str | None) -> MediaType | None:
    if not declared_mime:
        return None
    return _MIMES.get(declared_mime.split(";", 1)[0].strip().lower())


def decode_text(data: bytes) -> str | None:
    """Decode ``data`` as text (BOM-aware UTF-8/16, else UTF-8, else cp1252) or return None.

    None means the bytes are not text: they contain NUL or other control bytes.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    sample = text[:65536]
    bad = len(_CONTROL.findall(sample))
    if bad > max(0, len(sample) // 1000):
        return None
    return text


def _content_type(data: bytes, filename: str) -> MediaType | None:
    """Return the binary format the bytes are, or None for 'maybe text'."""
    if b"%PDF-" in data[:1024]:
        return MediaType.PDF
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        directory = central_directory(data, filename)
        if b"word/document.xml" in directory:
            return MediaType.DOCX
        if b"xl/workbook" in directory:
            raise UnsupportedFileType(filename, "is an Excel workbook; docsense reads DOCX")
        if b"ppt/presentation" in directory:
            raise UnsupportedFileType(filename, "is a PowerPoint deck; docsense reads DOCX")
        raise UnsupportedFileType(
            filename, "is a zip archive without a Word document (no word/document.xml)"
        )
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise EncryptedDocument(
                filename, "is a password-protected Office document; remove the password"
            )
        raise UnsupportedFileType(
            filename, "is a legacy binary Office file (.doc/.xls); save it as .docx"
        )
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise UnsupportedFileType(filename, f"is {what}, not a document docsense reads")
    return None


def sniff_with_warnings(
    data: bytes, filename: str, declared_mime: str | None = None
) -> tuple[MediaType, tuple[str, ...]]:
    """Like :func:`sniff`, also returning warnings (e.g. a MIME type that disagreed)."""
    if not data.strip():
        raise EmptyDocument(filename, "the file is empty")
    by_name = _hint_from_name(filename)
    by_mime = _hint_from_mime(declared_mime)
    media = _content_type(data, filename)
    warnings: list[str] = []
    if media is None:
        if decode_text(data[:262_144]) is None:
            raise UnsupportedFileType(
                filename, "is binary data of an unknown format (not PDF, DOCX or text)"
            )
        media = _text_dialect(data, by_name, by_mime)
    hints = [h for h in (by_name, by_mime) if h is not None]
    families = {_family(h) for h in hints}
    if families and _family(media) not in families:
        claimed = " and ".join(
            f"{label} says {h.name}"
            for label, h in (("extension", by_name), ("declared MIME type", by_mime))
            if h is not None
        )
        raise FileTypeMismatch(
            filename,
            f"content is {media.name} but the {claimed}; rename the file to match its content",
        )
    if len(families) > 1:
        warnings.append(
            f"extension and declared MIME type disagree; the content ({media.name}) decided"
        )
    return media, tuple(warnings)


def _text_dialect(data: bytes, by_name: MediaType | None, by_mime: MediaType | None) -> MediaType:
    if _HTML_START.match(data[:1024]):
        return MediaType.HTML
    for hint in (by_name, by_mime):
        if hint is not None and hint in _TEXT_FAMILY:
            return hint
    head = data[:65536].decode("utf-8", errors="replace")
    if _MD_HINT.search(head):
        return MediaType.MARKDOWN
    if _RST_HINT.search(head):
        return MediaType.RST
    return MediaType.TEXT


def sniff(data: bytes, filename: str, declared_mime: str | None = None) -> MediaType:
    """Return the media type of ``data`` judged from its bytes (see the module policy).

    Raises :class:`~docsense.errors.EmptyDocument`, :class:`~docsense.errors.UnsupportedFileType`,
    :class:`~docsense.errors.FileTypeMismatch`, :class:`~docsense.errors.EncryptedDocument`
    or :class:`~docsense.errors.CorruptDocument` (a zip without its directory).
    """
    return sniff_with_warnings(data, filename, declared_mime)[0]
