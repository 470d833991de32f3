"""Comparing 2 to 6 cities indicator by indicator (pure: no printing)."""

from __future__ import annotations

import math

from pilotcli.dataset import Catalog, IndicatorInfo
from pilotcli.errors import UsageError
from pilotcli.query import Value, figure
from pilotcli.records import City


# Plain classes with slots, not NamedTuples: a NamedTuple class costs a few hundred
# thousand instructions to build, at import, on every call that compares.
class Difference:
    __slots__ = ("absolute", "percent")

    def __init__(self, absolute: float, percent: float | None) -> None:
        self.absolute = absolute
        self.percent = percent


class CompareRow:
    __slots__ = ("best", "differences", "indicator", "values")

    def __init__(
        self,
        indicator: IndicatorInfo,
        values: list[Value | None],
        best: list[int],
        differences: dict[int, Difference],
    ) -> None:
        self.indicator = indicator
        self.values = values
        self.best = best
        """Positions of the cities with the best value; empty when there is nothing to tell apart."""
        self.differences = differences
        """By the position of each other city: the base's value minus that city's, and that as a
        percentage of that city's value (none for yes/no indicators or a missing value)."""

    @property
    def difference(self) -> Difference | None:
        """With two cities, the one difference."""
        return next(iter(self.differences.values())) if len(self.values) == 2 and self.differences else None


class Comparison:
    __slots__ = ("base", "cities", "rows", "shared_sectors", "unique_sectors")

    def __init__(
        self,
        cities: list[City],
        rows: list[CompareRow],
        shared_sectors: list[str],
        unique_sectors: dict[str, list[str]],
        base: int = 0,
    ) -> None:
        self.cities = cities
        self.rows = rows
        self.shared_sectors = shared_sectors
        self.unique_sectors = unique_sectors
        self.base = base
        """The position of the city the others are measured against."""


def compare(catalog: Catalog, cities: list[City], base: City | None = None) -> Comparison:
    """Compare the cities; differences are the base's value (the first city's unless `base`)
    minus each other city's."""
    if not 2 <= len(cities) <= 6:
        raise UsageError(f"compare takes 2 to 6 cities (got {len(cities)})")
    ids = [city.id for city in cities]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise UsageError(f"city '{duplicates[0]}' is named twice")
    if base is not None and base.id not in ids:
        raise UsageError(f"--base {base.id} is not one of the cities compared", hint=f"name one of {', '.join(ids)}")
    position = 0 if base is None else ids.index(base.id)
    rows = []
    for info in catalog.indicators.values():
        values = [figure(catalog, city, info.id) for city in cities]
        rows.append(CompareRow(info, values, best_positions(info, values), _differences(info, values, position)))
    sector_sets = [[growth.sector for growth in city.sectors] for city in cities]
    # Shared: every compared city has it. Unique to a city: no other compared city has it
    # (with three or more cities, a sector held by some but not all is in neither).
    shared = [s for s in catalog.sectors if all(s in have for have in sector_sets)]
    unique = {
        city.id: [s for s in have if not any(s in other for j, other in enumerate(sector_sets) if j != i)]
        for i, (city, have) in enumerate(zip(cities, sector_sets, strict=True))
    }
    return Comparison(cities, rows, shared, unique, position)


def best_positions(info: IndicatorInfo, values: list[Value | None]) -> list[int]:
    numbers = [(i, v.number) for i, v in enumerate(values) if v is not None and v.number is not None]
    unranked = [i for i, v in enumerate(values) if v is not None and v.unranked]
    if numbers and unranked and len(numbers) + len(unranked) >= 2:
        numbers += [(i, float("inf")) for i in unranked]  # not in the ranking: behind every rank
    if len(numbers) < 2 or len({n for _, n in numbers}) < 2:
        return []
    target = min(n for _, n in numbers) if info.lower_is_better else max(n for _, n in numbers)
    return [i for i, n in numbers if n == target]


def _differences(info: IndicatorInfo, values: list[Value | None], base: int) -> dict[int, Difference]:
    numbers = [v.number if v is not None else None for v in values]
    mine = numbers[base]
    if info.kind == "flag" or mine is None:
        return {}
    found = {}
    for position, other in enumerate(numbers):
        if position == base or other is None:
            continue
        absolute = round(mine - other, 6)
        percent = round(absolute / other * 100, 2) if other else None
        # Against a value near 0 the share overflows: no per cent, as against 0.
        found[position] = Difference(absolute, percent if percent is not None and math.isfinite(percent) else None)
    return found
