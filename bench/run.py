"""Start-up, memory and scale benchmark for pilot.

Run with the interpreter pilot is installed in (from anywhere):

    .venv/bin/python bench/run.py             # 15 rounds, then the scale part
    .venv/bin/python bench/run.py --quick     # a fast smoke run

Part 1 times two Typer hello-worlds and five pilot calls, round-robin in one interleaved
run, and compares medians of wall time and peak memory with the floor: the hello-world
on the fastest Typer release (FASTEST_TYPER, in a venv of its own that the script makes
and keeps in a cache folder). The hello-world on the Typer that pilot installs is shown
beside it, so a slower Typer release shows up as such and not as pilot's own cost.
Part 2 clones the shipped cities into synthetic datasets of 1,000 and 10,000 cities
and compares `pilot rank --json` with parsing the same file with `tomllib` alone.

The benchmark reports; it does not assert. The exit status is 0 unless something
failed to run (a command exited non-zero, a generated dataset did not validate).

Peak memory is the child's max RSS from `os.wait4`. On Linux a child's max RSS is at
least its spawner's RSS high-water mark (exec records the peak of the address space it
leaves, which a vfork or posix_spawn child shares with its spawner). So this script does
not spawn the measured children itself: bench/spawner.py, started first with
`python -I -S` (about 8 MiB), spawns each one and reports its wait4 figures, and the
report prints the spawner's own peak next to the smallest child's.
"""

from __future__ import annotations

import argparse
import json
import marshal
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

FASTEST_TYPER = "0.28.0"
"""The floor's Typer: the fastest release measured (0.29 imports pydantic on every call)."""
SHIPPED = REPO / "data" / "cities.toml"

DEFAULT_ROUNDS = 15
DEFAULT_SCALE_ROUNDS = 5
QUICK_ROUNDS = 3
QUICK_SCALE_ROUNDS = 1
SCALE_SIZES = (1_000, 10_000)

JSON_TARGET = 1.20
TABLE_TARGET = 1.70
MEMORY_TARGET = 1.30
PARSE_TARGET = 1.5
GROWTH_TARGET = 12.0

HELLO_WORLD = '''\
"""The start-up floor: the smallest Typer app that really runs a command."""

import typer

app = typer.Typer()


@app.callback()
def main() -> None:
    """Hello-world."""


@app.command()
def hello(name: str = typer.Option("world", "--name")) -> None:
    """Greet someone."""
    print(f"Hello {name}")


if __name__ == "__main__":
    app()
'''

# Variables that would change what pilot does (or how fast) between runs. Bytecode is
# always cached (in a private PYTHONPYCACHEPREFIX, so nothing is written into the source
# tree or site-packages): an installed tool runs from compiled bytecode, and without it
# (PYTHONDONTWRITEBYTECODE=1 and a source checkout) pilot would recompile on every call.
SCRUBBED_ENV = (
    "PILOT_DATA",
    "PILOT_NO_CACHE",
    "PILOT_DEBUG",
    "FORCE_COLOR",
    "NO_COLOR",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPYCACHEPREFIX",
)


class BenchError(Exception):
    """Something failed to run: the benchmark cannot report on it."""


# --- Running one child ------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float
    """Seconds, from just before the spawn to the reaped exit."""
    cpu: float
    """User + system seconds of the child."""
    peak: int
    """Max RSS of the child, in bytes."""
    returncode: int
    stdout: bytes
    stdout_bytes: int
    stderr: bytes


def _rss_bytes(ru_maxrss: int) -> int:
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


class Spawner:
    """bench/spawner.py, started once while this process is small: it runs the children."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(Path(__file__).with_name("spawner.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )

    def ask(self, request: tuple[Any, ...]) -> tuple[Any, ...]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        payload = marshal.dumps(request)
        self.process.stdin.write(len(payload).to_bytes(8, "little") + payload)
        header = self.process.stdout.read(8)
        if len(header) < 8:
            raise BenchError("the spawner (bench/spawner.py) stopped")
        size = int.from_bytes(header, "little")
        data = b""
        while len(data) < size and (chunk := self.process.stdout.read(size - len(data))):
            data += chunk
        answer = marshal.loads(data)
        assert isinstance(answer, tuple)
        return answer

    def peak(self) -> int:
        """The spawner's own max RSS, in bytes: what a child could inherit is below it."""
        return _rss_bytes(self.ask(("peak",))[0])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


