"""Hostile and malformed inputs: each is refused with its typed IngestError."""

from __future__ import annotations

import io
import json
import random
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from docsense.adapters.convert import (
    IngestLimits,
    MediaType,
    convert_document,
    sanitize_filename,
    sniff,
)
from docsense.errors import (
    ArchiveLimitExceeded,
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    FileTooLarge,
    FileTypeMismatch,
    IngestError,
    IngestTimeout,
    InvalidFilename,
    TooManyPages,
    UnsupportedFileType,
)

from .conftest import docx_bytes, pdf_from_lines, text_page, zip_bomb

SIMPLE_PDF = pdf_from_lines([text_page(("1. Scope", True), ("The index tracks things.", False))])


def simple_docx() -> bytes:
    def build(document: object) -> None:
        document.add_heading("Scope", level=1)  # type: ignore[attr-defined]
        document.add_paragraph("The index tracks things.")  # type: ignore[attr-defined]

    return docx_bytes(build)


# --- zip bombs -------------------------------------------------------------------------------


def test_zip_bomb_docx_is_rejected_by_compression_ratio() -> None:
    bomb = zip_bomb(entries=64)  # 64 MiB of zeros behind ~70 KB
    with pytest.raises(ArchiveLimitExceeded, match="compresses") as info:
        convert_document(bomb, "bomb.docx")
    assert info.value.filename == "bomb.docx"
    assert "max_compression_ratio" in str(info.value)


def test_zip_bomb_docx_is_rejected_by_total_uncompressed_size() -> None:
    bomb = zip_bomb(entries=300)  # 300 MiB if inflated
    limits = IngestLimits(max_compression_ratio=10_000.0)
    with pytest.raises(ArchiveLimitExceeded, match="max_uncompressed_bytes"):
        convert_document(bomb, "bomb.docx", limits=limits)


def test_zip_with_too_many_entries_is_rejected_before_parsing_the_directory() -> None:
    many = zip_bomb(entries=50, entry_size=16)
    with pytest.raises(ArchiveLimitExceeded, match="max_zip_entries"):
        convert_document(many, "many.docx", limits=IngestLimits(max_zip_entries=20))


