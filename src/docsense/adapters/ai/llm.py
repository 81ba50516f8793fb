"""What every LLM reviewer shares: plan, call through the resilience layer, validate, cost.

A provider adapter only implements :class:`ProviderClient` (send one planned call with the
provider's SDK, translate its errors into :class:`~docsense.errors.ProviderError`, report
how the answer ended and the tokens billed). :class:`LlmReviewer` does the rest:

- plans the calls (:func:`~docsense.adapters.ai.prompts.plan_review`) within the model's
  context window and output limit (from the model registry, or ``context_window=`` for
  local models) and runs them concurrently, each through
  :class:`~docsense.adapters.ai.resilience.Resilience`. With a provider cache that charges
  for writes (Anthropic), the first call on each cached prefix is sent alone and the others
  on that prefix follow once it returns, so each prefix is written to the cache once;
- a **refusal** (the model declined) or a **block** (the provider's safety system withheld
  the answer) is its own outcome: no repair call is made, the call's policies are recorded
  as not assessed with the provider's reason, and in an ``A|B`` chain the next reviewer
  takes them;
- validates each answer against the output schema; an invalid or truncated answer is asked
  again once with the validation error, then recorded as a **failed part** (not assessed,
  with a warning: no finding is ever invented);
- a provider failure that survives the retries (or an open circuit) fails the reviewer with
  :class:`~docsense.errors.ProviderError`, so an ``A|B`` chain can fall back;
- adds up tokens per call as billed (cache reads and writes, thinking) and prices them from
  the model registry; a model the registry does not know has an unknown cost and one
  warning, never a borrowed price. A model retired or retiring soon adds a warning.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

import attrs
from pydantic import ValidationError

from docsense import telemetry
from docsense.adapters.ai.models import ModelInfo, ModelRegistry
from docsense.adapters.ai.pricing import BATCH_DISCOUNT
from docsense.adapters.ai.prompts import (
    DEFAULT_PROMPT_VERSION,
    PlanLimits,
    PlannedCall,
    PromptTemplate,
    ReviewOutput,
    ReviewPlan,
    plan_review,
)
from docsense.adapters.ai.resilience import Resilience
from docsense.domain.review import NotAssessed, NotAssessedReason, Usage
from docsense.errors import MissingApiKey, ReviewerError
from docsense.ports import RawFinding, ReviewerResult, ReviewRequest

__all__ = [
    "ApiKey",
    "Completion",
    "LlmReviewer",
    "ProviderClient",
    "StopKind",
    "is_loopback",
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

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "ApiKey('**********')"

    def __str__(self) -> str:
        return "**********"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an API key cannot be pickled")


class _SecretLike(Protocol):
    def get_secret_value(self) -> str: ...


def resolve_api_key(
    provider: str,
    explicit: str | _SecretLike | ApiKey | None,
    env_vars: Sequence[str],
    *,
    required: bool = True,
) -> ApiKey:
    """Return the explicit key, else the first set variable of ``env_vars``.

    Raise :class:`~docsense.errors.MissingApiKey` naming the variables when there is none
    and ``required`` (an empty :class:`ApiKey` otherwise). ``explicit`` may be a str, a
    pydantic ``SecretStr`` or an :class:`ApiKey`.
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
    if not value.strip() and required:
        raise MissingApiKey(provider, tuple(env_vars))
    return ApiKey(value.strip())


def resolve_base_url(explicit: str | None, env_var: str | Sequence[str]) -> str | None:
    """Return the explicit base URL, else the first set variable's value, else None."""
    names = [env_var] if isinstance(env_var, str) else list(env_var)
    return explicit or next((os.environ[n] for n in names if os.environ.get(n)), None)


def is_loopback(url: str | None) -> bool:
    """Return True when ``url`` points at this machine (``localhost``, ``127.x``, ``::1``)."""
    host = (urlsplit(url).hostname or "") if url else ""
    return host in {"localhost", "::1"} or host.endswith(".localhost") or host.startswith("127.")


