"""Validate parsed data: the models record by record, then the whole-file checks.

Imported only when a file is validated (a cache miss, or `pilot validate`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pilotcli import models
from pilotcli.checks import check_dataset
from pilotcli.errors import DataError, Problem
from pilotcli.loading import Locator, parse_toml, read_text, validation_problems
from pilotcli.records import Dataset, from_plain, to_plain


def validate(raw: dict[str, Any], text: str, path: str) -> tuple[Dataset | None, list[Problem]]:
    """The dataset's records and every problem found (an empty list when it is valid)."""
    try:
        # The commands work on records; built from the cache's plain form, a fresh
        # dataset is exactly what a cached one will be.
        dataset = from_plain(to_plain(models.Dataset.model_validate(raw)))
    except ValidationError as error:
        locator = Locator.for_text(path, raw, text)
        problems = list(validation_problems(error, locator))
        return None, problems + checks_of_the_valid_part(raw, locator, {p.city for p in problems})
    found = check_dataset(dataset)
    if not found:
        return dataset, []
    # Only a file with problems pays for finding their lines.
    locator = Locator.for_text(path, raw, text)
    return dataset, [locator.problem(loc, message) for loc, message in found]


def checks_of_the_valid_part(raw: dict[str, Any], locator: Locator, reported: set[str | None]) -> list[Problem]:
    """Whole-file checks over the records that passed the models, so that one bad
    value does not hide the other problems. Locations point into the original lists."""
    lists = models.list_sections()
    whole: dict[str, Any] = {}
    try:  # the sections that are not lists (the header, the programme with its batches)
        for name, info in models.Dataset.model_fields.items():
            model = models.record_type(info.annotation)
            if name not in lists and model is not None:
                whole[name] = model.model_validate(raw.get(name))
    except ValidationError:
        return []  # without the header and batches the cross checks mean little
    positions: dict[str, list[int]] = {}
    for section, model in lists.items():
        items = raw.get(section)
        kept, positions[section] = [], []
        for index, item in enumerate(items if isinstance(items, list) else []):
            try:
                kept.append(model.model_validate(item))
            except ValidationError:
                continue
            positions[section].append(index)
        whole[section] = tuple(kept)
    partial = models.Dataset.model_construct(**whole)
    cities = raw.get("cities")
    failed_cities = (
        [c["id"] for c in cities if isinstance(c, dict) and isinstance(c.get("id"), str)]
        if isinstance(cities, list)
        else []
    )
    problems = []
    for loc, message in check_dataset(from_plain(to_plain(partial)), failed_cities):
        if loc == ("cities",) and raw.get("cities"):
            continue  # the cities exist; they failed the models
        if len(loc) > 1 and loc[0] in positions and isinstance(loc[1], int):
            loc = (loc[0], positions[loc[0]][loc[1]], *loc[2:])
        problem = locator.problem(loc, message)
        if problem.city is None or problem.city not in reported:
            problems.append(problem)
    return problems


def validate_file(file: Path) -> list[Problem]:
    """Every problem found in a dataset file (an empty list when it is valid)."""
    shown = str(file)
    try:
        text = read_text(file)
        raw = parse_toml(text, shown)
    except DataError as error:
        return error.problems
    _, problems = validate(raw, text, shown)
    return problems
