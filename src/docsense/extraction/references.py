"""Cross-references to sections, tables, appendices, exhibits and external documents.

Internal references (``Section 3.2``, ``paragraph 4``, ``clause 7(a)``, ``§ 2``,
``Appendix B``, ``Annex A``, ``Schedule 1``, ``Exhibit C``, ``Table 2``, Markdown links to
``#anchors``) are resolved against the section headings, the anchors the Markdown sets in
HTML (``<a id="twap" />``) and table captions: a section
number matches a heading that starts with it (``3.2``, ``3.2.``, ``Section 3.2``); when
numbering restarts in several parts of a document, the heading in the same top-level part
wins. External references are URLs, Markdown links, and named documents introduced by
``as described in``, ``set out in``, ``see the`` ... ending in a document noun
(Methodology, Rulebook, Prospectus, Agreement, Policy ...).

Real methodologies are often bundles of parts that refer to each other by name, so a
reference resolves inside the file when:

* a heading, or a caption-like line that starts a block (``Section C: Preliminary Weight
  Determination Process``, ``Table 1: ...``), carries its label: PDFs do not always mark
  such lines as headings;
* it says so itself: ``this Section C`` is the part the sentence is in;
* it names a document the file declares itself to be: ``This Specifications Annex
  constitutes the Relevant General Strategy Description``, ``These Provisions ... will
  constitute the "Index Rules"``, ``"Relevant Base Description" means this Description``;
* every content word of the name is in one heading (``General Description`` and the part
  headed ``General Basket Strategy Base Description``), or the name is a term the document
  defines (``Signal Specification Set``): a concept of this document, not another one.

A section number followed by ``of the Code`` / ``of the Act`` / ``of the Agreement``
(``Section 871(m) of the Code``) cites another text: it is external, not a missing part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cached_property

from docsense._literals import folded as _folded
from docsense._literals import mentions
from docsense.domain.ir import (
    SECTION_ID_LENGTH,
    CrossReference,
    DefinedTerm,
    ReferenceKind,
    Section,
    Table,
)
from docsense.extraction._text import Block, BlockKind, Doc

__all__ = ["extract_references"]

_INTERNAL = re.compile(
    r"\b(?P<kind>Sections?|Clauses?|Paragraphs?|Articles?|\u00a7\u00a7?|Appendix|Appendices"
    r"|Annex(?:es)?|Schedules?|Exhibits?|Tables?)\s*"
    r"(?P<target>\d{1,3}(?:\.\d{1,3})*(?:\([a-z0-9]{1,4}\))*|(?-i:[A-Z])(?:\.\d{1,3})?(?![\w]))",
    re.IGNORECASE,
)
# A line break, then "A" or "I" and a capitalised word: a sentence that starts, not a label.
_SENTENCE_AFTER = re.compile(r"\n[ \t]*[AI][ \t]+[A-Z][a-z]")
# "I" and then a word in lower case that no list of parts goes on with ("I provide"): the
# pronoun ("paragraphs I and II", "Part I of", "Section I, below" stay references).
_PRONOUN_I = re.compile(
    r"[ \t]+(?!(?:and|or|to|through|of|in|on|above|below|hereof|thereof)\b)[a-z]{2,}\b"
)
_INTERNAL_WORDS = (  # in every match of _INTERNAL, folded
    "section", "clause", "paragraph", "article", "\u00a7", "append", "annex", "schedule",
    "exhibit", "table",
)
_URL = re.compile(r"\bhttps?://[^\s)>\]\"']+")
_LINK = re.compile(r"\[(?P<text>[^\]\n]{1,200})\]\((?P<href>[^)\s]{1,500})\)")
_DOC_NOUN = (
    r"(?:Methodology|Methodologies|Rulebook|Rules|Handbook|Manual|Guide|Guidelines|Prospectus"
    r"|Supplement|Agreement|Policy|Policies|Procedures?|Framework|Standards?|Documentation"
    r"|Description|Provisions|Regulations?|Directive|Terms\s+and\s+Conditions|Memorandum"
    r"|Circular|Notice|Specifications?(?:\s+Annex)?|Annex|Addendum"
    # ("taken from the Annual Trade Weights Report", "the firm's Risk Appetite Statement",
    # "the LME Disruption Protocol")
    r"|Report|Statement|Protocol|Playbook|Charter)"
)
# In every match of _EXTERNAL_DOC (a case-sensitive pattern): a word of _DOC_NOUN.
_DOC_NOUN_WORDS = (
    "Methodolog", "Rule", "Handbook", "Manual", "Guide", "Prospectus", "Supplement",
    "Agreement", "Polic", "Procedure", "Framework", "Standard", "Documentation", "Description",
    "Provisions", "Regulation", "Directive", "Terms", "Memorandum", "Circular", "Notice",
    "Specification", "Annex", "Addendum", "Report", "Statement", "Protocol", "Playbook",
    "Charter",
)
_EXTERNAL_DOC = re.compile(
    r"\b(?:described|defined|set\s+out|specified|published|available|found|contained|detailed"
    r"|provided|explained|outlined|see|refer\s+to|according\s+to|pursuant\s+to|under|per"
    r"|(?:taken|derived|sourced|obtained|drawn)\s+from|against|follows?|following"
    r"|in\s+accordance\s+with|(?:meanings?|definitions?)\s+(?:given|ascribed|assigned)"
    r"(?:\s+to\s+(?:such|these|those|the)\s+terms?)?)\s+(?:in\s+)?(?:the\s+)?(?:relevant\s+)?"
    r"(?:[a-z]+(?:'s|\u2019s)\s+)?"  # "against the firm's Risk Appetite Statement"
    # "S&P Dow Jones Indices' Equity Indices Policies & Practices": a possessive and "&" inside
    # the name, and a pair of nouns after the document noun
    r"(?P<doc>(?:(?:[A-Z][\w&.'\u2019/\u00ae\u2122-]*|&)\s+){0,8}" + _DOC_NOUN
    + r"(?:\s+(?:&|and)\s+[A-Z][a-z]+)?)\b"
)
# "Section 871(m) of the Code", "Article 3 of the Regulation", "clause 4 of the Agreement".
_CITED_TEXT = re.compile(
    r"^\s*(?:\([a-z0-9]{1,4}\))*\s*(?:(?:,|and|or)\s*\d{1,3}\s*)*"
    # "Article 5(3) point (i) of the BMR", "Article 3, paragraph 2, of the Regulation"
    r"(?:,?\s*(?:point|paragraph|subparagraph|sub-paragraph|item|letter)\s+\(?[a-z0-9]{1,4}\)?,?\s*)?"
    # "Clause 1.1.2 of Chapter 5 of SEBI Master Circular": a chapter of the other text between
    r"(?:(?:of|in)\s+(?:Chapter|Part|Title|Schedule|Annex|Appendix)\s+[\dIVX]{1,4}\s+)?"
    r"(?:of|under)\s+(?:the\s+)?"
    r"(?:(?:[A-Z][\w&.'-]*\s+){0,6}(?:Code|Act|Regulations?|Directive|Rules?|Agreement|Treaty|"
    r"Convention|Statute|Law|Constitution|Bylaws|Charter|Prospectus|Supplement|Handbook|"
    # ("Article 15 of the BMR", "Articles 25 and 26 of the BMR": an initialism names the text)
    r"Rulebook|Circular|Guidelines|Notification)\b|(?-i:[A-Z]{2,6})\b)"
)
# A part of another document, by its number and title: "section 1(a) Bracket Method of the
# Cboe Volatility Index Mathematics Methodology", "sections 3(a) (ii) and (iii) Volatility
# Index Calculation - Single Term in the Cboe ... Methodology" (after the reference).
_TITLED_PART_OF_DOC = re.compile(
    r"^(?:\s*\([a-z0-9]{1,4}\))*(?:\s*(?:,|and|or)?\s*\([a-z0-9]{1,4}\))*\s+"
    # the title's words: capitalised, dashes, and short function words ("Volatility Index
    # Cannot be Calculated"); or none ("section 1(a) of the ... Methodology")
    r"(?:(?:[A-Z][\w&.'\u2019-]*|[\u2013\u2014-]|and|or|&|be|to|for|a|an|not|by|on|at)\s+)"
    r"{0,12}?(?:of|in)\s+the\s+"
    r"(?P<doc>(?:[A-Z][\w&.'\u2019\u00ae\u2122-]*\s+){1,8}" + _DOC_NOUN + r")\b"
)
# "This Specifications Annex ... constitutes the Relevant General Strategy Description",
# "These Provisions ... will constitute the "Index Rules"".
_SELF_DECLARED = re.compile(
    r"\b(?:This|These|this|these)\s+[^.;]{0,300}?\bconstitutes?\s+(?:the\s+|a\s+)?"
    r"[\"\u201c]?(?P<name>[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,6})"
)
# '"Relevant Base Description" means this Description'.
_MEANS_THIS = re.compile(
    r"[\"\u201c](?P<name>[A-Z][^\"\u201d\n]{1,80})[\"\u201d]\s+(?:means|shall\s+mean|refers\s+to)"
    r"\s+(?:this|these)\b"
)
# A definition that places the named document in this file, or outside it.
_INSIDE = re.compile(
    r"\b(?:this|these|herein|hereto|hereof|hereunder|attached|below|above|appended)\b", re.I
)
_OUTSIDE_DOC = re.compile(
    r"https?://|www\.|\bavailable\s+(?:at|on|from)\b|\bpublished\s+by\b", re.IGNORECASE
)
_NAME_NOISE = frozenset(
    {"the", "this", "these", "such", "relevant", "applicable", "other", "any", "each", "a", "an",
     "of", "and", "or", "for", "in", "to", "on", "by", "with"}
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


# A heading numbered with a letter: "C. Definition ...", "C.1 Definition ...", "J.10 FX ...".
_LETTER_PREFIX = re.compile(r"^(?P<num>[A-Z](?=[.)]\s)|[A-Z]\.\d{1,3}(?:\.\d{1,3})*(?=\.?\s))")
# After numbered chapters, LaTeX sets an appendix as a letter and its title: "A Correctness of
# the Algorithm" is Appendix A.
_LETTER_TITLE = re.compile(r"^(?P<num>[A-Z])(?=\s+[A-Z][a-z])")
_NUMBERED_PARAGRAPH = re.compile(r"^[ \t]*(?P<num>\d{1,3})\\?[.)][ \t]+\S", re.MULTILINE)
_NUMBERED_TITLE_LINE = re.compile(
    r"^[ \t]*(?P<num>\d{1,3}(?:\\?\.\d{1,3})+|\d{1,3}(?=\\?\.)|[A-Z]\\?\.\d{1,2}(?:\\?\.\d{1,2})*)"
    r"\\?\.?[ \t]+[A-Z][^\n.;:]{0,80}$",
    re.MULTILINE,
)
# A lettered sub-part: "A.1", "B.2.3".
_SUB_PART = re.compile(r"[A-Z]\.\d{1,2}(?:\.\d{1,2})*")
def _singular_kind(word: str) -> str:
    """Return the singular of a part's name as references write it: "Appendices" -> "Appendix"."""
    low = word.lower()
    if low.endswith("ices"):
        return word[:-4] + ("IX" if word.isupper() else "ix")
    if low.endswith("xes"):
        return word[:-2]
    return word.rstrip("sS")


