"""Reviewer specs, resolved to a Reviewer.

Grammar (``+`` binds tighter than ``|``)::

    spec   := chain
    chain  := combo ( "|" combo )*      fallback: the first combo that completes
    combo  := single ( "+" single )*    run all concurrently and merge their findings
    single := "rules" | provider [ ":" model ] [ "#" prompt-version ]

``rules`` is built in; ``anthropic``, ``openai``, ``google`` and ``openai-compatible`` (a
local or self-hosted OpenAI-compatible server: Ollama, vLLM, llama.cpp, LM Studio) are the
LLM adapters of :mod:`docsense.adapters.ai` (optional extras, imported only when named).
Other providers
register a factory for their prefix, in code with :func:`register_reviewer` or through the
entry point group ``docsense.reviewers`` (name = provider prefix, object =
``factory(spec: str) -> Reviewer``).

Examples: ``rules``, ``anthropic:claude-sonnet-5-5``, ``rules+openai:gpt-6-luna``,
``anthropic|rules`` (fall back to the offline reviewer when the provider fails, and let it
take the parts the model refused), ``rules+anthropic|rules``,
``openai-compatible:llama3.2``.

LLM reviewers hold connection pools: close them with :func:`close_reviewers` (or use a
:class:`ReviewerCache`, which the facade closes with the store).

>>> resolve_reviewer("rules").spec
'rules'
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any

import attrs

from docsense._plugins import load_entry_point
from docsense.domain.review import NotAssessed, NotAssessedReason
from docsense.errors import MissingApiKey, MissingDependency, PolicyPackError, ReviewerError
from docsense.ports import Reviewer, ReviewerResult, ReviewRequest

if TYPE_CHECKING:
    from docsense.config import Settings

__all__ = [
    "REVIEWER_ENTRY_POINT_GROUP",
    "CombinedReviewer",
    "FallbackReviewer",
    "ReviewerCache",
    "ReviewerFactory",
    "close_reviewers",
    "known_reviewer_prefixes",
    "provider_options",
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
        module = importlib.import_module(f"docsense.adapters.ai.{provider.replace('-', '_')}")
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
_openai_compatible = _llm_factory("openai-compatible")


_BUILTIN_LLM = frozenset({"anthropic", "openai", "google", "openai-compatible"})

_FACTORIES: dict[str, ReviewerFactory] = {
    "rules": _rules,
    "anthropic": _anthropic,
    "openai": _openai,
    "google": _google,
    "openai-compatible": _openai_compatible,
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

    async def aclose(self) -> None:
        """Close every member that holds connections."""
        await close_reviewers(self.members)

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        """Run every member on ``request`` and merge the results."""
        results = await asyncio.gather(*(m.review(request) for m in self.members))
        assessed = frozenset().union(*(r.assessed for r in results))
        reasons: dict[str, NotAssessed] = {}
        for r in results:
            for pid, why in r.not_assessed.items():
                if pid not in assessed:
                    reasons.setdefault(pid, why)
        return ReviewerResult(
            findings=tuple(
                f if f.source else attrs.evolve(f, source=r.source)
                for r in results
                for f in r.findings
            ),
            assessed=assessed,
            source=results[0].source,
            usage=sum((r.usage for r in results[1:]), results[0].usage),
            warnings=tuple(w for r in results for w in r.warnings),
            not_assessed=reasons,
        )


class FallbackReviewer:
    """Tries reviewers in order until one completes (spec ``A|B``).

    A member that raises :class:`~docsense.errors.ReviewerError` (a provider outage, an open
    circuit, a spent quota, a missing key or extra) is skipped with a warning in the result;
    if every member fails, the last error is raised. An invalid policy pack is not a reason
    to fall back and is raised at once.

    A member that completes but could not assess some policies (the model refused a part,
    the provider blocked it, the answers were unusable) hands those policies to the next
    member, which reviews them; the results are merged, and a policy still not assessed at
    the end keeps the first member's reason.
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

    async def aclose(self) -> None:
        """Close every member that holds connections."""
        await close_reviewers(m for m in self.members if not isinstance(m, ReviewerError))

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        """Return the first member's result that completes, noting the ones that failed."""
        notes: list[str] = []
        last: ReviewerError | None = None
        for n, member in enumerate(self.members):
            result = await _attempt(member, request)
            if isinstance(result, ReviewerError):
                last = result
                notes.append(f"reviewer {_spec_of(member)!r} failed ({result}); fell back")
                continue
            result = attrs.evolve(result, warnings=(*notes, *result.warnings))
            if last is not None:
                result = _unreached(request, result, last)
            rest = self.members[n + 1 :]
            if result.not_assessed and rest:
                result = await self._hand_over(request, result, rest)
            return result
        assert last is not None
        raise ReviewerError(f"every reviewer of {self.spec!r} failed: {'; '.join(notes)}") from last

    async def _hand_over(
        self,
        request: ReviewRequest,
        result: ReviewerResult,
        rest: Sequence[Reviewer | ReviewerError],
    ) -> ReviewerResult:
        # The next member reviews the policies the first could not assess.
        missing = set(result.not_assessed)
        sub = attrs.evolve(request, policies=tuple(p for p in request.policies if p.id in missing))
        chain: Reviewer | ReviewerError = rest[0] if len(rest) == 1 else FallbackReviewer(rest)
        handed = ", ".join(sorted(missing))
        other = await _attempt(chain, sub)
        if isinstance(other, ReviewerError):
            exc = other
            return attrs.evolve(
                result,
                warnings=(*result.warnings,
                          f"policies {handed} not assessed by {result.source} "
                          f"were handed to {_spec_of(chain)!r}, which failed ({exc})"),
            )
        still = {
            pid: why for pid, why in result.not_assessed.items() if pid not in other.assessed
        }
        return ReviewerResult(
            findings=(
                *(f if f.source else attrs.evolve(f, source=result.source)
                  for f in result.findings),
                *(f if f.source else attrs.evolve(f, source=other.source)
                  for f in other.findings),
            ),
            assessed=result.assessed | other.assessed,
            source=result.source,
            usage=result.usage + other.usage,
            warnings=(
                *result.warnings,
                f"policies {handed} were not assessed by the first reviewer and were handed to "
                f"{_spec_of(chain)!r}",
                *other.warnings,
            ),
            not_assessed=still,
        )


