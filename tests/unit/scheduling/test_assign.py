"""The CP-SAT solver: every rule holds on its plans, pins stay, impossible days are explained."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest

from shared_models.rules.scheduling import Interval, may_drive
from sync_server.scheduling import (
    AssignmentInfeasible,
    AssignRequest,
    AssignResult,
    GeoPoint,
    JourneyInput,
    PersonInput,
    SolverSettings,
    TruckInput,
    plan_violations,
    solve,
)
from sync_server.scheduling.model import travel_minutes
from sync_server.seed.schedule_day import synthetic_day

UTC = dt.UTC
FAST = SolverSettings(time_limit_s=3.0)


def check_plan(req: AssignRequest, res: AssignResult) -> list[str]:
    """Every hard rule, checked here from scratch (not with the solver's own code)."""
    bad: list[str] = []
    people = {p.id: p for p in req.people}
    trucks = {t.id: t for t in req.trucks}
    plan = {a.journey_id: a for a in res.assignments}
    assert set(plan) == {j.id for j in req.journeys}
    for j in req.journeys:
        a = plan[j.id]
        crew, units = set(a.people), set(a.trucks)
        if not (j.pinned_people <= crew and j.pinned_trucks <= units):
            bad.append(f"{j.label}: pin dropped")
        if j.pinned_lead and a.crew_lead_id != j.pinned_lead:
            bad.append(f"{j.label}: pinned lead dropped")
        if a.crew_lead_id and (a.crew_lead_id not in crew or not people[a.crew_lead_id].can_lead):
            bad.append(f"{j.label}: lead not a lead on the crew")
        for pid in crew - j.pinned_people:
            if any(b.overlaps(j.window) for b in people[pid].busy):
                bad.append(f"{j.label}: {people[pid].name} unavailable")
        for tid in units - j.pinned_trucks:
            t = trucks[tid]
            if t.out_of_service or any(b.overlaps(j.window) for b in t.busy):
                bad.append(f"{j.label}: {t.unit_number} unavailable")
        if j.locked:
            continue
        if len(crew) < j.crew_size:
            bad.append(f"{j.label}: crew {len(crew)} < {j.crew_size}")
        if len(units) != j.trucks_needed:
            bad.append(f"{j.label}: {len(units)} trucks")
        cap = sum((trucks[t].capacity_cuft or 0 for t in units), Decimal(0))
        if j.volume_cuft and cap < j.volume_cuft:
            bad.append(f"{j.label}: capacity {cap} < {j.volume_cuft}")
        drivers = dict(a.drivers)
        if set(drivers) != units or len(set(drivers.values())) != len(units):
            bad.append(f"{j.label}: not one driver per truck")
        for tid, pid in drivers.items():
            if pid not in crew or not may_drive(people[pid].driver, trucks[tid].info):
                bad.append(f"{j.label}: {people[pid].name} may not drive {trucks[tid].unit_number}")
    js = sorted(req.journeys, key=lambda j: j.window.start)
    for i, x in enumerate(js):
        for y in js[i + 1 :]:
            gap = (y.window.start - x.window.end).total_seconds() / 60
            if gap >= travel_minutes(req, x, y):
                continue
            shared = (set(plan[x.id].people) & set(plan[y.id].people)) | (
                set(plan[x.id].trucks) & set(plan[y.id].trucks)
            )
            if shared:
                bad.append(f"{x.label}/{y.label}: share {len(shared)} resource(s)")
    return bad


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_generated_days_obey_every_rule(seed: int) -> None:
    req = synthetic_day(journeys=12, people=20, trucks=7, seed=seed, settings=FAST)
    res = solve(req)
    assert res.status in ("OPTIMAL", "FEASIBLE")
    assert check_plan(req, res) == []
    assert plan_violations(req, res) == []
    assert len(res.assignments) == 12


def test_the_checker_catches_a_broken_plan() -> None:
    req = synthetic_day(journeys=6, people=12, trucks=4, seed=9, settings=FAST)
    res = solve(req)
    first = res.assignments[0]
    broken = replace(
        res, assignments=(replace(first, people=first.people[:1]), *res.assignments[1:])
    )
    assert check_plan(req, broken) and plan_violations(req, broken)


def test_same_input_same_plan() -> None:
    req = synthetic_day(journeys=10, people=16, trucks=6, seed=11, settings=FAST)
    assert solve(req).assignments == solve(req).assignments


def test_pinned_assignments_stay() -> None:
    req = synthetic_day(journeys=10, people=18, trucks=6, seed=3, settings=FAST)
    first = solve(req)
    j = req.journeys[0]
    was = first.for_journey(j.id)
    # Pin people and a truck the solver did not choose for this journey.
    others = [p for p in req.people if p.id not in was.people and p.free_during(j.window)]
    drivers = [p for p in others if p.has_drivers_license and p.license_class == "D"]
    spare = [
        t
        for t in req.trucks
        if t.id not in was.trucks
        and t.free_during(j.window)
        and (t.capacity_cuft or 0) >= (j.volume_cuft or 0)
    ]
    lead = next(p for p in others if p.can_lead)
    pins = frozenset({drivers[0].id, lead.id})
    pinned = replace(
        j, pinned_people=pins, pinned_trucks=frozenset({spare[0].id}), pinned_lead=lead.id
    )
    req2 = replace(req, journeys=(pinned, *req.journeys[1:]))
    res = solve(req2)
    got = res.for_journey(j.id)
    assert pins <= set(got.people) and spare[0].id in got.trucks and got.crew_lead_id == lead.id
    assert check_plan(req2, res) == []


def _t(h: float) -> dt.datetime:
    return dt.datetime(2026, 7, 15, tzinfo=UTC) + dt.timedelta(hours=h)


def _small(journeys, people, trucks, **kw) -> AssignRequest:  # type: ignore[no-untyped-def]
    return AssignRequest(
        dt.date(2026, 7, 15),
        "America/Toronto",
        tuple(journeys),
        tuple(people),
        tuple(trucks),
        settings=FAST,
        **kw,
    )


def _people(n: int, **kw: object) -> list[PersonInput]:
    return [
        PersonInput(
            uuid.uuid4(),
            f"P{i}",
            can_lead=i == 0,
            has_drivers_license=True,
            license_class="D",
            **kw,
        )
        for i in range(n)
    ]  # type: ignore[arg-type]


def _truck(name: str = "T-1", cap: int = 1500, **kw: object) -> TruckInput:
    return TruckInput(uuid.uuid4(), name, Decimal(cap), **kw)  # type: ignore[arg-type]


def _job(label: str, a: float, b: float, size: int = 2, **kw: object) -> JourneyInput:
    return JourneyInput(uuid.uuid4(), label, Interval(_t(a), _t(b)), crew_size=size, **kw)  # type: ignore[arg-type]


def _reasons(req: AssignRequest) -> list[str]:
    with pytest.raises(AssignmentInfeasible) as err:
        solve(req)
    assert err.value.code == "assignment_infeasible"
    return [r.message for r in err.value.reasons]


def test_too_few_movers_is_explained_with_the_local_window() -> None:
    req = _small([_job("J-0000012", 12, 18, size=4)], _people(3), [_truck()])
    assert _reasons(req) == [
        "journey J-0000012 needs 4 movers, only 3 available between 08:00 and 14:00"
    ]


def test_no_truck_big_enough_is_explained() -> None:
    req = _small(
        [_job("J-1", 12, 18, volume_cuft=Decimal(1200))],
        _people(3),
        [_truck("T-1", 800), _truck("T-2", 2000, out_of_service="its status is REPAIR")],
    )
    (msg,) = _reasons(req)
    assert msg.startswith("journey J-1: no truck with capacity >= 1200 cu ft free between 08:00")
    assert "T-1 holds 800" in msg and "T-2 its status is REPAIR" in msg


def test_no_licensed_driver_is_explained() -> None:
    crew = [replace(p, license_class="G") for p in _people(3)]
    req = _small([_job("J-1", 12, 18)], crew, [_truck(requires_license_class="D")])
    assert _reasons(req) == [
        "journey J-1: no licensed driver (class D) available between 08:00 and 14:00"
    ]


def test_time_off_removes_people() -> None:
    crew = _people(3)
    crew[2] = replace(crew[2], busy=(Interval(_t(4), _t(28)),))
    assert (
        "only 2 available" in _reasons(_small([_job("J-1", 12, 18, size=3)], crew, [_truck()]))[0]
    )


def test_peak_demand_is_explained() -> None:
    jobs = [_job("J-1", 12, 16), _job("J-2", 13, 17)]
    reasons = _reasons(_small(jobs, _people(3), [_truck("T-1"), _truck("T-2")]))
    assert reasons == [
        "between 09:00 and 12:00 journeys J-1, J-2 need 4 people together, only 3 are free"
    ]


def test_travel_clash_found_by_relaxing_the_model() -> None:
    far, near = GeoPoint(43.65, -79.38), GeoPoint(43.95, -78.9)
    a = _job("J-1", 12, 14, origin=near, destination=near)
    b = _job("J-2", 14, 16, origin=far, destination=far)
    req = _small([a, b], _people(3), [_truck("T-1"), _truck("T-2")])
    assert travel_minutes(req, a, b) > 0
    reasons = _reasons(req)
    assert len(reasons) == 1 and "cannot get 2 movers once the other journeys" in reasons[0]


def test_pinned_person_on_time_off_is_explained() -> None:
    crew = _people(3)
    crew[1] = replace(crew[1], busy=(Interval(_t(0), _t(24)),))
    job = _job("J-1", 12, 18, pinned_people=frozenset({crew[1].id}))
    assert _reasons(_small([job], crew, [_truck()])) == [
        "J-1: P1 is pinned but off or booked elsewhere between 08:00 and 14:00"
    ]


def test_no_lead_available_gives_a_plan_with_a_warning() -> None:
    crew = [replace(p, can_lead=False) for p in _people(2)]
    res = solve(_small([_job("J-1", 12, 18)], crew, [_truck()]))
    assert res.for_journey(res.assignments[0].journey_id).crew_lead_id is None
    assert res.warnings == ("J-1 has no crew lead: nobody who can lead is free for it",)


def test_every_journey_gets_a_lead_when_possible() -> None:
    crew = [replace(p, can_lead=i < 2) for i, p in enumerate(_people(4))]
    jobs = [_job("J-1", 12, 18), _job("J-2", 12, 18)]
    res = solve(_small(jobs, crew, [_truck("T-1"), _truck("T-2")]))
    assert all(a.crew_lead_id is not None for a in res.assignments) and res.warnings == ()


def test_travel_is_minimised() -> None:
    west, east = GeoPoint(43.65, -79.6), GeoPoint(43.7, -79.2)
    jobs = [
        _job("AM-W", 12, 15, origin=west, destination=west),
        _job("AM-E", 12, 15, origin=east, destination=east),
        _job("PM-W", 17, 20, origin=west, destination=west),
        _job("PM-E", 17, 20, origin=east, destination=east),
    ]
    res = solve(_small(jobs, _people(4), [_truck("T-1"), _truck("T-2")]))
    assert res.travel_minutes == 0
    by = {j.label: res.for_journey(j.id).trucks for j in jobs}
    assert by["AM-W"] == by["PM-W"] and by["AM-E"] == by["PM-E"]


def test_overtime_is_minimised() -> None:
    crew = _people(3)
    day_shift = (Interval(_t(11), _t(21)),)
    crew = [
        replace(crew[0], working=day_shift),
        replace(crew[1], working=()),
        replace(crew[2], working=day_shift),
    ]
    res = solve(_small([_job("J-1", 12, 18)], crew, [_truck()]))
    assert set(res.assignments[0].people) == {crew[0].id, crew[2].id}
    assert res.overtime_minutes == 0


def test_locked_journeys_keep_their_crew() -> None:
    crew = _people(4)
    locked = _job("J-1", 12, 18, size=3, locked=True, pinned_people=frozenset({crew[3].id}))
    open_job = _job("J-2", 13, 17)
    res = solve(_small([locked, open_job], crew, [_truck("T-1"), _truck("T-2")]))
    assert res.for_journey(locked.id).people == (crew[3].id,)
    assert crew[3].id not in res.for_journey(open_job.id).people
