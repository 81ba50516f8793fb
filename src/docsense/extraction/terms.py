r"""Defined terms, recognised from drafting patterns rather than from any one document's words.

Patterns (each a :class:`~docsense.domain.ir.TermSource`):

* ``QUOTED`` - a quoted capitalised term introduced in a parenthesis after what it names:
  ``Goldman Sachs Multi-Asset Index (the "Index")``, ``(each, an "Index Component", and
  collectively the "Index Components")``; or a quoted term followed by a defining verb:
  ``"Business Day" means ...``. The long name becomes an alias.
* ``MEANS`` - a capitalised term followed by ``means``, ``shall mean``, ``is defined as``,
  ``refers to`` or ``denotes``.
* ``GLOSSARY`` - ``Term: definition`` / ``Term - definition`` list items inside a section
  headed Definitions, Glossary, Defined Terms, Interpretation or Terminology, and
  ``**Term**: definition`` (or ``**Term:** definition``) list items anywhere, and a bold
  name opening the sentence that says what it is (``The **Reserve Feed** acts as ...``),
  and a list item giving a symbol in brackets after its name (``- Std.Deviation (σp ) :
  ...``, the name an alias). A name in code opening such a sentence (```spot_price` is the
  index price ...``) is defined the same way. Tables define by their layout: a table whose
  first header cell names what its rows list (``| Parameter | Default | Purpose |``,
  ``| Symbol | Meaning |``) defines each row's first cell (a cell in maths, ``\\(W\\)``
  or ``$W$``, defines the symbol), and a header cell in code
  (``| Venue | `notional_multiplier` |``) names a setting the column gives.
* ``GLOSSARY`` also covers symbol glossaries, one symbol per line: ``Q_{i,ITD} means the
  Quantity ...``, ``𝐵𝑎𝑠𝑒𝐼𝑛𝑑𝑒𝑥𝑉𝑜𝑙 means ...`` (mathematical letters read as plain ones),
  ``Subscript (ITD) means Index Trading Day`` (defines the index ``ITD``), and, in a
  definitions section, ``Launch Date is September 29, 2025`` and a flattened table of
  notation, a symbol, a comma and its name per line (``T, current timestamp``).
* ``WHERE`` - variables explained after a formula: ``where X is ...``, ``where X denotes
  ...`` (chains joined by commas/``and``), and ``Where:`` followed by ``- X = ...`` /
  ``- X: ...`` / ``- X is ...`` items; a unit after the name (``- q [no unit] = ...``) is
  not part of it, and a maths name (``- $\sigma$ = volatility``, ``- $\delta^{a},
  \delta^{b}$ = ...``) defines the symbols a formula uses (``σ``, ``δ``), as does a name
  with its scripts in markup (``- **P~i,t~** is ...``, ``_`VWMP`<sub>i,t</sub>_ is ...``
  define ``P_{i,t}`` and ``VWMP_{i,t}``); ``Where,`` with
  bare ``P_{i,t} = CM Price ...`` lines (as PDFs print the list) is one too (so are such
  lines, ``rs: Average of daily return ...``, right after a formula with no "Where"), and so is a
  legend a PDF printed in two columns: ``Where`` and the descriptions, then each symbol
  alone in its block (``M_{Current day}``).
* ``WHERE`` also covers symbols defined in passing: ``an index with $l$ tokens`` (a
  count), ``a *desired weight* ($D_t$)``, ``- $x_i$ — the balance ...`` (a symbol line),
  ``a spread, S (such as 0.10)`` (a capital after the words it stands for), and ``where
  $m(T_{n})$ is ...``, which defines the function and its argument. GitBook's ``$$x$$``
  inside a sentence (or opening one: ``$$k$$ is a parameter``) is inline maths, and
  ``quote tokens (denoted by Q)`` names Q, as ``We define A (a measure of ...)`` names A.
  Mathematical prose declares symbols as well: ``v ∈ R``
  and ``ω = (j, k, x, y, π) ∈ O`` (membership), ``v := ...``, and ``the amount x of
  tokens`` (a lower-case letter after the words it stands for). A line that equates two
  symbols and nothing else (``RiskFreeRate_{t} = GBR_{t}``) defines the first, and a
  symbol with a digit in brackets after the words it stands for (``the ending period index
  value (IV1)``) is defined by them.
"""

# ruff: noqa: RUF002  (mathematical letters are the point of the examples)
from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from docsense._literals import folded, mentions
from docsense.domain.ir import DefinedTerm, TermSource
from docsense.extraction._text import Block, BlockKind, Doc, plain_letters
from docsense.extraction.formulas import LATEX_WHERE, latex_variables
from docsense.extraction.tables import split_row

__all__ = ["GLOSSARY_HEADING", "extract_terms"]

_Q_OPEN = "\"\u201c\u201f'\u2018"
_Q_CLOSE = "\"\u201d'\u2019"
_QUOTED = rf"[{_Q_OPEN}](?P<term>[A-Za-z0-9\u0370-\u03ff][^{_Q_CLOSE}\n]{{0,78}}?)[{_Q_CLOSE}]"
_VERB = (
    r"(?:means|shall\s+mean|has\s+the\s+meaning|shall\s+have\s+the\s+meaning|is\s+defined\s+as"
    r"|are\s+defined\s+as|refers\s+to|denotes|represents)"
)
_VERB_WORDS = ("mean", "defined", "refers", "denotes", "represents")  # in every _VERB
# '"BVT" or "Basket Volatility Target" means ...' defines both names; '"SCWM(c)" means, (i) if
# ...' a definition by cases after a comma.
_QUOTED_MEANS = re.compile(
    _QUOTED
    + rf"(?:\s+or\s+[{_Q_OPEN}](?P<alias>[A-Za-z0-9\u0370-\u03ff][^{_Q_CLOSE}\n]{{0,78}}?)"
    rf"[{_Q_CLOSE}])?"
    + r",?\s+" + _VERB + r"(?:\s*:\s*$|\s*[:,]?\s+(?P<definition>[^\n]{2,400}))",
    re.MULTILINE,
)
# A name the text gives to what it describes: "This explanation refers to the oldest time in
# the window as the "cutoff time"", "the rest is referred to as the "excess"".
_QUOTED_AS = re.compile(
    rf"\b(?:refers?\s+to|(?:is|are)\s+(?:hereinafter\s+)?referred\s+to)\s+"
    rf"(?P<definition>[^\n{_Q_OPEN}{_Q_CLOSE}]{{0,200}}?)\s*\bas\s+(?:the\s+|an?\s+)?"
    rf"[{_Q_OPEN}](?P<term>[A-Za-z][^{_Q_CLOSE}\n]{{0,60}}?)[{_Q_CLOSE}]"
)
_PAREN = re.compile(r"\((?P<body>[^()]{0,40}?[" + _Q_OPEN + r"][^()]{1,240}?)\)")
_QUOTED_ALL = re.compile(rf"[{_Q_OPEN}]([A-Z0-9][^{_Q_CLOSE}\n]{{0,78}}?)[{_Q_CLOSE}]")
_PAREN_LEAD = re.compile(
    r"^\s*(?:the|each|together|collectively|hereinafter|hereafter|referred\s+to\s+as|a|an"
    r"|each\s+an?|and|or|,|;|\s)*$",
    re.IGNORECASE,
)
_CAP_WORD = r"(?:[A-Z][\w&.'/-]*|of|the|and|for|on|in|to|&)"
_LONG_NAME = re.compile(rf"(?:[A-Z][\w&.'/-]*)(?:\s+{_CAP_WORD}){{0,10}}\s*$")
_MEANS = re.compile(
    r"(?:^|(?<=[.;:]\s)|(?<=\n))(?:\s*[-*+]\s+)?(?:The\s+term\s+)?(?P<term>(?:the\s+)?"
    r"[A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|of|and|to|for)){0,5})"
    # "Volume (CEX_i) refers to ...": the quantity with its arguments
    r"(?:\s*\([^()\n]{1,20}\))?\s+" + _VERB + r"\s+"
    r"(?P<definition>[^\n]{2,400})"
)
GLOSSARY_HEADING = re.compile(
    r"\b(?:definitions|glossary|defined\s+terms|interpretation|terminology)\b", re.IGNORECASE
)
_LIST_PAIR = re.compile(
    r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?P<bold>\*\*)?(?P<term>[A-Za-z][^:\n*]{0,70}?)(?P=bold)?"
    r"[ \t]*(?::|[ \t][-\u2013\u2014][ \t])[ \t]*(?P<definition>\S[^\n]{1,400})$",
    re.MULTILINE,
)
_BOLD_PAIR = re.compile(
    # ("**Liquidation Fee:** Paid to the Protocol": the colon inside the bold is the same label;
    # "**Impact Bid Price** -- the average fill price": a double hyphen for a dash)
    r"^[ \t]*(?:[-*+][ \t]+)?\*\*(?P<term>[^*\n]{1,70}?)(?::\*\*|\*\*[ \t]*"
    r"(?::|[ \t](?:--|[-\u2013\u2014])[ \t]))[ \t]*(?P<definition>\S[^\n]{1,400})$",
    re.MULTILINE,
)
_SYMBOL_PAIR = re.compile(
    r"^[ \t]*[-*+][ \t]+`?(?P<term>[A-Za-z\u0370-\u03ff][\w\u0370-\u03ff{}^,]{0,19}"
    r"(?:\.[A-Z]{1,2}\b)?)`?[ \t]*"  # a ticker may carry its share class: "BRK.B"
    r"(?::|=|[ \t][-\u2013\u2014][ \t]|[ \t]+(?:is|are|means|denotes)\b)[ \t]*"
    r"(?P<definition>\S[^\n]{1,400})$",
    re.MULTILINE,
)
# A list item naming several settings in code, then what they are together: "- `lower_price` /
# `upper_price`: Price range bounds", "- `min_spread`, `max_spread`: Spread limits".
_CODE_NAMES_PAIR = re.compile(
    r"^[ \t]*[-*+][ \t]+(?P<names>`[A-Za-z_][\w.]{0,40}`(?:[ \t]*(?:/|,|\bor\b|\band\b)[ \t]*"
    r"`[A-Za-z_][\w.]{0,40}`){1,4})[ \t]*(?::|[ \t][-\u2013\u2014][ \t])[ \t]*"
    r"(?P<definition>\S[^\n]{1,400})$",
    re.MULTILINE,
)
_CODE_NAME = re.compile(r"`([^`]+)`")
_WHERE_INLINE = re.compile(r"\bwhere\b[\s,:]+(?P<rest>[^\n]{3,600})", re.IGNORECASE)
# A spaced en or em dash separates a symbol from its meaning as "=" does ("where: H \u2013 Current
# High, L \u2013 Current Low"); a hyphen does not (it is a minus sign in "d = a - b").
_WHERE_ITEM_VERB = (
    r"(?:=|:|\bis\b|\bare\b|\bdenotes\b|\brepresents\b|\bmeans\b|\bequals\b|\brefers\s+to\b"
    r"|(?<=\s)[\u2013\u2014](?=\s))"
)
_WHERE_CLAUSE = re.compile(
    # (a script group may hold a shifted index: "r_{i,t-1,k} is the trailing return")
    r"(?P<var>[A-Za-z\u0370-\u03ff\\](?:[\w\u0370-\u03ff\\{}^,()']|\{[^{}\s]{1,20}\}){0,40}"
    r"(?:[-\u2212]\d)?"
    r"(?:\s+[A-Z][\w-]*){0,3})\s*" + _WHERE_ITEM_VERB
    # The definition ends where the next symbol's begins: "where m is the multiplier and
    # n is the position size".
    + r"\s*(?P<definition>(?:(?!\s+and\s+\S{1,30}\s+(?:is|are|denotes|represents|means)\b)"
    r"[^,;.]){2,300})"
)
# Symbols defined in one clause, in order: "where r_i and debt_i are the interest rate and
# current debt of the i-th Trove, respectively", "x, y and z denote the a, b and c,
# respectively".
_WHERE_SYMBOL = r"[A-Za-z\u0370-\u03ff](?:[\w\u0370-\u03ff'^{}]|\{[^{}\s]{1,20}\}){0,30}"
# "x, y and z are ": the symbols of such a clause, and its verb.
_LISTED_SYMBOLS = (
    rf"(?P<symbols>{_WHERE_SYMBOL}(?:\s*,\s*{_WHERE_SYMBOL})*,?\s+and\s+{_WHERE_SYMBOL})\s+"
    r"(?:are|denote|represent)\s+"
)
_RESPECTIVELY = re.compile(
    rf"{_LISTED_SYMBOLS}(?P<definition>[^.;\n]{{2,300}}?),?\s+respectively\b"
)
# The same, one meaning for both: "where min_{i} and max_{i} are the lowest and the highest
# trade price" (each symbol is given the whole meaning).
_SHARED = re.compile(rf"^{_LISTED_SYMBOLS}(?P<definition>[^.;\n]{{2,300}})")
# The items of such a list: "x, y and z", "x and y".
_LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")


