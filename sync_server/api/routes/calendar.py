"""Private calendar feeds: ``GET /v1/calendar/{token}.ics`` and managing one's feeds.

The feed URL carries its credential (calendar apps send no headers): an
unknown, revoked or malformed token, or a feed whose person or branch is gone,
all answer the same bare ``404 not_found``, and each such miss counts against
the caller's IP (``429`` past the limit); a live feed counts its fetches.
Feeds are created, rotated and revoked by a signed-in user: their own
feed, or, for planners, a feed of a person or branch they can already see.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select

from shared_models.enums import UserRole
from shared_models.models import CalendarFeed, Location, User
from shared_models.types import utcnow
from sync_server.api.auth_deps import CurrentPrincipal, RateLimiterDep, RateLimitsDep
from sync_server.api.deps import SessionDep
from sync_server.api.errors import ErrorPublic
from sync_server.api.routes.auth import client_ip
from sync_server.calendar import tokens
from sync_server.calendar.feed import may_publish, render, subject_is_live
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.core.ratelimit import rate_limited

router = APIRouter(prefix="/calendar", tags=["calendar"])

CACHE_CONTROL = "private, max-age=300"
MEDIA_TYPE = "text/calendar; charset=utf-8"

_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorPublic, "description": "permission_denied"},
    404: {"model": ErrorPublic, "description": "no such feed, person or location in your tenant"},
}


class FeedCreate(BaseModel):
    """Exactly one subject; neither means "my own schedule"."""

    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    name: str | None = Field(default=None, max_length=120)


class FeedPublic(BaseModel):
    id: uuid.UUID
    name: str | None
    user_id: uuid.UUID | None
    location_id: uuid.UUID | None
    created_at: dt.datetime
    last_accessed_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, feed: CalendarFeed) -> FeedPublic:
        return cls(
            id=feed.id,
            name=feed.name,
            user_id=feed.user_id,
            location_id=feed.location_id,
            created_at=feed.created_at,
            last_accessed_at=feed.last_accessed_at,
            revoked_at=feed.revoked_at,
        )


class FeedCreated(FeedPublic):
    """The only time the token is shown: subscribe to ``url``."""

    token: str
    url: str


class FeedsPublic(BaseModel):
    data: list[FeedPublic]
    count: int


def _not_found() -> ApiError:
    return ApiError(ErrorCode.NOT_FOUND, "not found")


def _created(request: Request, feed: CalendarFeed, token: str) -> FeedCreated:
    url = str(request.url_for("read_calendar_feed", token=token))
    return FeedCreated(**FeedPublic.of(feed).model_dump(), token=token, url=url)


def _my_feed(session: SessionDep, principal: CurrentPrincipal, feed_id: uuid.UUID) -> CalendarFeed:
    """A feed of the caller's tenant they created or that is theirs (ADMIN: any); else 404."""
    feed = session.get(CalendarFeed, feed_id)
    me = principal.user
    if feed is None or feed.tenant_id != principal.tenant_id:
        raise ApiError(ErrorCode.NOT_FOUND, "no such calendar feed")
    if me.role != UserRole.ADMIN and me.id not in (feed.created_by, feed.user_id):
        raise ApiError(ErrorCode.NOT_FOUND, "no such calendar feed")
    return feed


@router.post("/feeds", status_code=201, response_model=FeedCreated, responses=_ERRORS)
def create_calendar_feed(
    body: FeedCreate, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> FeedCreated:
    """A private feed URL of a user's or a branch's schedule; the token is shown once."""
    if body.user_id is not None and body.location_id is not None:
        raise ApiError(
            ErrorCode.VALIDATION_FAILED,
            "a feed is of one person or one location, not both",
            details={"fields": [{"path": "location_id", "message": "give user_id or location_id"}]},
        )
    me = principal.user
    subject: User | None = None
    if body.location_id is None:
        subject = me if body.user_id in (None, me.id) else session.get(User, body.user_id)
        if subject is None or subject.tenant_id != me.tenant_id or subject.deleted_at is not None:
            raise ApiError(ErrorCode.NOT_FOUND, "no such person in your tenant")
    else:
        loc = session.get(Location, body.location_id)
        if loc is None or loc.tenant_id != me.tenant_id or loc.deleted_at is not None:
            raise ApiError(ErrorCode.NOT_FOUND, "no such location in your tenant")
    if not may_publish(session, me, subject_user=subject, location_id=body.location_id):
        raise ApiError(
            ErrorCode.PERMISSION_DENIED, "you cannot see that schedule, so you cannot publish it"
        )
    feed, token = tokens.create_feed(
        session,
        tenant_id=me.tenant_id,
        created_by=me.id,
        user_id=None if subject is None else subject.id,
        location_id=body.location_id,
        name=body.name,
    )
    session.commit()
    return _created(request, feed, token)


@router.get("/feeds", response_model=FeedsPublic)
def read_calendar_feeds(principal: CurrentPrincipal, session: SessionDep) -> FeedsPublic:
    """The caller's feeds (of them, or made by them), newest first."""
    me = principal.user
    feeds = session.scalars(
        select(CalendarFeed)
        .where(
            CalendarFeed.tenant_id == me.tenant_id,
            or_(CalendarFeed.user_id == me.id, CalendarFeed.created_by == me.id),
        )
        .order_by(CalendarFeed.created_at.desc())
    ).all()
    return FeedsPublic(data=[FeedPublic.of(f) for f in feeds], count=len(feeds))


@router.post("/feeds/{feed_id}/rotate", response_model=FeedCreated, responses=_ERRORS)
def rotate_calendar_feed(
    feed_id: uuid.UUID, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> FeedCreated:
    """A new URL for the feed; the old one stops working."""
    feed = _my_feed(session, principal, feed_id)
    if feed.revoked_at is not None:
        raise ApiError(ErrorCode.CONFLICT, "this feed is revoked; create a new one")
    token = tokens.rotate_feed(session, feed)
    session.commit()
    return _created(request, feed, token)


@router.delete("/feeds/{feed_id}", status_code=204, responses=_ERRORS)
def revoke_calendar_feed(
    feed_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Revoke the feed (idempotent): its URL answers 404 from now on."""
    tokens.revoke_feed(session, _my_feed(session, principal, feed_id))
    session.commit()
    return Response(status_code=204)


# HEAD (calendar apps probe with it) is the same handler, kept out of the OpenAPI
# document: both methods in one route gave them one duplicated operation id.
@router.head("/{token}.ics", response_class=Response, include_in_schema=False)
@router.get(
    "/{token}.ics",
    name="read_calendar_feed",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "the iCalendar feed"},
        304: {"description": "unchanged since the ETag sent in If-None-Match"},
        404: {"model": ErrorPublic, "description": "not_found (whatever the reason)"},
        429: {"model": ErrorPublic, "description": "rate_limited"},
    },
)
def read_calendar_feed(
    token: str,
    request: Request,
    session: SessionDep,
    limiter: RateLimiterDep,
    limits: RateLimitsDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The feed as iCalendar; no Authorization header: the token is the credential."""
    feed = tokens.resolve(session, token)
    if feed is None or not subject_is_live(session, feed):
        hit = limiter.hit(limits.calendar_failures_per_ip, client_ip(request))
        if hit.exceeded:
            raise rate_limited(hit)
        raise _not_found()
    limiter.enforce(limits.calendar_per_feed, str(feed.id))
    body, tag = render(session, feed, now=utcnow())
    tokens.touch(session, feed)
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": tag}
    if if_none_match is not None and tag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="schedule.ics"'
    return Response(content=body, media_type=MEDIA_TYPE, headers=headers)
