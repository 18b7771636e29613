"""A region map's simplification is bounded work: a ring made so that Douglas-Peucker keeps
peeling one point at a time (a zigzag from one edge of the world to the other) would take it
hours on a 5 MB file. Such a ring is thinned to evenly spaced points instead."""

import json
import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from app.region_maps.geojson import THINNED_POINTS
from tests.web.pages import csrf_of

MAPS = "/statistics/maps"


def test_a_ring_the_simplification_cannot_reduce_is_thinned(
    pages_for: Callable[..., TestClient],
) -> None:
    points = 3 * THINNED_POINTS
    ring = [[-180 if i % 2 == 0 else 180, round(-89 + 178 * i / points, 4)] for i in range(points)]
    ring.append(ring[0])
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"ADM1_PCODE": "ML05"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    browser = pages_for(Role.ADMIN)
    fields = {
        "country": "ML",
        "code_property": "ADM1_PCODE",
        "name_property": "",
        "csrf_token": csrf_of(browser.get(MAPS).text),
    }
    files = {"file": ("admin1.geojson", json.dumps(document).encode())}
    assert browser.post(MAPS, data=fields, files=files).status_code == 303
    row = re.search(r'<table class="stats" id="maps">.*?</table>', browser.get(MAPS).text, re.S)
    assert row
    areas, vertices = map(int, re.findall(r'<td class="count">(\d+)</td>', row.group(0)))
    assert areas == 1 and 4 <= vertices <= THINNED_POINTS + 1
