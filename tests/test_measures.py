"""Opening measures: the catalogue's data, its whole-file checks, the yes/no indicators
derived from it, and the commands that show it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from factories import city, problems_for, shipped_raw, the_problem
from pilotcli.dataset import Catalog
from pilotcli.measures import applies_to, created_figures
from pilotcli.query import figure

# --- The published lists ----------------------------------------------------------------------

HOSPITAL_NINE = {"beijing", "tianjin", "shanghai", "nanjing", "suzhou", "fuzhou", "guangzhou", "shenzhen", "hainan"}
"""商资函〔2024〕568号: wholly foreign-owned hospitals in Beijing, Tianjin, Shanghai, Nanjing, Suzhou,
Fuzhou, Guangzhou, Shenzhen and the whole island of Hainan."""
VATS_FOUR = {"beijing", "shanghai", "hainan", "shenzhen"}
"""工信部通信函〔2024〕107号: Beijing's demonstration zone, Shanghai Lingang/Pudong, Hainan FTP, Shenzhen."""
CELL_GENE_FIVE = {"beijing", "shanghai", "guangzhou", "shenzhen", "hainan"}
"""The same 2024 notice: the Beijing, Shanghai and Guangdong FTZs (Nansha in Guangzhou, Qianhai in
Shenzhen) and the Hainan FTP."""
QFLP_SOURCED = {
    "beijing",
    "tianjin",
    "shanghai",
    "hainan",
    "chongqing",
    "guangzhou",
    "qingdao",
    "shenzhen",
    "nanjing",
    "xiamen",
    "hefei",
    "fuzhou",
    "suzhou",
}
"""No national QFLP list exists: the areas a source names (JunHe 2021; Jingtian for Nanjing; the
April 2025 replication of balance management for Hefei, Fuzhou, Xiamen, Suzhou)."""


def creators(catalog: Catalog, key: str) -> list[Any]:
    return [m for m in catalog.dataset.measures if m.creates == key]


@pytest.mark.parametrize(
    ("key", "published", "complete"),
    [
        ("foreign_hospital_pilot", HOSPITAL_NINE, True),
        ("vats_pilot", VATS_FOUR, True),
        ("cell_gene_pilot", CELL_GENE_FIVE, True),
        ("qflp_pilot", QFLP_SOURCED, False),
    ],
)
def test_the_creating_measures_scopes_are_the_published_lists(
    catalog: Catalog, key: str, published: set[str], complete: bool
) -> None:
    measures = creators(catalog, key)
    assert measures, key
    assert set().union(*(set(m.cities) for m in measures)) == published
    assert all(m.scope == "cities" for m in measures)
    assert all(m.list_complete is complete for m in measures)


@pytest.mark.parametrize(
    ("key", "published"),
    [("foreign_hospital_pilot", HOSPITAL_NINE), ("vats_pilot", VATS_FOUR), ("cell_gene_pilot", CELL_GENE_FIVE)],
)
def test_a_closed_list_gives_yes_in_it_and_no_elsewhere(catalog: Catalog, key: str, published: set[str]) -> None:
    for c in catalog.dataset.cities:
        value = figure(catalog, c, key)
        assert value is not None, c.id
        assert value.value is (c.id in published), c.id
        measure = creators(catalog, key)[0]
        assert value.source == measure.source
        assert value.confidence == measure.confidence
        assert measure.date is not None
        assert value.year == int(measure.date[:4])


def test_qflp_is_unknown_outside_the_sourced_areas(catalog: Catalog) -> None:
    values = {c.id: figure(catalog, c, "qflp_pilot") for c in catalog.dataset.cities}
    assert {cid for cid, v in values.items() if v is not None and v.value is True} == QFLP_SOURCED
    assert all(v is None for cid, v in values.items() if cid not in QFLP_SOURCED)
    # Each city cites the measure that names it.
    nanjing = values["nanjing"]
    assert nanjing is not None
    assert nanjing.source == "ma-jingtian-nanjing-qflp-2021"


