"""References: appendices, sections and tables that are not in the document; other documents.

Both checks read the IR's cross-references (the extractor resolves internal ones):

- ``unresolved_references``: a reference to an appendix, exhibit, section or table that does
  not resolve inside the document, and a link whose target was never filled in
  (``[Link to the documentation]()``).
- ``external_documents``: a reference to another document (a manual, an agreement, a
  framework) that the method depends on.

``summarised_elsewhere`` reads the text: a part that says it only summarises rules kept in
a document available on request ("necessarily incomplete ... qualified in its entirety by
the more detailed methodology documents ... available upon request").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from docsense.domain.findings import Category, Severity
from docsense.domain.ir import CrossReference, ReferenceKind
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit, mentions, singular_phrase

__all__ = ["external_documents", "summarised_elsewhere", "unresolved_references"]

_URL = re.compile(r"(?:https?|ftp)://|www\.", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]+)\]\(")
# A Markdown link (not an image) whose target is empty: a template left unfilled. ("(#)" is
# an internal reference to nothing, which the extractor already reports unresolved.)
_EMPTY_LINK = re.compile(r"(?<![!\\\]])\[([^\[\]\n]{1,200})\]\(\s*\)")
# Wording that makes the method rest on what follows.
_RELIES_ON = re.compile(
    r"\b(?:described|defined|set\s+out|specified|detailed|contained|calculated|determined)\s+"
    r"(?:in|at|on|by)\s*(?:the\s+)?$"
    r"|\b(?:according\s+to|in\s+accordance\s+with|pursuant\s+to|as\s+per)\s*(?:the\s+)?$"
    r"|\bmethodology\b[^.]{0,60}\b(?:found|available|published)\s+(?:at|on|in)\s*(?:the\s+)?$",
    re.IGNORECASE,
)


def _span(ctx: CheckContext, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Return the reference's span, checked against the Markdown (the IR may be stale)."""
    if 0 <= start < end <= len(ctx.markdown) and ctx.markdown[start:end] == text:
        return start, end
    at = ctx.markdown.find(text)
    return (at, at + len(text)) if at >= 0 and text else None


def _located(
    ctx: CheckContext, wanted: Callable[[CrossReference], bool]
) -> Iterator[tuple[CrossReference, tuple[int, int]]]:
    """Yield each wanted reference found in the Markdown, once per span."""
    seen: set[tuple[int, int]] = set()
    for ref in ctx.ir.references:
        if not wanted(ref):
            continue
        span = _span(ctx, ref.text, ref.location.start, ref.location.end)
        if span is None or span in seen:
            continue
        seen.add(span)
        yield ref, span


