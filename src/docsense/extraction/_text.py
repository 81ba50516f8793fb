"""Shared text machinery for the extractors: Markdown blocks and locations.

:class:`Doc` splits Markdown into blocks (headings, paragraphs, lists, tables, code, display
maths) with exact offsets and turns any offset into a :class:`~docsense.domain.ir.Location`
(innermost section, page or paragraph provenance) in O(log n).
"""

# ruff: noqa: RUF002  (mathematical letters are the point of the examples)
from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator, Sequence
from enum import Enum

import attrs

from docsense.domain.ir import Location, Section, SourceAnchor, front_matter_end

__all__ = [
    "Block",
    "BlockKind",
    "Doc",
    "heading_sections",
    "normalise_name",
    "plain_letters",
    "split_scripts",
]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# GitBook's "$$i$$ is the market price ..., and $$k$$ is a parameter": maths closed on its
# line, then prose; a sentence with inline maths, not a display.
_PROSE_AFTER_MATHS = re.compile(
    # ("$$\eta$$: Fraction of total supply ...": a symbol's line in a parameter list)
    r"\s*\$\$[^$\n]{1,60}\$\$[ \t,:\u2014\u2013-]+[A-Za-z]{2,}[ \t]+[A-Za-z]"
)
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SPACE = re.compile(r"\s+")


