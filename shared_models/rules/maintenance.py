"""A maintenance job's lifecycle, what finishing one needs, and when its unit may work again.

SCHEDULED -> IN_PROGRESS -> COMPLETED, and CANCELLED from either open status;
a SCHEDULED job may also be completed at once (a mobile mechanic fixes a lamp
in the yard). COMPLETED and CANCELLED are final: work found undone is a new
job, so the record of what a shop was paid for never changes behind the
accountant's back. Only a SCHEDULED job gets (or loses) a shop day.

A unit taken out of service (REPAIR, MAINTENANCE) goes back to ACTIVE when its
last job that keeps it off the road is done; RETIRED and SOLD units are never
touched. Readings only ever raise a unit's odometer and engine hours.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from shared_models.enums import EquipmentStatus, MaintenanceStatus
from shared_models.rules.contact import DATE_IN_PAST, TOO_LONG
from shared_models.rules.errors import (
    INVALID_TRANSITION,
    NEGATIVE_AMOUNT,
    REASON_REQUIRED,
    UNKNOWN_STATUS,
    RuleViolation,
)
from shared_models.rules.scheduling import MaintenanceState, keeps_unit_out

FUTURE_DATE: Final = "future_date"
NEGATIVE_READING: Final = "negative_reading"
BEFORE_DEFECT: Final = "before_defect"
DESCRIPTION_REQUIRED: Final = "description_required"
UNIT_OUT_OF_FLEET: Final = "unit_out_of_fleet"

M, S = MaintenanceStatus, EquipmentStatus
OPEN: Final = frozenset({M.SCHEDULED, M.IN_PROGRESS})
TRANSITIONS: Final[Mapping[MaintenanceStatus, frozenset[MaintenanceStatus]]] = {
    M.SCHEDULED: frozenset({M.IN_PROGRESS, M.COMPLETED, M.CANCELLED}),
    M.IN_PROGRESS: frozenset({M.COMPLETED, M.CANCELLED}),
    M.COMPLETED: frozenset(),
    M.CANCELLED: frozenset(),
}
#: Units that left the fleet: no new jobs, no status changes.
OUT_OF_FLEET: Final = frozenset({S.RETIRED, S.SOLD})
#: A phone's clock a few minutes ahead is not "the future".
CLOCK_GRACE: Final = dt.timedelta(minutes=10)
MAX_ODOMETER_KM: Final = 3_000_000
TEXT_LIMITS: Final[Mapping[str, int]] = {
    "description": 2000,
    "vendor_name": 200,
    "vendor_reference": 64,
    "notes": 2000,
    "reason": 500,
}


class Action(enum.StrEnum):
    """What a person can do to a job on screen."""

    BOOK = "BOOK"
    START = "START"
    COMPLETE = "COMPLETE"
    CANCEL = "CANCEL"


_TARGET: Final = {
    Action.START: M.IN_PROGRESS,
    Action.COMPLETE: M.COMPLETED,
    Action.CANCEL: M.CANCELLED,
}
_VERB: Final = {
    Action.BOOK: "booked",
    Action.START: "started",
    Action.COMPLETE: "completed",
    Action.CANCEL: "cancelled",
}


def parse_status(value: MaintenanceStatus | str) -> MaintenanceStatus:
    try:
        return MaintenanceStatus(value)
    except ValueError:
        raise RuleViolation(
            UNKNOWN_STATUS, f"unknown maintenance status {value!r}", field="status"
        ) from None


def refusal(current: MaintenanceStatus | str, action: Action) -> str | None:
    """Why ``action`` is not possible on a job in ``current`` (None: it is)."""
    status = parse_status(current)
    if action is Action.BOOK:
        if status is M.SCHEDULED:
            return None
        if status is M.IN_PROGRESS:
            return "The job is already in the shop: only a scheduled job can be booked."
        return f"The job is {status.value.lower()}: only a scheduled job can be booked."
    if _TARGET[action] in TRANSITIONS[status]:
        return None
    if status is M.IN_PROGRESS and action is Action.START:
        return "The job is already in progress."
    if status is M.CANCELLED:
        return f"The job was cancelled and cannot be {_VERB[action]}: open a new job instead."
    return f"The job is completed and cannot be {_VERB[action]}."


def check_action(current: MaintenanceStatus | str, action: Action) -> None:
    """Raise ``RuleViolation`` (invalid_transition) with ``refusal``'s words."""
    why = refusal(current, action)
    if why is not None:
        raise RuleViolation(INVALID_TRANSITION, why, field="status")


def check_transition(current: MaintenanceStatus | str, target: MaintenanceStatus | str) -> None:
    """A status move as the state machine allows it (for a merge policy or a service)."""
    old, new = parse_status(current), parse_status(target)
    if old != new and new not in TRANSITIONS[old]:
        raise RuleViolation(
            INVALID_TRANSITION,
            f"a maintenance job in status {old.value} cannot move to {new.value}",
            field="status",
        )


def clean_text(value: str | None, field: str, *, required: str | None = None) -> str | None:
    """Trimmed text within its column's limit; ``required`` is the message when empty."""
    text = (value or "").strip()
    if not text:
        if required is not None:
            code = REASON_REQUIRED if field == "reason" else DESCRIPTION_REQUIRED
            raise RuleViolation(code, required, field=field)
        return None
    limit = TEXT_LIMITS[field]
    if len(text) > limit:
        raise RuleViolation(TOO_LONG, f"Use at most {limit} characters.", field=field)
    return text


def check_shop_day(day: dt.date | None, *, today: dt.date) -> dt.date | None:
    """A shop day is today or later (None: not booked yet)."""
    if day is not None and day < today:
        raise RuleViolation(
            DATE_IN_PAST, f"The shop day cannot be in the past ({day:%b %d, %Y}).", field="date"
        )
    return day


