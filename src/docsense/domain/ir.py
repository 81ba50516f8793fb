"""The semantic IR of a document: sections, terms, parameters, formulas, tables, references.

Every item carries a :class:`Location` (character span in the document's Markdown, section id,
and page or paragraph provenance). The IR is stored in the Document's ``DocumentConverted``
event, so its shape is part of the event schema: serialise it with
:func:`docsense.domain.codec.unstructure` (schema name :data:`IR_SCHEMA`) and change it only
together with an upcaster. Field types are limited to JSON-friendly ones (str, int, float,
bool, None, StrEnum, tuples and nested attrs classes) so the generic codec round-trips them:
``structure(unstructure(ir), SemanticIR) == ir``.

>>> from docsense.domain.codec import structure, unstructure
>>> ir = SemanticIR(terms=(DefinedTerm("Index", "the index", Location(0, 5)),))
>>> structure(unstructure(ir), SemanticIR) == ir
True
"""

from __future__ import annotations

from enum import StrEnum

import attrs

__all__ = [
    "IR_SCHEMA",
    "SECTION_ID_LENGTH",
    "CrossReference",
    "DefinedTerm",
    "Formula",
    "FormulaVariable",
    "IRIssue",
    "IssueKind",
    "Location",
    "Parameter",
    "ReferenceKind",
    "Section",
    "SemanticIR",
    "SourceAnchor",
    "Table",
    "TermSource",
    "front_matter_end",
]

IR_SCHEMA = "docsense.ir/1"
#: The longest section id: a heading's slug is cut to this many characters.
SECTION_ID_LENGTH = 80


@attrs.frozen
class Location:
    """Where something is: a character span of the Markdown, its section and provenance."""

    start: int
    end: int
    section_id: str | None = None
    page: int | None = None
    paragraph: int | None = None


@attrs.frozen
class SourceAnchor:
    """Maps Markdown from ``start`` onwards back to a PDF page (1-based) or DOCX paragraph.

    A converter emits one anchor per page or body paragraph, in increasing ``start`` order;
    the provenance of any offset is that of the last anchor at or before it.
    """

    start: int
    page: int | None = None
    paragraph: int | None = None


@attrs.frozen
class Section:
    """One heading and the text under it, up to the next heading of the same or higher level.

    ``start``/``end`` are character offsets into the Markdown (end exclusive, covering the
    heading line and the body, subsections included). ``page`` (PDF, 1-based) or
    ``paragraph`` (DOCX, 0-based body index) tells where the heading came from in the source
    file. ``id`` is a slug of the heading (at most :data:`SECTION_ID_LENGTH` characters),
    unique within the document.
    """

    id: str
    heading: str
    level: int
    start: int
    end: int
    parent_id: str | None = None
    page: int | None = None
    paragraph: int | None = None


class TermSource(StrEnum):
    """The language pattern a defined term was recognised by."""

    QUOTED = "quoted"  # ... (the "Index"), "Index" means ...
    MEANS = "means"  # Index means / is defined as / refers to ...
    GLOSSARY = "glossary"  # "- Term: definition" or a Term | Definition table
    WHERE = "where"  # where X is ... / Where: - X = ...
    ACRONYM = "acronym"  # net asset value (NAV)


@attrs.frozen
class DefinedTerm:
    """A term the document defines, with its aliases and where it is defined."""

    term: str
    definition: str
    location: Location
    aliases: tuple[str, ...] = ()
    source: TermSource = TermSource.MEANS


@attrs.frozen
class Parameter:
    """A named parameter with its value and unit as written (and as a number when it is one)."""

    name: str
    value: str
    location: Location
    unit: str | None = None
    numeric: float | None = None


@attrs.frozen
class FormulaVariable:
    """A variable of a formula and where the document defines it (``None``: nowhere)."""

    name: str
    defined_at: Location | None = None
    # "term", "formula", "parameter", "where", "heading", "index", "link" (a linked page, or
    # prose that says what it is: a description, a code name, a count "the N companies") or
    # "product" (letters side by side in maths, each a defined symbol: "ab" is a times b)
    defined_by: str | None = None


@attrs.frozen
class Formula:
    """A formula, its variables, and which of them the document defines.

    ``notation`` is ``"latex"`` (from Word equations or ``$...$`` maths) or ``"plain"``.
    ``name`` is the left-hand side when the formula is an assignment (``X = ...``).
    """

    text: str
    location: Location
    notation: str = "plain"
    name: str | None = None
    variables: tuple[FormulaVariable, ...] = ()
    undefined_variables: tuple[str, ...] = ()


@attrs.frozen
class Table:
    """A table in place: its header row, body rows and caption if any."""

    id: str
    location: Location
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    caption: str | None = None


class ReferenceKind(StrEnum):
    """What a cross-reference points at."""

    SECTION = "section"
    TABLE = "table"
    APPENDIX = "appendix"
    EXHIBIT = "exhibit"
    EXTERNAL = "external"
    #: A provision of another text cited by number: "Section 871(m) of the Code".
    CITATION = "citation"


@attrs.frozen
class CrossReference:
    """A reference in the text and whether it resolves inside the document.

    External references (other documents, URLs) never resolve inside the document:
    ``resolved`` is False and no issue is raised for them; reviewers decide whether the
    dependency is acceptable.
    """

    text: str
    kind: ReferenceKind
    target: str
    location: Location
    resolved: bool = False
    resolved_to: str | None = None


class IssueKind(StrEnum):
    """The defects IR validation reports."""

    UNDEFINED_VARIABLE = "undefined_variable"
    UNRESOLVED_REFERENCE = "unresolved_reference"
    TERM_USED_BEFORE_DEFINITION = "term_used_before_definition"
    DUPLICATE_DEFINITION = "duplicate_definition"


@attrs.frozen
class IRIssue:
    """A defect the extractor found: an undefined formula variable, an unresolved reference."""

    kind: IssueKind
    message: str
    location: Location
    subject: str | None = None


@attrs.frozen
class SemanticIR:
    """Everything extracted from one document version."""

    sections: tuple[Section, ...] = ()
    terms: tuple[DefinedTerm, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    formulas: tuple[Formula, ...] = ()
    tables: tuple[Table, ...] = ()
    references: tuple[CrossReference, ...] = ()
    issues: tuple[IRIssue, ...] = ()
    schema: str = IR_SCHEMA


def front_matter_end(markdown: str) -> int:
    r"""Return the offset after a leading YAML front-matter block (``---`` ... ``---``), or 0.

    Front matter is metadata about a Markdown document (title, author, dates), not its text:
    extraction and checks start reading after it.

    >>> front_matter_end("---\ntitle: X\n---\nBody")
    17
    """
    if not markdown.startswith("---\n"):
        return 0
    end = markdown.find("\n---\n", 3)
    if end < 0 or end > 10_000:
        return 0
    return end + 5
