"""The SARIF 2.1.0 report, for code-scanning UIs and other static-analysis tooling.

One run whose tool is ``docsense``; its rules are the policies of the review (id, a PascalCase
name, title, description, requirement level, default level from the policy's severity) and
there is one result per finding (a finding found at several places is one result):

- ``level``: ``error`` for critical and high findings, ``warning`` for medium, ``note`` for
  low and info;
- ``locations[0].physicalLocation``: the document (``artifact_uri``, by default the report's
  ``document.source``) and a region with ``charOffset``/``charLength`` from the finding's
  span and the quote as snippet, plus ``startLine``/``startColumn``/``endLine``/``endColumn``
  and a ``contextRegion`` when the document's Markdown is given. Offsets and lines count
  Unicode code points of the document's **Markdown conversion** (``run.columnKind`` is
  ``unicodeCodePoints``); a finding about absent content points at line 1. The location is
  the finding's first place;
- ``relatedLocations``: the finding's other places, each with its quote as message; the
  result's message says how many places there are ("Title (46 places): ...");
- ``logicalLocations``: the heading path of the section holding the quote;
- ``partialFingerprints["docsenseFinding/v2"]``: the finding's fingerprint
  (:func:`docsense.domain.findings.fingerprint`: policy, check and subject), stable across
  re-reviews, offset shifts and places added or removed elsewhere, for de-duplication;
- ``suppressions``: for a finding that carries over a rejection made in an earlier review's
  feedback, one ``external`` suppression, ``accepted``, justified by the rejection's reason;
- ``fixes``: the replacement text of every place that has one;
- ``properties``: finding id, category, severity, confidence, source, check, subject, number
  of places, suggested fix, and ``belowThreshold`` when the report includes findings below
  its confidence threshold.

The review's score, packs, policy statuses, usage and counts are in ``run.properties``;
its warnings, and every policy that was not assessed (with its reason), are tool execution
notifications; a review that assessed nothing is an unsuccessful execution.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote as url_quote

from docsense._version import __version__
from docsense.domain.findings import Severity, fingerprints
from docsense.policies import LoadedPack
from docsense.reports._shared import (
    PolicyInfo,
    Quoted,
    finding_heading,
    line_col,
    not_assessed_lines,
    policy_catalog,
    quote_context,
)
from docsense.review.report import FindingModel, OccurrenceModel, ReviewReport

__all__ = [
    "FINGERPRINT_KEY",
    "SARIF_SCHEMA_URI",
    "SARIF_VERSION",
    "sarif_level",
    "to_sarif",
    "to_sarif_json",
]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "docsenseFinding/v2"
_INFORMATION_URI = "https://github.com/docsense/docsense"

_LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def sarif_level(severity: Severity) -> str:
    """Return the SARIF ``level`` for a severity: ``error``, ``warning`` or ``note``.

    >>> sarif_level(Severity.HIGH), sarif_level(Severity.MEDIUM), sarif_level(Severity.INFO)
    ('error', 'warning', 'note')
    """
    return _LEVELS[severity]


def _rule_name(title: str, fallback: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    name = "".join(w[:1].upper() + w[1:] for w in words)
    return name or re.sub(r"[^A-Za-z0-9]", "", fallback) or "Policy"


def _rule(info: PolicyInfo) -> dict[str, Any]:
    level = sarif_level(info.severity) if info.severity is not None else "warning"
    short = info.title if info.known else f"Policy {info.id}"
    help_lines = [info.description or short]
    if info.level:
        help_lines.append(f"Requirement level: {info.level}.")
    if info.pack:
        help_lines.append(f"Policy pack: {info.pack}.")
    rule: dict[str, Any] = {
        "id": info.id,
        "name": _rule_name(info.title if info.known else "", info.id),
        "shortDescription": {"text": short},
        "help": {"text": " ".join(help_lines)},
        "defaultConfiguration": {"level": level},
    }
    if info.description:
        rule["fullDescription"] = {"text": info.description}
    props: dict[str, Any] = {
        "tags": [t for t in ("compliance", info.category, info.pack) if t],
    }
    if info.level:
        props["requirementLevel"] = info.level
    if info.category:
        props["category"] = info.category
    if info.pack:
        props["pack"] = info.pack
    rule["properties"] = props
    return rule


def _region(f: Quoted, markdown: str | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    loc = f.location
    if loc is None:
        return {"startLine": 1}, None
    region: dict[str, Any] = {"charOffset": loc.start, "charLength": loc.end - loc.start}
    context: dict[str, Any] | None = None
    ctx = quote_context(markdown, f) if markdown is not None and f.quote else None
    if markdown is not None and ctx is not None and ctx.found and ctx.start == loc.start:
        start_line, start_col = line_col(markdown, loc.start)
        last = max(loc.start, loc.end - 1)
        end_line, end_col = line_col(markdown, last)
        region = {
            "startLine": start_line,
            "startColumn": start_col,
            "endLine": end_line,
            "endColumn": end_col + (1 if loc.end > loc.start else 0),
            **region,
        }
        lo = loc.start - len(ctx.before)
        context = {
            "startLine": line_col(markdown, lo)[0],
            "endLine": line_col(markdown, max(lo, loc.end + len(ctx.after) - 1))[0],
            "charOffset": lo,
            "charLength": len(ctx.before) + (loc.end - loc.start) + len(ctx.after),
            "snippet": {"text": ctx.before + ctx.quote + ctx.after},
        }
    if f.quote:
        region["snippet"] = {"text": f.quote}
    return region, context


def _location(place: Quoted, uri: str, markdown: str | None) -> dict[str, Any]:
    region, context = _region(place, markdown)
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": uri, "index": 0},
        "region": region,
    }
    if context is not None:
        physical["contextRegion"] = context
    location: dict[str, Any] = {"physicalLocation": physical}
    if place.location is not None and place.location.path:
        path = place.location.path
        location["logicalLocations"] = [
            {"name": path[-1], "fullyQualifiedName": " > ".join(path)}
        ]
    return location


def _related(places: Sequence[OccurrenceModel], uri: str, markdown: str | None) -> list[Any]:
    out = []
    for n, place in enumerate(places, 1):
        related = _location(place, uri, markdown)
        related["id"] = n
        related["message"] = {"text": f"Also here: {' '.join(place.quote.split())}"}
        out.append(related)
    return out


def _fixes(f: FindingModel, uri: str) -> list[Any]:
    replacements = [
        {
            "deletedRegion": {
                "charOffset": o.location.start,
                "charLength": o.location.end - o.location.start,
            },
            "insertedContent": {"text": o.replacement},
        }
        for o in f.occurrences
        if o.replacement is not None
    ]
    if not replacements:
        return []
    text = f.suggested_fix or "Replace the quoted text."
    return [
        {
            "description": {"text": text},
            "artifactChanges": [
                {"artifactLocation": {"uri": uri, "index": 0}, "replacements": replacements}
            ],
        }
    ]


def _result(
    f: FindingModel, rule_index: int, uri: str, markdown: str | None, print_: str
) -> dict[str, Any]:
    heading = finding_heading(f)
    message = f"{heading}: {f.description}" if f.description else heading
    result: dict[str, Any] = {
        "ruleId": f.policy_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": sarif_level(f.severity),
        "message": {"text": message},
        "locations": [_location(f, uri, markdown)],
        "partialFingerprints": {FINGERPRINT_KEY: print_},
    }
    if f.places > 1:
        result["relatedLocations"] = _related(f.occurrences[1:], uri, markdown)
    fixes = _fixes(f, uri)
    if fixes:
        result["fixes"] = fixes
    props: dict[str, Any] = {
        "findingId": f.id,
        "category": f.category.value,
        "severity": f.severity.value,
        "confidence": f.confidence,
        "source": f.source,
        "absent": f.location is None,
        "places": f.places,
        "subject": f.subject,
    }
    if f.check:
        props["check"] = f.check
    if f.below_threshold:
        props["belowThreshold"] = True
    if f.suggested_fix:
        props["suggestedFix"] = f.suggested_fix
    if f.location is not None and f.location.page is not None:
        props["page"] = f.location.page
    result["properties"] = props
    return result


def _suppressed(result: dict[str, Any], report: ReviewReport, f: FindingModel) -> dict[str, Any]:
    # A finding that carries over an earlier rejection: an accepted external suppression.
    s = report.suppression(f.id)
    if s is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": s.reason,
                "properties": {"rejectedBy": s.rejected_by, "rejectedIn": s.rejected_in},
            }
        ]
    return result


def _default_uri(report: ReviewReport) -> str:
    name = report.document.source or (f"{report.document.id}.md" if report.document.id else "")
    return url_quote(name or "document.md", safe="/")


def to_sarif(
    report: ReviewReport,
    *,
    artifact_uri: str | None = None,
    markdown: str | None = None,
    packs: Sequence[LoadedPack] | None = None,
) -> dict[str, Any]:
    """Return ``report`` as a SARIF 2.1.0 log (a JSON-ready dict): one run, one result per finding.

    ``artifact_uri`` names the reviewed document (default: ``document.source``,
    percent-encoded); ``markdown`` is its Markdown, which adds line/column numbers and context
    regions; ``packs`` supplies rule titles and descriptions.

    >>> from docsense.review.report import ReviewReport
    >>> report = ReviewReport.model_validate({
    ...     "document": {"id": "d1", "source": "s.md"}, "packs": [], "reviewer": "rules",
    ...     "score": 1.0, "policies": [], "findings": [], "usage": {},
    ...     "stats": {"grounded": 0, "dropped_ungrounded": 0}})
    >>> log = to_sarif(report)
    >>> log["version"], log["runs"][0]["tool"]["driver"]["name"], log["runs"][0]["results"]
    ('2.1.0', 'docsense', [])
    """
    catalog = policy_catalog(report, packs)
    rule_index = {pid: i for i, pid in enumerate(catalog)}
    uri = artifact_uri or _default_uri(report)
    prints = fingerprints(report.findings)
    artifact: dict[str, Any] = {
        "location": {"uri": uri},
        "mimeType": "text/markdown",
        "description": {
            "text": "Regions are character offsets and lines of the document's Markdown "
            "conversion."
        },
    }
    # A policy not assessed is a tool execution notification (an error when nothing at all
    # was assessed, so code-scanning UIs never show an empty run as a clean one).
    missing_level = "error" if report.assessed_nothing else "warning"
    notifications = [
        {
            "level": missing_level,
            "message": {"text": f"policy not assessed: {line}"},
            "associatedRule": {"id": p.id, "index": rule_index[p.id]},
        }
        for p, line in zip(report.not_assessed, not_assessed_lines(report), strict=True)
        if p.id in rule_index
    ] + [{"level": "warning", "message": {"text": w}} for w in report.warnings]
    invocation: dict[str, Any] = {"executionSuccessful": not report.assessed_nothing}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    summary = report.model_dump(mode="json", by_alias=True, exclude={"findings"})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "docsense",
                "fullName": "docsense compliance review",
                "version": __version__,
                "informationUri": _INFORMATION_URI,
                "rules": [_rule(info) for info in catalog.values()],
            }
        },
        "invocations": [invocation],
        "artifacts": [artifact],
        "columnKind": "unicodeCodePoints",
        "results": [
            _suppressed(_result(f, rule_index[f.policy_id], uri, markdown, p), report, f)
            for f, p in zip(report.findings, prints, strict=True)
        ],
        "properties": {"docsense": summary},
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def to_sarif_json(
    report: ReviewReport,
    *,
    artifact_uri: str | None = None,
    markdown: str | None = None,
    packs: Sequence[LoadedPack] | None = None,
    indent: int | None = 2,
) -> str:
    """Return :func:`to_sarif`'s log as JSON text, ending with a newline."""
    log = to_sarif(report, artifact_uri=artifact_uri, markdown=markdown, packs=packs)
    return json.dumps(log, indent=indent, ensure_ascii=False) + "\n"
