"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import GZipMiddleware

from sync_server import __version__
from sync_server.api.errors import install_error_handlers
from sync_server.api.middleware import (
    BodyLimitMiddleware,
    DatabaseSlotsMiddleware,
    RequestContextMiddleware,
)
from sync_server.api.router import api_router, root_router
from sync_server.api.routes.sync_events import EVENTS_PATH
from sync_server.billing.sweeper import start_overdue_sweeps, stop_overdue_sweeps
from sync_server.core.config import Settings, get_settings
from sync_server.core.db import (
    DatabaseUnavailable,
    ResolvedDatabase,
    check_database,
    create_db_engine,
    describe_database,
    make_session_factory,
    resolve_database_url,
)
from sync_server.core.logging import configure_logging, get_logger
from sync_server.core.metrics import Metrics
from sync_server.core.ratelimit import Limit, RateLimits
from sync_server.sync.prefetch import PagePrefetcher

TITLE = "C&C CRM sync server"
log = get_logger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Build the engine unless one was given; dispose only what we built."""
    settings: Settings = app.state.settings
    resolved: ResolvedDatabase | None = None
    owned_engine: Engine | None = None
    try:
        if app.state.engine is None:
            resolved = await run_in_threadpool(resolve_database_url, settings)
            owned_engine = create_db_engine(
                resolved.url,
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_max_overflow,
            )
            app.state.engine = owned_engine
        engine: Engine = app.state.engine
        app.state.session_factory = make_session_factory(engine)
        await run_in_threadpool(_report_database, app, engine)
        sweeps = start_overdue_sweeps(app.state.session_factory, settings.overdue_sweep_interval_s)
        app.state.prefetcher = (
            PagePrefetcher(app.state.session_factory) if settings.pull_prefetch else None
        )
        try:
            yield
        finally:
            await stop_overdue_sweeps(sweeps)
            if app.state.prefetcher is not None:
                await run_in_threadpool(app.state.prefetcher.close)
                app.state.prefetcher = None
    finally:
        if owned_engine is not None:
            owned_engine.dispose()
            app.state.engine = None
        if resolved is not None:
            await run_in_threadpool(resolved.stop)


def _report_database(app: FastAPI, engine: Engine) -> None:
    # A missing database does not stop start-up: /healthz reports it and the
    # server recovers by itself once PostgreSQL is back.
    try:
        check_database(engine)
    except DatabaseUnavailable as exc:
        app.state.metrics.set_database_up(False)
        log.warning("database_unavailable_at_startup", reason=exc.message)
    else:
        app.state.metrics.set_database_up(True)
        log.info("database_ready", database=describe_database(engine.url))


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """A ready-to-serve app; pass ``engine`` to share one (tests, several apps per process)."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    app = FastAPI(title=TITLE, version=__version__, lifespan=_lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine) if engine is not None else None
    app.state.metrics = Metrics(version=__version__)
    app.state.prefetcher = None  # made with the engine's session factory at start-up
    app.state.rate_limits = RateLimits(
        sync_per_user=Limit("sync_user", settings.sync_requests_per_minute, 60)
    )
    install_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_request_bytes)
    app.add_middleware(
        DatabaseSlotsMiddleware,
        slots=settings.db_pool_size + settings.db_max_overflow,
        exempt=frozenset({EVENTS_PATH}),
    )
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    app.include_router(root_router)
    app.include_router(api_router)
    return app
