"""Renderers: one per output format, each turning a View into text.

The table format lives in `pilotcli.render.rich_tables` and is imported only
when a table is drawn, so JSON calls never pay for Rich.
"""

from __future__ import annotations

import copy
from enum import StrEnum
from typing import Any

from pilotcli.render.text import render_csv, render_json, render_jsonl, render_markdown
from pilotcli.view import View


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"


class OutputOptions:
    """How to write a command's output. A plain class with slots, not a NamedTuple (whose
    class costs about 1 M instructions to build, on every call)."""

    __slots__ = ("as_of", "bom", "color", "fields", "flat", "format", "pager", "pretty", "width")

    def __init__(
        self,
        *,
        format: Format = Format.table,
        fields: tuple[str, ...] = (),
        bom: bool = False,
        color: bool = False,
        width: int = 80,
        pretty: bool = False,
        flat: bool = False,
        pager: bool = False,
        as_of: str | None = None,
    ) -> None:
        self.format = format
        self.fields = fields
        self.bom = bom
        self.color = color
        self.width = width
        self.pretty = pretty
        """Indented JSON (for a terminal); compact otherwise, which is also much faster."""
        self.flat = flat
        """csv and jsonl: one column per field, a figure's value only (see `flatten`)."""
        self.pager = pager
        """Output taller than the terminal goes through the pager (the CLI decides; renderers ignore it)."""
        self.as_of = as_of
        """The dataset's as-of date: the last footnote of the last table."""

    def dated(self, as_of: str) -> OutputOptions:
        """The same options, with the dataset's as-of date (a copy: every option carries over)."""
        dated = copy.copy(self)
        dated.as_of = as_of
        return dated


def select_fields(view: View, fields: tuple[str, ...]) -> list[dict[str, Any]] | dict[str, Any]:
    """The JSON payload restricted to `fields` (in the order given)."""
    if not fields:
        return view.data
    from pilotcli.names import lookup

    fields = tuple(lookup("field", name, view.fields, list_all=True) for name in fields)
    if isinstance(view.data, dict):
        return {name: view.data.get(name) for name in fields}
    return [{name: row.get(name) for name in fields} for row in view.data]


def flatten(rows: list[dict[str, Any]], figure_keys: list[str]) -> list[dict[str, Any]]:
    """--flat: a figure becomes its value (in the unit `pilot schema --flat` gives); other
    nested objects spread into parent_key columns; lists stay lists (CSV joins them with ;)."""
    figures = frozenset(figure_keys)

    def spread(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        flat: dict[str, Any] = {}
        for key, value in record.items():
            if not prefix and key in figures:
                flat[key] = value.get("value") if isinstance(value, dict) else value
            elif isinstance(value, dict):
                flat.update(spread(value, f"{prefix}{key}_"))
            else:
                flat[f"{prefix}{key}"] = value
        return flat

    return [spread(row) for row in rows]


def _dated(view: View, as_of: str) -> View:
    """The view with how current the data is said once: under its last table, or under a drawing
    without tables (a source, a measure, the map). Nothing is added to an empty result."""
    note = f"data as of {as_of}"
    if view.tables:
        last = view.tables[-1]
        return view.with_tables([*view.tables[:-1], last._replace(footnotes=[*last.footnotes, note])])
    if view.picture is not None:
        dated = view.with_tables([])
        dated.picture = [*view.picture, [(note, "dim")]]
        return dated
    return view


def render(view: View, options: OutputOptions) -> str:
    """The whole output of a command as text (tables may carry ANSI colour codes)."""
    if options.fields and options.format in (Format.table, Format.markdown):
        from pilotcli.view import fields_table

        chosen = select_fields(view, options.fields)
        fields = list(chosen if isinstance(chosen, dict) else chosen[0]) if chosen else list(options.fields)
        table = fields_table(View(chosen, figure_keys=view.figure_keys, figure_columns=view.figure_columns), fields)
        view = View(chosen, [table] if chosen else [], view.notes)
    if options.as_of and options.format in (Format.table, Format.markdown):
        view = _dated(view, options.as_of)
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
    if options.flat:
        rows = flatten(data if isinstance(data, list) else [data], view.figure_keys)
        if options.format is Format.jsonl:
            return render_jsonl(rows)
        header = list(rows[0]) if rows else list(options.fields) or view.fields
        return ("\ufeff" if options.bom else "") + render_csv(rows, fields=header)
    if options.format is Format.json:
        return render_json(data, pretty=options.pretty)
    if options.format is Format.jsonl:
        return render_jsonl(data)
    header = list(options.fields) or view.fields
    return ("\ufeff" if options.bom else "") + render_csv(data, fields=header, figure_keys=view.figure_keys)
