"""The lead pipeline: live leads per ``LeadStatus``, with a page of cards per status."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from client.replica.store import LocalStore
from client.services.lists import customer_name_sql
from client.sync.db import table_for
from shared_models.enums import LeadStatus

#: Pipeline order, left to right; archived leads are out of the pipeline.
PIPELINE: tuple[LeadStatus, ...] = (
    LeadStatus.NEW,
    LeadStatus.CONTACTED,
    LeadStatus.QUALIFIED,
    LeadStatus.PROPOSAL_SENT,
    LeadStatus.NEGOTIATION,
    LeadStatus.WON,
    LeadStatus.LOST,
)


@dataclass(frozen=True)
class LeadCard:
    id: uuid.UUID
    name: str
    status: str
    priority: str
    source: str
    move_date: dt.date | None
    move_size: str | None
    estimated_value: Decimal | None
    currency: str
    next_follow_up_at: dt.datetime | None


def lead_counts(store: LocalStore) -> dict[str, int]:
    """Live leads per status (every status present, zero when none)."""
    lead = table_for("lead")
    stmt = (
        select(lead.c.status, func.count())
        .where(lead.c.deleted_at.is_(None))
        .group_by(lead.c.status)
    )
    counts = {s.value: 0 for s in LeadStatus}
    with store.engine.connect() as conn:
        counts.update({str(status): int(n) for status, n in conn.execute(stmt)})
    return counts


def lead_page(store: LocalStore, status: str, *, offset: int, limit: int) -> list[LeadCard]:
    """Newest leads of one status (``ix_ui_lead_status_created``)."""
    lead, c = table_for("lead"), table_for("customer")
    name = func.coalesce(lead.c.contact_name, customer_name_sql(c.c))
    stmt = (
        select(
            lead.c.id,
            name.label("name"),
            lead.c.status,
            lead.c.priority,
            lead.c.source,
            lead.c.move_date,
            lead.c.move_size,
            lead.c.estimated_value,
            lead.c.currency,
            lead.c.next_follow_up_at,
        )
        .select_from(lead.outerjoin(c, c.c.id == lead.c.customer_id))
        .where(lead.c.deleted_at.is_(None), lead.c.status == status)
        .order_by(lead.c.created_at.desc())
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as conn:
        return [_card(r) for r in conn.execute(stmt)]


def _card(r: Any) -> LeadCard:
    return LeadCard(
        id=r.id,
        name=r.name or "(no name)",
        status=str(r.status),
        priority=str(r.priority),
        source=str(r.source),
        move_date=r.move_date,
        move_size=r.move_size,
        estimated_value=r.estimated_value,
        currency=str(r.currency),
        next_follow_up_at=r.next_follow_up_at,
    )
