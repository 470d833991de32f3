"""Invalid datasets: each rule of the dataset format is broken once, and the problem is checked.

Every invalid dataset is the shipped one, parsed, mutated and written to a temporary
file (see `factories`); the problem must name the city and the field, say what is
wrong, and point at the line of the written file that holds the offending key.
The autouse fixture in conftest gives every test its own empty cache.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from factories import (
    SHIPPED,
    assert_located,
    city,
    line_text,
    lines_of,
    owner_id,
    problems_for,
    problems_of,
    program_figure,
    sector,
    shipped_raw,
    the_problem,
    write_raw,
)
from pilotcli import models
from pilotcli.dataset import DERIVED, Catalog, load, read_dataset
from pilotcli.errors import DataError

Mutation = Callable[[dict[str, Any]], None]


def set_key(path: tuple[str | int, ...], value: Any) -> Mutation:
    """A mutation that sets raw[path...] = value, where path starts with a city id."""

    def mutate(raw: dict[str, Any]) -> None:
        node: Any = city(raw, str(path[0]))
        for part in path[1:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def test_round_tripped_shipped_dataset_is_valid(tmp_path: Path) -> None:
    # Control for every test below: writing the shipped data back with tomli_w, unchanged,
    # gives a valid file, so each problem below comes from its mutation alone.
    path = write_raw(shipped_raw(), tmp_path / "cities.toml")
    dataset = read_dataset(path)
    assert len(dataset.cities) == 20


# --- Types and ranges of single values -------------------------------------------------


@pytest.mark.parametrize(
    ("path", "bad", "field", "key", "expected"),
    [
        (("xian", "figures", "gdp", "value"), "1331.778", "figures.gdp.value", "value", r"number"),
        (("xian", "figures", "gdp", "value"), True, "figures.gdp.value", "value", r"number"),
        (("xian", "lat"), "34.27", "lat", "lat", r"number"),
        (("xian", "batch"), "4", "batch", "batch", r"integer|whole number"),
        (("xian", "provincial_capital"), "yes", "provincial_capital", "provincial_capital", r"bool|true|false"),
    ],
    ids=["figure-string", "figure-bool", "lat-string", "batch-string", "flag-string"],
)
def test_wrong_type(tmp_path: Path, path: tuple[str, ...], bad: Any, field: str, key: str, expected: str) -> None:
    raw = shipped_raw()
    set_key(path, bad)(raw)
    written, problems = problems_for(raw, tmp_path)
    problem = the_problem(problems, city="xian", field=field)
    assert len(problems) == 1
    assert repr(bad) in problem.message or str(bad) in problem.message
    assert re.search(expected, problem.message, re.IGNORECASE), problem.message
    assert_located(problem, written, f"{key} =")


@pytest.mark.parametrize(
    ("coordinate", "bad"),
    [("lat", 60.0), ("lat", 10.0), ("lon", 140.0), ("lon", 70.0)],
    ids=["north-of-china", "south-of-hainan", "east-of-china", "west-of-china"],
)
def test_coordinates_outside_china(tmp_path: Path, coordinate: str, bad: float) -> None:
    raw = shipped_raw()
    city(raw, "xian")[coordinate] = bad
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field=coordinate)
    assert str(bad) in problem.message
    assert re.search(r"less|greater|range|outside|between", problem.message), problem.message
    assert_located(problem, written, f"{coordinate} = {bad}")


@pytest.mark.parametrize("bad", [100.5, 120.0])
def test_percentage_above_100(tmp_path: Path, bad: float) -> None:
    raw = shipped_raw()
    city(raw, "xian")["figures"]["services_share"]["value"] = bad
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field="figures.services_share.value")
    assert str(bad) in problem.message
    assert "100" in problem.message
    assert re.search(r"above|maximum|more than|exceed", problem.message), problem.message
    assert_located(problem, written, f"value = {bad}", header="cities.figures.services_share")


def test_percentage_above_100_in_program_figures(tmp_path: Path) -> None:
    raw = shipped_raw()
    program_figure(raw, "fdi_services_share")["value"] = 170.7
    path = write_raw(raw, tmp_path / "cities.toml")
    with pytest.raises(DataError) as caught:
        read_dataset(path)
    problem = the_problem(caught.value.problems, city=None, field="program.figures[fdi_services_share].value")
    assert "170.7" in problem.message


def test_negative_population(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "xian")["figures"]["population"]["value"] = -13.1676
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field="figures.population.value")
    assert "-13.1676" in problem.message
    assert re.search(r"below|minimum|negative", problem.message), problem.message
    assert_located(problem, written, "value = -13.1676", header="cities.figures.population")


@pytest.mark.parametrize(
    ("indicator", "zero"),
    [("gdp", 0), ("gdp", 0.0), ("population", 0.0), ("services_share", 0.0), ("fdi_utilised", 0.0)],
)
def test_zero_for_a_quantity(tmp_path: Path, indicator: str, zero: float) -> None:
    raw = shipped_raw()
    figures = city(raw, "dalian")["figures"]
    figures[indicator]["value"] = zero
    figures[indicator]["note"] = "unknown"
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="dalian", field=f"figures.{indicator}.value")
    assert re.search(r"\b0\b", problem.message)
    assert re.search(r"plausible|leave|unknown|missing", problem.message), problem.message
    assert_located(problem, written, f"value = {zero}", header=f"cities.figures.{indicator}")


def test_zero_count_is_allowed(tmp_path: Path) -> None:
    # Counts can truly be zero (a city with no Fortune 500 headquarters): only quantities can't.
    raw = shipped_raw()
    city(raw, "xian")["figures"]["fortune500_hq"] = {
        "value": 0,
        "unit": "companies",
        "year": 2025,
        "source": "fortune500-2025",
        "confidence": "low",
    }
    dataset = read_dataset(write_raw(raw, tmp_path / "cities.toml"))
    xian = next(c for c in dataset.cities if c.id == "xian")
    assert xian.figures["fortune500_hq"].value == 0


def test_zero_is_allowed_where_the_indicator_says_so(tmp_path: Path) -> None:
    # A growth rate of 0.0 % is a real value: its indicator allows 0, and so does the check.
    raw = shipped_raw()
    raw["indicators"].append(
        {
            "id": "growth_rate",
            "name": "Growth",
            "unit": "%",
            "kind": "quantity",
            "description": "Real growth.",
            "minimum": -50.0,
            "allows_zero": True,
        }
    )
    figure = {"value": 0.0, "unit": "%", "year": 2025, "source": "d9", "confidence": "medium"}
    city(raw, "xian")["figures"]["growth_rate"] = figure
    dataset = read_dataset(write_raw(raw, tmp_path / "cities.toml"))
    xian = next(c for c in dataset.cities if c.id == "xian")
    assert xian.figures["growth_rate"].value == 0.0
    raw["indicators"][-1]["allows_zero"] = False
    _, problems = problems_for(raw, tmp_path, "refused.toml")
    the_problem(problems, city="xian", field="figures.growth_rate.value")


def test_a_growth_of_zero_validates_and_shows_as_zero_never_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = shipped_raw()
    city(raw, "xian")["figures"]["gdp_growth"]["value"] = 0.0
    path = str(write_raw(raw, tmp_path / "cities.toml"))
    assert run_cli("validate", path).exit_code == 0
    shown = run_cli("--data", path, "show", "xian", "--json").json()["gdp_growth"]
    assert (shown["value"], shown["year"]) == (0.0, 2025)
    table = run_cli("--data", path, "show", "xian").stdout
    assert re.search(r"Real GDP growth \(%\) +0\.0 +2025", table), table
    matched = run_cli("--data", path, "list", "--where", "gdp_growth=0", "--fields", "id,gdp_growth").stdout
    assert [line.split() for line in matched.splitlines() if line.startswith("xian")] == [["xian", "0.0"]]
    compared = run_cli("--data", path, "compare", "xian", "hefei").stdout
    growth = next(line for line in compared.splitlines() if line.startswith("Real GDP growth"))
    assert growth.split()[4] == "0.0", growth
    exported = csv.DictReader(io.StringIO(run_cli("--data", path, "export", "--format", "csv", "--flat").stdout))
    assert next(row for row in exported if row["id"] == "xian")["gdp_growth"] == "0.0"


def test_zero_in_program_figures(tmp_path: Path) -> None:
    raw = shipped_raw()
    program_figure(raw, "fdi_services")["value"] = 0
    path = write_raw(raw, tmp_path / "cities.toml")
    with pytest.raises(DataError) as caught:
        read_dataset(path)
    the_problem(caught.value.problems, city=None, field="program.figures[fdi_services].value")


@pytest.mark.parametrize(
    ("indicator", "bad"),
    [("gfci_rank", 8.0), ("wipo_cluster_rank", 6.0), ("double_first_class", 15.0), ("fortune500_hq", 12.5)],
)
def test_rank_or_count_given_as_float(tmp_path: Path, indicator: str, bad: float) -> None:
    raw = shipped_raw()
    city(raw, "shanghai")["figures"][indicator]["value"] = bad
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="shanghai", field=f"figures.{indicator}.value")
    assert str(bad) in problem.message
    assert re.search(r"whole number|integer", problem.message), problem.message
    assert_located(problem, written, f"value = {bad}", header=f"cities.figures.{indicator}")


@pytest.mark.parametrize(
    ("indicator", "bad"),
    [("vats_pilot", 1), ("foreign_hospital_pilot", 0), ("cell_gene_pilot", 1.0)],
)
def test_flag_given_as_a_number(tmp_path: Path, indicator: str, bad: float) -> None:
    # These flags are derived from the measures; without the measures they are stored figures.
    raw = shipped_raw()
    raw.pop("measures")
    stored = {"value": bad, "unit": "yes/no", "year": 2024, "source": "vats-pilot-2024", "confidence": "medium"}
    city(raw, "shanghai")["figures"][indicator] = stored
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="shanghai", field=f"figures.{indicator}.value")
    assert str(bad) in problem.message
    assert re.search(r"true|false|yes/no", problem.message), problem.message
    assert_located(problem, written, f"value = {bad}", header=f"cities.figures.{indicator}")


@pytest.mark.parametrize(
    ("where", "right", "typo", "field", "header"),
    [
        (("xian", "figures", "gdp"), "value", "valeu", "figures.gdp.valeu", "cities.figures.gdp"),
        (("xian",), "region", "regoin", "regoin", "cities"),
        (("xian", "ftz"), "since", "sinse", "ftz.sinse", "cities.ftz"),
        (("xian", "sectors", 0), "evidence", "evidance", "sectors[technology].evidance", "cities.sectors"),
    ],
    ids=["figure", "city", "ftz", "growth-sector"],
)
def test_unknown_field_suggests_the_right_one(
    tmp_path: Path, where: tuple[str | int, ...], right: str, typo: str, field: str, header: str
) -> None:
    raw = shipped_raw()
    node: Any = city(raw, str(where[0]))
    for part in where[1:]:
        node = node[part]
    node[typo] = node.pop(right)
    written, problems = problems_for(raw, tmp_path)
    problem = the_problem(problems, city="xian", field=field)
    assert "unknown field" in problem.message
    assert f"did you mean '{right}'" in problem.message
    assert_located(problem, written, f"{typo} =", header=header)


# --- Ids and cross references -------------------------------------------------------------


def test_duplicate_city_id(tmp_path: Path) -> None:
    raw = shipped_raw()
    raw["cities"].append(dict(city(raw, "xian")))
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field="id")
    assert "duplicate" in problem.message
    assert "xian" in problem.message
    # The line is the second `id = "xian"`: the copy, not the original.
    id_lines = [n for n, text in enumerate(lines_of(written), start=1) if text == 'id = "xian"']
    assert len(id_lines) == 2
    assert problem.line == id_lines[1]


def test_duplicate_source_id(tmp_path: Path) -> None:
    raw = shipped_raw()
    copy = dict(raw["sources"][5])
    duplicated = copy["id"]
    copy["title"] = "Another page under a taken id"
    raw["sources"].append(copy)
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city=None, field=f"sources[{duplicated}].id")
    assert "duplicate" in problem.message
    assert duplicated in problem.message
    id_lines = [n for n, text in enumerate(lines_of(written), start=1) if text == f'id = "{duplicated}"']
    assert len(id_lines) == 2
    assert problem.line == id_lines[1]
    assert owner_id(written, id_lines[1], "sources") == duplicated


@pytest.mark.parametrize(
    ("path", "bad", "field", "header"),
    [
        (("xian", "figures", "gdp", "source"), "d99", "figures.gdp.source", "cities.figures.gdp"),
        (("xian", "sectors", 0, "source"), "gii2099-wipo", "sectors[technology].source", "cities.sectors"),
        (("xian", "ftz", "source"), "f99", "ftz.source", "cities.ftz"),
        (("xian", "focus_source"), "p99", "focus_source", "cities"),
        (("xian", "coordinates_source"), "g99", "coordinates_source", "cities"),
    ],
    ids=["figure", "growth-sector", "ftz", "focus", "coordinates"],
)
def test_dangling_source_reference(
    tmp_path: Path, path: tuple[str | int, ...], bad: str, field: str, header: str
) -> None:
    raw = shipped_raw()
    set_key(path, bad)(raw)
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field=field)
    assert f"unknown source '{bad}'" in problem.message
    assert_located(problem, written, f'{path[-1]} = "{bad}"', header=header)


def test_dangling_source_reference_in_program_figure(tmp_path: Path) -> None:
    raw = shipped_raw()
    program_figure(raw, "fdi_services")["source"] = "p99"
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city=None, field="program.figures[fdi_services].source")
    assert "unknown source 'p99'" in problem.message
    assert_located(problem, written, 'source = "p99"', header="program.figures")


def test_unknown_sector_in_city(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "xian")["sectors"][0]["sector"] = "biotech"
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field="sectors[biotech].sector")
    assert "unknown sector 'biotech'" in problem.message
    assert_located(problem, written, 'sector = "biotech"', header="cities.sectors")


def test_sector_listed_twice_in_city(tmp_path: Path) -> None:
    raw = shipped_raw()
    growth = city(raw, "xian")["sectors"]
    growth.append(dict(growth[0]))
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field="sectors[technology].sector")
    assert "twice" in problem.message
    assert_located(problem, written, 'sector = "technology"', header="cities.sectors")


def test_unknown_region(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "xian")["region"] = "southwest"
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field="region")
    assert "unknown region 'southwest'" in problem.message
    assert_located(problem, written, 'region = "southwest"', header="cities")


@pytest.mark.parametrize(
    ("city_id", "province", "region"),
    [("xian", "Jiangsu", "west"), ("dalian", "Shandong", "northeast"), ("wuhan", "Hubei Province", "central")],
)
def test_province_not_in_its_region(tmp_path: Path, city_id: str, province: str, region: str) -> None:
    raw = shipped_raw()
    city(raw, city_id)["province"] = province
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city=city_id, field="province")
    assert province in problem.message
    assert region in problem.message
    assert_located(problem, written, f'province = "{province}"', header="cities")


@pytest.mark.parametrize("batch", [5, 12])
def test_unknown_batch(tmp_path: Path, batch: int) -> None:
    raw = shipped_raw()
    city(raw, "xian")["batch"] = batch
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field="batch")
    assert f"unknown batch {batch}" in problem.message
    assert_located(problem, written, f"batch = {batch}", header="cities")


@pytest.mark.parametrize(
    ("city_id", "joined"),
    [("xian", dt.date(2025, 4, 10)), ("beijing", dt.date(2015, 5, 4)), ("wuhan", dt.date(2021, 4, 20))],
    ids=["a-day-early", "batch-1-a-day-early", "a-batch-early"],
)
def test_joined_before_its_batch(tmp_path: Path, city_id: str, joined: dt.date) -> None:
    raw = shipped_raw()
    city(raw, city_id)["joined"] = joined
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city=city_id, field="joined")
    assert joined.isoformat() in problem.message
    assert "before" in problem.message
    assert_located(problem, written, f"joined = {joined.isoformat()}", header="cities")


@pytest.mark.parametrize(
    ("where", "year", "field", "header"),
    [
        (("figures", "gdp", "year"), 1800, "figures.gdp.year", "cities.figures.gdp"),
        (("figures", "gdp", "year"), 2300, "figures.gdp.year", "cities.figures.gdp"),
        (("figures", "gdp", "year"), 2030, "figures.gdp.year", "cities.figures.gdp"),
        (("ftz", "since"), 1800, "ftz.since", "cities.ftz"),
        (("ftz", "since"), 2300, "ftz.since", "cities.ftz"),
        (("ftz", "since"), 2030, "ftz.since", "cities.ftz"),
    ],
)
def test_implausible_year(tmp_path: Path, where: tuple[str, ...], year: int, field: str, header: str) -> None:
    raw = shipped_raw()
    set_key(("xian", *where), year)(raw)
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field=field)
    assert str(year) in problem.message
    assert_located(problem, written, f"{where[-1]} = {year}", header=header)


@pytest.mark.parametrize("year", [1800, 2099])
def test_implausible_year_in_program_figure(tmp_path: Path, year: int) -> None:
    raw = shipped_raw()
    program_figure(raw, "fdi_services")["year"] = year
    path = write_raw(raw, tmp_path / "cities.toml")
    with pytest.raises(DataError) as caught:
        read_dataset(path)
    problem = the_problem(caught.value.problems, city=None, field="program.figures[fdi_services].year")
    assert str(year) in problem.message


def test_figure_without_value_and_without_note(tmp_path: Path) -> None:
    raw = shipped_raw()
    gdp = city(raw, "xian")["figures"]["gdp"]
    del gdp["value"]
    del gdp["note"]
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field="figures.gdp.note")
    assert re.search(r"without a value|no value", problem.message), problem.message
    assert "note" in problem.message
    # There is no note line to point at: the figure's own table header is the right line.
    assert_located(problem, written, "[cities.figures.gdp]", header="cities.figures.gdp")


def test_figure_without_value_but_with_note_is_valid(tmp_path: Path) -> None:
    raw = shipped_raw()
    gdp = city(raw, "xian")["figures"]["gdp"]
    del gdp["value"]
    gdp["note"] = "2024 figure not found."
    dataset = read_dataset(write_raw(raw, tmp_path / "cities.toml"))
    xian = next(c for c in dataset.cities if c.id == "xian")
    assert xian.figures["gdp"].value is None


def test_program_figure_without_value_and_without_note(tmp_path: Path) -> None:
    raw = shipped_raw()
    figure = program_figure(raw, "fdi_services")
    del figure["value"]
    del figure["note"]
    path = write_raw(raw, tmp_path / "cities.toml")
    with pytest.raises(DataError) as caught:
        read_dataset(path)
    problem = the_problem(caught.value.problems, city=None, field="program.figures[fdi_services].note")
    assert "note" in problem.message


@pytest.mark.parametrize(
    ("indicator", "unit"),
    [("gdp", "100 million CNY"), ("population", "万人"), ("services_share", "percent"), ("gfci_rank", "place")],
)
def test_unit_mismatch(tmp_path: Path, indicator: str, unit: str) -> None:
    raw = shipped_raw()
    city(raw, "xian")["figures"][indicator]["unit"] = unit
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field=f"figures.{indicator}.unit")
    expected_unit = next(i["unit"] for i in shipped_raw()["indicators"] if i["id"] == indicator)
    assert unit in problem.message
    assert expected_unit in problem.message
    assert_located(problem, written, f'unit = "{unit}"', header=f"cities.figures.{indicator}")


@pytest.mark.parametrize(
    ("city_id", "field", "name", "other"),
    [
        ("xian", "aliases", "Nanjing", "nanjing"),
        ("xian", "aliases", "CANTON", "guangzhou"),
        ("suzhou", "aliases", "Xi An", "xian"),
        ("suzhou", "name_zh", "南京", "nanjing"),
    ],
    ids=["alias-is-a-name", "alias-is-an-alias", "alias-normalises-to-a-name", "chinese-name"],
)
def test_ambiguous_name(tmp_path: Path, city_id: str, field: str, name: str, other: str) -> None:
    raw = shipped_raw()
    target = city(raw, city_id)
    if field == "aliases":
        target["aliases"].append(name)
    else:
        target[field] = name
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city=city_id, field=field)
    assert name in problem.message
    assert other in problem.message
    assert_located(problem, written, f"{field} =", header="cities")


def test_derived_indicator_stored_in_a_city(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "xian")["figures"]["gdp_per_capita"] = {
        "value": 101.14,
        "unit": "thousand CNY per person",
        "year": 2024,
        "source": "xa-netease-2025-04-15",
        "confidence": "medium",
    }
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city="xian", field="figures.gdp_per_capita")
    assert "gdp_per_capita" in problem.message
    assert "derived" in problem.message
    assert_located(problem, written, "[cities.figures.gdp_per_capita]", header="cities.figures.gdp_per_capita")


def test_derived_indicator_declared_as_an_indicator(tmp_path: Path) -> None:
    raw = shipped_raw()
    raw["indicators"].append(
        {
            "id": "gdp_per_capita",
            "name": "GDP per capita",
            "unit": "thousand CNY per person",
            "kind": "quantity",
            "description": "Stored by hand.",
        }
    )
    written, problems = problems_for(raw, tmp_path)
    problem = the_problem(problems, city=None, field="indicators[gdp_per_capita].id")
    assert "derived" in problem.message
    assert_located(problem, written, 'id = "gdp_per_capita"', header="indicators")


def test_sector_weight_names_an_unknown_indicator(tmp_path: Path) -> None:
    raw = shipped_raw()
    sector(raw, "finance")["weights"]["gdpp"] = 1.0
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city=None, field="sectors[finance].weights")
    assert "unknown indicator 'gdpp'" in problem.message
    assert "did you mean 'gdp'" in problem.message
    assert_located(problem, written, "weights", header="sectors.weights")
    assert problem.line is not None
    assert owner_id(written, problem.line, "sectors") == "finance"


def test_sector_weight_may_name_a_derived_indicator(tmp_path: Path) -> None:
    # healthcare's preset weighs gdp_per_capita, which pilot derives: that is a known indicator.
    raw = shipped_raw()
    assert "gdp_per_capita" in sector(raw, "healthcare")["weights"]
    read_dataset(write_raw(raw, tmp_path / "cities.toml"))


@pytest.mark.parametrize(
    ("old", "new", "field", "city_id"),
    [
        (
            "weights = { gfci_rank = 3.0, qflp_pilot = 1.0, gdp = 1.0, fortune500_hq = 1.0 }",
            "weights = { gfci_rank = 3.0, qflp_pilot = 1.0, gdpp = 1.0, fortune500_hq = 1.0 }",
            "sectors[finance].weights",
            None,
        ),
        ("value = 1390.267", 'value = "1390.267"', "figures.gdp.value", "xian"),
    ],
    ids=["inline-table", "figure"],
)
def test_problem_lines_in_the_hand_written_file(
    tmp_path: Path, old: str, new: str, field: str, city_id: str | None
) -> None:
    # The shipped file is formatted by hand (inline tables, comments); lines must still be right.
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "cities.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    problem = the_problem(problems_of(path), city=city_id, field=field)
    assert line_text(path, problem.line) == new


# --- Whole files ---------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"], ids=["empty", "blank-lines", "bom-only"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "cities.toml"
    path.write_text(content, encoding="utf-8")
    problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].path == str(path)
    assert "empty" in problems[0].message


def test_file_with_no_cities(tmp_path: Path) -> None:
    raw = shipped_raw()
    raw["cities"] = []
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1
    problem = the_problem(problems, city=None, field="cities")
    assert "no cities" in problem.message
    assert line_text(written, problem.line) == "cities = []"


def test_malformed_toml_reports_line_and_column(tmp_path: Path) -> None:
    path = write_raw(shipped_raw(), tmp_path / "cities.toml")
    lines = lines_of(path)
    target = lines.index("lat = 34.27")  # Xi'an's latitude, 0-based index
    lines[target] = "lat 34.27"  # the '=' is missing: the parser stops at column 5 ("3")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = problems_of(path)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.path == str(path)
    assert "TOML" in problem.message
    assert problem.line == target + 1
    assert problem.column == 5
    assert "line" not in problem.message  # the position is in the fields, not repeated in the text


def test_malformed_toml_unterminated_string(tmp_path: Path) -> None:
    path = tmp_path / "cities.toml"
    path.write_text('[dataset]\nschema_version = 1\ntitle = "Pilot\nas_of = 2026-01-01\n', encoding="utf-8")
    problem = problems_of(path)[0]
    assert problem.line == 3
    assert problem.column is not None
    assert problem.column > len('title = "')


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "cities.toml"
    problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].path == str(path)
    assert "no such file" in problems[0].message


def test_directory(tmp_path: Path) -> None:
    problems = problems_of(tmp_path)
    assert len(problems) == 1
    assert problems[0].path == str(tmp_path)
    assert "directory" in problems[0].message


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "cities.toml"
    text = '[dataset]\nschema_version = 1\ntitle = "Suzhou café"\n'
    path.write_bytes(text.encode("latin-1"))
    problems = problems_of(path)
    assert len(problems) == 1
    assert "UTF-8" in problems[0].message
    assert "0xe9" in problems[0].message  # latin-1 é
    assert problems[0].line == 3


def test_utf16_file(tmp_path: Path) -> None:
    # A file saved as UTF-16 (a common editor choice on Windows) is refused, not misread.
    path = tmp_path / "cities.toml"
    path.write_bytes(SHIPPED.read_text(encoding="utf-8").encode("utf-16"))
    problems = problems_of(path)
    assert len(problems) == 1
    assert re.search(r"binary|UTF-8", problems[0].message), problems[0].message


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"],
    ids=["png", "gzip"],
)
def test_binary_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "cities.toml"
    path.write_bytes(content)
    problems = problems_of(path)
    assert len(problems) == 1
    assert "binary" in problems[0].message


# --- Several problems, and no side effects ------------------------------------------------------


def test_several_model_problems_are_all_reported(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "xian")["lat"] = 60.0
    city(raw, "wuhan")["figures"]["gdp"]["value"] = "21106.23"
    city(raw, "beijing")["batch"] = 1.0
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 3
    assert {(p.city, p.field) for p in problems} == {
        ("xian", "lat"),
        ("wuhan", "figures.gdp.value"),
        ("beijing", "batch"),
    }
    for problem in problems:
        assert_located(problem, written, (problem.field or "").rsplit(".", 1)[-1])


def test_several_whole_file_problems_are_all_reported(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "xian")["figures"]["gdp"]["value"] = 0
    city(raw, "wuhan")["region"] = "nowhere"
    city(raw, "dalian")["sectors"][0]["source"] = "nowhere"
    written, problems = problems_for(raw, tmp_path)
    assert len(problems) == 3
    assert {(p.city, p.field) for p in problems} == {
        ("xian", "figures.gdp.value"),
        ("wuhan", "region"),
        ("dalian", "sectors[logistics].source"),
    }
    for problem in problems:
        assert_located(problem, written, (problem.field or "").rsplit(".", 1)[-1])
    with pytest.raises(DataError) as caught:
        read_dataset(written)
    assert "2 more problems" in caught.value.message


def test_model_and_whole_file_problems_are_reported_together(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "xian")["lat"] = 60.0
    city(raw, "wuhan")["region"] = "nowhere"
    _, problems = problems_for(raw, tmp_path)
    assert {p.city for p in problems} == {"xian", "wuhan"}


def test_input_file_is_unchanged_after_a_failed_load(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "xian")["figures"]["gdp"]["value"] = 0
    city(raw, "hefei")["lat"] = 99.0
    path = write_raw(raw, tmp_path / "cities.toml")
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    with pytest.raises(DataError):
        read_dataset(path)
    with pytest.raises(DataError):
        load(path)
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cities.toml"]  # no backup or temp files


def test_shipped_file_is_unchanged_by_loading(tmp_path: Path) -> None:
    before = SHIPPED.read_bytes()
    read_dataset(SHIPPED)
    assert SHIPPED.read_bytes() == before


def test_listed_is_for_ranks_without_a_value(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "wuhan")["figures"]["gdp"]["listed"] = False
    city(raw, "shanghai")["figures"]["gfci_rank"]["listed"] = False  # Shanghai is ranked 8th
    _, problems = problems_for(raw, tmp_path)
    found = {(p.city, p.field) for p in problems}
    assert ("wuhan", "figures.gdp.listed") in found
    assert ("shanghai", "figures.gfci_rank.listed") in found


# --- A name or alias that is another city's id -------------------------------------------


def test_alias_equal_to_a_later_citys_id_is_refused(tmp_path: Path) -> None:
    raw = shipped_raw()
    ids = [item["id"] for item in raw["cities"]]
    assert ids.index("beijing") < ids.index("hefei")
    city(raw, "beijing")["aliases"] = [*city(raw, "beijing")["aliases"], "Hefei"]
    # Hefei's own names no longer spell its id, so only the id can clash with the alias.
    city(raw, "hefei")["name"] = "Hefei City"
    _, problems = problems_for(raw, tmp_path)
    problem = the_problem(problems, city="beijing", field="aliases")
    assert "'Hefei'" in problem.message
    assert "'hefei'" in problem.message


def test_name_equal_to_a_later_citys_id_is_refused(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "beijing")["name"] = "Hefei"
    city(raw, "hefei")["name"] = "Hefei City"
    _, problems = problems_for(raw, tmp_path)
    assert "'hefei'" in the_problem(problems, city="beijing", field="name").message


def test_alias_equal_to_an_earlier_citys_id_is_refused(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "hefei")["aliases"] = ["Beijing"]
    _, problems = problems_for(raw, tmp_path)
    assert "'beijing'" in the_problem(problems, city="hefei", field="aliases").message


def test_ids_that_normalise_alike_are_refused(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "hefei")["id"] = "bei-jing"
    _, problems = problems_for(raw, tmp_path)
    assert "'beijing'" in the_problem(problems, city="bei-jing", field="id").message


def test_shipped_ids_and_names_resolve_to_their_own_city(catalog: Catalog) -> None:
    for item in catalog.dataset.cities:
        for name in (item.id, item.name, item.name_zh, *item.aliases):
            assert catalog.city(name).id == item.id


# --- The units that derived indicators assume -----------------------------------------------


def _set_unit(raw: dict[str, Any], indicator: str, unit: str) -> None:
    for item in raw["indicators"]:
        if item["id"] == indicator:
            item["unit"] = unit
    for item in raw["cities"]:
        figure = item.get("figures", {}).get(indicator)
        if figure is not None:
            figure["unit"] = unit


def test_gdp_per_capita_declares_its_input_units() -> None:
    info = DERIVED["gdp_per_capita"]
    assert info.derived_units == ("billion CNY", "million persons")
    assert len(info.derived_units) == len(info.derived_from)


@pytest.mark.parametrize(
    ("indicator", "unit", "expected"),
    [("population", "thousand persons", "million persons"), ("gdp", "million CNY", "billion CNY")],
)
def test_other_units_for_derived_inputs_are_refused(tmp_path: Path, indicator: str, unit: str, expected: str) -> None:
    raw = shipped_raw()
    _set_unit(raw, indicator, unit)  # consistently: figures and indicator agree
    _, problems = problems_for(raw, tmp_path)
    assert len(problems) == 1, problems
    problem = the_problem(problems, city=None, field=f"indicators[{indicator}].unit")
    assert problem.message == f"unit '{unit}' of '{indicator}': GDP per capita is computed from it in '{expected}'"
    assert problem.line is not None


def test_the_shipped_units_are_accepted(tmp_path: Path) -> None:
    path = write_raw(shipped_raw(), tmp_path / "cities.toml")
    assert load(path).indicator("gdp_per_capita").derived_units == ("billion CNY", "million persons")


# --- The shape of the file, derived from the models -------------------------------------------


def test_the_list_sections_are_the_datasets_arrays_of_tables() -> None:
    sections = models.list_sections()
    raw = shipped_raw()
    assert set(sections) == {key for key, value in raw.items() if isinstance(value, list)}
    assert sections["cities"] is models.City


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ((), "Dataset"),
        (("cities",), "City"),
        (("cities", "figures", "gdp"), "Figure"),
        (("program", "figures"), "ProgramFigure"),
        (("program", "batches"), "Batch"),
        (("cities", "ftz"), "FreeTradeZone"),
        (("cities", "sectors"), "GrowthSector"),
        (("no-such-section",), "Dataset"),
    ],
)
def test_model_at_finds_the_record_class_of_a_path(path: tuple[str, ...], model: str) -> None:
    assert models.model_at(path).__name__ == model


def test_a_typo_in_a_nested_field_is_answered_with_that_records_fields(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "hefei")["figures"]["gdp"]["confidance"] = "high"
    _, problems = problems_for(raw, tmp_path)
    problem = the_problem(problems, city="hefei", field="figures.gdp.confidance")
    assert "did you mean 'confidence'" in problem.message


def test_a_zone_older_than_the_citys_area_shows_both_years(tmp_path: Path) -> None:
    # The Zhejiang FTZ dates from 2017; its Hangzhou and Ningbo areas from 2020 (issue 11).
    for area in ("hangzhou", "ningbo"):
        line = next(x for x in run_cli("show", area).stdout.splitlines() if x.startswith("Free trade zone"))
        assert "Zone (2017)" in line, line
        assert f"{area.capitalize()} area since 2020" in line, line
        assert run_cli("show", area, "--json").json()["ftz_detail"]["zone_since"] == 2017
    wuhan = next(x for x in run_cli("show", "wuhan").stdout.splitlines() if x.startswith("Free trade zone"))
    assert wuhan.endswith("Zone, since 2017")
    raw = shipped_raw()
    city(raw, "hangzhou")["ftz"]["zone_since"] = 2020
    _, problems = problems_for(raw, tmp_path)
    assert "is not before since 2020" in the_problem(problems, city="hangzhou", field="ftz.zone_since").message


@pytest.mark.parametrize("area", ["beijing", "hainan"])
def test_a_municipality_or_province_is_never_separately_planned(tmp_path: Path, area: str) -> None:
    raw = shipped_raw()
    assert city(raw, area)["separately_planned"] is False
    city(raw, area)["separately_planned"] = True
    _, problems = problems_for(raw, tmp_path)
    assert "never separately planned" in the_problem(problems, city=area, field="separately_planned").message
