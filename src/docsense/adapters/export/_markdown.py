"""Read the Markdown docsense writes into blocks and styled runs, for the exporters.

The Markdown the converters produce is simple: ATX headings, paragraphs, ``-`` / ``1.``
lists, pipe tables, fenced code, ``$$`` display maths, ``[^n]: text`` footnote definitions,
and inline ``**bold**``, ``*italic*``, ``code``, links, footnote references ``[^n]``,
``$...$`` maths and the script notation of the PDF converter (``Level_{ITD}``,
``x^{2}``). A line-based reader is enough; every exporter renders the same blocks, so a
document exported to DOCX and to PDF carries the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from docsense.extraction.tables import split_row

__all__ = [
    "Block",
    "Code",
    "Formula",
    "Heading",
    "ListItem",
    "Note",
    "Paragraph",
    "Run",
    "Table",
    "read_blocks",
    "read_runs",
]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^(\s*)\d+[.)]\s+(.*)$")
_NOTE = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>=$^~])")


@attrs.frozen
class Heading:
    """An ATX heading."""

    level: int
    text: str


@attrs.frozen
class Paragraph:
    """A paragraph; its source lines joined with spaces."""

    text: str


@attrs.frozen
class ListItem:
    """A bulleted or numbered list item at a nesting depth (0 = top level)."""

    text: str
    ordered: bool = False
    depth: int = 0


@attrs.frozen
class Table:
    """A pipe table; the first row is the header."""

    rows: tuple[tuple[str, ...], ...]


@attrs.frozen
class Code:
    """A fenced code block."""

    text: str


@attrs.frozen
class Formula:
    """A display formula (``$$ ... $$``), its source text."""

    text: str


@attrs.frozen
class Note:
    """A footnote definition ``[^label]: text``."""

    label: str
    text: str


Block = Heading | Paragraph | ListItem | Table | Code | Formula | Note


def read_blocks(markdown: str) -> list[Block]:
    """Split ``markdown`` into blocks in document order."""
    return list(_blocks(markdown.splitlines()))


def _blocks(lines: list[str]) -> Iterator[Block]:
    paragraph: list[str] = []
    i = 0

    def flush() -> Iterator[Block]:
        if paragraph:
            yield Paragraph(" ".join(part.strip() for part in paragraph))
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            yield from flush()
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            yield Code("\n".join(code))
        elif stripped.startswith("$$"):
            yield from flush()
            body = stripped[2:]
            if body.endswith("$$") and len(body) >= 2:
                yield Formula(body[:-2].strip())
            else:
                parts = [body] if body else []
                i += 1
                while i < len(lines) and not lines[i].strip().endswith("$$"):
                    parts.append(lines[i].strip())
                    i += 1
                if i < len(lines):
                    last = lines[i].strip()[:-2].strip()
                    if last:
                        parts.append(last)
                yield Formula(" ".join(parts))
        elif m := _HEADING.match(line):
            yield from flush()
            yield Heading(len(m.group(1)), m.group(2))
        elif stripped.startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
            yield from flush()
            rows = [split_row(line)]
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(split_row(lines[i]))
                i += 1
            yield Table(tuple(rows))
            continue
        elif m := _NOTE.match(stripped):
            yield from flush()
            yield Note(m.group(1), m.group(2))
        elif m := _BULLET.match(line):
            yield from flush()
            yield ListItem(m.group(2), False, len(m.group(1).expandtabs(4)) // 4)
        elif m := _NUMBERED.match(line):
            yield from flush()
            yield ListItem(m.group(2), True, len(m.group(1).expandtabs(4)) // 4)
        elif not stripped:
            yield from flush()
        else:
            paragraph.append(line)
        i += 1
    yield from flush()


@attrs.frozen
class Run:
    """A stretch of inline text with one style.

    ``script`` is ``"sub"`` or ``"sup"`` for a subscript or superscript; ``note`` is the
    label of a footnote reference (its text is the label).
    """

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    script: str | None = None
    note: str | None = None


_INLINE = re.compile(
    r"(?P<code>`[^`]+`)"
    r"|(?P<note>\[\^[^\]\s]+\])"
    r"|(?P<link>\[[^\]]+\]\([^)\s]*\))"
    r"|(?P<strong>\*\*[^*]+\*\*|__[^_]+__)"
    r"|(?P<em>(?<![\w*])\*[^*\s][^*]*\*(?!\w))"
    r"|(?P<math>(?<![\\$])\$[^$\n]+\$)"
    r"|(?P<script>[_^]\{(?:[^{}]|\{[^{}]*\})*\})"
)
_TEX_SCRIPT = re.compile(r"(?P<kind>[_^])(?P<body>\{(?:[^{}]|\{[^{}]*\})*\}|[A-Za-z0-9])")
_TEX_COMMANDS = {
    "times": "\u00d7", "cdot": "\u00b7", "sum": "\u2211", "prod": "\u220f", "sqrt": "\u221a",
    "leq": "\u2264", "le": "\u2264", "geq": "\u2265", "ge": "\u2265", "neq": "\u2260",
    "ne": "\u2260", "approx": "\u2248", "infty": "\u221e", "pm": "\u00b1", "div": "\u00f7",
    "alpha": "\u03b1", "beta": "\u03b2", "gamma": "\u03b3", "delta": "\u03b4",
    "epsilon": "\u03b5", "lambda": "\u03bb", "mu": "\u03bc", "pi": "\u03c0",
    "rho": "\u03c1", "sigma": "\u03c3", "tau": "\u03c4", "phi": "\u03c6", "omega": "\u03c9",
    "Delta": "\u0394", "Sigma": "\u03a3", "Omega": "\u03a9", "left": "", "right": "",
    "quad": " ", "ln": "ln", "log": "log", "exp": "exp", "max": "max", "min": "min",
}  # fmt: skip
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)\s?")
_TEX_FRAC = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")


def unescape(text: str) -> str:
    r"""Undo Markdown backslash escapes (``\#`` -> ``#``)."""
    return _ESCAPED.sub(r"\1", text)


def read_runs(text: str) -> list[Run]:
    """Split inline Markdown into styled runs (escapes undone, links reduced to their text)."""
    runs: list[Run] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            runs.append(Run(unescape(text[position : match.start()])))
        token = match.group()
        kind = match.lastgroup
        if kind == "code":
            runs.append(Run(token[1:-1], code=True))
        elif kind == "note":
            runs.append(Run(token[2:-1], note=token[2:-1]))
        elif kind == "link":
            runs.append(Run(unescape(token[1 : token.index("](")])))
        elif kind == "strong":
            runs.extend(attrs.evolve(r, bold=True) for r in read_runs(token[2:-2]))
        elif kind == "em":
            runs.extend(attrs.evolve(r, italic=True) for r in read_runs(token[1:-1]))
        elif kind == "math":
            runs.extend(_math_runs(token[1:-1]))
        else:
            script = "sub" if token[0] == "_" else "sup"
            runs.extend(attrs.evolve(r, script=script) for r in read_runs(token[2:-1]))
        position = match.end()
    if position < len(text):
        runs.append(Run(unescape(text[position:])))
    return [run for run in runs if run.text]


def _math_runs(tex: str) -> list[Run]:
    """Split a small LaTeX subset into runs: commands to symbols, fractions, scripts."""
    tex = _TEX_FRAC.sub(r"(\1)/(\2)", tex)
    tex = _TEX_COMMAND.sub(lambda m: _TEX_COMMANDS.get(m.group(1), m.group(1)), tex)
    runs: list[Run] = []
    position = 0
    for match in _TEX_SCRIPT.finditer(tex):
        if match.start() > position:
            runs.append(Run(tex[position : match.start()].replace("{", "").replace("}", "")))
        body = match.group("body").removeprefix("{").removesuffix("}")
        script = "sub" if match.group("kind") == "_" else "sup"
        runs.append(Run(body.replace("{", "").replace("}", ""), script=script))
        position = match.end()
    if position < len(tex):
        runs.append(Run(tex[position:].replace("{", "").replace("}", "")))
    return runs
