"""The interactive API documentation (Swagger UI), served whole by the application.

FastAPI's own `/docs` loads Swagger UI from a CDN and starts it with an inline script: a page where
people type their password would then run whatever that CDN serves, and could not have the strict
Content-Security-Policy of the other pages. Here the assets come from the `fastapi-offline`
package, the start-up script is a file of ours, and the page gets the same headers as every other.
"""

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.web.rendering import PAGE_HEADERS, environment

router = APIRouter(include_in_schema=False)

SWAGGER_UI_DIR = Path(fastapi_offline.__file__).parent / "static"
SWAGGER_UI_PREFIX = "/static/swagger-ui"


@router.get("/docs")
def api_documentation() -> HTMLResponse:
    html = environment.get_template("docs.html").render(swagger_ui=SWAGGER_UI_PREFIX)
    return HTMLResponse(html, headers=PAGE_HEADERS)
