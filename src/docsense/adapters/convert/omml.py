r"""Office Math (OMML) to LaTeX.

Covers the structures Word's equation editor writes: fractions (bar, linear, no-bar),
sub/superscripts (also pre-scripts), radicals, n-ary operators (sum, product, integrals),
delimiters, functions, limits, accents, bars, boxes, equation arrays and matrices. Optional
property elements (``m:fPr``, ``m:naryPr`` ...) are optional here too: a missing one means
the OMML default. Unknown elements are rendered through their children, so text is never
dropped. Unicode maths symbols become LaTeX commands; LaTeX specials in text are escaped.

>>> from lxml import etree
>>> M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
>>> xml = f'<m:oMath xmlns:m="{M}"><m:f><m:num><m:r><m:t>a</m:t></m:r></m:num>'
>>> xml += '<m:den><m:r><m:t>b</m:t></m:r></m:den></m:f></m:oMath>'
>>> omml_to_latex(etree.fromstring(xml))
'\\frac{a}{b}'
"""

# ruff: noqa: RUF001  (the symbol tables map look-alike maths characters on purpose)
from __future__ import annotations

import re
from typing import Any

__all__ = ["M_NS", "omml_to_latex"]

M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_M = "{" + M_NS + "}"
_W = "{" + _W_NS + "}"

_SYMBOLS: dict[str, str] = {
    "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "÷": r"\div", "±": r"\pm", "∓": r"\mp",
    "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "≈": r"\approx", "≡": r"\equiv", "∼": r"\sim",
    "∞": r"\infty", "→": r"\to", "←": r"\leftarrow", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow",
    "∈": r"\in", "∉": r"\notin", "⊂": r"\subset", "⊆": r"\subseteq", "∪": r"\cup", "∩": r"\cap",
    "∀": r"\forall", "∃": r"\exists", "∂": r"\partial", "∇": r"\nabla", "∑": r"\sum",
    "∏": r"\prod", "∫": r"\int", "√": r"\surd", "…": r"\ldots", "⋯": r"\cdots", "′": "'",
    "−": "-", "∗": "*", "∣": r"\mid", "⌊": r"\lfloor", "⌋": r"\rfloor", "⌈": r"\lceil",
    "⌉": r"\rceil", "〈": r"\langle", "〉": r"\rangle", "⟨": r"\langle", "⟩": r"\rangle",
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon",
    "ϵ": r"\epsilon", "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ι": r"\iota",
    "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi",
    "ρ": r"\rho", "σ": r"\sigma", "ς": r"\varsigma", "τ": r"\tau", "υ": r"\upsilon",
    "φ": r"\phi", "ϕ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma",
    "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma",
    "Υ": r"\Upsilon", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
    "{": r"\{", "}": r"\}", "%": r"\%", "#": r"\#", "&": r"\&", "_": r"\_", "$": r"\$",
    "\\": r"\backslash", "^": r"\hat{}", "~": r"\sim",
}  # fmt: skip
_NARY = {
    "∑": r"\sum", "∏": r"\prod", "∐": r"\coprod", "∫": r"\int", "∬": r"\iint",
    "∭": r"\iiint", "∮": r"\oint", "⋃": r"\bigcup", "⋂": r"\bigcap", "⋁": r"\bigvee",
    "⋀": r"\bigwedge",
}  # fmt: skip
_ACCENTS = {
    "\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar", "\u0305": r"\bar",
    "\u0307": r"\dot", "\u0308": r"\ddot", "\u20d7": r"\vec", "\u0301": r"\acute",
    "\u0300": r"\grave", "\u030c": r"\check", "\u0306": r"\breve",
}  # fmt: skip
_DELIMS = {
    "{": r"\{", "}": r"\}", "|": "|", "‖": r"\|", "⌊": r"\lfloor", "⌋": r"\rfloor",
    "⌈": r"\lceil", "⌉": r"\rceil", "〈": r"\langle", "〉": r"\rangle", "⟨": r"\langle",
    "⟩": r"\rangle", "": ".",
}  # fmt: skip
_FUNCTIONS = frozenset(
    {"sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
     "tanh", "log", "ln", "lg", "exp", "max", "min", "sup", "inf", "lim", "det", "dim", "gcd",
     "deg", "arg", "ker", "Pr"}
)  # fmt: skip
_CONTROL_WORD_END = re.compile(r"\\[A-Za-z]+$")


