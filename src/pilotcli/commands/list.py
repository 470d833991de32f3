"""pilot list: the cities, filtered and sorted."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

import typer

from pilotcli.cli import (
    build_city_filter,
    emit,
    load_catalog,
    output_options,
)
from pilotcli.commands.options import (
    AllSectorsOpt,
    BatchOpt,
    BomOpt,
    CoastalOpt,
    DescOpt,
    FieldsOpt,
    FlatOpt,
    FormatOpt,
    FtzOpt,
    JsonOpt,
    LimitOpt,
    MeasureOpt,
    NoColorOpt,
    NoPagerOpt,
    ProvinceOpt,
    RegionOpt,
    SectorOpt,
    SortOpt,
    WhereOpt,
    WideOpt,
    YearOpt,
)
from pilotcli.render import Format


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
    sort: SortOpt = None,
    desc: DescOpt = False,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    wide: WideOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    year: YearOpt = None,
) -> None:
    """List pilot cities, filtered and sorted.

    Examples:

    \b
      pilot list --sector healthcare --coastal
      pilot list --region west --sort gdp --desc
      pilot list --province 广东 --fields id,gdp --json
    """
    from pilotcli import query
    from pilotcli.views.listing import list_view

    options = output_options(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = load_catalog(ctx).at_year(year)
    city_filter = build_city_filter(catalog, sector, all_sectors, region, coastal, batch, province, ftz, where, measure)
    cities = query.list_cities(catalog, city_filter, sort, desc, limit)
    sort_field = query.resolve_field(catalog, sort) if sort else None
    tested = tuple(condition.field for condition in city_filter.where.conditions) if city_filter.where else ()
    emit(list_view(catalog, cities, sort_field, wide=wide, tested=tested), options)
