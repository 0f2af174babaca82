"""The daily OVERDUE sweep: unpaid invoices past their due date, by their branch's calendar.

Which invoices go OVERDUE is ``rules.invoice_workflow.becomes_overdue`` (SENT,
VIEWED or PARTIAL_PAID with a balance, due before today); "today" is the
date in the invoice's location's time zone, or the date given (``--today``).
Each tenant's changes are one transaction through ``SyncWriter`` as the system
actor (no user): versioned, audited and pulled by every replica like any
other write. Cheap when nothing is due: one query across tenants finds the
candidates, and no lock is taken unless a tenant has some.

``today`` is for catch-up runs and tests. The invoice's recompute (part of
the write) judges by the real date at its branch, so a ``today`` ahead of it
marks nothing that would not stay: the count is of invoices OVERDUE after it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.enums import InvoiceStatus
from shared_models.rules.invoice_workflow import OVERDUE_FROM, becomes_overdue
from shared_models.sync.codec import synced_table
from shared_models.types import utcnow
from sync_server.billing.calendar import location_dates
from sync_server.core.db import session_scope
from sync_server.core.logging import get_logger
from sync_server.sync.writer import Actor, SyncWriter

log = get_logger(__name__)

#: Where it is latest (UTC+14), the date is at most one day ahead of UTC's.
_AHEAD = dt.timedelta(days=1)


@dataclass(frozen=True)
class SweepResult:
    """How many invoices were looked at and how many became OVERDUE, in how many tenants."""

    candidates: int
    marked: int
    tenants: int


def _candidates(session: Session, bound: dt.date) -> dict[uuid.UUID, list[uuid.UUID]]:
    """tenant id -> ids of invoices that may be overdue somewhere (due before ``bound``)."""
    t = synced_table("invoice")
    rows = session.execute(
        select(t.c.tenant_id, t.c.id).where(
            t.c.status.in_(sorted(OVERDUE_FROM)),
            t.c.due_date < bound,
            t.c.balance_due > 0,
            t.c.deleted_at.is_(None),
        )
    ).all()
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for tenant_id, invoice_id in rows:
        out.setdefault(tenant_id, []).append(invoice_id)
    return out


def _sweep_tenant(
    session: Session,
    tenant_id: uuid.UUID,
    ids: list[uuid.UUID],
    *,
    now: dt.datetime,
    today: dt.date | None,
) -> int:
    writer = SyncWriter(session, Actor(tenant_id, None))
    writer.lock()
    t = synced_table("invoice")
    # Read again under the lock: a push may have paid or changed one meanwhile.
    rows = [
        dict(r)
        for r in session.execute(
            select(t).where(t.c.id.in_(ids), t.c.deleted_at.is_(None)).order_by(t.c.id)
        ).mappings()
    ]
    dates = location_dates(session, {r["location_id"] for r in rows}, now)
    late = []
    for row in rows:
        day = today or dates.get(row["location_id"]) or now.date()
        if becomes_overdue(row["status"], row["due_date"], day, row["balance_due"]):
            writer.update("invoice", row["id"], {"status": InvoiceStatus.OVERDUE}, before=row)
            late.append(row["id"])
    writer.finish()
    if not late:
        return 0
    return len(
        session.execute(
            select(t.c.id).where(t.c.id.in_(late), t.c.status == InvoiceStatus.OVERDUE)
        ).all()
    )


def sweep_overdue(
    sessions: Callable[[], Session],
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SweepResult:
    """Mark every tenant's late invoices OVERDUE; ``today`` overrides every branch's date."""
    at = now or utcnow()
    bound = today if today is not None else at.date() + _AHEAD
    with session_scope(sessions) as session:  # type: ignore[arg-type]
        found = _candidates(session, bound)
    marked = 0
    for tenant_id, ids in found.items():
        with session_scope(sessions) as session:  # type: ignore[arg-type]
            marked += _sweep_tenant(session, tenant_id, ids, now=at, today=today)
    result = SweepResult(sum(len(v) for v in found.values()), marked, len(found))
    if result.marked:
        log.info("overdue_sweep", marked=result.marked, tenants=result.tenants)
    return result
