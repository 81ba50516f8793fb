"""Finding fingerprints: what a finding is about, stable across edits elsewhere (issue 16).

The rules reviewer runs on real text here (generated documents and the 20 seed documents),
re-converted after each edit the way a re-ingest is.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from docsense.adapters.ai.rules import RulesReviewer
from docsense.adapters.convert import convert_document
from docsense.domain.findings import Finding, fingerprint, fingerprints
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.reports import FINGERPRINT_KEY, to_html, to_json, to_markdown, to_sarif
from docsense.review.engine import ReviewDocument, ReviewOutcome, run_review
from docsense.review.report import build_report

REPO = Path(__file__).resolve().parents[3]
SEED_DOCS = REPO.parent / "shared" / "corpus" / "seed-docs"
PACKS = tuple(load_pack(p) for p in ("self-containment", "internal-algo-standard",
                                     "sec-index-publishing"))

VAGUE = [
    "Weights are adjusted as applicable.",
    "The sponsor may, in its sole discretion, change the universe.",
    "Prices come from a data vendor.",
    "Positions are capped at the threshold.",
    "The index is rebalanced periodically.",
    "Volatility is measured over the lookback window.",
]
PLAIN = [  # sentences no check looks at, nor any document-level check counts
    "The index tracks large companies listed in Europe.",
    "Each constituent is weighted by free-float market capitalisation.",
    "The index is calculated in euros.",
    "Dividends are reinvested on the ex-date.",
    "The base value of the index is 1000.",
    "The index has fifty constituents.",
]


def review(markdown: str) -> ReviewOutcome:
    """Convert Markdown as an upload, extract and review it with the rules reviewer."""
    converted = convert_document(markdown.encode(), "doc.md")
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    document = ReviewDocument.from_converted(converted, ir, document_id="doc-1", version="1.0")
    return asyncio.run(run_review(document, PACKS, RulesReviewer()))


def build(sections: list[list[str]]) -> str:
    parts = ["# Strategy\n"]
    for n, sentences in enumerate(sections, 1):
        parts.append(f"## {n}. Part {n}\n\n" + " ".join(sentences) + "\n")
    return "\n".join(parts)


def in_span(f: Finding, start: int, end: int) -> bool:
    return any(start <= o.location.start < end for o in f.occurrences)


sections_st = st.lists(
    st.lists(st.sampled_from(VAGUE + PLAIN), min_size=1, max_size=4), min_size=2, max_size=5
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sections=sections_st, data=st.data())
def test_an_edit_outside_a_findings_section_keeps_its_fingerprint(
    sections: list[list[str]], data: st.DataObject
) -> None:
    # An unrelated edit: a plain sentence of one section is rewritten (the checks look at the
    # vague wording, which stays); every finding with no place there keeps its fingerprint.
    plain = [(n, k) for n, s in enumerate(sections) for k, text in enumerate(s) if text in PLAIN]
    assume(plain)
    before = review(build(sections))
    target, sentence = data.draw(st.sampled_from(plain), label="edited sentence")
    edited = [list(s) for s in sections]
    edited[target][sentence] = data.draw(st.sampled_from(PLAIN), label="new sentence")
    after = review(build(edited))
    heading = f"{target + 1}. Part {target + 1}"
    kept = {f.fingerprint for f in after.all_findings}
    for f in before.all_findings:
        if f.is_absent or any(heading in o.location.path for o in f.occurrences):
            continue
        assert f.fingerprint in kept, (f.title, f.subject)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sections=sections_st, data=st.data())
def test_editing_a_findings_quote_changes_its_fingerprint(
    sections: list[list[str]], data: st.DataObject
) -> None:
    markdown = build(sections)
    before = review(markdown)
    single = [f for f in before.all_findings
              if len(f.occurrences) == 1 and markdown.count(f.quote) == 1]
    if not single:
        return
    f = data.draw(st.sampled_from(single), label="finding")
    loc = f.occurrences[0].location
    words = f.quote.split()
    new_quote = " ".join(["zq" + w for w in words])  # every word of the quote edited
    after = review(markdown[: loc.start] + new_quote + markdown[loc.end :])
    assert f.fingerprint not in {g.fingerprint for g in after.all_findings}


def test_the_fingerprint_is_the_sarif_and_json_one_and_distinct_within_a_review() -> None:
    outcome = review(build([VAGUE, PLAIN, VAGUE[:3]]))
    assert len(outcome.all_findings) >= 4
    report = build_report(outcome)
    sarif = to_sarif(report)["runs"][0]["results"]
    data = json.loads(to_json(report))
    by_id = {f.id: f.fingerprint for f in outcome.findings}
    assert [r["partialFingerprints"][FINGERPRINT_KEY] for r in sarif] == [
        by_id[r["properties"]["findingId"]] for r in sarif
    ]
    assert {f["id"]: f["fingerprint"] for f in data["findings"]} == by_id
    assert len(set(by_id.values())) == len(by_id)
    markdown, page = to_markdown(report), to_html(report)
    for fp in by_id.values():
        assert f"**Fingerprint:** `{fp}`" in markdown
        assert f"fingerprint <code>{fp}</code>" in page
    assert fingerprints(outcome.findings) == [f.fingerprint for f in outcome.findings]
    first = outcome.findings[0]
    assert first.fingerprint == fingerprint(
        first.policy_id, first.check, first.source, first.subject, absent=first.is_absent
    )


def test_fingerprint_ignores_places_and_normalises_the_subject() -> None:
    a = fingerprint("SC-007", "discretionary_language", "rules", "As applicable", absent=False)
    assert a == fingerprint("SC-007", "discretionary_language", "rules", " 'as\napplicable'. ",
                            absent=False)
    assert a != fingerprint("SC-007", "discretionary_language", "rules", "as appropriate",
                            absent=False)
    assert a != fingerprint("SC-008", "discretionary_language", "rules", "as applicable",
                            absent=False)
    assert a != fingerprint("SC-007", "discretionary_language", "rules", "as applicable",
                            absent=True)


def _seed_markdowns() -> list[tuple[str, str]]:
    docs = sorted(SEED_DOCS.glob("doc_*.docx"))
    assert len(docs) == 20, f"the seed corpus is expected at {SEED_DOCS}"
    return [(p.name, convert_document(p.read_bytes(), p.name).markdown) for p in docs]


_SENTENCE = re.compile(r"[A-Z][^.\n]{20,}\.")


def test_editing_one_sentence_keeps_95_percent_of_other_fingerprints_on_the_seed_corpus() -> None:
    kept = total = 0
    for name, markdown in _seed_markdowns():
        before = review(markdown)
        converted = convert_document(markdown.encode(), "doc.md")
        # The section in the middle of the document whose body has a sentence to edit.
        candidates = [
            s for s in converted.sections
            if _SENTENCE.search(markdown, s.start, s.end) is not None
        ]
        assert candidates, name
        section = candidates[len(candidates) // 2]
        m = _SENTENCE.search(markdown, section.start, section.end)
        assert m is not None
        edited = markdown[: m.start()] + "In addition, " + m.group(0)[0].lower() + (
            m.group(0)[1:-1] + ", as revised." + markdown[m.end():]
        )
        after = {f.fingerprint for f in review(edited).all_findings}
        for f in before.all_findings:
            if in_span(f, section.start, section.end):
                continue
            total += 1
            kept += f.fingerprint in after
    assert total >= 100
    print(f"seed corpus: {kept}/{total} fingerprints kept")
    assert kept / total >= 0.95, f"{kept}/{total} fingerprints kept"


@settings(max_examples=100, deadline=None)
@given(
    subject=st.text(min_size=1, max_size=30),
    starts=st.lists(st.integers(0, 10_000), min_size=1, max_size=5, unique=True),
    path=st.lists(st.text(min_size=1, max_size=10), max_size=3),
    confidence=st.floats(0.0, 1.0),
)
def test_a_findings_fingerprint_ignores_where_and_how_sure(
    subject: str, starts: list[int], path: list[str], confidence: float
) -> None:
    from docsense.domain.findings import Category, FindingLocation, Occurrence, Severity

    places = tuple(
        Occurrence("the cap", FindingLocation(s * 10, s * 10 + 7, path=tuple(path)))
        for s in sorted(starts)
    )
    first = places[0]
    moved = Finding(
        id="f-x", policy_id="SC-001", category=Category.OTHER, severity=Severity.LOW,
        title="t", quote=first.quote, location=first.location, occurrences=places,
        confidence=confidence, check="vague_terms", subject=subject,
    )
    plain = Finding(
        id="f-y", policy_id="SC-001", category=Category.OTHER, severity=Severity.HIGH,
        title="other title", quote="the cap", location=FindingLocation(0, 7),
        check="vague_terms", subject=subject,
    )
    assert moved.fingerprint == plain.fingerprint
    assert moved.fingerprint == fingerprint(
        "SC-001", "vague_terms", "rules", f"  {subject.upper()}  ", absent=False
    ) or subject.upper().casefold() != subject.casefold()
