"""Typed models of the dataset file (`data/cities.toml`).

The models check the shape of each record (types, ranges, patterns). Checks that
need the whole file (cross references, unique ids, unambiguous names) live in
`pilotcli.checks`, so that `pilot validate` can list every
problem at once instead of stopping at the first.
"""

# No `from __future__ import annotations`: pydantic would have to evaluate every field's
# annotation from a string when the classes are created, which costs start-up time.

import datetime as dt
import types
from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

# Validators are built lazily (defer_build): only a file that is not in the cache is
# validated. The commands work on `pilotcli.records`, generated from these classes.
_CONFIG = ConfigDict(strict=True, frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
"""City, region, sector and source ids: lowercase ASCII letters, digits, hyphens."""

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""Indicator ids: they double as JSON keys and CLI field names."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Year = Annotated[int, Field(ge=1949, le=2100)]
Confidence = Literal["high", "medium", "low"]

T = TypeVar("T")
Items = Annotated[tuple[T, ...], Strict(False)]
"""A list in the file (TOML arrays are lists; strict mode alone would demand tuples)."""
PartialDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
"""A date as precise as the source gives it: `2025`, `2025-03` or `2025-03-20`."""


class Record(BaseModel):
    model_config = _CONFIG


class DatasetInfo(Record):
    schema_version: Literal[1]
    title: Text
    as_of: dt.date
    licence: Text
    description: Text | None = None


SourceKind = Literal[
    "official-statistics",
    "government",
    "regulator",
    "index-publisher",
    "news",
    "law-or-consultancy",
    "secondary",
    "mirror",
]
"""What the ORIGINAL publisher is (docs/data.md); `mirror` only when no original can be named."""

Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class Source(Record):
    id: Slug
    kind: SourceKind
    publisher: Text
    title: Text
    date: PartialDate | None = None
    url: Url | None = None
    """The original publication's address; left out when it is not known (then `via` says what was read)."""
    via: Text | None = None
    """The copy that was actually read (a repost, a mirror, a code file), when the original was not."""
    note: Text | None = None


class FigureYear(Record):
    """One sourced value for one year: a quantity, a rank, a count or a yes/no flag.

    `value` is None when the source was checked and gives no usable value (for
    example "listed, rank not published"); `note` then says why.
    """

    value: bool | int | float | None = None
    listed: bool | None = None
    """Ranks only: false when the ranking was checked and the area is not in it (a known
    "not ranked", which scores as the worst rank); true when listed but the rank is unknown."""
    year: Year
    edition: Text | None = None
    source: Slug
    also: Items[Slug] = ()
    """Further independent sources that give the same value (they can lift the confidence)."""
    estimate: bool = False
    confidence: Confidence
    note: Text | None = None


class Figure(FigureYear):
    """A figure for its latest year, with the same figure's earlier years in `history`."""

    unit: Text
    history: Items[FigureYear] = ()
    """Earlier years, latest first; same unit."""


class ProgramFigure(Figure):
    id: Key
    label: Text


class Batch(Record):
    number: Annotated[int, Field(ge=1, le=99)]
    date: dt.date
    date_kind: Literal["signed", "published"]
    title: Text
    document: Text | None = None
    source: Slug
    note: Text | None = None


class Milestone(Record):
    date: dt.date
    title: Text
    document: Text | None = None
    source: Slug


class Program(Record):
    name: Text
    name_zh: Text
    launched: Year
    description: Text
    batches: Items[Batch]
    milestones: Items[Milestone] = ()
    figures: Items[ProgramFigure] = ()


class Region(Record):
    id: Slug
    name: Text
    name_zh: Text
    description: Text
    provinces: Items[Text]
    source: Slug


IndicatorKind = Literal["quantity", "count", "rank", "flag"]


class Indicator(Record):
    id: Key
    name: Text
    unit: Text
    kind: IndicatorKind
    description: Text
    minimum: float | None = None
    maximum: float | None = None
    allows_zero: bool = False
    """A rate of change can be 0; a level (people, yuan) of 0 is a missing value written as 0."""


class Sector(Record):
    id: Slug
    name: Text
    name_zh: Text
    short: Annotated[str, StringConstraints(min_length=1, max_length=10)] | None = None
    """A short label for narrow tables (default: the id)."""
    aliases: Items[Text] = ()
    description: Text
    indicators: Items[Key]
    weights: dict[Key, Annotated[float, Field(gt=0, le=100)]]
    """The default preset of `pilot rank --sector`: indicator id -> weight."""


class FreeTradeZone(Record):
    name: Text
    since: Year
    """The year the area's own zone (or its area of a provincial zone) was set up."""
    zone_since: Year | None = None
    """The year the provincial zone itself was set up, when it is older than the area (the
    Zhejiang FTZ dates from 2017, its Hangzhou and Ningbo areas from 2020)."""
    source: Slug
    confidence: Confidence
    note: Text | None = None


class GrowthSector(Record):
    sector: Slug
    evidence: Text
    source: Slug
    confidence: Confidence


class City(Record):
    id: Slug
    name: Text
    name_zh: Text
    aliases: Items[Text] = ()
    province: Text
    level: Literal["municipality", "province", "sub-provincial", "prefecture-level"]
    provincial_capital: bool
    separately_planned: bool = False
    region: Slug
    coastal: bool
    coastal_note: Text | None = None
    lat: Annotated[float, Field(ge=18.0, le=53.6)]
    lon: Annotated[float, Field(ge=73.5, le=135.1)]
    coordinates_source: Slug
    batch: Annotated[int, Field(ge=1, le=99)]
    joined: dt.date
    ftz: FreeTradeZone | None = None
    focus: Text
    focus_source: Slug
    focus_confidence: Confidence
    sectors: Items[GrowthSector] = ()
    figures: dict[Key, Figure] = Field(default_factory=dict)


MeasureKind = Literal[
    "equity-cap", "new-business", "pilot-programme", "facilitation", "rule-alignment", "legal-adjustment"
]
MeasureScope = Literal["all", "qualifying", "cities"]
MeasureStatus = Literal["in-force", "to-be-studied", "national", "ended"]


class Measure(Record):
    """One concrete opening measure: what a foreign investor may now do, where, under which document."""

    id: Slug
    title: Text
    title_zh: Text | None = None
    summary: Text
    sectors: Items[Slug]
    kind: MeasureKind
    scope: MeasureScope
    """'all': every pilot area; 'qualifying': every pilot area that meets the conditions;
    'cities': the areas in `cities`."""
    cities: Items[Slug] = ()
    zone: Text | None = None
    """Where inside the cities, when narrower than the whole area (a free trade zone, a park)."""
    document: Text | None = None
    document_title: Text | None = None
    date: PartialDate | None = None
    """When the document was issued."""
    status: MeasureStatus
    status_date: PartialDate | None = None
    source: Slug
    also: Items[Slug] = ()
    confidence: Confidence
    creates: Key | None = None
    """A yes/no indicator this measure establishes: the indicator is derived from it, never stored."""
    list_complete: bool = True
    """With `creates`: `cities` is the complete published list, so the indicator is 'no' in the
    other areas; false when sources confirm only these areas (elsewhere it is unknown)."""
    note: Text | None = None


class Dataset(Record):
    dataset: DatasetInfo
    program: Program
    sources: Items[Source]
    regions: Items[Region]
    indicators: Items[Indicator]
    sectors: Items[Sector]
    cities: Items[City]
    measures: Items[Measure] = ()


# --- The shape, derived ---------------------------------------------------------------
# Loading, checking and exporting walk these instead of naming the sections, so that a
# new section or field is only: the model, the data, and the code that uses it.


def record_type(annotation: Any) -> type[Record] | None:
    """The record class a field holds: itself, optional, or the items of a list or table."""
    annotation = _bare(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return annotation
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, tuple, dict):
        for argument in get_args(annotation):
            found = record_type(argument)
            if found is not None:
                return found
    return None


def is_table_of_records(annotation: Any) -> bool:
    """A `dict[key, Record]` field: its keys are names in the file, not fields."""
    return get_origin(_bare(annotation)) is dict


def list_sections() -> dict[str, type[Record]]:
    """The dataset's sections that are lists of records (`[[cities]]` ...): name -> record class."""
    sections = {}
    for name, info in Dataset.model_fields.items():
        item = record_type(info.annotation)
        if item is not None and get_origin(_bare(info.annotation)) is tuple:
            sections[name] = item
    return sections


def model_at(names: Sequence[str]) -> type[Record]:
    """The record class at a path of field names from the top of the file
    (('cities', 'figures', 'gdp') -> Figure); the deepest known one for an unknown path."""
    model: type[Record] = Dataset
    skip_key = False
    for name in names:
        if skip_key:  # a key of a table of records, e.g. the indicator id under `figures`
            skip_key = False
            continue
        field = model.model_fields.get(name)
        found = record_type(field.annotation) if field is not None else None
        if field is None or found is None:
            break
        model, skip_key = found, is_table_of_records(field.annotation)
    return model


def _bare(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation
