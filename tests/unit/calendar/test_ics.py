"""The feed document parsed back with ``icalendar``: events, UIDs, times, zones, privacy."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from shared_models.enums import JourneyStatus, SchedulePriority, ScheduleStatus, ScheduleType
from sync_server.calendar.ics import (
    FeedContent,
    JourneyInfo,
    ScheduleInfo,
    build_calendar,
    etag,
    uid,
)

UTC = dt.UTC
TORONTO = ZoneInfo("America/Toronto")
MADE = dt.datetime(2026, 2, 1, 12, tzinfo=UTC)
FEED = uuid.UUID(int=7)

JOURNEY = JourneyInfo(
    id=uuid.UUID(int=1),
    number="J-0000042",
    status=JourneyStatus.CONFIRMED,
    scheduled_date=dt.date(2026, 3, 8),  # clocks go forward at 02:00 in Toronto
    scheduled_start=dt.datetime(2026, 3, 8, 12, 30, tzinfo=UTC),  # 08:30 EDT
    estimated_hours=Decimal("6.5"),
    origin_city="Toronto",
    origin_province="ON",
    destination_city="Ottawa",
    destination_province="ON",
    crew_size=3,
    truck_unit="T-14",
    branch="Toronto HQ",
    tz="America/Toronto",
    version=41,
    created_at=MADE,
    updated_at=MADE + dt.timedelta(days=3),
)
TRAINING = ScheduleInfo(
    id=uuid.UUID(int=2),
    type=ScheduleType.TRAINING,
    status=ScheduleStatus.SCHEDULED,
    priority=SchedulePriority.HIGH,
    title="Forklift refresher",
    start_at=dt.datetime(2026, 3, 2, 14, tzinfo=UTC),  # 09:00 EST
    end_at=dt.datetime(2026, 3, 2, 16, tzinfo=UTC),
    all_day=False,
    recurrence_rule="FREQ=WEEKLY;BYDAY=MO;COUNT=4",
    branch="Toronto HQ",
    tz="America/Toronto",
    version=12,
    created_at=MADE,
    updated_at=MADE,
)


def _parse(content: FeedContent) -> tuple[Calendar, dict[str, Any]]:
    cal = Calendar.from_ical(build_calendar(content))
    return cal, {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_feed_parses_back_with_one_event_per_row() -> None:
    cal, events = _parse(FeedContent(FEED, "Ann's jobs", [TRAINING], [JOURNEY]))
    assert str(cal["version"]) == "2.0" and str(cal["method"]) == "PUBLISH"
    assert str(cal["x-wr-calname"]) == "Ann's jobs"
    assert set(events) == {uid("journey", JOURNEY.id), uid("schedule", TRAINING.id)}
    move = events[uid("journey", JOURNEY.id)]
    assert str(move["summary"]) == "Move J-0000042: Toronto → Ottawa"
    assert str(move["location"]) == "Toronto, ON"
    assert str(move["status"]) == "CONFIRMED" and str(move["class"]) == "PRIVATE"
    assert move.decoded("sequence") == 41
    assert move.decoded("last-modified") == JOURNEY.updated_at
    assert move.decoded("dtstamp") == JOURNEY.updated_at


def test_times_carry_the_branch_zone_across_dst() -> None:
    cal, events = _parse(FeedContent(FEED, "x", [TRAINING], [JOURNEY]))
    move = events[uid("journey", JOURNEY.id)]
    start, end = move.decoded("dtstart"), move.decoded("dtend")
    assert move["dtstart"].params["TZID"] == "America/Toronto"
    assert (start.hour, start.minute) == (8, 30)  # EDT, the morning the clocks changed
    assert start == JOURNEY.scheduled_start
    assert end - start == dt.timedelta(hours=6, minutes=30)
    training = events[uid("schedule", TRAINING.id)].decoded("dtstart")
    assert training.hour == 9 and training == TRAINING.start_at  # EST the week before
    # the VTIMEZONE travels with the feed and knows both offsets
    [zone] = cal.timezones
    assert str(zone["tzid"]) == "America/Toronto"
    tz = zone.to_tz()
    assert tz.utcoffset(dt.datetime(2026, 1, 15, 12)) == dt.timedelta(hours=-5)
    assert tz.utcoffset(dt.datetime(2026, 7, 15, 12)) == dt.timedelta(hours=-4)
    rule: Any = events[uid("schedule", TRAINING.id)]["rrule"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["COUNT"] == [4]


def test_a_job_without_start_time_is_an_all_day_event() -> None:
    _, events = _parse(FeedContent(FEED, "x", [], [replace(JOURNEY, scheduled_start=None)]))
    move = events[uid("journey", JOURNEY.id)]
    assert move.decoded("dtstart") == dt.date(2026, 3, 8)
    assert move.decoded("dtend") == dt.date(2026, 3, 9)


def test_all_day_blocks_use_local_dates() -> None:
    local_midnight = dt.datetime(2026, 11, 1, tzinfo=TORONTO).astimezone(UTC)  # fall back day
    block = replace(
        TRAINING,
        all_day=True,
        recurrence_rule=None,
        start_at=local_midnight,
        end_at=dt.datetime(2026, 11, 3, tzinfo=TORONTO).astimezone(UTC),
    )
    _, events = _parse(FeedContent(FEED, "x", [block], []))
    ev = events[uid("schedule", block.id)]
    assert (ev.decoded("dtstart"), ev.decoded("dtend")) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 3),
    )


def test_cancelled_rows_stay_as_cancelled_and_planned_is_tentative() -> None:
    _, events = _parse(
        FeedContent(
            FEED,
            "x",
            [replace(TRAINING, status=ScheduleStatus.CANCELLED)],
            [replace(JOURNEY, status=JourneyStatus.PLANNED)],
        )
    )
    assert str(events[uid("schedule", TRAINING.id)]["status"]) == "CANCELLED"
    assert str(events[uid("journey", JOURNEY.id)]["status"]) == "TENTATIVE"


def test_a_block_for_a_move_shows_the_move_not_its_title() -> None:
    block = replace(
        TRAINING,
        type=ScheduleType.JOURNEY,
        title="Move for Mrs Tremblay, 12 Elm St",
        recurrence_rule=None,
        journey=JOURNEY,
        version=5,
    )
    body = build_calendar(FeedContent(FEED, "x", [block], []))
    assert b"Tremblay" not in body and b"Elm" not in body
    ev = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(ev["summary"]) == "Move J-0000042: Toronto → Ottawa"
    assert ev.decoded("sequence") == 41  # the journey's change bumps its blocks too


def test_output_is_deterministic_and_the_etag_follows_content() -> None:
    content = FeedContent(FEED, "x", [TRAINING], [JOURNEY])
    body = build_calendar(content)
    assert build_calendar(content) == body
    assert etag(content, body).startswith('"41-')
    changed = FeedContent(FEED, "x", [TRAINING], [replace(JOURNEY, version=50, crew_size=4)])
    assert etag(changed, build_calendar(changed)).startswith('"50-')
    assert etag(changed, build_calendar(changed)) != etag(content, body)


def test_a_bad_recurrence_rule_does_not_break_the_feed() -> None:
    _, events = _parse(
        FeedContent(FEED, "x", [replace(TRAINING, recurrence_rule="EVERY MONDAY")], [])
    )
    ev = events[uid("schedule", TRAINING.id)]
    assert "rrule" not in ev and "could not be read" in str(ev["description"])


def test_empty_feed_is_a_valid_calendar() -> None:
    cal = Calendar.from_ical(build_calendar(FeedContent(FEED, "Empty", [], [])))
    assert cal.walk("VEVENT") == [] and cal.walk("VTIMEZONE") == []


def test_feed_tokens_never_reach_the_access_log() -> None:
    from sync_server.api.middleware import _log_path

    token = "k8slvCUAYNh4GOlP-RT_HOq-8KWpUr0u2-hhC_UTFTw"
    assert _log_path({"path": f"/v1/calendar/{token}.ics"}) == "/v1/calendar/<token>.ics"
    assert _log_path({"path": "/v1/calendar/feeds"}) == "/v1/calendar/feeds"
