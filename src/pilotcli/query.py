"""Pure queries on a Catalog: figures, city records, filters, sorting, comparison.

Nothing here prints; the renderers turn these results into output.
"""

from __future__ import annotations

import math
import re
from collections.abc import Container, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from pilotcli.dataset import Catalog, IndicatorInfo
from pilotcli.errors import NotFoundError, UsageError
from pilotcli.names import lookup, suggestions
from pilotcli.records import City, Figure, FigureYear, Record, as_data

if TYPE_CHECKING:
    from pilotcli.where import FieldKind, Where

CONFIDENCE_ORDER = {"high": 0, "medium": 1, "low": 2}


class Value:
    """A figure as the commands see it: stored in the dataset or derived by pilot.

    A plain class with slots, not a NamedTuple: building a NamedTuple class costs about
    1 M instructions at import, on every call."""

    __slots__ = (
        "also",
        "confidence",
        "edition",
        "estimate",
        "history",
        "listed",
        "note",
        "source",
        "unit",
        "value",
        "year",
    )

    def __init__(
        self,
        value: bool | int | float | None,
        unit: str,
        year: int | None,
        source: str | None,
        estimate: bool,
        confidence: str | None,
        edition: str | None = None,
        note: str | None = None,
        listed: bool | None = None,
        also: tuple[str, ...] = (),
        history: tuple[FigureYear, ...] = (),
    ) -> None:
        self.value = value
        self.unit = unit
        self.year = year
        self.source = source
        self.estimate = estimate
        self.confidence = confidence
        self.edition = edition
        self.note = note
        self.listed = listed
        """Ranks: False when the area is known not to be in the ranking."""
        self.also = also
        self.history = history
        """The same figure's earlier years, latest first."""

    def as_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "listed": self.listed,
            "unit": self.unit,
            "year": self.year,
            "edition": self.edition,
            "source": self.source,
            "also": list(self.also),
            "estimate": self.estimate,
            "confidence": self.confidence,
            "note": self.note,
            "history": [year_json(entry) for entry in self.history],
        }

    @property
    def unranked(self) -> bool:
        """Known not to be in the ranking: worse than every ranked area."""
        return self.value is None and self.listed is False

    @property
    def number(self) -> float | None:
        """The value as a number for sorting and scoring (yes/no as 1/0), None if missing."""
        if self.value is None:
            return None
        return float(self.value)


def year_json(entry: FigureYear) -> dict[str, Any]:
    """One earlier year of a figure: the figure's keys without the unit."""
    return {
        "value": entry.value,
        "listed": entry.listed,
        "year": entry.year,
        "edition": entry.edition,
        "source": entry.source,
        "also": list(entry.also),
        "estimate": entry.estimate,
        "confidence": entry.confidence,
        "note": entry.note,
    }


def figure(catalog: Catalog, city: City, key: str) -> Value | None:
    """The city's figure for an indicator (stored or derived), None if the dataset has none.

    Its latest year, or with `catalog.year` set the value of that year for the yearly
    indicators (quantities); ranks, counts and flags are not yearly series and keep
    their own edition."""
    info = catalog.indicators.get(key)
    if info is not None and info.derived_from:
        return _derived(info, city, catalog.year)
    # A yes/no indicator derived from measures (validation makes sure only flags are created,
    # so a table of quantities never builds the measures).
    if (info is None or info.kind == "flag") and key in catalog.creators:
        return _stored(catalog.created_figure(key, city.id), None)
    yearly = info is not None and info.kind == "quantity"
    return _stored(city.figures.get(key), catalog.year if yearly else None)


def _stored(stored: Figure | None, year: int | None) -> Value | None:
    """A stored figure at its latest year, or at `year` (None if it has no entry for that year)."""
    if stored is None:
        return None
    entries: tuple[FigureYear, ...] = (stored, *stored.history)
    if year is not None:
        entries = tuple(entry for entry in entries if entry.year <= year)
        if not entries or entries[0].year != year:
            return None
    entry = entries[0]
    return Value(
        value=entry.value,
        unit=stored.unit,
        year=entry.year,
        source=entry.source,
        estimate=entry.estimate,
        confidence=entry.confidence,
        edition=entry.edition,
        note=entry.note,
        listed=entry.listed,
        also=entry.also,
        history=entries[1:],
    )


