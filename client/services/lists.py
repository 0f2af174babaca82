"""Paged, index-backed list queries for the big screens (quotes, customers).

Every query here is bounded by its page size and served by an index, so a
screen can call it from Qt's synchronous ``fetchMore`` without freezing:
at 50,000 quotes a page costs a few milliseconds. The indexes the sort
orders need are not part of the replica schema (``client/replica/schema.py``
only creates what sync needs); ``ensure_list_indexes`` adds them, idempotently.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, literal_column, select, text

from client.replica.store import LocalStore
from client.services.search import search
from client.sync.db import table_for

#: Partial indexes over live rows, one per sort order the list screens offer: (name, on).
#: Each ends in ``created_at`` (and, implicitly, rowid): the tie-breakers of every
#: order, so SQLite reads pages straight off the index and never sorts.
LIST_INDEXES: tuple[tuple[str, str], ...] = (
    ("ix_ui_quote_created", "quote (created_at)"),
    ("ix_ui_quote_status", "quote (status, created_at)"),
    ("ix_ui_quote_move_date", "quote (move_date, created_at)"),
    ("ix_ui_quote_number", "quote (number, created_at)"),
    ("ix_ui_quote_total", "quote (total, created_at)"),
    ("ix_ui_quote_route", "quote (origin_city, destination_city, created_at)"),
    ("ix_ui_quote_customer", "quote (customer_id, created_at)"),
    (
        "ix_ui_customer_name",
        "customer (coalesce(last_name, company_name) COLLATE nocase, first_name COLLATE nocase)",
    ),
    ("ix_ui_lead_status", "lead (status, created_at)"),
)

QUOTE_SORTS = ("number", "customer", "status", "move_date", "route", "total", "created_at")


def ensure_list_indexes(store: LocalStore) -> None:
    """Create the list screens' indexes if missing (cheap when present)."""
    with store.engine.begin() as conn:
        for name, on in LIST_INDEXES:
            conn.execute(
                text(f"CREATE INDEX IF NOT EXISTS {name} ON {on} WHERE deleted_at IS NULL")
            )


# -- customers -----------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerRow:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    customer_type: str
    company_name: str | None
    email: str | None
    phone: str | None
    city: str | None
    province: str | None
    created_at: dt.datetime


def customer_name_sql(c: Any) -> ColumnElement[str]:
    """ "First Last", or the company when there is no person (SQL, for joins)."""
    person = func.trim(
        func.coalesce(c.first_name, "") + literal(" ") + func.coalesce(c.last_name, "")
    )
    return func.coalesce(func.nullif(person, ""), c.company_name, "")


def customer_display_name(row: Mapping[str, Any]) -> str:
    """The Python twin of ``customer_name_sql`` for a full customer row."""
    person = " ".join(str(row[k]) for k in ("first_name", "last_name") if row.get(k)).strip()
    return person or str(row.get("company_name") or "")


def _customer_select() -> Select[Any]:
    c = table_for("customer")
    return select(
        c.c.id,
        c.c.tenant_id,
        customer_name_sql(c.c).label("name"),
        c.c.customer_type,
        c.c.company_name,
        c.c.email,
        c.c.phone,
        c.c.city,
        c.c.province,
        c.c.created_at,
    ).where(c.c.deleted_at.is_(None))


def _customer(row: Any) -> CustomerRow:
    return CustomerRow(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name or "(no name)",
        customer_type=str(row.customer_type),
        company_name=row.company_name,
        email=row.email,
        phone=row.phone,
        city=row.city,
        province=None if row.province is None else str(row.province),
        created_at=row.created_at,
    )


