"""Load on the HTTP service: concurrent clients uploading and reviewing through the server.

Starts ``docsense serve`` and ``--workers`` ``docsense worker`` processes on a fresh schema of
a PostgreSQL database, issues one API token per client, and runs ``--clients`` concurrent
clients; each uploads ``--documents`` distinct documents one after the other, starts a review
of each (a job), polls the job until it is done and fetches the review. Every request goes to
the loopback address only; the run is bounded by ``--timeout`` seconds.

Reports throughput (reviews completed per second, requests per second), request latency
percentiles per kind of request, the end-to-end time of a document (upload to review
fetched), and every error (a non-2xx answer or a failed job). The machine's load average is
printed at start and end: other work on the cores moves the figures.

    .venv/bin/python benchmarks/server_load.py --clients 50 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
STRATEGY = ROOT / "examples" / "strategy.md"
DEFAULT_URL = os.environ.get(
    "DOCSENSE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class Recorder:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.end_to_end: list[float] = []
        self.requests = 0

    async def call(
        self, client: httpx.AsyncClient, kind: str, method: str, url: str, **kwargs: Any
    ) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None
        finally:
            self.requests += 1
        self.latency[kind].append(time.perf_counter() - start)
        if response.status_code >= 300:
            self.errors.append(f"{kind}: HTTP {response.status_code}: {response.text[:200]}")
            return None
        return response


async def _client(
    base: str, token: str, number: int, documents: int, recorder: Recorder, poll: float
) -> None:
    text = STRATEGY.read_text(encoding="utf-8")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        for n in range(documents):
            began = time.perf_counter()
            body = f"{text}\n\nClient {number}, document {n}: {uuid.uuid4()}.\n".encode()
            uploaded = await recorder.call(
                client, "upload", "POST", "/api/v1/documents",
                files={"file": (f"strategy-{number}-{n}.md", body, "text/markdown")},
            )
            if uploaded is None:
                continue
            doc = uploaded.json()["id"]
            started = await recorder.call(
                client, "start review", "POST", f"/api/v1/documents/{doc}/reviews", json={}
            )
            if started is None:
                continue
            job_url = started.headers["location"]
            review_id = None
            while True:
                await asyncio.sleep(poll)
                polled = await recorder.call(client, "poll job", "GET", job_url)
                if polled is None:
                    break
                job = polled.json()
                if job["status"] == "done":
                    review_id = job["review_id"]
                    break
                if job["status"] == "failed":
                    recorder.errors.append(f"job failed: {job['error']}")
                    break
            if review_id is None:
                continue
            review = await recorder.call(client, "get review", "GET",
                                         f"/api/v1/reviews/{review_id}")
            if review is not None:
                recorder.end_to_end.append(time.perf_counter() - began)


async def _issue_tokens(store: str, count: int) -> list[str]:
    import docsense
    from docsense.application.tokens import issue_token

    async with docsense.aopen(store) as ds:
        return [
            (await issue_token(ds.service, name=f"load-{n}", scopes=["review"])).secret
            for n in range(count)
        ]


async def _drop(base_url: str, schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(base_url)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def _wait_ready(url: str, procs: list[subprocess.Popen[bytes]], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise SystemExit("a server or worker process exited early")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit("the server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--documents", type=int, default=2, help="documents per client")
    parser.add_argument("--workers", type=int, default=2, help="docsense worker processes")
    parser.add_argument("--server-processes", type=int, default=1)
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between job polls")
    parser.add_argument("--postgres", default=DEFAULT_URL)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    sep = "&" if "?" in args.postgres else "?"
    store = f"{args.postgres}{sep}schema={schema}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DOCSENSE_STORE_URL": store,
        "DOCSENSE_SERVER_HSTS": "false",
        "DOCSENSE_POOL_SIZE": "10",
    }
    tokens = asyncio.run(_issue_tokens(store, args.clients))
    cli = [sys.executable, "-m", "docsense.cli"]
    logs = Path(tempfile.mkdtemp(prefix="server_load-"))
    print(f"process logs in {logs}", file=sys.stderr)
    procs = [
        subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--workers", str(args.server_processes)],
            env=env, stdout=subprocess.DEVNULL,
            stderr=(logs / "server.log").open("wb"),
        ),
        *[
            subprocess.Popen([*cli, "worker", "--poll-interval", "0.1"], env=env,
                             stdout=subprocess.DEVNULL,
                             stderr=(logs / f"worker-{n}.log").open("wb"))
            for n in range(args.workers)
        ],
    ]
    recorder = Recorder()
    load_start = os.getloadavg()[0]
    try:
        _wait_ready(base, procs)
        began = time.perf_counter()

        async def everyone() -> None:
            await asyncio.wait_for(
                asyncio.gather(*(
                    _client(base, tokens[n], n, args.documents, recorder, args.poll)
                    for n in range(args.clients)
                )),
                timeout=args.timeout,
            )

        asyncio.run(everyone())
        wall = time.perf_counter() - began
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        asyncio.run(_drop(args.postgres, schema))
    load_end = os.getloadavg()[0]
    reviews = len(recorder.end_to_end)
    all_latency = [v for values in recorder.latency.values() for v in values]
    result = {
        "clients": args.clients,
        "documents_per_client": args.documents,
        "workers": args.workers,
        "server_processes": args.server_processes,
        "reviews_completed": reviews,
        "wall_s": round(wall, 2),
        "reviews_per_s": round(reviews / wall, 2),
        "requests": recorder.requests,
        "requests_per_s": round(recorder.requests / wall, 1),
        "p50_ms": round(statistics.median(all_latency) * 1000, 1),
        "p95_ms": round(_percentile(all_latency, 0.95) * 1000, 1),
        "by_kind": {
            kind: {
                "n": len(values),
                "p50_ms": round(statistics.median(values) * 1000, 1),
                "p95_ms": round(_percentile(values, 0.95) * 1000, 1),
            }
            for kind, values in recorder.latency.items()
        },
        "end_to_end_p50_s": round(statistics.median(recorder.end_to_end), 2)
        if recorder.end_to_end else None,
        "end_to_end_p95_s": round(_percentile(recorder.end_to_end, 0.95), 2)
        if recorder.end_to_end else None,
        "errors": len(recorder.errors),
        "first_errors": recorder.errors[:5],
        "load_start": round(load_start, 2),
        "load_end": round(load_end, 2),
    }
    print(json.dumps(result, indent=2))
    if recorder.errors or reviews != args.clients * args.documents:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