def _symbol_like(symbols: str) -> bool:
    """Return True when every name of a "x and y" list looks like a symbol, not a word."""
    names = _LIST_SPLIT.split(symbols.strip())
    return all(re.search(r"[_^{\u0370-\u03ff]", n) or len(n) <= 3 for n in names)


# "$MC_i$"; GitBook: "$$MC_i$$"; Markdown inline code: "`V`".
_MATHS_PARENS = re.compile(r"\\{1,2}[()]")
_ONE_SYMBOL = r"[A-Za-z\u0370-\u03ff](?:_\{\w{1,6}\}|_\w)?"
_SYMBOL_LIST = re.compile(rf"{_ONE_SYMBOL}(?:,{_ONE_SYMBOL})+")
_INLINE_SYMBOL = re.compile(r"(\${1,2}|`)([^$`\s]{1,30})\1")
_LIST_START = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_WHERE_HEAD = re.compile(r"^\s*where\s*[:,;]?\s*$", re.IGNORECASE)  # "Where;" too
# The same as a lead-in sentence: "Where the impact bid and impact ask prices are defined as:".
_WHERE_LEAD = re.compile(r"^\s*where\b[^\n]{0,100}:\s*$", re.IGNORECASE)


def _opens_legend(line: str) -> bool:
    """Return True for a line after which a legend follows: "Where:", "Where the ... as:"."""
    return _WHERE_HEAD.match(line) is not None or _WHERE_LEAD.match(line) is not None


_WHERE_ITEM = re.compile(
    r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?P<var>[^=:\n]{1,60}?)\s*" + _WHERE_ITEM_VERB
    + r"\s*(?P<definition>\S[^\n]{0,400})$",
    re.MULTILINE,
)  # fmt: skip
# A symbol (letters, digits, maths letters, scripts) or a short Capitalised name, then "means",
# at the start of a line: the shape of a symbol glossary.
_SYMBOL = (
    r"(?:[A-Za-z\u0370-\u03ff\U0001d400-\U0001d7ff\u210e][\w\u0370-\u03ff\U0001d400-\U0001d7ff"
    r"\u210e'\u2032-]*(?:[_^]\{[^{}\n]{1,40}\})*)"
)
_SYMBOL_MEANS = re.compile(
    rf"^[ \t]*(?:[-*+][ \t]+)?(?P<term>{_SYMBOL}(?:[ \t]+{_SYMBOL}){{0,4}}"
    r"|Subscripts?[ \t]*(?:_\{)?\(?[^()\n{}]{1,30}\)?\}?"
    r"|Superscripts?[ \t]*(?:\^\{)?\(?[^()\n{}]{1,30}\)?\}?)"
    r"[ \t]+(?P<verb>means|shall\s+mean|denotes|represents|refers\s+to|is|are)\b[ \t,]*"
    r"(?P<definition>[^\n]{2,400})",
    re.MULTILINE,
)
_SCRIPT_LABEL = re.compile(r"^(?:Subscripts?|Superscripts?)[ \t]*(?:[_^]\{)?\(?([^(){}]+)\)?\}?$")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]%])\.(?:\s|$)")
_STOP_TERMS = frozenset({"it", "this", "that", "there", "which", "these", "those", "he", "she"})


def _sentence(text: str) -> str:
    match = _SENTENCE_END.search(text)
    return (text[: match.start()] if match else text).strip().rstrip(";,")


def _last_sentence(text: str) -> str:
    """Return the end of ``text`` back to where its last sentence starts (read backwards)."""
    return _sentence(text[::-1])[::-1].strip()


# A Markdown backslash escape: "**Quota\_i**" is the name Quota_i.
_ESCAPED_PUNCTUATION = re.compile(r"\\([_*`{}\[\]()#+.!|~<>-])")


def _clean_term(term: str) -> str:
    # "*" and a wrapping "_" are Markdown emphasis ("where _Pi_ is the price"), not the name;
    # nor are the backticks of a name set in code ("- `Impact Bid Price` = ..."), nor the
    # backslash escaping a sign ("**Price\_{underlying}**").
    term = _ESCAPED_PUNCTUATION.sub(r"\1", term)
    term = " ".join(term.replace("*", "").split()).strip(" .,:;_`")
    return term[4:] if term.lower().startswith("the ") else term


def _in_glossary(doc: Doc, offset: int) -> bool:
    section = doc.section_at(offset)
    while section is not None:
        if GLOSSARY_HEADING.search(section.heading):
            return True
        parent = section.parent_id
        section = doc.section_by_id(parent) if parent else None
    return False


