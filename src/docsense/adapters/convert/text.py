"""Plain text input: paragraphs kept, headings recognised from common typewriter patterns.

A line is a heading when it is short, has no closing full stop, stands alone (blank line or
start of file before it) and is either underlined (``====``/``----``), numbered
(``2.``, ``2.1``, ``IV.``, ``Section 3``, ``Appendix A``) or written in capitals. Numbering
depth sets the level (``2.`` -> 2, ``2.1`` -> 3); capitals and ``=`` underlines are level 1.
Lines that Markdown would misread as headings are escaped.
"""

from __future__ import annotations

import re

from docsense.adapters.convert._builder import MarkdownBuilder, count_words
from docsense.adapters.convert._model import ConvertedDocument, Deadline, IngestLimits, MediaType
from docsense.adapters.convert.markdown import read_text

__all__ = ["TextConverter", "numbering_depth"]

_NUMBERED = re.compile(
    r"^(?:(?:section|article|part|chapter|appendix|annex|schedule|exhibit)\s+[\w.]{1,8}"
    r"|(?P<num>\d{1,3}(?:\.\d{1,3}){0,5}\.?|[IVXLC]{1,6}\.(?:\d{1,3}\.?)*|[A-Z]\.)"
    r")[\s:.\-\u2013\u2014]+\S",
    re.IGNORECASE,
)
_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")


def numbering_depth(line: str) -> int | None:
    """Return the depth of a heading number (``2.`` -> 1, ``2.1`` -> 2) or None if unnumbered.

    Named divisions (``Section 3``, ``Appendix A``) count as depth 1.
    """
    match = _NUMBERED.match(line)
    if not match:
        return None
    num = match.group("num")
    if num is None:
        return 1
    return len([p for p in num.split(".") if p])


def _is_heading_text(line: str) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped) <= 100
        and len(stripped.split()) <= 14
        and not stripped.endswith((".", ",", ";", ":"))
        and any(ch.isalpha() for ch in stripped)
    )


class TextConverter:
    """Converter for ``text/plain``."""

    media_types: tuple[MediaType, ...] = (MediaType.TEXT,)

    def convert(
        self, data: bytes, filename: str, limits: IngestLimits, deadline: Deadline
    ) -> ConvertedDocument:
        """Split into paragraphs at blank lines and mark heading-like lines."""
        text = read_text(data, filename)
        builder = MarkdownBuilder()
        for index, paragraph in enumerate(re.split(r"\n[ \t]*\n", text)):
            if index % 256 == 0:
                deadline.check()
            lines = paragraph.strip("\n").split("\n")
            builder.anchor(paragraph=index)
            first = lines[0]
            if len(lines) == 2 and _UNDERLINE.match(lines[1]) and _is_heading_text(first):
                builder.heading(first, 1 if lines[1].strip()[0] == "=" else 2, paragraph=index)
                continue
            if len(lines) == 1 and _is_heading_text(first):
                depth = numbering_depth(first.strip())
                letters = [c for c in first if c.isalpha()]
                if depth is not None:
                    builder.heading(first, depth + 1, paragraph=index)
                    continue
                if len(letters) >= 3 and all(c.isupper() for c in letters):
                    builder.heading(first, 1, paragraph=index)
                    continue
            builder.block("\n".join(_escape(line) for line in lines))
        markdown, sections, anchors = builder.build()
        title = sections[0].heading if sections and sections[0].start == 0 else None
        return ConvertedDocument(
            filename=filename,
            media_type=MediaType.TEXT,
            markdown=markdown,
            sections=sections,
            anchors=anchors,
            title=title,
            words=count_words(markdown),
        )


def _escape(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith(("#", ">")) or _UNDERLINE.match(line):
        return line[: len(line) - len(stripped)] + "\\" + stripped
    return line
