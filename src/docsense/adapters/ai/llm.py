"""What every LLM reviewer shares: plan, call through the resilience layer, validate, cost.

A provider adapter only implements :class:`ProviderClient` (send one planned call with the
provider's SDK, translate its errors into :class:`~docsense.errors.ProviderError`, report
token usage). :class:`LlmReviewer` does the rest:

- plans the calls (:func:`~docsense.adapters.ai.prompts.plan_review`) and runs them
  concurrently, each through :class:`~docsense.adapters.ai.resilience.Resilience`;
- validates each answer against the output schema; an invalid or truncated answer is asked
  again once with the validation error, then recorded as a **failed part**: the review
  completes with a warning and that part's policies count as not assessed (no finding is
  ever invented);
- a provider failure that survives the retries (or an open circuit) fails the reviewer with
  :class:`~docsense.errors.ProviderError`, so an ``A|B`` chain can fall back;
- adds up tokens per call and estimates cost from the price table.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Sequence
from typing import Protocol

import attrs
from pydantic import ValidationError

from docsense.adapters.ai.pricing import PriceTable
from docsense.adapters.ai.prompts import (
    DEFAULT_PROMPT_VERSION,
    PlanLimits,
    PlannedCall,
    PromptTemplate,
    ReviewOutput,
    plan_review,
)
from docsense.adapters.ai.resilience import Resilience
from docsense.domain.review import Usage
from docsense.errors import MissingApiKey, ReviewerError
from docsense.ports import RawFinding, ReviewerResult, ReviewRequest

__all__ = [
    "ApiKey",
    "Completion",
    "LlmReviewer",
    "ProviderClient",
    "parse_llm_spec",
    "resolve_api_key",
    "resolve_base_url",
]


class ApiKey:
    """An API key that never shows itself in a repr, str, log line or exception.

    >>> key = ApiKey("sk-secret")
    >>> key, str(key), key.reveal()
    (ApiKey('**********'), '**********', 'sk-secret')
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the key itself, for the SDK client only."""
        return self._value

    def scrub(self, text: str) -> str:
        """Return ``text`` with the key replaced by asterisks."""
        return text.replace(self._value, "**********") if self._value else text

    def __repr__(self) -> str:
        return "ApiKey('**********')"

    def __str__(self) -> str:
        return "**********"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an API key cannot be pickled")


class _SecretLike(Protocol):
    def get_secret_value(self) -> str: ...


def resolve_api_key(
    provider: str, explicit: str | _SecretLike | ApiKey | None, env_vars: Sequence[str]
) -> ApiKey:
    """Return the explicit key, else the first set variable of ``env_vars``.

    Raise :class:`~docsense.errors.MissingApiKey` naming the variables when there is none.
    ``explicit`` may be a str, a pydantic ``SecretStr`` or an :class:`ApiKey`.
    """
    if isinstance(explicit, ApiKey):
        value = explicit.reveal()
    elif explicit is not None and not isinstance(explicit, str):
        value = explicit.get_secret_value()
    else:
        value = explicit or ""
    for name in env_vars:
        if value:
            break
        value = os.environ.get(name, "")
    if not value.strip():
        raise MissingApiKey(provider, tuple(env_vars))
    return ApiKey(value.strip())


def resolve_base_url(explicit: str | None, env_var: str) -> str | None:
    """Return the explicit base URL, else ``env_var``'s value, else None (SDK default)."""
    return explicit or os.environ.get(env_var) or None


@attrs.frozen(kw_only=True)
class Completion:
    """A provider's answer to one call: text, whether it hit the token limit, token usage.

    ``tokens_in`` counts every input token, including ``tokens_cached`` (read from the
    provider's prompt cache) and ``tokens_cache_write`` (written to it).
    """

    text: str
    truncated: bool = False
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_cached: int = 0
    tokens_cache_write: int = 0


class ProviderClient(Protocol):
    """One provider's SDK behind the shared reviewer (implemented by each adapter)."""

    @property
    def provider(self) -> str:
        """The spec prefix: ``"anthropic"``, ``"openai"`` or ``"google"``."""
        ...

    @property
    def model(self) -> str:
        """The model name sent to the provider."""
        ...

    async def complete(self, call: PlannedCall, task: str) -> Completion:
        """Send ``call`` with ``task`` as its per-call text; raise ProviderError on failure."""
        ...


@attrs.frozen
class _CallOutcome:
    findings: tuple[RawFinding, ...] = ()
    usage: Usage = attrs.field(factory=Usage)
    error: str | None = None


