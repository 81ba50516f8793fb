r"""Formulas: LaTeX maths and plain-text equations, with their variables.

* ``$$...$$`` blocks, ``$...$`` and ``\\(...\\)`` inline maths (currency such as
  ``$5 and $10`` is not maths: the opening ``$`` must not be followed by a digit-led
  amount) -> ``notation="latex"``.
* Lines of the form ``Name = expression`` (in prose, list items or code blocks) whose
  right-hand side has an operator or a function call -> ``notation="plain"``. A right-hand
  side that is only a number is a parameter, not a formula; nor is a value with a rate
  unit (``b = 0.72 ETH/year``), a symbol explained in words with a unit in brackets, a
  statement in logic or set notation (``⇔``, ``⇒``, ``∈``) or a method call
  (``abi.encode(...)``). Words leading up to a symbol are not its name (``We have c =
  ...`` names ``c``).

Variables are the operands: for plain text, the phrases between operators (``Current Market
Value``, ``Price_i``), without numbers and function names; for LaTeX, letters and Greek
letters with their subscripts (``\sigma_{i}`` -> ``σ_i``), command names excluded.
Whether each variable is defined is decided later by :mod:`.validate`.
"""

# ruff: noqa: RUF001, RUF002, RUF003  (Greek letters and maths signs are the point)
from __future__ import annotations

import html
import re
from collections.abc import Iterator

from docsense.domain.ir import Formula, FormulaVariable
from docsense.extraction._text import Block, BlockKind, Doc

__all__ = ["extract_formulas", "latex_variables", "plain_variables", "split_assignment"]

_DISPLAY = re.compile(r"\$\$(?P<body>.+?)\$\$", re.DOTALL)
# Inline maths "$...$", not money: "$2.5m), and ... $1.9m" is two amounts ("$2.5", "$10k",
# "$3bn", "$1.2 million") around prose.
_INLINE = re.compile(
    r"(?<![\\$\w])\$(?!\s)(?!\d[\d,.]*(?:[kKmMbB]|bn|mm|MM)?(?:[\s),;:.!?]|$))"
    r"(?P<body>[^$\n]{1,400}?)(?<!\s)\$(?![\d$])"
)
# A LaTeX command: "\texttt{", "\begin{", "\times", "\left|" (not an escape: "\_", "\*").
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]{2,}(?![A-Za-z])")
# Display maths "\[...\]", which Markdown sources escape as "\\[...\\]": its opening.
_BRACKET_DISPLAY = re.compile(r"\\{1,2}\[")
# Inline maths "\(...\)", which Markdown sources escape as "\\(...\\)".
_PAREN_INLINE = re.compile(r"(?<!\\)\\{1,2}\((?P<body>[^\n]{0,400}?(?:\n[^\n]{1,400}?)?)\\{1,2}\)")
# A line "Name = expression", after a list marker and a lead-in ending in a colon ("2. Using
# $1M notional: Shares = ..."); the whole may be set as inline code ("`Weight = ...`").
_ASSIGN = re.compile(
    r"^\s*(?:[-*+]\s+|\d{1,3}[.)]\s+)?(?:[^=<>:`\n]{1,60}:[ \t]+)?(?P<code>`)?"
    r"(?P<lhs>[^=<>:`\n]{1,80}?)\s*(?<![<>!=])=(?!=)\s*(?P<rhs>[^\n]{1,500})$",
    re.MULTILINE,
)
_OPERATOR = re.compile(
    r"[+\u2212\u00d7*\u2217\u22c5\u00b7/\u00f7\u2044\u2215^\u2211\u03a3\u221a\u220f\u00b1\u2213]|\s-\s|"
    r"\b[A-Za-z]\w*\("
    r"|(?<=[\w)])\s+x\s+(?=[\w(])|\)\s+X\s+\("  # "A x B", "(A) X (B)": a typed times sign
    r"|(?<=[\w)}\]%])\s+X\s+(?=[\d(\u2212-])"  # "Equity Returns X 65%", "... ) X \u2212 1"
)
_SPLIT = re.compile(  # ("\u00b1", "\u2213": plus-minus and minus-plus signs)
    r"[=+\u2212\u00d7*\u2217\u22c5\u00b7/\u00f7\u2044\u2215^(),:;\[\]{}<>\u2264\u2265|\u2211\u03a3\u221a\u220f"
    r"\u00b1\u2213]"
    r"|\s-\s|\s-(?=\d)|[\u2013\u2014]"  # a dash typed for a minus: "(P_t/P_{t-1} \u2013 1)"
)
_SPLIT_KEEP = re.compile(f"({_SPLIT.pattern})")
_CONNECTORS = frozenset({"of", "and", "or", "the"})
_NUMBERISH = re.compile(r"^[-+]?[$\u20ac\u00a3]?\d[\d,.]*\s*(?:%|bps?|x)?$")
_FUNCTION_WORDS = frozenset(
    {"sum", "max", "min", "maximum", "minimum", "abs", "log", "ln", "exp", "sqrt", "avg",
     "average", "mean", "std", "correl", "corr", "covar", "cov", "sign", "sgn", "int", "mod",
     "round", "trunc",
     "stdev", "stddev", "var", "count", "median", "floor", "ceil", "ceiling", "product",
     "prod", "sin", "cos", "tan", "tanh", "sinh", "cosh", "sigmoid", "clip", "clamp", "of",
     "inf", "sup", "argmin", "argmax", "lim",
     "and",
     "or", "the"}
)  # fmt: skip
# A chunk starting with one of these (in lower case) is prose trailing the expression.
_PROSE_LEAD = frozenset(
    {"for", "all", "each", "where", "if", "in", "over", "with", "by", "to", "from", "at", "on",
     "per", "then", "else", "is", "are", "when", "otherwise", "subject", "as", "which"}
)  # fmt: skip
_LATEX_NON_VARS = frozenset(
    {"frac", "dfrac", "tfrac", "sum", "prod", "int", "sqrt", "left", "right", "cdot", "times",
     "div", "pm", "mp", "leq", "geq", "neq", "le", "ge", "approx", "equiv", "sim", "infty",
     "to", "in", "notin", "subset", "cup", "cap", "partial", "nabla", "ldots", "cdots", "text",
     "mathrm", "mathit", "mathbf", "operatorname", "begin", "end", "aligned", "matrix", "hat",
     "bar", "tilde", "dot", "ddot", "vec", "overline", "underline", "overbrace", "underbrace",
     "max", "min", "log", "ln", "exp", "sin", "cos", "tan", "lim", "sup", "inf", "det", "genfrac",
     "overset", "quad", "qquad", "mid", "lfloor", "rfloor", "lceil", "rceil", "langle",
     "rangle", "forall", "exists", "iint", "oint", "bigcup", "bigcap", "Rightarrow",
     "Leftrightarrow", "leftarrow", "backslash", "surd", "mathcal", "boldsymbol", "displaystyle",
     "limits", "nolimits", "binom", "acute", "grave", "check", "breve"}
)  # fmt: skip
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ",
    "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "varsigma": "ς",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip
