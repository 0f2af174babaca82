"""Assign and unassign from the dispatch board: dialog saves and drag-and-drop moves.

Every operation reads the journey's crew and trucks, changes them, and writes
the result through ``crew_assignment.assign_journey`` in one
``LocalWriteService.batch()`` (the path an accepted auto-assignment takes).
Conflicts are flagged on the board, never refused; a completed journey or a
person dropped on a truck's row is refused with a sentence saying why.
"""

from __future__ import annotations

import uuid

from client.services.crew_assignment import CrewChoice, assign_journey, current_choice
from client.services.dispatch import PERSON, TRUCK
from client.services.errors import InvalidWrite, RowNotFound
from client.services.writes import LocalWriteService, WriteBatch
from shared_models.enums import CrewRole, JourneyStatus, UserRole
from shared_models.rules.scheduling import DriverInfo, TruckInfo, may_drive

CLOSED = (JourneyStatus.COMPLETED, JourneyStatus.CANCELLED)


def save_crew(writes: LocalWriteService, journey_id: uuid.UUID, choice: CrewChoice) -> str:
    """The assign dialog's answer: the journey gets exactly ``choice``."""
    if (
        choice.crew_lead_id is not None
        and choice.roles.get(choice.crew_lead_id) is not CrewRole.LEAD
    ):
        roles = {**choice.roles, choice.crew_lead_id: CrewRole.LEAD}
        choice = CrewChoice(roles, choice.crew_lead_id, choice.truck_ids, choice.drivers)
    with writes.batch() as batch:
        label = _open_journey(batch, journey_id)
        assign_journey(batch, journey_id, choice, _tz(batch, journey_id))
    people = len(choice.roles)
    trucks = len(choice.truck_ids)
    return (
        f"{label}: {people} {'person' if people == 1 else 'people'}, "
        f"{trucks} {'truck' if trucks == 1 else 'trucks'}"
    )


def drop_on_row(
    writes: LocalWriteService,
    journey_id: uuid.UUID,
    kind: str,
    to_id: uuid.UUID,
    *,
    from_kind: str | None = None,
    from_id: uuid.UUID | None = None,
) -> str:
    """A journey dropped on a row: add the person or truck, or move it from ``from_id``."""
    if from_id is not None and from_kind != kind:
        what = "a person" if from_kind == PERSON else "a truck"
        where = "person's" if kind == PERSON else "truck's"
        raise InvalidWrite(
            f"{what.capitalize()}'s place can't go on a {where} row: drop it on {what}"
        )
    with writes.batch() as batch:
        label = _open_journey(batch, journey_id)
        now = current_choice(batch.conn, journey_id)
        if kind == PERSON:
            choice, text = _person_moved(batch, now, to_id, from_id)
        elif kind == TRUCK:
            choice, text = _truck_moved(batch, now, to_id, from_id)
        else:
            raise InvalidWrite(f"unknown row kind {kind!r}")
        if choice != now:
            assign_journey(batch, journey_id, choice, _tz(batch, journey_id))
    return f"{label}: {text}"


def remove_from_journey(
    writes: LocalWriteService, journey_id: uuid.UUID, kind: str, resource_id: uuid.UUID
) -> str:
    """Take one person or truck off the journey."""
    with writes.batch() as batch:
        label = _open_journey(batch, journey_id)
        now = current_choice(batch.conn, journey_id)
        name = _name(batch, kind, resource_id)
        if kind == PERSON:
            roles = {u: r for u, r in now.roles.items() if u != resource_id}
            lead = None if now.crew_lead_id == resource_id else now.crew_lead_id
            choice = CrewChoice(roles, lead, now.truck_ids)
        else:
            choice = CrewChoice(
                now.roles, now.crew_lead_id, tuple(t for t in now.truck_ids if t != resource_id)
            )
        if choice == now:
            return f"{name} was not on {label}"
        assign_journey(batch, journey_id, choice, _tz(batch, journey_id))
    return f"{name} is off {label}"