class StopKind(StrEnum):
    """How a model's answer ended."""

    DONE = "done"
    TRUNCATED = "truncated"
    """Cut off at the output token limit (or the context window)."""
    REFUSED = "refused"
    """The model declined to answer."""
    BLOCKED = "blocked"
    """The provider's safety system withheld the answer (or the prompt)."""


@attrs.frozen(kw_only=True)
class Completion:
    """A provider's answer to one call: text, how it ended, and the tokens billed.

    ``tokens_in`` counts every input token, including ``tokens_cached`` (read from the
    provider's prompt cache) and ``tokens_cache_write`` (written to it); ``tokens_out``
    counts every output token billed, including ``tokens_thinking``. ``stop_detail`` is the
    provider's reason for a refusal or block (its category, explanation or block reason).
    """

    text: str
    stop: StopKind = StopKind.DONE
    stop_detail: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_cached: int = 0
    tokens_cache_write: int = 0
    tokens_thinking: int = 0

    @property
    def truncated(self) -> bool:
        """True when the answer was cut off at the output token limit."""
        return self.stop is StopKind.TRUNCATED


@runtime_checkable
class ProviderClient(Protocol):
    """One provider's SDK behind the shared reviewer (implemented by each adapter)."""

    @property
    def provider(self) -> str:
        """The spec prefix: ``"anthropic"``, ``"openai"``, ``"google"``..."""
        ...

    @property
    def model(self) -> str:
        """The model name sent to the provider."""
        ...

    @property
    def warm_up_cache(self) -> bool:
        """True when the first call on a cached prefix should go alone (cache writes cost)."""
        ...

    @property
    def notes(self) -> tuple[str, ...]:
        """What the client changed to serve this provider (said in each review's warnings)."""
        ...

    async def complete(self, call: PlannedCall, task: str) -> Completion:
        """Send ``call`` with ``task`` as its per-call text; raise ProviderError on failure."""
        ...

    async def aclose(self) -> None:
        """Close the SDK client and its connections. Idempotent."""
        ...


@attrs.frozen
class CallOutcome:
    """What one planned call came to: findings, usage, or why it was not assessed."""

    findings: tuple[RawFinding, ...] = ()
    usage: Usage = attrs.field(factory=Usage)
    not_assessed: NotAssessed | None = None


Today = Callable[[], date]


