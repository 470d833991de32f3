"""`pilot show --history`: the yearly figures' earlier years in one table; --year without data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from conftest import run_cli
from factories import city, shipped_raw, write_raw

YEARLY = ("population", "gdp", "gdp_growth", "services_share", "fdi_utilised", "fdi_utilised_cny")


def _entry(value: float, year: int, **more: Any) -> dict[str, Any]:
    return {"value": value, "year": year, "source": "d22", "confidence": "low", **more}


@pytest.fixture
def made_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped data with Hefei's yearly figures replaced by known ones, and Xiamen's removed."""
    raw = shipped_raw()
    figures = city(raw, "hefei")["figures"]
    for key in YEARLY:
        figures.pop(key, None)
    figures["gdp"] = {
        **_entry(1000.0, 2025),
        "unit": "billion CNY",
        "history": [_entry(900.0, 2024, estimate=True), _entry(800.0, 2023)],
    }
    figures["population"] = {**_entry(10.0, 2024), "unit": "million persons"}
    xiamen = city(raw, "xiamen")["figures"]
    for key in YEARLY:
        xiamen.pop(key, None)
    monkeypatch.setenv("COLUMNS", "80")
    return write_raw(raw, tmp_path / "cities.toml")


def _history_lines(text: str) -> dict[str, list[str]]:
    """The table after its title: the header's words, and each row's cells split on wide gaps."""
    lines = text.split("Figures by year\n", 1)[1].splitlines()
    table = {"header": lines[0].split()}
    for line in lines[2:]:
        if not line.startswith(" ") and "  " in line:
            label, *cells = [part.strip() for part in line.split("  ") if part.strip()]
            table[label] = cells
    return table


def test_history_is_one_table_of_indicators_by_year_with_marks(made_up: Path) -> None:
    result = run_cli("--data", str(made_up), "show", "hefei", "--history")
    assert result.exit_code == 0, result.stderr
    table = _history_lines(result.stdout)
    assert table["header"] == ["indicator", "2025", "2024", "2023"]
    assert table["GDP (bn CNY)"] == ["1,000.0 l", "900.0* l", "800.0 l"]
    assert table["pop. (m)"] == ["—", "10.0 l", "—"]
    # GDP per capita is computed for the one year that has both GDP and population.
    assert table["GDP/cap (k CNY)"] == ["—", "90.0* l", "—"]
    assert "growth (%)" not in table  # no value in any year: no row
    legend = result.stdout.split("Figures by year\n", 1)[1]
    assert "confidence: h high, m medium, l low; * estimate; — no value for that year" in legend
    assert max(map(cell_len, result.stdout.splitlines())) <= 80


def test_history_is_asked_for_and_follows_year(made_up: Path) -> None:
    data = ("--data", str(made_up))
    assert "Figures by year" not in run_cli(*data, "show", "hefei").stdout
    assert "--history (earlier years)" in run_cli(*data, "show", "hefei").stdout
    assert "Figures by year" in run_cli(*data, "show", "hefei", "--all").stdout
    older = _history_lines(run_cli(*data, "show", "hefei", "--history", "--year", "2024").stdout)
    assert older["header"] == ["indicator", "2024", "2023"]
    assert older["GDP (bn CNY)"] == ["900.0* l", "800.0 l"]
    none = run_cli(*data, "show", "xiamen", "--history").stdout
    assert "no yearly figures for Xiamen" in none
    # The JSON always carries the history, with or without the option.
    gdp = run_cli(*data, "show", "hefei", "--history", "--json").json()["gdp"]
    assert [h["value"] for h in gdp["history"]] == [900.0, 800.0]


def test_a_year_some_cities_lack_is_said_in_the_table(made_up: Path) -> None:
    data = ("--data", str(made_up))
    compared = run_cli(*data, "compare", "hefei", "xiamen", "--year", "2023").stdout
    assert "figures of 2023: none for Xiamen" in compared
    both = run_cli(*data, "compare", "hefei", "beijing", "--year", "2023").stdout
    assert "figures of 2023\n" in both  # both have some: the year is said, no city singled out
    shown = run_cli(*data, "show", "hefei", "--year", "2024").stdout
    assert "figures of 2024\n" in shown
    assert "figures of 2024: none for Xiamen" in run_cli(*data, "show", "xiamen", "--year", "2024").stdout
    listed = run_cli(*data, "list", "--year", "2023").stdout
    assert "figures of 2023: none for " in listed
    # Without --year nothing is said: each figure shows its latest year, marked when older.
    assert "figures of" not in run_cli(*data, "compare", "hefei", "xiamen").stdout
    # The JSON is explicit by itself: the figure of a year without data is null.
    record = run_cli(*data, "show", "xiamen", "--year", "2024", "--json").json()
    assert record["gdp"] is None


@pytest.mark.parametrize(
    "args",
    [
        ["show", "hefei"],
        ["compare", "hefei", "xiamen"],
        ["rank"],
        ["list", "--json"],
        ["export", "--format", "csv"],
    ],
)
def test_an_unknown_year_is_one_line_everywhere(args: list[str]) -> None:
    result = run_cli(*args, "--year", "2031")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("pilot: no figures for 2031; years with figures: 2025, 2024")


def test_a_gap_shows_its_year_but_no_confidence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A figure block with no value (a gap with a note) is missing: there is nothing to be confident in."""
    raw = shipped_raw()
    figures = city(raw, "hefei")["figures"]
    figures["services_share"] = {
        "unit": "%",
        "year": 2024,
        "source": "d22",
        "confidence": "medium",
        "note": "Not published.",
    }
    monkeypatch.setenv("COLUMNS", "80")
    path = write_raw(raw, tmp_path / "cities.toml")
    shown = run_cli("--data", str(path), "show", "hefei", "--no-pager").stdout
    row = next(line for line in shown.splitlines() if line.startswith("Services share"))
    assert row.split()[-2:] == ["—", "2024"]
    for label in ("GDP (bn CNY)", "GFCI rank"):  # a value, and 'not ranked' (a sourced fact)
        known = next(line for line in shown.splitlines() if line.startswith(label))
        assert known.split()[-1] in {"high", "medium", "low"}, known
