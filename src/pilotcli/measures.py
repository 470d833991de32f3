"""Opening measures: where each one applies, and the yes/no indicators they create (pure).

A measure's scope is every pilot area ('all'), every pilot area that meets its
conditions ('qualifying': pilot gives no list, so it counts as applying to every
area and says so), or a list of cities. A measure with `creates` establishes a
yes/no indicator: the indicator's figures are derived here, so the fact is stored
once, in the measure.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from pilotcli.records import Dataset, Figure, Measure


def applies_to(measure: Measure, city_id: str) -> bool:
    """Whether the measure applies in the city ('all' and 'qualifying' measures apply everywhere)."""
    return measure.scope != "cities" or city_id in measure.cities


def is_specific(measure: Measure) -> bool:
    """A measure for named cities, not for every (qualifying) pilot area."""
    return measure.scope == "cities"


def creators(dataset: Dataset) -> dict[str, list[Measure]]:
    """Indicator id -> the measures that create it, in file order."""
    found: dict[str, list[Measure]] = {}
    for measure in dataset.measures:
        if measure.creates is not None:
            found.setdefault(measure.creates, []).append(measure)
    return found


def created_figure(measures: list[Measure], city_id: str, unit: str) -> Figure | None:
    """A city's figure for an indicator that these measures create.

    'yes' in a creating measure's scope (from the first such measure); 'no' elsewhere when
    some creating measure's list is complete (the published list); otherwise None (unknown)."""
    found = next((m for m in measures if applies_to(m, city_id)), None)
    if found is not None:
        return _figure(found, True, unit)
    complete = next((m for m in measures if m.list_complete and m.scope == "cities"), None)
    return None if complete is None else _figure(complete, False, unit)


def created_figures(dataset: Dataset) -> dict[str, dict[str, Figure]]:
    """Indicator id -> city id -> the figure derived from the measures (cities with one only)."""
    units = {indicator.id: indicator.unit for indicator in dataset.indicators}
    created: dict[str, dict[str, Figure]] = {}
    for key, measures in creators(dataset).items():
        figures = {c.id: created_figure(measures, c.id, units.get(key, "yes/no")) for c in dataset.cities}
        created[key] = {city_id: found for city_id, found in figures.items() if found is not None}
    return created


def _figure(measure: Measure, value: bool, unit: str) -> Figure:
    if value:
        note = f"Derived from the measure '{measure.id}'" + (f"; where: {measure.zone}." if measure.zone else ".")
    else:
        note = f"Derived from the measure '{measure.id}': not in its list of areas."
    year = int(measure.date[:4]) if measure.date else 0  # checks.py requires a date of a creating measure
    return Figure(
        value=value,
        listed=None,
        unit=unit,
        year=year,
        edition=None,
        source=measure.source,
        also=measure.also,
        estimate=False,
        confidence=measure.confidence,
        note=note,
        history=(),
    )


# --- The measures of a city, of cities compared, by date (show, compare, timeline) ---------------


class CityMeasures(NamedTuple):
    applying: list[Measure]
    """Every measure that applies in the city, in file order."""
    specific: list[Measure]
    """Those for named cities ('cities' scope) that include it, in file order."""


def city_measures(measures: Sequence[Measure], city_id: str) -> CityMeasures:
    applying = [m for m in measures if applies_to(m, city_id)]
    return CityMeasures(applying, [m for m in applying if is_specific(m)])


def sector_counts(measures: Sequence[Measure], sector_order: Sequence[str]) -> dict[str, int]:
    """Sector id -> how many of the measures name it, most first (ties in `sector_order`);
    a measure of several sectors counts in each."""
    counts = Counter(sector for m in measures for sector in m.sectors)
    place = {sector: i for i, sector in enumerate(sector_order)}
    ordered = sorted(counts, key=lambda sector: (-counts[sector], place.get(sector, len(place)), sector))
    return {sector: counts[sector] for sector in ordered}


def most_specific_first(measures: Sequence[Measure]) -> list[Measure]:
    """Fewest cities first (a city's own measures before those it shares), then the newest."""
    newest = sorted(measures, key=lambda m: m.date or "", reverse=True)
    return sorted(newest, key=lambda m: len(m.cities) if is_specific(m) else sys.maxsize)


class MeasureComparison(NamedTuple):
    counts: dict[str, int]
    """City id -> how many measures apply there."""
    differing: list[tuple[Measure, list[str]]]
    """The measures that apply in some of the cities but not all, with the ids of those cities
    (in the order given), in file order."""


def compare_measures(measures: Sequence[Measure], city_ids: Sequence[str]) -> MeasureComparison:
    counts = dict.fromkeys(city_ids, 0)
    differing = []
    for measure in measures:
        where = [city_id for city_id in city_ids if applies_to(measure, city_id)]
        for city_id in where:
            counts[city_id] += 1
        if 0 < len(where) < len(city_ids):
            differing.append((measure, where))
    return MeasureComparison(counts, differing)


def by_date(measures: Sequence[Measure]) -> list[tuple[str, list[Measure]]]:
    """The dated measures grouped by their issue date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), earliest
    first; within a date, file order. A partial date sorts before the full dates it contains."""
    groups: dict[str, list[Measure]] = {}
    for measure in measures:
        if measure.date:
            groups.setdefault(measure.date, []).append(measure)
    return sorted(groups.items())
