"""`pilot regions`: the NBS macro-regions with their cities and totals."""

from __future__ import annotations

from typing import Any

from pilotcli.dataset import Catalog
from pilotcli.query import figure
from pilotcli.view import MISSING, Cell, Column, Table, View, clean, number
from pilotcli.views.shared import years_text

REGION_TOTALS = ("population", "gdp")


def region_records(catalog: Catalog) -> list[dict[str, Any]]:
    records = []
    for region in catalog.dataset.regions:
        cities = [c for c in catalog.dataset.cities if c.region == region.id]
        record: dict[str, Any] = {
            "id": region.id,
            "name": region.name,
            "name_zh": region.name_zh,
            "description": region.description,
            "provinces": list(region.provinces),
            "cities": [c.id for c in cities],
            "city_count": len(cities),
            "coastal": sum(1 for c in cities if c.coastal),
            "inland": sum(1 for c in cities if not c.coastal),
        }
        for key in REGION_TOTALS:
            values = [figure(catalog, c, key) for c in cities]
            known = [v.number for v in values if v is not None and v.number is not None]
            info = catalog.indicators.get(key)
            record[key] = {
                "value": round(sum(known), 4) if known else None,
                "unit": info.unit if info else None,
                "cities_counted": len(known),
                "cities_missing": [c.id for c, v in zip(cities, values, strict=True) if v is None or v.number is None],
            }
        records.append(record)
    return records


def regions_view(catalog: Catalog) -> View:
    records = region_records(catalog)
    rows = []
    for r in records:
        rows.append(
            [
                Cell(clean(f"{r['name']} {r['name_zh']}")),
                Cell(str(r["city_count"])),
                Cell(clean(", ".join(catalog.cities[c].name for c in r["cities"])) or MISSING),
                Cell(str(r["coastal"])),
                Cell(str(r["inland"])),
                _total_cell(r["population"], 1),
                _total_cell(r["gdp"], 0),
            ]
        )
    columns = [
        Column("region", no_wrap=True),
        Column("n", justify="right"),
        Column("pilot cities", min_width=16),
        Column("coastal", justify="right"),
        Column("inland", justify="right"),
        Column("pop. (m)", justify="right", no_wrap=True),
        Column("GDP (bn CNY)", justify="right", no_wrap=True),
    ]
    dagger = any(cell.text.endswith("†") for row in rows for cell in row)
    footnotes = ["† a city's figure is missing, so the total counts the others (see JSON cities_missing)"] * dagger
    # A total may add one city's 2024 value to another's 2025: say which years went in.
    footnotes.append(f"totals add each city's latest value; {_total_years(catalog)}")
    return View(
        records,
        [Table(columns, rows, title="NBS macro-regions", footnotes=footnotes)],
        [],
        list(records[0]) if records else [],
    )


def _total_years(catalog: Catalog) -> str:
    by_indicator: dict[str, dict[str, int]] = {}
    for key in REGION_TOTALS:
        for city in catalog.dataset.cities:
            value = figure(catalog, city, key)
            if value is not None and value.value is not None and value.year is not None:
                counts = by_indicator.setdefault(key, {})
                counts[str(value.year)] = counts.get(str(value.year), 0) + 1
    return years_text(by_indicator)


def _total_cell(part: dict[str, Any], decimals: int) -> Cell:
    if part["value"] is None:
        return Cell(MISSING, "missing")
    return Cell(number(part["value"], decimals) + ("†" if part["cities_missing"] else ""))