_LATEX_TEXT = re.compile(
    r"\\(?:text|textrm|mathrm|operatorname|hbox|mbox)\s*\{[^{}]*\}"
    # "\mathbb R^k": a number set; "s.t.": "such that"
    r"|\\mathbb\s*\{?\s*[A-Z]\s*\}?|(?<![A-Za-z])s\.\s?t\.(?![A-Za-z])"
)
_LATEX_TOKEN = re.compile(
    r"(?:\\(?P<cmd>[A-Za-z]+)|(?P<word>[A-Za-z\u0370-\u03ff]+))(?:\s*\}{0,2}\s*_\s*"
    r"(?:\{\s*(?P<sub1>[A-Za-z0-9\u0370-\u03ff,+\-\\_ ]{1,20}?)\s*\}|(?P<sub2>[A-Za-z0-9])))?"
)


def split_assignment(text: str) -> tuple[str | None, str]:
    """Split ``lhs = rhs`` at the first ``=``; ``(None, text)`` when there is none."""
    lhs, eq, rhs = text.partition("=")
    if not eq or not lhs.strip() or len(lhs.split()) > 8:
        return None, text
    return lhs.strip().strip("{} "), rhs.strip()


_SCRIPT_GROUP = re.compile(r"[_^]\{[^{}]*\}")
# A subscript written in brackets in plain text: "IL_(t-1)" is IL_{t-1}, not "IL_" applied.
_PAREN_SCRIPT = re.compile(r"(?<=[A-Za-z0-9\u0370-\u03ff])_\(([^()\n]{1,12})\)")
# Sigma applied to a named quantity is its standard deviation: "σ(Flow)", "σ(Daily Return)";
# applied to an index ("σ(t)", "σ_i(t)") it is a volatility, a symbol to define.
_DEVIATION_OF = re.compile(r"\u03c3\s?\((?=\s*[A-Za-z][A-Za-z_ ]{2,30}\))")
# A currency or a unit after a number: "330 BTS/USD", "10 USD", "5775 BTS".
_UNIT_OF_NUMBER = re.compile(r"(?<=\d)\s+[A-Z]{2,6}(?:/[A-Z]{2,6})?(?![\w(])")
# The name of a ratio after "of": "Z score of P/E", "percentile of E/P".
_RATIO_NAME = re.compile(r"(?<=\bof\s)[A-Z]{1,2}/[A-Z]{1,2}\b")
# "A x B", and "A _ B": an asterisk that a rich-text editor turned into an underscore.
_TIMES_X = re.compile(
    r"(?<=[\w)}\]\u0300-\u036f\u0000])\s+[x_]\s+(?=[\w(\[|])|(?<=\))\s+X\s+(?=\()"
    # A capital X before a number or a minus sign: "Equity Returns X 65%", ") X \u2212 1"
    r"|(?<=[\w)}\]%\u0000])\s+X\s+(?=[\d(\u2212-])"
)
# "Signal_{ic}(o)", "HR(s, d)": a function's arguments are indices, not operands.
_ARG_LIST = re.compile(
    r"(?<=[\w}\u0000])\s?\((?P<args>\s*[\w\u0370-\u03ff]{1,6}(?:\s*[+\u2212-]\s*\d)?"
    r"(?:\s*,\s*[\w\u0370-\u03ff]{1,6}(?:\s*[+\u2212-]\s*\d)?){0,5}\s*)\)"
)
_MASK = "\u0000"
# "e^{RT}": Euler's number raised, the exponential function, not a variable.
_EXPONENTIAL = re.compile(r"e\^(?:\{[^{}]*\}|\w+)")
_NORMAL_CDF = re.compile("\u03a6(?:\\^\\{[\u2212-]1\\})?")
# Double-struck E, P and V: the expectation, probability and variance operators.
_OPERATOR_LETTERS = frozenset({"\U0001d53c", "\u2119", "\U0001d54d"})
_PLAIN_WORD = re.compile(r"[a-z]{3,}")
_TITLE_WORD = re.compile(r"[A-Z][a-z]{2,}")
# ISO 4217 codes of the currencies methodologies quote in: the unit of a price or a rate
# ("Exchange rate (JPY/INR)"), never a quantity left undefined.
_CURRENCY_CODES = frozenset({
    "USD", "EUR", "JPY", "GBP", "CHF", "CNY", "CNH", "INR", "AUD", "CAD", "HKD", "SGD", "KRW",
    "BRL", "MXN", "ZAR", "SEK", "NOK", "DKK", "NZD", "RUB", "TRY", "PLN", "TWD", "THB", "IDR",
    "MYR", "PHP", "SAR", "AED", "ILS", "CZK", "HUF", "CLP", "COP", "PEN", "ARS",
})
# One-letter symbols joined by hyphens are a subtraction written without spaces ("f-d");
# words so joined ("Short-Term", "Z-score") are one name.
_LETTER_DIFFERENCE = re.compile(r"[A-Za-z\u0370-\u03ff](?:-[A-Za-z\u0370-\u03ff])+")
# An index moved by a count: "t-1", "i+1" (left when a script's comma split it off).
_SHIFTED_INDEX = re.compile(r"[A-Za-z\u0370-\u03ff][-+\u2212]\d{1,3}")
# A word written as a script's label ("old", "new", "max", "bid") and the unbraced script
# whose comma came before it: "w_i,old" is one symbol, w with the scripts i and old.
_LABEL_WORD = re.compile(r"[a-z]{2,8}")
_SCRIPT_TAIL = re.compile(r"[A-Za-z\u0370-\u03ff]_[A-Za-z0-9]{1,4}$")
# A maths symbol rather than a word: one or two letters, optionally with scripts.
_SYMBOL_WORD = re.compile(
    # ("K² dK": a power glyph, or a subscript digit glyph, ends a symbol too)
    r"[A-Za-z\u0370-\u03ff]{1,2}(?:[_^]\{[^{}]*\})*[\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089]*"
)


# Inside a chunk of several words, one of these (in lower case) starts prose about the name
# before it: "MRI_BTC_28 at contract expiration", "dc − Adr both be nonnegative".
_PROSE_INSIDE = frozenset(
    {"at", "with", "by", "from", "when", "where", "if", "then", "else", "is", "are", "was",
     "were", "be", "been", "both", "has", "have", "had", "will", "would", "should", "must",
     "can", "may", "which", "than", "otherwise", "while", "whereas", "because", "but", "not"}
)  # fmt: skip
# (Not "until", "after", "before": "Time until next Funding" is one name.)


