"""`pilot show`: one city's profile, figures, history, growth sectors, measures and sources."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pilotcli.dataset import Catalog
from pilotcli.query import city_profile, figure, yearly_values
from pilotcli.records import City
from pilotcli.view import ESTIMATE_MARK, MISSING, Cell, Column, Table, View, clean, marker_legend
from pilotcli.views.shared import (
    NARROW_WIDTH,
    figure_columns,
    safe_link,
    short_header,
    unit_header,
    value_cell,
    value_text,
    year_notes,
)

if TYPE_CHECKING:
    from pilotcli.measures import CityMeasures


class ShowParts:
    """What `pilot show` adds to its screenful: the sources cited, the notes and evidence, the
    yearly figures' earlier years, every measure specific to the city (not only the first few)."""

    __slots__ = ("history", "measures", "notes", "sources")

    def __init__(
        self, *, sources: bool = False, notes: bool = False, history: bool = False, measures: bool = False
    ) -> None:
        self.sources = sources
        self.notes = notes
        self.history = history
        self.measures = measures

    def everything(self) -> bool:
        return self.sources and self.notes and self.history and self.measures


SCREENFUL = ShowParts()


def show_view(catalog: Catalog, city: City, parts: ShowParts = SCREENFUL) -> View:
    from pilotcli.measures import city_measures

    profile = city_profile(catalog, city)
    found = city_measures(catalog.dataset.measures, city.id)
    profile["measures"] = [m.id for m in found.applying]
    profile["specific_measures"] = [m.id for m in found.specific]
    return View(
        profile,
        lambda: _show_tables(catalog, city, profile, parts, found),
        [],
        list(profile),
        figure_keys=list(catalog.indicators),
        figure_columns=figure_columns(catalog, [city]),
    )


def _show_tables(
    catalog: Catalog, city: City, profile: dict[str, Any], parts: ShowParts, found: CityMeasures
) -> list[Table]:
    tables = [_profile_table(catalog, city, parts), _figures_table(catalog, city, parts)]
    if parts.history:
        tables.append(_history_table(catalog, city))
    if city.sectors and parts.notes:
        tables.append(_growth_sectors_table(catalog, city, parts))
    if found.applying:
        tables.append(_show_measures_table(catalog, city, found, every=parts.measures))
    if parts.sources:
        tables.append(_sources_table(profile["sources"]))
    return tables


def _profile_lines(catalog: Catalog, city: City, parts: ShowParts) -> list[tuple[str, str]]:
    def cite(source: str, confidence: str | None = None) -> str:
        shown = [source] if parts.sources else []
        shown += [confidence] if confidence and parts.notes else []
        return f" [{', '.join(shown)}]" if shown else ""

    region = catalog.regions.get(city.region)
    batch = next((b for b in catalog.dataset.program.batches if b.number == city.batch), None)
    province = (
        f"{city.province} · {city.level}"
        + (" · provincial capital" if city.provincial_capital else "")
        + (" · separately planned" if city.separately_planned else "")
    )
    where = f"{region.name if region else city.region} · {'coastal' if city.coastal else 'inland'}"
    if city.coastal_note and parts.notes:
        where += f" ({city.coastal_note})"
    joined = f"{city.batch} ({batch.date.year})" if batch is not None else str(city.batch)
    if batch is not None and batch.document:
        joined += f", {batch.document}"
    ftz = _zone_line(city, cite) if city.ftz else MISSING
    if city.ftz and city.ftz.note and parts.notes:
        ftz += f". {city.ftz.note}"
    lines = [("Name", f"{city.name} ({city.name_zh})")]
    lines += [("Aliases", ", ".join(city.aliases))] if city.aliases else []
    lines += [
        ("Province", province),
        ("Region", where),
        ("Batch", f"{joined}; joined {city.joined.isoformat()}"),
        ("Free trade zone", ftz),
        ("Growth sectors", ", ".join(_sector_names(catalog, city)) or MISSING),
        ("Pilot focus", f"{city.focus}{cite(city.focus_source, city.focus_confidence)}"),
    ]
    if parts.sources:
        lines.insert(4, ("Coordinates", f"{city.lat:.2f}° N, {city.lon:.2f}° E{cite(city.coordinates_source)}"))
    return lines


