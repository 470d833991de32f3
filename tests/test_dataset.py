"""The shipped dataset, checked against the programme's record and the research fact sheets.

Expected values are written here from the mission statement and from the fact sheets
(/work/shared/research/cities.md and sectors.md), never from the data file: the fact
sheets give population in 万人 (10,000 persons) and GDP in 亿元 (100 million CNY); the
dataset stores million persons and billion CNY, so the tests convert with `wan` and `yi`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

import factories
from conftest import DATA, run_cli
from factories import SHIPPED
from pilotcli.compare import compare
from pilotcli.dataset import Catalog, load
from pilotcli.errors import NotFoundError
from pilotcli.query import cited_sources, city_profile, figure, resolve_field
from pilotcli.records import City, Figure


def wan(value: float) -> float:
    """万人 (10,000 persons) -> million persons."""
    return value / 100


def yi(value: float) -> float:
    """亿元 (100 million CNY) -> billion CNY."""
    return value / 10


def value_of(city: City, indicator: str) -> bool | int | float | None:
    stored = city.figures.get(indicator)
    return None if stored is None else stored.value


def value_in(city: City, indicator: str, year: int) -> bool | int | float | None:
    """The figure's value for one year: the latest entry or one of its history."""
    stored = city.figures.get(indicator)
    entries = () if stored is None else (stored, *stored.history)
    return next((entry.value for entry in entries if entry.year == year), None)


# --- Membership: the 20 areas, their batches and join dates (mission statement) ---------

BATCH_DATES = {
    1: dt.date(2015, 5, 5),
    2: dt.date(2021, 4, 20),
    3: dt.date(2022, 12, 20),
    4: dt.date(2025, 4, 11),
}
BATCH_MEMBERS = {
    1: ["beijing"],
    2: ["tianjin", "shanghai", "hainan", "chongqing"],
    3: ["shenyang", "nanjing", "hangzhou", "wuhan", "guangzhou", "chengdu"],
    4: ["dalian", "ningbo", "xiamen", "qingdao", "shenzhen", "hefei", "fuzhou", "xian", "suzhou"],
}
EXPECTED_BATCH = {city_id: number for number, members in BATCH_MEMBERS.items() for city_id in members}


def test_all_twenty_areas_present(catalog: Catalog) -> None:
    ids = [city.id for city in catalog.dataset.cities]
    assert len(ids) == 20
    assert len(set(ids)) == 20
    assert set(ids) == set(EXPECTED_BATCH)


@pytest.mark.parametrize(("city_id", "batch"), sorted(EXPECTED_BATCH.items()))
def test_batch_and_join_date(catalog: Catalog, city_id: str, batch: int) -> None:
    city = catalog.cities[city_id]
    assert city.batch == batch
    assert city.joined == BATCH_DATES[batch]


def test_program_has_the_four_batches(catalog: Catalog) -> None:
    batches = catalog.dataset.program.batches
    assert [b.number for b in batches] == [1, 2, 3, 4]
    assert {b.number: b.date for b in batches} == BATCH_DATES
    assert catalog.dataset.program.launched == 2015
    for number, members in BATCH_MEMBERS.items():
        assert sorted(c.id for c in catalog.batch_cities(number)) == sorted(members)


# --- Geography: names, provinces, regions, coasts, coordinates (cities.md, section 3) ---------

# id: (name_zh, province, lat, lon) from the fact sheet's summary table.
GEOGRAPHY = {
    "beijing": ("北京", "Beijing", 39.90, 116.40),
    "tianjin": ("天津", "Tianjin", 39.12, 117.20),
    "shanghai": ("上海", "Shanghai", 31.23, 121.47),
    "hainan": ("海南", "Hainan", 20.03, 110.32),
    "chongqing": ("重庆", "Chongqing", 29.57, 106.55),
    "shenyang": ("沈阳", "Liaoning", 41.80, 123.43),
    "nanjing": ("南京", "Jiangsu", 32.07, 118.78),
    "hangzhou": ("杭州", "Zhejiang", 30.28, 120.15),
    "wuhan": ("武汉", "Hubei", 30.60, 114.30),
    "guangzhou": ("广州", "Guangdong", 23.13, 113.27),
    "chengdu": ("成都", "Sichuan", 30.67, 104.07),
    "dalian": ("大连", "Liaoning", 38.92, 121.62),
    "ningbo": ("宁波", "Zhejiang", 29.88, 121.55),
    "xiamen": ("厦门", "Fujian", 24.48, 118.08),
    "qingdao": ("青岛", "Shandong", 36.07, 120.38),
    "shenzhen": ("深圳", "Guangdong", 22.55, 114.05),
    "hefei": ("合肥", "Anhui", 31.83, 117.25),
    "fuzhou": ("福州", "Fujian", 26.08, 119.30),
    "xian": ("西安", "Shaanxi", 34.27, 108.93),
    "suzhou": ("苏州", "Jiangsu", 31.30, 120.58),
}


