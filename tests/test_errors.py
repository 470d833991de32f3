"""The error matrix: every kind of bad input gets one clear line, a documented exit
code, no traceback, and leaves every file as it was."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import stat
import subprocess
import sys
import tomllib
import unicodedata
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
    # Root reads any file, so the permission check and the error are made the way the OS
    # would make them for another user (the option parser used to refuse it as usage, exit 2).
    original_access, original_open = os.access, os.open

    def access(name: Any, mode: int, **kwargs: Any) -> bool:
        return False if str(name) == str(path) else original_access(name, mode, **kwargs)

    def denied(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied")
        return original_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "open", denied)
    assert_one_line_error(run_cli("--data", str(path), "list"), 1, "permission denied")
    validated = run_cli("validate", str(path))
    assert validated.exit_code == 1
    assert validated.stdout == f"{path}: permission denied\n"


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
    assert_one_line_error(run_on(path, "list"), 1, "larger than 1 MiB; pilot reads dataset files up to 1 MiB")


def test_the_size_limit_holds_for_what_is_read_not_for_what_the_file_says(monkeypatch: pytest.MonkeyPatch) -> None:
    # /proc files say they are empty; this one holds the environment, far more than 100 bytes.
    monkeypatch.setattr(loading, "MAX_FILE_BYTES", 100)
    environ = Path("/proc/self/environ")
    assert environ.stat().st_size == 0
    assert_one_line_error(run_cli("--data", str(environ), "list"), 1, "larger than 100 bytes")


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda folder: os.mkfifo(folder / "fifo.toml"), "a named pipe (FIFO)"),
        (lambda folder: Path("/dev/zero"), "a character device"),
        (lambda folder: Path("/dev/urandom"), "a character device"),
        (lambda folder: _bound_socket(folder / "socket.toml"), "a socket"),
    ],
    ids=["fifo", "dev-zero", "dev-urandom", "socket"],
)
def test_data_must_be_a_regular_file(tmp_path: Path, make: Any, kind: str) -> None:
    # Each of these once hung (a FIFO nobody writes) or read until memory ran out (/dev/zero):
    # run in a process of its own, so that such a failure cannot take the test run with it.
    made = make(tmp_path)
    path = made if isinstance(made, Path) else next(tmp_path.iterdir())
    completed = subprocess.run(
        pilot_process("--data", str(path), "list", "--json"),
        capture_output=True,
        text=True,
        env={**os.environ, "PILOT_NO_CACHE": "1"},
        timeout=120,
        check=False,
    )
    result = Result(completed.returncode, completed.stdout, completed.stderr)
    assert_one_line_error(result, 1, f"is {kind}, not a dataset file")


def _bound_socket(path: Path) -> Path:
    import socket

    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays
    return path


def test_a_terminal_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        terminal = os.ttyname(follower)
        assert_one_line_error(run_cli("--data", terminal, "list"), 1, "is a character device")
    finally:
        os.close(leader)
        os.close(follower)


# --- Files that would cost far more than their size ---------------------------------------------------


def with_line(line: str) -> str:
    """The shipped dataset with one more line at its end (line number: shipped_lines() + 1)."""
    return DATA.read_text(encoding="utf-8") + line + "\n"


def shipped_lines() -> int:
    return DATA.read_text(encoding="utf-8").count("\n")


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        # 40 KB of dotted key once cost 2.3 GiB in the TOML parser; 17 parts are already refused.
        (".".join(["a"] * 20_000) + " = 1", "dotted key or table name of more than 16 parts"),
        (".".join(["a"] * 17) + " = 1", "dotted key or table name of more than 16 parts"),
        (".".join(['"a"'] * 17) + " = 1", "dotted key or table name of more than 16 parts"),
        ("x = { " + " . ".join(["b"] * 17) + " = 1 }", "dotted key or table name of more than 16 parts"),
        ("[" + ".".join(["t"] * 17) + "]", "dotted key or table name of more than 16 parts"),
        # A 400 KB dotted table name once took minutes to locate, line by line.
        ("[" + ".".join(["a"] * 200_000) + "]", "line of 400,001 characters; pilot reads lines up to 65,536"),
        ("x = '" + "y" * 70_000 + "'", "line of 70,006 characters"),
    ],
    ids=["dotted-40k", "dotted-17", "quoted-17", "inline-17", "header-17", "header-400k", "long-line"],
)
def test_a_file_beyond_the_parsing_limits_is_refused_before_parsing(tmp_path: Path, line: str, needle: str) -> None:
    path = tmp_path / "costly.toml"
    path.write_text(with_line(line), encoding="utf-8")
    result = run_on(path, "list", "--json")
    assert_one_line_error(result, 1, f"{path}:{shipped_lines() + 1}: ", needle)


@pytest.mark.parametrize("depth", [33, 500])
def test_arrays_nested_too_deep_are_refused_with_their_place(tmp_path: Path, depth: int) -> None:
    # About 500 deep once exhausted the parser's recursion: exit 70, "internal error".
    path = tmp_path / "deep.toml"
    path.write_text(with_line("x = " + "[" * depth + "]" * depth), encoding="utf-8")
    # The 33rd bracket opens level 33: column 4 + 33.
    needle = f"{path}:{shipped_lines() + 1}:37: arrays or inline tables nested more than 32 deep"
    assert_one_line_error(run_on(path, "list"), 1, needle)
    # One bracket a line, 100,000 deep: no line is long, the nesting is still found.
    path.write_text(with_line("x = [\n" + "[\n" * 100_000 + "]\n" * 100_001), encoding="utf-8")
    needle = f"{path}:{shipped_lines() + 33}:1: arrays or inline tables nested more than 32 deep"
    assert_one_line_error(run_on(path, "list"), 1, needle)


def test_an_integer_of_more_digits_than_python_converts_is_refused_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "digits.toml"
    path.write_text(with_line("x = " + "7" * 4301), encoding="utf-8")
    needle = f"{path}:{shipped_lines() + 1}:5: an integer of more than 4,300 digits"
    assert_one_line_error(run_on(path, "list"), 1, needle)


def test_any_other_parser_failure_is_a_data_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> dict[str, Any]:
        raise IndexError("string index out of range")

    monkeypatch.setattr(tomllib, "loads", broken)
    path = tmp_path / "odd.toml"
    path.write_bytes(DATA.read_bytes())
    assert_one_line_error(run_on(path, "list"), 1, "the TOML parser could not read the file (IndexError")


BRACKETS = "[" * 40
DOTS = ".".join("abcdefghijklmnopqrstu")
Q3, A3 = '"' * 3, "'" * 3


@pytest.mark.parametrize(
    "line",
    [
        "x = " + "[" * 32 + "]" * 32,  # 32 levels: the limit itself
        ".".join(["k"] * 16) + " = 1",  # 16 parts: the limit itself
        f"x = '{DOTS} {BRACKETS}'",
        f'x = "{DOTS} \\" {BRACKETS}"',
        f"# {DOTS} {BRACKETS} ' \"",
        f"x = {Q3}\n{BRACKETS} {DOTS}\n{Q3}",
        f"x = {A3}\n{BRACKETS} {DOTS}\n{A3}",
        "y = " + "7" * 4300,
    ],
    ids=["nesting-32", "dotted-16", "literal", "basic", "comment", "multiline", "multiline-literal", "4300-digits"],
)
def test_text_within_the_limits_is_parsed(tmp_path: Path, line: str) -> None:
    # Brackets, dots and digits inside strings and comments count for nothing; the limits
    # themselves are allowed. The file is parsed: then the models say what is wrong with it.
    path = tmp_path / "fine.toml"
    path.write_text(with_line(line), encoding="utf-8")
    result = run_on(path, "list")
    assert result.exit_code in (0, 1)  # a comment alone is a valid file
    assert "more than" not in result.stderr, result.stderr
    assert "parser" not in result.stderr, result.stderr


def test_the_line_locator_is_linear_in_the_length_of_a_table_name() -> None:
    # A map keyed by every prefix of a 200,000-part name costs n squared (about 2e10 steps):
    # this would not end in any reasonable time. The tree takes one step per part.
    names = [f"a{i}" for i in range(200_000)]
    lines = loading.line_map("[" + ".".join(names) + "]\nkey = 1\n")
    assert lines.find((*names, "key")) == 2
    assert lines.find((*names, "other")) == 1
    assert lines.find(("nowhere",)) is None


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


HIDDEN = {
    "\u202e": "\\u202e",  # right-to-left override: "txt.exe" shows as "exe.txt"
    "\u2066": "\\u2066",  # left-to-right isolate
    "\u200f": "\\u200f",  # right-to-left mark
    "\u200b": "\\u200b",  # zero-width space
    "\u200d": "\\u200d",  # zero-width joiner
    "\ufeff": "\\ufeff",  # byte-order mark
    "\u2028": "\\u2028",  # line separator
    "\x9b": "\\x9b",  # the one-byte CSI (C1)
    "\x85": "\\x85",  # next line (C1)
    "\U000e0041": "\\U000e0041",  # a tag character
}


def test_bidirectional_and_invisible_characters_are_neutralised_in_tables(tmp_path: Path) -> None:
    document = shipped()
    focus = "start " + " ".join(f"<{char}>" for char in HIDDEN) + " end"
    city(document, "xian")["focus"] = focus
    path = write(tmp_path, document)
    for args in (["show", "xian"], ["show", "xian", "--format", "markdown"]):
        shown = run_on(path, *args)
        assert shown.exit_code == 0, shown.stderr
        for char, escape in HIDDEN.items():
            assert char not in shown.stdout, (args, repr(char))
            assert f"<{escape}>" in re.sub(r"\s+", "", shown.stdout), (args, escape)


def test_csv_escapes_control_characters(tmp_path: Path) -> None:
    import csv
    import io

    document = shipped()
    city(document, "xian")["focus"] = "bell\x07 escape\x1b[2J return\r csi\x9b nel\x85 tab\t line\nend"
    path = write(tmp_path, document)
    result = run_on(path, "show", "xian", "--format", "csv", "--fields", "focus")
    assert result.exit_code == 0, result.stderr
    [[_], [cell]] = list(csv.reader(io.StringIO(result.stdout)))
    assert cell == "bell\\x07 escape\\x1b[2J return\\x0d csi\\x9b nel\\x85 tab\t line\nend"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stdout)


def test_json_escapes_c1_controls_and_invisible_characters_losslessly(tmp_path: Path) -> None:
    document = shipped()
    focus = "".join(HIDDEN) + " csi\x9b[31m end"
    city(document, "xian")["focus"] = focus
    path = write(tmp_path, document)
    for args in (["show", "xian", "--json"], ["list", "--format", "jsonl"], ["export", "--format", "json"]):
        result = run_on(path, *args)
        assert result.exit_code == 0, result.stderr
        assert not re.search(r"[\x80-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2066\ufeff]", result.stdout), args
        assert "\\u009b" in result.stdout
    shown = json.loads(run_on(path, "show", "xian", "--json").stdout)
    assert shown["focus"] == focus  # the same data, only written with escapes


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


# A pilot process stopped at a chosen point: the named function runs, then the process says
# so on a pipe and sleeps until a signal comes. The test waits on the pipe, not on a clock.
STOPPED_PILOT = """
import importlib, os, signal, sys, time
# As if started in the foreground: a shell's background job (cmd &) would ignore SIGINT.
signal.signal(signal.SIGINT, signal.default_int_handler)
module_name, name = sys.argv[1].rsplit(".", 1)
module = importlib.import_module(module_name)
original = getattr(module, name)

