"""The ``docsense`` command, run in subprocesses: every command and every exit code.

Issue acceptance: ``--fail-on high`` exits 1 on a seed document with high findings and 0 on
doc_11; bad input exits 2 with one ``error:`` line and no traceback (``--debug`` adds it);
invalid settings exit 3 naming the field; json and sarif on stdout parse as JSON; the worker
leads every projection and exits 0 on SIGTERM.

Commands that only read (or fail before touching the store) run concurrently, to keep the
module fast on two cores.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

import docsense
from docsense.ports import DeadLetter, ProjectionCommit

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "seed-docs"
HIGH = CORPUS / "doc_03_undefined_parameters.docx"  # 11 high findings, no critical
CLEAN = CORPUS / "doc_11_perfect_compliance.docx"  # no findings with the rules reviewer
CLI = [sys.executable, "-m", "docsense.cli"]
REVIEW_ID = re.compile(r"review-[0-9a-f]{8}-[0-9a-f-]{27}")


@dataclass
class Cmd:
    """One CLI invocation and, once run, its result."""

    args: Sequence[str]
    env: dict[str, str] | None = None
    stdin: str | None = None
    returncode: int = -1
    stdout: str = ""
    stderr: str = ""

    def json(self) -> object:
        return json.loads(self.stdout)


class Runner:
    """Runs the CLI against one SQLite store in a temporary directory."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.store = f"sqlite:///{workdir / 'cli.db'}"

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSENSE_")}
        env.update(DOCSENSE_STORE_URL=self.store, COLUMNS="250", DOCSENSE_ACTOR="cli-test")
        env.update(extra or {})
        return env

    def run(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None,
            expect: int | None = 0) -> Cmd:
        [cmd] = self.many(Cmd(args, env, stdin), expect=expect)
        return cmd

    def many(self, *cmds: Cmd, expect: int | None = None) -> list[Cmd]:
        """Run ``cmds`` concurrently; check each exit code against ``expect`` if given."""
        procs = [
            subprocess.Popen(
                [*CLI, *c.args], cwd=self.workdir, env=self.env(c.env), text=True,
                stdin=subprocess.PIPE if c.stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            for c in cmds
        ]
        for cmd, proc in zip(cmds, procs, strict=True):
            cmd.stdout, cmd.stderr = proc.communicate(cmd.stdin, timeout=120)
            cmd.returncode = proc.returncode
            if expect is not None:
                assert cmd.returncode == expect, (cmd.args, cmd.returncode, cmd.stderr)
        return list(cmds)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    if not HIGH.exists() or not CLEAN.exists():
        pytest.skip(f"seed corpus not found at {CORPUS}")
    return Runner(tmp_path_factory.mktemp("cli"))


@dataclass
class Seeded:
    """What the first review left in the module's store."""

    document_id: str
    review_id: str
    report: dict[str, object]


@pytest.fixture(scope="module")
def seeded(cli: Runner) -> Seeded:
    result = cli.run("review", str(HIGH), "--format", "json", "--fail-on", "high", expect=1)
    report = result.json()
    assert isinstance(report, dict)
    document = report["document"]
    assert isinstance(document, dict)
    return Seeded(str(document["id"]), review_id_in(result.stderr), report)


def review_id_in(summary: str) -> str:
    """The review id in ``review``'s summary table (on stderr)."""
    [review_id] = REVIEW_ID.findall(summary)
    return str(review_id)


def cli_json(cli: Runner, *args: str) -> list[dict[str, object]]:
    data = cli.run(*args).json()
    assert isinstance(data, list)
    return data


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    return lines[0]


# --- review and --fail-on ---------------------------------------------------------------------


def test_fail_on_high_exits_1_on_a_document_with_high_findings_and_stdout_is_pure_json(
    cli: Runner, seeded: Seeded
) -> None:
    assert seeded.report["schema"] == "docsense.review/2"
    findings = seeded.report["findings"]
    assert isinstance(findings, list)
    assert findings
    assert all(f["severity"] == "high" for f in findings)


def test_fail_on_high_exits_0_on_doc_11_and_several_inputs_share_one_verdict(
    cli: Runner, seeded: Seeded
) -> None:
    out_dir = cli.workdir / "reports"
    clean, strict, lenient, array = cli.many(
        Cmd(["review", str(CLEAN), "--format", "sarif", "--fail-on", "high"]),
        Cmd(["review", str(HIGH), str(CLEAN), "-f", "sarif", "-o", str(out_dir / "sarif"),
             "--fail-on", "medium"]),
        Cmd(["review", str(HIGH), str(CLEAN), "-f", "md", "-o", str(out_dir / "md"),
             "--fail-on", "critical", "--quiet"]),
        Cmd(["review", str(CLEAN), "--document", seeded.document_id, "-f", "json", "-q"]),
    )
    assert clean.returncode == 0, clean.stderr
    log = clean.json()
    assert isinstance(log, dict)
    assert log["version"] == "2.1.0"
    assert log["runs"][0]["results"] == []
    assert "review summary" in clean.stderr
    # Several inputs: one report file each; the verdict counts every input's findings.
    assert strict.returncode == 1, strict.stderr
    assert lenient.returncode == 0, lenient.stderr
    assert strict.stdout == lenient.stdout == ""
    names = sorted(p.name for p in (out_dir / "sarif").iterdir())
    assert names == sorted([HIGH.stem + ".sarif", CLEAN.stem + ".sarif"])
    for path in (out_dir / "sarif").iterdir():
        [run] = json.loads(path.read_text())["runs"]
        assert bool(run["results"]) == (path.stem == HIGH.stem)
    assert (out_dir / "md" / f"{HIGH.stem}.md").read_text().startswith("#")
    assert "review summary" not in lenient.stderr
    # Several inputs as json on stdout: one array, in input order (files, then documents).
    assert array.returncode == 0, array.stderr
    reports = array.json()
    assert isinstance(reports, list)
    assert reports[1]["document"]["id"] == seeded.document_id


# --- confidence threshold, --all and report --------------------------------------------------


def test_min_confidence_hides_findings_from_the_report_the_score_and_fail_on(
    cli: Runner, seeded: Seeded
) -> None:
    every = seeded.report["findings"]
    assert isinstance(every, list)
    # A threshold above every finding's (calibrated) confidence hides them all.
    high = max(f["confidence"] for f in every) + 0.01
    assert high <= 1.0
    threshold = f"{high:.3f}"
    strict, env_strict, shown_all, bad_env = cli.many(
        Cmd(["review", "--document", seeded.document_id, "-f", "json", "--min-confidence",
             threshold, "--fail-on", "high"]),
        Cmd(["review", "--document", seeded.document_id, "-f", "json"],
            {"DOCSENSE_MIN_CONFIDENCE": threshold}),
        Cmd(["review", "--document", seeded.document_id, "-f", "json", "--min-confidence",
             threshold, "--all", "--fail-on", "high"]),
        Cmd(["review", "--document", seeded.document_id], {"DOCSENSE_MIN_CONFIDENCE": "2"}),
    )
    for cmd in (strict, env_strict):
        assert cmd.returncode == 0, cmd.stderr  # --fail-on counts the findings shown only
        report = cmd.json()
        assert isinstance(report, dict)
        assert report["findings"] == []
        hidden_before = seeded.report["threshold"]
        assert isinstance(hidden_before, dict)
        assert report["threshold"] == {"min_confidence": float(threshold),
                                       "below": len(every) + hidden_before["below"],
                                       "included": False}
        assert report["score"] == 1.0
    # --all shows them, marked, but the review's threshold still decides --fail-on.
    assert shown_all.returncode == 0, shown_all.stderr
    listed = shown_all.json()
    assert isinstance(listed, dict)
    assert [f["id"] for f in every] == [
        f["id"] for f in listed["findings"] if f["confidence"] >= 0.5
    ]
    assert all(f["below_threshold"] for f in listed["findings"])
    assert bad_env.returncode == 3  # configuration unavailable
    assert "min_confidence" in one_error_line(bad_env.stderr)


def test_report_renders_a_stored_review_again_at_any_threshold(
    cli: Runner, seeded: Seeded
) -> None:
    first = seeded.report["findings"]
    assert isinstance(first, list)
    threshold = f"{max(f['confidence'] for f in first) + 0.01:.3f}"  # above every finding
    again, strict, everything, sarif, out_of_range, unknown, markdown = cli.many(
        Cmd(["report", seeded.review_id, "-f", "json"]),
        Cmd(["report", seeded.review_id, "-f", "json", "--min-confidence", threshold]),
        Cmd(["report", seeded.review_id, "-f", "json", "--min-confidence", threshold, "--all"]),
        Cmd(["report", seeded.review_id, "-f", "sarif"]),
        Cmd(["report", seeded.review_id, "--min-confidence", "1.5"]),
        Cmd(["report", "review-nope"]),
        Cmd(["report", seeded.review_id, "-o", str(cli.workdir / "again.md")]),
    )
    for cmd in (again, strict, everything, sarif, markdown):
        assert cmd.returncode == 0, cmd.stderr
    report, high, listed = again.json(), strict.json(), everything.json()
    assert isinstance(report, dict)
    assert isinstance(high, dict)
    assert isinstance(listed, dict)
    assert [f["id"] for f in report["findings"]] == [f["id"] for f in first]
    assert report["score"] == seeded.report["score"]
    assert high["findings"] == []
    hidden_before = report["threshold"]["below"]
    assert high["threshold"]["below"] == len(report["findings"]) + hidden_before
    assert high["score"] > report["score"]
    assert len(listed["findings"]) == len(report["findings"]) + hidden_before
    log = sarif.json()
    assert isinstance(log, dict)
    assert len(log["runs"][0]["results"]) == len(report["findings"])
    assert out_of_range.returncode == 2
    assert "Usage:" in out_of_range.stderr
    assert unknown.returncode == 2
    assert "review-nope" in one_error_line(unknown.stderr)
    assert (cli.workdir / "again.md").read_text().startswith("# Review report")


def test_a_finding_at_several_places_is_one_row_with_its_places(
    cli: Runner, tmp_path: Path
) -> None:
    source = tmp_path / "hedging.md"
    source.write_text(
        "# Hedging\n\n## 1. Rules\n\nFutures are rolled where appropriate.\n\n"
        "Options are hedged where appropriate.\n\nCash is swept where appropriate.\n"
    )
    result = cli.run("review", str(source), "--format", "json", "--fail-on", "critical")
    report = result.json()
    assert isinstance(report, dict)
    findings = report["findings"]
    assert isinstance(findings, list)
    [grouped] = [f for f in findings if len(f["occurrences"]) > 1]
    assert len(grouped["occurrences"]) == 3
    review_id = review_id_in(result.stderr)
    markdown = cli.run("report", review_id).stdout
    assert "(3 places)" in markdown
    items = cli_json(cli, "feedback", "list", review_id, "--json")
    assert [i["places"] for i in items if i["finding_id"] == grouped["id"]] == [3]


# --- errors and exit code 2 -------------------------------------------------------------------


def test_input_errors_exit_2_with_one_line_and_a_traceback_only_with_debug(
    cli: Runner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"\x00\x01 not a document")
    memory = {"DOCSENSE_STORE_URL": "memory://"}
    missing, debug, settings, pack, one_bad_of_two = cli.many(
        Cmd(["review", str(tmp_path / "missing.docx")], memory),
        Cmd(["--debug", "review", str(bad)], memory),
        Cmd(["documents"], {"DOCSENSE_SNAPSHOT_EVERY": "x", "DOCSENSE_POOL_SIZE": "0"}),
        Cmd(["review", str(CLEAN), "--pack", "no-such-pack"], memory),
        Cmd(["ingest", str(bad), str(CLEAN), "--json"], memory),
    )
    for cmd in (missing, debug, pack, one_bad_of_two):
        assert cmd.returncode == 2, (cmd.args, cmd.stderr)
    assert settings.returncode == 3, settings.stderr  # invalid settings: configuration
    assert "missing.docx" in one_error_line(missing.stderr)
    assert missing.stdout == debug.stdout == ""
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().splitlines()[-1].startswith("error: bad.docx")
    line = one_error_line(settings.stderr)
    assert "snapshot_every" in line
    assert "pool_size" in line
    assert "no-such-pack" in one_error_line(pack.stderr)
    # The good file of the two is still ingested; the bad one is named; 2 outranks success.
    [ingested] = json.loads(one_bad_of_two.stdout)
    assert ingested["file"] == str(CLEAN)
    assert "Traceback" not in one_bad_of_two.stderr
    assert "error: bad.docx: " in one_bad_of_two.stderr
    assert "1 of 2 inputs failed" in one_bad_of_two.stderr


def test_usage_errors_exit_2_and_help_and_version_exit_0(cli: Runner) -> None:
    help_, version, review_help, no_files, bad_severity, no_reason = cli.many(
        Cmd(["--help"]),
        Cmd(["--version"]),
        Cmd(["review", "--help"]),
        Cmd(["review"]),
        Cmd(["review", str(CLEAN), "--fail-on", "severe"]),
        Cmd(["feedback", "reject", "review-x", "finding-x"]),
    )
    assert (help_.returncode, version.returncode, review_help.returncode) == (0, 0, 0)
    for command in ("review", "ingest", "history", "packs", "feedback", "export",
                    "projections", "worker", "documents", "reviews", "report"):
        assert command in help_.stdout
    assert "Exit codes" in help_.stdout
    assert version.stdout.startswith("docsense ")
    assert "--fail-on" in review_help.stdout
    for usage in (no_files, bad_severity, no_reason):
        assert usage.returncode == 2, usage.stderr
        assert "Usage:" in usage.stderr
        assert "Traceback" not in usage.stderr
    assert "--reason" in no_reason.stderr


# --- ingest, lists, history, export ------------------------------------------------------------


def test_ingest_lists_history_and_export(cli: Runner, seeded: Seeded) -> None:
    [again] = cli_json(cli, "ingest", str(HIGH), "--json")
    assert again["id"] == seeded.document_id  # the same file is not ingested twice
    [doc] = cli_json(
        cli, "ingest", str(CLEAN), "--force-new", "--title", "Clean copy", "--json"
    )
    assert doc["version"] == "1.0"
    assert doc["title"] == "Clean copy"
    doc_id = str(doc["id"])
    docx = cli.workdir / "export.docx"
    docs, reviews, history, table, export_md, export_docx, unknown, logged = cli.many(
        Cmd(["documents", "--json"]),
        Cmd(["reviews", seeded.document_id, "--json"]),
        Cmd(["history", seeded.document_id, "--json"]),
        Cmd(["history", seeded.document_id]),
        Cmd(["export", seeded.document_id]),
        Cmd(["export", doc_id, "--format", "docx", "-o", str(docx)]),
        Cmd(["history", "document-nope"]),
        Cmd(["--log-format", "json", "--debug", "ingest", "--force-new", str(HIGH)]),
    )
    assert [c.returncode for c in (docs, reviews, history, table, export_md, export_docx)] == [
        0
    ] * 6
    assert {d["id"] for d in docs.json()} >= {doc_id, seeded.document_id}  # type: ignore[attr-defined]
    assert seeded.review_id in [r["id"] for r in reviews.json()]  # type: ignore[attr-defined]
    events = history.json()
    assert isinstance(events, list)
    assert events[0]["event_type"] == "DocumentUploaded"
    assert {e["actor"] for e in events} == {"cli-test"}
    assert "DocumentUploaded" in table.stdout
    assert export_md.stdout.startswith("# ")
    assert docx.read_bytes()[:2] == b"PK"
    assert unknown.returncode == 2
    assert "document-nope" in one_error_line(unknown.stderr)
    # JSON log lines on stderr, each with the operation's correlation id; stdout untouched.
    assert logged.returncode == 0, logged.stderr
    records = [json.loads(line) for line in logged.stderr.splitlines() if line.strip()]
    ingested = [r for r in records if r["message"].startswith("ingested ")]
    assert ingested
    assert ingested[0]["correlation_id"]
    assert "document-" in logged.stdout


# --- feedback ----------------------------------------------------------------------------------


def test_feedback_decisions_apply_as_a_new_version(cli: Runner) -> None:
    first = cli.run("review", str(HIGH), "-f", "json")
    report = first.json()
    assert isinstance(report, dict)
    doc_id = report["document"]["id"]
    review_id = review_id_in(first.stderr)
    items = cli_json(cli, "feedback", "list", review_id, "--json")
    acceptable = [str(i["finding_id"]) for i in items if i["can_accept"]]
    assert len(acceptable) >= 4
    accept, reject, modify = acceptable[:2], acceptable[2], acceptable[3]
    cli.run("feedback", "accept", review_id, *accept)
    cli.run("feedback", "reject", review_id, reject, "--reason", "covered elsewhere")
    cli.run("feedback", "modify", review_id, modify, "--text", "-", stdin="Written by hand.")
    applied = cli.run("feedback", "apply", review_id, "--diff")
    assert f"{doc_id} version 1.1" in applied.stdout
    assert "+++ 1.1" in applied.stdout
    again, revised, table = cli.many(
        Cmd(["feedback", "apply", review_id]),
        Cmd(["export", doc_id, "--version", "1.1"]),
        Cmd(["feedback", "list", review_id]),
    )
    assert again.returncode == 2
    one_error_line(again.stderr)
    assert revised.returncode == 0
    assert "Written by hand." in revised.stdout
    assert table.returncode == 0
    for decision in ("accepted", "rejected", "modified"):
        assert decision in table.stdout
    assert "places" in table.stdout
    assert all(len(i["occurrences"]) == i["places"] for i in items)  # type: ignore[arg-type]


# --- packs -------------------------------------------------------------------------------------


def test_packs_list_and_show(cli: Runner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: Not A Slug\nname: x\nversion: 1\npolicies: []\n")
    listed, shown, invalid = cli.many(
        Cmd(["packs", "list", "--json"]),
        Cmd(["packs", "show", "self-containment"]),
        Cmd(["packs", "show", str(broken)]),
    )
    assert (listed.returncode, shown.returncode) == (0, 0)
    by_name = {p["name"]: p for p in listed.json()}  # type: ignore[attr-defined]
    assert by_name["self-containment"]["default"] is True
    assert by_name["self-containment"]["policies"] >= 10
    assert "SC-001" in shown.stdout
    assert "MUST" in shown.stdout
    assert invalid.returncode == 2
    assert "broken.yaml" in one_error_line(invalid.stderr)


# --- projections and the worker ------------------------------------------------------------------


def _plant_dead_letter(store: str, position: int) -> str:
    """Park the event at ``position`` in the audit projection, as a failing handler would."""

    async def plant() -> str:
        async with docsense.aopen(store) as ds:
            runner = ds.service.projections
            await runner.catch_up("audit")
            storage = ds.service.storage
            first = (await storage.read_all(0, limit=position))[-1]
            checkpoint = await runner.active_checkpoint("audit")
            letter = DeadLetter(
                projection="audit", generation=checkpoint.generation, event_id=first.event_id,
                position=first.position, event_type=first.event_type, stream_id=first.stream_id,
                error="RuntimeError: planted by the test", traceback="Traceback: planted",
                attempts=3, parked_at=datetime.now(UTC),
            )
            await storage.projections.commit(ProjectionCommit(
                projection="audit", generation=checkpoint.generation,
                expected_position=checkpoint.position, new_position=checkpoint.position,
                parked=(letter,),
            ))
            return first.event_id

    return asyncio.run(plant())


def test_projections_status_rebuild_dead_letters_retry_discard(
    cli: Runner, seeded: Seeded
) -> None:
    retried = _plant_dead_letter(cli.store, 1)
    status, letters, table = cli.many(
        Cmd(["projections", "status", "--json"]),
        Cmd(["projections", "dead-letters", "audit", "--json"]),
        Cmd(["projections", "dead-letters", "--traceback"]),
        expect=0,
    )
    rows = {s["name"]: s for s in status.json()}  # type: ignore[attr-defined]
    assert set(rows) >= {"documents", "reviews", "audit"}
    assert rows["audit"]["dead_letters"] == 1
    assert [d["event_id"] for d in letters.json()] == [retried]  # type: ignore[attr-defined]
    assert "planted by the test" in table.stdout
    assert "Traceback: planted" in table.stdout
    assert "retried" in cli.run("projections", "retry", "audit", retried).stdout
    discarded = _plant_dead_letter(cli.store, 2)
    gone, unknown, discard = cli.many(
        Cmd(["projections", "discard", "audit", retried]),  # retried: no longer parked
        Cmd(["projections", "rebuild", "no-such-projection"]),
        Cmd(["projections", "discard", "audit", discarded]),
    )
    assert (gone.returncode, unknown.returncode) == (2, 2)
    assert retried in one_error_line(gone.stderr)
    assert "no-such-projection" in one_error_line(unknown.stderr)
    assert discard.returncode == 0, discard.stderr
    rebuilt = cli.run("projections", "rebuild", "--all", "--json")
    after = {s["name"]: s for s in rebuilt.json()}  # type: ignore[attr-defined]
    assert set(after) == set(rows)
    assert after["audit"]["dead_letters"] == 0
    assert after["audit"]["lag"] == 0
    assert after["audit"]["generation"] > rows["audit"]["generation"]


@pytest.fixture
def worker(cli: Runner) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [*CLI, "worker", "--poll-interval", "0.1"], cwd=cli.workdir, env=cli.env(), text=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


def test_worker_leads_every_projection_and_stops_cleanly_on_sigterm(
    cli: Runner, seeded: Seeded, worker: subprocess.Popen[str]
) -> None:
    assert worker.stdout is not None
    led: list[str] = []
    deadline = time.monotonic() + 60
    while len(led) < 4 and time.monotonic() < deadline:
        line = worker.stdout.readline()
        if not line:
            break
        led.append(line.strip())
    assert led == ["leading documents", "leading reviews", "leading findings", "leading audit"]
    worker.send_signal(signal.SIGTERM)
    _, stderr = worker.communicate(timeout=30)
    assert worker.returncode == 0, stderr
    assert "worker stopped" in stderr
    assert "Traceback" not in stderr