_spawners: list[Spawner] = []


def spawner() -> Spawner:
    """The one spawner, started on first use (main starts it first thing)."""
    if not _spawners:
        _spawners.append(Spawner())
    return _spawners[0]


def run_once(argv: Sequence[str], env: Mapping[str, str], *, keep_stdout: bool = False) -> Run:
    """Run a command through the spawner, stdout to a pipe (counted and, unless kept, dropped)."""
    handle, errors = tempfile.mkstemp(prefix="pilot-bench-stderr-")
    os.close(handle)
    try:
        wall, cpu, maxrss, returncode, size, stdout = spawner().ask(("run", list(argv), dict(env), errors, keep_stdout))
        stderr = Path(errors).read_bytes()
    finally:
        os.unlink(errors)
    return Run(
        wall=wall,
        cpu=cpu,
        peak=_rss_bytes(maxrss),
        returncode=returncode,
        stdout=stdout,
        stdout_bytes=size,
        stderr=stderr,
    )


def checked(name: str, argv: Sequence[str], env: Mapping[str, str], *, keep_stdout: bool = False) -> Run:
    run = run_once(argv, env, keep_stdout=keep_stdout)
    if run.returncode != 0:
        output = (run.stdout + b"\n" + run.stderr) if keep_stdout else run.stderr
        tail = output.decode("utf-8", "replace").strip()[-2000:]
        raise BenchError(f"{name} exited with status {run.returncode}: {' '.join(argv)}\n{tail}")
    return run


# --- Measurements -------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    argv: list[str]
    kind: str
    """'floor', 'json', 'table' (decides the target), 'scale' or 'cold' (runs with an empty cache)."""
    env: dict[str, str]
    runs: list[Run] = field(default_factory=list)
    """The measured runs (for a warm case: those that hit pilot's cache)."""
    missed: list[Run] = field(default_factory=list)
    """Runs of a warm case that missed the cache (wrote an entry): left out of the medians."""

    def samples(self) -> list[Run]:
        return self.runs or self.missed

    def median_wall(self) -> float:
        return statistics.median(r.wall for r in self.samples())

    def iqr_wall(self) -> float:
        if len(self.samples()) < 4:
            return max(r.wall for r in self.samples()) - min(r.wall for r in self.samples())
        quartiles = statistics.quantiles([r.wall for r in self.samples()], n=4)
        return quartiles[2] - quartiles[0]

    def min_wall(self) -> float:
        return min(r.wall for r in self.samples())

    def median_cpu(self) -> float:
        return statistics.median(r.cpu for r in self.samples())

    def median_peak(self) -> float:
        return statistics.median(r.peak for r in self.samples())


def interleave(cases: Sequence[Case], rounds: int, label: str, scratch: Path | None = None) -> None:
    """Round-robin: every case once per round; the starting case rotates each round.

    A case of kind 'cold' runs with a fresh, empty PILOT_CACHE_DIR under `scratch`;
    any other run that writes a cache entry missed the warm cache and is set aside.
    """
    for round_number in range(rounds):
        shift = round_number % len(cases)
        for position, case in enumerate([*cases[shift:], *cases[:shift]]):
            if case.kind == "cold" and scratch is not None:
                folder = scratch / f"cold-{round_number}-{position}"
                case.runs.append(checked(case.name, case.argv, {**case.env, "PILOT_CACHE_DIR": str(folder)}))
                shutil.rmtree(folder, ignore_errors=True)
                continue
            cache = Path(case.env["PILOT_CACHE_DIR"])
            before = cache_snapshot(cache)
            run = checked(case.name, case.argv, case.env)
            (case.missed if cache_snapshot(cache) - before else case.runs).append(run)
        print(f"  {label}: round {round_number + 1}/{rounds} done", file=sys.stderr, flush=True)