def stopped(*args, **kwargs):
    result = original(*args, **kwargs)
    os.write(int(os.environ["READY_FD"]), b"!")
    while True:
        time.sleep(60)

setattr(module, name, stopped)
sys.argv = ["pilot", *sys.argv[2:]]
import pilotcli
pilotcli.main()
"""


def signalled(stop_after: str, signal_number: int, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run pilot ARGS until `stop_after` has run, send the signal, and return how it ended."""
    ready, ready_writer = os.pipe()
    # No bytecode writes: the interpreter's own marshal.dumps must not hit a stop point.
    child_env = {**os.environ, **(env or {}), "READY_FD": str(ready_writer), "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", STOPPED_PILOT, stop_after, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env,
        pass_fds=(ready_writer,),
    )
    os.close(ready_writer)
    try:
        reached = os.read(ready, 1)  # b"" if the process ended without reaching the point
    finally:
        os.close(ready)
    if reached:
        process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=120)
    assert reached, f"pilot never reached {stop_after}: {stderr.decode(errors='replace')}"
    return Result(process.returncode, stdout.decode(), stderr.decode())


def test_sigint_while_reading_the_data_exits_130_quietly() -> None:
    result = signalled("pilotcli.dataset.read_bytes", signal.SIGINT, "list", "--json", env={"PILOT_NO_CACHE": "1"})
    assert result == Result(130, "", "")


