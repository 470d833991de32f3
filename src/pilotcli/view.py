"""The neutral shape of a command's output, before any format is chosen.

A `View` carries the JSON payload (what json, jsonl and csv print) and one or
more `Table`s (what the table and markdown formats draw). Views are plain data:
building one never prints and never imports Rich.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Justify = Literal["left", "right"]
Run = tuple[str, str | None]
"""A stretch of text in one Rich style (None: plain)."""
Picture = list[list[Run]]
"""A drawing as rows of runs (map, timeline)."""
Style = Literal["best", "missing", "estimate", "dim", "heading"]


@dataclass(frozen=True)
class Cell:
    text: str
    style: Style | None = None
    bar: float | None = None
    """0-100: drawn as a bar next to the text where the format can."""


@dataclass(frozen=True)
class Column:
    header: str
    justify: Justify = "left"
    drop: int = 0
    """Columns are dropped from narrow tables, highest `drop` first; 0 is never dropped."""
    min_width: int | None = None
    no_wrap: bool = False


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[Cell]]
    title: str | None = None
    footnotes: list[str] = field(default_factory=list)
    show_header: bool = True
    key_columns: int = 1
    """Leading columns repeated on every page when a table is too wide to show at once."""


@dataclass
class View:
    data: list[dict[str, Any]] | dict[str, Any]
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Said on stderr in table formats (e.g. "no city matches")."""
    fields: list[str] = field(default_factory=list)
    """Keys that --fields may select."""
    figure_keys: list[str] = field(default_factory=list)
    """Keys whose values are figure objects: CSV always spreads them into the same columns."""
    csv_rows: list[dict[str, Any]] | None = None
    """A flat form of `data` for CSV where the JSON shape is nested (e.g. a comparison)."""
    picture: Picture | None = None
    """A custom drawing (map, timeline) that the table format shows instead of tables."""


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Neutralise terminal control characters in data strings: ESC shows as \\x1b."""
    text = text.replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


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
