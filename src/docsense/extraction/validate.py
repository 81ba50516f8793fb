"""IR validation: bind formula variables to definitions and report defects.

A formula variable is *defined* when the document defines it as a term (or alias), as a
``where`` variable, as the left-hand side of a formula, or as a parameter name. Names are
compared case-insensitively, ignoring spacing, underscores, a leading ``the`` and a plural
``s``; a subscripted name (``w_i``, ``Price_i``) is also defined by its base (``w``,
``Price``) when the subscript is an index letter, and a LaTeX letter with a word subscript
(``sigma_target``) by the word. Issues:

* ``undefined_variable`` - one per formula and undefined variable;
* ``unresolved_reference`` - an internal reference with no target;
* ``term_used_before_definition`` - a term's first use precedes its definition (headings
  and definitions sections excepted: defining terms in a glossary is a convention);
* ``duplicate_definition`` - a term defined twice with different wording.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache

import attrs

from docsense.domain.ir import (
    CrossReference,
    DefinedTerm,
    Formula,
    FormulaVariable,
    IRIssue,
    IssueKind,
    Location,
    Parameter,
    ReferenceKind,
    Section,
    Table,
    TermSource,
)
from docsense.extraction._text import BlockKind, Doc, normalise_name, split_scripts
from docsense.extraction.terms import GLOSSARY_HEADING

__all__ = [
    "bind_variables",
    "counted_symbols",
    "linked_terms",
    "symbols_named_in_prose",
    "tabulated_quantities",
    "validate",
]

_OUTSIDE = (ReferenceKind.EXTERNAL, ReferenceKind.CITATION)
# An index ("i", "t", "t0", "2") or the before / after state of the same quantity
# ("Divisor_{after}"): the base name is what needs a definition.
_INDEX = r"(?:[ijklmnstIJKLMNST]\d?|\d+|after|before|old|new|prev|next)"
_INDEX_SUBSCRIPT = re.compile(rf"^(?P<base>.+?)[_ ](?P<sub>{_INDEX}(?:[,+-]{_INDEX})*|ITD)$")


# A running index a PDF glued to the end of a name of several words: "Price Momentumi".
_GLUED_INDEX = re.compile(r"\s[A-Z]?[a-z]{3,}[ijkt]$")
_HEADING_NUMBER = re.compile(
    r"^\s*(?:(?:section|part|annex|appendix|schedule)\s+)?(?:[\dA-Z]{1,3}(?:\.\d{1,3})*[.):]?\s+)?",
    re.IGNORECASE,
)
_HEADING_SUFFIX = re.compile(
    r"\s+(?:guidelines?|calculations?|determination|definitions?|methodology|computation|"
    r"formulae?|rules?)\s*$",
    re.IGNORECASE,
)
# "dsETH NAV", "BTC Price": a ticker or product name qualifying a defined quantity.
_TICKER = re.compile(r"^(?:[A-Z]{2,6}|[a-z]{1,3}[A-Z]{2,6})$")
# An acronym qualified by one word before it: "Announced DFR", "Consensus DFR", "Fund NAV".
_ACRONYM = re.compile(r"[A-Z]{2,6}")
# "Old Divisor", "New Total Value": the state before or after a change of a defined quantity.
_STATE = frozenset(
    {"old", "new", "previous", "prior", "current", "initial", "final", "adjusted", "updated",
     "revised", "next", "last", "latest"}
)
# The subscript of "P_AAPL", "P_BRK.B": a name or ticker (with its share class) as the index.
_NAME_SUBSCRIPT = re.compile(r"[A-Za-z]{2,}(?:[.-][A-Za-z]{1,3})?")
# A numbered member of a family written without a script: "s1", "sn" beside "si" ("where
# si is the ith oracle's signature"). ("s_1" is found by its base, like any script.)
_NUMBERED_MEMBER = re.compile(r"^(?P<base>[A-Za-z\u0370-\u03ff]{1,3}?)(?:\d{1,3}|n|N)$")
_ARGUMENTS = re.compile(r"\s*\((?P<args>[^()]{1,40})\)\s*$")
# An index letter glued to a name with an offset ("FLIt-1", "Pricet+1"); "COVID-19" is not.
_GLUED_OFFSET = re.compile(r"(?<=[A-Za-z]{2})([tijkn])\s?[-+\u2212]\s?\d\b")
# "BorrowRate": a name written in camel case, for a term written in words ("Borrow Rate").
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SCRIPTS = re.compile(r"[_^]\{([^{}]*)\}")
# Scripts of single letters written without braces: the "a,t" of "Price_a,t", the "c" of "Σ_c".
_LETTER_SCRIPTS = re.compile(
    r"(?<=[A-Za-z0-9\u0370-\u03ff])_([A-Za-z](?:,[A-Za-z])*)(?![A-Za-z0-9_{])"
)
# "σ²", "q_T³": a power written with a superscript digit; the symbol raised needs the definition.
_POWER = re.compile("[\u00b2\u00b3\u00b9\u2070\u2074-\u2079]+$")
# "dW_t", "dS_t", "dμ": the differential of a symbol (an upper-case or Greek letter after "d").
# "dt": of a one-letter index.
_DIFFERENTIAL = re.compile(r"^d(?P<of>[A-Z\u0370-\u03ff](?:_\{?\w{1,6}\}?)?|[a-z])$")


# An identifier in a heading (snake or camel case; the converter drops the backticks): the
# section is about it ("## Understand `liquidation_buffer`").
_HEADING_CODE = re.compile(r"\b[A-Za-z][a-z0-9]*(?:_[A-Za-z0-9]+)+\b|\b[a-z]+[A-Z]\w*\b")
# A total (or average, maximum...) of a named quantity: defined where the quantity is.
_AGGREGATE = re.compile(
    r"(?:total|sum|aggregate|cumulative|avg|average|mean|max|min)[_ ](?P<of>[A-Za-z]\w{2,})",
    re.IGNORECASE,
)
# Letters side by side in maths ("ab", "kN"): their product, when each letter is a symbol.
_LETTER_PRODUCT = re.compile(r"[A-Za-z\u0370-\u03ff]{2,3}")
_EQUATION_NUMBER = re.compile(r"\s+\(\d{1,3}\)(?=_|\s|$)")


# A script with a script of its own, flattened: the "t_k" of "i_{t_k}", "t_n-1" of "x_{t_{n-1}}".
_NESTED_SCRIPT = re.compile(r"[a-z](?:_[a-z0-9+\-]{1,3})+")


def _candidates(name: str, indices: frozenset[str] = frozenset()) -> list[str]:
    """Keys under which ``name`` may be defined, most specific first.

    A script is found with its braces and without (``Price_{underlying}``,
    ``Price_underlying``). ``Raw Signal_{ic}(o)`` is also found as ``Raw Signal_{ic}`` and
    ``Raw Signal``; a script-less name ending in one of the document's index symbols
    (``Rtnic`` with the index ``ic``: a subscript the PDF glued on) also as ``Rtn``; a power
    (``σ²``) and a differential (``dW_t``, ``dt``) as the symbol raised or differentiated; a
    named quantity followed by words in lower case (``Fair Price longer dated futures``) as
    the quantity named; a numbered member of a family (``s1``, ``sn``) as the family's
    running member (``si``, ``s_i``).
    """
    keys = [normalise_name(name)]
    if "{" in name:  # "Price_{underlying}" and "Price_underlying": one name, braced or not
        keys.append(normalise_name(name.replace("{", "").replace("}", "")))
    if "(" in name:  # "IndexDivisor (4)_{t}": the PDF ran the equation's number into its name
        numbered = _EQUATION_NUMBER.sub("", name)
        if numbered != name:
            return [*keys, *_candidates(numbered, indices)]
    power = _POWER.search(name)
    if power is not None and power.start() > 0:
        name = name[: power.start()]
        keys.append(normalise_name(name))
    differential = _DIFFERENTIAL.match(name.strip())
    if differential is not None:
        keys.append(normalise_name(differential.group("of")))
    args = _ARGUMENTS.search(name)
    if args is not None and name[: args.start()].strip():
        name = name[: args.start()]
        keys.append(normalise_name(name))
    if _GLUED_INDEX.search(name):
        # "Price Momentumi": a PDF ran the subscript i into "Price Momentum"
        keys.append(normalise_name(name[:-1]))
    base, sub, sup = split_scripts(name)
    if sub or sup:  # "w_{i,ITD}^{Lookthrough}" is defined by its own, "w^{Lookthrough}", "w"
        if sup:
            keys.append(normalise_name(f"{base} {sup}"))
        keys.append(normalise_name(base))
        # A symbol written twice with both scripts ("AA_{i,t-3}^{i,t}") is a fraction of that
        # symbol (A_{i,t} over A_{i,t-3}) that the PDF flattened onto one line.
        half = len(base) // 2
        if half and len(base) % 2 == 0 and base[:half] == base[half:] and sub and sup:
            keys.append(normalise_name(base[:half]))
        return keys
    match = _INDEX_SUBSCRIPT.match(name.strip())
    if match:
        keys.append(normalise_name(match.group("base")))
    if "_" in name:
        base, _, sub = name.partition("_")
        if base and sub and all(part in indices for part in sub.split(",")):
            keys.append(normalise_name(base))  # "Price_a,t" with a and t the indices: Price
        elif base and _NESTED_SCRIPT.fullmatch(sub):
            keys.append(normalise_name(base))  # "i_t_k", from "i_{t_k}": i at the time t_k
        if _NAME_SUBSCRIPT.fullmatch(sub):
            keys.append(normalise_name(sub))
            if not sub.isalpha():  # "P_BRK.B": the price of one named constituent
                keys.append(normalise_name(base))
    words = name.split()
    named = next((k for k in range(1, len(words)) if words[k].islower()), len(words))
    if 2 <= named < len(words) and all(w[:1].isupper() for w in words[:named]) and all(
        w.isalpha() and w.islower() for w in words[named:]
    ):  # "Fair Price longer dated futures": the Fair Price, of the longer-dated futures
        keys.append(normalise_name(" ".join(words[:named])))
    if len(words) >= 2 and words[0].lower() in _STATE:
        keys.append(normalise_name(" ".join(words[1:])))
    if len(words) == 2 and _TICKER.match(words[0]):
        keys.append(normalise_name(words[1]))
    if len(words) == 2 and words[0][:1].isupper() and _ACRONYM.fullmatch(words[1]):
        keys.append(normalise_name(words[1]))  # "Announced DFR": the DFR, as announced
    member = _NUMBERED_MEMBER.match(name.strip())
    if member is not None:  # "s1" and "sn": members of the family "s_i" / "si"
        keys += [normalise_name(f"{member.group('base')}{sep}{i}")
                 for i in "ijk" for sep in ("_", "")]
    glued = _glued_indices(indices).match(name.strip()) if indices else None
    raws = [name]
    if glued is not None:  # "SCWMt-1", "Vt,s", "Tenort": subscripts the PDF ran into the name
        keys.append(normalise_name(glued.group("base")))
        raws.append(glued.group("base"))
    keys += [normalise_name(_CAMEL.sub(" ", raw)) for raw in raws if _CAMEL.search(raw)]
    return keys


@lru_cache(maxsize=64)
def _glued_indices(indices: frozenset[str]) -> re.Pattern[str]:
    """Return a pattern for a name ending in index symbols glued to its base (offsets, commas).

    The base may be a name of a few capitalised words: "Weight Inputic" is Weight Input with
    the subscript ic, as a PDF's quoted definition prints it beside ``Weight Input_{ic}``.
    """
    one = "|".join(re.escape(i) for i in sorted(indices, key=len, reverse=True))
    index = rf"(?:{one})(?:\s*[-\u2212+]\s*\d+)?"
    return re.compile(
        rf"^(?P<base>(?:[A-Z][\w\u0370-\u03ff]*\s+){{0,3}}[A-Za-z\u0370-\u03ff]"
        rf"[\w\u0370-\u03ff]*?){index}(?:,{index})*$"
    )


def index_symbols(formulas: Sequence[Formula], terms: Sequence[DefinedTerm]) -> frozenset[str]:
    """Return the index symbols: what the scripts and function arguments range over.

    Read from ``_{i,ITD}`` / ``^{ic}`` scripts, from one-letter scripts written without braces
    (``Price_a,t``, ``Σ_c``), from the arguments of ``X(t)`` / ``HR(s, d)``, from a letter
    glued to a name with an offset (``CLRt-1``) and from ``Subscript (ITD) means``
    definitions. An index is a bound variable: it needs
    no definition of its own in a formula.
    """
    found: set[str] = set()
    texts = [f.text for f in formulas] + [t.term for t in terms]
    for text in texts:
        for script in _SCRIPTS.findall(text):
            # "\sum_{j=1}^{N}": the bound variable of a sum is "j", not "j=1"
            found.update(p.split("=")[0].strip(" ()") for p in re.split(r"[,;]", script))
        for script in _LETTER_SCRIPTS.findall(text):  # "Price_a,t", "Σ_c w_c(d-1)"
            found.update(script.split(","))
        for args in re.findall(r"[\w}]\s*\(([^()]{1,30})\)", text):
            found.update(p.strip() for p in args.split(","))
        # "FLIt-1", "CLRt+1": a time index glued to a name, with its offset
        found.update(_GLUED_OFFSET.findall(text))
    for term in terms:
        if term.source is TermSource.GLOSSARY and term.location.end - term.location.start > len(
            term.term
        ):
            found.add(term.term)  # "Subscript (ITD) means ..."
    return frozenset(
        f for f in found if f and len(f) <= 4 and re.fullmatch(r"[A-Za-z\u0370-\u03ff]+", f)
    )


def _time_differential(name: str, formula: str) -> bool:
    """Return True for ``dt`` in a formula whose symbols carry ``t`` as their index (``S_t``)."""
    return (
        len(name) == 2
        and name[0] == "d"
        and name[1].islower()
        and re.search(rf"_\{{?{name[1]}\b", formula) is not None
    )


# A term written as a link to where it is defined: "the prevailing [Mark Price](../fair-price)".
_LINKED_TERM = re.compile(r"(?<!!)\[(?P<text>[A-Z][\w-]*(?: [\w-]+){0,3})\]\((?!#)[^)\s]+\)")


def linked_terms(doc: Doc) -> list[tuple[str, Location]]:
    """Return the names written as links to another page, with where each link stands.

    A quantity a page links to ("[Mark Price](.../fair-price)") is defined there: the
    formula using it depends on that page (an external reference), but it is not undefined.
    """
    if "](" not in doc.markdown:
        return []
    return [
        (m.group("text"), doc.location(m.start(), m.end()))
        for m in _LINKED_TERM.finditer(doc.markdown)
    ]


# A horizon before a quantity's name: "6-month Price Momentum", "Daily Return". The formula
# defines the quantity for that horizon, and so the quantity a later formula uses unqualified.
_HORIZON = re.compile(
    r"^\s*(?:\d+[- ]?(?:minute|hour|day|week|month|year)s?|daily|weekly|monthly|quarterly|"
    r"annual(?:i[sz]ed)?|yearly|intraday)\s+(?=[A-Za-z])",
    re.IGNORECASE,
)


# A sentence that opens with a name (up to six words) and says what it is: "Local risk-free
# rates are the short-term rates ...", "The bTokenRate is an internal value ...", "The
# Target Utilization Ratio and Reactivity Constant are constant values ...".
_DESCRIBED = re.compile(
    r"(?:^|(?<=[.!?:])[ \t]+|\n)[ \t*_]*(?:(?:the|a|an)[ \t]+)?"
    r"(?P<name>[A-Za-z][\w-]*(?:[ \t]+[\w-]+){0,5}?)"
    r"[*_]*[ \t]+(?:is|are|means|denotes|represents|refers[ \t]+to)[ \t]+"
    r"(?:the|a|an|constant|fixed|configurable)[ \t]",
    re.IGNORECASE,
)


def _snake_words(name: str) -> bool:
    """Return True for a name in snake case of two words or more, in lower or title case.

    ``liquidation_price`` and ``Entry_Price`` are words joined by underscores; ``ATR_14``
    and ``bTokenRate_i`` are not.
    """
    words = name.split("_")
    return len(words) >= 2 and (
        all(w.isalpha() and w.islower() for w in words)
        or all(w.isalpha() and w[0].isupper() and w[1:].islower() for w in words)
    )


# A quantity named in words with a clause that says what it does: "each market has a fixed
# interest rate component that aims to account for the difference in interest rates".
_DESCRIBED_BY_CLAUSE = re.compile(
    r"\b(?:a|an|the)\s+(?:(?:fixed|constant|configurable|variable|separate)\s+)?"
    r"(?P<name>[A-Za-z][\w-]*(?:\s+[\w-]+){0,4}?)\s+(?:that|which)\s+(?:aims?|represents?|"
    r"measures?|accounts?|reflects?|captures?|compensates?|corrects?|adjusts?)\b",
    re.IGNORECASE,
)


def described_quantities(doc: Doc, formulas: Sequence[Formula]) -> list[tuple[str, Location]]:
    """Return operands named in words that a sentence of the document describes.

    "6-month Price Momentum = ((PT-1 /PT-7)-1) - (Local Risk-free rate)" and, below it,
    "Local risk-free rates are the short-term rates in local currency of the country": a
    sentence that opens with the quantity's name (any case, singular or plural) and says
    what it is ("is the", "are the", "means", "denotes", "refers to") defines it, and so
    does a clause saying what it does ("a fixed interest rate component that aims to account
    for ..."). A name in snake case is defined by its words after "the" in the prose
    (`liquidation_price` by "the liquidation price of this trade", `Entry_Price` by "a stop
    at 2N from the entry price").
    """
    wanted: dict[str, str] = {}
    for formula in formulas:
        for variable in formula.variables:
            base = split_scripts(variable.name)[0].strip()
            if " " in base or _CAMEL.search(base):  # "Local Risk-free rate", "bTokenRate"
                wanted.setdefault(normalise_name(base).lower(), base)
    found: dict[str, tuple[str, Location]] = {}
    snake = dict.fromkeys(v.name for f in formulas for v in f.variables if _snake_words(v.name))
    for name in snake:  # `liquidation_price` and "the liquidation price of this trade"
        words = r"[ -]".join(name.split("_"))
        said = re.search(rf"\bthe\s+{words}\b", doc.markdown, re.IGNORECASE)
        if said is not None:
            found[name.lower()] = (name, doc.location(said.start(), said.end()))
    if not wanted:
        return list(found.values())
    for m in _DESCRIBED_BY_CLAUSE.finditer(doc.markdown):
        key = normalise_name(m.group("name")).lower()
        if key in wanted and key not in found:
            found[key] = (wanted[key], doc.location(m.start("name"), m.end()))
    for m in _DESCRIBED.finditer(doc.markdown):
        # "The Target Utilization Ratio and Reactivity Constant are constant values ...": each
        for part in re.split(r"\s+and\s+", m.group("name")):
            key = normalise_name(part).lower()  # "rates" and "rate" alike
            if key in wanted and key not in found:
                found[key] = (wanted[key], doc.location(m.start("name"), m.end()))
    return list(found.values())


# A line that sets a name equal to something ("Middle Band = shown in the chart", "- `Impact
# Bid Price` = the average price of a market sell"): a formula, or a legend whose own rules
# (a "where" lead-in) decide whether it defines the name; not prose about it.
_ASSIGNMENT_LINE = re.compile(r"^[^\n=]*[^\n=<>!]=(?!=)[^\n]*$", re.MULTILINE)


def symbols_named_in_prose(doc: Doc, formulas: Sequence[Formula]) -> list[tuple[str, Location]]:
    """Return symbols of the formulas that a sentence of the document names in words.

    A symbol (one to three letters or a Greek letter, scripts or not) counts when a sentence
    names it outside the formulas: "an oracle can report honestly and gain v or misreport
    and gain x_{i}", "x is the ESG score for the company". Not a letter naming a part
    ("Section C"), not one next to a sign ("q + 1"), not one a sentence only says something
    about ("λ is set by the desk": who sets it, not what it is) and not "A", "I" or "a",
    which are words. The text inside the document's formulas, and of lines that set a name
    equal to something, is not a sentence about the symbol.

    A name in words ("Interest Rate Component") is not read so: a sentence that merely
    names it ("each market also has an interest rate component") leaves open what it is,
    and labelled reviews count such names as undefined.
    """
    symbols = dict.fromkeys(
        v.name for f in formulas for v in f.variables
        if _SYMBOL.fullmatch(v.name) and v.name not in ("A", "I", "a")
    )
    if not symbols:
        return []
    text = list(doc.markdown)
    for formula in formulas:  # the formulas' own text is blanked out
        start, end = formula.location.start, formula.location.end
        text[start:end] = [" "] * (end - start)
    prose = _ASSIGNMENT_LINE.sub(lambda m: " " * len(m.group()), "".join(text))
    found: list[tuple[str, Location]] = []
    for name in symbols:
        pattern = re.escape(name)
        for said in re.finditer(rf"(?<![\w\\$&./^{{}}-]){pattern}(?![\w&'/^{{}}(-])", prose):
            line = prose[prose.rfind("\n", 0, said.start()) + 1 : prose.find("\n", said.end())]
            near = prose[max(0, said.start() - 3) : said.end() + 3]
            if (len(_PROSE_WORD.findall(line)) >= 4 and not _OPERATOR.search(near)
                    and not _LABEL_BEFORE.search(prose[max(0, said.start() - 12) : said.start()])
                    and not _STATED_ABOUT.match(prose, said.end())):
                found.append((name, doc.location(said.start(), said.end())))
                break
    return found


# A symbol of maths: one to three letters or a Greek letter, with scripts or without.
_SYMBOL = re.compile(r"(?:[A-Za-z]{1,3}|[\u0370-\u03ff])(?:_\{?[\w,]{1,6}\}?)?")
_PROSE_WORD = re.compile(r"\b[a-z]{3,}\b")
_OPERATOR = re.compile(r"[=+*/\u00d7<>\u2264\u2265|]")
# A sentence about the symbol that does not say what it is: "λ is set by the desk", "k is
# calibrated monthly" (who sets it or how, not what it measures).
_STATED_ABOUT = re.compile(
    r"\s+(?:is|are|was|were|will\s+be|shall\s+be|can\s+be|may\s+be)\s+(?!the\b|an?\b)",
    re.IGNORECASE,
)
# A letter naming a part, not a quantity: "Section C", "Table B", "Step 2".
_LABEL_BEFORE = re.compile(
    r"\b(?:section|table|figure|appendix|annex|part|schedule|step|class|series|tier|type|phase|"
    r"option|plan|grade|exhibit|article)\s+$",
    re.IGNORECASE,
)


# A capital letter between an article or a rank word and a plural noun is the count of those
# things: "over the N selected companies", "the top K stocks", "the M largest constituents".
_COUNT_OF = re.compile(
    r"\b(?:the|top|first|last|all|largest|smallest|highest|lowest)\s+(?P<symbol>[B-HJ-Z])"
    r"\s+(?:[a-z][a-z-]+\s+){0,2}[a-z]{3,}s\b"
)


_CELL_NUMBER = re.compile(r"\d")
_CELL_MARKUP = re.compile(r"[*`]")


def tabulated_quantities(
    tables: Sequence[Table], formulas: Sequence[Formula]
) -> list[tuple[str, Location]]:
    """Return formula operands whose values a table gives, a column headed by the name.

    "Mark Price = Clamp(..., Index Price * (1 + Factor * Cap Funding), ...)" and a table
    "| Perp Market | Factor | ... |" with a value per market in that column: the table says
    what Factor is for each market. At least half the column's cells must hold a number.
    """
    wanted = {
        normalise_name(v.name): v.name
        for f in formulas for v in f.variables if len(v.name) > 1
    }
    if not wanted:
        return []
    found: list[tuple[str, Location]] = []
    for table in tables:
        if not table.rows:
            continue  # a header alone gives no values
        for column, cell in enumerate(table.header):
            name = wanted.get(normalise_name(_CELL_MARKUP.sub("", cell).strip()))
            if name is None:
                continue
            values = [row[column] for row in table.rows if column < len(row)]
            numbers = sum(1 for value in values if _CELL_NUMBER.search(value))
            if numbers * 2 >= len(table.rows):
                found.append((name, table.location))
    return found


def counted_symbols(doc: Doc, formulas: Sequence[Formula]) -> list[tuple[str, Location]]:
    """Return one-letter operands that the prose introduces as a count of things.

    "Weight_i = PI_i / Σ PI_j, over the N selected companies j" and "C = max(5%, 1/N)": N is
    the number of selected companies. The letter must sit between "the" (or "top",
    "largest"...) and a plural noun; "A" and "I" are words, never read so.
    """
    letters = {v.name for f in formulas for v in f.variables if len(v.name) == 1}
    if not letters:
        return []
    found: dict[str, tuple[str, Location]] = {}
    for m in _COUNT_OF.finditer(doc.markdown):
        symbol = m.group("symbol")
        if symbol in letters and symbol not in found:
            found[symbol] = (symbol, doc.location(m.start("symbol"), m.end()))
    return list(found.values())


_CODE_NAME = re.compile(r"`(?P<name>[A-Za-z][A-Za-z0-9_]{2,40})`")


def _letters(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def named_in_code(doc: Doc, formulas: Sequence[Formula]) -> list[tuple[str, Location]]:
    r"""Return operands that a code span of the document names, spelt another way.

    "Source: St. Louis Fed (FRED) `FEDFUNDS` Effective Rate" names the series the formula
    writes `\text{FedFunds}_t`: the same letters, whatever their case and separators. An
    identifier in code is something the reader can look up (a data series, a setting).
    """
    if "`" not in doc.markdown:
        return []
    spans: dict[str, Location] = {}
    for m in _CODE_NAME.finditer(doc.markdown):
        spans.setdefault(_letters(m.group("name")), doc.location(m.start(), m.end()))
    found: list[tuple[str, Location]] = []
    for formula in formulas:
        for variable in formula.variables:
            base = re.split(r"[_^]", split_scripts(variable.name)[0])[0].strip()
            at = spans.get(_letters(base)) if len(base) > 2 else None
            if at is not None:
                found.append((variable.name, at))
    return found


def bind_variables(
    formulas: Sequence[Formula],
    terms: Sequence[DefinedTerm],
    parameters: Sequence[Parameter],
    sections: Sequence[Section] = (),
    links: Sequence[tuple[str, Location]] = (),
) -> tuple[Formula, ...]:
    """Return ``formulas`` with each variable's definition place filled in where known.

    Index symbols (:func:`index_symbols`) count as defined, with no place; so do letters
    side by side in maths ("ab" in "ab over N") when each letter is defined: the product
    of those symbols. A total, average or extreme of a defined quantity
    ("total_outside_debt" after "outside_debt_i") is defined where the quantity is. A
    section whose heading names a quantity ("Reference Price Guidelines", "3.2 Target
    Weight") defines it, and so does a heading that names it in code ("Understand
    `liquidation_buffer`"): the section is where the document says what it is. ``links``
    are names other readers found defined, each with its place: linked to the page that
    defines them (:func:`linked_terms`), described in a sentence, named in code, counted,
    or tabulated (:func:`tabulated_quantities`). A word
    subscript naming the first word of a defined term (``P_{Reserve}`` after "the **Reserve
    Feed** acts as ...") is a quantity of that thing.
    """
    indices = index_symbols(formulas, terms)
    defined: dict[str, tuple[Location | None, str]] = {}
    for section in sections:
        name = _HEADING_SUFFIX.sub("", _HEADING_NUMBER.sub("", section.heading)).strip(" :.-")
        at = Location(section.start, section.start, section.id)
        if name and len(name.split()) <= 5:
            defined.setdefault(normalise_name(name), (at, "heading"))
        for code in _HEADING_CODE.findall(section.heading):  # "Understand liquidation_buffer"
            defined.setdefault(normalise_name(code), (at, "heading"))
    for term in terms:
        kind = "where" if term.source is TermSource.WHERE else "term"
        for name in (term.term, *term.aliases):
            for key in _candidates(name, indices):  # "Signal_i" also defines "Signal"
                defined.setdefault(key, (term.location, kind))
    for formula in formulas:
        if formula.name:
            horizon = _HORIZON.match(formula.name)
            names = [formula.name, formula.name[horizon.end() :]] if horizon else [formula.name]
            for name in names:  # "6-month Price Momentum = ..." also defines Price Momentum
                for key in _candidates(name, indices):
                    defined.setdefault(key, (formula.location, "formula"))
    for parameter in parameters:
        defined.setdefault(normalise_name(parameter.name), (parameter.location, "parameter"))
    for name, at in links:
        defined.setdefault(normalise_name(name), (at, "link"))
    for index in indices:
        defined.setdefault(normalise_name(index), (None, "index"))
    # "Reserve Feed" defined: P_{Reserve} is a quantity of it (its price).
    heads = {
        normalise_name(term.term.split()[0]): term.location
        for term in terms
        if len(term.term.split()) >= 2 and term.source is not TermSource.WHERE
    }
    bound: list[Formula] = []
    for formula in formulas:
        variables: list[FormulaVariable] = []
        undefined: list[str] = []
        for variable in formula.variables:
            keys = _candidates(variable.name, indices)
            hit = next((defined[k] for k in keys if k in defined), None)
            if hit is None:
                hit = _named_by_subscript(variable.name, heads)
            if hit is None and _time_differential(variable.name, formula.text):
                hit = (None, "index")
            total = _AGGREGATE.match(variable.name) if hit is None else None
            if total is not None:  # "total_outside_debt" with "outside_debt_i" defined
                hit = next((defined[k] for k in _candidates(total.group("of"), indices)
                            if k in defined), None)
            if hit is None and formula.notation == "latex" and _LETTER_PRODUCT.fullmatch(
                variable.name
            ) and all(normalise_name(letter) in defined for letter in variable.name):
                hit = (None, "product")  # "\dfrac{ab}{N}" with a and b defined: a times b
            if hit is None:
                undefined.append(variable.name)
                variables.append(FormulaVariable(variable.name))
            else:
                variables.append(FormulaVariable(variable.name, hit[0], hit[1]))
        bound.append(
            attrs.evolve(formula, variables=tuple(variables), undefined_variables=tuple(undefined))
        )
    return tuple(bound)


def _named_by_subscript(
    name: str, heads: dict[str, Location]
) -> tuple[Location | None, str] | None:
    """Return where a symbol's word subscript names a defined term, as a binding.

    ``P_{Reserve}`` after "The **Reserve Feed** acts as ...": the symbol is a quantity of the
    thing the subscript names, the first word of a term of two words or more.
    """
    base, sub, _ = split_scripts(name)
    if not sub and "_" in name:  # "P_Reserve", the braces dropped
        base, _, sub = name.partition("_")
    word = sub.strip("{} ")
    if not base or not _NAME_SUBSCRIPT.fullmatch(word) or len(word) < 3 or len(base) > 2:
        return None
    at = heads.get(normalise_name(word))
    return None if at is None else (at, "term")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_-"


class _Finder:
    """First whole-word occurrence of a term before an offset, outside headings."""

    def __init__(self, doc: Doc) -> None:
        self.text = doc.markdown
        self.lowered = doc.markdown.lower()
        spans = [(b.start, b.end) for b in doc.blocks if b.kind is BlockKind.HEADING]
        self.heading_starts = [a for a, _ in spans]
        self.heading_ends = [b for _, b in spans]
        self.block_starts = [b.start for b in doc.blocks]

    def in_heading(self, offset: int) -> bool:
        i = bisect.bisect_right(self.heading_starts, offset) - 1
        return i >= 0 and offset < self.heading_ends[i]

    def block_start(self, offset: int) -> int:
        i = bisect.bisect_right(self.block_starts, offset) - 1
        return self.block_starts[i] if i >= 0 else 0

    def first_use(self, term: str, before: int) -> int | None:
        case_sensitive = term[:1].isupper()
        hay = self.text if case_sensitive else self.lowered
        needle = term if case_sensitive else term.lower()
        pos = hay.find(needle, 0, before)
        while pos >= 0:
            end = pos + len(needle)
            if (
                (pos == 0 or not _is_word_char(hay[pos - 1]))
                and (end >= len(hay) or not _is_word_char(hay[end]))
                and not self.in_heading(pos)
            ):
                return pos
            pos = hay.find(needle, pos + 1, before)
        return None


def _used_before_definition(doc: Doc, terms: Sequence[DefinedTerm]) -> list[IRIssue]:
    issues: list[IRIssue] = []
    finder = _Finder(doc)
    seen: set[str] = set()
    for term in terms:
        key = term.term.lower()
        if term.source is TermSource.WHERE or key in seen or len(term.term) < 3:
            continue
        seen.add(key)
        section = doc.section_at(term.location.start)
        if section is not None and GLOSSARY_HEADING.search(section.heading):
            continue
        use = finder.first_use(term.term, finder.block_start(term.location.start))
        if use is not None:
            issues.append(
                IRIssue(
                    kind=IssueKind.TERM_USED_BEFORE_DEFINITION,
                    message=f"{term.term!r} is used before it is defined",
                    location=doc.location(use, use + len(term.term)),
                    subject=term.term,
                )
            )
    return issues


def _duplicates(terms: Sequence[DefinedTerm]) -> list[IRIssue]:
    issues: list[IRIssue] = []
    first: dict[str, DefinedTerm] = {}
    for term in terms:
        if term.source is TermSource.WHERE:
            continue
        key = normalise_name(term.term)
        earlier = first.setdefault(key, term)
        if earlier is not term and earlier.definition.strip().lower() != term.definition.lower():
            issues.append(
                IRIssue(
                    kind=IssueKind.DUPLICATE_DEFINITION,
                    message=f"{term.term!r} is defined again with different wording",
                    location=term.location,
                    subject=term.term,
                )
            )
    return issues


def validate(
    doc: Doc,
    terms: Sequence[DefinedTerm],
    formulas: Sequence[Formula],
    references: Sequence[CrossReference],
) -> tuple[IRIssue, ...]:
    """Return the IR's issues in document order."""
    issues: list[IRIssue] = []
    for formula in formulas:
        for name in formula.undefined_variables:
            issues.append(
                IRIssue(
                    kind=IssueKind.UNDEFINED_VARIABLE,
                    message=f"formula variable {name!r} is not defined in the document",
                    location=formula.location,
                    subject=name,
                )
            )
    for reference in references:
        if not reference.resolved and reference.kind not in _OUTSIDE:
            issues.append(
                IRIssue(
                    kind=IssueKind.UNRESOLVED_REFERENCE,
                    message=f"{reference.text!r} points at nothing in the document",
                    location=reference.location,
                    subject=reference.target,
                )
            )
    issues.extend(_used_before_definition(doc, terms))
    issues.extend(_duplicates(terms))
    return tuple(sorted(issues, key=lambda i: (i.location.start, i.kind.value)))
