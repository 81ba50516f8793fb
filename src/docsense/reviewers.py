"""Writing reviewers: the reviewer port for custom AI (or any other) reviewers.

A reviewer is any object with a ``spec`` string and an async ``review(request)`` method (the
:class:`Reviewer` protocol). It receives a :class:`ReviewRequest` (the document's Markdown,
its sections (:class:`Section`), its semantic IR (:class:`SemanticIR`) and the policies to
assess) and returns a :class:`ReviewerResult`: raw findings (:class:`RawFinding`) whose
``quote`` is text of the document (docsense finds it, locates it, groups and scores), the
ids of the policies it actually ``assessed``, and why it could not assess others
(``not_assessed``).

Pass an instance as ``reviewer=`` to ``DocSense.review``, or make it available by name:
:func:`register_reviewer` (this process) or an entry point in the ``docsense.reviewers`` group
(:data:`REVIEWER_ENTRY_POINT_GROUP`) whose object is a factory ``(spec) -> Reviewer``;
``docsense review --reviewer <name>:<options>`` then builds it. To build a built-in
reviewer yourself with the ``DOCSENSE_*`` settings applied (keys, base URLs, timeouts), pass
``provider_options=provider_options(Settings.load())`` to :func:`resolve_reviewer`, and close
it when done (``await close_reviewers([reviewer])``): an LLM reviewer holds a connection
pool. The contract suite
:class:`docsense.testing.ReviewerContract` checks an implementation.

A reviewer should raise :class:`~docsense.errors.ReviewerError` (or a subclass) when it cannot
review. Any other exception is isolated: the review completes, records it in
``check_errors`` (as ``reviewer:<spec>``) and keeps the other reviewers' results.
"""

from __future__ import annotations

from docsense.adapters.ai.rules import RulesReviewer
from docsense.domain.ir import Section, SemanticIR
from docsense.domain.review import CheckError, NotAssessed, NotAssessedReason, Usage
from docsense.ports import RawFinding, Reviewer, ReviewerResult, ReviewRequest
from docsense.review.reviewers import (
    REVIEWER_ENTRY_POINT_GROUP,
    ReviewerFactory,
    close_reviewers,
    known_reviewer_prefixes,
    provider_options,
    register_reviewer,
    resolve_reviewer,
)

__all__ = [
    "REVIEWER_ENTRY_POINT_GROUP",
    "CheckError",
    "NotAssessed",
    "NotAssessedReason",
    "RawFinding",
    "ReviewRequest",
    "Reviewer",
    "ReviewerFactory",
    "ReviewerResult",
    "RulesReviewer",
    "Section",
    "SemanticIR",
    "Usage",
    "close_reviewers",
    "known_reviewer_prefixes",
    "provider_options",
    "register_reviewer",
    "resolve_reviewer",
]
