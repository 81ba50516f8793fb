"""Issue 15: four processes on one SQLite file (parallel CLI runs, a notebook beside a worker).

Each process ingests documents of its own and one file they all share, reviews, decides and
applies, all at once. None may see "database is locked" (or any error), and the store must
be consistent afterwards: the shared file is one document, every review completed, the read
models equal a rebuild from the events.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import docsense

from .conftest import seed_markdown

WORKLOAD = textwrap.dedent(
    """
    import sys
    import docsense

    url, name, rounds, shared_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    shared = open(shared_path, "rb").read()
    with docsense.open(url, settings={"actor": name}) as ds:
        ids = set()
        for n in range(rounds):
            ids.add(ds.ingest(shared, filename="shared.md").id)
            own = shared + f"\\n\\nWritten by {name}, round {n}.\\n".encode()
            doc = ds.ingest(own, filename=f"{name}-{n}.md")
            review = ds.review(doc.id)
            handle = ds.feedback(review.id)
            items = [i for i in handle.items() if i.can_accept]
            handle.accept(items[0].finding_id)
            handle.reject(items[1].finding_id, reason=f"{name} disagrees")
            if n % 2:
                handle.apply()
            ds.review(sorted(ids)[0])  # everyone reviews the shared document too
            ds.documents()
        print("shared", *sorted(ids), flush=True)
    """
)


@pytest.mark.slow
def test_four_processes_ingest_review_and_decide_on_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    shared = tmp_path / "shared.md"
    shared.write_bytes(seed_markdown())
    script = tmp_path / "workload.py"
    script.write_text(WORKLOAD)
    rounds = 4
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), url, f"p{i}", str(rounds), str(shared)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "database is locked" not in err
        assert "Traceback" not in err
    shared_ids = {line.split()[1] for out, _ in outputs for line in out.splitlines()}
    assert len(shared_ids) == 1, "the shared file became more than one document"

    with docsense.open(url) as ds:
        documents = ds.documents(limit=100)
        assert len(documents) == 1 + 4 * rounds
        reviews = ds.reviews(limit=1000)
        assert len(reviews) == 2 * 4 * rounds
        assert {r.status for r in reviews} == {"completed"}
        revised = [d for d in documents if d.latest_version == "1.1"]
        assert len(revised) == 4 * (rounds // 2)
        decided = ds.findings(decision="rejected", limit=1000)
        assert len(decided) == 4 * rounds
        before = sorted((d.id, d.latest_version, d.status) for d in documents)
        for name in ("documents", "reviews", "findings"):
            ds.rebuild_projection(name)
        after = sorted((d.id, d.latest_version, d.status) for d in ds.documents(limit=100))
        assert after == before
        assert len(ds.findings(decision="rejected", limit=1000)) == 4 * rounds