def plain_variables(expression: str) -> tuple[str, ...]:
    """Return the operand names of a plain-text expression, in order, without repeats.

    ``Name_{i,ITD}`` and ``Name^{sup}`` stay one operand (their scripts may hold commas and
    minus signs); a lone ``x`` between two operands is a multiplication sign. Prose after a
    name ("MRI_BTC_28 at contract expiration") is not part of it.
    """
    scripts: list[str] = []

    def protect(m: re.Match[str]) -> str:
        scripts.append(m.group(0))
        return f"{_MASK}{len(scripts) - 1}{_MASK}"

    expression = _PAREN_SCRIPT.sub(r"_{\1}", expression.replace("\\*", "*"))
    expression = _DEVIATION_OF.sub("stdev(", expression)
    masked = _SCRIPT_GROUP.sub(protect, expression)
    if "/" in masked:  # "Z score of P/E": a ratio's name, not a division
        masked = _RATIO_NAME.sub(protect, masked)
    # "330 BTS/USD", "10 USD": the unit of the number before it, not operands
    masked = _UNIT_OF_NUMBER.sub(lambda m: " " * len(m.group(0)), masked)
    masked = _ARG_LIST.sub(
        lambda m: "" if not _is_function_word(masked, m.start()) else m.group(0), masked
    )
    masked = _TIMES_X.sub(" \u00d7 ", masked)
    names: list[str] = []
    parts = _SPLIT_KEEP.split(masked)  # chunks, each followed by the delimiter after it
    for i in range(0, len(parts), 2):
        chunk = re.sub(f"{_MASK}(\\d+){_MASK}", lambda m: scripts[int(m.group(1))], parts[i])
        called = i + 1 < len(parts) and parts[i + 1] == "("
        words = chunk.replace("*", " ").split()
        if words and words[0] in _PROSE_LEAD:
            if i > 0:
                break  # "...) for equity, commodity, FX risk": the rest is prose
            continue
        prose = next((k for k in range(1, len(words)) if words[k] in _PROSE_INSIDE), None)
        if prose is not None:
            if all(_PLAIN_WORD.fullmatch(w) for w in words[:prose]):
                continue  # "deducted at each roll": a clause after the formula
            words = words[:prose]  # the name, then prose about it
        if len(words) > 1 and (
            all(_PLAIN_WORD.fullmatch(w) for w in words)
            or (not called and all(_TITLE_WORD.fullmatch(w) for w in words))
        ):
            # "floor price", "Floor Funding", "Average Premium": words, not the function
            # floor or average applied (a function is called: "Average(Premium)")
            name = " ".join(words)
            if name not in names:
                names.append(name)
            continue
        while words and words[0].lower() in _FUNCTION_WORDS:
            words.pop(0)
        # "... x Sum(": a function called; "(New Sum)": a sum, named, not a call
        while words and words[-1].lower() in (_FUNCTION_WORDS if called else _CONNECTORS):
            words.pop()
        if not words or len(words) > 4:
            continue
        if len(words) > 1 and all(_SYMBOL_WORD.fullmatch(w) for w in words):
            # "A A_{i,t}": stacked symbols the PDF put side by side (a fraction's
            # numerator and denominator), not one name of several words.
            names.extend(w for w in words if w not in names)
            continue
        name = " ".join(words).strip(" .;:'\"")
        if not name or _NUMBERISH.match(name) or not name[0].isalpha():
            continue
        if "=" in name or "\ufffd" in name:
            continue  # a summation bound glued to a symbol, or glyphs the PDF did not map
        if name in _OPERATOR_LETTERS:
            continue  # "𝔼[x_T]": the expectation of what follows
        if name in _CURRENCY_CODES or (
            len(words) == 3 and words[1] == "per" and {words[0], words[2]} <= _CURRENCY_CODES
        ):
            continue  # "Exchange rate (JPY/INR)", "(USD per EUR)": a unit, not operands
        if _EXPONENTIAL.fullmatch(name) or _NORMAL_CDF.fullmatch(name):
            continue  # "e^{RT}": the exponential; "Φ^{−1}": the (inverse) normal distribution
        if (
            _LABEL_WORD.fullmatch(name)
            and i >= 2
            and parts[i - 1] == ","
            and _SCRIPT_TAIL.search(parts[i - 2])
            and not parts[i][:1].isspace()
        ):
            continue  # "|w_i,old| + |w_i,new|": a script's second label, split at its comma
        if _SHIFTED_INDEX.fullmatch(name):  # "P_i,t-1" split at its comma: the index t, shifted
            if name[0] not in names:
                names.append(name[0])
            continue
        if _LETTER_DIFFERENCE.fullmatch(name):  # "d*f-d": letters subtracted, not one name
            names.extend(letter for letter in name.split("-") if letter not in names)
            continue
        if name not in names:
            names.append(name)
    return tuple(names)


def _is_function_word(text: str, at: int) -> bool:
    """Return True if the word before ``at`` is a known function (``max``, ``ln``...)."""
    word = re.search(r"([A-Za-z]+)\s?$", text[:at])
    return word is not None and word.group(1).lower() in _FUNCTION_WORDS


# A name of several words written as one group ("{Index Level}_{t}"), and an upright name
# with a script ("\text{CV}_{i}"): one operand each, not several letters or prose.
_LATEX_PHRASE = re.compile(
    r"(?:\\(?:text|mathrm|operatorname)\s*)?\{\s*(?P<words>[A-Za-z][A-Za-z]*(?:\s+[A-Za-z]+){1,5})"
    r"\s*\}(?:\s*\}?\s*_\s*(?:\{\s*(?P<sub1>[A-Za-z0-9,+\- ]{1,20}?)\s*\}|(?P<sub2>[A-Za-z0-9])))?"
)
_EMPTY_GROUP = re.compile(r"\{\s*\}")
# Words of prose that join symbols inside maths: "t = \tau\ and\ P(...) > 0".
_CONNECTIVES = frozenset({"and", "or", "if", "then", "else", "otherwise", "for", "when"})
_CONNECTIVE_RUN = re.compile(
    r"\\ +|(?<![A-Za-z])(?:and|or|if|then|else|otherwise|for|when)(?![A-Za-z])", re.IGNORECASE
)
# Words joined by escaped spaces are one name: "Max\ Spread".
# ("Wallet \ Balance" too; but between single letters a spaced "\ " is spacing between
# factors, "q \ F_j", and a letter after "_" or "^" is a script: "i_t \ p_t".)
_LATEX_SPACED = re.compile(
    r"(?<![\\A-Za-z_^])[A-Za-z]+(?:(?:\\ +|(?<=[A-Za-z]{2}) \\ +(?=[A-Za-z]{2}))[A-Za-z]+)+"
    r"(?![A-Za-z])"
)
# A count in LaTeX: "\#Contracts" is the number of contracts, not a quantity to define.
_LATEX_COUNT = re.compile(r"\\#\s*[A-Za-z][\w\\]*")
# A name in snake case with escaped underscores: "staked\_rpl\_value\_in\_eth".
_LATEX_SNAKE = re.compile(r"(?<![\\A-Za-z])[A-Za-z][A-Za-z0-9]*(?:\\_[A-Za-z0-9]+)+")
# A name set in typewriter type is one identifier, underscores included:
# "\texttt{Time_to_Expiry}", "\texttt{BaseIV}^{GWAV}" (a superscript is a label, not a power).
_LATEX_CODE_NAME = re.compile(
    r"\\texttt\s*\{(?P<name>[A-Za-z](?:[\w.]|\\_){0,40})\}"
    r"(?:_\{(?P<sub>[\w,]{1,10})\}|\^\{[\w,]{1,10}\})?"
)
# A phrase applied to a named quantity is a function in words: "Standard\ Deviation
# (Mark\ Price)", "Black\ Scholes\ Price (Mid\ Implied\ Volatility, ...)"; applied to an
# index ("Index\ Level (t)") it is the quantity at that index.
_NAMED_ARGUMENT = re.compile(r"\s*\((?=[^()]*[A-Za-z]{2,}\\ [A-Za-z])")
# Line breaks with their spacing, "\\[0.1in]": layout, not a variable "in".
_LATEX_SPACING = re.compile(
    r"\\\\\s*\[\s*-?[\d.]+\s*(?:in|pt|em|ex|cm|mm|mu)\s*\]"
    r"|\\(?:hspace|vspace|hskip|vskip|kern)\*?\s*\{[^{}]*\}"  # "\hspace{2mm}": a length
)
# Words in Title Case side by side: one name ("Util Rate Error = \Delta seconds * (U_T-U)",
# "Rate Modifier_{t-1}"); maths never multiplies capitalised words letter by letter.
_LATEX_TITLE_RUN = re.compile(
    r"(?<![\\A-Za-z])(?P<words>[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)+)(?![A-Za-z])"
    r"(?:\s*\}?\s*_\s*(?:\{\s*(?P<sub1>[A-Za-z0-9,+\- ]{1,20}?)\s*\}|(?P<sub2>[A-Za-z0-9])))?"
)
# The change of a quantity: "\Delta seconds", "\Delta b" is one operand, the change.
# A word written as a script on a bracketed expression: "(C/D)^{before} \leq 1", "(x)_{new}":
# which state the expression is taken in, a label, not a variable.
_STATE_LABEL = re.compile(r"(?<=\))\s*[_^]\s*\{\s*[a-z]{3,}\s*\}")
_LATEX_DELTA = re.compile(r"\\Delta\s*(?P<of>[A-Za-z]\w*)(?![\w{])")
_CALL_OPENS = ("(", "\\{", "{", "\\left(")
# "\begin{cases}", "\end{aligned}": an environment's name, not a variable; nor is a label.
_LATEX_ENVIRONMENT = re.compile(
    # ("\begin{array}{l}": the column layout, l, c or r per column, is no variable)
    r"\\(?:begin|end)\s*\{[A-Za-z*]*\}(?:\s*\{[lcr|\s]+\})?|\\(?:label|tag|eqref|ref)\s*\{[^{}]*\}"
)
# A number ends just here ("1 ETH"): an upper-case word after it is its unit.
_UNIT_AFTER_NUMBER = re.compile(r"\d\s*$")
_LATEX_UPRIGHT_NAME = re.compile(
    r"\\(?:text|textrm|mathrm|operatorname)\s*\{\s*(?P<word>[A-Za-z]{1,40})\s*\}(?=\s*[_^])"
)


