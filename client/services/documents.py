"""Quote and invoice documents from the replica, and their PDFs (works offline).

Totals: a document the server has seen carries the server's own totals and
tax breakdown, printed as stored. A document with unsynced local edits (to
itself or any of its items) is priced here with ``compute_totals`` on the
same inputs the server uses (sync_server/sync/derived.py ``_totals_changes``):
the branch's province, the customer's exemption, the quote's discount, the
move or issue date, and the tenant's TaxRate rows in the replica.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
import zoneinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

from client.documents import (
    DocumentHeading,
    DocumentLine,
    DocumentTotals,
    InvoiceDocument,
    PaymentLine,
    QuoteDocument,
    TaxAmount,
    render_invoice_pdf,
    render_quote_pdf,
)
from client.documents.parts import (
    acceptance,
    heading_status,
    letterhead,
    move_details,
    party,
    valuation,
)
from client.documents.terms import quote_terms
from client.documents.text import PAYMENT_METHOD_TITLES
from client.replica.store import LocalStore
from client.services.errors import RowNotFound
from client.services.queries import get_row, list_rows
from client.sync import outbox
from client.sync.rows import as_uuid
from shared_models.enums import Currency, EstimateType, PaymentMethod, PaymentStatus, Province
from shared_models.rules import TaxRateRow
from shared_models.rules.document_totals import document_totals
from shared_models.rules.invoice_workflow import invoice_balance, zone_date
from shared_models.rules.totals import Totals

Row = dict[str, Any]

_PAGE = 500
_PREFIX = {"quote": "Q", "invoice": "INV"}


def quote_document(store: LocalStore, quote_id: uuid.UUID | str) -> QuoteDocument:
    """Everything a printed quote shows, read from the replica."""
    quote = _require(store, "quote", quote_id)
    location = _require(store, "location", quote["location_id"])
    customer = _require(store, "customer", quote["customer_id"])
    tenant = _require(store, "tenant", quote["tenant_id"])
    lines, totals = _lines_and_totals(store, "quote", quote, location, customer)
    price_list = (
        get_row(store, "price_list", quote["price_list_id"]) if quote["price_list_id"] else None
    )
    currency = Currency(quote["currency"])
    valid_until = quote["valid_until"]
    deposit = quote["deposit_amount"] or Decimal(0)
    return QuoteDocument(
        heading=_heading("quote", quote, location, quote["sent_at"] or quote["created_at"]),
        letterhead=letterhead(tenant, location),
        bill_to=party(customer),
        move=move_details(quote, hours=quote["estimated_hours"], crew=quote["crew_size"]),
        lines=lines,
        totals=totals,
        deposit=deposit,
        valid_until=valid_until,
        valuation=valuation(quote, price_list),
        acceptance=acceptance(quote),
        notes=quote["notes"],
        terms=quote_terms(
            estimate_type=EstimateType(quote["estimate_type"]),
            currency=currency,
            valid_until=valid_until,
            deposit=deposit,
            minimum_hours=price_list["minimum_hours"] if price_list else None,
        ),
        timezone=location["timezone"],
    )


def invoice_document(store: LocalStore, invoice_id: uuid.UUID | str) -> InvoiceDocument:
    """Everything a printed invoice shows, read from the replica."""
    invoice = _require(store, "invoice", invoice_id)
    location = _require(store, "location", invoice["location_id"])
    customer = _require(store, "customer", invoice["customer_id"])
    tenant = _require(store, "tenant", invoice["tenant_id"])
    lines, totals = _lines_and_totals(store, "invoice", invoice, location, customer)
    paid = invoice["amount_paid"] or Decimal(0)
    balance, credit = invoice_balance(totals.total, paid)
    journey = get_row(store, "journey", invoice["journey_id"]) if invoice["journey_id"] else None
    quote = get_row(store, "quote", invoice["quote_id"]) if invoice["quote_id"] else None
    if journey is not None:
        move = move_details(
            journey,
            hours=journey["billable_hours"],
            crew=journey["crew_size_required"],
            hours_label="Billable hours",
            move_date=journey["scheduled_date"],
            reference=f"Job {journey['number']}" if journey["number"] else None,
        )
    elif quote is not None:
        reference = f"Quote {quote['number']}" if quote["number"] else None
        move = move_details(quote, hours=None, crew=quote["crew_size"], reference=reference)
    else:
        move = move_details({}, hours=None, crew=None)
    return InvoiceDocument(
        heading=_heading("invoice", invoice, location, invoice["issue_date"]),
        letterhead=letterhead(tenant, location),
        bill_to=party(customer, snapshot=invoice["bill_to"]),
        move=move,
        lines=lines,
        totals=totals,
        amount_paid=paid,
        balance_due=balance,
        credit=credit,
        due_date=invoice["due_date"],
        payments=_payments(store, invoice["id"], location["timezone"]),
        notes=invoice["notes"],
    )


def export_quote_pdf(
    store: LocalStore, quote_id: uuid.UUID | str, path: str | os.PathLike[str]
) -> Path:
    """Write the quote's PDF to ``path`` atomically; returns the path."""
    return _write_atomically(Path(path), render_quote_pdf(quote_document(store, quote_id)))


def export_invoice_pdf(
    store: LocalStore, invoice_id: uuid.UUID | str, path: str | os.PathLike[str]
) -> Path:
    """Write the invoice's PDF to ``path`` atomically; returns the path."""
    return _write_atomically(Path(path), render_invoice_pdf(invoice_document(store, invoice_id)))


# -- reading -----------------------------------------------------------------------


