"""One exception hierarchy for everything docsense raises.

Every error a caller can act on derives from :class:`DocSenseError`, and each subclass says in
its message what went wrong and what to do about it. Driver, parser and SDK exceptions never
escape the library: adapters translate them into one of these.

>>> from docsense.errors import DocSenseError, ConcurrencyConflict
>>> issubclass(ConcurrencyConflict, DocSenseError)
True
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AggregateNotFound",
    "ArchiveLimitExceeded",
    "BlobNotFound",
    "CircuitOpen",
    "ConcurrencyConflict",
    "ConfigurationError",
    "CorruptDocument",
    "DocSenseError",
    "DomainError",
    "DuplicateEventId",
    "EmptyDocument",
    "EncryptedDocument",
    "EventDecodingError",
    "FileTooLarge",
    "FileTypeMismatch",
    "IngestError",
    "IngestTimeout",
    "InvalidArgument",
    "InvalidFilename",
    "InvalidModelOutput",
    "InvalidTransition",
    "InvariantViolation",
    "MigrationError",
    "MissingApiKey",
    "MissingDependency",
    "MissingUpcaster",
    "PolicyPackError",
    "ProjectionConflict",
    "ProviderError",
    "ProviderTimeout",
    "QuotaExhausted",
    "RateLimited",
    "ReviewError",
    "ReviewerError",
    "StorageError",
    "StoreUnavailable",
    "TooManyPages",
    "UnknownEventType",
    "UnsupportedFileType",
    "UnsupportedStoreURL",
]


class DocSenseError(Exception):
    """Base class of every error docsense raises on purpose."""


class InvalidArgument(DocSenseError, ValueError):
    """An argument to a docsense call is malformed; the message says which and why."""


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


# --- storage --------------------------------------------------------------------------------


class StorageError(DocSenseError):
    """The event, snapshot or blob store failed."""


class ConcurrencyConflict(StorageError):
    """An append's expected version is stale: someone else wrote to the stream first.

    Reload the aggregate and retry the command.
    """

    def __init__(self, stream_id: str, expected_version: int, actual_version: int | None) -> None:
        actual = "unknown" if actual_version is None else str(actual_version)
        super().__init__(
            f"stream {stream_id!r} expected at version {expected_version} but is at {actual}: "
            "reload it and retry"
        )
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version


class DuplicateEventId(StorageError):
    """An event id is already stored at a different place than the append asks for."""

    def __init__(self, event_id: str, stream_id: str) -> None:
        super().__init__(
            f"event id {event_id!r} is already stored elsewhere than stream {stream_id!r} at the "
            "requested version: event ids must be unique across the store"
        )
        self.event_id = event_id
        self.stream_id = stream_id


class AggregateNotFound(StorageError):
    """No stream exists under the requested id."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(f"no aggregate with id {stream_id!r} exists in this store")
        self.stream_id = stream_id


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


class MigrationError(StorageError):
    """The database schema cannot be migrated to the version this library needs."""


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


# --- review ---------------------------------------------------------------------------------


class ReviewError(DocSenseError):
    """A review could not be run."""


class PolicyPackError(ReviewError):
    """A policy pack is missing or invalid."""


class ReviewerError(ReviewError):
    """A reviewer (offline or LLM) failed."""


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
