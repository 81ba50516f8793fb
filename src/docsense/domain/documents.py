"""The Document aggregate: an uploaded file and every version of its Markdown.

Versions are ``major.minor``: a re-upload starts a new major version (``2.0``), accepted
feedback produces a new minor version (``1.1``). Every version stays in the state, so any
version can be fetched, reviewed or exported later.

State machine (``status`` describes the current version)::

    upload -> UPLOADED --convert--> CONVERTED --revise--> REVISED (x.y+1, revisable again)
                 ^                     |                     |
                 +------ reupload -----+---------------------+

Review, revision and export need a converted version; a re-uploaded version must be converted
before anything else happens to it, except another re-upload.

Reviews are not recorded on the document: a Review names its document and version, and the
``reviews`` read model indexes reviews by document, so reviewing never writes to (or
contends for) the document's stream. Streams written before that change may hold
``DocumentReviewed`` links; they still replay (status ``REVIEWED``, ``state.reviews``).

>>> from datetime import datetime, timezone
>>> from docsense.domain.events import CommandContext
>>> ctx = CommandContext(now=lambda: datetime(2026, 1, 1, tzinfo=timezone.utc),
...                      new_id=lambda: "0001")
>>> doc = Document.upload(ctx, filename="fund.pdf", media_type="application/pdf",
...                       size=10, sha256="0" * 64)
>>> doc.state.status, str(doc.state.current.number), doc.state.title
(<DocumentStatus.UPLOADED: 'uploaded'>, '1.0', 'fund')
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

import attrs

from docsense.domain.aggregate import Aggregate
from docsense.domain.events import CommandContext, DomainEvent, domain_event
from docsense.domain.ir import Section, SemanticIR, SourceAnchor
from docsense.errors import InvalidTransition, InvariantViolation

__all__ = [
    "PLACEHOLDER",
    "Document",
    "DocumentConverted",
    "DocumentExport",
    "DocumentExported",
    "DocumentReuploaded",
    "DocumentReviewLink",
    "DocumentReviewed",
    "DocumentRevised",
    "DocumentState",
    "DocumentStatus",
    "DocumentUploaded",
    "DocumentVersion",
    "OpenQuestion",
    "Revision",
    "SourceFile",
    "VersionNumber",
    "open_questions",
    "title_from_filename",
    "unified_diff",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")

PLACEHOLDER = re.compile(r"\[\[specify:[^\]]*\]\]")
"""An accepted suggestion's marker of what the author must still supply."""


# --- value objects ---------------------------------------------------------------------------


@attrs.frozen(order=True)
class VersionNumber:
    """A document version ``major.minor``; orders as numbers (``1.10 > 1.9``).

    >>> VersionNumber.parse("1.2").next_minor(), str(VersionNumber(1, 2).next_major())
    (VersionNumber(major=1, minor=3), '2.0')
    """

    major: int
    minor: int = 0

    def __attrs_post_init__(self) -> None:
        if self.major < 1 or self.minor < 0:
            raise InvariantViolation(f"versions start at 1.0, got {self.major}.{self.minor}")

    @classmethod
    def parse(cls, label: str) -> VersionNumber:
        """Parse ``"major.minor"``; raise InvariantViolation for anything else."""
        major, dot, minor = label.partition(".")
        if not (dot and major.isdigit() and minor.isdigit()):
            raise InvariantViolation(f"a version looks like '1.0', got {label!r}")
        return cls(int(major), int(minor))

    def next_minor(self) -> VersionNumber:
        """Return the version a revision of this one gets."""
        return VersionNumber(self.major, self.minor + 1)

    def next_major(self) -> VersionNumber:
        """Return the version a re-upload after this one gets."""
        return VersionNumber(self.major + 1, 0)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


@attrs.frozen
class SourceFile:
    """The uploaded file a version comes from; its bytes live in the blob store by sha256."""

    filename: str
    media_type: str
    size: int
    sha256: str


@attrs.frozen
class Revision:
    """How a minor version came about: the version it revises, the diff, and why."""

    base_version: VersionNumber
    diff: str
    review_id: str | None = None
    feedback_session_id: str | None = None
    applied_finding_ids: tuple[str, ...] = ()


