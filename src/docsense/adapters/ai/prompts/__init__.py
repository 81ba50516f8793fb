"""Prompts for the LLM reviewers: versioned templates, the output schema and the call plan.

>>> from docsense.policies import load_pack
>>> from docsense.domain.ir import SemanticIR
>>> from docsense.ports import ReviewRequest
>>> request = ReviewRequest(document_id="d", markdown="Rebalance periodically.", sections=(),
...                         ir=SemanticIR(), policies=load_pack("self-containment").policies)
>>> plan = plan_review(request)
>>> plan.prompt_version, len(plan.calls), plan.input_tokens < naive_plan_tokens(request)
('review-v3', 2, True)
"""

from docsense.adapters.ai.prompts.plan import (
    DOCUMENT_SCOPED_CHECKS,
    PlanLimits,
    PlannedCall,
    ReviewPlan,
    estimate_tokens,
    is_document_scoped,
    naive_plan_tokens,
    needed_tokens,
    plan_review,
)
from docsense.adapters.ai.prompts.schema import (
    OUTPUT_SCHEMA,
    OUTPUT_SCHEMA_NAME,
    LlmFinding,
    ReviewOutput,
)
from docsense.adapters.ai.prompts.templates import (
    DEFAULT_PROMPT_VERSION,
    PromptTemplate,
    available_prompt_versions,
)

__all__ = [
    "DEFAULT_PROMPT_VERSION",
    "DOCUMENT_SCOPED_CHECKS",
    "OUTPUT_SCHEMA",
    "OUTPUT_SCHEMA_NAME",
    "LlmFinding",
    "PlanLimits",
    "PlannedCall",
    "PromptTemplate",
    "ReviewOutput",
    "ReviewPlan",
    "available_prompt_versions",
    "estimate_tokens",
    "is_document_scoped",
    "naive_plan_tokens",
    "needed_tokens",
    "plan_review",
]
