"""A transparent weighted score over the cities chosen.

The rule (documented in `pilot rank --help` and docs/commands.md):
- each indicator is scaled to 0-100 over the cities chosen (after the filters) with
  min-max: the best value scores 100, the worst 0; for ranks (lower is better) the
  scale is inverted; yes/no indicators score 100 for yes and 0 for no; where every
  city with a value has the same value, they all score 100;
- a rank the area is known not to hold ("not in GFCI 38", `listed = false`) scores
  0, like the worst rank: it is data, not missing;
- a city's coverage is the share of the total weight backed by its data;
- policy "skip" (the default): a city is scored on the indicators it has, as the
  weighted mean of their points; what it lacks neither helps nor hurts it;
  policy "zero": a missing value scores 0 (an unknown is not rewarded);
- a city whose coverage is below `min_coverage` (0.5 by default) is not ranked: it
  is listed after the ranked cities as "not enough data". The threshold never
  changes a score, since scaling runs over every city chosen;
- equal scores are ordered by city id.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

from pilotcli.dataset import Catalog, IndicatorInfo
from pilotcli.errors import UsageError
from pilotcli.query import Value, figure
from pilotcli.records import City

MissingPolicy = Literal["zero", "skip"]

DEFAULT_WEIGHTS = {"gdp": 1.0, "gdp_per_capita": 1.0, "services_share": 1.0}
"""The preset without --sector: the size, wealth and services intensity of the economy."""


class Contribution(NamedTuple):
    indicator: IndicatorInfo
    value: Value | None
    points: float | None
    """0-100 after normalisation; None when the value is missing."""
    weight: float
    share: float
    """What this indicator adds to the score: weight * points / total weight."""


class Ranked(NamedTuple):
    position: int | None
    """1, 2, ... for ranked cities; None for a city with too little data to rank."""
    city: City
    score: float | None
    """0-100; None when no indicator has data (coverage 0)."""
    coverage: float
    """0-1: the share of the total weight backed by the city's data."""
    contributions: list[Contribution]

    @property
    def missing(self) -> list[str]:
        return [c.indicator.id for c in self.contributions if c.points is None]


def parse_weights(specs: list[str]) -> dict[str, float]:
    """['gfci_rank=2', 'gdp=0.5'] -> {'gfci_rank': 2.0, 'gdp': 0.5}; UsageError when malformed."""
    weights: dict[str, float] = {}
    for spec in specs:
        name, sep, number = spec.partition("=")
        name = name.strip()
        try:
            weight = float(number)
        except ValueError:
            weight = math.nan
        if not sep or not name or not math.isfinite(weight) or weight < 0:
            raise UsageError(
                f"malformed --weight '{spec}'",
                hint="use INDICATOR=WEIGHT with a weight of 0 or more, e.g. --weight gfci_rank=2",
            )
        weights[name] = weight
    return weights


def weights_for(catalog: Catalog, sector_id: str | None, overrides: dict[str, float]) -> dict[str, float]:
    """The sector's preset (or the default one) with overrides applied; weight 0 drops an indicator."""
    base = dict(catalog.sectors[sector_id].weights) if sector_id is not None else dict(DEFAULT_WEIGHTS)
    # By the indicator's id, whatever case was typed; an unknown name: NotFoundError with suggestions.
    base.update({catalog.indicator(name, list_all=True).id: weight for name, weight in overrides.items()})
    weights = {name: weight for name, weight in base.items() if weight > 0}
    if not weights:
        raise UsageError("no indicator left to rank by", hint="give at least one --weight INDICATOR=W with W > 0")
    return weights


def scale_points(info: IndicatorInfo, values: list[Value | None]) -> list[float | None]:
    """Points 0-100 per value (None where missing), as described in the module docstring."""
    numbers = [v.number if v is not None else None for v in values]
    if info.kind == "flag":
        return [None if n is None else 100.0 * n for n in numbers]
    unranked = [v is not None and v.unranked for v in values]
    present = [n for n in numbers if n is not None]
    if not present:
        return [0.0 if off else None for off in unranked]
    low, high = min(present), max(present)
    points: list[float | None] = []
    for n, off in zip(numbers, unranked, strict=True):
        if off:
            points.append(0.0)  # not in the ranking: below its worst rank
        elif n is None:
            points.append(None)
        elif high == low:
            points.append(100.0)
        elif info.lower_is_better:
            points.append(100.0 * (high - n) / (high - low))
        else:
            points.append(100.0 * (n - low) / (high - low))
    return points


