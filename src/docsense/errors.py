"""One exception hierarchy for everything docsense raises.

Every error a caller can act on derives from :class:`DocSenseError`, and each subclass says in
its message what went wrong and what to do about it. Driver, parser and SDK exceptions never
escape the library: adapters translate them into one of these.

>>> from docsense.errors import DocSenseError, ConcurrencyConflict
>>> issubclass(ConcurrencyConflict, DocSenseError)
True
"""

from __future__ import annotations

import errno
from collections.abc import Sequence

__all__ = [
    "AggregateNotFound",
    "ArchiveLimitExceeded",
    "AuthenticationFailed",
    "BlobNotFound",
    "CheckFailed",
    "CircuitOpen",
    "ConcurrencyConflict",
    "ConfigurationError",
    "CorruptDocument",
    "DocSenseError",
    "DocumentNotFound",
    "DomainError",
    "DuplicateEventId",
    "EmptyDocument",
    "EncryptedDocument",
    "EventDecodingError",
    "FeedbackAlreadyApplied",
    "FileTooLarge",
    "FileTypeMismatch",
    "FindingNotFound",
    "IdempotencyKeyReused",
    "IngestError",
    "IngestTimeout",
    "InputFileNotFound",
    "InvalidArgument",
    "InvalidDump",
    "InvalidFilename",
    "InvalidModelOutput",
    "InvalidTransition",
    "InvariantViolation",
    "MigrationError",
    "MissingApiKey",
    "MissingDependency",
    "MissingUpcaster",
    "NotSupportedByStore",
    "PermissionDenied",
    "PolicyPackError",
    "ProjectionConflict",
    "ProviderError",
    "ProviderTimeout",
    "QuotaExhausted",
    "RateLimited",
    "ReviewError",
    "ReviewNotFound",
    "ReviewerError",
    "StorageError",
    "StorageFull",
    "StoreNotEmpty",
    "StoreUnavailable",
    "TooManyPages",
    "UnknownEventType",
    "UnsupportedFileType",
    "UnsupportedStoreURL",
    "VersionNotFound",
]


class DocSenseError(Exception):
    """Base class of every error docsense raises on purpose."""


class InvalidArgument(DocSenseError, ValueError):
    """An argument to a docsense call is malformed; the message says which and why."""


class InputFileNotFound(DocSenseError, FileNotFoundError):
    """A file given to docsense (to ingest, for instance) does not exist.

    It is a :class:`FileNotFoundError`, so ``except FileNotFoundError`` (or ``OSError``)
    catches it as it would the built-in error; ``filename`` is the path.
    """

    def __init__(self, path: str, detail: str = "no such file") -> None:
        super().__init__(errno.ENOENT, detail, path)
        self.message = f"{path}: {detail}"

    def __str__(self) -> str:
        return self.message


class IdempotencyKeyReused(InvalidArgument):
    """An idempotency key was first used for a different request.

    A key names one request: its retries return the first result. Use a new key for a
    request that differs from the first (another file, document or decision).
    """

    def __init__(self, key: str, first: str) -> None:
        super().__init__(
            f"idempotency key {key!r} was first used {first}; use a new key for a different "
            "request"
        )
        self.key = key


# --- configuration and installation -------------------------------------------------------


class ConfigurationError(DocSenseError):
    """A setting, URL or option is invalid; the message names each bad field."""


class UnsupportedStoreURL(ConfigurationError):
    """A store URL has a scheme no storage adapter handles."""

    def __init__(self, url: str, installed: Sequence[str] = ()) -> None:
        scheme = url.split(":", 1)[0] if ":" in url else url
        more = f", or an installed adapter's: {', '.join(installed)}" if installed else ""
        super().__init__(
            f"unsupported store URL scheme {scheme!r}: use 'memory://', "
            f"'sqlite:///path/to/file.db' or 'postgresql://user@host:port/dbname'{more}"
        )
        self.url = url


