"""Formulas given only as pictures: the text of the method cannot be read, checked or copied.

``formula_only_as_image`` reports an image (Markdown ``![alt](src)``, or an HTML ``<img>``
kept in Markdown) that stands where a formula of the method belongs, with no formula written
out beside it. An image is taken for a formula when

- its alternative text or file name says so ("math formula - (3)", "1-qbid-formula.png",
  "equation-2.svg"); or
- the block right before it announces a calculation: a heading that names one ("### Index
  Calculation"), or a lead-in that says a quantity is calculated, computed, defined or
  given, and that either ends by handing over to what follows ("the minimum risk rate is
  defined as:", "The voting power is adjusted as follows:") or is followed, after the image,
  by a table or a "where" list of the symbols ("The Cobb-Douglas function is used to compute
  ..." then the image, then "| Term | Definition |").
- the text after it, before the next image or heading, calls it "the formula above" or
  "the above equation" ("x in the formula above is the normalised price deviation").

Not reported: an image that illustrates a formula written next to it (a formula, a ``$$``
block or a code block on the line before it or right after it), an image whose lead-in
announces no calculation ("The principle is described best with the following diagram:"),
and images in the informative parts (examples, background). Every such image of a document
is one finding, each image a place.

Markdown keeps its images, reStructuredText their alternative text, and the DOCX and HTML
conversions write each picture as a Markdown image reference with its alternative text and
name. A PDF's pictures are not listed, so a formula pasted as a picture there goes unseen by
this check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docsense.domain.findings import Category, Severity
from docsense.domain.policies import Check
from docsense.review.checks.base import CheckContext, CheckHit

__all__ = ["formula_only_as_image"]

# An image: "![alt](src)", "![alt](<src with spaces>)", "![alt](src "title")", or "<img ...>".
_IMAGE = re.compile(
    r"!\[(?P<alt>[^\]\n]*)\]\(\s*(?:<(?P<angled>[^>\n]*)>|(?P<src>[^)\s]*))[^)\n]*\)"
    r"|<img\b(?P<attrs>[^>]*)>",
    re.IGNORECASE,
)
_ATTRIBUTE = re.compile(r"""\b(?P<name>alt|src)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""",
                        re.IGNORECASE)
# What the alternative text or the file name of a formula says it is.
_FORMULA_NAME = re.compile(r"(?<![a-z])(?:formula[es]*|equations?|eqn?|math)(?![a-z])",
                           re.IGNORECASE)
# A lead-in that says a quantity is worked out: "is calculated", "computes", "is defined as",
# "is given by", "the formula", "as follows".
_CALCULATION = re.compile(
    r"\b(?:calculat\w*|comput\w*|defined\s+(?:as|by)|given\s+by|expressed\s+as|"
    r"determined\s+(?:as|by)|formula[es]*|equations?|as\s+follows)\b",
    re.IGNORECASE,
)
# A heading that names a calculation: "### Index Calculation", "## Reward formula".
_CALCULATION_HEADING = re.compile(
    r"^#{1,6}\s.*\b(?:calculations?|computations?|formula[es]*|equations?)\b",
    re.IGNORECASE,
)
# A lead-in that hands over to what follows: "... is defined as:", "... is given by".
_HANDS_OVER = re.compile(r"(?::|\b(?:as|by|is|are|equals?|follows))\s*$", re.IGNORECASE)
# The symbols explained after the image: a "| Term | Definition |" table or a "where" list.
_SYMBOLS_AFTER = re.compile(
    r"^(?:\|\s*(?:terms?|symbols?|variables?|parameters?|notation)\s*\||where\b)",
    re.IGNORECASE,
)
# A formula written out: display math, a code fence or a line with an equals sign between
# operands ("Index = ...").
_WRITTEN_FORMULA = re.compile(r"^\s*(?:\$\$|\\\[|```|~~~|[^\s=|][^=\n|]{0,80}=[^=])")
# The text after an image calls it a formula: "the formula above", "the above equation".
_REFERS_BACK = re.compile(
    r"\b(?:formula[es]*|equations?)\s+above\b|\babove\s+(?:formula[es]*|equations?)\b",
    re.IGNORECASE,
)
_NEXT_IMAGE_OR_HEADING = re.compile(r"!\[|<img\b|^#{1,6}\s", re.IGNORECASE | re.MULTILINE)
_REFERS_BACK_WINDOW = 800  # characters after the image: a reference further away is not to it
_TAG = re.compile(r"<[^>\n]*>")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Pandoc-style attributes right after an image: "{ width=275px }".
_ATTRIBUTES_AFTER = re.compile(r"^\{[^}\n]*\}")


def formula_only_as_image(ctx: CheckContext, check: Check) -> Iterator[CheckHit]:
    """Report formulas given only as images: the text cannot be read, checked or copied."""
    markdown = ctx.markdown
    if "![" not in markdown and "<img" not in markdown.lower():
        return
    for m in _IMAGE.finditer(markdown):
        if ctx.in_heading(m.start()) or ctx.informative_at(m.start()):
            continue
        alt, src = _alt_and_source(m)
        file_name = src.rsplit("/", 1)[-1]
        lead = _block_before(markdown, m.start())
        after = _block_after(markdown, m.end())
        named = _FORMULA_NAME.search(alt) is not None or (
            _FORMULA_NAME.search(file_name) is not None
        )
        if not (named or _announces_calculation(lead, after)
                or _called_a_formula_after(markdown, m.end())):
            continue
        last_line = lead.rsplit("\n", 1)[-1]
        if _WRITTEN_FORMULA.match(after) or last_line.rstrip().endswith("$$"):
            continue  # the image illustrates a formula written next to it
        what = alt.strip() or file_name or "an image"
        yield CheckHit(
            start=m.start(),
            end=m.end(),
            title="Formula given only as an image",
            description=f"A formula of the method is given only as a picture ({what}): a "
            "reader cannot copy, search or check it, a screen reader cannot read it, and a "
            "review of the text cannot see its variables or their definitions.",
            suggested_fix="Write the formula out as text (LaTeX or plain notation) next to "
            "the image, and define every symbol it uses.",
            category=Category.INCOMPLETE_FORMULA,
            severity=Severity.MEDIUM,
            confidence=0.7,
            subject="formula given only as an image",
        )


def _alt_and_source(m: re.Match[str]) -> tuple[str, str]:
    """Return an image match's alternative text and source (either may be empty)."""
    if m.group("attrs") is None:
        return m.group("alt") or "", m.group("angled") or m.group("src") or ""
    found = {a.group("name").lower(): a.group("dq") if a.group("dq") is not None
             else a.group("sq") for a in _ATTRIBUTE.finditer(m.group("attrs"))}
    return found.get("alt", ""), found.get("src", "")


