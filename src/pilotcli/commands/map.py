"""pilot map: the cities on a map."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

import os
from enum import StrEnum
from typing import Annotated

import typer

from pilotcli.cli import (
    build_city_filter,
    emit,
    load_catalog,
    output_options,
    terminal,
    terminal_size,
)
from pilotcli.commands.options import (
    AllSectorsOpt,
    BatchOpt,
    BomOpt,
    CoastalOpt,
    FieldsOpt,
    FormatOpt,
    FtzOpt,
    JsonOpt,
    MeasureOpt,
    NoColorOpt,
    NoPagerOpt,
    ProvinceOpt,
    RegionOpt,
    SectorOpt,
    WhereOpt,
)
from pilotcli.render import Format


class MapBy(StrEnum):
    batch = "batch"
    region = "region"


def command(
    ctx: typer.Context,
    sector: SectorOpt = None,
    all_sectors: AllSectorsOpt = False,
    region: RegionOpt = None,
    coastal: CoastalOpt = None,
    batch: BatchOpt = None,
    province: ProvinceOpt = None,
    ftz: FtzOpt = None,
    where: WhereOpt = None,
    measure: MeasureOpt = None,
    by: Annotated[
        MapBy,
        typer.Option(
            "--by", metavar="batch|region", help="Colour the cities by batch or by NBS region.", case_sensitive=False
        ),
    ] = MapBy.batch,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Draw the pilot cities on a map, by batch or region.

    Examples:

    \b
      pilot map
      pilot map --by region --coastal
      pilot map --sector finance
    """
    from pilotcli import pictures, query

    options = output_options(fmt, json_, fields, bom, no_color, no_pager=no_pager)
    catalog = load_catalog(ctx)
    city_filter = build_city_filter(catalog, sector, all_sectors, region, coastal, batch, province, ftz, where, measure)
    cities = query.list_cities(catalog, city_filter)
    # The terminal's height where the map is seen (a terminal, else LINES); else it takes any height.
    height = terminal_size()[1] if terminal() is not None or os.environ.get("LINES", "").isdigit() else None
    emit(pictures.map_view(catalog, cities, by.value, options.width, height), options)
