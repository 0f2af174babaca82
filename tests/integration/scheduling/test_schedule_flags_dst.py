"""Flags on the days Toronto changes its clocks: judged by the local wall clock.

2026-11-01 has 25 hours (01:00-02:00 happens twice), 2026-03-08 has 23 (02:00
jumps to 03:00). A rule that took a day as 24 UTC hours, or read working hours
with the wrong offset, would be an hour off on both.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.integration.scheduling.conftest import (  # noqa: F401  (fixtures)
    Board,
    board,
    engine,
    pusher,
    world,
    write_db_url,
)

UTC = dt.UTC
FALL_BACK, SPRING_FORWARD = dt.date(2026, 11, 1), dt.date(2026, 3, 8)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_time_off_for_the_whole_25_hour_day_covers_its_last_hour(board: Board) -> None:  # noqa: F811
    # Local midnight to local midnight: 04:00 UTC (EDT) to 05:00 UTC the next day (EST).
    off = board.insert(
        "availability",
        user_id=board.people["mo"],
        type="PERSONAL",
        start_at=utc(2026, 11, 1, 4),
        end_at=utc(2026, 11, 2, 5),
    )
    late = board.journey(FALL_BACK, utc(2026, 11, 2, 4, 15), estimated_hours=Decimal("0.5"))
    board.crew(late, "mo")  # 23:15-23:45 EST on the 1st: inside the 25th hour
    next_day = board.journey(
        dt.date(2026, 11, 2), utc(2026, 11, 2, 5, 15), estimated_hours=Decimal(1)
    )
    board.crew(next_day, "mo")  # 00:15 on the 2nd: the time off is over
    [flag] = board.flags("DURING_TIME_OFF")
    assert (flag.journey_id, flag.availability_id) == (late, off)
    assert "23:15-23:45" in flag.note  # worded on the local clock, EST after the change


def test_a_job_without_a_start_holds_the_whole_25_hour_day(board: Board) -> None:  # noqa: F811
    board.insert(
        "availability",
        user_id=board.people["lee"],
        type="PERSONAL",
        start_at=utc(2026, 11, 2, 4, 30),  # 23:30 EST on the 1st
        end_at=utc(2026, 11, 2, 6),
    )
    journey = board.journey(FALL_BACK)
    board.crew(journey, "lee", "LEAD")
    [flag] = board.flags("DURING_TIME_OFF")
    assert flag.journey_id == journey and flag.user_id == board.people["lee"]


def test_working_hours_on_the_23_hour_day_follow_the_new_offset(board: Board) -> None:  # noqa: F811
    for person in ("mo", "lee"):
        board.shift(person, SPRING_FORWARD.weekday(), dt.time(7), dt.time(15))
    fits = board.journey(SPRING_FORWARD, utc(2026, 3, 8, 11), estimated_hours=Decimal(8))
    board.crew(fits, "mo")  # 07:00-15:00 EDT exactly
    early = board.journey(SPRING_FORWARD, utc(2026, 3, 8, 10), estimated_hours=Decimal(4))
    board.crew(early, "lee", "LEAD")  # 06:00-10:00 EDT: one hour before the shift
    [flag] = board.flags("OUTSIDE_WORKING_HOURS")
    assert (flag.journey_id, flag.user_id) == (early, board.people["lee"])
    assert "60 min outside" in flag.note and "06:00-10:00" in flag.note