def _join(parts: list[str]) -> str:
    """Concatenate LaTeX fragments, keeping control words apart from following letters."""
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if out and _CONTROL_WORD_END.search(out[-1]) and part[0].isalpha():
            out.append(" ")
        out.append(part)
    return "".join(out)


def _text(text: str) -> str:
    return _join([_SYMBOLS.get(ch, ch) for ch in text])


def _child(node: Any, name: str) -> Any:
    return node.find(_M + name)


def _prop(node: Any, prop: str, name: str, default: str | None = None) -> str | None:
    """Return ``m:<prop>/m:<name>/@m:val`` or ``default`` when any level is missing."""
    pr = node.find(_M + prop)
    if pr is None:
        return default
    el = pr.find(_M + name)
    if el is None:
        return default
    value = el.get(_M + "val")
    return default if value is None else value


def _arg(node: Any, name: str) -> str:
    child = _child(node, name)
    return "" if child is None else _children(child)


def _children(node: Any) -> str:
    return _join([_convert(child) for child in node])


def _convert(node: Any) -> str:
    tag = node.tag if isinstance(node.tag, str) else ""
    if not tag.startswith(_M):
        if tag == _W + "t":
            return r"\text{" + _text(node.text or "") + "}"
        if tag in (_W + "r", _W + "ins", _W + "smartTag"):
            return _children(node)
        return ""
    name = tag[len(_M) :]
    if name == "r":
        texts = "".join(t.text or "" for t in node.iter(_M + "t", _W + "t"))
        if node.find(f"{_M}rPr/{_M}nor") is not None:
            return r"\text{" + _text(texts) + "}"
        return _text(texts)
    if name == "t":
        return _text(node.text or "")
    if name.endswith("Pr") or name in ("ctrlPr",):
        return ""
    if name == "f":
        kind = _prop(node, "fPr", "type", "bar")
        num, den = _arg(node, "num"), _arg(node, "den")
        if kind == "lin":
            return f"{{{num}}}/{{{den}}}"
        if kind == "noBar":
            return rf"\genfrac{{}}{{}}{{0pt}}{{}}{{{num}}}{{{den}}}"
        if kind == "skw":
            return rf"{{}}^{{{num}}}/_{{{den}}}"
        return rf"\frac{{{num}}}{{{den}}}"
    if name == "sSub":
        return f"{{{_arg(node, 'e')}}}_{{{_arg(node, 'sub')}}}"
    if name == "sSup":
        return f"{{{_arg(node, 'e')}}}^{{{_arg(node, 'sup')}}}"
    if name == "sSubSup":
        return f"{{{_arg(node, 'e')}}}_{{{_arg(node, 'sub')}}}^{{{_arg(node, 'sup')}}}"
    if name == "sPre":
        return f"{{}}_{{{_arg(node, 'sub')}}}^{{{_arg(node, 'sup')}}}{{{_arg(node, 'e')}}}"
    if name == "rad":
        deg = _arg(node, "deg")
        hidden = _prop(node, "radPr", "degHide", "0") in ("1", "on", "true")
        if deg and not hidden:
            return rf"\sqrt[{deg}]{{{_arg(node, 'e')}}}"
        return rf"\sqrt{{{_arg(node, 'e')}}}"
    if name == "nary":
        op_char = _prop(node, "naryPr", "chr", "∫") or "∫"
        op = _NARY.get(op_char, _text(op_char))
        sub, sup = _arg(node, "sub"), _arg(node, "sup")
        limits = (f"_{{{sub}}}" if sub else "") + (f"^{{{sup}}}" if sup else "")
        return _join([op + limits, "{" + _arg(node, "e") + "}"])
    if name == "d":
        beg = _prop(node, "dPr", "begChr", "(")
        end = _prop(node, "dPr", "endChr", ")")
        sep = _prop(node, "dPr", "sepChr", "|") or "|"
        items = [_children(e) for e in node.findall(_M + "e")]
        inner = f" {_DELIMS.get(sep, sep)} ".join(items)
        left = _DELIMS.get(beg or "", beg or ".")
        right = _DELIMS.get(end or "", end or ".")
        return _join([r"\left" + left, inner, r"\right" + right])
    if name == "func":
        fname_node = _child(node, "fName")
        fname = "" if fname_node is None else "".join(t.text or "" for t in fname_node.iter())
        fname_latex = (
            "\\" + fname.strip()
            if fname.strip() in _FUNCTIONS
            else (_children(fname_node) if fname_node is not None else "")
        )
        return _join([fname_latex, "{" + _arg(node, "e") + "}"])
    if name == "limLow":
        return f"{{{_arg(node, 'e')}}}_{{{_arg(node, 'lim')}}}"
    if name == "limUpp":
        return rf"\overset{{{_arg(node, 'lim')}}}{{{_arg(node, 'e')}}}"
    if name == "acc":
        accent = _prop(node, "accPr", "chr", "\u0302") or "\u0302"
        command = _ACCENTS.get(accent, r"\hat")
        return f"{command}{{{_arg(node, 'e')}}}"
    if name == "bar":
        pos = _prop(node, "barPr", "pos", "bot")
        cmd = r"\overline" if pos == "top" else r"\underline"
        return f"{cmd}{{{_arg(node, 'e')}}}"
    if name == "groupChr":
        pos = _prop(node, "groupChrPr", "pos", "bot")
        cmd = r"\overbrace" if pos == "top" else r"\underbrace"
        return f"{cmd}{{{_arg(node, 'e')}}}"
    if name == "eqArr":
        rows = [_children(e) for e in node.findall(_M + "e")]
        return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"
    if name == "m":
        rows = [
            " & ".join(_children(e) for e in mr.findall(_M + "e")) for mr in node.findall(_M + "mr")
        ]
        return r"\begin{matrix}" + r" \\ ".join(rows) + r"\end{matrix}"
    if name == "oMathPara":
        return r" \\ ".join(_children(om) for om in node.findall(_M + "oMath"))
    return _children(node)


# Letters typed before a script whose base holds only the name's last letters: Word keeps
# "LUSD" with only its "D" as the base of the subscript "Pool" ("LUS{D}_{Pool}"). The name
# is "LUSD": the base takes the letters before it. A control word's letters ("\\frac")
# are not a name's.
_SPLIT_BASE = re.compile(
    r"(?<![\\\w])(?P<head>[A-Za-z]{1,12})\{(?P<tail>[A-Za-z]{1,3})\}(?=[_^])"
)


def omml_to_latex(node: Any) -> str:
    """Convert an ``m:oMath`` or ``m:oMathPara`` element (lxml) to a LaTeX string.

    A name whose script Word attached to its last letters only ("LUS{D}_{Pool}") is one
    name under the script: ``{LUSD}_{Pool}``.
    """
    return _SPLIT_BASE.sub(_joined_base, " ".join(_convert(node).split()))


def _joined_base(m: re.Match[str]) -> str:
    """Return the name of a :data:`_SPLIT_BASE` match whole under its script.

    Two lower-case letters ("a{b}_{c}") stay as they are: a times b_c as likely as a name.
    """
    name = m.group("head") + m.group("tail")
    return "{" + name + "}" if len(name) >= 3 or name.isupper() else m.group(0)
