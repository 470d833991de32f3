"""pilot validate: check a dataset file."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from pathlib import Path
from typing import Annotated

import typer

from pilotcli.cli import (
    report,
    stdout_is_a_terminal,
    write_stdout,
)
from pilotcli.commands.options import (
    JsonOpt,
)
from pilotcli.errors import ExitStatus


def command(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(metavar="[FILE]", help="Dataset file (default: --data, PILOT_DATA or the shipped one)."),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Check a dataset file and list every problem.

    Examples:

    \b
      pilot validate my-cities.toml
      pilot validate --json
    """
    from pilotcli.loading import shipped_dataset_path
    from pilotcli.render.text import render_json
    from pilotcli.validation import validate_file

    file = path or ctx.find_root().params.get("data") or shipped_dataset_path()
    problems = validate_file(Path(file))
    if json_:
        write_stdout(
            render_json(
                pretty=stdout_is_a_terminal(),
                data={
                    "path": str(file),
                    "valid": not problems,
                    "problems": [
                        {"line": p.line, "column": p.column, "city": p.city, "field": p.field, "message": p.message}
                        for p in problems
                    ],
                },
            )
        )
    else:
        from pilotcli.view import clean

        write_stdout("".join(clean(str(p)) + "\n" for p in problems), people=True)
        if problems:
            report(f"{file}: {len(problems)} problem{'s' if len(problems) > 1 else ''}")
        else:
            report(f"{file}: valid")
    if problems:
        raise typer.Exit(int(ExitStatus.DATA_ERROR))