@pytest.mark.parametrize(
    ("signal_number", "status"),
    [(signal.SIGINT, 130), (signal.SIGTERM, -signal.SIGTERM), (signal.SIGHUP, -signal.SIGHUP)],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
def test_a_signal_during_an_export_leaves_no_file_behind(tmp_path: Path, signal_number: int, status: int) -> None:
    # Stopped once the whole file is written to its temporary name, before it gets its own.
    # SIGTERM and SIGHUP once killed pilot there, leaving a hidden ".out.toml.*.tmp" behind.
    target = tmp_path / "out.toml"
    result = signalled("os.fsync", signal_number, "export", "-o", str(target))
    assert result.exit_code == status  # SIGTERM and SIGHUP: ended by the signal itself
    assert (result.stdout, result.stderr) == ("", "")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["INT", "TERM", "HUP"])
def test_a_signal_during_a_cache_write_leaves_no_file_behind(tmp_path: Path, signal_number: int) -> None:
    cache = tmp_path / "cache"
    data = tmp_path / "cities.toml"
    data.write_bytes(DATA.read_bytes())
    result = signalled("marshal.dumps", signal_number, "--data", str(data), "list", env={"PILOT_CACHE_DIR": str(cache)})
    assert result.exit_code in (130, -signal_number)
    assert list(cache.iterdir()) == []


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


