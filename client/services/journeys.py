"""Journeys for the office: a paged, filterable list and a read-only detail.

Like the quote list, a page's ids are chosen first off an index (date order
with the filters), then only those rows are joined to customer, crew lead
and truck, so deep pages never build the rows they skip.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, select, text

from client.replica.store import LocalStore
from client.services.crew import EventRow, journey_events
from client.services.dispatch_facts import location_zone
from client.services.lists import QuoteRow, customer_display_name, customer_name_sql, quote_row
from client.services.lists import quote_select as _quote_select
from client.services.queries import get_row
from client.sync.db import table_for

#: Partial indexes of the journeys list: date order, and status then date.
JOURNEY_INDEXES: tuple[tuple[str, str], ...] = (
    ("ix_ui_journey_date", "journey (scheduled_date, created_at)"),
    ("ix_ui_journey_status_date", "journey (status, scheduled_date, created_at)"),
)


def ensure_journey_indexes(store: LocalStore) -> None:
    """Create the list's indexes if missing (cheap when present)."""
    with store.engine.begin() as conn:
        for name, on in JOURNEY_INDEXES:
            conn.execute(
                text(f"CREATE INDEX IF NOT EXISTS {name} ON {on} WHERE deleted_at IS NULL")
            )


@dataclass(frozen=True)
class JourneyRow:
    id: uuid.UUID
    number: str
    scheduled_date: dt.date
    customer_name: str
    origin_city: str | None
    destination_city: str | None
    crew_lead: str
    truck: str
    status: str

    @property
    def route(self) -> str:
        if not (self.origin_city or self.destination_city):
            return ""
        return f"{self.origin_city or '?'} → {self.destination_city or '?'}"


@dataclass(frozen=True)
class JourneyQuery:
    """Optional inclusive date range and status; newest date first by default."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str | None = None
    descending: bool = True


def _filters(query: JourneyQuery) -> list[ColumnElement[bool]]:
    j = table_for("journey").c
    where: list[ColumnElement[bool]] = [j.deleted_at.is_(None)]
    if query.status:
        where.append(j.status == query.status)
    if query.date_from:
        where.append(j.scheduled_date >= query.date_from)
    if query.date_to:
        where.append(j.scheduled_date <= query.date_to)
    return where


def count_journeys(store: LocalStore, query: JourneyQuery = JourneyQuery()) -> int:
    j = table_for("journey")
    stmt = select(func.count()).select_from(j).where(and_(*_filters(query)))
    with store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def _select() -> Select[Any]:
    j, c = table_for("journey"), table_for("customer")
    u, e = table_for("user"), table_for("equipment")
    return select(
        j.c.id,
        func.coalesce(j.c.number, "").label("number"),
        j.c.scheduled_date,
        customer_name_sql(c.c).label("customer_name"),
        j.c.origin_city,
        j.c.destination_city,
        u.c.full_name.label("crew_lead"),
        e.c.unit_number.label("truck"),
        j.c.status,
    ).select_from(
        j.outerjoin(c, c.c.id == j.c.customer_id)
        .outerjoin(u, u.c.id == j.c.crew_lead_id)
        .outerjoin(e, e.c.id == j.c.truck_id)
    )


def _row(r: Any) -> JourneyRow:
    return JourneyRow(
        id=r.id,
        number=r.number or "Not numbered yet",
        scheduled_date=r.scheduled_date,
        customer_name=r.customer_name or "(unknown customer)",
        origin_city=r.origin_city,
        destination_city=r.destination_city,
        crew_lead=r.crew_lead or "",
        truck=r.truck or "",
        status=str(r.status),
    )


def journey_page(
    store: LocalStore, query: JourneyQuery = JourneyQuery(), *, offset: int, limit: int
) -> list[JourneyRow]:
    """One page in date order (then creation, then rowid: pages never overlap)."""
    j = table_for("journey")
    order = [j.c.scheduled_date, j.c.created_at, literal_column("journey.rowid")]
    ids_stmt = (
        select(j.c.id)
        .where(*_filters(query))
        .order_by(*[col.desc() if query.descending else col.asc() for col in order])
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as conn:
        ids = list(conn.execute(ids_stmt).scalars())
        if not ids:
            return []
        found = {r.id: _row(r) for r in conn.execute(_select().where(j.c.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


# -- detail -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CrewMember:
    name: str
    role: str


@dataclass(frozen=True)
class InvoiceLink:
    number: str
    status: str
    total: Decimal
    balance_due: Decimal
    currency: str


@dataclass(frozen=True)
class JourneyDetail:
    row: dict[str, Any]
    customer: dict[str, Any] | None
    crew_lead: str | None = None
    truck: dict[str, Any] | None = None
    crew: list[CrewMember] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    quote: QuoteRow | None = None
    invoices: list[InvoiceLink] = field(default_factory=list)
    #: The IANA zone of the journey's branch: its times are shown on that clock.
    zone: str = "UTC"

    @property
    def customer_name(self) -> str:
        return customer_display_name(self.customer or {}) or "(unknown customer)"


def journey_detail(store: LocalStore, journey_id: uuid.UUID) -> JourneyDetail | None:
    """The journey with its people, truck, field timeline and linked documents."""
    row = get_row(store, "journey", journey_id)
    if row is None:
        return None
    tenant = row["tenant_id"]
    jc, u = table_for("journey_crew"), table_for("user")
    inv, q = table_for("invoice"), table_for("quote")
    crew = (
        select(u.c.full_name, jc.c.crew_role)
        .select_from(jc.outerjoin(u, u.c.id == jc.c.user_id))
        .where(jc.c.tenant_id == tenant, jc.c.journey_id == journey_id, jc.c.deleted_at.is_(None))
        .order_by(jc.c.crew_role, u.c.full_name)
    )
    invoices = (
        select(
            func.coalesce(inv.c.number, inv.c.provisional_number, "").label("number"),
            inv.c.status,
            inv.c.total,
            inv.c.balance_due,
            inv.c.currency,
        )
        .where(inv.c.tenant_id == tenant, inv.c.journey_id == journey_id)
        .where(inv.c.deleted_at.is_(None))
        .order_by(inv.c.created_at)
    )
    with store.engine.connect() as conn:
        members = [
            CrewMember(r.full_name or "(someone)", str(r.crew_role)) for r in conn.execute(crew)
        ]
        timeline = journey_events(conn, journey_id)
        _, tz = location_zone(conn, row["location_id"])
        links = [
            InvoiceLink(r.number or "Draft", str(r.status), r.total, r.balance_due, str(r.currency))
            for r in conn.execute(invoices)
        ]
        quote = None
        if row.get("quote_id"):
            found = conn.execute(_quote_select().where(q.c.id == row["quote_id"])).first()
            quote = quote_row(found) if found is not None else None
    lead = get_row(store, "user", row["crew_lead_id"]) if row.get("crew_lead_id") else None
    return JourneyDetail(
        row=row,
        customer=get_row(store, "customer", row["customer_id"]),
        crew_lead=lead["full_name"] if lead else None,
        truck=get_row(store, "equipment", row["truck_id"]) if row.get("truck_id") else None,
        crew=members,
        events=timeline,
        quote=quote,
        invoices=links,
        zone=tz,
    )
