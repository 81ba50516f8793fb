"""Batch mode: every call of many reviews sent as one provider batch, at half the price.

Anthropic Message Batches, the OpenAI Batch API (with the Files API) and Gemini batch mode
all take many requests at once, answer within 24 hours (usually much sooner) and bill
them at 50% of the standard rate. :func:`submit_batch` plans each review exactly as a
direct review would, gives every call a ``custom_id`` (``d<review>-c<call>``) and submits
them all through the provider's :class:`BatchClient`; the returned *ticket* (plain JSON)
is what the job queue stores. :func:`collect_batch` polls the provider with the ticket
and, once the batch has ended, re-plans the same reviews (planning is deterministic) and
turns each answer into a call outcome, as a direct review would (refusals, blocks,
truncations). An answer that needs a repair, or a request the batch could not serve, is
sent again directly (standard price) so that no part is lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from docsense.adapters.ai.llm import CallOutcome, Completion
from docsense.adapters.ai.prompts import PlannedCall
from docsense.errors import ProviderError, ReviewerError
from docsense.ports import ReviewerResult, ReviewRequest

if TYPE_CHECKING:
    from docsense.adapters.ai.llm import LlmReviewer

__all__ = ["BatchClient", "BatchResults", "collect_batch", "custom_id", "submit_batch"]

#: What a batch answered, per custom id: the answer, or why that request failed.
BatchResults = Mapping[str, Completion | ProviderError]


@runtime_checkable
class BatchClient(Protocol):
    """A provider client that can send planned calls as one batch."""

    async def submit_batch(self, items: Sequence[tuple[str, PlannedCall]]) -> str:
        """Submit ``(custom id, call)`` items as one batch; return the provider's batch id."""
        ...

    async def batch_results(self, batch_id: str) -> BatchResults | None:
        """Return the results once the batch has ended, None while it is still running.

        Raise :class:`~docsense.errors.ProviderError` if the batch itself failed, expired or
        was cancelled.
        """
        ...


def custom_id(review: int, call: int) -> str:
    """Return the id of call ``call`` of review ``review`` (Anthropic allows ``[a-zA-Z0-9_-]``)."""
    return f"d{review}-c{call}"


def _client(reviewer: LlmReviewer) -> BatchClient:
    client = reviewer.client
    if not isinstance(client, BatchClient):
        raise ReviewerError(
            f"{reviewer.spec} has no batch mode (anthropic, openai and google have one)"
        )
    return client


async def submit_batch(reviewer: LlmReviewer, requests: Sequence[ReviewRequest]) -> dict[str, Any]:
    """Plan ``requests`` and submit every call as one provider batch; return the ticket."""
    client = _client(reviewer)
    items = [
        (custom_id(d, c), call)
        for d, request in enumerate(requests)
        for c, call in enumerate(reviewer.plan(request).calls)
    ]
    if not items:
        raise ReviewerError("nothing to submit: the reviews plan no model call")

    async def send() -> str:
        return await client.submit_batch(items)

    batch_id = await reviewer.resilience.call(send)
    return {
        "provider": reviewer.client.provider,
        "model": reviewer.client.model,
        "batch_id": batch_id,
        "calls": len(items),
        "reviews": len(requests),
    }


async def collect_batch(
    reviewer: LlmReviewer, ticket: Mapping[str, Any], requests: Sequence[ReviewRequest]
) -> list[ReviewerResult] | None:
    """Return one result per request once the batch has ended (None while it runs)."""
    client = _client(reviewer)
    batch_id = str(ticket["batch_id"])

    async def poll() -> BatchResults | None:
        return await client.batch_results(batch_id)

    answers = await reviewer.resilience.call(poll)
    if answers is None:
        return None
    results = []
    for d, request in enumerate(requests):
        plan = reviewer.plan(request)
        outcomes = [
            await _outcome(reviewer, call, answers.get(custom_id(d, c)))
            for c, call in enumerate(plan.calls)
        ]
        result = reviewer.result(plan, outcomes)
        results.append(attrs.evolve(
            result, warnings=(*result.warnings, f"{reviewer.spec}: reviewed in provider batch "
                              f"{batch_id} (batch prices)")
        ))
    return results


async def _outcome(
    reviewer: LlmReviewer, call: PlannedCall, answer: Completion | ProviderError | None
) -> CallOutcome:
    if isinstance(answer, Completion):
        # interpreted as in a direct review; an unusable answer gets its one repair, directly
        return await reviewer.run_call(call, answered=answer)
    # the batch could not serve this request (errored, expired, missing): ask directly
    return await reviewer.run_call(call)
