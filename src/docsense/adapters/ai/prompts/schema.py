"""The structured output every LLM reviewer asks for, as JSON Schema and as pydantic models.

The JSON Schema is strict-mode compatible for every provider (every property required,
``additionalProperties: false``, no optional fields: "" stands for none), and the pydantic
models validate what comes back: output that does not validate is retried once with the
validation error, then recorded as a failed part.

>>> ReviewOutput.model_validate_json('{"findings": [], "assessed_policy_ids": ["SC-001"]}')
ReviewOutput(findings=[], assessed_policy_ids=['SC-001'])
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from docsense.domain.findings import Category, Severity

__all__ = ["OUTPUT_SCHEMA", "OUTPUT_SCHEMA_NAME", "LlmFinding", "ReviewOutput"]

OUTPUT_SCHEMA_NAME = "docsense_review_findings"

SeverityName = Literal["critical", "high", "medium", "low", "info"]


class LlmFinding(BaseModel):
    """One finding as the model reports it (grounded later by the finding pipeline)."""

    model_config = ConfigDict(extra="forbid")

    policy_id: str
    section_id: str
    quote: str = Field(max_length=2000)
    title: str = Field(min_length=1, max_length=300)
    description: str
    category: str
    severity: SeverityName
    suggested_fix: str
    replacement: str
    confidence: float = Field(ge=0.0, le=1.0)
    #: What the finding is about ("rebalancing frequency", "the Index Committee's
    #: discretion"); findings at several places about one thing share it and become one
    #: grouped finding. Optional when validating, so answers to review-v1 stay valid.
    subject: str = Field(default="", max_length=200)


class ReviewOutput(BaseModel):
    """A model's whole answer to one call."""

    model_config = ConfigDict(extra="forbid")

    findings: list[LlmFinding]
    assessed_policy_ids: list[str]


def _string(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


#: The response schema sent to the providers (strict JSON Schema subset).
OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["findings", "assessed_policy_ids"],
    "properties": {
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": list(LlmFinding.model_fields),
                "properties": {
                    "policy_id": _string("id of the policy violated"),
                    "section_id": _string("id of the section quoted, or empty"),
                    "quote": _string("exact document text, or empty if absent"),
                    "title": _string("short title"),
                    "description": _string("what is wrong and why"),
                    "category": _string("defect kind", enum=[c.value for c in Category]),
                    "severity": _string("how serious", enum=[s.value for s in Severity]),
                    "suggested_fix": _string("what the author should add or change"),
                    "replacement": _string("text to replace the quote, or empty"),
                    "confidence": {"type": "number", "description": "0 to 1"},
                    "subject": _string(
                        "what the finding is about, the same words for every place of one "
                        "problem (a short noun phrase), or empty"
                    ),
                },
            },
        },
        "assessed_policy_ids": {"type": "array", "items": {"type": "string"}},
    },
}
