"""Read-only invoice pane: bill-to, lines, taxes by kind, totals, payments and refunds, ledger.

Actions are offered by what the shared rules allow: the manual steps of the
invoice state machine (``InvoiceDetail.actions``), payments unless the
invoice is cancelled, refunds while a received payment has money left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from client.documents.parts import party
from client.documents.text import PAYMENT_METHOD_TITLES
from client.services.invoice_detail import InvoiceDetail, PaymentView
from client.services.lists import customer_display_name
from client.ui import format as fmt
from client.ui.detail_pane import DetailPane, fields_card, line
from client.ui.invoice_model import PENDING
from client.ui.invoice_payment import received_day
from client.ui.widgets import Card, ChipLabel, button, label
from shared_models.enums import PaymentMethod


@dataclass
class InvoiceHandlers:
    """What the pane's buttons do (the view runs them); None hides the button."""

    pay: Callable[[], None] | None = None
    refund: Callable[[], None] | None = None
    step: Callable[[str], None] | None = None
    pdf: Callable[[], None] | None = None


def _bill_to(detail: InvoiceDetail) -> list[tuple[str, str]]:
    """As the PDF prints it: the invoice's address snapshot, else the customer's own."""
    who = party(detail.customer, snapshot=detail.row.get("bill_to") or None)
    rows = [("Name", who.name), ("Address", "\n".join(who.address_lines))]
    rows += [("Email", who.email or ""), ("Phone", who.phone or "")]
    if who.tax_exemption_number:
        rows.append(("Tax exempt", f"No. {who.tax_exemption_number}"))
    return rows


