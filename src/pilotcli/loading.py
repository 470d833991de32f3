"""Read, parse and validate a dataset file into a `Dataset`.

Every failure becomes a `DataError` whose problems name the file, the line and,
for values, the city id and the field (never a list index).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def file_kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def size_text(size: int) -> str:
    mib = 1024 * 1024
    return f"{size // mib} MiB" if size % mib == 0 else f"{size:,} bytes"


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file, at most MAX_FILE_BYTES of them, or a DataError saying why not.

    A FIFO, a device or a terminal is refused before it is read: reading one could block
    forever (a FIFO with no writer) or never end (/dev/zero). The size limit holds for
    what is read, whatever the file's size says (/proc files say 0).
    """
    shown = str(path)

    def refuse(message: str, hint: str | None = None) -> DataError:
        return DataError([Problem(shown, message)], hint=hint)

    if "\x00" in shown:  # no file system can name it (os.stat raises ValueError)
        raise DataError([Problem(repr(shown), "a file name cannot contain a NUL character")])
    try:
        kind = file_kind(os.stat(path).st_mode)
        if kind is not None:
            raise refuse(f"is {kind}, not a dataset file", "give the path of a regular file")
        # O_NONBLOCK: a FIFO put in the file's place since the check cannot block the open.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise refuse("no such file", "check the path given to --data or PILOT_DATA") from None
    except PermissionError:
        raise refuse("permission denied") from None
    except OSError as error:
        raise refuse(f"cannot read the file: {error.strerror or error}") from None
    try:
        opened = os.fstat(descriptor)
        kind = file_kind(opened.st_mode)
        if kind is not None:
            raise refuse(f"is {kind}, not a dataset file", "give the path of a regular file")
        limit = size_text(MAX_FILE_BYTES)
        too_large = f"file is larger than {limit}; pilot reads dataset files up to {limit}"
        if opened.st_size > MAX_FILE_BYTES:
            raise refuse(too_large)
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_FILE_BYTES:
            chunk = os.read(descriptor, min(MAX_FILE_BYTES + 1 - total, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise refuse(too_large)
        return b"".join(chunks)
    except OSError as error:
        raise refuse(f"cannot read the file: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


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

    from pilotcli import bounds

    if not text.strip():
        raise DataError([Problem(path, "the file is empty")], hint="start from 'pilot export --format toml'")
    bounds.check(text, path)
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
    except ValueError as error:
        # Python refuses to convert integers of more digits than its limit (4,300 by default).
        digits = sys.get_int_max_str_digits()
        where = bounds.huge_integer(text, digits) if digits and "digits" in str(error) else None
        if where is None:
            raise _parser_failed(path, error) from None
        line, column = bounds.location(text, where)
        message = f"an integer of more than {digits:,} digits; pilot reads integers up to {digits:,} digits"
        raise DataError([Problem(path, message, line=line, column=column)]) from None
    except (RecursionError, MemoryError, Exception) as error:  # the parser's own limits
        raise _parser_failed(path, error) from None


def _parser_failed(path: str, error: BaseException) -> DataError:
    return DataError([Problem(path, f"the TOML parser could not read the file ({type(error).__name__}: {error})")])


# --- Locating a value in the file -------------------------------------------------

# Patterns as strings: `re` compiles (and caches) them on first use, which is only
# when a file has problems to locate. Possessive quantifiers: no backtracking, so a long
# line costs its length, not its length squared.
_HEADER = r"^\s*+(\[\[?)([^\]]*+)\]\]?\s*+(?:#.*)?$"
_KEY = r"""^\s*+(?:[A-Za-z0-9_\-]++|"[^"]*+")(?:\s*+\.\s*+(?:[A-Za-z0-9_\-]++|"[^"]*+"))*+\s*+="""


def _split_key(key: str) -> list[str]:
    return [part.strip().strip('"') for part in key.split(".")]


class Lines:
    """The lines of a TOML file's tables and keys, as a tree: a node per name, and per
    element of an array of tables. Each line of the file costs its own length, whatever
    the depth of its table (a tree of paths, where a map of whole paths costs n squared
    for a table name of n parts)."""

    __slots__ = ("children", "last_index", "line")

    def __init__(self) -> None:
        self.children: dict[str | int, Lines] = {}
        self.line: int | None = None
        self.last_index = -1
        """The index of the last element when this is an array of tables, else -1."""

    def child(self, name: str | int) -> Lines:
        node = self.children.get(name)
        if node is None:
            node = self.children[name] = Lines()
        return node

    def find(self, loc: Loc) -> int | None:
        """The line of `loc`, or of the nearest enclosing table or key that has one."""
        line, node = None, self
        for part in loc:
            found = node.children.get(part)
            if found is None:
                break
            node = found
            line = node.line if node.line is not None else line
        return line


def line_map(text: str) -> Lines:
    """Map each table and key path of a TOML file to its line, array elements by index.

    A light scan, not a parser: it only has to find lines for error messages in
    files that `tomllib` has already accepted. Lines are counted as TOML counts them.
    """
    root = Lines()
    table = root
    for number, line in enumerate(text.split("\n"), start=1):
        header = re.match(_HEADER, line)
        if header:
            is_array = header.group(1) == "[["
            names = _split_key(header.group(2))
            node = root
            for position, name in enumerate(names):
                node = node.child(name)
                if position == len(names) - 1 and is_array:
                    node.line = node.line or number
                    node.last_index += 1
                    node = node.child(node.last_index)
                elif node.last_index >= 0:  # an array of tables: its last element
                    node = node.child(node.last_index)
            table = node
            table.line = table.line or number
            continue
        if re.match(_KEY, line):
            node = table
            for name in _split_key(line[: line.index("=")]):
                node = node.child(name)
            node.line = node.line or number
    return root


class Locator:
    """Turns a location inside the parsed data into a Problem with line, city and field."""

    __slots__ = ("lines", "path", "raw")

    def __init__(self, path: str, raw: dict[str, Any], lines: Lines) -> None:
        self.path = path
        self.raw = raw
        self.lines = lines

    @classmethod
    def for_text(cls, path: str, raw: dict[str, Any], text: str) -> Locator:
        return cls(path, raw, line_map(text))

    def problem(self, loc: Loc, message: str) -> Problem:
        city, field = self._describe(loc)
        return Problem(self.path, message, line=self.lines.find(loc), city=city, field=field or None)

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
