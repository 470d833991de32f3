"""Helpers to build invalid datasets from the shipped one and to inspect the problems they cause.

An invalid dataset is the shipped TOML parsed with `tomllib`, mutated as a dict, and
written back with `tomli_w`; the written file is what `read_dataset` sees, so line
numbers in problems are checked against that file's own text.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from pilotcli.dataset import read_dataset
from pilotcli.errors import DataError, Problem

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "cities.toml"

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*$")
_ID = re.compile(r'^\s*id\s*=\s*"([^"]*)"')


def shipped_raw() -> dict[str, Any]:
    """A fresh parse of the shipped dataset, safe to mutate."""
    return tomllib.loads(SHIPPED.read_text(encoding="utf-8"))


def city(raw: dict[str, Any], city_id: str) -> dict[str, Any]:
    matches = [item for item in raw["cities"] if item["id"] == city_id]
    assert len(matches) == 1, f"expected one city '{city_id}' in the shipped data"
    result: dict[str, Any] = matches[0]
    return result


def program_figure(raw: dict[str, Any], figure_id: str) -> dict[str, Any]:
    matches = [item for item in raw["program"]["figures"] if item["id"] == figure_id]
    assert len(matches) == 1, f"expected one program figure '{figure_id}' in the shipped data"
    result: dict[str, Any] = matches[0]
    return result


def sector(raw: dict[str, Any], sector_id: str) -> dict[str, Any]:
    matches = [item for item in raw["sectors"] if item["id"] == sector_id]
    assert len(matches) == 1, f"expected one sector '{sector_id}' in the shipped data"
    result: dict[str, Any] = matches[0]
    return result


def write_raw(raw: dict[str, Any], path: Path) -> Path:
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[Problem]:
    """The problems `read_dataset` reports for a file it must refuse."""
    with pytest.raises(DataError) as caught:
        read_dataset(path)
    problems = caught.value.problems
    assert problems, "a DataError must carry at least one problem"
    return problems


def problems_for(raw: dict[str, Any], tmp_path: Path, name: str = "cities.toml") -> tuple[Path, list[Problem]]:
    path = write_raw(raw, tmp_path / name)
    return path, problems_of(path)


def the_problem(problems: list[Problem], *, city: str | None, field: str) -> Problem:
    """The single problem about `field` (of `city`); fails listing every problem otherwise."""
    matching = [p for p in problems if p.city == city and p.field == field]
    assert len(matching) == 1, f"expected one problem for city={city!r} field={field!r}, got {problems!r}"
    return matching[0]


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def line_text(path: Path, line: int | None) -> str:
    assert line is not None, "the problem has no line number"
    lines = lines_of(path)
    assert 1 <= line <= len(lines), f"line {line} is outside the file ({len(lines)} lines)"
    return lines[line - 1]


def enclosing_header(path: Path, line: int) -> str:
    """The table header (`[a.b]` or `[[a.b]]`) in force at `line` (the line itself if it is one)."""
    lines = lines_of(path)
    for number in range(line, 0, -1):
        match = _HEADER.match(lines[number - 1])
        if match:
            return match.group(1)
    return ""


def owner_id(path: Path, line: int, array: str) -> str | None:
    """The `id` of the `[[array]]` element whose text contains `line`, or None if it is outside one.

    Walks up to the nearest `[[array]]` header, stopping at any other top-level table,
    then reads that element's `id = "..."` key.
    """
    lines = lines_of(path)
    start = None
    for number in range(line, 0, -1):
        match = _HEADER.match(lines[number - 1])
        if not match:
            continue
        name = match.group(1)
        if lines[number - 1].lstrip().startswith("[[") and name == array:
            start = number
            break
        if name != array and not name.startswith(array + "."):
            return None
    if start is None:
        return None
    for text in lines[start:]:
        if _HEADER.match(text):
            return None
        match = _ID.match(text)
        if match:
            return match.group(1)
    return None


def assert_located(problem: Problem, path: Path, key: str, *, header: str | None = None) -> None:
    """The problem names the written file and a line that shows `key`, inside the right city.

    `header`, if given, is the table the line must belong to (e.g. "cities.figures.gdp").
    """
    assert problem.path == str(path)
    text = line_text(path, problem.line)
    assert key in text, f"line {problem.line} is {text!r}, which does not show {key!r}"
    assert problem.line is not None
    if header is not None:
        assert enclosing_header(path, problem.line) == header
    if problem.city is not None:
        assert owner_id(path, problem.line, "cities") == problem.city, (
            f"line {problem.line} is not inside city '{problem.city}'"
        )


def a_measure(measure_id: str, scope: str, cities: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """A valid `[[measures]]` entry for a small dataset (finance, in force, citing a shipped source)."""
    entry: dict[str, Any] = {
        "id": measure_id,
        "title": f"Measure {measure_id}",
        "summary": "What is now allowed.",
        "sectors": ["finance"],
        "kind": "facilitation",
        "scope": scope,
        "status": "in-force",
        "source": "p25",
        "confidence": "medium",  # as much as p25 (a news outlet read at its url) allows
        **fields,
    }
    if cities:
        entry["cities"] = list(cities)
    return entry


def with_measures(raw: dict[str, Any], *entries: dict[str, Any]) -> dict[str, Any]:
    """The dataset with only these measures besides those that create a yes/no indicator."""
    raw["measures"] = [m for m in raw["measures"] if m.get("creates")] + list(entries)
    return raw


def without_values(raw: dict[str, Any], city_id: str, *figure_ids: str) -> dict[str, Any]:
    """The dataset with these figures of one city recorded as checked but unknown: no value in any year.

    Tests about missing values make their own gaps with this, so that filling a real gap in the
    shipped data breaks no test that is not about that data.
    """
    figures = city(raw, city_id)["figures"]
    for figure_id in figure_ids:
        entry = figures.get(figure_id)
        if entry is None:  # not recorded at all: no value either
            continue
        for key in ("value", "history", "estimate", "listed", "also"):
            entry.pop(key, None)
        entry["note"] = "Not found (a gap made by a test)."
    return raw


def with_value(raw: dict[str, Any], city_id: str, figure_id: str, value: float, year: int) -> dict[str, Any]:
    """The dataset with this figure of one city a single value of `year` (no earlier years),
    citing the source of another city's value of the same figure."""
    source = next(
        entry["source"]
        for other in raw["cities"]
        if (entry := other.get("figures", {}).get(figure_id)) and "value" in entry and "source" in entry
    )
    unit = next(indicator["unit"] for indicator in raw["indicators"] if indicator["id"] == figure_id)
    city(raw, city_id).setdefault("figures", {})[figure_id] = {
        "value": value,
        "unit": unit,
        "year": year,
        "source": source,
        "confidence": "low",
    }
    return raw
