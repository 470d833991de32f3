"""Choosing columns: --fields in tables, --wide, and --flat CSV and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import jsonschema
import pytest

import factories
from conftest import run_cli
from pilotcli.dataset import Catalog
from pilotcli.query import field_names


def header_cells(table: str) -> list[str]:
    """The header words of a table drawn at a width where no header wraps."""
    return table.splitlines()[0].split()


def test_fields_choose_table_columns_in_the_order_given(monkeypatch: pytest.MonkeyPatch, gaps: str) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    table = run_cli("--data", gaps, "list", "--fields", "gdp,id,vats_pilot", "--limit", "4").stdout
    # A figure's column is headed as in the list, by its short name and unit.
    assert header_cells(table)[:4] == ["GDP", "(bn", "CNY)", "id"]
    rows = {line.split()[1]: line.split() for line in table.splitlines()[2:6]}
    gdp = run_cli("--data", gaps, "show", "beijing", "--json").json()["gdp"]["value"]
    assert rows["beijing"] == [f"{gdp:,.1f}" if isinstance(gdp, float) else f"{gdp:,}", "beijing", "yes"]
    assert rows["hainan"] == ["—", "hainan", "yes"]  # missing in `gaps`, never 0
    ranked = run_cli("rank", "--fields", "rank,id,coverage", "--sector", "finance").stdout
    assert header_cells(ranked) == ["rank", "id", "coverage"]
    assert "—   hainan" not in ranked


def test_fields_in_markdown_and_unknown_fields() -> None:
    markdown = run_cli("list", "--fields", "name,gfci_rank", "--format", "markdown", "--where", "gfci_rank<=10").stdout
    assert markdown.splitlines()[:4] == [
        "| name | GFCI rank |",
        "| :--- | ---: |",
        "| Shanghai | 8 |",
        "| Shenzhen | 9 |",
    ]
    wrong = run_cli("list", "--fields", "id,gpd")
    assert wrong.exit_code == 2
    assert "did you mean 'gdp'" in wrong.stderr


def test_fields_table_shows_not_ranked_and_estimates(catalog: Catalog) -> None:
    table = run_cli("show", "hefei", "--fields", "id,gfci_rank,nature_index_rank").stdout
    assert "not ranked" in table.splitlines()[2]


def test_wide_shows_every_indicator_the_terminal_can_take(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    monkeypatch.setenv("COLUMNS", "260")
    wide = run_cli("list", "--wide", "--limit", "3")
    assert "hidden" not in wide.stdout
    legend = " ".join(wide.stdout.split())
    for word in ("QFLP", "GFCI", "Value-added", "pop.", "services", "Nature", "Fortune"):
        assert word in legend.split(), word
    beijing = next(line for line in wide.stdout.splitlines() if line.startswith("beijing"))
    assert beijing.split()[-4:] == ["yes", "yes", "yes", "yes"]  # the four pilots, each a column
    monkeypatch.setenv("COLUMNS", "100")
    narrow = run_cli("list", "--wide", "--limit", "3").stdout
    assert "columns hidden: QFLP, VATS, cell/gene, " in narrow  # by their short names, on one line
    assert "QFLP pilot" not in " ".join(narrow.split())
    ranked = run_cli("rank", "--wide", "--sector", "finance", "--limit", "3").stdout
    assert "hidden" in ranked or "GFCI rank" in ranked


def test_where_fields_are_shown_in_the_list_table() -> None:
    table = run_cli("list", "--where", "services_share>=60", "--limit", "3").stdout
    assert "services" in table.splitlines()[0] + table.splitlines()[1]


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_flat_csv_has_one_column_per_field_and_the_value_only(catalog: Catalog) -> None:
    flat = run_cli("list", "--format", "csv", "--flat")
    assert flat.exit_code == 0, flat.stderr
    rows = read_csv(flat.stdout)
    assert list(rows[0]) == field_names(catalog)
    records = {r["id"]: r for r in run_cli("list", "--json").json()}
    for row in rows:
        record = records[row["id"]]
        for key in catalog.indicators:
            value = record[key]["value"] if record[key] else None
            expected = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
            assert row[key] == expected, (row["id"], key)
    assert rows[0]["aliases"] == "Peking;Beijing Municipality"


def test_default_csv_is_unchanged_for_round_trips(catalog: Catalog) -> None:
    header = run_cli("list", "--format", "csv").stdout.splitlines()[0].split(",")
    assert "gdp_unit" in header
    assert "gdp_source" in header
    assert len(header) == len(field_names(catalog)) + 8 * len(catalog.indicators)


def test_export_flat_is_list_flat() -> None:
    exported = run_cli("export", "--format", "csv", "--flat", "--region", "west")
    listed = run_cli("list", "--format", "csv", "--flat", "--region", "west")
    assert exported.stdout == listed.stdout
    assert run_cli("export", "--flat").exit_code == 2


def test_flat_jsonl_rows_match_the_flat_schema(catalog: Catalog) -> None:
    schema = run_cli("schema", "--flat").json()
    lines = run_cli("list", "--format", "jsonl", "--flat").stdout.splitlines()
    assert len(lines) == 20
    for line in lines:
        row: dict[str, Any] = json.loads(line)
        jsonschema.validate(row, schema)
        assert row["gdp"] is None or isinstance(row["gdp"], float | int)
    for key, info in catalog.indicators.items():
        assert schema["properties"][key]["x-unit"] == info.unit
    assert "billion CNY" in schema["properties"]["gdp"]["description"]


def test_flat_with_fields_and_on_other_commands() -> None:
    rows = read_csv(run_cli("list", "--format", "csv", "--flat", "--fields", "id,gdp", "--limit", "1").stdout)
    assert rows == [{"id": "beijing", "gdp": "5207.34"}]
    ranked = read_csv(run_cli("rank", "--format", "csv", "--flat", "--limit", "1").stdout)
    nested = run_cli("rank", "--json", "--limit", "1").json()[0]["contributions"]["gdp"]["points"]
    assert isinstance(nested, float)
    assert ranked[0]["contributions_gdp_points"] == str(nested)
    assert run_cli("list", "--flat").exit_code == 2
    assert run_cli("list", "--json", "--flat").exit_code == 2


OLDER = "(YEAR) a value from an earlier year than the rest"


@pytest.fixture
def one_older(tmp_path: Any) -> str:
    """Every city's utilised FDI, GDP and population are 2025 values, except Hefei's FDI: 2024.
    Whatever the shipped data has, one value (in the list's and rank's columns) is older than the rest."""
    raw = factories.shipped_raw()
    for n, city in enumerate(raw["cities"]):
        factories.with_value(raw, city["id"], "fdi_utilised", 10.0 + n, 2024 if city["id"] == "hefei" else 2025)
        factories.with_value(raw, city["id"], "gdp", 1000.0 + n, 2025)
        factories.with_value(raw, city["id"], "population", 5.0 + n, 2025)
    return str(factories.write_raw(raw, tmp_path / "one-older.toml"))


def _rows_marked(table: str) -> list[str]:
    """The lines that hold a value marked with its (older) year."""
    return [line for line in table.splitlines() if re.search(r"\S \(20\d\d\)", line)]


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--fields", "id,gdp,fdi_utilised"],
        ["list", "--fields", "id,fdi_utilised", "--where", "fdi_utilised>0"],
        ["list", "--fields", "id,fdi_utilised", "--format", "markdown"],
        ["list", "--sort", "fdi_utilised"],
        ["list", "--where", "fdi_utilised>0"],
        ["rank", "--weight", "fdi_utilised=1,services_share=0", "--wide"],
        ["rank", "--weight", "fdi_utilised=1,services_share=0", "--explain"],
    ],
)
def test_a_value_older_than_the_rest_of_its_column_carries_its_year(
    args: list[str], one_older: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    table = run_cli("--data", one_older, *args).stdout
    marked = _rows_marked(table)
    assert len(marked) == 1, table
    assert "hefei" in marked[0].lower()
    assert "10.0 (2024)" not in table  # the others are the newest year: no mark
    assert OLDER in " ".join(table.split())


def test_older_values_in_one_city_and_in_a_chosen_year(one_older: str) -> None:
    # show: one row, so a yearly figure is marked when older than the other yearly figures chosen.
    shown = run_cli("--data", one_older, "show", "hefei", "--fields", "id,gdp,fdi_utilised,gfci_rank").stdout
    assert " (2024)" in shown.splitlines()[2]
    assert OLDER in " ".join(shown.split())
    alone = run_cli("--data", one_older, "show", "hefei", "--fields", "id,fdi_utilised").stdout
    assert "(2024)" not in alone
    compared = run_cli("--data", one_older, "compare", "hefei", "beijing").stdout
    fdi = next(line for line in compared.splitlines() if "FDI (bn USD)" in line)
    assert fdi in _rows_marked(compared)
    # --year: every value shown is of that year, so none is marked.
    for year in ("2024", "2025"):
        chosen = run_cli("--data", one_older, "list", "--fields", "id,fdi_utilised", "--year", year).stdout
        assert not _rows_marked(chosen), chosen
        assert f"figures of {year}" in chosen


@pytest.mark.parametrize(
    "args",
    [["list"], ["list", "--fields", "id,gdp"], ["rank", "--weight", "services_share=0", "--wide"]],
)
def test_a_value_published_to_fewer_decimals_lines_up_on_the_point(
    args: list[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every GDP has one decimal (1,000.5, 1,001.5, ...) but Hefei's, published to the unit (1,940):
    # it keeps its precision and still lines up with the others' units digit, and so do an
    # estimate (Ningbo's, marked *) and a value of an older year (Dalian's, marked (2024)).
    raw = factories.shipped_raw()
    for n, city in enumerate(raw["cities"]):
        gdp: float = 1940 if city["id"] == "hefei" else 1000.5 + n
        factories.with_value(raw, city["id"], "gdp", gdp, 2024 if city["id"] == "dalian" else 2025)
        factories.with_value(raw, city["id"], "population", 5.25, 2025)
    factories.city(raw, "ningbo")["figures"]["gdp"]["estimate"] = True
    path = str(factories.write_raw(raw, tmp_path / "rounded.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    table = run_cli("--data", path, *args).stdout
    units = {}  # the column of each GDP's units digit, by row
    for line in table.splitlines():
        if found := re.search(r"\d,\d{3}", line):
            units[line.split()[1 if args[0] == "rank" else 0].lower()] = found.end()
    assert len(units) == 20, table
    assert len(set(units.values())) == 1, units
    assert re.search(r"1,940( |$)", table, re.MULTILINE), table  # as published, not 1,940.0
    assert re.search(r"\d\.5\*", table), table  # the estimate is marked...
    assert "(2024)" in table, table  # ...and so is the older value
    assert run_cli("--data", path, "show", "hefei", "--json").json()["gdp"]["value"] == 1940


def test_region_totals_say_which_years_they_add(tmp_path: Any) -> None:
    # Every city's GDP and population are of 2025 but Hefei's GDP, of 2024: a total that adds it
    # must say so, so that it is not read as a 2025 total.
    raw = factories.shipped_raw()
    for n, city in enumerate(raw["cities"]):
        factories.with_value(raw, city["id"], "gdp", 1000.0 + n, 2024 if city["id"] == "hefei" else 2025)
        factories.with_value(raw, city["id"], "population", 5.0 + n, 2025)
    path = str(factories.write_raw(raw, tmp_path / "totals.toml"))
    regions = " ".join(run_cli("--data", path, "regions").stdout.split())
    assert "totals add each city's latest value; population 2025; gdp 2024 (1), 2025 (19)" in regions
