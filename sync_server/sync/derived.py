"""Values the server computes and never takes from a client (DESIGN 6.2, spec totals).

Quote and invoice totals are recomputed from their live items with
``shared_models.rules.totals.compute_totals`` whenever a document or one of its
items changes; a client total that disagrees is corrected. An invoice is also
recomputed when one of its payments is written: what was paid, the balance or
credit, the status and the ledger rows follow from its payments
(``sync_server.sync.ledger``). Document numbers
(quote, invoice, journey) are assigned here on first sync, under the tenant
write lock the writer already holds, so they are sequential without gaps
between concurrent pushes. A CONVERTED quote is also held here to its journey
(``rules.conversion.check_conversion``): the merge sees only the quote, this
sees the journey the same push may just have created.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text

from shared_models.enums import Currency, QuoteStatus
from shared_models.rules import LineInput, RuleViolation, TaxRateRow
from shared_models.rules.conversion import check_conversion
from shared_models.rules.document_totals import document_totals
from shared_models.rules.money import quantize_money
from shared_models.types import utcnow
from sync_server.billing.calendar import location_dates
from sync_server.sync import ledger

if TYPE_CHECKING:
    from sync_server.sync.writer import SyncWriter


def synced_table(name: str) -> Any:
    from sync_server.sync.writer import synced_table as cached

    return cached(name)


#: document table -> (item table, item FK column)
DOCUMENTS: Mapping[str, tuple[str, str]] = {
    "quote": ("quote_item", "quote_id"),
    "invoice": ("invoice_item", "invoice_id"),
}
ITEM_PARENT: Mapping[str, tuple[str, str]] = {
    item: (doc, fk) for doc, (item, fk) in DOCUMENTS.items()
}
#: prefix and digits, as the seed and the UI print them
NUMBERING: Mapping[str, tuple[str, int]] = {
    "quote": ("Q", 7),
    "invoice": ("INV", 6),
    "journey": ("J", 7),
}


#: tables whose new rows are checked (and may be refused) before they are written
CHECKED_INSERTS = ledger.CHECKED_INSERTS


def check_insert(writer: SyncWriter, table: str, values: dict[str, Any]) -> None:
    """Refuse a row a business rule forbids (``ledger.RuleRefused``), or normalise it."""
    ledger.check_insert(writer, table, values)


def document_of(table: str, row: Mapping[str, Any]) -> tuple[str, uuid.UUID] | None:
    """The quote/invoice whose derived values depend on this row, if any."""
    if table == "payment":
        return ("invoice", row["invoice_id"]) if row.get("invoice_id") is not None else None
    if table in DOCUMENTS:
        return table, row["id"]
    if table in ITEM_PARENT and row.get(ITEM_PARENT[table][1]) is not None:
        return ITEM_PARENT[table][0], row[ITEM_PARENT[table][1]]
    return None


def line_total(row: Mapping[str, Any], currency: Currency | str = Currency.CAD) -> Decimal:
    """One item's amount after its own discount, rounded as compute_totals rounds it."""
    line = LineInput(
        quantity=row.get("quantity") or Decimal(1),
        unit_price=row["unit_price"],
        discount_pct=row.get("discount_pct") or Decimal(0),
    )
    amount = line.quantity * line.unit_price * (100 - line.discount_pct) / 100
    return quantize_money(amount, Currency(currency))


def next_number(writer: SyncWriter, table: str) -> str:
    """The next document number of the tenant; the caller holds the tenant write lock."""
    prefix, width = NUMBERING[table]
    cache = writer.numbers
    if table not in cache:
        pattern = f"^{prefix}-(\\d+)$"
        cache[table] = writer.session.execute(
            text(
                f"SELECT coalesce(max(substring(number from :p)::bigint), 0) FROM {table} "
                "WHERE tenant_id = :t AND number ~ :p"
            ),
            {"p": pattern, "t": writer.actor.tenant_id},
        ).scalar_one()
    cache[table] += 1
    return f"{prefix}-{cache[table]:0{width}d}"