def test_no_city_stores_a_created_indicator(catalog: Catalog) -> None:
    created = {m.creates for m in catalog.dataset.measures if m.creates}
    assert created == {"vats_pilot", "foreign_hospital_pilot", "cell_gene_pilot", "qflp_pilot"}
    for c in catalog.dataset.cities:
        assert not created & set(c.figures), c.id


def test_the_derived_figures_cover_every_city_of_a_closed_list(catalog: Catalog) -> None:
    derived = created_figures(catalog.dataset)
    assert set(derived["vats_pilot"]) == set(catalog.cities)
    assert set(derived["qflp_pilot"]) == QFLP_SOURCED


# --- The catalogue's data ------------------------------------------------------------------------


def test_the_catalogue_covers_the_growth_sectors(catalog: Catalog) -> None:
    measures = catalog.dataset.measures
    assert len(measures) >= 40
    by_sector = Counter(s for m in measures for s in m.sectors)
    assert set(by_sector) == set(catalog.sectors)  # every growth sector has measures, education and technology too
    assert by_sector["telecom"] >= 10
    assert by_sector["healthcare"] >= 10
    assert by_sector["finance"] >= 10


def test_every_measure_refers_to_known_sectors_cities_and_sources(catalog: Catalog) -> None:
    for m in catalog.dataset.measures:
        assert m.sectors, m.id
        assert set(m.sectors) <= set(catalog.sectors), m.id
        assert set(m.cities) <= set(catalog.cities), m.id
        assert {m.source, *m.also} <= set(catalog.sources), m.id
        assert (m.scope == "cities") == bool(m.cities), m.id


def test_the_april_2025_press_conference_measures_are_in(catalog: Catalog) -> None:
    measures = catalog.measures
    for measure_id in (
        "telecom-app-store-cap-lifted",
        "telecom-internet-access-cap-lifted",
        "telecom-ip-vpn-50",
        "health-foreign-doctor-clinics",
        "health-short-term-practice",
        "health-foreign-nursing-colleges",
        "finance-international-factoring",
        "finance-rmb-cross-border-fund-centralisation",
        "tourism-outbound-foreign-travel-agencies",
        "logistics-container-shipping-door-to-door",
    ):
        assert measures[measure_id].document == "商资函〔2025〕84号", measure_id
    hk = measures["legal-hk-arbitration-institutions"]
    assert set(hk.cities) == {"tianjin", "shanghai", "hainan", "chongqing"}


def test_the_ip_vpn_opening_is_capped_at_half(catalog: Catalog) -> None:
    for measure_id in ("telecom-ip-vpn-50", "beijing-ip-vpn-50", "six-cities-ip-vpn-50"):
        measure = catalog.measures[measure_id]
        assert "50%" in measure.summary or "half" in measure.summary, measure_id
        assert measure.kind == "equity-cap"


def test_a_measure_for_every_pilot_area_applies_to_every_city(catalog: Catalog) -> None:
    everywhere = [m for m in catalog.dataset.measures if m.scope in ("all", "qualifying")]
    assert everywhere
    for m in everywhere:
        assert all(applies_to(m, cid) for cid in catalog.cities)
    hospital = catalog.measures["foreign-hospital-pilot-2024"]
    assert applies_to(hospital, "suzhou")
    assert not applies_to(hospital, "chongqing")


# --- Whole-file checks ------------------------------------------------------------------------------


def measure(raw: dict[str, Any], measure_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in raw["measures"] if m["id"] == measure_id)
    return found


def measure_problem(raw: dict[str, Any], tmp_path: Path, field: str) -> str:
    _, problems = problems_for(raw, tmp_path)
    return the_problem(problems, city=None, field=field).message


def test_an_unknown_sector_or_city_in_a_measure_is_named(tmp_path: Path) -> None:
    raw = shipped_raw()
    measure(raw, "vats-pilot-2024")["sectors"] = ["telecoms"]
    measure(raw, "vats-pilot-2024")["cities"] = ["beijing", "shangai"]
    _, problems = problems_for(raw, tmp_path)
    sector = the_problem(problems, city=None, field="measures[vats-pilot-2024].sectors")
    assert sector.message == "unknown sector 'telecoms' (did you mean 'telecom'?)"
    cities = the_problem(problems, city=None, field="measures[vats-pilot-2024].cities")
    assert cities.message == "unknown city 'shangai' (did you mean 'shanghai'?)"
    assert cities.line is not None


