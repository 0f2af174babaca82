"""What day it is at each branch, on the laptop: invoices fall due by their location's calendar.

The server's overdue sweep asks ``invoice_workflow.zone_date`` for the
location's zone and ``becomes_overdue`` for the rule; the invoices screen asks
the same two here, so a laptop in another zone (or a clock past midnight in
Toronto but not in Vancouver) shows what the server will store.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, String, and_, case, cast, literal, select

from client.replica.store import LocalStore
from client.sync.db import table_for
from shared_models.enums import InvoiceStatus
from shared_models.rules.invoice_workflow import (
    OVERDUE_FROM,
    becomes_overdue,
    zone_date,
)
from shared_models.types import utcnow

Clock = Callable[[], dt.datetime]


def branch_dates(store: LocalStore, now: dt.datetime | None = None) -> dict[uuid.UUID, dt.date]:
    """location id -> today's date there."""
    at = now or utcnow()
    t = table_for("location")
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.timezone)).all()
    return {row.id: zone_date(row.timezone, at) for row in rows}


def branch_today(
    store: LocalStore, location_id: uuid.UUID | None, now: dt.datetime | None = None
) -> dt.date:
    """Today's date at the invoice's branch (UTC's for a location this replica does not hold)."""
    at = now or utcnow()
    t = table_for("location")
    with store.engine.connect() as conn:
        zone = conn.execute(select(t.c.timezone).where(t.c.id == location_id)).scalar()
    return zone_date(zone, at)


def shown_status(
    status: InvoiceStatus | str, due_date: dt.date | None, today: dt.date, balance_due: Decimal
) -> str:
    """OVERDUE once the server's sweep would store it on the branch's ``today``, else the status."""
    if becomes_overdue(status, due_date, today, balance_due):
        return InvoiceStatus.OVERDUE.value
    return str(getattr(status, "value", status))


def shown_status_sql(
    i: Any, dates: dict[uuid.UUID, dt.date], now: dt.datetime
) -> ColumnElement[str]:
    """``shown_status`` in SQL (each invoice against its branch's date): filter, counts, rows agree."""
    fallback = literal(zone_date(None, now), Date)
    today: Any = (
        case(
            *[(i.location_id == lid, literal(day, Date)) for lid, day in dates.items()],
            else_=fallback,
        )
        if dates
        else fallback
    )
    late = and_(
        i.status.in_([s.value for s in OVERDUE_FROM]),
        i.due_date.is_not(None),
        i.due_date < today,
        i.balance_due > 0,
    )
    return case((late, literal("OVERDUE")), else_=cast(i.status, String))
