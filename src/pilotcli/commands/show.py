"""pilot show: one city on one screen."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from typing import Annotated

import typer

from pilotcli.cli import (
    complete_city,
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
    YearOpt,
)
from pilotcli.render import Format


def command(
    ctx: typer.Context,
    city: Annotated[
        str, typer.Argument(metavar="CITY", help="City id, name, Chinese name or alias.", autocompletion=complete_city)
    ],
    sources: Annotated[
        bool, typer.Option("--sources", help="Add the source of every figure and the sources' list.")
    ] = False,
    notes: Annotated[bool, typer.Option("--notes", help="Add the notes on figures and the sectors' evidence.")] = False,
    history: Annotated[
        bool, typer.Option("--history", help="Add the yearly figures' earlier years: one table, indicator by year.")
    ] = False,
    all_: Annotated[
        bool, typer.Option("--all", "-a", help="Add everything: --sources, --notes and --history.")
    ] = False,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    year: YearOpt = None,
) -> None:
    """Show a city on one screen: profile, figures, sectors.

    Examples:

    \b
      pilot show shenzhen
      pilot show 西安 --notes
      pilot show hainan --history
      pilot show "Xi'an" --all --no-pager
    """
    from pilotcli.views.show import ShowParts, show_view

    options = output_options(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = load_catalog(ctx).at_year(year)
    parts = ShowParts(sources=sources or all_, notes=notes or all_, history=history or all_, measures=all_)
    if ctx.args:
        from pilotcli.errors import UsageError

        raise UsageError("show takes one city", hint=f"to compare them: pilot compare {' '.join([city, *ctx.args])}")
    emit(show_view(catalog, catalog.city(city), parts), options)