@pytest.mark.parametrize("replacing", [False, True], ids=["new-file", "with-force"])
def test_failed_export_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replacing: bool
) -> None:
    def failing(source: str, destination: object) -> None:
        raise OSError(28, "No space left on device")

    target = tmp_path / "out.toml"
    if replacing:
        target.write_text("keep me", encoding="utf-8")
    monkeypatch.setattr(os, "replace" if replacing else "link", failing)
    result = run_cli("export", "-o", str(target), *(["--force"] if replacing else []))
    assert_one_line_error(result, 1, "No space left on device")
    assert [p.name for p in tmp_path.iterdir()] == (["out.toml"] if replacing else [])
    if replacing:
        assert target.read_text(encoding="utf-8") == "keep me"


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


# --- Export never destroys what it was not asked to -------------------------------------------------


def test_racing_exports_to_one_new_path_exactly_one_wins(tmp_path: Path) -> None:
    # Checking, then renaming, let 3 of 10 racing exports report success (each overwrote the
    # last). The name is now taken with a link, which fails if the name exists.
    target = tmp_path / "out.json"
    env = {**os.environ, "PILOT_NO_CACHE": "1"}
    processes = [
        subprocess.Popen(
            pilot_process("export", "--format", "json", "--batch", str(batch), "-o", str(target)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for batch in (1, 2, 3, 4) * 3
    ]
    results = []
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        results.append((process.returncode, stderr.decode()))
    winners = [stderr for status, stderr in results if status == 0]
    assert len(winners) == 1, results
    losers = [(status, stderr) for status, stderr in results if status != 0]
    assert all(status == 1 and "file exists" in stderr and stderr.count("\n") == 1 for status, stderr in losers)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
    # The file is whole, and it is the winner's.
    batch = json.loads(target.read_text(encoding="utf-8"))["cities"][0]["batch"]
    assert len(json.loads(target.read_text(encoding="utf-8"))["cities"]) == len(
        json.loads(run_cli("export", "--format", "json", "--batch", str(batch)).stdout)["cities"]
    )


def test_a_file_created_while_export_writes_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.toml"
    original_fsync = os.fsync

    def someone_else_creates_the_target(descriptor: int) -> None:
        original_fsync(descriptor)
        target.write_text("theirs", encoding="utf-8")

    monkeypatch.setattr(os, "fsync", someone_else_creates_the_target)
    result = run_cli("export", "-o", str(target))
    assert_one_line_error(result, 1, "file exists")
    assert target.read_text(encoding="utf-8") == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["out.toml"]


def test_without_hard_links_the_name_is_still_taken_exclusively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: object, destination: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "out.toml"
    assert run_cli("export", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# pilot dataset")
    assert_one_line_error(run_cli("export", "-o", str(target)), 1, "file exists")
    assert [p.name for p in tmp_path.iterdir()] == ["out.toml"]


def _special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        _bound_socket(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "device":
        # A private twin of /dev/null: replacing the real one (as root) is what this guards against.
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("cannot make a device node here")
    return path


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("fifo", "a named pipe (FIFO)"),
        ("socket", "a socket"),
        ("directory", "a directory"),
        ("device", "a character device"),
    ],
)
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_export_replaces_only_a_regular_file(tmp_path: Path, kind: str, words: str, force: bool) -> None:
    path = _special(tmp_path, kind)
    before = path.lstat()
    result = run_cli("export", "-o", str(path), *(["--force"] if force else []))
    assert_one_line_error(result, 1, f"is {words}; pilot writes only regular files")
    after = path.lstat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_export_refuses_dev_null_even_with_force() -> None:
    before = os.stat("/dev/null")
    assert_one_line_error(run_cli("export", "-o", "/dev/null", "--force"), 1, "is a character device")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.parametrize("dangling", [True, False], ids=["dangling", "to-a-file"])
def test_a_symbolic_link_is_replaced_only_with_force_and_never_followed(tmp_path: Path, dangling: bool) -> None:
    pointed = tmp_path / "elsewhere.toml"
    if not dangling:
        pointed.write_text("keep me", encoding="utf-8")
    link = tmp_path / "out.toml"
    link.symlink_to(pointed)
    refused = run_cli("export", "-o", str(link))
    assert_one_line_error(refused, 1, f"is a symbolic link (to '{pointed}')", "add --force")
    assert link.is_symlink()
    result = run_cli("export", "-o", str(link), "--force")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"pilot: wrote 20 cities to {link}; replaced the symbolic link {link} (to '{pointed}') with the file;"
        f" '{pointed}' was not touched\n"
    )
    assert not link.is_symlink()
    assert link.read_text(encoding="utf-8").startswith("# pilot dataset")
    if dangling:
        assert not pointed.exists()
    else:
        assert pointed.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("suffix", ["/", "/.", "//"])
@pytest.mark.parametrize("exists", [False, True], ids=["new", "existing"])
def test_an_output_that_names_a_folder_is_refused(tmp_path: Path, suffix: str, exists: bool) -> None:
    folder = tmp_path / "newdir"
    if exists:
        folder.mkdir()
    for force in ([], ["--force"]):
        result = run_cli("export", "-o", f"{folder}{suffix}", *force)
        assert_one_line_error(result, 1, "names a folder, not a file", f"{folder}/cities.toml")
    assert [p.name for p in tmp_path.iterdir()] == (["newdir"] if exists else [])
    if exists:
        assert list(folder.iterdir()) == []


# --- Output streams -----------------------------------------------------------------------------------


SHARED_CACHE: list[Path] = []


@pytest.fixture
def warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One cache for the processes of these tests: each validates the shipped data once at most."""
    if not SHARED_CACHE:
        SHARED_CACHE.append(tmp_path_factory.mktemp("shared-cache"))


def shell(command: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """Run a bash command line in which `pilot` is this checkout's pilot."""
    pilot = " ".join(pilot_process())
    cache = {"PILOT_CACHE_DIR": str(SHARED_CACHE[0])} if SHARED_CACHE else {"PILOT_NO_CACHE": "1"}
    return subprocess.run(
        ["bash", "-c", f'pilot() {{ {pilot} "$@"; }}; {command}'],
        capture_output=True,
        env={**os.environ, **cache, **env},
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "utf-16"}, {"PYTHONIOENCODING": "latin-1"}, {"LC_ALL": "C"}],
    ids=["ascii", "utf-16", "latin-1", "C-locale"],
)
@pytest.mark.parametrize("args", [["list", "--json"], ["show", "beijing", "--format", "csv"]], ids=["json", "csv"])
def test_data_is_utf8_whatever_the_locale(warm: None, env: dict[str, str], args: list[str]) -> None:
    # ascii was exit 70; utf-16 gave UTF-16 JSON.
    expected = run_cli(*args).stdout.encode("utf-8")
    assert "北京".encode() in expected
    result = shell("pilot " + " ".join(args), PYTHONUTF8="0", **env)
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == expected


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONUTF8": "0"}], ids=["ascii", "C"])
def test_tables_degrade_on_a_stdout_that_cannot_encode_chinese(warm: None, env: dict[str, str]) -> None:
    wide = run_cli("compare", "beijing", "hefei").stdout
    result = shell("pilot compare beijing hefei", **env)
    assert (result.returncode, result.stderr) == (0, b"")
    text = result.stdout.decode("ascii")  # nothing but ASCII
    assert text.splitlines()[0] == "Beijing ???? vs Hefei ????"
    # A wide character becomes two question marks: every line keeps its width in cells.
    cells = [sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in wide.splitlines()]
    assert [len(line) for line in text.splitlines()] == cells


