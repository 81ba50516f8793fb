"""Formulas that are incomplete: undefined variables, or no formula where one is needed.

- ``formula_undefined_variables`` reads the IR's formulas: each formula with undefined
  variables gives one finding quoting the formula, whose replacement keeps the formula and
  appends a ``where`` clause with a placeholder per missing definition. A division by such a
  variable is called out, since its zero case is then unspecified too.
- ``calculation_in_words``: a quantity said to be calculated ("is calculated based on",
  "computes X from", "the equations used to calculate X") where no formula or code follows
  in its section: the inputs are named, the arithmetic is not. A calculation spelt out with
  its operations ("by dividing A by B", "as 0.5% of the notional") is a formula in words and
  is not reported, and neither is one "calculated using a robust methodology" (a method
  named, not described), "calculated as designed" (conformance) or "derives no revenue
  from" (nothing derived). One finding per
  calculated quantity.
- ``statistic_without_window``: a volatility, standard deviation, variance, correlation or
  mean the method estimates ("where sigma_i is the volatility of commodity i", "(Spread_t -
  Mean) / StDev") when no sentence of the document says over which observations: the
  window decides the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category
from docsense.domain.ir import Formula
from docsense.domain.policies import Check
from docsense.review.checks.base import (
    CheckContext,
    CheckHit,
    clause_start,
    has_quantity,
    mentions,
)

__all__ = [
    "calculation_in_words",
    "formula_undefined_variables",
    "statistic_without_window",
]

# "Number of constituents" names its own definition: the size of a set the text defines.
_COUNT = re.compile(r"^\s*(?:the\s+)?(?:total\s+)?(?:number|count)\s+of\s+\w", re.IGNORECASE)
# "Sum of prices after split": an operand written as a description in plain words, with a
# preposition, says what it is; it is not a symbol waiting for a definition.
_DESCRIPTION = re.compile(
    # ("Time until next Funding": a later word of the object may be a capitalised name)
    r"^[A-Za-z][a-z]*(?:\s+[a-z]+)*\s+(?:after|before|of|in|at|on|over|per|from|during|for|"
    r"until|since|between)\s+[a-z]+(?:\s+(?:[a-z]+|[A-Z][a-z]+))*$"
    # ("fiat-pegged tokens": hyphenated words too)
    r"|^[A-Za-z][a-z]{2,}(?:-[a-z]+)*(?:\s+[a-z]{3,}(?:-[a-z]+)*){1,4}$"
    # "Z score of ROE", "Z Score of P/E": a statistic of a named ratio, in words
    r"|^[A-Z](?:[a-z]+)?(?:\s+[A-Za-z][a-z]+){1,2}\s+of\s+(?:[A-Z]{2,5}|[A-Z]{1,2}/[A-Z]{1,2})$"
    # "BAYC floor price", "Pudgy Penguins floor price": a quantity in words, of a named thing
    r"|^(?:[A-Z][\w&.'-]*\s+){1,3}[a-z]{3,}(?:\s+[a-z]{3,}){0,3}$"
    # "Average fill price to execute a typical short trade", "Average of Impact Bid Price
    # and Impact Ask Price": five words or more with a small word between them
    r"|^(?=(?:\S+\s+){4,}\S+$).*\s(?:a|an|the|to|of|and|or|with|by|for)\s"
)  # "Sum of prices after split", "Minutes in a year"; "max(last price, floor price)",
# "Cov(Price change, Order flow)": ordinary words in sentence case, not a Named Quantity


# "s T_{1}sigma_{1}^{2} T^{2}": symbols of a root or fraction the PDF laid side by side, read as
# one name; no one names a variable so.
# So are two scripts in a row ("ψ_{s r s≠r}_{rs}") and a symbol glued after a script
# ("IM_{r}IM", "AddOnFactor_{p}Notional_{p}"): products the PDF printed without a sign.
_STACKED_SYMBOLS = re.compile(
    "[_^]\\{[^{}]*\\}(?:\\S*\\s+\\S|[_^]\\{|[A-Za-z\u0370-\u03ff])"
)


# Signs with nothing between them, a script hanging on a sign or holding only a sign
# ("( * * )", "+_{-}_{1}", "ExcessReturn_{-}"): a fraction or a sum the PDF laid out in
# pieces.
# A TeX PDF's large operators as its text layer gives them: the sum sign as "P", the
# product as "Q", the integral as "Z", each with its limits ("P_{k̸=j} r_{k}", "Z_{0}^{u}
# g(x)dx"). Such a formula's symbols cannot be read reliably.
_TEX_BIG_OPERATOR = re.compile(
    r"(?<![A-Za-z])[PQZ]_\{[^{}]{1,12}\}(?:\^\{[^{}]{1,12}\})?\s+[A-Za-zͰ-Ͽ]"
)
_ORPHAN_SIGNS = re.compile(
    "[+*\u2217\u00d7/=\u2212-]\\s*(?:[_^]\\{|[+*\u2217\u00d7/)])|[_^]\\{[+\u2212-]\\}"
)


def _brackets_balanced(text: str) -> bool:
    """Return False when a ")" comes before its "(" or one is left open (a PDF's reordering)."""
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


# The functions of arithmetic, by the names formulas written in words give them.
_FUNCTION_NAMES = frozenset(
    ["max", "min", "maximum", "minimum", "sum", "abs", "avg", "average", "mean", "median",
     "log", "ln", "exp", "sqrt", "round", "floor", "ceil", "ceiling", "sign", "stdev", "std"]
)


# A statistic named in code ("ArithmeticMean", "WeightedAverage"): applied, it is the
# standard operation its words say.
_STATISTIC_FUNCTION = re.compile(
    r"(?:[A-Z][a-z]+)+(?:Mean|Median|Average|Sum|Max|Min|Variance|Deviation)"
)


def _applied_function(name: str, text: str) -> bool:
    """Return True for a function of arithmetic applied in the formula ("Maximum(H-L, ...)").

    A statistic named in code counts too: "2^{ArithmeticMean(log_{2}{P})}".
    """
    if name.strip().lower() not in _FUNCTION_NAMES and not _STATISTIC_FUNCTION.fullmatch(
        name.strip()
    ):
        return False
    return re.search(rf"\b{re.escape(name.strip())}\s*\(", text) is not None


def _spelt_out(ctx: CheckContext, name: str) -> bool:
    """Return True for an initialism whose words the text spells out ("MA": moving average).

    "Calculate a moving average price ... The MA price should be updated each epoch": the
    reader knows what MA is, though no "(MA)" follows the words.
    """
    if not re.fullmatch(r"[A-Z]{2,4}", name):
        return False
    words = r"[\s-]+".join(rf"{letter}[a-z]+" for letter in name.lower())
    return ctx.search_body(re.compile(rf"\b{words}\b", re.IGNORECASE)) is not None


# The left side of a function's definition: its name, then its parameters in brackets.
_SIGNATURE = re.compile(
    r"^\s*(?:\\(?:text|mathrm|operatorname)\{)?[A-Za-z][\w.]*\}?\s*"
    r"\((?P<args>[A-Za-z\u0370-\u03ff]\w*(?:\s*[,;]\s*[A-Za-z\u0370-\u03ff]\w*)+)\)\s*$"
)


# An ellipsis in an enumerated range: "...", "\ldots", "\dots", "\cdots", "…".
_ELLIPSIS = r"(?:\.\.\.|\\[lc]?dots|\u2026)"


def _self_defined(name: str, text: str) -> bool:
    """Return True for names needing no definition.

    Counts, operands described in words, the formula's own name (and any word only its left
    side uses), the parameters of a function it defines, indices (a letter given its start
    on the right-hand side, "x=t-17280", ranges over a sum) and the last index of an
    enumerated range ("n = 0, 1, ..., M").
    """
    if not name.strip() or _COUNT.match(name) or _DESCRIPTION.match(name.strip()):
        return True
    lhs = text.split("=", 1)[0] if "=" in text else ""
    if name.strip() == re.split(r"[(_\[]", lhs.strip(), maxsplit=1)[0].strip():
        return True
    signature = _SIGNATURE.match(lhs)
    if signature and name.strip() in re.split(r"\s*[,;]\s*", signature.group("args").strip()):
        return True  # "clamp(a,b;x) = min(b, max(a, x))": the parameters of the function
    escaped = re.escape(name)
    rhs = text.split("=", 1)[1] if "=" in text else ""
    if rhs and _used_in(name, lhs) and not _used_in(name, rhs):
        return True  # "The collateral paid/received = FundingRate * ...": the left side
        # names what the formula defines; its words are not inputs
    return len(name) == 1 and bool(
        # ("targetBasket[i]": an index in square brackets too)
        re.search(rf"\w[(\[]\s*{escaped}\s*(?:[-+]\s*\d+)?\s*[)\]]|_\{{?{escaped}\b", text)
        # "Index Level_{t} = x=t-17280 ...": a sum's bound variable, its limits flattened
        or re.search(rf"(?<![\w.]){escaped}\s*=\s*[\w(]", rhs)
        # "n = 0, 1, ..., M", "l=1,2,\ldots ,L": the last index of a range, its count
        or re.search(rf"=\s*\d+\s*,\s*(?:\d+\s*,\s*)?{_ELLIPSIS}\s*,?\s*{escaped}(?!\w)", text)
    )


def _used_in(name: str, text: str) -> bool:
    """Return True if ``name`` stands in ``text`` as a word or words of its own."""
    words = r"\s+".join(re.escape(w) for w in name.split())
    return re.search(rf"(?<![\w.]){words}(?![\w])", text) is not None


# An operand written as words ("Bid Factor", "Upper Wall Price", "Reserves"): words of
# letters only, each of three letters or more, no scripts.
_WORDS_NAME = re.compile(r"[A-Za-z][a-z]{2,}(?:[ \t]+[A-Za-z][a-z]{2,}){0,3}")


def _introduced_before(ctx: CheckContext, name: str, offset: int) -> bool:
    """Return True when the paragraph leading into the formula at ``offset`` describes ``name``.

    "Capacity of the lower wall should be the amount of reserves in the Treasury multiplied
    by a configured bid factor (percent of reserves to use for each wall)." then "Bid
    Capacity = Bid Factor * Reserves": the sentence says, in lower case, what each operand
    written in words is. A name of one word must come with what it is ("reserves in the
    Treasury"): "dividing momentum by volatility" only restates the formula.
    """
    if not _WORDS_NAME.fullmatch(name) or name.islower():
        return False
    before = ctx.markdown[max(0, offset - 800) : offset].rstrip()
    lead = before[before.rfind("\n\n") + 2 :] if "\n\n" in before else before
    words = r"\s+".join(re.escape(w.lower()) for w in name.split())
    # (one word: followed by a bracket or "in/of ... <word>", what it is)
    gloss = r"\s*\(|\s+(?:in|of|held|from|at)\s+(?:the\s+)?[A-Za-z]" if " " not in name else ""
    return re.search(rf"(?<![\w.]){words}(?!\w)(?={gloss})", lead) is not None


# The words that qualify a defined quantity without changing what it is: "Total Market Cap"
# and "Token Market Cap" where "Market Cap" is defined.
_QUALIFIERS = frozenset(
    ["total", "token", "asset", "index", "current", "new", "old", "previous", "prior",
     "initial", "final", "adjusted", "capped", "aggregate", "individual", "constituent",
     "component"]
)


def _qualifies_a_term(ctx: CheckContext, name: str) -> bool:
    """Return True for a defined term with a qualifier before it ("Total Market Cap")."""
    words = re.split(r"[\s_]+", name.strip())
    if len(words) < 2 or words[0].lower() not in _QUALIFIERS:
        return False
    rest = " ".join(words[1:]).lower()
    return any(t.term.lower() == rest for t in ctx.ir.terms)


def _member_of_a_term(ctx: CheckContext, name: str) -> bool:
    """Return True for a member of a defined structure whose definition names the member.

    "buyUpTo = weight.low * limit.low" where "**Weights** ... Expressed as D27 values with
    low/spot/high ranges" defines the weights and their low member.
    """
    dotted = re.fullmatch(r"(?P<base>[A-Za-z]\w*)\.(?P<member>[A-Za-z]\w*)", name.strip())
    if dotted is None:
        return False
    base = dotted.group("base").lower().rstrip("s")
    member = re.compile(rf"\b{re.escape(dotted.group('member'))}\b", re.IGNORECASE)
    return any(
        t.term.lower().rstrip("s") == base and member.search(t.definition) is not None
        for t in ctx.ir.terms
    )


def _valued_on_line(ctx: CheckContext, name: str, offset: int) -> bool:
    """Return True when the line leading into the formula gives ``name`` an amount.

    "2. Using $1M notional: Shares = (Notional * Capped_Weight) / Price": the notional is
    $1M.
    """
    amount = r"[$€£]?\d[\d.,]*\s*(?:[kKmMbB]|thousand|million|billion)?"
    words = r"\s+".join(re.escape(w) for w in re.split(r"[\s_]+", name.strip()))
    pattern = rf"(?<![\w.]){amount}\s+{words}\b"
    return re.search(pattern, ctx.line_before(offset), re.IGNORECASE) is not None


# The branch of a tree drawn in text: "├── ", "└── ", "│   ".
_DIAGRAM_NODE = re.compile(r"\s*[\u2500-\u257f]")


def _spelt_out_next(ctx: CheckContext, index: int, how: str) -> bool:
    """Return True when the next sentence of the paragraph spells out the method ``how`` names.

    It opens with "The", "This" or "Its" and a word of the method's phrase ("a custom weight
    function" -> "The weight function assigns ...") and states quantities.
    """
    units = ctx.rule_units
    if index + 1 >= len(units) or not ctx.same_paragraph(units[index], units[index + 1]):
        return False
    phrase = re.split(r"[,;.]", how, maxsplit=1)[0]
    named = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", phrase)}
    following = units[index + 1].text
    opening = re.match(r"\s*(?:the|this|its)\s+(?:[\w-]+\s+){0,2}?([A-Za-z]{4,})", following,
                       re.IGNORECASE)
    return bool(opening and opening.group(1).lower() in named and has_quantity(following))


def _accounted_for(ctx: CheckContext, name: str, formula: Formula) -> bool:
    """Return True when ``formula``'s operand ``name`` needs no definition of its own.

    It defines itself (a count, words, an index, the left side), is a function of
    arithmetic applied, an initialism spelt out, described by the lead-in paragraph, a
    qualified defined term or a member of one, given an amount on the line before, a
    market's own field ("Close", "Mid_Price") or a standard indicator with its window, the
    unit a price is quoted per ("USD/oz"), or a unit written after numbers ("4s - 0s").
    """
    start = formula.location.start
    return (
        _self_defined(name, formula.text)
        or _applied_function(name, formula.text)
        or _spelt_out(ctx, name)
        or _introduced_before(ctx, name, start)
        or _qualifies_a_term(ctx, name)
        or _member_of_a_term(ctx, name)
        or _valued_on_line(ctx, name, start)
        or _market_field(name, formula)
        or _unit_of_a_price(name, formula.text)
        or _unit_after_numbers(name, formula.text)
    )


# A price's unit: a currency per unit of the thing priced ("USD/oz", "EUR/MWh", "$/bbl").
_PER_UNIT = r"(?:\b[A-Z]{3}|[$\u20ac\u00a3])\s*/\s*"


def _unit_of_a_price(name: str, text: str) -> bool:
    """Return True when ``name`` is the unit a price is quoted per, not a quantity.

    "P_i = Spot price of metal i (USD/oz)": "oz" is the troy ounce, nothing divides by it.
    """
    return re.fullmatch(r"[A-Za-z]{1,5}", name) is not None and re.search(
        _PER_UNIT + re.escape(name) + r"(?![\w/])", text
    ) is not None


def _unit_after_numbers(name: str, text: str) -> bool:
    """Return True when ``name`` only ever follows a number: a unit ("(4s - 0s)", seconds).

    It must stand so at least twice; a letter once after a number may be a product.
    """
    if re.fullmatch(r"[A-Za-z]{1,3}", name) is None:
        return False
    uses = [m.start() for m in re.finditer(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])",
                                           text)]
    return len(uses) >= 2 and all(at > 0 and text[at - 1].isdigit() for at in uses)


