"""Which journeys and schedule blocks a push may have put in or out of conflict.

A flag's cause can sit in another row than its subject: a time-off entry, a
person's working hours or licence, a unit's status, inspection or service
job. From the rows a batch touched this finds the bookings to re-judge: the
journeys and blocks themselves, those of the people and units concerned
(from yesterday on, where the cause is not tied to a day), and the subjects
of open flags that name a touched time off, person or unit, so a cause that
goes away (time off deleted, truck back in service) resolves its flag.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from shared_models.enums import AssignmentStatus, ConflictKind, JourneyStatus, ScheduleStatus
from shared_models.models import (
    Availability,
    EquipmentAssignment,
    EquipmentCheck,
    EquipmentMaintenance,
    Journey,
    JourneyCrew,
    Schedule,
    ScheduleConflict,
    WorkingHours,
)

__all__ = ["FLAGGED_KINDS", "TRIGGERS", "Subjects", "affected"]

J, C, S = Journey.__table__, JourneyCrew.__table__, Schedule.__table__
A, W, EA = Availability.__table__, WorkingHours.__table__, EquipmentAssignment.__table__
SC = ScheduleConflict.__table__

#: The kinds this module's caller flags (double bookings have their own detector).
FLAGGED_KINDS = tuple(
    k
    for k in ConflictKind
    if k not in (ConflictKind.DOUBLE_BOOKED_PERSON, ConflictKind.DOUBLE_BOOKED_EQUIPMENT)
)
#: Tables whose rows can cause or clear such a flag.
TRIGGERS = frozenset(
    {
        "journey",
        "journey_crew",
        "equipment_assignment",
        "schedule",
        "availability",
        "working_hours",
        "user",
        "equipment",
        "equipment_check",
        "equipment_maintenance",
    }
)
_DONE_JOURNEY = (JourneyStatus.CANCELLED, JourneyStatus.COMPLETED)
_DONE_SCHEDULE = (ScheduleStatus.CANCELLED, ScheduleStatus.COMPLETED)


@dataclass
class Subjects:
    journeys: set[uuid.UUID] = field(default_factory=set)
    schedules: set[uuid.UUID] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.journeys or self.schedules)


def affected(
    session: Session,
    tenant: uuid.UUID,
    touched: Mapping[str, AbstractSet[uuid.UUID]],
    today: dt.date,
) -> Subjects:
    """The journeys and blocks to re-judge after a batch that touched ``touched``."""
    out = Subjects(set(touched.get("journey", ())), set(touched.get("schedule", ())))

    def ids(table: str) -> list[uuid.UUID]:
        return list(touched.get(table, ()))

    if ids("journey_crew"):
        out.journeys |= _column(
            session, select(C.c.journey_id).where(C.c.id.in_(ids("journey_crew")))
        )
    if ids("equipment_assignment"):
        out.journeys |= _column(
            session,
            select(EA.c.journey_id).where(
                EA.c.id.in_(ids("equipment_assignment")), EA.c.journey_id.is_not(None)
            ),
        )
    since = today - dt.timedelta(days=1)
    since_at = dt.datetime.combine(since, dt.time(0), dt.UTC)
    time_off = (
        session.execute(
            select(A.c.user_id, A.c.start_at, A.c.end_at).where(
                A.c.tenant_id == tenant, A.c.id.in_(ids("availability"))
            )
        ).all()
        if ids("availability")
        else []
    )
    for r in time_off:
        first = r.start_at.date() - dt.timedelta(days=1)
        last = r.end_at.date() + dt.timedelta(days=1)
        out.journeys |= _column(session, _journeys_of_people(tenant, [r.user_id], first, last))
        out.schedules |= _column(
            session,
            _live_schedules(tenant).where(
                S.c.user_id == r.user_id, S.c.start_at < r.end_at, S.c.end_at > r.start_at
            ),
        )
    people = set(ids("user"))
    if ids("working_hours"):
        people |= _column(
            session,
            select(W.c.user_id).where(W.c.tenant_id == tenant, W.c.id.in_(ids("working_hours"))),
        )
    if people:
        out.journeys |= _column(session, _journeys_of_people(tenant, people, since, None))
        out.schedules |= _column(
            session, _live_schedules(tenant).where(S.c.user_id.in_(people), S.c.end_at > since_at)
        )
    units = _units(session, tenant, touched)
    if units:
        out.journeys |= _column(session, _journeys_of_units(tenant, units, since))
        out.schedules |= _column(
            session,
            _live_schedules(tenant).where(S.c.equipment_id.in_(units), S.c.end_at > since_at),
        )
    causes = []
    if ids("availability"):
        causes.append(SC.c.availability_id.in_(ids("availability")))
    if people:
        causes.append(SC.c.user_id.in_(people))
    if units:
        causes.append(SC.c.equipment_id.in_(units))
    if not causes:
        return out
    for r in session.execute(
        select(SC.c.journey_id, SC.c.schedule_id).where(
            SC.c.tenant_id == tenant,
            SC.c.resolved_at.is_(None),
            SC.c.deleted_at.is_(None),
            SC.c.kind.in_(FLAGGED_KINDS),
            or_(*causes),
        )
    ):
        if r.journey_id is not None:
            out.journeys.add(r.journey_id)
        elif r.schedule_id is not None:
            out.schedules.add(r.schedule_id)
    return out


def _column(session: Session, stmt: Select[tuple[uuid.UUID]]) -> set[uuid.UUID]:
    return {v for v in session.scalars(stmt) if v is not None}


def _units(
    session: Session, tenant: uuid.UUID, touched: Mapping[str, AbstractSet[uuid.UUID]]
) -> set[uuid.UUID]:
    units = set(touched.get("equipment", ()))
    for model in (EquipmentCheck, EquipmentMaintenance):
        t = model.__table__
        chosen = list(touched.get(t.name, ()))
        if chosen:
            units |= _column(
                session, select(t.c.equipment_id).where(t.c.tenant_id == tenant, t.c.id.in_(chosen))
            )
    return units


def _live_journeys(tenant: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    return select(J.c.id).where(
        J.c.tenant_id == tenant, J.c.deleted_at.is_(None), J.c.status.not_in(_DONE_JOURNEY)
    )


def _live_schedules(tenant: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    return select(S.c.id).where(
        S.c.tenant_id == tenant, S.c.deleted_at.is_(None), S.c.status.not_in(_DONE_SCHEDULE)
    )


def _journeys_of_people(
    tenant: uuid.UUID, people: Iterable[uuid.UUID], first: dt.date, last: dt.date | None
) -> Select[tuple[uuid.UUID]]:
    who = list(people)
    crewed = select(C.c.journey_id).where(C.c.user_id.in_(who), C.c.deleted_at.is_(None))
    stmt = _live_journeys(tenant).where(
        or_(J.c.id.in_(crewed), J.c.crew_lead_id.in_(who)), J.c.scheduled_date >= first
    )
    return stmt if last is None else stmt.where(J.c.scheduled_date <= last)


def _journeys_of_units(
    tenant: uuid.UUID, units: set[uuid.UUID], since: dt.date
) -> Select[tuple[uuid.UUID]]:
    extra = select(EA.c.journey_id).where(
        EA.c.equipment_id.in_(units),
        EA.c.deleted_at.is_(None),
        EA.c.status == AssignmentStatus.ACTIVE,
    )
    return _live_journeys(tenant).where(
        or_(J.c.truck_id.in_(units), J.c.id.in_(extra)), J.c.scheduled_date >= since
    )
