"""A second reading of a call's findings, by the model that raised them.

A prompt template with a ``verify`` section (``review-v4``) makes
:class:`~docsense.adapters.ai.llm.LlmReviewer` follow every call that raised findings with
one more call on the same document block (which a provider's prompt cache serves): the
call's task, the candidates as JSON, and the instruction to keep only those a careful
compliance reviewer would send to the author, each with a confidence set after that check,
and to add none. Generating and then checking is the usual way to trade a model's recall
for precision: a first reading raises what might be wrong, a second one with the candidates
side by side drops what the document answers elsewhere, what is about prose rather than
rules, and what repeats another candidate.

What the check answers is held to the candidates (:func:`kept`): a finding whose policy and
quote are not those of a candidate is dropped, so the check can remove findings and set
their confidence but never add or rewrite one. A check that fails (refused, blocked, an
unusable answer) leaves the call's findings as they were, with a warning: the policies were
assessed by the first call.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import attrs

from docsense.adapters.ai.prompts import PlannedCall, PromptTemplate
from docsense.ports import RawFinding

__all__ = ["kept", "verify_call"]


def verify_call(
    call: PlannedCall, findings: Sequence[RawFinding], template: PromptTemplate
) -> PlannedCall:
    """Return the call that checks ``findings``, raised by ``call``: same system and document.

    The candidates are written as the response schema's findings (``section_id`` from the
    call's section offsets), so a kept one can be copied back unchanged.
    """
    sections = {offset: sid for sid, offset in reversed(call.section_offsets.items())}
    candidates = [
        {
            "policy_id": f.policy_id,
            "section_id": sections.get(f.hint, "") if f.hint is not None else "",
            "quote": f.quote,
            "title": f.title,
            "description": f.description,
            "category": f.category or "",
            "severity": f.severity or "",
            "suggested_fix": f.suggested_fix,
            "replacement": f.replacement or "",
            "confidence": f.confidence if f.confidence is not None else 0.5,
            "subject": f.subject or "",
        }
        for f in findings
    ]
    task = template.render(
        "verify",
        task=call.task,
        candidates=json.dumps(candidates, ensure_ascii=False, indent=1),
    )
    return attrs.evolve(call, key=f"{call.key}/verify", task=task)


def _same(text: str) -> str:
    return " ".join(text.split())


def kept(candidates: Sequence[RawFinding], checked: Sequence[RawFinding]) -> tuple[RawFinding, ...]:
    """Return the candidates the check kept, in their order, each with the check's confidence.

    A checked finding is a candidate when its policy and its quote (whitespace aside) are a
    candidate's; anything else the check answered is not a candidate and is dropped.
    """
    confidence: dict[tuple[str, str], float | None] = {}
    for f in checked:
        confidence.setdefault((f.policy_id, _same(f.quote)), f.confidence)
    out = []
    for f in candidates:
        key = (f.policy_id, _same(f.quote))
        if key in confidence:
            out.append(attrs.evolve(f, confidence=confidence.pop(key)))
    return tuple(out)
