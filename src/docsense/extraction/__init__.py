r"""Semantic IR extraction: terms, parameters, formulas, tables and references.

:func:`extract_ir` is pure and fast: it reads the Markdown a converter produced (plus its
sections and source anchors) and returns a :class:`~docsense.domain.ir.SemanticIR` whose
every item carries its :class:`~docsense.domain.ir.Location`. The extractors use general
drafting patterns (quoted definitions, ``means``, ``where`` clauses, ``Name = expression``,
``Section 3.2``), never phrases of a particular document.

>>> ir = extract_ir('# Rules\n\nThe "Cap" means 10% of the index.\n\nW = Cap / N\n')
>>> [t.term for t in ir.terms], [f.text for f in ir.formulas], ir.formulas[0].undefined_variables
(['Cap'], ['W = Cap / N'], ('N',))

Modules: :mod:`.terms`, :mod:`.parameters`, :mod:`.formulas`, :mod:`.tables`,
:mod:`.references`, :mod:`.validate`.
"""

from __future__ import annotations

from collections.abc import Sequence

from docsense.domain.ir import Section, SemanticIR, SourceAnchor
from docsense.extraction._text import Doc, heading_sections
from docsense.extraction.formulas import extract_formulas
from docsense.extraction.parameters import extract_parameters
from docsense.extraction.references import extract_references
from docsense.extraction.tables import extract_tables
from docsense.extraction.terms import extract_terms
from docsense.extraction.validate import (
    bind_variables,
    counted_symbols,
    described_quantities,
    linked_terms,
    named_in_code,
    symbols_named_in_prose,
    tabulated_quantities,
    validate,
)

__all__ = ["extract_ir"]


def extract_ir(
    markdown: str,
    sections: Sequence[Section] | None = None,
    anchors: Sequence[SourceAnchor] = (),
) -> SemanticIR:
    """Extract the semantic IR of ``markdown``.

    ``sections`` should be the converter's (they carry provenance); when None they are
    derived from the Markdown's ATX headings. ``anchors`` map offsets to pages/paragraphs.
    """
    if sections is None:
        sections = heading_sections(markdown)
    doc = Doc(markdown, sections, anchors)
    terms = extract_terms(doc)
    parameters = extract_parameters(doc)
    tables = extract_tables(doc)
    formulas = extract_formulas(doc)
    formulas = bind_variables(
        formulas, terms, parameters, sections,
        [
            *linked_terms(doc),
            *described_quantities(doc, formulas),
            *symbols_named_in_prose(doc, formulas),
            *named_in_code(doc, formulas),
            *counted_symbols(doc, formulas),
            *tabulated_quantities(tables, formulas),
        ],
    )
    references = extract_references(doc, tables, terms)
    issues = validate(doc, terms, formulas, references)
    return SemanticIR(
        sections=tuple(sections),
        terms=terms,
        parameters=parameters,
        formulas=formulas,
        tables=tables,
        references=references,
        issues=issues,
    )
