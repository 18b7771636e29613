"""The web pages, one module per kind of user; see app/web for sessions, forms and languages."""

from pathlib import Path

from app.web.pages import (
    auth,
    docs,
    incident_forms,
    incidents,
    judicial,
    service_reports,
    services,
    stats,
)

# The forms first: "/incidents/new" must not be taken for an incident id.
PAGE_ROUTERS = (
    auth.router,
    docs.router,
    incident_forms.router,
    incidents.router,
    stats.router,
    judicial.router,
    services.router,
    service_reports.router,
)
STATIC_DIR = Path(__file__).parent.parent / "static"
