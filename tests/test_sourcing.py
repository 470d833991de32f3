"""Sources and confidence: what was read, and how much confidence it allows (docs/data.md)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import run_cli
from factories import city, problems_for, program_figure, shipped_raw, the_problem
from pilotcli.dataset import Catalog
from pilotcli.query import figure
from pilotcli.records import as_data
from pilotcli.sourcing import allowed, mirror_entry, strength

KNOWN_MIRRORS = {
    # Hosts seen behind the 2024 dataset's figures or named in issue 11: copies, never originals.
    "av069.com",
    "myxzyy.cn",
    "hongheiku.com",
    "reportify.ai",
    "reportify.cn",
    "qubk.net",
    "54sdr.cn",
    "fx361.cc",
    "yaliqi.com",
    "wanbiaoku.com",
    "toutiao.com",
    "inews.qq.com",
    "fengdujob.com",
    "bsbk.net",
    "creaders.net",
    "ruyici.top",
    "digipub.cc",
    "kupet.cn",
    "xiandb.cn",
    "mbji.cn",
    "qwerqqqd.com",
    "baxikafei.com",
    "tellerreport.com",
    "zhonghuashu.com",
    "buyfromyiwu.com",
    "sf024.com",
    "ksvobode.com",
    "github.com",
    "zhihu.com",
    "baike.baidu.com",
}


def _host_on(url: str, hosts: set[str]) -> bool:
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return any(host == known or host.endswith("." + known) for known in hosts)


def test_no_source_url_is_on_a_known_mirror_host(catalog: Catalog) -> None:
    on_mirrors = [s.id for s in catalog.dataset.sources if s.url is not None and _host_on(s.url, KNOWN_MIRRORS)]
    assert on_mirrors == []


def _most_confidence_the_issue_allows(sources: list[Any]) -> str:
    """Issue 11's rule, restated here rather than taken from pilotcli.sourcing: `high` for an
    official or index source read at its own url, or two sources of at least a news outlet or law
    firm read at their urls; `medium` for one such; a copy (via), secondary or mirror: `low`."""
    read_at_url = [s for s in sources if s["url"] and not s["via"]]
    official = [
        s for s in read_at_url if s["kind"] in ("official-statistics", "government", "regulator", "index-publisher")
    ]
    reporting = [s for s in read_at_url if s["kind"] in ("news", "law-or-consultancy")]
    if official or len(official) + len(reporting) >= 2:
        return "high"
    return "medium" if reporting else "low"


def _confidences(data: Any, where: str) -> Iterator[tuple[str, str, list[str]]]:
    """Every confidence anywhere in the dataset (figures, their history, programme figures, free
    trade zones, growth sectors, focus, measures, and whatever section is added later), with the
    ids of the sources it rests on (`source` and `also`, or `focus_source` for `focus_confidence`)."""
    if isinstance(data, list):
        for position, item in enumerate(data):
            yield from _confidences(
                item, f"{where}[{item.get('id', position) if isinstance(item, dict) else position}]"
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            if key.endswith("confidence") and value is not None:
                prefix = key.removesuffix("confidence")
                yield f"{where}.{key}", value, [data[f"{prefix}source"], *data.get(f"{prefix}also", [])]
            else:
                yield from _confidences(value, f"{where}.{key}")


def test_no_confidence_is_stronger_than_its_sources_allow(catalog: Catalog) -> None:
    data = as_data(catalog.dataset)
    sources = {s["id"]: s for s in data["sources"]}
    rank = ["low", "medium", "high"]
    found = list(_confidences({k: v for k, v in data.items() if k != "sources"}, "dataset"))
    assert len({where.split("[")[0] for where, _, _ in found}) >= 3  # cities, programme, measures
    too_strong = [
        f"{where}: {confidence} > {most}"
        for where, confidence, ids in found
        if rank.index(confidence) > rank.index(most := _most_confidence_the_issue_allows([sources[i] for i in ids]))
    ]
    assert too_strong == []


def test_the_rules_strength_of_a_source(catalog: Catalog) -> None:
    sources = catalog.sources
    assert strength(sources["gfci38-longfinance"]) == "high"  # index publisher, read at its url
    assert strength(sources["d22"]) == "medium"  # news, read at its url
    assert strength(sources["dl-chinanews-2025-01-20"]) == "low"  # news, read only on a mirror (via av069.com)
    assert strength(sources["hz-fdi-2024-w5454"]) == "low"  # a mirror
    assert strength(sources["tj-tjgb-2024"]) == "low"  # official url known but not opened: via says so
    assert allowed(["medium", "medium"]) == "high"
    assert allowed(["medium", "low"]) == "medium"
    assert allowed(["low", "low"]) == "low"


def test_mirror_entries_match_hosts_subdomains_and_paths() -> None:
    assert mirror_entry("https://tjgb.hongheiku.com/djs/1.html") == "hongheiku.com"
    assert mirror_entry("http://av069.com/cj/x.html") == "av069.com"
    assert mirror_entry("https://www.sohu.com/a/123") == "sohu.com/a/"
    assert mirror_entry("https://www.sohu.com/") is None
    assert mirror_entry("https://www.stats.gov.cn/x") is None
    assert mirror_entry("https://notav069.com/") is None


def test_a_figure_stronger_than_its_sources_fails_validation(tmp_path: Path) -> None:
    raw = shipped_raw()
    gdp = city(raw, "shenyang")["figures"]["gdp"]
    assert gdp["source"] == "sy-tjgb-2025-crei"
    assert gdp["confidence"] == "low"
    gdp["confidence"] = "high"
    _, problems = problems_for(raw, tmp_path)
    problem = the_problem(problems, city="shenyang", field="figures.gdp.confidence")
    assert "stronger than its sources allow ('low')" in problem.message
    assert "'high' needs an official or index source read at its url" in problem.message
    assert "'sy-tjgb-2025-crei' is low (read only through a copy (via))" in problem.message


def test_history_and_programme_figures_are_checked_too(tmp_path: Path) -> None:
    raw = shipped_raw()
    history = city(raw, "beijing")["figures"]["gdp"]["history"][0]
    history["confidence"] = "medium"
    program_figure(raw, "services_trade")["confidence"] = "high"
    _, problems = problems_for(raw, tmp_path)
    assert (
        "stronger than its sources"
        in the_problem(problems, city="beijing", field="figures.gdp.history[0].confidence").message
    )
    messages = [p.message for p in problems if p.city is None]
    assert any("'p22' is low" in m for m in messages)


def test_a_measure_stronger_than_its_sources_fails_validation(tmp_path: Path) -> None:
    # A measure's confidence is what its yes/no indicator (foreign_hospital_pilot ...) shows.
    raw = shipped_raw()
    measure = next(m for m in raw["measures"] if m["id"] == "finance-qflp-nanjing-2021")
    assert (measure["source"], measure.get("also", []), measure["confidence"]) == (
        "ma-jingtian-nanjing-qflp-2021",  # a law firm, read at its url: medium
        [],
        "medium",
    )
    measure["confidence"] = "high"
    _, problems = problems_for(raw, tmp_path)
    message = the_problem(problems, city=None, field="measures[finance-qflp-nanjing-2021].confidence").message
    assert "stronger than its sources allow ('medium')" in message


def test_two_agreeing_sources_of_medium_allow_high(tmp_path: Path) -> None:
    raw = shipped_raw()
    gdp: dict[str, Any] = city(raw, "chongqing")["figures"]["gdp"]["history"][0]
    assert gdp["source"] == "d9"
    assert gdp["confidence"] == "medium"
    gdp["confidence"] = "high"
    _, problems = problems_for(raw, tmp_path)
    assert the_problem(problems, city="chongqing", field="figures.gdp.history[0].confidence")
    gdp["also"] = ["sh-udn-2026-01-21"]  # any second source read at its url (medium or better)
    from factories import write_raw
    from pilotcli.dataset import read_dataset

    read_dataset(write_raw(raw, tmp_path / "two.toml"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": "https://tjgb.hongheiku.com/djs/58204.html"}, "mirror or content-farm host (hongheiku.com)"),
        ({"url": None, "via": None}, "needs the original's url"),
        ({"kind": "blog"}, "Input should be"),
    ],
)
def test_source_rules(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    raw = shipped_raw()
    source = next(s for s in raw["sources"] if s["id"] == "d22")
    for key, value in change.items():
        if value is None:
            source.pop(key, None)
        else:
            source[key] = value
    _, problems = problems_for(raw, tmp_path)
    assert any(message in p.message for p in problems), problems


# --- Years: history and --year ---------------------------------------------------------------


def test_year_picks_that_years_values_and_history_stays_in_the_json() -> None:
    latest = run_cli("show", "beijing", "--json").json()["gdp"]
    assert (latest["year"], latest["value"]) == (2025, 5207.34)
    assert [(h["year"], h["value"]) for h in latest["history"]] == [(2024, 4984.31)]
    older = run_cli("show", "beijing", "--year", "2024", "--json").json()["gdp"]
    assert (older["year"], older["value"], older["history"]) == (2024, 4984.31, [])
    listed = {c["id"]: c["gdp"] for c in run_cli("list", "--year", "2024", "--json").json()}
    assert {c["year"] for c in listed.values() if c is not None} == {2024}
    assert listed["nanjing"]["value"] == 1850.081
    # Ranks, counts and flags are not yearly series: --year leaves them as they are.
    assert run_cli("show", "shanghai", "--year", "2023", "--json").json()["gfci_rank"]["value"] == 8


def test_year_on_rank_compare_and_export() -> None:
    ranked = run_cli("rank", "--year", "2024", "--json").json()
    assert all(r["contributions"]["gdp"]["value"] != 5207.34 for r in ranked)
    compared = run_cli("compare", "beijing", "shanghai", "--year", "2024", "--json").json()
    gdp = next(row for row in compared["rows"] if row["indicator"] == "gdp")
    assert {k: v["value"] for k, v in gdp["values"].items()} == {"beijing": 4984.31, "shanghai": 5392.671}
    exported = run_cli("export", "--format", "csv", "--year", "2024").stdout
    assert "4984.31" in exported
    assert "5207.34" not in exported
    refused = run_cli("export", "--format", "json", "--year", "2024")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("pilot: --year applies to --format csv")
    assert "pilot list --year 2024 --json" in refused.stderr
    assert refused.stderr.count("\n") == 1


@pytest.mark.parametrize("year", ["1999", "2030"])
def test_a_year_without_figures_is_one_line(year: str) -> None:
    result = run_cli("list", "--year", year)
    assert result.exit_code == 2
    assert result.stderr == f"pilot: no figures for {year}; years with figures: 2025, 2024, 2023\n"


def test_tables_mark_an_older_year_and_rank_says_which_years(monkeypatch: pytest.MonkeyPatch) -> None:
    # Which cities lag changes as figures are added: the years are read from the JSON.
    monkeypatch.setenv("COLUMNS", "160")
    gdp = {c["id"]: c["gdp"] for c in run_cli("list", "--json").json() if c["gdp"] and c["gdp"]["value"]}
    newest = max(g["year"] for g in gdp.values())
    older = sorted(city for city, g in gdp.items() if g["year"] < newest)
    current = sorted(city for city, g in gdp.items() if g["year"] == newest)
    assert older, "some city's GDP is of an earlier year than the rest"
    rows = {line.split()[0]: line for line in run_cli("list").stdout.splitlines() if line.split()}
    for area in older:
        assert f"{gdp[area]['value']:,.1f} ({gdp[area]['year']})" in rows[area], rows[area]
    for area in current:
        assert f"{gdp[area]['value']:,.1f} (" not in rows[area], rows[area]
    assert "(YEAR) a value from an earlier year than the rest" in run_cli("list").stdout
    assert "(2024)" not in run_cli("list", "--year", "2024").stdout
    years = Counter(
        r["contributions"]["gdp"]["year"]
        for r in run_cli("rank", "--json").json()
        if r["contributions"].get("gdp", {}).get("value") is not None
    )
    said = ", ".join(f"{year} ({count})" for year, count in sorted(years.items()))
    assert f"values from: gdp {said};" in " ".join(run_cli("rank").stdout.split())


def test_version_says_how_current_the_data_is(catalog: Catalog) -> None:
    as_of = catalog.dataset.dataset.as_of.isoformat()
    assert run_cli("--version").stdout == f"pilot 0.2.0, data as of {as_of}\n"


@pytest.mark.parametrize("page", ["README.md", "docs/data.md"])
def test_the_coverage_table_in_the_docs_is_true(catalog: Catalog, page: str) -> None:
    text = (Path(__file__).resolve().parents[1] / page).read_text(encoding="utf-8")
    table = text.split("<!-- coverage -->")[1].split("<!-- /coverage -->")[0]
    areas = len(catalog.dataset.cities)
    cell = rf"(\d+) of {areas}(?: \((\d+) estimated\))?"
    documented = {
        m.group(1): ((int(m.group(2)), int(m.group(3) or 0)), (int(m.group(4)), int(m.group(5) or 0)))
        for m in re.finditer(rf"^\| `(\w+)` \| {cell} \| {cell} \|$", table, re.MULTILINE)
    }
    counted = {}
    for info in catalog.indicators.values():
        if info.kind != "quantity" or info.derived_from:
            continue
        counted[info.id] = tuple(_values_and_estimates(catalog, info.id, year) for year in (2025, 2024))
    assert documented == counted
    assert any(estimated for pair in counted.values() for _, estimated in pair)  # the shipped data has some


def _values_and_estimates(catalog: Catalog, key: str, year: int) -> tuple[int, int]:
    """How many areas have a value of `key` for `year`, and how many of those are estimates."""
    values = [
        value
        for city_record in catalog.dataset.cities
        if (value := figure(catalog.at_year(year), city_record, key)) is not None and value.value is not None
    ]
    return len(values), sum(1 for value in values if value.estimate)
