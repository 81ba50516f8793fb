"""The PolicyPack aggregate: a named, versioned set of policies a document is reviewed against.

A pack is edited as a draft (policies added, updated, retired) and frozen by publishing a
version label; a Review references ``(pack id, published version)`` and
:meth:`PolicyPackState.published_version` returns the policies as they were at that version.

Rules: policy ids are unique within a pack for ever (a retired id is not reused); unknown ids
are an :class:`~docsense.errors.InvariantViolation`; updating or retiring a retired policy is an
:class:`~docsense.errors.InvalidTransition`; a version label is published at most once, and
publishing needs at least one active policy.

>>> check = Check(CheckKind.PATTERN_FORBIDDEN, {"pattern": "at our (sole )?discretion"})
>>> check.param("pattern"), check.param("flags", "none")
('at our (sole )?discretion', 'none')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

import attrs

from docsense.domain.aggregate import Aggregate
from docsense.domain.events import CommandContext, DomainEvent, domain_event
from docsense.domain.findings import Category, Severity
from docsense.errors import InvalidTransition, InvariantViolation

__all__ = [
    "Check",
    "CheckKind",
    "Policy",
    "PolicyAdded",
    "PolicyPack",
    "PolicyPackCreated",
    "PolicyPackState",
    "PolicyPackVersionPublished",
    "PolicyRetired",
    "PolicyUpdated",
    "PublishedPackVersion",
    "RequirementLevel",
    "RetiredPolicy",
]

_PACK_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class RequirementLevel(StrEnum):
    """How binding a policy is (RFC 2119 words)."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


class CheckKind(StrEnum):
    """The deterministic checks a policy can run before (or instead of) an LLM.

    ``section_required`` needs param ``heading`` (a regex matched against section headings);
    ``pattern_required`` / ``pattern_forbidden`` need ``pattern`` (a regex over the Markdown);
    ``ir`` needs ``check``, the name of a semantic-IR check (e.g. ``undefined_variables``).
    """

    SECTION_REQUIRED = "section_required"
    PATTERN_REQUIRED = "pattern_required"
    PATTERN_FORBIDDEN = "pattern_forbidden"
    IR = "ir"


# Parameters each check kind cannot run without.
_REQUIRED_PARAMS = {
    CheckKind.SECTION_REQUIRED: ("heading",),
    CheckKind.PATTERN_REQUIRED: ("pattern",),
    CheckKind.PATTERN_FORBIDDEN: ("pattern",),
    CheckKind.IR: ("check",),
}


def _to_params(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), str(v)) for k, v in pairs))


@attrs.frozen
class Check:
    """One deterministic check with its string parameters (kept as sorted ``(key, value)``).

    Patterns are compiled here, so a pack with a broken regex is rejected when it is built.
    """

    kind: CheckKind
    params: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_to_params)

    def __attrs_post_init__(self) -> None:
        keys = [k for k, _ in self.params]
        if len(set(keys)) != len(keys):
            raise InvariantViolation(f"{self.kind.value} check has duplicate parameters")
        for name in _REQUIRED_PARAMS[self.kind]:
            if not self.param(name):
                raise InvariantViolation(f"a {self.kind.value} check needs param {name!r}")
        for name in ("pattern", "heading"):
            pattern = self.param(name)
            if pattern:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise InvariantViolation(
                        f"{self.kind.value} check: {name} {pattern!r} is not a valid regex: {exc}"
                    ) from exc

    def param(self, name: str, default: str = "") -> str:
        """Return the value of parameter ``name``, or ``default``."""
        return next((v for k, v in self.params if k == name), default)

    @property
    def params_dict(self) -> dict[str, str]:
        """The parameters as a fresh dict."""
        return dict(self.params)


@attrs.frozen(kw_only=True)
class Policy:
    """One requirement of a pack.

    ``category`` and ``severity`` are what findings against this policy get by default;
    ``llm_instruction`` is what an LLM reviewer is told to look for.
    """

    id: str
    title: str
    level: RequirementLevel
    category: Category
    description: str = ""
    checks: tuple[Check, ...] = ()
    llm_instruction: str = ""
    severity: Severity = Severity.MEDIUM

    def __attrs_post_init__(self) -> None:
        if not self.id.strip():
            raise InvariantViolation("a policy needs an id")
        if not self.title.strip():
            raise InvariantViolation(f"policy {self.id!r} needs a title")
        if not self.checks and not self.llm_instruction.strip():
            raise InvariantViolation(
                f"policy {self.id!r} needs a deterministic check or an LLM instruction"
            )


