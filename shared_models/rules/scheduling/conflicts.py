"""Pure detection of a day's scheduling conflicts (DESIGN 6.5: flagged, never refused).

The caller gathers a day's journeys, schedule blocks, people, trucks and time
off; ``detect_conflicts`` returns one typed ``Conflict`` per problem. The
double-booking part (``find_double_bookings``) is the server's push-time
definition too (``sync_server/sync/double_booking.py``); ``flaggable_conflicts``
is what the server records for every other kind (``sync_server/sync/schedule_rules.py``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from shared_models.enums import CrewRole, JourneyStatus, ScheduleStatus, ScheduleType
from shared_models.rules.scheduling.availability import TimeOff
from shared_models.rules.scheduling.conflict_types import Conflict, ConflictRule, Severity
from shared_models.rules.scheduling.intervals import Interval
from shared_models.rules.scheduling.resources import (
    DriverInfo,
    TruckInfo,
    may_drive,
    out_of_service_reason,
)

__all__ = [
    "COMMITTED_STATUSES",
    "STAFFING_RULES",
    "Booking",
    "CrewMember",
    "DayData",
    "JourneyPlan",
    "PersonInfo",
    "ScheduleBlock",
    "bookings_of",
    "detect_conflicts",
    "driver_matching",
    "find_double_bookings",
    "flaggable_conflicts",
]

PERSON, TRUCK = "person", "truck"

#: Rules that judge how a journey is staffed and equipped.
STAFFING_RULES = frozenset(
    {
        ConflictRule.CREW_TOO_SMALL,
        ConflictRule.CREW_LEAD_MISSING,
        ConflictRule.DRIVER_NOT_LICENSED,
        ConflictRule.TRUCK_TOO_SMALL,
    }
)
#: A journey the dispatcher has committed to: its staffing is flagged from here on.
#: While PLANNED it is still being put together, and the board shows its gaps live.
COMMITTED_STATUSES = frozenset(
    {JourneyStatus.CONFIRMED, JourneyStatus.DISPATCHED, JourneyStatus.IN_PROGRESS}
)


@dataclass(frozen=True)
class CrewMember:
    user_id: uuid.UUID
    role: CrewRole = CrewRole.MOVER


@dataclass(frozen=True)
class JourneyPlan:
    """A journey as planned: its window (see ``journey_window``), crew and trucks."""

    id: uuid.UUID
    label: str
    interval: Interval
    crew_size_required: int = 2
    crew: tuple[CrewMember, ...] = ()
    crew_lead_id: uuid.UUID | None = None
    truck_ids: tuple[uuid.UUID, ...] = ()
    volume_cuft: Decimal | None = None
    #: None when not known (a plan being built): staffing is then always judged.
    status: JourneyStatus | None = None

    @property
    def committed(self) -> bool:
        return self.status is None or self.status in COMMITTED_STATUSES


@dataclass(frozen=True)
class ScheduleBlock:
    """A live ``Schedule`` row (a person and/or a unit busy for a window)."""

    id: uuid.UUID
    interval: Interval
    type: ScheduleType = ScheduleType.OTHER
    status: ScheduleStatus = ScheduleStatus.SCHEDULED
    user_id: uuid.UUID | None = None
    equipment_id: uuid.UUID | None = None
    journey_id: uuid.UUID | None = None


@dataclass(frozen=True)
class PersonInfo(DriverInfo):
    """A person; ``working`` is None when their regular hours are not known."""

    working: tuple[Interval, ...] | None = None


@dataclass(frozen=True)
class Booking:
    """One resource held for one window, by a schedule block or a journey."""

    resource: str
    resource_id: uuid.UUID
    interval: Interval
    schedule_id: uuid.UUID | None = None
    journey_id: uuid.UUID | None = None
    label: str = ""
    maintenance: bool = False


@dataclass(frozen=True)
class DayData:
    """Everything the rules look at for one location-day; ``tz`` formats messages."""

    day: dt.date
    tz: str
    journeys: tuple[JourneyPlan, ...] = ()
    schedules: tuple[ScheduleBlock, ...] = ()
    people: Mapping[uuid.UUID, PersonInfo] = field(default_factory=dict)
    trucks: Mapping[uuid.UUID, TruckInfo] = field(default_factory=dict)
    time_off: tuple[TimeOff, ...] = ()


def bookings_of(
    journeys: Iterable[JourneyPlan], schedules: Iterable[ScheduleBlock] = ()
) -> list[Booking]:
    """Every (resource, window) held by the journeys' crews and trucks and the live blocks."""
    out: list[Booking] = []
    for j in journeys:
        people = {m.user_id for m in j.crew} | ({j.crew_lead_id} if j.crew_lead_id else set())
        for uid in sorted(people):
            out.append(Booking(PERSON, uid, j.interval, journey_id=j.id, label=j.label))
        for tid in dict.fromkeys(j.truck_ids):
            out.append(Booking(TRUCK, tid, j.interval, journey_id=j.id, label=j.label))
    for s in schedules:
        if s.status is ScheduleStatus.CANCELLED:
            continue
        label = f"schedule {s.id}"
        maint = s.type is ScheduleType.MAINTENANCE
        if s.user_id is not None:
            out.append(Booking(PERSON, s.user_id, s.interval, s.id, s.journey_id, label, maint))
        if s.equipment_id is not None:
            out.append(Booking(TRUCK, s.equipment_id, s.interval, s.id, s.journey_id, label, maint))
    return out


