"""Scheduling rules shared by the desktop client and the server: pure, no I/O.

``intervals`` turns a location's wall clock into UTC (DST handled explicitly);
``availability`` validates time off and working hours; ``resources`` says
whether a truck can go out and who may drive it; ``conflicts`` finds a day's
double bookings and staffing problems as typed ``Conflict`` values.
"""

from __future__ import annotations

from shared_models.rules.scheduling.availability import (
    INVALID_WEEKDAY,
    OVERLAPPING_AVAILABILITY,
    OVERLAPPING_WORKING_HOURS,
    TimeOff,
    WorkingShift,
    time_off_during,
    validate_time_off,
    validate_working_hours,
    working_intervals,
)
from shared_models.rules.scheduling.conflict_types import (
    Conflict,
    ConflictRule,
    Severity,
    identity_of,
)
from shared_models.rules.scheduling.conflicts import (
    COMMITTED_STATUSES,
    STAFFING_RULES,
    Booking,
    CrewMember,
    DayData,
    JourneyPlan,
    PersonInfo,
    ScheduleBlock,
    bookings_of,
    detect_conflicts,
    driver_matching,
    find_double_bookings,
    flaggable_conflicts,
)
from shared_models.rules.scheduling.intervals import (
    END_BEFORE_START,
    NAIVE_DATETIME,
    NONEXISTENT_LOCAL_TIME,
    UNKNOWN_TIME_ZONE,
    Interval,
    is_ambiguous,
    journey_window,
    local_day,
    local_interval,
    local_to_utc,
    zone,
)
from shared_models.rules.scheduling.resources import (
    LICENCE_COVERS,
    CheckState,
    DriverInfo,
    MaintenanceState,
    TruckInfo,
    keeps_unit_out,
    licence_covers,
    maintenance_hold,
    may_drive,
    out_of_service_reason,
)

__all__ = [
    "COMMITTED_STATUSES",
    "END_BEFORE_START",
    "INVALID_WEEKDAY",
    "LICENCE_COVERS",
    "NAIVE_DATETIME",
    "NONEXISTENT_LOCAL_TIME",
    "OVERLAPPING_AVAILABILITY",
    "OVERLAPPING_WORKING_HOURS",
    "STAFFING_RULES",
    "UNKNOWN_TIME_ZONE",
    "Booking",
    "CheckState",
    "Conflict",
    "ConflictRule",
    "CrewMember",
    "DayData",
    "DriverInfo",
    "Interval",
    "JourneyPlan",
    "MaintenanceState",
    "PersonInfo",
    "ScheduleBlock",
    "Severity",
    "TimeOff",
    "TruckInfo",
    "WorkingShift",
    "bookings_of",
    "detect_conflicts",
    "driver_matching",
    "find_double_bookings",
    "flaggable_conflicts",
    "identity_of",
    "is_ambiguous",
    "journey_window",
    "keeps_unit_out",
    "licence_covers",
    "local_day",
    "local_interval",
    "local_to_utc",
    "maintenance_hold",
    "may_drive",
    "out_of_service_reason",
    "time_off_during",
    "validate_time_off",
    "validate_working_hours",
    "working_intervals",
    "zone",
]