def _person_moved(
    batch: WriteBatch, now: CrewChoice, to_id: uuid.UUID, from_id: uuid.UUID | None
) -> tuple[CrewChoice, str]:
    name = _name(batch, PERSON, to_id)
    roles, lead = dict(now.roles), now.crew_lead_id
    if from_id is not None and from_id != to_id:
        role = roles.pop(from_id, CrewRole.MOVER)
        if to_id not in roles:
            roles[to_id] = role
        if lead == from_id:
            lead = to_id if roles[to_id] is CrewRole.LEAD else None
        text = f"{name} replaces {_name(batch, PERSON, from_id)}"
    elif to_id in roles:
        return now, f"{name} is already on the crew"
    else:
        roles[to_id] = _role_for(batch, to_id, now)
        if roles[to_id] is CrewRole.LEAD:
            lead = to_id
        text = f"{name} joins as {roles[to_id].value.lower()}"
    return CrewChoice(roles, lead, now.truck_ids), text


def _role_for(batch: WriteBatch, user_id: uuid.UUID, now: CrewChoice) -> CrewRole:
    """Lead when the crew has none and they lead; driver when nobody drives a truck they may."""
    user = batch.read("user", user_id)
    if user is None or user.get("deleted_at") is not None:
        raise RowNotFound(f"no person {user_id} in this replica")
    if now.crew_lead_id is None and user["role"] == UserRole.CREW_LEAD:
        return CrewRole.LEAD
    person = DriverInfo(user_id, "", bool(user["has_drivers_license"]), user["license_class"])
    if CrewRole.DRIVER not in now.roles.values() and any(
        may_drive(person, _truck(batch, t)) for t in now.truck_ids
    ):
        return CrewRole.DRIVER
    return CrewRole.MOVER


def _truck(batch: WriteBatch, truck_id: uuid.UUID) -> TruckInfo:
    row = batch.read("equipment", truck_id) or {}
    return TruckInfo(truck_id, "", requires_license_class=row.get("requires_license_class"))


def _truck_moved(
    batch: WriteBatch, now: CrewChoice, to_id: uuid.UUID, from_id: uuid.UUID | None
) -> tuple[CrewChoice, str]:
    unit = _name(batch, TRUCK, to_id)
    trucks = list(now.truck_ids)
    if from_id is not None and from_id != to_id and from_id in trucks:
        if to_id in trucks:
            trucks.remove(from_id)
        else:
            trucks[trucks.index(from_id)] = to_id
        text = f"{unit} replaces {_name(batch, TRUCK, from_id)}"
    elif to_id in trucks:
        return now, f"{unit} is already on it"
    else:
        trucks.append(to_id)
        text = f"{unit} assigned"
    return CrewChoice(now.roles, now.crew_lead_id, tuple(trucks)), text


def _open_journey(batch: WriteBatch, journey_id: uuid.UUID) -> str:
    journey = batch.read("journey", journey_id)
    if journey is None or journey.get("deleted_at") is not None:
        raise RowNotFound(f"no journey {journey_id} in this replica")
    label = journey["number"] or "This journey"
    if journey["status"] in CLOSED:
        state = str(journey["status"]).lower()
        raise InvalidWrite(f"{label} is {state}: its crew and trucks can no longer change")
    return str(label)


def _tz(batch: WriteBatch, journey_id: uuid.UUID) -> str:
    journey = batch.read("journey", journey_id) or {}
    location = batch.read("location", journey["location_id"]) if journey else None
    return str(location["timezone"]) if location else "UTC"


def _name(batch: WriteBatch, kind: str, resource_id: uuid.UUID) -> str:
    if kind == PERSON:
        row = batch.read("user", resource_id)
        if row is None:
            raise RowNotFound(f"no person {resource_id} in this replica")
        return str(row["full_name"])
    row = batch.read("equipment", resource_id)
    if row is None:
        raise RowNotFound(f"no truck {resource_id} in this replica")
    return str(row["unit_number"])
