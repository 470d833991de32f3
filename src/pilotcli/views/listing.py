"""`pilot list`: the table of cities with their main figures."""

from __future__ import annotations

from typing import Any

from pilotcli.dataset import Catalog, IndicatorInfo
from pilotcli.query import city_record, field_names
from pilotcli.records import City
from pilotcli.view import MISSING, Cell, Column, Table, View, clean, marker_legend
from pilotcli.views.shared import LIST_INDICATORS, column_cells, figure_column, figure_columns, year_notes


def list_view(
    catalog: Catalog,
    cities: list[City],
    sort_field: str | None = None,
    *,
    wide: bool = False,
    tested: tuple[str, ...] = (),
) -> View:
    """`tested`: fields a --where tested, shown as columns; `wide`: every indicator, as many as fit."""
    shown = [k for k in LIST_INDICATORS if k in catalog.indicators]
    # The sort field and the fields tested come first, so that narrow tables keep them.
    first = [k for k in (sort_field, *tested) if k in catalog.indicators and k not in shown]
    indicators = [catalog.indicators[k] for k in dict.fromkeys([*first, *shown])]
    extra = [info for key, info in catalog.indicators.items() if wide and info not in indicators]

    def tables() -> list[Table]:
        return [_list_table(catalog, cities, indicators, extra)] if cities else []

    notes = [] if cities else ["no city matches these filters"]

    def records() -> list[dict[str, Any]]:
        return [city_record(catalog, city) for city in cities]

    return View(
        records,
        tables,
        notes,
        field_names(catalog),
        figure_keys=list(catalog.indicators),
        figure_columns=figure_columns(catalog, cities),
    )


def _list_table(
    catalog: Catalog, cities: list[City], indicators: list[IndicatorInfo], extra: list[IndicatorInfo]
) -> Table:
    """`extra` indicators (--wide) go last and are the first hidden, the last of them first."""
    columns = [
        Column("id", no_wrap=True),
        Column("name", no_wrap=True, drop=2),
        Column("中文", no_wrap=True),
        Column("province", no_wrap=True, drop=4),
        Column("region", no_wrap=True, drop=3),
        Column("joined", no_wrap=True, drop=5),
        *[figure_column(info) for info in indicators],
        Column("growth sectors", min_width=16),
        *[figure_column(info, drop=10 + i) for i, info in enumerate(extra)],
    ]
    rows = []
    main = [column_cells(catalog, cities, info) for info in indicators]
    more = [column_cells(catalog, cities, info) for info in extra]
    for row, city in enumerate(cities):
        region = catalog.regions.get(city.region)
        rows.append(
            [
                Cell(clean(city.id)),
                Cell(clean(city.name)),
                Cell(clean(city.name_zh)),
                Cell(clean(city.province)),
                Cell(clean(region.name if region else city.region)),
                Cell(city.joined.isoformat()),
                *[column[row] for column in main],
                Cell(clean(", ".join(_sector_labels(catalog, city))) or MISSING),
                *[column[row] for column in more],
            ]
        )
    return Table(columns, rows, footnotes=[*marker_legend(rows), *year_notes(catalog, cities)])


def _sector_labels(catalog: Catalog, city: City) -> list[str]:
    """The city's sectors in the dataset's sector order, by their short labels."""
    have = {growth.sector for growth in city.sectors}
    labels = [sector.short or sector.id for sector in catalog.dataset.sectors if sector.id in have]
    return labels + sorted(have - set(catalog.sectors))
