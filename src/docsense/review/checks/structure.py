"""Structural checks: sections required or forbidden, patterns required or forbidden.

Parameters (all strings): ``heading`` / ``pattern`` (regexes, case-insensitive unless
``flags`` says otherwise), ``message`` (the finding's title) and ``fix`` (advice).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.policies import Check
from docsense.policies._model import compile_flags
from docsense.review.checks.base import CheckContext, CheckHit

__all__ = ["pattern_forbidden", "pattern_required", "section_forbidden", "section_required"]

_MAX_HITS = 20


def _regex(check: Check, name: str) -> re.Pattern[str]:
    return re.compile(check.param(name), compile_flags(check.param("flags", "i")))


def section_required(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report one absent finding if no section heading matches ``heading``."""
    if ctx.has_heading(_regex(check, "heading")):
        return
    yield CheckHit(
        absent=True,
        title=check.param("message", "Required section is missing"),
        description=(
            f"No section heading matches {check.param('heading')!r}; the policy expects a "
            "section on this topic."
        ),
        suggested_fix=check.param("fix", "Add a section that covers this requirement."),
        confidence=0.9,
    )


def section_forbidden(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report each section whose heading matches ``heading``, quoting the heading."""
    pattern = _regex(check, "heading")
    for sec in ctx.sections:
        if not pattern.search(sec.heading):
            continue
        at = ctx.markdown.find(sec.heading, sec.start, sec.end)
        if at < 0:
            continue
        yield CheckHit(
            start=at,
            end=at + len(sec.heading),
            title=check.param("message", f"Section not allowed: {sec.heading}"),
            description=f"The heading matches the forbidden pattern {check.param('heading')!r}.",
            suggested_fix=check.param("fix", "Remove or rename this section."),
            confidence=0.9,
        )


def pattern_required(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report one absent finding if ``pattern`` occurs nowhere in the body text."""
    if _regex(check, "pattern").search(ctx.body_text()):
        return
    yield CheckHit(
        absent=True,
        title=check.param("message", "Required content is missing"),
        description=f"The document never matches {check.param('pattern')!r}.",
        suggested_fix=check.param("fix", "Add the content this policy asks for."),
        confidence=0.7,
    )


def pattern_forbidden(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report each match of ``pattern`` in the body text (at most 20)."""
    count = 0
    for m in _regex(check, "pattern").finditer(ctx.body_text()):
        if m.end() <= m.start() or not m.group(0).strip():
            continue
        yield CheckHit(
            start=m.start(),
            end=m.end(),
            title=check.param("message", "Forbidden wording"),
            description=f"The text matches the forbidden pattern {check.param('pattern')!r}.",
            suggested_fix=check.param("fix", "Reword this passage."),
            confidence=0.85,
        )
        count += 1
        if count >= _MAX_HITS:
            return
