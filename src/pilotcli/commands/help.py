"""pilot help: the help of pilot, of a command, or the fields."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from typing import Annotated

import typer

from pilotcli.cli import COMMANDS, run, write_stdout


def command(
    topic: Annotated[
        str | None, typer.Argument(metavar="[COMMAND]", help="A command, or 'fields' for the fields' names.")
    ] = None,
) -> None:
    """Show the help of pilot or of one command.

    Examples:

    \b
      pilot help
      pilot help rank
      pilot help fields
    """
    if topic == "fields":
        write_stdout(fields_help())
        return
    if topic is not None and topic not in COMMANDS:
        from pilotcli.names import lookup

        lookup("command", topic, list(COMMANDS))
    raise typer.Exit(run([topic, "--help"] if topic else ["--help"]))


def fields_help() -> str:
    """Every field name (for --fields, --sort, --where, --weight), with what it holds."""
    from pilotcli.dataset import load
    from pilotcli.query import field_names

    catalog = load(None)
    lines = ["Fields for --fields, --sort and --where (indicators also for rank --weight):", ""]
    for name in field_names(catalog):
        info = catalog.indicators.get(name)
        lines.append(f"  {name:<24} {info.name} ({info.unit})" if info else f"  {name}")
    return "\n".join(lines) + "\n"
