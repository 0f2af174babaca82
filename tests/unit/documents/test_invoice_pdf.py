"""Invoice PDFs from a real replica: BC taxes, payments, balance, bill-to snapshot, currencies."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from client.documents import render_invoice_pdf
from client.documents.text import money
from client.replica import LocalStore
from client.services import LocalWriteService
from client.services.documents import invoice_document
from shared_models.enums import Currency, QuoteItemCategory
from tests.unit.documents.conftest import USER, Seed, pdf_text, seed_tax_rates

ITEMS = [
    (
        QuoteItemCategory.MOVING_SERVICES,
        "Crew of 2 with truck (actual time)",
        "4.5",
        "hour",
        "140.00",
    ),
    (QuoteItemCategory.PACKING_SERVICES, "Mattress bags used", "2", "ea", "17.50"),
    (QuoteItemCategory.EQUIPMENT_RENTAL, "Piano dolly", "1", "day", "35.00"),
]
# subtotal 630 + 35 + 35 = 700.00; GST 5% 35.00; PST 7% 49.00; total 784.00.
# Cents stay binary-exact on purpose: the replica stores money as SQLite REAL, and
# its balance CHECK fails on e.g. 772.80 - 300.00 (a model gap, reported).
TAXES = [
    {"kind": "GST", "label": "GST 5%", "rate": "0.05", "base": "700.00", "amount": "35.00"},
    {"kind": "PST", "label": "PST 7%", "rate": "0.07", "base": "700.00", "amount": "49.00"},
]


def _place(seed: Seed) -> tuple[uuid.UUID, uuid.UUID]:
    tenant = seed(
        "tenant",
        id=uuid.UUID("0190b000-0000-7000-8000-000000000001"),
        name="Coastal Van Lines",
        slug="coastal",
        gst_hst_number="555444333 RT0001",
        pst_number="PST-1234-5678",
        email="billing@coastal.example",
    )
    location = seed(
        "location",
        tenant_id=tenant,
        name="Vancouver",
        code="YVR",
        address_line1="400 Industrial Ave",
        city="Vancouver",
        province="BC",
        postal_code="V6A 2P3",
        timezone="America/Vancouver",
    )
    customer = seed(
        "customer",
        location_id=location,
        company_name="Rivière Design Ltd.",
        first_name="Anaïs",
        last_name="Lefèvre",
        address_line1="old address, not printed",
        city="Burnaby",
        province="BC",
        postal_code="V5C 0A1",
    )
    return location, customer


def _invoice(seed: Seed, *, paid: str = "300.00", **extra: object) -> uuid.UUID:
    location, customer = _place(seed)
    journey = seed(
        "journey",
        location_id=location,
        customer_id=customer,
        number="J-0000077",
        scheduled_date=dt.date(2026, 4, 28),
        crew_size_required=2,
        billable_hours=Decimal("4.5"),
        origin_line1="1200 Pender St W",
        origin_city="Vancouver",
        origin_province="BC",
        destination_line1="55 Kingsway",
        destination_city="Burnaby",
        destination_province="BC",
    )
    total, amount_paid = Decimal("784.00"), Decimal(paid)
    invoice = seed(
        "invoice",
        number="INV-000123",
        status="PARTIAL_PAID",
        location_id=location,
        customer_id=customer,
        journey_id=journey,
        created_by=USER,
        issue_date=dt.date(2026, 4, 29),
        due_date=dt.date(2026, 5, 29),
        bill_to={
            "name": "Rivière Design Ltd.",
            "line1": "9 Rue Principale",
            "city": "Burnaby",
            "province": "BC",
            "postal_code": "V5C 0A1",
            "email": "ap@riviere.example",
        },
        subtotal=Decimal("700.00"),
        tax_amount=Decimal("84.00"),
        total=total,
        amount_paid=amount_paid,
        balance_due=max(total - amount_paid, Decimal(0)),
        credit_amount=max(amount_paid - total, Decimal(0)),
        tax_breakdown=TAXES,
        notes="Merci! Interac e-Transfer to billing@coastal.example, invoice number as message.",
        **extra,
    )
    for order, (category, text, qty, unit, price) in enumerate(ITEMS):
        seed(
            "invoice_item",
            invoice_id=invoice,
            category=category,
            description=text,
            quantity=Decimal(qty),
            unit=unit,
            unit_price=Decimal(price),
            line_total=Decimal(qty) * Decimal(price),
            sort_order=order,
        )
    payment = {"location_id": location, "customer_id": customer, "invoice_id": invoice}
    seed(
        "payment",
        **payment,
        method="BANK_TRANSFER",
        status="COMPLETED",
        amount=Decimal("300.00"),
        received_at=dt.datetime(2026, 4, 29, 18, 0, tzinfo=dt.UTC),
        reference="e-Transfer CA7Q2",
    )
    seed(
        "payment",
        **payment,
        method="CREDIT_CARD",
        status="FAILED",
        amount=Decimal("484.00"),
        received_at=dt.datetime(2026, 4, 30, 18, 0, tzinfo=dt.UTC),
        reference="declined-card",
    )
    return invoice


def test_invoice_prints_registrations_taxes_payments_and_balance(
    store: LocalStore, seed: Seed
) -> None:
    text = pdf_text(render_invoice_pdf(invoice_document(store, _invoice(seed))))
    for expected in (
        "Coastal Van Lines",
        "400 Industrial Ave",
        "Vancouver, BC V6A 2P3",
        "GST/HST No. 555444333 RT0001",
        "PST No. PST-1234-5678",
        "INVOICE",
        "INV-000123",
        "Issue date Apr 29, 2026",
        "Due date May 29, 2026",
        "Partially paid",
        "Rivière Design Ltd.",
        "9 Rue Principale",
        "Job J-0000077",
        "1200 Pender St W, Vancouver, BC",
        "Billable hours 4.5 h",
        "GST 5% $35.00",
        "PST 7% $49.00",
        "Total $784.00 CAD",
        "Amount paid $300.00",
        "Balance due $484.00 CAD",
        "Bank transfer e-Transfer CA7Q2 $300.00",
        "Merci! Interac e-Transfer to billing@coastal.example",
    ):
        assert expected in text, expected
    for _, description, *_ in ITEMS:
        assert description in text, description
    assert "QST No." not in text  # the tenant has none: no empty line
    assert "old address" not in text  # the invoice's snapshot is what was billed
    assert "declined-card" not in text  # only completed payments are listed


def test_overpaid_invoice_shows_credit_instead_of_balance(store: LocalStore, seed: Seed) -> None:
    text = pdf_text(render_invoice_pdf(invoice_document(store, _invoice(seed, paid="800.00"))))
    assert "Credit to customer $16.00 CAD" in text and "Balance due" not in text


def test_unsynced_invoice_is_priced_on_the_device(
    store: LocalStore, seed: Seed, service: LocalWriteService
) -> None:
    seed_tax_rates(seed)
    location, customer = _place(seed)
    invoice = service.insert(
        "invoice",
        {
            "location_id": location,
            "customer_id": customer,
            "created_by": USER,
            "issue_date": dt.date(2026, 4, 29),
        },
    )
    for order, (category, text, qty, unit, price) in enumerate(ITEMS):
        service.insert(
            "invoice_item",
            {
                "invoice_id": invoice,
                "category": category,
                "description": text,
                "quantity": Decimal(qty),
                "unit": unit,
                "unit_price": Decimal(price),
                "line_total": Decimal(0),
                "sort_order": order,
            },
        )
    document = invoice_document(store, invoice)
    assert document.heading.provisional and document.heading.number.startswith("Draft INV-")
    text = pdf_text(render_invoice_pdf(document))
    assert "(provisional)" in text and "Rivière Design Ltd. (attn. Anaïs Lefèvre)" in text
    assert "GST 5% $35.00" in text and "PST 7% $49.00" in text
    assert "Balance due $784.00 CAD" in text


def test_money_is_english_with_symbol_and_code() -> None:
    assert money(Decimal("1234.5"), Currency.CAD, code=True) == "$1,234.50 CAD"
    assert money(Decimal("1234.5"), Currency.USD, code=True) == "$1,234.50 USD"
    assert money(Decimal("1234567.005"), Currency.EUR) == "€1,234,567.01"
    assert money(Decimal("-99.49"), Currency.CAD) == "-$99.49"
