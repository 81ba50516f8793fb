"""``docsense tokens create|list|revoke`` and ``docsense serve --help``, in subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "docsense.cli"]


def run(*args: str, store: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "--store", store, *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_tokens_create_list_revoke(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    created = run("tokens", "create", "ci bot", "--scope", "review", "--scope", "decide",
                  "--actor", "ci", "--json", store=store)
    assert created.returncode == 0, created.stderr
    token = json.loads(created.stdout)
    assert token["token"].startswith("dst_")
    assert token["scopes"] == ["review", "decide"]
    assert token["actor"] == "ci"

    plain = run("tokens", "create", "reader", store=store)
    assert plain.returncode == 0, plain.stderr
    secret = plain.stdout.strip()
    assert secret.startswith("dst_")
    assert "shown only now" in plain.stderr

    listed = run("tokens", "list", "--json", store=store)
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["scopes"], r["active"]) for r in rows] == [
        ("ci bot", ["review", "decide"], True),
        ("reader", ["read"], True),
    ]
    assert token["token"][37:] not in listed.stdout
    assert secret[37:] not in listed.stdout

    revoked = run("tokens", "revoke", token["id"], "--reason", "rotated", store=store)
    assert revoked.returncode == 0, revoked.stderr
    assert [r["active"] for r in json.loads(run("tokens", "list", "--json",
                                                store=store).stdout)] == [False, True]
    again = run("tokens", "revoke", token["id"], store=store)
    assert again.returncode == 2
    assert again.stderr.startswith("error:")
    assert "already revoked" in again.stderr
    unknown = run("tokens", "revoke", "apitoken-00000000-0000-0000-0000-000000000000",
                  store=store)
    assert unknown.returncode == 2
    assert "no API token" in unknown.stderr
    bad_scope = run("tokens", "create", "x", "--scope", "root", store=store)
    assert bad_scope.returncode == 2


def test_serve_help_names_its_settings() -> None:
    shown = subprocess.run([*CLI, "serve", "--help"], capture_output=True, text=True,
                           timeout=60, check=False)
    assert shown.returncode == 0
    text = " ".join(shown.stdout.split())
    assert "DOCSENSE_SERVER_" in text
    assert "worker" in text
