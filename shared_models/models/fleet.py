"""Trucks and gear: the units, their upkeep, who has them, and trip inspections.

Children (maintenance, assignments, checks) carry no ``location_id``: they
follow their equipment into the ``location_fleet`` bucket of wherever the unit
is now, so a truck moved to another branch arrives with its history.
Every FK on a synced row is RESTRICT: synced rows are tombstoned, never
hard-deleted, and a database-side SET NULL would change a row without a version.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base, LocationScopedMixin, SyncedMixin, live_unique
from shared_models.enums import (
    AssignmentStatus,
    CheckKind,
    CheckResult,
    Currency,
    EquipmentStatus,
    EquipmentType,
    MaintenanceStatus,
    MaintenanceType,
    Province,
)
from shared_models.types import Quantity

__all__ = ["Equipment", "EquipmentAssignment", "EquipmentCheck", "EquipmentMaintenance"]


class Equipment(SyncedMixin, LocationScopedMixin, Base):
    """A unit the branch dispatches: a truck or trailer, or a tracked piece of gear."""

    __tablename__ = "equipment"

    #: Fleet number painted on the unit ("T-14"); what dispatchers and crews say.
    unit_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    type: Mapped[EquipmentType]
    status: Mapped[EquipmentStatus] = mapped_column(default=EquipmentStatus.ACTIVE)
    make: Mapped[str | None] = mapped_column(String(60))
    model: Mapped[str | None] = mapped_column(String(60))
    year: Mapped[int | None] = mapped_column(SmallInteger)
    vin: Mapped[str | None] = mapped_column(String(17))
    #: Serial number for units without a VIN (forklifts, dollies, tools).
    serial_number: Mapped[str | None] = mapped_column(String(64))
    licence_plate: Mapped[str | None] = mapped_column(String(16))
    plate_province: Mapped[Province | None]
    #: Box volume in cubic feet: what the dispatcher matches against a job's inventory.
    capacity_cuft: Mapped[Decimal | None] = mapped_column(Quantity)
    payload_lb: Mapped[Decimal | None] = mapped_column(Quantity)
    odometer_km: Mapped[int | None]
    engine_hours: Mapped[Decimal | None] = mapped_column(Quantity)
    purchase_date: Mapped[dt.date | None]
    purchase_cost: Mapped[Decimal | None]
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    next_service_date: Mapped[dt.date | None]
    next_service_odometer_km: Mapped[int | None]
    service_interval_km: Mapped[int | None]
    service_interval_days: Mapped[int | None]
    #: Engine-hour plan for units whose wear is counted in hours (reefers, forklifts,
    #: tail-lift power packs); the checks' ``engine_hours`` readings drive it.
    service_interval_engine_hours: Mapped[Decimal | None] = mapped_column(Quantity)
    next_service_engine_hours: Mapped[Decimal | None] = mapped_column(Quantity)
    #: Driver's licence class needed to drive it (e.g. "D" in Ontario for >11 t);
    #: scheduling compares it with ``user.license_class``.
    requires_license_class: Mapped[str | None] = mapped_column(String(8))
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # Among live rows: a retired-and-deleted "T-14" does not block the new one.
        live_unique("uq_equipment_unit_number_live", "tenant_id", "unit_number"),
        CheckConstraint("year IS NULL OR year BETWEEN 1950 AND 2100", name="year_range"),
        CheckConstraint("capacity_cuft IS NULL OR capacity_cuft >= 0", name="capacity_nonneg"),
        CheckConstraint("payload_lb IS NULL OR payload_lb >= 0", name="payload_nonneg"),
        CheckConstraint("odometer_km IS NULL OR odometer_km >= 0", name="odometer_nonneg"),
        CheckConstraint("engine_hours IS NULL OR engine_hours >= 0", name="engine_hours_nonneg"),
        CheckConstraint("purchase_cost IS NULL OR purchase_cost >= 0", name="cost_nonneg"),
        CheckConstraint(
            "next_service_odometer_km IS NULL OR next_service_odometer_km >= 0",
            name="next_service_km_nonneg",
        ),
        CheckConstraint(
            "service_interval_km IS NULL OR service_interval_km > 0", name="interval_km_positive"
        ),
        CheckConstraint(
            "service_interval_days IS NULL OR service_interval_days > 0",
            name="interval_days_positive",
        ),
        CheckConstraint(
            "service_interval_engine_hours IS NULL OR service_interval_engine_hours > 0",
            name="interval_hours_positive",
        ),
        CheckConstraint(
            "next_service_engine_hours IS NULL OR next_service_engine_hours >= 0",
            name="next_service_hours_nonneg",
        ),
        Index(
            "ix_equipment_tenant_location_type_status",
            "tenant_id",
            "location_id",
            "type",
            "status",
        ),
        Index("ix_equipment_tenant_next_service", "tenant_id", "next_service_date"),
    )


class EquipmentMaintenance(SyncedMixin, Base):
    """A service job on a unit, planned or done, in-house or at a shop, with its cost."""

    __tablename__ = "equipment_maintenance"

    equipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("equipment.id", ondelete="RESTRICT"))
    type: Mapped[MaintenanceType]
    status: Mapped[MaintenanceStatus] = mapped_column(default=MaintenanceStatus.SCHEDULED)
    scheduled_date: Mapped[dt.date | None]
    performed_at: Mapped[dt.datetime | None]
    odometer_km: Mapped[int | None]
    engine_hours: Mapped[Decimal | None] = mapped_column(Quantity)
    description: Mapped[str] = mapped_column(Text)
    #: The shop that did the work, when it is a known supplier.
    supplier_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("supplier.id", ondelete="RESTRICT")
    )
    vendor_name: Mapped[str | None] = mapped_column(String(200))
    #: Shop invoice / work-order number, for matching the bill.
    vendor_reference: Mapped[str | None] = mapped_column(String(64))
    cost: Mapped[Decimal | None]
    currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    #: The in-house mechanic, when there is one.
    performed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )
    #: The failed inspection that opened this corrective job.
    opened_by_check_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("equipment_check.id", ondelete="RESTRICT")
    )
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("cost IS NULL OR cost >= 0", name="cost_nonneg"),
        CheckConstraint("odometer_km IS NULL OR odometer_km >= 0", name="odometer_nonneg"),
        CheckConstraint("engine_hours IS NULL OR engine_hours >= 0", name="engine_hours_nonneg"),
        CheckConstraint(
            "status <> 'COMPLETED' OR performed_at IS NOT NULL", name="completed_has_date"
        ),
        Index(
            "ix_equipment_maintenance_tenant_equipment",
            "tenant_id",
            "equipment_id",
            "scheduled_date",
        ),
        Index("ix_equipment_maintenance_tenant_status", "tenant_id", "status", "scheduled_date"),
    )


class EquipmentAssignment(SyncedMixin, Base):
    """A unit booked to a journey (or handed to a person) for a window; owned by dispatch."""

    __tablename__ = "equipment_assignment"

    equipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("equipment.id", ondelete="RESTRICT"))
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journey.id", ondelete="RESTRICT")
    )
    #: The person who has the unit (the driver, or a crew lead holding a dolly kit).
    assigned_to: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )
    status: Mapped[AssignmentStatus] = mapped_column(default=AssignmentStatus.ACTIVE)
    start_at: Mapped[dt.datetime]
    #: Open-ended when NULL (a long-term hand-out).
    end_at: Mapped[dt.datetime | None]
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT")
    )
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("end_at IS NULL OR end_at > start_at", name="end_after_start"),
        CheckConstraint(
            "journey_id IS NOT NULL OR assigned_to IS NOT NULL", name="has_journey_or_user"
        ),
        Index("ix_equipment_assignment_tenant_equipment", "tenant_id", "equipment_id", "start_at"),
        Index("ix_equipment_assignment_tenant_journey", "tenant_id", "journey_id"),
    )


class EquipmentCheck(SyncedMixin, Base):
    """A signed inspection of one unit: append-only, so two offline crews never conflict.

    ``items`` is the checklist as performed: ``[{code, label, result (CheckResult
    value), safety_critical, note}]``. A FAIL on a safety-critical item makes the
    overall result FAIL, and the service layer takes the unit out of service.
    """

    __tablename__ = "equipment_check"
    __append_only__ = True

    equipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("equipment.id", ondelete="RESTRICT"))
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journey.id", ondelete="RESTRICT")
    )
    kind: Mapped[CheckKind] = mapped_column(default=CheckKind.PRE_TRIP)
    performed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    #: The laptop it was recorded on; no FK because devices are server-only rows.
    device_id: Mapped[uuid.UUID | None]
    performed_at: Mapped[dt.datetime]
    odometer_km: Mapped[int | None]
    engine_hours: Mapped[Decimal | None] = mapped_column(Quantity)
    items: Mapped[list[Any]] = mapped_column(default=list)
    overall_result: Mapped[CheckResult]
    defects_summary: Mapped[str | None] = mapped_column(Text)
    #: The inspector's signature as captured on the laptop (SVG path or PNG data URI).
    signature: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("overall_result <> 'NOT_APPLICABLE'", name="overall_pass_or_fail"),
        CheckConstraint("odometer_km IS NULL OR odometer_km >= 0", name="odometer_nonneg"),
        CheckConstraint("engine_hours IS NULL OR engine_hours >= 0", name="engine_hours_nonneg"),
        Index("ix_equipment_check_tenant_equipment", "tenant_id", "equipment_id", "performed_at"),
        Index("ix_equipment_check_tenant_journey", "tenant_id", "journey_id"),
    )
