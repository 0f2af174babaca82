"""Every router of the app: operational endpoints at the root, the API under ``/v1``.

Resource routers are added to ``api_router`` here (``api_router.include_router(
auth.router)``); ``create_app`` mounts both routers once.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from sync_server.api.auth_deps import sync_guard
from sync_server.api.routes import (
    admin_users,
    auth,
    calendar,
    devices,
    health,
    payments,
    schedule,
    sync_events,
    sync_pull,
    sync_push,
    webhooks,
)

root_router = APIRouter()
root_router.include_router(health.router)

# sync_guard: every /v1/sync/* route refuses outdated clients and counts per-user hits.
api_router = APIRouter(prefix="/v1", dependencies=[Depends(sync_guard)])
api_router.include_router(admin_users.router)
api_router.include_router(auth.router)
api_router.include_router(calendar.router)
api_router.include_router(devices.router)
api_router.include_router(payments.router)
api_router.include_router(schedule.router)
api_router.include_router(sync_pull.router)
api_router.include_router(sync_events.router)
api_router.include_router(sync_push.router)
api_router.include_router(webhooks.router)
