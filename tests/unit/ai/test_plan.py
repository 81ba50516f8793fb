"""The prompt plan: parts on section boundaries, glossary carried, policy groups, no repeats."""

from __future__ import annotations

from docsense.adapters.ai.prompts import (
    PlanLimits,
    PromptTemplate,
    available_prompt_versions,
    estimate_tokens,
    is_document_scoped,
    naive_plan_tokens,
    plan_review,
)
from docsense.adapters.convert import convert_document
from docsense.extraction import extract_ir
from docsense.policies import load_pack
from docsense.ports import ReviewRequest

from .conftest import far_apart_statements


def _long_request(sections: int = 40) -> ReviewRequest:
    body = [
        "# Long Methodology",
        "",
        "## Definitions",
        "",
        '"Rebalancing Day" means the first Business Day of each month.',
        "",
    ]
    for n in range(1, sections + 1):
        body += [f"## {n}. Step {n}", ""]
        body += [
            f"Paragraph {n}.{k}: the weight is capped at 5% per constituent. " * 6 + "\n"
            for k in range(4)
        ]
    markdown = "\n".join(body)
    converted = convert_document(markdown.encode(), "long.md")
    ir = extract_ir(converted.markdown, converted.sections, converted.anchors)
    return ReviewRequest(
        document_id="d",
        markdown=converted.markdown,
        sections=converted.sections,
        ir=ir,
        policies=load_pack("self-containment").policies,
    )


def test_estimate_is_a_quarter_of_the_characters() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2


def test_long_document_is_split_on_section_boundaries_within_budget() -> None:
    request = _long_request()
    limits = PlanLimits(part_tokens=3_000)
    plan = plan_review(request, limits=limits)
    assert plan.parts > 3
    part_calls = [c for c in plan.calls if c.kind == "part"]
    for call in part_calls:
        body = call.document
        assert body.count("<section ") == body.count("</section>")
        # each part holds whole sections (plus the glossary) and stays near the budget
        assert estimate_tokens(body) <= limits.part_tokens + limits.glossary_tokens + 200
    # every section's text is sent exactly once across the parts
    for section in request.sections:
        heading_attr = f'<section id="{section.id}"'
        assert sum(c.document.count(heading_attr) for c in part_calls) >= 1
    first_group = {c.document for c in part_calls if c.key.endswith("group-1")}
    assert len(first_group) == plan.parts


def test_glossary_is_carried_into_every_part() -> None:
    plan = plan_review(_long_request(), limits=PlanLimits(part_tokens=3_000))
    parts = [c for c in plan.calls if c.kind == "part"]
    assert all("<glossary" in c.document and "Rebalancing Day" in c.document for c in parts)