# A font switch in a script: "R_{\rm opt}", "x_{\mathrm{max}}" (the braces are gone by then).
_FONT_SWITCH = re.compile(r"\\(?:rm|it|bf|sf|tt|mathrm|mathit|mathbf|text|textrm)\b\s*")
# TeX's thin, medium and negative spaces ("\\,", "\\;", "\\!"): typesetting, not part of a name.
_THIN_SPACE = re.compile(r"\\[,;:!]")


def latex_variables(latex: str) -> tuple[str, ...]:
    r"""Return variable names in a LaTeX expression: ``\sigma_{i}`` -> ``σ_i``.

    ``{Index Level}_{t}`` and ``Max\ Spread`` are one name each (``Index Level_t``, ``Max
    Spread``); ``\text{CV}_{i}`` (or ``\textrm``) is ``CV_i``; other ``\text{...}`` is
    prose and is skipped (``0.0007 ~\textrm{ETH}``: a unit); a
    function applied (``ln(1+x)``) is not a variable.
    """
    names: list[str] = []
    # (offset, name): every substitution below keeps the length, so offsets stay comparable.
    found: list[tuple[int, str]] = []

    def phrase(m: re.Match[str]) -> str:
        words = " ".join(m.group("words").split())
        if all(len(w) == 1 for w in words.split()):
            return m.group(0)  # "\dfrac{a}{b N}": letters side by side, a product
        if len(words.split()) > 4 and not words[0].isupper():
            return " " * len(m.group(0))  # "\text{if the price is above}": prose; a name
            # of five words or more starts with a capital ("VWAP of selling Impact Notional")
        if not all(w.lower() in _FUNCTION_WORDS for w in words.split()):
            sub = m.group("sub1") or m.group("sub2")
            found.append((m.start(), f"{words}_{sub.replace(' ', '')}" if sub else words))
        return " " * len(m.group(0))

    def spaced(m: re.Match[str]) -> str:
        words = [w.strip() for w in m.group(0).split("\\ ")]
        if any(w.lower() in _CONNECTIVES for w in words):
            # "\tau^b_n\ and\ P(...)": prose joining symbols; blank the words of prose and
            # leave the symbols to the token pass
            return _CONNECTIVE_RUN.sub(lambda w: " " * len(w.group(0)), m.group(0))
        lead = 0  # "if\ x_{i}": a word of the prose, then the variable
        while lead < len(words) and words[lead].lower() in _PROSE_LEAD:
            lead += 1
        blank = sum(len(w) + 2 for w in words[:lead])
        if len(words) - lead == 1:  # one word left: the token pass reads it with its script
            return " " * blank + m.group(0)[blank:]
        if len(words) - lead > 1 and _NAMED_ARGUMENT.match(latex, m.end()):
            return " " * len(m.group(0))  # "Standard\ Deviation (Mark\ Price)": a function
        if len(words) - lead > 1:
            found.append((m.start() + blank, " ".join(words[lead:])))
        return " " * len(m.group(0))

    def snake(m: re.Match[str]) -> str:
        found.append((m.start(), m.group(0).replace("\\_", "_")))
        return " " * len(m.group(0))

    def delta(m: re.Match[str]) -> str:
        found.append((m.start(), f"\u0394{m.group('of')}"))
        return " " * len(m.group(0))

    def title_run(m: re.Match[str]) -> str:
        words = " ".join(m.group("words").split())
        if all(w.lower() in _FUNCTION_WORDS or w.lower() in _PROSE_LEAD for w in words.split()):
            return m.group(0)
        sub = m.group("sub1") or m.group("sub2")
        found.append((m.start(), f"{words}_{sub.replace(' ', '')}" if sub else words))
        return " " * len(m.group(0))

    def code(m: re.Match[str]) -> str:
        sub = m.group("sub")
        name = m.group("name").replace("\\_", "_")
        found.append((m.start(), f"{name}_{sub}" if sub else name))
        return " " * len(m.group(0))

    latex = _LATEX_COUNT.sub(lambda m: " " * len(m.group(0)), latex)
    latex = _STATE_LABEL.sub(lambda m: " " * len(m.group(0)), latex)
    latex = _LATEX_CODE_NAME.sub(code, latex)
    latex = _LATEX_SNAKE.sub(snake, latex)
    latex = _LATEX_SPACING.sub(lambda m: " " * len(m.group(0)), latex)
    latex = _LATEX_ENVIRONMENT.sub(lambda m: " " * len(m.group(0)), latex)
    if "\\Delta" in latex:
        latex = _LATEX_DELTA.sub(delta, latex)
    body = _LATEX_SPACED.sub(spaced, _EMPTY_GROUP.sub("", latex))
    body = _LATEX_PHRASE.sub(phrase, body)
    body = _LATEX_TITLE_RUN.sub(title_run, body)
    body = _LATEX_UPRIGHT_NAME.sub(lambda m: m.group("word").ljust(len(m.group(0))), body)
    body = _LATEX_TEXT.sub(lambda m: " " * len(m.group(0)), body)
    for m in _LATEX_TOKEN.finditer(body):
        cmd = m.group("cmd")
        if cmd is not None:
            if cmd in _LATEX_NON_VARS or cmd not in _GREEK:
                continue
            base = _GREEK[cmd]
        else:
            base = m.group("word")
            if base.lower() in _FUNCTION_WORDS and body[m.end() :].lstrip(" ").startswith(
                _CALL_OPENS
            ):
                continue  # "ln(1 + x)", "exp\{...\}": a function applied, not a variable
            if len(base) > 1 and not base.isupper() and base.lower() in _PROSE_LEAD:
                continue  # "If\ \gamma \to 0": a word of the prose around the maths
            if _UNIT_AFTER_NUMBER.search(body, 0, m.start()) and base.isupper() and len(base) > 1:
                continue  # "1 ETH * n", "0.5 USD": the unit of the number before it
            if base == "e" and not (m.group("sub1") or m.group("sub2")) and body.startswith(
                "^", m.end()
            ):
                continue  # "e^{2\sqrt{b}}": Euler's number raised, the exponential
        sub = m.group("sub1") or m.group("sub2")
        if sub:
            sub = _THIN_SPACE.sub("", sub)  # "r_{i,\,t-1,\,k}" is r_{i,t-1,k}
            sub = _FONT_SWITCH.sub("", sub)  # "R_{\rm opt}" is R_opt
            sub = "".join(_GREEK.get(part, part) for part in re.split(r"\\", sub) if part)
            sub = "".join(sub.split())  # "{i - k}" -> "i-k"
        found.append((m.start(), f"{base}_{sub}" if sub else base))
    for _, name in sorted(found):
        if name not in names:
            names.append(name)
    return tuple(names)