class MissingDependency(DocSenseError):
    """An optional extra is needed for the feature that was asked for."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        super().__init__(
            f"{feature} needs the optional package {module!r}: "
            f"run `pip install 'docsense[{extra}]'`"
        )
        self.feature = feature
        self.extra = extra
        self.module = module


# --- domain ---------------------------------------------------------------------------------


class DomainError(DocSenseError):
    """A command broke a rule of the domain model."""


class InvalidTransition(DomainError):
    """A command is not allowed in the aggregate's current state."""

    def __init__(self, aggregate: str, state: str, command: str, hint: str = "") -> None:
        message = f"cannot {command} {aggregate} in state {state!r}"
        super().__init__(f"{message}: {hint}" if hint else message)
        self.aggregate = aggregate
        self.state = state
        self.command = command


class InvariantViolation(DomainError):
    """A command's arguments would leave an aggregate inconsistent."""


class FindingNotFound(DomainError, LookupError):
    """A review (or its feedback) has no finding with the requested id."""

    def __init__(self, review_id: str, finding_id: str) -> None:
        super().__init__(
            f"review {review_id!r} has no suggestion with finding id {finding_id!r}; "
            f"`ds.feedback({review_id!r}).items()` lists them"
        )
        self.review_id = review_id
        self.finding_id = finding_id


# --- storage --------------------------------------------------------------------------------


class StorageError(DocSenseError):
    """The event, snapshot or blob store failed."""


class ConcurrencyConflict(StorageError):
    """Someone else changed what a command was about, first.

    Raised by an event store when an append's expected version is stale. Commands whose
    effects commute (decisions on different findings, exports, re-uploads) retry that
    internally; what reaches a caller is a real conflict (``retryable`` False: two
    decisions on one finding, feedback applied twice), whose message names what
    conflicted, or a stream that kept changing through every retry (``retryable`` True:
    trying again later may succeed).
    """

    def __init__(
        self,
        stream_id: str,
        expected_version: int | None,
        actual_version: int | None,
        *,
        detail: str | None = None,
        retryable: bool = True,
    ) -> None:
        actual = "unknown" if actual_version is None else str(actual_version)
        super().__init__(
            detail
            or f"stream {stream_id!r} expected at version {expected_version} but is at "
            f"{actual}: reload it and retry"
        )
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        self.retryable = retryable


class FeedbackAlreadyApplied(ConcurrencyConflict):
    """A review's feedback was already applied: applying it again would apply it twice.

    ``document_id`` and ``version`` name the version the first apply made.
    """

    def __init__(self, review_id: str, document_id: str, version: str, *, meanwhile: bool) -> None:
        when = "by another request meanwhile" if meanwhile else "already"
        super().__init__(
            f"feedback-of-{review_id}",
            None,
            None,
            detail=(
                f"the feedback of review {review_id!r} was applied {when}: it made version "
                f"{version} of {document_id!r}"
            ),
            retryable=False,
        )
        self.review_id = review_id
        self.document_id = document_id
        self.version = version


class DuplicateEventId(StorageError):
    """An event id is already stored at a different place than the append asks for."""

    def __init__(self, event_id: str, stream_id: str) -> None:
        super().__init__(
            f"event id {event_id!r} is already stored elsewhere than stream {stream_id!r} at the "
            "requested version: event ids must be unique across the store"
        )
        self.event_id = event_id
        self.stream_id = stream_id


class AggregateNotFound(StorageError, LookupError):
    """Nothing is stored under the requested id (a :class:`LookupError`)."""

    def __init__(self, stream_id: str, hint: str = "", *, kind: str | None = None) -> None:
        if kind is None:
            prefix = stream_id.split("-", 1)[0] if "-" in stream_id else "record"
            kind = {"policypack": "policy pack", "feedback": "feedback session"}.get(prefix, prefix)
        message = f"no {kind} with id {stream_id!r}"
        super().__init__(f"{message}; {hint}" if hint else f"{message} in this store")
        self.stream_id = stream_id


class DocumentNotFound(AggregateNotFound):
    """No document has the requested id."""

    def __init__(self, document_id: str) -> None:
        hint = "`ds.documents()` lists them"
        if not document_id.startswith("document-"):
            hint = f"document ids look like 'document-…'; {hint}"
        super().__init__(document_id, hint, kind="document")


