"""The ``left_open`` check: values a methodology leaves as "TBD" or "to be determined"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.checks import Check, CheckContext, CheckHit

__all__ = ["left_open"]

_OPEN = re.compile(r"\b(?:TBD|TBC|to be (?:determined|confirmed|agreed))\b", re.IGNORECASE)


def left_open(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report values left as TBD, TBC or "to be determined"."""
    for unit in ctx.rule_units:
        for m in _OPEN.finditer(unit.text):
            yield CheckHit(
                start=unit.start + m.start(),
                end=unit.start + m.end(),
                title="A value is left open",
                suggested_fix="State the value, or who decides it and when.",
                replacement="[[specify: value]]",
                subject=m.group(0).lower(),
            )
