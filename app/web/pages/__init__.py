"""The web pages, one module per kind of user; see app/web for sessions, forms and languages."""

from pathlib import Path

from app.web.pages import (
    account,
    admin,
    aggregates,
    audit,
    auth,
    case_forms,
    courts,
    docs,
    exports,
    identity,
    imports,
    incident_forms,
    incidents,
    judicial,
    paragraphs,
    party_dossiers,
    received,
    region_maps,
    service_reports,
    services,
    stats,
    trends,
)

# The forms first: "/incidents/new" and "/judicial/cases/new" must not be taken for an id.
PAGE_ROUTERS = (
    auth.router,
    account.router,
    docs.router,
    incident_forms.router,
    aggregates.router,
    incidents.router,
    identity.router,
    exports.router,
    imports.router,
    stats.router,
    trends.router,
    region_maps.router,
    party_dossiers.router,
    case_forms.router,
    courts.router,
    judicial.router,
    admin.router,
    audit.router,
    received.router,
    services.router,
    service_reports.router,
    paragraphs.router,
)
STATIC_DIR = Path(__file__).parent.parent / "static"