def _announces_calculation(lead: str, after: str) -> bool:
    """Return True when the block before an image announces the calculation the image holds."""
    if _CALCULATION_HEADING.match(lead.rsplit("\n", 1)[-1]):
        return True
    if lead.lstrip().startswith("#") or _CALCULATION.search(lead) is None:
        return False
    return _HANDS_OVER.search(lead) is not None or _SYMBOLS_AFTER.match(after) is not None


def _called_a_formula_after(markdown: str, end: int) -> bool:
    """Return True when the text after the image calls it "the formula above".

    Only the text before the next image or heading counts: "x in the formula above is the
    normalised price deviation" speaks of the nearest image before it.
    """
    following = markdown[end : end + _REFERS_BACK_WINDOW]
    stop = _NEXT_IMAGE_OR_HEADING.search(following)
    return _REFERS_BACK.search(following[: stop.start()] if stop else following) is not None


def _block_before(markdown: str, start: int) -> str:
    """Return the text leading into the image at ``start``, HTML tags removed.

    That is the image's own paragraph up to it, else the paragraph (or heading) above.
    """
    written = _written_blocks(markdown[max(0, start - 1500) : start])
    return written[-1] if written else ""


def _block_after(markdown: str, end: int) -> str:
    """Return the first block of text after the image ending at ``end`` (tags removed)."""
    written = _written_blocks(markdown[end : end + 1500])
    first = written[0] if written else ""
    return _ATTRIBUTES_AFTER.sub("", first, count=1).lstrip()


def _written_blocks(text: str) -> list[str]:
    """Return the blocks of ``text`` between blank lines that hold text once tags are gone."""
    return [b.strip() for b in _BLANK_LINE.split(_TAG.sub("", text)) if b.strip()]
