"""pilot rank: the weighted score."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from enum import StrEnum
from typing import Annotated, Any

import typer

from pilotcli.cli import (
    SECTORS,
    build_city_filter,
    complete_sector,
    complete_weight,
    each,
    emit,
    load_catalog,
    output_options,
)
from pilotcli.commands.options import (
    BatchOpt,
    BomOpt,
    CoastalOpt,
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
    WhereOpt,
    WideOpt,
    YearOpt,
)
from pilotcli.render import Format


class MissingChoice(StrEnum):
    zero = "zero"
    skip = "skip"


PresetOpt = Annotated[
    str | None,
    typer.Option(
        "--sector",
        "-s",
        metavar="SECTOR",
        help=f"Use this sector's preset of indicators and weights: {SECTORS}.",
        autocompletion=complete_sector,
    ),
]
WeightOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--weight",
        "-w",
        metavar="INDICATOR=W",
        help="Set, add or (with 0) drop an indicator: gdp=2,population=0 ('pilot help fields').",
        autocompletion=complete_weight,
    ),
]
MissingOpt = Annotated[
    MissingChoice,
    typer.Option(
        "--missing",
        metavar="skip|zero",
        help="skip: score a city on the indicators it has (default); zero: a missing value scores 0.",
    ),
]
MinCoverageOpt = Annotated[
    float,
    typer.Option(
        "--min-coverage",
        min=0.0,
        max=1.0,
        metavar="SHARE",
        help="Rank only cities with data for at least this share of the weight (0-1); the others are listed "
        "after them as 'not enough data'.",
    ),
]
InSectorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--in-sector",
        metavar="SECTOR",
        help="Keep only cities with this growth sector (any of several); --sector chooses the preset.",
        autocompletion=complete_sector,
    ),
]

AllInSectorsOpt = Annotated[
    bool, typer.Option("--all-sectors", help="With several --in-sector: cities with all of them.")
]
ExplainOpt = Annotated[bool, typer.Option("--explain", help="Show every indicator's points per city.")]


def command(
    ctx: typer.Context,
    sector: PresetOpt = None,
    weight: WeightOpt = None,
    missing: MissingOpt = MissingChoice.skip,
    min_coverage: MinCoverageOpt = 0.5,
    in_sector: InSectorOpt = None,
    all_sectors: AllInSectorsOpt = False,
    region: RegionOpt = None,
    coastal: CoastalOpt = None,
    batch: BatchOpt = None,
    province: ProvinceOpt = None,
    ftz: FtzOpt = None,
    where: WhereOpt = None,
    measure: MeasureOpt = None,
    explain: ExplainOpt = False,
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
    """Rank cities by a transparent weighted score (0-100).

    Each indicator of the preset (--sector, else gdp, gdp_per_capita and services_share) is scaled
    0-100 over the cities chosen: best 100, worst 0, ranks inverted, yes/no 100 or 0; "not ranked"
    (listed = false) scores 0. A city's coverage is the share of the weight backed by its data. By
    default a city is scored on the indicators it has (weighted mean of their points); a city with
    coverage under --min-coverage (0.5) is not ranked and is listed after the others as "not enough
    data" (rank null in JSON). --missing zero scores a missing value 0 instead. Ties by city id.

    Examples:

    \b
      pilot rank --sector finance --explain
      pilot rank --weight gdp=2,population=1 --limit 5
      pilot rank --sector healthcare --region east --coastal
    """
    from pilotcli import query, rank
    from pilotcli.views.rank import RankSetup, rank_view

    options = output_options(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = load_catalog(ctx).at_year(year)
    sector_id = catalog.sector(sector).id if sector is not None else None
    weights = rank.weights_for(catalog, sector_id, rank.parse_weights(each(weight)))
    city_filter = build_city_filter(
        catalog, in_sector, all_sectors, region, coastal, batch, province, ftz, where, measure
    )
    ranked = rank.rank(catalog, query.select(catalog, city_filter), weights, missing.value, min_coverage)
    shown = ranked if limit is None else ranked[:limit]
    title = _title(catalog, sector_id, bool(weight), year, city_filter)
    setup = RankSetup(weights, missing.value, min_coverage, title)
    emit(rank_view(catalog, shown, ranked, setup, explain, wide), options)


def _title(catalog: Any, sector_id: str | None, weights_changed: bool, year: int | None, city_filter: Any) -> str:
    """e.g. "Ranking: finance preset (weights changed) · 2023 figures · coastal"."""
    from pilotcli import query

    preset = f"{sector_id} preset" if sector_id else "default preset"
    parts = [f"Ranking: {preset}" + (" (weights changed)" if weights_changed else "")]
    if year is not None:
        parts.append(f"{year} figures")
    return " · ".join([*parts, *query.describe(catalog, city_filter)])
