"""Assemble Markdown block by block while recording headings and source anchors.

Every converter writes through :class:`MarkdownBuilder`, so character offsets of sections and
anchors are exact by construction rather than recomputed by searching the output.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

import attrs

from docsense.domain.ir import SECTION_ID_LENGTH, Section, SourceAnchor

__all__ = ["HeadingMark", "MarkdownBuilder", "build_sections", "count_words", "slugify"]

_WORD = re.compile(r"\w+")
_SLUG_DROP = re.compile(r"[^\w\s-]")
_SLUG_SPACE = re.compile(r"[\s_]+")
_MD_SPECIAL_START = re.compile(r"^(\s*)([#>+]|[-*](?=\s)|\d+[.)](?=\s)|=+\s*$)")


@attrs.frozen
class HeadingMark:
    """A heading at a Markdown offset, before sections are computed."""

    text: str
    level: int
    start: int
    page: int | None = None
    paragraph: int | None = None


def slugify(text: str) -> str:
    """Return a GitHub-style slug: lower case, punctuation dropped, spaces to hyphens."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _SLUG_DROP.sub("", text)
    return _SLUG_SPACE.sub("-", text.strip()).strip("-")[:SECTION_ID_LENGTH].strip("-")


def count_words(text: str) -> int:
    """Count words (runs of letters and digits) in ``text``."""
    return len(_WORD.findall(text))


def build_sections(headings: Sequence[HeadingMark], total: int) -> tuple[Section, ...]:
    """Turn headings into sections: spans to the next heading of the same or higher level."""
    sections: list[Section] = []
    used: dict[str, int] = {}
    ids: list[str] = []
    for i, mark in enumerate(headings):
        base = slugify(mark.text) or f"section-{i + 1}"
        n = used.get(base, 0)
        used[base] = n + 1
        ids.append(base if n == 0 else f"{base}-{n}")
    stack: list[int] = []
    for i, mark in enumerate(headings):
        end = total
        for later in headings[i + 1 :]:
            if later.level <= mark.level:
                end = later.start
                break
        while stack and headings[stack[-1]].level >= mark.level:
            stack.pop()
        parent = ids[stack[-1]] if stack else None
        stack.append(i)
        sections.append(
            Section(
                id=ids[i],
                heading=mark.text,
                level=mark.level,
                start=mark.start,
                end=end,
                parent_id=parent,
                page=mark.page,
                paragraph=mark.paragraph,
            )
        )
    return tuple(sections)


def escape_line_start(text: str) -> str:
    r"""Escape a leading character that Markdown would read as a heading, list or quote.

    ``# x`` becomes ``\# x``; an ordered-list number keeps its digits and escapes its
    delimiter (``1. x`` becomes ``1\. x``), as CommonMark requires.
    """

    def escape(match: re.Match[str]) -> str:
        marker = match.group(2)
        if marker[0].isdigit():
            return match.group(1) + marker[:-1] + "\\" + marker[-1]
        return match.group(1) + "\\" + marker

    return _MD_SPECIAL_START.sub(escape, text, count=1)


def image_markdown(alt: str, target: str) -> str:
    """Write a picture the source holds as a Markdown image reference: ``![alt](target)``.

    The alternative text is kept on one line without brackets, and a target with spaces or
    brackets is written between angle brackets (``![chart](<media/chart 1.png>)``), so the
    reference reads back as one image. Nothing is fetched or embedded; an empty target
    (an inline picture with no address) gives ``![alt]()``.
    """
    text = " ".join(alt.replace("[", "(").replace("]", ")").split())
    target = target.strip().replace("<", "%3C").replace(">", "%3E")
    if any(c in target for c in " ()"):
        target = f"<{target}>"
    return f"![{text}]({target})"


def table_markdown(rows: Sequence[Sequence[str]]) -> str:
    """Render rows as a pipe table; the first row is the header. Cells are single-line."""
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        return ""

    def cell(text: str) -> str:
        flat = " <br> ".join(part.strip() for part in text.splitlines() if part.strip())
        return flat.replace("|", "\\|")

    lines = []
    for i, row in enumerate(rows):
        cells = [cell(c) for c in row] + [""] * (width - len(row))
        lines.append("| " + " | ".join(cells) + " |")
        if i == 0:
            lines.append("|" + "|".join(["---"] * width) + "|")
    return "\n".join(lines)


class MarkdownBuilder:
    """Collect Markdown blocks separated by blank lines, with headings and anchors."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._headings: list[HeadingMark] = []
        self._anchors: list[SourceAnchor] = []

    @property
    def length(self) -> int:
        """The number of characters written so far."""
        return self._length

    def anchor(
        self, *, page: int | None = None, paragraph: int | None = None, at: int | None = None
    ) -> None:
        """Record that the Markdown written next (or from offset ``at``) comes from ``page``.

        ``at`` may point back into the last block written (a paragraph that went on over a
        page break), never before the last anchor.
        """
        start = self._length if at is None else at
        anchor = SourceAnchor(start=start, page=page, paragraph=paragraph)
        if self._anchors and self._anchors[-1].start == start:
            self._anchors[-1] = anchor
        else:
            self._anchors.append(anchor)

    def heading(
        self, text: str, level: int, *, page: int | None = None, paragraph: int | None = None
    ) -> None:
        """Write an ATX heading (level clamped to 1..6) and record it."""
        clean = " ".join(text.split())
        if not clean:
            return
        level = min(max(level, 1), 6)
        self._headings.append(HeadingMark(clean, level, self._length, page, paragraph))
        self._write("#" * level + " " + clean)

    def block(self, text: str) -> None:
        """Write a block (paragraph, list, table, formula) followed by a blank line."""
        text = text.strip("\n")
        if text.strip():
            self._write(text)

    def reopen_paragraph(self, *, unless: Callable[[str], bool]) -> str | None:
        """Take back the last block when it is a paragraph and ``unless(text)`` is false.

        A PDF sentence that runs over a page break arrives as two blocks; the renderer takes
        the first back (``unless`` says whether it ended its sentence) and writes the two as
        one paragraph. A heading, list, table or formula is never given back.
        """
        if len(self._parts) < 2:
            return None
        text = self._parts[-2]
        if self._headings and self._headings[-1].start == self._length - len(text) - 2:
            return None
        stripped = text.strip()
        if stripped.startswith(("-", "|", "#", "$")) or stripped.endswith("|") or unless(text):
            return None
        del self._parts[-2:]
        self._length -= len(text) + 2
        self._anchors = [a for a in self._anchors if a.start <= self._length]
        return text

    def _write(self, text: str) -> None:
        self._parts.append(text)
        self._parts.append("\n\n")
        self._length += len(text) + 2

    def build(self) -> tuple[str, tuple[Section, ...], tuple[SourceAnchor, ...]]:
        """Return the Markdown, its sections and its anchors."""
        markdown = "".join(self._parts)
        if markdown.endswith("\n\n"):
            markdown = markdown[:-1]
        total = len(markdown)
        anchors = tuple(a for a in self._anchors if a.start < max(total, 1))
        return markdown, build_sections(self._headings, total), anchors
