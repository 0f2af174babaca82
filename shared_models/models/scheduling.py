"""The dispatch calendar: bookings, time off, regular hours and flagged conflicts.

Times are UTC instants except ``WorkingHours``, which is wall-clock time in the
user's location time zone (a 07:00 start stays 07:00 across DST changes).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base, LocationScopedMixin, SyncedMixin
from shared_models.enums import (
    AvailabilityType,
    ConflictKind,
    SchedulePriority,
    ScheduleStatus,
    ScheduleType,
)

__all__ = ["Availability", "Schedule", "ScheduleConflict", "WorkingHours"]


class Schedule(SyncedMixin, LocationScopedMixin, Base):
    """A block on the dispatch board: a person and/or a unit busy for a window.

    ``all_day`` blocks run from local midnight to local midnight of the
    location's time zone, stored as the matching UTC instants.
    """

    __tablename__ = "schedule"

    type: Mapped[ScheduleType]
    status: Mapped[ScheduleStatus] = mapped_column(default=ScheduleStatus.SCHEDULED)
    priority: Mapped[SchedulePriority] = mapped_column(default=SchedulePriority.NORMAL)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    start_at: Mapped[dt.datetime]
    end_at: Mapped[dt.datetime]
    all_day: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    equipment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("equipment.id", ondelete="RESTRICT")
    )
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journey.id", ondelete="RESTRICT")
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    #: RFC 5545 RRULE (e.g. ``FREQ=WEEKLY;BYDAY=MO``); occurrences are expanded on read.
    recurrence_rule: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        Index("ix_schedule_tenant_location_start", "tenant_id", "location_id", "start_at"),
        Index("ix_schedule_tenant_user_start", "tenant_id", "user_id", "start_at"),
        Index("ix_schedule_tenant_equipment_start", "tenant_id", "equipment_id", "start_at"),
        Index("ix_schedule_tenant_journey", "tenant_id", "journey_id"),
    )


class Availability(SyncedMixin, Base):
    """Time a person cannot be booked (vacation, sick day, training).

    Pending until approved (``approved_at`` NULL); sick days may be recorded
    already approved. Follows the user into their location's ops bucket.
    """

    __tablename__ = "availability"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    type: Mapped[AvailabilityType]
    start_at: Mapped[dt.datetime]
    end_at: Mapped[dt.datetime]
    reason: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )
    approved_at: Mapped[dt.datetime | None]

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint("(approved_by IS NULL) = (approved_at IS NULL)", name="approval_complete"),
        Index("ix_availability_tenant_user_start", "tenant_id", "user_id", "start_at"),
    )


class WorkingHours(SyncedMixin, Base):
    """One regular shift of a user's week; several rows per day allow split shifts.

    ``weekday`` is 0 = Monday .. 6 = Sunday (Python's ``date.weekday()``). A
    night shift crossing midnight is two rows.
    """

    __tablename__ = "working_hours"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_time: Mapped[dt.time] = mapped_column(Time())
    end_time: Mapped[dt.time] = mapped_column(Time())
    #: Optional validity window, for seasonal rosters (summer peak hours).
    effective_from: Mapped[dt.date | None]
    effective_to: Mapped[dt.date | None]

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("end_time > start_time", name="end_after_start"),
        CheckConstraint(
            "effective_to IS NULL OR effective_from IS NULL OR effective_to >= effective_from",
            name="effective_range",
        ),
        Index("ix_working_hours_tenant_user_weekday", "tenant_id", "user_id", "weekday"),
    )


class ScheduleConflict(SyncedMixin, LocationScopedMixin, Base):
    """A double booking or staffing problem accepted from a push and flagged (DESIGN 6.5).

    Written by the server's detector; a dispatcher resolves it (possibly
    offline). ``resolved_by`` stays NULL when the detector clears it itself
    because the overlap went away.
    """

    __tablename__ = "schedule_conflict"

    kind: Mapped[ConflictKind]
    schedule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("schedule.id", ondelete="RESTRICT")
    )
    #: The other booking of a double booking.
    other_schedule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("schedule.id", ondelete="RESTRICT")
    )
    #: The time off a booking falls into (DURING_TIME_OFF).
    availability_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("availability.id", ondelete="RESTRICT")
    )
    #: The contested resource: a person or a unit.
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    equipment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("equipment.id", ondelete="RESTRICT")
    )
    #: The job concerned (crew too small, no crew lead).
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journey.id", ondelete="RESTRICT")
    )
    #: The other job of a journey double booking (set by the server, never by a client).
    other_journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journey.id", ondelete="RESTRICT")
    )
    detected_at: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )
    #: When the server saw an accepted (hand-resolved) double booking's pair apart: a
    #: later overlap of the same pair is then a new double booking, flagged anew.
    pair_ended_at: Mapped[dt.datetime | None]
    #: Free text for people; no code reads state from it.
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("schedule_id IS NOT NULL OR journey_id IS NOT NULL", name="has_subject"),
        CheckConstraint(
            "other_schedule_id IS NULL OR other_schedule_id <> schedule_id", name="distinct_pair"
        ),
        CheckConstraint("resolved_by IS NULL OR resolved_at IS NOT NULL", name="resolver_has_time"),
        Index(
            "ix_schedule_conflict_tenant_location_open",
            "tenant_id",
            "location_id",
            "resolved_at",
        ),
        Index("ix_schedule_conflict_tenant_schedule", "tenant_id", "schedule_id"),
        # The double-booking resolver finds a touched job's flags on either side.
        Index("ix_schedule_conflict_tenant_journey", "tenant_id", "journey_id"),
        Index("ix_schedule_conflict_tenant_other_journey", "tenant_id", "other_journey_id"),
    )
