"""What each of pilot's speed mechanisms saves, measured by turning it off.

    .venv/bin/python bench/mechanisms.py

Each mechanism is turned off in a driver process (a patch before the call, never a
change to pilot's code), and the call's instructions are counted under valgrind's
callgrind next to the same call with every mechanism on. Instruction counts do not
depend on the machine's load. The floor is the Typer hello-world of bench/run.py on
the floor's Typer. Needs valgrind.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from run import FASTEST_TYPER, HELLO_WORLD, child_env, count_instructions, floor_python

# The driver applies the patches named in its first argument, then runs pilot.
DRIVER = """
import gc, sys
off = set(filter(None, sys.argv.pop(1).split(",")))
if "no-gc" not in off:  # as pilotcli.main does first
    gc.disable()
from pilotcli import cli, render, view
if "one-command" in off:  # build every command, as Typer does by default
    cli._named_command = lambda argv: None
if "lazy-imports" in off:  # what a JSON call would import if nothing were imported on demand
    import json, tomllib, rich.console, rich.table, rich.text, pilotcli.render.rich_tables
if "validation-on-miss" in off:  # the models, pydantic and the checks, imported on every call
    import pilotcli.validation
if "lazy-cells" in off:  # table cells built even for JSON output
    original = render.render
    def eager(view_, options):
        view_.tables
        return original(view_, options)
    render.render = eager
if "compact-json" in off:  # indented JSON (the pure-Python encoder) even when piped
    from pilotcli.render import text
    dump = text.render_json
    text.render_json = lambda data, pretty=False: dump(data, pretty=True)
    render.render_json = text.render_json
status = cli.run(sys.argv[1:])
if "fast-exit" in off:  # the interpreter torn down module by module, as sys.exit does
    sys.exit(status)
import pilotcli
pilotcli._finish(status)
"""

DATACLASSES = """
import sys
from typing import NamedTuple
from dataclasses import dataclass
if sys.argv[1] == "dataclass":
    for i in range(20):
        dataclass(frozen=True)(type(f"C{i}", (), {"__annotations__": {"a": int, "b": str, "c": float}}))
else:
    for i in range(20):
        NamedTuple(f"C{i}", [("a", int), ("b", str), ("c", float)])
"""


class Mechanism(NamedTuple):
    name: str
    command: list[str]
    what: str


MECHANISMS = [
    Mechanism("one-command", ["list", "--json"], "register only the command a call runs with Typer"),
    Mechanism("lazy-imports", ["list", "--json"], "import Rich, tomllib and json only when used"),
    Mechanism("validation-on-miss", ["list", "--json"], "import the models and checks only on a cache miss"),
    Mechanism("lazy-cells", ["list", "--json"], "build table cells only for table and markdown output"),
    Mechanism("compact-json", ["list", "--json"], "compact JSON through the C encoder when piped"),
    Mechanism("fast-exit", ["list", "--json"], "end with os._exit once output is flushed (no teardown)"),
    Mechanism("fast-exit", ["list"], "the same, for a table"),
    Mechanism("no-gc", ["list", "--json"], "no cyclic garbage collection in a pilot process"),
    Mechanism("no-gc", ["list"], "the same, for a table"),
]


def count(argv: list[str], env: dict[str, str]) -> int:
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)  # warm
    return count_instructions(argv, env)


def main() -> int:
    if shutil.which("valgrind") is None:
        print("mechanisms: valgrind is needed", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="pilot-mechanisms-") as name:
        work = Path(name)
        env = child_env(work)
        hello = work / "hello.py"
        hello.write_text(HELLO_WORLD, encoding="utf-8")
        floor = count([floor_python(), str(hello), "hello", "--name", "x"], env)
        print(f"floor: Typer {FASTEST_TYPER} hello-world, {floor / 1e6:.0f} M instructions")
        print(f"{'mechanism':<20} {'call':<14} {'on':>6} {'off':>6} {'saves':>7}  what it does")
        for mechanism in MECHANISMS:
            on = count([sys.executable, "-c", DRIVER, "", *mechanism.command], env)
            off = count([sys.executable, "-c", DRIVER, mechanism.name, *mechanism.command], env)
            saves = f"{(off - on) / floor:+.1%}"
            line = f"{mechanism.name:<20} {' '.join(mechanism.command):<14} {on / 1e6:6.0f} {off / 1e6:6.0f} {saves:>7}"
            print(f"{line}  {mechanism.what}")
        cold = dict(env, PILOT_NO_CACHE="1")
        on = count([sys.executable, "-c", DRIVER, "", "list", "--json"], env)
        off = count([sys.executable, "-c", DRIVER, "", "list", "--json"], cold)
        print(f"{'cache':<20} {'list --json':<14} {on / 1e6:6.0f} {off / 1e6:6.0f} {(off - on) / floor:+7.1%}", end="")
        print("  read a validated dataset from the cache instead of parsing and validating")
        named, data = (count([sys.executable, "-c", DATACLASSES, kind], env) for kind in ("namedtuple", "dataclass"))
        saved = (data - named) / floor
        print(f"{'namedtuples':<20} {'20 classes':<14} {named / 1e6:6.0f} {data / 1e6:6.0f} {saved:+7.1%}", end="")
        print("  small value types as NamedTuples rather than frozen dataclasses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
