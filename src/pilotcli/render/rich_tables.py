"""The table format: Views drawn with Rich. The only module that imports Rich.

Data strings reach Rich as `Text` objects, never as markup, so a city named
"[bold]x" shows as typed; control characters were neutralised by `view.clean`.
"""

from __future__ import annotations

import io
from typing import NamedTuple

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from pilotcli.view import Cell, Picture, Table, View, clean

STYLES = {
    "best": "bold green",
    "missing": "dim",
    "estimate": "yellow",
    "dim": "dim",
    "heading": "bold",
}
BAR_CELLS = 12
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(points: float, cells: int = BAR_CELLS) -> str:
    """A horizontal bar for 0-100 points, in eighths of a character cell."""
    eighths = round(max(0.0, min(100.0, points)) / 100 * cells * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[rest] if rest else "")).ljust(cells)


def make_console(width: int, color: bool) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
    )


def _cell(cell: Cell) -> Text:
    style = STYLES.get(cell.style or "", "")
    if cell.bar is None:
        return Text(clean(cell.text), style=style)
    text = Text(clean(cell.text) + " ", style=style)
    text.append(bar(cell.bar), style="cyan")
    return text


def build(table: Table, keep: list[int], title: str | None) -> RichTable:
    """The Rich table of the columns `keep`."""
    rich_table = RichTable(
        title=Text(clean(title), style="bold") if title else None,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_header=table.show_header,
        header_style="bold",
        pad_edge=False,
        show_edge=False,
        expand=False,
    )
    for i in keep:
        column = table.columns[i]
        rich_table.add_column(
            Text(clean(column.header)),
            justify=column.justify,
            min_width=column.min_width,
            no_wrap=column.no_wrap,
            overflow="fold",
        )
    for row in table.rows:
        rich_table.add_row(*[_cell(row[i]) for i in keep])
    return rich_table


class ColumnSize(NamedTuple):
    """A column's measurements, taken once per table on the text `build` gives Rich: what
    `fit` needs to decide which columns fit. Rich measures again to lay the table out."""

    natural: int
    """Its longest line, at least min_width."""
    least: int
    """The narrowest it can be without cutting a word (for a column that never wraps: natural)."""


def column_sizes(table: Table) -> list[ColumnSize]:
    bar_cells = " " * (BAR_CELLS + 1)  # a bar adds a space and its cells
    sizes = []
    for i, column in enumerate(table.columns):
        texts = [clean(column.header)] if table.show_header else []
        texts += [clean(row[i].text) + (bar_cells if row[i].bar is not None else "") for row in table.rows]
        minimum = column.min_width or 0
        natural = max([minimum] + [cell_len(line) for text in texts for line in text.splitlines()])
        least = natural if column.no_wrap else max([minimum] + [cell_len(word) for t in texts for word in t.split()])
        sizes.append(ColumnSize(natural, least))
    return sizes


def _width_needed(sizes: list[ColumnSize]) -> int:
    return sum(size.least + 3 for size in sizes)  # padding on both sides and the column separator


def fit(table: Table, width: int) -> list[RichTable]:
    """The table at this width without cutting any cell: first low-priority columns are
    dropped; if it is still too wide, the other columns are split into pages printed one
    below the other, each repeating the key columns (e.g. a comparison's indicator names)."""
    sizes = column_sizes(table)

    def needed(columns: list[int]) -> int:
        return _width_needed([sizes[i] for i in columns])

    def page(columns: list[int], title: str | None) -> RichTable:
        return build(table, columns, title)

    candidates = sorted((c.drop, i) for i, c in enumerate(table.columns) if c.drop > 0)
    keep = list(range(len(table.columns)))
    while candidates and needed(keep) > width:
        _, index = candidates.pop()
        keep.remove(index)
    if needed(keep) <= width:
        return [page(keep, table.title)]
    key, rest = keep[: table.key_columns], keep[table.key_columns :]
    pages: list[list[int]] = [[]]
    for index in rest:
        if pages[-1] and needed([*key, *pages[-1], index]) > width:
            pages.append([])
        pages[-1].append(index)
    total = len(pages)
    return [
        page([*key, *columns], f"{table.title or ''} ({number}/{total})".strip())
        for number, columns in enumerate(pages, start=1)
    ]


def render_tables(view: View, *, width: int, color: bool) -> str:
    console = make_console(width, color)
    if view.picture is not None:
        console.print(picture(view.picture))
    for position, table in enumerate(view.tables):
        if position:
            console.print()
        for page, rich_table in enumerate(fit(table, width)):
            if page:
                console.print()
            console.print(rich_table)
        for note in table.footnotes:
            console.print(Text(clean(note), style="dim"))
    output = console.file
    assert isinstance(output, io.StringIO)
    # Rich pads every line to the table's width; trailing blanks only get in the way of pipes.
    return "".join(line.rstrip() + "\n" for line in output.getvalue().splitlines())


def picture(grid: Picture) -> Text:
    """A drawing given as rows of (text, style) runs, e.g. the map."""
    text = Text()
    for line_number, runs in enumerate(grid):
        if line_number:
            text.append("\n")
        for run, style in runs:
            text.append(clean(run), style=style or "")
    return text