# What makes inline maths a formula rather than a symbol: a relation or an operation.
_LATEX_OPERATOR = re.compile(
    r"[=<>+*\u2217/\u2212\u00d7\u00f7\u2264\u2265]|(?<![_^{])-|\\(?:d?frac|sum|prod|sqrt|cdot|times|"
    r"div|le|ge|leq|geq|neq|approx|max|min|log|ln|exp|int|lim)\b"
)


def _latex(doc: Doc, block: Block) -> Iterator[Formula]:
    text = block.text
    spans: list[tuple[int, int]] = []
    for m in _DISPLAY.finditer(text):
        spans.append((m.start(), m.end()))
        if _in_prose(text, m) and not _LATEX_OPERATOR.search(m.group("body")):
            continue  # GitBook writes inline maths as "$$l$$" too: "an index with $$l$$ tokens"
        if _LEGEND_DISPLAY.match(m.group("body")):
            continue  # "$$ \begin{align*} \text{where}\\ &p=\text{...} $$": a legend
        for at, equation in _equations(m.group("body")):
            yield _latex_formula(doc, block.start + m.start("body") + at, equation)
    for m in _INLINE.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        body = m.group("body")
        if "`" in body:
            continue  # "redeem `$x` worth of BOLD for `>$x`": dollars in two code spans
        if not re.search(r"[A-Za-z\\]", body) or not _LATEX_OPERATOR.search(
            _SCRIPT_GROUP.sub("", body).replace("^*", "")
        ):
            continue  # "$MC_i$", "$N$", "$r_{i,t-1,k}$", "$P^*$": a symbol named in prose
        if _BOUND_ONLY.match(body):
            continue  # "by $c > 0$": a symbol introduced with its bound, not a formula
        if _HYPHENATED_NAME.fullmatch(body) and any(
            _CAPITALISED_WORD.fullmatch(part) for part in body.strip().split("-")
        ):
            continue  # "the trading rate of $X-Pool$": a name with a hyphen, no subtraction
        for at, equation in _equations(body):  # "Let $a=..., b=...$": each defines its own
            yield _latex_formula(doc, block.start + m.start("body") + at, equation)
    if "\\(" not in text:
        return
    for m in _PAREN_INLINE.finditer(text):
        body = m.group("body")
        if not _LATEX_OPERATOR.search(body) or body.rstrip().endswith("="):
            continue  # "\\(K\\)": a symbol named; "\\(\\sigma =\\)": its value follows
        if not m.group(0).startswith("\\\\") and not _TEX_MARK.search(body):
            continue  # "\(company/foundation\)": GitBook escapes a bracket in prose;
            # maths in single-backslash brackets shows TeX ("\(x \* y = k\)")
        yield _latex_formula(doc, block.start + m.start("body"), body)


# Letters joined by hyphens, one of them a capitalised word ("X-Pool"): a name in maths type.
_HYPHENATED_NAME = re.compile(r"\s*[A-Za-z]+(?:-[A-Za-z]+)+\s*")
_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]{2,}")
# Inline maths that only bounds one symbol by a number: "$c > 0$", "$\epsilon \le 0.01$".
_BOUND_ONLY = re.compile(
    r"\s*\\?[A-Za-z]+(?:_\{?\w{1,6}\}?)?\s*(?:>|<|\\geq?|\\leq?|\u2265|\u2264)\s*-?\d[\d.]*\s*$"
)
#: "where" set as text in maths: the head of a legend ("$$ \begin{align*} \text{where}\\ &p=
#: \text{Estimated Liquidator Premium} ... $$"), whose lines define symbols.
LATEX_WHERE = re.compile(r"\\(?:text|textrm|mathrm)\s*\{\s*where\s*:?\s*\}", re.IGNORECASE)
# A display that opens with that head: the legend of the formula before it, not a formula.
_LEGEND_DISPLAY = re.compile(
    r"\s*(?:\\begin\s*\{[A-Za-z*]+\}\s*)?" + LATEX_WHERE.pattern, re.IGNORECASE
)
# Equations set side by side in one display, apart by a quad or a space: "z = ... , \qquad
# tsmom = ...", "LM(b) = ..., \hspace{2mm} BM(b) = ...".
_QUAD = re.compile(r"\\q?quad(?![A-Za-z])|\\hspace\*?\s*\{[^{}]*\}")


# A comma or semicolon, then one symbol and an equals sign: the next of several equations
# written in a row ("a=\sqrt{k x}, \overline{a}=\sqrt{k y}, b=\sqrt{x y}").
_NEXT_EQUATION = re.compile(
    r"[,;]\s*(?=(?:\\(?:overline|bar|hat|tilde|widehat|widetilde)\s*\{?\s*)?\\?[A-Za-z]+\}?"
    r"(?:\s*[_^]\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}|\w))*\s*=(?!=))"
)
# A line break of an alignment ("\\", "\\[0.5em]"); the environments whose lines are
# equations of their own, and the rest (cases, matrices), whose lines are not.
_LINE_BREAK = re.compile(r"\\\\(?:\s*\[[^\]\n]{0,12}\])?")
_ENV = re.compile(r"\\(begin|end)\s*\{([A-Za-z*]+)\}")
_ALIGNMENTS = frozenset(
    {"aligned", "align", "align*", "gathered", "gather", "gather*", "split", "eqnarray",
     "eqnarray*", "alignedat", "multline", "multline*"}
)
# What opens a line of an alignment before its left side: "\begin{aligned}", "&".
_LINE_LEAD = re.compile(r"\s*(?:\\begin\s*\{[A-Za-z*]+\}(?:\{\d+\})?\s*)?&?\s*")
_LINE_END = re.compile(r"\s*(?:\\end\s*\{[A-Za-z*]+\}\s*)*[\s,.;]*$")


