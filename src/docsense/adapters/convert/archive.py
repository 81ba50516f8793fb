"""Zip container checks that run before any byte is inflated (DOCX is a zip).

The end-of-central-directory record is read by hand first, so a container that claims
millions of entries is rejected before :mod:`zipfile` builds an object per entry. Then the
central directory's declared sizes are checked: entry count, total uncompressed size and
compression ratio. Declared sizes cannot be exceeded later: :mod:`zipfile` stops inflating an
entry at its declared size and fails the CRC check if the data disagrees, and that failure
becomes :class:`~docsense.errors.CorruptDocument`.
"""

from __future__ import annotations

import io
import struct
import zipfile

from docsense.adapters.convert._model import IngestLimits
from docsense.errors import ArchiveLimitExceeded, CorruptDocument, EncryptedDocument

__all__ = ["central_directory", "check_zip", "zip_entry_count"]

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_EOCD_SEARCH = 65_535 + 22
# Small entries may legitimately compress very well (runs of spaces); the ratio limit is for
# entries big enough to hurt.
_RATIO_MIN_BYTES = 1024 * 1024


def _eocd(data: bytes, filename: str) -> tuple[int, int, int]:
    """Return (entries, central directory size, central directory offset)."""
    pos = data.rfind(_EOCD, max(0, len(data) - _EOCD_SEARCH))
    if pos < 0 or pos + 22 > len(data):
        raise CorruptDocument(filename, "zip container is truncated: no end-of-directory record")
    _, _, _, entries, cd_size, cd_offset, _ = struct.unpack_from("<HHHHIIH", data, pos + 4)
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        loc = pos - 20
        if loc < 0 or data[loc : loc + 4] != _ZIP64_LOCATOR:
            raise CorruptDocument(filename, "zip64 container without a zip64 locator")
        (z64_offset,) = struct.unpack_from("<Q", data, loc + 8)
        if z64_offset + 56 > len(data) or data[z64_offset : z64_offset + 4] != _ZIP64_EOCD:
            raise CorruptDocument(filename, "zip64 end-of-directory record is missing")
        entries, cd_size, cd_offset = struct.unpack_from("<QQQ", data, z64_offset + 32)
    return entries, cd_size, cd_offset


def zip_entry_count(data: bytes, filename: str) -> int:
    """Return the entry count the container declares, without parsing its directory."""
    return _eocd(data, filename)[0]


def central_directory(data: bytes, filename: str) -> bytes:
    """Return the raw central directory bytes (for cheap membership tests while sniffing)."""
    _, size, offset = _eocd(data, filename)
    if offset > len(data):
        # Self-extracting or prefixed archives shift offsets; the directory sits before EOCD.
        pos = data.rfind(_EOCD, max(0, len(data) - _EOCD_SEARCH))
        return data[max(0, pos - size) : pos]
    return data[offset : offset + size]


def check_zip(data: bytes, filename: str, limits: IngestLimits) -> zipfile.ZipFile:
    """Validate a zip container against ``limits`` and return it opened (nothing inflated)."""
    entries = zip_entry_count(data, filename)
    if entries > limits.max_zip_entries:
        raise ArchiveLimitExceeded(
            filename,
            f"zip container declares {entries} entries, over the limit of "
            f"{limits.max_zip_entries} (IngestLimits.max_zip_entries)",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise CorruptDocument(filename, f"zip container is damaged: {exc}") from exc
    if len(infos) > limits.max_zip_entries:
        raise ArchiveLimitExceeded(
            filename,
            f"zip container holds {len(infos)} entries, over the limit of "
            f"{limits.max_zip_entries} (IngestLimits.max_zip_entries)",
        )
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise ArchiveLimitExceeded(
                filename,
                f"zip container would inflate to more than {limits.max_uncompressed_bytes} "
                "bytes (IngestLimits.max_uncompressed_bytes): possible zip bomb",
            )
        if info.file_size >= _RATIO_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise ArchiveLimitExceeded(
                    filename,
                    f"zip entry {info.filename[:80]!r} compresses {ratio:.0f}:1, over the "
                    f"limit of {limits.max_compression_ratio:g}:1 "
                    "(IngestLimits.max_compression_ratio): possible zip bomb",
                )
        if info.flag_bits & 0x1:
            archive.close()
            raise EncryptedDocument(filename, "zip entries are encrypted; remove the password")
    return archive
