"""Where a pilot call's instructions go, phase by phase, next to the Typer floor's.

    .venv/bin/python bench/phases.py                      # pilot list --json
    .venv/bin/python bench/phases.py compare shenzhen hefei

Runs the Typer hello-world of bench/run.py (on the floor's Typer) and one pilot call under valgrind's
callgrind, each through a small driver that calls `os.getppid()` between phases;
callgrind dumps its counters before every such call (`--dump-before=getppid`),
so each dump holds one phase. Instruction counts do not depend on the machine's
load. Both runs are warmed first (bytecode and pilot's dataset cache), as in
bench/run.py. Needs valgrind.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run import FASTEST_TYPER, HELLO_WORLD, child_env, floor_python, pilot_launcher

PHASES = (
    "interpreter start",
    "import typer",
    "import pilot's modules",
    "import Rich",
    "Typer: build the command, parse",
    "read the dataset",
    "query and view",
    "render",
    "write, return",
    "exit",
)

# Every marker is `mark()`. The floor has no pilot modules, Rich, dataset or view: its
# driver marks those boundaries one after the other, so their phases count (almost) nothing.
FLOOR_DRIVER = """
import functools, importlib, os, sys
mark = os.getppid
mark()
import typer
mark()
mark()
mark()
exec(compile(open(sys.argv.pop(1)).read().replace('if __name__ == "__main__":', "if False:"), "hello", "exec"))
command = app.registered_commands[0]
greet = command.callback

@functools.wraps(greet)
def marked(*args, **kwargs):
    mark(); mark(); mark(); mark()
    return greet(*args, **kwargs)

command.callback = marked
app(standalone_mode=False)
mark()
"""

PILOT_DRIVER = """
import functools, gc, importlib, os, sys
gc.disable()  # as pilotcli.main does first
mark = os.getppid
modules, rich_modules = sys.argv.pop(1).split(","), [m for m in sys.argv.pop(1).split(",") if m]
mark()
import typer
mark()
for name in modules:
    importlib.import_module(name)
mark()
for name in rich_modules:
    importlib.import_module(name)
mark()
from pilotcli import dataset, render
from pilotcli.cli import run

def marked(function):
    def wrapper(*args, **kwargs):
        mark()
        try:
            return function(*args, **kwargs)
        finally:
            mark()
    return wrapper

dataset.load = marked(dataset.load)
render.render = marked(render.render)
status = run(sys.argv[1:])
mark()
sys.exit(status)
"""

MODULES_PROBE = """
import sys
from pilotcli.cli import run
run(sys.argv[1:])
names = sorted(m for m in sys.modules if m.startswith("pilotcli"))
print("\\n" + ",".join(m for m in names if m != "pilotcli.render.rich_tables"))
print(",".join(m for m in names if m == "pilotcli.render.rich_tables"))
"""


def phases(argv: list[str], env: dict[str, str], work: Path) -> list[int]:
    """Instructions per phase: the dumps in order, the final one (at exit) last."""
    folder = Path(tempfile.mkdtemp(dir=work))
    completed = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--dump-before=getppid",
            f"--callgrind-out-file={folder}/out.%p",
            *argv,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"phases: valgrind run failed: {completed.stderr[-500:]}")

    def order(path: Path) -> int:
        suffix = path.name.rsplit(".", 1)[-1]
        return int(suffix) if path.name.count(".") == 2 else 1 << 30  # out.PID.N, then out.PID

    counts = []
    for dump in sorted(folder.iterdir(), key=order):
        found = re.search(r"^(?:summary|totals): (\d+)", dump.read_text(), re.MULTILINE)
        counts.append(int(found.group(1)) if found else 0)
    return counts


def main(args: list[str]) -> int:
    if shutil.which("valgrind") is None:
        print("phases: valgrind is needed", file=sys.stderr)
        return 1
    command = args or ["list", "--json"]
    pilot, _ = pilot_launcher()
    with tempfile.TemporaryDirectory(prefix="pilot-phases-") as name:
        work = Path(name)
        env = child_env(work)
        hello = work / "hello.py"
        hello.write_text(HELLO_WORLD, encoding="utf-8")
        python = sys.executable
        # Validate once first, so that the probe sees (and the driver imports) what a warm call needs.
        subprocess.run([*pilot, *command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        probe = subprocess.run(
            [python, "-c", MODULES_PROBE, *command], env=env, capture_output=True, text=True, check=False
        )
        if probe.returncode != 0:
            print(f"phases: pilot {' '.join(command)} failed: {probe.stderr.strip()}", file=sys.stderr)
            return 1
        modules, rich_modules = probe.stdout.splitlines()[-2:]
        floor_argv = [floor_python(), "-c", FLOOR_DRIVER, str(hello), "hello", "--name", "x"]
        pilot_argv = [python, "-c", PILOT_DRIVER, modules, rich_modules, *command]
        for argv in (floor_argv, pilot_argv):  # warm the bytecode and dataset caches
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        floor, ours = phases(floor_argv, env, work), phases(pilot_argv, env, work)
    if len(floor) != len(PHASES) or len(ours) != len(PHASES):
        print(f"phases: expected {len(PHASES)} phases, got {len(floor)} and {len(ours)}", file=sys.stderr)
        return 1
    print(f"instructions by phase, in millions: Typer {FASTEST_TYPER} hello-world vs pilot {' '.join(command)}")
    print(f"({' '.join(pilot)}; valgrind callgrind, {os.cpu_count()} CPUs, load-independent)\n")
    width = max(map(len, PHASES))

    def line(label: str, floor_count: int, pilot_count: int) -> str:
        millions = (floor_count / 1e6, pilot_count / 1e6, (pilot_count - floor_count) / 1e6)
        return f"{label:<{width}}  {millions[0]:7.1f}  {millions[1]:7.1f}  {millions[2]:+13.1f}"

    print(f"{'phase':<{width}}  {'floor':>7}  {'pilot':>7}  {'pilot - floor':>13}")
    for phase, floor_count, pilot_count in zip(PHASES, floor, ours, strict=True):
        print(line(phase, floor_count, pilot_count))
    total_floor, total_pilot = sum(floor), sum(ours)
    print(line("total", total_floor, total_pilot))
    print(f"\npilot / floor: {total_pilot / total_floor:.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