def _require(store: LocalStore, table: str, row_id: uuid.UUID | str) -> Row:
    row = get_row(store, table, row_id)
    if row is None:
        raise RowNotFound(f"no {table} {row_id} in this replica")
    return row


def _all_rows(store: LocalStore, table: str, **filters: Any) -> list[Row]:
    """Every row matching ``filters``, tombstones included, in print order."""
    rows: list[Row] = []
    while True:
        page = list_rows(
            store,
            table,
            filters=filters,
            order_by="sort_order" if table.endswith("_item") else "id",
            limit=_PAGE,
            offset=len(rows),
            include_deleted=True,
        )
        rows += page
        if len(page) < _PAGE:
            return rows


def _has_local_edits(store: LocalStore, table: str, doc: Row, items: list[Row]) -> bool:
    """True when the stored totals may not be the server's (unsynced edits, or never synced)."""
    if not doc["version"]:
        return True
    keys = {(table, str(doc["id"]))} | {(f"{table}_item", str(i["id"])) for i in items}
    with store.engine.connect() as conn:
        return bool(outbox.pending_for_rows(conn, keys))


def _heading(
    table: str, doc: Row, location: Row, issued: dt.date | dt.datetime | None
) -> DocumentHeading:
    if doc["number"]:
        number, provisional = doc["number"], False
    else:
        draft = (
            doc["provisional_number"] or f"{_PREFIX[table]}-{as_uuid(doc['id']).hex[-8:].upper()}"
        )
        number, provisional = f"Draft {draft} (provisional)", True
    if isinstance(issued, dt.datetime):
        issued = _local_date(issued, location["timezone"])
    return DocumentHeading(
        number=number,
        provisional=provisional,
        issued_on=issued or _local_date(doc["created_at"], location["timezone"]),
        status=heading_status(doc["status"]),
    )


def _local_date(value: dt.datetime, timezone: str) -> dt.date:
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    try:
        return aware.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return aware.date()


def _payments(store: LocalStore, invoice_id: uuid.UUID, timezone: str) -> tuple[PaymentLine, ...]:
    """Completed payments in date order; a refund row prints as a negative amount."""
    out: list[PaymentLine] = []
    rows = _all_rows(store, "payment", invoice_id=invoice_id)
    for row in sorted(rows, key=lambda r: r["received_at"]):
        if row["deleted_at"] is not None or row["status"] != PaymentStatus.COMPLETED:
            continue
        sign = -1 if row["refund_of_id"] else 1
        method = PAYMENT_METHOD_TITLES[PaymentMethod(row["method"])]
        out.append(
            PaymentLine(
                received_on=_local_date(row["received_at"], timezone),
                method=f"Refund, {method.lower()}" if sign < 0 else method,
                reference=row["reference"],
                amount=sign * row["amount"],
            )
        )
    return tuple(out)


# -- totals ------------------------------------------------------------------------


def _lines_and_totals(
    store: LocalStore, table: str, doc: Row, location: Row, customer: Row
) -> tuple[tuple[DocumentLine, ...], DocumentTotals]:
    fk = f"{table}_id"
    all_items = _all_rows(store, f"{table}_item", **{fk: doc["id"]})
    items = [i for i in all_items if i["deleted_at"] is None]
    currency = Currency(doc["currency"])
    if _has_local_edits(store, table, doc, all_items):
        tax_rows = tuple(
            TaxRateRow.from_record(r)
            for r in _all_rows(store, "tax_rate", tenant_id=doc["tenant_id"])
            if r["deleted_at"] is None
        )
        result = local_totals(
            table,
            doc,
            items,
            location["province"],
            customer["tax_exempt"],
            tax_rows,
            today=zone_date(location.get("timezone"), dt.datetime.now(dt.UTC)),
        )
        amounts = [line.amount for line in result.lines]
        totals = DocumentTotals(
            currency=currency,
            subtotal=result.subtotal,
            discount=result.discount,
            taxes=tuple(TaxAmount(t.label, t.amount) for t in result.taxes),
            total=result.total,
        )
    else:
        amounts = [i["line_total"] for i in items]
        totals = DocumentTotals(
            currency=currency,
            subtotal=doc["subtotal"],
            discount=doc["discount_amount"],
            taxes=tuple(_stored_tax(t) for t in doc["tax_breakdown"] or ()),
            total=doc["total"],
        )
    lines = tuple(
        DocumentLine(
            category=i["category"],
            description=i["description"],
            quantity=i["quantity"],
            unit=i["unit"],
            unit_price=i["unit_price"],
            discount_pct=i["discount_pct"] or Decimal(0),
            amount=amount,
            taxable=bool(i["taxable"]),
        )
        for i, amount in zip(items, amounts, strict=True)
    )
    return lines, totals


def _stored_tax(entry: dict[str, Any]) -> TaxAmount:
    label = entry.get("label") or f"{entry['kind']} {(Decimal(entry['rate']) * 100).normalize():f}%"
    return TaxAmount(label, Decimal(str(entry["amount"])))


def local_totals(
    table: str,
    doc: Row,
    items: list[Row],
    province: Province | None,
    exempt: bool,
    tax_rows: tuple[TaxRateRow, ...],
    *,
    today: dt.date,
) -> Totals:
    """The server's totals of a document, computed here (``rules.document_totals``).

    ``today`` is the date at the document's branch: the server taxes an undated
    document by that date too (``sync_server.sync.derived``).
    """
    return document_totals(
        table,
        doc,
        items,
        province=province,
        tax_exempt=exempt,
        tax_rows=tax_rows,
        today=today,
    )


def _write_atomically(path: Path, data: bytes) -> Path:
    """Temp file in the same folder, fsync, rename: a crash never leaves half a PDF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