def _same_booking(a: Booking, b: Booking) -> bool:
    """A journey's crew row and a schedule block for that journey hold the resource once."""
    return a.journey_id is not None and a.journey_id == b.journey_id


def find_double_bookings(bookings: Iterable[Booking], tz: str = "UTC") -> list[Conflict]:
    """One conflict per pair of bookings holding one person or unit in overlapping windows."""
    by_resource: dict[tuple[str, uuid.UUID], list[Booking]] = defaultdict(list)
    for b in bookings:
        by_resource[(b.resource, b.resource_id)].append(b)
    found: list[Conflict] = []
    seen: set[frozenset[object]] = set()
    for (resource, rid), items in sorted(by_resource.items(), key=lambda kv: str(kv[0])):
        items.sort(key=lambda b: (b.interval.start, b.interval.end, str(b.schedule_id)))
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if b.interval.start >= a.interval.end:
                    break
                if _same_booking(a, b):
                    continue
                key = frozenset(
                    (resource, rid, a.schedule_id or a.journey_id, b.schedule_id or b.journey_id)
                )
                if key in seen:
                    continue
                seen.add(key)
                found.append(_double(resource, rid, a, b, tz))
    return found


def _double(resource: str, rid: uuid.UUID, a: Booking, b: Booking, tz: str) -> Conflict:
    rule = (
        ConflictRule.DOUBLE_BOOKED_PERSON
        if resource == PERSON
        else ConflictRule.DOUBLE_BOOKED_EQUIPMENT
    )
    who = "person" if resource == PERSON else "unit"
    first, second = (a, b) if a.schedule_id or a.journey_id else (b, a)
    return Conflict(
        rule=rule,
        severity=Severity.ERROR,
        message=(
            f"{who} {rid} is booked on {first.label} ({first.interval.label(tz)}) and on "
            f"{second.label} ({second.interval.label(tz)}) at the same time"
        ),
        schedule_id=first.schedule_id or second.schedule_id,
        other_schedule_id=second.schedule_id if first.schedule_id else None,
        journey_id=first.journey_id or second.journey_id,
        other_journey_id=second.journey_id if first.journey_id else None,
        user_id=rid if resource == PERSON else None,
        equipment_id=rid if resource == TRUCK else None,
    )


def driver_matching(
    trucks: Iterable[TruckInfo], people: Iterable[DriverInfo]
) -> dict[uuid.UUID, uuid.UUID]:
    """A largest truck -> distinct licensed driver assignment (augmenting paths)."""
    crew, units = list(people), list(trucks)
    by_id = {t.id: t for t in units}
    match: dict[uuid.UUID, uuid.UUID] = {}  # person -> truck
    for truck in units:
        _augment(truck, crew, match, set(), by_id)
    return {t: p for p, t in match.items()}


def _augment(
    truck: TruckInfo,
    crew: list[DriverInfo],
    match: dict[uuid.UUID, uuid.UUID],
    visited: set[uuid.UUID],
    trucks: dict[uuid.UUID, TruckInfo],
) -> bool:
    for person in crew:
        if person.id in visited or not may_drive(person, truck):
            continue
        visited.add(person.id)
        held = match.get(person.id)
        if held is None or _augment(trucks[held], crew, match, visited, trucks):
            match[person.id] = truck.id
            return True
    return False


def detect_conflicts(data: DayData) -> list[Conflict]:
    """Every conflict of the day, double bookings first, then per booking, then per journey."""
    bookings = bookings_of(data.journeys, data.schedules)
    found = find_double_bookings(bookings, data.tz)
    found += _booking_conflicts(data, bookings)
    for journey in data.journeys:
        found += _journey_conflicts(data, journey)
    return found


def flaggable_conflicts(data: DayData) -> list[Conflict]:
    """What is recorded as a flag besides double bookings, one per ``Conflict.identity``.

    Double bookings are flagged pairwise on their own (``find_double_bookings``);
    staffing rules only judge committed journeys (``COMMITTED_STATUSES``).
    """
    found = _booking_conflicts(data, bookings_of(data.journeys, data.schedules))
    for journey in data.journeys:
        if journey.committed:
            found += _journey_conflicts(data, journey)
    unique: dict[object, Conflict] = {}
    for conflict in found:
        unique.setdefault(conflict.identity(), conflict)
    return list(unique.values())


