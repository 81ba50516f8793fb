r"""Findings: what a review found, shared by the Review and FeedbackSession aggregates.

A :class:`Finding` is one point a review makes about a document: a policy, what it is about
(the ``check`` that found it and its ``subject``, e.g. the phrase "as applicable") and every
place it occurs (``occurrences``: the exact quote, its :class:`FindingLocation` computed by
the review pipeline from the quote, never taken from an LLM, and optionally the text to put
in place of that quote). A finding about something missing (a section, a disclosure) is
*absent*: it has no quote and no occurrences.

``quote``, ``location`` and ``replacement`` are those of the first place
(``occurrences[0]``), so code that reads one place per finding keeps working; places are in
document order and do not overlap.

Findings live inside events, so their shape is event schema: change it only with an upcaster.

>>> f = Finding(id="f-1", policy_id="SC-001", category=Category.UNDEFINED_PARAMETER,
...             severity=Severity.HIGH, title="Undefined cap", description="...",
...             quote="the cap", location=FindingLocation(start=10, end=17),
...             replacement="the 10% cap")
>>> f.is_actionable, Severity.HIGH > Severity.LOW, len(f.occurrences)
(True, True, 1)
>>> normalise_subject("  'IN ITS\nSOLE   Discretion'. ")
'in its sole discretion'
"""

from __future__ import annotations

import hashlib
import itertools
import math
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

import attrs

from docsense.errors import InvariantViolation

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "Category",
    "Finding",
    "FindingLocation",
    "Fingerprinted",
    "Occurrence",
    "Severity",
    "check_min_confidence",
    "fingerprint",
    "fingerprints",
    "normalise_subject",
    "ordering_key",
]

#: Findings below this confidence are kept on the review but not shown by default.
DEFAULT_MIN_CONFIDENCE = 0.5


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
    """The kind of defect a finding reports (the seed vocabulary).

    A policy names one category and its findings carry it. Each value says what an
    implementer of the method lacks; where a problem could be read under two neighbouring
    categories, the one naming what is missing most directly fits best.
    """

    #: A value the method needs (threshold, limit, size, window, count, frequency) is
    #: absent or given only by a judgement word ("sufficient", "periodically").
    UNDEFINED_PARAMETER = "undefined_parameter"
    #: A step, selection, ranking or treatment of a case is not precise enough to be
    #: carried out the same way twice (discretion, unnamed methods, open criteria).
    AMBIGUOUS_METHODOLOGY = "ambiguous_methodology"
    #: Which days, dates, times of day or time zone a rule uses is not said.
    MARKET_CALENDAR = "market_calendar"
    #: Where an input value comes from (vendor, dataset, field, fallback) is not said, or a
    #: reported analysis gives no source or date.
    DATA_SOURCE_UNSPECIFIED = "data_source_unspecified"
    #: A calculation is missing, given only in words, or uses undefined symbols.
    INCOMPLETE_FORMULA = "incomplete_formula"
    #: A risk, performance label or regulatory matter the document should disclose is not.
    COMPLIANCE_GAP = "compliance_gap"
    #: Who approves, oversees, reviews or changes the method, or exercises a discretion it
    #: grants, is not said.
    MISSING_GOVERNANCE = "missing_governance"
    #: The method relies on a document, program, model, service or party that is not
    #: identified, or on its behaviour without saying what happens when it fails.
    EXTERNAL_DEPENDENCY = "external_dependency"
    #: Two statements (or a statement and a table) cannot both be true.
    INCONSISTENT_CONTENT = "inconsistent_content"
    #: A section, appendix, table or link target the text refers to is not there.
    MISSING_REFERENCE = "missing_reference"
    #: The reader must assume something the document should state.
    ASSUMPTION_REQUIRED = "assumption_required"
    #: None of the above.
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


