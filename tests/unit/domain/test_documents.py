"""Specification of the Document aggregate: versions, conversion, reviews, revisions, exports."""

from __future__ import annotations

import pytest

from docsense.domain.documents import (
    Document,
    DocumentConverted,
    DocumentExported,
    DocumentReuploaded,
    DocumentReviewed,
    DocumentRevised,
    DocumentStatus,
    DocumentUploaded,
    VersionNumber,
    title_from_filename,
)
from docsense.domain.events import CommandContext
from docsense.domain.ir import SemanticIR
from docsense.errors import InvalidTransition, InvariantViolation

# The same text as the `converted` fixture's (conftest.py), which importlib mode cannot import.
MARKDOWN = "# Index rules\n\nThe index is capped at X per constituent.\n"
REVISED = MARKDOWN.replace("X", "10%")
SHA_A = "a" * 64
SHA_B = "b" * 64


def revise(doc: Document, ctx: CommandContext, markdown: str = REVISED) -> DocumentRevised:
    return doc.revise(ctx, markdown=markdown, sections=(), ir=SemanticIR())


# --- version numbers ---------------------------------------------------------------------------


def test_version_numbers_order_numerically_not_alphabetically() -> None:
    assert VersionNumber(1, 10) > VersionNumber(1, 9)
    assert VersionNumber(2, 0) > VersionNumber(1, 99)


def test_version_number_parses_and_prints_major_dot_minor() -> None:
    assert VersionNumber.parse("3.12") == VersionNumber(3, 12)
    assert str(VersionNumber(3, 12)) == "3.12"


@pytest.mark.parametrize("label", ["1", "1.x", "", "a.b", "1.2.3", "-1.0"])
def test_version_number_parse_rejects_malformed_labels(label: str) -> None:
    with pytest.raises(InvariantViolation):
        VersionNumber.parse(label)


def test_version_numbers_start_at_one_zero() -> None:
    with pytest.raises(InvariantViolation):
        VersionNumber(0, 1)


def test_title_from_filename_drops_directories_and_last_extension() -> None:
    assert title_from_filename("a/b/index.v2.pdf") == "index.v2"
    assert title_from_filename("C:\\docs\\rules.docx") == "rules"
    assert title_from_filename(".profile") == ".profile"
    assert title_from_filename("README") == "README"


# --- upload ------------------------------------------------------------------------------------


def test_upload_creates_version_one_zero_awaiting_conversion(uploaded: Document) -> None:
    state = uploaded.state
    assert uploaded.id.startswith("document-")
    assert state.status is DocumentStatus.UPLOADED
    assert state.current.number == VersionNumber(1, 0)
    assert state.current.sha256 == SHA_A
    assert not state.current.converted
    assert state.title == "index-rules"
    [event] = uploaded.pending_events
    assert isinstance(event, DocumentUploaded)
    assert event.stream_version == 1
    assert event.metadata.actor == "tester"


def test_upload_uses_an_explicit_title(ctx: CommandContext) -> None:
    doc = Document.upload(
        ctx, filename="x.pdf", media_type="application/pdf", size=1, sha256=SHA_A, title=" Rules "
    )
    assert doc.state.title == "Rules"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("filename", " "),
        ("media_type", "pdf"),
        ("size", 0),
        ("sha256", "ABC"),
        ("sha256", "A" * 64),
    ],
)
def test_upload_with_bad_file_facts_raises_invariant_violation(
    ctx: CommandContext, field: str, value: object
) -> None:
    args: dict[str, object] = {
        "filename": "x.pdf",
        "media_type": "application/pdf",
        "size": 1,
        "sha256": SHA_A,
        field: value,
    }
    with pytest.raises(InvariantViolation):
        Document.upload(ctx, **args)  # type: ignore[arg-type]


# --- convert -----------------------------------------------------------------------------------


def test_convert_stores_markdown_sections_and_ir_on_the_current_version(
    converted: Document,
) -> None:
    version = converted.state.current
    assert converted.state.status is DocumentStatus.CONVERTED
    assert version.markdown == MARKDOWN
    assert len(version.sections) == 1
    assert version.ir is not None
    assert version.ir.sections == version.sections
    assert version.converter == "pdf"
    assert version.word_count == len(MARKDOWN.split())
    assert isinstance(converted.pending_events[-1], DocumentConverted)


def test_convert_twice_raises_invalid_transition(ctx: CommandContext, converted: Document) -> None:
    with pytest.raises(InvalidTransition, match="already converted"):
        converted.convert(ctx, markdown="other", sections=(), ir=SemanticIR(), converter="pdf")


def test_convert_to_blank_markdown_raises_invariant_violation(
    ctx: CommandContext, uploaded: Document
) -> None:
    with pytest.raises(InvariantViolation):
        uploaded.convert(ctx, markdown=" \n", sections=(), ir=SemanticIR(), converter="pdf")


