"""Reading an uploaded GeoJSON of a country's admin1 areas: what is accepted, and what is kept.

Accepted: a UTF-8 JSON FeatureCollection (RFC 7946) of at most `MAX_FILE_BYTES`, `MAX_AREAS`
features and `MAX_VERTICES` positions, each feature a Polygon or MultiPolygon of longitude and
latitude in degrees, with the property that holds its P-code (e.g. `ADM1_PCODE`) and, when one is
named, the property that holds its name (e.g. `ADM1_FR`). Anything else is refused naming the
field (`file`, `code_property` or `name_property`).

Kept: each area's code, name and rings, rounded to 4 decimals (about 11 m) and simplified
(Douglas-Peucker, to a thousandth of the country's extent: finer than the drawing shows). The file
is only parsed as data: nothing in it is followed (no `crs`, no link is fetched) or run.
"""

import json
import math
from dataclasses import dataclass
from typing import Any

from app.core.domain_errors import FieldProblem, InvalidFieldsError
from app.core.i18n import N_

MAX_FILE_BYTES = 5_000_000
MAX_AREAS = 1_000
MAX_VERTICES = 500_000
MAX_CODE_LENGTH = 20
MAX_NAME_LENGTH = 120
DECIMALS = 4
SIMPLIFY_FRACTION = 0.001  # of the larger side of the country's box
# Douglas-Peucker costs about n log n on a boundary, but n squared on a ring made so that each
# split peels off one point (hours for a 5 MB file): past this many steps per point, the ring is
# no boundary, and is thinned to evenly spaced points instead.
SIMPLIFY_STEPS_PER_POINT = 64
THINNED_POINTS = 1_000
GEOMETRIES = ("Polygon", "MultiPolygon")
NUMBER_TYPES = (int, float)

Ring = list[tuple[float, float]]
Polygon = list[Ring]


@dataclass(frozen=True)
class Area:
    code: str
    name: str | None
    polygons: list[Polygon]

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "polygons": self.polygons}


def _refuse(field: str, message: str, **values: object) -> InvalidFieldsError:
    return InvalidFieldsError(
        [FieldProblem(("body", field), message, values={k: str(v) for k, v in values.items()})]
    )


