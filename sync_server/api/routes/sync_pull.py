"""``/v1/sync/pull`` and ``/v1/sync/checksums``: a user's buckets, paged, and their digests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from shared_models.sync.wire import (
    MAX_BUCKETS_PER_PULL,
    BucketChecksum,
    ChecksumsResponse,
    PullRequest,
    PullResponse,
    next_cursors,
)
from sync_server.api.auth_deps import CurrentPrincipal, sync_client_version
from sync_server.api.deps import SessionDep
from sync_server.api.encoding import json_response
from sync_server.api.errors import ErrorPublic
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.sync.checksums import bucket_checksums
from sync_server.sync.prefetch import PagePrefetcher, page_key
from sync_server.sync.pull import pull_page
from sync_server.sync.scope import user_buckets

router = APIRouter(prefix="/sync", tags=["sync"])

_ERRORS = {403: {"model": ErrorPublic, "description": "permission_denied: a bucket not yours"}}


def _authorise(session: SessionDep, principal: CurrentPrincipal, names: list[str]) -> list[str]:
    """The user's current bucket set; 403 when ``names`` asks for any other."""
    allowed = user_buckets(session, principal.user)
    denied = sorted(set(names) - set(allowed))
    if denied:
        raise ApiError(
            ErrorCode.PERMISSION_DENIED,
            "you may not pull these buckets",
            details={"buckets": denied},
        )
    # End the sign-in transaction: the page reads one snapshot of its own.
    session.commit()
    return allowed


@router.post("/pull", response_model=PullResponse, responses=_ERRORS)
def pull_changes(
    body: PullRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    accept_encoding: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Changes past each bucket's cursor, at most ``limit`` per page (DESIGN 5), in the
    shape of the caller's wire schema (``shared_models.sync.shapes``)."""
    allowed = _authorise(session, principal, list(body.buckets))
    ahead: PagePrefetcher | None = request.app.state.prefetcher
    who = (principal.tenant_id, principal.user_id, principal.device_id)
    schema = sync_client_version(request).schema
    page = ahead.take(page_key(*who, body.buckets, body.limit, schema)) if ahead else None
    if page is None:
        page = pull_page(session, body.buckets, body.limit, schema=schema)
        session.rollback()
    if ahead is not None and page.has_more and page.changes:
        # A download under way: render what the client asks next while it applies this.
        following = next_cursors(body.buckets, page.cursors, allowed)
        ahead.schedule(
            page_key(*who, following, body.limit, schema),
            principal.tenant_id,
            following,
            body.limit,
            schema,
        )
    return json_response(page.to_json(allowed), accept_encoding)


@router.get("/checksums", response_model=ChecksumsResponse, responses=_ERRORS)
def read_checksums(
    principal: CurrentPrincipal,
    session: SessionDep,
    buckets: Annotated[str, Query(max_length=MAX_BUCKETS_PER_PULL * 60)] = "",
) -> ChecksumsResponse:
    """``(count, digest)`` per bucket over its live rows, as the client computes them."""
    names = sorted({b.strip() for b in buckets.split(",") if b.strip()})
    allowed = _authorise(session, principal, names)
    sums = bucket_checksums(session, names or allowed)
    session.rollback()
    return ChecksumsResponse(
        buckets={b: BucketChecksum(count=c, digest=str(d)) for b, (c, d) in sums.items()}
    )
