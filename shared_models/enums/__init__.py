"""Every enum of the domain, importable from one place."""
from __future__ import annotations

from shared_models.enums.sales import (
    LeadStatus,
    LeadPriority,
    QuoteStatus,
    QuoteItemCategory,
    SalesActivityType,
    EstimateType,
    ValuationOption,
    LeadSource,
    CustomerType,
)
from shared_models.enums.finance import (
    InvoiceStatus,
    PaymentMethod,
    PaymentStatus,
    TransactionType,
    Currency,
    TaxKind,
)
from shared_models.enums.fleet import (
    EquipmentType,
    EquipmentStatus,
    MaintenanceType,
    AssignmentStatus,
    InventoryTransactionType,
    CheckResult,
)
from shared_models.enums.scheduling import (
    ScheduleStatus,
    ScheduleType,
    SchedulePriority,
    AvailabilityType,
)
from shared_models.enums.reporting import (
    ReportType,
    ReportStatus,
    ReportFormat,
)
from shared_models.enums.comms import (
    CommunicationType,
    CommunicationStatus,
    TemplateType,
    CommunicationDirection,
)
from shared_models.enums.integration import (
    IntegrationType,
    IntegrationStatus,
    SyncType,
    SyncStatus,
    DeliveryStatus,
)
from shared_models.enums.core import (
    PermissionScope,
    UserRole,
    UserStatus,
    PermissionAction,
    JourneyStatus,
    JourneyEventType,
    CrewRole,
    Province,
)

__all__ = [
    "AssignmentStatus",
    "AvailabilityType",
    "CheckResult",
    "CommunicationDirection",
    "CommunicationStatus",
    "CommunicationType",
    "CrewRole",
    "Currency",
    "CustomerType",
    "DeliveryStatus",
    "EquipmentStatus",
    "EquipmentType",
    "EstimateType",
    "IntegrationStatus",
    "IntegrationType",
    "InventoryTransactionType",
    "InvoiceStatus",
    "JourneyEventType",
    "JourneyStatus",
    "LeadPriority",
    "LeadSource",
    "LeadStatus",
    "MaintenanceType",
    "PaymentMethod",
    "PaymentStatus",
    "PermissionAction",
    "PermissionScope",
    "Province",
    "QuoteItemCategory",
    "QuoteStatus",
    "ReportFormat",
    "ReportStatus",
    "ReportType",
    "SalesActivityType",
    "SchedulePriority",
    "ScheduleStatus",
    "ScheduleType",
    "SyncStatus",
    "SyncType",
    "TaxKind",
    "TemplateType",
    "TransactionType",
    "UserRole",
    "UserStatus",
    "ValuationOption",
]
