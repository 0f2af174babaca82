"""What judging bookings needs besides the bookings: people, units and time off.

Read once per batch for every location-day being judged (``schedule_day``),
then narrowed per day: the latest inspection before the day ends, the time
off overlapping the day's windows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from shared_models.enums import UserRole
from shared_models.models import (
    Availability,
    Equipment,
    EquipmentCheck,
    EquipmentMaintenance,
    User,
    WorkingHours,
)
from shared_models.rules.scheduling import (
    CheckState,
    Interval,
    MaintenanceState,
    PersonInfo,
    TimeOff,
    TruckInfo,
    WorkingShift,
)

__all__ = ["people_of", "span_of", "time_off_of", "trucks_of"]

A, W, U = Availability.__table__, WorkingHours.__table__, User.__table__
E, K, M = Equipment.__table__, EquipmentCheck.__table__, EquipmentMaintenance.__table__


def span_of(days: Iterable[tuple[uuid.UUID, dt.date, str]]) -> Interval:
    """A UTC window surely holding every local day and journey window of ``days``."""
    dates = [d for _, d, _ in days]
    lo = dt.datetime.combine(min(dates), dt.time(0), dt.UTC) - dt.timedelta(days=1)
    hi = dt.datetime.combine(max(dates), dt.time(0), dt.UTC) + dt.timedelta(days=3)
    return Interval(lo, hi)


def people_of(
    session: Session, people: set[uuid.UUID]
) -> tuple[dict[uuid.UUID, PersonInfo], dict[uuid.UUID, list[WorkingShift]]]:
    persons = {
        r.id: PersonInfo(
            r.id,
            r.full_name,
            bool(r.has_drivers_license),
            r.license_class,
            r.role == UserRole.CREW_LEAD,
        )
        for r in session.execute(select(U).where(U.c.id.in_(list(people))))
    }
    shifts: dict[uuid.UUID, list[WorkingShift]] = defaultdict(list)
    for r in session.execute(
        select(W).where(W.c.user_id.in_(list(people)), W.c.deleted_at.is_(None))
    ):
        shifts[r.user_id].append(
            WorkingShift(
                r.user_id,
                r.weekday,
                r.start_time,
                r.end_time,
                r.effective_from,
                r.effective_to,
                r.id,
            )
        )
    return persons, shifts


def trucks_of(
    session: Session, units: set[uuid.UUID], until: dt.datetime
) -> dict[uuid.UUID, TruckInfo]:
    """Units with their latest inspection before ``until`` and their service jobs."""
    ids = list(units)
    checks: dict[uuid.UUID, list[CheckState]] = defaultdict(list)
    for r in session.execute(
        select(K.c.equipment_id, K.c.performed_at, K.c.overall_result)
        .ext(distinct_on(K.c.equipment_id))
        .where(K.c.equipment_id.in_(ids), K.c.deleted_at.is_(None), K.c.performed_at < until)
        .order_by(K.c.equipment_id, K.c.performed_at.desc())
    ):
        checks[r.equipment_id].append(CheckState(r.performed_at, r.overall_result))
    upkeep: dict[uuid.UUID, list[MaintenanceState]] = defaultdict(list)
    for r in session.execute(select(M).where(M.c.equipment_id.in_(ids), M.c.deleted_at.is_(None))):
        upkeep[r.equipment_id].append(MaintenanceState.of(r._mapping))
    return {
        r.id: TruckInfo(
            r.id,
            r.unit_number,
            r.status,
            r.capacity_cuft,
            r.requires_license_class,
            tuple(checks[r.id]),
            tuple(upkeep[r.id]),
        )
        for r in session.execute(select(E).where(E.c.id.in_(ids)))
    }


def time_off_of(
    session: Session, tenant: uuid.UUID, people: set[uuid.UUID], span: Interval
) -> list[TimeOff]:
    return [
        TimeOff(r.id, r.user_id, r.type, r.start_at, r.end_at, r.approved_at is not None)
        for r in session.execute(
            select(A).where(
                A.c.tenant_id == tenant,
                A.c.user_id.in_(list(people)),
                A.c.deleted_at.is_(None),
                A.c.start_at < span.end,
                A.c.end_at > span.start,
            )
        )
    ]