# The same with a chapter number and no dot: "5 Miscellaneous" (a title of a few words).
_BARE_NUMBER_TITLE_LINE = re.compile(
    r"^[ \t]*(?P<num>\d{1,2})[ \t]+[A-Z][A-Za-z]+(?:[ \t]+[A-Za-z&-]+){0,5}[ \t]*$", re.MULTILINE
)
_CONTENTS_HEADING = re.compile(r"^\W*(?:table\s+of\s+)?contents\W*$", re.IGNORECASE)
# A line of a table of contents: "4\. Monetary Policy Mechanisms", "4.2 Feedback ..... 12".
_CONTENTS_LINE = re.compile(
    r"^\s*(?P<num>\d{1,3}(?:\\?\.\d{1,3})*)\\?\.?\s+(?P<title>[A-Za-z][^\n]{1,100}?)"
    r"(?:\s*\.{3,}\s*\d+|\s+\d{1,3})?\s*$",
    re.MULTILINE,
)


def _in_contents(doc: Doc, offset: int) -> bool:
    """Return True if ``offset`` lies in a table of contents (at any level of its path)."""
    section = doc.section_at(offset)
    while section is not None:
        if _CONTENTS_HEADING.match(section.heading):
            return True
        section = doc.section_by_id(section.parent_id) if section.parent_id else None
    return False


