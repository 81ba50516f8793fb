"""Exporters: a document version's Markdown as a file (Markdown as is, DOCX or PDF)."""

from docsense.adapters.export.docx import markdown_to_docx
from docsense.adapters.export.pdf import markdown_to_pdf

__all__ = ["markdown_to_docx", "markdown_to_pdf"]