@attrs.frozen
class RetiredPolicy:
    """A policy taken out of the pack, kept with the reason for the audit trail."""

    policy: Policy
    reason: str


@attrs.frozen
class PublishedPackVersion:
    """The active policies of a pack when ``version`` was published."""

    version: str
    policies: tuple[Policy, ...]
    notes: str = ""


@attrs.frozen
class PolicyPackState:
    """Everything the PolicyPack aggregate knows.

    ``version`` is the label of the draft being edited (the last published label once
    published); ``policies`` are the active ones in the order they were added.
    """

    pack_key: str
    name: str
    description: str
    jurisdiction: str
    version: str
    policies: tuple[Policy, ...] = ()
    retired: tuple[RetiredPolicy, ...] = ()
    published: tuple[PublishedPackVersion, ...] = ()
    has_unpublished_changes: bool = False

    def policy(self, policy_id: str) -> Policy | None:
        """Return the active policy with ``policy_id``, or None."""
        return next((p for p in self.policies if p.id == policy_id), None)

    def is_retired(self, policy_id: str) -> bool:
        """Return True if ``policy_id`` was retired."""
        return any(r.policy.id == policy_id for r in self.retired)

    def published_version(self, version: str) -> PublishedPackVersion | None:
        """Return the pack as published under ``version``, or None."""
        return next((p for p in self.published if p.version == version), None)

    @property
    def latest_published(self) -> PublishedPackVersion | None:
        """The most recently published version, or None."""
        return self.published[-1] if self.published else None


# --- events ----------------------------------------------------------------------------------


@domain_event("PolicyPackCreated", version=1)
@attrs.frozen(kw_only=True)
class PolicyPackCreated(DomainEvent):
    """A new, empty policy pack was created with its draft version label."""

    pack_key: str
    name: str
    description: str
    jurisdiction: str
    version: str


@domain_event("PolicyAdded", version=1)
@attrs.frozen(kw_only=True)
class PolicyAdded(DomainEvent):
    """A policy was added to the draft."""

    policy: Policy


@domain_event("PolicyUpdated", version=1)
@attrs.frozen(kw_only=True)
class PolicyUpdated(DomainEvent):
    """A policy was replaced by a new definition with the same id."""

    policy: Policy


@domain_event("PolicyRetired", version=1)
@attrs.frozen(kw_only=True)
class PolicyRetired(DomainEvent):
    """A policy was taken out of the draft."""

    policy_id: str
    reason: str


@domain_event("PolicyPackVersionPublished", version=1)
@attrs.frozen(kw_only=True)
class PolicyPackVersionPublished(DomainEvent):
    """The draft's active policies were frozen under ``version``."""

    version: str
    policy_ids: tuple[str, ...]
    notes: str = ""


# --- aggregate ---------------------------------------------------------------------------------


