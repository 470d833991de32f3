"""The options several commands share, as Typer `Annotated` types (imported by the command that runs)."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from typing import Annotated

import typer

from pilotcli.cli import (
    SECTORS,
    complete_batch,
    complete_field,
    complete_measure,
    complete_province,
    complete_region,
    complete_sector,
)
from pilotcli.render import Format

FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", metavar="FORMAT", help="table, json, jsonl, csv or markdown.", case_sensitive=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Shortcut for --format json.")]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="FIELD,...",
        help="JSON keys to keep, in this order; in tables, the columns to show ('pilot help fields' lists them).",
        autocompletion=complete_field,
    ),
]
FlatOpt = Annotated[
    bool,
    typer.Option(
        "--flat", help="csv and jsonl: one column per field, a figure's value only (units: pilot schema --flat)."
    ),
]
WideOpt = Annotated[bool, typer.Option("--wide", help="Tables: every column the terminal can take.")]
BomOpt = Annotated[bool, typer.Option("--bom", help="Start CSV with a UTF-8 byte-order mark (for spreadsheets).")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="No colour in tables (also: NO_COLOR, TERM=dumb).")]
NoPagerOpt = Annotated[
    bool, typer.Option("--no-pager", help="Print straight to the terminal, even when taller than the screen.")
]

SectorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--sector",
        "-s",
        metavar="SECTOR",
        help=f"{SECTORS}, or a sector's name or alias; several (comma or repeat): any of them.",
        autocompletion=complete_sector,
    ),
]
AllSectorsOpt = Annotated[bool, typer.Option("--all-sectors", help="With several --sector: cities with all of them.")]
RegionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--region",
        "-r",
        metavar="REGION",
        help="east, central, west or northeast (东部 ...); several: any of them.",
        autocompletion=complete_region,
    ),
]
CoastalOpt = Annotated[bool | None, typer.Option("--coastal/--inland", help="Only coastal or only inland cities.")]
BatchOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--batch",
        "-b",
        metavar="YEAR",
        help="Batch year (2015, 2021, 2022, 2025) or number 1-4; repeatable.",
        autocompletion=complete_batch,
    ),
]
ProvinceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--province",
        "-p",
        metavar="PROVINCE",
        help="Province, in English or Chinese (广东); repeatable.",
        autocompletion=complete_province,
    ),
]
FtzOpt = Annotated[bool | None, typer.Option("--ftz/--no-ftz", help="Only cities with (or without) a free trade zone.")]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="EXPR",
        help=(
            "Keep cities whose values match EXPR, in the JSON's units: 'gdp>2000', 'gfci_rank<=10', "
            "'region=east', 'vats_pilot', 'not vats_pilot'; repeat for AND. A missing value never matches."
        ),
    ),
]
MeasureOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--measure",
        "-m",
        metavar="ID",
        help="Keep the cities where this opening measure applies ('pilot measures' lists them); repeat for AND.",
        autocompletion=complete_measure,
    ),
]
SortOpt = Annotated[
    str | None,
    typer.Option(
        "--sort",
        metavar="FIELD",
        help="Sort by a field: name, joined, gdp, gfci_rank ... ('pilot help fields' lists them).",
        autocompletion=complete_field,
    ),
]
DescOpt = Annotated[bool, typer.Option("--desc", help="Sort in descending order.")]
YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year",
        metavar="YEAR",
        help=(
            "The yearly figures (population, GDP, growth, services share, FDI) of YEAR; "
            "default: each figure's latest year. Ranks, counts and flags keep their edition."
        ),
    ),
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", min=0, metavar="N", help="Show at most N cities.")]
