"""Findings: what a review found, shared by the Review and FeedbackSession aggregates.

A :class:`Finding` ties a policy to a place in the document: the exact ``quote`` it is about
(empty for "absent" findings such as a missing section), the :class:`FindingLocation` of that
quote (computed from the quote by the review pipeline, never taken from an LLM), advice
(``suggested_fix``) and, optionally, the text to put in place of the quote (``replacement``).

Findings live inside events, so their shape is event schema: change it only with an upcaster.

>>> f = Finding(id="f-1", policy_id="SC-001", category=Category.UNDEFINED_PARAMETER,
...             severity=Severity.HIGH, title="Undefined cap", description="...",
...             quote="the cap", location=FindingLocation(start=10, end=17),
...             replacement="the 10% cap")
>>> f.is_actionable, Severity.HIGH > Severity.LOW
(True, True)
"""

from __future__ import annotations

import math
from enum import StrEnum

import attrs

from docsense.errors import InvariantViolation

__all__ = ["Category", "Finding", "FindingLocation", "Severity"]


class Severity(StrEnum):
    """How serious a finding is. Compares by seriousness: ``CRITICAL > HIGH > ... > INFO``.

    Comparing with a plain string naming a severity also works (``Severity.LOW < "high"``).
    """

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for INFO up to 4 for CRITICAL."""
        return _SEVERITY_RANK[self]

    def at_least(self, threshold: Severity) -> bool:
        """Return True if this severity is ``threshold`` or worse (for ``--fail-on``)."""
        return self.rank >= threshold.rank

    @classmethod
    def most_severe_first(cls) -> tuple[Severity, ...]:
        """All severities, most serious first."""
        return tuple(sorted(cls, key=lambda s: s.rank, reverse=True))

    # A StrEnum would otherwise compare alphabetically ("critical" < "high"), which is wrong.
    # Plain strings naming a severity compare by rank too; any other string is an error.
    def __lt__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank < rank

    def __le__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank <= rank

    def __gt__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank > rank

    def __ge__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank >= rank


def _rank_of(other: object) -> int | None:
    if not isinstance(other, str):
        return None
    try:
        return Severity(other).rank
    except ValueError:
        raise TypeError(f"cannot compare a Severity with {other!r}") from None


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Category(StrEnum):
    """The kind of defect a finding reports (the seed vocabulary)."""

    UNDEFINED_PARAMETER = "undefined_parameter"
    AMBIGUOUS_METHODOLOGY = "ambiguous_methodology"
    MARKET_CALENDAR = "market_calendar"
    DATA_SOURCE_UNSPECIFIED = "data_source_unspecified"
    INCOMPLETE_FORMULA = "incomplete_formula"
    COMPLIANCE_GAP = "compliance_gap"
    MISSING_GOVERNANCE = "missing_governance"
    EXTERNAL_DEPENDENCY = "external_dependency"
    INCONSISTENT_CONTENT = "inconsistent_content"
    MISSING_REFERENCE = "missing_reference"
    ASSUMPTION_REQUIRED = "assumption_required"
    OTHER = "other"


@attrs.frozen
class FindingLocation:
    """Where a finding's quote is: a character span of the Markdown and its section.

    ``start``/``end`` are offsets into the reviewed version's Markdown (end exclusive);
    ``path`` is the heading path from the top-level section down to ``section_id``.
    """

    start: int
    end: int
    section_id: str | None = None
    path: tuple[str, ...] = ()
    page: int | None = None

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise InvariantViolation(
                f"a location needs 0 <= start <= end, got start={self.start} end={self.end}"
            )
        if self.page is not None and self.page < 1:
            raise InvariantViolation(f"pages count from 1, got {self.page}")


@attrs.frozen(kw_only=True)
class Finding:
    """One thing a review found wrong (or worth noting) in a document version.

    ``source`` is ``"rules"`` for deterministic checks or ``"llm:<model>"``. ``replacement``
    needs a ``quote`` to replace; it may hold placeholders like ``[[specify: ...]]`` rather
    than invented values.
    """

    id: str
    policy_id: str
    category: Category
    severity: Severity
    title: str
    description: str = ""
    quote: str = ""
    location: FindingLocation | None = None
    suggested_fix: str = ""
    replacement: str | None = None
    confidence: float = 1.0
    source: str = "rules"

    def __attrs_post_init__(self) -> None:
        if not self.id:
            raise InvariantViolation("a finding needs an id")
        if not self.policy_id:
            raise InvariantViolation(f"finding {self.id!r} needs the id of its policy")
        if not self.title.strip():
            raise InvariantViolation(f"finding {self.id!r} needs a title")
        if not (math.isfinite(self.confidence) and 0.0 <= self.confidence <= 1.0):
            raise InvariantViolation(
                f"finding {self.id!r}: confidence must be in [0, 1], got {self.confidence!r}"
            )
        if self.source != "rules" and not (
            self.source.startswith("llm:") and len(self.source) > len("llm:")
        ):
            raise InvariantViolation(
                f"finding {self.id!r}: source must be 'rules' or 'llm:<model>', got {self.source!r}"
            )
        if self.replacement is not None and not self.quote:
            raise InvariantViolation(
                f"finding {self.id!r} has a replacement but no quote to replace"
            )

    @property
    def is_absent(self) -> bool:
        """True for findings about something missing (no quote to point at)."""
        return not self.quote

    @property
    def is_actionable(self) -> bool:
        """True if the finding can become a feedback item: it has a quote and a location."""
        return bool(self.quote) and self.location is not None
