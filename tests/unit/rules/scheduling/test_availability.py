"""Time off and working hours: what is refused, and what a day's hours are in UTC."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from shared_models.enums import AvailabilityType
from shared_models.rules.errors import RuleViolation
from shared_models.rules.scheduling import (
    Interval,
    TimeOff,
    WorkingShift,
    time_off_during,
    validate_time_off,
    validate_working_hours,
    working_intervals,
)

UTC = dt.UTC
ANN, BOB = uuid.uuid4(), uuid.uuid4()


def _off(user: uuid.UUID, start_h: int, end_h: int, day: int = 1) -> TimeOff:
    base = dt.datetime(2026, 7, day, tzinfo=UTC)
    return TimeOff(
        uuid.uuid4(),
        user,
        AvailabilityType.VACATION,
        base + dt.timedelta(hours=start_h),
        base + dt.timedelta(hours=end_h),
    )


def test_overlapping_time_off_of_one_person_is_refused() -> None:
    with pytest.raises(RuleViolation) as err:
        validate_time_off([_off(ANN, 8, 12), _off(ANN, 11, 15)])
    assert err.value.code == "overlapping_availability"


def test_a_long_entry_covering_a_later_one_is_refused() -> None:
    with pytest.raises(RuleViolation) as err:
        validate_time_off([_off(ANN, 30, 32), _off(ANN, 0, 72), _off(ANN, 80, 90)])
    assert err.value.code == "overlapping_availability"


def test_touching_entries_and_other_people_are_fine() -> None:
    validate_time_off([_off(ANN, 8, 12), _off(ANN, 12, 15), _off(BOB, 9, 14)])


def test_time_off_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(RuleViolation) as err:
        validate_time_off([_off(ANN, 12, 8)])
    assert err.value.code == "end_before_start"


def test_working_hours_validation() -> None:
    ok = [
        WorkingShift(ANN, 0, dt.time(8), dt.time(12)),
        WorkingShift(ANN, 0, dt.time(13), dt.time(17)),
        WorkingShift(BOB, 0, dt.time(8), dt.time(17)),
    ]
    validate_working_hours(ok)
    cases = [
        (WorkingShift(ANN, 7, dt.time(8), dt.time(12)), "invalid_weekday"),
        (WorkingShift(ANN, 1, dt.time(12), dt.time(8)), "end_before_start"),
        (WorkingShift(ANN, 0, dt.time(11), dt.time(14)), "overlapping_working_hours"),
        (
            WorkingShift(ANN, 2, dt.time(8), dt.time(9), dt.date(2026, 7, 1), dt.date(2026, 6, 1)),
            "end_before_start",
        ),
    ]
    for bad, code in cases:
        with pytest.raises(RuleViolation) as err:
            validate_working_hours([*ok, bad])
        assert err.value.code == code


def test_seasonal_rosters_may_cover_the_same_hours_in_different_months() -> None:
    summer = WorkingShift(
        ANN, 0, dt.time(7), dt.time(17), dt.date(2026, 6, 1), dt.date(2026, 8, 31)
    )
    winter = WorkingShift(ANN, 0, dt.time(8), dt.time(16), dt.date(2026, 9, 1), None)
    validate_working_hours([summer, winter])
    monday = dt.date(2026, 7, 6)
    hours = working_intervals([summer, winter], ANN, monday, "America/Toronto")
    assert hours == (
        Interval(dt.datetime(2026, 7, 6, 11, tzinfo=UTC), dt.datetime(2026, 7, 6, 21, tzinfo=UTC)),
    )
    assert working_intervals([summer, winter], ANN, dt.date(2026, 7, 7), "America/Toronto") == ()


def test_working_hours_keep_their_wall_clock_across_dst() -> None:
    shift = WorkingShift(ANN, 6, dt.time(7), dt.time(15))  # Sundays 07:00-15:00
    before = working_intervals([shift], ANN, dt.date(2026, 3, 1), "America/Toronto")[0]
    after = working_intervals([shift], ANN, dt.date(2026, 3, 8), "America/Toronto")[0]
    assert before.start.hour == 12 and after.start.hour == 11  # EST then EDT
    night = WorkingShift(ANN, 6, dt.time(1), dt.time(5))  # crosses the 02:00 jump
    assert working_intervals([night], ANN, dt.date(2026, 3, 8), "America/Toronto")[
        0
    ].duration == dt.timedelta(hours=3)


def test_time_off_during_a_window() -> None:
    entries = [_off(ANN, 8, 12), _off(BOB, 8, 12), _off(ANN, 20, 22)]
    window = Interval(
        dt.datetime(2026, 7, 1, 11, tzinfo=UTC), dt.datetime(2026, 7, 1, 13, tzinfo=UTC)
    )
    assert time_off_during(entries, ANN, window) == [entries[0]]