def test_convert_without_converter_name_raises_invariant_violation(
    ctx: CommandContext, uploaded: Document
) -> None:
    with pytest.raises(InvariantViolation):
        uploaded.convert(ctx, markdown="text", sections=(), ir=SemanticIR(), converter="")


# --- review ------------------------------------------------------------------------------------


def test_record_review_links_the_review_to_the_current_version(
    ctx: CommandContext, converted: Document
) -> None:
    event = converted.record_review(ctx, review_id="review-1", score=0.75)
    assert isinstance(event, DocumentReviewed)
    assert converted.state.status is DocumentStatus.REVIEWED
    [link] = converted.state.reviews
    assert (link.review_id, link.version, link.score) == ("review-1", VersionNumber(1, 0), 0.75)


def test_record_review_before_conversion_raises_invalid_transition(
    ctx: CommandContext, uploaded: Document
) -> None:
    with pytest.raises(InvalidTransition, match="convert it first"):
        uploaded.record_review(ctx, review_id="review-1", score=0.5)


def test_record_review_twice_raises_invariant_violation(
    ctx: CommandContext, converted: Document
) -> None:
    converted.record_review(ctx, review_id="review-1", score=0.5)
    with pytest.raises(InvariantViolation):
        converted.record_review(ctx, review_id="review-1", score=0.5)


@pytest.mark.parametrize("score", [-0.1, 1.5, float("nan")])
def test_record_review_with_score_outside_unit_interval_raises(
    ctx: CommandContext, converted: Document, score: float
) -> None:
    with pytest.raises(InvariantViolation):
        converted.record_review(ctx, review_id="review-1", score=score)


def test_record_review_of_an_older_version_keeps_the_current_status(
    ctx: CommandContext, converted: Document
) -> None:
    revise(converted, ctx)
    converted.record_review(ctx, review_id="review-1", score=0.5, version=VersionNumber(1, 0))
    assert converted.state.status is DocumentStatus.REVISED


def test_record_review_of_unknown_version_raises_invariant_violation(
    ctx: CommandContext, converted: Document
) -> None:
    with pytest.raises(InvariantViolation):
        converted.record_review(ctx, review_id="r", score=0.5, version=VersionNumber(7, 0))


# --- revise ------------------------------------------------------------------------------------


def test_revise_adds_a_minor_version_with_a_unified_diff(
    ctx: CommandContext, converted: Document
) -> None:
    converted.record_review(ctx, review_id="review-1", score=0.5)
    event = converted.revise(
        ctx,
        markdown=REVISED,
        sections=(),
        ir=SemanticIR(),
        review_id="review-1",
        feedback_session_id="feedback-1",
        applied_finding_ids=("f-1",),
    )
    state = converted.state
    assert event.version == VersionNumber(1, 1)
    assert event.base_version == VersionNumber(1, 0)
    assert state.status is DocumentStatus.REVISED
    assert [v.label for v in state.versions] == ["1.0", "1.1"]
    assert state.current.markdown == REVISED
    assert state.current.sha256 == SHA_A  # descends from the same uploaded file
    assert "-The index is capped at X" in state.current.diff
    assert "+The index is capped at 10%" in state.current.diff
    assert state.current.revision is not None
    assert state.current.revision.applied_finding_ids == ("f-1",)
    original = state.find_version("1.0")
    assert original is not None
    assert original.markdown == MARKDOWN


def test_revise_twice_increments_the_minor_version(
    ctx: CommandContext, converted: Document
) -> None:
    revise(converted, ctx)
    event = revise(converted, ctx, REVISED + "More.\n")
    assert event.version == VersionNumber(1, 2)


def test_revise_before_conversion_raises_invalid_transition(
    ctx: CommandContext, uploaded: Document
) -> None:
    with pytest.raises(InvalidTransition):
        revise(uploaded, ctx)


def test_revise_without_changing_markdown_raises_invariant_violation(
    ctx: CommandContext, converted: Document
) -> None:
    with pytest.raises(InvariantViolation, match="must change"):
        revise(converted, ctx, MARKDOWN)


def test_revise_for_a_review_not_linked_on_the_document_is_allowed(
    ctx: CommandContext, converted: Document
) -> None:
    # Reviews are indexed by the reviews read model, not linked on the document stream.
    converted.revise(ctx, markdown=REVISED, sections=(), ir=SemanticIR(), review_id="review-9")
    assert converted.state.current.revision is not None
    assert converted.state.current.revision.review_id == "review-9"


def test_revision_from_finds_the_version_a_feedback_session_made(
    ctx: CommandContext, converted: Document
) -> None:
    assert converted.state.revision_from("feedback-1") is None
    converted.revise(
        ctx, markdown=REVISED, sections=(), ir=SemanticIR(), feedback_session_id="feedback-1"
    )
    made = converted.state.revision_from("feedback-1")
    assert made is not None
    assert made.label == "1.1"


