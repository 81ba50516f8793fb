"""The JSON review report, schema ``docsense.review/1``.

The pydantic model :class:`ReviewReport` is the schema; :func:`to_json_schema` exports it, and
the exported JSON Schema ships in the package as ``docsense/review/schema/
docsense.review-1.schema.json`` (a test keeps the two equal). Fields:

- ``schema``: always ``"docsense.review/1"``;
- ``document``: ``{id, title, version, source}``;
- ``packs``: ``[{id, name, version}]``; ``reviewer``: the reviewer spec(s), ``+``-joined;
- ``score`` in [0, 1] and ``policies``: ``[{id, pack, status}]`` with status ``satisfied``,
  ``violated`` or ``not_assessed``;
- ``findings``: ``[{id, policy_id, category, severity, title, description, quote, location
  {section, path, start, end, page}, suggested_fix, replacement, confidence, source}]``;
  ``quote`` is document text ("" for absent content, with ``location`` null); ``replacement``
  is text that can stand in place of the quote, with ``[[specify: ...]]`` placeholders;
- ``usage``: ``{tokens_in, tokens_out, tokens_cached, calls, cost_estimate}`` (USD);
- ``stats``: ``{grounded, dropped_ungrounded, deduplicated}``; ``warnings``: strings.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from docsense.domain.findings import Category, Finding, Severity
from docsense.domain.review import PolicyStatus
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
    """One policy's outcome."""

    model_config = _FROZEN
    id: str
    pack: str
    status: PolicyStatus


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
    """Tokens, calls and estimated cost (US dollars) of the review."""

    model_config = _FROZEN
    tokens_in: int = Field(default=0, ge=0)
    tokens_out: int = Field(default=0, ge=0)
    tokens_cached: int = Field(default=0, ge=0)
    calls: int = Field(default=0, ge=0)
    cost_estimate: float = Field(default=0.0, ge=0.0)


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
    score: float = Field(ge=0.0, le=1.0)
    policies: list[PolicyResult]
    findings: list[FindingModel]
    usage: UsageModel
    stats: StatsModel
    warnings: list[str] = Field(default_factory=list)

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
            PolicyResult(id=o.policy_id, pack=pack_of.get(o.policy_id, ""), status=o.status)
            for o in outcome.policy_statuses
        ],
        findings=[_finding(f) for f in outcome.findings],
        usage=UsageModel(
            tokens_in=u.tokens_in, tokens_out=u.tokens_out, tokens_cached=u.tokens_cached,
            calls=u.calls, cost_estimate=u.cost_estimate,
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
