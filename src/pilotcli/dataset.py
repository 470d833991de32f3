"""The loaded dataset: whole-file checks, indexes and name lookups.

`load(path)` is the one entry point: it reads, parses and validates a file once
per process and returns a `Catalog`, the dataset with its lookups.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from pilotcli import cache
from pilotcli.errors import DataError, NotFoundError, Problem
from pilotcli.loading import (
    Loc,
    Locator,
    decode,
    parse_toml,
    read_bytes,
    read_text,
    shipped_dataset_path,
    validation_problems,
)
from pilotcli.names import MAX_SUGGESTIONS, did_you_mean, lookup, suggestions
from pilotcli.records import Batch, City, Dataset, Figure, Indicator, Region, Sector, Source, from_plain, to_plain

if TYPE_CHECKING:
    from pilotcli import models
    from pilotcli.models import IndicatorKind


class IndicatorInfo(NamedTuple):
    """An indicator as the commands see it: stored in the file, or derived by pilot."""

    id: str
    name: str
    unit: str
    kind: IndicatorKind
    description: str
    derived_from: tuple[str, ...] = ()
    derived_units: tuple[str, ...] = ()
    """The units the computation assumes for each of `derived_from`, in the same order."""

    @property
    def lower_is_better(self) -> bool:
        return self.kind == "rank"


# Derived indicators: computed from stored figures, never stored (id -> (numerator, denominator)).
# `derived_units` are the input units the arithmetic assumes: check_dataset refuses other ones.
GDP_PER_CAPITA = IndicatorInfo(
    id="gdp_per_capita",
    name="GDP per capita",
    unit="thousand CNY per person",
    kind="quantity",
    description="GDP divided by resident population; computed by pilot from the two figures.",
    derived_from=("gdp", "population"),
    derived_units=("billion CNY", "million persons"),
)
DERIVED = {GDP_PER_CAPITA.id: GDP_PER_CAPITA}


_IGNORED_IN_NAMES = re.compile(r"[\s'’‘`ʼ\-_.·,()]+")


def normalise(text: str) -> str:
    """Fold case, accents, apostrophes, spaces and hyphens: "Xi'an", "XI AN" -> "xian"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _IGNORED_IN_NAMES.sub("", plain.casefold())


T = TypeVar("T")