def test_revise_applying_one_feedback_session_twice_raises_invariant_violation(
    ctx: CommandContext, converted: Document
) -> None:
    converted.revise(
        ctx, markdown=REVISED, sections=(), ir=SemanticIR(), feedback_session_id="feedback-1"
    )
    with pytest.raises(InvariantViolation, match="already applied"):
        converted.revise(
            ctx,
            markdown=REVISED + " again",
            sections=(),
            ir=SemanticIR(),
            feedback_session_id="feedback-1",
        )


def test_revise_with_duplicate_finding_ids_raises_invariant_violation(
    ctx: CommandContext, converted: Document
) -> None:
    with pytest.raises(InvariantViolation):
        converted.revise(
            ctx, markdown=REVISED, sections=(), ir=SemanticIR(), applied_finding_ids=("f", "f")
        )


# --- reupload ----------------------------------------------------------------------------------


def test_reupload_starts_the_next_major_version_awaiting_conversion(
    ctx: CommandContext, converted: Document
) -> None:
    revise(converted, ctx)
    event = converted.reupload(
        ctx, filename="v2.docx", media_type="application/msword", size=9, sha256=SHA_B
    )
    assert isinstance(event, DocumentReuploaded)
    state = converted.state
    assert event.version == VersionNumber(2, 0)
    assert state.status is DocumentStatus.UPLOADED
    assert state.current.source.filename == "v2.docx"
    assert state.current.sha256 == SHA_B
    assert not state.current.converted
    assert [v.label for v in state.versions] == ["1.0", "1.1", "2.0"]


def test_reupload_then_review_raises_invalid_transition_until_converted(
    ctx: CommandContext, converted: Document
) -> None:
    converted.reupload(ctx, filename="v2.pdf", media_type="application/pdf", size=9, sha256=SHA_B)
    with pytest.raises(InvalidTransition):
        converted.record_review(ctx, review_id="review-1", score=0.5)
    converted.convert(ctx, markdown="# New\n", sections=(), ir=SemanticIR(), converter="pdf")
    converted.record_review(ctx, review_id="review-1", score=0.5)
    assert converted.state.reviews[-1].version == VersionNumber(2, 0)


def test_reupload_before_conversion_is_allowed(ctx: CommandContext, uploaded: Document) -> None:
    uploaded.reupload(ctx, filename="fixed.pdf", media_type="application/pdf", size=3, sha256=SHA_B)
    assert uploaded.state.current.number == VersionNumber(2, 0)


def test_reupload_with_bad_sha256_raises_invariant_violation(
    ctx: CommandContext, converted: Document
) -> None:
    with pytest.raises(InvariantViolation):
        converted.reupload(ctx, filename="a.pdf", media_type="application/pdf", size=3, sha256="x")


# --- export ------------------------------------------------------------------------------------


def test_export_records_format_and_version(ctx: CommandContext, converted: Document) -> None:
    event = converted.export(ctx, format="docx")
    assert isinstance(event, DocumentExported)
    export = converted.state.last_export
    assert export is not None
    assert (export.format, export.version) == ("docx", VersionNumber(1, 0))
    assert converted.state.export_count == 1
    assert converted.state.status is DocumentStatus.CONVERTED


def test_export_an_older_version_after_a_reupload(ctx: CommandContext, converted: Document) -> None:
    converted.reupload(ctx, filename="v2.pdf", media_type="application/pdf", size=9, sha256=SHA_B)
    converted.export(ctx, format="md", version=VersionNumber(1, 0))
    assert converted.state.last_export is not None
    assert converted.state.last_export.version == VersionNumber(1, 0)
    assert converted.state.export_count == 1


def test_export_before_conversion_raises_invalid_transition(
    ctx: CommandContext, uploaded: Document
) -> None:
    with pytest.raises(InvalidTransition):
        uploaded.export(ctx, format="md")


def test_export_without_format_raises_invariant_violation(
    ctx: CommandContext, converted: Document
) -> None:
    with pytest.raises(InvariantViolation):
        converted.export(ctx, format="")


# --- the aggregate machinery -------------------------------------------------------------------


def test_commands_on_a_document_without_events_raise_invariant_violation(
    ctx: CommandContext,
) -> None:
    with pytest.raises(InvariantViolation):
        Document("document-x").export(ctx, format="md")


def test_evolve_refuses_a_second_upload(uploaded: Document) -> None:
    with pytest.raises(InvariantViolation):
        Document.evolve(uploaded.state, uploaded.pending_events[0])


def test_evolve_refuses_events_before_the_upload(ctx: CommandContext, converted: Document) -> None:
    with pytest.raises(InvariantViolation):
        Document.evolve(None, converted.pending_events[1])


def test_events_carry_consecutive_stream_versions_and_context_time(converted: Document) -> None:
    events = converted.pending_events
    assert [e.stream_version for e in events] == [1, 2]
    assert {e.stream_id for e in events} == {converted.id}
    assert converted.state.updated_at == events[-1].occurred_at
