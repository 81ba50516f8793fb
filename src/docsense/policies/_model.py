"""The policy pack file format ``docsense.pack/1``, validated by pydantic.

A pack file (YAML or JSON) looks like this::

    format: docsense.pack/1          # optional; the only version so far
    id: self-containment             # lowercase words joined by '-'
    name: Self-containment
    version: "1.0.0"
    jurisdiction: ""                 # free text, e.g. "US-SEC"
    description: ...
    policies:
      - id: SC-001                   # unique within the pack
        title: Parameters have values
        level: MUST                  # MUST | SHOULD | MAY (any case)
        category: undefined_parameter
        severity: high               # default severity of its findings (default medium)
        description: ...
        checks:                      # deterministic checks; see CHECK_KINDS
          - kind: ir
            check: vague_thresholds
          - kind: section_required
            heading: "governance|oversight"
            message: "No governance section"
        llm_instruction: ...         # what an LLM reviewer is told to look for
        llm_only: false              # must be true exactly when there are no checks

Check kinds: ``section_required`` / ``section_forbidden`` (param ``heading``, a regex over
section headings), ``pattern_required`` / ``pattern_forbidden`` (param ``pattern``, a regex over
the Markdown), and ``ir`` (param ``check``, the name of a registered check function). Regexes
are case-insensitive unless ``flags`` says otherwise (letters of ``imsx``, or ``""``). Any other
scalar parameter (``message``, ``fix`` ...) is passed to the check as a string.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from docsense.domain.findings import Category, Severity
from docsense.domain.policies import RequirementLevel

__all__ = ["CHECK_KINDS", "PACK_FORMAT", "CheckSpec", "PackSpec", "PolicySpec"]

PACK_FORMAT = "docsense.pack/1"

#: The check kinds a pack may use. ``section_forbidden`` runs as the IR check of that name.
CHECK_KINDS = (
    "section_required",
    "section_forbidden",
    "pattern_required",
    "pattern_forbidden",
    "ir",
)

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_POLICY_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class CheckSpec(BaseModel):
    """One deterministic check as written in a pack: its kind and scalar parameters."""

    model_config = ConfigDict(extra="allow", frozen=True)

    kind: str

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in CHECK_KINDS:
            raise ValueError(f"unknown check kind {value!r}; use one of {', '.join(CHECK_KINDS)}")
        return value

    @model_validator(mode="after")
    def _scalar_params(self) -> CheckSpec:
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, str | int | float | bool):
                raise ValueError(f"check parameter {key!r} must be a string or number")
        return self

    def params(self) -> dict[str, str]:
        """Return the check's parameters (everything but ``kind``) as strings."""
        out: dict[str, str] = {}
        for key, value in (self.model_extra or {}).items():
            out[key] = str(value).lower() if isinstance(value, bool) else str(value)
        return out


class PolicySpec(BaseModel):
    """One policy as written in a pack."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_POLICY_ID)
    title: str = Field(min_length=1)
    level: RequirementLevel
    category: Category
    severity: Severity = Severity.MEDIUM
    description: str = ""
    checks: tuple[CheckSpec, ...] = ()
    llm_instruction: str = ""
    llm_only: bool = False

    @field_validator("level", mode="before")
    @classmethod
    def _level_any_case(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("severity", "category", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _executed_or_llm_only(self) -> PolicySpec:
        if self.llm_only and self.checks:
            raise ValueError("llm_only policies cannot have deterministic checks")
        if not self.llm_only and not self.checks:
            raise ValueError(
                "a policy needs at least one check; set llm_only: true if only an LLM can "
                "assess it"
            )
        if self.llm_only and not self.llm_instruction.strip():
            raise ValueError("an llm_only policy needs an llm_instruction")
        return self


class PackSpec(BaseModel):
    """A whole pack file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["docsense.pack/1"] = "docsense.pack/1"
    id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    jurisdiction: str = ""
    description: str = ""
    policies: tuple[PolicySpec, ...] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # YAML reads `version: 1.0` as a float; a label is text.
        return str(value) if isinstance(value, int | float) else value

    @model_validator(mode="after")
    def _unique_policy_ids(self) -> PackSpec:
        seen: set[str] = set()
        for policy in self.policies:
            if policy.id in seen:
                raise ValueError(f"policy id {policy.id!r} is used twice")
            seen.add(policy.id)
        return self


def compile_flags(flags: str) -> re.RegexFlag:
    """Turn a ``flags`` parameter (letters of ``imsx``) into ``re`` flags."""
    table = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
    out = re.RegexFlag(0)
    for letter in flags:
        if letter not in table:
            raise ValueError(f"unknown regex flag {letter!r}; use letters of 'imsx'")
        out |= table[letter]
    return out
