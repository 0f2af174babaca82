"""Schedules and availability (spec Phase 4).

Values are the spec's, verbatim; a value is its own name so the wire, the
database and the UI all read the same text.
"""

from __future__ import annotations

import enum


class ScheduleStatus(enum.StrEnum):
    SCHEDULED = "SCHEDULED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    RESCHEDULED = "RESCHEDULED"


class ScheduleType(enum.StrEnum):
    JOURNEY = "JOURNEY"
    MAINTENANCE = "MAINTENANCE"
    TRAINING = "TRAINING"
    MEETING = "MEETING"
    OTHER = "OTHER"


class SchedulePriority(enum.StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class AvailabilityType(enum.StrEnum):
    PERSONAL = "PERSONAL"
    SICK = "SICK"
    VACATION = "VACATION"
    TRAINING = "TRAINING"
    MAINTENANCE = "MAINTENANCE"
    OTHER = "OTHER"


class ConflictKind(enum.StrEnum):
    """Domain conflicts flagged for a dispatcher, never refused (DESIGN 6.5)."""

    DOUBLE_BOOKED_PERSON = "DOUBLE_BOOKED_PERSON"
    DOUBLE_BOOKED_EQUIPMENT = "DOUBLE_BOOKED_EQUIPMENT"
    DURING_TIME_OFF = "DURING_TIME_OFF"
    EQUIPMENT_OUT_OF_SERVICE = "EQUIPMENT_OUT_OF_SERVICE"
    CREW_TOO_SMALL = "CREW_TOO_SMALL"
    CREW_LEAD_MISSING = "CREW_LEAD_MISSING"
    OUTSIDE_WORKING_HOURS = "OUTSIDE_WORKING_HOURS"
    DRIVER_NOT_LICENSED = "DRIVER_NOT_LICENSED"
    TRUCK_TOO_SMALL = "TRUCK_TOO_SMALL"
