"""Wall clock to UTC in a location's zone, including the two days clocks change."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from shared_models.rules.errors import RuleViolation
from shared_models.rules.scheduling import (
    Interval,
    is_ambiguous,
    journey_window,
    local_day,
    local_interval,
    local_to_utc,
)

TO = "America/Toronto"
SPRING, FALL = dt.date(2026, 3, 8), dt.date(2026, 11, 1)
UTC = dt.UTC


def test_spring_forward_gap_time_is_refused() -> None:
    with pytest.raises(RuleViolation) as err:
        local_to_utc(SPRING, dt.time(2, 30), TO)
    assert err.value.code == "nonexistent_local_time"
    assert "2026-03-08 02:30" in err.value.message


def test_times_either_side_of_the_gap_exist() -> None:
    assert local_to_utc(SPRING, dt.time(1, 59), TO) == dt.datetime(2026, 3, 8, 6, 59, tzinfo=UTC)
    assert local_to_utc(SPRING, dt.time(3, 0), TO) == dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_recurring_times_in_the_gap_shift_forward() -> None:
    # RFC 5545 reading for working hours: 02:30 EST is 07:30 UTC, which is 03:30 EDT.
    assert local_to_utc(SPRING, dt.time(2, 30), TO, shift_gap=True) == dt.datetime(
        2026, 3, 8, 7, 30, tzinfo=UTC
    )


def test_fall_back_time_is_ambiguous_and_takes_the_first_occurrence() -> None:
    assert is_ambiguous(FALL, dt.time(1, 30), TO)
    assert not is_ambiguous(FALL, dt.time(2, 30), TO)
    # 01:30 EDT (-4) comes first; 01:30 EST (-5) an hour later is not chosen.
    assert local_to_utc(FALL, dt.time(1, 30), TO) == dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    # fold=1 passed in does not change the rule.
    assert local_to_utc(FALL, dt.time(1, 30, fold=1), TO) == dt.datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_shift_spanning_the_change_has_its_real_length() -> None:
    assert local_interval(SPRING, dt.time(0), dt.time(6), TO).duration == dt.timedelta(hours=5)
    assert local_interval(FALL, dt.time(0), dt.time(6), TO).duration == dt.timedelta(hours=7)
    assert local_interval(FALL, dt.time(8), dt.time(16), TO).duration == dt.timedelta(hours=8)


def test_local_days_are_23_24_and_25_hours() -> None:
    assert local_day(SPRING, TO).duration == dt.timedelta(hours=23)
    assert local_day(FALL, TO).duration == dt.timedelta(hours=25)
    assert local_day(dt.date(2026, 7, 1), TO).duration == dt.timedelta(hours=24)
    # Saskatchewan never changes its clocks.
    assert local_day(SPRING, "America/Regina").duration == dt.timedelta(hours=24)


def test_end_before_start_is_refused() -> None:
    with pytest.raises(RuleViolation) as err:
        local_interval(dt.date(2026, 7, 1), dt.time(14), dt.time(8), TO)
    assert err.value.code == "end_before_start"
    start = dt.datetime(2026, 7, 1, 12, tzinfo=UTC)
    with pytest.raises(RuleViolation) as err:
        Interval(start, start)
    assert err.value.code == "end_before_start"


def test_naive_datetimes_and_unknown_zones_are_refused() -> None:
    with pytest.raises(RuleViolation) as err:
        Interval(dt.datetime(2026, 7, 1, 8), dt.datetime(2026, 7, 1, 9))
    assert err.value.code == "naive_datetime"
    with pytest.raises(RuleViolation) as err:
        local_to_utc(dt.date(2026, 7, 1), dt.time(8), "Mars/Olympus_Mons")
    assert err.value.code == "unknown_time_zone"


def test_overlap_is_half_open() -> None:
    t = dt.datetime(2026, 7, 1, 12, tzinfo=UTC)
    h = dt.timedelta(hours=1)
    assert not Interval(t, t + h).overlaps(Interval(t + h, t + 2 * h))
    assert Interval(t, t + h).overlaps(Interval(t + h / 2, t + 2 * h))
    assert Interval(t, t + 4 * h).minutes_outside([Interval(t + h, t + 2 * h)]) == 180


def test_journey_window_rules() -> None:
    day = dt.date(2026, 7, 1)
    start = dt.datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert journey_window(day, None, None, TO) == local_day(day, TO)
    assert journey_window(day, start, 3.5, TO) == Interval(start, start + dt.timedelta(hours=3.5))
    assert journey_window(day, start, None, TO).end == local_day(day, TO).end


def test_scheduling_rules_import_no_io_or_solver() -> None:
    code = (
        "import sys, shared_models.rules.scheduling\n"
        "bad = [m for m in ('sqlalchemy', 'fastapi', 'ortools', 'PySide6', 'psycopg')"
        " if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