@attrs.frozen
class OpenQuestion:
    """A ``[[specify: ...]]`` placeholder left in a version: a value the author still owes.

    ``text`` is the placeholder, ``question`` what it asks for, ``start``/``end`` its span in
    the Markdown and ``path`` the heading path of the section holding it.
    """

    text: str
    question: str
    start: int
    end: int
    section_id: str | None = None
    path: tuple[str, ...] = ()


def open_questions(markdown: str, sections: Iterable[Section] = ()) -> tuple[OpenQuestion, ...]:
    """Return the placeholders left in ``markdown``, in document order, with their sections.

    >>> [q.question for q in open_questions("Capped at [[specify: value, with unit]].")]
    ['value, with unit']
    """
    ordered = sorted(sections, key=lambda s: (s.start, -s.end))
    by_id = {s.id: s for s in ordered}
    out = []
    for m in PLACEHOLDER.finditer(markdown):
        holders = [s for s in ordered if s.start <= m.start() < s.end]
        inner = holders[-1] if holders else None
        path: list[str] = []
        node = inner
        while node is not None:
            path.insert(0, node.heading)
            node = by_id.get(node.parent_id) if node.parent_id else None
        question = m.group(0)[len("[[specify:") : -2].strip()
        out.append(
            OpenQuestion(
                text=m.group(0),
                question=question,
                start=m.start(),
                end=m.end(),
                section_id=inner.id if inner is not None else None,
                path=tuple(path),
            )
        )
    return tuple(out)


@attrs.frozen
class DocumentVersion:
    """One version of the document's content.

    ``markdown`` is None until a re-uploaded (or first) version is converted. Revisions are
    born converted; their ``revision`` says what they revise and carries the unified diff.
    """

    number: VersionNumber
    source: SourceFile
    markdown: str | None = None
    sections: tuple[Section, ...] = ()
    ir: SemanticIR | None = None
    converter: str | None = None
    conversion_warnings: tuple[str, ...] = ()
    page_count: int | None = None
    word_count: int | None = None
    revision: Revision | None = None
    anchors: tuple[SourceAnchor, ...] = ()
    """Offsets of the Markdown mapped to the source file's pages or paragraphs (converted
    versions; a revision's text no longer lines up with the file, so it has none)."""

    @property
    def label(self) -> str:
        """The version as ``"major.minor"``."""
        return str(self.number)

    @property
    def converted(self) -> bool:
        """True once the version has Markdown."""
        return self.markdown is not None

    @property
    def sha256(self) -> str:
        """The sha256 of the source file this version descends from."""
        return self.source.sha256

    @property
    def diff(self) -> str:
        """Unified diff from the version this one revises ("" for major versions)."""
        return self.revision.diff if self.revision is not None else ""

    @property
    def open_questions(self) -> tuple[OpenQuestion, ...]:
        """The ``[[specify: ...]]`` placeholders accepted suggestions left in this version."""
        return open_questions(self.markdown or "", self.sections)


@attrs.frozen
class DocumentReviewLink:
    """A completed Review of one version, from an old ``DocumentReviewed`` event.

    docsense no longer links reviews on the document stream (see the module docstring);
    ``score`` None: the review assessed no policy.
    """

    review_id: str
    version: VersionNumber
    score: float | None


@attrs.frozen
class DocumentExport:
    """One export of a version to a file format."""

    format: str
    version: VersionNumber
    exported_at: datetime


class DocumentStatus(StrEnum):
    """What last happened to the document's current version."""

    UPLOADED = "uploaded"
    CONVERTED = "converted"
    REVIEWED = "reviewed"
    REVISED = "revised"


@attrs.frozen
class DocumentState:
    """Everything the Document aggregate knows; ``versions`` is oldest first."""

    title: str
    status: DocumentStatus
    versions: tuple[DocumentVersion, ...]
    created_at: datetime
    updated_at: datetime
    reviews: tuple[DocumentReviewLink, ...] = ()
    # Exports change no rule, so the state keeps only the latest and a count (the full list
    # is in the events and the audit read model): unbounded lists make snapshots grow
    # without bound.
    last_export: DocumentExport | None = None
    export_count: int = 0

    @property
    def current(self) -> DocumentVersion:
        """The latest version."""
        return self.versions[-1]

    def find_version(self, number: VersionNumber | str) -> DocumentVersion | None:
        """Return the version with ``number`` (or label ``"1.2"``), or None."""
        wanted = VersionNumber.parse(number) if isinstance(number, str) else number
        return next((v for v in self.versions if v.number == wanted), None)

    def revision_from(self, feedback_session_id: str) -> DocumentVersion | None:
        """Return the version that applied the feedback session ``feedback_session_id``."""
        return next(
            (
                v
                for v in self.versions
                if v.revision is not None and v.revision.feedback_session_id == feedback_session_id
            ),
            None,
        )