@pytest.mark.parametrize("city_id", sorted(GEOGRAPHY))
def test_names_province_and_coordinates(catalog: Catalog, city_id: str) -> None:
    name_zh, province, lat, lon = GEOGRAPHY[city_id]
    city = catalog.cities[city_id]
    assert city.name_zh == name_zh
    assert city.province == province
    assert city.lat == pytest.approx(lat, abs=0.005)
    assert city.lon == pytest.approx(lon, abs=0.005)


REGIONS = {
    "central": {"wuhan", "hefei"},
    "west": {"chongqing", "chengdu", "xian"},
    "northeast": {"shenyang", "dalian"},
}
REGIONS["east"] = set(EXPECTED_BATCH) - set().union(*REGIONS.values())


def test_regions(catalog: Catalog) -> None:
    assert len(REGIONS["east"]) == 13
    assert set(catalog.regions) == set(REGIONS)
    for region, members in REGIONS.items():
        assert {c.id for c in catalog.dataset.cities if c.region == region} == members, region


def test_every_city_province_is_in_its_region(catalog: Catalog) -> None:
    for city in catalog.dataset.cities:
        assert city.province in catalog.regions[city.region].provinces, city.id


@pytest.mark.parametrize(
    ("city_id", "coastal"),
    [
        ("shanghai", True),
        ("qingdao", True),
        ("xiamen", True),
        ("tianjin", True),
        ("dalian", True),
        ("shenzhen", True),
        ("hainan", True),
        ("chengdu", False),
        ("xian", False),
        ("wuhan", False),
        ("beijing", False),
        ("chongqing", False),
        ("hefei", False),
    ],
)
def test_coastal(catalog: Catalog, city_id: str, coastal: bool) -> None:
    assert catalog.cities[city_id].coastal is coastal


@pytest.mark.parametrize("city_id", ["hangzhou", "suzhou"])
def test_borderline_coasts_are_explained(catalog: Catalog, city_id: str) -> None:
    # The fact sheet marks both estuary cities "borderline": the dataset must say which way it went.
    note = catalog.cities[city_id].coastal_note
    assert note is not None
    assert "borderline" in note.lower()


# --- Figures against the fact sheets -----------------------------------------------------------

# id: 2024 (population 万人, GDP 亿元, services share %) from cities.md's summary table;
# None where the fact sheet says "unsourced" (an estimate or a part-year proxy is not a value).
# Tianjin's GDP is the HKSAR office's 18,024.3 (the communique's 18,024.32 was read only in copies);
# Hainan's is the 2024 communique's 7,935.69 as a data repository quotes it (cities.md: unsourced).
# Fuzhou's 14,236.76 is left out: cities.md's only source for it, D-GH2, is a data pipeline's parse
# of a content-farm repost, which the dataset does not cite.
ECONOMY: dict[str, tuple[float | None, float | None, float | None]] = {
    "beijing": (2183.2, 49843.1, 85.3),
    "tianjin": (1364, 18024.3, 63.9),
    "shanghai": (2480.26, 53926.71, None),
    "hainan": (None, 7935.69, None),
    "chongqing": (3190.47, 32193.15, 57.1),
    "shenyang": (924.3, 9027.1, None),
    "nanjing": (957.7, 18500.81, 66.7),
    "hangzhou": (1262.4, 21860, 73.0),
    "wuhan": (1380.91, 21106.23, 66.4),
    "guangzhou": (1897.8, 31032.50, 73.7),
    "chengdu": (2147.4, 23511.3, None),
    "dalian": (None, 9516.9, 58.7),
    "ningbo": (977.7, 18147.7, 54.1),
    "xiamen": (535, 8589, 63.1),
    "qingdao": (1044.25, 16719.46, 62.8),
    "shenzhen": (1798.95, 36801.87, 62.1),
    "hefei": (1000.2, 13507.7, None),
    "fuzhou": (850.1, None, None),
    "xian": (1316.76, 13317.78, 68.5),
    "suzhou": (None, 26727.0, 52.4),
}


@pytest.mark.parametrize("city_id", sorted(ECONOMY))
def test_population_gdp_and_services_share(catalog: Catalog, city_id: str) -> None:
    population, gdp, share = ECONOMY[city_id]
    city = catalog.cities[city_id]
    expected = {
        "population": None if population is None else wan(population),
        "gdp": None if gdp is None else yi(gdp),
        "services_share": share,
    }
    for indicator, value in expected.items():
        got = value_in(city, indicator, 2024)
        if value is None:
            assert got is None, f"{city_id} {indicator}: unsourced in the fact sheet, {got!r} in the dataset"
        else:
            assert got == pytest.approx(value, rel=1e-9), f"{city_id} {indicator}"


@pytest.mark.parametrize(
    ("city_id", "indicator", "expected"),
    [
        ("beijing", "population", wan(2183.2)),
        ("beijing", "gdp", yi(49843.1)),
        ("shenzhen", "gdp", yi(36801.87)),
        ("ningbo", "population", wan(977.7)),
        ("ningbo", "services_share", 54.1),
        ("dalian", "fdi_utilised", 1.88),
    ],
)
def test_figure_spot_checks(catalog: Catalog, city_id: str, indicator: str, expected: float) -> None:
    stored = catalog.cities[city_id].figures[indicator]
    assert value_in(catalog.cities[city_id], indicator, 2024) == pytest.approx(expected)
    assert stored.unit == catalog.indicators[indicator].unit


