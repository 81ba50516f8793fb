"""Exporters: a document version's Markdown as a file (Markdown as is, or DOCX)."""

from docsense.adapters.export.docx import markdown_to_docx

__all__ = ["markdown_to_docx"]
