"""Formulas whose variables the document never defines.

``formula_undefined_variables`` reads the IR's formulas: each formula with undefined
variables gives one finding quoting the formula, whose replacement keeps the formula and
appends a ``where`` clause with a placeholder per missing definition. A division by such a
variable is called out, since its zero case is then unspecified too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit

__all__ = ["formula_undefined_variables"]

# "Number of constituents" names its own definition: the size of a set the text defines.
_COUNT = re.compile(r"^\s*(?:the\s+)?(?:total\s+)?(?:number|count)\s+of\s+\w", re.IGNORECASE)
# "Sum of prices after split": an operand written as a description in plain words, with a
# preposition, says what it is; it is not a symbol waiting for a definition.
_DESCRIPTION = re.compile(
    r"^[a-z]+(?:\s+[a-z]+)*\s+(?:after|before|of|in|at|on|over|per|from|during|for)\s+[a-z]+"
    r"(?:\s+[a-z]+)*$"
)


def _self_defined(name: str, text: str) -> bool:
    """Return True for names needing no definition.

    Counts, operands described in words, the formula's own name, and indices.
    """
    if not name.strip() or _COUNT.match(name) or _DESCRIPTION.match(name.strip()):
        return True
    lhs = text.split("=", 1)[0] if "=" in text else ""
    if name.strip() == re.split(r"[(_\[]", lhs.strip(), maxsplit=1)[0].strip():
        return True
    escaped = re.escape(name)
    return len(name) == 1 and bool(
        re.search(rf"\w\(\s*{escaped}\s*(?:[-+]\s*\d+)?\s*\)|_\{{?{escaped}\b", text)
    )


def formula_undefined_variables(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report formulas using variables the document does not define."""
    seen: set[tuple[int, int]] = set()
    for formula in ctx.ir.formulas:
        missing = [v for v in formula.undefined_variables if not _self_defined(v, formula.text)]
        if not missing:
            continue
        start, end = formula.location.start, formula.location.end
        if not (0 <= start < end <= len(ctx.markdown)):
            continue
        quote = ctx.markdown[start:end]
        if not quote.strip() or (start, end) in seen:
            continue
        seen.add((start, end))
        names = ", ".join(missing)
        divided = [v for v in missing if re.search(rf"/\s*\(?\s*{re.escape(v)}\b", formula.text)]
        extra = (
            f" It divides by {', '.join(divided)}, so the zero case is unspecified as well."
            if divided
            else ""
        )
        where = "; ".join(f"{v} = [[specify: definition of {v}]]" for v in missing)
        # When most of a formula's operands are unbound, or the PDF left unmapped glyphs in
        # it, the parse is the likelier culprit than the document: say so with less
        # confidence.
        garbled = "\ufffd" in formula.text
        mostly = len(missing) * 2 > max(1, len(formula.variables))
        confidence = 0.4 if garbled else (0.6 if mostly and len(missing) > 2 else 0.85)
        unsure = confidence < 0.85  # its own family, so calibration measures it apart
        yield CheckHit(
            start=start,
            end=end,
            title=(f"Formula may use undefined variables (unclear parse): {names}" if unsure
                   else f"Formula uses undefined variables: {names}"),
            description=f"The formula uses {names}, which the document never defines.{extra}",
            suggested_fix="Define every variable: what it measures, its unit, its source and "
            "its observation date or window.",
            replacement=f"{quote.rstrip()} where {where}",
            category=Category.INCOMPLETE_FORMULA,
            confidence=confidence,
            subject=names.lower(),
        )
