"""The note on a flag the server resolves itself: why the problem is gone, in words.

Called only for a subject judged again whose problem the shared rules no
longer find; the wording names what changed, read from the same day data.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from shared_models.enums import ConflictKind
from shared_models.rules.scheduling import DayData, JourneyPlan, ScheduleBlock

__all__ = ["why_resolved"]

K = ConflictKind


def _subject(day: DayData, subject: uuid.UUID) -> JourneyPlan | ScheduleBlock | None:
    for item in (*day.journeys, *day.schedules):
        if item.id == subject:
            return item
    return None


def _holds_person(item: JourneyPlan | ScheduleBlock, user_id: uuid.UUID) -> bool:
    if isinstance(item, JourneyPlan):
        return user_id == item.crew_lead_id or any(m.user_id == user_id for m in item.crew)
    return item.user_id == user_id


def _holds_unit(item: JourneyPlan | ScheduleBlock, unit: uuid.UUID) -> bool:
    return unit in item.truck_ids if isinstance(item, JourneyPlan) else item.equipment_id == unit


def why_resolved(day: DayData, subject: uuid.UUID, row: Mapping[str, Any]) -> str:
    """Why the open flag ``row`` of ``subject`` (judged on ``day``) no longer holds."""
    item = _subject(day, subject)
    kind = ConflictKind(row["kind"])
    user, unit = row["user_id"], row["equipment_id"]
    person = day.people.get(user) if user else None
    name = person.name if person else "the person"
    truck = day.trucks.get(unit) if unit else None
    unit_name = f"unit {truck.unit_number}" if truck else "the unit"
    if item is None:
        return "the booking is no longer on the board"
    if user and not _holds_person(item, user):
        return f"{name} is no longer booked on it"
    if unit and not _holds_unit(item, unit):
        return f"{unit_name} is no longer booked on it"
    if isinstance(item, JourneyPlan) and not item.committed and kind in _STAFFING:
        return f"{item.label} is back in planning ({item.status})"
    if kind is K.DURING_TIME_OFF:
        if not any(o.id == row["availability_id"] for o in day.time_off):
            return f"{name}'s time off was withdrawn or moved off the booking"
        return f"{name}'s time off no longer overlaps the booking"
    if kind is K.OUTSIDE_WORKING_HOURS:
        return f"the booking now fits {name}'s working hours"
    if kind is K.EQUIPMENT_OUT_OF_SERVICE:
        return f"{unit_name} is back in service"
    if isinstance(item, JourneyPlan):
        return _staffing(item, kind, name)
    return "the problem is gone"


_STAFFING = frozenset(
    {K.CREW_TOO_SMALL, K.CREW_LEAD_MISSING, K.DRIVER_NOT_LICENSED, K.TRUCK_TOO_SMALL}
)


def _staffing(item: JourneyPlan, kind: ConflictKind, name: str) -> str:
    if kind is K.CREW_TOO_SMALL:
        size = len({m.user_id for m in item.crew})
        return f"the crew is complete ({size} of {item.crew_size_required} people)"
    if kind is K.CREW_LEAD_MISSING:
        return "a crew lead is assigned"
    if kind is K.DRIVER_NOT_LICENSED:
        return "a driver licensed for its trucks is on the crew"
    return "its trucks now hold the volume"
