"""The JSON report: the ``docsense.review/2`` document.

The schema is the pydantic model :class:`~docsense.review.report.ReviewReport`; its JSON Schema
ships in the package (:func:`~docsense.review.report.shipped_json_schema`).
"""

from __future__ import annotations

from docsense.review.report import ReviewReport

__all__ = ["to_json"]


def to_json(report: ReviewReport, *, indent: int | None = 2) -> str:
    """Return ``report`` as ``docsense.review/2`` JSON text, ending with a newline.

    ``indent=None`` gives one line (for JSON Lines).

    >>> from docsense.review.report import ReviewReport
    >>> report = ReviewReport.model_validate({
    ...     "document": {"id": "d1"}, "packs": [], "reviewer": "rules", "score": 1.0,
    ...     "policies": [], "findings": [], "usage": {},
    ...     "stats": {"grounded": 0, "dropped_ungrounded": 0}})
    >>> to_json(report, indent=None)[:30]
    '{"schema":"docsense.review/2",'
    """
    return report.to_json(indent=indent) + "\n"