def _zone_line(city: City, cite: Callable[[str], str]) -> str:
    """'China (Zhejiang) Pilot Free Trade Zone (2017), Hangzhou area since 2020' where the zone is
    older than the city's area of it; else 'NAME, since YEAR'."""
    assert city.ftz is not None
    if city.ftz.zone_since is not None:
        return (
            f"{city.ftz.name} ({city.ftz.zone_since}), {city.name} area since {city.ftz.since}{cite(city.ftz.source)}"
        )
    return f"{city.ftz.name}, since {city.ftz.since}{cite(city.ftz.source)}"


def _sector_names(catalog: Catalog, city: City) -> list[str]:
    return [catalog.sectors[g.sector].name if g.sector in catalog.sectors else g.sector for g in city.sectors]


def _profile_table(catalog: Catalog, city: City, parts: ShowParts) -> Table:
    more = ["more: --notes (evidence, notes), --sources, --history (earlier years), --all"]
    if parts.everything():
        more = []
    return Table(
        [Column("field", no_wrap=True), Column("value")],
        [[Cell(k, "heading"), Cell(clean(v))] for k, v in _profile_lines(catalog, city, parts)],
        title=f"{city.name} {city.name_zh}",
        footnotes=more,
        show_header=False,
    )


def _figures_table(catalog: Catalog, city: City, parts: ShowParts) -> Table:
    rows = []
    notes: list[str] = []
    for info in catalog.indicators.values():
        value = figure(catalog, city, info.id)
        row = [
            Cell(unit_header(info)),
            value_cell(value, info),
            Cell(str(value.year) if value is not None and value.year else ""),
            # A gap (a figure block with a note but no value) has no confidence to show; 'not ranked' does.
            Cell(value.confidence if value and value_text(value, info) != MISSING and value.confidence else "", "dim"),
        ]
        if parts.sources:
            source = f"[{value.source}]" if value and value.source else ("computed" if value else "")
            edition = f" {value.edition}" if value is not None and value.edition else ""
            row.append(Cell(clean(source + edition), "dim"))
        if parts.notes:
            marker = ""
            if value is not None and value.note:
                notes.append(f"{len(notes) + 1}. {info.name}: {value.note}")
                marker = str(len(notes))
            row.append(Cell(marker, "dim"))
        rows.append(row)
    columns = [
        Column("indicator (unit)", min_width=14),
        Column("value", justify="right", no_wrap=True),
        Column("year", no_wrap=True),
        Column("conf.", no_wrap=True),
    ]
    columns += [Column("source (edition)")] if parts.sources else []
    columns += [Column("note", justify="right", no_wrap=True)] if parts.notes else []
    # Notes go below the table, so that units, sources and confidence stay visible at any width.
    footnotes = [*marker_legend(rows), *year_notes(catalog, [city]), *notes]
    return Table(columns, rows, title="Figures", footnotes=footnotes)


CONFIDENCE_MARKS = {"high": "h", "medium": "m", "low": "l"}


def _history_table(catalog: Catalog, city: City) -> Table:
    """The yearly figures by year, latest first: each value with its estimate and confidence marks."""
    found = {info.id: yearly_values(catalog, city, info.id) for info in catalog.indicators.values()}
    found = {key: values for key, values in found.items() if values}
    years = sorted({year for values in found.values() for year in values}, reverse=True)
    rows = []
    for key, values in found.items():
        info = catalog.indicators[key]
        cells = [Cell(short_header(info))]
        for year in years:
            value = values.get(year)
            cell = value_cell(value, info)
            if value is not None and value.confidence:
                cell = cell._replace(text=f"{cell.text} {CONFIDENCE_MARKS[value.confidence]}")
            cells.append(cell)
        rows.append(cells)
    legend = [f"{mark} {name}" for name, mark in CONFIDENCE_MARKS.items()]
    footnotes = [f"confidence: {', '.join(legend)}"] if rows else [f"no yearly figures for {city.name}"]
    if any(cell.text.split(" ")[0].endswith(ESTIMATE_MARK) for row in rows for cell in row[1:]):
        footnotes.append(f"{ESTIMATE_MARK} estimate")
    if any(cell.text == MISSING for row in rows for cell in row):
        footnotes.append(f"{MISSING} no value for that year")
    columns = [Column("indicator", min_width=12)]
    columns += [Column(str(year), justify="right", no_wrap=True) for year in years]
    return Table(columns, rows, title="Figures by year", footnotes=["; ".join(footnotes)])


