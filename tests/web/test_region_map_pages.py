"""Region maps: an organisation uploads a GeoJSON of a country's admin1 areas (refused by field
when it is not one), and the trends page draws its regions shaded by their figures, another
organisation's small counts hatched as withheld, never shaded as a number."""

import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any
from xml.etree import ElementTree

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import NGO, create_incident
from tests.web.pages import csrf_of, field_errors, web_client

WRITER = Role.REPORT_WRITER
ADVISER = Role.PROTECTION_ADVISER
ADMIN = Role.ADMIN
CONSENTING = {"sex": "female", "age": 25, "consent": {"statistics": True}}
MAPS = "/statistics/maps"
SVG = "{http://www.w3.org/2000/svg}"


def _square(west: float, south: float, size: float = 2.0) -> list[list[float]]:
    east, north = west + size, south + size
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def _feature(code: str, name: str, ring: list[list[float]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"ADM1_PCODE": code, "ADM1_FR": name, **extra},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _mali(**changes: Any) -> dict[str, Any]:
    """Four regions as squares (enough to be a map), with a foreign member and a link."""
    return {
        "type": "FeatureCollection",
        "crs": {"type": "link", "properties": {"href": "http://example.invalid/crs"}},
        "features": [
            _feature("ML05", "Mopti", _square(-5, 14)),
            _feature("ML07", "Gao", _square(-1, 15), note="<script>alert(1)</script>"),
            _feature("ML06", "Tombouctou", _square(-5, 16)),
            {
                "type": "Feature",
                "properties": {"ADM1_PCODE": "ML04", "ADM1_FR": "Ségou"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[_square(-8, 13)], [_square(-6, 12, 0.5)]],
                },
            },
        ],
        **changes,
    }


def _upload(
    browser: TestClient,
    content: bytes | dict[str, Any],
    country: str = "ML",
    code_property: str = "ADM1_PCODE",
    name_property: str = "ADM1_FR",
) -> Any:
    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    fields = {
        "country": country,
        "code_property": code_property,
        "name_property": name_property,
        "csrf_token": csrf_of(browser.get(MAPS).text),
    }
    return browser.post(MAPS, data=fields, files={"file": ("admin1.geojson", data)})


def _areas(page: str) -> dict[str, dict[str, str]]:
    """{area name: its attributes} from the map's SVG, parsed as XML."""
    found = re.search(r'<figure [^>]*id="region-map">\s*(<svg .*?</svg>)', page, re.S)
    assert found, "no map on the page"
    svg = ElementTree.fromstring(found.group(1))
    return {path.get("data-name", ""): dict(path.attrib) for path in svg.iter(f"{SVG}path")}


def _record(client: TestClient, count: int, admin1: str) -> None:
    for _ in range(count):
        create_incident(client, admin1=admin1, victims=[CONSENTING])


def test_an_uploaded_map_draws_each_region_shaded_by_its_figure(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 8, "Mopti")
    _record(client, 2, "Gao")
    _record(client, 4, "Segou")  # recorded without its accent: still Ségou's
    _record(client, 1, "Kidal")  # no area on the map: said so under it
    saved = _upload(pages_for(ADVISER), _mali())
    assert saved.status_code == 303 and saved.headers["location"] == f"{MAPS}?saved=ML"
    page = pages_for(WRITER).get("/statistics/trends?country=ml").text
    areas = _areas(page)
    assert {name: (a["data-code"], a["data-value"]) for name, a in areas.items()} == {
        "Mopti": ("ML05", "8"),
        "Gao": ("ML07", "2"),
        "Tombouctou": ("ML06", "0"),
        "Ségou": ("ML04", "4"),
    }
    steps = {name: a["class"] for name, a in areas.items()}
    assert steps == {
        "Mopti": "area shade-4",
        "Gao": "area shade-1",
        "Tombouctou": "area shade-0",
        "Ségou": "area shade-2",
    }
    # Ségou's two polygons are one area; the projection keeps every point inside the box.
    assert areas["Ségou"]["d"].count("M") == 2
    assert "Regions in the figures that are on no area of the map: Kidal (1)." in page
    assert "Incidents reported by region, ML" in page
    # Nothing but codes, names and rings was kept from the file.
    assert "<script>" not in page and "example.invalid" not in page
    shaded = pages_for(WRITER).get("/statistics/trends?country=ML&shade_by=victims_verified")
    assert {a["class"] for a in _areas(shaded.text).values()} == {"area shade-0"}


def test_another_organisations_small_count_is_hatched_on_the_map_never_shaded(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 30, "Mopti")
    _record(client, 2, "Gao")
    assert _upload(pages_for(ADVISER, organisation=NGO), _mali()).status_code == 303
    page = pages_for(WRITER, organisation=NGO).get("/statistics/trends?country=ML").text
    gao = _areas(page)["Gao"]
    assert gao["class"] == "area shade-withheld" and gao["fill"] == "url(#map-hatch)"
    assert gao["data-value"] == "<5"
    assert "withheld (a small count of other organisations' data)" in unescape(page)
    assert abs(int(_areas(page)["Mopti"]["data-value"]) - 30) <= 2
    # The mission, which uploaded no map, sees the table only, not the other's boundaries.
    own = pages_for(WRITER).get("/statistics/trends?country=ML").text
    assert 'id="region-map"' not in own and "No map: your organisation" in own


