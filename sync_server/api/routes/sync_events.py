"""``/v1/sync/events``: Server-Sent Events telling an online client its buckets changed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from sync_server.api.auth_deps import CurrentPrincipal
from sync_server.api.deps import SessionDep
from sync_server.sync.live import HEARTBEAT_S, LiveHub, sse_stream
from sync_server.sync.scope import user_buckets

router = APIRouter(prefix="/sync", tags=["sync"])
#: The stream's full path (this router sits under ``/v1``): held open for hours, so not
#: counted against the database slots (``DatabaseSlotsMiddleware``).
EVENTS_PATH = "/v1/sync/events"


def _hub(request: Request) -> LiveHub:
    """The process's listener, created on first use (one per app and event loop)."""
    hub = getattr(request.app.state, "live_hub", None)
    if hub is None:
        url = request.app.state.engine.url.set(drivername="postgresql")
        hub = LiveHub(url.render_as_string(hide_password=False))
        request.app.state.live_hub = hub
    return hub


@router.get("/events", response_class=StreamingResponse)
async def read_events(
    request: Request, principal: CurrentPrincipal, session: SessionDep
) -> StreamingResponse:
    """``event: changed`` with the buckets to pull; a heartbeat comment every 15 s."""
    buckets = await run_in_threadpool(user_buckets, session, principal.user)
    # Give the connection back now: the stream may stay open for hours.
    await run_in_threadpool(session.close)
    hub = _hub(request)
    sub = hub.subscribe(principal.tenant_id, buckets)
    heartbeat = getattr(request.app.state, "sse_heartbeat_s", HEARTBEAT_S)
    return StreamingResponse(
        sse_stream(hub, sub, heartbeat_s=heartbeat),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
