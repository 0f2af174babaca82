"""The real app under uvicorn on 127.0.0.1, in a background thread, for HTTP tests."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from sync_server.app import create_app
from sync_server.core.config import Settings

STARTUP_TIMEOUT_S = 15.0
SHUTDOWN_TIMEOUT_S = 10.0


def make_test_settings(*, database_url: str, **overrides: Any) -> Settings:
    """Settings for environment "test" with random secrets; ``overrides`` win."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": secrets.token_urlsafe(48),
        "encryption_key": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
        "host": "127.0.0.1",
        "port": 0,
        "log_level": "INFO",
        "log_json": False,
    }
    values.update(overrides)
    return Settings(**values)


class _PromptServer(uvicorn.Server):
    """uvicorn's server that stops when told, not at the next of its 0.1 s polls, and
    skips the 0.1 s pause for open connections when there are none.

    A suite starts and stops a few hundred servers; the two pauses cost each ~0.15 s.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        # uvicorn's loop (same ticks, same exit test) with a wait that ``stop`` can cut short.
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.server_state.connections or self.server_state.tasks:
            await super().shutdown(sockets=sockets)  # uvicorn's graceful path, pauses and all
            return
        # Nothing in flight: uvicorn's steps without its fixed 0.1 s pause for connections.
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()

    def stop(self) -> None:
        """Ask the server to shut down now (from any thread)."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already finished
                loop.call_soon_threadsafe(wake.set)


@contextmanager
def serve_app(app: FastAPI, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``app`` (lifespan included) until the block exits; yields its base URL.

    The socket is bound before uvicorn starts, so the port is known and free of races.
    """
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only
    # for sockets that say they are TCP; without it every response waits ~40 ms (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=2
    )
    server = _PromptServer(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"live-server-{port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the live server stopped during start-up (see the log)")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the live server did not start within {STARTUP_TIMEOUT_S}s")
            time.sleep(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        thread.join(SHUTDOWN_TIMEOUT_S)
        if thread.is_alive():
            server.force_exit = True
            thread.join(SHUTDOWN_TIMEOUT_S)
        sock.close()


@contextmanager
def live_server(database_url: str, **settings_overrides: Any) -> Iterator[str]:
    """The real app on ``database_url`` over real HTTP; yields e.g. ``http://127.0.0.1:40123``.

    To serve an app you extended, build it with ``create_app`` and use ``serve_app``.
    """
    app = create_app(make_test_settings(database_url=database_url, **settings_overrides))
    with serve_app(app) as base_url:
        yield base_url