@pytest.mark.parametrize(
    ("command", "needle"),
    [
        ("pilot list >&-", "standard output is closed"),
        ("pilot list --json >&-", "standard output is closed"),
        ("pilot list >/dev/full", "No space left on device"),
        ("pilot list --json >/dev/full", "No space left on device"),
        ("pilot show hefei --format csv >/dev/full", "No space left on device"),
        ("pilot validate --json >/dev/full", "No space left on device"),
        ("pilot --help >/dev/full", "No space left on device"),
        ("pilot --version >/dev/full", "No space left on device"),
        ("pilot >/dev/full", "No space left on device"),
    ],
)
def test_a_closed_or_full_stdout_is_exit_1_with_one_line(warm: None, command: str, needle: str) -> None:
    result = shell(command)
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert stderr == f"pilot: cannot write the output: {needle}\n"


def test_no_arguments_into_a_closed_pipe_is_quiet() -> None:
    # The help into a pipe nobody reads printed a 64-line traceback.
    process = subprocess.Popen(
        pilot_process(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PILOT_NO_CACHE": "1"}
    )
    assert process.stdout is not None
    process.stdout.close()
    _, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr) == (0, b"")


@pytest.mark.parametrize("stderr", ["2>/dev/full", "2>&-"], ids=["full", "closed"])
def test_a_failing_stderr_does_not_fail_a_call_that_succeeded(warm: None, tmp_path: Path, stderr: str) -> None:
    target = tmp_path / "out.toml"
    exported = shell(f"pilot export -o {target} {stderr}")
    assert exported.returncode == 0
    assert target.read_text(encoding="utf-8").startswith("# pilot dataset")
    # A note ("no city matches") goes to stderr: never to stdout instead, even when stderr is closed.
    noted = shell(f"pilot list --province Shanxi {stderr}")
    assert noted.returncode == 0
    assert b"pilot:" not in noted.stdout
    listed = shell(f"pilot list --json {stderr}")
    assert listed.returncode == 0
    assert json.loads(listed.stdout)[0]["id"] == "beijing"


