"""The fleet's maintenance jobs on the laptop: list, book, start, complete, cancel, open by hand.

Every change is one ``LocalWriteService.batch()``: the job's row and its
outbox mutation, and, when a completed job was the last thing keeping its
unit off the road, the unit's return to ACTIVE and its raised readings.
The laptop writes the unit's status itself when its user may: it needs the
row right at once, offline, for the dispatch board. The server applies the same
rule when the job arrives (``sync_server.sync.fleet_rules``), so a role that
may finish jobs but not edit units still gets its truck back. The
rules are the shared ones (``shared_models.rules.maintenance``); permissions
are the replica's matrix, so a refusal shows now rather than after a sync.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from client.services.errors import RowNotFound
from client.services.permissions import may, require, signed_in_user, user_grants
from client.services.writes import LocalWriteService, WriteBatch
from client.sync.db import table_for
from shared_models.enums import (
    EquipmentStatus,
    MaintenanceStatus,
    MaintenanceType,
    PermissionAction,
)
from shared_models.rules import maintenance as rules
from shared_models.rules.invoice_workflow import FALLBACK_ZONE, zone_date
from shared_models.rules.maintenance import Action
from shared_models.rules.scheduling import MaintenanceState
from shared_models.types import utcnow

A = PermissionAction
#: Closed jobs listed after the open ones: the recent history a fleet manager scans.
RECENT_CLOSED = 200


@dataclass(frozen=True, slots=True)
class MaintenanceJob:
    """One job with what the list and the detail pane show of its unit."""

    id: uuid.UUID
    equipment_id: uuid.UUID
    unit_number: str
    unit_name: str
    unit_type: str
    unit_status: str
    type: str
    status: str
    scheduled_date: dt.date | None
    performed_at: dt.datetime | None
    description: str
    odometer_km: int | None
    engine_hours: Decimal | None
    vendor_name: str | None
    vendor_reference: str | None
    cost: Decimal | None
    currency: str
    notes: str | None
    #: When the inspection that opened this repair was done (None: opened by hand or plan).
    found_at: dt.datetime | None
    #: IANA zone of the unit's branch: its times are shown, and its days counted, on that clock.
    zone: str = FALLBACK_ZONE

    @property
    def open(self) -> bool:
        return self.status in rules.OPEN

    def branch_today(self, now: dt.datetime | None = None) -> dt.date:
        """Today at the unit's branch (a shop day is that branch's day, whatever the laptop's)."""
        return zone_date(self.zone, now or utcnow())

    def overdue(self, today: dt.date) -> bool:
        return (
            self.status == MaintenanceStatus.SCHEDULED
            and self.scheduled_date is not None
            and self.scheduled_date < today
        )


@dataclass(frozen=True, slots=True)
class Completed:
    """What completing did to the unit: its new status, or why it stays out."""

    job_id: uuid.UUID
    unit_status: str | None
    #: Descriptions of the other open jobs that keep the unit off the road.
    still_open: tuple[str, ...] = ()


def _order(job: MaintenanceJob) -> tuple[Any, ...]:
    """In the shop first, then booked by day (undated last), then the newest closed."""
    if job.status == MaintenanceStatus.IN_PROGRESS:
        return (0, dt.date.min, job.unit_number)
    if job.status == MaintenanceStatus.SCHEDULED:
        return (1, job.scheduled_date or dt.date.max, job.unit_number)
    stamp = job.performed_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    return (2, -stamp.timestamp(), job.unit_number)


def list_jobs(conn: Connection, *, open_only: bool = False) -> list[MaintenanceJob]:
    """Jobs of the units in this replica (the user's scope): open first, then recent closed."""
    m, e, k, loc = (
        table_for("equipment_maintenance"),
        table_for("equipment"),
        table_for("equipment_check"),
        table_for("location"),
    )
    stmt = (
        select(
            m,
            e.c.unit_number,
            e.c.name.label("unit_name"),
            e.c.type.label("unit_type"),
            e.c.status.label("unit_status"),
            k.c.performed_at.label("found_at"),
            loc.c.timezone.label("zone"),
        )
        .join(e, e.c.id == m.c.equipment_id)
        .outerjoin(k, k.c.id == m.c.opened_by_check_id)
        .outerjoin(loc, loc.c.id == e.c.location_id)
        .where(m.c.deleted_at.is_(None), e.c.deleted_at.is_(None))
    )
    if open_only:
        stmt = stmt.where(m.c.status.in_([s.value for s in rules.OPEN]))
    jobs = sorted((_job(r) for r in conn.execute(stmt).mappings()), key=_order)
    opened = [j for j in jobs if j.open]
    return opened + [j for j in jobs if not j.open][:RECENT_CLOSED]


