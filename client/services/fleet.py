"""Pre-trip inspections from the field, recorded offline in the replica.

A check is evaluated with the same rules the server re-runs
(``shared_models.rules.fleet``) and written in one ``LocalWriteService.batch()``
with its consequence: a failed safety item takes the unit out of service on
this laptop at once (when the user's role may update equipment), so the crew
does not drive it while offline. The corrective maintenance job is opened by
the server when the check arrives (``sync_server.sync.fleet_rules``), which
also sets the status for users who may not; both sides are idempotent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from client.services.errors import RowNotFound
from client.services.queries import get_row
from client.services.writes import LocalWriteService
from client.sync.db import table_for
from shared_models.enums import (
    CheckKind,
    MaintenanceStatus,
    MaintenanceType,
    PermissionAction,
    UserRole,
)
from shared_models.permissions import default_scope
from shared_models.rules.fleet import CheckOutcome, blank_items, evaluate_check, status_after
from shared_models.rules.fleet_service import (
    LastService,
    Reading,
    ServiceDue,
    ServicePlan,
    preventive_due,
)


@dataclass(frozen=True, slots=True)
class CheckRecorded:
    check_id: uuid.UUID
    outcome: CheckOutcome
    #: The status the unit was moved to on this laptop (None: unchanged here).
    status: str | None


class FleetService:
    """Inspections and service status of the branch's units, through LocalWriteService."""

    def __init__(self, writes: LocalWriteService) -> None:
        self.writes = writes
        self.store = writes.store

    def checklist(self, equipment_id: uuid.UUID | str) -> list[dict[str, Any]]:
        """The blank checklist for this unit's type, ready to fill in on screen."""
        return blank_items(self._unit(equipment_id)["type"])

    def record_check(
        self,
        *,
        equipment_id: uuid.UUID | str,
        items: Sequence[Mapping[str, Any]],
        kind: CheckKind = CheckKind.PRE_TRIP,
        journey_id: uuid.UUID | None = None,
        odometer_km: int | None = None,
        engine_hours: Decimal | None = None,
        signature: str | None = None,
        performed_at: dt.datetime | None = None,
    ) -> CheckRecorded:
        """Evaluate and store an inspection; ``RuleViolation`` for an incomplete or bad one."""
        unit = self._unit(equipment_id)
        outcome = evaluate_check(unit["type"], items, check_kind=kind)
        with self.writes.batch() as batch:
            current = batch.read("equipment", unit["id"])
            if current is None or current["deleted_at"] is not None:
                raise RowNotFound(f"no equipment {equipment_id} in this replica")
            check_id = batch.insert(
                "equipment_check",
                {
                    "equipment_id": current["id"],
                    "journey_id": journey_id,
                    "kind": kind,
                    "performed_by": self.writes.user_id,
                    "device_id": _device(self.writes.device_id),
                    "performed_at": performed_at or dt.datetime.now(dt.UTC),
                    "odometer_km": odometer_km,
                    "engine_hours": engine_hours,
                    "items": [i.as_json() for i in outcome.items],
                    "overall_result": outcome.overall_result,
                    "defects_summary": outcome.defects_summary,
                    "signature": signature,
                },
            )
            forced = status_after(current["status"], outcome.status)
            if forced is not None and self._may_update_equipment(batch.conn):
                batch.update("equipment", current["id"], {"status": forced})
            else:
                forced = None
        return CheckRecorded(check_id, outcome, None if forced is None else forced.value)

    def service_due(self, equipment_id: uuid.UUID | str, *, today: dt.date) -> ServiceDue:
        """Preventive service state from the replica: plan, last service, inspection readings."""
        unit = self._unit(equipment_id)
        checks, jobs = table_for("equipment_check"), table_for("equipment_maintenance")
        with self.store.engine.connect() as conn:
            readings = [
                Reading(r.performed_at, r.odometer_km, r.engine_hours)
                for r in conn.execute(
                    select(
                        checks.c.performed_at, checks.c.odometer_km, checks.c.engine_hours
                    ).where(checks.c.equipment_id == unit["id"], checks.c.deleted_at.is_(None))
                )
            ]
            last = conn.execute(
                select(jobs.c.performed_at, jobs.c.odometer_km, jobs.c.engine_hours)
                .where(
                    jobs.c.equipment_id == unit["id"],
                    jobs.c.deleted_at.is_(None),
                    jobs.c.type == MaintenanceType.PREVENTIVE.value,
                    jobs.c.status == MaintenanceStatus.COMPLETED.value,
                )
                .order_by(jobs.c.performed_at.desc())
                .limit(1)
            ).first()
        plan = ServicePlan(
            next_service_date=unit["next_service_date"],
            next_service_odometer_km=unit["next_service_odometer_km"],
            service_interval_days=unit["service_interval_days"],
            service_interval_km=unit["service_interval_km"],
        )
        last_service = (
            None
            if last is None
            else LastService(last.performed_at.date(), last.odometer_km, last.engine_hours)
        )
        return preventive_due(plan, today=today, readings=readings, last_service=last_service)

    # -- helpers ---------------------------------------------------------------

    def _unit(self, equipment_id: uuid.UUID | str) -> dict[str, Any]:
        unit = get_row(self.store, "equipment", equipment_id)
        if unit is None:
            raise RowNotFound(f"no equipment {equipment_id} in this replica")
        return unit

    def _may_update_equipment(self, conn: Any) -> bool:
        """Whether the default grants let this user's role update units (else the server does)."""
        users = table_for("user")
        role = conn.execute(select(users.c.role).where(users.c.id == self.writes.user_id)).scalar()
        if role is None:
            return False
        return default_scope(UserRole(role), "equipment", PermissionAction.UPDATE) is not None


def _device(device_id: str | None) -> uuid.UUID | None:
    return None if device_id is None else uuid.UUID(str(device_id))


__all__ = ["CheckRecorded", "FleetService"]