# --- events ----------------------------------------------------------------------------------


@domain_event("DocumentUploaded", version=2)
@attrs.frozen(kw_only=True)
class DocumentUploaded(DomainEvent):
    """A file was uploaded as version 1.0 of a new document.

    v2: ``version`` became ``{major, minor}`` (was the string ``"1.0"``) and ``title`` was
    added (v1 events get the file name without its extension).
    """

    filename: str
    media_type: str
    size: int
    sha256: str
    version: VersionNumber
    title: str


@domain_event("DocumentConverted", version=2)
@attrs.frozen(kw_only=True)
class DocumentConverted(DomainEvent):
    """A version's file was converted to Markdown, split into sections and analysed.

    ``anchors`` (since version 2) map Markdown offsets back to the file's pages or
    paragraphs, so findings of later reviews carry the page their quote is on.
    """

    version: VersionNumber
    markdown: str
    sections: tuple[Section, ...]
    ir: SemanticIR
    converter: str
    warnings: tuple[str, ...] = ()
    page_count: int | None = None
    word_count: int = 0
    anchors: tuple[SourceAnchor, ...] = ()


@domain_event("DocumentReviewed", version=1)
@attrs.frozen(kw_only=True)
class DocumentReviewed(DomainEvent):
    """A review of one version completed with ``score`` (no longer recorded; old streams).

    ``score`` is None when the review assessed no policy.
    """

    review_id: str
    version: VersionNumber
    score: float | None


@domain_event("DocumentRevised", version=1)
@attrs.frozen(kw_only=True)
class DocumentRevised(DomainEvent):
    """Accepted feedback (or an edit) produced a new minor version."""

    version: VersionNumber
    base_version: VersionNumber
    markdown: str
    sections: tuple[Section, ...]
    ir: SemanticIR
    diff: str
    review_id: str | None = None
    feedback_session_id: str | None = None
    applied_finding_ids: tuple[str, ...] = ()


@domain_event("DocumentReuploaded", version=1)
@attrs.frozen(kw_only=True)
class DocumentReuploaded(DomainEvent):
    """A new file was uploaded as the next major version; it awaits conversion."""

    version: VersionNumber
    filename: str
    media_type: str
    size: int
    sha256: str


@domain_event("DocumentExported", version=1)
@attrs.frozen(kw_only=True)
class DocumentExported(DomainEvent):
    """A version was exported (``format`` such as ``"md"``, ``"docx"``, ``"html"``)."""

    format: str
    version: VersionNumber


# --- helpers -----------------------------------------------------------------------------------


def title_from_filename(filename: str) -> str:
    """Return the file name without directories or extension: ``"a/b.v2.pdf" -> "b.v2"``."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, _ = base.rpartition(".")
    return stem if dot and stem else base


def unified_diff(old: str, new: str, *, old_label: str, new_label: str) -> str:
    """Return the unified diff of two Markdown texts, as stored in ``DocumentRevised``."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_label,
            tofile=new_label,
        )
    )


def _check_source(filename: str, media_type: str, size: int, sha256: str) -> None:
    if not filename.strip():
        raise InvariantViolation("a document needs a file name")
    if not media_type or "/" not in media_type:
        raise InvariantViolation(f"media type must look like 'type/subtype', got {media_type!r}")
    if size <= 0:
        raise InvariantViolation(f"file size must be positive, got {size}")
    if not _SHA256.fullmatch(sha256):
        raise InvariantViolation(f"sha256 must be 64 lowercase hex digits, got {sha256!r}")


# --- aggregate ---------------------------------------------------------------------------------


