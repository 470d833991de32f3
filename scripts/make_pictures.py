"""Regenerate the README pictures, docs/img/*.svg, from the real commands.

Each command runs in-process through `pilotcli.cli.run`, in colour at 100
columns; Rich turns the ANSI output into an SVG "screenshot".

    python scripts/make_pictures.py [--output DIR]
"""

from __future__ import annotations

import argparse
import html
import io
import itertools
import re
import sys
from pathlib import Path

from pilot_output import pilot_output
from rich.cells import cell_len  # noqa: TID251 - a script, not the package: Rich draws the SVG
from rich.console import Console  # noqa: TID251
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
    return pilot_output(
        args, {"FORCE_COLOR": "1", "COLUMNS": str(WIDTH), "LINES": None, "NO_COLOR": None, "TERM": None}
    )


def save_svg(args: list[str], path: Path) -> None:
    console = Console(record=True, width=WIDTH, file=io.StringIO())
    # soft_wrap: the lines are already laid out at WIDTH; the recorder must not wrap them again.
    console.print(Text.from_ansi(command_output(args)), soft_wrap=True)
    svg = console.export_svg(title=f"pilot {' '.join(args)}")
    path.write_text(full_width(svg), encoding="utf-8")


CHAR_WIDTH = 12.2
"""Rich's cell width in its SVG (0.61 of its 20 px font)."""
FONTS = '"DejaVu Sans Mono", Menlo, Consolas, "Noto Sans Mono CJK SC", "Noto Sans CJK SC", monospace'
"""Fonts the reader already has: the picture loads none (GitHub blocks fonts from other sites)."""
TEXT = re.compile(
    r'<text (?P<head>[^>]*?) x="(?P<x>[0-9.]+)" (?P<mid>[^>]*?)textLength="[0-9.]+"(?P<tail>[^>]*)>'
    r"(?P<body>[^<]*)</text>"
)


def full_width(svg: str) -> str:
    """Rich's SVG with Chinese at full width and no external font.

    Rich sizes each text run by its characters, so a run with Chinese is squeezed to half its
    cells. Each run is split where wide characters start and end, and every piece is placed at
    its own cell and given its width in cells (a wide character takes two).
    """
    svg = re.sub(r"@font-face \{.*?\}\s*", "", svg, flags=re.DOTALL)
    svg = svg.replace("font-family: Fira Code, monospace;", f"font-family: {FONTS};")

    def split(match: re.Match[str]) -> str:
        x = float(match["x"])
        pieces = []
        for _wide, run in itertools.groupby(html.unescape(match["body"]), key=lambda c: cell_len(c) == 2):
            text = "".join(run)
            cells = cell_len(text)
            if text.strip():
                pieces.append(
                    f'<text {match["head"]} x="{x:g}" {match["mid"]}textLength="{cells * CHAR_WIDTH:g}"'
                    f"{match['tail']}>{html.escape(text).replace(' ', '&#160;')}</text>"
                )
            x = round(x + cells * CHAR_WIDTH, 1)
        return "".join(pieces)

    return TEXT.sub(split, svg)


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
