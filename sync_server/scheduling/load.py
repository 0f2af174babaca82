"""A location-day from PostgreSQL as an ``AssignRequest`` (SQLAlchemy Core, read-only).

Journeys: the location's live, non-cancelled journeys of the date; those no
longer PLANNED or CONFIRMED are locked (their crew and truck are facts now).
People: the location's active CREW_LEAD / CREW_MEMBER / DRIVER users (a crew
lead may lead), plus anyone already on a crew. Busy: time off, schedule
blocks not tied to these journeys, crews and trucks of other branches'
journeys that day. Pins: with ``keep_existing`` the crews, leads and trucks
already set, plus the explicit ``pins``. Coordinates come from optional
``lat``/``lng`` keys of ``origin_site``/``destination_site``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.dialects.postgresql import distinct_on

from shared_models.enums import EquipmentType, JourneyStatus, ScheduleStatus, UserRole, UserStatus
from shared_models.models import (
    Availability,
    Equipment,
    EquipmentCheck,
    EquipmentMaintenance,
    Journey,
    JourneyCrew,
    Location,
    Schedule,
    User,
    WorkingHours,
)
from shared_models.rules.scheduling import (
    CheckState,
    Interval,
    MaintenanceState,
    TruckInfo,
    WorkingShift,
    journey_window,
    local_day,
    out_of_service_reason,
    working_intervals,
)
from sync_server.scheduling.model import (
    AssignRequest,
    GeoPoint,
    JourneyInput,
    PersonInput,
    SolverSettings,
    TruckInput,
)

__all__ = ["LocationNotFound", "Pin", "load_request"]

CREW_ROLES = (UserRole.CREW_LEAD, UserRole.CREW_MEMBER, UserRole.DRIVER)
OPEN_STATUSES = (JourneyStatus.PLANNED, JourneyStatus.CONFIRMED)
J, C, U = Journey.__table__, JourneyCrew.__table__, User.__table__
E, S, A = Equipment.__table__, Schedule.__table__, Availability.__table__


class LocationNotFound(LookupError):
    """No such live location in the tenant."""


@dataclass(frozen=True)
class Pin:
    """What a dispatcher fixed on a journey before asking for a proposal."""

    journey_id: uuid.UUID
    user_ids: frozenset[uuid.UUID] = frozenset()
    truck_ids: frozenset[uuid.UUID] = frozenset()
    crew_lead_id: uuid.UUID | None = None


def _point(site: Mapping[str, Any] | None) -> GeoPoint | None:
    try:
        return GeoPoint(float(site["lat"]), float(site["lng"])) if site else None
    except (KeyError, TypeError, ValueError):
        return None


def load_request(
    conn: Connection,
    *,
    tenant_id: uuid.UUID,
    location_id: uuid.UUID,
    day: dt.date,
    pins: Iterable[Pin] = (),
    keep_existing: bool = True,
    travel: Mapping[tuple[uuid.UUID, uuid.UUID], int] | None = None,
    settings: SolverSettings | None = None,
) -> AssignRequest:
    loc = Location.__table__
    tz = conn.execute(
        select(loc.c.timezone).where(
            loc.c.id == location_id, loc.c.tenant_id == tenant_id, loc.c.deleted_at.is_(None)
        )
    ).scalar()
    if tz is None:
        raise LocationNotFound(f"no location {location_id} in your tenant")
    whole = local_day(day, tz)
    rows = (
        conn.execute(
            select(J)
            .where(
                J.c.tenant_id == tenant_id,
                J.c.location_id == location_id,
                J.c.scheduled_date == day,
                J.c.deleted_at.is_(None),
                J.c.status != JourneyStatus.CANCELLED,
            )
            .order_by(J.c.scheduled_start, J.c.number, J.c.id)
        )
        .mappings()
        .all()
    )
    ids = [r["id"] for r in rows]
    crews: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for r in conn.execute(
        select(C.c.journey_id, C.c.user_id).where(C.c.journey_id.in_(ids), C.c.deleted_at.is_(None))
    ):
        crews[r.journey_id].add(r.user_id)
    extra = {p.journey_id: p for p in pins}
    journeys = [_journey(r, tz, crews[r["id"]], extra.get(r["id"]), keep_existing) for r in rows]
    pinned_people = {u for j in journeys for u in j.pinned_people | {j.pinned_lead} if u}
    people_rows = (
        conn.execute(
            select(U)
            .where(
                U.c.tenant_id == tenant_id,
                U.c.deleted_at.is_(None),
                or_(
                    and_(
                        U.c.location_id == location_id,
                        U.c.role.in_(CREW_ROLES),
                        U.c.status == UserStatus.ACTIVE,
                    ),
                    U.c.id.in_(pinned_people),
                ),
            )
            .order_by(U.c.full_name, U.c.id)
        )
        .mappings()
        .all()
    )
    user_ids = [r["id"] for r in people_rows]
    busy = _busy(conn, tenant_id, day, whole, set(ids), user_ids, tz)
    shifts = _shifts(conn, user_ids)
    people = [
        PersonInput(
            r["id"],
            r["full_name"],
            can_lead=r["role"] == UserRole.CREW_LEAD,
            has_drivers_license=bool(r["has_drivers_license"]),
            license_class=r["license_class"],
            busy=tuple(sorted(busy[r["id"]])),
            working=working_intervals(shifts, r["id"], day, tz),
        )
        for r in people_rows
    ]
    trucks = _trucks(conn, tenant_id, location_id, day, whole, busy)
    return AssignRequest(
        day=day,
        tz=tz,
        journeys=tuple(journeys),
        people=tuple(people),
        trucks=tuple(trucks),
        travel=dict(travel or {}),
        settings=settings or SolverSettings(),
    )


def _journey(
    r: Mapping[str, Any] | Any, tz: str, crew: set[uuid.UUID], pin: Pin | None, keep: bool
) -> JourneyInput:
    locked = r["status"] not in OPEN_STATUSES
    people, trucks = set(), set()
    lead = None
    if keep or locked:
        people |= crew
        trucks |= {r["truck_id"]} if r["truck_id"] else set()
        lead = r["crew_lead_id"]
    if pin is not None:
        people |= pin.user_ids
        trucks |= pin.truck_ids
        lead = pin.crew_lead_id or lead
    return JourneyInput(
        id=r["id"],
        label=r["number"] or f"journey {str(r['id'])[:8]}",
        window=journey_window(r["scheduled_date"], r["scheduled_start"], r["estimated_hours"], tz),
        crew_size=r["crew_size_required"],
        trucks_needed=r["truck_count"],
        volume_cuft=r["volume_cuft"],
        origin=_point(r["origin_site"]),
        destination=_point(r["destination_site"]),
        pinned_people=frozenset(people),
        pinned_trucks=frozenset(trucks),
        pinned_lead=lead,
        locked=locked,
    )


def _busy(
    conn: Connection,
    tenant_id: uuid.UUID,
    day: dt.date,
    whole: Interval,
    mine: set[uuid.UUID],
    user_ids: list[uuid.UUID],
    tz: str,
) -> dict[uuid.UUID, list[Interval]]:
    """Time off and bookings outside this plan, per person or unit id."""
    busy: dict[uuid.UUID, list[Interval]] = defaultdict(list)
    for r in conn.execute(
        select(A.c.user_id, A.c.start_at, A.c.end_at).where(
            A.c.tenant_id == tenant_id,
            A.c.user_id.in_(user_ids),
            A.c.deleted_at.is_(None),
            A.c.start_at < whole.end,
            A.c.end_at > whole.start,
        )
    ):
        busy[r.user_id].append(Interval(r.start_at, r.end_at))
    for sr in conn.execute(
        select(S.c.user_id, S.c.equipment_id, S.c.start_at, S.c.end_at, S.c.journey_id).where(
            S.c.tenant_id == tenant_id,
            S.c.deleted_at.is_(None),
            S.c.status != ScheduleStatus.CANCELLED,
            S.c.start_at < whole.end,
            S.c.end_at > whole.start,
        )
    ):
        if sr.journey_id in mine:
            continue  # this plan's own journeys are re-planned, not busy
        for rid in (sr.user_id, sr.equipment_id):
            if rid is not None:
                busy[rid].append(Interval(sr.start_at, sr.end_at))
    loc = Location.__table__
    others = (
        select(
            J.c.id,
            J.c.truck_id,
            J.c.scheduled_date,
            J.c.scheduled_start,
            J.c.estimated_hours,
            loc.c.timezone,
        )
        .join(loc, loc.c.id == J.c.location_id)
        .where(
            J.c.tenant_id == tenant_id,
            J.c.deleted_at.is_(None),
            J.c.status != JourneyStatus.CANCELLED,
            J.c.scheduled_date.between(day - dt.timedelta(days=1), day + dt.timedelta(days=1)),
            J.c.id.not_in(mine) if mine else J.c.id.is_not(None),
        )
    )
    other_rows = conn.execute(others).all()
    windows = {
        r.id: journey_window(r.scheduled_date, r.scheduled_start, r.estimated_hours, r.timezone)
        for r in other_rows
    }
    windows = {k: w for k, w in windows.items() if w.overlaps(whole)}
    for o in other_rows:
        if o.id in windows and o.truck_id is not None:
            busy[o.truck_id].append(windows[o.id])
    if windows:
        for cr in conn.execute(
            select(C.c.journey_id, C.c.user_id).where(
                C.c.journey_id.in_(list(windows)), C.c.deleted_at.is_(None)
            )
        ):
            busy[cr.user_id].append(windows[cr.journey_id])
    return busy


def _shifts(conn: Connection, user_ids: list[uuid.UUID]) -> list[WorkingShift]:
    W = WorkingHours.__table__
    return [
        WorkingShift(
            r.user_id, r.weekday, r.start_time, r.end_time, r.effective_from, r.effective_to, r.id
        )
        for r in conn.execute(select(W).where(W.c.user_id.in_(user_ids), W.c.deleted_at.is_(None)))
    ]


def _trucks(
    conn: Connection,
    tenant_id: uuid.UUID,
    location_id: uuid.UUID,
    day: dt.date,
    whole: Interval,
    busy: Mapping[uuid.UUID, list[Interval]],
) -> list[TruckInput]:
    rows = (
        conn.execute(
            select(E)
            .where(
                E.c.tenant_id == tenant_id,
                E.c.location_id == location_id,
                E.c.deleted_at.is_(None),
                E.c.type == EquipmentType.TRUCK,
            )
            .order_by(E.c.unit_number)
        )
        .mappings()
        .all()
    )
    ids = [r["id"] for r in rows]
    K, M = EquipmentCheck.__table__, EquipmentMaintenance.__table__
    checks: dict[uuid.UUID, list[CheckState]] = defaultdict(list)
    for r in conn.execute(
        select(K.c.equipment_id, K.c.performed_at, K.c.overall_result)
        .ext(distinct_on(K.c.equipment_id))
        .where(K.c.equipment_id.in_(ids), K.c.deleted_at.is_(None), K.c.performed_at < whole.end)
        .order_by(K.c.equipment_id, K.c.performed_at.desc())
    ):
        checks[r.equipment_id].append(CheckState(r.performed_at, r.overall_result))
    upkeep: dict[uuid.UUID, list[MaintenanceState]] = defaultdict(list)
    for r in conn.execute(select(M).where(M.c.equipment_id.in_(ids), M.c.deleted_at.is_(None))):
        upkeep[r.equipment_id].append(MaintenanceState.of(r._mapping))
    out = []
    for row in rows:
        info = TruckInfo(
            row["id"],
            row["unit_number"],
            row["status"],
            row["capacity_cuft"],
            row["requires_license_class"],
            tuple(checks[row["id"]]),
            tuple(upkeep[row["id"]]),
        )
        out.append(
            TruckInput(
                row["id"],
                row["unit_number"],
                row["capacity_cuft"],
                row["requires_license_class"],
                out_of_service_reason(info, day),
                tuple(sorted(busy.get(row["id"], ()))),
            )
        )
    return out