# A contents entry that ends in its page number: "7.2 Holiday Schedule 13".
_PAGED_ENTRY = re.compile(
    r"^\s*\d{1,3}(?:\\?\.\d{1,3})*\\?\.?\s+[A-Za-z][^\n]{0,100}?\s\d{1,3}\s*$"
)


def _contents_block(text: str) -> bool:
    """Return True for a block of three or more lines that are all paged contents entries.

    A contents list without a "Contents" heading (under the title) is still a contents list.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) >= 3 and all(_PAGED_ENTRY.match(line) for line in lines)


def _numbers_from_contents(doc: Doc) -> list[tuple[str, Section]]:
    """Return (number, section) pairs a table of contents gives for unnumbered headings.

    Documents exported with automatic heading numbers often print the numbers only in the
    table of contents ("4. Monetary Policy Mechanisms"), the heading in the body reading
    "Monetary Policy Mechanisms": "Section 4" refers to it.
    """
    pairs: list[tuple[str, Section]] = []
    for contents in (s for s in doc.sections if _CONTENTS_HEADING.match(s.heading)):
        by_title: dict[str, Section] = {}
        for s in doc.sections:
            if s.start > contents.start:
                by_title.setdefault(" ".join(s.heading.lower().split()), s)
        for m in _CONTENTS_LINE.finditer(doc.markdown, contents.start, contents.end):
            title = " ".join(m.group("title").lower().split())
            section = by_title.get(title)
            if section is not None and section.start >= contents.end:
                pairs.append((m.group("num").replace("\\", ""), section))
    return pairs


def _numbers_by_position(sections: Sequence[Section]) -> list[tuple[str, Section]]:
    """Return (number, section) pairs for headings numbered only by their position.

    A specification whose renderer numbers its headings ("Section 6.2" for the second part
    of the sixth, "## Liquidity Incentives" then "### Paying Liquidity Rewards") prints no
    numbers in the Markdown. Only when at most one of the top-level parts carries a number
    of its own are the parts counted: the top level is the shallowest with two parts or
    more (below a lone title), a table of contents is not counted, and each part's
    subparts are counted under it.
    """
    parts = [s for s in sections if not _CONTENTS_HEADING.match(s.heading)]
    levels = sorted({s.level for s in parts})
    top = next((lv for lv in levels if sum(s.level == lv for s in parts) >= 2), None)
    if top is None:
        return []
    tops = [s for s in parts if s.level == top]
    if sum(_NUMBER_PREFIX.match(s.heading) is not None for s in tops) > 1:
        return []
    pairs: list[tuple[str, Section]] = []
    counters: list[int] = []  # the position at each level from the top down
    for section in parts:
        if section.level < top:
            continue
        depth = section.level - top
        if depth > len(counters):
            continue  # a level skipped ("##" then "####"): no number of its own
        del counters[depth + 1 :]
        if depth == len(counters):
            counters.append(0)
        counters[depth] += 1
        pairs.append((".".join(map(str, counters[: depth + 1])), section))
    return pairs


# An HTML element with an id or a name in the Markdown: "<a id="ad" />", "<a name="x"></a>",
# "<span id='fees'>".
_HTML_ANCHOR = re.compile(
    r"<[a-zA-Z][\w-]*\s[^<>]*?\b(?:id|name)\s*=\s*[\"'](?P<id>[^\"'<>\s]+)[\"'][^<>]*>"
)


class _Resolver:
    def __init__(
        self, doc: Doc, tables: Sequence[Table], terms: Sequence[DefinedTerm] = ()
    ) -> None:
        self.doc = doc
        self.numbered: dict[str, list[Section]] = {}
        self.appendices: dict[str, str] = {}  # "A" -> the id of the heading "A Correctness ..."
        after_numbers = False
        for section in doc.sections:
            m = _NUMBER_PREFIX.match(section.heading)
            if m:
                after_numbers = True
                self.numbered.setdefault(m.group("num"), []).append(section)
                if m.group("num").endswith(".0"):  # "6.0 Defining Membership": "Section 6"
                    self.numbered.setdefault(m.group("num")[:-2], []).append(section)
                continue
            lettered = _LETTER_PREFIX.match(section.heading)
            if lettered:  # "C. Definition of the risk factors", "C.1 Definition of ..."
                self.numbered.setdefault(lettered.group("num"), []).append(section)
            appendix = _LETTER_TITLE.match(section.heading) if after_numbers else None
            if appendix:
                self.appendices.setdefault(appendix.group("num"), section.id)
        for number, section in _numbers_from_contents(doc):
            self.numbered.setdefault(number, [section])
        # Numbers by position only: a reference must name one exactly (no "5.4" read as
        # the part "5" when the fifth part has three subparts).
        self.counted = {
            number: section
            for number, section in _numbers_by_position(doc.sections)
            if number not in self.numbered
        }
        self.by_id = {s.id: s for s in doc.sections}
        # Anchors the Markdown sets in HTML ("<a id="ad" />", "<a name="twap"></a>"): a link
        # to one lands in the section that holds it.
        self.anchors: dict[str, str] = {}
        for m in _HTML_ANCHOR.finditer(doc.markdown) if "<" in doc.markdown else ():
            holder = doc.section_at(m.start())
            if holder is not None:
                self.anchors.setdefault(m.group("id"), holder.id)
        # Ids that may have been cut short, with their hyphens run together
        self._long_ids = {
            re.sub(r"-+", "-", s.id): s.id
            for s in doc.sections
            if len(s.id) >= SECTION_ID_LENGTH - 2
        }
        self.tables = tables
        # A heading with nothing under it cannot hold another document's content: "This
        # Methodology should be read in conjunction with the following document:" then a
        # line "Cboe Volatility Index Mathematics Methodology" a PDF set as a heading.
        held = [s for s in doc.sections if doc.markdown[s.start : s.end].strip().count("\n")]
        self.heading_words = [(s.id, _content_words(s.heading)) for s in held]
        self.headings_folded = [(s, " ".join(s.heading.lower().split())) for s in held]
        self.terms: dict[str, str] = {}
        for t in terms:
            for name in (t.term, *t.aliases):
                self.terms.setdefault(" ".join(name.lower().split()), t.definition)
        self.self_names = _self_declared(doc)
        self.block_leads = [
            (b.start, b.text.split("\n", 1)[0]) for b in doc.blocks if b.kind is not BlockKind.CODE
        ]

    # The three whole-document scans below serve only some references: each is made the
    # first time one needs it.
    @cached_property
    def cited(self) -> set[tuple[str, str]]:
        """Provisions cited from another text somewhere ("Article 15 of the BMR").

        "Article 15" alone elsewhere in the document is the same citation.
        """
        markdown = self.doc.markdown
        return {
            (m.group("kind").lower().rstrip("s"), m.group("target"))
            for m in _INTERNAL.finditer(markdown)
            if _CITED_TEXT.match(markdown[m.end() : m.end() + 80])
        }

    @cached_property
    def paragraphs(self) -> set[str]:
        """Numbers of numbered paragraphs ("10. The following ..."): "paragraph 10"."""
        return {m.group("num") for m in _NUMBERED_PARAGRAPH.finditer(self.doc.markdown)}

    @cached_property
    def numbered_lines(self) -> set[str]:
        """Numbers of headings left as plain lines (text from a PDF): "3.8. Corporate actions"."""
        return {
            m.group("num").replace("\\", "")
            for pattern in (_NUMBERED_TITLE_LINE, _BARE_NUMBER_TITLE_LINE)
            for m in pattern.finditer(self.doc.markdown)
        }

    def titled(self, title: str) -> str | None:
        """Return the part whose heading holds every word of ``title``, or a line opening with it.

        Words that only say what kind of text a part is ("rules", "procedures") may be left
        out of the heading: "the Contingency Rules section" is "7.9 Index Contingency".
        """
        words = _content_words(title) - _KIND_OF_TEXT
        if not words:
            return None
        for section in self.doc.sections:
            if words <= _content_words(section.heading):
                return section.id
        line = re.compile(rf"^[ \t#*_\d.]*{re.escape(title)}\b", re.MULTILINE | re.IGNORECASE)
        return f"line-{title.lower()}" if line.search(self.doc.markdown) else None

    def plain_label(self, kind: str, label: str) -> str | None:
        """Return a target for a part titled by a plain line: "Appendix 2 - Tables".

        Text from a PDF keeps a part's title as a short line of its own, not a heading; a
        line that is a sentence going on ("Appendix 1 for the detailed ...,") is no title.
        A sentence that says it is in the part ("this Appendix 1") shows the part is there.
        """
        line = re.compile(
            rf"^[ \t]*{re.escape(kind)}\s+{re.escape(label)}\b[^\n;]{{0,60}}(?<![.,;])$"
            # "For the purposes of this Appendix 1": the sentence is in that part
            rf"|\bthis\s+{re.escape(kind)}\s+{re.escape(label)}\b",
            re.MULTILINE | re.IGNORECASE,
        )
        return f"line-{kind.lower()}-{label}" if line.search(self.doc.markdown) else None

    def _top(self, section: Section | None) -> str | None:
        while section is not None and section.parent_id is not None:
            section = self.by_id.get(section.parent_id)
        return section.id if section else None

    def section(self, number: str, offset: int) -> str | None:
        number = re.sub(r"\(.*$", "", number).rstrip(".")
        if number in self.counted:
            return self.counted[number].id
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
        # A caption or part title the converter did not mark as a heading: a block that
        # starts with the label, then a title separator or nothing ("Table 1: Signals").
        lead = re.compile(
            rf"^\W{{0,3}}{word}\s+{re.escape(target)}(?:\s*(?:[:.\u2013\u2014-]|\(|$))",
            re.IGNORECASE,
        )
        for start, first_line in self.block_leads:
            if len(first_line) <= 160 and lead.match(first_line):
                section = self.doc.section_at(start)
                return section.id if section is not None else f"offset-{start}"
        # Or a caption line inside a block: the label, a separator and a title, no sentence.
        caption = re.compile(
            rf"^\W{{0,3}}{word}\s+{re.escape(target)}(?:\s*[:\u2013\u2014-]\s*[A-Z][^\n]{{0,110}}"
            rf"(?<![.,;])|\s*)$",
            re.IGNORECASE | re.MULTILINE,
        )
        found = caption.search(self.doc.markdown)
        if found is None:
            # A caption a two-column PDF ran into the text before it: "... the quotes.Table 1.
            # 1000 simulations with a small risk": a sentence's end, the label, a full stop.
            found = re.search(
                rf"(?<=[.!?])\s*{word}\s+{re.escape(target)}\.\s+(?=[A-Z0-9])",
                self.doc.markdown,
                re.IGNORECASE,
            )
        if found is not None:
            section = self.doc.section_at(found.start())
            return section.id if section is not None else f"offset-{found.start()}"
        return None

    def cut_id(self, folded: str) -> str | None:
        """Return the id of a long heading whose whole slug is ``folded`` (hyphens run together).

        GitHub keeps the whole slug of a long heading ("#11---trovemanager-can-make-troves-
        liquidatable-by-changing-the-batch-interest-rate"); a section id is cut short.
        """
        return next(
            (i for key, i in self._long_ids.items() if folded.startswith(key)), None
        )

    @cached_property
    def _heading_slugs(self) -> list[tuple[tuple[str, ...], str]]:
        """Each section's id as its words, a leading number dropped ("8---lst-oracle-risks")."""
        return [(_slug_words(s.id), s.id) for s in self.doc.sections]

    def renamed(self, folded: str) -> str | None:
        """Return the id of the heading a stale in-page anchor names, if one is unmistakable.

        A table of contents kept by hand falls behind its headings: "#9---lst-oracle-risks"
        after the issue was renumbered "8 - LST oracle risks", "#urgent-redemption-best-
        practice" after "Urgent" became "Shutdown", "#interest-rate-adjustments-redemption-
        evasion-mitigation" for the part now headed "Redemption evasion mitigation", "#overview"
        for "1 Overview", "#staking-proxy-contract" for "`StakingProxy` Contract" (the
        anchor split the name in code). The anchor and one heading end in the same three
        words, or are the same letters but for their number and hyphens; the part is there,
        only the link is stale. Two headings that fit make it no one's.
        """
        words = _slug_words(folded)
        if not words:
            return None
        letters = "".join(words)
        fits = {
            section_id
            for heading, section_id in self._heading_slugs
            if "".join(heading) == letters
            or (min(len(heading), len(words)) >= 3 and heading[-3:] == words[-3:])
        }
        return fits.pop() if len(fits) == 1 else None

    def named(self, name: str) -> str | None:
        folded = " ".join(name.lower().split())
        section = next((s for s, heading in self.headings_folded if folded in heading), None)
        if section is not None:
            return section.id
        declared = self.self_names.get(_content_words(name))
        if declared is not None:
            return declared
        if any(term.startswith(folded + " ") for term in self.terms):
            return "defined-term"  # "Signal Specification" of a defined "Signal Specification Set"
        definition = self.terms.get(folded)
        if definition is not None and _INSIDE.search(definition) and not _OUTSIDE_DOC.search(
            definition
        ):
            return "defined-term"
        words = _content_words(name)
        if len(words) >= 2:
            for section_id, heading in self.heading_words:
                if words <= heading:
                    return section_id
        return None


def _content_words(text: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return frozenset(w.rstrip("s") if len(w) > 3 else w for w in words if w not in _NAME_NOISE)


def _self_declared(doc: Doc) -> dict[frozenset[str], str]:
    """Names the file gives itself ("constitutes the X", '"X" means this'), to a section id.

    Names are keyed by their content words, so "Relevant Specifications Annex" and "the
    Relevant Specification Annex" are one name.
    """
    out: dict[frozenset[str], str] = {}
    text = doc.markdown
    for pattern in (_SELF_DECLARED, _MEANS_THIS):
        for m in pattern.finditer(text):
            name = " ".join(m.group("name").split()).strip(" .,;:\"\u201d")
            section = doc.section_at(m.start())
            out.setdefault(_content_words(name), section.id if section else "self")
    return out


def _internal(doc: Doc, block: Block, resolver: _Resolver) -> Iterator[CrossReference]:
    if not mentions(_folded(block.text), _INTERNAL_WORDS):
        return  # _INTERNAL cannot match
    if _in_contents(doc, block.start) or _contents_block(block.text):
        return  # "Holiday Schedule 28": a contents entry and its page, not a reference
    for m in _INTERNAL.finditer(block.text):
        word = (
            m.group("kind").lower().rstrip("s") if m.group("kind") != "\u00a7\u00a7" else "\u00a7"
        )
        kind = _KIND.get(word)
        if kind is None:
            continue
        target = m.group("target")
        if m.group("kind").islower() and _SENTENCE_AFTER.match(block.text, m.start("target") - 1):
            continue  # "Special rebalance schedule" ending a line, then "A Special Rebalance
            # may be triggered": the article opens the next sentence
        if target == "I" and m.group("kind").islower() and _PRONOUN_I.match(block.text, m.end()):
            continue  # "In the following paragraphs I provide ...": the writer, not a part
        start = block.start + m.start()
        cites_link = "://" in block.text[max(0, m.start() - 80) : m.start()].rsplit("\n", 1)[-1]
        cited = kind is ReferenceKind.SECTION and (
            _CITED_TEXT.match(block.text[m.end() : m.end() + 80]) is not None
            or (m.group("kind").lower().rstrip("s"), target) in resolver.cited
        )
        titled = _TITLED_PART_OF_DOC.match(block.text[m.end() : m.end() + 240])
        if titled is not None and resolver.named(titled.group("doc")) is None:
            # "section 1(a) Bracket Method of the Cboe Volatility Index Mathematics
            # Methodology": a part of that document, which is the dependency
            name = " ".join(titled.group("doc").split())
            doc_start = block.start + m.end() + titled.start("doc")
            yield CrossReference(
                text=name,
                kind=ReferenceKind.EXTERNAL,
                target=name,
                location=doc.location(doc_start, block.start + m.end() + titled.end("doc")),
            )
            cited = True
        if cites_link or cited:
            # "... /commodity/copper/ (Table 22: Copper ...)": a table of the linked source
            yield CrossReference(
                text=m.group(0),
                kind=ReferenceKind.CITATION,
                target=m.group(0),
                location=doc.location(start, block.start + m.end()),
            )
            continue
        part = _singular_kind(m.group("kind"))  # "Appendices 1": Appendix 1
        before = block.text[max(0, m.start() - 12) : m.start()]
        if re.search(r"\b(?:this|the\s+present)\s+$", before, re.IGNORECASE):
            # "this Section C": the sentence is in the part it names.
            here = doc.section_at(start)
            yield CrossReference(
                text=m.group(0),
                kind=kind,
                target=f"{part.title()} {target}",
                location=doc.location(start, block.start + m.end()),
                resolved=True,
                resolved_to=here.id if here else "self",
            )
            continue
        if kind is ReferenceKind.SECTION:
            resolved_to = (
                resolver.section(target, start)
                if target[0].isdigit()
                else resolver.labelled(part, target)
                or resolver.section(target, start)  # "Section C" of a heading "C. ..."
            )
            if resolved_to is None and target[0].isdigit():
                plain = re.sub(r"\(.*$", "", target).rstrip(".")
                if plain in resolver.numbered_lines:
                    resolved_to = f"line-{plain}"  # "3.8. Corporate actions", unmarked
            if resolved_to is None and word == "paragraph":
                number = re.match(r"\d+", target)
                if number and number.group(0) in resolver.paragraphs:
                    resolved_to = f"paragraph-{number.group(0)}"
        else:
            resolved_to = resolver.labelled(part, target)
            if resolved_to is None and kind is ReferenceKind.APPENDIX:
                for other in ("Appendix", "Annex", "Schedule"):
                    resolved_to = resolved_to or resolver.labelled(other, target)
                resolved_to = resolved_to or resolver.appendices.get(target)
                if resolved_to is None and _SUB_PART.fullmatch(target):
                    # "Appendix A.1" of a paper whose appendix "A Cryptographic sortition"
                    # holds "A.1 Elements of ..." as a plain line: the part is there
                    resolved_to = resolver.appendices.get(target.split(".", 1)[0]) or (
                        f"line-{target}" if target in resolver.numbered_lines else None
                    )
                if resolved_to is None and target.isdigit():
                    # "appendix 7" of a paper whose section "7 Appendix B: Examples" is one
                    resolved_to = next(
                        (sec.id for sec in resolver.numbered.get(target, [])
                         if re.search(r"\b(?:appendix|annex)\b", sec.heading, re.IGNORECASE)),
                        None,
                    )
            resolved_to = resolved_to or resolver.plain_label(part, target)
        yield CrossReference(
            text=m.group(0),
            kind=kind,
            target=f"{part.title()} {target}",
            location=doc.location(start, block.start + m.end()),
            resolved=resolved_to is not None,
            resolved_to=resolved_to,
        )


# A part of this document named by its title: "as articulated in the Contingency Rules
# section", "see the Security Considerations section" (not "the Overview section of the
# Goldman Sachs ... Methodology", "the Technical Guides section of the docs": another text's).
_NAMED_PART = re.compile(
    r"\b(?:in|under|see|per|to|of|from)\s+the\s+"
    r"(?P<title>(?:[A-Z][\w&'\u2019-]*\s+){0,4}[A-Z][\w&'\u2019-]*)\s+(?:section|chapter)\b"
    r"(?!\s+(?:of|in)\s+(?!this\b|these\b))"
)
# Words that say what kind of text a part is, not what it is about.
_KIND_OF_TEXT = frozenset(
    ["rule", "procedure", "policy", "policie", "provision", "requirement", "guideline",
     "process", "detail", "information"]
)
# Titles that point by position, not by name: "the Following section".
_POSITIONAL = frozenset(["this", "next", "previous", "following", "preceding", "above", "below",
                         "same", "last", "first", "second", "third", "final", "later"])


def _named_parts(doc: Doc, block: Block, resolver: _Resolver) -> Iterator[CrossReference]:
    """Yield the parts of this document the text names by title ("the Contingency Rules section").

    A part resolves when a heading holds every word of its title, or, in text from a PDF
    whose headings were left as lines, when a line opens with the title.
    """
    if "ection" not in block.text and "hapter" not in block.text:
        return  # _NAMED_PART cannot match
    for m in _NAMED_PART.finditer(block.text):
        title = " ".join(m.group("title").split())
        if title.split()[0].lower() in _POSITIONAL:
            continue
        if "](" in block.text[m.end() : m.end() + 3] or "[" in block.text[m.start() : m.end()]:
            continue  # a link's text: the link check reads where it goes
        start = block.start + m.start("title")
        yield CrossReference(
            text=m.group(0),
            kind=ReferenceKind.SECTION,
            target=f"the {title} section",
            location=doc.location(start, block.start + m.end()),
            resolved=(resolved_to := resolver.titled(title)) is not None,
            resolved_to=resolved_to,
        )


def _slug_words(slug: str) -> tuple[str, ...]:
    """Return the words of a heading's slug, without a leading section number."""
    words = [w for w in re.split(r"[-_.]+", slug.lower()) if w]
    while words and words[0].isdigit():
        words.pop(0)
    return tuple(words)


def _external(doc: Doc, block: Block, resolver: _Resolver) -> Iterator[CrossReference]:
    text = block.text
    link_spans: list[tuple[int, int]] = []
    for m in _LINK.finditer(text) if "](" in text else ():
        link_spans.append((m.start(), m.end()))
        href = m.group("href")
        start = block.start + m.start()
        location = doc.location(start, block.start + m.end())
        if href.startswith("#__"):
            continue  # "[Skip to main content](#__docusaurus_skipToContent_fallback)": a
            # site generator's own anchor, copied with the page, not a part of the document
        if href.startswith("#"):
            target = href[1:]
            if target not in resolver.by_id:
                # "[DEMA](#DEMA)": GitHub's anchors ignore case; "#buytrader-price-amount--sell":
                # GitHub keeps a hyphen per space and underscores, section ids run them together.
                folded = re.sub(r"[-_]+", "-", target.lower()).strip("-")
                # "#reconstitution-1": a table of contents numbered the repeats of a heading
                # differently (or the copy dropped one); the heading it names is there.
                unnumbered = re.sub(r"-\d{1,2}$", "", folded)
                # "#1.2-parent-index": a site generator that keeps the dots of a section
                # number; GitHub's id of "1.2. Parent Index" drops them
                undotted = folded.replace(".", "")
                target = next((t for t in (target.lower(), folded, unnumbered, undotted)
                               if t in resolver.by_id),
                              resolver.cut_id(folded) or resolver.renamed(folded) or target)
            # (else a link to an anchor set in HTML: the section that holds it)
            landing = target if target in resolver.by_id else resolver.anchors.get(href[1:])
            yield CrossReference(
                m.group(0), ReferenceKind.SECTION, target, location, landing is not None,
                landing,
            )  # fmt: skip
        else:
            yield CrossReference(m.group(0), ReferenceKind.EXTERNAL, href, location)
    for m in _URL.finditer(text) if "://" in text else ():
        if any(a <= m.start() < b for a, b in link_spans):
            continue
        url = m.group(0).rstrip(".,;:")
        start = block.start + m.start()
        yield CrossReference(
            url, ReferenceKind.EXTERNAL, url, doc.location(start, start + len(url))
        )
    if not mentions(text, _DOC_NOUN_WORDS):
        return  # _EXTERNAL_DOC cannot match
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


def extract_references(
    doc: Doc, tables: Sequence[Table] = (), terms: Sequence[DefinedTerm] = ()
) -> tuple[CrossReference, ...]:
    """Return cross-references in document order, each resolved where possible.

    ``terms`` (the document's defined terms) let a name the document defines resolve as
    one of its own concepts rather than another document.
    """
    resolver = _Resolver(doc, tables, terms)
    found: list[CrossReference] = []
    for block in doc.blocks:
        if block.kind in (BlockKind.PARAGRAPH, BlockKind.TABLE):
            found.extend(_internal(doc, block, resolver))
            found.extend(_named_parts(doc, block, resolver))
            found.extend(_external(doc, block, resolver))
    return tuple(sorted(found, key=lambda r: r.location.start))
