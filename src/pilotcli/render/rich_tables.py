"""The table format: Views drawn with Rich. The only module that imports Rich.

Data strings reach Rich as `Text` objects, never as markup, so a city named
"[bold]x" shows as typed; control characters were neutralised by `view.clean`.
"""

from __future__ import annotations

import io
import re

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text

from pilotcli.view import Cell, Column, Picture, Table, View, clean

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


def _cell(cell: Cell, column: Column, short: bool = False, wrap: int | None = None) -> Text:
    """The cell's text (its short form in a short layout); with `wrap`, already broken into lines
    as its column asks: at spaces and hyphens, into even lines, or between list items."""
    style: str | Style = STYLES.get(cell.style or "", "")
    if cell.link:
        style = Style.parse(style or "none") + Style(link=cell.link)
    shown = clean(cell.short if short and cell.short else cell.text)
    if cell.bar is None:
        if wrap:
            wrapper = balanced_wrap if column.balanced else item_wrap if column.items else hyphen_wrap
            return Text("\n".join(wrapper(shown, wrap)), style=style)
        return Text(shown, style=style, overflow="ellipsis" if cell.crop else None)
    text = Text(shown + " ", style=style)
    text.append(bar(cell.bar), style="cyan")
    return text


def hyphen_wrap(text: str, width: int) -> list[str]:
    """Text in lines of at most `width` cells, broken at spaces and after hyphens (a part
    wider than `width` stays whole: the table folds it)."""
    parts = [(part, sep) for word in text.split() for part, sep in _hyphen_parts(word)]
    lines: list[str] = []
    line = ""
    for part, sep in parts:
        if line and cell_len(line + part) > width:  # line ends with its separator: a space counts
            lines.append(line.rstrip())
            line = ""
        line += part + sep
    return [*lines, line.rstrip()] if line else lines


def balanced_wrap(text: str, width: int) -> list[str]:
    """Text broken at spaces in as few lines of at most `width` cells as greedy breaking takes,
    the lines as even as that allows: the narrowest width that still takes no more lines."""
    lines = _space_wrap(text, width)
    if len(lines) < 2:
        return lines
    for narrower in range(max(map(cell_len, text.split())), width):
        even = _space_wrap(text, narrower)
        if len(even) == len(lines):
            return even
    return lines


def item_wrap(text: str, width: int) -> list[str]:
    """A list of items joined by ", " in lines of at most `width` cells: an item that fits on a
    line is never broken; a wider one is broken at its spaces (a longer word on a line alone)."""
    items = text.split(", ")
    lines: list[str] = []
    for number, item in enumerate(items):
        piece = item + ("," if number < len(items) - 1 else "")
        if lines and cell_len(lines[-1]) + 1 + cell_len(piece) <= width:
            lines[-1] += " " + piece
        elif cell_len(piece) <= width:
            lines.append(piece)
        else:
            lines += _space_wrap(piece, width)
    return lines


def _space_wrap(text: str, width: int) -> list[str]:
    """Text in lines of at most `width` cells, broken at spaces (a longer word on a line alone)."""
    lines: list[str] = []
    for word in text.split():
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _hyphen_parts(word: str) -> list[tuple[str, str]]:
    """A word's parts, each ending at a hyphen, with what follows it: '' inside the word, ' ' after."""
    parts = re.findall(r"[^-]*-|[^-]+$", word) or [word]
    return [(part, "" if n < len(parts) - 1 else " ") for n, part in enumerate(parts)]


_NUMBER = re.compile(r"(★ )?[+-]?\d[\d,]*")
"""The whole-number part of a value at the start of a cell (with the best mark): its end is where
the decimal point is or would be, the point `align_points` lines up."""


def align_points(table: Table) -> Table:
    """The table with the values of its `point` columns padded after them so that they line up
    on the decimal point: `1,940  ` under `5,207.3`, `0.25*` (an estimate) under `17.5 `, and
    `5,207.3       ` over `1,802.4 (2024)` (a value of an older year)."""
    columns = [i for i, column in enumerate(table.columns) if column.point]
    if not columns:
        return table
    rows = [list(row) for row in table.rows]
    for i in columns:
        found = [_NUMBER.match(row[i].text) for row in rows]
        # Cells after the point: decimals, the estimate mark, the year mark.
        after = [cell_len(row[i].text[m.end() :]) if m else 0 for row, m in zip(rows, found, strict=True)]
        widest = max(after, default=0)
        for row, match, cells in zip(rows, found, after, strict=True):
            if match and cells < widest:
                row[i] = row[i]._replace(text=row[i].text + " " * (widest - cells))
    return table._replace(rows=rows)