class PolicyPack(Aggregate[PolicyPackState]):
    """A versioned set of policies. Create one with :meth:`create`."""

    kind = "policypack"
    state_type = PolicyPackState

    @classmethod
    def create(
        cls,
        ctx: CommandContext,
        *,
        pack_key: str,
        name: str,
        version: str,
        description: str = "",
        jurisdiction: str = "",
        pack_id: str | None = None,
    ) -> PolicyPack:
        """Create an empty pack; ``pack_key`` is a slug such as ``"self-containment"``.

        ``pack_id`` chooses the stream id (``policypack-...``); by default a fresh one.
        """
        if not _PACK_KEY.fullmatch(pack_key):
            raise InvariantViolation(
                f"a pack key is lowercase words joined by '-', got {pack_key!r}"
            )
        if not name.strip():
            raise InvariantViolation("a policy pack needs a name")
        if not version.strip():
            raise InvariantViolation("a policy pack needs a version label")
        pack = cls(pack_id or cls.new_id(ctx))
        pack._record(
            ctx,
            PolicyPackCreated,
            pack_key=pack_key,
            name=name,
            description=description,
            jurisdiction=jurisdiction,
            version=version,
        )
        return pack

    def add_policy(self, ctx: CommandContext, policy: Policy) -> PolicyAdded:
        """Add ``policy``; its id must be new to this pack (retired ids included)."""
        state = self.state
        if state.policy(policy.id) is not None or state.is_retired(policy.id):
            raise InvariantViolation(f"{self.id} already has a policy {policy.id!r}")
        return self._record(ctx, PolicyAdded, policy=policy)

    def update_policy(self, ctx: CommandContext, policy: Policy) -> PolicyUpdated:
        """Replace the active policy with the same id by ``policy`` (which must differ)."""
        current = self._active(policy.id, "update")
        if current == policy:
            raise InvariantViolation(f"policy {policy.id!r} is unchanged")
        return self._record(ctx, PolicyUpdated, policy=policy)

    def retire_policy(self, ctx: CommandContext, policy_id: str, *, reason: str) -> PolicyRetired:
        """Take the active policy ``policy_id`` out of the pack, saying why."""
        self._active(policy_id, "retire")
        if not reason.strip():
            raise InvariantViolation("say why the policy is retired")
        return self._record(ctx, PolicyRetired, policy_id=policy_id, reason=reason)

    def publish(
        self, ctx: CommandContext, *, version: str | None = None, notes: str = ""
    ) -> PolicyPackVersionPublished:
        """Freeze the active policies under ``version`` (default: the draft's label)."""
        state = self.state
        label = state.version if version is None else version
        if not label.strip():
            raise InvariantViolation("a published version needs a label")
        if state.published_version(label) is not None:
            raise InvalidTransition(
                self.id,
                f"published {state.version}",
                f"publish version {label!r} of",
                "that label is already published; pass a new version label",
            )
        if not state.policies:
            raise InvalidTransition(self.id, "empty", "publish", "add at least one policy first")
        return self._record(
            ctx,
            PolicyPackVersionPublished,
            version=label,
            policy_ids=tuple(p.id for p in state.policies),
            notes=notes,
        )

    def _active(self, policy_id: str, command: str) -> Policy:
        state = self.state
        if state.is_retired(policy_id):
            raise InvalidTransition(f"policy {policy_id!r} of {self.id}", "retired", command)
        policy = state.policy(policy_id)
        if policy is None:
            raise InvariantViolation(f"{self.id} has no policy {policy_id!r}")
        return policy

    # --- evolve --------------------------------------------------------------------------------

    @classmethod
    def evolve(cls, state: PolicyPackState | None, event: DomainEvent) -> PolicyPackState:
        """Return the state after ``event`` (pure)."""
        if isinstance(event, PolicyPackCreated):
            if state is not None:
                raise InvariantViolation(f"{event.stream_id} was already created")
            return PolicyPackState(
                pack_key=event.pack_key,
                name=event.name,
                description=event.description,
                jurisdiction=event.jurisdiction,
                version=event.version,
            )
        if state is None:
            raise InvariantViolation(f"{event.event_type} before PolicyPackCreated")
        if isinstance(event, PolicyAdded):
            return attrs.evolve(
                state, policies=(*state.policies, event.policy), has_unpublished_changes=True
            )
        if isinstance(event, PolicyUpdated):
            policies = tuple(event.policy if p.id == event.policy.id else p for p in state.policies)
            return attrs.evolve(state, policies=policies, has_unpublished_changes=True)
        if isinstance(event, PolicyRetired):
            gone = [p for p in state.policies if p.id == event.policy_id]
            return attrs.evolve(
                state,
                policies=tuple(p for p in state.policies if p.id != event.policy_id),
                retired=(*state.retired, *(RetiredPolicy(p, event.reason) for p in gone)),
                has_unpublished_changes=True,
            )
        if isinstance(event, PolicyPackVersionPublished):
            by_id = {p.id: p for p in state.policies}
            frozen = tuple(by_id[i] for i in event.policy_ids if i in by_id)
            return attrs.evolve(
                state,
                version=event.version,
                published=(
                    *state.published,
                    PublishedPackVersion(event.version, frozen, event.notes),
                ),
                has_unpublished_changes=False,
            )
        raise InvariantViolation(f"a PolicyPack cannot apply {event.event_type}")
