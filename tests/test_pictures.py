"""The pictures: `pilot map` (cities on land and sea) and `pilot timeline` (the programme's growth)."""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from conftest import ROOT, run_cli
from factories import city, shipped_raw, write_raw
from pilotcli import geo, pictures
from pilotcli.dataset import Catalog

MAP_TOP = 2
"""The map's first row in the output: a title line, then a blank line."""


def map_lines(*args: str) -> list[str]:
    result = run_cli("map", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def placed(monkeypatch: pytest.MonkeyPatch, columns: int, *args: str) -> dict[str, dict[str, Any]]:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run_cli("map", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return {record["id"]: record for record in result.json()}


# --- Placement ------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize(
    ("north", "south"),
    [("shenyang", "guangzhou"), ("beijing", "shanghai"), ("xian", "chengdu"), ("qingdao", "hangzhou")],
)
def test_a_city_further_north_is_on_a_higher_row(
    monkeypatch: pytest.MonkeyPatch, columns: int, north: str, south: str
) -> None:
    cities = placed(monkeypatch, columns)
    assert cities[north]["lat"] > cities[south]["lat"]
    assert cities[north]["row"] < cities[south]["row"]


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize(
    ("east", "west"),
    [("shanghai", "chengdu"), ("hangzhou", "wuhan"), ("dalian", "beijing"), ("xiamen", "guangzhou")],
)
def test_a_city_further_east_is_further_right(
    monkeypatch: pytest.MonkeyPatch, columns: int, east: str, west: str
) -> None:
    cities = placed(monkeypatch, columns)
    assert cities[east]["lon"] > cities[west]["lon"]
    assert cities[east]["col"] > cities[west]["col"]


@pytest.mark.parametrize("columns", [40, 80, 120])
def test_every_pair_of_cities_keeps_its_compass_order(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    cities = list(placed(monkeypatch, columns).values())
    for a, b in itertools.permutations(cities, 2):
        if a["lat"] - b["lat"] > 1.5:
            assert a["row"] < b["row"], (a["id"], b["id"])
        if a["lon"] - b["lon"] > 1.5:
            assert a["col"] > b["col"], (a["id"], b["id"])


@pytest.mark.parametrize("columns", [40, 80, 120])
def test_every_marker_is_drawn_at_its_cell_and_none_is_hidden(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    cities = placed(monkeypatch, columns)
    lines = map_lines()
    cells = {(c["col"], c["row"]) for c in cities.values()}
    assert len(cells) == len(cities) == 20, "two cities share a cell"
    for record in cities.values():
        assert lines[MAP_TOP + record["row"]][record["col"]] == pictures.MARKER, record["id"]
    rows = max(record["row"] for record in cities.values()) + 1
    map_area = [line[: max(c["col"] for c in cities.values()) + 1] for line in lines[MAP_TOP : MAP_TOP + rows]]
    assert sum(line.count(pictures.MARKER) for line in map_area) == 20


def test_the_marker_cell_matches_the_projection(catalog: Catalog) -> None:
    land = geo.land()
    grid = geo.grid_for(land.box, 80)
    for c in catalog.dataset.cities:
        cell = grid.cell(c.lon, c.lat)
        assert cell is not None, f"{c.id} is outside the map box"
        x, y = grid.dot(c.lon, c.lat)
        assert cell == (int(x // 2), int(y // 4))


def test_the_map_keeps_the_box_shape() -> None:
    box = geo.land().box
    narrow, wide = geo.grid_for(box, 80), geo.grid_for(box, 120)
    assert wide.rows > narrow.rows
    # Equirectangular with cos(latitude): the box is about 28° tall and 30° x cos(31°) = 25.7° wide.
    assert narrow.dots_y / narrow.dots_x == pytest.approx(28 / 25.7, rel=0.05)


# --- Width ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [40, 60, 80, 100, 120, 160])
@pytest.mark.parametrize("args", [["map"], ["map", "--by", "region"], ["map", "--inland"], ["timeline"]])
def test_pictures_fit_the_width(monkeypatch: pytest.MonkeyPatch, columns: int, args: list[str]) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    widths = [cell_len(line) for line in result.stdout.splitlines()]
    assert max(widths) <= columns
    assert all(line == line.rstrip() for line in result.stdout.splitlines())


def test_the_map_grows_with_the_terminal_and_stops_at_a_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    def map_width(columns: int) -> int:
        monkeypatch.setenv("COLUMNS", str(columns))
        return max(len(line) for line in map_lines()[MAP_TOP : MAP_TOP + 20])

    assert map_width(120) > map_width(80) > map_width(60)
    assert map_width(300) <= pictures.MAP_MAX_COLS + 40  # the map stops growing; the legend sits beside it


def test_a_wide_terminal_puts_the_legend_beside_the_map(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    beside = map_lines()
    monkeypatch.setenv("COLUMNS", "80")
    below = map_lines()
    assert any("Beijing 北京" in line and "⠅" in line for line in beside)
    assert not any("Beijing 北京" in line and "⠅" in line for line in below)


# --- Labels and legend ---------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [40, 80, 120])
def test_every_city_is_named_in_the_legend_and_labelled_on_the_map(
    monkeypatch: pytest.MonkeyPatch, catalog: Catalog, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    lines = map_lines()
    text = "\n".join(lines)
    legend = [c for c in catalog.dataset.cities if f"{c.name} {c.name_zh}" in text]
    assert len(legend) == 20
    drawn = [line for line in lines if any("\u2800" <= char <= "\u28ff" for char in line)]
    map_text = "\n".join(line[: pictures.MAP_MAX_COLS] for line in drawn)
    unnamed = [
        c.name for c in catalog.dataset.cities if f"● {c.name}" not in map_text and f"{c.name} ●" not in map_text
    ]
    if columns >= 120:
        assert not unnamed, "at 120 columns every city has its name on the map"
    # A legend number appears only where it labels a marker: a city named on the map has none.
    for number in range(1, 21):
        entries = [c for c in catalog.dataset.cities if f"{number} {c.name} {c.name_zh}" in text]
        for entry in entries:
            assert entry.name in unnamed, entry.name


def test_labels_never_cover_a_marker_or_each_other() -> None:
    grid = geo.Grid(geo.Box(0, 0, 10, 10), 30, 6)
    markers = {f"m{i}": (10 + i, 2 + i % 2) for i in range(8)}  # a tight cluster
    texts = {key: [f"Name{key}", key[1:]] for key in markers}
    labels = geo.place_labels(grid, markers, texts)
    taken: Counter[tuple[int, int]] = Counter()
    for label in labels.values():
        assert label.col >= 0
        assert label.end <= grid.cols
        assert 0 <= label.row < grid.rows
        for col in range(label.col - 1, label.end + 1):
            assert (col, label.row) not in markers.values(), "a label or its margin covers a marker"
        for col in range(label.col, label.end):
            taken[(col, label.row)] += 1
    assert all(count == 1 for count in taken.values()), "two labels overlap"


def test_by_batch_and_by_region_have_their_own_legend(catalog: Catalog) -> None:
    by_batch = "\n".join(map_lines())
    by_region = "\n".join(map_lines("--by", "region"))
    for batch in catalog.dataset.program.batches:
        assert f"{batch.date.year} · batch {batch.number}" in by_batch
        assert f"batch {batch.number}" not in by_region
    for region in catalog.dataset.regions:
        assert f"{region.name} {region.name_zh}" in by_region
    assert "Pilot areas by batch" in by_batch
    assert "Pilot areas by region" in by_region


def test_colours_differ_by_category(catalog: Catalog) -> None:
    for by in pictures.GROUPS:
        view = pictures.map_view(catalog, list(catalog.dataset.cities), by, 80)
        assert view.picture is not None
        marker_styles = {style for row in view.picture for text, style in row if text == pictures.MARKER}
        expected = len(catalog.dataset.program.batches) if by == "batch" else len(catalog.dataset.regions)
        assert len(marker_styles) == expected


def test_colour_is_sent_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" not in run_cli("map").stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run_cli("map").stdout
    assert "\x1b[" not in run_cli("map", "--no-color").stdout


def test_the_source_of_the_land_is_credited() -> None:
    assert "Natural Earth" in "\n".join(map_lines())
    land = geo.land()
    assert "Natural Earth" in land.source
    assert "public domain" in land.source
    assert land.rings
    assert all(len(ring) >= 3 for ring in land.rings)


# --- Filters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "region", "batch", "coastal"),
    [
        (["--region", "west"], "west", None, None),
        (["--region", "东北"], "northeast", None, None),
        (["--batch", "2021"], None, 2, None),
        (["--inland", "--by", "region"], None, None, False),
        (["--coastal", "--batch", "4"], None, 4, True),
    ],
)
def test_map_takes_the_list_filters(
    catalog: Catalog, args: list[str], region: str | None, batch: int | None, coastal: bool | None
) -> None:
    result = run_cli("map", "--json", *args)
    assert result.exit_code == 0, result.stderr
    expected = [
        c.id
        for c in catalog.dataset.cities
        if (region is None or c.region == region)
        and (batch is None or c.batch == batch)
        and (coastal is None or c.coastal == coastal)
    ]
    assert [record["id"] for record in result.json()] == expected
    list_args = [a for a in args if a not in ("--by", "region")]
    assert [record["id"] for record in run_cli("list", "--json", *list_args).json()] == expected


def test_map_json_records_and_fields() -> None:
    records = run_cli("map", "--region", "west", "--json").json()
    assert {r["id"] for r in records} == {"chengdu", "chongqing", "xian"}
    assert all(list(r) == ["id", "name", "name_zh", "lat", "lon", "batch", "region", "col", "row"] for r in records)
    selected = run_cli("map", "--json", "--fields", "id,row").json()
    assert all(set(r) == {"id", "row"} for r in selected)


def test_a_filtered_map_shows_only_those_cities(catalog: Catalog) -> None:
    text = "\n".join(map_lines("--region", "west", "--by", "region"))
    assert "(3 of 20)" in text
    assert "Chengdu" in text
    assert "Xi'an" in text
    assert "Shanghai" not in text
    assert text.count(pictures.MARKER) == 3 + 1  # three cities and their one region in the legend


def test_a_map_with_no_city_says_so() -> None:
    result = run_cli("map", "--province", "Hebei")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no city matches" in result.stderr
    assert run_cli("map", "--province", "Hebei", "--json").json() == []


def test_map_rejects_an_unknown_grouping() -> None:
    result = run_cli("map", "--by", "province")
    assert result.exit_code == 2
    assert "--by" in result.stderr


# --- Land ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lon", "lat", "is_land"),
    [
        (124.0, 30.0, False),  # the East China Sea, east of Shanghai
        (114.3, 30.6, True),  # Wuhan
        (104.07, 30.67, True),  # Chengdu
        (123.0, 37.0, False),  # the Yellow Sea
        (116.0, 20.0, False),  # the South China Sea
        (121.0, 23.5, True),  # Taiwan
        (109.8, 19.2, True),  # Hainan island
    ],
)
def test_land_and_sea(lon: float, lat: float, is_land: bool) -> None:
    land = geo.land()
    assert land.contains(lon, lat) is is_land
    grid = geo.grid_for(land.box, 96)
    dots = geo.land_dots(grid, land.rings)
    x, y = grid.dot(lon, lat)
    assert bool(dots[int(y)][int(x)]) is is_land


def test_every_shipped_city_is_inside_the_box_and_inland_ones_on_land(catalog: Catalog) -> None:
    land = geo.land()
    for c in catalog.dataset.cities:
        assert land.box.contains(c.lon, c.lat), c.id
        if not c.coastal:  # at 1:110m a port (Dalian) may fall just off the coast
            assert land.contains(c.lon, c.lat), c.id


def test_the_packaged_land_file_is_small_and_rounded() -> None:
    path = Path(geo.__file__).with_name("data") / "land.json"
    assert path.stat().st_size < 20_000
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert set(raw) >= {"source", "derived", "bbox", "rings"}
    assert all(round(v, 1) == v for ring in raw["rings"] for point in ring for v in point)


def test_rasterising_is_fast() -> None:
    land = geo.land()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        geo.land_picture(geo.grid_for(land.box, pictures.MAP_MAX_COLS))
        best = min(best, time.perf_counter() - start)
    assert best < 0.05


# --- Timeline ----------------------------------------------------------------------------------------


def running_totals(catalog: Catalog) -> list[int]:
    """The running totals, counted here from the cities' batch fields."""
    per_batch = Counter(c.batch for c in catalog.dataset.cities)
    batches = sorted(catalog.dataset.program.batches, key=lambda b: b.date)
    return list(itertools.accumulate(per_batch[b.number] for b in batches))


def test_timeline_totals_come_from_the_cities(catalog: Catalog) -> None:
    assert running_totals(catalog) == [1, 5, 11, 20]
    steps = run_cli("timeline", "--json").json()
    assert [s["total"] for s in steps] == running_totals(catalog)
    assert [s["added"] for s in steps] == [1, 4, 6, 9]
    for step in steps:
        assert step["areas"] == [c.id for c in catalog.dataset.cities if c.batch == step["number"]]
    assert list(steps[0]) == pictures.TIMELINE_FIELDS


def test_timeline_follows_a_changed_dataset(tmp_path: Path) -> None:
    raw = shipped_raw()
    city(raw, "suzhou")["batch"] = 3  # joined 2025-04-11 is still after batch 3's date
    path = write_raw(raw, tmp_path / "moved.toml")
    result = run_cli("--data", str(path), "timeline", "--json")
    assert result.exit_code == 0, result.stderr
    steps = result.json()
    assert [s["total"] for s in steps] == [1, 5, 12, 20]
    assert "suzhou" in steps[2]["areas"]
    assert "suzhou" not in steps[3]["areas"]
    table = run_cli("--data", str(path), "timeline").stdout
    assert "1 → 5 → 12 → 20 areas" in table
    assert "12 areas in total" in table


def test_timeline_draws_batches_and_milestones(catalog: Catalog) -> None:
    result = run_cli("timeline")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    program = catalog.dataset.program
    for batch in program.batches:
        assert f"{batch.date.isoformat()}  {pictures.MARKER}  Batch {batch.number}" in text
        if batch.document:
            assert batch.document in text
    for milestone in program.milestones:
        assert f"{milestone.date.isoformat()}  {pictures.MILESTONE}" in text
    assert "1 → 5 → 11 → 20 areas in 4 batches" in text
    assert "20 areas in total" in text
    dates = [line[:10] for line in text.splitlines() if line[:4].isdigit() and line[4:5] == "-"]
    assert dates == sorted(dates)
    assert len(dates) == len(program.batches) + len(program.milestones)


def test_timeline_bar_grows_with_the_total() -> None:
    bars = [line.count("█") for line in run_cli("timeline").stdout.splitlines() if "in total" in line]
    assert len(bars) == 4
    assert bars == sorted(bars)
    assert bars[0] < bars[-1]


# --- The README's pictures: Chinese at full width, no external font ------------------------------

PICTURES = sorted((ROOT / "docs" / "img").glob("*.svg"))
SVG_TEXT = re.compile(r'<text [^>]*?textLength="(?P<length>[0-9.]+)"[^>]*>(?P<body>[^<]*)</text>')


def test_pictures_give_each_text_run_the_width_of_its_cells() -> None:
    assert len(PICTURES) >= 5
    for picture in PICTURES:
        svg = picture.read_text(encoding="utf-8")
        assert "@font-face" not in svg, picture.name
        assert "url(" not in svg.split("<style>")[1].split("</style>")[0], picture.name
        runs = SVG_TEXT.findall(svg)
        assert runs, picture.name
        for length, body in runs:
            text = html.unescape(body)
            assert abs(float(length) - cell_len(text) * 12.2) < 0.05, (picture.name, text, length)
    listing = (ROOT / "docs" / "img" / "list.svg").read_text(encoding="utf-8")
    assert any(html.unescape(body) == "中文" for _, body in SVG_TEXT.findall(listing))


BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

MEASURE = """<script>
const squeezed = [];
for (const text of document.querySelectorAll("svg text")) {
  const given = parseFloat(text.getAttribute("textLength"));
  text.removeAttribute("textLength");
  const natural = text.getComputedTextLength();
  if (natural > given * 1.2 + 2) squeezed.push([text.textContent, Math.round(natural), given]);
}
document.body.setAttribute("data-runs", document.querySelectorAll("svg text").length);
document.body.setAttribute("data-squeezed", JSON.stringify(squeezed));
</script>"""


@pytest.mark.skipif(BROWSER is None, reason="no Chromium here (apt-get install chromium fonts-noto-cjk)")
def test_pictures_in_a_real_browser_squeeze_no_glyph(tmp_path: Path) -> None:
    """Chromium draws each picture; no text run may need more room than the picture gives it
    (a run given half its width draws Chinese on top of itself)."""
    assert BROWSER is not None
    for picture in PICTURES:
        svg = picture.read_text(encoding="utf-8")
        page = tmp_path / f"{picture.stem}.html"
        page.write_text(f"<!doctype html><meta charset=utf-8><body>{svg}{MEASURE}</body>", encoding="utf-8")
        dom = subprocess.run(
            [
                BROWSER,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        runs = re.search(r'data-runs="(\d+)"', dom)
        squeezed = re.search(r'data-squeezed="([^"]*)"', dom)
        assert runs is not None
        assert int(runs.group(1)) > 10, picture.name
        assert squeezed is not None
        assert json.loads(html.unescape(squeezed.group(1))) == [], picture.name