def _equations(body: str) -> list[tuple[int, str]]:
    r"""Split a display into the equations set in it, with their offsets.

    "$$ z_{i} = \frac{r}{\sigma}, \qquad s_{i} = \frac{1}{3} \sum_k z_{i} $$" holds two
    equations side by side, and each line of an alignment ("\begin{aligned} &U^* = ...
    \\ &R(U) = ... \end{aligned}") is one: each defines its left side. A quad or a line
    break inside braces or inside cases does not split, and a piece with no equals sign
    ("\delta \in [0, 1]", a continued line) stays with the equation before it; when the
    first piece has none ("\text{s.t.} \quad \sum_i w_i = 1") the display is one formula.
    """
    lines = any(m.group(1) == "begin" and m.group(2) in _ALIGNMENTS for m in _ENV.finditer(body))
    listed = _NEXT_EQUATION.search(body) is not None
    if "quad" not in body and "hspace" not in body and not lines and not listed:
        return [(0, body)]
    cuts: list[tuple[int, int]] = []  # (start, end) of each separator outside braces
    depth = inner = parens = 0  # braces; environments other than an alignment; brackets
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch in "([":
            parens += 1
        elif ch in ")]":
            parens = max(0, parens - 1)
        elif ch in ",;" and listed and depth == inner == parens == 0:
            comma = _NEXT_EQUATION.match(body, i)
            if comma is not None:  # "a=\sqrt{k}, b=\sqrt{x}": the next equation starts
                cuts.append((comma.start(), comma.end()))
                i = comma.end()
                continue
        elif ch == "\\":
            env = _ENV.match(body, i)
            if env is not None:
                if env.group(2) not in _ALIGNMENTS:
                    inner = max(0, inner + (1 if env.group(1) == "begin" else -1))
                i = env.end()
                continue
            cut = None
            if depth == 0 and inner == 0:
                cut = _QUAD.match(body, i) or (_LINE_BREAK.match(body, i) if lines else None)
            if cut is not None:
                cuts.append((cut.start(), cut.end()))
                i = cut.end()
                continue
        i += 1
    if not cuts:
        return [(0, body)]
    bounds = [0] + [end for _, end in cuts]
    ends = [start for start, _ in cuts] + [len(body)]
    pieces: list[tuple[int, int]] = []  # (start, end) of each equation
    for a, b in zip(bounds, ends, strict=True):
        text = body[a:b]
        if not text.strip(" ,.;&"):
            continue
        if pieces and "=" not in text and "\\equiv" not in text:
            pieces[-1] = (pieces[-1][0], b)  # goes on with the equation before it
        else:
            pieces.append((a, b))
    first = body[pieces[0][0] : pieces[0][1]] if pieces else ""
    if len(pieces) < 2 or ("=" not in first and "\\equiv" not in first):
        return [(0, body)]
    found: list[tuple[int, str]] = []
    for a, b in pieces:
        lead = _LINE_LEAD.match(body, a)
        start = lead.end() if lead is not None else a
        text = body[start:b]
        tail = _LINE_END.search(text)
        found.append((start, text[: tail.start()] if tail is not None else text))
    return found


def _in_prose(text: str, m: re.Match[str]) -> bool:
    """Return True if the ``$$...$$`` match ``m`` has words beside it on its line."""
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end < 0 else line_end
    beside = text[line_start : m.start()] + " " + text[m.end() : line_end]
    return "\n" not in m.group("body") and re.search(r"[A-Za-z]{2}", beside) is not None


# What marks a single-backslash bracket "\(...\)" as maths, not an escaped bracket: an
# equals sign, a script, or a TeX command.
_TEX_MARK = re.compile(r"=|[_^]|\\[A-Za-z]")
# A TeX comment on a line of its own in display maths: "$$% \text{BLX}(t) = ..." (the
# author commented out the left side). Only a "%" opening a line, so "5%" stays a percent.
_TEX_COMMENT = re.compile(r"^([ \t]*)%[^\n]*", re.MULTILINE)


# One symbol and its scripts, whatever they hold: "z^{(k)}_{i,t}", "\hat\sigma_{i,t}^{2}".
_SCRIPTED_SYMBOL = re.compile(
    r"^\s*(?:\\[A-Za-z]+\s*)?"  # an accent: "\hat"
    # (a name of words joined by escaped spaces: "Average\ Price\ P^{x}_{y}")
    r"(?:\\(?:text|textrm|mathrm|operatorname)\s*\{[A-Za-z ]+\}|\\?[A-Za-z]+(?:\\\s+[A-Za-z]+)*)"
    r"(?:\s*[_^]\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}|\w))+\s*$"
)


def _latex_formula(doc: Doc, start: int, body: str) -> Formula:
    text = " ".join(_TEX_COMMENT.sub(r"\1", body).split())
    head = text.partition("=")[0]
    aliases: tuple[str, ...] = ()
    if "\\equiv" in head or ("=" not in text and "\\equiv" in text):
        # "\text{CCR}_i \equiv \text{RC}_i = ...": an identity gives the left side two names
        head, _, other = head.partition("\\equiv")
        aliases = latex_variables(other)
        lhs: str | None = head.strip().strip("{} ") or None
    else:
        lhs, rhs = split_assignment(text)
        if lhs and _names_a_product(lhs, rhs):
            head = lhs = rhs.strip(" .,;")  # "x \* y = k": k, which the equation defines
    # The variables of the left side as written: stripping its braces could cut a script.
    lhs_vars = latex_variables(head) if lhs else ()
    offset = start + (len(body) - len(body.lstrip()))
    # "\textrm{orderShare}_i(o) = ...": a function of its arguments; its name comes first;
    # so it does in "z^{(k)}_{i,t} = ...", one symbol with its scripts
    applied = len(lhs_vars) > 1 and (
        head.rstrip().endswith(")") or _SCRIPTED_SYMBOL.match(head) is not None
    )
    return Formula(
        text=text,
        location=doc.location(offset, offset + len(body.strip())),
        notation="latex",
        name=lhs_vars[0] if len(lhs_vars) == 1 or applied else lhs,
        variables=tuple(FormulaVariable(v) for v in latex_variables(text) if v not in aliases),
    )


# A line that ends in an operator or an open parenthesis goes on on the next line.
_CONTINUES = re.compile(r"[+\u2212\u00d7*\u2217\u22c5/\u00f7(-]\s*$")  # "\u2217": asterisk operator


def _continued(text: str, rhs: str, end: int) -> tuple[str, int]:
    """Return ``rhs`` with the lines that continue it, and where it now ends in ``text``.

    ``Weight = (A x 0.7) +`` followed by ``(B x 0.3)`` is one formula.
    """
    while _CONTINUES.search(rhs) and end < len(text):
        stop = text.find("\n", end + 1)
        stop = len(text) if stop < 0 else stop
        line = text[end + 1 : stop]
        if not line.strip() or "=" in line:
            break
        rhs, end = f"{rhs.rstrip()} {line.strip()}", stop
    return rhs, end


