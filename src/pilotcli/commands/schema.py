"""pilot schema: the JSON Schema of the dataset or of the output."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from typing import Annotated

import typer

from pilotcli.cli import (
    load_catalog,
    stdout_is_a_terminal,
    write_stdout,
)


def command(
    ctx: typer.Context,
    output_format: Annotated[
        bool, typer.Option("--output-format", help="The schema of the JSON output instead of the dataset file.")
    ] = False,
    flat: Annotated[
        bool,
        typer.Option("--flat", help="The schema of a --flat row (list, export): every field with its unit."),
    ] = False,
) -> None:
    """Print the JSON Schema of the dataset or the output.

    Examples:

    \b
      pilot schema > cities.schema.json
      pilot schema --output-format > pilot-output.schema.json
    """
    from pilotcli import contract
    from pilotcli.render.text import render_json

    if flat:
        schema = contract.flat_schema(load_catalog(ctx))
    else:
        schema = contract.output_schema() if output_format else contract.dataset_schema()
    write_stdout(render_json(schema, pretty=stdout_is_a_terminal()))
