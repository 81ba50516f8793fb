"""API tokens: who may call the HTTP service, with which scopes, recorded as events.

A token is one stream, ``apitoken-<uuid>``. :class:`ApiTokenIssued` records its name, the
actor its requests are recorded as, its scopes and the SHA-256 of its secret (never the
secret itself); :class:`ApiTokenRevoked` ends it. The secret is a random 256-bit value, so a
plain SHA-256 is enough to make the stored hash useless to a reader of the store.

Scopes (:class:`Scope`): ``read`` (every ``GET``), ``review`` (upload documents, start
reviews), ``decide`` (accept, reject, modify, apply) and ``admin`` (manage tokens). ``admin``
implies every other scope, and every scope implies ``read``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs

from docsense.domain.aggregate import Aggregate
from docsense.domain.events import CommandContext, DomainEvent, domain_event
from docsense.errors import InvalidTransition, InvariantViolation

__all__ = [
    "ApiToken",
    "ApiTokenIssued",
    "ApiTokenRevoked",
    "ApiTokenState",
    "Scope",
]


class Scope(StrEnum):
    """What an API token may do."""

    READ = "read"
    REVIEW = "review"
    DECIDE = "decide"
    ADMIN = "admin"


@attrs.frozen
class ApiTokenState:
    """A token as issued, and its revocation if any."""

    name: str
    actor: str
    scopes: tuple[Scope, ...]
    token_hash: str
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None

    @property
    def active(self) -> bool:
        """True until the token is revoked."""
        return self.revoked_at is None

    def allows(self, scope: Scope | str) -> bool:
        """Return True if the token's scopes grant ``scope`` (admin grants all, any grants read)."""
        wanted = Scope(scope)
        if Scope.ADMIN in self.scopes or wanted is Scope.READ:
            return True
        return wanted in self.scopes


@domain_event("ApiTokenIssued", version=1)
@attrs.frozen(kw_only=True)
class ApiTokenIssued(DomainEvent):
    """A token was issued: its name, actor, scopes and the SHA-256 of its secret."""

    name: str
    actor: str
    scopes: tuple[str, ...]
    token_hash: str


@domain_event("ApiTokenRevoked", version=1)
@attrs.frozen(kw_only=True)
class ApiTokenRevoked(DomainEvent):
    """A token was revoked: requests with it are refused from now on."""

    reason: str = ""


class ApiToken(Aggregate[ApiTokenState]):
    """One API token. Issue one with :meth:`issue`."""

    kind = "apitoken"
    state_type = ApiTokenState

    @classmethod
    def issue(
        cls,
        ctx: CommandContext,
        *,
        token_id: str,
        name: str,
        actor: str,
        scopes: tuple[Scope | str, ...],
        token_hash: str,
    ) -> ApiToken:
        """Issue a token with stream id ``token_id``; the secret is given only as its hash."""
        if not name.strip():
            raise InvariantViolation("a token needs a name")
        if not actor.strip():
            raise InvariantViolation("a token needs the actor its requests are recorded as")
        if not scopes:
            raise InvariantViolation("a token needs at least one scope")
        try:
            chosen = sorted({Scope(s) for s in scopes}, key=list(Scope).index)
        except ValueError:
            raise InvariantViolation(
                f"unknown scope in {list(scopes)}: use {', '.join(s.value for s in Scope)}"
            ) from None
        if len(token_hash) != 64:
            raise InvariantViolation("a token hash is a SHA-256 hex digest")
        token = cls(token_id)
        token._record(
            ctx,
            ApiTokenIssued,
            name=name.strip(),
            actor=actor.strip(),
            scopes=tuple(s.value for s in chosen),
            token_hash=token_hash,
        )
        return token

    def revoke(self, ctx: CommandContext, *, reason: str = "") -> ApiTokenRevoked:
        """Revoke the token; revoking a revoked token is an InvalidTransition."""
        if not self.state.active:
            raise InvalidTransition(self.id, "revoked", "revoke", "it is already revoked")
        return self._record(ctx, ApiTokenRevoked, reason=reason)

    @classmethod
    def evolve(cls, state: ApiTokenState | None, event: DomainEvent) -> ApiTokenState:
        """Return the state after ``event`` (pure)."""
        if isinstance(event, ApiTokenIssued):
            if state is not None:
                raise InvariantViolation(f"{event.stream_id} was already issued")
            return ApiTokenState(
                name=event.name,
                actor=event.actor,
                scopes=tuple(Scope(s) for s in event.scopes),
                token_hash=event.token_hash,
                issued_at=event.occurred_at,
                issued_by=event.metadata.actor,
            )
        if state is None:
            raise InvariantViolation(f"{event.event_type} before ApiTokenIssued")
        if isinstance(event, ApiTokenRevoked):
            return attrs.evolve(
                state,
                revoked_at=event.occurred_at,
                revoked_by=event.metadata.actor,
                revoke_reason=event.reason,
            )
        raise InvariantViolation(f"an ApiToken cannot apply {event.event_type}")
