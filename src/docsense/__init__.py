"""docsense: review methodology documents against compliance policies, with an audit trail.

>>> import docsense
>>> with docsense.open("memory://") as ds:                      # doctest: +SKIP
...     doc = ds.ingest("strategy.docx")
...     review = ds.review(doc.id)
...     print(review.score, len(review.findings))

See :func:`open` (sync) and :func:`aopen` (async); both take a store URL (``memory://``,
``sqlite:///file.db``, ``postgresql://...``), a reviewer spec and settings.
"""

from docsense._client import AsyncDocSense, AsyncFeedback, DocSense, Feedback, aopen, open
from docsense._version import __version__
from docsense.application.health import HealthReport, HealthStatus
from docsense.config import Settings
from docsense.domain.findings import Category, Finding, FindingLocation, Occurrence, Severity
from docsense.errors import DocSenseError
from docsense.views import (
    ComparedFinding,
    ComparisonView,
    DocumentSummary,
    DocumentView,
    FeedbackItemView,
    HistoryEntry,
    RecordList,
    ReviewSummary,
    ReviewView,
)

__all__ = [
    "AsyncDocSense",
    "AsyncFeedback",
    "Category",
    "ComparedFinding",
    "ComparisonView",
    "DocSense",
    "DocSenseError",
    "DocumentSummary",
    "DocumentView",
    "Feedback",
    "FeedbackItemView",
    "Finding",
    "FindingLocation",
    "HealthReport",
    "HealthStatus",
    "HistoryEntry",
    "Occurrence",
    "RecordList",
    "ReviewSummary",
    "ReviewView",
    "Settings",
    "Severity",
    "__version__",
    "aopen",
    "open",
]
