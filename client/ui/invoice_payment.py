"""Record a payment or a refund: checked as the user types, by the rules the server applies.

Each dialog writes through ``BillingService`` on the database worker and
closes only once the write committed; a refusal (``RuleViolation``) is shown
next to the field it concerns and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from client.documents.text import PAYMENT_METHOD_TITLES
from client.services.billing import BillingService
from client.services.invoice_detail import InvoiceDetail, PaymentView
from client.ui import format as fmt
from client.ui.fields import Field
from client.ui.tasks import Op
from client.ui.widgets import button, label
from shared_models.enums import PaymentMethod
from shared_models.rules import ledger as rules
from shared_models.rules.errors import RuleViolation
from shared_models.rules.invoice_workflow import zone_date
from shared_models.rules.scheduling.intervals import local_to_utc, zone


def parse_amount(text: str) -> Decimal | str:
    """The amount typed (``1,250.00``, ``$80``), or the message explaining why it is not one."""
    cleaned = text.strip().replace(",", "").replace("$", "").replace("€", "").strip()
    if not cleaned:
        return "Enter the amount."
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return "That is not an amount, e.g. 250.00"
    if not value.is_finite():
        return "That is not an amount, e.g. 250.00"
    if value < 0:
        return "The amount cannot be negative."
    return value


def explain(exc: BaseException) -> str:
    """A rule's refusal as one sentence for a person (the code stays in the log)."""
    text = exc.message if isinstance(exc, RuleViolation) else str(exc)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def when_received(day: QDate, tz: str, now: dt.datetime | None = None) -> dt.datetime:
    """The chosen day at the branch (zone ``tz``): now when it is today there, else its noon; UTC."""
    chosen = dt.date(day.year(), day.month(), day.day())
    moment = now or dt.datetime.now(dt.UTC)
    if chosen == zone_date(tz, moment):
        return moment.astimezone(dt.UTC)
    return local_to_utc(chosen, dt.time(12), tz)


