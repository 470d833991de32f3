"""pilot timeline: how the programme grew."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from typing import Annotated

import typer

from pilotcli.cli import (
    emit,
    load_catalog,
    output_options,
)
from pilotcli.commands.options import (
    BomOpt,
    FieldsOpt,
    FormatOpt,
    JsonOpt,
    NoColorOpt,
    NoPagerOpt,
)
from pilotcli.render import Format


def command(
    ctx: typer.Context,
    measures: Annotated[
        bool, typer.Option("--measures", help="Add the opening measures on the dates their documents were issued.")
    ] = False,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Show how the programme grew, batch by batch.

    Examples:

    \b
      pilot timeline
      pilot timeline --measures
      pilot timeline --measures --json
    """
    from pilotcli import pictures

    options = output_options(fmt, json_, fields, bom, no_color, no_pager=no_pager)
    emit(pictures.timeline_view(load_catalog(ctx), options.width, measures=measures), options)
