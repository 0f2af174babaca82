"""People's time: regular hours, time off, and the non-job blocks on the dispatch board.

Time off is decided before any job is booked, so nobody is crewed on a
vacation or sick day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared_models.enums import (
    AvailabilityType,
    SchedulePriority,
    ScheduleStatus,
    ScheduleType,
    UserRole,
)
from shared_models.models import Availability, Schedule, WorkingHours
from sync_server.seed.company import FIELD_ROLES, Site
from sync_server.seed.world import World


def seed_staffing(world: World, site: Site) -> None:
    ctx, state = world.ctx, world.state(site)
    rng = ctx.rng("staffing", site.code)
    approver = world.approver(site)
    now = world.site_now(site)
    hours, off, blocks = [], [], []
    for person in site.staff:
        field = person.role in FIELD_ROLES
        start, end = (dt.time(7), dt.time(16)) if field else (dt.time(8, 30), dt.time(17))
        days = range(6) if field else range(5)
        for weekday in days:
            at = ctx.epoch + dt.timedelta(days=2)
            hours.append(
                {
                    "id": ctx.new_id(at),
                    "created_at": at,
                    "user_id": person.id,
                    "weekday": weekday,
                    "start_time": start if weekday < 5 else dt.time(8),
                    "end_time": end if weekday < 5 else dt.time(14),
                    "effective_from": None,
                    "effective_to": None,
                }
            )
        plans: list[tuple[AvailabilityType, int, int, bool, str]] = []
        if rng.random() < 0.6:
            plans.append(
                (
                    AvailabilityType.VACATION,
                    rng.randint(-60, 45),
                    rng.randint(3, 7),
                    True,
                    rng.choice(("Family trip", "Cottage week", "Wedding out of province")),
                )
            )
        if field and rng.random() < 0.5:
            plans.append((AvailabilityType.SICK, -rng.randint(1, 30), 1, True, "Sick day"))
        if rng.random() < 0.3:
            plans.append((AvailabilityType.PERSONAL, rng.randint(5, 40), 1, False, "Appointment"))
        for kind, offset, length, approved, reason in plans:
            first = ctx.today + dt.timedelta(days=offset)
            begin = ctx.local(first, 0, 0, site.tz)
            finish = ctx.local(first + dt.timedelta(days=length), 0, 0, site.tz)
            asked = min(begin - dt.timedelta(days=rng.randint(1, 21)), now - dt.timedelta(hours=2))
            if kind == AvailabilityType.SICK:
                asked = ctx.local(first, 6, 15, site.tz)
            ok = approved and approver.id != person.id
            off.append(
                {
                    "id": ctx.new_id(asked),
                    "created_at": asked,
                    "updated_at": asked + dt.timedelta(hours=3) if ok else asked,
                    "user_id": person.id,
                    "type": kind,
                    "start_at": begin,
                    "end_at": finish,
                    "reason": reason,
                    "approved_by": approver.id if ok else None,
                    "approved_at": asked + dt.timedelta(hours=3) if ok else None,
                }
            )
            for d in range(length):
                state.off.setdefault(person.id, set()).add(first + dt.timedelta(days=d))
    blocks += _office_blocks(world, site, rng)
    ctx.insert(WorkingHours, hours)
    ctx.insert(Availability, off)
    ctx.insert(Schedule, blocks)


def _office_blocks(world: World, site: Site, rng: Any) -> list[dict[str, Any]]:
    """A weekly team huddle, and safety training for the crews of crewed branches."""
    ctx = world.ctx
    rows = []
    manager = site.with_role(UserRole.MANAGER)
    if manager:
        monday = ctx.today - dt.timedelta(days=ctx.today.weekday() + 21)
        start = ctx.local(monday, 8, 0, site.tz)
        rows.append(
            schedule_block(
                world,
                site,
                ScheduleType.MEETING,
                "Weekly team huddle",
                start,
                start + dt.timedelta(minutes=30),
                manager[0].id,
                manager[0].id,
                ScheduleStatus.SCHEDULED,
                recurrence="FREQ=WEEKLY;BYDAY=MO",
            )
        )
    crew = site.with_role(*FIELD_ROLES)
    if crew:
        day = ctx.today + dt.timedelta(days=rng.randint(4, 20))
        while day.weekday() > 4:
            day += dt.timedelta(days=1)
        start = ctx.local(day, 15, 0, site.tz)
        for person in crew:
            rows.append(
                schedule_block(
                    world,
                    site,
                    ScheduleType.TRAINING,
                    "Safe lifting and WHMIS refresher",
                    start,
                    start + dt.timedelta(hours=2),
                    person.id,
                    world.dispatcher(site).id,
                    ScheduleStatus.SCHEDULED,
                )
            )
    return rows


def schedule_block(
    world: World,
    site: Site,
    kind: ScheduleType,
    title: str,
    start: dt.datetime,
    end: dt.datetime,
    user_id: Any,
    created_by: Any,
    status: ScheduleStatus,
    *,
    recurrence: str | None = None,
    journey_id: Any = None,
    equipment_id: Any = None,
    priority: SchedulePriority = SchedulePriority.NORMAL,
) -> dict[str, Any]:
    ctx = world.ctx
    created = min(start, world.site_now(site)) - dt.timedelta(days=2)
    return {
        "id": ctx.new_id(created),
        "created_at": created,
        "location_id": site.id,
        "type": kind,
        "status": status,
        "priority": priority,
        "title": title,
        "description": None,
        "start_at": start,
        "end_at": end,
        "all_day": False,
        "user_id": user_id,
        "equipment_id": equipment_id,
        "journey_id": journey_id,
        "created_by": created_by,
        "recurrence_rule": recurrence,
    }