class ReviewNotFound(AggregateNotFound):
    """No review has the requested id."""

    def __init__(self, review_id: str) -> None:
        hint = "`ds.reviews()` lists them"
        if not review_id.startswith("review-"):
            hint = f"review ids look like 'review-…'; {hint}"
        super().__init__(review_id, hint, kind="review")


class VersionNotFound(InvalidArgument, LookupError):
    """A document has no version with the requested number."""

    def __init__(self, document_id: str, version: str, known: Sequence[str]) -> None:
        super().__init__(
            f"{document_id} has no version {version}; it has {', '.join(known) or 'none'}"
        )
        self.document_id = document_id
        self.version = version


class BlobNotFound(StorageError, KeyError):
    """No original file bytes are stored under the requested SHA-256."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"no stored file with sha256 {sha256!r}")
        self.sha256 = sha256

    def __str__(self) -> str:
        return str(self.args[0])


class ProjectionConflict(StorageError):
    """A projection checkpoint moved since the batch was read: another runner got there first.

    The runner reloads its checkpoint and carries on; nothing was written.
    """

    def __init__(self, projection: str, generation: int, expected: int) -> None:
        super().__init__(
            f"projection {projection!r} generation {generation} is no longer at position "
            f"{expected}: another runner advanced it or a rebuild replaced it"
        )
        self.projection = projection
        self.generation = generation
        self.expected = expected


class StoreUnavailable(StorageError):
    """The store could not be reached or opened."""


class StorageFull(StorageError, OSError):
    """The store's disk (or its file-size limit) is full: nothing of the write was kept.

    An ``OSError`` with ``errno`` ``ENOSPC``, as a full disk is everywhere else in Python.
    Reads still work. Free space (or raise the limit), then retry the command.
    """

    def __init__(self, message: str) -> None:
        super().__init__(errno.ENOSPC, message)

    def __str__(self) -> str:
        return str(self.args[1])

    def __reduce__(self) -> tuple[type[StorageFull], tuple[str]]:
        return (type(self), (str(self),))


class MigrationError(StorageError):
    """The database schema cannot be migrated to the version this library needs."""


class NotSupportedByStore(StorageError):
    """The store cannot do what was asked (e.g. an online backup of a PostgreSQL store)."""

    def __init__(self, operation: str, store: str, hint: str = "") -> None:
        self.operation = operation
        self.store = store
        super().__init__(
            f"{operation} is not supported by the store {store}" + (f": {hint}" if hint else "")
        )


class StoreNotEmpty(StorageError):
    """A restore was pointed at a store that already holds events."""

    def __init__(self, store: str, events: int) -> None:
        self.store = store
        self.events = events
        super().__init__(
            f"the store {store} already holds {events} event(s): restore only into an empty "
            "store (a new SQLite file, or a new PostgreSQL database or ?schema=)"
        )


class InvalidDump(InvalidArgument):
    """A dump or archive file is not one, is truncated, or its contents fail their hashes."""


class EventDecodingError(StorageError):
    """A stored event cannot be turned back into a domain event."""


class UnknownEventType(EventDecodingError):
    """A stored event has a type no registered class handles."""

    def __init__(self, event_type: str) -> None:
        super().__init__(
            f"unknown event type {event_type!r}: is the module that defines it imported, "
            "or was it written by a newer docsense?"
        )
        self.event_type = event_type


class MissingUpcaster(EventDecodingError):
    """A stored event is at a schema version no upcaster chain leads from."""

    def __init__(self, event_type: str, from_version: int, to_version: int) -> None:
        super().__init__(
            f"no upcaster registered for {event_type!r} from schema version {from_version} "
            f"(current version is {to_version})"
        )
        self.event_type = event_type
        self.from_version = from_version
        self.to_version = to_version


# --- ingest ---------------------------------------------------------------------------------


class IngestError(DocSenseError):
    """A file could not be ingested. Subclasses name the file and the limit or defect."""

    def __init__(self, filename: str, message: str) -> None:
        super().__init__(f"{filename}: {message}")
        self.filename = filename


class UnsupportedFileType(IngestError):
    """The file's bytes are not a format docsense reads."""


