"""The repositories whose documents the review has been developed or audited on.

    python -m benchmarks.read_material

A measure on "unseen" documents is only honest when none of them comes from a repository
read while the rules were written. This lists every GitHub repository that
``benchmarks/RESULTS.md``, the audit files (``benchmarks/audits``, ``tests/data/audits``) and
the labelled sets' READMEs (``tests/data/labelled``, ``tests/data/labelled2``,
``tests/data/heldout``) name, one
``owner/name`` per line: give it to whoever fetches the next batch as the list to avoid, and
check a fetched batch against it before reviewing it. (The held-out set is listed too: it is
not development material, but it must not be audited twice.)
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: "`owner/name @ 0a1b2c3`" in RESULTS and the READMEs; "github:owner/name@<sha>:path" in
#: the audit files.
_MENTION = re.compile(
    r"(?:github:|`|\|\s)(?P<repo>[A-Za-z0-9][\w.-]{0,38}/[A-Za-z0-9][\w.-]{0,99}?)\s*@\s*[0-9a-f]{7}"
)


def repositories_in(texts: Iterable[str]) -> set[str]:
    """Return the ``owner/name`` of every repository the texts cite with a commit."""
    return {m.group("repo") for text in texts for m in _MENTION.finditer(text)}


def _texts(root: Path) -> Iterable[str]:
    yield (root / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    for readme in ("labelled", "labelled2", "heldout"):
        yield (root / "tests" / "data" / readme / "README.md").read_text(encoding="utf-8")
    for folder in (root / "benchmarks" / "audits", root / "tests" / "data" / "audits"):
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            yield "\n".join(str(f.get("document", "")) for f in data.get("findings", []))


def read_repositories(root: Path = ROOT) -> list[str]:
    """Return, sorted case-insensitively, the repositories the project's records name."""
    return sorted(repositories_in(_texts(root)), key=str.lower)


def main() -> int:
    """Print one ``owner/name`` per line."""
    print("\n".join(read_repositories()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