def _quoted(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    text = block.text
    if not mentions(text, _Q_OPEN):
        return  # both patterns start a term with an opening quote
    for m in _QUOTED_MEANS.finditer(text):
        start = block.start + m.start("term")
        alias = _clean_term(m.group("alias")) if m.group("alias") else ""
        yield DefinedTerm(
            term=_clean_term(m.group("term")),
            definition=_sentence(m.group("definition") or ""),
            location=doc.location(start, start + len(m.group("term"))),
            aliases=(alias,) if alias else (),
            source=TermSource.QUOTED,
        )
    for m in _QUOTED_AS.finditer(text):  # "refers to the oldest time ... as the "cutoff time""
        definition = m.group("definition").strip()
        if m.group(0).lower().startswith(("is", "are")):  # "X is referred to as "Y"": X before
            definition = _last_sentence(text[max(0, m.start() - 200) : m.start()])
        start = block.start + m.start("term")
        yield DefinedTerm(
            term=_clean_term(m.group("term")),
            definition=definition,
            location=doc.location(start, start + len(m.group("term"))),
            source=TermSource.QUOTED,
        )
    for m in _PAREN.finditer(text):
        body = m.group("body")
        quoted = list(_QUOTED_ALL.finditer(body))
        if not quoted or not _PAREN_LEAD.match(body[: quoted[0].start()]):
            continue
        window = max(0, m.start() - 200)
        before = text[window : m.start()].replace("\n", " ")
        if window > 0 and not text[window - 1].isspace() and " " in before:
            before = before.split(" ", 1)[1]  # drop the word the window cut in half
        long_name = _LONG_NAME.search(before.rstrip())
        definition = _last_sentence(before)
        names = [_clean_term(q.group(1)) for q in quoted]
        aliases = list(dict.fromkeys(n for n in names[1:] if n != names[0]))
        if long_name:
            long_text = _clean_term(long_name.group(0))
            if long_text.lower() != names[0].lower() and len(long_text.split()) > 1:
                aliases.insert(0, long_text)
        start = block.start + m.start() + 1 + quoted[0].start(1)
        yield DefinedTerm(
            term=names[0],
            definition=definition[-300:],
            location=doc.location(start, start + len(quoted[0].group(1))),
            aliases=tuple(aliases),
            source=TermSource.QUOTED,
        )


def _means(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    if not mentions(block.text, _VERB_WORDS):
        return  # _MEANS cannot match
    for m in _MEANS.finditer(block.text):
        term = _clean_term(m.group("term"))
        if not term or term.lower() in _STOP_TERMS:
            continue
        start = block.start + m.start("term")
        yield DefinedTerm(
            term=term,
            definition=_sentence(m.group("definition")),
            location=doc.location(start, start + len(m.group("term"))),
            source=TermSource.MEANS,
        )


def _glossary_term(
    doc: Doc, start: int, term: str, definition: str, aliases: tuple[str, ...] = (),
    *, width: int | None = None,
) -> DefinedTerm:
    """Return a GLOSSARY term at ``start``, ``width`` characters long (the term's, by default)."""
    return DefinedTerm(
        term=term,
        definition=definition,
        location=doc.location(start, start + (len(term) if width is None else width)),
        aliases=aliases,
        source=TermSource.GLOSSARY,
    )


# A symbol, a comma and its name in words, one per line: "T, current timestamp", "T_{l}, last
# updated": a table of notation a PDF flattened, read in a definitions section only.
_SYMBOL_COMMA_LINE = re.compile(
    r"^[ \t]*(?P<term>[A-Za-z\u0370-\u03ff\u2206][\w\u0370-\u03ff{}^]{0,15}),[ \t]+"
    r"(?P<definition>[a-z][a-z-]*(?:[ \t]+[^\s,][^\n]{0,80})?)$",
    re.MULTILINE,
)


def _glossary(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    in_glossary = _in_glossary(doc, block.start)
    pattern = _LIST_PAIR if in_glossary else _BOLD_PAIR
    matches = list(pattern.finditer(block.text))
    if in_glossary:
        matches += list(_SYMBOL_COMMA_LINE.finditer(block.text))
    if pattern is _BOLD_PAIR:
        # "- `Ts`: trade size on exchange s" anywhere: a list item naming a symbol.
        matches += list(_SYMBOL_PAIR.finditer(block.text))
    for m in matches:
        term = _clean_term(m.group("term"))
        if not term or len(term.split()) > 8:
            continue
        yield _glossary_term(doc, block.start + m.start("term"), term,
                             m.group("definition").strip(), width=len(m.group("term")))
    if "`" not in block.text:
        return
    for m in _CODE_NAMES_PAIR.finditer(block.text):
        # "- `lower_price` / `upper_price`: Price range bounds": each name, one meaning.
        for name in _CODE_NAME.finditer(m.group("names")):
            yield _glossary_term(doc, block.start + m.start("names") + name.start(1),
                                 name.group(1), m.group("definition").strip())


# A list item naming a quantity with its symbol in brackets, then what it is: "- Std.Deviation
# (sigma_p ) : Annualised standard deviation of lognormal daily returns".
_NAMED_SYMBOL_PAIR = re.compile(
    r"^[ \t]*[-*+][ \t]+(?P<name>[A-Za-z][^():\n]{1,40}?)[ \t]*\([ \t]*"
    r"(?P<term>[A-Za-z\u0370-\u03ff][\w\u0370-\u03ff]{0,7})[ \t]*\)[ \t]*:[ \t]*"
    r"(?P<definition>\S[^\n]{1,400})$",
    re.MULTILINE,
)


def _named_symbols(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield symbols a list item gives in brackets after their name ("Volatility (σp ) : ...")."""
    if "(" not in block.text:
        return
    for m in _NAMED_SYMBOL_PAIR.finditer(block.text):
        yield _glossary_term(doc, block.start + m.start("term"), m.group("term"),
                             m.group("definition").strip(), (_clean_term(m.group("name")),))


# A bold name (or a name in code) as the subject of the sentence that says what it is: "The
# **Reserve Feed** acts as a sanity check for ...", "`base_notional` is 5,000 for BTC".
_BOLD_SUBJECT = re.compile(
    r"(?:^|(?<=[.;:]\s)|(?<=\n))[ \t]*(?:[-*+][ \t]+)?(?:(?:The|An?)\s+)?"
    r"(?:\*\*(?P<term>[A-Z][^*\n:]{1,60}?)\*\*|`(?P<code>[A-Za-z_][\w.]{0,60})`)\s+"
    r"(?:is|are|serves\s+as|acts\s+as|occurs\s+when|represents|denotes|refers\s+to)\s+"
    r"(?P<definition>[^\n]{2,400}?)(?=\.(?:\s|$)|\n|$)"  # to the end of the sentence
)


def _bold_subject(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield names defined by the sentence they open, in bold or in code.

    "The **Main Feed** serves as ...", "`spot_price_V` is the index price published by ...".
    """
    if "**" not in block.text and "`" not in block.text:
        return
    for m in _BOLD_SUBJECT.finditer(block.text):
        group = "term" if m.group("term") else "code"
        name = _clean_term(m.group(group)) if group == "term" else m.group(group)
        yield _glossary_term(doc, block.start + m.start(group), name,
                             _sentence(m.group("definition")), width=len(m.group(group)))


def _symbols(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    glossary = _in_glossary(doc, block.start)
    for m in _SYMBOL_MEANS.finditer(block.text):
        if m.group("verb") in ("is", "are") and not glossary:
            continue  # "X is ..." defines only inside a definitions section
        raw = m.group("term").strip()
        if len(raw.split()) > 1 and not all(w[:1].isupper() or not w[:1].isalpha()
                                            for w in plain_letters(raw).split()):
            continue  # "the index level means": prose, not a symbol or a Name
        label = _SCRIPT_LABEL.match(raw)
        term = label.group(1).strip() if label else raw
        if term.lower() in _STOP_TERMS or term.split()[0].lower() in ("the", "this", "it", "if"):
            continue
        yield _glossary_term(doc, block.start + m.start("term"), term,
                             _sentence(m.group("definition")), width=len(raw))


def _unmath(m: re.Match[str]) -> str:
    """Return the symbol of an inline-maths match with its dollars blanked (same length)."""
    pad = " " * len(m.group(1))
    return f"{pad}{m.group(2)}{pad}"


def _where(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    text = block.text
    if "where" not in folded(text):
        return  # _WHERE_HEAD and _WHERE_INLINE both need the word
    lines = text.split("\n")
    head = next((i for i, line in enumerate(lines) if _opens_legend(line)), None)
    if head is not None:
        offset = sum(len(line) + 1 for line in lines[: head + 1])
        if any(line.strip() for line in lines[head + 1 :]):
            yield from _where_lines(doc, block, offset)
        else:  # "Where," a paragraph of its own (a PDF's gap), the list in the next block
            after = next((b for b in doc.blocks if b.start > block.start), None)
            if after is not None and after.kind is not BlockKind.HEADING:
                yield from _where_lines(doc, after, 0)
        return
    for where in _WHERE_INLINE.finditer(text):
        line_start = text.rfind("\n", 0, where.start()) + 1
        if not text[line_start : where.start()].strip():
            # "Where, PT-1 = Security Local Price ..." then "PT-7 = ..." on the next lines.
            line_end = text.find("\n", where.start())
            if line_end > 0:
                yield from _where_lines(doc, block, line_end + 1)
        # "where $MC_i$ is ...": the dollars delimit maths; blank them, keeping offsets.
        rest = _INLINE_SYMBOL.sub(_unmath, _sentence(where.group("rest")))
        rest = _MATHS_PARENS.sub(lambda d: " " * len(d.group(0)), rest)  # "\\(R\\)" -> " R "
        base = where.start("rest")
        paired = list(_RESPECTIVELY.finditer(rest)) if "respectively" in rest else []
        paired += [m for m in _SHARED.finditer(rest) if _symbol_like(m.group("symbols"))
                   and not any(p.start() <= m.start() < p.end() for p in paired)]
        for m in paired:  # "where r_i and debt_i are the rate and debt ..., respectively"
            names = _LIST_SPLIT.split(m.group("symbols").strip())
            meanings = _LIST_SPLIT.split(m.group("definition").strip())
            if len(meanings) != len(names):
                meanings = [m.group("definition")] * len(names)
            at = base + m.start("symbols")
            for name, meaning in zip(names, meanings, strict=True):
                shift = rest.find(name, at - base)
                yield _where_term(doc, block, name, base + shift if shift >= 0 else at, meaning)
        for m in _WHERE_CLAUSE.finditer(rest):
            if any(p.start() <= m.start("var") < p.end() for p in paired):
                continue  # read above, each symbol with its own meaning
            var = m.group("var")
            if _SYMBOL_LIST.fullmatch(var):
                # "where c_{0},v_{i},R_{fix} are constants": each symbol of the list
                at = base + m.start("var")
                for part in var.split(","):
                    yield _where_term(doc, block, part, at, m.group("definition"))
                    at += len(part) + 1
                continue
            if var.lower().startswith(("and ", "or ", "of ")):
                # "where value of Range is ...": the symbol is Range
                var = var.split(None, 1)[1] if " " in var else var
            if var.lower() in _STOP_TERMS or var.lower() in ("and", "or", "the"):
                continue
            shift = m.group("var").find(var)
            yield _where_term(doc, block, var, base + m.start("var") + shift, m.group("definition"))


# A unit written after the variable: "s [quote asset] = mid price", "q (no unit) = ...".
_TRAILING_UNIT = re.compile(r"\s+(?:\[[^\]\n]{1,30}\]|\([^)\n]{1,30}\))\s*$")


_APPLIED_SYMBOL = re.compile(r"^[A-Za-z](?:_\{?\w{1,6}\}?)?\([^()\s]{1,20}\)$")


# Scripts written in markup rather than maths: HTML ("`VWMP`<sub>i,t,bin</sub>") and
# Pandoc's "P~i,t~" / "x^2^" (a single tilde or caret each side, no space inside).
_MARKUP_SCRIPT = re.compile(
    r"<(?P<tag>sub|sup)>\s*(?P<html>[^<>\n]{1,20}?)\s*</(?P=tag)>"
    r"|(?<!~)~(?P<sub>[^~\s{}]{1,20})~(?!~)|(?<!\^)\^(?P<sup>[^\^\s{}]{1,20})\^",
    re.IGNORECASE,
)


def _scripts_as_latex(var: str) -> str:
    """Return ``var`` with markup scripts written as LaTeX scripts and code marks dropped.

    ``**P~i,t~**`` and ``_`TradeVolume`<sub>i,t,LB</sub>_`` name ``P_{i,t}`` and
    ``TradeVolume_{i,t,LB}``, the names a formula gives them.
    """

    def latex(m: re.Match[str]) -> str:
        if m.group("html") is not None:
            mark = "_" if m.group("tag").lower() == "sub" else "^"
            return f"{mark}{{{m.group('html')}}}"
        return f"_{{{m.group('sub')}}}" if m.group("sub") is not None else f"^{{{m.group('sup')}}}"

    var = var.replace("`", "").strip("*_ ")
    first = _MARKUP_SCRIPT.search(var)
    if first and " " in var[: first.start()].strip():
        # "Settlement Reference Rate<sub>i,t</sub>": one name of several words
        var = f"{{{var[: first.start()].strip()}}}{var[first.start():]}"
    return _MARKUP_SCRIPT.sub(latex, var)


def _where_term(doc: Doc, block: Block, var: str, at: int, definition: str) -> DefinedTerm:
    start = block.start + at
    var = _TRAILING_UNIT.sub("", var)
    names: tuple[str, ...] = ()
    if _MARKUP_SCRIPT.search(var):
        names = latex_variables(_scripts_as_latex(var))
    elif "$" in var or "\\" in var or _APPLIED_SYMBOL.match(var.strip()):
        # "$\sigma$", "$\delta^{a}, \delta^{b}$": maths symbols; "m(T_{n})": a function and
        # its argument, both named by the definition ("the market cap of the n-th token").
        names = latex_variables(var.replace("$", " "))
    return DefinedTerm(
        term=names[0] if names else _clean_term(var),
        aliases=names[1:],
        definition=definition.strip().rstrip(".;,"),
        location=doc.location(start, start + len(var)),
        source=TermSource.WHERE,
    )


Extractor = Callable[[Doc, Block], Iterator[DefinedTerm]]

# A symbol that counts the noun after it, in maths ("an index with $l$ tokens", "each of the
# $N$ constituents"), or a maths symbol in brackets after the words it stands for ("a
# *desired weight* ($D_t$)").
_COUNTED = re.compile(
    # ("assume there are $$N_{l}$$ active loans": "are" too)
    r"\b(?:with|of|has|have|contains?|among|across|for|in|the|all|are|and)\s+"
    r"(?P<dollars>\${1,2})(?P<var>[A-Za-z](?:_\{?\w{1,4}\}?)?)(?P=dollars)\s+"
    r"(?P<noun>(?:[a-z][\w-]*\s+)?[a-z][\w-]*s)\b"
)
# A symbol the text names: "Let's call $$C^{j}$$ the total amount of collateral", "we call
# $x$ the reserve".
_CALLED = re.compile(
    r"\b(?:[Ll]et's|[Ll]et\s+us|[Ww]e|[Ww]e\s+will)\s+call\s+\${1,2}(?P<var>[^$\n]{1,30}?)\${1,2}"
    r"\s+(?P<definition>(?:the|a|an)\s+[^.;\n]{2,160})"
)
# The end of an interval the text sets: "a continuous time series on the time interval
# $[0, T]$" declares T.
_INTERVAL_END = re.compile(
    r"\b(?P<definition>(?:time\s+)?(?:interval|period|horizon|window))\s+\${1,2}\s*[\[(]\s*"
    r"[^,$\n]{1,12},\s*(?P<var>[A-Za-z](?:_\{?\w{1,4}\}?)?)\s*[\])]\s*\${1,2}"
)
# An exponent or an order named by its role: "to the power $p$", "of order $p$".
_ORDER_OF = re.compile(
    r"\b(?P<definition>(?:to\s+the\s+)?(?:power|order|degree|exponent))\s+(?:of\s+)?"
    r"\${1,2}(?P<var>[A-Za-z](?:_\{?\w{1,4}\}?)?)\${1,2}"
)
_NAMED_SYMBOL = re.compile(
    r"(?P<name>\b[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3})[*_]*\s+\(\s*(?P<dollars>\${1,2})"
    r"(?P<var>[^$\s]{1,30})(?P=dollars)\s*\)"
)


# A line that opens with a maths symbol, then a dash, colon or equals sign and what it is:
# "- $clBalance_i$ — the aggregate balance of all validators on the i-th report day".
_SYMBOL_LINE = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?(?P<dollars>\${1,2})(?P<var>[^$\n]{1,40})(?P=dollars)[ \t]*"
    r"(?:[\u2014\u2013:=]|[ \t]-[ \t])[ \t]*(?P<definition>[A-Za-z(][^\n]{2,300})$",
    re.MULTILINE,
)


# A capital letter set after the words it stands for: "a spread, S (such as 0.10)", "the
# utilization ratio U for each money market", "a maximum buy amount _X_ > 0". ("A" and "I"
# are words.)
_APPOSITIVE_SYMBOL = re.compile(
    r"\b(?:a|an|the)\s+(?P<name>[a-z][a-z-]+(?:\s+[a-z][a-z-]+){0,3}),?\s+"
    # ("a maximum buy amount _X_ > 0": the letter in emphasis, then a bound on it)
    r"(?P<em>[_*]?)(?P<var>[B-HJ-Z](?:_\{?\w{1,4}\}?)?)(?P=em)"
    r"(?=\s*(?:,|\(|[<>\u2264\u2265]|(?:for|of|which|that|is|in)\b))"
)

# A symbol in code right after the words it stands for: "A **minimum rate** `R_min`", "an
# optimal rate `R_opt` at a target utilization `U*`".
_APPOSITIVE_CODE = re.compile(
    r"\b(?:[Aa]n?|[Tt]he)\s+[*_]{0,2}(?P<name>[a-z][a-z-]+(?:\s+[a-z][a-z-]+){0,3})[*_]{0,2}\s+"
    r"`(?P<var>[A-Za-z\u0370-\u03ff]{1,3}(?:_\{?[A-Za-z0-9]{1,8}\}?)?\*?)`"
)
# A value assumed for a quantity in a lead-in: "Using $1M notional: Shares = Notional / P",
# "Assuming a 2% spread, ...". The quantity is named, with its value.
_ASSUMED_VALUE = re.compile(
    r"\b(?:using|assuming|with|given)\s+(?:an?\s+)?(?P<value>[$\u20ac\u00a3]?\d[\d,.]*\s?"
    r"(?:[kKmMbB]\b|million\b|billion\b|%|bps\b)?)\s*(?P<name>[a-z][a-z-]{2,}"
    r"(?:\s+[a-z][a-z-]{2,})?)\s*(?=[:,])",
    re.IGNORECASE,
)
# A setting and its value in inline code, in prose or a list: "`methodology_min_strikes = 8`.
# This is the recommended count ...", "`venues_expected = 3` (Deribit + OKX + Bybit)".
_CODE_SETTING = re.compile(
    r"`(?P<name>[A-Za-z_][\w.]{0,60})\s*(?<![<>!=])=(?!=)\s*(?P<value>[^`\n]{1,60})`"
)
# A clause that opens with a maths symbol and says what it is: "Here $$\textrm{totalScore}$$
# is the sum of ...", "and $$\textrm{missingScore}_i$$ is the sum of ...", "Finally, $x$
# denotes the ...", and after a comma: "Let $x_{0}y_{0}=k$, $k$ is a constant".
_MATHS_IS = re.compile(
    r"(?:^|[.;:,]\s+|\band\s+|\b(?:here|finally|also|similarly|then|now),?\s+)"
    r"(?P<var>\${1,2}[^$\n]{1,60}?\${1,2})\s+(?:is|are|denotes|represents|means)\s+"
    r"(?P<definition>(?:the|a|an)\b(?:(?!\s+and\s+\$)[^.;\n]){2,200})",
    re.IGNORECASE,
)
# A line of a legend set as a display (after formulas.LATEX_WHERE): "&p=\text{Estimated
# Liquidator Premium}", "&A=\text{Amount of token A (BLND)}". Each defines its symbol.
_LATEX_LEGEND_ITEM = re.compile(
    r"(?:^|\\\\|&)\s*&?\s*(?P<var>[^=&\n$]{1,40}?)\s*=\s*"
    r"\\(?:text|textrm|mathrm)\s*\{(?P<definition>[^{}]{2,200})\}"
)
# The same in maths, where case says nothing: "a benchmark return series $r_b$ (SPY ...)",
# "the trailing return $r_{i,t}$, ...", "the halflife $h$ in days".
_APPOSITIVE_MATHS = re.compile(
    r"\b(?:a|an|the)\s+(?P<name>[a-z][a-z-]+(?:\s+[a-z][a-z-]+){0,3}),?\s+"
    r"(?P<var>\$\\?[A-Za-z\u0370-\u03ff]+(?:_\{?[\w,]{1,8}\}?)?\$)"
    r"(?=\s*(?:,|\(|[<>\u2264\u2265]|(?:for|of|which|that|is|in)\b))"
)


_PREPOSITIONS = frozenset(
    {"by", "to", "of", "in", "at", "on", "for", "with", "from", "than", "as", "into", "over"}
)


# A symbol in brackets right after the words it stands for: "the combined score (C)",
# "the Parent Index (Vt)", "the standardized momentum Z-score(Z)", "maximum (Vmax)", "the
# ending period index value (IV1)".
_BRACKETED_SYMBOL = re.compile(
    r"(?P<name>\b[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3})\s?"
    r"\((?P<var>[A-Z](?:[a-z]?(?:_\{?\w{1,4}\}?)?|(?P<label>[a-z]{2,5})|[A-Z]{0,2}\d{1,2}))\)"
)


# The same in maths delimited by "\(...\)" (escaped in Markdown as "\\("): "a baseline
# volatility \\(\texttt{BaseIV}\\)", "time to expiry \\((\texttt{Time_to_Expiry})\\)".
_ESCAPED_MATHS_SYMBOL = re.compile(
    r"(?P<name>\b[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3})\s+\\{1,2}\(\s*\(?\s*"
    r"(?:\\(?:texttt|mathrm|mathit|text)\{(?P<word>[^{}\s]{1,30})\}|(?P<var>[A-Za-z][^\s()\\$]{0,20}))"
    r"\s*\)?\s*\\{1,2}\)"
)


def _latex_legend(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    r"""Yield the symbols a display legend defines ("\text{where}\\ &p=\text{...}")."""
    for head in LATEX_WHERE.finditer(block.text):
        end = block.text.find("$$", head.end())
        body = block.text[head.end() : end if end > 0 else len(block.text)]
        for m in _LATEX_LEGEND_ITEM.finditer(body):
            at = head.end() + m.start("var")
            yield _where_term(doc, block, f"${m.group('var')}$", at, m.group("definition"))


# A sentence whose subject is an acronym, saying what it is or how it is used: "MIBOR is
# used as a reference rate in money market", "NAV is the net asset value of the fund".
# So is a one-letter symbol ("N is simply the 20-day exponential moving average of the True
# Range"); "A" and "I" open sentences as words.
_ACRONYM_SUBJECT = re.compile(
    r"(?:^|(?<=[.!?]\s))(?P<var>[A-Z][A-Z0-9]{1,7}|(?![AI]\b)[A-Z])\s+(?:is|are)\s+"
    r"(?:simply\s+|just\s+)?"
    r"(?P<name>(?:a|an|the|used\s+as|defined\s+as|calculated\s+as|computed\s+as|taken\s+"
    r"(?:as|from))\b[^.;\n]{2,160})",
    re.MULTILINE,
)
# A quantity given in words on a line of its own: "Step 1: Calculate the interim IWF = Lower
# of IWF and Foreign Ownership Limit (FOL)", "Pool Value = the sum of the balances".
_WORDED_ASSIGNMENT = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?(?:Step[ \t]+\d{1,2}[:.)][ \t]*)?(?:(?:calculate|compute|"
    r"determine)[ \t]+(?:the[ \t]+)?)?(?P<term>[A-Za-z][\w-]*(?:[ \t]+[\w-]+){0,4}?)[ \t]*=[ \t]*"
    r"(?P<definition>(?:the[ \t]+)?(?:lower|higher|lesser|greater|smaller|larger|minimum|"
    r"maximum|average|mean|median|sum|product|number|total|ratio|difference)[ \t]+of\b"
    r"[^=\n]{3,200}"
    # A statistic over a stated window: "Middle Band = 20-day Simple Moving Average (SMA)".
    r"|\d{1,4}[ \t-]*(?:day|period|bar|week|month|hour|minute|block)s?[ \t-]+[^=\n]{0,30}?"
    r"(?:moving[ \t]+average|average|mean|median|standard[ \t]+deviation|high|low|SMA|EMA)"
    r"\b[^=\n]{0,160})$",
    re.MULTILINE | re.IGNORECASE,
)
# A quantity whose values a table gives: "Adjustment Factor is determined as the table
# below", "The multiplier is given in the table above".
_TABLED = re.compile(
    r"\b(?P<term>[A-Z][\w-]*(?:[ \t]+[A-Za-z][\w-]*){0,3})[ \t]+(?:is|are)[ \t]+"
    r"(?P<definition>(?:determined|given|set|defined|specified|listed)[ \t]+(?:as|by|in)"
    r"[ \t]+(?:per[ \t]+)?the[ \t]+(?:following[ \t]+)?(?:table|schedule)(?:[ \t]+(?:below|"
    r"above))?)"
)
# Symbols named in passing, in order: (pattern, a literal every match contains, the group
# of the symbol, the group of what it is).
_NAMED_IN_PASSING: tuple[tuple[re.Pattern[str], str, str, str], ...] = (
    (_APPOSITIVE_SYMBOL, "", "var", "name"),
    (_APPOSITIVE_CODE, "`", "var", "name"),
    (_ASSUMED_VALUE, "", "name", "value"),
    (_CODE_SETTING, "`", "name", "value"),
    (_MATHS_IS, "$", "var", "definition"),
    (_APPOSITIVE_MATHS, "$", "var", "name"),
    (_ACRONYM_SUBJECT, " is ", "var", "name"),
    (_WORDED_ASSIGNMENT, "=", "term", "definition"),
    (_TABLED, "table", "term", "definition"),
)


def _worded_assignments(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield quantities a code block's lines define in words.

    "Middle Band = 20-day Simple Moving Average (SMA)" on the line above "Upper Band = Middle
    Band + (2 × Standard Deviation)" defines Middle Band, as it does in prose.
    """
    if "=" in block.text:
        for m in _WORDED_ASSIGNMENT.finditer(block.text):
            yield _where_term(doc, block, m.group("term"), m.start("term"), m.group("definition"))


def _appositive_symbols(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield symbols named by the words just before them ("a spread, S (", "score (C)")."""
    if "\\(" in block.text:
        for m in _ESCAPED_MATHS_SYMBOL.finditer(block.text):
            group = "word" if m.group("word") else "var"
            name = m.group("name")
            if name.split()[-1].lower() not in _STOP_TERMS:
                yield _where_term(doc, block, m.group(group), m.start(group), name)
    for pattern, needs, symbol, meaning in _NAMED_IN_PASSING:
        if needs not in block.text or (pattern is _CODE_SETTING and block.kind is BlockKind.CODE):
            continue  # the pattern cannot match, or a code block's own lines
        for m in pattern.finditer(block.text):
            if pattern is _APPOSITIVE_MATHS and not _PREPOSITIONS.isdisjoint(
                m.group("name").split()
            ):
                continue  # "the volatility by exactly $c$": a preposition, not a name
            yield _where_term(doc, block, m.group(symbol), m.start(symbol), m.group(meaning))
    for m in _BRACKETED_SYMBOL.finditer(block.text):
        label = m.group("label")
        if label and not m.group("name").split()[-1].lower().startswith(label):
            continue  # "maximum (Vmax)": a symbol labelled by its word's start; "(Vega)" is not
        if m.group("name").split()[-1].lower() not in _STOP_TERMS:
            yield _where_term(doc, block, m.group("var"), m.start("var"), m.group("name"))


# Symbols a mathematical text declares in passing: "v ∈ R_{≥0}" and "ω = (j, k, x, y, π) ∈ O"
# (membership names the symbols and their set), "v := x · p_{j}" (a definition), and "the
# amount x of tokens", "a new variable v" (a lower-case letter after the words it stands
# for; "a" and "i" are words).
_MATHS_SYMBOL = r"[A-Za-z\u0370-\u03ff](?:[_^]\{[^{}\n]{1,20}\})*"
_MEMBERSHIP = re.compile(
    rf"(?:(?P<name>{_MATHS_SYMBOL})\s*=\s*)?(?:\((?P<tuple>[^()\n]{{1,60}})\)"
    rf"|(?<![\w}}])(?P<symbol>{_MATHS_SYMBOL}))\s*\u2208"
)
# A symbol introduced with a bound in inline maths: "scaling every weight by $c > 0$",
# "for some $\epsilon \le 0.01$".
_BOUND_DECLARED = re.compile(
    r"\$\s*(?P<symbol>\\?[A-Za-z]+(?:_\{?\w{1,6}\}?)?)\s*(?:>|<|\\geq?|\\leq?|\u2265|\u2264)\s*"
    r"-?\d[\d.]*\s*\$"
)
# Symbols the text says it uses for something: "If we use $f(t)$ and $g(t)$ instead of
# $\dfrac{x_{in}}{T}$ and ...", "we write $N$ for the number of blocks".
_USED_FOR = re.compile(
    r"\b(?:use|using|write|writing)\s+(?P<symbols>\$[^$\n]{1,30}\$"
    r"(?:\s*(?:,\s*(?:and\s+)?|and\s+)\$[^$\n]{1,30}\$)*)\s+"
    r"(?P<definition>(?:instead\s+of|in\s+place\s+of|to\s+denote|for\s+(?:the|a|an|each)\b)"
    r"[^\n.;]{2,200})"
)
# (":=" defines whatever stands before it: "v := x · p_{j}", "AvgEntryPrice:= ...")
_COLON_EQUALS = re.compile(rf"(?<![\w}}])(?P<symbol>{_MATHS_SYMBOL}|[A-Za-z][A-Za-z0-9_]+)\s*:=")
_LETTER_AFTER_WORDS = re.compile(
    r"\b(?:the|a|an|new|each|every)\s+(?P<name>[a-z]{3,}(?:\s+[a-z]{3,}){0,2})\s+"
    r"(?P<symbol>[b-hj-z\u03b1-\u03c9](?:_\{[^{}\n]{1,10}\})?)"
    r"(?=\s+(?:of|in|for|and|or|is|as|to|with|that|which|representing)\b|\s*[,.;:)\u2208])"
)
# A symbol with a script, after the words it stands for: "the base seed base_{nE} is
# defined ...", "a maximum block count DB_{max} is reached", "in each reward epoch, numbered
# n_{E}". (Not after a verb or a preposition: "using R_{IQR}" says nothing of what it is.)
_SCRIPTED_AFTER_WORDS = re.compile(
    r"\b(?P<name>[a-z]{3,}(?:\s+[a-z]{3,}){0,2})\s+"
    r"(?P<symbol>[A-Za-z][A-Za-z]{0,8}(?:[_^]\{[^{}\s]{1,12}\})+)"
    r"(?=\s*[,.;:)]|\s*$|\s+(?:is|are|of|in|for|and|or|as|to|with|that|which|denotes?)\b"
    r"|\s*[<>\u2264\u2265])"
)
_NOT_A_NAME = frozenset({
    "using", "use", "uses", "with", "from", "and", "for", "when", "where", "than", "then",
    "into", "that", "this", "compute", "computes", "computed", "calculate", "calculates", "set",
    "sets", "equals", "are", "was", "were", "been", "the", "its", "their", "over", "under",
    "between", "below", "above", "each", "all", "both", "only", "also", "get", "gets", "give",
    "gives", "has", "have", "minus", "plus", "times", "divided", "multiplied", "unlike", "like",
})
# A list item naming a quantity, whose nested items give its cases: "- LiquidationPrice:"
# then "  - If IsEmergency: GlobalSettlementPrice", "  - ELSE: MarkPrice".
_CASES_HEAD = re.compile(
    r"^(?P<indent>[ \t]*)[-*+][ \t]+(?P<term>[A-Za-z][\w.]{0,60}):=?[ \t]*\n"
    r"(?P=indent)[ \t]+[-*+][ \t]+(?P<definition>[^\n]{2,200})",
    re.MULTILINE,
)
# A symbol the text introduces by name: "Let $t$ be `fraction_of_time_on_book`", "let N
# denote the number of constituents", "Let `s` be the spread". ("Let's" is no declaration.)
_LET = re.compile(
    r"\b[Ll]et\s+(?:\${1,2}(?P<maths>[^$\n]{1,30})\${1,2}|`(?P<code>[^`\n]{1,40})`"
    rf"|(?P<symbol>{_MATHS_SYMBOL}))\s+(?:be|denote|represent|stand\s+for)\s+"
    r"(?P<definition>[^\n.;]{2,200})"
)
# A second symbol of a "Let" sentence: "... and $$\eta$$ be the fraction of ...".
_AND_BE = re.compile(
    r"\band\s+\${1,2}(?P<maths>[^$\n]{1,30})\${1,2}\s+be\s+(?P<definition>[^\n.;]{2,200})"
)
# The same with the name first or several symbols: "Let the number of selected constituents
# at time $t$ be denoted as $k(t)$", "Let $w_i(t)$ and $p_i(t)$ be the weight and BCP of ...".
_LET_SYMBOL = (
    r"\$[^$\n]{1,30}\$|[A-Za-z\u0370-\u03ff](?:_\{[^{}\n]{1,10}\}|_\w)?(?:\([a-z](?:[-+]\w{1,6})?\))?"
    r"(?![\w{])"
)
_LET_DENOTED = re.compile(
    r"\b[Ll]et\s+(?P<definition>(?:the|a|an)\s+[^\n.;]{2,120}?)\s+be\s+(?:denoted|written|called)"
    rf"(?:\s+(?:as|by))?\s+(?P<symbol>{_LET_SYMBOL})"
)
_LET_SEVERAL = re.compile(
    rf"\b[Ll]et\s+(?P<symbols>(?:{_LET_SYMBOL})(?:\s*(?:,\s*(?:and\s+)?|and\s+)(?:{_LET_SYMBOL}))+)"
    r"\s+(?:be|denote)\s+(?P<definition>[^\n.;]{2,200})"
)


# A symbol the text defines by saying so: "We define A (a measure of concentration of
# liquidity) in such a way that:", "define $\rho$ as the ratio of ...".
_WE_DEFINE = re.compile(
    r"\b(?:[Ww]e\s+(?:can\s+|shall\s+|now\s+)?)?define\s+(?:\$(?P<maths>[^$\n]{1,30})\$"
    rf"|(?P<symbol>{_MATHS_SYMBOL}))\s+"
    r"(?:\((?P<gloss>[^()\n]{3,120})\)|as\s+(?P<definition>[^\n.;]{2,200}))"
)


def _as_maths(symbol: str) -> str:
    """Return ``symbol`` in maths delimiters ("k(t)" -> "$k(t)$"), so its parts are read."""
    return symbol if symbol.startswith("$") else f"${symbol}$"


# A letter, in emphasis or maths or bare, that "denotes" something in prose: "if _x_ denotes
# the (proposed) buy amount and _y_ denotes the sell amount", "with $y$ denoting ...".
_DENOTES = re.compile(
    # (a script of several indices too: "Quantity q_{i,t} denotes the number of ...")
    r"(?<![\w$])[_*$]?(?P<symbol>[A-Za-z\u0370-\u03ff](?:_(?:\{[\w,+-]{1,8}\}|\w{1,4}))?)"
    r"[_*$]?\s+(?:denotes|denoting)\s+"
    r"(?P<definition>(?:(?!\s+and\s+[_*$]?[A-Za-z]\S{0,6}\s+denot)[^,.;\n]){3,120})"
)
# A symbol named in passing: "substituting base tokens with quote tokens (denoted by Q)",
# "the number of constituents, denoted N", "the target price (called $P^*$ in the figure)".
_DENOTED = re.compile(
    r"(?P<what>[A-Za-z][\w' -]{2,60}?)\s*[(,]\s*(?:hereafter\s+)?(?:denoted|written|noted|called)"
    r"(?:\s+(?:by|as))?\s+\$?(?P<term>[A-Za-z\u0370-\u03ff](?:[_^]\{?[\w*]{1,4}\}?)?)\$?"
    r"(?=\s*[),.;]|\s*$|\s+in\s+the\s+(?:figure|chart|table|diagram))"
)


def _declared_symbols(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield symbols declared in passing.

    By membership, ``:=``, words, "let", "denoted by", "we define X (...)" and cases.
    """
    text = block.text
    if "\u2208" in text:
        for m in _MEMBERSHIP.finditer(text):
            declared = [(m.group("name"), m.start("name"))] if m.group("name") else []
            if m.group("tuple") is not None:
                at = m.start("tuple")
                for part in m.group("tuple").split(","):
                    if re.fullmatch(_MATHS_SYMBOL, part.strip()):
                        declared.append((part.strip(), at + part.find(part.strip())))
                    at += len(part) + 1
            elif m.group("symbol"):
                declared.append((m.group("symbol"), m.start("symbol")))
            after = text[m.end() : m.end() + 30].split()
            definition = f"a member of {after[0] if after else 'a set'}"
            for symbol, at in declared:
                yield _where_term(doc, block, symbol, at, definition)
    if "$" in text:
        for m in _BOUND_DECLARED.finditer(text):
            yield _where_term(doc, block, m.group("symbol"), m.start("symbol"), m.group(0))
        for m in _USED_FOR.finditer(text):
            for symbol in re.finditer(r"\$[^$\n]{1,30}\$", m.group("symbols")):
                yield _where_term(doc, block, symbol.group(0), m.start("symbols") + symbol.start(),
                                  m.group("definition"))
    if ":=" in text:
        for m in _COLON_EQUALS.finditer(text):
            yield _where_term(doc, block, m.group("symbol"), m.start("symbol"), "defined by :=")
    for m in _LETTER_AFTER_WORDS.finditer(text):
        yield _where_term(doc, block, m.group("symbol"), m.start("symbol"), m.group("name"))
    if "_{" in text or "^{" in text:
        for m in _SCRIPTED_AFTER_WORDS.finditer(text):
            if m.group("name").split()[-1] not in _NOT_A_NAME:
                yield _where_term(doc, block, m.group("symbol"), m.start("symbol"),
                                  m.group("name"))
    if "denot" in text:
        for m in _DENOTES.finditer(text):
            yield _where_term(doc, block, m.group("symbol"), m.start("symbol"),
                              m.group("definition"))
    if mentions(text, ("denoted", "written", "noted", "called")):
        for m in _DENOTED.finditer(text):  # "quote tokens (denoted by Q)", "(called $P^*$)"
            # (in maths form, so "P^*" names the symbol P as the formulas read it)
            yield _where_term(doc, block, f"${m.group('term')}$", m.start("term"),
                              m.group("what"))
    if "define" in text:
        for m in _WE_DEFINE.finditer(text):
            group = "maths" if m.group("maths") else "symbol"
            yield _where_term(doc, block, _as_maths(m.group(group)), m.start(group),
                              m.group("gloss") or m.group("definition"))
    if ":\n" in text:
        for m in _CASES_HEAD.finditer(text):
            yield _where_term(doc, block, m.group("term"), m.start("term"), m.group("definition"))
    if "et " in text:
        for m in _LET.finditer(text):
            group = next(g for g in ("maths", "code", "symbol") if m.group(g))
            var = f"${m.group(group)}$" if group == "maths" else m.group(group)
            yield _where_term(doc, block, var, m.start(group), m.group("definition"))
        for m in _AND_BE.finditer(text):
            if _LET.search(text, 0, m.start()):  # "Let $$A$$ be ... and $$\eta$$ be ..."
                yield _where_term(doc, block, f"${m.group('maths')}$", m.start("maths"),
                                  m.group("definition"))
        for m in _LET_DENOTED.finditer(text):
            yield _where_term(doc, block, _as_maths(m.group("symbol")), m.start("symbol"),
                              m.group("definition"))
        for m in _LET_SEVERAL.finditer(text):
            for symbol in re.finditer(_LET_SYMBOL, m.group("symbols")):
                yield _where_term(doc, block, _as_maths(symbol.group(0)),
                                  m.start("symbols") + symbol.start(), m.group("definition"))


def _maths_symbols(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield symbols defined in passing: a count ("with $l$ tokens"), a bracketed name.

    And lines that open with a symbol and say what it is ("$x_i$ — the balance ...").
    """
    text = block.text
    if "$" not in text:
        return
    for m in _SYMBOL_LINE.finditer(text):
        var = m.group("var").strip()
        yield _where_term(doc, block, f"${var}$", m.start("var") - 1, m.group("definition"))
    for m in _COUNTED.finditer(text):
        definition = f"the number of {m.group('noun')}"
        yield _where_term(doc, block, m.group("var"), m.start("var"), definition)
    for m in _NAMED_SYMBOL.finditer(text):
        name = m.group("name").strip("*_ ")
        if name.split()[-1].lower() in _STOP_TERMS:
            continue
        yield _where_term(doc, block, f"${m.group('var')}$", m.start("var") - 1, name)
    for pattern in (_CALLED, _INTERVAL_END, _ORDER_OF):
        for m in pattern.finditer(text):
            yield _where_term(doc, block, f"${m.group('var')}$", m.start("var"),
                              m.group("definition"))


# A line that equates one symbol with another and says nothing else: "RiskFreeRate_{t} =
# GBR_{t}" (then "where: GBR_{t} = the daily compounding German Bubill Rate").
_ALIAS_LINE = re.compile(
    rf"^[ \t]*(?P<term>{_SYMBOL})[ \t]*=[ \t]*(?P<definition>{_SYMBOL})[ \t]*$", re.MULTILINE
)


# Inline maths in a sentence that equates two symbols: "we note the initial reserves ... as
# $x_{0}=x_{ammStart}$". The sentence names one quantity by both symbols.
_LATEX_LONE = r"\\?[A-Za-z]+(?:\s*[_^]\s*(?:\{[^{}\n]{1,30}\}|\w))*"
_ALIAS_MATHS = re.compile(rf"\$\s*(?P<a>{_LATEX_LONE})\s*=\s*(?P<b>{_LATEX_LONE})\s*\$")


def _aliases(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield symbols defined as another symbol.

    On a line of its own, the left side ("RiskFreeRate_{t} = GBR_{t}"); in inline maths
    that equates two symbols in prose ("as $x_{0}=x_{ammStart}$"), both.
    """
    if "=" not in block.text:
        return
    for m in _ALIAS_LINE.finditer(block.text):
        if m.group("term") != m.group("definition"):
            yield _where_term(doc, block, m.group("term"), m.start("term"), m.group("definition"))
    if "$" in block.text and block.kind is BlockKind.PARAGRAPH:
        for m in _ALIAS_MATHS.finditer(block.text):
            if m.group("a") != m.group("b"):
                yield _where_term(doc, block, f"${m.group('a')}$", m.start("a"), m.group("b"))
                yield _where_term(doc, block, f"${m.group('b')}$", m.start("b"), m.group("a"))


# A list item naming fields in code with what they hold in brackets: "- `underlying_price`
# (USD spot at quote time)", "- `bid_price`, `ask_price` (quoted in coin)".
_CODE_FIELDS = re.compile(
    r"^[ \t]*[-*+][ \t]+(?P<names>`[A-Za-z_][\w.]{0,40}`(?:[ \t]*,[ \t]*`[A-Za-z_][\w.]{0,40}`)*)"
    r"[ \t]*\((?P<definition>[^()\n]{2,120})\)[ \t]*$",
    re.MULTILINE,
)


def _code_fields(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield the fields a list item names in code and explains in brackets."""
    if "`" not in block.text:
        return
    for m in _CODE_FIELDS.finditer(block.text):
        for name in re.finditer(r"`([^`]+)`", m.group("names")):
            yield _glossary_term(doc, block.start + m.start("names") + name.start(1),
                                 name.group(1), m.group("definition").strip())


# A formula on a line of its own, "Calculation of Alpha: a_s = r_s - [r_f + b_s (r_m - r_f)]".
_FORMULA_LINE = re.compile(r"^[^\n=]{1,80}=[^\n]+$", re.MULTILINE)


def _legend_after_formula(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield the legend lines that follow a formula in its block, with no "Where" before them.

    PDFs print "αs = rs - [rf + βs ( rm - rf )]" and then "rs: Average of daily return ..."
    on the next lines: each line a symbol and what it is.
    """
    if "=" not in block.text or ":" not in block.text:
        return
    m = _FORMULA_LINE.search(block.text)
    if m is not None and m.end() < len(block.text):
        for term in _where_lines(doc, block, m.end() + 1):
            if not _FORMULA_LINE.fullmatch(term.definition):
                yield term


def _where_items_after(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Items of a ``Where:`` list that starts in an earlier block (a loose list)."""
    yield from _where_lines(doc, block, 0)


def _where_lines(doc: Doc, block: Block, offset: int) -> Iterator[DefinedTerm]:
    """Yield the definitions of a ``Where:`` list from ``offset``: items, or bare legend lines.

    PDFs print the list without bullets: "Where," then "P_{i,t} = CM Price for index
    constituent i on day t" on lines of their own.
    """
    seen: set[int] = set()
    for m in _WHERE_ITEM.finditer(block.text, offset):
        seen.add(m.start("var"))
        yield _where_term(doc, block, m.group("var"), m.start("var"), m.group("definition"))
    # Bare legend lines: "Ts = Sushiswap trade size", "SOFR d-1 = Secured Overnight Financing
    # Rate", "BTC Blocks Produced_{t} = Bitcoin blocks produced"; the first reading of a line
    # wins.
    for pattern in (_LEGEND, _FLAT_SCRIPT_LEGEND, _NAMED_LEGEND, _CAMEL_LEGEND,
                    _SCRIPTED_LEGEND):
        for m in pattern.finditer(block.text, offset):
            if m.start("term") not in seen:
                seen.add(m.start("term"))
                yield _where_term(
                    doc, block, m.group("term"), m.start("term"), m.group("definition")
                )
    # After "where:", a symbol (or symbols listed with ", ") then "=" and words is a legend
    # line however long its meaning: "V_i,t = forward rate on day t for the value date of
    # ... interpolated linearly ...", "P1_t, P2_t = prices on day t of the contracts ...".
    for m in _LISTED_LEGEND.finditer(block.text, offset):
        if m.start("term") in seen:
            continue
        seen.add(m.start("term"))
        at = m.start("term")
        for name in m.group("term").split(", "):
            yield _where_term(doc, block, name, at, m.group("definition"))
            at += len(name) + 2


# A legend line of a "where:" list: one symbol or several listed with ", ", "=", a meaning
# in words (see _where_lines). A symbol's script may hold commas ("V_i,t", "P_{t-1}").
_LEGEND_SYMBOL = (
    r"[A-Za-z\u0370-\u03ff][A-Za-z0-9\u0370-\u03ff]{0,5}"
    r"(?:_(?:\{[^{}\n]{1,12}\}|[A-Za-z0-9]{1,4}(?:,[A-Za-z0-9]{1,4})*))?"
)
# A currency sign may lead a definition, before a rate's name: "r_(t-1) = €STR for ...".
_CURRENCY_LEAD = r"(?:[$\u20ac\u00a3\u00a5](?=[A-Z]))?"
_LISTED_LEGEND = re.compile(
    rf"^[ \t]*(?P<term>{_LEGEND_SYMBOL}(?:, {_LEGEND_SYMBOL}){{0,5}})[ \t]*=[ \t]*"
    rf"(?P<definition>{_CURRENCY_LEAD}[A-Za-z][^\n=]{{2,400}})$",
    re.MULTILINE,
)


# A legend line whose separator a PDF lost: a symbol in camel case, then what it is in lower
# case ("IssContNtv sum of native units issued on the Consensus Layer during hour i").
_CAMEL_LEGEND = re.compile(
    r"^[ \t]*(?P<term>(?:[A-Z][a-z0-9]+){2,}|[a-z]+(?:[A-Z][a-z0-9]*)+)(?:_\{[^{}\n]{1,12}\})?"
    r"[ \t]+(?P<definition>[a-z][a-z0-9,'()-]*(?:[ \t]+[A-Za-z0-9,'()_{}-]+){2,})",
    re.MULTILINE,
)


# A legend line whose separator a PDF lost, for a symbol with a script or a Greek letter:
# "M_{Time to Expiry} Number of minutes from time of calculation until expiration", or a
# sigma followed by "Volatility Index = sigma x 100".
_SCRIPTED_LEGEND = re.compile(
    r"^[ \t]*(?P<term>(?:[A-Za-z]{1,6}|[\u0370-\u03ff])_\{[^{}\n]{1,24}\}|[\u0370-\u03ff])"
    r"[ \t]+(?P<definition>[A-Za-z][a-z]+(?:[ \t]+[^\s=]+){1,}[^\n]{0,160})$",
    re.MULTILINE,
)


# A legend line naming a quantity of several capitalised words, after "Where,": "BTC
# Difficulty_{t} = CM Network Data Bitcoin Difficulty at time t".
_NAMED_LEGEND = re.compile(
    r"^[ \t]*(?P<term>[A-Z][\w&]{0,19}(?:[ \t]+[A-Z][\w&]{0,19}){1,3}(?:_\{[^{}\n]{1,12}\})?)"
    r"[ \t]*=[ \t]*(?P<definition>[A-Za-z][^\n=]{2,200})$",
    re.MULTILINE,
)


# A legend line whose symbol lost its subscript mark in a PDF: "SOFR d-1 = Secured Overnight
# Financing Rate" names SOFR (its index d-1 is a subscript printed beside it).
_FLAT_SCRIPT_LEGEND = re.compile(
    r"^[ \t]*(?P<term>[A-Za-z][\w&]{1,19}(?:[ \t]+[A-Z][\w&]{0,19}){0,2})[ \t]+"
    r"[a-z](?:[-\u2212+]\d)?(?:,[a-z])?[ \t]*=[ \t]*"
    r"(?P<definition>[A-Za-z][^\n=]{2,200})$",
    re.MULTILINE,
)


def _legend_block(text: str) -> bool:
    """Return True if every line of ``text`` is a legend line ("Ts = Sushiswap trade size")."""
    lines = [line for line in text.split("\n") if line.strip()]
    return bool(lines) and all(
        _LEGEND.fullmatch(line) or _FLAT_SCRIPT_LEGEND.fullmatch(line) for line in lines
    )


# "Ts  = Sushiswap trade size": a legend line, a symbol then words (no operator, no number).
_LEGEND = re.compile(
    # ("where I = Index Price" on a line of a code block: the word before the symbol;
    # "- w_i = weight of card i": a list item under "Where:")
    r"^[ \t]*(?:[-*\u2022][ \t]+)?(?:where[ \t]+)?"
    r"(?P<term>[A-Za-z\u0370-\u03ff][\w\u0370-\u03ff{}^,]{0,19}(?:[-\u2212]\d{1,2})?)"
    # ("P_c(d) = settlement price of contract c on day d": the symbol, at its arguments)
    r"(?:\([a-z](?:[-\u2212+]\d)?(?:,[ \t]?[a-z](?:[-\u2212+]\d)?)*\))?"
    # ("x is the ESG score for the company" after "Where;": the verb as the separator)
    # ("H \u2013 Current High": a spaced en or em dash, as in a where clause)
    r"[ \t]*(?:=|:|[ \t](?:is|are|denotes|represents)[ \t]|[ \t][\u2013\u2014][ \t])[ \t]*"
    # ("r_(t-1) = €STR for reference day t-1": a currency sign may lead a rate's name)
    rf"(?P<definition>{_CURRENCY_LEAD}[A-Za-z][A-Za-z'\u2019-]*"
    r"(?:[ \t]+[A-Za-z0-9(][\w'\u2019().,^{}/%\u2212-]*){1,20}"
    r"(?:[ \t]+\([^()\n]{1,80}\))?)"  # a unit or a note: "(ETH/yr)", "(f = 1-p; where ...)"
    r"[ \t]*;?[ \t]*$",  # ("...on day d;": an item of a list, ended by a semicolon)
    re.MULTILINE,
)


def _legend(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Symbols a code block explains in words, as legends under a formula often do.

    And constants it sets by arithmetic on numbers alone: "N₃₀  = 30 · 1440"; named
    quantities said to be something ("Volume (CEX_i) refers to the 4-hour trading volume");
    and a symbol equated to a named quantity and its value ("dt = Funding Period = 8 hours").
    """
    patterns: tuple[re.Pattern[str], ...] = (_LEGEND, _CONSTANT_LINE, _NAMED_VALUE_LINE)
    if "=" in block.text:  # a legend of a formula in the same block, not any sentence in code
        patterns = (*patterns, _NAMED_VERB_LEGEND)
    for pattern in patterns:
        for m in pattern.finditer(block.text):
            start = block.start + m.start("term")
            yield DefinedTerm(
                term=m.group("term"),
                definition=m.group("definition").strip(),
                location=doc.location(start, start + len(m.group("term"))),
                source=TermSource.WHERE,
            )


# A symbol equated to a named quantity and its value: "dt = Funding Period = 8 hours".
_NAMED_VALUE_LINE = re.compile(
    r"^[ \t]*(?P<term>[A-Za-z][\w]{0,10})[ \t]*=[ \t]*"
    r"(?P<definition>[A-Z][A-Za-z]*(?:[ \t]+[A-Za-z]+){0,4}[ \t]*=[ \t]*[\d.,]+[^\n=]*)$",
    re.MULTILINE,
)
# A named quantity, its arguments, then what it is: "Volume (CEX_i) refers to the 4-hour
# trading volume of the CEX i", "Total Volume (CEXes) is the sum of ...".
_NAMED_VERB_LEGEND = re.compile(
    r"^[ \t]*(?P<term>[A-Z][\w]*(?:[ \t]+[A-Z][\w]*){0,3})(?:[ \t]*\([^()\n]{1,20}\))?[ \t]+"
    r"(?:refers[ \t]+to|is|are|denotes|represents|means)[ \t]+(?P<definition>[a-z][^\n]{2,200})$",
    re.MULTILINE,
)
# A constant set by arithmetic on numbers: "N₃₆₅ = 365 · 1440", "SECONDS_PER_DAY = 86400".
_CONSTANT_LINE = re.compile(
    r"^[ \t]*(?P<term>[A-Za-z\u0370-\u03ff][\w\u0370-\u03ff\u2080-\u2089]{0,30})[ \t]*=[ \t]*"
    r"(?P<definition>[\d.,()\u00b7*\u00d7/+\u2212 \t-]*\d[\d.,()\u00b7*\u00d7/+\u2212 \t-]*)"
    r"(?:[ \t]+(?:#|//)[^\n]*)?$",
    re.MULTILINE,
)


# "the net asset value (NAV)", "`inventory_risk_aversion` (IRA)": an acronym whose letters are
# the initials of the words before.
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")


def _abbreviated_by(acronym: str, words: list[str]) -> list[str]:
    """Return the last words of ``words`` that ``acronym`` abbreviates, or [].

    Each word gives the acronym a prefix of itself: "Net Asset Value" is NAV, "Maximum
    Leverage Ratio" is MAXLR ("Max" + "L" + "R").
    """
    target = acronym.lower()

    def fits(rest: str, used: list[str]) -> bool:
        if not rest:
            return True
        if not used:
            return False
        word = used[0].lower()
        return any(
            rest.startswith(word[:n]) and fits(rest[n:], used[1:])
            for n in range(min(len(word), len(rest)), 0, -1)
        )

    for count in range(2, min(len(words), len(target)) + 1):
        tail = words[-count:]
        if tail[0][:1].lower() == target[:1] and fits(target, tail):
            return tail
    return []


def _acronyms(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    text = block.text
    for m in _ACRONYM.finditer(text):
        acronym = m.group(1)
        letters = [c for c in acronym if c.isupper()]
        # (Underscores part words: "`inventory_risk_aversion` (IRA)" spells out IRA.)
        words = re.findall(r"[^\W\d_](?:[^\W_]|-)*", text[max(0, m.start() - 120) : m.start()])
        if len(letters) < 2:
            continue
        expansion = words[-len(letters) :] if len(words) >= len(letters) else []
        if not expansion or [w[0].upper() for w in expansion] != letters:
            # "Maximum Leverage Ratio (MAXLR)": prefixes of the words, not only initials
            expansion = _abbreviated_by(acronym, words) if acronym.isupper() else []
            if not expansion:
                continue
        start = block.start + m.start(1)
        yield DefinedTerm(
            term=acronym,
            definition=" ".join(expansion),
            location=doc.location(start, start + len(acronym)),
            source=TermSource.ACRONYM,
        )


def extract_terms(doc: Doc) -> tuple[DefinedTerm, ...]:
    """Return the defined terms of ``doc`` in document order, one per (term, place).

    A ``Where:`` line ending a block also reads the list items of the blocks right after it
    (a list whose items are separated by blank lines, as PDFs and loose Markdown give them).
    """
    found: dict[tuple[str, int], DefinedTerm] = {}
    open_where = False
    legend = _ColumnLegend()
    for block in doc.prose():
        for term in legend.read(doc, block):
            found.setdefault((term.term.lower(), term.location.start), term)
        is_item = _LIST_START.match(block.text) is not None or (
            open_where and _legend_block(block.text)
        )
        # "where" first: a variable explained after a formula is a WHERE definition even when
        # its list item also reads as a glossary pair.
        extractors: tuple[Extractor, ...] = (_quoted, _means, _where)
        if open_where and is_item:
            extractors = (*extractors, _where_items_after)
        extractors = (
            *extractors, _glossary, _named_symbols, _bold_subject, _symbols, _acronyms,
            _maths_symbols, _appositive_symbols, _declared_symbols, _aliases, _code_fields,
            _legend_after_formula,
        )
        last = block.text.rstrip().rsplit("\n", 1)[-1]  # "Where:" ends the block
        open_where = (open_where and is_item) or _opens_legend(last)
        for extractor in extractors:
            for term in extractor(doc, block):
                # One-letter names are variables; only "where" clauses and symbol
                # glossaries define those.
                if len(term.term) <= 80 and (
                    len(term.term) > 1
                    or term.source in (TermSource.WHERE, TermSource.GLOSSARY)
                    or (term.source is TermSource.QUOTED and extractor is _quoted)
                ):
                    found.setdefault((term.term.lower(), term.location.start), term)
    for block in doc.blocks:
        if block.kind is BlockKind.CODE:
            for term in (*_legend(doc, block), *_worded_assignments(doc, block)):
                found.setdefault((term.term.lower(), term.location.start), term)
        elif block.kind is BlockKind.MATH and "where" in block.text:
            for term in _latex_legend(doc, block):
                found.setdefault((term.term.lower(), term.location.start), term)
        elif block.kind is BlockKind.TABLE and _WHERE_TABLE.match(block.text):
            for term in _where_table(doc, block):
                found.setdefault((term.term.lower(), term.location.start), term)
        elif block.kind is BlockKind.TABLE:
            table_terms = _settings(doc, block) if "`" in block.text else iter(())
            for term in (*table_terms, *_definition_table(doc, block)):
                found.setdefault((term.term.lower(), term.location.start), term)
    return tuple(sorted(found.values(), key=lambda t: t.location.start))


# A formula's legend printed as a table whose header says "Where": "| Where; | | |" then
# "| P T-1 | = | Constituent's reference rate one day prior ... |".
# The header of a table that lists named quantities, one per row: "| Parameter | Default |
# Purpose |", "| Symbol | Meaning |", "| Term | Definition |".
_NAMES_HEADER = re.compile(
    r"(?:parameters?|names?|terms?|symbols?|variables?|settings?|fields?|inputs?|quantit(?:y|ies)|"
    r"notation|abbreviations?|acronyms?|definitions?)",
    re.IGNORECASE,
)
# A header cell in code formatting: "| Venue | `notional_multiplier` |" tabulates a setting.
_CODE_HEADER = re.compile(r"`(?P<name>[A-Za-z_][\w.]{0,60})`")
# A cell that is inline maths: "\\(W\\)" (its backslash escaped for Markdown), "\(W\)",
# "$W$".
_MATH_CELL = re.compile(r"\\{1,2}\((?P<tex>.+?)\\{1,2}\)|\$(?P<dollar>[^$]+)\$")
# "Baseline Rate (Interest Rate)": a name with another name for it in brackets.
_NAME_ALIAS = re.compile(r"(?P<name>[^()]+?)\s*\((?P<alias>[^()]{2,40})\)\s*$")


def _definition_table(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield what a table defines by its layout.

    A table whose first header cell names what the rows list ("| Parameter | Default |
    Purpose |") defines each row's first cell (by its last filled cell; a name in brackets
    is an alias); a header cell in code formatting (``| Venue | `notional_multiplier` |``)
    names a setting whose values the column gives.
    """
    lines = block.text.split("\n")
    if len(lines) < 3:
        return
    header = split_row(lines[0])
    offset = 0
    for cell in header:
        for m in _CODE_HEADER.finditer(cell):
            at = block.text.find(m.group(0), offset) + 1
            offset = at
            yield _glossary_term(doc, block.start + at, m.group("name"),
                                 f"a setting tabulated by {header[0] or 'row'}")
    if len(header) < 2 or not _NAMES_HEADER.fullmatch(header[0].strip("*` ")):
        return
    row_start = len(lines[0]) + 1
    for line in lines[1:]:
        cells = split_row(line)
        at_row, row_start = row_start, row_start + len(line) + 1
        if set(line) <= set("|-: \t") or not cells or not cells[0]:
            continue  # the separator row, or a row with no name
        raw = cells[0].strip("*` ")
        filled = [c for c in cells[1:] if c]
        if not raw or not filled or len(raw.split()) > 8:
            continue
        math = _MATH_CELL.fullmatch(raw)
        if math is not None:  # "| \\(W\\) | Proportional skew |": the symbol W
            symbols = latex_variables(math.group("tex") or math.group("dollar"))
            if symbols:
                yield _glossary_term(doc, block.start + at_row + line.find(raw), symbols[0],
                                     filled[-1], symbols[1:])
            continue
        alias = _NAME_ALIAS.fullmatch(raw)
        name = alias.group("name").strip() if alias else raw
        yield _glossary_term(doc, block.start + at_row + line.find(raw), name, filled[-1],
                             (alias.group("alias").strip(),) if alias else ())


_WHERE_TABLE = re.compile(r"^\|\s*where\b", re.IGNORECASE)
_LEGEND_ROW = re.compile(
    r"^\|\s*(?P<term>[^|\n]{1,30}?)\s*\|(?:\s*[=:]\s*\|)?\s*(?P<definition>[A-Za-z(][^|\n]{2,300}?)"
    r"\s*\|",
    re.MULTILINE,
)
# A symbol whose subscript a PDF printed beside it: "P T-1", "P T-(O+1)" name P.
_FLAT_SCRIPT = re.compile(
    r"(?P<base>[A-Za-z\u0370-\u03ff]{1,3})\s+[A-Za-z0-9]{1,3}[-\u2212+(][^|\s]*"
)


def _where_table(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield the symbols of a legend table under "Where" (each row: symbol, "=", words)."""
    for m in _LEGEND_ROW.finditer(block.text, block.text.find("\n") + 1):
        term = m.group("term").strip()
        if not term or set(term) <= set("-: "):
            continue  # the separator row
        flat = _FLAT_SCRIPT.fullmatch(term)
        name = flat.group("base") if flat else term
        yield _where_term(doc, block, name, m.start("term"), m.group("definition"))


# A symbol alone on its line: "M_{Current day}", "K_{i}", a Greek letter.
_BARE_SYMBOL = re.compile(
    r"[A-Za-z\u0370-\u03ff](?:[_^]\{[^{}\n]{1,30}\}){1,2}|[A-Za-z\u0370-\u03ff]{1,3}"
)


class _ColumnLegend:
    """A formula's legend that a PDF printed in two columns, read back column by column.

    "Where" is followed by the descriptions ("minutes remaining until midnight ...", on its
    next lines or in the next block), then by the symbols, each alone in its block
    ("M_{Current day}", "M_{Settlement day}"): the symbols are defined, though which
    description is whose cannot be told from the order, so each gets all of them. Any other
    text ends the legend.
    """

    _REACH = 1  # blocks after a lone "Where" that may hold the descriptions

    def __init__(self) -> None:
        self._left = 0
        self._descriptions = ""

    def read(self, doc: Doc, block: Block) -> Iterator[DefinedTerm]:
        """Yield the symbols ``block`` lists, if it continues a legend; track "Where"."""
        text = block.text.strip()
        if self._left and self._descriptions and _BARE_SYMBOL.fullmatch(text):
            start = block.start + block.text.index(text)
            yield DefinedTerm(
                term=text,
                definition=self._descriptions,
                location=doc.location(start, start + len(text)),
                source=TermSource.WHERE,
            )
            return
        head, _, rest = text.partition("\n")
        if _WHERE_HEAD.match(head):  # the descriptions may follow on the next lines
            self._left, self._descriptions = self._REACH, " ".join(rest.split())[:200]
        elif self._descriptions or _BARE_SYMBOL.fullmatch(text):
            self._left = 0  # other text after the descriptions: the legend is over
        elif self._left:  # "Where" stood alone: the descriptions are this block
            self._left, self._descriptions = self._left - 1, " ".join(text.split())[:200]


# A configuration table's row: the setting's name in code formatting leads the row
# ("| `hedge_ratio` | decimal | 1 | Enter ratio of asset to hedge ... |").
_SETTING_ROW = re.compile(r"^[ \t]*\|?[ \t]*`(?P<name>[A-Za-z_][\w.]{0,60})`[ \t]*\|(?P<rest>.*)$",
                          re.MULTILINE)


def _settings(doc: Doc, block: Block) -> Iterator[DefinedTerm]:
    """Yield the settings a configuration table lists (three rows or more).

    Each is defined by the last filled cell of its row (its description or prompt).
    """
    rows = list(_SETTING_ROW.finditer(block.text))
    if len(rows) < 3:
        return
    for m in rows:
        cells = [c.strip() for c in m.group("rest").split("|") if c.strip()]
        if not cells:
            continue
        yield _glossary_term(doc, block.start + m.start("name"), m.group("name"), cells[-1])
