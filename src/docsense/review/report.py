"""The JSON review report, schema ``docsense.review/2``.

The pydantic model :class:`ReviewReport` is the schema; :func:`to_json_schema` exports it, and
the exported JSON Schema ships in the package as ``docsense/review/schema/
docsense.review-2.schema.json`` (a test keeps the two equal). The schema of the previous
version, ``docsense.review-1.schema.json``, still ships for reports written before; such a
report still loads (:class:`ReviewReport` reads it as a version 2 report whose findings have
one place each). Fields:

- ``schema``: always ``"docsense.review/2"``;
- ``document``: ``{id, title, version, source}``;
- ``packs``: ``[{id, name, version}]``; ``reviewer``: the reviewer spec(s), ``+``-joined;
- ``score`` in [0, 1], or null when no policy was assessed (never a clean score for a review
  that looked at nothing); ``policies``: ``[{id, pack, status, reason, detail}]`` with status
  ``satisfied``, ``violated`` or ``not_assessed``; a policy not assessed says why in
  ``reason`` (``refused``, ``blocked``, ``failed``, ``provider_error``, ``not_reviewed``) and
  ``detail`` (the provider's refusal text or block reason, when it gave one);
- ``threshold``: ``{min_confidence, below, included}``: the confidence threshold the score,
  statuses and findings are at, how many findings are below it, and whether ``findings``
  includes them (``--all``; each is then marked ``below_threshold: true``);
- ``findings``: one per finding group, most severe first, then most confident, then first
  place: ``[{id, policy_id, category, severity, title, description, quote, location
  {section, path, start, end, page}, suggested_fix, replacement, confidence, source, check,
  subject, occurrences [{quote, location, replacement}], below_threshold, fingerprint}]``.
  ``fingerprint`` is what the finding is about (:func:`docsense.domain.findings.fingerprint`):
  the same on later versions while the finding persists, and SARIF's partial fingerprint; ``quote``,
  ``location`` and ``replacement`` are those of the first place (``occurrences[0]``);
  ``quote`` is document text ("" for absent content, with ``location`` null and no
  occurrences); ``replacement`` is text that can stand in place of the quote, with
  ``[[specify: ...]]`` placeholders;
- ``suppressed``: ``[{finding_id, fingerprint, reason, rejected_by, rejected_in}]``: findings
  that carry over a rejection made in an earlier review's feedback (they stay in
  ``findings`` but are not new work);
- ``usage``: ``{tokens_in, tokens_out, tokens_cached, tokens_cache_write, tokens_thinking,
  calls, refusals, cost_estimate}``: ``tokens_in`` includes cache reads (``tokens_cached``)
  and writes, ``tokens_out`` includes thinking; ``cost_estimate`` is US dollars, or null
  when a model's price is unknown;
- ``stats``: ``{grounded, dropped_ungrounded, deduplicated}``; ``warnings``: strings.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from docsense.domain.findings import Category, Finding, FindingLocation, Severity, fingerprints
from docsense.domain.review import NotAssessedReason, PolicyStatus, Suppression
from docsense.errors import InvalidArgument
from docsense.review.engine import ReviewOutcome

__all__ = [
    "REPORT_SCHEMA",
    "SCHEMA_RESOURCE",
    "DocumentInfo",
    "FindingLocationModel",
    "FindingModel",
    "OccurrenceModel",
    "PackInfo",
    "PolicyResult",
    "ReviewReport",
    "StatsModel",
    "SuppressionModel",
    "ThresholdModel",
    "UsageModel",
    "build_report",
    "shipped_json_schema",
    "to_json_schema",
]

REPORT_SCHEMA = "docsense.review/2"
SCHEMA_RESOURCE = "docsense.review-2.schema.json"
_SCHEMA_ID = "https://docsense.dev/schemas/docsense.review-2.schema.json"
_V1 = "docsense.review/1"

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class DocumentInfo(BaseModel):
    """The reviewed document."""

    model_config = _FROZEN
    id: str
    title: str | None = None
    version: str | None = None
    source: str | None = Field(default=None, description="File name the document came from.")


class PackInfo(BaseModel):
    """A policy pack the document was reviewed against."""

    model_config = _FROZEN
    id: str
    name: str
    version: str


class PolicyResult(BaseModel):
    """One policy's outcome; a policy not assessed says why."""

    model_config = _FROZEN
    id: str
    pack: str
    status: PolicyStatus
    reason: NotAssessedReason | None = Field(
        default=None, description="Why the policy was not assessed (null when it was)."
    )
    detail: str = Field(default="", description="The provider's refusal or block reason.")


class FindingLocationModel(BaseModel):
    """Where a finding's quote is: a span of the Markdown, its section and heading path."""

    model_config = _FROZEN
    section: str | None = None
    path: list[str] = Field(default_factory=list)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int | None = Field(default=None, ge=1)


class OccurrenceModel(BaseModel):
    """One place of a finding: the quoted document text, where it is, what could replace it."""

    model_config = _FROZEN
    quote: str = Field(min_length=1)
    location: FindingLocationModel
    replacement: str | None = None