def test_a_scope_and_its_city_list_must_agree(tmp_path: Path) -> None:
    raw = shipped_raw()
    measure(raw, "telecom-ip-vpn-50")["cities"] = ["hefei"]  # scope "all"
    message = measure_problem(raw, tmp_path, "measures[telecom-ip-vpn-50].cities")
    assert "scope 'all'" in message
    raw = shipped_raw()
    del measure(raw, "legal-hk-lawyers-as-consultants")["cities"]
    message = measure_problem(raw, tmp_path, "measures[legal-hk-lawyers-as-consultants].cities")
    assert message == "scope 'cities' needs a list of cities"


def test_a_stored_figure_that_a_measure_creates_is_refused(tmp_path: Path) -> None:
    raw = shipped_raw()
    stored = {"value": True, "unit": "yes/no", "year": 2024, "source": "vats-pilot-2024", "confidence": "high"}
    city(raw, "hefei")["figures"]["vats_pilot"] = stored
    _, problems = problems_for(raw, tmp_path)
    problem = the_problem(problems, city="hefei", field="figures.vats_pilot")
    assert problem.message == "'vats_pilot' is derived from the measure 'vats-pilot-2024' (creates); do not store it"


def test_a_measure_creates_only_a_yes_no_indicator(tmp_path: Path) -> None:
    raw = shipped_raw()
    measure(raw, "telecom-ip-vpn-50")["creates"] = "gdp"
    message = measure_problem(raw, tmp_path, "measures[telecom-ip-vpn-50].creates")
    assert message.startswith("a measure creates a yes/no indicator; 'gdp' is not one")


def test_a_status_value_outside_the_list_is_refused(tmp_path: Path) -> None:
    raw = shipped_raw()
    measure(raw, "telecom-ip-vpn-50")["status"] = "active"
    _, problems = problems_for(raw, tmp_path)
    problem = the_problem(problems, city=None, field="measures[telecom-ip-vpn-50].status")
    assert "in-force" in problem.message
    assert "to-be-studied" in problem.message


def test_a_status_date_before_the_measure_is_refused(tmp_path: Path) -> None:
    raw = shipped_raw()
    measure(raw, "outbound-tours-shanghai-chongqing-2022")["status_date"] = "2021-01"
    message = measure_problem(raw, tmp_path, "measures[outbound-tours-shanghai-chongqing-2022].status_date")
    assert message == "status_date 2021-01 is before the measure's date 2022-10-08"


def test_an_unknown_source_of_a_measure_is_named(tmp_path: Path) -> None:
    raw = shipped_raw()
    measure(raw, "telecom-ip-vpn-50")["also"] = ["p25", "ma-sinobravo-2025-4"]
    message = measure_problem(raw, tmp_path, "measures[telecom-ip-vpn-50].also")
    assert message == "unknown source 'ma-sinobravo-2025-4' (did you mean 'ma-sinobravo-2025-04'?)"


def test_a_derived_figure_carries_the_creating_measures_further_sources(catalog: Catalog) -> None:
    hospital = catalog.measures["foreign-hospital-pilot-2024"]
    assert hospital.also
    value = figure(catalog, catalog.cities["suzhou"], "foreign_hospital_pilot")
    assert value is not None
    assert value.also == hospital.also
    shown = run_cli("show", "suzhou", "--json").json()
    assert shown["foreign_hospital_pilot"]["also"] == list(hospital.also)
    # Each further source is among the city's sources and cites the city for the indicator.
    assert set(hospital.also) <= {s["id"] for s in shown["sources"]}
    cited = run_cli("sources", hospital.also[-1], "--json").json()["cited_by"]
    assert {"city": "suzhou", "what": "foreign_hospital_pilot"} in cited
    # 'no' (outside the complete list) rests on the same measure and its sources.
    outside = figure(catalog, catalog.cities["hefei"], "foreign_hospital_pilot")
    assert outside is not None
    assert outside.value is False
    assert outside.also == hospital.also