@attrs.frozen
class Occurrence:
    """One place a finding occurs: the exact ``quote``, its ``location`` and what could replace it.

    ``replacement`` is text that can stand in place of this quote (with ``[[specify: ...]]``
    placeholders rather than invented values), or None for advice only.
    """

    quote: str
    location: FindingLocation
    replacement: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.quote:
            raise InvariantViolation("a place of a finding needs the quoted text")


def _first_place(finding: Finding) -> tuple[Occurrence, ...]:
    # The default for findings built the one-place way (quote + location): that one place.
    if finding.quote and finding.location is not None:
        return (Occurrence(finding.quote, finding.location, finding.replacement),)
    return ()


@attrs.frozen(kw_only=True)
class Finding:
    """One point a review makes about a document version, with every place it occurs.

    ``source`` is ``"rules"`` for deterministic checks or ``"llm:<model>"``. ``check`` names
    the deterministic check that found it (None for LLM findings); ``subject`` says what it is
    about (a phrase, a document name, a variable; the title when a reviewer names nothing).
    ``occurrences`` are its places in document order; the first one is also ``quote``,
    ``location`` and ``replacement`` (built from them when not given). ``replacement`` needs
    a ``quote`` to replace.
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
    check: str | None = None
    subject: str = ""
    occurrences: tuple[Occurrence, ...] = attrs.field(
        default=attrs.Factory(_first_place, takes_self=True)
    )

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
        self._check_places()

    def _check_places(self) -> None:
        places = self.occurrences
        if not places:
            if self.quote and self.location is not None:
                raise InvariantViolation(
                    f"finding {self.id!r} quotes the document but lists no places"
                )
            return
        first = places[0]
        if (first.quote, first.location, first.replacement) != (
            self.quote,
            self.location,
            self.replacement,
        ):
            raise InvariantViolation(
                f"finding {self.id!r}: quote, location and replacement must be those of its "
                "first place"
            )
        for before, after in itertools.pairwise(places):
            if after.location.start < before.location.end:
                raise InvariantViolation(
                    f"finding {self.id!r}: places must be in document order without overlapping "
                    f"({before.location.start}..{before.location.end} then "
                    f"{after.location.start}..{after.location.end})"
                )

    @property
    def is_absent(self) -> bool:
        """True for findings about something missing (no quote to point at)."""
        return not self.quote

    @property
    def is_actionable(self) -> bool:
        """True if the finding can become a feedback item: it has a quote and a location."""
        return bool(self.quote) and self.location is not None

    @property
    def fingerprint(self) -> str:
        """What the finding is about, as 32 hex digits (see :func:`fingerprint`).

        The same across re-reviews, re-ingests, offset shifts and edits elsewhere in the
        document; used to compare reviews, carry decisions over and de-duplicate in SARIF.
        """
        return fingerprint(
            self.policy_id, self.check, self.source, self.subject or self.title,
            absent=self.is_absent,
        )

    @property
    def sort_key(self) -> tuple[int, bool, float, int, str, str]:
        """The order findings are listed in (see :func:`ordering_key`)."""
        start = self.location.start if self.location is not None else None
        return ordering_key(self.severity, self.confidence, start, self.policy_id, self.id)


def ordering_key(
    severity: Severity, confidence: float, start: int | None, *ties: str
) -> tuple[int, bool, float, int, str, str]:
    """Sort key of a finding: most severe first, then most confident, then first position.

    ``start`` is where its first place starts (None for an absent finding, listed after the
    located findings of the same severity); ``ties`` (policy id, finding id) make the order
    total.

    >>> keys = [ordering_key(Severity.LOW, 0.9, 5), ordering_key(Severity.HIGH, 0.6, None),
    ...         ordering_key(Severity.HIGH, 0.6, 80), ordering_key(Severity.HIGH, 0.9, 90)]
    >>> [keys.index(k) for k in sorted(keys)]
    [3, 2, 1, 0]
    """
    first, second = (*ties, "", "")[:2]
    return (-severity.rank, start is None, -confidence, start or 0, first, second)


def _about(policy_id: str, check: str | None, source: str, subject: str, absent: bool) -> str:
    origin = check or ("rules" if source == "rules" else "llm")
    return f"{policy_id}\0{origin}\0{normalise_subject(subject)}\0{'absent' if absent else ''}"


def fingerprint(
    policy_id: str, check: str | None, source: str, subject: str, *, absent: bool
) -> str:
    """Return the stable identity of a finding: a hash of what it is about, never of where.

    The input is the policy, the check that found it (``rules`` or ``llm`` when none is
    named), the :func:`normalise_subject` form of its subject and whether it is about
    absent content. Offsets, section paths, quotes of other places, confidence and wording
    of the description are left out, so the fingerprint survives edits elsewhere, places
    added or removed, re-ingests and format changes; editing the subject (the quoted
    phrase) changes it. Findings are grouped by exactly this key, so the findings of one
    review have distinct fingerprints. This is also SARIF's
    ``partialFingerprints["docsenseFinding/v2"]``.

    >>> fingerprint("SC-001", "vague_terms", "rules", "As applicable", absent=False) == (
    ...     fingerprint("SC-001", "vague_terms", "rules", '"as  applicable"', absent=False))
    True
    >>> len(fingerprint("SC-001", None, "llm:m", "x", absent=True))
    32
    """
    about = _about(policy_id, check, source, subject, absent)
    return hashlib.sha256(about.encode()).hexdigest()[:32]


class Fingerprinted(Protocol):
    """What :func:`fingerprints` reads of a finding (a :class:`Finding` or a report's)."""

    @property
    def policy_id(self) -> str: ...  # noqa: D102
    @property
    def check(self) -> str | None: ...  # noqa: D102
    @property
    def source(self) -> str: ...  # noqa: D102
    @property
    def subject(self) -> str: ...  # noqa: D102
    @property
    def title(self) -> str: ...  # noqa: D102
    @property
    def quote(self) -> str: ...  # noqa: D102


def fingerprints(findings: Iterable[Fingerprinted]) -> list[str]:
    """Return the fingerprint of each finding, told apart where two share one.

    Two findings of one list share a fingerprint only when they were not grouped (a report
    written before findings were grouped, one finding per place): the second and later
    ones then also hash their section path and normalised quote.
    """
    taken: set[str] = set()
    out: list[str] = []
    for f in findings:
        about = _about(f.policy_id, f.check, f.source, f.subject or f.title, not f.quote)
        digest = hashlib.sha256(about.encode()).hexdigest()[:32]
        if digest in taken:
            location = getattr(f, "location", None)
            path = " > ".join(getattr(location, "path", ()) or ())
            anchor = f"{about}\0{path}\0{' '.join(f.quote.split())}"
            digest = hashlib.sha256(anchor.encode()).hexdigest()[:32]
        taken.add(digest)
        out.append(digest)
    return out


def normalise_subject(text: str) -> str:
    r"""Return the form of a subject that findings are grouped by.

    NFKC-normalised, case-folded, whitespace runs collapsed to one space, and quotes and
    punctuation around it removed:

    >>> normalise_subject("As\napplicable") == normalise_subject('"as applicable"')
    True
    """
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    start, end = 0, len(folded)
    while start < end and _is_trim(folded[start]):
        start += 1
    while end > start and _is_trim(folded[end - 1]):
        end -= 1
    return folded[start:end]


def _is_trim(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("P")


def check_min_confidence(value: object) -> float:
    """Return ``value`` as a confidence threshold in [0, 1]; raise InvariantViolation if not.

    >>> check_min_confidence(0.5)
    0.5
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvariantViolation(f"a confidence threshold is a number in [0, 1], got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and 0.0 <= number <= 1.0):
        raise InvariantViolation(f"a confidence threshold is a number in [0, 1], got {value!r}")
    return number