def _growth_sectors_table(catalog: Catalog, city: City, parts: ShowParts) -> Table:
    rows = [
        [
            Cell(clean(catalog.sectors[g.sector].name if g.sector in catalog.sectors else g.sector)),
            Cell(clean(g.evidence)),
            Cell(clean(f"[{g.source}] {g.confidence}" if parts.sources else g.confidence), "dim"),
        ]
        for g in city.sectors
    ]
    columns = [Column("sector", no_wrap=True), Column("evidence"), Column("source" if parts.sources else "conf.")]
    return Table(columns, rows, title="Growth sectors")


SHOWN_SPECIFIC = 5
"""How many of a city's specific measures `pilot show` lists by default (about 50 lines at 80 columns)."""


def _show_measures_table(catalog: Catalog, city: City, found: CityMeasures, *, every: bool) -> Table:
    """The measures that apply: how many, by sector, and those specific to the city (a city's own
    first), id and title cut to one line at 80 columns (`pilot measures ID` has the rest); by
    default the first few, with `every` all of them."""
    from pilotcli.measures import most_specific_first, sector_counts

    specific = most_specific_first(found.specific)
    shown = specific if every else specific[:SHOWN_SPECIFIC]
    room = NARROW_WIDTH - 3 - max((len(m.id) for m in shown), default=0)
    rows = [[Cell(m.id), Cell(clean(short_title(m.title, city.name, room)))] for m in shown]
    footnotes = []
    if len(shown) < len(specific):
        footnotes.append(f"and {len(specific) - len(shown)} more: pilot measures --city {city.id}")
    counts = sector_counts(found.applying, list(catalog.sectors))
    footnotes.append("by sector: " + ", ".join(f"{sector} {count}" for sector, count in counts.items()))
    title = f"Opening measures in {city.name}: {len(found.applying)}"
    general = len(found.applying) - len(specific)
    title += f" ({general} for every area, {len(specific)} for named cities)" if specific else ", all for every area"
    return Table(
        [Column("id", no_wrap=True), Column("title")], rows, title=title, footnotes=footnotes, show_header=False
    )


def short_title(title: str, city_name: str, room: int) -> str:
    """A title in at most `room` cells, cut at a word, without a lead-in naming the city shown
    ("Shanghai: ", "Hainan FTP: ", "Beijing (whole city): ")."""
    lead, colon, rest = title.partition(": ")
    if colon and rest and lead.lower().startswith(city_name.lower()):
        title = rest[:1].upper() + rest[1:]
    if len(title) <= room:
        return title
    room = max(room, 2)
    head = title[:room]  # one more than fits with the "…": a whole word may end just before it
    cut = head.rsplit(" ", 1)[0] if " " in head else head[:-1]
    return cut.rstrip(" ,;:(-") + "…"


def _sources_table(sources: list[dict[str, Any]]) -> Table:
    rows = []
    for s in sources:
        described = f"{s['title']}. {s['publisher']}" + (f", {s['date']}" if s.get("date") else "")
        described += f" ({s['kind']})"
        rows.append([Cell(clean(f"[{s['id']}]")), Cell(clean(described))])
        # The addresses on lines of their own, so that they break only where they must. A copy
        # that was read is labelled: it is not the original publication.
        if s.get("url"):
            rows.append([Cell(""), Cell(clean(s["url"]), "dim", link=safe_link(s["url"]), crop=True)])
        if s.get("via"):
            rows.append([Cell(""), Cell(clean(f"read via: {s['via']}"), "dim", crop=True)])
    return Table([Column("id", no_wrap=True), Column("source")], rows, title="Sources", show_header=False)
