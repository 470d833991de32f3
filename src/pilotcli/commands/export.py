"""pilot export: the (filtered) dataset as TOML, JSON or CSV."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from enum import StrEnum
from typing import Annotated, Any

import typer

from pilotcli.cli import (
    build_city_filter,
    load_catalog,
    report,
    write_stdout,
)
from pilotcli.commands.options import (
    AllSectorsOpt,
    BatchOpt,
    BomOpt,
    CoastalOpt,
    FtzOpt,
    MeasureOpt,
    ProvinceOpt,
    RegionOpt,
    SectorOpt,
    WhereOpt,
    YearOpt,
)


class ExportFormat(StrEnum):
    toml = "toml"
    json = "json"
    csv = "csv"


ExportFormatOpt = Annotated[
    ExportFormat, typer.Option("--format", "-f", metavar="FORMAT", help="toml (a complete dataset), json or csv.")
]
OutputOpt = Annotated[
    # A string, not a Path: Path("out/") drops the slash that says "a folder".
    str | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout."),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace FILE if it is a regular file or a symbolic link.")]
CsvFlatOpt = Annotated[
    bool, typer.Option("--flat", help="csv: one column per field, a figure's value only (pilot schema --flat).")
]


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
    fmt: ExportFormatOpt = ExportFormat.toml,
    output: OutputOpt = None,
    force: ForceOpt = False,
    bom: BomOpt = False,
    flat: CsvFlatOpt = False,
    year: YearOpt = None,
) -> None:
    """Export the (filtered) dataset as TOML, JSON or CSV.

    Examples:

    \b
      pilot export --region west -o west.toml
      pilot export --format csv --bom -o cities.csv
      pilot --data west.toml list
    """
    from pilotcli import export, query
    from pilotcli.errors import UsageError

    if flat and fmt is not ExportFormat.csv:
        raise UsageError("--flat applies to csv export", hint="add --format csv")
    if year is not None and fmt is not ExportFormat.csv:
        raise UsageError(
            "--year applies to --format csv (TOML and JSON exports carry every year, as history)",
            hint=f"for one year's values as JSON: pilot list --year {year} --json",
        )
    catalog = load_catalog(ctx).at_year(year)
    city_filter = build_city_filter(catalog, sector, all_sectors, region, coastal, batch, province, ftz, where, measure)
    cities = query.select(catalog, city_filter)
    text = _exported(catalog, cities, fmt, flat)
    if output is None:
        write_stdout(("\ufeff" if bom and fmt is ExportFormat.csv else "") + text)
    else:
        note = export.write_atomic(output, text, force=force, bom=bom and fmt is ExportFormat.csv)
        report(f"wrote {len(cities)} cities to {output}" + (f"; {note}" if note else ""))


def _exported(catalog: Any, cities: list[Any], fmt: ExportFormat, flat: bool) -> str:
    """The export's text: a complete dataset (TOML, JSON), or one CSV row per city."""
    from pilotcli import export, query

    if fmt is ExportFormat.toml:
        return export.to_toml(export.subset(catalog, cities))
    if fmt is ExportFormat.json:
        return export.to_json(export.subset(catalog, cities))
    from pilotcli.render import flatten
    from pilotcli.render.text import render_csv

    records = [query.city_record(catalog, city) for city in cities]
    if flat:
        return render_csv(flatten(records, list(catalog.indicators)), fields=query.field_names(catalog))
    return render_csv(records, fields=query.field_names(catalog), figure_keys=list(catalog.indicators))