class Document(Aggregate[DocumentState]):
    """An uploaded document and all its versions. Create one with :meth:`upload`."""

    kind = "document"
    state_version = 3  # 2: exports reduced to last_export and export_count; 3: anchors
    state_type = DocumentState

    @classmethod
    def upload(
        cls,
        ctx: CommandContext,
        *,
        filename: str,
        media_type: str,
        size: int,
        sha256: str,
        title: str | None = None,
        document_id: str | None = None,
    ) -> Document:
        """Start a document from an uploaded file, as version 1.0 awaiting conversion.

        ``document_id`` chooses the stream id (the application derives one from the file's
        sha256 or the request's idempotency key, so a repeated upload finds the first).
        """
        _check_source(filename, media_type, size, sha256)
        doc = cls(document_id or cls.new_id(ctx))
        doc._record(
            ctx,
            DocumentUploaded,
            filename=filename,
            media_type=media_type,
            size=size,
            sha256=sha256,
            version=VersionNumber(1, 0),
            title=(title or "").strip() or title_from_filename(filename),
        )
        return doc

    def convert(
        self,
        ctx: CommandContext,
        *,
        markdown: str,
        sections: Iterable[Section],
        ir: SemanticIR,
        converter: str,
        warnings: Iterable[str] = (),
        page_count: int | None = None,
        word_count: int | None = None,
        anchors: Iterable[SourceAnchor] = (),
    ) -> DocumentConverted:
        """Record the conversion of the current (uploaded, not yet converted) version."""
        state = self.state
        if state.current.converted:
            raise InvalidTransition(
                self.id,
                state.status.value,
                "convert",
                f"version {state.current.label} is already converted; re-upload to change it",
            )
        if not markdown.strip():
            raise InvariantViolation("conversion produced no text")
        if not converter:
            raise InvariantViolation("name the converter that produced the Markdown")
        if page_count is not None and page_count < 1:
            raise InvariantViolation(f"page count must be positive, got {page_count}")
        anchors = tuple(anchors)
        starts = [a.start for a in anchors]
        inside = not starts or (starts[0] >= 0 and starts[-1] <= len(markdown))
        if starts != sorted(starts) or not inside:
            raise InvariantViolation("anchors must lie within the Markdown, in increasing order")
        return self._record(
            ctx,
            DocumentConverted,
            version=state.current.number,
            markdown=markdown,
            sections=tuple(sections),
            ir=ir,
            converter=converter,
            warnings=tuple(warnings),
            page_count=page_count,
            word_count=len(markdown.split()) if word_count is None else word_count,
            anchors=anchors,
        )

    def record_review(
        self,
        ctx: CommandContext,
        *,
        review_id: str,
        score: float | None,
        version: VersionNumber | None = None,
    ) -> DocumentReviewed:
        """Link a completed review of ``version`` (default: the current one).

        docsense itself no longer calls this (the ``reviews`` read model indexes reviews by
        document); it stays so streams of the older shape can still be made, by tools
        migrating data and by tests of the read models that must keep reading them.
        """
        state = self.state
        target = self._converted_version(version, "record a review of")
        if not review_id:
            raise InvariantViolation("a review link needs the review id")
        if any(link.review_id == review_id for link in state.reviews):
            raise InvariantViolation(f"review {review_id!r} is already recorded")
        if score is not None and not 0.0 <= score <= 1.0:
            raise InvariantViolation(f"a review score is in [0, 1], got {score!r}")
        return self._record(
            ctx, DocumentReviewed, review_id=review_id, version=target.number, score=score
        )

    def revise(
        self,
        ctx: CommandContext,
        *,
        markdown: str,
        sections: Iterable[Section],
        ir: SemanticIR,
        review_id: str | None = None,
        feedback_session_id: str | None = None,
        applied_finding_ids: Iterable[str] = (),
    ) -> DocumentRevised:
        """Make a new minor version of the current version with changed ``markdown``.

        ``review_id`` and ``feedback_session_id`` say which review's feedback the revision
        applies (the application checks the review is of this document). The diff is
        computed here, so it always matches the two versions.
        """
        base = self._converted_version(None, "revise")
        assert base.markdown is not None  # _converted_version guarantees it
        if markdown == base.markdown:
            raise InvariantViolation(f"a revision must change the Markdown of version {base.label}")
        if not markdown.strip():
            raise InvariantViolation("a revision cannot be empty")
        if feedback_session_id is not None and self.state.revision_from(feedback_session_id):
            raise InvariantViolation(f"feedback {feedback_session_id!r} was already applied")
        finding_ids = tuple(applied_finding_ids)
        if len(set(finding_ids)) != len(finding_ids):
            raise InvariantViolation("applied finding ids must be unique")
        number = base.number.next_minor()
        return self._record(
            ctx,
            DocumentRevised,
            version=number,
            base_version=base.number,
            markdown=markdown,
            sections=tuple(sections),
            ir=ir,
            diff=unified_diff(base.markdown, markdown, old_label=base.label, new_label=str(number)),
            review_id=review_id,
            feedback_session_id=feedback_session_id,
            applied_finding_ids=finding_ids,
        )

    def reupload(
        self,
        ctx: CommandContext,
        *,
        filename: str,
        media_type: str,
        size: int,
        sha256: str,
    ) -> DocumentReuploaded:
        """Start the next major version from a new file; it must be converted next."""
        _check_source(filename, media_type, size, sha256)
        return self._record(
            ctx,
            DocumentReuploaded,
            version=self.state.current.number.next_major(),
            filename=filename,
            media_type=media_type,
            size=size,
            sha256=sha256,
        )

    def export(
        self, ctx: CommandContext, *, format: str, version: VersionNumber | None = None
    ) -> DocumentExported:
        """Record an export of ``version`` (default: the current one) to ``format``."""
        target = self._converted_version(version, "export")
        if not format:
            raise InvariantViolation("name the export format")
        return self._record(ctx, DocumentExported, format=format, version=target.number)

    def _converted_version(self, version: VersionNumber | None, command: str) -> DocumentVersion:
        state = self.state
        target = state.current if version is None else state.find_version(version)
        if target is None:
            raise InvariantViolation(f"{self.id} has no version {version}")
        if not target.converted:
            raise InvalidTransition(
                self.id,
                state.status.value,
                command,
                f"version {target.label} is not converted yet; convert it first",
            )
        return target

    # --- evolve --------------------------------------------------------------------------------

    @classmethod
    def evolve(cls, state: DocumentState | None, event: DomainEvent) -> DocumentState:
        """Return the state after ``event`` (pure)."""
        if isinstance(event, DocumentUploaded):
            if state is not None:
                raise InvariantViolation(f"{event.stream_id} was already uploaded")
            source = SourceFile(event.filename, event.media_type, event.size, event.sha256)
            return DocumentState(
                title=event.title,
                status=DocumentStatus.UPLOADED,
                versions=(DocumentVersion(number=event.version, source=source),),
                created_at=event.occurred_at,
                updated_at=event.occurred_at,
            )
        if state is None:
            raise InvariantViolation(f"{event.event_type} before DocumentUploaded")
        state = attrs.evolve(state, updated_at=event.occurred_at)
        if isinstance(event, DocumentConverted):
            converted = attrs.evolve(
                state.current,
                markdown=event.markdown,
                sections=event.sections,
                ir=event.ir,
                converter=event.converter,
                conversion_warnings=event.warnings,
                page_count=event.page_count,
                word_count=event.word_count,
                anchors=event.anchors,
            )
            return attrs.evolve(
                state, status=DocumentStatus.CONVERTED, versions=(*state.versions[:-1], converted)
            )
        if isinstance(event, DocumentReviewed):
            link = DocumentReviewLink(event.review_id, event.version, event.score)
            status = (
                DocumentStatus.REVIEWED if event.version == state.current.number else (state.status)
            )
            return attrs.evolve(state, status=status, reviews=(*state.reviews, link))
        if isinstance(event, DocumentRevised):
            base = state.find_version(event.base_version) or state.current
            revised = DocumentVersion(
                number=event.version,
                source=base.source,
                markdown=event.markdown,
                sections=event.sections,
                ir=event.ir,
                word_count=len(event.markdown.split()),
                revision=Revision(
                    base_version=event.base_version,
                    diff=event.diff,
                    review_id=event.review_id,
                    feedback_session_id=event.feedback_session_id,
                    applied_finding_ids=event.applied_finding_ids,
                ),
            )
            return attrs.evolve(
                state, status=DocumentStatus.REVISED, versions=(*state.versions, revised)
            )
        if isinstance(event, DocumentReuploaded):
            source = SourceFile(event.filename, event.media_type, event.size, event.sha256)
            return attrs.evolve(
                state,
                status=DocumentStatus.UPLOADED,
                versions=(*state.versions, DocumentVersion(number=event.version, source=source)),
            )
        if isinstance(event, DocumentExported):
            export = DocumentExport(event.format, event.version, event.occurred_at)
            return attrs.evolve(state, last_export=export, export_count=state.export_count + 1)
        raise InvariantViolation(f"a Document cannot apply {event.event_type}")
