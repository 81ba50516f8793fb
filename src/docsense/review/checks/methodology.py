"""Ambiguous methodology: discretion, unnamed methods and unnamed benchmarks.

- ``discretionary_language``: rules that leave the decision open ("where appropriate",
  "if necessary", "at the discretion of").
- ``unspecified_method``: a method named by a vague label instead of being specified
  ("standard methodology", "using quantitative models", "based on macro signals", "are
  considered", "with adjustments for", "tilt ... toward").
- ``unnamed_benchmark``: "the benchmark" / "the parent index" when the document never names
  an index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit, clause_start, has_quantity

__all__ = ["discretionary_language", "unnamed_benchmark", "unspecified_method"]

_DISCRETION = re.compile(
    r"\b(?:where|when|as|if)\s+(?:appropriate|necessary|needed|required|applicable|possible|"
    r"practicable|relevant)\b"
    r"|\b(?:at|in)\s+(?:the|its|their|our|his|her)\s+(?:sole\s+|absolute\s+)?"
    r"(?:discretion|judge?ment)\b"
    r"|\bas\s+(?:it|they|we)\s+(?:see|sees|deem|deems)\s+fit\b"
    r"|\b(?:deemed|considered)\s+(?:appropriate|necessary|suitable)\b"
    r"|\bon\s+a\s+case[- ]by[- ]case\s+basis\b",
    re.IGNORECASE,
)

_METHOD = re.compile(
    r"\b(?:using|uses|use|via|with|by|per|following)\s+(?:an?\s+|the\s+)?(?:standard|usual|"
    r"conventional|customary|industry[- ]standard|common|typical|market[- ]standard)\s+"
    r"(?:methodology|methods?|approach|practice|conventions?|techniques?|models?|formulae?)\b"
    r"|\b(?:using|uses|via|through|by)\s+(?:an?\s+|the\s+)?(?:quantitative|proprietary|"
    r"internal|statistical|sophisticated|advanced|various|multiple|certain|machine[- ]learning)"
    r"\s+(?:[\w-]+\s+)?(?:models?|algorithms?|methods?|techniques?|tools?|analytics)\b"
    r"|\b(?:using|uses|via|through)\s+algorithms\b"
    r"|\b(?:based\s+on|derived\s+from|driven\s+by|according\s+to)\s+(?:the\s+)?(?:latest|"
    r"available|relevant|various|multiple|several|other|certain|macro(?:economic)?|economic|"
    r"qualitative|subjective|market\s+conditions|signal|signals|technical|fundamental|"
    r"sentiment)"
    r"(?:\s+[\w-]+){0,3}"
    r"|\b(?:are|is)\s+(?:considered|taken\s+into\s+account|factored\s+in|accounted\s+for)\b"
    r"(?!\s+(?:as|to\s+be|if|when|eligible|ineligible)\b)"
    r"|\bwith\s+(?:some\s+|certain\s+|appropriate\s+|further\s+)?adjustments?\s+for\b"
    r"(?:\s+[\w-]+){0,2}"
    r"|\b(?:tilts?|tilted|tilting|overweights?|underweights?)\b(?:\s+[\w-]+){0,4}?\s+"
    r"towards?\s+[\w-]+(?:\s+[\w-]+){0,2}",
    re.IGNORECASE,
)

_BENCHMARK = re.compile(
    r"\b(?:the|a|its|their)\s+(?:parent\s+index|benchmark(?:\s+index)?|reference\s+index|"
    r"underlying\s+index|index\s+universe)\b|\brelative\s+to\s+benchmarks\b",
    re.IGNORECASE,
)
_NAMED_INDEX = re.compile(
    r"\b(?:[A-Z][\w&.'-]*|\d+)\s+(?:[A-Z][\w&.'-]*\s+)*(?:Index|Indices|Composite|Average)\b"
)


def discretionary_language(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report rules that leave the decision to someone's judgement."""
    for unit in ctx.body_units:
        for m in _DISCRETION.finditer(unit.text):
            rel = clause_start(unit.text, m.start(), max_words=10)
            quote = unit.text[rel : m.end()]
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title=f"Discretionary rule: '{m.group(0)}'",
                description="The rule leaves it open when it applies, so the outcome depends "
                "on who runs it.",
                suggested_fix="State the objective condition under which this applies, or "
                "who decides and how the decision is recorded.",
                replacement=f"{quote} ([[specify: objective condition]])",
                category=Category.AMBIGUOUS_METHODOLOGY,
                confidence=0.8,
            )


def unspecified_method(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report methods named by a vague label instead of being specified."""
    for unit in ctx.body_units:
        for m in _METHOD.finditer(unit.text):
            rel = clause_start(unit.text, m.start(), max_words=10)
            quote = unit.text[rel : m.end()]
            if has_quantity(unit.text[m.start() : m.end() + 25]):
                continue
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title="Method not specified",
                description=f"'{m.group(0).strip()}' names a method without defining it: "
                "inputs, calculation steps and parameters are left to the reader.",
                suggested_fix="Specify the method: inputs, formula or steps, parameters and "
                "their values.",
                replacement=f"{quote} ([[specify: method, inputs and parameters]])",
                category=Category.AMBIGUOUS_METHODOLOGY,
                confidence=0.7,
            )


def unnamed_benchmark(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report 'the benchmark' or 'the parent index' in a document that names no index."""
    body = ctx.body_text()
    if _NAMED_INDEX.search(body):
        return
    for unit in ctx.body_units:
        for m in _BENCHMARK.finditer(unit.text):
            rel = clause_start(unit.text, m.start(), max_words=8)
            quote = unit.text[rel : m.end()]
            yield CheckHit(
                start=unit.start + rel,
                end=unit.start + m.end(),
                title="Benchmark or parent index not named",
                description=f"'{m.group(0)}' is never identified, so results cannot be "
                "reproduced or compared.",
                suggested_fix="Name the index (full name, provider, and price or total "
                "return variant).",
                replacement=f"{quote} ([[specify: index name and provider]])",
                category=Category.AMBIGUOUS_METHODOLOGY,
                confidence=0.8,
            )
