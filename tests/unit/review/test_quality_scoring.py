"""The strict matching rule behind every precision / recall figure the benchmarks quote."""

from __future__ import annotations

from benchmarks.review_quality import Label as SeedLabel
from benchmarks.review_quality import label_matches as seed_matches
from benchmarks.scoring import Label, Scored, Tally, match, text_overlaps

from docsense.domain.findings import Category, Finding, FindingLocation, Severity


def test_quotes_overlap_by_containment_or_half_the_content_words() -> None:
    assert text_overlaps("rebalanced periodically", "The index is rebalanced periodically.")
    assert text_overlaps("the weights are set quarterly by the committee",
                         "weights set quarterly")
    assert not text_overlaps("the roll period", "the index level is published daily")
    assert not text_overlaps("", "anything")


def test_a_group_counts_only_when_quote_and_category_agree() -> None:
    labels = [Label("undefined_parameter", "must have sufficient liquidity")]
    right = Scored("undefined_parameter", ["The token must have sufficient liquidity"], "x", 0.9)
    elsewhere = Scored("undefined_parameter", ["The index is rebalanced monthly"], "x", 0.9)
    match([right, elsewhere], labels)
    assert right.matched
    assert labels[0].found
    assert not elsewhere.matched
    assert elsewhere.misfiled_as == ""


def test_a_right_place_under_another_category_is_false_and_says_which_category() -> None:
    labels = [Label("ambiguous_methodology", "components will be added or removed"),
              Label("undefined_parameter", "components will be added or removed")]
    misfiled = Scored("missing_governance", ["I.e components will be added or removed."],
                      "llm", 0.7)
    match([misfiled], labels)
    assert not misfiled.matched
    assert misfiled.misfiled_as == "ambiguous_methodology"  # the first such label
    assert not any(lab.found for lab in labels)

    tally = Tally()
    tally.add([misfiled], labels)
    assert tally.misfiled == {("missing_governance", "ambiguous_methodology"): 1}
    assert tally.prf() == (0.0, 0.0, 0.0)
    # With the category ignored the group is at both labels' place: the upper bound.
    assert tally.prf_places_only() == (1.0, 1.0, 1.0)


def test_a_matched_group_is_not_misfiled_even_beside_another_label() -> None:
    labels = [Label("market_calendar", "last business day"),
              Label("data_source_unspecified", "announced on the last business day")]
    scored = Scored("market_calendar", ["announced on the last business day"], "rules", 0.8)
    match([scored], labels)
    assert scored.matched
    assert scored.misfiled_as == ""
    tally = Tally()
    tally.add([scored], labels)
    assert tally.misfiled == {}
    assert tally.prf() == (1.0, 0.5, 2 * 0.5 / 1.5)
    assert tally.prf_places_only() == (1.0, 1.0, 1.0)


def _seed_finding(category: Category, quote: str) -> Finding:
    location = FindingLocation(start=0, end=len(quote), path=("Title", "2. Eligibility"))
    return Finding(id="f", policy_id="SC-001", category=category, severity=Severity.HIGH,
                   title="t", quote=quote, location=location)


def test_the_seed_benchmark_can_require_the_category_to_agree() -> None:
    label = SeedLabel("undefined_parameter", "Section 2 - Eligibility",
                      ["sufficient liquidity"], {2}, anywhere=False, title="Liquidity")
    same = _seed_finding(Category.UNDEFINED_PARAMETER, "must have sufficient liquidity")
    other = _seed_finding(Category.AMBIGUOUS_METHODOLOGY, "must have sufficient liquidity")
    assert seed_matches(same, label)
    assert seed_matches(same, label, category_agrees=True)
    assert seed_matches(other, label)  # the seed rule: the quote is enough
    assert not seed_matches(other, label, category_agrees=True)