def test_zip_bomb_rejection_keeps_peak_memory_under_100_mb(tmp_path: Path) -> None:
    bomb_path = tmp_path / "bomb.docx"
    bomb_path.write_bytes(zip_bomb(entries=1024))  # 1 GiB if inflated
    script = textwrap.dedent(
        f"""
        import json, resource, time
        from docsense.adapters.convert import convert_document
        from docsense.errors import ArchiveLimitExceeded
        data = open({str(bomb_path)!r}, "rb").read()
        t = time.perf_counter()
        try:
            convert_document(data, "bomb.docx")
            outcome = "converted"
        except ArchiveLimitExceeded:
            outcome = "rejected"
        elapsed = time.perf_counter() - t
        # ru_maxrss survives exec on Linux (it would report pytest's own peak after the
        # fork); VmHWM belongs to this process image only.
        try:
            status = open("/proc/self/status").read()
            rss_mb = int(status.split("VmHWM:")[1].split()[0]) / 1024
        except (OSError, IndexError):
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({{"outcome": outcome, "rss_mb": rss_mb, "seconds": elapsed}}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    report = json.loads(result.stdout)
    assert report["outcome"] == "rejected"
    assert report["rss_mb"] < 100, report


def test_zip_entry_declaring_fewer_bytes_than_it_inflates_to_is_corrupt() -> None:
    data = bytearray(zip_bomb(entries=3, entry_size=4096))
    name = b"word/document.xml"
    local_record = data.find(name) - 30
    central_record = data.find(name, data.find(b"PK\x01\x02")) - 46
    struct.pack_into("<I", data, local_record + 22, 16)  # uncompressed size
    struct.pack_into("<I", data, central_record + 24, 16)
    with pytest.raises(CorruptDocument):
        convert_document(bytes(data), "liar.docx")


# --- PDFs ------------------------------------------------------------------------------------


def test_encrypted_pdf_raises_encrypted_document() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(SIMPLE_PDF)))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(EncryptedDocument) as info:
        convert_document(buffer.getvalue(), "locked.pdf")
    assert info.value.filename == "locked.pdf"


def test_truncated_pdf_raises_corrupt_document() -> None:
    with pytest.raises(CorruptDocument, match="truncated"):
        convert_document(SIMPLE_PDF[: len(SIMPLE_PDF) // 2], "cut.pdf")


def test_pdf_with_damaged_body_raises_corrupt_document() -> None:
    damaged = b"%PDF-1.4\n" + random.Random(7).randbytes(3000) + b"\n%%EOF\n"
    with pytest.raises(CorruptDocument):
        convert_document(damaged, "damaged.pdf")


def test_5000_page_pdf_against_500_page_limit_raises_too_many_pages() -> None:
    writer = PdfWriter()
    for _ in range(5000):
        writer.add_blank_page(612, 792)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(TooManyPages, match="5000 pages") as info:
        convert_document(buffer.getvalue(), "huge.pdf", limits=IngestLimits(max_pages=500))
    assert "max_pages" in str(info.value)


def test_pdf_without_text_raises_empty_document() -> None:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(EmptyDocument, match="OCR"):
        convert_document(buffer.getvalue(), "scan.pdf")


# --- DOCX ------------------------------------------------------------------------------------


def test_truncated_docx_raises_corrupt_document() -> None:
    data = simple_docx()
    with pytest.raises(CorruptDocument):
        convert_document(data[: len(data) // 2], "cut.docx")


def test_docx_with_damaged_entry_raises_corrupt_document() -> None:
    data = bytearray(simple_docx())
    start = data.find(b"word/document.xml") + len(b"word/document.xml")
    for i in range(start, start + 200):
        data[i] ^= 0x5A
    with pytest.raises(CorruptDocument):
        convert_document(bytes(data), "damaged.docx")


def test_password_protected_office_file_raises_encrypted_document() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(EncryptedDocument):
        convert_document(ole + b"\0" * 512, "locked.docx")


# --- type sniffing ---------------------------------------------------------------------------


def test_pdf_renamed_docx_raises_file_type_mismatch() -> None:
    with pytest.raises(FileTypeMismatch, match="content is PDF") as info:
        convert_document(SIMPLE_PDF, "report.docx")
    assert info.value.filename == "report.docx"


def test_declared_mime_contradicting_content_raises_file_type_mismatch() -> None:
    with pytest.raises(FileTypeMismatch, match="declared MIME type"):
        convert_document(simple_docx(), "upload", declared_mime="application/pdf")


def test_text_named_pdf_raises_file_type_mismatch() -> None:
    with pytest.raises(FileTypeMismatch):
        convert_document(b"just some text", "fake.pdf")


def test_unknown_extension_lets_the_content_decide() -> None:
    assert sniff(SIMPLE_PDF, "upload.bin") is MediaType.PDF
    assert sniff(simple_docx(), "upload", "application/octet-stream") is MediaType.DOCX
    assert sniff(b"# Title\n\ntext", "notes") is MediaType.MARKDOWN
    assert sniff(b"Title\n=====\n\n.. note:: x\n", "notes") is MediaType.RST
    assert sniff(b"<!DOCTYPE html><p>x</p>", "page") is MediaType.HTML


def test_text_dialect_follows_the_extension() -> None:
    assert sniff(b"Title\n=====\n", "a.md") is MediaType.MARKDOWN
    assert sniff(b"# not a heading in rst", "a.rst") is MediaType.RST
    assert sniff(b"plain", "a.txt") is MediaType.TEXT


def test_random_bytes_raise_unsupported_file_type() -> None:
    data = random.Random(1).randbytes(4096)
    with pytest.raises(UnsupportedFileType, match="unknown format"):
        convert_document(data, "noise.bin")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "PNG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "legacy"),
        (zip_bomb(2, 16).replace(b"word/document.xml", b"xl/workbook.xml__"), "Excel"),
    ],
)
def test_other_binary_formats_raise_unsupported_file_type(data: bytes, what: str) -> None:
    with pytest.raises(UnsupportedFileType, match=what):
        convert_document(data, "upload")


@pytest.mark.parametrize("data", [b"", b"   \n\t  \n"])
def test_empty_file_raises_empty_document(data: bytes) -> None:
    with pytest.raises(EmptyDocument):
        convert_document(data, "empty.txt")


def test_file_over_size_limit_raises_file_too_large() -> None:
    with pytest.raises(FileTooLarge, match="max_bytes"):
        convert_document(b"x" * 100, "big.txt", limits=IngestLimits(max_bytes=10))


def test_time_budget_raises_ingest_timeout() -> None:
    pages = [text_page(*((f"Line {i} of page {p}.", False) for i in range(20))) for p in range(30)]
    with pytest.raises(IngestTimeout, match="time_budget_s"):
        convert_document(pdf_from_lines(pages), "slow.pdf", limits=IngestLimits(time_budget_s=1e-9))


# --- file names ------------------------------------------------------------------------------


def test_filename_with_traversal_and_nul_raises_invalid_filename() -> None:
    with pytest.raises(InvalidFilename, match="NUL"):
        convert_document(SIMPLE_PDF, "../../etc/passwd\x00.pdf")


def test_filename_traversal_is_reduced_to_the_base_name() -> None:
    doc = convert_document(SIMPLE_PDF, "../../secret/../report.pdf")
    assert doc.filename == "report.pdf"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("..\\..\\windows\\x.docx", "x.docx"),
        ("inv\u202eoice.pdf", "invoice.pdf"),
        ("tab\tand\nnewline.md", "tab and newline.md"),
        ("CON.txt", "_CON.txt"),
        ("  .hidden.md ", "hidden.md"),
    ],
)
def test_sanitize_filename_removes_unsafe_parts(raw: str, safe: str) -> None:
    assert sanitize_filename(raw) == safe


def test_sanitize_filename_caps_length_and_keeps_extension() -> None:
    name = sanitize_filename("é" * 300 + ".docx")
    assert name.endswith(".docx")
    assert len(name.encode("utf-8")) <= 255


@pytest.mark.parametrize("raw", ["", "../..", "/", "\x01\x02"])
def test_sanitize_filename_rejects_names_that_vanish(raw: str) -> None:
    with pytest.raises(InvalidFilename):
        sanitize_filename(raw)


def test_every_failure_is_an_ingest_error_naming_the_file() -> None:
    for data, name in [(b"", "a.txt"), (SIMPLE_PDF, "b.docx"), (b"\x89PNG\r\n\x1a\n", "c")]:
        with pytest.raises(IngestError) as info:
            convert_document(data, name)
        assert info.value.filename == name
        assert str(info.value).startswith(name)