# A market's own fields, which every price feed carries under these names: the open, high,
# low and close of a bar, the last traded price, the bid, the ask and the mid. In a trading
# rule "Close" or "Mid_Price" is as plain as "+"; which feed gives them is a data-source
# question (``unnamed_data_sources``), not a definition missing. The volume is not among
# them: its unit and window change its value.
_MARKET_FIELD = re.compile(
    r"(?:open|high|low|close|closing|last|bid|ask|mid)(?:[\s_-]*price)?|price",
    re.IGNORECASE,
)
# A statistic named as one over a moving window: "Rolling Mean", "Moving Average", "Rolling
# Std Dev" (of the series the formula reads). A bare "std_dev" or "Mean" says neither of
# what nor over which observations, and stays a symbol to define.
_STATISTIC_NAME = re.compile(
    r"(?:rolling|moving|trailing)[\s_-]+(?:mean|average|median|"
    r"std\.?[\s_-]*dev(?:iation)?|standard[\s_-]+deviation|stdev|variance)",
    re.IGNORECASE,
)
# A standard indicator with its window in its name: "ATR_14", "SMA50", "RSI(14)".
_INDICATOR = re.compile(r"(?:ATR|SMA|EMA|WMA|RSI|ADX|VWAP|TWAP)[\s_-]*\(?\d{1,3}\)?")
# A bar's window or time written after a field: "Low14", "High_14", "Close_t", "Close_{t-1}".
_BAR_SUFFIX = re.compile(r"[\s_]*(?:\{?(?:\d{1,3}|[tT](?:[-+]\d)?|i)\}?)?$")
# The fields of a bar, which a window in the name qualifies ("Low14": the 14-bar low).
_BAR_FIELD = re.compile(r"(?:open|high|low|close)", re.IGNORECASE)
# A bar's fields by their initials, read so only where the high and the low are both there:
# "TR = Maximum(H - L, ...)"; "C" or "L" alone is too often a collateral, a cost or a limit.
_BAR_INITIALS = frozenset("OHLC")


