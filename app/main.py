"""The application factory: engine, routers, error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from app import access_log
from app.apidocs import install_docs
from app.auth import routes as auth_routes
from app.auth.dependencies import token_opens_api
from app.campaigns import routes as campaign_routes
from app.communities import routes as community_routes
from app.config import Settings, get_settings
from app.contacts import routes as contact_routes
from app.coverage import routes as coverage_routes
from app.db import make_engine, make_sessionmaker
from app.documents import delivery as document_delivery
from app.documents import routes as document_routes
from app.errors import install_error_handlers
from app.headers import SecurityHeaders
from app.incidents import routes as incident_routes
from app.jobs import queue as job_queue
from app.jobs import tasks as job_tasks
from app.limits import BodyLimit
from app.notifications import routes as notification_routes
from app.openapi import install_openapi
from app.planner import routes as planner_routes
from app.verification import routes as verification_routes
from app.warnings import routes as warning_routes
from app.web import public as public_pages
from app.web import routes as web_routes

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for the given settings (default: from the environment)."""
    settings = settings or get_settings()
    job_queue.configure(settings)
    job_queue.tasks.provide(job_tasks)  # what the services' enqueue calls put on the queue
    pool: dict[str, Any] = {} if settings.is_sqlite else {"pool_size": settings.db_pool_size}
    engine = make_engine(settings.database_url, **pool)
    read_engine = (
        make_engine(settings.database_url, immediate=False) if settings.is_sqlite else engine
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        document_delivery.shutdown()  # render processes and the document job runner
        engine.dispose()
        read_engine.dispose()

    app = FastAPI(
        title="Doorstep",
        version="1.0.0",
        summary="Plan and prove door-to-door anti-fraud publicity / 入户反诈宣传的计划与台账",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs from Doorstep's own copy of Swagger UI
        redoc_url=None,  # ReDoc would load from a CDN
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.read_engine = read_engine
    app.state.read_sessionmaker = make_sessionmaker(read_engine)
    install_error_handlers(app)
    # Inside the security headers, so that a 413 or 401 carries them too.
    app.add_middleware(
        BodyLimit,
        json_bytes=settings.max_json_body_bytes,
        upload_bytes=settings.max_upload_body_bytes,
        auth_first_bytes=settings.auth_before_body_bytes,
        authenticate=token_opens_api,
    )
    app.add_middleware(SecurityHeaders)
    access_log.install()
    for module in (
        auth_routes,
        community_routes,
        campaign_routes,
        contact_routes,
        coverage_routes,
        incident_routes,
        document_routes,
        planner_routes,
        warning_routes,
        notification_routes,
        verification_routes,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(warning_routes.public_router, prefix=API_PREFIX)
    app.include_router(web_routes.router)
    app.include_router(public_pages.router)
    install_docs(app)
    install_openapi(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
