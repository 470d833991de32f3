"""The neutral shape of a command's output, before any format is chosen.

A `View` carries the JSON payload (what json, jsonl and csv print) and one or
more `Table`s (what the table and markdown formats draw). Views are plain data:
building one never prints and never imports Rich.

Records here and across pilotcli are NamedTuples, or plain classes with
`__slots__`, never dataclasses: creating a NamedTuple class at import is about
six times cheaper, and a short-lived CLI pays for every class on every run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal, NamedTuple

Justify = Literal["left", "right"]
Run = tuple[str, str | None]
"""A stretch of text in one Rich style (None: plain)."""
Picture = list[list[Run]]
"""A drawing as rows of runs (map, timeline)."""
Style = Literal["best", "missing", "estimate", "dim", "heading"]


class Cell(NamedTuple):
    text: str
    style: Style | None = None
    bar: float | None = None
    """0-100: drawn as a bar next to the text where the format can."""
    link: str | None = None
    """A URL the text links to (an OSC 8 hyperlink on a terminal with colour)."""
    short: str | None = None
    """A shorter text for narrow tables (a date to the month), used with the short headers."""
    crop: bool = False
    """An address: cut with … where it is wider than its column, never broken over lines."""


class Column(NamedTuple):
    header: str
    justify: Justify = "left"
    drop: int = 0
    """Columns are hidden from tables too narrow for them, highest `drop` first, with a notice;
    0 is never hidden (give 0 to the key column, a year and what is missing)."""
    min_width: int | None = None
    no_wrap: bool = False
    """Cells never wrap (numbers, ids); the header still may, at its spaces."""
    short: str | None = None
    """A shorter header for narrow tables; the table's legend then spells it out."""
    max_width: int | None = None
    """Wider text wraps even when the table has room, so that the room goes to other columns."""
    hyphens: bool = False
    """Long words (ids) wrap after their hyphens, never inside a part: `telecom-` / `ip-vpn-50`."""
    balanced: bool = False
    """Wrapped text is broken into lines of even length (`Real GDP` / `growth (%)`), in as few
    lines as greedy breaking takes: a label does not end with a word alone on its line."""
    point: bool = False
    """Numbers of one kind: where the format can, they line up on the decimal point, a value
    published to fewer decimals (`1,940` among `5,207.3`) padded after its digits."""
    items: bool = False
    """Cells are lists of items joined by ", " (`gdp +16.7, qflp_pilot +16.7`): lines break between
    items, and inside an item only where it is wider than the column."""


class Table(NamedTuple):
    columns: list[Column]
    rows: list[list[Cell]]
    title: str | None = None
    footnotes: Sequence[str] = ()
    show_header: bool = True


TableSource = list[Table] | Callable[[], list[Table]]
Payload = list[dict[str, Any]] | dict[str, Any]
PayloadSource = Payload | Callable[[], Payload]
RowsSource = list[dict[str, Any]] | Callable[[], list[dict[str, Any]]] | None
FigureColumns = Callable[[Sequence[str]], tuple[dict[str, tuple[Column, list[Cell]]], list[str]]]
"""For the chosen fields: the column and cells of each figure among them, as the command's own
table draws that figure (its display decimals and older-year marks), and the notes they need."""


class View:
    """A plain class rather than a NamedTuple: its lists default to new, separate empty lists.

    `data`, `tables` and `csv_rows` may each be given as a function that builds them: it
    runs on first use, so that a table never pays for the JSON payload it does not print,
    and the json, jsonl and csv formats never pay for cells.
    """

    __slots__ = ("_csv_rows", "_data", "_tables", "fields", "figure_columns", "figure_keys", "notes", "picture")

    def __init__(
        self,
        data: PayloadSource,
        tables: TableSource | None = None,
        notes: list[str] | None = None,
        fields: list[str] | None = None,
        figure_keys: list[str] | None = None,
        csv_rows: RowsSource = None,
        picture: Picture | None = None,
        figure_columns: FigureColumns | None = None,
    ) -> None:
        self._data = data
        self._tables: TableSource = [] if tables is None else tables
        self.notes: list[str] = [] if notes is None else notes
        """Said on stderr in table formats (e.g. "no city matches")."""
        self.fields: list[str] = [] if fields is None else fields
        """Keys that --fields may select."""
        self.figure_keys: list[str] = [] if figure_keys is None else figure_keys
        """Keys whose values are figure objects: CSV always spreads them into the same columns."""
        self._csv_rows = csv_rows
        self.picture = picture
        """A custom drawing (map, timeline) that the table format shows instead of tables."""
        self.figure_columns = figure_columns
        """How a --fields table draws the figures it shows (else: their values as published)."""

    @property
    def data(self) -> Payload:
        """The JSON payload."""
        if callable(self._data):
            self._data = self._data()
        return self._data

    @property
    def tables(self) -> list[Table]:
        if callable(self._tables):
            self._tables = self._tables()
        return self._tables

    @property
    def csv_rows(self) -> list[dict[str, Any]] | None:
        """A flat form of `data` for CSV where the JSON shape is nested (e.g. a comparison)."""
        if callable(self._csv_rows):
            self._csv_rows = self._csv_rows()
        return self._csv_rows

    def with_tables(self, tables: list[Table]) -> View:
        """The same view with other tables (its payload still built only if used)."""
        view = View(self._data, tables, self.notes, self.fields, self.figure_keys, self._csv_rows, self.picture)
        view.figure_columns = self.figure_columns
        return view