class FindingModel(BaseModel):
    """One finding: a group of places about one subject (none for absent content)."""

    model_config = _FROZEN
    id: str
    policy_id: str
    category: Category
    severity: Severity
    title: str
    description: str = ""
    quote: str = ""
    location: FindingLocationModel | None = None
    suggested_fix: str = ""
    replacement: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    source: str = Field(pattern=r"^(rules|llm:.+)$")
    check: str | None = Field(default=None, description="The check that found it (rules).")
    subject: str = Field(default="", description="What it is about (the title if unnamed).")
    occurrences: list[OccurrenceModel] = Field(
        default_factory=list,
        description="Every place, in document order; the first is quote/location/replacement.",
    )
    below_threshold: bool = Field(
        default=False, description="Its confidence is below the report's threshold (--all)."
    )
    fingerprint: str = Field(
        default="",
        description="What it is about (policy, check, subject): stable across versions.",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_place_finding(cls, data: Any) -> Any:
        # A finding written with a quote and location only (docsense.review/1) has that place.
        if not isinstance(data, dict):
            return data
        out = dict(data)
        out.setdefault("subject", out.get("title", ""))
        if "occurrences" not in out and out.get("quote") and out.get("location") is not None:
            out["occurrences"] = [
                {"quote": out["quote"], "location": out["location"],
                 "replacement": out.get("replacement")}
            ]
        return out

    @property
    def places(self) -> int:
        """How many places the finding has (0 for absent content)."""
        return len(self.occurrences)


class SuppressionModel(BaseModel):
    """A finding that carries over a rejection made in an earlier review's feedback."""

    model_config = _FROZEN
    finding_id: str
    fingerprint: str
    reason: str
    rejected_by: str = Field(description="Who rejected it.")
    rejected_in: str = Field(description="The review whose feedback rejected it.")


class UsageModel(BaseModel):
    """Tokens, calls, refusals and estimated cost (US dollars) of the review."""

    model_config = _FROZEN
    tokens_in: int = Field(default=0, ge=0, description="Input tokens, cache included.")
    tokens_out: int = Field(default=0, ge=0, description="Output tokens, thinking included.")
    tokens_cached: int = Field(default=0, ge=0, description="Input tokens read from cache.")
    tokens_cache_write: int = Field(default=0, ge=0, description="Input tokens cached.")
    tokens_thinking: int = Field(default=0, ge=0, description="Output tokens of thinking.")
    calls: int = Field(default=0, ge=0)
    refusals: int = Field(default=0, ge=0, description="Calls refused or blocked.")
    cost_estimate: float | None = Field(
        default=0.0, ge=0.0, description="US dollars; null when a model's price is unknown."
    )


class StatsModel(BaseModel):
    """Pipeline counts."""

    model_config = _FROZEN
    grounded: int = Field(ge=0, description="Findings whose quote was found in the document.")
    dropped_ungrounded: int = Field(ge=0, description="Findings dropped: quote not found.")
    deduplicated: int = Field(default=0, ge=0, description="Findings merged as duplicates.")


class ThresholdModel(BaseModel):
    """The confidence threshold of the report and what it left out."""

    model_config = _FROZEN
    min_confidence: float = Field(
        default=0.0, ge=0.0, le=1.0,
        description="Findings below this confidence are not scored and not shown by default.",
    )
    below: int = Field(default=0, ge=0, description="How many findings are below it.")
    included: bool = Field(
        default=False, description="Whether `findings` lists them too (marked below_threshold)."
    )

    @property
    def hidden(self) -> int:
        """How many findings the report leaves out."""
        return 0 if self.included else self.below


class ReviewReport(BaseModel):
    """A review report, schema ``docsense.review/2`` (a ``docsense.review/1`` report loads too)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    schema_: Literal["docsense.review/2"] = Field(default="docsense.review/2", alias="schema")
    document: DocumentInfo
    packs: list[PackInfo]
    reviewer: str
    score: float | None = Field(
        ge=0.0, le=1.0, description="Null when no policy was assessed (there is no score)."
    )
    policies: list[PolicyResult]
    threshold: ThresholdModel = Field(default_factory=ThresholdModel)
    findings: list[FindingModel]
    usage: UsageModel
    stats: StatsModel
    warnings: list[str] = Field(default_factory=list)
    suppressed: list[SuppressionModel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fill_fingerprints(self) -> ReviewReport:
        # Reports written before findings carried a fingerprint get the one SARIF had.
        if any(not f.fingerprint for f in self.findings):
            for f, fp in zip(self.findings, fingerprints(self.findings), strict=True):
                if not f.fingerprint:
                    object.__setattr__(f, "fingerprint", fp)
        return self

    def suppression(self, finding_id: str) -> SuppressionModel | None:
        """Return the suppression of a listed finding, or None if it is open work."""
        return next((s for s in self.suppressed if s.finding_id == finding_id), None)

    @property
    def not_assessed(self) -> list[PolicyResult]:
        """The policies that were not assessed, with their reasons."""
        return [p for p in self.policies if p.status is PolicyStatus.NOT_ASSESSED]

    @property
    def assessed_nothing(self) -> bool:
        """True when no policy was assessed (``score`` is then null)."""
        return bool(self.policies) and len(self.not_assessed) == len(self.policies)

    @model_validator(mode="before")
    @classmethod
    def _upgrade_version_1(cls, data: Any) -> Any:
        # A docsense.review/1 report has the same fields less the grouping ones, which the
        # finding model fills in (one place per finding, about its title).
        if isinstance(data, dict) and data.get("schema", data.get("schema_")) == _V1:
            data = {k: v for k, v in data.items() if k not in ("schema", "schema_")}
        return data

    @property
    def places(self) -> int:
        """How many places the listed findings have in all."""
        return sum(f.places for f in self.findings)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the report as JSON text (keys by schema name)."""
        return self.model_dump_json(by_alias=True, indent=indent)


def _location(loc: FindingLocation) -> FindingLocationModel:
    return FindingLocationModel(
        section=loc.section_id, path=list(loc.path), start=loc.start, end=loc.end, page=loc.page
    )


def _finding(f: Finding, min_confidence: float) -> FindingModel:
    loc = f.location
    return FindingModel(
        id=f.id,
        policy_id=f.policy_id,
        category=f.category,
        severity=f.severity,
        title=f.title,
        description=f.description,
        quote=f.quote,
        location=None if loc is None else _location(loc),
        suggested_fix=f.suggested_fix,
        replacement=f.replacement,
        confidence=f.confidence,
        source=f.source,
        check=f.check,
        subject=f.subject or f.title,
        occurrences=[
            OccurrenceModel(quote=o.quote, location=_location(o.location),
                            replacement=o.replacement)
            for o in f.occurrences
        ],
        below_threshold=f.confidence < min_confidence,
        fingerprint=f.fingerprint,
    )


def build_report(
    outcome: ReviewOutcome, *, include_all: bool = False, min_confidence: float | None = None
) -> ReviewReport:
    """Return the ``docsense.review/2`` report of a review outcome.

    The report lists the findings at or above the review's confidence threshold and says how
    many are below it; ``include_all=True`` lists those too (marked ``below_threshold``).
    ``min_confidence`` reports at another threshold: the findings, policy statuses and score
    are then those of the review at that threshold (see
    :meth:`~docsense.review.engine.ReviewOutcome.at_threshold`).
    """
    if min_confidence is not None and min_confidence != outcome.min_confidence:
        outcome = outcome.at_threshold(min_confidence)
    listed = outcome.all_findings if include_all else outcome.findings
    doc = outcome.document
    pack_of = {p.id: pack.key for pack in outcome.packs for p in pack.policies}
    u = outcome.usage
    return ReviewReport(
        document=DocumentInfo(id=doc.id, title=doc.title, version=doc.version, source=doc.source),
        packs=[PackInfo(id=p.key, name=p.name, version=p.version) for p in outcome.packs],
        reviewer=outcome.reviewer,
        score=outcome.score,
        policies=[
            PolicyResult(
                id=o.policy_id,
                pack=pack_of.get(o.policy_id, ""),
                status=o.status,
                reason=o.reason if o.status is PolicyStatus.NOT_ASSESSED else None,
                detail=o.detail,
            )
            for o in outcome.policy_statuses
        ],
        threshold=ThresholdModel(
            min_confidence=outcome.min_confidence,
            below=outcome.below_threshold,
            included=include_all,
        ),
        findings=[_finding(f, outcome.min_confidence) for f in listed],
        usage=UsageModel(
            tokens_in=u.tokens_in,
            tokens_out=u.tokens_out,
            tokens_cached=u.tokens_cached,
            tokens_cache_write=u.tokens_cache_write,
            tokens_thinking=u.tokens_thinking,
            calls=u.calls,
            refusals=u.refusals,
            cost_estimate=u.cost_estimate,
        ),
        stats=StatsModel(
            grounded=outcome.stats.grounded,
            dropped_ungrounded=outcome.stats.dropped_ungrounded,
            deduplicated=outcome.stats.deduplicated,
        ),
        warnings=list(outcome.warnings),
        suppressed=[_suppression(s) for s in outcome.suppressed],
    )


def _suppression(s: Suppression) -> SuppressionModel:
    return SuppressionModel(
        finding_id=s.finding_id,
        fingerprint=s.fingerprint,
        reason=s.reason,
        rejected_by=s.rejected_by,
        rejected_in=s.rejected_in,
    )


def to_json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of :class:`ReviewReport`."""
    schema = ReviewReport.model_json_schema(by_alias=True, mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _SCHEMA_ID,
        **schema,
    }


def shipped_json_schema(version: int = 2) -> dict[str, Any]:
    """Return the JSON Schema file shipped in the package for ``docsense.review/<version>``.

    Version 1 is the schema of reports written before findings were grouped.
    """
    if version not in (1, 2):
        raise InvalidArgument(f"no docsense.review/{version} schema: use 1 or 2")
    resource = f"docsense.review-{version}.schema.json"
    text = resources.files("docsense.review.schema").joinpath(resource).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped schema file
    print(json.dumps(to_json_schema(), indent=2, sort_keys=True))
