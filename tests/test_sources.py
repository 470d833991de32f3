"""pilot sources: list the sources with what cites them, look one up, links on a terminal."""

from __future__ import annotations

import pytest

from conftest import run_cli
from pilotcli.dataset import Catalog
from pilotcli.sources import citations


def test_every_source_is_listed_in_dataset_order(catalog: Catalog) -> None:
    listed = run_cli("sources", "--json").json()
    assert [s["id"] for s in listed] == list(catalog.sources)
    assert all(s["url"] == catalog.sources[s["id"]].url for s in listed)


def test_what_cites_a_source_is_every_field_that_names_it(catalog: Catalog) -> None:
    oncc = run_cli("sources", "[SZ-ONCC-2025-03-31]", "--json").json()
    assert oncc["title"] == catalog.sources["sz-oncc-2025-03-31"].title
    expected = [
        {"city": "shenzhen", "what": key}
        for key, f in catalog.cities["shenzhen"].figures.items()
        if "sz-oncc-2025-03-31" in (f.source, *f.also, *(s for h in f.history for s in (h.source, *h.also)))
    ]
    assert oncc["cited_by"] == expected
    assert oncc["cities"] == ["shenzhen"]
    cited = citations(catalog)
    # Every source a city's profile lists (pilot show) cites that city, and the other way round.
    for city in catalog.dataset.cities:
        shown = {s["id"] for s in run_cli("show", city.id, "--json").json()["sources"]}
        citing = {source_id for source_id, found in cited.items() if any(c.city == city.id for c in found)}
        assert shown == citing, city.id


def test_city_filter_and_programme_sources(catalog: Catalog) -> None:
    hefei = run_cli("sources", "--city", "合肥", "--json").json()
    assert "hf-jiemian-2025-03-10" in [s["id"] for s in hefei]
    assert all("hefei" in s["cities"] for s in hefei)
    shine = run_cli("sources", "shine-xinhua-fdi-2024", "--json").json()
    assert any(c["city"] is None and c["what"].startswith("programme figure") for c in shine["cited_by"])


def test_the_detail_shows_the_url_whole_on_its_own_line(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    url = catalog.sources["sz-oncc-2025-03-31"].url
    assert url is not None
    assert len(url) > 40
    shown = run_cli("sources", "sz-oncc-2025-03-31").stdout
    assert f"url        {url}" in shown.splitlines()
    assert "cited by   shenzhen: population" in shown


def test_links_are_osc8_hyperlinks_only_with_colour(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    url = catalog.sources["sz-oncc-2025-03-31"].url
    plain = run_cli("sources", "sz-oncc-2025-03-31").stdout + run_cli("sources").stdout
    assert "\x1b]8;" not in plain
    monkeypatch.setenv("FORCE_COLOR", "1")
    detail = run_cli("sources", "sz-oncc-2025-03-31").stdout
    assert f";{url}\x1b\\{url}\x1b]8;;\x1b\\" in detail
    listed = run_cli("sources", "--city", "shenzhen").stdout
    assert f";{url}\x1b\\" in listed  # the title links to the URL


def test_unknown_source_and_kind_errors() -> None:
    unknown = run_cli("sources", "d3l")
    assert unknown.exit_code == 2
    assert "no source named 'd3l'; did you mean" in unknown.stderr
    both = run_cli("sources", "d31", "--city", "hefei")
    assert both.exit_code == 2
    assert run_cli("sources", "--city", "atlantis").exit_code == 2


def test_kind_filter(catalog: Catalog) -> None:
    kinds: set[str] = {k for s in catalog.dataset.sources if isinstance(k := getattr(s, "kind", None), str)}
    if not kinds:
        result = run_cli("sources", "--kind", "news")
        assert result.exit_code == 2
        assert "have no kind" in result.stderr
        return
    for kind in kinds:
        listed = run_cli("sources", "--kind", kind, "--json").json()
        assert listed
        assert {s["kind"] for s in listed} == {kind}
    assert "did you mean" in run_cli("sources", "--kind", sorted(kinds)[0][:-1] + "x").stderr


def test_markdown_titles_link_to_the_source(catalog: Catalog) -> None:
    markdown = run_cli("sources", "--city", "shenzhen", "--format", "markdown").stdout
    oncc = catalog.sources["sz-oncc-2025-03-31"]
    assert f"[{oncc.title}]({oncc.url})" in markdown
