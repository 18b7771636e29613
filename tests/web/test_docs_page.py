"""/docs: Swagger UI served by the application itself, under the pages' strict policy."""

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.web.rendering import PAGE_HEADERS

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def test_docs_page_loads_nothing_from_elsewhere_and_runs_no_inline_script(
    app: FastAPI, anonymous: TestClient
) -> None:
    response = anonymous.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == PAGE_HEADERS["Content-Security-Policy"]
    assert "script-src 'self';" in response.headers["content-security-policy"]
    html = response.text
    assert "http://" not in html and "https://" not in html and "//" not in html.replace("<!", "")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts and all(
        'src="/' in attributes and not body.strip() for attributes, body in scripts
    )
    assert "swagger-ui-bundle.js" in html


def test_docs_assets_are_served_by_the_application(app: FastAPI, anonymous: TestClient) -> None:
    assets = ASSET.findall(anonymous.get("/docs").text)
    assert len(assets) == 4  # icon, stylesheet, Swagger UI, the start-up script
    for path in assets:
        asset = anonymous.get(path)
        assert asset.status_code == 200, path
        assert len(asset.content) > 100, path
    bundle = anonymous.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in bundle.text
    # Nothing in the assets fetches a CDN by itself: the start-up script names no host.
    assert "http" not in anonymous.get("/static/docs.js").text
    assert anonymous.get("/openapi.json").json()["info"]["title"] == "crsv-registry"


def test_fastapi_s_cdn_pages_are_gone(app: FastAPI, anonymous: TestClient) -> None:
    assert anonymous.get("/redoc").status_code == 404
    assert "cdn.jsdelivr.net" not in anonymous.get("/docs").text
