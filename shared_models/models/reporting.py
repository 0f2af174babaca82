"""Reports the server generates, and the dashboards people arrange.

``Report`` is server-only: the server runs the queries over data no single
replica holds. ``Dashboard`` is synced, so a layout opens offline.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base, ServerRowMixin, SyncedMixin
from shared_models.enums import ReportFormat, ReportStatus, ReportType

__all__ = ["Dashboard", "Report"]


class Report(ServerRowMixin, Base):
    """A requested (or recurring) report and its latest output.

    The output is either a file under the server's report store (``file_path``)
    or, for small ones, inline ``content``; never both.
    """

    __tablename__ = "report"
    __synced__ = False

    type: Mapped[ReportType]
    status: Mapped[ReportStatus] = mapped_column(default=ReportStatus.PENDING)
    format: Mapped[ReportFormat]
    name: Mapped[str] = mapped_column(String(200))
    #: Filters as chosen in the UI: date range, location ids, grouping.
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    #: Cron expression in the tenant's time zone for recurring reports, else NULL.
    schedule: Mapped[str | None] = mapped_column(String(120))
    next_run_at: Mapped[dt.datetime | None]
    generated_at: Mapped[dt.datetime | None]
    file_path: Mapped[str | None] = mapped_column(String(500))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("file_path IS NULL OR content IS NULL", name="one_output"),
        Index("ix_report_tenant_requester", "tenant_id", "requested_by", "created_at"),
        # The scheduler scans due recurring reports across tenants.
        Index("ix_report_next_run", "next_run_at"),
    )


class Dashboard(SyncedMixin, Base):
    """A named widget layout, personal (``user_id``) or tenant-wide when NULL.

    ``layout`` is ``{"columns": n, "widgets": [{kind, x, y, w, h, options}]}``;
    widgets compute from the replica, so a crew lead's dashboard works offline.
    """

    __tablename__ = "dashboard"

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    layout: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The one opened first; the client takes the newest if offline edits made two.
    is_default: Mapped[bool] = mapped_column(default=False)
    #: Visible to everyone in the tenant (read-only for all but its owner).
    is_shared: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_dashboard_tenant_user", "tenant_id", "user_id"),)
