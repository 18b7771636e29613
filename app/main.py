"""Builds the FastAPI application and mounts the feature routers; nothing else."""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from app.aggregates.routes import router as aggregates_router
from app.aggregates.routes import stats_router as side_by_side_router
from app.armed_parties.routes import router as armed_parties_router
from app.audit.routes import router as audit_router
from app.audit.service import install_audit_hooks
from app.auth.routes import router as auth_router
from app.auth.second_factor_routes import router as second_factor_router
from app.core.auth import token_checker
from app.core.body_limit import BodyTooLarge
from app.core.concurrency import ConcurrencyLimit
from app.core.config import API_PREFIX, Settings, get_settings
from app.core.crypto import load_audit_key, load_cipher
from app.core.db import build_engine, build_session_factory
from app.core.logging import AccessLog
from app.core.no_store import NoStore
from app.core.openapi import problem_details_openapi
from app.core.request_checks import check_request
from app.exports.routes import router as exports_router
from app.health.routes import router as health_router
from app.imports.routes import IMPORTS_PATH
from app.imports.routes import router as imports_router
from app.incidents.identity_routes import router as identity_router
from app.incidents.review_routes import router as incident_review_router
from app.incidents.routes import batch_router as incident_batch_router
from app.incidents.routes import router as incidents_router
from app.judicial.routes import router as judicial_router
from app.paragraphs.routes import router as paragraphs_router
from app.party_dossiers.routes import router as party_dossiers_router
from app.referrals.report_routes import router as service_reports_router
from app.referrals.routes import directory_router as service_directory_router
from app.referrals.routes import router as referrals_router
from app.stats.routes import router as stats_router
from app.users.routes import router as users_router
from app.web.pages import PAGE_ROUTERS, STATIC_DIR
from app.web.pages.docs import SWAGGER_UI_DIR, SWAGGER_UI_PREFIX
from app.web.pages.imports import IMPORT_PAGE
from app.web.pages.region_maps import MAPS_PAGE, MAX_MAP_UPLOAD_BYTES
from app.web.rendering import STATIC_PREFIX, install_page_error_handlers
from app.web.session import SESSION_COOKIE

ROUTERS = (
    auth_router,
    second_factor_router,
    incidents_router,
    incident_batch_router,
    incident_review_router,
    imports_router,
    identity_router,
    party_dossiers_router,  # before the registry: /armed-parties/patterns is not an id
    armed_parties_router,
    stats_router,
    exports_router,
    side_by_side_router,
    aggregates_router,
    judicial_router,
    service_directory_router,
    referrals_router,
    service_reports_router,
    paragraphs_router,
    users_router,
    audit_router,
    health_router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = build_engine(
        settings.database_url,
        settings.pool_size,
        settings.database_pool_timeout,
        lock_timeout=settings.database_lock_timeout,
        statement_timeout=settings.database_statement_timeout,
    )

    read_engine = (
        build_engine(
            settings.read_database_url,
            settings.request_threads,
            settings.database_pool_timeout,
            statement_timeout=settings.database_statement_timeout,
        )
        if settings.read_database_url
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # How the worker process is tuned (threads, malloc arenas, gc) is app/core/server.py's.
        yield
        engine.dispose()
        if read_engine is not None:
            read_engine.dispose()

    app = FastAPI(
        title="crsv-registry",
        version="0.1.0",
        summary="Case management and statistics for conflict-related sexual violence.",
        lifespan=lifespan,
        # /docs is a page of ours (app/web/pages/docs.py): FastAPI's loads Swagger UI from a CDN.
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(check_request)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.cipher = load_cipher(settings)
    app.state.session_factory = build_session_factory(engine)
    app.state.audit_key = load_audit_key(settings)
    app.state.export_slots = threading.BoundedSemaphore(settings.exports_at_once)
    install_audit_hooks(app.state.session_factory, app.state.audit_key)
    app.state.read_session_factory = app.state.session_factory
    if read_engine is not None:
        app.state.read_engine = read_engine
        app.state.read_session_factory = build_session_factory(read_engine)
        install_audit_hooks(app.state.read_session_factory, app.state.audit_key)

    for router in (*ROUTERS, *PAGE_ROUTERS):
        app.include_router(router)
    # Before /static, which would otherwise answer these paths with 404.
    app.mount(SWAGGER_UI_PREFIX, StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    install_page_error_handlers(app)
    app.openapi = problem_details_openapi(app)  # type: ignore[method-assign]
    # A request waits here before it opens anything; the access log, outside, counts the wait.
    app.add_middleware(ConcurrencyLimit, limit=settings.request_threads)
    # Oversized bodies are refused before they wait for a turn, let alone are read.
    app.add_middleware(
        BodyTooLarge,
        default_limit=settings.max_body_bytes,
        route_limits={
            ("POST", f"{API_PREFIX}/incidents:batch"): settings.max_batch_body_bytes,
            ("POST", MAPS_PAGE): MAX_MAP_UPLOAD_BYTES,
            ("POST", IMPORTS_PATH): settings.max_import_body_bytes,
            ("POST", IMPORT_PAGE): settings.max_import_body_bytes,
        },
        token_is_live=token_checker(app.state.session_factory),
        session_cookie=SESSION_COOKIE,
    )
    # Outside the refusals above, so a 413 or a 503 is no-store too.
    app.add_middleware(NoStore)
    app.add_middleware(AccessLog)
    return app
