"""Regenerate the README pictures, docs/img/*.svg, from the real commands.

Each command runs in-process through `pilotcli.cli.run`, in colour at 100
columns; Rich turns the ANSI output into an SVG "screenshot".

    python scripts/make_pictures.py [--output DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

from rich.console import Console  # noqa: TID251 - a script, not the package: Rich draws the SVG
from rich.text import Text  # noqa: TID251

from pilotcli.cli import run

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 100
PICTURES: dict[str, list[str]] = {
    "list": ["list", "--sector", "healthcare"],
    "compare": ["compare", "shenzhen", "hefei"],
    "rank": ["rank", "--sector", "finance", "--limit", "10"],
    "map": ["map"],
    "timeline": ["timeline"],
}


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in [*values, "NO_COLOR", "TERM"]}
    os.environ.update(values)
    for name in ("NO_COLOR", "TERM"):
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def command_output(args: list[str]) -> str:
    """What `pilot ARGS` prints in colour at WIDTH columns; an error stops the script."""
    out, err = io.StringIO(), io.StringIO()
    with environment(FORCE_COLOR="1", COLUMNS=str(WIDTH)), redirect_stdout(out), redirect_stderr(err):
        status = run(args)
    if status != 0:
        raise SystemExit(f"pilot {' '.join(args)} failed ({status}): {err.getvalue().strip()}")
    return out.getvalue()


def save_svg(args: list[str], path: Path) -> None:
    console = Console(record=True, width=WIDTH, file=io.StringIO())
    # soft_wrap: the lines are already laid out at WIDTH; the recorder must not wrap them again.
    console.print(Text.from_ansi(command_output(args)), soft_wrap=True)
    console.save_svg(str(path), title=f"pilot {' '.join(args)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "img", help="directory for the SVG files")
    options = parser.parse_args(argv)
    options.output.mkdir(parents=True, exist_ok=True)
    for name, args in PICTURES.items():
        path = options.output / f"{name}.svg"
        save_svg(args, path)
        print(f"wrote {path} ({path.stat().st_size:,} bytes): pilot {' '.join(args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