def unresolved_references(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report references to parts of the document that are not there."""
    missing = _located(
        ctx,
        lambda ref: not ref.resolved
        and ref.kind not in (ReferenceKind.EXTERNAL, ReferenceKind.CITATION),
    )
    for ref, span in missing:
        yield CheckHit(
            start=span[0],
            end=span[1],
            title=f"Referenced but not included: {ref.target or ref.text}",
            description=f"The document refers to {ref.text!r}, which is not part of it, so "
            "the method cannot be implemented from this document alone.",
            suggested_fix=f"Include {ref.target or ref.text} in the document, or replace the "
            "reference by its content.",
            category=Category.MISSING_REFERENCE,
            confidence=0.9,
            subject=(ref.target or ref.text).lower(),
        )
    for m in ctx.finditer_body(_EMPTY_LINK):
        text = " ".join(m.group(1).split())
        yield CheckHit(
            start=m.start(),
            end=m.end(),
            title=f"Link with no target: '{text}'",
            description=f"The document sends the reader to '{text}', but the link leads "
            "nowhere: what it stands for is neither here nor identified.",
            suggested_fix="Fill in the link's target (a versioned address), include the "
            "content it stands for, or remove it.",
            category=Category.MISSING_REFERENCE,
            confidence=0.9,
            subject=f"empty link: {text.lower()}",
        )


def external_documents(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report other documents the method depends on: one finding per document named.

    A hyperlink is a citation, not a dependency: a link (or bare URL) counts only when the
    sentence makes the method rest on it ("as set out in [the guide](...)", "the full
    methodology can be found at ..."). Named documents the file does not contain count
    wherever they are relied on; each place is an occurrence of that document's finding.
    """
    located = list(_located(ctx, lambda ref: ref.kind is ReferenceKind.EXTERNAL))
    documents = [(ref, span) for ref, span in located if not _is_link(ref)]
    full_names = _full_names([_document_name(ref) for ref, _ in documents])
    names = [  # the documents a link's address may spell
        full_names.get(_document_name(ref), _document_name(ref))
        for ref, _ in documents
        if not ref.resolved
    ]
    linked = _linked_documents(ctx, located, documents, full_names, names)
    for ref, span in located:
        if ref.resolved or ctx.informative_at(span[0]):
            continue
        is_link = _is_link(ref)
        if is_link and not _RELIES_ON.search(ctx.markdown[max(0, span[0] - 90) : span[0]]):
            continue
        if is_link and _name_before(span, documents) is not None:
            continue  # "the S&P GSCI Methodology available at http://...": the name says it
        name = full_names.get(_document_name(ref), _document_name(ref))
        named_too = False  # a link to a document the text also names
        if is_link:  # ".../methodology-sp-gsci.pdf": the address of a document named elsewhere
            by_address = _named_by_address(name, names)
            named_too = by_address is not None
            name = by_address or name
        if _LEGISLATION.match(ctx.markdown, span[1]) and _LAW_NOUN.search(name):
            continue  # "the Benchmarks Regulation (EU) 2016/1011": a law, cited by number
        # A document the text links to is identified, if not versioned or included: the
        # reader can fetch it, so it weighs less than one known only by its name.
        identified = is_link or name in linked
        yield CheckHit(
            start=span[0],
            end=span[1],
            # A link and a document named in the text are two readings: calibration
            # measures each apart (links are cited more often than relied on).
            title=(f"Depends on a linked document: {name}" if is_link and not named_too
                   else f"Depends on an external document: {name}"),
            description=(
                "Part of the method is defined in another document, so this one is not "
                "self-contained."
                + (" The document is identified (linked, or listed among the documents this "
                   "one is read with), but it is not included and no version is given."
                   if identified else "")
            ),
            suggested_fix="Bring the rules this document relies on into it, or attach the "
            "referenced document with its version.",
            category=Category.EXTERNAL_DEPENDENCY,
            severity=Severity.MEDIUM if identified else None,
            confidence=0.6 if is_link else 0.75,
            subject=singular_phrase(name),
        )


# A section that lists the documents the method is read with: "Supporting Documents",
# "Related documents", "Other Documents", "References".
_DOCUMENT_LIST_HEADING = re.compile(
    r"\b(?:supporting|related|reference|other|companion|associated)\s+(?:documents?|"
    r"documentation|policies)\b|^\W*(?:\d+(?:\.\d+)*\.?\s+)?references\W*$",
    re.IGNORECASE,
)


def _linked_documents(
    ctx: CheckContext,
    located: list[tuple[CrossReference, tuple[int, int]]],
    documents: list[tuple[CrossReference, tuple[int, int]]],
    full_names: dict[str, str],
    names: list[str],
) -> set[str]:
    """Return the names of the documents the text links to or lists as its companions.

    A link's text ("[Float Adjustment Methodology](https://...)"), the name just before a
    link or an address ("the S&P GSCI Methodology available at http://..."), the name an
    address spells (".../methodology-sp-gsci.pdf") and a name in a section listing the
    documents the method is read with ("Supporting Documents", whose links a PDF's text
    does not keep) are identified documents.
    """
    linked: set[str] = set()
    listing = " ".join(
        " ".join(ctx.markdown[sec.start : sec.end].split()).casefold()
        for sec in ctx.sections
        if _DOCUMENT_LIST_HEADING.search(sec.heading)
    )
    if listing:  # the names in such a section, even where a line break splits them
        for ref, _ in documents:
            name = full_names.get(_document_name(ref), _document_name(ref))
            if " ".join(name.split()).casefold() in listing:
                linked.add(name)
    for ref, span in located:
        if not _is_link(ref):
            continue
        text = _document_name(ref)
        if _LINK.match(ref.text.strip()):
            linked.add(full_names.get(text, text))
        before = _name_before(span, documents)
        if before is not None:
            named = _document_name(before)
            linked.add(full_names.get(named, named))
        by_address = _named_by_address(text, names)
        if by_address is not None:
            linked.add(by_address)
    return linked


def _name_before(
    span: tuple[int, int], documents: list[tuple[CrossReference, tuple[int, int]]]
) -> CrossReference | None:
    """Return the document named just before ``span`` (within 200 characters), if any.

    "the S&P GSCI Methodology available at http://...": the link gives the address of the
    document the name before it names.
    """
    before = [(span[0] - end, ref) for ref, (_, end) in documents if 0 < span[0] - end < 200]
    return min(before, key=lambda pair: pair[0])[1] if before else None


def _words_of(text: str) -> set[str]:
    """Return the words of a name or an address, folded ("S&P GSCI" -> {"sp", "gsci"})."""
    return {w for w in re.split(r"[^a-z0-9]+", text.lower().replace("&", "")) if len(w) > 1}


def _named_by_address(address: str, names: list[str]) -> str | None:
    """Return the document named elsewhere whose words the address's file name spells.

    "http://.../methodologies/methodology-sp-gsci.pdf" is the "S&P GSCI Index Methodology"
    the text names: one document, so one finding, with the link as one more place.
    """
    stem = address.rstrip("/").rsplit("/", 1)[-1]
    stem = re.sub(r"\.(?:pdf|html?|docx?|aspx|php)$", "", stem, flags=re.IGNORECASE)
    words = _words_of(stem)
    if len(words) < 2:
        return None
    found = [n for n in dict.fromkeys(names) if words <= _words_of(n)]
    return found[0] if len(found) == 1 else None


def _full_names(names: list[str]) -> dict[str, str]:
    """Map a short name to the fuller one the document also uses for the same document.

    "the Policy Methodology" after "the CoinDesk Indices Policy Methodology": one document,
    so one finding, named in full. A short name of one word ("Methodology") maps to nothing.
    """
    distinct = sorted(set(names), key=len, reverse=True)
    found: dict[str, str] = {}
    for short in distinct:
        if len(short.split()) < 2:
            continue
        longer = [n for n in distinct if len(n) > len(short) and n.endswith(" " + short)]
        if len(longer) == 1:  # two fuller names ending alike: which one is meant is unclear
            found[short] = longer[0]
    return found


# A law cited by its official number or year: "Regulation (EU) 2016/1011", "Directive
# 2014/65/EU", "Regulation (EU) No 596/2014", "the Securities Act of 1933". Public law, not a
# document the method's owner could attach or bring in.
_LAW_NOUN = re.compile(r"\b(?:Regulations?|Directive|Act|Code)$")
_LEGISLATION = re.compile(
    r"\s*(?:\((?:EU|EC|EEC)\)\s*(?:No\.?\s*)?\d{2,4}/\d{2,4}|(?:No\.?\s*)?\d{2,4}/\d{2,4}"
    r"(?:/(?:EU|EC|EEC))?|of\s+(?:19|20)\d{2}\b)"
)


def _is_link(ref: CrossReference) -> bool:
    return bool(_URL.match(ref.text.strip()) or _LINK.match(ref.text.strip()))


def _document_name(ref: CrossReference) -> str:
    link = _LINK.match(ref.text.strip())
    if link is not None:
        return link.group(1).strip()
    return ref.target or ref.text


# The part says it is a summary of rules stated in full elsewhere ...
_SUMMARY_ONLY = re.compile(
    r"\b(?:necessarily\s+incomplete|only\s+a\s+summary|(?:is|are)\s+(?:a\s+)?(?:high-level\s+)?"
    r"summar(?:y|ies)\s+(?:only|of)|qualified\s+in\s+(?:its|their)\s+entirety\s+by|not\s+"
    r"(?:a\s+)?(?:complete|exhaustive|full)\s+(?:description|statement|summary))",
    re.IGNORECASE,
)
# ... that a reader cannot get from the document or a public source.
_ON_REQUEST = re.compile(
    r"\b(?:available\s+(?:up)?on\s+request|(?:up)?on\s+request\s+from|not\s+(?:publicly\s+)?"
    r"(?:available|published)|available\s+(?:only\s+)?to\s+(?:licensees|clients|subscribers)|"
    r"proprietary\s+(?:methodology|rulebook|documents?))\b",
    re.IGNORECASE,
)

# Literal prefilters (see base.mentions): every match of _SUMMARY_ONLY contains one of the
# first words, every match of _ON_REQUEST one of the second.
_SUMMARY_WORDS = ("complete", "summar", "entirety", "exhaustive", "full")
_REQUEST_WORDS = ("request", "available", "published", "proprietary")


def summarised_elsewhere(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report parts that only summarise rules kept in a document available on request.

    One finding per statement, quoting the sentence that says so (the same boilerplate
    repeated under several parts is one finding with a place in each): the summary cannot
    be implemented, and the rules it stands for cannot be reviewed.
    """
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if not (mentions(low, _SUMMARY_WORDS) and mentions(low, _REQUEST_WORDS)):
            continue  # one of the two patterns cannot match
        if not (_SUMMARY_ONLY.search(unit.text) and _ON_REQUEST.search(unit.text)):
            continue
        yield CheckHit(
            start=unit.start,
            end=unit.end,
            title="Rules only summarised; the full rules are available on request",
            description="This part says it is an incomplete summary of rules set out in "
            "other documents that are only available on request, so the method it describes "
            "cannot be implemented or reviewed from this document.",
            suggested_fix="Attach the full rules (with their version), or name the documents, "
            "their versions and how a reader obtains them, and state which prevails.",
            category=Category.EXTERNAL_DEPENDENCY,
            confidence=0.8,
            # The same sentence repeated under several parts is one statement, one finding
            subject=" ".join(unit.text.lower().split())[:80],
        )
