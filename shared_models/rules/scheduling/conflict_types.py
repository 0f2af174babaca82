"""The typed value every scheduling rule reports, shaped like a ``ScheduleConflict`` row."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared_models.enums import ConflictKind

__all__ = ["Conflict", "ConflictRule", "Severity", "identity_of"]

Identity = tuple[str, Any, Any, Any, Any, Any]


def identity_of(row: Mapping[str, Any]) -> Identity:
    """What makes two flags the same problem: kind, subject, resource and time off.

    The subject is the journey when there is one (a journey's schedule block and
    its crew row are one booking), else the schedule block.
    """
    journey = row.get("journey_id")
    return (
        str(row["kind"]),
        journey,
        None if journey is not None else row.get("schedule_id"),
        row.get("user_id"),
        row.get("equipment_id"),
        row.get("availability_id"),
    )


class Severity(enum.StrEnum):
    ERROR = "ERROR"
    WARNING = "WARNING"


class ConflictRule(enum.StrEnum):
    """Every rule, each a ``ConflictKind`` value (same text), so every conflict can be stored."""

    DOUBLE_BOOKED_PERSON = "DOUBLE_BOOKED_PERSON"
    DOUBLE_BOOKED_EQUIPMENT = "DOUBLE_BOOKED_EQUIPMENT"
    DURING_TIME_OFF = "DURING_TIME_OFF"
    EQUIPMENT_OUT_OF_SERVICE = "EQUIPMENT_OUT_OF_SERVICE"
    CREW_TOO_SMALL = "CREW_TOO_SMALL"
    CREW_LEAD_MISSING = "CREW_LEAD_MISSING"
    OUTSIDE_WORKING_HOURS = "OUTSIDE_WORKING_HOURS"
    DRIVER_NOT_LICENSED = "DRIVER_NOT_LICENSED"
    TRUCK_TOO_SMALL = "TRUCK_TOO_SMALL"


_STORABLE = {k.value for k in ConflictKind}


@dataclass(frozen=True)
class Conflict:
    """One problem: its rule, how bad, who and what it concerns, and a message for people."""

    rule: ConflictRule
    severity: Severity
    message: str
    schedule_id: uuid.UUID | None = None
    other_schedule_id: uuid.UUID | None = None
    journey_id: uuid.UUID | None = None
    other_journey_id: uuid.UUID | None = None
    availability_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    equipment_id: uuid.UUID | None = None

    @property
    def kind(self) -> ConflictKind | None:
        """The ``schedule_conflict.kind`` to store it under, None when not storable yet."""
        return ConflictKind(self.rule.value) if self.rule.value in _STORABLE else None

    def identity(self) -> Identity:
        """``identity_of`` this conflict's row: how a stored flag is matched to it."""
        return identity_of({"kind": self.rule.value, **self.to_row()})

    def to_row(self) -> dict[str, Any]:
        """The ``ScheduleConflict`` columns this conflict fills (no ids, times or location)."""
        kind = self.kind
        if kind is None:
            raise ValueError(f"{self.rule.value} has no ConflictKind value to be stored under")
        return {
            "kind": kind,
            "schedule_id": self.schedule_id,
            "other_schedule_id": self.other_schedule_id,
            "journey_id": self.journey_id,
            "availability_id": self.availability_id,
            "user_id": self.user_id,
            "equipment_id": self.equipment_id,
            "note": self.message,
        }
