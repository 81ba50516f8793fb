"""The offline ``rules`` reviewer: runs every policy's deterministic checks. No network.

It implements :class:`~docsense.ports.Reviewer` like the LLM adapters do and returns raw
findings that the shared pipeline grounds, groups, de-duplicates and scores. Each raw finding
names the check that found it and the hit's subject, so the pipeline can make one finding of
every place a check reports about the same subject. A policy without checks (``llm_only`` in
its pack) is reported as not assessed. A check that raises is isolated: its error is in the
result's ``errors`` (recorded on the review), the other checks still run, and its policy is
not assessed (reason ``failed``) unless another check found something.

>>> import asyncio
>>> from docsense.domain.ir import SemanticIR
>>> from docsense.policies import load_pack
>>> from docsense.ports import ReviewRequest
>>> pack = load_pack("self-containment")
>>> request = ReviewRequest(document_id="d", markdown="Buy when volatility is below the "
...     "threshold.", sections=(), ir=SemanticIR(), policies=pack.policies)
>>> result = asyncio.run(RulesReviewer().review(request))
>>> [f.quote for f in result.findings]
['volatility is below the threshold']
"""

from __future__ import annotations

import asyncio
import logging
import re

from docsense.domain.policies import CheckKind, Policy
from docsense.domain.review import CheckError, NotAssessed, NotAssessedReason, Usage
from docsense.errors import PolicyPackError
from docsense.ports import RawFinding, ReviewerResult, ReviewRequest
from docsense.review.checks.base import CheckContext, CheckHit
from docsense.review.checks.calibration import Calibration, load_calibration
from docsense.review.checks.registry import CheckRegistry, default_registry

__all__ = ["PLACEHOLDER", "RulesReviewer"]

_INLINE_LIMIT = 50_000  # characters; longer documents are checked in a worker thread

logger = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\[\[specify:[^\]]*\]\]")
"""An accepted rules suggestion's marker of what the author must still supply."""


class RulesReviewer:
    """Runs the deterministic checks of each policy over the Markdown and IR."""

    def __init__(
        self, registry: CheckRegistry | None = None, calibration: Calibration | None = None
    ) -> None:
        self._registry = registry
        self._calibration = calibration

    @property
    def spec(self) -> str:
        """Always ``"rules"``."""
        return "rules"

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        """Run every check of every policy in ``request``; no I/O.

        Checks are CPU-bound: a long document is reviewed in a worker thread so the event
        loop stays responsive.
        """
        if len(request.markdown) > _INLINE_LIMIT:
            return await asyncio.to_thread(self._review, request)
        return self._review(request)

    def _review(self, request: ReviewRequest) -> ReviewerResult:
        registry = self._registry or default_registry()
        calibration = self._calibration or load_calibration()
        ctx = CheckContext(request.markdown, request.sections, request.ir)
        findings: list[RawFinding] = []
        assessed: set[str] = set()
        placeholders: set[tuple[str, int]] = set()
        errors: list[CheckError] = []
        not_assessed: dict[str, NotAssessed] = {}
        for policy in request.policies:
            if not policy.checks:
                continue
            assessed.add(policy.id)
            for check in policy.checks:
                check_name = check.param("check") if check.kind is CheckKind.IR else (
                    check.kind.value
                )
                try:
                    hits = registry.run(ctx, check)
                except PolicyPackError:
                    raise
                except Exception as exc:
                    # Isolation: the check's error is recorded on the review and the other
                    # checks still run; the policy is not assessed unless it has findings.
                    error = CheckError(
                        check_id=check_name, policy_id=policy.id,
                        message=f"{type(exc).__name__}: {exc}", source="rules",
                    )
                    errors.append(error)
                    assessed.discard(policy.id)
                    not_assessed.setdefault(
                        policy.id,
                        NotAssessed(NotAssessedReason.FAILED, f"check {error}"),
                    )
                    logger.warning("check %s of policy %s raised on %s: %s", check_name,
                                   policy.id, request.document_id or "a document", error.message)
                    continue
                for hit in hits:
                    pending = None if hit.absent else _placeholder_near(ctx, hit.start, hit.end)
                    if pending is not None:
                        # The author accepted a suggestion here and still owes the value:
                        # report the placeholder (once per policy), not the old wording again.
                        if (policy.id, pending) not in placeholders:
                            placeholders.add((policy.id, pending))
                            findings.append(
                                _placeholder_finding(request, policy, hit, pending, check_name)
                            )
                        continue
                    quote = "" if hit.absent else request.markdown[hit.start : hit.end]
                    findings.append(
                        RawFinding(
                            policy_id=policy.id,
                            title=hit.title,
                            quote=quote,
                            description=hit.description,
                            category=(hit.category or policy.category).value,
                            severity=(hit.severity or policy.severity).value,
                            suggested_fix=hit.suggested_fix,
                            replacement=hit.replacement if quote else None,
                            confidence=calibration.confidence(
                                check_name, hit.title, hit.confidence, ctx.style
                            ),
                            hint=None if hit.absent else hit.start,
                            check=check_name,
                            subject=hit.subject,
                        )
                    )
        return ReviewerResult(
            findings=tuple(findings), assessed=frozenset(assessed - set(not_assessed)),
            source="rules", usage=Usage(), errors=tuple(errors), not_assessed=not_assessed,
        )


def _placeholder_near(ctx: CheckContext, start: int, end: int) -> int | None:
    """Offset of a ``[[specify: ...]]`` placeholder in the text unit holding the hit, if any."""
    unit = next((u for u in ctx.units if u.start <= start < u.end), None)
    lo, hi = (unit.start, unit.end) if unit is not None else (start, end)
    # A placeholder right after the unit (the usual shape of an accepted suggestion) counts.
    found = PLACEHOLDER.search(ctx.markdown, lo, min(len(ctx.markdown), hi + 80))
    if found is None or (found.start() > hi and ctx.markdown[hi : found.start()].strip(" (")):
        return None
    return found.start()


def _placeholder_finding(
    request: ReviewRequest, policy: Policy, hit: CheckHit, offset: int, check: str
) -> RawFinding:
    match = PLACEHOLDER.match(request.markdown, offset)
    quote = match.group(0) if match else request.markdown[offset : offset + 12]
    return RawFinding(
        policy_id=policy.id,
        title="Placeholder awaiting a value",
        quote=quote,
        description=(
            f"An accepted suggestion left {quote} in the text; until it is filled in, "
            f"the issue it marks remains: {hit.title.lower()}."
        ),
        category=(hit.category or policy.category).value,
        severity=(hit.severity or policy.severity).value,
        suggested_fix="Replace the placeholder with the actual value or wording.",
        replacement=None,
        confidence=hit.confidence,
        hint=offset,
        check=check,
        subject="placeholder awaiting a value",
    )
