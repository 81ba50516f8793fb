"""formula_only_as_image: a formula of the method given only as a picture."""

from __future__ import annotations

import io
from typing import Any

from docsense.adapters.ai.rules import RulesReviewer
from docsense.adapters.convert import convert_document
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.review.engine import ReviewDocument, run_review

from ..convert.conftest import docx_bytes, png_bytes
from .conftest import RunCheck

CHECK = "formula_only_as_image"


def test_an_image_after_a_lead_in_that_defines_a_quantity(run_check: RunCheck) -> None:
    md = (
        "# Minimum risk rate\n\n## Definition\n\n"
        "Seen from the users as a whole, the minimum risk rate is defined as:\n\n"
        "![](<../assets/Screenshot 2022-04-07 at 17.53.11.png>)\n\n"
        "The rate is published daily.\n"
    )
    assert run_check(CHECK, md, with_ir=True) == [
        "![](<../assets/Screenshot 2022-04-07 at 17.53.11.png>)"
    ]


def test_an_html_image_named_a_formula_inside_a_figure(run_check: RunCheck) -> None:
    md = (
        "# Rewards\n\n## Quote score\n\n"
        "The bid score is sampled every minute.\n\n"
        '<figure><img src="../assets/1-qbid-formula.png" alt=""><figcaption></figcaption>'
        "</figure>\n\nScores are summed over the epoch.\n"
    )
    assert run_check(CHECK, md, with_ir=True) == [
        '<img src="../assets/1-qbid-formula.png" alt="">'
    ]


def test_an_image_under_a_calculation_heading(run_check: RunCheck) -> None:
    md = (
        "# EWI Index\n\n### Index Calculation\n"
        '<img width="510" alt="Screenshot 2023-12-01" src="https://example.org/a.png">\n\n'
        "The index sums the value of each token.\n"
    )
    assert len(run_check(CHECK, md, with_ir=True)) == 1


def test_an_image_followed_by_the_table_of_its_symbols(run_check: RunCheck) -> None:
    md = (
        "# Staking\n\n## Paying rewards\n\n"
        "The Cobb-Douglas function is used to compute how much of the fees each maker "
        "earns.\n\n"
        '<p align="center"><img src="./assets/CobbDouglas.png" width="200" /></p>\n\n'
        "| Term | Definition |\n|---|---|\n| r | Reward of a maker. |\n"
    )
    assert run_check(CHECK, md, with_ir=True) == [
        '<img src="./assets/CobbDouglas.png" width="200" />'
    ]


def test_an_image_the_text_after_calls_the_formula_above(run_check: RunCheck) -> None:
    md = (
        "# Supply policy\n\n## Specification\n\n"
        "The new curve caps each change at its asymptotes.\n\n"
        '<img src="https://example.org/curve.png"/>\n\n'
        "The curve above comes from this payout rule:\n\n"
        '<img src="https://example.org/rule.png" width="380"/>\n\n'
        "P(x) : fraction of supply added or removed\n\n"
        "Note that x in the equation above is the deviation from target.\n"
    )
    # the reference belongs to the image nearest before it, not to the chart
    assert run_check(CHECK, md, with_ir=True) == [
        '<img src="https://example.org/rule.png" width="380"/>'
    ]
    chart = md.replace("equation above", "chart above").replace("payout rule:", "payout rule.")
    assert run_check(CHECK, chart, with_ir=True) == []


def test_image_attributes_after_it_are_not_a_written_formula(run_check: RunCheck) -> None:
    md = (
        "# Oracle\n\n## Aggregation\n\n"
        "Recent prices weigh more. The voting power is adjusted as follows:\n"
        "![power](./assets/power.png){ width=275px }\n\n"
        "A symbol with no majority is invalid.\n"
    )
    assert run_check(CHECK, md, with_ir=True) == ["![power](./assets/power.png)"]


def test_diagrams_and_charts_are_not_formulas(run_check: RunCheck) -> None:
    md = (
        "# Strategy\n\n## How it works\n\n"
        "The principle is described best with the following diagram:\n\n"
        "![Figure 1: Strategy flow chart](../img/strategy.svg)\n\n"
        "The median price of all items with a trait is calculated and mapped.\n\n"
        "![Categories by trait](trait_category.png)\n"
    )
    assert run_check(CHECK, md, with_ir=True) == []


def test_an_image_beside_a_written_formula_only_illustrates_it(run_check: RunCheck) -> None:
    md = (
        "# Index\n\n## Calculation\n\n"
        "The index level is calculated as follows:\n\n"
        "![equation](level.png)\n\n"
        "Index_t = Index_{t-1} * (1 + R_t)\n"
    )
    assert run_check(CHECK, md, with_ir=True) == []


def test_an_image_in_an_example_is_not_the_method(run_check: RunCheck) -> None:
    md = (
        "# Index\n\n## Rules\n\nThe index is rebalanced monthly.\n\n## Example\n\n"
        "The level of the first day is calculated as:\n\n![math formula](example.png)\n"
    )
    assert run_check(CHECK, md, with_ir=True) == []


async def test_every_formula_image_of_a_document_is_one_finding() -> None:
    md = (
        "# Rate model\n\n## Rates\n\n"
        "The utilization of a pool is defined as:\n\n![math formula - (1)](a.png)\n\n"
        "The short rate is thus given by:\n\n![math formula - (2)](b.png)\n\n"
        "The fixed rate is calculated as follows:\n\n![math formula - (3)](c.png)\n"
    )
    converted = convert_document(md.encode(), "rates.md")
    document = ReviewDocument.from_converted(
        converted, extract_ir(converted.markdown, converted.sections), document_id="rates"
    )
    outcome = await run_review(document, [load_pack("self-containment")], RulesReviewer())
    images = [f for f in outcome.all_findings if f.check == CHECK]
    assert len(images) == 1
    assert [o.quote for o in images[0].occurrences] == [
        "![math formula - (1)](a.png)", "![math formula - (2)](b.png)",
        "![math formula - (3)](c.png)",
    ]


async def test_a_formula_pasted_as_a_picture_in_word_or_html_is_seen() -> None:
    def build(word: Any) -> None:
        word.add_heading("Index Calculation", 1)
        word.add_paragraph("The index level on each day is calculated as:")
        word.add_picture(io.BytesIO(png_bytes()))
        word.add_paragraph("The level is published at 17:00 CET.")

    html = (
        b"<h1>Index Calculation</h1><p>The index level on each day is calculated as:</p>"
        b'<p><img src="assets/level.png" alt=""></p><p>The level is published at 17:00 CET.</p>'
    )
    for name, data in (("rules.docx", docx_bytes(build)), ("rules.html", html)):
        converted = convert_document(data, name)
        document = ReviewDocument.from_converted(
            converted, extract_ir(converted.markdown, converted.sections), document_id="rules"
        )
        outcome = await run_review(document, [load_pack("self-containment")], RulesReviewer())
        assert [f.check for f in outcome.all_findings if f.check == CHECK] == [CHECK], name
