"""values_only_as_examples: a parameter of the method whose only value is an example."""

from __future__ import annotations

from docsense.domain.policies import Check, CheckKind
from docsense.review.checks.registry import default_registry

from .conftest import RunCheck, context

CHECK = "values_only_as_examples"


def _titles(md: str) -> list[str]:
    ctx = context(md, with_ir=True)
    return [h.title for h in default_registry().run(ctx, Check(CheckKind.IR, {"check": CHECK}))]


def test_caps_and_frequencies_given_only_as_examples() -> None:
    md = (
        "# Restaking vault\n\n## Risk limits\n\n"
        "- **Allocation caps**: limits slashable network exposure (e.g., 20% max per risky "
        "network) to prevent concentration.\n"
        "- New positions stop if total daily volatility risk exceeds a fixed cap (e.g., 20% of "
        "equity).\n\n"
        "## Calculation\n\nThe index is calculated periodically (e.g., quarterly) and "
        "published on the website.\n"
    )
    assert _titles(md) == [
        "Value given only as an example: network exposure",
        "Value given only as an example: fixed cap",
        "Value given only as an example: frequency",
    ]


def test_the_quote_is_the_example(run_check: RunCheck) -> None:
    md = "# Fees\n\n## Redemption\n\nThe fee decays with a factor (e.g. 0.98) per block.\n"
    assert run_check(CHECK, md, with_ir=True) == ["(e.g. 0.98)"]


def test_a_value_stated_outside_the_example_is_the_value() -> None:
    md = (
        "# Fees\n\n## Trading\n\n"
        "The trading fee is 0.3% of the notional (e.g. 3 USD on 1,000 USD).\n\n"
        "Positions are capped at a fixed percentage of equity (e.g., 10%).\n\n"
        "## Parameters\n\n| Parameter | Value |\n|---|---|\n"
        "| Fixed percentage of equity | 10% |\n"
    )
    assert _titles(md) == []


def test_examples_of_things_notation_and_changes_are_not_values() -> None:
    md = (
        "# Index\n\n## Data\n\n"
        "Volume is measured in the quote currency (e.g., BTC or USD).\n\n"
        "The growth limit is written in basis points (e.g. 5_00 for 5%).\n\n"
        "The operator may adjust the funding interval (e.g. from 8h to 4h).\n"
    )
    assert _titles(md) == []


def test_command_line_options_take_the_users_value() -> None:
    md = (
        "# Index tool\n\n## Options\n\n| Option | Meaning |\n|---|---|\n"
        "| `--max-allocation` | Maximum allocation limit of an asset (e.g. 0.35). |\n"
    )
    assert _titles(md) == []


def test_examples_in_worked_examples_are_not_the_method() -> None:
    md = (
        "# Index\n\n## Rules\n\nThe index is rebalanced monthly.\n\n## Example\n\n"
        "Suppose the cap is set to a fixed percentage (e.g., 20%).\n"
    )
    assert _titles(md) == []


def test_settings_someone_chooses_are_not_the_methods_gap() -> None:
    md = (
        "# Liquidations\n\n## Parameters\n\n| Parameter | Meaning |\n|---|---|\n"
        "| **minHF** | The threshold triggering partial liquidation (e.g., 1.05). |\n"
        "| `max_slippage` | The slippage limit of an order (e.g. 0.5%). |\n\n"
        "## Drawdown\n\nLosses are capped at a configurable percentage below the peak "
        "(e.g., 1%).\n\nThe average is taken over a specified time period (e.g., over the "
        "past 1 hour).\n"
    )
    assert _titles(md) == []


def test_an_amount_named_by_the_same_noun_elsewhere_values_it() -> None:
    md = (
        "# Turtle rules\n\n## Position limits\n\n"
        "Stop adding positions if total risk exceeds a fixed cap (e.g., 20% of equity).\n\n"
        "## Configuration\n\nMax total: 20% risk cap.\n"
    )
    assert _titles(md) == []
