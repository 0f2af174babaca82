"""Quote -> journey -> invoice -> payments on real PostgreSQL, through the real push path.

Hand-checked journey invoice (Ontario, HST 13 %): on site 08:00-13:10 with a
30-minute break = 4 h 40 min, billed in 15-minute steps = 4.75 h x 189.00 =
897.75; 10 boxes sold (12 taken, 2 bought back) x 3.50 = 35.00; truck fee
120.00. Subtotal 1,052.75, HST 136.8575 -> 136.86, total 1,189.61.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shared_models.enums import InventoryTransactionType as T
from shared_models.enums import JourneyEventType as E
from shared_models.rules import invoicing
from tests.integration.billing.conftest import UTC, Books

TODAY = dt.date.today()


def _day(h: int, m: int = 0) -> dt.datetime:
    return dt.datetime(2026, 6, 2, h, m, tzinfo=UTC)


def _accepted_flat_quote(books: Books) -> tuple:
    w = books.world
    quote, r = books.insert(
        "quote",
        location_id=w.hq,
        customer_id=w.customer,
        created_by=w.users["sales"],
        estimate_type="FLAT",
        move_date=dt.date(2026, 6, 2),
        provisional_number="Q-LAPTOP-1",
    )
    assert r.results[0].status == "applied"
    items = []
    for n, (desc, qty, price) in enumerate((("Flat move", 1, "1500.00"), ("Boxes", 20, "3.50"))):
        item, r = books.insert(
            "quote_item",
            quote_id=quote,
            category="MOVING_SERVICES",
            description=desc,
            quantity=Decimal(qty),
            unit_price=Decimal(price),
            sort_order=n,
        )
        assert r.results[0].status == "applied", r.results[0]
        items.append(item)
    for status in ("SENT", "ACCEPTED"):
        r = books.update("quote", quote, status=status)
        assert r.results[0].status == "applied", r.results[0]
    return quote, items


def _completed_journey(books: Books, quote) -> tuple:
    w = books.world
    journey, r = books.insert(
        "journey",
        location_id=w.hq,
        customer_id=w.customer,
        quote_id=quote,
        scheduled_date=dt.date(2026, 6, 2),
        crew_size_required=3,
        origin_line1="2 Elm St",
        origin_city="Toronto",
    )
    assert r.results[0].status == "applied"
    timeline = [
        (E.ARRIVED_ORIGIN, _day(8)),
        (E.BREAK_START, _day(12)),
        (E.BREAK_END, _day(12, 30)),
        (E.UNLOADING_FINISHED, _day(13, 10)),
    ]
    for kind, at in timeline:
        _, r = books.insert(
            "journey_event",
            journey_id=journey,
            event_type=kind,
            occurred_at=at,
            recorded_by=w.users["crew"],
        )
        assert r.results[0].status == "applied"
    assert books.update("inventory", w.inventory, unit_price=Decimal("3.50")).results[0].status == (
        "applied"
    )
    for qty in (-12, 2):
        _, r = books.insert(
            "inventory_transaction",
            inventory_id=w.inventory,
            type="SALE",
            quantity=Decimal(qty),
            occurred_at=_day(9),
            journey_id=journey,
            performed_by=w.users["crew"],
        )
        assert r.results[0].status == "applied", r.results[0]
    assert books.update("journey", journey, status="COMPLETED").results[0].status == "applied"
    return journey, timeline


def _push_invoice(books: Books, lines, **fields) -> object:
    w = books.world
    invoice, r = books.insert(
        "invoice",
        location_id=w.hq,
        customer_id=w.customer,
        issue_date=TODAY,
        due_date=invoicing.due_date(TODAY, "NET_15"),
        status="SENT",
        # a client total that disagrees: the server corrects it
        total=Decimal("1.00"),
        balance_due=Decimal("1.00"),
        **fields,
    )
    assert (r.results[0].status, r.results[0].reason) == ("conflict_resolved", "server_owned")
    for n, line in enumerate(lines):
        _, r = books.insert(
            "invoice_item",
            invoice_id=invoice,
            category=line.category,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_pct=line.discount_pct,
            taxable=line.taxable,
            quote_item_id=line.quote_item_id,
            sort_order=n,
        )
        assert r.results[0].status == "applied", r.results[0]
    return invoice


def _balanced(books: Books, invoice) -> dict:
    inv = books.row("invoice", invoice)
    assert books.ledger_sum(invoice) == inv["balance_due"] - inv["credit_amount"]
    assert inv["balance_due"] - inv["credit_amount"] == inv["total"] - inv["amount_paid"]
    return inv


def test_journey_invoice_partial_overpaid_refunded(books: Books) -> None:
    quote, _ = _accepted_flat_quote(books)
    journey, timeline = _completed_journey(books, quote)
    stock = books.rows("inventory_transaction", journey_id=journey)
    inventory = books.row("inventory", books.world.inventory)
    lines = invoicing.journey_lines(
        status=books.row("journey", journey)["status"],
        crew_size=3,
        events=[invoicing.TimelineEvent(k, at) for k, at in timeline],
        rates=invoicing.LabourRates(
            hourly_rate=Decimal("189.00"), minimum_hours=Decimal(3), truck_fee=Decimal("120.00")
        ),
        movements=[
            invoicing.MaterialMovement(s["inventory_id"], T(s["type"]), s["quantity"])
            for s in stock
        ],
        prices={
            inventory["id"]: invoicing.MaterialPrice(
                inventory["name"], inventory["unit"], inventory["unit_price"]
            )
        },
    )
    invoice = _push_invoice(books, lines, journey_id=journey, provisional_number="P-ADMIN-0001")
    inv = _balanced(books, invoice)
    assert inv["number"] == "INV-000001" and inv["provisional_number"] == "P-ADMIN-0001"
    assert (inv["subtotal"], inv["tax_amount"], inv["total"]) == (
        Decimal("1052.75"),
        Decimal("136.86"),
        Decimal("1189.61"),
    )
    assert inv["status"] == "SENT" and inv["balance_due"] == Decimal("1189.61")

    cash, r = books.payment(invoice, "500.00", "CASH", reference="receipt 17")
    assert r.results[0].status == "applied", r.results[0]
    inv = _balanced(books, invoice)
    assert (inv["status"], inv["amount_paid"], inv["balance_due"]) == (
        "PARTIAL_PAID",
        Decimal("500.00"),
        Decimal("689.61"),
    )

    cheque, r = books.payment(invoice, "800.00", "CHECK", reference="Cheque 204")
    assert r.results[0].status == "applied"
    inv = _balanced(books, invoice)
    assert (inv["status"], inv["balance_due"], inv["credit_amount"]) == (
        "PAID",
        Decimal("0.00"),
        Decimal("110.39"),
    )
    assert inv["paid_at"] is not None

    # the credit goes back to the customer: a refund row pointing at the cheque
    refund, r = books.payment(invoice, "110.39", "CHECK", refund_of_id=cheque)
    assert r.results[0].status == "applied", r.results[0]
    inv = _balanced(books, invoice)
    assert (inv["status"], inv["amount_paid"], inv["credit_amount"]) == (
        "PAID",
        Decimal("1189.61"),
        Decimal("0.00"),
    )
    original = books.row("payment", cheque)
    assert (original["refunded_amount"], original["status"]) == (Decimal("110.39"), "COMPLETED")

    ledger = books.rows("financial_transaction", invoice_id=invoice)
    charges = [e for e in ledger if e["payment_id"] is None]
    assert {e["type"] for e in charges} == {"ADJUSTMENT"}  # one row per change of the total
    assert sum(e["amount"] for e in charges) == Decimal("1189.61")
    assert [(e["type"], e["amount"], e["payment_id"]) for e in ledger if e["payment_id"]] == [
        ("INCOME", Decimal("-500.00"), cash),
        ("INCOME", Decimal("-800.00"), cheque),
        ("EXPENSE", Decimal("110.39"), refund),
    ]
    assert all(e["recorded_by"] is None and e["location_id"] == books.world.hq for e in ledger)


def test_flat_quote_invoice_links_quote_items_and_full_refund(books: Books) -> None:
    quote, items = _accepted_flat_quote(books)
    q = books.row("quote", quote)
    quoted = [
        invoicing.QuotedLine(
            i["id"], i["category"], i["description"], i["quantity"], i["unit"], i["unit_price"]
        )
        for i in books.rows("quote_item", quote_id=quote)
    ]
    lines = invoicing.quote_lines(
        status=q["status"], estimate_type=q["estimate_type"], items=quoted
    )
    invoice = _push_invoice(books, lines, quote_id=quote)
    inv = _balanced(books, invoice)
    assert inv["total"] == q["total"] == Decimal("1774.10")  # (1500 + 70) x 1.13
    assert {i["quote_item_id"] for i in books.rows("invoice_item", invoice_id=invoice)} == set(
        items
    )

    paid, _ = books.payment(invoice, "1774.10", "BANK_TRANSFER", reference="e-Transfer 1")
    assert _balanced(books, invoice)["status"] == "PAID"
    _, r = books.payment(invoice, "1774.10", "BANK_TRANSFER", refund_of_id=paid)
    assert r.results[0].status == "applied", r.results[0]
    inv = _balanced(books, invoice)
    assert (inv["status"], inv["amount_paid"], inv["balance_due"]) == (
        "REFUNDED",
        Decimal("0.00"),
        Decimal("1774.10"),
    )
    assert books.row("payment", paid)["status"] == "REFUNDED"
