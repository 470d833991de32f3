"""Choosing columns: --fields in tables, --wide, and --flat CSV and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import jsonschema
import pytest

from conftest import run_cli
from pilotcli.dataset import Catalog
from pilotcli.query import field_names


def header_cells(table: str) -> list[str]:
    """The header words of a table drawn at a width where no header wraps."""
    return table.splitlines()[0].split()


def test_fields_choose_table_columns_in_the_order_given(monkeypatch: pytest.MonkeyPatch, gaps: str) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    table = run_cli("--data", gaps, "list", "--fields", "gdp,id,vats_pilot", "--limit", "4").stdout
    assert header_cells(table)[:4] == ["gdp", "(billion", "CNY)", "id"]
    rows = {line.split()[1]: line.split() for line in table.splitlines()[2:6]}
    assert rows["beijing"] == ["5,207.34", "beijing", "yes"]
    assert rows["hainan"] == ["—", "hainan", "yes"]  # missing in `gaps`, never 0
    ranked = run_cli("rank", "--fields", "rank,id,coverage", "--sector", "finance").stdout
    assert header_cells(ranked) == ["rank", "id", "coverage"]
    assert "—   hainan" not in ranked


def test_fields_in_markdown_and_unknown_fields() -> None:
    markdown = run_cli("list", "--fields", "name,gfci_rank", "--format", "markdown", "--where", "gfci_rank<=10").stdout
    assert markdown.splitlines()[:4] == [
        "| name | gfci_rank (rank) |",
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
