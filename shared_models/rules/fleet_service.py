"""Preventive service due dates, and what each unit costs and how much it works.

Service falls due by whichever comes first: a date, an odometer reading or
engine hours. The next due point is the unit's explicit ``next_service_*``
while no completed preventive job has reached it, else the last completed
preventive job plus the unit's interval (so a serviced unit is not overdue
for the point it was just serviced at). Readings come from inspections (the
latest one recorded, by time); engine hours drive reefers and forklifts.
Utilisation is assigned hours over available hours in a period, with
overlapping assignments of one unit counted once.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, Final, TypeVar

from shared_models.enums import AssignmentStatus, Currency
from shared_models.rules.errors import CURRENCY_MISMATCH, RuleViolation

INVALID_PERIOD: Final = "invalid_period"
_HOUR = Decimal(3600)
#: The limits a reading (an inspection's odometer or engine hours) can reach.
READING_LIMITS: Final = frozenset({"odometer", "engine_hours"})
_P = TypeVar("_P", int, Decimal, dt.date)


class DueState(enum.StrEnum):
    OK = "OK"
    DUE_SOON = "DUE_SOON"
    OVERDUE = "OVERDUE"


@dataclass(frozen=True, slots=True)
class Reading:
    """Odometer / engine hours as an inspection recorded them."""

    at: dt.datetime
    odometer_km: int | None = None
    engine_hours: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ServicePlan:
    """A unit's preventive rule (``Equipment`` columns; engine hours passed by the caller)."""

    next_service_date: dt.date | None = None
    next_service_odometer_km: int | None = None
    service_interval_days: int | None = None
    service_interval_km: int | None = None
    next_service_engine_hours: Decimal | None = None
    service_interval_engine_hours: Decimal | None = None

    @classmethod
    def of(cls, unit: Mapping[str, Any]) -> ServicePlan:
        """The plan stored on an ``equipment`` row."""
        return cls(**{f.name: unit.get(f.name) for f in fields(cls)})


@dataclass(frozen=True, slots=True)
class LastService:
    """The latest COMPLETED preventive job."""

    on: dt.date
    odometer_km: int | None = None
    engine_hours: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ServiceDue:
    state: DueState
    due_date: dt.date | None
    due_odometer_km: int | None
    due_engine_hours: Decimal | None
    odometer_km: int | None
    engine_hours: Decimal | None
    #: Which limits are reached ("date", "odometer", "engine_hours").
    reasons: tuple[str, ...]


def latest_reading(readings: Iterable[Reading]) -> tuple[int | None, Decimal | None]:
    """Odometer and engine hours of the latest inspection that recorded each."""
    km_at: tuple[dt.datetime, int] | None = None
    hours_at: tuple[dt.datetime, Decimal] | None = None
    for r in readings:
        if r.odometer_km is not None and (km_at is None or (r.at, r.odometer_km) > km_at):
            km_at = (r.at, r.odometer_km)
        if r.engine_hours is not None and (hours_at is None or (r.at, r.engine_hours) > hours_at):
            hours_at = (r.at, r.engine_hours)
    return (km_at[1] if km_at else None, hours_at[1] if hours_at else None)


def _next(explicit: _P | None, last: _P | None, step: Any) -> _P | None:
    """The explicit point until a service reaches it; then the last service plus the step."""
    if explicit is not None and (last is None or last < explicit):
        return explicit
    if last is None:
        return explicit
    return last + step if step else None  # type: ignore[no-any-return]


def preventive_due(
    plan: ServicePlan,
    *,
    today: dt.date,
    readings: Iterable[Reading] = (),
    last_service: LastService | None = None,
    soon_days: int = 14,
    soon_km: int = 1000,
    soon_hours: Decimal = Decimal(25),
) -> ServiceDue:
    """Whether preventive service is overdue, due soon, or not yet."""
    km, hours = latest_reading(readings)
    last = last_service
    due_date = _next(
        plan.next_service_date,
        last.on if last else None,
        dt.timedelta(days=plan.service_interval_days) if plan.service_interval_days else None,
    )
    due_km = _next(
        plan.next_service_odometer_km, last.odometer_km if last else None, plan.service_interval_km
    )
    due_hours = _next(
        plan.next_service_engine_hours,
        last.engine_hours if last else None,
        plan.service_interval_engine_hours,
    )
    overdue: list[str] = []
    soon: list[str] = []
    if due_date is not None:
        if today >= due_date:
            overdue.append("date")
        elif (due_date - today).days <= soon_days:
            soon.append("date")
    if due_km is not None and km is not None:
        if km >= due_km:
            overdue.append("odometer")
        elif due_km - km <= soon_km:
            soon.append("odometer")
    if due_hours is not None and hours is not None:
        if hours >= due_hours:
            overdue.append("engine_hours")
        elif due_hours - hours <= soon_hours:
            soon.append("engine_hours")
    state = DueState.OVERDUE if overdue else DueState.DUE_SOON if soon else DueState.OK
    return ServiceDue(state, due_date, due_km, due_hours, km, hours, tuple(overdue or soon))