def _derived(info: IndicatorInfo, city: City, year: int | None) -> Value | None:
    """A derived figure from its inputs of one year: `year`, or the latest year they all have."""
    if year is None:
        common: set[int] | None = None
        for name in info.derived_from:
            stored = city.figures.get(name)
            years = {e.year for e in (stored, *stored.history) if e.value is not None} if stored else set()
            common = years if common is None else common & years
        if not common:
            return None
        year = max(common)
    numerator, denominator = (_stored(city.figures.get(name), year) for name in info.derived_from)
    if numerator is None or denominator is None:
        return None
    if numerator.number is None or not denominator.number:
        return None
    # billion CNY / million persons = thousand CNY per person
    ratio = round(numerator.number / denominator.number, 2)
    if not math.isfinite(ratio):
        return None
    worst = max((v.confidence for v in (numerator, denominator) if v.confidence), key=CONFIDENCE_ORDER.__getitem__)
    return Value(
        value=ratio,
        unit=info.unit,
        year=year,
        source=None,
        estimate=numerator.estimate or denominator.estimate,
        confidence=worst,
        note=f"computed by pilot: {' / '.join(info.derived_from)} of {year}",
    )


def yearly_values(catalog: Catalog, city: City, key: str) -> dict[int, Value]:
    """Every year of a yearly (quantity) figure that has a value, latest first; {} for other
    kinds. With `catalog.year` set, that year and the earlier ones."""
    info = catalog.indicators.get(key)
    if info is None or info.kind != "quantity":
        return {}
    if info.derived_from:
        # A derived figure has a value in each year all its inputs have one.
        inputs = [_value_years(city.figures.get(name)) for name in info.derived_from]
        found = {year: _derived(info, city, year) for year in set.intersection(*inputs)}
    else:
        stored = city.figures.get(key)
        found = {year: _stored(stored, year) for year in _value_years(stored)}
    return {
        year: value
        for year, value in sorted(found.items(), reverse=True)
        if value is not None and (catalog.year is None or year <= catalog.year)
    }


def _value_years(stored: Figure | None) -> set[int]:
    return {entry.year for entry in (stored, *stored.history) if entry.value is not None} if stored else set()


# --- City records: the JSON contract ----------------------------------------------

PROFILE_FIELDS = (
    "id",
    "name",
    "name_zh",
    "aliases",
    "province",
    "region",
    "level",
    "provincial_capital",
    "separately_planned",
    "coastal",
    "lat",
    "lon",
    "batch",
    "batch_year",
    "joined",
    "ftz",
    "ftz_since",
    "focus",
    "sectors",
)
"""City fields besides the indicators. Their names are the JSON keys."""


def field_names(catalog: Catalog) -> list[str]:
    """Every field a city record has, in output order: profile fields, then indicators."""
    return [*PROFILE_FIELDS, *catalog.indicators]


_PROFILE_KINDS: dict[str, FieldKind] = {
    "aliases": "list",
    "sectors": "list",
    "provincial_capital": "flag",
    "separately_planned": "flag",
    "coastal": "flag",
    "lat": "number",
    "lon": "number",
    "batch": "number",
    "batch_year": "number",
    "ftz_since": "number",
    "joined": "date",
}


def field_kinds(catalog: Catalog) -> dict[str, FieldKind]:
    """What `--where` can test, by field: yes/no indicators are flags, the others numbers."""
    kinds: dict[str, FieldKind] = {name: _PROFILE_KINDS.get(name, "text") for name in PROFILE_FIELDS}
    for key, info in catalog.indicators.items():
        kinds[key] = "flag" if info.kind == "flag" else "number"
    return kinds


def resolve_field(catalog: Catalog, name: str) -> str:
    """A field name as typed by the user, checked; NotFoundError with the closest names."""
    return lookup("field", name, field_names(catalog), list_all=True)


def city_record(catalog: Catalog, city: City) -> dict[str, Any]:
    """The city as a JSON object (documented in the README: the JSON contract)."""
    batch_year = _batch_year(catalog, city.batch)
    record: dict[str, Any] = {
        "id": city.id,
        "name": city.name,
        "name_zh": city.name_zh,
        "aliases": list(city.aliases),
        "province": city.province,
        "region": city.region,
        "level": city.level,
        "provincial_capital": city.provincial_capital,
        "separately_planned": city.separately_planned,
        "coastal": city.coastal,
        "lat": city.lat,
        "lon": city.lon,
        "batch": city.batch,
        "batch_year": batch_year,
        "joined": city.joined.isoformat(),
        "ftz": city.ftz.name if city.ftz else None,
        "ftz_since": city.ftz.since if city.ftz else None,
        "focus": city.focus,
        "sectors": [growth.sector for growth in city.sectors],
    }
    for key in catalog.indicators:
        value = figure(catalog, city, key)
        record[key] = value.as_json() if value is not None else None
    return record


