"""What every check sees and returns: :class:`CheckContext` and :class:`CheckHit`.

A check function has the signature ``(ctx: CheckContext, check: Check) -> Iterable[CheckHit]``.
``ctx`` holds the Markdown, its sections and the semantic IR, plus the text cut into units
(paragraph sentences, list items, table rows, headings) with their character spans, so that
every hit points at an exact span of the Markdown. A hit with ``absent=True`` reports
something missing and has no span.

Checks that judge *rules* (vague values, discretion, timing) read :attr:`CheckContext.rule_units`:
the units outside informative parts of a document. Real methodologies carry disclaimers, risk
factors, conflict-of-interest notices and historical data beside their rules; a sentence there
describes what may happen, it does not specify the method, so it is not checked as a rule.
Informative parts are recognised by their heading (at any level of the heading path) and,
for unheaded boilerplate, by being written in capitals.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import Protocol

import attrs

from docsense._literals import folded, mentions
from docsense.domain.findings import Category, Severity
from docsense.domain.ir import Section, SemanticIR, TermSource, front_matter_end
from docsense.domain.policies import Check

__all__ = [
    "ADVICE",
    "AGENDA",
    "RULEBOOK_TERMS",
    "SET_OUT_HERE",
    "CheckContext",
    "CheckFunction",
    "CheckHit",
    "TextUnit",
    "clause_start",
    "finditer_chunked",
    "folded",
    "has_quantity",
    "is_informative_heading",
    "is_proper_name",
    "mentions",
    "noun_goes_on",
    "share_a_word",
    "singular_phrase",
]

_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)]|[a-z][.)])\s+")
_TABLE_ROW = re.compile(r"^\s*\|")
# "Index Level_{t} = Gross Level_{t} - RC_{t}": a name, then "=" and an expression.
_FORMULA_LINE = re.compile(
    r"^\s*[A-Za-z\u0370-\u03ff][\w\u0370-\u03ff{}^,()\u2212' -]{0,60}?\s?=\s?(?!=)\S"
)
_FENCE = re.compile(r"^\s*(```|~~~)")
# Sentence ends: . ! ? followed by space and a capital, digit, quote or bracket.
# And a colon that ends a line before a numbered or bulleted line: "... are as follows:"
# then "1\. Formal creation ..." in a paragraph a PDF printed without a blank line.
_SENTENCE_END = re.compile(
    r"[.!?]['\")\]]?\s+(?=[A-Z0-9\"'(\[])|:(?=[ \t]*\n[ \t]*(?:\d{1,3}\\?[.)]|[-*+\u2022])\s)"
)
_ABBREVIATIONS = frozenset(
    [
        "e.g", "i.e", "etc", "vs", "no", "inc", "ltd", "corp", "co", "approx", "fig", "sec", "st",
        "mr", "ms", "dr", "al", "cf", "incl", "min", "max", "est", "jan", "feb", "mar", "apr",
        "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
    ]
)
# A quantity: a digit, a number word, or a percentage/currency sign.
_QUANTITY = re.compile(
    r"\d|[%$€£¥]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|fifty|hundred|thousand|million|billion|half|twice|zero)\b",
    re.IGNORECASE,
)
#: Advice to the reader: "it is important to frequently check", "users should regularly
#: monitor", "integrators should be aware of this and account for it when necessary": what a
#: reader is told to do, not what the method does or when.
ADVICE = re.compile(
    r"\b(?:it\s+is\s+(?:important|advisable|recommended|wise|good\s+practice|a\s+good\s+"
    r"idea|essential|crucial)|we\s+(?:recommend|suggest|advise)|(?:users?|you|traders?|"
    r"integrators?|developers?|callers?)\s+(?:should|must|need\s+to|may\s+want\s+to)|"
    r"should\s+be\s+aware)\b",
    re.IGNORECASE,
)
#: A meeting's agenda: "the committee meets monthly to review any significant market events,
#: revise index policies as required and ...": what a body discusses, not a rule it applies.
AGENDA = re.compile(
    r"\b(?:meets?|meetings?)\b[^.;]{0,40}?\bto\s+(?:review|discuss|consider|assess|evaluate|"
    r"monitor|revise|approve)\b",
    re.IGNORECASE,
)
#: What a phrase refers to is set out in this document: "market data and network data metrics
#: presented in this document", "the criteria described below". (Not "detailed in Appendix A":
#: a named part may be missing, and the reference check reports that.)
SET_OUT_HERE = re.compile(
    r"(?:[^.;:\n]|\n(?!\n)){0,100}?\b(?:presented|described|set\s+out|detailed|listed|defined|"
    r"specified|"
    r"explained|outlined)\s+(?:in\s+this\s+(?:document|methodology|section|paper)|below|above|"
    r"herein|hereafter)\b",
    re.IGNORECASE,
)
# A lead-in whose list items are the aims: "This approach ensures that:", "Stability fees
# serve different means:".
_PURPOSE_LEAD = re.compile(
    r"\b(?:ensures?|achieves?|provides?|aims?\s+to|designed\s+to|intended\s+to|serves?|"
    r"benefits?|advantages?|objectives?|goals?)\b[^.:\n]{0,40}:\s*$",
    re.IGNORECASE,
)
# A lead-in whose list items are consequences of the rule just stated: "... moves the pool
# toward the boundary, not to 50/50. So:", "This means that:", "As a result:".
_CONSEQUENCE_LEAD = re.compile(
    r"(?:^|[.!?]\s+)(?:so|thus|hence|therefore|consequently|as\s+a\s+result|in\s+effect|"
    r"in\s+practice|in\s+other\s+words|(?:this|which|that)\s+means(?:\s+that)?)\s*,?\s*:\s*$",
    re.IGNORECASE,
)
# Headings of parts that inform rather than specify: disclaimers, risks, conflicts, legal
# notices, history and back-tests, background (an ADR's "Context"), a document's change
# log. Matched against every heading of the path.
_INFORMATIVE_HEADING = re.compile(
    r"disclaimer|\brisk\s+(?:factors?|disclosures?|warnings?|considerations?|statements?)\b|"
    r"\b(?:key|selected|principal|certain|main|general|additional|specific|other)\s+risks\b|"
    r"^\W*(?:\d+(?:\.\d+)*\.?\s+)?risks?\W*$|conflicts?\s+of\s+interest|"
    r"important\s+(?:notice|information)|legal\s+(?:notice|information|matters)|^\W*notices?\W*$|"
    r"copyright|trade\s?marks?|\blicen[cs](?:e|ing)\b|limitation\s+of\s+liability|"
    # "Back-tested performance", not a tool named "Backtester".
    r"forward[- ]looking|historical\s+(?:data|performance|information|returns?)|"
    r"back-?test(?:s|ed|ing)?\b|"
    r"simulated\s+performance|\bmotivation\b|\bbackground\b|\bauthors?\b|acknowledg|"
    r"\bcontact\b|bibliography|^\W*references?\W*$|table\s+of\s+contents|"
    r"\busage\b|\buse\s+cases?\b|interpretation\s+guide|how\s+to\s+(?:use|interpret|read)\b|"
    r"^\W*(?:\d+(?:\.\d+)*\.?\s+)?conclusions?\W*$|"
    r"change\s?log|(?:revision|version|document|amendment)\s+history|^\W*context\W*$|"
    # "Sample report", "Sample Client Notification": a specimen of an output, not a rule.
    r"\bsample\s+(?:\w+\s+)?(?:reports?|notifications?|notices?|announcements?|e-?mails?|"
    r"letters?|files?|outputs?|templates?)\b|"
    # "Summary of Changes", "Appendix 2: Methodology Changes": a record of past changes.
    r"\b(?:summary|history|record|list)\s+of\s+(?:\w+\s+)?changes\b|"
    r"^\W*(?:appendix|annex)\b[^:]{0,12}:?\s*(?:\w+\s+)?changes\W*$|"
    r"^\W*rationale\W*$|^\W*(?:\d+(?:\.\d+)*\.?\s+)?(?:strengths|weaknesses|(?:dis)?advantages|"
    r"benefits|pros\s+(?:and|&)\s+cons)\W*$|"
    r"\bfuture\s+(?:work|directions?|research|improvements?|enhancements?|"
    r"features?|plans?)\b|\broadmap\b|\bdrawbacks?\b|"
    # "Known issues and mitigations", "Security considerations": an analysis of weaknesses
    r"\bknown\s+(?:issues?|limitations?|vulnerabilit(?:y|ies)|bugs?)\b|"
    r"\bsecurity\s+considerations?\b|\brisks?\s+and\s+mitigations?\b|"
    # "Best practices": advice to the integrator ("Define fallback behaviour if ..."), not
    # the method's own rules
    r"\bbest\s+practices?\b|"
    # "Scenario A - Trailing Stop Loss Limit Buy Order": a worked scenario, an example
    r"^\W*(?:\d+(?:\.\d+)*\.?\s+)?(?:worked\s+)?scenario\s+(?:[A-Z]|\d{1,2})\b|"
    # "Examples", "A Basic Example", "Worked example 2: ...", "Examples of fee calculation";
    # not "Example Momentum Index Methodology", a title.
    r"^\W*(?:\d+(?:\.\d+)*\.?\s+)?(?:(?:an?|the)\s+)?(?:[a-z]+\s+)?examples?"
    r"(?:\s*\d+)?(?:\s*[:.)\u2014-].*|\s+of\b.*)?\W*$",
    re.IGNORECASE,
)
# A lead-in to a list of examples: "... For example:", "such as:".
_EXAMPLE_LEAD = re.compile(
    r"\b(?:for\s+(?:example|instance)|e\.g\.|such\s+as|examples?\s+(?:include|are))\s*:\s*$",
    re.IGNORECASE,
)
# A unit that opens a worked example, which runs to the end of its paragraph ("Example 1:"),
# or an example of one sentence ("For example, ...", "E.g. ...").
_EXAMPLE = re.compile(
    r"\s*(?:(?P<worked>(?:worked\s+)?example\s*\d*\s*[:.)\u2014-])|for\s+(?:example|instance)\b"
    r"|e\.g\.)",
    re.IGNORECASE,
)
# A run-in label over the reason for a rule: "**Rationale**: More significant events should
# have greater influence on the index" says why, not what the method does.
_REASON_LABEL = re.compile(
    r"\s*[*_]*(?:rationale|motivation|reasoning|justification|why)\s*[*_]*\s*:", re.IGNORECASE
)
# A list item or line that is only a label for the example after it: "**Example:**".
_EXAMPLE_LABEL = re.compile(
    r"\s*[*_]*(?:worked\s+)?examples?(?:\s*\d+)?\s*[*_]*:\s*[*_]*\s*", re.IGNORECASE
)
# A label over an appraisal of the method: "**Strengths**", "Weaknesses:", "Pros and cons".
# Its items say what the method is good or bad at ("Allows capturing additional gains during
# strong directional price movements"), not what it does.
_APPRAISAL_LABEL = re.compile(
    r"\s*[*_]*(?:strengths|weaknesses|advantages|disadvantages|benefits|drawbacks|pros|cons|"
    r"pros\s+(?:and|&)\s+cons)\s*[*_]*:?\s*[*_]*\s*",
    re.IGNORECASE,
)
#: A document defining at least this many terms in legal drafting ("X" means ..., X shall
#: mean ...) is drafted as a rulebook (CheckContext.style).
RULEBOOK_TERMS = 15
# Defined terms the way legal drafting defines them; a bold label ("**Priority**: Medium")
# or a "where" line defines a term too, but any kind of document has those.
_DRAFTED = frozenset({TermSource.QUOTED, TermSource.MEANS})
_WORD = re.compile(r"\S+")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_CLAUSE_BREAK = re.compile(
    r"[,;:()]|\s(?:when|whenever|if|unless|where|while|or|and then|but|so that|until|once)\s",
    re.IGNORECASE,
)


# A bracketed aside with no brackets inside: "(Compound, AAVE)".
_ASIDE = re.compile(r"\([^()\n]*\)")


@attrs.frozen
class TextUnit:
    """A sentence, list item, table row or heading, as a span of the Markdown.

    ``kind`` is ``"sentence"``, ``"item"``, ``"row"`` or ``"heading"``; ``text`` is
    ``markdown[start:end]``.
    """

    start: int
    end: int
    text: str
    kind: str


@attrs.frozen(kw_only=True)
class CheckHit:
    """One thing a check found: a span of the Markdown (or ``absent``) and what to say.

    ``category`` and ``severity`` default to the policy's. ``replacement`` is text that can
    stand in place of ``markdown[start:end]``; it keeps the author's words and marks what
    must be supplied with ``[[specify: ...]]`` placeholders. ``subject`` is what the hit is
    about (a phrase such as "as applicable", a document name, a variable, a section target):
    the hits of one check with the same subject become one finding with every place (None:
    hits group by title).
    """

    start: int = 0
    end: int = 0
    title: str
    description: str = ""
    suggested_fix: str = ""
    replacement: str | None = None
    category: Category | None = None
    severity: Severity | None = None
    confidence: float = 0.8
    absent: bool = False
    subject: str | None = None


class CheckFunction(Protocol):
    """The check protocol: any callable ``(ctx, check) -> Iterable[CheckHit]``.

    ``ctx`` is the document (:class:`CheckContext`) and ``check`` the pack's check entry (its
    parameters, e.g. ``check.param("heading")``). A plain function, generator or not, is one;
    its docstring's first paragraph is its description (``docsense packs show``).
    """

    def __call__(self, ctx: CheckContext, check: Check, /) -> Iterable[CheckHit]:
        """Return (or yield) the hits of ``check`` in the document ``ctx``."""
        ...


class CheckContext:
    """The document as checks see it. Derived views are computed once, on first use."""

    def __init__(self, markdown: str, sections: Iterable[Section], ir: SemanticIR) -> None:
        self.markdown = markdown
        self.sections = tuple(sections) or ir.sections
        self.ir = ir

    # --- structure --------------------------------------------------------------------------

    @cached_property
    def units(self) -> tuple[TextUnit, ...]:
        """Every sentence, list item, table row and heading, in document order."""
        return tuple(_segment(self.markdown))

    @cached_property
    def body_units(self) -> tuple[TextUnit, ...]:
        """The units that are not headings."""
        return tuple(u for u in self.units if u.kind != "heading")

    @cached_property
    def style(self) -> str:
        """``"rulebook"`` for a document drafted as a rulebook, else ``"brief"``.

        A rulebook defines its terms in quotes or with "means" (at least
        :data:`RULEBOOK_TERMS` of them): its wording is deliberate legal drafting, where a
        vague-looking phrase is more often a standard than an oversight, so checks are
        calibrated separately on the two styles. Labels of a list ("**Priority**: Medium")
        count as glossary terms but do not make a rulebook.
        """
        drafted = sum(1 for t in self.ir.terms if t.source in _DRAFTED)
        return "rulebook" if drafted >= RULEBOOK_TERMS else "brief"

    @cached_property
    def rule_units(self) -> tuple[TextUnit, ...]:
        """The body units that state the method: outside informative parts and boilerplate.

        A unit is informative when a heading on its path names a disclaimer, risk factors,
        conflicts of interest, a legal notice, historical or back-tested performance,
        background, a change log, worked examples, the method's strengths and weaknesses or a
        table of contents, or when it is a paragraph written in capitals (disclaimer banners)
        or an example ("Example 1:" and the rest of its paragraph, a sentence opening "For
        example,"), a sentence describing other systems ("Protocols like AAVE ...": see
        :meth:`_other_systems_starts`), an item under a "**Strengths**" or "Weaknesses:"
        label, or an entry of a table of contents ("Market Data ........ 4"), or a sentence
        of a legal disclaimer wherever it stands ("should not be considered as information
        sufficient upon which to base an investment decision"). A "Risk Management" section
        states rules and stays in.
        """
        informative = [
            (s.start, s.end) for s in self.sections if is_informative_heading(s.heading)
        ]
        not_rules = self._example_starts() | self._other_systems_starts()
        return tuple(
            u
            for u in self.body_units
            if u.start not in not_rules
            and not any(a <= u.start < b for a, b in informative)
            and not _shouting(u.text)
            and not _title_line(u.text)
            and not _CONTENTS_ENTRY.match(u.text)
            and not _DISCLAIMING.search(u.text)
        )

    def _other_systems_starts(self) -> frozenset[int]:
        """Return the starts of the sentences that describe other systems, not this method.

        "Protocols like AAVE take a different direction, offering a stable rate if ...", "In
        current lending pools, the governance can set supply caps": background for the
        method, whose limits and wording are the other systems' to state. A sentence that
        carries on in the same paragraph ("In addition, by ensuring ...", "This is notably
        used ...") describes them too, until one speaks of this method ("we", "our",
        "however", "unlike", "instead").
        """
        starts: set[int] = set()
        previous: TextUnit | None = None
        for u in self.body_units:
            carried = (
                previous is not None
                and previous.start in starts
                and self.same_paragraph(previous, u)
                and _CARRIES_ON.match(u.text) is not None
                and _THIS_METHOD.search(u.text) is None
            )
            if carried or (_OTHER_SYSTEMS.match(u.text) and not _THIS_METHOD.search(u.text)):
                starts.add(u.start)
            previous = u
        return frozenset(starts)

    def _example_starts(self) -> frozenset[int]:
        """Return the starts of the body units that give examples rather than rules.

        "Example 1: ... the market opened at `t_0 = 1:55`": a worked example runs to the end
        of its paragraph, and on after a display when the next paragraph goes on in lower
        case ("and the current time is `4:53`"). "For example, ..." is one sentence; when it
        ends "For example:" (or "such as:"), the list items nested under it are examples too,
        and so are the items after a label that is only "Example:", at its level or under it.
        A unit under a run-in "**Rationale**:" label gives the reason for a rule, not a rule.
        """
        starts: set[int] = set()
        worked = False  # the unit before belongs to a worked example
        listed = False  # the unit before led in a list of examples
        lead_indent = -1  # the indentation of that lead-in's list item (-1: a paragraph)
        until = len(self.markdown)  # where the examples of an "Example:" label end
        end = 0
        for u in self.body_units:
            goes_on = "\n\n" not in self.markdown[end : u.start] or u.text[:1].islower()
            end = u.end
            indent = self.line_indent(u.start)
            if listed and u.kind == "item" and indent > lead_indent and u.start < until:
                starts.add(u.start)  # "For example:" then "- Introduce a significant fee"
                continue
            opens = _EXAMPLE.match(u.text)
            worked = (opens is not None and opens.group("worked") is not None) or (
                worked and opens is None and goes_on
            )
            if opens is not None or worked or _REASON_LABEL.match(u.text):
                starts.add(u.start)
            listed = _EXAMPLE_LEAD.search(u.text) is not None
            lead_indent = indent if u.kind == "item" else -1
            until = len(self.markdown)
            if _EXAMPLE_LABEL.fullmatch(u.text) or _APPRAISAL_LABEL.fullmatch(u.text):
                # "2. **Example:**" then "- Suppose a trader deposits $1,000": the items
                # after the label, at its level or under it and before the next heading,
                # are the example
                listed, lead_indent = True, indent - 1
                until = min((x.start for x in self.sections if x.start > u.start), default=until)
        return frozenset(starts)

    @cached_property
    def aim_items(self) -> frozenset[int]:
        """Return the starts of list items under a lead-in that states aims or consequences.

        "This approach ensures that:", "Stability fees serve different means:": the items
        after such a lead-in are what the rule is for, not rules; with the
        :attr:`consequence_items`, checks that judge wording (vague values, undefined
        triggers) skip them.
        """
        return self._items_under(_PURPOSE_LEAD) | self.consequence_items

    @cached_property
    def consequence_items(self) -> frozenset[int]:
        """Return the starts of list items under a lead-in that announces consequences.

        "... moves the pool to the boundary, not to 50/50. So:", "This means that:": the
        items restate what the rule just given does; a limit named there is that rule's.
        (An aim lead-in such as "The Committee ensures that constituents:" may list
        requirements, so only these are skipped by checks that judge limits.)
        """
        return self._items_under(_CONSEQUENCE_LEAD)

    def _items_under(self, lead: re.Pattern[str]) -> frozenset[int]:
        starts: set[int] = set()
        under = False
        for unit in self.rule_units:
            if unit.kind != "item":
                under = ":" in unit.text and lead.search(unit.text) is not None
            elif under:
                starts.add(unit.start)
        return frozenset(starts)

    def same_paragraph(self, a: TextUnit, b: TextUnit) -> bool:
        """Return True if units ``a`` and ``b`` (in either order) have no blank line between."""
        first, second = (a, b) if a.start <= b.start else (b, a)
        return "\n\n" not in self.markdown[first.end : second.start]

    def line_before(self, offset: int) -> str:
        """Return the text from the start of ``offset``'s line up to ``offset``."""
        return self.markdown[self.markdown.rfind("\n", 0, offset) + 1 : offset]

    def line_indent(self, offset: int) -> int:
        """Return the indentation of the line holding ``offset`` (nesting of a list item)."""
        line = self.line_before(offset)
        return len(line) - len(line.lstrip(" \t"))

    @cached_property
    def rule_folded(self) -> tuple[str, ...]:
        """The text of each of :attr:`rule_units`, :func:`folded` (for literal prefilters)."""
        return tuple(folded(u.text) for u in self.rule_units)

    def informative_at(self, offset: int) -> bool:
        """Return True if ``offset`` lies in an informative part (see :attr:`rule_units`)."""
        return any(
            s.start <= offset < s.end and is_informative_heading(s.heading)
            for s in self.sections
        )

    @cached_property
    def title_span(self) -> tuple[int, int] | None:
        """The span of the title heading's line, if the document has a title."""
        sec = self.title_section
        if sec is None:
            return None
        line_end = self.markdown.find("\n", sec.start)
        return sec.start, (len(self.markdown) if line_end < 0 else line_end)

    def section_at(self, offset: int) -> Section | None:
        """Return the innermost section containing ``offset``, or None."""
        best: Section | None = None
        for sec in self.sections:
            if sec.start <= offset < sec.end and (best is None or sec.level >= best.level):
                best = sec
        return best

    @cached_property
    def title_section(self) -> Section | None:
        """The section of the document title: the only level-1 heading, if there is one."""
        top = [s for s in self.sections if s.level == 1]
        return top[0] if len(top) == 1 else None

    def has_heading(self, pattern: re.Pattern[str] | Callable[[str], bool]) -> bool:
        """Return True if a heading other than the document title matches ``pattern``.

        ``pattern`` is a regular expression searched in each heading, or a test of a
        heading's text.
        """
        test = pattern.search if isinstance(pattern, re.Pattern) else pattern
        return any(test(sec.heading) for sec in self.sections if sec is not self.title_section)

    def body_text(self) -> str:
        """Return the Markdown with the title heading blanked out (for whole-document searches)."""
        return self._body_text

    @cached_property
    def _body_text(self) -> str:
        span = self.title_span
        if span is None:
            return self.markdown
        return self.markdown[: span[0]] + " " * (span[1] - span[0]) + self.markdown[span[1] :]

    @cached_property
    def body_folded(self) -> str:
        """:meth:`body_text`, :func:`folded`: for a cheap test before :meth:`search_body`.

        When every match of a pattern contains one of some lower-case words and
        ``mentions(ctx.body_folded, words)`` is False, the pattern has no match in the body.
        """
        return folded(self._body_text)

    def search_body(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """Return the first match of ``pattern`` in :meth:`body_text`, as ``pattern.search``.

        The scan goes in pieces (:func:`finditer_chunked`), so a long document never holds
        the interpreter lock for one long regular-expression call: an event loop in another
        thread of the process keeps its pace while checks run. For patterns whose matches
        and look-arounds span less than 1,000 characters (every built-in one).
        """
        return next(finditer_chunked(pattern, self._body_text), None)

    def finditer_body(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Return the matches of ``pattern`` in :meth:`body_text`, as ``pattern.finditer``.

        In pieces, like :meth:`search_body`, with the same limit on the patterns.
        """
        return finditer_chunked(pattern, self._body_text)

    def in_heading(self, offset: int) -> bool:
        """Return True if ``offset`` falls on a heading line."""
        return any(u.start <= offset < u.end for u in self.units if u.kind == "heading")


def is_informative_heading(heading: str) -> bool:
    """Return True for a heading of a part that informs rather than specifies the method."""
    return _INFORMATIVE_HEADING.search(heading) is not None


# A sentence whose subject is other systems: "Some protocols approach ...", "Protocols
# like AAVE ...", "In current lending pools, ...", "Most exchanges ...".
# ("Some exchanges are excluded when ..." is a rule about the method's sources: exchanges,
# pools and markets count as other systems only after "in".)
_OTHERS = r"(?:some|other|many|most|existing|current|traditional|typical|conventional|legacy)"
_OTHER_SYSTEMS = re.compile(
    rf"(?:[-*]\s+)?(?:{_OTHERS}\s+(?:[\w-]+\s+)?(?:protocols?|platforms?|systems?|designs?|"
    r"approaches|solutions|implementations|AMMs?|DEX(?:e?s)?|lenders)\b"
    rf"|in\s+{_OTHERS}\s+(?:[\w-]+\s+)?(?:protocols?|pools?|platforms?|exchanges?|systems?|"
    r"designs?|AMMs?|DEX(?:e?s)?|venues|markets|finance)\b"
    r"|(?:protocols?|platforms?|systems?|exchanges?|projects?)\s+(?:like|such\s+as)\s+[A-Z])",
    re.IGNORECASE,
)
# A sentence that carries on the one before: "In addition, ...", "This is ...".
_CARRIES_ON = re.compile(
    r"(?:in\s+addition|additionally|also|moreover|furthermore|this|these|such|they|it)\b",
    re.IGNORECASE,
)
# A sentence that speaks of the method itself, or sets it against the others.
_THIS_METHOD = re.compile(
    r"\b(?:we|our|us|however|unlike|instead|whereas|in\s+contrast|by\s+contrast|rather)\b",
    re.IGNORECASE,
)
# An entry of a table of contents: a title, dot leaders and a page number ("Market Data
# .......... 4").
_CONTENTS_ENTRY = re.compile(r"[^\n]{2,160}?(?:\.\s?){8,}\s*\d{0,4}\s*$")


def _title_line(text: str) -> bool:
    """Return True for a heading the converter left in the body ("Determination of the Rate")."""
    words = text.split()
    if not 1 < len(words) <= 12 or text.rstrip().endswith((".", ":", ";", ",")):
        return False
    small = {"of", "the", "and", "for", "a", "an", "in", "on", "to", "by", "with", "or", "at"}
    capitalised = [w for w in words if w.lower() not in small]
    return bool(capitalised) and all(w[:1].isupper() or w[:1].isdigit() for w in capitalised)


_ASCII_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_LOWER = b"abcdefghijklmnopqrstuvwxyz"


# A sentence of a legal disclaimer, wherever it stands: "the Indices should not be considered
# as information sufficient upon which to base an investment decision", "Nothing herein
# constitutes investment advice or an offer to buy or sell".
_DISCLAIMING = re.compile(
    r"\b(?:should|shall|must|may)\s+not\s+be\s+(?:considered|construed|relied\s+(?:up)?on|"
    r"regarded|treated)\b[^.;]{0,120}?\b(?:investment|financial|legal|tax)\s+(?:advice|"
    r"decisions?|recommendations?)\b"
    r"|\b(?:does|do|shall)\s+not\s+constitute\b[^.;]{0,80}?\b(?:investment|financial|legal|"
    r"tax)\s+(?:advice|recommendations?)|\ban?\s+offer\s+to\s+(?:buy|sell)\b",
    re.IGNORECASE,
)


def _shouting(text: str) -> bool:
    """Return True for a long passage written in capitals (a disclaimer banner)."""
    if len(text) < 60:
        return False  # fewer than 60 letters
    if text.isascii():
        # The same count, without a Python loop over the characters.
        raw = text.encode("ascii")
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
        alpha = upper + len(raw) - len(raw.translate(None, _ASCII_LOWER))
        return alpha >= 60 and upper >= 0.85 * alpha
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 60:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper >= 0.85 * len(letters)


def singular_phrase(phrase: str) -> str:
    """Return ``phrase`` in lower case with its last word singular.

    "Policies & Practices" and "... policy", "holidays" and "holiday": one subject each, so
    the findings about them group together.
    """
    words = phrase.lower().split()
    if words and len(words[-1]) > 3:
        last = words[-1]
        words[-1] = last[:-3] + "y" if last.endswith("ies") else (
            last[:-1] if last.endswith("s") and not last.endswith("ss") else last
        )
    return " ".join(words)


_CONTENT_WORD = re.compile(r"[A-Za-z]{3,}")
_FUNCTION_WORDS = frozenset(
    {"the", "and", "are", "for", "with", "from", "that", "this", "its", "their", "each", "any",
     "all", "not", "may", "can", "will", "shall", "must", "has", "have", "been", "was", "were",
     "into", "per", "than", "which", "when", "where", "then", "also", "other", "such", "more",
     "less", "most", "least", "necessary", "needed", "required"}
)


def share_a_word(a: str, b: str) -> bool:
    """Return True if ``a`` and ``b`` share a content word, up to its ending (cap/capped)."""
    def stems(text: str) -> set[str]:
        words = (w.lower() for w in _CONTENT_WORD.findall(text))
        return {w[:-1] if w.endswith("s") else w for w in words if w not in _FUNCTION_WORDS}

    left, right = stems(a), stems(b)
    return any(x.startswith(y) or y.startswith(x) for x in left for y in right
               if min(len(x), len(y)) >= 3)


def has_quantity(text: str) -> bool:
    """Return True if ``text`` states a number (digits, %, currency, or a number word)."""
    return bool(_QUANTITY.search(text))


def is_proper_name(text: str) -> bool:
    """Return True if ``text`` holds a capitalised name or an acronym past its first word."""
    words = text.split()
    if not words:
        return False
    tail = " ".join(words[1:]) if words[0][:1].isupper() else text
    return bool(re.search(r"\b(?:[A-Z][a-zA-Z&.]+|[A-Z]{2,})", tail))


_NOUN_GOES_ON = re.compile(
    r"[ \t]+(?!(?:of|for|in|on|at|by|and|or|is|are|was|were|to|from|as|than|when|if|which|"
    r"that|with|over|under|per|during|after|before|so|but)\b)(?![a-z-]+ing\b)[a-z][a-z-]+"
)


def noun_goes_on(tail: str) -> bool:
    """Return True if ``tail`` (the text after a noun) opens with another noun of its phrase.

    "the price impact", "the system owner": the word matched is a modifier, and the thing
    meant is named by the words that follow. A participle ("on exchanges using ...") starts
    a new phrase.
    """
    return _NOUN_GOES_ON.match(tail) is not None


def clause_start(text: str, pos: int, *, max_words: int = 14, asides: bool = False) -> int:
    """Index in ``text`` where the clause containing ``pos`` starts.

    Clauses break at punctuation and at subordinating words (when, if, where, or ...), so
    ``"rebalanced when drift exceeds the threshold"`` gives the start of ``"drift"``. The
    clause is at most ``max_words`` words long before ``pos``. With ``asides``, a bracketed
    aside closed before ``pos`` breaks nothing: the subject of "Details of the methods
    (Compound, AAVE) and the destination of the yield will be agreed" is all of it.
    """
    start = 0
    code = [c.span() for c in _INLINE_CODE.finditer(text, 0, pos)] if "`" in text else []
    if asides and "(" in text:
        code += [c.span() for c in _ASIDE.finditer(text, 0, pos)]
    for m in _CLAUSE_BREAK.finditer(text, 0, pos):
        if not any(a <= m.start() < b for a, b in code):  # "`onlyOwner()`" breaks nothing
            start = m.end()
    while start < pos and text[start] in " \t\n-*•":
        start += 1
    word_starts = [m.start() for m in _WORD.finditer(text, start, pos)]
    if len(word_starts) > max_words:
        # The start of the first of the last ``max_words`` words (not a later occurrence
        # of the same characters: "a" of "called").
        start = word_starts[-max_words] if max_words > 0 else pos
    return max(0, min(start, pos))


def _segment(markdown: str) -> Iterator[TextUnit]:
    """Cut Markdown into headings, list items, table rows and paragraph sentences."""
    pos = 0
    para_start: int | None = None
    para_end = 0
    in_fence = False
    block: list[tuple[int, int, str]] = []  # pending paragraph/item: (start, end, kind)

    def flush() -> Iterator[TextUnit]:
        nonlocal para_start
        if para_start is not None and block:
            kind = block[0][2]
            yield from _sentences(markdown, para_start, para_end, kind)
        para_start = None
        block.clear()

    body = front_matter_end(markdown)  # metadata, not text to check
    for line in markdown.splitlines(keepends=True):
        line_start, line_end = pos, pos + len(line.rstrip("\r\n"))
        pos += len(line)
        if line_start < body:
            continue
        stripped = line.strip()
        # Each pattern is tried only on lines with the character it needs ("`" or "~", "#",
        # "|", "="): the same result, without a regular-expression call for most lines.
        if ("`" in line or "~" in line) and _FENCE.match(line):
            yield from flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if not stripped:
            yield from flush()
            continue
        if "#" in line and _HEADING.match(line):
            yield from flush()
            yield TextUnit(line_start, line_end, markdown[line_start:line_end], "heading")
            continue
        if "|" in line and _TABLE_ROW.match(line):
            yield from flush()
            if not re.fullmatch(r"[\s|:\-]+", stripped):
                yield TextUnit(line_start, line_end, markdown[line_start:line_end], "row")
            continue
        item = _LIST_ITEM.match(line)
        if item:
            yield from flush()
            para_start = line_start + item.end()
            para_end = line_end
            block.append((para_start, line_end, "item"))
            continue
        if "=" in line and _FORMULA_LINE.match(line):
            # A formula line is a unit of its own, whether or not a blank line sets it off
            # (PDFs often run it into the sentence that introduces it).
            yield from flush()
            yield from _unit(markdown, line_start, line_end, "sentence")
            continue
        if para_start is None:
            para_start = line_start + (len(line) - len(line.lstrip()))
            block.append((para_start, line_end, "sentence"))
        para_end = line_end
    yield from flush()


def _sentences(markdown: str, start: int, end: int, kind: str) -> Iterator[TextUnit]:
    text = markdown[start:end]
    cut = 0
    for m in _SENTENCE_END.finditer(text):
        # The word before the stop: the run of word characters and dots that ends there.
        stop = word_start = m.start()
        if stop > 0 and text[stop - 1] == "\\":
            continue  # "1\. A shell entity": an escaped list number, not a full stop
        while word_start > cut and _word_or_dot(text[word_start - 1]):
            word_start -= 1
        if word_start < stop:
            token = text[word_start:stop].lower().rstrip(".")
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        piece_end = m.start() + 1
        yield from _unit(markdown, start + cut, start + piece_end, kind)
        cut = m.end()
    yield from _unit(markdown, start + cut, end, kind)


def _word_or_dot(char: str) -> bool:
    r"""Return True if ``char`` matches ``[\w.]`` (``\w``: alphanumeric or underscore)."""
    return char.isalnum() or char in "._"


def _unit(markdown: str, start: int, end: int, kind: str) -> Iterator[TextUnit]:
    while start < end and markdown[start].isspace():
        start += 1
    while end > start and markdown[end - 1].isspace():
        end -= 1
    if end > start:
        yield TextUnit(start, end, markdown[start:end], kind)


_CHUNK = 16_384  # characters scanned per regular-expression call (well under 1 ms)
_REACH = 2_048  # window beyond the chunk; matches and look-arounds must span under half


def finditer_chunked(
    pattern: re.Pattern[str], text: str, *, chunk: int = _CHUNK, reach: int = _REACH
) -> Iterator[re.Match[str]]:
    """Yield exactly the matches of ``pattern.finditer(text)``, scanning ``text`` in windows.

    One regular-expression call over a long text is one C call that holds the interpreter
    lock throughout (tens of milliseconds on a book-length methodology); windows of
    ``chunk + reach`` characters bound each call. A match is taken from a window only if it
    starts in the window's first ``chunk`` characters and ends ``reach // 2`` before the
    window's end, where the window's artificial end cannot have changed it; the next window
    resumes after the last match taken, or at the match that was not taken. So the result is
    the one-call result for every pattern whose matches and look-arounds span fewer than
    ``reach // 2`` characters; a match that is empty, or too long to judge, makes the scan
    fall back to one call from there.
    """
    n, pos = len(text), 0
    while True:
        end = pos + chunk + reach
        if end >= n:
            yield from pattern.finditer(text, pos)
            return
        limit, resume = pos + chunk, pos + chunk
        for m in pattern.finditer(text, pos, end):
            if m.start() == m.end() or (m.start() == pos and m.end() > end - reach // 2):
                yield from pattern.finditer(text, m.start())
                return
            if m.start() >= limit or m.end() > end - reach // 2:
                resume = m.start()
                break
            yield m
            resume = max(m.end(), limit)
        pos = resume
