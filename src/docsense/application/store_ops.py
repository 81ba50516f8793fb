"""Store operations: verify the hash chains, dump and restore, online backup, archival.

Every function takes the storage (or the service, for archival) and works on any adapter
that implements :class:`~docsense.ports.ChainedEventStore` (all built-in ones); others get
:class:`~docsense.errors.NotSupportedByStore`.

Dump format (also the archive format): gzip-compressed JSON Lines, UTF-8.

- line 1, the header: ``{"docsense_dump": 1, "kind": "dump" | "archive", "created_at",
  "source", ...}`` (an archive adds ``documents`` and ``streams``);
- one line per event, in global order: ``position``, ``stream_id``, ``stream_version``,
  ``event_id``, ``event_type``, ``schema_version``, ``occurred_at`` (ISO 8601), ``payload``,
  ``metadata``, ``hash`` (the event's link in its stream's chain);
- one line per stored file (``{"blob": sha256, "size", "data": base64}``), dumps only;
- the last line, the trailer: ``{"end": {"events", "blobs", "sha256"}}``, where ``sha256``
  is the digest of every byte before the trailer (uncompressed). A file without it is
  truncated.

Every line is canonical JSON (sorted keys, compact), so two dumps of the same events are
byte-identical apart from the header and the positions, whatever store they came from.
Memory: a dump holds one page of events (1,000) at a time; a restore also keeps the last
version and hash of every stream (to check each chain as it reads), not the events.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import json
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from docsense.adapters.storage._chain import GENESIS, canonical_json, link, recorded_digest
from docsense.application.ids import new_id
from docsense.application.mapping import EventMapper
from docsense.domain.events import EventMetadata
from docsense.domain.feedback import FeedbackSession
from docsense.domain.operations import OPERATIONS_STREAM, StreamsArchived, StreamsRestored
from docsense.errors import (
    ConcurrencyConflict,
    InvalidArgument,
    InvalidDump,
    NotSupportedByStore,
    StorageError,
    StoreNotEmpty,
)
from docsense.ports import ChainedEvent, ChainedEventStore, RecordedEvent, Storage

if TYPE_CHECKING:
    from docsense.application.service import DocSenseService

__all__ = [
    "DUMP_FORMAT",
    "ArchiveReport",
    "BackupReport",
    "ChainBreak",
    "DumpReport",
    "RestoreReport",
    "VerifyReport",
    "archive",
    "backup",
    "chained_store",
    "dump",
    "inactive_documents",
    "restore",
    "restore_archive",
    "verify",
]

DUMP_FORMAT = 1
"""The version of the dump / archive file format this docsense writes and reads."""

_PAGE = 1000
_COMPRESSION = 6  # gzip's default level: 9 costs about twice the time for 5% less


@attrs.frozen
class ChainBreak:
    """The first place a hash chain does not hold.

    ``problem`` says what: the event's content (or its predecessor's hash) does not give
    its stored hash, versions are missing before it, or it comes out of order.
    """

    stream_id: str
    stream_version: int
    position: int
    problem: str

    def __str__(self) -> str:
        return f"{self.stream_id} version {self.stream_version}: {self.problem}"


@attrs.frozen
class VerifyReport:
    """What :func:`verify` found: ``ok`` if every chain holds.

    ``digest`` (when asked for) is the SHA-256 of every stream's head (``stream_id``, last
    version, last hash; sorted): record it elsewhere, and a later digest that differs shows
    events removed or added at the end of a stream, which no chain can show by itself.
    """

    ok: bool
    events: int
    streams: int
    first_break: ChainBreak | None = None
    digest: str | None = None


@attrs.frozen
class DumpReport:
    """A dump written by :func:`dump` (or an archive by :func:`archive`)."""

    path: str
    events: int
    blobs: int
    bytes: int
    sha256: str
    seconds: float


@attrs.frozen
class RestoreReport:
    """What :func:`restore` (or :func:`restore_archive`) loaded, every hash checked."""

    path: str
    events: int
    blobs: int
    streams: int
    seconds: float


@attrs.frozen
class BackupReport:
    """An online backup written by :func:`backup` and, if asked, verified."""

    path: str
    bytes: int
    events: int
    verified: bool
    seconds: float


@attrs.frozen
class ArchiveReport:
    """An archive written by :func:`archive`; ``removed`` if its streams left the store."""

    path: str
    sha256: str
    documents: tuple[str, ...]
    streams: tuple[str, ...]
    events: int
    removed: bool


def chained_store(storage: Storage, operation: str) -> ChainedEventStore:
    """Return ``storage`` as a ChainedEventStore, or raise NotSupportedByStore."""
    if not isinstance(storage, ChainedEventStore):
        raise NotSupportedByStore(
            operation,
            storage.url,
            "the adapter keeps no hash chain (it does not implement "
            "docsense.ports.ChainedEventStore)",
        )
    return storage


# --- verify ---------------------------------------------------------------------------


async def verify(storage: Storage, *, digest: bool = False) -> VerifyReport:
    """Recompute every stream's hash chain, in global order; report the first break.

    Reads up to the store's head when called (appends made meanwhile are left for the next
    run). A deleted event shows as missing versions, a changed byte of a payload or metadata
    as a hash that does not match, a reordered pair as a version out of order. The last
    events of a stream removed together leave a shorter, valid chain: compare ``digest``
    with one recorded earlier to see that.
    """
    store = chained_store(storage, "verify")
    head = await storage.head()
    heads: dict[str, tuple[int, str]] = {}
    events, after = 0, 0
    first_break: ChainBreak | None = None
    while first_break is None and after < head:
        page = await store.read_all_chained(after, _PAGE)
        if not page:
            break
        for chained in page:
            e = chained.event
            if e.position > head:
                after = head
                break
            events += 1
            first_break = _check_link(heads, chained)
            if first_break is not None:
                break
            heads[e.stream_id] = (e.stream_version, chained.hash)
        else:
            after = page[-1].event.position
    return VerifyReport(
        ok=first_break is None,
        events=events,
        streams=len(heads),
        first_break=first_break,
        digest=_heads_digest(heads) if digest else None,
    )


def _check_link(heads: dict[str, tuple[int, str]], chained: ChainedEvent) -> ChainBreak | None:
    """Return the break at ``chained`` given the heads of its stream before it, or None."""
    e = chained.event
    version, previous = heads.get(e.stream_id, (0, GENESIS))
    if e.stream_version != version + 1:
        if e.stream_version <= version:
            problem = f"out of order: comes after version {version}"
        else:
            missing = (
                f"version {version + 1}"
                if e.stream_version == version + 2
                else f"versions {version + 1}-{e.stream_version - 1}"
            )
            problem = f"{missing} missing before it (deleted, or moved later in the log)"
        return ChainBreak(e.stream_id, e.stream_version, e.position, problem)
    expected = link(previous, _digest(e))
    if expected != chained.hash:
        return ChainBreak(
            e.stream_id,
            e.stream_version,
            e.position,
            "its stored hash does not match its content (payload, metadata, type, "
            "version or id changed) or the hash itself was changed",
        )
    return None


def _digest(e: RecordedEvent) -> str:
    return recorded_digest(
        e.stream_id,
        e.stream_version,
        e.event_type,
        e.schema_version,
        e.event_id,
        e.payload,
        e.metadata,
    )


def _heads_digest(heads: dict[str, tuple[int, str]]) -> str:
    h = hashlib.sha256()
    for stream_id in sorted(heads):
        version, hash_ = heads[stream_id]
        h.update(f"{stream_id}\t{version}\t{hash_}\n".encode())
    return h.hexdigest()


# --- file format ------------------------------------------------------------------------


class _Writer:
    """A dump file being written: gzip, a running SHA-256, renamed into place when done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.sha = hashlib.sha256()
        # Closed by finish() or abandon(): the file outlives this call.
        self.file: gzip.GzipFile = gzip.open(  # noqa: SIM115
            self.partial, "wb", compresslevel=_COMPRESSION
        )

    def write(self, lines: Sequence[str]) -> None:
        data = "".join(f"{line}\n" for line in lines).encode()
        self.sha.update(data)
        self.file.write(data)

    def finish(self, trailer: dict[str, Any]) -> tuple[int, str]:
        """Write the trailer, close, rename; return the file's size and SHA-256."""
        self.file.write((canonical_json({"end": trailer}) + "\n").encode())
        self.file.close()
        os.replace(self.partial, self.path)
        return self.path.stat().st_size, _file_sha256(self.path)

    def abandon(self) -> None:
        self.file.close()
        self.partial.unlink(missing_ok=True)


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


