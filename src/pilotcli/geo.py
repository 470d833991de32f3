"""Map geometry for `pilot map`: land outline, projection, rasterisation, markers, labels.

Pure: nothing here prints or knows about colours. The land outline is Natural
Earth's 1:110m land (public domain) clipped to the map box, shipped as
`pilotcli/data/land.json` (see scripts/make_land.py) and read on first use.
It tells land from sea only: no borders are drawn.

The projection is equirectangular with the longitudes scaled by the cosine of
the middle latitude, on a grid of Unicode braille cells (2 x 4 dots per
character cell, dots about square in a usual terminal font).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import NamedTuple

Ring = tuple[tuple[float, float], ...]

BRAILLE_BASE = 0x2800
_BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""The braille dot bits by (dot row, dot column) inside a cell."""


class Box(NamedTuple):
    west: float
    south: float
    east: float
    north: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


class Land(NamedTuple):
    box: Box
    rings: tuple[Ring, ...]
    source: str
    derived: str

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point is on land (inside any ring, even-odd rule)."""
        return any(_in_ring(ring, lon, lat) for ring in self.rings)


def _in_ring(ring: Ring, x: float, y: float) -> bool:
    inside = False
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 <= y < y2 or y2 <= y < y1) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        x1, y1 = x2, y2
    return inside


@cache
def land() -> Land:
    """The packaged land outline, read once per process."""
    text = resources.files("pilotcli").joinpath("data", "land.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    west, south, east, north = (float(v) for v in raw["bbox"])
    rings = tuple(tuple((float(lon), float(lat)) for lon, lat in ring) for ring in raw["rings"])
    return Land(Box(west, south, east, north), rings, str(raw["source"]), str(raw["derived"]))


# --- Projection -----------------------------------------------------------------------


class Grid(NamedTuple):
    """A box of the earth drawn on `cols` x `rows` character cells of 2 x 4 dots."""

    box: Box
    cols: int
    rows: int

    @property
    def dots_x(self) -> int:
        return self.cols * 2

    @property
    def dots_y(self) -> int:
        return self.rows * 4

    def dot(self, lon: float, lat: float) -> tuple[float, float]:
        """The point in dot units: x to the right from the west edge, y down from the north edge."""
        x = (lon - self.box.west) / (self.box.east - self.box.west) * self.dots_x
        y = (self.box.north - lat) / (self.box.north - self.box.south) * self.dots_y
        return x, y

    def cell(self, lon: float, lat: float) -> tuple[int, int] | None:
        """The (col, row) of the character cell holding the point; None outside the box."""
        if not self.box.contains(lon, lat):
            return None
        x, y = self.dot(lon, lat)
        return min(int(x // 2), self.cols - 1), min(int(y // 4), self.rows - 1)


def around(points: Sequence[tuple[float, float]], limit: Box, margin: float = 2.5, least: float = 8.0) -> Box:
    """The box around these (lon, lat) points with a margin, at least `least` degrees each way,
    inside `limit` (the land drawn): the map zooms to the cities it shows."""
    lons = [lon for lon, _ in points] or [limit.west, limit.east]
    lats = [lat for _, lat in points] or [limit.south, limit.north]

    def span(low: float, high: float, floor: float, ceiling: float) -> tuple[float, float]:
        low, high = low - margin, high + margin
        if high - low < least:
            middle = (low + high) / 2
            low, high = middle - least / 2, middle + least / 2
        return max(floor, low), min(ceiling, high)

    west, east = span(min(lons), max(lons), limit.west, limit.east)
    south, north = span(min(lats), max(lats), limit.south, limit.north)
    return Box(west, south, east, north)


def grid_for(box: Box, cols: int, max_rows: int | None = None) -> Grid:
    """The grid `cols` wide (narrower if it would be over `max_rows` tall) that keeps the box's shape."""
    grid = _grid(box, cols)
    while max_rows is not None and grid.rows > max_rows and grid.cols > 20:
        grid = _grid(box, grid.cols - 2)
    return grid


