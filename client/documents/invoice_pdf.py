"""An invoice as a PDF: letterhead, job, billed lines, totals, payments and balance."""

from __future__ import annotations

from client.documents.blocks import move_rows, party_rows
from client.documents.layout import DocumentPDF
from client.documents.model import InvoiceDocument
from client.documents.table import PAYMENT_COLUMNS, BoxRow, items_table, simple_table, totals_box
from client.documents.text import date, money


def render_invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice's PDF bytes; pure layout, so it works offline and in tests alike."""
    pdf = DocumentPDF(title="Invoice", heading=doc.heading, letterhead=doc.letterhead)
    ccy = doc.totals.currency
    facts = [("Invoice no.", doc.heading.number), ("Issue date", date(doc.heading.issued_on))]
    if doc.due_date:
        facts.append(("Due date", date(doc.due_date)))
    facts.append(("Status", doc.heading.status))
    pdf.letterhead_block(facts)
    pdf.info_columns([("Bill to", party_rows(doc.bill_to)), ("Job", move_rows(doc.move))])
    items_table(pdf, doc.lines, ccy)
    after = [BoxRow("Amount paid", money(doc.amount_paid, ccy))]
    if doc.credit:
        after.append(BoxRow("Credit to customer", money(doc.credit, ccy, code=True), strong=True))
    else:
        after.append(BoxRow("Balance due", money(doc.balance_due, ccy, code=True), strong=True))
    totals_box(pdf, doc.totals, after, [("Notes", (doc.notes,))] if doc.notes else [])
    if doc.payments:
        pdf.section_title("Payments received")
        rows = [
            [date(p.received_on), p.method, p.reference or "", money(p.amount, ccy)]
            for p in doc.payments
        ]
        simple_table(pdf, PAYMENT_COLUMNS, rows)
    return bytes(pdf.output())
