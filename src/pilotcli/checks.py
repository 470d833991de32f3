"""Whole-file checks of a dataset: what the models cannot see one record at a time.

Unique ids, cross references, names that must point at one record, units and
ranges of figures. Each check returns (location, message) pairs; `validate` turns
them into located problems. Imported only when a file is validated (a cache miss).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from pilotcli.dataset import DERIVED, normalise
from pilotcli.loading import Loc
from pilotcli.lookalikes import check_names
from pilotcli.names import did_you_mean
from pilotcli.records import Batch, City, Dataset, Figure, FigureYear, Indicator, Measure, Region, Source
from pilotcli.sourcing import LEVELS, RULE, allowed, mirror_entry, strength, why

Found = Iterator[tuple[Loc, str]]

MAX_FIGURE = 1e12
"""No figure in this dataset comes near it (GDP is in billion CNY); larger is a typo."""


class Known(NamedTuple):
    """What the records of a file may refer to."""

    sources: dict[str, Source]
    indicators: dict[str, Indicator]
    sectors: set[str]
    regions: dict[str, Region]
    batches: dict[int, Batch]
    as_of_year: int
    cities: set[str]
    created: dict[str, str]
    """Yes/no indicator id -> the first measure that creates it (such indicators are never stored)."""
    as_of: str

    def source(self, loc: Loc, source_id: str) -> Found:
        if source_id not in self.sources:
            yield loc, f"unknown source '{source_id}'{did_you_mean(source_id, self.sources)}"

    def confidence(self, loc: Loc, confidence: str, source_ids: tuple[str, ...]) -> Found:
        """A confidence no stronger than its (known) sources allow; one message naming the rule."""
        sources = [self.sources[i] for i in source_ids if i in self.sources]
        if len(sources) < len(source_ids):
            return  # an unknown source is reported on its own
        most = allowed(strength(s) for s in sources)
        if LEVELS.index(confidence) > LEVELS.index(most):
            backing = "; ".join(f"'{s.id}' is {strength(s)} ({why(s)})" for s in sources)
            stronger = f"confidence '{confidence}' is stronger than its sources allow ('{most}')"
            yield loc, f"{stronger}: {RULE[confidence]}; {backing}"


def check_dataset(dataset: Dataset, other_cities: Iterable[str] = ()) -> list[tuple[Loc, str]]:
    """Every whole-file problem of a dataset, in file order as far as possible.

    `other_cities`: ids of cities in the file that failed the models, so that what refers to
    them is not reported as well."""
    known = Known(
        sources={s.id: s for s in dataset.sources},
        indicators={i.id: i for i in dataset.indicators},
        sectors={s.id for s in dataset.sectors},
        regions={r.id: r for r in dataset.regions},
        batches={b.number: b for b in dataset.program.batches},
        as_of_year=dataset.dataset.as_of.year,
        cities={c.id for c in dataset.cities} | set(other_cities),
        created=created_indicators(dataset),
        as_of=dataset.dataset.as_of.isoformat(),
    )
    return [
        *unique_ids(dataset),
        *sources(dataset),
        *indicators(dataset),
        *program(dataset, known),
        *regions(dataset, known),
        *sectors(dataset, known),
        *cities(dataset, known),
        *city_names(dataset),
        *sector_names(dataset),
        *check_names(dataset),
        *measures(dataset, known),
    ]


def created_indicators(dataset: Dataset) -> dict[str, str]:
    created: dict[str, str] = {}
    for measure in dataset.measures:
        if measure.creates is not None:
            created.setdefault(measure.creates, measure.id)
    return created


def unique_ids(dataset: Dataset) -> Found:
    """Every section whose records have an id: no id twice."""
    for section in dataset.FIELDS:
        records = getattr(dataset, section)
        if not isinstance(records, tuple) or not records or "id" not in records[0].FIELDS:
            continue
        seen: set[str] = set()
        for index, record in enumerate(records):
            if record.id in seen:
                yield (section, index, "id"), f"duplicate id '{record.id}'"
            seen.add(record.id)


def sources(dataset: Dataset) -> Found:
    """Every source names what was read: the original's url, or the copy (via); no url on a mirror."""
    for index, source in enumerate(dataset.sources):
        at: Loc = ("sources", index)
        if source.url is None and source.via is None:
            yield (
                (*at, "url"),
                "a source needs the original's url or, when that is unknown, the 'via' copy that was read",
            )
        if source.url is not None and (entry := mirror_entry(source.url)) is not None:
            message = f"url is on a mirror or content-farm host ({entry}): put the copy in 'via', the original in 'url'"
            yield (*at, "url"), message


