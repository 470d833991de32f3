"""Output that fits the screen it is on: one table per table at any width, a short show, the
width when piped, the pager."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import unicodedata
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import ROOT, CompletionContext, run_cli
from pilotcli.cli import COMMANDS
from pilotcli.dataset import Catalog
from pilotcli.render import rich_tables
from pilotcli.view import Table, clean

DRAWN = {
    "list": [["list"], ["list", "--sort", "fortune500_hq", "--desc"]],
    "show": [["show", "shenzhen"], ["show", "hainan", "--all"], ["show", "shanghai", "--history"]],
    "compare": [
        ["compare", "beijing", "shanghai", "shenzhen", "guangzhou"],
        ["compare", "hefei", "xian"],
        ["compare", "shenzhen", "hefei"],
        ["compare", "beijing", "shanghai", "shenzhen", "guangzhou", "hefei", "xian"],
    ],
    "rank": [["rank"], ["rank", "--sector", "healthcare", "--explain"], ["rank", "--missing", "skip"]],
    "sectors": [["sectors"], ["sectors", "healthcare"]],
    "regions": [["regions"]],
    "map": [["map"], ["map", "--by", "region"]],
    "timeline": [["timeline"], ["timeline", "--measures"]],
    "sources": [["sources"], ["sources", "--city", "shenzhen"], ["sources", "--city", "hefei"], ["sources", "d31"]],
    "measures": [
        ["measures"],
        ["measures", "--sector", "healthcare", "--city", "shenzhen"],
        ["measures", "cell-gene-pilot-2024"],
        ["measures", "--fields", "id,date,kind,status,scope,title"],
    ],
}
"""Every command that draws, with the calls that draw its widest tables."""
NOT_DRAWN = {"validate", "export", "schema", "help", "completion"}


def test_every_command_is_drawn_here_or_draws_nothing() -> None:
    # A command added later must be added to DRAWN (and so meet the layout rules) or to NOT_DRAWN.
    assert set(DRAWN) | NOT_DRAWN == set(COMMANDS)


def _drawn(args: list[str], width: int, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[tuple[Table, object]]]:
    seen: list[tuple[Table, object]] = []
    real = rich_tables.layout

    def recording(table: Table, at: int) -> rich_tables.Layout:
        chosen = real(table, at)
        seen.append((table, chosen))
        return chosen

    monkeypatch.setattr(rich_tables, "layout", recording)
    monkeypatch.setenv("COLUMNS", str(width))
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout, seen


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("command", sorted(DRAWN))
def test_every_command_draws_one_table_within_the_width(
    command: str, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in DRAWN[command]:
        text, seen = _drawn(args, width, monkeypatch)
        assert max(map(cell_len, text.splitlines())) <= width, args
        assert "(1/2)" not in text
        # One rule under the header of each table: a table is never split into parts.
        rules = [line for line in text.splitlines() if set(line) == {"─"}]
        assert len(rules) == sum(1 for table, _ in seen if table.show_header and table.rows), args
        for table, chosen in seen:
            assert isinstance(chosen, rich_tables.Layout)
            kept = set(chosen.keep)
            assert 0 in kept, args  # the key column
            assert {i for i, column in enumerate(table.columns) if column.drop == 0} <= kept, args


def _whole_words(seen: list[tuple[Table, object]], pictures: list[list[list[tuple[str, str | None]]]]) -> set[str]:
    """Every word the drawn tables and pictures hold, in every form they may be shown in."""
    texts: list[str] = []
    for table, chosen in seen:
        texts += [table.title or "", *table.footnotes]
        texts += [text for column in table.columns for text in (column.header, column.short or "")]
        texts += [text for row in table.rows for cell in row for text in (cell.text, cell.short or "")]
        texts += rich_tables._notes_below(table, chosen)  # type: ignore[arg-type]
        # Ids in a `hyphens` column wrap after their hyphens: any run of their parts is whole.
        for i in (i for i, column in enumerate(table.columns) if column.hyphens):
            for word in (word for row in table.rows for word in clean(row[i].text).split()):
                parts = [part for part, _ in rich_tables._hyphen_parts(word)]
                texts += ["".join(parts[a:b]) for a in range(len(parts)) for b in range(a + 1, len(parts) + 1)]
    texts += ["".join(run for run, _ in row) for grid in pictures for row in grid]
    return {word for text in texts for word in clean(text).split()}


DRAWING = set("─█▏▎▍▌▋▊▉")
"""Rules and bars: drawn, not words."""


def _wide(word: str) -> bool:
    return any(unicodedata.east_asian_width(char) in "WF" for char in word)


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("command", sorted(DRAWN))
def test_no_word_is_cut(command: str, width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Cells wrap at spaces; a word (a name, a number, a date, an id, a URL) is never cut in two.
    # Chinese, written without spaces, may wrap between any two characters.
    pictures: list[list[list[tuple[str, str | None]]]] = []
    real = rich_tables.picture

    def recording(grid: list[list[tuple[str, str | None]]]) -> object:
        pictures.append(grid)
        return real(grid)

    monkeypatch.setattr(rich_tables, "picture", recording)
    for args in DRAWN[command]:
        pictures.clear()
        text, seen = _drawn(args, width, monkeypatch)
        whole = _whole_words(seen, pictures)
        chinese = "\n".join(word for word in whole if _wide(word))
        drawn = [word for word in text.split() if not set(word) <= DRAWING]
        cut = [w for w in drawn if w not in whole and not (w in chinese and (_wide(w) or not any(map(str.isalnum, w))))]
        # An address too wide for its column is cut with … (a note says so), never broken.
        cut = [w for w in cut if not (w.endswith("…") and any(x.startswith(w[:-1]) for x in whole))]
        assert not cut, (args, cut[:5])
        if any(word.endswith("…") and "://" in word for word in drawn):
            assert rich_tables.CROPPED_NOTE in " ".join(text.split()), args


def test_a_long_text_column_is_hidden_rather_than_squeezed(monkeypatch: pytest.MonkeyPatch) -> None:
    # At 100 columns the sectors' descriptions would be a strip 19 cells wide, 9 lines a sector.
    for width in (80, 100):
        monkeypatch.setenv("COLUMNS", str(width))
        assert "1 column hidden: description" in " ".join(run_cli("sectors").stdout.split())
    monkeypatch.setenv("COLUMNS", "140")
    shown = run_cli("sectors").stdout
    assert "hidden" not in shown
    assert "Banking, insurance" in shown


def test_rank_keeps_each_contribution_on_one_line_at_80_columns(monkeypatch: pytest.MonkeyPatch, gaps: str) -> None:
    # The Chinese names give way (said in a line) rather than 'gdp_per_capita' parting from its points.
    # On `gaps`: the missing column, which a missing figure brings, is what leaves no room for them.
    monkeypatch.setenv("COLUMNS", "80")
    ranked = run_cli("--data", gaps, "rank").stdout
    assert "1 column hidden: 中文" in " ".join(ranked.split())
    assert "gdp_per_capita +33.3," in ranked
    assert not re.search(r"[a-z]\n +\+\d", ranked)  # an indicator here, its points on the next line


@pytest.mark.parametrize("args", [["list"], ["list", "--wide"], ["rank", "--wide"], ["sources", "--city", "hefei"]])
def test_the_hidden_columns_are_named_in_one_line_at_80_columns(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    notice = run_cli(*args).stdout.split(" hidden: ")[1].splitlines()[0]
    assert notice.endswith("; widen or use --fields"), notice


def test_a_picture_and_the_table_under_it_are_apart() -> None:
    timeline = run_cli("timeline").stdout
    assert "\n\nProgramme figures\n" in timeline


@pytest.mark.parametrize("width", [80, 100, 120])
def test_year_confidence_and_missing_columns_are_shown(width: int, monkeypatch: pytest.MonkeyPatch, gaps: str) -> None:
    shown, _ = _drawn(["show", "shenzhen"], width, monkeypatch)
    header = next(line for line in shown.splitlines() if line.startswith("indicator"))
    assert header.split()[-3:] == ["value", "year", "conf."]
    ranking, _ = _drawn(["--data", gaps, "rank"], width, monkeypatch)
    assert "missing" in ranking.split("\n─")[0]
    assert "gdp, gdp_per_capita, services_share" in " ".join(ranking.split())  # Hainan's, in `gaps`
    listing, _ = _drawn(["list"], width, monkeypatch)
    assert listing.split()[0] == "id" or "id" in listing.split("\n─")[0].split()


def test_show_is_a_screenful_and_the_rest_is_asked_for(monkeypatch: pytest.MonkeyPatch, catalog: object) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for city in ("beijing", "shanghai", "shenzhen", "hainan", "xian"):
        short = run_cli("show", city).stdout
        assert len(short.splitlines()) <= 50, city
        assert "Sources" not in short
        assert "more: --notes" in short
        full = run_cli("show", city, "--all").stdout
        assert "Sources" in full
        assert "Growth sectors" in full
        assert "more: --notes" not in full
        assert len(full.splitlines()) > len(short.splitlines())
    profile = run_cli("show", "shenzhen", "--json").json()
    # Markdown draws the same tables without wrapping: every cell is whole there.
    shown = run_cli("show", "shenzhen", "--sources", "--format", "markdown").stdout
    for source in profile["sources"]:
        assert f"[{source['id']}]" in shown
        # An address is whole there (a Markdown link), where a narrow table cuts it with ….
        assert f"| [{source['url']}](" in shown if source["url"] else f"read via: {source['via']}" in shown
    noted = run_cli("show", "shenzhen", "--notes", "--format", "markdown").stdout
    assert profile["sector_evidence"][0]["evidence"] in noted
    assert profile["gdp"]["note"] in noted


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("cities", [["shenzhen", "hefei"], ["beijing", "shanghai", "shenzhen", "guangzhou"]])
def test_compare_row_labels_are_whole_from_80_columns(
    cities: list[str], width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two cities and their difference, or four cities: every row label is one line, never a
    # phrase with its last word or its unit on a line of its own.
    text, seen = _drawn(["compare", *cities], width, monkeypatch)
    table = seen[0][0]
    assert table.columns[0].header == "indicator"
    lines = text.splitlines()
    for row in table.rows:
        label = row[0].text
        assert any(line.startswith(label + "  ") or line == label for line in lines), (label, width)


def test_balanced_wrap_evens_the_lines_without_adding_one() -> None:
    for text in ("Real GDP growth (%)", "Fortune Global 500 headquarters (companies)", "Utilised FDI (bn USD)"):
        for width in range(max(map(len, text.split())), len(text) + 2):
            greedy = rich_tables._space_wrap(text, width)
            even = rich_tables.balanced_wrap(text, width)
            assert " ".join(even) == text
            assert len(even) == len(greedy)
            assert max(map(cell_len, even)) <= max(map(cell_len, greedy)) <= width
            if len(even) == 2 and len(text.split()) >= 4:
                assert len(even[-1].split()) > 1, (text, width, even)  # no word alone on the last line


def test_item_wrap_breaks_between_items_and_inside_one_only_when_it_is_wider() -> None:
    text = "gfci_rank +50.0, gdp +16.7, qflp_pilot +16.7, fortune500_hq +5.8"
    items = [item + "," for item in text.split(", ")[:-1]] + [text.split(", ")[-1]]
    for width in range(max(map(len, text.split())), len(text) + 2):
        lines = rich_tables.item_wrap(text, width)
        assert " ".join(lines) == text
        assert all(cell_len(line) <= width for line in lines)
        if width >= max(map(len, items)):  # every item fits on a line: none is broken
            assert all(any(item in line for line in lines) for item in items), (width, lines)
    # An item wider than the line is broken at its spaces; the next item starts a line of its own
    # only where it does not fit after it.
    assert rich_tables.item_wrap("a very long single item, b", 6) == ["a very", "long", "single", "item,", "b"]
    assert rich_tables.item_wrap("a very long item, b", 8) == ["a very", "long", "item, b"]


def test_a_column_of_items_keeps_each_item_on_one_line() -> None:
    from pilotcli.view import Cell, Column, View

    columns = [Column("#", no_wrap=True), Column("top", min_width=22, items=True)]
    table = Table(columns, [[Cell("1"), Cell("gfci_rank +50.0, gdp +16.7, qflp_pilot +16.7")]])
    drawn = rich_tables.render_tables(View([], [table]), width=26, color=False)
    cells = [line[4:].strip() for line in drawn.splitlines()[2:]]
    assert cells == ["gfci_rank +50.0,", "gdp +16.7,", "qflp_pilot +16.7"]


@pytest.mark.parametrize("width", ["80", "100"])
def test_rank_contributions_are_never_split_from_their_points(width: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # "gdp +16.7" is one item: at any width the id and its points stay on one line.
    monkeypatch.setenv("COLUMNS", width)
    ranking = run_cli("rank", "--sector", "finance", "--json").json()
    lines = run_cli("rank", "--sector", "finance").stdout.splitlines()
    starts = [n for n, line in enumerate(lines) if re.match(r"\s*(\d+|—)\s+\S", line)]
    blocks = ["\n".join(lines[a:b]) for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]
    checked = 0
    for record, block in zip(ranking, blocks, strict=False):
        assert record["name"] in block.splitlines()[0]
        top = sorted((c["share"], key) for key, c in record["contributions"].items() if c["share"])[::-1][:3]
        for share, key in top:
            item = f"{key} +{share:.1f}"
            if item in " ".join(block.split()):  # shown (the other columns may be hidden at 80)
                assert any(item in line for line in block.splitlines()), (item, block)
                checked += 1
    assert checked > 20


def test_legends_only_for_markers_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    # Shenzhen has no estimate; Beijing and Shanghai differ everywhere but have no missing value.
    shown = run_cli("show", "shenzhen").stdout
    assert "* estimate" not in shown
    assert "— no sourced value" in shown  # its FDI is missing
    pair = run_cli("compare", "shenzhen", "hefei").stdout
    assert "★ best value" in pair
    assert ("—" in pair.split("★ best")[0]) == ("no sourced value" in pair)
    chosen = run_cli("list", "--fields", "id,name").stdout
    assert "estimate" not in chosen
    assert "no sourced value" not in chosen
    weight = run_cli("rank", "--weight", "gdpp=2")
    assert weight.exit_code == 2
    assert "did you mean 'gdp'? valid indicators: gdp, population" in weight.stderr
    regions = run_cli("regions").stdout
    assert ("†" in regions.split("\n─")[1]) == ("† a city's figure is missing" in regions)


# --- A real terminal: width when piped, the pager -----------------------------------------------------


def _pty(columns: int, lines: int) -> tuple[int, int]:
    main, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    return main, follower


def _drain(fd: int, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            into.append(chunk)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _environment(**extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "PAGER", "PILOT_PAGER")}
    environment.update(PILOT_NO_CACHE="1", PYTHONPATH=str(ROOT / "src"), **extra)
    return environment


def _piped_width(stderr_columns: int | None, *args: str, **environment: str) -> int:
    """The widest line `pilot ARGS` (list) writes into a pipe, its stderr on a pty that wide (or a pipe)."""
    main, follower = _pty(columns=stderr_columns or 80, lines=30)
    errors: list[bytes] = []
    reader = _drain(main, errors)
    piped = subprocess.run(
        [sys.executable, "-m", "pilotcli", *(args or ["list"])],
        stdout=subprocess.PIPE,
        stderr=follower if stderr_columns else subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_environment(**environment),
        check=True,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
    )
    os.close(follower)
    reader.join(timeout=5)
    os.close(main)
    return max(map(cell_len, piped.stdout.decode("utf-8").splitlines()))


def test_piped_tables_take_the_width_of_the_terminal_then_columns_then_80() -> None:
    # The terminal on stderr beats an exported COLUMNS (which goes stale when the window is resized).
    assert 80 < _piped_width(90) <= 90
    assert 80 < _piped_width(90, COLUMNS="120") <= 90
    # No terminal at all: COLUMNS, else 80.
    assert 90 < _piped_width(None, COLUMNS="100") <= 100
    assert _piped_width(None) <= 80
    assert _piped_width(None, COLUMNS="nonsense") <= 80
    # The help too.
    assert 80 < _piped_width(90, "help", "rank", COLUMNS="120") <= 90
    assert _piped_width(None, "help", "rank") <= 80


def _on_a_terminal(args: list[str], tmp_path: Path, **environment: str) -> tuple[int, str]:
    main, follower = _pty(columns=80, lines=20)
    shown: list[bytes] = []
    reader = _drain(main, shown)
    process = subprocess.run(
        [sys.executable, "-m", "pilotcli", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=_environment(**environment),
        check=False,
        cwd=tmp_path,
    )
    os.close(follower)
    reader.join(timeout=5)
    os.close(main)
    return process.returncode, b"".join(shown).decode("utf-8", "replace")


PAGER = f"{sys.executable} -c \"import sys; open('paged.txt', 'w').write(sys.stdin.read())\""


def test_output_taller_than_the_terminal_goes_through_the_pager(tmp_path: Path) -> None:
    status, shown = _on_a_terminal(["show", "shenzhen"], tmp_path, PILOT_PAGER=PAGER, PAGER="false")
    assert status == 0
    assert "Resident population" in (tmp_path / "paged.txt").read_text(encoding="utf-8")
    assert "Resident population" not in shown
    # Short output is printed, not paged; --no-pager prints anything.
    (tmp_path / "paged.txt").unlink()
    status, shown = _on_a_terminal(["regions", "--format", "json"], tmp_path, PILOT_PAGER=PAGER)
    status, shown = _on_a_terminal(["show", "shenzhen", "--no-pager"], tmp_path, PILOT_PAGER=PAGER)
    assert status == 0
    assert "Resident population" in shown
    assert not (tmp_path / "paged.txt").exists()
    # $PAGER when $PILOT_PAGER is not set.
    status, _ = _on_a_terminal(["show", "shenzhen"], tmp_path, PAGER=PAGER)
    assert (tmp_path / "paged.txt").exists()


def test_a_pager_closed_early_is_not_an_error(tmp_path: Path) -> None:
    status, shown = _on_a_terminal(["show", "shanghai", "--all"], tmp_path, PILOT_PAGER="head -c 10")
    assert status == 0
    assert "Traceback" not in shown
    assert "Error" not in shown
    status, shown = _on_a_terminal(["show", "shanghai", "--all"], tmp_path, PILOT_PAGER="no-such-pager-here")
    assert status == 0
    assert "Resident population" in shown  # printed when the pager cannot be started


# --- Help in words -------------------------------------------------------------------------------


def _help(*args: str) -> str:
    result = run_cli(*args, "--help")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_help_metavars_are_words() -> None:
    texts = {name: _help(name) for name in COMMANDS}
    for name, text in texts.items():
        text = text.replace("${fpath[1]}", "")  # a zsh example, not a metavar
        for typed in ("<str>", "<int", "<float", "{", "list[", "TEXT", "INTEGER"):
            assert typed not in text, (name, typed)
    assert "Usage: pilot show [OPTIONS] CITY" in texts["show"]
    assert "Usage: pilot compare [OPTIONS] CITY..." in texts["compare"]
    assert "--sector SECTOR" in texts["list"]
    assert "--sort FIELD" in texts["list"]
    assert "--limit N" in texts["list"]
    assert "--batch YEAR" in texts["list"]
    assert "--province PROVINCE" in texts["list"]
    assert "--fields FIELD,..." in texts["list"]
    assert "--format FORMAT" in texts["list"]
    assert "--weight INDICATOR=W" in texts["rank"]
    # Valid values are listed: sectors, formats; fields through 'pilot help fields'.
    assert "table, json, jsonl, csv or markdown" in texts["list"]
    assert "pilot help fields" in texts["list"]


def test_sectors_named_in_the_help_are_the_shipped_ones(catalog: object) -> None:
    from pilotcli.cli import SECTORS

    assert SECTORS.split(", ") == list(catalog.sectors)  # type: ignore[attr-defined]
    from typing import get_args

    from pilotcli.cli import SOURCE_KINDS
    from pilotcli.models import SourceKind

    assert SOURCE_KINDS.split(", ") == list(get_args(SourceKind))
    fields = run_cli("help", "fields").stdout.split()
    assert {"gdp", "gfci_rank", "joined", "name_zh"} <= set(fields)


def test_top_level_help_starts_with_examples_and_cuts_no_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    for width in (80, 120):
        monkeypatch.setenv("COLUMNS", str(width))
        text = run_cli("--help").stdout
        start = text.split("Start here:")[1].split("Options:")[0]
        assert sum(1 for line in start.splitlines() if line.strip().startswith("pilot ")) >= 3
        commands = text.split("Commands:")[1]
        assert "..." not in commands
        for name in COMMANDS:
            assert f"  {name} " in commands
    assert run_cli("help").stdout == run_cli("--help").stdout
    assert run_cli("help", "rank").stdout == run_cli("rank", "--help").stdout
    wrong = run_cli("help", "rnak")
    assert wrong.exit_code == 2
    assert "did you mean 'rank'" in wrong.stderr


def test_help_is_at_most_120_columns_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert 100 < max(map(cell_len, _help("rank").splitlines())) <= 120


@pytest.mark.parametrize("width", [80, 120])
def test_help_fits_the_width_in_cells(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    for name in ["", *COMMANDS]:
        text = _help(name) if name else run_cli("--help").stdout
        assert max(map(cell_len, text.splitlines())) <= width, name
    # Values with hyphens are whole: the help is not broken at a hyphen.
    words = " ".join(_help("sources").split()).split() + " ".join(_help("list").split()).split()
    assert {"law-or-consultancy,", "culture-tourism,", "professional-services,"} <= set(words)
    # The programme's Chinese name is wrapped by cells: its line is not longer than the others.
    top = run_cli("--help").stdout
    assert "服务业扩大开放综合试点" in top


def test_completion_scripts_and_closed_sets(catalog: object) -> None:
    from pilotcli import cli

    for shell, marker in (("bash", "complete -o"), ("zsh", "#compdef pilot"), ("fish", "complete --command pilot")):
        result = run_cli("completion", shell)
        assert result.exit_code == 0
        assert marker in result.stdout, shell
        assert "_PILOT_COMPLETE" in result.stdout
    assert run_cli("completion", "tcsh").exit_code == 2

    context: object = CompletionContext()
    assert cli.complete_city(context, "She") == ["shenyang", "shenzhen"]  # type: ignore[arg-type]
    assert cli.complete_city(context, "深") == ["shenzhen"]  # type: ignore[arg-type]
    assert cli.complete_region(context, "东") == ["east", "northeast"]  # type: ignore[arg-type]
    assert cli.complete_province(context, "广") == ["Guangdong"]  # type: ignore[arg-type]
    assert cli.complete_province(context, "gu") == ["Guangdong"]  # type: ignore[arg-type]
    assert cli.complete_batch(context, "20") == ["2015", "2021", "2022", "2025"]  # type: ignore[arg-type]
    assert cli.complete_weight(context, "gfci") == ["gfci_rank="]  # type: ignore[arg-type]
    assert cli.complete_sector(context, "finance,He") == ["finance,healthcare"]  # type: ignore[arg-type]
    assert "gdp_per_capita" in cli.complete_field(context, "gdp")  # type: ignore[arg-type]


def _bash_completes(words: str) -> list[str]:
    """What the bash script that `pilot completion bash` prints offers after `pilot WORDS`."""
    typed = ["pilot", *words.split()]
    done = subprocess.run(
        [sys.executable, "-m", "pilotcli"],
        capture_output=True,
        env=_environment(_PILOT_COMPLETE="complete_bash", COMP_WORDS=" ".join(typed), COMP_CWORD=str(len(typed) - 1)),
        check=True,
    )
    return done.stdout.decode("utf-8").split()


def _zsh_completes(words: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pilotcli"],
        capture_output=True,
        env=_environment(_PILOT_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS=f"pilot {words}"),
        check=True,
    )
    return done.stdout.decode("utf-8").strip()


def test_the_shell_completes_capitalised_and_chinese_names() -> None:
    # zsh keeps only matches that start with the word typed, unless they are added with -U.
    assert _zsh_completes("show 深") == "compadd -U -- shenzhen"
    assert _zsh_completes("show She") == "compadd -U -- shenyang shenzhen"
    assert _zsh_completes("show she").startswith("_arguments")
    assert _bash_completes("list --sector fin") == ["finance"]
    assert _bash_completes("show 深") == ["shenzhen"]
    assert _bash_completes("show She") == ["shenyang", "shenzhen"]
    assert _bash_completes("list --province 广") == ["Guangdong"]
    assert _bash_completes("com") == ["compare", "completion"]
    # pilot's own `completion` command prints the scripts; Typer's options would only repeat it.
    top = run_cli("--help").stdout
    assert "--install-completion" not in top
    assert "--show-completion" not in top
    assert run_cli("--install-completion").exit_code == 2


def test_input_in_one_voice() -> None:
    shell = run_cli("completion")
    expected = "pilot: missing argument 'SHELL': choose from bash, zsh, fish; see 'pilot completion --help'\n"
    assert shell.stderr == expected
    both = run_cli("show", "beijing", "shanghai")
    assert both.exit_code == 2
    assert "pilot compare beijing shanghai" in both.stderr
    clash = run_cli("list", "--json", "--format", "csv")
    assert clash.exit_code == 2
    assert "--json and --format csv" in clash.stderr
    assert run_cli("list", "--json", "--format", "json").exit_code == 0
    chinese = run_cli("list", "--province", "广东", "--json").json()
    assert [c["id"] for c in chinese] == [c["id"] for c in run_cli("list", "--province", "guangdong", "--json").json()]
    assert {c["id"] for c in chinese} == {"guangzhou", "shenzhen"}
    commas = run_cli("list", "--sector", "finance,trade", "--json").json()
    repeated = run_cli("list", "--sector", "finance", "--sector", "trade", "--json").json()
    assert commas == repeated
    assert (
        run_cli("list", "--batch", "2015,2021", "--json").json()
        == run_cli("list", "-b", "2015", "-b", "2021", "--json").json()
    )


def test_the_map_fits_the_terminal_height_and_zooms_to_its_cities(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "30")
    for args in (["map"], ["map", "--region", "west"], ["map", "--by", "region"]):
        assert len(run_cli(*args).stdout.splitlines()) <= 30, args
    west = run_cli("map", "--region", "west", "--json").json()
    cols = [city["col"] for city in west]
    everything = run_cli("map", "--json").json()
    # Zoomed to three cities: they spread over the map instead of sitting in a corner of China.
    assert max(cols) - min(cols) > (max(c["col"] for c in everything) - min(c["col"] for c in everything)) / 2


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("command", sorted(DRAWN))
def test_notes_under_tables_break_between_their_parts_never_leaving_one_word(
    command: str, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken: list[tuple[str, list[str]]] = []
    real = rich_tables.note_lines

    def recording(note: str, at: int) -> list[str]:
        lines = real(note, at)
        broken.append((note, lines))
        return lines

    monkeypatch.setattr(rich_tables, "note_lines", recording)
    for args in DRAWN[command]:
        broken.clear()
        text, _ = _drawn(args, width, monkeypatch)
        drawn = text.splitlines()
        for note, lines in broken:
            assert " ".join(line.strip() for line in lines) == note, (args, lines)  # nothing lost
            assert all(line in drawn for line in lines), (args, lines)  # printed as laid out
            assert all(cell_len(line) <= width for line in lines if " " in line.strip()), (args, lines)
            for line in lines[1:]:
                assert line.startswith(rich_tables.NOTE_INDENT), (args, lines)  # where each note starts shows
                assert " " in line.strip(), (args, lines)  # no word alone on the last line
                assert not re.match(r"\s*\(\d", line), (args, lines)  # '2025 (12)', 'Tianjin (33%)' stay together


def test_a_long_note_breaks_where_its_clauses_and_items_meet() -> None:
    lines = rich_tables.note_lines(
        "values from: gdp 2024 (5), 2025 (14); gdp_per_capita 2023 (1), 2024 (6), 2025 (12); "
        "services_share 2024 (10), 2025 (5)",
        80,
    )
    assert lines == [
        "values from: gdp 2024 (5), 2025 (14);",
        "  gdp_per_capita 2023 (1), 2024 (6), 2025 (12);",
        "  services_share 2024 (10), 2025 (5)",
    ]
    listed = "not enough data to rank: " + ", ".join(f"City{n} ({n}%)" for n in range(10, 22))
    assert rich_tables.note_lines(listed, 60) == [
        "not enough data to rank: City10 (10%), City11 (11%),",
        "  City12 (12%), City13 (13%), City14 (14%), City15 (15%),",
        "  City16 (16%), City17 (17%), City18 (18%), City19 (19%),",
        "  City20 (20%), City21 (21%)",
    ]
    # Prose with a comma: broken between words when the parts would cost two more lines.
    prose = "6. 1,162.4 亿美元, from MOFCOM's Statistical Bulletin of FDI in China 2025 as reported by China News."
    assert rich_tables.note_lines(prose, 80) == [
        "6. 1,162.4 亿美元, from MOFCOM's Statistical Bulletin of FDI in China 2025 as",
        "  reported by China News.",
    ]
    assert rich_tables.note_lines("one two three four five", 14) == ["one two three", "  four five"]
    assert rich_tables.note_lines("one two three four", 14) == ["one two", "  three four"]  # not 'four' alone


def test_the_list_legend_fits_80_columns(monkeypatch: pytest.MonkeyPatch, gaps: str) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    listed = run_cli("--data", gaps, "list").stdout  # a missing value (Hainan's) brings the — into the legend
    assert "— no sourced value; (YEAR) a value from an earlier year than the rest\n" in listed


@pytest.mark.parametrize("form", [[], ["--format", "markdown"]], ids=["table", "markdown"])
@pytest.mark.parametrize("command", sorted(DRAWN))
def test_every_table_and_drawing_says_once_how_current_the_data_is(
    command: str, form: list[str], catalog: Catalog
) -> None:
    dated = f"data as of {catalog.dataset.dataset.as_of.isoformat()}"
    for args in DRAWN[command]:
        assert run_cli(*args, *form).stdout.count(dated) == 1, args
    chosen = run_cli("list", "--fields", "id,gdp", *form).stdout  # a table of chosen columns too
    assert chosen.count(dated) == 1
    assert dated not in run_cli("list", "--where", "gdp>99999").stdout  # no table, no footer