def test_the_maps_page_lists_the_upload_and_simplifies_a_detailed_boundary(
    client: TestClient,
    pages_for: Callable[..., TestClient],
    client_for: Callable[..., TestClient],
) -> None:
    # A square traced with 4,000 points, nearly all on its straight sides.
    side = [[-5 + i / 500, 14.0] for i in range(1000)]
    detailed = [
        *side,
        *[[-3.0, 14 + i / 500] for i in range(1000)],
        *[[-3 - i / 500, 16.0] for i in range(1000)],
        *[[-5.0, 16 - i / 500] for i in range(1000)],
        [-5.0, 14.0],
    ]
    document = {"type": "FeatureCollection", "features": [_feature("ML05", "Mopti", detailed)]}
    browser = pages_for(ADMIN)
    assert _upload(browser, document).status_code == 303
    page = browser.get(f"{MAPS}?saved=ML").text
    assert "The map of ML is saved." in page
    row = re.search(r'<table class="stats" id="maps">.*?</table>', page, re.S)
    assert row and re.findall(r'<td class="count">(\d+)</td>', row.group(0)) == ["1", "5"]
    # A new file replaces the map; both are in the audit trail, by field name only.
    assert _upload(browser, _mali()).status_code == 303
    assert '<td class="count">4</td>' in browser.get(MAPS).text
    events = client_for(ADMIN).get("/api/v1/audit").json()["items"]
    uploads = sorted(e["action"] for e in events if e["action"].startswith("region_map."))
    assert uploads == ["region_map.create", "region_map.replace"]
    assert "Mopti" not in str(events)


def test_a_file_that_is_not_a_region_map_is_refused_naming_the_field(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    point = _mali()
    point["features"][1]["geometry"] = {"type": "Point", "coordinates": [0, 15]}
    nan = json.dumps(_mali()).replace("[-5, 14]", "[NaN, 14]", 1).encode()
    huge = b" " * 5_010_000 + json.dumps(_mali()).encode()
    too_many_points = json.dumps(
        {"type": "FeatureCollection", "features": [_feature("ML05", "Mopti", [[1, 1]] * 500_004)]}
    ).encode()
    refusals = {
        "wrong geometry": (point, "area 2: must be a Polygon or a MultiPolygon, not Point"),
        "a single feature": (_mali()["features"][0], "must be a GeoJSON FeatureCollection"),
        "not JSON": (b"<svg onload='x'/>", "must be a GeoJSON file (JSON text)"),
        "NaN": (nan, "must be a GeoJSON file (JSON text)"),
        "NUL bytes": (b'{"type": "FeatureCollection\x00"}', "must not contain a NUL character"),
        "not UTF-8": (b'{"type": "\xff"}', "must be UTF-8 text"),
        "huge": (huge, "is larger than 5 MB"),
        "too many points": (too_many_points, "has more than 500000 points"),
    }
    for what, (content, message) in refusals.items():
        response = _upload(browser, content)
        assert response.status_code == 422, what
        assert field_errors(response.text) == {"file": message}, what
    missing = _upload(browser, _mali(), code_property="PCODE")
    assert field_errors(missing.text) == {"code_property": "area 1 has no property PCODE"}
    twice = _mali()
    twice["features"][1]["properties"]["ADM1_PCODE"] = "ML05"
    assert field_errors(_upload(browser, twice).text) == {
        "code_property": "holds ML05 for two areas"
    }
    country = _upload(browser, _mali(), country="XX")
    assert country.status_code == 422 and set(field_errors(country.text)) == {"country"}
    # Nothing was saved by any of them.
    assert 'id="maps"' not in browser.get(MAPS).text


def test_a_body_past_the_uploads_limit_is_refused_before_it_is_read(
    app: FastAPI, client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    response = _upload(pages_for(ADVISER), b" " * 6_000_000)
    assert response.status_code == 413
    # The larger limit is for signed-in users: anyone else gets the ordinary one (1 MiB).
    anonymous = web_client(app)
    files = {"file": ("a.geojson", b" " * 2_000_000)}
    assert anonymous.post(MAPS, data={"country": "ML"}, files=files).status_code == 413


def test_report_writers_read_the_map_but_do_not_upload_one(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    writer = pages_for(WRITER)
    assert writer.get(MAPS).status_code == 403
    adviser = pages_for(ADVISER)
    token = csrf_of(adviser.get(MAPS).text)
    refused = writer.post(
        MAPS,
        data={"csrf_token": token, "country": "ML", "code_property": "ADM1_PCODE"},
        files={"file": ("a.geojson", json.dumps(_mali()).encode())},
    )
    assert refused.status_code == 403


def test_the_upload_page_in_french(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER, language="fr")
    page = browser.get(MAPS).text
    assert "<h1>Cartes des régions</h1>" in page
    point = _mali()
    point["features"][0]["geometry"] = {"type": "LineString", "coordinates": [[0, 1], [1, 1]]}
    refused = _upload(browser, point)
    assert field_errors(refused.text) == {
        "file": "zone 1 : doit être un Polygon ou un MultiPolygon, pas LineString"
    }
