"""Derive the packaged land outline, src/pilotcli/data/land.json, for `pilot map`.

Input: a JSON file of land outer rings, {"rings": [[[lon, lat], ...], ...]}, taken
from Natural Earth's 1:110m Admin 0 countries layer (public domain); the copy
used is `land-east-asia.json` (the rings of every polygon touching 70-140°E,
15-56°N, from geopandas 0.14.4's `naturalearth_lowres`, country attributes
dropped). Output: the rings clipped to the map box, coordinates rounded to 0.1°,
one ring per line. The output is deterministic: running the script twice on
the same input gives the same bytes.

    python scripts/make_land.py [INPUT] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = Path("/work/shared/data/land-east-asia.json")
DEFAULT_OUTPUT = ROOT / "src" / "pilotcli" / "data" / "land.json"

BOX = (97.0, 17.0, 127.0, 45.0)
"""west, south, east, north: every pilot city, Chengdu (104°E) to Shenyang (42°N), with margin."""

Point = tuple[float, float]


def clip(ring: list[Point], box: tuple[float, float, float, float]) -> list[Point]:
    """Sutherland-Hodgman: the ring cut to the box (edges along the box where it was cut)."""
    west, south, east, north = box
    # Each side of the box: (axis, limit, whether the inside is above the limit).
    sides = ((0, west, True), (0, east, False), (1, south, True), (1, north, False))
    points = ring
    for axis, limit, above in sides:
        if not points:
            break

        def inside(p: Point, axis: int = axis, limit: float = limit, above: bool = above) -> bool:
            return p[axis] >= limit if above else p[axis] <= limit

        def cross(a: Point, b: Point, axis: int = axis, limit: float = limit) -> Point:
            return _at_x(a, b, limit) if axis == 0 else _at_y(a, b, limit)

        result: list[Point] = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    result.append(cross(previous, current))
                result.append(current)
            elif inside(previous):
                result.append(cross(previous, current))
            previous = current
        points = result
    return points


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def rounded(ring: list[Point]) -> list[Point]:
    """Coordinates to 0.1°, without repeated or collinear-on-the-box points."""
    points: list[Point] = []
    for lon, lat in ring:
        point = (round(lon, 1) + 0.0, round(lat, 1) + 0.0)  # + 0.0 turns -0.0 into 0.0
        if not points or points[-1] != point:
            points.append(point)
    while len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return points


def area(ring: list[Point]) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def derive(source: dict[str, object]) -> dict[str, object]:
    raw_rings = source["rings"]
    assert isinstance(raw_rings, list)
    rings: list[list[Point]] = []
    for raw in raw_rings:
        ring = rounded(clip([(float(lon), float(lat)) for lon, lat in raw], BOX))
        if len(ring) >= 3 and area(ring) >= 0.01:
            rings.append(ring)
    west, south, east, north = BOX
    return {
        "source": (
            "Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries (public domain), naturalearthdata.com; "
            "the copy shipped in the geopandas 0.14.4 wheel (geopandas/datasets/naturalearth_lowres)"
        ),
        "derived": (
            "outer rings of the land polygons only (no country attributes, so no borders: land and sea), "
            f"clipped to lon {west:g}-{east:g}, lat {south:g}-{north:g} (Sutherland-Hodgman), "
            "coordinates rounded to 0.1 degree, rings under 0.01 square degree dropped; by scripts/make_land.py"
        ),
        "bbox": [west, south, east, north],
        "rings": rings,
    }


def dumps(land: dict[str, object]) -> str:
    """Compact JSON with one ring per line, so that a change shows as a readable diff."""
    rings = land["rings"]
    assert isinstance(rings, list)
    lines = ["{"]
    lines += [
        f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in land.items() if key != "rings"
    ]
    lines.append(' "rings": [')
    last = len(rings) - 1
    lines += [f"  {json.dumps(ring, separators=(',', ':'))}{',' if i < last else ''}" for i, ring in enumerate(rings)]
    lines.append(" ]\n}\n")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("input", nargs="?", type=Path, default=DEFAULT_INPUT, help="land rings (lon, lat) as JSON")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the packaged file")
    args = parser.parse_args(argv)
    land = derive(json.loads(args.input.read_text(encoding="utf-8")))
    text = dumps(land)
    json.loads(text)  # the hand-made layout is still valid JSON
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    rings = land["rings"]
    assert isinstance(rings, list)
    print(f"wrote {args.output}: {len(rings)} rings, {sum(len(r) for r in rings)} points, {len(text):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
