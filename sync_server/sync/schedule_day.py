"""The bookings to re-judge, read from PostgreSQL as the shared rules' ``DayData``.

One ``DayData`` per location-day (a journey's ``scheduled_date``, a block's
local start day), in that location's time zone: working hours become UTC for
that very day and a journey without a start holds its whole local day, so a
23- or 25-hour DST day is judged by the clock people live by. Subjects that
are gone (deleted, cancelled, completed) are reported with the reason their
open flags no longer apply.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.enums import AssignmentStatus, JourneyStatus, ScheduleStatus
from shared_models.models import EquipmentAssignment, Location
from shared_models.rules.errors import RuleViolation
from shared_models.rules.scheduling import (
    CrewMember,
    DayData,
    Interval,
    JourneyPlan,
    ScheduleBlock,
    journey_window,
    local_day,
    working_intervals,
    zone,
)
from sync_server.core.logging import get_logger
from sync_server.sync.schedule_facts import people_of, span_of, time_off_of, trucks_of
from sync_server.sync.schedule_scope import C, J, S, Subjects

__all__ = ["DayGroup", "Loaded", "load_days"]

log = get_logger("sync_server.schedule")
EA, L = EquipmentAssignment.__table__, Location.__table__


@dataclass
class DayGroup:
    location_id: uuid.UUID
    data: DayData


@dataclass
class Loaded:
    groups: list[DayGroup] = field(default_factory=list)
    #: Subject id -> why its flags no longer apply (deleted, cancelled, completed).
    gone: dict[uuid.UUID, str] = field(default_factory=dict)
    #: Subjects judged now -> their day: their open flags not found again are stale.
    judged: dict[uuid.UUID, DayData] = field(default_factory=dict)


def _label(r: Mapping[str, Any]) -> str:
    return f"journey {r['number']}" if r["number"] else f"journey {str(r['id'])[:8]}"


def load_days(
    session: Session,
    tenant: uuid.UUID,
    subjects: Subjects,
    named: Iterable[Mapping[str, Any]] = (),
) -> Loaded:
    """The location-days holding ``subjects``, with only what judging them needs.

    People and units that ``named`` rows (open flags) mention come along too, so a
    resolution can say who left the job.
    """
    out = Loaded()
    journeys = _rows(
        session, select(J, L.c.timezone).join(L, L.c.id == J.c.location_id), J, subjects.journeys
    )
    blocks = _rows(
        session, select(S, L.c.timezone).join(L, L.c.id == S.c.location_id), S, subjects.schedules
    )
    live_j = [r for r in journeys if _still_on(r, out.gone, "journey", _label(r))]
    live_s = [r for r in blocks if _still_on(r, out.gone, "schedule", f"block {r['title']!r}")]
    crews: dict[uuid.UUID, list[CrewMember]] = defaultdict(list)
    for r in session.execute(
        select(C.c.journey_id, C.c.user_id, C.c.crew_role).where(
            C.c.journey_id.in_([r["id"] for r in live_j]), C.c.deleted_at.is_(None)
        )
    ):
        crews[r.journey_id].append(CrewMember(r.user_id, r.crew_role))
    extra: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for r in session.execute(
        select(EA.c.journey_id, EA.c.equipment_id)
        .where(
            EA.c.journey_id.in_([r["id"] for r in live_j]),
            EA.c.deleted_at.is_(None),
            EA.c.status == AssignmentStatus.ACTIVE,
        )
        .order_by(EA.c.start_at, EA.c.id)
    ):
        extra[r.journey_id].append(r.equipment_id)
    days: dict[tuple[uuid.UUID, dt.date, str], tuple[list[JourneyPlan], list[ScheduleBlock]]] = (
        defaultdict(lambda: ([], []))
    )
    for r in live_j:
        try:
            plan = _plan(r, crews[r["id"]], extra[r["id"]])
        except RuleViolation as exc:
            log.warning("schedule_unjudgeable", journey_id=str(r["id"]), reason=exc.message)
            continue
        days[(r["location_id"], r["scheduled_date"], r["timezone"])][0].append(plan)
    for r in live_s:
        try:
            block = ScheduleBlock(
                r["id"],
                Interval(r["start_at"], r["end_at"]),
                r["type"],
                r["status"],
                r["user_id"],
                r["equipment_id"],
                r["journey_id"],
            )
            day = r["start_at"].astimezone(zone(r["timezone"])).date()
        except RuleViolation as exc:
            log.warning("schedule_unjudgeable", schedule_id=str(r["id"]), reason=exc.message)
            continue
        days[(r["location_id"], day, r["timezone"])][1].append(block)
    if not days:
        return out
    people = {u for js, ss in days.values() for j in js for u in _people(j)}
    people |= {s.user_id for _, ss in days.values() for s in ss if s.user_id}
    units = {t for js, ss in days.values() for j in js for t in j.truck_ids}
    units |= {s.equipment_id for _, ss in days.values() for s in ss if s.equipment_id}
    for row in named:
        people |= {row["user_id"]} if row.get("user_id") else set()
        units |= {row["equipment_id"]} if row.get("equipment_id") else set()
    span = span_of(days)
    persons, shifts = people_of(session, people)
    trucks = trucks_of(session, units, span.end)
    time_off = time_off_of(session, tenant, people, span)
    for (location, day, tz), (js, ss) in days.items():
        try:
            whole = local_day(day, tz)
            windows = [whole, *(j.interval for j in js), *(s.interval for s in ss)]
            lo, hi = min(w.start for w in windows), max(w.end for w in windows)
            data = DayData(
                day=day,
                tz=tz,
                journeys=tuple(js),
                schedules=tuple(ss),
                people={
                    p.id: replace(
                        p,
                        working=working_intervals(shifts[p.id], p.id, day, tz)
                        if shifts[p.id]
                        else None,
                    )
                    for p in persons.values()
                },
                trucks={
                    t.id: replace(
                        t, checks=tuple(c for c in t.checks if c.performed_at < whole.end)
                    )
                    for t in trucks.values()
                },
                time_off=tuple(o for o in time_off if o.start_at < hi and o.end_at > lo),
            )
        except RuleViolation as exc:
            log.warning(
                "schedule_day_unjudgeable",
                location_id=str(location),
                day=str(day),
                reason=exc.message,
            )
            continue
        out.groups.append(DayGroup(location, data))
        out.judged |= {j.id: data for j in js} | {s.id: data for s in ss}
    return out


def _rows(session: Session, stmt: Any, t: Any, ids: set[uuid.UUID]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return [dict(r) for r in session.execute(stmt.where(t.c.id.in_(list(ids)))).mappings()]


def _still_on(r: Mapping[str, Any], gone: dict[uuid.UUID, str], kind: str, label: str) -> bool:
    """False (and why, in ``gone``) for a deleted, cancelled or completed subject."""
    if r["deleted_at"] is not None:
        gone[r["id"]] = f"{label} was deleted"
    elif r["status"] in (JourneyStatus.CANCELLED, ScheduleStatus.CANCELLED):
        gone[r["id"]] = f"{label} was cancelled"
    elif r["status"] in (JourneyStatus.COMPLETED, ScheduleStatus.COMPLETED):
        gone[r["id"]] = f"{label} is completed"
    else:
        return True
    return False


def _plan(r: Mapping[str, Any], crew: list[CrewMember], extra: list[uuid.UUID]) -> JourneyPlan:
    trucks = ([r["truck_id"]] if r["truck_id"] else []) + extra
    return JourneyPlan(
        id=r["id"],
        label=_label(r),
        interval=journey_window(
            r["scheduled_date"], r["scheduled_start"], r["estimated_hours"], r["timezone"]
        ),
        crew_size_required=r["crew_size_required"],
        crew=tuple(sorted(crew, key=lambda m: str(m.user_id))),
        crew_lead_id=r["crew_lead_id"],
        truck_ids=tuple(dict.fromkeys(trucks)),
        volume_cuft=r["volume_cuft"],
        status=JourneyStatus(r["status"]),
    )


def _people(j: JourneyPlan) -> set[uuid.UUID]:
    return {m.user_id for m in j.crew} | ({j.crew_lead_id} if j.crew_lead_id else set())