INVISIBLE = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u206f\ufeff\ufff9-\ufffb"
"""Characters that change how text around them shows, or show as nothing: the soft hyphen,
bidirectional marks, embeddings, overrides and isolates, zero-width spaces and joiners, line
and paragraph separators, invisible operators, the byte-order mark (a character class body)."""
# A string: `re` compiles it on first use, so calls that never clean text do not pay for it.
_CONTROL = f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{INVISIBLE}\\U000e0000-\\U000e007f]"


def escaped(char: str) -> str:
    """A character as the escape Python would write: \\x1b, \\u202e, \\U000e0041."""
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def clean(text: str) -> str:
    """Neutralise terminal control characters in data strings: ESC shows as \\x1b, a
    right-to-left override as \\u202e, a zero-width space as \\u200b (tags too)."""
    if text.isprintable():  # no control, format or separator character: nothing to do (most cells)
        return text
    text = text.replace("\n", " ").replace("\t", " ")
    return re.sub(_CONTROL, lambda m: escaped(m.group()), text)


DECIMALS_BY_UNIT = {
    "million persons": 2,
    "billion CNY": 1,
    "billion USD": 2,
    "%": 1,
    "thousand CNY per person": 1,
}


def number(value: float | int, decimals: int) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return f"{value:,.{decimals}f}"


MISSING = "—"
ESTIMATE_MARK = "*"


_OLDER = r"\d\*? \((19|20)\d\d\)( |$)"
"""The mark of a value from an older year than the rest of its column, right after the number:
`1,802.4 (2024)`, `0.25* (2024)`, also inside a cell (`1,802.4 (2024) → 30`); a year in words
(`Pilot zone (2021) for finance`) is no mark."""


def marker_legend(rows: list[list[Cell]]) -> list[str]:
    """The legend line for the markers these rows use, and only those ([] if none)."""
    texts = [cell.text for row in rows for cell in row]
    parts = []
    if any(text.startswith("★") for text in texts):
        parts.append("★ best value in the row (for ranks, the lowest)")
    if any(text.endswith(ESTIMATE_MARK) for text in texts):
        parts.append(f"{ESTIMATE_MARK} estimate")
    if MISSING in texts:
        parts.append(f"{MISSING} no sourced value")
    if older_in(rows):
        parts.append(OLDER_LEGEND)
    return ["; ".join(parts)] if parts else []


OLDER_LEGEND = "(YEAR) a value from an earlier year than the rest"


def older_in(rows: list[list[Cell]]) -> bool:
    """Some cell holds a value marked as from an older year than the rest of its column."""
    return any(re.search(_OLDER, cell.text) for row in rows for cell in row)


# --- A table of chosen fields (--fields with the table and markdown formats) ---------------


def fields_table(view: View, fields: Sequence[str]) -> Table:
    """The records of `view` as a table of the chosen fields, in the order given.

    A figure is drawn as the command's own table draws it where the view says how
    (`figure_columns`), else it shows its value (with the estimate mark); a yes/no shows yes or
    no, a list its items; the header of a figure carries its unit. Columns are never hidden:
    they were chosen.
    """
    rows = view.data if isinstance(view.data, list) else [view.data]
    drawn, notes = view.figure_columns(fields) if view.figure_columns else ({}, [])
    figures = set(view.figure_keys)
    columns = []
    for name in fields:
        if name in drawn:
            columns.append(drawn[name][0])
            continue
        values = [row.get(name) for row in rows]
        unit = next((v.get("unit") for v in values if isinstance(v, dict) and v.get("unit")), None)
        header = f"{name} ({unit})" if name in figures and unit else name
        numeric = all(_is_number(_plain(v)) for v in values if _plain(v) is not None)
        justify: Justify = "right" if numeric and values else "left"
        # Ids and kinds (plan-2026-nine-cities-159-tasks, pilot-programme) wrap after a hyphen
        # rather than anywhere; dates stay whole.
        dates = all(_DATE.fullmatch(str(_plain(v))) for v in values if _plain(v) is not None)
        columns.append(Column(header, justify=justify, no_wrap=numeric or dates, hyphens=not numeric))
    table_rows = [
        [drawn[name][1][n] if name in drawn else _field_cell(row.get(name)) for name in fields]
        for n, row in enumerate(rows)
    ]
    return Table(columns, table_rows, footnotes=[*marker_legend(table_rows), *notes])


_DATE = re.compile(r"\d{4}(-\d{2}){0,2}")


def _plain(value: Any) -> Any:
    return value.get("value") if isinstance(value, dict) and "value" in value else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _field_cell(value: Any) -> Cell:
    if isinstance(value, dict) and "value" in value:
        if value["value"] is None:
            return Cell("not ranked" if value.get("listed") is False else MISSING, "missing")
        mark = ESTIMATE_MARK if value.get("estimate") else ""
        return Cell(_text(value["value"]) + mark, "estimate" if mark else None)
    if value is None:
        return Cell(MISSING, "missing")
    return Cell(clean(_text(value)))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dict):
        # A year is not a quantity: 2025, never 2,025.
        return ", ".join(f"{key}: {item if key == 'year' else _text(item)}" for key, item in value.items())
    return str(value)
