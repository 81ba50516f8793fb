"""Archival: documents' streams to an archive file, out of the store on request, and back.

Through the facade on a SQLite file and a PostgreSQL schema, with real documents reviewed by
the rules reviewer and feedback applied: the archive holds every stream of the document with
its hashes; ``remove`` takes them out (recorded first, with the actor) and the read models
forget the document; ``restore_archive`` brings them back with every hash checked, and the
read models are as before.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

import docsense
from docsense.application.store_ops import verify
from docsense.cli.app import main
from docsense.domain.operations import OPERATIONS_STREAM
from docsense.errors import DocumentNotFound, InvalidArgument, InvalidDump, NotSupportedByStore

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "seed-docs"
SEED = CORPUS / "doc_03_undefined_parameters.docx"
OTHER = CORPUS / "doc_01_clean.docx"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if not SEED.exists():
        pytest.fail(f"seed corpus not found at {CORPUS}")
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ds.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


def _views(ds: docsense.DocSense, document_id: str) -> dict[str, Any]:
    """What readers see of the store and of one document (positions left out)."""
    document = ds.document(document_id)
    return {
        "documents": [(d.id, d.title, d.latest_version, d.status) for d in ds.documents()],
        "reviews": sorted(attrs.astuple(r) for r in ds.reviews(document_id)),
        "history": [
            (h.event_id, h.event_type, h.actor, h.stream_id, h.summary)
            for h in ds.history(document_id)
        ],
        "markdown": document.markdown,
        "version": document.version,
        "findings": sorted(
            repr(attrs.astuple(f)) for f in ds.findings(document_id=document_id, limit=500)
        ),
    }


def _operations(ds: docsense.DocSense) -> list[Any]:
    storage = ds._async.service.storage
    return ds._run(storage.read_stream(OPERATIONS_STREAM))


def _fill(ds: docsense.DocSense) -> tuple[str, str]:
    kept = ds.ingest(OTHER)
    archived = ds.ingest(SEED)
    review = ds.review(archived.id)
    feedback = ds.feedback(review.id)
    replaceable = [f for f in review.findings if any(o.replacement for o in f.occurrences)]
    feedback.accept(replaceable[0].id)
    ds.apply_feedback(review.id)
    ds.review(archived.id)  # a second review, of version 1.1
    ds.review(kept.id)
    return archived.id, kept.id


def test_archive_remove_and_restore_keep_read_models_consistent(
    store_url: str, tmp_path: Path
) -> None:
    with docsense.open(store_url, settings={"actor": "records-officer"}) as ds:
        archived, kept = _fill(ds)
        before = _views(ds, archived)
        kept_before = _views(ds, kept)
        assert len(before["reviews"]) == 2

        # Without --remove nothing leaves the store.
        copy = ds.archive([archived], tmp_path / "copy.jsonl.gz")
        assert not copy.removed
        assert copy.streams[0] == archived
        assert len(copy.streams) == 4  # the document, two reviews, one feedback session
        assert _views(ds, archived) == before

        report = ds.archive([archived], tmp_path / "archive.jsonl.gz", remove=True)
        assert report.removed
        assert report.events == copy.events
        storage = ds._async.service.storage
        for stream in report.streams:
            assert ds._run(storage.stream_version(stream)) == 0
        with pytest.raises(DocumentNotFound):
            ds.document(archived)
        assert [d.id for d in ds.documents()] == [kept]
        assert ds.reviews(archived) == []
        assert _views(ds, kept) == {**kept_before, "documents": [kept_before["documents"][1]]}
        checked = ds.verify()
        assert checked.ok, checked.first_break

        # The removal is on record, before the events left, with who did it.
        archived_ops = _operations(ds)
        assert [e.event_type for e in archived_ops] == ["StreamsArchived", "StreamsArchived"]
        assert [e.payload["removed"] for e in archived_ops] == [False, True]
        assert archived_ops[1].metadata["actor"] == "records-officer"
        assert archived_ops[1].payload["archive_sha256"] == report.sha256
        assert archived_ops[1].payload["streams"] == list(report.streams)

        restored = ds.restore_archive(tmp_path / "archive.jsonl.gz")
        assert (restored.events, restored.streams) == (report.events, len(report.streams))
        after = _views(ds, archived)
        assert after == before
        assert ds.verify().ok
        assert _operations(ds)[-1].event_type == "StreamsRestored"

        # An archive whose streams are in the store is not restored twice.
        with pytest.raises(InvalidArgument, match="already in the store"):
            ds.restore_archive(tmp_path / "archive.jsonl.gz")
        # And the document carries on: a new review appends to the restored chains.
        ds.review(archived)
        assert ds.verify().ok


def test_a_changed_archive_is_not_restored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ds.db'}"
    with docsense.open(url) as ds:
        archived, _ = _fill(ds)
        path = tmp_path / "a.jsonl.gz"
        ds.archive([archived], path, remove=True)
        with gzip.open(path, "rt", encoding="utf-8") as f:
            lines = f.read().splitlines()
        record = json.loads(lines[2])
        record["metadata"]["actor"] = "someone-else"
        lines[2] = json.dumps(record)
        tampered = tmp_path / "tampered.jsonl.gz"
        with gzip.open(tampered, "wt", encoding="utf-8") as f:
            f.write("".join(f"{line}\n" for line in lines))
        with pytest.raises(InvalidDump, match="line 3: the hash chain breaks"):
            ds.restore_archive(tampered)
        with pytest.raises(DocumentNotFound):  # nothing of it was stored
            ds.document(archived)
        ds.dump(tmp_path / "d.jsonl.gz")
        with pytest.raises(InvalidDump, match="not an archive"):
            ds.restore_archive(tmp_path / "d.jsonl.gz")


def test_the_memory_store_archives_but_does_not_remove(tmp_path: Path) -> None:
    with docsense.open("memory://") as ds:
        archived, _ = _fill(ds)
        assert ds.archive([archived], tmp_path / "a.jsonl.gz").events > 0
        with pytest.raises(NotSupportedByStore, match="removing streams"):
            ds.archive([archived], tmp_path / "b.jsonl.gz", remove=True)
        ds.document(archived)  # still there
        with pytest.raises(DocumentNotFound):
            ds.archive(["document-00000000-0000-0000-0000-000000000000"], tmp_path / "c.gz")


def test_the_cli_archives_removes_and_restores(tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path / 'ds.db'}"
    with docsense.open(url) as ds:
        archived, _ = _fill(ds)
    path = tmp_path / "cli.jsonl.gz"
    common = ["--store", url, "--actor", "ops-on-call"]
    assert main([*common, "archive", archived, "--to", str(path), "--remove", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["removed"] is True
    assert printed["documents"] == [archived]
    assert main([*common, "verify"]) == 0
    assert main([*common, "restore-archive", str(path)]) == 0
    assert "every hash verified" in capsys.readouterr().out
    assert main([*common, "restore-archive", str(path)]) == 2
    with docsense.open(url) as ds:
        ds.document(archived)
        assert [e.metadata["actor"] for e in _operations(ds)] == ["ops-on-call"] * 2
        assert ds._run(verify(ds._async.service.storage)).ok


def test_documents_inactive_since_a_time_are_the_retention_candidates(tmp_path: Path) -> None:
    with docsense.open(f"sqlite:///{tmp_path / 'ds.db'}") as ds:
        archived, kept = _fill(ds)
        now = datetime.now(UTC)
        assert sorted(ds.inactive_documents(now + timedelta(seconds=1))) == sorted(
            [archived, kept]
        )
        assert ds.inactive_documents(now - timedelta(days=1)) == []
        with pytest.raises(InvalidArgument, match="timezone"):
            ds.inactive_documents(datetime(2026, 1, 1))  # no timezone


def test_the_cli_archives_documents_inactive_for_some_days(tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path / 'ds.db'}"
    with docsense.open(url) as ds:
        archived, kept = _fill(ds)
    path = tmp_path / "old.jsonl.gz"
    assert main(["--store", url, "archive", "--to", str(path), "--inactive-days", "30"]) == 0
    assert "nothing archived" in capsys.readouterr().err
    assert not path.exists()
    code = main(["--store", url, "archive", "--to", str(path), "--inactive-days", "0", "--json"])
    assert code == 0
    assert sorted(json.loads(capsys.readouterr().out)["documents"]) == sorted([archived, kept])
    both = ["--store", url, "archive", archived, "--to", str(path), "--inactive-days", "1"]
    assert main(both) == 2
