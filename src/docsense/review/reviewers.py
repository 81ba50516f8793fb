"""Reviewer specs, resolved to a Reviewer.

Grammar (``+`` binds tighter than ``|``)::

    spec   := chain
    chain  := combo ( "|" combo )*      fallback: the first combo that completes
    combo  := single ( "+" single )*    run all concurrently and merge their findings
    single := "rules" | provider [ ":" model ] [ "#" prompt-version ]

``rules`` is built in; ``anthropic``, ``openai`` and ``google`` are the LLM adapters of
:mod:`docsense.adapters.ai` (optional extras, imported only when named). Other providers
register a factory for their prefix, in code with :func:`register_reviewer` or through the
entry point group ``docsense.reviewers`` (name = provider prefix, object =
``factory(spec: str) -> Reviewer``).

Examples: ``rules``, ``anthropic:claude-sonnet-4-5``, ``rules+openai:gpt-4.1-mini``,
``anthropic|rules`` (fall back to the offline reviewer when the provider fails),
``rules+anthropic|rules``.

>>> resolve_reviewer("rules").spec
'rules'
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from typing import Any

import attrs

from docsense._plugins import load_entry_point
from docsense.errors import MissingApiKey, MissingDependency, PolicyPackError, ReviewerError
from docsense.ports import Reviewer, ReviewerResult, ReviewRequest

__all__ = [
    "REVIEWER_ENTRY_POINT_GROUP",
    "CombinedReviewer",
    "FallbackReviewer",
    "ReviewerFactory",
    "known_reviewer_prefixes",
    "register_reviewer",
    "resolve_reviewer",
]

REVIEWER_ENTRY_POINT_GROUP = "docsense.reviewers"

ReviewerFactory = Callable[[str], Reviewer]


def _rules(spec: str) -> Reviewer:
    from docsense.adapters.ai.rules import RulesReviewer

    if spec != "rules":
        raise ReviewerError(f"the rules reviewer takes no model: use 'rules', not {spec!r}")
    return RulesReviewer()


def _llm_factory(provider: str) -> Callable[..., Reviewer]:
    def factory(spec: str, **options: Any) -> Reviewer:
        module = importlib.import_module(f"docsense.adapters.ai.{provider}")
        if not options:
            reviewer: Reviewer = module.reviewer_from_spec(spec)
            return reviewer
        from docsense.adapters.ai.llm import parse_llm_spec

        model, version = parse_llm_spec(spec, module.PROVIDER, module.DEFAULT_MODEL)
        built: Reviewer = module.create_reviewer(model, prompt_version=version, **options)
        return built

    return factory


_anthropic = _llm_factory("anthropic")
_openai = _llm_factory("openai")
_google = _llm_factory("google")


_BUILTIN_LLM = frozenset({"anthropic", "openai", "google"})

_FACTORIES: dict[str, ReviewerFactory] = {
    "rules": _rules,
    "anthropic": _anthropic,
    "openai": _openai,
    "google": _google,
}


def register_reviewer(prefix: str, factory: ReviewerFactory) -> None:
    """Make specs ``"<prefix>"`` and ``"<prefix>:<model>"`` resolve through ``factory``."""
    if not prefix or any(c in prefix for c in ":+|#"):
        raise ReviewerError(f"a reviewer prefix is a word without ':+|#', got {prefix!r}")
    _FACTORIES[prefix] = factory


def known_reviewer_prefixes() -> tuple[str, ...]:
    """Every provider prefix a spec may start with, sorted."""
    names = set(_FACTORIES)
    names.update(ep.name for ep in metadata.entry_points(group=REVIEWER_ENTRY_POINT_GROUP))
    return tuple(sorted(names))


class CombinedReviewer:
    """Runs several reviewers concurrently and merges their results (spec ``A+B``).

    Findings, assessed policies, usage and warnings are unions and sums; each finding keeps
    the source of the member that reported it (``RawFinding.source``), so the pipeline
    grounds and attributes it as if that member had run alone. If any member fails, the
    combination fails (use ``A+B|C`` to fall back).
    """

    def __init__(self, members: Sequence[Reviewer]) -> None:
        if len(members) < 2:
            raise ReviewerError("a combined reviewer needs at least two members")
        self.members: tuple[Reviewer, ...] = tuple(members)

    @property
    def spec(self) -> str:
        """The members' specs joined by ``+``."""
        return "+".join(m.spec for m in self.members)

    def __repr__(self) -> str:
        return f"CombinedReviewer({self.spec!r})"

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        """Run every member on ``request`` and merge the results."""
        results = await asyncio.gather(*(m.review(request) for m in self.members))
        return ReviewerResult(
            findings=tuple(
                f if f.source else attrs.evolve(f, source=r.source)
                for r in results
                for f in r.findings
            ),
            assessed=frozenset().union(*(r.assessed for r in results)),
            source=results[0].source,
            usage=sum((r.usage for r in results[1:]), results[0].usage),
            warnings=tuple(w for r in results for w in r.warnings),
        )


