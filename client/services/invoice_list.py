"""What the invoices list reads: a page of rows, the count and the per-status chips.

The status shown is the displayed one (OVERDUE once the branch's date passed
the due date, ``invoice_dates``), computed in SQL so the filter, the counts and
the rows agree. Search text finds an invoice by its number (legal or
provisional) or its customer, through the replica's full-text index.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal_column, or_, select

from client.replica.store import LocalStore
from client.services.invoice_dates import branch_dates, shown_status_sql
from client.services.lists import customer_name_sql
from client.services.search import search
from client.sync.db import table_for
from shared_models.rules.money import ZERO
from shared_models.types import utcnow

SEARCH_LIMIT = 200


@dataclass(frozen=True)
class InvoiceQuery:
    """The list's filter: a status as displayed (OVERDUE by the calendar) and search text."""

    status: str | None = None
    text: str = ""


@dataclass(frozen=True)
class InvoiceRow:
    id: uuid.UUID
    number: str
    #: No legal number yet: ``number`` is this laptop's provisional one.
    provisional: bool
    customer_name: str
    issue_date: dt.date | None
    due_date: dt.date | None
    status: str
    total: Decimal
    balance_due: Decimal
    credit_amount: Decimal
    currency: str
    created_at: dt.datetime


def _where(store: LocalStore, query: InvoiceQuery, shown: Any) -> list[Any]:
    i = table_for("invoice").c
    where: list[Any] = [i.deleted_at.is_(None)]
    if query.status:
        where.append(shown == query.status)
    text = query.text.strip()
    if text:
        numbers = search(store, "invoice", text, limit=SEARCH_LIMIT)
        customers = search(store, "customer", text, limit=SEARCH_LIMIT)
        where.append(or_(i.id.in_(numbers), i.customer_id.in_(customers)))
    return where


def _shown(now: dt.datetime, store: LocalStore) -> Any:
    return shown_status_sql(table_for("invoice").c, branch_dates(store, now), now)


def count_invoices(
    store: LocalStore, query: InvoiceQuery = InvoiceQuery(), *, now: dt.datetime | None = None
) -> int:
    shown = _shown(now or utcnow(), store)
    stmt = (
        select(func.count()).select_from(table_for("invoice")).where(*_where(store, query, shown))
    )
    with store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def invoice_page(
    store: LocalStore,
    query: InvoiceQuery = InvoiceQuery(),
    *,
    offset: int,
    limit: int,
    now: dt.datetime | None = None,
) -> list[InvoiceRow]:
    """Newest first (issue date, then creation): the invoices being worked on come first."""
    shown = _shown(now or utcnow(), store)
    i, c = table_for("invoice"), table_for("customer")
    stmt = (
        select(
            i.c.id,
            i.c.number,
            i.c.provisional_number,
            customer_name_sql(c.c).label("customer_name"),
            i.c.issue_date,
            i.c.due_date,
            shown.label("shown"),
            i.c.total,
            i.c.balance_due,
            i.c.credit_amount,
            i.c.currency,
            i.c.created_at,
        )
        .select_from(i.outerjoin(c, c.c.id == i.c.customer_id))
        .where(*_where(store, query, shown))
        .order_by(i.c.issue_date.desc(), i.c.created_at.desc(), literal_column("invoice.rowid"))
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as conn:
        return [_invoice_row(r) for r in conn.execute(stmt)]


def _invoice_row(r: Any) -> InvoiceRow:
    return InvoiceRow(
        id=r.id,
        number=r.number or r.provisional_number or "—",
        provisional=r.number is None,
        customer_name=r.customer_name or "(unknown customer)",
        issue_date=r.issue_date,
        due_date=r.due_date,
        status=str(r.shown),
        total=r.total if r.total is not None else ZERO,
        balance_due=r.balance_due if r.balance_due is not None else ZERO,
        credit_amount=r.credit_amount if r.credit_amount is not None else ZERO,
        currency=str(r.currency),
        created_at=r.created_at,
    )


def invoice_status_counts(store: LocalStore, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Live invoices per displayed status (an unpaid SENT one past due counts as OVERDUE)."""
    i = table_for("invoice")
    shown = _shown(now or utcnow(), store)
    stmt = select(shown, func.count()).where(i.c.deleted_at.is_(None)).group_by(shown)
    with store.engine.connect() as conn:
        return {str(status): int(n) for status, n in conn.execute(stmt)}