def count_customers(store: LocalStore) -> int:
    c = table_for("customer")
    stmt = select(func.count()).select_from(c).where(c.c.deleted_at.is_(None))
    with store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def customer_page(store: LocalStore, *, offset: int, limit: int) -> list[CustomerRow]:
    """Customers A→Z by last name (or company), through ``ix_ui_customer_name``."""
    c = table_for("customer").c
    stmt = (
        _customer_select()
        .order_by(
            func.coalesce(c.last_name, c.company_name).collate("nocase"),
            c.first_name.collate("nocase"),
        )
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as conn:
        return [_customer(r) for r in conn.execute(stmt)]


def customers_by_ids(store: LocalStore, ids: Sequence[uuid.UUID]) -> list[CustomerRow]:
    """Rows for ``ids``, in the order given (search results keep their ranking)."""
    if not ids:
        return []
    c = table_for("customer")
    stmt = _customer_select().where(c.c.id.in_(list(ids)))
    with store.engine.connect() as conn:
        found = {r.id: _customer(r) for r in conn.execute(stmt)}
    return [found[i] for i in ids if i in found]


# -- quotes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteRow:
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    customer_name: str
    status: str
    move_date: dt.date | None
    origin_city: str | None
    destination_city: str | None
    total: Decimal
    currency: str
    created_at: dt.datetime

    @property
    def route(self) -> str:
        if not (self.origin_city or self.destination_city):
            return ""
        return f"{self.origin_city or '?'} → {self.destination_city or '?'}"


@dataclass(frozen=True)
class QuoteQuery:
    """What the quotes list shows: an optional status filter and one sort column."""

    status: str | None = None
    sort: str = "created_at"
    descending: bool = True


def quote_select() -> Select[Any]:
    """Quote list columns with the customer's name (one PK join per row)."""
    q, c = table_for("quote"), table_for("customer")
    return (
        select(
            q.c.id,
            func.coalesce(q.c.number, q.c.provisional_number, "").label("number"),
            q.c.customer_id,
            customer_name_sql(c.c).label("customer_name"),
            q.c.status,
            q.c.move_date,
            q.c.origin_city,
            q.c.destination_city,
            q.c.total,
            q.c.currency,
            q.c.created_at,
        )
        .select_from(q.outerjoin(c, c.c.id == q.c.customer_id))
        .where(q.c.deleted_at.is_(None))
    )


def quote_row(row: Any) -> QuoteRow:
    return QuoteRow(
        id=row.id,
        number=row.number or "—",
        customer_id=row.customer_id,
        customer_name=row.customer_name or "(unknown customer)",
        status=str(row.status),
        move_date=row.move_date,
        origin_city=row.origin_city,
        destination_city=row.destination_city,
        total=row.total if row.total is not None else Decimal(0),
        currency=str(row.currency),
        created_at=row.created_at,
    )


def _quote_filters(query: QuoteQuery) -> list[ColumnElement[bool]]:
    q = table_for("quote").c
    where: list[ColumnElement[bool]] = [q.deleted_at.is_(None)]
    if query.status:
        where.append(q.status == query.status)
    return where


def count_quotes(store: LocalStore, query: QuoteQuery = QuoteQuery()) -> int:
    q = table_for("quote")
    stmt = select(func.count()).select_from(q).where(and_(*_quote_filters(query)))
    with store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def status_counts(store: LocalStore, table_name: str) -> dict[str, int]:
    """Live rows per status of ``table_name`` (quotes: a scan of ``ix_ui_quote_status_created``)."""
    t = table_for(table_name)
    stmt = select(t.c.status, func.count()).where(t.c.deleted_at.is_(None)).group_by(t.c.status)
    with store.engine.connect() as conn:
        return {str(status): int(n) for status, n in conn.execute(stmt)}


def _quote_order(query: QuoteQuery) -> list[Any]:
    """ORDER BY of ``query``, ending in ``created_at, rowid``: pages never overlap."""
    q = table_for("quote").c
    if query.sort not in QUOTE_SORTS:
        raise KeyError(f"quotes cannot be sorted by {query.sort!r}")
    key: dict[str, list[Any]] = {
        "number": [q.number],
        "customer": [],  # _BY_CUSTOMER
        "status": [q.status],
        "move_date": [q.move_date],
        "route": [q.origin_city, q.destination_city],
        "total": [q.total],
        "created_at": [],
    }
    columns = [*key[query.sort], q.created_at, literal_column("quote.rowid")]
    return [col.desc() if query.descending else col.asc() for col in columns]


#: Sorting by customer walks ``ix_ui_customer_name`` then each customer's quotes
#: (``ix_ui_quote_customer``); CROSS JOIN pins that loop order in SQLite, which
#: otherwise sorts every quote. Quotes whose customer is not on this device are
#: left out of this order only.
_BY_CUSTOMER = """
SELECT quote.id FROM customer CROSS JOIN quote ON quote.customer_id = customer.id
WHERE quote.deleted_at IS NULL AND customer.deleted_at IS NULL {status}
ORDER BY coalesce(customer.last_name, customer.company_name) COLLATE nocase {d},
  customer.first_name COLLATE nocase {d}, customer.rowid {d}, quote.created_at {d},
  quote.rowid {d}
LIMIT :limit OFFSET :offset
"""


def _page_ids(query: QuoteQuery, offset: int, limit: int) -> Any:
    """The ids of one page, read off an index (never a sort of all quotes)."""
    q = table_for("quote")
    if query.sort == "customer":
        sql = _BY_CUSTOMER.format(
            status="AND quote.status = :status" if query.status else "",
            d="DESC" if query.descending else "ASC",
        )
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if query.status:
            params["status"] = query.status
        return text(sql).bindparams(**params).columns(q.c.id)
    stmt = select(q.c.id).where(*_quote_filters(query))
    return stmt.order_by(*_quote_order(query)).limit(limit).offset(offset)


def quote_page(
    store: LocalStore, query: QuoteQuery = QuoteQuery(), *, offset: int, limit: int
) -> list[QuoteRow]:
    """One page of the quotes list in ``query``'s order.

    The page's ids are chosen first from the indexes; only those rows are
    then joined and decoded, so a deep offset never builds rows it skips.
    """
    q = table_for("quote")
    with store.engine.connect() as conn:
        ids = list(conn.execute(_page_ids(query, offset, limit)).scalars())
        if not ids:
            return []
        found = {r.id: quote_row(r) for r in conn.execute(quote_select().where(q.c.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


#: A search shows the best matches; more than this means the user should type more.
SEARCH_LIMIT = 200


def search_customers(
    store: LocalStore, text: str, *, limit: int = SEARCH_LIMIT
) -> list[CustomerRow]:
    """Full-text search (FTS5 prefix match, best first) resolved to list rows."""
    return customers_by_ids(store, search(store, "customer", text, limit=limit))
