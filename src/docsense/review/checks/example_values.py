"""Parameters whose only value is an example: "a fixed cap (e.g., 20% of equity)".

``values_only_as_examples`` reads a rule that names a parameter of the method (a threshold,
cap, limit, factor, ratio, rate, fee, size, window, period or frequency) and gives its value
only in an example in brackets: "Limits slashable network exposure (e.g., 20% max per risky
network)", "where δ is a decay factor (e.g. 0.98)", "The index is calculated periodically
(e.g., quarterly)". An implementer cannot tell whether the example is the value, a typical
value or one of many; the method is not fixed.

Not reported: a rule that states a value outside the brackets ("a fee of 0.3% (e.g. 3 USD
on 1,000 USD)": the example works the value through), a parameter the document gives a
value elsewhere without an example (a parameter table, another rule), an example of things
rather than of a value ("(e.g., BTC or USD)"), examples in the informative parts and in
sentences that are themselves examples, and settings someone else chooses: options of a
command line ("``--max-allocation`` ... (e.g. 0.35)"), rows or items named by a setting in
code ("| **minHF** | The threshold triggering partial liquidation (e.g., 1.05) |"), and values
the sentence says are configurable or specified elsewhere ("capped at a configurable
percentage (e.g., 1%)"). An amount written before the same noun elsewhere ("20% risk cap")
values the parameter ("a fixed cap (e.g., 20% of equity)"). One finding per parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit, TextUnit, has_quantity

__all__ = ["values_only_as_examples"]

# An example in brackets: "(e.g., 20% max per network)", "(for example 5%)".
_EXAMPLE = re.compile(
    r"\(\s*(?:e\.\s?g\.|for\s+example|for\s+instance)\s*[,:]?\s*(?P<value>[^()]{1,80})\)",
    re.IGNORECASE,
)
# A frequency as the example's value: "(e.g., quarterly)", "(e.g. every block)".
_FREQUENCY = re.compile(
    r"(?:hourly|daily|weekly|fortnightly|monthly|quarterly|semi-?annually|annually|yearly|"
    r"every\s+\w+)\b",
    re.IGNORECASE,
)
# The parameter the example is the value of, in the words right before the bracket.
_PARAMETER = re.compile(
    r"\b(?P<noun>thresholds?|caps?|limits?|ceilings?|floors?|factors?|ratios?|rates?|fees?|"
    r"percentages?|exposures?|sizes?|amounts?|intervals?|periods?|periodically|frequency|"
    r"windows?|horizons?|look-?backs?|buffers?|haircuts?|tolerances?|premiums?|loss)\b"
    r"(?=(?:[^.;:()]|(?<=\d)[.:](?=\d)){0,40}$)",
    re.IGNORECASE,
)
# An example of notation ("5_00 for 5%", "4.0 for a 4:1 split") or of a change ("from 8h to
# 4h"), not of the parameter's value.
_NOT_A_VALUE = re.compile(r"(?:\S+\s+for\s|from\s)", re.IGNORECASE)
# A row or item led by a setting someone else chooses: a command-line option ("|
# `--max-allocation` |") or a name in code ("| **minHF** |", "- `max_slippage`:",
# "**\\_finalStageAt**:": camel case, an underscore or back-ticks; words with spaces are a
# label, not a setting).
_SETTING = re.compile(
    r"^\s*(?:\|\s*)?(?:[-*]\s+)?(?:`?--[\w-]+"
    r"|(?:\*\*|`)?\\?_?(?:[a-z]+[A-Z_]\w*|[A-Z][a-z]+[A-Z]\w*)(?:\*\*|`)?\s*[|:])"
)
# A value the text says someone sets, or that is set elsewhere.
_CHOSEN = re.compile(
    r"\b(?:configurable|configured|user-(?:defined|set|specified)|adjustable|customi[sz]able|"
    r"tunable|set\s+by\s+the\s+(?:user|operator|deployer)|of\s+your\s+choice|specified|"
    r"predefined|pre-defined|preset)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z-]+")


def values_only_as_examples(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report parameters of the method whose only value is an example in brackets."""
    if "e.g" not in ctx.markdown and "example" not in ctx.markdown.lower():
        return
    units = ctx.rule_units
    for unit in units:
        for m in _EXAMPLE.finditer(unit.text):
            value = m.group("value").strip()
            if not (has_quantity(" ".join(value.split()[:4])) or _FREQUENCY.match(value)):
                continue  # "(e.g., BTC or USD)": examples of things, not of a value
            if _NOT_A_VALUE.match(value):
                continue  # "(e.g. 5_00 for 5%)": how a value is written; "(e.g. from 8h to
                # 4h)": a change the text allows
            before = unit.text[max(0, m.start() - 80) : m.start()]
            found = list(_PARAMETER.finditer(before))
            parameter = found[-1] if found else None  # the last parameter noun before it
            if parameter is None or _SETTING.match(unit.text):
                continue  # "--max-allocation", "| **minHF** | The threshold ... (e.g., 1.05)":
                # a setting named in code, whose value the user or the deployment supplies
            if _CHOSEN.search(unit.text):
                continue  # "capped at a configurable percentage (e.g., 1%)", "over a
                # specified time period (e.g., over the past 1 hour)": set elsewhere
            if has_quantity(unit.text[: m.start()] + unit.text[m.end() :]):
                continue  # the value is stated; the example works it through
            name = _name(parameter.group("noun"), before[: parameter.start()])
            if _valued_elsewhere(units, unit, name):
                continue
            yield CheckHit(
                start=unit.start + m.start(),
                end=unit.start + m.end(),
                title=f"Value given only as an example: {name}",
                description=f"The {name} is given a value only as an example "
                f"({m.group(0).strip()}): an implementer cannot tell whether the example is "
                "the value the method uses, a typical value or one of many.",
                suggested_fix=f"State the {name} the method uses (or the rule that sets it, "
                "and who sets it within which bounds); keep the example as an illustration.",
                replacement=f"({name}: [[specify: the value the method uses]])",
                confidence=0.6,
                subject=name.lower(),
            )


def _name(noun: str, before: str) -> str:
    """Return the parameter's name: its noun and the word before it ("network exposure")."""
    if noun.lower() == "periodically":
        return "frequency"
    words = _WORD.findall(before)[-1:]
    return " ".join([w for w in words if w.lower() not in _FUNCTION_WORDS] + [noun])


def _valued_elsewhere(units: tuple[TextUnit, ...], here: TextUnit, name: str) -> bool:
    """Return True when another rule gives ``name`` a value outside an example."""
    pattern = re.compile(r"\b" + r"\s+".join(map(re.escape, name.split())) + r"\b", re.IGNORECASE)
    # the head noun right after an amount: "20% risk cap" values the "fixed cap"
    head = name.split()[-1]
    valued = re.compile(rf"\d\s*%?\s+(?:[A-Za-z-]+\s+)?{re.escape(head)}\b", re.IGNORECASE)
    for other in units:
        if other is here:
            continue
        text = _EXAMPLE.sub("", other.text)
        if valued.search(text) or (pattern.search(text) and has_quantity(text)):
            return True
    return False


_FUNCTION_WORDS = frozenset(
    ["a", "an", "the", "this", "that", "these", "those", "its", "their", "our", "your", "any",
     "each", "every", "of", "to", "in", "on", "at", "by", "for", "with", "from", "and", "or",
     "is", "are", "be", "as"]
)
