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
from typing import TYPE_CHECKING, Any

from pilotcli.errors import NotFoundError, UsageError
from pilotcli.names import lookup
from pilotcli.records import Dataset, Figure, Measure, as_data

if TYPE_CHECKING:
    from pilotcli.dataset import Catalog


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


# Plain classes with __slots__, not NamedTuples: `list` imports this module for the derived
# figures, and creating a NamedTuple class costs it about 0.2% of a call each.
class CityMeasures:
    __slots__ = ("applying", "specific")

    def __init__(self, applying: list[Measure], specific: list[Measure]) -> None:
        self.applying = applying
        """Every measure that applies in the city, in file order."""
        self.specific = specific
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


class MeasureComparison:
    __slots__ = ("counts", "differing")

    def __init__(self, counts: dict[str, int], differing: list[tuple[Measure, list[str]]]) -> None:
        self.counts = counts
        """City id -> how many measures apply there."""
        self.differing = differing
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


# --- Selecting measures (pilot measures, list --measure) ---------------------------------------

KINDS = ("equity-cap", "new-business", "pilot-programme", "facilitation", "rule-alignment", "legal-adjustment")
STATUSES = ("in-force", "to-be-studied", "national", "ended")
"""models.MeasureKind and models.MeasureStatus (a test keeps them equal), without importing pydantic."""
SEARCHED = ("id", "title", "title_zh", "summary", "document", "document_title", "zone", "note")
"""The texts --search looks in."""
_PARTIAL_DATE = r"\d{4}(-\d{2}(-\d{2})?)?"


class MeasureFilter:
    """Conditions that combine with AND; `sectors` match any of them. (A plain class, as above.)"""

    __slots__ = ("cities", "city", "kind", "search", "sectors", "since", "status", "where")

    def __init__(
        self,
        *,
        sectors: tuple[str, ...] = (),
        kind: str | None = None,
        status: str | None = None,
        since: str | None = None,
        search: str | None = None,
        city: str | None = None,
        where: tuple[str, ...] = (),
        cities: frozenset[str] | None = None,
    ) -> None:
        self.sectors = sectors
        self.kind = kind
        self.status = status
        self.since = since
        """YYYY, YYYY-MM or YYYY-MM-DD: issued on or after it (see `issued_since`)."""
        self.search = search
        self.city = city
        """A city id (--city), for the title."""
        self.where = where
        """The --where expressions as typed, for the title."""
        self.cities = cities
        """A measure must apply to one of these cities (those --city and --where keep); None: any."""

    def matches(self, measure: Measure) -> bool:
        if self.sectors and not set(self.sectors) & set(measure.sectors):
            return False
        if self.kind is not None and measure.kind != self.kind:
            return False
        if self.status is not None and measure.status != self.status:
            return False
        if self.since is not None and not issued_since(measure.date, self.since):
            return False
        if self.search is not None and not mentions(measure, self.search):
            return False
        return self.cities is None or any(applies_to(measure, city_id) for city_id in self.cities)


def issued_since(date: str | None, since: str) -> bool:
    """Whether a measure's date is on or after `since`, compared at the precision both have:
    a measure of 2024-09 is kept for --since 2024-09-15 (it may be on or after). No date: False."""
    if date is None:
        return False
    shared = min(len(date), len(since))
    return date[:shared] >= since[:shared]


def mentions(measure: Measure, text: str) -> bool:
    """Whether one of the measure's texts (SEARCHED) contains `text`, ignoring case."""
    wanted = text.casefold()
    return any(wanted in (getattr(measure, name) or "").casefold() for name in SEARCHED)


def partial_date(option: str, text: str) -> str:
    """A date given as YYYY, YYYY-MM or YYYY-MM-DD, checked (a real month and day); UsageError otherwise."""
    import datetime as dt
    import re

    given = text.strip()
    padded = given + "-01-01"[len(given) - 4 :] if re.fullmatch(_PARTIAL_DATE, given) else ""
    try:
        dt.date.fromisoformat(padded)
    except ValueError:
        raise UsageError(f"{option}: '{text}' is not a date", hint="give YYYY, YYYY-MM or YYYY-MM-DD") from None
    return given


