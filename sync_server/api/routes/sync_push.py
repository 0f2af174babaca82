"""``POST /v1/sync/push``: a device uploads its outbox (DESIGN 5)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from shared_models.sync.wire import PushRequest, PushResponse
from sync_server.api.auth_deps import CurrentPrincipal, sync_client_version
from sync_server.api.deps import SessionDep
from sync_server.api.errors import ErrorPublic
from sync_server.sync.push import push_mutations

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post(
    "/push",
    response_model=PushResponse,
    responses={
        403: {"model": ErrorPublic, "description": "permission_denied: not your device"},
        422: {"model": ErrorPublic, "description": "validation_failed: malformed body"},
    },
)
def push_changes(
    body: PushRequest, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> PushResponse:
    """Apply the device's mutations exactly once; per-mutation outcomes in order."""
    response = push_mutations(
        session=session,
        user=principal.user,
        device_id=principal.device.id,
        request=body,
        schema=sync_client_version(request).schema,
    )
    session.commit()
    return response
