"""The quote editor's data: load a quote with what prices it, price a draft, save it in one batch.

Live totals are ``documents.local_totals`` (the one place that builds the
``DocumentInput`` the server builds); the editor calls ``price`` on every
keystroke with the pricing context loaded once. ``save_quote`` writes the
header, every line and the totals through ``LocalWriteService.batch()``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from client.services.documents import local_totals
from client.services.errors import RowNotFound
from client.services.queries import get_row, list_rows
from client.services.writes import LocalWriteService
from client.sync.db import table_for
from shared_models.enums import Province
from shared_models.rules import TaxRateRow
from shared_models.rules.invoice_workflow import FALLBACK_ZONE, zone_date
from shared_models.rules.quote_workflow import is_locked, status_after_price_change
from shared_models.rules.totals import Totals

_ALL = 100_000
#: Header fields the editor owns (the rest of the quote row is left as it is).
HEADER_FIELDS = (
    "move_date",
    "arrival_window",
    "estimate_type",
    "discount_pct",
    "origin_line1",
    "origin_city",
    "origin_province",
    "origin_postal_code",
    "destination_line1",
    "destination_city",
    "destination_province",
    "destination_postal_code",
    "notes",
)
LINE_FIELDS = ("category", "description", "quantity", "unit", "unit_price", "discount_pct")


@dataclass
class LineDraft:
    """One line as edited; ``id`` None until saved."""

    category: str = "MOVING_SERVICES"
    description: str = ""
    quantity: Decimal = Decimal(1)
    unit: str = "ea"
    unit_price: Decimal = Decimal(0)
    discount_pct: Decimal = Decimal(0)
    taxable: bool = True
    id: uuid.UUID | None = None
    #: Text typed into a field that does not pass its check yet (the editor's state).
    raw: dict[str, str] = field(default_factory=dict)

    def as_item(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (*LINE_FIELDS, "taxable")}


@dataclass(frozen=True)
class PricingContext:
    """What the totals depend on besides the quote: the branch's province, exemption, tax rows."""

    province: Province | None
    tax_exempt: bool
    tax_rows: tuple[TaxRateRow, ...]
    #: IANA zone of the branch: an undated quote is taxed, and a new one dated, by its day there.
    zone: str = FALLBACK_ZONE

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """Today at the quote's branch, whatever the laptop's zone."""
        return zone_date(self.zone, now or dt.datetime.now(dt.UTC))


@dataclass
class QuoteDraft:
    """A quote as the editor holds it; ``id`` None for a new quote."""

    header: dict[str, Any]
    lines: list[LineDraft] = field(default_factory=list)
    customer: dict[str, Any] = field(default_factory=dict)
    context: PricingContext = PricingContext(None, False, ())
    id: uuid.UUID | None = None

    @property
    def locked(self) -> bool:
        return is_locked(self.header.get("status") or "DRAFT")


def price(draft: QuoteDraft) -> Totals:
    """Subtotal, discount, one line per tax and total, exactly as the server will compute them."""
    ctx = draft.context
    return local_totals(
        "quote",
        draft.header,
        [line.as_item() for line in draft.lines],
        ctx.province,
        ctx.tax_exempt,
        ctx.tax_rows,
        today=ctx.today(),
    )


def _context(store: Any, location_id: uuid.UUID, customer: dict[str, Any]) -> PricingContext:
    location = get_row(store, "location", location_id)
    if location is None:
        raise RowNotFound(f"branch {location_id} is not in this replica")
    rows = tuple(TaxRateRow.from_record(r) for r in list_rows(store, "tax_rate", limit=_ALL))
    return PricingContext(
        location["province"],
        bool(customer.get("tax_exempt")),
        rows,
        location.get("timezone") or FALLBACK_ZONE,
    )


def load_quote(store: Any, quote_id: uuid.UUID | str) -> QuoteDraft:
    quote = get_row(store, "quote", quote_id)
    if quote is None:
        raise RowNotFound(f"no quote {quote_id} in this replica")
    customer = get_row(store, "customer", quote["customer_id"]) or {}
    items = list_rows(
        store, "quote_item", filters={"quote_id": quote["id"]}, order_by="sort_order", limit=_ALL
    )
    lines = [
        LineDraft(
            category=str(i["category"]),
            description=i["description"],
            quantity=i["quantity"],
            unit=i["unit"],
            unit_price=i["unit_price"],
            discount_pct=i["discount_pct"] or Decimal(0),
            taxable=bool(i["taxable"]),
            id=i["id"],
        )
        for i in items
    ]
    return QuoteDraft(
        header=quote,
        lines=lines,
        customer=customer,
        context=_context(store, quote["location_id"], customer),
        id=quote["id"],
    )