class LlmReviewer:
    """A :class:`~docsense.ports.Reviewer` over any :class:`ProviderClient`.

    ``models`` is the model registry (limits, prices, retirement dates); ``context_window``
    overrides the model's (a local model's server setting); ``free`` says the model costs
    nothing (a local server), so its cost is 0 rather than unknown.
    """

    def __init__(
        self,
        client: ProviderClient,
        *,
        resilience: Resilience,
        models: ModelRegistry | None = None,
        limits: PlanLimits | None = None,
        prompt_version: str = DEFAULT_PROMPT_VERSION,
        context_window: int | None = None,
        free: bool = False,
        today: Today = date.today,
    ) -> None:
        self._client = client
        self._resilience = resilience
        self._models = models or ModelRegistry.default()
        self._info: ModelInfo | None = self._models.lookup(client.model)
        self._limits = limits or PlanLimits()
        self._template = PromptTemplate.load(prompt_version)
        window = context_window or (self._info.context_window if self._info else None)
        self._context_window = window
        self._free = free
        self._today = today

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

    @property
    def client(self) -> ProviderClient:
        """The provider client (the SDK behind this reviewer)."""
        return self._client

    @property
    def model_info(self) -> ModelInfo | None:
        """The registry entry of the model, or None when the registry does not know it."""
        return self._info

    @property
    def context_window(self) -> int | None:
        """The context window the plan fits every call into (None: the plan's defaults)."""
        return self._context_window

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"

    async def aclose(self) -> None:
        """Close the provider client (its connection pool). Idempotent."""
        await self._client.aclose()

    async def __aenter__(self) -> LlmReviewer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- planning -----------------------------------------------------------------------------

    def plan(self, request: ReviewRequest) -> ReviewPlan:
        """Plan the calls of ``request`` so that each fits the model's context window.

        Raise :class:`~docsense.errors.ConfigurationError` when even the smallest parts do
        not fit (a context window too small for the prompt itself; see
        :func:`~docsense.adapters.ai.prompts.plan_review`).
        """
        limits = self._limits
        if self._info is not None:
            limits = attrs.evolve(
                limits, max_output_tokens=min(limits.max_output_tokens, self._info.max_output)
            )
        return plan_review(
            request, limits=limits, template=self._template, context_window=self._context_window
        )

    # --- batch mode ---------------------------------------------------------------------------

    async def submit_batch(self, requests: Sequence[ReviewRequest]) -> dict[str, Any]:
        """Submit every call of ``requests`` as one provider batch; return the JSON ticket.

        See :mod:`docsense.adapters.ai.batch`.
        """
        from docsense.adapters.ai.batch import submit_batch

        return await submit_batch(self, requests)

    async def collect_batch(
        self, ticket: Mapping[str, Any], requests: Sequence[ReviewRequest]
    ) -> list[ReviewerResult] | None:
        """Return one result per request once the batch has ended, None while it runs."""
        from docsense.adapters.ai.batch import collect_batch

        return await collect_batch(self, ticket, requests)

    # --- reviewing ----------------------------------------------------------------------------

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        """Review ``request`` with one call per (part, policy group); see the module doc."""
        plan = self.plan(request)
        if self._client.warm_up_cache:
            outcomes = await self._warmed(plan.calls, self.run_call)
        else:
            outcomes = await _gather(plan.calls, self.run_call)
        return self.result(plan, outcomes)

    def result(self, plan: ReviewPlan, outcomes: Sequence[CallOutcome]) -> ReviewerResult:
        """Assemble the :class:`~docsense.ports.ReviewerResult` of a plan's call outcomes."""
        findings: list[RawFinding] = []
        usage = Usage()
        warnings = list(self._model_warnings(plan))
        not_assessed: dict[str, NotAssessed] = {}
        for call, outcome in zip(plan.calls, outcomes, strict=True):
            usage = usage + outcome.usage
            why = outcome.not_assessed
            if why is not None:
                for pid in call.policy_ids:
                    not_assessed.setdefault(pid, why)
                what = {
                    NotAssessedReason.REFUSED: "was refused by the model",
                    NotAssessedReason.BLOCKED: "was blocked by the provider",
                }.get(why.reason, "failed")
                warnings.append(
                    f"{self.spec}: part {call.part} ({', '.join(call.policy_ids)}) {what} and "
                    f"was not assessed" + (f": {why.detail}" if why.detail else "")
                )
                continue
            findings.extend(outcome.findings)
        asked = {pid for call in plan.calls for pid in call.policy_ids}
        if self._free:
            usage = attrs.evolve(usage, cost_estimate=0.0)
        return ReviewerResult(
            findings=tuple(findings),
            assessed=frozenset(asked - set(not_assessed)),
            source=f"llm:{self._client.model}",
            usage=usage,
            warnings=tuple(warnings),
            not_assessed=not_assessed,
        )

    def _model_warnings(self, plan: ReviewPlan) -> list[str]:
        if not plan.calls:
            return []
        out = [f"{self.spec}: {note}" for note in self._client.notes]
        if self._info is None and not self._free:
            out.append(
                f"model {self._client.model!r} is not in the model registry (checked "
                f"{self._models.as_of.isoformat()}): its cost is unknown; add it with the "
                "llm_models setting (DOCSENSE_LLM_MODELS) to price it"
            )
        elif self._info is not None:
            lifecycle = self._info.lifecycle_warning(self._today())
            if lifecycle:
                out.append(lifecycle)
        return out

    async def _warmed(
        self,
        calls: Sequence[PlannedCall],
        run: Callable[[PlannedCall], Awaitable[CallOutcome]],
    ) -> list[CallOutcome]:
        # One cache write per cached prefix: the review's first call goes alone, then each
        # other prefix's first call, each followed by the rest of its prefix once it returns.
        groups: dict[str, list[int]] = {}
        for i, call in enumerate(calls):
            groups.setdefault(call.document, []).append(i)
        results: list[CallOutcome | None] = [None] * len(calls)

        async def one(i: int) -> None:
            results[i] = await run(calls[i])

        async def group(indexes: list[int], first_done: bool) -> None:
            if not first_done:
                await one(indexes[0])
            await _all(one(i) for i in indexes[1:])

        ordered = list(groups.values())
        if ordered:
            await one(ordered[0][0])
            await _all(group(ix, n == 0) for n, ix in enumerate(ordered))
        return [r for r in results if r is not None]

    async def run_call(
        self, call: PlannedCall, *, answered: Completion | None = None
    ) -> CallOutcome:
        """Send one planned call (and its one repair, if needed) and interpret the answer.

        ``answered`` is a first answer already received (from a provider batch, at batch
        prices): only its repair, if it needs one, is sent.
        """
        task = call.task
        usage = Usage()
        for attempt in (1, 2):
            if attempt == 1 and answered is not None:
                completion, batch = answered, True
                c = completion
                telemetry.record_llm_usage(
                    self._client.provider, self._client.model, tokens_in=c.tokens_in,
                    tokens_out=c.tokens_out, tokens_cached=c.tokens_cached,
                    tokens_cache_write=c.tokens_cache_write, tokens_thinking=c.tokens_thinking,
                    cost=self._usage(c, batch=True).cost_estimate,
                )
            else:
                completion = await self._resilience.call(
                    functools.partial(self._traced_complete, call, task)
                )
                batch = False
            outcome = self.interpret(call, completion, usage, batch=batch)
            why = outcome.not_assessed
            if why is None or attempt == 2 or why.reason is not NotAssessedReason.FAILED:
                return outcome  # refused or blocked: asking again would pay for the same answer
            usage = outcome.usage
            repair = (
                self._template.render("truncated", max_findings=20)
                if completion.truncated
                else self._template.render("repair", error=why.detail)
            )
            task = f"{call.task}\n\n{repair}"
        raise AssertionError("unreachable")  # pragma: no cover

    async def _traced_complete(self, call: PlannedCall, task: str) -> Completion:
        """Send one call to the provider in a GenAI client span (see :mod:`docsense.telemetry`)."""
        client = self._client
        with telemetry.llm_call(
            client.provider, client.model, max_tokens=call.max_output_tokens,
            timeout_s=self._resilience.timeout,
        ) as traced:
            c = await client.complete(call, task)
            traced.answered(
                tokens_in=c.tokens_in, tokens_out=c.tokens_out, finish_reason=c.stop.value,
                tokens_cached=c.tokens_cached, tokens_cache_write=c.tokens_cache_write,
                tokens_thinking=c.tokens_thinking, cost=self._usage(c).cost_estimate,
            )
        return c

    def interpret(
        self,
        call: PlannedCall,
        completion: Completion,
        usage: Usage | None = None,
        *,
        batch: bool = False,
    ) -> CallOutcome:
        """Turn one answer into findings, or into the reason its policies were not assessed.

        ``usage`` is what earlier attempts of the same call cost; the answer's own usage is
        added to it (at batch prices when ``batch``).
        """
        usage = (usage or Usage()) + self._usage(completion, batch=batch)
        if completion.stop is StopKind.REFUSED:
            return CallOutcome((), usage, NotAssessed(NotAssessedReason.REFUSED,
                                                      completion.stop_detail or "refused"))
        if completion.stop is StopKind.BLOCKED:
            return CallOutcome((), usage, NotAssessed(NotAssessedReason.BLOCKED,
                                                      completion.stop_detail or "blocked"))
        if completion.truncated:
            return CallOutcome((), usage, NotAssessed(
                NotAssessedReason.FAILED, "the answer was cut off at the output token limit"))
        try:
            output = ReviewOutput.model_validate_json(_strip_fences(completion.text))
        except ValidationError as exc:
            return CallOutcome((), usage, NotAssessed(NotAssessedReason.FAILED, _summarise(exc)))
        return CallOutcome(self._raw(call, output), usage)

    def _usage(self, c: Completion, *, batch: bool = False) -> Usage:
        price = self._info.price_on(self._today()) if self._info is not None else None
        cost = (
            price.cost(
                tokens_in=c.tokens_in,
                tokens_out=c.tokens_out,
                tokens_cached=c.tokens_cached,
                tokens_cache_write=c.tokens_cache_write,
            )
            * (BATCH_DISCOUNT if batch else 1.0)
            if price is not None
            else None
        )
        return Usage(
            tokens_in=c.tokens_in,
            tokens_out=c.tokens_out,
            tokens_cached=c.tokens_cached,
            tokens_cache_write=c.tokens_cache_write,
            tokens_thinking=c.tokens_thinking,
            calls=1,
            refusals=1 if c.stop in (StopKind.REFUSED, StopKind.BLOCKED) else 0,
            cost_estimate=0.0 if self._free else cost,
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
                subject=f.subject.strip() or None,
            )
            for f in output.findings
            if f.policy_id in asked  # a call answers only for the policies it asked about
        )


