"""Renderers: tables at a fixed width, bars, colour rules, and the text formats."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import ROOT, CompletionContext, run_cli
from pilotcli.dataset import Catalog
from pilotcli.render import Format, OutputOptions
from pilotcli.render.rich_tables import bar, render_tables
from pilotcli.render.text import render_csv, render_json, render_markdown
from pilotcli.view import Cell, Column, Table, View, clean
from pilotcli.views.shared import row_label


def small_view() -> View:
    table = Table(
        columns=[
            Column("id", no_wrap=True),
            Column("note", drop=1),
            Column("value", justify="right", no_wrap=True),
        ],
        rows=[
            [Cell("a"), Cell("first note"), Cell("1,234.5")],
            [Cell("[b]x[/b]"), Cell("second"), Cell("—", "missing")],
        ],
        title="Demo",
        footnotes=["— no value"],
    )
    return View(data=[{"id": "a"}], tables=[table])


def test_table_exact_text_at_a_fixed_width() -> None:
    text = render_tables(small_view(), width=40, color=False)
    expected = (
        "Demo\n"
        "id         note           value\n"
        "───────────────────────────────\n"
        "a          first note   1,234.5\n"
        "[b]x[/b]   second             —\n"
        "— no value\n"
    )
    assert text == expected


def test_narrow_tables_drop_low_priority_columns_not_the_layout() -> None:
    text = render_tables(small_view(), width=20, color=False)
    assert "note" not in text.splitlines()[1]
    assert "1 column hidden: note;" in " ".join(text.split())
    assert "1,234.5" in text
    assert all(cell_len(line) <= 20 for line in text.splitlines())


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in render_tables(small_view(), width=60, color=False)
    assert "\x1b[" in render_tables(small_view(), width=60, color=True)


@pytest.mark.parametrize(("points", "expected"), [(0, ""), (100, "█" * 12), (50, "█" * 6), (54.2, "██████▌")])
def test_bar_lengths(points: float, expected: str) -> None:
    assert bar(points).rstrip() == expected
    assert cell_len(bar(points)) == 12


def test_clean_neutralises_control_characters_only() -> None:
    assert clean("a\x1b[31mb\x07c\rd") == "a\\x1b[31mb\\x07c\\x0dd"
    assert clean("北京 Xi'an [bold]") == "北京 Xi'an [bold]"


def test_only_a_year_right_after_a_value_is_an_older_year_mark() -> None:
    from pilotcli.view import marker_legend

    def legend(text: str) -> list[str]:
        return marker_legend([[Cell(text)]])

    for marked in ("1,802.4 (2024)", "0.25* (2024)", "1,802.4 (2024) → 30"):
        assert legend(marked) == ["(YEAR) a value from an earlier year than the rest"], marked
    for words in ("Pilot zone (2021) for finance", "since 2015", "(2024)"):
        assert legend(words) == [], words


def test_text_formats() -> None:
    rows = [{"id": "x", "gdp": {"value": 1.5, "unit": "billion CNY", "year": 2024}, "tags": ["a", "b"], "ok": True}]
    assert render_json(rows, pretty=False) == (
        '[{"id":"x","gdp":{"value":1.5,"unit":"billion CNY","year":2024},"tags":["a","b"],"ok":true}]\n'
    )
    assert render_csv(rows, figure_keys=["gdp"]).splitlines() == [
        "id,gdp,gdp_listed,gdp_unit,gdp_year,gdp_edition,gdp_source,gdp_estimate,gdp_confidence,gdp_note,tags,ok",
        "x,1.5,,billion CNY,2024,,,,,,a;b,true",
    ]
    # The same columns when the figure is missing, and a header even without rows.
    missing: list[dict[str, object]] = [{"id": "y", "gdp": None, "tags": [], "ok": False}]
    assert render_csv(missing, figure_keys=["gdp"]).splitlines()[0].startswith("id,gdp,gdp_listed,gdp_unit,")
    assert render_csv([], fields=["id", "gdp"], figure_keys=["gdp"]).splitlines() == [
        "id,gdp,gdp_listed,gdp_unit,gdp_year,gdp_edition,gdp_source,gdp_estimate,gdp_confidence,gdp_note"
    ]
    # Other nested objects become prefixed columns.
    assert render_csv([{"a": {"b": {"c": 1}}}]).splitlines() == ["a_b_c", "1"]
    markdown = render_markdown(small_view())
    assert "| id | note | value |" in markdown
    assert "| :--- | :--- | ---: |" in markdown


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "shanghai"],
        ["compare", "shenzhen", "hefei"],
        ["compare", "beijing", "shanghai", "guangzhou", "shenzhen"],
        ["rank", "--sector", "finance"],
        ["rank", "--sector", "healthcare", "--explain"],
        ["sectors"],
        ["sectors", "healthcare"],
        ["regions"],
    ],
)
@pytest.mark.parametrize("width", [80, 120])
def test_every_table_fits_the_width(args: list[str], width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    widest = max(cell_len(line) for line in result.stdout.splitlines())
    assert widest <= width
    assert "\x1b[" not in result.stdout


def test_colour_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run_cli("regions").stdout
    assert "\x1b[" not in run_cli("regions", "--no-color").stdout
    assert "\x1b[" not in run_cli("regions", "--json").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_cli("regions").stdout
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert "\x1b[" not in run_cli("regions").stdout


def test_shell_completion_offers_city_and_sector_ids() -> None:
    from pilotcli import cli

    context = CompletionContext()
    assert cli.complete_city(context, "sh") == ["shanghai", "shenyang", "shenzhen"]  # type: ignore[arg-type]
    assert cli.complete_sector(context, "te") == ["telecom", "technology"]  # type: ignore[arg-type]


def test_four_cities_compare_side_by_side_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    cities = ["beijing", "shanghai", "shenzhen", "guangzhou"]
    table = run_cli("compare", *cities).stdout
    data = run_cli("compare", *cities, "--json").json()
    assert max(cell_len(line) for line in table.splitlines()) <= 80
    header = next(line for line in table.splitlines() if line.startswith("indicator"))
    assert header.split() == ["indicator", "Beijing", "Shanghai", "Shenzhen", "Guangzhou"]
    # Every value is printed whole, on the row of its indicator.
    gdp = next(line for line in table.splitlines() if line.startswith("GDP (bn CNY)"))
    assert gdp.split()[3:] == ["5,207.3", "★", "5,670.9", "3,873.2", "3,203.9"]
    gdp_row = next(row for row in data["rows"] if row["indicator"] == "gdp")
    assert f"{gdp_row['values']['guangzhou']['value']:,.1f}" == "3,203.9"
    assert "(1/2)" not in table
    assert "hidden" not in table


@pytest.mark.parametrize("count", [2, 3, 5, 6])
def test_two_to_six_cities_compare_side_by_side_at_80_columns(
    count: int, monkeypatch: pytest.MonkeyPatch, catalog: Catalog
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    cities = ["beijing", "shanghai", "shenzhen", "guangzhou", "hefei", "xian"][:count]
    table = run_cli("compare", *cities).stdout
    data = run_cli("compare", *cities, "--json").json()
    lines = table.splitlines()
    assert max(map(cell_len, lines)) <= 80
    header = next(line for line in lines if line.startswith("indicator"))
    assert header.split()[1 : count + 1] == [city["name"] for city in data["cities"]]
    # Nothing is cut in the middle: dates (to the month when narrow), names and values are whole.
    joined = next(line for line in lines if line.startswith("Joined")).split()[1:]
    assert [day[:7] for day in joined] == [city["joined"][:7] for city in data["cities"]]
    words = set(table.split())
    for row in data["rows"]:  # each row's label, as the table names the indicator
        info = catalog.indicators[row["indicator"]]
        assert set(row_label(info).split()) <= words, row["name"]
    gdp = next(row for row in data["rows"] if row["indicator"] == "gdp")
    assert {f"{value['value']:,.1f}" for value in gdp["values"].values()} <= words
    assert "hidden" not in table
    assert table.count("data as of") == 1


def test_long_text_wraps_before_numbers_and_headers() -> None:
    from pilotcli.render.rich_tables import layout

    table = Table(
        [Column("id", no_wrap=True), Column("GDP (bn CNY)", justify="right", no_wrap=True), Column("note")],
        [[Cell("hefei"), Cell("1,350.8"), Cell("word " * 30)]],
    )
    chosen = layout(table, 40)
    assert chosen.keep == [0, 1, 2]
    assert chosen.widths[:2] == [5, 12]  # whole: the note wraps instead
    assert sum(chosen.widths) + 6 == 40
    assert render_tables(View([], [table]), width=40, color=False).count("word") == 30


def test_short_headers_come_with_a_legend_only_when_used() -> None:
    columns = [Column("#", no_wrap=True), Column("foreign_hospital_pilot ×3", short="hospital ×3")]
    table = Table(columns, [[Cell("1"), Cell("yes → 100 (+42.9)")]])
    narrow = render_tables(View([], [table]), width=22, color=False)
    assert "hospital ×3 = foreign_hospital_pilot ×3" in " ".join(narrow.split())
    wide = render_tables(View([], [table]), width=80, color=False)
    assert "foreign_hospital_pilot ×3" in wide
    assert "=" not in wide


def test_hidden_columns_are_named_in_one_line_and_never_the_key() -> None:
    table = Table(
        [Column("id", no_wrap=True), Column("province", no_wrap=True, drop=2), Column("region", drop=1)],
        [[Cell("a" * 20), Cell("Guangdong Province"), Cell("East")]],
    )
    text = render_tables(View([], [table]), width=30, color=False)
    assert "a" * 20 in text
    assert "province" not in text.splitlines()[0]
    assert "1 column hidden: province; widen or use --fields" in " ".join(text.split())


def test_titles_and_headers_are_neutralised(tmp_path: Path) -> None:
    import tomllib

    import tomli_w

    from conftest import DATA

    with DATA.open("rb") as handle:
        document = tomllib.load(handle)
    hefei = next(c for c in document["cities"] if c["id"] == "hefei")
    hefei["name"] = "He\x1b[31mfei"
    path = tmp_path / "data.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    for args in (["compare", "shenzhen", "hefei"], ["show", "hefei"], ["sectors", "finance"]):
        output = run_cli("--data", str(path), *args).stdout
        assert "\x1b" not in output
    assert "He\\x1b[31mfei" in run_cli("--data", str(path), "show", "hefei").stdout


def test_colour_environment_conventions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "0")
    assert "\x1b[" not in run_cli("regions").stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "")
    assert "\x1b[" in run_cli("regions").stdout  # an empty NO_COLOR does not count


def test_show_keeps_units_sources_and_confidence_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    shown = run_cli("show", "hefei", "--all").stdout
    assert "GDP (bn CNY)" in shown
    assert "conf." in shown
    profile = run_cli("show", "hefei", "--json").json()
    assert f"[{profile['gdp']['source']}]" in shown
    assert profile["gdp"]["note"] in " ".join(shown.split()) or profile["gdp"]["note"] is None


def test_timeline_lists_the_programme_figures() -> None:
    timeline = run_cli("timeline").stdout
    assert "Programme figures" in timeline
    assert "584.56" in timeline
    assert "5.85 trillion" in timeline  # quoted in the note as the seed's error, not as a value


def test_tables_given_as_a_function_are_built_once_and_only_for_table_formats() -> None:
    from pilotcli.render import Format, OutputOptions, render

    built: list[int] = []

    def tables() -> list[Table]:
        built.append(1)
        return [Table([Column("id")], [[Cell("hefei")]])]

    view = View([{"id": "hefei"}], tables, fields=["id"])
    for fmt in (Format.json, Format.jsonl, Format.csv):
        render(view, OutputOptions(format=fmt))
    assert built == []
    assert "hefei" in render(view, OutputOptions(format=Format.table))
    assert "| hefei |" in render(view, OutputOptions(format=Format.markdown))
    assert built == [1]


TABLE_COMMANDS = [
    ("list",),
    ("list", "--sort", "gfci_rank"),
    ("show", "hefei"),
    ("show", "hainan"),
    ("compare", "shenzhen", "hefei"),
    ("compare", "beijing", "shanghai", "guangzhou", "shenzhen", "chengdu", "xian"),
    ("rank", "--sector", "finance"),
    ("rank", "--sector", "technology", "--explain"),
    ("sectors",),
    ("sectors", "healthcare"),
    ("regions",),
    ("timeline",),
]


@pytest.mark.parametrize("width", [40, 57, 80, 100, 131, 200])
def test_no_table_line_is_wider_than_the_terminal(width: int, monkeypatch: pytest.MonkeyPatch, gaps: str) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    # Also with missing values (the — marks, 'not enough data'), whatever the shipped data lacks.
    with_gaps = [("--data", gaps, "show", "hainan"), ("--data", gaps, "rank"), ("--data", gaps, "list")]
    for command in [*TABLE_COMMANDS, *with_gaps]:
        shown = run_cli(*command).stdout
        assert max(map(cell_len, shown.splitlines())) <= width, " ".join(command)


def test_tabs_and_newlines_in_names_are_drawn_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tabs and newlines in names are drawn as spaces (clean): fitting must measure that text.
    text = (ROOT / "data" / "cities.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Beijing"', 'name = "Beijing\\tMunicipality"', 1)
    text = text.replace('name = "Shanghai"', 'name = "Shanghai\\nCity"', 1)
    data = tmp_path / "odd-names.toml"
    data.write_text(text, encoding="utf-8")
    for width in (80, 100, 140):
        monkeypatch.setenv("COLUMNS", str(width))
        shown = run_cli("--data", str(data), "compare", "beijing", "shanghai").stdout
        assert "Beijing Municipality" in shown, width
        assert "Shanghai City" in shown, width
        assert max(map(cell_len, shown.splitlines())) <= width


def test_dating_output_options_keeps_every_other_option() -> None:
    options = OutputOptions(
        format=Format.csv, fields=("id",), bom=True, color=True, width=97, pretty=True, flat=True, pager=True
    )
    dated = options.dated("2026-11-30")
    assert dated.as_of == "2026-11-30"
    assert options.as_of is None
    assert {name: getattr(dated, name) for name in OutputOptions.__slots__ if name != "as_of"} == {
        name: getattr(options, name) for name in OutputOptions.__slots__ if name != "as_of"
    }
    assert dated.width == 97
    assert dated.fields == ("id",)
