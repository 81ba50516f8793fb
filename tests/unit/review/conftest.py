"""Helpers for the review tests: run one IR check over a small Markdown document."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from docsense.domain.ir import SemanticIR
from docsense.domain.policies import Check, CheckKind
from docsense.extraction import extract_ir
from docsense.review.checks.base import CheckContext
from docsense.review.checks.registry import default_registry

RunCheck = Callable[..., list[str]]


def context(markdown: str, *, with_ir: bool = False) -> CheckContext:
    """A check context; sections and IR come from the real extractor when asked."""
    if with_ir:
        from docsense.adapters.convert import convert_document

        doc = convert_document(markdown.encode(), "doc.md")
        return CheckContext(doc.markdown, doc.sections, extract_ir(doc.markdown, doc.sections))
    return CheckContext(markdown, (), SemanticIR())


@pytest.fixture
def run_check() -> RunCheck:
    """Run the IR check ``name`` over ``markdown``; return the quoted texts."""

    def run(name: str, markdown: str, *, with_ir: bool = False) -> list[str]:
        ctx = context(markdown, with_ir=with_ir)
        hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": name}))
        return [ctx.markdown[h.start : h.end] for h in hits if not h.absent]

    return run


def undefined_variables(markdown: str) -> list[str]:
    """Return what each undefined-variable finding on ``markdown`` names (after its colon)."""
    ctx = context(markdown, with_ir=True)
    hits = default_registry().run(
        ctx, Check(CheckKind.IR, {"check": "formula_undefined_variables"})
    )
    return [h.title.split(": ", 1)[1] for h in hits]


def check_quotes(name: str, markdown: str) -> list[str]:
    """Return the text each hit of the IR check ``name`` covers in ``markdown`` (real IR)."""
    ctx = context(markdown, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": name}))
    return [ctx.markdown[h.start : h.end] for h in hits]
