"""The check registry: built-in check functions plus those registered by entry point.

Third-party packages add IR checks under the entry point group ``docsense.checks``: the entry
point's name is the check name used in packs (``kind: ir, check: <name>``) and its object is a
function ``(ctx: CheckContext, check: Check) -> Iterable[CheckHit]``.

>>> reg = default_registry()
>>> reg.has("vague_thresholds"), reg.has("no_such_check")
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata

from docsense.domain.policies import Check, CheckKind
from docsense.errors import PolicyPackError
from docsense.review.checks import (
    arithmetic,
    calendar,
    completeness,
    consistency,
    disclosures,
    example_values,
    formula_images,
    formulas,
    methodology,
    references,
    sources,
    structure,
    thresholds,
)
from docsense.review.checks.base import CheckContext, CheckFunction, CheckHit

__all__ = ["BUILTIN_CHECKS", "CHECK_ENTRY_POINT_GROUP", "CheckRegistry", "default_registry"]

CHECK_ENTRY_POINT_GROUP = "docsense.checks"

#: IR checks shipped with docsense, by the name packs use.
BUILTIN_CHECKS: Mapping[str, CheckFunction] = {
    "section_forbidden": structure.section_forbidden,
    "vague_thresholds": thresholds.vague_thresholds,
    "vague_qualifiers": thresholds.vague_qualifiers,
    "vague_frequency": thresholds.vague_frequency,
    "discretionary_language": methodology.discretionary_language,
    "unspecified_method": methodology.unspecified_method,
    "unnamed_benchmark": methodology.unnamed_benchmark,
    "undefined_trigger": methodology.undefined_trigger,
    "calendar_unspecified": calendar.calendar_unspecified,
    "unnamed_data_sources": sources.unnamed_data_sources,
    "unidentified_dependencies": sources.unidentified_dependencies,
    "market_data_unsourced": sources.market_data_unsourced,
    "fx_rates_unsourced": sources.fx_rates_unsourced,
    "analysis_undated": sources.analysis_undated,
    "formula_undefined_variables": formulas.formula_undefined_variables,
    "calculation_in_words": formulas.calculation_in_words,
    "statistic_without_window": formulas.statistic_without_window,
    "formula_only_as_image": formula_images.formula_only_as_image,
    "values_only_as_examples": example_values.values_only_as_examples,
    "unresolved_references": references.unresolved_references,
    "external_documents": references.external_documents,
    "contradictory_values": consistency.contradictory_values,
    "contradictory_schedules": consistency.contradictory_schedules,
    "miscounted_lists": consistency.miscounted_lists,
    "arithmetic_errors": arithmetic.arithmetic_errors,
    "governance_missing": disclosures.governance_missing,
    "performance_unlabelled": disclosures.performance_unlabelled,
    "unbalanced_claims": disclosures.unbalanced_claims,
    "rebalancing_unscheduled": completeness.rebalancing_unscheduled,
    "changes_without_criteria": completeness.changes_without_criteria,
    "parameter_not_in_table": consistency.parameter_not_in_table,
    "summarised_elsewhere": references.summarised_elsewhere,
    "risk_disclosure_missing": disclosures.risk_disclosure_missing,
    "deferred_content": completeness.deferred_content,
    "unfilled_placeholders": completeness.unfilled_placeholders,
    "table_row_incomplete": completeness.table_row_incomplete,
    "decision_owner_missing": disclosures.decision_owner_missing,
    "methodology_changes_ungoverned": disclosures.methodology_changes_ungoverned,
    "excess_weight_unspecified": completeness.excess_weight_unspecified,
    "disruption_unspecified": completeness.disruption_unspecified,
}

_BY_KIND: Mapping[CheckKind, CheckFunction] = {
    CheckKind.SECTION_REQUIRED: structure.section_required,
    CheckKind.PATTERN_REQUIRED: structure.pattern_required,
    CheckKind.PATTERN_FORBIDDEN: structure.pattern_forbidden,
}


class CheckRegistry:
    """Maps IR check names to functions and runs any :class:`~docsense.domain.policies.Check`."""

    def __init__(self, checks: Mapping[str, CheckFunction] | None = None) -> None:
        self._checks: dict[str, CheckFunction] = dict(BUILTIN_CHECKS if checks is None else checks)

    def register(self, name: str, function: CheckFunction) -> None:
        """Add ``function`` as the IR check ``name``; built-in names cannot be replaced."""
        if name in BUILTIN_CHECKS:
            raise PolicyPackError(f"check {name!r} is built in and cannot be replaced")
        self._checks[name] = function

    def has(self, name: str) -> bool:
        """Return True if an IR check called ``name`` is registered."""
        return name in self._checks

    def names(self) -> tuple[str, ...]:
        """Return the registered IR check names, sorted."""
        return tuple(sorted(self._checks))

    @staticmethod
    def name_of(check: Check) -> str:
        """Return the name a check goes by: its IR check name, else its kind."""
        return check.param("check") if check.kind is CheckKind.IR else check.kind.value

    def describe(self, check: Check) -> str:
        """Return the first line of the check function's docstring ("" if it has none)."""
        if check.kind is CheckKind.IR:
            function = self._checks.get(check.param("check"))
            if function is None:
                return "(not installed)"
        else:
            function = _BY_KIND[check.kind]
        doc = (getattr(function, "__doc__", None) or "").strip()
        return " ".join(doc.split("\n\n", 1)[0].replace("``", "").split())

    def run(self, ctx: CheckContext, check: Check) -> list[CheckHit]:
        """Run ``check`` on ``ctx`` and return its hits."""
        if check.kind is CheckKind.IR:
            name = check.param("check")
            function = self._checks.get(name)
            if function is None:
                raise PolicyPackError(
                    f"unknown IR check {name!r}; known checks: {', '.join(self.names())}"
                )
        else:
            function = _BY_KIND[check.kind]
        return list(function(ctx, check))


@lru_cache(maxsize=1)
def default_registry() -> CheckRegistry:
    """Return the built-in checks plus every check registered under ``docsense.checks``."""
    registry = CheckRegistry()
    for ep in metadata.entry_points(group=CHECK_ENTRY_POINT_GROUP):
        try:
            function = ep.load()
        except Exception as exc:
            raise PolicyPackError(
                f"check entry point {ep.name!r} ({ep.value}) in group "
                f"{CHECK_ENTRY_POINT_GROUP!r} cannot be imported: {exc}"
            ) from exc
        if not callable(function):
            raise PolicyPackError(
                f"check entry point {ep.name!r} ({ep.value}) is not a function"
            )
        registry.register(ep.name, function)
    return registry