def test_one_call_per_part_and_policy_group_and_no_duplicates() -> None:
    request = _long_request()
    plan = plan_review(request, limits=PlanLimits(part_tokens=3_000, group_max_policies=3))
    keys = [c.key for c in plan.calls]
    assert len(keys) == len(set(keys))
    bodies = [(c.document, c.task) for c in plan.calls]
    assert len(bodies) == len(set(bodies))
    text_policies = [p.id for p in request.policies if not is_document_scoped(p)]
    groups = -(-len(text_policies) // 3)
    assert len([c for c in plan.calls if c.kind == "part"]) == plan.parts * groups
    for n in range(1, plan.parts + 1):  # each part sees every text policy exactly once
        asked = [pid for c in plan.calls if c.part.startswith(f"{n}/") for pid in c.policy_ids]
        assert sorted(asked) == sorted(text_policies)


def test_whole_document_policies_use_the_outline_and_ir_not_the_text() -> None:
    request = _long_request()
    plan = plan_review(request, limits=PlanLimits(part_tokens=3_000))
    outline = [c for c in plan.calls if c.kind == "document"]
    scoped = {p.id for p in request.policies if is_document_scoped(p)}
    assert scoped == {"SC-006", "SC-009"}
    assert {pid for c in outline for pid in c.policy_ids} == scoped
    for call in outline:
        assert "<outline>" in call.document
        assert "constituent. Paragraph" not in call.document  # no running text
        assert "outline and the extracted facts" in call.task
    assert not scoped & {pid for c in plan.calls if c.kind == "part" for pid in c.policy_ids}


def test_the_outline_states_each_fact_once_and_leaves_out_definition_order_issues() -> None:
    # A long document whose IR has an unresolved reference, an undefined formula variable, a
    # term defined twice and a term used before its definition.
    extra = (
        "\n## Annex\n\nSee Appendix Z for the fees. The Basket Level is used here.\n\n"
        "Index Level = Basket Level x Gearing\n\n"
        '"Basket Level" means the level of the basket.\n\n'
        '"Basket Level" means the closing level of the basket on a day.\n'
    )
    base = _long_request()
    request = _request(base.markdown + extra)
    assert {i.kind.value for i in request.ir.issues} >= {
        "unresolved_reference", "undefined_variable", "duplicate_definition",
        "term_used_before_definition",
    }
    plan = plan_review(request, limits=PlanLimits(part_tokens=3_000))
    (outline,) = [c for c in plan.calls if c.kind == "document"]
    assert outline.document.count("Appendix Z") == 1  # once, as NOT FOUND
    assert '"Appendix Z" -> NOT FOUND' in outline.document
    assert outline.document.count("(undefined: Gearing)") == 1  # on its formula's line
    assert outline.document.count('- parameter "weight" = 5%') == 1  # repeated in the text
    assert '- defined term "Basket Level"' in outline.document
    assert "- issue " not in outline.document


def test_whole_document_policies_read_the_text_of_a_document_that_is_one_part() -> None:
    # On the outline a model cannot quote the decision that has no owner: a document short
    # enough to be one part is read whole for these policies too, on the same cached block.
    request = _long_request(3)
    plan = plan_review(request)
    assert plan.parts == 1
    assert not [c for c in plan.calls if c.kind == "document"]
    scoped = {p.id for p in request.policies if is_document_scoped(p)}
    on_text = [c for c in plan.calls if scoped & set(c.policy_ids)]
    assert on_text
    assert all(set(c.policy_ids) <= scoped for c in on_text)  # groups of their own
    text_calls = [c for c in plan.calls if c not in on_text]
    assert {c.document for c in plan.calls} == {text_calls[0].document}  # one prefix
    for call in on_text:
        assert "constituent. Paragraph" in call.document
        assert "outline and the extracted facts" not in call.task
    asked = [pid for c in plan.calls for pid in c.policy_ids]
    assert sorted(asked) == sorted(p.id for p in request.policies)  # each policy once
    assert len({c.key for c in plan.calls}) == len(plan.calls)


def test_plan_costs_a_fraction_of_the_naive_plan() -> None:
    request = _long_request(80)
    plan = plan_review(request)
    assert plan.input_tokens <= 0.25 * naive_plan_tokens(request)


def test_prompt_version_is_recorded_in_the_plan_and_template_is_shipped() -> None:
    assert "review-v1" in available_prompt_versions()
    template = PromptTemplate.load("review-v1")
    plan = plan_review(_long_request(2), template=template)
    assert plan.prompt_version == "review-v1"
    assert all("UNTRUSTED" in c.system for c in plan.calls)


def test_document_without_headings_is_one_part() -> None:
    request = ReviewRequest(
        document_id="d",
        markdown="Rebalance periodically.",
        sections=(),
        ir=extract_ir("Rebalance periodically."),
        policies=load_pack("self-containment").policies,
    )
    plan = plan_review(request)
    assert plan.parts == 1
    assert '<section id="doc"' in plan.calls[0].document


def _request(markdown: str) -> ReviewRequest:
    converted = convert_document(markdown.encode(), "doc.md")
    return ReviewRequest(
        document_id="d",
        markdown=converted.markdown,
        sections=converted.sections,
        ir=extract_ir(converted.markdown, converted.sections, converted.anchors),
        policies=load_pack("self-containment").policies,
    )


def _two_statements_far_apart() -> ReviewRequest:
    return _request(far_apart_statements())


def test_values_stated_in_different_parts_reach_the_model_in_one_call() -> None:
    request = _two_statements_far_apart()
    plan = plan_review(request, limits=PlanLimits(part_tokens=3_000))
    assert plan.parts > 1
    monthly, quarterly = "rebalanced monthly", "rebalanced quarterly"
    parts = [c for c in plan.calls if c.kind == "part"]
    assert not any(monthly in c.document and quarterly in c.document.replace("\n", " ")
                   for c in parts)  # no part shows both
    [statements] = [c for c in plan.calls if c.kind == "statements"]
    consistency = {p.id for p in request.policies if p.category.value == "inconsistent_content"}
    assert set(statements.policy_ids) == consistency
    doc = statements.document
    assert monthly in doc
    assert "The weights are reset when the index is rebalanced quarterly, in March." in doc
    assert "The Committee reviews the rules." not in doc  # no value: left out
    assert "This step applies" not in doc
    # each statement sits in the section it comes from, so its section_id is right
    first = doc.index(monthly)
    assert doc.rfind('<section id="1-rebalancing"', 0, first) > doc.rfind("</section>", 0, first)
    assert doc.count("<section ") == doc.count("</section>")


def test_a_statement_joined_from_wrapped_lines_grounds_in_the_document() -> None:
    from docsense.review.grounding import ground_quote

    request = _two_statements_far_apart()
    plan = plan_review(request, limits=PlanLimits(part_tokens=3_000))
    [statements] = [c for c in plan.calls if c.kind == "statements"]
    quote = "The weights are reset when the index is rebalanced quarterly, in March."
    assert quote in statements.document
    grounded = ground_quote(request.markdown, quote)
    assert grounded is not None
    assert grounded.text.replace("\n", " ") == quote.rstrip(".")  # (end punctuation aside)


def test_one_part_documents_have_no_statements_call() -> None:
    plan = plan_review(_two_statements_far_apart())  # the default part holds it all
    assert plan.parts == 1
    assert not [c for c in plan.calls if c.kind == "statements"]


def test_statements_beyond_the_budget_are_counted_not_sent() -> None:
    request = _long_request()
    limits = PlanLimits(part_tokens=3_000, statements_tokens=500)
    [statements] = [c for c in plan_review(request, limits=limits).calls
                    if c.kind == "statements"]
    assert "more statements omitted)" in statements.document
    assert estimate_tokens(statements.document) <= 500 + 100
    assert statements.document.count("<section ") == statements.document.count("</section>")
