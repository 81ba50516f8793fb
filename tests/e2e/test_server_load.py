"""Many clients at once through `docsense serve` with two `docsense worker` processes.

The server catches the read models up on every read (read-your-writes) while the workers'
projection loops do the same: their commits race, and a worker must take a lost race as
"another runner moved on", never die of it. Runs benchmarks/server_load.py on a small scale
(loopback only, bounded in time) and requires every review done and no error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]


def test_thirty_clients_review_sixty_documents_without_an_error(postgres_url: str) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "server_load.py"), "--clients", "30",
         "--documents", "2", "--workers", "2", "--timeout", "150", "--postgres", postgres_url],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["reviews_completed"] == 60
    assert result["errors"] == 0