def build(table: Table, layout: Layout) -> RichTable:
    """The Rich table of the columns the layout keeps, at the widths it chose."""
    rich_table = RichTable(
        title=Text(clean(table.title), style="bold") if table.title else None,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_header=table.show_header,
        header_style="bold",
        pad_edge=False,
        show_edge=False,
        expand=False,
        collapse_padding=layout.gap < GAP,
    )
    for i, width in zip(layout.keep, layout.widths, strict=True):
        column = table.columns[i]
        header = column.short if layout.short and column.short else column.header
        # Every width is given: Rich's own shrinking would wrap numbers before long text.
        rich_table.add_column(Text(clean(header)), justify=column.justify, width=width, overflow="fold")
    # Pilot breaks the lines of these columns itself; Rich wraps the others at any space.
    wraps = [
        width if (c := table.columns[i]).hyphens or c.balanced or c.items else None
        for i, width in zip(layout.keep, layout.widths, strict=True)
    ]
    for row in table.rows:
        cells = [_cell(row[i], table.columns[i], layout.short, w) for i, w in zip(layout.keep, wraps, strict=True)]
        rich_table.add_row(
            *[
                _padded(text, table.columns[i], width)
                for text, i, width in zip(cells, layout.keep, layout.widths, strict=True)
            ]
        )
    return rich_table


def _padded(text: Text, column: Column, width: int) -> Text:
    """A right-aligned number that ends in padding (see `align_points`), aligned here: Rich's own
    right alignment strips the padding."""
    if column.justify != "right" or not text.plain.endswith(" ") or cell_len(text.plain) > width:
        return text
    text.pad_left(width - cell_len(text.plain))
    text.justify = "left"
    return text


class ColumnSize:
    """A column's measurements on the text `build` gives Rich, taken once per header style."""

    __slots__ = ("least", "natural")

    def __init__(self, natural: int, least: int) -> None:
        self.natural = natural
        """Its longest line, at least min_width."""
        self.least = least
        """The narrowest it can be without cutting a word (a column that never wraps: its longest cell)."""


def column_sizes(table: Table, *, short: bool = False) -> list[ColumnSize]:
    bar_cells = " " * (BAR_CELLS + 1)  # a bar adds a space and its cells
    sizes = []
    for i, column in enumerate(table.columns):
        header = clean(column.short if short and column.short else column.header) if table.show_header else ""
        cells = [row[i] for row in table.rows]
        texts = [
            clean(c.short if short and c.short else c.text) + (bar_cells if c.bar is not None else "") for c in cells
        ]
        minimum = column.min_width or 0
        natural = max([minimum, cell_len(header)] + [cell_len(text) for text in texts])
        words = [cell_len(word) for word in header.split()]
        if column.no_wrap:
            words += [cell_len(text) for text in texts]
        elif column.hyphens:
            words += [cell_len(part) for text in texts for word in text.split() for part, _ in _hyphen_parts(word)]
        else:
            for cell, text in zip(cells, texts, strict=True):
                words += [min(cell_len(w), CROPPED) if cell.crop else cell_len(w) for w in text.split()]
        least = max([minimum, *words])
        sizes.append(ColumnSize(max(least, min(natural, column.max_width or natural)), least))
    return sizes


GAP = 3
"""Cells between two columns: one space of padding each side and a separator (none at the edges);
tables that do not fit close up to 2 (the paddings collapse into one)."""


def _overhead(columns: int, gap: int = GAP) -> int:
    return max(0, gap * (columns - 1))


