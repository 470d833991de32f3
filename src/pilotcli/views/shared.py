"""What several views draw alike: a figure's value and cell, the figure columns of a table of
cities, indicator labels and headers, the years a total or score draws on, safe links."""

from __future__ import annotations

from collections.abc import Sequence

from pilotcli.dataset import Catalog, IndicatorInfo
from pilotcli.query import Value, figure
from pilotcli.records import City
from pilotcli.view import DECIMALS_BY_UNIT, ESTIMATE_MARK, MISSING, Cell, Column, FigureColumns, number

LIST_INDICATORS = ("population", "gdp", "gdp_per_capita")
"""The figures `pilot list` shows by default; others get a short header for narrow tables."""


NOT_RANKED = "not ranked"


NARROW_WIDTH = 80
"""The narrowest screen drawn: `show` cuts a measure's title, and `compare` a line of measure ids,
to one line of it."""


def value_text(value: Value | None, info: IndicatorInfo) -> str:
    """A figure's value as text: not ranked, missing, yes/no for a flag, else the number to its
    unit's decimals (never more than it was written with), with the estimate mark."""
    if value is not None and value.unranked:
        return NOT_RANKED
    if value is None or value.value is None:
        return MISSING
    raw = value.value
    if info.kind == "flag" or isinstance(raw, bool):
        text = "yes" if raw else "no"
    else:
        text = number(raw, min(DECIMALS_BY_UNIT.get(info.unit, 2), _published_decimals(raw)))
    return text + (ESTIMATE_MARK if value.estimate else "")


def _published_decimals(raw: float) -> int:
    """The decimals a value was written with: a rounded 21.8 is never shown as 21.80."""
    written = repr(raw)
    return len(written) - written.index(".") - 1 if "." in written and "e" not in written else 0


def value_cell(value: Value | None, info: IndicatorInfo, *, best: bool = False, newest: int | None = None) -> Cell:
    """A value's cell; `newest` is the latest year among the values it is shown with: a value
    of a yearly figure from an older year carries its year, so 2024 is never read as 2025."""
    text = value_text(value, info)
    if text in (MISSING, NOT_RANKED):
        return Cell(text, "missing")
    text += older_mark(value, newest)
    if best:
        return Cell("★ " + text, "best")
    return Cell(text, "estimate" if value is not None and value.estimate else None)


def older_mark(value: Value | None, newest: int | None) -> str:
    """' (2024)' after a value from an older year than `newest`, else ''."""
    if newest is not None and value is not None and value.year is not None and value.year < newest:
        return f" ({value.year})"
    return ""


def newest_year(values: list[Value | None], info: IndicatorInfo) -> int | None:
    """The latest year among the values of a yearly (quantity) figure; None for other kinds."""
    if info.kind != "quantity":
        return None
    return max((v.year for v in values if v is not None and v.value is not None and v.year is not None), default=None)


def year_notes(catalog: Catalog, cities: list[City]) -> list[str]:
    """With --year: which of `cities` have no yearly figure of that year (so that a column of
    dashes is read as "not published for that year", not as a fault)."""
    if catalog.year is None:
        return []
    yearly = [key for key, info in catalog.indicators.items() if info.kind == "quantity"]
    without = [c for c in cities if all((v := figure(catalog, c, k)) is None or v.value is None for k in yearly)]
    if not without:
        return [f"figures of {catalog.year}"]
    names = ", ".join(c.name for c in without) if len(without) <= 4 else f"{len(without)} of {len(cities)} cities"
    return [f"figures of {catalog.year}: none for {names}"]


def column_cells(catalog: Catalog, cities: list[City], info: IndicatorInfo) -> list[Cell]:
    """One figure's cells for these cities, in order: a value from an older year than the newest
    in the column carries its year."""
    values = [figure(catalog, city, info.id) for city in cities]
    newest = newest_year(values, info)
    return [value_cell(value, info, newest=newest) for value in values]


def figure_columns(catalog: Catalog, cities: list[City]) -> FigureColumns:
    """How a --fields table of these cities (its rows, in order) draws the figures chosen: as the
    list draws them. With one city (show) a yearly value is marked when it is older than the
    newest of the yearly figures chosen: the row is all there is to compare it with."""

    def columns(fields: Sequence[str]) -> tuple[dict[str, tuple[Column, list[Cell]]], list[str]]:
        infos = [catalog.indicators[name] for name in fields if name in catalog.indicators]
        drawn = {info.id: (figure_column(info), column_cells(catalog, cities, info)) for info in infos}
        if len(cities) == 1:
            yearly = [info for info in infos if info.kind == "quantity"]
            values = [figure(catalog, cities[0], info.id) for info in yearly]
            newest = newest_year(values, yearly[0]) if yearly else None
            for info, value in zip(yearly, values, strict=True):
                drawn[info.id] = (drawn[info.id][0], [value_cell(value, info, newest=newest)])
        return drawn, year_notes(catalog, cities) if infos else []

    return columns


