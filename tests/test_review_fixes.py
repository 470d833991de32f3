"""Regression tests for review findings: name ownership, derived units, export permissions,
comparison sectors, cited sources and forgiving lookups."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from factories import city, problems_for, shipped_raw, the_problem, write_raw
from pilotcli import export
from pilotcli.compare import compare
from pilotcli.dataset import DERIVED, Catalog, load
from pilotcli.errors import NotFoundError
from pilotcli.query import cited_sources, city_profile, resolve_field

# --- 1. A name or alias that is another city's id ------------------------------------------


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


# --- 2. The units that derived indicators assume -----------------------------------------------


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


# --- 3. Export file permissions --------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_new_export_gets_0666_less_the_umask(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "out.toml"
    export.write_atomic(target, "x = 1\n", force=False)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    result = run_cli("export", "--batch", "2015", "-o", str(tmp_path / "cli.toml"))
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "cli.toml").stat().st_mode) == 0o644


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_an_overwritten_export_keeps_its_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    result = run_cli("export", "--format", "csv", "-o", str(target), "--force")
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") != "old\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --- 4. Sectors in a comparison of three or more cities ---------------------------------------------


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


# --- 5. Sources cited inside notes, evidence and focus -----------------------------------------------


def test_profile_sources_include_ids_cited_in_notes(catalog: Catalog) -> None:
    hefei = catalog.city("hefei")
    notes = " ".join(f.note or "" for f in hefei.figures.values())
    for cited in ("d37", "d47", "d48"):
        assert cited in notes  # the shipped notes cite them...
    structured = {hefei.coordinates_source, hefei.focus_source, *(f.source for f in hefei.figures.values())}
    assert not {"d37", "d47", "d48"} & structured  # ...and no structured field does
    ids = [source["id"] for source in city_profile(catalog, hefei)["sources"]]
    assert {"d37", "d47", "d48"} <= set(ids)
    assert len(ids) == len(set(ids))
    # After the structured ones, in the order the notes mention them.
    assert ids[-3:] == ["d37", "d47", "d48"]
    assert "f7" not in ids  # cited by Fuzhou, not Hefei


def test_cited_sources_match_whole_known_ids_only(catalog: Catalog) -> None:
    assert {"d-gh", "d-gh2", "d37", "d3", "f10"} <= set(catalog.sources)
    texts = ["see d-gh2 and (d37; also d3)", "d370, xd37, d37b, unknown d99", "(f10) again d37", "d-gh."]
    assert cited_sources(catalog, texts) == ["d-gh2", "d37", "d3", "f10", "d-gh"]


# --- 6. Lookups as a user types them ------------------------------------------------------------------


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
