"""Readable ``--help``: value names instead of Python types, flags without a type.

typer's rich help puts a type column next to every parameter, spelled as the annotation:
``<bool>`` for a flag, ``<list[Path]>`` for a repeatable argument. :func:`tidy_help` walks the
click command tree once and replaces those with what a user types: nothing for a flag (its
name, or ``--flag/--no-flag``, says it all), ``PATH``, ``TEXT``, ``NUMBER``, the choices
``md|html|json|sarif``, and ``FILE...`` for an argument that takes several values
(``[FILE...]`` in the usage line when it is optional).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["tidy_help"]

_NAMES = {
    "str": "TEXT",
    "path": "PATH",
    "file": "PATH",
    "directory": "DIRECTORY",
    "int": "INTEGER",
    "float": "NUMBER",
    "int range": "INTEGER",
    "float range": "NUMBER",
    "bool": "",
    "datetime": "DATETIME",
}
_LIST = re.compile(r"^list\[(?P<inner>.*)\]$")


def _value_name(raw: str) -> str:
    label = raw.strip().removeprefix("<").removesuffix(">")
    match = _LIST.match(label)
    if match:
        label = match.group("inner")
    return _NAMES.get(label.lower(), label)


# typer vendors click (``typer._click``); parameters and commands are handled by duck typing.
def _type_column(param: Any, original: Callable[..., str | None]) -> Callable[..., str | None]:
    def display(ctx: Any) -> str | None:
        if param.param_type_name == "argument":
            return None  # the name column already says FILE or FILE...
        if getattr(param, "is_flag", False):
            return None
        if param.metavar is not None:
            return str(param.metavar)
        shown = original(ctx)
        return _value_name(shown) if shown else None

    return display


def _usage_name(param: Any) -> Callable[[], str]:
    def name() -> str:
        raw = str(param.metavar)
        return raw if param.required else f"[{raw}]"

    return name


def _tidy_param(param: Any) -> Any:
    original = getattr(param, "display_type_rich", None)
    if original is not None:
        setattr(param, "display_type_rich", _type_column(param, original))  # noqa: B010
    if param.param_type_name == "argument":
        # FILE... in the help table and [FILE...] in the usage line.
        raw = str(param.metavar or (param.name or "").upper())
        if param.nargs != 1 and not raw.endswith("..."):
            raw += "..."
        param.metavar = raw
        setattr(param, "_usage_display_name", _usage_name(param))  # noqa: B010
    return param


def _tidy_help_option(command: Any) -> None:
    original = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = original(ctx)
        return None if option is None else _tidy_param(option)

    command.get_help_option = get_help_option


def tidy_help(command: Any) -> None:
    """Make every parameter of ``command`` and its subcommands show a value name, not a type."""
    for param in command.params:
        _tidy_param(param)
    _tidy_help_option(command)
    for sub in getattr(command, "commands", {}).values():
        tidy_help(sub)
