"""Reports and dashboards (spec Phase 5).

Values are the spec's, verbatim; a value is its own name so the wire, the
database and the UI all read the same text.
"""

from __future__ import annotations

import enum


class ReportType(enum.StrEnum):
    FINANCIAL = "FINANCIAL"
    OPERATIONAL = "OPERATIONAL"
    CUSTOMER = "CUSTOMER"
    SALES = "SALES"
    INVENTORY = "INVENTORY"
    EQUIPMENT = "EQUIPMENT"
    CUSTOM = "CUSTOM"


class ReportStatus(enum.StrEnum):
    PENDING = "PENDING"
    GENERATING = "GENERATING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class ReportFormat(enum.StrEnum):
    PDF = "PDF"
    EXCEL = "EXCEL"
    CSV = "CSV"
    JSON = "JSON"
