"""Why a day cannot be staffed: checks run before the solver, in words a dispatcher reads.

Each check is necessary for any plan (a journey's own needs, pins, the peak
demand of journeys running at one time), so a finding is a real reason, never
a guess. When they all pass and the solver still proves infeasibility,
``assign.py`` relaxes the model to say which journeys fall short.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from shared_models.rules.scheduling import Interval, driver_matching, may_drive, zone
from sync_server.scheduling.model import (
    AssignRequest,
    Infeasibility,
    JourneyInput,
    PersonInput,
    TruckInput,
    travel_minutes,
)

__all__ = ["clashes", "eligible_people", "eligible_trucks", "precheck"]


def _span(window: Interval, tz: str) -> str:
    z = zone(tz)
    return f"between {window.start.astimezone(z):%H:%M} and {window.end.astimezone(z):%H:%M}"


def clashes(request: AssignRequest, a: JourneyInput, b: JourneyInput) -> bool:
    """Whether one person or truck cannot do both: overlap, or no time to drive between."""
    if a.window.overlaps(b.window):
        return True
    first, second = (a, b) if a.window.start <= b.window.start else (b, a)
    gap = (second.window.start - first.window.end).total_seconds() / 60
    return gap < travel_minutes(request, first, second)


def eligible_people(j: JourneyInput, people: Iterable[PersonInput]) -> list[PersonInput]:
    if j.locked:
        return [p for p in people if p.id in j.pinned_people]
    return [p for p in people if p.free_during(j.window) or p.id in j.pinned_people]


def _fits(j: JourneyInput, t: TruckInput) -> bool:
    """A single truck must hold the whole load; several share it (checked in the model)."""
    if j.trucks_needed != 1 or not j.volume_cuft:
        return True
    return (t.capacity_cuft or Decimal(0)) >= j.volume_cuft


def eligible_trucks(j: JourneyInput, trucks: Iterable[TruckInput]) -> list[TruckInput]:
    if j.locked:
        return [t for t in trucks if t.id in j.pinned_trucks]
    return [
        t for t in trucks if t.id in j.pinned_trucks or (t.free_during(j.window) and _fits(j, t))
    ]


def precheck(request: AssignRequest) -> list[Infeasibility]:
    """Every reason found before solving (empty: the solver decides)."""
    reasons: list[Infeasibility] = []
    for j in request.journeys:
        reasons += _pins(request, j)
        if not j.locked:
            reasons += _journey_needs(request, j)
    reasons += _pin_clashes(request)
    reasons += _peaks(request)
    return reasons


def _pins(request: AssignRequest, j: JourneyInput) -> list[Infeasibility]:
    out: list[Infeasibility] = []
    span = _span(j.window, request.tz)
    people = {p.id: p for p in request.people}
    trucks = {t.id: t for t in request.trucks}
    for pid in sorted(j.pinned_people | ({j.pinned_lead} if j.pinned_lead else set())):
        person = people.get(pid)
        if person is None:
            out.append(
                Infeasibility(
                    "pinned_unknown",
                    f"{j.label}: pinned person {pid} is not on this location's crew list",
                    j.id,
                )
            )
        elif not person.free_during(j.window):
            out.append(
                Infeasibility(
                    "pinned_unavailable",
                    f"{j.label}: {person.name} is pinned but off or booked elsewhere {span}",
                    j.id,
                )
            )
    for tid in sorted(j.pinned_trucks):
        truck = trucks.get(tid)
        if truck is None:
            out.append(
                Infeasibility(
                    "pinned_unknown",
                    f"{j.label}: pinned truck {tid} is not in this location's fleet",
                    j.id,
                )
            )
        elif truck.out_of_service is not None:
            out.append(
                Infeasibility(
                    "pinned_out_of_service",
                    f"{j.label}: unit {truck.unit_number} is pinned but {truck.out_of_service}",
                    j.id,
                )
            )
        elif not truck.free_during(j.window):
            out.append(
                Infeasibility(
                    "pinned_unavailable",
                    f"{j.label}: unit {truck.unit_number} is pinned but booked elsewhere {span}",
                    j.id,
                )
            )
    if not j.locked and len(j.pinned_trucks) > j.trucks_needed:
        out.append(
            Infeasibility(
                "too_many_pins",
                f"{j.label}: {len(j.pinned_trucks)} trucks pinned, the job takes {j.trucks_needed}",
                j.id,
            )
        )
    return out


def _journey_needs(request: AssignRequest, j: JourneyInput) -> list[Infeasibility]:
    out: list[Infeasibility] = []
    span = _span(j.window, request.tz)
    people = eligible_people(j, request.people)
    if len(people) < j.crew_size:
        out.append(
            Infeasibility(
                "not_enough_people",
                f"journey {j.label} needs {j.crew_size} "
                f"movers, only {len(people)} available {span}",
                j.id,
            )
        )
    if j.trucks_needed == 0:
        return out
    trucks = eligible_trucks(j, request.trucks)
    caps = sorted((t.capacity_cuft or Decimal(0) for t in trucks), reverse=True)
    volume = j.volume_cuft or Decimal(0)
    if len(trucks) < j.trucks_needed or sum(caps[: j.trucks_needed], Decimal(0)) < volume:
        what = (
            f"with capacity >= {volume:f} cu ft"
            if j.trucks_needed == 1 and volume
            else f"({j.trucks_needed} needed, {volume:f} cu ft together)"
        )
        out.append(
            Infeasibility(
                "no_truck",
                f"journey {j.label}: no truck {what} free {span}{_why_not(request, j)}",
                j.id,
            )
        )
        return out
    drivers = [p for p in people if any(may_drive(p.driver, t.info) for t in trucks)]
    if not drivers:
        classes = sorted({t.requires_license_class or "any" for t in trucks})
        out.append(
            Infeasibility(
                "no_driver",
                f"journey {j.label}: no licensed driver "
                f"(class {'/'.join(classes)}) available {span}",
                j.id,
            )
        )
    elif j.trucks_needed > 1:
        best = driver_matching([t.info for t in trucks], [p.driver for p in people])
        if len(best) < j.trucks_needed:
            out.append(
                Infeasibility(
                    "no_driver",
                    f"journey {j.label} needs {j.trucks_needed} "
                    f"drivers, only {len(best)} available {span}",
                    j.id,
                )
            )
    return out


def _why_not(request: AssignRequest, j: JourneyInput) -> str:
    notes = []
    for t in request.trucks:
        if t.out_of_service is not None:
            notes.append(f"{t.unit_number} {t.out_of_service}")
        elif not t.free_during(j.window):
            notes.append(f"{t.unit_number} is booked")
        elif not _fits(j, t):
            notes.append(f"{t.unit_number} holds {t.capacity_cuft or 0:f} cu ft")
    return f" ({'; '.join(notes[:6])})" if notes else ""


def _pin_clashes(request: AssignRequest) -> list[Infeasibility]:
    out: list[Infeasibility] = []
    js = sorted(request.journeys, key=lambda j: (j.window.start, j.label))
    for i, a in enumerate(js):
        for b in js[i + 1 :]:
            shared = (a.pinned_people & b.pinned_people) | (a.pinned_trucks & b.pinned_trucks)
            if shared and clashes(request, a, b):
                out.append(
                    Infeasibility(
                        "pinned_clash",
                        f"{a.label} and {b.label} overlap (or "
                        "leave no time to drive between) but share pinned "
                        f"{len(shared)} person(s)/truck(s)",
                        b.id,
                    )
                )
    return out


def _peaks(request: AssignRequest) -> list[Infeasibility]:
    """At each journey start, the journeys running then need more people or trucks than exist."""
    out: list[Infeasibility] = []
    seen: set[frozenset[object]] = set()
    for j in sorted(request.journeys, key=lambda j: j.window.start):
        t = j.window.start
        running = [k for k in request.journeys if k.window.start <= t < k.window.end]
        key = frozenset(k.id for k in running)
        if key in seen or len(running) < 2:
            continue
        seen.add(key)
        until = min(k.window.end for k in running)
        moment = Interval(t, until)
        names = ", ".join(k.label for k in running)
        need = sum(len(k.pinned_people) if k.locked else k.crew_size for k in running)
        free = sum(1 for p in request.people if p.free_during(moment))
        if need > free:
            out.append(
                Infeasibility(
                    "peak_people",
                    f"{_span(moment, request.tz)} journeys "
                    f"{names} need {need} people together, only {free} are free",
                )
            )
        need_t = sum(len(k.pinned_trucks) if k.locked else k.trucks_needed for k in running)
        free_t = sum(1 for tr in request.trucks if tr.free_during(moment))
        if need_t > free_t:
            out.append(
                Infeasibility(
                    "peak_trucks",
                    f"{_span(moment, request.tz)} journeys "
                    f"{names} need {need_t} trucks together, only {free_t} "
                    "are in service and free",
                )
            )
    return out
