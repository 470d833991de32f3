"""Plain-text renderers: JSON, JSON Lines, CSV and Markdown."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pilotcli.view import View, clean

Payload = list[dict[str, Any]] | dict[str, Any]


def render_json(data: Payload, *, pretty: bool = True) -> str:
    # ensure_ascii=False: Chinese stays readable UTF-8; allow_nan=False: never NaN.
    # Compact output goes through the C encoder; indenting falls back to pure Python.
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def render_jsonl(data: Payload) -> str:
    rows = data if isinstance(data, list) else [data]
    return "".join(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n" for row in rows)


def _is_figure(value: Any) -> bool:
    return isinstance(value, dict) and "value" in value and "unit" in value


def _columns(rows: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """(key, subkey) pairs: nested dicts are spread into key_subkey columns."""
    order: dict[str, list[str] | None] = {}
    for row in rows:
        for key, value in row.items():
            subkeys = order.setdefault(key, None)
            if isinstance(value, dict):
                merged = subkeys or []
                merged += [k for k in value if k not in merged]
                order[key] = merged
    columns: list[tuple[str, str | None]] = []
    for key, subkeys in order.items():
        if subkeys is None:
            columns.append((key, None))
        else:
            columns += [(key, sub) for sub in subkeys]
    return columns


def _column_name(key: str, sub: str | None, figure_like: bool) -> str:
    if sub is None or (figure_like and sub == "value"):
        return key
    return f"{key}_{sub}"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return ";".join(_cell(v) for v in value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render_csv(data: Payload) -> str:
    """One row per record; figures spread into gdp, gdp_unit, gdp_year, ... columns."""
    rows = data if isinstance(data, list) else [data]
    columns = _columns(rows)
    figure_keys = {key for row in rows for key, value in row.items() if _is_figure(value)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_column_name(key, sub, key in figure_keys) for key, sub in columns)
    for row in rows:
        cells = []
        for key, sub in columns:
            value = row.get(key)
            if sub is not None:
                value = value.get(sub) if isinstance(value, dict) else None
            cells.append(_cell(value))
        writer.writerow(cells)
    return out.getvalue()


def _md(text: str) -> str:
    return clean(text).replace("|", "\\|")


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
        align = {"left": ":---", "right": "---:", "center": ":---:"}
        lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align[c.justify] for c in table.columns) + " |"]
        lines += ["| " + " | ".join(_md(cell.text) for cell in row) + " |" for row in table.rows]
        parts.append("\n".join(lines) + "\n")
        if table.footnotes:
            parts.append("\n".join(f"_{_md(note)}_  " for note in table.footnotes) + "\n")
    return "\n".join(parts)