def indicators(dataset: Dataset) -> Found:
    for index, indicator in enumerate(dataset.indicators):
        if indicator.id in DERIVED:
            yield ("indicators", index, "id"), f"'{indicator.id}' is derived by pilot and cannot be stored"
        # A derived figure is plain arithmetic on its inputs' values: other units would make it wrong.
        for derived in DERIVED.values():
            for name, unit in zip(derived.derived_from, derived.derived_units, strict=True):
                if indicator.id == name and indicator.unit != unit:
                    message = f"unit '{indicator.unit}' of '{name}': {derived.name} is computed from it in '{unit}'"
                    yield ("indicators", index, "unit"), message


def program(dataset: Dataset, known: Known) -> Found:
    numbers: set[int] = set()
    for index, batch in enumerate(dataset.program.batches):
        if batch.number in numbers:
            yield ("program", "batches", index, "number"), f"duplicate batch number {batch.number}"
        numbers.add(batch.number)
        yield from known.source(("program", "batches", index, "source"), batch.source)
    for index, milestone in enumerate(dataset.program.milestones):
        yield from known.source(("program", "milestones", index, "source"), milestone.source)
    for index, figure in enumerate(dataset.program.figures):
        at: Loc = ("program", "figures", index)
        yield from figure_entries(at, figure, None, known)


def regions(dataset: Dataset, known: Known) -> Found:
    for index, region in enumerate(dataset.regions):
        yield from known.source(("regions", index, "source"), region.source)


def sectors(dataset: Dataset, known: Known) -> Found:
    indicator_ids = set(known.indicators) | set(DERIVED)
    for index, sector in enumerate(dataset.sectors):
        for name in (*sector.indicators, *sector.weights):
            if name not in indicator_ids:
                at: Loc = ("sectors", index, "weights" if name in sector.weights else "indicators")
                yield at, f"unknown indicator '{name}'{did_you_mean(name, indicator_ids)}"


def cities(dataset: Dataset, known: Known) -> Found:
    if not dataset.cities:
        yield ("cities",), "the dataset has no cities"
    for index, city in enumerate(dataset.cities):
        at: Loc = ("cities", index)
        yield from city_profile(at, city, known)
        yield from growth_sectors(at, city, known)
        yield from city_figures(at, city, known)


def city_profile(at: Loc, city: City, known: Known) -> Found:
    region = known.regions.get(city.region)
    if region is None:
        yield (*at, "region"), f"unknown region '{city.region}'{did_you_mean(city.region, set(known.regions))}"
    elif city.province not in region.provinces:
        yield (*at, "province"), f"province '{city.province}' is not in region '{region.id}'"
    batch = known.batches.get(city.batch)
    if batch is None:
        numbers = ", ".join(map(str, sorted(known.batches)))
        yield (*at, "batch"), f"unknown batch {city.batch} (batches: {numbers})"
    elif city.joined < batch.date:
        yield (*at, "joined"), f"joined {city.joined} is before its batch's date {batch.date}"
    if city.joined.year > known.as_of_year:
        yield (*at, "joined"), f"joined {city.joined} is after the dataset's as_of date"
    if city.separately_planned and city.level in ("municipality", "province"):
        # 计划单列市 are cities inside a province (Dalian, Qingdao, Ningbo, Xiamen, Shenzhen).
        yield (*at, "separately_planned"), f"a {city.level} is never separately planned (计划单列市)"
    yield from known.source((*at, "coordinates_source"), city.coordinates_source)
    yield from known.source((*at, "focus_source"), city.focus_source)
    yield from known.confidence((*at, "focus_confidence"), city.focus_confidence, (city.focus_source,))
    if city.ftz is not None:
        yield from known.source((*at, "ftz", "source"), city.ftz.source)
        yield from known.confidence((*at, "ftz", "confidence"), city.ftz.confidence, (city.ftz.source,))
        if city.ftz.since > known.as_of_year:
            yield (*at, "ftz", "since"), f"year {city.ftz.since} is after the dataset's as_of date"
        if city.ftz.zone_since is not None and city.ftz.zone_since >= city.ftz.since:
            yield (
                (*at, "ftz", "zone_since"),
                f"zone_since {city.ftz.zone_since} is not before since {city.ftz.since}; "
                "leave it out when the area is as old as the zone",
            )


