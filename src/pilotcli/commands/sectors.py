"""pilot sectors: the growth sectors, or one sector's cities."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from typing import Annotated

import typer

from pilotcli.cli import (
    SECTORS,
    complete_sector,
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
    sector: Annotated[
        str | None,
        typer.Argument(
            metavar="[SECTOR]",
            help=f"List this sector's cities and the evidence: {SECTORS}.",
            autocompletion=complete_sector,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the growth sectors, or one sector's cities.

    Examples:

    \b
      pilot sectors
      pilot sectors healthcare
      pilot sectors finance --json
    """
    from pilotcli.views.sectors import sector_view, sectors_view

    options = output_options(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = load_catalog(ctx)
    view = sector_view(catalog, catalog.sector(sector).id) if sector else sectors_view(catalog)
    emit(view, options)
