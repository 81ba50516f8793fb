"""A third-party package's pack, check and reviewer, installed as pip would install them.

The package (``acme-compliance``) ships a policy pack as a YAML file, the IR check the pack
uses and a reviewer, each registered under docsense's entry-point groups. The review through
the facade finds them by name: nothing inside docsense is patched, only the process-wide
check registry is rebuilt, as a new process would build it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import docsense
from docsense.errors import PolicyPackError
from docsense.policies import available_packs
from docsense.review.checks.registry import default_registry

InstallDistribution = Callable[..., Path]  # the fixture in tests/conftest.py

_PACK = """\
id: house-rules
name: ACME house rules
version: "2.1"
policies:
  - id: LA-001
    title: Signals use only information available when they are computed
    level: MUST
    category: ambiguous_methodology
    severity: critical
    checks: [{kind: ir, check: same_day_close}]
"""

_INIT = """\
from importlib.resources import files


def pack_path():
    return files("acme_compliance") / "house-rules.yaml"
"""

_CHECKS = """\
import re

from docsense.review.checks.base import CheckHit

_SAME_DAY_CLOSE = re.compile(r"\\bclos(?:e|ing) price on the rebalancing date\\b", re.I)


def same_day_close(ctx, check):
    for unit in ctx.body_units:
        for m in _SAME_DAY_CLOSE.finditer(unit.text):
            yield CheckHit(
                start=unit.start + m.start(),
                end=unit.start + m.end(),
                title="Signal may use a price that is not yet known",
                suggested_fix="Use the previous close.",
                replacement=m.group(0) + " [[specify: observation time]]",
            )
"""

_REVIEWERS = """\
from docsense.review.reviewers import resolve_reviewer


class AcmeReviewer:
    # The house reviewer: the offline rules under ACME's name, counting its calls.
    calls = 0

    def __init__(self, spec):
        self.spec = spec
        self._rules = resolve_reviewer("rules")

    async def review(self, request):
        AcmeReviewer.calls += 1
        return await self._rules.review(request)


def acme(spec):
    return AcmeReviewer(spec)
"""

_DOCUMENT = b"""# Momentum index

## Signal

The signal uses the closing price on the rebalancing date to rank the constituents.
"""


@pytest.fixture
def acme(install_distribution: InstallDistribution) -> Iterator[Path]:
    site = install_distribution(
        "acme-compliance",
        {
            "acme_compliance/__init__.py": _INIT,
            "acme_compliance/house-rules.yaml": _PACK,
            "acme_compliance/checks.py": _CHECKS,
            "acme_compliance/reviewers.py": _REVIEWERS,
        },
        {
            "docsense.packs": {"house-rules": "acme_compliance:pack_path"},
            "docsense.checks": {"same_day_close": "acme_compliance.checks:same_day_close"},
            "docsense.reviewers": {"acme": "acme_compliance.reviewers:acme"},
        },
    )
    default_registry.cache_clear()  # a new process reads the entry points afresh
    yield site
    default_registry.cache_clear()


def test_an_installed_pack_check_and_reviewer_review_a_document(acme: Path) -> None:
    assert available_packs()["house-rules"] == "entry point acme_compliance:pack_path"
    with docsense.open("memory://", reviewer="acme") as ds:
        doc = ds.ingest(_DOCUMENT, filename="momentum.md")
        review = ds.review(doc.id, packs=["house-rules"])
    assert review.reviewer == "acme"
    from acme_compliance.reviewers import AcmeReviewer  # type: ignore[import-not-found]

    assert AcmeReviewer.calls == 1
    [finding] = [f for f in review.findings if f.policy_id == "LA-001"]
    assert finding.quote == "closing price on the rebalancing date"
    assert finding.replacement == (
        "closing price on the rebalancing date [[specify: observation time]]"
    )


def test_without_the_package_the_names_are_unknown() -> None:
    default_registry.cache_clear()
    assert "same_day_close" not in default_registry().names()
    with pytest.raises(PolicyPackError, match="house-rules"):
        docsense.policies.load_pack("house-rules")
