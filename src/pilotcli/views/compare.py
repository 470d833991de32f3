"""`pilot compare`: two to six cities side by side, their differences, sectors and measures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pilotcli.dataset import Catalog, IndicatorInfo
from pilotcli.query import city_record
from pilotcli.records import City, Measure
from pilotcli.view import DECIMALS_BY_UNIT, MISSING, Cell, Column, Table, View, clean, marker_legend
from pilotcli.views.shared import NARROW_WIDTH, newest_year, row_label, value_cell, year_notes

if TYPE_CHECKING:
    from pilotcli.compare import CompareRow, Comparison
    from pilotcli.measures import MeasureComparison


_COMPARE_FIELDS = ["base", "cities", "rows", "sectors", "measures"]


def compare_view(catalog: Catalog, comparison: Comparison) -> View:
    from functools import cache

    from pilotcli.measures import compare_measures

    cities = comparison.cities
    base = cities[comparison.base]
    measures = compare_measures(catalog.dataset.measures, [c.id for c in cities])

    @cache
    def data_rows() -> list[dict[str, Any]]:
        return [_compare_record(cities, compare_row) for compare_row in comparison.rows]

    def data() -> dict[str, Any]:
        return {
            "base": base.id,
            "cities": [city_record(catalog, c) for c in cities],
            "rows": data_rows(),
            "sectors": {"shared": comparison.shared_sectors, "unique": comparison.unique_sectors},
            "measures": {
                "counts": measures.counts,
                "differing": [{"id": m.id, "cities": where} for m, where in measures.differing],
            },
        }

    return View(
        data,
        lambda: _compare_tables(catalog, comparison, measures),
        [],
        list(_COMPARE_FIELDS),
        csv_rows=lambda: [_compare_csv_row(cities, r, base.id) for r in data_rows()],
    )


def _compare_tables(catalog: Catalog, comparison: Comparison, measures: MeasureComparison) -> list[Table]:
    cities = comparison.cities
    base = cities[comparison.base]
    others = [i for i in range(len(cities)) if i != comparison.base]
    two = len(cities) == 2
    columns = [Column("indicator", min_width=14, balanced=True)]
    # Values may wrap at their spaces ("17.99 (2024)", "not ranked"): six cities fit 80 columns.
    columns += [Column(f"{c.name}", justify="right") for c in cities]
    if two:
        columns.append(Column("difference", justify="right", drop=1, no_wrap=True))
    rows = _compare_profile_rows(catalog, cities, difference_column=two)
    if catalog.dataset.measures:
        counts = [Cell(str(measures.counts[c.id])) for c in cities]
        rows.append([Cell("Opening measures", "heading"), *counts, *([Cell("")] if two else [])])
    rows += [_compare_value_row(compare_row, two) for compare_row in comparison.rows]
    footnotes = [*marker_legend(rows), *year_notes(catalog, cities)]
    if two:
        other = cities[others[0]]
        footnotes.append(f"difference: {base.name} minus {other.name}, and as % of {other.name}")
    footnotes += _differing_measures_lines(cities, measures)
    tables = [Table(columns, rows, title=" vs ".join(f"{c.name} {c.name_zh}" for c in cities), footnotes=footnotes)]
    if not two:
        tables.append(_differences_table(comparison, others))
    tables.append(_compare_sectors_table(catalog, comparison))
    return tables


def _compare_value_row(compare_row: CompareRow, difference_column: bool) -> list[Cell]:
    info = compare_row.indicator
    newest = newest_year(compare_row.values, info)
    cells = [Cell(row_label(info))]
    cells += [value_cell(v, info, best=i in compare_row.best, newest=newest) for i, v in enumerate(compare_row.values)]
    if difference_column:
        cells.append(Cell(_difference_text(compare_row.difference, info)))
    return cells


def _differences_table(comparison: Comparison, others: list[int]) -> Table:
    """With three or more cities: the base's value minus each other city's, in a table of its own
    (so that the values stay side by side on narrow terminals)."""
    base = comparison.cities[comparison.base]
    columns = [Column("indicator", min_width=14, balanced=True)]
    columns += [Column(f"vs {comparison.cities[i].name}", justify="right") for i in others]
    rows = [
        [Cell(row_label(r.indicator)), *[Cell(_difference_text(r.differences.get(i), r.indicator)) for i in others]]
        for r in comparison.rows
        if r.differences
    ]
    title = f"Differences: {base.name} minus each city"
    note = f"vs X: {base.name}'s value minus X's, and as % of X's (--base CITY measures from another city)"
    return Table(columns, rows, title=title, footnotes=[note])


def _differing_measures_lines(cities: list[City], measures: MeasureComparison) -> list[str]:
    """The measures that apply in some of the cities but not all, grouped by where they apply
    (a city alone first), one line of at most 80 cells a group (the JSON lists them all)."""
    from pilotcli.measures import most_specific_first

    if not measures.differing:
        return []
    names = {c.id: c.name for c in cities}
    order = {c.id: i for i, c in enumerate(cities)}
    groups: dict[tuple[str, ...], list[Measure]] = {}
    for measure, where in measures.differing:
        groups.setdefault(tuple(where), []).append(measure)
    lines = [f"measures that apply in some of these cities only: {len(measures.differing)} (all in --json)"]
    for group in sorted(groups, key=lambda key: (len(key), [order[i] for i in key])):
        ids = [m.id for m in most_specific_first(groups[group])]
        head = f"{', '.join(names[i] for i in group)} only ({len(ids)}): "
        lines.append(head + ids_within(ids, NARROW_WIDTH - len(head)))
    return lines


def ids_within(ids: list[str], room: int) -> str:
    """As many of the ids as fit in `room` cells, then how many more: "a, b, +3 more"."""
    shown: list[str] = []
    for position, item in enumerate(ids):
        rest = len(ids) - position - 1
        more = f", +{rest} more" if rest else ""
        if len(", ".join([*shown, item]) + more) > room and shown:
            return ", ".join(shown) + f", +{len(ids) - position} more"
        shown.append(item)
    return ", ".join(shown)


def _compare_profile_rows(catalog: Catalog, cities: list[City], *, difference_column: bool) -> list[list[Cell]]:
    rows = []
    for label, texts in (
        ("Region", [catalog.regions[c.region].name if c.region in catalog.regions else c.region for c in cities]),
        ("Coastal", ["coastal" if c.coastal else "inland" for c in cities]),
        ("Batch", [str(c.batch) for c in cities]),
    ):
        row = [Cell(label, "heading"), *[Cell(clean(text)) for text in texts]]
        rows.append(row + ([Cell("")] if difference_column else []))
    # Narrow tables show a date to the month and a zone's year alone.
    joined = [Cell(c.joined.isoformat(), short=c.joined.isoformat()[:7]) for c in cities]
    zone = [
        Cell(
            f"since {c.ftz.since}" + (f" (zone {c.ftz.zone_since})" if c.ftz.zone_since else ""), short=str(c.ftz.since)
        )
        if c.ftz
        else Cell(MISSING, "missing")
        for c in cities
    ]
    for label, cells in (("Joined", joined), ("Free trade zone", zone)):
        rows.append([Cell(label, "heading"), *cells, *([Cell("")] if difference_column else [])])
    return rows


def _compare_record(cities: list[City], compare_row: CompareRow) -> dict[str, Any]:
    info = compare_row.indicator
    difference = compare_row.difference
    return {
        "indicator": info.id,
        "name": info.name,
        "unit": info.unit,
        "lower_is_better": info.lower_is_better,
        "values": {
            city.id: (v.as_json() if v is not None else None)
            for city, v in zip(cities, compare_row.values, strict=True)
        },
        "best": [cities[i].id for i in compare_row.best],
        "difference": None if difference is None else {"absolute": difference.absolute, "percent": difference.percent},
        "differences": {
            cities[i].id: {"absolute": d.absolute, "percent": d.percent} for i, d in compare_row.differences.items()
        },
    }


def _compare_csv_row(cities: list[City], record: dict[str, Any], base: str) -> dict[str, Any]:
    row = {
        "indicator": record["indicator"],
        "unit": record["unit"],
        **{city.id: (record["values"][city.id] or {}).get("value") for city in cities},
        "best": record["best"],
    }
    if len(cities) == 2:
        row["difference"] = (record["difference"] or {}).get("absolute")
        row["difference_percent"] = (record["difference"] or {}).get("percent")
        return row
    for city in cities:
        if city.id != base:
            found = record["differences"].get(city.id) or {}
            row[f"vs_{city.id}"] = found.get("absolute")
            row[f"vs_{city.id}_percent"] = found.get("percent")
    return row


def _compare_sectors_table(catalog: Catalog, comparison: Comparison) -> Table:
    names = {s: catalog.sectors[s].name for s in catalog.sectors}
    rows = [[Cell("shared"), Cell(", ".join(names[s] for s in comparison.shared_sectors) or MISSING)]]
    rows += [
        [Cell(f"only {catalog.cities[cid].name}"), Cell(clean(", ".join(names.get(s, s) for s in only)) or MISSING)]
        for cid, only in comparison.unique_sectors.items()
    ]
    return Table([Column("growth sectors", no_wrap=True), Column("")], rows, show_header=False)


def _difference_text(difference: Any, info: IndicatorInfo) -> str:
    if difference is None:
        return ""
    decimals = DECIMALS_BY_UNIT.get(info.unit, 0 if info.kind in ("rank", "count") else 2)
    absolute = difference.absolute
    text = f"{absolute:+,.{decimals}f}" if decimals else f"{int(absolute):+,}"
    if difference.percent is not None and info.kind != "rank":
        text += f" ({difference.percent:+.0f}%)"
    return text