def cache_snapshot(folder: Path) -> set[tuple[str, int]]:
    if not folder.is_dir():
        return set()
    return {(entry.name, entry.stat().st_mtime_ns) for entry in folder.iterdir() if entry.suffix == ".marshal"}


def cache_report(folder: Path, before: set[tuple[str, int]], cases: Sequence[Case]) -> str:
    if not before:
        return "NOT warm: no cache entry was written by the warm-up (cache disabled or unwritable?)"
    timed = sum(len(case.runs) + len(case.missed) for case in cases)
    missed = [f"{case.name} x{len(case.missed)}" for case in cases if case.missed]
    if not missed:
        entries = len(cache_snapshot(folder))
        return f"warm: all {timed} timed calls hit it ({entries} entr{'y' if entries == 1 else 'ies'}, none written)"
    return (
        f"PARTLY COLD: {sum(len(case.missed) for case in cases)} of {timed} timed calls missed it and wrote an "
        f"entry ({', '.join(missed)}; did pilot's source change mid-run?); they are left out of the medians"
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def mib(size: float) -> str:
    return f"{size / 1024 / 1024:.1f}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def pilot_launcher() -> tuple[list[str], str]:
    """The console script next to the interpreter if there is one, else `python -m pilotcli`."""
    script = Path(sys.executable).with_name("pilot")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)], f"console script {script}"
    return [sys.executable, "-m", "pilotcli"], f"{sys.executable} -m pilotcli"


def child_env(work: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED_ENV}
    env["COLUMNS"] = "100"
    env["PILOT_CACHE_DIR"] = str(work / "cache")
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def peak_report(smallest: float) -> str:
    """The spawner's peak against the smallest child's: the proof that the children's are their own."""
    spawner_peak = spawner().peak()
    own = _rss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    state = "ok" if spawner_peak < smallest else "TOO BIG: a child's peak may be the spawner's, not its own"
    return (
        f"spawner's peak RSS: {mib(spawner_peak)} MiB, smallest child's: {mib(smallest)} MiB "
        f"(must be below it: {state}); this process, which spawns no measured child: {mib(own)} MiB"
    )


# --- Part 1: start-up and memory against the Typer floor --------------------------------------------


def floor_python() -> str:
    """The interpreter of a venv with FASTEST_TYPER, made once and kept in a cache folder."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = base / "pilot-bench" / f"typer-{FASTEST_TYPER}-py{sys.version_info[0]}{sys.version_info[1]}"
    python = venv / "bin" / "python"
    if not python.is_file():
        print(f"  making the floor's venv (typer=={FASTEST_TYPER}) in {venv}", file=sys.stderr, flush=True)
        for step in (
            [sys.executable, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "-q", f"typer=={FASTEST_TYPER}"],
        ):
            done = subprocess.run(step, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                shutil.rmtree(venv, ignore_errors=True)
                raise BenchError(f"cannot make the floor's venv: {done.stderr[-300:]}")
    return str(python)


def startup_cases(work: Path, pilot: list[str]) -> list[Case]:
    hello = work / "hello.py"
    hello.write_text(HELLO_WORLD, encoding="utf-8")
    env = child_env(work)
    floor = [floor_python(), str(hello), "hello", "--name", "x"]
    installed = [sys.executable, str(hello), "hello", "--name", "x"]
    return [
        Case(f"hello-world, typer {FASTEST_TYPER} (floor)", floor, "floor", env),
        Case("hello-world, pilot's typer", installed, "info", env),
        Case("pilot list --json", [*pilot, "list", "--json"], "json", env),
        Case("pilot list", [*pilot, "list"], "table", env),
        Case("pilot show hefei --json", [*pilot, "show", "hefei", "--json"], "json", env),
        Case("pilot compare shenzhen hefei", [*pilot, "compare", "shenzhen", "hefei"], "table", env),
        Case("pilot rank --sector finance", [*pilot, "rank", "--sector", "finance"], "table", env),
    ]


def count_instructions(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """The instructions one run of `argv` executes, counted by valgrind's callgrind."""
    completed = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        start_new_session=True,  # as run_once: the same work whether or not a terminal is near
    )
    found = re.search(r"Collected : (\d+)", completed.stderr)
    if completed.returncode != 0 or found is None:
        raise BenchError(f"valgrind failed on {' '.join(argv)}: {completed.stderr[-300:]}")
    return int(found.group(1))


