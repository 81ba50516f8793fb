"""Policy packs: the format, the loader, the built-in packs and entry points."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

from docsense.domain.findings import Category, Severity
from docsense.domain.ir import SemanticIR
from docsense.domain.policies import CheckKind, RequirementLevel
from docsense.errors import PolicyPackError
from docsense.policies import (
    PACK_ENTRY_POINT_GROUP,
    available_packs,
    builtin_pack_names,
    load_pack,
    load_pack_file,
    parse_pack,
)
from docsense.review.checks.base import CheckContext
from docsense.review.checks.registry import default_registry
from docsense.testing.strategies import deterministic_context

MINIMAL = """
id: my-pack
name: My pack
version: 2.0
policies:
  - id: P-1
    title: Limits have values
    level: must
    category: undefined_parameter
    checks:
      - kind: pattern_forbidden
        pattern: "the threshold"
"""


def test_builtin_packs_are_the_default_and_the_two_ported_templates() -> None:
    assert builtin_pack_names() == (
        "internal-algo-standard",
        "sec-index-publishing",
        "self-containment",
    )
    assert set(builtin_pack_names()) <= set(available_packs())


@pytest.mark.parametrize("name", builtin_pack_names())
def test_every_builtin_policy_is_executed_by_a_check_or_marked_llm_only(name: str) -> None:
    pack = load_pack(name)
    registry = default_registry()
    ctx = CheckContext("# T\n\n## 1. Rules\n\nBuy when the signal is strong.\n", (), SemanticIR())
    for policy in pack.policies:
        if policy.id in pack.llm_only_ids:
            assert not policy.checks
            assert policy.llm_instruction.strip(), policy.id
            continue
        assert policy.checks, f"{name}/{policy.id} is neither checked nor LLM-only"
        for check in policy.checks:
            if check.kind is CheckKind.IR:
                assert registry.has(check.param("check")), (policy.id, check)
            registry.run(ctx, check)  # runs without error


def test_self_containment_covers_the_ten_self_containment_topics() -> None:
    pack = load_pack("self-containment")
    assert len(pack.policies) == 10
    assert {p.category for p in pack.policies} == {
        Category.UNDEFINED_PARAMETER,
        Category.AMBIGUOUS_METHODOLOGY,
        Category.MARKET_CALENDAR,
        Category.DATA_SOURCE_UNSPECIFIED,
        Category.INCOMPLETE_FORMULA,
        Category.MISSING_REFERENCE,
        Category.EXTERNAL_DEPENDENCY,
        Category.INCONSISTENT_CONTENT,
        Category.MISSING_GOVERNANCE,
        Category.COMPLIANCE_GAP,
    }
    assert not pack.llm_only_ids


def test_ported_templates_keep_their_levels_and_gain_ids_and_categories() -> None:
    sec = load_pack("sec-index-publishing")
    assert [p.level for p in sec.policies] == [RequirementLevel.MUST] * 3 + [
        RequirementLevel.SHOULD
    ] * 2 + [RequirementLevel.MAY]
    assert [p.id for p in sec.policies] == [f"SEC-00{i}" for i in range(1, 7)]
    ias = load_pack("internal-algo-standard")
    assert len(ias.policies) == 8
    assert ias.llm_only_ids == {"IAS-007", "IAS-008"}


def test_minimal_yaml_pack_parses_with_defaults_and_lowercase_level() -> None:
    pack = parse_pack(MINIMAL, source="mine.yaml")
    assert (pack.key, pack.version) == ("my-pack", "2.0")
    policy = pack.policies[0]
    assert policy.level is RequirementLevel.MUST
    assert policy.severity is Severity.MEDIUM
    assert policy.checks[0].param("pattern") == "the threshold"


def test_json_pack_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "pack.json"
    path.write_text(
        json.dumps(
            {
                "format": "docsense.pack/1",
                "id": "json-pack",
                "name": "JSON pack",
                "version": "1",
                "policies": [
                    {
                        "id": "J-1",
                        "title": "Governance section",
                        "level": "SHOULD",
                        "category": "missing_governance",
                        "checks": [{"kind": "section_required", "heading": "governance"}],
                    }
                ],
            }
        )
    )
    assert load_pack(path).policies[0].checks[0].kind is CheckKind.SECTION_REQUIRED
    assert load_pack_file(path).key == "json-pack"


def test_section_forbidden_maps_onto_the_ir_check_of_that_name() -> None:
    pack = parse_pack(MINIMAL.replace("pattern_forbidden", "section_forbidden").replace(
        "pattern:", "heading:"), source="x.yaml")
    check = pack.policies[0].checks[0]
    assert check.kind is CheckKind.IR
    assert check.param("check") == "section_forbidden"


def test_malformed_yaml_names_the_file_and_line() -> None:
    with pytest.raises(PolicyPackError, match=r"bad\.yaml: not valid YAML at line \d+"):
        parse_pack("id: x\npolicies: [\n  - {", source="bad.yaml")


def test_unknown_check_kind_names_the_policy_and_the_valid_kinds() -> None:
    text = MINIMAL.replace("pattern_forbidden", "regex_magic")
    with pytest.raises(PolicyPackError) as err:
        parse_pack(text, source="mine.yaml")
    message = str(err.value)
    assert "mine.yaml" in message
    assert "policies[0] (P-1).checks[0].kind" in message
    assert "regex_magic" in message
    assert "section_required" in message


def test_unknown_ir_check_lists_the_known_checks() -> None:
    text = MINIMAL.replace(
        '- kind: pattern_forbidden\n        pattern: "the threshold"',
        "- kind: ir\n        check: nope",
    )
    pattern = r"policy P-1 check 1 \(ir\): unknown IR check 'nope'"
    with pytest.raises(PolicyPackError, match=pattern):
        parse_pack(text, source="mine.yaml")


def test_a_policy_with_no_checks_must_say_llm_only() -> None:
    text = MINIMAL.split("    checks:")[0] + "    llm_instruction: look\n"
    with pytest.raises(PolicyPackError, match="llm_only: true"):
        parse_pack(text, source="mine.yaml")
    pack = parse_pack(text + "    llm_only: true\n", source="mine.yaml")
    assert pack.llm_only_ids == {"P-1"}


def test_a_broken_regex_is_rejected_with_the_policy_named() -> None:
    with pytest.raises(PolicyPackError, match=r"policy P-1 check 1.*not a valid regex"):
        parse_pack(MINIMAL.replace('"the threshold"', '"(unclosed"'), source="mine.yaml")


def test_duplicate_policy_ids_are_rejected() -> None:
    policy = MINIMAL.split("policies:\n")[1]
    with pytest.raises(PolicyPackError, match="used twice"):
        parse_pack(MINIMAL + policy, source="mine.yaml")


def test_unknown_pack_name_lists_the_available_packs() -> None:
    with pytest.raises(PolicyPackError, match="self-containment"):
        load_pack("no-such-pack")
    with pytest.raises(PolicyPackError, match="no such pack file"):
        load_pack("missing.yaml")


def test_loaded_pack_becomes_a_published_aggregate() -> None:
    pack = load_pack("sec-index-publishing")
    agg = pack.create_aggregate(deterministic_context())
    published = agg.state.published_version(pack.version)
    assert published is not None
    assert [p.id for p in published.policies] == [p.id for p in pack.policies]


def test_a_pack_registered_by_entry_point_loads_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "thirdparty_packs.py").write_text(
        "PACK = " + repr({
            "id": "third-party",
            "name": "Third party",
            "version": "0.1",
            "policies": [{
                "id": "T-1", "title": "No hype", "level": "MAY", "category": "other",
                "checks": [{"kind": "pattern_forbidden", "pattern": "guaranteed"}],
            }],
        })
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = metadata.EntryPoint("third-party", "thirdparty_packs:PACK", PACK_ENTRY_POINT_GROUP)
    real = metadata.entry_points

    def fake(*, group: str) -> metadata.EntryPoints:
        if group == PACK_ENTRY_POINT_GROUP:
            return metadata.EntryPoints([ep])
        return real(group=group)

    monkeypatch.setattr(metadata, "entry_points", fake)
    assert available_packs()["third-party"].startswith("entry point")
    pack = load_pack("third-party")
    assert pack.origin == "entry point third-party"
    assert pack.policies[0].id == "T-1"