def find(catalog: Catalog, query: str) -> Measure:
    """A measure by id (any case); NotFoundError with the closest ids, or those containing `query`."""
    wanted = query.strip()
    try:
        return catalog.measures[lookup("measure", wanted, list(catalog.measures))]
    except NotFoundError as error:
        if error.suggestions or len(wanted) < 3:
            raise
        containing = [measure_id for measure_id in catalog.measures if wanted.casefold() in measure_id][:3]
        raise NotFoundError("measure", wanted, suggestions=containing) from None


def build_filter(
    catalog: Catalog,
    *,
    sectors: list[str] | None = None,
    city: str | None = None,
    kind: str | None = None,
    since: str | None = None,
    status: str | None = None,
    search: str | None = None,
    where: list[str] | None = None,
) -> MeasureFilter:
    """Resolve the names a user typed (sector and city names, kinds, statuses, dates) into a filter."""
    from pilotcli.query import CityFilter, field_kinds, select
    from pilotcli.where import bind

    city_id = catalog.city(city).id if city is not None else None
    cities = None if city_id is None else frozenset({city_id})
    if where:
        matching = select(catalog, CityFilter(where=bind(where, field_kinds(catalog))))
        cities = frozenset(c.id for c in matching if cities is None or c.id in cities)
    return MeasureFilter(
        sectors=tuple(dict.fromkeys(catalog.sector(name).id for name in sectors or ())),
        kind=lookup("measure kind", kind, KINDS, list_all=True) if kind is not None else None,
        status=lookup("measure status", status, STATUSES, list_all=True) if status is not None else None,
        since=partial_date("--since", since) if since is not None else None,
        search=search,
        city=city_id,
        where=tuple(where or ()),
        cities=cities,
    )


def select_measures(catalog: Catalog, measure_filter: MeasureFilter) -> list[Measure]:
    """The measures the filter keeps, in dataset order (by sector, newest first)."""
    return [measure for measure in catalog.dataset.measures if measure_filter.matches(measure)]


def describe(catalog: Catalog, measure_filter: MeasureFilter) -> list[str]:
    """The filter in words, for titles: ["healthcare or finance", "in Shenzhen", "since 2024"]."""
    f = measure_filter
    parts = [" or ".join(f.sectors)] if f.sectors else []
    parts += [f"in {catalog.cities[f.city].name}"] if f.city else []
    parts += [f"kind {f.kind}"] if f.kind else []
    parts += [f"since {f.since}"] if f.since else []
    parts += [f"status {f.status}"] if f.status else []
    parts += [f"matching '{f.search}'"] if f.search is not None else []
    parts += [f"in a city where {' and '.join(f.where)}"] if f.where else []
    return parts


def cities_of(catalog: Catalog, measure: Measure) -> list[str]:
    """The ids of the cities (of this dataset) where the measure applies, in dataset order."""
    return [city.id for city in catalog.dataset.cities if applies_to(measure, city.id)]


_AFTER_CITIES = Measure.FIELDS.index("cities") + 1
RECORD_KEYS = (*Measure.FIELDS[:_AFTER_CITIES], "applies_to", *Measure.FIELDS[_AFTER_CITIES:])
"""The keys of a measure's JSON record: the model's fields, with `applies_to` after `cities`."""


def measure_record(catalog: Catalog, measure: Measure) -> dict[str, Any]:
    """A measure as a JSON object: its fields, and `applies_to`, every city where it applies."""
    data: dict[str, Any] = as_data(measure)
    data["applies_to"] = cities_of(catalog, measure)
    return {key: data[key] for key in RECORD_KEYS}


def measure_detail(catalog: Catalog, measure: Measure) -> dict[str, Any]:
    """`pilot measures ID --json`: the record with its sources (source, then also) in full."""
    cited = [catalog.sources[s] for s in dict.fromkeys((measure.source, *measure.also)) if s in catalog.sources]
    return {**measure_record(catalog, measure), "sources": [as_data(source) for source in cited]}