def _job(r: Any) -> MaintenanceJob:
    return MaintenanceJob(
        id=r["id"],
        equipment_id=r["equipment_id"],
        unit_number=r["unit_number"],
        unit_name=r["unit_name"],
        unit_type=str(r["unit_type"]),
        unit_status=str(r["unit_status"]),
        type=str(r["type"]),
        status=str(r["status"]),
        scheduled_date=r["scheduled_date"],
        performed_at=r["performed_at"],
        description=r["description"],
        odometer_km=r["odometer_km"],
        engine_hours=r["engine_hours"],
        vendor_name=r["vendor_name"],
        vendor_reference=r["vendor_reference"],
        cost=r["cost"],
        currency=str(r["currency"]),
        notes=r["notes"],
        found_at=r["found_at"],
        zone=r["zone"] or FALLBACK_ZONE,
    )


class MaintenanceService:
    """Maintenance jobs of the branch's units, written through ``LocalWriteService``."""

    def __init__(self, writes: LocalWriteService) -> None:
        self.writes = writes
        self.store = writes.store

    # -- reads -----------------------------------------------------------------------

    def jobs(self, *, open_only: bool = False) -> list[MaintenanceJob]:
        with self.store.engine.connect() as conn:
            return list_jobs(conn, open_only=open_only)

    def unit_zones(self) -> dict[uuid.UUID, str]:
        """unit id -> IANA zone of its branch: a new job's default shop day is that branch's."""
        e, loc = table_for("equipment"), table_for("location")
        stmt = select(e.c.id, loc.c.timezone).outerjoin(loc, loc.c.id == e.c.location_id)
        with self.store.engine.connect() as conn:
            return {r.id: r.timezone or FALLBACK_ZONE for r in conn.execute(stmt)}

    def may_update(self) -> bool:
        return self._may("equipment_maintenance", A.UPDATE)

    def may_create(self) -> bool:
        return self._may("equipment_maintenance", A.CREATE)

    def refusal(self, job: MaintenanceJob, action: Action, *, may_update: bool) -> str | None:
        """Why ``action`` is not offered on ``job`` (a disabled button's tooltip), or None."""
        if not may_update:
            return "Your role may read maintenance jobs but not change them."
        return rules.refusal(job.status, action)

    # -- writes ----------------------------------------------------------------------

    def open_job(
        self,
        *,
        equipment_id: uuid.UUID,
        type: MaintenanceType | str,
        description: str,
        date: dt.date | None = None,
        now: dt.datetime | None = None,
    ) -> uuid.UUID:
        """A job opened by hand (a noise the driver reported, a tail-lift service)."""
        self._require(A.CREATE)
        kind = MaintenanceType(type)
        text = rules.clean_text(description, "description", required="Say what needs doing.")
        with self.writes.batch() as batch:
            unit = self._unit(batch, equipment_id)
            rules.check_unit_serviceable(unit["status"], unit["unit_number"])
            day = rules.check_shop_day(date, today=self._today(batch, unit, now))
            return batch.insert(
                "equipment_maintenance",
                {
                    "equipment_id": unit["id"],
                    "type": kind,
                    "status": MaintenanceStatus.SCHEDULED,
                    "scheduled_date": day,
                    "description": text,
                    "currency": unit["currency"],
                },
            )

    def book(
        self, job_id: uuid.UUID, date: dt.date | None, *, now: dt.datetime | None = None
    ) -> None:
        """Set (or clear, with None) the shop day of a SCHEDULED job."""
        self._require(A.UPDATE)
        with self.writes.batch() as batch:
            job, unit = self._job_and_unit(batch, job_id)
            rules.check_action(job["status"], Action.BOOK)
            day = rules.check_shop_day(date, today=self._today(batch, unit, now))
            batch.update("equipment_maintenance", job["id"], {"scheduled_date": day})

    def start(self, job_id: uuid.UUID) -> None:
        """The unit is in the shop: the job is IN_PROGRESS (the board keeps it off the road)."""
        self._require(A.UPDATE)
        with self.writes.batch() as batch:
            job, _ = self._job_and_unit(batch, job_id)
            rules.check_action(job["status"], Action.START)
            batch.update(
                "equipment_maintenance", job["id"], {"status": MaintenanceStatus.IN_PROGRESS}
            )

    def complete(
        self,
        job_id: uuid.UUID,
        *,
        performed_at: dt.datetime,
        odometer_km: Any = None,
        engine_hours: Any = None,
        vendor_name: str | None = None,
        vendor_reference: str | None = None,
        cost: Any = None,
        notes: str | None = None,
        now: dt.datetime | None = None,
    ) -> Completed:
        """Record the work done; the unit returns to ACTIVE when nothing else keeps it out."""
        self._require(A.UPDATE)
        moment = now or utcnow()
        with self.writes.batch() as batch:
            job, unit = self._job_and_unit(batch, job_id)
            rules.check_action(job["status"], Action.COMPLETE)
            done = rules.check_completion(
                performed_at=performed_at,
                now=moment,
                odometer_km=odometer_km,
                engine_hours=engine_hours,
                cost=cost,
                vendor_name=vendor_name,
                vendor_reference=vendor_reference,
                notes=notes if notes is not None else job["notes"],
                found_at=self._found_at(batch, job),
            )
            batch.update(
                "equipment_maintenance",
                job["id"],
                {
                    "status": MaintenanceStatus.COMPLETED,
                    "performed_at": done.performed_at,
                    "odometer_km": done.odometer_km
                    if done.odometer_km is not None
                    else job["odometer_km"],
                    "engine_hours": done.engine_hours
                    if done.engine_hours is not None
                    else job["engine_hours"],
                    "vendor_name": done.vendor_name,
                    "vendor_reference": done.vendor_reference,
                    "cost": done.cost,
                    "notes": done.notes,
                },
            )
            return self._release_unit(batch, job, unit, done, moment)

    def cancel(self, job_id: uuid.UUID, reason: str) -> None:
        """Drop a job that will not be done; the reason is kept in its notes."""
        self._require(A.UPDATE)
        why = rules.clean_text(reason, "reason", required="Say why the job is cancelled.")
        with self.writes.batch() as batch:
            job, _ = self._job_and_unit(batch, job_id)
            rules.check_action(job["status"], Action.CANCEL)
            notes = "\n".join(p for p in (job["notes"], f"Cancelled: {why}") if p)
            batch.update(
                "equipment_maintenance",
                job["id"],
                {"status": MaintenanceStatus.CANCELLED, "notes": notes},
            )

    # -- helpers ---------------------------------------------------------------------

    def _release_unit(
        self,
        batch: WriteBatch,
        job: dict[str, Any],
        unit: dict[str, Any],
        done: rules.Completion,
        moment: dt.datetime,
    ) -> Completed:
        """Readings up and, when nothing else keeps it out, the unit back to ACTIVE."""
        if EquipmentStatus(unit["status"]) in rules.OUT_OF_FLEET:
            return Completed(job["id"], None)
        others = self._other_open(batch.conn, job)
        day = self._today(batch, unit, moment)
        grounded = EquipmentStatus(unit["status"]) in (
            EquipmentStatus.REPAIR,
            EquipmentStatus.MAINTENANCE,
        )
        blocking = tuple(
            o["description"] for o, s in others if grounded and rules.keeps_unit_out(s, day)
        )
        changes = rules.raised_readings(unit, done)
        status = rules.status_after_completion(unit["status"], [s for _, s in others], day)
        if status is not None:
            changes["status"] = status
        if changes and self._may("equipment", A.UPDATE):
            batch.update("equipment", unit["id"], changes)
        else:
            status = None
        return Completed(job["id"], None if status is None else status.value, blocking)

    def _other_open(
        self, conn: Connection, job: dict[str, Any]
    ) -> list[tuple[dict[str, Any], MaintenanceState]]:
        m = table_for("equipment_maintenance")
        rows = conn.execute(
            select(m).where(
                m.c.equipment_id == job["equipment_id"],
                m.c.id != job["id"],
                m.c.deleted_at.is_(None),
                m.c.status.in_([s.value for s in rules.OPEN]),
            )
        ).mappings()
        return [(dict(r), MaintenanceState.of(r)) for r in rows]

    def _found_at(self, batch: WriteBatch, job: dict[str, Any]) -> dt.datetime | None:
        if job["opened_by_check_id"] is None:
            return None
        check = batch.read("equipment_check", job["opened_by_check_id"])
        return None if check is None else check["performed_at"]

    def _job_and_unit(
        self, batch: WriteBatch, job_id: uuid.UUID
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        job = batch.read("equipment_maintenance", job_id)
        if job is None or job["deleted_at"] is not None:
            raise RowNotFound(f"no maintenance job {job_id} in this replica")
        return job, self._unit(batch, job["equipment_id"])

    def _unit(self, batch: WriteBatch, equipment_id: uuid.UUID) -> dict[str, Any]:
        unit = batch.read("equipment", equipment_id)
        if unit is None or unit["deleted_at"] is not None:
            raise RowNotFound(f"no equipment {equipment_id} in this replica")
        return unit

    def _today(self, batch: WriteBatch, unit: dict[str, Any], now: dt.datetime | None) -> dt.date:
        """Today where the unit's branch is (a shop day is a local day)."""
        location = batch.read("location", unit["location_id"])
        return zone_date((location or {}).get("timezone"), now or utcnow())

    def _may(self, resource: str, action: PermissionAction) -> bool:
        user = signed_in_user(self.store, self.writes.user_id)
        return may(user_grants(self.store, user), resource, action)

    def _require(self, action: PermissionAction) -> None:
        """Refuse now what the server would refuse as ``permission_denied`` on sync."""
        user = signed_in_user(self.store, self.writes.user_id)
        require(user_grants(self.store, user), "equipment_maintenance", action)


__all__ = ["Completed", "MaintenanceJob", "MaintenanceService", "list_jobs"]
