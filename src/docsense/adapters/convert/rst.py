"""reStructuredText input, parsed by docutils (the reference implementation), to Markdown.

Parsing is locked down: ``include``, ``raw`` and file/URL options of ``csv-table`` are
disabled (``file_insertion_enabled=False``, ``raw_enabled=False``), no configuration files
are read, and docutils reports go to warnings instead of stderr. Sections become ATX
headings by nesting depth (``doctitle_xform`` is off, so a lone top section stays a
section); ``math``/``math_block`` become ``$...$``/``$$...$$`` LaTeX; grid and simple tables
become pipe tables. If docutils fails on a pathological input, the text is kept as plain
text with a warning rather than lost.
"""

from __future__ import annotations

import io
from typing import Any

from docsense.adapters.convert._builder import MarkdownBuilder, count_words, table_markdown
from docsense.adapters.convert._model import ConvertedDocument, Deadline, IngestLimits, MediaType
from docsense.adapters.convert.markdown import read_text
from docsense.adapters.convert.text import TextConverter
from docsense.errors import EmptyDocument, IngestError

__all__ = ["RstConverter"]

_SETTINGS: dict[str, Any] = {
    "report_level": 5,
    "halt_level": 5,
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "_disable_config": True,
    "doctitle_xform": False,
    "sectsubtitle_xform": False,
    "input_encoding": "unicode",
    "smart_quotes": False,
    "syntax_highlight": "none",
    "traceback": True,
}
_SKIP = frozenset(
    {"comment", "target", "substitution_definition", "system_message", "pending", "raw"}
)
_MAX_WARNINGS = 20


class _Renderer:
    """Walk a docutils doctree and write Markdown blocks."""

    def __init__(self, builder: MarkdownBuilder, deadline: Deadline) -> None:
        self.builder = builder
        self.deadline = deadline
        self.warnings: list[str] = []
        self.blocks = 0

    # --- inline -----------------------------------------------------------------------
    def inline(self, node: Any) -> str:
        name = node.tagname
        if name == "#text":
            return str(node.astext())
        if name in _SKIP or name == "problematic":
            return str(node.astext()) if name == "problematic" else ""
        inner = "".join(self.inline(child) for child in node.children)
        if name == "emphasis":
            return f"*{inner}*" if inner.strip() else inner
        if name == "strong":
            return f"**{inner}**" if inner.strip() else inner
        if name == "literal":
            return f"`{node.astext()}`"
        if name == "math":
            return f"${node.astext()}$"
        if name == "reference":
            uri = node.get("refuri")
            return f"[{inner}]({uri})" if uri else inner
        if name == "footnote_reference":
            return f"[^{node.astext()}]"
        if name == "image":
            return str(node.get("alt", ""))
        return inner

    # --- blocks -----------------------------------------------------------------------
    def render(self, node: Any, depth: int = 0) -> None:
        self.blocks += 1
        if self.blocks % 256 == 0:
            self.deadline.check()
        name = node.tagname
        if name == "system_message":
            if int(node.get("level", 0)) >= 2 and len(self.warnings) < _MAX_WARNINGS:
                line = node.get("line")
                where = f" (line {line})" if line else ""
                text = node.children[0].astext() if node.children else node.astext()
                self.warnings.append(f"reStructuredText{where}: {text}")
            return
        if name in _SKIP:
            return
        if name == "section":
            title = next((c for c in node.children if c.tagname == "title"), None)
            if title is not None:
                self.builder.heading(self.inline(title), depth + 1)
            for child in node.children:
                if child is not title:
                    self.render(child, depth + 1)
            return
        if name in ("title", "subtitle", "rubric"):
            self.builder.block(f"**{self.inline(node).strip()}**")
            return
        self.builder.block(self.block_text(node))

    def block_text(self, node: Any) -> str:
        name = node.tagname
        if name in _SKIP:
            return ""
        if name in ("paragraph", "line"):
            return self.inline(node).strip()
        if name == "literal_block":
            return f"```\n{node.astext()}\n```"
        if name == "math_block":
            return f"$$\n{node.astext().strip()}\n$$"
        if name in ("bullet_list", "enumerated_list"):
            return self.list_text(node)
        if name in ("definition_list", "field_list", "option_list"):
            return self.pairs_text(node)
        if name == "table":
            return self.table_text(node)
        if name == "block_quote":
            inner = self.children_text(node)
            return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
        if name == "footnote":
            label = next((c.astext() for c in node.children if c.tagname == "label"), "?")
            body = " ".join(
                self.block_text(c) for c in node.children if c.tagname != "label"
            ).strip()
            return f"[^{label}]: {body}"
        if name == "transition":
            return "* * *"
        if name in ("section", "title", "subtitle", "rubric"):
            return f"**{self.inline(node).strip()}**" if name != "section" else ""
        if name == "#text":
            return str(node.astext())
        if name in ("note", "warning", "tip", "important", "caution", "admonition", "hint"):
            inner = self.children_text(node)
            label = name.capitalize() if name != "admonition" else "Note"
            return "\n".join(f"> {line}" for line in f"**{label}:** {inner}".split("\n"))
        return self.children_text(node)

    def children_text(self, node: Any) -> str:
        parts = [self.block_text(child) for child in node.children]
        return "\n\n".join(p for p in parts if p.strip())

    def list_text(self, node: Any) -> str:
        ordered = node.tagname == "enumerated_list"
        lines: list[str] = []
        for i, item in enumerate(c for c in node.children if c.tagname == "list_item"):
            marker = f"{i + 1}. " if ordered else "- "
            body = self.children_text(item).split("\n")
            lines.append(marker + body[0])
            lines.extend(("   " + line) if line else "" for line in body[1:])
        return "\n".join(lines)

    def pairs_text(self, node: Any) -> str:
        lines = []
        for item in node.children:
            if not item.children:
                continue
            head = self.inline(item.children[0]).strip()
            body = " ".join(
                self.block_text(c).replace("\n", " ") for c in item.children[1:]
            ).strip()
            lines.append(f"- **{head}**: {body}" if body else f"- **{head}**")
        return "\n".join(lines)

    def table_text(self, node: Any) -> str:
        rows: list[list[str]] = []
        caption = ""
        for part in node.findall(include_self=False):
            if part.tagname == "title" and part.parent is node:
                caption = self.inline(part).strip()
            if part.tagname == "row":
                rows.append(
                    [
                        self.children_text(entry).replace("\n", " ")
                        for entry in part.children
                        if entry.tagname == "entry"
                    ]
                )
        table = table_markdown(rows)
        return f"{caption}\n\n{table}" if caption else table


class RstConverter:
    """Converter for ``text/x-rst``."""

    media_types: tuple[MediaType, ...] = (MediaType.RST,)

    def convert(
        self, data: bytes, filename: str, limits: IngestLimits, deadline: Deadline
    ) -> ConvertedDocument:
        """Parse with docutils and render Markdown; fall back to plain text on failure."""
        text = read_text(data, filename)
        try:
            from docutils.core import publish_doctree

            settings = dict(_SETTINGS, warning_stream=io.StringIO())
            doctree = publish_doctree(text, settings_overrides=settings)
            builder = MarkdownBuilder()
            renderer = _Renderer(builder, deadline)
            for child in doctree.children:
                renderer.render(child)
        except IngestError:
            raise
        except Exception as exc:  # docutils raises many types on pathological input
            fallback = TextConverter().convert(data, filename, limits, deadline)
            warning = f"reStructuredText could not be parsed ({type(exc).__name__}); kept as text"
            return ConvertedDocument(
                filename=filename,
                media_type=MediaType.RST,
                markdown=fallback.markdown,
                sections=fallback.sections,
                anchors=fallback.anchors,
                title=fallback.title,
                words=fallback.words,
                warnings=(warning,),
            )
        markdown, sections, anchors = builder.build()
        if not markdown.strip():
            raise EmptyDocument(filename, "the document holds no text")
        title = next((s.heading for s in sections if s.level == 1), None)
        return ConvertedDocument(
            filename=filename,
            media_type=MediaType.RST,
            markdown=markdown,
            sections=sections,
            anchors=anchors,
            title=title,
            words=count_words(markdown),
            warnings=tuple(renderer.warnings),
        )