def test_fdi_in_dollars_and_in_yuan_are_separate_indicators(catalog: Catalog) -> None:
    # Each is recorded in the currency its source states; nothing is converted.
    dollars = {c.id: value_of(c, "fdi_utilised") for c in catalog.dataset.cities}
    yuan = {c.id: value_of(c, "fdi_utilised_cny") for c in catalog.dataset.cities}
    assert {k: v for k, v in dollars.items() if v is not None} == {
        "shanghai": pytest.approx(16.06),
        "hangzhou": pytest.approx(6.542),
        "dalian": pytest.approx(1.88),
        "fuzhou": pytest.approx(0.395),
        "suzhou": pytest.approx(5.81),
        "shenyang": pytest.approx(0.25),
        "chengdu": pytest.approx(1.37),
    }
    assert {k: v for k, v in yuan.items() if v is not None} == {
        "hainan": pytest.approx(25.1),
        "guangzhou": pytest.approx(25.19),
    }
    assert catalog.indicators["fdi_utilised"].unit == "billion USD"
    assert catalog.indicators["fdi_utilised_cny"].unit == "billion CNY"


def _values(catalog: Catalog, indicator: str) -> dict[str, bool | int | float]:
    found = {c.id: value_of(c, indicator) for c in catalog.dataset.cities}
    return {city_id: value for city_id, value in found.items() if value is not None}


# sectors.md: every sourced value; every other area must have no value (listed without a rank,
# not listed, or unsourced).
RANKS = {
    "gfci_rank": {"shanghai": 8, "shenzhen": 9, "beijing": 22, "guangzhou": 33, "qingdao": 35},
    "wipo_cluster_rank": {
        "guangzhou": 1,
        "shenzhen": 1,
        "beijing": 4,
        "shanghai": 6,
        "suzhou": 6,
        "hangzhou": 13,
        "nanjing": 15,
        "ningbo": 93,
    },
    "nature_index_rank": {"beijing": 1, "shanghai": 2, "nanjing": 5, "guangzhou": 6, "wuhan": 8, "hangzhou": 10},
    "fortune500_hq": {
        "beijing": 46,
        "shanghai": 12,
        "shenzhen": 9,
        "hangzhou": 8,
        "guangzhou": 6,
        "chengdu": 3,
        "xiamen": 3,
        "suzhou": 3,
    },
    "double_first_class": {
        "beijing": 34,
        "tianjin": 5,
        "shanghai": 15,
        "hainan": 1,
        "chongqing": 2,
        "shenyang": 2,
        "nanjing": 13,
        "hangzhou": 2,
        "wuhan": 7,
        "guangzhou": 7,
        "chengdu": 7,
        "dalian": 2,
        "ningbo": 1,
        "xiamen": 1,
        "qingdao": 2,
        "shenzhen": 1,
        "hefei": 3,
        "fuzhou": 1,
        "xian": 7,
        "suzhou": 1,
    },
}


@pytest.mark.parametrize("indicator", sorted(RANKS))
def test_ranks_and_counts(catalog: Catalog, indicator: str) -> None:
    values = _values(catalog, indicator)
    assert values == RANKS[indicator]
    assert all(type(v) is int for v in values.values())


@pytest.mark.parametrize(
    ("indicator", "city_id", "expected"),
    [
        ("gfci_rank", "shanghai", 8),
        ("gfci_rank", "shenzhen", 9),
        ("gfci_rank", "beijing", 22),
        ("wipo_cluster_rank", "beijing", 4),
        ("wipo_cluster_rank", "hangzhou", 13),
        ("wipo_cluster_rank", "nanjing", 15),
        ("wipo_cluster_rank", "ningbo", 93),
        ("nature_index_rank", "nanjing", 5),
        ("nature_index_rank", "guangzhou", 6),
        ("nature_index_rank", "wuhan", 8),
        ("nature_index_rank", "hangzhou", 10),
        ("double_first_class", "beijing", 34),
        ("double_first_class", "nanjing", 13),
        ("double_first_class", "shanghai", 15),
        ("double_first_class", "xian", 7),
    ],
)
def test_rank_spot_checks(catalog: Catalog, indicator: str, city_id: str, expected: int) -> None:
    stored = catalog.cities[city_id].figures[indicator]
    assert stored.value == expected
    assert type(stored.value) is int


def test_gfci_edition_is_gfci_38(catalog: Catalog) -> None:
    for city in catalog.dataset.cities:
        stored = city.figures.get("gfci_rank")
        if stored is not None:
            assert stored.edition == "GFCI 38", city.id


FLAGS = {
    "foreign_hospital_pilot": {
        "beijing",
        "tianjin",
        "shanghai",
        "hainan",
        "nanjing",
        "guangzhou",
        "shenzhen",
        "fuzhou",
        "suzhou",
    },
    "vats_pilot": {"beijing", "shanghai", "hainan", "shenzhen"},
    "cell_gene_pilot": {"beijing", "shanghai", "hainan", "guangzhou", "shenzhen"},
}


def flag_of(catalog: Catalog, city: City, indicator: str) -> bool | int | float | None:
    """The figure as the commands see it: these flags are derived from the measures."""
    found = figure(catalog, city, indicator)
    return None if found is None else found.value


