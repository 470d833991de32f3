"""Comparing 2 to 6 cities indicator by indicator (pure: no printing)."""

from __future__ import annotations

from typing import NamedTuple

from pilotcli.dataset import Catalog, IndicatorInfo
from pilotcli.errors import UsageError
from pilotcli.query import Value, figure
from pilotcli.records import City


class Difference(NamedTuple):
    absolute: float
    percent: float | None


class CompareRow(NamedTuple):
    indicator: IndicatorInfo
    values: list[Value | None]
    best: list[int]
    """Positions of the cities with the best value; empty when there is nothing to tell apart."""
    difference: Difference | None = None
    """With two cities: first minus second, and that as a percentage of the second."""


class Comparison(NamedTuple):
    cities: list[City]
    rows: list[CompareRow]
    shared_sectors: list[str]
    unique_sectors: dict[str, list[str]]


def compare(catalog: Catalog, cities: list[City]) -> Comparison:
    if not 2 <= len(cities) <= 6:
        raise UsageError(f"compare takes 2 to 6 cities (got {len(cities)})")
    ids = [city.id for city in cities]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise UsageError(f"city '{duplicates[0]}' is named twice")
    rows = []
    for info in catalog.indicators.values():
        values = [figure(catalog, city, info.id) for city in cities]
        rows.append(CompareRow(info, values, best_positions(info, values), _difference(info, values)))
    sector_sets = [[growth.sector for growth in city.sectors] for city in cities]
    # Shared: every compared city has it. Unique to a city: no other compared city has it
    # (with three or more cities, a sector held by some but not all is in neither).
    shared = [s for s in catalog.sectors if all(s in have for have in sector_sets)]
    unique = {
        city.id: [s for s in have if not any(s in other for j, other in enumerate(sector_sets) if j != i)]
        for i, (city, have) in enumerate(zip(cities, sector_sets, strict=True))
    }
    return Comparison(cities, rows, shared, unique)


def best_positions(info: IndicatorInfo, values: list[Value | None]) -> list[int]:
    numbers = [(i, v.number) for i, v in enumerate(values) if v is not None and v.number is not None]
    unranked = [i for i, v in enumerate(values) if v is not None and v.unranked]
    if numbers and unranked and len(numbers) + len(unranked) >= 2:
        numbers += [(i, float("inf")) for i in unranked]  # not in the ranking: behind every rank
    if len(numbers) < 2 or len({n for _, n in numbers}) < 2:
        return []
    target = min(n for _, n in numbers) if info.lower_is_better else max(n for _, n in numbers)
    return [i for i, n in numbers if n == target]


def _difference(info: IndicatorInfo, values: list[Value | None]) -> Difference | None:
    if len(values) != 2 or info.kind == "flag":
        return None
    first, second = (v.number if v is not None else None for v in values)
    if first is None or second is None:
        return None
    absolute = round(first - second, 6)
    percent = round(absolute / second * 100, 2) if second else None
    return Difference(absolute, percent)
