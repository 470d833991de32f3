"""`pilot rank`: the ranking, its records, the explained table and the footnotes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pilotcli.dataset import Catalog
from pilotcli.view import MISSING, OLDER_LEGEND, Cell, Column, Table, View, clean, older_in
from pilotcli.views.shared import (
    figure_column,
    newest_year,
    older_mark,
    short_label,
    value_cell,
    value_text,
    years_text,
)

if TYPE_CHECKING:
    from pilotcli.rank import Ranked


def rank_records(ranked: list[Ranked]) -> list[dict[str, Any]]:
    return [
        {
            "rank": r.position,
            "id": r.city.id,
            "name": r.city.name,
            "name_zh": r.city.name_zh,
            "score": r.score,
            "coverage": r.coverage,
            "missing": r.missing,
            "contributions": {
                c.indicator.id: {
                    "value": c.value.value if c.value is not None else None,
                    "unit": c.indicator.unit,
                    "year": c.value.year if c.value is not None else None,
                    "points": c.points,
                    "weight": c.weight,
                    "share": c.share,
                }
                for c in r.contributions
            },
        }
        for r in ranked
    ]


NOT_ENOUGH_DATA = "not enough data"


class RankSetup:
    """How a ranking was asked for: what its title and footnotes say."""

    __slots__ = ("min_coverage", "policy", "title", "weights")

    def __init__(self, weights: dict[str, float], policy: str, min_coverage: float, title: str) -> None:
        self.weights = weights
        self.policy = policy
        self.min_coverage = min_coverage
        self.title = title
        """e.g. "Ranking: finance preset · coastal · where gdp>2000"."""


def rank_footnotes(setup: RankSetup, everything: list[Ranked]) -> list[str]:
    weights_text = ", ".join(f"{name}×{weight:g}" for name, weight in setup.weights.items())
    rule = (
        "a city is scored on the indicators it has"
        if setup.policy == "skip"
        else "a missing value scores 0 (--missing zero)"
    )
    notes = [
        f"score 0-100: weighted mean of min-max points over the {len(everything)} cities chosen ({weights_text})",
        f"{rule}; data: share of the weight backed by data; under {setup.min_coverage:.0%}: not ranked",
    ]
    years = _years_used(everything)
    if years:
        notes.append(f"values from: {years}")
    short = [r for r in everything if r.position is None]
    if short:
        names = ", ".join(f"{r.city.name} ({r.coverage:.0%})" for r in short)
        notes.append(f"{NOT_ENOUGH_DATA} to rank: {names}")
    return notes


def _years_used(everything: list[Ranked]) -> str:
    """Which years (or editions) the values scored come from, by indicator: "gdp 2024 (8), 2025 (12)"."""
    by_indicator: dict[str, dict[str, int]] = {}
    for r in everything:
        for c in r.contributions:
            if c.points is not None and c.value is not None:
                label = c.value.edition or (str(c.value.year) if c.value.year else "")
                if label:
                    counts = by_indicator.setdefault(c.indicator.id, {})
                    counts[label] = counts.get(label, 0) + 1
    return years_text(by_indicator)


def _position_text(r: Ranked) -> str:
    return MISSING if r.position is None else str(r.position)


def _coverage_cell(r: Ranked) -> Cell:
    return Cell(f"{r.coverage:.0%}", None if r.coverage >= 1 else "missing")


def rank_view(
    catalog: Catalog,
    shown: list[Ranked],
    everything: list[Ranked],
    setup: RankSetup,
    explain: bool,
    wide: bool = False,
) -> View:
    """`shown` may be the first entries only (--limit); `everything` is every city chosen;
    `wide` adds each indicator's value as a column (as many as the terminal takes)."""

    def tables() -> list[Table]:
        if not shown:
            return []
        table = _explain_table(catalog, shown, setup) if explain else _rank_table(shown, setup, wide)
        return [table._replace(footnotes=[*table.footnotes, *rank_footnotes(setup, everything)])]

    notes = [] if shown else ["no city to rank"]
    return View(lambda: rank_records(shown), tables, notes, _RANK_FIELDS)


def _explain_table(catalog: Catalog, ranked: list[Ranked], setup: RankSetup) -> Table:
    weights = setup.weights
    columns = [
        Column("#", justify="right", no_wrap=True),
        Column("city", no_wrap=True),
        Column("score", justify="right", no_wrap=True),
        Column("data", justify="right", no_wrap=True),
    ]
    columns += [
        Column(f"{name} ×{weight:g}", justify="right", short=f"{short_label(name)} ×{weight:g}")
        for name, weight in weights.items()
    ]
    rows = []
    newest = _newest_years(ranked)
    for r in ranked:
        score = MISSING if r.score is None else f"{r.score:.1f}"
        cells = [Cell(_position_text(r)), Cell(clean(r.city.name)), Cell(score), _coverage_cell(r)]
        for c, year in zip(r.contributions, newest, strict=True):
            if c.points is None:
                cells.append(Cell(f"{MISSING} → {'0' if setup.policy == 'zero' else 'skip'}", "missing"))
            else:
                value = value_text(c.value, c.indicator) + older_mark(c.value, year)
                cells.append(Cell(f"{value} → {c.points:.0f} (+{c.share:.1f})"))
        rows.append(cells)
    notes = ["each cell: value → points (+ what it adds to the score)", *[OLDER_LEGEND] * older_in(rows)]
    return Table(columns, rows, title=f"{setup.title}, every indicator", footnotes=notes)


def _newest_years(ranked: list[Ranked]) -> list[int | None]:
    """For each indicator ranked on, the latest year among the values shown (None: not yearly)."""
    if not ranked:
        return []
    infos = [c.indicator for c in ranked[0].contributions]
    return [newest_year([r.contributions[i].value for r in ranked], info) for i, info in enumerate(infos)]


def _rank_table(ranked: list[Ranked], setup: RankSetup, wide: bool = False) -> Table:
    infos = [c.indicator for c in ranked[0].contributions] if wide and ranked else []
    columns = [
        Column("#", justify="right", no_wrap=True),
        Column("city", no_wrap=True),
        Column("中文", no_wrap=True, drop=2),
        Column("score", min_width=10, no_wrap=True),
        Column("data", justify="right", no_wrap=True),
        Column("top contributions", drop=1, min_width=22, items=True),
        Column("missing"),
        *[figure_column(info, drop=10 + i, narrow=True) for i, info in enumerate(infos)],
    ]
    rows = []
    newest = _newest_years(ranked)[: len(infos)]
    for r in ranked:
        values = zip(r.contributions[: len(infos)], newest, strict=True)
        top = sorted((c for c in r.contributions if c.share > 0), key=lambda c: (-c.share, c.indicator.id))[:3]
        score = Cell(NOT_ENOUGH_DATA, "missing") if r.position is None else Cell(f"{r.score or 0.0:5.1f}", bar=r.score)
        rows.append(
            [
                Cell(_position_text(r)),
                Cell(clean(r.city.name)),
                Cell(clean(r.city.name_zh)),
                score,
                _coverage_cell(r),
                Cell(", ".join(f"{c.indicator.id} +{c.share:.1f}" for c in top) or MISSING),
                Cell(", ".join(r.missing), "missing") if r.missing else Cell(""),
                *[value_cell(c.value, c.indicator, newest=year) for c, year in values],
            ]
        )
    return Table(columns, rows, title=setup.title, footnotes=[OLDER_LEGEND] * older_in(rows))


_RANK_FIELDS = ["rank", "id", "name", "name_zh", "score", "coverage", "missing", "contributions"]
