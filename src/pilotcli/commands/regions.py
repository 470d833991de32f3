"""pilot regions: the four NBS macro-regions."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

import typer

from pilotcli.cli import (
    emit,
    load_catalog,
    output_options,
)
from pilotcli.commands.options import (
    BomOpt,
    FieldsOpt,
    FlatOpt,
    FormatOpt,
    JsonOpt,
    NoColorOpt,
    NoPagerOpt,
)
from pilotcli.render import Format


def command(
    ctx: typer.Context,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Summarise the four NBS macro-regions.

    Examples:

    \b
      pilot regions
      pilot regions --json
    """
    from pilotcli.views.regions import regions_view

    options = output_options(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    emit(regions_view(load_catalog(ctx)), options)
