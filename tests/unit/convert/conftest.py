"""Fixture factories for ingest tests: real PDFs, DOCX files and hostile containers."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
CORPUS = REPO_ROOT.parent / "shared" / "corpus"

# (text, bold, size, x, y) on a US-letter page, PDF coordinates (origin bottom left).
PdfLine = tuple[str, bool, float, float, float]
# (text, bold, size, rise): a run of one style; rise lifts (> 0) or lowers (< 0) it.
PdfRun = tuple[str, bool, float, float]
# (x, y, runs): one printed line whose runs follow each other, each its own text object.
PdfRow = tuple[float, float, Sequence[PdfRun]]


def pdf_from_lines(pages: Sequence[Sequence[PdfLine]]) -> bytes:
    """Write a small valid PDF with Helvetica / Helvetica-Bold text lines."""
    return pdf_from_rows(
        [[(x, y, [(text, bold, size, 0.0)]) for text, bold, size, x, y in page] for page in pages]
    )


def pdf_from_rows(
    pages: Sequence[Sequence[PdfRow]], title: str | None = None, bold_font: bytes | None = None
) -> bytes:
    """Write a small valid PDF whose lines are runs of Helvetica in several sizes and rises.

    PDFium advances each run by the standard font's glyph widths, as a word processor's
    output does, so a smaller run with a negative rise is a real subscript. ``bold_font``
    replaces the bold runs' font dictionary (another name, a descriptor with its weight).
    """
    regular = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    bold = (
        bold_font
        or b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    streams = []
    for rows in pages:
        ops = []
        for x, y, runs in rows:
            parts = [f"BT 1 0 0 1 {x} {y} Tm"]
            for text, is_bold, size, rise in runs:
                esc = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                parts.append(f"/{'F2' if is_bold else 'F1'} {size} Tf {rise} Ts ({esc}) Tj")
            parts.append("ET")
            ops.append(" ".join(parts))
        streams.append("\n".join(ops).encode("cp1252"))
    return pdf_from_streams(streams, [regular, bold], title)


def pdf_from_streams(
    streams: Sequence[bytes], fonts: Sequence[bytes], title: str | None = None
) -> bytes:
    """Write a small valid PDF: one page per content stream, ``fonts`` named /F1, /F2, ..."""
    objects: list[bytes] = []
    first_page = 3 + len(fonts)
    page_ids = [first_page + 2 * i for i in range(len(streams))]
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(streams)} >>".encode())
    objects.extend(fonts)
    font_refs = " ".join(f"/F{i} {i + 2} 0 R" for i in range(1, len(fonts) + 1))
    for i, stream in enumerate(streams):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_ids[i] + 1}"
            f" 0 R /Resources << /Font << {font_refs} >> >> >>".encode()
        )
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    info = f"<< /Title ({title}) >>".encode() if title is not None else b"<< >>"
    objects.append(info)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def text_page(*paragraphs: tuple[str, bool], top: float = 740.0) -> list[PdfLine]:
    """Lay out lines top-down at 12 pt leading, a blank line between entries."""
    lines: list[PdfLine] = []
    y = top
    for text, bold in paragraphs:
        lines.append((text, bold, 10.0, 72.0, y))
        y -= 24.0
    return lines


def docx_bytes(build: Callable[[Any], None]) -> bytes:
    """Build a DOCX with python-docx: ``build`` receives the Document."""
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    """A valid 1x1 grey PNG, enough for python-docx to place and size a picture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


def zip_bomb(entries: int, entry_size: int = 1 << 20) -> bytes:
    """A DOCX-looking zip whose entries each inflate to ``entry_size`` zero bytes.

    The deflate stream is computed once and reused, so building a 1 GiB bomb is instant.
    """
    payload = b"\0" * entry_size
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(payload) + compressor.flush()
    crc = zlib.crc32(payload)
    names = ["[Content_Types].xml", "word/document.xml"] + [
        f"word/media/pad{i}.bin" for i in range(max(0, entries - 2))
    ]
    out = io.BytesIO()
    central = io.BytesIO()
    for name in names:
        raw = name.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), entry_size, len(raw), 0
            )
        )
        out.write(raw)
        out.write(data)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                entry_size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        central.write(raw)
    cd = central.getvalue()
    cd_offset = out.tell()
    out.write(cd)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(names), len(names), len(cd), cd_offset, 0)
    out.write(eocd)
    return out.getvalue()


@pytest.fixture
def corpus() -> Path:
    """The shared seed corpus, or skip when this checkout has none."""
    if not (CORPUS / "seed-docs").is_dir():
        pytest.skip(f"seed corpus not found at {CORPUS}")
    return CORPUS