def _plain(doc: Doc, block: Block) -> Iterator[Formula]:
    # "m = (CMT_z - CMT_1) / (t_z - t_1) ; b = CMT_1 - m x t_1": two formulas on one line; a
    # line break in place of the space after the semicolon keeps every offset.
    text = _SEMICOLON_ASSIGNMENT.sub(";\n", block.text) if ";" in block.text else block.text
    for m in _ASSIGN.finditer(text):
        lhs = " ".join(m.group("lhs").replace("*", "").replace("\\_", "_").split())
        lhs = lhs.removeprefix("; ")  # "; b = ...": the second formula of a line above
        lhs = _SENTENCE_AFTER.split(lhs)[-1]  # "... AMM TWAPs. For i = ...": the last sentence
        if ", " in lhs:  # "Simply explained, Units = ...": the name follows the lead-in
            lhs = lhs.rsplit(", ", 1)[1]
        lhs = _INSTRUCTION.sub("", lhs)  # "Step 1: Calculate the interim IWF = ...": IWF's
        if _NUMBERISH.match(lhs):
            continue  # "**100** = the balance point": a value explained, not a formula
        where = _WHERE_LEAD.match(lhs)
        if where is not None and len(lhs[where.end() :].split()) == 1:
            lhs = lhs[where.end() :]  # "where progress = min(1, ...)": defines progress
        if _UNIT_LABEL.search(lhs) and _PROSE_START.match(m.group("rhs").strip()):
            continue  # "q [no unit] = quantity of stocks held": a symbol explained
        rhs, end = _continued(text, m.group("rhs"), m.end("rhs"))
        rhs = rhs.replace("\\_", "_")  # "node\_weight": Markdown's escaped underscore
        rhs = _SENTENCE_AFTER.split(rhs, maxsplit=1)[0]  # "= (1350 - 1275)/2. At the edges ..."
        rhs = _NEXT_ASSIGNMENT.split(rhs, maxsplit=1)[0]  # "= a + b, total = c + d": the first
        rhs = rhs.strip().rstrip(".;")
        if block.kind is BlockKind.CODE:
            rhs = _CODE_TAIL.sub("", rhs)  # "# time to near expiry, years", "   for K < F"
        rhs = _EXAMPLE_ASIDE.sub("", rhs)  # "`auctionStartPrice` (e.g., oracle + 0.10%)"
        if _LEGEND_SYMBOL.fullmatch(lhs) and (
            (_PROSE_START.match(rhs) and rhs.split()[0].lower() not in _FUNCTION_WORDS)
            or (_NAMED_PROSE_START.match(rhs) and not _ARITHMETIC.search(rhs))
        ):
            continue  # "w_c(d-1) = weight of contract c at the close of d-1", "Δ_i = Black-76
            # delta of series i, between -1 and +1": a legend line
        rate = _RATE_VALUE.match(rhs)
        if (rate and not _OPERATOR.search(rhs[rate.end() :])) or _SYMBOL_EXPLAINED.match(
            f"{lhs} = {rhs}"
        ):
            continue  # "b = 0.72 ETH/year": a value; "b = Average rewards (ETH/yr)": a legend
        line = text[m.start("lhs") : end]
        if (_LATEX_COMMAND.search(line) or _BRACKET_DISPLAY.match(line)) and not re.search(
            r"\$|\\[()]", line
        ):
            # "\begin{equation} \texttt{Force} = BS(...)": LaTeX left bare for MathJax; so is
            # a display in escaped brackets ("\\[F(t_{k+1}) \ = \ i_{t_k} \ p_{t_k}\\]")
            start = block.start + m.start("lhs")
            yield _latex_formula(doc, start, line)
            continue
        if "&" in rhs:  # "S &times; P": HTML entities, as Markdown writes a sign
            rhs = _HTML_ENTITY.sub(lambda e: html.unescape(e.group(0)), rhs)
        if "<su" in rhs or '{" "}' in rhs:  # "S<sub>i</sub>": HTML scripts; {" "}: JSX space
            rhs = _HTML_SCRIPT.sub(
                lambda s: f"{'_' if s.group(1) == 'sub' else '^'}{{{s.group(2).strip()}}}", rhs
            ).replace('{" "}', " ")
        if _names_a_product(m.group("lhs"), rhs):
            # "x \* y = k": k, which the equation defines, is the product as written (the
            # name above dropped its "*")
            lhs, rhs = rhs, m.group("lhs").strip().replace("\\*", "*")
        written, lhs = lhs, _named_symbol(lhs)
        if m.group("code"):  # `Weight = Cap / Total`: the expression ends with the code span
            rhs, tick, _ = rhs.partition("`")
            if not tick:
                continue
            rhs = rhs.strip()
        operators = _ORDINAL.sub("", rhs)  # "the i^{th} contract": a superscript, no power
        if (
            "$" in written  # "we find that $x_{n}\cdot y_{n}= ...$": inline maths, read apart
            or "`" in lhs
            or "\\(" in lhs
            or not _OPERATOR.search(operators)
            or len(lhs.split()) > 6
        ):
            continue
        if _STRING_VALUE.fullmatch(rhs):
            continue  # 'src="/images/diagram.png"': an attribute or a string, not arithmetic
        if "](" in rhs or "://" in rhs:
            continue  # "GREEN = Total risk ... ![chart|679x500](https://...)": a caption, a link
        if _STATEMENT.search(rhs) or _METHOD_CALL.search(rhs) or _RELATION_CHAIN.match(rhs):
            continue  # "{z = 1} ⇔ C^{1}", "j ≠ k ∈ I": logic; "abi.encode(...)": a program
        if not re.search(r"[A-Za-z\u0370-\u03ff]", rhs) or _PROSE_LHS.match(written):
            continue  # "If x = 1", "(b) Since K = 1360 we see that": prose around a value
        if re.fullmatch(r"[a-z]", lhs) and len(rhs) <= 14:
            continue  # "s=ITD−1", "i=1": the bounds of a sum, not a formula
        start = block.start + m.start("lhs") + max(0, m.group("lhs").rfind(lhs))
        text = f"{lhs} = {rhs}"
        variables = plain_variables(f"{lhs} = {rhs}")
        yield Formula(
            text=text,
            location=doc.location(start, block.start + end),
            notation="plain",
            name=lhs,
            variables=tuple(FormulaVariable(v) for v in variables),
        )


