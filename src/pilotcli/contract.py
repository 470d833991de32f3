"""The JSON output contract, as models: `pilot schema --output-format` prints their schema.

The views build plain dicts for speed; these models describe them, and the
contract test checks every command's real output against the schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pilotcli.models import MeasureScope, SourceKind


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class FigureYearOut(Out):
    """One earlier year of a figure: the figure's keys without `unit` (the figure's unit applies)."""

    value: bool | int | float | None
    listed: bool | None
    year: int
    edition: str | None
    source: str
    also: list[str]
    estimate: bool
    confidence: Literal["high", "medium", "low"]
    note: str | None


class FigureOut(Out):
    """A figure for its latest year (or the year of --year), with its earlier years in `history`.
    `value` null means the source gives no usable value (see `note`)."""

    value: bool | int | float | None
    listed: bool | None = Field(
        description="Ranks only: false when the area is known not to be in the ranking (scored as the worst)."
    )
    unit: str
    year: int | None
    edition: str | None
    source: str | None = Field(description="Source id (see `pilot show` sources); null for figures computed by pilot.")
    also: list[str] = Field(description="Further independent sources that give the same value.")
    estimate: bool
    confidence: Literal["high", "medium", "low"] | None
    note: str | None
    history: list[FigureYearOut] = Field(description="The same figure's earlier years, latest first.")


class CityOut(BaseModel):
    """One city, as printed by `pilot list --json`. Every indicator id is a further key whose
    value is a figure object, or null when the dataset has no figure for it."""

    model_config = ConfigDict(extra="allow", defer_build=True)
    __pydantic_extra__: dict[str, FigureOut | None] = Field(init=False)

    id: str
    name: str
    name_zh: str
    aliases: list[str]
    province: str
    region: str
    level: str
    provincial_capital: bool
    separately_planned: bool
    coastal: bool
    lat: float
    lon: float
    batch: int
    batch_year: int | None
    joined: dt.date
    ftz: str | None
    ftz_since: int | None
    focus: str
    sectors: list[str]


class SourceOut(Out):
    id: str
    kind: SourceKind
    publisher: str
    title: str
    date: str | None
    url: str | None = Field(description="The original publication; null when unknown (then `via` is the copy read).")
    via: str | None = Field(description="The copy that was read, when the original was not.")
    note: str | None


class EvidenceOut(Out):
    sector: str
    evidence: str
    source: str
    confidence: Literal["high", "medium", "low"]


class FtzOut(Out):
    name: str
    since: int
    zone_since: int | None = Field(description="The provincial zone's own year, when older than the area's (since).")
    source: str
    confidence: Literal["high", "medium", "low"]
    note: str | None


class ProfileOut(CityOut):
    """`pilot show CITY --json`: the city record plus evidence and sources."""

    region_name: str | None
    coastal_note: str | None
    focus_source: str
    focus_confidence: Literal["high", "medium", "low"]
    ftz_detail: FtzOut | None
    sector_evidence: list[EvidenceOut]
    sources: list[SourceOut]
    measures: list[str] = Field(
        description="Ids of the opening measures that apply in the city ('all' and 'qualifying' scopes "
        "included), in file order; `pilot measures ID` shows one."
    )
    specific_measures: list[str] = Field(
        description="The ids in `measures` whose scope is a list of cities that includes this one, in file order."
    )


class ContributionOut(Out):
    value: bool | int | float | None
    unit: str
    year: int | None = Field(description="The year of the value scored (null when missing).")
    points: float | None = Field(description="0-100 after normalisation; null when the value is missing.")
    weight: float
    share: float = Field(description="What the indicator adds to the score: weight * points / total weight.")


class RankOut(Out):
    """One entry of `pilot rank --json`."""

    rank: int | None = Field(description="1, 2, ...; null when the city has too little data to rank (coverage).")
    id: str
    name: str
    name_zh: str
    score: float | None = Field(description="0-100 on the data the city has; null when it has none.")
    coverage: float = Field(
        ge=0,
        le=1,
        description="Share of the total weight backed by the city's data (0-1); under --min-coverage: rank null.",
    )
    missing: list[str]
    contributions: dict[str, ContributionOut]


class DifferenceOut(Out):
    absolute: float
    percent: float | None


class CompareRowOut(Out):
    indicator: str
    name: str
    unit: str
    lower_is_better: bool
    values: dict[str, FigureOut | None]
    best: list[str]
    difference: DifferenceOut | None = Field(description="With two cities, the one entry of `differences`; else null.")
    differences: dict[str, DifferenceOut] = Field(
        description="By the id of each other city: the base city's value minus that city's, and as % of that city's "
        "value; no entry for yes/no indicators or where either value is missing."
    )


class SectorsOut(Out):
    shared: list[str]
    unique: dict[str, list[str]]


class DifferingMeasureOut(Out):
    id: str
    cities: list[str] = Field(description="The ids of the compared cities where it applies (some, not all).")


class CompareMeasuresOut(Out):
    counts: dict[str, int] = Field(description="By city id: how many opening measures apply there.")
    differing: list[DifferingMeasureOut] = Field(
        description="The measures that apply in some of the compared cities but not all, in file order."
    )


class CompareOut(Out):
    """`pilot compare A B ... --json`."""

    base: str = Field(description="The city the differences are measured from: the first, or --base.")
    cities: list[CityOut]
    rows: list[CompareRowOut]
    sectors: SectorsOut
    measures: CompareMeasuresOut


class SectorOut(Out):
    """One entry of `pilot sectors --json`."""

    id: str
    name: str
    name_zh: str
    aliases: list[str]
    description: str
    indicators: list[str]
    weights: dict[str, float]
    cities: int


class SectorCityOut(Out):
    """One entry of `pilot sectors SECTOR --json`."""

    id: str
    name: str
    name_zh: str
    evidence: str
    source: str
    confidence: Literal["high", "medium", "low"]


class TotalOut(Out):
    value: float | None
    unit: str | None
    cities_counted: int
    cities_missing: list[str]


class RegionOut(Out):
    """One entry of `pilot regions --json`."""

    id: str
    name: str
    name_zh: str
    description: str
    provinces: list[str]
    cities: list[str]
    city_count: int
    coastal: int
    inland: int
    population: TotalOut
    gdp: TotalOut


class CitationOut(Out):
    city: str | None = Field(description="City id; null for the programme, a batch, a milestone or a region.")
    what: str = Field(
        description="What rests on the source: an indicator id, 'coordinates', 'sector ID', ...; "
        "'text' when the source is only mentioned in a note or evidence text."
    )


class SourceEntryOut(Out):
    """One entry of `pilot sources --json`, and what `pilot sources ID --json` prints."""

    id: str
    kind: str | None = Field(description="What the original publisher is (null while the dataset has no kinds).")
    title: str
    publisher: str
    date: str | None
    url: str | None
    via: str | None = Field(description="The copy actually read, when the original was not.")
    note: str | None
    cities: list[str] = Field(description="Ids of the cities that cite the source.")
    cited_by: list[CitationOut]


class MeasureOut(Out):
    """One entry of `pilot measures --json`: an opening measure (the dataset's fields, and `applies_to`)."""

    id: str
    title: str
    title_zh: str | None
    summary: str = Field(description="What is now allowed, with its limits (equity cap, licence, zone).")
    sectors: list[str]
    kind: Literal["equity-cap", "new-business", "pilot-programme", "facilitation", "rule-alignment", "legal-adjustment"]
    scope: Literal["all", "qualifying", "cities"] = Field(
        description="'all': every pilot area; 'qualifying': every pilot area that meets the measure's conditions "
        "(counted as applying in every city); 'cities': the areas in `cities`."
    )
    cities: list[str] = Field(description="The city ids of a 'cities' scope; empty for the other scopes.")
    applies_to: list[str] = Field(description="Every city id where the measure applies (all of them for 'all').")
    zone: str | None = Field(description="Where inside the cities, when narrower than the whole area.")
    document: str | None
    document_title: str | None
    date: str | None = Field(description="When the document was issued: YYYY, YYYY-MM or YYYY-MM-DD.")
    status: Literal["in-force", "to-be-studied", "national", "ended"]
    status_date: str | None
    source: str
    also: list[str]
    confidence: Literal["high", "medium", "low"]
    creates: str | None = Field(description="The yes/no indicator this measure establishes (derived from it).")
    list_complete: bool = Field(description="With `creates`: `cities` is the complete published list.")
    note: str | None


class MeasureDetailOut(MeasureOut):
    """`pilot measures ID --json`: the measure with its sources (`source`, then `also`) in full."""

    sources: list[SourceOut]


class MapCityOut(Out):
    """One entry of `pilot map --json`: where the city was drawn (col, row of the character grid)."""

    id: str
    name: str
    name_zh: str
    lat: float
    lon: float
    batch: int
    region: str
    col: int | None
    row: int | None


class TimelineOut(Out):
    """One entry of `pilot timeline --json`: a batch and the running total of areas."""

    number: int
    date: dt.date
    date_kind: Literal["signed", "published"]
    document: str | None
    title: str
    areas: list[str]
    added: int
    total: int


class TimelineEventOut(Out):
    """One entry of `pilot timeline --measures --json`: a batch, a milestone or an opening measure,
    in date order. Every key is present; those that do not apply to the kind are null."""

    date: str = Field(description="YYYY-MM-DD; a measure's may be YYYY-MM or YYYY (it sorts before those days).")
    kind: Literal["batch", "milestone", "measure"]
    id: str | None = Field(description="A measure's id (`pilot measures ID`).")
    number: int | None = Field(description="A batch's number.")
    title: str
    document: str | None
    areas: list[str] | None = Field(
        description="A batch: the areas it added; a measure: the cities of a 'cities' scope ([] for every area)."
    )
    total: int | None = Field(description="A batch: the areas in the programme after it.")
    scope: MeasureScope | None = Field(description="A measure's scope.")


OUTPUTS: dict[str, tuple[type[BaseModel], bool]] = {
    "list": (CityOut, True),
    "show": (ProfileOut, False),
    "compare": (CompareOut, False),
    "rank": (RankOut, True),
    "sectors": (SectorOut, True),
    "sector": (SectorCityOut, True),
    "regions": (RegionOut, True),
    "map": (MapCityOut, True),
    "sources": (SourceEntryOut, True),
    "source": (SourceEntryOut, False),
    "timeline": (TimelineOut, True),
    "timeline-measures": (TimelineEventOut, True),
    "measures": (MeasureOut, True),
    "measure": (MeasureDetailOut, False),
}
"""Command -> (record model, whether the output is an array of them)."""


def output_schema() -> dict[str, Any]:
    """One JSON Schema: `$defs` per command output; the root accepts any of them."""
    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema([(model, "serialization") for model, _ in OUTPUTS.values()], title="pilot JSON output")
    defs = top.get("$defs", {})
    commands: dict[str, Any] = {}
    for command, (model, is_array) in OUTPUTS.items():
        ref = {"$ref": f"#/$defs/{model.__name__}"}
        commands[command] = {"type": "array", "items": ref} if is_array else ref
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "pilot JSON output",
        "description": "What `pilot COMMAND --json` prints; `$defs/commands` maps each command to its shape.",
        "anyOf": list(commands.values()),
        "$defs": {**defs, "commands": commands},
    }


def flat_schema(catalog: Any) -> dict[str, Any]:
    """One row of `pilot list --flat` (csv, jsonl) and `pilot export --format csv --flat`: the
    city fields, then each indicator's value alone, in the unit given here (`x-unit`)."""
    city = CityOut.model_json_schema()["properties"]
    properties: dict[str, Any] = {name: city[name] for name in city}
    for key, info in catalog.indicators.items():
        kind = ["boolean", "null"] if info.kind == "flag" else ["number", "null"]
        description = f"{info.name}, in {info.unit}" + ("" if info.kind != "rank" else " (1 is best)")
        properties[key] = {"type": kind, "description": description + ". null: no value.", "x-unit": info.unit}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "pilot --flat row",
        "description": "A city with each figure reduced to its value; units in each field's x-unit.",
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def dataset_schema() -> dict[str, Any]:
    from pilotcli.models import Dataset

    schema = Dataset.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
