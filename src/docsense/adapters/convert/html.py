"""HTML input via the standard library's tolerant parser, to Markdown.

Headings ``h1``-``h6`` become sections; paragraphs, list items, ``pre`` blocks and tables
(pipe tables, in place) are kept; ``script``, ``style``, ``template`` and comments are
dropped; nothing is fetched. An ``img`` becomes a Markdown image reference, its alternative
text and its address (``![formula](img/f1.png)``; an inline ``data:`` image keeps only its
alternative text), so a reader, or a check, still sees that a picture stands there; links
and frames stay as text.
"""

from __future__ import annotations

from html.parser import HTMLParser

from docsense.adapters.convert._builder import (
    MarkdownBuilder,
    count_words,
    image_markdown,
    table_markdown,
)
from docsense.adapters.convert._model import ConvertedDocument, Deadline, IngestLimits, MediaType
from docsense.adapters.convert.sniff import decode_text
from docsense.errors import EmptyDocument, UnsupportedFileType

__all__ = ["HtmlConverter"]

_BLOCKS = frozenset(
    {"p", "div", "section", "article", "blockquote", "li", "dt", "dd", "br", "hr", "ul", "ol",
     "header", "footer", "main", "aside", "nav", "figure", "figcaption", "caption", "dl"}
)  # fmt: skip
_SKIP = frozenset({"script", "style", "template", "noscript", "svg"})


class _Parser(HTMLParser):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__(convert_charrefs=True)
        self.builder = MarkdownBuilder()
        self.deadline = deadline
        self.text: list[str] = []
        self.skip_depth = 0
        self.heading: int | None = None
        self.lists: list[str] = []
        self.item_prefix: str | None = None
        self.pre = False
        self.rows: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.title: str | None = None
        self.in_title = False
        self.events = 0

    def flush(self) -> None:
        text = "".join(self.text)
        self.text.clear()
        if self.pre:
            if text.strip():
                self.builder.block(f"```\n{text.strip(chr(10))}\n```")
            return
        text = " ".join(text.split())
        if not text:
            return
        if self.heading is not None:
            self.builder.heading(text, self.heading)
        elif self.item_prefix is not None:
            indent = "    " * max(len(self.lists) - 1, 0)
            self.builder.block(indent + self.item_prefix + text)
            self.item_prefix = None
        else:
            self.builder.block(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events += 1
        if self.events % 512 == 0:
            self.deadline.check()
        if tag in _SKIP:
            self.skip_depth += 1
            return
        if tag == "title":
            self.in_title = True
            return
        if tag == "img":
            attributes = dict(attrs)
            src = attributes.get("src") or ""
            self.handle_data(image_markdown(
                attributes.get("alt") or attributes.get("title") or "",
                "" if src.startswith("data:") else src,
            ))
            return
        if self.cell is not None:
            if tag in ("br", "p", "li"):
                self.cell.append(" ")
            elif tag in ("td", "th"):
                self._end_cell()
                self.cell = []
            elif tag == "tr":
                self._end_cell()
                self.rows = (self.rows or []) + [[]]
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.flush()
            self.heading = int(tag[1])
        elif tag == "table":
            self.flush()
            self.rows = []
        elif self.rows is not None and tag == "tr":
            self.rows.append([])
        elif self.rows is not None and tag in ("td", "th"):
            self.cell = []
        elif tag == "pre":
            self.flush()
            self.pre = True
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists.append(tag)
        elif tag == "li":
            self.flush()
            self.item_prefix = "1. " if self.lists and self.lists[-1] == "ol" else "- "
        elif tag in _BLOCKS:
            self.flush()

    def _end_cell(self) -> None:
        if self.cell is not None and self.rows is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append(" ".join("".join(self.cell).split()))
        self.cell = None

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "title":
            self.in_title = False
            return
        if tag in ("td", "th"):
            self._end_cell()
            return
        if tag == "table":
            self._end_cell()
            rows = [r for r in self.rows or [] if r]
            self.rows = None
            if rows:
                self.builder.block(table_markdown(rows))
            return
        if self.cell is not None or self.rows is not None:
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.flush()
            self.heading = None
        elif tag == "pre":
            self.flush()
            self.pre = False
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag in _BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.in_title:
            self.title = " ".join(((self.title or "") + data).split()) or None
        elif self.cell is not None:
            self.cell.append(data)
        elif self.rows is None:
            self.text.append(data)


class HtmlConverter:
    """Converter for ``text/html``."""

    media_types: tuple[MediaType, ...] = (MediaType.HTML,)

    def convert(
        self, data: bytes, filename: str, limits: IngestLimits, deadline: Deadline
    ) -> ConvertedDocument:
        """Parse tolerant HTML and write Markdown blocks."""
        text = decode_text(data)
        if text is None:
            raise UnsupportedFileType(filename, "is not text")
        parser = _Parser(deadline)
        parser.feed(text)
        parser.close()
        parser.flush()
        markdown, sections, anchors = parser.builder.build()
        if not markdown.strip():
            raise EmptyDocument(filename, "the page holds no text")
        title = parser.title or next((s.heading for s in sections if s.level == 1), None)
        return ConvertedDocument(
            filename=filename,
            media_type=MediaType.HTML,
            markdown=markdown,
            sections=sections,
            anchors=anchors,
            title=title,
            words=count_words(markdown),
        )
