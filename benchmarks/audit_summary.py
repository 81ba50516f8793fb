"""What independent audits found of each check's findings on real documents.

    python -m benchmarks.audit_summary [--markdown]

Reads every audit file in ``benchmarks/audits`` (findings of the rules reviewer on real
documents, each judged valid, partly valid or invalid by an independent reviewer who saw
neither the code nor the tuning) and prints, per check, how many groups were judged and how
many were valid. These audits are not calibration material (``tests/data/audits`` is): the
table shows a user how the checks fare on documents like theirs, beside the calibrated
precision the labelled material gives. ``--markdown`` prints the table
``docs/concepts/rules-reviewer.md`` carries (a test keeps the two in step).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

AUDITS = Path(__file__).resolve().parent / "audits"
VERDICTS = ("valid", "partly", "invalid")


def tally(directory: Path = AUDITS) -> dict[str, Counter[str]]:
    """Return, per check, the count of each verdict over every audit file in ``directory``."""
    per_check: dict[str, Counter[str]] = defaultdict(Counter)
    for path in sorted(directory.glob("*.json")):
        for finding in json.loads(path.read_text(encoding="utf-8"))["findings"]:
            per_check[finding["check"]][finding["verdict"]] += 1
    return dict(per_check)


def markdown(per_check: dict[str, Counter[str]]) -> str:
    """Return the per-check table, most audited first, with a total row."""
    lines = [
        "| check | audited groups | valid | partly | invalid | valid share "
        "| partly as half |",
        "|---|---|---|---|---|---|---|",
    ]
    total: Counter[str] = Counter()
    order = sorted(per_check.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    for check, counts in (*order, ("all checks", total)):
        if check != "all checks":
            total.update(counts)
        n = sum(counts[v] for v in VERDICTS)
        share = counts["valid"] / n if n else 0.0
        half = (counts["valid"] + 0.5 * counts["partly"]) / n if n else 0.0
        name = f"`{check}`" if check != "all checks" else "**all checks**"
        lines.append(
            f"| {name} | {n} | {counts['valid']} | {counts['partly']} | {counts['invalid']} "
            f"| {share:.2f} | {half:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the per-check audit table (Markdown with ``--markdown``, else aligned text)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the docs table")
    args = parser.parse_args(argv)
    per_check = tally()
    if args.markdown:
        print(markdown(per_check))
        return 0
    for check, counts in sorted(per_check.items(), key=lambda kv: -sum(kv[1].values())):
        n = sum(counts[v] for v in VERDICTS)
        print(f"{check:32s} {n:4d}  valid {counts['valid']:3d}  partly {counts['partly']:3d}  "
              f"invalid {counts['invalid']:3d}  valid share {counts['valid'] / n:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