def _market_field(name: str, formula: Formula) -> bool:
    """Return True for a market's own field, a statistic by name or a standard indicator.

    "%K = (Close - Low14) / (High14 - Low14)", "%B = (Price - Lower Band) / (...)",
    "Stop = Entry - 2 * ATR_14": each operand is what every feed and charting package
    calls by that name.
    """
    name = name.strip()
    bare = _BAR_SUFFIX.sub("", name) or name
    if _INDICATOR.fullmatch(name) or _STATISTIC_NAME.fullmatch(bare) or (
        _MARKET_FIELD.fullmatch(bare)
        # ("Bid0", "Ask_1": a level of the order book, which book and depth left open)
        and (not re.search(r"\d", name) or _BAR_FIELD.match(bare))
    ):
        return True
    if bare in _BAR_INITIALS:
        initials = {_BAR_SUFFIX.sub("", v.name.strip()) for v in formula.variables}
        return {"H", "L"} <= initials
    return False


# A heading that is a function's signature: "### Liquidate(Account, MaxAmount)".
_HEADING_SIGNATURE = re.compile(r"\b[A-Za-z]\w*\((?P<args>[^()\n]{1,80})\)")


def _signature_parameters(ctx: CheckContext, offset: int) -> set[str]:
    """Return the parameters named by the function signatures heading the sections at ``offset``.

    Under "Buy(Trader, Price, Amount) / Sell(Trader, Price, Amount)" the formulas of that
    operation use its parameters, which the heading declares.
    """
    names: set[str] = set()
    for section in ctx.sections:
        if section.start <= offset < section.end and "(" in section.heading:
            for m in _HEADING_SIGNATURE.finditer(section.heading):
                names.update(a.strip() for a in m.group("args").split(",") if a.strip())
    return names