def _unreached(
    request: ReviewRequest, result: ReviewerResult, error: ReviewerError
) -> ReviewerResult:
    # Policies the fallback does not evaluate were not assessed because the provider
    # failed, not because no reviewer evaluates them: say so.
    why = NotAssessed(NotAssessedReason.PROVIDER_ERROR, " ".join(str(error).split())[:300])
    missing = {
        p.id: why
        for p in request.policies
        if p.id not in result.assessed and p.id not in result.not_assessed
    }
    if not missing:
        return result
    return attrs.evolve(result, not_assessed={**result.not_assessed, **missing})


async def _attempt(
    member: Reviewer | ReviewerError, request: ReviewRequest
) -> ReviewerResult | ReviewerError:
    # A member's failure is returned, not raised; an invalid pack is raised at once.
    if isinstance(member, ReviewerError):
        return member
    try:
        return await member.review(request)
    except PolicyPackError:
        raise
    except ReviewerError as exc:
        return exc


async def close_reviewers(reviewers: Iterable[object]) -> None:
    """Close every reviewer that has an ``aclose()`` (LLM reviewers hold connection pools)."""
    for reviewer in reviewers:
        close = getattr(reviewer, "aclose", None)
        if close is not None:
            await close()


class ReviewerCache:
    """Builds each reviewer spec once and closes every reviewer it built (``aclose``).

    An LLM reviewer owns an SDK client and its connection pool: reusing it across reviews
    keeps connections warm, and closing it when the store closes leaves no socket open
    (no "unclosed transport" warnings, no "Event loop is closed" at exit).
    """

    def __init__(self, factory: Callable[[str], Reviewer] | None = None) -> None:
        self._factory = factory or resolve_reviewer
        self._built: dict[str, Reviewer] = {}

    def __call__(self, spec: str) -> Reviewer:
        """Return the reviewer of ``spec`` (built on first use)."""
        key = spec.strip()
        reviewer = self._built.get(key)
        if reviewer is None:
            reviewer = self._built[key] = self._factory(key)
        return reviewer

    async def aclose(self) -> None:
        """Close every reviewer built so far; later calls build new ones."""
        built, self._built = list(self._built.values()), {}
        await close_reviewers(built)


class _Unavailable(ReviewerError):
    """A chain member that could not be built (missing key or extra); fails when reached."""

    def __init__(self, spec: str, error: Exception) -> None:
        super().__init__(str(error))
        self.spec = spec


def _spec_of(member: Reviewer | ReviewerError) -> str:
    return getattr(member, "spec", "?")


ProviderOptions = Mapping[str, Mapping[str, Any]]


def provider_options(settings: Settings) -> dict[str, dict[str, Any]]:
    """Return each built-in provider's reviewer arguments from ``settings``.

    ``resolve_reviewer(spec, provider_options=provider_options(Settings.load()))`` builds the
    reviewer ``docsense.open`` would: the keys, base URLs, timeout, concurrency and model
    registry of the ``DOCSENSE_*`` settings. Unset keys and base URLs stay None, so the SDKs'
    own environment variables (``ANTHROPIC_API_KEY``, ``OPENAI_BASE_URL``...) apply.
    """
    from docsense.adapters.ai.models import load_model_registry

    models = None
    if settings.llm_models or settings.llm_models_file is not None:
        models = load_model_registry(settings.llm_models_file, entries=settings.llm_models)
    common = {
        "timeout": settings.llm_timeout_s,
        "max_concurrency": settings.llm_max_concurrency,
        "models": models,
    }
    return {
        "openai-compatible": {
            **common,
            "api_key": settings.openai_compatible_api_key,
            "base_url": settings.openai_compatible_base_url,
            "context_window": settings.openai_compatible_context_window,
            "token_param": settings.openai_compatible_token_param,
            "response_format": settings.openai_compatible_response_format,
        },
        "anthropic": {
            **common,
            "api_key": settings.anthropic_api_key,
            "base_url": settings.anthropic_base_url,
        },
        "openai": {
            **common,
            "api_key": settings.openai_api_key,
            "base_url": settings.openai_base_url,
        },
        "google": {
            **common,
            "api_key": settings.google_api_key,
            "base_url": settings.google_base_url,
        },
    }


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
