"""Run the app under uvicorn, with the embedded PostgreSQL when no DATABASE_URL is set."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import uvicorn
from sqlalchemy.engine import URL

from sync_server.core.config import Settings, get_settings
from sync_server.core.db import resolve_database_url
from sync_server.core.logging import configure_logging, get_logger

log = get_logger(__name__)
#: Open streams (live channel, long pulls) get this long to finish on shutdown.
GRACEFUL_SHUTDOWN_S = 10
_SHUTDOWN_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def build_server(settings: Settings, *, database_url: URL | str) -> uvicorn.Server:
    """A uvicorn server for the app on ``database_url``; ``run()`` or ``serve()`` it."""
    from sync_server.app import create_app

    if isinstance(database_url, URL):
        database_url = database_url.render_as_string(hide_password=False)
    app = create_app(settings.model_copy(update={"database_url": database_url}))
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep our structlog configuration
        access_log=False,  # the request middleware logs each request once
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    return uvicorn.Server(config)


@contextmanager
def _absorb_shutdown_signals() -> Iterator[list[int]]:
    """Record SIGINT/SIGTERM instead of dying on them.

    uvicorn handles the signal itself, then re-raises it once it has shut down;
    with the default handlers that would kill the process (SIGTERM) or raise
    KeyboardInterrupt before the embedded PostgreSQL is stopped.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def record(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, record) for sig in _SHUTDOWN_SIGNALS}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_server(settings: Settings | None = None) -> None:
    """Serve until SIGINT/SIGTERM, then stop the embedded PostgreSQL if we started it."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    with _absorb_shutdown_signals() as received, resolve_database_url(settings) as database:
        if database.embedded is not None:
            log.info("embedded_postgres_started", pgdata=str(database.embedded.pgdata))
        if received:
            log.info("shutdown_requested_before_start")
            return
        log.info(
            "server_starting",
            host=settings.host,
            port=settings.port,
            environment=settings.environment,
        )
        build_server(settings, database_url=database.url).run()
    log.info("server_stopped")