class FileTypeMismatch(IngestError):
    """The file's bytes contradict its extension or declared MIME type."""


class FileTooLarge(IngestError):
    """The file exceeds the size limit."""


class TooManyPages(IngestError):
    """The document exceeds the page limit."""


class ArchiveLimitExceeded(IngestError):
    """A DOCX (zip) container exceeds an entry-count, size or compression-ratio limit."""


class EncryptedDocument(IngestError):
    """The document is password protected."""


class CorruptDocument(IngestError):
    """The file is truncated or malformed."""


class EmptyDocument(IngestError):
    """The file holds no bytes or no text."""


class IngestTimeout(IngestError):
    """Conversion took longer than the per-document time budget."""


class InvalidFilename(IngestError):
    """The file name cannot be made safe (empty after sanitising)."""


# --- access (the HTTP service) ---------------------------------------------------------------


class AuthenticationFailed(DocSenseError):
    """A request's API token is missing, malformed, unknown or revoked (HTTP 401)."""


class PermissionDenied(DocSenseError):
    """A request's API token lacks the scope the operation needs (HTTP 403)."""

    def __init__(self, scope: str, granted: Sequence[str]) -> None:
        super().__init__(
            f"this operation needs the {scope!r} scope; the token has "
            f"{', '.join(granted) or 'none'} (issue one with `docsense tokens create "
            f"--scope {scope}`)"
        )
        self.scope = scope


# --- review ---------------------------------------------------------------------------------


class ReviewError(DocSenseError):
    """A review could not be run."""


class PolicyPackError(ReviewError):
    """A policy pack is missing or invalid."""


class ReviewerError(ReviewError):
    """A reviewer (offline or LLM) failed."""


class CheckFailed(ReviewerError):
    """A check or reviewer raised during a review run with ``strict=True`` (``--strict``).

    Without ``strict`` the review completes and records each error on the review
    (``ReviewView.check_errors``); with it, nothing is recorded and this error lists them in
    ``errors`` (:class:`~docsense.domain.review.CheckError` values).
    """

    def __init__(self, message: str, errors: Sequence[object] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


class MissingApiKey(ReviewerError, ConfigurationError):
    """An LLM reviewer has no API key: the message names the environment variable to set."""

    def __init__(self, provider: str, env_vars: tuple[str, ...]) -> None:
        names = " or ".join(env_vars)
        super().__init__(
            f"the {provider} reviewer needs an API key: set {names} (or pass api_key=...)"
        )
        self.provider = provider
        self.env_vars = env_vars


class ProviderError(ReviewerError):
    """An LLM provider call failed (HTTP status, connection, timeout) after any retries.

    ``retryable`` says whether the same call may succeed later (429, 5xx, connection errors,
    timeouts); ``retry_after`` is the wait in seconds the provider asked for, if any. The
    message never contains an API key.
    """

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class ProviderTimeout(ProviderError):
    """An LLM provider call took longer than the per-call timeout."""


class RateLimited(ProviderError):
    """The provider rate-limited the call (HTTP 429) and kept doing so past the deadline.

    A rate limit is not an outage: it is waited out (honouring the provider's
    ``Retry-After``, ``retry-after-ms`` or Gemini ``RetryInfo``) within a total deadline
    and never opens the circuit breaker. Raise the deadline, lower the concurrency
    (``DOCSENSE_LLM_MAX_CONCURRENCY``) or ask the provider for a higher limit.
    """


class QuotaExhausted(ProviderError):
    """The account's quota is spent and will not refill soon (a per-day quota, no credit).

    Not retried: waiting seconds cannot help. The message says which quota, as the
    provider named it (OpenAI ``insufficient_quota``, a Gemini per-day quota, Anthropic
    ``billing_error``).
    """


class CircuitOpen(ProviderError):
    """Calls to a provider are suspended after repeated failures; retry after the cool-down."""


class InvalidModelOutput(ReviewerError):
    """A model's output was not valid JSON for the findings schema, or was cut off."""
