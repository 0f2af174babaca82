"""Quote PDFs from a real replica: letterhead, QC taxes, totals, provisional numbers, paging."""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from client.documents import (
    DocumentHeading,
    DocumentLine,
    DocumentTotals,
    Letterhead,
    MoveDetails,
    Party,
    QuoteDocument,
    Registration,
    TaxAmount,
    render_quote_pdf,
)
from client.replica import LocalStore
from client.services import LocalWriteService, RowNotFound, list_rows
from client.services.documents import export_quote_pdf, quote_document
from shared_models.enums import Currency, QuoteItemCategory, ValuationOption
from tests.unit.documents.conftest import USER, Seed, page_texts, pdf_text, seed_tax_rates

MOVE_DATE = dt.date(2026, 6, 1)
#: (category, description, qty, unit, unit price, taxable); hand-checked totals below.
ITEMS = [
    (
        QuoteItemCategory.MOVING_SERVICES,
        "3 déménageurs et camion de 26 pi",
        "5",
        "hour",
        "165.00",
        True,
    ),
    (
        QuoteItemCategory.PACKING_SERVICES,
        "Boîtes moyennes (façade, à l'étage)",
        "20",
        "box",
        "3.75",
        True,
    ),
    (
        QuoteItemCategory.SPECIALTY_SERVICES,
        "Piano droit — escalier, 2 étages",
        "1",
        "ea",
        "250.00",
        True,
    ),
    (
        QuoteItemCategory.INSURANCE,
        "Full-value protection, $250 deductible",
        "1",
        "ea",
        "150.00",
        False,
    ),
]
# subtotal 1300.00; taxable base 1150.00; GST 5% 57.50; QST 9.975% 114.7125 -> 114.71
TAXES = [
    {"kind": "GST", "label": "GST 5%", "rate": "0.05", "base": "1150.00", "amount": "57.50"},
    {
        "kind": "QST",
        "label": "QST 9.975%",
        "rate": "0.09975",
        "base": "1150.00",
        "amount": "114.71",
    },
]


def _place(seed: Seed, *, qst: str | None = "1234567890 TQ0001") -> tuple[uuid.UUID, uuid.UUID]:
    tenant = seed(
        "tenant",
        id=uuid.UUID("0190b000-0000-7000-8000-000000000001"),
        name="Déménagements Côté & Fils",
        slug="cote",
        legal_name="9123-4567 Québec inc.",
        gst_hst_number="123456789 RT0001",
        qst_number=qst,
        phone="514-555-0142",
    )
    location = seed(
        "location",
        tenant_id=tenant,
        name="Montréal",
        code="MTL",
        address_line1="1234, rue Saint-Denis",
        address_line2="Bureau 200",
        city="Montréal",
        province="QC",
        postal_code="H2X 3K2",
        timezone="America/Toronto",
        email="mtl@cote.example",
    )
    customer = seed(
        "customer",
        location_id=location,
        first_name="Hélène",
        last_name="Bélanger",
        address_line1="88, avenue des Érables",
        city="Québec",
        province="QC",
        postal_code="G1R 2B5",
        email="helene@example.ca",
    )
    return location, customer


def _quote_values(location: uuid.UUID, customer: uuid.UUID) -> dict[str, object]:
    return {
        "location_id": location,
        "customer_id": customer,
        "created_by": USER,
        "move_date": MOVE_DATE,
        "sent_at": dt.datetime(2026, 5, 5, 1, 30, tzinfo=dt.UTC),  # May 4 in Montréal
        "valid_until": dt.date(2026, 5, 20),
        "origin_line1": "88, avenue des Érables",
        "origin_city": "Québec",
        "origin_province": "QC",
        "destination_line1": "12 Elm Street",
        "destination_city": "Ottawa",
        "destination_province": "ON",
        "crew_size": 3,
        "estimated_hours": Decimal(5),
        "deposit_amount": Decimal("200.00"),
        "valuation_option": ValuationOption.FULL_VALUE,
        "declared_value": Decimal(60000),
        "valuation_deductible": Decimal(250),
        "valuation_charge": Decimal("150.00"),
    }


def _seed_items(seed: Seed, quote: uuid.UUID) -> None:
    for order, (category, text, qty, unit, price, taxable) in enumerate(ITEMS):
        seed(
            "quote_item",
            quote_id=quote,
            category=category,
            description=text,
            quantity=Decimal(str(qty)),
            unit=unit,
            unit_price=Decimal(str(price)),
            line_total=Decimal(str(qty)) * Decimal(str(price)),
            taxable=taxable,
            sort_order=order,
        )


