"""An independent check of a plan against every hard rule, worded for people.

Built on the shared pure rules (``find_double_bookings``, ``may_drive``), not
on the solver's model, so a modelling slip shows up as a violation. The solver
runs it on its own output; tests and the benchmark run it too.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from shared_models.rules.scheduling import (
    CrewMember,
    JourneyPlan,
    bookings_of,
    find_double_bookings,
    may_drive,
)
from sync_server.scheduling.model import (
    AssignRequest,
    AssignResult,
    JourneyAssignment,
    JourneyInput,
    PersonInput,
    TruckInput,
    travel_minutes,
)

__all__ = ["plan_violations"]


def plan_violations(request: AssignRequest, result: AssignResult) -> list[str]:
    """Every broken hard rule of ``result`` (empty when the plan is sound)."""
    problems: list[str] = []
    people = {p.id: p for p in request.people}
    trucks = {t.id: t for t in request.trucks}
    plans = {a.journey_id: a for a in result.assignments}
    if set(plans) != {j.id for j in request.journeys}:
        problems.append("the plan does not cover exactly the requested journeys")
        return problems
    for j in request.journeys:
        problems += _journey(j, plans[j.id], people, trucks)
    # No person or truck twice at once: the shared double-booking rule decides.
    journeys = [
        JourneyPlan(
            j.id,
            j.label,
            j.window,
            crew=tuple(CrewMember(u) for u in plans[j.id].people),
            truck_ids=plans[j.id].trucks,
        )
        for j in request.journeys
    ]
    problems += [c.message for c in find_double_bookings(bookings_of(journeys), request.tz)]
    problems += _travel_gaps(request, plans)
    return problems


def _journey(
    j: JourneyInput,
    a: JourneyAssignment,
    people: dict[uuid.UUID, PersonInput],
    trucks: dict[uuid.UUID, TruckInput],
) -> list[str]:
    out: list[str] = []
    crew = set(a.people)
    units = list(a.trucks)
    if len(crew) != len(a.people):
        out.append(f"{j.label}: a person is listed twice")
    if not j.pinned_people <= crew or not j.pinned_trucks <= set(units):
        out.append(f"{j.label}: a pinned person or truck was dropped")
    if j.pinned_lead is not None and a.crew_lead_id != j.pinned_lead:
        out.append(f"{j.label}: the pinned crew lead was replaced")
    lead = a.crew_lead_id
    if lead is not None and (
        lead not in crew or not (people[lead].can_lead or lead == j.pinned_lead)
    ):
        out.append(f"{j.label}: crew lead {lead} is not a lead on the crew")
    for pid in crew:
        p = people.get(pid)
        if p is None:
            out.append(f"{j.label}: unknown person {pid}")
        elif not p.free_during(j.window) and pid not in j.pinned_people:
            out.append(f"{j.label}: {p.name} is off or booked elsewhere at that time")
    for tid in units:
        t = trucks.get(tid)
        if t is None:
            out.append(f"{j.label}: unknown truck {tid}")
        elif not t.free_during(j.window) and tid not in j.pinned_trucks:
            out.append(f"{j.label}: unit {t.unit_number} is out of service or booked")
    if j.locked:
        if crew != j.pinned_people | ({j.pinned_lead} if j.pinned_lead else set()):
            out.append(f"{j.label}: a locked journey's crew was changed")
        return out
    if len(crew) < j.crew_size:
        out.append(f"{j.label}: {len(crew)} people for a crew of {j.crew_size}")
    if len(units) != j.trucks_needed:
        out.append(f"{j.label}: {len(units)} trucks, the job takes {j.trucks_needed}")
    caps = sum((trucks[t].capacity_cuft or Decimal(0) for t in units if t in trucks), Decimal(0))
    if j.volume_cuft and units and caps < j.volume_cuft:
        out.append(f"{j.label}: trucks hold {caps:f} cu ft of {j.volume_cuft:f}")
    drivers = dict(a.drivers)
    if sorted(drivers) != sorted(units) or len(set(drivers.values())) != len(drivers):
        out.append(f"{j.label}: not one distinct driver per truck")
    for tid, pid in drivers.items():
        if (
            pid not in crew
            or tid not in trucks
            or not may_drive(people[pid].driver, trucks[tid].info)
        ):
            out.append(f"{j.label}: driver {pid} may not drive truck {tid} or is not on the crew")
    return out


def _travel_gaps(request: AssignRequest, plans: dict[uuid.UUID, JourneyAssignment]) -> list[str]:
    out: list[str] = []
    js = sorted(request.journeys, key=lambda j: j.window.start)
    for i, a in enumerate(js):
        for b in js[i + 1 :]:
            if a.window.overlaps(b.window):
                continue  # overlaps are reported by the double-booking rule
            shared = (set(plans[a.id].people) & set(plans[b.id].people)) | (
                set(plans[a.id].trucks) & set(plans[b.id].trucks)
            )
            gap = (b.window.start - a.window.end).total_seconds() / 60
            if shared and gap < travel_minutes(request, a, b):
                out.append(f"{a.label} -> {b.label}: no time to drive between them")
    return out