def share(naturals: list[int], floors: list[int], room: int) -> list[int]:
    """Widths within `room` cells: the widest columns give way first, none below its floor.

    The widths are the naturals capped at one level, the highest level that fits; the cells
    left over go to capped columns from the left. When even the floors do not fit, the floors.
    """
    if sum(naturals) <= room:
        return list(naturals)
    level = max(naturals)
    while level > 0 and sum(min(n, max(f, level)) for n, f in zip(naturals, floors, strict=True)) > room:
        level -= 1
    widths = [min(n, max(f, level)) for n, f in zip(naturals, floors, strict=True)]
    spare = room - sum(widths)
    for i, natural in enumerate(naturals):
        if spare <= 0:
            break
        if widths[i] < natural:
            widths[i] += 1
            spare -= 1
    return widths


class Layout:
    """How one table is drawn at one width. (Like ColumnSize, a plain class: a NamedTuple
    class costs a few hundred thousand instructions to build on every call that draws.)"""

    __slots__ = ("gap", "hidden", "keep", "short", "widths")

    def __init__(self, keep: list[int], widths: list[int], short: bool, hidden: list[str], gap: int = GAP) -> None:
        self.keep = keep
        """The columns shown, in order."""
        self.widths = widths
        self.short = short
        """Short headers are used (and spelled out in a legend), and short cell texts."""
        self.hidden = hidden
        """The short (else full) headers of the columns hidden, for the notice."""
        self.gap = gap
        """Cells between two columns."""


def layout(table: Table, width: int) -> Layout:
    """One table at this width: wrap the long cells (widest first), then close up the gaps
    between columns, then shorten the headers and cells that have a short form, then hide
    low-priority columns (never one whose `drop` is 0), and only then cut words."""
    keep = list(range(len(table.columns)))
    hidden: list[str] = []
    short = False
    gap = GAP
    sizes = column_sizes(table)

    def fits() -> bool:
        return sum(sizes[i].least for i in keep) <= width - _overhead(len(keep), gap)

    if not fits():
        gap = GAP - 1
    if not fits() and (any(c.short for c in table.columns) or any(c.short for row in table.rows for c in row)):
        short = True
        sizes = column_sizes(table, short=True)
    candidates = sorted((c.drop, -i) for i, c in enumerate(table.columns) if c.drop > 0)
    while not fits() and candidates:
        _, minus_index = candidates.pop()
        keep.remove(-minus_index)
        column = table.columns[-minus_index]
        hidden.append(column.short or column.header)  # the short name: the notice stays one line
    room = max(width - _overhead(len(keep), gap), len(keep))
    naturals = [sizes[i].natural for i in keep]
    return Layout(keep, share(naturals, _floors(table, sizes, keep, room), room), short, hidden, gap)


def _floors(table: Table, sizes: list[ColumnSize], keep: list[int], room: int) -> list[int]:
    """How narrow each column may get, the first of these that fits: text columns wrap at
    spaces; then headers too; then text columns cut words; then every column does."""
    no_wrap = [table.columns[i].no_wrap for i in keep]
    least = [sizes[i].least for i in keep]
    choices = [
        [sizes[i].natural if whole else sizes[i].least for i, whole in zip(keep, no_wrap, strict=True)],
        least,
        [n if whole else min(n, 6) for n, whole in zip(least, no_wrap, strict=True)],
    ]
    return next((floors for floors in choices if sum(floors) <= room), [min(n, 3) for n in least])


CROPPED = 24
"""The narrowest an address makes its column: a longer one is cut with … (see CROPPED_NOTE)."""
CROPPED_NOTE = "… an address cut to fit: a link on terminals that show links; whole with --format markdown"
HIDDEN_HINT = "widen or use --fields"
"""Short, so that the notice fits one line at 80 columns."""


def _notes_below(table: Table, chosen: Layout) -> list[str]:
    notes = list(table.footnotes)
    kept = list(zip(chosen.keep, chosen.widths, strict=True))
    if any(row[i].crop and cell_len(row[i].text) > width for row in table.rows for i, width in kept):
        notes.append(CROPPED_NOTE)
    shortened = [table.columns[i] for i in chosen.keep if chosen.short and table.columns[i].short]
    if shortened:
        notes.append("; ".join(f"{c.short} = {c.header}" for c in shortened))
    if chosen.hidden:
        count = len(chosen.hidden)
        names = ", ".join(chosen.hidden if count <= 4 else [*chosen.hidden[:3], f"{count - 3} more"])
        notes.append(f"{count} column{'s' if count > 1 else ''} hidden: {names}; {HIDDEN_HINT}")
    return notes


