"""Read a location's scheduling facts from the replica as the shared rules' inputs.

The same shapes the server's solver loads from PostgreSQL
(``sync_server/scheduling/load.py``): people with licences and hours, trucks
with checks and maintenance, time off, schedule blocks, journeys with crews.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from client.services.lists import customer_display_name
from client.sync.db import table_for
from shared_models.enums import (
    AssignmentStatus,
    AvailabilityType,
    CheckResult,
    CrewRole,
    EquipmentStatus,
    EquipmentType,
    JourneyStatus,
    ScheduleStatus,
    ScheduleType,
    UserRole,
    UserStatus,
)
from shared_models.rules.scheduling import (
    CheckState,
    Interval,
    MaintenanceState,
    ScheduleBlock,
    TimeOff,
    TruckInfo,
    WorkingShift,
)

CREW_ROLES = (UserRole.CREW_LEAD, UserRole.CREW_MEMBER, UserRole.DRIVER)
GONE_UNITS = (EquipmentStatus.RETIRED, EquipmentStatus.SOLD)


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    name: str
    role: UserRole
    has_drivers_license: bool
    license_class: str | None

    @property
    def can_lead(self) -> bool:
        return self.role is UserRole.CREW_LEAD


@dataclass(frozen=True)
class JourneyRow:
    """A journey of the board with its crew and trucks as the replica holds them."""

    id: uuid.UUID
    number: str | None
    status: JourneyStatus
    day: dt.date
    start: dt.datetime | None
    hours: Decimal | None
    crew_size_required: int
    truck_count: int
    volume_cuft: Decimal | None
    customer: str
    origin: str
    destination: str
    crew: dict[uuid.UUID, CrewRole]
    crew_lead_id: uuid.UUID | None
    truck_ids: tuple[uuid.UUID, ...]

    @property
    def label(self) -> str:
        return self.number or f"New journey {str(self.id)[:8]}"


def location_zone(conn: Connection, location_id: uuid.UUID) -> tuple[str, str]:
    """(name, IANA zone) of a location; UTC when the replica does not know it."""
    loc = table_for("location")
    row = conn.execute(select(loc.c.name, loc.c.timezone).where(loc.c.id == location_id)).first()
    return (str(row.name), str(row.timezone)) if row else ("Unknown branch", "UTC")


def read_journeys(
    conn: Connection, location_id: uuid.UUID, first: dt.date, last: dt.date
) -> list[JourneyRow]:
    """The location's live, not cancelled journeys from ``first`` to ``last``."""
    j, cu = table_for("journey"), table_for("customer")
    rows = conn.execute(
        select(j, cu.c.first_name, cu.c.last_name, cu.c.company_name)
        .join(cu, cu.c.id == j.c.customer_id, isouter=True)
        .where(
            j.c.location_id == location_id,
            j.c.deleted_at.is_(None),
            j.c.status != JourneyStatus.CANCELLED,
            j.c.scheduled_date.between(first, last),
        )
        .order_by(j.c.scheduled_date, j.c.scheduled_start, j.c.number, j.c.id)
    ).mappings()
    rows = [dict(r) for r in rows]
    ids = [r["id"] for r in rows]
    crews: dict[uuid.UUID, dict[uuid.UUID, CrewRole]] = defaultdict(dict)
    c = table_for("journey_crew")
    for r in conn.execute(
        select(c.c.journey_id, c.c.user_id, c.c.crew_role)
        .where(c.c.journey_id.in_(ids), c.c.deleted_at.is_(None))
        .order_by(c.c.created_at, c.c.id)
    ):
        crews[r.journey_id][r.user_id] = CrewRole(r.crew_role)
    extra = _extra_trucks(conn, ids)
    out = []
    for r in rows:
        crew = crews[r["id"]]
        if r["crew_lead_id"] is not None:
            crew[r["crew_lead_id"]] = CrewRole.LEAD
        trucks = [r["truck_id"]] if r["truck_id"] else []
        trucks += [t for t in extra[r["id"]] if t not in trucks]
        out.append(
            JourneyRow(
                id=r["id"],
                number=r["number"],
                status=JourneyStatus(r["status"]),
                day=r["scheduled_date"],
                start=r["scheduled_start"],
                hours=r["estimated_hours"],
                crew_size_required=r["crew_size_required"],
                truck_count=r["truck_count"],
                volume_cuft=r["volume_cuft"],
                customer=_customer(r),
                origin=", ".join(x for x in (r["origin_line1"], r["origin_city"]) if x),
                destination=", ".join(
                    x for x in (r["destination_line1"], r["destination_city"]) if x
                ),
                crew=crew,
                crew_lead_id=r["crew_lead_id"],
                truck_ids=tuple(trucks),
            )
        )
    return out


def _customer(r: dict[str, Any]) -> str:
    return customer_display_name(r) or "Customer not on this device"


