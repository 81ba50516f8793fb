"""Worked calculations whose stated result is not what their numbers give.

``arithmetic_errors`` reads every calculation the document writes out in numbers
("$1.8B * 1.0205 = $1.804", "600% * (5% - 3%) = 12%", "p' = 10000 / 3.15 ≈ 3174.60") and
works it out. When the result stated differs from what the numbers give by more than the
stated result's own rounding allows (rounded at its last decimal, or cut off there; 5% after
"≈"), the example, or a figure it uses, is wrong: an implementer who checks their
implementation against the example gets another number and cannot tell which one the method
means. An operand of four or more significant digits ("0.018495") is taken as a computed
value shown rounded, so a result worked from its unrounded value still agrees; a shorter one
("1.8", "5%") is a figure the example gives exactly. A slip in the last digit is of medium
severity, a result off by 1% or more high.

Only calculations written wholly in numbers are read: a symbol or word among the operands
("15m * 0.0002", "e^{0.0003 x T}") means the calculation is not all there, and it is left
alone, as are dates ("12/31/78 = 100.00", a base date and value), ranges ("5-10"), clock
times and equations without an operation ("1 = 100%", "0.9 = 90%": a legend or a
conversion). A minus sign, an en dash or an "x" counts as an operation only with spaces
around it. Percent signs and scales count ("5% * 2 = 10%", "$2 million * 3 = $6 million");
a result written without the scale its operands share may be read in that scale ("$1.8B *
1.0205 = $1.804" is read as 1.804 B, and is still wrong: the numbers give 1.8369 B), and a
result without a percent sign after percentages may be a percentage ("50% * 3 = 150").
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator

import attrs

from docsense.domain.findings import Category, Severity
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit

__all__ = ["arithmetic_errors", "evaluate"]

# Scales a number may carry, by how the document writes them.
_SCALES = {
    "%": 0.01, "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "t": 1e12, "trillion": 1e12,
}
_SCALE = (
    r"(?:\s?%|\s?(?:bn|mn|[kKMB])\b(?!\.\w)|\s(?:thousand|million|billion|trillion)\b"
    r"|(?i:\s?BN\b))"
)
_NUMBER = (
    r"[$\u20ac\u00a3\u00a5]?\s?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    rf"{_SCALE}?"
)
_OPERATOR = (
    r"\s*(?:[+*/^\u00d7\u00f7\u00b7]|(?<=\s)[-\u2212\u2013x](?=\s)|\\times|\\cdot|\\div)\s*"
)
_OPERAND = rf"\(*\s*[-\u2212]?{_NUMBER}\s*\)*"
_SEGMENT = rf"{_OPERAND}(?:{_OPERATOR}{_OPERAND})*"
_EQUALS = r"\s*(?:(?<![=<>!:])=(?![=>])|\u2248|~=)\s*"
# A chain of segments joined by "=" or "≈", not the tail of a longer expression (a word,
# a decimal point, a symbol's script or an operation before it) nor cut off inside one.
_CHAIN = re.compile(
    rf"(?<![\w.,:/^_{{}}\\)])(?:{_SEGMENT})(?:{_EQUALS}(?:{_SEGMENT}))+"
    rf"(?!\.\d|[\w(]|\s*(?:[+*/^\u00d7\u00f7\u00b7(]|\\times|\\cdot|\\div)|\s[-\u2212\u2013x]\s)"
)
_SPLIT = re.compile(rf"({_EQUALS})")
_TOKEN = re.compile(
    rf"\s*(?:(?P<number>{_NUMBER})|(?P<op>\\times|\\cdot|\\div|[-+*/^()\u2212\u2013\u00d7"
    r"\u00f7\u00b7x]))"
)
_DATE = re.compile(r"\b\d{1,4}/\d{1,2}/\d{1,4}\b")
# What comes before a chain that is only the tail of a longer calculation: an operation or
# an opening bracket ("e^{(0.0003 x 0.088)} x (27.30 - 24.90) = 1962.4").
_CUT_BEFORE = re.compile(
    r"(?:(?<=[\w)\]}])\s*[-+*/^\u2212\u2013\u00d7\u00f7\u00b7]|[(\[{]|\bx)\s*$"
)


@attrs.frozen
class _Number:
    value: float
    scale: str  # "" or a key of _SCALES
    decimals: int
    digits: int  # significant digits written


@attrs.frozen
class _Value:
    """A value worked out from the numbers as written, and the interval their rounding allows.

    A figure of four or more significant digits ("1.0205", "0.018495") is taken as a
    computed value shown rounded to its last digit; a shorter one ("1.8", "5%", "10") as a
    figure the example gives exactly.
    """

    value: float
    low: float
    high: float

    @classmethod
    def of(cls, number: _Number) -> _Value:
        """Return the value of one written number."""
        if number.digits < 4:
            return cls(number.value, number.value, number.value)
        half = 0.5 * 10.0**-number.decimals * _SCALES.get(number.scale, 1.0)
        return cls(number.value, number.value - half, number.value + half)

    def combine(self, other: _Value, op: str) -> _Value:
        """Return ``self op other`` (op one of + - * / ^), with its interval."""
        if op == "/" and other.low <= 0 <= other.high:
            raise ValueError("division by zero")
        if op == "^" and (abs(other.high) > 64 or (self.low < 0 and other.low != other.high)):
            raise ValueError("exponent out of range")
        apply = _APPLY[op]
        ends = [apply(a, b) for a in (self.low, self.high) for b in (other.low, other.high)]
        return _Value(apply(self.value, other.value), min(ends), max(ends))

    def negated(self) -> _Value:
        """Return the value with its sign changed."""
        return _Value(-self.value, -self.high, -self.low)


def _power(a: float, b: float) -> float:
    return float(a**b)


_APPLY: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "^": _power,
}


@attrs.frozen
class _Evaluated:
    value: _Value
    numbers: tuple[_Number, ...]
    operations: int


def _number(text: str) -> _Number:
    digits = re.sub(r"[^\d.]", "", re.split(r"[%a-zA-Z]", text.strip(), maxsplit=1)[0])
    tail = re.sub(r"[\s\d.,$\u20ac\u00a3\u00a5]", "", text).lower()
    scale = tail if tail in _SCALES else ""
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    significant = len(digits.replace(".", "").lstrip("0"))
    return _Number(float(digits) * _SCALES.get(scale, 1.0), scale, decimals, significant)


_OPERATOR_NAMES = {
    "\u2212": "-", "\u2013": "-", "\u00d7": "*", "x": "*", "\u00b7": "*", "\\times": "*",
    "\\cdot": "*", "\u00f7": "/", "\\div": "/",
}


class _Parser:
    """Arithmetic over numbers only: + - * / ^ and brackets, unary minus, no names."""

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                raise ValueError(text[pos:])
            if m.group("number") is not None:
                self.tokens.append(("n", m.group("number")))
            else:
                op = m.group("op")
                self.tokens.append(("o", _OPERATOR_NAMES.get(op, op)))
            pos = m.end()
        self.at = 0
        self.numbers: list[_Number] = []
        self.operations = 0

    def parse(self) -> _Evaluated:
        value = self._sum()
        if self.at != len(self.tokens):
            raise ValueError("trailing tokens")
        return _Evaluated(value, tuple(self.numbers), self.operations)

    def _peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise ValueError("incomplete")
        self.at += 1
        return self.tokens[self.at - 1]

    def _sum(self) -> _Value:
        return self._left_to_right(self._product, ("+", "-"))

    def _product(self) -> _Value:
        return self._left_to_right(self._power, ("*", "/"))

    def _left_to_right(self, operand: Callable[[], _Value], ops: tuple[str, str]) -> _Value:
        """Parse ``operand (op operand)*`` for one precedence level, applied left to right."""
        value = operand()
        while self._peek() in ops:
            op = self._take()[1]
            self.operations += 1
            value = value.combine(operand(), op)
        return value

    def _power(self) -> _Value:
        base = self._unary()
        if self._peek() == "^":
            self._take()
            self.operations += 1
            return base.combine(self._power(), "^")
        return base

    def _unary(self) -> _Value:
        if self._peek() == "-":
            self._take()
            return self._unary().negated()
        kind, text = self._take()
        if kind == "n":
            number = _number(text)
            self.numbers.append(number)
            return _Value.of(number)
        if text != "(":
            raise ValueError(text)
        value = self._sum()
        if self._take()[1] != ")":
            raise ValueError("unbalanced")
        return value


def evaluate(expression: str) -> float | None:
    """Return the value of an arithmetic ``expression`` written in numbers, or None.

    >>> round(evaluate("600% * (5% - 3%)") or 0, 6)
    0.12
    >>> round(evaluate("$1.8B \u00d7 1.0205") or 0)
    1836900000
    >>> evaluate("15m \u00d7 0.0002") is None  # "15m": a quantity the numbers do not give
    True
    """
    worked = _worked(expression)
    return worked.value.value if worked is not None else None


def _readings(stated: _Number, worked: _Evaluated) -> list[tuple[float, str]]:
    """Return the values the stated result may mean: as written, or in its operands' scale."""
    out = [(stated.value, stated.scale)]
    if not stated.scale:
        scales = {n.scale for n in worked.numbers if n.scale}
        if len(scales) == 1:
            scale = scales.pop()
            out.append((stated.value * _SCALES[scale], scale))
    return out