def instructions(work: Path, pilot: list[str]) -> None:
    """Instruction counts under valgrind: the same for the same code, whatever the machine's load."""
    if shutil.which("valgrind") is None:
        print("\n== Instructions: skipped (valgrind not found) ==")
        return
    cases = startup_cases(work, pilot)
    print("\n== Instructions (valgrind callgrind, one run each; load-independent) ==", flush=True)
    for case in cases:  # warm the dataset and bytecode caches outside valgrind
        checked(case.name, case.argv, case.env)
    counts: list[int] = []
    for case in cases:
        counts.append(count_instructions(case.argv, case.env))
    rows = []
    for case, count in zip(cases, counts, strict=True):
        ratio = count / counts[0]
        if case.kind in ("floor", "info"):
            target = result = "-"
        else:
            limit = JSON_TARGET if case.kind == "json" else TABLE_TARGET
            target, result = f"<={limit:.2f}x", verdict(ratio <= limit)
        rows.append([case.name, f"{count / 1e6:,.0f}", f"{ratio:.2f}x", target, result])
    print(table(["command", "M instructions", "vs floor", "target", "result"], rows))


STARTUP_HEADERS = [
    "command",
    "median ms",
    "min ms",
    "IQR ms",
    "vs floor",
    "target",
    "time",
    "cpu ms",
    "cpu vs floor",
    "peak MiB",
    "vs floor",
    "mem",
]


def startup_row(case: Case, floor: Case) -> list[str]:
    """One call's medians against the floor's, with its verdicts."""
    wall_ratio = case.median_wall() / floor.median_wall()
    peak_ratio = case.median_peak() / floor.median_peak()
    if case.kind in ("floor", "info"):
        target = time_result = memory_result = "-"
    else:
        limit = JSON_TARGET if case.kind == "json" else TABLE_TARGET
        target = f"<={limit:.2f}x"
        time_result = verdict(wall_ratio <= limit)
        memory_result = verdict(peak_ratio <= MEMORY_TARGET)
    return [
        case.name,
        ms(case.median_wall()),
        ms(case.min_wall()),
        ms(case.iqr_wall()),
        f"{wall_ratio:.2f}x",
        target,
        time_result,
        ms(case.median_cpu()),
        f"{case.median_cpu() / floor.median_cpu():.2f}x",
        mib(case.median_peak()),
        f"{peak_ratio:.2f}x",
        memory_result,
    ]


def startup(work: Path, pilot: list[str], rounds: int) -> None:
    cases = startup_cases(work, pilot)
    print(
        f"\n== Part 1: start-up and peak memory vs the Typer {FASTEST_TYPER} floor ({rounds} interleaved rounds) ==",
        flush=True,
    )
    for case in cases:  # warm-up: fills pilot's validated-dataset cache and the bytecode cache
        checked(case.name, case.argv, case.env)
    warm = cache_snapshot(work / "cache")
    interleave(cases, rounds, "start-up")
    print(table(STARTUP_HEADERS, [startup_row(case, cases[0]) for case in cases]))
    print("time: median wall time against the target; cpu: median user+sys time of the child (information)")
    print(f"mem: median peak RSS (max RSS of the child, from wait4) against <= {MEMORY_TARGET:.2f}x the floor's")
    noisy = [case.name for case in cases if case.iqr_wall() > 0.10 * case.median_wall()]
    if noisy:
        print(f"NOISY (IQR > 10% of the median): {', '.join(noisy)}; other load on the machine? compare the cpu column")
    print(f"pilot's dataset cache during the timed rounds: {cache_report(work / 'cache', warm, cases)}")
    smallest = min(case.median_peak() for case in cases)
    print(peak_report(smallest))


# --- Part 2: scale ------------------------------------------------------------------------------------