def city_profile(catalog: Catalog, city: City) -> dict[str, Any]:
    """The full profile for `pilot show`: the record plus evidence, notes and sources."""
    record = city_record(catalog, city)
    region = catalog.regions.get(city.region)
    used: list[str] = [city.coordinates_source, city.focus_source]
    if city.ftz:
        used.append(city.ftz.source)
    used += [growth.source for growth in city.sectors]
    used += [s for f in city.figures.values() for entry in (f, *f.history) for s in (entry.source, *entry.also)]
    derived = (found for key in catalog.creators if (found := catalog.created_figure(key, city.id)))
    used += [s for found in derived for s in (found.source, *found.also)]
    # The texts cite further sources in parentheses: "(d44)", "(d37, d47)", "(f10)".
    used += cited_sources(catalog, city_texts(city))
    profile: dict[str, Any] = {
        **record,
        "region_name": region.name if region else None,
        "coastal_note": city.coastal_note,
        "focus_source": city.focus_source,
        "focus_confidence": city.focus_confidence,
        "ftz_detail": as_data(city.ftz),
        "sector_evidence": as_data(city.sectors),
        "sources": [
            as_data(catalog.sources[source_id]) for source_id in dict.fromkeys(used) if source_id in catalog.sources
        ],
    }
    return profile


def city_texts(city: City) -> Iterable[str]:
    """The city's free texts that may cite sources, in the order `pilot show` gives them."""
    yield city.focus
    if city.coastal_note:
        yield city.coastal_note
    if city.ftz is not None and city.ftz.note:
        yield city.ftz.note
    for growth in city.sectors:
        yield growth.evidence
    for stored in city.figures.values():
        for entry in (stored, *stored.history):
            if entry.note:
                yield entry.note


def cited_sources(catalog: Catalog, texts: Iterable[str]) -> list[str]:
    """Known source ids mentioned as whole words in the texts, once each, in first-mention order."""
    if not catalog.sources:
        return []
    # Ids are lowercase letters, digits and hyphens, so a whole word is one not touching another
    # of those characters: each run of them cites at most one id, the longest that starts it.
    # (One alternation of every id would do the same, at 30 M instructions to compile per call.)
    found: dict[str, None] = {}
    for text in texts:
        for word in re.findall(r"[A-Za-z0-9-]+", text):
            cited = _longest_id(word, catalog.sources)
            if cited is not None:
                found.setdefault(cited)
    return list(found)


def _longest_id(word: str, known: Container[str]) -> str | None:
    """The longest known id that `word` starts with and that ends where a whole word may:
    at the end of `word`, or at a hyphen that no letter or digit follows ("d44-", "d44--x")."""
    if word in known:
        return word
    for end in range(len(word) - 1, 0, -1):
        if word[end] == "-" and (end + 1 == len(word) or word[end + 1] == "-") and word[:end] in known:
            return word[:end]
    return None


def _batch_year(catalog: Catalog, number: int) -> int | None:
    for batch in catalog.dataset.program.batches:
        if batch.number == number:
            return batch.date.year
    return None


# --- Filtering and sorting -----------------------------------------------------------