NOTE_INDENT = "  "
"""Before the second and later lines of a note that takes several: where each note starts shows."""
_NOTE_BREAKS = ("; ", ", ", " ")
"""Where a note may break, best first: between its clauses, between the items of a list, between words."""
_LIST_ITEM_WORDS = 3
"""A note is a list when what follows each comma is this short (`Tianjin (33%)`, `2025 (12)`)."""


def note_lines(note: str, width: int) -> list[str]:
    """A note under a table as lines of at most `width` cells (a word wider than that alone).

    A note is broken between its clauses (`; `) and the items of a list (`, `) rather than
    inside one (`2025 (12)`, `Tianjin (33%)` stay together), as long as that costs at most one
    line more than breaking between words; and its last line is never one word alone.
    """
    if cell_len(note) <= width:
        return [note]
    # No indent where a word would then be wider than the line (a long id at a narrow width).
    indent = NOTE_INDENT if max(map(cell_len, note.split())) <= width - len(NOTE_INDENT) else ""
    rest = width - len(indent)
    by_parts = _place(note, 0, [""], width, rest)
    by_words = _place(note, len(_NOTE_BREAKS) - 1, [""], width, rest)
    lines = by_parts if len(by_parts) <= len(by_words) + 1 else by_words
    if len(lines) > 1 and " " not in lines[-1] and " " in lines[-2]:  # one word alone: take one more
        kept, moved = lines[-2].rsplit(" ", 1)
        if cell_len(moved) + 1 + cell_len(lines[-1]) <= rest:
            lines[-2:] = [kept, f"{moved} {lines[-1]}"]
    return [lines[0], *(indent + line for line in lines[1:])]


def _place(text: str, level: int, lines: list[str], first: int, rest: int) -> list[str]:
    """Add `text` to `lines`, broken at `_NOTE_BREAKS[level]`: a part that fits the last line goes
    on it, one that fits a line of its own starts one, a wider one is broken at the next level."""
    separator = _NOTE_BREAKS[level]
    parts = text.split(separator)
    if separator == ", " and any(len(part.split()) > _LIST_ITEM_WORDS for part in parts[1:]):
        return _place(text, level + 1, lines, first, rest)  # prose, not a list: between words
    for number, part in enumerate(parts):
        piece = part + separator.rstrip() if number < len(parts) - 1 else part
        room = first if len(lines) == 1 else rest
        if not lines[-1] and (cell_len(piece) <= room or level == len(_NOTE_BREAKS) - 1):
            lines[-1] = piece
        elif lines[-1] and cell_len(lines[-1]) + 1 + cell_len(piece) <= room:
            lines[-1] += " " + piece
        elif cell_len(piece) <= rest or level == len(_NOTE_BREAKS) - 1:
            lines.append(piece)
        else:
            _place(piece, level + 1, lines, first, rest)
    return lines


def render_tables(view: View, *, width: int, color: bool) -> str:
    console = make_console(width, color)
    if view.picture is not None:
        # Never wrapped or cut by pilot: a drawing fits the width, and a URL stays whole.
        console.print(picture(view.picture), crop=False, no_wrap=True, overflow="ignore")
    for position, table in enumerate(view.tables):
        if position or view.picture is not None:  # a blank line between drawings
            console.print()
        table = align_points(table)
        chosen = layout(table, width)
        # Rich crops every line to the width, a second pass over the table's segments; a table
        # the layout fitted in the width (nearly always) has nothing to crop.
        fitted = sum(chosen.widths) + _overhead(len(chosen.keep), chosen.gap) <= width
        console.print(build(table, chosen), crop=not fitted)
        for note in _notes_below(table, chosen):
            for line in note_lines(clean(note), width):
                console.print(Text(line, style="dim"))
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
            # "link URL" is Rich's own style syntax for an OSC 8 hyperlink.
            text.append(clean(run), style=Style.parse(style) if style and style.startswith("link ") else style or "")
    return text
