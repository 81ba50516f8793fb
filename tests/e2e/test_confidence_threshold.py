"""The confidence threshold through the facade: settings, review, stored review, lists, reports.

doc_03's rules findings have confidences from 0.65 to 0.85, so a threshold of 0.8 hides some
and keeps others.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import docsense
from docsense.domain.review import Review, ReviewCompleted, ReviewStarted
from docsense.errors import ConfigurationError, InvalidArgument

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "seed-docs"
SEED = CORPUS / "doc_03_undefined_parameters.docx"


@pytest.fixture
def seed() -> Path:
    if not SEED.exists():
        pytest.skip(f"seed corpus not found at {CORPUS}")
    return SEED


@pytest.mark.parametrize("value", [-0.1, 1.5, math.nan, "often"])
def test_an_invalid_threshold_setting_is_a_configuration_error(value: object) -> None:
    with pytest.raises(ConfigurationError, match="min_confidence"):
        docsense.open("memory://", settings={"min_confidence": value})


def test_the_threshold_setting_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCSENSE_MIN_CONFIDENCE", "0.75")
    with docsense.open("memory://") as ds:
        assert ds.settings.min_confidence == 0.75
    monkeypatch.delenv("DOCSENSE_MIN_CONFIDENCE")
    with docsense.open("memory://") as ds:
        assert ds.settings.min_confidence == 0.5


def test_an_invalid_threshold_argument_is_an_invalid_argument(seed: Path) -> None:
    with docsense.open("memory://") as ds:
        doc = ds.ingest(seed)
        with pytest.raises(InvalidArgument, match="min_confidence"):
            ds.review(doc.id, min_confidence=1.2)
        with pytest.raises(ValueError, match="min_confidence"):  # the habit a user has
            ds.review(doc.id, min_confidence=-1)


def test_a_review_keeps_every_finding_and_shows_those_at_or_above_its_threshold(
    seed: Path, tmp_path: Path
) -> None:
    store = f"sqlite:///{tmp_path / 'ds.db'}"
    with docsense.open(store) as ds:
        doc = ds.ingest(seed)
        everything = ds.review(doc.id, min_confidence=0.0)
        strict = ds.review(doc.id, min_confidence=0.8)
        shown = [f for f in everything.findings if f.confidence >= 0.8]
        assert 0 < len(shown) < len(everything.findings)
        assert [f.id for f in strict.findings] == [f.id for f in shown]
        assert [f.id for f in strict.all_findings] == [f.id for f in everything.findings]
        assert strict.below_threshold == len(everything.findings) - len(shown)
        assert strict.min_confidence == 0.8
        assert strict.score is not None
        assert everything.score is not None
        assert strict.score > everything.score  # only the shown findings are scored
        # The feedback covers what the review shows.
        items = ds.feedback(strict.id).items()
        assert {i.finding_id for i in items} == {f.id for f in shown if f.quote}
        # Reports say so, and --all / include_all lists them.
        report = json.loads(strict.to_json())
        assert report["threshold"] == {"min_confidence": 0.8, "below": strict.below_threshold,
                                       "included": False}
        listed = json.loads(strict.to_json(include_all=True))
        assert len(listed["findings"]) == len(everything.findings)
        assert "below the confidence threshold 0.80 not shown" in strict.to_markdown()

    with docsense.open(store) as ds:  # as stored: the same split, the same report
        again = ds.get_review(strict.id)
        assert [f.id for f in again.findings] == [f.id for f in strict.findings]
        assert [f.id for f in again.all_findings] == [f.id for f in strict.all_findings]
        assert json.loads(again.to_json())["threshold"] == report["threshold"]
        assert json.loads(again.to_json(min_confidence=0.0))["score"] == everything.score
        [row] = [r for r in ds.reviews(doc.id) if r.id == strict.id]
        assert row.findings == len(strict.findings)
        assert row.places == strict.places
        assert row.below_threshold == strict.below_threshold
        found = ds.findings(document_id=doc.id, limit=200)
        hidden = {f.id for f in found if f.review_id == strict.id and f.below_threshold}
        assert hidden == {f.id for f in strict.all_findings} - {f.id for f in strict.findings}
        assert any(f.places > 1 for f in found)
        history = ds.history(doc.id)
        assert any("places" in h.summary for h in history if h.event_type == "FindingsRecorded")


async def test_the_completed_review_records_how_many_findings_were_below(seed: Path) -> None:
    async with docsense.aopen("memory://") as ds:
        doc = await ds.ingest(seed)
        view = await ds.review(doc.id, min_confidence=0.8)
        assert view.below_threshold > 0
        stored = await ds.service.storage.read_stream(view.id)
        [started] = [e for e in stored if e.event_type == "ReviewStarted"]
        [completed] = [e for e in stored if e.event_type == "ReviewCompleted"]
        assert (started.schema_version, completed.schema_version) == (
            ReviewStarted.schema_version, ReviewCompleted.schema_version
        )
        assert started.payload["min_confidence"] == 0.8
        assert completed.payload["below_threshold"] == view.below_threshold
        review = await ds.service.repository.load(Review, view.id)
        assert review.state.below_threshold == view.below_threshold
