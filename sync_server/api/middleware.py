"""Per-request context: request id, access log line, metrics, last-resort 500.

A plain ASGI middleware (not ``BaseHTTPMiddleware``) so streamed responses,
such as a paged bootstrap pull, pass through without being buffered.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_server.core.errors import ErrorCode, error_body
from sync_server.core.logging import get_logger
from sync_server.core.metrics import Metrics

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
#: Probes hit these every few seconds; their access lines go to DEBUG.
_QUIET_PATHS = frozenset({"/healthz", "/metrics"})
#: URL segments that are credentials (calendar feed tokens) never reach the logs.
_SECRET_IN_PATH = re.compile(r"^(/v1/calendar/)[^/]+(\.ics)$")

log = get_logger("sync_server.request")


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            if _VALID_REQUEST_ID.match(candidate):
                return candidate  # keep the caller's id so logs join up across services
    return uuid.uuid4().hex


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "<unmatched>"


class RequestContextMiddleware:
    """Binds ``request_id`` to logs, echoes it as ``X-Request-ID``, records metrics."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope)
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "response_started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["response_started"] = True
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                # The exception stops here: the client gets a JSON 500 and the
                # traceback is logged once (re-raising would make uvicorn log it again).
                log.exception("unhandled_error", method=scope["method"], path=_log_path(scope))
                if not state["response_started"]:
                    await _send_internal_error(send_with_id, request_id)
            finally:
                self._finish(scope, state["status"], started)

    def _finish(self, scope: Scope, status: int, started: float) -> None:
        duration = time.perf_counter() - started
        route = _route_template(scope)
        self.metrics.observe_request(scope["method"], route, status, duration)
        level = "debug" if scope["path"] in _QUIET_PATHS and status < 500 else "info"
        getattr(log, level)(
            "request",
            method=scope["method"],
            path=_log_path(scope),
            route=route,
            status=status,
            duration_ms=round(duration * 1000, 2),
        )


def _log_path(scope: Scope) -> str:
    return _SECRET_IN_PATH.sub(r"\1<token>\2", scope["path"])


async def _send_internal_error(send: Send, request_id: str) -> None:
    message = f"internal server error (request id {request_id})"
    body = json.dumps(error_body(ErrorCode.INTERNAL_ERROR, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Refuses request bodies over ``limit`` bytes with 413 ``payload_too_large``.

    A declared Content-Length over the limit is refused before anything is
    read; a body without one (chunked) is read here up to the limit and then
    handed on, so no request makes the server hold more than ``limit`` bytes.
    """

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = next((v for k, v in scope.get("headers", ()) if k == b"content-length"), None)
        if length is not None:
            if length.isdigit() and int(length) > self.limit:
                await self._refuse(send)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the app sees an empty body
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        replay: list[Message] = [{"type": "http.request", "body": b"".join(chunks)}]

        async def buffered() -> Message:
            return replay.pop() if replay else await receive()

        await self.app(scope, buffered, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            error_body(
                ErrorCode.PAYLOAD_TOO_LARGE,
                f"the request body is larger than {self.limit // (1024 * 1024)} MB",
                {"limit_bytes": self.limit},
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class DatabaseSlotsMiddleware:
    """Admits at most ``slots`` requests at once (the pool's connections); the rest wait
    here, holding neither a worker thread nor a connection.

    A route takes its pooled connection in one worker thread (its dependencies)
    and needs another for its endpoint. With more requests in flight than
    connections plus threads (anyio's 40), every thread can end up waiting for a
    connection while every connection waits for a thread: nothing moves until the
    pool's 30 s timeout, and those requests fail. The 100-device burst of
    ``sync_bench`` hit that. A request holds at most one pooled connection at a
    time, so admitting no more requests than there are connections rules it out.
    ``exempt`` paths (the hours-long event stream, which hands its connection
    back at once) are not counted.
    """

    def __init__(self, app: ASGIApp, *, slots: int, exempt: frozenset[str] = frozenset()) -> None:
        if slots < 1:
            raise ValueError(f"slots must be at least 1, not {slots}")
        self.app = app
        self.slots = slots
        self.exempt = exempt
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        async with self._slots():
            await self.app(scope, receive, send)

    def _slots(self) -> asyncio.Semaphore:
        # One semaphore per event loop: an app object may be served by several in turn.
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore, self._loop = asyncio.Semaphore(self.slots), loop
        return self._semaphore
