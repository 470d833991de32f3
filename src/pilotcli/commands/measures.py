"""pilot measures: the opening measures, or one of them."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from typing import Annotated, Any

import typer

from pilotcli.cli import (
    SECTORS,
    complete_city,
    complete_measure,
    complete_measure_kind,
    complete_measure_status,
    complete_sector,
    each,
    emit,
    load_catalog,
    output_options,
)
from pilotcli.commands.options import (
    BomOpt,
    FlatOpt,
    FormatOpt,
    JsonOpt,
    NoColorOpt,
    NoPagerOpt,
)
from pilotcli.render import Format

MeasureArg = Annotated[
    str | None,
    typer.Argument(
        metavar="[ID]",
        help="A measure's id: show it with its cities, document and sources.",
        autocompletion=complete_measure,
    ),
]
MeasureSectorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--sector",
        "-s",
        metavar="SECTOR",
        help=f"{SECTORS}, or a sector's name or alias; several (comma or repeat): measures in any of them.",
        autocompletion=complete_sector,
    ),
]
CityOpt = Annotated[
    str | None,
    typer.Option(
        "--city",
        "-c",
        metavar="CITY",
        help="Only measures that apply in this city (those for every pilot area included).",
        autocompletion=complete_city,
    ),
]
KindOpt = Annotated[
    str | None,
    typer.Option(
        "--kind",
        "-k",
        metavar="KIND",
        help="equity-cap, new-business, pilot-programme, facilitation, rule-alignment or legal-adjustment.",
        autocompletion=complete_measure_kind,
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option("--since", metavar="DATE", help="Only measures issued on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD)."),
]
StatusOpt = Annotated[
    str | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="in-force, to-be-studied, national or ended.",
        autocompletion=complete_measure_status,
    ),
]
SearchOpt = Annotated[
    str | None,
    typer.Option(
        "--search",
        metavar="WORDS",
        help="Only measures whose id, titles, summary, document, zone or note contain WORDS as typed (case ignored).",
    ),
]
MeasureWhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="EXPR",
        help="Only measures that apply in at least one city whose values match EXPR ('gdp>2000', "
        "'region=east', 'not vats_pilot'; as for list); repeat for AND.",
    ),
]
MeasureFieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="FIELD,...",
        help="Keys to keep, in this order (id, title, date, sectors, kind, scope, applies_to, status, "
        "source ...); in tables, the columns to show.",
    ),
]


def command(
    ctx: typer.Context,
    measure: MeasureArg = None,
    sector: MeasureSectorOpt = None,
    city: CityOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    status: StatusOpt = None,
    search: SearchOpt = None,
    where: MeasureWhereOpt = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: MeasureFieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the opening measures (what is open, where), or show one.

    A measure for every pilot area (or every qualifying one) applies in every city. With --city
    and --where, one city must meet both. Give an ID to see one measure in full.

    Examples:

    \b
      pilot measures --sector healthcare --city shenzhen
      pilot measures --kind equity-cap --since 2024 --json
      pilot measures vats-pilot-2024
    """
    from pilotcli import measures
    from pilotcli.views.measures import measures_view

    options = output_options(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = load_catalog(ctx)
    if measure is not None:
        _one_measure(catalog, measure, options, given=[sector, city, kind, since, status, search, where])
        return
    chosen = measures.build_filter(
        catalog, sectors=each(sector), city=city, kind=kind, since=since, status=status, search=search, where=where
    )
    records = [measures.measure_record(catalog, m) for m in measures.select_measures(catalog, chosen)]
    title = " · ".join(["Measures", *measures.describe(catalog, chosen)])
    emit(measures_view(catalog, records, f"{title}: {len(records)}"), options)


def _one_measure(catalog: Any, measure: str, options: Any, *, given: list[object]) -> None:
    """`pilot measures ID`: one measure in full; the list's filters do not apply to it."""
    from pilotcli import measures
    from pilotcli.errors import UsageError
    from pilotcli.views.measures import measure_view

    if any(value is not None for value in given):
        raise UsageError("the options filter the list; give a measure id or filters, not both")
    record = measures.measure_detail(catalog, measures.find(catalog, measure))
    emit(measure_view(catalog, record, options.width), options)