def _synced_quote(seed: Seed, **overrides: object) -> uuid.UUID:
    location, customer = _place(seed, **overrides)  # type: ignore[arg-type]
    quote = seed(
        "quote",
        number="Q-0000042",
        status="SENT",
        subtotal=Decimal("1300.00"),
        tax_amount=Decimal("172.21"),
        total=Decimal("1472.21"),
        tax_breakdown=TAXES,
        **_quote_values(location, customer),
    )
    _seed_items(seed, quote)
    return quote


def test_synced_quote_prints_letterhead_items_taxes_and_total(
    store: LocalStore, seed: Seed
) -> None:
    text = pdf_text(render_quote_pdf(quote_document(store, _synced_quote(seed))))
    for expected in (
        "Déménagements Côté & Fils",
        "9123-4567 Québec inc.",
        "1234, rue Saint-Denis",
        "Montréal, QC H2X 3K2",
        "GST/HST No. 123456789 RT0001",
        "QST No. 1234567890 TQ0001",
        "Q-0000042",
        "Hélène Bélanger",
        "88, avenue des Érables",
        "Date May 4, 2026",
        "Valid until May 20, 2026",
        "GST 5% $57.50",
        "QST 9.975% $114.71",
        "Subtotal $1,300.00",
        "Total $1,472.21 CAD",
        "Deposit to book $200.00",
        "declared value $60,000.00, deductible $250.00",
    ):
        assert expected in text, expected
    for _, description, *_ in ITEMS:
        assert description in text, description
    assert "PST No." not in text and "provisional" not in text


def test_stored_server_totals_are_printed_without_recomputing(
    store: LocalStore, seed: Seed
) -> None:
    # No TaxRate rows in this replica: a recomputation would refuse (no_tax_rate).
    document = quote_document(store, _synced_quote(seed))
    assert document.totals.total == Decimal("1472.21")
    assert [t.label for t in document.totals.taxes] == ["GST 5%", "QST 9.975%"]


def test_missing_registration_number_omits_its_line(store: LocalStore, seed: Seed) -> None:
    text = pdf_text(render_quote_pdf(quote_document(store, _synced_quote(seed, qst=None))))
    assert "GST/HST No. 123456789 RT0001" in text
    assert "QST No." not in text


def test_unsynced_quote_shows_provisional_number_and_local_totals(
    store: LocalStore, seed: Seed, service: LocalWriteService
) -> None:
    seed_tax_rates(seed)
    location, customer = _place(seed)
    quote = service.insert(
        "quote",
        {
            **_quote_values(location, customer),
            "provisional_number": "OFF-0007",
            "deposit_amount": Decimal(0),  # a deposit needs a stored total to stay under
        },
    )
    for order, (category, text, qty, unit, price, taxable) in enumerate(ITEMS):
        service.insert(
            "quote_item",
            {
                "quote_id": quote,
                "category": category,
                "description": text,
                "quantity": Decimal(qty),
                "unit": unit,
                "unit_price": Decimal(price),
                "line_total": Decimal(0),  # the client's claim is never printed
                "taxable": taxable,
                "sort_order": order,
            },
        )
    text = pdf_text(render_quote_pdf(quote_document(store, quote)))
    assert "Draft OFF-0007 (provisional)" in text
    assert "$825.00" in text and "GST 5% $57.50" in text and "QST 9.975% $114.71" in text
    assert "Total $1,472.21 CAD" in text


def test_pending_item_edit_on_a_synced_quote_is_priced_locally(
    store: LocalStore, seed: Seed, service: LocalWriteService
) -> None:
    seed_tax_rates(seed)
    quote = _synced_quote(seed)
    [piano] = list_rows(store, "quote_item", filters={"quote_id": quote, "unit_price": 250})
    service.update("quote_item", piano["id"], {"quantity": Decimal(2)})
    document = quote_document(store, quote)
    # base 1400.00: GST 70.00, QST 139.65; total 1550 + 209.65
    assert [t.amount for t in document.totals.taxes] == [Decimal("70.00"), Decimal("139.65")]
    assert document.totals.total == Decimal("1759.65")