def generate(count: int, out: Path) -> None:
    """Write a dataset of `count` valid cities cloned from the shipped 20 (run in a subprocess)."""
    import tomllib

    import tomli_w

    with SHIPPED.open("rb") as handle:
        data = tomllib.load(handle)
    originals = data["cities"]
    width = max(4, len(str(count - 1)))
    clones = []
    for number in range(count):
        city = dict(originals[number % len(originals)])
        city["id"] = f"{city['id']}-{number:0{width}d}"
        city["name"] = f"{city['name']} {number}"
        city["name_zh"] = f"{city['name_zh']}{number}"
        city["aliases"] = []
        clones.append(city)
    data["cities"] = clones
    # A measure for named cities applies to every clone of them.
    copies: dict[str, list[str]] = {}
    for clone, number in zip(clones, range(count), strict=True):
        copies.setdefault(originals[number % len(originals)]["id"], []).append(clone["id"])
    for measure in data.get("measures", []):
        if "cities" in measure:
            measure["cities"] = [copy for city in measure["cities"] for copy in copies.get(city, [])]
    out.write_text(tomli_w.dumps(data), encoding="utf-8")


@dataclass
class ScaleSet:
    size: int
    path: Path
    check_cold: Run
    warm: Case
    parse: Case
    cold: Case


def has_command(pilot: list[str], env: Mapping[str, str], command: str) -> bool:
    return run_once([*pilot, command, "--help"], env).returncode == 0


def prepare(work: Path, pilot: list[str], size: int, env: dict[str, str], validate: bool) -> ScaleSet:
    path = work / f"cities-{size}.toml"
    checked(
        f"generating {size} cities",
        [sys.executable, str(Path(__file__).resolve()), "--generate", str(size), str(path)],
        env,
    )
    if validate:
        validation = [*pilot, "--data", str(path), "validate"]
        check = checked(f"pilot validate on {path.name}", validation, env, keep_stdout=True)
    else:  # --fields id keeps the output (and so this process's memory) small
        listing = [*pilot, "--data", str(path), "list", "--json", "--fields", "id"]
        check = checked(f"pilot list --json on {path.name}", listing, env, keep_stdout=True)
        listed = len(json.loads(check.stdout))
        if listed != size:
            raise BenchError(f"{path.name}: pilot list --json shows {listed} cities, expected {size}")
    rank = [*pilot, "--data", str(path), "rank", "--json"]
    checked(f"pilot rank --json on {path.name} (warm-up)", rank, env)  # the validation call may not write the cache
    parse = [sys.executable, "-c", f"import tomllib; tomllib.load(open({str(path)!r}, 'rb'))"]
    return ScaleSet(
        size=size,
        path=path,
        check_cold=check,
        warm=Case(f"rank --json {size} warm", rank, "scale", env),
        parse=Case(f"tomllib parse {size}", parse, "scale", env),
        cold=Case(f"rank --json {size} cold", rank, "cold", env),
    )


SCALE_HEADERS = [
    "cities",
    "TOML MiB",
    "rank warm ms",
    "parse ms",
    "rank/parse",
    "target",
    "result",
    "rank cold ms",
    "check cold ms",
    "warm MiB",
    "parse MiB",
    "cold MiB",
]


def scale_row(s: ScaleSet) -> list[str]:
    """One synthetic dataset's medians: pilot's warm and cold calls against the TOML parse."""
    ratio = s.warm.median_wall() / s.parse.median_wall()
    return [
        f"{s.size:,}",
        mib(s.path.stat().st_size),
        ms(s.warm.median_wall()),
        ms(s.parse.median_wall()),
        f"{ratio:.2f}x",
        f"<={PARSE_TARGET:.1f}x",
        verdict(ratio <= PARSE_TARGET),
        ms(s.cold.median_wall()),
        ms(s.check_cold.wall),
        mib(s.warm.median_peak()),
        mib(s.parse.median_peak()),
        mib(s.cold.median_peak()),
    ]


