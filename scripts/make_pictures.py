"""Regenerate the README pictures, docs/img/*.svg, from the real commands.

Each command runs in-process through `pilotcli.cli.run`, in colour at 100
columns; Rich turns the ANSI output into an SVG "screenshot".

    python scripts/make_pictures.py [--output DIR]
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from pilot_output import pilot_output
from rich.console import Console  # noqa: TID251 - a script, not the package: Rich draws the SVG
from rich.text import Text  # noqa: TID251

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 100
PICTURES: dict[str, list[str]] = {
    "list": ["list", "--sector", "healthcare"],
    "compare": ["compare", "shenzhen", "hefei"],
    "rank": ["rank", "--sector", "finance", "--explain", "--limit", "10"],
    "map": ["map", "--by", "region"],
    "timeline": ["timeline"],
}


def command_output(args: list[str]) -> str:
    """What `pilot ARGS` prints in colour at WIDTH columns; an error stops the script."""
    return pilot_output(args, {"FORCE_COLOR": "1", "COLUMNS": str(WIDTH), "NO_COLOR": None, "TERM": None})


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