def new_quote(store: Any, customer_id: uuid.UUID, user: dict[str, Any]) -> QuoteDraft:
    """An unsaved draft for ``customer_id`` at the user's branch (else the customer's)."""
    customer = get_row(store, "customer", customer_id)
    if customer is None:
        raise RowNotFound(f"no customer {customer_id} in this replica")
    location_id = user.get("location_id") or customer["location_id"]
    tenant = get_row(store, "tenant", customer["tenant_id"])
    context = _context(store, uuid.UUID(str(location_id)), customer)
    header: dict[str, Any] = {
        "status": "DRAFT",
        "currency": (tenant or {}).get("default_currency") or "CAD",
        "estimate_type": "HOURLY",
        "discount_pct": Decimal(0),
        "discount_amount": Decimal(0),
        "location_id": uuid.UUID(str(location_id)),
        "customer_id": customer["id"],
        "move_date": context.today() + dt.timedelta(days=14),
        "origin_city": customer.get("city"),
        "origin_province": customer.get("province"),
    }
    return QuoteDraft(header=header, customer=customer, context=context)


def save_quote(writes: LocalWriteService, draft: QuoteDraft, *, user_id: uuid.UUID) -> uuid.UUID:
    """Header, lines (inserted, updated, removed) and totals in ONE batch; the quote's id."""
    totals = price(draft)
    figures = {
        "subtotal": totals.subtotal,
        "discount_amount": totals.discount,
        "tax_amount": totals.tax_total,
        "total": totals.total,
        "tax_breakdown": totals.to_dict()["taxes"],
    }
    header = {k: draft.header.get(k) for k in HEADER_FIELDS}
    with writes.batch() as batch:
        if draft.id is None:
            quote_id = batch.insert(
                "quote",
                {
                    **header,
                    **figures,
                    "currency": draft.header["currency"],
                    "location_id": draft.header["location_id"],
                    "customer_id": draft.header["customer_id"],
                    "created_by": user_id,
                },
            )
            current = batch.read("quote", quote_id)
        else:
            current = batch.read("quote", draft.id)
            if current is None or current["deleted_at"] is not None:
                raise RowNotFound(f"no quote {draft.id} in this replica")
            quote_id = current["id"]
        assert current is not None
        kept = {line.id for line in draft.lines if line.id is not None}
        for item_id in _live_item_ids(batch.conn, quote_id):
            if item_id not in kept:
                batch.delete("quote_item", item_id)
        for order, (line, amount) in enumerate(zip(draft.lines, totals.lines, strict=True)):
            values = {**line.as_item(), "sort_order": order, "line_total": amount.amount}
            if line.id is None:
                line.id = batch.insert(
                    "quote_item",
                    {**values, "quote_id": quote_id, "tenant_id": current["tenant_id"]},
                )
            else:
                batch.update("quote_item", line.id, values)
        changes = {**header, **figures}
        if draft.id is not None and _repriced(current, figures):
            # A new price on a SENT/VIEWED quote goes back to DRAFT (DESIGN 6.8).
            changes["status"] = status_after_price_change(current["status"])
            if current["approved_by"] is not None:
                changes.update(approved_by=None, approved_at=None)
        batch.update("quote", quote_id, changes)
    draft.id = quote_id
    return quote_id


def _repriced(current: dict[str, Any], figures: dict[str, Any]) -> bool:
    return (
        figures["total"] != current["total"]
        or figures["discount_amount"] != current["discount_amount"]
    )


def _live_item_ids(conn: Any, quote_id: uuid.UUID) -> Sequence[uuid.UUID]:
    items = table_for("quote_item")
    found = conn.execute(
        select(items.c.id).where(items.c.quote_id == quote_id, items.c.deleted_at.is_(None))
    )
    return [uuid.UUID(str(r)) for r in found.scalars()]
