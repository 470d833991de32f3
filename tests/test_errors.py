"""The error matrix: every kind of bad input gets one clear line, a documented exit
code, no traceback, and leaves every file as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from conftest import DATA, Result, run_cli
from pilotcli import loading
from pilotcli.view import clean


def shipped() -> dict[str, Any]:
    with DATA.open("rb") as handle:
        return tomllib.load(handle)


def write(tmp_path: Path, document: dict[str, Any], name: str = "data.toml") -> Path:
    path = tmp_path / name
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return path


def city(document: dict[str, Any], city_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in document["cities"] if c["id"] == city_id)
    return found


def assert_one_line_error(result: Result, code: int, *needles: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("pilot: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr


def run_on(path: Path, *args: str) -> Result:
    before = path.read_bytes() if path.is_file() else None
    result = run_cli("--data", str(path), *args)
    if before is not None:
        assert path.read_bytes() == before, "the input file was changed"
    return result


# --- Malformed or invalid datasets ------------------------------------------------------------


def test_malformed_toml_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    text = DATA.read_text(encoding="utf-8").splitlines()
    text[29] = 'name = "unterminated'
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = run_on(path, "list")
    assert_one_line_error(result, 1, f"{path}:30:", "TOML syntax error")


def test_wrong_type_names_city_field_and_line(tmp_path: Path) -> None:
    document = shipped()
    city(document, "wuhan")["figures"]["gdp"]["value"] = "a lot"
    path = write(tmp_path, document)
    result = run_on(path, "list", "--json")
    assert_one_line_error(result, 1, "city 'wuhan'", "field 'figures.gdp.value'", "'a lot'")
    line = int(result.stderr.split(":")[2])
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].startswith("value = ")


def test_out_of_range_value(tmp_path: Path) -> None:
    document = shipped()
    city(document, "xiamen")["lat"] = 61.5
    result = run_on(write(tmp_path, document), "show", "xiamen")
    assert_one_line_error(result, 1, "city 'xiamen'", "field 'lat'", "53.6")


def test_duplicate_ids(tmp_path: Path) -> None:
    document = shipped()
    document["cities"].append(dict(city(document, "hefei")))
    result = run_on(write(tmp_path, document), "list")
    assert_one_line_error(result, 1, "duplicate id 'hefei'")


@pytest.mark.parametrize(
    ("mutate", "needles"),
    [
        (
            lambda d: city(d, "ningbo")["figures"]["gdp"].update(source="no-such-source"),
            ["city 'ningbo'", "unknown source"],
        ),
        (
            lambda d: city(d, "ningbo")["sectors"][0].update(sector="mining"),
            ["city 'ningbo'", "unknown sector 'mining'"],
        ),
        (lambda d: city(d, "ningbo").update(region="south"), ["city 'ningbo'", "unknown region 'south'"]),
    ],
)
def test_dangling_references(tmp_path: Path, mutate: Any, needles: list[str]) -> None:
    document = shipped()
    mutate(document)
    assert_one_line_error(run_on(write(tmp_path, document), "list"), 1, *needles)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text("\n  \n", encoding="utf-8")
    assert_one_line_error(run_on(path, "list"), 1, "the file is empty")


def test_file_with_no_cities(tmp_path: Path) -> None:
    document = shipped()
    document["cities"] = []
    assert_one_line_error(run_on(write(tmp_path, document), "list"), 1, "no cities")


def test_several_problems_are_counted_and_validate_lists_them_all(tmp_path: Path) -> None:
    document = shipped()
    city(document, "wuhan")["figures"]["gdp"]["value"] = -5.0
    city(document, "chengdu")["figures"]["population"]["source"] = "nowhere"
    city(document, "dalian")["batch"] = 9
    path = write(tmp_path, document)
    assert_one_line_error(run_on(path, "list"), 1, "and 2 more problems", "pilot validate")
    result = run_cli("validate", str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert {"wuhan", "chengdu", "dalian"} == {line.split("city '")[1].split("'")[0] for line in lines}
    assert all(line.startswith(f"{path}:") for line in lines)
    report = run_cli("validate", str(path), "--json").json()
    assert report["valid"] is False
    assert {p["city"] for p in report["problems"]} == {"wuhan", "chengdu", "dalian"}


def test_validate_a_valid_file() -> None:
    result = run_cli("validate", str(DATA))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "valid" in result.stderr


# --- Files that cannot be read ---------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("--data", str(tmp_path / "nope.toml"), "list"), 1, "no such file")


def test_missing_file_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PILOT_DATA", str(tmp_path / "nope.toml"))
    assert_one_line_error(run_cli("list"), 1, "no such file")


def test_directory(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("--data", str(tmp_path), "list"), 1, "is a directory")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.toml"
    path.write_bytes(DATA.read_bytes())
    # Root reads any file, so the permission error is raised the way the OS would.
    original = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert_one_line_error(run_cli("--data", str(path), "list"), 1, "permission denied")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.toml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert_one_line_error(run_on(path, "list"), 1, "binary file")


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes(DATA.read_text(encoding="utf-8").encode("gb18030"))
    assert_one_line_error(run_on(path, "list"), 1, "not UTF-8", "save the file as UTF-8")


def test_too_large_file_stops_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "big.toml"
    path.write_bytes(DATA.read_bytes() + b"\n" + b"# padding\n" * 200_000)
    assert_one_line_error(run_on(path, "list"), 1, "MiB; pilot reads dataset files up to 1 MiB")


# --- Strings that a terminal could interpret --------------------------------------------------------


def test_markup_and_control_sequences_are_shown_literally(tmp_path: Path) -> None:
    document = shipped()
    target = city(document, "xian")
    target["name"] = "[bold red]Xi'an[/]"
    target["focus"] = "\x1b[31mred\x1b[0m and a\rcarriage return"
    path = write(tmp_path, document)
    for args in (["list"], ["show", "xian"], ["compare", "xian", "hefei"], ["rank", "--sector", "technology"]):
        result = run_on(path, *args)
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout
        assert "\r" not in result.stdout
    shown = run_on(path, "show", "xian").stdout
    assert "[bold red]Xi'an[/]" in shown
    assert "\\x1b[31mred" in shown
    markdown = run_on(path, "show", "xian", "--format", "markdown").stdout
    assert "\x1b" not in markdown


def test_control_characters_in_arguments_are_neutralised_in_errors() -> None:
    result = run_cli("show", "\x1b[2Jevil")
    assert_one_line_error(result, 2, "\\x1b[2Jevil")
    assert clean("\x1b") == "\\x1b"


# --- Output closed early, interrupts ------------------------------------------------------------------


def pilot_process(*args: str) -> list[str]:
    return [sys.executable, "-m", "pilotcli", *args]


@pytest.mark.parametrize("reader", ["head -0", "true", "head -c 10"])
def test_stdout_closed_early_is_quiet_and_successful(reader: str) -> None:
    env = {**os.environ, "PILOT_NO_CACHE": "1"}
    command = " ".join(pilot_process("list", "--json")) + f' | {reader}; echo "status=${{PIPESTATUS[0]}}" >&2'
    completed = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, check=False)
    assert completed.stderr.strip() == "status=0", completed.stderr


def test_ctrl_c_exits_quietly_with_130(monkeypatch: pytest.MonkeyPatch) -> None:
    from pilotcli import query

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(query, "list_cities", interrupted)
    result = run_cli("list")
    assert result.exit_code == 130
    assert result.stderr == ""


def test_sigint_while_waiting_for_input_exits_130(tmp_path: Path) -> None:
    import signal
    import time

    # pilot blocks reading a FIFO that nobody writes, so the signal surely arrives
    # inside pilot's own code, after start-up.
    fifo = tmp_path / "data.toml"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [*pilot_process("--data", str(fifo), "list", "--json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PILOT_NO_CACHE": "1"},
    )
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stdout == b""
    assert stderr == b""


# --- Writing files ----------------------------------------------------------------------------------


def test_export_never_overwrites_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.toml"
    target.write_text("keep me", encoding="utf-8")
    result = run_cli("export", "-o", str(target))
    assert_one_line_error(result, 1, "file exists", "--force")
    assert target.read_text(encoding="utf-8") == "keep me"
    assert run_cli("export", "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# pilot dataset")


def test_export_into_a_missing_folder_writes_nothing(tmp_path: Path) -> None:
    result = run_cli("export", "-o", str(tmp_path / "no" / "such" / "out.toml"))
    assert_one_line_error(result, 1, "no such folder")
    assert list(tmp_path.iterdir()) == []


def test_failed_export_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_replace(source: str, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    result = run_cli("export", "-o", str(tmp_path / "out.toml"))
    assert_one_line_error(result, 1, "No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_export_round_trip_gives_the_same_json(tmp_path: Path) -> None:
    target = tmp_path / "exported.toml"
    assert run_cli("export", "-o", str(target)).exit_code == 0
    assert run_cli("--data", str(target), "list", "--json").stdout == run_cli("list", "--json").stdout
    assert run_cli("--data", str(target), "validate").exit_code == 0


def test_filtered_export_is_a_valid_dataset(tmp_path: Path) -> None:
    target = tmp_path / "west.toml"
    assert run_cli("export", "--region", "west", "-o", str(target)).exit_code == 0
    ids = [c["id"] for c in run_cli("--data", str(target), "list", "--json").json()]
    assert ids == ["chongqing", "chengdu", "xian"]
    csv_text = run_cli("export", "--format", "csv", "--region", "west").stdout
    assert csv_text.splitlines()[0].startswith("id,name,name_zh")
    assert len(csv_text.splitlines()) == 4
    exported_json = run_cli("export", "--format", "json", "--batch", "2015").stdout
    assert '"beijing"' in exported_json
