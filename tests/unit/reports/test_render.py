"""render() dispatches to every format; an unknown format names the valid ones."""

from __future__ import annotations

import doctest
import json
from types import ModuleType

import pytest

import docsense.reports
import docsense.reports._shared
import docsense.reports.html
import docsense.reports.json
import docsense.reports.markdown
import docsense.reports.sarif
from docsense.errors import InvalidArgument
from docsense.reports import FORMATS, render, to_html, to_json, to_markdown, to_sarif_json

from .conftest import Reviewed


def test_render_produces_each_format(seed: Reviewed) -> None:
    report, md = seed.report, seed.markdown
    assert render(report, "md", md) == to_markdown(report, md)
    assert render(report, "html", md) == to_html(report, md)
    assert render(report, "json") == to_json(report)
    assert render(report, "sarif", md) == to_sarif_json(report, markdown=md)
    assert json.loads(render(report, "json"))["schema"] == "docsense.review/2"
    assert json.loads(render(report, "sarif"))["version"] == "2.1.0"


def test_render_accepts_format_names_in_any_case(seed: Reviewed) -> None:
    upper = render(seed.report, " HTML ", seed.markdown)
    assert upper == render(seed.report, "html", seed.markdown)


@pytest.mark.parametrize("bad", ["pdf", "markdown", "", "xml"])
def test_render_with_unknown_format_raises_invalid_argument_naming_formats(
    seed: Reviewed, bad: str
) -> None:
    with pytest.raises(InvalidArgument) as info:
        render(seed.report, bad)
    message = str(info.value)
    assert repr(bad) in message
    assert all(fmt in message for fmt in FORMATS)


def test_render_passes_artifact_uri_to_sarif(seed: Reviewed) -> None:
    log = json.loads(render(seed.report, "sarif", seed.markdown, artifact_uri="docs/s.md"))
    assert log["runs"][0]["artifacts"][0]["location"]["uri"] == "docs/s.md"


@pytest.mark.parametrize(
    "module",
    [
        docsense.reports,
        docsense.reports._shared,
        docsense.reports.html,
        docsense.reports.json,
        docsense.reports.markdown,
        docsense.reports.sarif,
    ],
    ids=lambda m: m.__name__,
)
def test_docstring_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
