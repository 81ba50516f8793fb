"""Review a methodology document offline: SQLite store, the rules reviewer, no API key.

    python examples/review.py                     # reviews examples/strategy.md
    python examples/review.py my-methodology.docx

Opens docsense on a SQLite file in a temporary directory, ingests the document, reviews it
against the built-in ``self-containment`` pack with the offline ``rules`` reviewer, prints the
findings and the score, and writes an HTML report next to the document
(``<name>.review.html``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import docsense

EXAMPLE = Path(__file__).resolve().with_name("strategy.md")


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else EXAMPLE
    with tempfile.TemporaryDirectory(prefix="docsense-") as tmp:
        store_url = f"sqlite:///{Path(tmp) / 'docsense.db'}"
        with docsense.open(store_url, reviewer="rules") as ds:
            doc = ds.ingest(source)
            review = ds.review(doc.id, packs=["self-containment"])

            print(f"{doc.title} (version {doc.version}, {len(doc.sections)} sections)")
            print(f"reviewer: {review.reviewer}; store: {ds.store_url}")
            print()
            # Findings come most severe first; one finding may occur at several places.
            for finding in review.findings:
                path = finding.location.path if finding.location else ()
                where = path[-1] if path else ""
                places = len(finding.occurrences)
                more = f" ({places} places)" if places > 1 else ""
                print(f"[{finding.severity.upper():8}] {finding.policy_id}  {finding.title}{more}")
                if finding.quote:
                    quote = " ".join(finding.quote.split())
                    print(f"            \"{quote}\"" + (f"  ({where})" if where else ""))
                if finding.suggested_fix:
                    print(f"            fix: {finding.suggested_fix}")
            print()
            print(f"{len(review.findings)} findings at {review.places} places, score "
                  f"{review.score_text}")
            if review.below_threshold:
                print(f"({review.below_threshold} more below the confidence threshold "
                      f"{review.min_confidence:.2f}: review.all_findings has them)")

            report = source.with_name(f"{source.stem}.review.html")
            report.write_text(review.to_html(), encoding="utf-8")
            print(f"HTML report: {report}")
            print(f"history: {len(ds.history(doc.id))} events recorded for {doc.id}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
