"""``docsense completion SHELL``: print the shell completion script for ``docsense``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

# typer.completion re-exports these without __all__; import them from where they are defined.
from typer._completion_classes import completion_init
from typer._completion_shared import get_completion_script

__all__ = ["Shell", "completion_command"]

#: The variable the shell sets when it asks ``docsense`` for completions.
COMPLETE_VAR = "_DOCSENSE_COMPLETE"


class Shell(StrEnum):
    """The shells ``docsense completion`` writes a script for."""

    BASH = "bash"
    ZSH = "zsh"
    FISH = "fish"
    POWERSHELL = "powershell"


def completion_command(
    shell: Annotated[
        Shell, typer.Argument(help="The shell to complete in.", show_default=False)
    ],
) -> None:
    """Print the completion script for SHELL; source it from the shell's startup file.

    For example, in ~/.bashrc: `eval "$(docsense completion bash)"`; in ~/.zshrc:
    `eval "$(docsense completion zsh)"`; for fish:
    `docsense completion fish > ~/.config/fish/completions/docsense.fish`.
    """
    completion_init()
    script = get_completion_script(
        prog_name="docsense", complete_var=COMPLETE_VAR, shell=shell.value
    )
    typer.echo(script.rstrip("\n"))
