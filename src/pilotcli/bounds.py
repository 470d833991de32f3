"""Limits a TOML text must keep before it is parsed.

Python's TOML parser pays far more than a file's size for some shapes: a dotted key
of n parts costs memory and time in n squared (40 KB of `a.a.a…` takes 2.3 GiB), and
arrays nested a few hundred deep exhaust its recursion. These checks run before
parsing, in time linear in the file's size, and say where the file breaks a limit.
Only a file that is not in the cache is checked (and parsed).
"""

from __future__ import annotations

import re

from pilotcli.errors import DataError, Problem

MAX_LINE_CHARS = 65_536
"""Longest line, in characters (long text can use a multi-line string)."""
MAX_KEY_PARTS = 16
"""Most parts in one dotted key or table name (`a.b.c` has 3)."""
MAX_NESTING = 32
"""Deepest nesting of arrays and inline tables."""

# Regular expressions for TOML's strings. Q3 and A3 open multi-line strings; a one-line
# string (basic, with escapes, or literal) must not start with them.
Q3, A3 = '"' * 3, "'" * 3
_STRING = rf"(?!{Q3})\"[^\"\\\n]*+(?:\\.[^\"\\\n]*+)*+\"|(?!{A3})'[^'\n]*+'"
_COMMENT = r"#[^\n]*+"
_ML_REST = {
    Q3: re.compile(rf"(?:[^\"\\]++|\\.|\"(?!\"\"))*+{Q3}(?:\"\"?)?"),
    A3: re.compile(rf"(?:[^']++|'(?!''))*+{A3}(?:''?)?"),
}
_ML_STRING = f"{Q3}{_ML_REST[Q3].pattern}|{A3}{_ML_REST[A3].pattern}"
# One part of a dotted key: bare, or quoted.
_PART = rf"(?:[A-Za-z0-9_-]++|{_STRING})"
# MAX_KEY_PARTS + 1 parts: a dot, then MAX_KEY_PARTS - 1 more parts each followed by a dot
# (the first part stands before the first dot). Starting at a literal dot keeps the search fast.
_DOTTED = re.compile(rf"\.(?:[ \t]*+{_PART}[ \t]*+\.){{{MAX_KEY_PARTS - 1}}}")
# Everything up to the next bracket or multi-line string, skipping strings and comments.
# At the top level a line that starts with "[" is a table header: skipped whole, with any
# stray closing bracket (the parser reports those).
_SKIP = rf"{_STRING}|{_COMMENT}"
_TOP = re.compile(rf"(?:[^\"'#\[\]{{}}\n]++|\n(?:[ \t]*+\[[^\n]*+)?|{_SKIP}|[\]}}])*+(?P<token>[\[{{]|{Q3}|{A3})")
_INNER = re.compile(rf"(?:[^\"'#\[\]{{}}]++|{_SKIP})*+(?P<token>[\[\]{{}}]|{Q3}|{A3})")
_STRIP = re.compile(rf"{_ML_STRING}|{_STRING}|{_COMMENT}", re.DOTALL)


def check(text: str, path: str) -> None:
    """Raise a DataError, located, when `text` breaks one of the limits above."""
    for find, with_column in ((_long_line, False), (_long_key, False), (_deep_nesting, True)):
        found = find(text)
        if found is not None:
            position, message = found
            line, column = location(text, position)
            raise DataError([Problem(path, message, line=line, column=column if with_column else None)])


def location(text: str, position: int) -> tuple[int, int]:
    """The line and column (both from 1) of a position in `text`."""
    return text.count("\n", 0, position) + 1, position - text.rfind("\n", 0, position)


def _long_line(text: str) -> tuple[int, str] | None:
    # A line longer than the limit holds a whole aligned stretch of half the limit with no
    # newline: look for such stretches (a few C-speed searches per megabyte), then measure.
    step = MAX_LINE_CHARS // 2
    for start in range(0, len(text), step):
        if text.find("\n", start, start + step) == -1 and start + step <= len(text):
            begin = text.rfind("\n", 0, start) + 1
            end = text.find("\n", start)
            length = (len(text) if end == -1 else end) - begin
            if length > MAX_LINE_CHARS:
                return begin, f"line of {length:,} characters; pilot reads lines up to {MAX_LINE_CHARS:,}"
    return None


def _long_key(text: str) -> tuple[int, str] | None:
    if _DOTTED.search(text) is None:
        return None
    # Found, perhaps inside a string or comment: look again with those blanked out (rare,
    # so the slower exact pass is affordable). A quoted key part stays a quoted part.
    blanked = _STRIP.sub(_blank, text)
    found = _DOTTED.search(blanked)
    if found is None:
        return None
    start = found.start()
    return start, f"a dotted key or table name of more than {MAX_KEY_PARTS} parts; pilot reads up to {MAX_KEY_PARTS}"


def _blank(match: re.Match[str]) -> str:
    """A string or comment made harmless, of the same length and with the same line breaks, so
    that positions still hold; a quoted key part stays a quoted part."""
    found = match.group()
    if found.startswith("#"):
        return " " * len(found)
    if found.startswith((Q3, A3)):
        return re.sub(r"[^\n]", " ", found)
    return found[0] + " " * (len(found) - 2) + found[-1]


def _deep_nesting(text: str) -> tuple[int, str] | None:
    # "\n" in front: a table header on the first line starts a line too.
    text = "\n" + text
    depth = 0
    position = 0
    while True:
        found = (_INNER if depth else _TOP).match(text, position)
        if found is None:
            return None
        token = found.group("token")
        position = found.end()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                limit = MAX_NESTING
                return found.start(
                    "token"
                ) - 1, f"arrays or inline tables nested more than {limit} deep; pilot reads up to {limit}"
        elif token in ("]", "}"):
            depth -= 1
        else:
            rest = _ML_REST[token].match(text, position)
            if rest is None:
                return None  # an unterminated string: the parser says where
            position = rest.end()


def huge_integer(text: str, digits: int) -> int | None:
    """Where the first integer of more than `digits` digits starts, outside strings and comments."""
    blanked = _STRIP.sub(_blank, text)
    found = re.search(rf"(?<![\w.+-])[+-]?[0-9](?:_?[0-9]){{{digits},}}", blanked)
    return None if found is None else found.start()
