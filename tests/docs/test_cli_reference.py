"""The CLI reference page is generated from the CLI and committed up to date (issue 17)."""

from __future__ import annotations

import subprocess
import sys

from docsense.cli._reference import cli_reference

from .test_docs_examples import ROOT

PAGE = ROOT / "docs" / "reference" / "cli.md"


def test_the_committed_cli_reference_is_up_to_date() -> None:
    assert PAGE.read_text(encoding="utf-8") == cli_reference(), (
        "docs/reference/cli.md is stale: run python -m docsense.cli._reference "
        "docs/reference/cli.md"
    )


def test_it_covers_every_command_and_option() -> None:
    page = cli_reference()
    for heading in ("## `docsense`", "### `docsense review`", "### `docsense completion`",
                    "#### `docsense feedback accept`", "#### `docsense packs show`",
                    "#### `docsense projections rebuild`"):
        assert heading in page, heading
    for option in ("`--fail-on`", "`--strict/--no-strict`", "`--format`, `-f`", "`--log-format`",
                   "`--store` `URL`"):
        assert option in page, option
    assert "<bool>" not in page
    assert "<list[" not in page
    assert "4 provider failure" in page


def test_the_script_writes_the_page(tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "cli.md"
    result = subprocess.run(
        [sys.executable, "-m", "docsense.cli._reference", str(target)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") == cli_reference()
