"""Views that are drawings: the map of the pilot cities and the programme's timeline.

Pure: a drawing is rows of (text, style) runs in `View.picture`, where the
styles are Rich style strings; the table renderer draws them. Nothing here
prints or imports Rich.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from pilotcli import geo
from pilotcli.dataset import Catalog
from pilotcli.errors import UsageError
from pilotcli.records import Batch, City, Measure, Milestone
from pilotcli.view import MISSING, Cell, Column, Run, Table, View, clean, number

Row = list[Run]

PALETTE = ("bold red", "bold yellow", "bold green", "bold cyan", "bold magenta", "bold blue", "bold white")
"""Category colours, in the order of the batches or regions in the dataset."""
LAND = "dim"
FRAME = "dim"
MARKER = "●"
MILESTONE = "◇"
MEASURE = "◆"
MAP_MAX_COLS = 96
"""The map stops growing here: wider gives no more detail at 1:110m."""
MAP_MAX_ROWS = 45
"""The height the map takes when it is not on a terminal (a file, a pipe): about a screen."""
MAP_AROUND = 6
"""Lines around the map: the title and a blank, a blank and the two lines of the source note, and
the line that says how current the data is (added under every drawing)."""
MAP_MIN_BESIDE = 72
"""The legend goes beside the map when the map can still be this wide."""
TIMELINE_MAX_COLS = 100
GROUPS = ("batch", "region")
MAP_FIELDS = ["id", "name", "name_zh", "lat", "lon", "batch", "region", "col", "row"]
TIMELINE_FIELDS = ["number", "date", "date_kind", "document", "title", "areas", "added", "total"]
EVENT_FIELDS = ["date", "kind", "id", "number", "title", "document", "areas", "total", "scope"]
"""The keys of an entry of `timeline --measures --json`."""


# --- Text measurement ---------------------------------------------------------------------


def cells(text: str) -> int:
    """Terminal cells the text takes: 2 for wide (CJK) characters, 0 for combining marks."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def wrap(text: str, width: int) -> list[str]:
    """Words to lines of at most `width` cells; a word longer than a line is cut."""
    width = max(1, width)
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if cells(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if cells(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    if line or not lines:
        lines.append(line)
    return lines


def wrap_runs(runs: Sequence[Run], width: int) -> list[Row]:
    """Styled runs to lines of at most `width` cells, breaking at spaces; styles are kept."""
    chars = [(char, style) for text, style in runs for char in text]
    words: list[list[tuple[str, str | None]]] = [[]]
    for char, style in chars:
        if char == " ":
            if words[-1]:
                words.append([])
        else:
            words[-1].append((char, style))
    lines: list[list[tuple[str, str | None]]] = []
    line: list[tuple[str, str | None]] = []
    for word in (w for w in words if w):
        text = "".join(char for char, _ in word)
        used = cells("".join(char for char, _ in line))
        if line and used + 1 + cells(text) <= width:
            line += [(" ", line[-1][1]), *word]
            continue
        if line:
            lines.append(line)
        line = []
        for char, style in word:  # a word longer than the line is cut
            if line and cells("".join(c for c, _ in line) + char) > width:
                lines.append(line)
                line = []
            line.append((char, style))
    if line or not lines:
        lines.append(line)
    return [_merge(line) for line in lines]


def _soft(style: str) -> str:
    """The category colour without bold, for text next to a bold marker."""
    return style.removeprefix("bold ")


def _width(row: Row) -> int:
    return sum(cells(text) for text, _ in row)


def _pad(row: Row, width: int) -> Row:
    missing = width - _width(row)
    return [*row, (" " * missing, None)] if missing > 0 else row


def _strip(row: Row) -> Row:
    """The row without trailing blanks (so plain output has no trailing spaces)."""
    runs = list(row)
    while runs and not runs[-1][0].strip():
        runs.pop()
    if runs:
        text, style = runs[-1]
        runs[-1] = (text.rstrip(), style)
    return runs


def _merge(runs: Iterable[Run]) -> Row:
    merged: Row = []
    for text, style in runs:
        if merged and merged[-1][1] == style:
            merged[-1] = (merged[-1][0] + text, style)
        elif text:
            merged.append((text, style))
    return merged


# --- Map ---------------------------------------------------------------------------------------


class Category(NamedTuple):
    key: str
    label: str
    style: str


def _categories(catalog: Catalog, by: str) -> dict[str, Category]:
    if by == "batch":
        batches = sorted(catalog.dataset.program.batches, key=lambda b: b.number)
        return {
            str(b.number): Category(str(b.number), f"{b.date.year} · batch {b.number}", PALETTE[i % len(PALETTE)])
            for i, b in enumerate(batches)
        }
    return {
        r.id: Category(r.id, clean(f"{r.name} {r.name_zh}"), PALETTE[i % len(PALETTE)])
        for i, r in enumerate(catalog.dataset.regions)
    }


def _category_key(city: City, by: str) -> str:
    return str(city.batch) if by == "batch" else city.region


class MapEntry(NamedTuple):
    number: int
    city: City
    category: Category
    cell: tuple[int, int] | None


def map_view(catalog: Catalog, cities: list[City], by: str, width: int, height: int | None = None) -> View:
    """The cities on a map of land and sea, coloured by batch or region, with a legend; zoomed
    to the cities drawn and, given the terminal's `height`, no taller than it."""
    if by not in GROUPS:
        raise UsageError(f"cannot colour the map by '{by}'", hint=f"use one of: {', '.join(GROUPS)}")
    if not cities:
        return View([], [], ["no city matches these filters"], list(MAP_FIELDS))
    categories = _categories(catalog, by)
    fallback = Category("?", "other", "bold white")
    order = list(categories)
    ordered = sorted(
        cities,
        key=lambda c: order.index(_category_key(c, by)) if _category_key(c, by) in categories else len(order),
    )
    legend_probe = [  # the legend as if every city were on the map: its width decides the layout
        MapEntry(i + 1, city, categories.get(_category_key(city, by), fallback), (0, 0))
        for i, city in enumerate(ordered)
    ]
    side_width = max(_width(row) for row in _side_legend(legend_probe))
    beside = width - side_width - 3 >= MAP_MIN_BESIDE
    cols = min(MAP_MAX_COLS, width - side_width - 3 if beside else width)
    land = geo.land()
    box = geo.around([(c.lon, c.lat) for c in ordered], land.box)
    below = 0 if beside else len(_legend_below(legend_probe, width)) + 1
    grid = geo.grid_for(box, cols, max(10, (height or MAP_MAX_ROWS) - MAP_AROUND - below))
    cells_by_id = geo.place_markers(grid, [geo.Point(c.id, c.lon, c.lat) for c in ordered])
    entries = [MapEntry(e.number, e.city, e.category, cells_by_id[e.city.id]) for e in legend_probe]
    markers = {e.city.id: e.cell for e in entries if e.cell is not None}
    labels = geo.place_labels(grid, markers, _label_texts(entries))
    map_rows = _map_rows(grid, entries, markers, labels)
    # A legend number is shown only where it labels a marker: a city named on the map needs none.
    numbered = {e.city.id for e in entries if e.city.id in labels and labels[e.city.id].text == str(e.number)}
    entries = [e if e.city.id in numbered else e._replace(number=0) for e in entries]

    shown = "" if len(cities) == len(catalog.dataset.cities) else f" ({len(cities)} of {len(catalog.dataset.cities)})"
    picture: list[Row] = [[(f"Pilot areas by {by}{shown}", "bold")], []]
    if beside:
        picture += _beside(map_rows, _side_legend(entries), grid.cols)
    else:
        picture += [_strip(row) for row in map_rows]
        picture.append([])
        picture += _legend_below(entries, width)
    picture.append([])
    picture += [[(line, "dim")] for line in wrap(_map_source_note(labels, markers), width)]
    position = {city.id: i for i, city in enumerate(cities)}
    records = [_map_record(e) for e in sorted(entries, key=lambda e: position[e.city.id])]
    return View(records, [], [], list(MAP_FIELDS), picture=picture)


def _beside(map_rows: list[Row], legend: list[Row], cols: int) -> list[Row]:
    """The map with its legend to the right."""
    rows = []
    for i in range(max(len(map_rows), len(legend))):
        left = _pad(map_rows[i], cols) if i < len(map_rows) else [(" " * cols, None)]
        right = legend[i] if i < len(legend) else []
        rows.append(_strip(_merge([*left, ("   ", None), *right])))
    return rows


def _map_source_note(labels: dict[str, geo.Label], markers: dict[str, tuple[int, int]]) -> str:
    note = "Land and sea from Natural Earth 1:110m (public domain); no borders drawn."
    if any(label.text.isdigit() for label in labels.values()):
        note += " Where names would collide, the map shows the city's number in the legend."
    if len(labels) < len(markers):
        note += " A marker without a label is named in the legend."
    return note


def _map_record(entry: MapEntry) -> dict[str, Any]:
    city = entry.city
    return {
        "id": city.id,
        "name": city.name,
        "name_zh": city.name_zh,
        "lat": city.lat,
        "lon": city.lon,
        "batch": city.batch,
        "region": city.region,
        "col": entry.cell[0] if entry.cell else None,
        "row": entry.cell[1] if entry.cell else None,
    }


def _label_texts(entries: Sequence[MapEntry]) -> dict[str, list[str]]:
    """Each city's labels, preferred first: its name, then its number in the legend."""
    texts: dict[str, list[str]] = {}
    for e in entries:
        name = clean(e.city.name)
        names = [name] if cells(name) == len(name) else []  # labels are placed by character count
        texts[e.city.id] = [*names, str(e.number)]
    return texts


def _map_rows(
    grid: geo.Grid,
    entries: Sequence[MapEntry],
    markers: dict[str, tuple[int, int]],
    labels: dict[str, geo.Label],
) -> list[Row]:
    chars = [list(line) for line in geo.land_picture(grid)]
    styles: list[list[str | None]] = [[LAND] * grid.cols for _ in range(grid.rows)]
    by_id = {e.city.id: e for e in entries}
    for label in labels.values():
        style = _soft(by_id[label.key].category.style)
        for blank in (label.col - 1, label.end):
            if 0 <= blank < grid.cols:
                chars[label.row][blank] = " "
                styles[label.row][blank] = None
        for offset, char in enumerate(label.text):
            chars[label.row][label.col + offset] = char
            styles[label.row][label.col + offset] = style
    for key, (col, row) in markers.items():
        chars[row][col] = MARKER
        styles[row][col] = by_id[key].category.style
    return [
        _merge((char, style if char != " " else None) for char, style in zip(chars[r], styles[r], strict=True))
        for r in range(grid.rows)
    ]


def _entry_text(entry: MapEntry, digits: int) -> str:
    number = str(entry.number) if entry.number else ""
    text = f"{number:>{digits}} {clean(entry.city.name)} {clean(entry.city.name_zh)}"
    return text + (" (off the map)" if entry.cell is None else "")


def _groups(entries: Sequence[MapEntry]) -> list[tuple[Category, list[MapEntry]]]:
    groups: dict[str, tuple[Category, list[MapEntry]]] = {}
    for entry in entries:
        groups.setdefault(entry.category.key, (entry.category, []))[1].append(entry)
    return list(groups.values())


def _side_legend(entries: Sequence[MapEntry]) -> list[Row]:
    digits = len(str(len(entries)))
    rows: list[Row] = []
    for category, members in _groups(entries):
        rows.append([(MARKER, category.style), (" " + category.label, "bold")])
        rows += [[("  " + _entry_text(e, digits), _soft(category.style))] for e in members]
    return rows


def _legend_below(entries: Sequence[MapEntry], width: int) -> list[Row]:
    """One line per category: its marker and label, then its cities, wrapped."""
    digits = len(str(len(entries)))
    groups = _groups(entries)
    head = max(cells(c.label) for c, _ in groups) + 4
    rows: list[Row] = []
    for category, members in groups:
        row: Row = [(MARKER, category.style), (" " + category.label, "bold")]
        row = _pad(row, head)
        for entry in members:
            text = _entry_text(entry, digits).strip()
            if _width(row) + cells(text) > width and _width(row) > head:
                rows.append(_strip(row))
                row = [(" " * head, None)]
            row.append((text, _soft(category.style)))
            row.append(("  ", None))
        rows.append(_strip(row))
    return rows


# --- Timeline --------------------------------------------------------------------------------


class Step(NamedTuple):
    batch: Batch
    areas: list[City]
    total: int
    style: str


def timeline_steps(catalog: Catalog) -> list[Step]:
    """The batches in date order, each with the areas it added and the running total."""
    steps: list[Step] = []
    total = 0
    batches = sorted(catalog.dataset.program.batches, key=lambda b: b.number)
    styles = {b.number: PALETTE[i % len(PALETTE)] for i, b in enumerate(batches)}
    for batch in sorted(batches, key=lambda b: (b.date, b.number)):
        areas = catalog.batch_cities(batch.number)
        total += len(areas)
        steps.append(Step(batch, areas, total, styles[batch.number]))
    return steps


class Issued:
    """The opening measures whose documents were issued on one date (`pilot timeline --measures`).
    A plain class: `map` imports this module too, and a NamedTuple class costs every call."""

    __slots__ = ("date", "measures")

    def __init__(self, date: str, measures: list[Measure]) -> None:
        self.date = date
        self.measures = measures


Event = Step | Milestone | Issued


def timeline_view(catalog: Catalog, width: int = 80, *, measures: bool = False) -> View:
    """The programme's expansion: each batch, what it added, the running total; milestones between;
    with `measures`, the opening measures on the dates they were issued."""
    steps = timeline_steps(catalog)
    if not steps:
        return View([], [], ["the dataset lists no batches"], list(TIMELINE_FIELDS))
    width = min(width, TIMELINE_MAX_COLS)
    program = catalog.dataset.program
    events = _timeline_events(catalog, steps, measures)
    first, last = steps[0].batch.date.year, steps[-1].batch.date.year
    totals = " → ".join(str(s.total) for s in steps)
    picture: list[Row] = [[(line, "bold")] for line in wrap(clean(f"{program.name} {program.name_zh}"), width)]
    picture += [[(line, None)] for line in wrap(f"{first} → {last}: {totals} areas in {len(steps)} batches", width)]
    picture.append([])
    gutter = 12  # "2015-05-05  "
    text_width = max(20, width - gutter - 3)  # the gutter, the symbol and two spaces
    most = max(s.total for s in steps)
    room = text_width - cells(f" {most} areas in total") - len(steps)  # each batch shows at least one cell
    scale = max(0.0, min(2.0, room / max(1, most)))
    done: list[Step] = []
    for position, (date, _, event) in enumerate(events):
        is_last = position == len(events) - 1
        stem: Run = (" " * gutter + (" " if is_last else "│") + "  ", FRAME)
        lines, date_style, symbol = _event_lines(event, done, text_width, scale)
        picture.append([(f"{date:<10}  ", date_style), symbol, ("  ", None), *lines[0]])
        picture += [[stem, *line] for line in lines[1:]]
        if not is_last:
            picture.append([stem])
    picture.append([])
    picture += _flow(_timeline_key(scale, measures), width)
    if measures and (undated := [m.id for m in catalog.dataset.measures if not m.date]):
        picture += [[(line, "dim")] for line in wrap(f"not shown, without a date: {', '.join(undated)}", width)]
    tables = [_programme_figures(catalog)] if catalog.dataset.program.figures else []
    records = _event_records(events) if measures else [_batch_record(s) for s in steps]
    fields = EVENT_FIELDS if measures else TIMELINE_FIELDS
    return View(records, tables, [], list(fields), picture=[_strip(_merge(row)) for row in picture])


def _timeline_events(catalog: Catalog, steps: list[Step], measures: bool) -> list[tuple[str, int, Event]]:
    """The events by date (ISO text: a partial date sorts before the days it contains); on one
    date a batch, then a milestone, then measures."""
    events: list[tuple[str, int, Event]] = [(s.batch.date.isoformat(), 0, s) for s in steps]
    events += [(m.date.isoformat(), 1, m) for m in catalog.dataset.program.milestones]
    if measures:
        from pilotcli.measures import by_date

        events += [(date, 2, Issued(date, found)) for date, found in by_date(catalog.dataset.measures)]
    events.sort(key=lambda event: (event[0], event[1]))
    return events


def _event_lines(event: Event, done: list[Step], width: int, scale: float) -> tuple[list[Row], str | None, Run]:
    """An event's lines, the style of its date and its symbol."""
    if isinstance(event, Step):
        done.append(event)
        return _batch_lines(event, done, width, scale), "bold", (MARKER, event.style)
    if isinstance(event, Issued):
        count = len(event.measures)
        text = f"{count} measure{'s' if count > 1 else ''}: " + ", ".join(clean(m.id) for m in event.measures)
        return [[(line, None)] for line in wrap(text, width)], FRAME, (MEASURE, "bold cyan")
    text = clean(event.title) + (f" · {clean(event.document)}" if event.document else "")
    return [[(line, "dim")] for line in wrap(text, width)], FRAME, (MILESTONE, "bold")


def _timeline_key(scale: float, measures: bool) -> list[Row]:
    key: list[Row] = [
        [(MARKER, "bold"), (" a batch, on the date its document was signed or published", "dim")],
        [(MILESTONE, "bold"), (" a milestone", "dim")],
    ]
    if measures:
        key.append([(MEASURE, "bold cyan"), (" opening measures, on the date of their document", "dim")])
    key.append([("█" * max(1, round(scale)), None), (" about one area" if scale < 1 else " one area", "dim")])
    return key


def _batch_record(step: Step) -> dict[str, Any]:
    return {
        "number": step.batch.number,
        "date": step.batch.date.isoformat(),
        "date_kind": step.batch.date_kind,
        "document": step.batch.document,
        "title": step.batch.title,
        "areas": [city.id for city in step.areas],
        "added": len(step.areas),
        "total": step.total,
    }


def _event_records(events: list[tuple[str, int, Event]]) -> list[dict[str, Any]]:
    """`timeline --measures --json`: one entry per batch, milestone and measure, by date, each with
    every key of EVENT_FIELDS (null where it does not apply)."""
    records = []
    for date, _, event in events:
        found: list[dict[str, Any]] = []
        if isinstance(event, Step):
            batch = _batch_record(event)
            found.append({"kind": "batch", "number": batch["number"], "title": batch["title"]})
            found[0].update(document=batch["document"], areas=batch["areas"], total=batch["total"])
        elif isinstance(event, Milestone):
            found.append({"kind": "milestone", "title": event.title, "document": event.document, "areas": []})
        else:
            found += [
                {"kind": "measure", "id": m.id, "title": m.title, "document": m.document}
                | {"areas": list(m.cities), "scope": m.scope}
                for m in event.measures
            ]
        records += [dict.fromkeys(EVENT_FIELDS) | {"date": date} | item for item in found]
    return records


def _programme_figures(catalog: Catalog) -> Table:
    """The programme's own figures (task counts, national FDI), each with its source."""
    rows = []
    notes: list[str] = []
    for item in catalog.dataset.program.figures:
        shown = MISSING if item.value is None else number(item.value, 2 if isinstance(item.value, float) else 0)
        marker = ""
        if item.note:
            notes.append(f"{len(notes) + 1}. {item.note}")
            marker = str(len(notes))
        rows.append(
            [
                Cell(item.label),
                Cell(shown),
                Cell(item.unit, "dim"),
                Cell(str(item.year)),
                Cell(f"[{item.source}] {item.confidence}", "dim"),
                Cell(marker, "dim"),
            ]
        )
    columns = [
        Column("figure", min_width=20),
        Column("value", justify="right", no_wrap=True),
        Column("unit"),
        Column("year", no_wrap=True),
        Column("source"),  # "[id] confidence" wraps at its space
        Column("note", justify="right", no_wrap=True),
    ]
    return Table(columns, rows, title="Programme figures", footnotes=notes)


def _batch_lines(step: Step, done: Sequence[Step], width: int, scale: float) -> list[Row]:
    """A batch's heading, the areas it added, and the running total as a bar coloured by batch."""
    batch = step.batch
    head: Row = [(f"Batch {batch.number}", "bold " + _soft(step.style)), (f" · {batch.date_kind}", "dim")]
    if batch.document:
        head.append((" · " + clean(batch.document), None))
    else:
        head.append((" · document number not sourced", "dim"))
    lines = wrap_runs(head, width)
    added = f"+{len(step.areas)} "
    names = ", ".join(clean(city.name) for city in step.areas) or "no area"
    for i, line in enumerate(wrap_runs([(names, _soft(step.style))], width - len(added))):
        lines.append([(added if i == 0 else " " * len(added), "bold"), *line])
    bar: Row = []
    count = 0
    for earlier in done:
        start = round(count * scale)
        count += len(earlier.areas)
        # Every batch that added areas shows, even where the scale is below one cell per area.
        cells_drawn = max(1 if earlier.areas else 0, round(count * scale) - start)
        bar.append(("█" * cells_drawn, _soft(earlier.style)))
    noun = "area" if step.total == 1 else "areas"
    lines.append([*bar, (f" {step.total} {noun} in total", "bold")])
    return lines


def _flow(items: Sequence[Row], width: int, gap: int = 3) -> list[Row]:
    """Short items side by side, on as many lines as the width needs."""
    rows: list[Row] = []
    row: Row = []
    for item in items:
        if row and _width(row) + gap + _width(item) > width:
            rows.append(row)
            row = []
        if _width(item) > width:
            rows += wrap_runs(item, width)
            continue
        row = [*row, (" " * gap, None), *item] if row else list(item)
    if row:
        rows.append(row)
    return rows
