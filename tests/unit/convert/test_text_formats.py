"""Markdown, reStructuredText, HTML and plain text inputs, and arbitrary text (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docsense.adapters.convert import MediaType, convert_document
from docsense.domain.codec import structure, unstructure
from docsense.domain.ir import SemanticIR
from docsense.errors import IngestError
from docsense.extraction import extract_ir

MARKDOWN = """---
title: Momentum Rules
author: Index Team
---

# Momentum Rules

Intro.

Universe
--------

```
# not a heading inside code
```

### 2.1 Weights

$$
w_i = \\frac{1}{N}
$$
"""


def test_markdown_headings_skip_code_and_read_setext_and_front_matter() -> None:
    doc = convert_document(MARKDOWN.encode(), "rules.md")
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("Momentum Rules", 1),
        ("Universe", 2),
        ("2.1 Weights", 3),
    ]
    assert (doc.title, doc.author) == ("Momentum Rules", "Index Team")
    assert doc.markdown[doc.sections[1].start :].startswith("Universe\n--------")
    assert doc.sections[2].parent_id == "universe"


RST = """Index Rules
===========

Scope
-----

The cap is :math:`c = 10\\%`.

.. math::

   w_i = \\frac{\\sigma_t}{\\sigma_i}

:Rebalance: monthly

+-------+--------+
| Tenor | Weight |
+=======+========+
| 6M    | 50%    |
+-------+--------+

.. include:: /etc/passwd

.. raw:: html

   <script>alert(1)</script>
"""


def test_rst_is_parsed_by_docutils_with_file_and_raw_inclusion_disabled() -> None:
    doc = convert_document(RST.encode(), "rules.rst")
    assert doc.media_type is MediaType.RST
    assert [(s.heading, s.level) for s in doc.sections] == [("Index Rules", 1), ("Scope", 2)]
    assert "$c = 10\\%$" in doc.markdown
    assert "$$\nw_i = \\frac{\\sigma_t}{\\sigma_i}\n$$" in doc.markdown
    assert "| Tenor | Weight |\n|---|---|\n| 6M | 50% |" in doc.markdown
    assert "- **Rebalance**: monthly" in doc.markdown
    assert "root:" not in doc.markdown
    assert "<script>" not in doc.markdown
    assert any("include" in w for w in doc.warnings)


def test_html_headings_lists_and_tables_without_scripts() -> None:
    html = (
        b"<html><head><title>Rules</title><script>x()</script></head><body>"
        b"<h1>Rules</h1><p>Intro</p><h2>Caps</h2><ul><li>10%</li></ul>"
        b"<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table></body></html>"
    )
    doc = convert_document(html, "rules.html")
    assert [(s.heading, s.level) for s in doc.sections] == [("Rules", 1), ("Caps", 2)]
    assert "- 10%" in doc.markdown
    assert "| A | B |" in doc.markdown
    assert "x()" not in doc.markdown


def test_html_images_become_markdown_image_references() -> None:
    html = (
        b"<h2>Index Calculation</h2><p>The level is calculated as:</p>"
        b'<p><img src="img/level formula.png" alt="level [t] formula"></p>'
        b'<table><tr><th>Chart</th></tr><tr><td><img src="data:image/png;base64,AAAA" '
        b'title="weights"></td></tr></table>'
    )
    doc = convert_document(html, "rules.html")
    assert "![level (t) formula](<img/level formula.png>)" in doc.markdown
    assert "| ![weights]() |" in doc.markdown  # an inline data: picture keeps its text only
    assert "base64" not in doc.markdown


def test_plain_text_headings_from_numbering_capitals_and_underlines() -> None:
    text = b"INDEX RULES\n\n1. Scope\n\nThe index.\n\nWeights\n=======\n\n# hash line\n"
    doc = convert_document(text, "rules.txt")
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("INDEX RULES", 1),
        ("1. Scope", 2),
        ("Weights", 1),
    ]
    assert "\\# hash line" in doc.markdown


def test_utf16_text_with_bom_is_decoded() -> None:
    doc = convert_document("# Tête\n\nÉtude.\n".encode("utf-16"), "t.md")
    assert doc.sections[0].heading == "Tête"


TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), min_size=0, max_size=400
) | st.lists(
    st.sampled_from(
        ["# H", "## 1. X", "===", "---", "```", "$$", "$x$", "| a | b |", "|---|---|", "- item",
         ".. math::", "  x = y", "where x is 1", '"T" means z', "(the \u201cA\u201d)", "Section 2",
         "A = B / C", "Cap: 10%", "\n", "\n\n", "::", "* * *", ".. [#]", "`x`_", "|x|"]
    ),
    max_size=30,
).map(" ".join)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.sampled_from(["doc.md", "doc.rst", "doc.txt"]))
def test_arbitrary_text_converts_or_raises_an_ingest_error(text: str, name: str) -> None:
    try:
        doc = convert_document(text.encode("utf-8", "surrogatepass"), name)
    except IngestError:
        return
    for section in doc.sections:
        assert 0 <= section.start < section.end <= len(doc.markdown)
    ir = extract_ir(doc.markdown, doc.sections, doc.anchors)
    assert structure(unstructure(ir), SemanticIR) == ir


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_extractors_accept_arbitrary_markdown(text: str) -> None:
    ir = extract_ir(text)
    locations = [
        item.location
        for group in (ir.terms, ir.parameters, ir.formulas, ir.references, ir.issues)
        for item in group
    ]
    for location in locations:
        assert 0 <= location.start <= location.end <= len(text)


def test_site_generator_template_tags_are_markup_not_text() -> None:
    from docsense.adapters.convert import convert_document

    md = ('# Index\n\n{% hint style="info" %}\nThe index is rebalanced monthly.&#x20;\n'
          '{% endhint %}\n\n{% embed url="https://example.com/index" %}\n\n'
          "```liquid\n{% raw %}kept{% endraw %}\n```\n")
    out = convert_document(md.encode(), "index.md").markdown
    assert "{% hint" not in out
    assert "{% endhint" not in out
    assert "&#x20;" not in out
    assert "The index is rebalanced monthly. \n" in out
    assert "<https://example.com/index>" in out
    assert "{% raw %}kept{% endraw %}" in out  # code is left as written


def test_html_comments_are_not_text_but_code_keeps_them() -> None:
    from docsense.adapters.convert import convert_document

    md = ("# Proposal\n\n## Specification\n<!--The specification should describe the new "
          "feature; there are five sections\n1. Abstract\n2. Motivation-->\n"
          "Rebalance monthly.\n\n```html\n<!-- kept -->\n```\n")
    out = convert_document(md.encode(), "iip.md").markdown
    assert "five sections" not in out
    assert "Rebalance monthly." in out
    assert "<!-- kept -->" in out


def test_markdown_headings_keep_underscores_inside_words() -> None:
    md = ("# Stop loss\n\n### stoploss_on_exchange and stoploss_on_exchange_limit_ratio\n\n"
          "Text.\n\n### The _emphasised_ and __strong__ setting\n\nMore.\n")
    doc = convert_document(md.encode(), "stoploss.md")
    assert [s.heading for s in doc.sections][1:] == [
        "stoploss_on_exchange and stoploss_on_exchange_limit_ratio",
        "The emphasised and strong setting",
    ]
    refs = extract_ir(
        doc.markdown + "\nSee [it](#stoploss_on_exchange-and-stoploss_on_exchange_limit_ratio).\n",
        doc.sections,
    ).references
    assert [r.resolved for r in refs] == [True]
