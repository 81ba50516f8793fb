"""Review reports: Markdown, HTML, JSON (``docsense.review/2``) and SARIF 2.1.0.

Every renderer takes a :class:`~docsense.review.report.ReviewReport` (see
:func:`~docsense.review.report.build_report`). The reviewed document's Markdown, when given,
lets the Markdown and HTML reports show each quote in its surrounding text and the SARIF log
carry line numbers; ``packs`` (the :class:`~docsense.policies.LoadedPack` objects reviewed
against) supply policy titles, which are otherwise taken from the installed pack of the same
name and version.

>>> from docsense.review.report import ReviewReport
>>> report = ReviewReport.model_validate({
...     "document": {"id": "d1"}, "packs": [], "reviewer": "rules", "score": 1.0,
...     "policies": [], "findings": [], "usage": {},
...     "stats": {"grounded": 0, "dropped_ungrounded": 0}})
>>> render(report, "json").startswith('{')
True
>>> render(report, "pdf")
Traceback (most recent call last):
...
docsense.errors.InvalidArgument: unknown report format 'pdf': use one of md, html, json, sarif
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from docsense.errors import InvalidArgument
from docsense.policies import LoadedPack
from docsense.reports._shared import PolicyInfo, policy_catalog
from docsense.reports.html import CONTENT_SECURITY_POLICY, to_html
from docsense.reports.json import to_json
from docsense.reports.markdown import to_markdown
from docsense.reports.sarif import (
    FINGERPRINT_KEY,
    SARIF_SCHEMA_URI,
    SARIF_VERSION,
    sarif_level,
    to_sarif,
    to_sarif_json,
)
from docsense.review.report import ReviewReport

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "FINGERPRINT_KEY",
    "FORMATS",
    "SARIF_SCHEMA_URI",
    "SARIF_VERSION",
    "PolicyInfo",
    "ReportFormat",
    "policy_catalog",
    "render",
    "sarif_level",
    "to_html",
    "to_json",
    "to_markdown",
    "to_sarif",
    "to_sarif_json",
]

ReportFormat = Literal["md", "html", "json", "sarif"]
FORMATS: tuple[ReportFormat, ...] = ("md", "html", "json", "sarif")


def render(
    report: ReviewReport,
    format: str,
    markdown: str | None = None,
    *,
    packs: Sequence[LoadedPack] | None = None,
    artifact_uri: str | None = None,
    artifact_path: str | Path | None = None,
    source_root: str | Path | None = None,
) -> str:
    """Return ``report`` rendered as ``format``: ``"md"``, ``"html"``, ``"json"`` or ``"sarif"``.

    ``markdown`` (the reviewed document's Markdown) adds quote context to md/html and line
    numbers to sarif; ``artifact_uri``, ``artifact_path`` and ``source_root`` are used by
    sarif only (see :func:`~docsense.reports.sarif.to_sarif`). An unknown format raises
    :class:`~docsense.errors.InvalidArgument` naming the valid ones.
    """
    fmt = format.strip().lower() if isinstance(format, str) else format
    if fmt == "md":
        return to_markdown(report, markdown, packs=packs)
    if fmt == "html":
        return to_html(report, markdown, packs=packs)
    if fmt == "json":
        return to_json(report)
    if fmt == "sarif":
        return to_sarif_json(
            report, artifact_uri=artifact_uri, markdown=markdown, packs=packs,
            artifact_path=artifact_path, source_root=source_root,
        )
    raise InvalidArgument(
        f"unknown report format {format!r}: use one of {', '.join(FORMATS)}"
    )