class LlmReviewer:
    """A :class:`~docsense.ports.Reviewer` over any :class:`ProviderClient`."""

    def __init__(
        self,
        client: ProviderClient,
        *,
        resilience: Resilience,
        prices: PriceTable | None = None,
        limits: PlanLimits | None = None,
        prompt_version: str = DEFAULT_PROMPT_VERSION,
    ) -> None:
        self._client = client
        self._resilience = resilience
        self._prices = prices or PriceTable.default()
        self._limits = limits or PlanLimits()
        self._template = PromptTemplate.load(prompt_version)

    @property
    def spec(self) -> str:
        """``"<provider>:<model>#<prompt version>"``: enough to reproduce the review."""
        return f"{self._client.provider}:{self._client.model}#{self._template.version}"

    @property
    def prompt_version(self) -> str:
        """The prompt template version (e.g. ``"review-v1"``)."""
        return self._template.version

    @property
    def resilience(self) -> Resilience:
        """The resilience layer this reviewer's calls go through."""
        return self._resilience

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        """Review ``request`` with one call per (part, policy group); see the module doc."""
        plan = plan_review(request, limits=self._limits, template=self._template)
        outcomes = await asyncio.gather(
            *(self._run_call(call) for call in plan.calls), return_exceptions=True
        )
        findings: list[RawFinding] = []
        usage = Usage()
        warnings: list[str] = []
        not_assessed: set[str] = set()
        for call, outcome in zip(plan.calls, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                raise outcome  # a provider failure fails the reviewer (an A|B chain falls back)
            usage = usage + outcome.usage
            if outcome.error is not None:
                not_assessed.update(call.policy_ids)
                warnings.append(
                    f"{self.spec}: part {call.part} ({', '.join(call.policy_ids)}) failed and "
                    f"was not assessed: {outcome.error}"
                )
                continue
            findings.extend(outcome.findings)
        if self._prices.price(self._client.model) is None and usage.calls:
            warnings.append(
                f"no price for model {self._client.model!r} in the price table (as of "
                f"{self._prices.as_of}): cost not estimated; pass prices= to set one"
            )
        assessed = {pid for call in plan.calls for pid in call.policy_ids} - not_assessed
        return ReviewerResult(
            findings=tuple(findings),
            assessed=frozenset(assessed),
            source=f"llm:{self._client.model}",
            usage=usage,
            warnings=tuple(warnings),
        )

    async def _run_call(self, call: PlannedCall) -> _CallOutcome:
        task = call.task
        usage = Usage()
        error = ""
        for attempt in (1, 2):
            completion = await self._resilience.call(
                functools.partial(self._client.complete, call, task)
            )
            usage = usage + self._usage(completion)
            if completion.truncated:
                error = "the answer was cut off at the output token limit"
                repair = self._template.render("truncated", max_findings=20)
            else:
                try:
                    output = ReviewOutput.model_validate_json(_strip_fences(completion.text))
                except ValidationError as exc:
                    error = _summarise(exc)
                    repair = self._template.render("repair", error=error)
                else:
                    return _CallOutcome(self._raw(call, output), usage)
            if attempt == 1:
                task = f"{call.task}\n\n{repair}"
        return _CallOutcome((), usage, error)

    def _usage(self, c: Completion) -> Usage:
        cost = self._prices.cost(
            self._client.model,
            tokens_in=c.tokens_in,
            tokens_out=c.tokens_out,
            tokens_cached=c.tokens_cached,
            tokens_cache_write=c.tokens_cache_write,
        )
        return Usage(
            tokens_in=c.tokens_in,
            tokens_out=c.tokens_out,
            tokens_cached=c.tokens_cached,
            calls=1,
            cost_estimate=cost,
        )

    @staticmethod
    def _raw(call: PlannedCall, output: ReviewOutput) -> tuple[RawFinding, ...]:
        asked = set(call.policy_ids)
        return tuple(
            RawFinding(
                policy_id=f.policy_id,
                title=f.title,
                quote=f.quote,
                description=f.description,
                category=f.category,
                severity=f.severity,
                suggested_fix=f.suggested_fix,
                replacement=f.replacement or None,
                confidence=f.confidence,
                hint=call.section_offsets.get(f.section_id),
            )
            for f in output.findings
            if f.policy_id in asked  # a call answers only for the policies it asked about
        )


def _strip_fences(text: str) -> str:
    body = text.strip()
    if body.startswith("```"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = body.rsplit("```", 1)[0]
    return body


def _summarise(exc: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(p) for p in err['loc']) or 'answer'}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)[:5]
    ]
    more = exc.error_count() - len(problems)
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")


class ClientFactory(Protocol):
    """Builds a provider client: ``(model, key, base_url=, timeout=)``."""

    def __call__(
        self, model: str, api_key: ApiKey, *, base_url: str | None, timeout: float
    ) -> ProviderClient: ...


def assemble_reviewer(
    provider: str,
    make_client: ClientFactory,
    *,
    model: str,
    api_key: object,
    key_env: Sequence[str],
    base_url: str | None,
    url_env: str,
    timeout: float,
    max_concurrency: int,
    prices: PriceTable | None,
    limits: PlanLimits | None,
    prompt_version: str,
    resilience: Resilience | None,
) -> LlmReviewer:
    """Build a provider's reviewer: the common body of every ``create_reviewer``.

    Resolves the key and base URL, and picks the endpoint's shared resilience layer.
    """
    from docsense.adapters.ai.resilience import provider_resilience

    key = resolve_api_key(provider, api_key, key_env)  # type: ignore[arg-type]
    url = resolve_base_url(base_url, url_env)
    if resilience is None:
        resilience = provider_resilience(
            provider, url, timeout=timeout, max_concurrency=max_concurrency
        )
    client = make_client(model, key, base_url=url, timeout=timeout)
    return LlmReviewer(
        client, resilience=resilience, prices=prices, limits=limits, prompt_version=prompt_version
    )


def parse_llm_spec(spec: str, provider: str, default_model: str) -> tuple[str, str]:
    """Split ``"<provider>[:<model>][#<prompt version>]"`` into (model, prompt version).

    >>> parse_llm_spec("anthropic:claude-haiku-4-5#review-v1", "anthropic", "x")
    ('claude-haiku-4-5', 'review-v1')
    >>> parse_llm_spec("openai", "openai", "gpt-4.1-mini")
    ('gpt-4.1-mini', 'review-v1')
    """
    body, _, version = spec.strip().partition("#")
    prefix, _, model = body.partition(":")
    if prefix != provider:
        raise ReviewerError(f"spec {spec!r} is not for the {provider} reviewer")
    return model.strip() or default_model, version.strip() or DEFAULT_PROMPT_VERSION
