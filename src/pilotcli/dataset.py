"""The loaded dataset: whole-file checks, indexes and name lookups.

`load(path)` is the one entry point: it reads, parses and validates a file once
per process and returns a `Catalog`, the dataset with its lookups.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pilotcli import cache
from pilotcli.errors import DataError, NotFoundError, Problem, UsageError
from pilotcli.loading import (
    decode,
    parse_toml,
    read_bytes,
    shipped_dataset_path,
)
from pilotcli.names import MAX_SUGGESTIONS, lookup, suggestions
from pilotcli.records import City, Dataset, Figure, Measure, Region, Sector, Source

if TYPE_CHECKING:
    from pilotcli.models import IndicatorKind


class IndicatorInfo:
    """An indicator as the commands see it: stored in the file, or derived by pilot.

    A plain class with slots, not a NamedTuple (whose class costs about 1 M instructions to
    build, on every call)."""

    __slots__ = ("derived_from", "derived_units", "description", "id", "kind", "name", "unit")

    def __init__(
        self,
        id: str,
        name: str,
        unit: str,
        kind: IndicatorKind,
        description: str,
        derived_from: tuple[str, ...] = (),
        derived_units: tuple[str, ...] = (),
    ) -> None:
        self.id = id
        self.name = name
        self.unit = unit
        self.kind = kind
        self.description = description
        self.derived_from = derived_from
        self.derived_units = derived_units
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


# A string: `re` compiles it (1.3 M instructions) on the first name looked up, not at import.
_IGNORED_IN_NAMES = r"[\s'’‘`ʼ\-_.·,()]+"


def normalise(text: str) -> str:
    """Fold case, accents, apostrophes, spaces and hyphens: "Xi'an", "XI AN" -> "xian"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(_IGNORED_IN_NAMES, "", plain.casefold())


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
        self.indicators: dict[str, IndicatorInfo] = _indicator_infos(dataset)
        self.year: int | None = None
        """With a year, the yearly figures (quantities) are that year's values: see `at_year`."""

    # Built on first use, like the dataset's sections they index: a table of cities uses neither.
    @cached_property
    def sources(self) -> dict[str, Source]:
        return {source.id: source for source in self.dataset.sources}

    @cached_property
    def measures(self) -> dict[str, Measure]:
        return {measure.id: measure for measure in self.dataset.measures}

    def years(self) -> list[int]:
        """The years that have a value of a yearly (quantity) figure in some city, latest first."""
        quantities = {info.id for info in self.indicators.values() if info.kind == "quantity"}
        found = {
            entry.year
            for city in self.dataset.cities
            for key, stored in city.figures.items()
            if key in quantities
            for entry in (stored, *stored.history)
            if entry.value is not None
        }
        return sorted(found, reverse=True)

    def at_year(self, year: int | None) -> Catalog:
        """This catalog with the yearly figures of `year` (None: each figure's latest year)."""
        if year is None:
            return self
        years = self.years()
        if year not in years:
            raise UsageError(f"no figures for {year}", hint=f"years with figures: {', '.join(map(str, years))}")
        chosen = copy.copy(self)
        chosen.year = year
        return chosen

    @cached_property
    def creators(self) -> dict[str, list[Measure]]:
        """The yes/no indicators derived from measures: indicator id -> the measures that create it."""
        from pilotcli.measures import creators

        return creators(self.dataset)

    def created_figure(self, key: str, city_id: str) -> Figure | None:
        """A city's figure for an indicator that measures create (see `pilotcli.measures`)."""
        from pilotcli.measures import created_figure

        info = self.indicators.get(key)
        return created_figure(self.creators[key], city_id, info.unit if info else "yes/no")

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
    except (OSError, ValueError):  # a name too long, or with a NUL character: read_bytes says so
        key = file
    if key not in _loaded:
        _loaded[key] = Catalog(read_dataset(file), str(path) if path is not None else "cities.toml (shipped)")
    return _loaded[key]


def read_dataset(file: Path) -> Dataset:
    """Read and validate a dataset file; raises DataError listing every problem."""
    data = read_bytes(file)
    # On a cache hit the file's bytes are not kept: a section that turns out unreadable is
    # taken from the file validated anew (read again, since it is rarely needed).
    seen = cache.digest(data)  # the entry's key, and what a rebuild checks the file against
    cached = cache.get(seen, rebuild=lambda: _validated_again(file, seen))
    return cached if cached is not None else _validated(data, seen, str(file))


def _validated_again(file: Path, seen: bytes) -> Dataset:
    """The file validated anew, provided it still holds what was first read: the dataset of one
    call never mixes two versions of the file."""
    data = read_bytes(file)
    if cache.digest(data) != seen:
        raise DataError([Problem(str(file), "the file changed while pilot read it; run the command again")])
    return _validated(data, seen, str(file))


def _validated(data: bytes, data_digest: bytes, shown: str) -> Dataset:
    from pilotcli.validation import validate

    text = decode(data, shown)
    raw = parse_toml(text, shown)
    dataset, problems = validate(raw, text, shown)
    if dataset is None or problems:
        raise DataError(problems)
    cache.put(data_digest, dataset)
    return dataset