def figure_column(info: IndicatorInfo, drop: int = 0, *, narrow: bool = False) -> Column:
    """A figure's column in a table of cities: its short header with the unit, right-aligned;
    `narrow`: it has a shorter header still for narrow tables, as the list's own three do not."""
    short = short_label(info.id) if narrow else _sort_label(info)
    return Column(short_header(info), justify="right", no_wrap=True, drop=drop, short=short, point=True)


def unit_header(info: IndicatorInfo) -> str:
    """An indicator's name with its unit shortened ('GDP (bn CNY)'); no unit where the name says it."""
    short = {
        "million persons": "m",
        "billion CNY": "bn CNY",
        "billion USD": "bn USD",
        "thousand CNY per person": "k CNY",
        "yes/no": "",
    }.get(info.unit, info.unit)
    # "GFCI rank (rank)" says nothing more than "GFCI rank".
    return f"{info.name} ({short})" if short and short.lower() not in info.name.lower() else info.name


SHORT_LABELS = {
    "population": "pop.",
    "gdp": "GDP",
    "gdp_per_capita": "GDP/cap",
    "gdp_growth": "growth",
    "services_share": "services",
    "fdi_utilised": "FDI",
    "fdi_utilised_cny": "FDI CNY",
    "gfci_rank": "GFCI",
    "wipo_cluster_rank": "WIPO",
    "nature_index_rank": "Nature",
    "double_first_class": "univ.",
    "fortune500_hq": "F500",
    "foreign_hospital_pilot": "hospital",
    "cell_gene_pilot": "cell/gene",
    "vats_pilot": "VATS",
    "qflp_pilot": "QFLP",
}
"""Indicator labels for narrow tables (a legend spells them out); others are cut to 8 cells."""


ROW_LABELS = {
    "services_share": "Services % of GDP",
    "fdi_utilised": "Utilised FDI (bn USD)",
    "fdi_utilised_cny": "Utilised FDI (bn CNY)",
    "wipo_cluster_rank": "WIPO cluster rank",
    "nature_index_rank": "Nature Index city rank",
    "double_first_class": "Double First-Class univ.",
    "fortune500_hq": "Fortune Global 500 HQs",
    "foreign_hospital_pilot": "WFOE hospital pilot",
    "cell_gene_pilot": "Cell/gene therapy pilot",
    "vats_pilot": "Value-added telecom pilot",
}
"""Indicators whose name and unit take 25 cells or more, as row labels of tables with cities
side by side (compare): at 80 columns beside two cities and their difference, a label is one line.
`pilot show` and `pilot help fields` give the full names."""


def row_label(info: IndicatorInfo) -> str:
    """An indicator's label as the row of a table of cities side by side: short where the name is long."""
    return ROW_LABELS.get(info.id) or unit_header(info)


def short_label(indicator_id: str) -> str:
    """An indicator's label in narrow tables: its short label, else its id cut to 8 cells."""
    return SHORT_LABELS.get(indicator_id, indicator_id[:7] + "." if len(indicator_id) > 8 else indicator_id)


def _sort_label(info: IndicatorInfo) -> str | None:
    """A short header for an indicator that the list shows only when sorted or filtered on it."""
    return None if info.id in LIST_INDICATORS else short_label(info.id)


def short_header(info: IndicatorInfo) -> str:
    """A figure's column header: a short name with the unit for the figures most shown, else its row label."""
    names = {
        "population": "pop. (m)",
        "gdp": "GDP (bn CNY)",
        "gdp_per_capita": "GDP/cap (k CNY)",
        "services_share": "services (%)",
        "gdp_growth": "growth (%)",
        "fdi_utilised": "FDI (bn USD)",
        "fdi_utilised_cny": "FDI (bn CNY)",
    }
    return names.get(info.id) or row_label(info)


def years_text(by_indicator: dict[str, dict[str, int]]) -> str:
    """How many values of each year (or edition) went in, by indicator: "gdp 2024 (8), 2025 (12); population 2025"."""
    parts = []
    for name, counts in by_indicator.items():
        labels = sorted(counts)
        parts.append(
            f"{name} {labels[0]}" if len(labels) == 1 else f"{name} " + ", ".join(f"{y} ({counts[y]})" for y in labels)
        )
    return "; ".join(parts)


def safe_link(url: str | None) -> str | None:
    """A URL fit for a terminal hyperlink: printable, no spaces (else no link at all)."""
    return url if url and url.isprintable() and " " not in url else None