class FallbackReviewer:
    """Tries reviewers in order until one completes (spec ``A|B``).

    A member that raises :class:`~docsense.errors.ReviewerError` (a provider outage, an open
    circuit, a missing key or extra) is skipped with a warning in the result; if every
    member fails, the last error is raised. An invalid policy pack is not a reason to fall
    back and is raised at once.
    """

    def __init__(self, members: Sequence[Reviewer | ReviewerError]) -> None:
        if len(members) < 2:
            raise ReviewerError("a fallback chain needs at least two members")
        self.members = tuple(members)

    @property
    def spec(self) -> str:
        """The members' specs joined by ``|``."""
        return "|".join(_spec_of(m) for m in self.members)

    def __repr__(self) -> str:
        return f"FallbackReviewer({self.spec!r})"

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        """Return the first member's result that completes, noting the ones that failed."""
        notes: list[str] = []
        last: ReviewerError | None = None
        for member in self.members:
            try:
                if isinstance(member, ReviewerError):
                    raise member
                result = await member.review(request)
            except PolicyPackError:
                raise
            except ReviewerError as exc:
                last = exc
                notes.append(f"reviewer {_spec_of(member)!r} failed ({exc}); fell back")
                continue
            return ReviewerResult(
                findings=result.findings,
                assessed=result.assessed,
                source=result.source,
                usage=result.usage,
                warnings=(*notes, *result.warnings),
            )
        assert last is not None
        raise ReviewerError(f"every reviewer of {self.spec!r} failed: {'; '.join(notes)}") from last


class _Unavailable(ReviewerError):
    """A chain member that could not be built (missing key or extra); fails when reached."""

    def __init__(self, spec: str, error: Exception) -> None:
        super().__init__(str(error))
        self.spec = spec


def _spec_of(member: Reviewer | ReviewerError) -> str:
    return getattr(member, "spec", "?")


ProviderOptions = Mapping[str, Mapping[str, Any]]


def _resolve_single(spec: str, options: ProviderOptions | None = None) -> Reviewer:
    text = spec.strip()
    prefix = text.split(":", 1)[0].split("#", 1)[0]
    factory = _FACTORIES.get(prefix)
    if factory is None:
        factory = load_entry_point(REVIEWER_ENTRY_POINT_GROUP, prefix, ReviewerError, "reviewer")
    if factory is None or not text:
        known = ", ".join(known_reviewer_prefixes())
        raise ReviewerError(
            f"unknown reviewer spec {spec!r}: use 'rules' or '<provider>:<model>' with a "
            f"provider from: {known} (combine with '+', fall back with '|')"
        )
    provider_options = (options or {}).get(prefix)
    if provider_options and prefix in _BUILTIN_LLM:
        return _FACTORIES[prefix](text, **provider_options)
    return factory(text)


def _resolve_combo(spec: str, options: ProviderOptions | None = None) -> Reviewer:
    parts = [p.strip() for p in spec.split("+")]
    if any(not p for p in parts):
        raise ReviewerError(f"empty member in reviewer spec {spec!r}")
    members = [_resolve_single(p, options) for p in parts]
    return members[0] if len(members) == 1 else CombinedReviewer(members)


def resolve_reviewer(spec: str, *, provider_options: ProviderOptions | None = None) -> Reviewer:
    """Return the reviewer for ``spec``; raise ReviewerError naming the known specs if none.

    ``provider_options`` gives keyword arguments for a built-in provider's
    ``create_reviewer`` (``api_key``, ``base_url``, ``timeout``, ``max_concurrency``...),
    keyed by provider (``"anthropic"``, ``"openai"``, ``"google"``); the facade fills it
    from :class:`~docsense.config.Settings`.

    In a fallback chain, a member that cannot be built for lack of an API key or an extra is
    kept as a member that fails when reached, so ``anthropic|rules`` works without a key; a
    malformed spec is an error at once.
    """
    chain = [c.strip() for c in spec.split("|")]
    if len(chain) == 1:
        return _resolve_combo(chain[0], provider_options)
    if any(not c for c in chain):
        raise ReviewerError(f"empty member in reviewer spec {spec!r}")
    members: list[Reviewer | ReviewerError] = []
    for item in chain:
        try:
            members.append(_resolve_combo(item, provider_options))
        except (MissingApiKey, MissingDependency) as exc:
            members.append(_Unavailable(item, exc))
    return FallbackReviewer(members)
