"""pilot measures (the list and one measure), list --measure, on the shipped data and on small datasets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, get_args

import pytest
from rich.cells import cell_len

from conftest import CompletionContext, Result, run_cli
from factories import shipped_raw, write_raw
from pilotcli import models
from pilotcli.dataset import Catalog
from pilotcli.measures import KINDS, STATUSES, applies_to, issued_since, mentions
from pilotcli.render.rich_tables import hyphen_wrap


def ids(*args: str) -> list[str]:
    result = run_cli("measures", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return [m["id"] for m in result.json()]


def everywhere(catalog: Catalog) -> set[str]:
    return {m.id for m in catalog.dataset.measures if m.scope != "cities"}


# --- Filters on the shipped data --------------------------------------------------------------------


def test_the_list_is_the_whole_catalogue_in_dataset_order(catalog: Catalog) -> None:
    assert ids() == [m.id for m in catalog.dataset.measures]


def test_a_sector_filter_keeps_measures_with_any_of_the_sectors(catalog: Catalog) -> None:
    health = ids("--sector", "healthcare")
    assert health == [m.id for m in catalog.dataset.measures if "healthcare" in m.sectors]
    assert "foreign-hospital-pilot-2024" in health
    assert ids("--sector", "health") == health  # an alias
    both = ids("--sector", "healthcare", "--sector", "education")
    assert set(both) == {m.id for m in catalog.dataset.measures if {"healthcare", "education"} & set(m.sectors)}
    assert ids("-s", "healthcare,education") == both
    assert "hainan-foreign-universities-independent-2023" in both


def test_a_city_gets_its_own_measures_and_those_for_every_area(catalog: Catalog) -> None:
    shenzhen = set(ids("--city", "深圳"))
    assert everywhere(catalog) <= shenzhen
    assert "vats-pilot-2024" in shenzhen
    assert "foreign-hospital-pilot-2024" in shenzhen
    assert "legal-hk-arbitration-institutions" not in shenzhen  # Tianjin, Shanghai, Hainan, Chongqing
    assert shenzhen == {m.id for m in catalog.dataset.measures if applies_to(m, "shenzhen")}
    # Any city, even one no measure names, gets every measure for all (qualifying) areas.
    for city in catalog.dataset.cities:
        assert everywhere(catalog) <= set(ids("--city", city.id)), city.id


def test_the_healthcare_question_for_shenzhen() -> None:
    found = run_cli("measures", "--sector", "healthcare", "--city", "shenzhen", "--json").json()
    assert {"foreign-hospital-pilot-2024", "cell-gene-pilot-2024", "health-foreign-doctor-clinics"} <= {
        m["id"] for m in found
    }
    assert all("healthcare" in m["sectors"] and "shenzhen" in m["applies_to"] for m in found)
    assert "chongqing-foreign-medical-2021" not in [m["id"] for m in found]


def test_kind_status_and_since(catalog: Catalog) -> None:
    caps = ids("--kind", "equity-cap")
    assert caps == [m.id for m in catalog.dataset.measures if m.kind == "equity-cap"]
    assert ids("--kind", "EQUITY-CAP") == caps
    ended = ids("--status", "ended")
    assert ended == [m.id for m in catalog.dataset.measures if m.status == "ended"]
    assert "outbound-tours-shanghai-chongqing-2022" in ended
    recent = ids("--since", "2025-04-11")
    assert "telecom-ip-vpn-50" in recent  # issued on the day: kept
    assert "vats-pilot-2024" not in recent
    assert "beijing-wfoe-performance-brokerage-2015" not in ids("--since", "1990")  # no date: never kept
    assert ids("--since", "2025") == [m.id for m in catalog.dataset.measures if m.date and m.date >= "2025"]
    # The filters combine with AND.
    combined = ids("--kind", "equity-cap", "--since", "2024", "--city", "hefei", "--sector", "telecom")
    assert combined == ["telecom-app-store-cap-lifted", "telecom-internet-access-cap-lifted", "telecom-ip-vpn-50"]


def test_since_compares_at_the_precision_both_dates_have() -> None:
    assert issued_since("2024-09", "2024-09-15")  # may be on or after
    assert issued_since("2024-09-07", "2024-09")
    assert not issued_since("2024-08-31", "2024-09")
    assert issued_since("2025", "2024-12-31")
    assert not issued_since("2023", "2024")
    assert not issued_since(None, "2000")


def test_search_looks_in_the_texts_ignoring_case(catalog: Catalog) -> None:
    found = ids("--search", "ip-vpn")
    assert found == [m.id for m in catalog.dataset.measures if mentions(m, "IP-VPN")]
    assert {"telecom-ip-vpn-50", "beijing-ip-vpn-50", "six-cities-ip-vpn-50"} <= set(found)
    assert ids("--search", "商资函〔2025〕84号") == [
        m.id for m in catalog.dataset.measures if m.document == "商资函〔2025〕84号"
    ]
    assert "shanghai-yangshan-coastal-piggyback-2021" in ids("--search", "yangshan")  # its zone and title
    assert ids("--search", "LINGANG") == ids("--search", "lingang")


def test_where_keeps_measures_that_apply_in_a_matching_city(catalog: Catalog) -> None:
    rich = {c.id for c in catalog.dataset.cities if (g := c.figures.get("gdp")) and g.value and g.value > 3000}
    assert rich
    found = ids("--where", "gdp>3000")
    assert found == [m.id for m in catalog.dataset.measures if any(applies_to(m, c) for c in rich)]
    # A measure for every area matches whenever one city does; a city list needs one of its cities.
    assert everywhere(catalog) <= set(found)
    assert "plan-2026-dalian-shipping-logistics" not in found
    assert ids("--where", "gdp>1000000") == []
    # With --city, the one city must match the expressions too.
    assert ids("--city", "beijing", "--where", "not vats_pilot") == []
    assert ids("--city", "hefei", "--where", "not vats_pilot") == ids("--city", "hefei")
    # Repeated: AND, on one and the same city. No central city has the telecom pilot, so not even
    # a measure for every area matches (it would if each expression could pick its own city).
    assert ids("--where", "region=central")
    assert ids("--where", "vats_pilot", "--where", "region=central") == []


def test_no_match_is_an_empty_result_not_an_error() -> None:
    empty = run_cli("measures", "--search", "no such words anywhere", "--json")
    assert (empty.exit_code, empty.stdout.strip()) == (0, "[]")
    table = run_cli("measures", "--search", "no such words anywhere")
    assert table.exit_code == 0
    assert table.stdout == ""
    assert "no measure matches these filters" in table.stderr
    assert run_cli("measures", "--city", "hefei", "--status", "ended", "--format", "csv").exit_code == 0


# --- Errors ------------------------------------------------------------------------------------------


def one_line_error(result: Result, needle: str) -> None:
    assert result.exit_code == 2
    assert result.stdout == ""
    assert needle in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--sector", "helthcare"], "no sector named 'helthcare'; did you mean 'healthcare'?"),
        (["--city", "shenzen"], "no city named 'shenzen'; did you mean 'shenzhen'"),
        (["--kind", "equity"], "no measure kind named 'equity'; did you mean 'equity-cap'?"),
        (["--status", "ende"], "no measure status named 'ende'; did you mean 'ended'?"),
        (["--since", "2024-13"], "--since: '2024-13' is not a date; give YYYY, YYYY-MM or YYYY-MM-DD"),
        (["--since", "April 2024"], "--since: 'April 2024' is not a date"),
        (["--where", "gpd>1"], "no field named 'gpd'; did you mean 'gdp'?"),
        (["--where", "gdp>>1"], "malformed --where 'gdp>>1' at column 5"),
        (["vats-pilot-204"], "no measure named 'vats-pilot-204'; did you mean 'vats-pilot-2024'"),
        (["ip-vpn"], "no measure named 'ip-vpn'; did you mean 'telecom-ip-vpn-50'"),
        (["vats-pilot-2024", "--city", "hefei"], "give a measure id or filters, not both"),
        (["vats-pilot-2024", "--where", "gdp>1"], "give a measure id or filters, not both"),
    ],
)
def test_errors_are_one_line_with_exit_2(args: list[str], needle: str) -> None:
    one_line_error(run_cli("measures", *args), needle)


def test_the_closed_sets_are_the_models() -> None:
    assert get_args(models.MeasureKind) == KINDS
    assert get_args(models.MeasureStatus) == STATUSES
    statuses = run_cli("measures", "--status", "x")
    assert "valid measure statuses: " + ", ".join(STATUSES) in statuses.stderr


# --- One measure -------------------------------------------------------------------------------------


def test_one_measure_in_json_has_its_sources_in_full(catalog: Catalog) -> None:
    shown = run_cli("measures", "VATS-PILOT-2024", "--json").json()
    measure = catalog.measures["vats-pilot-2024"]
    assert shown["id"] == "vats-pilot-2024"
    assert shown["applies_to"] == ["beijing", "shanghai", "hainan", "shenzhen"]
    assert shown["creates"] == "vats_pilot"
    assert [s["id"] for s in shown["sources"]] == list(dict.fromkeys((measure.source, *measure.also)))
    assert shown["sources"][0]["url"] == catalog.sources[measure.source].url
    everywhere_one = run_cli("measures", "telecom-ip-vpn-50", "--json").json()
    assert everywhere_one["scope"] == "all"
    assert everywhere_one["cities"] == []
    assert everywhere_one["applies_to"] == list(catalog.cities)


def test_one_measure_on_screen(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = run_cli("measures", "foreign-hospital-pilot-2024").stdout
    lines = text.splitlines()
    measure = catalog.measures["foreign-hospital-pilot-2024"]
    assert lines[0].startswith("[foreign-hospital-pilot-2024] ")
    assert any(line.startswith("scope       9 cities: Beijing, Tianjin, Shanghai") for line in lines)
    assert "creates     foreign_hospital_pilot: 'yes' in these cities, 'no' in the other" in lines
    assert f"date        {measure.date}" in lines
    assert any(line.startswith("zone        Hainan: the whole island") for line in lines)
    assert any(line.startswith(f"sources     [{measure.source}]") for line in lines)
    urls = [catalog.sources[s].url for s in (measure.source, *measure.also) if catalog.sources[s].url]
    for url in urls:
        assert f"              {url}" in lines  # whole, on a line of its own
    # Every line but a URL's fits the width (Chinese characters take two cells).
    assert all(cell_len(line) <= 80 for line in lines if "http" not in line)
    qflp = " ".join(run_cli("measures", "finance-qflp-pilot").stdout.split())
    assert "qflp_pilot: 'yes' in these cities, unknown elsewhere (no complete list)" in qflp


def test_one_measures_urls_are_links_only_with_colour(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    measure = catalog.measures["vats-pilot-2024"]
    url = catalog.sources[measure.source].url
    assert "\x1b]8;" not in run_cli("measures", "vats-pilot-2024").stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    linked = run_cli("measures", "vats-pilot-2024").stdout
    assert f";{url}\x1b\\{url}\x1b]8;;\x1b\\" in linked


# --- Formats ------------------------------------------------------------------------------------------


def test_the_table_fits_80_columns_and_its_title_says_the_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("measures", "--sector", "healthcare", "--city", "shenzhen", "--since", "2024")
    lines = result.stdout.splitlines()
    count = len(ids("--sector", "healthcare", "--city", "shenzhen", "--since", "2024"))
    assert lines[0] == f"Measures · healthcare · in Shenzhen · since 2024: {count}"
    assert lines[1].split() == ["id", "date", "scope", "title"]
    assert max(cell_len(line) for line in lines) <= 80
    # The sectors give way so that a title keeps 36 cells, and a line says so.
    assert "1 column hidden: sectors" in result.stderr + result.stdout
    assert all(len(line) - len(line.lstrip()) <= 80 - 36 for line in lines[3:] if line.strip())
    assert "hospital-" in result.stdout  # an id broken after a hyphen, never inside a part
    assert "qualifying" in result.stdout
    everything = run_cli("measures").stdout
    assert max(cell_len(line) for line in everything.splitlines()) <= 80
    assert "all pilot" in everything
    assert "(ended)" in everything  # a measure not in force says so


def test_every_format(catalog: Catalog) -> None:
    args = ["measures", "--sector", "education"]
    records = run_cli(*args, "--json").json()
    assert records
    lines = run_cli(*args, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == records
    rows = list(csv.DictReader(io.StringIO(run_cli(*args, "--format", "csv").stdout)))
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert rows[0]["applies_to"] == ";".join(records[0]["applies_to"])
    flat = list(csv.DictReader(io.StringIO(run_cli(*args, "--format", "csv", "--flat").stdout)))
    assert [r["id"] for r in flat] == [r["id"] for r in records]
    chosen = run_cli(*args, "--fields", "id,date", "--json").json()
    assert chosen == [{"id": r["id"], "date": r["date"]} for r in records]
    table = run_cli(*args, "--fields", "id,scope")
    assert table.stdout.splitlines()[0].split() == ["id", "scope"]
    markdown = run_cli(*args, "--format", "markdown").stdout
    assert markdown.splitlines()[2].startswith("| id")
    assert all(r["id"] in markdown for r in records)
    bad = run_cli(*args, "--fields", "idd", "--json")
    assert bad.exit_code == 2
    assert "did you mean 'id'" in bad.stderr
    one = run_cli("measures", "vats-pilot-2024", "--fields", "id,applies_to", "--json").json()
    assert one == {"id": "vats-pilot-2024", "applies_to": ["beijing", "shanghai", "hainan", "shenzhen"]}


def test_hyphen_wrap_breaks_after_hyphens_and_at_spaces() -> None:
    assert hyphen_wrap("telecom-ip-vpn-50", 10) == ["telecom-", "ip-vpn-50"]
    assert hyphen_wrap("culture-tourism, trade", 9) == ["culture-", "tourism,", "trade"]
    assert hyphen_wrap("professional-services", 40) == ["professional-services"]
    # The space before a word counts: no line is wider than asked (Rich would wrap it again).
    assert hyphen_wrap("pilot tasks for the nine", 14) == ["pilot tasks", "for the nine"]
    assert "".join(hyphen_wrap("plan-2026-ningbo-manufacturing-cross-border-trade", 12)) == (
        "plan-2026-ningbo-manufacturing-cross-border-trade"
    )


# --- A small dataset ------------------------------------------------------------------------------------


def small(raw: dict[str, Any], tmp_path: Path) -> str:
    """The shipped dataset with three measures of its own, written to a file."""
    base = {"summary": "s", "status": "in-force", "source": raw["sources"][0]["id"], "confidence": "low"}
    raw["measures"] = [
        {**base, "id": "m-all", "title": "Everywhere", "sectors": ["finance"], "kind": "facilitation", "scope": "all"},
        {
            **base,
            "id": "m-two",
            "title": "Two cities",
            "sectors": ["healthcare", "trade"],
            "kind": "equity-cap",
            "scope": "cities",
            "cities": ["hefei", "xian"],
            "date": "2024-06",
            "zone": "Some zone",
        },
        {
            **base,
            "id": "m-old",
            "title": "Ended",
            "sectors": ["trade"],
            "kind": "new-business",
            "scope": "qualifying",
            "date": "2019-01-01",
            "status": "ended",
            "note": "A Quokka note",
        },
    ]
    for city in raw["cities"]:  # nothing creates the yes/no indicators any more: keep them unknown
        for key in ("vats_pilot", "foreign_hospital_pilot", "cell_gene_pilot", "qflp_pilot"):
            city["figures"].pop(key, None)
    return str(write_raw(raw, tmp_path / "small.toml"))


def test_filters_on_a_small_dataset(tmp_path: Path) -> None:
    data = small(shipped_raw(), tmp_path)

    def found(*args: str) -> list[str]:
        result = run_cli("--data", data, "measures", *args, "--json")
        assert result.exit_code == 0, result.stderr
        return [m["id"] for m in result.json()]

    assert found() == ["m-all", "m-two", "m-old"]
    assert found("--city", "hefei") == ["m-all", "m-two", "m-old"]
    assert found("--city", "wuhan") == ["m-all", "m-old"]
    assert found("--sector", "trade") == ["m-two", "m-old"]
    assert found("--sector", "finance", "--sector", "healthcare") == ["m-all", "m-two"]
    assert found("--kind", "equity-cap") == ["m-two"]
    assert found("--status", "ended") == ["m-old"]
    assert found("--since", "2024-06-30") == ["m-two"]  # 2024-06: may be on or after
    assert found("--since", "2024-07") == []
    assert found("--search", "quokka") == ["m-old"]
    assert found("--search", "SOME ZONE") == ["m-two"]
    assert found("--where", "region=central") == ["m-all", "m-two", "m-old"]  # Hefei is central
    assert found("--where", "region=northeast") == ["m-all", "m-old"]
    assert found("--city", "xian", "--where", "region=central") == []  # Xi'an is in the west
    listed = run_cli("--data", data, "list", "--measure", "m-two", "--json").json()
    assert [c["id"] for c in listed] == ["hefei", "xian"]


# --- list --measure and the other city commands ---------------------------------------------------------


def cities(*args: str) -> list[str]:
    result = run_cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return [c["id"] for c in result.json()]


def test_list_measure_keeps_the_cities_where_it_applies(catalog: Catalog) -> None:
    assert cities("list", "--measure", "vats-pilot-2024") == ["beijing", "shanghai", "hainan", "shenzhen"]
    assert cities("list", "--measure", "telecom-ip-vpn-50") == list(catalog.cities)  # every area
    # Repeated: AND: the areas of both the hospital pilot and the cell and gene pilot.
    both = cities("list", "-m", "foreign-hospital-pilot-2024", "-m", "cell-gene-pilot-2024")
    hospital = set(catalog.measures["foreign-hospital-pilot-2024"].cities)
    cell = set(catalog.measures["cell-gene-pilot-2024"].cities)
    assert set(both) == hospital & cell
    # With the other filters: AND.
    assert cities("list", "-m", "vats-pilot-2024", "--province", "广东") == ["shenzhen"]
    assert cities("list", "-m", "vats-pilot-2024", "--where", "gdp>4000") == cities(
        "list", "--where", "gdp>4000", "--where", "vats_pilot"
    )


@pytest.mark.parametrize("command", ["rank", "map"])
def test_measure_on_rank_and_map(command: str) -> None:
    assert sorted(cities(command, "--measure", "vats-pilot-2024")) == ["beijing", "hainan", "shanghai", "shenzhen"]


def test_export_measure_and_the_rank_title() -> None:
    exported = run_cli("export", "--format", "csv", "--measure", "legal-hk-arbitration-institutions")
    assert [line.split(",")[0] for line in exported.stdout.splitlines()[1:]] == [
        "tianjin",
        "shanghai",
        "hainan",
        "chongqing",
    ]
    ranked = run_cli("rank", "--measure", "vats-pilot-2024").stdout
    assert "with measure vats-pilot-2024" in ranked.splitlines()[0]


def test_an_unknown_measure_on_list_is_exit_2_with_a_suggestion() -> None:
    one_line_error(run_cli("list", "--measure", "vats-pilot-204"), "did you mean 'vats-pilot-2024'")


def test_shell_completion_offers_measure_ids_kinds_and_statuses() -> None:
    from pilotcli import cli

    context = CompletionContext()
    assert cli.complete_measure(context, "vats-pilot-i") == [  # type: ignore[arg-type]
        "vats-pilot-idc",
        "vats-pilot-isp",
        "vats-pilot-info-publishing-delivery",
        "vats-pilot-info-protection",
    ]
    assert cli.complete_measure_kind(context, "eq") == ["equity-cap"]  # type: ignore[arg-type]
    assert cli.complete_measure_status(context, "t") == ["to-be-studied"]  # type: ignore[arg-type]