async def _all(coros: object) -> None:
    await asyncio.gather(*coros)  # type: ignore[misc]


async def _gather(
    calls: Sequence[PlannedCall], run: Callable[[PlannedCall], Awaitable[CallOutcome]]
) -> list[CallOutcome]:
    outcomes = await asyncio.gather(*(run(c) for c in calls), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome  # a provider failure fails the reviewer (an A|B chain falls back)
    return [o for o in outcomes if isinstance(o, CallOutcome)]


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
    url_env: str | Sequence[str],
    timeout: float,
    max_concurrency: int,
    models: ModelRegistry | None,
    limits: PlanLimits | None,
    prompt_version: str,
    resilience: Resilience | None,
    key_required: bool = True,
    context_window: int | None = None,
    free: bool = False,
) -> LlmReviewer:
    """Build a provider's reviewer: the common body of every ``create_reviewer``.

    Resolves the key and base URL, and picks the endpoint's shared resilience layer.
    """
    from docsense.adapters.ai.resilience import provider_resilience

    url = resolve_base_url(base_url, url_env)
    key = resolve_api_key(provider, api_key, key_env, required=key_required)  # type: ignore[arg-type]
    if resilience is None:
        resilience = provider_resilience(
            provider, url, timeout=timeout, max_concurrency=max_concurrency
        )
    client = make_client(model, key, base_url=url, timeout=timeout)
    return LlmReviewer(
        client,
        resilience=resilience,
        models=models,
        limits=limits,
        prompt_version=prompt_version,
        context_window=context_window,
        free=free,
    )


def parse_llm_spec(spec: str, provider: str, default_model: str) -> tuple[str, str]:
    """Split ``"<provider>[:<model>][#<prompt version>]"`` into (model, prompt version).

    >>> parse_llm_spec("anthropic:claude-haiku-4-5#review-v1", "anthropic", "x")
    ('claude-haiku-4-5', 'review-v1')
    >>> parse_llm_spec("openai", "openai", "gpt-6.1-terra")
    ('gpt-6.1-terra', 'review-v3')
    """
    body, _, version = spec.strip().partition("#")
    prefix, _, model = body.partition(":")
    if prefix != provider:
        raise ReviewerError(f"spec {spec!r} is not for the {provider} reviewer")
    return model.strip() or default_model, version.strip() or DEFAULT_PROMPT_VERSION
