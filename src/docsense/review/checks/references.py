"""References: appendices, sections and tables that are not in the document; other documents.

Both checks read the IR's cross-references (the extractor resolves internal ones):

- ``unresolved_references``: a reference to an appendix, exhibit, section or table that does
  not resolve inside the document.
- ``external_documents``: a reference to another document (a manual, an agreement, a
  framework) that the method depends on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from docsense.domain.findings import Category
from docsense.domain.ir import CrossReference, ReferenceKind
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit

__all__ = ["external_documents", "unresolved_references"]

_URL = re.compile(r"(?:https?|ftp)://|www\.", re.IGNORECASE)


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
        ctx, lambda ref: not ref.resolved and ref.kind is not ReferenceKind.EXTERNAL
    )
    for ref, span in missing:
        yield CheckHit(
            start=span[0],
            end=span[1],
            title=f"{ref.target or ref.text} is referenced but not included",
            description=f"The document refers to {ref.text!r}, which is not part of it, so "
            "the method cannot be implemented from this document alone.",
            suggested_fix=f"Include {ref.target or ref.text} in the document, or replace the "
            "reference by its content.",
            category=Category.MISSING_REFERENCE,
            confidence=0.9,
        )


def external_documents(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report other documents the method depends on."""
    # A URL identifies its source; the data-source checks judge it.
    external = _located(
        ctx, lambda ref: ref.kind is ReferenceKind.EXTERNAL and not _URL.match(ref.text.strip())
    )
    for ref, span in external:
        yield CheckHit(
            start=span[0],
            end=span[1],
            title=f"Depends on an external document: {ref.target or ref.text}",
            description="Part of the method is defined in another document, so this one is "
            "not self-contained.",
            suggested_fix="Bring the rules this document relies on into it, or attach the "
            "referenced document with its version.",
            category=Category.EXTERNAL_DEPENDENCY,
            confidence=0.75,
        )
