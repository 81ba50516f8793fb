"""Review a document with a local model: Ollama (or vLLM, llama.cpp, LM Studio), no API key.

    ollama serve &                       # and `ollama pull llama3.2` once
    python examples/local_model.py                       # reviews examples/strategy.md
    python examples/local_model.py my-methodology.docx --model qwen3

The server is ``DOCSENSE_OPENAI_COMPATIBLE_BASE_URL`` (default Ollama's
``http://localhost:11434/v1``); its context length is
``DOCSENSE_OPENAI_COMPATIBLE_CONTEXT_WINDOW`` (default 4096, Ollama's default: set it to
what ``OLLAMA_CONTEXT_LENGTH`` gives the server, so that docsense plans parts that fit
instead of letting the server cut them silently). The model is ``--model``, else
``DOCSENSE_LOCAL_MODEL``, else the first model the server lists.

When no server answers, the example says so and exits 0 (skipped): nothing else is needed
to run it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import docsense

EXAMPLE = Path(__file__).resolve().with_name("strategy.md")
DEFAULT_URL = "http://localhost:11434/v1"


def _models(base_url: str) -> list[str] | None:
    """The models the server lists (GET /models), or None when it does not answer."""
    try:
        with urllib.request.urlopen(f"{base_url.rstrip('/')}/models", timeout=3) as answer:
            data = json.loads(answer.read())
    except (OSError, urllib.error.URLError, ValueError):
        return None
    return [str(m["id"]) for m in data.get("data", []) if m.get("id")]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("--model", default=os.environ.get("DOCSENSE_LOCAL_MODEL"))
    args = parser.parse_args(argv)
    base_url = os.environ.get("DOCSENSE_OPENAI_COMPATIBLE_BASE_URL", DEFAULT_URL)
    models = _models(base_url)
    if models is None:
        print(f"skipped: no OpenAI-compatible server answers at {base_url} "
              "(start one with `ollama serve`, or set DOCSENSE_OPENAI_COMPATIBLE_BASE_URL)")
        return 0
    model = args.model or (models[0] if models else None)
    if not model:
        print(f"skipped: the server at {base_url} lists no model (try `ollama pull llama3.2`)")
        return 0

    with tempfile.TemporaryDirectory(prefix="docsense-") as tmp:
        store_url = f"sqlite:///{Path(tmp) / 'docsense.db'}"
        settings = {"openai_compatible_base_url": base_url}
        with docsense.open(store_url, settings=settings) as ds:
            doc = ds.ingest(args.document)
            review = ds.review(doc.id, reviewer=f"openai-compatible:{model}")
            print(f"{doc.title}: reviewed by {review.reviewer} at {base_url}")
            for finding in review.findings:
                quote = " ".join(finding.quote.split())
                print(f"[{finding.severity.upper():8}] {finding.policy_id}  {finding.title}"
                      + (f'  "{quote}"' if quote else ""))
            missing = review.not_assessed
            score = "none (nothing assessed)" if review.score is None else f"{review.score:.2f}"
            print(f"{len(review.findings)} findings, score {score}, "
                  f"{len(missing)} of {len(review.policies)} policies not assessed")
            usage = review.usage
            print(f"{usage.calls} calls, {usage.tokens_in} tokens in, {usage.tokens_out} out, "
                  f"cost ${usage.cost_estimate or 0:.4f} (a local model is free)")
            for warning in review.warnings:
                print(f"warning: {warning}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