def scale(work: Path, pilot: list[str], rounds: int) -> None:
    env = child_env(work)
    validate = has_command(pilot, env, "validate")
    how = "pilot --data FILE validate" if validate else "pilot --data FILE list --json (no validate command)"
    print(f"\n== Part 2: scale, synthetic datasets ({rounds} interleaved rounds) ==", flush=True)
    print(f"generated files checked with: {how}")
    sets = [prepare(work, pilot, size, env, validate) for size in SCALE_SIZES]
    warm_snapshot = cache_snapshot(work / "cache")

    # A warm run uses the shared warm cache; each cold run gets a fresh, empty one.
    interleave([case for s in sets for case in (s.warm, s.parse, s.cold)], rounds, "scale", work)
    print(table(SCALE_HEADERS, [scale_row(s) for s in sets]))
    small, large = sets[0], sets[-1]
    factor = large.size / small.size
    growth = large.warm.median_wall() / small.warm.median_wall()
    print(
        f"growth {small.size:,} -> {large.size:,} cities ({factor:.0f}x the cities): "
        f"rank warm {growth:.2f}x (target <= {GROWTH_TARGET:.0f}x) {verdict(growth <= GROWTH_TARGET)}; "
        f"parse alone {large.parse.median_wall() / small.parse.median_wall():.2f}x; "
        f"rank cold {large.cold.median_wall() / small.cold.median_wall():.2f}x (information)"
    )
    warm_cases = [s.warm for s in sets]
    print(f"rank warm = pilot --data FILE rank --json, cache {cache_report(work / 'cache', warm_snapshot, warm_cases)}")
    print("rank cold = the same call with an empty cache (parse + validate + write the cache), information only")
    print("check cold = the one validity check call on the new file, the first call pilot ever saw it (cold)")
    smallest = min(case.median_peak() for s in sets for case in (s.warm, s.parse, s.cold))
    print(peak_report(smallest))


# --- Main ----------------------------------------------------------------------------------------


def describe(pilot_label: str) -> None:
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print("pilot benchmark")
    print(f"python {platform.python_version()} ({sys.executable}) on {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"pilotcli {installed('pilotcli')}, typer {installed('typer')}, pydantic {installed('pydantic')}")
    print(f"pilot launched as: {pilot_label}")
    print("children: stdout to a pipe, COLUMNS=100, PILOT_CACHE_DIR and PYTHONPYCACHEPREFIX in a temp dir")
    print(f"load average at start: {load}")


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark pilot's start-up, peak memory and scaling.")
    parser.add_argument("--rounds", type=int, default=None, help=f"start-up rounds (default {DEFAULT_ROUNDS})")
    parser.add_argument("--scale-rounds", type=int, default=None, help=f"scale rounds (default {DEFAULT_SCALE_ROUNDS})")
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke test: {QUICK_ROUNDS} and {QUICK_SCALE_ROUNDS} rounds"
    )
    parser.add_argument("--no-scale", action="store_true", help="skip the synthetic-dataset part")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions under valgrind (slow, load-independent)"
    )
    parser.add_argument("--generate", nargs=2, metavar=("N", "FILE"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.rounds is None:
        options.rounds = QUICK_ROUNDS if options.quick else DEFAULT_ROUNDS
    if options.scale_rounds is None:
        options.scale_rounds = QUICK_SCALE_ROUNDS if options.quick else DEFAULT_SCALE_ROUNDS
    if options.rounds < 1 or options.scale_rounds < 1:
        parser.error("rounds must be at least 1")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = arguments(argv)
    if options.generate:
        generate(int(options.generate[0]), Path(options.generate[1]))
        return 0
    if not hasattr(os, "wait4") or not hasattr(os, "posix_spawnp"):
        print("bench: os.wait4 and os.posix_spawnp are needed (Linux or macOS)", file=sys.stderr)
        return 1
    spawner()  # first, while this process is at its smallest
    pilot, pilot_label = pilot_launcher()
    describe(pilot_label)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="pilot-bench-") as folder:
            work = Path(folder)
            startup(work, pilot, options.rounds)
            if options.instructions:
                instructions(work, pilot)
            if not options.no_scale:
                scale(work, pilot, options.scale_rounds)
    except BenchError as error:
        print(f"\nbench: FAILED TO RUN: {error}", file=sys.stderr)
        return 1
    finally:
        spawner().close()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"\ndone in {time.perf_counter() - started:.0f} s; load average at end: {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