# A value in quotes: an HTML or MDX attribute ('src="/images/diagram.png"'), a string.
_STRING_VALUE = re.compile(r"\s*(?:\"[^\"\n]*\"|'[^'\n]*')\s*")
# A semicolon, then a second "name = expression" on the same line.
_SEMICOLON_ASSIGNMENT = re.compile(
    r";[ \t](?=[ \t]*[A-Za-z\u0370-\u03ff][^;=<>\n]{0,30}?\s?=(?!=))"
)
# In a code block, what follows a formula on its line: a comment ("# years", "// bps"), or,
# after a run of spaces, the case or note of a piecewise definition ("   for K < F", "   at
# the split point").
_CODE_TAIL = re.compile(r"\s+(?:#|//)\s.*$|\s{2,}(?:for|if|when|where|at|otherwise)\b.*$")
# An example or a gloss in brackets: "(e.g., oracle + 0.10%)", "(i.e. the mid price)".
_EXAMPLE_ASIDE = re.compile(r"\s*\((?:e\.g\.|i\.e\.|eg\.?|ie\.?)[,:]?\s[^()]*\)", re.IGNORECASE)
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{2,5}|#x[0-9A-Fa-f]{2,4});")
# A subscript or superscript written in HTML: "S<sub>i</sub>", "x<sup>2</sup>".
_HTML_SCRIPT = re.compile(r"\s*<(sub|sup)>([^<>\n]{1,20})</\1>")
# "q [no unit]", "s [quote asset]": a symbol with its unit, then what it is in words.
_UNIT_LABEL = re.compile(r"\S\s*\[[^\]\n]{1,30}\]\s*$")
# ("EUR/USD spot rate (USD per EUR) on day t": a currency pair or a code may lead the words)
_PROSE_START = re.compile(r"[A-Z]{3}(?:/[A-Z]{3})?\s+[a-z]+\s+[a-z]+|[a-z]+\s+[a-z]+\s+[a-z]+")
# A capitalised word or model name, then words in lower case: "Black-76 delta of series i".
_NAMED_PROSE_START = re.compile(r"[A-Z][\w-]*\s+[a-z]+\s+[a-z]+\s+[a-z]+\b")
# Multiplication, division or a function applied: what a meaning in words does not have
# (a sign before a number, "between -1 and +1", it may).
_ARITHMETIC = re.compile(r"[\u00d7*\u2217\u22c5\u00b7/\u00f7]|\b[A-Za-z]\w*\(")
# A short symbol, with its scripts and arguments: "w_c(d-1)", "P_{i,t}", "X_i,t", "IL(d)".
_LEGEND_SYMBOL = re.compile(
    r"[A-Za-z\u0370-\u03ff]{1,3}(?:_\{[^{}\n]{1,20}\}|_[A-Za-z0-9]{1,4}(?:,[A-Za-z0-9]{1,4})*)?"
    r"(?:\([^()\n]{1,12}\))?"
)
_SENTENCE_AFTER = re.compile(
    r"(?<=[\w)}])\.\s+(?=[A-Z][a-z]+\s+[a-z])"
    # "p = p_{o}/p_{s}, and all the collateral<>stablecoin conversion ...": the sentence goes on
    # in words after the formula
    r"|,\s+(?=(?:and|but|so|while|which|whereas)\s+(?:all|the|this|that|these|it|we|our)\s)"
)
# Logic and set notation make a statement about values, not a formula defining one.
_STATEMENT = re.compile("[\u21d4\u21d2\u2192\u2208\u2200\u2203\u2282\u2286]")
_METHOD_CALL = re.compile(r"\b[A-Za-z_]\w*\.[A-Za-z_]\w*\(")
# "P_{x} = α ≥ p_{x}": a chain of relations states a condition; a piecewise definition puts
# its condition after a comma or "if" ("Score = 1 + Z, Z > 0").
_RELATION_CHAIN = re.compile(
    r"(?:(?!,|\bif\b|\bwhen\b|\bfor\b|\bwhere\b|\botherwise\b)[^\n])*?[<>\u2264\u2265]",
    re.IGNORECASE,
)
# A second assignment after a comma ends the first: "debt = a + b, total liq = debt + avail".
_NEXT_ASSIGNMENT = re.compile(r",\s+(?=[^,=\n]{1,30}?\s:?=(?!=))")
# A value with a rate unit: "0.72 ETH/year", "1.11 ETH /yr average rewards", "5 bps/day".
_RATE_VALUE = re.compile(
    r"[-+]?[$\u20ac\u00a3]?\d[\d,.]*\s*%?\s*[A-Za-z]{1,8}\s*/\s*[A-Za-z]{1,8}\b"
)
# A symbol explained in words, with a unit or a note in brackets: "b = Average validator
# beacon chain rewards (ETH/yr)", "s = NO share of the minipool (s = d / 32)".
_SYMBOL_EXPLAINED = re.compile(
    r"[A-Za-z\u0370-\u03ff]{1,2}(?:[_^]\{[^{}]*\})?\s=\s[A-Za-z][A-Za-z'-]*"
    r"(?:\s+[A-Za-z][A-Za-z'-]*){1,12}\s*\([^()\n]{1,60}\)$"
)
# The words that introduce or describe a symbol or an expression: "We have c", "Let there
# be a set U", "Annualized Volatility Vt", "The price requires x · p_{j}".
_MATHS_TOKEN = re.compile(
    r"[A-Za-z\u0370-\u03ff]{1,2}(?:[_^]\{[^{}]*\})*|[-+\u2212\u00d7*\u2217\u22c5\u00b7/()\d.]+"
)


def _named_symbol(lhs: str) -> str:
    """Return the symbol (or expression) a left-hand side names, without the words before it."""
    words = lhs.split()
    tail = len(words)
    while tail > 0 and _MATHS_TOKEN.fullmatch(words[tail - 1]):
        tail -= 1
    lead = words[:tail]
    if not lead or tail == len(words) or not any(re.search(r"[A-Za-z]{3}", w) for w in lead):
        return lhs  # "Index Level", "A A_{i,t}" (stacked symbols): the name as written
    return " ".join(words[tail:])
# One symbol alone on a side of an equation: "k", "K_t", "P_{0}".
_LONE_SYMBOL = re.compile(r"[A-Za-z\u0370-\u03ff](?:_\{?\w{1,6}\}?)?")
# A product or ratio of symbols: "x * y", "x \* y", "P \times Q / N" (the constant it equals
# is what the equation defines; a sum or a difference may be solved for either side).
_PRODUCT = re.compile(
    r"[A-Za-z](?:_\{?\w{1,6}\}?)?(?:\s*(?:\\?\*|\u00d7|\u00b7|\u22c5|/|\\times|\\cdot)\s*"
    r"[A-Za-z](?:_\{?\w{1,6}\}?)?)+"
)
def _names_a_product(lhs: str, rhs: str) -> bool:
    """Return True for "x * y = k": a product or ratio equal to one symbol defines that symbol."""
    return (
        _LONE_SYMBOL.fullmatch(rhs.strip(" .,;")) is not None
        and _PRODUCT.fullmatch(lhs.strip()) is not None
    )


_ORDINAL = re.compile(r"\^\{?(?:th|st|nd|rd)\}?")
# An instruction before the quantity a step computes: "Calculate the", "Compute".
_INSTRUCTION = re.compile(
    r"^(?:calculate|compute|determine|derive|obtain|find)\s+(?:the\s+)?(?=\S)", re.IGNORECASE
)
_WHERE_LEAD = re.compile(r"where,?\s+", re.IGNORECASE)
_PROSE_LHS = re.compile(
    r"^(?:\(\w{1,3}\)\s*)?(?:if|since|when|whenever|because|thus|hence|therefore|so|as|"
    r"given|assuming|suppose|then|now|for|where|with|and|or|but|notice|note|recall)\s",
    re.IGNORECASE,
)
# A code block that is a program (declarations, statements, calls) rather than formulas set
# in monospace: "uint256 amount = ...;", "function f(...) {", "const x = ...", "def f(x):".
_PROGRAM = re.compile(
    r"^\s*(?:```|~~~)\s*(?:solidity|sol|js|javascript|ts|typescript|python|py|go|rust|rs|java|"
    r"c|cpp|c\+\+|cs|sql|bash|sh|shell|json|yaml|toml)\b"
    r"|;\s*$|\{\s*$|^\s*}\s*$"
    r"|\b(?:function|return|const|let|var|def|class|import|require|uint\d*|int\d*|"
    r"address|bool|mapping|struct|public|private|external|internal|view|pragma)\b",
    re.MULTILINE,
)


def extract_formulas(doc: Doc) -> tuple[Formula, ...]:
    """Return the formulas of ``doc`` in document order (variables not yet resolved).

    Formulas come from maths (``$...$``, ``$$...$$``), ``Name = expression`` lines in prose,
    and code blocks that hold formulas; a code block that is a program (Solidity, Python,
    statements ending in ``;``...) is not read for formulas.
    """
    found: list[Formula] = []
    for block in doc.blocks:
        if block.kind in (BlockKind.MATH, BlockKind.PARAGRAPH):
            found.extend(_latex(doc, block))
        if block.kind is BlockKind.CODE and _PROGRAM.search(block.text):
            continue  # program code: its names come from its declarations, not a glossary
        if block.kind in (BlockKind.PARAGRAPH, BlockKind.CODE) and "=" in block.text:
            found.extend(_plain(doc, block))
    return tuple(sorted(found, key=lambda f: f.location.start))