DEFAULT_MIN_COVERAGE = 0.5


def rank(
    catalog: Catalog,
    cities: list[City],
    weights: dict[str, float],
    missing: MissingPolicy = "skip",
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> list[Ranked]:
    """Score and order the cities: a permutation of `cities`, the ranked ones best first
    (ties by id), then those below `min_coverage` (most data first, then by id)."""
    infos = [catalog.indicator(name) for name in weights]
    # Scores depend only on the ratios of the weights: scaling them to at most 1 keeps
    # the arithmetic finite whatever weights a user gives.
    largest = max(weights.values(), default=0.0)
    scaled = {name: weight / largest for name, weight in weights.items()} if largest > 0 else dict(weights)
    columns = []
    for info in infos:
        values = [figure(catalog, city, info.id) for city in cities]
        columns.append((info, values, scale_points(info, values)))
    entries: list[tuple[float | None, float, City, list[Contribution]]] = []
    for row, city in enumerate(cities):
        cells = [
            (info, values[row], points[row], scaled[info.id], weights[info.id]) for info, values, points in columns
        ]
        entries.append((*_score(cells, missing), city, _contributions(cells, missing)))
    # A tiny tolerance: 1/3 + 1/6 must count as the 0.5 it is.
    enough = [e for e in entries if e[1] >= min_coverage - 1e-9 and e[0] is not None]
    short = [e for e in entries if not (e[1] >= min_coverage - 1e-9 and e[0] is not None)]
    enough.sort(key=lambda e: (-(e[0] or 0.0), e[2].id))
    short.sort(key=lambda e: (-e[1], e[2].id))
    ranked = [Ranked(n, city, score, coverage, parts) for n, (score, coverage, city, parts) in enumerate(enough, 1)]
    return ranked + [Ranked(None, city, score, coverage, parts) for score, coverage, city, parts in short]


Cell = tuple[IndicatorInfo, Value | None, float | None, float, float]
"""An indicator for one city: info, value, points (None: missing), scaled weight, weight as given."""


def _counted_weights(cells: list[Cell], missing: MissingPolicy) -> list[float]:
    """The weights that count in one city's mean (0 for the others), scaled to at most 1 by the
    largest of them: the city's score then depends only on the ratios of the weights it uses,
    whatever the weights of indicators it lacks (no underflow from a huge weight elsewhere)."""
    counted = [cell[4] if cell[2] is not None or missing == "zero" else 0.0 for cell in cells]
    largest = max(counted, default=0.0)
    return [weight / largest for weight in counted] if largest > 0 else counted


def _score(cells: list[Cell], missing: MissingPolicy) -> tuple[float | None, float]:
    """(score, coverage) of one city."""
    total = sum(cell[3] for cell in cells)
    covered = sum(cell[3] for cell in cells if cell[2] is not None)
    coverage = round(covered / total, 4) if total else 0.0
    weights = _counted_weights(cells, missing)
    if not any(cell[2] is not None for cell in cells) or not sum(weights):
        return None, coverage
    mean = sum(w * (cell[2] or 0.0) for w, cell in zip(weights, cells, strict=True)) / sum(weights)
    return round(mean, 2), coverage


def _contributions(cells: list[Cell], missing: MissingPolicy) -> list[Contribution]:
    weights = _counted_weights(cells, missing)
    total = sum(weights)
    return [
        Contribution(
            indicator=info,
            value=value,
            points=None if points is None else round(points, 2),
            weight=given,
            share=round(weight * (points or 0.0) / total, 2) if total else 0.0,
        )
        for weight, (info, value, points, _, given) in zip(weights, cells, strict=True)
    ]