def _agrees(stated: _Number, worked: _Evaluated, approximate: bool) -> bool:
    """Return True if the stated result is the worked value, to the rounding allowed."""
    for reading, scale in _readings(stated, worked):
        # Rounded at the last decimal written (half a unit either way), or cut off there (up
        # to a unit further from zero).
        unit = 10.0**-stated.decimals * _SCALES.get(scale, 1.0)
        below, above = (0.5 * unit, unit) if reading >= 0 else (unit, 0.5 * unit)
        if approximate:
            below = above = max(above, 0.05 * abs(reading))
        slack = 1e-9 * max(abs(reading), 1.0)
        if worked.value.low <= reading + above + slack and (
            reading - below - slack <= worked.value.high
        ):
            return True
    return False


def _shown(value: float, stated: _Number, worked: _Evaluated) -> str:
    """``value`` written as the stated result would be, in its (or its operands') scale."""
    scale = _readings(stated, worked)[-1][1]
    places = min(max(stated.decimals + 2, 2), 6)
    text = f"{value / _SCALES.get(scale, 1.0):,.{places}f}".rstrip("0").rstrip(".")
    if scale == "%":
        return f"{text}%"
    return f"{text} {scale.upper() if len(scale) <= 2 else scale}" if scale else text


def arithmetic_errors(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report calculations written in numbers whose stated result the numbers do not give.

    "Market-adjusted breakpoint = $1.8B * 1.0205 = $1.804": 1.8 * 1.0205 is 1.8369, so the
    worked example (or the rule it illustrates) is wrong. See the module docstring for what
    is read as a calculation and how rounding is allowed for.
    """
    text = ctx.body_text()
    if "=" not in text and "\u2248" not in text:
        return
    for m in ctx.finditer_body(_CHAIN):
        chain = m.group(0)
        if _DATE.search(chain) or _CUT_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue
        parts = _SPLIT.split(chain)
        segments, signs = parts[::2], parts[1::2]
        for i, sign in enumerate(signs):
            left, right = segments[i], segments[i + 1]
            worked = _worked(left)
            if worked is None or worked.operations == 0:
                continue  # "1 = 100%": a legend or a conversion, not a calculation
            stated = _stated(right)
            if stated is None or _agrees(stated, worked, "=" not in sign or "~" in sign):
                continue
            start = m.start() + sum(len(p) for p in parts[: 2 * i])
            end = start + len(left) + len(sign) + len(right.rstrip())
            start += len(left) - len(left.lstrip())
            expression = " ".join(left.split())
            result = " ".join(right.split())
            yield CheckHit(
                start=start,
                end=end,
                title=f"Calculation does not give its stated result: {expression} = {result}",
                description=f"{expression} gives {_shown(worked.value.value, stated, worked)}, not "
                f"{result}. The example, or a figure it uses, is wrong, and an implementer "
                "checking their numbers against it cannot tell which.",
                suggested_fix="Recompute the calculation and correct the result, or the "
                "figure it starts from.",
                replacement=f"{expression} = [[specify: the correct result]]",
                category=Category.INCONSISTENT_CONTENT,
                # A slip in the last digit misleads less than a result off by a percent.
                severity=Severity.HIGH if _relative_gap(stated, worked) >= 0.01
                else Severity.MEDIUM,
                confidence=0.85,
                subject=f"{expression} = {result}",
            )


def _relative_gap(stated: _Number, worked: _Evaluated) -> float:
    """How far the stated result is from the worked value, relative to that value."""
    reading = _readings(stated, worked)[-1][0]
    return abs(reading - worked.value.value) / max(abs(worked.value.value), 1e-12)


def _worked(segment: str) -> _Evaluated | None:
    try:
        worked = _Parser(segment).parse()
    except (ValueError, OverflowError, ZeroDivisionError):
        return None
    return worked if math.isfinite(worked.value.low) and math.isfinite(worked.value.high) else None


def _stated(segment: str) -> _Number | None:
    """Return the stated result: one number, possibly negative, possibly in brackets."""
    core = segment.strip().strip("()").strip()
    negative = core[:1] in ("-", "\u2212")
    core = core[1:].strip() if negative else core
    if not re.fullmatch(_NUMBER, core):
        return None
    number = _number(core)
    return attrs.evolve(number, value=-number.value) if negative else number
