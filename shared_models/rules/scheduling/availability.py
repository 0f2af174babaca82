"""Time off and regular working hours: validation and what they mean on one day.

Time off (``Availability`` rows) is stored in UTC; working hours are wall-clock
times of the user's location and become UTC per day through ``local_interval``,
so a 07:00 start stays 07:00 across a change of clocks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import Final

from shared_models.enums import AvailabilityType
from shared_models.rules.errors import RuleViolation
from shared_models.rules.scheduling.intervals import END_BEFORE_START, Interval, local_interval

__all__ = [
    "INVALID_WEEKDAY",
    "OVERLAPPING_AVAILABILITY",
    "OVERLAPPING_WORKING_HOURS",
    "TimeOff",
    "WorkingShift",
    "time_off_during",
    "validate_time_off",
    "validate_working_hours",
    "working_intervals",
]

OVERLAPPING_AVAILABILITY: Final = "overlapping_availability"
OVERLAPPING_WORKING_HOURS: Final = "overlapping_working_hours"
INVALID_WEEKDAY: Final = "invalid_weekday"


@dataclass(frozen=True)
class TimeOff:
    """One ``Availability`` row: a person who cannot be booked in ``[start_at, end_at)``.

    A pending request (not yet approved) still counts: dispatch should not
    plan on someone who asked for the day off.
    """

    id: uuid.UUID
    user_id: uuid.UUID
    type: AvailabilityType
    start_at: dt.datetime
    end_at: dt.datetime
    approved: bool = True

    @property
    def interval(self) -> Interval:
        """The UTC window; ``end_before_start`` when it is empty or reversed."""
        return Interval(self.start_at, self.end_at)


@dataclass(frozen=True)
class WorkingShift:
    """One ``WorkingHours`` row: a regular wall-clock shift on a weekday (0 = Monday)."""

    user_id: uuid.UUID
    weekday: int
    start_time: dt.time
    end_time: dt.time
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    id: uuid.UUID | None = None

    def applies_on(self, day: dt.date) -> bool:
        if day.weekday() != self.weekday:
            return False
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


def validate_time_off(entries: Iterable[TimeOff]) -> None:
    """Refuse a reversed entry or two overlapping entries of one person.

    Two overlapping requests would count the same hours twice in leave
    balances; the person edits the first instead.
    """
    by_user: dict[uuid.UUID, list[tuple[Interval, TimeOff]]] = defaultdict(list)
    for entry in entries:
        try:
            interval = entry.interval
        except RuleViolation as exc:
            raise RuleViolation(
                exc.code, f"time off {entry.id}: {exc.message}", field="end_at"
            ) from exc
        by_user[entry.user_id].append((interval, entry))
    for items in by_user.values():
        items.sort(key=lambda pair: pair[0])
        for (a, first), (b, second) in pairwise(items):
            if a.overlaps(b):
                raise RuleViolation(
                    OVERLAPPING_AVAILABILITY,
                    f"time off {second.id} ({b.start.isoformat()} to {b.end.isoformat()}) "
                    f"overlaps time off {first.id} of the same person "
                    f"({a.start.isoformat()} to {a.end.isoformat()})",
                    field="start_at",
                )


def validate_working_hours(shifts: Sequence[WorkingShift]) -> None:
    """Refuse a bad weekday, a shift ending before it starts, or overlapping shifts.

    Split shifts are fine (08:00-12:00 and 13:00-17:00); two rows of one
    person covering the same minutes of a weekday in overlapping validity
    windows are not. A night shift crossing midnight is two rows.
    """
    for shift in shifts:
        if not 0 <= shift.weekday <= 6:
            raise RuleViolation(
                INVALID_WEEKDAY,
                f"weekday {shift.weekday} is not 0 (Monday) to 6 (Sunday)",
                field="weekday",
            )
        if shift.end_time <= shift.start_time:
            raise RuleViolation(
                END_BEFORE_START,
                f"the shift ends at {shift.end_time:%H:%M}, "
                f"not after its start {shift.start_time:%H:%M}",
                field="end_time",
            )
        if (
            shift.effective_from is not None
            and shift.effective_to is not None
            and shift.effective_to < shift.effective_from
        ):
            raise RuleViolation(
                END_BEFORE_START,
                f"the shift stops applying on {shift.effective_to} "
                f"before it starts applying on {shift.effective_from}",
                field="effective_to",
            )
    for a, b in combinations(shifts, 2):
        if a.user_id != b.user_id or a.weekday != b.weekday:
            continue
        same_minutes = a.start_time < b.end_time and b.start_time < a.end_time
        if same_minutes and _validity_overlaps(a, b):
            raise RuleViolation(
                OVERLAPPING_WORKING_HOURS,
                f"shifts {a.start_time:%H:%M}-{a.end_time:%H:%M} and "
                f"{b.start_time:%H:%M}-{b.end_time:%H:%M} of one person overlap on weekday "
                f"{a.weekday}",
                field="start_time",
            )


def _validity_overlaps(a: WorkingShift, b: WorkingShift) -> bool:
    lo = max(a.effective_from or dt.date.min, b.effective_from or dt.date.min)
    hi = min(a.effective_to or dt.date.max, b.effective_to or dt.date.max)
    return lo <= hi


def working_intervals(
    shifts: Iterable[WorkingShift], user_id: uuid.UUID, day: dt.date, tz: str
) -> tuple[Interval, ...]:
    """The UTC windows ``user_id`` regularly works on ``day`` in zone ``tz``, in order."""
    return tuple(
        sorted(
            local_interval(day, s.start_time, s.end_time, tz, field="start_time", shift_gap=True)
            for s in shifts
            if s.user_id == user_id and s.applies_on(day)
        )
    )


def time_off_during(
    entries: Iterable[TimeOff], user_id: uuid.UUID, window: Interval
) -> list[TimeOff]:
    """The time-off entries of ``user_id`` that overlap ``window``."""
    return [e for e in entries if e.user_id == user_id and e.interval.overlaps(window)]
