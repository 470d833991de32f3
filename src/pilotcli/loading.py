"""Read, parse and validate a dataset file into a `Dataset`.

Every failure becomes a `DataError` whose problems name the file, the line and,
for values, the city id and the field (never a list index).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pilotcli.errors import DataError, Problem
from pilotcli.names import did_you_mean

MAX_FILE_BYTES = 128 * 1024 * 1024
"""Larger files are refused with a clear message instead of a long stall."""

Loc = tuple[str | int, ...]


def shipped_dataset_path() -> Path:
    """The dataset that ships inside the package (or, in a source checkout, in data/)."""
    packaged = Path(__file__).with_name("data") / "cities.toml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "cities.toml"


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a DataError saying plainly why it cannot be read."""
    shown = str(path)
    try:
        if path.is_dir():
            raise DataError([Problem(shown, "is a directory, not a dataset file")])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            mib = size / 1024 / 1024
            limit = MAX_FILE_BYTES // 1024 // 1024
            raise DataError([Problem(shown, f"file is {mib:,.0f} MiB; pilot reads dataset files up to {limit} MiB")])
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError([Problem(shown, "no such file")], hint="check the path given to --data or PILOT_DATA") from None
    except PermissionError:
        raise DataError([Problem(shown, "permission denied")]) from None
    except OSError as error:
        raise DataError([Problem(shown, f"cannot read the file: {error.strerror or error}")]) from None


def decode(data: bytes, path: str) -> str:
    """The bytes as text: UTF-8 (an optional byte-order mark is dropped), never binary."""
    if b"\x00" in data[:65536]:
        raise DataError([Problem(path, "binary file, not a TOML dataset")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        problem = Problem(path, f"not UTF-8 text (byte 0x{byte:02x})", line=line)
        raise DataError([problem], hint="save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def read_text(path: Path) -> str:
    return decode(read_bytes(path), str(path))


_TOML_POSITION = r"\s*\(at line (\d+), column (\d+)\)$"


def parse_toml(text: str, path: str) -> dict[str, Any]:
    import tomllib  # only on a cache miss

    if not text.strip():
        raise DataError([Problem(path, "the file is empty")], hint="start from 'pilot export --format toml'")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(_TOML_POSITION, message)
        line = column = None
        if match:
            line, column = int(match.group(1)), int(match.group(2))
            message = message[: match.start()]
        raise DataError([Problem(path, f"TOML syntax error: {message}", line=line, column=column)]) from None


# --- Locating a value in the file -------------------------------------------------

# Patterns as strings: `re` compiles (and caches) them on first use, which is only
# when a file has problems to locate.
_HEADER = r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$"
_KEY = r"""^\s*([A-Za-z0-9_\-]+|"[^"]*")(\s*\.\s*([A-Za-z0-9_\-]+|"[^"]*"))*\s*="""


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip('"') for part in key.split("."))


def line_map(text: str) -> dict[Loc, int]:
    """Map each table and key path of a TOML file to its line, array elements by index.

    A light scan, not a parser: it only has to find lines for error messages in
    files that `tomllib` has already accepted.
    """
    lines: dict[Loc, int] = {}
    current_index: dict[Loc, int] = {}
    table: Loc = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(_HEADER, line)
        if header:
            is_array = header.group(1) == "[["
            names = _split_key(header.group(2))
            resolved: Loc = ()
            for position, name in enumerate(names):
                candidate = (*resolved, name)
                last = position == len(names) - 1
                if last and is_array:
                    lines.setdefault(candidate, number)
                    index = current_index.get(candidate, -1) + 1
                    current_index[candidate] = index
                    resolved = (*candidate, index)
                elif candidate in current_index:
                    resolved = (*candidate, current_index[candidate])
                else:
                    resolved = candidate
            table = resolved
            lines.setdefault(table, number)
            continue
        key = re.match(_KEY, line)
        if key:
            names = _split_key(line[: line.index("=")])
            lines.setdefault((*table, *names), number)
    return lines


class Locator(NamedTuple):
    """Turns a location inside the parsed data into a Problem with line, city and field."""

    path: str
    raw: dict[str, Any]
    lines: dict[Loc, int]

    @classmethod
    def for_text(cls, path: str, raw: dict[str, Any], text: str) -> Locator:
        return cls(path, raw, line_map(text))

    def problem(self, loc: Loc, message: str) -> Problem:
        line = None
        for end in range(len(loc), 0, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                break
        city, field = self._describe(loc)
        return Problem(self.path, message, line=line, city=city, field=field or None)

    def _describe(self, loc: Loc) -> tuple[str | None, str]:
        """('cities', 3, 'sectors', 1, 'source') -> ('nanjing', 'sectors[technology].source')."""
        city: str | None = None
        field = ""
        node: Any = self.raw
        for depth, part in enumerate(loc):
            if isinstance(part, int):
                item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
                label = _label(item) or str(part)
                if depth == 1 and loc[0] == "cities":
                    city, field = label, ""
                else:
                    field += f"[{label}]"
                node = item
            else:
                field += f".{part}" if field else part
                node = node.get(part) if isinstance(node, dict) else None
        return city, field


def _label(item: Any) -> str | None:
    if isinstance(item, dict):
        for key in ("id", "sector", "number"):
            if key in item and isinstance(item[key], str | int):
                return str(item[key])
    return None


def _known_prefix(raw: dict[str, Any], loc: Loc) -> Loc:
    """Drop the parts of a pydantic location that are not in the data (union member tags)."""
    node: Any = raw
    for depth, part in enumerate(loc):
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str):
            if part not in node:
                return loc[: depth + 1]  # a missing or unknown key: keep its name
            node = node[part]
        else:
            return loc[:depth]
    return loc


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validation_problems(error: Any, locator: Locator) -> Iterator[Problem]:
    """Problems from a pydantic ValidationError, one per field."""
    by_loc: dict[Loc, list[dict[str, Any]]] = {}
    for detail in error.errors(include_url=False):
        by_loc.setdefault(_known_prefix(locator.raw, tuple(detail["loc"])), []).append(detail)
    for loc, details in by_loc.items():
        first = details[0]
        kind = first["type"]
        if kind == "missing":
            message = "required field is missing"
        elif kind == "extra_forbidden":
            parent = _parent_keys(loc[:-1])
            message = "unknown field" + did_you_mean(str(loc[-1]), parent)
        elif len(details) > 1:
            expected = " or ".join(dict.fromkeys(_expected(d["type"]) for d in details))
            message = f"invalid value {_short(first.get('input'))}: expected {expected}"
        else:
            message = f"{first['msg']} (got {_short(first.get('input'))})"
        yield locator.problem(loc, message)


def _parent_keys(loc: Loc) -> list[str]:
    """The field names the model accepts at `loc`, to suggest a fix for a typo."""
    from pilotcli import models

    return list(models.model_at([part for part in loc if isinstance(part, str)]).model_fields)


def _expected(kind: str) -> str:
    return {
        "bool_type": "true/false",
        "int_type": "a whole number",
        "float_type": "a number",
        "none_required": "nothing",
        "string_type": "a string",
    }.get(kind, kind.replace("_", " "))
