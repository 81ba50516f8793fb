"""Shared fixtures for the domain unit tests: a deterministic context and ready aggregates."""

from __future__ import annotations

import pytest

from docsense.domain.documents import Document
from docsense.domain.events import CommandContext
from docsense.domain.ir import Section, SemanticIR
from docsense.testing.strategies import deterministic_context

SHA_A = "a" * 64
MARKDOWN = "# Index rules\n\nThe index is capped at X per constituent.\n"


@pytest.fixture
def ctx() -> CommandContext:
    return deterministic_context()


@pytest.fixture
def uploaded(ctx: CommandContext) -> Document:
    return Document.upload(
        ctx, filename="docs/index-rules.pdf", media_type="application/pdf", size=1234, sha256=SHA_A
    )


@pytest.fixture
def converted(ctx: CommandContext, uploaded: Document) -> Document:
    sections = (Section(id="s1", heading="Index rules", level=1, start=0, end=len(MARKDOWN)),)
    uploaded.convert(
        ctx,
        markdown=MARKDOWN,
        sections=sections,
        ir=SemanticIR(sections=sections),
        converter="pdf",
        page_count=1,
    )
    return uploaded
