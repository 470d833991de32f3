"""`pilot measures`: the opening measures, or one measure field by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pilotcli.dataset import Catalog
from pilotcli.measures import RECORD_KEYS
from pilotcli.view import MISSING, Cell, Column, Table, View, clean
from pilotcli.views.shared import safe_link

SCOPE_WORDS = {"all": "all pilot areas", "qualifying": "qualifying areas"}


def scope_text(catalog: Catalog, record: dict[str, Any], *, names: int = 3) -> str:
    """'all pilot areas', 'qualifying areas', up to `names` city names, else 'N cities'."""
    if record["scope"] in SCOPE_WORDS:
        return SCOPE_WORDS[record["scope"]]
    cities = [catalog.cities[c].name if c in catalog.cities else c for c in record["cities"]]
    return ", ".join(cities) if len(cities) <= names else f"{len(cities)} {'city' if len(cities) == 1 else 'cities'}"


def measures_view(catalog: Catalog, records: list[dict[str, Any]], title: str) -> View:
    """`pilot measures`: one row per measure, the title wrapped; ids and sectors break at hyphens."""

    def tables() -> list[Table]:
        columns = [
            # At 80 columns the sectors give way (said in a line) so that a title keeps 36 cells:
            # the list stays about half as tall.
            Column("id", min_width=18, max_width=20, hyphens=True),
            Column("date", no_wrap=True),
            Column("sectors", drop=1, max_width=15, hyphens=True),
            Column("scope", max_width=16),
            Column("title", min_width=36),
        ]
        rows = [
            [
                Cell(clean(r["id"])),
                Cell(clean(r["date"] or MISSING)),
                Cell(
                    clean(", ".join(r["sectors"]) if len(r["sectors"]) <= 3 else f"{len(r['sectors'])} sectors"), "dim"
                ),
                Cell(clean(scope_text(catalog, r))),
                Cell(clean(r["title"] + ("" if r["status"] == "in-force" else f" ({r['status']})"))),
            ]
            for r in records
        ]
        notes = ["pilot measures ID shows a measure: summary, cities, document, sources"]
        return [Table(columns, rows, title=title, footnotes=notes)]

    notes = [] if records else ["no measure matches these filters"]
    return View(records, tables if records else [], notes, list(RECORD_KEYS))


def measure_view(catalog: Catalog, record: dict[str, Any], width: int) -> View:
    """`pilot measures ID`: the measure field by field, its sources with their URLs (links)."""
    label = 12
    heading = wrap_cells(f"[{record['id']}] {record['title']}", max(width, 20))
    lines: list[list[tuple[str, str | None]]] = [[(part, "bold")] for part in heading]

    def field(name: str, text: str | None, style: str | None = None) -> None:
        for n, part in enumerate(wrap_cells(text, max(width - label, 20)) if text else []):
            lines.append([((name if n == 0 else "").ljust(label), "dim"), (part, style)])

    field("", record["title_zh"])
    field("summary", record["summary"])
    field("sectors", ", ".join(record["sectors"]))
    field("kind", record["kind"])
    cities = [catalog.cities[c].name for c in record["applies_to"] if c in catalog.cities]
    scope = scope_text(catalog, record, names=0)
    field("scope", scope if record["scope"] != "cities" else f"{scope}: {', '.join(cities)}")
    field("zone", record["zone"])
    field("document", " ".join(t for t in (record["document"], record["document_title"]) if t) or MISSING)
    field("date", record["date"] or MISSING)
    field("status", record["status"] + (f" since {record['status_date']}" if record["status_date"] else ""))
    field("creates", _creates_text(record))
    field("confidence", record["confidence"])
    field("note", record["note"])
    for n, source in enumerate(record["sources"]):
        _source_lines(lines, source, "sources" if n == 0 else "", label, width)
    picture = [[(clean(text), style) for text, style in line] for line in lines]
    return View(record, [], [], [*RECORD_KEYS, "sources"], picture=picture)


def _creates_text(record: dict[str, Any]) -> str | None:
    key = record["creates"]
    if key is None:
        return None
    elsewhere = "'no' in the other areas" if record["list_complete"] else "unknown elsewhere (no complete list)"
    return f"{key}: 'yes' in these cities, {elsewhere}"


def _source_lines(
    lines: list[list[tuple[str, str | None]]], source: dict[str, Any], name: str, label: int, width: int
) -> None:
    """A source: [id] title; publisher, kind, date; its URL whole on a line of its own (a link)."""
    about = ", ".join(str(v) for v in (source["publisher"], source.get("kind"), source["date"]) if v)
    for n, part in enumerate(wrap_cells(f"[{source['id']}] {source['title']}", max(width - label, 20))):
        lines.append([((name if n == 0 else "").ljust(label), "dim"), (part, None)])
    for part in wrap_cells(about, max(width - label - 2, 20)):
        lines.append([(" " * (label + 2), None), (part, "dim")])
    for key in ("url", "via"):  # whole on a line of its own, however wide: a link on a terminal
        link = safe_link(source.get(key))
        if link and link.startswith(("http://", "https://")):
            lines.append([(" " * (label + 2) + ("via " if key == "via" else ""), "dim"), (link, f"link {link}")])


def wrap_cells(text: str, width: int) -> list[str]:
    """Text in lines of at most `width` terminal cells (a Chinese character takes two), broken at
    spaces, and inside a run of wide characters where it must; a long URL stays whole."""
    import unicodedata

    def cells(word: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in word)

    lines: list[str] = []
    line = ""
    for word in text.split():
        while cells(word) > width and not word.startswith(("http://", "https://")):
            room = width - cells(line) - (1 if line else 0)
            head = _cut(word, room, cells) if room > 0 else ""
            if not head:
                lines.append(line)
                line = ""
                continue
            lines.append(f"{line} {head}" if line else head)
            line, word = "", word[len(head) :]
        if line and cells(line) + 1 + cells(word) > width:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def _cut(word: str, room: int, cells: Callable[[str], int]) -> str:
    """The longest start of `word` that takes at most `room` cells."""
    end = 0
    while end < len(word) and cells(word[: end + 1]) <= room:
        end += 1
    return word[:end]
