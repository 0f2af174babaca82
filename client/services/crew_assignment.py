"""Set a journey's crew and trucks as ordinary local writes: the one path for dispatch.

Used by the dispatch board (dialog, drag and drop) and by ``PlanningService.accept``
(an accepted auto-assignment), so a hand edit and a solver's plan produce the same
rows: ``journey.crew_lead_id``/``truck_id``, one live ``journey_crew`` row per person,
and one ACTIVE ``equipment_assignment`` per truck over the journey's window (the
main truck too, like the fleet's utilisation expects).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from client.services.errors import RowNotFound
from client.services.writes import WriteBatch
from client.sync.db import table_for
from shared_models.enums import AssignmentStatus, CrewRole, EquipmentType
from shared_models.rules.scheduling import DriverInfo, TruckInfo, driver_matching, journey_window


@dataclass(frozen=True)
class CrewChoice:
    """Who and what a journey gets; ``roles`` holds every person on the crew."""

    roles: Mapping[uuid.UUID, CrewRole] = field(default_factory=dict)
    crew_lead_id: uuid.UUID | None = None
    truck_ids: tuple[uuid.UUID, ...] = ()
    #: truck -> the person who drives it; matched from licences when not given.
    drivers: Mapping[uuid.UUID, uuid.UUID] | None = None

    @property
    def user_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(self.roles)


def current_choice(conn: Connection, journey_id: uuid.UUID) -> CrewChoice:
    """The journey's crew and trucks as the replica holds them now."""
    j = table_for("journey")
    row = conn.execute(select(j).where(j.c.id == journey_id)).mappings().first()
    if row is None or row["deleted_at"] is not None:
        raise RowNotFound(f"no journey {journey_id} in this replica")
    crew = table_for("journey_crew")
    roles = {
        r.user_id: CrewRole(r.crew_role)
        for r in conn.execute(
            select(crew.c.user_id, crew.c.crew_role)
            .where(crew.c.journey_id == journey_id, crew.c.deleted_at.is_(None))
            .order_by(crew.c.created_at, crew.c.id)
        )
    }
    lead = row["crew_lead_id"]
    if lead is not None:
        roles[lead] = CrewRole.LEAD
    trucks = [row["truck_id"]] if row["truck_id"] else []
    trucks += [t for t in _booked_trucks(conn, journey_id) if t not in trucks]
    return CrewChoice(roles, lead, tuple(trucks))


def assign_journey(
    batch: WriteBatch,
    journey_id: uuid.UUID,
    choice: CrewChoice,
    tz: str,
    *,
    keep: AbstractSet[uuid.UUID] = frozenset(),
) -> None:
    """Make the journey's rows equal ``choice``; people in ``keep`` are left as they are."""
    journey = batch.read("journey", journey_id)
    if journey is None or journey.get("deleted_at") is not None:
        raise RowNotFound(f"no journey {journey_id} in this replica")
    changes: dict[str, Any] = {
        "crew_lead_id": choice.crew_lead_id,
        "truck_id": choice.truck_ids[0] if choice.truck_ids else None,
    }
    if len(choice.truck_ids) > journey["truck_count"]:
        changes["truck_count"] = len(choice.truck_ids)
    batch.update("journey", journey_id, changes)
    _match_crew(batch, journey_id, choice, keep)
    _match_trucks(batch, journey, choice, tz)


def _match_crew(
    batch: WriteBatch, journey_id: uuid.UUID, choice: CrewChoice, keep: AbstractSet[uuid.UUID]
) -> None:
    """JourneyCrew rows equal to the choice: add, re-role, tombstone."""
    crew = table_for("journey_crew")
    rows = batch.conn.execute(
        select(crew.c.id, crew.c.user_id, crew.c.crew_role).where(
            crew.c.journey_id == journey_id, crew.c.deleted_at.is_(None)
        )
    ).all()
    current = {r.user_id: r for r in rows}
    for user_id, row in current.items():
        if user_id in keep:
            continue
        wanted = choice.roles.get(user_id)
        if wanted is None:
            batch.delete("journey_crew", row.id)
        elif row.crew_role != wanted:
            batch.update("journey_crew", row.id, {"crew_role": wanted})
    for user_id, role in choice.roles.items():
        if user_id not in current:
            batch.insert(
                "journey_crew", {"journey_id": journey_id, "user_id": user_id, "crew_role": role}
            )