def reading_overdue(due: ServiceDue) -> bool:
    """Overdue because an odometer or engine-hour reading reached its point (not the date)."""
    return due.state is DueState.OVERDUE and bool(READING_LIMITS & set(due.reasons))


def _num(value: Decimal | None) -> str:
    return "?" if value is None else format(Decimal(value).normalize(), "f")


def preventive_description(unit_number: str, due: ServiceDue) -> str:
    """The text of a preventive job opened because readings reached the service point."""
    parts = []
    if "engine_hours" in due.reasons:
        parts.append(
            f"engine hours {_num(due.engine_hours)} reached the "
            f"{_num(due.due_engine_hours)} h service point"
        )
    if "odometer" in due.reasons:
        parts.append(
            f"odometer {due.odometer_km} km reached the {due.due_odometer_km} km service point"
        )
    if "date" in due.reasons:
        parts.append(f"the service date {due.due_date} has passed")
    return f"Preventive service due on {unit_number}: " + "; ".join(parts)


# -- cost and utilisation ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Booking:
    """An EquipmentAssignment's window (``end`` None: still out)."""

    start: dt.datetime
    end: dt.datetime | None
    status: AssignmentStatus = AssignmentStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class ServiceCost:
    """A maintenance job's cost; counted in the period holding ``performed_at``."""

    performed_at: dt.datetime | None
    cost: Decimal | None
    currency: Currency = Currency.CAD


@dataclass(frozen=True, slots=True)
class UnitUsage:
    assigned_hours: Decimal
    available_hours: Decimal
    #: assigned / available, 0..1 to four places (None when nothing was available).
    utilisation: Decimal | None
    maintenance_cost: Decimal
    currency: Currency
    jobs: int


def _clip(
    start: dt.datetime, end: dt.datetime, lo: dt.datetime, hi: dt.datetime
) -> tuple[dt.datetime, dt.datetime] | None:
    s, e = max(start, lo), min(end, hi)
    return (s, e) if e > s else None


def unit_usage(
    *,
    start: dt.datetime,
    end: dt.datetime,
    bookings: Iterable[Booking],
    services: Iterable[ServiceCost],
    currency: Currency = Currency.CAD,
    in_service_from: dt.datetime | None = None,
) -> UnitUsage:
    """One unit over ``[start, end)``.

    Available hours are the calendar hours of the period the unit was in the
    fleet (from ``in_service_from``, e.g. its purchase): a comparable figure
    across units, where a truck busy ten hours every day scores 0.42. Assigned
    hours are the union of its non-cancelled bookings clipped to that span.
    """
    if end <= start:
        raise RuleViolation(INVALID_PERIOD, "the period must end after it starts", field="end")
    lo = max(start, in_service_from) if in_service_from else start
    available = (Decimal(max((end - lo).total_seconds(), 0)) / _HOUR).quantize(Decimal("0.01"))
    spans = sorted(
        c
        for b in bookings
        if b.status is not AssignmentStatus.CANCELLED
        and (c := _clip(b.start, b.end or end, lo, end)) is not None
    )
    seconds = 0.0
    current: tuple[dt.datetime, dt.datetime] | None = None
    for s, e in spans:
        if current is None or s > current[1]:
            if current is not None:
                seconds += (current[1] - current[0]).total_seconds()
            current = (s, e)
        else:
            current = (current[0], max(current[1], e))
    if current is not None:
        seconds += (current[1] - current[0]).total_seconds()
    assigned = (Decimal(seconds) / _HOUR).quantize(Decimal("0.01"))
    cost, jobs = Decimal(0), 0
    for job in services:
        if job.performed_at is None or job.cost is None or not start <= job.performed_at < end:
            continue
        if Currency(job.currency) != currency:
            raise RuleViolation(
                CURRENCY_MISMATCH,
                f"a maintenance cost in {job.currency} cannot be added to {currency}",
                field="currency",
            )
        cost += job.cost
        jobs += 1
    rate = (assigned / available).quantize(Decimal("0.0001")) if available else None
    return UnitUsage(assigned, available, rate, cost, currency, jobs)
