r"""Writing deterministic checks: the check protocol, what a check sees and returns, registration.

A check is a function ``(ctx: CheckContext, check: Check) -> Iterable[CheckHit]`` (the
:class:`CheckFunction` protocol). ``ctx`` is the document (its Markdown, sections, semantic
IR, and the text cut into units with their spans); ``check`` is the pack's entry for it, whose
parameters the function reads with ``check.param(name)``. Each :class:`CheckHit` is a span of
the Markdown (or ``absent=True`` for something missing) with a title, a suggested fix and an
optional replacement; hits with the same ``subject`` become one finding with every place.

Packs name a check as ``{kind: ir, check: <name>}``. A package makes its checks available to
every process by an entry point in the ``docsense.checks`` group (:data:`CHECK_ENTRY_POINT_GROUP`)
whose name is the check name; :func:`register_check` adds one to this process only.

>>> import re
>>> from docsense.checks import Check, CheckContext, CheckHit, CheckKind
>>> def tbd(ctx: CheckContext, check: Check):
...     '''Report "TBD" left in the text.'''
...     for unit in ctx.units:
...         for m in re.finditer(r"\bTBD\b", unit.text):
...             yield CheckHit(start=unit.start + m.start(), end=unit.start + m.end(),
...                            title="Value left as TBD", subject="TBD")
>>> from docsense.domain.ir import SemanticIR
>>> ctx = CheckContext("The cap is TBD.", (), SemanticIR())
>>> [(h.start, h.end) for h in tbd(ctx, Check(CheckKind.IR, {"check": "tbd"}))]
[(11, 14)]

The rules reviewer reports each check's measured precision as its findings' confidence
(:func:`load_calibration`). A check that raises does not stop a review: the error is
recorded on the review (``ReviewView.check_errors``) and the other checks still run
(``strict=True`` fails the review instead).
"""

from __future__ import annotations

from docsense.domain.policies import Check, CheckKind
from docsense.review.checks.base import CheckContext, CheckFunction, CheckHit, TextUnit
from docsense.review.checks.calibration import Calibration, load_calibration
from docsense.review.checks.registry import (
    BUILTIN_CHECKS,
    CHECK_ENTRY_POINT_GROUP,
    CheckRegistry,
    default_registry,
)

__all__ = [
    "BUILTIN_CHECKS",
    "CHECK_ENTRY_POINT_GROUP",
    "Calibration",
    "Check",
    "CheckContext",
    "CheckFunction",
    "CheckHit",
    "CheckKind",
    "CheckRegistry",
    "TextUnit",
    "check_names",
    "default_registry",
    "load_calibration",
    "register_check",
]


def register_check(name: str, function: CheckFunction) -> None:
    """Make ``function`` the IR check ``name`` in this process (packs load and run it).

    For checks every process should see, declare an entry point in the ``docsense.checks``
    group instead. A built-in name cannot be replaced
    (:class:`~docsense.errors.PolicyPackError`).
    """
    default_registry().register(name, function)


def check_names() -> tuple[str, ...]:
    """Return the names of the IR checks packs can use (built in and installed), sorted."""
    return default_registry().names()