def read_areas(data: bytes, code_property: str, name_property: str | None) -> list[Area]:
    """The areas of an uploaded file, simplified; InvalidFieldsError naming the field otherwise."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse("file", N_("is larger than 5 MB"))
    if b"\x00" in data:
        raise _refuse("file", N_("must not contain a NUL character"))
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_constant=_no_constant)
    except UnicodeDecodeError as error:
        raise _refuse("file", N_("must be UTF-8 text")) from error
    except (ValueError, RecursionError) as error:
        raise _refuse("file", N_("must be a GeoJSON file (JSON text)")) from error
    features = _features(document)
    vertices = 0
    areas = []
    for index, feature in enumerate(features, start=1):
        polygons = _polygons(feature, index)
        vertices += sum(len(ring) for polygon in polygons for ring in polygon)
        if vertices > MAX_VERTICES:
            raise _refuse("file", N_("has more than {limit} points"), limit=MAX_VERTICES)
        properties = feature.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        code = _property(properties, code_property, "code_property", index, MAX_CODE_LENGTH)
        name = (
            _property(properties, name_property, "name_property", index, MAX_NAME_LENGTH)
            if name_property
            else None
        )
        areas.append(Area(code, name, polygons))
    codes = [area.code for area in areas]
    duplicate = next((code for code in codes if codes.count(code) > 1), None)
    if duplicate is not None:
        raise _refuse("code_property", N_("holds {code} for two areas"), code=duplicate)
    return _simplified(areas)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _features(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise _refuse("file", N_("must be a GeoJSON FeatureCollection"))
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise _refuse("file", N_("must hold at least one feature"))
    if len(features) > MAX_AREAS:
        raise _refuse("file", N_("has more than {limit} areas"), limit=MAX_AREAS)
    if not all(isinstance(f, dict) and f.get("type") == "Feature" for f in features):
        raise _refuse("file", N_("must hold only GeoJSON features"))
    return features


def _polygons(feature: dict[str, Any], index: int) -> list[Polygon]:
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in GEOMETRIES:
        raise _refuse(
            "file",
            N_("area {index}: must be a Polygon or a MultiPolygon, not {kind}"),
            index=index,
            kind=kind if isinstance(kind, str) else "null",
        )
    coordinates = geometry.get("coordinates")  # type: ignore[union-attr]
    parts = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(parts, list) or not parts:
        raise _refuse("file", N_("area {index}: has no coordinates"), index=index)
    return [_polygon(part, index) for part in parts]


def _polygon(rings: Any, index: int) -> Polygon:
    if not isinstance(rings, list) or not rings:
        raise _refuse("file", N_("area {index}: has a polygon without rings"), index=index)
    return [_ring(ring, index) for ring in rings]


def _ring(ring: Any, index: int) -> Ring:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _refuse("file", N_("area {index}: a ring needs at least 4 positions"), index=index)
    points = []
    for position in ring:
        # Exact types, written out: this loop sees every position of a 5 MB file. A bool is no
        # number here, and NaN or an infinity ("1e999") fails the range check.
        if type(position) is not list or len(position) < 2:
            raise _refuse("file", N_("area {index}: a position is not two numbers"), index=index)
        lon, lat = position[0], position[1]
        if type(lon) not in NUMBER_TYPES or type(lat) not in NUMBER_TYPES:
            raise _refuse("file", N_("area {index}: a position is not two numbers"), index=index)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise _refuse(
                "file",
                N_("area {index}: positions must be longitude and latitude in degrees"),
                index=index,
            )
        points.append((float(lon), float(lat)))
    return points


def _property(
    properties: dict[str, Any], name: str, field: str, index: int, max_length: int
) -> str:
    value = properties.get(name)
    text = (
        str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    )
    if not text:
        raise _refuse(field, N_("area {index} has no property {name}"), index=index, name=name)
    if len(text) > max_length:
        raise _refuse(
            field,
            N_("area {index}: {name} is longer than {limit} characters"),
            index=index,
            name=name,
            limit=max_length,
        )
    return text


def _simplified(areas: list[Area]) -> list[Area]:
    points = [p for area in areas for polygon in area.polygons for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    tolerance = max(max(lons) - min(lons), max(lats) - min(lats)) * SIMPLIFY_FRACTION
    return [
        Area(
            area.code,
            area.name,
            [[_simplify_ring(ring, tolerance) for ring in polygon] for polygon in area.polygons],
        )
        for area in areas
    ]


def _simplify_ring(ring: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker, iteratively (a ring may be long); a ring that would collapse is kept
    as it was, rounded, so that no area disappears from the map."""
    rounded = [(round(lon, DECIMALS), round(lat, DECIMALS)) for lon, lat in ring]
    # First drop the points within the tolerance of the last one kept (linear), so that the
    # Douglas-Peucker pass, quadratic at worst, runs on a few thousand points, not on 500,000.
    deduplicated = [rounded[0]]
    for point in rounded[1:-1]:
        if _distance(point, deduplicated[-1]) > tolerance:
            deduplicated.append(point)
    deduplicated.append(rounded[-1])
    if len(deduplicated) < 5:
        return rounded
    keep = [False] * len(deduplicated)
    keep[0] = keep[-1] = True
    # The first point is also the last: split the ring at its farthest point from it.
    start = deduplicated[0]
    far = max(range(len(deduplicated)), key=lambda i: _distance(deduplicated[i], start))
    keep[far] = True
    stack = [(0, far), (far, len(deduplicated) - 1)]
    budget = SIMPLIFY_STEPS_PER_POINT * len(deduplicated)
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        budget -= last - first
        if budget < 0:
            return _thinned(deduplicated)
        index, largest = _farthest(deduplicated, first, last)
        if largest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    kept = [p for p, k in zip(deduplicated, keep, strict=True) if k]
    return kept if len(kept) >= 4 else deduplicated


def _thinned(ring: Ring) -> Ring:
    """At most `THINNED_POINTS` evenly spaced points of the ring, closed as it was."""
    step = math.ceil((len(ring) - 1) / THINNED_POINTS)
    return [*ring[:-1:step], ring[-1]]


def _distance(p: tuple[float, float], q: tuple[float, float]) -> float:
    return math.hypot(p[0] - q[0], p[1] - q[1])


def _farthest(points: Ring, first: int, last: int) -> tuple[int, float]:
    """The point between `first` and `last` farthest from the line through them, and how far.
    Written out in one loop: this is where a large file spends its time."""
    (ax, ay), (bx, by) = points[first], points[last]
    dx, dy = bx - ax, by - ay
    norm = math.hypot(dx, dy)
    index, largest = first, -1.0
    for i in range(first + 1, last):
        px, py = points[i]
        if norm == 0:
            distance = math.hypot(px - ax, py - ay)
        else:
            distance = abs(dy * (px - ax) - dx * (py - ay)) / norm
        if distance > largest:
            index, largest = i, distance
    return index, largest