def _booking_conflicts(data: DayData, bookings: list[Booking]) -> list[Conflict]:
    found: list[Conflict] = []
    off_by_user: dict[uuid.UUID, list[TimeOff]] = defaultdict(list)
    for entry in data.time_off:
        off_by_user[entry.user_id].append(entry)
    for b in bookings:
        where = {"schedule_id": b.schedule_id, "journey_id": b.journey_id}
        span = b.interval.label(data.tz)
        if b.resource == PERSON:
            person = data.people.get(b.resource_id)
            name = person.name if person else str(b.resource_id)
            for off in off_by_user.get(b.resource_id, ()):
                if off.interval.overlaps(b.interval):
                    state = "approved" if off.approved else "requested"
                    found.append(
                        Conflict(
                            ConflictRule.DURING_TIME_OFF,
                            Severity.ERROR if off.approved else Severity.WARNING,
                            f"{name} is booked on {b.label} ({span}) during {state} "
                            f"{off.type.value.lower()} time off",
                            availability_id=off.id,
                            user_id=b.resource_id,
                            **where,
                        )
                    )
            if person is not None and person.working is not None and not b.maintenance:
                outside = b.interval.minutes_outside(person.working)
                if outside > 0:
                    found.append(
                        Conflict(
                            ConflictRule.OUTSIDE_WORKING_HOURS,
                            Severity.WARNING,
                            f"{name} works {outside} min outside their hours on {b.label} ({span})",
                            user_id=b.resource_id,
                            **where,
                        )
                    )
        else:
            truck = data.trucks.get(b.resource_id)
            reason = out_of_service_reason(truck, data.day) if truck and not b.maintenance else None
            if truck is not None and reason is not None:
                found.append(
                    Conflict(
                        ConflictRule.EQUIPMENT_OUT_OF_SERVICE,
                        Severity.ERROR,
                        f"unit {truck.unit_number} is booked on {b.label} ({span}) but {reason}",
                        equipment_id=truck.id,
                        **where,
                    )
                )
    return found


def _journey_conflicts(data: DayData, j: JourneyPlan) -> list[Conflict]:
    found: list[Conflict] = []
    crew_ids = list(dict.fromkeys(m.user_id for m in j.crew))
    if len(crew_ids) < j.crew_size_required:
        found.append(
            Conflict(
                ConflictRule.CREW_TOO_SMALL,
                Severity.ERROR,
                f"{j.label} needs {j.crew_size_required} people, {len(crew_ids)} assigned",
                journey_id=j.id,
            )
        )
    if j.crew_lead_id is None and not any(m.role is CrewRole.LEAD for m in j.crew):
        found.append(
            Conflict(
                ConflictRule.CREW_LEAD_MISSING,
                Severity.ERROR,
                f"{j.label} has no crew lead",
                journey_id=j.id,
            )
        )
    trucks = [data.trucks[t] for t in dict.fromkeys(j.truck_ids) if t in data.trucks]
    people = [data.people[u] for u in crew_ids if u in data.people]
    for m in j.crew:
        person = data.people.get(m.user_id)
        if m.role is CrewRole.DRIVER and person and not any(may_drive(person, t) for t in trucks):
            found.append(
                Conflict(
                    ConflictRule.DRIVER_NOT_LICENSED,
                    Severity.ERROR,
                    f"{person.name} drives on {j.label} without the licence its truck needs",
                    journey_id=j.id,
                    user_id=person.id,
                )
            )
    matched = driver_matching(trucks, people)
    for t in trucks:
        if t.id not in matched:
            need = f"class {t.requires_license_class}" if t.requires_license_class else "a licence"
            found.append(
                Conflict(
                    ConflictRule.DRIVER_NOT_LICENSED,
                    Severity.ERROR,
                    f"nobody on {j.label}'s crew may drive unit {t.unit_number} (needs {need})",
                    journey_id=j.id,
                    equipment_id=t.id,
                )
            )
    capacity = sum((t.capacity_cuft or Decimal(0) for t in trucks), Decimal(0))
    if j.volume_cuft and trucks and capacity < j.volume_cuft:
        found.append(
            Conflict(
                ConflictRule.TRUCK_TOO_SMALL,
                Severity.WARNING,
                f"{j.label} moves {_cuft(j.volume_cuft)} cu ft, its trucks hold {_cuft(capacity)}",
                journey_id=j.id,
            )
        )
    return found


def _cuft(value: Decimal) -> str:
    """``1500`` rather than ``1500.000`` (a stored Quantity has three places)."""
    return format(Decimal(value).normalize(), "f")