@pytest.mark.parametrize("indicator", sorted(FLAGS))
def test_pilot_flags_are_complete(catalog: Catalog, indicator: str) -> None:
    # sectors.md: these three pilots are "complete (20/20)": every area is a yes or a no.
    values = {c.id: flag_of(catalog, c, indicator) for c in catalog.dataset.cities}
    assert all(type(v) is bool for v in values.values()), values
    assert {city_id for city_id, v in values.items() if v is True} == FLAGS[indicator]


def test_qflp_is_yes_where_sourced_and_never_no(catalog: Catalog) -> None:
    # sectors.md 1b: no official list exists, so "unsourced" means unknown, not "no".
    # Nanjing: the Jiangsu FTZ Nanjing Area's QFLP measures of July 2021 (Jingtian, a law firm's own note).
    expected_yes = {
        "beijing",
        "tianjin",
        "shanghai",
        "hainan",
        "chongqing",
        "guangzhou",
        "nanjing",
        "xiamen",
        "qingdao",
        "shenzhen",
        "hefei",
        "fuzhou",
        "suzhou",
    }
    values = {c.id: flag_of(catalog, c, "qflp_pilot") for c in catalog.dataset.cities}
    assert {city_id for city_id, v in values.items() if v is True} == expected_yes
    assert all(v is not False for v in values.values())


# --- The programme section ----------------------------------------------------------------------


def _program_figures(catalog: Catalog) -> dict[str, Figure]:
    return {f.id: f for f in catalog.dataset.program.figures}


@pytest.mark.parametrize(
    ("figure_id", "value", "unit", "year"),
    [
        ("tasks_2025_plan", 155, "tasks", 2025),
        ("tasks_2026_nine_cities", 159, "tasks", 2026),
        ("measures_2021_four_areas", 151, "measures", None),
        ("fdi_national", yi(8262.5), "billion CNY", 2024),
        ("fdi_services", yi(5845.6), "billion CNY", 2024),
        ("fdi_services_share", 70.7, "%", 2024),
        ("services_trade", 7523.8, "billion CNY", 2024),
    ],
)
def test_program_figures(catalog: Catalog, figure_id: str, value: float, unit: str, year: int | None) -> None:
    stored = _program_figures(catalog)[figure_id]
    assert stored.value == pytest.approx(value)
    assert stored.unit == unit
    if year is not None:
        assert stored.year == year


def test_national_services_fdi(catalog: Catalog) -> None:
    figures = _program_figures(catalog)
    services = figures["fdi_services"]
    assert services.value == pytest.approx(584.56)
    assert services.unit == "billion CNY"
    assert figures["fdi_services_share"].value == pytest.approx(70.7)
    # The share is consistent with the two amounts it is computed from.
    national = figures["fdi_national"].value
    assert isinstance(national, float)
    assert isinstance(services.value, float)
    assert services.value / national * 100 == pytest.approx(70.7, abs=0.1)