def _extra_trucks(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    a, e = table_for("equipment_assignment"), table_for("equipment")
    out: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for r in conn.execute(
        select(a.c.journey_id, a.c.equipment_id)
        .join(e, e.c.id == a.c.equipment_id)
        .where(
            a.c.journey_id.in_(ids),
            a.c.deleted_at.is_(None),
            a.c.status == AssignmentStatus.ACTIVE,
            e.c.type == EquipmentType.TRUCK,
        )
        .order_by(a.c.start_at, a.c.id)
    ):
        out[r.journey_id].append(r.equipment_id)
    return out


def read_people(
    conn: Connection, location_id: uuid.UUID, also: Iterable[uuid.UUID]
) -> list[Person]:
    """The location's active field people, plus anyone already on a crew of the board."""
    u = table_for("user")
    rows = conn.execute(
        select(u)
        .where(
            u.c.deleted_at.is_(None),
            or_(
                and_(
                    u.c.location_id == location_id,
                    u.c.role.in_(CREW_ROLES),
                    u.c.status == UserStatus.ACTIVE,
                ),
                u.c.id.in_(list(also)),
            ),
        )
        .order_by(u.c.full_name, u.c.id)
    ).mappings()
    return [
        Person(
            r["id"],
            r["full_name"],
            UserRole(r["role"]),
            bool(r["has_drivers_license"]),
            r["license_class"],
        )
        for r in rows
    ]


def read_trucks(
    conn: Connection, location_id: uuid.UUID, also: Iterable[uuid.UUID], until: dt.datetime
) -> list[TruckInfo]:
    """The location's trucks still in the fleet (and any on a journey), with service history."""
    e = table_for("equipment")
    rows = conn.execute(
        select(e)
        .where(
            e.c.deleted_at.is_(None),
            or_(
                and_(
                    e.c.location_id == location_id,
                    e.c.type == EquipmentType.TRUCK,
                    e.c.status.not_in(GONE_UNITS),
                ),
                e.c.id.in_(list(also)),
            ),
        )
        .order_by(e.c.unit_number)
    ).mappings()
    rows = [dict(r) for r in rows]
    ids = [r["id"] for r in rows]
    k, m = table_for("equipment_check"), table_for("equipment_maintenance")
    checks: dict[uuid.UUID, list[CheckState]] = defaultdict(list)
    for r in conn.execute(
        select(k.c.equipment_id, k.c.performed_at, k.c.overall_result).where(
            k.c.equipment_id.in_(ids), k.c.deleted_at.is_(None), k.c.performed_at < until
        )
    ):
        checks[r.equipment_id].append(CheckState(r.performed_at, CheckResult(r.overall_result)))
    upkeep: dict[uuid.UUID, list[MaintenanceState]] = defaultdict(list)
    for r in conn.execute(
        select(
            m.c.id, m.c.equipment_id, m.c.status, m.c.type, m.c.scheduled_date, m.c.performed_at
        ).where(m.c.equipment_id.in_(ids), m.c.deleted_at.is_(None))
    ):
        upkeep[r.equipment_id].append(MaintenanceState.of(r._mapping))
    return [
        TruckInfo(
            r["id"],
            r["unit_number"],
            EquipmentStatus(r["status"]),
            r["capacity_cuft"],
            r["requires_license_class"],
            tuple(checks[r["id"]]),
            tuple(upkeep[r["id"]]),
        )
        for r in rows
    ]


def read_time_off(conn: Connection, user_ids: list[uuid.UUID], window: Interval) -> list[TimeOff]:
    a = table_for("availability")
    return [
        TimeOff(
            r.id,
            r.user_id,
            AvailabilityType(r.type),
            r.start_at,
            r.end_at,
            r.approved_at is not None,
        )
        for r in conn.execute(
            select(a).where(
                a.c.user_id.in_(user_ids),
                a.c.deleted_at.is_(None),
                a.c.start_at < window.end,
                a.c.end_at > window.start,
            )
        )
    ]


def read_shifts(conn: Connection, user_ids: list[uuid.UUID]) -> list[WorkingShift]:
    w = table_for("working_hours")
    return [
        WorkingShift(
            r.user_id, r.weekday, r.start_time, r.end_time, r.effective_from, r.effective_to, r.id
        )
        for r in conn.execute(select(w).where(w.c.user_id.in_(user_ids), w.c.deleted_at.is_(None)))
    ]


def read_schedules(
    conn: Connection, resources: list[uuid.UUID], window: Interval
) -> list[tuple[ScheduleBlock, str]]:
    """Live blocks of these people and units in the window, with their titles."""
    s = table_for("schedule")
    rows = conn.execute(
        select(s).where(
            s.c.deleted_at.is_(None),
            s.c.status != ScheduleStatus.CANCELLED,
            s.c.start_at < window.end,
            s.c.end_at > window.start,
            or_(s.c.user_id.in_(resources), s.c.equipment_id.in_(resources)),
        )
    )
    return [
        (
            ScheduleBlock(
                r.id,
                Interval(r.start_at, r.end_at),
                ScheduleType(r.type),
                ScheduleStatus(r.status),
                r.user_id,
                r.equipment_id,
                r.journey_id,
            ),
            str(r.title),
        )
        for r in rows
    ]
