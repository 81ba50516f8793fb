"""The review engine: policy checks, quote grounding, de-duplication, scoring and reports.

>>> import asyncio
>>> from docsense.domain.ir import SemanticIR
>>> from docsense.policies import load_pack
>>> doc = ReviewDocument(markdown="Positions are capped.", sections=(), ir=SemanticIR())
>>> outcome = asyncio.run(run_review(doc, [load_pack("self-containment")],
...                                  resolve_reviewer("rules")))
>>> build_report(outcome).findings[0].replacement
'Positions are capped at [[specify: value, with unit]]'
"""

from docsense.review.engine import ReviewDocument, ReviewOutcome, ReviewStats, run_review
from docsense.review.grounding import GroundedQuote, GroundingMethod, ground_quote
from docsense.review.report import REPORT_SCHEMA, ReviewReport, build_report, to_json_schema
from docsense.review.reviewers import register_reviewer, resolve_reviewer

__all__ = [
    "REPORT_SCHEMA",
    "GroundedQuote",
    "GroundingMethod",
    "ReviewDocument",
    "ReviewOutcome",
    "ReviewReport",
    "ReviewStats",
    "build_report",
    "ground_quote",
    "register_reviewer",
    "resolve_reviewer",
    "run_review",
    "to_json_schema",
]