class NameIndex(dict[str, str]):
    """Normalised name -> record id, with exact, unique-prefix and fuzzy lookup."""

    def __init__(self, kind: str, names: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        self.kind = kind
        for record_id, name in names:
            key = normalise(name)
            if key:
                self.setdefault(key, record_id)

    def resolve(self, query: str) -> str:
        key = normalise(query)
        if key in self:
            return self[key]
        # "北京市", "海南省", "Beijing City", "Hainan Province": the name without its suffix.
        bare = _without_suffix(key)
        if bare in self:
            return self[bare]
        for prefix in dict.fromkeys((key, bare)):
            if len(prefix) < 2:
                continue
            matches = sorted({record_id for name, record_id in self.items() if name.startswith(prefix)})
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise NotFoundError(self.kind, query, candidates=matches)
        close = suggestions(bare, self, limit=2 * MAX_SUGGESTIONS)  # several names can be one record's
        raise NotFoundError(self.kind, query, suggestions=list(dict.fromkeys(self[name] for name in close))[:3])


_NAME_SUFFIXES = ("市", "省", "municipality", "province", "city")
"""Administrative words a user may add to a name (already normalised: no spaces, folded case)."""


def _without_suffix(key: str) -> str:
    """The normalised name without one trailing 市 / 省 / city / province / municipality,
    unless nothing would remain; the name itself when it has no such suffix."""
    for suffix in _NAME_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


class Catalog:
    """A validated dataset with its indexes. Built once per file per process."""

    def __init__(self, dataset: Dataset, path: str) -> None:
        self.dataset = dataset
        self.path = path
        self.cities: dict[str, City] = {city.id: city for city in dataset.cities}
        self.sectors: dict[str, Sector] = {sector.id: sector for sector in dataset.sectors}
        self.regions: dict[str, Region] = {region.id: region for region in dataset.regions}
        self.sources: dict[str, Source] = {source.id: source for source in dataset.sources}
        self.indicators: dict[str, IndicatorInfo] = _indicator_infos(dataset)

    # The name indexes are built on the first lookup: most calls never look a name up.
    @cached_property
    def _city_names(self) -> NameIndex:
        return NameIndex("city", _city_names(self.dataset.cities))

    @cached_property
    def _sector_names(self) -> NameIndex:
        names = ((s.id, name) for s in self.dataset.sectors for name in (s.id, s.name, s.name_zh, *s.aliases))
        return NameIndex("sector", names)

    @cached_property
    def _region_names(self) -> NameIndex:
        return NameIndex("region", ((r.id, name) for r in self.dataset.regions for name in (r.id, r.name, r.name_zh)))

    def city(self, query: str) -> City:
        """The city named by id, English or Chinese name or alias; NotFoundError otherwise."""
        return self.cities[self._city_names.resolve(query)]

    def get_city(self, query: str) -> City | None:
        try:
            return self.city(query)
        except NotFoundError:
            return None

    def sector(self, query: str) -> Sector:
        return self.sectors[self._sector_names.resolve(query)]

    def region(self, query: str) -> Region:
        return self.regions[self._region_names.resolve(query)]

    def indicator(self, query: str, *, list_all: bool = False) -> IndicatorInfo:
        """An indicator by id; a different case is accepted (`GDP` is `gdp`)."""
        return self.indicators[lookup("indicator", query, list(self.indicators), list_all=list_all)]

    def batch_cities(self, number: int) -> list[City]:
        return [city for city in self.dataset.cities if city.batch == number]


def _city_names(cities: Iterable[City]) -> Iterable[tuple[str, str]]:
    for city in cities:
        for name in (city.id, city.name, city.name_zh, *city.aliases):
            yield city.id, name


def _indicator_infos(dataset: Dataset) -> dict[str, IndicatorInfo]:
    infos = {ind.id: IndicatorInfo(ind.id, ind.name, ind.unit, ind.kind, ind.description) for ind in dataset.indicators}
    ordered: dict[str, IndicatorInfo] = {}
    for key, info in infos.items():
        ordered[key] = info
        for derived in DERIVED.values():
            # Place a derived indicator right after the last of its inputs.
            inputs_seen = all(name in ordered for name in derived.derived_from)
            if key in derived.derived_from and inputs_seen and derived.id not in ordered:
                ordered[derived.id] = derived
    return ordered


# --- Loading --------------------------------------------------------------------

_loaded: dict[Path, Catalog] = {}


def load(path: Path | str | None = None) -> Catalog:
    """Load and validate a dataset file (the shipped one by default), once per process."""
    file = Path(path) if path is not None else shipped_dataset_path()
    try:
        key = file.resolve() if file.exists() else file
    except OSError:  # e.g. a name too long for the file system: read_bytes says so
        key = file
    if key not in _loaded:
        _loaded[key] = Catalog(read_dataset(file), str(path) if path is not None else "cities.toml (shipped)")
    return _loaded[key]


def read_dataset(file: Path) -> Dataset:
    """Read and validate a dataset file; raises DataError listing every problem."""
    shown = str(file)
    data = read_bytes(file)
    cached = cache.get(data)
    if cached is not None:
        return cached
    text = decode(data, shown)
    raw = parse_toml(text, shown)
    dataset, problems = validate(raw, text, shown)
    if dataset is None or problems:
        raise DataError(problems)
    cache.put(data, dataset)
    return dataset


def validate(raw: dict[str, Any], text: str, path: str) -> tuple[Dataset | None, list[Problem]]:
    """Validate parsed data: the models first, then the whole-file checks."""
    from pydantic import ValidationError

    from pilotcli import models

    try:
        # The commands work on records; built from the cache's plain form, a fresh
        # dataset is exactly what a cached one will be.
        dataset = from_plain(to_plain(models.Dataset.model_validate(raw)))
    except ValidationError as error:
        locator = Locator.for_text(path, raw, text)
        problems = list(validation_problems(error, locator))
        return None, problems + _checks_of_the_valid_part(raw, locator, {p.city for p in problems})
    found = check_dataset(dataset)
    if not found:
        return dataset, []
    # Only a file with problems pays for finding their lines.
    locator = Locator.for_text(path, raw, text)
    return dataset, [locator.problem(loc, message) for loc, message in found]


def _checks_of_the_valid_part(raw: dict[str, Any], locator: Locator, reported: set[str | None]) -> list[Problem]:
    """Whole-file checks over the records that passed the models, so that one bad
    value does not hide the other problems. Locations point into the original lists."""
    from pydantic import ValidationError

    from pilotcli import models

    try:
        info = models.DatasetInfo.model_validate(raw.get("dataset"))
        program = models.Program.model_validate(raw.get("program"))
    except ValidationError:
        return []  # without the header and batches the cross checks mean little
    kept: dict[str, list[Any]] = {}
    positions: dict[str, list[int]] = {}
    sections: dict[str, type[models.Record]] = {
        "sources": models.Source,
        "regions": models.Region,
        "indicators": models.Indicator,
        "sectors": models.Sector,
        "cities": models.City,
    }
    for section, model in sections.items():
        items = raw.get(section)
        kept[section], positions[section] = [], []
        for index, item in enumerate(items if isinstance(items, list) else []):
            try:
                kept[section].append(model.model_validate(item))
                positions[section].append(index)
            except ValidationError:
                continue
    partial = models.Dataset.model_construct(
        dataset=info,
        program=program,
        sources=tuple(kept["sources"]),
        regions=tuple(kept["regions"]),
        indicators=tuple(kept["indicators"]),
        sectors=tuple(kept["sectors"]),
        cities=tuple(kept["cities"]),
    )
    problems = []
    for loc, message in check_dataset(from_plain(to_plain(partial))):
        if loc == ("cities",) and raw.get("cities"):
            continue  # the cities exist; they failed the models
        if len(loc) > 1 and loc[0] in positions and isinstance(loc[1], int):
            loc = (loc[0], positions[loc[0]][loc[1]], *loc[2:])
        problem = locator.problem(loc, message)
        if problem.city is None or problem.city not in reported:
            problems.append(problem)
    return problems


MAX_FIGURE = 1e12
"""No figure in this dataset comes near it (GDP is in billion CNY); larger is a typo."""


def check_dataset(dataset: Dataset) -> list[tuple[Loc, str]]:
    """Whole-file checks: unique ids, cross references, names, units and ranges."""
    problems: list[tuple[Loc, str]] = []
    add = problems.append

    def unique(kind: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for index, record_id in enumerate(ids):
            if record_id in seen:
                add(((kind, index, "id"), f"duplicate id '{record_id}'"))
            seen.add(record_id)

    unique("sources", [s.id for s in dataset.sources])
    unique("regions", [r.id for r in dataset.regions])
    unique("indicators", [i.id for i in dataset.indicators])
    unique("sectors", [s.id for s in dataset.sectors])
    unique("cities", [c.id for c in dataset.cities])
    for index, indicator in enumerate(dataset.indicators):
        if indicator.id in DERIVED:
            add((("indicators", index, "id"), f"'{indicator.id}' is derived by pilot and cannot be stored"))
        # A derived figure is plain arithmetic on its inputs' values: other units would make it wrong.
        for derived in DERIVED.values():
            for name, expected in zip(derived.derived_from, derived.derived_units, strict=True):
                if indicator.id == name and indicator.unit != expected:
                    add(
                        (
                            ("indicators", index, "unit"),
                            f"unit '{indicator.unit}' of '{name}': {derived.name} is computed from it in '{expected}'",
                        )
                    )
    if not dataset.cities:
        add((("cities",), "the dataset has no cities"))

    sources = {s.id for s in dataset.sources}
    indicators = {i.id: i for i in dataset.indicators}
    known_indicators = set(indicators) | set(DERIVED)
    sectors = {s.id for s in dataset.sectors}
    regions = {r.id: r for r in dataset.regions}
    batches: dict[int, Batch] = {}
    as_of_year = dataset.dataset.as_of.year

    def source(loc: Loc, source_id: str) -> None:
        if source_id not in sources:
            add((loc, f"unknown source '{source_id}'{did_you_mean(source_id, sources)}"))

    for index, batch in enumerate(dataset.program.batches):
        if batch.number in batches:
            add((("program", "batches", index, "number"), f"duplicate batch number {batch.number}"))
        batches[batch.number] = batch
        source(("program", "batches", index, "source"), batch.source)
    for index, milestone in enumerate(dataset.program.milestones):
        source(("program", "milestones", index, "source"), milestone.source)
    for index, program_figure in enumerate(dataset.program.figures):
        ploc: Loc = ("program", "figures", index)
        source((*ploc, "source"), program_figure.source)
        problems += _figure_problems(ploc, program_figure, None, as_of_year)
    for index, region in enumerate(dataset.regions):
        source(("regions", index, "source"), region.source)
    for index, sector in enumerate(dataset.sectors):
        for name in (*sector.indicators, *sector.weights):
            if name not in known_indicators:
                loc: Loc = ("sectors", index, "weights" if name in sector.weights else "indicators")
                add((loc, f"unknown indicator '{name}'{did_you_mean(name, known_indicators)}"))

    for index, city in enumerate(dataset.cities):
        at: Loc = ("cities", index)
        city_region = regions.get(city.region)
        if city_region is None:
            add(((*at, "region"), f"unknown region '{city.region}'{did_you_mean(city.region, set(regions))}"))
        elif city.province not in city_region.provinces:
            add(((*at, "province"), f"province '{city.province}' is not in region '{city_region.id}'"))
        city_batch = batches.get(city.batch)
        if city_batch is None:
            add(((*at, "batch"), f"unknown batch {city.batch} (batches: {', '.join(map(str, sorted(batches)))})"))
        elif city.joined < city_batch.date:
            add(((*at, "joined"), f"joined {city.joined} is before its batch's date {city_batch.date}"))
        if city.joined.year > as_of_year:
            add(((*at, "joined"), f"joined {city.joined} is after the dataset's as_of date"))
        source((*at, "coordinates_source"), city.coordinates_source)
        source((*at, "focus_source"), city.focus_source)
        if city.ftz is not None:
            source((*at, "ftz", "source"), city.ftz.source)
            if city.ftz.since > as_of_year:
                add(((*at, "ftz", "since"), f"year {city.ftz.since} is after the dataset's as_of date"))
        seen_sectors: set[str] = set()
        for position, growth in enumerate(city.sectors):
            if growth.sector not in sectors:
                add(
                    (
                        (*at, "sectors", position, "sector"),
                        f"unknown sector '{growth.sector}'{did_you_mean(growth.sector, sectors)}",
                    )
                )
            elif growth.sector in seen_sectors:
                add(((*at, "sectors", position, "sector"), f"sector '{growth.sector}' is listed twice"))
            seen_sectors.add(growth.sector)
            source((*at, "sectors", position, "source"), growth.source)
        for key, figure in city.figures.items():
            floc: Loc = (*at, "figures", key)
            spec = indicators.get(key)
            if spec is None:
                hint = " (derived by pilot; do not store it)" if key in DERIVED else did_you_mean(key, set(indicators))
                add((floc, f"unknown indicator '{key}'{hint}"))
                continue
            source((*floc, "source"), figure.source)
            if figure.unit != spec.unit:
                add(((*floc, "unit"), f"unit '{figure.unit}' does not match the indicator's unit '{spec.unit}'"))
            problems += _figure_problems(floc, figure, spec, as_of_year)

    # Ids, names and aliases must point at one city each, so that lookups are unambiguous.
    # Every id is registered first: a name that is another city's id, wherever the two
    # cities are in the file, would make `pilot show ID` find the wrong city.
    id_owner: dict[str, str] = {}
    for index, city in enumerate(dataset.cities):
        key = normalise(city.id)
        other = id_owner.setdefault(key, city.id)
        if other != city.id:  # an exact duplicate is reported above
            add((("cities", index, "id"), f"id '{city.id}' is also used by city '{other}'"))
    owner = dict(id_owner)
    for index, city in enumerate(dataset.cities):
        for field, names in (("name", [city.name]), ("name_zh", [city.name_zh]), ("aliases", list(city.aliases))):
            for name in names:
                key = normalise(name)
                other = owner.setdefault(key, city.id)
                if other == city.id:
                    continue
                if id_owner.get(key) == other:
                    add((("cities", index, field), f"name '{name}' is the id of city '{other}'"))
                else:
                    add((("cities", index, field), f"name '{name}' is also used by city '{other}'"))
    sector_owner: dict[str, str] = {}
    for index, sector in enumerate(dataset.sectors):
        for name in (sector.id, sector.name, sector.name_zh, *sector.aliases):
            key = normalise(name)
            other = sector_owner.setdefault(key, sector.id)
            if other != sector.id:
                add((("sectors", index, "aliases"), f"name '{name}' is also used by sector '{other}'"))
    return problems


def _figure_problems(loc: Loc, figure: Figure, spec: Indicator | None, as_of_year: int) -> list[tuple[Loc, str]]:
    """Checks of one figure's year and value; `spec` is its indicator (None for programme figures,
    which are plain quantities, with percentages between 0 and 100)."""
    problems: list[tuple[Loc, str]] = []
    if figure.year > as_of_year + 1:
        problems.append(((*loc, "year"), f"year {figure.year} is after the dataset's as_of date"))
    value = figure.value
    kind = spec.kind if spec is not None else ("flag" if isinstance(value, bool) else "quantity")
    if figure.listed is not None and kind != "rank":
        problems.append(((*loc, "listed"), "'listed' is for rank indicators only"))
    if figure.listed is False and value is not None:
        problems.append(((*loc, "listed"), "a figure with a rank cannot be 'listed = false'"))
    if value is None:
        if figure.note is None:
            problems.append(((*loc, "note"), "a figure without a value needs a note saying why"))
        return problems
    if kind == "flag":
        if not isinstance(value, bool):
            problems.append(((*loc, "value"), f"expected true or false for a yes/no indicator (got {value!r})"))
        return problems
    if isinstance(value, bool) or (kind in ("rank", "count") and not isinstance(value, int)):
        expected = "a whole number" if kind in ("rank", "count") else "a number"
        return [*problems, ((*loc, "value"), f"expected {expected} (got {value!r})")]
    if abs(value) > MAX_FIGURE:
        return [*problems, ((*loc, "value"), f"not a plausible value (more than {MAX_FIGURE:g})")]
    percent = figure.unit == "%"
    minimum = spec.minimum if spec is not None else (0.0 if percent else None)
    maximum = spec.maximum if spec is not None else (100.0 if percent else None)
    if minimum is not None and value < minimum:
        problems.append(((*loc, "value"), f"{value} is below the minimum {minimum:g} ({figure.unit})"))
    if maximum is not None and value > maximum:
        problems.append(((*loc, "value"), f"{value} is above the maximum {maximum:g} ({figure.unit})"))
    if value == 0 and kind == "quantity":
        problems.append(((*loc, "value"), "0 is not a plausible value; leave the figure out if it is unknown"))
    return problems


def validate_file(file: Path) -> list[Problem]:
    """Every problem found in a dataset file (an empty list when it is valid)."""
    shown = str(file)
    try:
        text = read_text(file)
        raw = parse_toml(text, shown)
    except DataError as error:
        return error.problems
    _, problems = validate(raw, text, shown)
    return problems
