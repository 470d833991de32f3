"""`pilot sources`: the sources, or one source with its URL and what cites it."""

from __future__ import annotations

from typing import Any

from pilotcli.view import MISSING, Cell, Column, Table, View, clean
from pilotcli.views.shared import safe_link


def _cited_text(record: dict[str, Any]) -> str:
    cities = record["cities"]
    programme = sum(1 for c in record["cited_by"] if c["city"] is None)
    parts = [", ".join(cities) if len(cities) <= 3 else f"{len(cities)} cities"] if cities else []
    if programme:
        parts.append("programme")
    return "; ".join(parts) or MISSING


def sources_view(records: list[dict[str, Any]], title: str) -> View:
    """`pilot sources`: one row per source; the title links to its URL on a terminal."""
    columns = [
        Column("id", no_wrap=True),
        Column("kind", no_wrap=True, drop=2),
        Column("date", no_wrap=True, drop=3),
        Column("publisher", drop=1),
        Column("title", min_width=20),
        Column("cited by", drop=4),
    ]
    rows = [
        [
            Cell(clean(r["id"])),
            Cell(clean(r["kind"] or MISSING), "dim"),
            Cell(clean(r["date"] or MISSING)),
            Cell(clean(r["publisher"])),
            Cell(clean(r["title"]), link=safe_link(r["url"])),
            Cell(clean(_cited_text(r)), "dim"),
        ]
        for r in records
    ]
    notes = ["pilot sources ID shows a source with its URL; on a terminal, titles are links"]
    table = Table(columns, rows, title=title, footnotes=notes)
    fields = ["id", "kind", "title", "publisher", "date", "url", "via", "note", "cities", "cited_by"]
    return View(records, [table] if records else [], [] if records else ["no source matches"], fields)


def source_view(record: dict[str, Any], width: int) -> View:
    """`pilot sources ID`: the source, its URL on a line of its own (never broken), what cites it."""
    import textwrap

    label = 11
    lines: list[list[tuple[str, str | None]]] = [[(f"[{record['id']}] ", "bold"), (record["title"], "bold")]]

    def field(name: str, text: str | None, style: str | None = None) -> None:
        if not text:
            return
        # A long word (a URL) gets a line of its own, whole, however wide.
        wrapped = textwrap.wrap(text, max(width - label, 20), break_long_words=False, break_on_hyphens=False)
        for n, part in enumerate(wrapped or [""]):
            lines.append([((name if n == 0 else "").ljust(label), "dim"), (part, style)])

    field("publisher", record["publisher"])
    field("kind", record["kind"])
    field("date", record["date"])
    for name in ("url", "via"):  # a URL: whole on its own line, a link on a terminal
        text = record[name]
        link = safe_link(text) if text and text.startswith(("http://", "https://")) else None
        if link:
            lines.append([(name.ljust(label), "dim"), (text, f"link {link}")])
        else:
            field(name, text)
    field("note", record["note"])
    by_city: dict[str, list[str]] = {}
    for citation in record["cited_by"]:
        by_city.setdefault(citation["city"] or "programme", []).append(citation["what"])
    field("cited by", "; ".join(f"{who}: {', '.join(what)}" for who, what in by_city.items()) or MISSING)
    fields = list(record)
    return View(record, [], [], fields, picture=[[(clean(text), style) for text, style in line] for line in lines])