def test_local_discount_is_allocated_before_tax_as_on_the_server(
    store: LocalStore, seed: Seed, service: LocalWriteService
) -> None:
    seed_tax_rates(seed)
    quote = _synced_quote(seed)
    service.update("quote", quote, {"discount_pct": Decimal(10)})
    text = pdf_text(render_quote_pdf(quote_document(store, quote)))
    # 130.00 off, 115.00 of it on taxable lines: base 1035.00, GST 51.75, QST 103.24
    assert "Discount -$130.00" in text
    assert "GST 5% $51.75" in text and "QST 9.975% $103.24" in text
    assert "Total $1,324.99 CAD" in text


def test_signed_quote_shows_signer_local_time_and_signature_image(
    store: LocalStore, seed: Seed, service: LocalWriteService
) -> None:
    seed_tax_rates(seed)  # the signature is a local edit: totals are priced on the device
    quote = _synced_quote(seed)
    png = io.BytesIO()
    Image.new("RGB", (120, 40), "white").save(png, format="PNG")
    service.update(
        "quote",
        quote,
        {
            "signer_name": "Hélène Bélanger",
            "signed_at": dt.datetime(2026, 5, 12, 14, 30, tzinfo=dt.UTC),
            "signature": {"png_base64": base64.b64encode(png.getvalue()).decode()},
        },
    )
    data = render_quote_pdf(quote_document(store, quote))
    assert "Accepted by Hélène Bélanger on May 12, 2026 10:30 EDT." in pdf_text(data)
    last = PdfReader(io.BytesIO(data)).pages[-1]
    assert len(last.images) == 1


def test_export_writes_the_file_atomically(tmp_path: Path, store: LocalStore, seed: Seed) -> None:
    target = tmp_path / "out" / "Q-0000042.pdf"
    assert export_quote_pdf(store, _synced_quote(seed), target) == target
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in target.parent.iterdir()] == ["Q-0000042.pdf"]


def test_unknown_quote_is_refused(store: LocalStore) -> None:
    with pytest.raises(RowNotFound):
        quote_document(store, uuid.uuid4())


def _layout_quote(lines: tuple[DocumentLine, ...]) -> QuoteDocument:
    total = sum((line.amount for line in lines), Decimal(0))
    return QuoteDocument(
        heading=DocumentHeading("Q-0000120", False, dt.date(2026, 3, 4), "Draft"),
        letterhead=Letterhead(
            "Łódź Movers",
            ("1 Main St", "Toronto, ON  M5V 1A1"),
            registrations=(Registration("GST/HST No.", "987654321 RT0001"),),
        ),
        bill_to=Party("Zoë Œuvre-Françoise"),
        move=MoveDetails(origin="Toronto", destination="Montréal"),
        lines=lines,
        totals=DocumentTotals(
            Currency.CAD, total, Decimal(0), (TaxAmount("HST 13%", Decimal("1.00")),), total
        ),
        deposit=Decimal(0),
    )


def test_long_quote_paginates_with_header_and_page_numbers() -> None:
    categories = list(QuoteItemCategory)
    lines = tuple(
        DocumentLine(
            category=categories[n % 3],
            description=f"Item {n:03d} — carton étiqueté",
            quantity=Decimal(1),
            unit="ea",
            unit_price=Decimal("10.00"),
            discount_pct=Decimal(0),
            amount=Decimal("10.00"),
        )
        for n in range(120)
    )
    pages = page_texts(render_quote_pdf(_layout_quote(lines)))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    table_pages = [p for p in pages if "Item " in p]
    assert len(table_pages) >= 3
    assert all("Description Qty Unit Unit price Disc. Amount" in p for p in table_pages)
    text = " ".join(pages)
    assert all(f"Item {n:03d} — carton étiqueté" in text for n in range(120))
    assert "(continued)" in text


def test_characters_outside_the_font_are_folded_not_fatal() -> None:
    line = DocumentLine(
        QuoteItemCategory.OTHER,
        "Crème brûlée, œuvre, ½ → box",
        Decimal(1),
        "ea",
        Decimal(1),
        Decimal(0),
        Decimal(1),
    )
    text = pdf_text(render_quote_pdf(_layout_quote((line,))))
    assert "Lódz Movers" in text  # Ł has no cp1252 glyph: folded to L; ó has one
    assert "Zoë Œuvre-Françoise" in text and "Crème brûlée, œuvre, ½ -> box" in text