def _header(
    detail: InvoiceDetail, handlers: InvoiceHandlers
) -> tuple[Card, dict[str, QPushButton]]:
    row, currency = detail.row, str(detail.row["currency"])
    card = Card()
    top = QHBoxLayout()
    title = label(detail.number, "DetailTitle")
    top.addWidget(title, 1)
    top.addWidget(ChipLabel(detail.status, fmt.humanize(detail.status)))
    card.body.addLayout(top)
    if row["number"] is None:
        title.setStyleSheet("font-style: italic;")
        note = label(f"⟳ Provisional number, {PENDING}: the server assigns the legal one.", "Muted")
        note.setWordWrap(True)
        card.body.addWidget(note)
    card.body.addWidget(label(customer_display_name(detail.customer) or "(unknown customer)"))
    s = detail.settlement
    owed = (
        line(label("Credit to customer", "Muted"), fmt.money(s.credit_amount, currency), bold=True)
        if s.credit_amount
        else line(label("Balance due", "Muted"), fmt.money(s.balance_due, currency), bold=True)
    )
    card.body.addWidget(owed)
    buttons: dict[str, QPushButton] = {}
    grid = QGridLayout()
    grid.setHorizontalSpacing(8)
    grid.setVerticalSpacing(8)
    wanted: list[tuple[str, str, Callable[[], None], bool]] = []
    if handlers.pay is not None and detail.status != "CANCELLED":
        wanted.append(("pay", "Record payment…", handlers.pay, True))
    if handlers.refund is not None and any(p.refundable > 0 for p in detail.payments):
        wanted.append(("refund", "Refund…", handlers.refund, False))
    if handlers.step is not None:
        step = handlers.step
        for target, text in detail.actions.items():
            wanted.append((target, text, lambda t=target: step(t), False))
    if handlers.pdf is not None:
        wanted.append(("pdf", "Export PDF…", handlers.pdf, False))
    for n, (key, text, call, primary) in enumerate(wanted):
        widget = button(text, primary=primary)
        widget.clicked.connect(call)
        buttons[key] = widget
        grid.addWidget(widget, n // 2, n % 2)
    card.body.addLayout(grid)
    return card, buttons


def _lines_card(detail: InvoiceDetail) -> Card:
    row, currency = detail.row, str(detail.row["currency"])
    card = Card("Billed")
    if not detail.items:
        card.body.addWidget(label("No lines.", "Muted"))
    for item in detail.items:
        qty = (
            item["quantity"].normalize()
            if isinstance(item["quantity"], Decimal)
            else item["quantity"]
        )
        text = f"{item['description']}\n{qty:f} {item['unit']} × {fmt.money(item['unit_price'], currency)}"
        card.body.addWidget(line(text, fmt.money(item["line_total"], currency)))
    card.body.addWidget(line(label("Subtotal", "Muted"), fmt.money(row["subtotal"], currency)))
    if row.get("discount_amount"):
        card.body.addWidget(
            line(label("Discount", "Muted"), fmt.money(-row["discount_amount"], currency))
        )
    for tax in row.get("tax_breakdown") or []:
        name = tax.get("label") or tax.get("kind") or "Tax"
        amount = Decimal(str(tax.get("amount", 0)))
        card.body.addWidget(line(label(str(name), "Muted"), fmt.money(amount, currency)))
    card.body.addWidget(line("Total", fmt.money(row["total"], currency), bold=True))
    return card


def _payment_line(p: PaymentView, currency: str, tz: str) -> QWidget:
    title = PAYMENT_METHOD_TITLES.get(PaymentMethod(p.method), fmt.humanize(p.method))
    what = f"Refund, {title.lower()}" if p.refund_of_id else title
    when = received_day(p, tz)
    text = f"{what}\n{when}" + (f" · {p.reference}" if p.reference else "")
    if p.pending_sync:
        text += f" · {PENDING}"
    right = QWidget()
    box = QVBoxLayout(right)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(4)
    amount = label(fmt.money(-p.amount if p.refund_of_id else p.amount, currency))
    amount.setAlignment(Qt.AlignmentFlag.AlignRight)
    chip = ChipLabel(p.status, fmt.humanize(p.status))
    chip.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    box.addWidget(amount, 0, Qt.AlignmentFlag.AlignRight)
    box.addWidget(chip, 0, Qt.AlignmentFlag.AlignRight)
    return line(text, right)


def _payments_card(detail: InvoiceDetail) -> Card:
    currency = str(detail.row["currency"])
    s = detail.settlement
    card = Card("Payments and refunds")
    if not detail.payments:
        card.body.addWidget(label("No payment recorded yet.", "Muted"))
    for p in detail.payments:
        card.body.addWidget(_payment_line(p, currency, detail.zone))
    card.body.addWidget(line(label("Received", "Muted"), fmt.money(s.gross_paid, currency)))
    if s.refunded:
        card.body.addWidget(line(label("Refunded", "Muted"), fmt.money(-s.refunded, currency)))
    card.body.addWidget(line(label("Paid", "Muted"), fmt.money(s.amount_paid, currency)))
    if s.credit_amount:
        card.body.addWidget(line("Credit", fmt.money(s.credit_amount, currency), bold=True))
    else:
        card.body.addWidget(line("Balance due", fmt.money(s.balance_due, currency), bold=True))
    ledger = line(label("Ledger balance", "Muted"), fmt.money(detail.ledger_balance, currency))
    ledger.setToolTip(
        "What the receivable ledger sums to: the invoice charge less payments, plus refunds."
    )
    card.body.addWidget(ledger)
    if detail.ledger_posted != detail.ledger_balance:
        card.body.addWidget(
            label(
                f"The server has posted {fmt.money(detail.ledger_posted, currency)} so far; "
                "the rest follows on the next sync.",
                "Muted",
                wrap=True,
            )
        )
    return card


def show_invoice(
    pane: DetailPane, detail: InvoiceDetail | None, handlers: InvoiceHandlers
) -> dict[str, QPushButton]:
    """Fill ``pane``; returns the action buttons by key (``pay``, ``SENT``, ``pdf``, ...)."""
    if detail is None:
        pane.clear("This invoice is no longer on this computer.")
        return {}
    row = detail.row
    header, buttons = _header(detail, handlers)
    facts = fields_card(
        "Invoice",
        [
            ("Issued", fmt.date(row.get("issue_date"))),
            ("Due", fmt.date(row.get("due_date"))),
            ("Job", str(detail.journey_number or "")),
            ("Quote", str(detail.quote_number or "")),
            ("Currency", str(row["currency"])),
            ("Cancelled", str(row.get("cancellation_reason") or "")),
        ],
    )
    bill_to = fields_card("Bill to", _bill_to(detail))
    widgets: list[QWidget] = [header, bill_to, facts, _lines_card(detail), _payments_card(detail)]
    if row.get("notes"):
        notes = Card("Notes")
        notes.body.addWidget(label(str(row["notes"]), wrap=True))
        widgets.append(notes)
    pane.show_widgets(widgets)
    return buttons