class CityFilter(Record):
    """Conditions that combine with AND; `sectors` match any of them unless `all_sectors`.
    (A plain class with slots, not a NamedTuple, like `Value`; equal by value, as the records are,
    and hashable, as the NamedTuple it was: docs/library.md uses it as a value.)"""

    __slots__ = (
        "all_sectors",
        "applying",
        "batches",
        "coastal",
        "ftz",
        "measures",
        "provinces",
        "regions",
        "sectors",
        "where",
    )
    FIELDS: ClassVar[tuple[str, ...]] = (
        "sectors",
        "all_sectors",
        "regions",
        "coastal",
        "batches",
        "provinces",
        "ftz",
        "where",
        "measures",
        "applying",
    )

    def __init__(
        self,
        sectors: tuple[str, ...] = (),
        all_sectors: bool = False,
        regions: tuple[str, ...] = (),
        coastal: bool | None = None,
        batches: tuple[int, ...] = (),
        provinces: tuple[str, ...] = (),
        ftz: bool | None = None,
        where: Where | None = None,
        measures: tuple[str, ...] = (),
        applying: frozenset[str] | None = None,
    ) -> None:
        self.sectors = sectors
        self.all_sectors = all_sectors
        self.regions = regions
        self.coastal = coastal
        self.batches = batches
        self.provinces = provinces
        self.ftz = ftz
        self.where = where
        """Conditions on the city's values (`--where`), tested on its JSON record by `select`; None
        without --where (pilotcli.where is imported only for a call that gives one)."""
        self.measures = measures
        """Measure ids (`--measure`): the city must be in the scope of every one."""
        self.applying = applying
        """The ids of the cities where all of `measures` apply (None: no --measure)."""

    def __hash__(self) -> int:  # type: ignore[override]  # Record leaves records unhashable
        return hash(tuple(getattr(self, name) for name in self.FIELDS))

    def matches(self, city: City) -> bool:
        """The conditions on the city's profile (all but `where`, which needs the catalog)."""
        if self.sectors:
            have = {growth.sector for growth in city.sectors}
            wanted = set(self.sectors)
            if self.all_sectors and not wanted <= have:
                return False
            if not self.all_sectors and not wanted & have:
                return False
        if self.regions and city.region not in self.regions:
            return False
        if self.coastal is not None and city.coastal != self.coastal:
            return False
        if self.batches and city.batch not in self.batches:
            return False
        if self.provinces and city.province.casefold() not in {p.casefold() for p in self.provinces}:
            return False
        if self.applying is not None and city.id not in self.applying:
            return False
        return self.ftz is None or (city.ftz is not None) == self.ftz


def batch_number(catalog: Catalog, year_or_number: int) -> int:
    """A batch given by its year (2015, 2021, 2022, 2025) or its number (1-4)."""
    for batch in catalog.dataset.program.batches:
        if year_or_number in (batch.number, batch.date.year):
            return batch.number
    known = ", ".join(f"{b.date.year} (batch {b.number})" for b in catalog.dataset.program.batches)
    raise UsageError(f"no batch {year_or_number}", hint=f"batches: {known}")


PROVINCES_ZH = {
    "北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi", "内蒙古": "Inner Mongolia",
    "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang", "上海": "Shanghai", "江苏": "Jiangsu",
    "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian", "江西": "Jiangxi", "山东": "Shandong",
    "河南": "Henan", "湖北": "Hubei", "湖南": "Hunan", "广东": "Guangdong", "广西": "Guangxi",
    "海南": "Hainan", "重庆": "Chongqing", "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan",
    "西藏": "Tibet", "陕西": "Shaanxi", "甘肃": "Gansu", "青海": "Qinghai", "宁夏": "Ningxia", "新疆": "Xinjiang",
}  # fmt: skip
"""Chinese names of the provincial-level divisions (also accepted with 省, 市 or 自治区)."""


def province(catalog: Catalog, name: str) -> str:
    """A province typed in English (any case) or Chinese (广东, 广东省) -> its English name."""
    bare = name.strip()
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if bare.endswith(suffix) and bare[: -len(suffix)] in PROVINCES_ZH:
            bare = bare[: -len(suffix)]
    name = PROVINCES_ZH.get(bare, name)
    provinces = sorted({city.province for city in catalog.dataset.cities})
    for known in provinces:
        if known.casefold() == name.casefold():
            return known
    all_provinces = sorted({p for region in catalog.dataset.regions for p in region.provinces})
    for known in all_provinces:
        if known.casefold() == name.casefold():
            return known  # a real province with no pilot city: an empty result, not an error
    raise NotFoundError("province", name, suggestions=suggestions(name, all_provinces))


def select(catalog: Catalog, city_filter: CityFilter) -> list[City]:
    cities = [city for city in catalog.dataset.cities if city_filter.matches(city)]
    where = city_filter.where
    if where:
        cities = [city for city in cities if where.matches(city_record(catalog, city))]
    return cities


