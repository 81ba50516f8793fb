"""`docsense serve --workers 2` on PostgreSQL: both processes answer, audit lines reach stderr."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CLI = [sys.executable, "-m", "docsense.cli"]


@pytest.fixture
def store(postgres_url: str) -> Iterator[str]:
    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in postgres_url else "?"
    yield f"{postgres_url}{sep}schema={schema}"

    async def drop() -> None:
        conn = await asyncpg.connect(postgres_url)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()

    asyncio.run(drop())


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_server_processes_share_the_store_and_log_failed_auth(
    store: str, tmp_path: Path
) -> None:
    env = {**os.environ, "DOCSENSE_SERVER_HSTS": "false"}
    created = subprocess.run(
        [*CLI, "--store", store, "tokens", "create", "probe", "--json"],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )
    token = json.loads(created.stdout)["token"]
    port = _port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*CLI, "--store", store, "--log-format", "json", "serve", "--port", str(port),
             "--workers", "2"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, log.read_text()
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "not ready"
                time.sleep(0.25)
            auth = {"Authorization": f"Bearer {token}"}
            for _ in range(6):  # spread over both processes
                assert httpx.get(f"{base}/api/v1/documents", headers=auth).json() == []
            refused = httpx.get(f"{base}/api/v1/documents",
                                headers={"Authorization": "Bearer dst_guess"})
            assert refused.status_code == 401
            assert refused.headers["content-type"] == "application/problem+json"
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
    audit = [x for x in lines if x.get("logger") == "docsense.server.audit"]
    assert audit, log.read_text()
    assert "failed authentication" in audit[0]["message"]
    assert "dst_guess" not in log.read_text()
