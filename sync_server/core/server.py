"""Run the app under uvicorn, with the embedded PostgreSQL when no DATABASE_URL is set."""

from __future__ import annotations

import gc
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.engine import URL
from uvicorn.supervisors import Multiprocess

from sync_server.core.config import Settings, get_settings
from sync_server.core.db import resolve_database_url
from sync_server.core.logging import configure_logging, get_logger

log = get_logger(__name__)
#: Open streams (live channel, long pulls) get this long to finish on shutdown.
GRACEFUL_SHUTDOWN_S = 10
_SHUTDOWN_SIGNALS = (signal.SIGINT, signal.SIGTERM)


#: What each worker process imports: ``worker_app()`` reads the settings from the
#: environment the parent exported (``worker_environment``).
WORKER_APP = "sync_server.core.server:worker_app"


def _freeze_heap() -> None:
    """Take what is loaded by now (modules, models, the app: ~300k objects that live as
    long as the process) out of the cycle collector's sight.

    Measured: otherwise a full collection walks all of them, ~150 ms, in the middle
    of one push in three of 1,000 mutations. Only for a process that serves: in
    tests the app shares the process with Qt, whose objects must be collected.
    """
    gc.collect()
    gc.freeze()


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn's factory)."""
    from sync_server.app import create_app

    app = create_app()
    _freeze_heap()
    return app


def _url_text(database_url: URL | str) -> str:
    if isinstance(database_url, URL):
        return database_url.render_as_string(hide_password=False)
    return database_url


def _config(settings: Settings, app: object, **extra: object) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep our structlog configuration
        access_log=False,  # the request middleware logs each request once
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        **extra,  # type: ignore[arg-type]
    )


def build_server(settings: Settings, *, database_url: URL | str) -> uvicorn.Server:
    """A uvicorn server for the app on ``database_url``; ``run()`` or ``serve()`` it."""
    from sync_server.app import create_app

    app = create_app(settings.model_copy(update={"database_url": _url_text(database_url)}))
    return uvicorn.Server(_config(settings, app))


def worker_environment(settings: Settings, *, database_url: URL | str) -> dict[str, str]:
    """``settings`` as the environment variables ``Settings()`` reads back in a worker.

    Secrets go as their values: a worker is our own child process, and development
    secrets or an embedded database's URL exist nowhere else.
    """
    env = {"DATABASE_URL": _url_text(database_url)}
    for name, value in settings:
        if name == "database_url" or value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"CNC_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def _serve_workers(settings: Settings, *, database_url: URL | str) -> None:
    """``settings.workers`` processes on one listening socket (uvicorn's supervisor).

    The supervisor restarts a worker that dies and stops them all on SIGINT/SIGTERM.
    """
    os.environ.update(worker_environment(settings, database_url=database_url))
    config = _config(settings, WORKER_APP, factory=True, workers=settings.workers)
    Multiprocess(config, sockets=[_listening_socket(settings.host, settings.port)]).run()


def _listening_socket(host: str, port: int) -> socket.socket:
    """The shared socket, made with ``IPPROTO_TCP`` explicitly.

    asyncio sets TCP_NODELAY only on connections accepted from a socket whose
    proto is IPPROTO_TCP; uvicorn's own ``bind_socket`` leaves it 0, and then each
    response waits ~40 ms for the client's delayed ACK (Nagle).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


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
            workers=settings.workers,
        )
        if settings.workers > 1:
            _serve_workers(settings, database_url=database.url)
        else:
            server = build_server(settings, database_url=database.url)
            _freeze_heap()
            server.run()
    log.info("server_stopped")
