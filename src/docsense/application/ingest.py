"""Ingest: convert a file and store it as a new document or a new version, exactly once.

- **Bytes already stored return their document.** A new document's stream id is derived
  from its file's sha256, so a second upload of the same bytes (or two at once) finds the
  first (:func:`file_stream_id`); a file first stored otherwise (as a later version, or
  before ids were derived) is found through the ``documents/files`` read model. ``force_new``
  makes a new document anyway.
- **A retried request returns the first result.** With an idempotency key, a new document's
  id is derived from the key; a new version is found by the key in its events' metadata.
- **New versions commute.** A re-upload that meets another change to the document reads it
  again and retries; re-uploading the current bytes returns the document unchanged.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable

import attrs

from docsense import telemetry
from docsense.adapters.convert import ConvertedDocument, IngestLimits, convert_document
from docsense.application.idempotency import derived_id, find_keyed, keyed_stream_id
from docsense.application.ids import new_id
from docsense.application.read_models import document_with_file
from docsense.application.repository import Repository
from docsense.application.retries import DEFAULT_RETRY, RetryPolicy, Sleep, retry_on_conflict
from docsense.domain.documents import Document
from docsense.domain.events import CommandContext
from docsense.domain.ir import SemanticIR
from docsense.errors import (
    ConcurrencyConflict,
    DocumentNotFound,
    IdempotencyKeyReused,
)
from docsense.extraction import extract_ir
from docsense.ports import Storage

__all__ = ["IngestCommands", "file_stream_id", "load_document"]

logger = logging.getLogger(__name__)


async def load_document(repository: Repository, document_id: str) -> Document:
    """Load a document; DocumentNotFound (a LookupError) for unknown or malformed ids."""
    if not isinstance(document_id, str) or not document_id.startswith("document-"):
        raise DocumentNotFound(str(document_id))
    doc: Document = await repository.load(Document, document_id)
    return doc


def file_stream_id(sha256: str) -> str:
    """Return the id a document first uploaded from the file with ``sha256`` gets."""
    return f"document-{derived_id('document', 'sha256', sha256)}"


class IngestCommands:
    """Stores uploaded files as documents and versions, over a repository and a store."""

    def __init__(
        self,
        storage: Storage,
        repository: Repository,
        *,
        limits: IngestLimits,
        fresh: Callable[[str], Awaitable[None]],
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._storage = storage
        self._repository = repository
        self._limits = limits
        self._fresh = fresh
        self._retry = retry
        self._sleep = sleep

    async def ingest(
        self,
        data: bytes,
        filename: str,
        ctx: CommandContext,
        *,
        title: str | None = None,
        document_id: str | None = None,
        declared_mime: str | None = None,
        force_new: bool = False,
    ) -> Document:
        """Convert and store a file: a new document, or a new major version of ``document_id``.

        The request's idempotency key is ``ctx.metadata.idempotency_key``.
        """
        with telemetry.span("docsense.ingest", {"docsense.filename": filename}) as traced:
            doc, outcome = await self._ingest(
                data, filename, ctx, title=title, document_id=document_id,
                declared_mime=declared_mime, force_new=force_new,
            )
            traced.set_attribute("docsense.document.id", doc.id)
            traced.set_attribute("docsense.ingest.outcome", outcome)
        telemetry.count_ingest(outcome)
        return doc

    async def _ingest(
        self,
        data: bytes,
        filename: str,
        ctx: CommandContext,
        *,
        title: str | None,
        document_id: str | None,
        declared_mime: str | None,
        force_new: bool,
    ) -> tuple[Document, str]:
        """Ingest; return the document and the outcome (see :func:`telemetry.count_ingest`)."""
        key = ctx.metadata.idempotency_key
        sha256 = await asyncio.to_thread(_sha256, data)
        if document_id is None:
            earlier = await self._stored_upload(sha256, key, force_new=force_new)
        else:
            earlier = await self._keyed_version(document_id, sha256, key)
        if earlier is not None:
            logger.info("%s: the same file as %s; not ingested again", filename, earlier.id)
            return earlier, "already_stored"
        with telemetry.span("docsense.convert") as traced:
            converted = await asyncio.to_thread(
                convert_document, data, filename, declared_mime=declared_mime,
                limits=self._limits,
            )
            traced.set_attribute("docsense.media_type", converted.media_type.value)
            traced.set_attribute("docsense.pages", converted.pages or 0)
        with telemetry.span("docsense.extract_ir"):
            ir = await asyncio.to_thread(
                extract_ir, converted.markdown, converted.sections, converted.anchors
            )
        await self._storage.put_blob(data)
        upload = _Upload(converted, ir, sha256, len(data))
        if document_id is None:
            doc = await self._upload(ctx, upload, title, key, force_new=force_new)
        else:
            doc = await self._reupload(ctx, document_id, upload, force_new=force_new)
        logger.info(
            "ingested %s as %s version %s", converted.filename, doc.id, doc.state.current.label
        )
        return doc, "new_document" if document_id is None else "new_version"

    async def _upload(
        self,
        ctx: CommandContext,
        upload: _Upload,
        title: str | None,
        key: str | None,
        *,
        force_new: bool,
    ) -> Document:
        """Store a new document; its id comes from the key, else from the file's sha256."""
        if key is not None:
            stream = keyed_stream_id("document", key)
        elif force_new:
            stream = f"document-{new_id()}"
        else:
            stream = file_stream_id(upload.sha256)
        converted = upload.converted
        doc = Document.upload(
            ctx,
            filename=converted.filename,
            media_type=converted.media_type.value,
            size=upload.size,
            sha256=upload.sha256,
            title=title or converted.title or None,
            document_id=stream,
        )
        upload.record_conversion(doc, ctx)
        try:
            await self._repository.save(doc)
        except ConcurrencyConflict:
            return await self._same_upload(stream, upload.sha256, key)  # a rival stored it
        return doc

    async def _reupload(
        self, ctx: CommandContext, document_id: str, upload: _Upload, *, force_new: bool
    ) -> Document:
        """Store a new major version of ``document_id`` (retried if the document changes)."""
        converted = upload.converted

        async def attempt() -> Document:
            current = await load_document(self._repository, document_id)
            if current.state.current.sha256 == upload.sha256 and not force_new:
                return current  # already this file (a rival's or our own retry)
            current.reupload(
                ctx,
                filename=converted.filename,
                media_type=converted.media_type.value,
                size=upload.size,
                sha256=upload.sha256,
            )
            upload.record_conversion(current, ctx)
            await self._repository.save(current)
            return current

        doc: Document = await retry_on_conflict(
            attempt,
            what=f"upload a new version of {document_id}",
            policy=self._retry,
            sleep=self._sleep,
        )
        return doc

    async def _keyed_version(
        self, document_id: str, sha256: str, key: str | None
    ) -> Document | None:
        """Return the document if the request ``key`` already uploaded this version of it."""
        doc = await load_document(self._repository, document_id)
        if key is None:
            return None
        earlier = await find_keyed(self._storage, document_id, key)
        if not earlier:
            return None
        uploaded = [e for e in earlier if e.event_type == "DocumentReuploaded"]
        if [e.payload.get("sha256") for e in uploaded] != [sha256]:
            raise IdempotencyKeyReused(key, f"for another request on {document_id}")
        return doc

    async def _stored_upload(
        self, sha256: str, key: str | None, *, force_new: bool
    ) -> Document | None:
        """Return the document a new upload of these bytes (with ``key``) should return."""
        if key is not None:
            try:
                return await self._same_upload(keyed_stream_id("document", key), sha256, key)
            except DocumentNotFound:
                pass
        if force_new or not await self._storage.has_blob(sha256):
            return None
        try:
            return await self._repository.load(Document, file_stream_id(sha256))
        except DocumentNotFound:
            pass
        await self._fresh("documents")
        row = await document_with_file(self._storage.projections, sha256)
        if row is None:
            return None
        return await load_document(self._repository, str(row["document_id"]))

    async def _same_upload(self, stream: str, sha256: str, key: str | None) -> Document:
        doc = await self._repository.load(Document, stream)
        first = doc.state.versions[0].sha256
        if key is not None and first != sha256:
            raise IdempotencyKeyReused(key, f"to ingest another file (as {doc.id})")
        return doc


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@attrs.frozen
class _Upload:
    """A converted file about to be stored: the conversion, its IR, sha256 and size."""

    converted: ConvertedDocument
    ir: SemanticIR
    sha256: str
    size: int

    def record_conversion(self, doc: Document, ctx: CommandContext) -> None:
        converted = self.converted
        doc.convert(
            ctx,
            markdown=converted.markdown,
            sections=converted.sections,
            ir=self.ir,
            converter=f"docsense:{converted.media_type.name.lower()}",
            warnings=converted.warnings,
            page_count=converted.pages,
            word_count=converted.words,
            anchors=converted.anchors,
        )