def _numbers(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], float]]:
    if isinstance(node, dict):
        for key, item in node.items():
            yield from _numbers(item, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _numbers(item, (*path, index))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path, float(node)


def test_seed_article_figures_appear_nowhere(catalog: Catalog) -> None:
    # The seed article's "RMB 5.85 trillion (USD 584.56 billion), over 73%" is wrong (cities.md 1.2):
    # 5,845.6 亿元 is RMB 0.58 trillion, the 584.56 is yuan, not dollars, and the share is 70.7%.
    raw = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    for path, number in _numbers(raw):
        for wrong in (5.85, 5850.0, 5.85e12, 5_850_000.0):  # 5.85 trillion in any plausible unit
            assert not math.isclose(number, wrong, rel_tol=1e-3), path
    for program_figure in catalog.dataset.program.figures:
        assert program_figure.value is not None
        assert not math.isclose(float(program_figure.value), 73.0, abs_tol=0.5), program_figure.id
        if program_figure.unit == "billion USD":
            assert not math.isclose(float(program_figure.value), 584.56, rel_tol=1e-3), program_figure.id
    for city in catalog.dataset.cities:
        fdi = city.figures.get("fdi_utilised")
        assert fdi is None or fdi.value is None or not math.isclose(float(fdi.value), 584.56, rel_tol=1e-3)


# --- Integrity over the whole file ----------------------------------------------------------------


def _source_references(catalog: Catalog) -> Iterator[tuple[str, str]]:
    """(where, source id) for every place in the dataset that cites a source."""
    dataset = catalog.dataset
    for batch in dataset.program.batches:
        yield f"batch {batch.number}", batch.source
    for milestone in dataset.program.milestones:
        yield f"milestone {milestone.date}", milestone.source
    for program_figure in dataset.program.figures:
        yield f"program figure {program_figure.id}", program_figure.source
    for region in dataset.regions:
        yield f"region {region.id}", region.source
    for city in dataset.cities:
        yield f"{city.id} coordinates", city.coordinates_source
        yield f"{city.id} focus", city.focus_source
        if city.ftz is not None:
            yield f"{city.id} ftz", city.ftz.source
        for growth in city.sectors:
            yield f"{city.id} sector {growth.sector}", growth.source
        for key, stored in city.figures.items():
            yield f"{city.id} figure {key}", stored.source
    for measure in dataset.measures:
        for source_id in (measure.source, *measure.also):
            yield f"measure {measure.id}", source_id


def test_every_source_reference_resolves(catalog: Catalog) -> None:
    known = {source.id for source in catalog.dataset.sources}
    references = list(_source_references(catalog))
    assert len(references) > 300  # every city figure, sector and table is covered
    dangling = [(where, source) for where, source in references if source not in known]
    assert dangling == []


def test_source_ids_are_unique(catalog: Catalog) -> None:
    ids = [source.id for source in catalog.dataset.sources]
    assert len(ids) == len(set(ids))


def test_every_source_says_what_was_read(catalog: Catalog) -> None:
    # The original's web address, or (when it is unknown) the copy that was read.
    for source in catalog.dataset.sources:
        assert source.url is not None or source.via is not None, source.id
        if source.url is not None:
            parsed = urlparse(source.url)
            assert parsed.scheme in ("http", "https"), source.id
            assert parsed.netloc, source.id
            assert not re.search(r"\s", source.url), source.id


def _all_figures(catalog: Catalog) -> Iterator[tuple[str, Figure]]:
    for program_figure in catalog.dataset.program.figures:
        yield f"program {program_figure.id}", program_figure
    for city in catalog.dataset.cities:
        for key, stored in city.figures.items():
            yield f"{city.id} {key}", stored


def test_no_level_is_zero(catalog: Catalog) -> None:
    # A missing level is left out or null, never 0 (a False flag is a real "no", not a number);
    # a rate of change whose indicator allows 0 (growth of 0.0 %) may really be 0.
    may_be_zero = {indicator.id for indicator in catalog.dataset.indicators if indicator.allows_zero}
    assert "gdp_growth" in may_be_zero
    zeros = [
        where
        for where, stored in _all_figures(catalog)
        if not isinstance(stored.value, bool)
        and stored.value is not None
        and stored.value == 0
        and where.split()[-1] not in may_be_zero
    ]
    assert zeros == []


def test_every_missing_value_has_a_note(catalog: Catalog) -> None:
    missing = [where for where, stored in _all_figures(catalog) if stored.value is None]
    assert missing, "the dataset records checked-but-unknown values (e.g. Hainan's population)"
    assert [where for where, stored in _all_figures(catalog) if stored.value is None and not stored.note] == []


def test_figure_units_match_their_indicators(catalog: Catalog) -> None:
    units = {indicator.id: indicator.unit for indicator in catalog.dataset.indicators}
    for city in catalog.dataset.cities:
        for key, stored in city.figures.items():
            assert key in units, f"{city.id}: {key} is not a declared indicator"
            assert stored.unit == units[key], f"{city.id} {key}"


def test_value_types_match_indicator_kinds(catalog: Catalog) -> None:
    kinds = {indicator.id: indicator.kind for indicator in catalog.dataset.indicators}
    for city in catalog.dataset.cities:
        for key, stored in city.figures.items():
            value = stored.value
            if value is None:
                continue
            if kinds[key] == "flag":
                assert type(value) is bool, f"{city.id} {key}"
            elif kinds[key] in ("rank", "count"):
                assert type(value) is int, f"{city.id} {key}"
            else:
                assert type(value) in (int, float), f"{city.id} {key}"


def test_ranks_are_positive(catalog: Catalog) -> None:
    kinds = {indicator.id: indicator.kind for indicator in catalog.dataset.indicators}
    for city in catalog.dataset.cities:
        for key, stored in city.figures.items():
            if kinds[key] == "rank" and stored.value is not None:
                assert isinstance(stored.value, int)
                assert stored.value >= 1, f"{city.id} {key}"


def test_percentages_are_between_0_and_100(catalog: Catalog) -> None:
    percentages = [(where, stored.value) for where, stored in _all_figures(catalog) if stored.unit == "%"]
    assert len(percentages) > 15
    for where, value in percentages:
        if value is not None:
            assert isinstance(value, int | float)
            assert not isinstance(value, bool)
            assert 0 < value <= 100, where


def test_every_city_has_a_known_growth_sector(catalog: Catalog) -> None:
    known = {sector.id for sector in catalog.dataset.sectors}
    for city in catalog.dataset.cities:
        assert city.sectors, city.id
        for growth in city.sectors:
            assert growth.sector in known, f"{city.id}: {growth.sector}"
            assert growth.evidence.strip(), f"{city.id}: {growth.sector}"
        assert len({g.sector for g in city.sectors}) == len(city.sectors), city.id


def test_sector_presets_name_known_indicators(catalog: Catalog) -> None:
    for sector in catalog.dataset.sectors:
        for name in (*sector.indicators, *sector.weights):
            assert name in catalog.indicators, f"{sector.id}: {name}"


SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_ids_are_lowercase_slugs(catalog: Catalog) -> None:
    dataset = catalog.dataset
    for kind, ids in (
        ("city", [c.id for c in dataset.cities]),
        ("region", [r.id for r in dataset.regions]),
        ("sector", [s.id for s in dataset.sectors]),
        ("source", [s.id for s in dataset.sources]),
    ):
        for record_id in ids:
            assert SLUG.match(record_id), f"{kind} id {record_id!r}"
    for indicator in dataset.indicators:
        assert re.match(r"^[a-z][a-z0-9_]*$", indicator.id), indicator.id


def _fold(name: str) -> str:
    """An independent, aggressive name key: case, accents and all punctuation and spaces dropped."""
    decomposed = unicodedata.normalize("NFKD", name).casefold()
    return "".join(ch for ch in decomposed if ch.isalnum())


def test_city_names_are_unambiguous(catalog: Catalog) -> None:
    owners: dict[str, set[str]] = {}
    for city in catalog.dataset.cities:
        for name in (city.id, city.name, city.name_zh, *city.aliases):
            owners.setdefault(_fold(name), set()).add(city.id)
    shared = {name: ids for name, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_sector_names_are_unambiguous(catalog: Catalog) -> None:
    owners: dict[str, set[str]] = {}
    for sector in catalog.dataset.sectors:
        for name in (sector.id, sector.name, sector.name_zh, *sector.aliases):
            owners.setdefault(_fold(name), set()).add(sector.id)
    assert {name: ids for name, ids in owners.items() if len(ids) > 1} == {}


def test_dates_and_years_are_plausible(catalog: Catalog) -> None:
    as_of = catalog.dataset.dataset.as_of
    batch_dates = {b.number: b.date for b in catalog.dataset.program.batches}
    for city in catalog.dataset.cities:
        assert batch_dates[city.batch] <= city.joined <= as_of, city.id
        if city.ftz is not None:
            assert 2013 <= city.ftz.since <= as_of.year, city.id  # Shanghai's was the first FTZ (2013)
        for key, stored in city.figures.items():
            assert 2015 <= stored.year <= as_of.year, f"{city.id} {key}"
    for program_figure in catalog.dataset.program.figures:
        assert 2015 <= program_figure.year <= as_of.year, program_figure.id


# --- Lookups -------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Xi'an", "xian", "XIAN", "xi an", "西安", "Sian", "Hsi-an", "Xi’an"])
def test_city_lookup_xian(catalog: Catalog, query: str) -> None:
    assert catalog.city(query).id == "xian"


@pytest.mark.parametrize(
    ("query", "city_id"),
    [
        ("Peking", "beijing"),
        ("Canton", "guangzhou"),
        ("Amoy", "xiamen"),
        ("Tsingtao", "qingdao"),
        ("Mukden", "shenyang"),
        ("Haikou", "hainan"),
        ("深圳", "shenzhen"),
        ("Shanghai Municipality", "shanghai"),
    ],
)
def test_city_lookup_by_alias_and_chinese_name(catalog: Catalog, query: str, city_id: str) -> None:
    assert catalog.city(query).id == city_id


def test_unknown_city_suggests_the_closest(catalog: Catalog) -> None:
    with pytest.raises(NotFoundError) as caught:
        catalog.city("shenzen")
    assert "shenzhen" in caught.value.suggestions
    assert caught.value.candidates == []
    assert caught.value.hint is not None
    assert "shenzhen" in caught.value.hint


def test_unknown_city_without_any_close_name(catalog: Catalog) -> None:
    with pytest.raises(NotFoundError) as caught:
        catalog.city("Urumqi")
    assert caught.value.suggestions == []
    assert caught.value.candidates == []
    assert catalog.get_city("Urumqi") is None


@pytest.mark.parametrize(
    ("query", "candidates"),
    [("sh", ["shanghai", "shenyang", "shenzhen"]), ("shen", ["shenyang", "shenzhen"])],
)
def test_ambiguous_prefix_lists_the_candidates(catalog: Catalog, query: str, candidates: list[str]) -> None:
    with pytest.raises(NotFoundError) as caught:
        catalog.city(query)
    assert sorted(caught.value.candidates) == candidates
    for candidate in candidates:
        assert candidate in caught.value.message


def test_ambiguous_prefix_message_is_plural(catalog: Catalog) -> None:
    with pytest.raises(NotFoundError) as caught:
        catalog.city("sh")
    assert "several cities" in caught.value.message


def test_unique_prefix_resolves(catalog: Catalog) -> None:
    assert catalog.city("shenz").id == "shenzhen"
    assert catalog.city("Chongq").id == "chongqing"


@pytest.mark.parametrize(
    ("query", "sector_id"),
    [
        ("financial services", "finance"),
        ("Financial Services", "finance"),
        ("health", "healthcare"),
        ("telecommunications", "telecom"),
        ("tech", "technology"),
        ("金融", "finance"),
        ("legal", "professional-services"),
    ],
)
def test_sector_lookup(catalog: Catalog, query: str, sector_id: str) -> None:
    assert catalog.sector(query).id == sector_id


@pytest.mark.parametrize(
    ("query", "region_id"),
    [("Northeast", "northeast"), ("东北", "northeast"), ("east", "east"), ("中部", "central"), ("West", "west")],
)
def test_region_lookup(catalog: Catalog, query: str, region_id: str) -> None:
    assert catalog.region(query).id == region_id


def test_unknown_sector_and_region(catalog: Catalog) -> None:
    with pytest.raises(NotFoundError):
        catalog.sector("mining")
    with pytest.raises(NotFoundError):
        catalog.region("Southwest")


# --- Derived figures ------------------------------------------------------------------------------


def test_gdp_per_capita_for_beijing_from_the_fact_sheet(catalog: Catalog) -> None:
    # 2024: 49,843.1 亿元 / 2,183.2 万人 = 228.3 thousand CNY per person (the portal says 228,000).
    derived = figure(catalog.at_year(2024), catalog.cities["beijing"], "gdp_per_capita")
    assert derived is not None
    assert derived.value == pytest.approx(yi(49843.1) / wan(2183.2), abs=0.01)
    assert derived.unit == "thousand CNY per person"
    assert derived.year == 2024
    # By default: the latest year both inputs have (2025: 5,207.34 bn / 21.8 m).
    latest = figure(catalog, catalog.cities["beijing"], "gdp_per_capita")
    assert latest is not None
    assert latest.year == 2025
    assert latest.value == pytest.approx(5207.34 / 21.8, abs=0.01)


@pytest.mark.parametrize("city_id", sorted(EXPECTED_BATCH))
def test_gdp_per_capita_is_gdp_over_population(catalog: Catalog, city_id: str) -> None:
    city = catalog.cities[city_id]
    for year in (2025, 2024, 2023):
        gdp, population = value_in(city, "gdp", year), value_in(city, "population", year)
        derived = figure(catalog.at_year(year), city, "gdp_per_capita")
        if gdp is None or population is None:
            assert derived is None
        else:
            assert derived is not None
            assert derived.value == pytest.approx(gdp / population, abs=0.005)
    # By default: the latest year that has both (never a 2025 GDP over a 2024 population).
    latest = figure(catalog, city, "gdp_per_capita")
    if latest is not None:
        assert latest.year is not None
        assert value_in(city, "gdp", latest.year) is not None
        assert value_in(city, "population", latest.year) is not None


def test_gdp_per_capita_missing_without_population(catalog: Catalog, tmp_path: Path) -> None:
    # Without a population for the year there is nothing to divide by, whichever cities lack one.
    for year in catalog.years():
        at = catalog.at_year(year)
        for city in catalog.dataset.cities:
            if value_in(city, "population", year) is None:
                assert figure(at, city, "gdp_per_capita") is None, (city.id, year)
    # A city with both figures loses its GDP per capita with its population (and keeps its GDP).
    shanghai = catalog.cities["shanghai"]
    assert figure(catalog, shanghai, "gdp_per_capita") is not None
    raw = factories.without_values(factories.shipped_raw(), "shanghai", "population")
    gapped = load(factories.write_raw(raw, tmp_path / "cities.toml"))
    assert figure(gapped, gapped.cities["shanghai"], "gdp_per_capita") is None
    gdp = figure(gapped, gapped.cities["shanghai"], "gdp")
    assert gdp is not None
    assert gdp.value is not None


def test_gdp_per_capita_is_derived_not_stored(catalog: Catalog) -> None:
    info = catalog.indicator("gdp_per_capita")
    assert info.derived_from == ("gdp", "population")
    assert all("gdp_per_capita" not in c.figures for c in catalog.dataset.cities)
    assert "gdp_per_capita" not in {i.id for i in catalog.dataset.indicators}


# --- Sectors in a comparison of three or more cities ---------------------------------------------


def test_unique_sectors_are_held_by_no_other_compared_city(catalog: Catalog) -> None:
    cities = [catalog.city(name) for name in ("beijing", "shanghai", "hefei")]
    have = {c.id: {g.sector for g in c.sectors} for c in cities}
    by_two = {s for s in set().union(*have.values()) if sum(s in h for h in have.values()) == 2}
    assert by_two, "the shipped data should have a sector held by two of the three cities"
    comparison = compare(catalog, cities)
    assert set(comparison.shared_sectors) == set.intersection(*have.values())
    for sector_id in by_two:
        assert sector_id not in comparison.shared_sectors
        for only in comparison.unique_sectors.values():
            assert sector_id not in only
    for c in cities:
        others = set().union(*(h for cid, h in have.items() if cid != c.id))
        assert comparison.unique_sectors[c.id] == [g.sector for g in c.sectors if g.sector not in others]
    assert comparison.unique_sectors["beijing"] == []
    assert "logistics" in comparison.unique_sectors["shanghai"]


def test_unique_sectors_with_two_cities_are_unchanged(catalog: Catalog) -> None:
    comparison = compare(catalog, [catalog.city("beijing"), catalog.city("hefei")])
    assert comparison.shared_sectors == ["finance", "technology"]
    assert "finance" not in comparison.unique_sectors["beijing"]
    assert "healthcare" in comparison.unique_sectors["beijing"]
    assert comparison.unique_sectors["hefei"] == []


def test_compare_json_unique_sectors(catalog: Catalog) -> None:
    result = run_cli("compare", "beijing", "shanghai", "hefei", "--json")
    assert result.exit_code == 0, result.stderr
    unique = result.json()["sectors"]["unique"]
    assert "healthcare" not in unique["beijing"]
    assert "healthcare" not in unique["shanghai"]


# --- Sources cited inside notes, evidence and focus -----------------------------------------------


def test_profile_sources_include_ids_cited_in_notes(catalog: Catalog) -> None:
    hainan = catalog.city("hainan")
    notes = " ".join(f.note or "" for f in hainan.figures.values())
    for cited in ("d43b", "d45"):
        assert cited in notes  # the shipped notes cite them...
    entries = [entry for f in hainan.figures.values() for entry in (f, *f.history)]
    structured = {hainan.coordinates_source, hainan.focus_source, *(s for e in entries for s in (e.source, *e.also))}
    assert not {"d43b", "d45"} & structured  # ...and no structured field does
    ids = [source["id"] for source in city_profile(catalog, hainan)["sources"]]
    assert {"d43b", "d45"} <= set(ids)
    assert structured <= set(ids)  # history and `also` sources too
    assert len(ids) == len(set(ids))
    # After the structured ones, in the order the notes mention them.
    assert ids[-2:] == ["d43b", "d45"]
    assert "f7" not in ids


def test_cited_sources_match_whole_known_ids_only(catalog: Catalog) -> None:
    assert {"nature-index-2025", "nature-index-2025-ecns", "d37", "d3", "f10"} <= set(catalog.sources)
    assert "d370" not in catalog.sources
    assert "d37b" not in catalog.sources
    texts = [
        "see nature-index-2025-ecns and (d37; also d3)",
        "d370, xd37, d37b, unknown d99",
        "(f10) again d37",
        "nature-index-2025.",
    ]
    assert cited_sources(catalog, texts) == ["nature-index-2025-ecns", "d37", "d3", "f10", "nature-index-2025"]


def _texts(value: Any) -> Iterator[str]:
    """Every string of the dataset's prose: notes, evidence, focus (not ids, addresses or citations)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("id", "url", "via", "source", "also"):
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, str):
        yield value


def test_every_short_source_id_a_note_names_is_a_source() -> None:
    # `show` lists the sources that notes name; a deleted one would vanish from that list without
    # a word, so a note must not name one. Short ids are the first sources' (p21, d37, d43b, f10).
    raw = tomllib.loads(DATA.read_text(encoding="utf-8"))
    known = {source["id"] for source in raw["sources"]}
    named = {word for text in _texts(raw) for word in re.findall(r"\b[pdfgc]\d{1,2}[a-z]?\b", text)}
    assert len(named) > 20  # the notes do cite sources this way
    assert named - known == set()


# --- Lookups as a user types them ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("北京市", "beijing"),
        ("上海市", "shanghai"),
        ("海南省", "hainan"),
        ("Beijing City", "beijing"),
        ("Hainan Province", "hainan"),
        ("Hangzhou Municipality", "hangzhou"),
        ("Hefei City", "hefei"),
        ("xi'an city", "xian"),
        ("Shenz City", "shenzhen"),  # a unique prefix, once the suffix is gone
    ],
)
def test_city_with_an_administrative_suffix(catalog: Catalog, query: str, expected: str) -> None:
    assert catalog.city(query).id == expected


def test_a_suffix_alone_is_not_stripped_to_nothing(catalog: Catalog) -> None:
    with pytest.raises(NotFoundError):
        catalog.city("市")
    with pytest.raises(NotFoundError):
        catalog.city("province")


def test_show_accepts_a_suffixed_name() -> None:
    result = run_cli("show", "北京市", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["id"] == "beijing"


def test_field_names_ignore_case(catalog: Catalog) -> None:
    assert resolve_field(catalog, "GDP") == "gdp"
    assert resolve_field(catalog, "Name_ZH") == "name_zh"
    with pytest.raises(NotFoundError):
        resolve_field(catalog, "gdpx")


def test_indicator_names_ignore_case(catalog: Catalog) -> None:
    assert catalog.indicator("GDP").id == "gdp"
    assert catalog.indicator("GDP_Per_Capita").id == "gdp_per_capita"
    with pytest.raises(NotFoundError):
        catalog.indicator("gdpx")


def test_list_sort_ignores_case() -> None:
    upper = run_cli("list", "--sort", "GDP", "--desc", "--json")
    lower = run_cli("list", "--sort", "gdp", "--desc", "--json")
    assert upper.exit_code == 0, upper.stderr
    assert [c["id"] for c in upper.json()] == [c["id"] for c in lower.json()]


def test_coastal_follows_the_one_stated_rule(catalog: Catalog) -> None:
    # docs/data.md: coastal when the territory touches the sea or a bay of it; a river estuary
    # alone does not count. A coastal city's note that names an estuary names its sea too.
    sea = re.compile(r"\b(Sea|Bay|Strait|Ocean)\b")
    estuary_only = [
        c.id
        for c in catalog.dataset.cities
        if c.coastal and c.coastal_note and "estuary" in c.coastal_note and not sea.search(c.coastal_note)
    ]
    assert estuary_only == []
    suzhou = next(c for c in catalog.dataset.cities if c.id == "suzhou")
    assert not suzhou.coastal  # on the Yangtze estuary, no sea coast
