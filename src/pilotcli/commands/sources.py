"""pilot sources: the sources of the data, or one of them."""

# No `from __future__ import annotations`: Typer would eval every annotation on each call.

from typing import Annotated

import typer

from pilotcli.cli import (
    SOURCE_KINDS,
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
)
from pilotcli.render import Format


def command(
    ctx: typer.Context,
    source: Annotated[
        str | None,
        typer.Argument(metavar="[SOURCE]", help="A source id (d31 or [d31]): show it with its URL and what cites it."),
    ] = None,
    city: Annotated[
        str | None,
        typer.Option(
            "--city", "-c", metavar="CITY", help="Only the sources this city cites.", autocompletion=complete_city
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", "-k", metavar="KIND", help=f"Only sources of this kind: {SOURCE_KINDS}."),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the sources of the data, or show one.

    Each with its title, publisher, kind, date and what cites it. On a terminal, titles and URLs
    are links.

    Examples:

    \b
      pilot sources --city shenzhen
      pilot sources d31
      pilot sources --kind official-statistics --json
    """
    from pilotcli import sources
    from pilotcli.errors import UsageError
    from pilotcli.views.sources import source_view, sources_view

    options = output_options(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = load_catalog(ctx)
    if source is not None:
        if city is not None or kind is not None:
            raise UsageError("--city and --kind filter the list; give a source id or filters, not both")
        found, cited = sources.source(catalog, source)
        emit(source_view(sources.source_record(found, cited), options.width), options)
        return
    chosen_city = catalog.city(city) if city is not None else None
    chosen = sources.select_sources(catalog, city=chosen_city, kind=kind)
    records = [sources.source_record(s, cited) for s, cited in chosen]
    title = " · ".join(
        ["Sources", *([f"cited for {chosen_city.name}"] if chosen_city else []), *([f"kind {kind}"] if kind else [])]
    )
    emit(sources_view(records, f"{title}: {len(records)}"), options)
