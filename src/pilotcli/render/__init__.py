"""Renderers: one per output format, each turning a View into text.

The table format lives in `pilotcli.render.rich_tables` and is imported only
when a table is drawn, so JSON calls never pay for Rich.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple

from pilotcli.render.text import render_csv, render_json, render_jsonl, render_markdown
from pilotcli.view import View


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"


class OutputOptions(NamedTuple):
    format: Format = Format.table
    fields: tuple[str, ...] = ()
    bom: bool = False
    color: bool = False
    width: int = 80
    pretty: bool = False
    """Indented JSON (for a terminal); compact otherwise, which is also much faster."""


def select_fields(view: View, fields: tuple[str, ...]) -> list[dict[str, Any]] | dict[str, Any]:
    """The JSON payload restricted to `fields` (in the order given)."""
    if not fields:
        return view.data
    from pilotcli.names import lookup

    fields = tuple(lookup("field", name, view.fields, list_all=True) for name in fields)
    if isinstance(view.data, dict):
        return {name: view.data.get(name) for name in fields}
    return [{name: row.get(name) for name in fields} for row in view.data]


def render(view: View, options: OutputOptions) -> str:
    """The whole output of a command as text (tables may carry ANSI colour codes)."""
    if options.format is Format.table:
        from pilotcli.render.rich_tables import render_tables

        return render_tables(view, width=options.width, color=options.color)
    if options.format is Format.markdown:
        return render_markdown(view)
    if options.format is Format.csv and view.csv_rows is not None:
        flat = View(data=view.csv_rows, fields=list(view.csv_rows[0]) if view.csv_rows else [])
        rows = select_fields(flat, options.fields)
        return ("\ufeff" if options.bom else "") + render_csv(rows, fields=list(options.fields) or flat.fields)
    data = select_fields(view, options.fields)
    if options.format is Format.json:
        return render_json(data, pretty=options.pretty)
    if options.format is Format.jsonl:
        return render_jsonl(data)
    header = list(options.fields) or view.fields
    return ("\ufeff" if options.bom else "") + render_csv(data, fields=header, figure_keys=view.figure_keys)
