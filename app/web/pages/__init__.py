"""The web pages, one module per kind of user; see app/web for sessions, forms and languages."""

from pathlib import Path

from app.web.pages import (
    account,
    admin,
    audit,
    auth,
    case_forms,
    courts,
    docs,
    imports,
    incident_forms,
    incidents,
    judicial,
    received,
    service_reports,
    services,
    stats,
)

# The forms first: "/incidents/new" and "/judicial/cases/new" must not be taken for an id.
PAGE_ROUTERS = (
    auth.router,
    account.router,
    docs.router,
    incident_forms.router,
    incidents.router,
    imports.router,
    stats.router,
    case_forms.router,
    courts.router,
    judicial.router,
    admin.router,
    audit.router,
    received.router,
    services.router,
    service_reports.router,
)
STATIC_DIR = Path(__file__).parent.parent / "static"
