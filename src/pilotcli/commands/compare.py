"""pilot compare: 2 to 6 cities side by side."""

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
    cities: Annotated[
        list[str],
        typer.Argument(
            metavar="CITY...", help="2 to 6 cities: ids, names or Chinese names.", autocompletion=complete_city
        ),
    ],
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="CITY",
            help="Measure the differences from this city (default: the first).",
            autocompletion=complete_city,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    year: YearOpt = None,
) -> None:
    """Compare 2 to 6 cities indicator by indicator.

    The best value is starred; differences are the first city's value (or --base's) minus each
    other city's, and as % of it.

    Examples:

    \b
      pilot compare shenzhen hefei
      pilot compare beijing shanghai shenzhen guangzhou
      pilot compare 北京 上海 --format csv
    """
    from pilotcli import compare
    from pilotcli.views.compare import compare_view

    options = output_options(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = load_catalog(ctx).at_year(year)
    chosen = [catalog.city(name) for name in cities]
    comparison = compare.compare(catalog, chosen, catalog.city(base) if base is not None else None)
    emit(compare_view(catalog, comparison), options)
