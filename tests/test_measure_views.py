"""Opening measures in `show`, `compare` and `timeline --measures`: on the shipped data and on
small datasets made for the purpose."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import run_cli
from factories import a_measure, shipped_raw, with_measures, write_raw
from pilotcli.dataset import Catalog
from pilotcli.measures import applies_to, most_specific_first
from pilotcli.views.show import short_title

SMALL = (
    a_measure("everywhere", "all", date="2024-03-01", sectors=["finance", "telecom"]),
    a_measure("if-qualified", "qualifying", date="2023"),
    a_measure("hefei-only", "cities", ("hefei",), date="2025-04-11", title="Hefei: a measure of its own"),
    a_measure("hefei-and-xian", "cities", ("hefei", "xian"), date="2025-04", sectors=["healthcare"]),
    a_measure("undated", "cities", ("xian",)),
)


@pytest.fixture
def small(tmp_path: Path) -> str:
    """A dataset whose measures are the creators of the yes/no indicators and the five above."""
    return str(write_raw(with_measures(shipped_raw(), *SMALL), tmp_path / "small.toml"))


def creators_in(catalog: Catalog, city_id: str) -> list[str]:
    return [m.id for m in catalog.dataset.measures if m.creates and applies_to(m, city_id)]


# --- show -------------------------------------------------------------------------------------


def test_show_json_lists_every_measure_that_applies_and_the_specific_ones(catalog: Catalog) -> None:
    everywhere = {m.id for m in catalog.dataset.measures if m.scope in ("all", "qualifying")}
    assert everywhere
    for city in catalog.dataset.cities:
        shown = run_cli("show", city.id, "--json").json()
        expected = [m.id for m in catalog.dataset.measures if m.scope != "cities" or city.id in m.cities]
        assert shown["measures"] == expected, city.id
        assert everywhere <= set(shown["measures"])
        named = [m.id for m in catalog.dataset.measures if m.scope == "cities" and city.id in m.cities]
        assert shown["specific_measures"] == named, city.id


def test_a_city_specific_measure_shows_only_in_its_cities(small: str, catalog: Catalog) -> None:
    hefei = run_cli("--data", small, "show", "hefei", "--json").json()
    assert hefei["measures"] == [
        *creators_in(catalog, "hefei"),
        "everywhere",
        "if-qualified",
        "hefei-only",
        "hefei-and-xian",
    ]
    assert hefei["specific_measures"] == [*creators_in(catalog, "hefei"), "hefei-only", "hefei-and-xian"]
    xian = run_cli("--data", small, "show", "xian", "--json").json()
    assert xian["measures"] == [
        *creators_in(catalog, "xian"),
        "everywhere",
        "if-qualified",
        "hefei-and-xian",
        "undated",
    ]
    wuhan = run_cli("--data", small, "show", "wuhan", "--json").json()
    assert wuhan["measures"] == [*creators_in(catalog, "wuhan"), "everywhere", "if-qualified"]
    table = run_cli("--data", small, "show", "hefei").stdout
    assert "hefei-only" in table
    assert "A measure of its own" in table  # the lead-in naming the city shown is dropped
    assert "hefei-only" not in run_cli("--data", small, "show", "xian").stdout


def test_show_table_counts_the_measures_by_sector(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    shanghai = [m for m in catalog.dataset.measures if applies_to(m, "shanghai")]
    specific = [m for m in shanghai if m.scope == "cities"]
    shown = run_cli("show", "shanghai").stdout
    section = shown.split("\nOpening measures in Shanghai: ")[1]
    head = f"{len(shanghai)} ({len(shanghai) - len(specific)} for every area, {len(specific)} for named cities)"
    assert section.startswith(head)
    listed = [line.split()[0] for line in section.splitlines()[1:] if line.split()[0] in catalog.measures]
    assert len(listed) == 5
    assert set(listed) <= {m.id for m in specific}
    assert f"and {len(specific) - 5} more: pilot measures --city shanghai" in section
    by_sector = " ".join(section.split("by sector: ")[1].split("data as of")[0].split())
    counted = Counter(s for m in shanghai for s in m.sectors)
    assert dict(re.findall(r"([a-z-]+) (\d+)", by_sector)) == {s: str(n) for s, n in counted.items()}
    assert [int(n) for n in re.findall(r"\d+", by_sector)] == sorted(counted.values(), reverse=True)
    # --all lists every specific measure, each on one line at 80 columns.
    everything = run_cli("show", "shanghai", "--all").stdout.split("\nOpening measures in Shanghai: ")[1]
    rows = [line for line in everything.split("\n\n")[0].splitlines() if line.split()[0] in catalog.measures]
    assert [line.split()[0] for line in rows] == [m.id for m in most_specific_first(specific)]
    assert "more: pilot measures" not in everything


def test_a_city_with_few_specific_measures_lists_them_all(catalog: Catalog) -> None:
    specific = [m for m in catalog.dataset.measures if m.scope == "cities" and "xian" in m.cities]
    shown = run_cli("show", "xian").stdout
    assert 0 < len(specific) <= 5
    assert all(m.id in shown for m in specific)
    assert "more: pilot measures" not in shown


def test_short_titles_drop_the_city_lead_in_and_cut_at_a_word() -> None:
    assert short_title("Shanghai: where hospitals are encouraged", "Shanghai", 60) == "Where hospitals are encouraged"
    assert short_title("Hainan FTP: overseas universities", "Hainan", 60) == "Overseas universities"
    assert short_title("Beijing and Tianjin: x", "Shanghai", 60) == "Beijing and Tianjin: x"
    title = "Foreign-equity caps lifted for app stores and internet access"
    assert short_title(title, "Beijing", 31) == "Foreign-equity caps lifted for…"
    assert short_title(title, "Beijing", 30) == "Foreign-equity caps lifted…"
    assert short_title("Unbreakable", "Beijing", 5) == "Unbr…"


# --- compare ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cities",
    [["shenzhen", "hefei"], ["beijing", "shanghai", "hainan"], ["beijing", "shanghai", "shenzhen", "guangzhou"]],
)
def test_compare_counts_and_the_measures_that_differ(catalog: Catalog, cities: list[str]) -> None:
    result = run_cli("compare", *cities, "--json").json()["measures"]
    applying = {c: {m.id for m in catalog.dataset.measures if applies_to(m, c)} for c in cities}
    assert result["counts"] == {c: len(applying[c]) for c in cities}
    union, common = set.union(*applying.values()), set.intersection(*applying.values())
    assert [d["id"] for d in result["differing"]] == [m.id for m in catalog.dataset.measures if m.id in union - common]
    for entry in result["differing"]:
        assert entry["cities"] == [c for c in cities if entry["id"] in applying[c]]
    if len(cities) == 2:
        assert {d["id"] for d in result["differing"]} == applying[cities[0]] ^ applying[cities[1]]


def test_compare_on_a_small_dataset(small: str, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_cli("--data", small, "compare", "hefei", "xian", "wuhan", "--json").json()["measures"]
    mine = {d["id"]: d["cities"] for d in result["differing"] if d["id"] in {m["id"] for m in SMALL}}
    assert mine == {"hefei-only": ["hefei"], "hefei-and-xian": ["hefei", "xian"], "undated": ["xian"]}
    assert result["counts"] == {
        c: len(creators_in(catalog, c)) + n for c, n in (("hefei", 4), ("xian", 4), ("wuhan", 2))
    }
    monkeypatch.setenv("COLUMNS", "80")
    table = run_cli("--data", small, "compare", "hefei", "xian", "wuhan").stdout
    counts = next(line for line in table.splitlines() if line.startswith("Opening measures"))
    assert counts.split()[2:] == [str(n) for n in result["counts"].values()]
    assert "Hefei only (" in table
    assert "Hefei, Xi'an only (1): hefei-and-xian" in table
    assert "everywhere" not in table  # it applies in all three


def test_the_differing_measures_take_one_line_a_group_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    four = ["beijing", "shanghai", "shenzhen", "guangzhou"]
    differing = run_cli("compare", *four, "--json").json()["measures"]["differing"]
    alone = [d["id"] for d in differing if d["cities"] == ["beijing"]]
    assert len(alone) > 2
    monkeypatch.setenv("COLUMNS", "80")
    table = run_cli("compare", *four).stdout
    # The notes under the values end at the blank line before the differences.
    lines = table.split("measures that apply in some of these cities only: ")[1].split("\n\n")[0].splitlines()
    assert lines[0] == f"{len(differing)} (all in --json)"
    groups = lines[1:]
    assert len(groups) == len({tuple(d["cities"]) for d in differing})
    assert groups[0].startswith(f"Beijing only ({len(alone)}): ")
    shown = groups[0].split(": ", 1)[1].split(", ")
    assert shown[-1] == f"+{len(alone) - len(shown) + 1} more"
    assert set(shown[:-1]) <= set(alone)
    assert sum(int(line.split("(")[1].split(")")[0]) for line in groups) == len(differing)


# --- timeline --measures ---------------------------------------------------------------------------


def test_timeline_without_measures_is_the_batches_only(catalog: Catalog) -> None:
    plain = run_cli("timeline", "--json").json()
    assert [b["number"] for b in plain] == sorted(b.number for b in catalog.dataset.program.batches)
    assert "◆" not in run_cli("timeline").stdout


def test_timeline_measures_json_is_every_event_in_date_order(catalog: Catalog) -> None:
    events = run_cli("timeline", "--measures", "--json").json()
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    kinds = Counter(e["kind"] for e in events)
    dated = [m for m in catalog.dataset.measures if m.date]
    assert kinds == {
        "batch": len(catalog.dataset.program.batches),
        "milestone": len(catalog.dataset.program.milestones),
        "measure": len(dated),
    }
    keys = ["date", "kind", "id", "number", "title", "document", "areas", "total", "scope"]
    assert all(list(e) == keys for e in events)
    measures = {e["id"]: e for e in events if e["kind"] == "measure"}
    for m in dated:
        assert measures[m.id]["date"] == m.date
        assert measures[m.id]["scope"] == m.scope
        assert measures[m.id]["areas"] == list(m.cities)
    batches = [e for e in events if e["kind"] == "batch"]
    assert [b["total"] for b in batches] == [b["total"] for b in run_cli("timeline", "--json").json()]


def test_timeline_measures_on_a_small_dataset(small: str) -> None:
    events = run_cli("--data", small, "timeline", "--measures", "--json").json()
    mine = [(e["date"], e["id"]) for e in events if e["id"] in {m["id"] for m in SMALL}]
    # A partial date sorts before the days it contains; the undated measure is left out.
    assert mine == [
        ("2023", "if-qualified"),
        ("2024-03-01", "everywhere"),
        ("2025-04", "hefei-and-xian"),
        ("2025-04-11", "hefei-only"),
    ]
    same_day = [e["kind"] for e in events if e["date"] == "2025-04-11"]
    assert same_day[0] == "batch"  # a batch, then the measures of its day
    drawn = run_cli("--data", small, "timeline", "--measures").stdout
    assert re.search(r"^2023 +◆  1 measure: if-qualified$", drawn, re.M)
    assert re.search(r"^2025-04 +◆  1 measure: hefei-and-xian$", drawn, re.M)
    assert drawn.index("hefei-and-xian") < drawn.index("Batch 4") < drawn.index("hefei-only")
    assert "not shown, without a date: undated" in drawn
