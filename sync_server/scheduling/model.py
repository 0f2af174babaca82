"""Typed input and output of the crew and truck solver: no database, no OR-Tools.

Times are ``Interval`` values (UTC); the loader turns a location-day into an
``AssignRequest`` and the route turns an ``AssignResult`` into JSON.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from shared_models.rules.errors import RuleViolation
from shared_models.rules.scheduling import DriverInfo, Interval, TruckInfo

__all__ = [
    "ASSIGNMENT_INFEASIBLE",
    "AssignRequest",
    "AssignResult",
    "AssignmentInfeasible",
    "AssignmentTimeout",
    "GeoPoint",
    "Infeasibility",
    "JourneyAssignment",
    "JourneyInput",
    "PersonInput",
    "SolverSettings",
    "TruckInput",
    "travel_minutes",
]

ASSIGNMENT_INFEASIBLE: Final = "assignment_infeasible"
#: Road distance ~ great circle x 1.25 (as the quote seed estimates it).
DETOUR_FACTOR: Final = 1.25
EARTH_KM: Final = 6371.0


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lng: float

    def km_to(self, other: GeoPoint) -> float:
        """Haversine great-circle distance in km."""
        p1, p2 = math.radians(self.lat), math.radians(other.lat)
        dp, dl = p2 - p1, math.radians(other.lng - self.lng)
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * EARTH_KM * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class JourneyInput:
    """A journey to staff. ``locked`` (already dispatched): the pins are its whole assignment."""

    id: uuid.UUID
    label: str
    window: Interval
    crew_size: int = 2
    trucks_needed: int = 1
    volume_cuft: Decimal | None = None
    origin: GeoPoint | None = None
    destination: GeoPoint | None = None
    pinned_people: frozenset[uuid.UUID] = frozenset()
    pinned_trucks: frozenset[uuid.UUID] = frozenset()
    pinned_lead: uuid.UUID | None = None
    locked: bool = False


@dataclass(frozen=True)
class PersonInput:
    """A person who can be sent out; ``busy`` is time off and bookings outside this plan."""

    id: uuid.UUID
    name: str
    can_lead: bool = False
    has_drivers_license: bool = False
    license_class: str | None = None
    busy: tuple[Interval, ...] = ()
    working: tuple[Interval, ...] = ()

    @property
    def driver(self) -> DriverInfo:
        return DriverInfo(
            self.id, self.name, self.has_drivers_license, self.license_class, self.can_lead
        )

    def free_during(self, window: Interval) -> bool:
        return not any(b.overlaps(window) for b in self.busy)


@dataclass(frozen=True)
class TruckInput:
    """A unit; ``out_of_service`` is the reason it cannot go out today (None when it can)."""

    id: uuid.UUID
    unit_number: str
    capacity_cuft: Decimal | None = None
    requires_license_class: str | None = None
    out_of_service: str | None = None
    busy: tuple[Interval, ...] = ()

    @property
    def info(self) -> TruckInfo:
        return TruckInfo(
            self.id,
            self.unit_number,
            capacity_cuft=self.capacity_cuft,
            requires_license_class=self.requires_license_class,
        )

    def free_during(self, window: Interval) -> bool:
        return self.out_of_service is None and not any(b.overlaps(window) for b in self.busy)


@dataclass(frozen=True)
class SolverSettings:
    """Limits and weights (the objective is in minutes, weighted)."""

    #: CP-SAT deterministic time (about seconds); the wall clock stops at 3x.
    time_limit_s: float = 10.0
    seed: int = 20260101
    #: One worker: the same input always gives the same plan. More workers
    #: search faster but the plan may then depend on thread timing.
    workers: int = 1
    travel_weight: int = 1
    overtime_weight: int = 2
    #: Per journey without a crew lead: a lead is wanted, not required (see assign.py).
    missing_lead_weight: int = 10_000
    #: Per person beyond the crew size: keeps crews at the size the job needs.
    extra_person_weight: int = 120
    speed_kmh: float = 40.0


@dataclass(frozen=True)
class AssignRequest:
    day: dt.date
    tz: str
    journeys: tuple[JourneyInput, ...]
    people: tuple[PersonInput, ...]
    trucks: tuple[TruckInput, ...]
    #: Minutes from journey a's end point to journey b's start; overrides coordinates.
    travel: Mapping[tuple[uuid.UUID, uuid.UUID], int] = field(default_factory=dict)
    settings: SolverSettings = field(default_factory=SolverSettings)


def travel_minutes(request: AssignRequest, a: JourneyInput, b: JourneyInput) -> int:
    """Driving minutes from where ``a`` ends to where ``b`` starts (0 when unknown)."""
    given = request.travel.get((a.id, b.id))
    if given is not None:
        return max(0, int(given))
    start, end = a.destination or a.origin, b.origin
    if start is None or end is None:
        return 0
    km = start.km_to(end) * DETOUR_FACTOR
    return math.ceil(km / request.settings.speed_kmh * 60)


@dataclass(frozen=True)
class JourneyAssignment:
    journey_id: uuid.UUID
    people: tuple[uuid.UUID, ...]
    trucks: tuple[uuid.UUID, ...]
    crew_lead_id: uuid.UUID | None
    #: (truck, its driver) per truck.
    drivers: tuple[tuple[uuid.UUID, uuid.UUID], ...] = ()


@dataclass(frozen=True)
class AssignResult:
    status: str
    solve_ms: int
    assignments: tuple[JourneyAssignment, ...]
    travel_minutes: int
    overtime_minutes: int
    objective: int
    warnings: tuple[str, ...] = ()

    def for_journey(self, journey_id: uuid.UUID) -> JourneyAssignment:
        return next(a for a in self.assignments if a.journey_id == journey_id)


@dataclass(frozen=True)
class Infeasibility:
    """One thing that cannot be met, for people."""

    code: str
    message: str
    journey_id: uuid.UUID | None = None


class AssignmentInfeasible(RuleViolation):
    """No plan meets every hard rule; ``reasons`` says what cannot be met."""

    def __init__(self, reasons: tuple[Infeasibility, ...]) -> None:
        lines = "; ".join(r.message for r in reasons)
        super().__init__(ASSIGNMENT_INFEASIBLE, f"no assignment meets every rule: {lines}")
        self.reasons = reasons


class AssignmentTimeout(Exception):
    """The solver found no plan and could not prove there is none within its time limit."""