def recompute_documents(writer: SyncWriter, docs: Iterable[tuple[str, uuid.UUID]]) -> None:
    """Store server totals on every live document in ``docs`` whose totals changed."""
    by_table: dict[str, set[uuid.UUID]] = {}
    for table, doc_id in docs:
        by_table.setdefault(table, set()).add(doc_id)
    if not by_table:
        return
    session = writer.session
    tax_rows = _tax_rows(writer)
    for table, ids in by_table.items():
        doc_t = synced_table(table)
        item_table, fk = DOCUMENTS[table]
        item_t = synced_table(item_table)
        docs_rows = {
            r["id"]: dict(r)
            for r in session.execute(
                select(doc_t).where(doc_t.c.id.in_(ids), doc_t.c.deleted_at.is_(None))
            ).mappings()
        }
        if table == "quote":
            _check_conversions(writer, docs_rows.values())
        items: dict[uuid.UUID, list[Mapping[str, Any]]] = {i: [] for i in docs_rows}
        for item in session.execute(
            select(item_t)
            .where(item_t.c[fk].in_(list(docs_rows)), item_t.c.deleted_at.is_(None))
            .order_by(item_t.c.sort_order, item_t.c.id)
        ).mappings():
            items[item[fk]].append(item)
        places = _places(writer, docs_rows.values())
        payments = ledger.load_payments(writer, docs_rows) if table == "invoice" else {}
        for doc_id, doc in docs_rows.items():
            # The branch's own date: in a Canadian evening UTC is already tomorrow, which
            # would make an invoice due today OVERDUE hours early.
            today = places["today"].get(doc["location_id"]) or utcnow().date()
            wanted = _totals(table, doc, items[doc_id], places, tax_rows, today)
            if table == "invoice":
                wanted.update(
                    ledger.settlement_changes(doc, wanted["total"], payments[doc_id], today)
                )
            changes = {k: v for k, v in wanted.items() if doc.get(k) != v}
            if changes:
                doc = writer.update(table, doc_id, changes, before=doc)
            if table == "invoice":
                ledger.post_invoice(writer, doc, payments[doc_id])


def _check_conversions(writer: SyncWriter, quotes: Iterable[Mapping[str, Any]]) -> None:
    """Refuse (``RuleRefused``) a CONVERTED quote without a live journey of its customer."""
    converted = [q for q in quotes if q["status"] == QuoteStatus.CONVERTED]
    ids = {q["journey_id"] for q in converted if q["journey_id"] is not None}
    journeys: dict[Any, dict[str, Any]] = {}
    if ids:
        t = synced_table("journey")
        found = writer.session.execute(select(t).where(t.c.id.in_(ids))).mappings()
        journeys = {r["id"]: dict(r) for r in found}
    for quote in converted:
        try:
            check_conversion(quote, journeys.get(quote["journey_id"]))
        except RuleViolation as exc:
            raise ledger.RuleRefused(exc) from None


def _totals(
    table: str,
    doc: Mapping[str, Any],
    items: list[Mapping[str, Any]],
    places: Mapping[str, Any],
    tax_rows: tuple[TaxRateRow, ...],
    today: dt.date,
) -> dict[str, Any]:
    province, exempt = (
        places["province"].get(doc["location_id"]),
        places["exempt"].get(doc["customer_id"], False),
    )
    result = document_totals(
        table,
        doc,
        items,
        province=province,
        tax_exempt=bool(exempt),
        tax_rows=tax_rows,
        today=today,
    )
    wanted: dict[str, Any] = {
        "subtotal": result.subtotal,
        "discount_amount": result.discount,
        "tax_amount": result.tax_total,
        "total": result.total,
        "tax_breakdown": result.to_dict()["taxes"],
    }
    return wanted


def _places(writer: SyncWriter, docs: Iterable[Mapping[str, Any]]) -> dict[str, dict[Any, Any]]:
    docs = list(docs)
    loc_t, cust_t = synced_table("location"), synced_table("customer")
    locations = {d["location_id"] for d in docs}
    customers = {d["customer_id"] for d in docs}
    province = (
        dict(
            writer.session.execute(
                select(loc_t.c.id, loc_t.c.province).where(loc_t.c.id.in_(locations))
            ).all()
        )
        if locations
        else {}
    )
    exempt = (
        dict(
            writer.session.execute(
                select(cust_t.c.id, cust_t.c.tax_exempt).where(cust_t.c.id.in_(customers))
            ).all()
        )
        if customers
        else {}
    )
    return {
        "province": province,
        "exempt": exempt,
        "today": location_dates(writer.session, locations),
    }


def _tax_rows(writer: SyncWriter) -> tuple[TaxRateRow, ...]:
    if writer.tax_rows is None:
        t = synced_table("tax_rate")
        rows = writer.session.execute(
            select(t).where(t.c.tenant_id == writer.actor.tenant_id, t.c.deleted_at.is_(None))
        ).mappings()
        writer.tax_rows = tuple(
            TaxRateRow(
                province=r["province"],
                kind=r["kind"],
                rate=r["rate"],
                effective_from=r["effective_from"],
                effective_to=r["effective_to"],
                label=r["label"],
            )
            for r in rows
        )
    return writer.tax_rows
