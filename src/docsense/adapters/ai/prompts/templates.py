"""Versioned prompt templates, shipped as package data (``review-v1.md``, ...).

A template file is split into sections by ``=== name ===`` lines; each section is a
:class:`string.Template` (``$name`` placeholders, so braces in document text are harmless).
The version is the file name without ``.md``; it is recorded in every LLM reviewer's spec
(``anthropic:claude-sonnet-5-5#review-v3``) so a stored review names the prompt it used.
``review-v2`` asks for a ``subject`` per finding, so that findings about one thing at several
places group as the rules reviewer's do. ``review-v3`` (the default) adds what not to report
(prose around the rules, settings a user chooses, links and figures read as missing
sections, one governance finding per rule) and what a ``confidence`` means (the probability
that a careful reviewer agrees), which halved the findings a stand-in model raised on the
labelled development set and made its confidence track its precision (see
``benchmarks/RESULTS.md``). Earlier versions stay selectable (``#review-v2``).

>>> t = PromptTemplate.load()
>>> t.version, "untrusted" in t.render("system", boundary="x").lower()
('review-v3', True)
"""

from __future__ import annotations

import re
import string
from importlib import resources

import attrs

from docsense.errors import ConfigurationError

__all__ = ["DEFAULT_PROMPT_VERSION", "PromptTemplate", "available_prompt_versions"]

#: The prompt template LLM reviewers use unless a spec names another (``...#review-v1``).
DEFAULT_PROMPT_VERSION = "review-v3"

_SECTION = re.compile(r"^=== ([a-z-]+) ===$", re.MULTILINE)
_REQUIRED = ("system", "document", "task", "document-task", "repair", "truncated")


def available_prompt_versions() -> tuple[str, ...]:
    """Every template version shipped with docsense, sorted."""
    files = resources.files(__package__ or "docsense.adapters.ai.prompts").iterdir()
    return tuple(sorted(f.name[:-3] for f in files if f.name.endswith(".md")))


@attrs.frozen
class PromptTemplate:
    """The sections of one template version."""

    version: str
    sections: dict[str, str]

    @classmethod
    def load(cls, version: str = DEFAULT_PROMPT_VERSION) -> PromptTemplate:
        """Load a shipped template; raise ConfigurationError naming the versions if unknown."""
        if version not in available_prompt_versions():
            known = ", ".join(available_prompt_versions())
            raise ConfigurationError(f"unknown prompt version {version!r}: use one of {known}")
        text = (
            resources.files(__package__ or "docsense.adapters.ai.prompts")
            .joinpath(f"{version}.md")
            .read_text(encoding="utf-8")
        )
        parts = _SECTION.split(text)
        sections = {parts[i]: parts[i + 1].strip("\n") for i in range(1, len(parts) - 1, 2)}
        missing = [name for name in _REQUIRED if name not in sections]
        if missing:
            raise ConfigurationError(f"prompt {version!r} lacks sections: {', '.join(missing)}")
        return cls(version, sections)

    def render(self, section: str, **values: object) -> str:
        """Fill ``section``'s placeholders; every placeholder must be given."""
        return string.Template(self.sections[section]).substitute(
            {k: str(v) for k, v in values.items()}
        )