def _grid(box: Box, cols: int) -> Grid:
    """A grid `cols` wide whose height keeps the box's shape (cos(latitude) correction)."""
    middle = math.radians((box.north + box.south) / 2)
    aspect = (box.north - box.south) / ((box.east - box.west) * math.cos(middle))
    rows = max(1, round(cols * 2 * aspect / 4))  # dots are square: 2 across, 4 down per cell
    return Grid(box, max(1, cols), rows)


# --- Rasterisation ------------------------------------------------------------------------


def land_dots(grid: Grid, rings: Iterable[Ring]) -> list[bytearray]:
    """One bytearray per dot row, 1 where the dot's centre is on land.

    A scanline fill: each edge adds its crossing to the dot rows it spans, then
    each ring's crossings pair up into land spans (even-odd rule per ring, union
    over the rings, so land shared by two rings has no seam).
    """
    dots = [bytearray(grid.dots_x) for _ in range(grid.dots_y)]
    for ring in rings:
        crossings: dict[int, list[float]] = {}
        points = [grid.dot(lon, lat) for lon, lat in ring]
        x1, y1 = points[-1]
        for x2, y2 in points:
            if y1 != y2:
                low, high = (y1, y2) if y1 < y2 else (y2, y1)
                # Dot rows whose centre j + 0.5 lies in [low, high).
                first = max(0, math.ceil(low - 0.5))
                last = min(grid.dots_y, math.ceil(high - 0.5))
                slope = (x2 - x1) / (y2 - y1)
                for j in range(first, last):
                    crossings.setdefault(j, []).append(x1 + (j + 0.5 - y1) * slope)
            x1, y1 = x2, y2
        for j, xs in crossings.items():
            xs.sort()
            row = dots[j]
            for k in range(0, len(xs) - 1, 2):
                start = max(0, math.ceil(xs[k] - 0.5))
                stop = min(grid.dots_x, math.ceil(xs[k + 1] - 0.5))
                if stop > start:
                    row[start:stop] = b"\x01" * (stop - start)
    return dots