def check_unit_serviceable(status: EquipmentStatus | str, unit_number: str) -> None:
    if S(status) in OUT_OF_FLEET:
        raise RuleViolation(
            UNIT_OUT_OF_FLEET,
            f"{unit_number} is {S(status).value.lower()}: it gets no more maintenance.",
            field="equipment_id",
        )


@dataclass(frozen=True, slots=True)
class Completion:
    """The checked values a completed job stores."""

    performed_at: dt.datetime
    odometer_km: int | None
    engine_hours: Decimal | None
    cost: Decimal | None
    vendor_name: str | None
    vendor_reference: str | None
    notes: str | None


def _reading(value: Any, field: str, what: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise RuleViolation(NEGATIVE_READING, f"{what} is a number.", field=field) from None
    if not number.is_finite():
        raise RuleViolation(NEGATIVE_READING, f"{what} is a number.", field=field)
    if number < 0:
        raise RuleViolation(NEGATIVE_READING, f"{what} cannot be negative.", field=field)
    return number


def parse_odometer(value: Any) -> int | None:
    km = _reading(value, "odometer_km", "The odometer reading")
    if km is None:
        return None
    if km != km.to_integral_value():
        raise RuleViolation(
            NEGATIVE_READING, "Whole kilometres only, e.g. 152340.", field="odometer_km"
        )
    if km > MAX_ODOMETER_KM:
        raise RuleViolation(
            NEGATIVE_READING, "That reading is too high: check the digits.", field="odometer_km"
        )
    return int(km)


def parse_engine_hours(value: Any) -> Decimal | None:
    hours = _reading(value, "engine_hours", "Engine hours")
    return None if hours is None else hours.quantize(Decimal("0.1"))


def parse_cost(value: Any) -> Decimal | None:
    """A shop bill: empty, or an amount of at least zero in cents."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise RuleViolation(NEGATIVE_AMOUNT, "The cost is a number, e.g. 480.00", field="cost")
    if not amount.is_finite():
        raise RuleViolation(NEGATIVE_AMOUNT, "The cost is a number, e.g. 480.00", field="cost")
    if amount < 0:
        raise RuleViolation(NEGATIVE_AMOUNT, "The cost cannot be negative.", field="cost")
    if amount != amount.quantize(Decimal("0.01")):
        raise RuleViolation(NEGATIVE_AMOUNT, "The cost is in dollars and cents.", field="cost")
    return amount.quantize(Decimal("0.01"))


def check_performed_at(
    performed_at: dt.datetime, *, now: dt.datetime, found_at: dt.datetime | None = None
) -> dt.datetime:
    """When the work was done: not in the future, not before the inspection that found it."""
    if performed_at.tzinfo is None:
        raise RuleViolation(
            FUTURE_DATE, "The time the work was done needs its time zone.", field="performed_at"
        )
    if performed_at > now + CLOCK_GRACE:
        raise RuleViolation(
            FUTURE_DATE, "The work cannot be done in the future.", field="performed_at"
        )
    if found_at is not None and performed_at < found_at:
        raise RuleViolation(
            BEFORE_DEFECT,
            "The repair cannot be done before the inspection that found the defect "
            f"({found_at:%Y-%m-%d %H:%M} UTC).",
            field="performed_at",
        )
    return performed_at.astimezone(dt.UTC)


def check_completion(
    *,
    performed_at: dt.datetime,
    now: dt.datetime,
    odometer_km: Any = None,
    engine_hours: Any = None,
    cost: Any = None,
    vendor_name: str | None = None,
    vendor_reference: str | None = None,
    notes: str | None = None,
    found_at: dt.datetime | None = None,
) -> Completion:
    """Every value of a completion checked; raises on the first problem, naming its field."""
    return Completion(
        performed_at=check_performed_at(performed_at, now=now, found_at=found_at),
        odometer_km=parse_odometer(odometer_km),
        engine_hours=parse_engine_hours(engine_hours),
        cost=parse_cost(cost),
        vendor_name=clean_text(vendor_name, "vendor_name"),
        vendor_reference=clean_text(vendor_reference, "vendor_reference"),
        notes=clean_text(notes, "notes"),
    )


def status_after_completion(
    unit_status: EquipmentStatus | str, others: Iterable[MaintenanceState], day: dt.date
) -> EquipmentStatus | None:
    """ACTIVE when a unit in REPAIR/MAINTENANCE has nothing else keeping it out; else None."""
    if S(unit_status) not in (S.REPAIR, S.MAINTENANCE):
        return None
    if any(keeps_unit_out(job, day) for job in others):
        return None
    return S.ACTIVE


def raised_readings(unit: Mapping[str, Any], done: Completion) -> dict[str, Any]:
    """The unit's odometer and engine hours the job's readings raise (never lowered)."""
    changes: dict[str, Any] = {}
    for name in ("odometer_km", "engine_hours"):
        reading = getattr(done, name)
        if reading is not None and (unit.get(name) is None or reading > unit[name]):
            changes[name] = reading
    return changes


__all__ = [
    "BEFORE_DEFECT",
    "DESCRIPTION_REQUIRED",
    "FUTURE_DATE",
    "NEGATIVE_READING",
    "OPEN",
    "TRANSITIONS",
    "UNIT_OUT_OF_FLEET",
    "Action",
    "Completion",
    "check_action",
    "check_completion",
    "check_shop_day",
    "check_transition",
    "check_unit_serviceable",
    "clean_text",
    "keeps_unit_out",
    "parse_cost",
    "parse_engine_hours",
    "parse_odometer",
    "parse_status",
    "raised_readings",
    "refusal",
    "status_after_completion",
]
