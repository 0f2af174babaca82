"""What the server does when inspections and finished repairs arrive.

For each pushed ``equipment_check``: re-evaluate its items against the unit
type's checklist (``shared_models.rules.fleet``; the client's own verdict is
not trusted to downgrade a failed brake), then

- open one CORRECTIVE maintenance job naming the defects (``opened_by_check_id``
  points at the check, which is what makes a replay a no-op);
- move the unit to REPAIR or MAINTENANCE (never downgrading REPAIR, never
  touching RETIRED/SOLD units, and not when a newer inspection of the unit has
  already passed: the defect was fixed before this one reached us);
- raise the unit's odometer and engine hours to the check's readings (never lower);
- when the readings reach the unit's next preventive service point (odometer
  or engine hours, ``shared_models.rules.fleet_service``), open one PREVENTIVE
  job without a date so dispatch sees it and books the shop day (the unit keeps
  working until then): none while one is still open for the unit.

For each pushed ``equipment_maintenance`` that this batch moved to COMPLETED:
put its unit back to ACTIVE when it is in REPAIR/MAINTENANCE and no other open
job keeps it out (``rules.maintenance.status_after_completion``, the rule the
laptop applies too). A laptop whose user may update units writes that status in
the same batch and this finds nothing to do; a custom role that may finish jobs
but not edit units would otherwise leave the unit grounded for good.

Every write goes through the batch's ``SyncWriter``: versioned, audited and
authored by the pushing user's actor, like the rest of their batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from shared_models.enums import CheckResult, MaintenanceStatus, MaintenanceType
from shared_models.rules import maintenance as maintenance_rules
from shared_models.rules.errors import RuleViolation
from shared_models.rules.fleet import (
    CheckOutcome,
    corrective_description,
    evaluate,
    evaluate_check,
    status_after,
)
from shared_models.rules.fleet_service import (
    LastService,
    Reading,
    ServicePlan,
    preventive_description,
    preventive_due,
    reading_overdue,
)
from shared_models.rules.invoice_workflow import zone_date
from shared_models.rules.scheduling import MaintenanceState
from shared_models.types import utcnow
from sync_server.billing.calendar import location_dates
from sync_server.core.logging import get_logger

if TYPE_CHECKING:
    from sync_server.sync.writer import SyncWriter

log = get_logger("sync_server.fleet")


@dataclass
class FleetReaction:
    """What one call changed (for tests and logs)."""

    opened: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # check id -> maintenance id
    preventive: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # unit id -> job id
    status: dict[uuid.UUID, str] = field(default_factory=dict)  # equipment id -> new status
    released: set[uuid.UUID] = field(default_factory=set)  # units back to ACTIVE after a job
    readings: set[uuid.UUID] = field(default_factory=set)  # equipment ids whose readings rose


def _table(name: str) -> Any:
    from sync_server.sync.writer import synced_table

    return synced_table(name)


def _outcome(equipment: Mapping[str, Any], check: Mapping[str, Any]) -> CheckOutcome:
    """The server's reading of a check; an unreadable one stands on the inspector's verdict."""
    try:
        return evaluate_check(
            equipment["type"],
            check["items"] or [],
            check_kind=check["kind"],
            declared=check["overall_result"],
        )
    except RuleViolation as exc:
        log.warning("equipment_check_unreadable", check_id=str(check["id"]), reason=exc.message)
        return evaluate((), declared=CheckResult(check["overall_result"]))


def react(
    writer: SyncWriter,
    touched: Mapping[str, AbstractSet[uuid.UUID]],
    jobs_before: Mapping[uuid.UUID, Any] | None = None,
) -> FleetReaction:
    """Units back after finished jobs, then failed inspections among ``touched``; idempotent.

    ``jobs_before``: the status of each touched maintenance job before this batch
    (absent for a new one), so that only a move to COMPLETED releases a unit.
    """
    done = FleetReaction()
    check_ids = list(touched.get("equipment_check", ()))
    job_ids = list(touched.get("equipment_maintenance", ()))
    if not check_ids and not job_ids:
        return done
    session, tenant = writer.session, writer.actor.tenant_id
    writer.lock()  # read the units under the same lock their update needs
    writer.flush()
    if job_ids:
        done.released = _release_after_completion(writer, job_ids, jobs_before or {})
    if not check_ids:
        return done
    checks_t, eq_t, mt_t = (
        _table("equipment_check"),
        _table("equipment"),
        _table("equipment_maintenance"),
    )
    checks = [
        dict(r)
        for r in session.execute(
            select(checks_t)
            .where(
                checks_t.c.tenant_id == tenant,
                checks_t.c.id.in_(check_ids),
                checks_t.c.deleted_at.is_(None),
            )
            .order_by(checks_t.c.performed_at, checks_t.c.id)
        ).mappings()
    ]
    if not checks:
        return done
    unit_ids = {c["equipment_id"] for c in checks}
    units = {
        r["id"]: dict(r)
        for r in session.execute(
            select(eq_t).where(eq_t.c.tenant_id == tenant, eq_t.c.id.in_(unit_ids))
        ).mappings()
    }
    already = set(
        session.scalars(
            select(mt_t.c.opened_by_check_id).where(
                mt_t.c.tenant_id == tenant,
                mt_t.c.type == MaintenanceType.CORRECTIVE,
                mt_t.c.opened_by_check_id.in_([c["id"] for c in checks]),
            )
        )
    )
    for check in checks:
        unit = units[check["equipment_id"]]
        outcome = _outcome(unit, check)
        changes = _readings(unit, check)
        if changes:
            done.readings.add(unit["id"])
        if outcome.failed and check["id"] not in already:
            done.opened[check["id"]] = _open_corrective(writer, unit, check, outcome)
            forced = status_after(unit["status"], outcome.status)
            if forced is not None and not _passed_since(writer, check):
                changes["status"] = forced
                done.status[unit["id"]] = forced.value
        if changes:
            units[unit["id"]] = writer.update("equipment", unit["id"], changes, before=unit)
        job = _open_preventive_if_due(writer, units[unit["id"]], check)
        if job is not None:
            done.preventive[unit["id"]] = job
    return done


def _release_after_completion(
    writer: SyncWriter, job_ids: list[uuid.UUID], before: Mapping[uuid.UUID, Any]
) -> set[uuid.UUID]:
    """Units whose job this batch completed, back to ACTIVE when nothing else keeps them out."""
    session, tenant = writer.session, writer.actor.tenant_id
    mt_t, eq_t = _table("equipment_maintenance"), _table("equipment")
    finished = [
        r
        for r in session.execute(
            select(mt_t.c.id, mt_t.c.equipment_id).where(
                mt_t.c.tenant_id == tenant,
                mt_t.c.id.in_(job_ids),
                mt_t.c.deleted_at.is_(None),
                mt_t.c.status == MaintenanceStatus.COMPLETED,
            )
        )
        if _status(before.get(r.id)) is not MaintenanceStatus.COMPLETED
    ]
    units = {
        r["id"]: dict(r)
        for r in session.execute(
            select(eq_t).where(
                eq_t.c.tenant_id == tenant,
                eq_t.c.id.in_({r.equipment_id for r in finished}),
                eq_t.c.deleted_at.is_(None),
            )
        ).mappings()
    }
    if not units:
        return set()
    days = location_dates(session, {u["location_id"] for u in units.values()})
    released = set()
    for unit_id, unit in units.items():
        others = [
            MaintenanceState.of(r)
            for r in session.execute(
                select(mt_t).where(
                    mt_t.c.tenant_id == tenant,
                    mt_t.c.equipment_id == unit_id,
                    mt_t.c.deleted_at.is_(None),
                    mt_t.c.status.in_(list(maintenance_rules.OPEN)),
                )
            ).mappings()
        ]
        status = maintenance_rules.status_after_completion(
            unit["status"], others, days.get(unit["location_id"]) or zone_date(None, utcnow())
        )
        if status is not None:
            writer.update("equipment", unit_id, {"status": status}, before=unit)
            released.add(unit_id)
    return released


def _status(value: Any) -> MaintenanceStatus | None:
    return None if value is None else MaintenanceStatus(value)


def _readings(unit: Mapping[str, Any], check: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("odometer_km", "engine_hours"):
        reading = check.get(name)
        if reading is not None and (unit.get(name) is None or reading > unit[name]):
            changes[name] = reading
    return changes


def _passed_since(writer: SyncWriter, check: Mapping[str, Any]) -> bool:
    """A newer inspection of the unit passed: it is back in order already."""
    t = _table("equipment_check")
    newer = writer.session.execute(
        select(t.c.id)
        .where(
            t.c.tenant_id == writer.actor.tenant_id,
            t.c.equipment_id == check["equipment_id"],
            t.c.performed_at > check["performed_at"],
            t.c.overall_result == CheckResult.PASS.value,
            t.c.deleted_at.is_(None),
        )
        .limit(1)
    ).first()
    return newer is not None


def _open_corrective(
    writer: SyncWriter, unit: Mapping[str, Any], check: Mapping[str, Any], outcome: CheckOutcome
) -> uuid.UUID:
    row = writer.insert(
        "equipment_maintenance",
        {
            "equipment_id": unit["id"],
            "type": MaintenanceType.CORRECTIVE,
            "status": MaintenanceStatus.SCHEDULED,
            "scheduled_date": check["performed_at"].date(),
            "odometer_km": check.get("odometer_km"),
            "engine_hours": check.get("engine_hours"),
            "description": corrective_description(unit["unit_number"], outcome),
            "opened_by_check_id": check["id"],
            "currency": unit.get("currency") or "CAD",
        },
    )
    return row["id"]


def _open_preventive_if_due(
    writer: SyncWriter, unit: Mapping[str, Any], check: Mapping[str, Any]
) -> uuid.UUID | None:
    """One PREVENTIVE job when the check's readings reach the unit's service point."""
    plan = ServicePlan.of(unit)
    if not any(
        (
            plan.next_service_odometer_km,
            plan.service_interval_km,
            plan.next_service_engine_hours,
            plan.service_interval_engine_hours,
        )
    ):
        return None
    t = _table("equipment_maintenance")
    jobs = writer.session.execute(
        select(t.c.status, t.c.performed_at, t.c.odometer_km, t.c.engine_hours).where(
            t.c.tenant_id == writer.actor.tenant_id,
            t.c.equipment_id == unit["id"],
            t.c.type == MaintenanceType.PREVENTIVE,
            t.c.deleted_at.is_(None),
        )
    ).all()
    if any(j.status in (MaintenanceStatus.SCHEDULED, MaintenanceStatus.IN_PROGRESS) for j in jobs):
        return None  # already on dispatch's list
    done = [j for j in jobs if j.status == MaintenanceStatus.COMPLETED and j.performed_at]
    last = max(done, key=lambda j: j.performed_at, default=None)
    reading = Reading(check["performed_at"], check.get("odometer_km"), check.get("engine_hours"))
    due = preventive_due(
        plan,
        today=check["performed_at"].date(),
        readings=[reading],
        last_service=LastService(last.performed_at.date(), last.odometer_km, last.engine_hours)
        if last
        else None,
    )
    if not reading_overdue(due):
        return None
    row = writer.insert(
        "equipment_maintenance",
        {
            "equipment_id": unit["id"],
            "type": MaintenanceType.PREVENTIVE,
            # Due, not booked: dispatch picks the shop day (a date would ground the unit).
            "status": MaintenanceStatus.SCHEDULED,
            "scheduled_date": None,
            "odometer_km": check.get("odometer_km"),
            "engine_hours": check.get("engine_hours"),
            "description": preventive_description(unit["unit_number"], due),
            "currency": unit.get("currency") or "CAD",
        },
    )
    return row["id"]
