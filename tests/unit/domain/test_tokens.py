"""The ApiToken aggregate: issued with a hash and scopes, revoked once, scopes imply read."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from docsense.domain.events import CommandContext, EventMetadata
from docsense.domain.tokens import ApiToken, ApiTokenIssued, ApiTokenRevoked, Scope
from docsense.errors import InvalidTransition, InvariantViolation

HASH = "a" * 64


def ctx(actor: str = "admin") -> CommandContext:
    ids = (f"id-{n}" for n in itertools.count())
    return CommandContext(
        now=lambda: datetime(2026, 1, 1, tzinfo=UTC),
        new_id=lambda: next(ids),
        metadata=EventMetadata(actor=actor),
    )


def issue(*scopes: str) -> ApiToken:
    return ApiToken.issue(ctx(), token_id="apitoken-1", name=" ci ", actor="bot",
                          scopes=scopes, token_hash=HASH)


def test_issue_records_the_hash_scopes_and_who_issued_it() -> None:
    token = issue("review", "read", "review")
    [event] = token.pending_events
    assert isinstance(event, ApiTokenIssued)
    assert event.scopes == ("read", "review")  # deduplicated, in scope order
    assert token.state.name == "ci"
    assert token.state.issued_by == "admin"
    assert token.state.active


@pytest.mark.parametrize(
    ("scopes", "allowed", "refused"),
    [
        (("read",), {"read"}, {"review", "decide", "admin"}),
        (("review",), {"read", "review"}, {"decide", "admin"}),
        (("decide",), {"read", "decide"}, {"review", "admin"}),
        (("admin",), {"read", "review", "decide", "admin"}, set()),
    ],
)
def test_scopes(scopes: tuple[str, ...], allowed: set[str], refused: set[str]) -> None:
    state = issue(*scopes).state
    assert {s.value for s in Scope if state.allows(s)} == allowed
    assert not any(state.allows(s) for s in refused)


def test_revoke_once() -> None:
    token = issue("read")
    event = token.revoke(ctx("security"), reason="leaked")
    assert isinstance(event, ApiTokenRevoked)
    assert not token.state.active
    assert token.state.revoked_by == "security"
    with pytest.raises(InvalidTransition):
        token.revoke(ctx(), reason="again")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": " "},
        {"actor": ""},
        {"scopes": ()},
        {"scopes": ("root",)},
        {"token_hash": "short"},
    ],
)
def test_invalid_tokens_are_refused(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"token_id": "apitoken-1", "name": "ci", "actor": "bot",
                               "scopes": ("read",), "token_hash": HASH, **kwargs}
    with pytest.raises(InvariantViolation):
        ApiToken.issue(ctx(), **args)  # type: ignore[arg-type]