# A running index written as a subscript: "_j", "_{k}", "_i,t", "_t-1", "_1" (P_1 ... P_{t-1}).
_INDEX_SCRIPT = re.compile(
    r"_\{?(?:[a-z]\d?(?:[-+]\d)?|\d{1,2})(?:,(?:[a-z]\d?(?:[-+]\d)?|\d{1,2}))*\}?$"
)


# A label subscript numbered for siblings: the "1" of "N_T1", the "₂" of "N_T₂".
_NUMBERED_LABEL = re.compile(r"(?<=_[A-Za-z])[\d\u2080-\u2089]{1,2}$")


def formula_undefined_variables(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report formulas using variables the document does not define."""
    seen: set[tuple[int, int]] = set()
    for formula in ctx.ir.formulas:
        if ctx.informative_at(formula.location.start):
            continue  # a worked example or the background: the method's formulas are elsewhere
        if _DIAGRAM_NODE.match(ctx.line_before(formula.location.start) + formula.text):
            continue  # "└── Profit = Ask Price - Bid Price - Transaction Costs": a node of an
            # outline drawn as a tree, not a formula of the method
        missing = [
            v for v in formula.undefined_variables if not _accounted_for(ctx, v, formula)
        ]
        if missing:
            bound = _signature_parameters(ctx, formula.location.start)
            missing = [v for v in missing if v not in bound]
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
        garbled = (
            "\ufffd" in formula.text
            or not _brackets_balanced(formula.text)
            or _ORPHAN_SIGNS.search(formula.text) is not None
            or _ORPHAN_SIGNS.search(quote) is not None  # "( * * )_{t Long Short}": scattered
            or any(_STACKED_SYMBOLS.search(v) for v in missing)
            or _TEX_BIG_OPERATOR.search(formula.text) is not None
        )
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
            # "V_j" in one formula and "V_k" in the next are one undefined symbol, V.
            # So are "N_T₁" and "N_T₂", the near and the next term's N_T.
            subject=", ".join(
                dict.fromkeys(_NUMBERED_LABEL.sub("", _INDEX_SCRIPT.sub("", v)) for v in missing)
            ).lower(),
        )


# A quantity said to be calculated, and how: "is calculated based on", "will be computed
# from", "is formulated as"; "calculates the spread from"; "the equations used to calculate".
_CALCULATED = re.compile(
    r"\b(?:is|are|will\s+be|shall\s+be|must\s+be|should\s+be|can\s+be|gets?|being)\s+"
    r"(?:\w+ly\s+)?(?:calculated|computed|derived|formulated|estimated)\s+"
    # ("calculated as of the reference date": when, not how)
    r"(?P<how>as(?!\s+of\b)|from|using|with|based\s+on|through|via|in\s+terms\s+of|by\s+\w+ing|"
    r"assuming)\b"
    r"|\b(?P<verb>calculates|computes|derives|estimates)\s+(?P<what>(?:[\w'/-]+\s+){1,8}?)"
    r"(?:from|using|based\s+on|as)\b"
    r"|\b(?:equations?|formulae|formulas?)\s+(?:used\s+)?(?:to|for)\s+"
    r"(?:calculat\w*|comput\w*|determin\w*)\s+(?P<target>(?:[\w'/-]+\s+){0,7}[\w'/-]+)",
    re.IGNORECASE,
)
_CALCULATED_WORDS = (  # every match of _CALCULATED holds one of these
    "calculated", "computed", "derived", "formulated", "estimated", "calculates", "computes",
    "derives", "estimates", "equation", "formula",
)
# The arithmetic is spelt out: an operation or a symbol after the verb.
_ARITHMETIC = re.compile(
    r"[=+*/\u00d7\u00f7\u2211%$]|\b(?:divid\w*|multipl\w*|times|minus|plus|subtract\w*|"
    r"add(?:s|ing)?|ratio\s+of\s+.+\s+to|product\s+of|difference\s+between|square\s+root|"
    r"logarithm|exponential"
    # A standard statistic of named inputs: "calculated as the median of the sources".
    r"|(?:median|maximum|minimum|max|min|highest|lowest)\s+of\s+(?:the\s+|all\s+|each\s+)?"
    r"[a-z]\w*)\b",
    re.IGNORECASE,
)
# "as described in Section 4", "see below", "as follows": the calculation is given elsewhere.
_POINTER = re.compile(
    r"\b(?:described|set\s+out|specified|defined|detailed|shown|given)\s+(?:in|below|above|"
    r"under)\b|\b(?:see|per)\s+(?:section|appendix|annex|schedule|table|the\s+table|below|"
    r"above)\b|\bas\s+follows\b|\bthe\s+following\s+(?:formula|equation|steps?)\b|"
    r"\b(?:section|appendix|annex|schedule)\s+[\dA-Z]"
    # A link to the code or a reference implementation: "[Here](...) is a reference
    # implementation ... that calculates the TWAP".
    r"|\]\(https?://|\b(?:reference\s+)?implementation\b",
    re.IGNORECASE,
)
# "calculated using a robust and resilient methodology": a method named, not a calculation.
# ("using robust and resilient methodologies": plural, with no article)
_BY_METHOD = re.compile(
    r"\s*(?:(?:an?|the|its|our|their)\s+)?(?:[\w-]+\s+){0,4}?(?:methodolog(?:y|ies)|methods?|"
    r"approach(?:es)?|frameworks?|process(?:es)?|procedures?)\b",
    re.IGNORECASE,
)
# A quantity whose name is its operation: "where the median is calculated using the
# volume-weighted average prices of the candidate markets".
_NAMED_OPERATION = re.compile(
    r"(?:the\s+)?(?:median|mean|average|sum|total|maximum|minimum|max|min)", re.IGNORECASE
)
# The sentence after points to the formulas: "For concrete formulas see [the section on
# solving](the-problem) or CIP-38".
_FORMULAS_ELSEWHERE = re.compile(
    r"\A[^\n]{0,40}?\b(?:formulas?|formulae|equations?|calculations?|details)\b[^\n.]{0,30}?"
    r"\b(?:see|in|at|refer\s+to)\s+\[",
    re.IGNORECASE,
)
# "calculated as designed.", "as intended,": a past participle that ends the clause.
_AS_INTENDED = re.compile(r"\s+\w+ed\s*(?:[,;:.)]|$)")
# "calculated as the sum of", "as a weighted average over", "as 2 times": after "as", an
# operation on something; a noun phrase with nothing after it names a role or a form.
_AS_OPERATION = re.compile(
    r"\s*(?:(?:an?|the)\s+)?(?:[\w-]+\s+){0,3}?(?:of|between|over|across|from|per|times|"
    r"divided|multiplied|weighted|minus|plus)\b",
    re.IGNORECASE,
)
# A cryptographic digest is computed by the algorithm its name gives, not by a formula.
_DIGEST = re.compile(
    r"\b(?:hash(?:es)?|checksums?|digests?|signatures?|fingerprints?)\b(?!\s+(?:rates?|power))",
    re.IGNORECASE,
)  # not "the implied hash rate", a quantity
# "derives no revenue from": nothing is derived.
_NOTHING = re.compile(r"(?:no|not|none|nothing)\b", re.IGNORECASE)
# The name of a calculated quantity is words: "USD AR* .SOLSTAE" is a table the PDF flattened.
_NAME_LIKE = re.compile(r"[\w\s'()/$&-]+")
_LEADING = re.compile(r"^(?:(?:the|a|an|its|their|each|every|this|that)\s+)+", re.IGNORECASE)
# Where the name of the calculated quantity ends: "the spread are slightly different".
_QUANTITY_END = re.compile(
    r"\s+(?:is|are|was|were|will|shall|can|may|for|in|on|at|because|when|if)\b.*$",
    re.IGNORECASE,
)
#: A document with at least this many formulas writes its method as formulas: a calculation
#: it describes in words is a summary of one of them.
FORMULA_DOCUMENT = 3


def _has_formula_near(ctx: CheckContext, start: int, end: int) -> bool:
    """Return True if a formula or a code block lies in the section of ``start``, or just after."""
    sec = ctx.section_at(start)
    lo, hi = (sec.start, sec.end) if sec is not None else (start, end)
    hi = max(hi, end + 400)
    if any(lo <= f.location.start < hi for f in ctx.ir.formulas):
        return True
    return "```" in ctx.markdown[lo:hi] or "$$" in ctx.markdown[lo:hi]


def _calculated_quantity(text: str, m: re.Match[str]) -> str:
    """Return the quantity a calculation match is about, as written ("the reservation price")."""
    if m.group("verb"):
        return m.group("what").strip()
    if m.group("target"):
        return _QUANTITY_END.sub("", m.group("target").strip())
    rel = clause_start(text, m.start(), max_words=10)
    quantity = text[rel : m.start()].strip(" ,;:-*")
    if quantity.lower() in ("which", "that") and text[:rel].rstrip().endswith(","):
        # "uses company-level weights, which are derived using ...": the noun before
        before = text[:rel].rstrip().rstrip(",")
        words = before[clause_start(before, len(before), max_words=6) :].split()
        verbs = [i for i, w in enumerate(words) if w.lower() in _VERB_LEAD]
        quantity = " ".join(words[verbs[-1] + 1 :] if verbs else words).strip(" ,;:-*")
    joined = _CLAUSES_JOINED.search(quantity)
    if joined is not None:  # "the oracle will have a whitelist of sources and the price": the
        quantity = quantity[joined.end() :]  # second clause's subject is what is calculated
    return quantity


# Two clauses joined by "and": the first has a verb of its own ("the oracle will have a
# trusted whitelist of sources and the price is calculated as ...").
_CLAUSES_JOINED = re.compile(
    r"^.*\b(?:is|are|was|were|will|has|have|had|can|may|must|shall)\b.*?\s(?:and|but)\s+",
    re.IGNORECASE | re.DOTALL,  # a PDF line may end inside the clause
)


# Words that open a clause before the noun a relative pronoun points back to ("uses").
_VERB_LEAD = frozenset({"uses", "use", "using", "takes", "applies", "employs", "has", "have"})


# A relative clause of possibility right before the verb: "... that can be derived from".
_WHAT_CAN_BE = re.compile(r"\b(?:that|which)\s+(?:can|could|may)\s+be\s+\w+$", re.IGNORECASE)


def calculation_in_words(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report quantities whose calculation is described in words, with no formula given.

    Not in a document of :data:`FORMULA_DOCUMENT` formulas or more, where such a sentence
    summarises a formula given elsewhere.
    """
    if len(ctx.ir.formulas) >= FORMULA_DOCUMENT:
        return
    units = ctx.rule_units
    for index, (unit, low) in enumerate(zip(units, ctx.rule_folded, strict=True)):
        if not mentions(low, _CALCULATED_WORDS) or unit.text.rstrip().endswith(":"):
            continue  # no match possible, or the sentence introduces what follows
        if _POINTER.search(unit.text):
            continue  # the calculation is given elsewhere
        for m in _CALCULATED.finditer(unit.text):
            after = unit.text[m.end() :]
            if m.group("how") and re.match(r"\s*[,;:.)]|\s*$|\s+\S+(?:\s+\S+)?\s+as\s", after):
                continue  # "the price that collateralization is calculated with, ...": the
                # preposition ends a relative clause whose input was named before it; "are
                # computed using USD as quote currency": a convention, not a calculation
            if _ARITHMETIC.search(after) or _ARITHMETIC.search(m.group(0)) or has_quantity(after):
                continue  # the operations, or the numbers, are spelt out
            if m.group("how") == "as" and (
                _AS_INTENDED.match(after) or not _AS_OPERATION.match(after)
            ):
                continue  # "are calculated as designed.": conformance, not a method; "are
                # computed as a supplementary breakdown and reported": a role, not a method
            if m.group("how") and _BY_METHOD.match(after):
                continue  # the method is named; whether it is given is another check's matter
            if m.group("how") and _spelt_out_next(ctx, index, after):
                continue  # "is calculated using a custom weight function. The weight
                # function assigns a weight of 0 percent to the first interval, ...": the
                # next sentence gives the operation, with its numbers
            if m.group("verb") and _NOTHING.match(m.group("what")):
                continue
            if _WHAT_CAN_BE.search(unit.text, 0, m.start() + 12) and re.match(
                r"\s*(?:can|could|may)\b", unit.text[m.start() :]
            ):
                continue  # "market activity that can be derived from exchange data": what
                # kind of information, not a calculation the method performs
            quantity = " ".join(_calculated_quantity(unit.text, m).split())
            if _NAMED_OPERATION.fullmatch(quantity):
                continue  # "the median is calculated using the prices of ...": the name says
                # what is done to the inputs
            if _FORMULAS_ELSEWHERE.search(ctx.markdown[unit.end : unit.end + 200].lstrip()):
                break  # "... For concrete formulas see [the section on solving](...)"
            if _DIGEST.search(quantity):
                continue  # "SHA-256 snapshot hashes are computed from ...": a named algorithm
            subject = _LEADING.sub("", quantity).lower()
            if len(re.findall(r"[a-z]", subject)) < 3 or not _NAME_LIKE.fullmatch(quantity):
                continue
            if _has_formula_near(ctx, unit.start, unit.end):
                break
            shown = quantity if len(quantity) <= 60 else quantity[:57] + "..."
            yield CheckHit(
                start=unit.start,
                end=unit.end,
                title=f"Calculation given only in words: {shown}",
                description=f"The document says how {quantity} is calculated only in words: "
                "it names the inputs but gives no formula, so the operations, their order, "
                "the units and the edge cases (missing or zero inputs) are left to the "
                "implementer.",
                suggested_fix="Give the formula, with every variable defined (unit, source, "
                "observation date or window), or spell out each operation.",
                replacement=f"{unit.text.rstrip()} ([[specify: formula for {quantity}]])",
                category=Category.INCOMPLETE_FORMULA,
                confidence=0.55,
                subject=subject,
            )
            break  # one calculation per sentence


# A statistic estimated from a series: which observations it is taken over decides its value.
_STATISTIC = (
    r"(?P<stat>volatility|standard\s+deviation|variance|covariance|correlation|"
    r"(?:arithmetic\s+|simple\s+)?mean)"
)
# A symbol defined as a statistic: "sigma_i is the volatility of commodity i", "where
# sigma_t is the realised volatility of the 60/40 mix". Not a target or a cap named after
# one ("TR is the 10% annual volatility target"), and not a statistic of values the text has
# listed ("the arithmetic mean of these time differences").
_DEFINED_AS_STATISTIC = re.compile(
    r"(?<![\w\u0370-\u03ff])[^\s,;:()]{1,16}\s+(?:is|denotes|represents|means|=)\s+"
    r"(?:the|its)\s+(?:(?!is\b|are\b)[\w/-]+\s+){0,3}?"
    rf"{_STATISTIC}\b(?!\s+(?:target|cap|limit|level|threshold|index|regime|control|budget|"
    r"overlay|strategy|scaling|factor|premium)\b)(?!\s+of\s+(?:these|those|the\s+above)\b)",
    re.IGNORECASE,
)
# A statistic said to be computed, with no formula: "Volatility is computed from prices
# supplied by the index provider."
_STATISTIC_COMPUTED = re.compile(
    r"(?:^|(?<=[.;:]\s))(?:the\s+)?(?:(?:realised|realized|historical|annuali[sz]ed|portfolio|"
    rf"index)\s+)?{_STATISTIC}\s+(?:is|are)\s+(?:computed|calculated|measured|estimated|"
    r"determined)\b",
    re.IGNORECASE,
)
# A formula operand named for a statistic: "Signal_t = (Spread_t - Mean) / StDev"; not a
# function applied to arguments, nor the first word of a longer name ("Average Premium").
_STATISTIC_OPERAND = re.compile(
    r"(?<![\w(])(?P<name>Mean|Avg|Average|StDev|Stdev|StdDev|Std|SD|Vol|Volatility|Var|"
    r"Variance|Corr|Cov)(?:_\w+)?(?![\w(])(?!\s+[A-Za-z])"
)
_OPERAND_STATISTIC = {
    "mean": "mean", "avg": "mean", "average": "mean", "stdev": "standard deviation",
    "stddev": "standard deviation", "std": "standard deviation", "sd": "standard deviation",
    "vol": "volatility", "volatility": "volatility", "var": "variance",
    "variance": "variance", "corr": "correlation", "cov": "covariance",
}
# What says which observations: a length ("60 trading days", "3-month"), or a named window
# ("over the lookback period", "rolling", "exponentially weighted with a half-life of").
_OBSERVATION_WINDOW = re.compile(
    r"\b\d+\s*-?\s*(?:trading\s+|business\s+|calendar\s+|index\s+)?(?:days?|weeks?|months?|"
    r"years?|observations?|sessions?|periods?|bars?|minutes?|hours?)\b"
    r"|\b(?:one|two|three|four|five|six|nine|ten|twelve|twenty|thirty|sixty|ninety)[\s-]+"
    r"(?:trading\s+|business\s+|calendar\s+)?(?:days?|weeks?|months?|years?)\b"
    r"|\b(?:look-?\s?back|window|rolling|trailing|since\s+inception|half-?life|decay|EWMA|"
    r"exponentially|GARCH|implied|over\s+the\s+(?:last|past|previous|preceding|prior))\b"
    r"|\u03bb",
    re.IGNORECASE,
)
_STATISTIC_WORDS = ("volatil", "deviation", "variance", "correlation", "mean")  # prefilter
_STATISTIC_NAMED = re.compile(_STATISTIC, re.IGNORECASE)


def _statistic_name(words: str) -> str:
    name = " ".join(words.lower().split())
    return re.sub(r"^(?:arithmetic|simple)\s+", "", name)


def _windowed_statistics(ctx: CheckContext) -> frozenset[str]:
    """Return the statistics some sentence of the document gives an observation window for."""
    found: set[str] = set()
    for unit in ctx.body_units:
        if _OBSERVATION_WINDOW.search(unit.text):
            found.update(
                _statistic_name(m.group("stat"))
                for m in _STATISTIC_NAMED.finditer(unit.text)
            )
    return frozenset(found)


def statistic_without_window(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report statistics the method estimates with no observation window anywhere.

    A volatility, standard deviation, variance, correlation or mean is estimated from a
    series: without the window (how many observations, which frequency, how weighted) two
    implementers compute different values. Read where the document defines a symbol as one
    ("sigma_i is the volatility of commodity i"), says one is computed ("Volatility is computed
    from prices ...") or writes one as a formula operand ("(Spread_t - Mean) / StDev"), and
    no sentence of the document gives that statistic a window. One finding per place, naming
    the statistics it uses that no earlier place has.
    """
    candidates: list[tuple[str, int, int]] = []  # statistic, start, end
    for unit, low in zip(ctx.rule_units, ctx.rule_folded, strict=True):
        if not mentions(low, _STATISTIC_WORDS) or _OBSERVATION_WINDOW.search(unit.text):
            continue
        for pattern in (_DEFINED_AS_STATISTIC, _STATISTIC_COMPUTED):
            for m in pattern.finditer(unit.text):
                candidates.append((_statistic_name(m.group("stat")), unit.start, unit.end))
    for formula in ctx.ir.formulas:
        if ctx.informative_at(formula.location.start):
            continue
        start, end = formula.location.start, formula.location.end
        if _OBSERVATION_WINDOW.search(ctx.markdown, start, end):
            continue
        equals = formula.text.find("=")
        for m in _STATISTIC_OPERAND.finditer(formula.text, equals + 1 if equals >= 0 else 0):
            candidates.append((_OPERAND_STATISTIC[m.group("name").lower()], start, end))
    if not candidates:
        return
    windowed = _windowed_statistics(ctx)
    places: dict[tuple[int, int], list[str]] = {}  # each place and the statistics it uses
    reported: set[str] = set()
    for statistic, start, end in candidates:
        if statistic not in windowed and statistic not in reported:
            reported.add(statistic)
            places.setdefault((start, end), []).append(statistic)
    for (start, end), statistics in places.items():
        names = " and ".join(statistics)
        quote = ctx.markdown[start:end].strip()
        yield CheckHit(
            start=start,
            end=end,
            title=f"Estimate has no observation window: {names}",
            description=f"The method uses a {names} but never says over which observations "
            "it is estimated (how many, of which frequency, how weighted), so two "
            "implementers computing it get different values.",
            suggested_fix="Give each estimate's window and estimator: the number of "
            "observations and their frequency (e.g. 60 daily log returns), the weighting, and "
            "whether it is annualised.",
            replacement=f"{quote} ([[specify: observation window and estimator of the "
            f"{names}]])",
            category=Category.INCOMPLETE_FORMULA,
            confidence=0.6,
            subject=f"window of the {names}",
        )
