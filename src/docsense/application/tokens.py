"""API tokens: issue, revoke, list and authenticate (the HTTP service's credentials).

A token's secret reads ``dst_<id>_<secret>``: ``<id>`` names its stream (``apitoken-<id>``),
so authenticating loads one short stream, and ``<secret>`` is 256 random bits of which only
the SHA-256 is stored (compared in constant time). The secret is shown once, when issued.

Listing reads the event log for the two token event types: tokens are few and the command
is rare, so no read model is kept for them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime

import attrs

from docsense.application.service import DocSenseService
from docsense.domain.tokens import ApiToken, ApiTokenState, Scope
from docsense.errors import AggregateNotFound, AuthenticationFailed, InvalidArgument
from docsense.logs import correlation_scope

__all__ = [
    "IssuedToken",
    "TokenInfo",
    "authenticate",
    "hash_secret",
    "issue_token",
    "list_tokens",
    "revoke_token",
]

_PREFIX = "dst_"
_TOKEN = re.compile(r"dst_([0-9a-f]{32})_([A-Za-z0-9_-]{43})")


def hash_secret(secret: str) -> str:
    """Return the SHA-256 hex digest stored for a token's secret part."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@attrs.frozen
class TokenInfo:
    """A token as listed: never its secret or hash."""

    id: str
    name: str
    actor: str
    scopes: tuple[str, ...]
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None
    revoked_by: str | None

    @property
    def active(self) -> bool:
        """True until the token is revoked."""
        return self.revoked_at is None

    @classmethod
    def of(cls, token_id: str, state: ApiTokenState) -> TokenInfo:
        """Build from a token aggregate's state."""
        return cls(
            id=token_id,
            name=state.name,
            actor=state.actor,
            scopes=tuple(s.value for s in state.scopes),
            issued_at=state.issued_at,
            issued_by=state.issued_by,
            revoked_at=state.revoked_at,
            revoked_by=state.revoked_by,
        )


@attrs.frozen
class IssuedToken:
    """A token just issued: ``secret`` is shown now and never again."""

    info: TokenInfo
    secret: str = attrs.field(repr=False)


def _token_id(value: str) -> str:
    """Accept ``apitoken-<uuid>`` or the bare uuid; return the stream id."""
    raw = value.removeprefix("apitoken-")
    try:
        return f"apitoken-{uuid.UUID(raw)}"
    except ValueError:
        raise InvalidArgument(f"token ids look like 'apitoken-<uuid>', got {value!r}") from None


async def issue_token(
    service: DocSenseService,
    *,
    name: str,
    scopes: Sequence[str],
    actor: str | None = None,
    issued_by: str | None = None,
) -> IssuedToken:
    """Issue a token; its requests are recorded as ``actor`` (default: its name)."""
    unknown = [s for s in scopes if s not in {x.value for x in Scope}]
    if unknown or not scopes:
        raise InvalidArgument(
            f"scopes {list(scopes)}: give one or more of {', '.join(s.value for s in Scope)}"
        )
    key = uuid.uuid4()
    secret = secrets.token_urlsafe(32)
    with correlation_scope() as cid:
        token = ApiToken.issue(
            service._context(cid, issued_by),
            token_id=f"apitoken-{key}",
            name=name,
            actor=actor or name,
            scopes=tuple(scopes),
            token_hash=hash_secret(secret),
        )
        await service.repository.save(token)
    return IssuedToken(TokenInfo.of(token.id, token.state), f"{_PREFIX}{key.hex}_{secret}")


async def revoke_token(
    service: DocSenseService, token_id: str, *, reason: str = "", revoked_by: str | None = None
) -> TokenInfo:
    """Revoke a token (``apitoken-<uuid>``); an unknown id raises AggregateNotFound."""
    stream = _token_id(token_id)
    with correlation_scope() as cid:
        try:
            token = await service.repository.load(ApiToken, stream)
        except AggregateNotFound:
            raise AggregateNotFound(
                stream, "`docsense tokens list` lists them", kind="API token"
            ) from None
        token.revoke(service._context(cid, revoked_by), reason=reason)
        await service.repository.save(token)
    return TokenInfo.of(token.id, token.state)


async def list_tokens(service: DocSenseService) -> list[TokenInfo]:
    """Return every token, oldest first (read from the event log)."""
    ids: list[str] = []
    after = 0
    storage = service.storage
    while True:
        batch = await storage.read_all(after=after, limit=1000)
        if not batch:
            break
        for record in batch:
            if record.event_type == "ApiTokenIssued":
                ids.append(record.stream_id)
        after = batch[-1].position
    found = []
    for stream in ids:
        token = await service.repository.load(ApiToken, stream)
        found.append(TokenInfo.of(token.id, token.state))
    return found


async def authenticate(service: DocSenseService, presented: str) -> tuple[str, ApiTokenState]:
    """Return the id and state of the live token ``presented``; else AuthenticationFailed.

    The message never repeats the secret. Unknown, malformed and revoked tokens are told
    apart only in the message (for the server's audit log), never by timing of the hash
    comparison.
    """
    match = _TOKEN.fullmatch(presented.strip())
    if match is None:
        raise AuthenticationFailed("malformed API token")
    stream = f"apitoken-{uuid.UUID(match.group(1))}"
    try:
        token = await service.repository.load(ApiToken, stream)
    except AggregateNotFound:
        raise AuthenticationFailed(f"unknown API token {stream}") from None
    state = token.state
    if not hmac.compare_digest(state.token_hash, hash_secret(match.group(2))):
        raise AuthenticationFailed(f"wrong secret for API token {stream}")
    if not state.active:
        raise AuthenticationFailed(f"revoked API token {stream}")
    return stream, state
