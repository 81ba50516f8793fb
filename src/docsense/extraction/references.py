"""Cross-references to sections, tables, appendices, exhibits and external documents.

Internal references (``Section 3.2``, ``paragraph 4``, ``clause 7(a)``, ``§ 2``,
``Appendix B``, ``Annex A``, ``Schedule 1``, ``Exhibit C``, ``Table 2``, Markdown links to
``#anchors``) are resolved against the section headings and table captions: a section
number matches a heading that starts with it (``3.2``, ``3.2.``, ``Section 3.2``); when
numbering restarts in several parts of a document, the heading in the same top-level part
wins. External references are URLs, Markdown links, and named documents introduced by
``as described in``, ``set out in``, ``see the`` ... ending in a document noun
(Methodology, Rulebook, Prospectus, Agreement, Policy ...); a named document that is in
fact a part of this file (a heading carries its name) resolves to that part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from docsense.domain.ir import CrossReference, ReferenceKind, Section, Table
from docsense.extraction._text import Block, BlockKind, Doc

__all__ = ["extract_references"]

_INTERNAL = re.compile(
    r"\b(?P<kind>Sections?|Clauses?|Paragraphs?|Articles?|\u00a7\u00a7?|Appendix|Appendices"
    r"|Annex(?:es)?|Schedules?|Exhibits?|Tables?)\s*"
    r"(?P<target>\d{1,3}(?:\.\d{1,3})*(?:\([a-z0-9]{1,4}\))*|(?-i:[A-Z])(?:\.\d{1,3})?(?![\w]))",
    re.IGNORECASE,
)
_URL = re.compile(r"\bhttps?://[^\s)>\]\"']+")
_LINK = re.compile(r"\[(?P<text>[^\]\n]{1,200})\]\((?P<href>[^)\s]{1,500})\)")
_DOC_NOUN = (
    r"(?:Methodology|Methodologies|Rulebook|Rules|Handbook|Manual|Guide|Guidelines|Prospectus"
    r"|Supplement|Agreement|Policy|Policies|Procedures?|Framework|Standards?|Documentation"
    r"|Description|Provisions|Regulations?|Directive|Terms\s+and\s+Conditions|Memorandum"
    r"|Circular|Notice|Specification)"
)
_EXTERNAL_DOC = re.compile(
    r"\b(?:described|defined|set\s+out|specified|published|available|found|contained|detailed"
    r"|provided|explained|outlined|see|refer\s+to|according\s+to|pursuant\s+to|under|per"
    r"|in\s+accordance\s+with)\s+(?:in\s+)?(?:the\s+)?(?:relevant\s+)?"
    r"(?P<doc>(?:[A-Z][\w&.'/-]*\s+){0,7}" + _DOC_NOUN + r")\b"
)
_KIND = {
    "section": ReferenceKind.SECTION,
    "clause": ReferenceKind.SECTION,
    "paragraph": ReferenceKind.SECTION,
    "article": ReferenceKind.SECTION,
    "\u00a7": ReferenceKind.SECTION,
    "appendix": ReferenceKind.APPENDIX,
    "appendice": ReferenceKind.APPENDIX,
    "annex": ReferenceKind.APPENDIX,
    "annexe": ReferenceKind.APPENDIX,
    "schedule": ReferenceKind.APPENDIX,
    "exhibit": ReferenceKind.EXHIBIT,
    "table": ReferenceKind.TABLE,
}
_NUMBER_PREFIX = re.compile(
    r"^(?:(?:section|clause|article|part|chapter|paragraph)\s+)?(?P<num>\d{1,3}(?:\.\d{1,3})*)"
    r"\.?(?:\s|$|\))",
    re.IGNORECASE,
)


class _Resolver:
    def __init__(self, doc: Doc, tables: Sequence[Table]) -> None:
        self.doc = doc
        self.numbered: dict[str, list[Section]] = {}
        for section in doc.sections:
            m = _NUMBER_PREFIX.match(section.heading)
            if m:
                self.numbered.setdefault(m.group("num"), []).append(section)
        self.by_id = {s.id: s for s in doc.sections}
        self.tables = tables

    def _top(self, section: Section | None) -> str | None:
        while section is not None and section.parent_id is not None:
            section = self.by_id.get(section.parent_id)
        return section.id if section else None

    def section(self, number: str, offset: int) -> str | None:
        number = re.sub(r"\(.*$", "", number).rstrip(".")
        candidates = self.numbered.get(number, [])
        if not candidates and "." in number:
            candidates = self.numbered.get(number.rsplit(".", 1)[0], [])
        if not candidates:
            return None
        here = self._top(self.doc.section_at(offset))
        same = [s for s in candidates if self._top(s) == here]
        return (same or candidates)[0].id

    def labelled(self, word: str, target: str) -> str | None:
        pattern = re.compile(rf"\b{word}\s+{re.escape(target)}(?![\w])", re.IGNORECASE)
        section = next((s for s in self.doc.sections if pattern.search(s.heading)), None)
        if section is not None:
            return section.id
        for table in self.tables:
            if table.caption and pattern.search(table.caption):
                return table.id
        return None

    def named(self, name: str) -> str | None:
        folded = " ".join(name.lower().split())
        section = next(
            (s for s in self.doc.sections if folded in " ".join(s.heading.lower().split())), None
        )
        return section.id if section else None


def _internal(doc: Doc, block: Block, resolver: _Resolver) -> Iterator[CrossReference]:
    for m in _INTERNAL.finditer(block.text):
        word = (
            m.group("kind").lower().rstrip("s") if m.group("kind") != "\u00a7\u00a7" else "\u00a7"
        )
        kind = _KIND.get(word)
        if kind is None:
            continue
        target = m.group("target")
        start = block.start + m.start()
        if kind is ReferenceKind.SECTION:
            resolved_to = resolver.section(target, start) if target[0].isdigit() else None
        else:
            resolved_to = resolver.labelled(m.group("kind").rstrip("sS"), target)
            if resolved_to is None and kind is ReferenceKind.APPENDIX:
                for other in ("Appendix", "Annex", "Schedule"):
                    resolved_to = resolved_to or resolver.labelled(other, target)
        yield CrossReference(
            text=m.group(0),
            kind=kind,
            target=f"{m.group('kind').rstrip('sS').title()} {target}",
            location=doc.location(start, block.start + m.end()),
            resolved=resolved_to is not None,
            resolved_to=resolved_to,
        )


def _external(doc: Doc, block: Block, resolver: _Resolver) -> Iterator[CrossReference]:
    text = block.text
    link_spans: list[tuple[int, int]] = []
    for m in _LINK.finditer(text):
        link_spans.append((m.start(), m.end()))
        href = m.group("href")
        start = block.start + m.start()
        location = doc.location(start, block.start + m.end())
        if href.startswith("#"):
            target = href[1:]
            resolved = target in resolver.by_id
            yield CrossReference(
                m.group(0), ReferenceKind.SECTION, target, location, resolved,
                target if resolved else None,
            )  # fmt: skip
        else:
            yield CrossReference(m.group(0), ReferenceKind.EXTERNAL, href, location)
    for m in _URL.finditer(text):
        if any(a <= m.start() < b for a, b in link_spans):
            continue
        url = m.group(0).rstrip(".,;:")
        start = block.start + m.start()
        yield CrossReference(
            url, ReferenceKind.EXTERNAL, url, doc.location(start, start + len(url))
        )
    flat = text.replace("\n", " ")
    for m in _EXTERNAL_DOC.finditer(flat):
        name = m.group("doc").strip()
        if len(name.split()) < 2 or not name[0].isupper():
            continue
        start = block.start + m.start("doc")
        resolved_to = resolver.named(name)
        yield CrossReference(
            text=name,
            kind=ReferenceKind.EXTERNAL,
            target=name,
            location=doc.location(start, start + len(name)),
            resolved=resolved_to is not None,
            resolved_to=resolved_to,
        )


def extract_references(doc: Doc, tables: Sequence[Table] = ()) -> tuple[CrossReference, ...]:
    """Return cross-references in document order, each resolved where possible."""
    resolver = _Resolver(doc, tables)
    found: list[CrossReference] = []
    for block in doc.blocks:
        if block.kind in (BlockKind.PARAGRAPH, BlockKind.TABLE):
            found.extend(_internal(doc, block, resolver))
            found.extend(_external(doc, block, resolver))
    return tuple(sorted(found, key=lambda r: r.location.start))
