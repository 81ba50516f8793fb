"""The whole loop through the facade, on every store: ingest, review, decide, apply, re-review.

Issue acceptance: version 1.1 carries the accepted and modified texts and not the replaced
quotes; the re-review no longer reports those findings; history lists every step in order
with its actor; version 1.0 is unchanged; the async facade gives the same result.

Findings are groups of places: accepting one puts each place's replacement in, modifying one
changes its first place only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import docsense
from docsense.domain.feedback import TextEdit, apply_edits
from docsense.errors import ConfigurationError

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "seed-docs"
SEED = CORPUS / "doc_03_undefined_parameters.docx"
MODIFIED = "Spelled out by the author."


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if not SEED.exists():
        pytest.skip(f"seed corpus not found at {CORPUS}")
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ds.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


def _spans(f: Any) -> list[tuple[int, int]]:
    return [(o.location.start, o.location.end) for o in f.occurrences]


def _plan(findings: Any) -> dict[str, Any]:
    """Pick two replaceable findings to accept, one to reject, one to modify (disjoint)."""
    replaceable = [f for f in findings if any(o.replacement for o in f.occurrences)]
    chosen: list[Any] = []
    taken: list[tuple[int, int]] = []
    for f in replaceable:
        mine = _spans(f)
        if all(a >= d or b <= c for a, b in mine for c, d in taken):
            chosen.append(f)
            taken.extend(mine)
    assert len(chosen) >= 4, "the seed document should yield at least 4 suggestions"
    # Accept a group of several places when the document has one (groups first).
    chosen.sort(key=lambda f: -len(f.occurrences))
    accept, reject, modify = chosen[:2], chosen[2], chosen[3]
    return {"accept": accept, "reject": reject, "modify": modify}


def _check(original: Any, revised: Any, plan: dict[str, Any], rereview: Any, history: Any,
           first_again: Any) -> None:
    assert revised.version == "1.1"
    accepted = [o for f in plan["accept"] for o in f.occurrences if o.replacement is not None]
    edits = [TextEdit(o.location.start, o.location.end, o.replacement) for o in accepted]
    modified = plan["modify"].occurrences[0]  # modify changes the first place only
    edits.append(TextEdit(modified.location.start, modified.location.end, MODIFIED))
    assert revised.markdown == apply_edits(original.markdown, edits)  # exactly those spans
    for o in accepted:
        assert o.replacement in revised.markdown
    assert MODIFIED in revised.markdown
    old = original.markdown
    for o in [*accepted, modified]:
        # The quoted span as it stood (with what followed it) is gone, even where a rules
        # replacement keeps the author's words and adds a [[specify: ...]] placeholder.
        as_written = old[o.location.start : o.location.end + 12]
        assert revised.markdown.count(as_written) < old.count(as_written), as_written
    for start, end in _spans(plan["reject"]):
        assert old[start:end] in revised.markdown
    assert revised.diff is not None
    assert "+++ 1.1" in revised.diff

    replaced = {(f.policy_id, o.quote) for f in plan["accept"] for o in f.occurrences}
    replaced.add((plan["modify"].policy_id, modified.quote))
    again = {(f.policy_id, o.quote) for f in rereview.findings for o in f.occurrences}
    assert not replaced & again, f"re-review still reports {replaced & again}"

    kinds = [h.event_type for h in history]
    expected_order = [
        "DocumentUploaded", "DocumentConverted", "ReviewStarted", "FindingsRecorded",
        "ReviewCompleted", "FeedbackSessionOpened",
        "SuggestionAccepted", "SuggestionAccepted", "SuggestionRejected", "SuggestionModified",
        "FeedbackApplyStarted", "DocumentRevised", "FeedbackApplied", "ReviewStarted",
    ]
    it = iter(kinds)
    assert all(kind in it for kind in expected_order), kinds
    assert {h.actor for h in history} == {"analyst-7"}
    assert [h.occurred_at for h in history] == sorted(h.occurred_at for h in history)
    rejected = next(h for h in history if h.event_type == "SuggestionRejected")
    assert "the glossary defines it" in rejected.summary

    assert first_again.markdown == original.markdown
    assert first_again.version == "1.0"


def test_feedback_loop_through_the_sync_facade(store_url: str) -> None:
    settings = {"actor": "analyst-7"}
    with docsense.open(store_url, settings=settings) as ds:
        original = ds.ingest(SEED)
        review = ds.review(original.id)
        plan = _plan(review.findings)
        feedback = ds.feedback(review.id)
        for f in plan["accept"]:
            feedback.accept(f.id)
        feedback.reject(plan["reject"].id, reason="the glossary defines it")
        feedback.modify(plan["modify"].id, text=MODIFIED)
        revised = ds.apply_feedback(review.id)
        rereview = ds.review(original.id)
        _check(original, revised, plan, rereview, ds.history(original.id),
               ds.document(original.id, version="1.0"))
        assert [d.id for d in ds.documents()] == [original.id]
        assert {r.id for r in ds.reviews(original.id)} == {review.id, rereview.id}
        assert ds.export(original.id, "md", "1.0") == original.markdown.encode()
        assert ds.export(original.id, "docx")[:2] == b"PK"


async def test_feedback_loop_through_the_async_facade(store_url: str) -> None:
    async with docsense.aopen(store_url, settings={"actor": "analyst-7"}) as ds:
        original = await ds.ingest(SEED)
        review = await ds.review(original.id)
        plan = _plan(review.findings)
        feedback = ds.feedback(review.id)
        for f in plan["accept"]:
            await feedback.accept(f.id)
        await feedback.reject(plan["reject"].id, reason="the glossary defines it")
        await feedback.modify(plan["modify"].id, text=MODIFIED)
        revised = await ds.apply_feedback(review.id)
        rereview = await ds.review(original.id)
        _check(original, revised, plan, rereview, await ds.history(original.id),
               await ds.document(original.id, version="1.0"))


def test_accepting_a_group_replaces_every_place(store_url: str) -> None:
    text = (b"# Hedging\n\n## 1. Rules\n\nFutures are rolled where appropriate.\n\n"
            b"Options are hedged where appropriate.\n\nCash is swept where appropriate.\n")
    with docsense.open(store_url) as ds:
        doc = ds.ingest(text, filename="hedging.md")
        review = ds.review(doc.id)
        [group] = [f for f in review.findings if len(f.occurrences) > 1]
        assert len(group.occurrences) == 3
        assert all(o.replacement for o in group.occurrences)
        ds.feedback(review.id).accept(group.id)
        revised = ds.apply_feedback(review.id)
    edits = [TextEdit(o.location.start, o.location.end, o.replacement or "")
             for o in group.occurrences]
    assert revised.markdown == apply_edits(doc.markdown, edits)
    assert revised.markdown.count("[[specify: objective condition]]") == 3


def test_accepting_a_suggestion_without_replacement_says_to_modify_or_reject() -> None:
    text = b"# Method\n\n## Selection\n\nStocks qualify when volatility is below the threshold.\n"
    with docsense.open("memory://") as ds:
        doc = ds.ingest(text, filename="m.md")
        first = ds.review(doc.id)
        [suggestion] = [f for f in first.findings if "threshold" in f.quote]
        assert suggestion.replacement is not None
        ds.feedback(first.id).accept(suggestion.id)
        revised = ds.apply_feedback(first.id)
        assert "[[specify:" in revised.markdown

        second = ds.review(doc.id)
        # The value owed is an open question of the version, not a finding that shadows others.
        assert not any("[[specify:" in f.quote for f in second.findings)
        assert not any(f.quote == suggestion.quote for f in second.findings)
        [question] = revised.open_questions
        assert question.text in revised.markdown
        assert question.path == ("Method", "Selection")
        assert ds.document(doc.id).open_questions == revised.open_questions


def test_open_with_invalid_settings_lists_every_bad_field() -> None:
    with pytest.raises(ConfigurationError) as info:
        docsense.open(
            "mysql://nope",
            settings={"snapshot_every": -1, "pool_size": 0, "log_format": "xml"},
        )
    message = str(info.value)
    for field in ("store_url", "snapshot_every", "pool_size", "log_format"):
        assert field in message
    assert "(4)" in message


def test_invalid_environment_setting_is_reported_at_open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCSENSE_SNAPSHOT_EVERY", "often")
    with pytest.raises(ConfigurationError, match="snapshot_every"):
        docsense.open("memory://")
