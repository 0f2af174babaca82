"""Every router of the app: operational endpoints at the root, the API under ``/v1``.

Resource routers are added to ``api_router`` here (``api_router.include_router(
auth.router)``); ``create_app`` mounts both routers once.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync_server.api.routes import health

root_router = APIRouter()
root_router.include_router(health.router)

api_router = APIRouter(prefix="/v1")
