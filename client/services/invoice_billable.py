"""What can be billed: completed journeys and accepted fixed-price quotes without an invoice."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from client.replica.store import LocalStore
from client.services.lists import customer_name_sql
from client.sync.db import table_for
from shared_models.rules import invoicing


@dataclass(frozen=True)
class Billable:
    """A completed journey or an accepted fixed-price quote that has no invoice yet."""

    id: uuid.UUID
    number: str
    customer_name: str
    day: dt.date | None
    detail: str


def billable_journeys(store: LocalStore) -> list[Billable]:
    """Completed journeys without a live invoice, most recent first."""
    j, c, i = table_for("journey"), table_for("customer"), table_for("invoice")
    billed = select(i.c.journey_id).where(i.c.deleted_at.is_(None), i.c.journey_id.is_not(None))
    stmt = (
        select(
            j.c.id,
            j.c.number,
            customer_name_sql(c.c).label("customer_name"),
            j.c.scheduled_date,
            j.c.crew_size_required,
            j.c.origin_city,
            j.c.destination_city,
        )
        .select_from(j.outerjoin(c, c.c.id == j.c.customer_id))
        .where(j.c.deleted_at.is_(None), j.c.status == "COMPLETED", j.c.id.not_in(billed))
        .order_by(j.c.scheduled_date.desc(), j.c.created_at.desc())
        .limit(500)
    )
    with store.engine.connect() as conn:
        return [
            Billable(
                r.id,
                r.number or "New job (number on sync)",
                r.customer_name or "(unknown customer)",
                r.scheduled_date,
                " → ".join(x for x in (r.origin_city, r.destination_city) if x)
                + (f" · {r.crew_size_required} movers" if r.crew_size_required else ""),
            )
            for r in conn.execute(stmt)
        ]


def billable_quotes(store: LocalStore) -> list[Billable]:
    """Accepted FLAT or BINDING quotes no invoice was made from, most recent first."""
    q, c, i = table_for("quote"), table_for("customer"), table_for("invoice")
    billed = select(i.c.quote_id).where(i.c.deleted_at.is_(None), i.c.quote_id.is_not(None))
    stmt = (
        select(
            q.c.id,
            q.c.number,
            q.c.provisional_number,
            customer_name_sql(c.c).label("customer_name"),
            q.c.move_date,
            q.c.estimate_type,
            q.c.total,
            q.c.currency,
        )
        .select_from(q.outerjoin(c, c.c.id == q.c.customer_id))
        .where(
            q.c.deleted_at.is_(None),
            q.c.status.in_([s.value for s in invoicing.BILLABLE_QUOTE]),
            q.c.estimate_type.in_([e.value for e in invoicing.FIXED_PRICE]),
            q.c.id.not_in(billed),
        )
        .order_by(q.c.move_date.desc(), q.c.created_at.desc())
        .limit(500)
    )
    with store.engine.connect() as conn:
        return [
            Billable(
                r.id,
                r.number or r.provisional_number or "Quote (number on sync)",
                r.customer_name or "(unknown customer)",
                r.move_date,
                f"{str(r.estimate_type).title()} estimate · {r.total:,.2f} {r.currency}",
            )
            for r in conn.execute(stmt)
        ]
