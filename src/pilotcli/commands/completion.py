"""pilot completion: the shell completion script."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from enum import StrEnum
from typing import Annotated

import typer

from pilotcli.cli import (
    write_stdout,
)


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def command(
    shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh or fish.", case_sensitive=False)],
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Examples:

    \b
      pilot completion bash >> ~/.bashrc
      pilot completion zsh > "${fpath[1]}/_pilot"
      pilot completion fish > ~/.config/fish/completions/pilot.fish
    """
    from typer._completion_shared import get_completion_script

    write_stdout(get_completion_script(prog_name="pilot", complete_var="_PILOT_COMPLETE", shell=shell.value))
