"""Local and self-hosted models (``openai-compatible:<model>``): Ollama, vLLM, llama.cpp, LM Studio.

These servers speak OpenAI's Chat Completions, so the official ``openai`` SDK talks to them
(``pip install 'docsense[openai]'``), with the differences they actually have:

- **No key on loopback.** A server on ``localhost`` / ``127.x`` / ``::1`` needs no key and
  none is sent; a remote one (a shared vLLM, a gateway) needs
  ``DOCSENSE_OPENAI_COMPATIBLE_API_KEY``.
- **``max_tokens``**, not ``max_completion_tokens``: Ollama maps ``max_tokens`` to
  ``num_predict`` and ignores the other (ollama ``openai/openai.go``).
- **A context window the plan respects.** Ollama silently drops the start of a prompt
  longer than its context window (4096 tokens by default on GPUs under 24 GiB; its
  OpenAI-compatible endpoint cannot change it per request). docsense therefore plans
  parts that fit ``context_window`` (``DOCSENSE_OPENAI_COMPATIBLE_CONTEXT_WINDOW``, default
  4096): set it to the server's real context length (``OLLAMA_CONTEXT_LENGTH``).
- **JSON schema where supported, JSON mode where not.** ``response_format="json_schema"``
  (the default) constrains the output on servers that support it (Ollama 0.5 and later,
  vLLM, llama.cpp's ``llama-server``); ``"json_object"`` asks for JSON mode and writes the
  schema into the prompt, for servers that ignore schemas. A server that refuses
  ``json_schema`` outright (llama-cpp-python's ``llama_cpp.server`` answers HTTP 500 "Input
  should be 'text' or 'json_object'") is asked again in JSON mode, and so is every later
  call, with a warning in each review. Either way the answer is validated, and an invalid
  one is asked again once.
- **Free.** A loopback model costs nothing (cost 0, not unknown); a remote one is priced
  from the model registry when it is there.

==================== =============================== =========================================
argument             default                         settings / environment
==================== =============================== =========================================
model                -- (required in the spec)       ``openai-compatible:llama3.2``
base_url             ``http://localhost:11434/v1``   ``DOCSENSE_OPENAI_COMPATIBLE_BASE_URL``
api_key              none on loopback                ``DOCSENSE_OPENAI_COMPATIBLE_API_KEY``
context_window       4096                            ``..._OPENAI_COMPATIBLE_CONTEXT_WINDOW``
token_param          ``max_tokens``                  ``..._OPENAI_COMPATIBLE_TOKEN_PARAM``
response_format      ``json_schema``                 ``..._OPENAI_COMPATIBLE_RESPONSE_FORMAT``
==================== =============================== =========================================
"""

from __future__ import annotations

import functools
from typing import Any

from docsense.adapters.ai.llm import (
    LlmReviewer,
    assemble_reviewer,
    is_loopback,
    parse_llm_spec,
    resolve_base_url,
)
from docsense.adapters.ai.models import ModelRegistry
from docsense.adapters.ai.openai import OpenAIClient, ResponseMode
from docsense.adapters.ai.prompts import DEFAULT_PROMPT_VERSION, PlanLimits
from docsense.adapters.ai.resilience import Resilience
from docsense.errors import ReviewerError

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_CONTEXT_WINDOW",
    "create_reviewer",
    "reviewer_from_spec",
]

PROVIDER = "openai-compatible"
DEFAULT_MODEL = ""  # no sensible default: the spec names the model the server has
DEFAULT_BASE_URL = "http://localhost:11434/v1"  # Ollama's OpenAI-compatible endpoint
DEFAULT_CONTEXT_WINDOW = 4096  # Ollama's default context length below 24 GiB of VRAM
API_KEY_ENV = ("DOCSENSE_OPENAI_COMPATIBLE_API_KEY", "OPENAI_COMPATIBLE_API_KEY")
BASE_URL_ENV = "DOCSENSE_OPENAI_COMPATIBLE_BASE_URL"


def create_reviewer(
    model: str | None = None,
    *,
    api_key: Any = None,
    base_url: str | None = None,
    timeout: float = 300.0,
    max_concurrency: int = 2,
    models: ModelRegistry | None = None,
    limits: PlanLimits | None = None,
    prompt_version: str = DEFAULT_PROMPT_VERSION,
    resilience: Resilience | None = None,
    context_window: int | None = None,
    token_param: str = "max_tokens",  # noqa: S107 (a field name)
    response_format: ResponseMode = "json_schema",
) -> LlmReviewer:
    """Build a reviewer on an OpenAI-compatible server (arguments in the module doc).

    Raise :class:`~docsense.errors.ReviewerError` when no model is named, and
    :class:`~docsense.errors.MissingApiKey` when a non-loopback server has no key.
    """
    if not model:
        raise ReviewerError(
            "name the model the server serves: 'openai-compatible:<model>' "
            "(for Ollama, a name from `ollama list`, e.g. openai-compatible:llama3.2)"
        )
    if response_format not in ("json_schema", "json_object"):
        raise ReviewerError(
            f"response_format must be 'json_schema' or 'json_object', not {response_format!r}"
        )
    url = resolve_base_url(base_url, BASE_URL_ENV) or DEFAULT_BASE_URL
    local = is_loopback(url)
    make_client = functools.partial(
        OpenAIClient,
        provider=PROVIDER,
        token_param=token_param,
        response_mode=response_format,
        cache_key=False,
        url_hint=BASE_URL_ENV,
        mode_hint="DOCSENSE_OPENAI_COMPATIBLE_RESPONSE_FORMAT=json_object",
    )
    return assemble_reviewer(
        PROVIDER,
        make_client,
        model=model,
        api_key=api_key,
        key_env=API_KEY_ENV,
        base_url=url,
        url_env=BASE_URL_ENV,
        timeout=timeout,
        max_concurrency=max_concurrency,
        models=models,
        limits=limits,
        prompt_version=prompt_version,
        resilience=resilience,
        key_required=not local,
        context_window=context_window or DEFAULT_CONTEXT_WINDOW,
        free=local,
    )


def reviewer_from_spec(spec: str) -> LlmReviewer:
    """Build the reviewer of ``openai-compatible:<model>[#<prompt version>]`` (spec factory)."""
    model, version = parse_llm_spec(spec, PROVIDER, DEFAULT_MODEL)
    return create_reviewer(model, prompt_version=version)
