"""What a feed shows: its subject's schedules and journeys, read for ``ics.build_calendar``.

A user's feed holds their schedule blocks and the journeys they crew or lead;
a branch's feed holds its blocks and journeys. A journey that a block of the
same feed already covers is not shown twice: the user's own block wins in a
user feed (it is their booked time), the journey in a branch feed (one event
per move, not one per crew member). Only live rows within a window around
today are read (recurring blocks whenever they started), and only the columns
``ics`` may show.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from shared_models.enums import UserRole
from shared_models.models import (
    CalendarFeed,
    Equipment,
    Journey,
    JourneyCrew,
    Location,
    Schedule,
    User,
)
from shared_models.sync.buckets import BucketKind, bucket_name
from sync_server.auth.service import is_active
from sync_server.calendar.ics import FeedContent, JourneyInfo, ScheduleInfo, build_calendar, etag
from sync_server.sync.scope import user_buckets

PAST = dt.timedelta(days=60)
AHEAD = dt.timedelta(days=400)
#: Roles that may publish another person's or a branch's calendar they can see.
PLANNERS = frozenset({UserRole.ADMIN, UserRole.MANAGER, UserRole.DISPATCHER})

_JOURNEY_COLUMNS = (
    Journey.id,
    Journey.number,
    Journey.status,
    Journey.scheduled_date,
    Journey.scheduled_start,
    Journey.estimated_hours,
    Journey.origin_city,
    Journey.origin_province,
    Journey.destination_city,
    Journey.destination_province,
    Journey.crew_size_required,
    Journey.version,
    Journey.created_at,
    Journey.updated_at,
)


def may_publish(
    session: Session, user: User, *, subject_user: User | None, location_id: uuid.UUID | None
) -> bool:
    """Whether ``user`` may hold a feed of that subject: what it shows, they can already see."""
    if subject_user is not None and subject_user.id == user.id:
        return True
    if user.role not in PLANNERS:
        return False
    where = location_id if location_id is not None else subject_user.location_id  # type: ignore[union-attr]
    return bucket_name(BucketKind.LOCATION_OPS, where) in user_buckets(session, user)


def subject_is_live(session: Session, feed: CalendarFeed) -> bool:
    """A feed dies with its person or branch, and with its creator's right to see it."""
    subject = session.get(User, feed.user_id) if feed.user_id is not None else None
    if feed.user_id is not None and (not is_active(subject) or subject.tenant_id != feed.tenant_id):  # type: ignore[union-attr]
        return False
    if feed.location_id is not None:
        loc = session.get(Location, feed.location_id)
        if loc is None or loc.deleted_at is not None or loc.tenant_id != feed.tenant_id:
            return False
    if feed.created_by is None or feed.created_by == feed.user_id:
        return True
    creator = session.get(User, feed.created_by)
    if not is_active(creator) or creator.tenant_id != feed.tenant_id:  # type: ignore[union-attr]
        return False
    return may_publish(session, creator, subject_user=subject, location_id=feed.location_id)  # type: ignore[arg-type]


def _journeys(
    session: Session, tenant: uuid.UUID, where: Any, lo: dt.date | None, hi: dt.date | None
) -> dict[uuid.UUID, JourneyInfo]:
    dates = Journey.scheduled_date.between(lo, hi) if lo and hi else Journey.id.is_not(None)
    truck = aliased(Equipment)
    rows = session.execute(
        select(*_JOURNEY_COLUMNS, truck.unit_number, Location.name, Location.timezone)
        .join(Location, Location.id == Journey.location_id)
        .outerjoin(truck, truck.id == Journey.truck_id)
        .where(
            Journey.tenant_id == tenant,
            Journey.deleted_at.is_(None),
            dates,
            where,
        )
    ).all()
    return {
        r.id: JourneyInfo(
            id=r.id,
            number=r.number,
            status=r.status,
            scheduled_date=r.scheduled_date,
            scheduled_start=r.scheduled_start,
            estimated_hours=r.estimated_hours,
            origin_city=r.origin_city,
            origin_province=None if r.origin_province is None else str(r.origin_province),
            destination_city=r.destination_city,
            destination_province=None
            if r.destination_province is None
            else str(r.destination_province),
            crew_size=r.crew_size_required,
            truck_unit=r.unit_number,
            branch=r.name,
            tz=r.timezone,
            version=r.version,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in rows
    }


def _schedules(
    session: Session, tenant: uuid.UUID, where: Any, lo: dt.datetime, hi: dt.datetime
) -> list[Any]:
    return list(
        session.execute(
            select(
                Schedule.id,
                Schedule.type,
                Schedule.status,
                Schedule.priority,
                Schedule.title,
                Schedule.start_at,
                Schedule.end_at,
                Schedule.all_day,
                Schedule.recurrence_rule,
                Schedule.journey_id,
                Schedule.version,
                Schedule.created_at,
                Schedule.updated_at,
                Location.name,
                Location.timezone,
            )
            .join(Location, Location.id == Schedule.location_id)
            .where(
                Schedule.tenant_id == tenant,
                Schedule.deleted_at.is_(None),
                Schedule.start_at < hi,
                or_(Schedule.end_at >= lo, Schedule.recurrence_rule.is_not(None)),
                where,
            )
        ).all()
    )


def load_content(session: Session, feed: CalendarFeed, *, now: dt.datetime) -> FeedContent:
    """The feed's events as of ``now``."""
    lo, hi = now - PAST, now + AHEAD
    tenant = feed.tenant_id
    if feed.user_id is not None:
        crewed = select(JourneyCrew.journey_id).where(
            JourneyCrew.tenant_id == tenant,
            JourneyCrew.user_id == feed.user_id,
            JourneyCrew.deleted_at.is_(None),
        )
        journey_filter = or_(Journey.id.in_(crewed), Journey.crew_lead_id == feed.user_id)
        schedule_filter = Schedule.user_id == feed.user_id
        name = feed.name or "My C&C schedule"
    else:
        journey_filter = Journey.location_id == feed.location_id
        schedule_filter = Schedule.location_id == feed.location_id
        name = feed.name or "Branch schedule"
    journeys = _journeys(session, tenant, journey_filter, lo.date(), hi.date())
    blocks = _schedules(session, tenant, schedule_filter, lo, hi)
    linked = {b.journey_id for b in blocks if b.journey_id is not None}
    missing = linked - set(journeys)
    extra = _journeys(session, tenant, Journey.id.in_(missing), None, None) if missing else {}
    schedules = []
    for b in blocks:
        j = journeys.get(b.journey_id) or extra.get(b.journey_id)
        if feed.user_id is None and b.journey_id in journeys:
            continue  # the branch feed shows the move once
        schedules.append(
            ScheduleInfo(
                id=b.id,
                type=b.type,
                status=b.status,
                priority=b.priority,
                title=b.title,
                start_at=b.start_at,
                end_at=b.end_at,
                all_day=b.all_day,
                recurrence_rule=b.recurrence_rule,
                branch=b.name,
                tz=b.timezone,
                version=b.version,
                created_at=b.created_at,
                updated_at=b.updated_at,
                journey=j,
            )
        )
    if feed.user_id is not None:
        journeys = {k: v for k, v in journeys.items() if k not in linked}
    return FeedContent(feed.id, name, schedules, list(journeys.values()))


def render(session: Session, feed: CalendarFeed, *, now: dt.datetime) -> tuple[bytes, str]:
    """The feed's iCalendar bytes and their ETag."""
    content = load_content(session, feed, now=now)
    body = build_calendar(content)
    return body, etag(content, body)
