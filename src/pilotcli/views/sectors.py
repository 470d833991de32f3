"""`pilot sectors`: the growth sectors, or the cities that list one."""

from __future__ import annotations

from pilotcli.dataset import Catalog
from pilotcli.view import Cell, Column, Table, View, clean


def sectors_view(catalog: Catalog) -> View:
    counts = dict.fromkeys(catalog.sectors, 0)
    for city in catalog.dataset.cities:
        for growth in city.sectors:
            if growth.sector in counts:
                counts[growth.sector] += 1
    records = [
        {
            "id": s.id,
            "name": s.name,
            "name_zh": s.name_zh,
            "aliases": list(s.aliases),
            "description": s.description,
            "indicators": list(s.indicators),
            "weights": dict(s.weights),
            "cities": counts[s.id],
        }
        for s in catalog.dataset.sectors
    ]
    rows = [
        [
            Cell(clean(s.id)),
            Cell(clean(f"{s.name} {s.name_zh}")),
            Cell(str(counts[s.id])),
            Cell(clean(", ".join(s.indicators))),
            Cell(clean(s.description)),
        ]
        for s in catalog.dataset.sectors
    ]
    columns = [
        Column("id", no_wrap=True),
        Column("sector", drop=2),
        Column("cities", justify="right"),
        Column("indicators", drop=1),
        Column("description", drop=3, min_width=30),  # hidden rather than squeezed to a strip
    ]
    return View(records, [Table(columns, rows, title="Growth sectors")], [], list(records[0]) if records else [])


def sector_view(catalog: Catalog, sector_id: str) -> View:
    sector = catalog.sectors[sector_id]
    records = []
    rows = []
    for city in catalog.dataset.cities:
        for growth in city.sectors:
            if growth.sector == sector_id:
                records.append(
                    {
                        "id": city.id,
                        "name": city.name,
                        "name_zh": city.name_zh,
                        "evidence": growth.evidence,
                        "source": growth.source,
                        "confidence": growth.confidence,
                    }
                )
                rows.append(
                    [
                        Cell(clean(city.id)),
                        Cell(clean(city.name_zh)),
                        Cell(clean(growth.evidence)),
                        Cell(clean(f"[{growth.source}] {growth.confidence}"), "dim"),
                    ]
                )
    columns = [
        Column("city", no_wrap=True),
        Column("中文", no_wrap=True, drop=1),
        Column("evidence"),
        Column("source", no_wrap=True),
    ]
    title = f"{sector.name} {sector.name_zh}: {len(records)} cities"
    notes = [] if records else [f"no city lists the sector '{sector_id}'"]
    table = Table(columns, rows, title=title, footnotes=[clean(sector.description)])
    fields = ["id", "name", "name_zh", "evidence", "source", "confidence"]
    return View(records, [table] if records else [], notes, fields)
