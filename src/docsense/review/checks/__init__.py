"""Deterministic checks over a document's Markdown and semantic IR, one module per family.

Each check is a function ``(ctx: CheckContext, check: Check) -> Iterable[CheckHit]``; the
:class:`~docsense.review.checks.registry.CheckRegistry` maps pack check kinds and IR check
names to them.
"""

from docsense.review.checks.base import CheckContext, CheckFunction, CheckHit, TextUnit

__all__ = ["CheckContext", "CheckFunction", "CheckHit", "TextUnit"]