def _date_edit(tz: str) -> QDateEdit:
    """Today at the branch, and no later: a laptop in another zone cannot shift the day."""
    today = zone_date(tz, dt.datetime.now(dt.UTC))
    edit = QDateEdit(QDate(today.year, today.month, today.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("MMM d, yyyy")
    edit.setMaximumDate(QDate(today.year, today.month, today.day))
    return edit


def received_day(p: PaymentView, tz: str) -> str:
    """The day a payment was received, at the invoice's branch (as the receipt PDF prints it)."""
    return fmt.date(p.received_at.astimezone(zone(tz)).date())


class _MoneyDialog(QDialog):
    """Shared frame: a title, a form, an error line and Cancel / the action button."""

    done = Signal(object)  # the new payment's id

    def __init__(self, title: str, intro: str, action: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        box = QVBoxLayout(self)
        box.setContentsMargins(22, 20, 22, 18)
        box.setSpacing(12)
        box.addWidget(label(title, "DetailTitle"))
        box.addWidget(label(intro, "Muted", wrap=True))
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setVerticalSpacing(10)
        box.addLayout(self.form)
        self.error = label("", "FieldError", wrap=True)
        self.error.hide()
        box.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = button("Cancel", flat=True)
        self.ok_button = button(action, primary=True)
        self.ok_button.setDefault(True)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        box.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button.clicked.connect(self.submit)
        self.busy = False

    def submit(self) -> None:
        raise NotImplementedError

    def _entry(self) -> tuple[Decimal, str | None, dt.datetime] | None:
        """Amount, reference and time received as typed; None while busy or the amount is wrong."""
        if self.busy:
            return None
        self.amount.refresh(force=True)
        if not self.amount.valid():
            return None
        amount = parse_amount(self.amount.text)
        assert isinstance(amount, Decimal)
        reference = self.reference.text.strip() or None  # type: ignore[attr-defined]
        when = when_received(self.day.date(), self.zone)  # type: ignore[attr-defined]
        return amount, reference, when

    def _run(self, write: object) -> None:
        self.busy = True
        self.ok_button.setEnabled(False)
        Op(parent=self, op=write).success(self._written).failure(  # type: ignore[arg-type]
            self._refused
        ).run_in_background()

    def _written(self, payment_id: uuid.UUID) -> None:
        self.busy = False
        self.done.emit(payment_id)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        self.ok_button.setEnabled(True)
        field = getattr(exc, "field", None)
        if field == "amount":
            self.amount.show_error(explain(exc))  # type: ignore[attr-defined]
        else:
            self.error.setText(f"Not recorded: {explain(exc)}")
            self.error.show()


class PaymentDialog(_MoneyDialog):
    """Money received on an invoice: method, amount (within the method's limit), reference, date."""

    def __init__(
        self, billing: BillingService, detail: InvoiceDetail, parent: QWidget | None = None
    ) -> None:
        self.currency, self.zone = str(detail.row["currency"]), detail.zone
        balance = detail.settlement.balance_due
        super().__init__(
            "Record payment",
            f"Invoice {detail.number} · balance due {fmt.money(balance, self.currency)}. "
            "More than the balance is kept as the customer's credit.",
            "Record payment",
            parent,
        )
        self.billing, self.invoice_id = billing, detail.row["id"]
        self.status = str(detail.row["status"])
        self.method = QComboBox()
        for method in PaymentMethod:
            self.method.addItem(PAYMENT_METHOD_TITLES.get(method, fmt.humanize(method)), method)
        self.amount = Field("", self.check_amount, placeholder="0.00")
        self.amount.title.hide()
        self.amount.set_text(f"{balance:.2f}" if balance > 0 else "")
        self.reference = Field("", lambda _: None, placeholder="Cheque no., transfer id (optional)")
        self.reference.title.hide()
        self.day = _date_edit(self.zone)
        self.hint = label("", "Muted", wrap=True)
        self.form.addRow("Method", self.method)
        self.form.addRow(f"Amount ({self.currency})", self.amount)
        self.form.addRow("Reference", self.reference)
        self.form.addRow("Received on", self.day)
        self.form.addRow("", self.hint)
        self.method.currentIndexChanged.connect(self._method_changed)
        self._method_changed()

    def chosen_method(self) -> PaymentMethod:
        return PaymentMethod(self.method.currentData())

    def check_amount(self, text: str) -> str | None:
        """As the server will: positive, in cents, within the chosen method's limit."""
        value = parse_amount(text)
        if isinstance(value, str):
            return value
        try:
            rules.check_payment(
                amount=value,
                method=self.chosen_method(),
                currency=self.currency,
                invoice_currency=self.currency,
                invoice_status=self.status,
            )
        except RuleViolation as exc:
            return explain(exc)
        return None

    def _method_changed(self) -> None:
        method = self.chosen_method()
        limit = rules.METHOD_LIMITS.get(method)
        notes = []
        if limit is not None:
            notes.append(
                f"{fmt.humanize(method)} payments are limited to {fmt.money(limit, self.currency)}."
            )
        if method in rules.GATEWAY_METHODS:
            notes.append("Recorded as pending until the payment service confirms it.")
        self.hint.setText(" ".join(notes))
        self.hint.setVisible(bool(notes))
        if self.amount.touched:
            self.amount.refresh()

    def submit(self) -> None:
        entry = self._entry()
        if entry is None:
            return
        amount, reference, when = entry
        billing, invoice_id, method = self.billing, self.invoice_id, self.chosen_method()
        self._run(
            lambda: billing.record_payment(
                invoice_id=invoice_id,
                amount=amount,
                method=method,
                received_at=when,
                reference=reference,
            )
        )


class RefundDialog(_MoneyDialog):
    """Money given back against one received payment, never more than is left of it."""

    def __init__(
        self, billing: BillingService, detail: InvoiceDetail, parent: QWidget | None = None
    ) -> None:
        self.currency, self.zone = str(detail.row["currency"]), detail.zone
        super().__init__(
            "Refund",
            f"Invoice {detail.number}: choose the payment to refund. The refund is its own "
            "record in the ledger; the payment stays as it was received.",
            "Record refund",
            parent,
        )
        self.billing = billing
        self.payments = [p for p in detail.payments if p.refundable > 0]
        self.payment = QComboBox()
        for p in self.payments:
            title = PAYMENT_METHOD_TITLES.get(PaymentMethod(p.method), p.method)
            self.payment.addItem(
                f"{title} of {fmt.money(p.amount, self.currency)} on "
                f"{received_day(p, self.zone)} "
                f"({fmt.money(p.refundable, self.currency)} refundable)",
                p.id,
            )
        self.method = QComboBox()
        for method in PaymentMethod:
            self.method.addItem(PAYMENT_METHOD_TITLES.get(method, fmt.humanize(method)), method)
        self.amount = Field("", self.check_amount, placeholder="0.00")
        self.amount.title.hide()
        self.reference = Field("", lambda _: None, placeholder="Why, or the transfer id (optional)")
        self.reference.title.hide()
        self.day = _date_edit(self.zone)
        self.form.addRow("Payment", self.payment)
        self.form.addRow(f"Amount ({self.currency})", self.amount)
        self.form.addRow("Paid back by", self.method)
        self.form.addRow("Reference", self.reference)
        self.form.addRow("Refunded on", self.day)
        self.payment.currentIndexChanged.connect(self._payment_changed)
        self._payment_changed()

    def chosen(self) -> PaymentView | None:
        number = self.payment.currentIndex()
        return self.payments[number] if 0 <= number < len(self.payments) else None

    def check_amount(self, text: str) -> str | None:
        value = parse_amount(text)
        if isinstance(value, str):
            return value
        original = self.chosen()
        if original is None:
            return "There is no received payment to refund."
        try:
            rules.check_amount(value, self.currency)
        except RuleViolation as exc:
            return explain(exc)
        if value > original.refundable:
            return f"At most {fmt.money(original.refundable, self.currency)} is left to refund on this payment."
        return None

    def _payment_changed(self) -> None:
        original = self.chosen()
        if original is None:
            return
        self.method.setCurrentIndex(max(0, self.method.findData(PaymentMethod(original.method))))
        self.amount.set_text(f"{original.refundable:.2f}")
        if self.amount.touched:
            self.amount.refresh()

    def submit(self) -> None:
        entry = self._entry()
        original = self.chosen()
        if entry is None or original is None:
            return
        amount, reference, when = entry
        billing, payment_id = self.billing, original.id
        method = PaymentMethod(self.method.currentData())
        self._run(
            lambda: billing.record_refund(
                payment_id=payment_id,
                amount=amount,
                method=method,
                received_at=when,
                reference=reference,
            )
        )
