"""The prompt plan: which calls an LLM review makes, and exactly what each one sends.

- Policies are **grouped** per call within a token budget (``group_tokens``,
  ``group_max_policies``), in pack order.
- A long document is **split on section boundaries** into parts of at most ``part_tokens``
  (a section longer than that is split on paragraph boundaries); when there is more than one
  part, the glossary (the IR's defined terms) is carried into each part.
- **Whole-document** policies (required sections, governance, missing references: see
  :func:`is_document_scoped`) are asked on the whole text when it is one part, as calls of
  their own on the same document block (so a provider's prompt cache serves it): the model
  can then quote the words at fault, an undocumented decision or a dangling reference. A
  document split into parts is too long for that: they are asked once, on its outline and
  the IR.
- **Contradictions across parts.** When the text is split, a part cannot show that a value
  stated in it contradicts one stated in another part. The consistency policies (category
  ``inconsistent_content``) are then also asked once on the *statements* of the whole
  document: every sentence, list item or table row that gives a number, a date or a
  frequency, verbatim but for the line breaks of a wrapped paragraph, inside the
  ``<section>`` it comes from (``statements_tokens``; what does not fit is counted as
  omitted). Quotes from it are document text, so they ground.
- One call per (part, policy group) and one per document-scoped group; never twice the same.
- With a ``context_window`` (a local model's), every call is made to fit it with room for
  the answer: the output budget is capped at a quarter of the window and the parts (and
  outline and glossary) are halved until the largest call fits, with a 15% margin for the
  real tokenizer; a window too small for the prompt itself is a
  :class:`~docsense.errors.ConfigurationError`.

Every call's user message is ``document`` (a data block between ``<document-BOUNDARY>``
markers, which the system prompt declares untrusted) followed by ``task`` (the policies).
``system`` and ``document`` are the same bytes for every call on the same part, so a
provider's prompt cache can reuse them. ``BOUNDARY`` is derived from the document's hash:
the document cannot contain its own closing marker.

Token counts are estimates: :func:`estimate_tokens` is ``ceil(characters / 4)``, the usual
rule of thumb for English text with BPE tokenizers (OpenAI's "1 token ~ 4 characters").
Planning only needs budgets and comparisons, not exact counts.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence

import attrs

from docsense.adapters.ai.prompts.templates import PromptTemplate
from docsense.domain.findings import Category
from docsense.domain.ir import SemanticIR
from docsense.domain.policies import CheckKind, Policy
from docsense.errors import ConfigurationError
from docsense.ports import ReviewRequest

__all__ = [
    "DOCUMENT_SCOPED_CHECKS",
    "PlanLimits",
    "PlannedCall",
    "ReviewPlan",
    "estimate_tokens",
    "is_document_scoped",
    "naive_plan_tokens",
    "needed_tokens",
    "plan_review",
]

#: IR checks about the document as a whole: their policies are asked on the outline + IR.
DOCUMENT_SCOPED_CHECKS = frozenset({"governance_missing", "unresolved_references"})
_DOCUMENT_CATEGORIES = frozenset({Category.MISSING_GOVERNANCE, Category.MISSING_REFERENCE})
# Policies that compare statements with each other, so they need every part at once.
_CROSS_PART_CATEGORIES = frozenset({Category.INCONSISTENT_CONTENT})
# A statement gives a value: a digit (amounts, percentages, dates, times) or a frequency.
_VALUE = re.compile(
    r"\d|\b(?:daily|weekly|fortnightly|monthly|quarterly|semi-?annual(?:ly)?|annual(?:ly)?|"
    r"yearly|bi-?weekly|bi-?monthly)\b",
    re.IGNORECASE,
)
# The number a heading or list item carries ("## 4.2 Rebalancing", "3. ") is not a value.
_NUMBERING = re.compile(r"^\s*(?:#+\s*|[-*+]\s+|\|\s*)?(?:\d+(?:\.\d+)*[.)]?\s+)?")
# Sentences end at ". ", "; ", "! " or "? " before a capital, a bracket or a quote; not after
# an initial or abbreviation ("U.S. Treasury", "No. 5").
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z]\.)(?<!\b(?:No|no|vs|cf)\.)(?<=[.;!?])\s+(?=[A-Z(\"'\u201c])"
)
_STATEMENT_CHARS = 400
# A table row or list item: each stands alone.
_LISTED = re.compile(r"\s*(?:\||[-*+]\s|\d+[.)]\s)")


def estimate_tokens(text: str) -> int:
    """Estimated tokens of ``text``: ``ceil(len(text) / 4)``."""
    return math.ceil(len(text) / 4)


def is_document_scoped(policy: Policy) -> bool:
    """Return True if ``policy`` asks about the whole document, not passages of text.

    That is a required section, governance, or references to missing material.
    """
    for check in policy.checks:
        if check.kind is CheckKind.SECTION_REQUIRED:
            return True
        if check.kind is CheckKind.IR and check.param("check") in DOCUMENT_SCOPED_CHECKS:
            return True
    return policy.category in _DOCUMENT_CATEGORIES


@attrs.frozen(kw_only=True)
class PlanLimits:
    """Token budgets of a plan (estimated tokens; see :func:`estimate_tokens`)."""

    part_tokens: int = 24_000
    glossary_tokens: int = 2_000
    outline_tokens: int = 8_000
    statements_tokens: int = 24_000
    group_tokens: int = 2_000
    group_max_policies: int = 8
    max_output_tokens: int = 8_192


@attrs.frozen(kw_only=True)
class PlannedCall:
    """One model call: system prompt, cacheable document block, per-call task."""

    key: str
    kind: str  # "part", "document" (outline and IR) or "statements"
    part: str
    policy_ids: tuple[str, ...]
    system: str
    document: str
    task: str
    max_output_tokens: int
    section_offsets: dict[str, int] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def input_tokens(self) -> int:
        """Estimated input tokens of the call."""
        return estimate_tokens(self.system) + estimate_tokens(self.document + self.task)


@attrs.frozen
class ReviewPlan:
    """Every call of one review, and the prompt version they were rendered from."""

    calls: tuple[PlannedCall, ...]
    prompt_version: str
    parts: int

    @property
    def input_tokens(self) -> int:
        """Estimated input tokens of all calls."""
        return sum(c.input_tokens for c in self.calls)


@attrs.frozen
class _Segment:
    section_id: str
    heading: str
    start: int
    end: int


def _boundary(markdown: str) -> str:
    return "DATA-" + hashlib.sha256(markdown.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("\n", " ")


def _segments(request: ReviewRequest, max_chars: int) -> list[_Segment]:
    text = request.markdown
    sections = sorted(request.sections, key=lambda s: (s.start, -s.end))
    out: list[_Segment] = []
    if not sections:
        out.append(_Segment("doc", request.title or "", 0, len(text)))
    else:
        if text[: sections[0].start].strip():
            out.append(_Segment("preamble", "", 0, sections[0].start))
        for i, sec in enumerate(sections):
            end = sections[i + 1].start if i + 1 < len(sections) else len(text)
            if end > sec.start:
                out.append(_Segment(sec.id, sec.heading, sec.start, end))
    return [piece for seg in out for piece in _split(text, seg, max_chars)]


def _split(text: str, seg: _Segment, max_chars: int) -> Iterable[_Segment]:
    # A section longer than a part is cut at paragraph breaks (or whitespace, as a last resort).
    start = seg.start
    while seg.end - start > max_chars:
        limit = start + max_chars
        cut = text.rfind("\n\n", start + 1, limit)
        if cut <= start:
            cut = text.rfind(" ", start + 1, limit)
        if cut <= start:
            cut = limit
        yield _Segment(seg.section_id, seg.heading, start, cut)
        start = cut
    yield _Segment(seg.section_id, seg.heading, start, seg.end)


def _render_segment(text: str, seg: _Segment) -> str:
    return (
        f'<section id="{_attr(seg.section_id)}" heading="{_attr(seg.heading)}">\n'
        f"{text[seg.start : seg.end]}\n</section>"
    )


def _take(lines: Sequence[str], budget_chars: int, what: str) -> list[str]:
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        if used + len(line) + 1 > budget_chars:
            out.append(f"({len(lines) - i} more {what} omitted)")
            break
        out.append(line)
        used += len(line) + 1
    return out


def _glossary(ir: SemanticIR, budget_tokens: int) -> str:
    lines = [f"- {t.term}: {t.definition}" for t in ir.terms]
    if not lines:
        return ""
    body = "\n".join(_take(lines, budget_tokens * 4, "definitions"))
    return f'<glossary note="defined terms of the whole document">\n{body}\n</glossary>\n'


def _outline(request: ReviewRequest, budget_tokens: int) -> str:
    """Return the headings and the extracted facts of the whole document, within budget.

    Facts, most telling first (the budget may cut the list): references the document does
    not contain, defined terms, formulas (with their undefined variables), parameters, then
    the references it resolves. The IR's issues are not listed again: an
    unresolved reference or an undefined variable is already on its reference's or
    formula's line, and the rest (a term defined twice, used before its definition) is
    not what the whole-document policies ask about; on a long rulebook they filled the
    budget before a single defined term.
    """
    ir = request.ir
    outline = [
        f'- {s.id} level {s.level}: "{s.heading}"' + (f" (page {s.page})" if s.page else "")
        for s in sorted(request.sections, key=lambda s: s.start)
    ] or ["(the document has no headings)"]
    facts = (
        [f'- reference "{r.text}" -> NOT FOUND in document' for r in ir.references
         if not r.resolved]
        + [f'- defined term "{t.term}"' for t in ir.terms]
        + [
            f'- formula "{f.text}"'
            + (f" (undefined: {', '.join(f.undefined_variables)})" if f.undefined_variables else "")
            for f in ir.formulas
        ]
        + [
            f'- parameter "{p.name}" = {p.value}{" " + p.unit if p.unit else ""}'
            for p in ir.parameters
        ]
        + [f'- reference "{r.text}" -> resolved' for r in ir.references if r.resolved]
    )
    facts = list(dict.fromkeys(facts))  # a fact the text repeats is stated once
    half = budget_tokens * 4 // 2
    return (
        "<outline>\n" + "\n".join(_take(outline, half, "headings")) + "\n</outline>\n"
        '<facts source="extracted from the full text">\n'
        + "\n".join(_take(facts, half, "facts"))
        + "\n</facts>"
    )


def _text_units(text: str) -> Iterable[str]:
    """Yield the paragraphs of ``text`` (lines joined), and each row or item of a table or list.

    Headings and table-of-contents lines (dot leaders) are left out. A PDF wraps a sentence
    over lines; joined, it is one statement (grounding ignores the line breaks).
    """
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        lines = [ln for ln in lines if not ln.lstrip().startswith("#") and ".." * 4 not in ln]
        if any(_LISTED.match(ln) for ln in lines):
            yield from lines
        elif lines:
            yield " ".join(ln.strip() for ln in lines)


def _statements(text: str, segments: Sequence[_Segment], budget_tokens: int) -> str:
    """Render every sentence, item or row of ``segments`` that gives a value, within budget.

    Each is the document's text (a wrapped paragraph's line breaks as spaces, cut at
    ``_STATEMENT_CHARS``) inside the ``<section>`` it comes from, in document order; what
    does not fit the budget is counted in a closing note.
    """
    found: list[tuple[_Segment, list[str]]] = []
    for seg in segments:
        kept = [
            sentence.strip()[:_STATEMENT_CHARS]
            for unit in _text_units(text[seg.start : seg.end])
            for sentence in _SENTENCE_END.split(unit)
            if _VALUE.search(_NUMBERING.sub("", sentence, count=1))
        ]
        if kept:
            found.append((seg, kept))
    budget = budget_tokens * 4
    blocks: list[str] = []
    omitted = 0
    for seg, kept in found:
        opening = f'<section id="{_attr(seg.section_id)}" heading="{_attr(seg.heading)}">'
        lines: list[str] = []
        for statement in kept:
            cost = len(statement) + 1
            if budget - cost - len(opening) - 12 < 0:
                omitted += 1
                continue
            budget -= cost
            lines.append(statement)
        if lines:
            budget -= len(opening) + 12
            blocks.append(opening + "\n" + "\n".join(lines) + "\n</section>")
    if omitted:
        blocks.append(f"({omitted} more statements omitted)")
    return "\n".join(blocks)


def _render_policies(policies: Sequence[Policy]) -> str:
    return "\n".join(
        f"- {p.id} [{p.level.value}; category {p.category.value}; default severity "
        f"{p.severity.value}] {p.title}: {p.llm_instruction or p.description}"
        for p in policies
    )


def _groups(policies: Sequence[Policy], limits: PlanLimits) -> list[list[Policy]]:
    groups: list[list[Policy]] = []
    used = 0
    for policy in policies:
        cost = estimate_tokens(_render_policies([policy]))
        if (
            not groups
            or used + cost > limits.group_tokens
            or len(groups[-1]) >= limits.group_max_policies
        ):
            groups.append([])
            used = 0
        groups[-1].append(policy)
        used += cost
    return groups


def _task(template: PromptTemplate, group: Sequence[Policy], scope: str, document: bool) -> str:
    task = template.render(
        "task",
        scope=scope,
        policies=_render_policies(group),
        policy_ids=", ".join(p.id for p in group),
    )
    return task + ("\n\n" + template.render("document-task") if document else "")


def plan_review(
    request: ReviewRequest,
    *,
    limits: PlanLimits | None = None,
    template: PromptTemplate | None = None,
    context_window: int | None = None,
) -> ReviewPlan:
    """Plan the calls reviewing ``request`` (see the module doc for the rules)."""
    limits = limits or PlanLimits()
    template = template or PromptTemplate.load()
    if context_window is not None:
        return _plan_within(request, limits, template, context_window)
    return _plan(request, limits, template)


def needed_tokens(call: PlannedCall) -> int:
    """Tokens a call needs in the context window: its input (+15% margin) and its output."""
    return int(call.input_tokens * 1.15) + call.max_output_tokens


def _plan_within(
    request: ReviewRequest, limits: PlanLimits, template: PromptTemplate, window: int
) -> ReviewPlan:
    limits = attrs.evolve(
        limits,
        max_output_tokens=min(limits.max_output_tokens, max(256, window // 4)),
        part_tokens=min(limits.part_tokens, window),
        outline_tokens=min(limits.outline_tokens, window // 2),
        statements_tokens=min(limits.statements_tokens, window // 2),
        glossary_tokens=min(limits.glossary_tokens, window // 8),
    )
    while True:
        plan = _plan(request, limits, template)
        worst = max((needed_tokens(c) for c in plan.calls), default=0)
        if worst <= window:
            return plan
        if limits.part_tokens <= 128:
            raise ConfigurationError(
                f"a call needs about {worst} tokens but the context window is {window}; raise "
                "the server's context length (Ollama: OLLAMA_CONTEXT_LENGTH) and "
                "DOCSENSE_OPENAI_COMPATIBLE_CONTEXT_WINDOW"
            )
        limits = attrs.evolve(
            limits,
            part_tokens=limits.part_tokens // 2,
            outline_tokens=max(64, limits.outline_tokens // 2),
            statements_tokens=max(64, limits.statements_tokens // 2),
            glossary_tokens=max(32, limits.glossary_tokens // 2),
        )


def _plan(request: ReviewRequest, limits: PlanLimits, template: PromptTemplate) -> ReviewPlan:
    boundary = _boundary(request.markdown)
    system = template.render("system", boundary=boundary)
    offsets = {"doc": 0, "preamble": 0, **{s.id: s.start for s in request.sections}}
    doc_policies = [p for p in request.policies if is_document_scoped(p)]
    text_policies = [p for p in request.policies if not is_document_scoped(p)]
    calls: list[PlannedCall] = []

    def ask(
        prefix: str, kind: str, part: str, policies: Sequence[Policy], document: str, scope: str,
        first: int = 1,
    ) -> list[PlannedCall]:
        # One call per policy group on ``document``, numbered from ``first``; the outline's
        # task says what it holds.
        return [
            PlannedCall(
                key=f"{prefix}/group-{g}",
                kind=kind,
                part=part,
                policy_ids=tuple(p.id for p in group),
                system=system,
                document=document,
                task=_task(template, group, scope, kind == "document"),
                max_output_tokens=limits.max_output_tokens,
                section_offsets=offsets,
            )
            for g, group in enumerate(_groups(policies, limits), first)
        ]

    parts: list[list[str]] = [[]]
    used = 0
    segments = _segments(request, limits.part_tokens * 4)
    for seg in segments:
        block = _render_segment(request.markdown, seg)
        cost = estimate_tokens(block)
        if parts[-1] and used + cost > limits.part_tokens:
            parts.append([])
            used = 0
        parts[-1].append(block)
        used += cost
    # One part: the whole-document policies read the whole text too (see the module doc).
    whole = len(parts) == 1
    if text_policies or (whole and doc_policies):
        glossary = "" if whole else _glossary(request.ir, limits.glossary_tokens)
        for n, blocks in enumerate(parts, 1):
            label = f"{n}/{len(parts)}"
            document = template.render(
                "document",
                boundary=boundary,
                kind="sections",
                part=label,
                body=glossary + "\n".join(blocks),
            )
            scope = "whole document" if whole else f"part {label} of the document"
            text_calls = ask(f"part-{n}", "part", label, text_policies, document, scope)
            calls += text_calls
            if whole:  # groups of their own, after the text policies' (which stay as they are)
                calls += ask(f"part-{n}", "part", label, doc_policies, document, scope,
                             first=len(text_calls) + 1)
        cross = [p for p in text_policies if p.category in _CROSS_PART_CATEGORIES]
        statements = (
            _statements(request.markdown, segments, limits.statements_tokens)
            if cross and not whole
            else ""
        )
        if statements:
            document = template.render(
                "document", boundary=boundary, kind="statements", part="statements",
                body=statements,
            )
            scope = (
                "sentences, list items and table rows of every part of the document that give "
                "a value, a date or a frequency; the rest of the text is left out"
            )
            calls += ask("statements", "statements", "statements", cross, document, scope)
    if doc_policies and not whole:
        document = template.render(
            "document",
            boundary=boundary,
            kind="outline-and-facts",
            part="outline",
            body=_outline(request, limits.outline_tokens),
        )
        calls += ask("outline", "document", "outline", doc_policies, document,
                     "outline and facts of the whole document")
    n_parts = len({c.part for c in calls if c.kind == "part"})
    return ReviewPlan(tuple(calls), template.version, n_parts)


def naive_plan_tokens(request: ReviewRequest, *, template: PromptTemplate | None = None) -> int:
    """Estimated input tokens of the naive plan: the whole document once per policy."""
    template = template or PromptTemplate.load()
    boundary = _boundary(request.markdown)
    system = template.render("system", boundary=boundary)
    document = template.render(
        "document", boundary=boundary, kind="full-text", part="1/1", body=request.markdown
    )
    return sum(
        estimate_tokens(system)
        + estimate_tokens(document + _task(template, [p], "whole document", False))
        for p in request.policies
    )