def outline(dots: Sequence[bytearray]) -> list[bytes]:
    """Land drawn light: every coast dot, and one dot in four inside (a stipple).

    A coast dot is a land dot with sea to its left, right, top or bottom; the
    map's edges count as land, so the box is not drawn as a coast. The rows
    are handled as integers with one byte per dot, so each step is one
    operation per row.
    """
    if not dots:
        return []
    size = len(dots[0])
    ones = int.from_bytes(b"\x01" * size, "little")
    first, last = 1, 1 << (8 * (size - 1))
    stipple = int.from_bytes(b"\x01\x00" * (size // 2) + b"\x01" * (size % 2), "little")
    rows = [int.from_bytes(row, "little") for row in dots]
    result: list[bytes] = []
    for y, row in enumerate(rows):
        above = rows[y - 1] if y > 0 else ones
        below = rows[y + 1] if y + 1 < len(rows) else ones
        inside = row & above & below & ((row << 8) & ones | first) & (row >> 8 | last)
        drawn = (row ^ inside) | (inside & stipple if y % 2 == 0 else 0)
        result.append(drawn.to_bytes(size, "little"))
    return result


_BRAILLE_CHARS = {code: chr(BRAILLE_BASE + code) for code in range(1, 256)} | {0: " "}


def braille(grid: Grid, dots: Sequence[bytes | bytearray]) -> list[str]:
    """The dot rows as braille characters, one string per cell row; empty cells are spaces."""
    lines: list[str] = []
    for r in range(grid.rows):
        code = 0
        for k, (left, right) in enumerate(_BRAILLE_BITS):
            row = bytes(dots[r * 4 + k])
            # One byte per cell: the left and right dots of this dot row as their braille bits.
            code |= int.from_bytes(row[0::2].translate(_WEIGHTS[left]), "little")
            code |= int.from_bytes(row[1::2].translate(_WEIGHTS[right]), "little")
        lines.append(code.to_bytes(grid.cols, "little").decode("latin-1").translate(_BRAILLE_CHARS))
    return lines


_WEIGHTS = {bit: bytes([0, bit]) + bytes(254) for pair in _BRAILLE_BITS for bit in pair}


def land_picture(grid: Grid) -> list[str]:
    """The land of the grid's box as rows of braille characters: coasts and a light stipple, sea blank."""
    return braille(grid, outline(land_dots(grid, land().rings)))


# --- Markers and labels ----------------------------------------------------------------------


class Point(NamedTuple):
    key: str
    lon: float
    lat: float


def place_markers(grid: Grid, points: Sequence[Point]) -> dict[str, tuple[int, int] | None]:
    """Each point's cell; a point whose cell is taken moves to the nearest free cell.

    Points outside the box get None. No two markers share a cell, so no marker
    ever hides another.
    """
    taken: set[tuple[int, int]] = set()
    placed: dict[str, tuple[int, int] | None] = {}
    for point in points:
        cell = grid.cell(point.lon, point.lat)
        if cell is not None and cell in taken:
            cell = _nearest_free(grid, point, taken)
        if cell is not None:
            taken.add(cell)
        placed[point.key] = cell
    return placed


def _nearest_free(grid: Grid, point: Point, taken: set[tuple[int, int]]) -> tuple[int, int] | None:
    x, y = grid.dot(point.lon, point.lat)
    best: tuple[float, tuple[int, int]] | None = None
    for radius in range(1, 4):
        for row in range(int(y // 4) - radius, int(y // 4) + radius + 1):
            for col in range(int(x // 2) - radius, int(x // 2) + radius + 1):
                if 0 <= col < grid.cols and 0 <= row < grid.rows and (col, row) not in taken:
                    # Distance in dots from the true position to the cell's centre.
                    distance = math.hypot(col * 2 + 1 - x, row * 4 + 2 - y)
                    if best is None or distance < best[0]:
                        best = (distance, (col, row))
        if best is not None:
            return best[1]
    return None


class Label(NamedTuple):
    key: str
    text: str
    col: int
    row: int
    """Where the text starts: a blank cell is kept free on both sides of it."""

    @property
    def end(self) -> int:
        return self.col + len(self.text)


def place_labels(
    grid: Grid,
    markers: Mapping[str, tuple[int, int]],
    texts: Mapping[str, Sequence[str]],
) -> dict[str, Label]:
    """Labels next to their markers, never over a marker or another label.

    `texts` gives each key's labels, preferred first (a name, then a short
    number). A label goes to the right of its marker, else to its left, else
    on the row above or below; each try runs for every marker before the next
    (so a label in a crowded place does not push out a neighbour's first
    choice). A marker whose labels all fail has none: the legend names it.
    Texts are measured in characters: callers pass single-width text.
    """
    marker_cells = set(markers.values())
    used: dict[int, list[tuple[int, int]]] = {}  # row -> [(start, end)] of label texts
    labels: dict[str, Label] = {}

    def fits(row: int, start: int, end: int) -> bool:
        if row < 0 or row >= grid.rows or start < 0 or end > grid.cols:
            return False
        # The text and one blank cell on each side must be free of markers and other labels.
        if any((col, row) in marker_cells for col in range(start - 1, end + 1)):
            return False
        return all(end < a or start > b for a, b in used.get(row, []))

    def positions(col: int, row: int, length: int) -> list[list[tuple[int, int]]]:
        return [
            [(row, col + 2), (row, col - 1 - length)],
            [(row - 1, col - length // 2), (row + 1, col - length // 2)],
            [(row - 1, col + 1), (row + 1, col + 1), (row - 1, col - length), (row + 1, col - length)],
        ]

    def passes() -> Iterable[tuple[int, int]]:
        most = max((len(t) for t in texts.values()), default=0)
        for text_index in range(most):
            for tier in range(3):
                yield text_index, tier

    for text_index, tier in passes():
        for key, (col, row) in markers.items():
            options = texts.get(key, ())
            if key in labels or text_index >= len(options):
                continue
            text = options[text_index]
            for label_row, start in positions(col, row, len(text))[tier]:
                if fits(label_row, start, start + len(text)):
                    labels[key] = Label(key, text, start, label_row)
                    used.setdefault(label_row, []).append((start, start + len(text)))
                    break
    return labels
