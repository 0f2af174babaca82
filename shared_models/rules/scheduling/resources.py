"""Whether a truck may be dispatched, and whether a driver may drive it.

Out of service: a status other than ACTIVE, a latest inspection that failed
and was not followed by completed maintenance, or open maintenance on the day
(in progress, or scheduled for that day or earlier and not done).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shared_models.enums import CheckResult, EquipmentStatus, MaintenanceStatus, MaintenanceType

__all__ = [
    "LICENCE_COVERS",
    "CheckState",
    "DriverInfo",
    "MaintenanceState",
    "TruckInfo",
    "keeps_unit_out",
    "licence_covers",
    "maintenance_hold",
    "may_drive",
    "out_of_service_reason",
]

#: Ontario's classes (Highway Traffic Act, O. Reg. 340/94): what each licence
#: also lets you drive. A class missing here covers only itself.
LICENCE_COVERS: Mapping[str, frozenset[str]] = {
    "A": frozenset("ADG"),
    "B": frozenset("BCDEFG"),
    "C": frozenset("CDFG"),
    "D": frozenset("DG"),
    "E": frozenset("EFG"),
    "F": frozenset("FG"),
    "G": frozenset("G"),
}


@dataclass(frozen=True)
class CheckState:
    """An inspection of the unit (EquipmentCheck), as far as service goes."""

    performed_at: dt.datetime
    result: CheckResult


@dataclass(frozen=True)
class MaintenanceState:
    """A service job of the unit (EquipmentMaintenance), as far as service goes."""

    id: uuid.UUID
    status: MaintenanceStatus
    scheduled_date: dt.date | None = None
    performed_at: dt.datetime | None = None
    type: MaintenanceType | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> MaintenanceState:
        """From an ``equipment_maintenance`` row of either database (enum or text values)."""
        return cls(
            row["id"],
            MaintenanceStatus(row["status"]),
            row["scheduled_date"],
            row["performed_at"],
            MaintenanceType(row["type"]),
        )


@dataclass(frozen=True)
class TruckInfo:
    """What the rules need to know about a unit."""

    id: uuid.UUID
    unit_number: str
    status: EquipmentStatus = EquipmentStatus.ACTIVE
    capacity_cuft: Decimal | None = None
    requires_license_class: str | None = None
    checks: tuple[CheckState, ...] = ()
    maintenance: tuple[MaintenanceState, ...] = field(default=())


@dataclass(frozen=True)
class DriverInfo:
    """A person as far as driving goes."""

    id: uuid.UUID
    name: str
    has_drivers_license: bool = False
    license_class: str | None = None
    can_lead: bool = False


def licence_covers(held: str | None, required: str | None) -> bool:
    """Whether a licence of class ``held`` allows driving a unit needing ``required``."""
    if required is None or not required.strip():
        return True
    if held is None or not held.strip():
        return False
    h, r = held.strip().upper(), required.strip().upper()
    return r in LICENCE_COVERS.get(h, frozenset((h,)))


def may_drive(person: DriverInfo, truck: TruckInfo) -> bool:
    """A licensed driver whose class covers the unit's (any licence when it names none)."""
    return person.has_drivers_license and licence_covers(
        person.license_class, truck.requires_license_class
    )


#: Work a unit keeps doing until the shop takes it: a due service, an annual inspection.
_ROUTINE = frozenset({MaintenanceType.PREVENTIVE, MaintenanceType.INSPECTION})


def maintenance_hold(job: MaintenanceState, day: dt.date) -> str | None:
    """Why the open ``job`` keeps its unit off the road on ``day``, or None.

    The one rule the dispatch board, the fleet screens and the server share:
    work under way holds the unit; an emergency holds it until done; a booked
    job holds it from its shop day (a repair booked for next week leaves the
    truck working until then); an unbooked repair holds it until done, while an
    unbooked routine job leaves it working. A job of unknown type counts as a
    repair: when in doubt, grounded.
    """
    if job.status is MaintenanceStatus.IN_PROGRESS:
        return f"maintenance {job.id} is in progress"
    if job.status is not MaintenanceStatus.SCHEDULED:
        return None
    if job.type is MaintenanceType.EMERGENCY:
        return f"emergency repair {job.id} is open"
    if job.scheduled_date is None:
        return None if job.type in _ROUTINE else f"maintenance {job.id} is open (without a date)"
    if job.scheduled_date <= day:
        return f"maintenance {job.id} is open (for {job.scheduled_date})"
    return None


def keeps_unit_out(job: MaintenanceState, day: dt.date) -> bool:
    """Whether the open ``job`` keeps its unit off the road on ``day`` (``maintenance_hold``)."""
    return maintenance_hold(job, day) is not None


def out_of_service_reason(truck: TruckInfo, day: dt.date) -> str | None:
    """Why ``truck`` cannot be dispatched on ``day``, or None when it can."""
    if truck.status is not EquipmentStatus.ACTIVE:
        return f"its status is {truck.status.value}"
    done = [
        m.performed_at
        for m in truck.maintenance
        if m.status is MaintenanceStatus.COMPLETED and m.performed_at is not None
    ]
    checks = sorted(truck.checks, key=lambda c: c.performed_at)
    if checks and checks[-1].result is CheckResult.FAIL:
        failed_at = checks[-1].performed_at
        if not any(at >= failed_at for at in done):
            return f"its latest inspection ({failed_at:%Y-%m-%d %H:%M} UTC) failed"
    for m in truck.maintenance:
        hold = maintenance_hold(m, day)
        if hold is not None:
            return hold
    return None
