"""Specification of the PolicyPack aggregate, policies and checks."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from docsense.domain.events import CommandContext
from docsense.domain.findings import Category, Severity
from docsense.domain.policies import (
    Check,
    CheckKind,
    Policy,
    PolicyAdded,
    PolicyPack,
    PolicyPackCreated,
    PolicyPackVersionPublished,
    PolicyRetired,
    PolicyUpdated,
    RequirementLevel,
)
from docsense.errors import InvalidTransition, InvariantViolation


def make_policy(policy_id: str = "SC-001", **overrides: Any) -> Policy:
    fields: dict[str, Any] = {
        "id": policy_id,
        "title": "Parameters are defined",
        "level": RequirementLevel.MUST,
        "category": Category.UNDEFINED_PARAMETER,
        "description": "Every parameter has a value.",
        "checks": (Check(CheckKind.PATTERN_FORBIDDEN, {"pattern": r"\bX\b"}),),
        "llm_instruction": "Find parameters used without a value.",
        **overrides,
    }
    return Policy(**fields)


@pytest.fixture
def pack(ctx: CommandContext) -> PolicyPack:
    return PolicyPack.create(
        ctx,
        pack_key="self-containment",
        name="Self-containment",
        version="2026.1",
        description="The document stands on its own.",
        jurisdiction="EU",
    )


# --- checks and policies -----------------------------------------------------------------------


def test_check_params_accept_a_mapping_and_are_kept_sorted() -> None:
    check = Check(CheckKind.PATTERN_REQUIRED, {"pattern": "cap", "flags": "i"})
    assert check.params == (("flags", "i"), ("pattern", "cap"))
    assert check.param("pattern") == "cap"
    assert check.param("missing", "d") == "d"
    assert check.params_dict == {"flags": "i", "pattern": "cap"}


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        (CheckKind.SECTION_REQUIRED, {}),
        (CheckKind.PATTERN_REQUIRED, {"heading": "x"}),
        (CheckKind.PATTERN_FORBIDDEN, {"pattern": ""}),
        (CheckKind.IR, {"pattern": "x"}),
    ],
)
def test_check_missing_its_required_param_raises_invariant_violation(
    kind: CheckKind, params: dict[str, str]
) -> None:
    with pytest.raises(InvariantViolation, match="needs param"):
        Check(kind, params)


def test_check_with_invalid_regex_raises_invariant_violation() -> None:
    with pytest.raises(InvariantViolation, match="not a valid regex"):
        Check(CheckKind.PATTERN_FORBIDDEN, {"pattern": "(unclosed"})


def test_check_with_duplicate_params_raises_invariant_violation() -> None:
    with pytest.raises(InvariantViolation, match="duplicate"):
        Check(CheckKind.IR, (("check", "a"), ("check", "b")))


def test_policy_needs_a_check_or_an_llm_instruction() -> None:
    with pytest.raises(InvariantViolation):
        make_policy(checks=(), llm_instruction=" ")
    assert make_policy(checks=()).llm_instruction


def test_policy_defaults_to_medium_severity() -> None:
    assert make_policy().severity is Severity.MEDIUM


@pytest.mark.parametrize(("field", "value"), [("id", " "), ("title", "")])
def test_policy_without_id_or_title_raises_invariant_violation(field: str, value: str) -> None:
    with pytest.raises(InvariantViolation):
        make_policy(**{field: value})


# --- create ------------------------------------------------------------------------------------


def test_create_starts_an_empty_draft_pack(pack: PolicyPack) -> None:
    state = pack.state
    assert pack.id.startswith("policypack-")
    assert (state.pack_key, state.name, state.jurisdiction, state.version) == (
        "self-containment",
        "Self-containment",
        "EU",
        "2026.1",
    )
    assert state.policies == ()
    assert state.published == ()
    assert isinstance(pack.pending_events[0], PolicyPackCreated)


@pytest.mark.parametrize("key", ["Self-Containment", "self containment", "-x", "x-", ""])
def test_create_with_a_non_slug_pack_key_raises_invariant_violation(
    ctx: CommandContext, key: str
) -> None:
    with pytest.raises(InvariantViolation):
        PolicyPack.create(ctx, pack_key=key, name="n", version="1")


@pytest.mark.parametrize(("name", "version"), [(" ", "1"), ("n", "")])
def test_create_without_name_or_version_raises_invariant_violation(
    ctx: CommandContext, name: str, version: str
) -> None:
    with pytest.raises(InvariantViolation):
        PolicyPack.create(ctx, pack_key="k", name=name, version=version)


# --- add / update / retire -----------------------------------------------------------------------


def test_add_policy_appends_it_and_marks_unpublished_changes(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    event = pack.add_policy(ctx, make_policy())
    assert isinstance(event, PolicyAdded)
    assert pack.state.policy("SC-001") == make_policy()
    assert pack.state.has_unpublished_changes


def test_add_policy_with_a_duplicate_id_raises_invariant_violation(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy())
    with pytest.raises(InvariantViolation, match="already has"):
        pack.add_policy(ctx, make_policy(title="Other"))


def test_add_policy_reusing_a_retired_id_raises_invariant_violation(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy())
    pack.retire_policy(ctx, "SC-001", reason="superseded")
    with pytest.raises(InvariantViolation):
        pack.add_policy(ctx, make_policy())


def test_update_policy_replaces_it_in_place(ctx: CommandContext, pack: PolicyPack) -> None:
    pack.add_policy(ctx, make_policy("A"))
    pack.add_policy(ctx, make_policy("B"))
    event = pack.update_policy(ctx, make_policy("A", level=RequirementLevel.SHOULD))
    assert isinstance(event, PolicyUpdated)
    assert [p.id for p in pack.state.policies] == ["A", "B"]
    assert pack.state.policies[0].level is RequirementLevel.SHOULD


def test_update_unknown_policy_raises_invariant_violation(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    with pytest.raises(InvariantViolation, match="no policy"):
        pack.update_policy(ctx, make_policy())


def test_update_retired_policy_raises_invalid_transition(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy())
    pack.retire_policy(ctx, "SC-001", reason="superseded")
    with pytest.raises(InvalidTransition, match="retired"):
        pack.update_policy(ctx, make_policy(title="New"))


def test_update_without_change_raises_invariant_violation(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy())
    with pytest.raises(InvariantViolation, match="unchanged"):
        pack.update_policy(ctx, make_policy())


def test_retire_policy_moves_it_to_retired_with_the_reason(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy())
    event = pack.retire_policy(ctx, "SC-001", reason="superseded by SC-002")
    assert isinstance(event, PolicyRetired)
    assert pack.state.policies == ()
    assert pack.state.is_retired("SC-001")
    assert pack.state.retired[0].reason == "superseded by SC-002"


def test_retire_unknown_policy_raises_invariant_violation(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    with pytest.raises(InvariantViolation):
        pack.retire_policy(ctx, "nope", reason="x")


def test_retire_retired_policy_raises_invalid_transition(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy())
    pack.retire_policy(ctx, "SC-001", reason="x")
    with pytest.raises(InvalidTransition):
        pack.retire_policy(ctx, "SC-001", reason="again")


def test_retire_without_reason_raises_invariant_violation(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy())
    with pytest.raises(InvariantViolation):
        pack.retire_policy(ctx, "SC-001", reason=" ")


# --- publish -----------------------------------------------------------------------------------


def test_publish_freezes_the_active_policies_under_the_draft_label(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy("A"))
    event = pack.publish(ctx, notes="first")
    assert isinstance(event, PolicyPackVersionPublished)
    assert event.version == "2026.1"
    assert event.policy_ids == ("A",)
    published = pack.state.published_version("2026.1")
    assert published is not None
    assert published.policies == (make_policy("A"),)
    assert not pack.state.has_unpublished_changes


def test_published_version_keeps_policies_as_they_were(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy("A"))
    pack.publish(ctx)
    pack.update_policy(ctx, make_policy("A", title="Changed"))
    pack.publish(ctx, version="2026.2")
    old, new = pack.state.published
    assert old.policies[0].title == "Parameters are defined"
    assert new.policies[0].title == "Changed"
    assert pack.state.version == "2026.2"
    assert pack.state.latest_published == new


def test_publish_an_already_published_label_raises_invalid_transition(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy("A"))
    pack.publish(ctx)
    pack.add_policy(ctx, make_policy("B"))
    with pytest.raises(InvalidTransition, match="already published"):
        pack.publish(ctx)


def test_publish_an_empty_pack_raises_invalid_transition(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    with pytest.raises(InvalidTransition, match="at least one policy"):
        pack.publish(ctx)


def test_publish_with_blank_label_raises_invariant_violation(
    ctx: CommandContext, pack: PolicyPack
) -> None:
    pack.add_policy(ctx, make_policy("A"))
    with pytest.raises(InvariantViolation):
        pack.publish(ctx, version=" ")


def test_policies_are_hashable_value_objects() -> None:
    assert hash(make_policy()) == hash(make_policy())
    assert attrs.evolve(make_policy(), title="x") != make_policy()
