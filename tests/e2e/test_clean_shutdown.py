"""Every SDK client is closed by ``close()`` / context exit: a subprocess that reviews with each
provider through ``docsense.open()`` and ``docsense.aopen()`` prints no unclosed-resource
warning and no "Event loop is closed" (``-W error::ResourceWarning`` makes them loud)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import ClassVar

import pytest

import docsense
from docsense.adapters.ai.rules import RulesReviewer
from docsense.ports import ReviewerResult, ReviewRequest
from docsense.review.reviewers import _FACTORIES
from docsense.testing.fake_llm import Dialect, FakeLLMServer

SCRIPT = textwrap.dedent(
    """
    import asyncio, gc, sys
    import docsense

    provider, url = sys.argv[1], sys.argv[2]
    settings = {f"{provider}_api_key": "sk-test", f"{provider}_base_url": url}
    text = b"# Method\\n\\n## 1. Rules\\nRebalance periodically at the threshold.\\n"

    with docsense.open("memory://", settings=settings) as ds:        # the sync facade
        doc = ds.ingest(text, filename="m.md")
        ds.review(doc.id, reviewer=provider)
        ds.review(doc.id, reviewer=provider)                          # the cached reviewer

    async def main():                                                 # the async facade
        async with docsense.aopen("memory://", settings=settings) as ds:
            doc = await ds.ingest(text, filename="m.md")
            await ds.review(doc.id, reviewer=provider)

    asyncio.run(main())
    gc.collect()
    print("done")
    """
)


def test_no_unclosed_resources_and_no_closed_loop_errors_at_exit() -> None:
    dialects: tuple[Dialect, ...] = ("anthropic", "openai", "google")
    servers = {p: FakeLLMServer(p).start() for p in dialects}
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSENSE_")}
        procs = {
            p: subprocess.Popen(
                [sys.executable, "-W", "error::ResourceWarning", "-c", SCRIPT, p, s.base_url],
                env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            for p, s in servers.items()
        }
        for provider, proc in procs.items():
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            assert out.strip() == "done"
            for leak in ("ResourceWarning", "unclosed", "Event loop is closed", "Traceback"):
                assert leak not in err, f"{provider}: {err}"
            assert len(servers[provider].requests) >= 6
    finally:
        for server in servers.values():
            server.stop()


class _PooledReviewer:
    """A plugin reviewer that holds a resource (as a local model process or a pool would)."""

    spec = "pooled"
    built: ClassVar[list[_PooledReviewer]] = []

    def __init__(self) -> None:
        self.closed = 0
        _PooledReviewer.built.append(self)

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        return await RulesReviewer().review(request)

    async def aclose(self) -> None:
        self.closed += 1


def test_every_reviewer_docsense_builds_is_closed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reviewer ``open()`` builds to check the settings is closed too, not dropped."""
    monkeypatch.setattr(_PooledReviewer, "built", [])
    # as register_reviewer("pooled", ...) would, undone when the test ends
    monkeypatch.setitem(_FACTORIES, "pooled", lambda spec: _PooledReviewer())
    text = b"# Method\n\n## 1. Rules\nRebalance periodically at the threshold.\n"

    with docsense.open(f"sqlite:///{tmp_path / 'a.db'}", reviewer="pooled") as ds:
        ds.review(ds.ingest(text, filename="m.md").id)

    async def main() -> None:
        async with docsense.aopen(f"sqlite:///{tmp_path / 'b.db'}", reviewer="pooled") as ds:
            await ds.review((await ds.ingest(text, filename="m.md")).id)

    asyncio.run(main())
    # each open: one built to check the settings, one built (and cached) for the review
    assert len(_PooledReviewer.built) == 4
    assert [r.closed for r in _PooledReviewer.built] == [1, 1, 1, 1]
