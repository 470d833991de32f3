"""Plain-text renderers: JSON, JSON Lines, CSV and Markdown."""

from __future__ import annotations

import io
from typing import Any

from pilotcli.view import INVISIBLE, Cell, View, clean, escaped

Payload = list[dict[str, Any]] | dict[str, Any]


# json is imported where it is used: a call that draws a table never needs it.


def render_json(data: Payload, *, pretty: bool = False) -> str:
    import json

    # ensure_ascii=False: Chinese stays readable UTF-8; allow_nan=False: never NaN.
    # Compact output goes through the C encoder; indenting falls back to pure Python.
    if pretty:
        return json_safe(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)) + "\n"
    return json_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)) + "\n"


def render_jsonl(data: Payload) -> str:
    import json

    rows = data if isinstance(data, list) else [data]
    return "".join(json_safe(json.dumps(row, ensure_ascii=False, allow_nan=False)) + "\n" for row in rows)


# JSON leaves these raw with ensure_ascii=False; escaped, they read back the same and cannot
# act on a terminal or a JavaScript parser: C1 controls, bidirectional and invisible characters.
_JSON_ESCAPED = f"[\\x80-\\x9f{INVISIBLE}]"
_ASCII = bytes(range(128))


def _class_characters(body: str) -> frozenset[str]:
    """The characters of a regex character class body made of characters and ranges (a-z)."""
    found: set[str] = set()
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            found.update(map(chr, range(ord(body[i]), ord(body[i + 2]) + 1)))
            i += 3
        else:
            found.add(body[i])
            i += 1
    return frozenset(found)


_JSON_ESCAPED_CHARACTERS = frozenset(map(chr, range(0x80, 0xA0))) | _class_characters(INVISIBLE)


def json_safe(text: str) -> str:
    """JSON text with C1 controls and invisible characters as \\u escapes (same data)."""
    # The usual case has none. They are all outside ASCII, so only the text's other characters are
    # looked at, copied out in C (a regex scan of all of list --json's output cost four times more).
    other = text.encode("utf-8", "surrogatepass").translate(None, _ASCII).decode("utf-8", "surrogatepass")
    if _JSON_ESCAPED_CHARACTERS.isdisjoint(other):
        return text
    import re

    return re.sub(_JSON_ESCAPED, lambda m: f"\\u{ord(m.group()):04x}", text)


FIGURE_KEYS = ("value", "listed", "unit", "year", "edition", "source", "estimate", "confidence", "note")


def _flatten(record: dict[str, Any], figure_keys: frozenset[str], prefix: str = "") -> dict[str, Any]:
    """Nested objects become prefix_key columns; a figure's value keeps the bare name (gdp, gdp_unit, ...)."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if key in figure_keys and not prefix:
            figure = value if isinstance(value, dict) else {}
            for sub in FIGURE_KEYS:
                flat[name if sub == "value" else f"{name}_{sub}"] = figure.get(sub)
        elif isinstance(value, dict):
            flat.update(_flatten(value, figure_keys, f"{name}_"))
        else:
            flat[name] = value
    return flat


_CSV_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
"""Control characters a CSV cell shows escaped (\\x1b): all but tab and newline, which CSV quotes."""


def _cell(value: Any) -> str:
    import re

    text = _text(value)
    return re.sub(_CSV_CONTROL, lambda m: escaped(m.group()), text) if re.search(_CSV_CONTROL, text) else text


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return ";".join(_text(v) for v in value)
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render_csv(data: Payload, *, fields: list[str] | None = None, figure_keys: list[str] | None = None) -> str:
    """One row per record. Figures spread into gdp, gdp_unit, gdp_year, ... columns, the same
    columns whatever the values; `fields` gives the header when there is no row."""
    import csv  # only for CSV output

    rows = data if isinstance(data, list) else [data]
    keys = frozenset(figure_keys or ())
    flat_rows = [_flatten(row, keys) for row in rows]
    if not flat_rows and fields:
        header = list(_flatten(dict.fromkeys(fields), keys))
    else:
        header = list(dict.fromkeys(name for row in flat_rows for name in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in flat_rows:
        writer.writerow(_cell(row.get(name)) for name in header)
    return out.getvalue()


def _md(text: str) -> str:
    return clean(text).replace("|", "\\|")


def _md_cell(cell: Cell) -> str:
    """A cell's text; a Markdown link where it links somewhere (brackets and spaces escaped)."""
    if not cell.link:
        return _md(cell.text)
    url = cell.link.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    text = _md(cell.text).replace("[", "\\[").replace("]", "\\]")
    return f"[{text}]({url})"


def render_markdown(view: View) -> str:
    parts: list[str] = []
    if view.picture is not None:
        # A drawing has no Markdown form: show it as preformatted text.
        lines = ["".join(clean(text) for text, _ in row).rstrip() for row in view.picture]
        parts.append("```text\n" + "\n".join(lines) + "\n```\n")
    for table in view.tables:
        if table.title:
            parts.append(f"### {_md(table.title)}\n")
        headers = [_md(c.header) or " " for c in table.columns]
        align = {"left": ":---", "right": "---:"}
        lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align[c.justify] for c in table.columns) + " |"]
        lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in table.rows]
        parts.append("\n".join(lines) + "\n")
        if table.footnotes:
            parts.append("\n".join(f"_{_md(note)}_  " for note in table.footnotes) + "\n")
    return "\n".join(parts)
