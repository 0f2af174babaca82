"""Read-only detail of one customer or quote, for the side panes of the list screens.

Child lists filter on ``tenant_id`` too: the replica holds one tenant, so the
condition is free, and it lets SQLite use the ``(tenant_id, parent, ...)``
indexes the shared models already define.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from client.replica.store import LocalStore
from client.services.lists import QuoteRow, quote_row, quote_select
from client.services.queries import get_row
from client.sync.db import table_for

#: Side panes show the latest of each; the full history belongs to later screens.
MAX_CHILDREN = 50


@dataclass(frozen=True)
class Activity:
    type: str
    subject: str
    occurred_at: dt.datetime
    outcome: str | None
    notes: str | None


@dataclass(frozen=True)
class CustomerDetail:
    row: dict[str, Any]
    activities: list[Activity] = field(default_factory=list)
    quotes: list[QuoteRow] = field(default_factory=list)


@dataclass(frozen=True)
class QuoteLine:
    category: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class QuoteDetail:
    row: dict[str, Any]
    customer: dict[str, Any] | None
    lines: list[QuoteLine] = field(default_factory=list)


def customer_detail(store: LocalStore, customer_id: uuid.UUID) -> CustomerDetail | None:
    """The customer, their latest sales activities and their quotes (newest first)."""
    row = get_row(store, "customer", customer_id)
    if row is None:
        return None
    a, q = table_for("sales_activity"), table_for("quote")
    activities = (
        select(a.c.type, a.c.subject, a.c.occurred_at, a.c.outcome, a.c.notes)
        .where(
            a.c.tenant_id == row["tenant_id"],
            a.c.customer_id == customer_id,
            a.c.deleted_at.is_(None),
        )
        .order_by(a.c.occurred_at.desc())
        .limit(MAX_CHILDREN)
    )
    quotes = (
        quote_select()
        .where(q.c.tenant_id == row["tenant_id"], q.c.customer_id == customer_id)
        .order_by(q.c.created_at.desc())
        .limit(MAX_CHILDREN)
    )
    with store.engine.connect() as conn:
        acts = [
            Activity(str(r.type), r.subject, r.occurred_at, r.outcome, r.notes)
            for r in conn.execute(activities)
        ]
        quote_rows = [quote_row(r) for r in conn.execute(quotes)]
    return CustomerDetail(row=row, activities=acts, quotes=quote_rows)


def quote_detail(store: LocalStore, quote_id: uuid.UUID) -> QuoteDetail | None:
    """The quote, its customer and its live lines in print order."""
    row = get_row(store, "quote", quote_id)
    if row is None:
        return None
    i = table_for("quote_item")
    stmt = (
        select(
            i.c.category, i.c.description, i.c.quantity, i.c.unit, i.c.unit_price, i.c.line_total
        )
        .where(
            i.c.tenant_id == row["tenant_id"],
            i.c.quote_id == quote_id,
            i.c.deleted_at.is_(None),
        )
        .order_by(i.c.sort_order)
    )
    with store.engine.connect() as conn:
        lines = [
            QuoteLine(
                str(r.category),
                r.description,
                r.quantity,
                r.unit,
                r.unit_price,
                r.line_total,
            )
            for r in conn.execute(stmt)
        ]
    customer = get_row(store, "customer", row["customer_id"])
    return QuoteDetail(row=row, customer=customer, lines=lines)
