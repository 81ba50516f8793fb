"""The JSON review report, schema ``docsense.review/1``.

The pydantic model :class:`ReviewReport` is the schema; :func:`to_json_schema` exports it, and
the exported JSON Schema ships in the package as ``docsense/review/schema/
docsense.review-1.schema.json`` (a test keeps the two equal). Fields:

- ``schema``: always ``"docsense.review/1"``;
- ``document``: ``{id, title, version, source}``;
- ``packs``: ``[{id, name, version}]``; ``reviewer``: the reviewer spec(s), ``+``-joined;
- ``score`` in [0, 1], or null when no policy was assessed (never a clean score for a review
  that looked at nothing); ``policies``: ``[{id, pack, status, reason, detail}]`` with status
  ``satisfied``, ``violated`` or ``not_assessed``; a policy not assessed says why in
  ``reason`` (``refused``, ``blocked``, ``failed``, ``provider_error``, ``not_reviewed``) and
  ``detail`` (the provider's refusal text or block reason, when it gave one);
- ``findings``: ``[{id, policy_id, category, severity, title, description, quote, location
  {section, path, start, end, page}, suggested_fix, replacement, confidence, source}]``;
  ``quote`` is document text ("" for absent content, with ``location`` null); ``replacement``
  is text that can stand in place of the quote, with ``[[specify: ...]]`` placeholders;
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

from pydantic import BaseModel, ConfigDict, Field

from docsense.domain.findings import Category, Finding, Severity
from docsense.domain.review import NotAssessedReason, PolicyStatus
from docsense.review.engine import ReviewOutcome

__all__ = [
    "REPORT_SCHEMA",
    "SCHEMA_RESOURCE",
    "DocumentInfo",
    "FindingLocationModel",
    "FindingModel",
    "PackInfo",
    "PolicyResult",
    "ReviewReport",
    "StatsModel",
    "UsageModel",
    "build_report",
    "shipped_json_schema",
    "to_json_schema",
]

REPORT_SCHEMA = "docsense.review/1"
SCHEMA_RESOURCE = "docsense.review-1.schema.json"
_SCHEMA_ID = "https://docsense.dev/schemas/docsense.review-1.schema.json"

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


class FindingModel(BaseModel):
    """One finding."""

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


class ReviewReport(BaseModel):
    """A review report, schema ``docsense.review/1``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    schema_: Literal["docsense.review/1"] = Field(default="docsense.review/1", alias="schema")
    document: DocumentInfo
    packs: list[PackInfo]
    reviewer: str
    score: float | None = Field(
        ge=0.0, le=1.0, description="Null when no policy was assessed (there is no score)."
    )
    policies: list[PolicyResult]
    findings: list[FindingModel]
    usage: UsageModel
    stats: StatsModel
    warnings: list[str] = Field(default_factory=list)

    @property
    def not_assessed(self) -> list[PolicyResult]:
        """The policies that were not assessed, with their reasons."""
        return [p for p in self.policies if p.status is PolicyStatus.NOT_ASSESSED]

    @property
    def assessed_nothing(self) -> bool:
        """True when no policy was assessed (``score`` is then null)."""
        return bool(self.policies) and len(self.not_assessed) == len(self.policies)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the report as JSON text (keys by schema name)."""
        return self.model_dump_json(by_alias=True, indent=indent)


def _finding(f: Finding) -> FindingModel:
    loc = f.location
    return FindingModel(
        id=f.id,
        policy_id=f.policy_id,
        category=f.category,
        severity=f.severity,
        title=f.title,
        description=f.description,
        quote=f.quote,
        location=None
        if loc is None
        else FindingLocationModel(
            section=loc.section_id, path=list(loc.path), start=loc.start, end=loc.end,
            page=loc.page,
        ),
        suggested_fix=f.suggested_fix,
        replacement=f.replacement,
        confidence=f.confidence,
        source=f.source,
    )


def build_report(outcome: ReviewOutcome) -> ReviewReport:
    """Return the ``docsense.review/1`` report of a review outcome."""
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
        findings=[_finding(f) for f in outcome.findings],
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
    )


def to_json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of :class:`ReviewReport`."""
    schema = ReviewReport.model_json_schema(by_alias=True, mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _SCHEMA_ID,
        **schema,
    }


def shipped_json_schema() -> dict[str, Any]:
    """Return the JSON Schema file shipped in the package."""
    text = resources.files("docsense.review.schema").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped schema file
    print(json.dumps(to_json_schema(), indent=2, sort_keys=True))
