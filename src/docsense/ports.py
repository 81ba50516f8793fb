"""Ports: the interfaces the application layer needs from the outside world.

Adapters implement these ``typing.Protocol`` classes; nothing here names a concrete adapter.
Storage ports are async first. The data they carry (:class:`NewEvent`, :class:`RecordedEvent`,
:class:`Snapshot`) is plain JSON-ready data, so a third-party adapter never needs to know the
domain's event classes. ``docsense.testing`` holds the contract suites an adapter must pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from docsense.domain.ir import Section, SemanticIR
from docsense.domain.policies import Policy
from docsense.domain.review import NotAssessed, Usage

__all__ = [
    "BatchReviewer",
    "BatchStatus",
    "BlobStore",
    "ChainedEvent",
    "ChainedEventStore",
    "Checkpoint",
    "DeadLetter",
    "EventStore",
    "Filter",
    "Job",
    "JobQueue",
    "NewEvent",
    "ProjectionCommit",
    "ProjectionStore",
    "QueueStats",
    "RawFinding",
    "ReadModelChange",
    "RecordedEvent",
    "ReviewRequest",
    "Reviewer",
    "ReviewerResult",
    "Snapshot",
    "SnapshotStore",
    "Storage",
    "StoreSize",
]

JSONObject = Mapping[str, Any]


@attrs.frozen
class NewEvent:
    """An event to append: everything but its stream position, which the store assigns."""

    event_id: str
    event_type: str
    schema_version: int
    occurred_at: datetime
    payload: JSONObject
    metadata: JSONObject = attrs.field(factory=dict)


@attrs.frozen
class RecordedEvent:
    """An event as stored.

    ``stream_version`` counts from 1 within its stream. ``position`` is the event's place in
    the store's global order: a non-negative int, strictly increasing in ``read_all`` order.
    Its magnitude and gaps are adapter-specific; only its order means anything.
    """

    event_id: str
    event_type: str
    schema_version: int
    stream_id: str
    stream_version: int
    position: int
    occurred_at: datetime
    payload: JSONObject
    metadata: JSONObject


@attrs.frozen
class Snapshot:
    """An aggregate's state at ``version`` (its stream version), in JSON-ready form.

    ``schema_version`` is the aggregate class's ``state_version`` when the snapshot was taken;
    a snapshot at any other version is ignored on load.
    """

    stream_id: str
    version: int
    schema_version: int
    state: JSONObject


@runtime_checkable
class EventStore(Protocol):
    """An append-only log of streams with a global order.

    Contract (``docsense.testing.StorageContract`` checks every point):

    - ``append`` is atomic: all of ``events`` are stored, or none.
    - ``expected_version`` is the number of events the caller believes the stream holds
      (0 for a new stream). Any other current version raises
      :class:`~docsense.errors.ConcurrencyConflict`, also when two callers create the same new
      stream at once. No driver exception escapes.
    - Appending events whose ids are all already stored, at the same versions of the same
      stream, is a no-op that returns the stored positions (safe retries).
    - ``read_all`` returns events in global order, and never skips an event that commits later
      with a lower position than one already returned.
    """

    async def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> list[int]:
        """Append ``events`` to ``stream_id``; return their global positions."""
        ...

    async def read_stream(self, stream_id: str, from_version: int = 0) -> list[RecordedEvent]:
        """Return the stream's events with ``stream_version > from_version``, oldest first."""
        ...

    async def stream_version(self, stream_id: str) -> int:
        """Return the number of events in ``stream_id`` (0 if it does not exist)."""
        ...

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Return up to ``limit`` events with ``position > after`` in global order."""
        ...

    async def head(self) -> int:
        """Return the position of the last event ``read_all`` can return now (0 if none)."""
        ...


@runtime_checkable
class SnapshotStore(Protocol):
    """Latest-snapshot storage, kept apart from the event log."""

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        """Store ``snapshot``, replacing an older one of the same stream."""
        ...

    async def load_snapshot(self, stream_id: str) -> Snapshot | None:
        """Return the latest snapshot of ``stream_id``, or None."""
        ...


@runtime_checkable
class BlobStore(Protocol):
    """Content-addressed storage of original file bytes, keyed by SHA-256 hex digest."""

    async def put_blob(self, data: bytes) -> str:
        """Store ``data`` once and return its SHA-256 hex digest."""
        ...

    async def get_blob(self, sha256: str) -> bytes:
        """Return the bytes under ``sha256``; raise ``docsense.errors.BlobNotFound`` if absent."""
        ...

    async def has_blob(self, sha256: str) -> bool:
        """Return True if bytes are stored under ``sha256``."""
        ...


# --- projections ----------------------------------------------------------------------------


@attrs.frozen
class Checkpoint:
    """Where a projection generation has got to in the global order.

    ``generation`` numbers successive builds of one projection's read model; readers see the
    ``active`` one, while a rebuild fills a newer one until it is swapped in.
    """

    projection: str
    generation: int
    position: int
    active: bool


@attrs.frozen
class ReadModelChange:
    """One staged read-model write: ``doc`` None deletes the key."""

    collection: str
    key: str
    doc: JSONObject | None


@attrs.frozen
class DeadLetter:
    """An event a projection could not apply, parked with its error after N attempts."""

    projection: str
    generation: int
    event_id: str
    position: int
    event_type: str
    stream_id: str
    error: str
    traceback: str
    attempts: int
    parked_at: datetime


@attrs.frozen
class Filter:
    """A condition on a top-level field of read-model documents.

    ``op`` is one of ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` and ``in`` (value a list).
    Values compare as JSON scalars: strings with strings (ISO timestamps sort as times),
    numbers with numbers.
    """

    field: str
    op: str
    value: Any


@attrs.frozen
class ProjectionCommit:
    """Everything one projection batch writes, committed atomically with its checkpoint."""

    projection: str
    generation: int
    expected_position: int
    new_position: int
    changes: tuple[ReadModelChange, ...] = ()
    parked: tuple[DeadLetter, ...] = ()
    unparked: tuple[str, ...] = ()


@runtime_checkable
class ProjectionStore(Protocol):
    """Read models, projection checkpoints and dead letters, in the event store's database.

    Contract (``docsense.testing.ProjectionStoreContract``): :meth:`commit` applies all of a
    :class:`ProjectionCommit` or none of it, and only if the generation's checkpoint is still
    at ``expected_position`` (otherwise :class:`~docsense.errors.ProjectionConflict`): a
    crash or a second runner can never apply a batch twice or skip one.
    """

    @property
    def overlaps_commits(self) -> bool:
        """Whether a runner gains by projecting the next batch while a commit is in flight.

        True when a commit's work happens outside this process (a database server); False
        when it would compete with the runner's handlers for the interpreter (an in-process
        database driven from a thread, or memory).
        """
        ...

    async def checkpoints(self, projection: str) -> list[Checkpoint]:
        """Return the projection's generations (none before its first commit)."""
        ...

    async def start_generation(self, projection: str) -> Checkpoint:
        """Create a new, empty, inactive generation at position 0 (the first one is active)."""
        ...

    async def activate_generation(self, projection: str, generation: int) -> None:
        """Make ``generation`` the one readers see and drop every other generation's data."""
        ...

    async def commit(self, batch: ProjectionCommit) -> None:
        """Apply ``batch`` atomically if its checkpoint is still at ``expected_position``."""
        ...

    async def get_doc(
        self, projection: str, generation: int, collection: str, key: str
    ) -> JSONObject | None:
        """Return one committed document of a generation, or None."""
        ...

    async def query(
        self,
        projection: str,
        collection: str,
        *,
        filters: Sequence[Filter] = (),
        order_by: str | None = None,
        descending: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> list[JSONObject]:
        """Return documents of the active generation matching every filter, paginated."""
        ...

    async def count(
        self, projection: str, collection: str, *, filters: Sequence[Filter] = ()
    ) -> int:
        """Return how many documents of the active generation match every filter."""
        ...

    async def dead_letters(self, projection: str | None = None) -> list[DeadLetter]:
        """Return parked events of active generations (of one projection, or all)."""
        ...


@runtime_checkable
class Storage(EventStore, SnapshotStore, BlobStore, Protocol):
    """One backend providing every storage port, opened from a URL and closed when done."""

    async def wait_for_events(self, max_wait: float) -> None:
        """Return soon after an append (where the backend can tell) or after ``max_wait`` s."""
        ...

    @property
    def projections(self) -> ProjectionStore:
        """The projection store kept in the same backend (read models and checkpoints)."""
        ...

    @property
    def url(self) -> str:
        """The URL the storage was opened with, with any password removed."""
        ...

    async def close(self) -> None:
        """Release connections and files. Idempotent."""
        ...


@attrs.frozen
class ChainedEvent:
    """A stored event with ``hash``, its link in its stream's hash chain (tamper evidence).

    ``hash`` is ``sha256(previous hash + digest of the event's canonical encoding)``, in
    lower-case hex; see :mod:`docsense.adapters.storage._chain` for the exact encoding.
    """

    event: RecordedEvent
    hash: str


@runtime_checkable
class ChainedEventStore(Protocol):
    """What a store offers for verification, dump and restore, and archival.

    The built-in adapters implement it (the memory store without :meth:`remove_streams`,
    which raises :class:`~docsense.errors.NotSupportedByStore`). Operations a store does
    not offer at all raise :class:`~docsense.errors.NotSupportedByStore` in
    :mod:`docsense.application.store_ops`.
    """

    async def read_all_chained(self, after: int = 0, limit: int = 1000) -> list[ChainedEvent]:
        """Return ``read_all(after, limit)`` with each event's stored hash."""
        ...

    async def read_stream_chained(self, stream_id: str) -> list[ChainedEvent]:
        """Return every event of ``stream_id`` with its stored hash, in version order."""
        ...

    async def import_events(self, events: Sequence[ChainedEvent]) -> int:
        """Store ``events`` (in the order given, one transaction) with their hashes as given.

        Each event must continue its stream (the stream at ``stream_version - 1``); its
        position is the store's next one, not ``event.position``. Returns how many were
        stored. The caller checks the hashes (a restore recomputes every one first).
        """
        ...

    async def remove_streams(self, stream_ids: Sequence[str]) -> int:
        """Delete every event and snapshot of ``stream_ids``; return the events deleted.

        The store's last event must not be among them (append the audit record first), so
        that no global position is ever reused.
        """
        ...

    async def event_count(self) -> int:
        """Return the number of events stored."""
        ...

    async def list_blobs(self, after: str = "", limit: int = 100) -> list[str]:
        """Return up to ``limit`` stored blob digests greater than ``after``, sorted."""
        ...


# --- review -----------------------------------------------------------------------------------
# Appended for the review engine (issue 4). Reviewers return *raw* findings: a quote and what
# they claim about it. The shared finding pipeline (docsense.review) grounds each quote in the
# document, computes its location, drops what it cannot ground, de-duplicates and scores, so
# no reviewer ever decides where a finding is.


@attrs.frozen(kw_only=True)
class ReviewRequest:
    """What a reviewer is asked to review: one document version against some policies.

    ``policies`` come from one or more packs (ids are unique across them). ``sections`` and
    ``ir`` are the document's structure and semantic IR; an LLM reviewer sends them to the
    model as delimited data, never as instructions.
    """

    document_id: str
    markdown: str
    sections: tuple[Section, ...]
    ir: SemanticIR
    policies: tuple[Policy, ...]
    title: str | None = None


@attrs.frozen(kw_only=True)
class RawFinding:
    """A finding as a reviewer reports it, before grounding.

    ``quote`` is the exact document text the finding is about (empty for an absent-content
    finding such as a missing section). ``category`` and ``severity`` are the vocabulary
    strings (``"undefined_parameter"``, ``"high"``); None or an unknown value falls back to
    the policy's. ``hint`` is an offset used only to choose between several occurrences of
    the quote; the location is always computed from the quote. ``source`` is set only by a
    reviewer that merges others (``rules+anthropic:...``) to keep each finding's own source;
    None means the result's ``source``.

    ``check`` names the deterministic check that found it and ``subject`` what it is about
    (a phrase, a document name, a variable); the pipeline groups findings of one policy,
    check and subject into one finding with every place. LLM reviewers leave both None: their
    findings group by title.
    """

    policy_id: str
    title: str
    quote: str = ""
    description: str = ""
    category: str | None = None
    severity: str | None = None
    suggested_fix: str = ""
    replacement: str | None = None
    confidence: float | None = None
    hint: int | None = None
    source: str | None = None
    check: str | None = None
    subject: str | None = None


@attrs.frozen(kw_only=True)
class ReviewerResult:
    """What a reviewer returns: raw findings, which policies it assessed, and its usage.

    ``assessed`` names the policies the reviewer actually evaluated (a policy it could not
    evaluate is "not assessed", not "satisfied"). ``not_assessed`` says why, for the
    policies of the request it could not assess (the model refused, the provider blocked
    the answer, the answer was unusable); a policy in neither is simply one the reviewer
    does not evaluate. ``source`` is ``"rules"`` or ``"llm:<model>"`` and becomes each
    finding's ``source``.
    """

    findings: tuple[RawFinding, ...]
    assessed: frozenset[str]
    source: str
    usage: Usage = attrs.field(factory=Usage)
    warnings: tuple[str, ...] = ()
    not_assessed: Mapping[str, NotAssessed] = attrs.field(factory=dict)


@runtime_checkable
class Reviewer(Protocol):
    """Reviews a document against policies: the offline rules reviewer and every LLM adapter.

    Implementations raise :class:`~docsense.errors.ReviewerError` (or a subclass) when they
    cannot review; they never raise an SDK's own exceptions.
    """

    @property
    def spec(self) -> str:
        """The reviewer spec, e.g. ``"rules"`` or ``"anthropic:claude-sonnet-5-5"``."""
        ...

    async def review(self, request: ReviewRequest) -> ReviewerResult:
        """Review ``request`` and return raw findings with usage."""
        ...


@runtime_checkable
class BatchReviewer(Reviewer, Protocol):
    """A reviewer that can also send many reviews as one provider batch (half price).

    The ticket :meth:`submit_batch` returns is plain JSON: the job queue stores it, and
    :meth:`collect_batch` (given the same requests, in the same order) turns the ended batch
    into one result per request.
    """

    async def submit_batch(self, requests: Sequence[ReviewRequest]) -> dict[str, Any]:
        """Submit every call of ``requests`` as one batch; return the JSON ticket."""
        ...

    async def collect_batch(
        self, ticket: Mapping[str, Any], requests: Sequence[ReviewRequest]
    ) -> list[ReviewerResult] | None:
        """Return one result per request once the batch has ended, None while it runs."""
        ...


# --- jobs -----------------------------------------------------------------------------------


@attrs.frozen
class Job:
    """A queued unit of work (a review), as claimed by a worker."""

    id: str
    batch_id: str | None
    kind: str
    payload: JSONObject
    status: str
    """``queued``, ``running`` (leased), ``done`` or ``failed`` (attempts exhausted)."""
    attempts: int
    max_attempts: int
    lease_owner: str | None = None
    result: JSONObject | None = None
    error: str | None = None


@attrs.frozen
class BatchStatus:
    """How far a batch of jobs has got."""

    batch_id: str
    total: int
    queued: int
    running: int
    done: int
    failed: int

    @property
    def finished(self) -> bool:
        """True when no job of the batch is queued or running."""
        return self.queued == 0 and self.running == 0


@runtime_checkable
class JobQueue(Protocol):
    """Jobs claimed by workers under a lease; a dead worker's job is claimed again later.

    Claims are exclusive while a lease lasts; a lease that expires (its worker died or
    stalled) makes the job claimable again, so handlers must be idempotent per job id.
    """

    async def enqueue(
        self, kind: str, payloads: Sequence[JSONObject], *, batch_id: str | None = None,
        max_attempts: int = 3,
    ) -> list[str]:
        """Queue one job per payload; return their ids."""
        ...

    async def claim(self, worker: str, *, lease_seconds: float) -> Job | None:
        """Lease the oldest claimable job to ``worker``, or return None."""
        ...

    async def extend(self, job_id: str, worker: str, *, lease_seconds: float) -> bool:
        """Renew ``worker``'s lease; False if it no longer holds the job."""
        ...

    async def complete(self, job_id: str, worker: str, result: JSONObject) -> bool:
        """Mark the job done; False if ``worker`` no longer holds it."""
        ...

    async def fail(
        self, job_id: str, worker: str, error: str, *, retry_after: float
    ) -> bool:
        """Record a failed attempt: requeue after ``retry_after`` s, or fail for good."""
        ...

    async def get_job(self, job_id: str) -> Job | None:
        """Return a job by id."""
        ...

    async def batch_status(self, batch_id: str) -> BatchStatus:
        """Return counts of a batch's jobs by status."""
        ...


# --- health ---------------------------------------------------------------------------------


@attrs.frozen
class StoreSize:
    """How big a store is: its events, and its database's size in bytes (None: unknown).

    The built-in adapters offer it as ``async store_size()`` (optional for other adapters).
    """

    events: int
    bytes: int | None = None


@attrs.frozen
class QueueStats:
    """The state of a job queue as a whole, for health checks.

    Job queues that offer it implement ``async stats()`` (the built-in ones do).
    """

    queued: int
    """Jobs waiting and due now."""
    scheduled: int
    """Jobs waiting for a retry time still to come (a provider batch's next poll...)."""
    running: int
    """Jobs leased to a worker whose lease is still valid."""
    expired: int
    """Jobs whose worker's lease ran out (the worker died or stalled; another will claim)."""
    failed: int
    done: int
    oldest_wait_s: float
    """How long the oldest due job has been waiting, in seconds (0 if none)."""
    lease_owners: tuple[str, ...] = ()
    """The workers holding valid leases now."""