def growth_sectors(at: Loc, city: City, known: Known) -> Found:
    seen: set[str] = set()
    for position, growth in enumerate(city.sectors):
        where: Loc = (*at, "sectors", position)
        if growth.sector not in known.sectors:
            yield (*where, "sector"), f"unknown sector '{growth.sector}'{did_you_mean(growth.sector, known.sectors)}"
        elif growth.sector in seen:
            yield (*where, "sector"), f"sector '{growth.sector}' is listed twice"
        seen.add(growth.sector)
        yield from known.source((*where, "source"), growth.source)
        yield from known.confidence((*where, "confidence"), growth.confidence, (growth.source,))


def city_figures(at: Loc, city: City, known: Known) -> Found:
    for key, figure in city.figures.items():
        where: Loc = (*at, "figures", key)
        spec = known.indicators.get(key)
        if key in known.created:
            yield where, f"'{key}' is derived from the measure '{known.created[key]}' (creates); do not store it"
            continue
        if spec is None:
            derived = key in DERIVED
            hint = " (derived by pilot; do not store it)" if derived else did_you_mean(key, set(known.indicators))
            yield where, f"unknown indicator '{key}'{hint}"
            continue
        if figure.unit != spec.unit:
            yield (*where, "unit"), f"unit '{figure.unit}' does not match the indicator's unit '{spec.unit}'"
        yield from figure_entries(where, figure, spec, known)


def figure_entries(at: Loc, figure: Figure, spec: Indicator | None, known: Known) -> Found:
    """A figure and each year of its history: sources, confidence, year order, value."""
    years = [figure.year]
    for position, entry in enumerate((figure, *figure.history)):
        where: Loc = at if position == 0 else (*at, "history", position - 1)
        for source_id in (entry.source, *entry.also):
            yield from known.source((*where, "source" if source_id == entry.source else "also"), source_id)
        if entry.source in entry.also:
            yield (*where, "also"), f"'{entry.source}' is already the source"
        yield from known.confidence((*where, "confidence"), entry.confidence, (entry.source, *entry.also))
        if position > 0:
            if entry.year >= years[-1]:
                yield (*where, "year"), f"history year {entry.year} is not before {years[-1]} (latest first)"
            years.append(entry.year)
        yield from figure_values(where, entry, figure.unit, spec, known.as_of_year)


def figure_values(at: Loc, figure: FigureYear, unit: str, spec: Indicator | None, as_of_year: int) -> Found:
    """One figure's year and value; `spec` is its indicator (None for programme figures,
    which are plain quantities, with percentages between 0 and 100)."""
    if figure.year > as_of_year + 1:
        yield (*at, "year"), f"year {figure.year} is after the dataset's as_of date"
    value = figure.value
    kind = spec.kind if spec is not None else ("flag" if isinstance(value, bool) else "quantity")
    if figure.listed is not None and kind != "rank":
        yield (*at, "listed"), "'listed' is for rank indicators only"
    if figure.listed is False and value is not None:
        yield (*at, "listed"), "a figure with a rank cannot be 'listed = false'"
    if value is None:
        if figure.note is None:
            yield (*at, "note"), "a figure without a value needs a note saying why"
        return
    if kind == "flag":
        if not isinstance(value, bool):
            yield (*at, "value"), f"expected true or false for a yes/no indicator (got {value!r})"
        return
    if isinstance(value, bool) or (kind in ("rank", "count") and not isinstance(value, int)):
        expected = "a whole number" if kind in ("rank", "count") else "a number"
        yield (*at, "value"), f"expected {expected} (got {value!r})"
        return
    yield from value_range(at, value, unit, spec)


def value_range(at: Loc, value: float, unit: str, spec: Indicator | None) -> Found:
    if abs(value) > MAX_FIGURE:
        yield (*at, "value"), f"not a plausible value (more than {MAX_FIGURE:g})"
        return
    percent = unit == "%"
    minimum = spec.minimum if spec is not None else (0.0 if percent else None)
    maximum = spec.maximum if spec is not None else (100.0 if percent else None)
    if minimum is not None and value < minimum:
        yield (*at, "value"), f"{value} is below the minimum {minimum:g} ({unit})"
    if maximum is not None and value > maximum:
        yield (*at, "value"), f"{value} is above the maximum {maximum:g} ({unit})"
    # A level of 0 (people, yuan, companies) is a missing value written as a number; a rate
    # of change can really be 0, so its indicator says `allows_zero`.
    is_quantity = spec is None or spec.kind == "quantity"
    if value == 0 and is_quantity and not (spec is not None and spec.allows_zero):
        yield (*at, "value"), "0 is not a plausible value; leave the figure out if it is unknown"