def _booked_trucks(conn: Connection, journey_id: uuid.UUID) -> list[uuid.UUID]:
    a, e = table_for("equipment_assignment"), table_for("equipment")
    return list(
        conn.execute(
            select(a.c.equipment_id)
            .join(e, e.c.id == a.c.equipment_id)
            .where(
                a.c.journey_id == journey_id,
                a.c.deleted_at.is_(None),
                a.c.status == AssignmentStatus.ACTIVE,
                e.c.type == EquipmentType.TRUCK,
            )
            .order_by(a.c.start_at, a.c.id)
        ).scalars()
    )


def _match_trucks(batch: WriteBatch, journey: dict[str, Any], choice: CrewChoice, tz: str) -> None:
    """One ACTIVE assignment per chosen truck; a truck taken off is CANCELLED (kept for history)."""
    a, e = table_for("equipment_assignment"), table_for("equipment")
    rows = batch.conn.execute(
        select(a.c.id, a.c.equipment_id, a.c.assigned_to)
        .join(e, e.c.id == a.c.equipment_id)
        .where(
            a.c.journey_id == journey["id"],
            a.c.deleted_at.is_(None),
            a.c.status == AssignmentStatus.ACTIVE,
            e.c.type == EquipmentType.TRUCK,
        )
    ).all()
    drivers = dict(choice.drivers) if choice.drivers is not None else _drivers(batch, choice)
    booked = {r.equipment_id: r for r in rows}
    for truck_id, row in booked.items():
        if truck_id not in choice.truck_ids:
            batch.update("equipment_assignment", row.id, {"status": AssignmentStatus.CANCELLED})
        elif drivers.get(truck_id) not in (None, row.assigned_to):
            batch.update("equipment_assignment", row.id, {"assigned_to": drivers[truck_id]})
    window = journey_window(
        journey["scheduled_date"], journey["scheduled_start"], journey["estimated_hours"], tz
    )
    for truck_id in dict.fromkeys(choice.truck_ids):
        if truck_id in booked:
            continue
        batch.insert(
            "equipment_assignment",
            {
                "equipment_id": truck_id,
                "journey_id": journey["id"],
                "assigned_to": drivers.get(truck_id),
                "start_at": window.start,
                "end_at": window.end,
                "assigned_by": batch._service.user_id,
            },
        )


def _drivers(batch: WriteBatch, choice: CrewChoice) -> dict[uuid.UUID, uuid.UUID]:
    """Licensed drivers for the trucks, drivers first, then the lead, then anyone licensed."""
    if not choice.truck_ids:
        return {}
    order = {CrewRole.DRIVER: 0, CrewRole.LEAD: 1}
    people = sorted(choice.roles, key=lambda u: order.get(choice.roles[u], 2))
    crew = [_driver_info(batch.read("user", u), u) for u in people]
    trucks = [_truck_info(batch.read("equipment", t), t) for t in dict.fromkeys(choice.truck_ids)]
    return driver_matching(trucks, crew)


def _driver_info(row: dict[str, Any] | None, user_id: uuid.UUID) -> DriverInfo:
    row = row or {}
    return DriverInfo(
        user_id,
        str(row.get("full_name") or ""),
        bool(row.get("has_drivers_license")),
        row.get("license_class"),
    )


def _truck_info(row: dict[str, Any] | None, truck_id: uuid.UUID) -> TruckInfo:
    row = row or {}
    return TruckInfo(
        truck_id,
        str(row.get("unit_number") or ""),
        requires_license_class=row.get("requires_license_class"),
    )
