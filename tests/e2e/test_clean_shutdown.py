"""Every SDK client is closed by ``close()`` / context exit: a subprocess that reviews with each
provider through ``docsense.open()`` and ``docsense.aopen()`` prints no unclosed-resource
warning and no "Event loop is closed" (``-W error::ResourceWarning`` makes them loud)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

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
