"""Refresh the command outputs shown in README.md and docs/*.md from the real commands.

Each block in the README that follows a marker line
    <!-- output: pilot ARGS -->
is replaced by what `pilot ARGS` prints at 100 columns, without colour, on the
shipped dataset; and each table between `<!-- coverage -->` and `<!-- /coverage -->`
by the count of areas with a value of each yearly indicator, for 2025 and 2024 (from
`pilot list --year YEAR --json`). `python scripts/update_readme.py --check` exits 1 when
a page is out of date (the test suite runs that check).
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

from pilot_output import pilot_output

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(<!-- output: pilot (?P<args>[^>]*?) -->\n)```text\n.*?```\n", re.DOTALL)
MAX_LINES = 70
COVERAGE = re.compile(r"(<!-- coverage -->\n).*?(<!-- /coverage -->\n)", re.DOTALL)
COVERAGE_YEARS = (2025, 2024)


def command_output(args: list[str]) -> str:
    """What `pilot ARGS` prints at 100 columns without colour, trailing blanks removed, long output cut."""
    output = pilot_output(
        args, {"COLUMNS": "100", "LINES": None, "FORCE_COLOR": None, "NO_COLOR": None, "PILOT_DATA": None}
    )
    lines = [line.rstrip() for line in output.splitlines()]
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"... ({len(lines) - MAX_LINES} more lines)"]
    return "\n".join(lines) + "\n"


def refreshed(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        args = shlex.split(match.group("args"))
        return f"{match.group(1)}```text\n$ pilot {match.group('args')}\n{command_output(args)}```\n"

    text = BLOCK.sub(replace, text)
    if COVERAGE.search(text):
        table = coverage_table()
        text = COVERAGE.sub(lambda match: match.group(1) + table + match.group(2), text)
    return text


def coverage_table() -> str:
    """For each yearly indicator stored in the file (not computed by pilot): how many areas have a value."""
    from pilotcli.dataset import load

    catalog = load(None)
    yearly = [i.id for i in catalog.indicators.values() if i.kind == "quantity" and not i.derived_from]
    cells = {}
    for year in COVERAGE_YEARS:
        cities = json.loads(pilot_output(["list", "--year", str(year), "--json"], {"PILOT_DATA": None}))
        for key in yearly:
            values = [c[key] for c in cities if c[key] is not None and c[key]["value"] is not None]
            estimated = sum(1 for value in values if value["estimate"])
            cells[year, key] = f"{len(values)} of {len(cities)}" + (f" ({estimated} estimated)" if estimated else "")
    header = (
        "| indicator | " + " | ".join(map(str, COVERAGE_YEARS)) + " |\n|---|" + "---:|" * len(COVERAGE_YEARS) + "\n"
    )
    rows = [f"| `{key}` | " + " | ".join(cells[year, key] for year in COVERAGE_YEARS) + " |\n" for key in yearly]
    return header + "".join(rows)


def main() -> int:
    stale = []
    for page in PAGES:
        current = page.read_text(encoding="utf-8")
        updated = refreshed(current)
        if updated == current:
            continue
        if "--check" in sys.argv[1:]:
            stale.append(page.relative_to(ROOT).as_posix())
        else:
            page.write_text(updated, encoding="utf-8")
    if stale:
        print(
            f"command outputs out of date in {', '.join(stale)}: run python scripts/update_readme.py", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
