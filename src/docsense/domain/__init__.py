"""The pure domain: aggregates, value objects, events and upcasters (stdlib + attrs only)."""

# Importing every event module registers every event type in EVENT_TYPES, and importing
# upcasters registers the built-in upcasters, so decoding works after `import docsense.domain`.
from docsense.domain import upcasters as upcasters
from docsense.domain.aggregate import Aggregate
from docsense.domain.documents import (
    Document,
    DocumentState,
    DocumentStatus,
    DocumentVersion,
    VersionNumber,
)
from docsense.domain.events import (
    EVENT_TYPES,
    CommandContext,
    DomainEvent,
    EventMetadata,
    domain_event,
)
from docsense.domain.feedback import (
    Decision,
    FeedbackItem,
    FeedbackSession,
    FeedbackSessionState,
    FeedbackStatus,
    TextEdit,
    apply_edits,
)
from docsense.domain.findings import Category, Finding, FindingLocation, Occurrence, Severity
from docsense.domain.operations import OPERATIONS_STREAM, StreamsArchived, StreamsRestored
from docsense.domain.policies import (
    Check,
    CheckKind,
    Policy,
    PolicyPack,
    PolicyPackState,
    RequirementLevel,
)
from docsense.domain.review import (
    PackRef,
    PolicyStatus,
    Review,
    ReviewState,
    ReviewStatus,
    Usage,
)
from docsense.domain.tokens import ApiToken, ApiTokenState, Scope
from docsense.domain.upcasting import UPCASTERS

__all__ = [
    "EVENT_TYPES",
    "OPERATIONS_STREAM",
    "UPCASTERS",
    "Aggregate",
    "ApiToken",
    "ApiTokenState",
    "Category",
    "Check",
    "CheckKind",
    "CommandContext",
    "Decision",
    "Document",
    "DocumentState",
    "DocumentStatus",
    "DocumentVersion",
    "DomainEvent",
    "EventMetadata",
    "FeedbackItem",
    "FeedbackSession",
    "FeedbackSessionState",
    "FeedbackStatus",
    "Finding",
    "FindingLocation",
    "Occurrence",
    "PackRef",
    "Policy",
    "PolicyPack",
    "PolicyPackState",
    "PolicyStatus",
    "RequirementLevel",
    "Review",
    "ReviewState",
    "ReviewStatus",
    "Scope",
    "Severity",
    "StreamsArchived",
    "StreamsRestored",
    "TextEdit",
    "Usage",
    "VersionNumber",
    "apply_edits",
    "domain_event",
]
