"""Checks on wording read in methodology pages and rulebooks in the session of 2026-12-05.

Back-testing tools document their methodology as Markdown pages: a data part that names its
suppliers in list labels, settings that override defaults, formulas over named series. Index
rulebooks describe sectors whose businesses carry data words ("social media platforms").
Each test pairs the benign wording with the wording a careful reviewer still raises
(sentences written for these tests).
"""

from __future__ import annotations

from docsense.domain.policies import Check, CheckKind
from docsense.review.checks.registry import default_registry

from .conftest import context


def _quotes(name: str, markdown: str) -> list[str]:
    ctx = context(markdown, with_ir=True)
    hits = default_registry().run(ctx, Check(CheckKind.IR, {"check": name}))
    return [ctx.markdown[h.start : h.end] for h in hits]


def test_a_judgement_on_a_source_its_list_label_names_is_not_an_unnamed_source() -> None:
    named = ("# Backtester\n\n## Data\n\n"
             "- **Polygon.io**: High-quality historical price data including delisted tickers.\n"
             "- **CoinGecko**: reliable price data for tokens.\n")
    unnamed = "# Backtester\n\n## Data\n\n- **Primary**: High-quality price data.\n"
    assert _quotes("vague_qualifiers", named) == []
    assert _quotes("vague_qualifiers", unnamed) == ["High-quality price data"]


def test_a_generic_supplier_points_back_at_the_suppliers_a_data_part_names() -> None:
    body = ("## Data Layer\n\n-   **Splicing**: Splices simulation data with live ticker data "
            "(via provider chain) into one series.\n")
    named = ("# Backtester\n\n## Data Source\n\n- Primary: testfol.io for long histories.\n"
             "- Fallback: yfinance.\n\n" + body)
    unnamed = "# Backtester\n\n## Data Source\n\nPrices are daily closes.\n\n" + body
    assert _quotes("unnamed_data_sources", named) == []
    assert _quotes("unnamed_data_sources", unnamed) == [
        "via provider"
    ]


def test_a_data_word_naming_a_line_of_business_is_not_a_data_source() -> None:
    md = ("# Index\n\n## Sectors\n\nThe Interactive Media Sub-Industry includes search engines, "
          "social media and networking platforms, and online review companies.\n\n"
          "## Ranking\n\nThe model uses social media to rank the tokens.\n")
    assert _quotes("unnamed_data_sources", md) == ["The model uses social media"]


def test_a_setting_that_overrides_a_default_is_no_judgement_to_govern() -> None:
    md = ("# Backtester\n\n## Financing\n\nThe default spread applies to every ticker. "
          "Explicit `SP=` values override the default. The manager may override the signal.\n")
    assert _quotes("governance_missing", md) == ["The manager may override"]


def test_a_tool_named_backtester_is_checked_but_back_tested_performance_is_not() -> None:
    rule = "The manager may override the signal.\n"
    assert _quotes("governance_missing", "# Backtester\n\n## Signals\n\n" + rule) == [
        "The manager may override"
    ]
    assert _quotes("governance_missing", "# Tool\n\n## Back-tested Performance\n\n" + rule) == []
