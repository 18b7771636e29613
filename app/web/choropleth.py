"""Shading by region: steps for the table's cells, and the choropleth map drawn as SVG.

A figure is put in one of `STEPS` steps in proportion to the largest shown figure (0 has its own
step). A hidden figure (a suppression marker) gets the "withheld" step: a hatch, never a shade
that would imply a number. The numbers are always printed as well; the shading only helps.

The map projects longitude and latitude with a simple equirectangular projection (longitudes
shrunk by the cosine of the middle latitude, so the country keeps its shape) scaled to the box.
An area's figure is the statistics' region whose name (accents and case aside) is the area's
name, or else its P-code (for organisations that record regions by P-code).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from app.core.place_names import place_key
from app.stats.schemas import Count

STEPS = 4
WITHHELD = "withheld"
MAP_WIDTH = 640
MAP_HEIGHT = 480
PADDING = 8


def step_of(value: Count, largest: int) -> str:
    """The shading class's suffix: "0" to "4", or "withheld"."""
    if not isinstance(value, int):
        return WITHHELD
    if value <= 0 or largest <= 0:
        return "0"
    return str(max(1, math.ceil(STEPS * value / largest)))


def largest_shown(values: list[Count]) -> int:
    return max((value for value in values if isinstance(value, int)), default=0)


@dataclass(frozen=True)
class LegendStep:
    step: str
    low: int
    high: int


def legend(largest: int) -> list[LegendStep]:
    """Each step's range of figures: 0 alone, then four bands up to the largest."""
    steps = [LegendStep("0", 0, 0)]
    if largest <= 0:
        return steps
    for step in range(1, STEPS + 1):
        low = math.floor(largest * (step - 1) / STEPS) + 1
        high = math.floor(largest * step / STEPS)
        if low <= high:
            steps.append(LegendStep(str(step), low, high))
    return steps


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    path: str
    value: Count
    step: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class RegionMapDrawing:
    title: str
    areas: list[MapArea]
    legend: list[LegendStep]
    unmatched: list[tuple[str, Count]]  # regions in the figures that no area carries
    width: int
    height: int

    @property
    def any_withheld(self) -> bool:
        return any(area.step == WITHHELD for area in self.areas)


def draw_map(
    title: str, areas: list[dict[str, Any]], figures: Mapping[str, Count]
) -> RegionMapDrawing:
    """`areas` as stored (code, name, polygons); `figures`: {region as recorded: figure}."""
    by_key = {place_key(region): (region, value) for region, value in figures.items()}
    project, width, height = _projection(areas)
    drawn = []
    matched: set[str] = set()
    for area in areas:
        name = area["name"] or area["code"]
        found = by_key.get(place_key(name)) or by_key.get(place_key(area["code"]))
        value: Count = 0
        if found is not None:
            matched.add(found[0])
            value = found[1]
        rings = [[project(lon, lat) for lon, lat in ring] for p in area["polygons"] for ring in p]
        path = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + " Z" for ring in rings
        )
        label_x, label_y = _label_point(rings)
        drawn.append(MapArea(area["code"], name, path, value, "", label_x, label_y))
    largest = largest_shown([area.value for area in drawn])
    shaded = [
        MapArea(a.code, a.name, a.path, a.value, step_of(a.value, largest), a.label_x, a.label_y)
        for a in drawn
    ]
    unmatched = [(region, value) for region, value in figures.items() if region not in matched]
    return RegionMapDrawing(title, shaded, legend(largest), unmatched, width, height)


def _projection(areas: list[dict[str, Any]]) -> Any:
    points = [
        pt for area in areas for polygon in area["polygons"] for ring in polygon for pt in ring
    ]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    shrink = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * shrink, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = min((MAP_WIDTH - 2 * PADDING) / span_x, (MAP_HEIGHT - 2 * PADDING) / span_y)
    width = math.ceil(span_x * scale + 2 * PADDING)
    height = math.ceil(span_y * scale + 2 * PADDING)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return PADDING + (lon - west) * shrink * scale, PADDING + (north - lat) * scale

    return project, width, height


def _label_point(rings: list[list[tuple[float, float]]]) -> tuple[float, float]:
    """The middle of the largest ring's box: where the area's figure is written."""
    largest = max(rings, key=lambda ring: abs(_area(ring)))
    xs, ys = [x for x, _ in largest], [y for _, y in largest]
    return round((min(xs) + max(xs)) / 2, 1), round((min(ys) + max(ys)) / 2, 1)


def _area(ring: list[tuple[float, float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2