async def _open_writer(path: str | os.PathLike[str]) -> _Writer:
    target = Path(path)

    def open_() -> _Writer:
        if target.exists():
            raise InvalidArgument(f"{str(target)!r} already exists: choose a new file name")
        if not target.parent.is_dir():
            raise InvalidArgument(f"folder {str(target.parent)!r} does not exist")
        return _Writer(target)

    return await asyncio.to_thread(open_)


def _event_line(c: ChainedEvent) -> str:
    e = c.event
    return canonical_json(
        {
            "position": e.position,
            "stream_id": e.stream_id,
            "stream_version": e.stream_version,
            "event_id": e.event_id,
            "event_type": e.event_type,
            "schema_version": e.schema_version,
            "occurred_at": e.occurred_at.isoformat(),
            "payload": e.payload,
            "metadata": e.metadata,
            "hash": c.hash,
        }
    )


class _Reader:
    """A dump file being read: lines, the running SHA-256 of what came before the trailer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.file: gzip.GzipFile = gzip.open(path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise InvalidDump(f"cannot open {str(path)!r}: {exc}") from exc
        self.sha = hashlib.sha256()
        self.trailer: dict[str, Any] | None = None
        self.line_number = 0
        self.record_line = 0  # the line of the last record returned

    def read(self, n: int) -> list[dict[str, Any]]:
        """Return up to ``n`` records (header, events, blobs); [] after the trailer."""
        records: list[dict[str, Any]] = []
        while len(records) < n and self.trailer is None:
            try:
                line = self.file.readline()
            except (OSError, EOFError) as exc:  # not gzip, or cut short
                raise InvalidDump(
                    f"{str(self.path)!r} is not a complete gzip file ({exc})"
                ) from exc
            if not line:
                raise InvalidDump(
                    f"{str(self.path)!r} ends at line {self.line_number} without its "
                    "trailer: the dump is truncated"
                )
            self.line_number += 1
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise InvalidDump(
                    f"{str(self.path)!r} line {self.line_number} is not JSON: {exc}"
                ) from exc
            if not isinstance(record, dict):
                raise InvalidDump(f"{str(self.path)!r} line {self.line_number} is not an object")
            if "end" in record and len(record) == 1:
                self.trailer = record["end"]
                break
            self.sha.update(line)
            records.append(record)
            self.record_line = self.line_number
        return records

    def close(self) -> None:
        self.file.close()


async def _open_reader(path: str | os.PathLike[str]) -> tuple[_Reader, dict[str, Any]]:
    source = Path(path)

    def open_() -> tuple[_Reader, dict[str, Any]]:
        if not source.is_file():
            raise InvalidDump(f"{str(source)!r} does not exist or is not a file")
        reader = _Reader(source)
        try:
            first = reader.read(1)
        except BaseException:
            reader.close()
            raise
        header = first[0] if first else {}
        if header.get("docsense_dump") != DUMP_FORMAT:
            reader.close()
            raise InvalidDump(
                f"{str(source)!r} is not a docsense dump of format {DUMP_FORMAT} (its first "
                f"line is {canonical_json(header)[:120]})"
            )
        return reader, header

    return await asyncio.to_thread(open_)


def _event_of(record: dict[str, Any], where: str) -> ChainedEvent:
    try:
        return ChainedEvent(
            RecordedEvent(
                event_id=str(record["event_id"]),
                event_type=str(record["event_type"]),
                schema_version=int(record["schema_version"]),
                stream_id=str(record["stream_id"]),
                stream_version=int(record["stream_version"]),
                position=int(record["position"]),
                occurred_at=datetime.fromisoformat(record["occurred_at"]),
                payload=dict(record["payload"]),
                metadata=dict(record["metadata"]),
            ),
            str(record["hash"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidDump(f"{where}: not an event record ({type(exc).__name__}: {exc})") from exc


def _check_trailer(reader: _Reader, events: int, blobs: int) -> None:
    trailer = reader.trailer or {}
    if trailer.get("sha256") != reader.sha.hexdigest():
        raise InvalidDump(
            f"{str(reader.path)!r}: its content does not match the digest in its trailer "
            "(the file was changed after it was written)"
        )
    if trailer.get("events") != events or trailer.get("blobs", 0) != blobs:
        raise InvalidDump(
            f"{str(reader.path)!r}: the trailer counts {trailer.get('events')} events and "
            f"{trailer.get('blobs', 0)} files, the file holds {events} and {blobs}"
        )


# --- dump and restore -----------------------------------------------------------------


async def dump(
    storage: Storage, path: str | os.PathLike[str], *, blobs: bool = True
) -> DumpReport:
    """Write every event (and, with ``blobs``, every stored file) to ``path``.

    Streams page by page in constant memory. Events appended while it runs are left out:
    the dump holds the log up to the head at the start, a prefix of the global order, so
    every stream in it is complete up to some version and it restores to a consistent
    store. ``path`` must not exist; the file appears only when complete.
    """
    store = chained_store(storage, "dump")
    started = time.perf_counter()
    head = await storage.head()
    writer = await _open_writer(path)
    events = files = 0
    try:
        header = {
            "docsense_dump": DUMP_FORMAT,
            "kind": "dump",
            "created_at": datetime.now(UTC).isoformat(),
            "source": storage.url,
        }
        await asyncio.to_thread(writer.write, [canonical_json(header)])
        after = 0
        while after < head:
            page = await store.read_all_chained(after, _PAGE)
            page = [c for c in page if c.event.position <= head]
            if not page:
                break
            await asyncio.to_thread(writer.write, [_event_line(c) for c in page])
            events += len(page)
            after = page[-1].event.position
        if blobs:
            files = await _dump_blobs(storage, store, writer)
        size, sha = await asyncio.to_thread(
            writer.finish, {"events": events, "blobs": files, "sha256": writer.sha.hexdigest()}
        )
    except BaseException:
        await asyncio.to_thread(writer.abandon)
        raise
    return DumpReport(str(writer.path), events, files, size, sha, time.perf_counter() - started)


async def _dump_blobs(storage: Storage, store: ChainedEventStore, writer: _Writer) -> int:
    count, after = 0, ""
    while True:
        digests = await store.list_blobs(after, 100)
        if not digests:
            return count
        for digest in digests:
            data = await storage.get_blob(digest)
            line = canonical_json(
                {"blob": digest, "size": len(data), "data": base64.b64encode(data).decode()}
            )
            await asyncio.to_thread(writer.write, [line])
            count += 1
        after = digests[-1]


async def restore(storage: Storage, path: str | os.PathLike[str]) -> RestoreReport:
    """Load the dump at ``path`` into ``storage``, which must hold no event yet.

    Every event's hash is recomputed from its content and its stream's previous hash
    (:class:`~docsense.errors.InvalidDump` at the first that does not match, a stream
    that skips a version, a truncated file or one whose trailer digest or counts do not
    match); events go in in the dump's order, a page per transaction, and the store's
    count is checked at the end. A restore that fails part-way leaves the events loaded
    so far: start again with a new, empty store. Projections rebuild their read models
    from the restored events as they catch up.
    """
    store = chained_store(storage, "restore")
    started = time.perf_counter()
    existing = await store.event_count()
    if existing:
        raise StoreNotEmpty(storage.url, existing)
    reader, header = await _open_reader(path)
    try:
        if header.get("kind") not in ("dump", "archive"):
            raise InvalidDump(f"{str(reader.path)!r} is a {header.get('kind')!r} file")
        events, files, heads = await _load(storage, store, reader)
    except InvalidDump as exc:
        loaded = await store.event_count()
        if not loaded:
            raise
        raise InvalidDump(
            f"{exc} ({loaded} events were restored before it: the store holds a partial "
            "restore; start again with a new, empty store)"
        ) from exc
    finally:
        await asyncio.to_thread(reader.close)
    stored = await store.event_count()
    if stored != events:
        raise StorageError(
            f"restore loaded {events} events but the store holds {stored}: was it written "
            "to while restoring?"
        )
    return RestoreReport(str(reader.path), events, files, len(heads), time.perf_counter() - started)


async def _load(
    storage: Storage, store: ChainedEventStore, reader: _Reader
) -> tuple[int, int, dict[str, tuple[int, str]]]:
    """Check and import every record of ``reader``; return events, blobs and stream heads."""
    heads: dict[str, tuple[int, str]] = {}
    events = files = 0
    while True:
        records = await asyncio.to_thread(reader.read, _PAGE)
        if not records:
            break
        first_line = reader.record_line - len(records) + 1
        batch = _checked_events(records, heads, reader, first_line=first_line)
        if batch:
            await store.import_events(batch)
            events += len(batch)
        for record in records:
            if "blob" in record:
                await _restore_blob(storage, record, reader)
                files += 1
    _check_trailer(reader, events, files)
    return events, files, heads


def _checked_events(
    records: Sequence[dict[str, Any]],
    heads: dict[str, tuple[int, str]],
    reader: _Reader,
    *,
    first_line: int,
) -> list[ChainedEvent]:
    batch: list[ChainedEvent] = []
    for n, record in enumerate(records, start=first_line):
        if "blob" in record:
            continue
        where = f"{str(reader.path)!r} line {n}"
        chained = _event_of(record, where)
        broken = _check_link(heads, chained)
        if broken is not None:
            raise InvalidDump(f"{where}: the hash chain breaks at {broken}")
        heads[chained.event.stream_id] = (chained.event.stream_version, chained.hash)
        batch.append(chained)
    return batch


async def _restore_blob(storage: Storage, record: dict[str, Any], reader: _Reader) -> None:
    try:
        data = base64.b64decode(record["data"], validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidDump(f"{str(reader.path)!r}: file {record.get('blob')} is not base64") from exc
    if hashlib.sha256(data).hexdigest() != record["blob"]:
        raise InvalidDump(f"{str(reader.path)!r}: file {record['blob']} fails its SHA-256")
    await storage.put_blob(data)


# --- backup ---------------------------------------------------------------------------


async def backup(
    storage: Storage, path: str | os.PathLike[str], *, check: bool = True
) -> BackupReport:
    """Copy a SQLite store to ``path`` with SQLite's online backup API, writers running.

    With ``check`` the copy is opened and every hash chain in it verified. Other stores
    raise NotSupportedByStore (use :func:`dump`, or the database's own tools).
    """
    from docsense.adapters.storage.sqlite import SQLiteStorage

    if not isinstance(storage, SQLiteStorage):
        raise NotSupportedByStore(
            "backup", storage.url, "only SQLite files are copied; dump other stores"
        )
    started = time.perf_counter()
    path = Path(path)
    await storage.backup(path)
    events, verified = 0, False
    if check:
        copy = await SQLiteStorage.open(path, inline=False)
        try:
            report = await verify(copy)
        finally:
            await copy.close()
        if not report.ok:
            raise StorageError(f"the backup {str(path)!r} fails verification: {report.first_break}")
        events, verified = report.events, True
    size = await asyncio.to_thread(lambda: Path(path).stat().st_size)
    return BackupReport(str(path), size, events, verified, time.perf_counter() - started)


# --- archival ---------------------------------------------------------------------------


async def _document_streams(service: DocSenseService, document_id: str) -> list[str]:
    """Return the streams of a document: its own, its reviews' and their feedback's."""
    await service.document(document_id)  # DocumentNotFound for an unknown id
    streams = [document_id]
    offset = 0
    while True:
        page = await service.reviews(document_id, limit=200, offset=offset)
        if not page:
            break
        for review in page:
            review_id = str(review["id"])
            streams.append(review_id)
            feedback = FeedbackSession.id_for(review_id)
            if await service.storage.stream_version(feedback):
                streams.append(feedback)
        offset += len(page)
    return streams


async def inactive_documents(service: DocSenseService, before: datetime) -> list[str]:
    """Return the documents nothing has happened to since ``before`` (retention candidates).

    A document is inactive when the last event of its own stream, of each of its reviews
    and of their feedback sessions all occurred before ``before`` (a timezone-aware time).
    Oldest activity first is not guaranteed: the order is the documents list's.
    """
    if before.tzinfo is None:
        raise InvalidArgument("give 'before' with a timezone (e.g. datetime.now(UTC) - ...)")
    found: list[str] = []
    offset = 0
    while True:
        page = await service.documents(limit=200, offset=offset)
        if not page:
            return found
        for row in page:
            if datetime.fromisoformat(str(row["updated_at"])) >= before:
                continue
            document_id = str(row["id"])
            if await _last_activity(service, document_id) < before:
                found.append(document_id)
        offset += len(page)


async def _last_activity(service: DocSenseService, document_id: str) -> datetime:
    storage = service.storage
    latest = datetime.min.replace(tzinfo=UTC)
    for stream_id in await _document_streams(service, document_id):
        version = await storage.stream_version(stream_id)
        if version:
            last = await storage.read_stream(stream_id, version - 1)
            if last:
                latest = max(latest, last[-1].occurred_at)
    return latest


async def _record(service: DocSenseService, make: Any) -> None:
    """Append the operations event ``make(stream_version)`` builds (retried on conflicts)."""
    storage: Storage = service.storage
    mapper = EventMapper()
    for _ in range(20):
        version = await storage.stream_version(OPERATIONS_STREAM)
        event = make(version + 1)
        try:
            await storage.append(OPERATIONS_STREAM, [mapper.to_new_event(event)], version)
            return
        except ConcurrencyConflict:
            continue
    raise StorageError(f"could not record the operation in {OPERATIONS_STREAM}: too busy")


async def archive(
    service: DocSenseService,
    document_ids: Sequence[str],
    path: str | os.PathLike[str],
    *,
    remove: bool = False,
    actor: str | None = None,
) -> ArchiveReport:
    """Write the streams of ``document_ids`` to the archive ``path``; remove them if asked.

    ``service`` is a :class:`~docsense.application.service.DocSenseService`. The archive
    holds each document's stream, its reviews' and their feedback sessions', with every
    hash. A ``StreamsArchived`` event in the ``operations-store`` stream records what was
    archived, to which file (its SHA-256) and by whom (``actor``, default the service's),
    before anything is removed. With ``remove`` the streams then leave the store and every
    projection is rebuilt, so read models forget them; stored files (blobs) stay. Bring
    them back with :func:`restore_archive`.
    """
    storage: Storage = service.storage
    store = chained_store(storage, "archive")
    documents = tuple(dict.fromkeys(document_ids))
    if not documents:
        raise InvalidArgument("name at least one document to archive")
    by_document = {d: await _document_streams(service, d) for d in documents}
    streams = [s for mine in by_document.values() for s in mine]
    writer = await _open_writer(path)
    heads: dict[str, str] = {}
    events = 0
    try:
        header = {
            "docsense_dump": DUMP_FORMAT,
            "kind": "archive",
            "created_at": datetime.now(UTC).isoformat(),
            "source": storage.url,
            "documents": list(documents),
            "streams": streams,
        }
        await asyncio.to_thread(writer.write, [canonical_json(header)])
        for mine in by_document.values():
            chained: list[ChainedEvent] = []
            for stream_id in mine:
                chained.extend(await store.read_stream_chained(stream_id))
            chained.sort(key=lambda c: c.event.position)  # the log's order, across streams
            for c in chained:
                heads[c.event.stream_id] = c.hash
            await asyncio.to_thread(writer.write, [_event_line(c) for c in chained])
            events += len(chained)
        size, sha = await asyncio.to_thread(
            writer.finish, {"events": events, "blobs": 0, "sha256": writer.sha.hexdigest()}
        )
    except BaseException:
        await asyncio.to_thread(writer.abandon)
        raise
    del size
    metadata = EventMetadata(actor=actor or service.actor, correlation_id=new_id())
    await _record(
        service,
        lambda version: StreamsArchived(
            event_id=new_id(),
            stream_id=OPERATIONS_STREAM,
            stream_version=version,
            occurred_at=datetime.now(UTC),
            metadata=metadata,
            archive=Path(path).name,
            archive_sha256=sha,
            documents=documents,
            streams=tuple(streams),
            events=events,
            heads=heads,
            removed=remove,
        ),
    )
    if remove:
        await store.remove_streams(streams)
        service.repository.forget(streams)
        await service.projections.rebuild_many()
    return ArchiveReport(str(writer.path), sha, documents, tuple(streams), events, remove)


async def restore_archive(
    service: DocSenseService, path: str | os.PathLike[str], *, actor: str | None = None
) -> RestoreReport:
    """Put the streams of the archive ``path`` back in the store, every hash verified.

    The whole archive is read and checked first (chains from each stream's first event,
    trailer digest and counts), then stored in one transaction, after the store's current
    events (projections pick them up as new events). Refused (InvalidArgument) if any of
    its streams is in the store. A ``StreamsRestored`` event records it, by ``actor``.
    """
    storage: Storage = service.storage
    store = chained_store(storage, "restore-archive")
    started = time.perf_counter()
    reader, header = await _open_reader(path)
    try:
        if header.get("kind") != "archive":
            raise InvalidDump(
                f"{str(reader.path)!r} is a {header.get('kind')!r} file, not an archive"
            )
        heads: dict[str, tuple[int, str]] = {}
        chained: list[ChainedEvent] = []
        while True:
            records = await asyncio.to_thread(reader.read, _PAGE)
            if not records:
                break
            chained.extend(
                _checked_events(
                    records, heads, reader, first_line=reader.record_line - len(records) + 1
                )
            )
        _check_trailer(reader, len(chained), 0)
    finally:
        await asyncio.to_thread(reader.close)
    present = [s for s in heads if await storage.stream_version(s)]
    if present:
        raise InvalidArgument(
            f"{', '.join(present[:5])} already in the store: an archive is restored only "
            "into a store without its streams"
        )
    sha = await asyncio.to_thread(_file_sha256, Path(path))
    await store.import_events(chained)
    documents = tuple(str(d) for d in header.get("documents", ()))
    metadata = EventMetadata(actor=actor or service.actor, correlation_id=new_id())
    await _record(
        service,
        lambda version: StreamsRestored(
            event_id=new_id(),
            stream_id=OPERATIONS_STREAM,
            stream_version=version,
            occurred_at=datetime.now(UTC),
            metadata=metadata,
            archive=Path(path).name,
            archive_sha256=sha,
            documents=documents,
            streams=tuple(heads),
            events=len(chained),
        ),
    )
    return RestoreReport(str(path), len(chained), 0, len(heads), time.perf_counter() - started)

