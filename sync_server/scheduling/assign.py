"""Crews and trucks for a location-day, by CP-SAT (OR-Tools).

Hard rules: a person or truck is free (no time off, no outside booking, in
service), never on two journeys that overlap or leave no time to drive
between, every journey gets at least its crew size and exactly its number of
trucks, the trucks hold its volume, each truck has its own licensed driver of
the right class from the crew, and pinned assignments stay.

The crew lead is **soft**: at most one per journey, and a journey without one
costs far more than any travel or overtime, so every journey gets a lead when
the people who can lead allow it; when they do not, the plan still comes back
with a warning per journey left without one (a lead can be named by hand;
a missing crew is not something a dispatcher can fix on the board).

Objective: missing leads, then minutes driven between consecutive jobs (per
person and per truck), overtime minutes beyond working hours, and people
beyond the crew size. Deterministic: fixed seed, fixed workers, interleaved
(deterministic) parallel search.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from ortools.sat.python import cp_model

from shared_models.rules.scheduling import may_drive
from sync_server.scheduling.explain import clashes, eligible_people, eligible_trucks, precheck
from sync_server.scheduling.model import (
    AssignmentInfeasible,
    AssignmentTimeout,
    AssignRequest,
    AssignResult,
    Infeasibility,
    JourneyAssignment,
    JourneyInput,
    PersonInput,
    TruckInput,
    travel_minutes,
)
from sync_server.scheduling.verify import plan_violations

__all__ = ["solve"]

Var = cp_model.IntVar


def _cuft(value: Decimal | None, rounding: str) -> int:
    return int((value or Decimal(0)).to_integral_value(rounding=rounding))


@dataclass
class _Model:
    request: AssignRequest
    relax: bool = False
    m: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: dict[tuple[uuid.UUID, uuid.UUID], Var] = field(default_factory=dict)
    y: dict[tuple[uuid.UUID, uuid.UUID], Var] = field(default_factory=dict)
    lead: dict[tuple[uuid.UUID, uuid.UUID], Var] = field(default_factory=dict)
    drv: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], Var] = field(default_factory=dict)
    missing_lead: dict[uuid.UUID, Var] = field(default_factory=dict)
    slack: list[tuple[Var, Infeasibility]] = field(default_factory=list)
    travel_terms: list[tuple[int, Var]] = field(default_factory=list)
    overtime_terms: list[tuple[int, Var]] = field(default_factory=list)

    def build(self) -> None:
        for j in self.request.journeys:
            self._journey(j)
        self._no_double_booking()
        self._travel()
        s = self.request.settings
        if self.relax:
            self.m.minimize(sum(v for v, _ in self.slack))
            return
        self.m.minimize(
            s.missing_lead_weight * sum(self.missing_lead.values())
            + s.travel_weight * sum(c * v for c, v in self.travel_terms)
            + s.overtime_weight * sum(c * v for c, v in self.overtime_terms)
            + s.extra_person_weight * sum(self.x.values())
        )

    def _short(self, j: JourneyInput, upper: int, code: str, message: str) -> Var | int:
        """A slack variable in the relaxed model, 0 in the real one."""
        if not self.relax:
            return 0
        v = self.m.new_int_var(0, upper, f"short_{code}_{j.label}")
        self.slack.append((v, Infeasibility(code, message, j.id)))
        return v

    def _journey(self, j: JourneyInput) -> None:
        m, r = self.m, self.request
        people, trucks = eligible_people(j, r.people), eligible_trucks(j, r.trucks)
        xs, ys, leads = {}, {}, []
        for p in people:
            v = xs[p.id] = self.x[(j.id, p.id)] = m.new_bool_var(f"x_{j.label}_{p.name}")
            if p.id in j.pinned_people or p.id == j.pinned_lead:
                m.add(v == 1)
            minutes = j.window.minutes_outside(p.working)
            if minutes:
                self.overtime_terms.append((minutes, v))
            if p.can_lead or p.id == j.pinned_lead:
                lv = self.lead[(j.id, p.id)] = m.new_bool_var(f"lead_{j.label}_{p.name}")
                m.add_implication(lv, v)
                leads.append(lv)
                if p.id == j.pinned_lead:
                    m.add(lv == 1)
        for t in trucks:
            v = ys[t.id] = self.y[(j.id, t.id)] = m.new_bool_var(f"y_{j.label}_{t.unit_number}")
            if t.id in j.pinned_trucks:
                m.add(v == 1)
        m.add(sum(leads) <= 1)
        missing = self.missing_lead[j.id] = m.new_bool_var(f"nolead_{j.label}")
        m.add(sum(leads) + missing == 1)
        if not j.locked:
            self._drivers(j, people, trucks, xs, ys)
        if j.locked:
            return
        span = j.window.label(r.tz)
        crew_gap = self._short(
            j,
            j.crew_size,
            "not_enough_people",
            f"journey {j.label} "
            f"({span}) cannot get {j.crew_size} movers once the other "
            "journeys are staffed",
        )
        m.add(sum(xs.values()) + crew_gap >= j.crew_size)
        truck_gap = self._short(
            j,
            j.trucks_needed,
            "no_truck",
            f"journey {j.label} ({span}) "
            f"cannot get {j.trucks_needed} truck(s) once the other "
            "journeys have theirs",
        )
        m.add(sum(ys.values()) + truck_gap == j.trucks_needed)
        volume = _cuft(j.volume_cuft, ROUND_CEILING)
        if volume and j.trucks_needed > 1:
            cap_gap = self._short(
                j,
                1,
                "no_truck",
                f"journey {j.label} ({span}): the trucks left cannot hold {volume} cu ft together",
            )
            caps = [_cuft(t.capacity_cuft, ROUND_FLOOR) * ys[t.id] for t in trucks]
            m.add(sum(caps) + volume * cap_gap >= volume)

    def _drivers(
        self,
        j: JourneyInput,
        people: list[PersonInput],
        trucks: list[TruckInput],
        xs: dict[uuid.UUID, Var],
        ys: dict[uuid.UUID, Var],
    ) -> None:
        """Each truck its own driver from the crew, licensed for it."""
        by_person: dict[uuid.UUID, list[Var]] = {p.id: [] for p in people}
        for t in trucks:
            ds = []
            for p in people:
                if may_drive(p.driver, t.info):
                    d = self.drv[(j.id, p.id, t.id)] = self.m.new_bool_var(f"d_{j.label}_{p.name}")
                    ds.append(d)
                    by_person[p.id].append(d)
            gap = self._short(
                j,
                1,
                "no_driver",
                f"{j.label}: no licensed driver left for "
                f"unit {t.unit_number} once the other journeys are staffed",
            )
            self.m.add(sum(ds) + gap >= ys[t.id])
            self.m.add(sum(ds) <= ys[t.id])
        for pid, ds in by_person.items():
            if ds:
                self.m.add(sum(ds) <= xs[pid])

    def _no_double_booking(self) -> None:
        js = self.request.journeys
        people = [p.id for p in self.request.people]
        trucks = [t.id for t in self.request.trucks]
        for i, a in enumerate(js):
            for b in js[i + 1 :]:
                if not clashes(self.request, a, b):
                    continue
                for kind, ids in ((self.x, people), (self.y, trucks)):
                    for rid in ids:
                        if (a.id, rid) in kind and (b.id, rid) in kind:
                            self.m.add(kind[(a.id, rid)] + kind[(b.id, rid)] <= 1)

    def _travel(self) -> None:
        """Minutes each truck drives from one job to the next (nothing between them).

        Counted per truck: the crew rides in it. ``z >= ya + yb - 1 - sum(y between)``
        is 1 exactly when the truck does a and then b, and minimising keeps it
        0 otherwise.
        """
        order = sorted(self.request.journeys, key=lambda j: (j.window.start, j.window.end, j.label))
        for rid in sorted({rid for _, rid in self.y}, key=str):
            mine = [j for j in order if (j.id, rid) in self.y]
            for i, a in enumerate(mine):
                for k in range(i + 1, len(mine)):
                    b = mine[k]
                    cost = travel_minutes(self.request, a, b)
                    if cost <= 0 or clashes(self.request, a, b):
                        continue
                    z = self.m.new_bool_var(f"t_{a.label}_{b.label}")
                    between = [self.y[(c.id, rid)] for c in mine[i + 1 : k]]
                    self.m.add(z >= self.y[(a.id, rid)] + self.y[(b.id, rid)] - 1 - sum(between))
                    self.travel_terms.append((cost, z))


def _solver(request: AssignRequest, time_limit_s: float) -> cp_model.CpSolver:
    s = request.settings
    solver = cp_model.CpSolver()
    # Deterministic: the budget is CP-SAT's deterministic time (work units of
    # about a second), the wall clock only a safety net; with one worker the
    # same input gives the same plan on any machine load.
    solver.parameters.max_deterministic_time = time_limit_s
    solver.parameters.max_time_in_seconds = time_limit_s * 3
    solver.parameters.random_seed = s.seed
    solver.parameters.num_workers = max(1, s.workers)
    return solver


def solve(request: AssignRequest) -> AssignResult:
    """The best plan found within the time limit; raises when none can exist."""
    started = time.perf_counter()
    reasons = precheck(request)
    if reasons:
        raise AssignmentInfeasible(tuple(reasons))
    model = _Model(request)
    model.build()
    solver = _solver(request, request.settings.time_limit_s)
    status = solver.solve(model.m)
    if status == cp_model.INFEASIBLE:
        raise AssignmentInfeasible(_explain_by_relaxing(request))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise AssignmentTimeout(
            f"no plan found within {request.settings.time_limit_s:g} s "
            f"({solver.status_name(status)}); allow more time or pin part of the day"
        )
    result = _extract(request, model, solver, status, started)
    problems = plan_violations(request, result)
    if problems:  # the model and the checker disagree: a bug, never a plan to show
        raise RuntimeError("solver plan breaks rules: " + "; ".join(problems))
    return result


def _explain_by_relaxing(request: AssignRequest) -> tuple[Infeasibility, ...]:
    relaxed = _Model(request, relax=True)
    relaxed.build()
    solver = _solver(request, max(1.0, request.settings.time_limit_s))
    status = solver.solve(relaxed.m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = tuple(why for v, why in relaxed.slack if solver.value(v) > 0)
        if found:
            return found
    return (
        Infeasibility(
            "pins_conflict",
            "the pinned assignments cannot all be kept together with the other rules; "
            "unpin some journeys",
        ),
    )


def _extract(
    request: AssignRequest,
    model: _Model,
    solver: cp_model.CpSolver,
    status: cp_model.CpSolverStatus,
    started: float,
) -> AssignResult:
    out, warnings = [], []
    for j in request.journeys:
        people = tuple(
            sorted(
                (p for (jid, p), v in model.x.items() if jid == j.id and solver.boolean_value(v)),
                key=str,
            )
        )
        trucks = tuple(
            sorted(
                (t for (jid, t), v in model.y.items() if jid == j.id and solver.boolean_value(v)),
                key=str,
            )
        )
        lead = next(
            (p for (jid, p), v in model.lead.items() if jid == j.id and solver.boolean_value(v)),
            None,
        )
        drivers = tuple(
            sorted(
                (
                    (t, p)
                    for (jid, p, t), v in model.drv.items()
                    if jid == j.id and solver.boolean_value(v)
                ),
                key=str,
            )
        )
        if lead is None:
            warnings.append(f"{j.label} has no crew lead: nobody who can lead is free for it")
        out.append(JourneyAssignment(j.id, people, trucks, lead, drivers))
    travel = sum(c for c, v in model.travel_terms if solver.boolean_value(v))
    overtime = sum(c for c, v in model.overtime_terms if solver.boolean_value(v))
    return AssignResult(
        status=solver.status_name(status),
        solve_ms=round((time.perf_counter() - started) * 1000),
        assignments=tuple(out),
        travel_minutes=travel,
        overtime_minutes=overtime,
        objective=round(solver.objective_value),
        warnings=tuple(warnings),
    )
