"""Equipment, maintenance, checks and inventory (spec Phase 3).

Values are the spec's, verbatim; a value is its own name so the wire, the
database and the UI all read the same text.
"""

from __future__ import annotations

import enum


class EquipmentType(enum.StrEnum):
    TRUCK = "TRUCK"
    TRAILER = "TRAILER"
    FORKLIFT = "FORKLIFT"
    DOLLY = "DOLLY"
    STRAPS = "STRAPS"
    BLANKETS = "BLANKETS"
    TOOLS = "TOOLS"
    OTHER = "OTHER"


class EquipmentStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    MAINTENANCE = "MAINTENANCE"
    REPAIR = "REPAIR"
    RETIRED = "RETIRED"
    SOLD = "SOLD"


class MaintenanceType(enum.StrEnum):
    PREVENTIVE = "PREVENTIVE"
    CORRECTIVE = "CORRECTIVE"
    EMERGENCY = "EMERGENCY"
    INSPECTION = "INSPECTION"


class AssignmentStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class InventoryTransactionType(enum.StrEnum):
    PURCHASE = "PURCHASE"
    SALE = "SALE"
    ADJUSTMENT = "ADJUSTMENT"
    TRANSFER = "TRANSFER"
    DAMAGE = "DAMAGE"
    EXPIRY = "EXPIRY"


class CheckResult(enum.StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class MaintenanceStatus(enum.StrEnum):
    """Lifecycle of a maintenance job (not in the spec: it only names the type)."""

    SCHEDULED = "SCHEDULED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class CheckKind(enum.StrEnum):
    """When an inspection is done: daily trip inspections (NSC 13) and periodic ones."""

    PRE_TRIP = "PRE_TRIP"
    POST_TRIP = "POST_TRIP"
    PERIODIC = "PERIODIC"