# --- Names that could pass for other names -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "name", "found"),
    [
        ("name", "Xi\u200ban", "U+200B ZERO WIDTH SPACE"),
        ("name", "Xi'an\u200d", "U+200D ZERO WIDTH JOINER"),
        ("name_zh", "西\u202e安", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("name_zh", "西安\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("aliases", "Xi\u00adan", "U+00AD SOFT HYPHEN"),
        ("aliases", "\ufeffChang'an", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("aliases", "Chang\u3164an", "U+3164 HANGUL FILLER"),
    ],
)
def test_a_name_with_an_invisible_character_is_refused(tmp_path: Path, field: str, name: str, found: str) -> None:
    document = shipped()
    city(document, "xian")[field] = [name] if field == "aliases" else name
    result = run_on(write(tmp_path, document), "list")
    assert_one_line_error(result, 1, "city 'xian'", f"field '{field}'", f"holds an invisible character ({found})")


def test_a_sector_name_with_an_invisible_character_is_refused(tmp_path: Path) -> None:
    document = shipped()
    next(s for s in document["sectors"] if s["id"] == "finance")["name"] = "Financial\u200b services"
    result = run_on(write(tmp_path, document), "list")
    assert_one_line_error(result, 1, "field 'sectors[finance].name'", "U+200B ZERO WIDTH SPACE")


@pytest.mark.parametrize(
    ("name", "looks_like"),
    [
        ("Веijing", "beijing"),  # Cyrillic Ve and ie
        ("Shаnghai", "shanghai"),  # Cyrillic a
        ("Xiarnen", "xiamen"),  # r n for m
        ("Shenzhen\u200b", "shenzhen"),  # an invisible character is no difference either
        ("ΗΑΙΝΑΝ", "hainan"),  # Greek capitals
    ],
)
def test_a_name_that_only_looks_like_another_citys_is_refused(tmp_path: Path, name: str, looks_like: str) -> None:
    document = shipped()
    city(document, "hefei")["aliases"] = [name]
    result = run_on(write(tmp_path, document), "validate", "--json")
    problems = [p for p in result.json()["problems"] if p["city"] == "hefei" and p["field"] == "aliases"]
    assert any(f"of city '{looks_like}' (look-alike characters)" in p["message"] for p in problems), problems


def test_full_width_letters_are_the_same_name(tmp_path: Path) -> None:
    document = shipped()
    city(document, "hefei")["aliases"] = ["Ｂｅｉｊｉｎｇ"]
    result = run_on(write(tmp_path, document), "list")
    assert_one_line_error(result, 1, "city 'hefei'", "field 'aliases'", "beijing")


@pytest.mark.parametrize("alias", ["北京市", "Beijing City", "Wuhan Municipality"])
def test_an_alias_may_not_take_another_citys_name_with_a_suffix(tmp_path: Path, alias: str) -> None:
    # An alias 北京市 on Hefei once captured `pilot show 北京市`, a documented form of Beijing's name.
    document = shipped()
    city(document, "hefei")["aliases"] = [alias]
    result = run_on(write(tmp_path, document), "list")
    owner = "wuhan" if alias.startswith("Wuhan") else "beijing"
    assert_one_line_error(result, 1, "city 'hefei'", "field 'aliases'", f"city '{owner}''s name with a suffix")
    assert run_cli("show", alias, "--json").json()["id"] == owner


def test_distinct_names_stay_valid(tmp_path: Path) -> None:
    # Names that differ in what they show are not look-alikes (Xi'an and Xiamen, 苏州 and 福州).
    document = shipped()
    city(document, "hefei")["aliases"] = ["Luzhou", "庐州", "Hefei 2", "Hefei l"]
    result = run_on(write(tmp_path, document), "show", "庐州", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["id"] == "hefei"