def sort_key_value(catalog: Catalog, city: City, key: str) -> Any:
    """The sortable value of a field: numbers, text, dates; None when missing."""
    if key in catalog.indicators:
        value = figure(catalog, city, key)
        return value.number if value is not None else None
    if key == "ftz":
        return city.ftz.name if city.ftz else None
    if key == "ftz_since":
        return city.ftz.since if city.ftz else None
    if key == "batch_year":
        return _batch_year(catalog, city.batch)
    if key in ("sectors", "aliases"):
        return len(city.sectors) if key == "sectors" else len(city.aliases)
    raw = getattr(city, key)
    return raw.casefold() if isinstance(raw, str) else raw


def sort_cities(catalog: Catalog, cities: list[City], key: str, descending: bool = False) -> list[City]:
    """Sort by a field; missing values always last; ties broken by id."""
    present = [(sort_key_value(catalog, city, key), city) for city in cities]
    known = [(v, c) for v, c in present if v is not None]
    missing = [c for v, c in present if v is None]
    known.sort(key=lambda pair: pair[1].id)
    known.sort(key=lambda pair: pair[0], reverse=descending)
    return [c for _, c in known] + sorted(missing, key=lambda c: c.id)


def describe(catalog: Catalog, city_filter: CityFilter) -> list[str]:
    """The filter in words, for titles: ["coastal", "batch 4 (2025)", "where gdp>2000"]."""
    parts: list[str] = []
    if city_filter.sectors:
        joiner = " and " if city_filter.all_sectors else " or "
        parts.append("in " + joiner.join(city_filter.sectors))
    if city_filter.regions:
        parts.append(", ".join(catalog.regions[r].name if r in catalog.regions else r for r in city_filter.regions))
    if city_filter.coastal is not None:
        parts.append("coastal" if city_filter.coastal else "inland")
    if city_filter.batches:
        years = {b.number: b.date.year for b in catalog.dataset.program.batches}
        parts.append("batch " + ", ".join(f"{n} ({years[n]})" if n in years else str(n) for n in city_filter.batches))
    if city_filter.provinces:
        parts.append(", ".join(city_filter.provinces))
    if city_filter.ftz is not None:
        parts.append("with a free trade zone" if city_filter.ftz else "without a free trade zone")
    if city_filter.where is not None:
        parts += [f"where {expression}" for expression in city_filter.where.expressions]
    parts += [f"with measure {measure_id}" for measure_id in city_filter.measures]
    return parts


# --- From command-line words to a query ------------------------------------------------


def build_filter(
    catalog: Catalog,
    *,
    sectors: list[str] | None = None,
    all_sectors: bool = False,
    regions: list[str] | None = None,
    coastal: bool | None = None,
    batches: list[int] | None = None,
    provinces: list[str] | None = None,
    ftz: bool | None = None,
    where: list[str] | None = None,
    measures: list[str] | None = None,
) -> CityFilter:
    """Resolve the names a user typed (aliases, Chinese names, batch years, measure ids) into a filter."""
    chosen: tuple[str, ...] = ()
    applying: frozenset[str] | None = None
    if measures:  # pilotcli.measures is imported only for a call that names measures
        from pilotcli.measures import cities_of
        from pilotcli.measures import find as find_measure

        chosen = tuple(dict.fromkeys(find_measure(catalog, name).id for name in measures))
        applying = frozenset.intersection(*(frozenset(cities_of(catalog, catalog.measures[m])) for m in chosen))
    return CityFilter(
        sectors=tuple(catalog.sector(name).id for name in sectors or ()),
        all_sectors=all_sectors,
        regions=tuple(catalog.region(name).id for name in regions or ()),
        coastal=coastal,
        batches=tuple(batch_number(catalog, b) for b in batches or ()),
        provinces=tuple(province(catalog, name) for name in provinces or ()),
        ftz=ftz,
        where=_bind(where, catalog) if where else None,
        measures=chosen,
        applying=applying,
    )


def _bind(expressions: list[str], catalog: Catalog) -> Where:
    from pilotcli.where import bind

    return bind(expressions, field_kinds(catalog))


def list_cities(
    catalog: Catalog,
    city_filter: CityFilter,
    sort: str | None = None,
    descending: bool = False,
    limit: int | None = None,
) -> list[City]:
    """Filter, then sort (file order when no field is given), then keep the first `limit`."""
    cities = select(catalog, city_filter)
    if sort is not None:
        cities = sort_cities(catalog, cities, resolve_field(catalog, sort), descending)
    elif descending:
        cities.reverse()
    if limit is not None:
        if limit < 0:
            raise UsageError(f"--limit must be 0 or more (got {limit})")
        cities = cities[:limit]
    return cities
