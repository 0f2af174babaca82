"""The iCalendar document of a feed: pure, deterministic, built with ``icalendar``.

One VEVENT per schedule block or journey, ``UID`` ``<table>-<id>@cnc-crm``
(stable for the row's life), ``SEQUENCE`` = the row's server version and
``DTSTAMP``/``LAST-MODIFIED`` = its ``updated_at``, so Google Calendar and
Outlook replace an event when its row changes. Times carry the branch's
IANA zone (``TZID`` plus a generated VTIMEZONE), so a 09:00 start stays 09:00
across a DST change; jobs without a start time are all-day events. Cancelled
rows stay as ``STATUS:CANCELLED`` (clients strike them through); tombstoned
rows are simply absent, and subscribers drop events missing from the feed.

Privacy. A subscribed feed is copied to a third party's servers (Google,
Microsoft) and phones, out of our retention and revocation: revoking the token
stops updates, not the copies. So a feed says what and when, never who or
where exactly: job number, cities and province, crew size, truck unit,
branch, status. It never carries the customer's name, phone or e-mail, street
addresses or postal codes, office notes, crew instructions (door codes) or
prices; those stay in the app. Schedule blocks show their title (written for
the dispatch board) but not their free-text description; a block tied to a
journey shows the journey's wording instead of its title. Every event is
``CLASS:PRIVATE``. The loader (``feed.py``) only reads the fields below, so
what is not here cannot leak.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration, vRecur

from shared_models.enums import JourneyStatus, SchedulePriority, ScheduleStatus, ScheduleType
from shared_models.rules.scheduling import journey_window

PRODID = "-//C&C CRM//Calendar feed 1//EN"
UID_DOMAIN = "cnc-crm"
REFRESH = dt.timedelta(hours=1)
APP_HINT = "Addresses, customer and instructions are in the C&C CRM app."


@dataclass(frozen=True, slots=True)
class JourneyInfo:
    """What a feed may show of a journey (see the privacy note above)."""

    id: uuid.UUID
    number: str | None
    status: JourneyStatus
    scheduled_date: dt.date
    scheduled_start: dt.datetime | None
    estimated_hours: Decimal | None
    origin_city: str
    origin_province: str | None
    destination_city: str | None
    destination_province: str | None
    crew_size: int
    truck_unit: str | None
    branch: str
    tz: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    id: uuid.UUID
    type: ScheduleType
    status: ScheduleStatus
    priority: SchedulePriority
    title: str
    start_at: dt.datetime
    end_at: dt.datetime
    all_day: bool
    recurrence_rule: str | None
    branch: str
    tz: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    journey: JourneyInfo | None = None


@dataclass(frozen=True, slots=True)
class FeedContent:
    feed_id: uuid.UUID
    name: str
    schedules: Sequence[ScheduleInfo]
    journeys: Sequence[JourneyInfo]

    @property
    def max_version(self) -> int:
        versions = [s.version for s in self.schedules] + [j.version for j in self.journeys]
        versions += [s.journey.version for s in self.schedules if s.journey is not None]
        return max(versions, default=0)


def uid(table: str, row_id: uuid.UUID) -> str:
    return f"{table}-{row_id}@{UID_DOMAIN}"


def _place(city: str | None, province: str | None) -> str | None:
    if not city:
        return None
    return f"{city}, {province}" if province else city


def journey_summary(j: JourneyInfo) -> str:
    route = j.origin_city + (f" → {j.destination_city}" if j.destination_city else "")
    return f"Move {j.number or '(number on sync)'}: {route}"


def _journey_lines(j: JourneyInfo) -> list[str]:
    lines = [f"Status: {j.status.value.replace('_', ' ').title()}", f"Crew: {j.crew_size}"]
    if j.truck_unit:
        lines.append(f"Truck: {j.truck_unit}")
    to = _place(j.destination_city, j.destination_province)
    if to:
        lines.append(f"To: {to}")
    return [*lines, f"Branch: {j.branch}", APP_HINT]


def _local(at: dt.datetime, tz: str) -> dt.datetime:
    return at.astimezone(ZoneInfo(tz))


def _all_day(start: dt.datetime, end: dt.datetime, tz: str) -> tuple[dt.date, dt.date]:
    """Local dates of an all-day block; DTEND is exclusive (the day after the last one)."""
    first, last = _local(start, tz), _local(end, tz)
    end_day = last.date() if last.time() == dt.time(0) else last.date() + dt.timedelta(days=1)
    return first.date(), max(end_day, first.date() + dt.timedelta(days=1))


def _event(
    *,
    event_uid: str,
    summary: str,
    description: list[str],
    location: str | None,
    start: dt.date | dt.datetime,
    end: dt.date | dt.datetime,
    cancelled: bool,
    tentative: bool,
    version: int,
    created: dt.datetime,
    updated: dt.datetime,
) -> Event:
    event = Event.new(
        uid=event_uid,
        summary=summary,
        description="\n".join(description),
        location=location,
        start=start,
        end=end,
        stamp=updated.astimezone(dt.UTC),
        last_modified=updated.astimezone(dt.UTC),
        created=created.astimezone(dt.UTC),
        sequence=version,
    )
    event.add("status", "CANCELLED" if cancelled else "TENTATIVE" if tentative else "CONFIRMED")
    event.add("class", "PRIVATE")
    return event


def journey_event(j: JourneyInfo) -> Event:
    window = journey_window(j.scheduled_date, j.scheduled_start, j.estimated_hours, j.tz)
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    if j.scheduled_start is None:
        start, end = j.scheduled_date, j.scheduled_date + dt.timedelta(days=1)
    else:
        start, end = _local(window.start, j.tz), _local(window.end, j.tz)
    return _event(
        event_uid=uid("journey", j.id),
        summary=journey_summary(j),
        description=_journey_lines(j),
        location=_place(j.origin_city, j.origin_province),
        start=start,
        end=end,
        cancelled=j.status is JourneyStatus.CANCELLED,
        tentative=j.status is JourneyStatus.PLANNED,
        version=j.version,
        created=j.created_at,
        updated=j.updated_at,
    )


def schedule_event(s: ScheduleInfo) -> Event:
    j = s.journey
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    if s.all_day:
        start, end = _all_day(s.start_at, s.end_at, s.tz)
    else:
        start, end = _local(s.start_at, s.tz), _local(s.end_at, s.tz)
    kind = s.type.value.title()
    lines = [f"{kind} · priority {s.priority.value.lower()}", f"Branch: {s.branch}"]
    if j is not None:
        lines = [f"{kind} block for this move", *_journey_lines(j)]
    rule = None
    if s.recurrence_rule:
        try:
            rule = vRecur.from_ical(s.recurrence_rule.removeprefix("RRULE:"))
        except ValueError:
            rule = None
        if rule is None or "FREQ" not in rule:
            rule = None
            lines.append("Repeats (the rule could not be read; see the app)")
    event = _event(
        event_uid=uid("schedule", s.id),
        summary=journey_summary(j) if j is not None else s.title,
        description=lines,
        location=_place(j.origin_city, j.origin_province) if j is not None else s.branch,
        start=start,
        end=end,
        cancelled=s.status is ScheduleStatus.CANCELLED
        or (j is not None and j.status is JourneyStatus.CANCELLED),
        tentative=False,
        version=max(s.version, j.version if j is not None else 0),
        created=s.created_at,
        updated=max(s.updated_at, j.updated_at) if j is not None else s.updated_at,
    )
    if rule is not None:
        event.add("rrule", rule)
    return event


def build_calendar(content: FeedContent) -> bytes:
    """The VCALENDAR of a feed; the same content always gives the same bytes."""
    cal = Calendar.new(
        prodid=PRODID,
        uid=str(content.feed_id),
        name=content.name,
        method="PUBLISH",
        calscale="GREGORIAN",
        refresh_interval=REFRESH,
    )
    cal.add("x-published-ttl", vDuration(REFRESH))  # Outlook's spelling of REFRESH-INTERVAL
    events = [schedule_event(s) for s in content.schedules]
    events += [journey_event(j) for j in content.journeys]
    events.sort(key=lambda e: (str(e.get("dtstart").to_ical()), str(e["uid"])))
    days: list[dt.date] = []
    for event in events:
        cal.add_component(event)
        start = event.decoded("dtstart")
        days.append(start.date() if isinstance(start, dt.datetime) else start)
    if days:
        # A zone's rules a few years around the events (recurrences run on).
        cal.add_missing_timezones(
            first_date=dt.date(min(days).year - 1, 1, 1),
            last_date=dt.date(max(days).year + 4, 1, 1),
        )
    return cal.to_ical()


def etag(content: FeedContent, body: bytes) -> str:
    """Strong ETag: the feed's highest row version and a digest of the bytes served."""
    return f'"{content.max_version}-{hashlib.sha256(body).hexdigest()[:20]}"'