def city_names(dataset: Dataset) -> Found:
    """Ids, names and aliases point at one city each, so that lookups are unambiguous.

    Every id is registered first: a name that is another city's id, wherever the two
    cities are in the file, would make `pilot show ID` find the wrong city."""
    id_owner: dict[str, str] = {}
    for index, city in enumerate(dataset.cities):
        other = id_owner.setdefault(normalise(city.id), city.id)
        if other != city.id:  # an exact duplicate is reported by unique_ids
            yield ("cities", index, "id"), f"id '{city.id}' is also used by city '{other}'"
    owner = dict(id_owner)
    for index, city in enumerate(dataset.cities):
        for field, names in (("name", [city.name]), ("name_zh", [city.name_zh]), ("aliases", list(city.aliases))):
            for name in names:
                key = normalise(name)
                other = owner.setdefault(key, city.id)
                if other == city.id:
                    continue
                what = "the id of" if id_owner.get(key) == other else "also used by"
                yield ("cities", index, field), f"name '{name}' is {what} city '{other}'"


def sector_names(dataset: Dataset) -> Found:
    owner: dict[str, str] = {}
    for index, sector in enumerate(dataset.sectors):
        for name in (sector.id, sector.name, sector.name_zh, *sector.aliases):
            other = owner.setdefault(normalise(name), sector.id)
            if other != sector.id:
                yield ("sectors", index, "aliases"), f"name '{name}' is also used by sector '{other}'"


# --- Measures ------------------------------------------------------------------------


def measures(dataset: Dataset, known: Known) -> Found:
    for index, measure in enumerate(dataset.measures):
        at: Loc = ("measures", index)
        yield from measure_references(at, measure, known)
        yield from measure_scope(at, measure)
        yield from measure_dates(at, measure, known.as_of)
        if measure.creates is not None or not measure.list_complete:
            yield from measure_creates(at, measure, known)


def measure_references(at: Loc, measure: Measure, known: Known) -> Found:
    if not measure.sectors:
        yield (*at, "sectors"), "a measure needs at least one sector"
    references = [("sectors", "sector", measure.sectors, known.sectors)]
    if known.cities:  # a file without cities is told so once
        references.append(("cities", "city", measure.cities, known.cities))
    for field, kind, names, valid in references:
        seen: set[str] = set()
        for name in names:
            if name not in valid:
                yield (*at, field), f"unknown {kind} '{name}'{did_you_mean(name, valid)}"
            elif name in seen:
                yield (*at, field), f"{kind} '{name}' is listed twice"
            seen.add(name)
    yield from known.source((*at, "source"), measure.source)
    for source_id in measure.also:
        yield from known.source((*at, "also"), source_id)
    if measure.source in measure.also:
        yield (*at, "also"), f"'{measure.source}' is already the measure's source"
    yield from known.confidence((*at, "confidence"), measure.confidence, (measure.source, *measure.also))


def measure_scope(at: Loc, measure: Measure) -> Found:
    if measure.scope == "cities" and not measure.cities and measure.creates is None:
        yield (*at, "cities"), "scope 'cities' needs a list of cities"
    if measure.scope != "cities" and measure.cities:
        yield (*at, "cities"), f"scope '{measure.scope}' applies to pilot areas without a list; use scope 'cities'"


def measure_dates(at: Loc, measure: Measure, as_of: str) -> Found:
    for field in ("date", "status_date"):
        value = getattr(measure, field)
        if value is not None and value > as_of[: len(value)]:
            yield (*at, field), f"{field} {value} is after the dataset's as_of date"
    date, status_date = measure.date, measure.status_date
    if date is not None and status_date is not None:
        common = min(len(date), len(status_date))
        if status_date[:common] < date[:common]:
            yield (*at, "status_date"), f"status_date {status_date} is before the measure's date {date}"


def measure_creates(at: Loc, measure: Measure, known: Known) -> Found:
    key = measure.creates
    if key is None:
        yield (*at, "list_complete"), "'list_complete' is for a measure that creates an indicator"
        return
    spec = known.indicators.get(key)
    if spec is None or spec.kind != "flag":
        flags = {k for k, i in known.indicators.items() if i.kind == "flag"}
        hint = " (it is not yes/no)" if spec is not None else did_you_mean(key, flags)
        yield (*at, "creates"), f"a measure creates a yes/no indicator; '{key}' is not one{hint}"
    if measure.scope == "qualifying":
        yield (*at, "creates"), "scope 'qualifying' does not say which areas have the indicator; list the cities"
    if measure.date is None:
        yield (*at, "date"), "a measure that creates an indicator needs a date (the indicator's year)"
