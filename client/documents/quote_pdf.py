"""A quote as a PDF: letterhead, move, priced lines, totals, valuation, terms, signature."""

from __future__ import annotations

from client.documents.blocks import (
    ESTIMATE_TITLES,
    move_rows,
    party_rows,
    signature_block,
)
from client.documents.layout import DocumentPDF
from client.documents.model import QuoteDocument
from client.documents.table import Beside, BoxRow, items_table, totals_box
from client.documents.text import date, money


def render_quote_pdf(doc: QuoteDocument) -> bytes:
    """The quote's PDF bytes; pure layout, so it works offline and in tests alike."""
    pdf = DocumentPDF(title="Quote", heading=doc.heading, letterhead=doc.letterhead)
    ccy = doc.totals.currency
    facts = [("Quote no.", doc.heading.number), ("Date", date(doc.heading.issued_on))]
    if doc.valid_until:
        facts.append(("Valid until", date(doc.valid_until)))
    if doc.move.estimate_type:
        facts.append(("Estimate", ESTIMATE_TITLES[doc.move.estimate_type]))
    pdf.letterhead_block(facts)
    pdf.info_columns([("Prepared for", party_rows(doc.bill_to)), ("Move", move_rows(doc.move))])
    items_table(pdf, doc.lines, ccy)
    after = [BoxRow("Deposit to book", money(doc.deposit, ccy), strong=True)] if doc.deposit else []
    beside: list[Beside] = [("Notes", (doc.notes,))] if doc.notes else []
    if doc.terms:
        beside.append(("Terms", tuple(f"•  {term}" for term in doc.terms)))
    totals_box(pdf, doc.totals, after, beside)
    signature_block(pdf, doc.acceptance, doc.valuation, ccy, doc.timezone)
    return bytes(pdf.output())