class BlockKind(Enum):
    """What a Markdown block is."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    TABLE = "table"
    CODE = "code"
    MATH = "math"


@attrs.frozen
class Block:
    """A block of Markdown: ``text`` is ``markdown[start:end]``."""

    kind: BlockKind
    start: int
    end: int
    text: str


_MATH_ALNUM = re.compile("[\U0001d400-\U0001d7ff\u210e]")
_SCRIPT = re.compile(r"([_^])\{([^{}]*)\}")


def plain_letters(text: str) -> str:
    """Map mathematical alphanumeric letters (𝑄, 𝐼𝑇𝐷, ℎ) to plain ones (Q, ITD, h)."""
    if _MATH_ALNUM.search(text) is None:
        return text
    return _MATH_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


# Unicode subscript digits and letters: "Wᵢ", "P₁", "rᵢ,ₜ".
_SUBSCRIPT_CHARS = "[\u2080-\u2089\u2090-\u209c\u1d62-\u1d65\u2c7c]+"
_UNICODE_SUBSCRIPTS = re.compile(f"{_SUBSCRIPT_CHARS}(?:,{_SUBSCRIPT_CHARS})*")


def _scripts_as_markup(name: str) -> str:
    """Write Unicode subscripts the way converters write scripts: "Wᵢ" as "W_{i}"."""
    if _UNICODE_SUBSCRIPTS.search(name) is None:
        return name
    return _UNICODE_SUBSCRIPTS.sub(
        lambda m: "_{" + unicodedata.normalize("NFKC", m.group(0)) + "}", name
    )


def split_scripts(name: str) -> tuple[str, str, str]:
    """Split ``Base_{sub}^{sup}`` into ``(base, sub, sup)``; scripts empty when absent.

    Converters write PDF subscripts and superscripts as ``_{...}`` and ``^{...}``
    (``Index Level_{ITD}``, ``w_{i,ITD}^{Lookthrough}``); a bracketed script
    (``Day_{(t)}``) loses its brackets, and a Unicode subscript (``Wᵢ``) is one.
    """
    name = _scripts_as_markup(plain_letters(name))
    subs = [m.group(2).strip(" ()") for m in _SCRIPT.finditer(name) if m.group(1) == "_"]
    sups = [m.group(2).strip(" ()") for m in _SCRIPT.finditer(name) if m.group(1) == "^"]
    base = _SCRIPT.sub(" ", name).strip()
    return " ".join(base.split()), ",".join(subs), ",".join(sups)


_ISE = re.compile(r"(?<=[a-z]{3})is(?=ation|e\b|ed\b|ing\b)")


def normalise_name(name: str) -> str:
    """Fold a name for comparison: case, spacing, underscores, a plural ``s``, ``the``.

    Symbols of one or two letters keep their case (``W`` and ``w`` differ in maths);
    mathematical letters fold to plain ones and Unicode subscripts to scripts (``Wᵢ`` is
    ``W_{i}``).
    """
    name = _scripts_as_markup(plain_letters(name))
    folded = _SPACE.sub(" ", name.replace("_", " ").replace("*", "")).strip()
    if len(folded.split(" ")[0]) <= 2:
        return folded
    folded = folded.lower()
    if folded.startswith("the "):
        folded = folded[4:]
    if len(folded) > 3 and folded.endswith("s") and not folded.endswith("ss"):
        folded = folded[:-1]
    # British and American spellings name one thing: "Capitalisation", "Capitalization".
    return _ISE.sub("iz", folded)


def heading_sections(markdown: str) -> tuple[Section, ...]:
    """Derive sections from ATX headings when the caller has none (outside code fences)."""
    marks: list[tuple[str, int, int]] = []
    offset = 0
    fence = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            fence = not fence
        elif not fence:
            match = _ATX.match(line)
            if match:
                marks.append((match.group(2).strip(), len(match.group(1)), offset))
        offset += len(line) + 1
    sections: list[Section] = []
    stack: list[int] = []
    used: dict[str, int] = {}
    for i, (text, level, start) in enumerate(marks):
        end = next((s for _, lv, s in marks[i + 1 :] if lv <= level), len(markdown))
        base = re.sub(r"[^\w\s-]", "", text.lower()).strip().replace(" ", "-")[:80] or "section"
        n = used.get(base, 0)
        used[base] = n + 1
        while stack and sections[stack[-1]].level >= level:
            stack.pop()
        parent = sections[stack[-1]].id if stack else None
        sections.append(Section(base if n == 0 else f"{base}-{n}", text, level, start, end, parent))
        stack.append(i)
    return tuple(sections)


class Doc:
    """A Markdown document prepared for extraction."""

    def __init__(
        self,
        markdown: str,
        sections: Sequence[Section],
        anchors: Sequence[SourceAnchor] = (),
    ) -> None:
        self.markdown = markdown
        self.sections = tuple(sections)
        self._section_starts = [s.start for s in self.sections]
        self._by_id: dict[str, Section] = {}
        for section in self.sections:
            self._by_id.setdefault(section.id, section)
        self._anchors = tuple(anchors)
        self._anchor_starts = [a.start for a in self._anchors]
        self.blocks = list(_split_blocks(markdown))

    def section_by_id(self, section_id: str) -> Section | None:
        """Return the first section with id ``section_id``, or None."""
        return self._by_id.get(section_id)

    def section_at(self, offset: int) -> Section | None:
        """Return the innermost section containing ``offset``."""
        i = bisect.bisect_right(self._section_starts, offset) - 1
        while i >= 0:
            section = self.sections[i]
            if section.start <= offset < max(section.end, section.start + 1):
                return section
            i -= 1
        return None

    def location(self, start: int, end: int) -> Location:
        """Return the Location of ``markdown[start:end]``."""
        section = self.section_at(start)
        page = paragraph = None
        i = bisect.bisect_right(self._anchor_starts, start) - 1
        if i >= 0:
            page, paragraph = self._anchors[i].page, self._anchors[i].paragraph
        return Location(
            start=start,
            end=end,
            section_id=section.id if section else None,
            page=page,
            paragraph=paragraph,
        )

    def prose(self) -> Iterator[Block]:
        """Paragraph blocks (lists included), the place for sentence-level patterns."""
        return (b for b in self.blocks if b.kind is BlockKind.PARAGRAPH)


def _split_blocks(markdown: str) -> Iterator[Block]:
    lines = markdown.split("\n")
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    total = len(markdown)
    i = 0
    n = len(lines)
    body = front_matter_end(markdown)
    if body:  # metadata, not text: one code block nobody reads for prose
        i = markdown.count("\n", 0, body)
        yield Block(BlockKind.CODE, 0, body - 1, markdown[: body - 1])
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        start = starts[i]
        fence = _FENCE.match(line)
        if fence:
            j = i + 1
            while j < n and not lines[j].lstrip().startswith(fence.group(1)):
                j += 1
            end_line = min(j, n - 1)
            kind = BlockKind.CODE
        elif line.strip().startswith("$$") and not _PROSE_AFTER_MATHS.match(line):
            # "$$U(x,-y)= x-y / \pi$$," closes on its own line, punctuation after it or not
            j = i if "$$" in line.strip()[2:] else i + 1
            while j < n and "$$" not in lines[j]:
                j += 1
            end_line = min(j, n - 1)
            kind = BlockKind.MATH
        elif _ATX.match(line):
            end_line = i
            kind = BlockKind.HEADING
        else:
            j = i
            while j + 1 < n and lines[j + 1].strip() and not _FENCE.match(lines[j + 1]):
                if _ATX.match(lines[j + 1]):
                    break
                j += 1
            end_line = j
            is_table = (
                end_line > i and line.lstrip().startswith("|") and _TABLE_SEP.match(lines[i + 1])
            )
            kind = BlockKind.TABLE if is_table else BlockKind.PARAGRAPH
        end = min(starts[end_line] + len(lines[end_line]), total)
        yield Block(kind, start, end, markdown[start:end])
        i = end_line + 1
