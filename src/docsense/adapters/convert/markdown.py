"""Markdown input: kept as written; headings (ATX and setext) become the section tree.

Fenced code blocks are skipped when looking for headings, a YAML front-matter block supplies
``title`` and ``author`` when present, and ``$...$``/``$$...$$`` maths stays as written (it is
already LaTeX). Site-generator template tags outside code (GitBook / Liquid / Jinja
``{% hint %}``, ``{% endhint %}``, ``{% embed url="..." %}``) are markup, not text: a tag on a
line of its own is dropped, an embed becomes its link, and the ``&#x20;`` spaces such
generators write become plain spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.adapters.convert._builder import HeadingMark, build_sections, count_words
from docsense.adapters.convert._model import ConvertedDocument, Deadline, IngestLimits, MediaType
from docsense.adapters.convert.sniff import decode_text
from docsense.domain.ir import front_matter_end
from docsense.errors import EmptyDocument, UnsupportedFileType

__all__ = [
    "MarkdownConverter",
    "markdown_headings",
    "normalise_newlines",
    "read_text",
    "strip_comments",
    "strip_template_tags",
]

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_OR_QUOTE = re.compile(r"^ {0,3}(?:[-*+>]|\d{1,9}[.)])(?:[ \t]|$)")
_FRONT_FIELD = re.compile(r"^(title|author)\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
# Emphasis and code marks around text. Underscores inside a word are letters, not emphasis
# (CommonMark's rule): "stoploss_on_exchange" keeps them.
_EMPHASIS = re.compile(r"(\*\*|\*|`)(.+?)\1|(?<![\w\\])(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)")
_TEMPLATE_TAG = re.compile(r"\{%-?\s*(?P<name>\w+)(?P<args>[^%]*?)-?%\}")
_EMBED_URL = re.compile(r"""\burl\s*=\s*["']([^"']+)["']""")
_SPACE_ENTITY = re.compile(r"&#(?:x20|32|xa0|160);|&nbsp;", re.IGNORECASE)


def normalise_newlines(text: str) -> str:
    r"""Return ``text`` with ``\r\n`` and ``\r`` turned into ``\n`` and NULs removed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def read_text(data: bytes, filename: str) -> str:
    """Decode ``data`` with normalised newlines, refusing bytes that are not text or blank."""
    text = decode_text(data)
    if text is None:
        raise UnsupportedFileType(filename, "is not text")
    text = normalise_newlines(text)
    if not text.strip():
        raise EmptyDocument(filename, "the file holds no text")
    return text


def _clean_heading(text: str) -> str:
    return " ".join(_EMPHASIS.sub(lambda m: m.group(2) or m.group(4), text).split())


def markdown_headings(markdown: str) -> list[HeadingMark]:
    """Find ATX and setext headings in ``markdown``, outside fenced code blocks."""
    marks: list[HeadingMark] = []
    fence: str | None = None
    offset = 0
    prev_line: str | None = None
    prev_start = 0
    body_start = front_matter_end(markdown)
    for line in markdown.split("\n"):
        start = offset
        offset += len(line) + 1
        if start < body_start:
            continue
        fence_match = _FENCE.match(line)
        if fence is not None:
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                fence = None
            prev_line = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            prev_line = None
            continue
        atx = _ATX.match(line)
        if atx:
            text = _clean_heading(atx.group(2) or "")
            if text:
                marks.append(HeadingMark(text, len(atx.group(1)), start))
            prev_line = None
            continue
        setext = _SETEXT.match(line)
        if (
            setext
            and prev_line is not None
            and prev_line.strip()
            and not _LIST_OR_QUOTE.match(prev_line)
            and not prev_line.startswith(("    ", "\t"))
        ):
            text = _clean_heading(prev_line)
            if text:
                level = 1 if setext.group(1)[0] == "=" else 2
                marks.append(HeadingMark(text, level, prev_start))
                prev_line = None
                continue
        prev_line = line
        prev_start = start
    return marks


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def strip_comments(markdown: str) -> str:
    """Return ``markdown`` without HTML comments outside fenced code.

    A comment is not shown to a reader: templates leave their instructions in them
    ("<!-- The specification should describe ... five sections -->"), and reviewing those
    as text reports what the author never wrote. A comment inside a fenced code block is
    code and stays.
    """
    if "<!--" not in markdown:
        return markdown
    out: list[str] = []
    outside: list[str] = []
    for line, code in _fenced(markdown.split("\n")):
        if not code:
            outside.append(line)
            continue
        if outside:
            out.append(_COMMENT.sub("", "\n".join(outside)))
            outside = []
        out.append(line)
    if outside:
        out.append(_COMMENT.sub("", "\n".join(outside)))
    return "\n".join(out)


def _fenced(lines: list[str]) -> Iterator[tuple[str, bool]]:
    """Yield each line with True when it is fenced code (the fence lines included)."""
    fence: str | None = None
    for line in lines:
        m = _FENCE.match(line)
        if m:
            marker = m.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            yield line, True
        else:
            yield line, fence is not None


def strip_template_tags(markdown: str) -> str:
    """Return ``markdown`` without site-generator template tags outside fenced code.

    ``{% embed url="U" %}`` becomes ``<U>`` (the link is content); any other tag
    (``{% hint style="info" %}``, ``{% endhint %}``, ``{% tabs %}``) is removed, and a line
    left empty by that is dropped. Space entities (``&#x20;``) become spaces.
    """
    if "{%" not in markdown and "&" not in markdown:
        return markdown
    out: list[str] = []
    for line, code in _fenced(markdown.split("\n")):
        if code:
            out.append(line)
            continue
        had_tag = "{%" in line
        line = _TEMPLATE_TAG.sub(_template_replacement, line)
        line = _SPACE_ENTITY.sub(" ", line)
        if had_tag and not line.strip():
            continue
        out.append(line)
    return "\n".join(out)


def _template_replacement(m: re.Match[str]) -> str:
    if m.group("name").lower() == "embed":
        url = _EMBED_URL.search(m.group("args"))
        return f"<{url.group(1)}>" if url else ""
    return ""


def _front_matter(markdown: str) -> dict[str, str]:
    end = front_matter_end(markdown) - 5
    if end < 0:
        return {}
    return {
        m.group(1).lower(): m.group(2).strip("'\"") for m in _FRONT_FIELD.finditer(markdown, 4, end)
    }


class MarkdownConverter:
    """Converter for ``text/markdown``: the text is already the output."""

    media_types: tuple[MediaType, ...] = (MediaType.MARKDOWN,)

    def convert(
        self, data: bytes, filename: str, limits: IngestLimits, deadline: Deadline
    ) -> ConvertedDocument:
        """Decode, normalise newlines, and index the headings."""
        text = strip_comments(read_text(data, filename))
        markdown = strip_template_tags(text).strip("\n") + "\n"
        deadline.check()
        marks = markdown_headings(markdown)
        sections = build_sections(marks, len(markdown))
        front = _front_matter(markdown)
        title = front.get("title") or next((m.text for m in marks if m.level == 1), None)
        return ConvertedDocument(
            filename=filename,
            media_type=MediaType.MARKDOWN,
            markdown=markdown,
            sections=sections,
            title=title,
            author=front.get("author"),
            words=count_words(markdown),
        )
