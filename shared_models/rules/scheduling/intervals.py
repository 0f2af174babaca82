"""UTC intervals and the one conversion from a location's wall clock to UTC.

Every scheduling rule compares half-open UTC intervals ``[start, end)``: two
bookings touching at 12:00 do not overlap. Wall-clock times (working hours, a
dispatcher typing "08:00") become UTC through ``local_to_utc`` in the
location's IANA zone, which refuses what does not exist and resolves what is
ambiguous by one documented rule:

* a time in the spring-forward gap (America/Toronto 2026-03-08 02:30) never
  happens on the clock: refused with ``nonexistent_local_time``;
* a time in the fall-back overlap (America/Toronto 2026-11-01 01:30) happens
  twice: the **first** occurrence is taken (``fold=0``, still on daylight
  time), because a crew told "01:30" turns up at the first 01:30.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared_models.rules.errors import RuleViolation

__all__ = [
    "END_BEFORE_START",
    "NAIVE_DATETIME",
    "NONEXISTENT_LOCAL_TIME",
    "UNKNOWN_TIME_ZONE",
    "Interval",
    "is_ambiguous",
    "journey_window",
    "local_day",
    "local_interval",
    "local_to_utc",
    "zone",
]

NONEXISTENT_LOCAL_TIME: Final = "nonexistent_local_time"
UNKNOWN_TIME_ZONE: Final = "unknown_time_zone"
END_BEFORE_START: Final = "end_before_start"
NAIVE_DATETIME: Final = "naive_datetime"

UTC = dt.UTC


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ``unknown_time_zone`` when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuleViolation(
            UNKNOWN_TIME_ZONE, f"unknown time zone {name!r}", field="timezone"
        ) from exc


def _aware_utc(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise RuleViolation(
            NAIVE_DATETIME, f"{field} {value.isoformat()} has no time zone", field=field
        )
    return value.astimezone(UTC)


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open UTC window ``[start, end)``; an empty or reversed one is refused."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        start, end = _aware_utc(self.start, "start"), _aware_utc(self.end, "end")
        if end <= start:
            raise RuleViolation(
                END_BEFORE_START,
                f"the end {end.isoformat()} is not after the start {start.isoformat()}",
                field="end",
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start

    @property
    def minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)

    def overlaps(self, other: Interval) -> bool:
        """The one overlap test: ``a.start < b.end and b.start < a.end``."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def minutes_outside(self, covers: tuple[Interval, ...] | list[Interval]) -> int:
        """Whole minutes of this interval not covered by any of ``covers``."""
        inside = dt.timedelta(0)
        for piece in _merge(covers):
            lo, hi = max(self.start, piece.start), min(self.end, piece.end)
            if lo < hi:
                inside += hi - lo
        return int((self.duration - inside).total_seconds() // 60)

    def label(self, tz: str | None = None) -> str:
        """``08:00-14:00`` in ``tz`` (UTC if none), for messages."""
        z = zone(tz) if tz else UTC
        a, b = self.start.astimezone(z), self.end.astimezone(z)
        return f"{a:%H:%M}-{b:%H:%M}"


def _merge(intervals: tuple[Interval, ...] | list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for piece in sorted(intervals):
        if merged and piece.start <= merged[-1].end:
            if piece.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, piece.end)
        else:
            merged.append(piece)
    return merged


def is_ambiguous(day: dt.date, at: dt.time, tz: str) -> bool:
    """Whether ``day at`` happens twice on the clocks of ``tz`` (a fall-back hour)."""
    z = zone(tz)
    naive = dt.datetime.combine(day, at.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=z).utcoffset() != naive.replace(tzinfo=z, fold=1).utcoffset()


def local_to_utc(
    day: dt.date,
    at: dt.time,
    tz: str,
    *,
    field: str | None = None,
    shift_gap: bool = False,
) -> dt.datetime:
    """Wall-clock ``day at`` in ``tz`` as a UTC instant (see the module for DST rules).

    ``shift_gap`` is for recurring wall-clock times (working hours): a time in
    the gap is read with the offset before it, as RFC 5545 does for recurrences
    (02:30 on the spring-forward night becomes 03:30), instead of refused.
    """
    z = zone(tz)
    local = dt.datetime.combine(day, at.replace(tzinfo=None, fold=0)).replace(tzinfo=z)
    # fold=0 in a gap uses the offset before the transition (PEP 495).
    utc = local.astimezone(UTC)
    # A time in the gap does not survive the round trip: 02:30 comes back as 03:30.
    if not shift_gap and utc.astimezone(z).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise RuleViolation(
            NONEXISTENT_LOCAL_TIME,
            f"{day.isoformat()} {at:%H:%M} does not exist in {tz}: "
            "the clocks jump over it (daylight saving time starts)",
            field=field,
        )
    return utc


def local_interval(
    day: dt.date,
    start: dt.time,
    end: dt.time,
    tz: str,
    *,
    field: str | None = None,
    shift_gap: bool = False,
) -> Interval:
    """Wall-clock ``start``-``end`` on ``day`` in ``tz``; its length follows the real clock.

    A 00:00-06:00 shift on the night clocks spring forward lasts five hours.
    ``end`` 00:00 means the next midnight; otherwise ``end`` must be after ``start``.
    """
    begin = local_to_utc(day, start, tz, field=field, shift_gap=shift_gap)
    if end == dt.time(0, 0):
        finish = local_to_utc(day + dt.timedelta(days=1), end, tz, field=field, shift_gap=True)
    else:
        if end <= start:
            raise RuleViolation(
                END_BEFORE_START,
                f"the end {end:%H:%M} is not after the start {start:%H:%M}",
                field=field,
            )
        finish = local_to_utc(day, end, tz, field=field, shift_gap=shift_gap)
    return Interval(begin, finish)


def local_day(day: dt.date, tz: str) -> Interval:
    """Local midnight to local midnight of ``day`` in ``tz``: 23, 24 or 25 hours."""
    return local_interval(day, dt.time(0, 0), dt.time(0, 0), tz, shift_gap=True)


def journey_window(
    day: dt.date,
    start: dt.datetime | None,
    hours: Decimal | float | None,
    tz: str,
) -> Interval:
    """The time a journey holds its crew and truck.

    ``start`` + ``hours`` when both are known; from ``start`` to the end of the
    local day without an estimate; the whole local ``day`` without a start
    (a job with no time yet blocks its people for the day).
    """
    whole_day = local_day(day, tz)
    if start is None:
        return whole_day
    if hours is not None and Decimal(str(hours)) > 0:
        return Interval(start, start + dt.timedelta(minutes=float(Decimal(str(hours)) * 60)))
    return Interval(start, max(whole_day.end, start + dt.timedelta(minutes=1)))
