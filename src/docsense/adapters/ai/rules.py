"""The offline ``rules`` reviewer: runs every policy's deterministic checks. No network.

It implements :class:`~docsense.ports.Reviewer` like the LLM adapters do and returns raw
findings that the shared pipeline grounds, groups, de-duplicates and scores. Each raw finding
names the check that found it and the hit's subject, so the pipeline can make one finding of
every place a check reports about the same subject. A policy without checks (``llm_only`` in
its pack) is reported as not assessed.

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
import re

from docsense import telemetry
from docsense.domain.documents import PLACEHOLDER
from docsense.domain.policies import CheckKind
from docsense.domain.review import Usage
from docsense.errors import PolicyPackError, ReviewerError
from docsense.ports import RawFinding, ReviewerResult, ReviewRequest
from docsense.review.checks.base import CheckContext
from docsense.review.checks.calibration import Calibration, load_calibration
from docsense.review.checks.registry import CheckRegistry, default_registry

__all__ = ["PLACEHOLDER", "RulesReviewer"]

_INLINE_LIMIT = 50_000  # characters; longer documents are checked in a worker thread



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
        for policy in request.policies:
            if not policy.checks:
                continue
            assessed.add(policy.id)
            for check in policy.checks:
                check_name = check.param("check") if check.kind is CheckKind.IR else (
                    check.kind.value
                )
                with telemetry.span("docsense.check", {
                    "docsense.check": check_name, "docsense.policy.id": policy.id,
                }) as traced:
                    try:
                        hits = registry.run(ctx, check)
                    except PolicyPackError:
                        raise
                    except Exception as exc:
                        raise ReviewerError(
                            f"check {check_name!r} of policy {policy.id} failed on document "
                            f"{request.document_id!r}: {type(exc).__name__}: {exc}"
                        ) from exc
                    traced.set_attribute("docsense.check.hits", len(hits))
                for hit in hits:
                    if (
                        not hit.absent
                        and hit.replacement is not None
                        and PLACEHOLDER.search(hit.replacement) is not None
                        and _placeholder_attached(request.markdown, hit.start, hit.end)
                    ):
                        continue  # taken: the version's open question tracks the value
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
            findings=tuple(findings), assessed=frozenset(assessed), source="rules", usage=Usage()
        )


_NEAR = 40  # characters between a hit and the placeholder an accepted replacement added


def _placeholder_attached(markdown: str, start: int, end: int) -> bool:
    """Say whether a ``[[specify: ...]]`` placeholder sits in ``start:end`` or right after it.

    That is the shape accepting this hit's own suggestion leaves ("the threshold of
    [[specify: value]]", "the cap ([[specify: value]])"): the author has taken the point and
    owes the value, which the version lists as an open question, so the same wording is not
    reported again. "Right after" means in the same sentence, at most a few words on. Only
    hits whose suggestion adds a placeholder are checked, so a placeholder never hides
    other findings (an absent appendix named further on, a document-level finding quoting
    the same sentence).
    """
    for m in PLACEHOLDER.finditer(markdown, start, min(len(markdown), end + _NEAR + 200)):
        if m.start() < end:
            return True
        gap = markdown[end : m.start()]
        return len(gap) <= _NEAR and not _SENTENCE_END.search(gap)
    return False


_SENTENCE_END = re.compile(r"[.;!?]\s|\n")
